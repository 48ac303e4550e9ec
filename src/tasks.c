#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <git2.h>

#include "gp/config.h"
#include "gp/tasks.h"
#include "gp/util.h"

/*
 * Task files (DESIGN.md 1.1).  The markdown reader works line by line and
 * never guesses: a line is a checklist item, a "## " phase heading, an
 * indented continuation of the task above it, or nothing.
 */

/* list, tasks */

void tasklist_init(struct tasklist *tl)
{
	memset(tl, 0, sizeof(*tl));
	strmap_init(&tl->index);
	strmap_init(&tl->ini_index);
}

static void task_release(struct task *t)
{
	free(t->id);
	free(t->title);
	free(t->text);
	free(t->file);
	free(t->story);
	strlist_clear(&t->paths);
	strlist_clear(&t->depends);
	free(t->owner);
	free(t->command);
}

void tasklist_release(struct tasklist *tl)
{
	size_t i;

	for (i = 0; i < tl->nr; i++)
		task_release(&tl->v[i]);
	free(tl->v);
	for (i = 0; i < tl->phases_nr; i++) {
		free(tl->phases[i].name);
		free(tl->phases[i].file);
		strlist_clear(&tl->phases[i].notes);
	}
	free(tl->phases);
	strmap_clear(&tl->index);
	strmap_clear(&tl->ini_index);
	tasklist_init(tl);
}

/* Append a zeroed task; returns its index (pointers into tl->v move). */
static size_t task_new(struct tasklist *tl, const char *id, const char *file,
		       int line, int source)
{
	struct task *t;

	ALLOC_GROW(tl->v, tl->nr + 1, tl->alloc);
	t = &tl->v[tl->nr];
	memset(t, 0, sizeof(*t));
	t->id = xstrdup(id);
	t->file = xstrdup(file);
	t->line = line;
	t->source = source;
	t->phase = -1;
	strlist_init(&t->paths);
	strlist_init(&t->depends);
	return tl->nr++;
}

/* regular expressions, compiled once */

static pcre2_code *item_re, *id_re, *marker_re;

static pcre2_code *compile(const char *pattern)
{
	PCRE2_SIZE off;
	int err;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF, &err, &off, NULL);

	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(err, msg, sizeof(msg));
		error("internal: cannot compile '%s': %s", pattern, (char *)msg);
		return NULL;
	}
	if (regex_jit_wanted())
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);	/* optional: falls back to the interpreter */
	return re;
}

static int compile_regexes(void)
{
	if (item_re)
		return 0;
	/* 1: indentation, 2: box character, end: start of the text */
	item_re = compile("^([ \\t]*)[-*+][ \\t]+\\[([ xX-])\\](?:[ \\t]+|$)");
	/* an ID, not followed by something that would make it a longer word */
	id_re = compile("[A-Z]+-?[0-9]+[a-z]?(?![A-Za-z0-9_]|[-./][A-Za-z0-9])");
	/* 1: the label */
	marker_re = compile("\\[(US[0-9]+|[A-Z][A-Za-z]*[0-9]*)\\]");
	if (!item_re || !id_re || !marker_re) {
		pcre2_code_free(item_re);
		pcre2_code_free(id_re);
		pcre2_code_free(marker_re);
		item_re = id_re = marker_re = NULL;
		return -1;
	}
	return 0;
}

/* Anchored match of re at s+off; 1 on a match (ovector in md), 0 if none. */
static int match_at(pcre2_code *re, pcre2_match_data *md, const char *s,
		    size_t len, size_t off)
{
	return pcre2_match(re, (PCRE2_SPTR)s, len, off, PCRE2_ANCHORED, md, NULL) > 0;
}

/* small string helpers */

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

static size_t indent_width(const char *s)
{
	size_t w = 0;

	for (; *s == ' ' || *s == '\t'; s++)
		w = *s == '\t' ? (w / 4 + 1) * 4 : w + 1;
	return w;
}

static void rtrim(struct strbuf *sb)
{
	while (sb->len && isspace((unsigned char)sb->buf[sb->len - 1]))
		sb->len--;
	strbuf_setlen(sb, sb->len);
}

/* paths */

static int has_lower_ext(const char *w)
{
	const char *dot = strrchr(w, '.');
	const char *p;
	int letter = 0;

	if (!dot || dot == w || !dot[1] || strlen(dot + 1) > 8)
		return 0;
	for (p = dot + 1; *p; p++) {
		if (islower((unsigned char)*p))
			letter = 1;
		else if (!isdigit((unsigned char)*p))
			return 0;
	}
	return letter;
}

