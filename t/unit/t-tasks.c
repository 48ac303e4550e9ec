/* Unit tests for src/tasks.c: markdown and INI task files, validation. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <git2.h>

#include "gp/tasks.h"
#include "gp/util.h"
#include "tap.h"

static int parse(struct tasklist *tl, const char *md)
{
	tasklist_init(tl);
	return tasks_parse_markdown(tl, "tasks.md", md, strlen(md), 0);
}

static struct task *get(struct tasklist *tl, const char *id)
{
	size_t i;

	for (i = 0; i < tl->nr; i++)
		if (!strcmp(tl->v[i].id, id))
			return &tl->v[i];
	return NULL;
}

static int has(const struct strlist *l, const char *s)
{
	return strlist_has(l, s);
}

/* A one-task buffer: returns the task (or NULL) in a list the caller releases. */
static struct task *one(struct tasklist *tl, const char *md)
{
	if (parse(tl, md) < 0 || tl->nr != 1)
		return NULL;
	return &tl->v[0];
}

static void test_items(void)
{
	struct tasklist tl;
	struct task *t;

	t = one(&tl, "- [ ] T001 Create the model\n");
	ok(t && !t->done && !t->parallel && !t->auto_id && t->phase == -1, "plain item");
	is_str(t ? t->id : NULL, "T001", "plain item: id");
	is_str(t ? t->title : NULL, "Create the model", "plain item: title");
	tasklist_release(&tl);

	t = one(&tl, "- [X] T002 Done upper\n");
	ok(t && t->done && !t->cancelled, "[X] is done");
	tasklist_release(&tl);
	t = one(&tl, "* [x] T002 Done lower\n");
	ok(t && t->done, "* [x] is done");
	tasklist_release(&tl);
	t = one(&tl, "+ [ ] T002 plus bullet\n");
	ok(t != NULL, "+ [ ] is an item");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] T020a Sub task\n");
	is_str(t ? t->id : NULL, "T020a", "T020a id");
	is_str(t ? t->title : NULL, "Sub task", "T020a title");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] PROJ-12: Fix the thing\n");
	is_str(t ? t->id : NULL, "PROJ-12", "PROJ-12 id");
	is_str(t ? t->title : NULL, "Fix the thing", "': ' separator stripped");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] **T003 [P]** Bold with marker\n");
	ok(t && t->parallel, "**T003 [P]**: parallel");
	is_str(t ? t->id : NULL, "T003", "**T003 [P]**: id");
	is_str(t ? t->title : NULL, "Bold with marker", "**T003 [P]**: title");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] **T003a [P] [US1]** Bold with two markers\n");
	ok(t && t->parallel, "**T003a [P] [US1]**: parallel");
	is_str(t ? t->id : NULL, "T003a", "**T003a [P] [US1]**: id");
	is_str(t ? t->story : NULL, "US1", "**T003a [P] [US1]**: story");
	is_str(t ? t->title : NULL, "Bold with two markers", "**T003a [P] [US1]**: title");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] **T004** [US2] [P] — Markers after the bold\n");
	ok(t && t->parallel, "**T004** [US2] [P]: parallel");
	is_str(t ? t->story : NULL, "US2", "**T004** [US2] [P]: story");
	is_str(t ? t->title : NULL, "Markers after the bold", "em dash separator stripped");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] **T004b Everything in bold**\n");
	is_str(t ? t->id : NULL, "T004b", "all bold: id");
	is_str(t ? t->title : NULL, "Everything in bold", "all bold: closing ** dropped");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] **Important**: no ID\n");
	ok(t && t->auto_id, "bold text without an ID: auto ID");
	is_str(t ? t->title : NULL, "**Important**: no ID", "bold text without an ID: title untouched");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] T005 [US2] Story only\n");
	ok(t && !t->parallel, "[US2] alone is not parallel");
	is_str(t ? t->story : NULL, "US2", "[US2] story");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] T006 [Story] [US3] Labelled\n");
	is_str(t ? t->story : NULL, "Story", "[Story] label: first one wins");
	is_str(t ? t->title : NULL, "Labelled", "[Story] label: title");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] T007 Run the thing [P] later\n");
	ok(t && !t->parallel, "a marker after the first word is text");
	is_str(t ? t->title : NULL, "Run the thing [P] later", "marker after text kept in title");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] TXXX Code cleanup\n");
	is_str(t ? t->id : NULL, "L1", "TXXX gets an L<line> ID");
	ok(t && t->auto_id, "TXXX: auto_id");
	is_str(t ? t->title : NULL, "TXXX Code cleanup", "TXXX: title is the whole text");
	tasklist_release(&tl);

	t = one(&tl, "\n\n- [ ] [P] no id here\n");
	is_str(t ? t->id : NULL, "L3", "no ID: L3");
	ok(t && t->parallel && t->auto_id, "no ID: markers still read");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] T1abc not an id\n");
	ok(t && t->auto_id, "T1abc is not an ID");
	tasklist_release(&tl);

	t = one(&tl, "- [-] T008 Cancelled\n");
	ok(t && t->cancelled && !t->done, "[-] is cancelled and kept");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] T009 Trailing space   \t\n");
	is_str(t ? t->title : NULL, "Trailing space", "no trailing whitespace in title");
	tasklist_release(&tl);
}

static void test_not_items(void)
{
	struct tasklist tl;

	ok(parse(&tl, "## Notes\n\n- [P] tasks = different files, no dependencies\n"
		      "- [Story] label maps task to specific user story\n"
		      "- [Q] T001 unknown box\n- [] T002 empty box\n-[ ] T003 no space\n"
		      "- T005 plain bullet\n") == 0 &&
	   tl.nr == 0, "notes and other boxes are not tasks");
	tasklist_release(&tl);

	ok(parse(&tl, "```\n- [ ] T001 in a fence\n## Not a phase\n```\n"
		      "~~~~md\n- [ ] T002 in a tilde fence\n```\n- [ ] T003 still fenced\n~~~~\n"
		      "- [ ] T004 after the fences\n") == 0 &&
	   tl.nr == 1 && tl.phases_nr == 0, "fenced code is skipped");
	is_str(tl.nr ? tl.v[0].id : NULL, "T004", "fence: the task after it");
	is_int(tl.nr ? tl.v[0].line : 0, 10, "fence: line numbers still count");
	tasklist_release(&tl);

	ok(parse(&tl, "<!--\n- [ ] T001 commented\n## Hidden\n-->\n"
		      "- [ ] T002 visible <!-- with a comment --> text\n"
		      "<!-- - [ ] T003 one-line comment -->\n") == 0 &&
	   tl.nr == 1 && tl.phases_nr == 0, "HTML comments are skipped");
	is_str(tl.nr ? tl.v[0].title : NULL, "visible  text", "inline comment removed from title");
	tasklist_release(&tl);
}

