/*
 * Unit tests for src/worktree.c on real repositories, with the git CLI as
 * the oracle: git worktree list, git status, git fsck, git merge-tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gp/worktree.h"
#include "tap.h"

static char root[4096];
static int nrepo;

/* shell helpers */

static int sh(const char *fmt, ...) GP_PRINTF(1, 2);
static int sh(const char *fmt, ...)
{
	struct strbuf cmd = STRBUF_INIT;
	va_list ap;
	int st;

	va_start(ap, fmt);
	strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd.buf);
	strbuf_release(&cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/*
 * The trimmed stdout of a command, in one of 4 static buffers used in turn
 * (so that a few results can be compared with each other).
 */
static struct strbuf outs[4] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
static const char *out_of(const char *fmt, ...) GP_PRINTF(1, 2);
static const char *out_of(const char *fmt, ...)
{
	static int turn;
	struct strbuf *out = &outs[turn++ % 4];
	struct strbuf cmd = STRBUF_INIT;
	char buf[4096];
	size_t n;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	strbuf_reset(out);
	fflush(stdout);
	if ((f = popen(cmd.buf, "r"))) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			strbuf_add(out, buf, n);
		pclose(f);
	}
	strbuf_trim(out);
	strbuf_release(&cmd);
	return out->buf;
}

static git_oid oid_of(const char *repo, const char *rev)
{
	git_oid oid;

	memset(&oid, 0, sizeof(oid));
	git_oid_fromstr(&oid, out_of("git -C '%s' rev-parse --verify -q '%s'", repo, rev));
	return oid;
}

static int exists(const char *fmt, ...) GP_PRINTF(1, 2);
static int exists(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ret = !lstat(sb.buf, &st);
	strbuf_release(&sb);
	return ret;
}

/* A fresh repository with 60 files in 5 directories and two commits on main. */
static char *make_repo(void)
{
	char *dir = xstrfmt("%s/repo%d", root, ++nrepo);

	if (sh("git -c init.defaultBranch=main init -q '%s' && cd '%s' && "
	       "for i in $(seq 1 60); do mkdir -p d$((i %% 5)); "
	       "printf 'line 1 of %%s\\nline 2\\nline 3\\nline 4\\nline 5\\n' $i >d$((i %% 5))/f$i.txt; done && "
	       "printf '*.log\\n' >.gitignore && git add -A && git commit -q -m initial && "
	       "echo more >>d0/f5.txt && git commit -q -a -m second", dir, dir))
		printf("# cannot make the repository '%s'\n", dir);
	return dir;
}

static void req_init(struct wt_request *r, const char *repo, const char *name, const char *wtdir)
{
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->branch = xstrfmt("refs/heads/parallel/%s", name);
	r->path = xstrfmt("%s/%s", wtdir, name);
	r->base = oid_of(repo, "main");
}

static void req_free(struct wt_request *r)
{
	free((char *)r->name);
	free((char *)r->branch);
	free((char *)r->path);
	wt_request_release(r);
}

static int fsck_ok(const char *repo)
{
	/* on failure, its output as TAP comments */
	return !sh("out=$(git -C '%s' fsck --full 2>&1) || { echo \"$out\" | sed 's/^/# /'; exit 1; }", repo);
}

static int listed(const char *repo, const char *path, const char *branch)
{
	return !sh("git -C '%s' worktree list --porcelain | grep -A2 -x 'worktree %s' | grep -qx 'branch %s'",
		   repo, path, branch);
}

/* tests */

