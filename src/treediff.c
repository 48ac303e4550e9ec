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

/*
 * Are t's entries in git's order, each name once?  A tree written
 * otherwise (hash-object --literally; git fsck: treeNotSorted) would
 * make the walk below see one entry as a deletion and an addition, and
 * git's own merge loses entries of it: say so (libgit2's error), never
 * diff it.
 */
static int check_order(struct tree_side *s, const git_tree *t, const char *path)
{
	size_t i, n = git_tree_entrycount(t);
	char *msg;

	for (i = 1; i < n; i++)
		if (entry_cmp(git_tree_entry_byindex(t, i - 1), git_tree_entry_byindex(t, i)) >= 0)
			break;
	if (i >= n)
		return 0;
	s->unsorted = 1;
	msg = xstrfmt("tree %s%s%s%s is not sorted (git fsck: treeNotSorted)",
		      git_oid_tostr_s(git_tree_id(t)), *path ? " ('" : "", path, *path ? "')" : "");
	git_error_set_str(GIT_ERROR_OBJECT, msg);
	free(msg);
	return -1;
}

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
	if ((a && git_tree_lookup(&ta, repo, a) < 0) || (b && git_tree_lookup(&tb, repo, b) < 0) ||
	    (ta && check_order(s, ta, path->buf) < 0) || (tb && check_order(s, tb, path->buf) < 0))
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

/* tree_update() */

struct tu_item {
	const char *name;	/* within the directory */
	size_t len;
	unsigned int mode;	/* what it becomes (0: removed) */
	git_oid id;
	size_t lo, hi;		/* a directory: its updates in the sorted list */
	int dir;
};

struct tu_ctx {
	git_repository *repo;
	git_odb *odb;
	const git_tree_update **v;	/* sorted by path */
	struct strbuf buf;
	struct tree_cache *cache;
	struct tc_slot *written;	/* into the cache once the update is done */
	size_t written_nr, written_alloc;
};

/* an entry of a tree read: from a git_tree, or the bytes of a cached one */
struct tu_entry {
	const char *name;
	size_t len;
	unsigned int mode;	/* canonical */
	const unsigned char *id;
};

#define TREE_CACHE_SLOTS 256

struct tc_slot {
	git_oid id;
	char *buf;
	size_t len;
};

struct tree_cache {
	struct tc_slot slot[TREE_CACHE_SLOTS];
	size_t next;
};

struct tree_cache *tree_cache_new(void)
{
	return xcalloc(1, sizeof(struct tree_cache));
}

void tree_cache_free(struct tree_cache *tc)
{
	size_t i;

	if (!tc)
		return;
	for (i = 0; i < TREE_CACHE_SLOTS; i++)
		free(tc->slot[i].buf);
	free(tc);
}

static const struct tc_slot *tc_get(const struct tree_cache *tc, const git_oid *id)
{
	size_t i;

	for (i = 0; tc && i < TREE_CACHE_SLOTS; i++)
		if (tc->slot[i].buf && git_oid_equal(&tc->slot[i].id, id))
			return &tc->slot[i];
	return NULL;
}

static void tc_put(struct tree_cache *tc, struct tc_slot *s)
{
	struct tc_slot *d = &tc->slot[tc->next];

	free(d->buf);
	*d = *s;
	tc->next = (tc->next + 1) % TREE_CACHE_SLOTS;
}

/* the entries of a tree's bytes (written by us: well-formed), or -1 */
static ssize_t parse_raw(const char *buf, size_t len, struct tu_entry **out)
{
	size_t n = 0, alloc = 0, i = 0;
	struct tu_entry *v = NULL;

	while (i < len) {
		unsigned int mode = 0;
		const char *nul;

		while (i < len && buf[i] >= '0' && buf[i] <= '7')
			mode = mode * 8 + (unsigned int)(buf[i++] - '0');
		if (i >= len || buf[i++] != ' ' ||
		    !(nul = memchr(buf + i, '\0', len - i)) || (size_t)(nul - buf) + 1 + GIT_OID_RAWSZ > len) {
			free(v);
			return -1;
		}
		ALLOC_GROW(v, n + 1, alloc);
		v[n].name = buf + i;
		v[n].len = (size_t)(nul - (buf + i));
		v[n].mode = mode;
		v[n].id = (const unsigned char *)nul + 1;
		n++;
		i = (size_t)(nul - buf) + 1 + GIT_OID_RAWSZ;
	}
	*out = v;
	return (ssize_t)n;
}

/* git's order: a tree's name sorts as if it ended with '/' */
static int git_order(const char *a, size_t al, int adir, const char *b, size_t bl, int bdir)
{
	size_t l = al < bl ? al : bl;
	int c = memcmp(a, b, l);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = l < al ? (unsigned char)a[l] : adir ? '/' : 0;
	cb = l < bl ? (unsigned char)b[l] : bdir ? '/' : 0;
	return ca < cb ? -1 : ca > cb;
}