/*
 * "e.g", "i.e" (after the final "." was stripped): abbreviations, not
 * files.  A list, not a shape: "a.c" is a file.
 */
static int is_abbreviation(const char *w)
{
	static const char *const abbrevs[] = { "e.g", "i.e", "a.k.a", "n.b", "E.g", "I.e", "N.B" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(abbrevs); i++)
		if (!strcmp(w, abbrevs[i]))
			return 1;
	return 0;
}

/*
 * Brackets: "[id]", "[...slug]" are whole directory segments of dynamic
 * routes (src/app/api/events/[id]/route.ts); any other bracket, and any in
 * the last component, is a placeholder ([entity].py, [endpoint/feature]).
 */
static int placeholder(const char *w)
{
	const char *seg = w;

	for (;;) {
		size_t n = strcspn(seg, "/");

		if (!seg[n])
			return n && memchr(seg, '[', n) != NULL;
		if (memchr(seg, '[', n) || memchr(seg, ']', n)) {
			if (n < 3 || seg[0] != '[' || seg[n - 1] != ']' ||
			    memchr(seg + 1, '[', n - 2) || memchr(seg + 1, ']', n - 2))
				return 1;
		}
		seg += n + 1;
	}
}

/* Product names that look like files. */
static const char *const not_files[] = {
	"Alpine.js", "Backbone.js", "Chart.js", "D3.js", "Ember.js", "Express.js",
	"Next.js", "Node.js", "Nuxt.js", "React.js", "Solid.js", "Three.js", "Vue.js",
};

/* Does this word (a candidate, already stripped) declare a path? */
static int looks_like_path(const char *w, int backticked)
{
	size_t i, len = strlen(w);
	const char *e;

	if (!len || strstr(w, "://"))
		return 0;
	for (e = w; (e = strstr(e, "...")); e += 3)
		if (e == w || e[-1] != '[')
			return 0;	/* an ellipsis; "[...slug]" is a route */
	if (*w == '/' || *w == '@' || *w == '~')
		return 0;
	if (strpbrk(w, "()'\"=<>{}*$|,;"))
		return 0;
	if (placeholder(w))
		return 0;
	if (strchr(w, '/')) {
		const char *last = strrchr(w, '/') + 1;

		/*
		 * Bare "grant/revoke", "read/write", "3/4" are prose: a bare
		 * word is a path when it names a file (last.ext) or a
		 * directory (trailing '/').  Backticked words always are.
		 */
		return backticked || !*last || has_lower_ext(last);
	}
	if (*w == '.') {
		/* a dotfile word: .env.example, .gitignore; .web.tsx unless backticked */
		const char *p;
		int letter = 0;

		if (!backticked)
			return 0;
		for (p = w + 1; *p; p++) {
			if (isalpha((unsigned char)*p))
				letter = 1;
			else if (!isdigit((unsigned char)*p) && !strchr("._-", *p))
				return 0;
		}
		return letter;
	}
	if (is_abbreviation(w))
		return 0;
	for (i = 0; i < ARRAY_SIZE(not_files); i++)
		if (!strcmp(w, not_files[i]))
			return 0;
	return has_lower_ext(w);
}

struct md_parser {
	struct tasklist *tl;
	const char *file;
	int source;
	int line;
	int phase;
	long cur;		/* task taking continuation lines, or -1 */
	size_t cur_indent;
	struct strbuf text;	/* the current task's text */
	struct strmap seen;	/* the current task's paths */
	struct strbuf norm;
	pcre2_match_data *md;
};

static void add_path(struct md_parser *p, const char *word, int line)
{
	struct task *t = &p->tl->v[p->cur];
	const char *why = NULL;
	int found;

	if (path_normalize(&p->norm, word, &why) < 0) {
		warning("%s:%d: task '%s': ignoring path '%s' (%s)",
			p->file, line, t->id, word, why);
		return;
	}
	/* few paths: a linear search; many: a map, so a huge task stays linear */
	if (t->paths.nr < 16) {
		if (!strlist_has(&t->paths, p->norm.buf))
			strlist_push(&t->paths, p->norm.buf);
		return;
	}
	if (!p->seen.nr) {
		size_t i;

		for (i = 0; i < t->paths.nr; i++)
			strmap_put(&p->seen, t->paths.v[i], NULL, NULL);
	}
	strmap_put(&p->seen, p->norm.buf, NULL, &found);
	if (!found)
		strlist_push(&t->paths, p->norm.buf);
}

