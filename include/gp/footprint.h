#ifndef GP_FOOTPRINT_H
#define GP_FOOTPRINT_H

#include <git2.h>

#include "gp/util.h"

/*
 * A task's footprint (DESIGN.md 2.4): what its branch changed against its
 * merge base with the pinned base, plus (unless left out) the uncommitted
 * and untracked changes of its worktree, renames detected, with the
 * changed line ranges of every file in base coordinates.
 *
 * One diff per task: base tree -> worktree (with its index), or base
 * tree -> branch tree when there is no worktree to read.  Uncommitted
 * changes are then found by a second, name-only diff (no content).
 */

/*
 * Changed lines of the base, as in a zero-context hunk header: "start"
 * (1-based) and "lines" lines; lines == 0 is a pure insertion after line
 * "start" (0: at the top).
 */
struct fp_range {
	unsigned int start;
	unsigned int lines;
};

enum fp_change {
	FP_ADDED,
	FP_DELETED,
	FP_MODIFIED,
	FP_RENAMED,
	FP_TYPECHANGE,		/* file <-> symlink <-> submodule */
};

struct fp_file {
	char *path;		/* the path after the change (the base path for a delete) */
	char *old_path;		/* the path in the base; NULL for an added file */
	enum fp_change change;
	unsigned int old_mode;	/* 0 when added */
	unsigned int new_mode;	/* 0 when deleted */
	git_oid old_id;
	git_oid new_id;		/* the resulting blob (or commit, for a submodule); zero if unknown */
	unsigned int binary:1;
	unsigned int uncommitted:1;	/* (also) changed in the worktree, not committed */
	unsigned int inherited:1;	/* brought by the task's dependencies, not its own work */
	struct fp_range *ranges;
	size_t ranges_nr, ranges_alloc;
	git_diff *diff;		/* FOOTPRINT_LAZY_HUNKS: ranges and binary not read yet (borrowed) */
	size_t delta;		/* ... from this delta of diff */
	git_repository *blobs_in;	/* ... or from its blobs, in this repository (borrowed) */
};

struct footprint {
	char *id;
	char *branch;		/* full ref */
	char *worktree;		/* the worktree read, or NULL */
	int measured;		/* 0: no footprint (never ran, branch gone ...): see notes */
	git_oid head;		/* branch head (valid when measured) */
	git_oid merge_base;	/* the diff's origin (valid when measured) */
	struct fp_file *files;	/* sorted by base path (path for an add) */
	size_t nr, alloc;
	size_t uncommitted;	/* files changed in the worktree and not committed */
	struct strlist notes;	/* what the reader must know ("its worktree is gone ...") */
	git_diff *diff;		/* owned: what files' pending hunks are read from */
};

enum footprint_flags {
	FOOTPRINT_NO_UNCOMMITTED = 1 << 0,
	/*
	 * Committed work: leave each file's line ranges (and binary flag)
	 * unread until footprint_file_hunks() asks for them.  Reading the
	 * two blobs of every changed file is most of what a footprint costs;
	 * check needs ranges only where tasks share a file.
	 */
	FOOTPRINT_LAZY_HUNKS = 1 << 1,
	/*
	 * The caller found the worktree clean for the branch's head
	 * (footprint_worktree_clean(), run alongside): do not scan it.  The
	 * caller measures again without this flag when the head it scanned
	 * for is not the footprint's head.
	 */
	FOOTPRINT_WORKTREE_CLEAN = 1 << 2,
	/* The caller's scan found the worktree not clean: diff it, no scan again. */
	FOOTPRINT_WORKTREE_DIRTY = 1 << 3,
};

/* What to measure for one task. */
struct footprint_spec {
	const char *id;
	const char *branch;	/* full ref */
	const char *worktree;	/* expected worktree directory, or NULL */
	const git_oid *base;	/* the pinned base */
	const char *base_ref;	/* the base branch ("refs/heads/main"), or NULL */
	const git_oid *start;	/* the commit the task started from, or NULL (= base) */
	const git_oid *recorded;	/* the head run recorded when the task ended, or NULL */
	int ran;		/* the task was started at least once */
	/*
	 * A file that caches its committed footprint (state_footprint_path()),
	 * or NULL: read when its key matches (footprint.c), written when it
	 * was measured.
	 */
	const char *cache;
};

void footprint_init(struct footprint *fp);
void footprint_release(struct footprint *fp);

/*
 * Measure one task.  Situations a user can cause (a task never run, a
 * deleted branch, a worktree removed by hand or on another branch, a
 * rebased branch) are not errors: they leave notes, and measured = 0
 * when there is nothing to measure.  Returns 0, or -1 on a libgit2
 * failure (reported, naming the task).
 */