static int item_cmp(const void *a, const void *b)
{
	const struct tu_item *x = a, *y = b;

	return git_order(x->name, x->len, x->mode == GIT_FILEMODE_TREE, y->name, y->len,
			 y->mode == GIT_FILEMODE_TREE);
}

static int update_cmp(const void *a, const void *b)
{
	return strcmp((*(const git_tree_update *const *)a)->path,
		      (*(const git_tree_update *const *)b)->path);
}

/* as git's canon_mode() */
static unsigned int canon_mode(unsigned int m)
{
	switch (m & 0170000) {
	case 0100000:
		return (m & 0100) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
	case 0120000:
		return GIT_FILEMODE_LINK;
	case 0040000:
		return GIT_FILEMODE_TREE;
	default:
		return GIT_FILEMODE_COMMIT;
	}
}

/* index of the entry named name in e[0..ne), or -1 */
static ssize_t entry_find(const struct tu_entry *e, size_t ne, const char *name, size_t len)
{
	int pass;

	/* the entry is a tree or not: its place differs, look for both */
	for (pass = 0; pass < 2; pass++) {
		size_t l = 0, h = ne;

		while (l < h) {
			size_t mid = l + (h - l) / 2;
			int c = git_order(e[mid].name, e[mid].len, e[mid].mode == GIT_FILEMODE_TREE, name,
					  len, pass);

			if (e[mid].len == len && !memcmp(e[mid].name, name, len))
				return (ssize_t)mid;
			if (c < 0)
				l = mid + 1;
			else
				h = mid;
		}
	}
	return -1;
}

static void put_entry(struct strbuf *sb, unsigned int mode, const char *name, size_t len,
		      const unsigned char *id)
{
	char m[8];
	int i = (int)sizeof(m);

	do {
		m[--i] = (char)('0' + (mode & 7));
		mode >>= 3;
	} while (mode);
	strbuf_add(sb, m + i, sizeof(m) - (size_t)i);
	strbuf_addch(sb, ' ');
	strbuf_add(sb, name, len);
	strbuf_addch(sb, '\0');
	strbuf_add(sb, id, GIT_OID_RAWSZ);
}

/*
 * The tree at base (NULL: none) with the updates v[lo..hi) (their paths
 * from depth on).  0: *out written (*empty: nothing left, not written
 * unless top), 1: not for here (git_tree_create_updated()), -1 error.
 */
