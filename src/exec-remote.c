/*
 * The launcher executor: tasks run as workers elsewhere (gp/exec-remote.h).
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/exec-remote.h"
#include "gp/runner.h"
#include "gp/session.h"

static int id_ok(const char *id)
{
	return *id && id[0] != '-' && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					     "0123456789._-") == strlen(id);
}

static int host_ok(const char *h)
{
	return *h && h[0] != '-' && strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					    "0123456789._-@:[]") == strlen(h);
}

static void sq_quote(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(out, "'\\''");
		else
			strbuf_addch(out, *s);
	}
	strbuf_addch(out, '\'');
}

/* Split a template into words: blanks separate, '...' and "..." quote. */
static int split_words(struct strlist *out, const char *s, struct strbuf *why)
{
	struct strbuf w = STRBUF_INIT;
	int in_word = 0;

	for (;;) {
		char c = *s;

		if (!c || c == ' ' || c == '\t' || c == '\n') {
			if (in_word)
				strlist_push(out, w.buf);
			strbuf_reset(&w);
			in_word = 0;
			if (!c)
				break;
			s++;
			continue;
		}
		in_word = 1;
		if (c == '\'' || c == '"') {
			const char *end = strchr(s + 1, c);

			if (!end) {
				strbuf_addf(why, "unmatched %c in '%s'", c, s);
				strbuf_release(&w);
				return -1;
			}
			strbuf_add(&w, s + 1, (size_t)(end - s - 1));
			s = end + 1;
			continue;
		}
		strbuf_addch(&w, c);
		s++;
	}
	strbuf_release(&w);
	return 0;
}

static void substitute(struct strbuf *out, const char *word, const char *url, const char *plan_id,
		       const char *id, const char *token)
{
	while (*word) {
		if (!strncmp(word, "{token}", 7)) {
			strbuf_addstr(out, token ? token : "none");
			word += 7;
			continue;
		}
		if (!strncmp(word, "{remote}", 8)) {
			strbuf_addstr(out, url);
			word += 8;
		} else if (!strncmp(word, "{id}", 4)) {
			strbuf_addstr(out, id);
			word += 4;
		} else if (!strncmp(word, "{plan}", 6)) {
			strbuf_addstr(out, plan_id);
			word += 6;
		} else {
			strbuf_addch(out, *word++);
		}
	}
}

int launch_spec_check(const char *spec, struct strbuf *why)
{
	struct strlist words = STRLIST_INIT;
	int ret = 0;

	if (!strncmp(spec, "ssh:", 4)) {
		size_t k;

		strlist_split(&words, spec + 4);
		if (!words.nr) {
			strbuf_addstr(why, "ssh: needs at least one host (ssh:host1,host2)");
			ret = -1;
		}
		for (k = 0; !ret && k < words.nr; k++)
			if (!host_ok(words.v[k])) {
				strbuf_addf(why, "'%s' is not a host name", words.v[k]);
				ret = -1;
			}
	} else if (!strncmp(spec, "exec:", 5)) {
		if (split_words(&words, spec + 5, why) < 0) {
			ret = -1;
		} else if (!words.nr) {
			strbuf_addstr(why, "exec: needs a command template");
			ret = -1;
		} else if (!strstr(spec, "{id}")) {
			strbuf_addstr(why, "exec: template has no {id}: which task would the worker run?");
			ret = -1;
		}
	} else {
		strbuf_addf(why, "'%s' is neither ssh:<hosts> nor exec:<template>", spec);
		ret = -1;
	}
	strlist_clear(&words);
	return ret;
}

