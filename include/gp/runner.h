#ifndef GP_RUNNER_H
#define GP_RUNNER_H

#include <sys/types.h>

#include "gp/util.h"

/*
 * A pool of task processes (DESIGN.md 2.2 steps 4-5): each command runs
 * with /bin/sh -c in its worktree, in its own process group, stdin from
 * /dev/null, stdout and stderr appended to its log; git's repository
 * variables are removed from its environment and the task's variables
 * added.
 *
 * Stopping a group -- on timeout, on runner_terminate_all(), and when the
 * command exits leaving processes in its group (background children) --
 * always gives the whole group the grace period: SIGTERM to the group,
 * then wait until no live process is left in it (not only the leader:
 * an agent's child may still be writing its index.lock), and SIGKILL
 * the group only when the grace period ends first.  A command is
 * reported RUNNER_EXITED only once its group is gone, so nothing of it
 * still writes in its worktree when the caller commits what it left.
 *
 * SIGINT, SIGTERM and SIGHUP to us are caught and reported as an event,
 * never acted on behind the caller's back.  SIGPIPE is ignored while the
 * runner is up (a write to a closed stdout or stderr fails with EPIPE
 * instead of killing us with the tasks left running); every task gets the
 * default disposition of every signal back before exec.
 */

struct runner_spec {
	const char *id;		/* the task ID, for events */
	const char *command;
	const char *cwd;
	const char *log_path;	/* opened O_APPEND|O_CREAT, mode 0644 */
	const char *const *env;	/* extra "NAME=value" entries, NULL-terminated; may be NULL */
	double timeout;		/* seconds; 0: none (counted from runner_go() when held) */
	void *data;		/* the caller's, handed back in events */
	int hold;		/* the command waits for runner_go() before it runs */
};

struct runner_proc;

struct runner {
	struct runner_proc *procs;
	size_t nr, alloc;
	double grace;		/* seconds between SIGTERM and SIGKILL, for the whole group */
	int sigpipe[2];		/* self-pipe for SIGCHLD, SIGINT, SIGTERM, SIGHUP */
	int interrupted;	/* the signal we received, or 0 */
};

/* What was left of a command's group when its leader exited. */
enum runner_leftover {
	RUNNER_LEFTOVER_NONE = 0,
	RUNNER_LEFTOVER_TERM,	/* live processes, gone within the grace period after SIGTERM */
	RUNNER_LEFTOVER_KILL,	/* live processes, SIGKILLed when the grace period ended */
};

enum runner_event_kind {
	RUNNER_EXITED,		/* a command finished (exited, killed, or timed out) */
	RUNNER_INTERRUPTED,	/* we received SIGINT, SIGTERM or SIGHUP, or runner_interrupt() */
	RUNNER_TICK,		/* nothing happened within the tick: time for progress */
};

struct runner_event {
	enum runner_event_kind kind;
	const char *id;		/* RUNNER_EXITED: borrowed until the next runner_wait(),
				   runner_terminate_all() or runner_release() */
	void *data;
	int exit_code;		/* exit status, or -1 when killed by a signal */
	int signal;		/* the signal that killed it, or 0 */
	int timed_out;
	enum runner_leftover leftover;	/* processes its group still had when the command exited */
	int spawn_failed;	/* chdir, /dev/null or exec of /bin/sh failed (126/127);
				   not "command not found", which is sh's own 127 */
	double duration;	/* seconds */
	int sig;		/* RUNNER_INTERRUPTED: which signal */
};

/*
 * Set up; installs the signal handlers (SIGCHLD, SIGINT, SIGTERM, SIGHUP)
 * and ignores SIGPIPE.  grace in seconds, for every group this runner
 * stops (r->grace may be changed later).  One runner per process.
 */
int runner_init(struct runner *r, double grace);
/* Restores the signal dispositions; a process still running is SIGKILLed. */
void runner_release(struct runner *r);

/* Start a command.  Returns 0, or -1 (reported) when it could not start. */
int runner_start(struct runner *r, const struct runner_spec *spec);

