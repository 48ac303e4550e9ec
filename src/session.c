#include <stdlib.h>
#include <string.h>

#include "gp/repo.h"
#include "gp/session.h"

/*
 * The absolute, symlink-free form of a path that may not exist yet: the
 * longest existing prefix resolved, the rest appended.  NULL when the rest
 * has "." or ".." in it.
 */
static char *canonical_path(const char *path)
{
	char *copy = xstrdup(path), *res = NULL;
	struct strbuf rest = STRBUF_INIT;

	for (;;) {
		char *real = realpath(copy, NULL), *slash;

		if (real) {
			res = xstrfmt("%s%s", strcmp(real, "/") ? real : "", rest.buf);
			free(real);
			break;
		}
		slash = strrchr(copy, '/');
		if (!slash || slash == copy)
			break;
		if (!strcmp(slash, "/.") || !strcmp(slash, "/.."))
			break;
		{
			struct strbuf tmp = STRBUF_INIT;

			strbuf_addf(&tmp, "%s%s", slash, rest.buf);
			strbuf_release(&rest);
			rest = tmp;
		}
		*slash = '\0';
	}
	strbuf_release(&rest);
	free(copy);
	return res;
}

static int path_inside(const char *child, const char *parent)
{
	return path_below(child, parent) != NULL;
}

/*
 * Task worktrees must not land inside .git (a hostile .gitparallel could
 * ask for that) nor be the work tree itself.  Inside the work tree is
 * allowed (".worktrees/" is a common habit) but should be ignored.
 */
static int check_worktree_parent(struct session *s)
{
	char *wt = canonical_path(s->wt_parent), *git = canonical_path(s->gitdir);
	char *top = canonical_path(s->workdir);
	const char *file = s->cfg.file ? s->cfg.file : "the configuration";
	int ret = 0;

	if (!wt || !git || !top) {
		ret = error("%s: cannot resolve parallel.worktrees '%s'", file, s->wt_parent);
	} else if (!strcmp(wt, top) || path_inside(top, wt)) {
		ret = error("%s: parallel.worktrees '%s' would put task worktrees around the work tree",
			    file, s->cfg.worktrees);
	} else if (path_inside(wt, git) || path_inside(git, wt)) {
		ret = error("%s: parallel.worktrees '%s' is inside the git directory; "
			    "task worktrees cannot live there", file, s->cfg.worktrees);
	} else if (path_inside(wt, top)) {
		int ignored = 0;

		if (git_ignore_path_is_ignored(&ignored, s->repo, wt + strlen(top) + 1) == 0 && !ignored)
			warning("parallel.worktrees '%s' is inside the work tree and not ignored: "
				"add it to .gitignore", s->cfg.worktrees);
	}
	free(wt);
	free(git);
	free(top);
	return ret;
}

int session_open(struct session *s, git_repository *repo, const char *config_path)
{
	const char *slash;

	memset(s, 0, sizeof(*s));
	s->repo = repo;
	config_init(&s->cfg);
	plan_init(&s->plan);
	s->workdir = repo_workdir(repo);
	s->state = repo_state_path(repo, NULL);
	s->gitdir = xstrdup(git_repository_commondir(repo));
	if (config_load(&s->cfg, config_path, s->workdir) < 0)
		return -1;
	if (state_load_plan(&s->plan, s->state) < 0)
		return -1;
	if (s->cfg.worktrees)
		s->wt_parent = s->cfg.worktrees[0] == '/' ? xstrdup(s->cfg.worktrees)
			: xstrfmt("%s/%s", s->workdir, s->cfg.worktrees);
	else {
		slash = strrchr(s->workdir, '/');
		s->wt_parent = xstrfmt("%.*s/%s.parallel", (int)(slash ? slash - s->workdir : 0),
				       s->workdir, slash ? slash + 1 : s->workdir);
	}
	return check_worktree_parent(s);
}

void session_release(struct session *s)
{
	size_t i;

	if (s->st) {
		for (i = 0; i < s->plan.tasks.nr; i++)
			task_status_release(&s->st[i]);
		free(s->st);
	}
	plan_release(&s->plan);
	config_release(&s->cfg);
	free(s->workdir);
	free(s->gitdir);
	free(s->state);
	free(s->wt_parent);
	memset(s, 0, sizeof(*s));
}

