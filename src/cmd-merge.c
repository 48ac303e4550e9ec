/*
 * git parallel merge: bring finished tasks back into the target branch,
 * in memory, with partial success (src/merge.c does the work).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/merge.h"
#include "gp/output.h"
#include "gp/parse-options.h"
#include "gp/remote.h"
#include "gp/repo.h"
#include "gp/session.h"

static const char *status_name(enum merge_status st)
{
	switch (st) {
	case MS_OK:
		return "ok";
	case MS_REFUSED:
		return "refused";
	case MS_REF_MOVED:
		return "target-moved";
	case MS_REF_LOCKED:
		return "target-locked";
	case MS_ROLLED_BACK:
		return "rolled-back";
	}
	return "unknown";
}

static void json_ranges(struct json *j, const char *key, const struct merge_range *v, size_t nr)
{
	size_t i;

	json_key(j, key);
	json_array_begin(j);
	for (i = 0; i < nr; i++) {
		json_object_begin(j);
		json_kv_int(j, "start", (long long)v[i].start);
		json_kv_int(j, "lines", (long long)v[i].lines);
		json_object_end(j);
	}
	json_array_end(j);
}

static void print_json(const struct session *s, const struct merge_run *m, int dry)
{
	struct strbuf out = STRBUF_INIT;
	struct json j;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, k, n;

	json_init(&j, &out);
	json_object_begin(&j);
	json_kv_int(&j, "version", 1);
	json_kv_string(&j, "target", m->target ? short_ref(m->target) : NULL);
	json_kv_string(&j, "ref", m->target);
	json_kv_bool(&j, "dry_run", dry);
	json_kv_string(&j, "old", git_oid_tostr(hex, sizeof(hex), &m->old_tip));
	json_kv_string(&j, "new", git_oid_tostr(hex, sizeof(hex), &m->new_tip));
	json_kv_bool(&j, "updated", m->updated);
	json_kv_string(&j, "status", status_name(m->status));
	json_kv_string(&j, "message", m->why);
	json_kv_string(&j, "checkout", m->checkout);
	json_key(&j, "dirty");
	json_array_begin(&j);
	for (i = 0; i < m->dirty.nr; i++)
		json_string(&j, m->dirty.v[i]);
	json_array_end(&j);
	json_kv_bool(&j, "in_the_way", m->in_the_way);
	json_kv_string(&j, "recovered", m->recovered);
	json_key(&j, "results");
	json_array_begin(&j);
	for (i = 0; i < m->nr; i++) {
		const struct merge_result *r = &m->results[i];

		json_object_begin(&j);
		json_kv_string(&j, "id", r->id);
		json_kv_string(&j, "title", s->plan.tasks.v[r->task].title);
		json_kv_string(&j, "outcome", merge_outcome_name(r->outcome));
		json_kv_bool(&j, "already", r->already);
		json_kv_string(&j, "commit", r->has_commit ? git_oid_tostr(hex, sizeof(hex), &r->commit) : NULL);
		json_kv_string(&j, "head", git_oid_is_zero(&r->head) ? NULL
			       : git_oid_tostr(hex, sizeof(hex), &r->head));
		json_kv_string(&j, "reason", r->reason);
		json_key(&j, "undeclared");
		json_array_begin(&j);
		for (k = 0; k < r->undeclared.nr; k++)
			json_string(&j, r->undeclared.v[k]);
		json_array_end(&j);
		json_key(&j, "conflicts");
		json_array_begin(&j);
		for (k = 0; k < r->conflicts_nr; k++) {
			const struct merge_conflict *c = &r->conflicts[k];

			json_object_begin(&j);
			json_kv_string(&j, "path", c->path);
			json_kv_string(&j, "type", c->type);
			json_ranges(&j, "ours", c->ours, c->ours_nr);
			json_ranges(&j, "theirs", c->theirs, c->theirs_nr);
			json_key(&j, "with");
			json_array_begin(&j);
			for (n = 0; n < c->with.nr; n++)
				json_string(&j, c->with.v[n]);
			json_array_end(&j);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static void add_ranges(struct strbuf *sb, const struct merge_range *v, size_t nr)
{
	size_t i;

	if (!nr)
		strbuf_addstr(sb, "-");
	for (i = 0; i < nr; i++) {
		if (i)
			strbuf_addch(sb, ',');
		if (v[i].lines > 1)
			strbuf_addf(sb, "%zu-%zu", v[i].start, v[i].start + v[i].lines - 1);
		else if (v[i].lines == 1)
			strbuf_addf(sb, "%zu", v[i].start);
		else
			strbuf_addf(sb, "%zu(deleted after)", v[i].start);
	}
}

/* undeclared paths of a held task named in the table; --json lists them all */
#define HELD_SHOWN 20

