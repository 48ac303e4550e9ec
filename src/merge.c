/*
 * git parallel merge: in-memory merges of finished tasks into the target,
 * one compare-and-swap of the target ref, and a checked-out target brought
 * to the new tip by git read-tree -m -u (TECH-NOTES.md "Updating a branch
 * safely").
 *
 * The order, chosen so that a failure or a crash at any instant leaves the
 * old state or the new state:
 *   1. finish an interrupted merge (the journal), if any;
 *   2. the checked-out target (if any) must be clean and its index.lock
 *      absent, else nothing happens (its git status runs alongside 3 and
 *      is heard before 4: a refusal drops what 3 computed);
 *   3. every merge is computed in memory, each on top of the previous
 *      result (objects only: commits nobody points at yet);
 *   4. the journal is written: old tip, new tip, what merged;
 *   5. the checked-out worktree is checked again under its index.lock (from
 *      the index's stat data when they can tell, else git status), then
 *      the ref moves once, by compare-and-swap, from the old tip to the
 *      new one;
 *   6. the worktree is updated with git read-tree -m -u <old> <new>, which
 *      takes index.lock before it writes any file and checks everything it
 *      will touch up front; if it fails, the ref is put back (again by
 *      compare-and-swap) and the worktree was never touched;
 *   7. task states are written, the journal is removed.
 * A crash before 5 leaves the old state (the journal is discarded next
 * time); after 5, the next merge sees the ref at the journal's new tip,
 * updates the worktree if it still holds the old tree, and records the
 * merged tasks.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <git2/sys/hashsig.h>
#include <git2/sys/index.h>

#include "gp/check.h"
#include "gp/gitmerge.h"
#include "gp/indexstat.h"
#include "gp/merge.h"
#include "gp/mergebase.h"
#include "gp/runner.h"
#include "gp/spawn.h"
#include "gp/worktree.h"


#define FALLBACK_NAME "git-parallel"
#define FALLBACK_EMAIL "git-parallel@localhost"

static const char *const outcome_names[] = {
	"merged", "conflict", "verify-failed", "skipped", "failed", "held",
};

const char *merge_outcome_name(enum merge_outcome o)
{
	return (size_t)o < ARRAY_SIZE(outcome_names) ? outcome_names[o] : "unknown";
}

void merge_run_init(struct merge_run *m)
{
	memset(m, 0, sizeof(*m));
	strlist_init(&m->dirty);
}

static void conflict_release(struct merge_conflict *c)
{
	free(c->path);
	free(c->ours);
	free(c->theirs);
	strlist_clear(&c->with);
}

void merge_run_release(struct merge_run *m)
{
	size_t i, k;

	for (i = 0; i < m->nr; i++) {
		struct merge_result *r = &m->results[i];

		for (k = 0; k < r->conflicts_nr; k++)
			conflict_release(&r->conflicts[k]);
		free(r->conflicts);
		free(r->reason);
		strlist_clear(&r->undeclared);
	}
	free(m->results);
	free(m->target);
	free(m->checkout);
	free(m->why);
	free(m->recovered);
	strlist_clear(&m->dirty);
	merge_run_init(m);
}

/* Everything one merge_tasks() call shares. */
/*
 * What the tip changed since a task's merge base, kept across the merges
 * of one run: valid for exactly those two trees (the tip moves with
 * every merge; tasks may have other merge bases).
 */
struct tip_side {
	int valid;
	git_oid base_tree, tip_tree;
	struct tree_side side;
	/*
	 * merge_disjoint()'s tree (next_tree, from tip_tree) is the tip's
	 * tree with these changes (from base) put in: once it is the tip,
	 * side gets them instead of a new diff
	 */
	git_oid next_tree;
	struct tree_change *next;	/* paths owned (xstrdup) */
	size_t next_nr, next_alloc;
};

struct mctx {
	struct session *s;
	git_repository *repo;
	const struct merge_opts *opts;
	struct merge_run *m;
	char *checkout_gitdir;	/* admin directory of the checked-out worktree */
	int *merged_now;	/* plan index -> merged in this run (or already) */
	struct strlist *touched;	/* plan index -> paths its work changed */
	int *touched_ok;
	git_oid *origin;	/* plan index -> where its work begins (task_origin()) */
	char *origin_ok;
	git_signature *author, *committer;
	int index_locked;	/* we hold the checked-out target's index.lock */
	int settled;		/* settle_checkout() changed files */
	struct spawn status;	/* checkout_ready_start()'s git status, till checkout_ready_finish() */
	struct stat status_index;	/* the index that git status read */
	struct stat copied_index;	/* the index index_copy_quiet() copied */
	struct timespec status_from;	/* before it started, on the index's filesystem (or 0) */
	int status_clean;	/* and it found every file clean: copy_stat_clean() */
	int clean_at_old;	/* git status, under our index.lock, found the checkout clean */
	int copy_ready;		/* and index.gp-merge is the index, every file as it says */
	int ret;		/* update_failed(): what merge_tasks() returns */
	struct tip_side tip;
	/* prepare(): the current task's merge bases with the tip (nbases: how many) */
	git_oid mbase;
	size_t nbases;
	git_oid *bases;		/* all nbases of them (mbase among them), for need_git() */
	size_t bases_alloc;
	/* vbase_entry(): the merge bases of pairs of merge bases, once per pair */
	struct vb_memo {
		git_oid a, b;
		git_oid *mb;
		size_t n;
		int ok;		/* mergebase_all() answered */
	} *vb_memo;
	size_t vb_memo_nr, vb_memo_alloc;
	/*
	 * Where git must have its say (gitmerge_needed()) and libgit2
	 * merged cleanly, the loop goes on with libgit2's tree while git
	 * merges the same pair in the background (up to spec_jobs at a
	 * time); each answer must be that very tree, clean, or the loop
	 * runs again from the start, waiting for git at each such merge.
	 */
	int speculate, spec_failed;
	size_t spec_jobs;
	struct pending_git {
		struct gitmerge_child *gc;	/* its own git merge-tree, or */
		long cf_idx;			/* c->cf_bg's answer numbered so */
		git_oid ours, theirs;	/* what git merges (for c->answers) */
		git_oid tree;	/* libgit2's clean tree, which git must give */
		/* or: a conflict guessed from the scripts, at exactly these paths */
		int conflict;
		struct strlist paths;
	} *pending;
	size_t pending_nr, pending_alloc, pending_done;
	/*
	 * git merge-tree --stdin, started at the first merge git is asked
	 * for: one for the background (git_start()), one waited for
	 * (git_answer()), so that an answer waited for never queues behind
	 * confirmations; cf_off: it cannot run, a process per merge
	 */
	struct gitmerge_confirmer *cf_bg, *cf_sync;
	int cf_off;
	/*
	 * need_git(): the files both sides modified, merged by libgit2 in a
	 * merge that is otherwise disjoint, as a pair of commits holding
	 * only them (from a commit holding their base versions), and the
	 * tree git must give for it: git confirms those file merges alone.
	 */
	int mb_by_git;		/* libgit2's merge-base walk was slow: ask git */
	struct mergebase *mb_graph;	/* merge bases from the commit-graph, when there is one */
	struct tree_cache *trees;	/* the tip's trees merge_disjoint() wrote */
	int syn_valid;
	git_oid syn_ours, syn_theirs, syn_expect;
	/*
	 * merge_disjoint() merged every file both sides modified as git
	 * does, from git's own line scripts (scripts_merge()): git has
	 * nothing to confirm
	 */
	int syn_none;
	/* the scripts: one git diff-tree kept running, its answers kept by blob pair */
	struct gitmerge_differ *differ;
	int scripts_off;	/* cannot be used (config, or git could not answer) */
	int config_checked;
	struct strmap scripts;
	git_oid empty_tree;
	int has_empty_tree;
	int refine;		/* gitmerge_conflict_refine() */
	/*
	 * merge_disjoint() returned 2: git's content merge conflicts on
	 * these files (gitmerge_scripts_merge()), and on nothing else; in
	 * the order today's report names them (libgit2's conflicts first)
	 */
	struct strlist guess;
	int test_guess;		/* GIT_PARALLEL_TEST_GUESS: GUESS_OFF, GUESS_ALL (t/README) */
	/*
	 * git's answers in this merge, by pair of commits: a guess git
	 * overturned runs merge_all() again, which asks git only for pairs
	 * it has not answered yet
	 */
	struct git_answer {
		git_oid ours, theirs;
		int ok;		/* gitmerge_run()'s return */
		struct gitmerge g;
	} *answers;
	size_t answers_nr, answers_alloc;
	size_t cur_task;	/* need_git(): the task it merges (plan index), else SIZE_MAX */
	int renames_costly;	/* need_git(): libgit2's rename detection would be slow (renames_costly()) */
	const char *git_how;	/* merge_one(): how git had its say, for merge_log() */
	struct strmap text_merge;	/* path -> 1 + gitmerge_text_merge(), asked once */
	/* the task merged after this one (plan index) and its head, for prefetch_scripts() */
	size_t next_task;
	git_oid next_head;
	int has_next_head;
};

/* signatures: GIT_{AUTHOR,COMMITTER}_{NAME,EMAIL} as git, else the config */

static int sig_from_env(git_signature **out, const char *nv, const char *ev)
{
	const char *name = getenv(nv), *email = getenv(ev);

	if (!name || !*name || !email || !*email)
		return GIT_ENOTFOUND;
	return git_signature_now(out, name, email);
}

static int make_signatures(struct mctx *c)
{
	git_signature *def = NULL;
	int ret = 0;

	if (git_signature_default(&def, c->repo) < 0 &&
	    git_signature_now(&def, FALLBACK_NAME, FALLBACK_EMAIL) < 0)
		return error("cannot make a commit signature: %s", gp_git_error());
	if (sig_from_env(&c->author, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL") < 0 &&
	    git_signature_dup(&c->author, def) < 0)
		ret = -1;
	if (sig_from_env(&c->committer, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL") < 0 &&
	    git_signature_dup(&c->committer, def) < 0)
		ret = -1;
	if (ret)
		error("cannot make a commit signature: %s", gp_git_error());
	git_signature_free(def);
	return ret;
}

/* child processes: no shell for git, git's repository variables as spawn.h sets them */

/*
 * Start argv (argv[0] looked up in PATH) in cwd, on the repository
 * sp->git_dir and work tree sp->work_tree the caller set (NULL: found
 * from cwd), extra added to its environment; its stdout into a pipe
 * (sp->out_fd) when capture, else to our stderr (stdout is for the
 * report); stdin from /dev/null.  The signals a merge defers (see
 * block_signals()) are unblocked in the child unless keep_mask: git
 * read-tree keeps them blocked, so that a Ctrl-C on the terminal cannot
 * stop it halfway.  0, or -1 (reported).
 */
static int child_start(struct spawn *sp, const char *const *argv, const char *cwd,
		       const char *const *extra, int capture, int keep_mask)
{
	sp->argv = argv;
	sp->dir = cwd;
	sp->env = extra;
	sp->in = SPAWN_NULL;
	sp->out = capture ? SPAWN_PIPE : 2;
	sp->flags = SPAWN_FORK_FALLBACK | (keep_mask ? 0 : SPAWN_UNBLOCK);
	if (spawn_start(sp) < 0)
		return error_errno("cannot fork");
	return 0;
}

/*
 * child_start()'s child: its stdout (when captured) read into *out, its
 * end waited for.  Returns the exit status, 128 + signal when killed, -1
 * when it could not be waited for.
 */
static int child_finish(struct spawn *sp, const char *const *argv, struct strbuf *out)
{
	int rc = spawn_finish(sp, out, 0);

	if (rc == -1)
		return error_errno("cannot wait for '%s'", argv[0]);
	if (sp->signal)
		error("'%s %s' was killed by %s", argv[0], argv[1] ? argv[1] : "",
		      runner_signal_name(sp->signal));
	return rc;
}

/*
 * Run argv in cwd on the repository git_dir and work tree work_tree
 * (NULL: found from cwd); its output into out when given.  Returns the
 * exit status, 128 + signal when killed, -1 when it could not run.
 */
static int run_child_io(const char *const *argv, const char *cwd, const char *git_dir,
			const char *work_tree, const char *const *extra, struct strbuf *out,
			int keep_mask)
{
	struct spawn sp = SPAWN_INIT;

	sp.git_dir = git_dir;
	sp.work_tree = work_tree;
	if (child_start(&sp, argv, cwd, extra, out != NULL, keep_mask) < 0)
		return -1;
	return child_finish(&sp, argv, out);
}

static int run_child(const char *const *argv, const char *cwd, const char *git_dir)
{
	return run_child_io(argv, cwd, git_dir, NULL, NULL, NULL, 0);
}

/* A test-only hook (GIT_PARALLEL_TEST_HOOK_<STAGE>): a shell command. */
static void test_hook(const char *var)
{
	const char *cmd = getenv(var);

	if (cmd && *cmd) {
		const char *argv[] = { "/bin/sh", "-c", cmd, NULL };

		run_child(argv, NULL, NULL);	/* git finds its repository from our cwd */
	}
}

/* the checked-out target */

static char *trim_slash(const char *p)
{
	char *s = xstrdup(p);
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* Does the HEAD file in gitdir point at ref? */
static int head_is(const char *gitdir, const char *ref)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/HEAD", gitdir);
	int ret = 0;

	if (!strbuf_read_file(&sb, path)) {
		strbuf_trim(&sb);
		ret = !strncmp(sb.buf, "ref: ", 5) && !strcmp(sb.buf + 5, ref);
	}
	strbuf_release(&sb);
	free(path);
	return ret;
}

/*
 * The main worktree of the repository whose common dir is common, caller
 * frees; NULL (reported) when it cannot be found.  Opened from the main
 * worktree, that is our own work tree.  Otherwise libgit2 guesses the
 * common dir's parent, which is wrong for a separate git directory
 * (git init --separate-git-dir: only the worktree's .git file knows where
 * it is): the guess is only taken when it is a work tree of this very
 * repository.
 */
static char *main_worktree(struct mctx *c, const char *common)
{
	git_repository *main = NULL, *guess = NULL;
	char *ret = NULL, *a = NULL, *b = NULL;

	if (!git_repository_is_worktree(c->repo) && git_repository_workdir(c->repo))
		return trim_slash(git_repository_workdir(c->repo));
	if (!git_repository_open_ext(&main, common, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) &&
	    git_repository_workdir(main) &&
	    !git_repository_open_ext(&guess, git_repository_workdir(main),
				     GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) &&
	    (a = realpath(git_repository_commondir(guess), NULL)) &&
	    (b = realpath(common, NULL)) && !strcmp(a, b))
		ret = trim_slash(git_repository_workdir(main));
	git_error_clear();
	if (!ret)
		error("'%s' is checked out in the main worktree, which cannot be found from here "
		      "(a separate git directory?): run 'git parallel merge' in the main worktree",
		      short_ref(c->m->target));
	free(a);
	free(b);
	git_repository_free(guess);
	git_repository_free(main);
	return ret;
}

/* Find the worktree (main or linked) that has ref checked out. */
static int find_checkout(struct mctx *c, const char *ref)
{
	char *common = trim_slash(c->s->gitdir);
	git_repository *main = NULL;
	git_strarray names = { 0 };
	size_t i;
	int ret = 0;

	if (head_is(common, ref) && !git_repository_open_bare(&main, common)) {
		/* the main worktree, unless bare */
		git_repository_free(main);
		main = NULL;
		if (!git_repository_open_ext(&main, common, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) &&
		    git_repository_workdir(main)) {
			if (!(c->m->checkout = main_worktree(c, common)))
				ret = -1;
			else
				c->checkout_gitdir = xstrdup(common);
			goto out;
		}
	}
	if (git_worktree_list(&names, c->repo) < 0)
		goto out;
	for (i = 0; i < names.count; i++) {
		char *admin = xstrfmt("%s/worktrees/%s", common, names.strings[i]);
		git_worktree *wt = NULL;

		if (head_is(admin, ref) && !git_worktree_lookup(&wt, c->repo, names.strings[i]) &&
		    !access(git_worktree_path(wt), F_OK)) {
			c->m->checkout = trim_slash(git_worktree_path(wt));
			c->checkout_gitdir = admin;
			git_worktree_free(wt);
			break;
		}
		git_worktree_free(wt);
		free(admin);
	}
out:
	git_strarray_dispose(&names);
	git_repository_free(main);
	free(common);
	return ret;
}

/*
 * Dirty paths of the checked-out target, as git status sees them: git
 * refreshes stale stat data first (a touched file is clean) and leaves
 * skip-worktree paths of a sparse checkout alone.  Untracked files are
 * not dirt: as with git merge, only those in the merge's way stop it
 * (untracked_in_the_way(), once the merged tree is known).  Fills dirty;
 * returns their number, or -1 (reported).
 */
static const char *const status_argv[] = {
	/* --no-optional-locks: status must not write the index (it dies on a full disk) */
	"git", "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=no", NULL
};

/* The paths in git status's output out (its exit code rc) into dirty: how many, or -1 (reported). */
static int dirty_parse(struct mctx *c, int rc, const struct strbuf *out, struct strlist *dirty)
{
	size_t i = 0;
	int n = 0;

	if (rc != 0)
		return error("cannot read the status of '%s' (git status failed, see above)",
			     c->m->checkout);
	while (i + 3 < out->len) {
		const char *e = out->buf + i;
		size_t len = strlen(e);

		strlist_push(dirty, e + 3);
		n++;
		i += len + 1;
		if (e[0] == 'R' || e[0] == 'C')
			i += strlen(out->buf + i) + 1;	/* the rename's source */
	}
	return n;
}

static int checkout_dirty(struct mctx *c, struct strlist *dirty)
{
	struct strbuf out = STRBUF_INIT;
	int n = dirty_parse(c, run_child_io(status_argv, c->m->checkout, c->checkout_gitdir,
					    c->m->checkout, NULL, &out, 1), &out, dirty);

	strbuf_release(&out);
	return n;
}

/* Refuse (1, MS_REFUSED) when another git process holds the checkout's index.lock; else 0. */
static int checkout_locked(struct mctx *c)
{
	char *lock = xstrfmt("%s/index.lock", c->checkout_gitdir);
	int ret = 0;

	if (!c->index_locked && !access(lock, F_OK)) {
		free(c->m->why);
		c->m->why = xstrfmt("'%s' exists: another git process is using the worktree '%s' "
				    "(if none is, remove the file)", lock, c->m->checkout);
		c->m->status = MS_REFUSED;
		ret = 1;
	}
	free(lock);
	return ret;
}

/* n dirty paths in m->dirty (checkout_dirty()): 0 clean, 1 refused (MS_REFUSED), -1 error. */
static int refuse_dirty(struct mctx *c, int n)
{
	if (n <= 0)
		return n;
	free(c->m->why);
	c->m->why = xstrfmt("'%s' is checked out in '%s', which has uncommitted changes",
			    short_ref(c->m->target), c->m->checkout);
	c->m->status = MS_REFUSED;
	return 1;
}

/* The checked-out target must be clean, its index unlocked.  0 ready, 1 refused, -1 error. */
static int checkout_ready(struct mctx *c)
{
	if (!c->m->checkout)
		return 0;
	if (checkout_locked(c))
		return 1;
	strlist_clear(&c->m->dirty);
	return refuse_dirty(c, checkout_dirty(c, &c->m->dirty));
}

/*
 * Before our index.lock: is the checked-out target clean from its index's
 * stat data alone, as git status would find it without reading a file?
 * Its cache tree names the old tip's tree (nothing staged) and every
 * file is as recorded, none racily clean (indexstat_files_clean()); a
 * submodule not checked out (an empty directory: git.git's
 * sha1collisiondetection) is clean to git status too.
 * Checked again under the lock (checkout_clean_locked()).
 */
static int checkout_stat_clean(struct mctx *c)
{
	char *path = xstrfmt("%s/index", c->checkout_gitdir);
	struct indexstat ix = INDEXSTAT_INIT;
	git_commit *oc = NULL;
	int clean = 0;

	if (indexstat_read(&ix, path) < 0 || !ix.has_tree ||
	    git_commit_lookup(&oc, c->repo, &c->m->old_tip) < 0)
		goto out;
	clean = git_oid_equal(&ix.tree, git_commit_tree_id(oc)) &&
		indexstat_files_clean(&ix, c->m->checkout,
				      INDEXSTAT_RACY_TIME | INDEXSTAT_GITLINK_EMPTY) == 1;
out:
	git_error_clear();
	git_commit_free(oc);
	indexstat_release(&ix);
	free(path);
	return clean;
}

/*
 * Before git status starts: the index it reads, and a time on the
 * filesystem of the worktree's git directory (indexstat_clock()) that
 * comes before git status reads any file.  git status hashes each racily
 * clean file, so when it finds them all clean, a file rewritten since
 * has a later mtime than that: copy_stat_clean() need not hash them again.
 */
static void status_clock(struct mctx *c)
{
	char *idx = xstrfmt("%s/index", c->checkout_gitdir);

	memset(&c->status_from, 0, sizeof(c->status_from));
	if (stat(idx, &c->status_index) < 0 || indexstat_clock(&c->status_from, c->checkout_gitdir) < 0)
		memset(&c->status_from, 0, sizeof(c->status_from));
	free(idx);
}

/*
 * checkout_ready() in two steps: the index.lock now, git status started
 * (c->status) to run while merge computes (2 cores), and
 * checkout_ready_finish() to take its answer.  When it cannot be
 * started, it runs here.  0, 1, -1 as checkout_ready().
 */
static int checkout_ready_start(struct mctx *c)
{
	if (!c->m->checkout)
		return 0;
	if (checkout_locked(c))
		return 1;
	if (checkout_stat_clean(c))
		return 0;	/* git status would say nothing */
	status_clock(c);
	spawn_init(&c->status);
	c->status.git_dir = c->checkout_gitdir;
	c->status.work_tree = c->m->checkout;
	if (!child_start(&c->status, status_argv, c->m->checkout, NULL, 1, 1))
		return 0;
	return checkout_ready(c);
}

static int checkout_ready_finish(struct mctx *c)
{
	struct strbuf out = STRBUF_INIT;
	int rc;

	if (c->status.pid <= 0)
		return 0;
	rc = child_finish(&c->status, status_argv, &out);
	strlist_clear(&c->m->dirty);
	rc = refuse_dirty(c, dirty_parse(c, rc, &out, &c->m->dirty));
	c->status_clean = !rc && c->status_from.tv_sec;
	strbuf_release(&out);
	return rc;
}

/*
 * The checked-out target's index.lock, taken by the merge itself for the
 * whole update, so that no git command reads or writes that index while
 * the ref and the files disagree.  It holds "git-parallel merge <pid>": a
 * lock with that content whose process is gone was left by a killed merge
 * and is taken over.  git read-tree works on a copy of the index
 * (index.gp-merge) which is renamed into place only once the files are
 * verified: the index never describes a half-written work tree.
 */
#define LOCK_MARK "git-parallel merge "

static char *gitdir_file(struct mctx *c, const char *name)
{
	return xstrfmt("%s/%s", c->checkout_gitdir, name);
}

static int lock_is_ours(const char *lock)
{
	struct strbuf sb = STRBUF_INIT;
	int ours = 0;

	if (!strbuf_read_file(&sb, lock) && !strncmp(sb.buf, LOCK_MARK, strlen(LOCK_MARK))) {
		long pid = strtol(sb.buf + strlen(LOCK_MARK), NULL, 10);

		ours = pid > 0 && (pid == (long)getpid() ||
				   (kill((pid_t)pid, 0) < 0 && errno == ESRCH));
	}
	strbuf_release(&sb);
	return ours;
}

/* 0 taken, 1 held by another process (m->why, MS_REFUSED), -1 error. */
static int index_lock_take(struct mctx *c)
{
	char *lock = gitdir_file(c, "index.lock");
	char mark[64];
	int fd, ret = 0, n;

	fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0 && errno == EEXIST && lock_is_ours(lock)) {
		unlink(lock);
		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0666);
	}
	if (fd < 0) {
		if (errno != EEXIST) {
			ret = error_errno("cannot create '%s'", lock);
			goto out;
		}
		free(c->m->why);
		c->m->why = xstrfmt("'%s' exists: another git process is using the worktree '%s' "
				    "(if none is, remove the file)", lock, c->m->checkout);
		c->m->status = MS_REFUSED;
		ret = 1;
		goto out;
	}
	n = snprintf(mark, sizeof(mark), LOCK_MARK "%ld\n", (long)getpid());
	if (write(fd, mark, (size_t)n) != n) {
		ret = error_errno("cannot write '%s'", lock);
		close(fd);
		unlink(lock);
		goto out;
	}
	close(fd);
	c->index_locked = 1;
	prune_gitdir_scratch(c->checkout_gitdir);	/* what a killed merge or check left there */
out:
	free(lock);
	return ret;
}

