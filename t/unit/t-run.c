/*
 * Unit tests for src/run.c: a fake executor drives the scheduler with no
 * process and no worktree.  Each test gets a real repository (one commit)
 * and a saved plan, because the engine saves every task state as it goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "gp/plan.h"
#include "gp/repo.h"
#include "gp/run.h"
#include "gp/session.h"
#include "gp/state.h"
#include "gp/util.h"
#include "tap.h"

/* the fake executor: ends tasks in start order, with scripted exit codes */
struct fake {
	size_t running[64], nr;
	size_t max_running;
	struct strbuf log;		/* "start T1\n" "end T1 0\n" ... */
	const char *fail;		/* "T2:1,0" style: exit codes per attempt of a task */
	const char *fail_prepare;	/* ID whose preparation fails */
	int interrupt_after;		/* starts after which wait() says SIGINT (0: never) */
	int starts;
	unsigned int attempt[64];
	const char *log_429;		/* "T2:2": the first 2 attempts of T2 log a 429 and exit 1 */
	struct run_engine *e;
};

/* The fake clock: time passes only when the engine waits. */
static double fake_time = 1000;

static double fake_now(void)
{
	return fake_time;
}

static int scripted_exit(struct fake *f, const char *id, unsigned int attempt)
{
	/* f->fail: "ID:c1,c2,...;ID2:..." ; attempts past the list exit 0 */
	const char *p = f->fail;
	size_t len = strlen(id);

	while (p && *p) {
		if (!strncmp(p, id, len) && p[len] == ':') {
			const char *q = p + len + 1;
			unsigned int k;

			for (k = 1; k < attempt && *q && *q != ';'; k++) {
				q = strpbrk(q, ",;");
				if (!q || *q == ';')
					return 0;
				q++;
			}
			return *q && *q != ';' ? atoi(q) : 0;
		}
		p = strchr(p, ';');
		if (p)
			p++;
	}
	return 0;
}

static void f_prepare(struct executor *ex, struct run_engine *e, struct exec_start *v, size_t nr)
{
	struct fake *f = ex->data;
	size_t k;

	for (k = 0; k < nr; k++) {
		const char *id = e->s->plan.tasks.v[v[k].task].id;

		v[k].ok = !f->fail_prepare || strcmp(id, f->fail_prepare);
		if (!v[k].ok)
			v[k].why = xstrdup("no room for the worktree");
	}
}

static int f_start(struct executor *ex, struct run_engine *e, size_t task, const git_oid *base,
		   long *pid, struct strbuf *why)
{
	struct fake *f = ex->data;

	f->running[f->nr++] = task;
	if (f->nr > f->max_running)
		f->max_running = f->nr;
	f->attempt[task]++;
	f->starts++;
	strbuf_addf(&f->log, "start %s @%.3f\n", e->s->plan.tasks.v[task].id, fake_time - 1000);
	if (f->log_429) {
		const char *id = e->s->plan.tasks.v[task].id;
		size_t len = strlen(id);

		if (!strncmp(f->log_429, id, len) && f->log_429[len] == ':' &&
		    f->attempt[task] <= (unsigned int)atoi(f->log_429 + len + 1)) {
			char *dir = xstrfmt("%s/logs", e->s->state);
			FILE *lf;

			mkdir_p(dir, 0777);
			lf = fopen(e->s->st[task].log, "a");
			if (lf) {
				fprintf(lf, "### git parallel run: task %s, attempt %u\nHTTP 429 Too Many Requests\n",
					id, f->attempt[task]);
				fclose(lf);
			}
			free(dir);
		}
	}
	*pid = 0;
	return 0;
}

static size_t f_running(struct executor *ex)
{
	return ((struct fake *)ex->data)->nr;
}

static void pop(struct fake *f, struct exec_end *end, size_t at)
{
	size_t task = f->running[at];

	memmove(f->running + at, f->running + at + 1, (f->nr - at - 1) * sizeof(*f->running));
	f->nr--;
	end->kind = EXEC_ENDED;
	end->task = task;
	end->duration = 0.5;
}

