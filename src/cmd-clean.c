/*
 * git parallel clean: remove task worktrees and branches, never losing
 * work: a worktree with uncommitted changes, or a branch with commits that
 * the target does not have, stays unless --force; each refusal says which
 * task and why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/parse-options.h"
#include "gp/session.h"
#include "gp/remote.h"
#include "gp/worktree.h"

enum clean_flags {
	CLEAN_MERGED = 1 << 0,
	CLEAN_ALL = 1 << 1,
	CLEAN_FORCE = 1 << 2,
};

/* Is the branch head in the target (merged), or does it add nothing to the base? */
static int branch_merged(struct session *s, const git_oid *head, int *merged)
{
	git_oid target;
	const char *ref = s->plan.base_ref;

	*merged = 0;
	if (git_oid_equal(head, &s->plan.base_oid)) {
		*merged = 1;
		return 0;
	}
	if (!ref || !*ref || git_reference_name_to_id(&target, s->repo, ref) < 0)
		git_oid_cpy(&target, &s->plan.base_oid);
	if (git_oid_equal(head, &target)) {
		*merged = 1;
		return 0;
	}
	*merged = git_graph_descendant_of(s->repo, &target, head) == 1;
	return 0;
}

struct config_probe {
	const char *prefix;
	int found;
};

static int has_prefix_cb(const git_config_entry *e, void *data)
{
	struct config_probe *p = data;

	if (!strncmp(e->name, p->prefix, strlen(p->prefix)))
		p->found = 1;
	return 0;
}

/*
 * Drop the branch's configuration (the names starting with prefix), as
 * git_branch_delete() does (git_config_rename_section(): each entry with
 * git_config_delete_entry()), without its regex walk: libgit2 1.5's
 * git_regexp_match() returns before freeing its PCRE2 match block on a
 * mismatch, one leak per configuration entry of every level.  0, or -1
 * with libgit2's error (a held config.lock, a multivar).
 */
static int drop_branch_config(git_repository *repo, const char *prefix)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	struct strlist names = STRLIST_INIT;
	size_t i;
	int ret = -1;

	if (git_repository_config(&cfg, repo) < 0 || git_config_iterator_new(&it, cfg) < 0)
		goto out;
	while (!git_config_next(&e, it))
		if (!strncmp(e->name, prefix, strlen(prefix)) &&
		    (!names.nr || strcmp(names.v[names.nr - 1], e->name)))
			strlist_push(&names, e->name);
	git_config_iterator_free(it);
	it = NULL;
	for (i = 0; i < names.nr; i++)
		if (git_config_delete_entry(cfg, names.v[i]) < 0)
			goto out;
	ret = 0;
out:
	git_config_iterator_free(it);
	git_config_free(cfg);
	strlist_clear(&names);
	return ret;
}

/*
 * Delete a task branch and, as git branch -D does, its configuration
 * section (only when it has one: our branches have none unless someone
 * set some).
 */
static int delete_branch(git_repository *repo, git_reference *ref)
{
	git_config *cfg = NULL;
	char *prefix = xstrfmt("branch.%s.", short_ref(git_reference_name(ref)));
	struct config_probe probe = { prefix, 0 };
	int ret;

	/* a run killed while it created the branch may have left one */
	worktree_remove_half_renamed_lock(repo, git_reference_name(ref));
	if (git_repository_config_snapshot(&cfg, repo) == 0)
		git_config_foreach(cfg, has_prefix_cb, &probe);
	else
		probe.found = 1;
	if (probe.found && drop_branch_config(repo, prefix) < 0) {
		ret = -1;
	} else {
		/* killed here: the branch stays, and the next clean deletes it (nothing to drop) */
		test_crash_point("clean-after-branch-config");
		ret = git_reference_delete(ref);
	}
	git_config_free(cfg);
	free(prefix);
	return ret;
}

