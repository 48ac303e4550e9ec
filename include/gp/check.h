#ifndef GP_CHECK_H
#define GP_CHECK_H

#include <git2.h>

#include "gp/footprint.h"
#include "gp/session.h"

/*
 * git parallel check (DESIGN.md 2.4): footprints of the selected tasks,
 * the overlaps between every pair (a path -> tasks index, not all files of
 * all pairs), with --exact an in-memory three-way merge of each
 * overlapping pair, ownership violations, and footprint vs plan.
 */

enum overlap_class {
	OVERLAP_SAME_FILE,	/* both changed it; git merges it cleanly */
	OVERLAP_CONFLICT,	/* git will not merge it without help */
};

/* One path that two tasks both changed. */
struct overlap {
	size_t a, b;		/* indexes into check.fp, a < b */
	const struct fp_file *fa, *fb;	/* borrowed; NULL when found only by --exact */
	char *path;		/* the base path (the path for adds) */
	enum overlap_class cls;
	const char *kind;	/* static: "content", "add/add", "modify/delete", ... */
	int exact;		/* -1 not merged, 0 git merges it cleanly, 1 git conflicts */
	char *driver;		/* a custom merge driver (.gitattributes merge=<name>,
				 * merge.<name>.driver) git would run and the line
				 * ranges did not: its name, or NULL */
};

enum violation_kind {
	VIOLATION_UNDECLARED,	/* outside the task's declared paths */
	VIOLATION_OUTSIDE_OWNER,	/* outside its owner's area */
	VIOLATION_OTHER_OWNER,	/* inside another owner's area */
};

struct violation {
	size_t task;		/* index into check.fp */
	char *path;
	enum violation_kind kind;
	const char *owner;	/* the other owner, or NULL; borrowed from the ownership */
};

/* One pair of measured tasks with something in common. */
struct check_pair {
	size_t a, b;
	size_t overlaps;	/* overlaps of this pair */
	size_t conflicts;	/* of them, conflicts (by --exact when merged) */
	int related;		/* one contains the other (a dependency): not compared */
	int holds;		/* 1: a's branch holds b's commits, 2: b's holds a's (both: same head) */
	int exact;		/* -1 not merged, 0 clean, 1 conflict */
	struct strlist exact_paths;	/* with --exact: git's conflicting paths */
};

struct check_task {
	size_t plan_index;
	const char *owner;	/* borrowed from the plan, or NULL */
	struct strlist untouched;	/* declared paths the footprint does not touch */
	size_t undeclared;	/* files changed outside the declared paths */
};

struct gitmerge_child;

struct check {
	struct footprint *fp;
	struct check_task *ct;
	size_t nr;
	struct overlap *ov;
	size_t ov_nr, ov_alloc;
	struct check_pair *pairs;
	size_t pairs_nr, pairs_alloc;
	struct violation *viol;
	size_t viol_nr, viol_alloc;
	int exact;		/* --exact was asked */
	int all_ranges;		/* every file's line ranges (CHECK_ALL_RANGES) */
	int failed;		/* a file's line ranges could not be read (reported) */
	git_repository **repos;	/* opened by the threads that measured (check_release frees) */
	size_t repos_nr;
	size_t conflicts;	/* conflicting overlaps (git's verdict with --exact) */
	/* --exact of a few tasks: git merge-tree started before measuring, per pair */
	struct gitmerge_child **early;
	size_t early_nr;
	git_repository *early_repo;
	size_t unnamed;		/* pairs git conflicts on naming no path (--exact) */
	struct fp_diff_cache dc;	/* each file's blob diff, computed once */
	size_t sides_diffed;	/* --exact: tasks' changes diffed for gitmerge_needed() (tests) */
};

enum check_flags {
	CHECK_EXACT = 1 << 0,
	CHECK_NO_UNCOMMITTED = 1 << 1,
	CHECK_ALL_RANGES = 1 << 2,	/* every file's line ranges, not only shared files' (--json) */
};

void check_init(struct check *c);
void check_release(struct check *c);

/*
 * Measure the tasks sel[0..nr) of the session (status loaded) and
 * compare them.  Returns 0, or -1 on a libgit2 failure (reported).
 */
int check_run(struct check *c, struct session *s, const size_t *sel, size_t nr,
	      unsigned int flags);

/*
 * Does a base range of one side conflict with one of the other side, as
 * git's three-way merge sees it (overlapping or touching changes)?
 */
int check_ranges_conflict(const struct fp_range *a, size_t a_nr,
			  const struct fp_range *b, size_t b_nr);

const char *overlap_class_name(enum overlap_class c);
const char *violation_kind_name(enum violation_kind k);

/*
 * The lanes gate of merge: the paths task pi (a plan index; session with
 * status loaded) changed on its branch -- committed work, from its merge
 * base with "against" (NULL: the pinned base) -- outside its declared
 * paths, deletions and both sides of a rename included, in base-path
 * order, appended to out.  Its own changes are judged as check's
 * "undeclared" violations; what it inherited from dependencies not yet
 * in "against" is judged against their declared paths too (and not at
 * all when one of them declared none).  merge passes the target's tip, so
 * a task branch that merged the target (to fix a conflict) is not blamed
 * for what the target brought, and a task built on a dependency that was
 * held is held too.  A task with no declared paths has no lanes (unknown
 * footprint) and yields nothing.  Returns the number of paths found (0:
 * none, or nothing to measure), or -1 on a libgit2 failure (reported,
 * naming the task).
 */
int check_undeclared(struct strlist *out, struct session *s, size_t pi, const git_oid *against);

/*
 * Measure task pi's committed footprint into its cache in the state
 * (footprints/<id>), for the checks to come: what run does when a task
 * ends.  A footprint that cannot be measured or cached is left for
 * check to measure (only a libgit2 failure is reported).
 */
void check_cache_footprint(struct session *s, size_t pi);

/* The pair (a, b), or NULL. */
const struct check_pair *check_pair_find(const struct check *c, size_t a, size_t b);

#endif
