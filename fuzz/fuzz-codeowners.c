/* libFuzzer target: CODEOWNERS files, then lookups through the combined matcher. */
#include "fuzz.h"
#include "gp/ownership.h"

static const char *const paths[] = {
	"a", "README.md", "src/", "src/a.c", "docs/guide/x.md", "apps/github/x", "build/logs/y.log",
	"\xc3\xa9t\xc3\xa9/f", "a/b/c/d/e/f/g.js",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ownership o;
	size_t i;

	fuzz_setup();
	ownership_init(&o);
	ownership_parse_codeowners(&o, "CODEOWNERS", (const char *)data, size);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		ownership_lookup(&o, paths[i]);
	ownership_release(&o);
	return 0;
}
