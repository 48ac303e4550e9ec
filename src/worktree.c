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
#define _GNU_SOURCE	/* nftw() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gp/spawn.h"
#include "gp/state.h"
#include "gp/convert.h"
#include "gp/worktree.h"

#define MERGE_MESSAGE "git-parallel: merge of dependencies"
#define FALLBACK_NAME "git-parallel"
#define FALLBACK_EMAIL "git-parallel@localhost"

/*
 * Markers in a worktree's admin directory ($GIT_COMMON_DIR/worktrees/<name>):
 * MARK_TASK holds the task ID (written when git-parallel makes the
 * worktree: "this one is ours"); MARK_CREATING exists from just after
 * git_worktree_add until the checkout has completed and been verified.
 * A task branch made here starts its reflog with BRANCH_LOG "<id>".
 */
#define MARK_TASK "gp-task"
#define MARK_CREATING "gp-creating"
#define BRANCH_LOG "git-parallel: branch for task "

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

static int admin_has(const char *admin, const char *file)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	strbuf_addf(&sb, "%s/%s", admin, file);
	ret = path_exists(sb.buf);
	strbuf_release(&sb);
	return ret;
}

/* Write admin/file with content, synced; quiet, 0 or -1 (errno). */
static int write_marker(const char *admin, const char *file, const char *content)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(content);
	int fd, ret = -1;

	strbuf_addf(&sb, "%s/%s", admin, file);
	fd = open(sb.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd >= 0) {
		if (write(fd, content, len) == (ssize_t)len && !fsync(fd))
			ret = 0;
		if (close(fd) < 0)
			ret = -1;
	}
	strbuf_release(&sb);
	return ret;
}

/* Does admin/gp-task name the task "name"?  1 or 0. */
static int admin_is_ours(const char *admin, const char *name)
{
	struct strbuf file = STRBUF_INIT, id = STRBUF_INIT;
	int ret;

	strbuf_addf(&file, "%s/%s", admin, MARK_TASK);
	ret = strbuf_read_file(&id, file.buf) >= 0;
	strbuf_trim(&id);
	ret = ret && !strcmp(id.buf, name);
	strbuf_release(&id);
	strbuf_release(&file);
	return ret;
}

/*
 * The admin file gitdir of our worktree name, cut short by a kill while it
 * was written: empty, or without its final newline.  Before gitdir went
 * through a temporary file, a run killed between creating it and writing
 * it left an empty one, and libgit2 put the worktree at ".".  Nothing was
 * checked out before gitdir (add_worktree()), so in an admin directory
 * marked ours and creating it is debris: unlinking it leaves what a kill
 * right before gitdir leaves, which the next run and clean remove.  1 when
 * removed, 0 when there is nothing such, -1 on error (errno).
 */
static int drop_torn_gitdir(const char *admin, const char *name)
{
	struct strbuf file = STRBUF_INIT, content = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&file, "%s/gitdir", admin);
	if (admin_is_ours(admin, name) && admin_has(admin, MARK_CREATING) &&
	    strbuf_read_file(&content, file.buf) >= 0 &&
	    (!content.len || content.buf[content.len - 1] != '\n')) {
		pthread_mutex_lock(&wt_lock);
		ret = unlink(file.buf) < 0 && errno != ENOENT ? -1 : 1;
		pthread_mutex_unlock(&wt_lock);
	}
	strbuf_release(&content);
	strbuf_release(&file);
	return ret;
}

/*
 * A directory holding nothing a user could miss: empty, or only a ".git"
 * file (what a "worktree add" killed before its checkout leaves).
 */
static int dir_is_husk(const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int ret = 1;

	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || !(dir = opendir(path)))
		return 0;
	while (ret && (de = readdir(dir))) {
		struct strbuf sb = STRBUF_INIT;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(&sb, "%s/.git", path);
		if (strcmp(de->d_name, ".git") || lstat(sb.buf, &st) < 0 || !S_ISREG(st.st_mode))
			ret = 0;
		strbuf_release(&sb);
	}
	closedir(dir);
	return ret;
}

static int husk_of(const char *path, const char *admin);

/*
 * A husk that is provably the debris of our own "worktree add" of admin:
 * an empty directory, or one holding only a .git file that points at
 * admin -- or that holds a beginning of what add_worktree() writes there
 * (nothing at all: killed between creating the file and writing it).  A
 * .git file pointing anywhere else is a worktree (or a submodule) of
 * something else, which git worktree prune would not touch either.
 */
static int husk_ours(const char *path, const char *admin)
{
	char *dotgit = xstrfmt("%s/.git", path), *ours = xstrfmt("gitdir: %s\n", admin);
	struct strbuf content = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	if (!dir_is_husk(path))
		ret = 0;
	else if (lstat(dotgit, &st) < 0)
		ret = errno == ENOENT;
	else if (strbuf_read_file(&content, dotgit) >= 0 && content.len <= strlen(ours) &&
		 !memcmp(content.buf, ours, content.len))
		ret = 1;	/* a prefix of ours, the empty one included */
	else
		ret = husk_of(path, admin);
	strbuf_release(&content);
	free(ours);
	free(dotgit);
	return ret;
}

/*
 * An admin directory that libgit2 does not accept as a worktree (no HEAD:
 * debris of a failed or killed "worktree add").  Removes it when the
 * worktree it names is gone (git worktree prune would too) or is a husk
 * of ours (husk_ours(): then the husk goes too, and so does one at path,
 * the task's worktree path, which a "worktree add" killed before it wrote
 * gitdir leaves), and it is not locked; returns 0 when removed, -1
 * otherwise.
 */
static int remove_stale_admin(const char *admin, const char *path)
{
	struct strbuf file = STRBUF_INIT, target = STRBUF_INIT;
	int ret = -1, path_husk;

	strbuf_addf(&file, "%s/locked", admin);
	if (path_exists(file.buf))
		goto out;
	strbuf_reset(&file);
	strbuf_addf(&file, "%s/gitdir", admin);
	if (strbuf_read_file(&target, file.buf) >= 0) {
		strbuf_trim(&target);
		/* gitdir names <worktree>/.git */
		if (target.len > 5 && !strcmp(target.buf + target.len - 5, "/.git"))
			strbuf_setlen(&target, target.len - 5);
		if (target.len && path_exists(target.buf) && !husk_ours(target.buf, admin))
			goto out;
	}
	/* decided while admin is there: husk_of() compares real paths */
	path_husk = husk_ours(path, admin);
	pthread_mutex_lock(&wt_lock);
	ret = remove_tree(admin);
	if (!ret && target.len && path_exists(target.buf))
		ret = remove_tree(target.buf);
	if (!ret && path_husk)
		ret = remove_tree(path);
	pthread_mutex_unlock(&wt_lock);
out:
	strbuf_release(&target);
	strbuf_release(&file);
	return ret;
}

/* A husk (dir_is_husk()) whose .git file points at admin: ours. */
static int husk_of(const char *path, const char *admin)
{
	struct strbuf file = STRBUF_INIT, content = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&file, "%s/.git", path);
	if (dir_is_husk(path) && strbuf_read_file(&content, file.buf) >= 0) {
		strbuf_trim(&content);
		ret = !strncmp(content.buf, "gitdir: ", 8) && same_path(content.buf + 8, admin);
	}
	strbuf_release(&content);
	strbuf_release(&file);
	return ret;
}

/*
 * Of the n modified files of diff (regular files), how many git would
 * call unchanged: libgit2 1.5 runs no filter driver or
 * working-tree-encoding, so a file git smudged or re-encoded looks
 * modified to it.  git hash-object --stdin-paths hashes each through
 * git's clean conversions.  Fills same[i] for the deltas git calls
 * unchanged; returns 0, or -1 when git could not say (nothing filled).
 */
static int git_same(git_repository *wrepo, git_diff *diff, char *same)
{
	static const char *const argv[] = { "git", "hash-object", "--stdin-paths", NULL };
	const char *top = git_repository_workdir(wrepo);
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	size_t i, n = git_diff_num_deltas(diff), *idx = xcalloc(n + 1, sizeof(*idx)), m = 0, j;
	const char *p;
	int ret = -1;

	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status != GIT_DELTA_MODIFIED || strchr(d->new_file.path, '\n') ||
		    (d->new_file.mode != GIT_FILEMODE_BLOB &&
		     d->new_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE))
			continue;
		strbuf_addf(&in, "%s\n", d->new_file.path);
		idx[m++] = i;
	}
	if (!top || !m || convert_run_git(top, argv, NULL, &in, &out, 0))
		goto out;
	for (j = 0, p = out.buf; j < m; j++) {
		const char *nl = strchr(p, '\n');
		git_oid oid;

		if (!nl || git_oid_fromstrn(&oid, p, (size_t)(nl - p)) < 0)
			goto out;
		if (git_oid_equal(&oid, &git_diff_get_delta(diff, idx[j])->old_file.id))
			same[idx[j]] = 1;
		p = nl + 1;
	}
	ret = 0;
