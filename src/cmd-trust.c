/*
 * git parallel trust: allow the commands of files that came with the
 * repository (task files, .gitparallel) to run, for their exact content.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/output.h"
#include "gp/parse-options.h"
#include "gp/repo.h"
#include "gp/session.h"
#include "gp/trust.h"

/* Does the ID still name the file as it is now? */
static const char *id_state(const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	const char *path = trust_id_path(id), *res;
	char *now;

	if (strbuf_read_file(&sb, path) < 0) {
		strbuf_release(&sb);
		return errno == ENOENT ? "missing" : "unreadable";
	}
	now = trust_id(path, sb.buf, sb.len);
	res = now && !strcmp(now, id) ? "trusted" : "changed";
	free(now);
	strbuf_release(&sb);
	return res;
}

static int list_trusted(const struct trust *t)
{
	size_t i;

	for (i = 0; i < t->ids.nr; i++)
		printf("%.12s %-8s %s\n", t->ids.v[i], id_state(t->ids.v[i]),
		       term_str(trust_id_path(t->ids.v[i])));
	return 0;
}

static int revoke_files(struct trust *t, int argc, char **argv)
{
	int i, ret = 0, changed = 0;

	if (!argc) {
		printf("revoked %zu file%s\n", t->ids.nr, t->ids.nr == 1 ? "" : "s");
		strlist_clear(&t->ids);
		return trust_save(t);
	}
	for (i = 0; i < argc; i++) {
		char *abs = trust_abs_path(argv[i]);

		if (!abs || !trust_revoke(t, abs)) {
			ret = error("'%s' is not trusted", argv[i]);
		} else {
			printf("revoked '%s'\n", term_str(argv[i]));
			changed = 1;
		}
		free(abs);
	}
	if (changed && trust_save(t) < 0)
		return -1;
	return ret;
}

static int trust_files(struct trust *t, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		char *id = trust_id_of_file(argv[i]);

		if (!id)
			return -1;
		trust_add(t, id);
		printf("trusted '%s'\n", term_str(argv[i]));
		free(id);
	}
	return trust_save(t);
}

/*
 * No file named: the files the plan and the configuration take commands
 * from, as they are now -- provided they are what was planned.
 */
static int trust_plan(struct trust *t, struct cmd_ctx *ctx)
{
	struct config cfg;
	struct plan plan;
	struct strlist done = STRLIST_INIT;
	char *workdir = repo_workdir(ctx->repo), *state = repo_state_path(ctx->repo, NULL);
	char *wt_parent = NULL, *plan_file = state_plan_path(state);
	size_t i, k;
	int ret = -1, have_plan = 0;

	config_init(&cfg);
	plan_init(&plan);
	if (session_config(&cfg, ctx->repo, ctx->config_path, workdir, &wt_parent) < 0)
		goto out;
	if (!access(plan_file, F_OK)) {
		if (state_load_plan(&plan, state) < 0)
			goto out;
		have_plan = 1;
	}
	ret = 0;
	for (i = 0; have_plan && i < plan.tasks.nr; i++) {
		const char *id = plan.tasks.v[i].command_trust, *path;
		char *now;

		if (!id || strlist_has(&done, id))
			continue;
		strlist_push(&done, id);
		path = trust_id_path(id);
		if (!(now = trust_id_of_file(path))) {
			ret = -1;
			continue;
		}
		if (strcmp(now, id))
			ret = error("'%s' changed since it was planned: plan again, then trust it", path);
		else
			trust_add(t, id);
		free(now);
	}
	/* the configuration as read now: its own command keys */
	for (k = 0; cfg.file_trust && k < cfg.cmds_nr; k++)
		if (!cfg.cmds[k].user && !strlist_has(&done, cfg.file_trust)) {
			strlist_push(&done, cfg.file_trust);
			trust_add(t, cfg.file_trust);
		}
	if (!done.nr) {
		printf("nothing to trust: no command of the plan or the configuration comes from a file of the repository\n");
		goto out;
	}
	if (!ret)
		ret = trust_save(t);
	for (i = 0; !ret && i < done.nr; i++)
		printf("trusted '%s'\n", term_str(trust_id_path(done.v[i])));
out:
	strlist_clear(&done);
	plan_release(&plan);
	config_release(&cfg);
	free(plan_file);
	free(wt_parent);
	free(workdir);
	free(state);
	return ret;
}

int cmd_trust(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct trust t;
	int c, ret = 128, do_list = 0, do_revoke = 0;
	struct parse_opt usage_trust[] = {
		OPT_COMMAND("trust"),
		OPT_BOOL(0, "list", &do_list, "each trusted file and whether it changed"),
		OPT_BOOL_F(0, "revoke", &do_revoke, "forget these files (no file: all)", PARSE_OPT_OR),
		OPT_OPERANDS("[<file>...]"),
		OPT_ALIAS('l', "list"),
		OPT_ALIAS('r', "revoke"),
		OPT_END(),
	};

	if ((optind = cmd_parse_options(argc, argv, usage_trust, &c)) < 0)
		return c;
	if (do_list && (do_revoke || optind < argc))
		return usage_error(usage_trust, "--list takes no file and no other option");
	if (trust_load(&t, git_repository_commondir(ctx->repo)) < 0)
		goto out;
	if (do_list)
		ret = list_trusted(&t);
	else if (do_revoke)
		ret = revoke_files(&t, argc - optind, argv + optind);
	else if (optind < argc)
		ret = trust_files(&t, argc - optind, argv + optind);
	else
		ret = trust_plan(&t, ctx);
	ret = ret < 0 ? 128 : 0;
out:
	trust_release(&t);
	return ret;
}
