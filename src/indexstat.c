/*
 * indexstat.c: an index file's entries and their stat data, git's rules
 * for comparing them with lstat(), the racy rule in one place.
 */
#define _GNU_SOURCE	/* getdents64(): glibc 2.30 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gp/indexstat.h"
#include "gp/spawn.h"

static const unsigned char empty_blob[GIT_OID_RAWSZ] = {
	0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b,
	0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2, 0xe4, 0x8c, 0x53, 0x91
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void indexstat_release(struct indexstat *ix)
{
	strbuf_release(&ix->buf);
	free(ix->entries);
	ix->entries = NULL;
	ix->nr = 0;
	ix->version = 0;
	ix->has_tree = 0;
	ix->tree_known = 0;
	memset(&ix->tree, 0, sizeof(ix->tree));
	memset(&ix->tree_held, 0, sizeof(ix->tree_held));
	memset(&ix->mtime, 0, sizeof(ix->mtime));
	memset(&ix->file, 0, sizeof(ix->file));
}

/*
 * The root of a cache tree (extension TREE, len bytes at p) into ix when
 * it is valid and covers all entries.  Its first record: the empty path,
 * NUL, "<entries> <subtrees>\n", the tree's id (when <entries> is not -1:
 * an invalid one).
 */
static void cache_tree_root(struct indexstat *ix, const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len, *nl;
	char *stop;
	long count;

	if (len < 2 || p[0] != '\0' || !(nl = memchr(p + 1, '\n', len - 1)) ||
	    (size_t)(end - nl - 1) < GIT_OID_RAWSZ)
		return;
	count = strtol((const char *)p + 1, &stop, 10);
	if (stop == (const char *)p + 1 || *stop != ' ' || count < 0 || (size_t)count != ix->nr)
		return;
	git_oid_fromraw(&ix->tree, nl + 1);
	ix->has_tree = 1;
}

int indexstat_read(struct indexstat *out, const char *path)
{
	struct stat st;
	char chunk[65536];
	ssize_t n = -1;
	int fd;

	indexstat_release(out);
	/* the stat data of the very file read: it may be replaced meanwhile */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (!fstat(fd, &st)) {
		strbuf_grow(&out->buf, (size_t)st.st_size);
		while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			strbuf_add(&out->buf, chunk, (size_t)n);
		}
	}
	close(fd);
	if (n < 0) {
		indexstat_release(out);
		return -1;
	}
	out->mtime = st.st_mtim;
	out->file = st;
	return indexstat_parse(out);
}

int indexstat_parse(struct indexstat *out)
{
	const unsigned char *p, *end;
	uint32_t nr, i;

	free(out->entries);
	out->entries = NULL;
	out->nr = 0;
	out->has_tree = 0;
	if (out->buf.len < 12 + GIT_OID_RAWSZ)
		goto refuse;
	p = (const unsigned char *)out->buf.buf;
	end = p + out->buf.len - GIT_OID_RAWSZ;
	out->version = be32(p + 4);
	nr = be32(p + 8);
	if (memcmp(p, "DIRC", 4) || (out->version != 2 && out->version != 3) || nr > out->buf.len / 62)
		goto refuse;
	out->entries = xcalloc((size_t)nr + 1, sizeof(*out->entries));
	for (p += 12, i = 0; i < nr; i++) {
		struct indexstat_entry *e = &out->entries[i];
		size_t fixed = 62;
		uint16_t flags;

		if (end - p < 62)
			goto refuse;
		flags = (uint16_t)(p[60] << 8 | p[61]);
		if (flags & (0x8000 | 0x3000))
			goto refuse;	/* assume-valid: git would not look; or a conflict stage */
		if (flags & 0x4000) {	/* extended flags (version 3) */
			uint16_t ext;

			if (out->version < 3 || end - p < 64)
				goto refuse;
			ext = (uint16_t)(p[62] << 8 | p[63]);
			if (ext & ~0x4000)
				goto refuse;	/* intent-to-add, or a flag we do not know */
			if (ext & 0x4000)
				e->flags |= INDEXSTAT_SKIP_WORKTREE;
			fixed = 64;
		}
		e->name = (const char *)p + fixed;
		e->namelen = strnlen(e->name, (size_t)(end - p) - fixed);
		if (!e->namelen || e->namelen == (size_t)(end - p) - fixed ||
		    (size_t)(end - p) < ((fixed + e->namelen + 8) & ~(size_t)7))
			goto refuse;
		if ((flags & 0xfff) != (e->namelen < 0xfff ? e->namelen : 0xfff))
			goto refuse;	/* git would read another name (its length field) */
		if (i && strcmp(out->entries[i - 1].name, e->name) >= 0)
			goto refuse;	/* not sorted, or twice */
		e->ctime_sec = be32(p);
		e->ctime_nsec = be32(p + 4);
		e->mtime_sec = be32(p + 8);
		e->mtime_nsec = be32(p + 12);
		e->ino = be32(p + 20);
		e->mode = be32(p + 24);
		e->uid = be32(p + 28);
		e->gid = be32(p + 32);
		e->size = be32(p + 36);
		e->id = p + 40;
		p += (fixed + e->namelen + 8) & ~(size_t)7;
	}
	out->nr = nr;
	/* extensions: one git requires (lower case: a split or sparse index) is not read here */
	while (end - p >= 8) {
		uint32_t len = be32(p + 4);

		if (p[0] < 'A' || p[0] > 'Z' || (size_t)(end - p - 8) < len)
			goto refuse;
		if (!memcmp(p, "TREE", 4))
			cache_tree_root(out, p + 8, len);
		p += 8 + len;
	}
	if (p != end)
		goto refuse;
	return 0;
refuse:
	indexstat_release(out);
	return -1;
}

