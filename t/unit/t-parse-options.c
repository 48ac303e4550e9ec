/*
 * Unit tests for src/parse-options.c: getopt_long's rules from a table
 * (abbreviations, --no- negation only where allowed, "--", options after
 * operands, missing values, numbers out of range), and the usage text,
 * synopsis and completion list made from the same table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gp/parse-options.h"
#include "gp/util.h"
#include "tap.h"

static int json, sparse, called;
static unsigned int flags, jobs, retries;
static const char *base, *cb_arg;

static int cb_hex(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	called++;
	if (strspn(arg, "0123456789abcdef") != strlen(arg)) {
		strbuf_addf(err, "--token needs hex digits, not '%s'", arg);
		return -1;
	}
	*(const char **)opt->value = arg;
	return 0;
}

static void reset(void)
{
	json = 0;
	sparse = -1;
	called = 0;
	flags = 0;
	jobs = 0;
	retries = 7;
	base = cb_arg = NULL;
}

static const struct parse_opt opts[] = {
	OPT_COMMAND("demo"),
	OPT_OPERANDS("[<id>...]"),
	OPT_UNSIGNED('j', "jobs", &jobs, "n", "at most <n> at once"),
	OPT_STRING(0, "base", &base, "rev", "fork from <rev>"),
	OPT_BOOL(0, "json", &json, "print JSON"),
	OPT_BOOL_F(0, "sparse", &sparse, "sparse worktrees", PARSE_OPT_NEGATABLE),
	OPT_BIT(0, "strict", &flags, "refuse false [P]", 1),
	OPT_BIT(0, "serial-phases", &flags, "phases in a row", 2),
	OPT_BIT(0, "no-phases", &flags, "no phase barriers", 4),
	OPT_UNSIGNED(0, "retries", &retries, "n", "attempts after a failure"),
	OPT_CALLBACK(0, "token", &cb_arg, "hex", "a token", cb_hex),
	OPT_ALIAS('f', "json"),
	OPT_END(),
};

/* parse a space-separated command line; *err gets the message */
static int parse(const char *line, struct strbuf *err, char ***argv_out, int *argc_out)
{
	static char *words[32];
	static char buf[512];
	char *p;
	int argc = 0;

	reset();
	strbuf_setlen(err, 0);
	snprintf(buf, sizeof(buf), "demo %s", line);
	for (p = strtok(buf, " "); p && argc < 31; p = strtok(NULL, " "))
		words[argc++] = p;
	words[argc] = NULL;
	*argv_out = words;
	*argc_out = argc;
	return parse_options(argc, words, opts, err);
}

