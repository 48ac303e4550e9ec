/*
 * Path ownership with CODEOWNERS semantics (DESIGN.md 1.3).
 *
 * Every pattern is translated to a PCRE2 regex (TECH-NOTES.md, "Ownership
 * patterns"); each rule keeps its own compiled regex (rules[i].re, JIT
 * compiled on first use: most lookups never need it).  Lookups
 * go through combined regexes of many rules, last rule first, each
 * alternative tagged with (*MARK:n): PCRE2 tries alternatives in order, so
 * the first one that matches is the last matching rule, and
 * pcre2_get_mark() names it.  Rules are combined in three groups so that
 * every alternative fails at its first character ("lookup" below).  Results
 * are cached per path.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gp/ownership.h"

/*
 * UTF-8 so that '?' and '*' count characters, not bytes; a path that is not
 * valid UTF-8 is still matched (PCRE2_MATCH_INVALID_UTF), but a wildcard
 * never matches its invalid bytes.  DOTALL and DOLLAR_ENDONLY so that no
 * character of a path is special to '.' or '$'.
 */
#define OWNERSHIP_PCRE2_OPTIONS (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | \
				 PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | \
				 PCRE2_NO_AUTO_CAPTURE)

struct owner_combined;
static void combined_free(struct owner_combined *c);

void ownership_init(struct ownership *o)
{
	o->rules = NULL;
	o->nr = o->alloc = 0;
	strlist_init(&o->owners);
	o->combined = NULL;
	o->match_data = NULL;
	strmap_init(&o->cache);
}

/* Forget what was derived from the rules: they changed. */
static void ownership_invalidate(struct ownership *o)
{
	combined_free(o->combined);
	o->combined = NULL;
	strmap_clear(&o->cache);
}

void ownership_release(struct ownership *o)
{
	size_t i;

	ownership_invalidate(o);
	pcre2_match_data_free(o->match_data);
	for (i = 0; i < o->nr; i++) {
		free(o->rules[i].pattern);
		free(o->rules[i].owner);
		free(o->rules[i].file);
		pcre2_code_free(o->rules[i].re);
	}
	free(o->rules);
	strlist_clear(&o->owners);
	ownership_init(o);
}

/* pattern -> regex */

struct pattern_seg {
	const char *s;
	size_t len;
};

/*
 * A parsed pattern.  The regex is a sequence of tokens, so that it can be
 * written forwards (the rule's own regex) or backwards (to match a reversed
 * path, see "lookup" below).
 */
enum pattern_tok {
	TOK_FLOAT,	/* "(?:.+/)?" at the start: any leading directories */
	TOK_SEP,	/* "/" */
	TOK_SEG,	/* a segment, by index */
	TOK_EVERYTHING,	/* ".+": the pattern "**" */
	TOK_LEAD,	/* "**" + "/" at the start: "(?:.+/)?" */
	TOK_MID,	/* "/" + "**" inside: "(?:/.+)?", followed by TOK_SEP */
	TOK_TAIL,	/* "/" + "**" at the end: "/.*" */
};

enum pattern_suffix {
	SUFFIX_NONE,	/* the path ends where the pattern does */
	SUFFIX_BELOW,	/* "(?:/.*)?": the match or anything below it */
	SUFFIX_DIR,	/* "/.*": a directory, everything below it */
};

struct pattern {
	struct pattern_seg *segs;
	size_t nr, alloc;
	struct { enum pattern_tok tok; size_t seg; } *toks;
	size_t toks_nr, toks_alloc;
	enum pattern_suffix suffix;
	int floating;	/* may start at any directory (TOK_FLOAT or TOK_LEAD first) */
};

static void pattern_release(struct pattern *p)
{
	free(p->segs);
	free(p->toks);
	memset(p, 0, sizeof(*p));
}