out:
	if (ret)
		memset(same, 0, n);
	git_error_clear();
	free(idx);
	strbuf_release(&in);
	strbuf_release(&out);
	return ret;
}

/*
 * What in the worktree wrepo might be somebody's work, compared with the
 * tree of its HEAD and ignoring its index (which a killed checkout has not
 * written): files not in the tree (untracked or ignored), type changes,
 * and modified files beyond allow_modified (a checkout killed mid-way
 * leaves at most one file partly written).  Files of the tree that are
 * missing are not work.  Lists up to 5 in *what; returns their number, or
 * -1 when the worktree cannot be read (*what says why).
 */
static int foreign_files_of(git_repository *wrepo, const char *spec, int allow_modified,
			    struct strbuf *what)
{
	char *same = NULL;
	git_diff_options opts;
	git_object *tree = NULL;
	git_diff *diff = NULL;
	size_t i, n;
	int found = 0, modified = 0;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
		GIT_DIFF_INCLUDE_IGNORED | GIT_DIFF_RECURSE_IGNORED_DIRS |
		GIT_DIFF_INCLUDE_TYPECHANGE;
	if (git_revparse_single(&tree, wrepo, spec) < 0 ||
	    git_diff_tree_to_workdir(&diff, wrepo, (git_tree *)tree, &opts) < 0) {
		strbuf_addf(what, "cannot compare it with its branch: %s", gp_git_error());
		found = -1;
		goto out;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++)
		if (git_diff_get_delta(diff, i)->status == GIT_DELTA_MODIFIED)
			modified++;
	same = xcalloc(n + 1, 1);
	if (modified > allow_modified)
		git_same(wrepo, diff, same);	/* git could not say: libgit2's answer */
	modified = 0;
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status == GIT_DELTA_DELETED || same[i])
			continue;
		if (d->status == GIT_DELTA_MODIFIED && ++modified <= allow_modified)
			continue;
		if (found < 5)
			strbuf_addf(what, "%s%s", found ? ", " : "", d->new_file.path);
		found++;
	}
	if (found > 5)
		strbuf_addf(what, " and %d more", found - 5);
out:
	free(same);
	git_diff_free(diff);
	git_object_free(tree);
	return found;
}

static int foreign_files(git_repository *wrepo, int allow_modified, struct strbuf *what)
{
	return foreign_files_of(wrepo, "HEAD^{tree}", allow_modified, what);
}

/* Remove the registered worktree wt (directory and admin files); req->error on failure. */
static int redo_remove(struct wt_request *req, git_worktree *wt)
{
	git_worktree_prune_options popts = GIT_WORKTREE_PRUNE_OPTIONS_INIT;
	int ret = 0;

	if (git_worktree_is_locked(NULL, wt) > 0)
		return fail(req, "the worktree of task '%s' is locked (git worktree unlock %s)",
			    req->name, req->name);
	popts.flags = GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_WORKING_TREE;
	pthread_mutex_lock(&wt_lock);
	if (git_worktree_prune(wt, &popts) < 0)
		ret = fail(req, "cannot remove the incomplete worktree of task '%s' at '%s': %s",
			   req->name, req->path, gp_git_error());
	pthread_mutex_unlock(&wt_lock);
	if (!ret && path_exists(req->path))
		ret = fail(req, "cannot remove the incomplete worktree of task '%s' at '%s'",
			   req->name, req->path);
	return ret;
}

/*
 * The worktree wt of req, valid, at its path and on its branch: complete,
 * or debris of a creation that did not finish (marker MARK_CREATING, no
 * index) or of a git command killed in it (a stale index.lock)?  Returns
 * 1 when it can be used as it is, 0 when it was removed to be made again
 * (it held no work: the branch keeps every commit), -1 when it is
 * incomplete and might hold work, or is not ours (req->error says why).
 */
static int check_complete(struct wt_request *req, git_worktree *wt, const char *admin)
{
	git_repository *wrepo = NULL;
	struct strbuf what = STRBUF_INIT;
	int ours = admin_is_ours(admin, req->name);
	int creating = admin_has(admin, MARK_CREATING);
	int ret = -1, n;

	if (creating || !admin_has(admin, "index")) {
		if (git_repository_open_from_worktree(&wrepo, wt) < 0) {
			fail(req, "cannot open the worktree of task '%s' at '%s': %s",
			     req->name, req->path, gp_git_error());
			goto out;
		}
		n = foreign_files(wrepo, creating && ours, &what);
		if (n < 0) {
			fail(req, "the worktree of task '%s' at '%s' was not completely created, "
			     "and %s", req->name, req->path, what.buf);
			goto out;
		}
		if (n > 0) {
			fail(req, "the worktree of task '%s' at '%s' was not completely created "
			     "(a run was interrupted) and has files its checkout did not write (%s): "
			     "move them away, or remove the worktree (git worktree remove --force '%s')",
			     req->name, req->path, what.buf, req->path);
			goto out;
		}
		git_repository_free(wrepo);
		wrepo = NULL;
		ret = redo_remove(req, wt);
		goto out;
	}
	if (!ours) {
		fail(req, "the worktree at '%s' was not made by git-parallel for task '%s'; "
		     "move it elsewhere (git worktree move)", req->path, req->name);
		goto out;
	}
	if (admin_has(admin, "index.lock")) {
		struct strlist dirty = STRLIST_INIT;

		n = worktree_dirty(req->path, &dirty);
		strlist_clear(&dirty);
		if (n) {
			fail(req, "the worktree of task '%s' at '%s' has a stale lock '%s/index.lock' "
			     "and %s: if no git command is running there, remove the lock file",
			     req->name, req->path, admin,
			     n < 0 ? "cannot be read" : "uncommitted changes");
			goto out;
		}
		ret = redo_remove(req, wt);
		goto out;
	}
	ret = 1;
out:
	git_repository_free(wrepo);
	strbuf_release(&what);
	return ret;
}

/*
 * Is the registered worktree req->name usable as it is?  Returns 1 when
 * reused, 0 when it must be created (nothing, stale metadata pruned, or
 * an incomplete worktree removed), -1 on failure (req->error set).
 */