static void test_phases(void)
{
	struct tasklist tl;

	ok(parse(&tl, "- [ ] T000 before\n## Phase 1: Setup\n- [ ] T001 a\n"
		      "### Sub heading\n- [ ] T002 b\n## Phase 2: Core ##\n- [ ] T003 c\n"
		      "#### deep\n- [ ] T004 d\n") == 0 && tl.nr == 5, "phases: parsed");
	is_int(tl.phases_nr, 2, "## starts phases, ### does not");
	is_int(tl.nr > 4 ? tl.v[0].phase : 9, -1, "task before any ## has phase -1");
	is_int(tl.nr > 4 ? tl.v[1].phase : 9, 0, "T001 in phase 0");
	is_int(tl.nr > 4 ? tl.v[2].phase : 9, 0, "T002 still in phase 0 after ###");
	is_int(tl.nr > 4 ? tl.v[3].phase : 9, 1, "T003 in phase 1");
	is_int(tl.nr > 4 ? tl.v[4].phase : 9, 1, "T004 in phase 1");
	is_str(tl.phases_nr > 1 ? tl.phases[0].name : NULL, "Phase 1: Setup", "phase name");
	is_str(tl.phases_nr > 1 ? tl.phases[1].name : NULL, "Phase 2: Core", "closing #s dropped");
	is_int(tl.phases_nr > 1 ? tl.phases[1].line : 0, 6, "phase line");

	/* a second file starts fresh */
	ok(tasks_parse_markdown(&tl, "b.md", "- [ ] U001 x\n## Other\n- [ ] U002 y\n", 33, 1) == 0,
	   "second file parsed");
	is_int(tl.nr > 6 ? tl.v[5].phase : 9, -1, "second file: first task has no phase");
	is_int(tl.nr > 6 ? tl.v[6].phase : 9, 2, "second file: global phase index");
	is_int(tl.phases_nr > 2 ? tl.phases[2].source : -1, 1, "phase source");
	is_str(tl.nr > 6 ? tl.v[6].file : NULL, "b.md", "task file");
	tasklist_release(&tl);

	/* barrier: a task without [P] is just not parallel */
	ok(parse(&tl, "## P\n- [ ] T001 [P] a\n- [ ] T002 barrier\n- [ ] T003 [P] c\n") == 0 &&
	   tl.nr == 3 && tl.v[0].parallel && !tl.v[1].parallel && tl.v[2].parallel,
	   "barrier task is not parallel");
	tasklist_release(&tl);
}

static void test_depends(void)
{
	struct tasklist tl;
	struct task *t;

	t = one(&tl, "- [ ] T014 Implement it (depends on T012, T013)\n");
	ok(t && t->depends.nr == 2 && has(&t->depends, "T012") && has(&t->depends, "T013"),
	   "(depends on T012, T013)");
	is_str(t && t->depends.nr ? t->depends.v[0] : NULL, "T012", "depends: order kept");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] T014 Do it; Depends on T001 and T002 & T003 + T004, T001\n");
	is_int(t ? (long)t->depends.nr : -1, 4, "and, &, +, case-insensitive, no duplicates");
	tasklist_release(&tl);

	t = one(&tl, "- [ ] T014 depends on the API\n");
	is_int(t ? (long)t->depends.nr : -1, 0, "depends on prose: nothing");
	tasklist_release(&tl);
}

static void test_continuation(void)
{
	struct tasklist tl;
	struct task *t;

	ok(parse(&tl, "- [ ] T001 Main line in src/a.py\n"
		      "  more detail in `src/b.py`\n"
		      "\tdepends on T000\n"
		      "  - a sub bullet naming docs/x.md\n"
		      "not indented in src/no.py\n"
		      "  indented but after the end src/no2.py\n"
		      "- [ ] T002 second\n"
		      "  cont\n"
		      "\n"
		      "  after blank src/no3.py\n") == 0 && tl.nr == 2, "continuation: parsed");
	t = get(&tl, "T001");
	is_str(t ? t->title : NULL, "Main line in src/a.py", "continuation: title is one line");
	is_str(t ? t->text : NULL,
	       "Main line in src/a.py\nmore detail in `src/b.py`\ndepends on T000\n"
	       "- a sub bullet naming docs/x.md", "continuation: text");
	ok(t && t->paths.nr == 3 && has(&t->paths, "src/a.py") && has(&t->paths, "src/b.py") &&
	   has(&t->paths, "docs/x.md"), "continuation: paths");
	ok(t && t->depends.nr == 1 && has(&t->depends, "T000"), "continuation: depends");
	t = get(&tl, "T002");
	is_str(t ? t->text : NULL, "second\ncont\n\nafter blank src/no3.py",
	       "an indented line after a blank line still continues");
	ok(t && t->paths.nr == 1, "a path after the blank line");
	tasklist_release(&tl);

	/* an indented checklist item with an ID is a subtask: its parent is a group */
	ok(parse(&tl, "- [ ] T001 parent\n  - [ ] T002 child in src/c.py\n    child detail\n") == 0 &&
	   tl.nr == 2, "indented item with an ID is a task");
	t = get(&tl, "T002");
	is_str(t ? t->text : NULL, "child in src/c.py\nchild detail", "indented item: continuation");
	ok(t && t->in_group == 1 && !t->cancelled, "subtask: runs, knows its group");
	t = get(&tl, "T001");
	is_str(t ? t->text : NULL, "parent", "indented item ends the parent's text");
	ok(t && t->cancelled && !t->done && t->status && !strcmp(t->status, "group"),
	   "the parent of a subtask is a group, not run");
	tasklist_release(&tl);
}

