#ifndef GP_PLAN_H
#define GP_PLAN_H

#include <git2.h>

#include "gp/ownership.h"
#include "gp/tasks.h"
#include "gp/util.h"

/* Why one task must wait for another (DESIGN.md 2.1). */
enum dep_reason {
	DEP_PHASE,	/* the previous phase must finish */
	DEP_BARRIER,	/* a task without [P] and the tasks around it */
	DEP_DEPENDS,	/* "depends on" / depends = */
	DEP_SHARES,	/* both declare the same path */
	DEP_OWNER,	/* unknown footprint inside the same owner's area */
};

struct plan_dep {
	size_t task;		/* index of the task waited for */
	enum dep_reason reason;
	char *detail;		/* the shared path, the owner, or NULL */
};

enum finding_kind {
	FINDING_FALSE_PARALLEL,		/* [P] but shares a declared path within its wave */
	FINDING_UNKNOWN_FOOTPRINT,	/* no declared path */
};

struct plan_finding {
	enum finding_kind kind;
	char *path;		/* the (first) shared path, or NULL */
	struct strlist paths;	/* every path these tasks share in this wave */
	size_t *tasks;
	size_t tasks_nr;
	int wave;
};

struct plan_task {
	struct plan_dep *deps;
	size_t deps_nr, deps_alloc;
	int wave;		/* 1-based; 0 for done and cancelled tasks */
	char *owner;		/* resolved owner, or NULL */
};

struct plan {
	struct tasklist tasks;
	struct plan_task *pt;	/* one per task */
	struct strlist sources;	/* task files, by source index */
	char *base_ref;		/* "refs/heads/main", or "" for a detached base */
	git_oid base_oid;
	char *created;		/* ISO 8601 */
	char *id;		/* this plan's identity (random hex), set when it is saved */
	int waves;
	size_t *critical;	/* the critical path, first task first */
	size_t critical_nr;
	double critical_len;	/* tasks, or seconds with estimates */
	int estimated;		/* critical_len is in seconds */
	double speedup;
	size_t active;		/* tasks that will run (not done, not cancelled) */
	struct plan_finding *findings;
	size_t findings_nr, findings_alloc;
	unsigned int *stamp;	/* scratch for graph searches */
	size_t *stack;
	size_t *dep_mark;	/* scratch for add_dep(): t + 1 where t waits for the index */
	size_t dep_mark_task;
	unsigned int stamp_now;
};

enum plan_flags {
	PLAN_NO_PHASES = 1 << 0,
	PLAN_SERIAL_PHASES = 1 << 1,	/* every phase waits for the previous one, stories too */
};

void plan_init(struct plan *p);
void plan_release(struct plan *p);

/* A reason as the plan prints it: "phase", "barrier", "depends", ... */
const char *plan_reason_name(enum dep_reason r);
const char *plan_finding_name(enum finding_kind k);

/*
 * Build the graph, waves, critical path, speedup and findings for
 * p->tasks (already validated).  own resolves owners (may be empty).
 * Returns 0, or -1 after reporting a dependency cycle.
 */
int plan_build(struct plan *p, struct ownership *own, unsigned int flags);

/* Is task i going to run (not done, not cancelled)? */
int plan_task_active(const struct plan *p, size_t i);

/* Task indexes in plan order (wave, then file order), active tasks only.  Caller frees. */
size_t *plan_order(const struct plan *p, size_t *nr);

#endif
