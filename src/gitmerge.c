/*
 * git's verdict on a merge: git merge-tree --write-tree (see gitmerge.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gp/gitmerge.h"
#include "gp/spawn.h"

void gitmerge_init(struct gitmerge *g)
{
	memset(g, 0, sizeof(*g));
	strlist_init(&g->paths);
	strlist_init(&g->msg_paths);
	strlist_init(&g->msg_types);
}

void gitmerge_release(struct gitmerge *g)
{
	strlist_clear(&g->paths);
	strlist_clear(&g->msg_paths);
	strlist_clear(&g->msg_types);
	gitmerge_init(g);
}

void gitmerge_copy(struct gitmerge *dst, const struct gitmerge *src)
{
	size_t i;

	gitmerge_release(dst);
	dst->conflicts = src->conflicts;
	git_oid_cpy(&dst->tree, &src->tree);
	for (i = 0; i < src->paths.nr; i++)
		strlist_push(&dst->paths, src->paths.v[i]);
	for (i = 0; i < src->msg_paths.nr; i++)
		strlist_push(&dst->msg_paths, src->msg_paths.v[i]);
	for (i = 0; i < src->msg_types.nr; i++)
		strlist_push(&dst->msg_types, src->msg_types.v[i]);
}

/*
 * The environment our git children get on top of spawn.h's: glibc keeps
 * what git frees (malloc_keep_freed_env()): a git merge-tree or diff-tree
 * --stdin reads, diffs and frees blob after blob, and trimmed memory
 * faulted in again was ~40% of a diff-tree's time on git.git topics.
 */
static const char *const *child_env(void)
{
	static const char *env[2];

	env[0] = malloc_keep_freed_env();
	return env[0] ? env : NULL;
}

/*
 * A git child of ours took longer than parallel.git-timeout and was
 * stopped: git is asked nothing more in this command (a merge or filter
 * driver that hangs on one merge would hang on the next: each would wait
 * the whole limit again); every caller then takes libgit2's answer, as
 * when git cannot be started.
 */
static int git_hung;

/* Say that git argv (what it was about: " for 'a' and 'b'") was stopped, once. */
static void say_stopped(const char *const *argv, const char *about)
{
	char *limit = gp_git_timeout_text();
	size_t i = 0;

	git_hung = 1;
	while (argv[i] && strcmp(argv[i], "git"))
		i++;	/* stdbuf -o0 */
	if (argv[i])
		i++;
	while (argv[i] && !strncmp(argv[i], "--", 2))
		i++;	/* --git-dir=, --literal-pathspecs */
	warning("git %s%s did not finish %s: stopped it; git is asked nothing more and "
		"libgit2's merge decides", argv[i] ? argv[i] : "", about ? about : "", limit);
	free(limit);
}

/*
 * Start git argv on repo (GIT_DIR and GIT_WORK_TREE are repo's: see
 * spawn.h) in its work tree (git 2.39 reads .gitattributes there), its
 * stdout to a pipe (sp->out_fd), stdin from /dev/null or, when in is
 * given, from a pipe holding in (at most SPAWN_INPUT_MAX bytes: written
 * before the child starts, it never blocks).  0, or -1 (reported; once
 * a git child was stopped, git_hung, -1 said by say_stopped()).
 */
static int git_start(struct spawn *sp, const char *const *argv, git_repository *repo,
		     const struct strbuf *in)
{
	const char *workdir = git_repository_workdir(repo);

	spawn_init(sp);
	if (git_hung)
		return -1;
	sp->argv = argv;
	sp->dir = workdir ? workdir : git_repository_path(repo);
	sp->git_dir = git_repository_path(repo);
	sp->work_tree = workdir;
	sp->env = child_env();
	sp->input = in;
	sp->out = SPAWN_PIPE;
	sp->flags = SPAWN_FORK_FALLBACK;
	if (in && in->len > SPAWN_INPUT_MAX)
		return error("cannot give git its input");
	if (spawn_start(sp) < 0)
		return in ? error_errno("cannot give git its input") : error_errno("cannot fork");
	return 0;
}

/*
 * Read sp's output to its end into out, reap it (git argv, about what:
 * " for 'a' and 'b'", or NULL; sp->argv may be gone): exit status, 128 + signal, or -1.  A git that does
 * not end within parallel.git-timeout is stopped (spawn_finish(): the
 * processes below it first) and said once (say_stopped()): -1, nothing of
 * what it wrote is used.
 */
static int git_finish(struct spawn *sp, struct strbuf *out, const char *const *argv,
		      const char *about)
{
	int rc = spawn_finish(sp, out, gp_git_deadline());

	if (rc == SPAWN_TIMED_OUT) {
		say_stopped(argv, about);
		return -1;
	}
	if (rc == -1)
		return error_errno("cannot wait for git merge-tree");
	return rc;
}

