/*
 * The run engine: scheduling, dependency gating, the commit each task
 * starts from, retries, the end of each attempt, orphans; and the local
 * executor (a worktree and a process per task).  See gp/run.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "gp/autocommit.h"
#include "gp/check.h"
#include "gp/convert.h"
#include "gp/prepare.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "gp/run.h"
#include "gp/runner.h"
#include "gp/worktree.h"

int run_state_finished(enum task_state st)
{
	return st == TS_DONE || st == TS_MERGED || st == TS_CONFLICT || st == TS_HELD;
}

int run_state_final_failure(enum task_state st)
{
	return st == TS_FAILED || st == TS_TIMED_OUT || st == TS_BLOCKED;
}

const char *run_task_command_from(const struct run_engine *e, size_t i, const char **from,
				  const char **trust)
{
	if (e->opts.command) {
		*from = "--command";
		*trust = NULL;
		return e->opts.command;
	}
	return config_task_command(&e->s->cfg, &e->s->plan.tasks.v[i], from, trust);
}

const char *run_task_command(const struct run_engine *e, size_t i)
{
	const char *from, *trust;

	return run_task_command_from(e, i, &from, &trust);
}

static void emit(struct run_engine *e, enum run_event_kind kind, size_t i, const char *reason)
{
	struct run_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.task = i;
	ev.id = i < e->s->plan.tasks.nr ? e->s->plan.tasks.v[i].id : NULL;
	ev.reason = reason;
	ev.duration = -1;
	ev.unsaved = i < e->s->plan.tasks.nr && e->unsaved[i];
	if (e->on_event)
		e->on_event(&ev, e->cb);
}

static void emit_ev(struct run_engine *e, struct run_event *ev)
{
	if (ev->task < e->s->plan.tasks.nr) {
		ev->id = e->s->plan.tasks.v[ev->task].id;
		ev->unsaved = e->unsaved[ev->task];
	}
	if (e->on_event)
		e->on_event(ev, e->cb);
}

/*
 * Save a task's state.  When that fails (the disk is full, the state
 * directory read-only), start nothing more: a task whose state cannot be
 * recorded would run untracked.
 */
static int save(struct run_engine *e, size_t i)
{
	int ret = state_task_save(e->s->state, &e->s->st[i]);

	/* what the task's file says is older than what this run knows */
	e->unsaved[i] = ret < 0;
	if (ret < 0 && !e->save_failed) {
		struct strbuf why = STRBUF_INIT;

		e->save_failed = 1;
		e->stopping = 1;
		e->failed = 1;
		strbuf_addf(&why, "cannot save the state of task %s", e->s->st[i].id);
		emit(e, RUN_EV_STOPPING, (size_t)-1, why.buf);
		strbuf_release(&why);
	}
	return ret;
}

/* Change task i's state (and reason); the caller saves. */
static void set_state(struct run_engine *e, size_t i, enum task_state to, const char *reason)
{
	struct task_status *st = &e->s->st[i];

	if (task_transition(st, to) < 0) {
		/* a bug: say so, and stop starting tasks rather than act on it */
		e->stopping = 1;
		e->failed = 1;
		return;
	}
	task_status_set(&st->reason, reason);
}

void run_engine_init(struct run_engine *e, struct session *s, const size_t *sel, size_t nr,
		     const struct run_opts *opts, struct executor *ex,
		     void (*on_event)(const struct run_event *ev, void *cb), void *cb)
{
	size_t k;

	memset(e, 0, sizeof(*e));
	e->s = s;
	e->sel = sel;
	e->sel_nr = nr;
	e->opts = *opts;
	if (!e->opts.jobs)
		e->opts.jobs = 1;
	e->ex = ex;
	e->on_event = on_event;
	e->cb = cb;
	e->selected = xcalloc(s->plan.tasks.nr + 1, 1);
	e->tries = xcalloc(s->plan.tasks.nr + 1, sizeof(*e->tries));
	e->wait_since = xcalloc(s->plan.tasks.nr + 1, sizeof(*e->wait_since));
	e->held = xcalloc(s->plan.tasks.nr + 1, 1);
	e->unsaved = xcalloc(s->plan.tasks.nr + 1, 1);
	e->next_check = xcalloc(s->plan.tasks.nr + 1, sizeof(*e->next_check));
	e->checks = xcalloc(s->plan.tasks.nr + 1, sizeof(*e->checks));
	e->backoffs = xcalloc(s->plan.tasks.nr + 1, sizeof(*e->backoffs));
	e->now = state_now;
	e->rng = (unsigned int)getpid() * 2654435761u ^ (unsigned int)time(NULL);
	if (!e->rng)
		e->rng = 1;	/* xorshift stays at 0 */
	if (s->cfg.retry_on) {
		PCRE2_SIZE off;
		int err;

		/* checked when the configuration was read */
		e->retry_on = pcre2_compile((PCRE2_SPTR)s->cfg.retry_on, PCRE2_ZERO_TERMINATED, 0,
					    &err, &off, NULL);
	}
	e->started = state_now();
	for (k = 0; k < nr; k++) {
		size_t i = sel[k];
		struct task_status *st = &s->st[i];

		e->selected[i] = 1;
		free(st->branch);
		st->branch = session_branch(s, st->id);
		free(st->worktree);
		st->worktree = session_worktree(s, st->id);
		free(st->log);
		st->log = session_log(s, st->id);
		/* what this run will try again */
		if (st->state == TS_BLOCKED)
			task_transition(st, TS_PENDING);
		/* held back by a run that is gone: this run decides afresh */
		task_status_set(&st->waiting, NULL);
	}
}

void run_engine_release(struct run_engine *e)
{
	free(e->selected);
	free(e->tries);
	free(e->wait_since);
	free(e->held);
	free(e->unsaved);
	free(e->next_check);
	free(e->checks);
	free(e->backoffs);
	pcre2_code_free(e->retry_on);
	e->selected = NULL;
	e->tries = NULL;
	e->wait_since = e->next_check = NULL;
	e->held = e->unsaved = NULL;
	e->checks = e->backoffs = NULL;
	e->retry_on = NULL;
}

void run_engine_stop(struct run_engine *e, int sig)
{
	struct run_event ev;

	if (e->terminate)
		return;
	e->stopping = 1;
	e->terminate = 1;
	memset(&ev, 0, sizeof(ev));
	ev.kind = RUN_EV_SIGNAL;
	ev.task = (size_t)-1;
	ev.sig = sig;
	emit_ev(e, &ev);
}

/* Dependencies of task i: 1 waiting, 0 all finished, -1 one can no longer finish (why). */
static int deps_state(struct run_engine *e, size_t i, struct strbuf *why)
{
	const struct plan_task *pt = &e->s->plan.pt[i];
	size_t k;
	int waiting = 0;

	for (k = 0; k < pt->deps_nr; k++) {
		size_t d = pt->deps[k].task;
		enum task_state ds = e->s->st[d].state;

		if (run_state_finished(ds))
			continue;
		if (run_state_final_failure(ds) && (!e->selected[d] || e->tries[d] || ds == TS_BLOCKED)) {
			strbuf_addf(why, "waits for %s, which %s", e->s->plan.tasks.v[d].id,
				    ds == TS_BLOCKED ? "is blocked" :
				    ds == TS_TIMED_OUT ? "timed out" : "failed");
			return -1;
		}
		if (!e->selected[d]) {
			strbuf_addf(why, "waits for %s, which is %s and not selected to run",
				    e->s->plan.tasks.v[d].id, task_state_name(ds));
			return -1;
		}
		waiting = 1;
	}
	return waiting;
}

static int load_ok(struct run_engine *e)
{
	double load[1];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (e->s->cfg.max_load <= 0 || getloadavg(load, 1) < 1)
		return 1;
	return load[0] / (double)(cpus > 0 ? cpus : 1) <= e->s->cfg.max_load;
}

static void block(struct run_engine *e, size_t i, const char *why)
{
	set_state(e, i, TS_BLOCKED, why);
	save(e, i);
	emit(e, RUN_EV_BLOCKED, i, why);
	e->failed = 1;
}

/*
 * The commit task i starts from: the pinned base, or the in-memory merge
 * of its dependencies' results.  0, or -1 after blocking the task.
 */
static int task_base(struct run_engine *e, size_t i, git_oid *out)
{
	const struct plan_task *pt = &e->s->plan.pt[i];
	struct strlist conflicts = STRLIST_INIT;
	struct strbuf msg = STRBUF_INIT;
	git_oid *heads = xcalloc(pt->deps_nr + 1, sizeof(*heads));
	size_t d;
	int mret;

	for (d = 0; d < pt->deps_nr; d++) {
		const char *h = e->s->st[pt->deps[d].task].head;

		if (!h || git_oid_fromstr(&heads[d], h) < 0)
			git_oid_fromstr(&heads[d], "");
	}
	mret = worktree_merge_base(e->s->repo, &e->s->plan.base_oid, heads, pt->deps_nr, out, &conflicts);
	free(heads);
	if (mret) {
		if (mret > 0) {
			strbuf_addstr(&msg, "its dependencies' results conflict in");
			for (d = 0; d < conflicts.nr && d < 5; d++)
				strbuf_addf(&msg, " %s", conflicts.v[d]);
		} else {
			strbuf_addstr(&msg, "cannot merge its dependencies' results");
		}
		block(e, i, msg.buf);
	}
	strbuf_release(&msg);
	strlist_clear(&conflicts);
	return mret ? -1 : 0;
}