static int path_of(const char *md, const char *want)
{
	struct tasklist tl;
	struct task *t = one(&tl, md);
	int r = t && (want ? t->paths.nr == 1 && !strcmp(t->paths.v[0], want) : t->paths.nr == 0);

	if (!r && t) {
		size_t i;

		for (i = 0; i < t->paths.nr; i++)
			printf("#   path: '%s'\n", t->paths.v[i]);
	}
	tasklist_release(&tl);
	return r;
}

static void test_paths(void)
{
	struct tasklist tl;
	struct task *t;
	int w;

	ok(path_of("- [ ] T001 Create Event model in src/models/event.py\n", "src/models/event.py"),
	   "bare path");
	ok(path_of("- [ ] T001 Create Venue model in `src/models/venue.py`\n", "src/models/venue.py"),
	   "backticked path");
	ok(path_of("- [ ] T001 Update `package.json` scripts\n", "package.json"),
	   "backticked package.json");
	ok(path_of("- [ ] T001 Use Intl.NumberFormat here\n", NULL), "Intl.NumberFormat is not a path");
	ok(path_of("- [ ] T001 Use `Intl.NumberFormat` here\n", NULL), "`Intl.NumberFormat` is not a path");
	ok(path_of("- [ ] T001 Create src/models/[entity1].py\n", NULL), "placeholder [entity1].py");
	ok(path_of("- [ ] T001 Test in tests/contract/test_[name].py\n", NULL), "placeholder test_[name].py");
	ok(path_of("- [ ] T001 Implement in src/[location]/[file].py\n", NULL), "placeholder [location]/[file].py");
	ok(path_of("- [ ] T001 Implement [endpoint/feature] now\n", NULL), "placeholder [endpoint/feature]");
	ok(path_of("- [ ] T001 Migrate PATCH /api/events/[id] in src/app/api/events/[id]/route.ts\n",
		   "src/app/api/events/[id]/route.ts"), "Next.js dynamic route is a path, /api route is not");
	ok(path_of("- [ ] T001 Page in src/app/blog/[...slug]/page.tsx\n",
		   "src/app/blog/[...slug]/page.tsx"), "[...slug] segment kept");
	ok(path_of("- [ ] T001 Call /api/events for data\n", NULL), "/api/events is not a path");
	ok(path_of("- [ ] T001 See https://example.com/a.html\n", NULL), "URL is not a path");
	ok(path_of("- [ ] T001 Add @scope/pkg and ~/x.txt\n", NULL), "@scope and ~ are not paths");
	ok(path_of("- [ ] T001 Bump to 1.5 or v2.0, e.g. now, i.e. later, etc.\n", NULL),
	   "versions and abbreviations are not paths");
	ok(path_of("- [ ] T001 Compare a -> b - c — d\n", NULL), "arrows and dashes are not paths");
	ok(path_of("- [ ] T001 Grep src/ for leftovers\n", "src/"), "a directory keeps its '/'");
	ok(path_of("- [ ] T001 Build with Next.js and Node.js\n", NULL), "Next.js is a product, not a file");
	ok(path_of("- [ ] T001 Support read/write and grant/revoke, 3/4 of it\n", NULL),
	   "bare slash-joined words are not paths");
	ok(path_of("- [ ] T001 Check `apps/web` builds\n", "apps/web"), "backticked directory without '/'");
	ok(path_of("- [ ] T001 Copy .env.example somewhere\n", ".env.example"), "bare dotfile word is a path");
	ok(path_of("- [ ] T001 Copy `.env.example` somewhere\n", ".env.example"), "backticked dotfile is a path");
	ok(path_of("- [ ] T001 Run `npm run test -- tests/integration/events/`\n",
		   "tests/integration/events/"), "backticked span split into words");
	ok(path_of("- [ ] T001 Edit ./src//x.py\n", "src/x.py"), "paths are normalised");
	ok(path_of("- [ ] T001 Config in `color.tokens.json`\n", "color.tokens.json"), "double extension");
	ok(path_of("- [ ] T001 Use `{ a: b }` and `x = y` and `$HOME/x`\n", NULL), "code is not a path");

	t = one(&tl, "- [ ] T001 Edit (src/x.py), \"src/y.py\" and src/x.py. Then `src/y.py`\n");
	ok(t && t->paths.nr == 2 && !strcmp(t->paths.v[0], "src/x.py") &&
	   !strcmp(t->paths.v[1], "src/y.py"), "punctuation stripped, no duplicates, order kept");
	tasklist_release(&tl);

	w = warning_count;
	t = one(&tl, "- [ ] T006 Extend `../../tsconfig.base.json` in tsconfig.json\n");
	ok(t && t->paths.nr == 1 && !strcmp(t->paths.v[0], "tsconfig.json"),
	   "path outside the repository skipped");
	is_int(warning_count - w, 1, "path outside the repository warns");
	tasklist_release(&tl);
}