int launch_argv(struct strlist *out, const char *spec, const char *url, const char *plan_id,
		const char *id, size_t host, const char *token, struct strbuf *why)
{
	struct strlist words = STRLIST_INIT;
	size_t k;
	int ret = -1;

	if (!id_ok(id)) {
		strbuf_addf(why, "task ID '%s' cannot be given to a worker elsewhere (letters, digits, '.', '_', '-')", id);
		goto out;
	}
	if (!strncmp(spec, "ssh:", 4)) {
		struct strbuf cmd = STRBUF_INIT, dir = STRBUF_INIT;
		const char *ssh = getenv("GIT_PARALLEL_SSH");

		strlist_split(&words, spec + 4);
		if (!words.nr)
			goto out;
		if (!ssh || !*ssh)
			ssh = "ssh";
		if (split_words(out, ssh, why) < 0)
			goto out;
		strlist_push(out, "-o");
		strlist_push(out, "BatchMode=yes");
		strlist_push(out, words.v[host % words.nr]);
		strlist_push(out, "--");
		/* one remote shell command: every word of ours quoted for it */
		strbuf_addstr(&dir, "\"${TMPDIR:-/tmp}/git-parallel/\"");
		sq_quote(&dir, plan_id);
		strbuf_addch(&dir, '/');
		sq_quote(&dir, id);
		strbuf_addf(&cmd, "d=%s && { test -d \"$d/.git\" || git clone -q ", dir.buf);
		sq_quote(&cmd, url);
		strbuf_addstr(&cmd, " \"$d\"; } && cd \"$d\" && exec git parallel worker ");
		if (token) {
			strbuf_addstr(&cmd, "--token ");
			sq_quote(&cmd, token);
			strbuf_addch(&cmd, ' ');
		}
		sq_quote(&cmd, url);
		strbuf_addch(&cmd, ' ');
		sq_quote(&cmd, id);
		strlist_push(out, cmd.buf);
		strbuf_release(&cmd);
		strbuf_release(&dir);
	} else if (!strncmp(spec, "exec:", 5)) {
		if (split_words(&words, spec + 5, why) < 0)
			goto out;
		for (k = 0; k < words.nr; k++) {
			struct strbuf w = STRBUF_INIT;

			substitute(&w, words.v[k], url, plan_id, id, token);
			strlist_push(out, w.buf);
			strbuf_release(&w);
		}
	} else {
		strbuf_addf(why, "'%s' is neither ssh:<hosts> nor exec:<template>", spec);
		goto out;
	}
	ret = 0;
out:
	strlist_clear(&words);
	return ret;
}

/* The executor */

struct launcher {
	struct runner runner;
	int runner_up;
	char *spec;
	char *url;
	char *plan_id;
	size_t hosts;		/* ssh: how many */
	size_t *load;		/* ssh: tasks running per host */
	size_t *host_of;	/* per plan task + 1: its host + 1 */
	char (*token)[17];	/* per plan task: its launch's claim token */
	size_t tasks_nr;
	struct session *s;	/* borrowed, for giving claims back */
};

static void new_token(char out[17])
{
	unsigned char b[8];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t k, n = f ? fread(b, 1, sizeof(b), f) : 0;
	double t = state_now();

	if (f)
		fclose(f);
	for (k = n; k < sizeof(b); k++)
		b[k] = (unsigned char)(((unsigned long long)(t * 1e6) >> (k * 8)) ^ (unsigned long)getpid());
	for (k = 0; k < sizeof(b); k++)
		snprintf(out + 2 * k, 3, "%02x", b[k]);
}

/*
 * A launch ended badly: if its worker's claim is still on the remote
 * (running, marked with our token), give it back as interrupted, so that
 * the retry need not wait for the lease to run out.  Best effort.
 */
static void give_back(struct launcher *l, size_t i)
{
	struct remote r;
	struct remote_task *rt;
	struct task_status back;
	struct strbuf text = STRBUF_INIT, tail = STRBUF_INIT;
	struct remote_update u;
	char *ref = NULL;
	long k;

	if (!l->s || i >= l->tasks_nr || !l->token[i][0])
		return;
	if (remote_load(&r, l->s->repo, l->url, 0) < 0)
		goto out;
	k = r.has_plan ? tasks_find(&r.plan.tasks, l->s->plan.tasks.v[i].id) : -1;
	if (k < 0)
		goto out;
	rt = &r.tasks[k];
	strbuf_addf(&tail, "/%s", l->token[i]);
	if (!rt->has_state || rt->st.state != TS_RUNNING || !rt->worker ||
	    strlen(rt->worker) < tail.len || strcmp(rt->worker + strlen(rt->worker) - tail.len, tail.buf))
		goto out;
	task_status_init(&back, rt->st.id);
	state_task_format(&text, &rt->st);
	if (!state_task_parse(&back, "remote state", text.buf, text.len) &&
	    !task_transition(&back, TS_INTERRUPTED)) {
		git_oid commit;

		task_status_set(&back.reason, "its worker died (launched by run --on)");
		strbuf_reset(&text);
		remote_state_text(&text, &back, rt->worker, 0);
		ref = xstrfmt("refs/parallel/state/%s", rt->st.id);
		memset(&u, 0, sizeof(u));
		u.ref = ref;
		u.has_old = 1;
		git_oid_cpy(&u.old_oid, &rt->state_commit);
		if (!remote_file_commit(&commit, r.repo, "state", text.buf, text.len, &rt->state_commit,
					"given back\n")) {
			git_oid_cpy(&u.new_oid, &commit);
			remote_push(&r, &u, 1, NULL);
		}
	}
	task_status_release(&back);
out:
	remote_release(&r);
	strbuf_release(&text);
	strbuf_release(&tail);
	free(ref);
}

