#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gp/output.h"
#include "gp/repo.h"
#include "gp/session.h"
#include "gp/trust.h"

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

static char *worktrees_parent(const struct config *c, const char *workdir)
{
	const char *slash;

	if (c->worktrees)
		return c->worktrees[0] == '/' ? xstrdup(c->worktrees)
			: xstrfmt("%s/%s", workdir, c->worktrees);
	slash = strrchr(workdir, '/');
	return xstrfmt("%.*s/%s.parallel", (int)(slash ? slash - workdir : 0),
		       workdir, slash ? slash + 1 : workdir);
}

/*
 * A configuration file that came with the repository may put worktrees
 * only where they can do no harm: under the default ../<repo>.parallel/,
 * or inside the work tree.  Anywhere else (~/.ssh, ~/.config/systemd/user,
 * where a task ID such as "x.service.d" would mean something) needs the
 * user's own git config or configuration file.
 */
static int check_repo_worktrees(const struct config *c, const char *workdir, const char *wt_parent)
{
	struct config dflt;
	char *def, *wt = canonical_path(wt_parent), *top = canonical_path(workdir), *d = NULL;
	int ret = 0;

	memset(&dflt, 0, sizeof(dflt));
	def = worktrees_parent(&dflt, workdir);
	d = canonical_path(def);
	if (!wt || !top || !d || !(path_inside(wt, d) || (path_inside(wt, top) && strcmp(wt, top))))
		ret = error("%s: parallel.worktrees '%s' is outside the work tree and '%s': a configuration "
			    "file of the repository may not put worktrees there (set it with "
			    "'git config parallel.worktrees' if you mean it)",
			    c->worktrees_from, c->worktrees, def);
	free(def);
	free(d);
	free(wt);
	free(top);
	return ret;
}

int session_config(struct config *c, git_repository *repo, const char *config_path,
		   const char *workdir, char **wt_parent)
{
	if (config_load(c, config_path, workdir) < 0 || config_load_git(c, repo) < 0)
		return -1;
	gp_git_timeout_set(c->git_timeout);
	*wt_parent = worktrees_parent(c, workdir);
	if (c->file_trust && !trust_file_from_repo(repo, workdir, *wt_parent, c->file)) {
		free(c->file_trust);	/* the user's own file */
		c->file_trust = NULL;
	}
	if (c->file_trust && c->worktrees && c->worktrees_from &&
	    check_repo_worktrees(c, workdir, *wt_parent) < 0)
		return -1;
	return 0;
}

int session_open(struct session *s, git_repository *repo, const char *config_path)
{
	return session_open_state(s, repo, config_path, NULL);
}

