#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <git2.h>

#include "gp/config.h"
#include "gp/pathres.h"
#include "gp/tasks.h"
#include "gp/trust.h"
#include "gp/util.h"

/*
 * Task files (DESIGN.md 1.1).  The markdown reader works line by line and
 * never guesses: a line is a checklist item, a "## " phase heading, an
 * indented continuation of the task above it, or nothing.
 */

/* list, tasks */

void tasklist_init(struct tasklist *tl)
{
	memset(tl, 0, sizeof(*tl));
	strmap_init(&tl->index);
	strmap_init(&tl->ini_index);
}

static void task_release(struct task *t)
{
	free(t->id);
	free(t->title);
	free(t->text);
	free(t->file);
	free(t->story);
	free(t->status);
	strlist_clear(&t->paths);
	strlist_clear(&t->depends);
	strlist_clear(&t->reads);
	free(t->owner);
	free(t->command);
	free(t->command_from);
	free(t->command_trust);
}

void tasklist_release(struct tasklist *tl)
{
	size_t i;

	for (i = 0; i < tl->nr; i++)
		task_release(&tl->v[i]);
	free(tl->v);
	for (i = 0; i < tl->phases_nr; i++) {
		free(tl->phases[i].name);
		free(tl->phases[i].file);
		strlist_clear(&tl->phases[i].notes);
	}
	free(tl->phases);
	strmap_clear(&tl->index);
	strmap_clear(&tl->ini_index);
	tasklist_init(tl);
}

/* Append a zeroed task; returns its index (pointers into tl->v move). */
static size_t task_new(struct tasklist *tl, const char *id, const char *file,
		       int line, int source)
{
	struct task *t;

	ALLOC_GROW(tl->v, tl->nr + 1, tl->alloc);
	t = &tl->v[tl->nr];
	memset(t, 0, sizeof(*t));
	t->id = xstrdup(id);
	t->file = xstrdup(file);
	t->line = line;
	t->source = source;
	t->phase = -1;
	strlist_init(&t->paths);
	strlist_init(&t->depends);
	strlist_init(&t->reads);
	return tl->nr++;
}

/* regular expressions, compiled once */

static pcre2_code *numbox_re, *item_re, *id_re, *kiro_re, *marker_re, *range_re, *dep_id_re;

static pcre2_code *compile(const char *pattern)
{
	PCRE2_SIZE off;
	int err;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF, &err, &off, NULL);

	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(err, msg, sizeof(msg));
		error("internal: cannot compile '%s': %s", pattern, (char *)msg);
		return NULL;
	}
	if (regex_jit_wanted())
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);	/* optional: falls back to the interpreter */
	return re;
}

static int compile_regexes(void)
{
	if (item_re)
		return 0;
	/*
	 * 1: indentation, 2: the box's one character (what it means is
	 * box_class()'s business), 3: the "*" of a Kiro optional task;
	 * end: start of the text.  "1. [ ]" numbered items count too.
	 */
	item_re = compile("^([ \\t]*)(?:[-*+]|[0-9]{1,9}[.)])[ \\t]+"
			  "\\[([^\\]\\[\\t]|TODO|DOING|WIP|DONE|BLOCKED|SKIPPED|CANCELL?ED|DEFERRED|PENDING)\\]"
			  "(\\*?)(?:[ \\t]+|$)");
	/* "- 1. [ ] text", "  - 1.1 [ ] text": 1: indentation, 2: the ID, 3: box, 4: "*" */
	numbox_re = compile("^([ \\t]*)[-*+][ \\t]+([0-9]{1,9}(?:\\.[0-9]{1,9})*)\\.?[ \\t]+"
			    "\\[([^\\]\\[\\t])\\](\\*?)(?:[ \\t]+|$)");
	/*
	 * An ID (T001, T011A, PROJ-12, FE-UI-001, PH0-LAUNCH-001, P0-1,
	 * T017-TEST: the test task of T017), not
	 * followed by something that would make it a longer word.
	 */
	id_re = compile("(?:[A-Z]{1,4}-?[0-9]{1,4}(?:\\.[0-9]{1,4})+[a-z]?|[A-Z]+-?[0-9]+[a-z]?(?:-[A-Z][A-Z0-9]*)+|"
			"(?:[A-Z][A-Z0-9]*-)*[A-Z]+[0-9]+-[0-9]+[A-Za-z]?|"
			"(?:[A-Z][A-Z0-9]*-)*[A-Z]+-?[0-9]+[A-Za-z]?|[a-z][0-9]{3,9}(?:\\.[0-9]{1,9})*|"
			"[A-Z][a-z]{1,10}-[0-9]{1,9})"
			"(?![A-Za-z0-9_]|[-./][A-Za-z0-9])");
	/* Kiro: "2.1", "10.2a", "3." (1: the ID, 2: a final dot) */
	kiro_re = compile("([0-9]{1,9}(?:\\.[0-9]{1,9})*[a-z]?)(\\.?)(?=[ \\t:*)\\]]|$)");
	/* 1: the label */
	marker_re = compile("\\[(US[0-9]+|[A-Z][A-Za-z]*[0-9]*|p)\\]");
	/* "T001-T004", "T001–T004", "T001..T004", "T001 to T004" (1, 3: prefixes; 2, 4: numbers) */
	range_re = compile("([A-Z]+-?)([0-9]{1,9})[ \\t]*(?:-|\\x{2013}|\\x{2014}|\\.\\.|to |through )[ \\t]*"
			   "([A-Z]+-?)?([0-9]{1,9})(?![A-Za-z0-9_]|[-./][A-Za-z0-9])");
	/* an ID in a dependency list: one of the above, or a Kiro "2.1" */
	dep_id_re = compile("(?:[A-Z]+-?[0-9]{1,9}(?:\\.[0-9]{1,9})+|[A-Z]+-?[0-9]+[a-z]?(?:-[A-Z][A-Z0-9]*)+|(?:[A-Z][A-Z0-9]*-)*[A-Z]+-?[0-9]+[A-Za-z]?|[a-z][0-9]{3,9}(?:\\.[0-9]{1,9})*|"
			    "[0-9]{1,9}(?:\\.[0-9]{1,9})+[a-z]?)"
			    "(?![A-Za-z0-9_]|[-/][A-Za-z0-9])");
	if (!numbox_re || !item_re || !id_re || !kiro_re || !marker_re || !range_re || !dep_id_re) {
		pcre2_code_free(numbox_re);
		pcre2_code_free(item_re);
		pcre2_code_free(id_re);
		pcre2_code_free(kiro_re);
		pcre2_code_free(marker_re);
		pcre2_code_free(range_re);
		pcre2_code_free(dep_id_re);
		numbox_re = item_re = id_re = kiro_re = marker_re = range_re = dep_id_re = NULL;
		return -1;
	}
	return 0;
}

/* Anchored match of re at s+off; 1 on a match (ovector in md), 0 if none. */
static int match_at(pcre2_code *re, pcre2_match_data *md, const char *s,
		    size_t len, size_t off)
{
	return pcre2_match(re, (PCRE2_SPTR)s, len, off, PCRE2_ANCHORED, md, NULL) > 0;
}

/* small string helpers */

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

static size_t indent_width(const char *s)
{
	size_t w = 0;

	for (; *s == ' ' || *s == '\t'; s++)
		w = *s == '\t' ? (w / 4 + 1) * 4 : w + 1;
	return w;
}

static void rtrim(struct strbuf *sb)
{
	while (sb->len && isspace((unsigned char)sb->buf[sb->len - 1]))
		sb->len--;
	strbuf_setlen(sb, sb->len);
}

/* paths */

static const struct pathres *base_tree;

void tasks_set_tree(const struct pathres *tree)
{
	base_tree = tree && tree->nr ? tree : NULL;
}

static const char *file_dir;

void tasks_set_dir(const char *dir)
{
	file_dir = dir;
}

