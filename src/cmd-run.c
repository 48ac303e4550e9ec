/*
 * git parallel run: a branch and a worktree per task, a bounded pool of
 * task commands, state saved as it goes so that a second run resumes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/exec-remote.h"
#include "gp/lock.h"
#include "gp/output.h"
#include "gp/parse-options.h"
#include "gp/report.h"
#include "gp/run.h"
#include "gp/runner.h"
#include "gp/session.h"
#include "gp/trust.h"

/* Grace period between SIGTERM and SIGKILL. */
#define GRACE_SECONDS 5.0

/* The front-end's side of a run: what it draws. */
struct view {
	struct run_engine *e;
	int tty;
	int drawn;		/* lines drawn on the terminal last time */
	int output_gone;	/* a write to stdout or stderr failed (EPIPE: run | head) */
};

/* progress: on a terminal, redraw a block of lines; off it, one line per event */

static void clear_progress(struct view *v)
{
	if (v->tty && v->drawn) {
		fprintf(stderr, "\033[%dA\033[J", v->drawn);
		v->drawn = 0;
	}
}

static void draw_progress(struct view *v)
{
	struct run_engine *e = v->e;
	struct strbuf sb = STRBUF_INIT;
	size_t k, done = 0, running = 0;
	double now = state_now();
	int cols = output_columns(stderr), width = 30, filled;

	if (!v->tty)
		return;
	clear_progress(v);
	for (k = 0; k < e->sel_nr; k++) {
		size_t i = e->sel[k];
		struct task_status *st = &e->s->st[i];

		if (run_state_finished(st->state) || run_state_final_failure(st->state))
			done++;
		if (st->state == TS_PENDING && st->waiting) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "  %-8s waiting: %s", st->id, st->waiting);
			if (cols > 10 && (int)sb.len > cols - 1)
				strbuf_setlen(&sb, (size_t)cols - 1);
			fprintf(stderr, "%s\n", sb.buf);
			v->drawn++;
		}
		if (st->state != TS_RUNNING)
			continue;
		running++;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "  %-8s ", st->id);
		strbuf_add_duration(&sb, now - st->started);
		strbuf_addstr(&sb, "  ");
		strbuf_add_term(&sb, e->s->plan.tasks.v[i].title);
		if (cols > 10 && (int)sb.len > cols - 1)
			strbuf_setlen(&sb, (size_t)cols - 1);
		fprintf(stderr, "%s\n", sb.buf);
		v->drawn++;
	}
	filled = e->sel_nr ? (int)(width * done / e->sel_nr) : width;
	strbuf_reset(&sb);
	strbuf_addch(&sb, '[');
	for (k = 0; k < (size_t)width; k++)
		strbuf_addch(&sb, (int)k < filled ? '#' : '.');
	strbuf_addf(&sb, "] %zu/%zu finished, %zu running, ", done, e->sel_nr, running);
	strbuf_add_duration(&sb, now - e->started);
	fprintf(stderr, "%s\n", sb.buf);
	v->drawn++;
	strbuf_release(&sb);
}

