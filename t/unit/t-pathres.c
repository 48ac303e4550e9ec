/*
 * Unit tests for src/pathres.c and for how src/tasks.c reads the words of
 * a task against a base tree: each line of the examples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "gp/pathres.h"
#include "gp/tasks.h"
#include "gp/util.h"
#include "tap.h"

static struct pathres tree = PATHRES_INIT;

static const char *const files[] = {
	"README.md", ".gitlab-ci.yml", ".mailmap", "Makefile",
	"apps/web/package.json", "apps/web/src/app/(auth)/login/page.tsx",
	"apps/web/src/app/[locale]/layout.tsx", "apps/x/y.json",
	"infra/modules/budget.bicep", "infra/main.bicep",
	"src/api/a/index.ts", "src/api/b/index.ts", "src/api/c/index.ts",
	"components/auth/Login.tsx", "components/auth/Logout.tsx", "components/nav/Bar.tsx",
	"scripts/x.ps1", "docs/My Guide.md", "docs/spec.md", "Documentation/SubmittingPatches",
	"t/Makefile", "tests/test_api.py", "lib/user.plan", "src/components/Button.tsx",
};

/* "a b c": the task's paths (or reads) joined by spaces */
static char *joined(const struct strlist *l)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < l->nr; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", l->v[i]);
	return strbuf_detach(&sb, NULL);
}

static void check(const char *title, const char *paths, const char *reads, int with_tree)
{
	struct tasklist tl;
	char *md = xstrfmt("- [ ] T001 %s\n", title), *got = NULL, *got_r = NULL;

	tasklist_init(&tl);
	tasks_set_tree(with_tree ? &tree : NULL);
	if (tasks_parse_markdown(&tl, "tasks.md", md, strlen(md), 0) < 0 || tl.nr != 1) {
		ok(0, "parse '%s'", title);
		goto out;
	}
	got = joined(&tl.v[0].paths);
	got_r = joined(&tl.v[0].reads);
	is_str(got, paths, "%s: paths of '%s'", with_tree ? "tree" : "no tree", title);
	if (reads)
		is_str(got_r, reads, "%s: reads of '%s'", with_tree ? "tree" : "no tree", title);
out:
	tasks_set_tree(NULL);
	free(got);
	free(got_r);
	free(md);
	tasklist_release(&tl);
}

static void test_index(void)
{
	const char *found = NULL;
	struct strlist hits = STRLIST_INIT;

	ok(pathres_is_file(&tree, "apps/x/y.json"), "a file");
	ok(!pathres_is_file(&tree, "apps/x"), "a directory is not a file");
	ok(pathres_is_dir(&tree, "apps/x") && pathres_is_dir(&tree, "apps/x/"), "a directory");
	ok(!pathres_is_dir(&tree, "apps/w"), "apps/w is no prefix directory of apps/web");
	is_int((long)pathres_find(&tree, "budget.bicep", &found), 1, "a unique basename");
	is_str(found, "infra/modules/budget.bicep", "its path");
	is_int((long)pathres_find(&tree, "index.ts", &found), 3, "an ambiguous basename");
	is_int((long)pathres_find(&tree, "components/Button.tsx", &found), 1, "a path's tail");
	is_str(found, "src/components/Button.tsx", "its path");
	is_int((long)pathres_find(&tree, "ponents/Button.tsx", &found), 0, "a tail starts at a '/'");
	is_int((long)pathres_glob(&tree, "components/auth/*", &hits, 10), 2, "a glob");
	is_int((long)pathres_glob(&tree, "src/**/index.ts", &hits, 10), 3, "a ** glob");
	is_int((long)pathres_glob(&tree, "components/*", &hits, 10), 0, "* stays in its segment");
	strlist_clear(&hits);
}

