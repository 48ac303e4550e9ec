/*
 * Task branches and worktrees with libgit2 (DESIGN.md 2.2, 2.7;
 * TECH-NOTES.md "libgit2 worktrees", "In-memory merge", "Threads").
 *
 * Every thread opens its own git_repository and keeps what it gets from it.
 * wt_lock serialises what touches the shared metadata: creating a branch
 * and a worktree's admin files (git_worktree_add, nothing checked out),
 * pruning, and removing what a failed creation left.  libgit2 lists the
 * other worktrees while adding one and prunes empty ref directories when
 * deleting a branch; neither must see a sibling thread halfway.  The
 * checkouts, the slow part, run in parallel.
 */
#define _XOPEN_SOURCE 700	/* nftw() */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gp/worktree.h"

#define MERGE_MESSAGE "git-parallel: merge of dependencies"
#define FALLBACK_NAME "git-parallel"
#define FALLBACK_EMAIL "git-parallel@localhost"

static pthread_mutex_t wt_lock = PTHREAD_MUTEX_INITIALIZER;

void wt_request_release(struct wt_request *r)
{
	free(r->error);
	r->error = NULL;
}

/* helpers */

static int path_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* rm -rf without following symbolic links; quiet, 0 or -1 (errno). */
static int remove_tree(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if (!(dir = opendir(path)))
		return -1;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", path, de->d_name);
		if (remove_tree(sb.buf) < 0)
			ret = -1;
	}
	closedir(dir);
	strbuf_release(&sb);
	if (!ret && rmdir(path) < 0)
		ret = -1;
	return ret;
}

