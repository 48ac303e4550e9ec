#ifndef GP_MERGE_H
#define GP_MERGE_H

#include <git2.h>

#include "gp/session.h"
#include "gp/util.h"

/*
 * git parallel merge (DESIGN.md 2.5): in-memory merges of finished tasks
 * into the target branch, in plan order, each against the target's
 * current (in-memory) tip.  The target ref moves once, by compare-and-swap,
 * from the tip we started from to the final tip; a worktree that has the
 * target checked out is checked clean before and brought to the new tip
 * after (git read-tree -m -u, which takes index.lock before touching any
 * file).  A journal ($state/merge-journal) written before the ref moves
 * lets the next merge finish the job after a crash.
 */

enum merge_outcome {
	MO_MERGED,
	MO_CONFLICT,
	MO_VERIFY_FAILED,
	MO_SKIPPED,
	MO_FAILED,
	MO_HELD,		/* changed files outside its declared paths (the lanes gate) */
};

const char *merge_outcome_name(enum merge_outcome o);

/* A run of lines: start is 1-based, lines may be 0 (a deletion after start). */
struct merge_range {
	size_t start;
	size_t lines;
};

struct merge_conflict {
	char *path;
	const char *type;	/* "content", "add/add", "modify/delete", "rename" */
	struct merge_range *ours, *theirs;	/* ours: the target; theirs: the task */
	size_t ours_nr, ours_alloc, theirs_nr, theirs_alloc;
	struct strlist with;	/* IDs of merged tasks that brought the target's side */
};

struct merge_result {
	size_t task;		/* plan index */
	const char *id;		/* borrowed from the plan */
	enum merge_outcome outcome;
	int already;		/* merged before this run: no new commit */
	int has_commit;
	git_oid commit;		/* the merge (or squash) commit */
	git_oid head;		/* the task head merged */
	char *reason;		/* why conflict/verify-failed/skipped/failed, or NULL */
	struct merge_conflict *conflicts;
	size_t conflicts_nr, conflicts_alloc;
	struct strlist undeclared;	/* MO_HELD: the paths changed outside its declared paths */
};

enum merge_flags {
	MERGE_DRY_RUN = 1 << 0,
	MERGE_SQUASH = 1 << 1,
	MERGE_STOP_ON_CONFLICT = 1 << 2,
	MERGE_EXPLICIT = 1 << 3,	/* tasks were named on the command line */
	MERGE_ALLOW_UNDECLARED = 1 << 4,	/* no lanes gate: merge tasks that left their paths */
};

struct merge_opts {
	const char *into;	/* branch name or full ref; NULL: the plan's base branch */
	const char *verify;	/* command, or NULL */
	double verify_timeout;	/* seconds; 0: none */
	unsigned int flags;
};

enum merge_status {
	MS_OK,			/* ran; see the results */
	MS_REFUSED,		/* the checked-out target is dirty or locked: nothing changed */
	MS_REF_MOVED,		/* the target moved meanwhile: nothing changed */
	MS_REF_LOCKED,		/* someone holds the target's ref lock: nothing changed */
	MS_ROLLED_BACK,		/* the worktree could not be updated: the ref was put back */
};

struct merge_run {
	char *target;		/* full ref */
	git_oid old_tip, new_tip;
	int updated;		/* the ref moved */
	enum merge_status status;
	char *checkout;		/* worktree that has the target checked out, or NULL */
	struct strlist dirty;	/* MS_REFUSED: its uncommitted paths, or */
	int in_the_way;		/* its untracked files in the merge's way */
	char *why;		/* MS_REFUSED, MS_REF_*, MS_ROLLED_BACK: what happened */
	char *recovered;	/* a note on an interrupted merge finished first, or NULL */
	int signal;		/* SIGINT, SIGTERM, SIGHUP or SIGQUIT deferred while the
				 * target was updated: the caller reports, then raises it */
	struct merge_result *results;
	size_t nr;
};

void merge_run_init(struct merge_run *m);
void merge_run_release(struct merge_run *m);

/*
 * Merge the tasks sel[0..nr) (plan indexes) of an open session (status
 * loaded) into the target.  The caller holds the state lock (unless
 * dry-run).  Returns 0 when it ran (see m->status and the results), -1 on
 * a fatal error (reported): nothing moved then.
 */
int merge_tasks(struct merge_run *m, struct session *s, const size_t *sel, size_t nr,
		const struct merge_opts *opts);

#endif