static void test_file_level(void)
{
	static const char lf[] = "## Phase 1\n- [ ] T001 [P] a in src/a.py\n  more\n- [x] T002 b\n";
	static const char crlf[] = "## Phase 1\r\n- [ ] T001 [P] a in src/a.py\r\n  more\r\n- [x] T002 b\r\n";
	static const char bom[] = "\xef\xbb\xbf## Phase 1\n- [ ] T001 [P] a in src/a.py\n  more\n- [x] T002 b\n";
	const char *variants[] = { crlf, bom };
	struct tasklist a, b;
	struct strbuf big = STRBUF_INIT;
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		int same;

		parse(&a, lf);
		parse(&b, variants[i]);
		same = a.nr == 2 && a.nr == b.nr && a.phases_nr == b.phases_nr &&
		       !strcmp(a.phases[0].name, b.phases[0].name);
		for (k = 0; same && k < a.nr; k++)
			same = !strcmp(a.v[k].id, b.v[k].id) && !strcmp(a.v[k].title, b.v[k].title) &&
			       !strcmp(a.v[k].text, b.v[k].text) && a.v[k].line == b.v[k].line &&
			       a.v[k].done == b.v[k].done && a.v[k].parallel == b.v[k].parallel &&
			       a.v[k].paths.nr == b.v[k].paths.nr;
		ok(same, "%s gives the same tasks as LF", i ? "BOM" : "CRLF");
		tasklist_release(&a);
		tasklist_release(&b);
	}

	tasklist_init(&a);
	ok(tasks_parse_markdown(&a, "bin.md", "- [ ] T001 a\0b\n", 15, 0) == -1 && a.nr == 0,
	   "NUL byte: binary file error");
	ok(tasks_parse_markdown(&a, "bad.md", "- [ ] T001 a\n- [ ] T002 \xff\n", 25, 0) == -1 && a.nr == 0,
	   "invalid UTF-8 error");
	ok(tasks_parse_markdown(&a, "u.md", "- [ ] T001 café in src/café.md\n",
				    strlen("- [ ] T001 café in src/café.md\n"), 0) == 0 &&
	   a.nr == 1 && a.v[0].paths.nr == 1, "UTF-8 text is fine");
	tasklist_release(&a);

	/* a 100k-character line */
	strbuf_addstr(&big, "- [ ] T001 long ");
	for (i = 0; i < 10000; i++)
		strbuf_addstr(&big, "wordy word ");
	strbuf_addstr(&big, "in src/long.py\n");
	ok(parse(&a, big.buf) == 0 && a.nr == 1 && a.v[0].paths.nr == 1 && big.len > 100000,
	   "a 100k-character line");
	tasklist_release(&a);
	strbuf_release(&big);
}

static void test_ini(void)
{
	struct tasklist tl;
	struct task *t;
	int w;

	tasklist_init(&tl);
	ok(tasks_load_file(&tl, "t/fixtures/tasks.ini", 3) == 0, "INI task file loads");
	is_int(tl.nr, 2, "INI: two tasks");
	t = get(&tl, "T014");
	is_str(t ? t->title : NULL, "Implement EventService", "INI: title");
	ok(t && t->paths.nr == 3 && !strcmp(t->paths.v[0], "src/services/event_service.py") &&
	   !strcmp(t->paths.v[2], "docs/"), "INI: repeated paths append, normalised");
	ok(t && t->depends.nr == 2 && has(&t->depends, "T012") && has(&t->depends, "T013"),
	   "INI: depends");
	is_str(t ? t->owner : NULL, "backend", "INI: owner");
	is_str(t ? t->command : NULL, "make -C src/services test", "INI: command");
	ok(t && t->estimate == 5400 && t->parallel && !t->done && t->phase == -1 && t->source == 3,
	   "INI: estimate, parallel by default, phase -1, source");
	is_int(t ? t->line : 0, 2, "INI: line of the first key");
	t = get(&tl, "T015");
	is_str(t ? t->title : NULL, "T015", "INI: no title: the ID");
	ok(t && !t->parallel && t->done, "INI: parallel = false, done = yes");
	tasklist_release(&tl);

	tasklist_init(&tl);
	w = warning_count;
	ok(tasks_ini_set(&tl, "X", "title", "x", "c.ini", 4, 0) == 0 &&
	   tasks_ini_set(&tl, "X", "foo", "bar", "c.ini", 5, 0) == 0, "unknown key is not an error");
	is_int(warning_count - w, 1, "unknown key warns");
	ok(tasks_ini_set(&tl, "X", "paths", "../etc/passwd", "c.ini", 6, 0) == -1,
	   "paths = ../etc/passwd is an error");
	ok(tasks_ini_set(&tl, "X", "parallel", "maybe", "c.ini", 7, 0) == -1, "parallel = maybe is an error");
	ok(tasks_ini_set(&tl, "X", "estimate", "soon", "c.ini", 8, 0) == -1, "estimate = soon is an error");
	ok(tasks_ini_set(&tl, "X", "title", "other source", "d.ini", 1, 1) == 0 && tl.nr == 2,
	   "same ID from another source is another task");
	is_int(tl.nr ? tl.v[0].paths.nr : 9, 0, "bad path not added");
	tasklist_release(&tl);

	tasklist_init(&tl);
	w = warning_count;
	ok(tasks_load_file(&tl, "t/fixtures/unknown-section.ini", 0) == 0 && tl.nr == 1,
	   "unknown section ignored");
	is_int(warning_count - w, 1, "unknown section warns once");
	tasklist_release(&tl);
}

static void test_load_errors(void)
{
	struct tasklist tl;

	tasklist_init(&tl);
	ok(tasks_load_file(&tl, "t/fixtures/no-such-file.md", 0) == -1, "missing file");
	ok(tasks_load_file(&tl, "t/fixtures", 0) == -1, "directory");
	ok(tasks_load_file(&tl, "t/fixtures/empty.md", 0) == -1, "empty file: no tasks");
	ok(tasks_load_file(&tl, "t/fixtures/no-tasks.md", 0) == -1, "file without tasks");
	ok(tasks_load_file(&tl, "t/fixtures/tasks.md", 0) == 0 && tl.nr == 4, "markdown fixture");
	ok(tasks_validate(&tl, "parallel/") == 0, "markdown fixture validates");
	tasklist_release(&tl);
}

