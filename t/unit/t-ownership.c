/*
 * Unit tests for src/ownership.c: CODEOWNERS patterns, last match wins,
 * CODEOWNERS files, and the combined regex against per-rule matching.
 *
 * Expectations follow GitHub's "About code owners" page (quoted as "doc:")
 * and, where it defers to it, gitignore(5) ("gitignore:").
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "gp/ownership.h"
#include "tap.h"

static const char *fixture(const char *name)
{
	static char buf[4096];
	const char *dir = getenv("GP_FIXTURES");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "t/fixtures", name);
	return buf;
}

/* stderr capture */

static int saved_stderr = -1;
static FILE *capture_file;

static void capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_stderr = dup(2);
	dup2(fileno(capture_file), 2);
}

static void capture_end(struct strbuf *out)
{
	char buf[4096];
	size_t n;

	report_flush();	/* error() holds its message back until then */
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(capture_file);
	strbuf_reset(out);
	while ((n = fread(buf, 1, sizeof(buf), capture_file)) > 0)
		strbuf_add(out, buf, n);
	fclose(capture_file);
}

/* Per-rule matching, from the last rule to the first: the reference. */
static const char *slow_lookup(struct ownership *o, const char *path)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	const char *owner = NULL;
	size_t i;

	for (i = o->nr; i-- > 0; ) {
		if (pcre2_match(o->rules[i].re, (PCRE2_SPTR)path, PCRE2_ZERO_TERMINATED,
				0, 0, md, NULL) > 0) {
			owner = o->rules[i].owner;
			break;
		}
	}
	pcre2_match_data_free(md);
	return owner;
}

/* Does the regex text of ownership_pattern_to_regex() match path? */
static int regex_matches(const char *regex, const char *path)
{
	pcre2_match_data *md;
	pcre2_code *code;
	PCRE2_SIZE off;
	int err, rc;

	code = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED,
			     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOTALL |
			     PCRE2_DOLLAR_ENDONLY, &err, &off, NULL);
	if (!code)
		return -1;
	md = pcre2_match_data_create_from_pattern(code, NULL);
	rc = pcre2_match(code, (PCRE2_SPTR)path, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return rc > 0;
}