/* The words for each event of the engine. */
static void on_event(const struct run_event *ev, void *cb)
{
	struct view *v = cb;
	struct strbuf sb = STRBUF_INIT;

	/*
	 * an error held back (util.c) goes out before the event, in order,
	 * where the progress block was: it must not be drawn over
	 */
	clear_progress(v);
	report_flush();
	if (ev->kind == RUN_EV_TICK) {
		draw_progress(v);
		return;
	}
	switch (ev->kind) {
	case RUN_EV_STARTED:
		strbuf_addf(&sb, "%s started%s", ev->id, ev->attempt > 1 ? " again" : "");
		break;
	case RUN_EV_DONE:
		strbuf_addf(&sb, "%s done in ", ev->id);
		strbuf_add_duration(&sb, ev->duration);
		break;
	case RUN_EV_FAILED:
		strbuf_addf(&sb, "%s failed: %s", ev->id, term_str(ev->reason));
		break;
	case RUN_EV_RETRY:
		strbuf_addf(&sb, "%s %s; retrying (attempt %u of %u)", ev->id, term_str(ev->reason),
			    ev->attempt, ev->max);
		break;
	case RUN_EV_GAVE_UP:
		strbuf_addf(&sb, "%s %s; see %s", ev->id, term_str(ev->reason), term_str(ev->log));
		break;
	case RUN_EV_BLOCKED:
		strbuf_addf(&sb, "%s blocked: %s", ev->id, term_str(ev->reason));
		break;
	case RUN_EV_INTERRUPTED:
		strbuf_addf(&sb, "%s interrupted", ev->id);
		if (ev->duration >= 0) {
			strbuf_addstr(&sb, " after ");
			strbuf_add_duration(&sb, ev->duration);
		}
		break;
	case RUN_EV_ORPHAN:
		strbuf_addf(&sb, "%s: stopping the command left running by a run that is gone (pid %ld)",
			    ev->id, ev->pid);
		break;
	case RUN_EV_SIGNAL:
		strbuf_addf(&sb, "interrupted (%s): stopping the running tasks; run again to resume",
			    runner_signal_name(ev->sig));
		break;
	case RUN_EV_STOPPING:
		strbuf_addf(&sb, "stopping: %s", term_str(ev->reason));
		break;
	case RUN_EV_WAITING:
		strbuf_addf(&sb, "%s waiting: %s", ev->id, ev->reason);
		break;
	case RUN_EV_BACKOFF:
		strbuf_addf(&sb, "%s %s", ev->id, ev->reason);
		break;
	case RUN_EV_TICK:
		break;
	}
	if (ev->unsaved && ev->id) {
		/* what the task's file says is not what just happened: the next run goes by the file */
		char *path = state_task_path(v->e->s->state, ev->id);

		if (ev->kind == RUN_EV_DONE)
			strbuf_addf(&sb, ", but its state could not be saved to '%s': the next run "
				    "starts it again in its worktree (its commits stay)", term_str(path));
		else
			strbuf_addf(&sb, "; its state could not be saved to '%s'", term_str(path));
		free(path);
	}
	if (v->output_gone)
		goto out;
	clear_progress(v);
	if (fprintf(stderr, "%s\n", sb.buf) < 0 || fflush(stderr) == EOF) {
		/* stderr is gone (a closed pipe): stop as on SIGINT, quietly */
		v->output_gone = 1;
		run_engine_stop(v->e, SIGPIPE);
		goto out;
	}
	draw_progress(v);
out:
	strbuf_release(&sb);
}

/* The tasks whose state could not be saved, and their files: the error run ends with. */
static void unsaved_error(struct run_engine *e)
{
	size_t k, n = 0, last = 0;
	char *path;

	for (k = 0; k < e->sel_nr; k++)
		if (e->unsaved[e->sel[k]]) {
			last = e->sel[k];
			n++;
		}
	for (k = 0; k < e->sel_nr && n > 1; k++) {
		size_t i = e->sel[k];

		if (!e->unsaved[i])
			continue;
		path = state_task_path(e->s->state, e->s->plan.tasks.v[i].id);
		error("the state of task '%s' could not be saved to '%s'", e->s->plan.tasks.v[i].id, path);
		free(path);
	}
	if (n == 1) {
		path = state_task_path(e->s->state, e->s->plan.tasks.v[last].id);
		error("the state of task '%s' could not be saved to '%s' (see above); run again when "
		      "that is fixed", e->s->plan.tasks.v[last].id, path);
		free(path);
	} else if (n) {
		error("the state of %zu tasks could not be saved (see above); run again when that is "
		      "fixed", n);
	} else {
		/* a failed save that a later one of the same task made good */
		error("the state of some tasks could not be saved (see above); run again when that "
		      "is fixed");
	}
}