static const char *memmem_(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

static int in_list(const char *w, size_t n, const char *const *list, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (strlen(list[i]) == n && !strncmp(w, list[i], n))
			return 1;
	return 0;
}

static int in_list_ci(const char *w, size_t n, const char *const *list, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (strlen(list[i]) == n && !strncasecmp(w, list[i], n))
			return 1;
	return 0;
}

/* Extensions of files people write about; "console.log", "np.random" are not. */
static const char *const file_exts[] = {
	"adoc", "astro", "bash", "bat", "bats", "bicep", "bin", "bzl", "c", "cc", "cfg", "cjs", "clj", "cmake",
	"cmd", "conf", "cpp", "cs", "cshtml", "csproj", "css", "csv", "cts", "cxx", "dart",
	"dockerfile", "ejs", "el", "env", "erb", "ex", "exs", "fs", "gemspec", "gif", "go", "gql",
	"gradle", "graphql", "h", "hbs", "hcl", "hpp", "hs", "htm", "html", "ico", "ini", "ipynb",
	"j2", "java", "jpeg", "jpg", "js", "json", "json5", "jsonc", "jsonl", "jsx", "kql", "kt", "kts",
	"less", "liquid", "lock", "lua", "md", "mdc", "mdx", "mjs", "mk", "mm", "mmd", "mod", "mts", "nix",
	"php", "pl", "plist", "pm", "png", "prisma", "properties", "props", "proto", "ps1", "psm1", "py", "pyi",
	"rake", "razor", "rb", "rego", "resx", "rs", "rst", "sass", "scala", "scd", "scss", "sh", "sln", "sol",
	"sql", "sum", "svelte", "svg", "swift", "targets", "tcl", "tex", "tf", "tfvars", "tmpl", "toml", "tpl", "ts",
	"tsv", "tsx", "twig", "txt", "vue", "wasm", "webp", "xaml", "xml", "yaml", "yml", "zig", "zsh",
};

/* Files without an extension that are still files. */
static const char *const plain_files[] = {
	"Brewfile", "CODEOWNERS", "Dockerfile", "Gemfile", "Jenkinsfile", "Justfile",
	"LICENSE", "Makefile", "Procfile", "Rakefile", "Vagrantfile", "GNUmakefile",
};

/* First directories of repository paths: "apps/web" is a path, "read/write" is not. */
static const char *const top_dirs[] = {
	".github", ".kiro", ".specify", ".vscode", "Documentation", "app", "apps", "assets",
	"backend", "bin", "charts", "cmd", "components", "config", "configs", "contrib",
	"crates", "db", "deploy", "doc", "docs", "e2e", "examples", "frontend", "helm", "hooks",
	"include", "infra", "internal", "k8s", "lib", "libs", "migrations", "modules", "packages",
	"pages", "pkg", "plugins", "scripts", "services", "spec", "specs",
	"src", "styles", "t", "templates", "terraform", "tests", "tools",
};

static int has_lower_ext(const char *w)
{
	const char *dot = strrchr(w, '.');
	const char *p;
	int letter = 0;

	if (!dot || dot == w || !dot[1] || strlen(dot + 1) > 8)
		return 0;
	for (p = dot + 1; *p; p++) {
		if (islower((unsigned char)*p))
			letter = 1;
		else if (!isdigit((unsigned char)*p))
			return 0;
	}
	return letter;
}

/* A lower-case extension that names a kind of file: "x.py", not "np.random" */
static int has_file_ext(const char *w)
{
	const char *dot = strrchr(w, '.'), *slash = strrchr(w, '/');

	if (!has_lower_ext(w) || (slash && dot < slash))
		return 0;
	return in_list(dot + 1, strlen(dot + 1), file_exts, ARRAY_SIZE(file_exts));
}

/*
 * "e.g", "i.e" (after the final "." was stripped): abbreviations, not
 * files.  A list, not a shape: "a.c" is a file.
 */
static int is_abbreviation(const char *w)
{
	static const char *const abbrevs[] = { "e.g", "i.e", "a.k.a", "n.b", "E.g", "I.e", "N.B" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(abbrevs); i++)
		if (!strcmp(w, abbrevs[i]))
			return 1;
	return 0;
}

/*
 * Brackets: "[id]", "[...slug]" are whole directory segments of dynamic
 * routes (src/app/api/events/[id]/route.ts); any other bracket, and any in
 * the last component, is a placeholder ([entity].py, [endpoint/feature]).
 * Parentheses are kept only as a whole directory segment: Next.js route
 * groups, app/(auth)/login/page.tsx.
 */
static int placeholder(const char *w)
{
	const char *seg = w;

	for (;;) {
		size_t n = strcspn(seg, "/");
		int paren = memchr(seg, '(', n) || memchr(seg, ')', n);

		if (!seg[n])
			return n && (memchr(seg, '[', n) != NULL || paren);
		if (memchr(seg, '[', n) || memchr(seg, ']', n)) {
			if (n < 3 || seg[0] != '[' || seg[n - 1] != ']' ||
			    memchr(seg + 1, '[', n - 2) || memchr(seg + 1, ']', n - 2))
				return 1;
		}
		if (paren && (n < 3 || seg[0] != '(' || seg[n - 1] != ')' ||
			      memchr(seg + 1, '(', n - 2) || memchr(seg + 1, ')', n - 2)))
			return 1;
		seg += n + 1;
	}
}

/*
 * "/api/{user_id}/tasks", "users/{id}.json": braces around one name are a
 * variable of a route or a template, not a list of alternatives.
 */
static int brace_variable(const char *w)
{
	const char *open;

	for (open = strchr(w, '{'); open; open = strchr(open + 1, '{')) {
		const char *close = strchr(open, '}');

		if (!close || !memchr(open, ',', (size_t)(close - open)))
			return 1;
	}
	return 0;
}

/* ".gitignore", ".npmrc", ".mailmap": dotfiles, not extensions like ".ics" */
static int is_dotfile(const char *w, size_t n)
{
	static const char *const names[] = {
		"env", "mailmap", "editorconfig", "nvmrc", "gitkeep", "htaccess",
		"git", "github", "idea", "venv", "next", "tox", "vscode",
	};
	static const char *const tails[] = { "rc", "ignore", "attributes", "modules", "config" };
	size_t i;

	if (in_list(w, n, names, ARRAY_SIZE(names)))
		return 1;
	for (i = 0; i < ARRAY_SIZE(tails); i++) {
		size_t m = strlen(tails[i]);

		if (n > m && !strncmp(w + n - m, tails[i], m))
			return 1;
	}
	return 0;
}

/* Product names that look like files. */
static const char *const not_files[] = {
	"Alpine.js", "Backbone.js", "Chart.js", "Commander.js", "D3.js", "Day.js", "Ember.js", "Express.js",
	"LangChain.js", "LangGraph.js", "Leaflet.js", "Moment.js", "Next.js", "Node.js",
	"Nuxt.js", "React.js", "Solid.js", "Three.js", "Vue.js",
};

/* What a word is: not a path, a path, or a path only if the tree (or the task) says so. */
enum word_kind { W_NO, W_PATH, W_MAYBE, W_GLOB };

/* Does this word (a candidate, already stripped and cleaned) declare a path? */
/* packages and GitHub action owners whose "name/module" reads like a path */
static const char *const packages[] = {
	"actions", "aws-actions", "date-fns", "docker", "drizzle-orm", "firebase", "jotai",
	"lodash", "next", "nuxt", "preact", "react", "react-dom", "rxjs", "solid-js", "svelte",
	"three", "vitest", "vue", "zustand",
};

static enum word_kind looks_like_path(const char *w, int backticked)
{
	size_t i, len = strlen(w);
	const char *e;

	if (!len || strstr(w, "://"))
		return W_NO;
	for (e = w; (e = strstr(e, "...")); e += 3)
		if (e == w || e[-1] != '[')
			return W_NO;	/* an ellipsis; "[...slug]" is a route */
	/* "#!/usr/bin/env", "#123"; "ADDED-", ".speck-link-" (of ".speck-link-*") */
	if (*w == '@' || *w == '~' || *w == '/' || *w == '-' || *w == '#' || w[len - 1] == '-')
		return W_NO;
	/* "pnpm/action-setup@v4", "golang.org/x/vuln/cmd/govulncheck@latest": a version */
	for (e = strchr(w, '@'); e; e = strchr(e + 1, '@'))
		if (e[-1] != '/')
			return W_NO;
	if (strpbrk(w, "'\"=<>$|;`"))
		return W_NO;
	if (strpbrk(w, "*?{")) {
		/* a glob or braces: components/auth/<star>, src/api/{a,b} */
		if (!strchr(w, '/') || strpbrk(w, "()") || brace_variable(w))
			return W_NO;
		return W_GLOB;
	}
	if (strpbrk(w, ",}+") || placeholder(w))
		return W_NO;
	if (strchr(w, '/')) {
		const char *last = strrchr(w, '/') + 1;
		size_t first = strcspn(w, "/");
		/*
		 * Bare "grant/revoke", "read/write", "3/4" are prose: a bare
		 * word is a path when it names a file (last.ext) or a
		 * directory (trailing '/'), or starts like a repository
		 * path ("apps/web", "t/Makefile"); else the tree decides.
		 */
		static const char *const mime[] = { "application", "audio", "font", "image", "multipart", "text", "video" };

		static const char *const remotes[] = { "origin", "upstream" };

		static const char *const sides[] = { "api", "backend", "client", "frontend", "mobile", "server", "ui", "web" };
		const char *colon = memchr(w, ':', first);

		if (in_list(w, first, mime, ARRAY_SIZE(mime)) && !strchr(last, '.') && !strchr(last, '/'))
			return W_NO;	/* image/png, application/pdf */
		if (colon && colon + 1 < w + first && strspn(colon + 1, "0123456789") == (size_t)(w + first - colon - 1))
			return W_NO;	/* localhost:3000/api/x */
		/* "ADDED/MODIFIED/REMOVED", "PASS/FAIL"; "backend/frontend": the tree decides */
		if (!strpbrk(w, "abcdefghijklmnopqrstuvwxyz."))
			return W_MAYBE;
		if (in_list(w, first, sides, ARRAY_SIZE(sides)) && last == w + first + 1 &&
		    in_list(last, strlen(last), sides, ARRAY_SIZE(sides)))
			return W_MAYBE;
		if (in_list(w, first, remotes, ARRAY_SIZE(remotes)) && !has_lower_ext(last))
			return W_MAYBE;	/* `origin/main`: a branch, unless the tree has it */
		/*
		 * `zustand/middleware`, `next/dynamic`: a package's module;
		 * `docker/build-push-action`: a GitHub action; unless the tree
		 * has them.  `console.log/error/warn` is a call.
		 */
		if (last == w + first + 1 && !strchr(last, '.') &&
		    (in_list(w, first, packages, ARRAY_SIZE(packages)) ||
		     (strlen(last) > 7 && !strcmp(last + strlen(last) - 7, "-action"))))
			return W_MAYBE;
		if (!strncmp(w, "console.", 8))
			return W_NO;
		if (backticked || !*last || has_lower_ext(last) ||
		    in_list(last, strlen(last), plain_files, ARRAY_SIZE(plain_files)) ||
		    in_list(w, first, top_dirs, ARRAY_SIZE(top_dirs)))
			return W_PATH;
		return W_MAYBE;
	}
	if (*w == '.') {
		/* a dotfile: .gitignore, .env.example, .gitlab-ci.yml; not ".js" (an extension) */
		const char *p;
		int letter = 0;

		for (p = w + 1; *p; p++) {
			if (isalpha((unsigned char)*p))
				letter = 1;
			else if (!isdigit((unsigned char)*p) && !strchr("._-", *p))
				return W_NO;
		}
		if (!letter || (!backticked && !islower((unsigned char)w[1])))
			return W_NO;
		/* "each changed `.cpp` file": an extension, not a dotfile (".env" is one) */
		if (!strchr(w + 1, '.') && in_list(w + 1, len - 1, file_exts, ARRAY_SIZE(file_exts)) &&
		    !is_dotfile(w + 1, len - 1))
			return W_NO;
		/* "all `.bas` files": a short extension, unless the tree has the file */
		if (len <= 5 && strspn(w + 1, "abcdefghijklmnopqrstuvwxyz") == len - 1 &&
		    !is_dotfile(w + 1, len - 1))
			return W_MAYBE;
		if (backticked || strpbrk(w + 1, ".-") || is_dotfile(w + 1, len - 1))
			return W_PATH;
		return W_MAYBE;	/* ".ics", ".js": an extension, unless the tree has the file */
	}
	if (is_abbreviation(w))
		return W_NO;
	for (i = 0; i < ARRAY_SIZE(not_files); i++)
		if (!strcmp(w, not_files[i]))
			return W_NO;
	if (in_list(w, len, plain_files, ARRAY_SIZE(plain_files)))
		return W_PATH;
	if (has_file_ext(w))
		return W_PATH;
	/* "batches.current", "user.plan": a file only if the tree has one */
	return has_lower_ext(w) ? W_MAYBE : W_NO;
}

struct task_acc {
	struct strbuf text;
	struct strmap seen;
};

struct md_parser {
	struct tasklist *tl;
	const char *file;
	int source;
	int line;
	int phase;
	long cur;		/* task taking continuation lines, or -1 */
	int cur_indent;		/* -1: a checkbox heading, which takes every line */
	struct strbuf text;	/* the current task's text */
	struct strmap seen;	/* the current task's paths */
	struct strbuf norm;
	pcre2_match_data *md;
	int read_left;		/* words during which a path found is only read */
	int last_read;		/* the last word was a path only read */
	int paren;		/* inside parentheses on this line */
	struct strmap warned;	/* "id\nname" of ambiguous names reported */
	/* the items a deeper item nests in: indentation (-1: heading), task */
	struct nest { int indent; long task; } *nest;
	size_t nest_nr, nest_alloc;
	int blank;		/* blank lines since the last line of the task */
	unsigned char legend[256];	/* box character -> enum box_class, from the file's legend */
	struct strlist header;	/* the cells of the current table's header */
	struct strlist row;	/* the last table row, a header if a separator follows */
	int in_table;
	size_t first_task;	/* this file's first task in tl */
	int id_heading;		/* first line of a heading that starts with an ID and has checklists, or 0 */
	int any_id_heading;	/* first line of a heading that starts with an ID, or 0 */
	int last_id_heading;	/* the last heading's line if it starts with an ID, else 0 */
	int last_id_level;	/* its level: deeper headings are in its section */
	char *last_id;		/* its ID */
	int id_row;		/* first line of a table row without a box that holds an ID, or 0 */
	int plain_item;		/* first line of a list item without a box ("- text"), or 0 */
	int id_item;		/* first line of a list item without a box that starts with an ID, or 0 */
	struct strlist notes;	/* "<line>\t- T013 depends on T011": notes on a task's order */
	struct strlist links;	/* "<task>\t<dependency>" read from other notes: "T002 before T003" */
	int quiet;		/* reading a note: what is no dependency list is no error */
	/*
	 * The last heading that starts with an ID ("### T146: Define the
	 * table") and the lines under it, while no item has followed: a
	 * status box right under it ("- [x] Complete") makes it the task.
	 */
	char *head_text;
	struct strlist head_lines;
	int plain_items;	/* how many */
	int checklist_level;	/* level of the heading of a checklist section we are in, or 0 */
	size_t *checks;		/* tasks read in such a section */
	size_t checks_nr, checks_alloc;
	struct task_acc *acc;	/* this file's tasks' texts and path maps, by task */
	size_t acc_nr, acc_alloc;
	/*
	 * Lines of the headings that start with an ID and have checklist
	 * items under them, in order (the first reading collects them).  In
	 * a file whose items have no ID, the second reading makes each of
	 * these headings a task and the items under it its criteria.
	 */
	int *heads;
	size_t heads_nr, heads_alloc;
	int head_level;		/* the level of the heading task we are in, or 0 */
	/*
	 * The IDs of the headings in heads (first reading), and in the
	 * second reading what a status list or table says of them ("- [x]
	 * I-1.2: title", "| T1.1 | [X] | ... |"): ID -> 1 + box class.
	 */
	struct strmap head_ids;
	const struct strmap *task_head_ids;
	struct strmap entries;
	const int *task_heads;	/* the second reading: these headings are tasks */
	size_t task_heads_nr, task_heads_at;
	/* tasks made from such headings, and how many of their criteria are open */
	struct head_task { size_t task; int crit, open; } *htasks;
	size_t htasks_nr, htasks_alloc;
};

static void push_unique(struct md_parser *p, struct strlist *l, const char *path, int is_paths)
{
	int found;

	/* few paths: a linear search; many: a map, so a huge task stays linear */
	if (!is_paths || l->nr < 16) {
		if (!strlist_has(l, path))
			strlist_push(l, path);
		return;
	}
	if (!p->seen.nr) {
		size_t i;

		for (i = 0; i < l->nr; i++)
			strmap_put(&p->seen, l->v[i], NULL, NULL);
	}
	strmap_put(&p->seen, path, NULL, &found);
	if (!found)
		strlist_push(l, path);
}

static void add_path(struct md_parser *p, const char *word, int line, int read)
{
	struct task *t = &p->tl->v[p->cur];
	const char *why = NULL;

	if (path_normalize(&p->norm, word, &why) < 0) {
		warning("%s:%d: task '%s': ignoring path '%s' (%s)",
			p->file, line, t->id, word, why);
		return;
	}
	if (read) {
		if (!strlist_has(&t->paths, p->norm.buf))
			push_unique(p, &t->reads, p->norm.buf, 0);
		return;
	}
	push_unique(p, &t->paths, p->norm.buf, 1);
}

/* Files that live at the top of a repository. */
static const char *const root_files[] = {
	"CHANGELOG.md", "CONTRIBUTING.md", "Cargo.lock", "Cargo.toml", "README.md", "SECURITY.md",
	"docker-compose.yml", "docker-compose.yaml", "go.mod", "go.sum", "package-lock.json",
	"package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "pyproject.toml",
	"requirements.txt", "setup.py", "tsconfig.json", "turbo.json", "yarn.lock",
};

static int has_dir_path(const struct task *t)
{
	return t->paths.nr && strchr(t->paths.v[t->paths.nr - 1], '/');
}

/*
 * A bare new file name next to a path of the same task is in that
 * path's directory: "Create `ui/Card/Card.tsx` (Card.test.tsx,
 * index.ts)" declares ui/Card/Card.test.tsx, not a top-level file.
 */
static void add_sibling(struct md_parser *p, const char *name, int line, int read)
{
	const struct task *t = &p->tl->v[p->cur];
	const char *last, *slash;
	char *path;

	if (!t->paths.nr)
		return;
	last = t->paths.v[t->paths.nr - 1];
	slash = strrchr(last, '/');
	if (!slash)
		return;
	path = xstrfmt("%.*s/%s", (int)(slash - last), last, name);
	add_path(p, path, line, read);
	free(path);
}

/*
 * Is a bare name one of the files of the task's last path?  When it is
 * listed in parentheses after it ("ui/Card/Card.tsx (index.ts, ...)") or
 * shares its stem ("Card.test.tsx" after ui/Card/Card.tsx or ui/Card/);
 * "Change files/x.c and T01.txt" names a top-level T01.txt.
 */
static int sibling_ok(const struct md_parser *p, const struct task *t, const char *w)
{
	const char *last, *base, *end;
	size_t stem = strcspn(w, ".");

	if (strchr(w, '/') || *w == '.' || !has_dir_path(t) ||
	    in_list(w, strlen(w), root_files, ARRAY_SIZE(root_files)) ||
	    in_list(w, strlen(w), plain_files, ARRAY_SIZE(plain_files)))
		return 0;
	if (p->paren > 0)
		return 1;
	last = t->paths.v[t->paths.nr - 1];
	end = last + strlen(last);
	if (end > last && end[-1] == '/')
		end--;	/* a directory: its name */
	for (base = end; base > last && base[-1] != '/'; base--)
		;
	return stem && (size_t)(end - base) >= stem && !strncmp(base, w, stem) &&
	       (base[stem] == '.' || base + stem == end);
}

/*
 * Does the task say it creates the file w, a name the tree does not
 * know?  "Create user.plan", "new file app.conf": w is the first name of
 * the title after the verb.  Not "Create `x/search.ts` with
 * `search.global`" (the task names its file first), not "Implement
 * `event.clone`: create a record" (the verb comes after), not "Create a
 * Fly.io token" (a capitalised name with no file extension is a product).
 */
static int task_creates(const struct task *t, const char *w)
{
	static const char *const verbs[] = { "create", "creates", "creating", "generate", "new file", "scaffold" };
	const char *q = t->title, *at;
	size_t i;

	if (t->paths.nr || isupper((unsigned char)*w) || !q || !(at = strstr(q, w)))
		return 0;
	for (; *q && q < at; q++) {
		/* not "client.create", "on_create", "re-create": a word of its own */
		if (q > t->title && (isalnum((unsigned char)q[-1]) || strchr("._-/", q[-1])))
			continue;
		for (i = 0; i < ARRAY_SIZE(verbs); i++) {
			size_t n = strlen(verbs[i]);

			if (!strncasecmp(q, verbs[i], n) && !isalnum((unsigned char)q[n]))
				return 1;
		}
	}
	return 0;
}

/*
 * Resolve one cleaned word against the base tree and declare what it
 * names.  rooted: it was written "/apps/x/y.json".
 */
static void resolve_word(struct md_parser *p, const char *w, enum word_kind kind,
			 int rooted, int line, int read)
{
	const struct pathres *tree = base_tree;
	const struct task *t = &p->tl->v[p->cur];
	const char *found = NULL;
	size_t n;
	int slash = strchr(w, '/') != NULL, dir = w[strlen(w) - 1] == '/';

	if (!tree) {
		/* no tree to ask: the shape decides, as the word is written */
		if (rooted || !(kind == W_PATH || (kind == W_MAYBE && !slash && *w != '.' && task_creates(t, w))))
			return;
		if (sibling_ok(p, t, w))
			add_sibling(p, w, line, read);
		else
			add_path(p, w, line, read);
		return;
	}
	if (!dir && pathres_is_file(tree, w)) {
		add_path(p, w, line, read);
		return;
	}
	if (pathres_is_dir(tree, w)) {
		char *d = dir ? xstrdup(w) : xstrfmt("%s/", w);

		add_path(p, d, line, read);
		free(d);
		return;
	}
	if (dir) {
		if (kind == W_PATH && !rooted)
			add_path(p, w, line, read);
		return;
	}
	/* a bare name or a path's tail: the one file of the tree that ends so */
	n = rooted ? 0 : pathres_find(tree, w, &found);
	if (n == 1) {
		add_path(p, found, line, read);
		return;
	}
	if ((n > 1 || kind == W_PATH) && sibling_ok(p, t, w)) {
		add_sibling(p, w, line, read);	/* next to the task's other files */
		return;
	}
	if (n > 1 && !slash) {
		struct strbuf key = STRBUF_INIT;
		int seen;

		strbuf_addf(&key, "%s\n%s", t->id, w);
		strmap_put(&p->warned, key.buf, NULL, &seen);
		if (!seen)
			warning("%s:%d: task '%s': '%s' names %zu files of the base tree ('%s', ...); not declared",
				p->file, line, t->id, w, n, found);
		strbuf_release(&key);
		return;
	}
	if (n > 1)
		kind = W_PATH;	/* several "x/y.ts" below: as written, from the top */
	if (!slash && !rooted && *w != '.' && kind != W_NO && task_creates(t, w)) {
		add_path(p, w, line, read);
		return;
	}
	if (kind != W_PATH)
		return;
	if (rooted) {
		size_t first = strcspn(w, "/");
		char *top = xstrndup(w, first);

		/* "/apps/new.json" under an existing top directory; not "/api/events" */
		if (has_file_ext(w) && pathres_is_dir(tree, top))
			add_path(p, w, line, read);
		free(top);
		return;
	}
	/*
	 * A new file: as written ("f.txt" at the top, as before; a new
	 * bare name next to the task's other path was placed above).
	 */
	add_path(p, w, line, read);
}

/* "src/api/{a,b}.ts" -> src/api/a.ts, src/api/b.ts (one level, up to 32) */
static void expand_braces(const char *w, struct strlist *out)
{
	const char *open = strchr(w, '{'), *close = open ? strchr(open, '}') : NULL, *q;

	if (!open || !close || memchr(open + 1, '{', (size_t)(close - open - 1))) {
		strlist_push(out, w);
		return;
	}
	for (q = open + 1; q <= close && out->nr < 32; ) {
		size_t n = strcspn(q, ",}");

		strlist_push_nodup(out, xstrfmt("%.*s%.*s%s", (int)(open - w), w, (int)n, q, close + 1));
		q += n + 1;
	}
}

/* A glob declares what it matches in the tree (up to 32 files), else its directory. */
static void resolve_glob(struct md_parser *p, const char *w, int line, int read)
{
	struct strlist alts = STRLIST_INIT, hits = STRLIST_INIT;
	size_t i, k;

	expand_braces(w, &alts);
	for (i = 0; i < alts.nr; i++) {
		const char *a = alts.v[i];
		size_t lit = strcspn(a, "*?{}");

		if (!a[lit]) {
			resolve_word(p, a, W_PATH, 0, line, read);
			continue;
		}
		if (strpbrk(a, "{}"))
			continue;
		hits.nr = 0;
		if (base_tree && pathres_glob(base_tree, a, &hits, 32) <= 32 && hits.nr) {
			for (k = 0; k < hits.nr; k++)
				add_path(p, hits.v[k], line, read);
		} else {
			while (lit && a[lit - 1] != '/')
				lit--;
			if (lit) {
				char *d = xstrndup(a, lit);

				add_path(p, d, line, read);
				free(d);
			}
		}
		for (k = 0; k < hits.nr; k++)
			free(hits.v[k]);
		hits.nr = 0;
	}
	strlist_clear(&hits);
	strlist_clear(&alts);
}

/*
 * Clean a word into a path candidate: "x.py:42", "x.py:42:7", "x.md#L10",
 * "x.md#section", "test_x.py::test_y" are the file; ".\scripts\x.ps1" is
 * scripts/x.ps1; "/apps/x.json" is rooted.
 */
static void clean_word(struct strbuf *sb, const char *w, size_t n, int *rooted)
{
	char *q;
	size_t i;

	strbuf_reset(sb);
	strbuf_add(sb, w, n);
	*rooted = 0;
	if ((q = strstr(sb->buf, "::")) && q > sb->buf)
		strbuf_setlen(sb, (size_t)(q - sb->buf));
	if ((q = strchr(sb->buf, '#')) && q > sb->buf && !strchr(q, '/'))
		strbuf_setlen(sb, (size_t)(q - sb->buf));
	/* ":42", ":42:7", ":10-20" after a file */
	for (q = strchr(sb->buf, ':'); q; q = strchr(q + 1, ':'))
		if (q > sb->buf && isdigit((unsigned char)q[1]) &&
		    strspn(q + 1, "0123456789:-L") == strlen(q + 1)) {
			strbuf_setlen(sb, (size_t)(q - sb->buf));
			break;
		}
	if (strchr(sb->buf, '\\') && !strchr(sb->buf, '/'))
		for (i = 0; i < sb->len; i++)
			if (sb->buf[i] == '\\')
				sb->buf[i] = '/';
	while (sb->len >= 2 && sb->buf[0] == '.' && sb->buf[1] == '/') {
		memmove(sb->buf, sb->buf + 2, sb->len - 1);
		sb->len -= 2;
	}
	if (sb->len > 1 && sb->buf[0] == '/' && sb->buf[1] != '/') {
		memmove(sb->buf, sb->buf + 1, sb->len);
		sb->len--;
		*rooted = 1;
	}
}

static int filler(const char *w, size_t n)
{
	static const char *const words[] = { "the", "a", "an", "our", "its", "their", "existing", "current" };

	return in_list(w, n, words, ARRAY_SIZE(words));
}

/* Words after which a path is only read: "per x.md", "see docs/", "according to y" */
static int read_cue(const char *w, size_t n, const char *prev, size_t prev_n)
{
	static const char *const cues[] = {
		"per", "see", "review", "reviewing", "consult", "run", "Per", "See", "Review", "Consult", "Run",
	};

	while (n && strchr(".,;:)(\"'*", w[n - 1]))
		n--;
	while (n && strchr("(\"'*", *w)) {
		w++;
		n--;
	}
	if (in_list(w, n, cues, ARRAY_SIZE(cues)))
		return 1;
	return n == 2 && !strncmp(w, "to", 2) && prev_n >= 9 && !strncasecmp(prev, "according", 9);
}

static void consider_word(struct md_parser *p, const char *w, size_t n,
			  int backticked, int line)
{
	struct strbuf sb = STRBUF_INIT;
	const char *link;
	enum word_kind kind;
	int rooted, read = p->read_left > 0;

	/* a markdown link: its target counts, "[text](docs/x.md)" */
	if (!backticked && (link = memmem_(w, n, "](")) != NULL) {
		const char *target = link + 2, *end = memchr(target, ')', (size_t)(w + n - target));

		if (end > target && file_dir &&
		    (!strncmp(target, "../", 3) || !strncmp(target, "./", 2))) {
			/* "[package.json](../../package.json)" in specs/002/tasks.md */
			char *rel = xstrfmt("%s%.*s", file_dir, (int)(end - target), target);

			consider_word(p, rel, strlen(rel), 1, line);
			free(rel);
		} else if (end > target) {
			consider_word(p, target, (size_t)(end - target), 1, line);
		}
		n = (size_t)(link - w);
	}
	if (!backticked) {
		while (n && strchr("([\"'*", *w)) {
			w++;
			n--;
		}
		/* "_Leverage: src/x.ts_": Kiro's italics */
		while (n && strchr(".,;:)]\"'*!?_", w[n - 1]) &&
		       !(w[n - 1] == '*' && n >= 2 && w[n - 2] == '/'))
			n--;
	}
	if (!n)
		return;
	clean_word(&sb, w, n, &rooted);
	kind = sb.len ? looks_like_path(sb.buf, backticked) : W_NO;
	if (kind == W_GLOB)
		resolve_glob(p, sb.buf, line, read);
	else if (kind != W_NO || rooted)
		resolve_word(p, sb.buf, rooted ? W_MAYBE : kind, rooted, line, read);
	/* "see a.md, b.md" reads both; "per a.md in b.md" writes b.md */
	p->last_read = kind != W_NO && read;
	if (p->last_read)
		p->read_left = w[n] == ',' ? 2 : 0;
	strbuf_release(&sb);
}

/*
 * Does a backticked span with spaces name one path?  `docs/My Guide.md`:
 * the tree has it, or it starts with a directory, ends in a file name
 * (x.ext) or '/', and reads like a name, not a command or a list
 * (`git add x.py`, `src/a.py and src/b.py`, `x.py --fix`).
 */
static int one_path_span(const char *s, const char *end)
{
	static const char *const joins[] = { "and", "or", "to", "with", "vs", "&", "from", "in" };
	const char *sp = memchr(s, ' ', (size_t)(end - s)), *q, *w, *slash = NULL;
	int words = 0, ret = 0;
	char *span;

	if (!sp || end == s || end[-1] == ' ')
		return 0;
	span = xstrndup(s, (size_t)(end - s));
	if (base_tree && (pathres_is_file(base_tree, span) || pathres_is_dir(base_tree, span))) {
		free(span);
		return 1;
	}
	free(span);
	if (!memchr(s, '/', (size_t)(sp - s)))
		return 0;
	for (w = s; w < end; w = q + 1) {
		size_t n;

		q = memchr(w, ' ', (size_t)(end - w));
		if (!q)
			q = end;
		n = (size_t)(q - w);
		words++;
		if (!n || *w == '-' || in_list(w, n, joins, ARRAY_SIZE(joins)))
			return 0;
		if (memchr(w, '.', n) && q != end)
			return 0;	/* only the last word has an extension */
	}
	for (q = s; q < end; q++) {
		if (*q == '/')
			slash = q;
		else if (strchr("'\"=<>$|;`(){}*,", *q))
			return 0;
	}
	if (words > 5)
		return 0;
	if (end[-1] == '/')
		return 1;
	for (q = end - 1; q > slash && *q != '.'; q--)
		;
	ret = q > slash + 1 && end - q - 1 >= 1 && end - q - 1 <= 8;
	return ret;
}

static void scan_words(struct md_parser *p, const char *s, const char *end,
		       int backticked, int line)
{
	const char *prev = NULL;
	size_t prev_n = 0;

	while (s < end) {
		const char *w;

		while (s < end && isspace((unsigned char)*s))
			s++;
		w = s;
		while (s < end && !isspace((unsigned char)*s))
			s++;
		if (s == w)
			continue;
		if (!backticked && read_cue(w, (size_t)(s - w), prev, prev_n)) {
			p->read_left = 1;
		} else if (p->read_left > 0 && p->read_left < (1 << 20) && filler(w, (size_t)(s - w))) {
			;	/* "per the spec.md": the next word still */
		} else if (!backticked && (size_t)(s - w) == 8 && !strncasecmp(w, "context:", 8)) {
			p->read_left = 1 << 20;	/* the rest of the line */
		} else if (p->last_read && ((size_t)(s - w) == 3 ? !strncmp(w, "and", 3) :
					     (size_t)(s - w) == 2 ? !strncmp(w, "or", 2) : 0)) {
			p->read_left = 1;	/* "see a.md and b.md" */
			p->last_read = 0;
		} else {
			if (!backticked && *w == '(')
				p->paren++;
			consider_word(p, w, (size_t)(s - w), backticked, line);
			if (p->read_left > 0)
				p->read_left--;
			if (!backticked && p->paren > 0 && memchr(w, ')', (size_t)(s - w)))
				p->paren--;
		}
		prev = w;
		prev_n = (size_t)(s - w);
	}
}

/* Declared paths in s: backticked spans word by word, then bare words. */
static void scan_paths(struct md_parser *p, const char *s, int line)
{
	const char *end = s + strlen(s);

	p->read_left = 0;
	p->last_read = 0;
	p->paren = 0;
	while (s < end) {
		const char *open = strchr(s, '`'), *close;

		if (!open) {
			scan_words(p, s, end, 0, line);
			break;
		}
		close = strchr(open + 1, '`');
		if (!close) {
			/* an unpaired backtick: read the rest as bare words */
			scan_words(p, s, open, 0, line);
			scan_words(p, open + 1, end, 0, line);
			break;
		}
		scan_words(p, s, open, 0, line);
		if (one_path_span(open + 1, close)) {
			int read = p->read_left > 0;
			char *span = xstrndup(open + 1, (size_t)(close - open - 1));

			resolve_word(p, span, W_PATH, 0, line, read);
			free(span);
		} else {
			/*
			 * `x/y`: a name set apart, a path even without an
			 * extension.  A span of several words is a command or
			 * a message (`git push origin feat/x`, `curl
			 * localhost:3000/api/x`, `test(parallel): add
			 * parallel/sequential`): its words are read as bare ones.
			 */
			scan_words(p, open + 1, close, !memchr(open + 1, ' ', (size_t)(close - open - 1)), line);
		}
		s = close + 1;
	}
}

/* dependencies */

/*
 * Words that introduce a dependency list.  Strong ones ("depends on",
 * "Dependencies:", "deps:", "blocked by") must be followed by IDs: prose
 * after them is warned about.  Soft ones ("after", "requires") are common
 * in prose: they add what they name only when it is a task, and say
 * nothing when no ID follows.  "colon": the word needs a ':' after it.
 */
static const struct dep_word {
	const char *word;
	unsigned char strong, colon;
} dep_words[] = {
	{ "depends on", 1, 0 }, { "depends upon", 1, 0 }, { "depend on", 1, 0 },
	{ "dependencies", 1, 1 }, { "dependency", 1, 1 }, { "depends", 1, 1 },
	{ "deps", 1, 1 }, { "blocked by", 1, 0 }, { "blocked on", 1, 0 }, { "blocked-by", 1, 1 },
	{ "after", 0, 0 }, { "requires", 0, 0 }, { "require", 0, 0 },
	{ "needs", 0, 0 }, { "waits for", 0, 0 }, { "wait for", 0, 0 },
	{ "prerequisites", 0, 1 }, { "prerequisite", 0, 1 }, { "prereqs", 0, 1 },
};

/* Words that say "no dependency". */
static int no_dependency(const char *s)
{
	static const char *const none[] = { "none", "n/a", "nothing", "no ", "-", "\xe2\x80\x94", "\xe2\x80\x93", "\xe2\x88\x85" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(none); i++)
		if (!strncasecmp(s, none[i], strlen(none[i])))
			return 1;
	return !*s || *s == ')' || *s == ']' || *s == '|';
}

/*
 * "Depends on: Phase I Complete", "depend on implementation phases being
 * complete", "Depends on the previous phase": the phases order the tasks
 * already, so this says nothing more (and is no unreadable dependency).
 */
static int phase_dependency(const char *s)
{
	static const char *const lead[] = { "all ", "the ", "previous ", "prior ", "earlier ",
		"implementation ", "foundational ", "setup ", "completed ", "completion of " };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lead); i++)
		if (!strncasecmp(s, lead[i], strlen(lead[i]))) {
			s += strlen(lead[i]);
			i = (size_t)-1;
		}
	if (strncasecmp(s, "phase", 5))
		return 0;
	s += 5 + (s[5] == 's');
	return !isalpha((unsigned char)*s);
}

