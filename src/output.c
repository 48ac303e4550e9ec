#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "gp/output.h"

int output_use_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc && *nc)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fileno(f));
}

int output_columns(FILE *f)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (!isatty(fileno(f)))
		return 0;
	if (c && atoi(c) > 0)
		return atoi(c);
	if (!ioctl(fileno(f), TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	return 80;
}

/* Length of the control character at p (0 when none): 1 for C0 and DEL, 2 for C1 in UTF-8. */
static size_t control_len(const unsigned char *p)
{
	if (*p < 0x20 || *p == 0x7f)
		return 1;
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

static int needs_term_escape(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (control_len(p))
			return 1;
	return 0;
}

void strbuf_add_term(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int escape = needs_term_escape(s);

	if (!escape) {
		strbuf_addstr(sb, s);
		return;
	}
	for (; *p; p++) {
		size_t n = control_len(p);

		if (*p == '\\') {
			strbuf_addstr(sb, "\\\\");
		} else if (n == 2) {
			strbuf_addf(sb, "\\%03o\\%03o", p[0], p[1]);
			p++;
		} else if (n == 1) {
			const char *c = strchr("\aa\bb\tt\nn\vv\ff\rr", *p);

			if (*p && c)
				strbuf_addf(sb, "\\%c", c[1]);
			else
				strbuf_addf(sb, "\\%03o", *p);
		} else {
			strbuf_addch(sb, *p);
		}
	}
}

const char *term_str(const char *s)
{
	static struct strbuf bufs[8];
	static unsigned int next;
	struct strbuf *sb;

	if (!s)
		return "";
	if (!needs_term_escape(s))
		return s;
	sb = &bufs[next++ % 8];
	if (!sb->buf)
		strbuf_init(sb, 0);
	strbuf_reset(sb);
	strbuf_add_term(sb, s);
	return sb->buf;
}

void json_init(struct json *j, struct strbuf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = 1;
}

static void indent(struct json *j)
{
	int i;

	strbuf_addch(j->out, '\n');
	for (i = 0; i < j->depth; i++)
		strbuf_addstr(j->out, "  ");
}

/* Before any value or key: comma and newline as needed. */
static void begin_item(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth == 0)
		return;
	if (!j->first[j->depth])
		strbuf_addch(j->out, ',');
	j->first[j->depth] = 0;
	indent(j);
}

static void open(struct json *j, char c)
{
	begin_item(j);
	strbuf_addch(j->out, c);
	if (j->depth < 63)
		j->depth++;
	j->first[j->depth] = 1;
}

static void close_(struct json *j, char c)
{
	int empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		indent(j);
	strbuf_addch(j->out, c);
	if (j->depth == 0)
		strbuf_addch(j->out, '\n');
}

void json_object_begin(struct json *j) { open(j, '{'); }
void json_object_end(struct json *j) { close_(j, '}'); }
void json_array_begin(struct json *j) { open(j, '['); }
void json_array_end(struct json *j) { close_(j, ']'); }

void json_quote(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	strbuf_addch(out, '"');
	while (*p) {
		size_t bad, ok_len;

		if (*p == '"' || *p == '\\') {
			strbuf_addch(out, '\\');
			strbuf_addch(out, *p++);
		} else if (*p < 0x20) {
			switch (*p) {
			case '\n': strbuf_addstr(out, "\\n"); break;
			case '\t': strbuf_addstr(out, "\\t"); break;
			case '\r': strbuf_addstr(out, "\\r"); break;
			default: strbuf_addf(out, "\\u%04x", *p);
			}
			p++;
		} else if (*p < 0x80) {
			strbuf_addch(out, *p++);
		} else {
			/* copy the longest valid UTF-8 run, replace a bad byte */
			len = strlen((const char *)p);
			if (utf8_valid((const char *)p, len, &bad))
				ok_len = len;
			else
				ok_len = bad;
			if (!ok_len) {
				strbuf_addstr(out, "\xef\xbf\xbd");
				p++;
				continue;
			}
			/* stop the run before the next character needing escapes */
			{
				size_t i;

				for (i = 0; i < ok_len; i++)
					if (p[i] < 0x20 || p[i] == '"' || p[i] == '\\')
						break;
				ok_len = i ? i : 1;
			}
			strbuf_add(out, p, ok_len);
			p += ok_len;
		}
	}
	strbuf_addch(out, '"');
}

void json_key(struct json *j, const char *key)
{
	begin_item(j);
	json_quote(j->out, key);
	strbuf_addstr(j->out, ": ");
	j->after_key = 1;
}

void json_string(struct json *j, const char *s)
{
	begin_item(j);
	if (s)
		json_quote(j->out, s);
	else
		strbuf_addstr(j->out, "null");
}

void json_int(struct json *j, long long v)
{
	begin_item(j);
	strbuf_addf(j->out, "%lld", v);
}

void json_double(struct json *j, double v)
{
	begin_item(j);
	if (v != v || v > 1e300 || v < -1e300)
		strbuf_addstr(j->out, "null");
	else
		strbuf_addf(j->out, "%.3f", v);
}

void json_bool(struct json *j, int v)
{
	begin_item(j);
	strbuf_addstr(j->out, v ? "true" : "false");
}

void json_null(struct json *j)
{
	begin_item(j);
	strbuf_addstr(j->out, "null");
}

void json_kv_string(struct json *j, const char *key, const char *s) { json_key(j, key); json_string(j, s); }
void json_kv_int(struct json *j, const char *key, long long v) { json_key(j, key); json_int(j, v); }
void json_kv_bool(struct json *j, const char *key, int v) { json_key(j, key); json_bool(j, v); }
void json_kv_double(struct json *j, const char *key, double v) { json_key(j, key); json_double(j, v); }
