/*
 * git parallel plan: read the task files, build the dependency graph,
 * print it and save it (with the base commit pinned) in the state
 * directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/config.h"
#include "gp/output.h"
#include "gp/parse-options.h"
#include "gp/pathres.h"
#include "gp/plan.h"
#include "gp/repo.h"
#include "gp/run.h"
#include "gp/session.h"
#include "gp/state.h"
#include "gp/trust.h"

enum plan_opts {
	OPT_JSON = 1 << 0,
	OPT_STRICT = 1 << 1,
	OPT_FORCE = 1 << 2,
};

/* "command": what task t runs without --command, where it came from, whether it needs trust. */
static void json_command(struct json *j, const struct config *cfg, const struct task *t)
{
	const char *from, *trust;
	const char *cmd = config_task_command(cfg, t, &from, &trust);

	json_key(j, "command");
	if (!cmd) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	json_kv_string(j, "value", cmd);
	json_kv_string(j, "from", from);
	json_kv_bool(j, "needs_trust", trust != NULL);
	json_object_end(j);
}

/* "commands": every command key of the configuration, where it came from. */
static void json_config_commands(struct json *j, const struct config *cfg)
{
	size_t k;

	json_key(j, "commands");
	json_array_begin(j);
	for (k = 0; k < cfg->cmds_nr; k++) {
		const struct config_cmd *o = &cfg->cmds[k];

		json_object_begin(j);
		json_kv_string(j, "key", o->key);
		json_kv_string(j, "value", o->value);
		json_kv_string(j, "from", o->from);
		json_kv_bool(j, "needs_trust", !o->user && cfg->file_trust);
		json_object_end(j);
	}
	json_array_end(j);
}

/*
 * The state each task of the plan carries over from earlier runs (those
 * save_plan() kept: the same task), or -1 (none; not a task that runs).
 * A task run finished (done, merged ...: run_state_finished()) is not
 * one to run.  Caller frees.
 */
static int *earlier_states(const struct plan *p, const char *state)
{
	int *v = xcalloc(p->tasks.nr + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < p->tasks.nr; i++) {
		struct task_status st;

		v[i] = -1;
		if (!plan_task_active(p, i))
			continue;
		/* 1: none saved; an unreadable one is reported, and run will say so too */
		if (!state_task_load(&st, state, p->tasks.v[i].id, NULL))
			v[i] = (int)st.state;
		task_status_release(&st);
	}
	return v;
}

static int finished_before(const int *prev, size_t i)
{
	return prev && prev[i] >= 0 && run_state_finished((enum task_state)prev[i]);
}