int indexstat_tracked(const struct indexstat *ix, const char *path, size_t len)
{
	size_t lo = 0, hi = ix->nr;

	while (lo < hi) {	/* the first entry not below path */
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(ix->entries[mid].name, path, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->nr; lo++) {	/* "path", then maybe "path-x", "path.c" before "path/..." */
		const char *n = ix->entries[lo].name;

		if (strncmp(n, path, len))
			return 0;
		if (!n[len] || n[len] == '/')
			return 1;
	}
	return 0;
}

/* git's racy rule: the entry's mtime second at or after the index file's (ix's time known) */
static int racy_time(const struct indexstat *ix, uint32_t mtime_sec)
{
	return ix->mtime.tv_sec && (int64_t)mtime_sec >= (int64_t)(uint32_t)ix->mtime.tv_sec;
}

static int smudged(uint32_t size, const unsigned char *id)
{
	return !size && memcmp(id, empty_blob, GIT_OID_RAWSZ);
}

int indexstat_has_racy(const struct indexstat *ix)
{
	size_t i;

	for (i = 0; i < ix->nr; i++)
		if (smudged(ix->entries[i].size, ix->entries[i].id) || racy_time(ix, ix->entries[i].mtime_sec))
			return 1;
	return 0;
}

enum indexstat_match indexstat_match(const struct indexstat *ix, const struct indexstat_entry *e,
				     const struct stat *st, int racy)
{
	if (e->mode == 0120000u ? !S_ISLNK(st->st_mode) :
	    !S_ISREG(st->st_mode) || e->mode != ((st->st_mode & 0100) ? 0100755u : 0100644u))
		return INDEXSTAT_CHANGED;
	if (e->ctime_sec != (uint32_t)st->st_ctim.tv_sec || e->ctime_nsec != (uint32_t)st->st_ctim.tv_nsec ||
	    e->mtime_sec != (uint32_t)st->st_mtim.tv_sec || e->mtime_nsec != (uint32_t)st->st_mtim.tv_nsec ||
	    e->ino != (uint32_t)st->st_ino || e->uid != (uint32_t)st->st_uid ||
	    e->gid != (uint32_t)st->st_gid || e->size != (uint32_t)st->st_size)
		return INDEXSTAT_CHANGED;
	if (smudged(e->size, e->id) || (racy && racy_time(ix, e->mtime_sec)))
		return INDEXSTAT_RACY;
	return INDEXSTAT_CLEAN;
}

int indexstat_same_content(const struct indexstat_entry *e, int dfd, const char *base,
			   const struct stat *st)
{
	struct strbuf sb = STRBUF_INIT;
	git_oid oid;
	int same = 0, fd = -1;

	if (S_ISLNK(st->st_mode)) {
		ssize_t n;

		strbuf_grow(&sb, (size_t)st->st_size + 1);
		n = readlinkat(dfd, base, sb.buf, (size_t)st->st_size + 1);
		if (n < 0 || (off_t)n != st->st_size)
			goto out;
		strbuf_setlen(&sb, (size_t)n);
	} else {
		char chunk[65536];
		ssize_t n;

		if ((fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			goto out;
		strbuf_grow(&sb, (size_t)st->st_size);
		while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				goto out;
			strbuf_add(&sb, chunk, (size_t)n);
		}
	}
	same = !git_odb_hash(&oid, sb.buf, sb.len, GIT_OBJECT_BLOB) &&
		!memcmp(oid.id, e->id, GIT_OID_RAWSZ);
out:
	git_error_clear();
	if (fd >= 0)
		close(fd);
	strbuf_release(&sb);
	return same;
}

/* The directories of a run of sorted names, each opened once below top (not following symlinks). */
struct walk {
	int root, dfd;
	struct strbuf dir;
};

static int walk_open(struct walk *w, const char *top)
{
	w->dfd = -1;
	strbuf_init(&w->dir, 0);
	w->root = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return w->root < 0 ? -1 : 0;
}

/*
 * The directory dir (a relative path) below root, one component at a
 * time, none followed when it is a symlink: git takes a file behind a
 * symlinked leading directory as deleted (lstat() of "d/e/f" would follow
 * a symlink "d" to the very files, their stat data intact).  "", "." and
 * ".." are refused too.  An fd, or -1.
 */
static int open_below(int root, const char *dir)
{
	char *copy = xstrdup(dir), *comp = copy, *slash;
	int fd = root;

	for (;;) {
		int next;

		if ((slash = strchr(comp, '/')))
			*slash = '\0';
		if (!*comp || !strcmp(comp, ".") || !strcmp(comp, ".."))
			next = -1;
		else
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd != root)
			close(fd);
		fd = next;
		if (fd < 0 || !slash)
			break;
		comp = slash + 1;
	}
	free(copy);
	return fd;
}

static int walk_dir(struct walk *w, const char *name, const char **base)
{
	const char *slash = strrchr(name, '/');
	size_t len = slash ? (size_t)(slash - name) : 0;

	*base = slash ? slash + 1 : name;
	if (w->dfd >= 0 && w->dir.len == len && !memcmp(w->dir.buf, name, len))
		return w->dfd;
	if (w->dfd >= 0 && w->dfd != w->root)
		close(w->dfd);
	strbuf_reset(&w->dir);
	strbuf_add(&w->dir, name, len);
	w->dfd = len ? open_below(w->root, w->dir.buf) : w->root;
	return w->dfd;
}

static void walk_close(struct walk *w)
{
	if (w->dfd >= 0 && w->dfd != w->root)
		close(w->dfd);
	if (w->root >= 0)
		close(w->root);
	w->dfd = w->root = -1;
	strbuf_release(&w->dir);
}

/* Is name below dfd an empty directory (a submodule git has not checked out)? */
static int empty_dir(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	int empty = !!d;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

/*
 * At most this many paths, and bytes of them, on git diff-files' command
 * line; more are asked of git without a pathspec (the whole worktree).
 */
#define ASK_GIT_PATHS 512
#define ASK_GIT_BYTES (64 * 1024)

/*
 * Does git find the files paths of the worktree at top clean: git
 * diff-files --quiet, which compares a file whose stat data match its
 * index entry and which git takes as racily clean by the blob git would
 * write for it (convert_to_git: the path's attributes as git reads them,
 * eol, core.autocrlf, ident, filter drivers, working-tree-encoding),
 * with the index loaded as git status has it; it never writes the index.
 * Run without a shell, on the worktree's own repository (GIT_DIR is
 * top/.git, which git follows as a gitfile, GIT_WORK_TREE is top: not a
 * repository above it when .git is gone; see spawn.h for the rest of its
 * environment), its output and errors discarded.  1 clean, 0 not, or git
 * could not tell: also when it did not finish within parallel.git-timeout
 * (a filter driver that hangs), then it is stopped, said once, and git is
 * not asked again in this command (the files count as changed).
 */
static int git_hung;

static int git_says_clean(const char *top, const struct strlist *paths)
{
	const char **argv = xcalloc(paths->nr + 6, sizeof(*argv));
	struct spawn sp = SPAWN_INIT;
	char *gitdir;
	size_t n = 0, i, bytes = 0;
	int clean, rc;

	if (git_hung) {
		free(argv);
		return 0;
	}
	gitdir = xstrfmt("%s/.git", top);
	argv[n++] = "git";
	argv[n++] = "--literal-pathspecs";
	argv[n++] = "diff-files";
	argv[n++] = "--quiet";
	for (i = 0; i < paths->nr; i++)
		bytes += strlen(paths->v[i]) + 1;
	if (paths->nr <= ASK_GIT_PATHS && bytes <= ASK_GIT_BYTES) {
		argv[n++] = "--";
		for (i = 0; i < paths->nr; i++)
			argv[n++] = paths->v[i];
	}
	argv[n] = NULL;
	sp.argv = argv;
	sp.dir = top;
	sp.git_dir = gitdir;
	sp.work_tree = top;
	sp.out = sp.err = SPAWN_NULL;
	rc = spawn_run(&sp, NULL, gp_git_deadline());
	if (rc == SPAWN_TIMED_OUT) {
		char *limit = gp_git_timeout_text();

		git_hung = 1;
		warning("git diff-files in '%s' did not finish %s: stopped it; files git "
			"was to compare count as changed", top, limit);
		free(limit);
	}
	clean = rc == 0;
	free(gitdir);
	free(argv);
	return clean;
}

/*
 * Is e's file, base in directory dfd, clean by indexstat_files_clean()'s
 * rules?  1 yes (a racily clean file hashed: *hashed set; one to ask git
 * about: pushed on ask), 0 no or it cannot tell.
 */
static int entry_clean(const struct indexstat *ix, const struct indexstat_entry *e, int dfd,
		       const char *base, unsigned flags, struct strlist *ask, int *hashed)
{
	struct stat st;

	if (e->mode == GIT_FILEMODE_COMMIT)
		/* a submodule checked out: its own status decides */
		return (flags & INDEXSTAT_GITLINK_EMPTY) && empty_dir(dfd, base);
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	switch (indexstat_match(ix, e, &st, !!(flags & INDEXSTAT_RACY_TIME))) {
	case INDEXSTAT_CLEAN:
		return 1;
	case INDEXSTAT_RACY:
		if (!(flags & INDEXSTAT_HASH_RACY))
			return 0;
		if (indexstat_same_content(e, dfd, base, &st)) {
			*hashed = 1;
			return 1;
		}
		/* not as is: maybe as git converts it (a symlink never is) */
		if (!(flags & INDEXSTAT_ASK_GIT) || !S_ISREG(st.st_mode))
			return 0;
		strlist_push(ask, e->name);
		return 1;
	default:
		return 0;
	}
}

/* 1, 2 or 3 (indexstat_files_clean()) when nothing failed and git, asked, says clean; else 0 */
static int clean_result(const char *top, const struct strlist *ask, int hashed)
{
	if (ask->nr && !git_says_clean(top, ask))
		return 0;
	return ask->nr ? 3 : hashed ? 2 : 1;
}

int indexstat_files_clean(const struct indexstat *ix, const char *top, unsigned flags)
{
	struct walk w;
	struct strlist ask = STRLIST_INIT;
	size_t i;
	int clean = 0, hashed = 0;

	if (walk_open(&w, top) < 0)
		goto out;
	for (i = 0; i < ix->nr; i++) {
		const struct indexstat_entry *e = &ix->entries[i];
		const char *base;
		int dfd;

		if (e->flags & INDEXSTAT_SKIP_WORKTREE) {
			if (flags & INDEXSTAT_SPARSE_OK)
				continue;	/* sparse: not in the worktree */
			goto out;
		}
		if ((dfd = walk_dir(&w, e->name, &base)) < 0 ||
		    !entry_clean(ix, e, dfd, base, flags, &ask, &hashed))
			goto out;
	}
	clean = clean_result(top, &ask, hashed);
out:
	walk_close(&w);
	strlist_clear(&ask);
	return clean;
}

/* indexstat_worktree_clean()'s walk */
struct tree_walk {
	const struct indexstat *ix;
	unsigned flags;
	struct strbuf path;	/* the directory's, "" or ending in '/' */
	struct strlist ask;
	int hashed;
};

/* Is name, in the directory tw->path, tracked (or does it lead to tracked files)? */
static int name_tracked(struct tree_walk *tw, const char *name)
{
	size_t plen = tw->path.len;
	int ok;

	if (!strcmp(name, ".") || !strcmp(name, "..") || (!plen && !strcmp(name, ".git")))
		return 1;
	strbuf_addstr(&tw->path, name);
	ok = indexstat_tracked(tw->ix, tw->path.buf, tw->path.len);
	strbuf_setlen(&tw->path, plen);
	return ok;
}

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
/*
 * Does every name in the directory dfd (tw->path) lead to a tracked
 * file?  Read with getdents64() on dfd itself: a DIR would cost an
 * fcntl() and an fstat() per directory (a fifth of a scan's system
 * calls); only dfd's offset moves, which its *at() calls do not use.
 * 1 or 0.
 */
static int names_tracked(struct tree_walk *tw, int dfd)
{
	char buf[32768];
	ssize_t n;

	while ((n = getdents64(dfd, buf, sizeof(buf))) != 0) {
		ssize_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		while (off < n) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);

			if (!name_tracked(tw, de->d_name))
				return 0;
			off += de->d_reclen;
		}
	}
	return 1;
}
#else
static int names_tracked(struct tree_walk *tw, int dfd)
{
	int fd = dup(dfd);
	DIR *dh = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	int ok = !!dh;

	if (!dh && fd >= 0)
		close(fd);
	while (ok && (de = readdir(dh)))
		ok = name_tracked(tw, de->d_name);
	if (dh)
		closedir(dh);
	return ok;
}
#endif