static void test_create_four(void)
{
	char *repo = make_repo(), *gitdir = xstrfmt("%s/.git", repo);
	char *wtdir = xstrfmt("%s/wt/a/b", root);
	struct wt_request r[4];
	char name[16];
	git_oid before[4];
	int i, all = 1;

	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "T00%d", i + 1);
		req_init(&r[i], repo, name, wtdir);
	}
	is_int(worktree_create_many(gitdir, r, 4, 4), 0, "4 worktrees with 4 threads");
	for (i = 0; i < 4; i++) {
		ok(r[i].ok && !r[i].reused && !r[i].error, "%s ok, not reused (%s)", r[i].name,
		   r[i].error ? r[i].error : "no error");
		ok(listed(repo, r[i].path, r[i].branch), "git worktree list shows %s on its branch", r[i].name);
		is_str(out_of("git -C '%s' status --porcelain", r[i].path), "", "%s: git status is clean", r[i].name);
		is_str(out_of("git -C '%s' rev-parse --abbrev-ref HEAD", r[i].path),
		       r[i].branch + 11, "%s: HEAD is its branch", r[i].name);
		is_str(out_of("git -C '%s' ls-files | wc -l", r[i].path), "61", "%s: all files checked out", r[i].name);
		ok(exists("%s/d3/f13.txt", r[i].path), "%s: a file is in the worktree", r[i].name);
		before[i] = oid_of(r[i].path, "HEAD");
	}
	ok(fsck_ok(repo), "git fsck accepts the repository");

	/* the same requests again: reused, nothing changes */
	is_int(worktree_create_many(gitdir, r, 4, 4), 0, "the same requests again");
	for (i = 0; i < 4; i++) {
		git_oid now = oid_of(r[i].path, "HEAD");

		all &= r[i].ok && r[i].reused && git_oid_equal(&now, &before[i]);
	}
	ok(all, "all 4 reused, HEADs unchanged");
	is_str(out_of("git -C '%s' worktree list | wc -l", repo), "5", "still 5 worktrees");

	is_int(sh("git -C '%s' worktree remove '%s'", repo, r[3].path), 0, "git worktree remove accepts one");
	ok(fsck_ok(repo), "git fsck after git worktree remove");
	/* its branch is left: it is reused to make the worktree again */
	is_int(worktree_create_many(gitdir, r, 4, 2), 0, "again after git worktree remove");
	ok(r[3].ok && !r[3].reused && r[0].reused, "the removed one is made again, the others reused");
	ok(listed(repo, r[3].path, r[3].branch), "and git lists it");

	/* a registered worktree at another path, or on another branch */
	{
		struct wt_request x = r[0];

		x.path = r[1].path;
		x.error = NULL;
		is_int(worktree_create_many(gitdir, &x, 1, 1), -1, "registered at another path: fails");
		ok(x.error && strstr(x.error, "is at"), "says where it is (%s)", x.error ? x.error : "");
		wt_request_release(&x);
		x = r[0];
		x.branch = "refs/heads/parallel/other";
		x.error = NULL;
		is_int(worktree_create_many(gitdir, &x, 1, 1), -1, "registered on another branch: fails");
		ok(x.error && strstr(x.error, "is on 'parallel/T001', not on 'parallel/other'"),
		   "says which branch (%s)", x.error ? x.error : "");
		wt_request_release(&x);
	}

	/* the directory of a registered worktree deleted by hand: made again */
	sh("rm -rf '%s'", r[2].path);
	is_int(worktree_create_many(gitdir, &r[2], 1, 1), 0, "a worktree deleted by hand is made again");
	ok(r[2].ok && !r[2].reused && exists("%s/.git", r[2].path), "recreated");
	ok(fsck_ok(repo), "git fsck");

	for (i = 0; i < 4; i++)
		req_free(&r[i]);
	free(wtdir);
	free(gitdir);
	free(repo);
}

/* three rounds of 16 threads (one under GP_TEST_SMALL) */
static void test_create_sixteen(void)
{
	int round, i;

	for (round = 0; round < (int)tap_scale(3); round++) {
		char *repo = make_repo(), *gitdir = xstrfmt("%s/.git", repo);
		char *wtdir = xstrfmt("%s/wt16-%d", root, round);
		struct wt_request r[16];
		char name[16];
		int all = 1;

		for (i = 0; i < 16; i++) {
			snprintf(name, sizeof(name), "T1%02d", i);
			req_init(&r[i], repo, name, wtdir);
		}
		is_int(worktree_create_many(gitdir, r, 16, 16), 0, "16 at once, round %d", round + 1);
		for (i = 0; i < 16; i++) {
			if (!r[i].ok)
				printf("# %s: %s\n", r[i].name, r[i].error ? r[i].error : "?");
			all &= r[i].ok && listed(repo, r[i].path, r[i].branch);
		}
		ok(all, "all 16 listed by git on their branches, round %d", round + 1);
		ok(fsck_ok(repo), "git fsck, round %d", round + 1);
		is_str(out_of("git -C '%s' status --porcelain", r[15].path), "", "status of the last is clean");
		for (i = 0; i < 16; i++)
			req_free(&r[i]);
		free(wtdir);
		free(gitdir);
		free(repo);
	}
}