/* Tasks of this run that finished, in percent of the selected ones. */
static double done_share(struct run_engine *e, size_t *done)
{
	size_t k;

	*done = 0;
	for (k = 0; k < e->sel_nr; k++)
		if (run_state_finished(e->s->st[e->sel[k]].state))
			(*done)++;
	return e->sel_nr ? 100.0 * (double)*done / (double)e->sel_nr : 100.0;
}

static void summary(struct run_engine *e, double min_success)
{
	size_t k, counts[TS_NR] = { 0 }, unsaved = 0;
	double wall = state_now() - e->started, task_time = 0, wait_time = 0;
	struct strbuf sb = STRBUF_INIT;
	int s;

	for (k = 0; k < e->sel_nr; k++) {
		size_t i = e->sel[k];

		if (e->unsaved[i])
			unsaved++;	/* its file says otherwise: counted apart */
		else
			counts[e->s->st[i].state]++;
		if (e->tries[i])
			task_time += e->s->st[i].task_time;
		wait_time += e->s->st[i].wait_time;
	}
	for (s = 0; s < TS_NR; s++)
		if (counts[s])
			strbuf_addf(&sb, "%s%zu %s", sb.len ? ", " : "", counts[s],
				    task_state_name((enum task_state)s));
	if (unsaved)
		strbuf_addf(&sb, "%s%zu not saved", sb.len ? ", " : "", unsaved);
	printf("%s\n", sb.buf);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "wall ");
	strbuf_add_duration(&sb, wall);
	strbuf_addstr(&sb, ", task time ");
	strbuf_add_duration(&sb, task_time);
	if (wall > 0 && task_time > 0)
		strbuf_addf(&sb, ", speedup %.2fx", task_time / wall);
	if (wait_time > 0) {
		/* precheck, thresholds, backoff: what a budget cost */
		strbuf_addstr(&sb, ", wait time ");
		strbuf_add_duration(&sb, wait_time);
	}
	printf("%s\n", sb.buf);
	if (min_success >= 0) {
		size_t done;
		double share = done_share(e, &done);

		printf("%zu of %zu tasks done (%.1f%%); --min-success %g%%: %s\n", done, e->sel_nr,
		       share, min_success, share >= min_success ? "met" : "not met");
	}
	strbuf_release(&sb);
}

/* One untrusted command: its line, and the file to trust once. */
static void untrusted(struct strbuf *list, struct strlist *files, const char *from,
		      const char *what, const char *cmd, const char *id)
{
	const char *path = trust_id_path(id);
	char *now = trust_id_of_file(path);

	strbuf_addf(list, "  %s: %s: %s", term_str(from), what, term_str(cmd));
	if (now && strcmp(now, id))
		strbuf_addstr(list, "  (the file changed since it was read: plan again)");
	strbuf_addch(list, '\n');
	if (!strlist_has(files, path))
		strlist_push(files, path);
	free(now);
}

/*
 * Commands from files of the repository run only once trusted (trust.h):
 * list every one that is not, with its file:line, and refuse.  0 or -1.
 */
