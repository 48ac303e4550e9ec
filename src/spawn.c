/*
 * Child processes: argv, cwd, stdio, one environment policy (see spawn.h).
 */
#define _GNU_SOURCE	/* posix_spawn_file_actions_addchdir_np(): glibc 2.29, musl, macOS; pipe2() */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gp/spawn.h"

extern char **environ;

/* git's local_repo_env, and two of ours (see spawn.h) */
static const char *const repo_env[] = {
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_OBJECT_DIRECTORY", "GIT_DIR",
	"GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE", "GIT_INDEX_FILE",
	"GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX", "GIT_SHALLOW_FILE",
	"GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_DIFF_OPTS",
};

void spawn_init(struct spawn *sp)
{
	struct spawn blank = SPAWN_INIT;

	*sp = blank;
}

double spawn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Is the entry "NAME=value" (or a bare "NAME") about the variable name (len bytes)? */
static int names(const char *entry, const char *name, size_t len)
{
	return !strncmp(entry, name, len) && (entry[len] == '=' || !entry[len]);
}

/* Drop the entries of env[0 .. *n) that name what entry names. */
static void env_drop(char **env, size_t *n, const char *entry)
{
	size_t len = strcspn(entry, "="), i, k;

	for (i = k = 0; i < *n; i++)
		if (!names(env[i], entry, len))
			env[k++] = env[i];
	*n = k;
}

/*
 * The child's environment (see spawn.h): the array and the strings it
 * made (*owned, NULL-terminated) are the caller's to free; the other
 * strings are environ's or sp's.
 */
static char **child_environ(const struct spawn *sp, char ***owned)
{
	size_t n = 0, extra = 0, i, k;
	char **env;

	for (i = 0; environ[i]; i++)
		n++;
	for (i = 0; sp->env && sp->env[i]; i++)
		extra++;
	env = xcalloc(n + extra + 3, sizeof(*env));
	*owned = xcalloc(3, sizeof(**owned));
	for (i = n = 0; environ[i]; i++) {
		for (k = 0; k < ARRAY_SIZE(repo_env); k++)
			if (names(environ[i], repo_env[k], strlen(repo_env[k])))
				break;
		if (k == ARRAY_SIZE(repo_env))
			env[n++] = environ[i];
	}
	k = 0;
	if (sp->git_dir)
		env[n++] = (*owned)[k++] = xstrfmt("GIT_DIR=%s", sp->git_dir);
	if (sp->work_tree)
		env[n++] = (*owned)[k++] = xstrfmt("GIT_WORK_TREE=%s", sp->work_tree);
	for (i = 0; sp->env && sp->env[i]; i++) {
		env_drop(env, &n, sp->env[i]);
		if (strchr(sp->env[i], '='))
			env[n++] = (char *)sp->env[i];
	}
	env[n] = NULL;
	return env;
}

static void free_owned(char **env, char **owned)
{
	size_t i;

	for (i = 0; owned[i]; i++)
		free(owned[i]);
	free(owned);
	free(env);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The child's end for stdio slot target (0, 1, 2), from how (SPAWN_* or a descriptor). */
struct slot {
	int target;
	int how;
	int fd;		/* the descriptor to dup2() onto target, or -1: /dev/null or ours */
	int ours;	/* our end of a pipe, or -1 */
};

/* Make the pipes; 0, or -1 (errno set). */
static int slots_open(struct slot *s, const struct spawn *sp)
{
	int i;

	s[0].how = sp->input ? SPAWN_PIPE : sp->in;
	s[1].how = sp->out;
	s[2].how = sp->err;
	for (i = 0; i < 3; i++) {
		int p[2];

		s[i].target = i;
		s[i].fd = s[i].how >= 0 ? s[i].how : -1;
		s[i].ours = -1;
		if (s[i].how != SPAWN_PIPE)
			continue;
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		s[i].fd = i ? p[1] : p[0];
		s[i].ours = i ? p[0] : p[1];
	}
	if (sp->input) {
		if (sp->input->len > SPAWN_INPUT_MAX) {
			errno = E2BIG;
			return -1;
		}
		if (write(s[0].ours, sp->input->buf, sp->input->len) != (ssize_t)sp->input->len)
			return -1;
		close_fd(&s[0].ours);
	}
	return 0;
}

/* Close the child's ends we made, and on failure ours too. */
static void slots_close(struct slot *s, int failed)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (s[i].how == SPAWN_PIPE)
			close_fd(&s[i].fd);
		if (failed)
			close_fd(&s[i].ours);
	}
}

