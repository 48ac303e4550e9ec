/*
 * git-parallel: run many tasks on one repository at once and bring the
 * work back safely.  This file holds main(): global options, the command
 * table, libgit2 set-up.  Commands live in src/cmd-*.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "gp/cmd.h"
#include "gp/config.h"
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

static const char *const usage_main[] = {
	"usage: git parallel [--version] [-h | --help] [--config <file>] <command> [<args>]",
	NULL,
};

int usage_with(const char *const *usage, int err)
{
	FILE *f = err ? stderr : stdout;
	size_t i;

	report_flush();
	for (i = 0; usage[i]; i++)
		fprintf(f, "%s%s\n", i && usage[i][0] ? "   or: " : "", usage[i]);
	if (usage == usage_main) {
		fprintf(f, "\ncommands:\n");
		for (i = 0; i < ARRAY_SIZE(commands); i++)
			fprintf(f, "   %-10s %s\n", commands[i].name, commands[i].help);
		fprintf(f, "\nSee 'git parallel --help' (man git-parallel) for more.\n");
	}
	return 129;
}

int usage_error(const char *const *usage, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	report_flush();
	fprintf(stderr, "error: %s\n", sb.buf);
	strbuf_release(&sb);
	return usage_with(usage, 1);
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

int main(int argc, char **argv)
{
	const struct cmd *cmd;
	struct cmd_ctx ctx = { 0 };
	struct strbuf prefix = STRBUF_INIT;
	int ret, i;

	report_setup();
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h"))
			return usage_with(usage_main, 0), 129;
		if (!strcmp(a, "--help"))
			return open_man_page();
		if (!strcmp(a, "--version")) {
			printf("git-parallel version %s\n", GP_VERSION);
			return 0;
		}
		if (!strcmp(a, "--config") && i + 1 < argc) {
			ctx.config_path = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			ctx.config_path = a + 9;
		} else if (!strncmp(a, "--git-dir=", 10)) {
			setenv("GIT_DIR", a + 10, 1);
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "error: unknown option '%s'\n", a);
			return usage_with(usage_main, 1);
		}
	}
	if (i >= argc)
		return usage_with(usage_main, 1);

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

	git_libgit2_init();
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

		/* -h works outside a repository, as in git */
		if (!(argc == 2 && !strcmp(argv[1], "-h"))) {
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