/*
 * With spec->hold, the child is forked (its pid known, its group made,
 * chdir done) but waits on a pipe before exec, so that the caller can
 * record its pid durably first: a caller killed in between leaves no
 * command running unknown to its state -- the child sees the pipe's end
 * without the go byte and exits without running anything.
 *
 * runner_go(r, id, 1) lets the held command of task id run; go = 0
 * withdraws it (the command never runs; it is reported as a spawn
 * failure, exit 126, with a line in its log).  Either way the command is
 * then reported by runner_wait() as any other.  0, or -1 (reported) when
 * no such task is held.
 */
int runner_go(struct runner *r, const char *id, int go);

/* Processes still running. */
size_t runner_running(const struct runner *r);

/* The pid (process group) of a running task, or 0. */
pid_t runner_pid(const struct runner *r, const char *id);

/*
 * Report sig (SIGINT, SIGTERM, SIGHUP or SIGPIPE; others are ignored) as
 * if we had received it: the next runner_wait() returns RUNNER_INTERRUPTED
 * with ev->sig = sig, and a runner_terminate_all() under way cuts its grace
 * period short.  For a front-end whose stdout or stderr write failed with
 * EPIPE (run | head): SIGPIPE is ignored, so that is how it hears of it.
 * Async-signal-safe.
 */
void runner_interrupt(struct runner *r, int sig);

/*
 * A SIGINT, SIGTERM, SIGHUP (or runner_interrupt()) received and not yet
 * reported by runner_wait(): which, or 0.  It stays to be reported.  For
 * work between waits that must not start tasks a signal asked to stop.
 */
int runner_signal_pending(struct runner *r);

/*
 * Make a running task's timeout due now, as if its deadline had passed:
 * the next runner_wait() stops its group as a timeout does and reports
 * it timed_out.  For a front-end enforcing a budget, and for tests that
 * must not race a deadline.  Returns 0, or -1 when no such task runs.
 */
int runner_expire(struct runner *r, const char *id);

/*
 * Wait for the next event, at most tick_ms milliseconds (then
 * RUNNER_TICK; a negative tick_ms: no tick).  Enforces timeouts meanwhile.  Returns 0, or -1 on an
 * internal error (reported).
 */
int runner_wait(struct runner *r, struct runner_event *ev, int tick_ms);

/*
 * Terminate every running group: SIGTERM, wait until each group is gone,
 * SIGKILL what is left when the grace period ends; reaps them.  A second
 * SIGINT, SIGTERM or SIGHUP meanwhile cuts the grace period short.  Each
 * one reaped is reported through fn (may be NULL).
 */
void runner_terminate_all(struct runner *r,
			  void (*fn)(const struct runner_event *ev, void *cb), void *cb);

/*
 * Run one command to its end, synchronously (a check before a task starts,
 * not a task): /bin/sh -c in spec->cwd, its own process group, stdin from
 * /dev/null, the tasks' environment policy with spec->env added; its
 * stdout and stderr are kept in out (the first max bytes).  When it exits,
 * what it left running in its group is killed.  After spec->timeout
 * seconds (0: none), or when SIGINT, SIGTERM or SIGHUP reaches a runner
 * that is up (the signal is still reported by the next runner_wait()),
 * its group is killed.  spec->log_path and data are not used.  Returns 0
 * with res filled, or -1 (reported) when it could not be started.
 */
struct runner_capture_result {
	int exit_code;		/* exit status, or -1 when killed by a signal */
	int signal;
	int timed_out;
	int interrupted;	/* the signal (SIGINT, SIGTERM, SIGHUP) that stopped it, or 0 */
	int spawn_failed;	/* chdir, /dev/null or exec of /bin/sh failed */
	double duration;
};
int runner_capture(const struct runner_spec *spec, struct strbuf *out, size_t max,
		   struct runner_capture_result *res);

/* "SIGINT", "SIGTERM", "SIGHUP", ... for messages; "a signal" for others. */
const char *runner_signal_name(int sig);

#endif
