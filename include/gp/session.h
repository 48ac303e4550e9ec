#ifndef GP_SESSION_H
#define GP_SESSION_H

#include <git2.h>

#include "gp/config.h"
#include "gp/plan.h"
#include "gp/state.h"

/*
 * What run, status, clean (and later check and merge) share: the
 * configuration, the saved plan, and where each task's branch, worktree,
 * log and prompt live.
 */
struct session {
	git_repository *repo;	/* borrowed */
	char *workdir;
	char *gitdir;		/* the common git directory */
	char *state;		/* $GIT_COMMON_DIR/parallel */
	char *wt_parent;	/* worktrees directory */
	struct config cfg;
	struct plan plan;
	struct task_status *st;	/* one per plan task, loaded by session_load_status() */
	const char *remote;	/* worker: the remote it runs tasks for (borrowed), recorded in
				 * each state it starts; NULL for run */
};

/*
 * Load the configuration: the file (config_load()), then git config's
 * parallel.* keys over it; *wt_parent gets the worktrees' parent (caller
 * frees).  c->file_trust is kept only when the file came with the
 * repository (trust.h).  0 or -1 (reported).
 */
int session_config(struct config *c, git_repository *repo, const char *config_path,
		   const char *workdir, char **wt_parent);

/* Load configuration and plan.  Returns 0 or -1 (reported). */
int session_open(struct session *s, git_repository *repo, const char *config_path);
/* The same with another state directory (a remote's, mirrored by remote.c); NULL: ours. */
int session_open_state(struct session *s, git_repository *repo, const char *config_path,
		       const char *state_dir);
void session_release(struct session *s);

/* Read every task's status file; a running task whose process is gone becomes interrupted. */
int session_load_status(struct session *s);

/* Caller frees. */
char *session_branch(const struct session *s, const char *id);	/* refs/heads/<prefix><id> */
char *session_worktree(const struct session *s, const char *id);
char *session_log(const struct session *s, const char *id);
char *session_prompt(const struct session *s, const char *id);

/*
 * Resolve IDs given on the command line to plan indexes; an unknown ID is
 * an error naming it.  No IDs: every active task.  Caller frees *out.
 */
int session_select(const struct session *s, int argc, char **argv, size_t **out, size_t *nr);

/* What a task did: commits since it started, files and lines changed. */
struct task_work {
	int known;		/* 0: no head to count (never ran, branch gone) */
	size_t commits, files, added, removed;
};

/*
 * Count task i's work from its start commit (the base, or its
 * dependencies' merge) to its recorded head, else its branch head.
 * Needs session_load_status().  Counts it had to take again (not
 * cached for this head and start) are cached in its state when no
 * command is at work there (state_task_cache_work()).
 */
void session_task_work(struct session *s, size_t i, struct task_work *out);

/*
 * Count task i's work as session_task_work() does and cache the counts in
 * its status (st->work, keyed by the head and start they were taken at),
 * so that status and report read them without a tree diff.  The caller
 * saves the state.  Nothing to count: the cache is dropped.
 */
void session_task_work_record(struct session *s, size_t i);

/* Short name of a full ref ("refs/heads/x" -> "x"), borrowed. */
const char *short_ref(const char *ref);

#endif
