#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/repo.h"

static int same_dir(const char *a, const char *b)
{
	char *ra = a ? realpath(a, NULL) : NULL, *rb = b ? realpath(b, NULL) : NULL;
	int same = ra && rb && !strcmp(ra, rb);

	free(ra);
	free(rb);
	return same;
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
	err = git_repository_open_ext(&repo, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
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
	if (err == GIT_ENOTFOUND)
		return error("not a git repository (or any of the parent directories): .git");
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
