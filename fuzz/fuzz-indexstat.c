/* libFuzzer target: an index file's entries and extensions (indexstat.c), then lookups. */
#include "fuzz.h"
#include <string.h>

#include "gp/indexstat.h"

static const char *const paths[] = { "a", "a/b", "README", "src", "src/a.c", "" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct indexstat ix = INDEXSTAT_INIT;
	size_t i;

	fuzz_setup();
	strbuf_add(&ix.buf, data, size);
	if (!indexstat_parse(&ix))
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			indexstat_tracked(&ix, paths[i], strlen(paths[i]));
	indexstat_release(&ix);
	return 0;
}