static int no_debris(const char *repo, const char *name)
{
	return fsck_ok(repo) && !exists("%s/.git/worktrees/%s", repo, name) &&
		sh("git -C '%s' rev-parse -q --verify refs/heads/parallel/%s >/dev/null", repo, name) &&
		!strstr(out_of("git -C '%s' worktree list --porcelain", repo), name);
}

static void test_existing_path(void)
{
	char *repo = make_repo(), *gitdir = xstrfmt("%s/.git", repo);
	char *wtdir = xstrfmt("%s/wt-existing", root), *want;
	struct wt_request r;

	req_init(&r, repo, "T010", wtdir);
	sh("mkdir -p '%s' && echo precious >'%s/keep.txt'", r.path, r.path);
	is_int(worktree_create_many(gitdir, &r, 1, 1), -1, "an existing directory: fails");
	want = xstrfmt("'%s' already exists and is not the worktree of task 'T010'", r.path);
	is_str(r.error, want, "the message names it");
	is_str(out_of("ls -A '%s'", r.path), "keep.txt", "the directory is untouched");
	is_str(out_of("cat '%s/keep.txt'", r.path), "precious", "its file too");
	ok(no_debris(repo, "T010"), "no debris: fsck, no admin dir, no branch");

	sh("rm -f '%s/keep.txt'", r.path);
	is_int(worktree_create_many(gitdir, &r, 1, 1), -1, "an existing empty directory: fails");
	is_str(r.error, want, "the message names it");
	is_str(out_of("ls -A '%s'", r.path), "", "still empty");
	ok(no_debris(repo, "T010"), "no debris");

	sh("rmdir '%s' && echo file >'%s'", r.path, r.path);
	is_int(worktree_create_many(gitdir, &r, 1, 1), -1, "an existing file: fails");
	is_str(r.error, want, "the message names it");
	is_str(out_of("cat '%s'", r.path), "file", "the file is untouched");
	ok(no_debris(repo, "T010"), "no debris");

	sh("rm -f '%s'", r.path);
	is_int(worktree_create_many(gitdir, &r, 1, 1), 0, "once removed, it works");

	free(want);
	req_free(&r);
	free(wtdir);
	free(gitdir);
	free(repo);
}

static void test_existing_branch(void)
{
	char *repo = make_repo(), *gitdir = xstrfmt("%s/.git", repo);
	char *wtdir = xstrfmt("%s/wt-branch", root);
	struct wt_request r[2];
	git_oid tip, after;

	req_init(&r[0], repo, "T020", wtdir);
	req_init(&r[1], repo, "T021", wtdir);
	/* branches git-parallel made, worktrees then removed by hand */
	is_int(worktree_create_many(gitdir, r, 2, 2), 0, "made by us");
	sh("cd '%s' && echo work >earlier.txt && git add earlier.txt && git commit -q -m 'earlier work' && "
	   "cd '%s' && git worktree remove '%s' && git worktree remove '%s' && "
	   "git branch -f parallel/T021 main~1", r[0].path, repo, r[0].path, r[1].path);
	tip = oid_of(repo, "parallel/T021");

	is_int(worktree_create_many(gitdir, r, 2, 2), -1, "one of the two fails");
	ok(r[0].ok && !r[0].reused, "a branch of ours containing base is used");
	is_str(out_of("git -C '%s' log -1 --format=%%s", r[0].path), "earlier work", "the worktree has its commit");
	ok(exists("%s/earlier.txt", r[0].path), "and its file");
	ok(!r[1].ok, "a branch not containing base: fails");
	is_str(r[1].error, "branch 'parallel/T021' exists and does not contain the base commit", "says so");
	after = oid_of(repo, "parallel/T021");
	ok(git_oid_equal(&tip, &after), "that branch is unchanged");
	ok(!exists("%s", r[1].path) && !exists("%s/.git/worktrees/T021", repo), "and nothing was created");
	ok(fsck_ok(repo), "git fsck");

	/* a branch of the user's with the task's name is never taken */
	sh("git -C '%s' branch -D -q parallel/T021 && git -C '%s' branch parallel/T021 main", repo, repo);
	tip = oid_of(repo, "parallel/T021");
	is_int(worktree_create_many(gitdir, &r[1], 1, 1), -1, "a branch made by the user: fails");
	is_str(r[1].error, "branch 'parallel/T021' already exists and was not made by git-parallel "
	       "for task 'T021'; it is left alone: rename it, or choose another parallel.branch-prefix",
	       "says so");
	after = oid_of(repo, "parallel/T021");
	ok(git_oid_equal(&tip, &after), "that branch is unchanged");
	ok(!exists("%s", r[1].path) && !exists("%s/.git/worktrees/T021", repo), "and nothing was created");

	/* a stale lock file of the branch */
	sh("git -C '%s' branch -D -q parallel/T021 && : >'%s/refs/heads/parallel/T021.lock'", repo, gitdir);
	is_int(worktree_create_many(gitdir, &r[1], 1, 1), -1, "a stale branch lock: fails");
	ok(r[1].error && strstr(r[1].error, "refs/heads/parallel/T021.lock' exists") &&
	   strstr(r[1].error, "remove that file"), "names the lock file and what to do (%s)",
	   r[1].error ? r[1].error : "");
	ok(!exists("%s", r[1].path) && !exists("%s/.git/worktrees/T021", repo), "and nothing was created");
	sh("rm -f '%s/refs/heads/parallel/T021.lock'", gitdir);
	is_int(worktree_create_many(gitdir, &r[1], 1, 1), 0, "once removed, it works");
	ok(fsck_ok(repo), "git fsck");

	req_free(&r[0]);
	req_free(&r[1]);
	free(wtdir);
	free(gitdir);
	free(repo);
}