static void print_table(const struct session *s, const struct merge_run *m, int dry)
{
	size_t i, k, n, idw = 4, counts[MO_HELD + 1] = { 0 };
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < m->nr; i++)
		if (strlen(m->results[i].id) > idw)
			idw = strlen(m->results[i].id);
	printf("%s '%s'", dry ? "would merge into" : "merging into", term_str(short_ref(m->target)));
	if (git_oid_equal(&m->old_tip, &m->new_tip))
		printf(" (%.12s, unchanged)\n", git_oid_tostr_s(&m->old_tip));
	else {
		printf(" (%.12s", git_oid_tostr_s(&m->old_tip));
		printf(" -> %.12s)\n", git_oid_tostr_s(&m->new_tip));
	}
	for (i = 0; i < m->nr; i++) {
		const struct merge_result *r = &m->results[i];

		counts[r->outcome]++;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%-*s  %-13s", (int)idw, r->id, merge_outcome_name(r->outcome));
		if (r->outcome == MO_MERGED) {
			if (r->has_commit)
				strbuf_addf(&sb, "  %.12s", git_oid_tostr_s(&r->commit));
			if (r->already)
				strbuf_addstr(&sb, "  (already merged)");
			else
				strbuf_addf(&sb, "  %s", term_str(s->plan.tasks.v[r->task].title));
		} else if ((r->outcome != MO_CONFLICT || !r->conflicts_nr) && r->reason) {
			strbuf_addf(&sb, "  %s", term_str(r->reason));
		}
		printf("%s\n", sb.buf);
		for (k = 0; k < r->undeclared.nr && k < HELD_SHOWN; k++)
			printf("%-*s    %s  undeclared\n", (int)idw, "", term_str(r->undeclared.v[k]));
		if (r->undeclared.nr > HELD_SHOWN)
			printf("%-*s    ... and %zu more (all of them: --json)\n", (int)idw, "",
			       r->undeclared.nr - HELD_SHOWN);
		for (k = 0; k < r->conflicts_nr; k++) {
			const struct merge_conflict *c = &r->conflicts[k];

			strbuf_reset(&sb);
			strbuf_addf(&sb, "%-*s    %s  %s  ours ", (int)idw, "", term_str(c->path), c->type);
			add_ranges(&sb, c->ours, c->ours_nr);
			strbuf_addstr(&sb, "  theirs ");
			add_ranges(&sb, c->theirs, c->theirs_nr);
			strbuf_addstr(&sb, "  with ");
			if (!c->with.nr)
				strbuf_addstr(&sb, "(no merged task)");
			for (n = 0; n < c->with.nr; n++)
				strbuf_addf(&sb, "%s%s", n ? " " : "", c->with.v[n]);
			printf("%s\n", sb.buf);
		}
	}
	printf("%zu merged, %zu conflict%s, %zu verify-failed, %zu failed, %zu skipped",
	       counts[MO_MERGED], counts[MO_CONFLICT], counts[MO_CONFLICT] == 1 ? "" : "s",
	       counts[MO_VERIFY_FAILED], counts[MO_FAILED], counts[MO_SKIPPED]);
	if (counts[MO_HELD])
		printf(", %zu held", counts[MO_HELD]);
	printf("\n");
	strbuf_release(&sb);
}

/*
 * merge --remote: the target as the remote has it must be where ours is,
 * or behind it; a target someone moved on the remote is never
 * overwritten.  0 go, 1 refused (said), -1 error.
 */