static void add_dep(struct task *t, const char *id, size_t n, int strong)
{
	/* a soft dependency is marked '?': tasks_validate() keeps it only if it is a task */
	char *dep;

	/* "depends on US1" names a story, not a task: the phases deal with it */
	if (n > 2 && !strncmp(id, "US", 2) && strspn(id + 2, "0123456789") == n - 2)
		strong = 0;
	dep = xstrfmt("%s%.*s", strong ? "" : "?", (int)n, id);

	/* few: no duplicates; many (ranges): resolve_depends() drops them through a map */
	if (t->depends.nr < 64 && (strlist_has(&t->depends, dep) ||
				   (!strong && strlist_has(&t->depends, dep + 1))))
		free(dep);
	else
		strlist_push_nodup(&t->depends, dep);
}

/* After a number: a unit ("after 30 days", "requires 2.5 GB"), so a quantity, not a task. */
static int unit_follows(const char *q)
{
	static const char *const units[] = {
		"ms", "s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes",
		"h", "hr", "hrs", "hour", "hours", "day", "days", "week", "weeks", "month", "months",
		"year", "years", "times", "attempts", "retries", "tries", "failures", "errors",
		"requests", "items", "users", "files", "lines", "chars", "characters", "bytes",
		"kb", "mb", "gb", "tb", "px", "rem", "em", "pt", "percent", "steps", "iterations",
		"runs", "calls", "tokens", "records", "rows", "entries", "messages", "results",
	};
	size_t i, n;

	if (*q != ' ' && *q != '\t')
		return 0;
	q += strspn(q, " \t");
	for (n = 0; isalpha((unsigned char)q[n]); n++)
		;
	if (!n || isalnum((unsigned char)q[n]) || q[n] == '_')
		return 0;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (strlen(units[i]) == n && !strncasecmp(q, units[i], n))
			return 1;
	return 0;
}

/*
 * A list of IDs at s+off: "T001, T002 and T003", "T001-T004" (a range),
 * "`T001`", "2.1".  Returns how many IDs it read; *end is after the list.
 */
static int read_dep_list(struct md_parser *p, struct task *t, const char *s,
			 size_t len, size_t off, int strong, size_t *end, int line)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
	int n = 0;

	for (;;) {
		size_t w = off;

		while (s[off] && (isspace((unsigned char)s[off]) || strchr(",&+/`*", s[off])))
			off++;
		if (!strncasecmp(s + off, "and", 3) && isspace((unsigned char)s[off + 3])) {
			off += 3;
			continue;
		}
		if (!strncasecmp(s + off, "or", 2) && isspace((unsigned char)s[off + 2])) {
			off += 2;
			continue;
		}
		if (!strncasecmp(s + off, "tasks ", 6) || !strncasecmp(s + off, "task ", 5)) {
			off += s[off + 4] == 's' ? 6 : 5;
			continue;
		}
		if (!s[off])
			break;
		if (match_at(range_re, p->md, s, len, off)) {
			size_t plen = ov[3] - ov[2], wid = ov[5] - ov[4];
			unsigned long a = strtoul(s + ov[4], NULL, 10), b = strtoul(s + ov[8], NULL, 10), k;

			if ((ov[7] > ov[6] && (ov[7] - ov[6] != plen || memcmp(s + ov[2], s + ov[6], plen))) ||
			    b < a || b - a > 1000) {
				if (!p->quiet)
					warning("%s:%d: task '%s': cannot read the range '%.*s'", p->file, line,
					t->id, (int)(ov[1] - ov[0]), s + ov[0]);
			} else {
				for (k = a; k <= b; k++) {
					char *id = xstrfmt("%.*s%0*lu", (int)plen, s + ov[2], (int)wid, k);

					/* "T196-T200 depend on ..." in T200's text: not on itself */
					if (strcmp(id, t->id))
						add_dep(t, id, strlen(id), strong);
					free(id);
				}
				n++;
			}
			off = ov[1];
			continue;
		}
		if (!match_at(dep_id_re, p->md, s, len, off)) {
			size_t d = strspn(s + off, "0123456789");

			/* "depends on 1": a Kiro "1." task if there is one */
			if (d && d < 10 && !isalnum((unsigned char)s[off + d]) && s[off + d] != '.' &&
			    s[off + d] != '%' && !unit_follows(s + off + d)) {
				add_dep(t, s + off, d, 0);
				n++;
				off += d;
				continue;
			}
			off = w;
			break;
		}
		if (isdigit((unsigned char)s[ov[0]]) && unit_follows(s + ov[1])) {
			off = w;	/* "after 2.5 seconds" */
			break;
		}
		add_dep(t, s + ov[0], ov[1] - ov[0], strong);
		n++;
		off = ov[1];
		/* "T001 (the model), T002": a note after an ID */
		w = off + strspn(s + off, " \t");
		if (s[w] == '(' && strchr(s + w, ')') && (size_t)(strchr(s + w, ')') - (s + w)) < 80) {
			const char *close = strchr(s + w, ')');

			if (close[1] && strchr(",;&/", close[1 + strspn(close + 1, " \t")]))
				off = (size_t)(close + 1 - s);
		}
	}
	*end = off;
	return n;
}

/*
 * Dependencies written in s: "(depends on T012, T013 and T014)",
 * "(after T001)", "[deps: T001,T005]", "**Dependencies**: T001",
 * "blocked by T001-T004" ... (case-insensitive).  A strong word followed
 * by something else than IDs is warned about with the line.
 */
