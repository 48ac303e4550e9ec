#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gp/runner.h"

extern char **environ;

#ifndef NSIG
#define NSIG 65
#endif

/*
 * git's local_repo_env (environment.c): the variables that tie a process
 * to one repository.  A task must find its own worktree, not ours.  The
 * configuration given with git -c (GIT_CONFIG_PARAMETERS, GIT_CONFIG_COUNT)
 * is kept, as git's prepare_other_repo_env() keeps it for a repository it
 * names and as git keeps it for its hooks and aliases.
 */
static const char *const local_repo_env[] = {
	"GIT_ALTERNATE_OBJECT_DIRECTORIES",
	"GIT_CONFIG",
	"GIT_OBJECT_DIRECTORY",
	"GIT_DIR",
	"GIT_WORK_TREE",
	"GIT_IMPLICIT_WORK_TREE",
	"GIT_GRAFT_FILE",
	"GIT_INDEX_FILE",
	"GIT_NO_REPLACE_OBJECTS",
	"GIT_REPLACE_REF_BASE",
	"GIT_PREFIX",
	"GIT_SHALLOW_FILE",
	"GIT_COMMON_DIR",
};

/*
 * How often to look at a group whose leader has exited, for what is left
 * of it (its other members are not our children: no SIGCHLD tells us).
 */
#define GROUP_POLL 0.02
/* After SIGKILL, how long to wait for the group to vanish before reporting anyway. */
#define KILL_WAIT 2.0

/*
 * A task's life: its leader runs; then (timeout, terminate_all, or the
 * leader's own exit with processes left in its group) SIGTERM to the group
 * starts the grace period; when no live process is left in the group, or
 * SIGKILL at the end of the grace period has done its work, the leader --
 * kept unreaped until then, so that its pid, the group ID, cannot be
 * reused while we still signal the group -- is reaped and reported.
 */
struct runner_proc {
	char *id;
	void *data;
	pid_t pid;		/* also the process group */
	double start;		/* CLOCK_MONOTONIC seconds */
	double deadline;	/* 0: none */
	double kill_at;		/* SIGKILL due; 0: not yet */
	int timed_out;
	int term_sent;		/* SIGTERM sent to the group: grace period running */
	int kill_sent;		/* SIGKILL sent to the group */
	int leader_exited;	/* the leader is a zombie (or lost) */
	int lost;		/* reaped by someone else: its pid may be reused */
	int leftover;		/* see struct runner_event */
	int spawn_failed;
	int reaped;		/* done; freed at the next runner_wait() */
	/* held (spec->hold) until runner_go(): */
	int held;
	int go_fd;		/* write end of the go pipe, or -1 */
	int err_fd;		/* read end of the exec pipe, or -1 */
	int log_fd;		/* for a spawn failure, or -1 */
	char *cwd;		/* for a spawn failure's message */
	double timeout;
};

/* What a child tells its parent through the exec pipe when it fails. */
enum child_stage { CHILD_DEVNULL = 1, CHILD_CHDIR, CHILD_EXEC, CHILD_HELD };
struct child_err {
	int stage;
	int err;
};

/* Signal handlers are process-wide: so is their state. */
static volatile sig_atomic_t sig_fd = -1;
static int runner_active;
static int subreaper;		/* we are the child subreaper (Linux) */
static const int caught_signals[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP };
static struct sigaction old_actions[ARRAY_SIZE(caught_signals)];
static struct sigaction old_sigpipe;

/* The signals reported as RUNNER_INTERRUPTED (SIGPIPE only from runner_interrupt()). */
static int is_interrupt(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGPIPE;
}

const char *runner_signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	case SIGKILL:
		return "SIGKILL";
	case SIGPIPE:
		return "SIGPIPE";
	case SIGQUIT:
		return "SIGQUIT";
	case SIGABRT:
		return "SIGABRT";
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGXFSZ:
		return "SIGXFSZ (file size limit)";
	case SIGXCPU:
		return "SIGXCPU (CPU time limit)";
	case SIGALRM:
		return "SIGALRM";
	default:
		return "a signal";
	}
}

/* Interrupting signals received so far (runner_capture() watches it). */
static volatile sig_atomic_t interrupts_seen, last_interrupt;

