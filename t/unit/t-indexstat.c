/*
 * Unit tests for src/indexstat.c: an index libgit2 writes is read entry
 * by entry with its cache tree; the formats it cannot read exactly are
 * refused; indexstat_match() follows git's rules, the racy rule by whole
 * seconds (an mtime in the index file's second but before its
 * nanoseconds is racy: the case footprint used to trust); the files of a
 * worktree are clean by stat data, a racily clean one by its content;
 * libgit2's index is smudged where git would hash.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "gp/indexstat.h"
#include "gp/util.h"
#include "tap.h"

static char dir[] = "/tmp/t-indexstat.XXXXXX";

static char *at(const char *name)
{
	return xstrfmt("%s/%s", dir, name);
}

static void put(const char *name, const char *text)
{
	char *p = at(name);
	FILE *f = fopen(p, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

/* name's mtime (and the index's, for "index") set to sec.nsec */
static void set_mtime(const char *path, long sec, long nsec)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = sec;
	ts[0].tv_nsec = ts[1].tv_nsec = nsec;
	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static char *index_path(void)
{
	return at(".git/index");
}

/* The worktree's files, their mtimes 100 s back, all added; the cache tree written. */
static int make_index(git_repository *repo, git_oid *tree)
{
	static const char *const names[] = { "a.txt", "dir/b.txt", "dir/sub/c.txt", "link", "z", NULL };
	git_index *idx = NULL;
	long back = (long)time(NULL) - 100;
	size_t i;
	int ret = -1;
	char *p;

	p = at("dir/sub");
	mkdir_p(p, 0777);
	free(p);
	put("a.txt", "a\n");
	put("dir/b.txt", "b\n");
	put("dir/sub/c.txt", "c\n");
	put("z", "");
	p = at("link");
	unlink(p);
	if (symlink("a.txt", p) < 0)
		printf("# cannot make a symlink\n");
	free(p);
	for (i = 0; names[i]; i++) {
		p = at(names[i]);
		set_mtime(p, back, 123456789);
		free(p);
	}
	if (git_repository_index(&idx, repo) < 0)
		goto out;
	for (i = 0; names[i]; i++)
		if (git_index_add_bypath(idx, names[i]) < 0)
			goto out;
	if (git_index_write_tree(tree, idx) < 0 || git_index_write(idx) < 0)
		goto out;
	ret = 0;
out:
	git_index_free(idx);
	return ret;
}

