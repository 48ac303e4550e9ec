/*
 * Unit tests for src/spawn.c: the one way git-parallel starts a child
 * (argv, cwd, stdio, the environment policy of spawn.h, the deadline).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gp/spawn.h"
#include "tap.h"

/* The value of name in env's output (one "NAME=value" a line), or NULL; caller frees. */
static char *env_value(const struct strbuf *out, const char *name)
{
	size_t len = strlen(name);
	const char *p = out->buf;

	while (p && *p) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, name, len) && p[len] == '=') {
			size_t vlen = nl ? (size_t)(nl - p) - len - 1 : strlen(p + len + 1);
			char *v = xcalloc(vlen + 1, 1);

			memcpy(v, p + len + 1, vlen);
			return v;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static int has_value(const struct strbuf *out, const char *name, const char *want)
{
	char *v = env_value(out, name);
	int same = (!v && !want) || (v && want && !strcmp(v, want));

	if (!same)
		printf("#   %s: got '%s', want '%s'\n", name, v ? v : "(unset)", want ? want : "(unset)");
	free(v);
	return same;
}

static void test_environment(void)
{
	static const char *const argv[] = { "env", NULL };
	static const char *const extra[] = { "GP_EXTRA=1", "GP_DROP", "GIT_INDEX_FILE=/scratch/index",
					     NULL };
	struct spawn sp = SPAWN_INIT;
	struct strbuf out = STRBUF_INIT;

	setenv("GIT_DIR", "/elsewhere/.git", 1);
	setenv("GIT_WORK_TREE", "/elsewhere", 1);
	setenv("GIT_INDEX_FILE", "/elsewhere/index", 1);
	setenv("GIT_COMMON_DIR", "/elsewhere/.git", 1);
	setenv("GIT_OBJECT_DIRECTORY", "/elsewhere/objects", 1);
	setenv("GIT_ALTERNATE_OBJECT_DIRECTORIES", "/elsewhere/alt", 1);
	setenv("GIT_IMPLICIT_WORK_TREE", "0", 1);
	setenv("GIT_PREFIX", "sub/", 1);
	setenv("GIT_NAMESPACE", "ns", 1);
	setenv("GIT_DIFF_OPTS", "--unified=5", 1);
	setenv("GIT_CONFIG_PARAMETERS", "'core.abbrev'='12'", 1);
	setenv("GIT_CONFIG_COUNT", "1", 1);
	setenv("GIT_CONFIG_KEY_0", "merge.conflictStyle", 1);
	setenv("GIT_CONFIG_VALUE_0", "diff3", 1);
	setenv("GIT_CONFIG_GLOBAL", "/home/u/.gitconfig", 1);
	setenv("GP_DROP", "x", 1);

	sp.argv = argv;
	sp.git_dir = "/repo/.git";
	sp.out = SPAWN_PIPE;
	is_int(spawn_run(&sp, &out, 0), 0, "env runs");
	ok(has_value(&out, "GIT_DIR", "/repo/.git"), "GIT_DIR is the child's repository");
	ok(has_value(&out, "GIT_WORK_TREE", NULL), "GIT_WORK_TREE unset without a work tree");
	ok(has_value(&out, "GIT_INDEX_FILE", NULL), "GIT_INDEX_FILE unset");
	ok(has_value(&out, "GIT_COMMON_DIR", NULL) && has_value(&out, "GIT_OBJECT_DIRECTORY", NULL) &&
	   has_value(&out, "GIT_ALTERNATE_OBJECT_DIRECTORIES", NULL) &&
	   has_value(&out, "GIT_IMPLICIT_WORK_TREE", NULL) && has_value(&out, "GIT_PREFIX", NULL) &&
	   has_value(&out, "GIT_NAMESPACE", NULL) && has_value(&out, "GIT_DIFF_OPTS", NULL),
	   "the other variables of another repository unset");
	ok(has_value(&out, "GIT_CONFIG_PARAMETERS", "'core.abbrev'='12'") &&
	   has_value(&out, "GIT_CONFIG_COUNT", "1") &&
	   has_value(&out, "GIT_CONFIG_KEY_0", "merge.conflictStyle") &&
	   has_value(&out, "GIT_CONFIG_VALUE_0", "diff3") &&
	   has_value(&out, "GIT_CONFIG_GLOBAL", "/home/u/.gitconfig"),
	   "the user's git -c and config files reach git");
	ok(has_value(&out, "GP_DROP", "x") && has_value(&out, "GP_EXTRA", NULL),
	   "other variables inherited as they are");

	strbuf_reset(&out);
	spawn_init(&sp);
	sp.argv = argv;
	sp.git_dir = "/repo/.git/worktrees/t";
	sp.work_tree = "/wt";
	sp.env = extra;
	sp.out = SPAWN_PIPE;
	is_int(spawn_run(&sp, &out, 0), 0, "env runs with the caller's variables");
	ok(has_value(&out, "GIT_DIR", "/repo/.git/worktrees/t") &&
	   has_value(&out, "GIT_WORK_TREE", "/wt"), "GIT_DIR and GIT_WORK_TREE are the worktree's");
	ok(has_value(&out, "GP_EXTRA", "1") && has_value(&out, "GP_DROP", NULL) &&
	   has_value(&out, "GIT_INDEX_FILE", "/scratch/index"),
	   "the caller's variables set and unset, last");

	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_COMMON_DIR");
	unsetenv("GIT_OBJECT_DIRECTORY");
	unsetenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	unsetenv("GIT_IMPLICIT_WORK_TREE");
	unsetenv("GIT_PREFIX");
	unsetenv("GIT_NAMESPACE");
	unsetenv("GIT_DIFF_OPTS");
	unsetenv("GIT_CONFIG_PARAMETERS");
	unsetenv("GIT_CONFIG_COUNT");
	unsetenv("GIT_CONFIG_KEY_0");
	unsetenv("GIT_CONFIG_VALUE_0");
	unsetenv("GIT_CONFIG_GLOBAL");
	unsetenv("GP_DROP");
	strbuf_release(&out);
}

static int sh(struct strbuf *out, const char *script, int err, unsigned flags, const char *dir)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct spawn sp = SPAWN_INIT;

	sp.argv = argv;
	sp.dir = dir;
	sp.out = out ? SPAWN_PIPE : SPAWN_NULL;
	sp.err = err;
	sp.flags = flags;
	return spawn_run(&sp, out, 0);
}

