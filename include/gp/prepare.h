#ifndef GP_PREPARE_H
#define GP_PREPARE_H

#include "gp/util.h"

/*
 * Making a new task worktree ready to work in (issue 14): the untracked
 * files it needs copied from the main worktree (parallel.copy), ignored
 * dependency directories shared (parallel.share), the directories of a
 * sparse checkout (parallel.sparse), and the setup command
 * (parallel.setup), run once per worktree.
 *
 * Markers in the worktree's admin directory ($GIT_COMMON_DIR/worktrees/<id>)
 * record what was done, written only once it is complete: a run killed
 * half-way does it again.
 */
#define PREPARE_MARK_FILES "gp-files"	/* copy and share done */
#define PREPARE_MARK_SETUP "gp-setup"	/* the setup command succeeded */

/*
 * The directories of a cone-mode sparse checkout for a task that declared
 * paths (files give their directory, directories themselves; a glob cuts
 * the path before its first wildcard component), plus always.  Returns 0
 * and leaves dirs empty when paths is empty (a full checkout), 1 when the
 * task gets a sparse checkout (dirs may still be empty: only the files at
 * the top).
 */
int prepare_sparse_dirs(const struct strlist *paths, const struct strlist *always,
			struct strlist *dirs);

/*
 * Copy into the worktree "to" what of the main worktree "from" matches
 * patterns (glob(3), relative to the top): regular files (reflinked with
 * FICLONE where the filesystem can, modes kept), symbolic links as links,
 * directories recursively.  Never a path tracked in the worktree's index
 * (gitdir: the worktree's git directory), never over an existing file,
 * never through a symbolic link, never outside either worktree.  Lines
 * for the task log go to *log.  0, or -1 (reported).
 */
int prepare_copy(const char *from, const char *to, const char *wt_gitdir,
		 const struct strlist *patterns, struct strbuf *log);

/*
 * Share the ignored directories dirs of the main worktree with the
 * worktree "to": a symbolic link to the main worktree's directory
 * (mode CONFIG_SHARE_SYMLINK) or a (reflinked) copy (CONFIG_SHARE_COPY).
 * A directory the main worktree does not ignore, or tracked paths, are
 * refused.  A symbolic link is not a directory for a "node_modules/" rule:
 * an anchored rule for each shared path goes into the common info/exclude
 * (common_dir), so that git status, auto-commit and clean see nothing.
 * 0, or -1 (reported).
 */
int prepare_share(const char *from, const char *to, const char *common_dir,
		  const char *wt_gitdir, const struct strlist *dirs, int mode,
		  struct strbuf *log);

/*
 * Run cmd with /bin/sh -c in cwd, git's repository variables removed from
 * the environment and env ("NAME=value", NULL-terminated) added, stdin
 * from /dev/null, stdout and stderr appended to log_path.  Waits for it.
 * Returns its exit status (0..255), 128 + signal when killed, or -1
 * (reported) when it could not be started.
 */
int prepare_run(const char *cmd, const char *cwd, const char *const *env, const char *log_path);

/* Does admin/name exist?  Write it (synced).  0 or -1 (reported). */
int prepare_has_mark(const char *admin, const char *name);
int prepare_set_mark(const char *admin, const char *name, const char *content);

#endif