int footprint_measure(struct footprint *out, git_repository *repo,
		      const struct footprint_spec *spec, unsigned int flags);

/*
 * The worktree scan of footprint_measure() alone: is spec's worktree
 * certainly clean for its branch's head (*head, set when the branch
 * reads)?  1 yes; 0 when it is not, or cannot tell, or there is no
 * worktree or branch (footprint_measure() then says what it is).
 */
int footprint_worktree_clean(git_oid *head, git_repository *repo,
			     const struct footprint_spec *spec);

/*
 * Read the line ranges and binary flag of a file measured with
 * FOOTPRINT_LAZY_HUNKS (a no-op for any other file).  The repository the
 * footprint was measured in must still be open.  0, or -1 (reported).
 */
int footprint_file_hunks(struct fp_file *f);
/*
 * footprint_file_hunks() from the file's blobs in repo (any repository
 * of the same object database) with the same diff options and the
 * same attributes (by path): the repository the footprint was measured
 * in then reads nothing, its index included.
 */
int footprint_file_hunks_in(struct fp_file *f, git_repository *repo);
/*
 * One file's diff base -> side from two blobs (zero context, as a
 * footprint's ranges): its hunks, what each puts there (the added lines,
 * each after its origin character), and whether it is binary.
 */
struct fp_blob_diff {
	struct fp_range *ranges;
	struct strbuf *text;	/* ranges_nr of them */
	size_t ranges_nr, ranges_alloc, text_alloc;
	int binary;
};

/*
 * The blob diffs one command computed, by blobs and paths (attributes
 * go by path): a change both sides of a pair made the same way, and the
 * closer look check takes at a conflict, diff each file once.
 */
struct fp_diff_cache {
	struct strmap map;	/* key -> struct fp_blob_diff * */
};

#define FP_DIFF_CACHE_INIT { STRMAP_INIT }
void fp_diff_cache_clear(struct fp_diff_cache *dc);

/*
 * The diff of the blobs old and new (either may be NULL: an added or a
 * deleted file) of the file old_path -> new_path, from dc or computed in
 * repo and kept there.  0, or -1 (a blob not in the object database,
 * or a libgit2 failure: the caller tells which matters; not reported).
 */
int footprint_blob_diff(const struct fp_blob_diff **out, struct fp_diff_cache *dc,
			git_repository *repo, const git_oid *old, const git_oid *new,
			const char *old_path, const char *new_path);

/* footprint_blob_diff() in three steps: its key in dc, the diff (not kept), keeping it. */
void footprint_blob_diff_key(struct strbuf *key, const git_oid *old, const git_oid *new,
			     const char *old_path, const char *new_path);
int footprint_blob_diff_compute(struct fp_blob_diff **out, git_repository *repo,
				const git_oid *old, const git_oid *new,
				const char *old_path, const char *new_path);
void fp_diff_cache_put(struct fp_diff_cache *dc, const char *key, struct fp_blob_diff *bd);
/*
 * footprint_blob_diff_compute() without paths (no attribute looked up:
 * no index read by repo), the "diff" attribute's effect given as
 * diff_flags, which footprint_diff_flags() reads for a path (0, or -1
 * not known; drivers: a cache of diff drivers' flags, by name).
 */
int footprint_blob_diff_compute_as(struct fp_blob_diff **out, git_repository *repo,
				   const git_oid *old, const git_oid *new, uint32_t diff_flags);
int footprint_diff_flags(uint32_t *flags, git_repository *repo, const char *path,
			 struct strmap *drivers);

/* Are f's ranges still unread?  Can they be read from two blobs (no submodule, no type change)? */
int footprint_file_pending(const struct fp_file *f);
int footprint_file_blob_pair(const struct fp_file *f);

/* How many blob diffs this process ran (line ranges read; for tests). */
unsigned long footprint_blob_diffs(void);

/* footprint_file_hunks_in() through dc. */
int footprint_file_hunks_cached(struct fp_file *f, git_repository *repo, struct fp_diff_cache *dc);

/* footprint_file_hunks() for every file of fp. */
int footprint_all_hunks(struct footprint *fp);

/* The files the task changed itself (not inherited from its dependencies). */
size_t footprint_own(const struct footprint *fp);

/* "added", "deleted", "modified", "renamed", "typechange" */
const char *footprint_change_name(enum fp_change c);

/* The file's base path, or its path when it was added. */
static inline const char *fp_file_base_path(const struct fp_file *f)
{
	return f->old_path ? f->old_path : f->path;
}

#endif
