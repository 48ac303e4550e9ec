#ifndef GP_PARSE_OPTIONS_H
#define GP_PARSE_OPTIONS_H
/*
 * One option table per command gives both its parsing and its usage text,
 * after git's parse-options.h (OPT_BOOL, OPT_STRING, OPT_END ...):
 *
 *	struct parse_opt usage_check[] = {
 *		OPT_COMMAND("check"),
 *		OPT_OPERANDS("[<id>...]"),
 *		OPT_BOOL(0, "json", &json, "print the result as JSON"),
 *		OPT_BIT(0, "exact", &flags, "confirm overlaps by merging", CHECK_EXACT),
 *		OPT_END(),
 *	};
 *
 * The table is in synopsis order: its entries, operands included, make the
 * usage line(s) "git parallel check [<id>...] [--json] [--exact]", then one
 * line per option with its help.  An entry is on usage line 1 unless .lines
 * says otherwise (bit i: line i + 1), in brackets unless .required has the
 * line's bit.  -h and --help are implicit unless the table has them;
 * --git-completion-helper (exact spelling only) asks for the long options,
 * as git's own completion does.  git parallel's own table has the command
 * name "" and PARSE_OPT_STOP_AT_NON_OPTION: its operands are <command> and
 * the command's arguments.
 *
 * Parsing is getopt_long's: "--opt=value" and "--opt value", "-j4" and
 * "-j 4", clustered short options, unique prefixes of long options, options
 * and operands in any order (operands keep their order), "--" ends options.
 * Only options flagged PARSE_OPT_NEGATABLE take "--no-<name>".
 */
#include <stdint.h>

struct strbuf;

enum parse_opt_type {
	OPTION_END,
	OPTION_COMMAND,		/* help: the command's name; the first entry */
	OPTION_OPERANDS,	/* help: operands as the synopsis shows them */
	OPTION_ALIAS,		/* short_name: a hidden alias of --long_name */
	/* no argument */
	OPTION_BOOL,		/* int: 1, 0 when negated */
	OPTION_BIT,		/* unsigned int: |= defval, &= ~defval when negated */
	OPTION_SET_INT,		/* int: = defval, 0 when negated */
	/* an argument */
	OPTION_STRING,		/* const char *: the argument, borrowed from argv */
	OPTION_UNSIGNED,	/* unsigned int: 0 to 1000000 (parse_uint) */
	OPTION_CALLBACK,	/* callback(opt, arg, unset, err); NOARG: arg NULL */
};

enum parse_opt_option_flags {
	PARSE_OPT_NEGATABLE = 1 << 0,	/* --no-<name> too; --[no-]<name> in usage */
	PARSE_OPT_LITERAL_ARGHELP = 1 << 1,	/* --name=<argh as is> in usage */
	PARSE_OPT_OR = 1 << 2,	/* usage: "[--prev | --this]", one choice */
	PARSE_OPT_NONZERO = 1 << 3,	/* OPTION_UNSIGNED: 0 is refused */
	PARSE_OPT_NOARG = 1 << 4,	/* OPTION_CALLBACK: takes no argument */
	PARSE_OPT_HIDDEN = 1 << 5,	/* neither in usage nor in completion */
	PARSE_OPT_STOP_AT_NON_OPTION = 1 << 6,	/* OPT_COMMAND: the first operand ends the options */
};

struct parse_opt;

/*
 * Store arg (NULL for a NOARG option, or when unset: --no-<name>) where
 * opt->value says; on a bad value add a message (no "error: ") to err and
 * return -1.
 */
typedef int parse_opt_cb(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err);

struct parse_opt {
	enum parse_opt_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh;	/* the argument's name in usage: "n" shows <n> */
	const char *help;
	unsigned int flags;	/* enum parse_opt_option_flags */
	parse_opt_cb *callback;
	intptr_t defval;
	unsigned int lines;	/* usage lines showing it (bit 0: line 1); 0: line 1 */
	unsigned int required;	/* of those, the lines where it has no brackets */
};

#define OPT_END()			{ OPTION_END }
#define OPT_COMMAND(name)		{ OPTION_COMMAND, 0, NULL, NULL, NULL, (name) }
#define OPT_OPERANDS(syn)		{ OPTION_OPERANDS, 0, NULL, NULL, NULL, (syn) }
#define OPT_ALIAS(s, l)			{ OPTION_ALIAS, (s), (l), NULL, NULL, NULL, PARSE_OPT_HIDDEN }
#define OPT_BOOL(s, l, v, h)		{ OPTION_BOOL, (s), (l), (v), NULL, (h) }
#define OPT_BOOL_F(s, l, v, h, f)	{ OPTION_BOOL, (s), (l), (v), NULL, (h), (f) }
#define OPT_BIT(s, l, v, h, b)		{ OPTION_BIT, (s), (l), (v), NULL, (h), 0, NULL, (b) }
#define OPT_SET_INT(s, l, v, h, i)	{ OPTION_SET_INT, (s), (l), (v), NULL, (h), 0, NULL, (i) }
#define OPT_STRING(s, l, v, a, h)	{ OPTION_STRING, (s), (l), (v), (a), (h) }
#define OPT_UNSIGNED(s, l, v, a, h)	{ OPTION_UNSIGNED, (s), (l), (v), (a), (h) }
#define OPT_CALLBACK(s, l, v, a, h, cb)	{ OPTION_CALLBACK, (s), (l), (v), (a), (h), 0, (cb) }

/* what parse_options() returns instead of an operand index */
enum {
	PARSE_OPT_HELP = -1,		/* -h or --help: show the usage */
	PARSE_OPT_COMPLETE = -2,	/* --git-completion-helper */
	PARSE_OPT_ERROR = -3,		/* a usage error, described in err */
};

/*
 * Parse argv[1..argc) by opts, storing values as it goes.  argv is
 * permuted as getopt_long does: options (and the first "--") first, then
 * the operands in their order.  Returns the index of the first operand
 * (argc when none), or PARSE_OPT_HELP, PARSE_OPT_COMPLETE, or
 * PARSE_OPT_ERROR with a message in err ("unknown option '--frob'",
 * "option '--base' needs a value", or a callback's).  After those three,
 * argv is in no useful order.
 */
int parse_options(int argc, char **argv, const struct parse_opt *opts, struct strbuf *err);

/* The usage lines ("usage: git parallel check ...", "   or: ..."), as the man page's SYNOPSIS has them. */
void parse_options_synopsis(struct strbuf *out, const struct parse_opt *opts);

/* The synopsis, a blank line, then each option with its help, as git's -h. */
void parse_options_usage(struct strbuf *out, const struct parse_opt *opts);

/* The long options for git's completion: "--json --base= -- --no-sparse\n" */
void parse_options_complete(struct strbuf *out, const struct parse_opt *opts);

#endif
