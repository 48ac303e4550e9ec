#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2/sys/repository.h>

#include "gp/indexstat.h"
#include "gp/repo.h"

static int same_dir(const char *a, const char *b)
{
	char *ra = a ? realpath(a, NULL) : NULL, *rb = b ? realpath(b, NULL) : NULL;
	int same = ra && rb && !strcmp(ra, rb);

	free(ra);
	free(rb);
	return same;
}

/* The configuration file of the repository git would use here, or NULL. */
static git_config *common_config(void)
{
	git_buf found = { 0 };
	git_config *cfg = NULL;
	struct strbuf gitdir = STRBUF_INIT, common = STRBUF_INIT, file = STRBUF_INIT;
	const char *env = getenv("GIT_DIR");

	if (env && *env)
		strbuf_addf(&gitdir, "%s/", env);
	else if (!git_repository_discover(&found, ".", 0, NULL))
		strbuf_addstr(&gitdir, found.ptr);
	if (!gitdir.len)
		goto out;
	/* a linked worktree: its config is the common one */
	strbuf_addf(&file, "%scommondir", gitdir.buf);
	if (!strbuf_read_file(&common, file.buf)) {
		strbuf_trim(&common);
		if (common.buf[0] != '/') {
			char *rel = strbuf_detach(&common, NULL);

			strbuf_addf(&common, "%s%s", gitdir.buf, rel);
			free(rel);
		}
		strbuf_addch(&common, '/');
	} else {
		strbuf_reset(&common);
		strbuf_addstr(&common, gitdir.buf);
	}
	strbuf_reset(&file);
	strbuf_addf(&file, "%sconfig", common.buf);
	if (git_config_open_ondisk(&cfg, file.buf) < 0)
		cfg = NULL;
out:
	git_error_clear();
	git_buf_dispose(&found);
	strbuf_release(&gitdir);
	strbuf_release(&common);
	strbuf_release(&file);
	return cfg;
}

/*
 * extensions.worktreeConfig (git sparse-checkout, git worktree config) in
 * a repository of format version 1: libgit2 1.5 refuses to open it (and
 * leaks while doing so), so it is looked for before opening.  git honours
 * worktreeConfig in format 0 as well: when it is the only extension,
 * going back to format 0 keeps every setting working.  Returns 0 when
 * the repository does not use it that way, else -1 (reported).
 */
static int check_worktree_config(void)
{
	git_config *cfg = common_config();
	git_config_iterator *it = NULL;
	git_config_entry *e;
	struct strbuf others = STRBUF_INIT;
	int32_t version = 0;
	int wtc = 0, n = 0, ret = 0;

	if (!cfg || git_config_get_int32(&version, cfg, "core.repositoryformatversion") < 0 ||
	    version != 1 || git_config_get_bool(&wtc, cfg, "extensions.worktreeconfig") < 0 || !wtc)
		goto out;
	/* no glob iterator: libgit2 1.5 leaks its regex match data */
	if (!git_config_iterator_new(&it, cfg))
		while (!git_config_next(&e, it))
			if (!strncmp(e->name, "extensions.", 11) &&
			    strcmp(e->name, "extensions.worktreeconfig"))
				strbuf_addf(&others, "%s%s", n++ ? ", " : "", e->name);
	if (!n)
		ret = error("cannot open the repository: it uses extensions.worktreeConfig (set by "
			    "'git sparse-checkout') in repository format 1, which libgit2 1.5 does not "
			    "support; git honours that extension in format 0 too, so run "
			    "'git config core.repositoryformatversion 0'");
	else
		ret = error("cannot open the repository: it uses extensions.worktreeConfig (set by "
			    "'git sparse-checkout'), which libgit2 1.5 does not support, and also %s; "
			    "turn per-worktree configuration off first ('git sparse-checkout disable', "
			    "then 'git config --unset extensions.worktreeConfig')", others.buf);
out:
	git_error_clear();
	git_config_iterator_free(it);
	git_config_free(cfg);
	strbuf_release(&others);
	return ret;
}

/*
 * A split index (core.splitIndex, git update-index --split-index) has the
 * mandatory "link" extension, which libgit2 1.5 cannot read: every status,
 * diff and commit of a worktree would fail.  Refuse it up front.
 */
static int has_shared_index(const char *dir)
{
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d)))
		found = !strncmp(e->d_name, "sharedindex.", 12);
	closedir(d);
	return found;
}

/*
 * A split index names a shared index file, $GIT_COMMON_DIR/sharedindex.<oid>
 * (git writes a worktree's there too), that must exist for git to read it:
 * without one, the index is not split, and reading it (5,000 entries on a
 * real repository: a third of what status costs) is not needed.
 */
