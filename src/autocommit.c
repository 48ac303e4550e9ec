/*
 * commit = auto with the git CLI (see include/gp/autocommit.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "gp/autocommit.h"
#include "gp/spawn.h"

#define FALLBACK_NAME "git-parallel"
#define FALLBACK_EMAIL "git-parallel@localhost"

/*
 * Run git argv in cwd (the task's worktree, found from there: spawn.h's
 * environment policy), stdin /dev/null, stdout and stderr to log_fd,
 * extra added to its environment, the signals a run blocks or ignores at
 * their defaults, within parallel.git-timeout (a hook or a filter driver
 * that never ends: stopped, spawn_stop(), the processes below git first).
 * Its exit status, SPAWN_TIMED_OUT (why says so), or -1.
 */
static int run_git(const char *const *argv, const char *cwd, int log_fd, const char *const *extra,
		   struct strbuf *why)
{
	struct spawn sp = SPAWN_INIT;
	int rc;

	sp.argv = argv;
	sp.dir = cwd;
	sp.env = extra;
	sp.out = log_fd;
	sp.err = log_fd;
	sp.flags = SPAWN_DEFAULT_SIGNALS | SPAWN_FORK_FALLBACK;
	rc = spawn_run(&sp, NULL, gp_git_deadline());
	if (rc == SPAWN_TIMED_OUT) {
		char *limit = gp_git_timeout_text();

		strbuf_addf(why, "'git %s' did not finish %s: stopped it", argv[1], limit);
		free(limit);
	}
	return rc;
}

/* The last line git wrote to the log since offset, to name the cause in why. */
static void add_last_line(struct strbuf *why, const char *log, off_t offset)
{
	struct strbuf sb = STRBUF_INIT;
	char *end, *start;

	if (strbuf_read_file(&sb, log) < 0 || (size_t)offset >= sb.len)
		goto out;
	end = sb.buf + sb.len;
	while (end > sb.buf + offset && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	*end = '\0';
	start = strrchr(sb.buf + offset, '\n');
	start = start ? start + 1 : sb.buf + offset;
	if (*start)
		strbuf_addf(why, ": %s", start);
out:
	strbuf_release(&sb);
}

/*
 * A full disk (or quota, or file size limit) named in what git wrote to
 * the log since offset: its strerror() text, or NULL.  Then a failed commit
 * is no refusal by a hook or a signer, and the reason must say so.
 */
static const char *disk_error(const char *log, off_t offset)
{
	static const int errs[] = { ENOSPC, EDQUOT, EFBIG };
	struct strbuf sb = STRBUF_INIT;
	const char *found = NULL;
	size_t i;

	if (strbuf_read_file(&sb, log) < 0 || (size_t)offset >= sb.len)
		goto out;
	for (i = 0; i < ARRAY_SIZE(errs) && !found; i++)
		if (strstr(sb.buf + offset, strerror(errs[i])))
			found = strerror(errs[i]);
out:
	strbuf_release(&sb);
	return found;
}

/*
 * When git would not know who commits (no user.name/user.email, no
 * GIT_AUTHOR_* variables), the identity git-parallel always fell back to.
 */
static void fallback_identity(const char *worktree, struct strlist *env)
{
	git_repository *repo = NULL;
	git_signature *sig = NULL;

	if (git_repository_open_ext(&repo, worktree, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return;
	if (git_signature_default(&sig, repo) < 0) {
		if (!getenv("GIT_AUTHOR_NAME"))
			strlist_push(env, "GIT_AUTHOR_NAME=" FALLBACK_NAME);
		if (!getenv("GIT_AUTHOR_EMAIL"))
			strlist_push(env, "GIT_AUTHOR_EMAIL=" FALLBACK_EMAIL);
		if (!getenv("GIT_COMMITTER_NAME"))
			strlist_push(env, "GIT_COMMITTER_NAME=" FALLBACK_NAME);
		if (!getenv("GIT_COMMITTER_EMAIL"))
			strlist_push(env, "GIT_COMMITTER_EMAIL=" FALLBACK_EMAIL);
	}
	git_signature_free(sig);
	git_repository_free(repo);
}

int autocommit_run(const struct autocommit *ac, int *committed, struct strbuf *why)
{
	const char *add[] = { "git", "add", "-A", NULL };
	const char *staged[] = { "git", "diff", "--cached", "--quiet", NULL };
	const char *commit[] = { "git", "commit", "-q", "-F", ac->msg_file, NULL };
	struct strlist env = STRLIST_INIT;
	const char **extra = NULL, *full;
	int log_fd, rc, ret = -1;
	off_t offset;
	size_t i;

	*committed = 0;
	log_fd = open(ac->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (log_fd < 0) {
		strbuf_addf(why, "cannot open its log '%s': %s", ac->log, strerror(errno));
		return -1;
	}
	fallback_identity(ac->worktree, &env);
	extra = xcalloc(env.nr + 1, sizeof(*extra));
	for (i = 0; i < env.nr; i++)
		extra[i] = env.v[i];

	offset = lseek(log_fd, 0, SEEK_END);
	rc = run_git(add, ac->worktree, log_fd, extra, why);
	if (rc == SPAWN_TIMED_OUT) {
		strbuf_addstr(why, "; the work is kept in the worktree");
		goto out;
	}
	if (rc) {
		strbuf_addf(why, "'git add -A' failed (exit %d)", rc);
		add_last_line(why, ac->log, offset);
		goto out;
	}
	rc = run_git(staged, ac->worktree, log_fd, extra, why);
	if (!rc) {
		ret = 0;	/* nothing to commit */
		goto out;
	}
	if (rc == SPAWN_TIMED_OUT) {
		strbuf_addstr(why, "; the work is kept, staged, in the worktree");
		goto out;
	}
	if (rc != 1) {
		strbuf_addf(why, "'git diff --cached' failed (exit %d; see the log)", rc);
		goto out;
	}
	if (write_file_atomic(ac->msg_file, ac->message, strlen(ac->message), 0600) < 0) {
		strbuf_addf(why, "cannot write the commit message to '%s'", ac->msg_file);
		goto out;
	}
	offset = lseek(log_fd, 0, SEEK_END);
	rc = run_git(commit, ac->worktree, log_fd, extra, why);
	unlink(ac->msg_file);
	if (rc == SPAWN_TIMED_OUT) {
		strbuf_addstr(why, "; the work is kept, staged, in the worktree");
		ret = 1;
		goto out;
	}
	if (rc < 0 || rc == 126 || rc == 127) {
		strbuf_addstr(why, "cannot run 'git commit'");
		goto out;
	}
	if (rc && (full = disk_error(ac->log, offset))) {
		strbuf_addf(why, "git commit failed: %s (exit %d; see the log; the work is kept, staged, "
			    "in the worktree: free space and run again)", full, rc);
		add_last_line(why, ac->log, offset);
		ret = 1;
		goto out;
	}
	if (rc) {
		strbuf_addf(why, "git commit refused (exit %d: a hook or signing failed; see the log; "
			    "the work is kept, staged, in the worktree)", rc);
		add_last_line(why, ac->log, offset);
		ret = 1;
		goto out;
	}
	*committed = 1;
	ret = 0;
out:
	free(extra);
	strlist_clear(&env);
	close(log_fd);
	return ret;
}