static void test_validate(void)
{
	static const char *const bad[] = {
		"../x", "a b", "-rf", "", "x.lock", "x.", "a..b", "a~b", "a:b", "é1",
		"a//b", "a/", "/a", "a/.b", "a./b", "a/b/c", "a/-b", "a+b",
		"123456789012345678901234567890123456789012345678901234567890",
	};
	static const char *const good[] = { "T001", "T020a", "PROJ-12", "L42", "a.b", "a_b", "1",
					    "2.1", "001-events/T001" };
	struct tasklist tl;
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		ok(!task_id_valid(bad[i], "parallel/", &why) && why && *why, "'%s' is invalid (%s)",
		   bad[i], why ? why : "");
	}
	ok(!task_id_valid("-rf", "parallel/", &why) && !strcmp(why, "starts with '-'"), "-rf: starts with '-'");
	ok(!task_id_valid("a b", "parallel/", &why) && !strcmp(why, "contains ' '"), "a b: contains ' '");
	ok(!task_id_valid("../x", "parallel/", &why) && strstr(why, "'.'"), "../x: names '.'");
	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok(task_id_valid(good[i], "parallel/", &why), "'%s' is valid", good[i]);
	ok(task_id_valid("T001", NULL, &why), "no prefix");

	parse(&tl, "- [ ] T001 a\n- [ ] T002 b (depends on T001)\n- [ ] T003 c\n");
	ok(tasks_validate(&tl, "parallel/") == 0, "valid list");
	is_int(tasks_find(&tl, "T003"), 2, "tasks_find");
	is_int(tasks_find(&tl, "T999"), -1, "tasks_find: unknown");
	tasklist_release(&tl);

	parse(&tl, "- [ ] T001 a\n- [ ] T003 b\n- [ ] T003 c\n- [ ] T004 d (depends on T099)\n"
		   "- [ ] T005 e (depends on T005)\n");
	ok(tasks_validate(&tl, "parallel/") == -1, "duplicates and unknown deps fail");
	is_int(tasks_find(&tl, "T003"), 1, "duplicate: the first one is indexed");
	is_int(tasks_find(&tl, "T005"), 4, "all valid tasks indexed despite errors");
	tasklist_release(&tl);

	tasklist_init(&tl);
	tasks_ini_set(&tl, "-rf", "title", "x", "c.ini", 3, 0);
	ok(tasks_validate(&tl, "parallel/") == -1, "invalid INI ID fails validation");
	tasklist_release(&tl);
}

/*
 * The corpus.  Figures checked by hand, by reading each file and with
 *   grep -cE '^\s*[-*+] \[[ xX-]\]' FILE          (checklist items)
 *   grep -E '^\s*[-*+] \[[ xX-]\]' FILE | grep -c '\[P\]'   (items with [P])
 *   grep -cE '^\s*[-*+] \[[xX]\]' FILE / '\[-\]'  (done / cancelled)
 * and checking that no checklist item or "## " sits in a fence or comment.
 *
 * - github+spec-kit/templates/tasks-template.md: 34 tasks = T001..T028 (28)
 *   + 6 "TXXX" items (lines 154-159, auto IDs L154..L159).  [P]: T003 T005
 *   T006 T010-T013 T018-T020 T024-T026 = 13 (the two "TXXX [P]" items are
 *   not parallel: no ID, so the text starts with "TXXX", not a marker).
 *   Done 0.  12 "## " headings.  "- [P] tasks = ..." / "- [Story] label"
 *   (lines 246-247) are notes.
 * - microsoft/.../007-mock-auth/tasks.md: 25 tasks T001..T025; [P] on T002
 *   T003 T022 T023 T024 = 5; done 0; 15 "## " headings.
 * - microsoft/.../008-cross-platform-ui/tasks.md: 121 tasks, all with IDs;
 *   41 with [P]; 76 done ([x]); 45 cancelled ([-]).
 * - github+spec-kit/tests-hooks-tasks.md: 1 task, [US1], no [P].
 */
struct corpus_figure {
	const char *path;
	size_t tasks, parallel, done, cancelled, auto_ids;
	long phases;
};

static const struct corpus_figure figures[] = {
	{ "t/corpus/tasks/github+spec-kit/templates/tasks-template.md", 34, 13, 0, 0, 6, 12 },
	{ "t/corpus/tasks/microsoft+CommunityManagement-Sample-Spec-Kit/specs/007-mock-auth/tasks.md",
	  25, 5, 0, 0, 0, 15 },
	{ "t/corpus/tasks/microsoft+CommunityManagement-Sample-Spec-Kit/specs/008-cross-platform-ui/tasks.md",
	  121, 41, 76, 45, 0, -1 },
	{ "t/corpus/tasks/github+spec-kit/tests-hooks-tasks.md", 1, 0, 0, 0, 0, 0 },
};

static void walk(const char *dir, struct strlist *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = xstrfmt("%s/%s", dir, e->d_name);
		if (!stat(p, &st) && S_ISDIR(st.st_mode))
			walk(p, out);
		else if (strlen(e->d_name) > 3 &&
			 !strcmp(e->d_name + strlen(e->d_name) - 3, ".md"))
			strlist_push(out, p);
		free(p);
	}
	closedir(d);
}

static void test_corpus(void)
{
	struct strlist files = STRLIST_INIT;
	size_t i, k, total = 0;

	walk("t/corpus/tasks", &files);
	/*
	 * 11 specs/NNN-x/tasks.md, tests-hooks-tasks.md, tasks-template.md,
	 * and 6 lists of other repositories (t/corpus/MORE-SOURCES.txt)
	 */
	ok(files.nr == 19, "corpus: 19 task files found (%zu)", files.nr);
	for (i = 0; i < files.nr; i++) {
		struct tasklist tl = TASKLIST_INIT;

		ok(tasks_load_file(&tl, files.v[i], 0) == 0 && tasks_validate(&tl, "parallel/") == 0,
		   "corpus: %s", files.v[i]);
		total += tl.nr;
		tasklist_release(&tl);
	}
	/*
	 * 517 "[ ]" + 45 "[-]" + 116 "[X]" + 76 "[x]" checklist lines in the
	 * first 13 files; 68 + 29 + 44 items in the next three; 8 + 8 + 10
	 * in the three OpenSpec changes
	 */
	is_int(total, 921, "corpus: 921 tasks in all");

	for (i = 0; i < ARRAY_SIZE(figures); i++) {
		const struct corpus_figure *f = &figures[i];
		struct tasklist tl = TASKLIST_INIT;
		size_t par = 0, done = 0, cancelled = 0, autos = 0;

		tasks_load_file(&tl, f->path, 0);
		for (k = 0; k < tl.nr; k++) {
			par += tl.v[k].parallel;
			done += tl.v[k].done;
			cancelled += tl.v[k].cancelled;
			autos += tl.v[k].auto_id;
		}
		is_int(tl.nr, f->tasks, "%s: tasks", f->path);
		is_int(par, f->parallel, "%s: [P]", f->path);
		is_int(done, f->done, "%s: done", f->path);
		is_int(cancelled, f->cancelled, "%s: cancelled", f->path);
		is_int(autos, f->auto_ids, "%s: auto IDs", f->path);
		if (f->phases >= 0)
			is_int(tl.phases_nr, f->phases, "%s: phases", f->path);
		tasklist_release(&tl);
	}
	strlist_clear(&files);
}