static void scan_depends(struct md_parser *p, struct task *t, const char *s, int line)
{
	size_t len = strlen(s);
	const char *q;

	for (q = s; *q; q++) {
		const struct dep_word *w = NULL;
		size_t off, i, end;
		int colon = 0;

		if (q > s && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
			continue;
		for (i = 0; i < ARRAY_SIZE(dep_words); i++) {
			size_t n = strlen(dep_words[i].word);

			if (!strncasecmp(q, dep_words[i].word, n) &&
			    !isalnum((unsigned char)q[n]) && q[n] != '_') {
				w = &dep_words[i];
				break;
			}
		}
		if (!w)
			continue;
		off = (size_t)(q - s) + strlen(w->word);
		/* "**Dependencies**: T001", "deps:T001", "Depends on: T001" */
		while (s[off] == '*' || s[off] == '_')
			off++;
		while (s[off] == ' ' || s[off] == '\t')
			off++;
		if (s[off] == ':') {
			colon = 1;
			off++;
			while (s[off] == '*' || s[off] == '_' || isspace((unsigned char)s[off]))
				off++;
		}
		if (w->colon && !colon)
			continue;
		if (read_dep_list(p, t, s, len, off, w->strong, &end, line)) {
			q = s + end - 1;
			continue;
		}
		/*
		 * "with dependencies: `zod`" is about packages: a colon word
		 * warns only at the start of a line ("**Dependencies**: the
		 * API"), a verb ("depends on the API") anywhere.
		 */
		if (w->strong && !no_dependency(s + off) && !phase_dependency(s + off) && s[off] != '`' &&
		    (!w->colon || strspn(s, " \t-*_>") >= (size_t)(q - s)))
			warning("%s:%d: task '%s': cannot read the dependency '%.*s'", p->file, line,
				t->id, (int)strcspn(q, ")]\n"), q);
		q = s + off - 1;
	}
}

/* a task's end, text, nesting */

/* Task i's text and path map while the file is read (i is this file's). */
static struct task_acc *acc_of(struct md_parser *p, long i)
{
	size_t k = (size_t)i - p->first_task;

	if (k >= p->acc_nr) {
		ALLOC_GROW(p->acc, k + 1, p->acc_alloc);
		for (; p->acc_nr <= k; p->acc_nr++) {
			strbuf_init(&p->acc[p->acc_nr].text, 0);
			strmap_init(&p->acc[p->acc_nr].seen);
		}
	}
	return &p->acc[k];
}

/*
 * The current task stops taking lines: its text and path map are put
 * aside (moved, not copied), so that going back to it (a criterion of a
 * group after a subtask) costs nothing however often it happens.
 */
static void end_task(struct md_parser *p)
{
	struct task_acc *a;

	if (p->cur < 0)
		return;
	a = acc_of(p, p->cur);
	strbuf_release(&a->text);
	strmap_clear(&a->seen);
	a->text = p->text;
	a->seen = p->seen;
	strbuf_init(&p->text, 0);
	strmap_init(&p->seen);
	p->cur = -1;
	p->blank = 0;
}

/* Make task i take continuation lines again (an item nested under it after a subtask). */
static void reopen_task(struct md_parser *p, long i, int indent)
{
	struct task_acc *a;

	end_task(p);
	a = acc_of(p, i);
	strbuf_release(&p->text);
	strmap_clear(&p->seen);
	p->text = a->text;
	p->seen = a->seen;
	strbuf_init(&a->text, 0);
	strmap_init(&a->seen);
	p->cur = i;
	p->cur_indent = indent;
}

/* The end of the file: every task of it gets its text. */
static void finish_texts(struct md_parser *p)
{
	size_t k;

	end_task(p);
	for (k = 0; k < p->acc_nr; k++) {
		struct task *t = &p->tl->v[p->first_task + k];

		free(t->text);
		t->text = strbuf_detach(&p->acc[k].text, NULL);
		strmap_clear(&p->acc[k].seen);
	}
	free(p->acc);
	p->acc = NULL;
	p->acc_nr = p->acc_alloc = 0;
}

static void end_nesting(struct md_parser *p)
{
	end_task(p);
	p->nest_nr = 0;
}

static void skip_separator(const char **s)
{
	static const char *const seps[] = { ":", "-", ".", "\xe2\x80\x94", "\xe2\x80\x93" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(seps); i++) {
		size_t n = strlen(seps[i]);

		if (!strncmp(*s, seps[i], n) && (isspace((unsigned char)(*s)[n]) || !(*s)[n])) {
			*s += n;
			while (isspace((unsigned char)**s))
				(*s)++;
			return;
		}
	}
}

/* status markers */

enum box_class {
	BOX_NONE,		/* not a checklist box: "- [P] tasks = ..." is a note */
	BOX_TODO,
	BOX_DONE,
	BOX_CANCELLED,
	BOX_PROGRESS,
	BOX_DEFERRED,
	BOX_BLOCKED,
	BOX_OTHER,		/* read and listed as "marked [c]", not run */
};

static const char *const box_status[] = {
	NULL, NULL, NULL, NULL, "in progress", "deferred", "blocked", NULL,
};

/* What a legend says a box means: "[~] = In progress", "[-]: skipped". */
static enum box_class legend_class(const char *d)
{
	static const struct { const char *word; enum box_class c; } words[] = {
		{ "not started", BOX_TODO }, { "not done", BOX_TODO }, { "not complete", BOX_TODO },
		{ "incomplete", BOX_TODO }, { "not yet", BOX_TODO },
		{ "cancel", BOX_CANCELLED }, { "skip", BOX_CANCELLED }, { "won't", BOX_CANCELLED },
		{ "wont", BOX_CANCELLED }, { "drop", BOX_CANCELLED }, { "abandon", BOX_CANCELLED },
		{ "n/a", BOX_CANCELLED }, { "not applicable", BOX_CANCELLED }, { "obsolete", BOX_CANCELLED },
		{ "removed", BOX_CANCELLED }, { "rejected", BOX_CANCELLED },
		{ "progress", BOX_PROGRESS }, { "doing", BOX_PROGRESS }, { "wip", BOX_PROGRESS },
		{ "partial", BOX_PROGRESS }, { "ongoing", BOX_PROGRESS }, { "working", BOX_PROGRESS },
		{ "started", BOX_PROGRESS }, { "active", BOX_PROGRESS }, { "current", BOX_PROGRESS },
		{ "defer", BOX_DEFERRED }, { "postpone", BOX_DEFERRED }, { "later", BOX_DEFERRED },
		{ "backlog", BOX_DEFERRED }, { "future", BOX_DEFERRED }, { "parked", BOX_DEFERRED },
		{ "block", BOX_BLOCKED }, { "waiting", BOX_BLOCKED }, { "stuck", BOX_BLOCKED },
		{ "on hold", BOX_BLOCKED },
		{ "done", BOX_DONE }, { "complete", BOX_DONE }, { "finished", BOX_DONE },
		{ "resolved", BOX_DONE }, { "fixed", BOX_DONE }, { "verified", BOX_DONE },
		{ "todo", BOX_TODO }, { "to do", BOX_TODO }, { "pending", BOX_TODO }, { "open", BOX_TODO },
	};
	size_t n = strcspn(d, ",;|[\n"), i;
	char *desc = xstrndup(d, n);
	enum box_class c = BOX_NONE;
	char *q;

	for (q = desc; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	for (i = 0; i < ARRAY_SIZE(words) && c == BOX_NONE; i++)
		if (strstr(desc, words[i].word))
			c = words[i].c;
	free(desc);
	return c;
}

/* Read the legends of a line: "[~] = in progress, [-] = skipped". */
static void legend_scan(struct md_parser *p, const char *line)
{
	const char *q;
	size_t cells = 0;
	int table_legend;

	/* a two-column table row: "| `[B]` | Blocked |" */
	for (q = line; *q; q++)
		cells += *q == '|';
	table_legend = line[strspn(line, " \t")] == '|' && cells <= 3;

	for (q = line; (q = strchr(q, '[')); q++) {
		const char *d;
		enum box_class c;
		int ticked;

		if (!q[1] || q[2] != ']' || q[1] == 'P' || q[1] == 'p')
			continue;
		d = q + 3;
		ticked = *d == '`';
		d += ticked;
		while (*d == ' ' || *d == '\t')
			d++;
		if (*d == '=' || *d == ':')
			d++;
		else if (ticked && *d == '-')	/* "- `[~]` - In progress" */
			d++;
		else if (ticked && (!strncmp(d, "\xe2\x80\x93", 3) || !strncmp(d, "\xe2\x80\x94", 3)))
			d += 3;
		else if (!strncmp(d, "\xe2\x86\x92", 3))	/* an arrow */
			d += 3;
		else if (*d == '|' && table_legend)	/* | `[B]` | Blocked | */
			d++;
		else
			continue;
		while (*d == ' ' || *d == '\t' || *d == '*' || *d == '`')
			d++;
		c = legend_class(d);
		if (c != BOX_NONE)
			p->legend[(unsigned char)q[1]] = (unsigned char)c;
	}
}

/* What the box of an item means; BOX_NONE for "[P]": not a checklist box. */
static enum box_class box_class(const struct md_parser *p, const char *box, size_t n)
{
	static const char *const done[] = { "\xe2\x9c\x93", "\xe2\x9c\x94", "\xe2\x9c\x85" };
	static const char *const cancelled[] = { "\xe2\x9c\x97", "\xe2\x9c\x98", "\xe2\x9d\x8c" };
	size_t i;

	if (n == 1 && p->legend[(unsigned char)*box])
		return (enum box_class)p->legend[(unsigned char)*box];
	if (n > 1) {
		for (i = 0; i < ARRAY_SIZE(done); i++)
			if (n == strlen(done[i]) && !memcmp(box, done[i], n))
				return BOX_DONE;
		for (i = 0; i < ARRAY_SIZE(cancelled); i++)
			if (n == strlen(cancelled[i]) && !memcmp(box, cancelled[i], n))
				return BOX_CANCELLED;
		/* a word: "- [TODO] Task-001: ...", "[DOING]", "[BLOCKED]" */
		if (isupper((unsigned char)*box)) {
			char *w = xstrndup(box, n);
			enum box_class c = legend_class(w);

			free(w);
			return c;
		}
		return BOX_NONE;
	}
	switch (*box) {
	case ' ':
		return BOX_TODO;
	case 'x': case 'X':
		return BOX_DONE;
	case '-':
		return BOX_CANCELLED;
	case '~': case '/':
		return BOX_PROGRESS;
	case '>': case '<':
		return BOX_DEFERRED;
	case '!':
		return BOX_BLOCKED;
	case '?': case 'A': case 'o': case 'O': case '.':
		return BOX_OTHER;
	}
	return BOX_NONE;
}

struct box {
	enum box_class c;
	const char *s;	/* the box's character(s) */
	size_t n;
	int optional;	/* "- [ ]*": Kiro's optional task */
};

/* items */

/* The ID at s+pos: "T001", "[T001]", "2.1", "3." (read as "3"); *end after it. */
/* "P0".."P9": a priority label (an ID only when one item of the file uses it) */
static int priority_label(const char *id)
{
	return id[0] == 'P' && isdigit((unsigned char)id[1]) && !id[2];
}

/* Words with digits that read like IDs: "- [ ] E2E tests with Playwright", "S3 bucket" */
static int tech_word(const char *s, size_t n)
{
	static const char *const words[] = {
		"E2E", "B2B", "B2C", "P2P", "S3", "EC2", "K8S", "H264", "H265", "X11", "A11Y",
		"I18N", "L10N", "W3C", "HTTP2", "HTTP3", "UTF8", "UTF-8", "UTF16", "UTF-16", "SHA1",
		"SHA256", "SHA512", "MD5", "ES5", "ES6", "HTML5", "CSS3", "MP3", "MP4", "IPV4",
		"IPV6", "OAUTH2", "GPT4", "GPT-4", "GPT5", "GPT-5", "WEBGL2", "AES256", "AES-256",
		"COVID-19", "WCAG2", "CO2",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strlen(words[i]) == n && !strncasecmp(s, words[i], n))
			return 1;
	return 0;
}

static char *read_id(struct md_parser *p, const char *s, size_t len, size_t pos, size_t *end)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
	int bracket = s[pos] == '[';
	size_t at = pos + bracket;
	char *id;

	/* "Task 1.1", "Task 3:", "Step 2." name the task by its number */
	if (!bracket && (!strncasecmp(s + pos, "task ", 5) || !strncasecmp(s + pos, "step ", 5)) &&
	    isdigit((unsigned char)s[pos + 5])) {
		size_t d = strspn(s + pos + 5, "0123456789");

		if (match_at(kiro_re, p->md, s, len, pos + 5)) {
			id = xstrndup(s + ov[2], ov[3] - ov[2]);
			*end = ov[1];
			return id;
		}
		if (d < 10 && (s[pos + 5 + d] == ':' || s[pos + 5 + d] == ' ' || s[pos + 5 + d] == '*')) {
			*end = pos + 5 + d;
			return xstrndup(s + pos + 5, d);
		}
	}
	if (match_at(id_re, p->md, s, len, at)) {
		/* "E2E", and "E2E-TESTS" too (a word after the ID is part of it: "T017-TEST") */
		size_t head = strspn(s + ov[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

		head += s[ov[0] + head] == '-';
		head += strspn(s + ov[0] + head, "0123456789");
		if (!bracket && (tech_word(s + ov[0], ov[1] - ov[0]) ||
				 (head < ov[1] - ov[0] && tech_word(s + ov[0], head))))
			return NULL;
		id = xstrndup(s + ov[0], ov[1] - ov[0]);
		*end = ov[1];
	} else if (match_at(kiro_re, p->md, s, len, at) &&
		   (memchr(s + ov[2], '.', ov[3] - ov[2]) || ov[5] > ov[4])) {
		id = xstrndup(s + ov[2], ov[3] - ov[2]);
		*end = ov[1];
	} else {
		return NULL;
	}
	if (bracket) {
		size_t digits = strspn(id + strcspn(id, "0123456789"), "0123456789");

		/* "[US1]" is a story, "[P1]" a priority: a bracketed ID is "[T001]", "[BUG-1]" */
		if (s[*end] != ']' || !strncmp(id, "US", 2) || (digits < 2 && !strchr(id, '-'))) {
			free(id);
			return NULL;
		}
		(*end)++;
	}
	return id;
}

struct item {
	char *id, *story, *title;
	int parallel;
	int struck;	/* "~~T074 title~~": struck out */
};

static void item_release(struct item *it)
{
	free(it->id);
	free(it->story);
	free(it->title);
}

/* Read an item's ID, markers and title from s+off. */
static void read_item(struct md_parser *p, const char *s, size_t len, size_t off, struct item *it)
{
	struct strbuf title = STRBUF_INIT;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
	int bold = 0;
	size_t pos = off, end;
	const char *rest;

	memset(it, 0, sizeof(*it));
	/* "- [ ] ~~T074 [P] Create the service~~": struck out, whole */
	if (!strncmp(s + pos, "~~", 2)) {
		size_t e = len;

		while (e > pos && isspace((unsigned char)s[e - 1]))
			e--;
		if (e >= pos + 4 && !strncmp(s + e - 2, "~~", 2) && !memmem_(s + pos + 2, e - pos - 4, "~~")) {
			it->struck = 1;
			pos += 2;
			off = pos;
		}
	}
	if (!strncmp(s + pos, "**", 2)) {
		bold = 1;
		pos += 2;
	}
	it->id = read_id(p, s, len, pos, &end);
	if (!it->id && s[pos] == '[') {
		/* a leading tag: "[EXEC] TS-002: ...", "[P] T001 ..." */
		size_t q = pos;
		int par = 0;
		char *story = NULL;

		while (q < len && s[q] == '[' && match_at(marker_re, p->md, s, len, q)) {
			if (ov[3] - ov[2] == 1 && (s[ov[2]] == 'P' || s[ov[2]] == 'p'))
				par = 1;
			else if (!story && !strncmp(s + ov[2], "US", 2))
				story = xstrndup(s + ov[2], ov[3] - ov[2]);
			q = ov[1];
			while (q < len && (s[q] == ' ' || s[q] == '\t'))
				q++;
		}
		if (q > pos && (it->id = read_id(p, s, len, q, &end))) {
			it->parallel = par;
			it->story = story;
		} else {
			free(story);
		}
	}
	if (it->id) {
		pos = end;
	} else {
		pos = off;
		bold = 0;
	}
	for (;;) {
		size_t q = pos;

		while (q < len && (s[q] == ' ' || s[q] == '\t'))
			q++;
		if (bold && !strncmp(s + q, "**", 2)) {
			bold = 0;
			pos = q + 2;
			continue;
		}
		/* "**PH0-LAUNCH-001:** title" */
		if (bold && s[q] == ':' && !strncmp(s + q + 1, "**", 2)) {
			bold = 0;
			pos = q + 3;
			continue;
		}
		if (q >= len || s[q] != '[' || !match_at(marker_re, p->md, s, len, q))
			break;
		if (ov[3] - ov[2] == 1 && (s[ov[2]] == 'P' || s[ov[2]] == 'p'))
			it->parallel = 1;
		else if (!it->story && !(ov[3] - ov[2] == 2 && s[ov[2]] == 'P' && isdigit((unsigned char)s[ov[2] + 1])))
			it->story = xstrndup(s + ov[2], ov[3] - ov[2]);	/* "[P1]" is a priority */
		pos = ov[1];
	}
	rest = s + pos;
	while (isspace((unsigned char)*rest))
		rest++;
	skip_separator(&rest);
	strbuf_addstr(&title, rest);
	rtrim(&title);
	if (bold && title.len >= 2 && !strcmp(title.buf + title.len - 2, "**")) {
		strbuf_setlen(&title, title.len - 2);
		rtrim(&title);
	}
	/* "**Set up the project**": a title all in bold is the title */
	if (title.len > 4 && !strncmp(title.buf, "**", 2) && !strcmp(title.buf + title.len - 2, "**") &&
	    !memmem_(title.buf + 2, title.len - 4, "**")) {
		strbuf_setlen(&title, title.len - 2);
		memmove(title.buf, title.buf + 2, title.len - 1);
		strbuf_setlen(&title, title.len - 2);
		strbuf_trim(&title);
	}
	if (it->struck && title.len >= 2 && !strcmp(title.buf + title.len - 2, "~~")) {
		strbuf_setlen(&title, title.len - 2);
		rtrim(&title);
	}
	/* "[P]" at the end of the line */
	if (title.len >= 4 && isspace((unsigned char)title.buf[title.len - 4]) &&
	    (!strcmp(title.buf + title.len - 3, "[P]") || !strcmp(title.buf + title.len - 3, "[p]"))) {
		it->parallel = 1;
		strbuf_setlen(&title, title.len - 3);
		rtrim(&title);
	}
	it->title = strbuf_detach(&title, NULL);
}

static void set_status(struct task *t, const char *status)
{
	free(t->status);
	t->status = status ? xstrdup(status) : NULL;
}

/* Append a line to the current task's text (a continuation or a criterion). */
static void add_text(struct md_parser *p, const char *line)
{
	strbuf_addch(&p->text, '\n');
	if (p->blank)
		strbuf_addch(&p->text, '\n');
	p->blank = 0;
	strbuf_addstr(&p->text, line);
}

static int status_entry(struct md_parser *p, const char *id, const struct box *box);

/*
 * A checklist item (indent >= 0) or a checkbox heading (indent -1): s is
 * the whole line, the text starts at s + off.  An item nested under a
 * task is a subtask when it has an ID (its parent is then a group, not
 * run), else an acceptance criterion: a line of the parent's text.
 */
static void md_item(struct md_parser *p, const char *s, size_t len,
		    int indent, const struct box *box, size_t off, const char *given_id)
{
	struct item it;
	struct task *t;
	long parent = -1;
	int auto_id;

	if (is_blank(s + off)) {
		warning("%s:%d: empty checklist item, skipped", p->file, p->line);
		return;
	}
	/* a legend: "- [~] = in progress" */
	if (s[off] == '=' || (s[off] == ':' && (s[off + 1] == ' ' || !s[off + 1])))
		return;
	while (p->nest_nr && p->nest[p->nest_nr - 1].indent >= indent)
		p->nest_nr--;
	if (p->nest_nr)
		parent = p->nest[p->nest_nr - 1].task;

	read_item(p, s, len, off, &it);
	if (given_id) {
		free(it.id);
		it.id = xstrdup(given_id);
	}
	if (indent >= 0 && status_entry(p, it.id, box)) {
		item_release(&it);
		return;
	}
	if (parent >= 0 && !it.id) {
		struct strbuf line = STRBUF_INIT;

		if (p->htasks_nr && p->htasks[p->htasks_nr - 1].task == (size_t)parent) {
			p->htasks[p->htasks_nr - 1].crit++;
			p->htasks[p->htasks_nr - 1].open += box->c == BOX_TODO;
		}

		if (p->cur != parent)
			reopen_task(p, parent, p->nest[p->nest_nr - 1].indent);
		strbuf_addstr(&line, s);
		strbuf_trim(&line);
		add_text(p, line.buf);
		scan_paths(p, line.buf, p->line);
		scan_depends(p, &p->tl->v[p->cur], line.buf, p->line);
		strbuf_release(&line);
		item_release(&it);
		return;
	}
	end_task(p);
	if (parent >= 0) {
		t = &p->tl->v[parent];
		set_status(t, "group");
		if (!t->done)
			t->cancelled = 1;
	}

	auto_id = !it.id;
	if (auto_id)
		it.id = xstrfmt("L%d", p->line);
	p->cur = (long)task_new(p->tl, it.id, p->file, p->line, p->source);
	if (p->checklist_level) {
		ALLOC_GROW(p->checks, p->checks_nr + 1, p->checks_alloc);
		p->checks[p->checks_nr++] = (size_t)p->cur;
	}
	t = &p->tl->v[p->cur];
	t->auto_id = auto_id;
	t->phase = p->phase;
	t->in_group = parent >= 0 ? (size_t)parent + 1 : 0;
	t->parallel = it.parallel;
	t->done = box->c == BOX_DONE;
	t->cancelled = box->c != BOX_TODO && box->c != BOX_DONE;
	if (box->c == BOX_OTHER) {
		char *st = xstrfmt("marked [%.*s]", (int)box->n, box->s);

		set_status(t, st);
		free(st);
	} else {
		set_status(t, box_status[box->c]);
	}
	if (box->optional && box->c == BOX_TODO)
		set_status(t, "optional");
	if (it.struck && !t->done) {
		t->cancelled = 1;
		set_status(t, "struck out");
	}
	/* Kiro writes "- [-] 2. Task" for a task it is working on */
	if (box->c == BOX_CANCELLED && box->n == 1 && *box->s == '-' && !p->legend['-'] &&
	    !auto_id && isdigit((unsigned char)t->id[0]))
		set_status(t, "in progress");
	t->story = it.story;
	t->title = it.title;
	it.story = it.title = NULL;
	p->cur_indent = indent;
	strbuf_reset(&p->text);
	strbuf_addstr(&p->text, t->title);
	scan_paths(p, t->title, p->line);
	scan_depends(p, &p->tl->v[p->cur], p->tl->v[p->cur].title, p->line);
	ALLOC_GROW(p->nest, p->nest_nr + 1, p->nest_alloc);
	p->nest[p->nest_nr].indent = indent;
	p->nest[p->nest_nr].task = p->cur;
	p->nest_nr++;
	item_release(&it);
}

static size_t fence_len(const char *s, char *c);

static int strcasestr_ascii(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* "- [ ] ...", "* [x] ...": a checklist item, whatever its box holds */
static int item_line(const char *s)
{
	s += strspn(s, " \t");
	if (!strchr("-*+", *s) || !*s)
		return 0;
	s++;
	s += strspn(s, " \t");
	return s[0] == '[' && s[1] && s[2] == ']';
}

static void md_phase(struct md_parser *p, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	struct task_phase *ph;

	strbuf_addstr(&sb, name);
	strbuf_trim(&sb);
	/* an ATX heading may close with #s */
	while (sb.len && sb.buf[sb.len - 1] == '#')
		sb.len--;
	strbuf_setlen(&sb, sb.len);
	rtrim(&sb);
	ALLOC_GROW(p->tl->phases, p->tl->phases_nr + 1, p->tl->phases_alloc);
	ph = &p->tl->phases[p->tl->phases_nr];
	ph->name = strbuf_detach(&sb, NULL);
	ph->file = xstrdup(p->file);
	ph->line = p->line;
	ph->source = p->source;
	strlist_init(&ph->notes);
	p->phase = (int)p->tl->phases_nr++;
}

/*
 * Keep the lines that say what depends on what ("- **US2 (Phase 4)**:
 * Depends on US1", "Depends on US1" in a phase's intro) with the phase
 * whose section holds them, found by line number: a second, independent
 * pass over the file, so the item parser stays as it is.  Fenced code is
 * skipped; task lines (checklist items) are not notes.
 */
static void scan_phase_notes(struct tasklist *tl, const char *buf, size_t len,
			     int source, size_t first_phase)
{
	const char *s = buf, *end = buf + len;
	size_t ph = first_phase, fence = 0;
	int line = 0;
	char fence_c = 0;

	if (first_phase >= tl->phases_nr)
		return;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s), fl;
		char *l, fc;

		line++;
		l = xstrndup(s, n);
		s += n + (nl ? 1 : 0);
		if ((fl = fence_len(l, &fc))) {
			if (!fence) {
				fence = fl;
				fence_c = fc;
			} else if (fl >= fence && fc == fence_c) {
				fence = 0;
			}
			free(l);
			continue;
		}
		while (ph + 1 < tl->phases_nr && tl->phases[ph + 1].source == source &&
		       tl->phases[ph + 1].line <= line)
			ph++;
		if (!fence && tl->phases[ph].line < line && strcasestr_ascii(l, "depend") &&
		    !item_line(l)) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addstr(&sb, l);
			strbuf_trim(&sb);
			strlist_push_nodup(&tl->phases[ph].notes, strbuf_detach(&sb, NULL));
		}
		free(l);
	}
}

/* tables: "| [ ] | T002 | title | T001 |" */

/* The cells of a table row, trimmed, without the outer pipes. */
static void split_row(struct strlist *cells, const char *s)
{
	const char *q = s + strspn(s, " \t");

	strlist_clear(cells);
	if (*q == '|')
		q++;
	while (*q) {
		struct strbuf cell = STRBUF_INIT;

		while (*q && *q != '|') {
			if (*q == '\\' && q[1] == '|') {
				strbuf_addch(&cell, '|');
				q += 2;
				continue;
			}
			strbuf_addch(&cell, *q++);
		}
		strbuf_trim(&cell);
		if (*q == '|') {
			q++;
		} else if (!cell.len) {
			strbuf_release(&cell);
			break;
		}
		strlist_push_nodup(cells, strbuf_detach(&cell, NULL));
	}
}

static int separator_row(const struct strlist *cells)
{
	size_t i;

	for (i = 0; i < cells->nr; i++) {
		const char *c = cells->v[i];

		if (*c == ':')
			c++;
		if (*c != '-' || (c[strspn(c, "-")] && strcmp(c + strspn(c, "-"), ":")))
			return 0;
	}
	return cells->nr > 0;
}

/* Does header cell i contain one of the words (lower case)? */
static int header_has(const struct md_parser *p, size_t i, const char *const *words)
{
	char *h;
	int ret = 0;
	size_t k;

	if (i >= p->header.nr)
		return 0;
	h = xstrdup(p->header.v[i]);
	for (k = 0; h[k]; k++)
		h[k] = (char)tolower((unsigned char)h[k]);
	for (k = 0; words[k] && !ret; k++)
		ret = strstr(h, words[k]) != NULL;
	free(h);
	return ret;
}

/* A cell holding exactly an ID ("T002", "**T002**", "`2.1`"): the ID, or NULL. */
static char *cell_id(struct md_parser *p, const char *cell)
{
	size_t n = strlen(cell), skip = strspn(cell, "*`"), end;
	char *id;

	while (n > skip && strchr("*`", cell[n - 1]))
		n--;
	if (n <= skip || !(id = read_id(p, cell, n, skip, &end)))
		return NULL;
	if (end != n) {
		free(id);
		return NULL;
	}
	return id;
}

static const char *const dep_cols[] = { "depend", "deps", "blocked", "after", "prereq", "requires", NULL };
static const char *const files_words[] = { "file", "path", NULL };
static const char *const command_cols[] = { "verify", "command", "check", "test", "run", "cmd", NULL };

/* A few words ("existing handshake code paths"), not a code or a list ("R1, R1.1"). */
static int prose(const char *s)
{
	int words = 0;

	for (; *s; s++)
		if (*s == ' ' && s[1] && s[1] != ' ' && s[-1] != ',')
			words++;
	return words >= 2;
}

/* A status mark before an ID in a table cell ("✅ T1"): its class, or BOX_NONE. */
static enum box_class mark_class(const struct md_parser *p, const char *s, size_t n)
{
	static const char *const todo[] = { "\xe2\xac\x9c", "\xe2\x98\x90", "\xf0\x9f\x94\xb2" };	/* ⬜ ☐ 🔲 */
	static const char *const progress[] = { "\xf0\x9f\x94\x84", "\xf0\x9f\x9a\xa7", "\xe2\x8f\xb3" };	/* 🔄 🚧 ⏳ */
	size_t i;

	if (n > 3 && !memcmp(s + n - 3, "\xef\xb8\x8f", 3))
		n -= 3;	/* a variation selector: "✔️" */
	if (n == 3 && !memcmp(s, "\xe2\x98\x91", 3))	/* ☑ */
		return BOX_DONE;
	for (i = 0; i < ARRAY_SIZE(todo); i++)
		if (n == strlen(todo[i]) && !memcmp(s, todo[i], n))
			return BOX_TODO;
	for (i = 0; i < ARRAY_SIZE(progress); i++)
		if (n == strlen(progress[i]) && !memcmp(s, progress[i], n))
			return BOX_PROGRESS;
	return n > 1 ? box_class(p, s, n) : BOX_NONE;
}

/*
 * A row of a task table without boxes: "| ✅ T1 | scout | a.go,b.go | - |"
 * (specd's tasks.md).  Only when the header has an "id" column and a
 * dependency column: a table of requirements or risks has no dependency
 * column.  The ID cell may start with a status mark (done, to do, in
 * progress, cancelled); none is "to do", another mark is not a task.
 * Returns the ID's column, or -1.
 */
static long id_table_row(struct md_parser *p, const struct strlist *cells, struct box *box, char **id)
{
	long col = -1;
	int deps = 0;
	size_t i, n;
	const char *c;

	for (i = 0; i < p->header.nr; i++) {
		const char *h = p->header.v[i];

		if (col < 0 && (!strcasecmp(h, "id") || !strcasecmp(h, "task id") || !strcmp(h, "#")))
			col = (long)i;
		else if (header_has(p, i, dep_cols))
			deps = 1;
	}
	if (col < 0 || !deps || (size_t)col >= cells->nr)
		return -1;
	c = cells->v[col];
	box->c = BOX_TODO;
	box->s = " ";
	box->n = 1;
	if ((unsigned char)*c >= 0x80) {
		n = strcspn(c, " \t");
		box->c = mark_class(p, c, n);
		box->s = c;
		box->n = n;
		c += n + strspn(c + n, " \t");
	}
	*id = cell_id(p, c);
	/* no mark: a status column says it ("done", "✅ Done", "in progress") */
	for (i = 0; *id && box->n == 1 && *box->s == ' ' && i < p->header.nr && i < cells->nr; i++) {
		const char *h = p->header.v[i], *v = cells->v[i];

		if ((strcasecmp(h, "status") && strcasecmp(h, "state")) || !*v)
			continue;
		n = strcspn(v, " \t");
		box->c = (unsigned char)*v >= 0x80 ? mark_class(p, v, n) : legend_class(v);
		if ((unsigned char)*v >= 0x80 && box->c == BOX_NONE)
			box->c = legend_class(v + n);
		if (box->c == BOX_NONE)
			box->c = BOX_OTHER;
		box->s = v;
		box->n = strlen(v);
		break;
	}
	if (*id && box->c == BOX_NONE) {
		warning("%s:%d: task '%s': unknown status mark '%.*s'; not planned",
			p->file, p->line, *id, (int)box->n, box->s);
		free(*id);
		*id = NULL;
	}
	return *id ? col : -1;
}

/*
 * A table row with a box cell, or a row of a task table (id_table_row()):
 * a task.  Returns 0 if the row is neither.
 */
static int md_table_row(struct md_parser *p, const struct strlist *cells)
{
	static const char *const title_words[] = { "title", "task", "description", "summary", "name", "what", "work", NULL };
	static const char *const par_words[] = { "parallel", "[p]", NULL };
	struct box box = { BOX_NONE, NULL, 0, 0 };
	long bi = -1, ii = -1, di = -1, ti = -1, fi = -1;
	char *id = NULL;
	struct task *t;
	size_t i;
	int parallel = 0, auto_id;

	for (i = 0; i < cells->nr; i++) {
		const char *c = cells->v[i];
		size_t n = strlen(c);

		if (bi < 0 && n >= 3 && c[0] == '[' && c[n - 1] == ']' &&
		    (box.c = box_class(p, c + 1, n - 2)) != BOX_NONE) {
			bi = (long)i;
			box.s = c + 1;
			box.n = n - 2;
		}
	}
	if (bi < 0) {
		if ((ii = id_table_row(p, cells, &box, &id)) < 0)
			return 0;
		/*
		 * Its dependency column orders it ("-" for none): no barrier
		 * around each row; shared files still make edges.
		 */
		parallel = 1;
		/* its paths are in its files column, if it has one */
		for (i = 0; i < cells->nr && fi < 0; i++)
			if ((long)i != ii && header_has(p, i, files_words) && !header_has(p, i, dep_cols))
				fi = (long)i;
	}
	for (i = 0; i < cells->nr; i++) {
		if ((long)i == bi || (long)i == ii)
			continue;
		if (ii < 0 && !header_has(p, i, dep_cols) && (id = cell_id(p, cells->v[i]))) {
			ii = (long)i;
			continue;
		}
		if (di < 0 && header_has(p, i, dep_cols))
			di = (long)i;
		else if (header_has(p, i, par_words) && *cells->v[i] && !no_dependency(cells->v[i]))
			parallel = 1;
		else if (!strcmp(cells->v[i], "[P]") || !strcmp(cells->v[i], "[p]"))
			parallel = 1;
	}
	for (i = 0; i < cells->nr && ti < 0; i++)
		if ((long)i != bi && (long)i != ii && (long)i != di && header_has(p, i, title_words) &&
		    *cells->v[i])
			ti = (long)i;
	if (ti < 0)
		for (i = 0; i < cells->nr; i++)
			if ((long)i != bi && (long)i != ii && (long)i != di && (long)i != fi &&
			    !header_has(p, i, par_words) &&
			    (bi >= 0 || (!header_has(p, i, command_cols) && prose(cells->v[i]))) &&
			    (ti < 0 || strlen(cells->v[i]) > strlen(cells->v[ti])))
				ti = (long)i;

	if (status_entry(p, id, &box)) {
		free(id);
		return 1;
	}
	end_nesting(p);
	auto_id = !id;
	if (auto_id)
		id = xstrfmt("L%d", p->line);
	p->cur = (long)task_new(p->tl, id, p->file, p->line, p->source);
	free(id);
	t = &p->tl->v[p->cur];
	t->auto_id = auto_id;
	t->phase = p->phase;
	t->parallel = parallel;
	t->done = box.c == BOX_DONE;
	t->cancelled = box.c != BOX_TODO && box.c != BOX_DONE;
	if (box.c == BOX_OTHER)
		t->status = xstrfmt("marked [%.*s]", (int)box.n, box.s);
	else
		set_status(t, box_status[box.c]);
	if (ti >= 0) {
		struct item it;

		read_item(p, cells->v[ti], strlen(cells->v[ti]), 0, &it);
		t = &p->tl->v[p->cur];
		t->parallel |= it.parallel;
		t->story = it.story;
		t->title = it.title;
		free(it.id);
	} else {
		/* no title column: what it touches says most */
		t->title = xstrdup(fi >= 0 ? cells->v[fi] : "");
	}
	strbuf_reset(&p->text);
	strbuf_addstr(&p->text, t->title);
	for (i = 0; i < cells->nr; i++) {
		if ((long)i == bi || (long)i == ii)
			continue;
		if ((long)i == di) {
			size_t end;
			const char *c = cells->v[i];

			if (!read_dep_list(p, &p->tl->v[p->cur], c, strlen(c), 0, 1, &end, p->line) &&
			    !no_dependency(c))
				warning("%s:%d: task '%s': cannot read the dependency '%s'", p->file,
					p->line, p->tl->v[p->cur].id, c);
			continue;
		}
		if (fi >= 0 && (long)i == fi) {
			/* "a.go,b.go": a list */
			char *list = xstrdup(cells->v[i]), *q;

			for (q = list; *q; q++)
				if (*q == ',')
					*q = ' ';
			scan_paths(p, list, p->line);
			free(list);
			continue;
		}
		if (fi < 0)
			scan_paths(p, cells->v[i], p->line);
		if ((long)i != ti)
			scan_depends(p, &p->tl->v[p->cur], cells->v[i], p->line);
	}
	scan_depends(p, &p->tl->v[p->cur], p->tl->v[p->cur].title, p->line);
	end_task(p);
	return 1;
}

/*
 * After "### ": does the heading start with an ID ("4.1 Update", "**T001**")?
 * 1 if so, 2 if it says it is a task ("Task 3: ...", "Task 1.1").
 */
/* "### Task I-1.2: title", "### Task A.3 - title": the length of an ID of another shape at s, or 0 */
static size_t task_heading_id(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-");

	if (n && n < 16 && strpbrk(s, "0123456789") &&
	    (size_t)(strpbrk(s, "0123456789") - s) < n &&
	    (s[n] == ':' || !strncmp(s + n, " -", 2) || !strncmp(s + n, " \xe2\x80\x94", 4)))
		return n;
	return 0;
}

/*
 * "Task " before a heading's ID, in the languages of the corpus ("タスク
 * 1.1:", "任务 2:", "Tarea 3:"): the length up to the ID, or 0.
 */
static size_t task_word(const char *s)
{
	static const char *const words[] = {
		"task", "\xe3\x82\xbf\xe3\x82\xb9\xe3\x82\xaf" /* タスク */,
		"\xe4\xbb\xbb\xe5\x8a\xa1" /* 任务 */, "\xe4\xbb\xbb\xe5\x8b\x99" /* 任務 */,
		"\xec\x9e\x91\xec\x97\x85" /* 작업 */, "tarea", "tarefa", "aufgabe",
		"t\xc3\xa2\x63he" /* tâche */,
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		n = strlen(words[i]);
		if (strncasecmp(s, words[i], n))
			continue;
		/* the CJK words may run into the number: "任务1:" */
		if (s[n] == ' ' || ((unsigned char)*s >= 0x80 && isdigit((unsigned char)s[n])))
			return n + (s[n] == ' ');
	}
	return 0;
}

static int heading_has_id(struct md_parser *p, const char *s, size_t len)
{
	size_t pos = strspn(s, " \t*"), end, n;
	char *id;
	int task = 0;

	if ((n = task_word(s + pos))) {
		pos += n;
		task = 1;
	}
	id = read_id(p, s, len, pos, &end);
	free(id);
	if (!id && task && task_heading_id(s + pos))
		return 2;
	return id ? 1 + task : 0;
}

/* The ID a heading starts with ("T146", "Task 3:" -> "3", "Task I-1.2:" -> "I-1.2"), or NULL. */
static char *heading_id(struct md_parser *p, const char *h)
{
	size_t pos = strspn(h, " \t*"), end;
	int has = heading_has_id(p, h, strlen(h));

	if (!has)
		return NULL;
	if (has == 2 && task_word(h + pos)) {
		size_t n = task_word(h + pos);
		char *id = read_id(p, h, strlen(h), pos + n, &end);

		if (id)
			return id;
		return xstrndup(h + pos + n, task_heading_id(h + pos + n));
	}
	return read_id(p, h, strlen(h), pos, &end);
}

/*
 * "- [x] I-1.2: Write the spec" in a status list, "| T1.1 | [X] | ... |"
 * in a tracking table, of a file whose tasks are its headings: the state
 * of heading task I-1.2, not a task of its own.  1 if it was one.
 */
static int status_entry(struct md_parser *p, const char *id, const struct box *box)
{
	if (!p->task_head_ids || !id || !strmap_contains(p->task_head_ids, id))
		return 0;
	strmap_put(&p->entries, id, (void *)(uintptr_t)(1 + box->c), NULL);
	return 1;
}

/*
 * "### 3. Add the role hook" over "- [ ] Create useIsAdmin()", in a file
 * whose items have no ID: the heading is the task, the items under it
 * its criteria (md_item nests them under a heading task).
 */
static void head_item(struct md_parser *p, const char *h)
{
	struct strbuf sb = STRBUF_INIT;
	struct box box;
	size_t pos;
	char *id = NULL;

	strbuf_addstr(&sb, h);
	while (sb.len && (sb.buf[sb.len - 1] == '#' || isspace((unsigned char)sb.buf[sb.len - 1])))
		strbuf_setlen(&sb, sb.len - 1);
	box.s = " ";
	box.n = 1;
	box.optional = 0;
	box.c = BOX_TODO;
	pos = strspn(sb.buf, " \t*");
	if (heading_has_id(p, sb.buf, sb.len) == 2) {
		size_t n;

		pos += task_word(sb.buf + pos);
		n = task_heading_id(sb.buf + pos);
		const char *r;

		id = xstrndup(sb.buf + pos, n);
		pos += n;
		pos += strspn(sb.buf + pos, " \t*");
		r = sb.buf + pos;
		skip_separator(&r);
		pos = (size_t)(r - sb.buf);
	} else {
		pos = 0;
	}
	end_nesting(p);
	md_item(p, sb.buf, sb.len, -1, &box, pos, id);
	if (p->cur >= 0) {
		ALLOC_GROW(p->htasks, p->htasks_nr + 1, p->htasks_alloc);
		p->htasks[p->htasks_nr].task = (size_t)p->cur;
		p->htasks[p->htasks_nr].crit = p->htasks[p->htasks_nr].open = 0;
		p->htasks_nr++;
	}
	free(id);
	strbuf_release(&sb);
}

/* The box at s ("[ ] ", "[x]* "): its class, and where the text starts. */
static int read_box(const struct md_parser *p, const char *s, struct box *box, size_t *off)
{
	size_t n;

	if (*s != '[')
		return 0;
	n = (unsigned char)s[1] < 0x80 ? 1 : (s[1] & 0xe0) == 0xc0 ? 2 : (s[1] & 0xf0) == 0xe0 ? 3 : 4;
	if (strnlen(s + 1, n) < n || s[1 + n] != ']')
		return 0;
	box->s = s + 1;
	box->n = n;
	box->optional = s[2 + n] == '*';
	box->c = box_class(p, box->s, n);
	*off = 2 + n + box->optional;
	if (box->c == BOX_NONE || (s[*off] && s[*off] != ' ' && s[*off] != '\t'))
		return 0;
	*off += strspn(s + *off, " \t");
	return 1;
}

/*
 * "- T013 depends on T011 completion", "- T004 should run after T001-T003"
 * in a dependencies section: a plain list item (no box) that starts with
 * an ID and says what it waits for.  Kept until the file is read (the
 * task may come later) and then read as that task's soft dependencies:
 * kept only where they name tasks.
 */
static const char *const note_verbs[] = {
	"depends on ", "depend on ", "is blocked by ", "blocked by ", "requires ", "needs ",
	"waits for ", "must wait for ", "runs after ", "should run after ", "must run after ",
	"comes after ", "starts after ", "after ",
};

/*
 * Words that join two lists of tasks in a note: "T006 (lifespan) depends
 * on T004", "T002 must complete before T003", "Tests (T018-T022) ->
 * Implementation (T023-T027)".  rev: the right side depends on the left.
 */
static const struct link_word {
	const char *word;
	int rev;
} link_words[] = {
	{ "depends on", 0 }, { "depend on", 0 }, { "blocked by", 0 }, { "requires", 0 },
	{ "needs", 0 }, { "waits for", 0 }, { "after", 0 },
	{ "before", 1 }, { "blocks", 1 }, { "precedes", 1 }, { "then", 1 },
	{ "\xe2\x86\x92", 1 }, { "->", 1 }, { "=>", 1 },
};

/* Record what a chain "A verb B verb C" says: pairs "task\tdependency". */
static void link_chain(struct md_parser *p, struct strlist *groups, const int *verbs, size_t nr)
{
	size_t k, a, b;

	for (k = 1; k < nr; k++) {
		const struct strlist *l = &groups[k - 1], *r = &groups[k];
		const struct strlist *task = link_words[verbs[k]].rev ? r : l;
		const struct strlist *dep = link_words[verbs[k]].rev ? l : r;

		for (a = 0; a < task->nr; a++)
			for (b = 0; b < dep->nr; b++)
				strlist_push_nodup(&p->links, xstrfmt("%s\t%s", task->v[a], dep->v[b]));
	}
}

/*
 * A note that names tasks on both sides of a link word, wherever the
 * IDs are: "- Manifest generators (T011, T012) before file copying
 * (T013-T016)", "- T203, T204 must complete before T205".  ';' and '. '
 * end a chain.
 */
static void link_note(struct md_parser *p, const char *s, size_t len)
{
	struct strlist groups[8];
	int verbs[8], n;
	size_t nr = 1, pos = 2, i;

	for (i = 0; i < ARRAY_SIZE(groups); i++)
		strlist_init(&groups[i]);
	while (pos < len) {
		size_t end;
		struct task tmp;

		if (s[pos] == ';' || (s[pos] == '.' && (s[pos + 1] == ' ' || !s[pos + 1]))) {
			link_chain(p, groups, verbs, nr);
			for (i = 0; i < nr; i++)
				strlist_clear(&groups[i]);
			nr = 1;
			pos++;
			continue;
		}
		if (pos && isalnum((unsigned char)s[pos - 1]) && isalnum((unsigned char)s[pos])) {
			pos++;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(link_words); i++) {
			size_t n = strlen(link_words[i].word);

			if (!strncasecmp(s + pos, link_words[i].word, n) &&
			    (!isalpha((unsigned char)s[pos]) || !isalnum((unsigned char)s[pos + n])))
				break;
		}
		if (i < ARRAY_SIZE(link_words)) {
			if (!groups[nr - 1].nr) {
				if (nr > 1)
					verbs[nr - 1] = (int)i;	/* "after, as it depends on": the last word */
			} else if (nr < ARRAY_SIZE(groups)) {
				verbs[nr++] = (int)i;
			}
			pos += strlen(link_words[i].word);
			continue;
		}
		memset(&tmp, 0, sizeof(tmp));
		strlist_init(&tmp.depends);
		tmp.id = (char *)"";
		p->quiet = 1;
		n = isalnum((unsigned char)s[pos]) ? read_dep_list(p, &tmp, s, len, pos, 0, &end, p->line) : 0;
		p->quiet = 0;
		if (n) {
			for (i = 0; i < tmp.depends.nr; i++)
				strlist_push(&groups[nr - 1], tmp.depends.v[i] + (tmp.depends.v[i][0] == '?'));
			strlist_clear(&tmp.depends);
			pos = end > pos ? end : pos + 1;
			continue;
		}
		strlist_clear(&tmp.depends);
		pos++;
	}
	link_chain(p, groups, verbs, nr);
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		strlist_clear(&groups[i]);
}

static void task_note(struct md_parser *p, const char *s, size_t len)
{
	size_t pos = 2 + strspn(s + 2, " \t"), end, i;
	int bold = !strncmp(s + pos, "**", 2);
	char *id;

	id = read_id(p, s, len, pos + (bold ? 2 : 0), &end);
	if (!id) {
		link_note(p, s, len);
		return;
	}
	free(id);
	if (bold && !strncmp(s + end, "**", 2))
		end += 2;
	if (s[end] == ':')
		end++;
	end += strspn(s + end, " \t");
	for (i = 0; i < ARRAY_SIZE(note_verbs); i++)
		if (!strncasecmp(s + end, note_verbs[i], strlen(note_verbs[i]))) {
			strlist_push_nodup(&p->notes, xstrfmt("%d\t%.*s", p->line, (int)len, s));
			return;
		}
	link_note(p, s, len);
}

/* The notes task_note() kept: each one's task gets what it names. */
static void task_notes(struct md_parser *p)
{
	size_t k, i, j, pos, end;

	for (k = 0; k < p->notes.nr; k++) {
		const char *note = p->notes.v[k], *s = strchr(note, '\t') + 1;
		size_t len = strlen(s);
		int line = atoi(note), bold;
		char *id;

		pos = 2 + strspn(s + 2, " \t");
		bold = !strncmp(s + pos, "**", 2);
		if (!(id = read_id(p, s, len, pos + (bold ? 2 : 0), &end)))
			continue;
		for (i = p->first_task; i < p->tl->nr; i++)
			if (!strcmp(p->tl->v[i].id, id))
				break;
		free(id);
		if (i == p->tl->nr)
			continue;
		end += strspn(s + end, "*: \t");
		for (j = 0; j < ARRAY_SIZE(note_verbs); j++)
			if (!strncasecmp(s + end, note_verbs[j], strlen(note_verbs[j])))
				break;
		if (j < ARRAY_SIZE(note_verbs)) {
			/* read into a scratch task: a note adds only what is a task of this file */
			struct task tmp;
			size_t d, x;

			memset(&tmp, 0, sizeof(tmp));
			strlist_init(&tmp.depends);
			tmp.id = p->tl->v[i].id;
			read_dep_list(p, &tmp, s, len, end + strlen(note_verbs[j]), 0, &pos, line);
			for (d = 0; d < tmp.depends.nr; d++) {
				const char *dep = tmp.depends.v[d] + (tmp.depends.v[d][0] == '?');

				for (x = p->first_task; x < p->tl->nr; x++)
					if (x != i && !strcmp(p->tl->v[x].id, dep))
						break;
				if (x < p->tl->nr)
					add_dep(&p->tl->v[i], dep, strlen(dep), 0);
			}
			strlist_clear(&tmp.depends);
		}
	}
	/*
	 * "T002 before T003": only between tasks of this file, and only on
	 * an earlier one, as spec-kit's notes mean them; a note never turns
	 * the file's order around (nor makes a cycle of it).
	 */
	for (k = 0; k < p->links.nr; k++) {
		const char *link = p->links.v[k], *tab = strchr(link, '\t');
		size_t t = p->tl->nr, d = p->tl->nr;

		for (i = p->first_task; i < p->tl->nr; i++) {
			if (!strncmp(p->tl->v[i].id, link, (size_t)(tab - link)) &&
			    !p->tl->v[i].id[tab - link])
				t = i;
			if (!strcmp(p->tl->v[i].id, tab + 1))
				d = i;
		}
		if (t < p->tl->nr && d < t)
			add_dep(&p->tl->v[t], tab + 1, strlen(tab + 1), 0);
	}
}

/* A line that is neither in a code block nor in a comment. */
static int checklist_heading(const char *h);

/* "Complete", "**Done**": an item that only says whether the heading above it is done */
static int status_word(const char *s)
{
	static const char *const words[] = { "complete", "completed", "done", "finished", "implemented" };
	size_t n;

	s += strspn(s, "* \t");
	for (n = strlen(s); n && strchr("*. \t", s[n - 1]); n--)
		;
	return in_list_ci(s, n, words, ARRAY_SIZE(words));
}

/*
 * "### T146: Define the table" ... "- [x] Complete": the heading is the
 * task and the box its status; the lines between them are its text.
 */
static void heading_task(struct md_parser *p, const struct box *box)
{
	char *h = p->head_text;
	size_t i;

	p->head_text = NULL;
	end_nesting(p);
	md_item(p, h, strlen(h), -1, box, 0, NULL);
	if (p->cur >= 0)
		for (i = 0; i < p->head_lines.nr; i++) {
			struct strbuf line = STRBUF_INIT;

			strbuf_addstr(&line, p->head_lines.v[i]);
			strbuf_trim(&line);
			add_text(p, line.buf);
			scan_paths(p, line.buf, p->line);
			scan_depends(p, &p->tl->v[p->cur], line.buf, p->line);
			strbuf_release(&line);
		}
	strlist_clear(&p->head_lines);
	free(h);
}

static void md_line(struct md_parser *p, const char *s, size_t len)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
	size_t w;

	if (match_at(item_re, p->md, s, len, 0)) {
		struct box box;
		size_t off = ov[1];

		box.s = s + ov[4];
		box.n = ov[5] - ov[4];
		box.optional = ov[7] > ov[6];
		box.c = box_class(p, box.s, box.n);
		if (box.c != BOX_NONE && p->head_text && !indent_width(s) && status_word(s + off)) {
			heading_task(p, &box);
			return;
		}
		free(p->head_text);
		p->head_text = NULL;
		if (box.c != BOX_NONE) {
			p->in_table = 0;
			/* a checklist under "### 4.1 title": criteria of a heading task? */
			if (!p->id_heading)
				p->id_heading = p->last_id_heading;
			if (p->last_id_heading &&
			    (!p->heads_nr || p->heads[p->heads_nr - 1] != p->last_id_heading)) {
				ALLOC_GROW(p->heads, p->heads_nr + 1, p->heads_alloc);
				p->heads[p->heads_nr++] = p->last_id_heading;
			}
			md_item(p, s, len, (int)indent_width(s), &box, off, NULL);
			return;
		}
	}
	if (match_at(numbox_re, p->md, s, len, 0)) {
		struct box box;
		size_t off = ov[1];
		char *id = xstrndup(s + ov[4], ov[5] - ov[4]);

		box.s = s + ov[6];
		box.n = ov[7] - ov[6];
		box.optional = ov[9] > ov[8];
		box.c = box_class(p, box.s, box.n);
		if (box.c != BOX_NONE) {
			p->in_table = 0;
			md_item(p, s, len, (int)indent_width(s), &box, off, id);
			free(id);
			return;
		}
		free(id);
	}
	if ((*s == '-' || *s == '*') && s[1] == ' ')
		task_note(p, s, len);
	if (!p->id_item && (*s == '-' || *s == '*') && s[1] == ' ') {
		/* "- T001 Create the model": a task without its box? */
		size_t at = 2 + strspn(s + 2, " *"), end;
		char *id = read_id(p, s, len, at, &end);

		if (id && strncmp(id, "US", 2) && !priority_label(id) && isupper((unsigned char)*id) &&
		    (s[end] == ' ' || s[end] == ':' || s[end] == '*'))
			p->id_item = p->line;
		free(id);
	}
	if (p->plain_items < 2) {
		/* "- text", "1. text"; not "- [P] tasks = different files", a note */
		const char *q = s + strspn(s, " \t");
		size_t d = strspn(q, "0123456789");

		if ((((*q == '-' || *q == '*' || *q == '+') && q[1] == ' ') ||
		     (d && d < 4 && (q[d] == '.' || q[d] == ')') && q[d + 1] == ' ')) &&
		    q[(d ? d : 1) + 1 + strspn(q + (d ? d : 1) + 1, " ")] != '[' && !p->plain_items++)
			p->plain_item = p->line;
	}
	if (s[0] == '#') {
		size_t level = strspn(s, "#"), off;
		struct box box;
		int has;

		if (level <= 6 && (s[level] == ' ' || s[level] == '\t')) {
			const char *h = s + level + strspn(s + level, " \t");

			p->in_table = 0;
			while (p->task_heads_at < p->task_heads_nr &&
			       p->task_heads[p->task_heads_at] < p->line)
				p->task_heads_at++;
			if (p->head_level && (int)level > p->head_level && p->nest_nr &&
			    !(p->task_heads_at < p->task_heads_nr &&
			      p->task_heads[p->task_heads_at] == p->line)) {
				/* "#### Steps" under the heading task "### 3. title": still its text */
				struct strbuf sub = STRBUF_INIT;

				if (p->cur != p->nest[0].task)
					reopen_task(p, p->nest[0].task, -1);
				p->nest_nr = 1;
				strbuf_addstr(&sub, s);
				strbuf_trim(&sub);
				add_text(p, sub.buf);
				scan_paths(p, h, p->line);
				strbuf_release(&sub);
				return;
			}
			p->head_level = 0;
			end_nesting(p);
			/* "#### Done when" under "### 4.1 title" is still in its section */
			if ((int)level <= p->last_id_level)
				p->last_id_heading = 0;
			if (checklist_heading(h))
				p->checklist_level = (int)level;
			else if (p->checklist_level && (int)level <= p->checklist_level)
				p->checklist_level = 0;
			if (read_box(p, h, &box, &off)) {
				md_item(p, h, strlen(h), -1, &box, off, NULL);
				return;
			}
			if (p->task_heads_at < p->task_heads_nr &&
			    p->task_heads[p->task_heads_at] == p->line) {
				head_item(p, h);
				p->head_level = (int)level;
				return;
			}
			if (level == 2) {
				md_phase(p, s + 3);
				return;
			}
			free(p->head_text);
			p->head_text = NULL;
			strlist_clear(&p->head_lines);
			if (level >= 3 && (has = heading_has_id(p, h, strlen(h)))) {
				p->head_text = xstrdup(h);
				p->last_id_heading = p->line;
				p->last_id_level = (int)level;
				free(p->last_id);
				p->last_id = heading_id(p, h);
				if (p->last_id && !strmap_contains(&p->head_ids, p->last_id))
					strmap_put(&p->head_ids, p->last_id, (void *)(uintptr_t)p->line, NULL);
				if (!p->any_id_heading)
					p->any_id_heading = p->line;
				/* "### Task 1.1: ..." is a task even with no checklist under it */
				if (has == 2 && !p->id_heading)
					p->id_heading = p->line;
			}
			return;
		}
	}
	if (s[strspn(s, " \t")] == '|') {
		split_row(&p->row, s);
		if (!p->in_table)
			strlist_clear(&p->header);
		p->in_table = 1;
		if (separator_row(&p->row)) {
			/* the row before was the header */
			return;
		}
		if (md_table_row(p, &p->row))
			return;
		if (!p->id_row) {
			size_t i;

			for (i = 0; i < p->row.nr; i++) {
				char *id = cell_id(p, p->row.v[i]);

				if (id && !strchr(id, '.') && !priority_label(id)) {
					p->id_row = p->line;
					free(id);
					break;
				}
				free(id);
			}
		}
		/* the first row is the header until a later one shows it is not */
		if (!p->header.nr) {
			size_t i;

			for (i = 0; i < p->row.nr; i++)
				strlist_push(&p->header, p->row.v[i]);
		}
	} else {
		p->in_table = 0;	/* a blank line ends a table too: the next one has its own header */
	}
	if (is_blank(s)) {
		if (p->cur >= 0)
			p->blank++;
		return;
	}
	w = indent_width(s);
	if (p->cur < 0 || (p->cur_indent >= 0 && w <= (size_t)p->cur_indent)) {
		/* the deepest open item this line is indented under takes it */
		size_t k = p->nest_nr;

		while (k && p->nest[k - 1].indent >= 0 && (size_t)p->nest[k - 1].indent >= w)
			k--;
		if (!k) {
			end_nesting(p);
			if (p->head_text && p->head_lines.nr < 64)
				strlist_push(&p->head_lines, s);
			return;
		}
		p->nest_nr = k;
		if (p->nest[k - 1].task != p->cur)
			reopen_task(p, p->nest[k - 1].task, p->nest[k - 1].indent);
	}
	{
		struct strbuf cont = STRBUF_INIT;

		strbuf_addstr(&cont, s);
		strbuf_trim(&cont);
		add_text(p, cont.buf);
		scan_paths(p, cont.buf, p->line);
		scan_depends(p, &p->tl->v[p->cur], cont.buf, p->line);
		strbuf_release(&cont);
	}
}

