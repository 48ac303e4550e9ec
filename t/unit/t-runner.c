/* Unit tests for src/runner.c: real processes, real signals. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gp/runner.h"
#include "tap.h"

static char tmp[] = "/tmp/t-runner.XXXXXX";

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *path(const char *name)
{
	return xstrfmt("%s/%s", tmp, name);
}

/* The file's contents, or "(missing)"; caller frees. */
static char *slurp(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char *p = path(name);

	if (strbuf_read_file(&sb, p) < 0) {
		strbuf_release(&sb);
		free(p);
		return xstrdup("(missing)");
	}
	free(p);
	return strbuf_detach(&sb, NULL);
}

static int exists(const char *name)
{
	struct stat st;
	char *p = path(name);
	int ret = !lstat(p, &st);

	free(p);
	return ret;
}

/* Wait for the next EXITED event (ticks skipped), at most limit seconds. */
static int wait_exit(struct runner *r, struct runner_event *ev, double limit)
{
	double end = now_mono() + limit;

	while (now_mono() < end) {
		if (runner_wait(r, ev, 100) < 0)
			return -1;
		if (ev->kind == RUNNER_EXITED)
			return 0;
	}
	return -1;
}

/* Run one command in tmp to completion; the log is tmp/<id>.log. */
static int run(struct runner *r, struct runner_event *ev, const char *id,
	       const char *cmd, const char *const *env, double timeout)
{
	struct runner_spec spec = { 0 };
	char *log = xstrfmt("%s/%s.log", tmp, id);
	int ret;

	spec.id = id;
	spec.command = cmd;
	spec.cwd = tmp;
	spec.log_path = log;
	spec.env = env;
	spec.timeout = timeout;
	ret = runner_start(r, &spec);
	free(log);
	if (ret < 0)
		return -1;
	return wait_exit(r, ev, 15);
}

/*
 * Wait (15 s at most) until a command has made the file name in tmp, and
 * remove it: a command says so once it has done what the test needs
 * (installed a trap), however long a loaded machine takes to start it.
 */
static void wait_ready(const char *name)
{
	char *path = xstrfmt("%s/%s", tmp, name);
	double t0 = now_mono();

	while (access(path, F_OK) && now_mono() - t0 < 15)
		usleep(10000);
	unlink(path);
	free(path);
}

static void test_exit_codes(struct runner *r)
{
	struct runner_event ev;
	char *s;

	ok(!run(r, &ev, "zero", "exit 0", NULL, 0), "exit 0 runs");
	is_int(ev.kind, RUNNER_EXITED, "EXITED event");
	is_str(ev.id, "zero", "event carries the id");
	is_int(ev.exit_code, 0, "exit 0 gives 0");
	is_int(ev.signal, 0, "no signal");
	is_int(ev.timed_out, 0, "not timed out");
	is_int(ev.spawn_failed, 0, "not a spawn failure");
	ok(ev.duration >= 0 && ev.duration < 5, "duration is sane (%f)", ev.duration);

	ok(!run(r, &ev, "three", "exit 3", NULL, 0), "exit 3 runs");
	is_int(ev.exit_code, 3, "exit 3 gives 3");

	ok(!run(r, &ev, "both", "echo hi; echo err >&2", NULL, 0), "output runs");
	is_int(ev.exit_code, 0, "echo exits 0");
	is_str(s = slurp("both.log"), "hi\nerr\n", "stdout and stderr land in the log");
	free(s);

	ok(!run(r, &ev, "both", "echo again", NULL, 0), "second run, same log");
	is_str(s = slurp("both.log"), "hi\nerr\nagain\n", "the log is appended to");
	free(s);

	ok(!run(r, &ev, "nosuch", "no-such-command-xyz", NULL, 0), "missing command runs");
	is_int(ev.exit_code, 127, "missing command gives 127");
	s = slurp("nosuch.log");
	if (!ok(strstr(s, "no-such-command-xyz") && strstr(s, "not found"),
		"sh's message is in the log"))
		printf("#   log: %s", s);
	free(s);
	is_int(runner_running(r), 0, "nothing left running");
}