static int f_wait(struct executor *ex, struct exec_end *end, int tick_ms)
{
	struct fake *f = ex->data;
	const char *id;

	if (f->interrupt_after && f->starts >= f->interrupt_after) {
		f->interrupt_after = 0;
		end->kind = EXEC_INTERRUPTED;
		end->sig = 2;
		return 0;
	}
	if (!f->nr) {
		/* nothing runs: the engine waits for a gate; let the time pass */
		fake_time += (tick_ms < 0 ? 1000 : tick_ms) / 1000.0;
		end->kind = EXEC_TICK;
		return 0;
	}
	pop(f, end, 0);
	id = f->e->s->plan.tasks.v[end->task].id;
	end->exit_code = scripted_exit(f, id, f->attempt[end->task]);
	strbuf_addf(&f->log, "end %s %d\n", id, end->exit_code);
	return 0;
}

static void f_stop_all(struct executor *ex, void (*fn)(const struct exec_end *end, void *cb), void *cb)
{
	struct fake *f = ex->data;

	while (f->nr) {
		struct exec_end end;

		memset(&end, 0, sizeof(end));
		pop(f, &end, 0);
		end.exit_code = -1;
		end.signal = 15;
		strbuf_addf(&f->log, "stop %s\n", f->e->s->plan.tasks.v[end.task].id);
		fn(&end, cb);
	}
}

static int f_finish(struct executor *ex, struct run_engine *e, size_t task, git_oid *head,
		    struct strbuf *why)
{
	git_oid_cpy(head, &e->s->plan.base_oid);
	return 0;
}

static int f_stop_orphan(struct executor *ex, struct task_status *st, struct strbuf *why)
{
	return 0;
}

static void fake_init(struct executor *ex, struct fake *f)
{
	memset(ex, 0, sizeof(*ex));
	ex->name = "fake";
	ex->data = f;
	ex->prepare = f_prepare;
	ex->start = f_start;
	ex->running = f_running;
	ex->wait = f_wait;
	ex->stop_all = f_stop_all;
	ex->finish = f_finish;
	ex->stop_orphan = f_stop_orphan;
}

/* a repository with one commit, and a saved plan of md */
static git_repository *setup(const char *dir, const char *md)
{
	git_repository *repo = NULL;
	git_signature *sig = NULL;
	git_index *idx = NULL;
	git_oid tree_oid, commit_oid;
	git_tree *tree = NULL;
	struct plan p;
	struct ownership own;
	char *state;

	if (git_repository_init(&repo, dir, 0) < 0 || git_repository_index(&idx, repo) < 0 ||
	    git_index_write_tree(&tree_oid, idx) < 0 || git_tree_lookup(&tree, repo, &tree_oid) < 0 ||
	    git_signature_new(&sig, "T", "t@example.com", 1700000000, 0) < 0 ||
	    git_commit_create_v(&commit_oid, repo, "HEAD", sig, sig, NULL, "init", tree, 0) < 0) {
		printf("# cannot make a repository in %s\n", dir);
		return NULL;
	}
	ownership_init(&own);
	plan_init(&p);
	if (tasks_parse_markdown(&p.tasks, "tasks.md", md, strlen(md), 0) < 0 ||
	    tasks_validate(&p.tasks, "parallel/") < 0 || plan_build(&p, &own, 0) < 0)
		printf("# cannot build the plan\n");
	p.base_ref = xstrdup("refs/heads/main");
	git_oid_cpy(&p.base_oid, &commit_oid);
	p.created = xstrdup("2026-11-30T00:00:00Z");
	p.id = xstrdup("0011223344556677");
	state = repo_state_path(repo, NULL);
	if (state_save_plan(state, &p) < 0)
		printf("# cannot save the plan\n");
	free(state);
	plan_release(&p);
	ownership_release(&own);
	git_tree_free(tree);
	git_index_free(idx);
	git_signature_free(sig);
	return repo;
}

struct world {
	char dir[64];
	git_repository *repo;
	struct session s;
	size_t *sel, sel_nr;
	struct executor ex;
	struct fake f;
	struct run_engine e;
	struct strbuf events;
	double late;	/* seconds the engine is late after each backoff (a loaded machine) */
};

static void on_event(const struct run_event *ev, void *cb)
{
	struct world *w = cb;

	if (ev->kind == RUN_EV_BACKOFF)
		fake_time += w->late;
	if (ev->kind != RUN_EV_TICK)
		strbuf_addf(&w->events, "%d %s %s @%.1f\n", (int)ev->kind, ev->id ? ev->id : "-",
			    ev->reason ? ev->reason : "", fake_time - 1000);
}

