/*
 * Option tables: one per command, giving both the parsing (getopt_long's
 * rules, see parse-options.h) and the usage text.  Nothing here prints:
 * messages and texts go to the caller's strbufs.
 */
#include <stdlib.h>
#include <string.h>

#include "gp/parse-options.h"
#include "gp/util.h"

#define USAGE_OPTS_WIDTH 24
#define USAGE_GAP 2

static int is_option(const struct parse_opt *o)
{
	return o->type >= OPTION_BOOL;
}

static int takes_arg(const struct parse_opt *o)
{
	if (o->type == OPTION_CALLBACK)
		return !(o->flags & PARSE_OPT_NOARG);
	return o->type == OPTION_STRING || o->type == OPTION_UNSIGNED;
}

static int visible(const struct parse_opt *o)
{
	return is_option(o) && !(o->flags & PARSE_OPT_HIDDEN);
}

static const char *command_name(const struct parse_opt *opts)
{
	return opts->type == OPTION_COMMAND ? opts->help : "?";
}

static const struct parse_opt *find_long(const struct parse_opt *opts, const char *name)
{
	for (; opts->type != OPTION_END; opts++)
		if (is_option(opts) && opts->long_name && !strcmp(opts->long_name, name))
			return opts;
	return NULL;
}

static const struct parse_opt *find_short(const struct parse_opt *opts, int c)
{
	const struct parse_opt *o;

	for (o = opts; o->type != OPTION_END; o++) {
		if (o->short_name != c)
			continue;
		if (o->type == OPTION_ALIAS)
			return o->long_name ? find_long(opts, o->long_name) : NULL;
		if (is_option(o))
			return o;
	}
	return NULL;
}

/* "--jobs" or "-j": how messages name an option */
static void add_name(struct strbuf *sb, const struct parse_opt *o, int unset)
{
	if (o->long_name)
		strbuf_addf(sb, "--%s%s", unset ? "no-" : "", o->long_name);
	else
		strbuf_addf(sb, "-%c", o->short_name);
}

/* as_short: the letter the option was given by (-j), or 0 (--jobs); messages say so */
static int set_value(const struct parse_opt *o, const char *arg, int unset, int as_short, struct strbuf *err)
{
	unsigned int u;

	switch (o->type) {
	case OPTION_BOOL:
		*(int *)o->value = !unset;
		return 0;
	case OPTION_BIT:
		if (unset)
			*(unsigned int *)o->value &= ~(unsigned int)o->defval;
		else
			*(unsigned int *)o->value |= (unsigned int)o->defval;
		return 0;
	case OPTION_SET_INT:
		*(int *)o->value = unset ? 0 : (int)o->defval;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = unset ? NULL : arg;
		return 0;
	case OPTION_UNSIGNED:
		if (unset) {
			*(unsigned int *)o->value = 0;
			return 0;
		}
		if (parse_uint(arg, &u) < 0 || (!u && (o->flags & PARSE_OPT_NONZERO))) {
			if (as_short)
				strbuf_addf(err, "-%c", as_short);
			else
				add_name(err, o, 0);
			strbuf_addf(err, " needs a %snumber, not '%s'",
				    o->flags & PARSE_OPT_NONZERO ? "positive " : "", arg);
			return -1;
		}
		*(unsigned int *)o->value = u;
		return 0;
	case OPTION_CALLBACK:
		return o->callback(o, arg, unset, err);
	default:
		strbuf_addf(err, "option table of '%s': entry of type %d is not an option",
			    o->long_name ? o->long_name : "?", (int)o->type);
		return -1;
	}
}

/* a long option's spellings: "name", and "no-name" when negatable */
static int spelling_matches(const struct parse_opt *o, int unset, const char *name, size_t len, int exact)
{
	size_t n = strlen(o->long_name);

	if (unset) {
		if (len < 3 || strncmp(name, "no-", 3))
			return 0;
		name += 3;
		len -= 3;
	}
	if (exact ? len != n : len > n)
		return 0;
	return !strncmp(o->long_name, name, len);
}

/*
 * "--name[=value]" (without the dashes): the option it names, exactly or
 * by a unique prefix, and whether it was the --no- spelling.  NULL and
 * *help set for --help; NULL and a message in err for an unknown or an
 * ambiguous name.
 */
