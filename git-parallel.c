/*
 * git-parallel: run many tasks on one repository at once and bring the
 * work back safely.  This file holds main(): global options, the command
 * table, libgit2 set-up.  Commands live in src/cmd-*.c.
 */
#define _GNU_SOURCE	/* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "gp/cmd.h"
#include "gp/config.h"
#include "gp/parse-options.h"
#include "gp/repo.h"
#include "gp/util.h"

enum cmd_flags {
	NEED_REPO = 1 << 0,
	NEED_WORK_TREE = 1 << 1,
};

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
	unsigned int flags;
	const char *help;
};

static const struct cmd commands[] = {
	{ "plan", cmd_plan, NEED_REPO | NEED_WORK_TREE, "show which tasks can run together" },
	{ "run", cmd_run, NEED_REPO | NEED_WORK_TREE, "run tasks in their own branches and worktrees" },
	{ "status", cmd_status, NEED_REPO | NEED_WORK_TREE, "show the state of every task" },
	{ "check", cmd_check, NEED_REPO | NEED_WORK_TREE, "measure what tasks changed and where they overlap" },
	{ "merge", cmd_merge, NEED_REPO | NEED_WORK_TREE, "merge finished tasks into the target branch" },
	{ "report", cmd_report, NEED_REPO | NEED_WORK_TREE, "report what a run did and saved" },
	{ "clean", cmd_clean, NEED_REPO | NEED_WORK_TREE, "remove task worktrees and branches" },
	{ "trust", cmd_trust, NEED_REPO | NEED_WORK_TREE, "let commands from files of the repository run" },
	{ "push", cmd_push, NEED_REPO | NEED_WORK_TREE, "publish the plan on a git remote for workers" },
	{ "export", cmd_export, NEED_REPO | NEED_WORK_TREE, "the plan as a CI workflow of workers" },
	{ "worker", cmd_worker, NEED_REPO | NEED_WORK_TREE, "run one task of a remote's plan here" },
};

/*
 * git_libgit2_init() of a libgit2 built with mbedTLS (Debian's) parses
 * the system's whole CA bundle (/etc/ssl/certs/ca-certificates.crt,
 * built in: no setting or environment variable changes it) -- 5 ms, a
 * third of 'git parallel status', paid by every command although none
 * uses libgit2's network (remotes are the git CLI's).  This definition
 * takes the place of mbedTLS's for libgit2 (an executable's symbols come
 * first): during git_libgit2_init() it loads no certificate; afterwards
 * (GIT_OPT_SET_SSL_CERT_LOCATIONS) it is mbedTLS's own.  A TLS
 * connection made by libgit2 would fail its certificate check: closed,
 * not open.  Unused where libgit2 is built with OpenSSL.
 */
#ifdef GP_STATIC_LIBGIT2
/* libgit2 and mbedTLS linked in: src/static/glue.c has it */
extern int gp_skip_ca_bundle;
#define skip_ca_bundle gp_skip_ca_bundle
#else
static int skip_ca_bundle;

int mbedtls_x509_crt_parse_file(void *chain, const char *path);
int mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	int (*real)(void *, const char *);

	if (skip_ca_bundle)
		return 0;
	*(void **)&real = dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
	return real ? real(chain, path) : -1;
}
#endif

int usage_with_options(const struct parse_opt *usage, int err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	report_flush();
	if (err)
		parse_options_synopsis(&sb, usage);	/* after an error message: short, as before */
	else
		parse_options_usage(&sb, usage);
	if (usage->type == OPTION_COMMAND && !*usage->help) {
		/* git parallel's own usage */
		strbuf_addstr(&sb, "\ncommands:\n");
		for (i = 0; i < ARRAY_SIZE(commands); i++)
			strbuf_addf(&sb, "   %-10s %s\n", commands[i].name, commands[i].help);
		strbuf_addstr(&sb, "\nSee 'git parallel --help' (man git-parallel) for more.\n");
	}
	fputs(sb.buf, err ? stderr : stdout);
	strbuf_release(&sb);
	return 129;
}

int usage_error(const struct parse_opt *usage, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	report_flush();
	fprintf(stderr, "error: %s\n", sb.buf);
	strbuf_release(&sb);
	return usage_with_options(usage, 1);
}