static const struct {
	const char *pattern, *path;
	int match;
} cases[] = {
	/* doc: "* @global-owner1" -- the default owners for everything */
	{ "*", "README.md", 1 },
	{ "*", "a/b/c.txt", 1 },
	{ "*", "src/", 1 },		/* a directory: all of it is matched */
	/* doc: "*.js @js-owner" -- JS files anywhere */
	{ "*.js", "app.js", 1 },
	{ "*.js", "src/web/app.js", 1 },
	{ "*.js", "app.jsx", 0 },
	{ "*.js", "app.js.map", 0 },
	/* doc: "*.md" style name patterns match at any depth (gitignore: no slash) */
	{ "*.md", "a.md", 1 },
	{ "*.md", "x/y/a.md", 1 },
	/* doc: "/build/logs/ @doctocat" -- build/logs at the root and its subdirectories */
	{ "/build/logs/", "build/logs/a.log", 1 },
	{ "/build/logs/", "build/logs/deep/er/a.log", 1 },
	{ "/build/logs/", "build/logs/", 1 },
	{ "/build/logs/", "x/build/logs/a.log", 0 },
	{ "/build/logs/", "build/logs", 0 },	/* gitignore: a trailing slash matches directories only */
	{ "/build/logs/", "build/", 0 },
	/* doc: "docs/" + "*" matches docs/getting-started.md, not docs/build-app/troubleshooting.md */
	{ "docs/*", "docs/getting-started.md", 1 },
	{ "docs/*", "docs/build-app/troubleshooting.md", 0 },
	{ "docs/*", "x/docs/a.md", 0 },	/* gitignore: a middle slash anchors at the root */
	{ "docs/*", "docs/", 0 },
	{ "docs/*.md", "docs/a.md", 1 },
	{ "docs/*.md", "docs/x/a.md", 0 },
	/* doc: "apps/ @octocat" -- any file in an apps directory anywhere */
	{ "apps/", "apps/a.rb", 1 },
	{ "apps/", "lib/apps/a.rb", 1 },
	{ "apps/", "lib/apps/", 1 },
	{ "apps/", "apps", 0 },
	{ "apps/", "myapps/a.rb", 0 },
	/* doc: "/docs/ @doctocat" -- docs at the root and its subdirectories */
	{ "/docs/", "docs/a.md", 1 },
	{ "/docs/", "docs/x/y.md", 1 },
	{ "/docs/", "x/docs/a.md", 0 },
	/* doc: "**" + "/logs @octocat" -- /build/logs, /scripts/logs, /deeply/nested/logs */
	{ "**/logs", "build/logs/a.log", 1 },
	{ "**/logs", "deeply/nested/logs/a", 1 },
	{ "**/logs", "logs/a", 1 },
	{ "**/logs", "build/logs/", 1 },
	{ "**/logs", "catalogs/a", 0 },
	/* gitignore: "a/" + "**" + "/b" matches a/b, a/x/b, a/x/y/b */
	{ "a/**/b", "a/b", 1 },
	{ "a/**/b", "a/x/b", 1 },
	{ "a/**/b", "a/x/y/b", 1 },
	{ "a/**/b", "a/x/y/b/c.txt", 1 },
	{ "a/**/b", "x/a/b", 0 },
	{ "a/**/b", "a/xb", 0 },
	{ "docs/**/x.md", "docs/x.md", 1 },
	{ "docs/**/x.md", "docs/a/b/x.md", 1 },
	{ "docs/**/x.md", "docs/a/y.md", 0 },
	{ "docs/**/x.md", "other/docs/a/x.md", 0 },
	/* gitignore: "abc/" + "**" matches everything inside abc */
	{ "docs/**", "docs/a", 1 },
	{ "docs/**", "docs/a/b", 1 },
	{ "docs/**", "docs", 0 },
	/* doc: a leading slash anchors at the root */
	{ "/root-only", "root-only", 1 },
	{ "/root-only", "root-only/a", 1 },
	{ "/root-only", "x/root-only", 0 },
	{ "/*.md", "a.md", 1 },
	{ "/*.md", "x/a.md", 0 },
	/* a file name at any depth */
	{ "Makefile", "Makefile", 1 },
	{ "Makefile", "src/Makefile", 1 },
	{ "Makefile", "src/Makefile.am", 0 },
	{ "apps", "x/apps/y", 1 },
	{ "apps", "apps/", 1 },
	/* gitignore: '?' is one character other than '/' */
	{ "file?.txt", "file1.txt", 1 },
	{ "file?.txt", "a/file2.txt", 1 },
	{ "file?.txt", "file\xc3\xa9.txt", 1 },	/* one character, two bytes */
	{ "file?.txt", "file10.txt", 0 },
	{ "file?.txt", "file/.txt", 0 },
	/* regex metacharacters are literal text */
	{ "*.c", "a.c", 1 },
	{ "*.c", "ac", 0 },
	{ "a.c", "abc", 0 },
	{ "c++/", "c++/x.cc", 1 },
	{ "c++/", "cc/x.cc", 0 },
	{ "lib+.h", "lib+.h", 1 },
	{ "lib+.h", "libb.h", 0 },
	{ "docs/(draft)|x.md", "docs/(draft)|x.md", 1 },
	{ "docs/(draft)|x.md", "x.md", 0 },
	{ "a{2}$", "a{2}$", 1 },
	{ "a{2}$", "aa", 0 },
	/* doc: "Using [ ] to define a character range" does not work: '[' is literal */
	{ "[ab].txt", "[ab].txt", 1 },
	{ "[ab].txt", "a.txt", 0 },
	/*
	 * gitignore: a backslash escapes the next character.  (doc: escaping a
	 * leading '#' does not work on GitHub; we accept gitignore's escape.)
	 */
	{ "\\#notes", "#notes", 1 },
	{ "\\*.txt", "*.txt", 1 },
	{ "\\*.txt", "a.txt", 0 },
	/* gitignore: a middle slash anchors: src/api/ is root-relative */
	{ "src/api/", "src/api/a.c", 1 },
	{ "src/api/", "src/api/", 1 },
	{ "src/api/", "x/src/api/a.c", 0 },
	{ "src/api/", "src/", 0 },
	{ "src/api/", "src/apiary/a.c", 0 },
	/* a final literal segment names a directory too: docs/guide matches below */
	{ "docs/guide", "docs/guide", 1 },
	{ "docs/guide", "docs/guide/a.md", 1 },
	{ "docs/guide", "docs/guide/", 1 },
	{ "docs/guide", "docs/guidebook.md", 0 },
	{ "docs/guide", "x/docs/guide", 0 },
	/* "**" + "/" + "*" is "*" */
	{ "**/*", "a/b", 1 },
	{ "**/*", "a/", 1 },
};

