/* libFuzzer target: the markdown task parser and the task list checks. */
#include <git2.h>

#include "fuzz.h"
#include "gp/tasks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tasklist tl;

	fuzz_setup();
	tasklist_init(&tl);
	if (!tasks_parse_markdown(&tl, "fuzz.md", (const char *)data, size, 0))
		tasks_validate(&tl, "parallel/");
	tasklist_release(&tl);
	return 0;
}