/* Start one prepared task. */
static void start_task(struct run_engine *e, size_t i, const git_oid *base)
{
	struct task_status *st = &e->s->st[i];
	struct strbuf why = STRBUF_INIT;
	struct run_event ev;
	char hex[GIT_OID_HEXSZ + 1], key[17];
	long pid = 0;

	git_oid_tostr(hex, sizeof(hex), base);
	task_status_set(&st->start, hex);
	state_task_key(&e->s->plan.tasks.v[i], key);
	task_status_set(&st->key, key);
	e->tries[i]++;
	st->attempts++;
	set_state(e, i, TS_RUNNING, NULL);
	st->started = state_now();
	st->finished = 0;
	st->exit_code = -1;
	st->pid = 0;
	st->pid_start = 0;
	st->run_pid = (long)getpid();
	st->run_pid_start = state_pid_start(st->run_pid);
	task_status_set(&st->remote, e->s->remote);	/* a worker's: status names it if we die */
	/* recorded as running before anything runs: a crash now leaves "interrupted" */
	if (save(e, i) < 0) {
		set_state(e, i, TS_FAILED, "its state cannot be saved");
		e->failed = 1;
		goto out;
	}
	if (e->ex->start(e->ex, e, i, base, &pid, &why) < 0) {
		set_state(e, i, TS_FAILED, why.len ? why.buf : "the command could not be started");
		save(e, i);
		emit(e, RUN_EV_FAILED, i, st->reason);
		e->failed = 1;
		goto out;
	}
	st->pid = pid;
	st->pid_start = pid ? state_pid_start(pid) : 0;
	/* forked and held: it runs only once its pid is saved */
	test_crash_point("run-after-fork");
	if (save(e, i) < 0) {
		/* unsaved, a crash would leave it running unknown: it never runs */
		if (e->ex->go)
			e->ex->go(e->ex, e, i, 0);
	} else if (e->ex->go) {
		e->ex->go(e->ex, e, i, 1);
	}
	test_crash_point("run-after-start");
	memset(&ev, 0, sizeof(ev));
	ev.kind = RUN_EV_STARTED;
	ev.task = i;
	ev.attempt = st->attempts;
	emit_ev(e, &ev);
out:
	strbuf_release(&why);
}

/*
 * Budgets: before a task starts, the pool-wide gates (a rate-limit
 * backoff, parallel.min-free-memory, parallel.min-free-disk) and the
 * task's parallel.precheck may hold it back.  A held task stays pending
 * with "waiting" saying why; the time it is held is its wait time.
 */

/* The longest a precheck may take, in seconds. */
#define PRECHECK_TIMEOUT 60.0
/* What a precheck may say that we keep (for the task's log). */
#define PRECHECK_OUTPUT_MAX (64 * 1024)
/* The lines of a failed attempt's log that parallel.retry-on is matched against. */
#define RETRY_ON_LINES 20
/* How often an idle pool measures the thresholds again, in ms. */
#define GATE_POLL_MS 1000

static double rand01(struct run_engine *e)
{
	/* xorshift32: jitter only, no secrets */
	e->rng ^= e->rng << 13;
	e->rng ^= e->rng >> 17;
	e->rng ^= e->rng << 5;
	return (e->rng & 0xffffff) / (double)0x1000000;
}

/* Exponential, capped, jittered: base * 2^n, at most max, then between half and all of it. */
static double backoff_delay(struct run_engine *e, unsigned int n)
{
	double d = e->s->cfg.backoff_base;

	while (n-- && d < e->s->cfg.backoff_max)
		d *= 2;
	if (d > e->s->cfg.backoff_max)
		d = e->s->cfg.backoff_max;
	return d / 2 + d / 2 * rand01(e);
}

static void add_size(struct strbuf *sb, unsigned long long v)
{
	static const char units[] = "KMGT";
	double d = (double)v;
	int u = -1;

	while (d >= 1024 && u < 3) {
		d /= 1024;
		u++;
	}
	if (u < 0)
		strbuf_addf(sb, "%llu bytes", v);
	else
		strbuf_addf(sb, "%.*f%c", d < 10 && d != (double)(long long)d ? 1 : 0, d, units[u]);
}

/* A measured value, or the test suite's stand-in from env (a size).  0 or -1. */
static int test_override(const char *env, unsigned long long *out)
{
	const char *v = getenv(env);

	return v && *v && !parse_size(v, out) ? 0 : -1;
}

static int free_memory(unsigned long long *out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	int ret = -1;

	if (!test_override("GIT_PARALLEL_TEST_FREE_MEMORY", out))
		return 0;
	if (strbuf_read_file(&sb, "/proc/meminfo") < 0) {
		strbuf_release(&sb);
		return -1;
	}
	p = strstr(sb.buf, "MemAvailable:");
	if (p) {
		*out = strtoull(p + 13, NULL, 10) * 1024;
		ret = 0;
	}
	strbuf_release(&sb);
	return ret;
}

/* Free space for us on the filesystem of path, or of its nearest existing parent. */
static int free_disk(const char *path, unsigned long long *out)
{
	char *p = xstrdup(path), *slash;
	struct statvfs vfs;
	int ret;

	if (!test_override("GIT_PARALLEL_TEST_FREE_DISK", out)) {
		free(p);
		return 0;
	}
	while ((ret = statvfs(p, &vfs)) < 0 && (slash = strrchr(p, '/')) && slash != p)
		*slash = '\0';
	if (ret < 0)
		ret = statvfs("/", &vfs);
	if (!ret)
		*out = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	free(p);
	return ret;
}

/*
 * The pool-wide gates: 1 and why (stable words, saved as the tasks'
 * "waiting"; the measure goes to detail) when no task may start now.
 */
static int pool_gate(struct run_engine *e, double now, struct strbuf *why, struct strbuf *detail)
{
	const struct config *c = &e->s->cfg;
	unsigned long long v;

	if (now < e->backoff_until) {
		strbuf_addstr(why, "backoff: a task was rate limited; the pool pauses for ");
		strbuf_add_duration(why, e->backoff_len);
		return 1;
	}
	if (c->min_free_memory && !free_memory(&v) && v < c->min_free_memory) {
		strbuf_addstr(why, "min-free-memory: less than ");
		add_size(why, c->min_free_memory);
		strbuf_addstr(why, " of memory available");
		add_size(detail, v);
		strbuf_addstr(detail, " available");
		return 1;
	}
	if (c->min_free_disk && !free_disk(e->s->wt_parent, &v) && v < c->min_free_disk) {
		strbuf_addstr(why, "min-free-disk: less than ");
		add_size(why, c->min_free_disk);
		strbuf_addf(why, " free on the worktrees' filesystem ('%s')", e->s->wt_parent);
		add_size(detail, v);
		strbuf_addstr(detail, " free");
		return 1;
	}
	return 0;
}

/* Count the time task i was held back, up to now. */
static void count_wait(struct run_engine *e, size_t i, double now)
{
	if (e->wait_since[i] && now > e->wait_since[i])
		e->s->st[i].wait_time += now - e->wait_since[i];
	if (e->wait_since[i])
		e->wait_since[i] = now;
}

/* Task i could start but is held back: say why (once), count the time. */
static void hold(struct run_engine *e, size_t i, const char *why, double now)
{
	struct task_status *st = &e->s->st[i];

	e->held[i] = 1;
	if (!e->wait_since[i])
		e->wait_since[i] = now;
	if (st->waiting && !strcmp(st->waiting, why) && st->state == TS_PENDING)
		return;
	/* a task failed or interrupted by an earlier run waits as pending */
	if (st->state != TS_PENDING)
		set_state(e, i, TS_PENDING, NULL);
	task_status_set(&st->reason, NULL);
	count_wait(e, i, now);
	task_status_set(&st->waiting, why);
	save(e, i);
	emit(e, RUN_EV_WAITING, i, why);
}

/* Task i is no longer held back (it starts, waits for a slot, or the run ends). */
static void unhold(struct run_engine *e, size_t i, double now)
{
	struct task_status *st = &e->s->st[i];

	if (!e->wait_since[i] && !st->waiting)
		return;
	count_wait(e, i, now);
	e->wait_since[i] = 0;
	e->held[i] = 0;
	task_status_set(&st->waiting, NULL);
	if (st->state != TS_RUNNING)
		save(e, i);
}

/* The environment of a precheck: the task's variables, as its command gets them. */
static void precheck_env(struct run_engine *e, size_t i, const git_oid *base, struct strlist *env)
{
	const struct task *t = &e->s->plan.tasks.v[i];
	struct task_status *st = &e->s->st[i];
	struct strbuf paths = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1], *prompt = session_prompt(e->s, t->id);
	size_t k;

	for (k = 0; k < t->paths.nr; k++)
		strbuf_addf(&paths, "%s%s", k ? "\n" : "", t->paths.v[k]);
	git_oid_tostr(hex, sizeof(hex), base);
	strlist_push_nodup(env, xstrfmt("GIT_PARALLEL_TASK_ID=%s", t->id));
	strlist_push_nodup(env, xstrfmt("GIT_PARALLEL_TITLE=%s", t->title));
	strlist_push_nodup(env, xstrfmt("GIT_PARALLEL_BRANCH=%s", short_ref(st->branch)));
	strlist_push_nodup(env, xstrfmt("GIT_PARALLEL_WORKTREE=%s", st->worktree));
	strlist_push_nodup(env, xstrfmt("GIT_PARALLEL_PROMPT=%s", prompt));
	strlist_push_nodup(env, xstrfmt("GIT_PARALLEL_BASE=%s", hex));
	strlist_push_nodup(env, xstrfmt("GIT_PARALLEL_PATHS=%s", paths.buf));
	strbuf_release(&paths);
	free(prompt);
}