static void consider_word(struct md_parser *p, const char *w, size_t n,
			  int backticked, int line)
{
	char *word;

	if (!backticked) {
		while (n && strchr("(\"'*", *w)) {
			w++;
			n--;
		}
		while (n && strchr(".,;:)\"'*!?", w[n - 1]))
			n--;
	}
	if (!n)
		return;
	word = xstrndup(w, n);
	if (looks_like_path(word, backticked))
		add_path(p, word, line);
	free(word);
}

static void scan_words(struct md_parser *p, const char *s, const char *end,
		       int backticked, int line)
{
	while (s < end) {
		const char *w;

		while (s < end && isspace((unsigned char)*s))
			s++;
		w = s;
		while (s < end && !isspace((unsigned char)*s))
			s++;
		if (s > w)
			consider_word(p, w, (size_t)(s - w), backticked, line);
	}
}

/* Declared paths in s: backticked spans word by word, then bare words. */
static void scan_paths(struct md_parser *p, const char *s, int line)
{
	const char *end = s + strlen(s);

	while (s < end) {
		const char *open = strchr(s, '`'), *close;

		if (!open) {
			scan_words(p, s, end, 0, line);
			break;
		}
		close = strchr(open + 1, '`');
		if (!close) {
			/* an unpaired backtick: read the rest as bare words */
			scan_words(p, s, open, 0, line);
			scan_words(p, open + 1, end, 0, line);
			break;
		}
		scan_words(p, s, open, 0, line);
		scan_words(p, open + 1, close, 1, line);
		s = close + 1;
	}
}

/* "depends on T012, T013 and T014" anywhere in s (case-insensitive). */
static void scan_depends(struct md_parser *p, struct task *t, const char *s)
{
	size_t len = strlen(s);
	const char *q;

	for (q = s; *q; q++) {
		size_t off;

		if ((*q | 0x20) != 'd' || strncasecmp(q, "depends", 7) ||
		    (q > s && isalnum((unsigned char)q[-1])) ||
		    !isspace((unsigned char)q[7]))
			continue;
		off = (size_t)(q - s) + 7;
		while (isspace((unsigned char)s[off]))
			off++;
		if (strncasecmp(s + off, "on", 2) || !isspace((unsigned char)s[off + 2]))
			continue;
		off += 2;
		for (;;) {
			PCRE2_SIZE *ov;
			char *id;

			while (s[off] && (isspace((unsigned char)s[off]) || strchr(",&+", s[off])))
				off++;
			if (!strncasecmp(s + off, "and", 3) && isspace((unsigned char)s[off + 3])) {
				off += 3;
				continue;
			}
			if (!s[off] || !match_at(id_re, p->md, s, len, off))
				break;
			ov = pcre2_get_ovector_pointer(p->md);
			id = xstrndup(s + ov[0], ov[1] - ov[0]);
			if (strlist_has(&t->depends, id))
				free(id);
			else
				strlist_push_nodup(&t->depends, id);
			off = ov[1];
		}
		q = s + off - 1;
	}
}

static void end_task(struct md_parser *p)
{
	struct task *t;

	if (p->cur < 0)
		return;
	t = &p->tl->v[p->cur];
	free(t->text);
	t->text = strbuf_detach(&p->text, NULL);
	if (p->seen.nr)
		strmap_clear(&p->seen);
	p->cur = -1;
}

static void skip_separator(const char **s)
{
	static const char *const seps[] = { ":", "-", "\xe2\x80\x94", "\xe2\x80\x93" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(seps); i++) {
		size_t n = strlen(seps[i]);

		if (!strncmp(*s, seps[i], n) && (isspace((unsigned char)(*s)[n]) || !(*s)[n])) {
			*s += n;
			while (isspace((unsigned char)**s))
				(*s)++;
			return;
		}
	}
}