static void test_log_open_failure(struct runner *r)
{
	struct runner_spec spec = { 0 };
	char *log = path("no/such/dir/x.log");

	spec.id = "nolog";
	spec.command = "exit 0";
	spec.cwd = tmp;
	spec.log_path = log;
	fprintf(stderr, "# expect an error about a log:\n");
	is_int(runner_start(r, &spec), -1, "a log that cannot be opened is an error");
	is_int(runner_running(r), 0, "and nothing was started");
	free(log);
}

static void test_cwd(struct runner *r)
{
	struct runner_spec spec = { 0 };
	struct runner_event ev;
	char *sub = path("sub"), *log = path("cwd.log"), *s, *want;
	char real[PATH_MAX];

	mkdir(sub, 0755);
	spec.id = "cwd";
	spec.command = "pwd > out";
	spec.cwd = sub;
	spec.log_path = log;
	ok(!runner_start(r, &spec) && !wait_exit(r, &ev, 15), "pwd runs");
	is_int(ev.exit_code, 0, "pwd exits 0");
	ok(realpath(sub, real) != NULL, "realpath");
	want = xstrfmt("%s\n", real);
	is_str(s = slurp("sub/out"), want, "the command runs in its cwd");
	free(s);
	free(want);
	free(sub);

	sub = path("missing-dir");
	spec.id = "nocwd";
	spec.command = "echo ran > ran";
	spec.cwd = sub;
	ok(!runner_start(r, &spec) && !wait_exit(r, &ev, 15), "missing cwd is reported as an exit");
	is_int(ev.exit_code, 126, "missing cwd gives 126");
	is_int(ev.spawn_failed, 1, "and spawn_failed");
	s = slurp("cwd.log");
	if (!ok(strstr(s, "cannot change to") && strstr(s, "missing-dir"), "the log says why"))
		printf("#   log: %s", s);
	free(s);
	ok(!exists("ran"), "the command did not run elsewhere");
	free(sub);
	free(log);
}

/* spec.hold: the child waits for runner_go() before exec. */
static void test_hold(struct runner *r)
{
	struct runner_spec spec = { 0 };
	struct runner_event ev;
	char *log = path("hold.log"), *s;
	char proc[64];
	pid_t pid;

	spec.id = "hold";
	spec.command = "echo ran >>held-ran";
	spec.cwd = tmp;
	spec.log_path = log;
	spec.hold = 1;
	ok(!runner_start(r, &spec), "a held command starts");
	pid = runner_pid(r, "hold");
	ok(pid > 0, "its pid is known before it runs");
	snprintf(proc, sizeof(proc), "/proc/%ld", (long)pid);
	ok(!access(proc, F_OK), "the child exists");
	is_int(runner_running(r), 1, "and counts as running");
	fprintf(stderr, "# expect two errors about runner_go:\n");
	is_int(runner_go(r, "nosuch", 1), -1, "runner_go of an unknown task is an error");
	ok(!runner_go(r, "hold", 1), "runner_go lets it run");
	is_int(runner_go(r, "hold", 1), -1, "only once");
	ok(!wait_exit(r, &ev, 15), "it ends");
	is_int(ev.exit_code, 0, "exit 0");
	is_int(ev.spawn_failed, 0, "not a spawn failure");
	is_str(s = slurp("held-ran"), "ran\n", "the command ran once");
	free(s);

	spec.id = "withdrawn";
	ok(!runner_start(r, &spec), "another held command starts");
	ok(!runner_go(r, "withdrawn", 0), "runner_go 0 withdraws it");
	ok(!wait_exit(r, &ev, 15), "it ends");
	is_int(ev.exit_code, 126, "exit 126");
	is_int(ev.spawn_failed, 1, "as a spawn failure");
	is_str(s = slurp("held-ran"), "ran\n", "the command did not run");
	free(s);
	s = slurp("hold.log");
	if (!ok(strstr(s, "was not started") != NULL, "the log says why"))
		printf("#   log: %s", s);
	free(s);

	spec.id = "badcwd";
	spec.cwd = "/nonexistent/dir";
	ok(!runner_start(r, &spec) && !runner_go(r, "badcwd", 1), "a held command in a missing cwd");
	ok(!wait_exit(r, &ev, 15), "it ends");
	is_int(ev.exit_code, 126, "exit 126");
	is_int(ev.spawn_failed, 1, "as a spawn failure");
	s = slurp("hold.log");
	if (!ok(strstr(s, "cannot change to") != NULL, "the log says why"))
		printf("#   log: %s", s);
	free(s);
	is_int(runner_running(r), 0, "nothing left running");
	free(log);
}

