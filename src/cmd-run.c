/*
 * git parallel run: a branch and a worktree per task, a bounded pool of
 * task commands, state saved as it goes so that a second run resumes.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/output.h"
#include "gp/runner.h"
#include "gp/session.h"
#include "gp/worktree.h"

static const char *const usage_run[] = {
	"usage: git parallel run [<id>...] [-j <n>] [--timeout <d>] [--retries <n>] [--command <cmd>] [--dry-run] [--fail-fast] [--check]",
	NULL,
};

/* Grace period between SIGTERM and SIGKILL. */
#define GRACE_SECONDS 5.0

struct run {
	struct session s;
	size_t *sel;		/* selected tasks, plan order */
	size_t sel_nr;
	char *selected;		/* per plan task: selected */
	unsigned int *tries;	/* attempts made by this run */
	struct runner runner;
	unsigned int jobs, retries;
	double timeout;
	const char *command;	/* --command */
	int fail_fast, tty, stopping, failed;
	int save_failed;	/* a task's state could not be saved (disk full?) */
	double started;
	/* progress */
	int drawn;		/* lines drawn on the terminal last time */
};

static const char *task_command(const struct run *r, size_t i)
{
	if (r->s.plan.tasks.v[i].command)
		return r->s.plan.tasks.v[i].command;
	if (r->command)
		return r->command;
	return r->s.cfg.command;
}

static int is_finished(enum task_state st)
{
	return st == TS_DONE || st == TS_MERGED || st == TS_CONFLICT;
}

static int is_final_failure(enum task_state st)
{
	return st == TS_FAILED || st == TS_TIMED_OUT || st == TS_BLOCKED;
}

static void event(struct run *r, const char *fmt, ...) GP_PRINTF(2, 3);

/*
 * Save a task's state.  When that fails (the disk is full, the state
 * directory read-only), start nothing more: a task whose state cannot be
 * recorded would run untracked.
 */
static int save(struct run *r, size_t i)
{
	int ret = state_task_save(r->s.state, &r->s.st[i]);

	if (ret < 0 && !r->save_failed) {
		r->save_failed = 1;
		r->stopping = 1;
		event(r, "stopping: cannot save the state of task %s", r->s.st[i].id);
	}
	return ret;
}

/* progress: on a terminal, redraw a block of lines; off it, one line per event */

static void clear_progress(struct run *r)
{
	if (r->tty && r->drawn) {
		fprintf(stderr, "\033[%dA\033[J", r->drawn);
		r->drawn = 0;
	}
}

static void fmt_duration(struct strbuf *sb, double t)
{
	long s = (long)(t + 0.5);

	if (t < 10)
		strbuf_addf(sb, "%.1fs", t);
	else if (s < 3600)
		strbuf_addf(sb, "%ld:%02ld", s / 60, s % 60);
	else
		strbuf_addf(sb, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

static void draw_progress(struct run *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t k, done = 0, running = 0;
	double now = state_now();
	int cols = output_columns(stderr), width = 30, filled;

	if (!r->tty)
		return;
	clear_progress(r);
	for (k = 0; k < r->sel_nr; k++) {
		size_t i = r->sel[k];
		struct task_status *st = &r->s.st[i];

		if (is_finished(st->state) || is_final_failure(st->state))
			done++;
		if (st->state != TS_RUNNING)
			continue;
		running++;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "  %-8s ", st->id);
		fmt_duration(&sb, now - st->started);
		strbuf_addf(&sb, "  %s", r->s.plan.tasks.v[i].title);
		if (cols > 10 && (int)sb.len > cols - 1)
			strbuf_setlen(&sb, (size_t)cols - 1);
		fprintf(stderr, "%s\n", sb.buf);
		r->drawn++;
	}
	filled = r->sel_nr ? (int)(width * done / r->sel_nr) : width;
	strbuf_reset(&sb);
	strbuf_addch(&sb, '[');
	for (k = 0; k < (size_t)width; k++)
		strbuf_addch(&sb, (int)k < filled ? '#' : '.');
	strbuf_addf(&sb, "] %zu/%zu finished, %zu running, ", done, r->sel_nr, running);
	fmt_duration(&sb, now - r->started);
	fprintf(stderr, "%s\n", sb.buf);
	r->drawn++;
	strbuf_release(&sb);
}

static void event(struct run *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	clear_progress(r);
	fprintf(stderr, "%s\n", sb.buf);
	strbuf_release(&sb);
	draw_progress(r);
}

/* The prompt file: the task's text, its paths, its owner area, what not to touch. */
static int write_prompt(struct run *r, size_t i, const char *path)
{
	const struct plan *p = &r->s.plan;
	const struct task *t = &p->tasks.v[i];
	struct strbuf sb = STRBUF_INIT, others = STRBUF_INIT;
	struct strmap seen = STRMAP_INIT;
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
	strbuf_addf(&sb, "\nWork only in this worktree, on branch %s%s.\n",
		    r->s.cfg.branch_prefix, t->id);
	{
		/* prompts/ is private: task text may be sensitive */
		char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));

		ret = mkdir_p(dir, 0700);
		if (!ret && chmod(dir, 0700) < 0)
			ret = error_errno("cannot make '%s' private", dir);
		free(dir);
	}
	if (!ret)
		ret = write_file_atomic(path, sb.buf, sb.len, 0600);
	strmap_clear(&seen);
	strbuf_release(&sb);
	strbuf_release(&others);
	return ret;
}