static void test_regex(void)
{
	struct strbuf re = STRBUF_INIT;
	const char *why = NULL;
	size_t i;

	ok(!ownership_pattern_to_regex(&re, "*.js", &why), "'*.js' translates");
	is_str(re.buf, "^(?:.+/)?[^/]*\\.js$", "'*.js' regex");
	ownership_pattern_to_regex(&re, "/build/logs/", &why);
	is_str(re.buf, "^build/logs/.*$", "'/build/logs/' regex");
	ownership_pattern_to_regex(&re, "a/**/b", &why);
	is_str(re.buf, "^a(?:/.+)?/b(?:/.*)?$", "'a/**/b' regex");
	ownership_pattern_to_regex(&re, "docs/*", &why);
	is_str(re.buf, "^docs/[^/]+$", "'docs/*' regex");

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		why = NULL;
		if (ownership_pattern_to_regex(&re, cases[i].pattern, &why) < 0) {
			ok(0, "'%s' translates (%s)", cases[i].pattern, why);
			continue;
		}
		is_int(regex_matches(re.buf, cases[i].path), cases[i].match,
		       "regex: '%s' %s '%s'", cases[i].pattern,
		       cases[i].match ? "matches" : "does not match", cases[i].path);
	}
	strbuf_release(&re);
}

/* The same table through ownership_lookup(): one rule, then all rules. */
static void test_lookup_table(void)
{
	struct ownership all = OWNERSHIP_INIT;
	size_t i;
	int same = 1;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ownership o = OWNERSHIP_INIT;

		ownership_add(&o, cases[i].pattern, "x", "table", (int)i);
		is_str(ownership_lookup(&o, cases[i].path), cases[i].match ? "x" : NULL,
		       "lookup: '%s' %s '%s'", cases[i].pattern,
		       cases[i].match ? "owns" : "does not own", cases[i].path);
		ownership_release(&o);
	}

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char owner[32];

		snprintf(owner, sizeof(owner), "r%zu", i);
		ownership_add(&all, cases[i].pattern, owner, "table", (int)i);
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *fast = ownership_lookup(&all, cases[i].path);
		const char *slow = slow_lookup(&all, cases[i].path);

		if (!((!fast && !slow) || (fast && slow && !strcmp(fast, slow)))) {
			same = 0;
			is_str(fast, slow, "combined = per-rule for '%s'", cases[i].path);
		}
	}
	ok(same, "combined regex of %zu rules agrees with per-rule matching", all.nr);
	ownership_release(&all);
}

static void test_invalid_patterns(void)
{
	static const struct {
		const char *pattern, *why;
	} bad[] = {
		{ "!docs/", "negation is not supported in CODEOWNERS" },
		{ "", "empty pattern" },
		{ "/", "empty pattern" },
		{ "../x", "path outside the repository" },
		{ "a//b", "empty path segment" },
		{ "foo\\", "trailing backslash" },
		{ "a\x01", "control character in pattern" },
		{ "caf\xe9", "invalid UTF-8" },
	};
	struct ownership o = OWNERSHIP_INIT;
	struct strbuf re = STRBUF_INIT, err = STRBUF_INIT;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *why = NULL;

		is_int(ownership_pattern_to_regex(&re, bad[i].pattern, &why), -1,
		       "pattern #%zu is rejected", i);
		is_str(why, bad[i].why, "pattern #%zu: why", i);
	}

	capture_begin();
	ret = ownership_add(&o, "!docs/", "me", "tasks.md", 12);
	capture_end(&err);
	is_int(ret, -1, "ownership_add rejects negation");
	is_str(err.buf, "error: tasks.md:12: invalid ownership pattern '!docs/': "
	       "negation is not supported in CODEOWNERS\n", "... naming file:line");
	is_int(o.nr, 0, "... and adds no rule");
	ownership_release(&o);
	strbuf_release(&re);
	strbuf_release(&err);
}