static void test_stdio(void)
{
	static const char *const cat[] = { "cat", NULL };
	struct spawn sp = SPAWN_INIT;
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char tmpl[] = "/tmp/gp-spawn-XXXXXX", *dir = mkdtemp(tmpl), *real;

	strbuf_addstr(&in, "line one\nline two\n");
	sp.argv = cat;
	sp.input = &in;
	sp.out = SPAWN_PIPE;
	is_int(spawn_run(&sp, &out, 0), 0, "cat runs");
	is_str(out.buf, "line one\nline two\n", "stdin from input, stdout to a pipe");

	strbuf_reset(&out);
	spawn_init(&sp);
	sp.argv = cat;
	sp.out = SPAWN_PIPE;
	is_int(spawn_run(&sp, &out, 0), 0, "cat without input");
	is_int((long)out.len, 0, "stdin from /dev/null by default");

	strbuf_reset(&in);
	while (in.len <= SPAWN_INPUT_MAX)
		strbuf_addstr(&in, "0123456789abcdef\n");
	spawn_init(&sp);
	sp.argv = cat;
	sp.input = &in;
	errno = 0;
	ok(spawn_start(&sp) < 0 && errno == E2BIG && sp.pid == 0,
	   "input over SPAWN_INPUT_MAX refused before anything starts");

	strbuf_reset(&out);
	is_int(sh(&out, "echo out; echo err >&2", SPAWN_TO_OUT, 0, NULL), 0, "sh runs");
	is_str(out.buf, "out\nerr\n", "SPAWN_TO_OUT: stderr where stdout goes");
	strbuf_reset(&out);
	is_int(sh(&out, "echo out; echo err >&2", SPAWN_NULL, 0, NULL), 0, "sh runs again");
	is_str(out.buf, "out\n", "SPAWN_NULL: stderr discarded");

	strbuf_reset(&out);
	is_int(sh(&out, "pwd -P", SPAWN_INHERIT, 0, dir), 0, "pwd runs");
	real = realpath(dir, NULL);
	if (out.len && out.buf[out.len - 1] == '\n')
		strbuf_setlen(&out, out.len - 1);
	is_str(out.buf, real, "the child runs in dir");
	free(real);
	rmdir(dir);

	{
		int p[2];
		char buf[64];
		ssize_t n;
		const char *argv[] = { "sh", "-c", "echo to-a-descriptor", NULL };

		if (pipe(p) < 0)
			abort();
		spawn_init(&sp);
		sp.argv = argv;
		sp.out = p[1];
		is_int(spawn_start(&sp), 0, "stdout to a descriptor of ours");
		close(p[1]);
		is_int(spawn_wait(&sp, 0), 0, "it exits 0");
		n = read(p[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		is_str(buf, "to-a-descriptor\n", "its output came through our descriptor");
		ok(read(p[0], buf, sizeof(buf)) == 0, "and no child holds our descriptor open");
		close(p[0]);
	}
	strbuf_release(&in);
	strbuf_release(&out);
}

static void test_status(void)
{
	static const char *const missing[] = { "gp-no-such-program-for-t-spawn", NULL };
	struct spawn sp = SPAWN_INIT;
	struct strbuf out = STRBUF_INIT;
	int rc;

	is_int(sh(NULL, "exit 3", SPAWN_INHERIT, 0, NULL), 3, "the exit status");
	spawn_init(&sp);
	{
		const char *argv[] = { "sh", "-c", "kill -TERM $$", NULL };

		sp.argv = argv;
		is_int(spawn_run(&sp, NULL, 0), 128 + SIGTERM, "killed: 128 + the signal");
		is_int(sp.signal, SIGTERM, "and the signal named");
		is_int(sp.pid, 0, "reaped");
	}
	spawn_init(&sp);
	sp.argv = missing;
	errno = 0;
	/* under valgrind posix_spawnp() cannot report exec's error: the child exits 127 */
	rc = spawn_start(&sp);
	ok((rc < 0 && errno == ENOENT) || (!rc && getenv("GP_TEST_SMALL") && spawn_wait(&sp, 0) == 127),
	   "a program not found: -1, ENOENT");
	spawn_init(&sp);
	sp.argv = missing;
	sp.flags = SPAWN_FORK_FALLBACK;
	is_int(spawn_run(&sp, NULL, 0), 127, "with SPAWN_FORK_FALLBACK: exit 127, as a shell says");

	/* a process group of its own: field 5 of /proc/self/stat is the group */
	strbuf_reset(&out);
	is_int(sh(&out, "read -r pid comm state ppid pgrp rest </proc/self/stat; "
		  "[ \"$pgrp\" = \"$pid\" ] && echo leader", SPAWN_INHERIT, SPAWN_NEW_GROUP, NULL), 0,
	       "sh in a group of its own");
	is_str(out.buf, "leader\n", "SPAWN_NEW_GROUP: the child leads its group");
	strbuf_reset(&out);
	is_int(sh(&out, "read -r pid comm state ppid pgrp rest </proc/self/stat; "
		  "[ \"$pgrp\" = \"$pid\" ] && echo leader", SPAWN_INHERIT, 0, NULL), 1,
	       "without it, the child is in our group");

	/* SIGTERM blocked here: kept in the child, or unblocked with SPAWN_UNBLOCK (not sh: it unblocks) */
	{
		static const char *const blocked[] = { "grep", "^SigBlk:", "/proc/self/status", NULL };
		sigset_t set, old;
		unsigned long long a = 0, b = 0;
		char *p;

		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, &old);
		strbuf_reset(&out);
		spawn_init(&sp);
		sp.argv = blocked;
		sp.out = SPAWN_PIPE;
		spawn_run(&sp, &out, 0);
		if ((p = strchr(out.buf, ':')))
			a = strtoull(p + 1, NULL, 16);
		strbuf_reset(&out);
		spawn_init(&sp);
		sp.argv = blocked;
		sp.out = SPAWN_PIPE;
		sp.flags = SPAWN_UNBLOCK;
		spawn_run(&sp, &out, 0);
		if ((p = strchr(out.buf, ':')))
			b = strtoull(p + 1, NULL, 16);
		sigprocmask(SIG_SETMASK, &old, NULL);
		ok(a & (1ULL << (SIGTERM - 1)), "the child starts with our mask");
		ok(!(b & (1ULL << (SIGTERM - 1))), "SPAWN_UNBLOCK: SIGTERM unblocked in the child");
	}
	strbuf_release(&out);
}

static void test_deadline(void)
{
	static const char *const sleeper[] = { "sleep", "30", NULL };
	struct spawn sp = SPAWN_INIT;
	struct strbuf out = STRBUF_INIT;
	double t0;
	pid_t pid;
	int status;

	sp.argv = sleeper;
	is_int(spawn_start(&sp), 0, "sleep starts");
	pid = sp.pid;
	t0 = spawn_now();
	is_int(spawn_wait(&sp, t0 + 0.3), SPAWN_TIMED_OUT, "a deadline passed: SPAWN_TIMED_OUT");
	ok(spawn_now() - t0 < 10, "at the deadline, not at the child's end");
	ok(sp.pid == 0 && waitpid(pid, &status, WNOHANG) < 0 && errno == ECHILD,
	   "the child was killed and reaped");

	spawn_init(&sp);
	sp.argv = sleeper;
	sp.out = SPAWN_PIPE;
	t0 = spawn_now();
	is_int(spawn_run(&sp, &out, t0 + 0.3), SPAWN_TIMED_OUT,
	       "a child that never writes nor ends: SPAWN_TIMED_OUT while reading");
	ok(spawn_now() - t0 < 10 && sp.pid == 0 && sp.out_fd < 0, "killed, reaped, pipe closed");

	is_int(sh(NULL, "exit 4", SPAWN_INHERIT, 0, NULL), 4, "no deadline");
	spawn_init(&sp);
	{
		const char *argv[] = { "sh", "-c", "sleep 0.2; echo late; exit 5", NULL };

		sp.argv = argv;
		sp.out = SPAWN_PIPE;
		strbuf_reset(&out);
		is_int(spawn_run(&sp, &out, spawn_now() + 60), 5,
		       "a child that ends before its deadline: its exit status");
		is_str(out.buf, "late\n", "and all its output");
	}
	strbuf_release(&out);
}

/* Is sig's bit set in the mask /proc/self/status shows as field ("SigIgn:") in out? */
static int mask_has(const struct strbuf *out, const char *field, int sig)
{
	const char *p = strstr(out->buf, field);

	return p && (strtoull(p + strlen(field), NULL, 16) >> (sig - 1)) & 1;
}

static void test_exchange(void)
{
	static const char *const cat[] = { "cat", NULL };
	static const char *const early[] = { "sh", "-c", "head -c 1 >/dev/null; echo read one", NULL };
	static const char *const deaf[] = { "sh", "-c", "exec sleep 30", NULL };
	static const char *const status[] = { "cat", "/proc/self/status", NULL };
	struct spawn sp = SPAWN_INIT;
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigset_t pending, set, oldset;
	size_t i;
	double t0;

	/* far more than a pipe holds, both ways: written as read */
	for (i = 0; i < 1024 * 1024; i++)
		strbuf_addch(&in, (char)('a' + i % 26));
	sp.argv = cat;
	sp.in = SPAWN_PIPE;
	sp.out = SPAWN_PIPE;
	is_int(spawn_start(&sp), 0, "cat starts");
	is_int(spawn_exchange(&sp, &in, &out, spawn_now() + 60), 0, "1 MiB through cat");
	ok(out.len == in.len && !memcmp(out.buf, in.buf, in.len), "all of it back, in order");
	ok(sp.in_fd < 0 && sp.out_fd < 0 && sp.pid == 0, "pipes closed, child reaped");

	/* a child that stops reading: no SIGPIPE for us, its answer kept */
	spawn_init(&sp);
	sp.argv = early;
	sp.in = SPAWN_PIPE;
	sp.out = SPAWN_PIPE;
	strbuf_reset(&out);
	is_int(spawn_start(&sp), 0, "a reader of one byte starts");
	is_int(spawn_exchange(&sp, &in, &out, 0), 0, "it stopped reading: no error");
	is_str(out.buf, "read one\n", "its answer");
	sigpending(&pending);
	ok(!sigismember(&pending, SIGPIPE), "no SIGPIPE left pending");

	/* a child that neither reads nor ends: the deadline */
	spawn_init(&sp);
	sp.argv = deaf;
	sp.in = SPAWN_PIPE;
	sp.out = SPAWN_PIPE;
	is_int(spawn_start(&sp), 0, "a deaf child starts");
	t0 = spawn_now();
	is_int(spawn_exchange(&sp, &in, NULL, t0 + 0.3), SPAWN_TIMED_OUT, "the deadline: SPAWN_TIMED_OUT");
	ok(spawn_now() - t0 < 10 && sp.pid == 0 && sp.in_fd < 0, "stopped, reaped, pipes closed");

	/* SPAWN_DEFAULT_SIGNALS: what we ignore or block, the child does not */
	sigaction(SIGPIPE, &ign, &old);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &oldset);
	for (i = 0; i < 2; i++) {
		spawn_init(&sp);
		sp.argv = status;
		sp.out = SPAWN_PIPE;
		sp.flags = i ? SPAWN_DEFAULT_SIGNALS : 0;
		strbuf_reset(&out);
		is_int(spawn_run(&sp, &out, 0), 0, "cat /proc/self/status");
		ok(mask_has(&out, "SigIgn:", SIGPIPE) == !i && mask_has(&out, "SigBlk:", SIGTERM) == !i,
		   i ? "SPAWN_DEFAULT_SIGNALS: SIGPIPE at its default, SIGTERM unblocked" :
		   "without: SIGPIPE ignored, SIGTERM blocked, as ours");
	}
	sigprocmask(SIG_SETMASK, &oldset, NULL);
	sigaction(SIGPIPE, &old, NULL);
	strbuf_release(&in);
	strbuf_release(&out);
}