static void index_lock_release(struct mctx *c)
{
	char *lock, *tmp, *tmplock;

	if (!c->index_locked)
		return;
	lock = gitdir_file(c, "index.lock");
	tmp = gitdir_file(c, "index.gp-merge");
	tmplock = gitdir_file(c, "index.gp-merge.lock");
	unlink(tmp);
	unlink(tmplock);
	unlink(lock);
	c->index_locked = 0;
	free(tmplock);
	free(tmp);
	free(lock);
}

/* git <args> in the checked-out target on the index copy; output into *out if given. */
static int git_on_copy(struct mctx *c, const char *const *args, struct strbuf *out)
{
	const char *argv[16];
	char *tmp = gitdir_file(c, "index.gp-merge");
	char *env = xstrfmt("GIT_INDEX_FILE=%s", tmp);
	const char *extra[] = { env, NULL };
	size_t i;
	int rc;

	argv[0] = "git";
	for (i = 0; args[i] && i < ARRAY_SIZE(argv) - 2; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	rc = run_child_io(argv, c->m->checkout, c->checkout_gitdir, c->m->checkout, extra, out, 1);
	free(env);
	free(tmp);
	return rc;
}

/*
 * Copy the index to index.gp-merge (an absent index: no copy, git starts
 * empty), with the index's mtime: git takes an entry whose file changed
 * in the second the index was written as "racily clean" and compares its
 * content; a copy written later would make git trust its stat data.
 */
static int index_copy_quiet(struct mctx *c, int quiet)
{
	char *idx = gitdir_file(c, "index"), *tmp = gitdir_file(c, "index.gp-merge");
	char *tmplock = gitdir_file(c, "index.gp-merge.lock");
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	c->copy_ready = 0;
	memset(&c->copied_index, 0, sizeof(c->copied_index));
	unlink(tmplock);	/* left by a killed read-tree: we hold index.lock */
	unlink(tmp);
	if (stat(idx, &st) < 0 || strbuf_read_file(&sb, idx) < 0) {
		if (errno != ENOENT)
			ret = quiet ? -1 : error_errno("cannot read '%s'", idx);
	} else if (quiet ? write_file_quietly(tmp, sb.buf, sb.len, 0644) < 0 :
		   write_file_atomic(tmp, sb.buf, sb.len, 0644) < 0) {
		ret = -1;
	} else {
		struct timespec ts[2];

		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		if (utimensat(AT_FDCWD, tmp, ts, 0) < 0)
			ret = quiet ? -1 : error_errno("cannot set the time of '%s'", tmp);
		else
			c->copied_index = st;
	}
	strbuf_release(&sb);
	free(tmplock);
	free(tmp);
	free(idx);
	return ret;
}

static int index_copy(struct mctx *c)
{
	return index_copy_quiet(c, 0);
}

/*
 * Are the checkout's files as the index copy's stat data say, so that git
 * would find every one clean without reading it?  Each entry must be a
 * stage-0 file or symlink without flags that make git look elsewhere
 * (gitlink, intent-to-add, skip-worktree, assume-unchanged), and lstat()
 * must give exactly the recorded mode, size, times, inode and owner
 * (indexstat_match()).  Without racy, an entry git takes as racily
 * clean (its mtime in the second the copy's index was written, or later;
 * or smudged) does not pass.  With racy, its file is hashed, as git
 * status would, and passes when it holds the entry's blob; the copy's
 * mtime is then the time the stat data were checked, set before the
 * first file is read (as git writes an index after a refresh, but a file
 * rewritten since then has a later mtime): git trusts them afterwards
 * and hashes nothing again.  1: all pass; 0: git must look (or the copy
 * is not one indexstat reads: index version 4, a split or sparse index).
 * With tree: the tree the index holds when its cache tree (extension
 * TREE) says so for every entry, else zeros.
 */
/*
 * Is the index copied the very file git status read: the same inode,
 * size, mtime and ctime (no one sets a ctime back: an index written again
 * in place, its mtime put back, differs)?
 */
static int same_index_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino && a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int copy_stat_clean(struct mctx *c, int racy, git_oid *tree)
{
	char *tmp = gitdir_file(c, "index.gp-merge");
	struct indexstat ix = INDEXSTAT_INIT;
	int clean = 0;

	if (tree)
		memset(tree, 0, sizeof(*tree));
	if (indexstat_read(&ix, tmp) < 0)
		goto out;
	/*
	 * The racy rule is judged by the copy's old time (the index's), or
	 * by the time git status started when it found every file clean in
	 * that same index (checkout_ready_finish()): it hashed each racily
	 * clean file, and one rewritten since has a later mtime.
	 */
	if (racy && c->status_clean && same_index_file(&c->copied_index, &c->status_index) &&
	    ix.buf.len == (size_t)c->status_index.st_size &&
	    ix.mtime.tv_sec == c->status_index.st_mtim.tv_sec &&
	    ix.mtime.tv_nsec == c->status_index.st_mtim.tv_nsec &&
	    c->status_from.tv_sec > ix.mtime.tv_sec)
		ix.mtime = c->status_from;
	if ((racy && utimensat(AT_FDCWD, tmp, NULL, 0) < 0) ||
	    !indexstat_files_clean(&ix, c->m->checkout, INDEXSTAT_GITLINK_EMPTY |
				   (racy ? INDEXSTAT_RACY_TIME | INDEXSTAT_HASH_RACY : 0)))
		goto out;
	if (tree && ix.has_tree)
		git_oid_cpy(tree, &ix.tree);
	clean = 1;
out:
	indexstat_release(&ix);
	free(tmp);
	return clean;
}

/* Refresh the copy's stat data (as git status does) and say which tree it holds. */
/*
 * The tree of the index copy, its stat data refreshed first.  With
 * files_clean: *files_clean says whether every tracked file is as the
 * index says (update-index --refresh without -q exits 1 when one is not):
 * git diff-files would list nothing.
 */
static int copy_tree(struct mctx *c, git_oid *tree, int *files_clean)
{
	const char *refresh[] = { "update-index", "-q", "--refresh", NULL };
	const char *check[] = { "update-index", "--refresh", NULL };
	const char *wt[] = { "write-tree", NULL };
	struct strbuf out = STRBUF_INIT;
	int ret = -1;

	if (files_clean)
		/*
		 * git read-tree recorded the stat data of each file it wrote
		 * after writing it, and trusts them itself: when every file
		 * still has them, git update-index --refresh would only read
		 * again what it has just written (all of it racily clean,
		 * from the same second).  Else git decides (its "needs
		 * update" lines are not read: diff-files names the paths).
		 */
		*files_clean = copy_stat_clean(c, 0, NULL) || git_on_copy(c, check, &out) == 0;
	else
		git_on_copy(c, refresh, NULL);	/* exit 1 only means "some files differ" */
	strbuf_reset(&out);
	if (git_on_copy(c, wt, &out) == 0) {
		strbuf_trim(&out);
		if (!git_oid_fromstr(tree, out.buf))
			ret = 0;
	}
	strbuf_release(&out);
	return ret;
}

/*
 * Under our index.lock, after the merges: is the checked-out target still
 * clean at the old tip, as git status would say?  Answered without git
 * status when the stat data answer (copy_stat_clean(), racily clean
 * files hashed) and the copy of the index holds the old tip's tree
 * (git write-tree): then index.gp-merge is ready for git read-tree, each
 * file as it says (c->copy_ready).  1: clean; 0: git status decides (it
 * names the dirty paths).
 */
static int checkout_clean_locked(struct mctx *c)
{
	const char *wt[] = { "write-tree", NULL };
	struct strbuf out = STRBUF_INIT;
	git_commit *oc = NULL;
	git_oid tree;
	int ret = 0;

	/* a copy that cannot be written (a full disk): git status decides, as before */
	if (index_copy_quiet(c, 1) < 0 || !copy_stat_clean(c, 1, &tree) ||
	    git_commit_lookup(&oc, c->repo, &c->m->old_tip) < 0) {
		git_error_clear();
		goto out;
	}
	/* the tree its cache tree names, else the one git write-tree writes */
	if (!git_oid_equal(&tree, git_commit_tree_id(oc))) {
		if (git_on_copy(c, wt, &out) != 0)
			goto out;
		strbuf_trim(&out);
		if (git_oid_fromstr(&tree, out.buf) < 0)
			goto out;
	}
	if (git_oid_equal(&tree, git_commit_tree_id(oc)))
		ret = c->copy_ready = 1;
out:
	git_commit_free(oc);
	strbuf_release(&out);
	return ret;
}

/* Paths whose files differ from the copy (git diff-files), into l. */
static int copy_diff_files(struct mctx *c, struct strlist *l)
{
	const char *args[] = { "diff-files", "--name-only", "-z", NULL };
	struct strbuf out = STRBUF_INIT;
	size_t i = 0;
	int ret = 0;

	if (git_on_copy(c, args, &out) != 0)
		ret = error("cannot compare the files of '%s' with its index", c->m->checkout);
	while (!ret && i < out.len) {
		strlist_push(l, out.buf + i);
		i += strlen(out.buf + i) + 1;
	}
	strbuf_release(&out);
	return ret;
}

#define IN_OLD 1
#define IN_NEW 2

/* The paths the merge changes, each with IN_OLD / IN_NEW. */
static int changed_paths(struct mctx *c, const git_oid *old_tree, const git_oid *new_tree,
			 struct strmap *out)
{
	struct tree_side ts;
	size_t i;
	int ret = -1;

	tree_side_init(&ts);
	if (tree_side_diff(&ts, c->repo, old_tree, new_tree) < 0) {
		error("cannot diff the target's old and new trees: %s", gp_git_error());
		goto out;
	}
	for (i = 0; i < ts.nr; i++) {
		uintptr_t bits = (ts.ch[i].old_mode ? IN_OLD : 0) | (ts.ch[i].new_mode ? IN_NEW : 0);

		strmap_put(out, ts.ch[i].path, (void *)bits, NULL);
	}
	ret = 0;
out:
	tree_side_release(&ts);
	return ret;
}

/* Files of the merge's paths that must not exist at the side `in` (IN_OLD, IN_NEW) but do. */
static void stray_files(struct mctx *c, const struct strmap *paths, uintptr_t in, struct strlist *l)
{
	size_t i;

	for (i = 0; i < paths->size; i++) {
		const struct strmap_entry *e = &paths->v[i];
		struct stat st;
		char *p;

		if (!e->key || ((uintptr_t)e->value & in))
			continue;
		p = xstrfmt("%s/%s", c->m->checkout, e->key);
		/* a directory there is the other side's (a file that became one) */
		if (!lstat(p, &st) && !S_ISDIR(st.st_mode))
			strlist_push(l, e->key);
		free(p);
	}
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file below the directory rel of the checkout that the old tree does not track, into l. */
static void untracked_below(struct mctx *c, const struct strmap *paths, struct strbuf *rel,
			    struct strlist *l)
{
	char *abs = xstrfmt("%s/%s", c->m->checkout, rel->buf);
	DIR *d = opendir(abs);
	struct dirent *de;
	size_t len = rel->len;

	free(abs);
	if (!d) {
		strlist_push(l, rel->buf);	/* cannot look inside: not ours to remove */
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_setlen(rel, len);
		strbuf_addf(rel, "/%s", de->d_name);
		abs = xstrfmt("%s/%s", c->m->checkout, rel->buf);
		if (!lstat(abs, &st) && S_ISDIR(st.st_mode))
			untracked_below(c, paths, rel, l);
		else if (!((uintptr_t)strmap_get(paths, rel->buf) & IN_OLD))
			strlist_push(l, rel->buf);
		free(abs);
	}
	strbuf_setlen(rel, len);
	closedir(d);
}

/*
 * Files of the checked-out target that git does not track (untracked or
 * ignored) and that the update from the old tip to new would overwrite:
 * a file at a path the merged tree adds, files below a directory it
 * turns into a file, a file or symlink where it needs a directory.
 * git merge refuses the untracked ones and overwrites ignored ones; we
 * overwrite neither.  Untracked files anywhere else stay as they are.
 * Fills l (sorted); -1 on error (reported).
 */
static int untracked_in_the_way(struct mctx *c, const git_oid *new, struct strlist *l)
{
	git_commit *oc = NULL, *nc = NULL;
	struct strmap paths, seen;
	struct strbuf rel = STRBUF_INIT;
	size_t i;
	int ret = -1;

	strmap_init(&paths);
	strmap_init(&seen);
	if (git_commit_lookup(&oc, c->repo, &c->m->old_tip) < 0 ||
	    git_commit_lookup(&nc, c->repo, new) < 0) {
		error("cannot read the commits of the merge: %s", gp_git_error());
		goto out;
	}
	if (changed_paths(c, git_commit_tree_id(oc), git_commit_tree_id(nc), &paths) < 0)
		goto out;
	for (i = 0; i < paths.size; i++) {
		const struct strmap_entry *e = &paths.v[i];
		uintptr_t bits;
		struct stat st;
		char *p, *slash;

		if (!e->key)
			continue;
		bits = (uintptr_t)e->value;
		if (!(bits & IN_NEW) || (bits & IN_OLD))
			continue;
		/* the directories leading to an added path */
		for (slash = strchr(e->key, '/'); slash; slash = strchr(slash + 1, '/')) {
			strbuf_reset(&rel);
			strbuf_add(&rel, e->key, (size_t)(slash - e->key));
			if (strmap_contains(&seen, rel.buf))
				continue;
			strmap_put(&seen, rel.buf, NULL, NULL);
			p = xstrfmt("%s/%s", c->m->checkout, rel.buf);
			if (!lstat(p, &st) && !S_ISDIR(st.st_mode) &&
			    !((uintptr_t)strmap_get(&paths, rel.buf) & IN_OLD))
				strlist_push(l, rel.buf);
			free(p);
		}
		p = xstrfmt("%s/%s", c->m->checkout, e->key);
		if (!lstat(p, &st)) {
			strbuf_reset(&rel);
			strbuf_addstr(&rel, e->key);
			if (S_ISDIR(st.st_mode))
				untracked_below(c, &paths, &rel, l);
			else
				strlist_push(l, e->key);
		}
		free(p);
	}
	if (l->nr)
		qsort(l->v, l->nr, sizeof(*l->v), cmp_path);
	ret = 0;
out:
	strbuf_release(&rel);
	strmap_clear(&seen);
	strmap_clear(&paths);
	git_commit_free(nc);
	git_commit_free(oc);
	return ret;
}

/*
 * Refuse (1, MS_REFUSED, the paths in m->dirty) when untracked or
 * ignored files are in the way of the update to new; 0 go; -1 error.
 * With dry_run, a warning instead of a refusal.
 */
static int checkout_room(struct mctx *c, const git_oid *new, int dry_run)
{
	struct strlist l;
	size_t i;
	int ret = 0;

	if (!c->m->checkout || git_oid_equal(new, &c->m->old_tip))
		return 0;
	strlist_init(&l);
	if (untracked_in_the_way(c, new, &l) < 0) {
		ret = -1;
		goto out;
	}
	if (!l.nr)
		goto out;
	if (dry_run) {
		for (i = 0; i < l.nr; i++)
			warning("untracked file '%s' in '%s' is in the way of the merge: "
				"'git parallel merge' would refuse", l.v[i], c->m->checkout);
		goto out;
	}
	strlist_clear(&c->m->dirty);
	for (i = 0; i < l.nr; i++)
		strlist_push(&c->m->dirty, l.v[i]);
	free(c->m->why);
	c->m->why = xstrfmt("'%s' is checked out in '%s', where untracked or ignored files are "
			    "in the way of the merge (it never overwrites a file git does not track)",
			    short_ref(c->m->target), c->m->checkout);
	c->m->status = MS_REFUSED;
	c->m->in_the_way = 1;
	ret = 1;
out:
	strlist_clear(&l);
	return ret;
}

/* Install the verified copy as the index: the lock's way, rename over index.lock, then index. */
static int index_install(struct mctx *c)
{
	char *idx = gitdir_file(c, "index"), *lock = gitdir_file(c, "index.lock");
	char *tmp = gitdir_file(c, "index.gp-merge");
	int ret = 0;

	if (rename(tmp, lock) < 0)
		ret = error_errno("cannot rename '%s' to '%s'", tmp, lock);
	else if (rename(lock, idx) < 0)
		ret = error_errno("cannot rename '%s' to '%s'", lock, idx);
	else
		c->index_locked = 0;
	free(tmp);
	free(lock);
	free(idx);
	return ret;
}

/*
 * Bring the checked-out target's index and files to one side of this merge
 * (forward: the new commit; else the old one) from whatever an attempt
 * before left: the old tree, the new one, or the old index with some files
 * of the new tree written.  Only the paths the merge changes are ever
 * forced, and only when every file that differs from the index is one of
 * them.  The index lock must be held; on success it is released (the
 * index installed).  0: the index and files hold that side (verified);
 * 1: they could not be brought there, the paths that differ in *bad;
 * -1: error.
 */
static int settle_checkout(struct mctx *c, const git_oid *old, const git_oid *new, int forward,
			   struct strlist *bad)
{
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	git_commit *oc = NULL, *nc = NULL;
	git_oid old_tree, new_tree, idx;
	const git_oid *want;
	struct strmap paths;
	struct strlist diff;
	uintptr_t side = forward ? IN_NEW : IN_OLD;
	size_t i;
	int ret = -1, rc, clean_at_old = c->clean_at_old, files_clean = 0;
	int copy_ready = forward && clean_at_old && c->copy_ready;

	c->clean_at_old = 0;	/* true once, before anything is written */
	c->copy_ready = 0;

	strmap_init(&paths);
	strlist_init(&diff);
	git_oid_tostr(a, sizeof(a), old);
	git_oid_tostr(b, sizeof(b), new);
	if (git_commit_lookup(&oc, c->repo, old) < 0 || git_commit_lookup(&nc, c->repo, new) < 0) {
		error("cannot read the commits of the merge: %s", gp_git_error());
		goto out;
	}
	git_oid_cpy(&old_tree, git_commit_tree_id(oc));
	git_oid_cpy(&new_tree, git_commit_tree_id(nc));
	want = forward ? &new_tree : &old_tree;
	if (changed_paths(c, &old_tree, &new_tree, &paths) < 0 || (!copy_ready && index_copy(c) < 0))
		goto out;
	if (copy_ready) {
		/*
		 * checkout_clean_locked() found every file as the copy's stat
		 * data say, with our index.lock held since: nothing to
		 * refresh for read-tree -m -u (which checks each path it
		 * writes all the same)
		 */
		git_oid_cpy(&idx, &old_tree);
	} else if (forward && clean_at_old) {
		/*
		 * git status found the index at the old tree and every file
		 * as the index says, with our index.lock held since: no need
		 * to ask again (read-tree -m -u checks each path it writes).
		 * Its stat data is refreshed all the same: status does not
		 * write the index (--no-optional-locks, and we hold the lock),
		 * and read-tree -m -u refuses a touched file as "not uptodate".
		 */
		const char *refresh[] = { "update-index", "-q", "--refresh", NULL };

		git_on_copy(c, refresh, NULL);	/* exit 1 only means "some files differ" */
		git_oid_cpy(&idx, &old_tree);
	} else if (copy_tree(c, &idx, NULL) < 0) {
		strlist_push(bad, "(the index has unmerged entries or cannot be read)");
		ret = 1;
		goto out;
	}
	if (!git_oid_equal(&idx, &old_tree) && !git_oid_equal(&idx, &new_tree)) {
		strlist_push(bad, "(the index holds neither the old nor the new tree)");
		ret = 1;
		goto out;
	}
	if (!(forward && clean_at_old) && copy_diff_files(c, &diff) < 0)
		goto out;
	for (i = 0; i < diff.nr; i++)
		if (!strmap_contains(&paths, diff.v[i]))
			strlist_push(bad, diff.v[i]);
	if (bad->nr) {
		ret = 1;	/* changes the merge did not make: not ours to overwrite */
		goto out;
	}
	{
		struct strlist stray_want, stray_old;
		int there, clean_old;

		strlist_init(&stray_want);
		strlist_init(&stray_old);
		stray_files(c, &paths, side, &stray_want);
		stray_files(c, &paths, IN_OLD, &stray_old);
		there = git_oid_equal(&idx, want) && !diff.nr && !stray_want.nr;
		clean_old = git_oid_equal(&idx, &old_tree) && !diff.nr && !stray_old.nr;
		strlist_clear(&stray_want);
		strlist_clear(&stray_old);
		if (there)
			goto verify;	/* already there */
		if (!forward || !clean_old)
			goto force;
	}
	{
		/* the usual way: git checks every path up front and keeps local files */
		const char *rt[] = { "read-tree", "-m", "-u", a, b, NULL };

		c->settled = 1;
		test_crash_point("merge-before-read-tree");
		rc = git_on_copy(c, rt, NULL);
		test_crash_point("merge-after-read-tree");
		if (rc != 0) {
			strlist_push(bad, "(git read-tree failed, see above)");
			ret = 1;
			goto out;
		}
		goto verify;
	}
force:
	/* a half-updated work tree: force the merge's paths to the wanted side */
	if (!forward && git_oid_equal(&idx, &old_tree)) {
		/*
		 * first the index of the new tree, so that files it added are
		 * removed; -i: the files are half-way, only the index moves
		 */
		const char *rt[] = { "read-tree", "-i", "-m", a, b, NULL };

		if (git_on_copy(c, rt, NULL) != 0) {
			strlist_push(bad, "(git read-tree failed, see above)");
			ret = 1;
			goto out;
		}
	}
	{
		const char *rt[] = { "read-tree", "--reset", "-u", forward ? b : a, NULL };

		c->settled = 1;
		test_crash_point("merge-before-reset");
		if (git_on_copy(c, rt, NULL) != 0) {
			strlist_push(bad, "(git read-tree --reset failed, see above)");
			ret = 1;
			goto out;
		}
	}
verify:
	strlist_clear(&diff);
	if (copy_tree(c, &idx, &files_clean) < 0 || !git_oid_equal(&idx, want)) {
		strlist_push(bad, "(the index does not hold the expected tree)");
		ret = 1;
		goto out;
	}
	/* every file as the index says: nothing for diff-files to name */
	if (!files_clean && copy_diff_files(c, &diff) < 0)
		goto out;
	stray_files(c, &paths, side, &diff);
	if (diff.nr) {
		for (i = 0; i < diff.nr; i++)
			strlist_push(bad, diff.v[i]);
		ret = 1;
		goto out;
	}
	ret = index_install(c) < 0 ? -1 : 0;
	test_crash_point("merge-after-install");
out:
	strlist_clear(&diff);
	strmap_clear(&paths);
	git_commit_free(nc);
	git_commit_free(oc);
	return ret;
}

/* the journal: what a merge is about to do, for the next one after a crash */

static char *journal_path(struct session *s)
{
	return state_journal_path(s->state);
}

static int journal_write(struct mctx *c)
{
	struct merge_run *m = c->m;
	struct strbuf sb = STRBUF_INIT;
	char *path = journal_path(c->s);
	size_t i;
	int ret;

	strbuf_addf(&sb, "target %s\n", m->target);
	strbuf_addf(&sb, "old %s\n", git_oid_tostr_s(&m->old_tip));
	strbuf_addf(&sb, "new %s\n", git_oid_tostr_s(&m->new_tip));
	for (i = 0; i < m->nr; i++) {
		const struct merge_result *r = &m->results[i];
		char h[GIT_OID_HEXSZ + 1];

		if (r->outcome != MO_MERGED)
			continue;
		git_oid_tostr(h, sizeof(h), &r->head);
		strbuf_addf(&sb, "task %s %s %s\n", r->id, h,
			    r->has_commit ? git_oid_tostr_s(&r->commit) : "-");
	}
	ret = write_file_atomic(path, sb.buf, sb.len, 0600);
	free(path);
	strbuf_release(&sb);
	return ret;
}

static void journal_remove(struct session *s)
{
	char *path = journal_path(s);

	unlink(path);
	free(path);
}

static int contains(git_repository *repo, const git_oid *tip, const git_oid *oid)
{
	return git_oid_equal(tip, oid) || git_graph_descendant_of(repo, tip, oid) == 1;
}

static int mark_merged(struct session *s, const char *id, const char *head, const char *commit)
{
	long k = tasks_find(&s->plan.tasks, id);
	struct task_status *st;

	if (k < 0)
		return 0;
	st = &s->st[k];
	if (task_transition(st, TS_MERGED) < 0)
		return -1;
	task_status_set(&st->merge_reason, NULL);
	if (head)
		task_status_set(&st->head, head);
	if (commit && strcmp(commit, "-"))
		task_status_set(&st->merge_commit, commit);
	session_task_work_record(s, (size_t)k);	/* status reads these counts */
	return state_task_save(s->state, st);
}

/* Finish (or discard) the journal of an interrupted merge. */
static int journal_recover(struct mctx *c)
{
	struct session *s = c->s;
	struct strbuf sb = STRBUF_INIT, note = STRBUF_INIT;
	char *path = journal_path(s), *line, *next, *target = NULL;
	git_oid old, new, cur;
	int have_old = 0, have_new = 0, ret = 0, forward;

	if (strbuf_read_file(&sb, path) < 0) {
		if (errno != ENOENT)
			ret = error_errno("cannot read '%s'", path);
		goto out;
	}
	for (line = sb.buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "target ", 7))
			target = line + 7;
		else if (!strncmp(line, "old ", 4))
			have_old = !git_oid_fromstr(&old, line + 4);
		else if (!strncmp(line, "new ", 4))
			have_new = !git_oid_fromstr(&new, line + 4);
	}
	if (!target || !have_old || !have_new ||
	    git_reference_name_to_id(&cur, c->repo, target) < 0)
		goto done;
	forward = contains(c->repo, &cur, &new);
	if (!forward && !git_oid_equal(&cur, &old))
		goto done;	/* someone else moved it since: not ours to touch */
	free(c->m->target);
	c->m->target = xstrdup(target);
	/*
	 * The checked-out worktree may hold the old tree, the new one, or be
	 * half-updated (killed in read-tree): bring it to the side the ref is on.
	 */
	if ((git_oid_equal(&cur, &new) || git_oid_equal(&cur, &old)) &&
	    !find_checkout(c, target) && c->m->checkout) {
		struct strlist bad;
		size_t i;
		int rc = index_lock_take(c);

		strlist_init(&bad);
		if (!rc)
			rc = settle_checkout(c, &old, &new, forward, &bad);
		index_lock_release(c);
		if (rc > 0 && bad.nr) {
			strlist_clear(&c->m->dirty);
			for (i = 0; i < bad.nr; i++)
				strlist_push(&c->m->dirty, bad.v[i]);
			free(c->m->why);
			c->m->why = xstrfmt("an interrupted merge into '%s' left the worktree '%s' "
					    "neither as before nor as after it (these paths differ)",
					    short_ref(target), c->m->checkout);
			c->m->status = MS_REFUSED;
		}
		strlist_clear(&bad);
		if (rc) {
			ret = rc;
			goto keep;
		}
		if (c->settled)
			strbuf_addf(&note, "%s '%s'", forward ? "updated" : "restored", c->m->checkout);
	}
	free(c->m->checkout);
	c->m->checkout = NULL;
	free(c->checkout_gitdir);
	c->checkout_gitdir = NULL;
	if (!forward) {
		if (note.len)
			c->m->recovered = xstrfmt("undid an interrupted merge into '%s': %s",
						  short_ref(target), note.buf);
		free(c->m->target);
		c->m->target = NULL;
		goto done;
	}
	{
		char *was = strbuf_detach(&note, NULL);

		strbuf_addf(&note, "finished an interrupted merge into '%s'", short_ref(target));
		if (*was)
			strbuf_addf(&note, "; %s", was);
		free(was);
	}
	/* record the tasks it merged */
	{
		struct strbuf again = STRBUF_INIT;
		char *l, *nx;
		size_t n = 0;

		if (strbuf_read_file(&again, path) < 0)
			goto rec_done;
		for (l = again.buf; l && *l; l = nx) {
			char id[256], head[64], commit[64];

			nx = strchr(l, '\n');
			if (nx)
				*nx++ = '\0';
			if (strncmp(l, "task ", 5) ||
			    sscanf(l + 5, "%255s %63s %63s", id, head, commit) != 3)
				continue;
			if (mark_merged(s, id, head, commit) < 0)
				ret = -1;
			n++;
		}
		strbuf_addf(&note, "; recorded %zu merged task%s", n, n == 1 ? "" : "s");
rec_done:
		strbuf_release(&again);
	}
	c->m->recovered = strbuf_detach(&note, NULL);
	free(c->m->target);
	c->m->target = NULL;
done:
	if (!ret)
		journal_remove(s);
	goto out;
keep:
	free(c->m->checkout);
	c->m->checkout = NULL;
	free(c->checkout_gitdir);
	c->checkout_gitdir = NULL;
out:
	strbuf_release(&note);
	strbuf_release(&sb);
	free(path);
	return ret;
}