static void pattern_tok(struct pattern *p, enum pattern_tok tok, size_t seg)
{
	ALLOC_GROW(p->toks, p->toks_nr + 1, p->toks_alloc);
	p->toks[p->toks_nr].tok = tok;
	p->toks[p->toks_nr].seg = seg;
	p->toks_nr++;
}

static int seg_is(const struct pattern_seg *seg, const char *s)
{
	return seg->len == strlen(s) && !memcmp(seg->s, s, seg->len);
}

/* A segment of stars only: "*" (and "***"...) is one segment, "**" any depth. */
static int seg_stars(const struct pattern_seg *seg)
{
	size_t i;

	for (i = 0; i < seg->len; i++)
		if (seg->s[i] != '*')
			return 0;
	return 1;
}

static int seg_has_wildcard(const struct pattern_seg *seg)
{
	size_t i;

	for (i = 0; i < seg->len; i++) {
		if (seg->s[i] == '\\')
			i++;
		else if (seg->s[i] == '*' || seg->s[i] == '?')
			return 1;
	}
	return 0;
}

static void add_literal(struct strbuf *out, const char *s, size_t len)
{
	/* PCRE2: a backslash before any non-alphanumeric ASCII is literal. */
	if (len == 1 && (unsigned char)*s < 0x80 &&
	    !(*s >= '0' && *s <= '9') && !(*s >= 'a' && *s <= 'z') &&
	    !(*s >= 'A' && *s <= 'Z'))
		strbuf_addch(out, '\\');
	strbuf_add(out, s, len);
}

/* The length of the UTF-8 character at s (1 for a stray byte). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	size_t n, i;

	if (s[0] < 0xc0)
		n = 1;
	else if (s[0] < 0xe0)
		n = 2;
	else if (s[0] < 0xf0)
		n = 3;
	else
		n = 4;
	if (n > avail)
		return 1;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* The next token of a segment at *i: a literal character, '*'s or '?'. */
static void seg_token(const struct pattern_seg *seg, size_t *i, size_t *start, size_t *len)
{
	const char *s = seg->s;

	*start = *i;
	if (s[*i] == '\\') {
		/* an escaped character: the character alone */
		*start = *i + 1;
		*len = utf8_len((const unsigned char *)s + *start, seg->len - *start);
		*i = *start + *len;
	} else if (s[*i] == '*') {
		while (*i < seg->len && s[*i] == '*')
			(*i)++;
		*len = *i - *start;
	} else {
		*len = utf8_len((const unsigned char *)s + *i, seg->len - *i);
		*i += *len;
	}
}

static void add_token(struct strbuf *out, const struct pattern_seg *seg,
		      size_t start, size_t len, int escaped)
{
	if (!escaped && seg->s[start] == '*')
		strbuf_addstr(out, "[^/]*");
	else if (!escaped && seg->s[start] == '?')
		strbuf_addstr(out, "[^/]");
	else
		/*
		 * CODEOWNERS has no character classes (GitHub: "Using [ ]
		 * to define a character range" does not work): '[' and ']'
		 * are taken literally, as any other character.
		 */
		add_literal(out, seg->s + start, len);
}

static void add_segment(struct strbuf *out, const struct pattern_seg *seg, int reverse)
{
	size_t i = 0, start, len, n = 0, k;
	struct { size_t start, len; int escaped; } *t = NULL;

	if (seg_stars(seg)) {
		/* "*" alone is a whole, non-empty name */
		strbuf_addstr(out, "[^/]+");
		return;
	}
	t = xmalloc(seg->len * sizeof(*t));
	while (i < seg->len) {
		int escaped = seg->s[i] == '\\';

		seg_token(seg, &i, &start, &len);
		t[n].start = start;
		t[n].len = len;
		t[n].escaped = escaped;
		n++;
	}
	for (k = 0; k < n; k++) {
		size_t j = reverse ? n - 1 - k : k;

		add_token(out, seg, t[j].start, t[j].len, t[j].escaped);
	}
	free(t);
}