static int world_open(struct world *w, const char *md, const struct run_opts *o)
{
	memset(w, 0, sizeof(*w));
	strcpy(w->dir, "/tmp/gp-t-run-XXXXXX");
	strbuf_init(&w->events, 0);
	strbuf_init(&w->f.log, 0);
	if (!mkdtemp(w->dir) || !(w->repo = setup(w->dir, md)) ||
	    session_open(&w->s, w->repo, NULL) < 0 || session_load_status(&w->s) < 0 ||
	    session_select(&w->s, 0, NULL, &w->sel, &w->sel_nr) < 0)
		return -1;
	fake_init(&w->ex, &w->f);
	run_engine_init(&w->e, &w->s, w->sel, w->sel_nr, o, &w->ex, on_event, w);
	w->e.now = fake_now;
	w->f.e = &w->e;
	return 0;
}

/* Set up again after changing the configuration (the engine compiles retry-on). */
static void world_reinit(struct world *w, const struct run_opts *o)
{
	run_engine_release(&w->e);
	run_engine_init(&w->e, &w->s, w->sel, w->sel_nr, o, &w->ex, on_event, w);
	w->e.now = fake_now;
	w->f.e = &w->e;
}

/* The fake time of "start ID" (the n-th, from 1), or -1. */
static double start_time(struct world *w, const char *id, int n)
{
	char *key = xstrfmt("start %s @", id);
	const char *p = w->f.log.buf;
	double t = -1;

	while (n-- > 0 && p && (p = strstr(p, key)))
		if (!n)
			t = atof(p + strlen(key));
		else
			p++;
	free(key);
	return t;
}

static void world_close(struct world *w)
{
	char *cmd = xstrfmt("rm -rf '%s'", w->dir);

	run_engine_release(&w->e);
	free(w->sel);
	session_release(&w->s);
	git_repository_free(w->repo);
	strbuf_release(&w->events);
	strbuf_release(&w->f.log);
	if (system(cmd))
		printf("# cannot remove %s\n", w->dir);
	free(cmd);
}

static enum task_state state_of(struct world *w, const char *id)
{
	long k = tasks_find(&w->s.plan.tasks, id);

	return k < 0 ? TS_SKIPPED : w->s.st[k].state;
}

/* the state as saved on disk, not as held in memory */
static enum task_state saved_state(struct world *w, const char *id)
{
	struct task_status st;
	enum task_state s;

	state_task_load(&st, w->s.state, id, NULL);
	s = st.state;
	task_status_release(&st);
	return s;
}

static size_t pos(const struct strbuf *log, const char *line)
{
	const char *p = strstr(log->buf, line);

	return p ? (size_t)(p - log->buf) : (size_t)-1;
}

static const char *md_deps =
	"- [ ] T1 [P] first in a.txt\n"
	"- [ ] T2 [P] second in b.txt\n"
	"- [ ] T3 [P] third in c.txt (depends on T1)\n";

static void test_dependencies(void)
{
	struct run_opts o = { 4, 0, 0, "fake", 0, -1 };
	struct world w;

	if (world_open(&w, md_deps, &o) < 0) {
		ok(0, "dependencies: set up");
		return;
	}
	ok(run_engine_run(&w.e) == 0, "dependencies: the engine runs");
	ok(state_of(&w, "T1") == TS_DONE && state_of(&w, "T2") == TS_DONE && state_of(&w, "T3") == TS_DONE,
	   "dependencies: every task done");
	ok(pos(&w.f.log, "end T1 0") < pos(&w.f.log, "start T3"), "T3 starts only after T1 ended");
	ok(pos(&w.f.log, "start T2") < pos(&w.f.log, "end T1 0"), "T2 starts alongside T1");
	ok(saved_state(&w, "T3") == TS_DONE, "dependencies: states are saved");
	ok(!w.e.failed && !w.e.stopping, "dependencies: nothing failed");
	world_close(&w);
}

static void test_pool_bound(void)
{
	struct run_opts o = { 2, 0, 0, "fake", 0, -1 };
	struct world w;
	const char *md = "- [ ] A1 [P] a in a\n- [ ] A2 [P] b in b\n- [ ] A3 [P] c in c\n"
		"- [ ] A4 [P] d in d\n- [ ] A5 [P] e in e\n";

	if (world_open(&w, md, &o) < 0) {
		ok(0, "pool: set up");
		return;
	}
	run_engine_run(&w.e);
	is_int((long)w.f.max_running, 2, "-j 2: never more than 2 tasks at once");
	is_int(w.f.starts, 5, "-j 2: all 5 tasks started once");
	ok(state_of(&w, "A5") == TS_DONE, "-j 2: the last one done");
	world_close(&w);
}

