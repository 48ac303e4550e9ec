#ifndef GP_EXPORT_H
#define GP_EXPORT_H

#include "gp/plan.h"
#include "gp/util.h"

/*
 * git parallel export: the plan as a workflow of an engine people
 * already run, each task a job that runs 'git parallel worker'.
 */
struct export_opts {
	unsigned int jobs;	/* 0: no cap; else at most this many tasks at once */
	const char *remote;	/* the remote the workers use ("origin") */
	const char *secret;	/* the repository secret holding the agent's key */
	const char *source;	/* where to get git-parallel's source, or NULL: vars.GIT_PARALLEL_SOURCE */
	const char *runs_on;
};

/* A job ID GitHub accepts for task id (unique among used; caller frees). */
char *export_job_id(const char *id, struct strmap *used);

/* The GitHub Actions workflow, into out.  0 or -1 (reported). */
int export_github_actions(struct strbuf *out, const struct plan *p, const struct export_opts *o);

#endif