static int pattern_parse(struct pattern *pt, const char *pattern, const char **why)
{
	size_t i, k, len = strlen(pattern);
	const char *p = pattern, *start;
	int rooted = 0, dir = 0;
	const struct pattern_seg *last;

	if (!len) {
		*why = "empty pattern";
		return -1;
	}
	if (pattern[0] == '!') {
		*why = "negation is not supported in CODEOWNERS";
		return -1;
	}
	if (!utf8_valid(pattern, len, NULL)) {
		*why = "invalid UTF-8";
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = pattern[i];

		if (c < 0x20 || c == 0x7f) {
			*why = "control character in pattern";
			return -1;
		}
		if (c == '\\') {
			if (i + 1 == len) {
				*why = "trailing backslash";
				return -1;
			}
			if (pattern[i + 1] == '/') {
				*why = "escaped '/' is not supported";
				return -1;
			}
			i++;
		}
	}

	if (*p == '/') {
		rooted = 1;
		p++;
	}
	/* split at (unescaped) slashes */
	start = p;
	for (;; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '/' || !*p) {
			ALLOC_GROW(pt->segs, pt->nr + 1, pt->alloc);
			pt->segs[pt->nr].s = start;
			pt->segs[pt->nr].len = (size_t)(p - start);
			pt->nr++;
			if (!*p)
				break;
			start = p + 1;
		}
	}
	if (pt->nr > 1 && !pt->segs[pt->nr - 1].len) {
		dir = 1;
		pt->nr--;
	}
	for (i = 0; i < pt->nr; i++) {
		if (!pt->segs[i].len) {
			*why = pt->nr == 1 ? "empty pattern" : "empty path segment";
			return -1;
		}
		if (seg_is(&pt->segs[i], "..")) {
			*why = "path outside the repository";
			return -1;
		}
		if (seg_is(&pt->segs[i], ".")) {
			*why = "'.' segment in pattern";
			return -1;
		}
	}
	/* two "**" segments in a row are one */
	for (i = k = 0; i < pt->nr; i++) {
		if (k && seg_is(&pt->segs[i], "**") && seg_is(&pt->segs[k - 1], "**"))
			continue;
		pt->segs[k++] = pt->segs[i];
	}
	pt->nr = k;

	/* gitignore: a slash at the start or in the middle anchors at the root */
	if (!rooted && pt->nr == 1) {
		pattern_tok(pt, TOK_FLOAT, 0);
		pt->floating = 1;
	}
	for (i = 0; i < pt->nr; i++) {
		if (seg_is(&pt->segs[i], "**")) {
			if (pt->nr == 1) {
				pattern_tok(pt, TOK_EVERYTHING, i);
			} else if (!i) {
				pattern_tok(pt, TOK_LEAD, i);
				pt->floating = 1;
			} else if (i == pt->nr - 1) {
				pattern_tok(pt, TOK_TAIL, i);
			} else {
				pattern_tok(pt, TOK_MID, i);
			}
			continue;
		}
		if (i && pt->toks[pt->toks_nr - 1].tok != TOK_LEAD)
			pattern_tok(pt, TOK_SEP, i);
		pattern_tok(pt, TOK_SEG, i);
	}

	last = &pt->segs[pt->nr - 1];
	if (seg_is(last, "**"))
		pt->suffix = SUFFIX_NONE;	/* matches everything below already */
	else if (dir)
		pt->suffix = SUFFIX_DIR;
	else if (!seg_has_wildcard(last))
		pt->suffix = SUFFIX_BELOW;	/* may name a directory */
	else if (seg_stars(last) && (pt->floating ||
		 (pt->nr > 1 && seg_is(&pt->segs[pt->nr - 2], "**"))))
		/*
		 * "*" at any depth (alone, or after a "**" segment) matches
		 * every file below a match anyway: let it match the
		 * directory path ("src/") too.
		 */
		pt->suffix = SUFFIX_BELOW;
	else
		pt->suffix = SUFFIX_NONE;
	return 0;
}