/* A checklist item: s is the whole line, text starts at s + off. */
static void md_item(struct md_parser *p, const char *s, size_t len,
		    size_t indent, char box, size_t off)
{
	struct strbuf title = STRBUF_INIT;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
	char *id = NULL, *story = NULL;
	int bold = 0, parallel = 0, auto_id;
	size_t pos = off;
	const char *rest;
	struct task *t;

	if (is_blank(s + off)) {
		warning("%s:%d: empty checklist item, skipped", p->file, p->line);
		return;
	}
	if (!strncmp(s + pos, "**", 2)) {
		bold = 1;
		pos += 2;
	}
	if (match_at(id_re, p->md, s, len, pos)) {
		id = xstrndup(s + ov[0], ov[1] - ov[0]);
		pos = ov[1];
	} else {
		pos = off;
		bold = 0;
	}
	for (;;) {
		size_t q = pos;

		while (q < len && (s[q] == ' ' || s[q] == '\t'))
			q++;
		if (bold && !strncmp(s + q, "**", 2)) {
			bold = 0;
			pos = q + 2;
			continue;
		}
		if (q >= len || s[q] != '[' || !match_at(marker_re, p->md, s, len, q))
			break;
		if (ov[3] - ov[2] == 1 && s[ov[2]] == 'P')
			parallel = 1;
		else if (!story)
			story = xstrndup(s + ov[2], ov[3] - ov[2]);
		pos = ov[1];
	}
	rest = s + pos;
	while (isspace((unsigned char)*rest))
		rest++;
	skip_separator(&rest);
	strbuf_addstr(&title, rest);
	rtrim(&title);
	if (bold && title.len >= 2 && !strcmp(title.buf + title.len - 2, "**")) {
		strbuf_setlen(&title, title.len - 2);
		rtrim(&title);
	}

	auto_id = !id;
	if (auto_id)
		id = xstrfmt("L%d", p->line);
	p->cur = (long)task_new(p->tl, id, p->file, p->line, p->source);
	t = &p->tl->v[p->cur];
	t->auto_id = auto_id;
	t->phase = p->phase;
	t->parallel = parallel;
	t->done = box == 'x' || box == 'X';
	t->cancelled = box == '-';
	t->story = story;
	t->title = strbuf_detach(&title, NULL);
	p->cur_indent = indent;
	strbuf_reset(&p->text);
	strbuf_addstr(&p->text, t->title);
	scan_paths(p, t->title, p->line);
	scan_depends(p, &p->tl->v[p->cur], p->tl->v[p->cur].title);
	free(id);
}

static size_t fence_len(const char *s, char *c);

static int strcasestr_ascii(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* "- [ ] ...", "* [x] ...": a checklist item, whatever its box holds */
static int item_line(const char *s)
{
	s += strspn(s, " \t");
	if (!strchr("-*+", *s) || !*s)
		return 0;
	s++;
	s += strspn(s, " \t");
	return s[0] == '[' && s[1] && s[2] == ']';
}

static void md_phase(struct md_parser *p, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	struct task_phase *ph;

	strbuf_addstr(&sb, name);
	strbuf_trim(&sb);
	/* an ATX heading may close with #s */
	while (sb.len && sb.buf[sb.len - 1] == '#')
		sb.len--;
	strbuf_setlen(&sb, sb.len);
	rtrim(&sb);
	ALLOC_GROW(p->tl->phases, p->tl->phases_nr + 1, p->tl->phases_alloc);
	ph = &p->tl->phases[p->tl->phases_nr];
	ph->name = strbuf_detach(&sb, NULL);
	ph->file = xstrdup(p->file);
	ph->line = p->line;
	ph->source = p->source;
	strlist_init(&ph->notes);
	p->phase = (int)p->tl->phases_nr++;
}

/*
 * Keep the lines that say what depends on what ("- **US2 (Phase 4)**:
 * Depends on US1", "Depends on US1" in a phase's intro) with the phase
 * whose section holds them, found by line number: a second, independent
 * pass over the file, so the item parser stays as it is.  Fenced code is
 * skipped; task lines (checklist items) are not notes.
 */
static void scan_phase_notes(struct tasklist *tl, const char *buf, size_t len,
			     int source, size_t first_phase)
{
	const char *s = buf, *end = buf + len;
	size_t ph = first_phase, fence = 0;
	int line = 0;
	char fence_c = 0;

	if (first_phase >= tl->phases_nr)
		return;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s), fl;
		char *l, fc;

		line++;
		l = xstrndup(s, n);
		s += n + (nl ? 1 : 0);
		if ((fl = fence_len(l, &fc))) {
			if (!fence) {
				fence = fl;
				fence_c = fc;
			} else if (fl >= fence && fc == fence_c) {
				fence = 0;
			}
			free(l);
			continue;
		}
		while (ph + 1 < tl->phases_nr && tl->phases[ph + 1].source == source &&
		       tl->phases[ph + 1].line <= line)
			ph++;
		if (!fence && tl->phases[ph].line < line && strcasestr_ascii(l, "depend") &&
		    !item_line(l)) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addstr(&sb, l);
			strbuf_trim(&sb);
			strlist_push_nodup(&tl->phases[ph].notes, strbuf_detach(&sb, NULL));
		}
		free(l);
	}
}

