/*
 * Unit tests for src/convert.c: the git runner feeds a stdin larger than
 * a pipe while it reads git's answer, survives a git that quits before
 * reading it (no SIGPIPE), and says when git cannot run; git check-attr
 * names the converting paths (a configured driver, an encoding) and no
 * other; git status names what it shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "gp/convert.h"
#include "gp/util.h"
#include "tap.h"

static char dir[] = "/tmp/t-convert.XXXXXX";

static void put(const char *name, const char *text)
{
	char *p = xstrfmt("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

static void unlink_a(void)
{
	char *p = xstrfmt("%s/a.txt", dir);

	unlink(p);
	free(p);
}

static int sh(const char *cmd)
{
	char *c = xstrfmt("cd '%s' && { %s; } >/dev/null 2>&1", dir, cmd);
	int rc = system(c);

	free(c);
	return rc;
}

static void test_runner(void)
{
	static const char *const hash[] = { "git", "hash-object", "--stdin-paths", NULL };
	static const char *const bad[] = { "git", "hash-object", "--no-such-option", "--stdin-paths", NULL };
	static const char *const env[] = { "GP_T_CONVERT=seen", NULL };
	static const char *const show[] = { "git", "var", "GIT_EDITOR", NULL };
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	size_t i, lines = 0;

	put("a.txt", "a\n");
	/* 20,000 names (~120 KB): more than a pipe holds before git reads */
	for (i = 0; i < 20000; i++)
		strbuf_addstr(&in, "a.txt\n");
	is_int(convert_run_git(dir, hash, NULL, &in, &out, 0), 0, "a large stdin: git answers all of it");
	for (i = 0; i < out.len; i++)
		lines += out.buf[i] == '\n';
	is_int((long)lines, 20000, "one id per name");
	strbuf_reset(&out);
	ok(convert_run_git(dir, bad, NULL, &in, &out, 0) == 129, "git quits before reading: its status, no SIGPIPE");
	strbuf_reset(&out);
	ok(convert_run_git("/nonexistent/dir", hash, NULL, NULL, &out, 0) != 0, "no such directory: not 0");
	strbuf_reset(&out);
	setenv("GIT_EDITOR", "ed-from-env", 1);
	is_int(convert_run_git(dir, show, env, NULL, &out, 0), 0, "git var runs");
	unsetenv("GIT_EDITOR");
	is_str(out.buf, "ed-from-env\n", "our environment reaches git");
	strbuf_release(&in);
	strbuf_release(&out);
}

static void test_paths_and_status(void)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	struct strlist paths = STRLIST_INIT, names = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT;

	ok(!sh("git init -q . && git config filter.up.clean cat && git config filter.up.smudge cat"),
	   "a repository");
	put(".gitattributes", "*.up filter=up\n*.none filter=nodriver\n*.u16 working-tree-encoding=UTF-16\n");
	put("a.up", "a\n");
	put("b.none", "b\n");
	put("c.u16", "");
	put("plain.c", "p\n");
	ok(!sh("mkdir sub && echo x >'sub/d e.up' && git add . && "
	       "git -c user.name=a -c user.email=b commit -q -m base"), "committed");
	ok(git_repository_open(&repo, dir) == 0 && git_repository_index(&index, repo) == 0, "opened");
	is_int(convert_may_apply(repo, index), 1, "the attributes may convert");
	is_int(convert_paths(&paths, repo, dir, index, &why), 0, "git check-attr answers");
	is_int((long)paths.nr, 3, "three paths convert");
	if (paths.nr == 3) {
		is_str(paths.v[0], "a.up", "a configured driver");
		is_str(paths.v[1], "c.u16", "an encoding");
		is_str(paths.v[2], "sub/d e.up", "a name with a space");
	}
	is_int(convert_git_status(&names, dir, &why), 0, "a clean worktree: nothing");
	put("plain.c", "changed\n");
	put("new.txt", "n\n");
	is_int(convert_git_status(&names, dir, &why), 2, "a change and an untracked file");
	if (names.nr == 2) {
		is_str(names.v[0], "plain.c", "the change");
		is_str(names.v[1], "new.txt", "the untracked file");
	}
	strlist_clear(&names);
	ok(convert_git_status(&names, "/", &why) < 0 && why.len, "no repository: -1, why said");
	ok(!sh("git config --unset filter.up.clean && git config --unset filter.up.smudge && "
	       "git config core.attributesFile /dev/null && git rm -q --cached c.u16 && "
	       "echo '*.none filter=nodriver' >.gitattributes && git add .gitattributes"), "no driver");
	git_index_free(index);
	git_repository_free(repo);
	index = NULL;
	ok(git_repository_open(&repo, dir) == 0 && git_repository_index(&index, repo) == 0, "opened again");
	is_int(convert_may_apply(repo, index), 0, "a filter no driver serves: nothing converts");
	strlist_clear(&paths);
	strlist_clear(&names);
	strbuf_release(&why);
	git_index_free(index);
	git_repository_free(repo);
}

int main(void)
{
	git_libgit2_init();
	if (!mkdtemp(dir))
		return 1;
	test_runner();
	unlink_a();
	test_paths_and_status();
	{
		char *rm = xstrfmt("rm -rf '%s'", dir);
		int rc = system(rm);

		(void)rc;
		free(rm);
	}
	git_libgit2_shutdown();
	return tap_done();
}