/*
 * "## Validation Checklist", "### Definition of Done", "## Prerequisites":
 * a section of checks to tick, not of work to hand out.
 */
static int checklist_heading(const char *h)
{
	static const char *const words[] = {
		"checklist", "criteria", "definition of done", "prerequisite", "success metric",
		"summary", "quality gate", "sign-off",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strcasestr_ascii(h, words[i]))
			return 1;
	return 0;
}

/*
 * A file whose tasks have IDs ("T012") may end with checks under a
 * checklist heading: "- [ ] All integration tests pass", "- [ ] Code
 * review completed".  Items there without an ID are those checks, not
 * work: they are listed with the status "checklist" and never run.  In a
 * file without any ID, every item is a task, as before.
 */
static void checklist_sections(struct md_parser *p)
{
	size_t i;

	for (i = p->first_task; i < p->tl->nr; i++)
		if (!p->tl->v[i].auto_id)
			break;
	if (i == p->tl->nr)
		return;
	for (i = 0; i < p->checks_nr; i++) {
		struct task *t = &p->tl->v[p->checks[i]];

		if (!t->auto_id || t->in_group || (t->cancelled && !t->done))
			continue;
		set_status(t, "checklist");
		if (!t->done)
			t->cancelled = 1;
	}
}

/*
 * Kiro often writes subtasks flush with their parent ("- [ ] 2. Build",
 * "- [ ] 2.1 Model"): a task "2.1" whose parent "2" is an earlier task of
 * the same file is its subtask, and "2" a group.
 */