static void test_read(const git_oid *tree)
{
	struct indexstat ix = INDEXSTAT_INIT;
	char *p = index_path();
	unsigned flags = INDEXSTAT_RACY_TIME | INDEXSTAT_HASH_RACY;

	if (!ok(indexstat_read(&ix, p) == 0, "read an index libgit2 wrote"))
		goto out;
	is_int((long)ix.nr, 5, "every entry");
	is_str(ix.entries[0].name, "a.txt", "sorted: first");
	is_str(ix.entries[2].name, "dir/sub/c.txt", "sorted: a name in a subdirectory");
	is_int((long)ix.entries[3].mode, 0120000, "a symlink's mode");
	is_int((long)ix.entries[0].size, 2, "a file's size");
	ok(ix.has_tree && git_oid_equal(&ix.tree, tree), "the cache tree names the tree written");
	ok(indexstat_tracked(&ix, "dir", 3) && indexstat_tracked(&ix, "dir/sub", 7) &&
	   indexstat_tracked(&ix, "dir/b.txt", 9) && indexstat_tracked(&ix, "z", 1),
	   "tracked: files and the directories holding them");
	ok(!indexstat_tracked(&ix, "di", 2) && !indexstat_tracked(&ix, "dir/b", 5) &&
	   !indexstat_tracked(&ix, "dir/sub/c", 9) && !indexstat_tracked(&ix, "zz", 2),
	   "tracked: not a prefix of a name");
	ok(indexstat_files_clean(&ix, dir, flags), "the files as recorded: clean");
	put("dir/b.txt", "B\n");
	ok(!indexstat_files_clean(&ix, dir, flags), "a file rewritten: not clean");
	put("dir/b.txt", "b\n");
	{
		char *b = at("dir/b.txt");
		struct stat st;

		/* the stat data made the file's again: only its content can tell */
		/* its recorded mtime again (not time(NULL) - 100: a second may have passed) */
		set_mtime(b, (long)ix.entries[1].mtime_sec, 123456789);
		lstat(b, &st);
		ix.entries[1].ctime_sec = (uint32_t)st.st_ctim.tv_sec;
		ix.entries[1].ctime_nsec = (uint32_t)st.st_ctim.tv_nsec;
		ix.entries[1].ino = (uint32_t)st.st_ino;
		ix.mtime.tv_sec = (time_t)ix.entries[1].mtime_sec;
		ix.mtime.tv_nsec = 900000000;
		ok(indexstat_files_clean(&ix, dir, flags), "racily clean, the same content: clean");
		ok(!indexstat_files_clean(&ix, dir, INDEXSTAT_RACY_TIME), "racily clean, not hashed: cannot tell");
		ok(indexstat_files_clean(&ix, dir, 0), "the racy time not asked: clean");
		put("dir/b.txt", "x\n");
		set_mtime(b, (long)ix.entries[1].mtime_sec, 123456789);
		lstat(b, &st);
		ix.entries[1].ctime_sec = (uint32_t)st.st_ctim.tv_sec;
		ix.entries[1].ctime_nsec = (uint32_t)st.st_ctim.tv_nsec;
		ok(!indexstat_files_clean(&ix, dir, flags), "racily clean, same size, other content: not clean");
		free(b);
	}
out:
	indexstat_release(&ix);
	free(p);
}

static void entry_stat(struct indexstat_entry *e, struct stat *st, const unsigned char *id)
{
	memset(e, 0, sizeof(*e));
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0644;
	e->mode = 0100644;
	st->st_size = 5;
	e->size = 5;
	st->st_mtim.tv_sec = 1000;
	e->mtime_sec = 1000;
	st->st_mtim.tv_nsec = 100;
	e->mtime_nsec = 100;
	st->st_ctim.tv_sec = 1001;
	e->ctime_sec = 1001;
	st->st_ctim.tv_nsec = 7;
	e->ctime_nsec = 7;
	st->st_ino = 42;
	e->ino = 42;
	st->st_uid = 3;
	e->uid = 3;
	st->st_gid = 4;
	e->gid = 4;
	e->id = id;
	e->name = "f";
	e->namelen = 1;
}

static void test_match(void)
{
	static const unsigned char blob[GIT_OID_RAWSZ] = { 1, 2, 3 };
	struct indexstat ix = INDEXSTAT_INIT;
	struct indexstat_entry e;
	struct stat st;

	ix.mtime.tv_sec = 2000;
	entry_stat(&e, &st, blob);
	is_int(indexstat_match(&ix, &e, &st, 1), INDEXSTAT_CLEAN, "as recorded, older than the index: clean");
#define CHANGED(what, field, value) do { \
	entry_stat(&e, &st, blob); st.field = value; \
	is_int(indexstat_match(&ix, &e, &st, 1), INDEXSTAT_CHANGED, "changed: " what); } while (0)
	CHANGED("size", st_size, 6);
	CHANGED("mtime", st_mtim.tv_sec, 999);
	CHANGED("mtime's nanoseconds", st_mtim.tv_nsec, 101);
	CHANGED("ctime", st_ctim.tv_sec, 1002);
	CHANGED("ctime's nanoseconds", st_ctim.tv_nsec, 8);
	CHANGED("inode", st_ino, 43);
	CHANGED("owner", st_uid, 0);
	CHANGED("group", st_gid, 0);
	CHANGED("executable", st_mode, S_IFREG | 0755);
	CHANGED("a symlink now", st_mode, S_IFLNK | 0777);
	CHANGED("a directory now", st_mode, S_IFDIR | 0755);