/* conflicts */

struct hunks {
	struct merge_range *old, *new;	/* base and side coordinates */
	size_t nr, alloc;
};

static void hunk_add(struct hunks *hs, const struct merge_range *old, const struct merge_range *new)
{
	if (hs->nr + 1 > hs->alloc) {
		hs->alloc = hs->alloc ? hs->alloc * 2 : 8;
		hs->old = xrealloc(hs->old, hs->alloc * sizeof(*hs->old));
		hs->new = xrealloc(hs->new, hs->alloc * sizeof(*hs->new));
	}
	hs->old[hs->nr] = *old;
	hs->new[hs->nr] = *new;
	hs->nr++;
}

static int hunk_cb(const git_diff_delta *d, const git_diff_hunk *h, void *payload)
{
	struct merge_range o, n;

	(void)d;
	o.start = (size_t)h->old_start;
	o.lines = (size_t)h->old_lines;
	n.start = (size_t)h->new_start;
	n.lines = (size_t)h->new_lines;
	hunk_add(payload, &o, &n);
	return 0;
}

static void hunks_release(struct hunks *hs)
{
	free(hs->old);
	free(hs->new);
}

/* Hunks of base -> side for one entry (either may be NULL). */
static int side_hunks(git_repository *repo, const git_index_entry *base,
		      const git_index_entry *side, struct hunks *out)
{
	git_blob *a = NULL, *b = NULL;
	git_diff_options opts;
	int ret = -1;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 0;
	opts.interhunk_lines = 0;
	if ((base && git_blob_lookup(&a, repo, &base->id) < 0) ||
	    (side && git_blob_lookup(&b, repo, &side->id) < 0))
		goto out;
	if (git_diff_blobs(a, base ? base->path : NULL, b, side ? side->path : NULL, &opts,
			   NULL, NULL, hunk_cb, NULL, out) < 0)
		goto out;
	ret = 0;
out:
	git_blob_free(a);
	git_blob_free(b);
	return ret;
}

/* Base-coordinate intervals touch or overlap (adjacent changes conflict). */
static int touches(const struct merge_range *a, const struct merge_range *b)
{
	size_t alo = a->start, ahi = a->start + (a->lines ? a->lines - 1 : 0);
	size_t blo = b->start, bhi = b->start + (b->lines ? b->lines - 1 : 0);

	return alo <= bhi + 1 && blo <= ahi + 1;
}

static void add_range(struct merge_range **v, size_t *nr, size_t *alloc, const struct merge_range *r)
{
	ALLOC_GROW(*v, *nr + 1, *alloc);
	(*v)[(*nr)++] = *r;
}

/* Keep the hunks of each side that meet a hunk of the other (all of them if none do). */
static void conflict_ranges(struct merge_conflict *mc, struct hunks *o, struct hunks *t)
{
	size_t i, k;
	int any = 0;

	for (i = 0; i < o->nr; i++)
		for (k = 0; k < t->nr; k++)
			if (touches(&o->old[i], &t->old[k]))
				any = 1;
	for (i = 0; i < o->nr; i++) {
		int keep = !any;

		for (k = 0; k < t->nr && !keep; k++)
			keep = touches(&o->old[i], &t->old[k]);
		if (keep)
			add_range(&mc->ours, &mc->ours_nr, &mc->ours_alloc, &o->new[i]);
	}
	for (k = 0; k < t->nr; k++) {
		int keep = !any;

		for (i = 0; i < o->nr && !keep; i++)
			keep = touches(&o->old[i], &t->old[k]);
		if (keep)
			add_range(&mc->theirs, &mc->theirs_nr, &mc->theirs_alloc, &t->new[k]);
	}
}

/* The paths a task's work changed (its start to its head), cached. */
/* The commit task i started from (its state's start, else the plan's base). */
static void task_start(struct mctx *c, size_t i, git_oid *out)
{
	const struct task_status *st = &c->s->st[i];

	if (!st->start || git_oid_fromstr(out, st->start) < 0)
		git_oid_cpy(out, &c->s->plan.base_oid);
}

/* Does head descend from start (1; 0: it does not, or it cannot be told)? */
static int grows_from(struct mctx *c, const git_oid *start, const git_oid *head)
{
	int rc = c->mb_graph ? mergebase_is_ancestor(c->mb_graph, start, head) : -1;

	if (rc < 0)
		rc = git_graph_descendant_of(c->repo, head, start);
	return rc != 0;
}

/*
 * Where task i's own work begins: its start, or, for a branch that does
 * not grow from it (made on an older commit than the pinned base), its
 * merge base with it, as check measures a footprint from the merge base.
 * What it changed, and where, is read from there.
 */
static void task_origin(struct mctx *c, size_t i, git_oid *out)
{
	const struct task_status *st = &c->s->st[i];
	git_oid head, mb, *bases = NULL;
	size_t n = 0;

	if (c->origin_ok[i]) {
		git_oid_cpy(out, &c->origin[i]);
		return;
	}
	task_start(c, i, out);
	/*
	 * the commit-graph answers first: libgit2 would read and check its
	 * own copy of the whole file (a tenth of a second on git.git) for
	 * this one question
	 */
	if (st->head && !git_oid_fromstr(&head, st->head) && !git_oid_equal(&head, out) &&
	    !grows_from(c, out, &head)) {
		if (c->mb_graph && !mergebase_all(c->mb_graph, out, &head, &bases, &n)) {
			if (n)
				git_oid_cpy(out, &bases[0]);
		} else if (!git_merge_base(&mb, c->repo, out, &head)) {
			git_oid_cpy(out, &mb);
		}
		free(bases);
	}
	git_error_clear();
	git_oid_cpy(&c->origin[i], out);
	c->origin_ok[i] = 1;
}

/* Record the paths of side (task i's changes since its start) as what it touched. */
static void touched_from(struct mctx *c, size_t i, const struct tree_side *side)
{
	size_t k;

	c->touched_ok[i] = 1;
	for (k = 0; k < side->nr; k++)
		strlist_push(&c->touched[i], side->ch[k].path);
}

/*
 * The paths task i changed, from its start to its head (a rename: both
 * paths), computed once: need_git() records them when it diffs the task
 * from that very commit.
 */
static const struct strlist *task_touched(struct mctx *c, size_t i)
{
	struct session *s = c->s;
	struct task_status *st = &s->st[i];
	git_oid start, head;
	git_commit *a = NULL, *b = NULL;
	struct tree_side side;

	if (c->touched_ok[i])
		return &c->touched[i];
	c->touched_ok[i] = 1;
	if (!st->head || git_oid_fromstr(&head, st->head) < 0)
		return &c->touched[i];
	task_origin(c, i, &start);
	tree_side_init(&side);
	if (!git_commit_lookup(&a, c->repo, &start) && !git_commit_lookup(&b, c->repo, &head) &&
	    !tree_side_diff(&side, c->repo, git_commit_tree_id(a), git_commit_tree_id(b)))
		touched_from(c, i, &side);
	git_error_clear();
	tree_side_release(&side);
	git_commit_free(a);
	git_commit_free(b);
	return &c->touched[i];
}