static int remote_merge_target(struct remote *r, struct session *s, const struct merge_opts *opts,
			       int *exists, git_oid *tip)
{
	char *target = opts->into ? (!strncmp(opts->into, "refs/", 5) ? xstrdup(opts->into) :
				     xstrfmt("refs/heads/%s", opts->into)) :
		xstrdup(s->plan.base_ref ? s->plan.base_ref : "");
	git_oid local;
	int ret = -1;

	if (!*target) {
		error("the plan's base is a detached commit: name the branch to merge into with --into");
		goto out;
	}
	if (remote_fetch_target(r, target, exists, tip) < 0)
		goto out;
	if (git_reference_name_to_id(&local, s->repo, target) < 0) {
		error("no branch '%s' to merge into", short_ref(target));
		goto out;
	}
	if (*exists && !git_oid_equal(&local, tip) &&
	    git_graph_descendant_of(s->repo, &local, tip) != 1) {
		error("'%s' on '%s' moved to %.12s, which '%s' here does not have: nothing was merged; "
		      "pull it, then merge again", short_ref(target), r->name, git_oid_tostr_s(tip),
		      short_ref(target));
		ret = 1;
		goto out;
	}
	ret = 0;
out:
	free(target);
	return ret;
}

/* merge --remote, after merging: push the target and the tasks' states.  0, 1 refused, -1. */
static int remote_merge_push(struct remote *r, struct session *s, const struct merge_run *m,
			     int exists, const git_oid *tip)
{
	struct strbuf why = STRBUF_INIT;
	git_oid local;
	size_t pushed = 0;
	int rc;

	if (!m->target || git_reference_name_to_id(&local, s->repo, m->target) < 0)
		return error("no branch '%s' to push", m->target ? short_ref(m->target) : "");
	rc = remote_push_merge(r, s->state, m->target, exists, tip, &local, &pushed, &why);
	if (rc > 0)
		error("'%s' on '%s' moved while we merged (%s): nothing was pushed; '%s' here holds "
		      "the merges: pull, then 'git parallel merge --remote %s' again", short_ref(m->target),
		      r->name, why.buf, short_ref(m->target), r->name);
	else if (!rc) {
		report_flush();
		fprintf(stderr, "pushed '%s' and %zu task state%s to '%s'\n", short_ref(m->target), pushed,
			pushed == 1 ? "" : "s", r->name);
	}
	strbuf_release(&why);
	return rc;
}

static int parse_verify_timeout(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	if (parse_duration(arg, opt->value) < 0) {
		strbuf_addf(err, "--verify-timeout: '%s' is not a duration (say 90s, 10m, 2h, or 0 for none)", arg);
		return -1;
	}
	return 0;
}