/* Our type name for one of git's messages ("CONFLICT (contents)", its text). */
static const char *type_of(const char *type, const char *msg)
{
	if (strncmp(type, "CONFLICT", 8))
		return NULL;
	if (strstr(type, "directory rename") || strstr(msg, "(file location)"))
		return "file location";
	if (strstr(type, "rename"))
		return "rename";
	if (strstr(type, "modify/delete"))
		return "modify/delete";
	if (strstr(type, "file/directory"))
		return "directory/file";
	if (strstr(type, "distinct modes"))
		return "mode";
	if (strstr(type, "binary"))
		return "binary";
	if (strstr(type, "submodule"))
		return "submodule";
	if (strstr(msg, "(add/add)"))
		return "add/add";
	return "content";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parse git merge-tree -z output (exit status rc) into g.  0, or -1 when malformed. */
static int parse(struct gitmerge *g, const struct strbuf *out, int rc)
{
	const char *p = out->buf, *end = out->buf + out->len;
	size_t i;

	if (!memchr(p, '\0', out->len) || git_oid_fromstr(&g->tree, p) < 0)
		return -1;
	p += strlen(p) + 1;
	g->conflicts = rc == 1;
	if (!g->conflicts)
		return 0;
	/* the conflicted paths, up to an empty one */
	while (p < end && *p) {
		if (!memchr(p, '\0', (size_t)(end - p)))
			return -1;
		if (!strlist_has(&g->paths, p))
			strlist_push(&g->paths, p);
		p += strlen(p) + 1;
	}
	if (p < end)
		p++;
	/* messages: <n> NUL <path>... NUL <type> NUL <message> NUL */
	while (p < end && memchr(p, '\0', (size_t)(end - p))) {
		long npaths = strtol(p, NULL, 10);
		const char *first = NULL, *type, *msg, *t;
		struct strlist named = STRLIST_INIT;

		p += strlen(p) + 1;
		for (i = 0; npaths > 0 && i < (size_t)npaths && p < end; i++) {
			if (!first)
				first = p;
			strlist_push(&named, p);
			p += strlen(p) + 1;
		}
		if (p >= end) {
			strlist_clear(&named);
			break;
		}
		type = p;
		p += strlen(p) + 1;
		msg = p < end ? p : "";
		p += p < end ? strlen(p) + 1 : 0;
		t = type_of(type, msg);
		for (i = 0; t && i < named.nr; i++) {
			strlist_push(&g->msg_paths, named.v[i]);
			strlist_push(&g->msg_types, t);
		}
		strlist_clear(&named);
	}
	if (g->paths.nr > 1)
		qsort(g->paths.v, g->paths.nr, sizeof(char *), cmp_str);
	return 0;
}

/* One git merge-tree, started: its argv strings, pid and pipe. */
struct gm_child {
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	char *gitdir_opt;
	struct spawn sp;
};

static int gm_start(struct gm_child *ch, git_repository *repo, const git_oid *ours,
		    const git_oid *theirs)
{
	const char *argv[] = { "git", NULL, "merge-tree", "--write-tree", "--name-only",
			       "-z", ch->a, ch->b, NULL };

	git_oid_tostr(ch->a, sizeof(ch->a), ours);
	git_oid_tostr(ch->b, sizeof(ch->b), theirs);
	ch->gitdir_opt = xstrfmt("--git-dir=%s", git_repository_path(repo));
	argv[1] = ch->gitdir_opt;
	if (git_start(&ch->sp, argv, repo, NULL) < 0) {
		free(ch->gitdir_opt);
		ch->gitdir_opt = NULL;
		return -1;
	}
	return 0;
}

/*
 * The tree git merge-tree wrote for the pair a, b, looked up in our object
 * database (*out, to free); -1 with a warning when it is not there.
 */
static int tree_written(git_tree **out, git_repository *repo, const git_oid *id,
			const char *a, const char *b)
{
	if (gp_object_written(repo, id) && !git_tree_lookup(out, repo, id))
		return 0;
	warning("git merge-tree wrote tree '%s' for '%.12s' and '%.12s', but it is "
		"not in the object database: libgit2's merge decides", git_oid_tostr_s(id), a, b);
	git_error_clear();
	return -1;
}

/* Collect a started git merge-tree into out.  0, or -1 (a warning). */
static int gm_finish(struct gitmerge *out, struct gm_child *ch, git_repository *repo)
{
	struct strbuf sb = STRBUF_INIT;
	git_tree *tree = NULL;
	int rc, ret = -1;

	gitmerge_init(out);
	{
		static const char *const argv[] = { "git", "merge-tree", NULL };
		char about[64];

		snprintf(about, sizeof(about), " for '%.12s' and '%.12s'", ch->a, ch->b);
		rc = git_finish(&ch->sp, &sb, argv, about);
	}
	free(ch->gitdir_opt);
	ch->gitdir_opt = NULL;
	if (rc < 0)
		goto out;
	if ((rc != 0 && rc != 1) || parse(out, &sb, rc) < 0) {
		/* 129: an older git's usage message; 128: git said why (unrelated histories...) */
		warning("cannot merge '%.12s' and '%.12s' with git merge-tree --write-tree "
			"(exit %d%s): libgit2's merge decides", ch->a, ch->b, rc,
			rc == 129 ? "; git 2.38 or later is needed" : "");
		goto out;
	}
	/* the tree git wrote is in our object database */
	if (tree_written(&tree, repo, &out->tree, ch->a, ch->b) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		gitmerge_release(out);
	git_tree_free(tree);
	strbuf_release(&sb);
	return ret;
}

int gitmerge_run(struct gitmerge *out, git_repository *repo, const git_oid *ours,
		 const git_oid *theirs)
{
	struct gm_child ch;

	if (gm_start(&ch, repo, ours, theirs) < 0) {
		gitmerge_init(out);
		return -1;
	}
	return gm_finish(out, &ch, repo);
}

struct gitmerge_child {
	struct gm_child ch;
	git_oid ours, theirs;
};

struct gitmerge_child *gitmerge_start(git_repository *repo, const git_oid *ours,
				      const git_oid *theirs)
{
	struct gitmerge_child *gc = xcalloc(1, sizeof(*gc));

	if (gm_start(&gc->ch, repo, ours, theirs) < 0) {
		free(gc);
		return NULL;
	}
	git_oid_cpy(&gc->ours, ours);
	git_oid_cpy(&gc->theirs, theirs);
	return gc;
}

int gitmerge_child_is(const struct gitmerge_child *gc, const git_oid *ours, const git_oid *theirs)
{
	return gc && git_oid_equal(&gc->ours, ours) && git_oid_equal(&gc->theirs, theirs);
}

int gitmerge_finish(struct gitmerge *out, struct gitmerge_child *gc, git_repository *repo)
{
	int ret = gm_finish(out, &gc->ch, repo);

	free(gc);
	return ret;
}

int gitmerge_run_many(struct gitmerge *out, int *ok, git_repository *repo,
		      const git_oid *ours, const git_oid *theirs, size_t n, size_t jobs)
{
	struct gm_child *ch = xcalloc(jobs + 1, sizeof(*ch));
	size_t *slot = xcalloc(jobs + 1, sizeof(*slot));
	size_t next = 0, running = 0, oldest = 0, i;

	if (!jobs)
		jobs = 1;
	/* a window of jobs processes, collected in order (each pipe is small) */
	while (next < n || running) {
		while (next < n && running < jobs) {
			size_t k = (oldest + running) % jobs;

			if (gm_start(&ch[k], repo, &ours[next], &theirs[next]) < 0) {
				gitmerge_init(&out[next]);
				ok[next++] = -1;
				continue;
			}
			slot[k] = next++;
			running++;
		}
		if (!running)
			break;
		i = slot[oldest];
		ok[i] = gm_finish(&out[i], &ch[oldest], repo);
		oldest = (oldest + 1) % jobs;
		running--;
	}
	free(slot);
	free(ch);
	return 0;
}

/*
 * Start git argv on repo as git_start() does, its stdin a socket (*to:
 * ours, for send() with MSG_NOSIGNAL: no SIGPIPE when git is gone) and
 * its stdout a pipe (sp->out_fd).  0, or -1 (errno set, nothing said).
 */
static int git_start_socket(struct spawn *sp, const char *const *argv, git_repository *repo,
			    int *to, unsigned flags)
{
	const char *workdir = git_repository_workdir(repo);
	int sv[2], rc, e;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	spawn_init(sp);
	sp->argv = argv;
	sp->dir = workdir ? workdir : git_repository_path(repo);
	sp->git_dir = git_repository_path(repo);
	sp->work_tree = workdir;
	sp->env = child_env();
	sp->in = sv[1];
	sp->out = SPAWN_PIPE;
	sp->flags = flags;
	rc = spawn_start(sp);
	e = errno;
	close(sv[1]);
	if (rc < 0) {
		close(sv[0]);
		errno = e;
		return -1;
	}
	*to = sv[0];
	return 0;
}

/* --- one git merge-tree --stdin for many merges ----------------------------- */

struct gitmerge_confirmer {
	git_repository *repo;
	struct spawn sp;
	int to;			/* a socket: its stdin (send() with MSG_NOSIGNAL) */
	int from;		/* a pipe: its stdout */
	struct strbuf buf;	/* read and not yet taken */
	long asked, answered;
	struct gm_pair { git_oid ours, theirs; } *q;	/* every pair asked, in order */
	size_t q_alloc;
	int failed;		/* git ended before answering: said once */
	int probing;		/* gitmerge_confirmer_start(): nothing said */
	char *gitdir_opt;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* How long the first answer may take (GIT_PARALLEL_TEST_MERGE_TREE_PROBE_MS). */
static int probe_ms(void)
{
	const char *v = getenv("GIT_PARALLEL_TEST_MERGE_TREE_PROBE_MS");
	int ms = v ? atoi(v) : 0;

	return ms > 0 ? ms : 10000;
}

/*
 * The length of the first whole answer of git merge-tree --stdin in
 * buf[0..len) (its status, tree, conflicted paths up to an empty one,
 * messages of <n> paths, type and text, maybe a text of advice, and an
 * empty field to end it: a clean merge has no paths nor messages), 0
 * when it is not all there yet, -1 when it is not such an answer.
 */
static long stdin_answer_len(const char *buf, size_t len)
{
	size_t pos = 0, f;
	int clean;
	const char *nul;

#define FIELD() (nul = memchr(buf + pos, '\0', len - pos), \
		 nul ? (f = pos, pos = (size_t)(nul - buf) + 1, 1) : 0)
	if (!FIELD())
		return 0;
	if (strcmp(buf + f, "0") && strcmp(buf + f, "1"))
		return -1;
	clean = buf[f] == '1';
	if (!FIELD())
		return 0;	/* the tree */
	if (clean)
		return FIELD() ? (buf[f] ? -1 : (long)pos) : 0;
	do {			/* the paths */
		if (!FIELD())
			return 0;
	} while (buf[f]);
	for (;;) {		/* the messages */
		long n, i;

		if (!FIELD())
			return 0;
		if (!buf[f])
			return (long)pos;
		/*
		 * not a count: the advice merge-ort prints after a submodule
		 * conflict ("Recursive merging with submodules ...\n"), with no
		 * NUL of its own: the one that ends the answer follows it
		 */
		if (strspn(buf + f, "0123456789") != strlen(buf + f))
			return (long)pos;
		n = strtol(buf + f, NULL, 10);
		for (i = 0; i < n + 2; i++)	/* n paths, the type, the text */
			if (!FIELD())
				return 0;
	}
#undef FIELD
}

/*
 * cf's git must go now (it cannot be trusted, or was too slow): its input
 * ends, then spawn_stop(), a merge driver git waits for first (git 2.39
 * SIGKILLed while it waits for one leaves the driver running and
 * .merge_file_* in its directory).
 */
static void confirmer_kill(struct gitmerge_confirmer *cf)
{
	if (cf->to >= 0)
		close(cf->to);
	cf->to = -1;
	spawn_stop(&cf->sp);
}

struct gitmerge_confirmer *gitmerge_confirmer_start(git_repository *repo, const git_oid *probe)
{
	const char *off = getenv("GIT_PARALLEL_TEST_MERGE_TREE_STDIN");
	struct gitmerge_confirmer *cf;
	const char *argv[] = { "stdbuf", "-o0", "git", NULL, "merge-tree", "--write-tree",
			       "--name-only", "-z", "--stdin", NULL };
	struct gitmerge g;

	if ((off && !strcmp(off, "0")) || git_hung)
		return NULL;
	cf = xcalloc(1, sizeof(*cf));
	cf->repo = repo;
	strbuf_init(&cf->buf, 0);
	cf->gitdir_opt = xstrfmt("--git-dir=%s", git_repository_path(repo));
	argv[3] = cf->gitdir_opt;
	if (git_start_socket(&cf->sp, argv, repo, &cf->to, 0) < 0)
		goto fail;
	cf->from = cf->sp.out_fd;
	/*
	 * git 2.39 never flushes its answers (stdout is a pipe): stdbuf
	 * -o0 makes it write each at once.  A merge of probe with itself
	 * must come back in 10 s (GIT_PARALLEL_TEST_MERGE_TREE_PROBE_MS),
	 * else (no stdbuf's library, a static git) one git merge-tree per
	 * merge, as before.
	 */
	cf->probing = 1;
	if (gitmerge_confirmer_ask(cf, probe, probe) < 0)
		goto fail_running;
	{
		struct pollfd pf = { .fd = cf->from, .events = POLLIN };
		double until = now_s() + probe_ms() / 1000.0;
		int rc;

		while (stdin_answer_len(cf->buf.buf, cf->buf.len) == 0) {
			char chunk[4096];
			ssize_t got;
			int wait_ms = (int)((until - now_s()) * 1000);

			if (wait_ms <= 0)
				goto fail_running;
			rc = poll(&pf, 1, wait_ms);
			if (rc < 0 && errno == EINTR)
				continue;
			if (rc <= 0)
				goto fail_running;
			got = read(cf->from, chunk, sizeof(chunk));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				goto fail_running;
			strbuf_add(&cf->buf, chunk, (size_t)got);
		}
	}
	if (gitmerge_confirmer_answer(&g, cf, 0) < 0)
		goto fail_running;
	gitmerge_release(&g);
	cf->probing = 0;
	return cf;
fail_running:
	confirmer_kill(cf);
	cf->failed = 1;	/* nothing to say: gitmerge_confirmer_stop() frees it */
	gitmerge_confirmer_stop(cf);
	return NULL;
fail:
	strbuf_release(&cf->buf);
	free(cf->gitdir_opt);
	free(cf);
	return NULL;
}

/*
 * cf's git ended (EOF, or a broken socket) before answering pair k:
 * killed, or it died on one merge (git --stdin dies where git merge-tree
 * of that one pair would: a damaged commit-graph, unrelated histories),
 * which ends every merge after it.  Say how, once; from then on cf asks
 * git merge by merge (gitmerge_run()), each pair not answered yet.
 */
static void confirmer_died(struct gitmerge_confirmer *cf, long k)
{
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	int rc;

	if (cf->failed)
		return;
	cf->failed = 1;
	close(cf->to);
	cf->to = -1;
	if (cf->probing)
		return;	/* reaped by gitmerge_confirmer_stop() */
	rc = spawn_wait(&cf->sp, 0);
	git_oid_tostr(a, sizeof(a), &cf->q[k].ours);
	git_oid_tostr(b, sizeof(b), &cf->q[k].theirs);
	if (rc < 0)
		warning("git merge-tree --stdin ended before answering for '%.12s' and '%.12s': "
			"asking git merge by merge", a, b);
	else if (cf->sp.signal)
		warning("git merge-tree --stdin was killed by signal %d before answering for "
			"'%.12s' and '%.12s': asking git merge by merge", cf->sp.signal, a, b);
	else
		warning("git merge-tree --stdin exited with %d before answering for '%.12s' and "
			"'%.12s': asking git merge by merge", rc, a, b);
}

/*
 * cf's git gave no answer for pair k within parallel.git-timeout (a merge
 * driver that hangs): stop it, say so once; pair k and every one after it
 * go to gitmerge_run(), which asks git nothing more (git_hung).
 */
static void confirmer_stalled(struct gitmerge_confirmer *cf, long k)
{
	static const char *const argv[] = { "git", "merge-tree", NULL };
	char about[80], a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];

	if (cf->failed)
		return;
	cf->failed = 1;
	close(cf->to);
	cf->to = -1;
	spawn_stop(&cf->sp);
	snprintf(about, sizeof(about), " --stdin for '%.12s' and '%.12s'",
		 git_oid_tostr(a, sizeof(a), &cf->q[k].ours), git_oid_tostr(b, sizeof(b), &cf->q[k].theirs));
	say_stopped(argv, about);
}

long gitmerge_confirmer_ask(struct gitmerge_confirmer *cf, const git_oid *ours, const git_oid *theirs)
{
	double deadline = gp_git_deadline();
	char line[2 * GIT_OID_HEXSZ + 3];
	size_t done = 0, len;
	long k;

	if (!cf)
		return -1;
	k = cf->asked++;
	ALLOC_GROW(cf->q, cf->asked, cf->q_alloc);
	git_oid_cpy(&cf->q[k].ours, ours);
	git_oid_cpy(&cf->q[k].theirs, theirs);
	if (cf->failed)
		return cf->probing ? -1 : k;	/* answered by gitmerge_run() */
	git_oid_tostr(line, GIT_OID_HEXSZ + 1, ours);
	line[GIT_OID_HEXSZ] = ' ';
	git_oid_tostr(line + GIT_OID_HEXSZ + 1, GIT_OID_HEXSZ + 1, theirs);
	len = 2 * GIT_OID_HEXSZ + 1;
	line[len++] = '\n';
	/*
	 * git reads a line, merges, writes its answer: its answers wait in
	 * a pipe of 64 KiB while ours (82 bytes each) wait in the socket; a
	 * full socket is drained of answers first, so neither waits forever
	 */
	while (done < len) {
		struct pollfd pf[2] = { { .fd = cf->to, .events = POLLOUT },
					{ .fd = cf->from, .events = POLLIN } };
		ssize_t n;
		int rc, ms = deadline > 0 ? (int)((deadline - now_s()) * 1000) + 1 : -1;

		if (deadline > 0 && ms <= 0) {
			confirmer_stalled(cf, k);
			break;
		}
		if ((rc = poll(pf, 2, ms)) < 0) {
			if (errno == EINTR)
				continue;
			confirmer_died(cf, k);
			break;
		}
		if (!rc)
			continue;	/* the deadline, above */
		if (pf[1].revents & (POLLIN | POLLHUP)) {
			char chunk[65536];
			ssize_t got = read(cf->from, chunk, sizeof(chunk));

			if (got > 0) {
				strbuf_add(&cf->buf, chunk, (size_t)got);
			} else if (!got || errno != EINTR) {
				confirmer_died(cf, k);
				break;
			}
		}
		if (!(pf[0].revents & (POLLOUT | POLLERR | POLLHUP)))
			continue;
		n = send(cf->to, line + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			confirmer_died(cf, k);
			break;
		}
		done += (size_t)n;
	}
	return cf->probing && cf->failed ? -1 : k;
}

/* How long a part of an answer may wait for the rest (GIT_PARALLEL_TEST_MERGE_TREE_STALL_MS). */
static int stall_ms(void)
{
	const char *v = getenv("GIT_PARALLEL_TEST_MERGE_TREE_STALL_MS");
	int ms = v ? atoi(v) : 0;

	return ms > 0 ? ms : 10000;
}

int gitmerge_confirmer_answer(struct gitmerge *out, struct gitmerge_confirmer *cf, long k)
{
	struct strbuf rec = STRBUF_INIT;
	git_tree *tree = NULL;
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	double deadline;
	long len;
	int ret = -1, clean;

	gitmerge_init(out);
	if (!cf || k != cf->answered || k >= cf->asked)
		return -1;
	deadline = gp_git_deadline();
	while (!cf->failed && !(len = stdin_answer_len(cf->buf.buf, cf->buf.len))) {
		char chunk[65536];
		ssize_t got;

		/*
		 * git writes an answer all at once, when its merge is done: a
		 * part of one and nothing more for a while is an answer we
		 * do not read as git wrote it (a form we do not know)
		 */
		if (cf->buf.len) {
			struct pollfd pf = { .fd = cf->from, .events = POLLIN };
			int rc = poll(&pf, 1, stall_ms());

			if (rc < 0 && errno == EINTR)
				continue;
			if (!rc) {
				len = -1;
				break;
			}
		} else if (deadline > 0) {
			/* nothing of it yet: git merges, or a merge driver hangs */
			struct pollfd pf = { .fd = cf->from, .events = POLLIN };
			int ms = (int)((deadline - now_s()) * 1000) + 1, rc;

			if (ms <= 0) {
				confirmer_stalled(cf, k);
				break;
			}
			rc = poll(&pf, 1, ms);
			if (rc <= 0)
				continue;	/* EINTR, or the deadline: above */
		}
		got = read(cf->from, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			confirmer_died(cf, k);
		else
			strbuf_add(&cf->buf, chunk, (size_t)got);
	}
	if (cf->failed) {
		if (cf->probing)
			return -1;
		cf->answered++;
		return gitmerge_run(out, cf->repo, &cf->q[k].ours, &cf->q[k].theirs);
	}
	git_oid_tostr(a, sizeof(a), &cf->q[k].ours);
	git_oid_tostr(b, sizeof(b), &cf->q[k].theirs);
	if (len < 0) {
		/* out of step with git: nothing it says can be trusted any more */
		warning("cannot read git merge-tree --stdin's answer for '%.12s' and '%.12s': "
			"asking git merge by merge", a, b);
		cf->failed = 1;
		confirmer_kill(cf);
		cf->answered++;
		return gitmerge_run(out, cf->repo, &cf->q[k].ours, &cf->q[k].theirs);
	}
	cf->answered++;
	clean = cf->buf.buf[0] == '1';
	/* as git merge-tree -z answers alone: without the status and the last NUL */
	strbuf_add(&rec, cf->buf.buf + 2, (size_t)len - 3);
	memmove(cf->buf.buf, cf->buf.buf + len, cf->buf.len - (size_t)len);
	strbuf_setlen(&cf->buf, cf->buf.len - (size_t)len);
	if (parse(out, &rec, clean ? 0 : 1) < 0) {
		warning("cannot read git merge-tree --stdin's answer for '%.12s' and '%.12s': "
			"libgit2's merge decides", a, b);
		goto out;
	}
	if (tree_written(&tree, cf->repo, &out->tree, a, b) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		gitmerge_release(out);
	git_tree_free(tree);
	strbuf_release(&rec);
	return ret;
}

void gitmerge_confirmer_stop(struct gitmerge_confirmer *cf)
{
	if (!cf)
		return;
	if (cf->to >= 0)
		close(cf->to);	/* end of input: git exits */
	close(cf->from);
	if (cf->sp.pid > 0 && spawn_wait(&cf->sp, gp_git_deadline()) == SPAWN_TIMED_OUT) {
		static const char *const argv[] = { "git", "merge-tree", NULL };

		say_stopped(argv, " --stdin (at its end)");
	}
	strbuf_release(&cf->buf);
	free(cf->q);
	free(cf->gitdir_opt);
	free(cf);
}

int gitmerge_has(const struct gitmerge *g, const char *path)
{
	return strlist_has(&g->paths, path);
}

const char *gitmerge_type(const struct gitmerge *g, const char *path)
{
	const char *t = gitmerge_type_named(g, path);

	return t ? t : "content";
}

const char *gitmerge_type_named(const struct gitmerge *g, const char *path)
{
	static const char *const names[] = {
		"file location", "rename", "modify/delete", "directory/file", "mode",
		"binary", "submodule", "add/add", "content",
	};
	size_t i, k;

	/* the static name, not the list's copy: callers keep it */
	for (i = 0; i < g->msg_paths.nr; i++)
		if (!strcmp(g->msg_paths.v[i], path))
			for (k = 0; k < ARRAY_SIZE(names); k++)
				if (!strcmp(g->msg_types.v[i], names[k]))
					return names[k];
	return NULL;
}

/* --- git's line scripts, for content merges decided without merging -------- */

void gitmerge_scripts_clear(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->size; i++) {
		struct gitmerge_script *sc = m->v[i].key ? m->v[i].value : NULL;

		if (sc) {
			free(sc->v);
			free(sc);
		}
	}
	strmap_clear(m);
}

/* "-12,3" or "+4": start and count (1 when not given).  0, or -1. */
static int hunk_range(const char **p, unsigned long *start, unsigned long *count)
{
	char *end;

	*start = strtoul(*p + 1, &end, 10);
	*count = 1;
	if (end == *p + 1)
		return -1;
	if (*end == ',') {
		const char *c = end + 1;

		*count = strtoul(c, &end, 10);
		if (end == c)
			return -1;
	}
	*p = end;
	return 0;
}

/*
 * Parse git diff-tree -p -U<n> --full-index output into out: each
 * file's changes (maximal runs of removed and added lines between
 * unchanged ones) keyed by its "index <old>..<new>" line.  0, or -1
 * when malformed.
 */
static int parse_scripts(struct strmap *out, const struct strbuf *sb)
{
	const char *p = sb->buf, *end = sb->buf + sb->len;
	struct gitmerge_script *cur = NULL;
	unsigned long old_left = 0, new_left = 0, at = 0;
	int open = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (old_left || new_left) {	/* a hunk's body */
			/* an empty line: a blank context line under diff.suppressBlankEmpty */
			if (!len || *p == ' ') {
				if (!old_left-- || !new_left--)
					return -1;
				at++;
				open = 0;
			} else if (*p == '-' || *p == '+') {
				struct gitmerge_hunk *h;

				if (*p == '-' ? !old_left-- : !new_left--)
					return -1;
				if (!open) {
					ALLOC_GROW(cur->v, cur->nr + 1, cur->alloc);
					h = &cur->v[cur->nr++];
					memset(h, 0, sizeof(*h));
					h->i1 = at;
					open = 1;
				}
				h = &cur->v[cur->nr - 1];
				if (*p == '-') {
					h->chg1++;
					at++;
				} else {
					h->chg2++;
				}
			} else if (*p != '\\') {
				return -1;
			}
		} else if (len > 6 + 2 * GIT_OID_HEXSZ + 2 && !strncmp(p, "index ", 6) &&
			   p[6 + GIT_OID_HEXSZ] == '.' && p[7 + GIT_OID_HEXSZ] == '.') {
			char *key = xstrndup(p + 6, 2 * GIT_OID_HEXSZ + 2);
			struct strmap_entry *e;
			int found;

			e = strmap_put(out, key, NULL, &found);
			free(key);
			if (found) {	/* the same two blobs: the same script */
				struct gitmerge_script *old = e->value;

				free(old->v);
				free(old);
			}
			cur = xcalloc(1, sizeof(*cur));
			e->value = cur;
			open = 0;
		} else if (cur && len >= 4 && !strncmp(p, "@@ -", 4)) {
			const char *q = p + 3;
			unsigned long os, oc, ns, nc;

			if (hunk_range(&q, &os, &oc) < 0 || *q != ' ' || q[1] != '+')
				return -1;
			q++;
			if (hunk_range(&q, &ns, &nc) < 0)
				return -1;
			at = oc ? os - 1 : os;
			old_left = oc;
			new_left = nc;
			open = 0;
		} else if (cur && len >= 12 && !strncmp(p, "Binary files", 12)) {
			cur->binary = 1;
		} else if (!strncmp(p, "diff --git ", 11) || (len == 2 * GIT_OID_HEXSZ + 1 && p[GIT_OID_HEXSZ] == ' ')) {
			cur = NULL;	/* a new file, or the next pair of trees */
		}
		p = nl ? nl + 1 : end;
	}
	return old_left || new_left ? -1 : 0;
}

#define SCRIPTS_BATCH 300	/* tree pairs per git process: its input stays within a pipe */

/* git diff-tree --stdin printing merge-ort's scripts, into argv: how many (argv has room for 14). */
static size_t scripts_argv(const char **argv, const char *gitdir_opt)
{
	size_t k = 0;

	argv[k++] = "git";
	argv[k++] = gitdir_opt;
	argv[k++] = "--literal-pathspecs";
	argv[k++] = "diff-tree";
	argv[k++] = "--stdin";
	argv[k++] = "-p";
	/*
	 * not -U0: git then trims the common tail first (xdi_diff()), which
	 * merge does not; with context xdl_diff() runs on the whole blobs
	 */
	argv[k++] = "-U1";
	argv[k++] = "--histogram";
	argv[k++] = "--no-indent-heuristic";	/* merge-ort diffs with histogram alone */
	argv[k++] = "--no-renames";
	argv[k++] = "--no-ext-diff";
	argv[k++] = "--no-textconv";
	argv[k++] = "--no-color";
	argv[k++] = "--full-index";
	return k;
}

int gitmerge_scripts(struct strmap *out, git_repository *repo, const git_oid *base_trees,
		     const git_oid *side_trees, size_t n, const struct strlist *paths)
{
	char *gitdir_opt = xstrfmt("--git-dir=%s", git_repository_path(repo));
	const char **argv = xcalloc(16 + (paths ? paths->nr : 0), sizeof(*argv));
	struct strbuf in = STRBUF_INIT, sb = STRBUF_INIT;
	size_t i, k = 0, done;
	int ret = 0;

	k = scripts_argv(argv, gitdir_opt);
	if (paths) {
		argv[k++] = "--";
		for (i = 0; i < paths->nr; i++)
			argv[k++] = paths->v[i];
	}
	argv[k] = NULL;
	for (done = 0; done < n && !ret; done += SCRIPTS_BATCH) {
		struct spawn sp;
		int rc;

		strbuf_reset(&in);
		for (i = done; i < n && i < done + SCRIPTS_BATCH; i++) {
			char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];

			strbuf_addf(&in, "%s %s\n", git_oid_tostr(a, sizeof(a), &base_trees[i]),
				    git_oid_tostr(b, sizeof(b), &side_trees[i]));
		}
		strbuf_reset(&sb);
		if (git_start(&sp, argv, repo, &in) < 0) {
			ret = -1;
			break;
		}
		rc = git_finish(&sp, &sb, argv, NULL);
		if (rc != 0 || parse_scripts(out, &sb) < 0) {
			warning("cannot read git diff-tree's line scripts (exit %d): git merge-tree decides",
				rc);
			ret = -1;
		}
	}
	strbuf_release(&sb);
	strbuf_release(&in);
	free(argv);
	free(gitdir_opt);
	return ret;
}