static int check_existing(git_repository *repo, struct wt_request *req, const char *admin)
{
	git_worktree *wt = NULL;
	git_worktree_prune_options popts = GIT_WORKTREE_PRUNE_OPTIONS_INIT;
	char *head = NULL;
	int ret = 0;

	if (drop_torn_gitdir(admin, req->name) < 0) {
		ret = fail(req, "cannot remove the incomplete admin file '%s/gitdir' of task '%s': %s",
			   admin, req->name, strerror(errno));
		goto out;
	}
	if (git_worktree_lookup(&wt, repo, req->name) < 0) {
		if (path_exists(admin) && remove_stale_admin(admin, req->path) < 0)
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
	ret = check_complete(req, wt, admin);
	if (!ret)
		req->redone = 1;
out:
	free(head);
	git_worktree_free(wt);
	return ret;
}

/* Was the branch (full ref) made by git-parallel for task id?  1 or 0. */
static int branch_made_for(git_repository *repo, const char *branch, const char *id)
{
	git_reflog *log = NULL;
	const git_reflog_entry *first;
	const char *msg;
	size_t n;
	int ret = 0;

	if (git_reflog_read(&log, repo, branch) < 0)
		return 0;
	n = git_reflog_entrycount(log);
	if (n && (first = git_reflog_entry_byindex(log, n - 1)) &&
	    (msg = git_reflog_entry_message(first)) &&
	    !strncmp(msg, BRANCH_LOG, strlen(BRANCH_LOG)) && !strcmp(msg + strlen(BRANCH_LOG), id))
		ret = 1;
	git_reflog_free(log);
	return ret;
}

int worktree_branch_is_ours(git_repository *repo, const char *branch, const char *id)
{
	return branch_made_for(repo, branch, id);
}

/*
 * The reflog entry that marks a branch as ours, even where
 * core.logAllRefUpdates is off (libgit2 then logs nothing).
 */
static int mark_branch(git_repository *repo, const char *branch, const git_oid *oid, const char *msg)
{
	git_reflog *log = NULL;
	git_signature *sig = NULL;
	int ret = 0;

	if (git_reflog_read(&log, repo, branch) < 0)
		return -1;
	if (!git_reflog_entrycount(log)) {
		if ((git_signature_default(&sig, repo) < 0 &&
		     git_signature_now(&sig, FALLBACK_NAME, FALLBACK_EMAIL) < 0) ||
		    git_reflog_append(log, oid, sig, msg) < 0 || git_reflog_write(log) < 0)
			ret = -1;
	}
	git_signature_free(sig);
	git_reflog_free(log);
	return ret;
}

/* req->error for a branch that could not be created; names a stale lock file. */
static int branch_create_failed(git_repository *repo, struct wt_request *req)
{
	const char *common = git_repository_commondir(repo);
	size_t n = strlen(common);
	char *why = xstrdup(gp_git_error());
	char *lock = xstrfmt("%.*s/%s.lock", (int)(n && common[n - 1] == '/' ? n - 1 : n),
			     common, req->branch);
	char *packed = xstrfmt("%.*s/packed-refs.lock",
			       (int)(n && common[n - 1] == '/' ? n - 1 : n), common);
	const char *held = path_exists(lock) ? lock : path_exists(packed) ? packed : NULL;

	if (held)
		fail(req, "cannot create branch '%s' for task '%s': the lock file '%s' exists; "
		     "another git command is running, or one was killed: if none is running "
		     "in this repository, remove that file and run again",
		     short_branch(req->branch), req->name, held);
	else
		fail(req, "cannot create branch '%s' for task '%s': %s",
		     short_branch(req->branch), req->name, why);
	free(packed);
	free(lock);
	free(why);
	return -1;
}

/* When this process first made a branch: a lock older than that is not ours. */
static struct timespec first_branch_at;
static pthread_once_t first_branch_once = PTHREAD_ONCE_INIT;

static void note_first_branch(void)
{
	clock_gettime(CLOCK_REALTIME, &first_branch_at);
}

/* a before b */
static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * A run killed while it created another task's branch (its threads make
 * several at once) leaves refs/heads/<branch>.lock, and every later run
 * would fail on it.  We hold the session's lock, the branch does not
 * exist, it is in our namespace for this task, and the lock was written
 * before this process made any branch.  It is the killed run's, and goes,
 * when it holds the very commit we are about to write (the pinned base),
 * or when it is empty (killed between creating and writing it) and was
 * made after the dead run took the session lock we took over from it.
 * Any other lock (an empty one from before, or without a dead run) could
 * be anyone's: it stays.  1 when it was removed.
 */
static int remove_killed_runs_lock(git_repository *repo, struct wt_request *req)
{
	const char *common = git_repository_commondir(repo);
	size_t n = strlen(common);
	char *lock = xstrfmt("%.*s/%s.lock", (int)(n && common[n - 1] == '/' ? n - 1 : n),
			     common, req->branch);
	char hex[GIT_OID_HEXSZ + 1];
	struct strbuf sb = STRBUF_INIT;
	struct timespec dead_since;
	struct stat st;
	int ret = 0;

	git_oid_tostr(hex, sizeof(hex), &req->base);
	if (!lstat(lock, &st) && S_ISREG(st.st_mode) &&
	    ts_before(&st.st_mtim, &first_branch_at) &&
	    strbuf_read_file(&sb, lock) >= 0) {
		strbuf_trim(&sb);
		if ((!strcmp(sb.buf, hex) ||
		     (!sb.len && state_lock_taken_over(&dead_since) &&
		      !ts_before(&st.st_mtim, &dead_since))) &&
		    !unlink(lock))
			ret = 1;
	}
	strbuf_release(&sb);
	free(lock);
	return ret;
}

int worktree_remove_deleted_branch_lock(git_repository *repo, const char *ref)
{
	const char *common = git_repository_commondir(repo);
	size_t n = strlen(common);
	char *lock = xstrfmt("%.*s/%s.lock", (int)(n && common[n - 1] == '/' ? n - 1 : n),
			     common, ref);
	struct timespec dead_since;
	struct stat st;
	int ret = 0;

	if (!lstat(lock, &st) && S_ISREG(st.st_mode) && !st.st_size &&
	    state_lock_taken_over(&dead_since) && !ts_before(&st.st_mtim, &dead_since))
		ret = unlink(lock) < 0 ? -1 : 1;
	free(lock);
	return ret;
}

int worktree_remove_half_renamed_lock(git_repository *repo, const char *ref)
{
	const char *common = git_repository_commondir(repo);
	int n = (int)strlen(common);
	char *file, *log;
	int ret, r;

	if (n && common[n - 1] == '/')
		n--;
	file = xstrfmt("%.*s/%s", n, common, ref);
	/* its reflog too: mark_branch() writes a new one through a lock */
	log = xstrfmt("%.*s/logs/%s", n, common, ref);
	ret = remove_half_renamed_lock(file);
	r = remove_half_renamed_lock(log);
	if (r < 0 || (ret >= 0 && r > ret))
		ret = r;
	free(file);
	free(log);
	return ret;
}

char *worktree_branch_lock(git_repository *repo, const char *ref)
{
	/* not the reflog's: libgit2 deletes a reflog whatever holds its lock (t8622) */
	static const char *const fmt[] = { "%.*s/%s.lock", "%.*s/packed-refs.lock" };
	const char *common = git_repository_commondir(repo);
	int n = (int)strlen(common), i;
	struct stat st;

	if (n && common[n - 1] == '/')
		n--;
	/* a lock that is the file itself was left by a killed command: not held */
	worktree_remove_half_renamed_lock(repo, ref);
	for (i = 0; i < 2; i++) {
		char *lock = xstrfmt(fmt[i], n, common, ref);

		if (!lstat(lock, &st))
			return lock;
		free(lock);
	}
	return NULL;
}

/*
 * The branch of req, found or created (*created); -1 with req->error.
 * An existing branch is taken only when git-parallel made it for this
 * task (its reflog starts with BRANCH_LOG "<id>"): never a user's branch
 * that happens to have the name.
 */
static int get_branch(git_reference **out, int *created, git_repository *repo, struct wt_request *req)
{
	git_reference *ref = NULL;
	git_commit *base = NULL;
	git_oid tip;
	char *msg = NULL;
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
		msg = xstrfmt("%s%s", BRANCH_LOG, req->name);
		pthread_once(&first_branch_once, note_first_branch);
		if (git_reference_create(&ref, repo, req->branch, &req->base, 0, msg) < 0 &&
		    (!remove_killed_runs_lock(repo, req) ||
		     git_reference_create(&ref, repo, req->branch, &req->base, 0, msg) < 0)) {
			ret = branch_create_failed(repo, req);
			goto out;
		}
		*created = 1;
		if (mark_branch(repo, req->branch, &req->base, msg) < 0) {
			ret = fail(req, "cannot write the reflog of branch '%s': %s",
				   short_branch(req->branch), gp_git_error());
			git_reference_delete(ref);
			*created = 0;
		}
		goto out;
	}
	if (err < 0) {
		ret = fail(req, "cannot read branch '%s': %s", short_branch(req->branch), gp_git_error());
		goto out;
	}
	if (!branch_made_for(repo, req->branch, req->name)) {
		ret = fail(req, "branch '%s' already exists and was not made by git-parallel "
			   "for task '%s'; it is left alone: rename it, or choose another "
			   "parallel.branch-prefix", short_branch(req->branch), req->name);
		goto out;
	}
	/* created by a run killed inside libgit2's rename of its lock */
	if (worktree_remove_half_renamed_lock(repo, req->branch) < 0) {
		ret = fail(req, "cannot remove the lock of branch '%s' a killed run left: %s",
			   short_branch(req->branch), strerror(errno));
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
	free(msg);
	git_commit_free(base);
	if (ret)
		git_reference_free(ref);
	else
		*out = ref;
	return ret;
}

/* A crash point halfway through a checkout (after half its files). */
static void checkout_progress(const char *path, size_t completed, size_t total, void *payload)
{
	(void)path;
	(void)payload;
	if (total > 1 && completed == total / 2)
		test_crash_point("worktree-mid-checkout");
}

/* Count the blobs (and submodules) of a tree: what a complete index holds. */
static int count_entry(const char *root, const git_tree_entry *e, void *payload)
{
	(void)root;
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
		(*(size_t *)payload)++;
	return 0;
}