/* A line that is neither in a code block nor in a comment. */
static void md_line(struct md_parser *p, const char *s, size_t len)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);

	if (match_at(item_re, p->md, s, len, 0)) {
		size_t indent = indent_width(s);
		char box = s[ov[4]];
		size_t off = ov[1];

		end_task(p);
		md_item(p, s, len, indent, box, off);
		return;
	}
	if (s[0] == '#' && s[1] == '#' && (s[2] == ' ' || s[2] == '\t')) {
		end_task(p);
		md_phase(p, s + 3);
		return;
	}
	if (p->cur >= 0 && !is_blank(s) && indent_width(s) > p->cur_indent) {
		struct strbuf cont = STRBUF_INIT;

		strbuf_addstr(&cont, s);
		strbuf_trim(&cont);
		strbuf_addch(&p->text, '\n');
		strbuf_addstr(&p->text, cont.buf);
		scan_paths(p, cont.buf, p->line);
		scan_depends(p, &p->tl->v[p->cur], cont.buf);
		strbuf_release(&cont);
		return;
	}
	end_task(p);
}

/* The fence a line opens or closes: its character and length, or 0. */
static size_t fence_len(const char *s, char *c)
{
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '`' && *s != '~')
		return 0;
	*c = *s;
	while (s[n] == *c)
		n++;
	return n >= 3 ? n : 0;
}

int tasks_parse_markdown(struct tasklist *tl, const char *file,
			 const char *buf, size_t len, int source)
{
	struct md_parser p;
	struct strbuf line = STRBUF_INIT, clean = STRBUF_INIT;
	const char *s = buf, *end = buf + len;
	int in_comment = 0, ret = 0;
	size_t fence = 0, bad;
	char fence_c = 0;

	if (memchr(buf, '\0', len))
		return error("'%s' is a binary file, not a task list", file);
	if (!utf8_valid(buf, len, &bad)) {
		int n = 1;

		for (s = buf; s < buf + bad; s++)
			n += *s == '\n';
		return error("%s:%d: invalid UTF-8", file, n);
	}
	if (compile_regexes() < 0)
		return -1;

	memset(&p, 0, sizeof(p));
	p.tl = tl;
	p.file = file;
	p.source = source;
	p.phase = -1;
	p.cur = -1;
	strbuf_init(&p.text, 0);
	strbuf_init(&p.norm, 0);
	strmap_init(&p.seen);
	p.md = pcre2_match_data_create(8, NULL);
	if (!p.md) {
		ret = error("out of memory");
		goto out;
	}

	s = buf;
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		const char *c;
		size_t fl;
		char fc;
		int had_comment = 0;

		p.line++;
		strbuf_reset(&line);
		strbuf_add(&line, s, n);
		if (line.len && line.buf[line.len - 1] == '\r')
			strbuf_setlen(&line, line.len - 1);
		s += n + (nl ? 1 : 0);

		if (fence) {
			fl = fence_len(line.buf, &fc);
			if (fl >= fence && fc == fence_c) {
				c = line.buf + strspn(line.buf, " \t");
				if (is_blank(c + fl))
					fence = 0;
			}
			continue;
		}
		if (!in_comment && (fl = fence_len(line.buf, &fc))) {
			end_task(&p);
			fence = fl;
			fence_c = fc;
			continue;
		}

		/* drop <!-- ... --> comments, which may span lines */
		strbuf_reset(&clean);
		c = line.buf;
		while (*c) {
			const char *m;

			if (in_comment) {
				had_comment = 1;
				m = strstr(c, "-->");
				if (!m)
					break;
				in_comment = 0;
				c = m + 3;
			} else {
				m = strstr(c, "<!--");
				if (!m) {
					strbuf_addstr(&clean, c);
					break;
				}
				strbuf_add(&clean, c, (size_t)(m - c));
				in_comment = 1;
				c = m + 4;
			}
		}
		if (had_comment && is_blank(clean.buf))
			continue;
		md_line(&p, clean.buf, clean.len);
	}
	end_task(&p);