static void test_incomplete(void)
{
	char *repo = make_repo(), *gitdir = xstrfmt("%s/.git", repo);
	char *wtdir = xstrfmt("%s/wt-incomplete", root);
	char *admin = xstrfmt("%s/worktrees/T060", gitdir);
	struct wt_request r;
	git_repository *grepo = NULL;
	struct strbuf what = STRBUF_INIT;

	req_init(&r, repo, "T060", wtdir);
	is_int(worktree_create_many(gitdir, &r, 1, 1), 0, "made");
	ok(exists("%s/gp-task", admin) && !exists("%s/gp-creating", admin), "marked ours, not creating");
	is_str(out_of("cat '%s/gp-task'", admin), "T060", "gp-task names the task");
	git_repository_open(&grepo, gitdir);
	is_int(worktree_is_task(grepo, "T060", r.path, r.branch), 1, "worktree_is_task: ours");
	is_int(worktree_branch_is_ours(grepo, r.branch, "T060"), 1, "its branch is ours");
	is_int(worktree_branch_is_ours(grepo, r.branch, "T061"), 0, "not another task's");
	is_int(worktree_incomplete(grepo, "T060", &what), 0, "complete");

	/* as a checkout killed halfway leaves it: marker, files missing, one partly written */
	sh("cd '%s' && : >'%s/gp-creating' && rm -r d1 d2 && echo partial >d3/f3.txt", r.path, admin);
	is_int(worktree_incomplete(grepo, "T060", &what), 1, "worktree_incomplete: debris");
	is_int(worktree_create_many(gitdir, &r, 1, 1), 0, "made again");
	ok(r.ok && !r.reused && r.redone, "not reused: redone");
	ok(exists("%s/d1/f1.txt", r.path) && !exists("%s/gp-creating", admin), "complete now");
	is_str(out_of("git -C '%s' status --porcelain", r.path), "", "git status is clean");

	/* something its checkout did not write: refused, untouched */
	sh("cd '%s' && : >'%s/gp-creating' && echo mine >mine.txt && rm d1/f1.txt", r.path, admin);
	strbuf_reset(&what);
	is_int(worktree_incomplete(grepo, "T060", &what), 2, "worktree_incomplete: might hold work");
	is_str(what.buf, "mine.txt", "names the file");
	is_int(worktree_create_many(gitdir, &r, 1, 1), -1, "refused");
	ok(r.error && strstr(r.error, "not completely created") && strstr(r.error, "(mine.txt)"),
	   "says why (%s)", r.error ? r.error : "");
	is_str(out_of("cat '%s/mine.txt'", r.path), "mine", "the file is kept");
	sh("rm '%s/mine.txt'", r.path);
	is_int(worktree_create_many(gitdir, &r, 1, 1), 0, "once moved away, made again");

	/* a complete worktree git-parallel did not mark: not reused */
	sh("rm '%s/gp-task'", admin);
	is_int(worktree_is_task(grepo, "T060", r.path, r.branch), 0, "worktree_is_task: not ours");
	is_int(worktree_create_many(gitdir, &r, 1, 1), -1, "not reused");
	ok(r.error && strstr(r.error, "was not made by git-parallel for task 'T060'"), "says so (%s)",
	   r.error ? r.error : "");
	ok(fsck_ok(repo), "git fsck");

	strbuf_release(&what);
	git_repository_free(grepo);
	req_free(&r);
	free(admin);
	free(wtdir);
	free(gitdir);
	free(repo);
}