/* Dependencies of task i that must be finished before it starts. */
static int deps_state(struct run *r, size_t i, struct strbuf *why)
{
	const struct plan_task *pt = &r->s.plan.pt[i];
	size_t k;
	int waiting = 0;

	for (k = 0; k < pt->deps_nr; k++) {
		size_t d = pt->deps[k].task;
		enum task_state ds = r->s.st[d].state;

		if (is_finished(ds))
			continue;
		if (is_final_failure(ds) && (!r->selected[d] || r->tries[d] || ds == TS_BLOCKED)) {
			strbuf_addf(why, "waits for %s, which %s", r->s.plan.tasks.v[d].id,
				    ds == TS_BLOCKED ? "is blocked" :
				    ds == TS_TIMED_OUT ? "timed out" : "failed");
			return -1;
		}
		if (!r->selected[d]) {
			strbuf_addf(why, "waits for %s, which is %s and not selected to run",
				    r->s.plan.tasks.v[d].id, task_state_name(ds));
			return -1;
		}
		waiting = 1;
	}
	return waiting;
}

static int load_ok(struct run *r)
{
	double load[1];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (r->s.cfg.max_load <= 0 || getloadavg(load, 1) < 1)
		return 1;
	return load[0] / (double)(cpus > 0 ? cpus : 1) <= r->s.cfg.max_load;
}

static void env_push(struct strlist *env, const char *name, const char *value)
{
	strlist_push_nodup(env, xstrfmt("%s=%s", name, value ? value : ""));
}

/* Start one task whose worktree is ready. */
static int start_task(struct run *r, size_t i, const git_oid *base)
{
	const struct task *t = &r->s.plan.tasks.v[i];
	struct task_status *st = &r->s.st[i];
	struct strlist env = STRLIST_INIT;
	struct strbuf paths = STRBUF_INIT;
	struct runner_spec spec = { 0 };
	char *prompt = session_prompt(&r->s, t->id), *logdir = xstrfmt("%s/logs", r->s.state);
	char hex[GIT_OID_HEXSZ + 1];
	const char **envv = NULL;
	size_t k;
	int ret = -1;

	git_oid_tostr(hex, sizeof(hex), base);
	if (write_prompt(r, i, prompt) < 0 || mkdir_p(logdir, 0777) < 0)
		goto out;
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

	spec.id = t->id;
	spec.command = task_command(r, i);
	spec.cwd = st->worktree;
	spec.log_path = st->log;
	spec.env = envv;
	spec.timeout = r->timeout;
	spec.data = (void *)(i + 1);
	r->tries[i]++;
	st->attempts++;
	st->state = TS_RUNNING;
	st->started = state_now();
	st->finished = 0;
	st->exit_code = -1;
	st->run_pid = (long)getpid();
	task_status_set(&st->reason, NULL);
	{
		/* a header in the log, so attempts can be told apart */
		FILE *f = fopen(st->log, "a");

		if (f) {
			char *when = state_iso_time(st->started);

			fprintf(f, "### git parallel run: task %s, attempt %u, %s\n", t->id, st->attempts, when);
			free(when);
			fclose(f);
		}
	}
	if (runner_start(&r->runner, &spec) < 0) {
		st->state = TS_FAILED;
		task_status_set(&st->reason, "the command could not be started");
		save(r, i);
		goto out;
	}
	st->pid = (long)runner_pid(&r->runner, t->id);
	st->pid_start = state_pid_start(st->pid);
	save(r, i);
	test_crash_point("run-after-start");
	event(r, "%s started%s", t->id, st->attempts > 1 ? " again" : "");
	ret = 0;
out:
	free(envv);
	strlist_clear(&env);
	strbuf_release(&paths);
	free(prompt);
	free(logdir);
	return ret;
}

