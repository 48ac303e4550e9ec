/*
 * Unit tests for src/util.c's file writers: write_file_quietly() (the
 * one quiet writer of state.c's cache and merge.c's index copy) writes
 * atomically, reports nothing and leaves nothing behind when it fails;
 * prune_dead_tmp() removes the scratch files of dead processes only;
 * gp_child_stop() stops a child and what it started (deadlines: t-spawn).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gp/util.h"
#include "tap.h"

static int stderr_to(const char *path)
{
	int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	return saved;
}

static void stderr_back(int saved)
{
	report_flush();	/* error() holds its line back */
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

static size_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? (size_t)-1 : (size_t)st.st_size;
}

static void test_write_quietly(const char *dir)
{
	char *path = xstrfmt("%s/cache", dir), *tmp = tmp_path(path);
	char *err = xstrfmt("%s/stderr", dir), *sub = xstrfmt("%s/sub", dir);
	char *intodir = tmp_path(sub), *gone = xstrfmt("%s/no/such/file", dir);
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int saved, rc, e;

	is_int(write_file_quietly(path, "one\n", 4, 0600), 0, "a quiet write writes");
	strbuf_read_file(&sb, path);
	is_str(sb.buf, "one\n", "with the content given");
	ok(!stat(path, &st) && (st.st_mode & 07777) == 0600, "and the mode given");
	ok(access(tmp, F_OK) < 0, "no temporary file is left");

	/* a temporary file of this pid left by a dead process that had it */
	close(open(tmp, O_WRONLY | O_CREAT, 0600));
	is_int(write_file_quietly(path, "two\n", 4, 0600), 0,
	       "a stale temporary file by this pid's name does not stop it");
	strbuf_reset(&sb);
	strbuf_read_file(&sb, path);
	is_str(sb.buf, "two\n", "the file is written again");
	ok(access(tmp, F_OK) < 0, "and the stale temporary file is gone");

	saved = stderr_to(err);
	errno = 0;
	rc = write_file_quietly(gone, "x", 1, 0600);
	e = errno;
	stderr_back(saved);
	is_int(rc, -1, "a write into a missing directory fails");
	is_int(e, ENOENT, "with errno kept");

	/* the rename fails (a directory is there): the temporary file goes */
	mkdir(sub, 0700);
	saved = stderr_to(err);
	rc = write_file_quietly(sub, "x", 1, 0600);
	stderr_back(saved);
	is_int(rc, -1, "a write over a directory fails");
	ok(access(intodir, F_OK) < 0, "and leaves no temporary file");
	is_int((long)file_size(err), 0, "nothing is reported");

	saved = stderr_to(err);
	rc = write_file_atomic(sub, "x", 1, 0600);
	stderr_back(saved);
	is_int(rc, -1, "write_file_atomic() fails there too");
	ok(file_size(err) > 0 && file_size(err) != (size_t)-1, "and says why");
	ok(access(intodir, F_OK) < 0, "and leaves no temporary file");

	unlink(path);
	unlink(err);
	rmdir(sub);
	strbuf_release(&sb);
	free(gone);
	free(intodir);
	free(sub);
	free(err);
	free(tmp);
	free(path);
}

static long dead_pid(void)
{
	pid_t pid;

	/* the child must not write our buffered TAP lines again (valgrind) */
	fflush(stdout);
	pid = fork();

	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	return (long)pid;
}

static int touch(const char *dir, const char *name)
{
	char *path = xstrfmt("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	free(path);
	if (fd < 0)
		return -1;
	return close(fd);
}

static int there(const char *dir, const char *name)
{
	char *path = xstrfmt("%s/%s", dir, name);
	int ret = !access(path, F_OK);

	unlink(path);	/* the next case starts empty */
	free(path);
	return ret;
}

static void test_prune(const char *dir)
{
	static const char *const stems[] = { "gp-clock", NULL };
	long dead = dead_pid(), me = (long)getpid(), parent = (long)getppid();
	char name[7][64];
	int i;

	snprintf(name[0], 64, "tasks.tmp.%ld", dead);
	snprintf(name[1], 64, "x.tmp.y.tmp.%ld", dead);
	snprintf(name[2], 64, "tasks.tmp.%ld", me);
	snprintf(name[3], 64, "tasks.tmp.%ld", parent);
	snprintf(name[4], 64, "tasks.tmp.%ldx", dead);
	snprintf(name[5], 64, "tasks.tmp.");
	snprintf(name[6], 64, "gp-clock.tmp.%ld", dead);
	for (i = 0; i < 7; i++)
		touch(dir, name[i]);
	prune_dead_tmp(dir, NULL);
	ok(!there(dir, name[0]), "a dead pid's temporary file goes");
	ok(!there(dir, name[1]), "the last .tmp. names the pid");
	ok(there(dir, name[2]), "this process's own stays");
	ok(there(dir, name[3]), "a live process's stays");
	ok(there(dir, name[4]), "a name that does not end in a pid stays");
	ok(there(dir, name[5]), "a name with no pid stays");
	ok(!there(dir, name[6]), "any stem when none is given");

	touch(dir, name[0]);
	touch(dir, name[6]);
	prune_dead_tmp(dir, stems);
	ok(there(dir, name[0]), "with stems, another name stays");
	ok(!there(dir, name[6]), "and a stem's dead file goes");
}

/*
 * Wait (10 s at most) until /proc/<pid>/<file> says done(), or cannot
 * be read (the process is gone).
 */
static void proc_wait(pid_t pid, const char *file, int (*done)(const char *buf, size_t n, const void *arg),
		      const void *arg)
{
	char path[64], buf[512];
	double t0 = gp_now();

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	while (gp_now() - t0 < 10) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = '\0';
		if (!n || done(buf, n, arg))
			return;
		usleep(1000);
	}
}