/* --- the same scripts from one git diff-tree --stdin kept running -------- */

struct gitmerge_differ {
	struct spawn sp;
	int to;			/* a socket: its stdin (send() with MSG_NOSIGNAL: no SIGPIPE) */
	int from;		/* a pipe: its stdout */
	unsigned long asked;	/* requests so far: each ends with its own marker line */
	unsigned long answered;	/* answers read so far */
	struct strbuf buf;	/* read and not yet taken: the start of the next answer */
	size_t requests;	/* tree pairs asked */
	int broken;
	char *gitdir_opt;
};

#define DIFFER_MARK "gp-scripts-end "	/* not an object id: diff-tree echoes it and flushes */

struct gitmerge_differ *gitmerge_differ_start(git_repository *repo)
{
	struct gitmerge_differ *d = xcalloc(1, sizeof(*d));
	const char *argv[16];

	strbuf_init(&d->buf, 0);
	d->gitdir_opt = xstrfmt("--git-dir=%s", git_repository_path(repo));
	argv[scripts_argv(argv, d->gitdir_opt)] = NULL;
	if (git_start_socket(&d->sp, argv, repo, &d->to, SPAWN_FORK_FALLBACK) < 0) {
		error_errno("cannot start git diff-tree");
		free(d->gitdir_opt);
		free(d);
		return NULL;
	}
	d->from = d->sp.out_fd;
	return d;
}

