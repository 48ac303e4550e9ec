#ifndef GP_REPO_H
#define GP_REPO_H

#include <git2.h>

#include "gp/util.h"

/*
 * Open the repository git would use here (GIT_DIR, GIT_WORK_TREE, the
 * current directory, a linked worktree).  *prefix gets the current
 * directory relative to the work tree ("" at the top, "sub/dir/" below).
 * With need_worktree a bare repository is an error.  Errors are reported;
 * returns 0 or -1.
 */
int repo_open(git_repository **out, struct strbuf *prefix, int need_worktree);

/*
 * Refuse, with what to do about it, a repository whose history libgit2
 * 1.5 cannot walk: a shallow clone (git_merge_base() fails at the
 * shallow boundary, so check and merge could not work).  Called by plan,
 * before anything is written.  Returns 0, or -1 (reported).
 */
int repo_check_history(git_repository *repo);

/* $GIT_COMMON_DIR/parallel/<sub> (sub may be "" or NULL).  Caller frees. */
char *repo_state_path(git_repository *repo, const char *sub);

/* The work tree's top directory, without trailing slash.  Caller frees. */
char *repo_workdir(git_repository *repo);

/*
 * Resolve the base: "rev" if given, else the current branch.  Fills the
 * full ref name ("refs/heads/main", or "HEAD" for a detached HEAD given as
 * rev) and the commit it points at.  An unborn branch or a rev that names
 * no commit is an error (reported).
 */
int repo_resolve_base(git_repository *repo, const char *rev,
		      struct strbuf *ref, git_oid *oid);

/*
 * For libgit2's attribute lookups on repo, an index in memory holding
 * only the .gitattributes entries of repo's index file: they are all an
 * attribute lookup reads of an index, and libgit2 1.5 loads the whole
 * index on the first lookup (attr_setup(): 10% of a check --exact of
 * git.git, whose 4,800 entries libgit2 takes ~15 ms to load).  Read
 * with indexstat; nothing is done where it cannot read the file (split,
 * sparse or v4 index ...), for a bare repository, or with GIT_INDEX_FILE
 * set.  Only for a caller that reads repo's index for nothing else until
 * repo_attr_index_drop(), which lets libgit2 load the file again when
 * asked.  1 in place, 0 not.
 */
int repo_attr_index(git_repository *repo);
void repo_attr_index_drop(git_repository *repo);

#endif
