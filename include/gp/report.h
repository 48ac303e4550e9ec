#ifndef GP_REPORT_H
#define GP_REPORT_H

#include "gp/session.h"

/*
 * git parallel report (DESIGN.md 2.6): the activity record of a run, from
 * the state files and the task branches.  Wall time runs from the
 * earliest task start to the latest task finish recorded in the task
 * states (a retried task's start is its last attempt's).
 */

struct report_task {
	const char *id;		/* borrowed from the plan */
	const char *title;
	enum task_state state;
	unsigned int attempts;
	double duration;	/* seconds, over all attempts */
	double wait_time;	/* seconds held back by precheck, thresholds, backoff */
	int known;		/* commits, files and lines could be counted */
	size_t commits, files, added, removed;
	const char *outcome;	/* "merged", "conflict", "unmerged", or NULL (not finished) */
};

struct report {
	struct report_task *v;
	size_t nr;
	double wall;		/* seconds, 0 when nothing ran */
	double task_time;	/* summed task time */
	double speedup;		/* task_time / wall, or 0 */
	double saved;		/* task_time - wall, or 0 */
	size_t conflicts;	/* tasks in conflict */
	size_t merged;
	size_t done;		/* tasks finished (done, merged, conflict, held) */
	double share;		/* done / tasks, in percent */
	double min_success;	/* the last run's --min-success, or < 0 */
	double wait_time;	/* summed time tasks were held back before starting */
};

/*
 * Record what run --min-success asked for (min < 0: nothing), for the
 * report.  0 or -1 (reported).
 */
int report_record_min_success(const char *state_dir, double min);

/* Is a percentage ("80", "80%", "66.7") in [0, 100]?  0 and *out, or -1. */
int report_parse_percent(const char *s, double *out);

/* Build the report of every active task of s (status loaded).  Returns 0 or -1. */
int report_build(struct report *r, struct session *s);
void report_release(struct report *r);

#endif
