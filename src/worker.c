/*
 * One task of a remote's plan, run here: claim, run, push (gp/worker.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/remote.h"
#include "gp/repo.h"
#include "gp/session.h"
#include "gp/worker.h"

/*
 * The heartbeat executor: the local executor, whose waits renew our claim
 * on the remote (a new state commit with a later lease, pushed under the
 * lease of the one before) every third of the lease.
 */
struct heartbeat {
	struct executor inner;
	struct remote *r;
	struct run_engine *e;
	size_t task;
	const char *worker;
	double lease;		/* seconds */
	double next;		/* when to renew */
	git_oid cur;		/* our latest state commit on the remote */
	int lost;		/* the remote refused a renewal: someone took the task over */
};

/* Push st as the task's state under our lease; 0, 1 refused, -1. */
static int push_state(struct heartbeat *hb, const struct task_status *st, double lease,
		      const git_oid *branch_head)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	struct remote_update u[2];
	struct remote_task *rt = &hb->r->tasks[hb->task];
	char *ref = xstrfmt("refs/parallel/state/%s", st->id), *bref = NULL;
	char *msg = xstrfmt("%s: %s\n", st->id, task_state_name(st->state));
	git_oid commit;
	size_t n = 0;
	int ret;

	remote_state_text(&text, st, hb->worker, lease);
	if (remote_file_commit(&commit, hb->r->repo, "state", text.buf, text.len, &hb->cur, msg) < 0) {
		ret = -1;
		goto out;
	}
	memset(u, 0, sizeof(u));
	if (branch_head) {
		bref = remote_branch_name(hb->r, st->id);
		u[n].ref = bref;
		git_oid_cpy(&u[n].new_oid, branch_head);
		u[n].has_old = rt->has_branch;
		git_oid_cpy(&u[n++].old_oid, &rt->branch);
	}
	u[n].ref = ref;
	git_oid_cpy(&u[n].new_oid, &commit);
	u[n].has_old = 1;
	git_oid_cpy(&u[n++].old_oid, &hb->cur);
	ret = remote_push(hb->r, u, n, &why);
	if (!ret)
		git_oid_cpy(&hb->cur, &commit);
out:
	free(ref);
	free(bref);
	free(msg);
	strbuf_release(&text);
	strbuf_release(&why);
	return ret;
}

static void hb_prepare(struct executor *ex, struct run_engine *e, struct exec_start *v, size_t nr)
{
	struct heartbeat *hb = ex->data;

	hb->e = e;
	hb->inner.prepare(&hb->inner, e, v, nr);
}

static int hb_start(struct executor *ex, struct run_engine *e, size_t task, const git_oid *base,
		    long *pid, struct strbuf *why)
{
	struct heartbeat *hb = ex->data;

	hb->e = e;
	return hb->inner.start(&hb->inner, e, task, base, pid, why);
}

static void hb_go(struct executor *ex, struct run_engine *e, size_t task, int go)
{
	struct heartbeat *hb = ex->data;

	if (hb->inner.go)
		hb->inner.go(&hb->inner, e, task, go);
}

static size_t hb_running(struct executor *ex)
{
	struct heartbeat *hb = ex->data;

	return hb->inner.running(&hb->inner);
}

static int hb_wait(struct executor *ex, struct exec_end *end, int tick_ms)
{
	struct heartbeat *hb = ex->data;
	double now;
	int ret = hb->inner.wait(&hb->inner, end, tick_ms);

	if (ret < 0 || hb->lost || !hb->e)
		return ret;
	now = state_now();
	if (now >= hb->next && end->kind != EXEC_ENDED) {
		const struct task_status *st = &hb->e->s->st[hb->task];
		int rc = st->state == TS_RUNNING ? push_state(hb, st, now + hb->lease, NULL) : 0;

		hb->next = now + hb->lease / 3;
		if (rc > 0) {
			/* our claim is gone: stop the task as on SIGTERM */
			hb->lost = 1;
			end->kind = EXEC_INTERRUPTED;
			end->sig = SIGTERM;
		}
	}
	return ret;
}