int session_load_status(struct session *s)
{
	size_t i;
	int ret = 0;

	s->st = xcalloc(s->plan.tasks.nr + 1, sizeof(*s->st));
	for (i = 0; i < s->plan.tasks.nr; i++) {
		struct task_status *st = &s->st[i];

		if (state_task_load(st, s->state, s->plan.tasks.v[i].id, &s->plan.tasks.v[i]) < 0) {
			ret = -1;	/* one error, not one per task */
			break;
		}
		/* its run, checked with its start time: a pid is reused */
		if (st->state != TS_RUNNING || state_pid_alive(st->run_pid, st->run_pid_start))
			continue;
		/* the run that started it is gone (killed, crashed) */
		if (state_pid_alive(st->pid, st->pid_start))
			st->orphaned = 1;
		else
			task_transition(st, TS_INTERRUPTED);
	}
	return ret;
}

char *session_branch(const struct session *s, const char *id)
{
	return xstrfmt("refs/heads/%s%s", s->cfg.branch_prefix, id);
}

char *session_worktree(const struct session *s, const char *id)
{
	char *name = task_fs_name(id), *path = xstrfmt("%s/%s", s->wt_parent, name);

	free(name);
	return path;
}

char *session_log(const struct session *s, const char *id)
{
	return state_log_path(s->state, id);
}

char *session_prompt(const struct session *s, const char *id)
{
	return state_prompt_path(s->state, id);
}

int session_select(const struct session *s, int argc, char **argv, size_t **out, size_t *nr)
{
	const struct plan *p = &s->plan;
	int i, ret = 0;

	if (!argc) {
		*out = plan_order(p, nr);
		return 0;
	}
	*out = xmalloc((size_t)argc * sizeof(**out));
	*nr = 0;
	for (i = 0; i < argc; i++) {
		long k = tasks_find(&p->tasks, argv[i]);

		if (k < 0) {
			ret = error("no task '%s' in the plan", argv[i]);
			continue;
		}
		if (!plan_task_active(p, (size_t)k)) {
			ret = error("task '%s' is %s in the task list; it does not run", argv[i],
				    task_status_name(&p->tasks.v[k]));
			continue;
		}
		(*out)[(*nr)++] = (size_t)k;
	}
	return ret;
}

void session_task_work(struct session *s, size_t i, struct task_work *t)
{
	const struct task_status *st = &s->st[i];
	git_oid head, start;
	git_commit *a = NULL, *b = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	git_diff_stats *stats = NULL;
	size_t ahead = 0, behind = 0;
	char *branch = st->branch ? xstrdup(st->branch) : session_branch(s, st->id);

	memset(t, 0, sizeof(*t));
	/* the branch as it is; the recorded head once clean has removed it */
	if (git_reference_name_to_id(&head, s->repo, branch) < 0 &&
	    (!st->head || git_oid_fromstr(&head, st->head) < 0))
		goto out;
	if (!st->start || git_oid_fromstr(&start, st->start) < 0)
		git_oid_cpy(&start, &s->plan.base_oid);
	if (git_graph_ahead_behind(&ahead, &behind, s->repo, &head, &start) < 0 ||
	    git_commit_lookup(&a, s->repo, &start) < 0 ||
	    git_commit_lookup(&b, s->repo, &head) < 0 ||
	    git_commit_tree(&ta, a) < 0 || git_commit_tree(&tb, b) < 0 ||
	    git_diff_tree_to_tree(&diff, s->repo, ta, tb, NULL) < 0 ||
	    git_diff_get_stats(&stats, diff) < 0)
		goto out;
	t->known = 1;
	t->commits = ahead;
	t->files = git_diff_stats_files_changed(stats);
	t->added = git_diff_stats_insertions(stats);
	t->removed = git_diff_stats_deletions(stats);
out:
	git_diff_stats_free(stats);
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(a);
	git_commit_free(b);
	free(branch);
}

const char *short_ref(const char *ref)
{
	return !strncmp(ref, "refs/heads/", 11) ? ref + 11 : ref;
}
