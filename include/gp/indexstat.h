#ifndef GP_INDEXSTAT_H
#define GP_INDEXSTAT_H
/*
 * An index file's entries with their stat data, read without libgit2
 * (which takes ten times as long to load an index), and git's rules for
 * telling from them whether a file changed: one parser and one racy rule
 * for every reader (footprint's worktree scan, merge's checked-out
 * target).  Only what can be read exactly is read: index version 2 or 3,
 * no conflict stage, no assume-unchanged or intent-to-add entry, no
 * extension git requires (split or sparse index).  Anything else is
 * refused, quietly: the caller then asks git or libgit2.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <git2.h>
#include "gp/util.h"

enum indexstat_entry_flags {
	INDEXSTAT_SKIP_WORKTREE = 1 << 0,	/* sparse checkout: not in the worktree */
};

struct indexstat_entry {
	const char *name;		/* borrowed from the index's bytes (NUL-terminated) */
	size_t namelen;
	uint32_t ctime_sec, ctime_nsec, mtime_sec, mtime_nsec;
	uint32_t ino, mode, uid, gid, size;
	const unsigned char *id;	/* GIT_OID_RAWSZ bytes, borrowed */
	unsigned flags;			/* enum indexstat_entry_flags */
};

struct indexstat {
	struct strbuf buf;		/* the file's bytes */
	struct timespec mtime;		/* the index file's: the racy rule's reference */
	uint32_t version;
	size_t nr;
	struct indexstat_entry *entries;	/* sorted by name, each name once */
	int has_tree;			/* the cache tree's root is valid for every entry: */
	git_oid tree;			/* then the tree the index holds */
	struct stat file;		/* indexstat_read(): the index file's stat() */
	/*
	 * The index holds the tree tree_held, found by comparing its entries
	 * with the tree (its cache tree on disk cannot say): recorded and
	 * read back by indexstat_checked_save()/_load().
	 */
	int tree_known;
	git_oid tree_held;
};

#define INDEXSTAT_INIT { STRBUF_INIT, { 0, 0 }, 0, 0, NULL, 0, { { 0 } } }

/*
 * Read the index file at path into *out (released first).  0, or -1 when
 * it is absent, unreadable, or not one this reads exactly (see above);
 * nothing is reported.
 */
int indexstat_read(struct indexstat *out, const char *path);
/* The same, of the bytes already in out->buf (out->mtime left alone): a fuzz target's way in. */
int indexstat_parse(struct indexstat *out);
void indexstat_release(struct indexstat *ix);

/* Is path (len bytes) tracked in ix, as a file or as a directory holding tracked files? */
int indexstat_tracked(const struct indexstat *ix, const char *path, size_t len);

enum indexstat_match {
	INDEXSTAT_CLEAN = 0,		/* git trusts the stat data: unchanged */
	INDEXSTAT_CHANGED = 1,		/* stat data differ: changed, or git compares content */
	INDEXSTAT_RACY = 2,		/* stat data as recorded, but git compares content */
};

/*
 * Does st (lstat() of e's file) match e as git would have it?  Mode (a
 * regular file's executable bit, or a symlink), size, mtime and ctime to
 * the nanosecond, inode, owner: all as recorded, else CHANGED.  Then git's
 * racy rule (Debian's git 2.39, built without USE_NSEC, compares whole
 * seconds): an entry whose mtime second is at or after the index file's
 * is racily clean, and so is one git smudged (size 0 for a blob that is
 * not empty): RACY, its content decides.  With racy 0 only a smudged
 * entry is RACY: the caller knows the stat data were taken after the
 * files were written (git read-tree's own).
 */
enum indexstat_match indexstat_match(const struct indexstat *ix, const struct indexstat_entry *e,
				     const struct stat *st, int racy);

/*
 * Has ix an entry git would take as racily clean if its file's stat
 * data matched (its mtime second at or after ix->mtime's, or smudged)?
 * Without one, no file of ix is hashed.
 */