/* Does the regex end where the path ends ("*.js", "lib/" "*.c")? */
static int pattern_end_anchored(const struct pattern *pt)
{
	return pt->suffix == SUFFIX_NONE &&
	       pt->toks[pt->toks_nr - 1].tok == TOK_SEG;
}

enum emit_mode {
	EMIT_FORWARD,	/* the rule's regex, for the path from its start */
	EMIT_FLOAT,	/* without the leading TOK_FLOAT/TOK_LEAD: from any directory */
	EMIT_REVERSE,	/* for the reversed path (only when end-anchored) */
};

/* The regex of a parsed pattern, without ^...$. */
static void pattern_emit(struct strbuf *out, const struct pattern *pt, enum emit_mode mode)
{
	size_t k;

	strbuf_reset(out);
	for (k = 0; k < pt->toks_nr; k++) {
		size_t j = mode == EMIT_REVERSE ? pt->toks_nr - 1 - k : k;
		enum pattern_tok tok = pt->toks[j].tok;

		if (mode == EMIT_FLOAT && !j && (tok == TOK_FLOAT || tok == TOK_LEAD))
			continue;
		switch (tok) {
		case TOK_FLOAT:
		case TOK_LEAD:
			strbuf_addstr(out, mode == EMIT_REVERSE ? "(?:/.+)?" : "(?:.+/)?");
			break;
		case TOK_MID:
			strbuf_addstr(out, mode == EMIT_REVERSE ? "(?:.+/)?" : "(?:/.+)?");
			break;
		case TOK_SEP:
			strbuf_addch(out, '/');
			break;
		case TOK_SEG:
			add_segment(out, &pt->segs[pt->toks[j].seg], mode == EMIT_REVERSE);
			break;
		case TOK_EVERYTHING:
			strbuf_addstr(out, ".+");
			break;
		case TOK_TAIL:
			strbuf_addstr(out, "/.*");
			break;
		}
	}
	if (pt->suffix == SUFFIX_BELOW)
		strbuf_addstr(out, "(?:/.*)?");
	else if (pt->suffix == SUFFIX_DIR)
		strbuf_addstr(out, "/.*");
}

int ownership_pattern_to_regex(struct strbuf *out, const char *pattern, const char **why)
{
	struct pattern pt = { 0 };
	struct strbuf body = STRBUF_INIT;
	int ret;

	strbuf_reset(out);
	ret = pattern_parse(&pt, pattern, why);
	if (!ret) {
		pattern_emit(&body, &pt, EMIT_FORWARD);
		strbuf_addch(out, '^');
		strbuf_add(out, body.buf, body.len);
		strbuf_addch(out, '$');
	}
	strbuf_release(&body);
	pattern_release(&pt);
	return ret;
}

/* JIT is optional: without it PCRE2 interprets the pattern. */
static void jit_compile(pcre2_code *code)
{
	if (code && regex_jit_wanted())
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
}

static pcre2_code *compile_regex(const char *re, size_t len, int *errcode, PCRE2_SIZE *erroff)
{
	return pcre2_compile((PCRE2_SPTR)re, len, OWNERSHIP_PCRE2_OPTIONS,
			     errcode, erroff, NULL);
}

