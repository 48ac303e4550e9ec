/*
 * commit = auto with the git CLI (see include/gp/autocommit.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

#include "gp/autocommit.h"

extern char **environ;

#define FALLBACK_NAME "git-parallel"
#define FALLBACK_EMAIL "git-parallel@localhost"

/*
 * The environment of git: ours without the variables that would point it
 * at another repository (the task's worktree is found from its cwd), plus
 * extra.  The pointers are borrowed; free the array only.
 */
static char **git_env(const char *const *extra)
{
	static const char *const drop[] = {
		"GIT_DIR=", "GIT_WORK_TREE=", "GIT_INDEX_FILE=", "GIT_COMMON_DIR=",
		"GIT_PREFIX=", "GIT_OBJECT_DIRECTORY=",
	};
	size_t n = 0, i, k;
	char **env;

	for (i = 0; environ[i]; i++)
		n++;
	for (i = 0; extra && extra[i]; i++)
		n++;
	env = xcalloc(n + 1, sizeof(*env));
	n = 0;
	for (i = 0; environ[i]; i++) {
		for (k = 0; k < ARRAY_SIZE(drop); k++)
			if (!strncmp(environ[i], drop[k], strlen(drop[k])))
				break;
		if (k == ARRAY_SIZE(drop))
			env[n++] = environ[i];
	}
	for (i = 0; extra && extra[i]; i++)
		env[n++] = (char *)extra[i];
	return env;
}

/* Run git argv in cwd, stdin /dev/null, stdout and stderr to log_fd.  Its exit status, or -1. */
static int run_git(const char *const *argv, const char *cwd, int log_fd, const char *const *extra)
{
	char **env = git_env(extra);
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0) {
		free(env);
		return -1;
	}
	if (!pid) {
		int fd = open("/dev/null", O_RDONLY);
		sigset_t set;

		/* the run blocks or catches these; git gets the defaults */
		sigemptyset(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		if (fd < 0 || dup2(fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
			_exit(126);
		if (chdir(cwd) < 0)
			_exit(126);
		environ = env;
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	free(env);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
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
	rc = run_git(add, ac->worktree, log_fd, extra);
	if (rc) {
		strbuf_addf(why, "'git add -A' failed (exit %d)", rc);
		add_last_line(why, ac->log, offset);
		goto out;
	}
	rc = run_git(staged, ac->worktree, log_fd, extra);
	if (!rc) {
		ret = 0;	/* nothing to commit */
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
	rc = run_git(commit, ac->worktree, log_fd, extra);
	unlink(ac->msg_file);
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
