/*
 * libFuzzer target: one ownership pattern and one path (split at the
 * first NUL): the translation, compilation and lookup agree and never crash.
 */
#include <string.h>

#include "fuzz.h"
#include "gp/ownership.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ownership o;
	struct strbuf re = STRBUF_INIT;
	const char *nul = memchr(data, '\0', size), *why = NULL;
	char *pattern, *path;

	fuzz_setup();
	if (!nul)
		return 0;
	pattern = xstrndup((const char *)data, (size_t)(nul - (const char *)data));
	path = xstrndup(nul + 1, size - (size_t)(nul - (const char *)data) - 1);
	ownership_init(&o);
	if (!ownership_pattern_to_regex(&re, pattern, &why) &&
	    !ownership_add(&o, pattern, "team", "fuzz", 1))
		ownership_lookup(&o, path);
	ownership_release(&o);
	strbuf_release(&re);
	free(pattern);
	free(path);
	return 0;
}