/* Launch what can start now, up to the free slots. */
static void launch(struct run *r)
{
	struct wt_request *reqs = NULL;
	git_oid *bases = NULL;
	size_t *which = NULL, n = 0, k, slots;
	size_t running = runner_running(&r->runner);

	if (r->stopping || running >= r->jobs)
		return;
	if (running && !load_ok(r))
		return;
	slots = r->jobs - running;
	reqs = xcalloc(slots, sizeof(*reqs));
	bases = xcalloc(slots, sizeof(*bases));
	which = xcalloc(slots, sizeof(*which));
	for (k = 0; k < r->sel_nr && n < slots; k++) {
		size_t i = r->sel[k], d;
		struct task_status *st = &r->s.st[i];
		struct strbuf why = STRBUF_INIT;
		const struct plan_task *pt = &r->s.plan.pt[i];
		git_oid *heads;
		struct strlist conflicts = STRLIST_INIT;
		int ds, mret;

		if (st->state == TS_RUNNING || is_finished(st->state) ||
		    (is_final_failure(st->state) && r->tries[i]) || st->state == TS_BLOCKED)
			continue;
		ds = deps_state(r, i, &why);
		if (ds < 0) {
			st->state = TS_BLOCKED;
			task_status_set(&st->reason, why.buf);
			save(r, i);
			event(r, "%s blocked: %s", st->id, why.buf);
			r->failed = 1;
		}
		strbuf_release(&why);
		if (ds)
			continue;
		/* the base: the pinned commit, or the merge of the dependencies' results */
		heads = xcalloc(pt->deps_nr + 1, sizeof(*heads));
		for (d = 0; d < pt->deps_nr; d++)
			git_oid_fromstr(&heads[d], r->s.st[pt->deps[d].task].head ?
					r->s.st[pt->deps[d].task].head : "");
		mret = worktree_merge_base(r->s.repo, &r->s.plan.base_oid, heads, pt->deps_nr,
					   &bases[n], &conflicts);
		free(heads);
		if (mret) {
			struct strbuf msg = STRBUF_INIT;

			if (mret > 0) {
				strbuf_addstr(&msg, "its dependencies' results conflict in");
				for (d = 0; d < conflicts.nr && d < 5; d++)
					strbuf_addf(&msg, " %s", conflicts.v[d]);
			} else {
				strbuf_addstr(&msg, "cannot merge its dependencies' results");
			}
			st->state = TS_BLOCKED;
			task_status_set(&st->reason, msg.buf);
			save(r, i);
			event(r, "%s blocked: %s", st->id, msg.buf);
			strbuf_release(&msg);
			strlist_clear(&conflicts);
			r->failed = 1;
			continue;
		}
		strlist_clear(&conflicts);
		reqs[n].name = st->id;
		reqs[n].branch = st->branch;
		reqs[n].base = bases[n];
		reqs[n].path = st->worktree;
		which[n++] = i;
	}
	if (n) {
		worktree_create_many(r->s.gitdir, reqs, n, (int)n);
		for (k = 0; k < n; k++) {
			size_t i = which[k];
			struct task_status *st = &r->s.st[i];

			if (!reqs[k].ok) {
				st->state = TS_FAILED;
				task_status_set(&st->reason, reqs[k].error ? reqs[k].error
						: "cannot create the worktree");
				r->tries[i]++;
				save(r, i);
				event(r, "%s failed: %s", st->id, st->reason);
				r->failed = 1;
				continue;
			}
			{
				char hex[GIT_OID_HEXSZ + 1];

				git_oid_tostr(hex, sizeof(hex), &bases[k]);
				task_status_set(&st->start, hex);
			}
			test_crash_point("run-after-worktree");
			start_task(r, i, &bases[k]);
		}
	}
	for (k = 0; k < n; k++)
		wt_request_release(&reqs[k]);
	free(reqs);
	free(bases);
	free(which);
}

