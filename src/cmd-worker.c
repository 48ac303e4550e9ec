/*
 * git parallel worker <remote> <id>: run one task of a plan published on
 * a git remote, in this clone -- what a CI job, a pod or an ssh host runs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gp/cmd.h"
#include "gp/output.h"
#include "gp/remote.h"
#include "gp/runner.h"
#include "gp/session.h"
#include "gp/worker.h"

static const char *const usage_worker[] = {
	"usage: git parallel worker [--command <cmd>] [--lease <d>] [--token <hex>] <remote> <id>",
	NULL,
};

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
	report_flush();
	if (sb.len)
		fprintf(stderr, "%s\n", sb.buf);
	strbuf_release(&sb);
}

int cmd_worker(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "command", required_argument, NULL, 'c' },
		{ "lease", required_argument, NULL, 'l' },
		{ "token", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct worker_opts o;
	struct strbuf why = STRBUF_INIT;
	enum worker_outcome outcome = WORKER_FAILED;
	int c, ret;

	memset(&o, 0, sizeof(o));
	o.lease = DEFAULT_LEASE;
	o.grace = GRACE_SECONDS;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hc:l:T:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return usage_with(usage_worker, 0);
		case 'c':
			o.command = optarg;
			break;
		case 'l':
			if (parse_duration(optarg, &o.lease) < 0 || o.lease <= 0)
				return usage_error(usage_worker, "--lease needs a duration such as 90s or 10m, not '%s'", optarg);
			break;
		case 'T':
			if (strlen(optarg) < 4 || strlen(optarg) > 64 ||
			    strspn(optarg, "0123456789abcdef") != strlen(optarg))
				return usage_error(usage_worker, "--token needs 4 to 64 hex digits, not '%s'", optarg);
			o.token = optarg;
			break;
		case ':':
			return usage_error(usage_worker, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(usage_worker, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return usage_error(usage_worker, "worker needs a remote and a task ID");
	if (remote_check_name(argv[optind]) < 0)
		return 129;
	o.remote = argv[optind];
	o.id = argv[optind + 1];
	o.config_path = ctx->config_path;
	o.on_event = on_event;
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
	strbuf_release(&why);
	return ret;
}
