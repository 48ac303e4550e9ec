#ifndef GP_TREEDIFF_H
#define GP_TREEDIFF_H

#include <git2.h>

#include "gp/util.h"

/*
 * What changed from one tree to another, path by path, found top-down:
 * a subtree whose id is the same on both sides is not read (libgit2 1.5's
 * git_diff_tree_to_tree() reads every tree of both sides whole, and
 * git_diff_foreach() then looks up each path's diff driver in the
 * attributes, a realpath() per path).  No rename detection: a rename is
 * a deletion and an addition, as in a plain diff.  A file that became a
 * directory (or the reverse) is the file's deletion and an addition per
 * file below (libgit2 without GIT_DIFF_INCLUDE_TYPECHANGE_TREES); a
 * regular file that became a link is one change (its mode changes).
 */
struct tree_change {
	const char *path;	/* the key in tree_side.changed */
	git_oid old_id, new_id;	/* zero where absent */
	unsigned int old_mode, new_mode;	/* 0 where absent */
};

struct tree_side {
	struct strmap changed;	/* path -> (void *)(index + 1) into ch */
	struct tree_change *ch;
	size_t nr, alloc;
	struct strmap deleted_dirs;	/* directories where files were deleted ("" the top), or gone whole */
	struct strmap dirs;	/* every directory above a changed path */
	size_t added;		/* how many paths were added */
	int unsorted;		/* the diff failed on a tree out of git's order */
};

void tree_side_init(struct tree_side *s);
void tree_side_release(struct tree_side *s);

/* The change at path, or NULL. */
const struct tree_change *tree_side_get(const struct tree_side *s, const char *path);

/*
 * Fill s (emptied first) with the changes from the tree old_tree to the
 * tree new_tree of repo.  0, or -1 with libgit2's error set (not
 * reported); s->unsorted when a tree read is not in git's order (git
 * fsck: treeNotSorted), which is refused.
 */
int tree_side_diff(struct tree_side *s, git_repository *repo, const git_oid *old_tree,
		   const git_oid *new_tree);

/* Record one change into s, as tree_side_diff() does. */
void tree_side_add(struct tree_side *s, const char *path, const git_oid *old_id,
		   unsigned int old_mode, const git_oid *new_id, unsigned int new_mode);

/*
 * git_tree_create_updated(), top-down: only the trees on the updated
 * paths are rewritten, straight from the parsed tree's entries into the
 * object's bytes (libgit2 1.5 copies every entry of each such tree into
 * a hash map, sorts and formats them again: most of a merge's own time
 * on a large tree).  A tree left empty is removed, as git does.  Entries
 * are written in git's order with git's canonical modes.  Anything else
 * (a path both a file and a directory in the list, removing what is not
 * there, a file in the way of a directory) is left to
 * git_tree_create_updated().  0, or -1 with libgit2's error set.
 */
struct tree_cache;
int tree_update(git_oid *out, git_repository *repo, const git_oid *base_tree,
		const git_tree_update *ups, size_t n, struct tree_cache *cache);

/*
 * The last trees tree_update() wrote, as bytes (the next update of the
 * same tree reads them here, not inflated again from a new loose object).
 */
struct tree_cache *tree_cache_new(void);
void tree_cache_free(struct tree_cache *tc);

#endif
