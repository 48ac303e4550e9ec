#ifndef GP_STATE_H
#define GP_STATE_H

#include <sys/types.h>
#include <time.h>

#include "gp/plan.h"

/*
 * The state directory, $GIT_COMMON_DIR/parallel/ (DESIGN.md 3): the plan,
 * one file per task, logs, prompts and the lock.  Every write is atomic.
 */

/* Values in state files are %-escaped so that inih gives them back unchanged. */
void state_escape(struct strbuf *out, const char *s);
/* Undo state_escape(); returns -1 on a malformed escape. */
int state_unescape(struct strbuf *out, const char *s);

/* The plan as an INI text, and back (p must be fresh: plan_init()). */
void plan_serialize(const struct plan *p, struct strbuf *out);
int plan_parse(struct plan *p, const char *file, const char *buf, size_t len);

/*
 * One path function per file of the state directory (caller frees):
 *   plan                  the saved plan
 *   tasks/<id>            a task's state
 *   logs/<id>.log         its command's output, all attempts
 *   prompts/<id>.md       its prompt (0600, in a 0700 directory)
 *   lock                  held by run, merge and clean
 *   merge-journal         what an unfinished merge was doing
 *   run                   what the last run asked for (its --min-success)
 *   archive/<plan>/<id>   the state of a task of an earlier plan
 *   footprints/<id>       a cache of its committed footprint (footprint.c)
 */
char *state_plan_path(const char *state_dir);
char *state_task_path(const char *state_dir, const char *id);
char *state_footprint_path(const char *state_dir, const char *id);
char *state_log_path(const char *state_dir, const char *id);
/* The message of a task's automatic commit, while git commit reads it (prompts/, private). */
char *state_commit_msg_path(const char *state_dir, const char *id);
/*
 * Make a directory of the state directory (and its parents): mode 0700,
 * as its files hold task text (and are 0600).  0 or -1 (reported).
 */
int state_mkdir(const char *dir);
char *state_prompt_path(const char *state_dir, const char *id);
char *state_lock_path(const char *state_dir);
char *state_journal_path(const char *state_dir);
char *state_run_path(const char *state_dir);
char *state_archive_path(const char *state_dir, const char *plan_id, const char *id);

/* Write <state_dir>/plan atomically, creating state_dir. */
int state_save_plan(const char *state_dir, const struct plan *p);
/* Read <state_dir>/plan.  A missing plan is an error that says to run 'git parallel plan'. */
int state_load_plan(struct plan *p, const char *state_dir);

/*
 * Who holds <state_dir>/lock: its pid when the lock exists and that
 * process is alive, else 0.
 */
pid_t state_lock_holder(const char *state_dir);

/*
 * Take <state_dir>/lock for "what" (run, merge, clean).  A lock left by a
 * dead process is taken over.  Held by a live process: an error naming
 * its pid and command.  Taking it removes the "<file>.tmp.<pid>" files a
 * killed writer left in the state directory and its tasks/ (that pid
 * gone).  Returns 0 or -1 (reported).
 */
int state_lock_acquire(const char *state_dir, const char *what);
void state_lock_release(const char *state_dir);

/*
 * The flock() of the state directory (made if missing), waiting for it:
 * what a writer that takes no lock file holds while it writes states, so
 * that state_task_cache_work() (which skips while it is held) and
 * state_lock_acquire() never interleave with it.  The descriptor to give
 * state_funlock(), or -1 (reported).
 */
int state_flock(const char *state_dir);
void state_funlock(int fd);

/*
 * When state_lock_acquire() took over a lock left by a dead process: 1,
 * with *since set to that lock file's mtime (when the dead holder took
 * it); else 0.  Whatever that process left in git-parallel's own
 * namespace after *since and before this process began is the dead
 * holder's.
 */
int state_lock_taken_over(struct timespec *since);

/* Task states (DESIGN.md 2.3). */
enum task_state {
	TS_PENDING,
	TS_BLOCKED,
	TS_RUNNING,
	TS_DONE,
	TS_FAILED,
	TS_TIMED_OUT,
	TS_MERGED,
	TS_CONFLICT,
	TS_SKIPPED,
	TS_INTERRUPTED,
	TS_HELD,	/* merge held it: it changed files outside its declared paths */
};
#define TS_NR (TS_HELD + 1)

const char *task_state_name(enum task_state s);
int task_state_parse(const char *s, enum task_state *out);