static void on_signal(int sig)
{
	int saved_errno = errno;
	unsigned char c = (unsigned char)sig;

	if (is_interrupt(sig)) {
		interrupts_seen++;
		last_interrupt = sig;
	}

	if (sig_fd >= 0 && write(sig_fd, &c, 1) < 0) {
		; /* full pipe: a wakeup is pending already */
	}
	errno = saved_errno;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

static int set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int runner_init(struct runner *r, double grace)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->grace = grace < 0 ? 0 : grace;
	r->sigpipe[0] = r->sigpipe[1] = -1;

	if (runner_active)
		return error("a runner is already active in this process");
	if (pipe(r->sigpipe) < 0)
		return error_errno("cannot create a pipe");
	for (i = 0; i < 2; i++) {
		if (set_cloexec(r->sigpipe[i]) < 0 || set_nonblock(r->sigpipe[i]) < 0) {
			error_errno("cannot set up the signal pipe");
			close_fd(&r->sigpipe[0]);
			close_fd(&r->sigpipe[1]);
			return -1;
		}
	}

	sig_fd = r->sigpipe[1];
	for (i = 0; i < ARRAY_SIZE(caught_signals); i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		/*
		 * SA_RESTART spares other code (libgit2's threads, stdio)
		 * EINTR; poll() is interrupted regardless, and the pipe
		 * wakes it anyway.
		 */
		sa.sa_flags = SA_RESTART;
		if (caught_signals[i] == SIGCHLD)
			sa.sa_flags |= SA_NOCLDSTOP;
		if (sigaction(caught_signals[i], &sa, &old_actions[i]) < 0) {
			error_errno("cannot install a signal handler");
			while (i-- > 0)
				sigaction(caught_signals[i], &old_actions[i], NULL);
			sig_fd = -1;
			close_fd(&r->sigpipe[0]);
			close_fd(&r->sigpipe[1]);
			return -1;
		}
	}
	/*
	 * A closed stdout or stderr (run | head, a terminal gone) must give
	 * us EPIPE to act on, not kill us with the tasks left running.
	 * child_run() restores the default before exec.
	 */
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGPIPE, &sa, &old_sigpipe) < 0) {
			error_errno("cannot ignore SIGPIPE");
			for (i = ARRAY_SIZE(caught_signals); i-- > 0;)
				sigaction(caught_signals[i], &old_actions[i], NULL);
			sig_fd = -1;
			close_fd(&r->sigpipe[0]);
			close_fd(&r->sigpipe[1]);
			return -1;
		}
	}
	runner_active = 1;
#ifdef PR_SET_CHILD_SUBREAPER
	/* orphans of the tasks' commands become ours, not init's: see stop_escaped() */
	subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
#endif
	return 0;
}

/* Close what a held proc keeps for runner_go(); its child, if waiting, exits. */
static void drop_hold(struct runner_proc *p)
{
	close_fd(&p->go_fd);
	close_fd(&p->err_fd);
	close_fd(&p->log_fd);
	free(p->cwd);
	p->cwd = NULL;
	p->held = 0;
}

/* Drop the procs reported last time. */
static void compact(struct runner *r)
{
	size_t i, j;

	for (i = j = 0; i < r->nr; i++) {
		if (r->procs[i].reaped) {
			drop_hold(&r->procs[i]);
			free(r->procs[i].id);
			continue;
		}
		if (i != j)
			r->procs[j] = r->procs[i];
		j++;
	}
	r->nr = j;
}

/* A wait status no real process has: we never saw it exit. */
#define STATUS_LOST (-1)

static void fill_exit_event(struct runner_event *ev, const struct runner_proc *p,
			    int status, double now)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = RUNNER_EXITED;
	ev->id = p->id;
	ev->data = p->data;
	if (status == STATUS_LOST) {
		ev->exit_code = -1;
	} else if (WIFEXITED(status)) {
		ev->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		ev->exit_code = -1;
		ev->signal = WTERMSIG(status);
	} else {
		ev->exit_code = -1;
	}
	ev->timed_out = p->timed_out;
	ev->leftover = p->leftover;
	ev->spawn_failed = p->spawn_failed;
	ev->duration = now - p->start;
}

static void signal_group(struct runner_proc *p, int sig)
{
	if (p->lost)
		return;	/* its pid may belong to someone else by now */
	if (kill(-p->pid, sig) < 0 && errno != ESRCH)
		warning("cannot send signal %d to task '%s' (group %ld): %s",
			sig, p->id, (long)p->pid, strerror(errno));
}

/*
 * Has p's leader exited?  Looks without reaping it: the zombie keeps its
 * pid, the group ID, from reuse.  block: wait for it.  Returns 1 when it
 * has (or was reaped by someone else: p->lost), 0 when it still runs, -1
 * on error (reported).
 */
static int leader_done(struct runner_proc *p, int block)
{
	siginfo_t si;

	if (p->leader_exited)
		return 1;
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, p->pid, &si,
			   WEXITED | WNOWAIT | (block ? 0 : WNOHANG)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD) {
				/* someone else reaped it: report it as lost */
				error("task '%s' (pid %ld) was reaped by someone else",
				      p->id, (long)p->pid);
				p->lost = 1;
				p->leader_exited = 1;
				return 1;
			}
			return error_errno("waitid for task '%s' (pid %ld) failed",
					   p->id, (long)p->pid);
		}
		break;
	}
	if (si.si_pid != p->pid)
		return 0;
	p->leader_exited = 1;
	return 1;
}

static void reap_escaped_zombies(const struct runner *r, long pgrp);