static void kiro_groups(struct md_parser *p)
{
	struct strmap ids = STRMAP_INIT;
	size_t i;

	for (i = p->first_task; i < p->tl->nr; i++) {
		struct task *t = &p->tl->v[i];
		const char *dot = strrchr(t->id, '.');
		void *v;

		if (!t->auto_id && isdigit((unsigned char)t->id[0]) && !strmap_contains(&ids, t->id))
			strmap_put(&ids, t->id, (void *)(uintptr_t)(i + 1), NULL);
		if (t->auto_id || t->in_group || !dot || !isdigit((unsigned char)t->id[0]))
			continue;
		{
			char *parent = xstrndup(t->id, (size_t)(dot - t->id));

			v = strmap_get(&ids, parent);
			free(parent);
		}
		if (v && (size_t)(uintptr_t)v - 1 < i) {
			struct task *g = &p->tl->v[(uintptr_t)v - 1];

			t->in_group = (uintptr_t)v;
			set_status(g, "group");
			if (!g->done)
				g->cancelled = 1;
		}
	}
	strmap_clear(&ids);
}

/*
 * "- [ ] P2 Add automated task maintenance", "- [ ] P3 Add examples": a
 * list sorted by priority starts items with their priority.  An "ID"
 * P0..P9 that several items of the file share is that label: those items
 * get L<line> IDs and keep the label in their title, instead of the file
 * being refused for duplicate IDs.  A label used once stays an ID.
 */