size_t gitmerge_differ_requests(const struct gitmerge_differ *d)
{
	return d ? d->requests : 0;
}

/* Send all of in to d's git.  0, or -1. */
static int differ_send(struct gitmerge_differ *d, const struct strbuf *in)
{
	size_t done = 0;

	while (done < in->len) {
		ssize_t n = send(d->to, in->buf + done, in->len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Ask for the scripts of the n pairs (answered in order, each answer up to its marker).  0, or -1. */
static int differ_ask(struct gitmerge_differ *d, const git_oid *base_trees, const git_oid *side_trees,
		      size_t n)
{
	struct strbuf in = STRBUF_INIT;
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		strbuf_addf(&in, "%s %s\n", git_oid_tostr(a, sizeof(a), &base_trees[i]),
			    git_oid_tostr(b, sizeof(b), &side_trees[i]));
	strbuf_addf(&in, DIFFER_MARK "%lu\n", ++d->asked);
	ret = differ_send(d, &in);
	if (!ret)
		d->requests += n;
	strbuf_release(&in);
	return ret;
}

/* Read the next answer not read yet (up to its marker, alone on its line) into out.  0, or -1. */
static int differ_answer(struct gitmerge_differ *d, struct strmap *out)
{
	char mark[64];
	size_t mlen, scanned = 0;
	int ret = -1;

	mlen = (size_t)snprintf(mark, sizeof(mark), DIFFER_MARK "%lu\n", d->answered + 1);
	for (;;) {
		const char *hit = NULL;

		/* every line before the marker is git's answer; what follows, the next one's */
		while (scanned + mlen <= d->buf.len) {
			const char *nl;

			if ((!scanned || d->buf.buf[scanned - 1] == '\n') &&
			    !memcmp(d->buf.buf + scanned, mark, mlen)) {
				hit = d->buf.buf + scanned;
				break;
			}
			nl = memchr(d->buf.buf + scanned, '\n', d->buf.len - scanned);
			if (!nl)
				break;
			scanned = (size_t)(nl - d->buf.buf) + 1;
		}
		if (hit) {
			struct strbuf answer = STRBUF_INIT;
			size_t used = (size_t)(hit - d->buf.buf) + mlen;

			strbuf_add(&answer, d->buf.buf, (size_t)(hit - d->buf.buf));
			memmove(d->buf.buf, d->buf.buf + used, d->buf.len - used);
			strbuf_setlen(&d->buf, d->buf.len - used);
			ret = parse_scripts(out, &answer);
			strbuf_release(&answer);
			if (!ret)
				d->answered++;
			return ret;
		}
		{
			char chunk[65536];
			ssize_t got = read(d->from, chunk, sizeof(chunk));

			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return ret;
			strbuf_add(&d->buf, chunk, (size_t)got);
		}
	}
}

static void differ_broken(struct gitmerge_differ *d)
{
	if (!d->broken) {
		d->broken = 1;
		warning("cannot read git diff-tree's line scripts: git merge-tree decides");
	}
}

int gitmerge_differ_collect(struct gitmerge_differ *d, struct strmap *out)
{
	if (!d || d->broken)
		return -1;
	while (d->answered < d->asked)
		if (differ_answer(d, out) < 0) {
			differ_broken(d);
			return -1;
		}
	return 0;
}

int gitmerge_differ_send(struct gitmerge_differ *d, struct strmap *out, const git_oid *base_trees,
			 const git_oid *side_trees, size_t n)
{
	if (!d || d->broken)
		return -1;
	/* one answer in flight at most: git never waits on a full pipe while we wait on it */
	if (gitmerge_differ_collect(d, out) < 0)
		return -1;
	if (differ_ask(d, base_trees, side_trees, n) < 0) {
		differ_broken(d);
		return -1;
	}
	return 0;
}

int gitmerge_differ_scripts(struct gitmerge_differ *d, struct strmap *out, const git_oid *base_trees,
			    const git_oid *side_trees, size_t n)
{
	if (gitmerge_differ_send(d, out, base_trees, side_trees, n) < 0)
		return -1;
	return gitmerge_differ_collect(d, out);
}

void gitmerge_differ_stop(struct gitmerge_differ *d)
{
	if (!d)
		return;
	close(d->to);	/* end of input: git exits */
	close(d->from);
	spawn_wait(&d->sp, 0);
	strbuf_release(&d->buf);
	free(d->gitdir_opt);
	free(d);
}

/* The lines of buf (as xdiff's records: each up to its newline, the last maybe without). */
struct lines {
	const char **v;		/* nr + 1 starts: line i is v[i] .. v[i + 1] */
	size_t nr;
};

static void lines_split(struct lines *l, const char *buf, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	n += len && buf[len - 1] != '\n';
	l->v = xcalloc(n + 1, sizeof(*l->v));
	l->nr = 0;
	l->v[0] = buf;
	for (i = 0; i < len; i++)
		if (buf[i] == '\n')
			l->v[++l->nr] = buf + i + 1;
	if (len && buf[len - 1] != '\n')
		l->v[++l->nr] = buf + len;
}

static long script_delta(const struct gitmerge_script *s)
{
	long d = 0;
	size_t i;

	for (i = 0; i < s->nr; i++)
		d += (long)s->v[i].chg2 - (long)s->v[i].chg1;
	return d;
}

/* One region of xdl_do_merge() (xdiff/xmerge.c, xdmerge_t). */
struct xm_region {
	int mode;		/* 0 conflict, 1 ours, 2 theirs, 4 the same text on both sides */
	long i0, chg0;		/* base */
	long i1, chg1;		/* ours */
	long i2, chg2;		/* theirs */
};

struct xm_regions {
	struct xm_region *v;
	size_t nr, alloc;
};

/* xdl_append_merge(): a region that meets the last one joins it. */
static void xm_append(struct xm_regions *r, int mode, long i0, long chg0, long i1, long chg1,
		      long i2, long chg2)
{
	struct xm_region *m = r->nr ? &r->v[r->nr - 1] : NULL;

	if (m && (i1 <= m->i1 + m->chg1 || i2 <= m->i2 + m->chg2)) {
		if (mode != m->mode)
			m->mode = 0;
		m->chg0 = i0 + chg0 - m->i0;
		m->chg1 = i1 + chg1 - m->i1;
		m->chg2 = i2 + chg2 - m->i2;
		return;
	}
	ALLOC_GROW(r->v, r->nr + 1, r->alloc);
	m = &r->v[r->nr++];
	m->mode = mode;
	m->i0 = i0;
	m->chg0 = chg0;
	m->i1 = i1;
	m->chg1 = chg1;
	m->i2 = i2;
	m->chg2 = chg2;
}

/* Lines [i, i + n) of l, as bytes. */
static const char *lines_at(const struct lines *l, long i, long n, size_t *len)
{
	*len = (size_t)(l->v[i + n] - l->v[i]);
	return l->v[i];
}

static int lines_equal(const struct lines *a, long ia, const struct lines *b, long ib, long n)
{
	size_t la, lb;
	const char *pa = lines_at(a, ia, n, &la), *pb = lines_at(b, ib, n, &lb);

	return la == lb && !memcmp(pa, pb, la);
}

/* The side positions (i2) of a script's hunks; -1 when it does not fit nrec_base -> nrec_side. */
static long *script_positions(const struct gitmerge_script *s, long nrec_base, long nrec_side)
{
	long *at = xcalloc(s->nr + 1, sizeof(*at)), shift = 0, end = 0;
	size_t i;

	for (i = 0; i < s->nr; i++) {
		const struct gitmerge_hunk *h = &s->v[i];

		if ((long)h->i1 < end || (long)(h->i1 + h->chg1) > nrec_base ||
		    (long)h->i1 + shift + (long)h->chg2 > nrec_side) {
			free(at);
			return NULL;
		}
		at[i] = (long)h->i1 + shift;
		shift += (long)h->chg2 - (long)h->chg1;
		end = (long)(h->i1 + h->chg1);
	}
	return at;
}

int gitmerge_scripts_merge(struct strbuf *out, const char *ours, size_t ours_len,
			   const struct gitmerge_script *a, const char *theirs, size_t theirs_len,
			   const struct gitmerge_script *b, int refine)
{
	struct lines lo, lt;
	struct xm_regions r = { NULL, 0, 0 };
	long *pa = NULL, *pb = NULL, nbase, i0, i1, i2, chg0, chg1, chg2, cur;
	size_t x = 0, y = 0, k;
	int ret = -1, conflicts = 0;

	if (!a->nr || !b->nr || a->binary || b->binary)
		return -1;
	lines_split(&lo, ours, ours_len);
	lines_split(&lt, theirs, theirs_len);
	nbase = (long)lo.nr - script_delta(a);
	if (nbase < 0 || nbase != (long)lt.nr - script_delta(b) ||
	    !(pa = script_positions(a, nbase, (long)lo.nr)) ||
	    !(pb = script_positions(b, nbase, (long)lt.nr)))
		goto out;
	/* xdl_do_merge(), side 1 ours (a, lo), side 2 theirs (b, lt) */
	while (x < a->nr && y < b->nr) {
		const struct gitmerge_hunk *h1 = &a->v[x], *h2 = &b->v[y];
		long s1 = (long)h1->i1, c1 = (long)h1->chg1, d1 = (long)h1->chg2;
		long s2 = (long)h2->i1, c2 = (long)h2->chg1, d2 = (long)h2->chg2;

		if (s1 + c1 < s2) {
			xm_append(&r, 1, s1, c1, pa[x], d1, pb[y] - s2 + s1, c1);
			x++;
			continue;
		}
		if (s2 + c2 < s1) {
			xm_append(&r, 2, s2, c2, pa[x] - s1 + s2, c2, pb[y], d2);
			y++;
			continue;
		}
		/* the same change on both sides is no conflict */
		if (s1 != s2 || c1 != c2 || d1 != d2 || !lines_equal(&lo, pa[x], &lt, pb[y], d1)) {
			long off = s1 - s2, ffo = off + c1 - c2;

			i0 = s1;
			i1 = pa[x];
			i2 = pb[y];
			if (off > 0) {
				i0 -= off;
				i1 -= off;
			} else {
				i2 += off;
			}
			chg0 = s1 + c1 - i0;
			chg1 = pa[x] + d1 - i1;
			chg2 = pb[y] + d2 - i2;
			if (ffo < 0) {
				chg0 -= ffo;
				chg1 -= ffo;
			} else {
				chg2 += ffo;
			}
			xm_append(&r, 0, i0, chg0, i1, chg1, i2, chg2);
		}
		i1 = s1 + c1;
		i2 = s2 + c2;
		if (i1 >= i2)
			y++;
		if (i2 >= i1)
			x++;
	}
	for (; x < a->nr; x++)
		xm_append(&r, 1, (long)a->v[x].i1, (long)a->v[x].chg1, pa[x], (long)a->v[x].chg2,
			  (long)a->v[x].i1 + (long)lt.nr - nbase, (long)a->v[x].chg1);
	for (; y < b->nr; y++)
		xm_append(&r, 2, (long)b->v[y].i1, (long)b->v[y].chg1,
			  (long)b->v[y].i1 + (long)lo.nr - nbase, (long)b->v[y].chg1, pb[y],
			  (long)b->v[y].chg2);
	/*
	 * xdl_refine_conflicts() (XDL_MERGE_ZEALOUS, merge.conflictStyle
	 * "merge"): a conflict region whose two sides hold the same lines
	 * is resolved (it diffs them: no change at all is byte equality);
	 * one with an empty side stays a conflict
	 */
	for (k = 0; k < r.nr; k++) {
		struct xm_region *m = &r.v[k];

		if (m->i1 < 0 || m->i2 < 0 || m->chg1 < 0 || m->chg2 < 0 ||
		    m->i1 + m->chg1 > (long)lo.nr || m->i2 + m->chg2 > (long)lt.nr)
			goto out;
		if (m->mode)
			continue;
		/* the same bytes are the same lines: as many of them */
		if (refine && m->chg1 && m->chg1 == m->chg2 &&
		    lines_equal(&lo, m->i1, &lt, m->i2, m->chg1))
			m->mode = 4;
		else
			conflicts++;
	}
	if (conflicts) {
		ret = 1;
		goto out;
	}
	/* xdl_fill_merge_buffer() without a conflict */
	for (k = 0, cur = 0; k < r.nr; k++) {
		const struct xm_region *m = &r.v[k];
		size_t len;
		const char *p;

		if (m->mode == 4)
			continue;	/* ours' lines, copied with what follows */
		if (m->i1 < cur)
			goto out;
		p = lines_at(&lo, cur, m->i1 - cur, &len);
		strbuf_add(out, p, len);
		if (m->mode & 1) {
			p = lines_at(&lo, m->i1, m->chg1, &len);
			strbuf_add(out, p, len);
		}
		if (m->mode & 2) {
			p = lines_at(&lt, m->i2, m->chg2, &len);
			strbuf_add(out, p, len);
		}
		cur = m->i1 + m->chg1;
	}
	{
		size_t len;
		const char *p = lines_at(&lo, cur, (long)lo.nr - cur, &len);

		strbuf_add(out, p, len);
	}
	ret = 0;
out:
	free(pa);
	free(pb);
	free(r.v);
	free(lo.v);
	free(lt.v);
	return ret;
}

/*
 * Does the environment give git configuration that libgit2 1.5 does not
 * read?  git -c (GIT_CONFIG_PARAMETERS), GIT_CONFIG_COUNT and its
 * GIT_CONFIG_KEY_<n>/VALUE_<n>, GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM.
 */
static int config_from_env(void)
{
	static const char *const vars[] = {
		"GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vars); i++)
		if (getenv(vars[i]))
			return 1;
	return 0;
}

/*
 * git's own value of key (git config <how> <key>: --get, or --get-regexp
 * and the output names the keys too; git reads what config_from_env()
 * names): 1 and *value (NULL when unset; free it), or -1 when git cannot
 * tell (a warning).
 */
static int git_config_get(git_repository *repo, const char *how, const char *key, char **value)
{
	char *gitdir_opt = xstrfmt("--git-dir=%s", git_repository_path(repo));
	const char *argv[] = { "git", gitdir_opt, "config", how, key, NULL };
	struct strbuf sb = STRBUF_INIT;
	struct spawn sp;
	int rc = -1;

	*value = NULL;
	if (!git_start(&sp, argv, repo, NULL))
		rc = git_finish(&sp, &sb, argv, NULL);
	if (rc == 0) {
		while (sb.len && sb.buf[sb.len - 1] == '\n')
			sb.buf[--sb.len] = '\0';
		*value = strbuf_detach(&sb, NULL);
	} else if (rc != 1) {
		warning("cannot read '%s' with git config (exit %d): git merge-tree decides", key, rc);
	}
	strbuf_release(&sb);
	free(gitdir_opt);
	return rc == 0 || rc == 1 ? 1 : -1;
}

int gitmerge_conflict_refine(git_repository *repo)
{
	git_config *cfg = NULL;
	git_config_entry *e = NULL;
	int refine = 1;

	if (config_from_env()) {
		char *v;

		if (git_config_get(repo, "--get", "merge.conflictStyle", &v) < 0)
			return 0;	/* cannot tell: the stricter rule */
		refine = !v || !strcmp(v, "merge");
		free(v);
		return refine;
	}
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		git_error_clear();
		return 0;	/* cannot tell: the stricter rule */
	}
	if (!git_config_get_entry(&e, cfg, "merge.conflictStyle"))
		refine = !strcmp(e->value, "merge");
	git_config_entry_free(e);
	git_error_clear();
	git_config_free(cfg);
	return refine;
}

/*
 * git_parse_maybe_bool(): 1 true, 0 false, -1 neither (its text values,
 * any case; an empty value is false; a plain integer is its truth).
 */
static int parse_maybe_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off", "" };
	char *end;
	long n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcasecmp(v, yes[i]))
			return 1;
	for (i = 0; i < ARRAY_SIZE(no); i++)
		if (!strcasecmp(v, no[i]))
			return 0;
	errno = 0;
	n = strtol(v, &end, 0);
	if (errno || end == v || *end)
		return -1;
	return n != 0;
}

/*
 * merge-recursive.c merge_recursive_config(): a boolean (true: the file
 * moves with its directory, false: no directory renames), or "conflict";
 * any other value (a later git's) leaves the default, conflict.
 */
static int dir_renames_value_conflict(const char *v)
{
	if (!v)
		return 1;	/* unset (or a key git itself dies on) */
	return parse_maybe_bool(v) < 0;
}

int gitmerge_dir_renames_conflict(git_repository *repo)
{
	git_config *cfg = NULL;
	git_config_entry *e = NULL;
	int conflict = 1;

	if (config_from_env()) {
		char *v;

		if (git_config_get(repo, "--get", "merge.directoryRenames", &v) < 0)
			return 1;	/* cannot tell (a warning): git's default */
		conflict = dir_renames_value_conflict(v);
		free(v);
		return conflict;
	}
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		git_error_clear();
		return 1;
	}
	if (!git_config_get_entry(&e, cfg, "merge.directoryRenames"))
		conflict = dir_renames_value_conflict(e->value);
	git_config_entry_free(e);
	git_error_clear();
	git_config_free(cfg);
	return conflict;
}

