/*
 * git parallel push: publish the plan and its pinned base on a git remote
 * (refs/parallel/plan, refs/parallel/base), where workers on other
 * machines find them (DESIGN.md 3.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/parse-options.h"
#include "gp/remote.h"
#include "gp/session.h"

int cmd_push(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct session s;
	struct remote r;
	struct strbuf why = STRBUF_INIT;
	const char *command = NULL;
	int c, force = 0, ret = 128, rc, r_up = 0, trusting = 0;
	size_t dropped = 0;
	struct parse_opt usage_push[] = {
		OPT_COMMAND("push"),
		OPT_STRING(0, "command", &command, "cmd", "publish this command for every task"),
		OPT_BOOL(0, "trust-commands", &trusting, "publish untrusted commands from the repository"),
		OPT_BOOL(0, "force", &force, "drop the task states of another plan on the remote"),
		OPT_OPERANDS("<remote>"),
		OPT_ALIAS('c', "command"),
		OPT_ALIAS('f', "force"),
		OPT_END(),
	};

	memset(&s, 0, sizeof(s));
	if ((optind = cmd_parse_options(argc, argv, usage_push, &c)) < 0)
		return c;
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
