/*
 * Tree-to-tree changes, top-down, skipping equal subtrees (see treediff.h).
 */
#include <string.h>

#include "gp/treediff.h"

void tree_side_init(struct tree_side *s)
{
	memset(s, 0, sizeof(*s));
	strmap_init(&s->changed);
	strmap_init(&s->deleted_dirs);
	strmap_init(&s->dirs);
}

void tree_side_release(struct tree_side *s)
{
	strmap_clear(&s->changed);
	strmap_clear(&s->deleted_dirs);
	strmap_clear(&s->dirs);
	free(s->ch);
	tree_side_init(s);
}

const struct tree_change *tree_side_get(const struct tree_side *s, const char *path)
{
	void *v = strmap_get(&s->changed, path);

	return v ? &s->ch[(size_t)v - 1] : NULL;
}

static void put_dir(struct strmap *m, const char *path, size_t len)
{
	char *dir = xstrndup(path, len);

	strmap_put(m, dir, NULL, NULL);
	free(dir);
}

void tree_side_add(struct tree_side *s, const char *path, const git_oid *old_id,
		   unsigned int old_mode, const git_oid *new_id, unsigned int new_mode)
{
	struct strmap_entry *e;
	struct tree_change *c;
	const char *slash;
	int found;

	e = strmap_put(&s->changed, path, NULL, &found);
	if (!found) {
		ALLOC_GROW(s->ch, s->nr + 1, s->alloc);
		e->value = (void *)(s->nr + 1);
		s->nr++;
	}
	c = &s->ch[(size_t)e->value - 1];
	memset(c, 0, sizeof(*c));
	c->path = e->key;
	if (old_mode) {
		git_oid_cpy(&c->old_id, old_id);
		c->old_mode = old_mode;
	}
	if (new_mode) {
		git_oid_cpy(&c->new_id, new_id);
		c->new_mode = new_mode;
	}
	if (!old_mode)
		s->added++;
	if (!new_mode) {
		slash = strrchr(path, '/');
		put_dir(&s->deleted_dirs, path, slash ? (size_t)(slash - path) : 0);
	}
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/'))
		put_dir(&s->dirs, path, (size_t)(slash - path));
}

/* git's tree order: a directory sorts as if its name ended with '/'. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), n = la < lb ? la : lb;
	int cmp = memcmp(na, nb, n);
	unsigned char ca, cb;

	if (cmp)
		return cmp;
	ca = n < la ? (unsigned char)na[n] :
		git_tree_entry_type(a) == GIT_OBJECT_TREE ? '/' : '\0';
	cb = n < lb ? (unsigned char)nb[n] :
		git_tree_entry_type(b) == GIT_OBJECT_TREE ? '/' : '\0';
	return (int)ca - (int)cb;
}

static int walk(struct tree_side *s, git_repository *repo, const git_oid *a, const git_oid *b,
		struct strbuf *path);

/* One entry present on one side only (a: the old side), or a whole subtree. */
static int one_side(struct tree_side *s, git_repository *repo, const git_tree_entry *e, int old,
		    struct strbuf *path)
{
	size_t len = path->len;
	int ret = 0;

	strbuf_addstr(path, git_tree_entry_name(e));
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		/*
		 * A directory gone whole counts as one where files were
		 * deleted, though it held only directories: git's directory
		 * renames reach up (d/sub/x moved to e/sub/x renames d to e
		 * when d is gone, and a file the other side adds to d goes to e).
		 */
		if (old)
			put_dir(&s->deleted_dirs, path->buf, path->len);
		strbuf_addch(path, '/');
		ret = old ? walk(s, repo, git_tree_entry_id(e), NULL, path) :
			walk(s, repo, NULL, git_tree_entry_id(e), path);
	} else if (old) {
		tree_side_add(s, path->buf, git_tree_entry_id(e), git_tree_entry_filemode(e),
			      NULL, 0);
	} else {
		tree_side_add(s, path->buf, NULL, 0, git_tree_entry_id(e),
			      git_tree_entry_filemode(e));
	}
	strbuf_setlen(path, len);
	return ret;
}

/* The trees a and b (either may be NULL: absent) below path ("" or ending in '/'). */
static int walk(struct tree_side *s, git_repository *repo, const git_oid *a, const git_oid *b,
		struct strbuf *path)
{
	git_tree *ta = NULL, *tb = NULL;
	size_t i = 0, k = 0, na, nb;
	int ret = -1;

	if (a && b && git_oid_equal(a, b))
		return 0;
	if ((a && git_tree_lookup(&ta, repo, a) < 0) || (b && git_tree_lookup(&tb, repo, b) < 0))
		goto out;
	na = ta ? git_tree_entrycount(ta) : 0;
	nb = tb ? git_tree_entrycount(tb) : 0;
	while (i < na || k < nb) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(ta, i) : NULL;
		const git_tree_entry *eb = k < nb ? git_tree_entry_byindex(tb, k) : NULL;
		int cmp = !ea ? 1 : !eb ? -1 : entry_cmp(ea, eb);

		if (cmp < 0) {
			if (one_side(s, repo, ea, 1, path) < 0)
				goto out;
			i++;
		} else if (cmp > 0) {
			if (one_side(s, repo, eb, 0, path) < 0)
				goto out;
			k++;
		} else {
			size_t len = path->len;

			/* the same name and kind (a tree sorts apart from a file) */
			if (git_tree_entry_type(ea) == GIT_OBJECT_TREE) {
				strbuf_addstr(path, git_tree_entry_name(ea));
				strbuf_addch(path, '/');
				if (walk(s, repo, git_tree_entry_id(ea), git_tree_entry_id(eb), path) < 0)
					goto out;
				strbuf_setlen(path, len);
			} else if (!git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) ||
				   git_tree_entry_filemode(ea) != git_tree_entry_filemode(eb)) {
				strbuf_addstr(path, git_tree_entry_name(ea));
				tree_side_add(s, path->buf, git_tree_entry_id(ea),
					      git_tree_entry_filemode(ea), git_tree_entry_id(eb),
					      git_tree_entry_filemode(eb));
				strbuf_setlen(path, len);
			}
			i++;
			k++;
		}
	}
	ret = 0;
out:
	git_tree_free(ta);
	git_tree_free(tb);
	return ret;
}

int tree_side_diff(struct tree_side *s, git_repository *repo, const git_oid *old_tree,
		   const git_oid *new_tree)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	tree_side_release(s);
	ret = walk(s, repo, old_tree, new_tree, &path);
	strbuf_release(&path);
	return ret;
}