/*
 * Keep what removing task id's worktree and branch would drop (commits on
 * a detached HEAD, or that the branch was reset away from) under
 * refs/parallel/kept/<id>/, and say so.  0 or -1 (reported).
 */
static int keep_commits(struct session *s, const char *id, const char *branch, const git_oid *tip)
{
	char *name;
	struct strlist kept = STRLIST_INIT;
	git_oid safe[3];
	size_t n = 0, k;
	int ret;

	git_oid_cpy(&safe[n++], &s->plan.base_oid);
	if (s->plan.base_ref && *s->plan.base_ref &&
	    !git_reference_name_to_id(&safe[n], s->repo, s->plan.base_ref))
		n++;
	if (tip)
		git_oid_cpy(&safe[n++], tip);
	name = task_fs_name(id);
	ret = worktree_keep_commits(s->repo, name, branch, safe, n, &kept);
	free(name);
	for (k = 0; k < kept.nr; k++)
		printf("kept %s (task %s: a commit no branch holds)\n", kept.v[k], id);
	strlist_clear(&kept);
	return ret;
}

/*
 * Remove task id's footprint cache (footprints/<id>): its key names the
 * branch head's tree, so once the branch goes it is never read again.
 * Removed before the branch: a clean killed in between leaves a branch
 * without a cache, which costs only a measure.  Quiet but for an error
 * other than its absence (a warning: the file is only a cache).
 */
static void drop_footprint(struct session *s, const char *id)
{
	char *path = state_footprint_path(s->state, id);

	if (unlink(path) < 0 && errno != ENOENT)
		warning("task '%s': cannot remove its footprint cache '%s': %s", id, path,
			strerror(errno));
	free(path);
}