/* The blob at path in the tree of commit oid, or NULL. */
static git_blob *blob_at(git_repository *repo, const git_oid *oid, const char *path)
{
	git_commit *cm = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	git_blob *b = NULL;

	if (!git_commit_lookup(&cm, repo, oid) && !git_commit_tree(&tree, cm) &&
	    !git_tree_entry_bypath(&e, tree, path) && git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		git_blob_lookup(&b, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(cm);
	return b;
}

/*
 * Did task i's change to path meet one of the base ranges?  1 it did, 0
 * it did not, -1 cannot tell: its work began on another version of the
 * file than base_id, the blob the ranges are lines of (NULL: unknown),
 * so its lines are not the ranges' lines.
 */
static int task_meets(struct mctx *c, size_t i, const char *path, const struct hunks *base,
		      const git_oid *base_id)
{
	const struct task_status *st = &c->s->st[i];
	git_oid start, head;
	git_blob *a = NULL, *b = NULL;
	git_diff_options opts;
	struct hunks th = { 0 };
	size_t x, y;
	int ret = 0;

	if (!st->head || git_oid_fromstr(&head, st->head) < 0)
		return -1;
	task_origin(c, i, &start);
	a = blob_at(c->repo, &start, path);
	b = blob_at(c->repo, &head, path);
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 0;
	opts.interhunk_lines = 0;
	if ((a || b) && !git_diff_blobs(a, path, b, path, &opts, NULL, NULL, hunk_cb, NULL, &th))
		for (x = 0; x < th.nr && !ret; x++)
			for (y = 0; y < base->nr && !ret; y++)
				ret = touches(&th.old[x], &base->old[y]);
	else
		ret = -1;
	if (!ret && (!a || !base_id || !git_oid_equal(git_blob_id(a), base_id)))
		ret = -1;
	git_error_clear();
	hunks_release(&th);
	git_blob_free(a);
	git_blob_free(b);
	return ret;
}

/*
 * Merged tasks (this run, or earlier into this target) that changed one
 * of the paths; for a content conflict (base != NULL: the target's
 * conflicting hunks, lines of the blob base_id) those whose change meets
 * those lines, when any does, else those not known to stay clear of them
 * (none: the target's own commits brought the other side).
 */
static void find_with(struct mctx *c, size_t self, const git_oid *tip,
		      const char *const *paths, size_t npaths, const struct hunks *base,
		      const git_oid *base_id, struct strlist *with)
{
	struct session *s = c->s;
	struct strlist close = STRLIST_INIT;
	size_t i, k;

	for (i = 0; i < s->plan.tasks.nr; i++) {
		const struct task_status *st = &s->st[i];
		const struct strlist *t;
		int in = c->merged_now[i];

		if (i == self)
			continue;
		if (!in && st->state == TS_MERGED) {
			git_oid oid;

			in = (st->merge_commit && !git_oid_fromstr(&oid, st->merge_commit) &&
			      contains(c->repo, tip, &oid)) ||
			     (st->head && !git_oid_fromstr(&oid, st->head) && contains(c->repo, tip, &oid));
		}
		if (!in)
			continue;
		t = task_touched(c, i);
		for (k = 0; k < npaths; k++)
			if (paths[k] && strlist_has(t, paths[k])) {
				int meets = base ? task_meets(c, i, paths[k], base, base_id) : -1;

				if (meets)
					strlist_push(with, s->plan.tasks.v[i].id);
				if (meets > 0)
					strlist_push(&close, s->plan.tasks.v[i].id);
				break;
			}
	}
	if (close.nr) {
		strlist_clear(with);
		*with = close;
	} else {
		strlist_clear(&close);
	}
}

/*
 * libgit2 keeps the stages of a rename conflict at each side's path (the
 * ancestor at the old path, the renaming side at the new one); its NAME
 * entry ties them.  Fill in the stages missing at path from it.
 */
static void rename_stages(git_index *index, const char *path, const git_index_entry **anc,
			  const git_index_entry **ours, const git_index_entry **theirs)
{
	size_t i, n = git_index_name_entrycount(index);

	for (i = 0; i < n; i++) {
		const git_index_name_entry *ne = git_index_name_get_byindex(index, i);

		if (!ne || !ne->ancestor ||
		    !((ne->ours && !strcmp(ne->ours, path)) || (ne->theirs && !strcmp(ne->theirs, path))))
			continue;
		if (!*anc)
			*anc = git_index_get_bypath(index, ne->ancestor, 1);
		if (!*ours && ne->ours)
			*ours = git_index_get_bypath(index, ne->ours, 2);
		if (!*theirs && ne->theirs)
			*theirs = git_index_get_bypath(index, ne->theirs, 3);
		break;
	}
}

static int analyze_conflicts(struct mctx *c, struct merge_result *r, git_index *index,
			     const git_oid *tip)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *ours, *theirs;
	struct strmap renamed = STRMAP_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < git_index_name_entrycount(index); i++) {
		const git_index_name_entry *e = git_index_name_get_byindex(index, i);

		if (!e || !e->ancestor)
			continue;
		if ((e->ours && strcmp(e->ancestor, e->ours)) ||
		    (e->theirs && strcmp(e->ancestor, e->theirs))) {
			strmap_put(&renamed, e->ancestor, NULL, NULL);
			if (e->ours)
				strmap_put(&renamed, e->ours, NULL, NULL);
			if (e->theirs)
				strmap_put(&renamed, e->theirs, NULL, NULL);
		}
	}
	if (git_index_conflict_iterator_new(&it, index) < 0) {
		error("cannot read the conflicts: %s", gp_git_error());
		goto out;
	}
	while (!git_index_conflict_next(&anc, &ours, &theirs, it)) {
		const git_index_entry *e = ours ? ours : theirs ? theirs : anc;
		struct merge_conflict *mc;
		struct hunks ho = { 0 }, ht = { 0 };
		const char *paths[3];

		if (!e)
			continue;
		for (i = 0; i < r->conflicts_nr; i++)
			if (!strcmp(r->conflicts[i].path, e->path))
				break;
		if (i < r->conflicts_nr)
			continue;
		ALLOC_GROW(r->conflicts, r->conflicts_nr + 1, r->conflicts_alloc);
		mc = &r->conflicts[r->conflicts_nr++];
		memset(mc, 0, sizeof(*mc));
		strlist_init(&mc->with);
		mc->path = xstrdup(e->path);
		if ((anc && strmap_contains(&renamed, anc->path)) ||
		    (ours && strmap_contains(&renamed, ours->path)) ||
		    (theirs && strmap_contains(&renamed, theirs->path)) ||
		    (anc && ours && strcmp(anc->path, ours->path)) ||
		    (anc && theirs && strcmp(anc->path, theirs->path)))
			mc->type = "rename";
		else if (anc && ours && theirs)
			mc->type = "content";
		else if (ours && theirs)
			mc->type = "add/add";
		else if (anc)
			mc->type = "modify/delete";
		else
			mc->type = "rename";
		/* a rename keeps its stages at several paths: the ranges need all three */
		rename_stages(index, e->path, &anc, &ours, &theirs);
		if (side_hunks(c->repo, anc, ours, &ho) == 0 &&
		    side_hunks(c->repo, anc, theirs, &ht) == 0) {
			if (anc && ours && theirs)
				conflict_ranges(mc, &ho, &ht);
			else {
				for (i = 0; ours && i < ho.nr; i++)
					add_range(&mc->ours, &mc->ours_nr, &mc->ours_alloc, &ho.new[i]);
				for (i = 0; theirs && i < ht.nr; i++)
					add_range(&mc->theirs, &mc->theirs_nr, &mc->theirs_alloc, &ht.new[i]);
			}
		}
		paths[0] = ours ? ours->path : NULL;
		paths[1] = anc ? anc->path : NULL;
		paths[2] = theirs ? theirs->path : NULL;
		{
			/* the base lines of the target's side that meet the task's */
			struct hunks meet = { 0 };
			size_t x, y;

			for (x = 0; anc && ours && theirs && x < ho.nr; x++)
				for (y = 0; y < ht.nr; y++)
					if (touches(&ho.old[x], &ht.old[y])) {
						hunk_add(&meet, &ho.old[x], &ho.new[x]);
						break;
					}
			find_with(c, r->task, tip, paths, 3, meet.nr ? &meet : NULL,
				  anc ? &anc->id : NULL, &mc->with);
			hunks_release(&meet);
		}
		hunks_release(&ho);
		hunks_release(&ht);
	}
	ret = 0;
out:
	git_index_conflict_iterator_free(it);
	strmap_clear(&renamed);
	return ret;
}

static int is_file_mode(unsigned int mode)
{
	return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

/*
 * The path of the base tree that the commit side renamed to path (which
 * the base does not hold), as git's rename detection would pair them:
 * the file side deleted that is the most similar to its file at path,
 * at least half alike; NULL when none.  Only those deleted files are
 * read, not every file side added (libgit2's rename detection).
 */
static char *rename_source(struct mctx *c, const git_oid *base, const git_oid *side,
			   const char *path)
{
	git_commit *bc = NULL, *sc = NULL;
	git_blob *blob = NULL, *cand = NULL;
	git_hashsig *sig = NULL, *csig = NULL;
	struct tree_side ts;
	const struct tree_change *to;
	char *best = NULL;
	int best_score = 49;
	size_t i, deleted = 0;

	tree_side_init(&ts);
	if (git_commit_lookup(&bc, c->repo, base) < 0 || git_commit_lookup(&sc, c->repo, side) < 0 ||
	    tree_side_diff(&ts, c->repo, git_commit_tree_id(bc), git_commit_tree_id(sc)) < 0)
		goto out;
	if (!(to = tree_side_get(&ts, path)) || to->old_mode || !is_file_mode(to->new_mode) ||
	    git_blob_lookup(&blob, c->repo, &to->new_id) < 0)
		goto out;
	for (i = 0; i < ts.nr; i++)
		if (!ts.ch[i].new_mode && is_file_mode(ts.ch[i].old_mode))
			deleted++;
	if (deleted > GITMERGE_RENAME_LIMIT)
		goto out;
	/* an exact rename first, as git */
	for (i = 0; i < ts.nr; i++)
		if (!ts.ch[i].new_mode && is_file_mode(ts.ch[i].old_mode) &&
		    git_oid_equal(&ts.ch[i].old_id, &to->new_id)) {
			best = xstrdup(ts.ch[i].path);
			goto out;
		}
	if (git_hashsig_create(&sig, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
			       GIT_HASHSIG_SMART_WHITESPACE) < 0)
		goto out;	/* too small to compare */
	for (i = 0; i < ts.nr; i++) {
		const struct tree_change *d = &ts.ch[i];
		int score;

		if (d->new_mode || !is_file_mode(d->old_mode) ||
		    git_blob_lookup(&cand, c->repo, &d->old_id) < 0)
			continue;
		score = git_hashsig_create(&csig, git_blob_rawcontent(cand),
					   (size_t)git_blob_rawsize(cand),
					   GIT_HASHSIG_SMART_WHITESPACE) < 0 ? 0 :
			git_hashsig_compare(sig, csig);
		git_hashsig_free(csig);
		csig = NULL;
		git_blob_free(cand);
		cand = NULL;
		if (score > best_score) {
			best_score = score;
			free(best);
			best = xstrdup(d->path);
		}
	}
out:
	git_error_clear();
	git_hashsig_free(sig);
	git_blob_free(blob);
	tree_side_release(&ts);
	git_commit_free(sc);
	git_commit_free(bc);
	return best;
}

/*
 * A conflict git names at path that libgit2's merge did not: both sides'
 * hunks from the merge base of tip and the task head (base, or found
 * when NULL), the type from git's messages.  A content conflict at a
 * path the base does not hold is a renamed file's: its base (and the
 * side that did not rename it) are at the old path (rename_source()).
 */
static int git_only_conflict(struct mctx *c, struct merge_result *r, const git_oid *tip,
			     const char *path, const char *type, const git_oid *base)
{
	git_index_entry eb, eo, et;
	git_blob *bb = NULL, *bo = NULL, *bt = NULL;
	struct hunks ho = { 0 }, ht = { 0 }, meet = { 0 };
	struct merge_conflict *mc;
	const char *paths[2];
	char *src = NULL;
	git_oid mb;
	int has_mb = 1;
	size_t x, y;

	if (base)
		git_oid_cpy(&mb, base);
	else
		has_mb = !git_merge_base(&mb, c->repo, tip, &r->head);
	git_error_clear();
	ALLOC_GROW(r->conflicts, r->conflicts_nr + 1, r->conflicts_alloc);
	mc = &r->conflicts[r->conflicts_nr++];
	memset(mc, 0, sizeof(*mc));
	strlist_init(&mc->with);
	mc->path = xstrdup(path);
	mc->type = type;
	memset(&eb, 0, sizeof(eb));
	memset(&eo, 0, sizeof(eo));
	memset(&et, 0, sizeof(et));
	eb.path = eo.path = et.path = path;
	if (has_mb && (bb = blob_at(c->repo, &mb, path)))
		git_oid_cpy(&eb.id, git_blob_id(bb));
	if ((bo = blob_at(c->repo, tip, path)))
		git_oid_cpy(&eo.id, git_blob_id(bo));
	if ((bt = blob_at(c->repo, &r->head, path)))
		git_oid_cpy(&et.id, git_blob_id(bt));
	if (has_mb && !bb && (bo || bt) && !strcmp(type, "content") &&
	    (src = rename_source(c, &mb, bo ? tip : &r->head, path))) {
		if ((bb = blob_at(c->repo, &mb, src))) {
			eb.path = src;
			git_oid_cpy(&eb.id, git_blob_id(bb));
		}
		if (!bo && (bo = blob_at(c->repo, tip, src))) {
			eo.path = src;
			git_oid_cpy(&eo.id, git_blob_id(bo));
		}
		if (!bt && (bt = blob_at(c->repo, &r->head, src))) {
			et.path = src;
			git_oid_cpy(&et.id, git_blob_id(bt));
		}
	}
	if ((bo || bt) && side_hunks(c->repo, bb ? &eb : NULL, bo ? &eo : NULL, &ho) == 0 &&
	    side_hunks(c->repo, bb ? &eb : NULL, bt ? &et : NULL, &ht) == 0) {
		if (bb && bo && bt)
			conflict_ranges(mc, &ho, &ht);
		else {
			for (x = 0; bo && x < ho.nr; x++)
				add_range(&mc->ours, &mc->ours_nr, &mc->ours_alloc, &ho.new[x]);
			for (x = 0; bt && x < ht.nr; x++)
				add_range(&mc->theirs, &mc->theirs_nr, &mc->theirs_alloc, &ht.new[x]);
		}
	}
	git_error_clear();
	for (x = 0; bb && bo && bt && x < ho.nr; x++)
		for (y = 0; y < ht.nr; y++)
			if (touches(&ho.old[x], &ht.old[y])) {
				hunk_add(&meet, &ho.old[x], &ho.new[x]);
				break;
			}
	paths[0] = path;
	paths[1] = src;
	find_with(c, r->task, tip, paths, src ? 2 : 1, meet.nr ? &meet : NULL, bb ? &eb.id : NULL,
		  &mc->with);
	free(src);
	hunks_release(&meet);
	hunks_release(&ho);
	hunks_release(&ht);
	git_blob_free(bb);
	git_blob_free(bo);
	git_blob_free(bt);
	return 0;
}

/*
 * git's path set stands (gitmerge.h): drop what libgit2 reported that git
 * does not name (a rename/modify conflict libgit2 also puts at the old
 * path, a path git merges), add what git names that libgit2 did not.
 * A path keeps the type git's message gives it (a file one side renamed
 * and both edited is git's "content" conflict, where libgit2's stages
 * say rename), as when git alone merged.
 */
static int git_conflicts(struct mctx *c, struct merge_result *r, const git_oid *tip,
			 const struct gitmerge *g)
{
	size_t i, k = 0;

	for (i = 0; i < r->conflicts_nr; i++) {
		if (gitmerge_has(g, r->conflicts[i].path)) {
			const char *type = gitmerge_type_named(g, r->conflicts[i].path);

			if (type)
				r->conflicts[i].type = type;
			r->conflicts[k++] = r->conflicts[i];
		} else {
			conflict_release(&r->conflicts[i]);
		}
	}
	r->conflicts_nr = k;
	for (i = 0; i < g->paths.nr; i++) {
		for (k = 0; k < r->conflicts_nr; k++)
			if (!strcmp(r->conflicts[k].path, g->paths.v[i]))
				break;
		if (k < r->conflicts_nr)
			continue;
		/* one merge base (prepare()): libgit2 need not walk the history again for it */
		if (git_only_conflict(c, r, tip, g->paths.v[i], gitmerge_type(g, g->paths.v[i]),
				      c->nbases == 1 ? &c->mbase : NULL) < 0)
			return -1;
	}
	return 0;
}

/* commits */

static int squash_message(struct mctx *c, struct strbuf *msg, const struct task *t,
			  const git_oid *tip, const git_oid *head)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int ret = -1;

	strbuf_addf(msg, "%s: %s\n", t->id, t->title);
	if (git_revwalk_new(&walk, c->repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, head) < 0 || git_revwalk_hide(walk, tip) < 0) {
		error("cannot list the commits of task '%s': %s", t->id, gp_git_error());
		goto out;
	}
	while (!git_revwalk_next(&oid, walk)) {
		git_commit *cm = NULL;
		struct strbuf one = STRBUF_INIT;

		if (git_commit_lookup(&cm, c->repo, &oid) < 0)
			continue;
		strbuf_addstr(&one, git_commit_message(cm));
		strbuf_trim(&one);
		strbuf_addf(msg, "\n%s\n", one.buf);
		strbuf_release(&one);
		git_commit_free(cm);
	}
	ret = 0;
out:
	git_revwalk_free(walk);
	return ret;
}

static int any_dir_in(const struct strmap *set, const char *path)
{
	const char *slash;
	int found = 0;

	for (slash = strchr(path, '/'); slash && !found; slash = strchr(slash + 1, '/')) {
		char *dir = xstrndup(path, (size_t)(slash - path));

		found = strmap_contains(set, dir);
		free(dir);
	}
	return found;
}

static void tip_next_clear(struct tip_side *ts)
{
	size_t i;

	for (i = 0; i < ts->next_nr; i++)
		free((char *)ts->next[i].path);
	ts->next_nr = 0;
}

/* What merge_disjoint() puts into the tip's tree at path, from base. */
static void tip_next_add(struct tip_side *ts, const char *path, const git_oid *old_id,
			 unsigned int old_mode, const git_oid *new_id, unsigned int new_mode)
{
	struct tree_change *d;

	ALLOC_GROW(ts->next, ts->next_nr + 1, ts->next_alloc);
	d = &ts->next[ts->next_nr++];
	memset(d, 0, sizeof(*d));
	d->path = xstrdup(path);
	git_oid_cpy(&d->old_id, old_id);
	d->old_mode = old_mode;
	git_oid_cpy(&d->new_id, new_id);
	d->new_mode = new_mode;
}

/* The tip's changes since base (trees), from c->tip when it has them. */
static const struct tree_side *tip_changes(struct mctx *c, const git_oid *base_tree,
					   const git_oid *tip_tree)
{
	struct tip_side *ts = &c->tip;

	size_t i;
	int deletes = 0;

	/*
	 * Deletions are not advanced in place: whether a directory is gone
	 * whole (a deleted directory for git's directory renames, see
	 * tree_side_diff()) takes the tree; the diff below reads it.
	 */
	for (i = 0; i < ts->next_nr && !deletes; i++)
		deletes = !ts->next[i].new_mode;
	if (ts->valid && git_oid_equal(&ts->base_tree, base_tree) && ts->next_nr && !deletes &&
	    git_oid_equal(&ts->next_tree, tip_tree)) {
		/* the tip is merge_disjoint()'s tree: its changes, not a diff */
		for (i = 0; i < ts->next_nr; i++) {
			const struct tree_change *d = &ts->next[i];

			tree_side_add(&ts->side, d->path, &d->old_id, d->old_mode, &d->new_id,
				      d->new_mode);
		}
		git_oid_cpy(&ts->tip_tree, tip_tree);
		tip_next_clear(ts);
	}
	if (ts->valid && git_oid_equal(&ts->base_tree, base_tree) &&
	    git_oid_equal(&ts->tip_tree, tip_tree))
		return &ts->side;
	ts->valid = 0;
	if (tree_side_diff(&ts->side, c->repo, base_tree, tip_tree) < 0)
		return NULL;
	git_oid_cpy(&ts->base_tree, base_tree);
	git_oid_cpy(&ts->tip_tree, tip_tree);
	ts->valid = 1;
	return &ts->side;
}

/* A regular file modified in place (no mode change, no type change). */
static int modified_in_place(const struct tree_change *d)
{
	return d->old_mode && d->old_mode == d->new_mode &&
		(d->new_mode == GIT_FILEMODE_BLOB || d->new_mode == GIT_FILEMODE_BLOB_EXECUTABLE);
}

/*
 * A regular file modified in place on both sides: libgit2's three-way
 * file merge of the blobs (what git_merge_commits() does for such a
 * path).  1: clean, *out the merged blob; 0: not clean (or binary).
 */
static int merge_file(git_oid *out, git_repository *repo, const struct tree_change *o,
		      const struct tree_change *t)
{
	git_blob *b[3] = { NULL, NULL, NULL };
	git_merge_file_input in[3];
	git_merge_file_result res;
	const git_oid *ids[3];
	int i, ret = 0;

	memset(&res, 0, sizeof(res));
	ids[0] = &o->old_id;
	ids[1] = &o->new_id;
	ids[2] = &t->new_id;
	for (i = 0; i < 3; i++) {
		if (git_blob_lookup(&b[i], repo, ids[i]) < 0 || git_blob_is_binary(b[i]))
			goto out;
		git_merge_file_input_init(&in[i], GIT_MERGE_FILE_INPUT_VERSION);
		in[i].ptr = git_blob_rawcontent(b[i]);
		in[i].size = (size_t)git_blob_rawsize(b[i]);
		in[i].path = t->path;
		in[i].mode = t->new_mode;
	}
	if (git_merge_file(&res, &in[0], &in[1], &in[2], NULL) < 0 || !res.automergeable ||
	    res.mode != t->new_mode)
		goto out;
	if (git_blob_create_from_buffer(out, repo, res.ptr, res.len) < 0)
		goto out;
	ret = 1;
out:
	git_merge_file_result_free(&res);
	for (i = 0; i < 3; i++)
		git_blob_free(b[i]);
	return ret;
}

/*
 * The files both sides modified, as three commits holding only them:
 * their base versions (b), the tip's (o) and the task's (t), o and t
 * children of b; m: the merged versions, the tree git's merge of o and
 * t must give (c->syn_*).  git merges each file from the same three
 * blobs at the same path (its attributes apply) as in the whole merge,
 * where nothing is renamed (need_git() checked): its answer for them is
 * its answer for the whole merge.  0, or -1 (libgit2's error set).
 */
static int synthetic_pair(struct mctx *c, const git_tree_update *b, const git_tree_update *o,
			  const git_tree_update *t, const git_tree_update *m, size_t n)
{
	git_treebuilder *tb = NULL;
	git_tree *empty = NULL, *trees[3] = { NULL, NULL, NULL };
	git_commit *bc = NULL;
	git_signature *sig = NULL;
	git_oid eo, ids[3], bo;
	const git_tree_update *ups[3];
	const git_commit *parents[1];
	int i, ret = -1;

	ups[0] = b;
	ups[1] = o;
	ups[2] = t;
	if (git_treebuilder_new(&tb, c->repo, NULL) < 0 || git_treebuilder_write(&eo, tb) < 0 ||
	    git_tree_lookup(&empty, c->repo, &eo) < 0 ||
	    git_signature_new(&sig, "git-parallel", "git-parallel@localhost", 0, 0) < 0 ||
	    git_tree_create_updated(&c->syn_expect, c->repo, empty, n, m) < 0)
		goto out;
	for (i = 0; i < 3; i++)
		if (git_tree_create_updated(&ids[i], c->repo, empty, n, ups[i]) < 0 ||
		    git_tree_lookup(&trees[i], c->repo, &ids[i]) < 0)
			goto out;
	if (git_commit_create(&bo, c->repo, NULL, sig, sig, NULL, "base\n", trees[0], 0, NULL) < 0 ||
	    git_commit_lookup(&bc, c->repo, &bo) < 0)
		goto out;
	parents[0] = bc;
	if (git_commit_create(&c->syn_ours, c->repo, NULL, sig, sig, NULL, "ours\n", trees[1], 1,
			      parents) < 0 ||
	    git_commit_create(&c->syn_theirs, c->repo, NULL, sig, sig, NULL, "theirs\n", trees[2],
			      1, parents) < 0)
		goto out;
	c->syn_valid = 1;
	ret = 0;
out:
	git_commit_free(bc);
	for (i = 0; i < 3; i++)
		git_tree_free(trees[i]);
	git_tree_free(empty);
	git_signature_free(sig);
	git_treebuilder_free(tb);
	return ret;
}

/* A file both sides modified in place, in merge_disjoint(). */
struct both_file {
	const struct tree_change *o, *d;	/* the tip's change, the task's */
	size_t up;		/* its update in merge_disjoint()'s list */
	int done;		/* scripts_merge() merged it: *merged */
	int conflict;		/* scripts_merge(): git's content merge conflicts on it */
	git_oid merged;
};