static void test_failure_cleanup(void)
{
	char *repo = make_repo(), *gitdir = xstrfmt("%s/.git", repo);
	char *wtdir = xstrfmt("%s/wt-fail", root);
	const char *blob;
	char *obj;
	struct wt_request r;

	/* a blob missing from the object database: checkout fails midway */
	req_init(&r, repo, "T030", wtdir);
	blob = out_of("git -C '%s' rev-parse main:d2/f7.txt", repo);
	obj = xstrfmt("%s/objects/%.2s/%s", gitdir, blob, blob + 2);
	ok(!sh("mv '%s' '%s.away'", obj, obj), "hide a blob");
	is_int(worktree_create_many(gitdir, &r, 1, 1), -1, "checkout fails");
	ok(r.error && strstr(r.error, "cannot create the worktree of task 'T030'"), "says so (%s)",
	   r.error ? r.error : "");
	ok(!exists("%s", r.path), "no worktree directory");
	ok(!exists("%s/.git/worktrees/T030", repo), "no admin directory");
	ok(sh("git -C '%s' rev-parse -q --verify refs/heads/parallel/T030", repo), "no branch");
	ok(!sh("mv '%s.away' '%s'", obj, obj), "restore the blob");
	ok(no_debris(repo, "T030"), "git fsck and no debris");
	is_int(worktree_create_many(gitdir, &r, 1, 1), 0, "a retry succeeds");
	ok(r.ok && listed(repo, r.path, r.branch), "and git lists it");
	req_free(&r);

	/* the parent of the path is a regular file */
	sh("echo x >'%s/afile'", root);
	req_init(&r, repo, "T031", wtdir);
	free((char *)r.path);
	r.path = xstrfmt("%s/afile/T031", root);
	is_int(worktree_create_many(gitdir, &r, 1, 1), -1, "the parent is a file: fails");
	ok(r.error && strstr(r.error, "cannot create directory"), "says so (%s)", r.error ? r.error : "");
	ok(no_debris(repo, "T031"), "no debris");
	is_str(out_of("cat '%s/afile'", root), "x", "the file is untouched");
	req_free(&r);

	/* an unwritable parent (only when not root: root writes anyway) */
	if (geteuid()) {
		req_init(&r, repo, "T032", wtdir);
		sh("mkdir -p '%s' && chmod 0555 '%s'", wtdir, wtdir);
		is_int(worktree_create_many(gitdir, &r, 1, 1), -1, "an unwritable parent: fails");
		ok(no_debris(repo, "T032"), "no debris");
		sh("chmod 0755 '%s'", wtdir);
		is_int(worktree_create_many(gitdir, &r, 1, 1), 0, "writable again: a retry succeeds");
		req_free(&r);
	} else {
		ok(1, "# skip unwritable parent: running as root");
	}

	/* debris of a crashed libgit2 add: an admin directory without HEAD */
	req_init(&r, repo, "T033", wtdir);
	sh("mkdir -p '%s/worktrees/T033' && echo '%s/.git' >'%s/worktrees/T033/gitdir'", gitdir, r.path, gitdir);
	is_int(worktree_create_many(gitdir, &r, 1, 1), 0, "stale admin debris is pruned and the worktree made");
	ok(listed(repo, r.path, r.branch) && fsck_ok(repo), "git lists it, fsck");
	req_free(&r);

	free(obj);
	free(wtdir);
	free(gitdir);
	free(repo);
}