int check_commands_trusted(struct session *s, const size_t *sel, size_t sel_nr, const char *command)
{
	struct strbuf list = STRBUF_INIT, what = STRBUF_INIT;
	struct strlist files = STRLIST_INIT;
	struct untrusted_cmd {
		const char *from, *cmd, *id;
		struct strbuf tasks;	/* the first few IDs */
		size_t n;
	} *groups = NULL;
	size_t groups_nr = 0;
	struct trust t;
	size_t k;
	int ret = -1;

	if (trust_load(&t, s->gitdir) < 0)
		goto out;
	for (k = 0; k < (sel ? sel_nr : s->plan.tasks.nr); k++) {
		size_t i = sel ? sel[k] : k, g;
		const char *from, *id, *cmd;

		if (command)
			break;	/* --command: the user's own, for every task */
		if (s->st ? run_state_finished(s->st[i].state) : !plan_task_active(&s->plan, i))
			continue;
		cmd = config_task_command(&s->cfg, &s->plan.tasks.v[i], &from, &id);
		if (!cmd || !id || trust_has(&t, id))
			continue;
		/* one line per command of a file, with the tasks that take it */
		for (g = 0; g < groups_nr; g++)
			if (!strcmp(groups[g].from, from) && !strcmp(groups[g].cmd, cmd))
				break;
		if (g == groups_nr) {
			groups = xrealloc(groups, (groups_nr + 1) * sizeof(*groups));
			groups[g].from = from;
			groups[g].cmd = cmd;
			groups[g].id = id;
			groups[g].n = 0;
			strbuf_init(&groups[g].tasks, 0);
			groups_nr++;
		}
		if (groups[g].n < 5)
			strbuf_addf(&groups[g].tasks, "%s'%s'", groups[g].n ? ", " : "",
				    s->plan.tasks.v[i].id);
		groups[g].n++;
	}
	for (k = 0; k < groups_nr; k++) {
		strbuf_reset(&what);
		strbuf_addf(&what, "task%s %s", groups[k].n == 1 ? "" : "s", groups[k].tasks.buf);
		if (groups[k].n > 5)
			strbuf_addf(&what, " and %zu more", groups[k].n - 5);
		untrusted(&list, &files, groups[k].from, what.buf, groups[k].cmd, groups[k].id);
		strbuf_release(&groups[k].tasks);
	}
	free(groups);
	/* every other command key of the configuration (setup, precheck ...) */
	for (k = 0; s->cfg.file_trust && k < s->cfg.cmds_nr; k++) {
		const struct config_cmd *o = &s->cfg.cmds[k];

		if (o->user || !strcmp(o->key, "command") || trust_has(&t, s->cfg.file_trust))
			continue;
		strbuf_reset(&what);
		strbuf_addf(&what, "parallel.%s", o->key);
		untrusted(&list, &files, o->from, what.buf, o->value, s->cfg.file_trust);
	}
	if (!list.len) {
		ret = 0;
		goto out;
	}
	error("%zu file%s of the repository give%s commands you have not trusted:",
	      files.nr, files.nr == 1 ? "" : "s", files.nr == 1 ? "s" : "");
	report_flush();
	fputs(list.buf, stderr);
	fprintf(stderr, "hint: review them, then 'git parallel trust' trusts these files as they are now\n"
		"hint: (or 'git parallel run --trust-commands' for this run only)\n");
	/* the last line, "fatal: " when the command gives up on it */
	strbuf_reset(&what);
	for (k = 0; k < files.nr; k++)
		strbuf_addf(&what, "%s'%s'", k ? ", " : "", term_str(files.v[k]));
	error("commands from %s are not trusted", what.buf);
out:
	trust_release(&t);
	strbuf_release(&list);
	strbuf_release(&what);
	strlist_clear(&files);
	return ret;
}

static void dry_run(struct run_engine *e, int trusting)
{
	struct trust t;
	size_t k;

	if (trust_load(&t, e->s->gitdir) < 0)
		trusting = 1;	/* reported; the listing still helps */

	for (k = 0; k < e->sel_nr; k++) {
		size_t i = e->sel[k];
		struct task_status *st = &e->s->st[i];
		const char *from, *id;
		const char *cmd = run_task_command_from(e, i, &from, &id);

		if (run_state_finished(st->state)) {
			printf("%-8s %s (already %s)\n", st->id, "skip", task_state_name(st->state));
			continue;
		}
		printf("%-8s wave %d  %s  %s\n", st->id, e->s->plan.pt[i].wave, term_str(short_ref(st->branch)),
		       term_str(st->worktree));
		/* escaped: a command cannot redraw itself as another one */
		printf("%-8s   $ %s\n", "", term_str(cmd));
		printf("%-8s     (from %s%s)\n", "", term_str(from), !id ? "" : trusting || trust_has(&t, id) ?
		       ", a file of the repository, trusted" :
		       ", a file of the repository, NOT trusted: run refuses it");
	}
	trust_release(&t);
}