/*
 * The entries lo..hi of tw->ix, all below tw->path, in the directory dfd:
 * its names all tracked, each file clean, each subdirectory (opened
 * without following a symlink) the same, recursively.  Files are
 * lstat()ed and subdirectories opened from dfd.  1 or 0.
 */
static int tree_clean(struct tree_walk *tw, int dfd, size_t lo, size_t hi)
{
	size_t plen = tw->path.len, i = lo;

	if (!names_tracked(tw, dfd))
		return 0;
	while (i < hi) {
		const struct indexstat_entry *e = &tw->ix->entries[i];
		const char *rest = e->name + plen, *slash = strchr(rest, '/');
		size_t j, dlen;
		int sub = -1, ok;

		if (!slash) {
			if (e->flags & INDEXSTAT_SKIP_WORKTREE) {
				if (!(tw->flags & INDEXSTAT_SPARSE_OK))
					return 0;
			} else if (!entry_clean(tw->ix, e, dfd, rest, tw->flags, &tw->ask, &tw->hashed)) {
				return 0;
			}
			i++;
			continue;
		}
		/* the subdirectory's entries: the run of names below "<path><dir>/" */
		dlen = (size_t)(slash - rest) + 1;
		for (j = i + 1; j < hi; j++)
			if (strncmp(tw->ix->entries[j].name + plen, rest, dlen))
				break;
		strbuf_add(&tw->path, rest, dlen - 1);	/* its name, for openat() */
		if (strcmp(tw->path.buf + plen, ".") && strcmp(tw->path.buf + plen, ".."))
			sub = openat(dfd, tw->path.buf + plen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		strbuf_addch(&tw->path, '/');
		ok = sub >= 0 && tree_clean(tw, sub, i, j);
		if (sub >= 0)
			close(sub);
		strbuf_setlen(&tw->path, plen);
		if (!ok)
			return 0;
		i = j;
	}
	return 1;
}

int indexstat_worktree_clean(const struct indexstat *ix, const char *top, unsigned flags)
{
	struct tree_walk tw = { ix, flags, STRBUF_INIT, STRLIST_INIT, 0 };
	int root = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC), clean = 0;

	if (root >= 0 && tree_clean(&tw, root, 0, ix->nr))
		clean = clean_result(top, &tw.ask, tw.hashed);
	if (root >= 0)
		close(root);
	strbuf_release(&tw.path);
	strlist_clear(&tw.ask);
	return clean;
}

