/*
 * Task footprints: one diff per task, from its merge base with the pinned
 * base to its branch (and its worktree), with the changed line ranges of
 * every file in base coordinates (TECH-NOTES.md "Diffs").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "gp/convert.h"
#include "gp/footprint.h"
#include "gp/gitmerge.h"
#include "gp/indexstat.h"
#include "gp/state.h"
#include "gp/treediff.h"

void footprint_init(struct footprint *fp)
{
	memset(fp, 0, sizeof(*fp));
	strlist_init(&fp->notes);
}

void footprint_release(struct footprint *fp)
{
	size_t i;

	for (i = 0; i < fp->nr; i++) {
		free(fp->files[i].path);
		free(fp->files[i].old_path);
		free(fp->files[i].ranges);
	}
	free(fp->files);
	git_diff_free(fp->diff);
	free(fp->id);
	free(fp->branch);
	free(fp->worktree);
	strlist_clear(&fp->notes);
	footprint_init(fp);
}

size_t footprint_own(const struct footprint *fp)
{
	size_t i, own = 0;

	for (i = 0; i < fp->nr; i++)
		own += !fp->files[i].inherited;
	return own;
}

const char *footprint_change_name(enum fp_change c)
{
	switch (c) {
	case FP_ADDED:
		return "added";
	case FP_DELETED:
		return "deleted";
	case FP_MODIFIED:
		return "modified";
	case FP_RENAMED:
		return "renamed";
	case FP_TYPECHANGE:
		return "typechange";
	}
	return "modified";
}

static void note(struct footprint *fp, const char *fmt, ...) GP_PRINTF(2, 3);
static void note(struct footprint *fp, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strlist_push_nodup(&fp->notes, strbuf_detach(&sb, NULL));
}

static const char *short_oid(char *buf, const git_oid *oid)
{
	git_oid_tostr(buf, 8, oid);
	return buf;
}

/* --- collecting deltas and hunks ---------------------------------------- */

struct collect {
	struct footprint *fp;
	const char *workdir;	/* for hashing worktree files, or NULL */
	git_repository *repo;
	struct fp_file *cur;
	git_index *index;	/* a worktree's, for sparse_gone(), or NULL */
};

/*
 * A file a sparse checkout left out (skip-worktree in the index, not in
 * the worktree): libgit2 1.5 diffs it as deleted; git does not, nor do we.
 */
static int sparse_gone(git_index *index, const git_diff_delta *d)
{
	const git_index_entry *e;

	if (!index || d->status != GIT_DELTA_DELETED || !d->old_file.path)
		return 0;
	e = git_index_get_bypath(index, d->old_file.path, 0);
	return e && (e->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE);
}

static int file_cb(const git_diff_delta *d, float progress, void *data)
{
	struct collect *c = data;
	struct footprint *fp = c->fp;
	struct fp_file *f;

	(void)progress;
	if (sparse_gone(c->index, d)) {
		c->cur = NULL;
		return 0;
	}
	ALLOC_GROW(fp->files, fp->nr + 1, fp->alloc);
	f = &fp->files[fp->nr++];
	memset(f, 0, sizeof(*f));
	c->cur = f;
	switch (d->status) {
	case GIT_DELTA_ADDED:
	case GIT_DELTA_UNTRACKED:
	case GIT_DELTA_COPIED:
		f->change = FP_ADDED;
		break;
	case GIT_DELTA_DELETED:
		f->change = FP_DELETED;
		break;
	case GIT_DELTA_RENAMED:
		f->change = FP_RENAMED;
		break;
	case GIT_DELTA_TYPECHANGE:
		f->change = FP_TYPECHANGE;
		break;
	default:
		f->change = FP_MODIFIED;
		break;
	}
	if (f->change == FP_DELETED) {
		f->path = xstrdup(d->old_file.path);
		f->old_path = xstrdup(d->old_file.path);
	} else {
		f->path = xstrdup(d->new_file.path);
		if (f->change != FP_ADDED)
			f->old_path = xstrdup(d->old_file.path);
	}
	if (f->change != FP_ADDED) {
		f->old_mode = d->old_file.mode;
		git_oid_cpy(&f->old_id, &d->old_file.id);
	}
	if (f->change != FP_DELETED) {
		f->new_mode = d->new_file.mode;
		if (d->new_file.flags & GIT_DIFF_FLAG_VALID_ID)
			git_oid_cpy(&f->new_id, &d->new_file.id);
		else if (c->workdir && f->new_mode != GIT_FILEMODE_COMMIT) {
			/* a worktree file: hash it as git add would (without filters) */
			char *full = xstrfmt("%s/%s", c->workdir, f->path);
			struct stat stt;

			if (!lstat(full, &stt) && S_ISLNK(stt.st_mode)) {
				char target[4096];
				ssize_t n = readlink(full, target, sizeof(target));

				if (n >= 0)
					git_odb_hash(&f->new_id, target, (size_t)n, GIT_OBJECT_BLOB);
			} else if (git_odb_hashfile(&f->new_id, full, GIT_OBJECT_BLOB) < 0) {
				git_error_clear();
			}
			free(full);
		} else if (!git_oid_is_zero(&d->new_file.id)) {
			git_oid_cpy(&f->new_id, &d->new_file.id);
		}
	}
	if (d->flags & GIT_DIFF_FLAG_BINARY)
		f->binary = 1;
	return 0;
}

static int binary_cb(const git_diff_delta *d, const git_diff_binary *b, void *data)
{
	struct collect *c = data;

	(void)d;
	(void)b;
	if (c->cur)
		c->cur->binary = 1;
	return 0;
}

static int hunk_cb(const git_diff_delta *d, const git_diff_hunk *h, void *data)
{
	struct collect *c = data;
	struct fp_file *f = c->cur;

	(void)d;
	if (!f)
		return 0;
	ALLOC_GROW(f->ranges, f->ranges_nr + 1, f->ranges_alloc);
	f->ranges[f->ranges_nr].start = h->old_start < 0 ? 0 : (unsigned int)h->old_start;
	f->ranges[f->ranges_nr].lines = h->old_lines < 0 ? 0 : (unsigned int)h->old_lines;
	f->ranges_nr++;
	return 0;
}

static void diff_options(git_diff_options *o, int workdir);
static int patch_ranges(struct fp_file *f, git_patch *patch);

static unsigned long blob_diffs;	/* diffs run (threads add atomically) */

unsigned long footprint_blob_diffs(void)
{
	return __atomic_load_n(&blob_diffs, __ATOMIC_RELAXED);
}

static void count_diff(void)
{
	__atomic_fetch_add(&blob_diffs, 1, __ATOMIC_RELAXED);
}

/* The pending hunks of f from the diff it was found in. */
static int hunks_from_diff(struct fp_file *f)
{
	git_patch *patch = NULL;
	int ret = 0;

	count_diff();
	if (git_patch_from_diff(&patch, f->diff, f->delta) < 0) {
		ret = error("cannot diff '%s': %s", f->path, gp_git_error());
		goto out;
	}
	f->diff = NULL;
	ret = patch_ranges(f, patch);
out:
	git_patch_free(patch);
	return ret;
}

/* f's blobs can be diffed as blobs (no submodule, no type change)? */
static int blob_pair(const struct fp_file *f)
{
	return f->change != FP_TYPECHANGE && f->old_mode != GIT_FILEMODE_COMMIT &&
		f->new_mode != GIT_FILEMODE_COMMIT;
}

/* Neither way to read f's pending hunks worked (the blobs are not in repo). */
static int hunks_fallback(struct fp_file *f)
{
	if (f->diff)
		return hunks_from_diff(f);
	return error("cannot diff '%s': %s", f->path, gp_git_error());
}

int footprint_file_hunks(struct fp_file *f)
{
	if (f->diff)
		return hunks_from_diff(f);
	if (f->blobs_in)
		return footprint_file_hunks_in(f, f->blobs_in);
	return 0;
}

int footprint_file_hunks_in(struct fp_file *f, git_repository *repo)
{
	git_blob *a = NULL, *b = NULL;
	git_patch *patch = NULL;
	git_diff_options o;
	int ret;

	if (!f->diff && !f->blobs_in)
		return 0;
	if (!repo || !blob_pair(f) ||
	    (f->change != FP_ADDED && git_blob_lookup(&a, repo, &f->old_id) < 0) ||
	    (f->change != FP_DELETED && git_blob_lookup(&b, repo, &f->new_id) < 0)) {
		ret = hunks_fallback(f);
		git_error_clear();
		git_blob_free(a);
		git_blob_free(b);
		return ret;
	}
	diff_options(&o, 0);
	count_diff();
	if (git_patch_from_blobs(&patch, a, fp_file_base_path(f), b, f->path, &o) < 0) {
		ret = error("cannot diff '%s': %s", f->path, gp_git_error());
	} else {
		f->diff = NULL;
		f->blobs_in = NULL;
		ret = patch_ranges(f, patch);
	}
	git_patch_free(patch);
	git_blob_free(a);
	git_blob_free(b);
	return ret;
}

/* --- blob diffs, each computed once ------------------------------------ */


static void blob_diff_free(struct fp_blob_diff *bd)
{
	size_t i;

	if (!bd)
		return;
	for (i = 0; i < bd->ranges_nr; i++)
		strbuf_release(&bd->text[i]);
	free(bd->text);
	free(bd->ranges);
	free(bd);
}

void fp_diff_cache_clear(struct fp_diff_cache *dc)
{
	size_t i;

	for (i = 0; i < dc->map.size; i++)
		if (dc->map.v[i].key)
			blob_diff_free(dc->map.v[i].value);
	strmap_clear(&dc->map);
}

static int bd_file_cb(const git_diff_delta *d, float progress, void *payload)
{
	struct fp_blob_diff *bd = payload;

	(void)progress;
	if (d->flags & GIT_DIFF_FLAG_BINARY)
		bd->binary = 1;
	return 0;
}

static int bd_hunk_cb(const git_diff_delta *d, const git_diff_hunk *h, void *payload)
{
	struct fp_blob_diff *bd = payload;

	(void)d;
	ALLOC_GROW(bd->ranges, bd->ranges_nr + 1, bd->ranges_alloc);
	ALLOC_GROW(bd->text, bd->ranges_nr + 1, bd->text_alloc);
	bd->ranges[bd->ranges_nr].start = h->old_start < 0 ? 0 : (unsigned int)h->old_start;
	bd->ranges[bd->ranges_nr].lines = h->old_lines < 0 ? 0 : (unsigned int)h->old_lines;
	strbuf_init(&bd->text[bd->ranges_nr], 0);
	bd->ranges_nr++;
	return 0;
}

static int bd_line_cb(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l,
		      void *payload)
{
	struct fp_blob_diff *bd = payload;

	(void)d;
	(void)h;
	if (bd->ranges_nr && (l->origin == GIT_DIFF_LINE_ADDITION || l->origin == GIT_DIFF_LINE_ADD_EOFNL ||
			      l->origin == GIT_DIFF_LINE_DEL_EOFNL)) {
		strbuf_addch(&bd->text[bd->ranges_nr - 1], l->origin);
		strbuf_add(&bd->text[bd->ranges_nr - 1], l->content, l->content_len);
	}
	return 0;
}

