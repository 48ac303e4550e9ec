#ifndef GP_CONFIG_H
#define GP_CONFIG_H

#include <git2.h>

#include "gp/ownership.h"
#include "gp/tasks.h"
#include "gp/util.h"

/*
 * The INI reader all our files go through (.gitparallel, *.ini task files,
 * state files), on inih, with what inih lacks: true line numbers, long
 * lines, git-config section quoting ([task "T014"] arrives as section
 * "task", subsection "T014").
 */
struct ini_pos {
	const char *file;
	int line;
};

/*
 * Called for each key.  Return 0 to go on, -1 after reporting an error
 * (parsing goes on to report more, the overall result is -1).
 */
typedef int (*ini_fn)(void *data, const char *section, const char *subsection,
		      const char *key, const char *value, const struct ini_pos *pos);

/* Parse an INI text held in memory.  Returns 0 or -1 (reported, with file:line). */
int ini_read_buf(const char *file, const char *buf, size_t len, ini_fn fn, void *data);
/* Parse an INI file.  A missing file is an error. */
int ini_read_file(const char *path, ini_fn fn, void *data);

/* Call once, before threads: sets inih's runtime settings where it has them. */
void ini_setup(void);

/* Where a command key (trust_is_command_key()) of the configuration came from. */
struct config_cmd {
	char *key;		/* "command", "setup" ... */
	char *value;
	char *from;		/* "file:line", or "git config" */
	int user;		/* from git config: the user's own, trusted */
};

/* The configuration (DESIGN.md 1.2); every key optional. */
struct config {
	char *file;		/* the file read, or NULL */
	/*
	 * The trust ID (trust.h) of the file's content as read; NULL when it
	 * needs no trust (session_config() decides: not from the repository).
	 */
	char *file_trust;
	struct config_cmd *cmds;	/* command keys, the last value of each */
	size_t cmds_nr, cmds_alloc;
	char *base;		/* parallel.base, or NULL: current branch */
	struct strlist tasks;	/* parallel.tasks */
	unsigned int jobs;	/* 0: online CPUs */
	char *command;
	double timeout;		/* seconds; 0: none */
	unsigned int retries;
	int commit_auto;	/* 1 auto, 0 never */
	char *worktrees;	/* NULL: ../<repo>.parallel */
	char *worktrees_from;	/* "file:line" where it was set; NULL: git config, or not set */
	char *branch_prefix;	/* default "parallel/" */
	double max_load;
	/* a pool that respects budgets (parallel.precheck ... max-backoffs) */
	char *precheck;		/* run before each launch, or NULL */
	char *precheck_file;	/* where it was set, for the trust rule (file, line) */
	int precheck_line;
	unsigned long long min_free_memory;	/* bytes; 0: off */
	unsigned long long min_free_disk;	/* bytes on the worktrees' filesystem; 0: off */
	double wait_timeout;	/* seconds an idle pool waits for them (default 10m) */
	char *retry_on;		/* PCRE2: a failed attempt's log tail that means "back off" */
	double backoff_base;	/* seconds (default 10s) */
	double backoff_max;	/* seconds (default 5m) */
	unsigned int max_backoffs;	/* per task and run (default 10) */
	double git_timeout;	/* seconds one git child may take (default 10m; 0: none) */
	char *ownership_file;	/* parallel.ownership, or NULL */
	struct ownership ownership;	/* [owner] rules or CODEOWNERS */
	struct tasklist tasks_ini;	/* [task "ID"] sections of the configuration */
	/* a new worktree made ready (issue 14) */
	char *setup;		/* parallel.setup, or NULL */
	char *setup_file;	/* where setup was set: file and line (the trust rule) */
	int setup_line;
	struct strlist copy;	/* parallel.copy patterns */
	struct strlist share;	/* parallel.share directories */
	int share_mode;		/* CONFIG_SHARE_* */
	int sparse;		/* parallel.sparse = declared: 1, off: 0 */
	struct strlist sparse_always;	/* parallel.sparse-always directories */
};

enum { CONFIG_SHARE_SYMLINK, CONFIG_SHARE_COPY, CONFIG_SHARE_OFF };

/* Defaults of the budget keys (documented in the man page and config.example). */
#define CONFIG_WAIT_TIMEOUT 600.0
#define CONFIG_BACKOFF_BASE 10.0
#define CONFIG_BACKOFF_MAX 300.0
#define CONFIG_MAX_BACKOFFS 10

void config_init(struct config *c);
void config_release(struct config *c);

/*
 * Load the configuration: "path" if given (must exist), else
 * $GIT_PARALLEL_CONFIG (must exist), else <workdir>/.gitparallel if present.
 * Then, if parallel.ownership names another file (a CODEOWNERS file, or an
 * INI file with [owner] sections), read it relative to workdir.
 * Returns 0 or -1 (reported with file:line).
 */
int config_load(struct config *c, const char *path, const char *workdir);

/*
 * Then the user's own settings: every parallel.* key of git config (any
 * scope) beats the file's.  0 or -1 (reported).
 */
int config_load_git(struct config *c, git_repository *repo);

/* Where command key "key" came from, or NULL when it is not set. */
const struct config_cmd *config_command(const struct config *c, const char *key);

/*
 * The command task t runs when the command line names none -- the user's
 * own beats the files: git config's parallel.command, else the task's
 * command, else the configuration file's parallel.command -- or NULL.
 * *from: "file:line" or "git config"; *trust: the trust ID it needs, or
 * NULL when it needs none (both borrowed).
 */
const char *config_task_command(const struct config *c, const struct task *t,
				const char **from, const char **trust);

/* Read configuration text held in memory (named "file" in messages). */
int config_parse_buf(struct config *c, const char *file, const char *buf, size_t len);

#endif