/* One of git's merge.conflictStyle values?  (xdiff-interface.c: no other, case and all) */
static int style_known(const char *v)
{
	return v && (!strcmp(v, "merge") || !strcmp(v, "diff3") || !strcmp(v, "zdiff3"));
}

static int style_refused(const char *v, const char *nothing)
{
	if (!v)
		return error("'merge.conflictStyle' has no value: git merge-tree refuses to "
			     "run (use merge, diff3 or zdiff3); %s", nothing);
	return error("unknown value '%s' for 'merge.conflictStyle': git merge-tree refuses to "
		     "run (use merge, diff3 or zdiff3); %s", v, nothing);
}

/*
 * merge.directoryRenames as git lists it last (git config --show-origin
 * -z --get-regexp): 1 when it is a key without a value, *origin (to free)
 * where git read it ("file:<path>", "command line:"); 0 when it has a
 * value or is not set; -1 when git cannot tell.
 */
static int dir_renames_bare(git_repository *repo, char **origin)
{
	/* without the last slash: git names "<gitdir>/config" */
	char *gitdir_opt = xstrfmt("--git-dir=%.*s", (int)strlen(git_repository_path(repo)) - 1,
				   git_repository_path(repo));
	const char *argv[] = { "git", gitdir_opt, "config", "--show-origin", "-z", "--get-regexp",
			       "^merge\\.directoryrenames$", NULL };
	struct strbuf sb = STRBUF_INIT;
	const char *p, *end, *last_origin = NULL, *last_entry = NULL;
	struct spawn sp;
	int rc = -1, ret = -1;

	*origin = NULL;
	if (!git_start(&sp, argv, repo, NULL))
		rc = git_finish(&sp, &sb, argv, NULL);
	if (rc == 1) {
		ret = 0;	/* not set */
	} else if (!rc) {
		/* <origin> NUL <key> [LF <value>] NUL, for each value */
		for (p = sb.buf, end = sb.buf + sb.len; p < end;) {
			const char *o = p, *nul = memchr(p, '\0', (size_t)(end - p));

			if (!nul || !(nul = memchr(nul + 1, '\0', (size_t)(end - nul - 1))))
				break;
			last_origin = o;
			last_entry = o + strlen(o) + 1;
			p = nul + 1;
		}
		if (last_entry) {
			ret = !strchr(last_entry, '\n');
			if (ret)
				*origin = xstrdup(last_origin);
		}
	}
	strbuf_release(&sb);
	free(gitdir_opt);
	return ret;
}