#undef CHANGED
	entry_stat(&e, &st, blob);
	e.mode = 0120000;
	st.st_mode = S_IFLNK | 0777;
	is_int(indexstat_match(&ix, &e, &st, 1), INDEXSTAT_CLEAN, "a symlink as recorded: clean");
	entry_stat(&e, &st, blob);
	ix.mtime.tv_sec = 1000;
	ix.mtime.tv_nsec = 900;
	is_int(indexstat_match(&ix, &e, &st, 1), INDEXSTAT_RACY,
	       "mtime in the index's second, before its nanoseconds: racy (git compares seconds)");
	is_int(indexstat_match(&ix, &e, &st, 0), INDEXSTAT_CLEAN, "the same without the racy time: clean");
	ix.mtime.tv_sec = 999;
	is_int(indexstat_match(&ix, &e, &st, 1), INDEXSTAT_RACY, "mtime after the index: racy");
	ix.mtime.tv_sec = 1001;
	ix.mtime.tv_nsec = 0;
	is_int(indexstat_match(&ix, &e, &st, 1), INDEXSTAT_CLEAN, "mtime a second before the index: clean");
	e.size = 0;
	st.st_size = 0;
	is_int(indexstat_match(&ix, &e, &st, 1), INDEXSTAT_RACY, "smudged (size 0, a blob not empty): racy");
	is_int(indexstat_match(&ix, &e, &st, 0), INDEXSTAT_RACY, "smudged, without the racy time: racy");
	{
		git_oid empty;

		git_odb_hash(&empty, "", 0, GIT_OBJECT_BLOB);
		e.id = empty.id;
		is_int(indexstat_match(&ix, &e, &st, 1), INDEXSTAT_CLEAN, "size 0 for the empty blob: clean");
	}
}

/* Write the index again with what change() does to it, and read it. */
static int read_after(git_repository *repo, int (*change)(git_index *))
{
	struct indexstat ix = INDEXSTAT_INIT;
	git_index *idx = NULL;
	char *p = index_path();
	int ret = -2;

	if (git_index_open(&idx, p) < 0 || git_index_read(idx, 1) < 0 || change(idx) < 0 ||
	    git_index_write(idx) < 0)
		goto out;
	ret = indexstat_read(&ix, p);
	if (!ret && !indexstat_files_clean(&ix, dir, INDEXSTAT_RACY_TIME | INDEXSTAT_HASH_RACY))
		ret = 1;
out:
	indexstat_release(&ix);
	git_index_free(idx);
	free(p);
	return ret;
}

static int set_v4(git_index *idx) { return git_index_set_version(idx, 4); }
static int set_v3(git_index *idx) { return git_index_set_version(idx, 3); }

static int entry_flag(git_index *idx, uint16_t ext)
{
	git_index_entry e;

	memcpy(&e, git_index_get_bypath(idx, "a.txt", 0), sizeof(e));
	e.flags |= GIT_INDEX_ENTRY_EXTENDED;
	e.flags_extended |= ext;
	return git_index_add(idx, &e);
}

static int skip_worktree(git_index *idx) { return entry_flag(idx, GIT_INDEX_ENTRY_SKIP_WORKTREE); }
static int intent_to_add(git_index *idx) { return entry_flag(idx, GIT_INDEX_ENTRY_INTENT_TO_ADD); }

static int conflict(git_index *idx)
{
	git_index_entry e;

	memcpy(&e, git_index_get_bypath(idx, "dir/b.txt", 0), sizeof(e));
	return git_index_conflict_add(idx, &e, &e, &e);
}