/* 0 cleaned, 1 refused, 2 not ours (left alone), 3 not selected by --merged, -1 error */
static int clean_task(struct session *s, size_t i, unsigned int flags)
{
	struct task_status *st = &s->st[i];
	const char *id = s->plan.tasks.v[i].id;
	char *branch = session_branch(s, id), *wt = session_worktree(s, id);
	char *name = task_fs_name(id);	/* the worktree's name */
	git_reference *ref = NULL;
	git_worktree *w = NULL;
	int merged = 1, has_branch, has_wt, broken = 0, husk = 0, incomplete = 0, ret = 1;
	const char *why = NULL;
	struct strbuf foreign = STRBUF_INIT, msg = STRBUF_INIT;
	git_buf reason = GIT_BUF_INIT;
	char *lock = NULL;

	has_branch = git_reference_lookup(&ref, s->repo, branch) == 0;
	/* a clean killed inside libgit2's delete of the branch left its lock */
	if (!has_branch && worktree_remove_deleted_branch_lock(s->repo, branch) > 0)
		printf("removed the lock of branch '%s' a killed command left\n", short_ref(branch));
	/* a run killed while it wrote the worktree's gitdir left it cut short */
	if (worktree_drop_torn_gitdir(s->repo, name) < 0)
		warning("task '%s': cannot remove the incomplete admin file gitdir of worktree '%s': %s",
			id, name, strerror(errno));
	has_wt = git_worktree_lookup(&w, s->repo, name) == 0;
	/* its admin files damaged (a command deleted its HEAD): not a worktree for libgit2 */
	if (!has_wt && worktree_is_broken(s->repo, name))
		has_wt = broken = 1;
	if (!has_branch && !has_wt) {
		drop_footprint(s, id);	/* one a killed clean, or git branch -D, left */
		ret = 0;
		goto out;
	}
	if (st->state == TS_RUNNING && !st->orphaned) {
		error("task '%s' is running; not removed", id);
		goto out;
	}
	/* only what git-parallel made for this task: never a user's worktree or branch */
	if (has_wt && !worktree_is_task(s->repo, name, wt, branch)) {
		warning("task '%s': the worktree named '%s' was not made by git-parallel "
			"for this task; left alone", id, name);
		ret = 2;
		goto out;
	}
	if (has_branch && !worktree_branch_is_ours(s->repo, branch, name)) {
		warning("task '%s': branch '%s' was not made by git-parallel for this task; "
			"left alone", id, short_ref(branch));
		git_reference_free(ref);
		ref = NULL;
		has_branch = 0;
		if (!has_wt) {
			ret = 2;
			goto out;
		}
	}
	if (has_branch) {
		const git_oid *head = git_reference_target(ref);
		git_oid recorded;

		if (!head || branch_merged(s, head, &merged) < 0)
			merged = 0;
		/* squash-merged: the target holds its changes, not its head */
		if (!merged && head && st->state == TS_MERGED && st->head &&
		    !git_oid_fromstr(&recorded, st->head) && git_oid_equal(&recorded, head))
			merged = 1;
	}
	if ((flags & CLEAN_MERGED) && !merged && !(flags & CLEAN_FORCE)) {
		ret = 3;	/* not selected: --merged takes only merged tasks */
		goto out;
	}
	/* debris of a killed run: half checked out, nothing of anyone's in it */
	if (has_wt && !broken && !access(wt, F_OK)) {
		incomplete = worktree_incomplete(s->repo, name, &foreign);
		if (incomplete < 0) {
			ret = -1;
			goto out;
		}
	}
	if (!(flags & CLEAN_FORCE)) {
		struct strlist dirty = STRLIST_INIT;
		struct strbuf reasons = STRBUF_INIT;
		size_t k;

		if (broken && worktree_being_removed(s->repo, name, wt, has_branch ? branch : NULL))
			;	/* a clean killed while it removed it: finish the job */
		else if (broken && (husk = worktree_empty_husk(s->repo, name, wt)))
			;	/* a run killed while it added it: an empty directory */
		else if (broken)
			strbuf_addf(&reasons, "worktree '%s' is damaged (its git files are incomplete)", wt);
		else if (incomplete == 2)
			strbuf_addf(&reasons, "worktree '%s' was not completely created and has files "
				    "its checkout did not write (%s)", wt, foreign.buf);
		else if (incomplete == 1)
			;	/* its missing files are not changes */
		else if (has_wt && !access(wt, F_OK) && worktree_dirty(wt, &dirty) > 0) {
			strbuf_addf(&reasons, "worktree '%s' has uncommitted changes (", wt);
			for (k = 0; k < dirty.nr && k < 5; k++)
				strbuf_addf(&reasons, "%s%s", k ? ", " : "", dirty.v[k]);
			if (dirty.nr > 5)
				strbuf_addf(&reasons, " and %zu more", dirty.nr - 5);
			strbuf_addch(&reasons, ')');
		}
		if (has_branch && !merged)
			strbuf_addf(&reasons, "%sbranch '%s' has commits not merged into '%s'",
				    reasons.len ? "; " : "", short_ref(branch),
				    *s->plan.base_ref ? short_ref(s->plan.base_ref) : "the base");
		strlist_clear(&dirty);
		if (reasons.len) {
			error("task '%s': %s; not removed (merge it, or use --force)", id, reasons.buf);
			strbuf_release(&reasons);
			goto out;
		}
		strbuf_release(&reasons);
	}
	/*
	 * a branch another process has locked cannot be deleted: touch nothing
	 * (libgit2 drops the reflog before it finds packed-refs locked, and a
	 * branch without its reflog is no longer known as ours)
	 */
	if (has_branch && (lock = worktree_branch_lock(s->repo, branch))) {
		error("task '%s': branch '%s' is locked: '%s' exists (another git process is "
		      "using it; if none is, remove the file); not removed", id, short_ref(branch), lock);
		goto out;
	}
	if (has_wt && !broken && !(flags & CLEAN_FORCE) && git_worktree_is_locked(&reason, w) > 0) {
		strbuf_add(&msg, reason.ptr, reason.size);
		strbuf_trim(&msg);
		error("task '%s': worktree '%s' is locked (git worktree lock%s%s); not removed "
		      "(git worktree unlock '%s', or use --force)", id, wt, msg.len ? ": " : "",
		      msg.buf, wt);
		goto out;
	}
	if (keep_commits(s, id, has_branch ? branch : NULL,
			 has_branch ? git_reference_target(ref) : NULL) < 0) {
		ret = -1;
		goto out;
	}
	drop_footprint(s, id);
	if (broken) {
		/* rmdir only: whatever came into it since keeps it */
		if (husk && rmdir(wt) < 0) {
			error_errno("task '%s': cannot remove '%s'; not removed (use --force)", id, wt);
			goto out;
		}
		if (worktree_remove_broken(s->repo, name, wt) < 0)
			goto out;
	} else if (has_wt) {
		int r = worktree_remove(s->repo, name, (flags & CLEAN_FORCE) ||
					(incomplete == 1 && git_worktree_is_locked(NULL, w) <= 0), &why);

		if (r < 0)
			goto out;
		if (r > 0) {
			error("task '%s': worktree '%s': %s; not removed (use --force)", id, wt,
			      why ? why : "it cannot be removed");
			goto out;
		}
	}
	if (has_branch && delete_branch(s->repo, ref) < 0) {
		/* refused, not fatal: the branch keeps its commits, the other tasks go on */
		if ((lock = worktree_branch_lock(s->repo, branch)))
			error("task '%s': cannot delete branch '%s': '%s' exists (another git process "
			      "is using it; if none is, remove the file and clean again)", id,
			      short_ref(branch), lock);
		else {
			/* libgit2 1.5 ends a lock failure with ": " and no reason */
			strbuf_addstr(&msg, gp_git_error());
			strbuf_trim(&msg);
			if (msg.len && msg.buf[msg.len - 1] == ':')
				strbuf_setlen(&msg, msg.len - 1);
			error("task '%s': cannot delete branch '%s': %s", id, short_ref(branch), msg.buf);
		}
		goto out;
	}
	printf("removed %s%s%s\n", id, has_wt ? " (worktree" : " (", has_branch ?
	       (has_wt ? " and branch)" : "branch)") : ")");
	st->cleaned = 1;
	if (st->state == TS_RUNNING)
		task_transition(st, TS_INTERRUPTED);
	st->pid = 0;
	state_task_save(s->state, st);
	ret = 0;
out:
	strbuf_release(&foreign);
	strbuf_release(&msg);
	git_buf_dispose(&reason);
	free(lock);
	git_worktree_free(w);
	git_reference_free(ref);
	free(branch);
	free(wt);
	free(name);
	return ret;
}

