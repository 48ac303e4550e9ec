/*
 * Merge bases from the commit-graph file (see gp/mergebase.h).
 *
 * The file (git's Documentation/gitformat-commit-graph): a header
 * "CGPH", version 1, hash version 1 (SHA-1), the number of chunks and
 * of base graphs (0: not a split layer), a table of chunk ids and
 * offsets, then the chunks: OIDF (256 cumulative counts by first byte),
 * OIDL (the sorted ids), CDAT (per commit: its tree, two parent
 * positions, 30 bits of topological level and 34 of commit date),
 * EDGE (the further parents of octopus merges).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gp/mergebase.h"
#include "gp/util.h"

#define OID_RAW 20
#define CDAT_WIDTH (OID_RAW + 16)
#define PARENT_NONE 0x70000000u
#define PARENT_EDGES 0x80000000u	/* second parent: an index into EDGE */
#define EDGE_LAST 0x80000000u
#define LEVEL_MAX 0x3FFFFFFFu		/* capped: the order is lost */
#define EXTRA_MAX 1000000u

enum { P1 = 1, P2 = 2, STALE = 4, RESULT = 8, QUEUED = 16 };

struct extra {
	git_oid id;
	uint32_t level;
	uint32_t *parents;
	size_t np;
};

struct mergebase {
	git_repository *repo;
	void *map;
	size_t map_size;
	uint32_t n;
	const unsigned char *fanout, *oidl, *cdat, *edge;
	size_t edge_n;
	/* commits not in the graph, nodes n.. */
	struct extra *extra;
	size_t extra_nr, extra_alloc;
	uint32_t *slots;	/* open addressing: extra index + 1, 0 empty */
	size_t slots_nr;
	/*
	 * the ancestors of node tip (v[node] set), kept from one query to
	 * the next: merge asks about a tip that is the last one merged
	 * into.  Two of them: merge also asks about pairs of merge bases
	 * (several-base tasks), which must not make the tip's walked again.
	 */
	struct reach {
		unsigned char *v;
		size_t alloc;
		uint32_t tip;
		int valid;
		unsigned long used;	/* when last used: the older one goes */
	} reach[2];
	unsigned char *rv;	/* the reach[].v of this query */
	unsigned long clock;
	size_t full_walks;	/* reach[] walked from scratch */
	/* one query */
	unsigned char *flags;
	size_t flags_alloc;
	uint32_t *touched;
	size_t touched_nr, touched_alloc;
	uint32_t *heap;
	size_t heap_nr, heap_alloc;
	uint32_t *stack;
	size_t stack_nr, stack_alloc;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint32_t graph_level(const struct mergebase *mb, uint32_t i)
{
	return be32(mb->cdat + (size_t)i * CDAT_WIDTH + OID_RAW + 8) >> 2;
}

/* Parent k of graph commit i: 1 (*out), 0 it has no more, -1 a bad edge list. */
static int graph_parent(const struct mergebase *mb, uint32_t i, size_t k, uint32_t *out)
{
	const unsigned char *d = mb->cdat + (size_t)i * CDAT_WIDTH + OID_RAW;
	uint32_t p1 = be32(d), p2 = be32(d + 4), e;

	if (k == 0) {
		*out = p1;
		return p1 != PARENT_NONE;
	}
	if (p2 == PARENT_NONE)
		return 0;
	if (!(p2 & PARENT_EDGES)) {
		*out = p2;
		return k == 1;
	}
	p2 &= ~PARENT_EDGES;
	/* EDGE from p2: parents 2.., the last one flagged */
	for (e = p2; e < mb->edge_n; e++) {
		uint32_t v = be32(mb->edge + (size_t)e * 4);

		if (e - p2 + 1 == k) {
			*out = v & ~EDGE_LAST;
			return 1;
		}
		if (v & EDGE_LAST)
			return 0;
	}
	return -1;
}

/* Position of id in the graph: 1 found, 0 not. */
static int graph_find(const struct mergebase *mb, const git_oid *id, uint32_t *pos)
{
	uint32_t lo = id->id[0] ? be32(mb->fanout + 4 * (id->id[0] - 1)) : 0;
	uint32_t hi = be32(mb->fanout + 4 * id->id[0]);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(mb->oidl + (size_t)mid * OID_RAW, id->id, OID_RAW);

		if (!c) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int chunk_find(const unsigned char *map, size_t size, uint32_t nchunks, const char *name,
		      const unsigned char **start, size_t *len)
{
	uint32_t i;

	for (i = 0; i < nchunks; i++) {
		const unsigned char *e = map + 8 + (size_t)i * 12;
		uint64_t off = be64(e + 4), end = be64(e + 16);

		if (memcmp(e, name, 4))
			continue;
		if (off > end || end > size - OID_RAW)
			return -1;
		*start = map + off;
		*len = (size_t)(end - off);
		return 0;
	}
	return -1;
}

/*
 * The whole file checked once: ids sorted, every parent a commit of the
 * graph below its child's level, no level 0 (written without them) or
 * capped.  The walk then trusts it.
 */
static int graph_check(struct mergebase *mb)
{
	uint32_t i, prev = 0;
	size_t k;

	for (i = 0; i < 256; i++) {
		uint32_t f = be32(mb->fanout + 4 * i);

		if (f < prev)
			return -1;
		prev = f;
	}
	for (i = 1; i < mb->n; i++)
		if (memcmp(mb->oidl + (size_t)(i - 1) * OID_RAW, mb->oidl + (size_t)i * OID_RAW,
			   OID_RAW) >= 0)
			return -1;
	for (i = 0; i < mb->n; i++) {
		uint32_t level = graph_level(mb, i), p;
		int r;

		if (!level || level >= LEVEL_MAX)
			return -1;
		for (k = 0; (r = graph_parent(mb, i, k, &p)) == 1; k++)
			if (p >= mb->n || graph_level(mb, p) >= level)
				return -1;
		if (r < 0)
			return -1;
	}
	return 0;
}

static int repo_has(const char *common, const char *name)
{
	char *p = xstrfmt("%s/%s", common, name);
	int ret = !access(p, F_OK);

	free(p);
	return ret;
}

struct mergebase *mergebase_open(git_repository *repo, const char *common_dir)
{
	struct mergebase *mb = NULL;
	git_config *cfg = NULL;
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	const unsigned char *oidf = NULL;
	size_t len;
	char *path = NULL;
	struct stat st;
	int fd = -1, on = 1;
	uint32_t nchunks;

	if (!git_repository_config_snapshot(&cfg, repo) &&
	    !git_config_get_bool(&on, cfg, "core.commitgraph") && !on)
		goto fail;
	/* history git would not read from the graph either */
	if (repo_has(common_dir, "shallow") || repo_has(common_dir, "info/grafts"))
		goto fail;
	if (!git_reference_iterator_glob_new(&it, repo, "refs/replace/*") &&
	    !git_reference_next(&ref, it))
		goto fail;
	path = xstrfmt("%s/objects/info/commit-graph", common_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < 8 + 12 + OID_RAW ||
	    (uint64_t)st.st_size > SIZE_MAX)
		goto fail;
	mb = xcalloc(1, sizeof(*mb));
	mb->repo = repo;
	mb->map_size = (size_t)st.st_size;
	mb->map = mmap(NULL, mb->map_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (mb->map == MAP_FAILED) {
		mb->map = NULL;
		goto fail;
	}
	{
		const unsigned char *m = mb->map;

		nchunks = m[6];
		if (memcmp(m, "CGPH", 4) || m[4] != 1 || m[5] != 1 || m[7] != 0 ||
		    8 + ((size_t)nchunks + 1) * 12 > mb->map_size - OID_RAW ||
		    chunk_find(m, mb->map_size, nchunks, "OIDF", &oidf, &len) < 0 || len != 1024)
			goto fail;
		mb->fanout = oidf;
		mb->n = be32(oidf + 4 * 255);
		if (chunk_find(m, mb->map_size, nchunks, "OIDL", &mb->oidl, &len) < 0 ||
		    len != (size_t)mb->n * OID_RAW ||
		    chunk_find(m, mb->map_size, nchunks, "CDAT", &mb->cdat, &len) < 0 ||
		    len != (size_t)mb->n * CDAT_WIDTH)
			goto fail;
		if (chunk_find(m, mb->map_size, nchunks, "EDGE", &mb->edge, &len) == 0)
			mb->edge_n = len / 4;
	}
	if (mb->n >= PARENT_NONE || graph_check(mb) < 0)
		goto fail;
	goto out;
fail:
	mergebase_free(mb);
	mb = NULL;
out:
	git_error_clear();
	if (fd >= 0)
		close(fd);
	free(path);
	git_reference_free(ref);
	git_reference_iterator_free(it);
	git_config_free(cfg);
	return mb;
}

void mergebase_free(struct mergebase *mb)
{
	size_t i;

	if (!mb)
		return;
	if (mb->map)
		munmap(mb->map, mb->map_size);
	for (i = 0; i < mb->extra_nr; i++)
		free(mb->extra[i].parents);
	free(mb->extra);
	free(mb->slots);
	free(mb->reach[0].v);
	free(mb->reach[1].v);
	free(mb->flags);
	free(mb->touched);
	free(mb->stack);
	free(mb->heap);
	free(mb);
}

/* extras: an open-addressing table of their ids */

static size_t slot_of(const struct mergebase *mb, const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	h &= mb->slots_nr - 1;
	while (mb->slots[h] && !git_oid_equal(&mb->extra[mb->slots[h] - 1].id, id))
		h = (h + 1) & (mb->slots_nr - 1);
	return h;
}

static void slots_add(struct mergebase *mb, uint32_t idx)
{
	if ((mb->extra_nr + 1) * 2 > mb->slots_nr) {
		size_t i, old = mb->slots_nr;
		uint32_t *o = mb->slots;

		mb->slots_nr = old ? old * 2 : 64;
		mb->slots = xcalloc(mb->slots_nr, sizeof(*mb->slots));
		for (i = 0; i < old; i++)
			if (o[i])
				mb->slots[slot_of(mb, &mb->extra[o[i] - 1].id)] = o[i];
		free(o);
	}
	mb->slots[slot_of(mb, &mb->extra[idx].id)] = idx + 1;
}

static int known(const struct mergebase *mb, const git_oid *id, uint32_t *node)
{
	size_t h;

	if (graph_find(mb, id, node))
		return 1;
	if (!mb->slots_nr)
		return 0;
	h = slot_of(mb, id);
	if (!mb->slots[h])
		return 0;
	*node = mb->n + mb->slots[h] - 1;
	return 1;
}

static uint32_t level_of(const struct mergebase *mb, uint32_t node)
{
	return node < mb->n ? graph_level(mb, node) : mb->extra[node - mb->n].level;
}

/*
 * The node of commit id, reading it (and its parents the graph does not
 * hold, down to the graph) with libgit2 when the graph does not hold it.
 */
static int node_of(struct mergebase *mb, const git_oid *id, uint32_t *out)
{
	git_oid *stack = NULL;
	size_t nr = 0, alloc = 0;
	int ret = -1;

	if (known(mb, id, out))
		return 0;
	ALLOC_GROW(stack, nr + 1, alloc);
	git_oid_cpy(&stack[nr++], id);
	while (nr) {
		git_oid cur;
		git_commit *c = NULL;
		unsigned int i, np;
		int missing = 0;
		uint32_t node;

		git_oid_cpy(&cur, &stack[nr - 1]);
		if (known(mb, &cur, &node)) {
			nr--;
			continue;
		}
		if (mb->extra_nr >= EXTRA_MAX || git_commit_lookup(&c, mb->repo, &cur) < 0)
			goto out;
		np = git_commit_parentcount(c);
		for (i = 0; i < np; i++)
			if (!known(mb, git_commit_parent_id(c, i), &node)) {
				ALLOC_GROW(stack, nr + 1, alloc);
				git_oid_cpy(&stack[nr++], git_commit_parent_id(c, i));
				missing = 1;
			}
		if (!missing) {
			struct extra *e;

			ALLOC_GROW(mb->extra, mb->extra_nr + 1, mb->extra_alloc);
			e = &mb->extra[mb->extra_nr];
			git_oid_cpy(&e->id, &cur);
			e->np = np;
			e->parents = xcalloc(np + 1, sizeof(*e->parents));
			e->level = 1;
			for (i = 0; i < np; i++) {
				known(mb, git_commit_parent_id(c, i), &e->parents[i]);
				if (level_of(mb, e->parents[i]) + 1 > e->level)
					e->level = level_of(mb, e->parents[i]) + 1;
			}
			slots_add(mb, (uint32_t)mb->extra_nr);
			mb->extra_nr++;
			nr--;
		}
		git_commit_free(c);
	}
	if (!known(mb, id, out))
		goto out;
	ret = 0;
out:
	git_error_clear();
	free(stack);
	return ret;
}

/* parent k of node: 1, or 0 when it has no more */
static int parent_of(const struct mergebase *mb, uint32_t node, size_t k, uint32_t *out)
{
	const struct extra *e;

	if (node < mb->n)
		return graph_parent(mb, node, k, out) == 1;
	e = &mb->extra[node - mb->n];
	if (k >= e->np)
		return 0;
	*out = e->parents[k];
	return 1;
}

/* the queue: a max-heap by level (a commit comes out before its ancestors) */

static int heap_above(const struct mergebase *mb, uint32_t a, uint32_t b)
{
	uint32_t la = level_of(mb, a), lb = level_of(mb, b);

	return la > lb || (la == lb && a > b);
}

static void heap_push(struct mergebase *mb, uint32_t node)
{
	size_t i;

	ALLOC_GROW(mb->heap, mb->heap_nr + 1, mb->heap_alloc);
	i = mb->heap_nr++;
	while (i && heap_above(mb, node, mb->heap[(i - 1) / 2])) {
		mb->heap[i] = mb->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	mb->heap[i] = node;
}

static uint32_t heap_pop(struct mergebase *mb)
{
	uint32_t top = mb->heap[0], last = mb->heap[--mb->heap_nr];
	size_t i = 0;

	for (;;) {
		size_t l = 2 * i + 1, best = i;
		uint32_t bv = last;

		if (l < mb->heap_nr && heap_above(mb, mb->heap[l], bv))
			best = l, bv = mb->heap[l];
		if (l + 1 < mb->heap_nr && heap_above(mb, mb->heap[l + 1], bv))
			best = l + 1;
		if (best == i)
			break;
		mb->heap[i] = mb->heap[best];
		i = best;
	}
	if (mb->heap_nr)
		mb->heap[i] = last;
	return top;
}

static void mark(struct mergebase *mb, uint32_t node, unsigned char f, size_t *nonstale)
{
	unsigned char *fl = &mb->flags[node];

	if (!*fl) {
		ALLOC_GROW(mb->touched, mb->touched_nr + 1, mb->touched_alloc);
		mb->touched[mb->touched_nr++] = node;
	}
	if ((*fl & QUEUED) && !(*fl & STALE) && (f & STALE))
		(*nonstale)--;
	*fl |= f;
	if (!(*fl & QUEUED)) {
		*fl |= QUEUED;
		if (!(*fl & STALE))
			(*nonstale)++;
		heap_push(mb, node);
	}
}

static void grow(unsigned char **v, size_t *alloc, size_t total)
{
	if (total <= *alloc)
		return;
	*v = xrealloc(*v, total);
	memset(*v + *alloc, 0, total - *alloc);
	*alloc = total;
}

static void add_result(struct mergebase *mb, uint32_t c, git_oid **out, size_t *nr, size_t *alloc)
{
	ALLOC_GROW(*out, *nr + 1, *alloc);
	if (c < mb->n)
		git_oid_fromraw(&(*out)[*nr], mb->oidl + (size_t)c * OID_RAW);
	else
		git_oid_cpy(&(*out)[*nr], &mb->extra[c - mb->n].id);
	(*nr)++;
}

/* the flags of this query back to 0 (the commits it touched) */
static void unmark(struct mergebase *mb)
{
	size_t i;

	for (i = 0; i < mb->touched_nr; i++)
		mb->flags[mb->touched[i]] = 0;
	mb->touched_nr = 0;
	mb->stack_nr = 0;
}

/* git's paint_down_to_common(), in generation order (a commit before its ancestors) */
static void paint(struct mergebase *mb, uint32_t na, uint32_t nb, git_oid **out, size_t *nr)
{
	size_t nonstale = 0, alloc = 0;

	mb->touched_nr = 0;
	mb->heap_nr = 0;
	mark(mb, na, P1, &nonstale);
	mark(mb, nb, P2, &nonstale);
	while (nonstale) {
		uint32_t c = heap_pop(mb), p;
		unsigned char f;
		size_t k;

		mb->flags[c] &= (unsigned char)~QUEUED;
		f = mb->flags[c] & (P1 | P2 | STALE);
		if (!(f & STALE))
			nonstale--;
		if (f == (P1 | P2)) {
			if (!(mb->flags[c] & RESULT)) {
				mb->flags[c] |= RESULT;
				add_result(mb, c, out, nr, &alloc);
			}
			f |= STALE;
		}
		for (k = 0; parent_of(mb, c, k, &p); k++)
			if ((mb->flags[p] & f) != f)
				mark(mb, p, f, &nonstale);
	}
	unmark(mb);
}

static void push(struct mergebase *mb, uint32_t node)
{
	ALLOC_GROW(mb->stack, mb->stack_nr + 1, mb->stack_alloc);
	mb->stack[mb->stack_nr++] = node;
}

/* a walk down in depth: node flagged P2 (to be unmarked) and on the stack */
static void walk_visit(struct mergebase *mb, uint32_t node)
{
	mb->flags[node] = P2;
	ALLOC_GROW(mb->touched, mb->touched_nr + 1, mb->touched_alloc);
	mb->touched[mb->touched_nr++] = node;
	push(mb, node);
}

/* a new walk from node: no flags set yet, an empty stack */
static void walk_start(struct mergebase *mb, uint32_t node)
{
	grow(&mb->flags, &mb->flags_alloc, (size_t)mb->n + mb->extra_nr);
	mb->touched_nr = 0;
	mb->stack_nr = 0;
	walk_visit(mb, node);
}

/* reach[]: add node and its ancestors (down to those already in) */
static void reach_add(struct mergebase *mb, uint32_t node)
{
	if (mb->rv[node])
		return;
	mb->rv[node] = 1;
	mb->stack_nr = 0;
	push(mb, node);
	while (mb->stack_nr) {
		uint32_t c = mb->stack[--mb->stack_nr], p;
		size_t k;

		for (k = 0; parent_of(mb, c, k, &p); k++)
			if (!mb->rv[p]) {
				mb->rv[p] = 1;
				push(mb, p);
			}
	}
}

/*
 * reach[] for tip: the previous tip's plus what a merge brought (tip a
 * commit made on it), else walked whole.
 */
static void reach_for(struct mergebase *mb, uint32_t tip)
{
	struct reach *r = NULL;
	uint32_t p;
	size_t i, k;
	int on_last = 0;

	for (i = 0; i < 2 && !r; i++)
		if (mb->reach[i].valid && mb->reach[i].tip == tip)
			r = &mb->reach[i];
	for (i = 0; i < 2 && !r; i++)
		for (k = 0; mb->reach[i].valid && !on_last && parent_of(mb, tip, k, &p); k++)
			if ((on_last = p == mb->reach[i].tip))
				r = &mb->reach[i];
	if (!r)
		r = &mb->reach[mb->reach[0].used > mb->reach[1].used];
	r->used = ++mb->clock;
	grow(&r->v, &r->alloc, (size_t)mb->n + mb->extra_nr);
	mb->rv = r->v;
	if (r->valid && r->tip == tip)
		return;
	if (!on_last) {
		memset(r->v, 0, r->alloc);
		mb->full_walks++;
	}
	reach_add(mb, tip);
	r->tip = tip;
	r->valid = 1;
}

/*
 * The merge bases are the most recent of the common ancestors; each is
 * reached from b by a path of commits that are not (else one of those
 * would be a more recent common ancestor): walk b's history down to
 * the tip's, which is a few commits for a topic.  One found: it is the
 * merge base.  Several: which are ancestors of others is git's
 * paint_down_to_common()'s to say.
 */
int mergebase_all(struct mergebase *mb, const git_oid *a, const git_oid *b, git_oid **out,
		  size_t *nr)
{
	uint32_t na, nb, found = 0;
	size_t alloc = 0, nfound = 0;

	*out = NULL;
	*nr = 0;
	if (node_of(mb, a, &na) < 0 || node_of(mb, b, &nb) < 0)
		return -1;
	reach_for(mb, na);
	walk_start(mb, nb);
	while (mb->stack_nr) {
		uint32_t c = mb->stack[--mb->stack_nr], p;
		size_t k;

		if (mb->rv[c]) {
			found = c;
			nfound++;
			continue;
		}
		for (k = 0; parent_of(mb, c, k, &p); k++)
			if (!mb->flags[p])
				walk_visit(mb, p);
	}
	unmark(mb);
	if (nfound == 1)
		add_result(mb, found, out, nr, &alloc);
		else if (nfound > 1)
		paint(mb, na, nb, out, nr);
	return 0;
}

/*
 * Down from b, in depth, leaving out the commits below a's level (none
 * of their ancestors can be a): as git's repo_in_merge_bases() with
 * generation numbers, a few commits for a topic that grew from a.
 * reach[] (the tip's walk) is left as it is.
 */
int mergebase_is_ancestor(struct mergebase *mb, const git_oid *a, const git_oid *b)
{
	uint32_t na, nb, la;
	int found = 0;

	if (node_of(mb, a, &na) < 0 || node_of(mb, b, &nb) < 0)
		return -1;
	if (na == nb)
		return 1;
	la = level_of(mb, na);
	walk_start(mb, nb);
	while (mb->stack_nr && !found) {
		uint32_t c = mb->stack[--mb->stack_nr], p;
		size_t k;

		for (k = 0; !found && parent_of(mb, c, k, &p); k++) {
			if (p == na)
				found = 1;
			else if (!mb->flags[p] && level_of(mb, p) >= la)
				walk_visit(mb, p);
		}
	}
	unmark(mb);
	return found;
}

size_t mergebase_full_walks(const struct mergebase *mb)
{
	return mb ? mb->full_walks : 0;
}