static void test_big(void)
{
	struct strbuf sb = STRBUF_INIT, id = STRBUF_INIT;
	struct tasklist tl;
	size_t i, n = tap_scale(10000);
	clock_t c;
	double ms;

	for (i = 0; i < n; i++) {
		if (i % 100 == 0)
			strbuf_addf(&sb, "\n## Phase %zu\n\n", i / 100);
		strbuf_addf(&sb, "- [%c] T%05zu [P] [US%zu] Create module %zu in `src/mod%zu/file%zu.py` and tests/test_%zu.py\n",
			    i % 7 ? ' ' : 'x', i, i % 10, i, i % 50, i, i);
	}
	c = clock();
	parse(&tl, sb.buf);
	ms = (double)(clock() - c) * 1000 / CLOCKS_PER_SEC;
	is_int(tl.nr, n, "%zu tasks", n);
	is_int(tl.phases_nr, (n + 99) / 100, "%zu tasks: %zu phases", n, (n + 99) / 100);
	strbuf_addf(&id, "T%05zu", n - 1);
	ok(tl.nr == n && tl.v[n - 1].paths.nr == 2 && !strcmp(tl.v[n - 1].id, id.buf),
	   "%zu tasks: last task", n);
	ok(tasks_validate(&tl, "parallel/") == 0, "%zu tasks validate", n);
	/* timings belong in bench/, not in tests: report, never assert */
	printf("# %zu tasks parsed in %.1f ms\n", n, ms);
	tasklist_release(&tl);

	/* a group whose criteria alternate with its subtasks: the group's text is taken up again n times */
	strbuf_setlen(&sb, 0);
	strbuf_addstr(&sb, "- [ ] G0001 Group\n");
	for (i = 1; i <= n; i++)
		strbuf_addf(&sb, "  - [ ] T%05zu child\n  - [ ] criterion %zu in src/c%zu.ts\n", i, i, i);
	strbuf_reset(&id);
	strbuf_addf(&id, "criterion %zu in", n);
	c = clock();
	parse(&tl, sb.buf);
	ms = (double)(clock() - c) * 1000 / CLOCKS_PER_SEC;
	ok(tl.nr == n + 1 && tl.v[0].paths.nr == n && strstr(tl.v[0].text, id.buf) &&
	   !strcmp(tl.v[n].text, "child"), "%zu subtasks between a group's criteria", n);
	printf("# a group and %zu subtasks parsed in %.1f ms\n", n, ms);
	tasklist_release(&tl);
	strbuf_release(&sb);
	strbuf_release(&id);
}

static void test_path_below(void)
{
	is_str(path_below("/a/b/c", "/a/b"), "c", "path_below: a file below");
	is_str(path_below("/a/b", "/a/b/"), "", "path_below: the directory itself");
	ok(!path_below("/a/bc", "/a/b"), "path_below: a sibling with a longer name is not below");
	ok(!path_below("/a", "/a/b"), "path_below: the parent is not below");
	is_str(path_below("/x", "/"), "x", "path_below: below the root");
}

/* Real task lists' syntax (issue 12): IDs, statuses, dependencies, nesting, tables. */

/* md on one line, for test names */
static const char *oneline(const char *md)
{
	static char buf[512];
	size_t i;

	for (i = 0; md[i] && i < sizeof(buf) - 1; i++)
		buf[i] = md[i] == '\n' ? '|' : md[i];
	buf[i] = '\0';
	return buf;
}

/* "id|title|P" of a one-item buffer */
static void id_title(const char *md, const char *id, const char *title, int par)
{
	struct tasklist tl;
	struct task *t = one(&tl, md);

	is_str(t ? t->id : NULL, id, "id of: %s", oneline(md));
	is_str(t ? t->title : NULL, title, "title of: %s", oneline(md));
	ok(t && t->parallel == par && !t->auto_id, "[P] %d of: %s", par, oneline(md));
	tasklist_release(&tl);
}

static void test_real_ids(void)
{
	struct tasklist tl;
	const char *why = NULL;

	id_title("- [ ] 2.1 Create the model\n", "2.1", "Create the model", 0);
	id_title("- [ ] 3. Set up the project\n", "3", "Set up the project", 0);
	id_title("- [ ] 10.2a Patch it\n", "10.2a", "Patch it", 0);
	id_title("- [ ] [T001] Bracketed\n", "T001", "Bracketed", 0);
	id_title("- [ ] **PH0-LAUNCH-001:** Launch checklist\n", "PH0-LAUNCH-001", "Launch checklist", 0);
	id_title("- [ ] **T001**: Bold then colon\n", "T001", "Bold then colon", 0);
	id_title("- [ ] FE-UI-001: Build the header\n", "FE-UI-001", "Build the header", 0);
	id_title("- [ ] T011A Second half\n", "T011A", "Second half", 0);
	id_title("- [ ] [EXEC] TS-002: Run the suite\n", "TS-002", "Run the suite", 0);
	id_title("- [ ] T004 [p] lower-case marker\n", "T004", "lower-case marker", 1);
	id_title("- [ ] T005 marker at the end [P]\n", "T005", "marker at the end", 1);
	id_title("- [ ] [P] T006 marker first\n", "T006", "marker first", 1);
	id_title("- [ ] 2.1 [P] Kiro with marker\n", "2.1", "Kiro with marker", 1);
	id_title("1. [ ] T007 numbered list\n", "T007", "numbered list", 0);
	id_title("- [ ] **Task 1.1**: Brief description\n", "1.1", "Brief description", 0);
	id_title("- [ ] Task 3: Wire it\n", "3", "Wire it", 0);
	id_title("- 1. [ ] Main task item\n", "1", "Main task item", 0);
	id_title("  - 1.1 [ ] Subtask item\n", "1.1", "Subtask item", 0);
	id_title("- [ ] t001.1 Lower-case subtask ~10m\n", "t001.1", "Lower-case subtask ~10m", 0);
	id_title("- [TODO] Task-001: Short description\n", "Task-001", "Short description", 0);
	/* not IDs */
	ok(parse(&tl, "- [ ] [US1] story only\n- [ ] [P1] priority\n- [ ] 2024 was a year\n") == 0 &&
	   tl.nr == 3 && tl.v[0].auto_id && tl.v[1].auto_id && tl.v[2].auto_id,
	   "[US1], [P1], a bare number: no ID");
	is_str(tl.nr ? tl.v[0].story : NULL, "US1", "[US1] first is the story");
	tasklist_release(&tl);

	/* dotted IDs make branch names; "3." is normalised above; check-ref-format agrees (t1100) */
	ok(task_id_valid("2.1", "parallel/", &why), "2.1 is a valid ID");
	ok(task_id_valid("10.2a", "parallel/", &why), "10.2a is a valid ID");
	ok(!task_id_valid("3.", "parallel/", &why), "3. is not");
	ok(!task_id_valid("1..2", "parallel/", &why), "1..2 is not");
}

