#ifndef GP_RUN_H
#define GP_RUN_H

#include <git2.h>

#include "gp/session.h"
#include "gp/util.h"

/*
 * The run engine (DESIGN.md 2.2 and 3.1): which task starts when, from
 * which commit, how often it is tried, and what its end means for its
 * state.  It owns the scheduling; an *executor* owns the doing, in the
 * shape of git's run_processes_parallel(): the engine asks it to prepare
 * and start a task and hears that the task ended.  The local executor
 * (worktree + runner, below) runs tasks on this machine; a fake one drives
 * the engine in t/unit/t-run.c with no process at all.  The front-end
 * (cmd-run.c) hears what happens as events and owns the words.
 *
 * Every change of a task's state goes through task_transition() and is
 * saved before the engine acts on it.
 */

struct run_engine;

/* One task to prepare (its branch and worktree, for the local executor). */
struct exec_start {
	size_t task;		/* plan index */
	git_oid base;		/* the commit it starts from */
	/* results */
	int ok;
	char *why;		/* when not ok; freed by the engine */
};

enum exec_end_kind {
	EXEC_ENDED,		/* a task's command ended (exited, killed, timed out) */
	EXEC_INTERRUPTED,	/* we were asked to stop (SIGINT, SIGTERM, SIGHUP) */
	EXEC_TICK,		/* nothing happened within the tick */
};

struct exec_end {
	enum exec_end_kind kind;
	size_t task;		/* EXEC_ENDED: plan index */
	int exit_code;		/* exit status, or -1 when killed by a signal */
	int signal;		/* the signal that killed it, or 0 */
	int timed_out;
	double duration;	/* seconds */
	int sig;		/* EXEC_INTERRUPTED: which signal */
};

struct executor {
	const char *name;
	void *data;
	/*
	 * Make tasks ready to start (v[k].task from v[k].base): set v[k].ok,
	 * or v[k].why.  May work on all of them at once.
	 */
	void (*prepare)(struct executor *ex, struct run_engine *e, struct exec_start *v, size_t nr);
	/* Start a prepared task's command; its pid (process group), or 0 when none.  0 or -1 (why). */
	int (*start)(struct executor *ex, struct run_engine *e, size_t task, const git_oid *base,
		     long *pid, struct strbuf *why);
	/*
	 * Optional.  An executor that has it holds each command start() made
	 * until the engine has saved its pid: go = 1 lets it run, go = 0
	 * withdraws it (it never runs, and ends as a command that could not
	 * start).  A run killed in between leaves no command running that
	 * its state does not name.
	 */
	void (*go)(struct executor *ex, struct run_engine *e, size_t task, int go);
	/* Commands running now. */
	size_t (*running)(struct executor *ex);
	/* The next end, at most tick_ms later.  0, or -1 on an internal error (reported). */
	int (*wait)(struct executor *ex, struct exec_end *end, int tick_ms);
	/* Stop every running task; each end is reported through fn. */
	void (*stop_all)(struct executor *ex, void (*fn)(const struct exec_end *end, void *cb), void *cb);
	/*
	 * A task's command succeeded: take its result (the local executor
	 * commits what it left, with commit = auto) and give its head.  0, or
	 * -1 with why: the task failed even though its command succeeded.
	 */
	int (*finish)(struct executor *ex, struct run_engine *e, size_t task, git_oid *head,
		      struct strbuf *why);
	/*
	 * A stop request (SIGINT, SIGTERM, SIGHUP) received and not yet
	 * reported by wait(): which, or 0; it stays to be reported.  Optional.
	 */
	int (*signal_pending)(struct executor *ex);
	/*
	 * Stop a task's command left running by a run that is gone.  0, or
	 * -1 with why: the task must not start again as it is (a lock in its
	 * worktree that may be someone else's); it fails.
	 */
	int (*stop_orphan)(struct executor *ex, struct task_status *st, struct strbuf *why);
	/*
	 * A task whose run and command were both gone at load (st->died):
	 * remove the git locks its killed command left, by stop_orphan's
	 * rule.  0, or -1 with why: the task fails.  Optional.
	 */
	int (*clear_locks)(struct executor *ex, struct task_status *st, struct strbuf *why);
	void (*release)(struct executor *ex);
};

struct runner_event;
/* An executor's end of a task, from the runner's event (ev->data: plan index + 1). */
void exec_end_from_runner(struct exec_end *end, const struct runner_event *ev);