static void hb_stop_all(struct executor *ex, void (*fn)(const struct exec_end *end, void *cb), void *cb)
{
	struct heartbeat *hb = ex->data;

	hb->inner.stop_all(&hb->inner, fn, cb);
}

static int hb_finish(struct executor *ex, struct run_engine *e, size_t task, git_oid *head,
		     struct strbuf *why)
{
	struct heartbeat *hb = ex->data;

	return hb->inner.finish(&hb->inner, e, task, head, why);
}

static int hb_stop_orphan(struct executor *ex, struct task_status *st, struct strbuf *why)
{
	struct heartbeat *hb = ex->data;

	return hb->inner.stop_orphan(&hb->inner, st, why);
}

static void hb_release(struct executor *ex)
{
	struct heartbeat *hb = ex->data;

	hb->inner.release(&hb->inner);
}

static void heartbeat_init(struct executor *ex, struct heartbeat *hb)
{
	memset(ex, 0, sizeof(*ex));
	ex->name = "worker";
	ex->data = hb;
	ex->prepare = hb_prepare;
	ex->start = hb_start;
	ex->go = hb_go;
	ex->running = hb_running;
	ex->wait = hb_wait;
	ex->stop_all = hb_stop_all;
	ex->finish = hb_finish;
	ex->stop_orphan = hb_stop_orphan;
	ex->release = hb_release;
}

/* The worker */

static char *worker_name(const char *token)
{
	char host[256];

	if (gethostname(host, sizeof(host)) < 0)
		strcpy(host, "unknown");
	host[sizeof(host) - 1] = '\0';
	return token ? xstrfmt("%s:%ld/%s", host, (long)getpid(), token) :
		xstrfmt("%s:%ld", host, (long)getpid());
}

/* Can task i start: its dependencies finished on the remote, with heads?  1 yes, 0 no (why). */
static int deps_ready(struct remote *r, size_t i, struct strbuf *why)
{
	const struct plan_task *pt = &r->plan.pt[i];
	size_t k;

	for (k = 0; k < pt->deps_nr; k++) {
		const struct remote_task *d = &r->tasks[pt->deps[k].task];

		if (!run_state_finished(d->st.state) || !d->st.head) {
			strbuf_addf(why, "task '%s' waits for %s, which is %s on '%s'", r->plan.tasks.v[i].id,
				    d->st.id, task_state_name(d->st.state), r->name);
			return 0;
		}
	}
	return 1;
}

static int deps_fetched(struct remote *r, size_t i)
{
	const struct plan_task *pt = &r->plan.pt[i];
	size_t k;
	int ret = 0;

	for (k = 0; k < pt->deps_nr; k++) {
		const struct remote_task *d = &r->tasks[pt->deps[k].task];
		git_oid oid;
		git_commit *c = NULL;

		if (git_oid_fromstr(&oid, d->st.head) < 0 || git_commit_lookup(&c, r->repo, &oid) < 0)
			ret = error("task '%s' is %s on '%s' but its head %s was not fetched "
				    "(its branch is gone from the remote?)", d->st.id,
				    task_state_name(d->st.state), r->name, d->st.head);
		git_commit_free(c);
	}
	return ret;
}

int worker_run(git_repository *repo, const struct worker_opts *o, enum worker_outcome *outcome,
	       struct strbuf *why)
{
	struct remote r;
	struct session s;
	struct run_engine e;
	struct run_opts ro;
	struct executor ex;
	struct heartbeat hb;
	struct task_status claim;
	struct remote_update u;
	struct strbuf text = STRBUF_INIT;
	char *state_dir = repo_state_path(repo, NULL), *worker = worker_name(o->token), *ref = NULL;
	int ret = -1, locked = 0, s_up = 0, e_up = 0, ex_up = 0, rc, claimed = 0;
	long k;
	size_t i, sel[1];
	double now;