static void l_prepare(struct executor *ex, struct run_engine *e, struct exec_start *v, size_t nr)
{
	size_t k;

	/* nothing to make here: the worker makes its own worktree */
	for (k = 0; k < nr; k++)
		v[k].ok = 1;
}

static int l_start(struct executor *ex, struct run_engine *e, size_t i, const git_oid *base,
		   long *pid, struct strbuf *why)
{
	struct launcher *l = ex->data;
	const struct task *t = &e->s->plan.tasks.v[i];
	struct task_status *st = &e->s->st[i];
	struct strlist argv = STRLIST_INIT;
	struct strbuf cmd = STRBUF_INIT;
	struct runner_spec spec;
	char *logdir = xstrfmt("%s/logs", e->s->state);
	size_t host = 0, k;
	int ret = -1;

	if (!l->host_of) {
		l->tasks_nr = e->s->plan.tasks.nr;
		l->host_of = xcalloc(l->tasks_nr + 1, sizeof(*l->host_of));
		l->token = xcalloc(l->tasks_nr + 1, sizeof(*l->token));
		l->s = e->s;
	}
	new_token(l->token[i]);
	if (l->hosts) {
		for (k = 1; k < l->hosts; k++)
			if (l->load[k] < l->load[host])
				host = k;
	}
	if (launch_argv(&argv, l->spec, l->url, l->plan_id, t->id, host, l->token[i], why) < 0)
		goto out;
	/* the runner takes a shell command: every word quoted, so they stay words */
	for (k = 0; k < argv.nr; k++) {
		if (k)
			strbuf_addch(&cmd, ' ');
		sq_quote(&cmd, argv.v[k]);
	}
	if (mkdir_p(logdir, 0777) < 0) {
		strbuf_addstr(why, "cannot make the log directory");
		goto out;
	}
	{
		FILE *f = fopen(st->log, "a");

		if (f) {
			char *when = state_iso_time(st->started);

			fprintf(f, "### git parallel run --on: task %s, attempt %u, %s\n$ %s\n", t->id,
				st->attempts, when, cmd.buf);
			free(when);
			fclose(f);
		}
	}
	memset(&spec, 0, sizeof(spec));
	spec.id = t->id;
	spec.command = cmd.buf;
	spec.cwd = e->s->workdir;
	spec.log_path = st->log;
	spec.timeout = e->opts.timeout;
	spec.data = (void *)(i + 1);
	spec.hold = 1;	/* until l_go(): its pid is saved first */
	if (runner_start(&l->runner, &spec) < 0) {
		strbuf_addstr(why, "the worker could not be launched");
		goto out;
	}
	*pid = (long)runner_pid(&l->runner, t->id);
	if (l->hosts) {
		l->load[host]++;
		l->host_of[i] = host + 1;
	}
	ret = 0;
out:
	strlist_clear(&argv);
	strbuf_release(&cmd);
	free(logdir);
	return ret;
}

static void l_go(struct executor *ex, struct run_engine *e, size_t i, int go)
{
	struct launcher *l = ex->data;

	runner_go(&l->runner, e->s->plan.tasks.v[i].id, go);
}

static size_t l_running(struct executor *ex)
{
	struct launcher *l = ex->data;

	return runner_running(&l->runner);
}

static void ended(struct launcher *l, size_t i)
{
	if (l->hosts && i < l->tasks_nr && l->host_of[i]) {
		l->load[l->host_of[i] - 1]--;
		l->host_of[i] = 0;
	}
}