/* The tree of empty tree with the files of bf (their base, tip or task blob: which). */
static int files_tree(struct mctx *c, git_oid *out, const struct both_file *bf, size_t n, int which)
{
	git_tree_update *ups = xcalloc(n + 1, sizeof(*ups));
	size_t i;
	int ret = -1;

	if (!c->has_empty_tree) {
		git_treebuilder *tb = NULL;

		if (git_treebuilder_new(&tb, c->repo, NULL) < 0 ||
		    git_treebuilder_write(&c->empty_tree, tb) < 0) {
			git_treebuilder_free(tb);
			goto out;
		}
		git_treebuilder_free(tb);
		c->has_empty_tree = 1;
	}
	for (i = 0; i < n; i++) {
		ups[i].action = GIT_TREE_UPDATE_UPSERT;
		ups[i].path = bf[i].d->path;
		ups[i].filemode = (git_filemode_t)bf[i].d->new_mode;
		git_oid_cpy(&ups[i].id, which == 0 ? &bf[i].d->old_id :
			    which == 1 ? &bf[i].o->new_id : &bf[i].d->new_id);
	}
	if (tree_update(out, c->repo, &c->empty_tree, ups, n, NULL) < 0)
		goto out;
	ret = 0;
out:
	free(ups);
	return ret;
}

/*
 * gitmerge_text_merge(path), asked of libgit2 once per path: the
 * attribute files it reads (the checkout's, its index) do not change
 * while merge works (only settle_checkout() writes them, at the end).
 */
static int text_merge(struct mctx *c, const char *path)
{
	uintptr_t v = (uintptr_t)strmap_get(&c->text_merge, path);

	if (!v) {
		v = 1 + !!gitmerge_text_merge(c->repo, path);
		strmap_put(&c->text_merge, path, (void *)v, NULL);
	}
	return v == 2;
}

/*
 * The configuration the line scripts depend on, read once: whether they
 * can be used at all, and whether git refines conflicts (its
 * merge.conflictStyle).  Both prefetch_scripts() and scripts_merge() may
 * come first.
 */
static void scripts_config(struct mctx *c)
{
	if (c->config_checked)
		return;
	c->config_checked = 1;
	c->scripts_off = !gitmerge_config_plain(c->repo);
	c->refine = gitmerge_conflict_refine(c->repo);
}

/*
 * The two tree pairs whose diffs are the line scripts of bf's files (base
 * -> the tip's side, base -> the task's side): the files alone, at their
 * paths (attributes), in three small trees; and the differ running.  0,
 * or -1 (nothing reported; c->scripts_off when git cannot be started).
 */
static int scripts_request(struct mctx *c, const struct both_file *bf, size_t n,
			   git_oid base_trees[2], git_oid side_trees[2])
{
	git_oid trees[3];
	size_t k;

	for (k = 0; k < 3; k++)
		if (files_tree(c, &trees[k], bf, n, (int)k) < 0) {
			git_error_clear();
			return -1;
		}
	if (!c->differ && !(c->differ = gitmerge_differ_start(c->repo))) {
		c->scripts_off = 1;
		return -1;
	}
	git_oid_cpy(&base_trees[0], &trees[0]);
	git_oid_cpy(&side_trees[0], &trees[1]);
	git_oid_cpy(&base_trees[1], &trees[0]);
	git_oid_cpy(&side_trees[1], &trees[2]);
	return 0;
}

/* GIT_PARALLEL_TEST_SCRIPTS_LOG=<file>: "asked <n>" / "prefetched <n>" per differ request (files) */
static void scripts_log(const char *what, size_t n)
{
	const char *log = getenv("GIT_PARALLEL_TEST_SCRIPTS_LOG");
	FILE *f = log && *log ? fopen(log, "a") : NULL;

	if (f) {
		fprintf(f, "%s %zu\n", what, n);
		fclose(f);
	}
}

/*
 * Merge, as git's merge-ort does (gitmerge_scripts_merge()), the files
 * of bf from git's own line scripts of the base against each side:
 * those git merges cleanly get done and merged, those it conflicts on
 * get conflict.  The others are left to the caller.  Nothing is
 * reported: a file not decided here is merged the usual way.
 */
static void scripts_merge(struct mctx *c, struct both_file *bf, size_t n)
{
	git_oid base_trees[2], side_trees[2];
	struct both_file *cand = xcalloc(n + 1, sizeof(*cand));
	size_t i, k, nc = 0, missing = 0;

	scripts_config(c);
	if (c->scripts_off)
		goto out;
	/* the answer to prefetch_scripts(), which may hold these */
	if (c->differ && gitmerge_differ_collect(c->differ, &c->scripts) < 0) {
		c->scripts_off = 1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!text_merge(c, bf[i].d->path))
			continue;
		cand[nc++] = bf[i];
		missing += !gitmerge_script_of(&c->scripts, &bf[i].d->old_id, &bf[i].o->new_id) ||
			!gitmerge_script_of(&c->scripts, &bf[i].d->old_id, &bf[i].d->new_id);
	}
	if (!nc)
		goto out;
	if (missing) {
		if (scripts_request(c, cand, nc, base_trees, side_trees) < 0)
			goto out;
		scripts_log("asked", nc);
		if (gitmerge_differ_scripts(c->differ, &c->scripts, base_trees, side_trees, 2) < 0) {
			c->scripts_off = 1;
			goto out;
		}
	}
	for (i = 0, k = 0; i < n && k < nc; i++) {
		const struct gitmerge_script *sa, *sb;
		git_blob *b[3] = { NULL, NULL, NULL };
		const git_oid *ids[3];
		struct strbuf m = STRBUF_INIT;
		int j, ok, rc;

		if (bf[i].d != cand[k].d)
			continue;
		k++;
		sa = gitmerge_script_of(&c->scripts, &bf[i].d->old_id, &bf[i].o->new_id);
		sb = gitmerge_script_of(&c->scripts, &bf[i].d->old_id, &bf[i].d->new_id);
		ids[0] = &bf[i].d->old_id;
		ids[1] = &bf[i].o->new_id;
		ids[2] = &bf[i].d->new_id;
		ok = sa && sb;
		for (j = 0; ok && j < 3; j++)
			ok = !git_blob_lookup(&b[j], c->repo, ids[j]) &&
				!gitmerge_binary(git_blob_rawcontent(b[j]), (size_t)git_blob_rawsize(b[j]));
		rc = !ok ? -1 : gitmerge_scripts_merge(&m, git_blob_rawcontent(b[1]),
							(size_t)git_blob_rawsize(b[1]), sa,
							git_blob_rawcontent(b[2]),
							(size_t)git_blob_rawsize(b[2]), sb, c->refine);
		if (rc == 1)
			bf[i].conflict = 1;
		else if (!rc && !git_blob_create_from_buffer(&bf[i].merged, c->repo, m.buf, m.len))
			bf[i].done = 1;
		git_error_clear();
		strbuf_release(&m);
		for (j = 0; j < 3; j++)
			git_blob_free(b[j]);
	}
out:
	free(cand);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * c->guess: the files of bf git conflicts on, in the order the report
 * names them when libgit2's whole-tree merge and git's path set make it
 * (git_conflicts()): those libgit2's file merge conflicts on too, then
 * the others, each group by path.  One file needs no libgit2 merge.
 */
static void guess_paths(struct mctx *c, const struct both_file *bf, size_t n)
{
	struct strlist later = STRLIST_INIT;
	size_t i, nr = 0, first;

	for (i = 0; i < n; i++)
		nr += bf[i].conflict;
	for (i = 0; i < n; i++) {
		git_oid blob;

		if (!bf[i].conflict)
			continue;
		if (nr > 1 && merge_file(&blob, c->repo, bf[i].o, bf[i].d))
			strlist_push(&later, bf[i].d->path);
		else
			strlist_push(&c->guess, bf[i].d->path);
	}
	git_error_clear();
	first = c->guess.nr;
	/* qsort() of a NULL array, even empty, is undefined (UBSan) */
	if (first)
		qsort(c->guess.v, first, sizeof(char *), cmp_strp);
	if (later.nr)
		qsort(later.v, later.nr, sizeof(char *), cmp_strp);
	for (i = 0; i < later.nr; i++)
		strlist_push(&c->guess, later.v[i]);
	strlist_clear(&later);
}

/*
 * Ask git now for the scripts the next task is likely to need, so that
 * it diffs while this merge is written (its answer is read in
 * scripts_merge()): for each file this merge puts into the tip
 * (c->tip.next) that the next task modified in place too, base -> new
 * tip and base -> the next task's version, with this merge's base taken
 * for the next one's when the next task started there (as the tasks 'git
 * parallel run' makes do).  It only fills c->scripts, kept by blob pair:
 * a wrong guess costs a diff.
 */
static void prefetch_scripts(struct mctx *c)
{
	struct tip_side *ts = &c->tip;
	struct tree_change *o = NULL, *d = NULL;
	struct both_file *bf = NULL;
	git_commit *hc = NULL;
	git_tree *ht = NULL;
	git_oid base_trees[2], side_trees[2];
	size_t i, n = 0;

	git_oid start;

	if (!c->has_next_head || c->scripts_off || !ts->next_nr)
		return;
	/* a task that started elsewhere (a topic of its own) will likely have another base */
	task_start(c, c->next_task, &start);
	if (!git_oid_equal(&start, &c->mbase))
		return;
	scripts_config(c);
	if (c->scripts_off)
		return;
	if (git_commit_lookup(&hc, c->repo, &c->next_head) < 0 || git_commit_tree(&ht, hc) < 0)
		goto out;
	o = xcalloc(ts->next_nr, sizeof(*o));
	d = xcalloc(ts->next_nr, sizeof(*d));
	bf = xcalloc(ts->next_nr, sizeof(*bf));
	for (i = 0; i < ts->next_nr; i++) {
		const struct tree_change *t = &ts->next[i];
		git_tree_entry *e = NULL;
		int want;

		if (!modified_in_place(t) || git_tree_entry_bypath(&e, ht, t->path) < 0)
			continue;
		want = git_tree_entry_filemode(e) == (git_filemode_t)t->new_mode &&
			!git_oid_equal(git_tree_entry_id(e), &t->old_id) &&
			!git_oid_equal(git_tree_entry_id(e), &t->new_id);
		if (want) {
			d[n] = *t;
			git_oid_cpy(&d[n].new_id, git_tree_entry_id(e));
			o[n] = *t;
			want = text_merge(c, t->path) &&
				(!gitmerge_script_of(&c->scripts, &t->old_id, &t->new_id) ||
				 !gitmerge_script_of(&c->scripts, &t->old_id, &d[n].new_id));
		}
		git_tree_entry_free(e);
		if (want) {
			bf[n].o = &o[n];
			bf[n].d = &d[n];
			n++;
		}
	}
	if (!n)
		goto out;
	if (scripts_request(c, bf, n, base_trees, side_trees) < 0)
		goto out;
	scripts_log("prefetched", n);
	if (gitmerge_differ_send(c->differ, &c->scripts, base_trees, side_trees, 2) < 0)
		c->scripts_off = 1;
out:
	git_error_clear();
	free(bf);
	free(d);
	free(o);
	git_tree_free(ht);
	git_commit_free(hc);
}

/*
 * A merge from a single merge base in which no path was changed by both
 * sides in different ways (gitmerge_needed_sides() said 0) and no file
 * stands against a directory: git's result is the tip's tree with the
 * task's changes put in, which tree_update() builds
 * rewriting only the trees on those paths, while git_merge_commits()
 * walks all three trees whole (5,000 entries each on a real repository,
 * for every task merged).  With content, a regular file both sides
 * modified in place may also be merged: with MD_SCRIPTS as git merges
 * it, from git's line scripts (scripts_merge(); git has nothing to
 * confirm), else with MD_LIBGIT2 by libgit2's file merge, which git must
 * then confirm (c->syn_*).  1: *tree is the merged tree; 2 (MD_SCRIPTS):
 * every such file was decided from git's scripts, and git's content
 * merge conflicts on those in c->guess: git's merge conflicts there and
 * nowhere else; 0: not such a merge, or in doubt: merge the usual way.
 */
enum { MD_LIBGIT2 = 1 << 0, MD_SCRIPTS = 1 << 1 };
enum { GUESS_OFF = 1, GUESS_ALL };

static int merge_disjoint(struct mctx *c, git_oid *tree, const git_oid *tip_tree,
			  const struct tree_side *tip, const struct tree_side *head, int content)
{
	git_tree_update *ups = NULL, *sb = NULL, *so = NULL, *st = NULL, *sm = NULL;
	struct both_file *bf = NULL;
	size_t i, nu = 0, ns = 0, nb = 0;
	int ret = 0;

	c->syn_valid = 0;
	c->syn_none = 0;
	strlist_clear(&c->guess);
	tip_next_clear(&c->tip);
	ups = xcalloc(head->nr + 1, sizeof(*ups));
	if (content) {
		sb = xcalloc(head->nr + 1, sizeof(*sb));
		so = xcalloc(head->nr + 1, sizeof(*so));
		st = xcalloc(head->nr + 1, sizeof(*st));
		sm = xcalloc(head->nr + 1, sizeof(*sm));
		bf = xcalloc(head->nr + 1, sizeof(*bf));
	}
	for (i = 0; i < head->nr; i++) {
		const struct tree_change *d = &head->ch[i], *o;

		/* a file against a directory (either side or within the task) */
		if (strmap_contains(&tip->dirs, d->path) || any_dir_in(&tip->changed, d->path) ||
		    strmap_contains(&head->dirs, d->path))
			goto out;
		ups[nu].path = d->path;
		if ((o = tree_side_get(tip, d->path))) {
			if (git_oid_equal(&o->new_id, &d->new_id) && o->new_mode == d->new_mode)
				continue;	/* changed the same way on both sides: the tip has it */
			if (!content || !modified_in_place(o) || !modified_in_place(d) ||
			    o->new_mode != d->new_mode)
				goto out;
			/* merged below */
			ups[nu].action = GIT_TREE_UPDATE_UPSERT;
			ups[nu].filemode = (git_filemode_t)d->new_mode;
			bf[nb].o = o;
			bf[nb].d = d;
			bf[nb++].up = nu;
		} else if (!d->new_mode) {
			ups[nu].action = GIT_TREE_UPDATE_REMOVE;
		} else {
			ups[nu].action = GIT_TREE_UPDATE_UPSERT;
			git_oid_cpy(&ups[nu].id, &d->new_id);
			ups[nu].filemode = (git_filemode_t)d->new_mode;
		}
		if (!o)
			tip_next_add(&c->tip, d->path, &d->old_id, d->old_mode, &d->new_id,
				     d->new_mode);
		nu++;
	}
	if (nb && (content & MD_SCRIPTS)) {
		size_t decided = 0, conflicts = 0;

		scripts_merge(c, bf, nb);
		for (i = 0; c->test_guess == GUESS_ALL && i < nb; i++)
			if (bf[i].done) {
				bf[i].done = 0;
				bf[i].conflict = 1;
			}
		for (i = 0; i < nb; i++) {
			decided += bf[i].done || bf[i].conflict;
			conflicts += bf[i].conflict;
		}
		if (conflicts && decided == nb && c->test_guess != GUESS_OFF) {
			guess_paths(c, bf, nb);
			ret = 2;
			goto out;
		}
	}
	for (i = 0; i < nb; i++) {
		git_tree_update *u = &ups[bf[i].up];
		const struct tree_change *d = bf[i].d;

		if (bf[i].done) {
			git_oid_cpy(&u->id, &bf[i].merged);
		} else {
			if (!(content & MD_LIBGIT2) || !merge_file(&u->id, c->repo, bf[i].o, d))
				goto out;
			sb[ns] = so[ns] = st[ns] = sm[ns] = *u;
			git_oid_cpy(&sb[ns].id, &d->old_id);
			git_oid_cpy(&so[ns].id, &bf[i].o->new_id);
			git_oid_cpy(&st[ns].id, &d->new_id);
			ns++;
		}
		tip_next_add(&c->tip, d->path, &d->old_id, d->old_mode, &u->id, d->new_mode);
	}
	prefetch_scripts(c);
	if (tree_update(tree, c->repo, tip_tree, ups, nu, c->trees) < 0)
		goto out;
	if (ns && synthetic_pair(c, sb, so, st, sm, ns) < 0)
		goto out;
	c->syn_none = nb && !ns;
	git_oid_cpy(&c->tip.next_tree, tree);
	ret = 1;
out:
	if (ret != 1) {
		tip_next_clear(&c->tip);
		c->syn_none = 0;
	}
	git_error_clear();
	free(bf);
	free(ups);
	free(sb);
	free(so);
	free(st);
	free(sm);
	return ret;
}

/* An entry of a tree at a path: mode 0 where there is none. */
struct vb_entry {
	git_oid id;
	unsigned int mode;
};

static int vb_equal(const struct vb_entry *a, const struct vb_entry *b)
{
	return a->mode == b->mode && (!a->mode || git_oid_equal(&a->id, &b->id));
}

/* tree's entry at path: 1, 0 (a directory there), or -1 (libgit2's error set). */
static int vb_in_tree(git_tree *t, const char *path, struct vb_entry *out)
{
	git_tree_entry *e = NULL;
	int ret = -1, rc;

	memset(out, 0, sizeof(*out));
	rc = git_tree_entry_bypath(&e, t, path);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		ret = 1;
	} else if (!rc) {
		git_oid_cpy(&out->id, git_tree_entry_id(e));
		out->mode = (unsigned int)git_tree_entry_filemode(e);
		ret = out->mode == GIT_FILEMODE_TREE ? 0 : 1;
	}
	git_tree_entry_free(e);
	return ret;
}

/* commit's entry at path: as vb_in_tree(). */
static int vb_at(struct mctx *c, const git_oid *commit, const char *path, struct vb_entry *out)
{
	git_commit *cm = NULL;
	git_tree *t = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!git_commit_lookup(&cm, c->repo, commit) && !git_commit_tree(&t, cm))
		ret = vb_in_tree(t, path, out);
	git_tree_free(t);
	git_commit_free(cm);
	return ret;
}

/*
 * The entry at path of git's virtual merge base of the nr commits
 * bases, where its merge of them is trivial there: all alike; or two
 * that differ where their own (virtual) merge base has one of them
 * (the other then, as a three-way merge takes).  1 (*out), 0 not
 * trivial (a content merge, more bases that differ, no commit-graph),
 * -1 (libgit2's error set).  Renames between the bases are not looked
 * for: this is a guess git confirms.
 */
static int vbase_entry(struct mctx *c, const git_oid *bases, size_t nr, const char *path,
		       struct vb_entry *out, int depth)
{
	struct vb_entry e, ie;
	git_oid *ib = NULL;
	size_t i, nib = 0;
	int rc;

	if (!nr)
		return 0;
	if ((rc = vb_at(c, &bases[0], path, out)) <= 0)
		return rc;
	for (i = 1; i < nr; i++) {
		if ((rc = vb_at(c, &bases[i], path, &e)) <= 0)
			return rc;
		if (!vb_equal(out, &e))
			break;
	}
	if (i == nr)
		return 1;
	if (nr != 2 || depth >= 3 || !c->mb_graph)
		return 0;
	for (i = 0; i < c->vb_memo_nr; i++)
		if (git_oid_equal(&c->vb_memo[i].a, &bases[0]) &&
		    git_oid_equal(&c->vb_memo[i].b, &bases[1]))
			break;
	if (i == c->vb_memo_nr) {
		struct vb_memo *m;

		ALLOC_GROW(c->vb_memo, c->vb_memo_nr + 1, c->vb_memo_alloc);
		m = &c->vb_memo[c->vb_memo_nr++];
		memset(m, 0, sizeof(*m));
		git_oid_cpy(&m->a, &bases[0]);
		git_oid_cpy(&m->b, &bases[1]);
		m->ok = !mergebase_all(c->mb_graph, &bases[0], &bases[1], &m->mb, &m->n);
	}
	if (!c->vb_memo[i].ok)
		return 0;
	ib = c->vb_memo[i].mb;
	nib = c->vb_memo[i].n;
	rc = vbase_entry(c, ib, nib, path, &ie, depth + 1);
	if (rc <= 0)
		return rc;
	if (vb_equal(&ie, out))
		*out = e;
	else if (!vb_equal(&ie, &e))
		return 0;
	return 1;
}

/*
 * Before the sides are diffed (a real topic's first merge base may be
 * far behind): can bases_resolve() settle every path where the merge
 * bases differ and the tip (tc) and the task (hc) disagree?  1 yes, 0
 * no, -1 (libgit2's error set).
 */
static int bases_settle(struct mctx *c, const git_oid *base_tree, git_commit *tc, git_commit *hc)
{
	struct tree_side d;
	git_tree *tt = NULL, *ht = NULL;
	size_t i, k;
	int ret = 1;

	tree_side_init(&d);
	if (git_commit_tree(&tt, tc) < 0 || git_commit_tree(&ht, hc) < 0)
		ret = -1;
	for (i = 0; i < c->nbases && ret == 1; i++) {
		git_commit *bc = NULL;

		if (git_oid_equal(&c->bases[i], &c->mbase))
			continue;
		if (git_commit_lookup(&bc, c->repo, &c->bases[i]) < 0 ||
		    tree_side_diff(&d, c->repo, base_tree, git_commit_tree_id(bc)) < 0)
			ret = -1;
		git_commit_free(bc);
		for (k = 0; k < d.nr && ret == 1; k++) {
			struct vb_entry a, b, v;

			if ((ret = vb_in_tree(tt, d.ch[k].path, &a)) <= 0 ||
			    (ret = vb_in_tree(ht, d.ch[k].path, &b)) <= 0)
				break;
			if (!vb_equal(&a, &b))
				ret = vbase_entry(c, c->bases, c->nbases, d.ch[k].path, &v, 0);
		}
	}
	git_tree_free(ht);
	git_tree_free(tt);
	tree_side_release(&d);
	return ret;
}