static void test_stdin(struct runner *r)
{
	struct runner_event ev;
	int p[2], saved = dup(0);
	char *s;

	/* our stdin: a pipe nobody writes to; a leak would make cat hang */
	ok(!pipe(p) && dup2(p[0], 0) == 0, "stdin is a silent pipe");
	ok(!run(r, &ev, "stdin", "cat; readlink /proc/self/fd/0 > stdin.out", NULL, 3),
	   "cat runs");
	is_int(ev.timed_out, 0, "cat returns at once");
	is_int(ev.exit_code, 0, "cat exits 0");
	is_str(s = slurp("stdin.out"), "/dev/null\n", "stdin is /dev/null");
	free(s);
	dup2(saved, 0);
	close(saved);
	close(p[0]);
	close(p[1]);
}

static int has_line(const char *buf, const char *line)
{
	size_t len = strlen(line);
	const char *p = buf;

	while ((p = strstr(p, line))) {
		if ((p == buf || p[-1] == '\n') && (p[len] == '\n' || !p[len]))
			return 1;
		p++;
	}
	return 0;
}

static int has_name(const char *buf, const char *name)
{
	char *pfx = xstrfmt("\n%s=", name);
	int ret = strstr(buf, pfx) || !strncmp(buf, pfx + 1, strlen(pfx + 1));

	free(pfx);
	return ret;
}

static void test_env(struct runner *r)
{
	static const char title[] = "a $(touch pwned) `touch pwned2` ; touch pwned3 'q\" b";
	char *title_env = xstrfmt("GIT_PARALLEL_TASK_TITLE=%s", title);
	const char *env[] = { title_env, "GPTEST_NEW=new value", "GPTEST_OVER=new", NULL };
	struct runner_event ev;
	char *s;

	setenv("GIT_DIR", "/nonexistent", 1);
	setenv("GIT_WORK_TREE", "/nonexistent-wt", 1);
	setenv("GIT_INDEX_FILE", "/nonexistent-index", 1);
	setenv("GIT_COMMON_DIR", "/nonexistent-common", 1);
	setenv("GIT_PREFIX", "sub/", 1);
	setenv("GIT_CEILING_DIRECTORIES", "/ceiling", 1);
	setenv("GPTEST_OVER", "old", 1);

	ok(!run(r, &ev, "env", "env > env.out; printf %s \"$GIT_PARALLEL_TASK_TITLE\" > title.out",
		env, 0), "env runs");
	is_int(ev.exit_code, 0, "env exits 0");
	s = slurp("env.out");
	ok(!has_name(s, "GIT_DIR"), "GIT_DIR is not inherited");
	ok(!has_name(s, "GIT_WORK_TREE"), "GIT_WORK_TREE is not inherited");
	ok(!has_name(s, "GIT_INDEX_FILE"), "GIT_INDEX_FILE is not inherited");
	ok(!has_name(s, "GIT_COMMON_DIR"), "GIT_COMMON_DIR is not inherited");
	ok(!has_name(s, "GIT_PREFIX"), "GIT_PREFIX is not inherited");
	ok(has_line(s, "GIT_CEILING_DIRECTORIES=/ceiling"), "GIT_CEILING_DIRECTORIES is kept");
	ok(has_line(s, "GPTEST_NEW=new value"), "task variables are set");
	ok(has_line(s, "GPTEST_OVER=new") && !has_line(s, "GPTEST_OVER=old"),
	   "task variables override ours");
	ok(has_name(s, "PATH"), "the rest of the environment is inherited");
	free(s);
	is_str(s = slurp("title.out"), title, "shell syntax in a value arrives verbatim");
	free(s);
	ok(!exists("pwned") && !exists("pwned2") && !exists("pwned3"),
	   "nothing executed the value");

	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_COMMON_DIR");
	unsetenv("GIT_PREFIX");
	unsetenv("GIT_CEILING_DIRECTORIES");
	unsetenv("GPTEST_OVER");
	free(title_env);
}