int indexstat_clock(struct timespec *out, const char *dir)
{
	char *tmp = xstrfmt("%s/gp-clock.tmp.%ld", dir, (long)getpid());
	struct stat st;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), ret = -1;

	if (fd >= 0) {
		if (!fstat(fd, &st)) {
			*out = st.st_mtim;
			ret = 0;
		}
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

/*
 * The index file's identity: mtime, ctime (which no one can set back: an
 * index written in place and given its old mtime again differs), size,
 * inode.
 */
static int index_identity(char *buf, size_t len, const struct stat *st)
{
	return snprintf(buf, len, "%lld %lld %lld %lld %lld %lld",
			(long long)st->st_mtim.tv_sec, (long long)st->st_mtim.tv_nsec,
			(long long)st->st_ctim.tv_sec, (long long)st->st_ctim.tv_nsec,
			(long long)st->st_size, (long long)st->st_ino);
}

/*
 * "<from s> <from ns> <the index's identity>[ tree <hex>]\n": the tree,
 * when the index was found to hold it (its cache tree on disk cannot
 * say).  A record without it is one an older build wrote.
 */
void indexstat_checked_load(struct indexstat *ix, const char *checked_path)
{
	struct strbuf sb = STRBUF_INIT;
	char id[160];
	const char *rest, *tree;
	long long v[2];
	size_t idlen;
	int n = 0;

	if (!ix->file.st_ino || strbuf_read_file(&sb, checked_path) < 0 ||
	    sscanf(sb.buf, "%lld %lld %n", &v[0], &v[1], &n) != 2 || !n)
		goto out;
	strbuf_trim(&sb);
	idlen = (size_t)index_identity(id, sizeof(id), &ix->file);
	rest = sb.buf + n;
	if (strncmp(rest, id, idlen) || (rest[idlen] && rest[idlen] != ' '))
		goto out;	/* not this very index */
	tree = rest[idlen] ? rest + idlen + 1 : NULL;
	if (tree && (strncmp(tree, "tree ", 5) || strlen(tree + 5) != GIT_OID_HEXSZ ||
		     git_oid_fromstr(&ix->tree_held, tree + 5) < 0)) {
		git_error_clear();
		goto out;	/* not a record this reads */
	}
	if (tree && !ix->has_tree) {
		ix->tree = ix->tree_held;
		ix->has_tree = 1;
	}
	ix->tree_known = !!tree;
	if (v[0] > (long long)ix->mtime.tv_sec && v[1] >= 0 && v[1] < 1000000000) {
		ix->mtime.tv_sec = (time_t)v[0];
		ix->mtime.tv_nsec = (long)v[1];
	}
out:
	strbuf_release(&sb);
}

void indexstat_checked_save(const struct indexstat *ix, const char *checked_path,
			    const struct timespec *from)
{
	char id[160], line[300], hex[GIT_OID_HEXSZ + 1];
	const struct timespec *t = from;
	int n;

	if (!ix->file.st_ino || (from->tv_sec <= ix->mtime.tv_sec && !ix->tree_known))
		return;
	if (from->tv_sec <= ix->mtime.tv_sec)
		t = &ix->mtime;	/* only the tree is news */
	index_identity(id, sizeof(id), &ix->file);
	n = snprintf(line, sizeof(line), "%lld %lld %s%s%s\n",
		     (long long)t->tv_sec, (long long)t->tv_nsec, id,
		     ix->tree_known ? " tree " : "",
		     ix->tree_known ? git_oid_tostr(hex, sizeof(hex), &ix->tree_held) : "");
	/* a cache: a read-only or full git directory only costs the next check some hashing */
	(void)write_file_quietly(checked_path, line, (size_t)n, 0644);
}

void indexstat_smudge_racy(git_index *idx, const char *index_path)
{
	struct indexstat ix = INDEXSTAT_INIT;	/* only its time: the racy rule's reference */
	struct stat st;
	size_t i, n = git_index_entrycount(idx);

	if (stat(index_path, &st) < 0)
		return;	/* no index file: no entry was recorded in it */
	ix.mtime = st.st_mtim;
	for (i = 0; i < n; i++) {
		/*
		 * In place: only stat data change, never the name the
		 * index is sorted and hashed by.
		 */
		git_index_entry *e = (git_index_entry *)git_index_get_byindex(idx, i);

		if (!e || e->mode == GIT_FILEMODE_COMMIT ||
		    !(smudged(e->file_size, e->id.id) || racy_time(&ix, (uint32_t)e->mtime.seconds)))
			continue;
		e->mtime.seconds = e->mtime.nanoseconds = 0;
		e->ctime.seconds = e->ctime.nanoseconds = 0;
		e->ino = 0;
	}
}