static void test_retries(void)
{
	struct run_opts o = { 1, 1, 0, "fake", 0, -1 };
	struct world w;
	long k;

	if (world_open(&w, md_deps, &o) < 0) {
		ok(0, "retries: set up");
		return;
	}
	w.f.fail = "T1:3,0";
	run_engine_run(&w.e);
	k = tasks_find(&w.s.plan.tasks, "T1");
	ok(state_of(&w, "T1") == TS_DONE && w.s.st[k].attempts == 2, "a failed attempt is retried: done in 2");
	ok(state_of(&w, "T3") == TS_DONE, "its dependent runs after the retry");
	world_close(&w);

	o.retries = 0;
	if (world_open(&w, md_deps, &o) < 0)
		return;
	w.f.fail = "T1:3";
	run_engine_run(&w.e);
	ok(state_of(&w, "T1") == TS_FAILED, "no retries left: failed");
	ok(state_of(&w, "T3") == TS_BLOCKED && strstr(w.s.st[2].reason, "waits for T1, which failed"),
	   "its dependent is blocked, saying why");
	ok(pos(&w.f.log, "start T3") == (size_t)-1, "the blocked task never started");
	ok(state_of(&w, "T2") == TS_DONE && w.e.failed, "the others still run; the run failed");
	world_close(&w);
}

static void test_fail_fast(void)
{
	struct run_opts o = { 1, 0, 0, "fake", 1, -1 };
	struct world w;

	if (world_open(&w, md_deps, &o) < 0) {
		ok(0, "fail-fast: set up");
		return;
	}
	w.f.fail = "T1:1";
	run_engine_run(&w.e);
	ok(w.e.stopping && state_of(&w, "T1") == TS_FAILED, "--fail-fast: stopping after a failure");
	ok(pos(&w.f.log, "start T2") == (size_t)-1, "--fail-fast: nothing more starts");
	ok(state_of(&w, "T2") == TS_PENDING, "--fail-fast: what never started stays pending");
	world_close(&w);
}

static void test_interrupt(void)
{
	struct run_opts o = { 2, 0, 0, "fake", 0, -1 };
	struct world w;

	if (world_open(&w, md_deps, &o) < 0) {
		ok(0, "interrupt: set up");
		return;
	}
	w.f.interrupt_after = 2;
	run_engine_run(&w.e);
	ok(w.e.stopping, "SIGINT: the engine stops");
	ok(state_of(&w, "T1") == TS_INTERRUPTED && state_of(&w, "T2") == TS_INTERRUPTED,
	   "SIGINT: the running tasks are interrupted");
	ok(saved_state(&w, "T1") == TS_INTERRUPTED, "SIGINT: and saved so");
	ok(state_of(&w, "T3") == TS_PENDING && pos(&w.f.log, "start T3") == (size_t)-1,
	   "SIGINT: the waiting task never starts and stays pending");
	world_close(&w);
}

static void test_prepare_fails(void)
{
	struct run_opts o = { 4, 3, 0, "fake", 0, -1 };
	struct world w;

	if (world_open(&w, md_deps, &o) < 0) {
		ok(0, "prepare: set up");
		return;
	}
	w.f.fail_prepare = "T2";
	run_engine_run(&w.e);
	ok(state_of(&w, "T2") == TS_FAILED && strstr(w.s.st[1].reason, "no room"),
	   "a task whose worktree cannot be made fails, saying why");
	ok(pos(&w.f.log, "start T2") == (size_t)-1, "and its command never starts");
	ok(state_of(&w, "T3") == TS_DONE, "the others are not held up");
	world_close(&w);
}