void footprint_blob_diff_key(struct strbuf *key, const git_oid *old, const git_oid *new,
			     const char *old_path, const char *new_path)
{
	char ho[GIT_OID_HEXSZ + 1] = "-", hn[GIT_OID_HEXSZ + 1] = "-";

	if (old)
		git_oid_tostr(ho, sizeof(ho), old);
	if (new)
		git_oid_tostr(hn, sizeof(hn), new);
	strbuf_reset(key);
	strbuf_addf(key, "%s..%s %s%c%s", ho, hn, old_path ? old_path : "", '\n',
		    new_path ? new_path : "");
}

static int blob_diff_compute(struct fp_blob_diff **out, git_repository *repo,
			     const git_oid *old, const git_oid *new,
			     const char *old_path, const char *new_path, uint32_t diff_flags)
{
	struct fp_blob_diff *bd = NULL;
	git_blob *a = NULL, *b = NULL;
	git_diff_options o;
	int ret = -1;

	*out = NULL;
	if ((old && git_blob_lookup(&a, repo, old) < 0) || (new && git_blob_lookup(&b, repo, new) < 0))
		goto out;
	bd = xcalloc(1, sizeof(*bd));
	diff_options(&o, 0);
	o.flags |= diff_flags;
	count_diff();
	if (git_diff_blobs(a, old_path, b, new_path, &o, bd_file_cb, NULL, bd_hunk_cb, bd_line_cb, bd) < 0) {
		blob_diff_free(bd);
		goto out;
	}
	*out = bd;
	ret = 0;
out:
	git_blob_free(a);
	git_blob_free(b);
	return ret;
}

int footprint_blob_diff_compute(struct fp_blob_diff **out, git_repository *repo,
				const git_oid *old, const git_oid *new,
				const char *old_path, const char *new_path)
{
	return blob_diff_compute(out, repo, old, new, old_path, new_path, 0);
}

int footprint_blob_diff_compute_as(struct fp_blob_diff **out, git_repository *repo,
				   const git_oid *old, const git_oid *new, uint32_t diff_flags)
{
	return blob_diff_compute(out, repo, old, new, NULL, NULL, diff_flags);
}

/*
 * libgit2's diff driver (git_diff_driver_lookup()) makes of a "diff"
 * attribute only binary flags for the diff (its function-name patterns
 * change hunk headers, which no range depends on): unset, or a driver
 * whose diff.<driver>.binary is neither true nor false, none; -diff, or
 * diff.<driver>.binary true, GIT_DIFF_FORCE_BINARY; diff, or
 * diff.<driver>.binary false, GIT_DIFF_FORCE_TEXT.  drivers caches the
 * drivers' flags by name.
 */
int footprint_diff_flags(uint32_t *flags, git_repository *repo, const char *path,
			 struct strmap *drivers)
{
	const char *v = NULL;
	struct strbuf key = STRBUF_INIT;
	git_config *cfg = NULL;
	void *cached;
	int b;

	*flags = 0;
	if (git_attr_get(&v, repo, 0, path, "diff") < 0) {
		git_error_clear();
		return -1;
	}
	switch (git_attr_value(v)) {
	case GIT_ATTR_VALUE_UNSPECIFIED:
		return 0;
	case GIT_ATTR_VALUE_FALSE:
		*flags = GIT_DIFF_FORCE_BINARY;
		return 0;
	case GIT_ATTR_VALUE_TRUE:
		*flags = GIT_DIFF_FORCE_TEXT;
		return 0;
	default:
		break;
	}
	if ((cached = strmap_get(drivers, v))) {
		*flags = (uint32_t)((uintptr_t)cached - 1);
		return 0;
	}
	strbuf_addf(&key, "diff.%s.binary", v);
	if (!git_repository_config_snapshot(&cfg, repo) && !git_config_get_bool(&b, cfg, key.buf))
		*flags = b ? GIT_DIFF_FORCE_BINARY : GIT_DIFF_FORCE_TEXT;
	git_error_clear();
	git_config_free(cfg);
	strbuf_release(&key);
	strmap_put(drivers, v, (void *)((uintptr_t)*flags + 1), NULL);
	return 0;
}

void fp_diff_cache_put(struct fp_diff_cache *dc, const char *key, struct fp_blob_diff *bd)
{
	struct strmap_entry *e;
	int found;

	e = strmap_put(&dc->map, key, NULL, &found);
	if (found)
		blob_diff_free(e->value);
	e->value = bd;
}

int footprint_blob_diff(const struct fp_blob_diff **out, struct fp_diff_cache *dc,
			git_repository *repo, const git_oid *old, const git_oid *new,
			const char *old_path, const char *new_path)
{
	struct strbuf key = STRBUF_INIT;
	struct fp_blob_diff *bd;
	int ret = 0;

	footprint_blob_diff_key(&key, old, new, old_path, new_path);
	if (!(bd = strmap_get(&dc->map, key.buf))) {
		if ((ret = footprint_blob_diff_compute(&bd, repo, old, new, old_path, new_path)) == 0)
			fp_diff_cache_put(dc, key.buf, bd);
	}
	*out = bd;
	strbuf_release(&key);
	return ret;
}

int footprint_file_pending(const struct fp_file *f)
{
	return f->diff || f->blobs_in;
}

int footprint_file_blob_pair(const struct fp_file *f)
{
	return blob_pair(f);
}

int footprint_file_hunks_cached(struct fp_file *f, git_repository *repo, struct fp_diff_cache *dc)
{
	const struct fp_blob_diff *bd;

	int ret;

	if (!f->diff && !f->blobs_in)
		return 0;
	if (!repo || !blob_pair(f) ||
	    footprint_blob_diff(&bd, dc, repo, f->change == FP_ADDED ? NULL : &f->old_id,
				f->change == FP_DELETED ? NULL : &f->new_id,
				fp_file_base_path(f), f->path) < 0) {
		ret = hunks_fallback(f);
		git_error_clear();
		return ret;
	}
	f->diff = NULL;
	f->blobs_in = NULL;
	f->binary |= bd->binary;
	f->ranges_nr = 0;
	if (bd->ranges_nr) {
		ALLOC_GROW(f->ranges, bd->ranges_nr, f->ranges_alloc);
		memcpy(f->ranges, bd->ranges, bd->ranges_nr * sizeof(*f->ranges));
		f->ranges_nr = bd->ranges_nr;
	}
	return 0;
}

/* A file's ranges and binary flag from its patch (NULL: nothing to show).  0, or -1. */
static int patch_ranges(struct fp_file *f, git_patch *patch)
{
	size_t i, n;
	int ret = 0;

	if (!patch)	/* nothing to show (unmodified): no ranges */
		goto out;
	if (git_patch_get_delta(patch)->flags & GIT_DIFF_FLAG_BINARY)
		f->binary = 1;
	n = git_patch_num_hunks(patch);
	for (i = 0; i < n; i++) {
		const git_diff_hunk *h;

		if (git_patch_get_hunk(&h, NULL, patch, i) < 0) {
			ret = error("cannot diff '%s': %s", f->path, gp_git_error());
			goto out;
		}
		ALLOC_GROW(f->ranges, f->ranges_nr + 1, f->ranges_alloc);
		f->ranges[f->ranges_nr].start = h->old_start < 0 ? 0 : (unsigned int)h->old_start;
		f->ranges[f->ranges_nr].lines = h->old_lines < 0 ? 0 : (unsigned int)h->old_lines;
		f->ranges_nr++;
	}
out:
	return ret;
}

int footprint_all_hunks(struct footprint *fp)
{
	size_t i;

	for (i = 0; i < fp->nr; i++)
		if (footprint_file_hunks(&fp->files[i]) < 0)
			return -1;
	return 0;
}

/*
 * The files of a diff, without reading their content: file_cb() on every
 * delta git_diff_foreach() would show; each file remembers its delta for
 * footprint_file_hunks().
 */
static int files_only(git_diff *diff, struct collect *c)
{
	size_t i, n = git_diff_num_deltas(diff);

	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status == GIT_DELTA_UNMODIFIED || d->status == GIT_DELTA_IGNORED)
			continue;
		if (file_cb(d, 0, c) < 0)
			return -1;
		c->cur->diff = diff;
		c->cur->delta = i;
	}
	return 0;
}

/*
 * files_only() of a diff whose renames are git's pairs from[i] -> to[i]
 * (find_git_renames()): the deletion and the addition of a pair are one
 * renamed file, its hunks read from its two blobs (in repo).  1 done, 0
 * when a pair is not a deletion and an addition of the diff (nothing
 * collected: find renames otherwise), -1 on failure.
 */
static int files_git_renames(git_diff *diff, struct collect *c, git_repository *repo,
			     const struct strlist *from, const struct strlist *to)
{
	struct strmap src = STRMAP_INIT, dst = STRMAP_INIT;
	size_t i, n = git_diff_num_deltas(diff), *del = xcalloc(from->nr + 1, sizeof(*del));
	size_t *add = xcalloc(from->nr + 1, sizeof(*add));
	int ret = 0;

	for (i = 0; i < from->nr; i++) {
		strmap_put(&src, from->v[i], (void *)(uintptr_t)(i + 1), NULL);
		strmap_put(&dst, to->v[i], (void *)(uintptr_t)(i + 1), NULL);
	}
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		uintptr_t k;

		if (d->status == GIT_DELTA_DELETED && (k = (uintptr_t)strmap_get(&src, d->old_file.path)))
			del[k - 1] = i + 1;
		else if (d->status == GIT_DELTA_ADDED && (k = (uintptr_t)strmap_get(&dst, d->new_file.path)))
			add[k - 1] = i + 1;
	}
	for (i = 0; i < from->nr; i++)
		if (!del[i] || !add[i])
			goto out;
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		uintptr_t k = 0;

		if (d->status == GIT_DELTA_UNMODIFIED || d->status == GIT_DELTA_IGNORED)
			continue;
		if (d->status == GIT_DELTA_DELETED && strmap_get(&src, d->old_file.path))
			continue;	/* with its addition */
		if (d->status == GIT_DELTA_ADDED)
			k = (uintptr_t)strmap_get(&dst, d->new_file.path);
		if (file_cb(d, 0, c) < 0) {
			ret = -1;
			goto out;
		}
		if (!k) {
			c->cur->diff = diff;
			c->cur->delta = i;
		} else {
			const git_diff_delta *o = git_diff_get_delta(diff, del[k - 1] - 1);
			struct fp_file *f = c->cur;

			f->change = FP_RENAMED;
			f->old_path = xstrdup(o->old_file.path);
			f->old_mode = o->old_file.mode;
			git_oid_cpy(&f->old_id, &o->old_file.id);
			f->blobs_in = repo;
		}
	}
	ret = 1;
out:
	free(del);
	free(add);
	strmap_clear(&src);
	strmap_clear(&dst);
	return ret;
}

/* --- the committed footprint's cache (footprints/<id> in the state) ------- */