static const struct parse_opt *match_long(const struct parse_opt *opts, const char *arg,
					  int *unset, int *help, struct strbuf *err)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct parse_opt *o, *found = NULL, *other = NULL;
	int found_unset = 0, other_unset = 0, other_help = 0, nr = 0, exact, u;

	*help = 0;
	if (!len) {
		strbuf_addf(err, "unknown option '--%s'", arg);
		return NULL;
	}
	for (exact = 1; exact >= 0 && !nr; exact--) {
		for (o = opts; o->type != OPTION_END; o++) {
			if (!is_option(o) || !o->long_name)
				continue;
			for (u = 0; u <= !!(o->flags & PARSE_OPT_NEGATABLE); u++) {
				if (!spelling_matches(o, u, arg, len, exact))
					continue;
				if (!nr++) {
					found = o;
					found_unset = u;
				} else if (nr == 2) {
					other = o;
					other_unset = u;
				}
			}
		}
		if (len <= 4 && !strncmp("help", arg, len) && (exact ? len == 4 : 1) && !find_long(opts, "help")) {
			if (!nr++)
				*help = 1;
			else if (nr == 2)
				other_help = 1;
		}
	}
	if (nr == 1) {
		*unset = found_unset;
		return found;
	}
	*help = 0;
	if (!nr) {
		strbuf_addf(err, "unknown option '--%s'", arg);
		return NULL;
	}
	strbuf_addf(err, "ambiguous option '--%.*s' (could be ", (int)len, arg);
	if (found)
		add_name(err, found, found_unset);
	else
		strbuf_addstr(err, "--help");
	strbuf_addstr(err, " or ");
	if (other_help)
		strbuf_addstr(err, "--help");
	else
		add_name(err, other, other_unset);
	strbuf_addstr(err, nr > 2 ? " or more)" : ")");
	return NULL;
}

int parse_options(int argc, char **argv, const struct parse_opt *opts, struct strbuf *err)
{
	char **operands = xcalloc((size_t)argc + 1, sizeof(*operands));
	size_t nr_ops = 0, nr_opts = 1;
	int i, ret = PARSE_OPT_ERROR, dashdash = 0;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct parse_opt *o;
		int unset = 0, help = 0;

		if (dashdash || arg[0] != '-' || !arg[1]) {
			if (opts->flags & PARSE_OPT_STOP_AT_NON_OPTION)
				break;
			operands[nr_ops++] = argv[i];
			continue;
		}
		argv[nr_opts++] = argv[i];
		if (!strcmp(arg, "--")) {
			dashdash = 1;
			if (opts->flags & PARSE_OPT_STOP_AT_NON_OPTION) {
				i++;
				break;
			}
			continue;
		}
		if (!strcmp(arg, "--git-completion-helper")) {
			ret = PARSE_OPT_COMPLETE;
			goto out;
		}
		if (arg[1] == '-') {
			const char *value;

			o = match_long(opts, arg + 2, &unset, &help, err);
			if (help) {
				ret = PARSE_OPT_HELP;
				goto out;
			}
			if (!o)
				goto out;
			value = strchr(arg, '=');
			if (value && (unset || !takes_arg(o))) {
				strbuf_addstr(err, "option '");
				add_name(err, o, unset);
				strbuf_addstr(err, "' takes no value");
				goto out;
			}
			if (value)
				value++;
			else if (!unset && takes_arg(o)) {
				if (i + 1 >= argc) {
					strbuf_addstr(err, "option '");
					add_name(err, o, 0);
					strbuf_addstr(err, "' needs a value");
					goto out;
				}
				value = argv[++i];
				argv[nr_opts++] = argv[i];
			}
			if (set_value(o, value, unset, 0, err) < 0)
				goto out;
			continue;
		}
		for (arg++; *arg; arg++) {
			const char *value = NULL;

			o = find_short(opts, *arg);
			if (!o && *arg == 'h') {
				ret = PARSE_OPT_HELP;
				goto out;
			}
			if (!o) {
				strbuf_addf(err, "unknown option '-%c'", *arg);
				goto out;
			}
			if (takes_arg(o)) {
				if (arg[1])
					value = arg + 1;
				else if (i + 1 < argc) {
					value = argv[++i];
					argv[nr_opts++] = argv[i];
				} else {
					strbuf_addf(err, "option '-%c' needs a value", *arg);
					goto out;
				}
			}
			if (set_value(o, value, 0, *arg, err) < 0)
				goto out;
			if (value)
				break;
		}
	}
	/* (stopped early: argv[i..argc) stay where they are, after the options) */
	memcpy(argv + nr_opts, operands, nr_ops * sizeof(*argv));
	ret = (int)nr_opts;
out:
	free(operands);
	return ret;
}