static void test_idle_pool_gives_up(void)
{
	struct run_opts o = { 2, 0, 0, "fake", 0, -1 };
	struct world w;
	double t0;

	if (world_open(&w, md_deps, &o) < 0) {
		ok(0, "idle: set up");
		return;
	}
	w.s.cfg.min_free_disk = 1ULL << 60;	/* more than any disk */
	w.s.cfg.wait_timeout = 5;
	t0 = fake_time;
	ok(run_engine_run(&w.e) == 0, "a threshold never met: the engine returns");
	is_int(w.f.starts, 0, "nothing started below min-free-disk");
	ok(w.e.stopping && w.e.failed, "the run stops and fails");
	ok(fake_time - t0 >= 5 && fake_time - t0 < 7, "after parallel.wait-timeout, not forever");
	ok(strstr(w.events.buf, "no task can start and none is running: min-free-disk") != NULL,
	   "and says why");
	ok(state_of(&w, "T1") == TS_PENDING && state_of(&w, "T2") == TS_PENDING,
	   "the held tasks stay pending");
	ok(w.s.st[0].reason && !strncmp(w.s.st[0].reason, "never started: min-free-disk", 28),
	   "with the reason they never started");
	ok(w.s.st[0].wait_time >= 5 && !w.s.st[0].waiting, "their wait is counted; none waits after the run");
	ok(w.s.st[2].wait_time == 0, "a task waiting for its dependency was not held back by the gate");
	world_close(&w);
}

static void test_backoff_is_pool_wide(void)
{
	struct run_opts o = { 2, 0, 0, "fake", 0, -1 };
	struct world w;
	const char *md = "- [ ] A1 [P] a in a\n- [ ] A2 [P] b in b\n- [ ] A3 [P] c in c\n";
	double end_a1, a3, a1_again;

	if (world_open(&w, md, &o) < 0) {
		ok(0, "backoff: set up");
		return;
	}
	free(w.s.cfg.retry_on);
	w.s.cfg.retry_on = xstrdup("429|rate limit");
	w.s.cfg.backoff_base = 4;
	w.s.cfg.backoff_max = 8;
	world_reinit(&w, &o);
	w.f.fail = "A1:1,1,0";
	w.f.log_429 = "A1:2";
	end_a1 = fake_time - 1000;
	ok(run_engine_run(&w.e) == 0, "backoff: the engine runs");
	ok(state_of(&w, "A1") == TS_DONE && state_of(&w, "A3") == TS_DONE,
	   "rate limited twice with retries = 0: still done");
	is_int(w.s.st[0].attempts, 3, "three attempts, none consumed as a retry");
	a3 = start_time(&w, "A3", 1);
	a1_again = start_time(&w, "A1", 2);
	ok(a3 >= end_a1 + 2 && a1_again >= end_a1 + 2,
	   "nothing starts during the pause, not even in a free slot (2-4 s)");
	ok(w.s.st[2].wait_time >= 2, "the task that waited for the pause counts it");
	ok(!w.e.failed, "the run succeeded");
	world_close(&w);

	/* alone, rate limited three times in a row: 1-2 s, 2-4 s, then capped at 2-4 s */
	o.jobs = 1;
	if (world_open(&w, "- [ ] X1 [P] x in x\n", &o) < 0)
		return;
	free(w.s.cfg.retry_on);
	w.s.cfg.retry_on = xstrdup("429");
	w.s.cfg.backoff_base = 2;
	w.s.cfg.backoff_max = 4;
	world_reinit(&w, &o);
	w.f.fail = "X1:1,1,1,0";
	w.f.log_429 = "X1:3";
	run_engine_run(&w.e);
	{
		double d1 = start_time(&w, "X1", 2) - start_time(&w, "X1", 1);
		double d2 = start_time(&w, "X1", 3) - start_time(&w, "X1", 2);
		double d3 = start_time(&w, "X1", 4) - start_time(&w, "X1", 3);

		ok(d1 >= 1 && d1 <= 2.01, "first pause: half to all of backoff-base");
		ok(d2 >= 2 && d2 <= 4.01, "second: doubled");
		ok(d3 >= 2 && d3 <= 4.01, "third: capped at backoff-max");
		if (!(d1 >= 1 && d1 <= 2.01 && d2 >= 2 && d2 <= 4.01 && d3 >= 2 && d3 <= 4.01))
			printf("# pauses %.3f %.3f %.3f\n%s", d1, d2, d3, w.f.log.buf);
	}
	ok(state_of(&w, "X1") == TS_DONE, "and then done");
	world_close(&w);

	/* past max-backoffs: an ordinary failure */
	if (world_open(&w, "- [ ] X1 [P] x in x\n", &o) < 0)
		return;
	free(w.s.cfg.retry_on);
	w.s.cfg.retry_on = xstrdup("429");
	w.s.cfg.max_backoffs = 2;
	world_reinit(&w, &o);
	w.f.fail = "X1:1,1,1,0";
	w.f.log_429 = "X1:3";
	run_engine_run(&w.e);
	ok(state_of(&w, "X1") == TS_FAILED && w.f.starts == 3 && strstr(w.s.st[0].reason, "parallel.max-backoffs"),
	   "the backoff past max-backoffs is a failure, saying why");
	world_close(&w);
}

