/*
 * tree_side_diff() (treediff.c) against libgit2's git_diff_tree_to_tree()
 * on random pairs of trees: files edited, added, deleted, made
 * executable or links, files that become directories and back, whole
 * subtrees added and removed.  The two must name the same paths with
 * the same ids and modes on both sides.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "tap.h"
#include "gp/treediff.h"

static unsigned int seed = 12345;

static unsigned int rnd(unsigned int n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

/* A tree of up to depth levels: names a..e, files and subtrees. */
static void build(git_repository *repo, git_oid *out, int depth, unsigned int variant)
{
	git_treebuilder *tb = NULL;
	static const char *const names[] = { "a", "b", "b.c", "c", "d-e", "e" };
	size_t i;

	git_treebuilder_new(&tb, repo, NULL);
	for (i = 0; i < 6; i++) {
		unsigned int r = rnd(10);
		git_oid id;
		char buf[64];

		if (r < 2)
			continue;	/* absent */
		if (r < 4 && depth > 0) {
			build(repo, &id, depth - 1, variant);
			git_treebuilder_insert(NULL, tb, names[i], &id, GIT_FILEMODE_TREE);
			continue;
		}
		snprintf(buf, sizeof(buf), "%s %u\n", names[i], rnd(3) + (r == 9 ? variant : 0));
		git_blob_create_from_buffer(&id, repo, buf, strlen(buf));
		git_treebuilder_insert(NULL, tb, names[i], &id,
				       r == 8 ? GIT_FILEMODE_BLOB_EXECUTABLE :
				       r == 7 ? GIT_FILEMODE_LINK : GIT_FILEMODE_BLOB);
	}
	if (!git_treebuilder_entrycount(tb)) {
		git_oid id;

		git_blob_create_from_buffer(&id, repo, "x\n", 2);
		git_treebuilder_insert(NULL, tb, "keep", &id, GIT_FILEMODE_BLOB);
	}
	git_treebuilder_write(out, tb);
	git_treebuilder_free(tb);
}

static int compare(git_repository *repo, const git_oid *a, const git_oid *b, int round)
{
	git_tree *ta = NULL, *tb = NULL;
	git_diff *d = NULL;
	git_diff_options o;
	struct tree_side s;
	size_t i, n, want = 0, good = 0;

	tree_side_init(&s);
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags |= GIT_DIFF_INCLUDE_TYPECHANGE;
	if (git_tree_lookup(&ta, repo, a) < 0 || git_tree_lookup(&tb, repo, b) < 0 ||
	    git_diff_tree_to_tree(&d, repo, ta, tb, &o) < 0 || tree_side_diff(&s, repo, a, b) < 0) {
		ok(0, "round %d: diff", round);
		goto out;
	}
	n = git_diff_num_deltas(d);
	for (i = 0; i < n; i++) {
		const git_diff_delta *dd = git_diff_get_delta(d, i);
		const char *path = dd->new_file.path;
		const struct tree_change *c = tree_side_get(&s, path);
		unsigned int om = dd->status == GIT_DELTA_ADDED ? 0 : dd->old_file.mode;
		unsigned int nm = dd->status == GIT_DELTA_DELETED ? 0 : dd->new_file.mode;

		want++;
		if (c && c->old_mode == om && c->new_mode == nm &&
		    (!om || git_oid_equal(&c->old_id, &dd->old_file.id)) &&
		    (!nm || git_oid_equal(&c->new_id, &dd->new_file.id)))
			good++;
		else
			printf("# round %d: %s: libgit2 %o -> %o, ours %o -> %o\n", round, path, om, nm,
			       c ? c->old_mode : 0, c ? c->new_mode : 0);
	}
	ok(want == good && s.nr == want, "round %d: %zu changes as libgit2's diff (ours: %zu)",
	   round, want, s.nr);
out:
	tree_side_release(&s);
	git_diff_free(d);
	git_tree_free(ta);
	git_tree_free(tb);
	return 0;
}

/* tree_update() */

/* *id without the empty trees (e) in it, written again */
static int strip_empty(git_repository *repo, git_oid *id, const git_oid *e)
{
	git_tree *t = NULL;
	git_treebuilder *tb = NULL;
	size_t i;
	int ret = -1;

	if (git_tree_lookup(&t, repo, id) < 0 || git_treebuilder_new(&tb, repo, NULL) < 0)
		goto out;
	for (i = 0; i < git_tree_entrycount(t); i++) {
		const git_tree_entry *x = git_tree_entry_byindex(t, i);
		git_oid sub;

		git_oid_cpy(&sub, git_tree_entry_id(x));
		if (git_tree_entry_type(x) == GIT_OBJECT_TREE) {
			if (strip_empty(repo, &sub, e) < 0)
				goto out;
			if (git_oid_equal(&sub, e))
				continue;
		}
		if (git_treebuilder_insert(NULL, tb, git_tree_entry_name(x), &sub,
					   git_tree_entry_filemode(x)) < 0)
			goto out;
	}
	ret = git_treebuilder_write(id, tb);
out:
	git_treebuilder_free(tb);
	git_tree_free(t);
	return ret;
}