out:
	pcre2_match_data_free(p.md);
	strbuf_release(&line);
	strbuf_release(&clean);
	strbuf_release(&p.text);
	strbuf_release(&p.norm);
	strmap_clear(&p.seen);
	return ret;
}

/* INI */

static int ini_paths(struct task *t, const char *value, const char *file, int line)
{
	struct strlist words = STRLIST_INIT;
	struct strbuf norm = STRBUF_INIT;
	int ret = 0;
	size_t i;

	strlist_split(&words, value);
	for (i = 0; i < words.nr; i++) {
		const char *why = NULL;

		if (path_normalize(&norm, words.v[i], &why) < 0) {
			if (!strcmp(why, "path outside the repository"))
				ret = error("%s:%d: task '%s': path '%s' is outside the repository",
					    file, line, t->id, words.v[i]);
			else
				ret = error("%s:%d: task '%s': invalid path '%s': %s",
					    file, line, t->id, words.v[i], why);
			continue;
		}
		if (!strlist_has(&t->paths, norm.buf))
			strlist_push(&t->paths, norm.buf);
	}
	strbuf_release(&norm);
	strlist_clear(&words);
	return ret;
}

static int ini_bool(unsigned *out, const char *key, const char *value,
		    const char *id, const char *file, int line)
{
	int v = parse_bool(value);

	if (v < 0)
		return error("%s:%d: task '%s': bad boolean value '%s' for '%s'",
			     file, line, id, value, key);
	*out = (unsigned)v;
	return 0;
}

static void set_str(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
}

int tasks_ini_set(struct tasklist *tl, const char *id, const char *key,
		  const char *value, const char *file, int line, int source)
{
	char *lookup = xstrfmt("%d\n%s", source, id);
	struct task *t;
	unsigned b = 0;
	size_t i;
	void *v;
	int ret = 0;

	if (!value)
		value = "";
	v = strmap_get(&tl->ini_index, lookup);
	if (v) {
		i = (size_t)(uintptr_t)v - 1;
	} else {
		i = task_new(tl, id, file, line, source);
		tl->v[i].parallel = 1;
		tl->v[i].title = xstrdup(id);
		tl->v[i].text = xstrdup(id);
		strmap_put(&tl->ini_index, lookup, (void *)(uintptr_t)(i + 1), NULL);
	}
	free(lookup);
	t = &tl->v[i];

	if (!strcmp(key, "title")) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, value);
		strbuf_trim(&sb);
		set_str(&t->title, sb.buf);
		set_str(&t->text, sb.buf);
		strbuf_release(&sb);
	} else if (!strcmp(key, "paths")) {
		ret = ini_paths(t, value, file, line);
	} else if (!strcmp(key, "depends")) {
		struct strlist words = STRLIST_INIT;

		strlist_split(&words, value);
		for (i = 0; i < words.nr; i++)
			if (!strlist_has(&t->depends, words.v[i]))
				strlist_push(&t->depends, words.v[i]);
		strlist_clear(&words);
	} else if (!strcmp(key, "owner")) {
		set_str(&t->owner, value);
	} else if (!strcmp(key, "command")) {
		set_str(&t->command, value);
	} else if (!strcmp(key, "estimate")) {
		double d;

		if (parse_duration(value, &d) < 0)
			ret = error("%s:%d: task '%s': bad duration '%s' for 'estimate'",
				    file, line, t->id, value);
		else
			t->estimate = d;
	} else if (!strcmp(key, "parallel")) {
		if (!(ret = ini_bool(&b, key, value, t->id, file, line)))
			t->parallel = b;
	} else if (!strcmp(key, "done")) {
		if (!(ret = ini_bool(&b, key, value, t->id, file, line)))
			t->done = b;
	} else {
		warning("%s:%d: unknown key '%s' in task '%s'", file, line, key, t->id);
	}
	return ret;
}

struct ini_load {
	struct tasklist *tl;
	int source;
	struct strmap warned;
};

