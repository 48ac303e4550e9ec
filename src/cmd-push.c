/*
 * git parallel push: publish the plan and its pinned base on a git remote
 * (refs/parallel/plan, refs/parallel/base), where workers on other
 * machines find them (DESIGN.md 3.2).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gp/cmd.h"
#include "gp/remote.h"
#include "gp/session.h"

static const char *const usage_push[] = {
	"usage: git parallel push [--command <cmd>] [--trust-commands] [--force] <remote>",
	NULL,
};

int cmd_push(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "command", required_argument, NULL, 'c' },
		{ "trust-commands", no_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct session s;
	struct remote r;
	struct strbuf why = STRBUF_INIT;
	const char *command = NULL;
	int c, force = 0, ret = 128, rc, r_up = 0, trusting = 0;
	size_t dropped = 0;

	memset(&s, 0, sizeof(s));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hc:f", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return usage_with(usage_push, 0);
		case 'c':
			command = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'T':
			trusting = 1;
			break;
		case ':':
			return usage_error(usage_push, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(usage_push, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_error(usage_push, "push needs one remote");
	if (remote_check_name(argv[optind]) < 0)
		return 129;
	if (session_open(&s, ctx->repo, ctx->config_path) < 0)
		goto out;
	/* workers elsewhere run what is published: the trust rule of run, here */
	if (getenv("GIT_PARALLEL_TRUST_COMMANDS") && !strcmp(getenv("GIT_PARALLEL_TRUST_COMMANDS"), "1"))
		trusting = 1;
	if (!trusting && check_commands_trusted(&s, NULL, 0, command) < 0)
		goto out;
	r_up = 1;
	if (remote_load(&r, ctx->repo, argv[optind], 0) < 0)
		goto out;
	rc = remote_publish_session(&r, &s, command, force, &dropped, &why);
	if (rc < 0)
		goto out;
	if (rc == 2) {
		error("%s", why.buf);
		ret = 1;
		goto out;
	}
	if (rc == 1) {
		error("'%s' changed while we pushed (%s): nothing was pushed; push again", r.name, why.buf);
		ret = 1;
		goto out;
	}
	printf("pushed plan %s (%zu task%s) and base %.12s to '%s'\n", s.plan.id ? s.plan.id : "",
	       s.plan.active, s.plan.active == 1 ? "" : "s", git_oid_tostr_s(&s.plan.base_oid), r.name);
	if (dropped)
		printf("dropped %zu task state%s of plan %s\n", dropped, dropped == 1 ? "" : "s", r.plan.id);
	ret = 0;
out:
	if (r_up)
		remote_release(&r);
	strbuf_release(&why);
	session_release(&s);
	return ret;
}