/* run --on: push the plan to the remote, then launch workers (exec-remote.c). */
static int run_on_setup(struct session *s, struct executor *ex, const char *on, const char *remote,
			const char *command, char **url)
{
	struct strbuf why = STRBUF_INIT;
	struct remote r;
	size_t dropped;
	int rc;

	if (launch_spec_check(on, &why) < 0) {
		error("--on: %s", why.buf);
		strbuf_release(&why);
		return -1;
	}
	*url = remote_url(s->workdir, remote);
	if (!*url)
		return -1;
	if (remote_load(&r, s->repo, *url, 0) < 0) {
		remote_release(&r);
		return -1;
	}
	rc = remote_publish_session(&r, s, command, 0, &dropped, &why);
	remote_release(&r);
	if (rc > 0)
		error("cannot publish the plan on '%s': %s", *url, why.buf);
	strbuf_release(&why);
	if (rc)
		return -1;
	return executor_launch_init(ex, on, *url, s->plan.id, GRACE_SECONDS);
}

static int parse_jobs(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	unsigned int u;

	if (parse_uint(arg, &u) < 0 || !u) {
		strbuf_addf(err, "-j needs a positive number, not '%s'", arg);
		return -1;
	}
	*(long *)opt->value = u;
	return 0;
}

static int parse_retries(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	unsigned int u;

	if (parse_uint(arg, &u) < 0) {
		strbuf_addf(err, "--retries needs a number, not '%s'", arg);
		return -1;
	}
	*(long *)opt->value = u;
	return 0;
}

static int parse_timeout(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	if (parse_duration(arg, opt->value) < 0) {
		strbuf_addf(err, "--timeout needs a duration such as 90s, 30m or 2h, not '%s'", arg);
		return -1;
	}
	return 0;
}

static int parse_min_success(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	if (report_parse_percent(arg, opt->value) < 0) {
		strbuf_addf(err, "--min-success needs a percentage from 0 to 100, not '%s'", arg);
		return -1;
	}
	return 0;
}