static int maybe_split(git_repository *repo)
{
	return has_shared_index(git_repository_commondir(repo)) ||
		has_shared_index(git_repository_path(repo));
}

static int check_split_index(git_repository *repo)
{
	git_config *cfg = NULL;
	git_index *idx = NULL;
	int split = 0, ret = 0;

	if (!git_repository_config_snapshot(&cfg, repo) &&
	    !git_config_get_bool(&split, cfg, "core.splitindex") && split)
		ret = error("core.splitIndex is set, and libgit2 1.5 cannot read split indexes; "
			    "run 'git config core.splitIndex false' and 'git update-index "
			    "--no-split-index' (in every worktree of the repository)");
	else if (maybe_split(repo) &&
		 git_repository_index(&idx, repo) < 0 && strstr(gp_git_error(), "'link'"))
		ret = error("the index is split ('git update-index --split-index'), and libgit2 1.5 "
			    "cannot read split indexes; run 'git update-index --no-split-index'");
	git_error_clear();
	git_index_free(idx);
	git_config_free(cfg);
	return ret;
}

int repo_check_history(git_repository *repo)
{
	if (git_repository_is_shallow(repo) == 1)
		return error("the repository is a shallow clone, whose history libgit2 1.5 cannot "
			     "walk (merge bases fail at the shallow boundary); run 'git fetch "
			     "--unshallow' first");
	git_error_clear();
	return 0;
}