/*
 * clean --remote: the remote's refs/parallel/ of merged tasks (all of
 * them with --all) and their branches; the plan and base once no task
 * state is left.
 */
static int clean_remote(struct cmd_ctx *ctx, const char *name, int all)
{
	struct remote r;
	struct strlist removed = STRLIST_INIT, kept = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT;
	size_t k;
	int ret = 128, rc;

	if (remote_check_name(name) < 0)
		return 129;
	if (remote_load(&r, ctx->repo, name, 1) < 0)
		goto out;
	if (!r.has_plan && !r.has_base) {
		printf("nothing of git parallel on '%s'\n", r.name);
		ret = 0;
		goto out;
	}
	rc = remote_clean(&r, all, &removed, &kept, &why);
	if (rc < 0)
		goto out;
	if (rc > 0) {
		error("'%s' changed while we cleaned (%s): nothing was removed; clean again", r.name, why.buf);
		ret = 1;
		goto out;
	}
	for (k = 0; k < removed.nr; k++)
		printf("removed the state of %s on '%s'\n", removed.v[k], r.name);
	for (k = 0; k < kept.nr; k++)
		warning("kept '%s' on '%s': it is not where its task left it", short_ref(kept.v[k]), r.name);
	ret = 0;
out:
	remote_release(&r);
	strlist_clear(&removed);
	strlist_clear(&kept);
	strbuf_release(&why);
	return ret;
}