/* Reap p's exited leader into *status; p is done. */
static void collect(struct runner_proc *p, int *status)
{
	pid_t got = 0;

	*status = STATUS_LOST;
	if (!p->lost) {
		while ((got = waitpid(p->pid, status, 0)) < 0 && errno == EINTR)
			;
		if (got < 0) {
			error_errno("waitpid for task '%s' (pid %ld) failed",
				    p->id, (long)p->pid);
			*status = STATUS_LOST;
		}
		/* the members of its group that died orphaned died as our children */
		reap_escaped_zombies(NULL, (long)p->pid);
	}
	p->reaped = 1;
}

/*
 * Read "pid (comm) state ppid pgrp ..." of the /proc entry name (a
 * directory of /proc): 0 with the three fields, -1 when it is no process
 * or is gone.  comm may hold ')' and spaces: the last ')' ends it.
 */
static int proc_stat(const char *name, char *state, long *ppid, long *pgrp)
{
	char path[300], buf[256];
	const char *p;
	ssize_t n;
	int fd;

	if (name[0] < '1' || name[0] > '9')
		return -1;
	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %ld %ld", state, ppid, pgrp) != 3)
		return -1;
	return 0;
}

/*
 * Is a process of group pgid still alive?  Zombies do not count: they
 * run nothing and hold no file (the leader stays one until we reap it;
 * orphans are one until init reaps them, which can take seconds).
 * Returns 1 or 0, or -1 when it cannot tell (no /proc).
 */
static int group_alive(pid_t pgid)
{
	struct dirent *de;
	DIR *dir;
	int alive = 0;

	if (kill(-pgid, 0) < 0 && errno == ESRCH)
		return 0;
	dir = opendir("/proc");
	if (!dir)
		return -1;
	while (!alive && (de = readdir(dir))) {
		char state;
		long ppid, pgrp;

		if (proc_stat(de->d_name, &state, &ppid, &pgrp) < 0)
			continue;
		if (pgrp == (long)pgid && state != 'Z' && state != 'X')
			alive = 1;
	}
	closedir(dir);
	return alive;
}

/*
 * Was the /proc entry name started with a task's environment (it holds
 * GIT_PARALLEL_TASK_ID)?  What the program's own git children detach
 * (git commit's gc --auto or maintenance, an fsmonitor daemon) is also
 * reparented to us, and is not a task's to stop.
 */
static int has_task_env(const char *name)
{
	static const char key[] = "GIT_PARALLEL_TASK_ID=";
	char path[300], buf[8192];
	size_t have = 0, keep = sizeof(key) - 1;
	int fd, at_start = 1, found = 0;

	snprintf(path, sizeof(path), "/proc/%s/environ", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		size_t len, i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len = have + (size_t)n;
		for (i = 0; i + keep <= len && !found; i++)
			if ((i ? !buf[i - 1] : at_start) && !memcmp(buf + i, key, keep))
				found = 1;
		if (found)
			break;
		/* keep the tail that may start the key, with the byte before it */
		if (len > keep) {
			memmove(buf, buf + len - keep, keep);
			at_start = 0;
			have = keep;
		} else {
			have = len;
		}
	}
	close(fd);
	return found;
}

/*
 * Escaped processes: a task command's descendant that left the task's
 * process group (setsid, setpgid) and whose parent exited.  As the child
 * subreaper (runner_init()), we are its parent now.  Lists into v (at
 * most max) our children outside our own process group (only in group
 * only_pgrp, unless 0), live ones started with a task's environment
 * (has_task_env()) only, or only zombies: task leaders too, which the
 * caller must leave alone until collect().  Returns the count.
 */
static size_t escaped(pid_t *v, size_t max, int zombies, long only_pgrp)
{
	struct dirent *de;
	DIR *dir = opendir("/proc");
	long self = (long)getpid(), group = (long)getpgrp();
	size_t n = 0;

	if (!dir)
		return 0;
	while (n < max && (de = readdir(dir))) {
		char state;
		long ppid, pgrp;

		if (proc_stat(de->d_name, &state, &ppid, &pgrp) < 0)
			continue;
		if (ppid != self || pgrp == group || (only_pgrp && pgrp != only_pgrp))
			continue;
		if ((state == 'Z' || state == 'X') != !!zombies)
			continue;
		if (!zombies && !has_task_env(de->d_name))
			continue;	/* not a task's: see has_task_env() */
		v[n++] = (pid_t)strtol(de->d_name, NULL, 10);
	}
	closedir(dir);
	return n;
}

static int is_leader(const struct runner *r, pid_t pid)
{
	size_t i;

	for (i = 0; r && i < r->nr; i++)
		if (r->procs[i].pid == pid && !r->procs[i].reaped)
			return 1;
	return 0;
}

/*
 * Reap the zombies reparented to us (group pgrp only, unless 0), never a
 * leader of r that collect() has yet to reap: nothing else waits for them.
 */
static void reap_escaped_zombies(const struct runner *r, long pgrp)
{
	pid_t v[256];
	size_t n, k;

	if (!subreaper)
		return;
	n = escaped(v, ARRAY_SIZE(v), 1, pgrp);
	for (k = 0; k < n; k++)
		if (!is_leader(r, v[k]))
			waitpid(v[k], NULL, WNOHANG);
}