/*
 * A task's committed footprint (the files of the diff merge base tree ->
 * head tree, its renames found: what measuring costs on a large tree)
 * depends only on immutable objects and on what finds the renames:
 * cached under a key of the two trees, diff.renameLimit (libgit2 reads
 * it), our version, a checksum of the sources that measure (the
 * Makefile's GP_FOOTPRINT_ID) and libgit2's version, so that any other
 * key is measured again (a new form of the file changes the "1" of
 * FP_CACHE_MAGIC).  One text file:
 *
 *   git-parallel footprint 1 <version>
 *   key <old tree> <new tree> <diff.renameLimit or -1>
 *   <change> <old mode> <new mode> <old id> <new id> <binary> TAB <path> TAB <old path>
 *   ...
 *   end <files> <SHA-1 of every byte before this line>
 *
 * (paths state_escape()d, "-" for no old path, modes in octal).  A file
 * that is not exactly this (torn, edited, of another build) is no cache:
 * measured again and written anew, never an error.  Only files whose
 * line ranges read from their two blobs (footprint_file_hunks_in()) are
 * cached: a footprint with a type change or a submodule is not.
 */
#define FP_CACHE_MAGIC "git-parallel footprint 1 "
#ifndef GP_FOOTPRINT_ID		/* the Makefile's checksum of the sources that measure */
#define GP_FOOTPRINT_ID "unknown"
#endif

/* Every diff.* setting (renameLimit, <driver>.binary) into sb: no regexp (libgit2 1.5 leaks) */
static int diff_config_cb(const git_config_entry *e, void *data)
{
	if (!strncasecmp(e->name, "diff.", 5))
		strbuf_addf(data, "%s=%s\n", e->name, e->value ? e->value : "");
	return 0;
}

/* The blob id of path's content into sb, "-" when it cannot be read. */
static void add_file_id(struct strbuf *sb, const char *path)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;

	if (path && !git_odb_hashfile(&id, path, GIT_OBJECT_BLOB))
		strbuf_addf(sb, " %s", git_oid_tostr(hex, sizeof(hex), &id));
	else
		strbuf_addstr(sb, " -");
	git_error_clear();
}

static void cache_key(struct strbuf *out, git_repository *repo, const git_oid *old_tree,
		      const git_oid *new_tree)
{
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1], c[GIT_OID_HEXSZ + 1];
	struct strbuf env = STRBUF_INIT;
	git_config *cfg = NULL;
	git_buf attrfile = GIT_BUF_INIT;
	char *info;
	int32_t limit = -1;
	git_oid sum;

	/*
	 * What else decides a file's renames and binary flag: the diff
	 * settings, and the attributes outside the trees (info/attributes,
	 * core.attributesFile); .gitattributes files are in the trees.
	 */
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		cfg = NULL;
	} else {
		if (git_config_get_int32(&limit, cfg, "diff.renameLimit") < 0)
			limit = -1;
		git_config_foreach(cfg, diff_config_cb, &env);
		if (git_config_get_path(&attrfile, cfg, "core.attributesFile") < 0)
			attrfile.ptr = NULL;
	}
	git_error_clear();
	info = xstrfmt("%s/info/attributes", git_repository_commondir(repo));
	add_file_id(&env, info);
	add_file_id(&env, attrfile.ptr);
	free(info);
	git_buf_dispose(&attrfile);
	git_config_free(cfg);
	git_odb_hash(&sum, env.buf, env.len, GIT_OBJECT_BLOB);
	strbuf_release(&env);
	strbuf_addstr(out, FP_CACHE_MAGIC);
	state_escape(out, GP_VERSION " " GP_FOOTPRINT_ID " libgit2 " LIBGIT2_VERSION);
	strbuf_addf(out, "\nkey %s %s %ld %s\n", git_oid_tostr(a, sizeof(a), old_tree),
		    git_oid_tostr(b, sizeof(b), new_tree), (long)limit,
		    git_oid_tostr(c, sizeof(c), &sum));
}

static int cacheable(const struct footprint *fp, size_t from)
{
	size_t i;

	for (i = from; i < fp->nr; i++) {
		const struct fp_file *f = &fp->files[i];

		if (!blob_pair(f) || (f->change != FP_ADDED && git_oid_is_zero(&f->old_id)) ||
		    (f->change != FP_DELETED && git_oid_is_zero(&f->new_id)) ||
		    f->uncommitted || f->inherited)
			return 0;
	}
	return 1;
}

/* Write fp's files (from index from on) under key to path; quietly, a cache. */
static void cache_store(const char *path, const char *key, const struct footprint *fp,
			size_t from)
{
	struct strbuf sb = STRBUF_INIT;
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	git_oid sum;
	size_t i;

	if (!cacheable(fp, from))
		goto out;
	strbuf_addstr(&sb, key);
	for (i = from; i < fp->nr; i++) {
		const struct fp_file *f = &fp->files[i];

		strbuf_addf(&sb, "%d %o %o %s %s %d\t", (int)f->change, f->old_mode, f->new_mode,
			    git_oid_tostr(a, sizeof(a), &f->old_id),
			    git_oid_tostr(b, sizeof(b), &f->new_id), (int)f->binary);
		state_escape(&sb, f->path);
		strbuf_addch(&sb, '\t');
		if (f->old_path)
			state_escape(&sb, f->old_path);
		else
			strbuf_addch(&sb, '-');
		strbuf_addch(&sb, '\n');
	}
	if (git_odb_hash(&sum, sb.buf, sb.len, GIT_OBJECT_BLOB) < 0) {
		git_error_clear();
		goto out;
	}
	strbuf_addf(&sb, "end %zu %s\n", fp->nr - from, git_oid_tostr(a, sizeof(a), &sum));
	if (slash) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)	/* private, as the state directory */
			goto out;
	}
	/* a state directory we cannot write to (read-only, full) only costs the next reader time */
	write_file_quietly(path, sb.buf, sb.len, 0600);
out:
	free(dir);
	strbuf_release(&sb);
}

static int cache_field_oid(git_oid *out, const char *s, size_t len)
{
	char hex[GIT_OID_HEXSZ + 1];

	if (len != GIT_OID_HEXSZ)
		return -1;
	memcpy(hex, s, len);
	hex[len] = '\0';
	return git_oid_fromstr(out, hex);
}

/* One file's line of the cache into fp (blobs read in repo); 0, or -1 malformed. */
static int cache_parse_file(struct footprint *fp, git_repository *repo, const char *line,
			    size_t len)
{
	struct strbuf path = STRBUF_INIT, old = STRBUF_INIT;
	const char *tab1 = memchr(line, '\t', len), *tab2;
	char head[160], *end;
	unsigned long change, old_mode, new_mode, binary;
	git_oid old_id, new_id;
	struct fp_file *f;
	char *p;
	int ret = -1;

	if (!tab1 || (size_t)(tab1 - line) >= sizeof(head) ||
	    !(tab2 = memchr(tab1 + 1, '\t', len - (size_t)(tab1 + 1 - line))))
		return -1;
	memcpy(head, line, (size_t)(tab1 - line));
	head[tab1 - line] = '\0';
	p = head;
	change = strtoul(p, &end, 10);
	if (end == p || *end != ' ' || change > FP_RENAMED)
		goto out;
	p = end + 1;
	old_mode = strtoul(p, &end, 8);
	if (end == p || *end != ' ')
		goto out;
	p = end + 1;
	new_mode = strtoul(p, &end, 8);
	if (end == p || *end != ' ' || cache_field_oid(&old_id, end + 1, GIT_OID_HEXSZ) < 0)
		goto out;
	p = end + 1 + GIT_OID_HEXSZ;
	if (*p != ' ' || cache_field_oid(&new_id, p + 1, GIT_OID_HEXSZ) < 0)
		goto out;
	p += 1 + GIT_OID_HEXSZ;
	if (*p != ' ')
		goto out;
	binary = strtoul(p + 1, &end, 10);
	if (end == p + 1 || *end || binary > 1)
		goto out;
	{
		char *a = xstrndup(tab1 + 1, (size_t)(tab2 - tab1 - 1));
		char *b = xstrndup(tab2 + 1, len - (size_t)(tab2 + 1 - line));
		int bad = !*a || state_unescape(&path, a) < 0 ||
			(strcmp(b, "-") && state_unescape(&old, b) < 0);

		free(a);
		free(b);
		if (bad || !path.len || (change == FP_ADDED) != !old.len)
			goto out;
	}
	ALLOC_GROW(fp->files, fp->nr + 1, fp->alloc);
	f = &fp->files[fp->nr++];
	memset(f, 0, sizeof(*f));
	f->change = (enum fp_change)change;
	f->path = strbuf_detach(&path, NULL);
	f->old_path = old.len ? strbuf_detach(&old, NULL) : NULL;
	f->old_mode = (unsigned int)old_mode;
	f->new_mode = (unsigned int)new_mode;
	git_oid_cpy(&f->old_id, &old_id);
	git_oid_cpy(&f->new_id, &new_id);
	f->binary = (unsigned int)binary;
	f->blobs_in = repo;
	ret = 0;
out:
	strbuf_release(&path);
	strbuf_release(&old);
	return ret;
}

/*
 * The files cached at path under key into fp (appended, their line
 * ranges read from their blobs in repo): 1, or 0 when there is no such
 * cache (missing, another key, malformed, a checksum that does not
 * match), fp as it was.
 */
static int cache_load(struct footprint *fp, git_repository *repo, const char *path,
		      const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	size_t klen = strlen(key), from = fp->nr, files = 0, n;
	const char *p, *end, *last;
	char hex[GIT_OID_HEXSZ + 1], want[GIT_OID_HEXSZ + 1];
	git_oid sum;
	int ret = 0;

	if (strbuf_read_file(&sb, path) < 0) {
		errno = 0;
		goto out;
	}
	if (sb.len < klen || memcmp(sb.buf, key, klen) || sb.buf[sb.len - 1] != '\n')
		goto out;
	/* the last line: "end <files> <sum>" */
	for (last = sb.buf + sb.len - 1; last > sb.buf && last[-1] != '\n'; last--)
		;
	if (last < sb.buf + klen ||
	    sscanf(last, "end %zu %40s\n", &n, hex) != 2 ||
	    git_odb_hash(&sum, sb.buf, (size_t)(last - sb.buf), GIT_OBJECT_BLOB) < 0 ||
	    strcmp(hex, git_oid_tostr(want, sizeof(want), &sum)))
		goto out;
	for (p = sb.buf + klen; p < last; p = end + 1) {
		end = memchr(p, '\n', (size_t)(last - p));
		if (!end || cache_parse_file(fp, repo, p, (size_t)(end - p)) < 0)
			goto bad;
		files++;
	}
	if (files != n)
		goto bad;
	ret = 1;
	goto out;
bad:
	while (fp->nr > from) {
		struct fp_file *f = &fp->files[--fp->nr];

		free(f->path);
		free(f->old_path);
	}
out:
	git_error_clear();
	strbuf_release(&sb);
	return ret;
}

static int cmp_file(const void *a, const void *b)
{
	const struct fp_file *x = a, *y = b;
	int r = strcmp(fp_file_base_path(x), fp_file_base_path(y));

	return r ? r : strcmp(x->path, y->path);
}

static void diff_options(git_diff_options *o, int workdir)
{
	git_diff_options_init(o, GIT_DIFF_OPTIONS_VERSION);
	o->context_lines = 0;
	o->interhunk_lines = 0;
	if (workdir)
		o->flags |= GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
			GIT_DIFF_SHOW_UNTRACKED_CONTENT | GIT_DIFF_INCLUDE_TYPECHANGE;
	else
		o->flags |= GIT_DIFF_INCLUDE_TYPECHANGE;
}

