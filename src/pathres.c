/*
 * The files of the base tree, indexed for the task-file reader: sorted
 * paths (directories are prefix ranges) and the same files sorted by
 * basename (a bare file name or a path suffix is a range).
 */
#include <stdlib.h>
#include <string.h>

#include "gp/pathres.h"

void pathres_init(struct pathres *pr)
{
	memset(pr, 0, sizeof(*pr));
}

void pathres_release(struct pathres *pr)
{
	size_t i;

	for (i = 0; i < pr->nr; i++)
		free(pr->paths[i]);
	free(pr->paths);
	free(pr->by_base);
	pathres_init(pr);
}

void pathres_add(struct pathres *pr, const char *path)
{
	ALLOC_GROW(pr->paths, pr->nr + 1, pr->alloc);
	pr->paths[pr->nr++] = xstrdup(path);
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const struct pathres *sort_pr;
static int cmp_base(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(base_of(sort_pr->paths[x]), base_of(sort_pr->paths[y]));

	return c ? c : (x < y ? -1 : x > y);
}

void pathres_finish(struct pathres *pr)
{
	size_t i;

	if (pr->nr > 1)
		qsort(pr->paths, pr->nr, sizeof(*pr->paths), cmp_str);
	free(pr->by_base);
	pr->by_base = xmalloc((pr->nr + 1) * sizeof(*pr->by_base));
	for (i = 0; i < pr->nr; i++)
		pr->by_base[i] = i;
	sort_pr = pr;
	if (pr->nr > 1)
		qsort(pr->by_base, pr->nr, sizeof(*pr->by_base), cmp_base);
}

struct walk {
	struct pathres *pr;
	struct strbuf sb;
};

static int walk_cb(const char *root, const git_tree_entry *entry, void *data)
{
	struct walk *w = data;
	git_object_t type = git_tree_entry_type(entry);

	if (type == GIT_OBJECT_TREE)
		return 0;
	strbuf_reset(&w->sb);
	strbuf_addstr(&w->sb, root);
	strbuf_addstr(&w->sb, git_tree_entry_name(entry));
	pathres_add(w->pr, w->sb.buf);
	return 0;
}

int pathres_load(struct pathres *pr, git_repository *repo, const git_oid *commit)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	struct walk w;
	int ret = -1;

	w.pr = pr;
	strbuf_init(&w.sb, 0);
	if (git_commit_lookup(&c, repo, commit) < 0 || git_commit_tree(&tree, c) < 0) {
		error("cannot read the base tree: %s", gp_git_error());
		goto out;
	}
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &w) < 0) {
		error("cannot read the base tree: %s", gp_git_error());
		goto out;
	}
	pathres_finish(pr);
	ret = 0;
out:
	strbuf_release(&w.sb);
	git_tree_free(tree);
	git_commit_free(c);
	return ret;
}

/* First index of paths[] not below key (byte order). */
static size_t lower_bound(const struct pathres *pr, const char *key)
{
	size_t lo = 0, hi = pr->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(pr->paths[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int pathres_is_file(const struct pathres *pr, const char *path)
{
	size_t i = lower_bound(pr, path);

	return i < pr->nr && !strcmp(pr->paths[i], path);
}

int pathres_is_dir(const struct pathres *pr, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	strbuf_addstr(&sb, dir);
	if (!sb.len)
		return 0;
	if (sb.buf[sb.len - 1] != '/')
		strbuf_addch(&sb, '/');
	i = lower_bound(pr, sb.buf);
	ret = i < pr->nr && !strncmp(pr->paths[i], sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

size_t pathres_find(const struct pathres *pr, const char *name, const char **out)
{
	const char *base = base_of(name);
	size_t lo = 0, hi = pr->nr, n = 0, len = strlen(name);

	*out = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(base_of(pr->paths[pr->by_base[mid]]), base) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < pr->nr; lo++) {
		const char *p = pr->paths[pr->by_base[lo]];
		size_t plen = strlen(p);

		if (strcmp(base_of(p), base))
			break;
		if (base != name && (plen < len || strcmp(p + plen - len, name) ||
				     (plen > len && p[plen - len - 1] != '/')))
			continue;
		if (!n++)
			*out = p;
	}
	return n;
}

/* '*' within a segment, '**' across segments, '?' one character */
static int glob_match(const char *pat, const char *s)
{
	for (; *pat; pat++, s++) {
		if (pat[0] == '*' && pat[1] == '*') {
			pat += 2;
			if (*pat == '/')
				pat++;
			for (;; s++) {
				if (glob_match(pat, s))
					return 1;
				if (!*s)
					return 0;
			}
		}
		if (*pat == '*') {
			for (;; s++) {
				if (glob_match(pat + 1, s))
					return 1;
				if (!*s || *s == '/')
					return 0;
			}
		}
		if (!*s || (*pat == '?' ? *s == '/' : *pat != *s))
			return 0;
	}
	return !*s;
}

size_t pathres_glob(const struct pathres *pr, const char *pattern, struct strlist *out, size_t max)
{
	size_t lit = strcspn(pattern, "*?["), i, n = 0;
	char *prefix;

	/* only the files below the literal directory can match */
	while (lit && pattern[lit - 1] != '/')
		lit--;
	prefix = xstrndup(pattern, lit);
	for (i = lower_bound(pr, prefix); i < pr->nr && !strncmp(pr->paths[i], prefix, lit); i++)
		if (glob_match(pattern, pr->paths[i]) && n++ < max)
			strlist_push(out, pr->paths[i]);
	free(prefix);
	return n;
}