int indexstat_has_racy(const struct indexstat *ix);

/*
 * Is the content of e's file (base in directory dfd, lstat() st), hashed
 * as is (a filter that would change it makes it differ), e's blob?  How
 * git settles a racily clean entry.  1 same, 0 not (or unreadable).
 */
int indexstat_same_content(const struct indexstat_entry *e, int dfd, const char *base,
			   const struct stat *st);

enum indexstat_files_flags {
	INDEXSTAT_RACY_TIME = 1 << 0,	/* the racy rule's time (else only smudged entries are racy) */
	INDEXSTAT_HASH_RACY = 1 << 1,	/* a racy entry's content decides (else it fails) */
	INDEXSTAT_SPARSE_OK = 1 << 2,	/* a skip-worktree entry passes (else it fails) */
	INDEXSTAT_GITLINK_EMPTY = 1 << 3,	/* a submodule not checked out passes (else it fails) */
	/*
	 * With INDEXSTAT_HASH_RACY: a racy file whose content as is is not
	 * its blob is asked of git (its attributes and filters may make it
	 * the blob: *.bat eol=crlf ...), all such files of top at once
	 * (git diff-files --quiet, which writes nothing)
	 */
	INDEXSTAT_ASK_GIT = 1 << 4,
};

/*
 * Would git find every file of ix, in the worktree at top, clean from
 * the stat data (indexstat_match(), flags above)?  Each directory is
 * opened once, files lstat()ed from it.  1 yes; 2 yes, racily clean
 * files among them hashed; 3 yes, and git said some racily clean files
 * were (INDEXSTAT_ASK_GIT only); 0 no, or it cannot tell: the caller
 * asks git or libgit2.
 */
int indexstat_files_clean(const struct indexstat *ix, const char *top, unsigned flags);
/*
 * The same, and every name in a directory of tracked files (but .git at
 * the top) is tracked or leads to tracked files: no untracked or ignored
 * file there, as git status would show none.  One walk: each directory
 * opened once (below its parent, no symlink followed), read, and its
 * files lstat()ed from it.  1, 2 or 3 as above; 0 also for a name not
 * tracked.
 */
int indexstat_worktree_clean(const struct indexstat *ix, const char *top, unsigned flags);

/*
 * A time on the filesystem of directory dir, from a scratch file made
 * there (its mtime, as git's racy rule takes the index file's): a file
 * written after this call has an mtime at or after it.  0, or -1 (a
 * read-only directory ...), nothing reported.
 */
int indexstat_clock(struct timespec *out, const char *dir);

/*
 * The racy rule's time as it was when this index's racily clean files
 * were last found clean by their content: a record in the file
 * checked_path, kept beside the index.  indexstat_checked_load() sets
 * ix->mtime from it when it names this very index (same mtime, ctime,
 * size and inode) and a later time, and the tree the record says the
 * index holds (ix->tree_known, tree_held; has_tree and tree too when the
 * cache tree did not say); indexstat_checked_save() records that every
 * file of ix was found clean, checking having started at time from
 * (indexstat_clock() before the first file was read: a file rewritten
 * since has a later mtime, and its stat data no longer match), and
 * tree_held when tree_known.  Both quiet: a record that cannot be read
 * or written only costs hashing, or comparing the index with the tree.
 */
void indexstat_checked_load(struct indexstat *ix, const char *checked_path);
void indexstat_checked_save(const struct indexstat *ix, const char *checked_path,
			    const struct timespec *from);

/*
 * For libgit2's diff of a worktree: libgit2 1.5's racy rule compares
 * nanoseconds and trusts a smudged entry whose file is empty, where git
 * compares content.  Give every entry of idx (loaded from index_path)
 * that git takes as racily clean stat data no file has, in memory only,
 * so that the diff hashes it.  idx must not be written afterwards.
 */
void indexstat_smudge_racy(git_index *idx, const char *index_path);

#endif