/* "-j | --jobs <n>", "--[no-]sparse", "--format=text|json" */
static void add_synopsis_option(struct strbuf *sb, const struct parse_opt *o)
{
	if (o->short_name)
		strbuf_addf(sb, "-%c", o->short_name);
	if (o->short_name && o->long_name)
		strbuf_addstr(sb, " | ");
	if (o->long_name)
		strbuf_addf(sb, "--%s%s", o->flags & PARSE_OPT_NEGATABLE ? "[no-]" : "", o->long_name);
	if (!takes_arg(o))
		return;
	if ((o->flags & PARSE_OPT_LITERAL_ARGHELP) && o->long_name)
		strbuf_addf(sb, "=%s", o->argh ? o->argh : "");
	else
		strbuf_addf(sb, " <%s>", o->argh ? o->argh : "value");
}

static unsigned int lines_of(const struct parse_opt *o)
{
	return (o->lines ? o->lines : 1) | o->required;
}

void parse_options_synopsis(struct strbuf *out, const struct parse_opt *opts)
{
	const struct parse_opt *o, *p;
	unsigned int all = 0, bit;

	for (o = opts; o->type != OPTION_END; o++)
		if (o->type == OPTION_OPERANDS || visible(o))
			all |= lines_of(o);
	for (bit = 1; bit && bit <= (all | 1); bit <<= 1) {
		if (!(bit & (all | 1)))
			continue;
		strbuf_addf(out, "%sgit parallel%s%s", bit == 1 ? "usage: " : "   or: ",
			    *command_name(opts) ? " " : "", command_name(opts));
		for (o = opts; o->type != OPTION_END; o++) {
			int req = !!(o->required & bit);

			if (!(lines_of(o) & bit))
				continue;
			if (o->type == OPTION_OPERANDS) {
				strbuf_addf(out, " %s", o->help);
				continue;
			}
			if (!visible(o) || (o->flags & PARSE_OPT_OR))
				continue;
			strbuf_addstr(out, req ? " " : " [");
			add_synopsis_option(out, o);
			for (p = o + 1; p->type != OPTION_END && (p->flags & PARSE_OPT_OR); p++) {
				if (!visible(p) || !(lines_of(p) & bit))
					continue;
				strbuf_addstr(out, " | ");
				add_synopsis_option(out, p);
			}
			if (!req)
				strbuf_addch(out, ']');
		}
		strbuf_addch(out, '\n');
	}
}

void parse_options_usage(struct strbuf *out, const struct parse_opt *opts)
{
	const struct parse_opt *o;
	int any = 0;

	parse_options_synopsis(out, opts);
	for (o = opts; o->type != OPTION_END; o++) {
		size_t start, pos;

		if (!visible(o))
			continue;
		if (!any++)
			strbuf_addch(out, '\n');
		start = out->len;
		strbuf_addstr(out, "    ");
		if (o->short_name)
			strbuf_addf(out, "-%c", o->short_name);
		if (o->short_name && o->long_name)
			strbuf_addstr(out, ", ");
		if (o->long_name)
			strbuf_addf(out, "--%s%s", o->flags & PARSE_OPT_NEGATABLE ? "[no-]" : "", o->long_name);
		if (takes_arg(o)) {
			if ((o->flags & PARSE_OPT_LITERAL_ARGHELP) && o->long_name)
				strbuf_addf(out, "=%s", o->argh ? o->argh : "");
			else
				strbuf_addf(out, " <%s>", o->argh ? o->argh : "value");
		}
		pos = out->len - start;
		if (pos > USAGE_OPTS_WIDTH) {
			strbuf_addch(out, '\n');
			pos = 0;
		}
		strbuf_addf(out, "%*s%s\n", (int)(USAGE_OPTS_WIDTH - pos + USAGE_GAP), "", o->help ? o->help : "");
	}
}

void parse_options_complete(struct strbuf *out, const struct parse_opt *opts)
{
	const struct parse_opt *o;
	int neg = 0, nr = 0;

	for (o = opts; o->type != OPTION_END; o++) {
		if (!visible(o) || !o->long_name)
			continue;
		strbuf_addf(out, "%s--%s%s", nr++ ? " " : "", o->long_name, takes_arg(o) ? "=" : "");
		neg |= !!(o->flags & PARSE_OPT_NEGATABLE);
	}
	if (neg) {
		strbuf_addstr(out, " --");
		for (o = opts; o->type != OPTION_END; o++)
			if (visible(o) && o->long_name && (o->flags & PARSE_OPT_NEGATABLE))
				strbuf_addf(out, " --no-%s", o->long_name);
	}
	strbuf_addch(out, '\n');
}
