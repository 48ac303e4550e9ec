#ifndef GP_OUTPUT_H
#define GP_OUTPUT_H

#include <stdio.h>

#include "gp/util.h"

/* Colour on a terminal, never with NO_COLOR or TERM=dumb. */
int output_use_color(FILE *f);
/* Terminal width of f, or 0 when f is not a terminal. */
int output_columns(FILE *f);

/*
 * Task text for a terminal (titles, IDs, paths, reasons, commands from
 * files): control characters -- C0, DEL and the C1 range U+0080..U+009F,
 * which terminals read as escape sequences -- become C escapes (\t, \n,
 * \033, \302\233), as git quotes paths; a backslash becomes \\ only in
 * text that needed escaping.  Everything else is kept as it is.
 */
void strbuf_add_term(struct strbuf *sb, const char *s);
/*
 * The same for printf(): s itself when it needs no escape, else the
 * escaped text in one of 8 rotating buffers (valid for the next 7 calls).
 * NULL gives "".
 */
const char *term_str(const char *s);

/*
 * A streaming JSON writer into a strbuf, pretty-printed with two-space
 * indentation.  Keys and strings are escaped; invalid UTF-8 is replaced
 * with U+FFFD so the output is always valid JSON.
 */
struct json {
	struct strbuf *out;
	int depth;
	int first[64];		/* nothing written yet at this depth */
	int after_key;
};

void json_init(struct json *j, struct strbuf *out);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);	/* NULL writes null */
void json_int(struct json *j, long long v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
/* Key and value together. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, long long v);
void json_kv_bool(struct json *j, const char *key, int v);
void json_kv_double(struct json *j, const char *key, double v);
/* Append s as a JSON string literal. */
void json_quote(struct strbuf *out, const char *s);

#endif