int cmd_merge(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct merge_opts opts = { NULL, NULL, 30 * 60, 0 };
	struct merge_run m;
	struct session s;
	size_t *sel = NULL, nr = 0, i;
	int c, json = 0, ret = 128, locked = 0, dry, sig = 0, r_up = 0, target_exists = 0;
	const char *remote = NULL;
	struct remote r;
	git_oid remote_tip;
	struct parse_opt usage_merge[] = {
		OPT_COMMAND("merge"),
		OPT_OPERANDS("[<id>...]"),
		OPT_STRING(0, "into", &opts.into, "branch", "merge into this branch, not the base branch"),
		OPT_BIT(0, "dry-run", &opts.flags, "compute and print the merges; move no ref", MERGE_DRY_RUN),
		OPT_BIT(0, "squash", &opts.flags, "one ordinary commit per task", MERGE_SQUASH),
		OPT_STRING(0, "verify", &opts.verify, "cmd", "keep a merge only if <cmd> passes on it"),
		OPT_CALLBACK(0, "verify-timeout", &opts.verify_timeout, "duration",
			     "give up on --verify after this (default 30m)", parse_verify_timeout),
		OPT_BIT(0, "stop-on-conflict", &opts.flags, "stop at the first conflicting or held task",
			MERGE_STOP_ON_CONFLICT),
		OPT_BIT(0, "allow-undeclared", &opts.flags, "merge tasks that changed undeclared paths",
			MERGE_ALLOW_UNDECLARED),
		OPT_BOOL(0, "json", &json, "print the result as JSON"),
		OPT_STRING(0, "remote", &remote, "remote", "merge what workers finished on <remote>"),
		OPT_ALIAS('i', "into"),
		OPT_ALIAS('n', "dry-run"),
		OPT_ALIAS('s', "squash"),
		OPT_ALIAS('v', "verify"),
		OPT_ALIAS('T', "verify-timeout"),
		OPT_ALIAS('S', "stop-on-conflict"),
		OPT_ALIAS('A', "allow-undeclared"),
		OPT_ALIAS('j', "json"),
		OPT_ALIAS('R', "remote"),
		OPT_END(),
	};

	memset(&s, 0, sizeof(s));
	merge_run_init(&m);
	if ((optind = cmd_parse_options(argc, argv, usage_merge, &c)) < 0)
		return c;
	if (opts.into && !*opts.into)
		return usage_error(usage_merge, "--into needs a branch name");
	if (opts.verify && !*opts.verify)
		return usage_error(usage_merge, "--verify needs a command");
	dry = !!(opts.flags & MERGE_DRY_RUN);
	if (optind < argc)
		opts.flags |= MERGE_EXPLICIT;
	if (remote) {
		/* the remote's plan and finished tasks, fetched (DESIGN.md 3.2) */
		char *state_dir = repo_state_path(ctx->repo, NULL);
		int iret;

		if (remote_check_name(remote) < 0) {
			free(state_dir);
			return 129;
		}
		r_up = 1;
		iret = remote_load(&r, ctx->repo, remote, 1) < 0 ? -1 : remote_import_plan(&r, state_dir);
		free(state_dir);
		if (iret < 0)
			goto out;
	}
	if (session_open(&s, ctx->repo, ctx->config_path) < 0)
		goto out;
	if (session_select(&s, argc - optind, argv + optind, &sel, &nr) < 0)
		goto out;
	if (!dry) {
		if (state_lock_acquire(s.state, "merge") < 0)
			goto out;
		locked = 1;
	}
	if (remote) {
		if (remote_import_finished(&r, s.state) < 0)
			goto out;
		c = remote_merge_target(&r, &s, &opts, &target_exists, &remote_tip);
		if (c) {
			ret = c < 0 ? 128 : 1;
			goto out;
		}
	}
	if (session_load_status(&s) < 0)
		goto out;
	/*
	 * Keep blobs read in libgit2's object cache: a file many tasks
	 * changed is merged from the same base and tip blobs again and again.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB, (size_t)4 << 20);
	/*
	 * Each merged blob is a buffer as large as the file and a zlib
	 * state, freed soon after: a sixth of merge's own time on git.git
	 * topics was the kernel faulting them in again.
	 */
	malloc_keep_freed();
	if (merge_tasks(&m, &s, sel, nr, &opts) < 0)
		goto out;
	if (m.recovered) {
		report_flush();
		fprintf(stderr, "%s\n", m.recovered);
	}
	if (m.status == MS_REFUSED) {
		if (m.dirty.nr) {
			/* the paths first, then the one line that explains the 128 */
			error("%s:", m.why);
			report_flush();
			for (i = 0; i < m.dirty.nr; i++)
				fprintf(stderr, "\t%s\n", term_str(m.dirty.v[i]));
			if (m.in_the_way)
				error("nothing was merged: move or remove them, then run 'git parallel merge' again");
			else
				error("nothing was merged: commit or stash them, then run 'git parallel merge' again");
		} else {
			error("%s; nothing was merged", m.why);
		}
		if (json)
			print_json(&s, &m, dry);
		goto out;	/* 128 */
	}
	if (json)
		print_json(&s, &m, dry);
	else
		print_table(&s, &m, dry);
	if (m.status != MS_OK) {
		error("%s", m.why);
		goto out;	/* 128: nothing changed */
	}
	ret = 0;
	for (i = 0; i < m.nr; i++) {
		enum merge_outcome o = m.results[i].outcome;

		if (o == MO_CONFLICT || o == MO_VERIFY_FAILED || o == MO_FAILED || o == MO_HELD ||
		    (o == MO_SKIPPED && (opts.flags & MERGE_EXPLICIT)))
			ret = 1;
	}
	if (remote && !dry) {
		c = remote_merge_push(&r, &s, &m, target_exists, &remote_tip);
		if (c)
			ret = c < 0 ? 128 : 1;
	}
out:
	if (r_up)
		remote_release(&r);
	if (locked)
		state_lock_release(s.state);
	sig = m.signal;
	merge_run_release(&m);
	free(sel);
	session_release(&s);
	if (sig) {
		/* deferred while the target was updated: act on it now, as it asked */
		report_flush();
		fprintf(stderr, "git parallel merge: %s received while the target was updated; "
			"the update was finished first\n", strsignal(sig));
		fflush(stdout);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return ret;
}
