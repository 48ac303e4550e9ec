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
	"usage: git parallel push [--command <cmd>] [--force] <remote>",
	NULL,
};

int cmd_push(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "command", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct session s;
	struct remote r;
	struct remote_settings set;
	struct strbuf plan = STRBUF_INIT, settings = STRBUF_INIT, why = STRBUF_INIT;
	const char *command = NULL;
	char *plan_path = NULL;
	int c, force = 0, ret = 128, rc, r_up = 0, replace = 0;
	size_t i, states = 0;

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
	plan_path = state_plan_path(s.state);
	if (strbuf_read_file(&plan, plan_path) < 0) {
		error("cannot read '%s'", plan_path);
		goto out;
	}
	r_up = 1;
	if (remote_load(&r, ctx->repo, argv[optind], 0) < 0)
		goto out;
	memset(&set, 0, sizeof(set));
	set.command = (char *)(command ? command : s.cfg.command);
	/* pushed again without a command: the one published stays */
	if (!set.command && r.has_plan)
		set.command = r.set.command;
	set.timeout = s.cfg.timeout;
	set.retries = s.cfg.retries;
	set.commit_auto = s.cfg.commit_auto;
	set.branch_prefix = s.cfg.branch_prefix;
	remote_settings_format(&settings, &set);
	if (r.has_plan && (!r.plan.id || !s.plan.id || strcmp(r.plan.id, s.plan.id))) {
		for (i = 0; i < r.plan.tasks.nr; i++)
			states += r.tasks[i].has_state;
		if (states && !force) {
			error("'%s' holds another plan (%s) with %zu task state%s: merge and clean it "
			      "('git parallel clean --remote %s --all'), or push with --force to drop them",
			      r.name, r.plan.id ? r.plan.id : "unknown", states, states == 1 ? "" : "s",
			      r.name);
			ret = 1;
			goto out;
		}
		replace = 1;
	}
	rc = remote_publish(&r, plan.buf, plan.len, settings.buf, &s.plan.base_oid, replace, &why);
	if (rc < 0)
		goto out;
	if (rc > 0) {
		error("'%s' changed while we pushed (%s): nothing was pushed; push again", r.name, why.buf);
		ret = 1;
		goto out;
	}
	printf("pushed plan %s (%zu task%s) and base %.12s to '%s'\n", s.plan.id ? s.plan.id : "",
	       s.plan.active, s.plan.active == 1 ? "" : "s", git_oid_tostr_s(&s.plan.base_oid), r.name);
	if (replace && states)
		printf("dropped %zu task state%s of plan %s\n", states, states == 1 ? "" : "s", r.plan.id);
	ret = 0;
out:
	if (r_up)
		remote_release(&r);
	free(plan_path);
	strbuf_release(&plan);
	strbuf_release(&settings);
	strbuf_release(&why);
	session_release(&s);
	return ret;
}
