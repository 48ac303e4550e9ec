/*
 * Unit tests for src/state.c: the saved plan round-trips through its
 * field table; the task lifecycle refuses illegal transitions; a task
 * state written for another task of the same ID is not taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "gp/plan.h"
#include "gp/state.h"
#include "gp/util.h"
#include "tap.h"

static const char *tasks_md =
	"## Phase 1: Setup\n"
	"- [ ] T001 Create the project in src/\n"
	"## Phase 2: Stories\n"
	"- [ ] T002 [P] [US1] Event model in src/models/event.py\n"
	"  with a continuation line; and % = [odd] \"characters\" #\n"
	"- [ ] T003 [P] [US1] Venue model in src/models/venue.py\n"
	"- [ ] T004 Service in src/services/svc.py (depends on T002, T003)\n"
	"- [x] T005 Done already\n"
	"- [-] T006 Cancelled\n";

static void build(struct plan *p)
{
	struct ownership own;

	ownership_init(&own);
	plan_init(p);
	strlist_push(&p->sources, "specs/001/tasks.md");
	if (tasks_parse_markdown(&p->tasks, "specs/001/tasks.md", tasks_md, strlen(tasks_md), 0) < 0 ||
	    tasks_validate(&p->tasks, "parallel/") < 0 || plan_build(p, &own, 0) < 0)
		printf("# cannot build the plan\n");
	p->base_ref = xstrdup("refs/heads/main");
	git_oid_fromstr(&p->base_oid, "0123456789abcdef0123456789abcdef01234567");
	p->created = xstrdup("2026-11-30T00:00:00Z");
	p->id = xstrdup("00112233aabbccdd");
	p->tasks.v[1].estimate = 90.5;
	p->tasks.v[0].command = xstrdup("make -C src \"$X\"");
	ownership_release(&own);
}

static void test_round_trip(void)
{
	struct plan a, b;
	struct strbuf sa = STRBUF_INIT, sb = STRBUF_INIT;
	size_t i, k;
	int same = 1;

	build(&a);
	plan_serialize(&a, &sa);
	plan_init(&b);
	ok(plan_parse(&b, "plan", sa.buf, sa.len) == 0, "the saved plan parses");
	plan_serialize(&b, &sb);
	is_str(sb.buf, sa.buf, "serialize(parse(serialize(p))) == serialize(p)");
	is_int((long)b.tasks.nr, (long)a.tasks.nr, "round trip: tasks");
	is_int(b.waves, a.waves, "round trip: waves");
	is_str(b.id, a.id, "round trip: plan id");
	ok(git_oid_equal(&a.base_oid, &b.base_oid), "round trip: base oid");
	is_int((long)b.active, (long)a.active, "round trip: active tasks");
	is_int((long)b.critical_nr, (long)a.critical_nr, "round trip: critical path length");
	ok(b.speedup == a.speedup, "round trip: speedup");
	for (i = 0; i < a.tasks.nr && i < b.tasks.nr; i++) {
		const struct task *x = &a.tasks.v[i], *y = &b.tasks.v[i];

		same &= a.pt[i].wave == b.pt[i].wave;
		same &= !strcmp(x->id, y->id) && !strcmp(x->title, y->title) && !strcmp(x->text, y->text);
		same &= x->parallel == y->parallel && x->done == y->done && x->cancelled == y->cancelled;
		same &= x->estimate == y->estimate && x->paths.nr == y->paths.nr;
		same &= (!x->command) == (!y->command) && (!x->command || !strcmp(x->command, y->command));
		same &= a.pt[i].deps_nr == b.pt[i].deps_nr;
		for (k = 0; k < a.pt[i].deps_nr && k < b.pt[i].deps_nr; k++)
			same &= a.pt[i].deps[k].task == b.pt[i].deps[k].task &&
				a.pt[i].deps[k].reason == b.pt[i].deps[k].reason;
	}
	ok(same, "round trip: every task's wave, text, flags, paths, command and waits");
	ok(b.pt[3].wave > b.pt[1].wave && b.pt[1].wave == b.pt[2].wave && b.pt[1].wave > 0,
	   "the waves are read back, not left at 0");
	{
		size_t nr, *o = plan_order(&b, &nr);

		ok(nr == 4 && o[0] == 0 && o[3] == 3, "plan order after reload follows the waves");
		free(o);
	}
	strbuf_release(&sa);
	strbuf_release(&sb);
	plan_release(&a);
	plan_release(&b);
}

static void test_bad_plan(void)
{
	static const char *bad[] = {
		"[plan]\n\tversion = 2\n",
		"[plan]\n\tversion = 1\n[task \"T1\"]\n\twave = x\n",
		"[plan]\n\tversion = 1\n[task \"T1\"]\n\tnope = 1\n",
		"[plan]\n\tversion = 1\n[task \"T1\"]\n\twait = T9 depends\n",
		"[plan]\n\tversion = 1\n\tcritical = T9\n[task \"T1\"]\n",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct plan p;

		plan_init(&p);
		ok(plan_parse(&p, "plan", bad[i], strlen(bad[i])) < 0, "a malformed saved plan is refused (%zu)", i);
		plan_release(&p);
	}
}

static void test_transitions(void)
{
	struct task_status st;
	int s, t, legal = 0;

	task_status_init(&st, "T1");
	ok(task_transition(&st, TS_RUNNING) == 0 && st.state == TS_RUNNING, "pending -> running");
	ok(task_transition(&st, TS_DONE) == 0, "running -> done");
	ok(task_transition(&st, TS_RUNNING) < 0 && st.state == TS_DONE,
	   "done -> running is refused and changes nothing");
	ok(task_transition(&st, TS_HELD) == 0, "done -> held");
	ok(task_transition(&st, TS_MERGED) == 0, "held -> merged");
	ok(task_transition(&st, TS_PENDING) < 0 && task_transition(&st, TS_CONFLICT) < 0 &&
	   st.state == TS_MERGED, "merged is final");
	ok(task_transition(&st, TS_MERGED) == 0, "a transition to the same state is allowed");
	task_status_release(&st);

	task_status_init(&st, "T2");
	ok(task_transition(&st, TS_DONE) < 0, "pending -> done is refused: a task is done only after it ran");
	ok(task_transition(&st, TS_MERGED) < 0, "pending -> merged is refused");
	task_status_release(&st);

	for (s = 0; s < TS_NR; s++)
		for (t = 0; t < TS_NR; t++)
			legal += s != t && task_transition_allowed((enum task_state)s, (enum task_state)t);
	ok(legal > 10 && legal < TS_NR * (TS_NR - 1) / 2, "the table allows %d transitions, not all", legal);
	ok(!task_transition_allowed(TS_NR, TS_DONE) && !task_transition_allowed(TS_DONE, TS_NR),
	   "out-of-range states are refused");
}

static void test_keys(void)
{
	char dir[] = "/tmp/gp-t-state-XXXXXX";
	struct task a = { 0 }, b = { 0 };
	struct task_status st;
	char ka[17], kb[17];

	a.id = b.id = "T001";
	a.file = b.file = "specs/001/tasks.md";
	a.title = "Create the model";
	b.title = "Write the docs";
	state_task_key(&a, ka);
	state_task_key(&b, kb);
	ok(strlen(ka) == 16 && strcmp(ka, kb), "another title: another key");
	b.title = a.title;
	b.file = "specs/002/tasks.md";
	state_task_key(&b, kb);
	ok(strcmp(ka, kb) != 0, "another task file: another key");

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	task_status_init(&st, "T001");
	task_transition(&st, TS_RUNNING);
	task_transition(&st, TS_DONE);
	task_status_set(&st.key, ka);
	ok(state_task_save(dir, &st) == 0, "save a state");
	task_status_release(&st);
	is_int(state_task_load(&st, dir, "T001", &a), 0, "the same task: its state");
	ok(st.state == TS_DONE && !st.stale, "the same task: done");
	task_status_release(&st);
	is_int(state_task_load(&st, dir, "T001", &b), 2, "another task of that ID: not its state");
	ok(st.state == TS_PENDING && st.stale, "another task of that ID: pending, marked stale");
	task_status_release(&st);
	ok(state_archive_task(dir, "abc", "T001") == 0, "archive a state");
	is_int(state_task_load(&st, dir, "T001", &a), 1, "archived: no state any more");
	task_status_release(&st);
	{
		char *p = state_archive_path(dir, "abc", "T001");

		ok(access(p, F_OK) == 0, "archived under archive/<plan>/<id>");
		free(p);
	}
	{
		char *cmd = xstrfmt("rm -rf '%s'", dir);

		if (system(cmd))
			printf("# cannot remove %s\n", dir);
		free(cmd);
	}
}

int main(void)
{
	git_libgit2_init();
	test_round_trip();
	test_bad_plan();
	test_transitions();
	test_keys();
	git_libgit2_shutdown();
	return tap_done();
}