/* The checkout of wrepo completed: its index holds every entry of HEAD's tree. */
static int checkout_verified(git_repository *wrepo)
{
	git_object *tree = NULL;
	git_index *index = NULL;
	size_t n = 0;
	int ret = 0;

	if (git_revparse_single(&tree, wrepo, "HEAD^{tree}") < 0 ||
	    git_tree_walk((git_tree *)tree, GIT_TREEWALK_PRE, count_entry, &n) < 0 ||
	    git_repository_index(&index, wrepo) < 0 || git_index_read(index, 1) < 0)
		goto out;
	ret = git_index_entrycount(index) == n && !git_index_has_conflicts(index);
out:
	git_index_free(index);
	git_object_free(tree);
	return ret;
}

/*
 * Conversions libgit2 1.5's checkout does not do: filter drivers (it
 * runs none) and working-tree-encoding.  A worktree it checked out holds
 * the blobs' bytes where git writes the smudged or re-encoded file, and
 * the task's 'git add -A' then reads them back through the clean filter
 * or the encoding: a change (or garbage) in a file the task never
 * touched.  So git writes again the files whose attributes convert (git
 * checkout-index, as git worktree add would have written them), and
 * only those: in a repository of 5,000 files with one such line, the
 * others are left as libgit2 wrote them.  A cheap look at the attribute
 * files first (convert_may_apply()): most repositories ask git nothing.
 * What git says on failure (its last line) goes into the error.
 */
static int convert_checkout(git_repository *wrepo, struct wt_request *req)
{
	static const char *const argv[] = {
		"git", "checkout-index", "-f", "-u", "-z", "--stdin", NULL,
	};
	git_index *index = NULL;
	struct strlist paths = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT, in = STRBUF_INIT;
	int need, ret = -1, rc;
	size_t i;

	if (git_repository_index(&index, wrepo) < 0 || git_index_read(index, 1) < 0) {
		fail(req, "cannot read the index of task '%s': %s", req->name, gp_git_error());
		goto out;
	}
	need = convert_may_apply(wrepo, index);
	if (need < 0) {
		fail(req, "cannot read the attributes of task '%s': %s", req->name, gp_git_error());
		goto out;
	}
	if (need && convert_paths(&paths, wrepo, req->path, index, &why) < 0) {
		fail(req, "cannot read the attributes of task '%s' at '%s': %s", req->name, req->path,
		     why.buf);
		goto out;
	}
	if (!paths.nr) {
		ret = 0;
		goto out;
	}
	/*
	 * git skips the files whose stat data match the index (even with
	 * -f): forget the stat data libgit2 recorded for these, so git
	 * writes them and records its own.
	 */
	for (i = 0; i < paths.nr; i++) {
		git_index_entry *ie = (git_index_entry *)git_index_get_bypath(index, paths.v[i], 0);

		if (!ie)
			continue;
		memset(&ie->ctime, 0, sizeof(ie->ctime));
		memset(&ie->mtime, 0, sizeof(ie->mtime));
		ie->dev = ie->ino = ie->uid = ie->gid = 0;
		ie->file_size = 0;
		strbuf_addstr(&in, paths.v[i]);
		strbuf_addch(&in, '\0');
	}
	if (git_index_write(index) < 0) {
		fail(req, "cannot write the index of task '%s': %s", req->name, gp_git_error());
		goto out;
	}
	/* the worktree still marked creating: the next run remakes it */
	test_crash_point("worktree-convert-index-cleared");
	rc = convert_run_git(req->path, argv, NULL, &in, &why, 1);
	if (rc) {
		convert_last_line(&why);
		if (!why.len)
			strbuf_addstr(&why, rc < 0 ? "cannot run 'git checkout-index'" :
				      "'git checkout-index' failed");
		fail(req, "cannot convert the files of task '%s' at '%s' "
		     "(filter or working-tree-encoding): %s", req->name, req->path, why.buf);
		goto out;
	}
	ret = 0;
out:
	strlist_clear(&paths);
	strbuf_release(&in);
	strbuf_release(&why);
	git_index_free(index);
	return ret;
}

/* sparse checkouts (cone mode) */

struct cone {
	struct strlist dirs;	/* listed: everything below them */
	struct strmap parents;	/* their ancestors: the files directly in them */
};

static int cone_dir_in(const struct cone *c, const char *dir)
{
	size_t k;

	if (!*dir || strmap_contains(&c->parents, dir))
		return 1;
	for (k = 0; k < c->dirs.nr; k++)
		if (path_below(dir, c->dirs.v[k]))
			return 1;
	return 0;
}

/* Is the file at path inside the cone?  (its directory is the top, a parent or below a listed one) */
static int cone_has(const struct cone *c, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
	int ret = cone_dir_in(c, dir);

	free(dir);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void cone_init(struct cone *c, const struct strlist *dirs)
{
	size_t k, j;

	strlist_init(&c->dirs);
	strmap_init(&c->parents);
	/* a directory below another listed one adds nothing (git drops it too) */
	for (k = 0; dirs && k < dirs->nr; k++) {
		for (j = 0; j < dirs->nr; j++)
			if (j != k && path_below(dirs->v[k], dirs->v[j]) &&
			    (strcmp(dirs->v[k], dirs->v[j]) || j < k))
				break;
		if (j == dirs->nr)
			strlist_push(&c->dirs, dirs->v[k]);
	}
	for (k = 0; k < c->dirs.nr; k++) {
		char *d = xstrdup(c->dirs.v[k]), *slash;

		while ((slash = strrchr(d, '/'))) {
			*slash = '\0';
			strmap_put(&c->parents, d, NULL, NULL);
		}
		free(d);
	}
}

static void cone_release(struct cone *c)
{
	strlist_clear(&c->dirs);
	strmap_clear(&c->parents);
}

static void add_escaped(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (strchr("*?[\\", *s))
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s);
	}
}

/* The cone-mode sparse-checkout file, as git sparse-checkout set --cone writes it. */
static void cone_patterns(const struct cone *c, struct strbuf *sb)
{
	struct strlist all = STRLIST_INIT;
	size_t k;

	for (k = 0; k < c->dirs.nr; k++)
		strlist_push(&all, c->dirs.v[k]);
	for (k = 0; k < c->parents.size; k++)
		if (c->parents.v[k].key && !strlist_has(&c->dirs, c->parents.v[k].key))
			strlist_push(&all, c->parents.v[k].key);
	if (all.nr > 1)
		qsort(all.v, all.nr, sizeof(*all.v), cmp_str);
	strbuf_addstr(sb, "/*\n!/*/\n");
	for (k = 0; k < all.nr; k++) {
		strbuf_addch(sb, '/');
		add_escaped(sb, all.v[k]);
		strbuf_addstr(sb, "/\n");
		if (strmap_contains(&c->parents, all.v[k]) && !strlist_has(&c->dirs, all.v[k])) {
			strbuf_addstr(sb, "!/");
			add_escaped(sb, all.v[k]);
			strbuf_addstr(sb, "/*/\n");
		}
	}
	strlist_clear(&all);
}

/*
 * The repository-wide part of a per-worktree sparse checkout: what git
 * sparse-checkout does (extensions.worktreeConfig in the common config, so
 * that core.sparseCheckout applies to this worktree only).  Refused where
 * git would have to move core.bare or core.worktree.
 */
static int enable_worktree_config(git_repository *repo, struct wt_request *req)
{
	git_config *cfg = NULL;
	char *path;
	int v = 0, ret = 0;
	git_buf buf = GIT_BUF_INIT;

	path = xstrfmt("%s/config", git_repository_commondir(repo));
	if (git_config_open_ondisk(&cfg, path) < 0) {
		ret = fail(req, "cannot read '%s': %s", path, gp_git_error());
		goto out;
	}
	if (!git_config_get_bool(&v, cfg, "extensions.worktreeconfig") && v)
		goto out;
	if ((!git_config_get_bool(&v, cfg, "core.bare") && v) ||
	    !git_config_get_string_buf(&buf, cfg, "core.worktree")) {
		ret = fail(req, "cannot make a sparse worktree for task '%s': '%s' sets core.bare "
			   "or core.worktree (run 'git sparse-checkout init' in a worktree once, "
			   "or set parallel.sparse = off)", req->name, path);
		goto out;
	}
	git_error_clear();
	if (git_config_set_bool(cfg, "extensions.worktreeConfig", 1) < 0)
		ret = fail(req, "cannot set extensions.worktreeConfig in '%s': %s", path, gp_git_error());
out:
	git_buf_dispose(&buf);
	git_config_free(cfg);
	free(path);
	return ret;
}

struct sparse_walk {
	const struct cone *cone;
	struct strlist in;		/* paths to check out */
};

