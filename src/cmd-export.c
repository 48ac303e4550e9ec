/*
 * git parallel export --format=github-actions: the plan as a workflow for
 * an engine people already run; each job runs 'git parallel worker'.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gp/cmd.h"
#include "gp/export.h"
#include "gp/session.h"

static const char *const usage_export[] = {
	"usage: git parallel export --format=github-actions [-j | --jobs <n>] [--remote <remote>] [--secret <name>] [--source <url>] [--runs-on <label>]",
	NULL,
};

int cmd_export(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "remote", required_argument, NULL, 'R' },
		{ "secret", required_argument, NULL, 's' },
		{ "source", required_argument, NULL, 'S' },
		{ "runs-on", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct export_opts o = { 0, "origin", "GIT_PARALLEL_AGENT_KEY", NULL, "ubuntu-latest" };
	struct session s;
	struct strbuf out = STRBUF_INIT;
	const char *format = NULL;
	unsigned int u;
	int c, ret = 128;

	memset(&s, 0, sizeof(s));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hf:j:R:s:S:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return usage_with(usage_export, 0);
		case 'f':
			format = optarg;
			break;
		case 'j':
			if (parse_uint(optarg, &u) < 0 || !u)
				return usage_error(usage_export, "-j needs a positive number, not '%s'", optarg);
			o.jobs = u;
			break;
		case 'R':
			o.remote = optarg;
			break;
		case 's':
			o.secret = optarg;
			break;
		case 'S':
			o.source = optarg;
			break;
		case 'o':
			o.runs_on = optarg;
			break;
		case ':':
			return usage_error(usage_export, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(usage_export, "unknown option '%s'", argv[optind - 1]);
		}
	}
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