static void test_last_match_wins(void)
{
	struct ownership o = OWNERSHIP_INIT;

	ownership_add(&o, "*", "a", NULL, 0);
	ownership_add(&o, "*.c", "b", NULL, 0);
	ownership_add(&o, "src/", "c", NULL, 0);
	ownership_add(&o, "src/gen/*.c", "d", NULL, 0);
	ownership_add(&o, "*.h", "a", NULL, 0);

	is_str(ownership_lookup(&o, "x.txt"), "a", "last match: '*' only");
	is_str(ownership_lookup(&o, "x.c"), "b", "last match: '*.c' after '*'");
	is_str(ownership_lookup(&o, "src/x.c"), "c", "last match: 'src/' after '*.c'");
	is_str(ownership_lookup(&o, "src/gen/y.c"), "d", "last match: 'src/gen/*.c'");
	is_str(ownership_lookup(&o, "src/gen/y.h"), "a", "last match: '*.h' comes last");
	is_str(ownership_lookup(&o, "src/gen/y.txt"), "c", "last match: 'src/' for other files");
	is_str(ownership_lookup(&o, "src/gen/y.txt"), "c", "a cached answer is the same");
	is_int(o.owners.nr, 4, "owners are recorded once each");
	is_str(o.owners.v[3], "d", "... in first-seen order");

	ok(ownership_owns(&o, "d", "src/gen/y.c"), "owns: d owns src/gen/y.c");
	ok(!ownership_owns(&o, "c", "src/gen/y.c"), "owns: c does not own src/gen/y.c");
	ok(!ownership_owns(&o, NULL, "src/gen/y.c"), "owns: NULL owns nothing");

	/* adding a rule invalidates the combined regex and the cache */
	ownership_add(&o, "src/gen/", NULL, NULL, 0);
	is_str(ownership_lookup(&o, "src/gen/y.c"), NULL, "a no-owner rule un-owns");
	is_str(ownership_lookup(&o, "src/gen/y.txt"), NULL, "... everything it matches");
	is_str(ownership_lookup(&o, "src/gen/"), NULL, "... the directory too");
	is_str(ownership_lookup(&o, "src/x.c"), "c", "... and nothing else");
	is_int(o.owners.nr, 4, "a no-owner rule adds no owner");
	ok(!ownership_owns(&o, "d", "src/gen/y.c"), "owns: nobody owns an un-owned path");
	ownership_release(&o);

	is_str(ownership_lookup(&o, "x"), NULL, "no rules: no owner");
	ownership_release(&o);
}

static void test_github_example(void)
{
	static const struct {
		const char *path, *owner;
	} expect[] = {
		{ "README.md", "global-owner1" },		/* "*" */
		{ "src/", "global-owner1" },
		{ "src/app.js", "js-owner" },			/* "*.js", inline comment dropped */
		{ "main.go", "docs@example.com" },		/* an email address */
		{ "notes.txt", "octo-org/octocats" },		/* a team */
		{ "build/logs/x.log", "octocat" },		/* "**" + "/logs" comes after "/build/logs/" */
		{ "build/logs/", "octocat" },
		{ "build/out.bin", "global-owner1" },
		{ "scripts/logs/a.txt", "octocat" },
		{ "deeply/nested/logs/a", "octocat" },
		{ "docs/getting-started.md", "doctocat" },	/* "/docs/" comes after "docs/" + "*" */
		{ "docs/build-app/troubleshooting.md", "doctocat" },
		{ "x/docs/a.md", "global-owner1" },
		{ "x/docs/a.js", "js-owner" },
		{ "lib/apps/x.rb", "octocat" },			/* "apps/" anywhere */
		{ "apps/x.rb", "octocat" },			/* "/apps/" */
		{ "apps/githubber.rb", "octocat" },
		{ "apps/github", NULL },			/* "/apps/github" has no owner */
		{ "apps/github/x.rb", NULL },
		{ "apps/github/", NULL },
		{ "scripts/deploy.sh", "doctocat" },		/* first owner of "/scripts/" */
		{ "x/scripts/deploy.sh", "global-owner1" },
	};
	struct ownership o = OWNERSHIP_INIT;
	size_t i;

	is_int(ownership_load_codeowners(&o, fixture("CODEOWNERS")), 0,
	       "GitHub's example CODEOWNERS loads");
	is_int(o.nr, 12, "... 12 rules");
	is_int(o.owners.nr, 6, "... 6 distinct owners");
	is_str(o.rules[11].pattern, "/apps/github", "... the last rule is '/apps/github'");
	is_int(o.rules[11].line, 64, "... at line 64");
	is_str(o.rules[11].file, fixture("CODEOWNERS"), "... of the fixture");
	for (i = 0; i < ARRAY_SIZE(expect); i++)
		is_str(ownership_lookup(&o, expect[i].path), expect[i].owner,
		       "CODEOWNERS example: %s", expect[i].path);
	for (i = 0; i < ARRAY_SIZE(expect); i++)
		is_str(slow_lookup(&o, expect[i].path), expect[i].owner,
		       "CODEOWNERS example, per rule: %s", expect[i].path);

	/* doc: the alternative "/apps/ @octocat" then "/apps/github @doctocat" */
	ownership_add(&o, "/apps/", "octocat", NULL, 0);
	ownership_add(&o, "/apps/github", "doctocat", NULL, 0);
	is_str(ownership_lookup(&o, "apps/github/x.rb"), "doctocat",
	       "CODEOWNERS example: apps/github gets its own owner");
	is_str(ownership_lookup(&o, "apps/x.rb"), "octocat",
	       "CODEOWNERS example: the rest of apps/ stays octocat's");
	ownership_release(&o);
}