/* The branch head after a successful command; commit what it left with commit = auto. */
static int finish_success(struct run *r, size_t i, struct strbuf *why)
{
	const struct task *t = &r->s.plan.tasks.v[i];
	struct task_status *st = &r->s.st[i];
	git_repository *wt = NULL;
	git_reference *head = NULL;
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];
	int committed = 0, ret = -1;

	if (access(st->worktree, F_OK) < 0) {
		strbuf_addf(why, "its worktree '%s' is gone", st->worktree);
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
	test_crash_point("run-before-commit");
	if (r->s.cfg.commit_auto) {
		char *msg = xstrfmt("%s: %s\n", t->id, t->title);

		ret = worktree_commit_all(st->worktree, msg, &committed, &oid);
		free(msg);
		if (ret < 0) {
			strbuf_addstr(why, "cannot commit what the command left");
			goto out;
		}
		ret = -1;
	}
	if (git_reference_name_to_id(&oid, r->s.repo, st->branch) < 0) {
		strbuf_addf(why, "its branch '%s' is gone", short_ref(st->branch));
		goto out;
	}
	git_oid_tostr(hex, sizeof(hex), &oid);
	task_status_set(&st->head, hex);
	test_crash_point("run-after-commit");
	ret = 0;
out:
	git_reference_free(head);
	git_repository_free(wt);
	return ret;
}

static void on_exit_event(struct run *r, const struct runner_event *ev)
{
	size_t i = (size_t)ev->data - 1;
	struct task_status *st = &r->s.st[i];
	struct strbuf why = STRBUF_INIT, d = STRBUF_INIT;
	unsigned int max = r->retries + 1;

	st->finished = state_now();
	st->task_time += ev->duration;
	st->exit_code = ev->exit_code;
	st->pid = 0;
	st->pid_start = 0;
	fmt_duration(&d, ev->duration);
	if (r->stopping && !ev->timed_out && ev->exit_code != 0) {
		st->state = TS_INTERRUPTED;
		task_status_set(&st->reason, "interrupted; run again to resume");
		event(r, "%s interrupted after %s", st->id, d.buf);
		goto out;
	}
	if (!ev->timed_out && ev->exit_code == 0) {
		if (finish_success(r, i, &why) == 0) {
			st->state = TS_DONE;
			event(r, "%s done in %s", st->id, d.buf);
			goto out;
		}
		/* the command succeeded but left a state we cannot take: no retry */
		st->state = TS_FAILED;
		task_status_set(&st->reason, why.buf);
		event(r, "%s failed: %s", st->id, why.buf);
		r->failed = 1;
		goto out;
	}
	if (ev->timed_out) {
		strbuf_addf(&why, "timed out after %s", d.buf);
		st->state = TS_TIMED_OUT;
	} else if (ev->signal) {
		strbuf_addf(&why, "killed by signal %d after %s", ev->signal, d.buf);
		st->state = TS_FAILED;
	} else {
		strbuf_addf(&why, "exit %d after %s", ev->exit_code, d.buf);
		if (ev->exit_code == 127)
			strbuf_addstr(&why, " (command not found?)");
		st->state = TS_FAILED;
	}
	task_status_set(&st->reason, why.buf);
	if (r->tries[i] < max && !r->stopping) {
		event(r, "%s %s; retrying (attempt %u of %u)", st->id, why.buf, r->tries[i] + 1, max);
		st->state = TS_PENDING;
		goto out;
	}
	event(r, "%s %s; see %s", st->id, why.buf, st->log);
	r->failed = 1;
	if (r->fail_fast && !r->stopping) {
		r->stopping = 1;
		event(r, "stopping: --fail-fast");
	}
out:
	save(r, i);
	strbuf_release(&why);
	strbuf_release(&d);
}