/*
 * When the runner ends: what escaped the tasks' groups and is still
 * running gets SIGTERM (its group, when it leads one), the grace period,
 * then SIGKILL; what it leaves behind is ours again (reparented) and goes
 * the same way.  Without this, a command's "setsid daemon &" outlived run.
 */
static void stop_escaped(double grace)
{
	pid_t v[256];
	double now = now_mono(), kill_at = now + grace, end = kill_at + KILL_WAIT;
	size_t n, k;
	int sig = SIGTERM;

	while ((n = escaped(v, ARRAY_SIZE(v), 0, 0)) && now < end) {
		if (sig == SIGTERM && now >= kill_at)
			sig = SIGKILL;
		for (k = 0; k < n; k++) {
			pid_t target = getpgid(v[k]) == v[k] ? -v[k] : v[k];

			kill(target, sig);
			if (sig == SIGTERM)
				kill(target, SIGCONT);
		}
		reap_escaped_zombies(NULL, 0);
		poll(NULL, 0, 20);
		now = now_mono();
	}
	reap_escaped_zombies(NULL, 0);
}

/* Begin the grace period of p's group, once: SIGTERM, then SIGKILL at kill_at. */
static void start_grace(struct runner *r, struct runner_proc *p, double now)
{
	if (p->term_sent || p->kill_sent)
		return;
	p->term_sent = 1;
	p->kill_at = now + r->grace;
	signal_group(p, SIGTERM);
	/* a stopped process would hold SIGTERM pending until the SIGKILL */
	signal_group(p, SIGCONT);
}

/* SIGKILL to p's group now. */
static void kill_now(struct runner_proc *p, double now)
{
	if (p->kill_sent)
		return;
	p->kill_sent = 1;
	if (!p->kill_at || p->kill_at > now)
		p->kill_at = now;
	signal_group(p, SIGKILL);
}

/*
 * Move p on.  Its leader has exited: what is left of its group gets the
 * grace period (SIGTERM, then SIGKILL); once nothing live is left -- or
 * KILL_WAIT after the SIGKILL, processes stuck in the kernel -- reap the
 * leader.  Returns 1 when p is done (*status set), 0 while it is not, -1
 * on error (reported).
 */
static int advance(struct runner *r, struct runner_proc *p, double now, int *status)
{
	int ret = leader_done(p, 0), alive;

	if (ret <= 0)
		return ret;
	if (p->lost) {
		collect(p, status);
		return 1;
	}
	alive = group_alive(p->pid);
	if (alive < 0) {
		/* cannot see the group: do not wait for what we cannot see */
		kill_now(p, now);
		alive = 0;
	}
	if (alive) {
		if (!p->leftover)
			p->leftover = RUNNER_LEFTOVER_TERM;
		start_grace(r, p, now);	/* unless it runs already */
		if (!p->kill_sent || now < p->kill_at + KILL_WAIT)
			return 0;
		warning("task '%s': processes of group %ld survive SIGKILL",
			p->id, (long)p->pid);
	}
	if (p->leftover && p->kill_sent)
		p->leftover = RUNNER_LEFTOVER_KILL;
	/*
	 * A backstop, as before the grace period existed: a process forked
	 * while we scanned /proc may have escaped the scan.  Safe while the
	 * leader is an unreaped zombie.
	 */
	if (kill(-p->pid, SIGKILL) < 0 && errno != ESRCH && errno != EPERM)
		warning("cannot kill what is left of task '%s' (group %ld): %s",
			p->id, (long)p->pid, strerror(errno));
	collect(p, status);
	return 1;
}

/* Last resort: SIGKILL every group, reap every leader; no grace, no report. */
static void kill_all_now(struct runner *r)
{
	size_t i;
	int status;

	for (i = 0; i < r->nr; i++) {
		struct runner_proc *p = &r->procs[i];
		if (p->reaped)
			continue;
		kill_now(p, now_mono());
		if (leader_done(p, 1) > 0)
			collect(p, &status);
		p->reaped = 1;	/* nothing more we can do */
	}
}

void runner_release(struct runner *r)
{
	size_t i;

	/* a child still held exits on its own once its go pipe closes */
	for (i = 0; i < r->nr; i++)
		drop_hold(&r->procs[i]);
	if (runner_running(r)) {
		warning("killing %lu task(s) still running", (unsigned long)runner_running(r));
		kill_all_now(r);
	}
	for (i = 0; i < r->nr; i++)
		free(r->procs[i].id);
	free(r->procs);
	if (subreaper) {
		stop_escaped(r->grace);
#ifdef PR_SET_CHILD_SUBREAPER
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
#endif
		subreaper = 0;
	}

	if (runner_active && sig_fd == r->sigpipe[1] && r->sigpipe[1] >= 0) {
		for (i = 0; i < ARRAY_SIZE(caught_signals); i++)
			sigaction(caught_signals[i], &old_actions[i], NULL);
		sigaction(SIGPIPE, &old_sigpipe, NULL);
		sig_fd = -1;
		runner_active = 0;
	}
	close_fd(&r->sigpipe[0]);
	close_fd(&r->sigpipe[1]);
	r->procs = NULL;
	r->nr = r->alloc = 0;
}