static void test_codeowners_files(void)
{
	struct ownership o = OWNERSHIP_INIT;
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	char path[] = "/tmp/gp-codeowners-XXXXXX";
	size_t i;
	int fd, ret;

	/* CRLF */
	is_int(ownership_load_codeowners(&o, fixture("CODEOWNERS-crlf")), 0, "a CRLF file loads");
	is_str(ownership_lookup(&o, "a.md"), "docs", "CRLF: no '\\r' in the owner");
	is_str(ownership_lookup(&o, "src/a.c"), "dev", "CRLF: 'src/' is a directory rule");
	ownership_release(&o);

	/* a line of more than 300 characters */
	for (i = 0; i < 40; i++)
		strbuf_addf(&sb, "dir%02zu/", i);
	strbuf_addstr(&sb, "leaf.txt ");
	for (i = 0; i < 30; i++)
		strbuf_addf(&sb, "@long-owner-%02zu ", i);
	strbuf_addstr(&sb, "# and a comment\n");
	ok(sb.len > 300, "the long line has %zu characters", sb.len);
	fd = mkstemp(path);
	ok(fd >= 0 && write(fd, sb.buf, sb.len) == (ssize_t)sb.len, "write a long CODEOWNERS line");
	close(fd);
	is_int(ownership_load_codeowners(&o, path), 0, "a 300+ character line loads");
	strbuf_setlen(&sb, 40 * 6);
	strbuf_addstr(&sb, "leaf.txt");
	is_str(ownership_lookup(&o, sb.buf), "long-owner-00", "... and its rule matches");
	ownership_release(&o);
	unlink(path);

	/* malformed lines: every one is reported with file:line */
	capture_begin();
	ret = ownership_load_codeowners(&o, fixture("CODEOWNERS-bad"));
	capture_end(&err);
	is_int(ret, -1, "a CODEOWNERS file with malformed lines fails");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "error: %s:3: invalid ownership pattern '!negated': "
		    "negation is not supported in CODEOWNERS\n", fixture("CODEOWNERS-bad"));
	strbuf_addf(&sb, "error: %s:5: invalid UTF-8 at column 4\n", fixture("CODEOWNERS-bad"));
	strbuf_addf(&sb, "error: %s:6: invalid owner 'notanowner' "
		    "(expected @user, @org/team or an email address)\n", fixture("CODEOWNERS-bad"));
	strbuf_addf(&sb, "error: %s:9: invalid owner '@' "
		    "(expected @user, @org/team or an email address)\n", fixture("CODEOWNERS-bad"));
	is_str(err.buf, sb.buf, "... every problem is reported with its line");
	is_str(ownership_lookup(&o, "ok/x"), "z", "... the good lines are read");
	is_str(ownership_lookup(&o, "#hash"), "h", "... '\\#' escapes a '#'");
	ownership_release(&o);

	/* a missing file */
	capture_begin();
	ret = ownership_load_codeowners(&o, "t/fixtures/no-such-CODEOWNERS");
	capture_end(&err);
	is_int(ret, -1, "a missing CODEOWNERS file is an error");
	ok(strstr(err.buf, "error: ") && strstr(err.buf, "t/fixtures/no-such-CODEOWNERS"),
	   "... naming the file: %.*s", (int)(err.len ? err.len - 1 : 0), err.buf);
	ownership_release(&o);

	strbuf_release(&sb);
	strbuf_release(&err);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Compare lookup with slow_lookup on every step-th path. */