struct vb_path {
	const char *path;	/* tip's or head's key */
	struct vb_entry first, virt;	/* the first base's entry, the virtual base's */
};

/* The side's entry at path: its change's new one, else the first base's. */
static void side_entry(const struct tree_side *side, const struct vb_path *v,
		       struct vb_entry *out)
{
	const struct tree_change *d = tree_side_get(side, v->path);

	if (!d) {
		*out = v->first;
		return;
	}
	memset(out, 0, sizeof(*out));
	out->mode = d->new_mode;
	if (d->new_mode)
		git_oid_cpy(&out->id, &d->new_id);
}

/* into out: side's changes, from the virtual base at the paths of v. */
static void side_from_virtual(struct tree_side *out, const struct tree_side *side,
			      const struct vb_path *v, size_t nv, const struct strmap *at)
{
	size_t i;

	for (i = 0; i < side->nr; i++) {
		const struct tree_change *d = &side->ch[i];

		if (!strmap_contains(at, d->path))
			tree_side_add(out, d->path, &d->old_id, d->old_mode, &d->new_id,
				      d->new_mode);
	}
	for (i = 0; i < nv; i++) {
		struct vb_entry now;

		side_entry(side, &v[i], &now);
		if (!vb_equal(&now, &v[i].virt))
			tree_side_add(out, v[i].path, &v[i].virt.id, v[i].virt.mode, &now.id,
				      now.mode);
	}
}

/*
 * Several merge bases (c->bases; c->mbase, the first, is base_tree's).
 * git merges from its virtual merge base, the bases merged (merge-ort's
 * merge_ort_internal()).  At a path all bases hold alike, it is likely
 * that entry; where they differ and the tip and the task agree, any base
 * gives the tip's entry.  Where they differ and the sides disagree, it
 * is taken when its merge of the bases is trivial there (vbase_entry()).
 * 1: tip_v and head_v are the sides' changes from that base (the first
 * base's changes where nothing differs: *adjusted 0); 0: a path cannot
 * be settled; -1: a tree cannot be read (libgit2's error set).  A guess,
 * which git confirms: renames between the bases are not looked for.
 */
static int bases_resolve(struct mctx *c, const git_oid *base_tree, const struct tree_side *tip,
			 const struct tree_side *head, struct tree_side *tip_v,
			 struct tree_side *head_v, int *adjusted)
{
	struct tree_side d;
	struct strmap at = STRMAP_INIT;
	struct vb_path *v = NULL;
	size_t i, k, nv = 0, alloc = 0;
	int ret = 1;

	*adjusted = 0;
	tree_side_init(&d);
	for (i = 0; i < c->nbases && ret == 1; i++) {
		git_commit *bc = NULL;

		if (git_oid_equal(&c->bases[i], &c->mbase))
			continue;
		if (git_commit_lookup(&bc, c->repo, &c->bases[i]) < 0 ||
		    tree_side_diff(&d, c->repo, base_tree, git_commit_tree_id(bc)) < 0) {
			git_commit_free(bc);
			ret = -1;
			break;
		}
		git_commit_free(bc);
		/* where this base differs from the first and the sides disagree */
		for (k = 0; k < d.nr && ret == 1; k++) {
			const struct tree_change *a = tree_side_get(tip, d.ch[k].path);
			const struct tree_change *b = tree_side_get(head, d.ch[k].path);
			struct vb_path *p;
			int found;

			if (!a && !b)
				continue;
			if (a && b && git_oid_equal(&a->new_id, &b->new_id) &&
			    a->new_mode == b->new_mode)
				continue;
			strmap_put(&at, (a ? a : b)->path, NULL, &found);
			if (found)
				continue;
			ALLOC_GROW(v, nv + 1, alloc);
			p = &v[nv++];
			memset(p, 0, sizeof(*p));
			p->path = (a ? a : b)->path;
			p->first.mode = d.ch[k].old_mode;
			if (p->first.mode)
				git_oid_cpy(&p->first.id, &d.ch[k].old_id);
			ret = vbase_entry(c, c->bases, c->nbases, p->path, &p->virt, 0);
		}
	}
	if (ret == 1 && nv) {
		side_from_virtual(tip_v, tip, v, nv, &at);
		side_from_virtual(head_v, head, v, nv, &at);
		*adjusted = 1;
	}
	strmap_clear(&at);
	free(v);
	tree_side_release(&d);
	return ret;
}

/*
 * Would libgit2's rename detection be slower than asking git?  For each
 * side, libgit2 1.5 compares every path the side deleted with every path
 * it added, all of them, reading and hashing each added file (git's
 * merge-ort considers only the deletions whose file the other side
 * changed, exact renames first): a subtree merge (gitk, git-gui into
 * git.git) has a target side of ~4,700 added files, ~1 s of libgit2's
 * time where git merge-tree takes ~0.1 s.
 */
#define RENAME_COSTLY_ADDS 256
#define RENAME_COSTLY_PAIRS 16384

static int side_renames_costly(const struct tree_side *s)
{
	size_t i, deleted = 0;

	if (!s->added)
		return 0;
	for (i = 0; i < s->nr; i++)
		if (!s->ch[i].new_mode)
			deleted++;
	return deleted && (s->added >= RENAME_COSTLY_ADDS ||
			   deleted * s->added >= RENAME_COSTLY_PAIRS);
}

static int renames_costly(const struct tree_side *a, const struct tree_side *b)
{
	return side_renames_costly(a) || side_renames_costly(b);
}

/*
 * Does merging head into tip need git (gitmerge_needed())?  The merge
 * base is prepare()'s; the tip's side comes from c->tip.  When not, and
 * the merge is disjoint, *disjoint is set and *tree is the merged tree.
 * 1 or 0, or -1 (reported).
 */
static int need_git(struct mctx *c, git_commit *tc, git_commit *hc, int *disjoint, git_oid *tree)
{
	git_commit *bc = NULL;
	const struct tree_side *tip;
	struct tree_side head;
	int ret = -1;

	*disjoint = 0;
	c->syn_valid = 0;
	c->renames_costly = 0;
	/*
	 * no base, or several: git's recursive base decides; when
	 * speculating, a merge from the first base is tried (bases_settle())
	 */
	if (c->nbases != 1 && (!c->nbases || !c->speculate))
		return 1;
	tree_side_init(&head);
	if (c->nbases > 1) {
		int settled = git_commit_lookup(&bc, c->repo, &c->mbase) < 0 ? -1 :
			bases_settle(c, git_commit_tree_id(bc), tc, hc);

		git_error_clear();
		if (settled <= 0) {
			/* git at once (a tree that cannot be read: git says) */
			ret = 1;
			goto out;
		}
		git_commit_free(bc);
		bc = NULL;
	}
	if (git_commit_lookup(&bc, c->repo, &c->mbase) < 0 ||
	    !(tip = tip_changes(c, git_commit_tree_id(bc), git_commit_tree_id(tc))) ||
	    tree_side_diff(&head, c->repo, git_commit_tree_id(bc), git_commit_tree_id(hc)) < 0) {
		error("cannot compare '%s' and the target with their merge base: %s",
		      git_oid_tostr_s(git_commit_id(hc)), gp_git_error());
		goto out;
	}
	if (c->cur_task < c->s->plan.tasks.nr && !c->touched_ok[c->cur_task]) {
		const struct task_status *st = &c->s->st[c->cur_task];
		git_oid start, recorded;

		/* the task's changes since its start, at its recorded head: what find_with() asks */
		task_start(c, c->cur_task, &start);
		if (git_oid_equal(&start, &c->mbase) && st->head &&
		    !git_oid_fromstr(&recorded, st->head) && git_oid_equal(&recorded, git_commit_id(hc)))
			touched_from(c, c->cur_task, &head);
	}
	ret = gitmerge_needed_sides(tip, &head);
	c->renames_costly = ret && renames_costly(tip, &head);
	if (c->nbases > 1) {
		struct tree_side tip_v, head_v;
		int agree, adjusted = 0;

		/* the same conditions as below, and git confirms the whole merge */
		if (ret && ((tip->deleted_dirs.nr && head.added) ||
			    (head.deleted_dirs.nr && tip->added))) {
			ret = 1;
			goto out;
		}
		ret = 1;
		tree_side_init(&tip_v);
		tree_side_init(&head_v);
		agree = bases_resolve(c, git_commit_tree_id(bc), tip, &head, &tip_v, &head_v,
				      &adjusted);
		if (agree < 0) {
			error("cannot compare the merge bases of '%s' and the target: %s",
			      git_oid_tostr_s(git_commit_id(hc)), gp_git_error());
			ret = -1;
		} else if (agree) {
			*disjoint = merge_disjoint(c, tree, git_commit_tree_id(tc),
						   adjusted ? &tip_v : tip, adjusted ? &head_v : &head,
						   MD_SCRIPTS | MD_LIBGIT2);
		}
		if (adjusted) {
			/* c->tip holds changes from the first base: these were not */
			c->tip.valid = 0;
			tip_next_clear(&c->tip);
		}
		tree_side_release(&tip_v);
		tree_side_release(&head_v);
		if (*disjoint == 2) {
			/* a conflict: git says which, the usual way */
			strlist_clear(&c->guess);
			*disjoint = 0;
		}
		/* the file merges alone are no proof: git confirms tip and head */
		c->syn_valid = 0;
		c->syn_none = 0;
		goto out;
	}
	if (!ret)
		*disjoint = merge_disjoint(c, tree, git_commit_tree_id(tc), tip, &head, 0);
	else if (!(tip->deleted_dirs.nr && head.added) && !(head.deleted_dirs.nr && tip->added))
		/*
		 * no rename in sight: files both changed merged here, as git
		 * does from its scripts, else (speculating) by libgit2 and
		 * git confirms
		 */
		*disjoint = merge_disjoint(c, tree, git_commit_tree_id(tc), tip, &head,
					   MD_SCRIPTS | (c->speculate ? MD_LIBGIT2 : 0));
out:
	tree_side_release(&head);
	git_commit_free(bc);
	return ret;
}

/*
 * git_merge_commits(), from prepare()'s merge base when there is one
 * (git_merge_commits() would walk the history again to find it: what a
 * merge with a single base is, git_merge_trees() from its tree).  With
 * ranges_only (git has merged, and conflicts: libgit2 only measures the
 * line ranges of the report), from the first of several merge bases too:
 * libgit2 1.5's recursive merge walks the history without generation
 * numbers again (most of merge's time on git.git topics), for ranges
 * that differ only where the bases do.
 */
static int merge_trees(struct mctx *c, git_index **index, git_commit *tc, git_commit *hc,
		       const git_merge_options *mo, int ranges_only)
{
	git_commit *bc = NULL;
	git_tree *bt = NULL, *tt = NULL, *ht = NULL;
	int ret;

	if (c->nbases != 1 && !(ranges_only && c->nbases > 1))
		return git_merge_commits(index, c->repo, tc, hc, mo);
	ret = git_commit_lookup(&bc, c->repo, &c->mbase) < 0 || git_commit_tree(&bt, bc) < 0 ||
		git_commit_tree(&tt, tc) < 0 || git_commit_tree(&ht, hc) < 0 ||
		git_merge_trees(index, c->repo, bt, tt, ht, mo) < 0 ? -1 : 0;
	git_tree_free(ht);
	git_tree_free(tt);
	git_tree_free(bt);
	git_commit_free(bc);
	return ret;
}

/* git's answer for ours and theirs in this merge, or NULL. */
static const struct git_answer *answer_find(struct mctx *c, const git_oid *ours,
					    const git_oid *theirs)
{
	size_t i;

	for (i = 0; i < c->answers_nr; i++)
		if (git_oid_equal(&c->answers[i].ours, ours) &&
		    git_oid_equal(&c->answers[i].theirs, theirs))
			return &c->answers[i];
	return NULL;
}

static void answer_keep(struct mctx *c, const git_oid *ours, const git_oid *theirs, int ok,
			const struct gitmerge *g)
{
	struct git_answer *a;

	if (answer_find(c, ours, theirs))
		return;
	ALLOC_GROW(c->answers, c->answers_nr + 1, c->answers_alloc);
	a = &c->answers[c->answers_nr++];
	git_oid_cpy(&a->ours, ours);
	git_oid_cpy(&a->theirs, theirs);
	a->ok = ok;
	gitmerge_init(&a->g);
	gitmerge_copy(&a->g, g);
}

/* gitmerge_run(), answered from c->answers when git was asked already. */
static int git_answer(struct mctx *c, struct gitmerge *g, const git_oid *ours, const git_oid *theirs)
{
	const struct git_answer *a = answer_find(c, ours, theirs);
	int ok;

	if (a) {
		gitmerge_copy(g, &a->g);
		return a->ok;
	}
	if (!c->cf_sync && !c->cf_off && !(c->cf_sync = gitmerge_confirmer_start(c->repo, ours)))
		c->cf_off = 1;
	if (c->cf_sync) {
		long k = gitmerge_confirmer_ask(c->cf_sync, ours, theirs);

		ok = k < 0 ? -1 : gitmerge_confirmer_answer(g, c->cf_sync, k);
	} else {
		ok = gitmerge_run(g, c->repo, ours, theirs);
	}
	answer_keep(c, ours, theirs, ok, g);
	return ok;
}

/* Does git's answer g conflict, as guessed, on exactly the paths, each a content conflict? */
static int guess_holds(const struct gitmerge *g, const struct strlist *paths)
{
	size_t i;

	if (!g->conflicts || g->paths.nr != paths->nr)
		return 0;
	for (i = 0; i < paths->nr; i++)
		if (!gitmerge_has(g, paths->v[i]) || strcmp(gitmerge_type(g, paths->v[i]), "content"))
			return 0;
	return 1;
}

/*
 * The report of a conflict guessed from the scripts (c->guess): what
 * git_conflicts() makes of git's path set when it holds, each path's
 * ranges and `with` from its three blobs (base, tip, task: no rename is
 * in sight), as analyze_conflicts() measures a content conflict.
 */
static int guess_report(struct mctx *c, struct merge_result *r, const git_oid *tip)
{
	size_t i;

	for (i = 0; i < c->guess.nr; i++)
		if (git_only_conflict(c, r, tip, c->guess.v[i], "content", &c->mbase) < 0)
			return -1;
	return 0;
}

/*
 * git starts merging ours and theirs in the background (c->cf_bg, else a
 * git merge-tree of its own: *gc): 0, or -1 when it cannot (reported).
 */
static int git_start(struct mctx *c, const git_oid *ours, const git_oid *theirs,
		     struct gitmerge_child **gc, long *cf_idx)
{
	*gc = NULL;
	*cf_idx = -1;
	if (!c->cf_bg && !c->cf_off && !(c->cf_bg = gitmerge_confirmer_start(c->repo, ours)))
		c->cf_off = 1;
	if (c->cf_bg) {
		*cf_idx = gitmerge_confirmer_ask(c->cf_bg, ours, theirs);
		return *cf_idx < 0 ? -1 : 0;
	}
	*gc = gitmerge_start(c->repo, ours, theirs);
	return *gc ? 0 : -1;
}

/* git merges ours and theirs in the background; pending_collect() checks its answer. */
static void pending_add(struct mctx *c, struct gitmerge_child *gc, long cf_idx,
			const git_oid *ours, const git_oid *theirs, const git_oid *tree,
			const struct strlist *guess)
{
	struct pending_git *p;
	size_t i;

	ALLOC_GROW(c->pending, c->pending_nr + 1, c->pending_alloc);
	p = &c->pending[c->pending_nr++];
	memset(p, 0, sizeof(*p));
	p->gc = gc;
	p->cf_idx = cf_idx;
	git_oid_cpy(&p->ours, ours);
	git_oid_cpy(&p->theirs, theirs);
	if (tree)
		git_oid_cpy(&p->tree, tree);
	strlist_init(&p->paths);
	p->conflict = !!guess;
	for (i = 0; guess && i < guess->nr; i++)
		strlist_push(&p->paths, guess->v[i]);
}

/*
 * Merge head into tip in memory.  0: clean, the new commit in *out; 1:
 * conflicts (in r); -1: error (reported).
 */
static int merge_one(struct mctx *c, struct merge_result *r, const git_oid *tip, git_oid *out)
{
	const struct task *t = &c->s->plan.tasks.v[r->task];
	git_commit *tc = NULL, *hc = NULL;
	const git_commit *parents[2];
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_oid tree_oid;
	struct strbuf msg = STRBUF_INIT;
	git_merge_options mo;
	struct gitmerge g;
	int squash = !!(c->opts->flags & MERGE_SQUASH), ret = -1, lg_conflicts = 0, need;
	int have_git = 0, disjoint = 0, spec = 0, asked, confirmed = 0;

	gitmerge_init(&g);
	if (git_commit_lookup(&tc, c->repo, tip) < 0 || git_commit_lookup(&hc, c->repo, &r->head) < 0) {
		error("task '%s': cannot read commit: %s", r->id, gp_git_error());
		goto out;
	}
	/*
	 * libgit2's merge is not git's (gitmerge.h): where they may differ
	 * (both changed a path, a rename), git merges, and its verdict, tree
	 * and conflicting paths stand; libgit2 then only gives the line
	 * ranges and who brought the other side.  Elsewhere libgit2 merges,
	 * and a conflict it finds is confirmed by git.  If git cannot
	 * answer, libgit2's answer stands.
	 */
	/*
	 * Where git is not needed, a task that changed only paths the tip
	 * did not (or the same way) goes into the tip's tree in place.
	 */
	c->cur_task = r->task;
	need = need_git(c, tc, hc, &disjoint, &tree_oid);
	c->cur_task = SIZE_MAX;
	if (need < 0)
		goto out;
	if (disjoint == 2) {
		/*
		 * git's content merge conflicts on c->guess, decided from its
		 * scripts: the task is not merged, at once, with the report
		 * git's answer gives when it holds; git confirms in the
		 * background (a guess it overturns: merge_all() again)
		 */
		if (c->speculate && !answer_find(c, tip, &r->head)) {
			struct gitmerge_child *gc;
			long k;

			if (!git_start(c, tip, &r->head, &gc, &k)) {
				c->git_how = "background";
				pending_add(c, gc, k, tip, &r->head, NULL, &c->guess);
				ret = guess_report(c, r, tip) < 0 ? -1 : 1;
				goto out;
			}
		}
		asked = 1;
		c->git_how = "asked";
		have_git = !git_answer(c, &g, tip, &r->head);
		if (have_git && guess_holds(&g, &c->guess)) {
			ret = guess_report(c, r, tip) < 0 ? -1 : 1;
			goto out;
		}
		disjoint = 0;	/* git says otherwise: as it says, the usual way */
	} else {
		const struct git_answer *sa;
		int force = 0;

		confirmed = disjoint && c->syn_none;
		/* git answered for the files libgit2 merged (an earlier merge_all()) */
		if (need && disjoint && c->syn_valid &&
		    (sa = answer_find(c, &c->syn_ours, &c->syn_theirs))) {
			if (sa->ok < 0 ||
			    (!sa->g.conflicts && git_oid_equal(&sa->g.tree, &c->syn_expect))) {
				confirmed = 1;
			} else {
				disjoint = 0;
				force = 1;
			}
		}
		/*
		 * several merge bases: git's recursive merge decides (libgit2's
		 * would be slow), at once unless merged from the first base
		 * (need_git(): bases_agree()), which git confirms in the background
		 */
		/*
		 * libgit2's rename detection would be slow (renames_costly()):
		 * git merges, and libgit2 does not (not even for the line
		 * ranges of git's conflicts: git_only_conflict() measures them)
		 */
		asked = need && !confirmed &&
			(force || !c->speculate || (c->nbases != 1 && !disjoint) ||
			 (c->renames_costly && !disjoint) || answer_find(c, tip, &r->head));
		if (asked) {
			c->git_how = "asked";
			have_git = !git_answer(c, &g, tip, &r->head);
		}
	}
	if (disjoint) {
		/* tree_oid is the merged tree */
	} else if (!have_git || (g.conflicts && !c->renames_costly)) {
		git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
		mo.target_limit = GITMERGE_RENAME_LIMIT;
		if (merge_trees(c, &index, tc, hc, &mo, have_git) < 0) {
			error("task '%s': cannot merge: %s", r->id, gp_git_error());
			goto out;
		}
		lg_conflicts = git_index_has_conflicts(index);
		if (lg_conflicts && !asked) {
			c->git_how = "asked";
			have_git = !git_answer(c, &g, tip, &r->head);
		} else if (need && !asked) {
			spec = 1;	/* libgit2's clean tree, until git says otherwise */
		}
	}
	if (have_git && g.conflicts) {
		if (lg_conflicts && analyze_conflicts(c, r, index, tip) < 0)
			goto out;
		ret = git_conflicts(c, r, tip, &g) < 0 ? -1 : 1;
		goto out;
	}
	if (have_git) {
		git_oid_cpy(&tree_oid, &g.tree);	/* checked to be in the object database */
	} else if (disjoint) {
		/* merged in place above */
	} else if (lg_conflicts) {
		ret = analyze_conflicts(c, r, index, tip) < 0 ? -1 : 1;
		goto out;
	} else if (git_index_write_tree_to(&tree_oid, index, c->repo) < 0) {
		error("task '%s': cannot write the merged tree: %s", r->id, gp_git_error());
		goto out;
	}
	if (!asked && (spec || (need && disjoint && !confirmed))) {
		int syn = disjoint && c->syn_valid;
		const git_oid *ours = syn ? &c->syn_ours : tip, *theirs = syn ? &c->syn_theirs : &r->head;
		struct gitmerge_child *gc;
		long k;

		/* git cannot be started: libgit2's answer stands, as with gitmerge_run() */
		if (!git_start(c, ours, theirs, &gc, &k)) {
			c->git_how = "background";
			pending_add(c, gc, k, ours, theirs, syn ? &c->syn_expect : &tree_oid, NULL);
		}
	}
	if (git_tree_lookup(&tree, c->repo, &tree_oid) < 0) {
		error("task '%s': cannot write the merged tree: %s", r->id, gp_git_error());
		goto out;
	}
	if (squash) {
		if (squash_message(c, &msg, t, tip, &r->head) < 0)
			goto out;
	} else {
		strbuf_addf(&msg, "Merge task %s: %s\n", t->id, t->title);
	}
	parents[0] = tc;
	parents[1] = hc;
	if (git_commit_create(out, c->repo, NULL, c->author, c->committer, NULL, msg.buf,
			      tree, squash ? 1 : 2, parents) < 0) {
		error("task '%s': cannot write the merge commit: %s", r->id, gp_git_error());
		goto out;
	}
	if (!gp_object_written(c->repo, out)) {
		error("task '%s': cannot write the merge commit: it is not in the object "
		      "database (disk full?)", r->id);
		goto out;
	}
	ret = 0;
out:
	gitmerge_release(&g);
	strbuf_release(&msg);
	git_tree_free(tree);
	git_index_free(index);
	git_commit_free(hc);
	git_commit_free(tc);
	return ret;
}