/* "pid (comm) state ...": comm may hold anything, up to the last ')' */
static int is_stopped(const char *stat, size_t n, const void *arg)
{
	const char *p = strrchr(stat, ')');

	(void)n;
	(void)arg;
	return p && (p[2] == 'T' || p[2] == 't');
}

static int runs(const char *comm, size_t n, const void *arg)
{
	size_t len = strlen(arg);

	return n == len + 1 && !memcmp(comm, arg, len);
}

/*
 * Wait until pid is stopped: a SIGSTOP takes effect when the process
 * next runs, and had a SIGTERM come first it would be taken first (the
 * lower number) and end it.
 */
static void wait_stopped(pid_t pid)
{
	proc_wait(pid, "stat", is_stopped, NULL);
}

/*
 * Wait until pid runs the program comm: under valgrind a child forked
 * but not yet exec'd has every signal blocked (valgrind's own code runs
 * so), and the program it execs inherits that mask: a SIGTERM sent
 * before would stay pending, never taken.
 */
static void wait_exec(pid_t pid, const char *comm)
{
	proc_wait(pid, "comm", runs, comm);
}

/* A child that starts a grandchild (its pid written to pfd), then waits for it. */
static pid_t sleeper(int pfd, int ignore_term)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		pid_t g = fork();

		if (!g) {
			execlp("sleep", "sleep", "30", (char *)NULL);
			_exit(127);
		}
		if (ignore_term)
			signal(SIGTERM, SIG_IGN);
		(void)!write(pfd, &g, sizeof(g));
		waitpid(g, NULL, 0);
		_exit(3);
	}
	return pid;
}

static void test_deadlines(void)
{
	int p[2], status = 0;
	pid_t pid, g = 0;
	double t0;

	/* a child waiting for a grandchild that sleeps: stopped, both */
	if (pipe(p) < 0)
		return;
	pid = sleeper(p[1], 0);
	close(p[1]);
	(void)!read(p[0], &g, sizeof(g));
	close(p[0]);
	wait_exec(g, "sleep");
	t0 = gp_now();
	gp_child_stop(pid, &status);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 3,
	   "its driver was stopped first: the child ended by itself");
	ok(kill(g, 0) < 0 && errno == ESRCH, "the grandchild is gone");
	ok(gp_now() - t0 < 10, "well before the grandchild's 30 s");

	/* a child that ignores SIGTERM: SIGKILL after the grace */
	if (pipe(p) < 0)
		return;
	pid = sleeper(p[1], 1);
	close(p[1]);
	(void)!read(p[0], &g, sizeof(g));
	close(p[0]);
	kill(g, SIGSTOP);	/* the grandchild does not end on SIGTERM either */
	wait_stopped(g);	/* else a SIGTERM pending with it is taken first */
	gp_child_stop(pid, &status);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "ignoring SIGTERM: killed");
	kill(g, SIGKILL);
	waitpid(g, NULL, WNOHANG);
}

/* "+++ " labels as git 2.39 writes them (core.quotePath on), and what they name */
static void test_unquote(void)
{
	static const struct { const char *text, *name; } cases[] = {
		{ "b/plain.txt", "b/plain.txt" },
		{ "b/a b.txt\t", "b/a b.txt" },
		{ "\"b/\\303\\251.txt\"", "b/\303\251.txt" },
		{ "\"b/new \\303\\251 b.txt\"\t", "b/new \303\251 b.txt" },
		{ "\"b/q\\\"t.txt\"", "b/q\"t.txt" },
		{ "\"b/back\\\\slash\"", "b/back\\slash" },
		{ "\"b/tab\\there\"", "b/tab\there" },
		{ "\"b/new\\nline\"", "b/new\nline" },
		{ "\"b/bell\\a\\001\"", "b/bell\a\001" },
	};
	static const char *const bad[] = {
		"", "\"b/open", "\"b/x\"y", "\"b/\\q\"", "\"b/\\30\"", "\"b/\\3x1\"",
		"b/no space\there", "b/tab\t", "\"b/x\"\t", "\"\"",
	};
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = unquote_patch_name(&sb, cases[i].text, strlen(cases[i].text));

		ok(!rc && !strcmp(sb.buf, cases[i].name), "unquote_patch_name: %s", cases[i].text);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		is_int(unquote_patch_name(&sb, bad[i], strlen(bad[i])), -1,
		       "unquote_patch_name refuses: %s", bad[i]);
	strbuf_release(&sb);
}

int main(void)
{
	char tmpl[] = "/tmp/t-util.XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return 1;
	test_write_quietly(dir);
	test_prune(dir);
	test_deadlines();
	test_unquote();
	rmdir(dir);
	return tap_done();
}
