#ifndef GP_CMD_H
#define GP_CMD_H

#include <git2.h>

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
 * Commands from files of the repository run only once trusted (trust.h):
 * list every untrusted one that the tasks sel[0..nr) (NULL: every task the
 * plan runs) or the configuration would run, with its file:line, and
 * return -1; 0 when all are trusted.  command: --command, which beats
 * every task's own.  For run and push.
 */
struct session;
int check_commands_trusted(struct session *s, const size_t *sel, size_t sel_nr, const char *command);

/* Print a usage block to stderr (or stdout for -h) and return 129. */
int usage_with(const char *const *usage, int err);

/* getopt_long helper: report an option error git's way and return 129. */
int usage_error(const char *const *usage, const char *fmt, ...);

#endif