/* Put what a failed precheck said into the task's log. */
static void precheck_log(struct run_engine *e, size_t i, const char *why, const struct strbuf *out)
{
	struct task_status *st = &e->s->st[i];
	char *dir = xstrfmt("%s/logs", e->s->state), *when = state_iso_time(state_now());
	FILE *f;

	if (!mkdir_p(dir, 0777) && (f = fopen(st->log, "a"))) {
		fprintf(f, "### git parallel run: task %s, precheck, %s\n", st->id, when);
		fwrite(out->buf, 1, out->len, f);
		if (out->len && out->buf[out->len - 1] != '\n')
			fputc('\n', f);
		fprintf(f, "### git parallel run: task %s: %s\n", st->id, why);
		fclose(f);
	}
	free(dir);
	free(when);
}

/*
 * parallel.precheck for task i, about to start from base: 0 go, 1 not
 * now (held back), -1 the task failed, -2 we were interrupted meanwhile.
 */
static int precheck(struct run_engine *e, size_t i, const git_oid *base, double now)
{
	struct task_status *st = &e->s->st[i];
	struct strlist env = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	struct runner_capture_result res;
	struct runner_spec spec;
	const char **envv;
	size_t k;
	int ret = -1;

	precheck_env(e, i, base, &env);
	envv = xcalloc(env.nr + 1, sizeof(*envv));
	for (k = 0; k < env.nr; k++)
		envv[k] = env.v[k];
	memset(&spec, 0, sizeof(spec));
	spec.id = st->id;
	spec.command = e->s->cfg.precheck;
	spec.cwd = e->s->workdir;
	spec.env = envv;
	spec.timeout = PRECHECK_TIMEOUT;
	if (runner_capture(&spec, &out, PRECHECK_OUTPUT_MAX, &res) < 0) {
		strbuf_addstr(&why, "its precheck could not be started");
	} else if (res.interrupted) {
		/* the signal is ours to act on: stop as the runner would have told us */
		run_engine_stop(e, res.interrupted);
		ret = -2;
		goto out;
	} else if (res.exit_code == 0 && !res.spawn_failed) {
		e->checks[i] = 0;
		ret = 0;
		goto out;
	} else if (res.exit_code == 75) {
		double d = backoff_delay(e, e->checks[i]++);

		e->next_check[i] = now + d;
		strbuf_addstr(&why, "precheck: not now (exit 75); next check in ");
		strbuf_add_duration(&why, d);
		hold(e, i, why.buf, now);
		ret = 1;
		goto out;
	} else if (res.timed_out) {
		strbuf_addstr(&why, "its precheck timed out after ");
		strbuf_add_duration(&why, PRECHECK_TIMEOUT);
	} else if (res.signal) {
		strbuf_addf(&why, "its precheck was killed by signal %d", res.signal);
	} else {
		strbuf_addf(&why, "its precheck failed (exit %d)", res.exit_code);
	}
	/* any other answer: the task fails, with what the check said in its log */
	precheck_log(e, i, why.buf, &out);
	unhold(e, i, now);
	e->tries[i]++;
	set_state(e, i, TS_FAILED, why.buf);
	save(e, i);
	emit(e, RUN_EV_FAILED, i, st->reason);
	e->failed = 1;
out:
	free(envv);
	strlist_clear(&env);
	strbuf_release(&out);
	strbuf_release(&why);
	return ret;
}

/* Is some task held back now?  Then *due is when to look again (0: at the next poll). */
static int tasks_held(struct run_engine *e, double *due)
{
	size_t k;
	int any = 0;

	*due = e->backoff_until;
	for (k = 0; k < e->sel_nr; k++) {
		size_t i = e->sel[k];

		if (!e->held[i])
			continue;
		any = 1;
		if (e->next_check[i] && (!*due || e->next_check[i] < *due))
			*due = e->next_check[i];
	}
	return any;
}

/* Milliseconds to wait for the next event: tick_ms, or less when a gate opens sooner. */
static int wait_ms(struct run_engine *e, int tick_ms)
{
	double due, now = e->now();
	int ms = tick_ms;

	if (!tasks_held(e, &due))
		return tick_ms;
	if (ms < 0 || ms > GATE_POLL_MS)
		ms = GATE_POLL_MS;
	if (due > now && (due - now) * 1000 < ms)
		ms = (int)((due - now) * 1000) + 1;
	else if (due && due <= now)
		ms = 1;
	/* an idle pool gives up on time */
	due = e->idle_since + e->s->cfg.wait_timeout;
	if (e->idle_since && due > now && (due - now) * 1000 < ms)
		ms = (int)((due - now) * 1000) + 1;
	else if (e->idle_since && due <= now)
		ms = 1;
	return ms;
}

/* The last RETRY_ON_LINES lines of the task's log since its last attempt began: do they match retry-on? */
static int read_tail(const char *path, size_t max, struct strbuf *sb)
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t n;
	long size;

	if (!f)
		return -1;
	if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) > (long)max)
		fseek(f, size - (long)max, SEEK_SET);
	else
		rewind(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	fclose(f);
	return 0;
}

static int rate_limited(struct run_engine *e, size_t i)
{
	struct strbuf sb = STRBUF_INIT;
	pcre2_match_data *md = NULL;
	const char *p, *start, *hdr;
	int lines = 0, ret = 0;

	/* the end of a long log is enough: 20 lines, and this attempt's header before them */
	if (!e->retry_on || !e->s->st[i].log || read_tail(e->s->st[i].log, 256 * 1024, &sb) < 0)
		goto out;
	/* this attempt's part: after its header line */
	start = sb.buf;
	for (p = sb.buf; (hdr = strstr(p, "### git parallel run: task ")); p = hdr + 1) {
		const char *eol = strchr(hdr, '\n');

		const char *att = eol ? strstr(hdr, ", attempt ") : NULL;

		if ((hdr == sb.buf || hdr[-1] == '\n') && att && att < eol)
			start = eol + 1;
	}
	p = sb.buf + sb.len;
	if (p > start && p[-1] == '\n')
		p--;
	while (p > start && lines < RETRY_ON_LINES)
		if (*--p == '\n')
			lines++;
	if (*p == '\n')
		p++;
	md = pcre2_match_data_create_from_pattern(e->retry_on, NULL);
	ret = pcre2_match(e->retry_on, (PCRE2_SPTR)p, (PCRE2_SIZE)(sb.buf + sb.len - p), 0, 0, md, NULL) >= 0;
out:
	pcre2_match_data_free(md);
	strbuf_release(&sb);
	return ret;
}

/* A rate-limited attempt: the whole pool pauses (a pause under way is only made longer). */
static double start_backoff(struct run_engine *e)
{
	double now = e->now(), d;

	if (now < e->backoff_until)
		return e->backoff_until - now;
	d = backoff_delay(e, e->backoff_level++);
	e->backoff_until = now + d;
	e->backoff_len = d;
	return d;
}

/* Launch what can start now, up to the free slots. */
static void launch(struct run_engine *e)
{
	struct exec_start *v = NULL;
	struct strbuf gate = STRBUF_INIT, detail = STRBUF_INIT;
	size_t n = 0, k, slots, held = 0, running = e->ex->running(e->ex);
	double now = e->now();
	int pool_held, not_now = 0;

	memset(e->held, 0, e->s->plan.tasks.nr + 1);
	if (e->stopping || running >= e->opts.jobs)
		goto out;
	if (running && !load_ok(e))
		goto out;
	slots = e->opts.jobs - running;
	pool_held = pool_gate(e, now, &gate, &detail);
	v = xcalloc(slots, sizeof(*v));
	for (k = 0; k < e->sel_nr && n + held < slots && !e->stopping; k++) {
		size_t i = e->sel[k];
		struct task_status *st = &e->s->st[i];
		struct strbuf why = STRBUF_INIT;
		int ds;

		if (st->state == TS_RUNNING || run_state_finished(st->state) ||
		    (run_state_final_failure(st->state) && e->tries[i]) || st->state == TS_BLOCKED)
			continue;
		ds = deps_state(e, i, &why);
		if (ds < 0)
			block(e, i, why.buf);
		strbuf_release(&why);
		if (ds)
			continue;
		if (pool_held) {
			/* the tasks that would take the free slots wait */
			hold(e, i, gate.buf, now);
			held++;
			continue;
		}
		if (e->s->cfg.precheck && now < e->next_check[i]) {
			hold(e, i, st->waiting ? st->waiting : "precheck: not now (exit 75)", now);
			continue;
		}
		/* one "not now" per pass: it is most often the whole pool's budget */
		if (e->s->cfg.precheck && not_now)
			continue;
		if (task_base(e, i, &v[n].base) < 0)
			continue;
		if (e->s->cfg.precheck) {
			int pc = precheck(e, i, &v[n].base, now);

			not_now = pc == 1;
			if (pc)
				continue;
			now = e->now();
		}
		unhold(e, i, now);
		v[n++].task = i;
	}
	if (n)
		e->ex->prepare(e->ex, e, v, n);
	/* Ctrl-C while the worktrees were made: they stay, nothing starts */
	if (n && e->ex->signal_pending) {
		int sig = e->ex->signal_pending(e->ex);

		if (sig)
			run_engine_stop(e, sig);
	}
	for (k = 0; k < n; k++) {
		size_t i = v[k].task;

		if (!v[k].ok) {
			e->tries[i]++;
			set_state(e, i, TS_FAILED, v[k].why ? v[k].why : "cannot create the worktree");
			save(e, i);
			emit(e, RUN_EV_FAILED, i, e->s->st[i].reason);
			e->failed = 1;
		} else if (e->stopping) {
			/* a signal came while the worktrees were made: they stay, the tasks wait */
		} else {
			test_crash_point("run-after-worktree");
			start_task(e, i, &v[k].base);
		}
		free(v[k].why);
	}
out:
	/* held back before, not now: waiting for a slot (or started) is not waiting on a gate */
	for (k = 0; k < e->sel_nr; k++)
		if (e->wait_since[e->sel[k]] && !e->held[e->sel[k]])
			unhold(e, e->sel[k], now);
	free(v);
	strbuf_release(&gate);
	strbuf_release(&detail);
}