int session_open_state(struct session *s, git_repository *repo, const char *config_path,
		       const char *state_dir)
{
	memset(s, 0, sizeof(*s));
	s->repo = repo;
	config_init(&s->cfg);
	plan_init(&s->plan);
	s->workdir = repo_workdir(repo);
	s->state = state_dir ? xstrdup(state_dir) : repo_state_path(repo, NULL);
	s->gitdir = xstrdup(git_repository_commondir(repo));
	if (session_config(&s->cfg, repo, config_path, s->workdir, &s->wt_parent) < 0)
		return -1;
	if (state_load_plan(&s->plan, s->state) < 0)
		return -1;
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
		state_task_map_branch(st, s->repo);
		/* its run, checked with its start time: a pid is reused */
		if (st->state != TS_RUNNING || state_pid_alive(st->run_pid, st->run_pid_start))
			continue;
		/* the run that started it is gone (killed, crashed) */
		if (state_group_alive(st->pid, st->pid_start))
			st->orphaned = 1;
		else if (!task_transition(st, TS_INTERRUPTED))
			st->died = 1;	/* run clears the locks it may have left */
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
			struct stat st;

			ret = error("no task '%s' in the plan", argv[i]);
			/* 'git parallel run tasks.md', as one types 'plan tasks.md' */
			if (!stat(argv[i], &st) && S_ISREG(st.st_mode))
				fprintf(stderr, "hint: commands take task IDs; the task list '%s' is read by "
					"'git parallel plan %s'\n", term_str(argv[i]), term_str(argv[i]));
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

/*
 * Where task i's work is counted: from its start commit (the base, or its
 * dependencies' merge) to its branch as it is, or to its recorded head
 * once clean has removed the branch.  0, or -1 when there is no head.
 */
static int work_ends(struct session *s, const struct task_status *st, git_oid *head, git_oid *start)
{
	char *branch = st->branch ? xstrdup(st->branch) : session_branch(s, st->id);
	int ret = 0;

	if (git_reference_name_to_id(head, s->repo, branch) < 0 &&
	    (!st->head || git_oid_fromstr(head, st->head) < 0))
		ret = -1;
	git_error_clear();
	if (!st->start || git_oid_fromstr(start, st->start) < 0)
		git_oid_cpy(start, &s->plan.base_oid);
	free(branch);
	return ret;
}

/*
 * Pair renames as git diff does by default (diff.renames): only when the
 * diff both adds and deletes files, the only case where there can be one.
 */
static int work_renames(git_diff *diff)
{
	git_diff_find_options fo;
	size_t i, n = git_diff_num_deltas(diff);
	int added = 0, deleted = 0;

	for (i = 0; i < n && !(added && deleted); i++) {
		git_delta_t st = git_diff_get_delta(diff, i)->status;

		added |= st == GIT_DELTA_ADDED;
		deleted |= st == GIT_DELTA_DELETED;
	}
	if (!added || !deleted)
		return 0;
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES;
	return git_diff_find_similar(diff, &fo);
}

/*
 * The lines of a blob as git diff --numstat counts a whole side: none for
 * a binary blob (a NUL in its first 8000 bytes, git's test).
 */
static size_t blob_lines(git_repository *repo, const git_diff_file *f)
{
	git_blob *b = NULL;
	const char *p;
	size_t n, i, lines = 0;

	if (!(f->flags & GIT_DIFF_FLAG_VALID_ID) || f->mode == GIT_FILEMODE_COMMIT ||
	    git_blob_lookup(&b, repo, &f->id) < 0) {
		git_error_clear();
		return 0;
	}
	p = git_blob_rawcontent(b);
	n = (size_t)git_blob_rawsize(b);
	if (!memchr(p, '\0', n < 8000 ? n : 8000)) {
		for (i = 0; i < n; i++)
			lines += p[i] == '\n';
		lines += n && p[n - 1] != '\n';
	}
	git_blob_free(b);
	return lines;
}

/*
 * Count the work between start and head: one ahead/behind walk, one tree
 * diff with stats, counted as git diff --shortstat counts them (a rename
 * or a type change is one file), as check counts a footprint's files.
 */
static void work_count(git_repository *repo, const git_oid *head, const git_oid *start,
		       struct task_work *t)
{
	git_commit *a = NULL, *b = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	git_diff_stats *stats = NULL;
	git_diff_options o;
	size_t ahead = 0, behind = 0;

	memset(t, 0, sizeof(*t));
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags |= GIT_DIFF_INCLUDE_TYPECHANGE;
	if (git_graph_ahead_behind(&ahead, &behind, repo, head, start) < 0 ||
	    git_commit_lookup(&a, repo, start) < 0 ||
	    git_commit_lookup(&b, repo, head) < 0 ||
	    git_commit_tree(&ta, a) < 0 || git_commit_tree(&tb, b) < 0 ||
	    git_diff_tree_to_tree(&diff, repo, ta, tb, &o) < 0 ||
	    work_renames(diff) < 0 ||
	    git_diff_get_stats(&stats, diff) < 0)
		goto out;
	t->known = 1;
	t->commits = ahead;
	t->files = git_diff_stats_files_changed(stats);
	t->added = git_diff_stats_insertions(stats);
	t->removed = git_diff_stats_deletions(stats);
	{
		/* libgit2 counts no lines for a type change; git counts both sides whole */
		size_t i, n = git_diff_num_deltas(diff);

		for (i = 0; i < n; i++) {
			const git_diff_delta *d = git_diff_get_delta(diff, i);

			if (d->status != GIT_DELTA_TYPECHANGE)
				continue;
			t->removed += blob_lines(repo, &d->old_file);
			t->added += blob_lines(repo, &d->new_file);
		}
	}
out:
	git_error_clear();
	git_diff_stats_free(stats);
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(a);
	git_commit_free(b);
}

/*
 * The cache's format: "<head> <start> <commits> <files> <added> <removed>
 * <WORK_VERSION>".  Counts cached without it were taken with renames and
 * type changes split in two files (status said 4 files where git and
 * check say 2): counted again.
 */
#define WORK_VERSION "v2"

/*
 * The counts cached in the task's state ("work"), when they were taken
 * at exactly this head and start, the way work_count() counts: a branch
 * that moved since (an agent committed more, a rebase) does not match,
 * and is counted again.
 */
static int work_cached(const struct task_status *st, const git_oid *head, const git_oid *start,
		       struct task_work *t)
{
	char h[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	char ch[GIT_OID_HEXSZ + 1], cb[GIT_OID_HEXSZ + 1];
	char version[8];
	unsigned long long v[4];

	if (!st->work ||
	    sscanf(st->work, "%40s %40s %llu %llu %llu %llu %7s", ch, cb, &v[0], &v[1], &v[2], &v[3],
		   version) != 7 ||
	    strcmp(version, WORK_VERSION) ||
	    strcmp(ch, git_oid_tostr(h, sizeof(h), head)) ||
	    strcmp(cb, git_oid_tostr(b, sizeof(b), start)))
		return 0;
	t->known = 1;
	t->commits = (size_t)v[0];
	t->files = (size_t)v[1];
	t->added = (size_t)v[2];
	t->removed = (size_t)v[3];
	return 1;
}

/* The cache's value for counts t taken at head from start; caller frees. */
static char *work_value(const git_oid *head, const git_oid *start, const struct task_work *t)
{
	char h[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];

	return xstrfmt("%s %s %zu %zu %zu %zu " WORK_VERSION, git_oid_tostr(h, sizeof(h), head),
		       git_oid_tostr(b, sizeof(b), start), t->commits, t->files, t->added, t->removed);
}

void session_task_work(struct session *s, size_t i, struct task_work *t)
{
	struct task_status *st = &s->st[i];
	git_oid head, start;

	memset(t, 0, sizeof(*t));
	if (work_ends(s, st, &head, &start) < 0)
		return;
	if (work_cached(st, &head, &start, t))
		return;
	work_count(s->repo, &head, &start, t);
	if (t->known) {
		/*
		 * The branch moved since run or merge counted it (an agent
		 * committed more, git reset), or the cache is of an older
		 * form: counted once more, and cached for the next reader
		 * when nobody is at work in the state directory.
		 */
		free(st->work);
		st->work = work_value(&head, &start, t);
		state_task_cache_work(s->state, &s->plan.tasks.v[i], st->work);
	}
}

void session_task_work_record(struct session *s, size_t i)
{
	struct task_status *st = &s->st[i];
	struct task_work t;
	git_oid head, start;
	char *v = NULL;

	if (!work_ends(s, st, &head, &start)) {
		if (!work_cached(st, &head, &start, &t))
			work_count(s->repo, &head, &start, &t);
		if (t.known)
			v = work_value(&head, &start, &t);
	}
	free(st->work);
	st->work = v;
}

const char *short_ref(const char *ref)
{
	return !strncmp(ref, "refs/heads/", 11) ? ref + 11 : ref;
}