static int l_wait(struct executor *ex, struct exec_end *end, int tick_ms)
{
	struct launcher *l = ex->data;
	struct runner_event ev;

	if (runner_wait(&l->runner, &ev, tick_ms) < 0)
		return -1;
	switch (ev.kind) {
	case RUNNER_EXITED:
		end->kind = EXEC_ENDED;
		exec_end_from_runner(end, &ev);
		ended(l, end->task);
		if (end->exit_code != 0 || end->timed_out)
			give_back(l, end->task);
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
	struct launcher *l;
	void (*fn)(const struct exec_end *end, void *cb);
	void *cb;
};

static void l_stopped(const struct runner_event *ev, void *cb)
{
	struct stop_cb *s = cb;
	struct exec_end end;

	memset(&end, 0, sizeof(end));
	end.kind = EXEC_ENDED;
	exec_end_from_runner(&end, ev);
	ended(s->l, end.task);
	s->fn(&end, s->cb);
}

static void l_stop_all(struct executor *ex, void (*fn)(const struct exec_end *end, void *cb), void *cb)
{
	struct launcher *l = ex->data;
	struct stop_cb s = { l, fn, cb };

	runner_terminate_all(&l->runner, l_stopped, &s);
}

/* The worker exited 0: what it pushed is the task's result. */
static int l_finish(struct executor *ex, struct run_engine *e, size_t i, git_oid *head,
		    struct strbuf *why)
{
	struct launcher *l = ex->data;
	struct remote r;
	const char *id = e->s->plan.tasks.v[i].id;
	long k;
	int ret = -1;

	if (remote_load(&r, e->s->repo, l->url, 0) < 0) {
		strbuf_addf(why, "cannot read what its worker pushed to '%s'", l->url);
		goto out;
	}
	k = r.has_plan ? tasks_find(&r.plan.tasks, id) : -1;
	if (k < 0 || !r.plan.id || strcmp(r.plan.id, l->plan_id)) {
		strbuf_addf(why, "'%s' no longer holds this plan", l->url);
		goto out;
	}
	if (!run_state_finished(r.tasks[k].st.state) || !r.tasks[k].st.head ||
	    git_oid_fromstr(head, r.tasks[k].st.head) < 0) {
		strbuf_addf(why, "its worker exited 0 but the task is %s on '%s'",
			    task_state_name(r.tasks[k].st.state), l->url);
		goto out;
	}
	/* its work here too: dependent tasks start from it */
	if (remote_fetch_branches(&r) < 0 || !r.tasks[k].has_branch ||
	    !git_oid_equal(&r.tasks[k].branch, head)) {
		strbuf_addf(why, "its branch on '%s' is not where its state says", l->url);
		goto out;
	}
	ret = 0;
out:
	remote_release(&r);
	return ret;
}

static int l_stop_orphan(struct executor *ex, struct task_status *st, struct strbuf *why)
{
	int waited;

	kill(-(pid_t)st->pid, SIGTERM);
	for (waited = 0; waited < 50 && state_pid_alive(st->pid, st->pid_start); waited++)
		usleep(100000);
	if (state_pid_alive(st->pid, st->pid_start))
		kill(-(pid_t)st->pid, SIGKILL);
	return 0;
}

static void l_release(struct executor *ex)
{
	struct launcher *l = ex->data;

	if (!l)
		return;
	if (l->runner_up)
		runner_release(&l->runner);
	free(l->spec);
	free(l->url);
	free(l->plan_id);
	free(l->load);
	free(l->host_of);
	free(l->token);
	free(l);
	ex->data = NULL;
}

int executor_launch_init(struct executor *ex, const char *spec, const char *url,
			 const char *plan_id, double grace)
{
	struct launcher *l = xcalloc(1, sizeof(*l));
	struct strbuf why = STRBUF_INIT;

	memset(ex, 0, sizeof(*ex));
	if (launch_spec_check(spec, &why) < 0) {
		error("--on: %s", why.buf);
		strbuf_release(&why);
		free(l);
		return -1;
	}
	strbuf_release(&why);
	l->spec = xstrdup(spec);
	l->url = xstrdup(url);
	l->plan_id = xstrdup(plan_id ? plan_id : "unknown");
	if (!strncmp(spec, "ssh:", 4)) {
		struct strlist hosts = STRLIST_INIT;

		strlist_split(&hosts, spec + 4);
		l->hosts = hosts.nr;
		strlist_clear(&hosts);
		l->load = xcalloc(l->hosts, sizeof(*l->load));
	}
	ex->name = "launch";
	ex->data = l;
	ex->prepare = l_prepare;
	ex->start = l_start;
	ex->go = l_go;
	ex->running = l_running;
	ex->wait = l_wait;
	ex->stop_all = l_stop_all;
	ex->finish = l_finish;
	ex->stop_orphan = l_stop_orphan;
	ex->release = l_release;
	if (runner_init(&l->runner, grace) < 0) {
		l_release(ex);
		return -1;
	}
	l->runner_up = 1;
	return 0;
}
