/*
 * libFuzzer target: parse-options.  The input is a command line, one word
 * a line; whatever it holds, parsing ends (an operand index, -h, the
 * completion helper, or an error with a message), the words are only
 * permuted (options first, operands in their order), and the texts of the
 * table render.
 */
#include <string.h>

#include "fuzz.h"
#include "gp/parse-options.h"

#define MAX_WORDS 64

static int cb(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	if (arg && !strcmp(arg, "bad")) {
		strbuf_addstr(err, "bad value");
		return -1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = xstrndup((const char *)data, size), *p, *save = NULL;
	char *argv[MAX_WORDS + 2], *orig[MAX_WORDS + 2];
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	const char *str = NULL;
	unsigned int bits = 0, u = 0;
	int flag = 0, set = 0, argc = 1, i, j, ret, stop = size && data[0] == '!';
	const struct parse_opt opts[] = {
		{ OPTION_COMMAND, 0, NULL, NULL, NULL, "fuzz", stop ? PARSE_OPT_STOP_AT_NON_OPTION : 0 },
		OPT_OPERANDS("[<id>...]"),
		OPT_BOOL('b', "bool", &flag, "a flag"),
		OPT_BOOL_F(0, "sparse", &flag, "negatable", PARSE_OPT_NEGATABLE),
		OPT_BIT(0, "no-bit", &bits, "a bit", 1),
		OPT_BIT(0, "bits", &bits, "another", 2),
		OPT_SET_INT('s', "set", &set, "set 3", 3),
		OPT_STRING(0, "string", &str, "s", "a string"),
		{ OPTION_UNSIGNED, 'u', "unsigned", &u, "n", "a number", PARSE_OPT_NONZERO, .lines = 3, .required = 2 },
		OPT_CALLBACK('c', "callback", NULL, "v", "a callback", cb),
		{ OPTION_CALLBACK, 0, "noarg", NULL, NULL, "no argument", PARSE_OPT_NOARG | PARSE_OPT_OR, cb },
		{ OPTION_STRING, 0, "format", &str, "a|b", "literal", PARSE_OPT_LITERAL_ARGHELP },
		OPT_BOOL_F(0, "hidden", &flag, "hidden", PARSE_OPT_HIDDEN),
		OPT_ALIAS('x', "string"),
		OPT_ALIAS('y', "nothing"),
		OPT_END(),
	};

	fuzz_setup();
	argv[0] = orig[0] = "fuzz";
	for (p = strtok_r(buf, "\n", &save); p && argc <= MAX_WORDS; p = strtok_r(NULL, "\n", &save))
		argv[argc] = orig[argc] = p, argc++;
	argv[argc] = orig[argc] = NULL;

	ret = parse_options(argc, argv, opts, &err);
	if (ret == PARSE_OPT_ERROR && !err.len)
		abort();	/* an error says what */
	if (ret >= 0) {
		if (ret < 1 || ret > argc || err.len)
			abort();
		/* a permutation: every original word once */
		for (i = 1; i < argc; i++) {
			int found = 0;

			for (j = 1; j < argc; j++)
				found += argv[j] == orig[i];
			if (found != 1)
				abort();
		}
		/* operands keep their order */
		for (i = ret, j = 1; i < argc; i++) {
			while (j < argc && orig[j] != argv[i])
				j++;
			if (j == argc)
				abort();
		}
	}
	parse_options_usage(&out, opts);
	parse_options_complete(&out, opts);
	strbuf_release(&out);
	strbuf_release(&err);
	free(buf);
	return 0;
}