int cmd_run(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct session s;
	struct run_engine e;
	struct run_opts o;
	struct executor ex;
	struct view v;
	size_t *sel = NULL, sel_nr = 0, k;
	int c, ret = 128, dry = 0, locked = 0, engine_up = 0, ex_up = 0, check = 0, trusting = 0;
	long jobs = -1, retries = -1;
	double timeout = -1, min_success = -1;
	int sparse = -1;
	const char *on = NULL, *remote = "origin";
	char *url = NULL;
	struct parse_opt usage_run[] = {
		OPT_COMMAND("run"),
		OPT_OPERANDS("[<id>...]"),
		OPT_CALLBACK('j', "jobs", &jobs, "n", "at most <n> commands at a time", parse_jobs),
		OPT_CALLBACK(0, "timeout", &timeout, "d", "per attempt: 90s, 30m, 2h", parse_timeout),
		OPT_CALLBACK(0, "retries", &retries, "n", "attempts after a failure or a timeout", parse_retries),
		OPT_STRING(0, "command", &o.command, "cmd", "the command for every task"),
		OPT_BOOL(0, "dry-run", &dry, "print what would run, where, and why; change nothing"),
		OPT_BOOL(0, "fail-fast", &o.fail_fast, "stop at the first task that fails for good"),
		OPT_BOOL(0, "check", &check, "then print what git parallel check says"),
		OPT_BOOL(0, "trust-commands", &trusting, "run untrusted commands of the repository, this once"),
		OPT_BOOL_F(0, "sparse", &sparse, "sparse worktrees or not (parallel.sparse)", PARSE_OPT_NEGATABLE),
		OPT_CALLBACK(0, "min-success", &min_success, "percent", "exit 0 when this share of the tasks is done",
			     parse_min_success),
		OPT_STRING(0, "on", &on, "where", "run the tasks as workers: ssh:<hosts> or exec:<template>"),
		OPT_STRING(0, "remote", &remote, "remote", "where --on publishes the plan (default origin)"),
		OPT_ALIAS('t', "timeout"),
		OPT_ALIAS('r', "retries"),
		OPT_ALIAS('c', "command"),
		OPT_ALIAS('n', "dry-run"),
		OPT_ALIAS('F', "fail-fast"),
		OPT_ALIAS('C', "check"),
		OPT_ALIAS('T', "trust-commands"),
		OPT_ALIAS('O', "on"),
		OPT_ALIAS('R', "remote"),
		OPT_END(),
	};

	memset(&s, 0, sizeof(s));
	memset(&e, 0, sizeof(e));
	memset(&o, 0, sizeof(o));
	memset(&ex, 0, sizeof(ex));
	memset(&v, 0, sizeof(v));
	if ((optind = cmd_parse_options(argc, argv, usage_run, &c)) < 0)
		return c;

	if (on) {
		struct strbuf why = STRBUF_INIT;

		if (launch_spec_check(on, &why) < 0) {
			c = usage_error(usage_run, "--on: %s", why.buf);
			strbuf_release(&why);
			return c;
		}
		if (remote_check_name(remote) < 0)
			return 129;
	}
	if (session_open(&s, ctx->repo, ctx->config_path) < 0)
		goto out;
	if (session_select(&s, argc - optind, argv + optind, &sel, &sel_nr) < 0)
		goto out;
	o.jobs = jobs > 0 ? (unsigned int)jobs : s.cfg.jobs;
	if (!o.jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o.jobs = n > 0 ? (unsigned int)n : 1;
	}
	if (sparse >= 0)
		s.cfg.sparse = sparse;
	o.retries = retries >= 0 ? (unsigned int)retries : s.cfg.retries;
	o.timeout = timeout >= 0 ? timeout : s.cfg.timeout;
	v.tty = isatty(2) && !getenv("NO_COLOR") ? output_columns(stderr) > 0 : 0;
	o.tick_ms = v.tty ? 250 : 1000;

	if (!dry) {
		if (state_lock_acquire(s.state, "run") < 0)
			goto out;
		locked = 1;
	}
	if (session_load_status(&s) < 0)
		goto out;
	warn_merge_interrupted(s.state);
	run_engine_init(&e, &s, sel, sel_nr, &o, &ex, on_event, &v);
	engine_up = 1;
	v.e = &e;
	/* with --on, the workers run the command published on the remote */
	for (k = 0; k < sel_nr && !on; k++)
		if (!run_task_command(&e, sel[k])) {
			error("no command for task '%s': set parallel.command, a task's command, or use --command",
			      s.plan.tasks.v[sel[k]].id);
			goto out;
		}
	if (getenv("GIT_PARALLEL_TRUST_COMMANDS") && !strcmp(getenv("GIT_PARALLEL_TRUST_COMMANDS"), "1"))
		trusting = 1;
	if (!dry && !trusting && check_commands_trusted(&s, e.sel, e.sel_nr, o.command) < 0)
		goto out;
	if (dry) {
		dry_run(&e, trusting);
		ret = 0;
		goto out;
	}

	if (on) {
		/* tasks run as workers elsewhere, through the remote: publish the plan first */
		if (run_on_setup(&s, &ex, on, remote, o.command, &url) < 0)
			goto out;
	} else if (executor_local_init(&ex, GRACE_SECONDS) < 0) {
		goto out;
	}
	ex_up = 1;
	if (report_record_min_success(s.state, min_success) < 0)
		goto out;
	if (run_engine_run(&e) < 0)
		goto out;
	clear_progress(&v);
	summary(&e, min_success);
	ret = e.failed || e.stopping ? 1 : 0;
	if (ret && min_success >= 0 && !e.terminate) {
		size_t done;

		/* enough of them done: a partial run that counts as a success */
		if (done_share(&e, &done) >= min_success)
			ret = 0;
	}
	if (e.save_failed) {
		unsaved_error(&e);
		ret = 128;
	}
	if (check && !e.stopping) {
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
	if (ex_up)
		ex.release(&ex);
	if (engine_up)
		run_engine_release(&e);
	if (locked)
		state_lock_release(s.state);
	free(sel);
	free(url);
	session_release(&s);
	return ret;
}