	memset(&s, 0, sizeof(s));
	memset(&hb, 0, sizeof(hb));
	task_status_init(&claim, o->id);
	if (remote_load(&r, repo, o->remote, 0) < 0)
		goto out;
	if (!r.has_plan) {
		error("'%s' holds no plan: run 'git parallel push %s' where the plan was made", r.name, r.name);
		goto out;
	}
	k = tasks_find(&r.plan.tasks, o->id);
	if (k < 0) {
		error("no task '%s' in the plan on '%s'", o->id, r.name);
		goto out;
	}
	i = (size_t)k;
	if (!plan_task_active(&r.plan, i)) {
		error("task '%s' is %s in the task list; it does not run", o->id,
		      r.plan.tasks.v[i].done ? "done" : "cancelled");
		goto out;
	}
	now = state_now();
	{
		struct remote_task *rt = &r.tasks[i];

		if (run_state_finished(rt->st.state)) {
			*outcome = WORKER_ALREADY;
			strbuf_addf(why, "task '%s' is %s on '%s' already", o->id,
				    task_state_name(rt->st.state), r.name);
			ret = 0;
			goto out;
		}
		if (rt->st.state == TS_RUNNING && !remote_task_stale(rt, now)) {
			char *until = state_iso_time(rt->lease);

			*outcome = WORKER_CLAIMED;
			strbuf_addf(why, "task '%s' is claimed by worker %s (lease until %s)", o->id,
				    rt->worker ? rt->worker : "unknown", rt->lease > 0 ? until : "unknown");
			free(until);
			ret = 0;
			goto out;
		}
	}
	if (!deps_ready(&r, i, why)) {
		*outcome = WORKER_WAITING;
		ret = 0;
		goto out;
	}
	if (remote_fetch_branches(&r) < 0 || deps_fetched(&r, i) < 0)
		goto out;
	if (state_lock_acquire(state_dir, "worker") < 0)
		goto out;
	locked = 1;
	if (remote_import_plan(&r, state_dir) < 0)
		goto out;
	for (k = 0; (size_t)k < r.plan.pt[i].deps_nr; k++)
		if (remote_import_state(&r, r.plan.pt[i].deps[k].task, state_dir) < 0)
			goto out;
	if (r.tasks[i].has_state) {
		/* the attempts other workers made count: take the remote's state, unless ours is finished */
		struct task_status local;
		int finished;

		if (state_task_load(&local, state_dir, o->id, &r.plan.tasks.v[i]) < 0) {
			task_status_release(&local);
			goto out;
		}
		finished = run_state_finished(local.state);
		task_status_release(&local);
		if (!finished && remote_import_state(&r, i, state_dir) < 0)
			goto out;
	}

