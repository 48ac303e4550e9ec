/* libFuzzer target: the INI reader with the configuration and INI tasks. */
#include "fuzz.h"
#include "gp/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;

	fuzz_setup();
	config_init(&c);
	if (!config_parse_buf(&c, ".gitparallel", (const char *)data, size)) {
		tasks_validate(&c.tasks_ini, c.branch_prefix);
		ownership_lookup(&c.ownership, "src/a/b.c");
		ownership_lookup(&c.ownership, "docs/");
	}
	config_release(&c);
	return 0;
}