int ownership_add(struct ownership *o, const char *pattern, const char *owner,
		  const char *file, int line)
{
	struct strbuf re = STRBUF_INIT;
	struct owner_rule *r;
	pcre2_code *code = NULL;
	const char *why = NULL;
	char msg[256];
	PCRE2_SIZE erroff;
	int errcode, ret = 0;

	if (ownership_pattern_to_regex(&re, pattern, &why) < 0)
		goto bad;
	if (owner && !*owner) {
		why = "empty owner";
		goto bad;
	}
	code = compile_regex(re.buf, re.len, &errcode, &erroff);
	if (!code) {
		pcre2_get_error_message(errcode, (PCRE2_UCHAR *)msg, sizeof(msg));
		why = msg;
		goto bad;
	}

	ownership_invalidate(o);
	ALLOC_GROW(o->rules, o->nr + 1, o->alloc);
	r = &o->rules[o->nr++];
	r->pattern = xstrdup(pattern);
	r->owner = owner ? xstrdup(owner) : NULL;
	r->file = file ? xstrdup(file) : NULL;
	r->line = line;
	r->re = code;
	r->jit_done = 0;
	if (owner && !strlist_has(&o->owners, owner))
		strlist_push(&o->owners, owner);
	goto out;

bad:
	if (file)
		ret = error("%s:%d: invalid ownership pattern '%s': %s", file, line, pattern, why);
	else
		ret = error("invalid ownership pattern '%s': %s", pattern, why);
out:
	strbuf_release(&re);
	return ret;
}

/* CODEOWNERS */

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The end of the word at p: unescaped blank or end of line. */
static const char *word_end(const char *p, const char *end)
{
	while (p < end && !is_space(*p)) {
		if (*p == '\\' && p + 1 < end)
			p++;
		p++;
	}
	return p;
}

/* "@user", "@org/team" or "user@example.com" */
static int owner_valid(const char *s, size_t len)
{
	if (len < 2)
		return 0;
	if (s[0] == '@')
		return 1;
	return memchr(s + 1, '@', len - 1) != NULL && s[len - 1] != '@';
}

static int parse_codeowners_line(struct ownership *o, const char *file, int lineno,
				 const char *p, const char *end)
{
	char *pattern = NULL, *owner = NULL;
	const char *w;
	size_t bad;
	int ret = 0;

	if (memchr(p, '\0', (size_t)(end - p)))
		return error("%s:%d: NUL byte in line", file, lineno);
	if (!utf8_valid(p, (size_t)(end - p), &bad))
		return error("%s:%d: invalid UTF-8 at column %zu", file, lineno, bad + 1);

	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (p == end || *p == '#')
		return 0;

	w = word_end(p, end);
	pattern = xstrndup(p, (size_t)(w - p));
	for (p = w; p < end; p = w) {
		while (p < end && is_space(*p))
			p++;
		if (p == end || *p == '#')	/* "# comment" after the owners */
			break;
		w = word_end(p, end);
		if (!owner_valid(p, (size_t)(w - p))) {
			char *tok = xstrndup(p, (size_t)(w - p));

			ret = error("%s:%d: invalid owner '%s' (expected @user, @org/team or an email address)",
				    file, lineno, tok);
			free(tok);
			goto out;
		}
		if (!owner)
			owner = xstrndup(*p == '@' ? p + 1 : p,
					 (size_t)(w - p) - (*p == '@'));
	}
	ret = ownership_add(o, pattern, owner, file, lineno);
out:
	free(pattern);
	free(owner);
	return ret;
}

int ownership_parse_codeowners(struct ownership *o, const char *file, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *eol;
	int lineno = 0, ret = 0;

	while (p < end) {
		const char *next;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		next = eol < end ? eol + 1 : end;
		if (eol > p && eol[-1] == '\r')
			eol--;
		lineno++;
		if (parse_codeowners_line(o, file, lineno, p, eol) < 0)
			ret = -1;	/* keep going: report every problem */
		p = next;
	}
	return ret;
}

