/* libFuzzer target: durations, booleans, numbers, path normalisation, UTF-8. */
#include "fuzz.h"
#include "gp/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct strbuf sb = STRBUF_INIT;
	const char *why;
	unsigned int u;
	double d;
	size_t bad;

	fuzz_setup();
	parse_duration(s, &d);
	parse_bool(s);
	parse_uint(s, &u);
	path_normalize(&sb, s, &why);
	utf8_valid((const char *)data, size, &bad);
	strbuf_release(&sb);
	free(s);
	return 0;
}