static void priority_labels(struct md_parser *p)
{
	int count[10] = { 0 }, shared = 0;
	size_t i;

	for (i = p->first_task; i < p->tl->nr; i++) {
		const struct task *t = &p->tl->v[i];

		if (!t->auto_id && priority_label(t->id) && ++count[t->id[1] - '0'] > 1)
			shared = 1;
	}
	if (!shared)
		return;
	for (i = p->first_task; i < p->tl->nr; i++) {
		struct task *t = &p->tl->v[i];
		char *title;

		if (t->auto_id || !priority_label(t->id))
			continue;
		title = *t->title ? xstrfmt("%s %s", t->id, t->title) : xstrdup(t->id);
		free(t->title);
		t->title = title;
		free(t->id);
		t->id = xstrfmt("L%d", t->line);
		t->auto_id = 1;
	}
}

/*
 * A file whose checklists have no ID while its headings or a table
 * without boxes hold IDs: the checklists are acceptance criteria and the
 * tasks are elsewhere.  Say so: planning the criteria is not what its
 * author meant.
 */
static void acceptance_hint(struct md_parser *p)
{
	size_t i;

	for (i = p->first_task; i < p->tl->nr; i++)
		if (!p->tl->v[i].auto_id)
			return;
	if (p->tl->nr == p->first_task) {
		/* no checklist at all: nothing to call acceptance criteria */
		if (p->id_item)
			warning("%s:%d: no checklist items, but list items that start with an ID "
				"('- T001 title'): write '- [ ] T001 title' to plan one",
				p->file, p->id_item);
		else if (p->any_id_heading)
			warning("%s:%d: no checklist items, but headings that start with an ID "
				"('### 4.1 title'): write a task as '### [ ] 4.1 title' or "
				"'- [ ] 4.1 title' to plan it", p->file, p->any_id_heading);
		else if (p->id_row)
			warning("%s:%d: no checklist items, but table rows that start with an ID: "
				"give each row a box ('| [ ] | T002 | title | T001 |') to plan it",
				p->file, p->id_row);
		else if (p->plain_items > 1)
			warning("%s:%d: no checklist items; list items without a box ('- text') are "
				"not tasks: write '- [ ] text' to plan one", p->file, p->plain_item);
		return;
	}
	if (p->id_heading)
		warning("%s:%d: the tasks seem to be headings ('### 4.1 title'); the checklists "
			"below them look like acceptance criteria: write a task as '### [ ] 4.1 title' "
			"or '- [ ] 4.1 title' to plan it", p->file, p->id_heading);
	else if (p->id_row)
		warning("%s:%d: the tasks seem to be rows of a table without checkboxes; the "
			"checklists look like acceptance criteria: give each row a box "
			"('| [ ] | T002 | title | T001 |') to plan it", p->file, p->id_row);
}

/* The fence a line opens or closes: its character and length, or 0. */
static size_t fence_len(const char *s, char *c)
{
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '`' && *s != '~')
		return 0;
	*c = *s;
	while (s[n] == *c)
		n++;
	/* "```inline```" is code in a paragraph: a backtick fence's info string has no backtick */
	if (*c == '`' && strchr(s + n, '`'))
		return 0;
	return n >= 3 ? n : 0;
}

/*
 * Code spans: the length of the backtick run still open after line s,
 * when k was open before it (0: none).  A backslash escapes a backtick,
 * inside a span too: CommonMark says it does not there, but a span over
 * lines is a shell command whose \` is one.
 */
static size_t span_state(const char *s, size_t k)
{
	while (*s) {
		if (*s == '\\' && s[1] == '`') {
			s += 2;
		} else if (*s == '`') {
			size_t n = strspn(s, "`");

			if (!k)
				k = n;
			else if (n == k)
				k = 0;
			s += n;
		} else {
			s++;
		}
	}
	return k;
}

/*
 * A code span opened (k backticks) and not closed on its line: does it
 * close within the next 40 lines?  Then it is a span over lines (a shell
 * command with a here-text in a "Verify:" note), and what it holds,
 * "- [ ] ..." included, is code, not tasks; else its backtick was a
 * backtick.
 */
static int span_closes(const char *s, const char *end, size_t k)
{
	struct strbuf l = STRBUF_INIT;
	int i, ret = 0;

	for (i = 0; i < 40 && s < end && k; i++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		strbuf_reset(&l);
		strbuf_add(&l, s, n);
		if (!span_state(l.buf, k))
			ret = 1;
		k = span_state(l.buf, k);
		s += n + (nl ? 1 : 0);
		if (ret)
			break;
	}
	strbuf_release(&l);
	return ret;
}

/* "- text", "10. text": a list item, with or without a box */
static int list_marker(const char *s)
{
	size_t d;

	s += strspn(s, " \t");
	if ((*s == '-' || *s == '*' || *s == '+') && (!s[1] || s[1] == ' ' || s[1] == '\t'))
		return 1;
	d = strspn(s, "0123456789");
	return d && d < 10 && (s[d] == '.' || s[d] == ')') && (!s[d + 1] || s[d + 1] == ' ' || s[d + 1] == '\t');
}

/* Heading tasks whose criteria are all ticked are done. */
static void head_status(struct md_parser *p)
{
	size_t i;

	for (i = 0; i < p->htasks_nr; i++) {
		struct task *t = &p->tl->v[p->htasks[i].task];
		void *v = strmap_get(&p->entries, t->id);

		if (v)
			t->done = (uintptr_t)v - 1 == BOX_DONE;
		else if (p->htasks[i].crit && !p->htasks[i].open)
			t->done = 1;
	}
}

/*
 * The file's shape says its tasks are headings: it has items, none of
 * them with an ID, and headings that start with an ID with items under
 * them.  Hand those headings' lines to the second reading.
 */
static int heading_shape(struct md_parser *p, int **heads, size_t *nr, struct strmap *ids)
{
	size_t i, n = 0, other = 0, auto_nr = 0;

	if (!p->heads_nr || p->tl->nr == p->first_task)
		return 0;
	/*
	 * No item has an ID, or those that have one are a status list of the
	 * headings ("- [x] I-1.2: title"; entries for headings not written
	 * yet stay tasks): some name a heading, and items without an ID
	 * (the criteria) are there too.
	 */
	for (i = p->first_task; i < p->tl->nr; i++) {
		if (p->tl->v[i].auto_id)
			auto_nr++;
		else if (strmap_contains(&p->head_ids, p->tl->v[i].id))
			n++;
		else
			other++;
	}
	if (!auto_nr || (other && !n))
		return 0;
	/* a heading a status entry names is a task, criteria under it or not */
	for (i = p->first_task; i < p->tl->nr; i++) {
		size_t k;
		int line;

		if (p->tl->v[i].auto_id || !strmap_contains(&p->head_ids, p->tl->v[i].id))
			continue;
		line = (int)(uintptr_t)strmap_get(&p->head_ids, p->tl->v[i].id);
		for (k = 0; k < p->heads_nr && p->heads[k] < line; k++)
			;
		if (k < p->heads_nr && p->heads[k] == line)
			continue;
		ALLOC_GROW(p->heads, p->heads_nr + 1, p->heads_alloc);
		memmove(p->heads + k + 1, p->heads + k, (p->heads_nr - k) * sizeof(*p->heads));
		p->heads[k] = line;
		p->heads_nr++;
	}
	strmap_clear(ids);
	*ids = p->head_ids;
	strmap_init(&p->head_ids);
	*heads = p->heads;
	*nr = p->heads_nr;
	p->heads = NULL;
	p->heads_nr = p->heads_alloc = 0;
	return 1;
}

static int parse_md(struct tasklist *tl, const char *file, const char *buf, size_t len,
		    int source, const int *task_heads, size_t task_heads_nr,
		    const struct strmap *task_head_ids,
		    int **heads, size_t *heads_nr, struct strmap *head_ids)
{
	struct md_parser p;
	struct strbuf line = STRBUF_INIT, clean = STRBUF_INIT;
	const char *s = buf, *end = buf + len;
	int in_comment = 0, ret = 0, code = 0, in_list = 0, after_blank = 1;
	size_t fence = 0, span = 0, bad;
	char fence_c = 0;

	if (memchr(buf, '\0', len))
		return error("'%s' is a binary file, not a task list", file);
	if (!utf8_valid(buf, len, &bad)) {
		int n = 1;

		for (s = buf; s < buf + bad; s++)
			n += *s == '\n';
		return error("%s:%d: invalid UTF-8", file, n);
	}
	if (compile_regexes() < 0)
		return -1;

	memset(&p, 0, sizeof(p));
	p.tl = tl;
	p.file = file;
	p.source = source;
	p.phase = -1;
	p.cur = -1;
	strbuf_init(&p.text, 0);
	strbuf_init(&p.norm, 0);
	strmap_init(&p.seen);
	strmap_init(&p.warned);
	strlist_init(&p.header);
	strlist_init(&p.row);
	strlist_init(&p.notes);
	strlist_init(&p.links);
	strlist_init(&p.head_lines);
	p.first_task = tl->nr;
	p.task_heads = task_heads;
	p.task_heads_nr = task_heads_nr;
	p.task_head_ids = task_head_ids;
	strmap_init(&p.head_ids);
	strmap_init(&p.entries);
	p.md = pcre2_match_data_create(8, NULL);
	if (!p.md) {
		ret = error("out of memory");
		goto out;
	}

	/* legends first: "[~] = in progress" may come after the boxes it explains */
	for (s = buf; s < end; ) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (memchr(s, '[', n)) {
			strbuf_reset(&line);
			strbuf_add(&line, s, n);
			legend_scan(&p, line.buf);
		}
		s += n + (nl ? 1 : 0);
	}

	s = buf;
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		const char *c;
		size_t fl;
		char fc;
		int had_comment = 0;

		p.line++;
		strbuf_reset(&line);
		strbuf_add(&line, s, n);
		if (line.len && line.buf[line.len - 1] == '\r')
			strbuf_setlen(&line, line.len - 1);
		s += n + (nl ? 1 : 0);

		if (fence) {
			fl = fence_len(line.buf, &fc);
			if (fl >= fence && fc == fence_c) {
				c = line.buf + strspn(line.buf, " \t");
				if (is_blank(c + fl))
					fence = 0;
			}
			continue;
		}
		if (span) {
			/* in a code span over lines: code, whatever it looks like */
			span = span_state(line.buf, span);
			continue;
		}
		if (!in_comment && (fl = fence_len(line.buf, &fc))) {
			end_task(&p);
			fence = fl;
			fence_c = fc;
			continue;
		}
		/*
		 * An indented code block: 4 columns or more after a blank
		 * line, outside a list (where indentation continues an item).
		 */
		if (!in_comment) {
			if (is_blank(line.buf)) {
				after_blank = 1;
			} else if (code && indent_width(line.buf) >= 4) {
				continue;
			} else {
				code = 0;
				if (indent_width(line.buf) >= 4 && after_blank && !in_list) {
					end_task(&p);
					code = 1;
					continue;
				}
				if (list_marker(line.buf))
					in_list = 1;
				else if (!indent_width(line.buf))
					in_list = 0;
				after_blank = 0;
			}
		}

		/* drop <!-- ... --> comments, which may span lines */
		strbuf_reset(&clean);
		c = line.buf;
		while (*c) {
			const char *m;

			if (in_comment) {
				had_comment = 1;
				m = strstr(c, "-->");
				if (!m)
					break;
				in_comment = 0;
				c = m + 3;
			} else {
				m = strstr(c, "<!--");
				if (!m) {
					strbuf_addstr(&clean, c);
					break;
				}
				strbuf_add(&clean, c, (size_t)(m - c));
				in_comment = 1;
				c = m + 4;
			}
		}
		if (had_comment && is_blank(clean.buf))
			continue;
		md_line(&p, clean.buf, clean.len);
		if ((span = span_state(clean.buf, 0)) && !span_closes(s, end, span))
			span = 0;
	}
	head_status(&p);
	finish_texts(&p);
	task_notes(&p);
	priority_labels(&p);
	kiro_groups(&p);
	checklist_sections(&p);
	if (!heads || !heading_shape(&p, heads, heads_nr, head_ids))
		acceptance_hint(&p);

out:
	finish_texts(&p);
	pcre2_match_data_free(p.md);
	strbuf_release(&line);
	strbuf_release(&clean);
	strbuf_release(&p.text);
	strbuf_release(&p.norm);
	strmap_clear(&p.seen);
	strmap_clear(&p.warned);
	strlist_clear(&p.header);
	strlist_clear(&p.row);
	strlist_clear(&p.notes);
	strlist_clear(&p.links);
	strlist_clear(&p.head_lines);
	free(p.head_text);
	free(p.nest);
	free(p.checks);
	free(p.heads);
	free(p.htasks);
	free(p.last_id);
	strmap_clear(&p.head_ids);
	strmap_clear(&p.entries);
	return ret;
}

/* Drop what a first reading of a file added to tl. */
static void tasklist_truncate(struct tasklist *tl, size_t nr, size_t phases_nr)
{
	while (tl->nr > nr)
		task_release(&tl->v[--tl->nr]);
	while (tl->phases_nr > phases_nr) {
		struct task_phase *ph = &tl->phases[--tl->phases_nr];

		free(ph->name);
		free(ph->file);
		strlist_clear(&ph->notes);
	}
}

/*
 * Read a markdown file.  Whether its headings are its tasks is known only
 * once it is read: a first reading, quiet, says so; a second reading then
 * reads the headings as tasks.  A first reading that warned is read again
 * too, loud, so that every warning is said once.
 */
int tasks_parse_markdown(struct tasklist *tl, const char *file,
			 const char *buf, size_t len, int source)
{
	size_t nr = tl->nr, phases_nr = tl->phases_nr, heads_nr = 0;
	int quiet = quiet_warnings, count = warning_count, ret;
	int *heads = NULL;
	struct strmap ids = STRMAP_INIT;

	quiet_warnings = 1;
	ret = parse_md(tl, file, buf, len, source, NULL, 0, NULL, &heads, &heads_nr, &ids);
	quiet_warnings = quiet;
	if (ret < 0 || (!heads && warning_count == count))
		goto out;
	tasklist_truncate(tl, nr, phases_nr);
	warning_count = count;
	ret = parse_md(tl, file, buf, len, source, heads, heads_nr, heads ? &ids : NULL,
		       NULL, NULL, NULL);
out:
	free(heads);
	strmap_clear(&ids);
	return ret;
}

/* INI */