int ownership_load_codeowners(struct ownership *o, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (read_input_file(&sb, path, "CODEOWNERS file") < 0)
		ret = -1;
	else
		ret = ownership_parse_codeowners(o, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

/* lookup */

/*
 * The combined matcher.  One regex of all rules, tried at the start of the
 * path, is slow for rules that may match at any depth ("*.js", "apps/"):
 * each alternative scans the whole path for its starting point again.  So
 * the rules are split in three groups, each matched where it can fail at
 * its first character:
 *
 *   rooted:   "/docs/", "src/api/"      ^(?:...)$ on the path;
 *   reversed: "*.js", "**" + "/x.c"     ^(?:...)$ on the path reversed
 *             (by character), as the end of such a match is fixed;
 *   floating: "apps/", "Makefile", "*"  \G(?:...)$ at the start of the path
 *             and after each '/', without the leading "(?:.+/)?".
 *
 * In each regex the alternatives are in reverse rule order, each tagged
 * with (*MARK:n): the first alternative that matches is the last matching
 * rule of the group; the answer is the last of the groups' answers.
 *
 * PCRE2 (Debian: link size 2) cannot compile a pattern larger than 64K code
 * units, which a CODEOWNERS file of a few thousand rules exceeds: then a
 * group is split into chunks, halving a range of rules that does not
 * compile; a chunk of one rule uses the rule's own regex (rules[i].re), and
 * so does a chunk whose match fails with an error (a PCRE2 limit).
 * o->combined points to a struct owner_combined (not to a pcre2_code).
 */
enum owner_group_kind { GROUP_ROOTED, GROUP_REVERSED, GROUP_FLOATING, GROUP_NR };

#define NO_RULE ((size_t)-1)

struct owner_chunk {
	pcre2_code *code;	/* NULL: ask each rule's own regex */
	size_t first, last;	/* range of owner_group.rules */
	unsigned char starts[32];	/* bitmap: bytes a match may start with */
};

struct owner_group {
	size_t *rules;		/* rule indexes, last rule first */
	size_t nr, alloc;
	struct owner_chunk *chunks;
	size_t chunks_nr, chunks_alloc;
};

struct owner_combined {
	struct owner_group group[GROUP_NR];
};

static void combined_free(struct owner_combined *c)
{
	size_t g, i;

	if (!c)
		return;
	for (g = 0; g < GROUP_NR; g++) {
		for (i = 0; i < c->group[g].chunks_nr; i++)
			pcre2_code_free(c->group[g].chunks[i].code);
		free(c->group[g].chunks);
		free(c->group[g].rules);
	}
	free(c);
}

/* The first byte of the regex pattern_emit() writes, or -1 for any byte. */
static int pattern_first_byte(const struct pattern *pt, enum emit_mode mode)
{
	const struct pattern_seg *seg;
	size_t i = 0, start = 0, len = 0, k = 0;
	int escaped = 0;

	if (mode == EMIT_REVERSE)
		k = pt->toks_nr - 1;
	else if (mode == EMIT_FLOAT && (pt->toks[0].tok == TOK_FLOAT || pt->toks[0].tok == TOK_LEAD))
		k = 1;
	if (k >= pt->toks_nr || pt->toks[k].tok != TOK_SEG)
		return -1;
	seg = &pt->segs[pt->toks[k].seg];
	if (seg_stars(seg))
		return -1;
	/* the segment's first token, or its last one for the reversed regex */
	while (i < seg->len) {
		escaped = seg->s[i] == '\\';
		seg_token(seg, &i, &start, &len);
		if (mode != EMIT_REVERSE)
			break;
	}
	if (!escaped && (seg->s[start] == '*' || seg->s[start] == '?'))
		return -1;
	return (unsigned char)seg->s[start];
}

/* Compile group rules[first..last] as one regex; starts gets its first bytes. */
static pcre2_code *compile_chunk(struct ownership *o, enum owner_group_kind kind,
				 const struct owner_group *g, size_t first, size_t last,
				 unsigned char *starts)
{
	static const enum emit_mode modes[GROUP_NR] = { EMIT_FORWARD, EMIT_REVERSE, EMIT_FLOAT };
	struct strbuf re = STRBUF_INIT, body = STRBUF_INIT;
	pcre2_code *code = NULL;
	PCRE2_SIZE erroff;
	const char *why;
	int errcode, c;
	size_t i;

	memset(starts, 0, 32);
	strbuf_addstr(&re, kind == GROUP_FLOATING ? "\\G(?:" : "^(?:");
	for (i = first; i <= last; i++) {
		struct pattern pt = { 0 };

		if (pattern_parse(&pt, o->rules[g->rules[i]].pattern, &why) < 0) {
			pattern_release(&pt);
			goto out;	/* cannot happen: checked by ownership_add() */
		}
		pattern_emit(&body, &pt, modes[kind]);
		c = pattern_first_byte(&pt, modes[kind]);
		if (c < 0)
			memset(starts, 0xff, 32);
		else
			starts[c / 8] |= 1 << (c % 8);
		pattern_release(&pt);
		strbuf_addf(&re, "%s(*MARK:%zu)(?:", i == first ? "" : "|", g->rules[i]);
		strbuf_add(&re, body.buf, body.len);
		strbuf_addch(&re, ')');
	}
	strbuf_addstr(&re, ")$");
	code = compile_regex(re.buf, re.len, &errcode, &erroff);
	jit_compile(code);
out:
	strbuf_release(&body);
	strbuf_release(&re);
	return code;
}

static void build_chunks(struct ownership *o, enum owner_group_kind kind,
			 struct owner_group *g, size_t first, size_t last)
{
	pcre2_code *code = NULL;
	unsigned char starts[32];
	size_t mid;

	if (first != last)
		code = compile_chunk(o, kind, g, first, last, starts);
	if (code || first == last) {
		ALLOC_GROW(g->chunks, g->chunks_nr + 1, g->chunks_alloc);
		g->chunks[g->chunks_nr].code = code;
		memcpy(g->chunks[g->chunks_nr].starts, starts, sizeof(starts));
		g->chunks[g->chunks_nr].first = first;
		g->chunks[g->chunks_nr].last = last;
		g->chunks_nr++;
		return;
	}
	mid = first + (last - first) / 2;
	build_chunks(o, kind, g, first, mid);
	build_chunks(o, kind, g, mid + 1, last);
}

static struct owner_combined *combined_build(struct ownership *o)
{
	struct owner_combined *c = xcalloc(1, sizeof(*c));
	const char *why;
	size_t i;
	int g;

	for (i = o->nr; i-- > 0; ) {
		struct pattern pt = { 0 };
		struct owner_group *grp;

		if (pattern_parse(&pt, o->rules[i].pattern, &why) < 0)
			g = GROUP_ROOTED;	/* cannot happen; any group is right */
		else if (!pt.floating)
			g = GROUP_ROOTED;
		else if (pattern_end_anchored(&pt))
			g = GROUP_REVERSED;
		else
			g = GROUP_FLOATING;
		pattern_release(&pt);
		grp = &c->group[g];
		ALLOC_GROW(grp->rules, grp->nr + 1, grp->alloc);
		grp->rules[grp->nr++] = i;
	}
	for (g = 0; g < GROUP_NR; g++)
		if (c->group[g].nr)
			build_chunks(o, g, &c->group[g], 0, c->group[g].nr - 1);
	return c;
}

/* >0 match, 0 no match, <0 error (a limit...) */
static int match(const pcre2_code *code, pcre2_match_data *md,
		 const char *subject, size_t len, size_t start)
{
	int rc = pcre2_match(code, (PCRE2_SPTR)subject, len, start, 0, md, NULL);

	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return rc > 0 ? 1 : rc;
}

/* The rule named by the mark of the last match, or NO_RULE. */
static size_t marked_rule(struct ownership *o)
{
	const char *mark = (const char *)pcre2_get_mark(o->match_data);
	char *end;
	unsigned long n;

	if (!mark)
		return NO_RULE;
	n = strtoul(mark, &end, 10);
	return *end || n >= o->nr ? NO_RULE : (size_t)n;
}

/* The path reversed character by character (UTF-8 sequences kept whole). */
static void reverse_path(char *out, const char *path, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_len((const unsigned char *)path + i, len - i);

		memcpy(out + len - i - n, path + i, n);
		i += n;
	}
	out[len] = '\0';
}

/* The last rule of chunk ch that matches path, or NO_RULE. */
static size_t match_chunk(struct ownership *o, enum owner_group_kind kind,
			  const struct owner_group *g, const struct owner_chunk *ch,
			  const char *path, const char *rpath, size_t len)
{
	size_t best = NO_RULE, i, p;
	int rc;

#define CAN_START(c) (ch->starts[(unsigned char)(c) / 8] & (1 << ((unsigned char)(c) % 8)))
	if (!ch->code)
		goto per_rule;
	if (kind != GROUP_FLOATING) {
		const char *subject = kind == GROUP_REVERSED ? rpath : path;

		if (!len || !CAN_START(subject[0]))
			return NO_RULE;
		rc = match(ch->code, o->match_data, subject, len, 0);
		if (!rc)
			return NO_RULE;
		if (rc > 0 && (best = marked_rule(o)) != NO_RULE)
			return best;
		goto per_rule;
	}
	for (p = 0; p < len; p++) {
		if ((p && path[p - 1] != '/') || !CAN_START(path[p]))
			continue;
		rc = match(ch->code, o->match_data, path, len, p);
		if (!rc)
			continue;
		if (rc < 0 || (i = marked_rule(o)) == NO_RULE)
			goto per_rule;
		if (best == NO_RULE || i > best)
			best = i;
		if (best == g->rules[ch->first])
			break;	/* nothing in the chunk comes later */
	}
	return best;
#undef CAN_START

per_rule:
	for (i = ch->first; i <= ch->last; i++) {
		struct owner_rule *r = &o->rules[g->rules[i]];

		if (!r->jit_done) {
			jit_compile(r->re);
			r->jit_done = 1;
		}
		if (match(r->re, o->match_data, path, len, 0) > 0)
			return g->rules[i];
	}
	return NO_RULE;
}

/* The last rule that matches path, or NO_RULE. */
static size_t lookup_rule(struct ownership *o, const char *path)
{
	struct owner_combined *c = o->combined;
	size_t len = strlen(path), best = NO_RULE, i;
	char small[256], *rpath = NULL;
	int g;

	if (c->group[GROUP_REVERSED].nr) {
		rpath = len < sizeof(small) ? small : xmalloc(len + 1);
		reverse_path(rpath, path, len);
	}
	for (g = 0; g < GROUP_NR; g++) {
		const struct owner_group *grp = &c->group[g];

		for (i = 0; i < grp->chunks_nr; i++) {
			const struct owner_chunk *ch = &grp->chunks[i];
			size_t r;

			if (best != NO_RULE && grp->rules[ch->first] < best)
				break;	/* the rest of the group comes earlier */
			r = match_chunk(o, g, grp, ch, path, rpath, len);
			if (r != NO_RULE && (best == NO_RULE || r > best))
				best = r;
		}
	}
	if (rpath != small)
		free(rpath);
	return best;
}

const char *ownership_lookup(struct ownership *o, const char *path)
{
	struct strmap_entry *e;
	size_t i;
	int found;

	if (!o->nr)
		return NULL;
	if (!o->match_data)
		o->match_data = pcre2_match_data_create(1, NULL);
	if (!o->match_data)
		return NULL;	/* out of memory */
	e = strmap_put(&o->cache, path, NULL, &found);
	if (found)
		return e->value;

	if (!o->combined)
		o->combined = combined_build(o);
	i = lookup_rule(o, path);
	e->value = i != NO_RULE ? o->rules[i].owner : NULL;
	return e->value;
}

int ownership_owns(struct ownership *o, const char *owner, const char *path)
{
	const char *got;

	if (!owner)
		return 0;
	got = ownership_lookup(o, path);
	return got && !strcmp(got, owner);
}
