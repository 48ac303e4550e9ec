#ifndef GP_MERGEBASE_H
#define GP_MERGEBASE_H

#include <git2.h>

/*
 * Merge bases (git merge-base --all) in process, from the repository's
 * commit-graph file: its commits' parents as positions and their
 * generation numbers (topological levels), walked as git's
 * paint_down_to_common() does in generation order.  libgit2 1.5 reads
 * every commit object down to the bases and ignores the commit-graph
 * (half a second for an old topic of git.git), and git merge-base is a
 * process per pair.  Commits the graph does not hold (written since, as
 * merge's own commits) are read with libgit2 once and kept.
 *
 * Only a single commit-graph file (objects/info/commit-graph, as git gc
 * and git commit-graph write leave it) is read, checked whole when
 * opened; a split chain, core.commitGraph=false, a shallow repository,
 * grafts or replace refs: not used (mergebase_open() gives NULL).
 */
struct mergebase;

/* NULL when there is no usable commit-graph (nothing is reported). */
struct mergebase *mergebase_open(git_repository *repo, const char *common_dir);
void mergebase_free(struct mergebase *mb);

/*
 * The merge bases of a and b, git merge-base --all's set: *out
 * (malloc'd, *nr of them; none: unrelated histories).  0, or -1 (a
 * commit cannot be read: nothing reported, ask someone else).
 */
int mergebase_all(struct mergebase *mb, const git_oid *a, const git_oid *b, git_oid **out,
		  size_t *nr);

/*
 * Whether a is b or one of its ancestors (git merge-base --is-ancestor):
 * 1 or 0; -1 (a commit cannot be read: nothing reported, ask someone
 * else).  Reads the graph only: no walk of the tip's is made or undone.
 */
int mergebase_is_ancestor(struct mergebase *mb, const git_oid *a, const git_oid *b);

/*
 * How many times the ancestors of a's were walked whole: a query whose a
 * is the last a (or a commit on it) walks only what is new; two such
 * walks are kept, the tip's and one other's (the pairs of merge bases
 * of several-base tasks), so that neither makes the other walked again.
 */
size_t mergebase_full_walks(const struct mergebase *mb);

#endif