static int env_name_is(const char *entry, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(entry, name, len) && entry[len] == '=';
}

static int env_same_name(const char *a, const char *b)
{
	const char *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);

	return !strncmp(a, b, len) && b[len] == '=';
}

/*
 * environ without git's repository variables, plus extra (which
 * overrides same-named entries).  The strings are borrowed; free the
 * array only.
 */
static char **build_env(const char *const *extra)
{
	size_t n = 0, nr = 0, i, j, k;
	char **env;

	for (i = 0; environ && environ[i]; i++)
		n++;
	for (i = 0; extra && extra[i]; i++)
		n++;
	env = xcalloc(n + 1, sizeof(*env));

	for (i = 0; environ && environ[i]; i++) {
		const char *e = environ[i];
		int drop = !strchr(e, '=');

		for (k = 0; !drop && k < ARRAY_SIZE(local_repo_env); k++)
			drop = env_name_is(e, local_repo_env[k]);
		for (k = 0; !drop && extra && extra[k]; k++)
			drop = env_same_name(extra[k], e);
		if (!drop)
			env[nr++] = (char *)e;
	}
	for (i = 0; extra && extra[i]; i++) {
		int drop = 0;

		/* a later entry of the same name wins */
		for (j = i + 1; !drop && extra[j]; j++)
			drop = env_same_name(extra[j], extra[i]);
		if (!drop)
			env[nr++] = (char *)extra[i];
	}
	env[nr] = NULL;
	return env;
}

static void child_fail(int errfd, int stage, int code)
{
	struct child_err ce;

	ce.stage = stage;
	ce.err = errno;
	if (write(errfd, &ce, sizeof(ce)) < 0) {
		; /* the parent will see the exit code */
	}
	_exit(code);
}

/* Mark every descriptor from 3 up close-on-exec. */
static void cloexec_from(int lowfd)
{
	long max, fd;

#if defined(SYS_close_range) && defined(__linux__)
	/* CLOSE_RANGE_CLOEXEC (1U << 2), Linux 5.11 */
	if (!syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 1U << 2))
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

/*
 * In the child, between fork() and exec: async-signal-safe calls only.
 * go_fd >= 0: wait for the parent's go byte on it before exec (go_w, the
 * pipe's write end the child inherited, is closed first); end of file
 * without it -- the parent died or withdrew the start -- and the command
 * never runs.
 */
