/*
 * Every input a fuzzer found a problem with (t/fuzz-regressions/) goes
 * through every parser again.  The problems were crashes and leaks: this
 * test fails under make test SANITIZE=1 or VALGRIND=1 if one comes back.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "tap.h"
#include "gp/config.h"
#include "gp/ownership.h"
#include "gp/state.h"
#include "gp/tasks.h"

static void all_parsers(const char *name, const char *buf, size_t len)
{
	struct tasklist tl;
	struct config c;
	struct ownership o;
	struct plan p;
	struct task_status st;
	struct strbuf out = STRBUF_INIT;

	tasklist_init(&tl);
	if (!tasks_parse_markdown(&tl, name, buf, len, 0))
		tasks_validate(&tl, "parallel/");
	tasklist_release(&tl);

	config_init(&c);
	config_parse_buf(&c, name, buf, len);
	config_release(&c);

	ownership_init(&o);
	ownership_parse_codeowners(&o, name, buf, len);
	ownership_lookup(&o, "src/a.c");
	ownership_release(&o);

	plan_init(&p);
	if (!plan_parse(&p, name, buf, len))
		plan_serialize(&p, &out);
	plan_release(&p);
	task_status_init(&st, "T1");
	state_task_parse(&st, name, buf, len);
	task_status_release(&st);
	strbuf_release(&out);
}

int main(void)
{
	const char *dir = "t/fuzz-regressions";
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	git_libgit2_init();
	ini_setup();
	quiet_warnings = 1;
	quiet_errors = 1;
	ok(d != NULL, "%s exists", dir);
	while (d && (e = readdir(d))) {
		struct strbuf sb = STRBUF_INIT;
		char *path;

		if (e->d_name[0] == '.')
			continue;
		path = xstrfmt("%s/%s", dir, e->d_name);
		ok(strbuf_read_file(&sb, path) == 0, "read %s", path);
		all_parsers(path, sb.buf, sb.len);
		ok(1, "every parser survives %s", e->d_name);
		strbuf_release(&sb);
		free(path);
		n++;
	}
	if (d)
		closedir(d);
	ok(n > 0, "%d regression inputs", n);
	git_libgit2_shutdown();
	return tap_done();
}
