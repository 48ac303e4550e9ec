/*
 * error(), warning(), die() and report_exit(): the line that explains an
 * exit 128 is one "fatal: " line, the last; order is kept; a signal or an
 * exit() does not lose a held-back error.  Each case runs in a child whose
 * stdout and stderr go to one pipe, read back here.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gp/util.h"
#include "tap.h"

/* Run fn in a child, stdout and stderr into one pipe: its output and wait status. */
static void run_case(void (*fn)(void), struct strbuf *out, int *status)
{
	int p[2];
	pid_t pid;
	char buf[4096];
	ssize_t n;

	strbuf_reset(out);
	fflush(stdout);
	if (pipe(p) < 0)
		exit(99);
	pid = fork();
	if (pid < 0)
		exit(99);
	if (!pid) {
		close(p[0]);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[1]);
		/* as when stdout is a pipe: fully buffered */
		setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
		fn();
		_exit(97);	/* fn() must end the process itself */
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		strbuf_add(out, buf, (size_t)n);
	close(p[0]);
	waitpid(pid, status, 0);
}

static void one_error_128(void)
{
	error("cannot read 'tasks.md'");
	exit(report_exit(128));
}

static void one_error_1(void)
{
	error("task 'T1' failed");
	exit(report_exit(1));
}

static void two_errors_128(void)
{
	error("tasks.md:3: bad line");
	error("no plan saved");
	exit(report_exit(128));
}

static void error_warning_128(void)
{
	error("cannot lock 'x'");
	warning("could not remove 'y'");
	exit(report_exit(128));
}

static void nothing_128(void)
{
	exit(report_exit(128));
}

static void error_then_die(void)
{
	error("first");
	die("second");
}

static void error_then_sigterm(void)
{
	report_setup();
	error("held back when the signal came");
	raise(SIGTERM);
	_exit(96);
}

static void error_then_exit(void)
{
	report_setup();
	error("printed by exit()");
	exit(3);
}

static void error_then_child(void)
{
	pid_t pid;

	report_setup();
	error("before the child");
	pid = fork();
	if (!pid) {
		static const char msg[] = "child line\n";

		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(1);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	exit(report_exit(128));
}

static void stdout_order(void)
{
	printf("out 1\n");
	error("the error");
	printf("out 2\n");
	warning("the warning");
	printf("out 3\n");
	exit(report_exit(1));
}

static void escaped(void)
{
	error("a\033[2Jb");
	exit(report_exit(128));
}

static void flush_then_raw(void)
{
	error("heading:");
	report_flush();
	fprintf(stderr, "\tpath\n");
	error("the end");
	exit(report_exit(128));
}

/*
 * Each case: what the child prints (stdout and stderr in one stream) and
 * how it ends.  A NULL "out" means exactly one line, starting "fatal: ".
 * "sig" set: the child must die of that signal; otherwise exit "code".
 */
static const struct report_case {
	void (*fn)(void);
	const char *out;
	int code, sig;
	const char *what;
} cases[] = {
	{ one_error_128, "fatal: cannot read 'tasks.md'\n", 128, 0,
	  "an error before exit 128 is its fatal: line" },
	{ one_error_1, "error: task 'T1' failed\n", 1, 0,
	  "an error before exit 1 stays error:" },
	{ two_errors_128, "error: tasks.md:3: bad line\nfatal: no plan saved\n", 128, 0,
	  "only the last error becomes fatal:, the earlier ones are context" },
	{ error_warning_128, "error: cannot lock 'x'\nwarning: could not remove 'y'\nfatal: cannot lock 'x'\n", 128, 0,
	  "a warning after the error keeps the order; the error is said again as fatal:" },
	{ nothing_128, NULL, 128, 0,
	  "exit 128 without a message still ends with one fatal: line" },
	{ error_then_die, "error: first\nfatal: second\n", 128, 0,
	  "die() after an error: error:, then its fatal:" },
	{ error_then_sigterm, "error: held back when the signal came\n", 0, SIGTERM,
	  "a signal prints the held-back error" },
	{ error_then_exit, "error: printed by exit()\n", 3, 0,
	  "exit() prints the held-back error" },
	{ error_then_child, "error: before the child\nchild line\nfatal: before the child\n", 128, 0,
	  "fork() prints the held-back error before the child can write" },
	{ stdout_order, "out 1\nerror: the error\nout 2\nwarning: the warning\nout 3\n", 1, 0,
	  "stdout and stderr lines stay in the order they were written" },
	{ escaped, "fatal: a\\033[2Jb\n", 128, 0,
	  "control characters are escaped in fatal: too" },
	{ flush_then_raw, "error: heading:\n\tpath\nfatal: the end\n", 128, 0,
	  "report_flush() lets a command print context between error: and fatal:" },
};

int main(void)
{
	struct strbuf out = STRBUF_INIT;
	size_t i;
	int st;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct report_case *c = &cases[i];

		run_case(c->fn, &out, &st);
		if (c->out)
			is_str(out.buf, c->out, "%s", c->what);
		else
			ok(!strncmp(out.buf, "fatal: ", 7) && strchr(out.buf, '\n') &&
			   !strchr(out.buf, '\n')[1], "%s", c->what);
		if (c->sig)
			ok(WIFSIGNALED(st) && WTERMSIG(st) == c->sig, "... and still kills with signal %d", c->sig);
		else
			ok(WIFEXITED(st) && WEXITSTATUS(st) == c->code, "... exit %d", c->code);
	}

	strbuf_release(&out);
	return tap_done();
}