static void test_dirty_remove(void)
{
	char *repo = make_repo(), *gitdir = xstrfmt("%s/.git", repo);
	char *wtdir = xstrfmt("%s/wt-dirty", root);
	struct wt_request r[4];
	struct strlist paths = STRLIST_INIT;
	git_repository *g = NULL;
	const char *why = NULL;
	int i;

	req_init(&r[0], repo, "T040", wtdir);
	req_init(&r[1], repo, "T041", wtdir);
	req_init(&r[2], repo, "T042", wtdir);
	req_init(&r[3], repo, "T043", wtdir);
	is_int(worktree_create_many(gitdir, r, 4, 3), 0, "4 worktrees with 3 threads");

	is_int(worktree_dirty(r[0].path, &paths), 0, "a fresh worktree is clean");
	sh("cd '%s' && echo changed >>d1/f1.txt && echo new >new.txt && mkdir -p sub/dir && "
	   "echo deep >sub/dir/a.txt && echo ignored >x.log", r[0].path);
	is_int(worktree_dirty(r[0].path, &paths), 3, "modified, untracked, untracked in a new directory");
	ok(strlist_has(&paths, "d1/f1.txt") && strlist_has(&paths, "new.txt") &&
	   strlist_has(&paths, "sub/dir/a.txt"), "named");
	ok(!strlist_has(&paths, "x.log"), "the ignored file is not counted");
	strlist_clear(&paths);
	sh("cd '%s' && git add new.txt && rm d2/f2.txt", r[0].path);
	is_int(worktree_dirty(r[0].path, NULL), 4, "staged and deleted count too");
	ok(worktree_dirty(root, NULL) < 0, "not a repository: -1");

	if (git_repository_open(&g, gitdir) < 0) {
		ok(0, "open %s", gitdir);
		goto out;
	}
	is_int(worktree_remove(g, "T040", 0, &why), 1, "a dirty worktree is refused");
	is_str(why, "it has uncommitted changes", "why");
	ok(exists("%s/new.txt", r[0].path) && listed(repo, r[0].path, r[0].branch), "it is all still there");

	is_int(worktree_remove(g, "T041", 0, &why), 0, "a clean worktree is removed");
	ok(!exists("%s", r[1].path), "its directory is gone");
	ok(!listed(repo, r[1].path, r[1].branch) && !strstr(out_of("git -C '%s' worktree list", repo), "T041"),
	   "git worktree list no longer has it");
	ok(!sh("git -C '%s' rev-parse -q --verify refs/heads/parallel/T041 >/dev/null", repo), "its branch stays");
	ok(fsck_ok(repo), "git fsck");

	sh("rm -rf '%s'", r[2].path);
	is_int(worktree_remove(g, "T042", 0, &why), 0, "a worktree deleted by hand is pruned");
	ok(!exists("%s/worktrees/T042", gitdir) && !strstr(out_of("git -C '%s' worktree list", repo), "T042"),
	   "its metadata is gone");
	ok(!sh("git -C '%s' rev-parse -q --verify refs/heads/parallel/T042 >/dev/null", repo), "its branch stays");

	is_int(worktree_remove(g, "T040", 1, &why), 0, "forced, the dirty one goes");
	ok(!exists("%s", r[0].path) && fsck_ok(repo), "gone, git fsck");
	ok(worktree_remove(g, "T099", 0, &why) < 0, "an unknown worktree: -1");

	sh("git -C '%s' worktree lock --reason testing '%s'", repo, r[3].path);
	is_int(worktree_remove(g, "T043", 0, &why), 1, "a locked worktree is refused");
	is_str(why, "it is locked", "why");
	ok(exists("%s/.git", r[3].path), "it is still there");
	is_int(worktree_remove(g, "T043", 1, &why), 0, "forced, the locked one goes");
	ok(!exists("%s", r[3].path) && fsck_ok(repo), "gone, git fsck");
	is_str(out_of("git -C '%s' worktree list | wc -l", repo), "1", "only the main worktree is left");
out:
	git_repository_free(g);
	for (i = 0; i < 4; i++)
		req_free(&r[i]);
	free(wtdir);
	free(gitdir);
	free(repo);
}