/*
 * git's similarity of two files (diffcore-delta.c, git 2.39), as a
 * libgit2 metric: libgit2 1.5's own (line hashes) calls a file a rename
 * that git does not (10 lines, 5 of them edited: 42% for git, a rename
 * for libgit2), and so plain check saw no modify/delete where git's merge
 * conflicts.  A file is cut into chunks ending at a LF or 64 bytes long
 * (a last chunk without LF is not counted, as in 2.39; a CR before LF
 * dropped in text), each hashed into one of HASHBASE values; the bytes
 * both files hold in chunks of the same hash, over the larger size, is
 * the score (git's estimate_similarity(): a rename at 50).
 */
#define SPAN_HASHBASE 107927

struct span_sig {
	size_t size;		/* the file's bytes */
	size_t nr;
	struct span {
		unsigned int hashval, cnt;
	} *v;			/* sorted by hashval, each once */
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->hashval < y->hashval ? -1 : x->hashval > y->hashval;
}

static struct span_sig *span_sig_of(const unsigned char *buf, size_t size)
{
	struct span_sig *sig = xcalloc(1, sizeof(*sig));
	unsigned int accum1 = 0, accum2 = 0, n = 0;
	size_t i, k, alloc = 0;
	int text = !memchr(buf, '\0', size < 8000 ? size : 8000);

	sig->size = size;
	for (i = 0; i < size; i++) {
		unsigned int c = buf[i], old1 = accum1;

		if (text && c == '\r' && i + 1 < size && buf[i + 1] == '\n')
			continue;
		accum1 = (accum1 << 7) ^ (accum2 >> 25);
		accum2 = (accum2 << 7) ^ (old1 >> 25);
		accum1 += c;
		if (++n < 64 && c != '\n')
			continue;
		ALLOC_GROW(sig->v, sig->nr + 1, alloc);
		sig->v[sig->nr].hashval = (accum1 + accum2 * 0x61) % SPAN_HASHBASE;
		sig->v[sig->nr].cnt = n;
		sig->nr++;
		n = accum1 = accum2 = 0;
	}
	if (sig->nr > 1)
		qsort(sig->v, sig->nr, sizeof(*sig->v), cmp_span);
	for (i = k = 0; i < sig->nr; i++) {
		if (k && sig->v[k - 1].hashval == sig->v[i].hashval)
			sig->v[k - 1].cnt += sig->v[i].cnt;
		else
			sig->v[k++] = sig->v[i];
	}
	sig->nr = k;
	return sig;
}

static int span_buffer_signature(void **out, const git_diff_file *file, const char *buf,
				 size_t len, void *payload)
{
	(void)file;
	(void)payload;
	*out = span_sig_of((const unsigned char *)buf, len);
	return 0;
}

static int span_file_signature(void **out, const git_diff_file *file, const char *fullpath,
			       void *payload)
{
	struct strbuf sb = STRBUF_INIT;

	(void)file;
	(void)payload;
	*out = NULL;	/* unreadable: no similarity (libgit2 skips the file) */
	if (strbuf_read_file(&sb, fullpath) >= 0)
		*out = span_sig_of((const unsigned char *)sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

static void span_free_signature(void *sig, void *payload)
{
	struct span_sig *s = sig;

	(void)payload;
	if (s)
		free(s->v);
	free(s);
}

static int span_similarity(int *score, void *siga, void *sigb, void *payload)
{
	const struct span_sig *a = siga, *b = sigb;
	size_t i = 0, j = 0, max = a->size > b->size ? a->size : b->size;
	unsigned long copied = 0;

	(void)payload;
	while (i < a->nr && j < b->nr) {
		if (a->v[i].hashval < b->v[j].hashval) {
			i++;
		} else if (a->v[i].hashval > b->v[j].hashval) {
			j++;
		} else {
			copied += a->v[i].cnt < b->v[j].cnt ? a->v[i].cnt : b->v[j].cnt;
			i++;
			j++;
		}
	}
	/* an empty file is never a rename in git's merge (rename_empty off) */
	*score = max && a->size && b->size ? (int)(copied * 100 / max) : 0;
	return 0;
}

static git_diff_similarity_metric span_metric = {
	span_file_signature, span_buffer_signature, span_free_signature, span_similarity, NULL,
};

static int find_renames(git_diff *diff, int workdir)
{
	git_diff_find_options fo;

	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES;
	if (workdir)
		fo.flags |= GIT_DIFF_FIND_FOR_UNTRACKED;
	fo.rename_threshold = 50;
	fo.metric = &span_metric;
	return git_diff_find_similar(diff, &fo);
}

/*
 * git's renames as libgit2's similarity metric: a file's signature is the
 * number of the rename git found it in (old path or new), and two files
 * are similar (100) only when git paired them.  libgit2 1.5 compares
 * every added file with up to 1000 deleted ones by content hashes: a
 * task that renamed 900 files (.txt to .adoc) took 1.4 s there and 0.1 s
 * in git diff-tree -M, whose renames are also the ones git's merge sees.
 */
#define GIT_RENAMES_FROM 10000	/* added x deleted files: below, libgit2 is quicker */

struct git_renames {
	struct strmap by_path;	/* old or new path -> (void *)(pair + 1) */
};

#define NO_RENAME ((void *)(uintptr_t)-1)

static int gr_signature(void **out, const git_diff_file *file, void *payload)
{
	struct git_renames *gr = payload;
	void *v = file->path ? strmap_get(&gr->by_path, file->path) : NULL;

	*out = v ? v : NO_RENAME;
	return 0;
}

static int gr_file_signature(void **out, const git_diff_file *file, const char *fullpath,
			     void *payload)
{
	(void)fullpath;
	return gr_signature(out, file, payload);
}

static int gr_buffer_signature(void **out, const git_diff_file *file, const char *buf,
			       size_t len, void *payload)
{
	(void)buf;
	(void)len;
	return gr_signature(out, file, payload);
}

static void gr_free_signature(void *sig, void *payload)
{
	(void)sig;
	(void)payload;
}

static int gr_similarity(int *score, void *a, void *b, void *payload)
{
	(void)payload;
	*score = a == b && a != NO_RENAME ? 100 : 0;
	return 0;
}

/*
 * find_renames() with git's renames between the trees old and new (a large
 * tree-to-tree diff).  1 done, 0 not tried (git could not say, or a path
 * is both a rename's source and another's destination), -1 libgit2 failed.
 * With pairs_from and pairs_to, 2: git's renames are pairs_from[i] ->
 * pairs_to[i], the diff is left as it is (files_git_renames() pairs them).
 */
static int find_git_renames(git_diff *diff, git_repository *repo, const git_oid *old,
			    const git_oid *new, struct strlist *pairs_from, struct strlist *pairs_to)
{
	struct strlist from = STRLIST_INIT, to = STRLIST_INIT;
	const char *test = getenv("GIT_PARALLEL_TEST_TREEDIFF");
	struct git_renames gr;
	git_diff_similarity_metric metric = {
		gr_file_signature, gr_buffer_signature, gr_free_signature, gr_similarity, &gr,
	};
	git_diff_find_options fo;
	size_t i, n = git_diff_num_deltas(diff), added = 0, deleted = 0;
	int ret = 0;

	for (i = 0; i < n; i++) {
		git_delta_t st = git_diff_get_delta(diff, i)->status;

		deleted += st == GIT_DELTA_DELETED;
		added += st == GIT_DELTA_ADDED;
	}
	if (added * deleted < GIT_RENAMES_FROM)
		return 0;
	strmap_init(&gr.by_path);
	if (gitmerge_renames(&from, &to, repo, old, new) < 0)
		goto out;
	for (i = 0; i < from.nr; i++) {
		int found_a, found_b;

		strmap_put(&gr.by_path, from.v[i], (void *)(uintptr_t)(i + 1), &found_a);
		strmap_put(&gr.by_path, to.v[i], (void *)(uintptr_t)(i + 1), &found_b);
		if (found_a || found_b)
			goto out;	/* a -> b, b -> c: libgit2's own way */
	}
	if (pairs_from && !(test && !strcmp(test, "libgit2"))) {
		/* git's pairs themselves: libgit2 would read every blob for its signature */
		strlist_clear(pairs_from);
		strlist_clear(pairs_to);
		*pairs_from = from;
		*pairs_to = to;
		strlist_init(&from);
		strlist_init(&to);
		ret = 2;
		goto out;
	}
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES;
	fo.rename_threshold = 100;
	fo.rename_limit = (size_t)-1;
	fo.metric = &metric;
	ret = git_diff_find_similar(diff, &fo) < 0 ? -1 : 1;
out:
	strmap_clear(&gr.by_path);
	strlist_clear(&from);
	strlist_clear(&to);
	return ret;
}

/*
 * Names of the paths a diff touches (old and new), into set (values
 * unused).  No content is read.
 */
static size_t diff_names(struct strmap *set, git_diff *diff, git_index *index)
{
	size_t i, n = git_diff_num_deltas(diff), named = 0;

	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (sparse_gone(index, d))
			continue;
		named++;
		if (d->old_file.path)
			strmap_put(set, d->old_file.path, NULL, NULL);
		if (d->new_file.path)
			strmap_put(set, d->new_file.path, NULL, NULL);
	}
	return named;
}

/*
 * The paths where a worktree can differ from the merge base: what its
 * branch changed (merge base tree -> head tree, top-down: unchanged
 * subtrees are not read) and what the worktree changed (dirty, from the
 * scan of HEAD -> worktree).  As a literal pathspec
 * (GIT_DIFF_DISABLE_PATHSPEC_MATCH), the diff merge base -> worktree
 * then opens only the directories that hold one: the worktree is
 * scanned once, not twice.  Every delta of that diff is at one of these
 * paths (a path where the worktree differs from the merge base differs
 * from it in the branch, or differs from the branch in the worktree),
 * and so are both sides of a rename.  0, or -1 (libgit2's error set).
 */
static int changed_paths(struct strlist *out, git_repository *repo, const git_oid *mb_tree,
			 const git_oid *head_tree, const struct strmap *dirty)
{
	struct tree_side ts;
	size_t i;
	int ret = 0;

	tree_side_init(&ts);
	if (tree_side_diff(&ts, repo, mb_tree, head_tree) < 0) {
		if (ts.unsorted)
			git_error_clear();	/* no paths: the diff reads every one, as git diff does */
		else
			ret = -1;
		goto out;
	}
	for (i = 0; i < ts.nr; i++)
		strlist_push(out, ts.ch[i].path);
	for (i = 0; i < dirty->size; i++)
		if (dirty->v[i].key && !tree_side_get(&ts, dirty->v[i].key))
			strlist_push(out, dirty->v[i].key);
out:
	tree_side_release(&ts);
	return ret;
}

static int file_in(const struct strmap *set, const struct fp_file *f)
{
	return strmap_contains(set, f->path) || (f->old_path && strmap_contains(set, f->old_path));
}

/*
 * Does the index hold exactly the tree of the worktree's HEAD, nothing
 * staged?  The index's cache tree says so without reading a tree: when
 * it is valid, git_index_write_tree_to() gives its root and writes
 * nothing.  Asked against a repository whose only object database is
 * in memory, so that an invalid cache tree (which makes it write trees)
 * writes nowhere.  0 when it cannot tell.
 */
static int index_is_tree(git_index *idx, const git_oid *tree)
{
	git_odb *odb = NULL;
	git_odb_backend *mem = NULL;
	git_repository *r = NULL;
	git_oid oid;
	int same = 0;

	if (git_odb_new(&odb) < 0 || git_mempack_new(&mem) < 0)
		goto out;
	if (git_odb_add_backend(odb, mem, 1) < 0) {
		mem->free(mem);
		goto out;
	}
	if (git_repository_wrap_odb(&r, odb) < 0)
		goto out;
	same = !git_index_write_tree_to(&oid, idx, r) && git_oid_equal(&oid, tree);
out:
	git_error_clear();
	git_repository_free(r);
	git_odb_free(odb);
	return same;
}

/*
 * What is not committed in the worktree: the names a diff HEAD ->
 * worktree (a status) would show.  When nothing is staged (the index's
 * cache tree is HEAD's tree), only the index is compared with the
 * files, by the stat data it holds: no tree is read.  An entry git
 * would take as racily clean is hashed, as git does (libgit2's own rule
 * trusts some: indexstat_smudge_racy()).
 */
static int worktree_dirty(git_diff **out, git_repository *wt, git_tree *head_tree,
			  const git_diff_options *o)
{
	git_index *idx = NULL;
	int ret;

	if (git_repository_index(&idx, wt) < 0)
		return -1;
	indexstat_smudge_racy(idx, git_index_path(idx));
	if (index_is_tree(idx, git_tree_id(head_tree)))
		ret = git_diff_index_to_workdir(out, wt, idx, o);
	else
		ret = git_diff_tree_to_workdir_with_index(out, wt, head_tree, o);
	git_index_free(idx);
	return ret;
}

/* --- a clean worktree, told from its index's stat data ------------------ */

/* The first line of a small file, without its newline, or NULL. */
static char *first_line(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *nl;

	if (strbuf_read_file(&sb, path) < 0 || sb.len > 4096) {
		strbuf_release(&sb);
		return NULL;
	}
	nl = memchr(sb.buf, '\n', sb.len);
	if (nl)
		strbuf_setlen(&sb, (size_t)(nl - sb.buf));
	return strbuf_detach(&sb, NULL);
}

/* index_holds_tree(): the tree's non-tree entries, by full path */
struct tree_item {
	char *path;
	git_oid id;
	uint32_t mode;
};

struct tree_items {
	struct tree_item *v;
	size_t nr, alloc;
};

static int tree_item_collect(const char *root, const git_tree_entry *e, void *payload)
{
	struct tree_items *t = payload;
	struct tree_item *it;

	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return 0;
	ALLOC_GROW(t->v, t->nr + 1, t->alloc);
	it = &t->v[t->nr++];
	it->path = xstrfmt("%s%s", root, git_tree_entry_name(e));
	git_oid_cpy(&it->id, git_tree_entry_id(e));
	it->mode = (uint32_t)git_tree_entry_filemode(e);
	return 0;
}

static int tree_item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tree_item *)a)->path, ((const struct tree_item *)b)->path);
}