static void on_terminated(const struct runner_event *ev, void *cb)
{
	struct run *r = cb;
	size_t i = (size_t)ev->data - 1;
	struct task_status *st = &r->s.st[i];

	st->finished = state_now();
	st->task_time += ev->duration;
	st->exit_code = ev->exit_code;
	st->pid = 0;
	st->pid_start = 0;
	st->state = TS_INTERRUPTED;
	task_status_set(&st->reason, "interrupted; run again to resume");
	save(r, i);
	event(r, "%s interrupted", st->id);
}

/* Tasks left running by a run that died: stop them before starting again. */
static void stop_orphans(struct run *r)
{
	size_t k;

	for (k = 0; k < r->sel_nr; k++) {
		struct task_status *st = &r->s.st[r->sel[k]];
		int waited;

		if (!st->orphaned)
			continue;
		event(r, "%s: stopping the command left running by a run that is gone (pid %ld)",
		      st->id, st->pid);
		kill(-(pid_t)st->pid, SIGTERM);
		for (waited = 0; waited < 50 && state_pid_alive(st->pid, st->pid_start); waited++)
			usleep(100000);
		if (state_pid_alive(st->pid, st->pid_start))
			kill(-(pid_t)st->pid, SIGKILL);
		st->orphaned = 0;
		st->state = TS_INTERRUPTED;
		st->pid = 0;
		save(r, r->sel[k]);
	}
}

static void summary(struct run *r)
{
	size_t k, counts[TS_INTERRUPTED + 1] = { 0 };
	double wall = state_now() - r->started, task_time = 0;
	struct strbuf sb = STRBUF_INIT;
	int s;

	clear_progress(r);
	for (k = 0; k < r->sel_nr; k++) {
		size_t i = r->sel[k];

		counts[r->s.st[i].state]++;
		if (r->tries[i])
			task_time += r->s.st[i].task_time;
	}
	for (s = 0; s <= TS_INTERRUPTED; s++)
		if (counts[s])
			strbuf_addf(&sb, "%s%zu %s", sb.len ? ", " : "", counts[s],
				    task_state_name((enum task_state)s));
	printf("%s\n", sb.buf);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "wall ");
	fmt_duration(&sb, wall);
	strbuf_addstr(&sb, ", task time ");
	fmt_duration(&sb, task_time);
	if (wall > 0 && task_time > 0)
		strbuf_addf(&sb, ", speedup %.2fx", task_time / wall);
	printf("%s\n", sb.buf);
	strbuf_release(&sb);
}