	/* the claim: a compare-and-swap of the state ref */
	{
		struct remote_task *rt = &r.tasks[i];
		char key[17];

		claim.attempts = rt->st.attempts;
		claim.task_time = rt->st.task_time;
		if (task_transition(&claim, TS_RUNNING) < 0)
			goto out;
		claim.started = now;
		state_task_key(&r.plan.tasks.v[i], key);
		task_status_set(&claim.key, key);
		remote_state_text(&text, &claim, worker, now + o->lease);
		if (remote_file_commit(&hb.cur, repo, "state", text.buf, text.len,
				       rt->has_state ? &rt->state_commit : NULL, "claim\n") < 0)
			goto out;
		memset(&u, 0, sizeof(u));
		ref = xstrfmt("refs/parallel/state/%s", o->id);
		u.ref = ref;
		git_oid_cpy(&u.new_oid, &hb.cur);
		u.has_old = rt->has_state;
		git_oid_cpy(&u.old_oid, &rt->state_commit);
		rc = remote_push(&r, &u, 1, NULL);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			*outcome = WORKER_CLAIMED;
			strbuf_addf(why, "task '%s' was claimed by another worker first", o->id);
			ret = 0;
			goto out;
		}
		claimed = 1;
	}
	test_crash_point("worker-after-claim");

	if (session_open(&s, repo, o->config_path) < 0)
		goto fail;
	s_up = 1;
	s.remote = r.name;
	task_status_set(&s.cfg.branch_prefix, r.set.branch_prefix);
	s.cfg.commit_auto = r.set.commit_auto;
	if (session_load_status(&s) < 0)
		goto fail;
	memset(&ro, 0, sizeof(ro));
	ro.jobs = 1;
	ro.retries = r.set.retries;
	ro.timeout = r.set.timeout;
	ro.command = o->command ? o->command : r.set.command;
	ro.tick_ms = 1000;
	sel[0] = i;
	if (executor_local_init(&hb.inner, o->grace) < 0)
		goto fail;
	hb.r = &r;
	hb.task = i;
	hb.worker = worker;
	hb.lease = o->lease;
	hb.next = now + o->lease / 3;
	heartbeat_init(&ex, &hb);
	ex_up = 1;
	run_engine_init(&e, &s, sel, 1, &ro, &ex, o->on_event, o->cb);
	e_up = 1;
	if (!run_task_command(&e, i)) {
		error("no command for task '%s': push with --command, set parallel.command, or use --command",
		      o->id);
		goto fail;
	}
	if (run_engine_run(&e) < 0)
		goto fail;
	test_crash_point("worker-before-push");
	{
		struct task_status *st = &s.st[i];
		git_oid head;
		int done = st->state == TS_DONE && st->head && !git_oid_fromstr(&head, st->head);

		if (hb.lost) {
			rc = 1;
		} else {
			rc = push_state(&hb, st, 0, done ? &head : NULL);
			if (rc < 0)
				goto out;
		}
		if (rc > 0) {
			*outcome = WORKER_LOST;
			strbuf_addf(why, "task '%s' was taken over by another worker (our lease ran out?): "
				    "nothing was pushed; its work stays on branch '%s' here", o->id,
				    short_ref(st->branch));
		} else if (done) {
			*outcome = WORKER_DONE;
		} else {
			*outcome = WORKER_FAILED;
			strbuf_addf(why, "task '%s' is %s%s%s", o->id, task_state_name(st->state),
				    st->reason ? ": " : "", st->reason ? st->reason : "");
		}
		if (e.unsaved[i]) {
			/*
			 * As run: never reported done (nor failed) when its file
			 * says otherwise.  The remote is our record: what was
			 * pushed stays there, so the work is not lost.
			 */
			char *path = state_task_path(state_dir, o->id);

			error("the state of task '%s' could not be saved to '%s'%s%s%s", o->id, path,
			      *outcome == WORKER_LOST ? "" : " (its ",
			      *outcome == WORKER_LOST ? "" : done ? "branch and state were" : "state was",
			      *outcome == WORKER_LOST ? "" : " pushed all the same)");
			free(path);
			goto out;
		}
	}
	ret = 0;
	goto out;
fail:
	/* we hold a claim but cannot run: give it back as failed, so that another worker can */
	if (claimed && !hb.lost) {
		struct task_status back;

		task_status_init(&back, o->id);
		back.attempts = claim.attempts;
		task_transition(&back, TS_FAILED);
		task_status_set(&back.reason, "its worker could not start it");
		task_status_set(&back.key, claim.key);
		hb.r = &r;
		hb.task = i;
		hb.worker = worker;
		push_state(&hb, &back, 0, NULL);
		task_status_release(&back);
	}
out:
	if (e_up)
		run_engine_release(&e);
	if (ex_up)
		ex.release(&ex);
	if (locked)
		state_lock_release(state_dir);
	if (s_up)
		session_release(&s);
	remote_release(&r);
	task_status_release(&claim);
	strbuf_release(&text);
	free(ref);
	free(worker);
	free(state_dir);
	return ret;
}
