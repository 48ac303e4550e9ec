/*
 * Unit tests for the launch of remote workers (src/exec-remote.c) and
 * the workflow export's job IDs (src/export.c): what reaches a command
 * line, word by word.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "gp/exec-remote.h"
#include "gp/export.h"
#include "gp/remote.h"
#include "gp/util.h"
#include "tap.h"

static void test_exec_words(void)
{
	struct strlist av = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT;

	ok(launch_argv(&av, "exec:kubectl run 'gp {id}' --url={remote} -- w {id} {plan}",
		       "file:///r x.git", "abc", "T001", 0, NULL, &why) == 0, "exec template");
	is_int((long)av.nr, 8, "exec: 8 words");
	if (av.nr == 8) {
		is_str(av.v[2], "gp T001", "a quoted word stays one word, {id} inside");
		is_str(av.v[3], "--url=file:///r x.git", "{remote} inside a word, spaces kept");
		is_str(av.v[6], "T001", "{id} alone");
		is_str(av.v[7], "abc", "{plan}");
	}
	strlist_clear(&av);
}

static void test_bad_ids(void)
{
	static const char *bad[] = { "-rf", "a b", "$(x)", "a;b", "a'b", "", "x\ty" };
	struct strlist av = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(bad); k++) {
		strbuf_reset(&why);
		ok(launch_argv(&av, "exec:w {id}", "u", "p", bad[k], 0, NULL, &why) < 0 && !av.nr,
		   "ID '%s' is refused", bad[k]);
	}
	strbuf_release(&why);
	strlist_clear(&av);
}

static void test_ssh(void)
{
	struct strlist av = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT;
	const char *cmd;

	unsetenv("GIT_PARALLEL_SSH");
	ok(launch_argv(&av, "ssh:h1,h2", "ssh://git/x'y.git", "p1", "T7", 1, NULL, &why) == 0, "ssh");
	is_str(av.v[0], "ssh", "ssh by default");
	is_str(av.v[3], "h2", "the host asked for");
	is_str(av.v[4], "--", "then no more options");
	cmd = av.nr == 6 ? av.v[5] : "";
	ok(strstr(cmd, "exec git parallel worker 'ssh://git/x'\\''y.git' 'T7'") != NULL,
	   "one remote command, its words quoted for the remote shell");
	ok(strstr(cmd, "/git-parallel/\"'p1'/'T7'") != NULL, "a clone per plan and task");
	strlist_clear(&av);
	setenv("GIT_PARALLEL_SSH", "ssh -F '/a b/config'", 1);
	ok(launch_argv(&av, "ssh:h1", "u", "p", "T1", 0, NULL, &why) == 0 && av.nr == 8 &&
	   !strcmp(av.v[2], "/a b/config"), "GIT_PARALLEL_SSH words, quotes kept together");
	strlist_clear(&av);
	unsetenv("GIT_PARALLEL_SSH");
	strbuf_reset(&why);
	ok(launch_spec_check("ssh:ok,-oProxyCommand=x", &why) < 0, "an option as a host is refused");
	strbuf_reset(&why);
	ok(launch_spec_check("ssh:", &why) < 0, "ssh: without hosts");
	strbuf_reset(&why);
	ok(launch_spec_check("exec:'unterminated {id}", &why) < 0, "an unmatched quote");
	strbuf_release(&why);
}

static void test_job_ids(void)
{
	struct strmap used = STRMAP_INIT;
	char *a = export_job_id("T001", &used), *b = export_job_id("api.v2", &used);
	char *c = export_job_id("api_v2", &used), *d = export_job_id("9x", &used);
	char *e = export_job_id("t001", &used);

	is_str(a, "T001", "a task ID is its job ID");
	is_str(b, "api_v2", "'.' becomes '_'");
	is_str(c, "api_v2_2", "a clash gets a suffix");
	is_str(d, "task_9x", "a letter first");
	is_str(e, "t001_2", "job IDs clash regardless of case");
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
	strmap_clear(&used);
}

/* remote_ns(): one namespace per remote, never the old shared layout's */
static void test_namespaces(void)
{
	static const char *const hashed[] = {
		"file:///tmp/remote.git", "/tmp/remote.git", "../up", "parallel", "heads", "target",
		"a/b", "a.b", "", "-x",
	};
	char *a, *b;
	size_t k;

	is_str(a = remote_ns("origin"), "refs/gp-remote/origin/", "a remote name is its namespace");
	free(a);
	is_str(a = remote_ns("my_remote-2"), "refs/gp-remote/my_remote-2/", "with _ and -");
	free(a);
	for (k = 0; k < ARRAY_SIZE(hashed); k++) {
		a = remote_ns(hashed[k]);
		ok(!strncmp(a, "refs/gp-remote/%%", 17) && strlen(a) == 17 + 40 + 1 &&
		   git_reference_is_valid_name(a) == 0 &&
		   (a[strlen(a) - 1] = '\0', git_reference_is_valid_name(a)),
		   "'%s' gets a hashed namespace (%s)", hashed[k], a);
		free(a);
	}
	a = remote_ns("file:///tmp/a.git");
	b = remote_ns("file:///tmp/b.git");
	ok(strcmp(a, b) != 0, "two URLs, two namespaces");
	free(a);
	free(b);
}

int main(void)
{
	git_libgit2_init();
	test_namespaces();
	test_exec_words();
	test_bad_ids();
	test_ssh();
	test_job_ids();
	git_libgit2_shutdown();
	return tap_done();
}