/*
 * Nothing runs and tasks are held back: wait, but not forever (nothing of
 * ours will free memory or disk).  1 when parallel.wait-timeout has passed:
 * the run stops, saying why.
 */
static int idle_too_long(struct run_engine *e)
{
	struct strbuf why = STRBUF_INIT, detail = STRBUF_INIT, msg = STRBUF_INIT;
	double now = e->now();
	size_t k;

	if (!e->idle_since)
		e->idle_since = now;
	if (now - e->idle_since < e->s->cfg.wait_timeout)
		return 0;
	if (!pool_gate(e, now, &why, &detail))
		for (k = 0; k < e->sel_nr && !why.len; k++)
			if (e->held[e->sel[k]] && e->s->st[e->sel[k]].waiting)
				strbuf_addstr(&why, e->s->st[e->sel[k]].waiting);
	strbuf_addstr(&msg, "no task can start and none is running: ");
	strbuf_add(&msg, why.buf, why.len);
	if (detail.len)
		strbuf_addf(&msg, " (%s)", detail.buf);
	strbuf_addstr(&msg, "; waited ");
	strbuf_add_duration(&msg, now - e->idle_since);
	strbuf_addstr(&msg, " (parallel.wait-timeout)");
	e->stopping = 1;
	e->failed = 1;
	emit(e, RUN_EV_STOPPING, (size_t)-1, msg.buf);
	for (k = 0; k < e->sel_nr; k++) {
		size_t i = e->sel[k];

		if (e->held[i] && e->s->st[i].waiting) {
			char *r = xstrfmt("never started: %s", e->s->st[i].waiting);

			task_status_set(&e->s->st[i].reason, r);
			free(r);
		}
	}
	strbuf_release(&why);
	strbuf_release(&detail);
	strbuf_release(&msg);
	return 1;
}

static void on_end(struct run_engine *e, const struct exec_end *end)
{
	size_t i = end->task;
	struct task_status *st = &e->s->st[i];
	struct strbuf why = STRBUF_INIT;
	struct run_event ev;
	unsigned int max = e->opts.retries + 1;
	git_oid head;

	st->finished = state_now();
	st->task_time += end->duration;
	st->exit_code = end->exit_code;
	st->pid = 0;
	st->pid_start = 0;
	memset(&ev, 0, sizeof(ev));
	ev.task = i;
	ev.duration = end->duration;
	if (e->stopping && !end->timed_out && end->exit_code != 0) {
		set_state(e, i, TS_INTERRUPTED, "interrupted; run again to resume");
		ev.kind = RUN_EV_INTERRUPTED;
		goto out;
	}
	if (!end->timed_out && end->exit_code == 0) {
		if (e->ex->finish(e->ex, e, i, &head, &why) == 0) {
			char hex[GIT_OID_HEXSZ + 1];

			task_status_set(&st->head, git_oid_tostr(hex, sizeof(hex), &head));
			session_task_work_record(e->s, i);	/* status reads these counts */
			check_cache_footprint(e->s, i);		/* and check this footprint */
			test_crash_point("run-after-commit");
			set_state(e, i, TS_DONE, NULL);
			e->backoff_level = 0;
			ev.kind = RUN_EV_DONE;
			goto out;
		}
		/* the command succeeded but left what we cannot take: no retry */
		set_state(e, i, TS_FAILED, why.buf);
		ev.kind = RUN_EV_FAILED;
		ev.reason = st->reason;
		e->failed = 1;
		goto out;
	}
	if (end->timed_out) {
		strbuf_addstr(&why, "timed out after ");
		strbuf_add_duration(&why, end->duration);
		set_state(e, i, TS_TIMED_OUT, why.buf);
	} else if (end->signal) {
		strbuf_addf(&why, "killed by signal %d after ", end->signal);
		strbuf_add_duration(&why, end->duration);
		set_state(e, i, TS_FAILED, why.buf);
	} else {
		strbuf_addf(&why, "exit %d after ", end->exit_code);
		strbuf_add_duration(&why, end->duration);
		if (end->exit_code == 127)
			strbuf_addstr(&why, " (command not found?)");
		set_state(e, i, TS_FAILED, why.buf);
	}
	ev.reason = st->reason;
	if (!end->timed_out && !end->signal && !e->stopping && rate_limited(e, i)) {
		if (e->backoffs[i] < e->s->cfg.max_backoffs) {
			/* not a consumed attempt: the pool pauses, the task waits its turn again */
			double d = start_backoff(e);

			/*
			 * held back from now on: counted even when the pool looks
			 * again only after the pause (a loaded machine)
			 */
			if (!e->wait_since[i])
				e->wait_since[i] = e->now();
			e->backoffs[i]++;
			e->tries[i]--;
			strbuf_reset(&why);
			strbuf_addf(&why, "rate limited (its log matches parallel.retry-on); the pool pauses for ");
			strbuf_add_duration(&why, d);
			strbuf_addf(&why, " (backoff %u of %u)", e->backoffs[i], e->s->cfg.max_backoffs);
			set_state(e, i, TS_PENDING, why.buf);
			ev.kind = RUN_EV_BACKOFF;
			ev.reason = st->reason;
			ev.duration = d;
			goto out;
		}
		strbuf_addf(&why, "; rate limited %u times (parallel.max-backoffs)", e->backoffs[i]);
		set_state(e, i, TS_FAILED, why.buf);
		ev.reason = st->reason;
	}
	if (e->tries[i] < max && !e->stopping) {
		ev.kind = RUN_EV_RETRY;
		ev.attempt = e->tries[i] + 1;
		ev.max = max;
		set_state(e, i, TS_PENDING, why.buf);
		ev.reason = st->reason;
		goto out;
	}
	ev.kind = RUN_EV_GAVE_UP;
	ev.log = st->log;
	e->failed = 1;
out:
	save(e, i);
	emit_ev(e, &ev);
	if (ev.kind == RUN_EV_GAVE_UP && e->opts.fail_fast && !e->stopping) {
		e->stopping = 1;
		e->terminate = 1;
		emit(e, RUN_EV_STOPPING, (size_t)-1, "--fail-fast");
	}
	strbuf_release(&why);
}

static void on_stopped(const struct exec_end *end, void *cb)
{
	struct run_engine *e = cb;
	size_t i = end->task;
	struct task_status *st = &e->s->st[i];
	struct run_event ev;

	st->finished = state_now();
	st->task_time += end->duration;
	st->exit_code = end->exit_code;
	st->pid = 0;
	st->pid_start = 0;
	set_state(e, i, TS_INTERRUPTED, "interrupted; run again to resume");
	save(e, i);
	memset(&ev, 0, sizeof(ev));
	ev.kind = RUN_EV_INTERRUPTED;
	ev.task = i;
	ev.duration = -1;
	emit_ev(e, &ev);
}

/* Tasks left running by a run that died: stop them before starting again. */
static void stop_orphans(struct run_engine *e)
{
	struct strbuf why = STRBUF_INIT;
	size_t k;
	int ret;

	for (k = 0; k < e->sel_nr; k++) {
		size_t i = e->sel[k];
		struct task_status *st = &e->s->st[i];
		struct run_event ev;

		if (st->died) {
			/* its group died with the run: only its git locks may be left */
			st->died = 0;
			strbuf_reset(&why);
			if (!e->ex->clear_locks || !e->ex->clear_locks(e->ex, st, &why))
				continue;
			e->tries[i]++;
			set_state(e, i, TS_FAILED, why.buf);
			save(e, i);
			emit(e, RUN_EV_FAILED, i, st->reason);
			e->failed = 1;
			continue;
		}
		if (!st->orphaned)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.kind = RUN_EV_ORPHAN;
		ev.task = i;
		ev.pid = st->pid;
		emit_ev(e, &ev);
		strbuf_reset(&why);
		ret = e->ex->stop_orphan(e->ex, st, &why);
		st->orphaned = 0;
		st->pid = 0;
		st->pid_start = 0;
		if (ret < 0) {
			/* not started again in this run, as when its worktree cannot be made */
			e->tries[i]++;
			set_state(e, i, TS_FAILED, why.len ? why.buf : "its command left running cannot be stopped");
			save(e, i);
			emit(e, RUN_EV_FAILED, i, st->reason);
			e->failed = 1;
			continue;
		}
		set_state(e, i, TS_INTERRUPTED, "interrupted; run again to resume");
		save(e, i);
	}
	strbuf_release(&why);
}