static void test_commit_all(void)
{
	char *repo = make_repo(), *gitdir = xstrfmt("%s/.git", repo);
	char *wtdir = xstrfmt("%s/wt-commit", root);
	struct wt_request r;
	git_oid head, before, now;
	int committed = -1;

	req_init(&r, repo, "T050", wtdir);
	is_int(worktree_create_many(gitdir, &r, 1, 1), 0, "a worktree");
	before = oid_of(r.path, "HEAD");
	sh("cd '%s' && echo new >added.txt && echo more >>d1/f1.txt && rm d2/f2.txt && echo x >build.log",
	   r.path);
	is_int(worktree_commit_all(r.path, "T050: do things", &committed, &head), 0, "commit all");
	is_int(committed, 1, "committed");
	now = oid_of(r.path, "HEAD");
	ok(git_oid_equal(&now, &head), "*head is the new HEAD");
	now = oid_of(repo, "parallel/T050");
	ok(git_oid_equal(&now, &head), "on the branch");
	now = oid_of(r.path, "HEAD~1");
	ok(git_oid_equal(&now, &before), "one commit on top of the old HEAD");
	is_str(out_of("git -C '%s' log -1 --format=%%s", r.path), "T050: do things", "the message");
	is_str(out_of("git -C '%s' show --name-status --format= HEAD | tr '\\t\\n' ' '", r.path),
	       "A added.txt M d1/f1.txt D d2/f2.txt", "added, modified, deleted; the ignored file not");
	is_str(out_of("git -C '%s' status --porcelain", r.path), "", "git status is clean");
	is_str(out_of("git -C '%s' log -1 --format='%%an <%%ae>'", r.path), "A U Thor <author@example.com>",
	       "the author from GIT_AUTHOR_*");

	committed = -1;
	is_int(worktree_commit_all(r.path, "nothing", &committed, &now), 0, "nothing to commit");
	is_int(committed, 0, "committed == 0");
	ok(git_oid_equal(&now, &head), "*head is HEAD");

	/* no identity anywhere: the fallback */
	unsetenv("GIT_AUTHOR_NAME");
	unsetenv("GIT_AUTHOR_EMAIL");
	unsetenv("GIT_COMMITTER_NAME");
	unsetenv("GIT_COMMITTER_EMAIL");
	sh("cd '%s' && echo again >>added.txt", r.path);
	is_int(worktree_commit_all(r.path, "fallback", &committed, &head), 0, "commit without an identity");
	is_str(out_of("git -C '%s' log -1 --format='%%an <%%ae> %%cn <%%ce>'", r.path),
	       "git-parallel <git-parallel@localhost> git-parallel <git-parallel@localhost>", "the fallback signature");
	sh("git -C '%s' config user.name 'Con Fig' && git -C '%s' config user.email cf@example.com", repo, repo);
	sh("cd '%s' && echo third >>added.txt", r.path);
	is_int(worktree_commit_all(r.path, "config", &committed, &head), 0, "commit with user.name in config");
	is_str(out_of("git -C '%s' log -1 --format='%%an <%%ae>'", r.path), "Con Fig <cf@example.com>",
	       "user.name and user.email");
	setenv("GIT_AUTHOR_NAME", "A U Thor", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "C O Mitter", 1);
	setenv("GIT_COMMITTER_EMAIL", "committer@example.com", 1);

	sh("git -C '%s' checkout -q --detach", r.path);
	ok(worktree_commit_all(r.path, "detached", &committed, &head) < 0, "a detached HEAD: -1");
	ok(worktree_commit_all(root, "not a repo", &committed, &head) < 0, "not a repository: -1");

	req_free(&r);
	free(wtdir);
	free(gitdir);
	free(repo);
}

/* The tree of the merge of a and b by git merge-tree. */
static const char *merge_tree(const char *repo, const char *a, const char *b)
{
	return out_of("git -C '%s' merge-tree --write-tree $(git -C '%s' rev-parse %s) $(git -C '%s' rev-parse %s) | head -1",
		      repo, repo, a, repo, b);
}

