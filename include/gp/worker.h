#ifndef GP_WORKER_H
#define GP_WORKER_H

#include <git2.h>

#include "gp/run.h"

/*
 * git parallel worker <remote> <id>: run one task of a remote's plan in
 * this clone (DESIGN.md 3.2).  Fetch the plan, the base and the states of
 * the task's dependencies; claim the task by a compare-and-swap push of
 * refs/parallel/state/<id> holding a lease (renewed while the command
 * runs); run it with the run engine and the local executor, from the
 * in-memory merge of its dependencies' branches; push its branch and its
 * final state under the claim's lease.
 */

enum worker_outcome {
	WORKER_DONE,		/* ran and pushed: done */
	WORKER_FAILED,		/* ran and pushed: failed, timed out, interrupted */
	WORKER_ALREADY,		/* finished on the remote already: nothing to do */
	WORKER_CLAIMED,		/* another worker holds a live claim (or won the race) */
	WORKER_WAITING,		/* a dependency is not finished on the remote */
	WORKER_LOST,		/* our claim was taken over (lease ran out): nothing pushed */
};

struct worker_opts {
	const char *remote;
	const char *id;
	const char *command;	/* --command, or NULL: the published one */
	const char *token;	/* --token: marks our claim for the launcher (run --on), or NULL */
	const char *config_path;
	double lease;		/* seconds */
	double grace;		/* SIGTERM to SIGKILL */
	void (*on_event)(const struct run_event *ev, void *cb);
	void *cb;
};

/*
 * Returns 0 with *outcome and, for every outcome but DONE, why; or -1 on
 * an error (reported).
 */
int worker_run(git_repository *repo, const struct worker_opts *o, enum worker_outcome *outcome,
	       struct strbuf *why);

#endif