int run_engine_run(struct run_engine *e)
{
	size_t k;

	stop_orphans(e);
	for (;;) {
		struct exec_end end;

		double due;

		launch(e);
		if (!e->ex->running(e->ex)) {
			/* nothing runs: done, unless tasks wait for a gate to open */
			if (e->stopping || !tasks_held(e, &due) || idle_too_long(e))
				break;
		} else {
			e->idle_since = 0;
		}
		memset(&end, 0, sizeof(end));
		if (e->ex->wait(e->ex, &end, wait_ms(e, e->opts.tick_ms)) < 0)
			return -1;
		switch (end.kind) {
		case EXEC_ENDED:
			on_end(e, &end);
			break;
		case EXEC_INTERRUPTED:
			run_engine_stop(e, end.sig);
			break;
		case EXEC_TICK:
			emit(e, RUN_EV_TICK, (size_t)-1, NULL);
			break;
		}
		/* a signal, --fail-fast, or the front-end's output gone: stop what runs */
		if (e->terminate && e->ex->running(e->ex))
			e->ex->stop_all(e->ex, on_stopped, e);
	}
	/* what never got to start */
	for (k = 0; k < e->sel_nr; k++) {
		size_t i = e->sel[k];
		struct task_status *st = &e->s->st[i];

		unhold(e, i, e->now());

		if (st->state == TS_PENDING && !e->stopping) {
			set_state(e, i, TS_BLOCKED, "could not start");
			save(e, i);
		}
		if (!run_state_finished(st->state))
			e->failed = 1;
	}
	return 0;
}

/* The local executor: worktree.c and runner.c */

struct local {
	struct runner runner;
	int runner_up;
};

/* The admin directory of task i's worktree (caller frees). */
static char *wt_admin(struct run_engine *e, size_t i)
{
	const char *g = e->s->gitdir;
	size_t n = strlen(g);

	return xstrfmt("%.*s/worktrees/%s", (int)(n && g[n - 1] == '/' ? n - 1 : n), g, e->s->st[i].id);
}

static void log_append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/*
 * parallel.copy and parallel.share into task i's new worktree, once: the
 * marker goes after both are done.  0, or -1 (reported).
 */
static int prepare_files(struct run_engine *e, size_t i)
{
	const struct config *cfg = &e->s->cfg;
	struct task_status *st = &e->s->st[i];
	char *admin = wt_admin(e, i), *logdir = xstrfmt("%s/logs", e->s->state);
	struct strbuf log = STRBUF_INIT;
	int ret = 0;

	if ((!cfg->copy.nr && (!cfg->share.nr || cfg->share_mode == CONFIG_SHARE_OFF)) ||
	    prepare_has_mark(admin, PREPARE_MARK_FILES))
		goto out;
	ret = prepare_copy(e->s->workdir, st->worktree, admin, &cfg->copy, &log);
	if (!ret)
		ret = prepare_share(e->s->workdir, st->worktree, e->s->gitdir, admin,
				    &cfg->share, cfg->share_mode, &log);
	if (!ret)
		ret = prepare_set_mark(admin, PREPARE_MARK_FILES, "done\n");
	if (log.len && !mkdir_p(logdir, 0777))
		log_append(st->log, log.buf);
out:
	strbuf_release(&log);
	free(logdir);
	free(admin);
	return ret;
}

static void local_prepare(struct executor *ex, struct run_engine *e, struct exec_start *v, size_t nr)
{
	struct wt_request *reqs = xcalloc(nr, sizeof(*reqs));
	struct strlist *dirs = xcalloc(nr, sizeof(*dirs));
	size_t k;

	for (k = 0; k < nr; k++) {
		struct task_status *st = &e->s->st[v[k].task];

		reqs[k].name = task_fs_name(st->id);	/* "a/T001": worktree "a+T001" */
		reqs[k].branch = st->branch;
		reqs[k].base = v[k].base;
		reqs[k].path = st->worktree;
		strlist_init(&dirs[k]);
		if (e->s->cfg.sparse)
			reqs[k].sparse = prepare_sparse_dirs(&e->s->plan.tasks.v[v[k].task].paths,
							     &e->s->cfg.sparse_always, &dirs[k]);
		reqs[k].sparse_dirs = &dirs[k];
	}
	worktree_create_many(e->s->gitdir, reqs, nr, (int)nr);
	for (k = 0; k < nr; k++) {
		v[k].ok = reqs[k].ok;
		if (!reqs[k].ok)
			v[k].why = xstrdup(reqs[k].error ? reqs[k].error : "cannot create the worktree");
		else if (prepare_files(e, v[k].task) < 0) {
			v[k].ok = 0;
			v[k].why = xstrdup("cannot copy or share files into its worktree");
		}
		wt_request_release(&reqs[k]);
		strlist_clear(&dirs[k]);
		free((char *)reqs[k].name);
	}
	free(dirs);
	free(reqs);
}

/* The prompt file: the task's text, its paths, its owner area, what not to touch. */
static int write_prompt(struct run_engine *e, size_t i, const char *path)
{
	const struct plan *p = &e->s->plan;
	const struct task *t = &p->tasks.v[i];
	struct strbuf sb = STRBUF_INIT, others = STRBUF_INIT;
	struct strmap seen = STRMAP_INIT;
	char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	size_t k, m;
	int ret;

	strbuf_addf(&sb, "# Task %s: %s\n\n%s\n", t->id, t->title, t->text ? t->text : t->title);
	if (t->story)
		strbuf_addf(&sb, "\nStory: %s\n", t->story);
	strbuf_addstr(&sb, "\n## Paths this task owns\n\n");
	if (!t->paths.nr)
		strbuf_addstr(&sb, "(none declared)\n");
	for (k = 0; k < t->paths.nr; k++)
		strbuf_addf(&sb, "- %s\n", t->paths.v[k]);
	if (p->pt[i].owner)
		strbuf_addf(&sb, "\n## Owner area\n\n%s\n", p->pt[i].owner);
	for (k = 0; k < t->paths.nr; k++)
		strmap_put(&seen, t->paths.v[k], NULL, NULL);
	/* what the tasks that may run at the same time declared */
	for (k = 0; k < p->tasks.nr; k++) {
		if (k == i || !plan_task_active(p, k) || p->pt[k].wave != p->pt[i].wave)
			continue;
		for (m = 0; m < p->tasks.v[k].paths.nr; m++) {
			const char *q = p->tasks.v[k].paths.v[m];
			int found;

			strmap_put(&seen, q, NULL, &found);
			if (!found)
				strbuf_addf(&others, "- %s (task %s)\n", q, p->tasks.v[k].id);
		}
	}
	if (others.len)
		strbuf_addf(&sb, "\n## Do not touch (other tasks running alongside own these)\n\n%s", others.buf);
	strbuf_addf(&sb, "\nWork only in this worktree, on branch %s%s.\n", e->s->cfg.branch_prefix, t->id);
	/* prompts/ is private: task text may be sensitive */
	ret = mkdir_p(dir, 0700);
	if (!ret && chmod(dir, 0700) < 0)
		ret = error_errno("cannot make '%s' private", dir);
	if (!ret)
		ret = write_file_atomic(path, sb.buf, sb.len, 0600);
	free(dir);
	strmap_clear(&seen);
	strbuf_release(&sb);
	strbuf_release(&others);
	return ret;
}

static void env_push(struct strlist *env, const char *name, const char *value)
{
	strlist_push_nodup(env, xstrfmt("%s=%s", name, value ? value : ""));
}