static int sparse_entry(const char *root, const git_tree_entry *e, void *payload)
{
	struct sparse_walk *w = payload;
	char *path;

	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return 0;
	path = xstrfmt("%s%s", root, git_tree_entry_name(e));
	if (cone_has(w->cone, path))
		strlist_push_nodup(&w->in, path);
	else
		free(path);
	return 0;
}

/*
 * Phase 2 of a sparse worktree: its sparse-checkout file and per-worktree
 * configuration in admin, the files inside the cone checked out, the
 * others recorded in the index as skip-worktree (libgit2 1.5 has no sparse
 * checkout of its own: git reads what we write, as if git sparse-checkout
 * set --cone had made it).  The caller's gp-creating marker stays until
 * all of it is written and verified.
 */
static int sparse_checkout(git_repository *repo, git_repository *wrepo, const char *admin,
			   struct wt_request *req, git_checkout_options *co)
{
	struct cone cone;
	struct sparse_walk w;
	struct strbuf sb = STRBUF_INIT;
	git_config *cfg = NULL;
	git_object *tree = NULL;
	git_index *index = NULL;
	char *path = NULL;
	size_t k;
	int ret = -1;

	cone_init(&cone, req->sparse_dirs);
	memset(&w, 0, sizeof(w));
	w.cone = &cone;
	strlist_init(&w.in);