struct paths {
	char v[256][64];
	unsigned int mode[256];
	size_t nr;
};

static int collect(const char *root, const git_tree_entry *e, void *payload)
{
	struct paths *p = payload;

	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && p->nr < 256) {
		snprintf(p->v[p->nr], sizeof(p->v[0]), "%s%s", root, git_tree_entry_name(e));
		p->mode[p->nr++] = git_tree_entry_filemode(e);
	}
	return 0;
}

/*
 * Random updates of tree a (files removed, changed, made executable or
 * links; new files in old and new directories; sometimes every file of a
 * directory removed): tree_update() gives libgit2's tree, but without
 * the trees left empty (git cannot have them; libgit2 1.5 keeps them).
 */
static struct tree_cache *cache;

static void updates(git_repository *repo, const git_oid *a, int round)
{
	static struct paths p;
	git_tree_update ups[64];
	char names[64][80];
	git_tree *ta = NULL;
	git_oid ours, theirs;
	size_t i, n = 0;
	int empties = 0;

	p.nr = 0;
	if (git_tree_lookup(&ta, repo, a) < 0 || git_tree_walk(ta, GIT_TREEWALK_PRE, collect, &p) < 0) {
		ok(0, "round %d: walk", round);
		goto out;
	}
	for (i = 0; i < p.nr && n < 40; i++) {
		unsigned int r = rnd(10);
		char buf[32];

		if (r < 5 && round % 4)
			continue;
		memset(&ups[n], 0, sizeof(ups[n]));
		snprintf(names[n], sizeof(names[n]), "%s", p.v[i]);
		ups[n].path = names[n];
		if (r < 7 || !(round % 4)) {
			ups[n].action = GIT_TREE_UPDATE_REMOVE;
		} else {
			ups[n].action = GIT_TREE_UPDATE_UPSERT;
			snprintf(buf, sizeof(buf), "new %u\n", rnd(1000));
			git_blob_create_from_buffer(&ups[n].id, repo, buf, strlen(buf));
			ups[n].filemode = r == 9 ? GIT_FILEMODE_BLOB_EXECUTABLE :
				r == 8 ? GIT_FILEMODE_LINK : GIT_FILEMODE_BLOB;
		}
		n++;
	}
	for (i = 0; i < 4 && n < 60 && round % 4; i++) {
		/* in a directory of a (a file's), a new one, or the top */
		const char *f = p.nr ? p.v[rnd((unsigned int)p.nr)] : "", *slash = strrchr(f, '/');
		unsigned int r = rnd(3);

		memset(&ups[n], 0, sizeof(ups[n]));
		if (r == 0 && slash)
			snprintf(names[n], sizeof(names[n]), "%.*snew-%d", (int)(slash - f + 1), f, (int)i);
		else
			snprintf(names[n], sizeof(names[n]), "%snew-%d", r == 1 ? "zz/q/" : "", (int)i);
		ups[n].path = names[n];
		ups[n].action = GIT_TREE_UPDATE_UPSERT;
		git_blob_create_from_buffer(&ups[n].id, repo, "n\n", 2);
		ups[n].filemode = GIT_FILEMODE_BLOB;
		n++;
	}
	if (tree_update(&ours, repo, a, ups, n, cache) < 0 ||
	    git_tree_create_updated(&theirs, repo, ta, n, ups) < 0) {
		/* both refuse the same lists: a new file where a file is */
		ok(tree_update(&ours, repo, a, ups, n, cache) < 0 &&
		   git_tree_create_updated(&theirs, repo, ta, n, ups) < 0, "round %d: both refuse", round);
		git_error_clear();
		goto out;
	}
	empties = !git_oid_equal(&ours, &theirs);
	if (empties) {
		/* libgit2's tree without its empty trees must be ours */
		git_oid e;
		git_treebuilder *tb = NULL;

		git_treebuilder_new(&tb, repo, NULL);
		git_treebuilder_write(&e, tb);
		git_treebuilder_free(tb);
		ok(strip_empty(repo, &theirs, &e) == 0 && git_oid_equal(&ours, &theirs),
		   "round %d: %zu updates, libgit2's tree less its empty trees", round, n);
	} else {
		ok(1, "round %d: %zu updates, libgit2's tree", round, n);
	}
	{
		/* again on the tree just written: read from the cache */
		git_tree_update up2[2];
		git_tree *tt = NULL;
		git_oid o2, t2;

		memset(up2, 0, sizeof(up2));
		up2[0].action = up2[1].action = GIT_TREE_UPDATE_UPSERT;
		up2[0].path = "zz/q/second";
		up2[1].path = n ? ups[0].path : "top-second";
		up2[0].filemode = up2[1].filemode = GIT_FILEMODE_BLOB_EXECUTABLE;
		git_blob_create_from_buffer(&up2[0].id, repo, "2\n", 2);
		git_oid_cpy(&up2[1].id, &up2[0].id);
		ok(!tree_update(&o2, repo, &ours, up2, 2, cache) && !git_tree_lookup(&tt, repo, &ours) &&
		   !git_tree_create_updated(&t2, repo, tt, 2, up2) && git_oid_equal(&o2, &t2),
		   "round %d: an update of that tree, from the cache", round);
		git_tree_free(tt);
	}
out:
	git_tree_free(ta);
}