/* The bit for sig in the hex mask on the "<field>:" line of a status file. */
static int status_bit(const char *status, const char *field, int sig)
{
	char *key = xstrfmt("\n%s:", field);
	const char *p = strstr(status, key);
	unsigned long long mask;
	int ret = -1;

	if (p && sscanf(p + strlen(key), " %llx", &mask) == 1)
		ret = !!(mask & (1ULL << (sig - 1)));
	free(key);
	return ret;
}

static void test_signal_state(struct runner *r)
{
	struct runner_event ev;
	struct sigaction ign, old_usr1;
	sigset_t usr2, old_mask;
	char *s;

	/* what we ignore or block must not be ignored or blocked in a task */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &ign, &old_usr1);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, &old_mask);

	ok(!run(r, &ev, "sigs", "exec cat /proc/self/status > sigs.out", NULL, 0), "status runs");
	s = slurp("sigs.out");
	is_int(status_bit(s, "SigIgn", SIGUSR1), 0, "a signal we ignore is not ignored by the task");
	is_int(status_bit(s, "SigBlk", SIGUSR2), 0, "a signal we block is not blocked in the task");
	is_int(status_bit(s, "SigIgn", SIGPIPE), 0, "the task does not ignore SIGPIPE");
	free(s);

	/* we ignore SIGPIPE: a closed stdout gives EPIPE, not death */
	{
		struct sigaction cur;
		int p[2];
		ssize_t n;

		sigaction(SIGPIPE, NULL, &cur);
		ok(cur.sa_handler == SIG_IGN, "the runner ignores SIGPIPE while it is up");
		ok(!pipe(p), "a pipe");
		close(p[0]);
		errno = 0;
		n = write(p[1], "x", 1);
		ok(n < 0 && errno == EPIPE, "a write to a closed pipe fails with EPIPE");
		close(p[1]);
	}
	/* ... and a task's pipeline dies of SIGPIPE as it would in a shell */
	ok(!run(r, &ev, "yes", "(yes; echo $? > yes.rc) | head -n 1 > /dev/null", NULL, 10),
	   "yes | head runs");
	is_int(ev.exit_code, 0, "and exits 0");
	is_str(s = slurp("yes.rc"), "141\n", "yes was killed by SIGPIPE (128 + 13)");
	free(s);

	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGUSR1, &old_usr1, NULL);
}

static void test_timeouts(struct runner *r)
{
	struct runner_event ev;
	double t0;

	r->grace = 5;
	t0 = now_mono();
	ok(!run(r, &ev, "slow", "sleep 10", NULL, 0.3), "sleep 10 with a timeout runs");
	is_int(ev.timed_out, 1, "it timed out");
	is_int(ev.exit_code, -1, "killed: exit_code -1");
	is_int(ev.signal, SIGTERM, "killed by SIGTERM");
	ok(ev.duration >= 0.25 && ev.duration < 3, "the timeout applied (%.2fs)", ev.duration);
	ok(now_mono() - t0 < 3, "and was reported promptly");

	/*
	 * The command must have installed its trap before the SIGTERM: a
	 * loaded machine can take longer than the timeout to start sh, which
	 * the default SIGTERM then kills.  The marker, made after the trap,
	 * says whether it had: when it is missing, run again with a longer
	 * timeout (the assertions below stay exact).
	 */
	r->grace = 0.3;
	{
		char *marker = xstrfmt("%s/stubborn-trapped", tmp);
		double timeout = 0.3;
		int tries = 0, rc;

		do {
			unlink(marker);
			rc = run(r, &ev, "stubborn", "trap '' TERM; : >stubborn-trapped; sleep 10", NULL,
				 timeout);
			timeout *= 2;
		} while (!rc && access(marker, F_OK) && ++tries < 4);
		ok(!rc, "a command ignoring SIGTERM runs (%d tries)", tries + 1);
		unlink(marker);
		free(marker);
	}
	is_int(ev.timed_out, 1, "it timed out");
	is_int(ev.signal, SIGKILL, "killed by SIGKILL after the grace period");
	ok(ev.duration >= 0.5 && ev.duration < 4, "after timeout + grace (%.2fs)", ev.duration);
	r->grace = 5;
}