/* mkdir -p of the parent directory of path; quiet, sets *err on failure. */
static int mkdir_parent(const char *path, char **err)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	size_t i;
	int ret = 0;

	strbuf_addstr(&sb, path);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	for (i = sb.len; i > 0 && sb.buf[i - 1] != '/'; i--)
		;
	if (i <= 1)
		goto out;	/* the parent is "/" or the current directory */
	strbuf_setlen(&sb, i - 1);
	for (i = 1; i <= sb.len; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		sb.buf[i] = '\0';
		if (mkdir(sb.buf, 0777) < 0 && errno != EEXIST) {
			*err = xstrfmt("cannot create directory '%s': %s", sb.buf, strerror(errno));
			ret = -1;
			goto out;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	if (stat(sb.buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
		*err = xstrfmt("cannot create directory '%s': %s", sb.buf,
			       strerror(errno ? errno : ENOTDIR));
		ret = -1;
	}
out:
	strbuf_release(&sb);
	return ret;
}

/*
 * Open the repository of a worktree directory, never one above it (a
 * worktree without its .git file must not turn into the main repository).
 */
static int open_worktree_repo(git_repository **out, const char *path)
{
	if (git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return error("cannot open the worktree '%s': %s", path, gp_git_error());
	return 0;
}

static int signature_from_env(git_signature **out, const char *name_var, const char *email_var)
{
	const char *name = getenv(name_var), *email = getenv(email_var);

	if (!name || !*name || !email || !*email)
		return GIT_ENOTFOUND;
	return git_signature_now(out, name, email);
}

/*
 * Author and committer: GIT_{AUTHOR,COMMITTER}_{NAME,EMAIL} when set (as
 * git does; libgit2 1.5 ignores them), else user.name/user.email, else
 * "git-parallel <git-parallel@localhost>".  Dates are always now.
 */
static int make_signatures(git_signature **author, git_signature **committer, git_repository *repo)
{
	git_signature *def = NULL;
	int ret = 0;

	*author = *committer = NULL;
	if (git_signature_default(&def, repo) < 0 &&
	    git_signature_now(&def, FALLBACK_NAME, FALLBACK_EMAIL) < 0) {
		ret = error("cannot make a commit signature: %s", gp_git_error());
		goto out;
	}
	if (signature_from_env(author, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL") < 0 &&
	    git_signature_dup(author, def) < 0)
		ret = -1;
	if (signature_from_env(committer, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL") < 0 &&
	    git_signature_dup(committer, def) < 0)
		ret = -1;
	if (ret) {
		error("cannot make a commit signature: %s", gp_git_error());
		git_signature_free(*author);
		git_signature_free(*committer);
		*author = *committer = NULL;
	}
out:
	git_signature_free(def);
	return ret;
}

static const char *short_branch(const char *ref)
{
	return !strncmp(ref, "refs/heads/", 11) ? ref + 11 : ref;
}

/* worktree_create_many */

struct create_ctx {
	const char *gitdir;
	struct wt_request *reqs;
	size_t nr, next;
	pthread_mutex_t mutex;
};

static int fail(struct wt_request *r, const char *fmt, ...) GP_PRINTF(2, 3);
static int fail(struct wt_request *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(r->error);
	r->error = strbuf_detach(&sb, NULL);
	r->ok = 0;
	return -1;
}

/* The symbolic target of a worktree's HEAD, or NULL (caller frees). */
static char *worktree_head_target(git_worktree *wt)
{
	git_repository *wrepo = NULL;
	git_reference *head = NULL;
	char *ret = NULL;

	if (git_repository_open_from_worktree(&wrepo, wt) < 0)
		goto out;
	if (git_reference_lookup(&head, wrepo, "HEAD") < 0)
		goto out;
	if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC)
		ret = xstrdup(git_reference_symbolic_target(head));
out:
	git_reference_free(head);
	git_repository_free(wrepo);
	return ret;
}

static int same_path(const char *a, const char *b)
{
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	int ret = ra && rb && !strcmp(ra, rb);

	free(ra);
	free(rb);
	return ret;
}

/*
 * An admin directory that libgit2 does not accept as a worktree (no HEAD:
 * debris of a failed "worktree add").  Removes it when the worktree it
 * names is gone (git worktree prune would too) and it is not locked;
 * returns 0 when removed, -1 otherwise.
 */
static int remove_stale_admin(const char *admin)
{
	struct strbuf file = STRBUF_INIT, target = STRBUF_INIT;
	int ret = -1;

	strbuf_addf(&file, "%s/locked", admin);
	if (path_exists(file.buf))
		goto out;
	strbuf_reset(&file);
	strbuf_addf(&file, "%s/gitdir", admin);
	if (strbuf_read_file(&target, file.buf) >= 0) {
		strbuf_trim(&target);
		if (target.len && path_exists(target.buf))
			goto out;
	}
	pthread_mutex_lock(&wt_lock);
	ret = remove_tree(admin);
	pthread_mutex_unlock(&wt_lock);
out:
	strbuf_release(&target);
	strbuf_release(&file);
	return ret;
}

/*
 * Is the registered worktree req->name usable as it is?  Returns 1 when
 * reused, 0 when it must be created (nothing or stale metadata, pruned),
 * -1 on failure (req->error set).
 */
static int check_existing(git_repository *repo, struct wt_request *req, const char *admin)
{
	git_worktree *wt = NULL;
	git_worktree_prune_options popts = GIT_WORKTREE_PRUNE_OPTIONS_INIT;
	char *head = NULL;
	int ret = 0;

	if (git_worktree_lookup(&wt, repo, req->name) < 0) {
		if (path_exists(admin) && remove_stale_admin(admin) < 0)
			ret = fail(req, "'%s' exists but is not a valid worktree of task '%s'",
				   admin, req->name);
		goto out;
	}
	if (git_worktree_validate(wt) < 0) {
		if (path_exists(git_worktree_path(wt))) {
			ret = fail(req, "the worktree of task '%s' is broken: %s",
				   req->name, gp_git_error());
			goto out;
		}
		if (git_worktree_is_locked(NULL, wt) > 0) {
			ret = fail(req, "the worktree of task '%s' is gone but locked "
				   "(git worktree unlock %s)", req->name, req->name);
			goto out;
		}
		pthread_mutex_lock(&wt_lock);
		if (git_worktree_prune(wt, &popts) < 0)
			ret = fail(req, "cannot prune the stale worktree of task '%s': %s",
				   req->name, gp_git_error());
		pthread_mutex_unlock(&wt_lock);
		goto out;
	}
	if (!same_path(git_worktree_path(wt), req->path)) {
		ret = fail(req, "the worktree of task '%s' is at '%s', not at '%s'",
			   req->name, git_worktree_path(wt), req->path);
		goto out;
	}
	head = worktree_head_target(wt);
	if (!head || strcmp(head, req->branch)) {
		ret = fail(req, "the worktree of task '%s' is on %s%s%s, not on '%s'",
			   req->name, head ? "'" : "", head ? short_branch(head) : "a detached HEAD",
			   head ? "'" : "", short_branch(req->branch));
		goto out;
	}
	ret = 1;
out:
	free(head);
	git_worktree_free(wt);
	return ret;
}

/* The branch of req, found or created (*created); -1 with req->error. */
static int get_branch(git_reference **out, int *created, git_repository *repo, struct wt_request *req)
{
	git_reference *ref = NULL;
	git_commit *base = NULL;
	git_oid tip;
	int err, ret = 0;

	*out = NULL;
	*created = 0;
	if (strncmp(req->branch, "refs/heads/", 11))
		return fail(req, "'%s' is not a branch (refs/heads/...)", req->branch);
	err = git_reference_lookup(&ref, repo, req->branch);
	if (err == GIT_ENOTFOUND) {
		if (git_commit_lookup(&base, repo, &req->base) < 0) {
			ret = fail(req, "cannot find the base commit %s of task '%s': %s",
				   git_oid_tostr_s(&req->base), req->name, gp_git_error());
			goto out;
		}
		if (git_branch_create(&ref, repo, short_branch(req->branch), base, 0) < 0) {
			ret = fail(req, "cannot create branch '%s': %s",
				   short_branch(req->branch), gp_git_error());
			goto out;
		}
		*created = 1;
		goto out;
	}
	if (err < 0) {
		ret = fail(req, "cannot read branch '%s': %s", short_branch(req->branch), gp_git_error());
		goto out;
	}
	if (git_reference_name_to_id(&tip, repo, req->branch) < 0) {
		ret = fail(req, "cannot resolve branch '%s': %s", short_branch(req->branch), gp_git_error());
		goto out;
	}
	if (!git_oid_equal(&tip, &req->base) &&
	    git_graph_descendant_of(repo, &tip, &req->base) != 1) {
		ret = fail(req, "branch '%s' exists and does not contain the base commit",
			   short_branch(req->branch));
		goto out;
	}
out:
	git_commit_free(base);
	if (ret)
		git_reference_free(ref);
	else
		*out = ref;
	return ret;
}

static void create_one(git_repository *repo, struct wt_request *req)
{
	git_worktree_add_options opts;
	git_reference *branch = NULL;
	git_worktree *wt = NULL;
	git_repository *wrepo = NULL;
	struct strbuf admin = STRBUF_INIT;
	struct stat st;
	int created_branch = 0, admin_existed, path_existed, err;

	/* GIT_WORKTREE_ADD_OPTIONS_INIT, without -Wmissing-field-initializers noise */
	git_worktree_add_options_init(&opts, GIT_WORKTREE_ADD_OPTIONS_VERSION);
	strbuf_addf(&admin, "%s/worktrees/%s", git_repository_commondir(repo), req->name);
	while (admin.len && admin.buf[admin.len - 1] == '/')
		strbuf_setlen(&admin, admin.len - 1);

	switch (check_existing(repo, req, admin.buf)) {
	case 1:
		req->ok = 1;
		req->reused = 1;
		goto out;
	case -1:
		goto out;
	}
	if (lstat(req->path, &st) == 0) {
		fail(req, "'%s' already exists and is not the worktree of task '%s'",
		     req->path, req->name);
		goto out;
	} else if (errno != ENOENT) {
		fail(req, "cannot use '%s': %s", req->path, strerror(errno));
		goto out;
	}

	/*
	 * Phase 1, one thread at a time: the branch and the worktree's files
	 * and metadata, nothing checked out.  git_worktree_add lists the other
	 * worktrees (git_branch_is_checked_out), which fails spuriously
	 * with "reference is already checked out" while another thread adds
	 * one: 3 of 16 concurrent adds failed that way.  (The checkout
	 * strategy NONE is what leaves TECH-NOTES' "empty worktree": phase 2
	 * fills it.)
	 */
	opts.checkout_options.checkout_strategy = GIT_CHECKOUT_NONE | GIT_CHECKOUT_DONT_WRITE_INDEX;
	pthread_mutex_lock(&wt_lock);
	admin_existed = path_exists(admin.buf);
	path_existed = path_exists(req->path);
	if (get_branch(&branch, &created_branch, repo, req) < 0) {
		pthread_mutex_unlock(&wt_lock);
		goto out;
	}
	opts.ref = branch;
	err = git_worktree_add(&wt, repo, req->name, req->path, &opts);
	pthread_mutex_unlock(&wt_lock);

	/*
	 * Phase 2, in parallel: the checkout.  The new worktree has no index
	 * yet, so a safe checkout writes every file and then the index.
	 */
	if (!err) {
		git_checkout_options co;

		git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
		co.checkout_strategy = GIT_CHECKOUT_SAFE;
		err = git_repository_open_ext(&wrepo, req->path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
		if (!err)
			err = git_checkout_head(wrepo, &co);
	}
	if (!err) {
		req->ok = 1;
		goto out;
	}

	fail(req, "cannot create the worktree of task '%s' at '%s': %s",
	     req->name, req->path, gp_git_error());
	/* Leave nothing behind: only what this call made. */
	git_repository_free(wrepo);
	wrepo = NULL;
	pthread_mutex_lock(&wt_lock);
	if (!admin_existed)
		remove_tree(admin.buf);
	if (!path_existed)
		remove_tree(req->path);
	if (created_branch && git_reference_delete(branch) < 0) {
		char *why = req->error;

		req->error = xstrfmt("%s (and cannot delete the branch '%s' made for it: %s)",
				     why, short_branch(req->branch), gp_git_error());
		free(why);
	}
	pthread_mutex_unlock(&wt_lock);
out:
	git_repository_free(wrepo);
	git_worktree_free(wt);
	git_reference_free(branch);
	strbuf_release(&admin);
}

static void *create_worker(void *arg)
{
	struct create_ctx *ctx = arg;
	git_repository *repo = NULL;
	char *open_error = NULL;

	if (git_repository_open(&repo, ctx->gitdir) < 0)
		open_error = xstrfmt("cannot open repository '%s': %s", ctx->gitdir, gp_git_error());
	for (;;) {
		struct wt_request *req;

		pthread_mutex_lock(&ctx->mutex);
		req = ctx->next < ctx->nr ? &ctx->reqs[ctx->next++] : NULL;
		pthread_mutex_unlock(&ctx->mutex);
		if (!req)
			break;
		if (req->error)
			continue;	/* failed before the threads started */
		if (open_error)
			fail(req, "%s", open_error);
		else
			create_one(repo, req);
	}
	free(open_error);
	git_repository_free(repo);
	return NULL;
}

int worktree_create_many(const char *gitdir, struct wt_request *reqs, size_t nr, int threads)
{
	struct create_ctx ctx;
	struct strbuf sb = STRBUF_INIT;
	pthread_t *tids = NULL;
	size_t i, j, started = 0;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		reqs[i].ok = reqs[i].reused = 0;
		free(reqs[i].error);
		reqs[i].error = NULL;
	}
	if (!nr)
		return 0;

	/* libgit2 races on creating <gitdir>/worktrees (TECH-NOTES). */
	strbuf_addf(&sb, "%s/worktrees", gitdir);
	if (mkdir(sb.buf, 0777) < 0 && errno != EEXIST) {
		int e = errno;

		for (i = 0; i < nr; i++)
			fail(&reqs[i], "cannot create directory '%s': %s", sb.buf, strerror(e));
		ret = -1;
		goto out;
	}

	for (i = 0; i < nr; i++) {
		struct wt_request *r = &reqs[i];

		if (!*r->name || strchr(r->name, '/') || !strcmp(r->name, ".") ||
		    !strcmp(r->name, "..")) {
			fail(r, "invalid worktree name '%s'", r->name);
			continue;
		}
		if (*r->path != '/') {
			fail(r, "the worktree path of task '%s' is not absolute: '%s'", r->name, r->path);
			continue;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(reqs[j].name, r->name) || !strcmp(reqs[j].path, r->path) ||
			    !strcmp(reqs[j].branch, r->branch))
				break;
		}
		if (j < i) {
			fail(r, "task '%s' has the same name, path or branch as task '%s'",
			     r->name, reqs[j].name);
			continue;
		}
		mkdir_parent(r->path, &r->error);
	}

	ctx.gitdir = gitdir;
	ctx.reqs = reqs;
	ctx.nr = nr;
	ctx.next = 0;
	pthread_mutex_init(&ctx.mutex, NULL);
	if (threads < 1)
		threads = 1;
	if ((size_t)threads > nr)
		threads = (int)nr;
	tids = xcalloc(threads, sizeof(*tids));
	for (i = 0; i < (size_t)threads; i++) {
		if (pthread_create(&tids[i], NULL, create_worker, &ctx))
			break;
		started++;
	}
	if (!started)
		create_worker(&ctx);	/* no thread at all: do the work here */
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_mutex_destroy(&ctx.mutex);

	for (i = 0; i < nr; i++)
		if (!reqs[i].ok)
			ret = -1;
out:
	free(tids);
	strbuf_release(&sb);
	return ret;
}

/* worktree_dirty */

/*
 * A path missing from the worktree only because the index marks it
 * skip-worktree (a sparse checkout): git does not call that a change,
 * libgit2 1.5's status does (a deletion).
 */
static int skip_worktree_only(git_repository *repo, const git_status_entry *e)
{
	git_index *idx = NULL;
	const git_index_entry *ie;
	int ret = 0;

	if (e->status != GIT_STATUS_WT_DELETED || !e->index_to_workdir ||
	    git_repository_index(&idx, repo) < 0) {
		git_error_clear();
		return 0;
	}
	ie = git_index_get_bypath(idx, e->index_to_workdir->old_file.path, 0);
	ret = ie && (ie->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE);
	git_index_free(idx);
	return ret;
}

int worktree_dirty(const char *path, struct strlist *paths)
{
	git_repository *repo = NULL;
	git_status_list *list = NULL;
	git_status_options opts;
	size_t i, n, dirty;
	int ret = -1;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	if (open_worktree_repo(&repo, path) < 0)
		goto out;
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	if (git_status_list_new(&list, repo, &opts) < 0) {
		error("cannot read the status of '%s': %s", path, gp_git_error());
		goto out;
	}
	n = git_status_list_entrycount(list);
	for (i = 0, dirty = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;

		if (skip_worktree_only(repo, e))
			continue;
		dirty++;
		if (d && paths)
			strlist_push(paths, d->new_file.path ? d->new_file.path : d->old_file.path);
	}
	ret = dirty > INT_MAX ? INT_MAX : (int)dirty;
out:
	git_status_list_free(list);
	git_repository_free(repo);
	return ret;
}

/* worktree_remove */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	if (remove(path) < 0)
		return error_errno("cannot remove '%s'", path);
	return 0;
}

int worktree_remove(git_repository *repo, const char *name, int force, const char **why)
{
	git_worktree *wt = NULL;
	git_worktree_prune_options popts = GIT_WORKTREE_PRUNE_OPTIONS_INIT;
	int ret = 0, n;

	*why = NULL;
	if (git_worktree_lookup(&wt, repo, name) < 0) {
		ret = error("there is no worktree named '%s'", name);
		goto out;
	}
	if (path_exists(git_worktree_path(wt))) {
		if (!force && git_worktree_is_locked(NULL, wt) > 0) {
			*why = "it is locked";
			ret = 1;
			goto out;
		}
		n = worktree_dirty(git_worktree_path(wt), NULL);
		if (n < 0 && !force) {
			ret = -1;
			goto out;
		}
		if (n > 0 && !force) {
			*why = "it has uncommitted changes";
			ret = 1;
			goto out;
		}
	}
	/*
	 * git_worktree_prune deletes the directory recursively without looking
	 * at its status: the check above is the only safety.
	 */
	popts.flags = GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_WORKING_TREE;
	if (force)
		popts.flags |= GIT_WORKTREE_PRUNE_LOCKED;
	pthread_mutex_lock(&wt_lock);
	if (git_worktree_prune(wt, &popts) < 0)
		ret = error("cannot remove worktree '%s': %s", name, gp_git_error());
	pthread_mutex_unlock(&wt_lock);
	/*
	 * libgit2 leaves the directory when its .git file is gone (a command
	 * deleted it): with force, remove it too, never following symlinks.
	 */
	if (!ret && force && path_exists(git_worktree_path(wt)) &&
	    nftw(git_worktree_path(wt), rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		ret = -1;
	if (!ret && path_exists(git_worktree_path(wt))) {
		*why = "its directory is no longer a git worktree (its .git is gone)";
		ret = 1;
	}
out:
	git_worktree_free(wt);
	return ret;
}

static char *admin_dir(git_repository *repo, const char *name)
{
	const char *common = git_repository_commondir(repo);
	size_t n = strlen(common);

	return xstrfmt("%.*s/worktrees/%s", (int)(n && common[n - 1] == '/' ? n - 1 : n), common, name);
}

int worktree_is_broken(git_repository *repo, const char *name)
{
	git_worktree *wt = NULL;
	char *admin;
	int ret = 0;

	if (!git_worktree_lookup(&wt, repo, name)) {
		git_worktree_free(wt);
		return 0;
	}
	admin = admin_dir(repo, name);
	ret = path_exists(admin);
	free(admin);
	return ret;
}

int worktree_remove_broken(git_repository *repo, const char *name, const char *path)
{
	char *admin = admin_dir(repo, name);
	int ret = 0;

	pthread_mutex_lock(&wt_lock);
	if (path_exists(path) && nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		ret = -1;
	if (!ret && path_exists(admin) && nftw(admin, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		ret = -1;
	pthread_mutex_unlock(&wt_lock);
	free(admin);
	return ret;
}

/* worktree_commit_all */

int worktree_commit_all(const char *path, const char *message, int *committed, git_oid *head)
{
	git_repository *repo = NULL;
	git_reference *head_ref = NULL;
	git_commit *parent = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *author = NULL, *committer = NULL;
	char *all_s = "*";
	git_strarray all = { &all_s, 1 };
	git_oid tree_oid;
	int ret = -1;

	*committed = 0;
	if (open_worktree_repo(&repo, path) < 0)
		goto out;
	if (git_repository_head_unborn(repo) == 1) {
		error("the worktree '%s' has no commit yet", path);
		goto out;
	}
	if (git_repository_head_detached(repo) == 1) {
		error("the worktree '%s' has a detached HEAD", path);
		goto out;
	}
	if (git_repository_head(&head_ref, repo) < 0 ||
	    git_commit_lookup(&parent, repo, git_reference_target(head_ref)) < 0) {
		error("cannot read HEAD of the worktree '%s': %s", path, gp_git_error());
		goto out;
	}
	if (git_repository_index(&index, repo) < 0 ||
	    git_index_add_all(index, &all, GIT_INDEX_ADD_DEFAULT, NULL, NULL) < 0 ||
	    git_index_update_all(index, &all, NULL, NULL) < 0 ||
	    git_index_write_tree(&tree_oid, index) < 0) {
		error("cannot stage the changes in '%s': %s", path, gp_git_error());
		goto out;
	}
	/* Written even when nothing changed: it refreshes what git status sees. */
	if (git_index_write(index) < 0) {
		error("cannot write the index of '%s': %s", path, gp_git_error());
		goto out;
	}
	if (git_oid_equal(&tree_oid, git_commit_tree_id(parent))) {
		git_oid_cpy(head, git_commit_id(parent));
		ret = 0;
		goto out;
	}
	if (git_tree_lookup(&tree, repo, &tree_oid) < 0 ||
	    make_signatures(&author, &committer, repo) < 0)
		goto out;
	if (git_commit_create(head, repo, "HEAD", author, committer, NULL, message,
			      tree, 1, (const git_commit **)&parent) < 0) {
		error("cannot commit in '%s': %s", path, gp_git_error());
		goto out;
	}
	*committed = 1;
	ret = 0;
out:
	git_signature_free(committer);
	git_signature_free(author);
	git_tree_free(tree);
	git_index_free(index);
	git_commit_free(parent);
	git_reference_free(head_ref);
	git_repository_free(repo);
	return ret;
}

/* worktree_merge_base */

static void collect_conflicts(git_index *index, struct strlist *conflicts)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *ours, *theirs;

	if (!conflicts || git_index_conflict_iterator_new(&it, index) < 0)
		return;
	while (!git_index_conflict_next(&anc, &ours, &theirs, it)) {
		const git_index_entry *e = ours ? ours : theirs ? theirs : anc;

		if (e && !strlist_has(conflicts, e->path))
			strlist_push(conflicts, e->path);
	}
	git_index_conflict_iterator_free(it);
}

/*
 * A merge commit dated like the later of its parents: the same
 * dependencies give the same commit, so a task resumed after its worktree
 * was removed finds its branch still containing its base.
 */
static int pin_signature_time(git_signature **sig, const git_commit *a, const git_commit *b)
{
	const git_signature *later = git_commit_committer(a);
	git_signature *pinned = NULL;

	if (git_commit_committer(b)->when.time > later->when.time)
		later = git_commit_committer(b);
	if (git_signature_new(&pinned, (*sig)->name, (*sig)->email,
			      later->when.time, later->when.offset) < 0)
		return error("cannot make a commit signature: %s", gp_git_error());
	git_signature_free(*sig);
	*sig = pinned;
	return 0;
}

/* acc = the merge of acc and oid; 1 on conflict. */
static int merge_into(git_repository *repo, git_oid *acc, const git_oid *oid,
		      struct strlist *conflicts)
{
	git_commit *a = NULL, *b = NULL, *parents[2];
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *author = NULL, *committer = NULL;
	git_oid tree_oid, merged;
	int ret = -1;

	if (git_oid_equal(acc, oid))
		return 0;
	if (git_graph_descendant_of(repo, oid, acc) == 1) {
		git_oid_cpy(acc, oid);
		return 0;
	}
	if (git_graph_descendant_of(repo, acc, oid) == 1)
		return 0;

	if (git_commit_lookup(&a, repo, acc) < 0 || git_commit_lookup(&b, repo, oid) < 0) {
		error("cannot read commit %s: %s", git_oid_tostr_s(a ? oid : acc), gp_git_error());
		goto out;
	}
	if (git_merge_commits(&index, repo, a, b, NULL) < 0) {
		error("cannot merge %s into %s: %s", git_oid_tostr_s(oid),
		      git_commit_summary(a) ? git_commit_summary(a) : "", gp_git_error());
		goto out;
	}
	if (git_index_has_conflicts(index)) {
		collect_conflicts(index, conflicts);
		ret = 1;
		goto out;
	}
	if (git_index_write_tree_to(&tree_oid, index, repo) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_oid) < 0) {
		error("cannot write the merged tree: %s", gp_git_error());
		goto out;
	}
	if (make_signatures(&author, &committer, repo) < 0 ||
	    pin_signature_time(&author, a, b) < 0 || pin_signature_time(&committer, a, b) < 0)
		goto out;
	parents[0] = a;
	parents[1] = b;
	if (git_commit_create(&merged, repo, NULL, author, committer, NULL, MERGE_MESSAGE,
			      tree, 2, (const git_commit **)parents) < 0) {
		error("cannot write the merge commit: %s", gp_git_error());
		goto out;
	}
	git_oid_cpy(acc, &merged);
	ret = 0;
out:
	git_signature_free(committer);
	git_signature_free(author);
	git_tree_free(tree);
	git_index_free(index);
	git_commit_free(b);
	git_commit_free(a);
	return ret;
}

int worktree_merge_base(git_repository *repo, const git_oid *base,
			const git_oid *heads, size_t nr, git_oid *out,
			struct strlist *conflicts)
{
	git_oid acc;
	size_t i;
	int ret;

	if (!nr) {
		git_oid_cpy(out, base);
		return 0;
	}
	git_oid_cpy(&acc, &heads[0]);
	if ((ret = merge_into(repo, &acc, base, conflicts)))
		return ret;
	for (i = 1; i < nr; i++)
		if ((ret = merge_into(repo, &acc, &heads[i], conflicts)))
			return ret;
	git_oid_cpy(out, &acc);
	return 0;
}