static GP_NORETURN void child_run(const char *command, const char *cwd,
				  int log_fd, int errfd, int go_fd, int go_w, char **envp)
{
	struct sigaction sa;
	sigset_t empty;
	int sig, fd;

	setpgid(0, 0);
	if (go_w >= 0)
		close(go_w);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);

	/* keep our descriptors clear of 0, 1 and 2 */
	if (errfd < 3) {
		fd = fcntl(errfd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			_exit(126);
		errfd = fd;
	}
	if (log_fd < 3) {
		fd = fcntl(log_fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			child_fail(errfd, CHILD_DEVNULL, 126);
		log_fd = fd;
	}
	if (go_fd >= 0 && go_fd < 3) {
		fd = fcntl(go_fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			child_fail(errfd, CHILD_DEVNULL, 126);
		go_fd = fd;
	}

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		child_fail(errfd, CHILD_DEVNULL, 126);
	if (fd == 0) {
		fcntl(0, F_SETFD, 0);
	} else if (dup2(fd, 0) < 0) {
		child_fail(errfd, CHILD_DEVNULL, 126);
	}
	if (dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
		child_fail(errfd, CHILD_DEVNULL, 126);

	if (chdir(cwd) < 0)
		child_fail(errfd, CHILD_CHDIR, 126);

	cloexec_from(3);

	/* default dispositions are in place: SIGTERM to the group ends a held child */
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);

	if (go_fd >= 0) {
		char c = 0;
		ssize_t n;

		while ((n = read(go_fd, &c, 1)) < 0 && errno == EINTR)
			;
		if (n != 1 || c != 'g') {
			errno = 0;
			child_fail(errfd, CHILD_HELD, 126);
		}
		close(go_fd);
	}

	execle("/bin/sh", "sh", "-c", command, (char *)NULL, envp);
	child_fail(errfd, CHILD_EXEC, 127);
	_exit(127);
}

/* Tell the log why the command never ran. */
static void log_spawn_failure(int log_fd, const char *cwd, const struct child_err *ce)
{
	struct strbuf sb = STRBUF_INIT;
	size_t off = 0;

	switch (ce->stage) {
	case CHILD_CHDIR:
		strbuf_addf(&sb, "git-parallel: cannot change to '%s': %s\n",
			    cwd, strerror(ce->err));
		break;
	case CHILD_HELD:
		strbuf_addstr(&sb, "git-parallel: the command was not started: "
			      "its process could not be recorded\n");
		break;
	case CHILD_EXEC:
		strbuf_addf(&sb, "git-parallel: cannot run /bin/sh: %s\n",
			    strerror(ce->err));
		break;
	default:
		strbuf_addf(&sb, "git-parallel: cannot set up stdin/stdout: %s\n",
			    strerror(ce->err));
		break;
	}
	while (off < sb.len) {
		ssize_t n = write(log_fd, sb.buf + off, sb.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	strbuf_release(&sb);
}

int runner_start(struct runner *r, const struct runner_spec *spec)
{
	struct runner_proc *p;
	struct child_err ce;
	sigset_t all, old;
	char **envp = NULL;
	int log_fd = -1, errpipe[2] = { -1, -1 }, gopipe[2] = { -1, -1 };
	double start;
	pid_t pid;
	ssize_t n;
	size_t i;
	int ret = -1, failed = 0;

	if (!spec->id || !spec->command || !spec->cwd || !spec->log_path)
		return error("runner_start: incomplete task spec");
	if (r->sigpipe[0] < 0)
		return error("runner_start: runner not initialised");
	for (i = 0; spec->env && spec->env[i]; i++)
		if (!strchr(spec->env[i], '=') || spec->env[i][0] == '=')
			return error("task '%s': bad environment entry '%s'",
				     spec->id, spec->env[i]);

	log_fd = open(spec->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (log_fd < 0)
		return error_errno("task '%s': cannot open log '%s'", spec->id, spec->log_path);
	if (pipe(errpipe) < 0 || (spec->hold && pipe(gopipe) < 0)) {
		error_errno("task '%s': cannot create a pipe", spec->id);
		goto out;
	}
	if (set_cloexec(errpipe[0]) < 0 || set_cloexec(errpipe[1]) < 0 ||
	    (spec->hold && (set_cloexec(gopipe[0]) < 0 || set_cloexec(gopipe[1]) < 0))) {
		error_errno("task '%s': cannot set up a pipe", spec->id);
		goto out;
	}
	envp = build_env(spec->env);

	/* no handler of ours may run in the child before it resets them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	start = now_mono();
	pid = fork();
	if (!pid)
		child_run(spec->command, spec->cwd, log_fd, errpipe[1], gopipe[0], gopipe[1], envp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		error_errno("task '%s': cannot fork", spec->id);
		goto out;
	}
	setpgid(pid, pid);	/* either of us may get there first */
	close_fd(&errpipe[1]);
	close_fd(&gopipe[0]);

	/* EOF: exec succeeded; a message: the child failed and will exit */
	if (!spec->hold) {
		while ((n = read(errpipe[0], &ce, sizeof(ce))) < 0 && errno == EINTR)
			;
		if (n == (ssize_t)sizeof(ce)) {
			failed = 1;
			log_spawn_failure(log_fd, spec->cwd, &ce);
		}
	}

	ALLOC_GROW(r->procs, r->nr + 1, r->alloc);
	p = &r->procs[r->nr++];
	memset(p, 0, sizeof(*p));
	p->id = xstrdup(spec->id);
	p->data = spec->data;
	p->pid = pid;
	p->start = start;
	p->deadline = spec->timeout > 0 && !spec->hold ? start + spec->timeout : 0;
	p->spawn_failed = failed;
	p->go_fd = p->err_fd = p->log_fd = -1;
	if (spec->hold) {
		/* runner_go() lets it exec, or withdraws it */
		p->held = 1;
		p->timeout = spec->timeout;
		p->cwd = xstrdup(spec->cwd);
		p->go_fd = gopipe[1];
		p->err_fd = errpipe[0];
		p->log_fd = log_fd;
		gopipe[1] = errpipe[0] = log_fd = -1;
	}
	ret = 0;
out:
	free(envp);
	close_fd(&errpipe[0]);
	close_fd(&errpipe[1]);
	close_fd(&gopipe[0]);
	close_fd(&gopipe[1]);
	close_fd(&log_fd);
	return ret;
}

int runner_go(struct runner *r, const char *id, int go)
{
	struct runner_proc *p = NULL;
	struct child_err ce;
	ssize_t n;
	size_t i;

	for (i = 0; i < r->nr && !p; i++)
		if (!r->procs[i].reaped && r->procs[i].held && !strcmp(r->procs[i].id, id))
			p = &r->procs[i];
	if (!p)
		return error("runner_go: task '%s' is not waiting to start", id);
	if (go) {
		static const char c = 'g';

		/* EPIPE (SIGPIPE is ignored): the child is gone; its exec pipe says why */
		while (write(p->go_fd, &c, 1) < 0 && errno == EINTR)
			;
	}
	close_fd(&p->go_fd);
	/* EOF: exec succeeded; a message: the child failed (or was withdrawn) and exits */
	while ((n = read(p->err_fd, &ce, sizeof(ce))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(ce)) {
		p->spawn_failed = 1;
		log_spawn_failure(p->log_fd, p->cwd, &ce);
	} else if (!go) {
		/* killed before it could tell: it did not run the command either */
		p->spawn_failed = 1;
	}
	p->start = now_mono();
	p->deadline = p->timeout > 0 ? p->start + p->timeout : 0;
	drop_hold(p);
	return 0;
}

size_t runner_running(const struct runner *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nr; i++)
		if (!r->procs[i].reaped)
			n++;
	return n;
}

pid_t runner_pid(const struct runner *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		if (!r->procs[i].reaped && !strcmp(r->procs[i].id, id))
			return r->procs[i].pid;
	return 0;
}

void runner_interrupt(struct runner *r, int sig)
{
	int saved_errno = errno;
	unsigned char c = (unsigned char)sig;

	if (is_interrupt(sig) && r->sigpipe[1] >= 0 && write(r->sigpipe[1], &c, 1) < 0) {
		; /* full pipe: a wakeup is pending already */
	}
	errno = saved_errno;
}

int runner_expire(struct runner *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		struct runner_proc *p = &r->procs[i];

		if (p->reaped || p->leader_exited || strcmp(p->id, id))
			continue;
		if (!p->timed_out)
			p->deadline = now_mono();
		return 0;
	}
	return -1;
}

/* Read what the handlers wrote; returns SIGINT, SIGTERM or SIGHUP if seen, else 0. */
static int drain_sigpipe(struct runner *r)
{
	unsigned char buf[64];
	ssize_t n, i;
	int sig = 0, chld = 0;

	for (;;) {
		n = read(r->sigpipe[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (!sig && is_interrupt(buf[i]))
				sig = buf[i];
			if (buf[i] == SIGCHLD)
				chld = 1;
		}
	}
	/* an escaped process that ended is our zombie: nobody else reaps it */
	if (chld)
		reap_escaped_zombies(r, 0);
	return sig;
}

int runner_signal_pending(struct runner *r)
{
	int sig = drain_sigpipe(r);

	if (sig) {
		/* put it back: the next runner_wait() reports it */
		unsigned char c = (unsigned char)sig;

		if (write(r->sigpipe[1], &c, 1) < 0) {
			; /* a full pipe holds a wakeup already */
		}
	}
	return sig;
}

/* Send due signals; returns the next time something is due, or 0. */
static double enforce_timeouts(struct runner *r, double now)
{
	double next = 0;
	size_t i;

	for (i = 0; i < r->nr; i++) {
		struct runner_proc *p = &r->procs[i];
		double due = 0;

		if (p->reaped)
			continue;
		/* a command that has exited cannot time out: its leftovers have their grace */
		if (p->deadline && !p->timed_out && !p->leader_exited && now >= p->deadline) {
			p->timed_out = 1;
			start_grace(r, p, now);
		}
		if (p->kill_at && !p->kill_sent && now >= p->kill_at)
			kill_now(p, now);
		if (p->deadline && !p->timed_out && !p->leader_exited)
			due = p->deadline;
		else if (p->kill_at && !p->kill_sent)
			due = p->kill_at;
		/* a group outliving its leader: look again soon */
		if (p->leader_exited && (!due || now + GROUP_POLL < due))
			due = now + GROUP_POLL;
		if (due && (!next || due < next))
			next = due;
	}
	return next;
}

static int ms_until(double t, double now)
{
	double ms = (t - now) * 1000.0;

	if (ms <= 0)
		return 0;
	if (ms > 1e9)
		return 1000000000;
	return (int)ms + 1;	/* round up: never wake just before */
}

int runner_wait(struct runner *r, struct runner_event *ev, int tick_ms)
{
	double now = now_mono();
	double tick_end = tick_ms >= 0 ? now + tick_ms / 1000.0 : 0;

	compact(r);
	memset(ev, 0, sizeof(*ev));

	for (;;) {
		struct pollfd pfd;
		double next;
		size_t i;
		int sig, timeout, status;

		/* drain first: a signal from here on leaves a byte for poll() */
		sig = drain_sigpipe(r);
		if (sig) {
			r->interrupted = r->interrupted ? r->interrupted : sig;
			ev->kind = RUNNER_INTERRUPTED;
			ev->sig = sig;
			return 0;
		}

		now = now_mono();
		for (i = 0; i < r->nr; i++) {
			struct runner_proc *p = &r->procs[i];
			int ret;

			if (p->reaped)
				continue;
			ret = advance(r, p, now, &status);
			if (ret < 0)
				return -1;
			if (ret > 0) {
				fill_exit_event(ev, p, status, now_mono());
				return 0;
			}
		}

		now = now_mono();
		next = enforce_timeouts(r, now);
		if (tick_end && now >= tick_end) {
			ev->kind = RUNNER_TICK;
			return 0;
		}
		if (tick_end && (!next || tick_end < next))
			next = tick_end;
		timeout = next ? ms_until(next, now) : -1;

		pfd.fd = r->sigpipe[0];
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			return error_errno("poll failed");
	}
}

void runner_terminate_all(struct runner *r,
			  void (*fn)(const struct runner_event *ev, void *cb), void *cb)
{
	struct runner_event ev;
	size_t i;
	int status;

	compact(r);
	for (i = 0; i < r->nr; i++)
		start_grace(r, &r->procs[i], now_mono());

	for (;;) {
		struct pollfd pfd;
		double now = now_mono(), next;
		int again = 0;

		/* a second SIGINT, SIGTERM or SIGHUP: do not wait out the grace */
		if (drain_sigpipe(r))
			for (i = 0; i < r->nr; i++)
				if (!r->procs[i].reaped)
					kill_now(&r->procs[i], now);
		for (i = 0; i < r->nr; i++) {
			struct runner_proc *p = &r->procs[i];
			int ret;

			if (p->reaped)
				continue;
			ret = advance(r, p, now, &status);
			if (ret == 0 && p->kill_sent && now >= p->kill_at + KILL_WAIT) {
				/* a leader stuck after SIGKILL: wait for it, as before */
				if (leader_done(p, 1) > 0)
					ret = advance(r, p, p->kill_at + KILL_WAIT, &status);
				if (!ret) {
					collect(p, &status);
					ret = 1;
				}
			}
			if (ret < 0) {
				p->reaped = 1;	/* reported; nothing more we can do */
				continue;
			}
			if (ret > 0) {
				if (fn) {
					fill_exit_event(&ev, p, status, now_mono());
					fn(&ev, cb);
				}
				continue;
			}
			again = 1;
		}
		if (!again)
			break;
		now = now_mono();
		next = enforce_timeouts(r, now);
		pfd.fd = r->sigpipe[0];
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, next ? ms_until(next, now) : 100) < 0 && errno != EINTR)
			break;
	}
	compact(r);
}

/*
 * runner_capture(): one command to its end, synchronously.  It shares the
 * tasks' child setup (child_run: its own group, default signals, stdin
 * from /dev/null, the same environment policy); its output goes to a pipe.
 */
int runner_capture(const struct runner_spec *spec, struct strbuf *out, size_t max,
		   struct runner_capture_result *res)
{
	struct child_err ce;
	sigset_t all, old;
	char **envp = NULL;
	int outpipe[2] = { -1, -1 }, errpipe[2] = { -1, -1 };
	sig_atomic_t seen = interrupts_seen;
	double start = now_mono(), deadline = spec->timeout > 0 ? start + spec->timeout : 0;
	int status = 0, eof = 0, ret = -1;
	pid_t pid;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (!spec->command || !spec->cwd)
		return error("runner_capture: incomplete spec");
	if (pipe(outpipe) < 0 || pipe(errpipe) < 0) {
		error_errno("'%s': cannot create a pipe", spec->id);
		goto out;
	}
	if (set_cloexec(outpipe[0]) < 0 || set_cloexec(outpipe[1]) < 0 ||
	    set_cloexec(errpipe[0]) < 0 || set_cloexec(errpipe[1]) < 0 ||
	    set_nonblock(outpipe[0]) < 0) {
		error_errno("'%s': cannot set up a pipe", spec->id);
		goto out;
	}
	envp = build_env(spec->env);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (!pid)
		child_run(spec->command, spec->cwd, outpipe[1], errpipe[1], -1, -1, envp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		error_errno("'%s': cannot fork", spec->id);
		goto out;
	}
	setpgid(pid, pid);
	close_fd(&outpipe[1]);
	close_fd(&errpipe[1]);
	while ((n = read(errpipe[0], &ce, sizeof(ce))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(ce))
		res->spawn_failed = 1;

	for (;;) {
		siginfo_t info;
		struct pollfd pfd;
		double now = now_mono();
		int timeout = 50;

		if (interrupts_seen != seen || (deadline && now >= deadline)) {
			/* stop it: its whole group, at once (it only checks) */
			if (interrupts_seen != seen)
				res->interrupted = last_interrupt ? last_interrupt : SIGINT;
			else
				res->timed_out = 1;
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		memset(&info, 0, sizeof(info));
		if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
			/* exited: what it left in its group goes, before the group ID is free */
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			eof = 0;
			while (!eof) {
				char buf[4096];

				n = read(outpipe[0], buf, sizeof(buf));
				if (n > 0 && out->len < max)
					strbuf_add(out, buf, (size_t)n < max - out->len ? (size_t)n : max - out->len);
				eof = n <= 0 && !(n < 0 && errno == EINTR);
			}
			break;
		}
		if (!eof) {
			pfd.fd = outpipe[0];
			pfd.events = POLLIN;
			pfd.revents = 0;
			if (poll(&pfd, 1, timeout) > 0) {
				char buf[4096];

				n = read(outpipe[0], buf, sizeof(buf));
				if (n > 0 && out->len < max)
					strbuf_add(out, buf, (size_t)n < max - out->len ? (size_t)n : max - out->len);
				if (n == 0)
					eof = 1;
			}
		} else {
			poll(NULL, 0, 10);
		}
	}
	res->duration = now_mono() - start;
	if (WIFEXITED(status)) {
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
	}
	ret = 0;
out:
	free(envp);
	close_fd(&outpipe[0]);
	close_fd(&outpipe[1]);
	close_fd(&errpipe[0]);
	close_fd(&errpipe[1]);
	return ret;
}