/*
 * Does the index hold exactly the tree: the same paths, modes and blobs?
 * Asked when its cache tree cannot say (git commit right after git
 * read-tree --reset leaves the root invalid on disk: it skips writing an
 * index whose entries did not change).  1 or 0.
 */
static int index_holds_tree(git_repository *repo, const struct indexstat *ix, const git_oid *tree_id)
{
	struct tree_items t = { NULL, 0, 0 };
	git_tree *tree = NULL;
	size_t i;
	int same = 0;

	if (git_tree_lookup(&tree, repo, tree_id) < 0 ||
	    git_tree_walk(tree, GIT_TREEWALK_PRE, tree_item_collect, &t) < 0)
		goto out;
	if (t.nr != ix->nr)
		goto out;
	if (t.nr)
		qsort(t.v, t.nr, sizeof(*t.v), tree_item_cmp);
	for (i = 0; i < t.nr; i++) {
		const struct indexstat_entry *e = &ix->entries[i];

		if (strcmp(t.v[i].path, e->name) || t.v[i].mode != e->mode ||
		    memcmp(t.v[i].id.id, e->id, GIT_OID_RAWSZ))
			goto out;
	}
	same = 1;
out:
	for (i = 0; i < t.nr; i++)
		free(t.v[i].path);
	free(t.v);
	git_tree_free(tree);
	git_error_clear();
	return same;
}

/*
 * Is the worktree at path certainly clean, as git status would say,
 * without a diff: on branch, its index holding exactly the tree
 * head_tree (the cache tree says so, or its entries are the tree's), every tracked file's stat data as
 * the index recorded it (a racily clean one's content hashed and
 * compared, as git does: indexstat_match()), and no name in a tracked
 * directory that the index does not know.  1 clean; 0 when it cannot
 * tell (changed, untracked or ignored files, a sparse or split index,
 * a submodule checked out, a format it does not read ...): the caller
 * then diffs.
 * GIT_PARALLEL_TEST_SCAN=diff always diffs; =trace says on stderr which
 * way each worktree was read (tests).
 */
static int worktree_clean_fast(git_repository *repo, const char *path, const char *branch,
			       const git_oid *head_tree)
{
	struct indexstat ix = INDEXSTAT_INIT;
	char *dotgit = xstrfmt("%s/.git", path), *line = NULL, *gitdir = NULL, *head = NULL;
	struct timespec from = { 0, 0 };	/* no file is hashed: no clock needed */
	int clean = 0, walked = 0;
	const char *test_scan = getenv("GIT_PARALLEL_TEST_SCAN");

	if (test_scan && !strcmp(test_scan, "diff"))	/* tests: the slow way, to compare */
		goto out;
	if (!(line = first_line(dotgit)) || strncmp(line, "gitdir: ", 8))
		goto out;
	gitdir = line[8] == '/' ? xstrdup(line + 8) : xstrfmt("%s/%s", path, line + 8);
	free(dotgit);
	dotgit = xstrfmt("%s/HEAD", gitdir);
	if (!(head = first_line(dotgit)) || strncmp(head, "ref: ", 5) || strcmp(head + 5, branch))
		goto out;
	prune_gitdir_scratch(gitdir);	/* what a killed check or merge left there */
	free(dotgit);
	dotgit = xstrfmt("%s/index", gitdir);
	/*
	 * The cache tree (or gp-index-checked, beside the index: see below)
	 * must say the index is head_tree, else its entries are compared
	 * with the tree's.
	 */
	if (indexstat_read(&ix, dotgit) < 0)
		goto out;
	free(dotgit);
	dotgit = xstrfmt("%s/gp-index-checked", gitdir);
	indexstat_checked_load(&ix, dotgit);
	if (!ix.has_tree && index_holds_tree(repo, &ix, head_tree)) {
		ix.has_tree = ix.tree_known = 1;
		git_oid_cpy(&ix.tree, head_tree);
		git_oid_cpy(&ix.tree_held, head_tree);
		walked = 1;
	}
	if (!ix.has_tree || !git_oid_equal(&ix.tree, head_tree))
		goto out;
	/*
	 * Racily clean files found clean by an earlier scan of this same
	 * index are not hashed again, and the tree it was found to hold is
	 * not compared again (gp-index-checked, beside the index: git status
	 * would have written the index after hashing them).
	 */
	if (indexstat_has_racy(&ix) && indexstat_clock(&from, gitdir) < 0)
		from.tv_sec = 0;	/* hashed files cannot be recorded */
	/* every file as recorded, every name in a tracked directory tracked */
	clean = indexstat_worktree_clean(&ix, path, INDEXSTAT_RACY_TIME | INDEXSTAT_HASH_RACY |
					 INDEXSTAT_ASK_GIT | INDEXSTAT_SPARSE_OK | INDEXSTAT_GITLINK_EMPTY);
	if (clean >= 2 || (clean && walked))
		indexstat_checked_save(&ix, dotgit, &from);
out:
	if (test_scan && !strcmp(test_scan, "trace") && walked)
		fprintf(stderr, "scan: %s index compared with the tree\n", path);
	if (test_scan && !strcmp(test_scan, "trace"))	/* tests: which way each worktree was read */
		fprintf(stderr, "scan: %s %s\n", path,
			clean == 3 ? "clean by stat data, racy files hashed, some by git" :
			clean == 2 ? "clean by stat data, racy files hashed" :
			clean ? "clean by stat data" : "diffed");
	clean = clean != 0;
	indexstat_release(&ix);
	free(head);
	free(gitdir);
	free(line);
	free(dotgit);
	return clean;
}

