#ifndef GP_TRUST_H
#define GP_TRUST_H

#include <git2.h>

#include "gp/util.h"

/*
 * Commands from files of the repository run only once trusted (issue 11).
 *
 * git's rule is that tracked content never runs code: hooks are not
 * versioned, and the command line beats files.  A task file or
 * configuration that came with the repository (tracked in the work tree,
 * or anywhere in a task's worktree, where an agent writes) may still carry
 * a command (command, setup, precheck, verify ...): it runs only after the
 * user trusted that exact file content, direnv-style.  The trust store is
 * $GIT_COMMON_DIR/parallel-trust (mode 0600): one "<hash> <path>" line per
 * trusted file, the hash of its absolute path and its content.
 *
 * A trust ID is "<hex> <absolute path>": what the store holds.
 */

/* The trust ID of a file's content buf (len bytes) read from path.  Caller frees; NULL if path cannot be resolved. */
char *trust_id(const char *path, const char *buf, size_t len);

/* The trust ID of a file as it is now.  Caller frees; NULL after reporting an error. */
char *trust_id_of_file(const char *path);

/*
 * Did the repository give us this file: is it tracked (index or HEAD) in
 * the work tree workdir, or inside the task worktrees' parent wt_parent
 * (which may be NULL)?  A symlink counts when either its own place or its
 * target is such a file.
 */
int trust_file_from_repo(git_repository *repo, const char *workdir, const char *wt_parent,
			 const char *path);

struct trust {
	char *file;		/* the store */
	struct strlist ids;	/* trust IDs, in the order recorded */
};

/* Read the store of the common git directory gitdir (absent: empty).  0 or -1 (reported). */
int trust_load(struct trust *t, const char *gitdir);
void trust_release(struct trust *t);
/* Is this trust ID in the store? */
int trust_has(const struct trust *t, const char *id);
/* Record an ID; an earlier ID of the same path goes. */
void trust_add(struct trust *t, const char *id);
/* Forget every ID of this absolute path; how many went. */
size_t trust_revoke(struct trust *t, const char *abspath);
/* Write the store atomically, mode 0600.  0 or -1 (reported). */
int trust_save(struct trust *t);

/* The absolute path of path, its directory resolved, not its last component.  Caller frees; NULL on failure. */
char *trust_abs_path(const char *path);

/* The path part of a trust ID (borrowed). */
const char *trust_id_path(const char *id);

/*
 * The configuration keys whose value is a command (parallel.command,
 * parallel.setup, parallel.precheck, parallel.verify ...): a command key
 * from a file of the repository needs trust.  Register a new one here.
 */
int trust_is_command_key(const char *key);

#endif