static void test_refused(git_repository *repo)
{
	struct indexstat ix = INDEXSTAT_INIT;
	char *p = index_path();
	struct strbuf sb = STRBUF_INIT;
	char *bad = at("bad-index");

	if (strbuf_read_file(&sb, p) < 0 || sb.len < 40)
		ok(0, "read the index made");
	is_int(read_after(repo, set_v3), 0, "version 3: read");
	is_int(read_after(repo, skip_worktree), 1, "a skip-worktree entry: read, not clean unless asked");
	if (!indexstat_read(&ix, p))
		ok(ix.entries[0].flags & INDEXSTAT_SKIP_WORKTREE, "a skip-worktree entry: flagged");
	ok(!indexstat_files_clean(&ix, dir, 0), "a skip-worktree entry: not clean unless asked");
	ok(indexstat_files_clean(&ix, dir, INDEXSTAT_SPARSE_OK), "a skip-worktree entry: clean when asked");
	is_int(read_after(repo, intent_to_add), -1, "an intent-to-add entry: refused");
	is_int(read_after(repo, conflict), -1, "a conflict stage: refused");
	is_int(read_after(repo, set_v4), -1, "index version 4: refused");
	ok(indexstat_read(&ix, bad) == -1 && !ix.nr, "no index: refused");
	if (sb.len < 40)
		goto out;
	write_file_atomic(bad, sb.buf, sb.len / 2, 0644);
	is_int(indexstat_read(&ix, bad), -1, "a truncated index: refused");
	{
		struct strbuf ext = STRBUF_INIT;
		size_t body = sb.len - GIT_OID_RAWSZ;

		/* an extension git requires (a split index's "link"), before the checksum */
		strbuf_add(&ext, sb.buf, body);
		strbuf_add(&ext, "link\0\0\0\0", 8);
		strbuf_add(&ext, sb.buf + body, GIT_OID_RAWSZ);
		write_file_atomic(bad, ext.buf, ext.len, 0644);
		is_int(indexstat_read(&ix, bad), -1, "a required extension: refused");
		strbuf_reset(&ext);
		strbuf_add(&ext, sb.buf, body);
		strbuf_add(&ext, "ZZZZ\0\0\0\2xx", 10);
		strbuf_add(&ext, sb.buf + body, GIT_OID_RAWSZ);
		write_file_atomic(bad, ext.buf, ext.len, 0644);
		is_int(indexstat_read(&ix, bad), 0, "an optional extension: read");
		strbuf_setlen(&ext, body + 6);
		strbuf_add(&ext, sb.buf + body, GIT_OID_RAWSZ);
		write_file_atomic(bad, ext.buf, ext.len, 0644);
		is_int(indexstat_read(&ix, bad), -1, "a cut extension: refused");
		strbuf_release(&ext);
	}
	/* the first entry's name length field says one byte more than its name */
	sb.buf[12 + 61]++;
	write_file_atomic(bad, sb.buf, sb.len, 0644);
	is_int(indexstat_read(&ix, bad), -1, "a name length field git reads otherwise: refused");
	sb.buf[12 + 61]--;
	sb.buf[0] = 'X';
	write_file_atomic(bad, sb.buf, sb.len, 0644);
	is_int(indexstat_read(&ix, bad), -1, "not an index: refused");
out:
	indexstat_release(&ix);
	strbuf_release(&sb);
	free(bad);
	free(p);
}

