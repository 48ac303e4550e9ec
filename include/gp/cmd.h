#ifndef GP_CMD_H
#define GP_CMD_H

#include <git2.h>

#include "gp/util.h"

/* What main() hands every command. */
struct cmd_ctx {
	git_repository *repo;	/* NULL for commands without NEED_REPO */
	const char *prefix;	/* cwd relative to the work tree ("" at the top), or NULL */
	const char *config_path;	/* --config, or NULL */
};

int cmd_plan(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_run(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_status(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_clean(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_check(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_merge(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_report(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_trust(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_push(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_export(int argc, char **argv, struct cmd_ctx *ctx);
int cmd_worker(int argc, char **argv, struct cmd_ctx *ctx);

/*
 * Does check's argv (argv[0] "check") ask for --exact?  Parsed as
 * cmd_check() will, on a copy; 0 for a usage error.  Nothing printed.
 */
int check_options_exact(int argc, char *const *argv);

/*
 * Commands from files of the repository run only once trusted (trust.h):
 * list every untrusted one that the tasks sel[0..nr) (NULL: every task the
 * plan runs) or the configuration would run, with its file:line, and
 * return -1; 0 when all are trusted.  command: --command, which beats
 * every task's own.  For run and push.
 */
struct session;
int check_commands_trusted(struct session *s, const size_t *sel, size_t sel_nr, const char *command);

/*
 * A command's options: its table usage_<cmd> (parse-options.h) gives the
 * parsing and the usage text.  Parses argv as getopt_long would (argv is
 * permuted: operands last) and returns the index of the first operand; or
 * returns -1 when the command must return *status at once: 129 after -h
 * (the usage and options on stdout) or a usage error (the error, then the
 * usage lines, on stderr), 0 after --git-completion-helper (the long
 * options on stdout).  Commands store the index in optind, as getopt did.
 */
struct parse_opt;
int cmd_parse_options(int argc, char **argv, const struct parse_opt *usage, int *status);

/*
 * Print a command's usage lines to stderr, or for -h its usage and options
 * to stdout; return 129.  git parallel's own (the command "") lists the
 * commands too.
 */
int usage_with_options(const struct parse_opt *usage, int err);

/* A usage error found after parsing: "error: <message>", the usage, return 129. */
int usage_error(const struct parse_opt *usage, const char *fmt, ...) GP_PRINTF(2, 3);

#endif