static int spot_check(struct ownership *o, struct strlist *paths, size_t step, size_t *checked)
{
	size_t i;
	int same = 1;

	*checked = 0;
	for (i = 0; i < paths->nr; i += step) {
		const char *fast = ownership_lookup(o, paths->v[i]);
		const char *slow = slow_lookup(o, paths->v[i]);

		(*checked)++;
		if (!((!fast && !slow) || (fast && slow && !strcmp(fast, slow)))) {
			if (same)
				printf("# %s: combined '%s', per-rule '%s'\n", paths->v[i],
				       fast ? fast : "(null)", slow ? slow : "(null)");
			same = 0;
		}
	}
	return same;
}

/* 200 owners, 400 rules, 20,000 lookups (the plan benchmark's load; a tenth under GP_TEST_SMALL). */
static void test_many_rules(void)
{
	struct ownership o = OWNERSHIP_INIT;
	struct strlist paths = STRLIST_INIT, want = STRLIST_INIT;
	struct strbuf pat = STRBUF_INIT, owner = STRBUF_INIT;
	size_t i, wrong = 0, checked;
	unsigned int seed = 12345;
	int same;
	double t;

	ownership_add(&o, "*", "default", NULL, 0);
	for (i = 0; o.nr < 400; i++) {
		strbuf_reset(&owner);
		strbuf_addf(&owner, "team-%zu", i % 200);
		strbuf_reset(&pat);
		switch (i % 4) {
		case 0: strbuf_addf(&pat, "/services/svc%zu/", i); break;
		case 1: strbuf_addf(&pat, "*.ext%zu", i); break;
		case 2: strbuf_addf(&pat, "**/mod%zu/**/gen", i); break;
		case 3: strbuf_addf(&pat, "lib/pkg%zu/*.c", i); break;
		}
		ownership_add(&o, pat.buf, owner.buf, NULL, 0);
	}
	/* paths for rule k (owner team-k%200), or for no team rule (k >= 1000) */
	for (i = 0; paths.nr < tap_scale(20000); i++) {
		size_t k;

		seed = seed * 1103515245 + 12345;
		k = (seed >> 8) % 440;
		if (k >= 399)
			k += 1000;
		switch (k % 4) {
		case 0: strlist_push_nodup(&paths, xstrfmt("services/svc%zu/src/f%zu.c", k, i)); break;
		case 1: strlist_push_nodup(&paths, xstrfmt("a/b/file%zu.ext%zu", i, k)); break;
		case 2: strlist_push_nodup(&paths, xstrfmt("x/mod%zu/y/gen/f%zu", k, i)); break;
		case 3: strlist_push_nodup(&paths, xstrfmt("lib/pkg%zu/f%zu.c", k, i)); break;
		}
		if (k >= 1000)
			strlist_push(&want, "default");
		else
			strlist_push_nodup(&want, xstrfmt("team-%zu", k % 200));
	}

	t = now();
	for (i = 0; i < paths.nr; i++) {
		const char *who = ownership_lookup(&o, paths.v[i]);

		if (!who || strcmp(who, want.v[i])) {
			if (!wrong)
				printf("# %s: got '%s', want '%s'\n", paths.v[i],
				       who ? who : "(null)", want.v[i]);
			wrong++;
		}
	}
	t = now() - t;
	printf("# %zu rules, %zu lookups (cold cache, with the regex build): %.1f ms\n",
	       o.nr, paths.nr, t * 1000);
	t = now();
	for (i = 0; i < paths.nr; i++)
		ownership_lookup(&o, paths.v[i]);
	printf("# again, from the cache: %.1f ms\n", (now() - t) * 1000);
	is_int(wrong, 0, "400 rules: every one of %zu paths has its expected owner", paths.nr);
	same = spot_check(&o, &paths, 37, &checked);
	ok(same, "400 rules: combined = per-rule on %zu paths", checked);
	is_str(ownership_lookup(&o, "services/svc4/x"), "team-4", "400 rules: spot check svc4");
	is_str(ownership_lookup(&o, "lib/pkg3/sub/f.c"), "default", "400 rules: 'lib/pkg3/*.c' is one level");
	is_str(ownership_lookup(&o, "lib/pkg3/sub/f.ext5"), "team-5", "400 rules: '*.ext5' at depth");
	ownership_release(&o);
	strlist_clear(&want);

	/*
	 * Far beyond what PCRE2 compiles as one pattern (64K with link size 2):
	 * the rules are split into several regexes, still last match first.
	 */
	for (i = 0; i < 4000; i++) {
		strbuf_reset(&owner);
		strbuf_addf(&owner, "o%zu", i % 300);
		strbuf_reset(&pat);
		if (i % 2)
			strbuf_addf(&pat, "some/rather/long/directory/name/number%zu/", i / 2);
		else
			strbuf_addf(&pat, "**/rather/long/directory/*/number%zu/*.txt", i / 3);
		ownership_add(&o, pat.buf, owner.buf, NULL, 0);
	}
	strlist_clear(&paths);
	for (i = 0; i < tap_scale(2000); i++) {
		strlist_push_nodup(&paths, xstrfmt("some/rather/long/directory/name/number%zu/a.txt", i));
		strlist_push_nodup(&paths, xstrfmt("x/some/rather/long/directory/name/number%zu/a.txt", i));
	}
	t = now();
	same = spot_check(&o, &paths, 7, &checked);
	ok(same, "4000 rules: combined = per-rule on %zu paths", checked);
	printf("# 4000 rules, %zu checks: %.1f ms\n", checked, (now() - t) * 1000);
	is_str(ownership_lookup(&o, "some/rather/long/directory/name/number5/"), "o11",
	       "4000 rules: the last matching rule wins");
	ownership_release(&o);

	strlist_clear(&paths);
	strbuf_release(&pat);
	strbuf_release(&owner);
}