/*
 * merge.directoryRenames without a value: git merge-tree dies reading it
 * ("missing value"), as it does on a bad merge.conflictStyle, unless a
 * later one gives a value.  -1 (an error naming the key and where git
 * read it), else 0.
 */
static int dir_renames_check(git_repository *repo, const char *nothing)
{
	char *origin = NULL;
	int bare;

	if (!config_from_env()) {
		git_config *cfg = NULL;
		git_config_entry *e = NULL;

		/* the last value is the one git reads */
		if (git_repository_config_snapshot(&cfg, repo) < 0) {
			git_error_clear();
			return 0;	/* cannot tell: git merge-tree says */
		}
		bare = !git_config_get_entry(&e, cfg, "merge.directoryRenames") && !e->value;
		git_config_entry_free(e);
		git_error_clear();
		git_config_free(cfg);
		if (!bare)
			return 0;
	}
	/* git's own list names the file (and reads git -c, GIT_CONFIG_*): git's answer wins */
	bare = dir_renames_bare(repo, &origin);
	if (!bare || (bare < 0 && config_from_env()))
		return 0;	/* cannot tell: git merge-tree says */
	if (origin && !strncmp(origin, "file:", 5))
		error("'merge.directoryRenames' has no value in '%s': git merge-tree refuses to run "
		      "(use true, false or conflict); %s", origin + 5, nothing);
	else if (origin && !strcmp(origin, "command line:"))
		error("'merge.directoryRenames' has no value on the command line (git -c): git "
		      "merge-tree refuses to run (use true, false or conflict); %s", nothing);
	else
		error("'merge.directoryRenames' has no value%s%s: git merge-tree refuses to run "
		      "(use true, false or conflict); %s", origin ? " in " : "", origin ? origin : "",
		      nothing);
	free(origin);
	return -1;
}