/* --verify */

#define VERIFY_PREFIX "gp-verify-"

static volatile sig_atomic_t verify_sig;

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void verify_on_signal(int sig)
{
	if (!verify_sig)
		verify_sig = sig;
}

/*
 * Has the leader pid exited?  Not reaped (WNOWAIT): while it stays a
 * zombie its process group id cannot be handed out again, so signalling
 * the group afterwards cannot hit a stranger.
 */
static int leader_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno != EINTR;	/* ECHILD: nothing left to wait for */
	return si.si_pid == pid;
}

/* Stop a verify command's process group: SIGTERM, up to 5 s for its leader, then SIGKILL. */
static void verify_stop(pid_t pid)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int i;

	kill(-pid, SIGTERM);
	for (i = 0; i < 250 && !leader_exited(pid); i++)
		nanosleep(&tick, NULL);
}

/*
 * Run the verify command in dir, in a process group of its own, for at most
 * timeout seconds (0: no limit).  SIGINT, SIGTERM and SIGHUP are passed on
 * to its group; the command is stopped and *sig says which arrived.  The
 * exit status, 128 + signal when killed, 124 on timeout (*timed_out), -1
 * when it could not run.
 */
static int verify_command(const char *cmd, const char *dir, const char *const *extra,
			  double timeout, int *timed_out, int *sig)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct sigaction sa, old[ARRAY_SIZE(sigs)];
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	struct spawn sp = SPAWN_INIT;
	double start = monotonic();
	pid_t pid;
	size_t i;
	int status = 0, ret;

	*timed_out = 0;
	*sig = 0;
	verify_sig = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = verify_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);
	/* the user's command finds its repository from dir, as a task does */
	sp.argv = argv;
	sp.dir = dir;
	sp.env = extra;
	sp.out = 2;
	sp.flags = SPAWN_FORK_FALLBACK | SPAWN_NEW_GROUP;
	if (spawn_start(&sp) < 0) {
		ret = error_errno("cannot fork");
		goto out;
	}
	pid = sp.pid;
	setpgid(pid, pid);	/* done before exec; after a fork, either of us may win the race */
	for (;;) {
		if (leader_exited(pid))
			break;
		if (verify_sig) {
			*sig = verify_sig;
			verify_stop(pid);
			break;
		}
		if (timeout > 0 && monotonic() - start >= timeout) {
			*timed_out = 1;
			verify_stop(pid);
			break;
		}
		nanosleep(&tick, NULL);
	}
	/* nothing of it outlives the verification; the leader is reaped last */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = error_errno("cannot wait for the verify command");
			goto out;
		}
	}
	if (*timed_out)
		ret = 124;
	else if (WIFEXITED(status))
		ret = WEXITSTATUS(status);
	else
		ret = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
out:
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	return ret;
}

/* Remove a scratch worktree (git first, then our own way). */
static void verify_remove(struct mctx *c, const char *dir)
{
	const char *rm[] = { "git", "worktree", "remove", "--force", dir, NULL };

	if (run_child(rm, c->s->workdir, c->s->gitdir) != 0) {
		const char *why = NULL;
		const char *name = strrchr(dir, '/') + 1;

		if (worktree_remove(c->repo, name, 1, &why) != 0)
			warning("cannot remove the scratch worktree '%s'", dir);
	}
}

/*
 * Scratch worktrees left by a verification that was killed: named
 * gp-verify-<id>-<pid> under the worktrees directory, detached, and their
 * merge (pid) gone.  Removed; a live pid keeps its worktree.
 */
static void verify_prune(struct mctx *c)
{
	git_strarray names = { NULL, 0 };
	size_t i;

	if (git_worktree_list(&names, c->repo) < 0)
		return;
	for (i = 0; i < names.count; i++) {
		const char *name = names.strings[i], *dash = strrchr(name, '-');
		git_worktree *wt = NULL;
		char *end, *dir, *path;
		long pid;

		if (strncmp(name, VERIFY_PREFIX, strlen(VERIFY_PREFIX)) || !dash)
			continue;
		pid = strtol(dash + 1, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid() || !kill((pid_t)pid, 0) || errno != ESRCH)
			continue;
		if (git_worktree_lookup(&wt, c->repo, name) < 0)
			continue;
		dir = xstrfmt("%s/%s", c->s->wt_parent, name);
		path = trim_slash(git_worktree_path(wt));
		if (!strcmp(path, dir))
			verify_remove(c, dir);	/* ours: named so, where we put them */
		free(path);
		free(dir);
		git_worktree_free(wt);
	}
	git_strarray_dispose(&names);
}

/*
 * --verify: run the command on commit in a scratch worktree.  1 passed,
 * 0 failed, -1 error or interrupted (m->signal says by what).
 */
static int verify(struct mctx *c, struct merge_result *r, const git_oid *commit)
{
	struct session *s = c->s;
	char hex[GIT_OID_HEXSZ + 1];
	char *fs = task_fs_name(r->id);	/* "001-events/T001": no '/' in a worktree name */
	char *dir = xstrfmt("%s/" VERIFY_PREFIX "%s-%ld", s->wt_parent, fs, (long)getpid());
	char *env_id = xstrfmt("GIT_PARALLEL_TASK_ID=%s", r->id);
	char *env_commit = NULL;
	const char *add[] = { "git", "worktree", "add", "--detach", "--quiet", dir, hex, NULL };
	const char *extra[3];
	int rc, ret = -1, timed_out, sig;

	git_oid_tostr(hex, sizeof(hex), commit);
	env_commit = xstrfmt("GIT_PARALLEL_MERGE_COMMIT=%s", hex);
	extra[0] = env_id;
	extra[1] = env_commit;
	extra[2] = NULL;
	if (mkdir_p(s->wt_parent, 0777) < 0)
		goto out;
	if (run_child(add, s->workdir, s->gitdir) != 0) {
		error("task '%s': cannot make a scratch worktree in '%s' to verify", r->id, dir);
		goto out;
	}
	test_crash_point("merge-verify-worktree");
	rc = verify_command(c->opts->verify, dir, extra, c->opts->verify_timeout, &timed_out, &sig);
	if (sig) {
		c->m->signal = sig;
		error("%s received while verifying task '%s'; nothing was merged",
		      runner_signal_name(sig), r->id);
	} else if (rc == 0) {
		ret = 1;
	} else if (rc > 0) {
		struct strbuf d = STRBUF_INIT;

		free(r->reason);
		if (timed_out) {
			strbuf_add_duration(&d, c->opts->verify_timeout);
			r->reason = xstrfmt("'%s' timed out after %s", c->opts->verify, d.buf);
		} else {
			r->reason = xstrfmt("'%s' exited with %d", c->opts->verify, rc);
		}
		strbuf_release(&d);
		ret = 0;
	}
	verify_remove(c, dir);
out:
	free(env_commit);
	free(env_id);
	free(dir);
	free(fs);
	return ret;
}

/*
 * The signals that would stop a merge between moving the ref and bringing
 * the worktree along wait until both agree (git read-tree inherits the
 * mask: a Ctrl-C on the terminal reaches the whole process group).
 */
static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* Take the signals that arrived meanwhile, restore the mask; the first one, or 0. */
static int unblock_signals(const sigset_t *old)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct timespec zero = { 0, 0 };
	sigset_t set, pend;
	size_t i;
	int sig = 0;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	if (!sigpending(&pend))
		for (i = 0; i < ARRAY_SIZE(sigs) && !sig; i++)
			if (sigismember(&pend, sigs[i]) && !sigismember(old, sigs[i]))
				sig = sigs[i];
	while (sig && sigtimedwait(&set, NULL, &zero) > 0)
		;
	sigprocmask(SIG_SETMASK, old, NULL);
	return sig;
}

/* the run */

static void set_reason(struct merge_result *r, enum merge_outcome o, char *reason)
{
	r->outcome = o;
	free(r->reason);
	r->reason = reason;
}

static char *conflict_summary(const struct merge_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, k;

	if (!r->conflicts_nr)	/* git's "directory rename split": a conflict at no path */
		strbuf_addstr(&sb, "git's merge conflicts without naming a path "
			      "(git merge-tree --write-tree says why)");
	else
		strbuf_addstr(&sb, "conflict in ");
	for (i = 0; i < r->conflicts_nr; i++) {
		const struct merge_conflict *mc = &r->conflicts[i];

		strbuf_addf(&sb, "%s%s (%s", i ? ", " : "", mc->path, mc->type);
		for (k = 0; k < mc->with.nr; k++)
			strbuf_addf(&sb, "%s%s", k ? " " : ", with ", mc->with.v[k]);
		strbuf_addch(&sb, ')');
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * The lanes gate: a task that declared paths and changed files outside
 * them on its branch since its merge base with the target's tip (check's
 * "undeclared" violations, deletions included) is held, not merged, unless --allow-undeclared: a task that
 * deletes thousands of files it never declared must not reach the target
 * silently.  A task with no declared paths is not gated.  0 go, 1 held,
 * -1 error.
 */
static int lanes_gate(struct mctx *c, struct merge_result *r, const git_oid *tip)
{
	size_t n;
	int found;

	if (c->opts->flags & MERGE_ALLOW_UNDECLARED)
		return 0;
	found = check_undeclared(&r->undeclared, c->s, r->task, tip);
	if (found <= 0)
		return found;
	n = r->undeclared.nr;
	set_reason(r, MO_HELD, xstrfmt("changed %zu path%s outside its declared paths "
				       "(merge --allow-undeclared to merge it anyway)",
				       n, n == 1 ? "" : "s"));
	return 1;
}

/* $GIT_COMMON_DIR/<ref>.lock, the lock git and libgit2 take to move ref.  Caller frees. */
static char *ref_lock_path(struct mctx *c, const char *ref)
{
	char *common = trim_slash(c->s->gitdir);
	char *path = xstrfmt("%s/%s.lock", common, ref);

	free(common);
	return path;
}

/*
 * Does the commit-graph hold a long history, more than ~10,000 commits
 * (at least 56 bytes each: its id, its data)?  libgit2 1.5's merge-base
 * walk then costs up to a second (git.git, a criss-cross merge) where
 * git merge-base reads generation numbers: ask git from the first task
 * rather than after a slow walk.
 */
#define LONG_HISTORY_GRAPH_BYTES (10000 * 56)

static int long_history(struct mctx *c)
{
	char *common = trim_slash(c->s->gitdir);
	char *graph = xstrfmt("%s/objects/info/commit-graph", common);
	char *dir = xstrfmt("%s/objects/info/commit-graphs", common);
	char *chain = xstrfmt("%s/commit-graph-chain", dir);
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	off_t size = 0;

	if (!stat(graph, &st))
		size += st.st_size;
	if (!strbuf_read_file(&sb, chain)) {
		struct strlist names = STRLIST_INIT;
		size_t i;

		for (i = 0; i < sb.len; i++)
			if (sb.buf[i] == '\n')
				sb.buf[i] = ' ';
		strlist_split(&names, sb.buf);
		for (i = 0; i < names.nr; i++) {
			char *f = xstrfmt("%s/graph-%s.graph", dir, names.v[i]);

			if (!stat(f, &st))
				size += st.st_size;
			free(f);
		}
		strlist_clear(&names);
	}
	strbuf_release(&sb);
	free(chain);
	free(dir);
	free(graph);
	free(common);
	return size > LONG_HISTORY_GRAPH_BYTES;
}

/*
 * libgit2 1.5 finds merge bases by reading every commit down to them; git
 * reads the generation numbers of a commit-graph when there is one (git
 * gc writes it): on git.git topics, ~50 ms of CPU per task against a few.
 * Once libgit2's walk took more than 20 ms (a deep history), and with a
 * commit-graph, git merge-base --all answers: 0 (c->nbases, c->mbase
 * set), or -1: libgit2 decides.
 */
static int git_merge_bases_by_git(struct mctx *c, const git_oid *a, const git_oid *b)
{
	char ha[GIT_OID_HEXSZ + 1], hb[GIT_OID_HEXSZ + 1];
	char *common = trim_slash(c->s->gitdir);
	char *graph = xstrfmt("%s/objects/info/commit-graph", common);
	char *chain = xstrfmt("%s/objects/info/commit-graphs/commit-graph-chain", common);
	char *opt = xstrfmt("--git-dir=%s", common);
	const char *argv[] = { "git", opt, "merge-base", "--all", ha, hb, NULL };
	struct strbuf out = STRBUF_INIT;
	size_t i = 0;
	int rc, ret = -1;

	if (access(graph, F_OK) && access(chain, F_OK))
		goto out;
	git_oid_tostr(ha, sizeof(ha), a);
	git_oid_tostr(hb, sizeof(hb), b);
	rc = run_child_io(argv, common, common, NULL, NULL, &out, 1);
	if (rc != 0 && rc != 1)
		goto out;
	c->nbases = 0;
	while (i + GIT_OID_HEXSZ <= out.len) {
		git_oid o;

		if (git_oid_fromstrn(&o, out.buf + i, GIT_OID_HEXSZ) < 0)
			goto out;
		if (!c->nbases)
			git_oid_cpy(&c->mbase, &o);
		ALLOC_GROW(c->bases, c->nbases + 1, c->bases_alloc);
		git_oid_cpy(&c->bases[c->nbases], &o);
		c->nbases++;
		i += GIT_OID_HEXSZ + 1;
	}
	/* exit 1 and no output: no common history */
	if (rc == 1 && c->nbases)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		c->nbases = 0;
	strbuf_release(&out);
	free(opt);
	free(chain);
	free(graph);
	free(common);
	return ret;
}

/* Keep the nr merge bases in c->bases (need_git() reads them all). */
static void bases_keep(struct mctx *c, const git_oid *bases, size_t nr)
{
	ALLOC_GROW(c->bases, nr + 1, c->bases_alloc);
	if (nr)
		memcpy(c->bases, bases, nr * sizeof(*bases));
}

/*
 * The merge bases from the commit-graph (mergebase.c: git merge-base
 * --all's answer, in process): 0 (c->nbases, c->mbase set), or -1: ask
 * libgit2 or git.
 */
static int merge_bases_from_graph(struct mctx *c, const git_oid *a, const git_oid *b)
{
	git_oid *bases = NULL;
	size_t nr = 0;

	if (mergebase_all(c->mb_graph, a, b, &bases, &nr) < 0)
		return -1;
	c->nbases = nr;
	bases_keep(c, bases, nr);
	if (nr)
		git_oid_cpy(&c->mbase, &bases[0]);
	if (nr > 1) {
		/* the first as git lists them: the most recent commit date */
		git_time_t best = 0;
		size_t i;

		for (i = 0; i < nr; i++) {
			git_commit *cm = NULL;

			if (!git_commit_lookup(&cm, c->repo, &bases[i]) &&
			    (!i || git_commit_time(cm) > best)) {
				best = git_commit_time(cm);
				git_oid_cpy(&c->mbase, &bases[i]);
			}
			git_commit_free(cm);
		}
		git_error_clear();
	}
	{
		/* tests: each answer, for git merge-base --all to check */
		const char *log = getenv("GIT_PARALLEL_TEST_MERGE_BASE_LOG");
		FILE *f = log ? fopen(log, "a") : NULL;
		size_t i;

		if (f) {
			fprintf(f, "%s", git_oid_tostr_s(a));
			fprintf(f, " %s", git_oid_tostr_s(b));
			for (i = 0; i < nr; i++)
				fprintf(f, " %s", git_oid_tostr_s(&bases[i]));
			fputc('\n', f);
			fclose(f);
		}
	}
	free(bases);
	return 0;
}

/* Fill r for task i: which head, and whether it can be merged. 0 go, 1 decided, -1 error. */
static int prepare(struct mctx *c, struct merge_result *r, const git_oid *tip)
{
	struct session *s = c->s;
	struct task_status *st = &s->st[r->task];
	char *branch = st->branch ? xstrdup(st->branch) : session_branch(s, r->id);
	git_oid recorded;
	int has_recorded = st->head && !git_oid_fromstr(&recorded, st->head);
	int ret = 1;

	if (st->state != TS_DONE && st->state != TS_CONFLICT && st->state != TS_MERGED &&
	    st->state != TS_HELD) {
		set_reason(r, MO_SKIPPED, xstrfmt("not finished (%s)", task_state_name(st->state)));
		goto out;
	}
	if (git_reference_name_to_id(&r->head, c->repo, branch) < 0) {
		if (st->state == TS_MERGED) {
			/* merged, then cleaned */
			r->outcome = MO_MERGED;
			r->already = 1;
			if (has_recorded)
				git_oid_cpy(&r->head, &recorded);
			r->has_commit = st->merge_commit && !git_oid_fromstr(&r->commit, st->merge_commit);
			goto out;
		}
		set_reason(r, MO_FAILED, xstrfmt("its branch '%s' is gone", short_ref(branch)));
		goto out;
	}
	/*
	 * The merge bases, once per task: the head is in the tip when it is
	 * their only one; none: unrelated histories.
	 */
	c->nbases = 0;
	if (!git_oid_equal(tip, &r->head) && c->mb_graph && !merge_bases_from_graph(c, tip, &r->head)) {
		/* the commit-graph answered (c->nbases, c->mbase) */
	} else if (!git_oid_equal(tip, &r->head) && c->mb_by_git &&
	    git_merge_bases_by_git(c, tip, &r->head) == 0) {
		/* git answered (c->nbases, c->mbase) */
	} else if (!git_oid_equal(tip, &r->head)) {
		git_oidarray bases = { NULL, 0 };
		double t0 = monotonic();
		int err = git_merge_bases(&bases, c->repo, tip, &r->head);

		/* a deep history: git (with a commit-graph) for the next ones */
		if (monotonic() - t0 > 0.02 || getenv("GIT_PARALLEL_TEST_MERGE_BASE_BY_GIT"))
			c->mb_by_git = 1;

		if (err == GIT_ENOTFOUND) {
			git_error_clear();
		} else if (err < 0) {
			set_reason(r, MO_FAILED, xstrfmt("cannot find the merge base of '%s' and '%s': %s",
							 short_ref(branch), short_ref(c->m->target),
							 gp_git_error()));
			goto out;
		} else {
			c->nbases = bases.count;
			bases_keep(c, bases.ids, bases.count);
			if (bases.count)
				git_oid_cpy(&c->mbase, &bases.ids[0]);
		}
		git_oidarray_dispose(&bases);
	}
	if (git_oid_equal(tip, &r->head) ||
	    (c->nbases == 1 && git_oid_equal(&c->mbase, &r->head)) ||
	    (st->state == TS_MERGED && has_recorded && git_oid_equal(&recorded, &r->head))) {
		r->outcome = MO_MERGED;
		r->already = 1;
		r->has_commit = st->merge_commit && !git_oid_fromstr(&r->commit, st->merge_commit);
		goto out;
	}
	if (!c->nbases) {
		/* as git merge without --allow-unrelated-histories */
		set_reason(r, MO_FAILED, xstrfmt("'%s' has no common history with '%s' "
						 "(refusing to merge unrelated histories)",
						 short_ref(branch), short_ref(c->m->target)));
		goto out;
	}
	{
		/* a lock left by a killed git: the branch may be about to move */
		char *lock = ref_lock_path(c, branch);

		if (!access(lock, F_OK)) {
			set_reason(r, MO_FAILED, xstrfmt("'%s' exists: a git process is updating '%s' "
							 "(if none is running, remove the file)",
							 lock, short_ref(branch)));
			free(lock);
			goto out;
		}
		free(lock);
	}
	ret = 0;
out:
	free(branch);
	return ret;
}

static int resolve_target(struct mctx *c)
{
	struct session *s = c->s;
	const char *into = c->opts->into;
	git_reference *ref = NULL;
	int ret = -1;

	if (into)
		c->m->target = !strncmp(into, "refs/", 5) ? xstrdup(into) : xstrfmt("refs/heads/%s", into);
	else if (s->plan.base_ref && *s->plan.base_ref)
		c->m->target = xstrdup(s->plan.base_ref);
	else {
		error("the plan's base is a detached commit: name the branch to merge into with --into");
		goto out;
	}
	if (strncmp(c->m->target, "refs/heads/", 11) || !git_reference_is_valid_name(c->m->target)) {
		error("'%s' is not a branch", into ? into : c->m->target);
		goto out;
	}
	if (git_reference_lookup(&ref, c->repo, c->m->target) < 0 ||
	    git_reference_type(ref) != GIT_REFERENCE_DIRECT) {
		error("no branch '%s' to merge into", short_ref(c->m->target));
		goto out;
	}
	git_oid_cpy(&c->m->old_tip, git_reference_target(ref));
	git_oid_cpy(&c->m->new_tip, &c->m->old_tip);
	ret = 0;
out:
	git_reference_free(ref);
	return ret;
}

/* The target's ref lock is held: m->status and m->why say so, naming the file. */
static void ref_locked(struct mctx *c)
{
	char *lock = ref_lock_path(c, c->m->target);

	c->m->status = MS_REF_LOCKED;
	free(c->m->why);
	c->m->why = xstrfmt("'%s' exists: another git process is updating '%s' "
			    "(if no git process is running, remove the file and run "
			    "'git parallel merge' again)", lock, short_ref(c->m->target));
	free(lock);
}

/* Move the ref old -> new by compare-and-swap.  0 moved, 1 refused (m->status set), -1 error. */
static int move_ref(struct mctx *c, const git_oid *from, const git_oid *to, const char *msg)
{
	git_reference *out = NULL;
	int err = git_reference_create_matching(&out, c->repo, c->m->target, to, 1, from, msg);

	git_reference_free(out);
	if (!err)
		return 0;
	free(c->m->why);
	if (err == GIT_EMODIFIED) {
		git_oid now;
		int has = !git_reference_name_to_id(&now, c->repo, c->m->target);
		char fh[GIT_OID_HEXSZ + 1], nh[GIT_OID_HEXSZ + 1];

		/* not git_oid_tostr_s() twice: both would share one buffer */
		git_oid_tostr(fh, sizeof(fh), from);
		git_oid_tostr(nh, sizeof(nh), &now);
		c->m->status = MS_REF_MOVED;
		c->m->why = xstrfmt("'%s' moved meanwhile (from %.12s to %.12s): another process "
				    "updated it; nothing was overwritten", short_ref(c->m->target),
				    fh, has ? nh : "nothing");
		return 1;
	}
	if (err == GIT_ELOCKED) {
		c->m->why = NULL;
		ref_locked(c);
		return 1;
	}
	return error("cannot update '%s': %s", short_ref(c->m->target), gp_git_error());
}

static void write_states(struct mctx *c)
{
	struct session *s = c->s;
	size_t i;

	for (i = 0; i < c->m->nr; i++) {
		struct merge_result *r = &c->m->results[i];
		struct task_status *st = &s->st[r->task];
		char h[GIT_OID_HEXSZ + 1];

		git_oid_tostr(h, sizeof(h), &r->head);
		switch (r->outcome) {
		case MO_MERGED:
			if (r->already && st->state == TS_MERGED)
				continue;
			mark_merged(s, r->id, h, r->has_commit ? git_oid_tostr_s(&r->commit) : NULL);
			test_crash_point("merge-mid-states");
			continue;
		case MO_CONFLICT:
			if (task_transition(st, TS_CONFLICT) < 0)
				continue;
			task_status_set(&st->head, h);
			break;
		case MO_VERIFY_FAILED:
			if (task_transition(st, TS_DONE) < 0)
				continue;
			break;
		case MO_FAILED:
			break;
		case MO_HELD:
			if (task_transition(st, TS_HELD) < 0)
				continue;
			task_status_set(&st->head, h);
			break;
		case MO_SKIPPED:
			continue;
		}
		/* merge's own words: what run recorded stays */
		task_status_set(&st->merge_reason, r->reason);
		session_task_work_record(s, r->task);
		state_task_save(s->state, st);
	}
}

/* The ref did not move: what would have merged did not. */
static void unmerge_all(struct merge_run *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++) {
		struct merge_result *r = &m->results[i];

		if (r->outcome != MO_MERGED || r->already)
			continue;
		set_reason(r, MO_FAILED, xstrfmt("not merged: %s", m->why ? m->why : "the target did not move"));
		r->has_commit = 0;
	}
	git_oid_cpy(&m->new_tip, &m->old_tip);
}