/* Gone, or a zombie waiting for a parent that is not us. */
static int is_dead(pid_t pid)
{
	char buf[512], *p, *proc;
	FILE *f;
	int dead = 0;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	proc = xstrfmt("/proc/%ld/stat", (long)pid);
	f = fopen(proc, "r");
	free(proc);
	if (!f)
		return 1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		dead = p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
	fclose(f);
	return dead;
}

static void test_background_child(struct runner *r)
{
	struct runner_event ev;
	pid_t bg;
	double end;
	char *s;

	ok(!run(r, &ev, "bg", "sleep 30 & echo $! > bg.pid; exit 0", NULL, 0),
	   "a command leaving a background child runs");
	is_int(ev.exit_code, 0, "it exits 0");
	ok(ev.duration < 10, "without waiting for the child (%.2fs)", ev.duration);
	s = slurp("bg.pid");
	bg = atol(s);
	free(s);
	ok(bg > 1, "the child's pid was written (%ld)", (long)bg);
	end = now_mono() + 2;
	while (bg > 1 && !is_dead(bg) && now_mono() < end)
		usleep(20000);
	ok(bg > 1 && is_dead(bg), "the background child was killed with its group");
}

/* Wait (at most 15 s) until tmp/<name> exists. */
static int wait_file(const char *name)
{
	double end = now_mono() + 15;

	while (!exists(name)) {
		if (now_mono() > end)
			return -1;
		usleep(10000);
	}
	return 0;
}

/*
 * A background child that traps SIGTERM, tells us it is ready, and on
 * SIGTERM takes 1 s to clean up, then writes <name>.clean: an agent's
 * child finishing its index.lock.
 */
static char *trapping_child(const char *name)
{
	return xstrfmt("sh -c 'trap \"sleep 1; echo clean > %s.clean; exit 0\" TERM; "
		       ": > %s.ready; while :; do sleep 0.05; done' &", name, name);
}

static int terminated_any;
static void on_any_terminated(const struct runner_event *ev, void *cb)
{
	if (ev->kind == RUNNER_EXITED)
		terminated_any++;
}