int cmd_parse_options(int argc, char **argv, const struct parse_opt *usage, int *status)
{
	struct strbuf err = STRBUF_INIT, sb = STRBUF_INIT;
	int i = parse_options(argc, argv, usage, &err);

	if (i >= 0)
		goto out;
	if (i == PARSE_OPT_COMPLETE) {
		parse_options_complete(&sb, usage);
		fputs(sb.buf, stdout);
		*status = 0;
	} else if (i == PARSE_OPT_HELP) {
		*status = usage_with_options(usage, 0);
	} else {
		*status = usage_error(usage, "%s", err.buf);
	}
	i = -1;
out:
	strbuf_release(&sb);
	strbuf_release(&err);
	return i;
}

static int open_man_page(void)
{
	execlp("man", "man", "git-parallel", (char *)NULL);
	die("cannot run 'man git-parallel': %s", strerror(errno));
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int set_git_dir(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	setenv("GIT_DIR", arg, 1);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd;
	struct cmd_ctx ctx = { 0 };
	struct strbuf prefix = STRBUF_INIT;
	int ret, i, version = 0, help = 0;
	struct parse_opt usage_main[] = {
		{ OPTION_COMMAND, 0, NULL, NULL, NULL, "", PARSE_OPT_STOP_AT_NON_OPTION },
		OPT_BOOL(0, "version", &version, "print git-parallel's version"),
		OPT_SET_INT('h', NULL, &help, "print this usage", 1),
		{ OPTION_SET_INT, 0, "help", &help, NULL, "open the manual page", PARSE_OPT_OR, NULL, 2 },
		OPT_STRING(0, "config", &ctx.config_path, "file", "the configuration file instead of .gitparallel"),
		{ OPTION_CALLBACK, 0, "git-dir", NULL, "path", "the repository, as git's --git-dir",
		  PARSE_OPT_HIDDEN, set_git_dir },
		OPT_OPERANDS("<command> [<args>]"),
		OPT_END(),
	};

	char **all_argv = argv;

	report_setup();
	if ((i = cmd_parse_options(argc, argv, usage_main, &ret)) < 0)
		return ret;
	if (help == 1)
		return usage_with_options(usage_main, 0);
	if (help == 2)
		return open_man_page();
	if (version) {
		printf("git-parallel version %s\n", GP_VERSION);
		return 0;
	}
	if (i >= argc)
		return usage_with_options(usage_main, 1);

	cmd = find_cmd(argv[i]);
	if (!cmd) {
		fprintf(stderr, "git parallel: '%s' is not a git parallel command. See 'git parallel -h'.\n",
			argv[i]);
		return 1;
	}
	argc -= i;
	argv += i;
	if (argc > 1 && !strcmp(argv[1], "--help"))
		return open_man_page();
	/* the commands whose heap is large: merge, and check --exact's merges */
	if (!strcmp(cmd->name, "merge") || (!strcmp(cmd->name, "check") && check_options_exact(argc, argv)))
		malloc_huge_pages(all_argv);

	skip_ca_bundle = 1;
	git_libgit2_init();
	skip_ca_bundle = 0;
	/*
	 * Every object we write is made by libgit2 from objects it just read
	 * (merged indexes, worktree indexes): checking that each tree entry
	 * exists costs an access(), open() and read() per file and per tree
	 * written -- 90% of merge's system calls on 1,600 files.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	/*
	 * libgit2 hashes every object it reads again to check it; git does
	 * not (git fsck does): 6% of check's time on a real repository.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/*
	 * libgit2 caches no tree over 4 KiB: a real repository's top
	 * directory (600+ entries) and t/ (1,000+) were read and parsed again
	 * for every task's diff and every merge.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)1 << 20);
	ini_setup();
	if (cmd->flags & NEED_REPO) {
		int need_wt = !!(cmd->flags & NEED_WORK_TREE);

		/* -h (and completion) work outside a repository, as in git */
		if (!(argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--git-completion-helper")))) {
			if (repo_open(&ctx.repo, &prefix, need_wt) < 0) {
				ret = 128;
				goto out;
			}
			ctx.prefix = prefix.buf;
		}
	}
	ret = cmd->fn(argc, argv, &ctx);
out:
	git_repository_free(ctx.repo);
	strbuf_release(&prefix);
	git_libgit2_shutdown();
	if (fflush(stdout) || ferror(stdout))
		die("write error on standard output");
	/* the error that explains an exit 128 is its "fatal: " line */
	return report_exit(ret);
}
