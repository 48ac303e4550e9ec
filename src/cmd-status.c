/*
 * git parallel status: every task's state, attempts, duration, commits
 * ahead of the base, files changed, worktree and log.  Works while run
 * runs: it only reads the state files, written atomically.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/lock.h"
#include "gp/output.h"
#include "gp/parse-options.h"
#include "gp/remote.h"
#include "gp/repo.h"
#include "gp/session.h"

static double duration_of(const struct task_status *st)
{
	if (st->state == TS_RUNNING && st->started)
		return st->task_time + (state_now() - st->started);
	return st->task_time;
}

/*
 * Who holds the lock: its pid (0: nobody, or a stale lock) and, when the
 * lock names it, its command ("run", "merge", "clean"; caller frees).
 * Command first: a lock taken between the two reads shows its pid with
 * no command rather than another holder's command.
 */
static pid_t lock_holder(struct session *s, char **command)
{
	pid_t pid;

	*command = state_lock_command(s->state);
	pid = state_lock_holder(s->state);
	if (!pid) {
		free(*command);
		*command = NULL;
	}
	return pid;
}

/* With rv (status --remote): the remote's view; its claims' leases tell stale ones. */
static void print_json(struct session *s, const size_t *sel, size_t nr, const struct remote *rv)
{
	struct strbuf out = STRBUF_INIT;
	struct json j;
	char *command;
	pid_t holder = lock_holder(s, &command);
	size_t k;

	json_init(&j, &out);
	json_object_begin(&j);
	json_kv_int(&j, "version", 1);
	/* "running": the lock holder's pid, whatever its command (version 1) */
	json_key(&j, "running");
	if (holder)
		json_int(&j, (long long)holder);
	else
		json_null(&j);
	json_key(&j, "lock");
	if (holder) {
		json_object_begin(&j);
		json_kv_int(&j, "pid", (long long)holder);
		json_kv_string(&j, "command", command);
		json_object_end(&j);
	} else {
		json_null(&j);
	}
	free(command);
	{
		char *im = state_merge_interrupted(s->state);

		json_kv_string(&j, "interrupted_merge", im);
		free(im);
	}
	json_key(&j, "tasks");
	json_array_begin(&j);
	for (k = 0; k < nr; k++) {
		size_t i = sel[k];
		const struct task_status *st = &s->st[i];
		struct task_work fc;
		char *branch = session_branch(s, st->id), *wt = session_worktree(s, st->id);
		char *log = session_log(s, st->id), *t1 = NULL, *t2 = NULL;

		session_task_work(s, i, &fc);
		json_object_begin(&j);
		json_kv_string(&j, "id", st->id);
		json_kv_string(&j, "state", task_state_name(st->state));
		json_kv_bool(&j, "orphaned", st->orphaned);
		json_kv_int(&j, "attempts", st->attempts);
		json_kv_string(&j, "branch", short_ref(st->branch && !rv ? st->branch : branch));
		json_kv_string(&j, "worktree", st->cleaned ? NULL : st->worktree ? st->worktree : wt);
		json_kv_string(&j, "log", access(log, F_OK) ? NULL : log);
		json_kv_string(&j, "started", st->started ? (t1 = state_iso_time(st->started)) : NULL);
		json_kv_string(&j, "finished", st->finished ? (t2 = state_iso_time(st->finished)) : NULL);
		json_key(&j, "exit");
		if (st->exit_code >= 0)
			json_int(&j, st->exit_code);
		else
			json_null(&j);
		json_kv_double(&j, "duration", duration_of(st));
		json_key(&j, "commits");
		if (fc.known)
			json_int(&j, (long long)fc.commits);
		else
			json_null(&j);
		json_key(&j, "files");
		if (fc.known)
			json_int(&j, (long long)fc.files);
		else
			json_null(&j);
		json_kv_string(&j, "head", st->head);
		json_kv_string(&j, "reason", st->reason);
		json_kv_string(&j, "merge_reason", st->merge_reason);
		json_kv_string(&j, "waiting", holder && st->state == TS_PENDING ? st->waiting : NULL);
		/* what text status says of a task whose run or worker died before saving its end */
		json_key(&j, "interrupted");
		if (st->died) {
			json_object_begin(&j);
			json_kv_string(&j, "by", st->remote ? "worker" : "run");
			json_kv_int(&j, "pid", st->run_pid);
			json_kv_string(&j, "remote", st->remote);
			json_object_end(&j);
		} else {
			json_null(&j);
		}
		json_kv_double(&j, "wait_time", st->wait_time);
		if (rv) {
			const struct remote_task *rt = &rv->tasks[i];

			json_kv_bool(&j, "stale", remote_task_stale(rt, state_now()));
			json_kv_string(&j, "worker", rt->worker);
			json_key(&j, "lease");
			if (rt->lease > 0) {
				char *t = state_iso_time(rt->lease);

				json_string(&j, t);
				free(t);
			} else {
				json_null(&j);
			}
		}
		json_object_end(&j);
		free(branch);
		free(wt);
		free(log);
		free(t1);
		free(t2);
	}
	json_array_end(&j);
	json_object_end(&j);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static void print_table(struct session *s, const size_t *sel, size_t nr, const struct remote *rv)
{
	struct strbuf sb = STRBUF_INIT;
	size_t k, idw = 4;
	char *command;
	pid_t holder = lock_holder(s, &command);

	for (k = 0; k < nr; k++)
		if (strlen(s->st[sel[k]].id) > idw)
			idw = strlen(s->st[sel[k]].id);
	if (holder && command)
		printf("git parallel %s is running (pid %ld)\n", command, (long)holder);
	else if (holder)
		printf("a git parallel command holds the lock (pid %ld)\n", (long)holder);
	free(command);
	{
		char *im = state_merge_interrupted(s->state);

		if (im)
			printf("a merge into '%s' was interrupted: where '%s' is checked out, git status "
			       "may show the merge undone; run 'git parallel merge' to finish it, and "
			       "commit nothing there before\n", term_str(im), term_str(im));
		free(im);
	}
	for (k = 0; k < nr; k++) {
		size_t i = sel[k];
		const struct task_status *st = &s->st[i];
		struct task_work fc;
		char *log = session_log(s, st->id), *wt = session_worktree(s, st->id);
		double d = duration_of(st);

		session_task_work(s, i, &fc);
		strbuf_reset(&sb);
		int stale = rv && remote_task_stale(&rv->tasks[i], state_now());

		strbuf_addf(&sb, "%-*s  %-11s", (int)idw, term_str(st->id),
			    st->orphaned ? "running*" : stale ? "stale" : task_state_name(st->state));
		if (st->attempts)
			strbuf_addf(&sb, "  %u attempt%s", st->attempts, st->attempts == 1 ? " " : "s");
		else
			strbuf_addstr(&sb, "            ");
		if (d > 0)
			strbuf_addf(&sb, "  %7.1fs", d);
		else
			strbuf_addstr(&sb, "          ");
		if (fc.known && (fc.commits || st->attempts))
			strbuf_addf(&sb, "  %zu commit%s, %zu file%s", fc.commits, fc.commits == 1 ? "" : "s",
				    fc.files, fc.files == 1 ? "" : "s");
		printf("%s\n", sb.buf);
		if (holder && st->state == TS_PENDING && st->waiting)
			printf("%-*s  waiting: %s\n", (int)idw, "", st->waiting);
		if (stale)
			printf("%-*s  its worker %s stopped renewing its claim; 'git parallel worker' "
			       "may claim it again\n", (int)idw, "",
			       rv->tasks[i].worker ? term_str(rv->tasks[i].worker) : "(unknown)");
		else if (rv && st->state == TS_RUNNING && rv->tasks[i].worker)
			printf("%-*s  on worker %s\n", (int)idw, "", term_str(rv->tasks[i].worker));
		if (st->orphaned)
			printf("%-*s  its run is gone (killed?) but the command still runs (pid %ld); "
			       "the next 'git parallel run' stops and restarts it\n", (int)idw, "", st->pid);
		if (st->died && st->remote)
			printf("%-*s  its worker (pid %ld) stopped before it saved here how the task ended "
			       "(killed, or the state could not be written: a full disk?); "
			       "'git parallel status --remote %s' shows what it pushed\n", (int)idw, "",
			       st->run_pid, term_str(st->remote));
		else if (st->died)
			printf("%-*s  its run (pid %ld) stopped before it saved how the task ended "
			       "(killed, or the state could not be written: a full disk?); what it "
			       "committed is on its branch, and the next 'git parallel run' starts it "
			       "again\n", (int)idw, "", st->run_pid);
		if ((st->state == TS_CONFLICT || st->state == TS_HELD) && st->merge_reason)
			printf("%-*s  %s\n", (int)idw, "", term_str(st->merge_reason));
		else if (st->reason && st->state != TS_DONE)
			printf("%-*s  %s\n", (int)idw, "", term_str(st->reason));
		if (st->attempts && !st->cleaned && !access(wt, F_OK))
			printf("%-*s  worktree %s\n", (int)idw, "", term_str(wt));
		if (st->attempts && !access(log, F_OK) && st->state != TS_DONE && st->state != TS_MERGED)
			printf("%-*s  log %s\n", (int)idw, "", term_str(log));
		free(log);
		free(wt);
	}
	strbuf_release(&sb);
}

int cmd_status(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct session s;
	struct remote r;
	size_t *sel = NULL, nr = 0;
	int c, json = 0, watch = 0, ret = 128, r_up = 0;
	const char *remote = NULL;
	char *mirror = NULL;
	struct parse_opt usage_status[] = {
		OPT_COMMAND("status"),
		OPT_OPERANDS("[<id>...]"),
		OPT_BOOL(0, "json", &json, "print the states as JSON"),
		OPT_BOOL(0, "watch", &watch, "repeat until run ends"),
		OPT_STRING(0, "remote", &remote, "remote", "the states of the plan published on <remote>"),
		OPT_ALIAS('j', "json"),
		OPT_ALIAS('w', "watch"),
		OPT_ALIAS('R', "remote"),
		OPT_END(),
	};

	if ((optind = cmd_parse_options(argc, argv, usage_status, &c)) < 0)
		return c;
	memset(&s, 0, sizeof(s));
	if (remote) {
		/* the remote's refs, fetched and written as a state directory of their own */
		if (watch)
			return usage_error(usage_status, "--watch does not go with --remote");
		if (remote_check_name(remote) < 0)
			return 129;
		r_up = 1;
		if (remote_load(&r, ctx->repo, remote, 1) < 0)
			goto out;
		if (!r.has_plan) {
			error("'%s' holds no plan: run 'git parallel push %s' where the plan was made",
			      remote, remote);
			goto out;
		}
		mirror = remote_mirror_path(ctx->repo);
		if (remote_mirror(&r, mirror) < 0)
			goto out;
	}
	if (session_open_state(&s, ctx->repo, ctx->config_path, mirror) < 0)
		goto out;
	if (remote)
		task_status_set(&s.cfg.branch_prefix, r.set.branch_prefix);
	if (session_select(&s, argc - optind, argv + optind, &sel, &nr) < 0)
		goto out;
	for (;;) {
		size_t k;
		int tty = isatty(1);

		if (session_load_status(&s) < 0)
			goto out;
		if (watch && tty)
			printf("\033[H\033[J");
		if (json)
			print_json(&s, sel, nr, r_up ? &r : NULL);
		else
			print_table(&s, sel, nr, r_up ? &r : NULL);
		fflush(stdout);
		if (!watch || !state_lock_holder(s.state))
			break;
		sleep(tty ? 1 : 2);
		for (k = 0; k < s.plan.tasks.nr; k++)
			task_status_release(&s.st[k]);
		free(s.st);
		s.st = NULL;
		if (!tty)
			printf("\n");
	}
	ret = 0;
out:
	free(sel);
	session_release(&s);
	if (r_up)
		remote_release(&r);
	if (mirror)
		remote_mirror_remove(mirror);
	free(mirror);
	return ret;
}