static void test_group_grace(struct runner *r)
{
	struct runner_spec spec = { 0 };
	struct runner_event ev;
	char *child, *cmd, *log = path("grace.log"), *s;
	pid_t bg;
	double t0;

	r->grace = 5;

	/* the command exits 0; its background child gets the grace period */
	child = trapping_child("exit0");
	cmd = xstrfmt("%s while ! test -e exit0.ready; do sleep 0.01; done; exit 0", child);
	ok(!run(r, &ev, "exit0", cmd, NULL, 0), "a command leaving a TERM-trapping child runs");
	is_int(ev.exit_code, 0, "it exits 0");
	ok(exists("exit0.clean"), "the child finished its cleanup before EXITED was reported");
	is_int(ev.leftover, RUNNER_LEFTOVER_TERM, "leftover: gone after SIGTERM");
	ok(ev.duration >= 0.9 && ev.duration < 4.5, "EXITED waited for the child (%.2fs)", ev.duration);
	free(child);
	free(cmd);

	/* nothing left behind: no waiting at all */
	ok(!run(r, &ev, "quick", "sleep 30 & exit 0", NULL, 0), "a command leaving a plain sleep runs");
	is_int(ev.leftover, RUNNER_LEFTOVER_TERM, "leftover: the sleep, gone at SIGTERM");
	ok(ev.duration < 2, "reported without waiting out the grace (%.2fs)", ev.duration);
	ok(!run(r, &ev, "none", "exit 0", NULL, 0), "a command leaving nothing runs");
	is_int(ev.leftover, RUNNER_LEFTOVER_NONE, "leftover: none");

	/* a child that ignores SIGTERM: SIGKILL when the grace period ends */
	r->grace = 0.5;
	ok(!run(r, &ev, "ign", "sh -c 'trap \"\" TERM; echo $$ > ign.pid; : > ign.ready; "
		"while :; do sleep 0.05; done' & while ! test -e ign.ready; do sleep 0.01; done; exit 0",
		NULL, 0), "a command leaving a TERM-ignoring child runs");
	is_int(ev.exit_code, 0, "it exits 0");
	is_int(ev.leftover, RUNNER_LEFTOVER_KILL, "leftover: SIGKILLed");
	ok(ev.duration >= 0.45 && ev.duration < 4, "after the grace period (%.2fs)", ev.duration);
	s = slurp("ign.pid");
	bg = atol(s);
	free(s);
	ok(bg > 1 && is_dead(bg), "the child is dead when EXITED is reported");

	/* timeout: the leader dies at SIGTERM, its child still cleans up */
	r->grace = 5;
	child = trapping_child("tmo");
	cmd = xstrfmt("%s sleep 30", child);
	t0 = now_mono();
	spec.id = "tmo";
	spec.command = cmd;
	spec.cwd = tmp;
	spec.log_path = log;
	spec.timeout = 60;
	ok(!runner_start(r, &spec), "a command with a TERM-trapping child starts");
	/* -- the deadline is moved only once the child is ready: no race */
	ok(!wait_file("tmo.ready"), "its child is ready");
	ok(!runner_expire(r, "tmo"), "runner_expire makes its timeout due now");
	ok(!wait_exit(r, &ev, 15), "it is reported");
	is_int(ev.timed_out, 1, "timed out");
	is_int(ev.signal, SIGTERM, "the leader died of SIGTERM");
	ok(exists("tmo.clean"), "the child finished its cleanup before EXITED was reported");
	ok(now_mono() - t0 < 4.5, "without waiting out the whole grace period");
	is_int(runner_expire(r, "tmo"), -1, "runner_expire of a task no longer running is -1");
	free(child);
	free(cmd);

	/* terminate_all (SIGINT): the same grace for the whole group */
	child = trapping_child("int");
	cmd = xstrfmt("%s sleep 30", child);
	spec.id = "int";
	spec.command = cmd;
	spec.timeout = 0;
	ok(!runner_start(r, &spec), "another command with a TERM-trapping child starts");
	ok(!wait_file("int.ready"), "its child is ready");
	terminated_any = 0;
	runner_terminate_all(r, on_any_terminated, NULL);
	is_int(terminated_any, 1, "terminate_all reports it");
	ok(exists("int.clean"), "after its child finished its cleanup");
	is_int(runner_running(r), 0, "nothing running");
	free(child);
	free(cmd);
	free(log);
}

static void test_big_output(struct runner *r)
{
	struct runner_event ev;
	struct stat st;
	char *log = path("big.log");

	ok(!run(r, &ev, "big", "head -c 20000000 /dev/zero | tr '\\0' x", NULL, 30),
	   "20 MB of output runs");
	is_int(ev.exit_code, 0, "it exits 0");
	is_int(ev.timed_out, 0, "without hanging");
	ok(!stat(log, &st), "the log exists");
	is_int(st.st_size, 20000000, "and holds every byte");
	unlink(log);
	free(log);
}

/* Make tmp/go-<id>, which the command of <id> in test_concurrent waits for. */
static int release(const char *id)
{
	char *go = xstrfmt("%s/go-%s", tmp, id);
	FILE *f = fopen(go, "w");

	free(go);
	return f ? fclose(f) : -1;
}

