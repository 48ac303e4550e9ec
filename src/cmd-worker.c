/*
 * git parallel worker <remote> <id>: run one task of a plan published on
 * a git remote, in this clone -- what a CI job, a pod or an ssh host runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/output.h"
#include "gp/parse-options.h"
#include "gp/remote.h"
#include "gp/repo.h"
#include "gp/runner.h"
#include "gp/session.h"
#include "gp/state.h"
#include "gp/worker.h"

#define DEFAULT_LEASE 600.0
#define GRACE_SECONDS 5.0

static void on_event(const struct run_event *ev, void *cb)
{
	struct strbuf sb = STRBUF_INIT;

	switch (ev->kind) {
	case RUN_EV_STARTED:
		strbuf_addf(&sb, "%s started%s", ev->id, ev->attempt > 1 ? " again" : "");
		break;
	case RUN_EV_DONE:
		strbuf_addf(&sb, "%s done in ", ev->id);
		strbuf_add_duration(&sb, ev->duration);
		break;
	case RUN_EV_FAILED:
		strbuf_addf(&sb, "%s failed: %s", ev->id, term_str(ev->reason));
		break;
	case RUN_EV_RETRY:
		strbuf_addf(&sb, "%s %s; retrying (attempt %u of %u)", ev->id, ev->reason, ev->attempt, ev->max);
		break;
	case RUN_EV_GAVE_UP:
		strbuf_addf(&sb, "%s %s; see %s", ev->id, ev->reason, ev->log);
		break;
	case RUN_EV_BLOCKED:
		strbuf_addf(&sb, "%s blocked: %s", ev->id, ev->reason);
		break;
	case RUN_EV_INTERRUPTED:
		strbuf_addf(&sb, "%s interrupted", ev->id);
		break;
	case RUN_EV_ORPHAN:
		strbuf_addf(&sb, "%s: stopping the command left running by a run that is gone (pid %ld)",
			    ev->id, ev->pid);
		break;
	case RUN_EV_SIGNAL:
		strbuf_addf(&sb, "interrupted (%s): stopping the task", runner_signal_name(ev->sig));
		break;
	case RUN_EV_STOPPING:
		strbuf_addf(&sb, "stopping: %s", ev->reason);
		break;
	case RUN_EV_WAITING:
		strbuf_addf(&sb, "%s waiting: %s", ev->id, ev->reason);
		break;
	case RUN_EV_BACKOFF:
		strbuf_addf(&sb, "%s %s", ev->id, ev->reason);
		break;
	case RUN_EV_TICK:
		break;
	}
	if (ev->unsaved && ev->id && sb.len) {
		/* what the task's file says is not what just happened (as run says it) */
		char *path = state_task_path((const char *)cb, ev->id);

		if (ev->kind == RUN_EV_DONE)
			strbuf_addf(&sb, ", but its state could not be saved to '%s'", term_str(path));
		else
			strbuf_addf(&sb, "; its state could not be saved to '%s'", term_str(path));
		free(path);
	}
	report_flush();
	if (sb.len)
		fprintf(stderr, "%s\n", sb.buf);
	strbuf_release(&sb);
}

static int parse_lease(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	double *lease = opt->value;

	if (parse_duration(arg, lease) < 0 || *lease <= 0) {
		strbuf_addf(err, "--lease needs a duration such as 90s or 10m, not '%s'", arg);
		return -1;
	}
	return 0;
}

static int parse_token(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	if (strlen(arg) < 4 || strlen(arg) > 64 || strspn(arg, "0123456789abcdef") != strlen(arg)) {
		strbuf_addf(err, "--token needs 4 to 64 hex digits, not '%s'", arg);
		return -1;
	}
	*(const char **)opt->value = arg;
	return 0;
}

int cmd_worker(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct worker_opts o;
	struct strbuf why = STRBUF_INIT;
	enum worker_outcome outcome = WORKER_FAILED;
	char *state_dir = NULL;
	int c, ret;
	struct parse_opt usage_worker[] = {
		OPT_COMMAND("worker"),
		OPT_STRING(0, "command", &o.command, "cmd", "the command, instead of the published one"),
		OPT_CALLBACK(0, "lease", &o.lease, "d", "the claim's lease, renewed every third (default 10m)", parse_lease),
		OPT_CALLBACK(0, "token", &o.token, "hex", "mark the claim for the launcher (run --on)", parse_token),
		OPT_OPERANDS("<remote> <id>"),
		OPT_ALIAS('c', "command"),
		OPT_ALIAS('l', "lease"),
		OPT_ALIAS('T', "token"),
		OPT_END(),
	};

	memset(&o, 0, sizeof(o));
	o.lease = DEFAULT_LEASE;
	o.grace = GRACE_SECONDS;
	if ((optind = cmd_parse_options(argc, argv, usage_worker, &c)) < 0)
		return c;
	if (argc - optind != 2)
		return usage_error(usage_worker, "worker needs a remote and a task ID");
	if (remote_check_name(argv[optind]) < 0)
		return 129;
	o.remote = argv[optind];
	o.id = argv[optind + 1];
	o.config_path = ctx->config_path;
	o.on_event = on_event;
	o.cb = state_dir = repo_state_path(ctx->repo, NULL);
	if (worker_run(ctx->repo, &o, &outcome, &why) < 0) {
		ret = 128;
		goto out;
	}
	switch (outcome) {
	case WORKER_DONE:
		printf("%s done; pushed its branch and state to '%s'\n", o.id, o.remote);
		ret = 0;
		break;
	case WORKER_ALREADY:
		printf("%s\n", why.buf);
		ret = 0;
		break;
	case WORKER_FAILED:
		printf("%s; pushed its state to '%s'\n", why.buf, o.remote);
		ret = 1;
		break;
	default:
		error("%s", why.buf);
		ret = 1;
		break;
	}
out:
	free(state_dir);
	strbuf_release(&why);
	return ret;
}