static void test_parsing(void)
{
	struct strbuf err = STRBUF_INIT;
	char **argv;
	int argc, i;

	i = parse("--json --base main T1", &err, &argv, &argc);
	is_int(i, 4, "options then an operand: the operand index");
	ok(json == 1 && base && !strcmp(base, "main"), "--json and --base main are set");
	is_str(argv[i], "T1", "the operand");

	i = parse("T1 --base=dev T2 -j4 T3", &err, &argv, &argc);
	is_int(argc - i, 3, "operands among options: three operands");
	ok(i == 3 && !strcmp(argv[3], "T1") && !strcmp(argv[4], "T2") && !strcmp(argv[5], "T3"),
	   "operands keep their order, after the options");
	ok(base && !strcmp(base, "dev") && jobs == 4, "--base=dev and -j4");

	i = parse("-j 3 --ba x --js", &err, &argv, &argc);
	ok(i == argc && jobs == 3 && base && !strcmp(base, "x") && json, "-j 3, and unique prefixes --ba, --js");

	i = parse("--s", &err, &argv, &argc);
	is_int(i, PARSE_OPT_ERROR, "--s is ambiguous");
	ok(strstr(err.buf, "ambiguous option '--s'") != NULL, "and says so: %s", err.buf);

	i = parse("--st --se --no-ph", &err, &argv, &argc);
	is_int(flags, 7, "--st, --se and --no-ph (an option named no-phases) set their bits");

	i = parse("--sparse", &err, &argv, &argc);
	is_int(sparse, 1, "--sparse");
	i = parse("--no-sparse", &err, &argv, &argc);
	is_int(sparse, 0, "--no-sparse negates a negatable option");
	i = parse("--no-sp", &err, &argv, &argc);
	ok(i == 2 && sparse == 0, "--no-sp: a negation abbreviated");
	i = parse("--no-json", &err, &argv, &argc);
	is_int(i, PARSE_OPT_ERROR, "--no-json: not negatable");
	is_str(err.buf, "unknown option '--no-json'", "an unknown option");
	i = parse("--phases", &err, &argv, &argc);
	is_str(err.buf, "unknown option '--phases'", "--phases does not undo --no-phases");

	i = parse("--json -- --base -j", &err, &argv, &argc);
	ok(i == 3 && argc == 5 && !strcmp(argv[3], "--base") && !strcmp(argv[4], "-j") && !base,
	   "-- ends the options: what follows are operands");
	i = parse("T1 -- -rf", &err, &argv, &argc);
	ok(i == 2 && !strcmp(argv[2], "T1") && !strcmp(argv[3], "-rf"), "operands before and after --");
	i = parse("- --json", &err, &argv, &argc);
	ok(i == 2 && json && !strcmp(argv[2], "-"), "a lone - is an operand");

	i = parse("--base", &err, &argv, &argc);
	is_int(i, PARSE_OPT_ERROR, "--base without a value");
	is_str(err.buf, "option '--base' needs a value", "names the option");
	i = parse("-j", &err, &argv, &argc);
	is_str(err.buf, "option '-j' needs a value", "-j without a value");
	i = parse("--base --json", &err, &argv, &argc);
	ok(i == 3 && base && !strcmp(base, "--json") && !json, "the next word is the value, whatever it is");
	i = parse("--base=", &err, &argv, &argc);
	ok(i == 2 && base && !*base, "--base= gives an empty value");
	i = parse("--json=yes", &err, &argv, &argc);
	is_str(err.buf, "option '--json' takes no value", "--json=yes");

	i = parse("--frob=1", &err, &argv, &argc);
	is_str(err.buf, "unknown option '--frob=1'", "an unknown long option, as typed");
	i = parse("-fz", &err, &argv, &argc);
	ok(i == PARSE_OPT_ERROR && json, "-fz: -f (an alias of --json) then -z");
	is_str(err.buf, "unknown option '-z'", "names the unknown letter");

	i = parse("-j0", &err, &argv, &argc);
	ok(i == 2 && jobs == 0, "-j0: 0 is a number");
	i = parse("-j x", &err, &argv, &argc);
	is_str(err.buf, "-j needs a number, not 'x'", "a bad number given by the short name");
	i = parse("--jobs=x", &err, &argv, &argc);
	is_str(err.buf, "--jobs needs a number, not 'x'", "and by the long name");
	i = parse("--retries 1000001", &err, &argv, &argc);
	is_str(err.buf, "--retries needs a number, not '1000001'", "a number out of range");
	ok(retries == 7, "and the value is not changed");
	i = parse("--retries -1", &err, &argv, &argc);
	is_str(err.buf, "--retries needs a number, not '-1'", "a negative number");
	i = parse("--retries 12x", &err, &argv, &argc);
	is_int(i, PARSE_OPT_ERROR, "trailing garbage");
	i = parse("--retries 1000000", &err, &argv, &argc);
	ok(i == 3 && retries == 1000000, "the largest number");

	i = parse("--token=abc", &err, &argv, &argc);
	ok(i == 2 && called == 1 && cb_arg && !strcmp(cb_arg, "abc"), "a callback gets the value");
	i = parse("--token xyz", &err, &argv, &argc);
	ok(i == PARSE_OPT_ERROR && !strcmp(err.buf, "--token needs hex digits, not 'xyz'"),
	   "a callback refuses a value with its own message");

	ok(parse("-h", &err, &argv, &argc) == PARSE_OPT_HELP, "-h");
	ok(parse("T1 --json -fh", &err, &argv, &argc) == PARSE_OPT_HELP, "-h in a cluster");
	ok(parse("--he", &err, &argv, &argc) == PARSE_OPT_HELP, "--help abbreviated");
	ok(parse("--git-completion-helper", &err, &argv, &argc) == PARSE_OPT_COMPLETE,
	   "--git-completion-helper");
	ok(parse("--git-completion", &err, &argv, &argc) == PARSE_OPT_ERROR,
	   "--git-completion-helper is not abbreviated");
	strbuf_release(&err);
}