static void test_concurrent(struct runner *r)
{
	static const char *ids[] = { "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7" };
	struct runner_event ev;
	int i, order_ok = 1, counts_ok = 1, pids_ok = 1;
	int seen = 0;

	/*
	 * Started c7 first, released c0 first: each waits for its go-<id>
	 * file, which the loop below makes one at a time, so completion order
	 * is the reverse of start order whatever the machine's load.
	 */
	for (i = 7; i >= 0; i--) {
		struct runner_spec spec = { 0 };
		char *cmd = xstrfmt("while ! test -e go-%s; do sleep 0.02; done", ids[i]);
		char *log = xstrfmt("%s/%s.log", tmp, ids[i]);

		spec.id = ids[i];
		spec.command = cmd;
		spec.cwd = tmp;
		spec.log_path = log;
		spec.data = (void *)ids[i];
		if (runner_start(r, &spec) < 0)
			pids_ok = 0;
		free(cmd);
		free(log);
	}
	is_int(runner_running(r), 8, "8 commands running");
	for (i = 0; i < 8; i++) {
		pid_t pid = runner_pid(r, ids[i]);
		if (pid <= 0 || getpgid(pid) != pid)
			pids_ok = 0;
	}
	ok(pids_ok, "each one leads its own process group");
	is_int(runner_pid(r, "nope"), 0, "runner_pid of an unknown ID is 0");

	while (seen < 8) {
		if (release(ids[seen]) < 0 || wait_exit(r, &ev, 10) < 0)
			break;
		if (strcmp(ev.id, ids[seen]) || ev.data != ids[seen] || ev.exit_code)
			order_ok = 0;
		if (runner_running(r) != (size_t)(7 - seen))
			counts_ok = 0;
		if (runner_pid(r, ev.id))
			counts_ok = 0;
		seen++;
	}
	for (i = seen; i < 8; i++)	/* on failure, release the rest */
		release(ids[i]);
	is_int(seen, 8, "8 EXITED events");
	ok(order_ok, "events arrive in completion order, with their data");
	ok(counts_ok, "runner_running counts down");
}

static void test_tick(struct runner *r)
{
	struct runner_event ev;
	double t0 = now_mono(), dt;

	ok(!runner_wait(r, &ev, 100), "wait with nothing running");
	dt = now_mono() - t0;
	is_int(ev.kind, RUNNER_TICK, "gives a TICK");
	ok(dt >= 0.09 && dt < 5, "after the tick (%.3fs)", dt);
}

static int terminated;
static void on_terminated(const struct runner_event *ev, void *cb)
{
	int *sig = cb;

	if (ev->kind == RUNNER_EXITED && !strcmp(ev->id, "long")) {
		terminated++;
		*sig = ev->signal;
	}
}

static void test_interrupt(struct runner *r)
{
	struct runner_spec spec = { 0 };
	struct runner_event ev;
	char *log = path("long.log");
	int sig = 0, st;
	pid_t pid;
	double t0;

	spec.id = "long";
	spec.command = "sleep 10";
	spec.cwd = tmp;
	spec.log_path = log;
	ok(!runner_start(r, &spec), "sleep 10 starts");
	pid = runner_pid(r, "long");

	ok(!runner_wait(r, &ev, 100), "a wait while it runs");
	is_int(ev.kind, RUNNER_TICK, "gives a TICK");
	is_int(runner_running(r), 1, "and it still runs");

	kill(getpid(), SIGINT);
	ok(!runner_wait(r, &ev, 5000), "wait after SIGINT");
	is_int(ev.kind, RUNNER_INTERRUPTED, "gives INTERRUPTED");
	is_int(ev.sig, SIGINT, "for SIGINT");
	is_int(r->interrupted, SIGINT, "r->interrupted is set");
	is_int(runner_running(r), 1, "the runner killed nothing itself");
	ok(pid > 0 && !kill(pid, 0), "the group is alive");

	r->grace = 5;
	t0 = now_mono();
	runner_terminate_all(r, on_terminated, &sig);
	ok(now_mono() - t0 < 3, "terminate_all is quick for a willing command");
	is_int(terminated, 1, "and reports it");
	is_int(sig, SIGTERM, "killed by SIGTERM");
	is_int(runner_running(r), 0, "nothing running");

	/* a stubborn one: SIGKILL after the grace period */
	r->grace = 0.3;
	spec.command = "trap '' TERM; : >stubborn.ready; sleep 10";
	ok(!runner_start(r, &spec), "a stubborn command starts");
	wait_ready("stubborn.ready");	/* sh has installed its trap */
	terminated = 0;
	t0 = now_mono();
	runner_terminate_all(r, on_terminated, &sig);
	ok(now_mono() - t0 < 3, "terminate_all does not wait for it");
	is_int(terminated, 1, "and reports it");
	is_int(sig, SIGKILL, "killed by SIGKILL");

	/* a second signal during terminate_all cuts the grace period short */
	r->grace = 5;
	ok(!runner_start(r, &spec), "another stubborn command starts");
	wait_ready("stubborn.ready");
	terminated = 0;
	kill(getpid(), SIGTERM);
	t0 = now_mono();
	runner_terminate_all(r, on_terminated, &sig);
	ok(now_mono() - t0 < 3, "SIGTERM to us during terminate_all skips the grace");
	is_int(terminated, 1, "and reports it");
	is_int(sig, SIGKILL, "killed by SIGKILL");

	/* a child reaped behind the runner's back is reported, not waited for */
	spec.command = "exit 5";
	ok(!runner_start(r, &spec), "exit 5 starts");
	pid = runner_pid(r, "long");
	ok(pid > 0 && waitpid(pid, &st, 0) == pid, "reaped by someone else");
	fprintf(stderr, "# expect an error about a task reaped elsewhere:\n");
	ok(!wait_exit(r, &ev, 5), "the runner still reports it");
	is_int(ev.exit_code, -1, "with exit_code -1");
	is_int(runner_running(r), 0, "nothing running");

	errno = 0;
	ok(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "no zombies left");

	/* a closed terminal: SIGHUP is an interruption like SIGINT */
	r->interrupted = 0;
	kill(getpid(), SIGHUP);
	ok(!runner_wait(r, &ev, 5000), "wait after SIGHUP");
	is_int(ev.kind, RUNNER_INTERRUPTED, "gives INTERRUPTED");
	is_int(ev.sig, SIGHUP, "for SIGHUP");
	is_int(r->interrupted, SIGHUP, "r->interrupted is SIGHUP");
	is_str(runner_signal_name(ev.sig), "SIGHUP", "runner_signal_name names it");

	/* the front-end heard EPIPE on its stdout: the same stop */
	runner_interrupt(r, SIGPIPE);
	ok(!runner_wait(r, &ev, 5000), "wait after runner_interrupt(SIGPIPE)");
	is_int(ev.kind, RUNNER_INTERRUPTED, "gives INTERRUPTED");
	is_int(ev.sig, SIGPIPE, "for SIGPIPE");
	runner_interrupt(r, SIGUSR1);
	ok(!runner_wait(r, &ev, 50), "wait after runner_interrupt(SIGUSR1)");
	is_int(ev.kind, RUNNER_TICK, "an unknown signal is not an interruption");
	free(log);
}

