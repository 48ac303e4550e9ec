#ifndef GP_CONFIG_H
#define GP_CONFIG_H

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

/* The configuration (DESIGN.md 1.2); every key optional. */
struct config {
	char *file;		/* the file read, or NULL */
	char *base;		/* parallel.base, or NULL: current branch */
	struct strlist tasks;	/* parallel.tasks */
	unsigned int jobs;	/* 0: online CPUs */
	char *command;
	double timeout;		/* seconds; 0: none */
	unsigned int retries;
	int commit_auto;	/* 1 auto, 0 never */
	char *worktrees;	/* NULL: ../<repo>.parallel */
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
	char *ownership_file;	/* parallel.ownership, or NULL */
	struct ownership ownership;	/* [owner] rules or CODEOWNERS */
	struct tasklist tasks_ini;	/* [task "ID"] sections of the configuration */
};

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

/* Read configuration text held in memory (named "file" in messages). */
int config_parse_buf(struct config *c, const char *file, const char *buf, size_t len);

#endif
