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
	struct run_engine *e;
};

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
	strbuf_addf(&f->log, "start %s\n", e->s->plan.tasks.v[task].id);
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

static void f_stop_orphan(struct executor *ex, struct task_status *st)
{
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
};

static void on_event(const struct run_event *ev, void *cb)
{
	struct world *w = cb;

	if (ev->kind != RUN_EV_TICK)
		strbuf_addf(&w->events, "%d %s %s\n", (int)ev->kind, ev->id ? ev->id : "-",
			    ev->reason ? ev->reason : "");
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
	w->f.e = &w->e;
	return 0;
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

int main(void)
{
	git_libgit2_init();
	test_dependencies();
	test_pool_bound();
	test_retries();
	test_fail_fast();
	test_interrupt();
	test_prepare_fails();
	git_libgit2_shutdown();
	return tap_done();
}