int repo_open(git_repository **out, struct strbuf *prefix, int need_worktree)
{
	git_repository *repo = NULL;
	char cwd[PATH_MAX], *wd = NULL, *work_tree = NULL;
	const char *env_wt;
	int err;

	*out = NULL;
	/*
	 * libgit2 1.5 refuses GIT_WORK_TREE in GIT_REPOSITORY_OPEN_FROM_ENV
	 * ("unimplemented"): open without it, then set the work tree as git does.
	 */
	if ((env_wt = getenv("GIT_WORK_TREE")) && *env_wt) {
		work_tree = realpath(env_wt, NULL);
		if (!work_tree)
			return error_errno("cannot use GIT_WORK_TREE '%s'", env_wt);
		unsetenv("GIT_WORK_TREE");
	}
	if (check_worktree_config() < 0) {
		if (work_tree)
			setenv("GIT_WORK_TREE", work_tree, 1);
		free(work_tree);
		return -1;
	}
	err = git_repository_open_ext(&repo, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	/*
	 * GIT_NAMESPACE: git applies it only where it serves refs to others
	 * (upload-pack, receive-pack, http-backend); git branch, merge,
	 * worktree and commit ignore it.  libgit2 opened from the environment
	 * prefixes every ref with it, HEAD included (and the repositories we
	 * open by path, a worktree's, do not): ignore it, as git's porcelain
	 * does, before any ref is read.  Our git children never get it
	 * (spawn.c); task commands keep it.
	 */
	if (!err && git_repository_get_namespace(repo))
		git_repository_set_namespace(repo, NULL);
	if (work_tree) {
		setenv("GIT_WORK_TREE", work_tree, 1);
		/* set_workdir() to the same directory leaks in libgit2 1.5 (#6746) */
		if (!err && !same_dir(git_repository_workdir(repo), work_tree) &&
		    git_repository_set_workdir(repo, work_tree, 0) < 0) {
			error("cannot use GIT_WORK_TREE '%s': %s", work_tree, gp_git_error());
			git_repository_free(repo);
			free(work_tree);
			return -1;
		}
		free(work_tree);
	}
	if (err == GIT_ENOTFOUND) {
		const char *gd = getenv("GIT_DIR");

		/* git's words: GIT_DIR (or --git-dir) names the one place it looked */
		if (gd && *gd)
			return error("not a git repository: '%s'", gd);
		return error("not a git repository (or any of the parent directories): .git");
	}
	if (err < 0) {
		const char *msg = gp_git_error();

		if (strstr(msg, "worktreeconfig"))
			return error("cannot open the repository: it uses extensions.worktreeConfig "
				     "(set by 'git sparse-checkout'), which libgit2 1.5 does not support");
		return error("cannot open the repository: %s", msg);
	}
	if (need_worktree && git_repository_is_bare(repo)) {
		git_repository_free(repo);
		return error("this operation must be run in a work tree (the repository is bare)");
	}
	if (!git_repository_is_bare(repo) && check_split_index(repo) < 0) {
		git_repository_free(repo);
		return -1;
	}
	strbuf_reset(prefix);
	if (!git_repository_is_bare(repo) && getcwd(cwd, sizeof(cwd))) {
		char *rcwd = realpath(cwd, NULL);
		const char *rest;

		wd = realpath(git_repository_workdir(repo), NULL);
		rest = rcwd && wd ? path_below(rcwd, wd) : NULL;

		if (rest && *rest) {
			strbuf_addstr(prefix, rest);
			strbuf_addch(prefix, '/');
		}
		free(rcwd);
		free(wd);
	}
	*out = repo;
	return 0;
}

char *repo_state_path(git_repository *repo, const char *sub)
{
	const char *common = git_repository_commondir(repo);
	size_t n = strlen(common);

	while (n > 1 && common[n - 1] == '/')
		n--;
	if (!sub || !*sub)
		return xstrfmt("%.*s/parallel", (int)n, common);
	return xstrfmt("%.*s/parallel/%s", (int)n, common, sub);
}

char *repo_workdir(git_repository *repo)
{
	const char *wd = git_repository_workdir(repo);
	size_t n;

	if (!wd)
		return NULL;
	n = strlen(wd);
	while (n > 1 && wd[n - 1] == '/')
		n--;
	return xstrndup(wd, n);
}

int repo_resolve_base(git_repository *repo, const char *rev, struct strbuf *ref, git_oid *oid)
{
	git_reference *head = NULL, *branch = NULL;
	git_object *obj = NULL;
	int ret = -1;

	strbuf_reset(ref);
	if (!rev) {
		if (git_repository_head_detached(repo) == 1) {
			error("HEAD is detached; name the base branch with --base <branch> or parallel.base");
			goto out;
		}
		if (git_reference_lookup(&head, repo, "HEAD") < 0) {
			error("cannot read HEAD: %s", gp_git_error());
			goto out;
		}
		strbuf_addstr(ref, git_reference_symbolic_target(head));
		if (git_repository_head_unborn(repo) == 1) {
			const char *name = ref->buf;

			if (!strncmp(name, "refs/heads/", 11))
				name += 11;
			error("branch '%s' has no commits yet; commit something before planning", name);
			goto out;
		}
		if (git_reference_name_to_id(oid, repo, ref->buf) < 0) {
			error("cannot resolve '%s': %s", ref->buf, gp_git_error());
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (git_branch_lookup(&branch, repo, rev, GIT_BRANCH_LOCAL) == 0) {
		strbuf_addstr(ref, git_reference_name(branch));
		if (git_reference_name_to_id(oid, repo, ref->buf) < 0) {
			error("cannot resolve '%s': %s", ref->buf, gp_git_error());
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (git_revparse_single(&obj, repo, rev) < 0) {
		error("'%s' names no commit: %s", rev, gp_git_error());
		goto out;
	}
	{
		git_object *commit = NULL;

		if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
			error("'%s' names no commit", rev);
			goto out;
		}
		git_oid_cpy(oid, git_object_id(commit));
		git_object_free(commit);
	}
	ret = 0;
out:
	git_object_free(obj);
	git_reference_free(branch);
	git_reference_free(head);
	return ret;
}

/* Is name (len bytes) ".gitattributes" or ".../.gitattributes"? */
static int attributes_file(const char *name, size_t len)
{
	static const char attr[] = ".gitattributes";
	size_t n = sizeof(attr) - 1;

	return len >= n && !memcmp(name + len - n, attr, n) && (len == n || name[len - n - 1] == '/');
}

int repo_attr_index(git_repository *repo)
{
	struct indexstat ix = INDEXSTAT_INIT;
	git_index *idx = NULL;
	const char *env = getenv("GIT_INDEX_FILE");
	char *path;
	size_t i;
	int ret = 0;

	if (git_repository_is_bare(repo) || (env && *env))
		return 0;
	path = xstrfmt("%sindex", git_repository_path(repo));
	if (indexstat_read(&ix, path) < 0 || git_index_new(&idx) < 0)
		goto out;
	for (i = 0; i < ix.nr; i++) {
		const struct indexstat_entry *e = &ix.entries[i];
		git_index_entry ie;

		if (!attributes_file(e->name, e->namelen))
			continue;
		memset(&ie, 0, sizeof(ie));
		ie.mode = e->mode;
		ie.file_size = e->size;
		ie.path = e->name;
		git_oid_fromraw(&ie.id, e->id);
		if (git_index_add(idx, &ie) < 0)
			goto out;
	}
	git_repository_set_index(repo, idx);
	/* as libgit2 sets up an index it loads (core.ignorecase ...) */
	ret = !git_index_set_caps(idx, GIT_INDEX_CAPABILITY_FROM_OWNER);
	if (!ret)
		git_repository_set_index(repo, NULL);
out:
	git_error_clear();
	git_index_free(idx);
	indexstat_release(&ix);
	free(path);
	return ret;
}

void repo_attr_index_drop(git_repository *repo)
{
	git_repository_set_index(repo, NULL);
}