static int local_start(struct executor *ex, struct run_engine *e, size_t i, const git_oid *base,
		       long *pid, struct strbuf *why)
{
	struct local *l = ex->data;
	const struct task *t = &e->s->plan.tasks.v[i];
	struct task_status *st = &e->s->st[i];
	struct strlist env = STRLIST_INIT;
	struct strbuf paths = STRBUF_INIT;
	struct runner_spec spec;
	char *prompt = session_prompt(e->s, t->id), *logdir = xstrfmt("%s/logs", e->s->state);
	char hex[GIT_OID_HEXSZ + 1];
	const char **envv = NULL;
	size_t k;
	int ret = -1;

	git_oid_tostr(hex, sizeof(hex), base);
	if (write_prompt(e, i, prompt) < 0) {
		strbuf_addstr(why, "cannot write its prompt");
		goto out;
	}
	if (state_mkdir(logdir) < 0) {
		strbuf_addstr(why, "cannot make the log directory");
		goto out;
	}
	for (k = 0; k < t->paths.nr; k++)
		strbuf_addf(&paths, "%s%s", k ? "\n" : "", t->paths.v[k]);
	env_push(&env, "GIT_PARALLEL_TASK_ID", t->id);
	env_push(&env, "GIT_PARALLEL_TITLE", t->title);
	env_push(&env, "GIT_PARALLEL_BRANCH", short_ref(st->branch));
	env_push(&env, "GIT_PARALLEL_WORKTREE", st->worktree);
	env_push(&env, "GIT_PARALLEL_PROMPT", prompt);
	env_push(&env, "GIT_PARALLEL_BASE", hex);
	env_push(&env, "GIT_PARALLEL_PATHS", paths.buf);
	envv = xcalloc(env.nr + 1, sizeof(*envv));
	for (k = 0; k < env.nr; k++)
		envv[k] = env.v[k];
	{
		/* a header in the log, so attempts can be told apart */
		/* 0600: the log holds task text and the command's output */
		int fd = open(st->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;

		if (!f && fd >= 0)
			close(fd);

		if (f) {
			char *when = state_iso_time(st->started);

			fprintf(f, "### git parallel run: task %s, attempt %u, %s\n", t->id, st->attempts, when);
			free(when);
			fclose(f);
		}
	}
	if (e->s->cfg.setup) {
		char *admin = wt_admin(e, i);

		if (!prepare_has_mark(admin, PREPARE_MARK_SETUP)) {
			const struct config *cfg = &e->s->cfg;
			struct strbuf head = STRBUF_INIT;
			int rc;

			strbuf_addf(&head, "### setup (parallel.setup, %s:%d): %s\n",
				    cfg->setup_file ? cfg->setup_file : "?", cfg->setup_line, cfg->setup);
			log_append(st->log, head.buf);
			strbuf_release(&head);
			rc = prepare_run(cfg->setup, st->worktree, envv, st->log);
			if (rc) {
				if (rc > 0)
					strbuf_addf(why, "setup failed (exit %d; see %s)", rc, st->log);
				else
					strbuf_addstr(why, "setup failed (it could not be started)");
				free(admin);
				goto out;
			}
			if (prepare_set_mark(admin, PREPARE_MARK_SETUP, "done\n") < 0) {
				strbuf_addstr(why, "setup succeeded but cannot be recorded");
				free(admin);
				goto out;
			}
		}
		free(admin);
	}
	memset(&spec, 0, sizeof(spec));
	spec.id = t->id;
	spec.command = run_task_command(e, i);
	spec.cwd = st->worktree;
	spec.log_path = st->log;
	spec.env = envv;
	spec.timeout = e->opts.timeout;
	spec.data = (void *)(i + 1);
	spec.hold = 1;	/* until local_go(): its pid is saved first */
	if (runner_start(&l->runner, &spec) < 0) {
		strbuf_addstr(why, "the command could not be started");
		goto out;
	}
	*pid = (long)runner_pid(&l->runner, t->id);
	ret = 0;
out:
	free(envv);
	strlist_clear(&env);
	strbuf_release(&paths);
	free(prompt);
	free(logdir);
	return ret;
}

static void local_go(struct executor *ex, struct run_engine *e, size_t i, int go)
{
	struct local *l = ex->data;

	runner_go(&l->runner, e->s->plan.tasks.v[i].id, go);
}

static size_t local_running(struct executor *ex)
{
	struct local *l = ex->data;

	return runner_running(&l->runner);
}

void exec_end_from_runner(struct exec_end *end, const struct runner_event *ev)
{
	end->task = (size_t)ev->data - 1;
	end->exit_code = ev->exit_code;
	end->signal = ev->signal;
	end->timed_out = ev->timed_out;
	end->duration = ev->duration;
}

static int local_wait(struct executor *ex, struct exec_end *end, int tick_ms)
{
	struct local *l = ex->data;
	struct runner_event ev;

	if (runner_wait(&l->runner, &ev, tick_ms) < 0)
		return -1;
	switch (ev.kind) {
	case RUNNER_EXITED:
		end->kind = EXEC_ENDED;
		exec_end_from_runner(end, &ev);
		break;
	case RUNNER_INTERRUPTED:
		end->kind = EXEC_INTERRUPTED;
		end->sig = ev.sig;
		break;
	case RUNNER_TICK:
		end->kind = EXEC_TICK;
		break;
	}
	return 0;
}

struct stop_cb {
	void (*fn)(const struct exec_end *end, void *cb);
	void *cb;
};

static void local_stopped(const struct runner_event *ev, void *cb)
{
	struct stop_cb *s = cb;
	struct exec_end end;

	memset(&end, 0, sizeof(end));
	end.kind = EXEC_ENDED;
	exec_end_from_runner(&end, ev);
	s->fn(&end, s->cb);
}

static void local_stop_all(struct executor *ex, void (*fn)(const struct exec_end *end, void *cb), void *cb)
{
	struct local *l = ex->data;
	struct stop_cb s = { fn, cb };

	runner_terminate_all(&l->runner, local_stopped, &s);
}

/*
 * What an agent can leave that must not be committed as the task's work:
 * a merge, rebase, cherry-pick, revert or bisect in progress, an index
 * with unmerged entries.  0 when none, else 1 with why.
 */
static int unfinished_business(git_repository *wt, struct strbuf *why)
{
	git_index *idx = NULL;
	int state = git_repository_state(wt), ret = 0;
	const char *what = NULL;

	switch (state) {
	case GIT_REPOSITORY_STATE_NONE:
		break;
	case GIT_REPOSITORY_STATE_MERGE:
		what = "a merge";
		break;
	case GIT_REPOSITORY_STATE_REVERT:
	case GIT_REPOSITORY_STATE_REVERT_SEQUENCE:
		what = "a revert";
		break;
	case GIT_REPOSITORY_STATE_CHERRYPICK:
	case GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE:
		what = "a cherry-pick";
		break;
	case GIT_REPOSITORY_STATE_BISECT:
		what = "a bisect";
		break;
	default:
		what = "a rebase or an am";
		break;
	}
	if (what) {
		strbuf_addf(why, "the command left %s in progress in its worktree", what);
		return 1;
	}
	if (git_repository_index(&idx, wt) == 0 && git_index_read(idx, 0) == 0 &&
	    git_index_has_conflicts(idx)) {
		strbuf_addstr(why, "the command left unmerged paths (conflicts) in its worktree's index");
		ret = 1;
	}
	git_index_free(idx);
	return ret;
}

/*
 * Conflict markers on lines the task added (git diff --check's rule): 1
 * and why when any.  A marker is conflict-marker-size (the attribute;
 * 7 by default) '<' or '>' followed by a space or the line's end: git.git
 * sets 32 for the documents and tests that show markers.
 */
struct markers {
	git_repository *wt;
	const char *path;
	size_t size;
	int open, close;
	struct strbuf *why;
};

static int is_marker(const char *line, size_t len, char c, size_t size)
{
	size_t k;

	if (len < size + 1)
		return 0;
	for (k = 0; k < size; k++)
		if (line[k] != c)
			return 0;
	return line[size] == ' ' || line[size] == '\t' || line[size] == '\n' || line[size] == '\r';
}

/* An added line of path (NUL-terminated, kept while m uses it): 1 and why once both markers are seen. */
static int marker_added(struct markers *m, const char *path, const char *line, size_t len)
{
	if (!m->path || strcmp(m->path, path)) {
		const char *v = NULL;
		long n;

		m->path = path;
		m->open = m->close = 0;
		m->size = 7;
		if (git_attr_get(&v, m->wt, 0, m->path, "conflict-marker-size") == 0 &&
		    git_attr_value(v) == GIT_ATTR_VALUE_STRING && (n = strtol(v, NULL, 10)) > 0 && n < 1024)
			m->size = (size_t)n;
		git_error_clear();
	}
	if (is_marker(line, len, '<', m->size))
		m->open = 1;
	if (is_marker(line, len, '>', m->size))
		m->close = 1;
	if (m->open && m->close) {
		strbuf_addf(m->why, "the command left conflict markers in '%s'", path);
		return 1;
	}
	return 0;
}

static int marker_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l, void *data)
{
	if (l->origin != GIT_DIFF_LINE_ADDITION)
		return 0;
	return marker_added(data, d->new_file.path, l->content, l->content_len);
}

/*
 * Take an flock() on the file at path (a shared one: a sweep, which wants
 * it exclusive, then leaves the file), as git has put it there.  The
 * descriptor, or -1 (no flock here).
 */
static int lock_scratch(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0)
		while (flock(fd, LOCK_SH) < 0)
			if (errno != EINTR) {
				close(fd);
				return -1;
			}
	return fd;
}

/* The new count of "@@ -<old>[,<n>] +<new>[,<n>] @@" (hunk lines added and kept), or -1. */
static long hunk_counts(const char *line, size_t len, long *old)
{
	const char *p = line + 3, *end = line + len;
	long n[2];
	int k;

	for (k = 0; k < 2; k++) {
		char *e;

		if (p >= end || *p != (k ? '+' : '-'))
			return -1;
		strtol(p + 1, &e, 10);
		n[k] = 1;
		if (*e == ',')
			n[k] = strtol(e + 1, &e, 10);
		if (e >= end || *e != ' ' || n[k] < 0)
			return -1;
		p = e + 1;
	}
	*old = n[0];
	return n[1];
}