static void print_json(const struct plan *p, const char *base_name, const struct config *cfg,
		       const int *prev)
{
	struct strbuf out = STRBUF_INIT;
	struct json j;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, k, *order, order_nr;
	int w;

	git_oid_tostr(hex, sizeof(hex), &p->base_oid);
	json_init(&j, &out);
	json_object_begin(&j);
	json_kv_int(&j, "version", 1);
	json_key(&j, "base");
	json_object_begin(&j);
	json_kv_string(&j, "ref", *p->base_ref ? p->base_ref : NULL);
	json_kv_string(&j, "name", base_name);
	json_kv_string(&j, "oid", hex);
	json_object_end(&j);
	json_key(&j, "sources");
	json_array_begin(&j);
	for (i = 0; i < p->sources.nr; i++)
		json_string(&j, p->sources.v[i]);
	json_array_end(&j);

	json_key(&j, "tasks");
	json_array_begin(&j);
	for (i = 0; i < p->tasks.nr; i++) {
		const struct task *t = &p->tasks.v[i];
		const struct plan_task *pt = &p->pt[i];

		json_object_begin(&j);
		json_kv_string(&j, "id", t->id);
		json_kv_string(&j, "title", t->title);
		json_kv_string(&j, "file", t->file);
		json_kv_int(&j, "line", t->line);
		json_kv_string(&j, "phase", t->phase >= 0 ? p->tasks.phases[t->phase].name : NULL);
		json_kv_int(&j, "wave", pt->wave);
		json_kv_bool(&j, "parallel", t->parallel);
		json_kv_bool(&j, "done", t->done);
		/* cancelled: listed, not run; status says why */
		json_kv_bool(&j, "cancelled", t->cancelled);
		json_kv_string(&j, "status", task_status_name(t));
		/* what earlier runs of this task left (status --json's state), or null */
		json_kv_string(&j, "state", prev && prev[i] >= 0 ?
			       task_state_name((enum task_state)prev[i]) : NULL);
		json_kv_string(&j, "group", t->in_group && t->in_group <= p->tasks.nr ?
			       p->tasks.v[t->in_group - 1].id : NULL);
		json_key(&j, "paths");
		json_array_begin(&j);
		for (k = 0; k < t->paths.nr; k++)
			json_string(&j, t->paths.v[k]);
		json_array_end(&j);
		json_key(&j, "reads");
		json_array_begin(&j);
		for (k = 0; k < t->reads.nr; k++)
			json_string(&j, t->reads.v[k]);
		json_array_end(&j);
		json_kv_string(&j, "owner", pt->owner);
		json_kv_string(&j, "story", t->story);
		if (t->estimate > 0)
			json_kv_double(&j, "estimate", t->estimate);
		json_command(&j, cfg, t);
		json_key(&j, "depends");
		json_array_begin(&j);
		for (k = 0; k < pt->deps_nr; k++) {
			const struct plan_dep *d = &pt->deps[k];

			json_object_begin(&j);
			json_kv_string(&j, "id", p->tasks.v[d->task].id);
			json_kv_string(&j, "reason", plan_reason_name(d->reason));
			if (d->reason == DEP_SHARES)
				json_kv_string(&j, "path", d->detail);
			else if (d->reason == DEP_OWNER)
				json_kv_string(&j, "owner", d->detail);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);

	order = plan_order(p, &order_nr);
	json_key(&j, "waves");
	json_array_begin(&j);
	for (w = 1, i = 0; w <= p->waves; w++) {
		json_array_begin(&j);
		for (; i < order_nr && p->pt[order[i]].wave == w; i++)
			json_string(&j, p->tasks.v[order[i]].id);
		json_array_end(&j);
	}
	json_array_end(&j);
	free(order);

	json_key(&j, "critical_path");
	json_array_begin(&j);
	for (i = 0; i < p->critical_nr; i++)
		json_string(&j, p->tasks.v[p->critical[i]].id);
	json_array_end(&j);
	if (p->estimated)
		json_kv_double(&j, "critical_seconds", p->critical_len);
	json_kv_double(&j, "speedup", p->speedup);

	json_key(&j, "findings");
	json_array_begin(&j);
	for (i = 0; i < p->findings_nr; i++) {
		const struct plan_finding *f = &p->findings[i];

		json_object_begin(&j);
		json_kv_string(&j, "kind", plan_finding_name(f->kind));
		json_key(&j, "tasks");
		json_array_begin(&j);
		for (k = 0; k < f->tasks_nr; k++)
			json_string(&j, p->tasks.v[f->tasks[k]].id);
		json_array_end(&j);
		json_kv_string(&j, "path", f->path);
		if (f->paths.nr > 1) {
			json_key(&j, "paths");
			json_array_begin(&j);
			for (k = 0; k < f->paths.nr; k++)
				json_string(&j, f->paths.v[k]);
			json_array_end(&j);
		}
		json_kv_int(&j, "wave", f->wave);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_config_commands(&j, cfg);
	json_object_end(&j);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

/* "T001, T002 (phase); T014 (depends)" */
static void describe_deps(struct strbuf *sb, const struct plan *p, size_t i)
{
	static const enum dep_reason reasons[] = { DEP_PHASE, DEP_BARRIER, DEP_DEPENDS, DEP_SHARES, DEP_OWNER };
	const struct plan_task *pt = &p->pt[i];
	size_t r, k, n;

	for (r = 0; r < ARRAY_SIZE(reasons); r++) {
		const char *last_detail = NULL;

		for (n = 0, k = 0; k < pt->deps_nr; k++)
			n += pt->deps[k].reason == reasons[r];
		if (!n)
			continue;
		if (sb->len)
			strbuf_addstr(sb, "; ");
		if (reasons[r] == DEP_PHASE && n > 4) {
			const struct task *t = NULL;
			size_t phases = 0;

			for (k = 0; k < pt->deps_nr; k++) {
				const struct task *u = &p->tasks.v[pt->deps[k].task];

				if (pt->deps[k].reason != DEP_PHASE)
					continue;
				if (!t || u->phase != t->phase)
					phases++;
				t = u;
			}
			if (phases > 1) {
				strbuf_addf(sb, "%zu tasks of %zu earlier phases", n, phases);
				continue;
			}
			strbuf_addf(sb, "%zu tasks of the previous phase", n);
			if (t && t->phase >= 0)
				strbuf_addf(sb, " '%s'", term_str(p->tasks.phases[t->phase].name));
			continue;
		}
		for (k = 0; k < pt->deps_nr; k++) {
			const struct plan_dep *d = &pt->deps[k];

			if (d->reason != reasons[r])
				continue;
			if ((reasons[r] == DEP_SHARES || reasons[r] == DEP_OWNER) && last_detail) {
				if (strcmp(last_detail, d->detail))
					strbuf_addf(sb, " (%s %s); ", reasons[r] == DEP_SHARES ?
						    "shares" : "same owner area", term_str(last_detail));
				else
					strbuf_addstr(sb, ", ");
			} else if (last_detail || (k && sb->len && sb->buf[sb->len - 1] != ' ')) {
				strbuf_addstr(sb, ", ");
			}
			strbuf_addstr(sb, p->tasks.v[d->task].id);
			last_detail = d->detail ? d->detail : "";
		}
		switch (reasons[r]) {
		case DEP_SHARES:
			strbuf_addf(sb, " (shares %s)", term_str(last_detail));
			break;
		case DEP_OWNER:
			strbuf_addf(sb, " (same owner area: %s)", term_str(last_detail));
			break;
		default:
			strbuf_addf(sb, " (%s)", plan_reason_name(reasons[r]));
		}
	}
}

/* 4999 as "4,999" */
static void add_count(struct strbuf *sb, size_t n)
{
	if (n >= 1000) {
		add_count(sb, n / 1000);
		strbuf_addf(sb, ",%03zu", n % 1000);
	} else {
		strbuf_addf(sb, "%zu", n);
	}
}

/* "T1, T2, T3", or "T1 and 4,999 more" past max */
static void print_ids(struct strbuf *sb, const struct plan *p, const size_t *v, size_t nr, size_t max)
{
	size_t i;

	if (nr > max) {
		strbuf_addf(sb, "%s and ", p->tasks.v[v[0]].id);
		add_count(sb, nr - 1);
		strbuf_addstr(sb, " more");
		return;
	}
	for (i = 0; i < nr; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", p->tasks.v[v[i]].id);
}

/* "src/a.py", or "src/a.py, src/b.py and 3 more paths" */
static void print_paths(struct strbuf *sb, const struct plan_finding *f)
{
	size_t i, shown = f->paths.nr > 3 ? 2 : f->paths.nr;

	if (!f->paths.nr) {
		strbuf_add_term(sb, f->path ? f->path : "");
		return;
	}
	for (i = 0; i < shown; i++)
		strbuf_addf(sb, "%s%s", i ? (i + 1 == f->paths.nr ? " and " : ", ") : "", term_str(f->paths.v[i]));
	if (shown < f->paths.nr) {
		strbuf_addstr(sb, " and ");
		add_count(sb, f->paths.nr - shown);
		strbuf_addstr(sb, " more paths");
	}
}

/* Titles longer than this are cut in text output (JSON keeps them whole). */
#define TITLE_TEXT_MAX 2048

/* Cut sb to at most max bytes on a UTF-8 boundary, ending in "..." */
static void cut_text(struct strbuf *sb, size_t max)
{
	size_t n;

	if (sb->len <= max || max < 3)
		return;
	n = max - 3;
	while (n && ((unsigned char)sb->buf[n] & 0xc0) == 0x80)
		n--;
	strbuf_setlen(sb, n);
	strbuf_addstr(sb, "...");
}

/* "T1 -> T2 -> T3", the middle left out of a long chain */
static void print_chain(struct strbuf *sb, const struct plan *p, const size_t *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		if (nr > 20 && i == 5) {
			strbuf_addstr(sb, " -> ... (");
			add_count(sb, nr - 10);
			strbuf_addstr(sb, " more)");
			i = nr - 6;
			continue;
		}
		strbuf_addf(sb, "%s%s", i ? " -> " : "", p->tasks.v[v[i]].id);
	}
}

/* The statuses of the tasks that do not run ("done", "in progress" ...), in order. */
static void held_statuses(const struct plan *p, struct strlist *names, size_t **counts)
{
	size_t i, k;

	*counts = NULL;
	for (i = 0; i < p->tasks.nr; i++) {
		const char *st;

		if (plan_task_active(p, i))
			continue;
		st = task_status_name(&p->tasks.v[i]);
		for (k = 0; k < names->nr && strcmp(names->v[k], st); k++)
			;
		if (k == names->nr) {
			strlist_push(names, st);
			*counts = xrealloc(*counts, names->nr * sizeof(**counts));
			(*counts)[k] = 0;
		}
		(*counts)[k]++;
	}
}

static void print_table(const struct plan *p, const char *base_name, const int *prev)
{
	int color = output_use_color(stdout), cols = output_columns(stdout);
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[m" : "";
	const char *yellow = color ? "\033[33m" : "";
	struct strbuf sb = STRBUF_INIT;
	struct strlist held = STRLIST_INIT;
	size_t i, k, *order, order_nr, idw = 4, *held_nr, before_nr[TS_NR] = { 0 }, finished = 0;
	char hex[GIT_OID_HEXSZ + 1];
	int w;

	for (i = 0; i < p->tasks.nr; i++) {
		size_t n = strlen(p->tasks.v[i].id);

		if (n > idw)
			idw = n;
	}
	held_statuses(p, &held, &held_nr);
	git_oid_tostr(hex, 13, &p->base_oid);
	/* a task an earlier run finished is not to run: run says so, plan too */
	for (i = 0; i < p->tasks.nr; i++) {
		if (!finished_before(prev, i))
			continue;
		before_nr[prev[i]]++;
		finished++;
	}
	printf("%zu task%s to run", p->active - finished, p->active - finished == 1 ? "" : "s");
	for (k = 0; k < TS_NR; k++)
		if (before_nr[k])
			printf(", %zu already %s", before_nr[k], task_state_name((enum task_state)k));
	for (k = 0; k < held.nr; k++)
		printf(", %zu %s%s", held_nr[k], held.v[k],
		       strcmp(held.v[k], "group") && strcmp(held.v[k], "checklist") ? "" :
		       !strcmp(held.v[k], "checklist") ? (held_nr[k] == 1 ? " item" : " items") :
		       held_nr[k] == 1 ? "" : "s");
	printf(", from ");
	for (i = 0; i < p->sources.nr; i++)
		printf("%s%s", i ? ", " : "", term_str(p->sources.v[i]));
	printf("; base %s at %s\n", term_str(base_name), hex);

	order = plan_order(p, &order_nr);
	for (w = 1, i = 0; w <= p->waves; w++) {
		size_t start = i, n;

		while (i < order_nr && p->pt[order[i]].wave == w)
			i++;
		n = i - start;
		printf("\n%swave %d%s (%zu task%s)\n", bold, w, reset, n, n == 1 ? "" : "s");
		for (k = start; k < i; k++) {
			const struct task *t = &p->tasks.v[order[k]];
			const char *owner = p->pt[order[k]].owner;
			int lead = (int)idw + 7;

			strbuf_reset(&sb);
			strbuf_add_term(&sb, t->title);
			if (t->status && !strcmp(t->status, "optional"))
				strbuf_addstr(&sb, " (optional)");
			if (finished_before(prev, order[k]))
				strbuf_addf(&sb, " (already %s)",
					    task_state_name((enum task_state)prev[order[k]]));
			cut_text(&sb, TITLE_TEXT_MAX);
			if (owner)
				strbuf_addf(&sb, " [%s]", term_str(owner));
			if (cols > lead + 10)
				cut_text(&sb, (size_t)(cols - lead));
			printf("  %-*s %s  %s\n", (int)idw, term_str(t->id), t->parallel ? "P" : " ", sb.buf);
			strbuf_reset(&sb);
			describe_deps(&sb, p, order[k]);
			if (sb.len)
				printf("  %-*s    after %s\n", (int)idw, "", sb.buf);
			if (t->reads.nr) {
				size_t r;

				strbuf_reset(&sb);
				for (r = 0; r < t->reads.nr && r < 5; r++)
					strbuf_addf(&sb, "%s%s", r ? ", " : "", t->reads.v[r]);
				if (t->reads.nr > 5)
					strbuf_addf(&sb, " and %zu more", t->reads.nr - 5);
				printf("  %-*s    reads %s\n", (int)idw, "", sb.buf);
			}
		}
	}
	free(order);
	if (held.nr) {
		printf("\n");
		for (k = 0; k < held.nr; k++) {
			size_t n = 0;

			strbuf_reset(&sb);
			for (i = 0; i < p->tasks.nr; i++)
				if (!plan_task_active(p, i) &&
				    !strcmp(task_status_name(&p->tasks.v[i]), held.v[k]))
					strbuf_addf(&sb, "%s%s", n++ ? ", " : "", p->tasks.v[i].id);
			if (!strcmp(held.v[k], "group"))
				printf("groups (not run, their subtasks are): %s\n", sb.buf);
			else
				printf("%s (not run): %s\n", held.v[k], sb.buf);
		}
	}
	strlist_clear(&held);
	free(held_nr);

	printf("\n");
	if (p->critical_nr) {
		strbuf_reset(&sb);
		print_chain(&sb, p, p->critical, p->critical_nr);
		if (p->estimated)
			printf("critical path: %s (%.0f s estimated)\n", sb.buf, p->critical_len);
		else
			printf("critical path: %s (%zu task%s)\n", sb.buf, p->critical_nr,
			       p->critical_nr == 1 ? "" : "s");
		if (p->estimated)
			printf("best speedup: %.2fx (estimated work / critical path)\n", p->speedup);
		else
			printf("best speedup: %.2fx (%zu tasks in %d wave%s)\n", p->speedup,
			       p->active, p->waves, p->waves == 1 ? "" : "s");
	}

	if (p->findings_nr) {
		printf("\n%sfindings%s:\n", bold, reset);
		for (i = 0; i < p->findings_nr; i++) {
			const struct plan_finding *f = &p->findings[i];

			struct strbuf paths = STRBUF_INIT;

			if (f->kind != FINDING_FALSE_PARALLEL)
				continue;
			strbuf_reset(&sb);
			print_ids(&sb, p, f->tasks, f->tasks_nr, 10);
			print_paths(&paths, f);
			printf("  %sfalse [P]%s: %s share %s in wave %d; they will run one after another\n",
			       yellow, reset, sb.buf, paths.buf, f->wave);
			strbuf_release(&paths);
		}
		/* unknown footprints, one line */
		strbuf_reset(&sb);
		for (i = 0, k = 0; i < p->findings_nr; i++)
			if (p->findings[i].kind == FINDING_UNKNOWN_FOOTPRINT) {
				if (k < 10)
					strbuf_addf(&sb, "%s%s", k ? ", " : "",
						    p->tasks.v[p->findings[i].tasks[0]].id);
				k++;
			}
		if (k > 10)
			strbuf_addf(&sb, " and %zu more", k - 10);
		if (k)
			printf("  %sunknown footprint%s: %s (no declared paths: check cannot hold them to a footprint)\n",
			       yellow, reset, sb.buf);
	}
	strbuf_release(&sb);
}

/*
 * A task file named from the top of the work tree, or absolute when it is
 * outside: <src> is as given on the command line, relative to the cwd.
 * Its directory is resolved, its own name kept (it may be a symlink).
 */
static char *name_from_top(const char *src, const char *workdir)
{
	const char *slash = strrchr(src, '/'), *base = slash ? slash + 1 : src;
	char *dir = slash ? xstrndup(src, (size_t)(slash - src) + (slash == src)) : xstrdup(".");
	char *rdir = realpath(dir, NULL), *wd = workdir ? realpath(workdir, NULL) : NULL;
	char *name;
	const char *rest;

	if (!rdir)
		name = xstrdup(src);
	else
		name = xstrfmt("%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base);
	if (rdir && wd && (rest = path_below(name, wd)) && *rest)
		memmove(name, rest, strlen(rest) + 1);
	free(dir);
	free(rdir);
	free(wd);
	return name;
}

/*
 * Task states belong to a plan (DESIGN.md 3.1).  A state file whose task
 * is the same task in the new plan (same ID, file and title:
 * state_task_key()) carries over: re-planning an edited task list resumes.
 * Any other state is archived under archive/<old plan>/ once the new
 * plan is saved, so that a new T001 never inherits an old T001's
 * "merged".  While such an old task still has a branch or a worktree,
 * its work would be taken for the new task's: re-planning is refused,
 * naming it, before anything is written.
 */
struct replan {
	struct strlist archive;	/* IDs whose state is another task's */
	struct plan old;
	int have_old;
};

static int old_task_key(const struct replan *rp, const struct task_status *st, char key[17])
{
	long k;

	if (st->key) {
		snprintf(key, 17, "%s", st->key);
		return 0;
	}
	if (!rp->have_old || (k = tasks_find(&rp->old.tasks, st->id)) < 0)
		return -1;
	state_task_key(&rp->old.tasks.v[k], key);
	return 0;
}

static int replan_check(struct replan *rp, git_repository *repo, const char *state,
			const struct plan *p, const char *prefix)
{
	struct strlist ids = STRLIST_INIT;
	size_t i;
	int ret = 0, refused = 0;
	char *plan_path = state_plan_path(state);

	if (!access(plan_path, F_OK))
		rp->have_old = state_load_plan(&rp->old, state) == 0;
	free(plan_path);
	if (state_task_ids(state, &ids) < 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < ids.nr; i++) {
		const char *id = ids.v[i];
		long k = tasks_find(&p->tasks, id);
		struct task_status st;
		char oldkey[17], newkey[17];
		int known;
		git_reference *ref = NULL;
		git_worktree *wt = NULL;
		char *branch, *wt_name;
		int has_branch, has_wt;

		if (state_task_load(&st, state, id, NULL) < 0) {
			ret = -1;
			break;
		}
		known = old_task_key(rp, &st, oldkey) == 0;
		if (k >= 0) {
			state_task_key(&p->tasks.v[k], newkey);
			/* unknown identity (no key, no old plan): take it as the same task */
			if (!known || !strcmp(oldkey, newkey)) {
				task_status_release(&st);
				continue;
			}
		}
		branch = st.branch ? xstrdup(st.branch) : xstrfmt("refs/heads/%s%s", prefix, id);
		has_branch = !st.cleaned && git_reference_lookup(&ref, repo, branch) == 0;
		wt_name = task_fs_name(id);
		has_wt = git_worktree_lookup(&wt, repo, wt_name) == 0;
		free(wt_name);
		if (has_branch || has_wt) {
			error("task '%s' of the previous plan (%s) still has its %s%s%s; %s",
			      id, task_state_name(st.state),
			      has_branch ? "branch '" : "", has_branch ? short_ref(branch) : "",
			      has_branch ? (has_wt ? "' and worktree" : "'") : "worktree",
			      k >= 0 ? "this plan's task of that ID is another task" :
			      "a later task of that ID would take its work");
			refused = 1;
		} else {
			strlist_push(&rp->archive, id);
			/* a state from before keys: stamp it, so a crash before it is archived cannot hand it to the new task */
			if (!st.key && known) {
				task_status_set(&st.key, oldkey);
				if (state_task_save(state, &st) < 0)
					ret = -1;
			}
		}
		git_reference_free(ref);
		git_worktree_free(wt);
		free(branch);
		task_status_release(&st);
	}
	if (refused && !ret) {
		report_flush();
		fprintf(stderr, "hint: merge those tasks and remove them ('git parallel merge', then "
			"'git parallel clean --merged'), or remove them ('git parallel clean --force <id>'),\n"
			"hint: then plan again; or plan the old task list again to go on with it\n");
		ret = error("plan not saved: the new plan reuses task IDs whose old work is still there");
	}
out:
	strlist_clear(&ids);
	return ret;
}

static void replan_release(struct replan *rp)
{
	strlist_clear(&rp->archive);
	plan_release(&rp->old);
}

/* After the new plan is saved: old tasks' states go to the archive. */
static int replan_archive(struct replan *rp, const char *state)
{
	const char *old_id = rp->have_old && rp->old.id ? rp->old.id : "";
	size_t i;
	int ret = 0;

	for (i = 0; i < rp->archive.nr; i++)
		if (state_archive_task(state, old_id, rp->archive.v[i]) < 0)
			ret = -1;
	return ret;
}

static char *new_plan_id(void)
{
	unsigned char b[8] = { 0 };
	FILE *f = fopen("/dev/urandom", "rb");
	struct timespec ts;
	size_t n = f ? fread(b, 1, sizeof(b), f) : 0;

	if (f)
		fclose(f);
	if (n != sizeof(b)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf((char *)b, sizeof(b), "%07lx", (unsigned long)ts.tv_nsec ^ (unsigned long)getpid());
	}
	return xstrfmt("%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
}

/*
 * Save the plan with its task files named from the top of the work tree,
 * so that the state names the same file whatever directory a later
 * command runs in.  What plan prints keeps the names as given.
 */
static int save_plan(const char *state, struct plan *p, const char *workdir,
		     git_repository *repo, const char *prefix)
{
	struct replan rp;
	char **given, **files;
	size_t i;
	int ret, fd;

	given = xcalloc(p->sources.nr ? p->sources.nr : 1, sizeof(*given));
	files = xcalloc(p->tasks.nr ? p->tasks.nr : 1, sizeof(*files));
	for (i = 0; i < p->sources.nr; i++) {
		given[i] = p->sources.v[i];
		p->sources.v[i] = name_from_top(given[i], workdir);
	}
	for (i = 0; i < p->tasks.nr; i++) {
		struct task *t = &p->tasks.v[i];

		files[i] = t->file;
		if (t->source >= 0 && (size_t)t->source < p->sources.nr &&
		    t->file && !strcmp(t->file, given[t->source]))
			t->file = p->sources.v[t->source];
	}
	memset(&rp, 0, sizeof(rp));
	plan_init(&rp.old);
	/* as every writer of states: a status caching counts waits its turn */
	fd = state_flock(state);
	ret = fd < 0 ? -1 : replan_check(&rp, repo, state, p, prefix);
	if (!ret) {
		p->id = new_plan_id();
		ret = state_save_plan(state, p);
	}
	if (!ret)
		ret = replan_archive(&rp, state);
	state_funlock(fd);
	replan_release(&rp);
	for (i = 0; i < p->tasks.nr; i++)
		p->tasks.v[i].file = files[i];
	for (i = 0; i < p->sources.nr; i++) {
		free(p->sources.v[i]);
		p->sources.v[i] = given[i];
	}
	free(files);
	free(given);
	return ret;
}

/* A path relative to the top of the work tree, as seen from the cwd. */
static char *from_cwd(const char *prefix, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = prefix ? prefix : ""; *p; p++)
		if (*p == '/')
			strbuf_addstr(&sb, "../");
	strbuf_addstr(&sb, path);
	return strbuf_detach(&sb, NULL);
}

/*
 * The files of the base tree, for reading task files (a bare name is the
 * one file of that name, "apps/web" a directory ...).  Quiet: when the
 * base does not resolve, the words are read by their shape, and the
 * error comes later, where it always did.
 */
static void load_tree(struct pathres *tree, git_repository *repo, const char *rev)
{
	git_object *obj = NULL, *commit = NULL;
	git_oid oid;

	if (rev) {
		if (git_revparse_single(&obj, repo, rev) < 0 ||
		    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0)
			goto out;
		git_oid_cpy(&oid, git_object_id(commit));
	} else if (git_reference_name_to_id(&oid, repo, "HEAD") < 0) {
		goto out;
	}
	if (pathres_load(tree, repo, &oid) < 0)
		pathres_release(tree);
out:
	git_object_free(commit);
	git_object_free(obj);
	git_error_clear();
}

static char *iso_now(void)
{
	char buf[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/*
 * Move the configuration's [task] sections into the plan's list.  A
 * section whose ID names a task of a task file adds to that task (owner,
 * command, estimate, paths, dependencies, and a title if it gives one);
 * any other section is a task of its own.
 */
static void take_config_tasks(struct tasklist *dst, struct tasklist *src, int source)
{
	struct strmap ids = STRMAP_INIT;
	size_t i, k;

	for (i = 0; i < dst->nr; i++)
		strmap_put(&ids, dst->v[i].id, (void *)(i + 1), NULL);
	for (i = 0; i < src->nr; i++) {
		struct task *s = &src->v[i], *t;
		void *v = strmap_get(&ids, s->id);

		if (!v) {
			ALLOC_GROW(dst->v, dst->nr + 1, dst->alloc);
			dst->v[dst->nr] = *s;
			dst->v[dst->nr].source = source;
			dst->nr++;
			memset(s, 0, sizeof(*s));
			continue;
		}
		t = &dst->v[(size_t)v - 1];
		if (s->owner) {
			free(t->owner);
			t->owner = s->owner;
			s->owner = NULL;
		}
		if (s->command) {
			free(t->command);
			free(t->command_from);
			free(t->command_trust);
			t->command = s->command;
			t->command_from = s->command_from;
			t->command_trust = s->command_trust;
			s->command = s->command_from = s->command_trust = NULL;
		}
		if (s->estimate > 0)
			t->estimate = s->estimate;
		if (s->title && strcmp(s->title, s->id)) {
			free(t->title);
			t->title = xstrdup(s->title);
		}
		for (k = 0; k < s->paths.nr; k++)
			if (!strlist_has(&t->paths, s->paths.v[k]))
				strlist_push(&t->paths, s->paths.v[k]);
		for (k = 0; k < s->depends.nr; k++)
			if (!strlist_has(&t->depends, s->depends.v[k]))
				strlist_push(&t->depends, s->depends.v[k]);
	}
	strmap_clear(&ids);
}

/*
 * Every command the plan would run (without --command), with where it
 * came from: a command is code, and a task list is data someone else may
 * have written.
 */
static void print_commands(const struct plan *p, const struct config *cfg)
{
	const struct config_cmd *user = config_command(cfg, "command");
	const char *note = ", a file of the repository: runs once trusted";
	size_t i, shown = 0;

	/* a task's own command, unless git config's parallel.command beats it */
	for (i = 0; i < p->tasks.nr && !(user && user->user); i++) {
		const struct task *t = &p->tasks.v[i];

		if (!t->command || !plan_task_active(p, i))
			continue;
		if (!shown++)
			printf("\ncommands:\n");
		printf("  task %s: %s\n      from %s%s\n", term_str(t->id), term_str(t->command),
		       term_str(t->command_from ? t->command_from : t->file),
		       t->command_trust ? note : "");
	}
	for (i = 0; i < cfg->cmds_nr; i++) {
		const struct config_cmd *o = &cfg->cmds[i];

		if (!shown++)
			printf("\ncommands:\n");
		printf("  parallel.%s: %s\n      from %s%s\n", o->key, term_str(o->value),
		       term_str(o->from), !o->user && cfg->file_trust ? note : "");
	}
}

/*
 * A task that waits for one the task list says is in progress, deferred,
 * cancelled ...: this plan does not run that one, so it does not wait.
 * Say so, naming its state.
 */
static void warn_held_depends(const struct tasklist *tl)
{
	size_t i, k;

	for (i = 0; i < tl->nr; i++) {
		const struct task *t = &tl->v[i];

		if (t->done || t->cancelled)
			continue;
		for (k = 0; k < t->depends.nr; k++) {
			long d = tasks_find(tl, t->depends.v[k]);

			if (d >= 0 && tl->v[d].cancelled && !tl->v[d].done)
				warning("%s:%d: task '%s' depends on '%s', which is %s in the task list; "
					"this plan does not run it", t->file, t->line, t->id,
					tl->v[d].id, task_status_name(&tl->v[d]));
		}
	}
}

int cmd_plan(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct config cfg;
	struct plan plan;
	struct pathres tree = PATHRES_INIT;
	struct strbuf ref = STRBUF_INIT;
	const char *base = NULL, *base_name;
	char *workdir = NULL, *state = NULL, *wt_parent = NULL;
	struct strmap from_repo = STRMAP_INIT;	/* trust ID -> non-NULL when its file came with the repository */
	unsigned int opts = 0, flags = 0;
	int c, ret = 128, false_p = 0, *prev = NULL;
	size_t i;
	pid_t holder;
	struct parse_opt usage_plan[] = {
		OPT_COMMAND("plan"),
		OPT_OPERANDS("[<task-file>...]"),
		OPT_STRING(0, "base", &base, "rev", "the branch (or commit) tasks fork from and merge into"),
		OPT_BIT(0, "json", &opts, "print the plan as JSON", OPT_JSON),
		OPT_BIT(0, "strict", &opts, "false [P] findings are errors: save nothing, exit 1", OPT_STRICT),
		OPT_BIT(0, "no-phases", &flags, "phases do not wait for each other", PLAN_NO_PHASES),
		OPT_BIT(0, "serial-phases", &flags, "every phase waits for the one before", PLAN_SERIAL_PHASES),
		OPT_BIT(0, "force", &opts, "re-plan even while run holds the lock", OPT_FORCE),
		OPT_ALIAS('b', "base"),
		OPT_ALIAS('j', "json"),
		OPT_ALIAS('s', "strict"),
		OPT_ALIAS('P', "no-phases"),
		OPT_ALIAS('S', "serial-phases"),
		OPT_ALIAS('f', "force"),
		OPT_END(),
	};

	if ((optind = cmd_parse_options(argc, argv, usage_plan, &c)) < 0)
		return c;

	config_init(&cfg);
	plan_init(&plan);
	workdir = repo_workdir(ctx->repo);
	state = repo_state_path(ctx->repo, NULL);
	if (session_config(&cfg, ctx->repo, ctx->config_path, workdir, &wt_parent) < 0)
		goto out;

	if (optind < argc) {
		for (i = (size_t)optind; i < (size_t)argc; i++)
			strlist_push(&plan.sources, argv[i]);
	} else {
		/* parallel.tasks is relative to the top; name it from the cwd */
		for (i = 0; i < cfg.tasks.nr; i++)
			strlist_push_nodup(&plan.sources, cfg.tasks.v[i][0] == '/' ?
					   xstrdup(cfg.tasks.v[i]) :
					   from_cwd(ctx->prefix, cfg.tasks.v[i]));
	}
	if (!plan.sources.nr && !cfg.tasks_ini.nr) {
		error("no task file: name one (git parallel plan tasks.md) or set parallel.tasks");
		goto out;
	}
	load_tree(&tree, ctx->repo, base ? base : cfg.base);
	tasks_set_tree(&tree);
	for (i = 0; i < plan.sources.nr; i++) {
		/* markdown links are relative to the task file's directory */
		char *name = name_from_top(plan.sources.v[i], workdir), *slash;
		int ret;

		if ((slash = strrchr(name, '/')))
			slash[1] = '\0';
		else
			*name = '\0';
		tasks_set_dir(*name == '/' || !workdir ? NULL : name);
		ret = tasks_load_file(&plan.tasks, plan.sources.v[i], (int)i);
		tasks_set_dir(NULL);
		free(name);
		if (ret < 0)
			goto out;
	}
	tasks_set_tree(NULL);
	if (cfg.tasks_ini.nr) {
		strlist_push(&plan.sources, cfg.file);
		take_config_tasks(&plan.tasks, &cfg.tasks_ini, (int)plan.sources.nr - 1);
	}
	if (tasks_validate(&plan.tasks, cfg.branch_prefix) < 0)
		goto out;
	/* a command from a file of the user's own needs no trust (trust.h); one look per file */
	for (i = 0; i < plan.tasks.nr; i++) {
		struct task *t = &plan.tasks.v[i];
		int found;
		struct strmap_entry *e;

		if (!t->command_trust)
			continue;
		e = strmap_put(&from_repo, t->command_trust, NULL, &found);
		if (!found)
			e->value = trust_file_from_repo(ctx->repo, workdir, wt_parent,
							trust_id_path(t->command_trust)) ? &from_repo : NULL;
		if (!e->value) {
			free(t->command_trust);
			t->command_trust = NULL;
		}
	}
	warn_held_depends(&plan.tasks);

	if (repo_check_history(ctx->repo) < 0)
		goto out;
	if (repo_resolve_base(ctx->repo, base ? base : cfg.base, &ref, &plan.base_oid) < 0)
		goto out;
	plan.base_ref = strbuf_detach(&ref, NULL);
	base_name = *plan.base_ref ? plan.base_ref : (base ? base : cfg.base);
	if (!strncmp(base_name, "refs/heads/", 11))
		base_name += 11;

	holder = state_lock_holder(state);
	if (holder && !(opts & OPT_FORCE)) {
		error("tasks are running (git parallel run, pid %ld); re-planning now would "
		      "change their plan under them (use --force to do it anyway)", (long)holder);
		goto out;
	}

	if (plan_build(&plan, &cfg.ownership, flags) < 0)
		goto out;
	plan.created = iso_now();

	for (i = 0; i < plan.findings_nr; i++)
		false_p += plan.findings[i].kind == FINDING_FALSE_PARALLEL;
	if (false_p && (opts & OPT_STRICT)) {
		for (i = 0; i < plan.findings_nr; i++) {
			const struct plan_finding *f = &plan.findings[i];
			struct strbuf ids = STRBUF_INIT, paths = STRBUF_INIT;

			if (f->kind != FINDING_FALSE_PARALLEL)
				continue;
			print_ids(&ids, &plan, f->tasks, f->tasks_nr, 10);
			print_paths(&paths, f);
			error("false [P]: %s share '%s' in wave %d", ids.buf, paths.buf, f->wave);
			strbuf_release(&ids);
			strbuf_release(&paths);
		}
		error("plan not saved (--strict)");
		ret = 1;
		goto out;
	}

	if (save_plan(state, &plan, workdir, ctx->repo, cfg.branch_prefix) < 0)
		goto out;
	prev = earlier_states(&plan, state);
	if (opts & OPT_JSON)
		print_json(&plan, base_name, &cfg, prev);
	else {
		print_table(&plan, base_name, prev);
		print_commands(&plan, &cfg);
	}
	ret = 0;
out:
	free(prev);
	tasks_set_tree(NULL);
	pathres_release(&tree);
	plan_release(&plan);
	config_release(&cfg);
	strbuf_release(&ref);
	free(workdir);
	free(wt_parent);
	free(state);
	strmap_clear(&from_repo);
	return ret;
}