static void test_checked(void)
{
	struct indexstat ix = INDEXSTAT_INIT;
	char *p = index_path(), *rec = at(".git/gp-index-checked");
	struct timespec from, before;

	if (!ok(indexstat_read(&ix, p) == 0, "checked: read the index"))
		goto out;
	before = ix.mtime;
	ok(indexstat_clock(&from, dir) == 0 && from.tv_sec >= before.tv_sec, "a clock from the filesystem");
	from.tv_sec = before.tv_sec + 5;
	indexstat_checked_save(&ix, rec, &from);
	indexstat_checked_load(&ix, rec);
	ok(ix.mtime.tv_sec == from.tv_sec && ix.mtime.tv_nsec == from.tv_nsec,
	   "the same index: the racy rule's time is when its files were checked");
	ix.mtime = before;
	ix.file.st_ctim.tv_nsec ^= 1;
	indexstat_checked_load(&ix, rec);
	ok(ix.mtime.tv_sec == before.tv_sec, "another ctime: another index, its own time");
	ix.file.st_ctim.tv_nsec ^= 1;
	ix.file.st_size++;
	indexstat_checked_load(&ix, rec);
	ok(ix.mtime.tv_sec == before.tv_sec, "another size: another index, its own time");
	ix.file.st_size--;
	from.tv_sec = before.tv_sec - 5;
	indexstat_checked_save(&ix, rec, &from);
	indexstat_checked_load(&ix, rec);
	ok(ix.mtime.tv_sec == before.tv_sec + 5, "a record older than the index is not written");

	/* the tree the index was found to hold (its cache tree could not say) */
	ix.tree_known = 1;
	memset(&ix.tree_held, 0x5a, sizeof(ix.tree_held));
	indexstat_checked_save(&ix, rec, &from);
	if (!ok(indexstat_read(&ix, p) == 0, "checked: read the index again"))
		goto out;
	ix.has_tree = 0;
	indexstat_checked_load(&ix, rec);
	ok(ix.tree_known && ix.has_tree && ix.tree.id[0] == 0x5a && ix.tree_held.id[19] == 0x5a,
	   "a tree recorded even with an older time: read back as the index's tree");
	ok(ix.mtime.tv_sec == before.tv_sec + 5, "... with the time of the record it replaced");
	if (!ok(indexstat_read(&ix, p) == 0, "checked: read the index once more"))
		goto out;
	indexstat_checked_load(&ix, rec);
	ok(ix.has_tree && ix.tree.id[0] != 0x5a, "a valid cache tree is not overridden by a record");
	ix.file.st_ino++;
	ix.tree_known = 0;
	ix.has_tree = 0;
	indexstat_checked_load(&ix, rec);
	ok(!ix.tree_known && !ix.has_tree, "another inode: another index, no tree from the record");
	ix.file.st_ino--;

	/* racily clean entries, told from the index alone */
	ok(!indexstat_has_racy(&ix), "files 100 s older than the index: none racy");
	ix.mtime.tv_sec = (time_t)ix.entries[0].mtime_sec;
	ok(indexstat_has_racy(&ix), "the index's time at a file's mtime second: racy");
out:
	indexstat_release(&ix);
	free(rec);
	free(p);
}

static void test_smudge(git_repository *repo)
{
	git_index *idx = NULL;
	const git_index_entry *a, *b;
	char *p = index_path();
	int32_t sec;

	if (git_index_open(&idx, p) < 0 || git_index_read(idx, 1) < 0)
		goto out;
	a = git_index_get_bypath(idx, "a.txt", 0);
	sec = a->mtime.seconds;
	set_mtime(p, (long)sec, 999999999);	/* the index in a.txt's second, after it */
	b = git_index_get_bypath(idx, "dir/b.txt", 0);
	((git_index_entry *)b)->mtime.seconds = sec - 1;
	indexstat_smudge_racy(idx, p);
	a = git_index_get_bypath(idx, "a.txt", 0);
	b = git_index_get_bypath(idx, "dir/b.txt", 0);
	ok(a->mtime.seconds == 0 && a->ino == 0, "an entry in the index's second: smudged in memory");
	ok(b->mtime.seconds == sec - 1, "an entry a second older: left alone");
out:
	git_index_free(idx);
	free(p);
}

int main(void)
{
	git_repository *repo = NULL;
	git_oid tree;

	git_libgit2_init();
	if (!mkdtemp(dir) || git_repository_init(&repo, dir, 0) < 0 || make_index(repo, &tree) < 0) {
		ok(0, "setup: %s", git_error_last() ? git_error_last()->message : "mkdtemp");
		return tap_done();
	}
	test_match();
	test_read(&tree);
	/* the files and the index as made first, for each of the following */
	ok(make_index(repo, &tree) == 0, "the index made again");
	test_smudge(repo);
	ok(make_index(repo, &tree) == 0, "the index made again");
	test_checked();
	test_refused(repo);
	{
		char *cmd = xstrfmt("rm -rf '%s'", dir);

		if (system(cmd))
			printf("# cannot remove %s\n", dir);
		free(cmd);
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return tap_done();
}