/*
 * The files of conv (converted: a filter driver or a working-tree-encoding
 * applies) read as git reads them: git diff-index -p -U0 of the worktree
 * against start, on a scratch copy of its index where the new files of
 * conv are added with --intent-to-add (git diff shows them whole; nothing
 * is written to the worktree's index or the object database).  The copy
 * is gp-markers-index.tmp.<pid> in the worktree's git directory, under an
 * flock(): one a killed run left there is swept by the next scan, by
 * check, and goes with the worktree.  1 and why when markers were left, 0
 * when none, -1 when git could not say.
 */
static int git_markers(struct markers *m, const char *top, const char *start,
		       const struct strlist *conv, const struct strlist *added)
{
	static const char *const add[] = {
		"git", "--literal-pathspecs", "add", "--intent-to-add", NULL,
	};
	const char *const diff[] = {
		"git", "--literal-pathspecs", "diff-index", "-p", "-U0", "--no-color", "--no-ext-diff",
		"--no-textconv", "--no-renames", "--src-prefix=a/", "--dst-prefix=b/", start, NULL,
	};
	const char *gitdir = git_repository_path(m->wt);
	char *index = xstrfmt("%sindex", gitdir), *stem = xstrfmt("%sgp-markers-index", gitdir);
	char *scratch = tmp_path(stem), *env_entry = NULL;
	const char *env[2] = { NULL, NULL }, *name = NULL;
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	const char *p, *end;
	long old_left = 0, new_left = 0;
	size_t i;
	int fd, relock = -1, ret = -1;

	prune_gitdir_scratch(gitdir);	/* a killed run's copy */
	fd = tmp_open_locked(scratch, 0600);
	if (fd < 0)
		goto out;
	env_entry = xstrfmt("GIT_INDEX_FILE=%s", scratch);
	env[0] = env_entry;
	if (strbuf_read_file(&sb, index) < 0 || write_in_full(fd, sb.buf, sb.len) < 0)
		goto out;
	strbuf_reset(&sb);
	/* killed here: the copy stays, for a sweep */
	test_crash_point("run-markers-scan");
	if (added->nr) {
		if (convert_run_git_paths(top, add, added, env, &sb))
			goto out;
		strbuf_reset(&sb);
		/* git renamed its new index over the copy: hold that one */
		relock = lock_scratch(scratch);
	}
	if (convert_run_git_paths(top, diff, conv, env, &sb))
		goto out;
	ret = 0;
	/*
	 * "+++ b/<path>" names the file, in C quotes or with a tab after it
	 * when git says so (unquote_patch_name()); outside a hunk only (an
	 * added line may read "++ b/x").
	 */
	for (p = sb.buf, end = sb.buf + sb.len; p < end && !ret; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (old_left > 0 || new_left > 0) {
			if (p[0] == '+' || p[0] == ' ')
				new_left--;
			if (p[0] == '-' || p[0] == ' ')
				old_left--;
			if (p[0] == '+' && name)
				ret = marker_added(m, name, p + 1, len + (nl ? 1 : 0) - 1);
		} else if (len > 4 && !strncmp(p, "+++ ", 4)) {
			name = NULL;
			m->path = NULL;
			if (!unquote_patch_name(&path, p + 4, len - 4) && !strncmp(path.buf, "b/", 2))
				for (i = 0; i < conv->nr && !name; i++)
					if (!strcmp(conv->v[i], path.buf + 2))
						name = conv->v[i];
		} else if (len > 3 && !strncmp(p, "@@ ", 3) &&
			   (new_left = hunk_counts(p, len, &old_left)) < 0) {
			ret = -1;	/* git said what cannot be read: libgit2 reads them */
		}
		p += len + (nl ? 1 : 0);
	}
out:
	if (env_entry)
		unlink(scratch);
	if (relock >= 0)
		close(relock);
	if (fd >= 0)
		close(fd);
	free(scratch);
	free(stem);
	free(env_entry);
	free(index);
	strbuf_release(&sb);
	strbuf_release(&path);
	return ret;
}

static int conflict_markers(git_repository *wt, const char *start, struct strbuf *why)
{
	git_oid oid;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	struct markers m = { wt, NULL, 7, 0, 0, why };
	struct strlist conv = STRLIST_INIT;
	const char *top = git_repository_workdir(wt);
	size_t k;
	int ret = 0;

	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
		GIT_DIFF_SHOW_UNTRACKED_CONTENT;
	opts.context_lines = 0;
	if (!start || git_oid_fromstr(&oid, start) < 0 || git_commit_lookup(&c, wt, &oid) < 0 ||
	    git_commit_tree(&tree, c) < 0 ||
	    git_diff_tree_to_workdir_with_index(&diff, wt, tree, &opts) < 0)
		goto out;
	/*
	 * A file a filter driver or a working-tree-encoding converts: libgit2
	 * 1.5 reads its bytes as they are (UTF-16 hides every marker), git
	 * reads it through the conversion.  git is asked about those.
	 */
	if (top && convert_may_apply(wt, NULL) > 0) {
		struct strlist changed = STRLIST_INIT, added = STRLIST_INIT;
		struct strbuf ignored = STRBUF_INIT;

		for (k = 0; k < git_diff_num_deltas(diff); k++) {
			const git_diff_delta *d = git_diff_get_delta(diff, k);

			if (d->status != GIT_DELTA_DELETED && S_ISREG(d->new_file.mode))
				strlist_push(&changed, d->new_file.path);
		}
		if (changed.nr && convert_paths_of(&conv, wt, top, &changed, &ignored) < 0)
			strlist_clear(&conv);	/* git cannot say: libgit2 reads them all */
		for (k = 0; k < git_diff_num_deltas(diff); k++) {
			const git_diff_delta *d = git_diff_get_delta(diff, k);

			if ((d->status == GIT_DELTA_UNTRACKED || d->status == GIT_DELTA_ADDED) &&
			    strlist_has(&conv, d->new_file.path))
				strlist_push(&added, d->new_file.path);
		}
		if (conv.nr && (ret = git_markers(&m, top, start, &conv, &added)) < 0) {
			strlist_clear(&conv);	/* git cannot say: libgit2 reads them all */
			ret = 0;
		}
		strlist_clear(&changed);
		strlist_clear(&added);
		strbuf_release(&ignored);
	}
	/*
	 * Files the task deleted have no added line: skip their content (in a
	 * sparse worktree, every file outside the cone counts as deleted here).
	 */
	for (k = 0; !ret && k < git_diff_num_deltas(diff); k++) {
		git_patch *patch = NULL;

		if (git_diff_get_delta(diff, k)->status == GIT_DELTA_DELETED ||
		    strlist_has(&conv, git_diff_get_delta(diff, k)->new_file.path))
			continue;
		if (git_patch_from_diff(&patch, diff, k) < 0)
			break;
		if (patch && (git_patch_print(patch, marker_line, &m) == 1 || (m.open && m.close)))
			ret = 1;
		git_patch_free(patch);
	}
out:
	strlist_clear(&conv);
	git_diff_free(diff);
	git_tree_free(tree);
	git_commit_free(c);
	return ret;
}

/*
 * The command deleted the worktree of task id: drop its admin entry, which
 * git worktree list now shows as prunable (worktree_prune_gone(): in an
 * order a kill cannot make debris of; not when locked).  The branch and
 * its commits stay.
 */
static void prune_gone_worktree(git_repository *repo, const char *id)
{
	char *name = task_fs_name(id);

	if (worktree_prune_gone(repo, name) < 0)
		warning("cannot prune the worktree entry of task '%s' (see above)", id);
	free(name);
}

static int local_finish(struct executor *ex, struct run_engine *e, size_t i, git_oid *out,
			struct strbuf *why)
{
	const struct task *t = &e->s->plan.tasks.v[i];
	struct task_status *st = &e->s->st[i];
	git_repository *wt = NULL;
	git_reference *head = NULL;
	int committed = 0, ret = -1;

	if (access(st->worktree, F_OK) < 0) {
		strbuf_addf(why, "its worktree '%s' is gone", st->worktree);
		prune_gone_worktree(e->s->repo, t->id);
		goto out;
	}
	if (git_repository_open(&wt, st->worktree) < 0) {
		strbuf_addf(why, "its worktree '%s' is no longer a repository: %s",
			    st->worktree, gp_git_error());
		goto out;
	}
	if (git_repository_head(&head, wt) < 0 || strcmp(git_reference_name(head), st->branch)) {
		strbuf_addf(why, "the command left its worktree on '%s' instead of '%s'",
			    head ? short_ref(git_reference_name(head)) : "a detached HEAD",
			    short_ref(st->branch));
		goto out;
	}
	if (unfinished_business(wt, why) || conflict_markers(wt, st->start, why))
		goto out;
	test_crash_point("run-before-commit");
	if (e->s->cfg.commit_auto) {
		/* with git itself: hooks, signing, the user's commit settings */
		char *msg = xstrfmt("%s: %s\n", t->id, t->title);
		char *msg_file = state_commit_msg_path(e->s->state, t->id);
		struct autocommit ac = { st->worktree, msg, msg_file, st->log };
		int rc = autocommit_run(&ac, &committed, why);

		free(msg);
		free(msg_file);
		if (rc)
			goto out;
	}
	if (git_reference_name_to_id(out, e->s->repo, st->branch) < 0) {
		strbuf_addf(why, "its branch '%s' is gone", short_ref(st->branch));
		goto out;
	}
	ret = 0;
out:
	git_reference_free(head);
	git_repository_free(wt);
	return ret;
}