static void test_merge_base(void)
{
	char *repo = make_repo();
	git_repository *g = NULL;
	struct strlist conflicts = STRLIST_INIT;
	git_oid base, heads[3], out, want;
	git_commit *c = NULL;
	char hex[GIT_OID_HEXSZ + 1];

	sh("cd '%s' && "
	   "git checkout -q -b A main && sed -i 's/line 3/line 3 A/' d1/f1.txt && git commit -q -a -m A && "
	   "git checkout -q -b B main && sed -i 's/line 3/line 3 B/' d2/f2.txt && git commit -q -a -m B && "
	   "git checkout -q -b C main && sed -i 's/line 3/line 3 C/' d1/f1.txt && git commit -q -a -m C && "
	   "git checkout -q -b A2 A && echo a2 >a2.txt && git add a2.txt && git commit -q -m A2 && "
	   "git checkout -q -b E main~1 && echo e >e.txt && git add e.txt && git commit -q -m E && "
	   "git checkout -q main", repo);
	if (git_repository_open(&g, repo) < 0) {
		ok(0, "open %s", repo);
		goto out;
	}
	base = oid_of(repo, "main");

	is_int(worktree_merge_base(g, &base, heads, 0, &out, &conflicts), 0, "no heads");
	ok(git_oid_equal(&out, &base), "base");

	heads[0] = oid_of(repo, "A");
	is_int(worktree_merge_base(g, &base, heads, 1, &out, &conflicts), 0, "one head");
	ok(git_oid_equal(&out, &heads[0]), "that head");

	heads[1] = oid_of(repo, "B");
	is_int(worktree_merge_base(g, &base, heads, 2, &out, &conflicts), 0, "two heads, different files");
	git_oid_tostr(hex, sizeof(hex), &out);
	is_str(out_of("git -C '%s' rev-parse %s^{tree}", repo, hex), merge_tree(repo, "A", "B"),
	       "the tree git merge-tree writes");
	{
		char *want_line = xstrfmt("%s %s git-parallel: merge of dependencies",
					  out_of("git -C '%s' rev-parse A", repo),
					  out_of("git -C '%s' rev-parse B", repo));

		is_str(out_of("git -C '%s' log -1 --format='%%P %%s' %s", repo, hex), want_line,
		       "parents A B and the message");
		free(want_line);
	}
	ok(!sh("git -C '%s' cat-file -e %s", repo, hex), "the commit is in the object database");
	{
		git_oid again;

		sleep(1);
		is_int(worktree_merge_base(g, &base, heads, 2, &again, &conflicts), 0, "the same merge again");
		ok(git_oid_equal(&again, &out), "gives the same commit, a second later");
	}
	is_str(out_of("git -C '%s' for-each-ref --points-at %s", repo, hex), "", "no ref points at it");

	heads[1] = oid_of(repo, "A2");
	is_int(worktree_merge_base(g, &base, heads, 2, &out, &conflicts), 0, "A and its descendant A2");
	ok(git_oid_equal(&out, &heads[1]), "fast-forward: A2, no merge commit");

	heads[1] = oid_of(repo, "C");
	is_int(worktree_merge_base(g, &base, heads, 2, &out, &conflicts), 1, "conflicting edits: 1");
	is_int(conflicts.nr, 1, "one conflicting path");
	is_str(conflicts.nr ? conflicts.v[0] : NULL, "d1/f1.txt", "named");
	strlist_clear(&conflicts);

	heads[0] = oid_of(repo, "E");
	is_int(worktree_merge_base(g, &base, heads, 1, &out, &conflicts), 0, "a head without base");
	git_oid_tostr(hex, sizeof(hex), &out);
	is_str(out_of("git -C '%s' rev-parse %s^{tree}", repo, hex), merge_tree(repo, "E", "main"),
	       "base merged into it");
	want = oid_of(repo, "E");
	ok(!git_commit_lookup(&c, g, &out) && git_commit_parentcount(c) == 2 &&
	   git_oid_equal(git_commit_parent_id(c, 0), &want) &&
	   git_oid_equal(git_commit_parent_id(c, 1), &base), "parents E and base");
	ok(fsck_ok(repo), "git fsck");
out:
	git_commit_free(c);
	git_repository_free(g);
	strlist_clear(&conflicts);
	free(repo);
}

int main(void)
{
	char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/gp-t-worktree-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	{
		char *real = realpath(root, NULL);

		snprintf(root, sizeof(root), "%s", real);
		free(real);
	}
	/* no user or system configuration; a fixed identity for the git CLI */
	setenv("HOME", root, 1);
	unsetenv("XDG_CONFIG_HOME");
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_COMMON_DIR");
	setenv("GIT_AUTHOR_NAME", "A U Thor", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "C O Mitter", 1);
	setenv("GIT_COMMITTER_EMAIL", "committer@example.com", 1);
	setenv("GIT_AUTHOR_DATE", "1112911993 -0700", 1);
	setenv("GIT_COMMITTER_DATE", "1112911993 -0700", 1);
	git_libgit2_init();

	test_create_four();
	test_create_sixteen();
	test_existing_path();
	test_existing_branch();
	test_incomplete();
	test_failure_cleanup();
	test_dirty_remove();
	test_commit_all();
	test_merge_base();

	git_libgit2_shutdown();
	for (size_t i = 0; i < ARRAY_SIZE(outs); i++)
		strbuf_release(&outs[i]);
	if (getenv("GP_KEEP_TRASH"))
		printf("# kept %s\n", root);
	else
		sh("chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", root, root);
	return tap_done();
}