/*
 * After the ref moved: bring the checked-out target along; if that fails,
 * put the ref back and the worktree back to the old tree, verified.
 * Returns 0 when the worktree is at the new tip; else 1, with m->status
 * and m->why (and ret of merge_tasks in c->ret) saying what happened.
 */
static int update_failed(struct mctx *c, const git_oid *tip)
{
	struct merge_run *m = c->m;
	struct strlist bad, left;
	char oh[GIT_OID_HEXSZ + 1], th[GIT_OID_HEXSZ + 1];
	int rb, back = -1;

	strlist_init(&bad);
	strlist_init(&left);
	if (!settle_checkout(c, &m->old_tip, tip, 1, &bad)) {
		index_lock_release(c);
		return 0;
	}
	git_oid_tostr(oh, sizeof(oh), &m->old_tip);
	git_oid_tostr(th, sizeof(th), tip);
	rb = move_ref(c, tip, &m->old_tip, "git parallel merge: rolled back");
	if (!rb) {
		m->updated = 0;
		back = settle_checkout(c, &m->old_tip, tip, 0, &left);
	}
	index_lock_release(c);
	free(m->why);
	m->why = NULL;
	if (!rb && !back) {
		m->status = MS_ROLLED_BACK;
		m->why = xstrfmt("could not update the worktree '%s' %s: '%s' was put back to %.12s "
				 "and the worktree is as before (checked); nothing changed",
				 m->checkout, bad.nr ? bad.v[0] : "", short_ref(m->target), oh);
		journal_remove(c->s);
		unmerge_all(m);
		c->ret = 0;
	} else {
		struct strbuf paths = STRBUF_INIT;
		const struct strlist *l = left.nr ? &left : &bad;
		size_t i;

		for (i = 0; i < l->nr && i < 10; i++)
			strbuf_addf(&paths, "%s'%s'", i ? ", " : "", l->v[i]);
		if (l->nr > 10)
			strbuf_addf(&paths, " and %zu more", l->nr - 10);
		/* the journal stays: the next merge finishes or undoes this */
		error("could not update the worktree '%s' to %.12s nor restore it to %.12s "
		      "('%s' is at %.12s)%s%s; fix the cause (see above), "
		      "then run 'git parallel merge' again: it finishes or undoes this",
		      m->checkout, th, oh, short_ref(m->target), rb ? th : oh,
		      paths.len ? "; paths not as before: " : "", paths.buf);
		strbuf_release(&paths);
		c->ret = -1;
	}
	strlist_clear(&left);
	strlist_clear(&bad);
	return 1;
}

/* git's answers to the speculative merges, until at most keep are left to come. */
static void pending_collect(struct mctx *c, size_t keep)
{
	while (c->pending_nr - c->pending_done > keep) {
		struct pending_git *p = &c->pending[c->pending_done++];
		struct gitmerge g;
		int ok = p->gc ? gitmerge_finish(&g, p->gc, c->repo) :
			gitmerge_confirmer_answer(&g, c->cf_bg, p->cf_idx);

		answer_keep(c, &p->ours, &p->theirs, ok, &g);
		if (p->conflict) {
			/* git cannot answer: merge the usual way (libgit2's answer then stands) */
			if (ok < 0 || !guess_holds(&g, &p->paths))
				c->spec_failed = 1;
		} else if (!ok && (g.conflicts || !git_oid_equal(&g.tree, &p->tree))) {
			/* git cannot answer (a warning): libgit2's answer stands, as with gitmerge_run() */
			c->spec_failed = 1;
		}
		strlist_clear(&p->paths);
		gitmerge_release(&g);
	}
}

/* Forget every task's result, for merge_all() to run again. */
static void results_reset(struct mctx *c)
{
	struct merge_run *m = c->m;
	size_t i, k;

	for (i = 0; i < m->nr; i++) {
		struct merge_result *r = &m->results[i];
		size_t task = r->task;
		const char *id = r->id;

		for (k = 0; k < r->conflicts_nr; k++)
			conflict_release(&r->conflicts[k]);
		free(r->conflicts);
		free(r->reason);
		strlist_clear(&r->undeclared);
		memset(r, 0, sizeof(*r));
		r->task = task;
		r->id = id;
		strlist_init(&r->undeclared);
	}
	memset(c->merged_now, 0, (c->s->plan.tasks.nr + 1) * sizeof(*c->merged_now));
	c->spec_failed = 0;
}

/* The head of r's branch as it is now (for prefetch_scripts(): prepare() decides).  0, or -1. */
static int task_head(struct mctx *c, const struct merge_result *r, git_oid *out)
{
	const struct task_status *st = &c->s->st[r->task];
	char *branch = st->branch ? xstrdup(st->branch) : session_branch(c->s, r->id);
	int ret = git_reference_name_to_id(out, c->repo, branch) < 0 ? -1 : 0;

	git_error_clear();
	free(branch);
	return ret;
}

/*
 * tests, and a profile: GIT_PARALLEL_TEST_MERGE_LOG=<file> gets a line
 * per task merge_one() merged: its id, how many merge bases, how git had
 * its say (none, asked: waited for, background: confirms later), the
 * outcome (0 merged, 1 conflict, -1 error) and the milliseconds taken
 */
static void merge_log(struct mctx *c, const struct merge_result *r, int rc, double t0)
{
	const char *log = getenv("GIT_PARALLEL_TEST_MERGE_LOG");
	FILE *f = log && *log ? fopen(log, "a") : NULL;

	if (f) {
		fprintf(f, "%s bases=%zu git=%s rc=%d %.1f ms\n", r->id, c->nbases, c->git_how, rc,
			(monotonic() - t0) * 1000);
		fclose(f);
	}
}

/*
 * Merge every selected task in turn, from m->old_tip; *tip ends as the
 * new tip.  0, or -1 (reported).  With c->speculate, c->spec_failed
 * says that the results do not stand (results_reset() and run again).
 */
static int merge_all(struct mctx *c, git_oid *tip)
{
	struct merge_run *m = c->m;
	double t0;
	size_t i;
	int stopped = 0;

	git_oid_cpy(tip, &m->old_tip);
	for (i = 0; i < m->nr; i++) {
		struct merge_result *r = &m->results[i];
		git_oid commit;
		int rc;

		if (stopped) {
			set_reason(r, MO_SKIPPED, xstrdup("not tried: stopped at the first conflict or held task"));
			continue;
		}
		rc = prepare(c, r, tip);
		if (!rc)
			rc = lanes_gate(c, r, tip);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			if (r->outcome == MO_MERGED)
				c->merged_now[r->task] = 1;
			/* held needs a person as a conflict does */
			if (r->outcome == MO_HELD && (c->opts->flags & MERGE_STOP_ON_CONFLICT))
				stopped = 1;
			continue;
		}
		c->has_next_head = i + 1 < m->nr && !task_head(c, &m->results[i + 1], &c->next_head);
		if (c->has_next_head)
			c->next_task = m->results[i + 1].task;
		t0 = monotonic();
		c->git_how = "none";
		rc = merge_one(c, r, tip, &commit);
		merge_log(c, r, rc, t0);
		if (rc < 0) {
			set_reason(r, MO_FAILED, xstrfmt("cannot merge: %s", gp_git_error()));
			continue;
		}
		if (rc > 0) {
			set_reason(r, MO_CONFLICT, conflict_summary(r));
			if (c->opts->flags & MERGE_STOP_ON_CONFLICT)
				stopped = 1;
			pending_collect(c, c->spec_jobs);
			if (c->spec_failed)
				break;
			continue;
		}
		if (c->opts->verify) {
			rc = verify(c, r, &commit);
			if (rc < 0)
				return -1;
			if (!rc) {
				r->outcome = MO_VERIFY_FAILED;
				continue;
			}
		}
		r->outcome = MO_MERGED;
		r->has_commit = 1;
		git_oid_cpy(&r->commit, &commit);
		git_oid_cpy(tip, &commit);
		c->merged_now[r->task] = 1;
		pending_collect(c, c->spec_jobs);
		if (c->spec_failed)
			break;
	}
	pending_collect(c, 0);
	return 0;
}

/*
 * checkout_ready()'s answer rc at the start: 1 when merge_tasks() stops
 * there (*ret its return: 0 refused, -1 error); a dry run only warns.
 */
static int ready_or_refused(struct mctx *c, int rc, int *ret)
{
	if (rc < 0)
		return 1;
	if (rc > 0) {
		if (!(c->opts->flags & MERGE_DRY_RUN)) {
			*ret = 0;
			return 1;
		}
		warning("%s", c->m->why);
		c->m->status = MS_OK;
	}
	return 0;
}

int merge_tasks(struct merge_run *m, struct session *s, const size_t *sel, size_t nr,
		const struct merge_opts *opts)
{
	struct mctx c;
	size_t *order = NULL, order_nr = 0, i, k;
	int *wanted = NULL, dry = !!(opts->flags & MERGE_DRY_RUN), ret = -1, step, round, rc;
	struct strbuf msg = STRBUF_INIT;
	sigset_t mask;
	int blocked = 0;
	git_oid tip;

	memset(&c, 0, sizeof(c));
	tree_side_init(&c.tip.side);
	c.s = s;
	c.repo = s->repo;
	c.opts = opts;
	c.m = m;
	c.merged_now = xcalloc(s->plan.tasks.nr + 1, sizeof(*c.merged_now));
	c.touched = xcalloc(s->plan.tasks.nr + 1, sizeof(*c.touched));
	c.cur_task = SIZE_MAX;
	c.touched_ok = xcalloc(s->plan.tasks.nr + 1, sizeof(*c.touched_ok));
	c.origin = xcalloc(s->plan.tasks.nr + 1, sizeof(*c.origin));
	c.origin_ok = xcalloc(s->plan.tasks.nr + 1, sizeof(*c.origin_ok));

	/* a setting that kills every git merge-tree: said before anything is touched */
	if (gitmerge_config_check(c.repo, "nothing was merged") < 0)
		goto out;
	if (!dry) {
		block_signals(&mask);
		rc = journal_recover(&c);
		m->signal = unblock_signals(&mask);
		if (rc < 0)
			goto out;
		if (rc > 0 || m->signal) {
			ret = 0;
			goto out;
		}
	}
	if (resolve_target(&c) < 0 || find_checkout(&c, m->target) < 0 || make_signatures(&c) < 0)
		goto out;
	verify_prune(&c);
	/*
	 * The checked-out target must be clean: its git status runs while
	 * the merges are computed, and is heard before anything is written
	 * (not with --verify, whose checks must not run for a refused merge).
	 */
	if (ready_or_refused(&c, opts->verify ? checkout_ready(&c) : checkout_ready_start(&c), &ret))
		goto out;

	if (!dry) {
		/* a stale lock on the target: say so before any work is done */
		char *lock = ref_lock_path(&c, m->target);
		int locked = worktree_remove_half_renamed_lock(s->repo, m->target) < 0 ||
			     !access(lock, F_OK);	/* that lock is the ref itself: a killed rename */

		free(lock);
		if (locked) {
			/* a dirty checkout is said first, as ever */
			if (ready_or_refused(&c, checkout_ready_finish(&c), &ret))
				goto out;
			ref_locked(&c);
			ret = 0;
			goto out;
		}
	}

	/* the selected tasks, in plan order */
	wanted = xcalloc(s->plan.tasks.nr + 1, sizeof(*wanted));
	for (i = 0; i < nr; i++)
		wanted[sel[i]] = 1;
	order = plan_order(&s->plan, &order_nr);
	m->results = xcalloc(nr + 1, sizeof(*m->results));
	for (k = 0; k < order_nr; k++) {
		if (!wanted[order[k]])
			continue;
		m->results[m->nr].task = order[k];
		m->results[m->nr].id = s->plan.tasks.v[order[k]].id;
		m->nr++;
	}

	/* not with --verify: each candidate is checked as it comes */
	c.speculate = !opts->verify;
	c.spec_jobs = 4;
	{
		const char *g = getenv("GIT_PARALLEL_TEST_GUESS");

		c.test_guess = !g ? 0 : !strcmp(g, "off") ? GUESS_OFF : !strcmp(g, "all") ? GUESS_ALL : 0;
	}
	c.mb_by_git = long_history(&c);
	{
		char *common = trim_slash(s->gitdir);

		c.mb_graph = mergebase_open(c.repo, common);
		free(common);
	}
	c.trees = tree_cache_new();
	rc = merge_all(&c, &tip);
	for (round = 1; !rc && c.spec_failed; round++) {
		/*
		 * git overturned a guess: again, with git's answers so far
		 * (each pair is asked once); after two such rounds, asking
		 * git first
		 */
		results_reset(&c);
		if (round >= 2)
			c.speculate = 0;
		rc = merge_all(&c, &tip);
	}
	gitmerge_confirmer_stop(c.cf_bg);
	gitmerge_confirmer_stop(c.cf_sync);
	c.cf_bg = c.cf_sync = NULL;
	{
		/* tests: how many times merge-base walked a history whole (t4162) */
		const char *log = getenv("GIT_PARALLEL_TEST_MERGE_BASE_WALKS");
		FILE *f = log && *log ? fopen(log, "w") : NULL;

		if (f) {
			fprintf(f, "%zu\n", mergebase_full_walks(c.mb_graph));
			fclose(f);
		}
	}
	/* git status's answer: refused, nothing was merged (as when it ran first) */
	step = checkout_ready_finish(&c);
	if (step == 1 && !dry) {
		results_reset(&c);
		free(m->results);
		m->results = NULL;
		m->nr = 0;
	}
	if (ready_or_refused(&c, step, &ret) || rc < 0)
		goto out;
	git_oid_cpy(&m->new_tip, &tip);
	if (dry) {
		ret = checkout_room(&c, &tip, 1) < 0 ? -1 : 0;
		goto out;
	}

	if (!git_oid_equal(&tip, &m->old_tip)) {
		/* from here to the end, SIGINT, SIGTERM and SIGHUP wait */
		block_signals(&mask);
		blocked = 1;
		if (journal_write(&c) < 0)
			goto out;
		test_crash_point("merge-after-journal");
		test_hook("GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE");
		step = m->checkout ? index_lock_take(&c) : 0;
		if (!step && m->checkout) {
			/* git status only when the stat data cannot tell */
			step = checkout_clean_locked(&c) ? 0 : checkout_ready(&c);
		}
		c.clean_at_old = m->checkout && !step;
		if (!step)
			step = checkout_room(&c, &tip, 0);
		if (!step) {
			strbuf_addstr(&msg, "git parallel merge:");
			for (i = 0; i < m->nr; i++)
				if (m->results[i].outcome == MO_MERGED && !m->results[i].already)
					strbuf_addf(&msg, " %s", m->results[i].id);
			step = move_ref(&c, &m->old_tip, &tip, msg.buf);
		}
		/* an error (-1) or a refusal (1): the target is as it was */
		if (step) {
			index_lock_release(&c);
			journal_remove(s);
			if (step > 0) {
				unmerge_all(m);
				ret = 0;
			}
			goto out;
		}
		m->updated = 1;
		test_crash_point("merge-after-ref");
		test_hook("GIT_PARALLEL_TEST_HOOK_AFTER_UPDATE");
		if (m->checkout && update_failed(&c, &tip)) {
			ret = c.ret;
			goto out;
		}
	}
	test_crash_point("merge-before-states");
	write_states(&c);
	journal_remove(s);
	ret = 0;
out:
	if (c.status.pid > 0) {
		struct strbuf discard = STRBUF_INIT;

		child_finish(&c.status, status_argv, &discard);	/* after an error */
		strbuf_release(&discard);
	}
	index_lock_release(&c);
	if (blocked)
		m->signal = unblock_signals(&mask);
	strbuf_release(&msg);
	for (i = 0; i < s->plan.tasks.nr; i++)
		strlist_clear(&c.touched[i]);
	free(c.touched);
	free(c.touched_ok);
	free(c.origin);
	free(c.origin_ok);
	pending_collect(&c, 0);	/* after an error: reap git */
	free(c.pending);
	free(c.bases);
	for (i = 0; i < c.vb_memo_nr; i++)
		free(c.vb_memo[i].mb);
	free(c.vb_memo);
	for (i = 0; i < c.answers_nr; i++)
		gitmerge_release(&c.answers[i].g);
	free(c.answers);
	strlist_clear(&c.guess);
	gitmerge_differ_stop(c.differ);
	gitmerge_confirmer_stop(c.cf_bg);
	gitmerge_confirmer_stop(c.cf_sync);
	mergebase_free(c.mb_graph);
	tree_cache_free(c.trees);
	gitmerge_scripts_clear(&c.scripts);
	strmap_clear(&c.text_merge);
	tip_next_clear(&c.tip);
	free(c.tip.next);
	tree_side_release(&c.tip.side);
	free(c.merged_now);
	free(c.checkout_gitdir);
	git_signature_free(c.author);
	git_signature_free(c.committer);
	free(wanted);
	free(order);
	return ret;
}