	pthread_mutex_lock(&wt_lock);
	ret = enable_worktree_config(repo, req);
	pthread_mutex_unlock(&wt_lock);
	if (ret < 0)
		goto out;
	ret = -1;
	path = xstrfmt("%s/config.worktree", admin);
	if (git_config_open_ondisk(&cfg, path) < 0 ||
	    git_config_set_bool(cfg, "core.sparseCheckout", 1) < 0 ||
	    git_config_set_bool(cfg, "core.sparseCheckoutCone", 1) < 0) {
		fail(req, "cannot write '%s': %s", path, gp_git_error());
		goto out;
	}
	free(path);
	path = xstrfmt("%s/info/sparse-checkout", admin);
	cone_patterns(&cone, &sb);
	if (mkdir_parent(path, &req->error) < 0 ||
	    write_file_atomic(path, sb.buf, sb.len, 0644) < 0) {
		fail(req, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	test_crash_point("worktree-mid-sparse");

	if (git_revparse_single(&tree, wrepo, "HEAD^{tree}") < 0 ||
	    git_tree_walk((git_tree *)tree, GIT_TREEWALK_PRE, sparse_entry, &w) < 0) {
		fail(req, "cannot read the tree of task '%s': %s", req->name, gp_git_error());
		goto out;
	}
	if (w.in.nr) {
		co->paths.strings = w.in.v;
		co->paths.count = w.in.nr;
		co->checkout_strategy |= GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
		if (git_checkout_head(wrepo, co) < 0) {
			fail(req, "cannot create the worktree of task '%s' at '%s': %s",
			     req->name, req->path, gp_git_error());
			goto out;
		}
	}
	if (git_repository_index(&index, wrepo) < 0 || git_index_read(index, 1) < 0) {
		fail(req, "cannot read the index of task '%s': %s", req->name, gp_git_error());
		goto out;
	}
	/*
	 * Every entry of the tree (read_tree keeps the stat data of the
	 * entries the checkout wrote), then skip-worktree on those outside
	 * the cone: one git_index_add per entry would cost O(n^2) (4 s for
	 * 20,000 files).  The flag is not part of the entries' order.
	 */
	if (git_index_read_tree(index, (git_tree *)tree) < 0) {
		fail(req, "cannot write the index of task '%s': %s", req->name, gp_git_error());
		goto out;
	}
	for (k = 0; k < git_index_entrycount(index); k++) {
		git_index_entry *ie = (git_index_entry *)git_index_get_byindex(index, k);

		if (ie && !cone_has(&cone, ie->path))
			ie->flags_extended |= GIT_INDEX_ENTRY_SKIP_WORKTREE;
	}
	test_crash_point("worktree-sparse-before-index");
	if (git_index_write(index) < 0) {
		fail(req, "cannot write the index of task '%s': %s", req->name, gp_git_error());
		goto out;
	}
	ret = 0;
out:
	co->paths.strings = NULL;
	co->paths.count = 0;
	git_index_free(index);
	git_object_free(tree);
	git_config_free(cfg);
	free(path);
	strbuf_release(&sb);
	strlist_clear(&w.in);
	cone_release(&cone);
	return ret;
}

/* Write path with content, no fsync (see add_worktree()).  0, or -1 (errno). */
static int write_plain(const char *path, const char *content)
{
	size_t len = strlen(content);
	int fd, ret = -1, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	if (write(fd, content, len) == (ssize_t)len)
		ret = 0;
	saved = errno;
	if (close(fd) < 0 && !ret)
		return -1;
	errno = saved;
	return ret;
}

/*
 * git_worktree_add(), nothing checked out, with its files written in an
 * order that leaves nothing git fsck reports at any instant: git takes a
 * directory under worktrees/ for a worktree once it has "gitdir", and
 * fsck then wants its HEAD.  libgit2 1.5 writes gitdir before HEAD: a run
 * killed in between left "error: worktrees/<id>/HEAD: detached HEAD
 * points at nothing" (fsck exit 8) until the next run.  Here HEAD and
 * commondir come first, then the markers MARK_CREATING and MARK_TASK,
 * then the worktree's .git file, and gitdir last;
 * what a kill leaves before gitdir is debris remove_stale_admin() knows
 * (an admin directory libgit2 does not accept, a husk at the path).
 * Checks what libgit2 checks: a branch, checked out nowhere.  Called
 * under wt_lock.  0, or -1 with a libgit2 error set.
 */
static int add_worktree(git_repository *repo, const char *name, const char *path,
			git_reference *branch, const char *admin)
{
	struct strbuf file = STRBUF_INIT, text = STRBUF_INIT, parent = STRBUF_INIT;
	git_worktree *wt = NULL;
	char *real = NULL;
	const char *slash;
	int ret = -1;

	if (!git_reference_is_branch(branch)) {
		git_error_set_str(GIT_ERROR_WORKTREE, "reference is not a branch");
		return -1;
	}
	if (git_branch_is_checked_out(branch) > 0) {
		git_error_set_str(GIT_ERROR_WORKTREE, "reference is already checked out");
		return -1;
	}
	/* .../worktrees, then ours: it must not exist */
	slash = strrchr(admin, '/');
	strbuf_add(&parent, admin, slash ? (size_t)(slash - admin) : 0);
	if ((mkdir(parent.buf, 0777) < 0 && errno != EEXIST) || mkdir(admin, 0777) < 0)
		goto os_error;
	strbuf_addf(&file, "%s/HEAD", admin);
	strbuf_addf(&text, "ref: %s\n", git_reference_name(branch));
	if (write_plain(file.buf, text.buf) < 0)
		goto os_error;
	strbuf_reset(&file);
	strbuf_addf(&file, "%s/commondir", admin);
	if (write_plain(file.buf, "../..\n") < 0)
		goto os_error;
	/*
	 * the journal's markers (create_one()) before git can see it: what
	 * a kill leaves that git lists is ours and incomplete, for clean too
	 */
	strbuf_reset(&text);
	strbuf_addf(&text, "%s\n", name);
	if (write_marker(admin, MARK_CREATING, text.buf) < 0 ||
	    write_marker(admin, MARK_TASK, text.buf) < 0)
		goto os_error;
	/* the worktree itself: its parents may be made, it must not exist */
	slash = strrchr(path, '/');
	strbuf_reset(&parent);
	strbuf_add(&parent, path, slash ? (size_t)(slash - path) : 0);
	if ((parent.len && mkdir_p(parent.buf, 0777) < 0) || mkdir(path, 0777) < 0)
		goto os_error;
	real = realpath(path, NULL);
	if (!real)
		goto os_error;
	strbuf_reset(&file);
	strbuf_addf(&file, "%s/.git", real);
	strbuf_reset(&text);
	strbuf_addf(&text, "gitdir: %s\n", admin);
	if (write_plain(file.buf, text.buf) < 0)
		goto os_error;
	test_crash_point("worktree-mid-add");
	/*
	 * last: from here on git sees a whole worktree; written aside and
	 * renamed, so that no kill leaves it cut short (drop_torn_gitdir())
	 */
	strbuf_reset(&text);
	strbuf_addf(&text, "%s\n", file.buf);
	strbuf_reset(&file);
	strbuf_addf(&file, "%s/gitdir.gp-new", admin);
	strbuf_reset(&parent);
	strbuf_addf(&parent, "%s/gitdir", admin);
	if (write_plain(file.buf, text.buf) < 0)
		goto os_error;
	test_crash_point("worktree-mid-gitdir");
	if (rename(file.buf, parent.buf) < 0)
		goto os_error;
	if (git_worktree_lookup(&wt, repo, name) < 0 || git_worktree_validate(wt) < 0)
		goto out;
	ret = 0;
	goto out;
os_error:
	git_error_set_str(GIT_ERROR_OS, strerror(errno));
out:
	git_worktree_free(wt);
	free(real);
	strbuf_release(&parent);
	strbuf_release(&text);
	strbuf_release(&file);
	return ret;
}

/*
 * Make (or reuse) the worktree of req.  The creation is journalled:
 * MARK_TASK and MARK_CREATING are written into the admin directory right
 * after git_worktree_add, the checkout runs, and MARK_CREATING goes only
 * once the checkout is verified.  check_existing() tells a worktree whose
 * creation was cut short (marker, or no index) and makes it again.
 */
static void create_one(git_repository *repo, struct wt_request *req)
{
	git_reference *branch = NULL;
	git_repository *wrepo = NULL;
	struct strbuf admin = STRBUF_INIT;
	struct stat st;
	int created_branch = 0, admin_existed, path_existed, err;

	strbuf_addstr(&admin, git_repository_commondir(repo));
	while (admin.len > 1 && admin.buf[admin.len - 1] == '/')
		strbuf_setlen(&admin, admin.len - 1);
	strbuf_addf(&admin, "/worktrees/%s", req->name);

	switch (check_existing(repo, req, admin.buf)) {
	case 1:
		req->ok = 1;
		req->reused = 1;
		goto out;
	case -1:
		goto out;
	}
	if (lstat(req->path, &st) == 0) {
		/* only a .git file pointing at our admin directory: debris */
		if (!path_exists(admin.buf) && husk_of(req->path, admin.buf)) {
			pthread_mutex_lock(&wt_lock);
			remove_tree(req->path);
			pthread_mutex_unlock(&wt_lock);
		}
		if (path_exists(req->path)) {
			fail(req, "'%s' already exists and is not the worktree of task '%s'",
			     req->path, req->name);
			goto out;
		}
		req->redone = 1;
	} else if (errno != ENOENT) {
		fail(req, "cannot use '%s': %s", req->path, strerror(errno));
		goto out;
	}

	/*
	 * Phase 1, one thread at a time: the branch and the worktree's files
	 * and metadata, nothing checked out (add_worktree()).  It lists the
	 * other worktrees (git_branch_is_checked_out), which fails spuriously
	 * with "reference is already checked out" while another thread adds
	 * one: 3 of 16 concurrent adds failed that way.  Phase 2 fills it.
	 */
	pthread_mutex_lock(&wt_lock);
	admin_existed = path_exists(admin.buf);
	path_existed = path_exists(req->path);
	if (get_branch(&branch, &created_branch, repo, req) < 0) {
		pthread_mutex_unlock(&wt_lock);
		goto out;
	}
	err = add_worktree(repo, req->name, req->path, branch, admin.buf);
	if (!err)
		test_crash_point("worktree-after-add");	/* marked ours and creating already */
	pthread_mutex_unlock(&wt_lock);

	/*
	 * Phase 2, in parallel: the checkout.  The new worktree has no index
	 * yet, so a safe checkout writes every file and then the index.
	 */
	if (!err) {
		git_checkout_options co;

		git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
		co.checkout_strategy = GIT_CHECKOUT_SAFE;
		co.progress_cb = checkout_progress;
		err = git_repository_open_ext(&wrepo, req->path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
		if (!err && req->sparse) {
			if (sparse_checkout(repo, wrepo, admin.buf, req, &co) < 0)
				goto failed;
		} else if (!err) {
			errno = 0;
			err = git_checkout_head(wrepo, &co);
			/* a full disk under the index: libgit2 1.5 may say nothing */
			if (err < 0 && !git_error_last() && errno)
				git_error_set_str(GIT_ERROR_OS, strerror(errno));
		}
		if (!err && !checkout_verified(wrepo)) {
			git_error_set_str(GIT_ERROR_CHECKOUT, "the checkout is incomplete");
			err = -1;
		}
		if (!err && convert_checkout(wrepo, req) < 0)
			goto failed;
		if (!err) {
			struct strbuf mark = STRBUF_INIT;

			test_crash_point("worktree-before-verified");
			strbuf_addf(&mark, "%s/%s", admin.buf, MARK_CREATING);
			if (unlink(mark.buf) < 0) {
				git_error_set_str(GIT_ERROR_OS, strerror(errno));
				err = -1;
			}
			strbuf_release(&mark);
		}
	}
	if (!err) {
		req->ok = 1;
		goto out;
	}

	fail(req, "cannot create the worktree of task '%s' at '%s': %s",
	     req->name, req->path, gp_git_error());
failed:
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

/* worktree_dirty() by git status */
static int git_dirty(const char *path, struct strlist *paths)
{
	struct strlist names = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT;
	int n = convert_git_status(&names, path, &why);
	size_t i;

	if (n < 0)
		error("cannot read the status of '%s': %s", path, why.buf);
	for (i = 0; paths && n > 0 && i < names.nr; i++)
		strlist_push(paths, names.v[i]);
	strlist_clear(&names);
	strbuf_release(&why);
	return n;
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
	/*
	 * Attributes that convert (a filter driver, working-tree-encoding):
	 * libgit2 1.5 hashes the files as they are, and would call a file
	 * git checked out dirty (a refusal: safe, but wrong) or one changed
	 * to the blob's bytes clean (data loss): git status answers.
	 */
	switch (convert_may_apply(repo, NULL)) {
	case -1:
		error("cannot read the attributes of '%s': %s", path, gp_git_error());
		goto out;
	case 1:
		ret = git_dirty(path, paths);
		goto out;
	}
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

/*
 * Remove the worktree (admin directory admin, working tree path) in an
 * order a kill cannot turn into debris nobody recognises.
 * git_worktree_prune() empties the admin directory in readdir order: killed
 * midway (Ctrl-C on clean), it could drop MARK_TASK first and leave the
 * working tree with an admin directory that is no longer ours, which clean
 * then refused for good; or drop HEAD and keep gitdir, a worktree git
 * fsck then fails on ("HEAD points at nothing").  Here gitdir goes first
 * (git no longer sees the worktree: git worktree list and git fsck pass
 * over it, git worktree prune removes it), then HEAD and the other admin
 * files, and MARK_TASK last: killed anywhere, what is left is a broken
 * worktree of ours, which clean removes (worktree_remove_broken()), or a
 * stale admin directory the next run removes.  The working tree goes only
 * while its .git file is there (as libgit2 does), never through a
 * symbolic link.  Crash points: once gitdir and HEAD are gone,
 * run-mid-prune (prune: for worktree_prune_gone()) or clean-mid-admin
 * (else: the working tree still whole, see worktree_being_removed());
 * clean-mid-remove once only MARK_TASK is left.
 */
static char *admin_dir(git_repository *repo, const char *name);

static int unlink_admin(const char *admin, const char *file)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&sb, "%s/%s", admin, file);
	if (unlink(sb.buf) < 0 && errno != ENOENT)
		ret = error_errno("cannot remove '%s'", sb.buf);
	strbuf_release(&sb);
	return ret;
}

static int remove_in_order(const char *admin, const char *path, int prune)
{
	struct strbuf sb = STRBUF_INIT, dotgit = STRBUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int ret;

	ret = unlink_admin(admin, "gitdir");
	if (!ret)
		ret = unlink_admin(admin, "HEAD");
	if (ret)
		return ret;
	if (prune)
		test_crash_point("run-mid-prune");
	else
		test_crash_point("clean-mid-admin");
	if (!(dir = opendir(admin)))
		return error_errno("cannot open '%s'", admin);
	while (!ret && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, MARK_TASK))
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", admin, de->d_name);
		if (lstat(sb.buf, &st) == 0 && S_ISDIR(st.st_mode))
			ret = nftw(sb.buf, rm_entry, 16, FTW_DEPTH | FTW_PHYS) ? -1 : 0;
		else if (unlink(sb.buf) < 0 && errno != ENOENT)
			ret = error_errno("cannot remove '%s'", sb.buf);
	}
	closedir(dir);
	if (!prune)
		test_crash_point("clean-mid-remove");
	strbuf_addf(&dotgit, "%s/.git", path);
	/*
	 * A prune's working tree was gone when it began: one at its path now
	 * was made since (by the command, or by hand) and is not ours to
	 * remove (git worktree prune never removes a working tree either).
	 */
	if (!ret && !prune && lstat(dotgit.buf, &st) == 0 && S_ISREG(st.st_mode) &&
	    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		ret = -1;
	if (!ret)
		ret = unlink_admin(admin, MARK_TASK);
	if (!ret && rmdir(admin) < 0)
		ret = error_errno("cannot remove '%s'", admin);
	strbuf_release(&sb);
	strbuf_release(&dotgit);
	return ret;
}

int worktree_prune_gone(git_repository *repo, const char *name)
{
	git_worktree *wt = NULL;
	char *admin = NULL;
	int ret = 0;

	if (git_worktree_lookup(&wt, repo, name) < 0) {
		git_error_clear();
		return 0;
	}
	if (!git_worktree_validate(wt) || path_exists(git_worktree_path(wt)))
		goto out;
	git_error_clear();
	if (git_worktree_is_locked(NULL, wt) > 0) {
		ret = error("the worktree '%s' is gone but locked (git worktree unlock %s)",
			    git_worktree_path(wt), name);
		goto out;
	}
	admin = admin_dir(repo, name);
	ret = remove_in_order(admin, git_worktree_path(wt), 1);
out:
	free(admin);
	git_worktree_free(wt);
	return ret;
}

int worktree_remove(git_repository *repo, const char *name, int force, const char **why)
{
	git_worktree *wt = NULL;
	char *admin = NULL;
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
	 * The working tree goes recursively without a look at its status:
	 * the check above is the only safety.
	 */
	if (!force && git_worktree_is_locked(NULL, wt) > 0) {
		*why = "it is locked";
		ret = 1;
		goto out;
	}
	admin = admin_dir(repo, name);
	pthread_mutex_lock(&wt_lock);
	if (remove_in_order(admin, git_worktree_path(wt), 0) < 0)
		ret = error("cannot remove worktree '%s'", name);
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
	free(admin);
	git_worktree_free(wt);
	return ret;
}

static char *admin_dir(git_repository *repo, const char *name)
{
	const char *common = git_repository_commondir(repo);
	size_t n = strlen(common);

	return xstrfmt("%.*s/worktrees/%s", (int)(n && common[n - 1] == '/' ? n - 1 : n), common, name);
}

int worktree_drop_torn_gitdir(git_repository *repo, const char *name)
{
	char *admin = admin_dir(repo, name);
	int ret = drop_torn_gitdir(admin, name);

	free(admin);
	return ret;
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

/* Does path/.git name admin ("gitdir: <admin>")?  1 or 0. */
static int dotgit_names(const char *path, const char *admin)
{
	struct strbuf file = STRBUF_INIT, content = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	strbuf_addf(&file, "%s/.git", path);
	if (!lstat(file.buf, &st) && S_ISREG(st.st_mode) &&
	    strbuf_read_file(&content, file.buf) >= 0) {
		strbuf_trim(&content);
		ret = !strncmp(content.buf, "gitdir: ", 8) && same_path(content.buf + 8, admin);
	}
	strbuf_release(&content);
	strbuf_release(&file);
	return ret;
}

/*
 * The working tree at path holds nothing the tree of branch does not:
 * no file changed, none added (untracked or ignored); files of the tree
 * that are missing are no work.  Read with the repository's objects and
 * path as its work tree (the worktree's own git files are incomplete).
 * 1 or 0.
 */
static int only_branch_files(git_repository *repo, const char *path, const char *branch)
{
	git_repository *r = NULL;
	struct strbuf what = STRBUF_INIT, spec = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&spec, "%s^{tree}", branch);
	if (!git_repository_open_ext(&r, git_repository_commondir(repo),
				     GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) &&
	    !git_repository_set_workdir(r, path, 0))
		ret = foreign_files_of(r, spec.buf, 0, &what) == 0;
	git_error_clear();
	git_repository_free(r);
	strbuf_release(&spec);
	strbuf_release(&what);
	return ret;
}

int worktree_being_removed(git_repository *repo, const char *name, const char *path,
			   const char *branch)
{
	char *admin = admin_dir(repo, name);
	struct dirent *de;
	DIR *dir = opendir(admin);
	int ours = 0, other = 0, git_files = 0, ret;

	while (dir && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!strcmp(de->d_name, MARK_TASK))
			ours = 1;
		else
			other = 1;
		/* gitdir goes first: a kill before HEAD went leaves HEAD alone */
		if (!strcmp(de->d_name, "gitdir"))
			git_files = 1;
	}
	if (dir)
		closedir(dir);
	/* or killed later in its order (remove_in_order()), the working tree gone */
	ret = ours && (!other || (!git_files && path && !path_exists(path)));
	/*
	 * or killed among the admin files (clean-mid-admin), the working tree
	 * whole: git no longer lists it (no gitdir), its .git names this admin
	 * directory, and it holds only what the task's branch holds
	 */
	if (!ret && ours && !git_files && path && branch && path_exists(path))
		ret = dotgit_names(path, admin) && only_branch_files(repo, path, branch);
	free(admin);
	return ret;
}

int worktree_empty_husk(git_repository *repo, const char *name, const char *path)
{
	char *admin = admin_dir(repo, name);
	struct strbuf sb = STRBUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int ret = 0;

	strbuf_addf(&sb, "%s/%s", admin, MARK_TASK);
	if (!path_exists(sb.buf))
		goto out;
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/gitdir", admin);
	if (path_exists(sb.buf) || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		goto out;
	dir = opendir(path);
	if (!dir)
		goto out;
	ret = 1;
	while (ret && (de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ret = 0;
	closedir(dir);
out:
	strbuf_release(&sb);
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

/*
 * git_index_add_all() and git_index_update_all() drop the entry of every file missing from the
 * worktree: in a sparse checkout that would record each file outside the
 * cone as deleted.  Skip an entry marked skip-worktree whose file is absent.
 */
struct update_ctx {
	git_index *index;
	const char *workdir;
};

static int keep_skip_worktree(const char *path, const char *matched, void *payload)
{
	struct update_ctx *ctx = payload;
	const git_index_entry *e = git_index_get_bypath(ctx->index, path, 0);
	char *full;
	int absent;

	(void)matched;
	if (!e || !(e->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE))
		return 0;
	full = xstrfmt("%s/%s", ctx->workdir, path);
	absent = !path_exists(full);
	free(full);
	return absent ? 1 : 0;
}

static int has_skip_worktree(git_index *index)
{
	size_t i, n = git_index_entrycount(index);

	for (i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);

		if (e && (e->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE))
			return 1;
	}
	return 0;
}

/*
 * git add -A for a sparse worktree, from its status: git_index_add_all
 * costs a realpath() per file outside the cone (20,000 files: seconds),
 * each reported as deleted.  A skip-worktree entry whose file is absent
 * stays.  0, or -1 (libgit2's error set).
 */
static int stage_sparse(git_repository *repo, git_index *index)
{
	git_status_options so;
	git_status_list *list = NULL;
	struct strlist add = STRLIST_INIT, del = STRLIST_INIT;
	size_t i, n;
	int ret = -1;

	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	if (git_status_list_new(&list, repo, &so) < 0)
		goto out;
	n = git_status_list_entrycount(list);
	for (i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const git_diff_delta *d = e->index_to_workdir;

		if (!d)
			continue;
		if (e->status & GIT_STATUS_WT_DELETED) {
			const git_index_entry *ie = git_index_get_bypath(index, d->old_file.path, 0);

			if (!ie || !(ie->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE))
				strlist_push(&del, d->old_file.path);
		} else if (e->status & (GIT_STATUS_WT_NEW | GIT_STATUS_WT_MODIFIED |
					GIT_STATUS_WT_TYPECHANGE | GIT_STATUS_WT_RENAMED)) {
			if (d->old_file.path && (e->status & GIT_STATUS_WT_RENAMED))
				strlist_push(&del, d->old_file.path);
			strlist_push(&add, d->new_file.path);
		}
	}
	for (i = 0; i < del.nr; i++)
		if (git_index_remove_bypath(index, del.v[i]) < 0)
			goto out;
	for (i = 0; i < add.nr; i++)
		if (git_index_add_bypath(index, add.v[i]) < 0)
			goto out;
	ret = 0;
out:
	strlist_clear(&add);
	strlist_clear(&del);
	git_status_list_free(list);
	return ret;
}

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
	struct update_ctx uctx = { NULL, NULL };
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
	uctx.workdir = git_repository_workdir(repo);
	if (git_repository_index(&index, repo) < 0 ||
	    !(uctx.index = index) ||
	    (has_skip_worktree(index) ? stage_sparse(repo, index) < 0 :
	     (git_index_add_all(index, &all, GIT_INDEX_ADD_DEFAULT, keep_skip_worktree, &uctx) < 0 ||
	      git_index_update_all(index, &all, keep_skip_worktree, &uctx) < 0)) ||
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

/* clean: whose worktree, and what removing it would drop */

int worktree_is_task(git_repository *repo, const char *name, const char *path, const char *branch)
{
	git_worktree *wt = NULL;
	char *admin = admin_dir(repo, name), *head = NULL;
	int ret = 0;

	if (!admin_is_ours(admin, name))
		goto out;
	if (git_worktree_lookup(&wt, repo, name) < 0) {
		ret = 1;	/* broken admin files of ours (no HEAD) */
		goto out;
	}
	if (!same_path(git_worktree_path(wt), path) && path_exists(git_worktree_path(wt)))
		goto out;
	head = worktree_head_target(wt);
	ret = !head || !strcmp(head, branch);	/* detached: the task's command did that */
out:
	free(head);
	git_worktree_free(wt);
	free(admin);
	return ret;
}

static void push_reflog(git_repository *repo, const char *name, git_oid **v, size_t *nr)
{
	git_reflog *log = NULL;
	size_t i, n;

	if (git_reflog_read(&log, repo, name) < 0)
		return;
	n = git_reflog_entrycount(log);
	*v = xrealloc(*v, (*nr + 2 * n) * sizeof(**v));
	for (i = 0; i < n; i++) {
		const git_reflog_entry *e = git_reflog_entry_byindex(log, i);

		git_oid_cpy(&(*v)[(*nr)++], git_reflog_entry_id_new(e));
		git_oid_cpy(&(*v)[(*nr)++], git_reflog_entry_id_old(e));
	}
	git_reflog_free(log);
}

/* Hide from walk every commit a ref (and HEAD) points at. */
static int hide_refs(git_revwalk *walk, git_repository *repo)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	git_object *obj = NULL;
	int err, ret = 0;

	if (git_reference_iterator_new(&it, repo) < 0)
		return -1;
	while (!ret && !(err = git_reference_next(&ref, it))) {
		if (!git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) &&
		    git_revwalk_hide(walk, git_object_id(obj)) < 0)
			ret = -1;
		git_object_free(obj);
		obj = NULL;
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (!ret && git_repository_head_unborn(repo) != 1 && git_repository_head_detached(repo) == 1 &&
	    git_revwalk_hide_head(walk) < 0)
		ret = -1;
	return ret;
}

/*
 * The locks a clean killed inside libgit2's rename of a new
 * refs/parallel/kept/<name>/<hex> left: without this, the user's
 * git update-ref -d of that ref failed for good.
 */
static void sweep_kept_locks(git_repository *repo, const char *name)
{
	const char *common = git_repository_commondir(repo);
	int n = (int)strlen(common);
	char *dirname;
	struct strbuf sb = STRBUF_INIT;
	struct dirent *de;
	DIR *dir;

	if (n && common[n - 1] == '/')
		n--;
	dirname = xstrfmt("%.*s/refs/parallel/kept/%s", n, common, name);
	dir = opendir(dirname);
	while (dir && (de = readdir(dir))) {
		size_t len = strlen(de->d_name);

		if (len <= 5 || strcmp(de->d_name + len - 5, ".lock"))
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%.*s", dirname, (int)(len - 5), de->d_name);
		remove_half_renamed_lock(sb.buf);
	}
	if (dir)
		closedir(dir);
	strbuf_release(&sb);
	free(dirname);
}

int worktree_keep_commits(git_repository *repo, const char *name, const char *branch,
			  const git_oid *safe, size_t nsafe, struct strlist *kept)
{
	git_worktree *wt = NULL;
	git_repository *wrepo = NULL;
	git_revwalk *walk = NULL;
	git_oid *cand = NULL, *lost = NULL, oid;
	size_t nr = 0, nlost = 0, i, j;
	struct strmap walked = STRMAP_INIT;
	int ret = -1;

	sweep_kept_locks(repo, name);
	/* what the task's worktree HEAD and its branch have pointed at */
	if (!git_worktree_lookup(&wt, repo, name) && !git_repository_open_from_worktree(&wrepo, wt)) {
		if (git_repository_head_detached(wrepo) == 1 &&
		    !git_reference_name_to_id(&oid, wrepo, "HEAD")) {
			cand = xrealloc(cand, (nr + 1) * sizeof(*cand));
			git_oid_cpy(&cand[nr++], &oid);
		}
		push_reflog(wrepo, "HEAD", &cand, &nr);
	}
	if (branch)
		push_reflog(repo, branch, &cand, &nr);
	if (!nr) {
		ret = 0;
		goto out;
	}

	/* the commits among them that no ref and none of safe contains */
	if (git_revwalk_new(&walk, repo) < 0)
		goto fail;
	for (i = 0; i < nr; i++) {
		git_object *obj = NULL;

		if (git_oid_is_zero(&cand[i]) ||
		    git_object_lookup(&obj, repo, &cand[i], GIT_OBJECT_COMMIT) < 0)
			continue;
		git_object_free(obj);
		if (git_revwalk_push(walk, &cand[i]) < 0)
			goto fail;
	}
	if (hide_refs(walk, repo) < 0)
		goto fail;
	for (i = 0; i < nsafe; i++)
		if (git_revwalk_hide(walk, &safe[i]) < 0)
			goto fail;
	while (!git_revwalk_next(&oid, walk))
		strmap_put(&walked, git_oid_tostr_s(&oid), NULL, NULL);
	lost = xcalloc(nr, sizeof(*lost));
	for (i = 0; i < nr; i++) {
		if (!strmap_contains(&walked, git_oid_tostr_s(&cand[i])))
			continue;
		for (j = 0; j < nlost; j++)
			if (git_oid_equal(&lost[j], &cand[i]))
				break;
		if (j == nlost)
			git_oid_cpy(&lost[nlost++], &cand[i]);
	}

	/* one ref per tip: a commit another lost one contains needs none */
	for (i = 0; i < nlost; i++) {
		git_reference *ref = NULL;
		char hex[13], *refname;
		int err;

		for (j = 0; j < nlost; j++)
			if (j != i && git_graph_descendant_of(repo, &lost[j], &lost[i]) == 1)
				break;
		if (j < nlost)
			continue;
		git_oid_tostr(hex, sizeof(hex), &lost[i]);
		refname = xstrfmt("refs/parallel/kept/%s/%s", name, hex);
		err = git_reference_create(&ref, repo, refname, &lost[i], 0,
					   "git-parallel: kept by clean");
		git_reference_free(ref);
		if (err == GIT_EEXISTS && !git_reference_name_to_id(&oid, repo, refname) &&
		    git_oid_equal(&oid, &lost[i]))
			err = 0;
		if (err < 0) {
			error("cannot keep commit %s of task '%s' as '%s': %s",
			      git_oid_tostr_s(&lost[i]), name, refname, gp_git_error());
			free(refname);
			goto out;
		}
		strlist_push_nodup(kept, refname);
	}
	ret = 0;
	goto out;
fail:
	error("cannot look for the commits of task '%s' that would be lost: %s", name, gp_git_error());
out:
	strmap_clear(&walked);
	free(lost);
	free(cand);
	git_revwalk_free(walk);
	git_repository_free(wrepo);
	git_worktree_free(wt);
	return ret;
}

int worktree_incomplete(git_repository *repo, const char *name, struct strbuf *what)
{
	git_worktree *wt = NULL;
	git_repository *wrepo = NULL;
	char *admin = admin_dir(repo, name);
	int creating = admin_has(admin, MARK_CREATING), ret = 0, n;

	if (!creating && admin_has(admin, "index"))
		goto out;
	if (git_worktree_lookup(&wt, repo, name) < 0 ||
	    git_repository_open_from_worktree(&wrepo, wt) < 0) {
		ret = error("cannot open the worktree '%s': %s", name, gp_git_error());
		goto out;
	}
	n = foreign_files(wrepo, creating && admin_is_ours(admin, name), what);
	if (n < 0)
		ret = error("worktree '%s': %s", name, what->buf);
	else
		ret = n ? 2 : 1;
out:
	git_repository_free(wrepo);
	git_worktree_free(wt);
	free(admin);
	return ret;
}