static int local_signal_pending(struct executor *ex)
{
	struct local *l = ex->data;

	return runner_signal_pending(&l->runner);
}

/* Does process group pgid have a member that is not a zombie (from /proc)? */
static int group_has_live_member(long pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int live = 0;

	if (!d)
		return 1;	/* cannot tell: assume so */
	while (!live && (de = readdir(d))) {
		struct strbuf sb = STRBUF_INIT;
		char *path, *p;
		char state;
		long ppid, pgrp;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		path = xstrfmt("/proc/%s/stat", de->d_name);
		if (strbuf_read_file(&sb, path) >= 0 && (p = strrchr(sb.buf, ')')) &&
		    sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 &&
		    pgrp == pgid && state != 'Z' && state != 'X')
			live = 1;
		free(path);
		strbuf_release(&sb);
	}
	closedir(d);
	return live;
}

/* One git lock of an orphan's: where, and who holds it. */
struct orphan_lock {
	char *path;
	char *real;		/* canonical, as /proc/<pid>/fd shows it */
	struct timespec mtime;
	long holder;		/* a live process holding it open, or 0 */
};

/* path with its directory made canonical; NULL when the directory is gone. */
static char *canonical_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real, *out;

	if (!slash)
		return NULL;
	dir = xstrndup(path, slash - path);
	real = realpath(dir, NULL);
	out = real ? xstrfmt("%s%s", real, slash) : NULL;
	free(real);
	free(dir);
	return out;
}

/* Is path dir itself or below it? */
static int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (!path[n] || path[n] == '/');
}

/*
 * Who holds the locks, from /proc: a process other than us with a lock
 * open (a git command killed halfway holds nothing), or a git command
 * whose current directory is in the worktree (git commit -a with its
 * editor open keeps index.lock, but not open).  Returns the pid of such a
 * git command, or 0; sets each lock's holder.
 */
static long scan_lock_holders(struct orphan_lock *v, size_t nr, const char *worktree)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	long git_in_wt = 0, self = (long)getpid();
	char link[PATH_MAX + 1];

	if (!d)
		return -1;	/* cannot tell: as if held */
	while ((de = readdir(d))) {
		struct strbuf sb = STRBUF_INIT;
		char *p;
		long pid;
		DIR *fds;
		struct dirent *fe;
		ssize_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, NULL, 10);
		if (pid == self)
			continue;
		p = xstrfmt("/proc/%s/comm", de->d_name);
		if (!git_in_wt && strbuf_read_file(&sb, p) >= 0 && !strncmp(sb.buf, "git", 3) &&
		    strncmp(sb.buf, "git-parallel", 12)) {
			free(p);
			p = xstrfmt("/proc/%s/cwd", de->d_name);
			n = readlink(p, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				if (path_within(link, worktree))
					git_in_wt = pid;
			}
		}
		free(p);
		strbuf_release(&sb);
		p = xstrfmt("/proc/%s/fd", de->d_name);
		fds = opendir(p);
		free(p);
		if (!fds)
			continue;	/* gone, or not ours to see */
		while ((fe = readdir(fds))) {
			size_t k;

			if (fe->d_name[0] < '0' || fe->d_name[0] > '9')
				continue;
			p = xstrfmt("/proc/%s/fd/%s", de->d_name, fe->d_name);
			n = readlink(p, link, sizeof(link) - 1);
			free(p);
			if (n <= 0)
				continue;
			link[n] = '\0';
			for (k = 0; k < nr; k++)
				if (!v[k].holder && v[k].real && !strcmp(link, v[k].real))
					v[k].holder = pid;
		}
		closedir(fds);
	}
	closedir(d);
	return git_in_wt;
}

static int timespec_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/*
 * The orphan's group is gone (at end), but a git command of it killed
 * halfway (SIGKILL after the grace, or the OOM killer) leaves its locks:
 * index.lock and HEAD.lock of the task's worktree, the lock of its branch.
 * Every attempt after would fail on them ("Unable to create
 * '.../HEAD.lock': File exists").  A lock is the dead command's, and is
 * removed, only when it was written before the orphan's end and no live
 * process holds it (see scan_lock_holders()).  Otherwise it is someone's
 * -- a user committing by hand in the task's worktree -- and nothing is
 * removed: -1 with why naming the lock, the task must not start.
 */
static int clear_orphan_locks(const struct task_status *st, const struct timespec *end,
			      struct strbuf *why)
{
	static const char *const names[] = { "index.lock", "HEAD.lock" };
	struct orphan_lock v[ARRAY_SIZE(names) + 1];
	git_repository *wt = NULL;
	char *wt_real = NULL;
	size_t k, nr = 0;
	long git_pid;
	int ret = 0;

	memset(v, 0, sizeof(v));
	if (!st->worktree ||
	    git_repository_open_ext(&wt, st->worktree, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return 0;
	for (k = 0; k < ARRAY_SIZE(names); k++)
		v[nr++].path = xstrfmt("%s%s", git_repository_path(wt), names[k]);
	if (st->branch && !strncmp(st->branch, "refs/heads/", 11) && !strstr(st->branch, ".."))
		v[nr++].path = xstrfmt("%s%s.lock", git_repository_commondir(wt), st->branch);
	/* only the locks there are */
	for (k = 0; k < nr; k++) {
		struct stat sb;

		if (lstat(v[k].path, &sb) || !S_ISREG(sb.st_mode)) {
			free(v[k].path);
			v[k].path = NULL;
			continue;
		}
		v[k].mtime = sb.st_mtim;
		v[k].real = canonical_path(v[k].path);
	}
	for (k = 0; k < nr && !v[k].path; k++)
		;
	if (k == nr)
		goto out;

	wt_real = realpath(st->worktree, NULL);
	git_pid = scan_lock_holders(v, nr, wt_real ? wt_real : st->worktree);
	for (k = 0; k < nr && !ret; k++) {
		if (!v[k].path)
			continue;
		if (git_pid) {
			if (git_pid > 0)
				strbuf_addf(why, "its lock '%s' may be held by a git command running in "
					    "its worktree (pid %ld)", v[k].path, git_pid);
			else
				strbuf_addf(why, "its lock '%s' stays: no /proc to tell who holds it",
					    v[k].path);
			ret = -1;
		} else if (v[k].holder) {
			strbuf_addf(why, "its lock '%s' is held by a live process (pid %ld)",
				    v[k].path, v[k].holder);
			ret = -1;
		} else if (timespec_after(&v[k].mtime, end)) {
			strbuf_addf(why, "its lock '%s' was written after its command ended",
				    v[k].path);
			ret = -1;
		}
	}
	if (ret)
		strbuf_addstr(why, "; if no git command is running there, remove the lock file");
	/* all of them the dead command's, or none removed */
	for (k = 0; k < nr && !ret; k++)
		if (v[k].path)
			unlink(v[k].path);
out:
	for (k = 0; k < nr; k++) {
		free(v[k].path);
		free(v[k].real);
	}
	free(wt_real);
	git_repository_free(wt);
	return ret;
}

static int local_stop_orphan(struct executor *ex, struct task_status *st, struct strbuf *why)
{
	struct timespec end;
	int waited;

	(void)ex;
	if (!state_group_alive(st->pid, st->pid_start))
		goto locks;
	/* the whole group gets the grace, as in a run's own stop */
	kill(-(pid_t)st->pid, SIGTERM);
	for (waited = 0; waited < 50 && state_group_alive(st->pid, st->pid_start); waited++)
		usleep(100000);
	if (state_group_alive(st->pid, st->pid_start))
		kill(-(pid_t)st->pid, SIGKILL);
	for (waited = 0; waited < 50 && state_group_alive(st->pid, st->pid_start); waited++)
		usleep(100000);
	/* zombies nobody reaps (init in a container) keep the group; they hold nothing */
	if (st->pid > 0 && group_has_live_member(st->pid))
		return 0;
locks:
	/* seen gone: a lock written after now is not the orphan's */
	clock_gettime(CLOCK_REALTIME, &end);
	return clear_orphan_locks(st, &end, why);
}

static int local_clear_locks(struct executor *ex, struct task_status *st, struct strbuf *why)
{
	struct timespec end;

	(void)ex;
	/* seen gone when this run loaded the states, moments ago: a lock written after is not its */
	clock_gettime(CLOCK_REALTIME, &end);
	return clear_orphan_locks(st, &end, why);
}

static void local_release(struct executor *ex)
{
	struct local *l = ex->data;

	if (l && l->runner_up)
		runner_release(&l->runner);
	free(l);
	ex->data = NULL;
}

int executor_local_init(struct executor *ex, double grace)
{
	struct local *l = xcalloc(1, sizeof(*l));

	memset(ex, 0, sizeof(*ex));
	ex->name = "local";
	ex->data = l;
	ex->prepare = local_prepare;
	ex->start = local_start;
	ex->go = local_go;
	ex->running = local_running;
	ex->wait = local_wait;
	ex->stop_all = local_stop_all;
	ex->finish = local_finish;
	ex->stop_orphan = local_stop_orphan;
	ex->clear_locks = local_clear_locks;
	ex->signal_pending = local_signal_pending;
	ex->release = local_release;
	if (runner_init(&l->runner, grace) < 0) {
		free(l);
		ex->data = NULL;
		return -1;
	}
	l->runner_up = 1;
	return 0;
}
