#ifndef GP_WORKTREE_H
#define GP_WORKTREE_H

#include <git2.h>

#include "gp/util.h"

/*
 * Task branches and worktrees with libgit2 (DESIGN.md 2.2, TECH-NOTES.md
 * "libgit2 worktrees").  Every worktree made here must be a normal git
 * worktree: git worktree list, git status, git worktree remove and git
 * fsck accept it.
 */

/* One worktree to create (or reuse). */
struct wt_request {
	const char *name;	/* flat worktree name: the task ID */
	const char *branch;	/* full ref: "refs/heads/parallel/T001" */
	git_oid base;		/* where a new branch starts */
	const char *path;	/* absolute directory of the worktree */
	int sparse;		/* a new worktree: a cone-mode sparse checkout of */
	const struct strlist *sparse_dirs;	/* these directories (and the top's files) */
	/* results */
	int ok;			/* 1: the worktree is there, on the branch */
	int reused;		/* it existed already (resume) */
	int redone;		/* an incomplete one (a killed run) was made again */
	char *error;		/* why it failed (caller frees via wt_request_release) */
};

void wt_request_release(struct wt_request *r);

/*
 * Create the worktrees of reqs, up to "threads" at a time, each thread
 * with its own git_repository opened from gitdir (the common git dir).
 * For each request:
 * - an existing registered worktree with that name, at that path, on that
 *   branch, made by git-parallel for that task (admin file gp-task) and
 *   complete, is reused;
 * - creation is journalled: gp-creating in the admin directory from
 *   git_worktree_add until the checkout is verified.  A worktree still
 *   marked so, without an index, or with a stale index.lock and no
 *   uncommitted change, is debris of a killed run: when it holds nothing
 *   its checkout did not write (the branch keeps the commits) it is
 *   removed and made again (->redone), else the request fails saying
 *   which files to look at.  Never reused half-made;
 * - an existing branch is reused (its commits are earlier work) when
 *   git-parallel made it for this task (its reflog starts with
 *   "git-parallel: branch for task <id>") and it contains base; a branch
 *   of the user's with that name is never taken: the request fails
 *   naming it.  A stale <branch>.lock file is named in the error;
 * - an existing directory that is not that worktree is never touched: the
 *   request fails naming it;
 * - a failed creation leaves nothing behind (no .git/worktrees/<name>, no
 *   directory, no branch that we created).
 * Returns 0 when every request succeeded, else -1 (see each ->error).
 */
int worktree_create_many(const char *gitdir, struct wt_request *reqs, size_t nr, int threads);

/*
 * Was the branch (full ref) made by git-parallel for task id (its reflog's
 * first entry says so)?  1 or 0.
 */
int worktree_branch_is_ours(git_repository *repo, const char *branch, const char *id);

/*
 * Uncommitted changes (staged, unstaged, untracked and not ignored) in the
 * worktree at path: fills "paths" (if not NULL) and returns their number,
 * or -1 (reported) when the worktree cannot be opened.
 */
int worktree_dirty(const char *path, struct strlist *paths);

/*
 * Remove <ref>.lock (ref a full name: refs/heads/...) when it is the
 * loose ref file itself, and logs/<ref>.lock when it is the reflog itself
 * (remove_half_renamed_lock()).  1 removed, 0 no such lock, -1 error (errno).
 */
int worktree_remove_half_renamed_lock(git_repository *repo, const char *ref);
/*
 * The lock file that stops a delete of ref (its loose ref's, <ref>.lock,
 * or packed-refs.lock, which deleting a packed ref takes) that is there
 * once those a killed command left as the file itself are removed: held
 * by another process (or left by one that died).  Its path (caller
 * frees), or NULL.
 */
char *worktree_branch_lock(git_repository *repo, const char *ref);
/*
 * The lock a command killed inside libgit2's delete of ref left (the ref
 * gone, the lock empty: git_filebuf writes nothing before commit), when
 * this command took the state lock over from a killed holder and the lock
 * is not older than that holder's: removed.  1 removed, 0 not, -1 error.
 */
int worktree_remove_deleted_branch_lock(git_repository *repo, const char *ref);

/*
 * Is the worktree "name" what a run killed inside its add leaves after it
 * made the directory and before its .git file: an admin directory marked
 * ours without gitdir (git does not list it) and, at path, an EMPTY
 * directory (not a symbolic link)?  1 or 0.  It holds no work: rmdir it.
 */
