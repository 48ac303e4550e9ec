#ifndef GP_EXEC_REMOTE_H
#define GP_EXEC_REMOTE_H

#include "gp/remote.h"
#include "gp/run.h"

/*
 * Executors that launch workers (git parallel run --on ...): each task is
 * a local process that starts 'git parallel worker <remote> <id>'
 * somewhere -- over ssh on one of a list of hosts, or by a command
 * template (kubectl, sbatch, ...) -- and the task's result is what the
 * worker pushed to the remote.  A worker that died (or failed) is
 * launched again as the engine's retry.
 *
 *   ssh:host1,host2     ssh <host> -- <a remote shell command that clones
 *                       the remote into $TMPDIR/git-parallel/<plan>/<id> on
 *                       the host, if not there, and runs the worker in it>;
 *                       the ssh command is $GIT_PARALLEL_SSH (words), else ssh
 *   exec:<template>     the template's words, {remote} {id} {plan} {token}
 *                       substituted inside words; never through a shell
 *
 * Task IDs are checked ([A-Za-z0-9._-]) before they go anywhere; task text
 * never does: the worker reads it from the published plan.
 */

/* Is spec (the value of --on) well formed?  0, or -1 with why. */
int launch_spec_check(const char *spec, struct strbuf *why);

/*
 * Set up the launcher executor for spec, workers using the remote at url
 * (a URL the hosts can reach) for plan plan_id.  0 or -1 (reported).
 */
int executor_launch_init(struct executor *ex, const char *spec, const char *url,
			 const char *plan_id, double grace);

/*
 * The argv a task's launch runs; caller clears.  token (hex, or NULL)
 * marks the worker's claim ('worker --token', {token} in a template), so
 * that the claim of a launch that died can be given back at once.
 */
int launch_argv(struct strlist *out, const char *spec, const char *url, const char *plan_id,
		const char *id, size_t host, const char *token, struct strbuf *why);

#endif