int gitmerge_config_check(git_repository *repo, const char *nothing)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	int ret = 0;

	if (dir_renames_check(repo, nothing) < 0)
		return -1;
	if (config_from_env()) {
		/* git -c and the like: git's own list, one value a line */
		char *v, *p, *nl;

		if (git_config_get(repo, "--get-all", "merge.conflictStyle", &v) < 0)
			return 0;	/* cannot tell (a warning): git merge-tree says */
		for (p = v; p && !ret; p = nl ? nl + 1 : NULL) {
			nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			if (!style_known(p))
				ret = style_refused(p, nothing);
		}
		free(v);
		return ret;
	}
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		git_error_clear();
		return 0;	/* cannot tell: git merge-tree says */
	}
	/* git dies at the first value it does not know, even one a later file overrides */
	if (git_config_multivar_iterator_new(&it, cfg, "merge.conflictstyle", NULL) < 0) {
		git_error_clear();
		git_config_free(cfg);
		return 0;
	}
	while (!ret && !git_config_next(&e, it))
		if (!style_known(e->value))
			ret = style_refused(e->value, nothing);
	git_error_clear();
	git_config_iterator_free(it);
	git_config_free(cfg);
	return ret;
}

const struct gitmerge_script *gitmerge_script_of(const struct strmap *scripts, const git_oid *base,
					      const git_oid *side)
{
	char key[2 * GIT_OID_HEXSZ + 3];

	git_oid_tostr(key, GIT_OID_HEXSZ + 1, base);
	key[GIT_OID_HEXSZ] = key[GIT_OID_HEXSZ + 1] = '.';
	git_oid_tostr(key + GIT_OID_HEXSZ + 2, GIT_OID_HEXSZ + 1, side);
	return strmap_get(scripts, key);
}

int gitmerge_config_plain(git_repository *repo)
{
	static const char *const keys[] = { "merge.renormalize", "merge.default" };
	git_config *cfg = NULL;
	size_t i;
	int plain = 1;

	if (config_from_env()) {
		/* and attributes from a core.attributesFile libgit2 may not see */
		char *v;

		if (git_config_get(repo, "--get-regexp",
				   "^(merge\\.(renormalize|default)|core\\.attributesfile)$", &v) < 0 || v)
			plain = 0;
		free(v);
		return plain;
	}
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		git_error_clear();
		return 0;	/* cannot tell: as if set */
	}
	for (i = 0; i < ARRAY_SIZE(keys) && plain; i++) {
		git_config_entry *e = NULL;

		if (!git_config_get_entry(&e, cfg, keys[i]))
			plain = 0;
		git_config_entry_free(e);
	}
	git_error_clear();
	git_config_free(cfg);
	return plain;
}

/*
 * Look at the attribute file at path: ATTR_QUOTED when it has a quoted
 * pattern ("a b.c" merge=...), ATTR_MERGE when it may set the merge
 * attribute at all (it says "merge" or "binary", the macro that unsets
 * it: a macro of its own that does says "merge" too).
 */
#define ATTR_QUOTED 1
#define ATTR_MERGE 2
static int attr_file_flags(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	int flags = 0;

	if (strbuf_read_file(&sb, path) < 0) {
		strbuf_release(&sb);
		return 0;
	}
	for (p = sb.buf; p && p < sb.buf + sb.len; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"')
			flags |= ATTR_QUOTED;
	}
	if (strstr(sb.buf, "merge") || strstr(sb.buf, "binary"))
		flags |= ATTR_MERGE;
	strbuf_release(&sb);
	return flags;
}

/*
 * May libgit2 1.5 read path's merge attribute otherwise than git?  It
 * matches patterns case-sensitively whatever core.ignoreCase says, takes a
 * quoted pattern ("a b.c") literally, quotes included, and does not see
 * the configuration of config_from_env().  1 when one of those may apply:
 * configuration from the environment, or an attribute file that can name
 * path (the work tree's .gitattributes from the top down to path's
 * directory, info/attributes, core.attributesFile or git's default one)
 * with a quoted pattern, or, under core.ignoreCase, one that may set the
 * merge attribute.
 */