static void test_texts(void)
{
	struct strbuf sb = STRBUF_INIT;
	static const struct parse_opt two[] = {
		OPT_COMMAND("clean"),
		OPT_OPERANDS("[<id>...]"),
		{ OPTION_STRING, 0, "remote", NULL, "remote", "on the remote", .lines = 2, .required = 2 },
		OPT_BOOL(0, "merged", NULL, "merged tasks"),
		{ OPTION_BOOL, 0, "all", NULL, NULL, "every task", .lines = 3 },
		OPT_BOOL_F(0, "list", NULL, "list", 0),
		OPT_BOOL_F(0, "revoke", NULL, "revoke", PARSE_OPT_OR),
		{ OPTION_STRING, 0, "format", NULL, "text|json", "the format", PARSE_OPT_LITERAL_ARGHELP },
		OPT_BOOL_F(0, "secret", NULL, "hidden", PARSE_OPT_HIDDEN),
		OPT_END(),
	};

	parse_options_synopsis(&sb, opts);
	is_str(sb.buf, "usage: git parallel demo [<id>...] [-j | --jobs <n>] [--base <rev>] [--json] [--[no-]sparse] "
		       "[--strict] [--serial-phases] [--no-phases] [--retries <n>] [--token <hex>]\n",
	       "the synopsis of one line");
	strbuf_setlen(&sb, 0);
	parse_options_synopsis(&sb, two);
	is_str(sb.buf, "usage: git parallel clean [<id>...] [--merged] [--all] [--list | --revoke] [--format=text|json]\n"
		       "   or: git parallel clean --remote <remote> [--all]\n",
	       "two lines, a required option, alternatives, a literal argument");

	strbuf_setlen(&sb, 0);
	parse_options_usage(&sb, opts);
	ok(strstr(sb.buf, "\n\n    -j, --jobs <n>        at most <n> at once\n") != NULL,
	   "the option list follows the synopsis, git's columns");
	ok(strstr(sb.buf, "\n    --[no-]sparse         sparse worktrees\n") != NULL, "a negatable option");
	ok(!strstr(sb.buf, "-f,") && !strstr(sb.buf, "-f |"), "an alias is not shown");
	strbuf_setlen(&sb, 0);
	parse_options_usage(&sb, two);
	ok(!strstr(sb.buf, "secret"), "a hidden option is not shown");

	strbuf_setlen(&sb, 0);
	parse_options_complete(&sb, opts);
	is_str(sb.buf, "--jobs= --base= --json --sparse --strict --serial-phases --no-phases --retries= --token="
		       " -- --no-sparse\n", "the completion list");
	strbuf_release(&sb);
}

static void test_stop_at_command(void)
{
	struct strbuf err = STRBUF_INIT;
	const char *config = NULL;
	int help = 0, version = 0, i;
	char a0[] = "git-parallel", a1[] = "--conf=x", a2[] = "run", a3[] = "--json", a4[] = "T1";
	char d1[] = "--", d2[] = "--help";
	char *argv[] = { a0, a1, a2, a3, a4, NULL };
	char *argv2[] = { a0, d1, d2, NULL };
	char *argv3[] = { a0, d2, a2, NULL };
	const struct parse_opt main_opts[] = {
		{ OPTION_COMMAND, 0, NULL, NULL, NULL, "", PARSE_OPT_STOP_AT_NON_OPTION },
		OPT_BOOL(0, "version", &version, "print the version"),
		OPT_SET_INT('h', NULL, &help, "usage", 1),
		{ OPTION_SET_INT, 0, "help", &help, NULL, "the manual", PARSE_OPT_OR, NULL, 2 },
		OPT_STRING(0, "config", &config, "file", "a configuration file"),
		OPT_OPERANDS("<command> [<args>]"),
		OPT_END(),
	};

	i = parse_options(5, argv, main_opts, &err);
	ok(i == 2 && config && !strcmp(config, "x"), "the first operand ends the options");
	ok(!strcmp(argv[2], "run") && !strcmp(argv[3], "--json") && !strcmp(argv[4], "T1"),
	   "the command's arguments stay as they were");
	i = parse_options(3, argv2, main_opts, &err);
	ok(i == 2 && !strcmp(argv2[2], "--help") && !help, "-- ends the options: --help after it is an operand");
	i = parse_options(3, argv3, main_opts, &err);
	ok(i == 2 && help == 2, "a table's own --help is an option, not the implicit usage");
	strbuf_setlen(&err, 0);
	parse_options_synopsis(&err, main_opts);
	is_str(err.buf, "usage: git parallel [--version] [-h | --help] [--config <file>] <command> [<args>]\n",
	       "git parallel's own synopsis");
	strbuf_release(&err);
}

int main(void)
{
	test_parsing();
	test_stop_at_command();
	test_texts();
	return tap_done();
}