static void test_statuses(void)
{
	struct tasklist tl;
	static const struct { const char *md, *status; int done, cancelled; } cases[] = {
		{ "- [ ] T001 todo\n", NULL, 0, 0 },
		{ "- [x] T001 done\n", NULL, 1, 0 },
		{ "- [-] T001 cancelled\n", NULL, 0, 1 },
		{ "- [~] T001 tilde\n", "in progress", 0, 1 },
		{ "- [/] T001 slash\n", "in progress", 0, 1 },
		{ "- [!] T001 bang\n", "blocked", 0, 1 },
		{ "- [>] T001 later\n", "deferred", 0, 1 },
		{ "- [A] T001 letter\n", "marked [A]", 0, 1 },
		{ "- [ ]* 2.3 optional\n", "optional", 0, 0 },
		{ "- [x]* 2.3 optional done\n", NULL, 1, 0 },
		{ "- [\xe2\x9c\x93] T001 check mark\n", NULL, 1, 0 },
		{ "Legend: [~] = skipped on purpose\n- [~] T001 legend\n", NULL, 0, 1 },
		{ "- [~] T001 legend after\n\n- [ ] = not started\n- [~] = In progress\n", "in progress", 0, 1 },
		{ "Mark: [ ] = not done, [D] = deferred\n- [D] T001 own letter\n", "deferred", 0, 1 },
		{ "| Prefix | Meaning |\n|---|---|\n| `[B]` | Blocked |\n- [B] T001 table legend\n", "blocked", 0, 1 },
		{ "- [-] 2.3 Kiro works on it\n", "in progress", 0, 1 },
		{ "## Status\n- `[~]` - Blocked on review\n\n- [~] T001 dash legend\n", "blocked", 0, 1 },
		{ "- [TODO] T001 word box\n", NULL, 0, 0 },
		{ "- [DOING] T001 word box\n", "in progress", 0, 1 },
		{ "- [DONE] T001 word box\n", NULL, 1, 0 },
		{ "- [BLOCKED] T001 word box\n", "blocked", 0, 1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct task *t;

		parse(&tl, cases[i].md);
		t = get(&tl, strstr(cases[i].md, "2.3") ? "2.3" : "T001");
		ok(t && tl.nr == 1, "status: one task in %s", oneline(cases[i].md));
		is_str(t ? t->status : NULL, cases[i].status, "status of: %s", oneline(cases[i].md));
		ok(t && t->done == cases[i].done && t->cancelled == cases[i].cancelled,
		   "done/not run of: %s", oneline(cases[i].md));
		tasklist_release(&tl);
	}
	/* a dependency on such a task is known: not "unknown task" */
	parse(&tl, "- [~] T001 a\n- [ ] T002 b (depends on T001)\n");
	ok(tasks_validate(&tl, "parallel/") == 0, "a dependency on an in-progress task validates");
	tasklist_release(&tl);
}

static void deps_are(const char *md, const char *id, const char *want)
{
	struct tasklist tl;
	struct strbuf sb = STRBUF_INIT;
	struct task *t;
	size_t i;

	parse(&tl, md);
	tasks_validate(&tl, "parallel/");
	t = get(&tl, id);
	for (i = 0; t && i < t->depends.nr; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", t->depends.v[i]);
	is_str(sb.buf, want, "deps of %s in: %s", id, oneline(md));
	strbuf_release(&sb);
	tasklist_release(&tl);
}

static void test_real_depends(void)
{
	const char *base = "- [ ] T001 a\n- [ ] T002 b\n- [ ] T003 c\n- [ ] T004 d\n- [ ] T005 e\n";
	static const struct { const char *line, *want; } cases[] = {
		{ "- [ ] T009 x (Depends on: T001)\n", "T001" },
		{ "- [ ] T009 x (after T002)\n", "T002" },
		{ "- [ ] T009 x (requires T003)\n", "T003" },
		{ "- [ ] T009 x (blocked by T004)\n", "T004" },
		{ "- [ ] T009 x [deps:T001,T005]\n", "T001 T005" },
		{ "- [ ] T009 x\n  **Dependencies**: T001, T002\n", "T001 T002" },
		{ "- [ ] T009 x (depends on T001-T004)\n", "T001 T002 T003 T004" },
		{ "- [ ] T009 x (depends on T002\xe2\x80\x93T004)\n", "T002 T003 T004" },
		{ "- [ ] T009 x (depends on T001 and T003 through T004)\n", "T001 T003 T004" },
		{ "- [ ] T009 x after the user logs in, requires T042\n", "" },
		{ "- [ ] T009 x\n  Dependencies: None\n", "" },
		{ "- [ ] T009 x installs dependencies: `zod`\n", "" },
		{ "- [ ] T009 x blocked-by:T001,T002 ~15m\n", "T001 T002" },
		{ "- [ ] T009 x\n  Dependencies: T001 (setup), T003 (models)\n", "T001 T003" },
		{ "- [ ] T009 x (depends on T004 (the API))\n", "T004" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *md = xstrfmt("%s%s", base, cases[i].line);

		deps_are(md, "T009", cases[i].want);
		free(md);
	}
	/* a dependency on a group is on its subtasks */
	deps_are("- [ ] 1. Group\n  - [ ] 1.1 a\n  - [ ] 1.2 b\n- [ ] 2. After (depends on 1)\n",
		 "2", "1.1 1.2");
	deps_are("- [ ] T001 Group\n  - [ ] T002 a\n  - [ ] T003 b\n- [ ] T004 After (depends on T001)\n",
		 "T004", "T002 T003");
}

static void test_nesting(void)
{
	struct tasklist tl;
	struct task *t;

	/* Kiro: a parent whose children are tasks is a group; criteria stay text */
	ok(parse(&tl, "- [ ] 1. Set up\n"
		      "  - [ ] 1.1 Create src/a.ts\n"
		      "    - Write the types\n"
		      "    - _Requirements: 1.2, 3.4_\n"
		      "  - [ ] 1.2 Create src/b.ts\n"
		      "    - [ ] the criterion of 1.2 in src/c.ts\n"
		      "- [ ] 2. Next\n") == 0 && tl.nr == 4, "Kiro: 4 items");
	ok(tasks_validate(&tl, "parallel/") == 0, "Kiro: not duplicates");
	t = get(&tl, "1");
	ok(t && t->cancelled && t->status && !strcmp(t->status, "group"), "Kiro: 1 is a group");
	t = get(&tl, "1.1");
	ok(t && t->depends.nr == 0, "Kiro: _Requirements_ are not dependencies");
	t = get(&tl, "1.2");
	is_str(t ? t->text : NULL, "Create src/b.ts\n- [ ] the criterion of 1.2 in src/c.ts",
	       "a criterion is part of its task's text");
	ok(t && has(&t->paths, "src/c.ts"), "a criterion's paths are its task's");
	t = get(&tl, "2");
	ok(t && !t->cancelled && !t->status, "Kiro: 2 is a task");
	tasklist_release(&tl);

	ok(parse(&tl, "- [ ] T001 Build the login form\n  - [ ] validates input\n\n"
		      "  - [x] shows errors\n- [ ] T002 next\n") == 0 && tl.nr == 2,
	   "acceptance criteria are not tasks, even after a blank line");
	tasklist_release(&tl);

	/* Kiro subtasks flush with their parent */
	ok(parse(&tl, "- [x] 1. Set up\n\n- [x] 1.1 Add the API\n  - _Requirements: 9.1_\n"
		      "- [ ] 1.2 Add the cache\n- [ ] 2. Next\n") == 0 && tl.nr == 4, "Kiro flush: 4 items");
	t = get(&tl, "1");
	ok(t && t->done && t->status && !strcmp(t->status, "group"), "Kiro flush: 1 is a (done) group");
	t = get(&tl, "1.2");
	ok(t && t->in_group == 1, "Kiro flush: 1.2 is in group 1");
	t = get(&tl, "2");
	ok(t && !t->status && !t->in_group, "Kiro flush: 2 is a task");
	tasklist_release(&tl);

	/* two features whose IDs collide: qualified by feature, deps within a file */
	tasklist_init(&tl);
	tasks_parse_markdown(&tl, "specs/001-events/tasks.md", "- [ ] T001 a\n- [ ] T002 b (depends on T001)\n", 44, 0);
	tasks_parse_markdown(&tl, "plans/backend.md", "- [ ] T001 c\n- [ ] X001 d (after T001)\n", 39, 1);
	tasks_parse_markdown(&tl, "other.md", "- [ ] Y001 e (depends on X001)\n", 31, 2);
	ok(tasks_validate(&tl, "parallel/") == 0, "features: validate");
	ok(tl.nr == 5 && !strcmp(tl.v[0].id, "001-events/T001") && !strcmp(tl.v[2].id, "backend/T001") &&
	   !strcmp(tl.v[3].id, "backend/X001") && !strcmp(tl.v[4].id, "Y001"),
	   "features: the colliding files' IDs are qualified, the others' not");
	t = get(&tl, "001-events/T002");
	ok(t && t->depends.nr == 1 && !strcmp(t->depends.v[0], "001-events/T001"), "features: a dependency in the file");
	t = get(&tl, "backend/X001");
	ok(t && t->depends.nr == 1 && !strcmp(t->depends.v[0], "backend/T001"), "features: a soft one too");
	t = get(&tl, "Y001");
	ok(t && t->depends.nr == 1 && !strcmp(t->depends.v[0], "backend/X001"),
	   "features: another file's ID names its one qualified task");
	tasklist_release(&tl);

	/* checkbox headings */
	ok(parse(&tl, "## Phase 1\n### [ ] 4.1 Update lib/x.ts\nDetails in lib/y.ts\n\n"
		      "- [ ] it compiles\n### [x] 4.2 Done one\n") == 0 && tl.nr == 2,
	   "checkbox headings are tasks");
	t = get(&tl, "4.1");
	ok(t && t->phase == 0 && has(&t->paths, "lib/x.ts") && has(&t->paths, "lib/y.ts"),
	   "heading task: phase and paths of its paragraph");
	ok(t && strstr(t->text, "- [ ] it compiles") != NULL, "heading task: its checklist is criteria");
	t = get(&tl, "4.2");
	ok(t && t->done, "heading task: done");
	tasklist_release(&tl);

	/* tables */
	ok(parse(&tl, "| Done | ID | Task | Depends |\n|---|---|---|---|\n"
		      "| [ ] | T001 | Create src/a.py | - |\n"
		      "| [x] | T002 | Create src/b.py | T001 |\n"
		      "| [ ] | T003 | Wire them [P] | T001, T002 |\n") == 0 && tl.nr == 3,
	   "table rows with a box are tasks");
	t = get(&tl, "T003");
	ok(t && t->depends.nr == 2 && t->parallel, "table: depends column and [P]");
	is_str(t ? t->title : NULL, "Wire them", "table: title column");
	t = get(&tl, "T001");
	ok(t && has(&t->paths, "src/a.py"), "table: paths of the title");
	tasklist_release(&tl);
}

int main(void)
{
	git_libgit2_init();
	test_path_below();
	test_items();
	test_not_items();
	test_phases();
	test_depends();
	test_continuation();
	test_paths();
	test_file_level();
	test_ini();
	test_load_errors();
	test_validate();
	test_real_ids();
	test_statuses();
	test_real_depends();
	test_nesting();
	test_corpus();
	test_big();
	git_libgit2_shutdown();
	return tap_done();
}