/* The signals a merge defers, unblocked in set. */
static void unblock(sigset_t *set)
{
	sigdelset(set, SIGINT);
	sigdelset(set, SIGTERM);
	sigdelset(set, SIGHUP);
	sigdelset(set, SIGQUIT);
}

/* The signals SPAWN_DEFAULT_SIGNALS sets to their defaults, in set. */
static void default_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGPIPE);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGCHLD);
}

/*
 * posix_spawnp(), which does not copy our address space as fork() does
 * (libgit2's caches make that copy cost milliseconds per process).
 * 0, or an errno.
 */
static int start_posix(struct spawn *sp, struct slot *s, char **env)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	short attr_flags = 0;
	int i, k, rc;

	if ((rc = posix_spawn_file_actions_init(&fa)))
		return rc;
	if ((rc = posix_spawnattr_init(&attr))) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	for (i = 0; !rc && i < 3; i++) {
		if (s[i].how == SPAWN_NULL)
			rc = posix_spawn_file_actions_addopen(&fa, i, "/dev/null",
							      i ? O_WRONLY : O_RDONLY, 0);
		else if (s[i].how == SPAWN_TO_OUT && i == 2)
			rc = posix_spawn_file_actions_adddup2(&fa, 1, 2);
		else if (s[i].fd >= 0)
			rc = posix_spawn_file_actions_adddup2(&fa, s[i].fd, i);
	}
	/* a descriptor of the caller's: not left open in the child besides its slot */
	for (i = 0; !rc && i < 3; i++) {
		if (s[i].how < 0 || s[i].fd <= 2)
			continue;
		for (k = 0; k < i; k++)
			if (s[k].how >= 0 && s[k].fd == s[i].fd)
				break;
		if (k == i)
			rc = posix_spawn_file_actions_addclose(&fa, s[i].fd);
	}
	if (!rc && sp->dir)
		rc = posix_spawn_file_actions_addchdir_np(&fa, sp->dir);
	if (!rc && (sp->flags & SPAWN_UNBLOCK)) {
		sigset_t set;

		sigprocmask(SIG_SETMASK, NULL, &set);
		unblock(&set);
		rc = posix_spawnattr_setsigmask(&attr, &set);
		attr_flags |= POSIX_SPAWN_SETSIGMASK;
	}
	if (!rc && (sp->flags & SPAWN_DEFAULT_SIGNALS)) {
		sigset_t set;

		sigemptyset(&set);
		rc = posix_spawnattr_setsigmask(&attr, &set);
		default_signals(&set);
		if (!rc)
			rc = posix_spawnattr_setsigdefault(&attr, &set);
		attr_flags |= POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	}
	if (!rc && (sp->flags & SPAWN_NEW_GROUP)) {
		rc = posix_spawnattr_setpgroup(&attr, 0);
		attr_flags |= POSIX_SPAWN_SETPGROUP;
	}
	if (!rc && attr_flags)
		rc = posix_spawnattr_setflags(&attr, attr_flags);
	if (!rc)
		rc = posix_spawnp(&sp->pid, sp->argv[0], &fa, &attr, (char *const *)sp->argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* In the child, between fork() and exec: async-signal-safe calls only. */
static void start_forked(struct spawn *sp, struct slot *s, char **env)
{
	int i;

	if (sp->flags & SPAWN_NEW_GROUP)
		setpgid(0, 0);
	if (sp->flags & SPAWN_UNBLOCK) {
		sigset_t set;

		sigprocmask(SIG_SETMASK, NULL, &set);
		unblock(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
	}
	if (sp->flags & SPAWN_DEFAULT_SIGNALS) {
		sigset_t set;
		int sig;

		default_signals(&set);
		for (sig = 1; sig < NSIG; sig++)
			if (sigismember(&set, sig) == 1)
				signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
	}
	for (i = 0; i < 3; i++) {
		int fd = s[i].fd;

		if (s[i].how == SPAWN_NULL)
			fd = open("/dev/null", i ? O_WRONLY : O_RDONLY);
		else if (s[i].how == SPAWN_TO_OUT && i == 2)
			fd = 1;
		if (fd < 0)
			continue;
		if (fd != i) {
			dup2(fd, i);
			if (s[i].how == SPAWN_NULL)
				close(fd);
		} else {
			fcntl(fd, F_SETFD, 0);
		}
	}
	for (i = 0; i < 3; i++)
		if (s[i].how >= 0 && s[i].fd > 2)
			close(s[i].fd);
	if (sp->dir && chdir(sp->dir) < 0)
		_exit(126);
	environ = env;
	execvp(sp->argv[0], (char *const *)sp->argv);
	_exit(127);
}

int spawn_start(struct spawn *sp)
{
	struct slot s[3];
	char **env, **owned;
	int rc, i;

	sp->pid = 0;
	sp->signal = 0;
	sp->in_fd = sp->out_fd = sp->err_fd = -1;
	if (!sp->argv || !sp->argv[0]) {
		errno = EINVAL;
		return -1;
	}
	memset(s, 0, sizeof(s));
	for (i = 0; i < 3; i++)
		s[i].fd = s[i].ours = -1;
	if (slots_open(s, sp) < 0) {
		int e = errno;

		slots_close(s, 1);
		errno = e;
		return -1;
	}
	env = child_environ(sp, &owned);
	fflush(stdout);
	fflush(stderr);
	rc = start_posix(sp, s, env);
	if (rc && (sp->flags & SPAWN_FORK_FALLBACK)) {
		sp->pid = fork();
		if (!sp->pid)
			start_forked(sp, s, env);
		rc = sp->pid < 0 ? errno : 0;
	}
	free_owned(env, owned);
	if (rc) {
		sp->pid = 0;
		slots_close(s, 1);
		errno = rc;
		return -1;
	}
	slots_close(s, 0);
	sp->in_fd = s[0].ours;
	sp->out_fd = s[1].ours;
	sp->err_fd = s[2].ours;
	return 0;
}

/* Milliseconds to deadline for poll(): -1 without one, 0 once passed. */
static int ms_left(double deadline)
{
	double left;

	if (deadline <= 0)
		return -1;
	left = deadline - spawn_now();
	if (left <= 0)
		return 0;
	return left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
}

void spawn_stop(struct spawn *sp)
{
	int status;

	if (sp->pid <= 0)
		return;
	gp_child_stop(sp->pid, &status);
	sp->pid = 0;
	sp->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

int spawn_wait(struct spawn *sp, double deadline)
{
	long tick_ns = 100 * 1000;
	int status;
	pid_t got;

	if (sp->pid <= 0) {
		errno = ECHILD;
		return -1;
	}
	for (;;) {
		got = waitpid(sp->pid, &status, deadline > 0 ? WNOHANG : 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			sp->pid = 0;	/* not ours to wait for (ECHILD) */
			return -1;
		}
		if (got > 0)
			break;
		if (!ms_left(deadline)) {
			spawn_stop(sp);
			return SPAWN_TIMED_OUT;
		}
		{
			/* no SIGCHLD to wait on here (its handler is not ours): 0.1 ms, doubling to 10 ms */
			struct timespec tick = { 0, tick_ns };

			nanosleep(&tick, NULL);
			if (tick_ns < 10 * 1000 * 1000)
				tick_ns *= 2;
		}
	}
	sp->pid = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	sp->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return 128 + sp->signal;
}

int spawn_finish(struct spawn *sp, struct strbuf *out, double deadline)
{
	char buf[8192];
	ssize_t got;

	while (sp->out_fd >= 0) {
		struct pollfd pf = { .fd = sp->out_fd, .events = POLLIN };
		int rc = deadline > 0 ? poll(&pf, 1, ms_left(deadline)) : 1;

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0) {
			close_fd(&sp->out_fd);
			spawn_stop(sp);
			return SPAWN_TIMED_OUT;
		}
		got = read(sp->out_fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (out)
			strbuf_add(out, buf, (size_t)got);
	}
	close_fd(&sp->out_fd);
	return spawn_wait(sp, deadline);
}

/* Did the write that failed with EPIPE raise a SIGPIPE we blocked?  Take it. */
static void drop_sigpipe(int was_pending)
{
	static const struct timespec zero = { 0, 0 };
	sigset_t pipe_set, pending;

	if (was_pending)
		return;
	sigpending(&pending);
	if (!sigismember(&pending, SIGPIPE))
		return;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
		;
}

int spawn_exchange(struct spawn *sp, const struct strbuf *in, struct strbuf *out,
		   double deadline)
{
	sigset_t pipe_set, old, pending;
	size_t done = 0;
	char buf[8192];
	int was_pending, flags;

	if (!in || sp->in_fd < 0) {
		close_fd(&sp->in_fd);
		return spawn_finish(sp, out, deadline);
	}
	/* a child that stops reading early: EPIPE here, and no SIGPIPE kills us */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	flags = fcntl(sp->in_fd, F_GETFL);
	if (flags >= 0)
		fcntl(sp->in_fd, F_SETFL, flags | O_NONBLOCK);
	if (!in->len)
		close_fd(&sp->in_fd);
	while (sp->out_fd >= 0 || sp->in_fd >= 0) {
		struct pollfd p[2];
		nfds_t n = 0;
		int rc, ms = ms_left(deadline);

		if (!ms)
			goto timed_out;
		if (sp->out_fd >= 0) {
			p[n].fd = sp->out_fd;
			p[n++].events = POLLIN;
		}
		if (sp->in_fd >= 0) {
			p[n].fd = sp->in_fd;
			p[n++].events = POLLOUT;
		}
		rc = poll(p, n, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			break;
		if (!rc)
			continue;	/* the deadline: above */
		if (sp->in_fd >= 0 && p[n - 1].revents) {
			ssize_t w = write(sp->in_fd, in->buf + done, in->len - done);

			if (w > 0)
				done += (size_t)w;
			if (w < 0 && errno == EPIPE)
				drop_sigpipe(was_pending);
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || done == in->len)
				close_fd(&sp->in_fd);	/* all written, or the child stopped reading */
		}
		if (sp->out_fd >= 0 && p[0].revents) {
			ssize_t got = read(sp->out_fd, buf, sizeof(buf));

			if (got > 0) {
				if (out)
					strbuf_add(out, buf, (size_t)got);
			} else if (!got || (errno != EINTR && errno != EAGAIN)) {
				close_fd(&sp->out_fd);
			}
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close_fd(&sp->in_fd);
	close_fd(&sp->out_fd);
	return spawn_wait(sp, deadline);
timed_out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close_fd(&sp->in_fd);
	close_fd(&sp->out_fd);
	spawn_stop(sp);
	return SPAWN_TIMED_OUT;
}

int spawn_run(struct spawn *sp, struct strbuf *out, double deadline)
{
	if (spawn_start(sp) < 0)
		return -1;
	return spawn_finish(sp, out, deadline);
}

void spawn_abort(struct spawn *sp)
{
	/* its input ends; its output stays open until it is stopped (no SIGPIPE orphans its driver) */
	close_fd(&sp->in_fd);
	spawn_stop(sp);
	close_fd(&sp->out_fd);
	close_fd(&sp->err_fd);
}