/* Is the worktree at path still there, registered, and on branch? */
static int open_worktree(git_repository **out, struct footprint *fp, const char *path,
			 const char *branch)
{
	git_repository *wt = NULL;
	git_reference *head = NULL;
	struct stat stt;
	int ret = 0;

	*out = NULL;
	if (stat(path, &stt) < 0) {
		note(fp, "its worktree %s is gone (removed by hand?): only committed work is measured",
		     path);
		return 0;
	}
	if (git_repository_open_ext(&wt, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		note(fp, "its worktree %s cannot be opened (%s): only committed work is measured",
		     path, gp_git_error());
		git_error_clear();
		return 0;
	}
	if (git_repository_head(&head, wt) < 0 || strcmp(git_reference_name(head), branch)) {
		note(fp, "its worktree %s is not on %s: only committed work is measured",
		     path, branch + (!strncmp(branch, "refs/heads/", 11) ? 11 : 0));
		git_error_clear();
		git_repository_free(wt);
		goto out;
	}
	*out = wt;
	ret = 1;
out:
	git_reference_free(head);
	return ret;
}

/*
 * Was the task's branch moved without its worktree (git update-ref, a
 * push or fetch into it, another task's command)?  Then the worktree's
 * index still holds the tree of the branch's previous head (the one its
 * reflog names, or the one run recorded), and git status there shows the
 * move undone: that is no uncommitted work of the task, and the worktree
 * cannot be measured against the branch.  Not when the branch went back
 * (git reset --soft): what it left staged is the task's work.  1 (noted:
 * only the branch is measured), else 0.
 */
static int was_head(git_repository *repo, git_index *idx, const git_oid *old, const git_oid *head)
{
	git_commit *c = NULL;
	int ret = 0;

	if (!git_oid_is_zero(old) && !git_oid_equal(old, head) &&
	    git_graph_descendant_of(repo, old, head) != 1 && !git_commit_lookup(&c, repo, old))
		ret = index_is_tree(idx, git_commit_tree_id(c));
	git_error_clear();
	git_commit_free(c);
	return ret;
}

static int left_behind(git_repository *wt, git_repository *repo, struct footprint *fp,
		       const struct footprint_spec *spec)
{
	git_commit *hc = NULL;
	git_index *idx = NULL;
	git_reflog *log = NULL;
	const git_reflog_entry *e;
	const git_oid *old = NULL;
	char h1[GIT_OID_HEXSZ + 1], h2[GIT_OID_HEXSZ + 1];
	int ret = 0;

	if (git_repository_index(&idx, wt) < 0 || git_commit_lookup(&hc, repo, &fp->head) < 0 ||
	    index_is_tree(idx, git_commit_tree_id(hc)))
		goto out;	/* nothing staged */
	if (!git_reflog_read(&log, repo, spec->branch) && (e = git_reflog_entry_byindex(log, 0)) &&
	    git_oid_equal(git_reflog_entry_id_new(e), &fp->head) &&
	    was_head(repo, idx, git_reflog_entry_id_old(e), &fp->head))
		old = git_reflog_entry_id_old(e);
	else if (spec->recorded && was_head(repo, idx, spec->recorded, &fp->head))
		old = spec->recorded;
	if (!old)
		goto out;
	note(fp, "its branch %s moved from %s to %s without its worktree %s (git status there shows "
	     "the move undone): only committed work is measured",
	     spec->branch + (!strncmp(spec->branch, "refs/heads/", 11) ? 11 : 0),
	     short_oid(h1, old), short_oid(h2, &fp->head), spec->worktree);
	ret = 1;
out:
	git_error_clear();
	git_reflog_free(log);
	git_index_free(idx);
	git_commit_free(hc);
	return ret;
}

/* An added or deleted path: a rename's source or target. */
static int tree_change_special(const struct tree_change *ch)
{
	return !ch->old_mode || !ch->new_mode;
}

/* A submodule, or a type change: libgit2's diff says what it is. */
static int tree_change_kind_special(const struct tree_change *ch)
{
	return ch->old_mode == GIT_FILEMODE_COMMIT || ch->new_mode == GIT_FILEMODE_COMMIT ||
		(ch->old_mode && ch->new_mode && (ch->old_mode & 0170000) != (ch->new_mode & 0170000));
}

/*
 * Committed work without git_diff_tree_to_tree(), which reads every tree
 * of both sides whole (treediff.h): the changes found top-down, each
 * file's hunks read later from its blobs.  Where libgit2's diff would
 * find no rename (no file both added and deleted), no type change and
 * no submodule, its files are exactly the tree changes.  Otherwise (with
 * FOOTPRINT_LAZY_HUNKS, and few enough files added and deleted for
 * libgit2's rename detection) only the special paths -- the added,
 * deleted, type-changed and submodule ones (libgit2 splits a type change
 * and may pair its old file with an added one) -- go through libgit2's diff
 * and rename detection, limited to those paths (*diffp, whose files'
 * hunks stay pending in it): a modified file is never a rename's source
 * or target there (no copies, no rewrites), so it pairs the same files
 * as the diff of the whole trees, without reading the unchanged trees
 * of both sides whole.  1 done, 0 not tried (the caller diffs), -1
 * libgit2 failed.
 * GIT_PARALLEL_TEST_TREEDIFF=libgit2 always diffs; =trace says on stderr
 * which way each footprint was measured (tests).
 */
static int measure_tree_side(struct footprint *fp, git_repository *repo, const git_oid *old_tree,
			     const git_oid *new_tree, unsigned int flags, git_diff **diffp)
{
	struct tree_side ts;
	struct collect c;
	git_strarray special = { NULL, 0 };
	git_tree *ot = NULL, *nt = NULL;
	size_t i, deleted = 0, kinds = 0, nspecial = 0;
	int ret = 0, renames = 0;
	const char *test = getenv("GIT_PARALLEL_TEST_TREEDIFF");

	tree_side_init(&ts);
	if (test && !strcmp(test, "libgit2"))
		goto out;	/* tests: libgit2's diff, to compare */
	if (tree_side_diff(&ts, repo, old_tree, new_tree) < 0) {
		if (ts.unsorted) {
			/* libgit2's diff reads it as git diff does: its files, and a note */
			note(fp, "%s: measured as git diff does", gp_git_error());
			git_error_clear();
			goto out;
		}
		ret = -1;
		goto out;
	}
	for (i = 0; i < ts.nr; i++) {
		deleted += !ts.ch[i].new_mode;
		kinds += tree_change_kind_special(&ts.ch[i]);
	}
	/* libgit2 takes a type change's old file as a rename's source too */
	renames = (deleted && ts.added) || kinds;
	for (i = 0; i < ts.nr; i++)
		nspecial += (renames && tree_change_special(&ts.ch[i])) ||
			tree_change_kind_special(&ts.ch[i]);
	if (nspecial) {
		git_diff_options o;

		if (!(flags & FOOTPRINT_LAZY_HUNKS) || ts.added * deleted >= GIT_RENAMES_FROM)
			goto out;
		special.strings = xcalloc(nspecial + 1, sizeof(*special.strings));
		for (i = 0; i < ts.nr; i++)
			if ((renames && tree_change_special(&ts.ch[i])) ||
			    tree_change_kind_special(&ts.ch[i]))
				special.strings[special.count++] = (char *)ts.ch[i].path;
		diff_options(&o, 0);
		o.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
		o.pathspec = special;
		memset(&c, 0, sizeof(c));
		c.fp = fp;
		c.repo = repo;
		if (git_tree_lookup(&ot, repo, old_tree) < 0 || git_tree_lookup(&nt, repo, new_tree) < 0 ||
		    git_diff_tree_to_tree(diffp, repo, ot, nt, &o) < 0 || find_renames(*diffp, 0) < 0 ||
		    files_only(*diffp, &c) < 0) {
			ret = -1;
			goto out;
		}
	}
	for (i = 0; i < ts.nr; i++) {
		const struct tree_change *ch = &ts.ch[i];
		struct fp_file *f;

		if ((renames && tree_change_special(ch)) || tree_change_kind_special(ch))
			continue;	/* from the diff of the special paths */

		ALLOC_GROW(fp->files, fp->nr + 1, fp->alloc);
		f = &fp->files[fp->nr++];
		memset(f, 0, sizeof(*f));
		f->path = xstrdup(ch->path);
		f->change = !ch->old_mode ? FP_ADDED : !ch->new_mode ? FP_DELETED : FP_MODIFIED;
		if (ch->old_mode) {
			f->old_path = xstrdup(ch->path);
			f->old_mode = ch->old_mode;
			git_oid_cpy(&f->old_id, &ch->old_id);
		}
		if (ch->new_mode) {
			f->new_mode = ch->new_mode;
			git_oid_cpy(&f->new_id, &ch->new_id);
		}
		f->blobs_in = repo;
	}
	ret = 1;
	if (!(flags & FOOTPRINT_LAZY_HUNKS) && footprint_all_hunks(fp) < 0)
		ret = -1;
out:
	if (test && !strcmp(test, "trace"))	/* tests: which way each footprint was measured */
		fprintf(stderr, "treediff: %s %s\n", fp->id, ret != 1 ? "libgit2" :
			nspecial ? "top-down, renames by libgit2" : "top-down");
	free(special.strings);	/* the paths are ts's */
	git_tree_free(nt);
	git_tree_free(ot);
	tree_side_release(&ts);
	return ret;
}

int footprint_worktree_clean(git_oid *head, git_repository *repo,
			     const struct footprint_spec *spec)
{
	git_commit *commit = NULL;
	int clean = 0;

	if (spec->worktree && !git_reference_name_to_id(head, repo, spec->branch) &&
	    !git_commit_lookup(&commit, repo, head))
		clean = worktree_clean_fast(repo, spec->worktree, spec->branch, git_commit_tree_id(commit));
	git_error_clear();
	git_commit_free(commit);
	return clean;
}

/*
 * How many commits the base branch made itself (its first-parent line
 * from tip) from fork back to base, fork included; 0 when fork is not on
 * that line (a commit of the task's own that the base branch merged) or
 * the line does not reach base.
 */
static size_t main_line_commits(git_repository *repo, const git_oid *tip, const git_oid *fork,
				const git_oid *base)
{
	git_commit *c = NULL, *parent = NULL;
	git_time_t base_time;
	size_t steps = 0, at_fork = 0, n;
	int found = 0;

	if (git_commit_lookup(&c, repo, base) < 0)
		goto out;
	base_time = git_commit_time(c);
	git_commit_free(c);
	c = NULL;
	if (git_commit_lookup(&c, repo, tip) < 0)
		goto out;
	for (n = 0; n < 100000; n++) {
		if (git_oid_equal(git_commit_id(c), base)) {
			if (found)
				steps = n - at_fork;
			break;
		}
		/*
		 * older than base: base is not on this line (a reset or
		 * rewritten main), do not walk to the root; clock skew at
		 * worst hides the note
		 */
		if (git_commit_time(c) < base_time)
			break;
		if (!found && git_oid_equal(git_commit_id(c), fork)) {
			found = 1;
			at_fork = n;
		}
		if (!git_commit_parentcount(c) || git_commit_parent(&parent, c, 0) < 0)
			break;
		git_commit_free(c);
		c = parent;
		parent = NULL;
	}
out:
	git_error_clear();
	git_commit_free(c);
	return steps;
}

/* The last path component of path. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * The renames of git's merge where libgit2's differ.  libgit2 1.5 pairs
 * two empty files (git's merge never does), and never takes a symbolic
 * link for a rename (its candidates are regular files); git's rename
 * detection pairs a deleted and an
 * added link with the same target (an exact rename: diffcore-rename's
 * find_identical_files(), which prefers a source of the same base name,
 * and takes no inexact rename of a link).  Pair them as git does, so
 * that a link one task moved and another retargeted is the one file git
 * merges, not a deletion against a change.
 */
static void renames_as_git(struct footprint *fp)
{
	size_t i, j, n, kept = 0;
	char *gone = NULL;
	git_oid empty;

	/*
	 * git's merge never takes an empty file for a rename (rename_empty
	 * off in merge-ort); libgit2 pairs two empty blobs as an exact one:
	 * a deletion and an addition again.
	 */
	git_oid_fromstr(&empty, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
	for (i = 0, n = fp->nr; i < n; i++) {
		struct fp_file *f = &fp->files[i], *d;

		if (f->change != FP_RENAMED || !git_oid_equal(&f->old_id, &empty) ||
		    f->old_mode == GIT_FILEMODE_LINK)
			continue;
		ALLOC_GROW(fp->files, fp->nr + 1, fp->alloc);
		f = &fp->files[i];
		d = &fp->files[fp->nr++];
		memset(d, 0, sizeof(*d));
		d->change = FP_DELETED;
		d->path = xstrdup(f->old_path);
		d->old_path = f->old_path;
		d->old_mode = f->old_mode;
		git_oid_cpy(&d->old_id, &f->old_id);
		f->change = FP_ADDED;
		f->old_path = NULL;
		f->old_mode = 0;
		memset(&f->old_id, 0, sizeof(f->old_id));
		/* both empty (only the same blob is paired): no line to read */
		f->diff = NULL;
		f->blobs_in = NULL;
	}
	n = fp->nr;

	for (i = 0; i < n; i++) {
		struct fp_file *add = &fp->files[i], *best = NULL;

		if (add->change != FP_ADDED || add->new_mode != GIT_FILEMODE_LINK ||
		    git_oid_is_zero(&add->new_id))
			continue;
		for (j = 0; j < n; j++) {
			struct fp_file *del = &fp->files[j];

			if (del->change != FP_DELETED || del->old_mode != GIT_FILEMODE_LINK ||
			    (gone && gone[j]) || !git_oid_equal(&del->old_id, &add->new_id))
				continue;
			if (!best || (!strcmp(base_name(del->path), base_name(add->path)) &&
				      strcmp(base_name(best->path), base_name(add->path))))
				best = del;
		}
		if (!best)
			continue;
		if (!gone)
			gone = xcalloc(n, 1);
		gone[best - fp->files] = 1;
		add->change = FP_RENAMED;
		add->old_path = xstrdup(best->path);
		add->old_mode = best->old_mode;
		git_oid_cpy(&add->old_id, &best->old_id);
		/* the same blob: no line changed, nothing binary */
		free(add->ranges);
		add->ranges = NULL;
		add->ranges_nr = add->ranges_alloc = 0;
		add->diff = NULL;
		add->blobs_in = NULL;
		add->binary = 0;
	}
	if (!gone)
		return;
	for (i = 0; i < n; i++) {
		if (gone[i]) {
			free(fp->files[i].path);
			free(fp->files[i].old_path);
			free(fp->files[i].ranges);
			continue;
		}
		if (kept != i)
			fp->files[kept] = fp->files[i];
		kept++;
	}
	fp->nr = kept;
	free(gone);
}

/*
 * The modified files of a worktree whose attributes convert (a filter
 * driver, working-tree-encoding): libgit2 1.5 diffed the bytes of those it
 * read as they are (UTF-16 is binary to it, a smudged file all changed).  git says
 * what changed, the file read back as git add reads it: the line ranges
 * (git diff-index -p -U0 merge-base -- path, plumbing: no user's diff
 * program, no textconv) and the blob (git hash-object, nothing written).
 * When git cannot say, libgit2's answer stays: a larger footprint, never
 * a smaller one.
 */
#define CONVERTED_ASK_MAX 256	/* files asked about one by one; more keep libgit2's answer */

static void ranges_from_git(struct fp_file *f, const struct strbuf *patch)
{
	const char *p = patch->buf, *end = patch->buf + patch->len;

	f->ranges_nr = 0;
	f->binary = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len > 4 && !strncmp(p, "@@ -", 4)) {
			char *q;
			unsigned long start = strtoul(p + 4, &q, 10), lines = 1;

			if (*q == ',')
				lines = strtoul(q + 1, NULL, 10);
			ALLOC_GROW(f->ranges, f->ranges_nr + 1, f->ranges_alloc);
			f->ranges[f->ranges_nr].start = (unsigned int)start;
			f->ranges[f->ranges_nr].lines = (unsigned int)lines;
			f->ranges_nr++;
		} else if (len > 13 && !strncmp(p, "Binary files ", 13)) {
			f->binary = 1;
		}
		p = nl ? nl + 1 : end;
	}
}