static int ini_paths(struct task *t, const char *value, const char *file, int line)
{
	struct strlist words = STRLIST_INIT;
	struct strbuf norm = STRBUF_INIT;
	int ret = 0;
	size_t i;

	strlist_split(&words, value);
	for (i = 0; i < words.nr; i++) {
		const char *why = NULL;

		if (path_normalize(&norm, words.v[i], &why) < 0) {
			if (!strcmp(why, "path outside the repository"))
				ret = error("%s:%d: task '%s': path '%s' is outside the repository",
					    file, line, t->id, words.v[i]);
			else
				ret = error("%s:%d: task '%s': invalid path '%s': %s",
					    file, line, t->id, words.v[i], why);
			continue;
		}
		if (!strlist_has(&t->paths, norm.buf))
			strlist_push(&t->paths, norm.buf);
	}
	strbuf_release(&norm);
	strlist_clear(&words);
	return ret;
}

static int ini_bool(unsigned *out, const char *key, const char *value,
		    const char *id, const char *file, int line)
{
	int v = parse_bool(value);

	if (v < 0)
		return error("%s:%d: task '%s': bad boolean value '%s' for '%s'",
			     file, line, id, value, key);
	*out = (unsigned)v;
	return 0;
}

static void set_str(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
}

int tasks_ini_set(struct tasklist *tl, const char *id, const char *key,
		  const char *value, const char *file, int line, int source)
{
	char *lookup = xstrfmt("%d\n%s", source, id);
	struct task *t;
	unsigned b = 0;
	size_t i;
	void *v;
	int ret = 0;

	if (!value)
		value = "";
	v = strmap_get(&tl->ini_index, lookup);
	if (v) {
		i = (size_t)(uintptr_t)v - 1;
	} else {
		i = task_new(tl, id, file, line, source);
		tl->v[i].parallel = 1;
		tl->v[i].title = xstrdup(id);
		tl->v[i].text = xstrdup(id);
		strmap_put(&tl->ini_index, lookup, (void *)(uintptr_t)(i + 1), NULL);
	}
	free(lookup);
	t = &tl->v[i];

	if (!strcmp(key, "title")) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, value);
		strbuf_trim(&sb);
		set_str(&t->title, sb.buf);
		set_str(&t->text, sb.buf);
		strbuf_release(&sb);
	} else if (!strcmp(key, "paths")) {
		ret = ini_paths(t, value, file, line);
	} else if (!strcmp(key, "depends")) {
		struct strlist words = STRLIST_INIT;

		strlist_split(&words, value);
		for (i = 0; i < words.nr; i++)
			if (!strlist_has(&t->depends, words.v[i]))
				strlist_push(&t->depends, words.v[i]);
		strlist_clear(&words);
	} else if (!strcmp(key, "owner")) {
		set_str(&t->owner, value);
	} else if (!strcmp(key, "command")) {
		set_str(&t->command, value);
		free(t->command_from);
		t->command_from = xstrfmt("%s:%d", file, line);
	} else if (!strcmp(key, "estimate")) {
		double d;

		if (parse_duration(value, &d) < 0)
			ret = error("%s:%d: task '%s': bad duration '%s' for 'estimate'",
				    file, line, t->id, value);
		else
			t->estimate = d;
	} else if (!strcmp(key, "parallel")) {
		if (!(ret = ini_bool(&b, key, value, t->id, file, line)))
			t->parallel = b;
	} else if (!strcmp(key, "done")) {
		if (!(ret = ini_bool(&b, key, value, t->id, file, line)))
			t->done = b;
	} else {
		warning("%s:%d: unknown key '%s' in task '%s'", file, line, key, t->id);
	}
	return ret;
}

struct ini_load {
	struct tasklist *tl;
	int source;
	struct strmap warned;
};

static int ini_task_fn(void *data, const char *section, const char *subsection,
		       const char *key, const char *value, const struct ini_pos *pos)
{
	struct ini_load *l = data;

	if (strcmp(section, "task")) {
		int found;

		strmap_put(&l->warned, section, NULL, &found);
		if (!found)
			warning("%s:%d: unknown section '%s'", pos->file, pos->line, section);
		return 0;
	}
	if (!subsection || !*subsection)
		return error("%s:%d: a [task] section needs an ID: [task \"T001\"]",
			     pos->file, pos->line);
	return tasks_ini_set(l->tl, subsection, key, value, pos->file, pos->line, l->source);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int tasks_load_file(struct tasklist *tl, const char *path, int source)
{
	struct strbuf sb = STRBUF_INIT;
	size_t before = tl->nr;
	int ret = 0;

	if (read_input_file(&sb, path, "task file") < 0) {
		ret = -1;
		goto out;
	}
	if (ends_with(path, ".ini")) {
		struct ini_load l;
		size_t i;
		char *id = NULL;

		l.tl = tl;
		l.source = source;
		strmap_init(&l.warned);
		ret = ini_read_buf(path, sb.buf, sb.len, ini_task_fn, &l);
		strmap_clear(&l.warned);
		/* what trusting this file means: this very content (trust.h) */
		for (i = before; !ret && i < tl->nr; i++) {
			if (!tl->v[i].command || tl->v[i].command_trust)
				continue;
			if (!id && !(id = trust_id(path, sb.buf, sb.len)))
				ret = error_errno("cannot resolve task file '%s'", path);
			else
				tl->v[i].command_trust = xstrdup(id);
		}
		free(id);
	} else {
		size_t phases_before = tl->phases_nr;

		ret = tasks_parse_markdown(tl, path, sb.buf, sb.len, source);
		if (!ret)
			scan_phase_notes(tl, sb.buf, sb.len, source, phases_before);
	}
	if (!ret && tl->nr == before && ends_with(path, ".ini"))
		ret = error("no tasks found in '%s': write a task as [task \"T001\"] with title = ...", path);
	else if (!ret && tl->nr == before)
		ret = error("no tasks found in '%s': a task is a checklist item ('- [ ] T001 title'), "
			    "a checkbox heading ('### [ ] T001 title') or a table row with a box "
			    "('| [ ] | T001 | title |')", path);
out:
	strbuf_release(&sb);
	return ret;
}

/* validation */

int task_id_valid(const char *id, const char *branch_prefix, const char **why)
{
	static char reason[64];
	const char *p;
	size_t len = strlen(id);
	char *branch;
	int valid = 0;

	if (!len) {
		*why = "empty ID";
		return 0;
	}
	if (len > TASK_ID_MAX) {
		snprintf(reason, sizeof(reason), "longer than %d characters", TASK_ID_MAX);
		*why = reason;
		return 0;
	}
	for (p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (isalnum(c) || (p > id && strchr("._-", c)))
			continue;
		/* one '/': a task qualified by its feature, "001-events/T001" */
		if (c == '/' && p > id && p[1] && !strchr("./-", p[1]) && p[-1] != '.' &&
		    strchr(id, '/') == strrchr(id, '/'))
			continue;
		if (c < 0x20 || c >= 0x7f)
			snprintf(reason, sizeof(reason), "%s byte 0x%02x",
				 p == id ? "starts with" : "contains", c);
		else
			snprintf(reason, sizeof(reason), "%s '%c'",
				 p == id ? "starts with" : "contains", c);
		*why = reason;
		return 0;
	}
	if (strstr(id, "..")) {
		*why = "contains '..'";
		return 0;
	}
	if (ends_with(id, ".lock")) {
		*why = "ends with '.lock'";
		return 0;
	}
	if (strstr(id, ".tmp.")) {
		/* the state directory's temporary files: readers skip them, run prunes them */
		*why = "contains '.tmp.'";
		return 0;
	}
	if (id[len - 1] == '.') {
		*why = "ends with '.'";
		return 0;
	}
	branch = xstrfmt("%s%s", branch_prefix ? branch_prefix : "", id);
	if (git_branch_name_is_valid(&valid, branch) < 0 || !valid) {
		*why = "not a valid branch name";
		valid = 0;
	}
	free(branch);
	return valid;
}

static void push_once(struct strlist *l, struct strmap *seen, const char *s)
{
	int found;

	strmap_put(seen, s, NULL, &found);
	if (!found)
		strlist_push(l, s);
}

static int is_group(const struct task *t)
{
	return t->status && !strcmp(t->status, "group");
}

/*
 * Once every ID is known: a soft dependency ("after T001", marked '?')
 * is kept only if it names a task; a dependency on a group is one on
 * each of its subtasks (the group itself does not run).
 */
static void resolve_depends(struct tasklist *tl)
{
	long *first = xcalloc(tl->nr ? tl->nr : 1, sizeof(*first));
	long *next = xcalloc(tl->nr ? tl->nr : 1, sizeof(*next));
	struct strmap bare = STRMAP_INIT;	/* "T001" -> index + 1 of the one "feature/T001", or 0 */
	struct strmap prefixes = STRMAP_INIT;	/* "T", "TASK-": how the IDs of the tasks start */
	size_t i, j;

	for (i = 0; i < tl->nr; i++) {
		const char *id = strrchr(tl->v[i].id, '/');
		char *pre;

		id = id ? id + 1 : tl->v[i].id;
		if (tl->v[i].auto_id)
			continue;
		pre = xstrndup(id, strcspn(id, "0123456789"));
		strmap_put(&prefixes, pre, NULL, NULL);
		free(pre);
	}

	for (i = 0; i < tl->nr; i++) {
		const char *slash = strchr(tl->v[i].id, '/');
		struct strmap_entry *e;
		int found;

		if (!slash)
			continue;
		e = strmap_put(&bare, slash + 1, (void *)(uintptr_t)(i + 1), &found);
		if (found)
			e->value = NULL;	/* in two features: ambiguous */
	}

	for (i = 0; i < tl->nr; i++)
		first[i] = next[i] = -1;
	for (i = tl->nr; i-- > 0; ) {
		long g = (long)tl->v[i].in_group - 1;

		if (g >= 0 && (size_t)g < tl->nr) {
			next[i] = first[g];
			first[g] = (long)i;
		}
	}
	for (i = 0; i < tl->nr; i++) {
		struct task *t = &tl->v[i];
		struct strlist deps = STRLIST_INIT;
		struct strmap seen = STRMAP_INIT;

		for (j = 0; j < t->depends.nr; j++) {
			const char *dep = t->depends.v[j];
			int soft = *dep == '?';
			long k, c;

			dep += soft;
			k = tasks_find(tl, dep);
			/* "X001" of another file, which is qualified: its one "feature/X001" */
			if (k < 0 && !strchr(dep, '/') && strmap_get(&bare, dep)) {
				k = (long)(uintptr_t)strmap_get(&bare, dep) - 1;
				dep = tl->v[k].id;
			}
			if (k < 0 && soft) {
				/*
				 * "after T099" with tasks T001..: a typo, say so; not "after
				 * 20 reload cycles" (a quantity) or "after `ASCII8`" in a
				 * list of 1.1, 1.2 (a word that only looks like an ID)
				 */
				char *pre = xstrndup(dep, strcspn(dep, "0123456789"));
				int known = *pre && strmap_contains(&prefixes, pre);

				free(pre);
				if (strncmp(dep, "US", 2) && known)
					warning("%s:%d: task '%s': '%s' is not a task; not read as a dependency",
						t->file, t->line, t->id, dep);
				continue;
			}
			if (k == (long)i && soft)
				continue;
			if (k >= 0 && is_group(&tl->v[k]) && first[k] >= 0) {
				for (c = first[k]; c >= 0; c = next[c])
					if (c != (long)i)
						push_once(&deps, &seen, tl->v[c].id);
				continue;
			}
			push_once(&deps, &seen, dep);
		}
		strlist_clear(&t->depends);
		strmap_clear(&seen);
		t->depends = deps;
	}
	free(first);
	free(next);
	strmap_clear(&bare);
	strmap_clear(&prefixes);
}

/*
 * The feature a task file is: the spec-kit or Kiro directory of a
 * "tasks.md" (specs/001-events/tasks.md: "001-events"), else the file's
 * stem (backend.md: "backend"), made a valid ref component.
 */
static char *feature_name(const char *file)
{
	const char *base = strrchr(file, '/'), *start;
	size_t n;
	char *name, *q;

	base = base ? base + 1 : file;
	n = strcspn(base, ".");
	if (n == 5 && !strncasecmp(base, "tasks", 5) && base - file >= 2) {
		for (start = base - 1; start > file && start[-1] != '/'; start--)
			;
		name = xstrndup(start, (size_t)(base - 1 - start));
	} else {
		name = xstrndup(base, n);
	}
	/* room for "/T001" in TASK_ID_MAX */
	if (strlen(name) > 28)
		name[28] = '\0';
	for (q = name; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr("_-", *q))
			*q = '-';
	if (!*name || *name == '-') {
		char *fixed = xstrfmt("f%s", name);

		free(name);
		name = fixed;
	}
	return name;
}

/*
 * Two task files whose IDs collide (two spec-kit features both starting
 * at T001) plan together: the tasks of every file with a colliding ID
 * are qualified by their feature ("001-events/T001"), and so are the
 * dependencies that name a task of their own file.
 */
static void qualify_features(struct tasklist *tl)
{
	struct strmap first = STRMAP_INIT, local = STRMAP_INIT;
	struct strbuf key = STRBUF_INIT;
	int sources = 0, any = 0, a, b, example_source = 0;
	const char *example = NULL;
	unsigned char *clash;
	char **feat;
	size_t i, j;

	for (i = 0; i < tl->nr; i++)
		if (tl->v[i].source >= sources)
			sources = tl->v[i].source + 1;
	if (sources < 2)
		return;
	clash = xcalloc((size_t)sources, 1);
	feat = xcalloc((size_t)sources, sizeof(*feat));
	for (i = 0; i < tl->nr; i++) {
		const struct task *t = &tl->v[i];
		struct strmap_entry *e;
		int found;

		if (t->source < 0 || strchr(t->id, '/'))
			continue;
		e = strmap_put(&first, t->id, (void *)(uintptr_t)(t->source + 1), &found);
		if (found && (int)(uintptr_t)e->value - 1 != t->source) {
			clash[(uintptr_t)e->value - 1] = clash[t->source] = 1;
			if (!any) {
				example = t->id;
				example_source = t->source;
			}
			any = 1;
		}
	}
	if (!any)
		goto out;
	for (i = 0; i < tl->nr; i++) {
		const struct task *t = &tl->v[i];

		if (t->source < 0 || !clash[t->source])
			continue;
		if (!feat[t->source])
			feat[t->source] = feature_name(t->file);
		strbuf_reset(&key);
		strbuf_addf(&key, "%d\n%s", t->source, t->id);
		strmap_put(&local, key.buf, NULL, NULL);
	}
	for (a = 0; a < sources; a++)
		for (b = a + 1; feat[a] && b < sources; b++)
			if (feat[b] && !strcmp(feat[a], feat[b])) {
				char *f = xstrfmt("%s-%d", feat[b], b + 1);

				free(feat[b]);
				feat[b] = f;
			}
	warning("task IDs such as '%s' are in more than one task file: each file's IDs are "
		"qualified by its feature ('%s/%s')", example, feat[example_source], example);
	for (i = 0; i < tl->nr; i++) {
		struct task *t = &tl->v[i];
		char *id;

		if (t->source < 0 || !clash[t->source])
			continue;
		for (j = 0; j < t->depends.nr; j++) {
			const char *dep = t->depends.v[j];
			int soft = *dep == '?';

			strbuf_reset(&key);
			strbuf_addf(&key, "%d\n%s", t->source, dep + soft);
			if (!strmap_contains(&local, key.buf))
				continue;
			id = xstrfmt("%s%s/%s", soft ? "?" : "", feat[t->source], dep + soft);
			free(t->depends.v[j]);
			t->depends.v[j] = id;
		}
		id = xstrfmt("%s/%s", feat[t->source], t->id);
		free(t->id);
		t->id = id;
	}
out:
	for (a = 0; a < sources; a++)
		free(feat[a]);
	free(feat);
	free(clash);
	strbuf_release(&key);
	strmap_clear(&first);
	strmap_clear(&local);
}

int tasks_validate(struct tasklist *tl, const char *branch_prefix)
{
	int ret = 0;
	size_t i, j;

	qualify_features(tl);
	strmap_clear(&tl->index);
	for (i = 0; i < tl->nr; i++) {
		struct task *t = &tl->v[i];
		struct strmap_entry *e;
		const char *why = NULL;
		int found;

		if (!task_id_valid(t->id, branch_prefix, &why)) {
			ret = error("%s:%d: invalid task ID '%s': %s", t->file, t->line, t->id, why);
			continue;
		}
		e = strmap_put(&tl->index, t->id, (void *)(uintptr_t)(i + 1), &found);
		if (found) {
			const struct task *first = &tl->v[(uintptr_t)e->value - 1];

			/* an author's leftover copy of a finished task: not worth refusing the plan */
			if (t->done && first->done && first->source == t->source &&
			    !strcmp(first->file, t->file)) {
				char *id = xstrfmt("%s-L%d", t->id, t->line);

				warning("duplicate task ID '%s' (%s:%d and %s:%d), both done: the second "
					"is listed as '%s'", t->id, first->file, first->line, t->file,
					t->line, id);
				free(t->id);
				t->id = id;
				strmap_put(&tl->index, t->id, (void *)(uintptr_t)(i + 1), &found);
				if (!found)
					continue;
			}
			ret = error("duplicate task ID '%s' (%s:%d and %s:%d)%s", t->id,
				    first->file, first->line, t->file, t->line,
				    !first->done != !t->done ?
				    ", one done and one not: delete the stale copy or renumber one" : "");
		}
	}
	resolve_depends(tl);
	for (i = 0; i < tl->nr; i++) {
		const struct task *t = &tl->v[i];

		for (j = 0; j < t->depends.nr; j++) {
			const char *dep = t->depends.v[j];

			if (!strcmp(dep, t->id))
				ret = error("task '%s' depends on itself (%s:%d)",
					    t->id, t->file, t->line);
			else if (!strmap_contains(&tl->index, dep))
				ret = error("task '%s' depends on unknown task '%s' (%s:%d)",
					    t->id, dep, t->file, t->line);
		}
	}
	return ret;
}

char *task_fs_name(const char *id)
{
	char *name = xstrdup(id), *q;

	for (q = name; *q; q++)
		if (*q == '/')
			*q = '+';
	return name;
}

void task_fs_name_decode(char *name)
{
	for (; *name; name++)
		if (*name == '+')
			*name = '/';
}

const char *task_status_name(const struct task *t)
{
	if (t->status && (!t->done || strcmp(t->status, "optional")))
		return t->status;
	return t->done ? "done" : t->cancelled ? "cancelled" : "todo";
}

long tasks_find(const struct tasklist *tl, const char *id)
{
	void *v = strmap_get(&tl->index, id);

	return v ? (long)((uintptr_t)v - 1) : -1;
}