static void test_words(void)
{
	check("Update /apps/x/y.json", "apps/x/y.json", NULL, 1);
	check("Call /api/events from the page", "", NULL, 1);
	check("Add a budget to budget.bicep", "infra/modules/budget.bicep", NULL, 1);
	check("Fix `index.ts` exports", "", NULL, 1);
	check("Secure components/auth/* and src/api/{a,b}", "components/auth/Login.tsx components/auth/Logout.tsx src/api/a/ src/api/b/", NULL, 1);
	check("Refactor components/auth/* quickly", "components/auth/", NULL, 0);
	check("Fix tests/test_api.py:42 and docs/spec.md#L10", "tests/test_api.py docs/spec.md", NULL, 1);
	check("Make tests/test_api.py::test_login pass", "tests/test_api.py", NULL, 1);
	check("Fix .\\scripts\\x.ps1 on Windows", "scripts/x.ps1", NULL, 1);
	check("Follow [the guide](docs/spec.md) closely", "docs/spec.md", "", 1);
	check("Follow `src/a.py and src/b.py` closely", "src/a.py src/b.py", "", 1);
	check("Document it in [guide](docs/spec.md)", "docs/spec.md", NULL, 1);
	check("Rewrite `docs/My Guide.md` now", "docs/My Guide.md", NULL, 1);
	check("Run `git add src/x.py` after", "src/x.py", NULL, 0);
	check("Build apps/web and Documentation/SubmittingPatches", "apps/web/ Documentation/SubmittingPatches", NULL, 1);
	check("Build apps/web first", "apps/web", NULL, 0);
	check("Fix t/Makefile and .gitlab-ci.yml and .mailmap", "t/Makefile .gitlab-ci.yml .mailmap", NULL, 1);
	check("Fix t/Makefile and .gitlab-ci.yml and .mailmap", "t/Makefile .gitlab-ci.yml .mailmap", NULL, 0);
	check("Login in apps/web/src/app/(auth)/login/page.tsx", "apps/web/src/app/(auth)/login/page.tsx", NULL, 1);
	check("Layout in apps/web/src/app/[locale]/layout.tsx", "apps/web/src/app/[locale]/layout.tsx", NULL, 1);
	check("Read batches.current, console.log and np.random", "", NULL, 1);
	check("Read batches.current, console.log and np.random", "", NULL, 0);
	check("Rename user.plan", "lib/user.plan", NULL, 1);
	check("Rename user.plan", "", NULL, 0);
	check("Create settings.cfgx for the app", "settings.cfgx", NULL, 1);
	check("Plot open/high/low/close with Shift+/", "", NULL, 1);
	check("Plot open/high/low/close with Shift+/", "", NULL, 0);
	check("Implement it per docs/spec.md in src/api/a/index.ts", "src/api/a/index.ts", "docs/spec.md", 1);
	check("Review apps/x/y.json, see docs/spec.md and README.md", "", "apps/x/y.json docs/spec.md README.md", 1);
	check("Fix it according to docs/spec.md", "", "docs/spec.md", 1);
	check("Run quickstart.md validation", "", "quickstart.md", 0);
	check("Fix it. Context: docs/spec.md, infra/main.bicep", "", "docs/spec.md infra/main.bicep", 1);
	check("Edit docs/spec.md per docs/spec.md", "docs/spec.md", "", 1);
	check("Use components/Button.tsx", "src/components/Button.tsx", NULL, 1);
	check("Add src/new/file.ts", "src/new/file.ts", NULL, 1);
	check("Add event_service.py", "event_service.py", NULL, 1);
	check("Add event_service.py", "event_service.py", NULL, 0);
	check("Use Next.js with .ts files", "", NULL, 1);
	check("Create `ui/Card/Card.tsx` (Card.test.tsx, index.ts) and README.md", "ui/Card/Card.tsx ui/Card/Card.test.tsx ui/Card/index.ts README.md", NULL, 1);
	check("Create `ui/Card/Card.tsx` (Card.test.tsx, index.ts) and README.md", "ui/Card/Card.tsx ui/Card/Card.test.tsx ui/Card/index.ts README.md", NULL, 0);
	check("Create `ui/Card/` - `Card.tsx`, `Card.web.tsx`", "ui/Card/ ui/Card/Card.tsx ui/Card/Card.web.tsx", NULL, 0);
	check("Change files/x01.c and T01.txt", "files/x01.c T01.txt", NULL, 0);
	check("Change files/x01.c and T01.txt", "files/x01.c T01.txt", NULL, 1);
}

int main(void)
{
	size_t i;

	git_libgit2_init();
	for (i = 0; i < ARRAY_SIZE(files); i++)
		pathres_add(&tree, files[i]);
	pathres_finish(&tree);
	test_index();
	test_words();
	pathres_release(&tree);
	git_libgit2_shutdown();
	return tap_done();
}