int main(void)
{
	struct runner r;
	struct sigaction orig_int, orig_chld, orig_hup, orig_pipe;

	sigaction(SIGINT, NULL, &orig_int);
	sigaction(SIGCHLD, NULL, &orig_chld);
	sigaction(SIGHUP, NULL, &orig_hup);
	sigaction(SIGPIPE, NULL, &orig_pipe);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	if (!ok(!runner_init(&r, 5), "runner_init"))
		return tap_done();
	{
		struct runner r2;
		fprintf(stderr, "# expect an error about an active runner:\n");
		is_int(runner_init(&r2, 1), -1, "only one runner at a time");
	}

	test_exit_codes(&r);
	test_log_open_failure(&r);
	test_cwd(&r);
	test_hold(&r);
	test_stdin(&r);
	test_env(&r);
	test_signal_state(&r);
	test_timeouts(&r);
	test_background_child(&r);
	test_group_grace(&r);
	test_big_output(&r);
	test_concurrent(&r);
	test_tick(&r);
	test_interrupt(&r);

	runner_release(&r);
	{
		struct sigaction sa;
		sigaction(SIGINT, NULL, &sa);
		ok(sa.sa_handler == orig_int.sa_handler, "runner_release restores SIGINT");
		sigaction(SIGCHLD, NULL, &sa);
		ok(sa.sa_handler == orig_chld.sa_handler, "runner_release restores SIGCHLD");
		sigaction(SIGHUP, NULL, &sa);
		ok(sa.sa_handler == orig_hup.sa_handler, "runner_release restores SIGHUP");
		sigaction(SIGPIPE, NULL, &sa);
		ok(sa.sa_handler == orig_pipe.sa_handler, "runner_release restores SIGPIPE");
	}

	{
		char *cmd = xstrfmt("rm -rf '%s'", tmp);
		if (system(cmd))
			fprintf(stderr, "# could not remove %s\n", tmp);
		free(cmd);
	}
	return tap_done();
}