static int attr_doubt(git_repository *repo, const char *path)
{
	const char *workdir = git_repository_workdir(repo), *home = getenv("HOME"), *xdg;
	git_config *cfg = NULL;
	git_config_entry *e = NULL;
	struct strbuf f = STRBUF_INIT;
	const char *slash;
	int icase = 0, flags = 0;

	if (config_from_env())
		return 1;
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		git_error_clear();
		return 1;
	}
	if (git_config_get_bool(&icase, cfg, "core.ignorecase") < 0)
		icase = 0;
	strbuf_addf(&f, "%sinfo/attributes", git_repository_path(repo));
	flags |= attr_file_flags(f.buf);
	strbuf_reset(&f);
	if (!git_config_get_entry(&e, cfg, "core.attributesfile")) {
		if (!strncmp(e->value, "~/", 2) && home)
			strbuf_addf(&f, "%s/%s", home, e->value + 2);
		else
			strbuf_addstr(&f, e->value);
	} else if ((xdg = getenv("XDG_CONFIG_HOME")) && *xdg) {
		strbuf_addf(&f, "%s/git/attributes", xdg);
	} else if (home) {
		strbuf_addf(&f, "%s/.config/git/attributes", home);
	}
	if (f.len)
		flags |= attr_file_flags(f.buf);
	for (slash = path; workdir && slash; slash = strchr(slash + 1, '/')) {
		strbuf_reset(&f);
		strbuf_addf(&f, "%s%.*s%s.gitattributes", workdir, (int)(slash - path), path,
			    slash == path ? "" : "/");
		flags |= attr_file_flags(f.buf);
	}
	git_config_entry_free(e);
	git_config_free(cfg);
	git_error_clear();
	strbuf_release(&f);
	return (flags & ATTR_QUOTED) || (icase && (flags & ATTR_MERGE));
}

/*
 * git check-attr -z merge -- path, in the work tree: 1 when unspecified,
 * 0 when set, -1 when git cannot tell (a warning).
 */
static int git_merge_attr_unspecified(git_repository *repo, const char *path)
{
	char *gitdir_opt = xstrfmt("--git-dir=%s", git_repository_path(repo));
	const char *argv[] = { "git", gitdir_opt, "check-attr", "-z", "merge", "--", path, NULL };
	struct strbuf sb = STRBUF_INIT;
	const char *value;
	struct spawn sp;
	int rc = -1, ret = -1;

	if (!git_start(&sp, argv, repo, NULL))
		rc = git_finish(&sp, &sb, argv, NULL);
	/* "<path>\0merge\0<value>\0" */
	if (!rc && sb.len > strlen(path) + 7 && sb.buf[sb.len - 1] == '\0') {
		value = sb.buf + strlen(path) + 1;
		value += strlen(value) + 1;
		ret = !strcmp(value, "unspecified");
	} else {
		warning("cannot read the merge attribute of '%s' with git check-attr (exit %d): "
			"git merge-tree decides", path, rc);
	}
	strbuf_release(&sb);
	free(gitdir_opt);
	return ret;
}

int gitmerge_text_merge(git_repository *repo, const char *path)
{
	const char *value = NULL;
	int ok = git_attr_get(&value, repo, 0, path, "merge") == 0 &&
		git_attr_value(value) == GIT_ATTR_VALUE_UNSPECIFIED;

	git_error_clear();
	/* only a text merge is decided without git: make sure of it */
	if (ok && attr_doubt(repo, path))
		ok = git_merge_attr_unspecified(repo, path) == 1;
	return ok;
}

int gitmerge_binary(const char *buf, size_t len)
{
	return memchr(buf, '\0', len < 8000 ? len : 8000) != NULL;
}

int gitmerge_renames(struct strlist *old_paths, struct strlist *new_paths, git_repository *repo,
		     const git_oid *old_tree, const git_oid *new_tree)
{
	char *gitdir_opt = xstrfmt("--git-dir=%s", git_repository_path(repo));
	char limit[32], a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	const char *argv[] = { "git", gitdir_opt, "diff-tree", "-r", "-M", limit, "--name-status",
			       "-z", "--no-ext-diff", "--no-textconv", a, b, NULL };
	struct strbuf sb = STRBUF_INIT;
	const char *p, *end;
	struct spawn sp;
	int rc, ret = -1;

	snprintf(limit, sizeof(limit), "-l%d", GITMERGE_RENAME_LIMIT);
	git_oid_tostr(a, sizeof(a), old_tree);
	git_oid_tostr(b, sizeof(b), new_tree);
	if (git_start(&sp, argv, repo, NULL) < 0)
		goto out;
	rc = git_finish(&sp, &sb, argv, NULL);
	if (rc) {
		warning("cannot read git diff-tree's renames (exit %d): libgit2 finds them", rc);
		goto out;
	}
	/* "R<score>\0old\0new\0", any other status "X\0path\0" */
	for (p = sb.buf, end = sb.buf + sb.len; p < end;) {
		const char *status = p, *one, *two;

		p += strlen(p) + 1;
		if (p >= end)
			break;
		one = p;
		p += strlen(p) + 1;
		if (*status != 'R' && *status != 'C')
			continue;
		if (p >= end)
			break;
		two = p;
		p += strlen(p) + 1;
		if (*status == 'R') {
			strlist_push(old_paths, one);
			strlist_push(new_paths, two);
		}
	}
	ret = 0;
out:
	strbuf_release(&sb);
	free(gitdir_opt);
	return ret;
}

int gitmerge_scripts_clash(const struct gitmerge_script *a, const struct gitmerge_script *b)
{
	size_t i, j;

	/*
	 * xdl_merge() (xdiff/xmerge.c, xdl_do_merge) takes a change of one
	 * side alone only when it ends strictly before the other side's
	 * next change begins: at least one unchanged base line between.
	 * Anything else is a conflict region (identical changes included:
	 * git may resolve those, but that is git's to say).
	 */
	for (i = 0; i < a->nr; i++)
		for (j = 0; j < b->nr; j++)
			if (!(a->v[i].i1 + a->v[i].chg1 < b->v[j].i1 ||
			      b->v[j].i1 + b->v[j].chg1 < a->v[i].i1))
				return 1;
	return 0;
}

/* --- does git need asking? ------------------------------------------------ */

/* Did one side add a file below a directory where the other deleted files? */
static int adds_where_deleted(const struct tree_side *adder, const struct tree_side *deleter)
{
	size_t i;

	if (!deleter->deleted_dirs.nr || !adder->added)
		return 0;
	for (i = 0; i < adder->nr; i++) {
		char *dir;
		char *slash;
		int hit = 0;

		if (adder->ch[i].old_mode)
			continue;
		dir = xstrdup(adder->ch[i].path);
		while (!hit && (slash = strrchr(dir, '/'))) {
			*slash = '\0';
			hit = strmap_contains(&deleter->deleted_dirs, dir);
		}
		if (!hit)
			hit = strmap_contains(&deleter->deleted_dirs, "");
		free(dir);
		if (hit)
			return 1;
	}
	return 0;
}

int gitmerge_needed_sides(const struct tree_side *o, const struct tree_side *t)
{
	const struct tree_side *small = o->nr < t->nr ? o : t, *big = small == o ? t : o;
	size_t i;

	for (i = 0; i < small->nr; i++) {
		const struct tree_change *a = &small->ch[i], *b = tree_side_get(big, a->path);

		if (!b)
			continue;
		/* both changed it, and not the same way: a content merge, a driver, a conflict */
		if (!git_oid_equal(&a->new_id, &b->new_id) || a->new_mode != b->new_mode)
			return 1;
		/*
		 * both deleted it, and a side added files: a rename of it on
		 * one side or both (rename/delete, rename/rename) that libgit2
		 * may not see (it finds no inexact rename of a file of fewer than 4
		 * lines: its similarity signature needs 4 line hashes; its
		 * similarity is not git's)
		 */
		if (!a->new_mode && (o->added || t->added))
			return 1;
	}
	/* renames, directory renames */
	return adds_where_deleted(o, t) || adds_where_deleted(t, o);
}

int gitmerge_needed(git_repository *repo, const git_oid *ours, const git_oid *theirs)
{
	git_oidarray bases = { 0 };
	git_commit *bc = NULL, *oc = NULL, *tc = NULL;
	struct tree_side o, t;
	char oh[GIT_OID_HEXSZ + 1], th[GIT_OID_HEXSZ + 1];
	int ret = -1;

	tree_side_init(&o);
	tree_side_init(&t);
	if (git_merge_bases(&bases, repo, ours, theirs) < 0 || bases.count != 1) {
		git_error_clear();
		ret = 1;	/* no base, or several: git's recursive base decides */
		goto out;
	}
	if (git_commit_lookup(&bc, repo, &bases.ids[0]) < 0 ||
	    git_commit_lookup(&oc, repo, ours) < 0 || git_commit_lookup(&tc, repo, theirs) < 0 ||
	    tree_side_diff(&o, repo, git_commit_tree_id(bc), git_commit_tree_id(oc)) < 0 ||
	    tree_side_diff(&t, repo, git_commit_tree_id(bc), git_commit_tree_id(tc)) < 0) {
		/* not git_oid_tostr_s() twice: both would share one buffer */
		error("cannot compare '%s' and '%s' with their merge base: %s",
		      git_oid_tostr(oh, sizeof(oh), ours), git_oid_tostr(th, sizeof(th), theirs),
		      gp_git_error());
		goto out;
	}
	ret = gitmerge_needed_sides(&o, &t);
out:
	git_commit_free(tc);
	git_commit_free(oc);
	git_commit_free(bc);
	git_oidarray_dispose(&bases);
	tree_side_release(&o);
	tree_side_release(&t);
	return ret;
}
