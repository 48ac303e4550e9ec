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
	for (round = 0; round < 60; round++) {
		unsigned int keep = seed;

		build(repo, &a, 3, 0);
		/* the same shape, mostly: a second tree from a close seed */
		seed = keep + (unsigned int)(round % 3);
		build(repo, &b, 3, 1);
		compare(repo, &a, &b, round);
	}
	tree_side_init(&s);
	ok(!tree_side_diff(&s, repo, &a, &a) && s.nr == 0, "a tree against itself: no change");
	tree_side_release(&s);
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