static void dry_run(struct run *r)
{
	size_t k;

	for (k = 0; k < r->sel_nr; k++) {
		size_t i = r->sel[k];
		struct task_status *st = &r->s.st[i];
		const char *cmd = task_command(r, i);

		if (is_finished(st->state)) {
			printf("%-8s %s (already %s)\n", st->id, "skip", task_state_name(st->state));
			continue;
		}
		printf("%-8s wave %d  %s  %s\n", st->id, r->s.plan.pt[i].wave, short_ref(st->branch),
		       st->worktree);
		printf("%-8s   $ %s\n", "", cmd);
	}
}

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'r' },
		{ "command", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "fail-fast", no_argument, NULL, 'F' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run r;
	unsigned int u;
	int c, ret = 128, dry = 0, locked = 0, runner_up = 0, check = 0;
	long jobs = -1, retries = -1;
	double timeout = -1;
	size_t k;

	memset(&r, 0, sizeof(r));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hj:t:r:c:nFC", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return usage_with(usage_run, 0);
		case 'j':
			if (parse_uint(optarg, &u) < 0 || !u)
				return usage_error(usage_run, "-j needs a positive number, not '%s'", optarg);
			jobs = u;
			break;
		case 't':
			if (parse_duration(optarg, &timeout) < 0)
				return usage_error(usage_run, "--timeout needs a duration such as 90s, 30m or 2h, not '%s'", optarg);
			break;
		case 'r':
			if (parse_uint(optarg, &u) < 0)
				return usage_error(usage_run, "--retries needs a number, not '%s'", optarg);
			retries = u;
			break;
		case 'c':
			r.command = optarg;
			break;
		case 'n':
			dry = 1;
			break;
		case 'F':
			r.fail_fast = 1;
			break;
		case 'C':
			check = 1;
			break;
		case ':':
			return usage_error(usage_run, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(usage_run, "unknown option '%s'", argv[optind - 1]);
		}
	}

	if (session_open(&r.s, ctx->repo, ctx->config_path) < 0)
		goto out;
	if (session_select(&r.s, argc - optind, argv + optind, &r.sel, &r.sel_nr) < 0)
		goto out;
	r.jobs = jobs > 0 ? (unsigned int)jobs : r.s.cfg.jobs;
	if (!r.jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		r.jobs = n > 0 ? (unsigned int)n : 1;
	}
	r.retries = retries >= 0 ? (unsigned int)retries : r.s.cfg.retries;
	r.timeout = timeout >= 0 ? timeout : r.s.cfg.timeout;
	for (k = 0; k < r.sel_nr; k++)
		if (!task_command(&r, r.sel[k])) {
			error("no command for task '%s': set parallel.command, a task's command, or use --command",
			      r.s.plan.tasks.v[r.sel[k]].id);
			goto out;
		}

	if (!dry) {
		if (state_lock_acquire(r.s.state, "run") < 0)
			goto out;
		locked = 1;
	}
	if (session_load_status(&r.s) < 0)
		goto out;
	r.selected = xcalloc(r.s.plan.tasks.nr + 1, 1);
	r.tries = xcalloc(r.s.plan.tasks.nr + 1, sizeof(*r.tries));
	for (k = 0; k < r.sel_nr; k++) {
		size_t i = r.sel[k];
		struct task_status *st = &r.s.st[i];

		r.selected[i] = 1;
		free(st->branch);
		st->branch = session_branch(&r.s, st->id);
		free(st->worktree);
		st->worktree = session_worktree(&r.s, st->id);
		free(st->log);
		st->log = session_log(&r.s, st->id);
		/* what this run will try again */
		if (st->state == TS_BLOCKED)
			st->state = TS_PENDING;
	}
	if (dry) {
		dry_run(&r);
		ret = 0;
		goto out;
	}

	r.tty = isatty(2) && !getenv("NO_COLOR") ? output_columns(stderr) > 0 : 0;
	r.started = state_now();
	stop_orphans(&r);
	if (runner_init(&r.runner, GRACE_SECONDS) < 0)
		goto out;
	runner_up = 1;
	for (;;) {
		struct runner_event ev;

		launch(&r);
		if (!runner_running(&r.runner))
			break;
		if (runner_wait(&r.runner, &ev, r.tty ? 250 : 1000) < 0)
			break;
		switch (ev.kind) {
		case RUNNER_EXITED:
			on_exit_event(&r, &ev);
			if (r.stopping && r.fail_fast)
				runner_terminate_all(&r.runner, on_terminated, &r);
			break;
		case RUNNER_INTERRUPTED:
			r.stopping = 1;
			event(&r, "interrupted (%s): stopping the running tasks; run again to resume",
			      ev.sig == SIGINT ? "SIGINT" : "SIGTERM");
			runner_terminate_all(&r.runner, on_terminated, &r);
			break;
		case RUNNER_TICK:
			draw_progress(&r);
			break;
		}
	}
	/* what never got to start */
	for (k = 0; k < r.sel_nr; k++) {
		struct task_status *st = &r.s.st[r.sel[k]];

		if (st->state == TS_PENDING && !r.stopping) {
			st->state = TS_BLOCKED;
			task_status_set(&st->reason, "could not start");
			save(&r, r.sel[k]);
		}
		if (!is_finished(st->state))
			r.failed = 1;
	}
	summary(&r);
	ret = r.failed || r.stopping ? 1 : 0;
	if (r.save_failed) {
		error("the state of some tasks could not be saved (see above); run again when that is fixed");
		ret = 128;
	}
	if (check && !r.stopping) {
		/* what the tasks really changed, as 'git parallel check' reports it */
		char **av = xcalloc((size_t)(argc - optind) + 2, sizeof(*av));
		int k, cret;

		av[0] = "check";
		for (k = optind; k < argc; k++)
			av[k - optind + 1] = argv[k];
		printf("\n");
		fflush(stdout);
		cret = cmd_check(argc - optind + 1, av, ctx);
		free(av);
		if (cret > ret)
			ret = cret;
	}
out:
	if (runner_up)
		runner_release(&r.runner);
	if (locked)
		state_lock_release(r.s.state);
	free(r.sel);
	free(r.selected);
	free(r.tries);
	session_release(&r.s);
	return ret;
}