static int ini_task_fn(void *data, const char *section, const char *subsection,
		       const char *key, const char *value, const struct ini_pos *pos)
{
	struct ini_load *l = data;

	if (strcmp(section, "task")) {
		int found;

		strmap_put(&l->warned, section, NULL, &found);
		if (!found)
			warning("%s:%d: unknown section '%s'", pos->file, pos->line, section);
		return 0;
	}
	if (!subsection || !*subsection)
		return error("%s:%d: a [task] section needs an ID: [task \"T001\"]",
			     pos->file, pos->line);
	return tasks_ini_set(l->tl, subsection, key, value, pos->file, pos->line, l->source);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int tasks_load_file(struct tasklist *tl, const char *path, int source)
{
	struct strbuf sb = STRBUF_INIT;
	size_t before = tl->nr;
	int ret = 0;

	if (strbuf_read_file(&sb, path) < 0) {
		if (errno == EISDIR)
			ret = error("'%s' is a directory, not a task file", path);
		else
			ret = error("cannot read task file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (ends_with(path, ".ini")) {
		struct ini_load l;

		l.tl = tl;
		l.source = source;
		strmap_init(&l.warned);
		ret = ini_read_buf(path, sb.buf, sb.len, ini_task_fn, &l);
		strmap_clear(&l.warned);
	} else {
		size_t phases_before = tl->phases_nr;

		ret = tasks_parse_markdown(tl, path, sb.buf, sb.len, source);
		if (!ret)
			scan_phase_notes(tl, sb.buf, sb.len, source, phases_before);
	}
	if (!ret && tl->nr == before)
		ret = error("no tasks found in '%s'", path);
out:
	strbuf_release(&sb);
	return ret;
}

/* validation */

int task_id_valid(const char *id, const char *branch_prefix, const char **why)
{
	static char reason[64];
	const char *p;
	size_t len = strlen(id);
	char *branch;
	int valid = 0;

	if (!len) {
		*why = "empty ID";
		return 0;
	}
	if (len > TASK_ID_MAX) {
		snprintf(reason, sizeof(reason), "longer than %d characters", TASK_ID_MAX);
		*why = reason;
		return 0;
	}
	for (p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (isalnum(c) || (p > id && strchr("._-", c)))
			continue;
		if (c < 0x20 || c >= 0x7f)
			snprintf(reason, sizeof(reason), "%s byte 0x%02x",
				 p == id ? "starts with" : "contains", c);
		else
			snprintf(reason, sizeof(reason), "%s '%c'",
				 p == id ? "starts with" : "contains", c);
		*why = reason;
		return 0;
	}
	if (strstr(id, "..")) {
		*why = "contains '..'";
		return 0;
	}
	if (ends_with(id, ".lock")) {
		*why = "ends with '.lock'";
		return 0;
	}
	if (id[len - 1] == '.') {
		*why = "ends with '.'";
		return 0;
	}
	branch = xstrfmt("%s%s", branch_prefix ? branch_prefix : "", id);
	if (git_branch_name_is_valid(&valid, branch) < 0 || !valid) {
		*why = "not a valid branch name";
		valid = 0;
	}
	free(branch);
	return valid;
}

int tasks_validate(struct tasklist *tl, const char *branch_prefix)
{
	int ret = 0;
	size_t i, j;

	strmap_clear(&tl->index);
	for (i = 0; i < tl->nr; i++) {
		const struct task *t = &tl->v[i];
		struct strmap_entry *e;
		const char *why = NULL;
		int found;

		if (!task_id_valid(t->id, branch_prefix, &why)) {
			ret = error("%s:%d: invalid task ID '%s': %s", t->file, t->line, t->id, why);
			continue;
		}
		e = strmap_put(&tl->index, t->id, (void *)(uintptr_t)(i + 1), &found);
		if (found) {
			const struct task *first = &tl->v[(uintptr_t)e->value - 1];

			ret = error("duplicate task ID '%s' (%s:%d and %s:%d)", t->id,
				    first->file, first->line, t->file, t->line);
		}
	}
	for (i = 0; i < tl->nr; i++) {
		const struct task *t = &tl->v[i];

		for (j = 0; j < t->depends.nr; j++) {
			const char *dep = t->depends.v[j];

			if (!strcmp(dep, t->id))
				ret = error("task '%s' depends on itself (%s:%d)",
					    t->id, t->file, t->line);
			else if (!strmap_contains(&tl->index, dep))
				ret = error("task '%s' depends on unknown task '%s' (%s:%d)",
					    t->id, dep, t->file, t->line);
		}
	}
	return ret;
}

long tasks_find(const struct tasklist *tl, const char *id)
{
	void *v = strmap_get(&tl->index, id);

	return v ? (long)((uintptr_t)v - 1) : -1;
}