/*
 * The engine late after a 429 (a loaded machine: the state file's fsync,
 * the scheduler), so late that the pause is over before it looks again:
 * the task was held back for the whole pause all the same, and counts it.
 */
static void test_backoff_counted_when_late(void)
{
	struct run_opts o = { 1, 0, 0, "fake", 0, -1 };
	struct world w;

	if (world_open(&w, "- [ ] X1 [P] x in x\n", &o) < 0) {
		ok(0, "late backoff: set up");
		return;
	}
	free(w.s.cfg.retry_on);
	w.s.cfg.retry_on = xstrdup("429");
	w.s.cfg.backoff_base = 2;
	w.s.cfg.backoff_max = 4;
	world_reinit(&w, &o);
	w.f.fail = "X1:1,1,0";
	w.f.log_429 = "X1:2";
	w.late = 10;
	run_engine_run(&w.e);
	ok(state_of(&w, "X1") == TS_DONE, "late backoff: done");
	ok(w.s.st[0].wait_time >= 1 + 2,
	   "the pauses count as wait time even when the engine looks again after their end");
	if (w.s.st[0].wait_time < 3)
		printf("# wait time %.3f\n%s", w.s.st[0].wait_time, w.f.log.buf);
	world_close(&w);
}

static void test_precheck_not_now(void)
{
	struct run_opts o = { 3, 0, 0, "fake", 0, -1 };
	struct world w;
	struct strbuf sb = STRBUF_INIT;
	char *checks;

	if (world_open(&w, md_deps, &o) < 0) {
		ok(0, "precheck: set up");
		return;
	}
	checks = xstrfmt("%s/checks", w.dir);
	w.s.cfg.precheck = xstrfmt("echo \"$GIT_PARALLEL_TASK_ID $(pwd)\" >>'%s'; exit 75", checks);
	w.s.cfg.wait_timeout = 3;
	run_engine_run(&w.e);
	is_int(w.f.starts, 0, "precheck says not now: nothing starts");
	strbuf_read_file(&sb, checks);
	{
		char *expect = xstrfmt("T1 %s\nT2 %s\n", w.s.workdir, w.s.workdir);
		size_t n = strlen(w.s.workdir);

		/* the work dir may end with a slash; pwd's does not */
		if (n > 1 && w.s.workdir[n - 1] == '/') {
			free(expect);
			expect = xstrfmt("T1 %.*s\nT2 %.*s\n", (int)n - 1, w.s.workdir, (int)n - 1, w.s.workdir);
		}
		is_str(sb.buf, expect, "one check per task, in the main work tree, each once within its backoff");
		free(expect);
	}
	ok(strstr(w.events.buf, "no task can start and none is running: precheck: not now") != NULL,
	   "an idle pool held by its precheck gives up after wait-timeout");
	{
		char *k1 = xstrfmt("%d T1 precheck: not now", (int)RUN_EV_WAITING);
		char *k2 = xstrfmt("%d T2 precheck: not now", (int)RUN_EV_WAITING);
		const char *p1 = strstr(w.events.buf, k1), *p2 = strstr(w.events.buf, k2);

		ok(p1 && p2 && atof(strchr(p2, '@') + 1) > atof(strchr(p1, '@') + 1),
		   "after a 'not now', the next task is asked at the next pass, not in the same one");
		if (!(p1 && p2))
			printf("# %s", w.events.buf);
		free(k1);
		free(k2);
	}
	strbuf_release(&sb);
	free(checks);
	world_close(&w);
}

int main(void)
{
	git_libgit2_init();
	test_dependencies();
	test_pool_bound();
	test_retries();
	test_fail_fast();
	test_interrupt();
	test_prepare_fails();
	test_idle_pool_gives_up();
	test_backoff_is_pool_wide();
	test_backoff_counted_when_late();
	test_precheck_not_now();
	git_libgit2_shutdown();
	return tap_done();
}