/* What the front-end hears. */
enum run_event_kind {
	RUN_EV_STARTED,		/* attempt */
	RUN_EV_DONE,		/* duration */
	RUN_EV_FAILED,		/* reason; final (no retry) */
	RUN_EV_RETRY,		/* reason, attempt (the next), max */
	RUN_EV_GAVE_UP,		/* reason, log: failed or timed out, no attempts left */
	RUN_EV_BLOCKED,		/* reason */
	RUN_EV_INTERRUPTED,	/* duration, or < 0 when not known */
	RUN_EV_ORPHAN,		/* pid: stopping what a dead run left running */
	RUN_EV_SIGNAL,		/* sig: stopping the running tasks */
	RUN_EV_STOPPING,	/* reason: no new task starts */
	RUN_EV_TICK,		/* time to redraw progress */
	RUN_EV_WAITING,		/* reason: a task that could start is held back (precheck, thresholds, backoff) */
	RUN_EV_BACKOFF,		/* reason, duration: rate limited; the whole pool pauses */
};

struct run_event {
	enum run_event_kind kind;
	size_t task;		/* plan index, where it is about a task */
	const char *id;
	const char *reason;
	const char *log;
	double duration;
	unsigned int attempt, max;
	long pid;
	int sig;
	int unsaved;		/* the task's state could not be saved (e->unsaved) */
};

struct run_opts {
	unsigned int jobs;
	unsigned int retries;
	double timeout;		/* seconds per attempt; 0: none */
	const char *command;	/* --command, or NULL */
	int fail_fast;
	int tick_ms;		/* progress ticks; < 0: none */
};

struct run_engine {
	struct session *s;	/* borrowed; status loaded */
	const size_t *sel;	/* selected tasks, plan order (borrowed) */
	size_t sel_nr;
	char *selected;		/* per plan task */
	unsigned int *tries;	/* attempts made by this run, per plan task */
	struct run_opts opts;
	struct executor *ex;	/* borrowed */
	void (*on_event)(const struct run_event *ev, void *cb);
	void *cb;
	int stopping;		/* start nothing more */
	int terminate;		/* stop what runs too (a signal, --fail-fast) */
	int failed;		/* some task did not finish */
	int save_failed;	/* a task's state could not be saved */
	char *unsaved;		/* per plan task: its last save failed (its file is older) */
	double started;
	/* budgets: what holds a task back before it starts (see launch() in run.c) */
	double *wait_since;	/* per plan task: held back since, or 0 */
	char *held;		/* per plan task: held back in the last launch pass */
	double *next_check;	/* per plan task: no precheck before then (it said "not now") */
	unsigned int *checks;	/* per plan task: "not now" answers in a row */
	unsigned int *backoffs;	/* per plan task: rate-limit backoffs in this run */
	double backoff_until;	/* the whole pool launches nothing before then */
	double backoff_len;	/* the current pause, seconds */
	unsigned int backoff_level;	/* pauses in a row (the exponent) */
	double idle_since;	/* nothing runs while tasks are held back; 0: not idle */
	void *retry_on;		/* parallel.retry-on compiled (pcre2_code), or NULL */
	unsigned int rng;	/* for the jitter */
	double (*now)(void);	/* the clock: state_now(), or a test's */
};

/* Set up; sel is borrowed.  Marks what this run will try again. */
void run_engine_init(struct run_engine *e, struct session *s, const size_t *sel, size_t nr,
		     const struct run_opts *opts, struct executor *ex,
		     void (*on_event)(const struct run_event *ev, void *cb), void *cb);
void run_engine_release(struct run_engine *e);

/*
 * The command task i runs: --command, else config_task_command() (git
 * config's parallel.command, the task's own, the file's parallel.command);
 * NULL when none.
 */
const char *run_task_command(const struct run_engine *e, size_t i);
/* The same, with where it came from and the trust ID it needs (or NULL): see config_task_command(). */
const char *run_task_command_from(const struct run_engine *e, size_t i, const char **from,
				  const char **trust);

/* Is this state one a task ends a run in: finished, or failed for good? */
int run_state_finished(enum task_state st);
int run_state_final_failure(enum task_state st);

/*
 * Run the selected tasks until none is left to start or running (or we
 * were asked to stop): stop orphans, launch, hear ends, retry.  Returns
 * 0, or -1 on an internal error (reported).  Then e->failed and
 * e->stopping tell how it went.
 */
int run_engine_run(struct run_engine *e);

/* Ask the engine to stop as on SIGINT (e.g. the front-end's output is gone). */
void run_engine_stop(struct run_engine *e, int sig);

/*
 * The local executor: a worktree per task (worktree.c), its command in
 * the runner (runner.c), with a grace of grace seconds between SIGTERM
 * and SIGKILL.  0 or -1 (reported).
 */
int executor_local_init(struct executor *ex, double grace);

#endif
