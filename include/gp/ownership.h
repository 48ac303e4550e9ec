#ifndef GP_OWNERSHIP_H
#define GP_OWNERSHIP_H

#include "gp/util.h"

/*
 * Path ownership with CODEOWNERS semantics (DESIGN.md 1.3): patterns are
 * translated to PCRE2 regexes (TECH-NOTES.md), the last matching rule wins.
 */

struct owner_rule {
	char *pattern;
	char *owner;		/* NULL: the rule un-owns what it matches */
	char *file;
	int line;
	void *re;		/* pcre2_code * */
	int jit_done;		/* re was offered to the JIT (on first use) */
};

struct ownership {
	struct owner_rule *rules;
	size_t nr, alloc;
	struct strlist owners;	/* distinct owner names, first-seen order */
	void *combined;		/* private to ownership.c: the combined matchers; NULL until needed */
	void *match_data;
	struct strmap cache;	/* path -> owner (borrowed) or NULL */
};
#define OWNERSHIP_INIT { NULL, 0, 0, STRLIST_INIT, NULL, NULL, STRMAP_INIT }

void ownership_init(struct ownership *o);
void ownership_release(struct ownership *o);

/*
 * Translate one CODEOWNERS pattern to a PCRE2 regex (anchored, without
 * delimiters).  Returns 0, or -1 with *why set for a pattern that cannot be
 * used (empty, "!negation", "[class]", a path outside the repository).
 */
int ownership_pattern_to_regex(struct strbuf *out, const char *pattern, const char **why);

/* Add a rule; an invalid pattern is an error naming file:line. */
int ownership_add(struct ownership *o, const char *pattern, const char *owner,
		  const char *file, int line);

/*
 * Read a CODEOWNERS file: "pattern @owner ..." lines, '#' comments; the
 * rule's owner is its first owner ('@' stripped), a rule without owner
 * un-owns.  Errors name file:line.
 */
int ownership_load_codeowners(struct ownership *o, const char *path);
/* The same for CODEOWNERS text held in memory (named "file" in messages). */
int ownership_parse_codeowners(struct ownership *o, const char *file, const char *buf, size_t len);

/*
 * The owner of a repository-relative path ("src/a.c", or "src/" for a
 * directory), or NULL.  Borrowed: valid until ownership_release().  Not
 * thread-safe (it caches).
 */
const char *ownership_lookup(struct ownership *o, const char *path);

/* Does the area of owner match path (the path's owner is that owner)? */
int ownership_owns(struct ownership *o, const char *owner, const char *path);

#endif