int cmd_clean(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct session s;
	size_t *sel = NULL, nr = 0, k;
	unsigned int flags = 0;
	int c, ret = 128, refused = 0, locked = 0;
	const char *remote = NULL;
	struct parse_opt usage_clean[] = {
		OPT_COMMAND("clean"),
		OPT_OPERANDS("[<id>...]"),
		{ OPTION_STRING, 0, "remote", &remote, "remote", "remove the state refs of merged tasks on <remote>",
		  .lines = 2, .required = 2 },
		OPT_BIT(0, "merged", &flags, "the tasks merged into the base branch", CLEAN_MERGED),
		{ OPTION_BIT, 0, "all", &flags, NULL, "every task", 0, NULL, CLEAN_ALL, .lines = 1 | 2 },
		OPT_BIT(0, "force", &flags, "even with uncommitted changes or unmerged commits", CLEAN_FORCE),
		OPT_ALIAS('m', "merged"),
		OPT_ALIAS('a', "all"),
		OPT_ALIAS('f', "force"),
		OPT_ALIAS('R', "remote"),
		OPT_END(),
	};

	memset(&s, 0, sizeof(s));
	if ((optind = cmd_parse_options(argc, argv, usage_clean, &c)) < 0)
		return c;
	if (remote) {
		if (optind < argc || (flags & CLEAN_FORCE))
			return usage_error(usage_clean, "--remote takes no task IDs and no --force");
		return clean_remote(ctx, remote, !!(flags & CLEAN_ALL));
	}
	if (optind == argc && !(flags & (CLEAN_MERGED | CLEAN_ALL)))
		return usage_error(usage_clean, "name the tasks to clean, or use --merged or --all");
	if (session_open(&s, ctx->repo, ctx->config_path) < 0)
		goto out;
	if (session_select(&s, argc - optind, argv + optind, &sel, &nr) < 0)
		goto out;
	if (state_lock_acquire(s.state, "clean") < 0)
		goto out;
	locked = 1;
	if (session_load_status(&s) < 0)
		goto out;
	for (k = 0; k < nr; k++) {
		int r = clean_task(&s, sel[k], flags);

		if (r < 0)
			goto out;
		if (r == 1 || r == 2)	/* refused, or left alone: not what was asked */
			refused = 1;
	}
	/* metadata of our worktrees whose directories are gone */
	{
		git_strarray names = { 0 };
		size_t n;

		if (!git_worktree_list(&names, s.repo)) {
			for (n = 0; n < names.count; n++) {
				git_worktree *w = NULL;
				git_worktree_prune_options po = GIT_WORKTREE_PRUNE_OPTIONS_INIT;

				char *id = xstrdup(names.strings[n]);
				long t;
				char *b, *p;
				int ours;

				task_fs_name_decode(id);
				t = tasks_find(&s.plan.tasks, id);
				b = t < 0 ? NULL : session_branch(&s, id);
				p = t < 0 ? NULL : session_worktree(&s, id);
				ours = t >= 0 && worktree_is_task(s.repo, names.strings[n], p, b);
				free(id);
				free(b);
				free(p);
				if (ours && git_worktree_lookup(&w, s.repo, names.strings[n]) == 0 &&
				    git_worktree_validate(w) < 0 && !git_worktree_is_locked(NULL, w) &&
				    git_worktree_is_prunable(w, &po) == 1)
					git_worktree_prune(w, &po);
				git_worktree_free(w);
			}
			git_strarray_dispose(&names);
		}
	}
	/*
	 * The default ../<repo>.parallel/ was made by run: once its last
	 * worktree is gone, leave no empty directory beside the repository
	 * (rmdir fails, harmlessly, while anything is left in it).
	 */
	if (!s.cfg.worktrees)
		rmdir(s.wt_parent);
	ret = refused;
out:
	if (locked)
		state_lock_release(s.state);
	free(sel);
	session_release(&s);
	return ret;
}