int worktree_empty_husk(git_repository *repo, const char *name, const char *path);
/*
 * Is the worktree "name" what a worktree_remove() or worktree_prune_gone()
 * killed midway leaves: an admin directory holding only its task marker,
 * or its marker without gitdir while the working tree at path is gone, or
 * is still there but holds only what the tree of branch (a full ref, or
 * NULL) holds, its .git naming that admin directory?  1 or 0.  Removing
 * the rest loses nothing that removal had not already been cleared to
 * drop.
 */
int worktree_being_removed(git_repository *repo, const char *name, const char *path,
			   const char *branch);

/*
 * Remove the worktree "name" (its directory and its admin directory).
 * Refuses (returns 1 and sets *why) when it has uncommitted changes,
 * unless force.  A worktree whose directory is already gone is pruned.
 * Returns 0 when removed, 1 when refused, -1 on error (reported).
 */
int worktree_remove(git_repository *repo, const char *name, int force, const char **why);

/*
 * The worktree "name" whose directory is gone (a command deleted it):
 * drop its admin directory as git worktree prune would, in
 * worktree_remove()'s order (gitdir first, the task marker last), so a
 * kill midway leaves nothing git or the next run or clean trips on.  Not
 * a locked one (-1, reported), nor one whose directory exists or that is
 * valid (0, nothing done).  0 or -1 (reported).
 */
int worktree_prune_gone(git_repository *repo, const char *name);

/*
 * Is the worktree "name" debris of a creation that did not finish (its
 * admin directory still has gp-creating, or has no index)?  0: no;
 * 1: yes, and it holds nothing its checkout did not write (removing it
 * loses nothing); 2: yes, and *what lists files that might be work;
 * -1 on error (reported).
 */
int worktree_incomplete(git_repository *repo, const char *name, struct strbuf *what);

/*
 * Did git-parallel make the worktree "name" for that task: its admin
 * directory's gp-task names it, it is at path, and its HEAD is on branch
 * (full ref) or detached (the task's command may detach it)?  1 or 0.
 * clean touches no other worktree (a user's own at that place, say).
 */
int worktree_is_task(git_repository *repo, const char *name, const char *path, const char *branch);

/*
 * Before clean removes worktree "name" and its branch (full ref, or NULL
 * when the branch stays): the
 * commits that would then be lost, the worktree's detached HEAD and what
 * the worktree's HEAD reflog and the branch's reflog recorded (an agent
 * that committed on a detached HEAD, or reset its branch elsewhere),
 * when no ref, no HEAD and none of safe[] (the target tip, the base, the
 * branch tip whose removal clean decided) contains them, get a ref each
 * (only the tips): refs/parallel/kept/<name>/<12 hex>.  Their names go to
 * *kept.  Returns 0 or -1 (reported).
 */
int worktree_keep_commits(git_repository *repo, const char *name, const char *branch,
			  const git_oid *safe, size_t nsafe, struct strlist *kept);
/*
 * The admin file gitdir of the worktree name, cut short by a kill (older
 * versions wrote it in place), in an admin directory marked ours and
 * creating: removed, so that what is left is the debris of a kill right
 * before gitdir.  1 removed, 0 nothing such, -1 error (errno).
 */
int worktree_drop_torn_gitdir(git_repository *repo, const char *name);

/*
 * A worktree whose admin directory ($GIT_COMMON_DIR/worktrees/<name>)
 * exists but that libgit2 no longer takes for one (a command deleted its
 * HEAD): 1 if so, else 0.  worktree_remove_broken() deletes that admin
 * directory and path, never following symlinks.  0 or -1 (reported).
 */
int worktree_is_broken(git_repository *repo, const char *name);
int worktree_remove_broken(git_repository *repo, const char *name, const char *path);

/*
 * Commit everything the command left in the worktree at path (tracked
 * changes, new files; .gitignore respected) on its current branch, with
 * message.  Sets *committed to 0 when there was nothing to commit.  The
 * new (or unchanged) HEAD goes to *head.  Returns 0 or -1 (reported).
 */
int worktree_commit_all(const char *path, const char *message, int *committed, git_oid *head);

/*
 * The commit a task with dependencies starts from: the in-memory merge of
 * the dependencies' heads (on top of base).  With one head that already
 * contains base, that head.  On a conflict returns 1 and fills
 * conflicts with the conflicting paths; 0 on success; -1 on error.
 * A merge commit made here is written to the object database only.
 */
int worktree_merge_base(git_repository *repo, const git_oid *base,
			const git_oid *heads, size_t nr, git_oid *out,
			struct strlist *conflicts);

#endif