/*
 * A tree out of git's order (git fsck: treeNotSorted): both the diff
 * and tree_update() refuse it, rather than lose or double an entry.
 */
static void unsorted(git_repository *repo)
{
	git_odb *odb = NULL;
	git_oid blob, bad, good;
	git_tree_update up;
	struct tree_side s;
	struct strbuf raw = STRBUF_INIT;
	const git_error *e;
	const char *names[] = { "b", "a" };
	size_t i;
	git_oid out;

	git_blob_create_from_buffer(&blob, repo, "x\n", 2);
	for (i = 0; i < 2; i++) {
		strbuf_addf(&raw, "100644 %s", names[i]);
		strbuf_addch(&raw, '\0');
		strbuf_add(&raw, blob.id, GIT_OID_RAWSZ);
	}
	if (git_repository_odb(&odb, repo) < 0 ||
	    git_odb_write(&bad, odb, raw.buf, raw.len, GIT_OBJECT_TREE) < 0) {
		ok(0, "cannot write an unsorted tree");
		goto out;
	}
	memset(&up, 0, sizeof(up));
	up.action = GIT_TREE_UPDATE_UPSERT;
	up.path = "a";
	up.filemode = GIT_FILEMODE_BLOB_EXECUTABLE;
	git_oid_cpy(&up.id, &blob);
	ok(tree_update(&out, repo, &bad, &up, 1, NULL) < 0 && (e = git_error_last()) &&
	   strstr(e->message, "is not sorted (git fsck: treeNotSorted)"),
	   "tree_update() refuses a base tree out of git's order");
	up.path = "c";
	ok(tree_update(&good, repo, &bad, &up, 1, NULL) < 0,
	   "... even for a name it does not hold");
	tree_side_init(&s);
	build(repo, &good, 1, 0);
	ok(tree_side_diff(&s, repo, &good, &bad) < 0 && s.unsorted && (e = git_error_last()) &&
	   strstr(e->message, "is not sorted (git fsck: treeNotSorted)"),
	   "tree_side_diff() refuses a new tree out of git's order");
	ok(tree_side_diff(&s, repo, &bad, &good) < 0 && s.unsorted,
	   "tree_side_diff() refuses an old tree out of git's order");
	ok(!tree_side_diff(&s, repo, &bad, &bad) && !s.unsorted && !s.nr,
	   "... but not one it need not read");
	tree_side_release(&s);
out:
	strbuf_release(&raw);
	git_odb_free(odb);
}

int main(void)
{
	char dir[] = "/tmp/gp-t-treediff.XXXXXX";
	git_repository *repo = NULL;
	git_oid a, b;
	struct tree_side s;
	int round;

	git_libgit2_init();
	if (!mkdtemp(dir) || git_repository_init(&repo, dir, 1) < 0) {
		ok(0, "cannot make a repository in %s", dir);
		return tap_done();
	}
	cache = tree_cache_new();
	for (round = 0; round < 60; round++) {
		unsigned int keep = seed;

		build(repo, &a, 3, 0);
		/* the same shape, mostly: a second tree from a close seed */
		seed = keep + (unsigned int)(round % 3);
		build(repo, &b, 3, 1);
		compare(repo, &a, &b, round);
		updates(repo, &a, round);
	}
	tree_side_init(&s);
	ok(!tree_side_diff(&s, repo, &a, &a) && s.nr == 0, "a tree against itself: no change");
	tree_side_release(&s);
	unsorted(repo);
	tree_cache_free(cache);
	git_repository_free(repo);
	{
		char cmd[64];

		/* the directory name is ours: no shell metacharacters */
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		ok(system(cmd) == 0, "cleanup");
	}
	git_libgit2_shutdown();
	return tap_done();
}