/* Random patterns and paths: the combined matcher agrees with per-rule matching. */
static void test_random(void)
{
	static const char *pat_segs[] = {
		"a", "b", "*", "?", "**", "x.md", "*.md", "a*", "*b", "\\*", "\xc3\xa9", "[a]", "a?b", "c++",
	};
	static const char *path_segs[] = {
		"a", "b", "x.md", "ab", "\xc3\xa9", "*", "[a]", "axb", "c++", "y.md",
	};
	struct ownership o = OWNERSHIP_INIT;
	struct strlist paths = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT, re = STRBUF_INIT;
	unsigned int seed = 42;
	char owner[32];
	size_t i, j, n, checked;
	int same;

#define RAND(n) (seed = seed * 1103515245 + 12345, (size_t)((seed >> 8) % (n)))
	while (o.nr < 300) {
		const char *why;

		strbuf_reset(&sb);
		if (RAND(3) == 0)
			strbuf_addch(&sb, '/');
		for (j = 0, n = 1 + RAND(3); j < n; j++) {
			if (j)
				strbuf_addch(&sb, '/');
			strbuf_addstr(&sb, pat_segs[RAND(ARRAY_SIZE(pat_segs))]);
		}
		if (RAND(3) == 0)
			strbuf_addch(&sb, '/');
		if (ownership_pattern_to_regex(&re, sb.buf, &why) < 0)
			continue;	/* "a//b"... */
		snprintf(owner, sizeof(owner), "o%zu", o.nr);
		ownership_add(&o, sb.buf, RAND(8) ? owner : NULL, NULL, 0);
	}
	for (i = 0; i < tap_scale(3000); i++) {
		strbuf_reset(&sb);
		for (j = 0, n = 1 + RAND(4); j < n; j++) {
			if (j)
				strbuf_addch(&sb, '/');
			strbuf_addstr(&sb, path_segs[RAND(ARRAY_SIZE(path_segs))]);
		}
		if (RAND(4) == 0)
			strbuf_addch(&sb, '/');
		strlist_push(&paths, sb.buf);
	}
#undef RAND
	same = spot_check(&o, &paths, 1, &checked);
	ok(same, "random: %zu rules, combined = per-rule on %zu paths", o.nr, checked);
	ownership_release(&o);
	strlist_clear(&paths);
	strbuf_release(&sb);
	strbuf_release(&re);
}

int main(void)
{
	test_regex();
	test_lookup_table();
	test_invalid_patterns();
	test_last_match_wins();
	test_github_example();
	test_codeowners_files();
	test_many_rules();
	test_random();
	return tap_done();
}