static int tu_build(struct tu_ctx *c, const git_oid *base, size_t depth, size_t lo, size_t hi,
		    int top, git_oid *out, int *empty)
{
	git_tree *t = NULL;
	struct tu_item *it = xcalloc(hi - lo + 1, sizeof(*it));
	struct tu_entry *e = NULL;
	const struct tc_slot *cached = base ? tc_get(c->cache, base) : NULL;
	unsigned char *gone = NULL;
	size_t ni = 0, i, j, ne = 0;
	int ret = -1;

	*empty = 0;
	if (cached) {
		ssize_t r = parse_raw(cached->buf, cached->len, &e);

		if (r < 0)
			goto fallback;
		ne = (size_t)r;
	} else if (base) {
		if (git_tree_lookup(&t, c->repo, base) < 0)
			goto out;
		ne = git_tree_entrycount(t);
		e = xcalloc(ne + 1, sizeof(*e));
		for (i = 0; i < ne; i++) {
			const git_tree_entry *te = git_tree_entry_byindex(t, i);

			e[i].name = git_tree_entry_name(te);
			e[i].len = strlen(e[i].name);
			e[i].mode = canon_mode((unsigned int)git_tree_entry_filemode_raw(te));
			e[i].id = git_tree_entry_id(te)->id;
			/* binary searches below trust git's order (see check_order()) */
			if (i && git_order(e[i - 1].name, e[i - 1].len, e[i - 1].mode == GIT_FILEMODE_TREE,
					   e[i].name, e[i].len, e[i].mode == GIT_FILEMODE_TREE) >= 0) {
				char *msg = xstrfmt("tree %s is not sorted (git fsck: treeNotSorted)",
						    git_oid_tostr_s(base));

				git_error_set_str(GIT_ERROR_OBJECT, msg);
				free(msg);
				goto out;
			}
		}
	}
	gone = xcalloc(ne + 1, 1);
	/* this directory's items: a name, or a directory with the updates below it */
	for (i = lo; i < hi; i = j) {
		const char *p = c->v[i]->path + depth, *slash = strchr(p, '/');
		struct tu_item *x = &it[ni++];

		x->name = p;
		x->len = slash ? (size_t)(slash - p) : strlen(p);
		j = i + 1;
		if (!x->len || (slash && !slash[1]))
			goto fallback;
		if (slash) {
			while (j < hi && !strncmp(c->v[j]->path + depth, p, x->len + 1))
				j++;
			x->dir = 1;
			x->lo = i;
			x->hi = j;
		} else if (c->v[i]->action == GIT_TREE_UPDATE_UPSERT) {
			x->mode = canon_mode((unsigned int)c->v[i]->filemode);
			git_oid_cpy(&x->id, &c->v[i]->id);
		} else if (c->v[i]->action != GIT_TREE_UPDATE_REMOVE) {
			goto fallback;
		}
	}
	for (i = 0; i < ni; i++) {
		struct tu_item *x = &it[i];
		ssize_t at = entry_find(e, ne, x->name, x->len);

		/* a name twice (as a file and a directory), or a second update of it */
		for (j = i + 1; j < ni; j++)
			if (it[j].len == x->len && !memcmp(it[j].name, x->name, x->len))
				goto fallback;
		if (x->dir) {
			git_oid sub;
			int sub_empty, r;

			if (at >= 0 && e[at].mode != GIT_FILEMODE_TREE)
				goto fallback;	/* a file in the way */
			if (at >= 0)
				git_oid_fromraw(&sub, e[at].id);
			r = tu_build(c, at >= 0 ? &sub : NULL, depth + x->len + 1, x->lo,
				     x->hi, 0, &x->id, &sub_empty);
			if (r) {
				ret = r;
				goto out;
			}
			x->mode = sub_empty ? 0 : GIT_FILEMODE_TREE;
		} else if (!x->mode && at < 0) {
			goto fallback;	/* removing what is not there */
		}
		if (at >= 0)
			gone[at] = 1;
	}
	qsort(it, ni, sizeof(*it), item_cmp);
	/* the entries kept and the items put, merged in git's order */
	strbuf_reset(&c->buf);
	for (i = 0, j = 0; i < ne || j < ni;) {
		if (i < ne && gone[i]) {
			i++;
			continue;
		}
		if (j < ni && !it[j].mode) {
			j++;
			continue;
		}
		if (i < ne && (j >= ni || git_order(e[i].name, e[i].len, e[i].mode == GIT_FILEMODE_TREE,
						    it[j].name, it[j].len,
						    it[j].mode == GIT_FILEMODE_TREE) < 0)) {
			put_entry(&c->buf, e[i].mode, e[i].name, e[i].len, e[i].id);
			i++;
		} else {
			put_entry(&c->buf, it[j].mode, it[j].name, it[j].len, it[j].id.id);
			j++;
		}
	}
	*empty = !c->buf.len;
	if (!*empty || top) {
		if (git_odb_write(out, c->odb, c->buf.buf, c->buf.len, GIT_OBJECT_TREE) < 0)
			goto out;
		if (c->cache) {
			struct tc_slot *w;

			ALLOC_GROW(c->written, c->written_nr + 1, c->written_alloc);
			w = &c->written[c->written_nr++];
			git_oid_cpy(&w->id, out);
			w->len = c->buf.len;
			w->buf = xmalloc(c->buf.len + 1);
			memcpy(w->buf, c->buf.buf, c->buf.len);
		}
	}
	ret = 0;
	goto out;
fallback:
	ret = 1;
out:
	free(gone);
	free(e);
	free(it);
	git_tree_free(t);
	return ret;
}

int tree_update(git_oid *out, git_repository *repo, const git_oid *base_tree,
		const git_tree_update *ups, size_t n, struct tree_cache *cache)
{
	struct tu_ctx c;
	git_tree *t = NULL;
	size_t i;
	int empty, ret;

	memset(&c, 0, sizeof(c));
	strbuf_init(&c.buf, 0);
	c.repo = repo;
	c.cache = cache;
	c.v = xcalloc(n + 1, sizeof(*c.v));
	for (i = 0; i < n; i++)
		c.v[i] = &ups[i];
	qsort(c.v, n, sizeof(*c.v), update_cmp);
	ret = git_repository_odb(&c.odb, repo) < 0 ? -1 :
		tu_build(&c, base_tree, 0, 0, n, 1, out, &empty);
	if (ret > 0) {
		ret = git_tree_lookup(&t, repo, base_tree) < 0 ||
			git_tree_create_updated(out, repo, t, n, ups) < 0 ? -1 : 0;
		git_tree_free(t);
	}
	/* only now: the trees read above may be cached ones */
	for (i = 0; i < c.written_nr; i++) {
		if (!ret)
			tc_put(cache, &c.written[i]);
		else
			free(c.written[i].buf);
	}
	free(c.written);
	git_odb_free(c.odb);
	strbuf_release(&c.buf);
	free(c.v);
	return ret;
}
