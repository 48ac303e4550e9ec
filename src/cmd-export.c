/*
 * git parallel export --format=github-actions: the plan as a workflow for
 * an engine people already run; each job runs 'git parallel worker'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/export.h"
#include "gp/parse-options.h"
#include "gp/session.h"

int cmd_export(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct export_opts o = { 0, "origin", "GIT_PARALLEL_AGENT_KEY", NULL, "ubuntu-latest" };
	struct session s;
	struct strbuf out = STRBUF_INIT;
	const char *format = NULL;
	int c, ret = 128;
	struct parse_opt usage_export[] = {
		OPT_COMMAND("export"),
		{ OPTION_STRING, 0, "format", &format, "github-actions", "the workflow's format: github-actions",
		  PARSE_OPT_LITERAL_ARGHELP, .required = 1 },
		{ OPTION_UNSIGNED, 'j', "jobs", &o.jobs, "n", "run the jobs in <n> lanes (default parallel.jobs)",
		  PARSE_OPT_NONZERO },
		OPT_STRING(0, "remote", &o.remote, "remote", "the remote workers use (default origin)"),
		OPT_STRING(0, "secret", &o.secret, "name", "the secret holding the agent's key"),
		OPT_STRING(0, "source", &o.source, "url", "where jobs clone git-parallel from"),
		OPT_STRING(0, "runs-on", &o.runs_on, "label", "the runner label (default ubuntu-latest)"),
		OPT_ALIAS('f', "format"),
		OPT_ALIAS('R', "remote"),
		OPT_ALIAS('s', "secret"),
		OPT_ALIAS('S', "source"),
		OPT_ALIAS('o', "runs-on"),
		OPT_END(),
	};

	memset(&s, 0, sizeof(s));
	if ((optind = cmd_parse_options(argc, argv, usage_export, &c)) < 0)
		return c;
	if (optind < argc)
		return usage_error(usage_export, "export takes no arguments");
	if (!format || strcmp(format, "github-actions"))
		return usage_error(usage_export, "--format must be github-actions%s%s%s",
				   format ? ", not '" : "", format ? format : "", format ? "'" : "");
	if (!*o.remote || o.remote[0] == '-' || strpbrk(o.remote, "\"\\\n$"))
		return usage_error(usage_export, "--remote '%s' is not a remote name or URL we can quote", o.remote);
	if (!*o.runs_on || strspn(o.runs_on, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
	    strlen(o.runs_on))
		return usage_error(usage_export, "--runs-on '%s' is not a runner label", o.runs_on);
	if (session_open(&s, ctx->repo, ctx->config_path) < 0)
		goto out;
	if (!o.jobs)
		o.jobs = s.cfg.jobs;
	if (export_github_actions(&out, &s.plan, &o) < 0)
		goto out;
	fwrite(out.buf, 1, out.len, stdout);
	if (fflush(stdout) || ferror(stdout)) {
		error_errno("cannot write the workflow to standard output");
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&out);
	session_release(&s);
	return ret;
}