static void converted_files(struct footprint *fp, git_repository *wt, const char *top)
{
	struct strlist paths = STRLIST_INIT, conv = STRLIST_INIT;
	struct strbuf why = STRBUF_INIT, patch = STRBUF_INIT, in = STRBUF_INIT, ids = STRBUF_INIT;
	char mb[GIT_OID_HEXSZ + 1];
	const char *argv[] = {
		"git", "--literal-pathspecs", "diff-index", "-p", "-U0", "--no-color", "--no-ext-diff",
		"--no-textconv", "--no-renames", mb, "--", NULL, NULL,
	};
	static const char *const hash[] = { "git", "hash-object", "--stdin-paths", NULL };
	size_t i, k;
	const char *p;
	int newline = 0;

	for (i = 0; i < fp->nr; i++)
		if (fp->files[i].change == FP_MODIFIED &&
		    (fp->files[i].new_mode & 0170000) == 0100000)
			strlist_push(&paths, fp->files[i].path);
	if (!paths.nr || convert_paths_of(&conv, wt, top, &paths, &why) < 0 ||
	    !conv.nr || conv.nr > CONVERTED_ASK_MAX)
		goto out;
	git_oid_tostr(mb, sizeof(mb), &fp->merge_base);
	for (k = 0; k < conv.nr; k++) {
		newline |= !!strchr(conv.v[k], '\n');
		strbuf_addstr(&in, conv.v[k]);
		strbuf_addch(&in, '\n');
	}
	/* the blobs git add would write (a path with a newline: libgit2's ids stay) */
	if (!newline && !convert_run_git(top, hash, NULL, &in, &ids, 0))
		p = ids.buf;
	else
		p = NULL;
	for (k = 0; k < conv.nr; k++) {
		struct fp_file *f = NULL;
		const char *nl = p ? strchr(p, '\n') : NULL;

		for (i = 0; i < fp->nr && !f; i++)
			if (fp->files[i].change == FP_MODIFIED && !strcmp(fp->files[i].path, conv.v[k]))
				f = &fp->files[i];
		if (f && nl && git_oid_fromstrn(&f->new_id, p, (size_t)(nl - p)) < 0)
			git_error_clear();
		p = nl ? nl + 1 : NULL;
		strbuf_reset(&patch);
		argv[11] = conv.v[k];
		if (f && !convert_run_git(top, argv, NULL, NULL, &patch, 0))
			ranges_from_git(f, &patch);
	}
out:
	strlist_clear(&paths);
	strlist_clear(&conv);
	strbuf_release(&why);
	strbuf_release(&patch);
	strbuf_release(&in);
	strbuf_release(&ids);
}

/*
 * The paths (of those given) where a converting worktree differs from
 * the commit start, the files read back through their filters and
 * encodings: git diff-index --numstat, plumbing that compares the
 * content of a file whose stat data changed and drops it when it did not
 * (--name-only would list it; porcelain git diff refreshes and writes the
 * index even with GIT_OPTIONAL_LOCKS=0, git 2.39).  Into set.  0, or -1
 * when git was not asked (too many paths for a command line) or could
 * not say: the caller asks libgit2.
 */
#define OWN_ASK_PATHS 4096
#define OWN_ASK_BYTES (256 * 1024)

static int git_own_names(struct strmap *set, const char *top, const git_oid *start,
			 const struct strlist *paths)
{
	char hex[GIT_OID_HEXSZ + 1];
	const char *const argv[] = {
		"git", "--literal-pathspecs", "diff-index", "--no-renames", "--numstat", "-z",
		git_oid_tostr(hex, sizeof(hex), start), NULL,
	};
	struct strbuf res = STRBUF_INIT;
	const char *p, *end;
	size_t i, bytes = 0;
	int ret = -1;

	for (i = 0; i < paths->nr; i++)
		bytes += strlen(paths->v[i]) + 1;
	if (paths->nr > OWN_ASK_PATHS || bytes > OWN_ASK_BYTES)
		return -1;
	if (!convert_run_git_paths(top, argv, paths, NULL, &res)) {
		/* "<added>\t<deleted>\t<path>" NUL each */
		ret = 0;
		for (p = res.buf, end = res.buf + res.len; p < end; p += strlen(p) + 1) {
			const char *tab = strchr(p, '\t');

			tab = tab ? strchr(tab + 1, '\t') : NULL;
			if (!tab) {
				ret = -1;
				break;
			}
			strmap_put(set, tab + 1, NULL, NULL);
		}
		if (ret)
			strmap_clear(set);
	}
	strbuf_release(&res);
	return ret;
}