/* What we know of one task, in <state_dir>/tasks/<id>. */
struct task_status {
	char *id;
	enum task_state state;
	unsigned int attempts;
	long pid;		/* process group of the running command, or 0 */
	unsigned long long pid_start;	/* its start time (/proc), against pid reuse */
	long run_pid;		/* the git parallel run that started it */
	double started;		/* epoch seconds of the last start, or 0 */
	double finished;	/* epoch seconds, or 0 */
	double task_time;	/* seconds spent running, over all attempts */
	double wait_time;	/* seconds held back by precheck, thresholds or backoff */
	char *waiting;		/* why run holds it back now (a pending task), or NULL */
	int exit_code;		/* -1: none */
	char *head;		/* hex OID of the branch head after the task, or NULL */
	char *start;		/* hex OID the task started from (base, or its dependencies' merge) */
	char *branch;		/* full ref */
	char *worktree;
	char *log;
	char *reason;		/* why blocked, failed, skipped, or NULL */
	char *merge_commit;	/* set by merge */
	char *merge_reason;	/* set by merge: why held, conflicting, not verified */
	char *key;		/* the task's identity in the plan that ran it (state_task_key) */
	char *remote;		/* the remote whose worker ran it here (worker), or NULL */
	char *work;		/* cached counts: "<head> <start> <commits> <files> <added> <removed> v2" (session.c) */
	unsigned long long run_pid_start;	/* start time of run_pid, against pid reuse */
	int cleaned;		/* worktree and branch removed by clean */
	int orphaned;		/* not saved: running, but the run that started it is gone */
	int died;		/* not saved: was running, but its run and its command's group
				 * were gone at load (now interrupted) */
	int stale;		/* not saved: the file belonged to another task of this ID */
};

/*
 * The task lifecycle: every change of a task's state goes through
 * task_transition(), checked against one table of allowed transitions
 * (state.c).  An illegal transition is refused: -1, reported, nothing
 * changed.  A transition to the same state is always allowed.
 */
int task_transition(struct task_status *st, enum task_state to);
int task_transition_allowed(enum task_state from, enum task_state to);

/*
 * A task's identity across plans: its ID, its file and its title, hashed
 * (16 hex digits and a NUL in out).  A task state records the key of the
 * task that ran; a state whose key differs from the plan's task of the
 * same ID belongs to another task and is not taken for this one.
 */
void state_task_key(const struct task *t, char out[17]);

/*
 * Move tasks/<id> to archive/<plan_id>/<id> (plan_id "" for a plan
 * without identity: "unknown").  A missing file is fine.  0 or -1.
 */
int state_archive_task(const char *state_dir, const char *plan_id, const char *id);

/* Task IDs that have a state file, sorted.  0 or -1 (reported). */
int state_task_ids(const char *state_dir, struct strlist *out);

void task_status_init(struct task_status *st, const char *id);
void task_status_release(struct task_status *st);
void task_status_set(char **field, const char *value);

/*
 * Read tasks/<id>; a missing file gives a fresh pending status (returns 1).
 * With t (the plan's task of that ID), a state recorded for another task
 * (state_task_key) gives a fresh pending status with ->stale set (returns 2).
 */
int state_task_load(struct task_status *st, const char *state_dir, const char *id,
		    const struct task *t);
/* Parse a task status text (st must be task_status_init()ed). */
int state_task_parse(struct task_status *st, const char *file, const char *buf, size_t len);
/* A task status as the text of tasks/<id> (remote state refs carry it too). */
void state_task_format(struct strbuf *out, const struct task_status *st);
/* Write tasks/<id> atomically (creating the directory). */
int state_task_save(const char *state_dir, const struct task_status *st);

/*
 * Cache a task's counts ("work", session.c) in tasks/<id> for a command
 * that holds no lock (status, report), only where that cannot get in
 * anyone's way: under the flock() of the state directory that every
 * taker of the lock holds while it takes it, not waiting for it, when no
 * lock file is there (no run, merge, clean or worker at work, and none
 * died holding it), into the file as it is now (read again; only its
 * "work" changes), and when that file is t's and reads back exactly as
 * it was written.  1 written, 0 skipped (quietly); never an error.
 */
int state_task_cache_work(const char *state_dir, const struct task *t, const char *work);

/*
 * Where merge --remote fetched every remote's task branches before each
 * remote had a namespace: a task state it imported then names its branch
 * here.
 */
#define STATE_OLD_REMOTE_HEADS "refs/gp-remote/heads/"
/*
 * A loaded state whose branch is in that old place and gone (removed by
 * the per-remote migration before it kept the refs states name): its
 * branch becomes the one fetched ref refs/gp-remote/<ns>/heads/<same>
 * that holds the recorded head, in memory (saved with the next save).
 * 1 mapped, 0 left as it is.
 */
int state_task_map_branch(struct task_status *st, git_repository *repo);

/* Is the process (group leader) pid with that start time alive? */
int state_pid_alive(long pid, unsigned long long start);
/*
 * A task's process group (led by pid, started at start) still has a member:
 * its leader, or what it left behind after the leader died.
 */
int state_group_alive(long pid, unsigned long long start);
/* The start time of pid from /proc, or 0. */
unsigned long long state_pid_start(long pid);

/* "2026-11-22T10:00:00Z" for epoch seconds; caller frees. */
char *state_iso_time(double t);
double state_now(void);

#endif