/*
 * spawn_abort() on a child waiting for a child of its own, as git waits
 * for a merge driver: the driver is stopped first, and the child ends by
 * itself, as git does when its driver fails (and removes its files).
 */
static void test_abort(void)
{
	static const char *const waiter[] = { "sh", "-c", "sleep 30 & echo $!; wait $!; exit 3", NULL };
	struct spawn sp = SPAWN_INIT;
	char buf[64] = "";
	ssize_t got = 0;
	long driver;
	double t0;
	pid_t pid;
	int status;

	sp.argv = waiter;
	sp.in = SPAWN_PIPE;
	sp.out = SPAWN_PIPE;
	sp.err = SPAWN_NULL;	/* sh says "Terminated" */
	is_int(spawn_start(&sp), 0, "a child with a driver below it starts");
	pid = sp.pid;
	while (!strchr(buf, '\n') && got < (ssize_t)sizeof(buf) - 1) {
		ssize_t n = read(sp.out_fd, buf + got, sizeof(buf) - 1 - (size_t)got);

		if (n <= 0)
			break;
		got += n;
		buf[got] = '\0';
	}
	driver = atol(buf);
	ok(driver > 0 && !kill((pid_t)driver, 0), "its driver runs (%ld)", driver);
	t0 = spawn_now();
	spawn_abort(&sp);
	ok(kill((pid_t)driver, 0) < 0 && errno == ESRCH, "spawn_abort(): the driver is gone");
	ok(sp.pid == 0 && waitpid(pid, &status, WNOHANG) < 0 && errno == ECHILD, "the child was reaped");
	is_int(sp.signal, 0, "it ended by itself once its driver was stopped, not by SIGKILL");
	ok(spawn_now() - t0 < 4, "before the grace period ran out");
	ok(sp.in_fd < 0 && sp.out_fd < 0 && sp.err_fd < 0, "our pipe ends closed");
}

int main(void)
{
	test_environment();
	test_stdio();
	test_status();
	test_deadline();
	test_exchange();
	test_abort();
	return tap_done();
}