int footprint_measure(struct footprint *out, git_repository *repo,
		      const struct footprint_spec *spec, unsigned int flags)
{
	git_repository *wt = NULL;
	git_reference *ref = NULL;
	git_commit *mb_commit = NULL, *head_commit = NULL, *start_commit = NULL;
	git_tree *mb_tree = NULL, *head_tree = NULL, *start_tree = NULL;
	git_diff *diff = NULL, *dirty = NULL, *own = NULL;
	git_index *wt_index = NULL;
	git_diff_options o;
	struct strmap set = STRMAP_INIT;
	struct strlist rn_from = STRLIST_INIT, rn_to = STRLIST_INIT, paths = STRLIST_INIT;
	struct collect c;
	char h1[GIT_OID_HEXSZ + 1], h2[GIT_OID_HEXSZ + 1];
	const char *bname = spec->branch + (!strncmp(spec->branch, "refs/heads/", 11) ? 11 : 0);
	size_t i;
	int ret = 0, r, conv = 0, n_status = 0;
	struct strlist names = STRLIST_INIT;	/* git status's, when attributes convert */
	struct strbuf why = STRBUF_INIT, key = STRBUF_INIT;
	size_t cache_from = 0, notes_from = 0;
	int to_cache = 0;

	footprint_init(out);
	out->id = xstrdup(spec->id);
	out->branch = xstrdup(spec->branch);

	r = git_reference_lookup(&ref, repo, spec->branch);
	if (r == GIT_ENOTFOUND) {
		git_error_clear();
		if (!spec->ran)
			note(out, "never ran: no branch %s yet", bname);
		else
			note(out, "its branch %s is gone (deleted?): nothing to measure", bname);
		goto out;
	}
	if (r < 0 || git_reference_name_to_id(&out->head, repo, spec->branch) < 0) {
		note(out, "its branch %s cannot be read: %s", bname, gp_git_error());
		git_error_clear();
		goto out;
	}
	if (git_commit_lookup(&head_commit, repo, &out->head) < 0) {
		note(out, "its branch %s does not point at a commit: %s", bname, gp_git_error());
		git_error_clear();
		goto out;
	}
	r = git_merge_base(&out->merge_base, repo, &out->head, spec->base);
	if (r == GIT_ENOTFOUND) {
		git_error_clear();
		note(out, "its branch %s shares no history with the base %s: nothing to compare",
		     bname, short_oid(h1, spec->base));
		goto out;
	} else if (r < 0) {
		ret = error("task '%s': cannot find the merge base of %s and the base: %s",
			    spec->id, bname, gp_git_error());
		goto out;
	}
	if (!git_oid_equal(&out->merge_base, spec->base))
		note(out, "its branch %s does not contain the pinned base %s: measured from their merge base %s",
		     bname, short_oid(h1, spec->base), short_oid(h2, &out->merge_base));
	if (spec->start && !git_oid_equal(spec->start, &out->head) &&
	    git_graph_descendant_of(repo, &out->head, spec->start) != 1)
		note(out, "its branch %s no longer contains the commit it started from (%s): rebased or rewritten",
		     bname, short_oid(h1, spec->start));
	if (spec->base_ref && *spec->base_ref) {
		git_oid tip, fork;

		/*
		 * rebased onto (or merged) a newer base: commits of the base
		 * branch made after the pin.  Not the task's own commits
		 * merged into the base branch (the branch's head itself, or a
		 * commit main has only through a merge), nor a dependency's
		 * that the task started from.
		 */
		size_t ahead = 0;

		if (!git_reference_name_to_id(&tip, repo, spec->base_ref) &&
		    !git_oid_equal(&tip, spec->base) &&
		    !git_merge_base(&fork, repo, &out->head, &tip) &&
		    !git_oid_equal(&fork, &out->merge_base) &&
		    git_graph_descendant_of(repo, &fork, &out->merge_base) == 1 &&
		    !git_oid_equal(&fork, &out->head) &&
		    !(spec->start && (git_oid_equal(spec->start, &fork) ||
				      git_graph_descendant_of(repo, spec->start, &fork) == 1)) &&
		    (ahead = main_line_commits(repo, &tip, &fork, &out->merge_base)))
			note(out, "its branch %s contains %zu commit%s of %s made after the pinned base "
			     "(rebased or merged onto a newer base): their changes count in this footprint",
			     bname, ahead, ahead == 1 ? "" : "s", spec->base_ref + 11);
		git_error_clear();
	}

	out->measured = 1;
	if (spec->worktree && !(flags & FOOTPRINT_NO_UNCOMMITTED) &&
	    ((flags & FOOTPRINT_WORKTREE_CLEAN) ||
	     (!(flags & FOOTPRINT_WORKTREE_DIRTY) &&
	      worktree_clean_fast(repo, spec->worktree, spec->branch, git_commit_tree_id(head_commit))))) {
		out->worktree = xstrdup(spec->worktree);	/* clean: its branch says it all */
	} else if (spec->worktree && !(flags & FOOTPRINT_NO_UNCOMMITTED)) {
		if (open_worktree(&wt, out, spec->worktree, spec->branch) < 0)
			goto out;
		if (wt && left_behind(wt, repo, out, spec)) {
			git_repository_free(wt);
			wt = NULL;
		}
	} else if (spec->worktree && (flags & FOOTPRINT_NO_UNCOMMITTED)) {
		struct stat stt;

		if (stat(spec->worktree, &stt) < 0)
			note(out, "its worktree %s is gone (removed by hand?)", spec->worktree);
	}

	/*
	 * What is not committed: a name-only diff HEAD -> worktree (a status).
	 * A clean worktree is then measured from its branch alone.
	 */
	if (wt && (conv = convert_may_apply(wt, NULL)) != 0) {
		n_status = conv < 0 ? -1 : convert_git_status(&names, spec->worktree, &why);
		if (n_status == CONVERT_TIMED_OUT) {
			/*
			 * git status was stopped (a filter driver that hangs):
			 * libgit2 measures; it hashes the files as they are,
			 * so one a filter would find clean counts as changed.
			 */
			warning("task '%s': %s; its files count as git does not convert them",
				spec->id, why.buf);
			strlist_clear(&names);
			strbuf_release(&why);
			conv = 0;
		}
	}
	if (wt && conv) {
		/*
		 * Attributes convert (a filter driver, working-tree-encoding):
		 * libgit2 1.5 would hash the files as they are, and call a
		 * file git checked out changed.  git status names them.
		 */
		int n = n_status;

		if (conv < 0)
			strbuf_addstr(&why, gp_git_error());
		for (i = 0; n > 0 && i < names.nr; i++)
			strmap_put(&set, names.v[i], NULL, NULL);
		strlist_clear(&names);
		if (n < 0) {
			ret = error("task '%s': cannot read its worktree %s: %s", spec->id,
				    spec->worktree, why.buf);
			strbuf_release(&why);
			goto out;
		}
		strbuf_release(&why);
		/* libgit2's diffs below then hash a racily clean file, as git does */
		if (git_repository_index(&wt_index, wt) < 0)
			git_error_clear();
		else
			indexstat_smudge_racy(wt_index, git_index_path(wt_index));
		out->worktree = xstrdup(spec->worktree);
		if (!n) {
			git_index_free(wt_index);
			wt_index = NULL;
			git_repository_free(wt);
			wt = NULL;
		}
	} else if (wt) {
		git_tree *ht = NULL;
		git_commit *hc = NULL;

		diff_options(&o, 1);
		o.flags &= ~(unsigned int)GIT_DIFF_SHOW_UNTRACKED_CONTENT;
		if (git_commit_lookup(&hc, wt, &out->head) < 0 || git_commit_tree(&ht, hc) < 0 ||
		    worktree_dirty(&dirty, wt, ht, &o) < 0) {
			git_tree_free(ht);
			git_commit_free(hc);
			ret = error("task '%s': cannot read its worktree %s: %s", spec->id,
				    spec->worktree, gp_git_error());
			goto out;
		}
		git_tree_free(ht);
		git_commit_free(hc);
		if (git_repository_index(&wt_index, wt) < 0)
			git_error_clear();
		out->worktree = xstrdup(spec->worktree);
		if (!diff_names(&set, dirty, wt_index)) {
			git_index_free(wt_index);
			wt_index = NULL;
			git_repository_free(wt);
			wt = NULL;
		}
	}

	if (git_commit_lookup(&mb_commit, wt ? wt : repo, &out->merge_base) < 0 ||
	    git_commit_tree(&mb_tree, mb_commit) < 0) {
		ret = error("task '%s': cannot read the merge base: %s", spec->id, gp_git_error());
		goto out;
	}

	memset(&c, 0, sizeof(c));
	c.fp = out;
	c.repo = wt ? wt : repo;
	if (wt) {
		c.workdir = git_repository_workdir(wt);
		c.index = wt_index;
		diff_options(&o, 1);
		r = changed_paths(&paths, repo, git_commit_tree_id(mb_commit),
				  git_commit_tree_id(head_commit), &set);
		if (!r && paths.nr) {
			o.pathspec.strings = paths.v;
			o.pathspec.count = paths.nr;
			o.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
		}
		if (!r)
			r = git_diff_tree_to_workdir_with_index(&diff, wt, mb_tree, &o);
	} else {
		git_commit *hc = NULL;

		git_commit_free(head_commit);
		head_commit = NULL;
		r = git_commit_lookup(&hc, repo, &out->head);
		head_commit = hc;
		if (!r)
			r = git_commit_tree(&head_tree, head_commit);
		if (!r && spec->cache && !getenv("GIT_PARALLEL_TEST_TREEDIFF")) {
			cache_key(&key, repo, git_tree_id(mb_tree), git_tree_id(head_tree));
			cache_from = out->nr;
			notes_from = out->notes.nr;
			if (cache_load(out, repo, spec->cache, key.buf)) {
				if ((flags & FOOTPRINT_LAZY_HUNKS) || footprint_all_hunks(out) >= 0)
					goto measured;
				r = -1;
			}
			/* measured as it was first: line ranges read now would leave binary set */
			to_cache = !!(flags & FOOTPRINT_LAZY_HUNKS);
		}
		diff_options(&o, 0);
		if (!r)
			r = measure_tree_side(out, repo, git_tree_id(mb_tree), git_tree_id(head_tree),
					      flags, &diff);
		if (r == 1)
			goto measured;
		if (!r)
			r = git_diff_tree_to_tree(&diff, repo, mb_tree, head_tree, &o);
	}
	if (!r && !wt)
		r = find_git_renames(diff, repo, git_commit_tree_id(mb_commit),
				     git_commit_tree_id(head_commit),
				     (flags & FOOTPRINT_LAZY_HUNKS) ? &rn_from : NULL,
				     (flags & FOOTPRINT_LAZY_HUNKS) ? &rn_to : NULL);
	if (r == 2) {
		r = files_git_renames(diff, &c, repo, &rn_from, &rn_to);
		if (r == 1)
			goto measured;
		if (!r)		/* git's pairs are not the diff's: libgit2 finds them */
			r = find_git_renames(diff, repo, git_commit_tree_id(mb_commit),
					     git_commit_tree_id(head_commit), NULL, NULL);
	}
	if (r < 0 || (r == 0 && find_renames(diff, !!wt) < 0) ||
	    (!wt && (flags & FOOTPRINT_LAZY_HUNKS) ? files_only(diff, &c)
	     : git_diff_foreach(diff, file_cb, binary_cb, hunk_cb, NULL, &c)) < 0) {
		ret = error("task '%s': cannot diff %s against its base: %s", spec->id, bname,
			    gp_git_error());
		goto out;
	}
measured:
	if (to_cache && out->notes.nr == notes_from)	/* not a cache's: it was just measured */
		cache_store(spec->cache, key.buf, out, cache_from);
	renames_as_git(out);

	if (wt) {
		for (i = 0; i < out->nr; i++)
			if (file_in(&set, &out->files[i])) {
				out->files[i].uncommitted = 1;
				out->uncommitted++;
			}
		strmap_clear(&set);
		if (conv > 0)
			converted_files(out, wt, spec->worktree);
	} else if (spec->worktree && (flags & FOOTPRINT_NO_UNCOMMITTED)) {
		struct stat stt;

		if (!stat(spec->worktree, &stt))
			note(out, "uncommitted changes in its worktree, if any, are left out (--no-uncommitted)");
	}

	/*
	 * A task that started from its dependencies' merge: what came from
	 * them is inherited, not its own work (name-only diff start -> result).
	 */
	if (spec->start && !git_oid_equal(spec->start, &out->merge_base) &&
	    git_graph_descendant_of(repo, spec->start, &out->merge_base) == 1 &&
	    (git_oid_equal(spec->start, &out->head) ||
	     git_graph_descendant_of(repo, &out->head, spec->start) == 1)) {
		git_repository *r2 = wt ? wt : repo;

		diff_options(&o, !!wt);
		o.flags &= ~(unsigned int)GIT_DIFF_SHOW_UNTRACKED_CONTENT;
		if (git_commit_lookup(&start_commit, r2, spec->start) < 0 ||
		    git_commit_tree(&start_tree, start_commit) < 0)
			goto inherited_done;
		if (wt) {
			/* only the footprint's paths are asked about: no scan of the rest */
			strlist_clear(&paths);
			for (i = 0; i < out->nr; i++) {
				strlist_push(&paths, out->files[i].path);
				if (out->files[i].old_path)
					strlist_push(&paths, out->files[i].old_path);
			}
			if (!paths.nr)
				goto inherited_done;
			if (conv > 0 && git_own_names(&set, spec->worktree, spec->start, &paths) == 0)
				goto own_named;
			o.pathspec.strings = paths.v;
			o.pathspec.count = paths.nr;
			o.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
			r = git_diff_tree_to_workdir_with_index(&own, wt, start_tree, &o);
		} else
			r = git_diff_tree_to_tree(&own, repo, start_tree, head_tree, &o);
		if (r < 0 || find_renames(own, !!wt) < 0)
			goto inherited_done;
		diff_names(&set, own, wt ? wt_index : NULL);
own_named:
		for (i = 0; i < out->nr; i++)
			if (!file_in(&set, &out->files[i]))
				out->files[i].inherited = 1;
inherited_done:
		git_error_clear();
	}
	git_error_clear();

	if (out->nr > 1)
		qsort(out->files, out->nr, sizeof(*out->files), cmp_file);
	if (!wt && (flags & FOOTPRINT_LAZY_HUNKS)) {
		out->diff = diff;	/* the files' pending hunks */
		diff = NULL;
	}
out:
	strbuf_release(&key);
	strmap_clear(&set);
	strlist_clear(&paths);
	strlist_clear(&rn_from);
	strlist_clear(&rn_to);
	git_diff_free(own);
	git_diff_free(dirty);
	git_diff_free(diff);
	git_tree_free(start_tree);
	git_tree_free(head_tree);
	git_tree_free(mb_tree);
	git_commit_free(start_commit);
	git_commit_free(head_commit);
	git_commit_free(mb_commit);
	git_reference_free(ref);
	git_index_free(wt_index);
	git_repository_free(wt);
	return ret;
}
