/*
 * Overlaps between task footprints, ownership violations, footprint vs
 * plan (DESIGN.md 2.4).  One diff per task (footprint.c); pairs are found
 * through a path -> tasks index, so two tasks are only compared on the
 * paths they share.  --exact adds one in-memory merge per overlapping
 * pair, with git's merge bases (git_merge_commits), as git merge-tree
 * --write-tree does.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/index.h>

#include "gp/check.h"
#include "gp/gitmerge.h"
#include "gp/ownership.h"
#include "gp/treediff.h"

void check_init(struct check *c)
{
	memset(c, 0, sizeof(*c));
}

/* Wait for the git merge-trees started early that no pair took, and forget them. */
static void early_reap(struct check *c)
{
	size_t i;

	for (i = 0; i < c->early_nr; i++) {
		struct gitmerge g;

		if (!c->early[i])
			continue;
		if (!gitmerge_finish(&g, c->early[i], c->early_repo))
			gitmerge_release(&g);
		c->early[i] = NULL;
	}
	free(c->early);
	c->early = NULL;
	c->early_nr = 0;
}

void check_release(struct check *c)
{
	size_t i;

	early_reap(c);

	for (i = 0; i < c->nr; i++) {
		footprint_release(&c->fp[i]);
		strlist_clear(&c->ct[i].untouched);
	}
	free(c->fp);
	free(c->ct);
	for (i = 0; i < c->repos_nr; i++)	/* after the footprints: their diffs use them */
		git_repository_free(c->repos[i]);
	free(c->repos);
	for (i = 0; i < c->ov_nr; i++) {
		free(c->ov[i].path);
		free(c->ov[i].driver);
	}
	free(c->ov);
	for (i = 0; i < c->pairs_nr; i++)
		strlist_clear(&c->pairs[i].exact_paths);
	free(c->pairs);
	for (i = 0; i < c->viol_nr; i++)
		free(c->viol[i].path);
	free(c->viol);
	fp_diff_cache_clear(&c->dc);
	check_init(c);
}

const char *overlap_class_name(enum overlap_class cls)
{
	return cls == OVERLAP_CONFLICT ? "conflict" : "same-file";
}

const char *violation_kind_name(enum violation_kind k)
{
	switch (k) {
	case VIOLATION_UNDECLARED:
		return "undeclared";
	case VIOLATION_OUTSIDE_OWNER:
		return "outside-owner";
	case VIOLATION_OTHER_OWNER:
		return "other-owner";
	}
	return "undeclared";
}

/* xdiff's view of a hunk: first changed line, 0-based (for an insertion: the line it goes before) */
static unsigned long range_begin(const struct fp_range *r)
{
	return r->lines ? (unsigned long)r->start - 1 : (unsigned long)r->start;
}

int check_ranges_conflict(const struct fp_range *a, size_t a_nr,
			  const struct fp_range *b, size_t b_nr)
{
	size_t i, j;

	/*
	 * git's xdl_merge() takes two changes apart only when one ends
	 * strictly before the other begins: at least one unchanged line
	 * between them.  Overlapping or touching changes conflict.
	 */
	for (i = 0; i < a_nr; i++)
		for (j = 0; j < b_nr; j++) {
			unsigned long ia = range_begin(&a[i]), ib = range_begin(&b[j]);

			if (!(ia + a[i].lines < ib || ib + b[j].lines < ia))
				return 1;
		}
	return 0;
}

static int is_mode(unsigned int mode, unsigned int want)
{
	return mode == want;
}

/* Classify one path both tasks changed. */
/* Both sides ended with the same file at the same path: the kind "identical". */
static int same_result(const struct fp_file *fa, const struct fp_file *fb)
{
	return !strcmp(fa->path, fb->path) && fa->new_mode == fb->new_mode &&
		!git_oid_is_zero(&fa->new_id) && git_oid_equal(&fa->new_id, &fb->new_id);
}

/*
 * One of them kept the content of the base file both started from (a
 * rename at 100%, or a mode change only): git's merge of the content is
 * the other's, binary or not.
 */
static int one_kept_content(const struct fp_file *fa, const struct fp_file *fb)
{
	if (git_oid_is_zero(&fa->old_id) || !git_oid_equal(&fa->old_id, &fb->old_id))
		return 0;
	return git_oid_equal(&fa->old_id, &fa->new_id) || git_oid_equal(&fb->old_id, &fb->new_id);
}

static void classify(const struct fp_file *fa, const struct fp_file *fb,
		     enum overlap_class *cls, const char **kind)
{
	int a_del = fa->change == FP_DELETED, b_del = fb->change == FP_DELETED;

	*cls = OVERLAP_CONFLICT;
	if (a_del && b_del) {
		*cls = OVERLAP_SAME_FILE;
		*kind = "delete/delete";
		return;
	}
	if (a_del || b_del) {
		const struct fp_file *other = a_del ? fb : fa;

		*kind = other->change == FP_RENAMED ? "rename/delete" : "modify/delete";
		return;
	}
	if (same_result(fa, fb)) {
		*cls = OVERLAP_SAME_FILE;
		*kind = "identical";
		return;
	}
	if (fa->change == FP_ADDED && fb->change == FP_ADDED) {
		*kind = "add/add";
		return;
	}
	if (fa->change == FP_ADDED || fb->change == FP_ADDED) {
		*kind = "rename/add";
		return;
	}
	if (strcmp(fp_file_base_path(fa), fp_file_base_path(fb))) {
		/* one renamed onto a path the other changed */
		*kind = "rename/add";
		return;
	}
	if (fa->change == FP_RENAMED && fb->change == FP_RENAMED && strcmp(fa->path, fb->path)) {
		*kind = "rename/rename";
		return;
	}
	if (is_mode(fa->old_mode, GIT_FILEMODE_COMMIT) || is_mode(fa->new_mode, GIT_FILEMODE_COMMIT) ||
	    is_mode(fb->new_mode, GIT_FILEMODE_COMMIT)) {
		*kind = "submodule";
		return;
	}
	if (fa->change == FP_TYPECHANGE || fb->change == FP_TYPECHANGE) {
		*kind = "typechange";
		return;
	}
	if (is_mode(fa->new_mode, GIT_FILEMODE_LINK) || is_mode(fb->new_mode, GIT_FILEMODE_LINK)) {
		/* a link one side only moved takes the other's target, as in git */
		*kind = "symlink";
		if (one_kept_content(fa, fb))
			*cls = OVERLAP_SAME_FILE;
		return;
	}
	if ((fa->binary || fb->binary) && !one_kept_content(fa, fb)) {
		*kind = "binary";
		return;
	}
	if (fa->old_mode != fa->new_mode && fb->old_mode != fb->new_mode &&
	    fa->new_mode != fb->new_mode) {
		*kind = "mode";
		return;
	}
	*kind = "content";
	if (!check_ranges_conflict(fa->ranges, fa->ranges_nr, fb->ranges, fb->ranges_nr))
		*cls = OVERLAP_SAME_FILE;
}

/* --- the path -> tasks index -------------------------------------------- */

struct posting {
	size_t *task, *file;
	size_t nr, alloc, alloc2;
};

struct path_index {
	struct strmap map;	/* path -> posting index + 1 */
	struct posting *v;
	size_t nr, alloc;
};

static void index_add(struct path_index *ix, const char *path, size_t task, size_t file)
{
	struct strmap_entry *e;
	struct posting *p;
	int found;

	e = strmap_put(&ix->map, path, NULL, &found);
	if (!found) {
		ALLOC_GROW(ix->v, ix->nr + 1, ix->alloc);
		memset(&ix->v[ix->nr], 0, sizeof(ix->v[ix->nr]));
		e->value = (void *)(ix->nr + 1);
		ix->nr++;
	}
	p = &ix->v[(size_t)e->value - 1];
	/* a rename keeps x and y apart; the same file twice under one path: once */
	if (p->nr && p->task[p->nr - 1] == task && p->file[p->nr - 1] == file)
		return;
	ALLOC_GROW(p->task, p->nr + 1, p->alloc);
	ALLOC_GROW(p->file, p->nr + 1, p->alloc2);
	p->task[p->nr] = task;
	p->file[p->nr] = file;
	p->nr++;
}

static void index_release(struct path_index *ix)
{
	size_t i;

	for (i = 0; i < ix->nr; i++) {
		free(ix->v[i].task);
		free(ix->v[i].file);
	}
	free(ix->v);
	strmap_clear(&ix->map);
}

/* --- pairs ---------------------------------------------------------------- */

/* Does task x's branch hold all of task y's commits? */
static int holds_commits(const struct check *c, size_t x, size_t y, git_repository *repo)
{
	const struct footprint *fx = &c->fp[x], *fy = &c->fp[y];

	return git_oid_equal(&fx->head, &fy->head) ||
		git_graph_descendant_of(repo, &fx->head, &fy->head) == 1;
}

/*
 * One task contains the other (a dependency): the later one is built on
 * the earlier one; git merges them as a fast-forward, so they are not
 * compared.  Only committed work can be contained: uncommitted work is
 * in no branch, so a pair where the contained side has uncommitted
 * changes (two tasks on one commit with commit = never, both editing a
 * file) is compared, on those files only (see skip_contained()).
 */
static void pair_relate(struct check_pair *p, const struct check *c, git_repository *repo)
{
	if (holds_commits(c, p->a, p->b, repo))
		p->holds |= 1;
	if (holds_commits(c, p->b, p->a, repo))
		p->holds |= 2;
	p->related = ((p->holds & 1) && !c->fp[p->b].uncommitted) ||
		((p->holds & 2) && !c->fp[p->a].uncommitted);
}

/*
 * In a pair where one side holds the other's commits, a file says
 * nothing unless the held side changed it in its worktree and the
 * holding side changed it itself (not inherited).
 */
static int skip_contained(const struct check_pair *p, const struct fp_file *fa,
			  const struct fp_file *fb)
{
	if ((p->holds & 1) && !(fb->uncommitted && !fa->inherited))
		return 1;
	if ((p->holds & 2) && !(fa->uncommitted && !fb->inherited))
		return 1;
	return 0;
}

static struct check_pair *pair_get(struct check *c, struct strmap *pairs, size_t a, size_t b,
				   git_repository *repo)
{
	char key[64];
	struct strmap_entry *e;
	struct check_pair *p;
	int found;

	snprintf(key, sizeof(key), "%zu %zu", a, b);
	e = strmap_put(pairs, key, NULL, &found);
	if (found)
		return &c->pairs[(size_t)e->value - 1];
	ALLOC_GROW(c->pairs, c->pairs_nr + 1, c->pairs_alloc);
	p = &c->pairs[c->pairs_nr++];
	memset(p, 0, sizeof(*p));
	p->a = a;
	p->b = b;
	p->exact = -1;
	strlist_init(&p->exact_paths);
	e->value = (void *)c->pairs_nr;
	pair_relate(p, c, repo);
	git_error_clear();
	return p;
}

const struct check_pair *check_pair_find(const struct check *c, size_t a, size_t b)
{
	size_t i;

	if (a > b) {
		size_t t = a;

		a = b;
		b = t;
	}
	for (i = 0; i < c->pairs_nr; i++)
		if (c->pairs[i].a == a && c->pairs[i].b == b)
			return &c->pairs[i];
	return NULL;
}

static int cmp_overlap(const void *x, const void *y)
{
	const struct overlap *a = x, *b = y;
	int r;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	r = strcmp(a->path, b->path);
	return r;
}

static int cmp_pair(const void *x, const void *y)
{
	const struct check_pair *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/* Put the pair (task, file) in task order, so each pair has one name. */
static void order_pair(size_t *ta, size_t *fa, size_t *tb, size_t *fb)
{
	size_t x;

	if (*ta <= *tb)
		return;
	x = *ta;
	*ta = *tb;
	*tb = x;
	x = *fa;
	*fa = *fb;
	*fb = x;
}

/* --- line ranges, read once per blob pair, by a few threads --------------- */

struct hunk_job {
	const struct fp_file *f;	/* the first file that needs it */
	char *key;
	struct fp_blob_diff *bd;	/* NULL: not computed (the file's own way then) */
	uint32_t diff_flags;	/* the paths' "diff" attribute, as_flags: read already */
	int as_flags;
};

struct hunk_pool {
	struct hunk_job *jobs;
	size_t nr, next;
	const char *gitdir, *workdir;
	pthread_mutex_t lock;
};

static void hunk_job_run(struct hunk_job *j, git_repository *repo)
{
	const struct fp_file *f = j->f;
	const git_oid *old = f->change == FP_ADDED ? NULL : &f->old_id;
	const git_oid *new = f->change == FP_DELETED ? NULL : &f->new_id;

	if ((j->as_flags ? footprint_blob_diff_compute_as(&j->bd, repo, old, new, j->diff_flags) :
	     footprint_blob_diff_compute(&j->bd, repo, old, new, fp_file_base_path(f), f->path)) < 0)
		j->bd = NULL;
	git_error_clear();
}

/* Do two jobs diff from the same base blob?  (Their keys start with its OID.) */
static int same_old(const struct hunk_job *x, const struct hunk_job *y)
{
	return x->key[0] != '-' && !strncmp(x->key, y->key, GIT_OID_HEXSZ);
}

static int cmp_job(const void *x, const void *y)
{
	return strcmp(((const struct hunk_job *)x)->key, ((const struct hunk_job *)y)->key);
}

/*
 * A worker's own repository: the same object database, and the same
 * work tree (attributes by path come from its .gitattributes files).
 */
static void *hunk_worker(void *data)
{
	struct hunk_pool *hp = data;
	git_repository *repo = NULL;

	if (git_repository_open_bare(&repo, hp->gitdir) < 0 ||
	    (hp->workdir && git_repository_set_workdir(repo, hp->workdir, 0) < 0)) {
		git_error_clear();
		git_repository_free(repo);
		return NULL;	/* its jobs are left to the main thread */
	}
	for (;;) {
		size_t k, end;

		/* the jobs of one base blob together: it is read once, into this repo's cache */
		pthread_mutex_lock(&hp->lock);
		k = hp->next;
		for (end = k + 1; end < hp->nr && same_old(&hp->jobs[k], &hp->jobs[end]); end++)
			;
		hp->next = end;
		pthread_mutex_unlock(&hp->lock);
		if (k >= hp->nr)
			break;
		for (; k < end; k++)
			hunk_job_run(&hp->jobs[k], repo);
	}
	git_repository_free(repo);
	return NULL;
}

#define HUNK_JOBS_PER_THREAD 16

/*
 * A job's "diff" attribute, read here (in repo, whose index and
 * attribute files are read once): a thread's blob diff with paths
 * reads them again in its own repository (a real repository's index,
 * a few ms each).  Both paths' flags must be the same (libgit2 takes
 * each side's driver for its side); if not, or not known, the diff
 * looks them up itself.
 */
static void hunk_job_flags(struct hunk_job *j, git_repository *repo, struct strmap *drivers)
{
	const char *base = fp_file_base_path(j->f), *path = j->f->path;
	uint32_t fb = 0;

	j->as_flags = !footprint_diff_flags(&j->diff_flags, repo, path, drivers) &&
		(!base || !strcmp(base, path) ||
		 (!footprint_diff_flags(&fb, repo, base, drivers) && fb == j->diff_flags));
}

/*
 * Read the pending line ranges of files[0..n) (NULLs and files read
 * already are skipped): each pair of blobs (with its paths) is diffed
 * once, into c->dc, by up to one thread per CPU (at most 8) when there
 * are many; what cannot be read from blobs is read its own way.  0, or
 * -1 (reported).
 */
static int read_hunks(struct check *c, git_repository *repo, struct fp_file **files, size_t n)
{
	struct hunk_pool hp;
	struct strmap seen = STRMAP_INIT, drivers = STRMAP_INIT;
	const char *test = getenv("GIT_PARALLEL_TEST_DIFF_ATTR");
	struct strbuf key = STRBUF_INIT;
	pthread_t th[8];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, alloc = 0, nth, started = 0;
	int ret = 0;

	memset(&hp, 0, sizeof(hp));
	for (i = 0; i < n; i++) {
		const struct fp_file *f = files[i];
		int found;

		if (!f || !footprint_file_pending(f) || !footprint_file_blob_pair(f))
			continue;
		footprint_blob_diff_key(&key, f->change == FP_ADDED ? NULL : &f->old_id,
					f->change == FP_DELETED ? NULL : &f->new_id,
					fp_file_base_path(f), f->path);
		if (strmap_contains(&c->dc.map, key.buf))
			continue;
		strmap_put(&seen, key.buf, NULL, &found);
		if (found)
			continue;
		ALLOC_GROW(hp.jobs, hp.nr + 1, alloc);
		hp.jobs[hp.nr].f = f;
		hp.jobs[hp.nr].key = strbuf_detach(&key, NULL);
		hp.jobs[hp.nr].bd = NULL;
		hp.jobs[hp.nr].as_flags = 0;
		if (!test || strcmp(test, "diff"))	/* tests: as the diff itself reads them */
			hunk_job_flags(&hp.jobs[hp.nr], repo, &drivers);
		hp.nr++;
	}
	nth = hp.nr / HUNK_JOBS_PER_THREAD;
	if (nth > (size_t)(cpus < 1 ? 1 : cpus))
		nth = (size_t)(cpus < 1 ? 1 : cpus);
	if (nth > ARRAY_SIZE(th))
		nth = ARRAY_SIZE(th);
	if (nth >= 2) {
		/*
		 * Each worker has its own repository and object cache: the
		 * diffs of one base blob (both sides of a shared file) go to
		 * one worker, so that the blob is read once.
		 */
		qsort(hp.jobs, hp.nr, sizeof(*hp.jobs), cmp_job);
		hp.gitdir = git_repository_path(repo);
		hp.workdir = git_repository_workdir(repo);
		pthread_mutex_init(&hp.lock, NULL);
		for (i = 0; i < nth; i++)
			if (!pthread_create(&th[started], NULL, hunk_worker, &hp))
				started++;
		for (i = 0; i < started; i++)
			pthread_join(th[i], NULL);
		pthread_mutex_destroy(&hp.lock);
	}
	for (i = 0; i < hp.nr; i++) {
		if (!started)	/* no thread (few jobs, one CPU, or none started) */
			hunk_job_run(&hp.jobs[i], repo);
		if (hp.jobs[i].bd)
			fp_diff_cache_put(&c->dc, hp.jobs[i].key, hp.jobs[i].bd);
	}
	/* every file from c->dc (or its own way, where its blobs are not there) */
	for (i = 0; i < n && !ret; i++)
		if (files[i] && footprint_file_hunks_cached(files[i], repo, &c->dc) < 0)
			ret = -1;
	for (i = 0; i < hp.nr; i++)
		free(hp.jobs[i].key);
	free(hp.jobs);
	strmap_clear(&seen);
	strmap_clear(&drivers);
	strbuf_release(&key);
	return ret;
}

static struct overlap *add_overlap(struct check *c, git_repository *repo, size_t ta, size_t fa,
				   size_t tb, size_t fb)
{
	struct overlap *o;

	order_pair(&ta, &fa, &tb, &fb);
	ALLOC_GROW(c->ov, c->ov_nr + 1, c->ov_alloc);
	o = &c->ov[c->ov_nr++];
	memset(o, 0, sizeof(*o));
	o->a = ta;
	o->b = tb;
	o->fa = &c->fp[ta].files[fa];
	o->fb = &c->fp[tb].files[fb];
	o->path = xstrdup(fp_file_base_path(o->fa));
	o->exact = -1;
	/* footprints leave line ranges unread until two tasks share a file: read_hunks() */
	return o;
}

/* Task t adds files[f] below a path that other tasks add as a file. */
static void add_dir_conflicts(struct check *c, const struct posting *p, const char *prefix,
			      struct strmap *pairs, size_t t, size_t f, git_repository *repo)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		const struct fp_file *other = &c->fp[p->task[i]].files[p->file[i]];
		struct check_pair *pair;
		struct overlap *o;

		if (p->task[i] == t || (other->change != FP_ADDED && other->change != FP_RENAMED) ||
		    strcmp(other->path, prefix))
			continue;
		pair = pair_get(c, pairs, t < p->task[i] ? t : p->task[i],
				t < p->task[i] ? p->task[i] : t, repo);
		if (pair->related ||
		    (t < p->task[i] ? skip_contained(pair, &c->fp[t].files[f], other)
				    : skip_contained(pair, other, &c->fp[t].files[f])))
			continue;
		o = add_overlap(c, repo, p->task[i], p->file[i], t, f);
		free(o->path);
		o->path = xstrdup(other->path);
		o->cls = OVERLAP_CONFLICT;
		o->kind = "file/directory";
	}
}

/*
 * Does anything need the line ranges of f, one side of overlap o?
 * --json prints every file's.  The text reports print them and the
 * class they give, except where none are shown: an added, deleted or
 * type-changed file, a submodule (its change is shown; classify()
 * decides such an overlap by the kind of change, never by ranges or the
 * binary flag they come with) and, with --exact, where git's merge
 * decides, a file both tasks changed to the same result (shown as such:
 * git takes it once).  Those are not diffed.
 */
static int ranges_needed(const struct check *c, const struct overlap *o, const struct fp_file *f)
{
	if (c->all_ranges)
		return 1;
	if (c->exact && !o->kind && same_result(o->fa, o->fb))
		return 0;
	return f->change != FP_ADDED && f->change != FP_DELETED && f->change != FP_TYPECHANGE &&
		f->old_mode != GIT_FILEMODE_COMMIT && f->new_mode != GIT_FILEMODE_COMMIT;
}

/*
 * The pair's merge bases, looked up once per pair (cache: "a b" ->
 * struct pair_base).
 */
struct pair_base {
	git_oid *ids;
	size_t nr;
};

static int blob_id_at(git_oid *out, git_repository *repo, const git_oid *oid, const char *path);

static const struct pair_base *pair_bases(struct strmap *cache, const struct check *c,
					  git_repository *repo, size_t ta, size_t tb)
{
	struct pair_base *pb;
	git_oidarray bases = { NULL, 0 };
	char key[64];

	if (ta > tb) {
		size_t t = ta;

		ta = tb;
		tb = t;
	}
	snprintf(key, sizeof(key), "%zu %zu", ta, tb);
	if (!(pb = strmap_get(cache, key))) {
		pb = xcalloc(1, sizeof(*pb));
		if (!git_merge_bases(&bases, repo, &c->fp[ta].head, &c->fp[tb].head) && bases.count) {
			pb->ids = xcalloc(bases.count, sizeof(*pb->ids));
			memcpy(pb->ids, bases.ids, bases.count * sizeof(*pb->ids));
			pb->nr = bases.count;
		}
		git_oidarray_dispose(&bases);
		git_error_clear();
		strmap_put(cache, key, pb, NULL);
	}
	return pb;
}

static void pair_bases_clear(struct strmap *cache)
{
	size_t k;

	for (k = 0; k < cache->size; k++)
		if (cache->v[k].key) {
			struct pair_base *pb = cache->v[k].value;

			free(pb->ids);
			free(pb);
		}
	strmap_clear(cache);
}

/* The pair's one merge base, or NULL when there are several, or none. */
static const git_oid *pair_merge_base(struct strmap *cache, const struct check *c,
				      git_repository *repo, size_t ta, size_t tb)
{
	const struct pair_base *pb = pair_bases(cache, c, repo, ta, tb);

	return pb->nr == 1 ? &pb->ids[0] : NULL;
}

/*
 * What a path holds in the merge base git's merge of a pair starts from:
 * with several merge bases, git (merge-ort) merges them first into a
 * virtual one, two at a time from their own merge bases.  Taken path by
 * path, where that merge is trivial: the same on both, or one of them as
 * their base has it.  1 a blob (*out), 0 no file there, -1 not known (a
 * content merge of the bases, a tree or a submodule at the path, too
 * deep).
 */
#define VBASE_DEPTH 8

static int path_state(git_oid *out, git_repository *repo, const git_oid *commit, const char *path)
{
	git_commit *cm = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int ret = -1;

	if (git_commit_lookup(&cm, repo, commit) < 0 || git_commit_tree(&tree, cm) < 0)
		goto out;
	if ((ret = git_tree_entry_bypath(&e, tree, path)) < 0) {
		ret = ret == GIT_ENOTFOUND ? 0 : -1;
		goto out;
	}
	ret = -1;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
		git_oid_cpy(out, git_tree_entry_id(e));
		ret = 1;
	}
out:
	git_error_clear();
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(cm);
	return ret;
}

static int same_state(int x, const git_oid *ix, int y, const git_oid *iy)
{
	return x == y && (x != 1 || git_oid_equal(ix, iy));
}

/* The merge bases of ids[0] and ids[1..n) merged (git merge-base --all), cached by ids. */
static const struct pair_base *bases_many(struct strmap *cache, git_repository *repo,
					  const git_oid *ids, size_t n)
{
	struct pair_base *pb;
	git_oidarray bases = { NULL, 0 };
	struct strbuf key = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	size_t k;

	strbuf_addstr(&key, "m");
	for (k = 0; k < n; k++) {
		git_oid_tostr(hex, sizeof(hex), &ids[k]);
		strbuf_addf(&key, " %s", hex);
	}
	if (!(pb = strmap_get(cache, key.buf))) {
		pb = xcalloc(1, sizeof(*pb));
		if (!git_merge_bases_many(&bases, repo, n, ids) && bases.count) {
			pb->ids = xcalloc(bases.count, sizeof(*pb->ids));
			memcpy(pb->ids, bases.ids, bases.count * sizeof(*pb->ids));
			pb->nr = bases.count;
		}
		git_oidarray_dispose(&bases);
		git_error_clear();
		strmap_put(cache, key.buf, pb, NULL);
	}
	strbuf_release(&key);
	return pb;
}

static int virtual_base_path(git_oid *out, struct strmap *cache, git_repository *repo,
			     const git_oid *ids, size_t nr, const char *path, int depth);

static int commit_tree_oid(git_oid *out, git_repository *repo, const git_oid *commit)
{
	git_commit *cm = NULL;

	if (git_commit_lookup(&cm, repo, commit) < 0) {
		git_error_clear();
		return -1;
	}
	git_oid_cpy(out, git_commit_tree_id(cm));
	git_commit_free(cm);
	return 0;
}

/*
 * In the merge of merge bases from their own base o, side s added a
 * file the other side t (the merge of t_ids[0..t_nr)) does not have.
 * merge-ort detects renames in that merge too: the file may be one s
 * renamed, with t's change of the old file merged into it (git.git
 * ab1e76b88c83: builtin-grep.c -> builtin/grep.c).  1: a plain add --
 * no file s deleted since o is otherwise in t (changed or deleted
 * there), so no rename brings t's work in; 0: it may be such a rename,
 * or cannot tell.  Cached in cache ("a o s t..." -> struct pair_base
 * whose nr is the answer).
 */
static int plain_add(struct strmap *cache, git_repository *repo, const git_oid *o,
		     const git_oid *s, const git_oid *t_ids, size_t t_nr, int depth)
{
	struct tree_side ts;
	struct pair_base *pb;
	struct strbuf key = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid ot, st, at_t;
	size_t k;
	int ret = 0;

	strbuf_addstr(&key, "a");
	git_oid_tostr(hex, sizeof(hex), o);
	strbuf_addf(&key, " %s", hex);
	git_oid_tostr(hex, sizeof(hex), s);
	strbuf_addf(&key, " %s", hex);
	for (k = 0; k < t_nr; k++) {
		git_oid_tostr(hex, sizeof(hex), &t_ids[k]);
		strbuf_addf(&key, " %s", hex);
	}
	if ((pb = strmap_get(cache, key.buf))) {
		strbuf_release(&key);
		return (int)pb->nr;
	}
	tree_side_init(&ts);
	if (commit_tree_oid(&ot, repo, o) < 0 || commit_tree_oid(&st, repo, s) < 0 ||
	    tree_side_diff(&ts, repo, &ot, &st) < 0 || ts.unsorted) {
		git_error_clear();
		goto out;
	}
	ret = 1;
	for (k = 0; k < ts.nr && ret; k++) {
		const struct tree_change *ch = &ts.ch[k];

		if (ch->new_mode)
			continue;	/* not a deletion */
		if (virtual_base_path(&at_t, cache, repo, t_ids, t_nr, ch->path, depth + 1) != 1 ||
		    !git_oid_equal(&at_t, &ch->old_id))
			ret = 0;
	}
out:
	tree_side_release(&ts);
	pb = xcalloc(1, sizeof(*pb));
	pb->nr = (size_t)ret;
	strmap_put(cache, key.buf, pb, NULL);
	strbuf_release(&key);
	return ret;
}

/*
 * merge-ort merges the merge bases one after the other, oldest first
 * (git lists them newest first, as libgit2 does, and merge-ort reverses
 * the list), into the merge of those before, whose own merge bases with
 * the next one are those of the next one and all before it together.
 * A file one side of such a merge added is that side's only when it is
 * no rename (plain_add()).
 */
static int virtual_base_path(git_oid *out, struct strmap *cache, git_repository *repo,
			     const git_oid *ids, size_t nr, const char *path, int depth)
{
	git_oid x, y, o, *in;
	int sx, sy, so;
	size_t k;

	if (!nr || depth > VBASE_DEPTH || (sx = path_state(&x, repo, &ids[nr - 1], path)) < 0)
		return -1;
	for (k = nr - 1; k-- > 0;) {
		const struct pair_base *inner;

		if ((sy = path_state(&y, repo, &ids[k], path)) < 0)
			return -1;
		if (same_state(sx, &x, sy, &y))
			continue;
		/* ids[k] and the merge of ids[k + 1..nr) */
		in = xcalloc(nr - k, sizeof(*in));
		memcpy(in, ids + k, (nr - k) * sizeof(*in));
		inner = bases_many(cache, repo, in, nr - k);
		free(in);
		so = virtual_base_path(&o, cache, repo, inner->ids, inner->nr, path, depth + 1);
		if (so < 0)
			return -1;
		if (same_state(so, &o, sx, &x)) {
			/* ids[k] changed it; an add only when no rename */
			if (!so && (inner->nr != 1 ||
				    !plain_add(cache, repo, &inner->ids[0], &ids[k], ids + k + 1,
					       nr - k - 1, depth)))
				return -1;
			sx = sy;
			git_oid_cpy(&x, &y);
		} else if (!same_state(so, &o, sy, &y)) {
			return -1;	/* both changed it: a content merge */
		} else if (!so && (inner->nr != 1 || nr - k - 1 != 1 ||
				   !plain_add(cache, repo, &inner->ids[0], &ids[k + 1], ids + k, 1,
					      depth))) {
			return -1;	/* the merge of ids[k + 1..nr) added it */
		}
	}
	if (sx == 1)
		git_oid_cpy(out, &x);
	return sx;
}

/* virtual_base_path() for the pair (ta, tb). */
static int pair_base_path(git_oid *out, struct strmap *cache, const struct check *c,
			  git_repository *repo, size_t ta, size_t tb, const char *path)
{
	const struct pair_base *pb = pair_bases(cache, c, repo, ta, tb);

	return virtual_base_path(out, cache, repo, pb->ids, pb->nr, path, 0);
}

/*
 * Siblings that started from one dependency's result carry its files:
 * one that a task inherited (did not change since its start) and that
 * is the same in the pair's own merge base was not changed on that side
 * as git's merge sees the pair; git takes the other side's, no overlap.
 */
static int unchanged_since_pair_base(struct strmap *cache, const struct check *c,
				     git_repository *repo, size_t ta, const struct fp_file *fa,
				     size_t tb, const struct fp_file *fb)
{
	const struct fp_file *in = fa->inherited ? fa : fb;
	size_t t = fa->inherited ? ta : tb;
	git_oid at_base, at_head;

	if (fa->inherited == fb->inherited || fa->uncommitted || fb->uncommitted ||
	    in->change == FP_DELETED)
		return 0;
	return pair_base_path(&at_base, cache, c, repo, ta, tb, in->path) == 1 &&
		!blob_id_at(&at_head, repo, &c->fp[t].head, in->path) &&
		git_oid_equal(&at_base, &at_head);
}

static void find_overlaps(struct check *c, git_repository *repo)
{
	struct path_index ix = { STRMAP_INIT, NULL, 0, 0 };
	struct strmap pairs = STRMAP_INIT, seen = STRMAP_INIT, bases = STRMAP_INIT;
	size_t t, f, k, i, j;

	for (t = 0; t < c->nr; t++)
		for (f = 0; f < c->fp[t].nr; f++) {
			const struct fp_file *ff = &c->fp[t].files[f];

			if (ff->old_path)
				index_add(&ix, ff->old_path, t, f);
			if (!ff->old_path || strcmp(ff->old_path, ff->path))
				index_add(&ix, ff->path, t, f);
		}
	for (k = 0; k < ix.nr; k++) {
		struct posting *p = &ix.v[k];

		for (i = 0; i < p->nr; i++)
			for (j = i + 1; j < p->nr; j++) {
				size_t ta = p->task[i], tb = p->task[j], fa = p->file[i], fb = p->file[j];
				struct check_pair *pair;
				char key[128];
				int found;

				if (ta == tb)
					continue;
				/*
				 * Both got it from dependencies: the dependencies'
				 * own pair says all there is to say about it.
				 */
				if (c->fp[ta].files[fa].inherited && c->fp[tb].files[fb].inherited)
					continue;
				order_pair(&ta, &fa, &tb, &fb);
				snprintf(key, sizeof(key), "%zu %zu %zu %zu", ta, tb, fa, fb);
				strmap_put(&seen, key, NULL, &found);
				if (found)
					continue;
				pair = pair_get(c, &pairs, ta, tb, repo);
				if (pair->related ||
				    skip_contained(pair, &c->fp[ta].files[fa], &c->fp[tb].files[fb]) ||
				    unchanged_since_pair_base(&bases, c, repo, ta, &c->fp[ta].files[fa],
							      tb, &c->fp[tb].files[fb]))
					continue;
				add_overlap(c, repo, ta, fa, tb, fb);	/* classified below */
			}
	}
	/*
	 * A file one task adds where another adds a directory ("x" against
	 * "x/y"): no shared path, but git cannot merge it.
	 */
	for (t = 0; t < c->nr; t++)
		for (f = 0; f < c->fp[t].nr; f++) {
			const struct fp_file *ff = &c->fp[t].files[f];
			const char *slash;

			if (ff->change == FP_DELETED)
				continue;
			for (slash = strchr(ff->path, '/'); slash; slash = strchr(slash + 1, '/')) {
				char *prefix = xstrndup(ff->path, (size_t)(slash - ff->path));
				void *v = strmap_get(&ix.map, prefix);

				if (v)
					add_dir_conflicts(c, &ix.v[(size_t)v - 1], prefix, &pairs, t, f, repo);
				free(prefix);
			}
		}
	{
		struct fp_file **files = xcalloc(2 * c->ov_nr + 1, sizeof(*files));

		for (k = 0; k < c->ov_nr; k++) {	/* the footprints' own files (c->fp) */
			const struct overlap *o = &c->ov[k];

			if (ranges_needed(c, o, o->fa))
				files[2 * k] = (struct fp_file *)o->fa;
			if (ranges_needed(c, o, o->fb))
				files[2 * k + 1] = (struct fp_file *)o->fb;
		}
		if (read_hunks(c, repo, files, 2 * c->ov_nr) < 0)
			c->failed = 1;
		free(files);
	}
	for (k = 0; k < c->ov_nr; k++)
		if (!c->ov[k].kind)
			classify(c->ov[k].fa, c->ov[k].fb, &c->ov[k].cls, &c->ov[k].kind);
	pair_bases_clear(&bases);
	strmap_clear(&seen);
	strmap_clear(&pairs);
	index_release(&ix);
}

/* --- the classifier's noise: identical hunks, a pair's own merge base --- */

/*
 * Do the changes base -> a and base -> b of one file conflict as git's
 * three-way merge sees them?  Ranges that overlap or touch conflict,
 * unless both sides made the very same change there (same base lines,
 * same new lines: git takes it once).  1 conflict, 0 clean, -1 unknown
 * (a blob not in the object database: work not committed; binary).
 * The diffs are dc's: a footprint's own ranges of the file when the
 * paths and blobs are its.
 */
static int blobs_conflict(struct fp_diff_cache *dc, git_repository *repo, const git_oid *base,
			  const git_oid *a, const git_oid *b, const char *base_a, const char *path_a,
			  const char *base_b, const char *path_b)
{
	const struct fp_blob_diff *ha, *hb;
	size_t i, j;
	int ret = 0;

	if (git_oid_equal(a, base) || git_oid_equal(b, base) || git_oid_equal(a, b))
		return 0;
	if (footprint_blob_diff(&ha, dc, repo, base, a, base_a, path_a) < 0 ||
	    footprint_blob_diff(&hb, dc, repo, base, b, base_b, path_b) < 0) {
		git_error_clear();
		return -1;
	}
	if (ha->binary || hb->binary)
		return -1;
	for (i = 0; i < ha->ranges_nr && !ret; i++)
		for (j = 0; j < hb->ranges_nr && !ret; j++) {
			const struct fp_range *x = &ha->ranges[i], *y = &hb->ranges[j];

			if (!check_ranges_conflict(x, 1, y, 1))
				continue;
			if (x->start == y->start && x->lines == y->lines &&
			    ha->text[i].len == hb->text[j].len &&
			    !memcmp(ha->text[i].buf, hb->text[j].buf, ha->text[i].len))
				continue;	/* the same change on both sides */
			ret = 1;
		}
	return ret;
}

/* The blob at path in commit oid.  0 found, -1 not. */
static int blob_id_at(git_oid *out, git_repository *repo, const git_oid *oid, const char *path)
{
	git_commit *cm = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int ret = -1;

	if (!git_commit_lookup(&cm, repo, oid) && !git_commit_tree(&tree, cm) &&
	    !git_tree_entry_bypath(&e, tree, path) && git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
		git_oid_cpy(out, git_tree_entry_id(e));
		ret = 0;
	}
	git_error_clear();
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(cm);
	return ret;
}

/*
 * A content overlap the line ranges call a conflict, looked at closer:
 * measured against the pair's own merge base (siblings that started from
 * the same dependency's result both carry its hunks from the pinned base;
 * git's merge base for them is the dependency's head), and with the same
 * change on both sides taken once, as git does.  Committed work only.
 * An add/add is one too when the pair's merge base has the file (the
 * dependency added it: both siblings carry the add, git merges from it).
 * A side may have renamed the file: the base has it at its base path.
 */
static void refine_conflict(struct strmap *cache, struct check *c, git_repository *repo,
			    struct overlap *o)
{
	const struct footprint *pa = &c->fp[o->a], *pb = &c->fp[o->b];
	const struct fp_file *fa = o->fa, *fb = o->fb;
	const git_oid *mb;
	git_oid base, ida, idb;
	const char *base_a = fa ? fp_file_base_path(fa) : NULL, *base_b = fb ? fp_file_base_path(fb) : NULL;

	if (!fa || !fb || o->cls != OVERLAP_CONFLICT ||
	    (strcmp(o->kind, "content") && strcmp(o->kind, "add/add")) ||
	    fa->uncommitted || fb->uncommitted || strcmp(base_a, base_b))
		return;
	mb = pair_merge_base(cache, c, repo, o->a, o->b);
	if (mb && git_oid_equal(mb, &pa->merge_base) && git_oid_equal(mb, &pb->merge_base)) {
		/* the footprints were measured from it: their blobs are the pair's */
		if (git_oid_is_zero(&fa->old_id) || !git_oid_equal(&fa->old_id, &fb->old_id))
			return;
		git_oid_cpy(&base, &fa->old_id);
		git_oid_cpy(&ida, &fa->new_id);
		git_oid_cpy(&idb, &fb->new_id);
	} else if (blob_id_at(&ida, repo, &pa->head, fa->path) < 0 ||
		   blob_id_at(&idb, repo, &pb->head, fb->path) < 0) {
		return;
	} else if (!strcmp(fa->path, fb->path) &&
		   pair_base_path(&base, cache, c, repo, o->a, o->b, fa->path) == 1) {
		base_a = base_b = fa->path;	/* the path is the same in the three commits */
	} else if (pair_base_path(&base, cache, c, repo, o->a, o->b, base_a) != 1) {
		return;
	}
	if (blobs_conflict(&c->dc, repo, &base, &ida, &idb, base_a, fa->path, base_b, fb->path) == 0) {
		o->cls = OVERLAP_SAME_FILE;
		o->kind = "content";	/* an add only from the pinned base */
	}
}

/* Does commit head have at path what the merge base has (state sb, blob base)? */
static int same_as_base(git_repository *repo, int sb, const git_oid *base, const git_oid *head,
			const char *path)
{
	git_oid y;
	int sh = path_state(&y, repo, head, path);

	return sh >= 0 && same_state(sb, base, sh, &y);
}

/*
 * Tasks that share history beyond the pinned base (one built on
 * commits the other has too, with or without a declared dependency):
 * both footprints carry those commits' changes.  A conflict on a path
 * that one side has as the pair's own merge base has it is none as git's
 * merge of the pair sees it (git takes the other side's).  With several
 * merge bases, what git's virtual one has there (pair_base_path()).
 * Committed work only.
 */
static void refine_shared_history(struct strmap *cache, struct check *c, git_repository *repo,
				  struct overlap *o)
{
	const struct fp_file *fa = o->fa, *fb = o->fb;
	const git_oid *mb;
	git_oid base;
	int sb;

	if (!fa || !fb || o->cls != OVERLAP_CONFLICT || fa->uncommitted || fb->uncommitted)
		return;
	mb = pair_merge_base(cache, c, repo, o->a, o->b);
	if (mb && git_oid_equal(mb, &c->fp[o->a].merge_base) && git_oid_equal(mb, &c->fp[o->b].merge_base))
		return;
	if ((sb = pair_base_path(&base, cache, c, repo, o->a, o->b, fa->path)) >= 0 &&
	    same_as_base(repo, sb, &base, &c->fp[o->a].head, fa->path)) {
		o->cls = OVERLAP_SAME_FILE;
		return;
	}
	if (strcmp(fa->path, fb->path) &&
	    (sb = pair_base_path(&base, cache, c, repo, o->a, o->b, fb->path)) < 0)
		return;
	if (sb >= 0 && same_as_base(repo, sb, &base, &c->fp[o->b].head, fb->path))
		o->cls = OVERLAP_SAME_FILE;
}

/*
 * A conflict the ranges call on a pair with several merge bases whose
 * virtual one pair_base_path() cannot tell at the path (the bases'
 * merge is a content merge there): git merge-tree of the pair decides,
 * once per pair (cache: "g a b" -> struct gitmerge).  The path conflicts
 * when git names it (at either side's path); if git cannot answer, the
 * ranges' verdict stands.  (--exact asks git of the pair anyway.)
 */
static void refine_by_git(struct strmap *bases, struct strmap *answers, struct check *c,
			  git_repository *repo, struct overlap *o)
{
	const struct fp_file *fa = o->fa, *fb = o->fb;
	struct gitmerge *g;
	git_oid unused;
	char key[64];

	if (c->exact || !fa || !fb || o->cls != OVERLAP_CONFLICT || fa->uncommitted || fb->uncommitted ||
	    pair_bases(bases, c, repo, o->a, o->b)->nr < 2 ||
	    pair_base_path(&unused, bases, c, repo, o->a, o->b, fp_file_base_path(fa)) >= 0)
		return;
	snprintf(key, sizeof(key), "g %zu %zu", o->a, o->b);
	if (!(g = strmap_get(answers, key))) {
		g = xcalloc(1, sizeof(*g));
		gitmerge_init(g);
		if (gitmerge_run(g, repo, &c->fp[o->a].head, &c->fp[o->b].head) < 0)
			g->conflicts = -1;
		strmap_put(answers, key, g, NULL);
	}
	if (g->conflicts < 0)
		return;
	if (!gitmerge_has(g, o->path) && !gitmerge_has(g, fa->path) && !gitmerge_has(g, fb->path))
		o->cls = OVERLAP_SAME_FILE;
}

static void answers_clear(struct strmap *answers)
{
	size_t k;

	for (k = 0; k < answers->size; k++)
		if (answers->v[k].key) {
			gitmerge_release(answers->v[k].value);
			free(answers->v[k].value);
		}
	strmap_clear(answers);
}

/* --- paths only git's merge bases show (plain check) --- */

/* Add to out (path -> NULL) every path where head differs from one of pb's commits.  0, or -1. */
static int differs_from_bases(struct strmap *out, git_repository *repo, const git_oid *head,
			      const struct pair_base *pb)
{
	struct tree_side ts;
	git_oid ht, bt;
	size_t i, k;
	int ret = -1;

	tree_side_init(&ts);
	if (commit_tree_oid(&ht, repo, head) < 0)
		goto out;
	for (i = 0; i < pb->nr; i++) {
		if (commit_tree_oid(&bt, repo, &pb->ids[i]) < 0 ||
		    tree_side_diff(&ts, repo, &bt, &ht) < 0 || ts.unsorted)
			goto out;
		for (k = 0; k < ts.nr; k++)
			strmap_put(out, ts.ch[k].path, NULL, NULL);
	}
	ret = 0;
out:
	git_error_clear();
	tree_side_release(&ts);
	return ret;
}

/*
 * A path both heads of the pair differ at from one of its merge bases,
 * as git's merge sees it from the (virtual) merge base: 0 clean, 1 a
 * conflict (*kind), -1 git must tell (the virtual base not known there,
 * an add or a delete against it -- renames are git's to find --, a
 * merge attribute, a binary file).
 */
static int decide_from_base(const char **kind, struct strmap *bases, struct check *c,
			    git_repository *repo, size_t ta, size_t tb, const char *path)
{
	const char *value = NULL;
	git_oid v, a, b;
	int sv, sa, sb, attr;

	sa = path_state(&a, repo, &c->fp[ta].head, path);
	sb = path_state(&b, repo, &c->fp[tb].head, path);
	*kind = !sa || !sb ? "modify/delete" : "content";
	if (sa < 0 || sb < 0) {
		*kind = "content";
		return -1;
	}
	if (same_state(sa, &a, sb, &b))
		return 0;
	if ((sv = pair_base_path(&v, bases, c, repo, ta, tb, path)) < 0)
		return -1;
	if (same_state(sv, &v, sa, &a) || same_state(sv, &v, sb, &b))
		return 0;
	if (!sv) {
		*kind = "add/add";
		return -1;
	}
	if (!sa || !sb)
		return -1;
	attr = git_attr_get(&value, repo, 0, path, "merge") < 0 ||
		git_attr_value(value) != GIT_ATTR_VALUE_UNSPECIFIED;
	git_error_clear();
	if (attr)
		return -1;
	return blobs_conflict(&c->dc, repo, &v, &a, &b, path, path, path, path);
}

/* decide_from_base()'s kind, static again (o->kind is) */
static const char *kind_name(const char *kind)
{
	static const char *const kinds[] = { "modify/delete", "add/add", "content" };
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kinds) - 1; k++)
		if (!strcmp(kind, kinds[k]))
			return kinds[k];
	return kinds[k];
}

/* The pair (a, b), a < b, made when it is not there yet. */
static struct check_pair *pair_at(struct check *c, size_t a, size_t b, git_repository *repo)
{
	struct check_pair *p = (struct check_pair *)check_pair_find(c, a, b);

	if (p)
		return p;
	ALLOC_GROW(c->pairs, c->pairs_nr + 1, c->pairs_alloc);
	p = &c->pairs[c->pairs_nr++];
	memset(p, 0, sizeof(*p));
	p->a = a;
	p->b = b;
	p->exact = -1;
	strlist_init(&p->exact_paths);
	pair_relate(p, c, repo);
	git_error_clear();
	return p;
}

static void add_base_conflict(struct check *c, git_repository *repo, size_t ta, size_t tb,
			      const char *path, const char *kind)
{
	struct overlap *o;

	pair_at(c, ta, tb, repo);
	ALLOC_GROW(c->ov, c->ov_nr + 1, c->ov_alloc);
	o = &c->ov[c->ov_nr++];
	memset(o, 0, sizeof(*o));
	o->a = ta;
	o->b = tb;
	o->path = xstrdup(path);
	o->cls = OVERLAP_CONFLICT;
	o->kind = kind;
	o->exact = -1;
}

/*
 * Is path an overlap of the pair already, or a file one of them changed
 * in its worktree (what git merges is committed work)?
 */
static int pair_covers(const struct check *c, size_t ta, size_t tb, const char *path)
{
	size_t k, t;

	for (k = 0; k < c->ov_nr; k++) {
		const struct overlap *o = &c->ov[k];

		if (o->a == ta && o->b == tb &&
		    (!strcmp(o->path, path) || (o->fa && !strcmp(o->fa->path, path)) ||
		     (o->fb && !strcmp(o->fb->path, path))))
			return 1;
	}
	for (t = ta; t <= tb; t += tb - ta) {
		for (k = 0; k < c->fp[t].nr; k++) {
			const struct fp_file *f = &c->fp[t].files[k];

			if (f->uncommitted && (!strcmp(f->path, path) ||
					       (f->old_path && !strcmp(f->old_path, path))))
				return 1;
		}
		if (tb == ta)
			break;
	}
	return 0;
}

/*
 * A pair whose own merge bases are not the pinned base both footprints
 * were measured from (shared history, a criss-cross): git's merge of
 * the pair starts from those (merged into a virtual one when there are
 * several), and a path may conflict there that one footprint holds and
 * the other not -- a task that left a file as the pinned base has it
 * changed it against a merge base that differs there.  git.git
 * 4a1442a33636: bulk-checkin.c, deleted in one merge base and changed
 * in the other, the virtual base holds the older file; 06fb494474fa:
 * GIT-VERSION-GEN, whose virtual base holds conflict markers.  Every
 * path both heads differ at from a merge base (tree diffs) and no
 * overlap names is decided by decide_from_base(), or by git merge-tree
 * of the pair (once per pair, cached in answers as refine_by_git()
 * does) where that cannot tell; when git is asked, each path it names
 * is a conflict of the pair.  Plain check only: --exact asks git of
 * every pair.
 */
#define OWN_COMMITS_MAX 10000

/*
 * The commits of fp's branch since its merge base (hex -> NULL), or -1
 * when they cannot be listed (or are more than OWN_COMMITS_MAX).
 */
static int own_commits(struct strmap *out, git_repository *repo, const struct footprint *fp)
{
	git_revwalk *w = NULL;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	int ret = -1, rc;

	if (git_revwalk_new(&w, repo) < 0 || git_revwalk_push(w, &fp->head) < 0 ||
	    git_revwalk_hide(w, &fp->merge_base) < 0)
		goto out;
	while (!(rc = git_revwalk_next(&id, w))) {
		if (out->nr >= OWN_COMMITS_MAX)
			goto out;
		git_oid_tostr(hex, sizeof(hex), &id);
		strmap_put(out, hex, NULL, NULL);
	}
	ret = rc == GIT_ITEROVER ? 0 : -1;
out:
	git_error_clear();
	git_revwalk_free(w);
	return ret;
}

/*
 * Can the pair share history beyond their one merge base with the
 * pinned base?  Not when both branches start from the same one and
 * have no commit since in common: then it is the pair's only merge
 * base (every other common ancestor is one of its ancestors), and no
 * git merge-base walk per pair is needed.
 */
static int may_share(struct strmap *own, int *own_ok, const struct check *c, size_t ta, size_t tb)
{
	const struct strmap *x, *y;
	size_t k;

	if (!git_oid_equal(&c->fp[ta].merge_base, &c->fp[tb].merge_base) || own_ok[ta] < 0 ||
	    own_ok[tb] < 0)
		return 1;
	x = own[ta].nr <= own[tb].nr ? &own[ta] : &own[tb];
	y = x == &own[ta] ? &own[tb] : &own[ta];
	for (k = 0; k < x->size; k++)
		if (x->v[k].key && strmap_contains(y, x->v[k].key))
			return 1;
	return 0;
}

static void refine_from_bases(struct strmap *bases, struct strmap *answers, struct check *c,
			      git_repository *repo)
{
	struct strmap *own = xcalloc(c->nr + 1, sizeof(*own));
	int *own_ok = xcalloc(c->nr + 1, sizeof(*own_ok));
	size_t ta, tb, k;

	for (ta = 0; ta < c->nr; ta++) {
		strmap_init(&own[ta]);
		own_ok[ta] = c->fp[ta].measured ? own_commits(&own[ta], repo, &c->fp[ta]) : -1;
	}
	for (ta = 0; ta < c->nr; ta++)
		for (tb = ta + 1; tb < c->nr; tb++) {
			const struct footprint *pa = &c->fp[ta], *pb = &c->fp[tb];
			const struct pair_base *mb;
			struct strmap da = STRMAP_INIT, db = STRMAP_INIT;
			struct strlist ask = STRLIST_INIT, kinds = STRLIST_INIT;
			struct gitmerge *g;
			char key[64];

			if (!pa->measured || !pb->measured || !may_share(own, own_ok, c, ta, tb))
				continue;
			mb = pair_bases(bases, c, repo, ta, tb);
			if (!mb->nr || (mb->nr == 1 && git_oid_equal(&mb->ids[0], &pa->merge_base) &&
					git_oid_equal(&mb->ids[0], &pb->merge_base)) ||
			    (mb->nr == 1 && (git_oid_equal(&mb->ids[0], &pa->head) ||
					     git_oid_equal(&mb->ids[0], &pb->head))))
				continue;	/* the footprints tell; or a fast-forward */
			if (differs_from_bases(&da, repo, &pa->head, mb) < 0 ||
			    differs_from_bases(&db, repo, &pb->head, mb) < 0) {
				strlist_push(&ask, "");
			} else {
				for (k = 0; k < da.size; k++) {
					const char *path = da.v[k].key, *kind;
					int r;

					if (!path || !strmap_contains(&db, path) ||
					    pair_covers(c, ta, tb, path))
						continue;
					if ((r = decide_from_base(&kind, bases, c, repo, ta, tb, path)) < 0) {
						strlist_push(&ask, path);
						strlist_push(&kinds, kind);
					} else if (r)
						add_base_conflict(c, repo, ta, tb, path, kind);
				}
			}
			strmap_clear(&da);
			strmap_clear(&db);
			if (!ask.nr)
				continue;
			snprintf(key, sizeof(key), "g %zu %zu", ta, tb);
			if (!(g = strmap_get(answers, key))) {
				g = xcalloc(1, sizeof(*g));
				gitmerge_init(g);
				if (gitmerge_run(g, repo, &pa->head, &pb->head) < 0)
					g->conflicts = -1;
				strmap_put(answers, key, g, NULL);
			}
			if (g->conflicts < 0) {
				/* git cannot tell: what the ranges could not decide conflicts */
				for (k = 0; k < ask.nr; k++)
					if (*ask.v[k])
						add_base_conflict(c, repo, ta, tb, ask.v[k],
								  kind_name(kinds.v[k]));
			} else {
				size_t n = c->ov_nr;

				for (k = 0; k < g->paths.nr; k++) {
					const char *path = g->paths.v[k];
					size_t i;

					if (pair_covers(c, ta, tb, path))
						continue;
					for (i = 0; i < ask.nr && strcmp(ask.v[i], path); i++)
						;
					add_base_conflict(c, repo, ta, tb, path,
							  kind_name(i < ask.nr ? kinds.v[i] : "content"));
				}
				/* the pair's other overlaps: git's verdict too */
				for (k = 0; k < n; k++) {
					struct overlap *o = &c->ov[k];

					if (o->a != ta || o->b != tb || !o->fa || !o->fb ||
					    o->fa->uncommitted || o->fb->uncommitted)
						continue;
					o->cls = gitmerge_has(g, o->path) || gitmerge_has(g, o->fa->path) ||
						gitmerge_has(g, o->fb->path) ? OVERLAP_CONFLICT
									     : OVERLAP_SAME_FILE;
				}
			}
			strlist_clear(&ask);
			strlist_clear(&kinds);
		}
	for (ta = 0; ta < c->nr; ta++)
		strmap_clear(&own[ta]);
	free(own);
	free(own_ok);
}

/* --- directory renames (plain check) --- */

/* Is path below directory dir? */
static int below_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && path[n] == '/';
}

/* Does commit have nothing at path (git_tree_entry_bypath() finds none)? */
static int gone_at(git_repository *repo, const git_oid *commit, const char *path)
{
	git_oid unused;

	return path_state(&unused, repo, commit, path) == 0;
}

/* Did task tb add (or rename in) a committed file right in one of the directories in dirs? */
static int dir_rename_relevant(const struct check *c, size_t tb, const struct strlist *dirs)
{
	size_t k;

	for (k = 0; k < c->fp[tb].nr; k++) {
		const struct fp_file *ff = &c->fp[tb].files[k];
		const char *slash = strrchr(ff->path, '/');
		size_t i;

		if ((ff->change != FP_ADDED && ff->change != FP_RENAMED) || ff->uncommitted ||
		    ff->inherited || !slash)
			continue;
		for (i = 0; i < dirs->nr; i++)
			if (strlen(dirs->v[i]) == (size_t)(slash - ff->path) &&
			    !strncmp(ff->path, dirs->v[i], (size_t)(slash - ff->path)))
				return 1;
	}
	return 0;
}

/*
 * One task renamed files out of a directory that is gone from its head,
 * the other added a file below it (or renamed one in): git's merge-ort
 * finds the directory renamed and, with merge.directoryRenames unset
 * (or "conflict"), calls the added file a conflict (file location; a
 * directory renamed to several others with no majority: directory
 * rename split).  No shared path: the path index never pairs them.
 * Committed work (renames are found on commits), plain check only
 * (--exact asks git).  merge-ort looks for a directory's rename only
 * when the other side added a file right in a directory the side
 * removed (its "relevant" directories): a file added only deeper, in a
 * new subdirectory of the renamed directory (d/sub/y, d/sub not in the
 * base), stays where it is, and the merge is clean (dir_rename_relevant()).
 */
static void add_dir_rename_conflicts(struct check *c, git_repository *repo)
{
	struct strlist *dirs, *from;
	size_t ta, tb, k, f, d;

	if (c->nr < 2 || !gitmerge_dir_renames_conflict(repo))
		return;
	dirs = xcalloc(c->nr, sizeof(*dirs));
	from = xcalloc(c->nr, sizeof(*from));
	for (ta = 0; ta < c->nr; ta++) {
		strlist_init(&dirs[ta]);
		strlist_init(&from[ta]);
		if (!c->fp[ta].measured)
			continue;
		for (f = 0; f < c->fp[ta].nr; f++) {
			const struct fp_file *ff = &c->fp[ta].files[f];
			char *dir;
			char *slash;

			if (ff->change != FP_RENAMED || !ff->old_path || ff->uncommitted)
				continue;
			dir = xstrdup(ff->old_path);
			while ((slash = strrchr(dir, '/'))) {
				*slash = '\0';
				if (below_dir(ff->path, dir))
					break;
				if (!strlist_has(&dirs[ta], dir) && gone_at(repo, &c->fp[ta].head, dir)) {
					strlist_push(&dirs[ta], dir);
					strlist_push(&from[ta], ff->old_path);
				}
			}
			free(dir);
		}
	}
	for (ta = 0; ta < c->nr; ta++)
		for (d = 0; d < dirs[ta].nr; d++)
			for (tb = 0; tb < c->nr; tb++) {
				const struct check_pair *p;
				git_oid unused;

				/* the rename is the other's too (a shared dependency): none */
				if (tb == ta || !c->fp[tb].measured ||
				    path_state(&unused, repo, &c->fp[tb].head, from[ta].v[d]) != 1 ||
				    !dir_rename_relevant(c, tb, &dirs[ta]))
					continue;
				for (k = 0; k < c->fp[tb].nr; k++) {
					const struct fp_file *ff = &c->fp[tb].files[k];
					size_t a = ta < tb ? ta : tb, b = ta < tb ? tb : ta;

					if ((ff->change != FP_ADDED && ff->change != FP_RENAMED) ||
					    ff->uncommitted || ff->inherited ||
					    !below_dir(ff->path, dirs[ta].v[d]) ||
					    (ff->old_path && below_dir(ff->old_path, dirs[ta].v[d])) ||
					    pair_covers(c, a, b, ff->path))
						continue;
					p = pair_at(c, a, b, repo);
					if (p->holds)
						break;
					add_base_conflict(c, repo, a, b, ff->path, "directory rename");
				}
			}
	for (ta = 0; ta < c->nr; ta++) {
		strlist_clear(&dirs[ta]);
		strlist_clear(&from[ta]);
	}
	free(dirs);
	free(from);
}

/*
 * The path's merge attribute, as git's merge honours it: merge=union
 * never conflicts, -merge (binary) conflicts whenever both changed it,
 * and a custom driver (merge.<name>.driver) decides alone: the ranges
 * say nothing then, which the overlap says (o->driver).  An undefined
 * driver name is the text merge, as in git.
 */
static void merge_attribute(git_repository *repo, struct overlap *o)
{
	const char *value = NULL;
	git_config *cfg = NULL;
	git_config_entry *e = NULL;
	char *key;

	if (!o->fa || !o->fb || strcmp(o->kind, "content") ||
	    git_attr_get(&value, repo, 0, o->path, "merge") < 0) {
		git_error_clear();
		return;
	}
	switch (git_attr_value(value)) {
	case GIT_ATTR_VALUE_FALSE:
		o->cls = OVERLAP_CONFLICT;
		return;
	case GIT_ATTR_VALUE_STRING:
		break;
	default:
		return;
	}
	if (!strcmp(value, "union")) {
		o->cls = OVERLAP_SAME_FILE;
		return;
	}
	if (!strcmp(value, "binary")) {
		o->cls = OVERLAP_CONFLICT;
		return;
	}
	if (!strcmp(value, "text"))
		return;
	key = xstrfmt("merge.%s.driver", value);
	if (!git_repository_config_snapshot(&cfg, repo) && !git_config_get_entry(&e, cfg, key))
		o->driver = xstrdup(value);
	git_error_clear();
	git_config_entry_free(e);
	git_config_free(cfg);
	free(key);
}

/*
 * git's directory renames reach up: d/sub/x moved to e/sub/x renames d to
 * e too when d is gone (gitmerge.c's side_diff()).  Add to gone the
 * parents of its directories that the task's head no longer has.
 */
static void gone_parents(struct strmap *gone, git_repository *repo, const git_oid *head)
{
	git_commit *hc = NULL;
	git_tree *ht = NULL;
	struct strlist up = STRLIST_INIT;
	size_t i;

	if (!gone->size || git_commit_lookup(&hc, repo, head) < 0 || git_commit_tree(&ht, hc) < 0)
		goto out;
	for (i = 0; i < gone->size; i++) {
		char *d, *slash;

		if (!gone->v[i].key)
			continue;
		d = xstrdup(gone->v[i].key);
		while ((slash = strrchr(d, '/'))) {
			git_tree_entry *te = NULL;

			*slash = '\0';
			if (!git_tree_entry_bypath(&te, ht, d)) {
				git_tree_entry_free(te);
				break;
			}
			strlist_push(&up, d);
		}
		free(d);
	}
	for (i = 0; i < up.nr; i++)
		strmap_put(gone, up.v[i], NULL, NULL);
out:
	git_error_clear();
	strlist_clear(&up);
	git_tree_free(ht);
	git_commit_free(hc);
}

/*
 * --exact: pairs that share no path but where git's directory-rename
 * detection may put one task's new file where the other moved a
 * directory: one removed files from a directory (deleted or renamed
 * away), the other added files below it.  Appended to c->pairs.
 */
static void add_rename_pairs(struct check *c, git_repository *repo)
{
	struct strmap *gone = xcalloc(c->nr + 1, sizeof(*gone));
	size_t t, u, f;

	for (t = 0; t < c->nr; t++) {
		strmap_init(&gone[t]);
		for (f = 0; f < c->fp[t].nr; f++) {
			const struct fp_file *ff = &c->fp[t].files[f];
			const char *from = ff->change == FP_DELETED ? ff->path :
				ff->change == FP_RENAMED ? ff->old_path : NULL;
			const char *slash = from ? strrchr(from, '/') : NULL;
			char *d;

			if (!slash || ff->inherited)
				continue;
			d = xstrndup(from, (size_t)(slash - from));
			strmap_put(&gone[t], d, NULL, NULL);
			free(d);
		}
		gone_parents(&gone[t], repo, &c->fp[t].head);
	}
	for (t = 0; t < c->nr; t++)
		for (u = 0; u < c->nr; u++) {
			int hit = 0;

			if (t == u || !gone[t].nr || !c->fp[u].measured || !c->fp[t].measured ||
			    check_pair_find(c, t, u))
				continue;
			for (f = 0; f < c->fp[u].nr && !hit; f++) {
				const struct fp_file *ff = &c->fp[u].files[f];
				char *d, *slash;

				if ((ff->change != FP_ADDED && ff->change != FP_RENAMED) || ff->inherited)
					continue;
				d = xstrdup(ff->path);
				while (!hit && (slash = strrchr(d, '/'))) {
					*slash = '\0';
					hit = strmap_contains(&gone[t], d);
				}
				free(d);
			}
			if (hit) {
				struct check_pair *p;

				ALLOC_GROW(c->pairs, c->pairs_nr + 1, c->pairs_alloc);
				p = &c->pairs[c->pairs_nr++];
				memset(p, 0, sizeof(*p));
				p->a = t < u ? t : u;
				p->b = t < u ? u : t;
				p->exact = -1;
				strlist_init(&p->exact_paths);
				pair_relate(p, c, repo);
				git_error_clear();
			}
		}
	for (t = 0; t < c->nr; t++)
		strmap_clear(&gone[t]);
	free(gone);
}

/* --- --exact: git's verdict per overlapping pair ------------------------- */

/* ep is path, or path moved aside by git ("path~<side>") */
static int same_or_aside(const char *ep, const char *path)
{
	size_t n = strlen(path);

	return !strncmp(ep, path, n) && (!ep[n] || ep[n] == '~');
}

/* Does the index hold entries below path ("path/...")? */
static int below_in_index(git_index *idx, const char *path)
{
	char *dir = xstrfmt("%s/", path);
	size_t pos;
	int found = git_index_find_prefix(&pos, idx, dir) == 0;

	free(dir);
	git_error_clear();
	return found;
}

/* Did the footprint add files below path ("path/...")? */
static int fp_has_below(const struct footprint *fp, const char *path)
{
	size_t i, n = strlen(path);

	for (i = 0; i < fp->nr; i++)
		if (fp->files[i].change != FP_DELETED && !strncmp(fp->files[i].path, path, n) &&
		    fp->files[i].path[n] == '/')
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * need: gitmerge_needed() of the pair; when it is 1, git's answer is in
 * *pre when pre_ok is 0 (taken over), else libgit2 decides.
 */
static int merge_pair(struct check *c, git_repository *repo, struct check_pair *p, int need,
		      struct gitmerge *pre, int pre_ok)
{
	git_commit *ca = NULL, *cb = NULL;
	git_index *idx = NULL;
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *our, *their;
	git_merge_options mo;
	struct strmap set = STRMAP_INIT, drop = STRMAP_INIT;
	char hex_a[GIT_OID_HEXSZ + 1], hex_b[GIT_OID_HEXSZ + 1];
	struct gitmerge g;
	size_t i, k, n;
	int ret = 0, uncommitted = 0, use_git = 0;

	gitmerge_init(&g);
	/*
	 * libgit2's merge is not git's (gitmerge.h): where they may differ
	 * (both changed a path, a rename), git's verdict and path set stand,
	 * and libgit2's merge is not needed; elsewhere libgit2 merges, and a
	 * conflict it finds is confirmed by git.  If git cannot answer,
	 * libgit2's answer stands.
	 */
	if (need && !pre_ok) {
		g = *pre;
		gitmerge_init(pre);
		use_git = 1;
		goto verdict;
	}
	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	mo.target_limit = GITMERGE_RENAME_LIMIT;
	if (git_commit_lookup(&ca, repo, &c->fp[p->a].head) < 0 ||
	    git_commit_lookup(&cb, repo, &c->fp[p->b].head) < 0 ||
	    git_merge_commits(&idx, repo, ca, cb, &mo) < 0) {
		ret = error("cannot merge tasks '%s' and '%s' in memory: %s",
			    c->fp[p->a].id, c->fp[p->b].id, gp_git_error());
		goto out;
	}
	/*
	 * git's names for the conflicts (what git merge-tree --name-only
	 * prints): a rename conflict sits at the new path only, and two
	 * different types at one path (file against symlink) move the
	 * regular file aside to "path~<side>" (git's merge-ort).
	 */
	if (git_index_conflict_iterator_new(&it, idx) < 0) {
		ret = error("cannot read the merge of '%s' and '%s': %s",
			    c->fp[p->a].id, c->fp[p->b].id, gp_git_error());
		goto out;
	}
	git_oid_tostr(hex_a, sizeof(hex_a), &c->fp[p->a].head);
	git_oid_tostr(hex_b, sizeof(hex_b), &c->fp[p->b].head);
	while (git_index_conflict_next(&anc, &our, &their, it) == 0) {
		const char *path = our ? our->path : their ? their->path : anc->path;

		if (our && their && (our->mode & S_IFMT) != (their->mode & S_IFMT)) {
			int ra = S_ISREG(our->mode), rb = !ra && S_ISREG(their->mode);
			char *aside;

			if (!ra && !rb)
				ra = rb = 1;
			if (ra) {
				aside = xstrfmt("%s~%s", path, hex_a);
				strmap_put(&set, aside, NULL, NULL);
				free(aside);
			}
			if (rb) {
				aside = xstrfmt("%s~%s", path, hex_b);
				strmap_put(&set, aside, NULL, NULL);
				free(aside);
			}
			strmap_put(&set, path, NULL, NULL);
			if (ra && rb)
				strmap_put(&drop, path, NULL, NULL);
			continue;
		}
		if (!anc && !!our != !!their &&
		    (below_in_index(idx, path) || fp_has_below(&c->fp[our ? p->b : p->a], path))) {
			/* a file where the other side has a directory: git moves the file aside */
			char *aside = xstrfmt("%s~%s", path, our ? hex_a : hex_b);

			strmap_put(&set, aside, NULL, NULL);
			strmap_put(&set, path, NULL, NULL);
			strmap_put(&drop, path, NULL, NULL);
			free(aside);
			continue;
		}
		if (our)
			strmap_put(&set, our->path, NULL, NULL);
		if (their)
			strmap_put(&set, their->path, NULL, NULL);
		if (!our && !their && anc)
			strmap_put(&set, anc->path, NULL, NULL);
	}
	git_error_clear();
	n = git_index_name_entrycount(idx);
	for (i = 0; i < n; i++) {
		const git_index_name_entry *ne = git_index_name_get_byindex(idx, i);

		if (ne && ne->ancestor &&
		    ((ne->ours && strcmp(ne->ours, ne->ancestor)) ||
		     (ne->theirs && strcmp(ne->theirs, ne->ancestor))))
			strmap_put(&drop, ne->ancestor, NULL, NULL);
	}
	for (i = 0; i < set.size; i++)
		if (set.v[i].key && !strmap_contains(&drop, set.v[i].key))
			strlist_push(&p->exact_paths, set.v[i].key);
	if (p->exact_paths.nr > 1)
		qsort(p->exact_paths.v, p->exact_paths.nr, sizeof(char *), cmp_str);
	if (p->exact_paths.nr && !need && !gitmerge_run(&g, repo, &c->fp[p->a].head, &c->fp[p->b].head))
		use_git = 1;
verdict:
	if (use_git) {
		strlist_clear(&p->exact_paths);
		strmap_clear(&set);
		for (i = 0; i < g.paths.nr; i++) {
			strlist_push(&p->exact_paths, g.paths.v[i]);
			strmap_put(&set, g.paths.v[i], NULL, NULL);
		}
	}
	/*
	 * git may conflict naming no path (a directory renamed to several
	 * places: "directory rename split"); it refuses that merge all the same
	 */
	p->exact = p->exact_paths.nr > 0 || (use_git && g.conflicts);
	/* each overlap of this pair gets git's verdict; paths only git saw become overlaps */
	for (i = 0; i < c->ov_nr; i++) {
		struct overlap *o = &c->ov[i];

		if (o->a != p->a || o->b != p->b)
			continue;
		/* git merges commits: work left in a worktree keeps the verdict of its ranges */
		if (o->fa->uncommitted || o->fb->uncommitted) {
			uncommitted = 1;
			continue;
		}
		o->exact = strmap_contains(&set, o->path) || strmap_contains(&set, o->fa->path) ||
			strmap_contains(&set, o->fb->path);
		for (k = 0; k < p->exact_paths.nr && !o->exact; k++)
			o->exact = same_or_aside(p->exact_paths.v[k], o->path) ||
				same_or_aside(p->exact_paths.v[k], o->fa->path) ||
				same_or_aside(p->exact_paths.v[k], o->fb->path);
	}
	if (uncommitted && !p->exact)
		p->exact = -1;	/* the commits merge cleanly; the worktrees were not merged */
	for (i = 0; i < p->exact_paths.nr; i++) {
		const char *ep = p->exact_paths.v[i];
		int covered = 0;
		struct overlap *o;

		for (k = 0; k < c->ov_nr && !covered; k++) {
			struct overlap *x = &c->ov[k];

			if (x->a == p->a && x->b == p->b && x->fa &&
			    (same_or_aside(ep, x->path) || same_or_aside(ep, x->fa->path) ||
			     same_or_aside(ep, x->fb->path)))
				covered = 1;
		}
		if (covered)
			continue;
		ALLOC_GROW(c->ov, c->ov_nr + 1, c->ov_alloc);
		o = &c->ov[c->ov_nr++];
		memset(o, 0, sizeof(*o));
		o->a = p->a;
		o->b = p->b;
		o->path = xstrdup(ep);
		o->cls = OVERLAP_CONFLICT;
		o->kind = "merge";
		o->exact = 1;
	}
out:
	gitmerge_release(&g);
	strmap_clear(&drop);
	strmap_clear(&set);
	git_index_conflict_iterator_free(it);
	git_index_free(idx);
	git_commit_free(ca);
	git_commit_free(cb);
	return ret;
}

/* --- --exact without git merge-tree: content merges git's scripts decide -- */

/* A text file both sides of a pair changed: its blobs in the base and on each side. */
struct content_file {
	const char *path;
	const git_oid *base, *a, *b;
};

struct content_files {
	struct content_file *v;
	size_t nr, alloc;
};

static int is_regular(unsigned int mode)
{
	return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

/* Did one footprint add a file at a directory the other added files below? */
static int adds_clash(const struct footprint *x, const struct footprint *y)
{
	struct strmap added = STRMAP_INIT;
	size_t i;
	int clash = 0;

	for (i = 0; i < x->nr; i++)
		if (x->files[i].change == FP_ADDED)
			strmap_put(&added, x->files[i].path, NULL, NULL);
	for (i = 0; i < y->nr && !clash && added.nr; i++) {
		char *d;
		char *slash;

		if (y->files[i].change != FP_ADDED)
			continue;
		d = xstrdup(y->files[i].path);
		while (!clash && (slash = strrchr(d, '/'))) {
			*slash = '\0';
			clash = strmap_contains(&added, d);
		}
		free(d);
	}
	strmap_clear(&added);
	return clash;
}

/*
 * gitmerge_text_merge() of path, asked once per check (text_merge: path
 * -> its answer + 1): every pair that changed the file asks the same
 * question, and where libgit2 may read attributes otherwise than git
 * the answer is a git check-attr.
 */
static int text_merge_once(struct strmap *text_merge, git_repository *repo, const char *path)
{
	void *v = strmap_get(text_merge, path);
	int ok;

	if (v)
		return (int)((uintptr_t)v - 1);
	ok = gitmerge_text_merge(repo, path);
	strmap_put(text_merge, path, (void *)(uintptr_t)(ok + 1), NULL);
	return ok;
}

/*
 * Can the pair's merge be decided from git's line scripts alone?  Both
 * sides measured from their one merge base, all committed; neither
 * renamed, type-changed anything or touched a submodule, and the pair
 * did not both delete and add files (so git has no rename, directory
 * rename or file/directory case to judge: merge-ort pairs a side's
 * deleted files with its added ones only); no file added where the
 * other side added a directory; and every path both changed either
 * changed the same way (deleted on both sides included) or is a text
 * file both modified in place (same mode, no merge attribute; a diff
 * attribute changes only how git shows a diff, and one that makes the
 * file binary shows in the scripts, which then send the pair to git):
 * those go into files.  A file one side deleted and the other changed
 * is git's to judge.  1 yes, 0 no: git merges it.
 */
static int content_only(struct content_files *files, const struct check *c, git_repository *repo,
			const struct check_pair *p, struct strmap *text_merge)
{
	const struct footprint *fa = &c->fp[p->a], *fb = &c->fp[p->b];
	git_oidarray bases = { 0 };
	size_t i, j, added = 0, deleted = 0;
	int ok = 0;

	files->nr = 0;
	if (!fa->measured || !fb->measured || fa->uncommitted || fb->uncommitted ||
	    !git_oid_equal(&fa->merge_base, &fb->merge_base))
		return 0;
	if (git_merge_bases(&bases, repo, &fa->head, &fb->head) < 0 || bases.count != 1 ||
	    !git_oid_equal(&bases.ids[0], &fa->merge_base)) {
		git_error_clear();
		goto out;
	}
	for (i = 0; i < 2; i++) {
		const struct footprint *fp = i ? fb : fa;

		for (j = 0; j < fp->nr; j++) {
			const struct fp_file *f = &fp->files[j];

			if ((f->change != FP_ADDED && f->change != FP_MODIFIED && f->change != FP_DELETED) ||
			    f->old_mode == GIT_FILEMODE_COMMIT || f->new_mode == GIT_FILEMODE_COMMIT)
				goto out;
			added += f->change == FP_ADDED;
			deleted += f->change == FP_DELETED;
		}
	}
	if ((added && deleted) || adds_clash(fa, fb) || adds_clash(fb, fa))
		goto out;
	/* both lists are sorted by path (adds, deletions, in-place changes: one path each) */
	for (i = 0, j = 0; i < fa->nr && j < fb->nr;) {
		const struct fp_file *x = &fa->files[i], *y = &fb->files[j];
		int cmp = strcmp(x->path, y->path);
		struct content_file *cf;

		if (cmp) {
			if (cmp < 0)
				i++;
			else
				j++;
			continue;
		}
		i++;
		j++;
		if (x->change == FP_DELETED && y->change == FP_DELETED)
			continue;	/* deleted on both sides */
		if (x->new_mode == y->new_mode && git_oid_equal(&x->new_id, &y->new_id) &&
		    !git_oid_is_zero(&x->new_id))
			continue;	/* the same result on both sides */
		if (x->change != FP_MODIFIED || y->change != FP_MODIFIED ||
		    !is_regular(x->old_mode) || x->old_mode != x->new_mode ||
		    y->old_mode != x->old_mode || y->new_mode != x->old_mode ||
		    !git_oid_equal(&x->old_id, &y->old_id) || git_oid_is_zero(&x->new_id) ||
		    git_oid_is_zero(&y->new_id) || !text_merge_once(text_merge, repo, x->path))
			goto out;
		ALLOC_GROW(files->v, files->nr + 1, files->alloc);
		cf = &files->v[files->nr++];
		cf->path = x->path;
		cf->base = &x->old_id;
		cf->a = &x->new_id;
		cf->b = &y->new_id;
	}
	ok = 1;
out:
	git_oidarray_dispose(&bases);
	return ok;
}

/*
 * git's content merge of one text file from its scripts (xdl_merge()'s
 * rule, gitmerge_scripts_merge()): 0 clean, 1 git conflicts on it, -1
 * not known (a blob missing or binary to git, scripts that do not fit).
 */
static int scripts_decide(git_repository *repo, const struct content_file *cf,
			  const struct gitmerge_script *sa, const struct gitmerge_script *sb, int refine)
{
	git_blob *b[3] = { NULL, NULL, NULL };
	const git_oid *ids[3];
	struct strbuf m = STRBUF_INIT;
	int j, ok = 1, rc = -1;

	ids[0] = cf->base;
	ids[1] = cf->a;
	ids[2] = cf->b;
	for (j = 0; ok && j < 3; j++)
		ok = !git_blob_lookup(&b[j], repo, ids[j]) &&
			!gitmerge_binary(git_blob_rawcontent(b[j]), (size_t)git_blob_rawsize(b[j]));
	if (ok)
		rc = gitmerge_scripts_merge(&m, git_blob_rawcontent(b[1]), (size_t)git_blob_rawsize(b[1]), sa,
					    git_blob_rawcontent(b[2]), (size_t)git_blob_rawsize(b[2]), sb,
					    refine);
	git_error_clear();
	strbuf_release(&m);
	for (j = 0; j < 3; j++)
		git_blob_free(b[j]);
	return rc;
}

/*
 * The merge base's and the head's trees of every task marked in side,
 * in task order, into bt[] and st[] (*n of each).  0, or -1 when a
 * commit cannot be read (libgit2's error cleared: the caller keeps its
 * ranges' verdict).
 */
static int side_trees(const struct check *c, git_repository *repo, const char *side,
		      git_oid *bt, git_oid *st, size_t *n)
{
	size_t k;

	*n = 0;
	for (k = 0; k < c->nr; k++) {
		git_commit *mb = NULL, *head = NULL;

		if (!side[k])
			continue;
		if (git_commit_lookup(&mb, repo, &c->fp[k].merge_base) < 0 ||
		    git_commit_lookup(&head, repo, &c->fp[k].head) < 0) {
			git_error_clear();
			git_commit_free(mb);
			git_commit_free(head);
			return -1;
		}
		git_oid_cpy(&bt[*n], git_commit_tree_id(mb));
		git_oid_cpy(&st[(*n)++], git_commit_tree_id(head));
		git_commit_free(mb);
		git_commit_free(head);
	}
	return 0;
}

/*
 * The pairs (not related) whose merge needs no git merge-tree and no
 * in-memory merge: content_only() ones (git's line scripts, one git
 * diff-tree process over every side involved) where git's content merge
 * (xdl_merge()'s rule: changes apart, the same change on both sides, a
 * conflict region refined away) is clean on every file get need[i] = 2,
 * git merges them cleanly; those where it conflicts on some files (and
 * is known on all) get need[i] = 4 and git's answer in decided[i]: a
 * conflict on those files.  A pair with a script binary, unread or not
 * fitting gets need[i] = 1: git merges it.  Every other pair keeps
 * need[i] = -2: gitmerge_needed() says.  GIT_PARALLEL_TEST_GUESS=off: a
 * pair where scripts meet goes to git (the looser rule, t3210).
 */
static void decide_by_scripts(struct check *c, git_repository *repo, int *need,
			      struct gitmerge *decided)
{
	struct content_files *files = xcalloc(c->pairs_nr + 1, sizeof(*files));
	char *cand = xcalloc(c->pairs_nr + 1, 1), *side = xcalloc(c->nr + 1, 1);
	git_oid *bt = xcalloc(c->nr + 1, sizeof(*bt)), *st = xcalloc(c->nr + 1, sizeof(*st));
	struct strmap scripts = STRMAP_INIT, pathset = STRMAP_INIT, text_merge = STRMAP_INIT;
	struct strlist paths = STRLIST_INIT;
	const char *guess = getenv("GIT_PARALLEL_TEST_GUESS");
	size_t i, k, n = 0, any = 0;
	int refine = 0, exact_rule = !guess || strcmp(guess, "off");

	for (i = 0; i < c->pairs_nr; i++)
		any += need[i] == -2 && !c->pairs[i].related;
	if (!any || !gitmerge_config_plain(repo))
		goto out;
	if (exact_rule)
		refine = gitmerge_conflict_refine(repo);
	for (i = 0; i < c->pairs_nr; i++) {
		if (need[i] != -2 || c->pairs[i].related ||
		    !content_only(&files[i], c, repo, &c->pairs[i], &text_merge))
			continue;
		cand[i] = 1;
		need[i] = 1;
		if (!files[i].nr)
			continue;
		side[c->pairs[i].a] = side[c->pairs[i].b] = 1;
		for (k = 0; k < files[i].nr; k++) {
			int found;

			strmap_put(&pathset, files[i].v[k].path, NULL, &found);
			if (!found)
				strlist_push(&paths, files[i].v[k].path);
		}
	}
	if (side_trees(c, repo, side, bt, st, &n) < 0)
		goto out;
	if (n && gitmerge_scripts(&scripts, repo, bt, st, n, paths.nr <= 200 ? &paths : NULL) < 0)
		goto out;
	for (i = 0; i < c->pairs_nr; i++) {
		struct strlist conflicts = STRLIST_INIT;
		int known = cand[i];

		if (!cand[i])
			continue;
		for (k = 0; known && k < files[i].nr; k++) {
			const struct content_file *cf = &files[i].v[k];
			const struct gitmerge_script *sa = gitmerge_script_of(&scripts, cf->base, cf->a);
			const struct gitmerge_script *sb = gitmerge_script_of(&scripts, cf->base, cf->b);
			int rc;

			known = sa && sb && !sa->binary && !sb->binary && sa->nr && sb->nr;
			if (!known || !gitmerge_scripts_clash(sa, sb))
				continue;
			rc = exact_rule ? scripts_decide(repo, cf, sa, sb, refine) : -1;
			if (rc < 0)
				known = 0;
			else if (rc)
				strlist_push(&conflicts, cf->path);	/* in path order */
		}
		if (known && !conflicts.nr) {
			need[i] = 2;
		} else if (known) {
			need[i] = 4;
			decided[i].conflicts = 1;
			for (k = 0; k < conflicts.nr; k++)
				strlist_push(&decided[i].paths, conflicts.v[k]);
		}
		strlist_clear(&conflicts);
	}
out:
	for (i = 0; i < c->pairs_nr; i++)
		free(files[i].v);
	free(files);
	free(cand);
	free(side);
	free(bt);
	free(st);
	strlist_clear(&paths);
	strmap_clear(&pathset);
	strmap_clear(&text_merge);
	gitmerge_scripts_clear(&scripts);
}

/*
 * Plain check's content overlaps whose hunks meet or come near each
 * other (PLAIN_NEAR lines): the footprints' ranges are libgit2's Myers
 * diff, git merges with its histogram diff, and where hunks are near the
 * two may part ways (bench/agree's synthetic hist and myers, random
 * edits): git's own line scripts decide them (one git diff-tree
 * --stdin for all, xdl_merge()'s rule, as --exact does).  Only a file
 * both tasks modified in place, committed, from the pair's one merge
 * base, with git's own text merge; anything git's scripts cannot
 * settle keeps the ranges' verdict.  Hunks farther apart than
 * PLAIN_NEAR lines are taken as the ranges say (no git run).
 */
#define PLAIN_NEAR 8

static int ranges_near(const struct fp_file *fa, const struct fp_file *fb)
{
	size_t i, j;

	for (i = 0; i < fa->ranges_nr; i++)
		for (j = 0; j < fb->ranges_nr; j++) {
			unsigned long ia = range_begin(&fa->ranges[i]), ib = range_begin(&fb->ranges[j]);

			if (!(ia + fa->ranges[i].lines + PLAIN_NEAR < ib ||
			      ib + fb->ranges[j].lines + PLAIN_NEAR < ia))
				return 1;
		}
	return 0;
}

static void refine_by_scripts(struct strmap *bases, struct check *c, git_repository *repo)
{
	char *cand = xcalloc(c->ov_nr + 1, 1), *side = xcalloc(c->nr + 1, 1);
	git_oid *bt = xcalloc(c->nr + 1, sizeof(*bt)), *st = xcalloc(c->nr + 1, sizeof(*st));
	struct strmap scripts = STRMAP_INIT, pathset = STRMAP_INIT;
	struct strlist paths = STRLIST_INIT;
	size_t k, n = 0, any = 0;
	int refine;

	for (k = 0; k < c->ov_nr; k++) {
		const struct overlap *o = &c->ov[k];
		const struct fp_file *fa = o->fa, *fb = o->fb;
		const git_oid *mb;
		int found;

		if (!fa || !fb || o->driver || strcmp(o->kind, "content") || fa->uncommitted ||
		    fb->uncommitted || fa->change != FP_MODIFIED || fb->change != FP_MODIFIED ||
		    strcmp(fa->path, fb->path) || !is_regular(fa->old_mode) ||
		    fa->old_mode != fa->new_mode || fb->old_mode != fa->old_mode ||
		    fb->new_mode != fa->old_mode || git_oid_is_zero(&fa->old_id) ||
		    !git_oid_equal(&fa->old_id, &fb->old_id) || git_oid_is_zero(&fa->new_id) ||
		    git_oid_is_zero(&fb->new_id) || git_oid_equal(&fa->new_id, &fb->new_id) ||
		    !ranges_near(fa, fb))
			continue;
		mb = pair_merge_base(bases, c, repo, o->a, o->b);
		if (!mb || !git_oid_equal(mb, &c->fp[o->a].merge_base) ||
		    !git_oid_equal(mb, &c->fp[o->b].merge_base) || !gitmerge_text_merge(repo, fa->path))
			continue;
		cand[k] = 1;
		any = 1;
		side[o->a] = side[o->b] = 1;
		strmap_put(&pathset, fa->path, NULL, &found);
		if (!found)
			strlist_push(&paths, fa->path);
	}
	if (!any || !gitmerge_config_plain(repo))
		goto out;
	if (side_trees(c, repo, side, bt, st, &n) < 0)
		goto out;
	if (gitmerge_scripts(&scripts, repo, bt, st, n, paths.nr <= 200 ? &paths : NULL) < 0)
		goto out;
	refine = gitmerge_conflict_refine(repo);
	for (k = 0; k < c->ov_nr; k++) {
		struct overlap *o = &c->ov[k];
		struct content_file cf;
		const struct gitmerge_script *sa, *sb;
		int rc;

		if (!cand[k])
			continue;
		cf.path = o->fa->path;
		cf.base = &o->fa->old_id;
		cf.a = &o->fa->new_id;
		cf.b = &o->fb->new_id;
		sa = gitmerge_script_of(&scripts, cf.base, cf.a);
		sb = gitmerge_script_of(&scripts, cf.base, cf.b);
		if (!sa || !sb || sa->binary || sb->binary || !sa->nr || !sb->nr)
			continue;
		rc = gitmerge_scripts_clash(sa, sb) ? scripts_decide(repo, &cf, sa, sb, refine) : 0;
		if (rc >= 0)
			o->cls = rc ? OVERLAP_CONFLICT : OVERLAP_SAME_FILE;
	}
out:
	free(cand);
	free(side);
	free(bt);
	free(st);
	strlist_clear(&paths);
	strmap_clear(&pathset);
	gitmerge_scripts_clear(&scripts);
}

/*
 * The changes from commit base to commit head (struct tree_side), diffed
 * once per check (sides: "<base tree> <head tree>" -> struct tree_side *).
 * NULL when libgit2 failed (its error left for the caller).
 */
static const struct tree_side *side_once(struct check *c, struct strmap *sides, git_repository *repo,
					 const git_oid *base, const git_oid *head)
{
	git_commit *bc = NULL, *hc = NULL;
	struct tree_side *s = NULL;
	char key[2 * GIT_OID_HEXSZ + 2], bh[GIT_OID_HEXSZ + 1], hh[GIT_OID_HEXSZ + 1];

	if (git_commit_lookup(&bc, repo, base) < 0 || git_commit_lookup(&hc, repo, head) < 0)
		goto out;
	snprintf(key, sizeof(key), "%s %s", git_oid_tostr(bh, sizeof(bh), git_commit_tree_id(bc)),
		 git_oid_tostr(hh, sizeof(hh), git_commit_tree_id(hc)));
	if ((s = strmap_get(sides, key)))
		goto out;
	s = xcalloc(1, sizeof(*s));
	tree_side_init(s);
	c->sides_diffed++;
	if (tree_side_diff(s, repo, git_commit_tree_id(bc), git_commit_tree_id(hc)) < 0) {
		tree_side_release(s);
		free(s);
		s = NULL;
		goto out;
	}
	strmap_put(sides, key, s, NULL);
out:
	git_commit_free(hc);
	git_commit_free(bc);
	return s;
}

static void sides_clear(struct strmap *sides)
{
	size_t k;

	for (k = 0; k < sides->size; k++)
		if (sides->v[k].key) {
			tree_side_release(sides->v[k].value);
			free(sides->v[k].value);
		}
	strmap_clear(sides);
}

/*
 * gitmerge_needed() of the pair ours, theirs, each task's changes since
 * the merge base diffed once (side_once()): of many tasks on one base,
 * every pair diffed both of its tasks again.  1 git must merge it, 0
 * libgit2 may, -1 (reported).
 */
static int needed_once(struct check *c, struct strmap *sides, git_repository *repo,
		       const git_oid *ours, const git_oid *theirs)
{
	git_oidarray bases = { 0 };
	const struct tree_side *o, *t;
	char oh[GIT_OID_HEXSZ + 1], th[GIT_OID_HEXSZ + 1];
	int ret;

	if (git_merge_bases(&bases, repo, ours, theirs) < 0 || bases.count != 1) {
		git_error_clear();
		git_oidarray_dispose(&bases);
		return 1;	/* no base, or several: git's recursive base decides */
	}
	if (!(o = side_once(c, sides, repo, &bases.ids[0], ours)) ||
	    !(t = side_once(c, sides, repo, &bases.ids[0], theirs)))
		ret = error("cannot compare '%s' and '%s' with their merge base: %s",
			    git_oid_tostr(oh, sizeof(oh), ours), git_oid_tostr(th, sizeof(th), theirs),
			    gp_git_error());
	else
		ret = gitmerge_needed_sides(o, t);
	git_oidarray_dispose(&bases);
	return ret;
}

/*
 * --exact for every pair not related: the pairs git must decide are asked
 * first, several git processes at a time (one per CPU, up to 8).
 */
static int exact_pairs(struct check *c, git_repository *repo)
{
	size_t n = c->pairs_nr, i, k = 0;
	int *need = xcalloc(n + 1, sizeof(*need)), *ok = xcalloc(n + 1, sizeof(*ok));
	size_t *at = xcalloc(n + 1, sizeof(*at));
	git_oid *ours = xcalloc(n + 1, sizeof(*ours)), *theirs = xcalloc(n + 1, sizeof(*theirs));
	struct gitmerge *g = xcalloc(n + 1, sizeof(*g)), none;
	struct gitmerge *early = xcalloc(n + 1, sizeof(*early));
	struct gitmerge *decided = xcalloc(n + 1, sizeof(*decided));
	struct strmap sides = STRMAP_INIT;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int ret = 0;

	for (i = 0; i < n; i++) {
		struct check_pair *p = &c->pairs[i];

		need[i] = -2;
		gitmerge_init(&early[i]);
		gitmerge_init(&decided[i]);
		for (k = 0; k < c->early_nr && !p->related; k++)
			if (gitmerge_child_is(c->early[k], &c->fp[p->a].head, &c->fp[p->b].head)) {
				/* git merged it while we measured: its answer stands */
				if (!gitmerge_finish(&early[i], c->early[k], repo))
					need[i] = 3;
				c->early[k] = NULL;
			}
	}
	k = 0;
	decide_by_scripts(c, repo, need, decided);
	for (i = 0; i < n; i++) {
		struct check_pair *p = &c->pairs[i];

		if (p->related || need[i] != -2)
			continue;
		need[i] = needed_once(c, &sides, repo, &c->fp[p->a].head, &c->fp[p->b].head);
		if (need[i] < 0) {
			ret = -1;
			goto out;
		}
	}
	sides_clear(&sides);
	for (i = 0; i < n; i++) {
		struct check_pair *p = &c->pairs[i];

		if (!p->related && need[i] == 1) {
			at[i] = k;
			git_oid_cpy(&ours[k], &c->fp[p->a].head);
			git_oid_cpy(&theirs[k], &c->fp[p->b].head);
			k++;
		}
	}
	gitmerge_run_many(g, ok, repo, ours, theirs, k,
			  cpus < 1 ? 1 : cpus > 8 ? 8 : (size_t)cpus);
	gitmerge_init(&none);
	for (i = 0; i < n && !ret; i++) {
		if (c->pairs[i].related)
			continue;
		if (need[i] == 2) {	/* git's scripts say clean: git's verdict, without git merge-tree */
			gitmerge_init(&none);
			if (merge_pair(c, repo, &c->pairs[i], 1, &none, 0) < 0)
				ret = -1;
			continue;
		}
		if (need[i] == 3) {	/* git merge-tree answered already */
			if (merge_pair(c, repo, &c->pairs[i], 1, &early[i], 0) < 0)
				ret = -1;
			continue;
		}
		if (need[i] == 4) {	/* git's scripts say where git conflicts */
			if (merge_pair(c, repo, &c->pairs[i], 1, &decided[i], 0) < 0)
				ret = -1;
			continue;
		}
		gitmerge_init(&none);
		if (merge_pair(c, repo, &c->pairs[i], need[i], need[i] ? &g[at[i]] : &none,
			       need[i] ? ok[at[i]] : -1) < 0)
			ret = -1;
	}
out:
	sides_clear(&sides);
	for (i = 0; i < k; i++)
		gitmerge_release(&g[i]);
	for (i = 0; i < n; i++) {
		gitmerge_release(&early[i]);
		gitmerge_release(&decided[i]);
	}
	free(decided);
	free(early);
	free(g);
	free(theirs);
	free(ours);
	free(at);
	free(ok);
	free(need);
	return ret;
}

/* --- ownership and the plan ----------------------------------------------- */

static int declared_covers(const char *decl, const char *path)
{
	size_t n = strlen(decl);

	if (!strcmp(decl, path))
		return 1;
	if (n && decl[n - 1] == '/')
		return !strncmp(decl, path, n);
	/* a declared directory written without its slash */
	return !strncmp(decl, path, n) && path[n] == '/';
}

static int declared_has(const struct strlist *decl, const char *path)
{
	size_t i;

	for (i = 0; i < decl->nr; i++)
		if (declared_covers(decl->v[i], path))
			return 1;
	return 0;
}

/* Is path outside the lanes of a task that declared paths? */
static int path_undeclared(const struct task *task, const char *path)
{
	return task->paths.nr && !declared_has(&task->paths, path);
}

static void add_violation(struct check *c, size_t t, const char *path,
			  enum violation_kind kind, const char *owner)
{
	struct violation *v;

	ALLOC_GROW(c->viol, c->viol_nr + 1, c->viol_alloc);
	v = &c->viol[c->viol_nr++];
	v->task = t;
	v->path = xstrdup(path);
	v->kind = kind;
	v->owner = owner;
}

static void check_paths(struct check *c, struct session *s, size_t t)
{
	const struct footprint *fp = &c->fp[t];
	const struct task *task = &s->plan.tasks.v[c->ct[t].plan_index];
	struct ownership *own = &s->cfg.ownership;
	const char *owner = c->ct[t].owner;
	size_t f, d;

	for (f = 0; f < fp->nr; f++) {
		const struct fp_file *ff = &fp->files[f];
		const char *paths[2];
		size_t np = 0, k;

		if (ff->inherited)
			continue;
		paths[np++] = ff->path;
		if (ff->old_path && strcmp(ff->old_path, ff->path))
			paths[np++] = ff->old_path;
		for (k = 0; k < np; k++) {
			if (path_undeclared(task, paths[k])) {
				add_violation(c, t, paths[k], VIOLATION_UNDECLARED, NULL);
				c->ct[t].undeclared++;
			}
			if (owner && own->nr) {
				const char *o = ownership_lookup(own, paths[k]);

				if (o && strcmp(o, owner))
					add_violation(c, t, paths[k], VIOLATION_OTHER_OWNER, o);
				else if (!o)
					add_violation(c, t, paths[k], VIOLATION_OUTSIDE_OWNER, NULL);
			}
		}
	}
	for (d = 0; d < task->paths.nr; d++) {
		int touched = 0;

		for (f = 0; f < fp->nr && !touched; f++) {
			const struct fp_file *ff = &fp->files[f];

			if (ff->inherited)
				continue;
			if (declared_covers(task->paths.v[d], ff->path) ||
			    (ff->old_path && declared_covers(task->paths.v[d], ff->old_path)))
				touched = 1;
		}
		if (!touched)
			strlist_push(&c->ct[t].untouched, task->paths.v[d]);
	}
}

/* --- the whole check ------------------------------------------------------ */

/*
 * Measure task pi of the session; worktree: read its uncommitted work too.
 * With scanned (worktree only), scan its worktree and nothing else:
 * *scanned is 1 when it is clean for the head put in fp->head, else 0.
 */
static int measure_task(struct footprint *fp, struct session *s, git_repository *repo, size_t pi,
			int worktree, const git_oid *against, unsigned int flags, int *scanned)
{
	const struct task_status *st = &s->st[pi];
	struct footprint_spec spec;
	char *branch = st->branch ? xstrdup(st->branch) : session_branch(s, st->id);
	char *wt = st->worktree ? xstrdup(st->worktree) : session_worktree(s, st->id);
	char *cache = state_footprint_path(s->state, st->id);
	git_oid start, recorded;
	int has_start = st->start && !git_oid_fromstr(&start, st->start);
	int has_recorded = st->head && !git_oid_fromstr(&recorded, st->head);
	int ret;

	memset(&spec, 0, sizeof(spec));
	spec.id = s->plan.tasks.v[pi].id;
	spec.branch = branch;
	spec.worktree = st->cleaned || !worktree ? NULL : wt;
	spec.base = against ? against : &s->plan.base_oid;
	spec.base_ref = s->plan.base_ref;
	spec.start = has_start ? &start : NULL;
	spec.recorded = has_recorded ? &recorded : NULL;
	spec.ran = st->attempts > 0 || st->state != TS_PENDING;
	spec.cache = cache;
	if (scanned) {
		*scanned = footprint_worktree_clean(&fp->head, repo, &spec);
		ret = 0;
		goto out;
	}
	ret = footprint_measure(fp, repo, &spec, flags);
	if (st->cleaned && !fp->measured)
		strlist_push(&fp->notes, "its worktree and branch were removed by 'git parallel clean'");
out:
	free(cache);
	free(branch);
	free(wt);
	return ret;
}

/*
 * The declared paths of every task pi depends on, directly or not, into
 * lanes (borrowed strings).  Returns 1 when one of them declared none
 * (its footprint is unknown), else 0.
 */
static int dep_lanes(struct strlist *lanes, const struct plan *p, size_t pi)
{
	char *seen = xcalloc(p->tasks.nr + 1, 1);
	size_t *stack = xcalloc(p->tasks.nr + 1, sizeof(*stack)), nr = 0, k;
	int unknown = 0;

	stack[nr++] = pi;
	seen[pi] = 1;
	while (nr) {
		const struct plan_task *pt = &p->pt[stack[--nr]];

		for (k = 0; k < pt->deps_nr; k++) {
			size_t d = pt->deps[k].task;
			const struct task *dt = &p->tasks.v[d];

			if (seen[d])
				continue;
			seen[d] = 1;
			stack[nr++] = d;
			if (!dt->paths.nr)
				unknown = 1;
		}
	}
	for (k = 0; k < p->tasks.nr; k++)
		if (seen[k] && k != pi) {
			size_t j;

			for (j = 0; j < p->tasks.v[k].paths.nr; j++) {
				ALLOC_GROW(lanes->v, lanes->nr + 1, lanes->alloc);
				lanes->v[lanes->nr++] = p->tasks.v[k].paths.v[j];
			}
		}
	free(stack);
	free(seen);
	return unknown;
}

/* Is the path of a file outside the lanes that apply to it? */
static int file_undeclared(const struct task *task, const struct fp_file *ff,
			   const struct strlist *deps, int deps_unknown, const char *path)
{
	if (!path_undeclared(task, path))
		return 0;
	/* brought by its dependencies (not yet in the target): their lanes count */
	if (ff->inherited)
		return !deps_unknown && !declared_has(deps, path);
	return 1;
}

void check_cache_footprint(struct session *s, size_t pi)
{
	struct footprint fp;

	footprint_init(&fp);
	measure_task(&fp, s, s->repo, pi, 0, NULL, FOOTPRINT_NO_UNCOMMITTED | FOOTPRINT_LAZY_HUNKS, NULL);
	git_error_clear();
	footprint_release(&fp);
}

int check_undeclared(struct strlist *out, struct session *s, size_t pi, const git_oid *against)
{
	const struct task *task = &s->plan.tasks.v[pi];
	struct strlist deps = STRLIST_INIT;
	struct footprint fp;
	size_t f, found = 0;
	int unknown;

	if (!task->paths.nr)
		return 0;
	/* paths only: no line ranges (FOOTPRINT_LAZY_HUNKS leaves them unread) */
	if (measure_task(&fp, s, s->repo, pi, 0, against,
			 FOOTPRINT_NO_UNCOMMITTED | FOOTPRINT_LAZY_HUNKS, NULL) < 0) {
		footprint_release(&fp);
		return -1;
	}
	unknown = dep_lanes(&deps, &s->plan, pi);
	for (f = 0; f < fp.nr; f++) {
		const struct fp_file *ff = &fp.files[f];

		if (file_undeclared(task, ff, &deps, unknown, ff->path)) {
			strlist_push(out, ff->path);
			found++;
		}
		if (ff->old_path && strcmp(ff->old_path, ff->path) &&
		    file_undeclared(task, ff, &deps, unknown, ff->old_path)) {
			strlist_push(out, ff->old_path);
			found++;
		}
	}
	free(deps.v);	/* the strings are the plan's */
	footprint_release(&fp);
	return (int)(found > INT_MAX ? INT_MAX : found);
}

/*
 * Measuring footprints is reading worktrees (a stat per file) and trees:
 * independent per task, so done by a few threads, each with its own
 * repository (libgit2: one per thread).  Those repositories stay open
 * until check_release(): the footprints' pending line ranges are read
 * from them later, by the main thread alone.
 *
 * With several threads, a task's worktree scan and its trees are two
 * jobs (the trees first, then the scans): a long side's trees and the
 * other side's scan no longer wait for each other on the same thread.
 * The trees are measured as if the worktree were clean; a task whose
 * scan says otherwise, or scanned another head (it committed
 * meanwhile), is measured again whole, the one way.
 */
struct measure_pool {
	struct check *c;
	struct session *s;
	const size_t *sel;
	unsigned int flags;	/* check_flags */
	size_t jobs;		/* c->nr, or 2 * c->nr: trees, then scans */
	int *clean;		/* per task, with scan jobs: 1 its worktree is clean */
	git_oid *scanned;	/* ... for this head */
	pthread_mutex_t lock;
	size_t next;
	int failed;
};

static int measure_one(struct measure_pool *mp, git_repository *repo, size_t job)
{
	unsigned int flags = mp->flags, fflags;
	size_t k = job % mp->c->nr;
	struct footprint scan;

	fflags = ((flags & CHECK_NO_UNCOMMITTED) ? FOOTPRINT_NO_UNCOMMITTED : 0) | FOOTPRINT_LAZY_HUNKS;
	if (mp->jobs > mp->c->nr && job >= mp->c->nr) {	/* the worktree scan */
		footprint_init(&scan);
		const char *test = getenv("GIT_PARALLEL_TEST_SCAN");

		measure_task(&scan, mp->s, repo, mp->sel[k], 1, NULL, fflags, &mp->clean[k]);
		git_oid_cpy(&mp->scanned[k], &scan.head);
		if (test && !strcmp(test, "stale"))	/* tests: as if it committed meanwhile */
			memset(&mp->scanned[k], 0, sizeof(mp->scanned[k]));
		footprint_release(&scan);
		return 0;
	}
	if (mp->jobs > mp->c->nr)
		fflags |= FOOTPRINT_WORKTREE_CLEAN;	/* if not, measured again */
	/* line ranges are read later, each pair of blobs once (read_hunks()) */
	if (measure_task(&mp->c->fp[k], mp->s, repo, mp->sel[k], 1, NULL, fflags, NULL) < 0)
		return -1;
	return 0;
}

static void *measure_worker(void *data)
{
	struct measure_pool *mp = data;
	git_repository *repo = NULL;

	if (git_repository_open_bare(&repo, mp->s->gitdir) < 0) {
		pthread_mutex_lock(&mp->lock);
		mp->failed = error("cannot open '%s': %s", mp->s->gitdir, gp_git_error());
		pthread_mutex_unlock(&mp->lock);
		return NULL;
	}
	for (;;) {
		size_t k;
		int stop;

		pthread_mutex_lock(&mp->lock);
		k = mp->next++;
		stop = mp->failed || k >= mp->jobs;
		pthread_mutex_unlock(&mp->lock);
		if (stop)
			break;
		if (measure_one(mp, repo, k) < 0) {
			pthread_mutex_lock(&mp->lock);
			mp->failed = -1;
			pthread_mutex_unlock(&mp->lock);
		}
	}
	return repo;
}

/* Measure again, scanning its worktree, each task whose scan job did not find it clean. */
static int measure_unclean(struct measure_pool *mp)
{
	struct check *c = mp->c;
	size_t k;

	for (k = 0; k < c->nr; k++) {
		const struct task_status *st = &mp->s->st[mp->sel[k]];
		int dirty;

		if (!c->fp[k].measured || c->fp[k].worktree == NULL || st->cleaned ||
		    (mp->clean[k] && git_oid_equal(&mp->scanned[k], &c->fp[k].head)))
			continue;
		/* found dirty: diff it (the diff is right whatever the head is now) */
		dirty = !mp->clean[k] && git_oid_equal(&mp->scanned[k], &c->fp[k].head);
		footprint_release(&c->fp[k]);
		footprint_init(&c->fp[k]);
		if (measure_task(&c->fp[k], mp->s, mp->s->repo, mp->sel[k], 1, NULL,
				 ((mp->flags & CHECK_NO_UNCOMMITTED) ? FOOTPRINT_NO_UNCOMMITTED : 0) |
				 FOOTPRINT_LAZY_HUNKS | (dirty ? FOOTPRINT_WORKTREE_DIRTY : 0), NULL) < 0)
			return -1;
	}
	return 0;
}

static int measure_all(struct check *c, struct session *s, const size_t *sel, unsigned int flags)
{
	struct measure_pool mp;
	pthread_t th[8];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus < 1 ? 1 : (size_t)cpus, k, started = 0;
	int ret;

	memset(&mp, 0, sizeof(mp));
	mp.c = c;
	mp.s = s;
	mp.sel = sel;
	mp.flags = flags;
	mp.jobs = c->nr;
	if (n > sizeof(th) / sizeof(*th))
		n = sizeof(th) / sizeof(*th);
	if (n > 1 && c->nr && !(flags & CHECK_NO_UNCOMMITTED))
		mp.jobs = 2 * c->nr;
	if (n > mp.jobs)
		n = mp.jobs;
	if (n <= 1) {
		mp.jobs = c->nr;
		for (k = 0; k < c->nr; k++)
			if (measure_one(&mp, s->repo, k) < 0)
				return -1;
		return 0;
	}
	mp.clean = xcalloc(c->nr + 1, sizeof(*mp.clean));
	mp.scanned = xcalloc(c->nr + 1, sizeof(*mp.scanned));
	pthread_mutex_init(&mp.lock, NULL);
	for (k = 0; k < n; k++)
		if (!pthread_create(&th[k], NULL, measure_worker, &mp))
			started++;
	if (!started) {	/* no thread: measure here, the one way */
		mp.jobs = c->nr;
		for (k = 0; k < c->nr && !mp.failed; k++)
			if (measure_one(&mp, s->repo, k) < 0)
				mp.failed = -1;
	}
	c->repos = xcalloc(started + 1, sizeof(*c->repos));
	for (k = 0; k < started; k++) {
		void *r = NULL;

		pthread_join(th[k], &r);
		if (r)
			c->repos[c->repos_nr++] = r;
	}
	pthread_mutex_destroy(&mp.lock);
	ret = mp.failed ? -1 : 0;
	if (!ret && mp.jobs > c->nr && measure_unclean(&mp) < 0)
		ret = -1;
	free(mp.clean);
	free(mp.scanned);
	return ret;
}

/*
 * --exact of a few tasks: git merge-tree is what takes longest, and the
 * pair will most likely need it; start it on the branch heads before
 * the footprints are measured, so that git merges while we measure.
 * A pair whose heads are still those takes git's answer (exact_pairs()).
 */
#define CHECK_EARLY_TASKS 3

static void early_start(struct check *c, struct session *s, const size_t *sel, size_t nr)
{
	git_oid head[CHECK_EARLY_TASKS];
	int have[CHECK_EARLY_TASKS];
	size_t k, l;

	c->early = xcalloc(nr * nr + 1, sizeof(*c->early));
	c->early_repo = s->repo;
	for (k = 0; k < nr; k++) {
		const struct task_status *st = &s->st[sel[k]];
		char *branch = st->branch ? xstrdup(st->branch) : session_branch(s, st->id);

		have[k] = !git_reference_name_to_id(&head[k], s->repo, branch);
		git_error_clear();
		free(branch);
	}
	for (k = 0; k < nr; k++)
		for (l = k + 1; l < nr; l++) {
			struct gitmerge_child *gc;

			if (!have[k] || !have[l] || git_oid_equal(&head[k], &head[l]))
				continue;
			gc = gitmerge_start(s->repo, &head[k], &head[l]);
			if (gc)
				c->early[c->early_nr++] = gc;
		}
}

int check_run(struct check *c, struct session *s, const size_t *sel, size_t nr,
	      unsigned int flags)
{
	struct strmap bases = STRMAP_INIT;	/* pairs' merge bases (struct pair_base) */
	struct strmap answers = STRMAP_INIT;	/* git merge-tree's (refine_by_git()) */
	size_t k, i;
	int ret = 0;

	check_init(c);
	c->exact = !!(flags & CHECK_EXACT);
	c->all_ranges = !!(flags & CHECK_ALL_RANGES);
	c->fp = xcalloc(nr + 1, sizeof(*c->fp));
	c->ct = xcalloc(nr + 1, sizeof(*c->ct));
	for (k = 0; k < nr; k++) {
		size_t pi = sel[k];

		c->ct[k].plan_index = pi;
		c->ct[k].owner = s->plan.pt[pi].owner;
		strlist_init(&c->ct[k].untouched);
		footprint_init(&c->fp[k]);
	}
	c->nr = nr;
	if (c->exact && nr >= 2 && nr <= CHECK_EARLY_TASKS)
		early_start(c, s, sel, nr);
	if (measure_all(c, s, sel, flags) < 0)
		return -1;
	if (flags & CHECK_ALL_RANGES) {
		struct fp_file **files;
		size_t n = 0;

		for (k = 0; k < nr; k++)
			n += c->fp[k].nr;
		files = xcalloc(n + 1, sizeof(*files));
		for (k = 0, n = 0; k < nr; k++)
			for (i = 0; i < c->fp[k].nr; i++)
				files[n++] = &c->fp[k].files[i];
		ret = read_hunks(c, s->repo, files, n);
		free(files);
		if (ret < 0)
			return -1;
	}

	find_overlaps(c, s->repo);
	if (c->failed)
		return -1;
	for (i = 0; i < c->ov_nr; i++) {
		refine_conflict(&bases, c, s->repo, &c->ov[i]);
		refine_shared_history(&bases, c, s->repo, &c->ov[i]);
		refine_by_git(&bases, &answers, c, s->repo, &c->ov[i]);
		merge_attribute(s->repo, &c->ov[i]);
	}
	if (!c->exact) {
		refine_by_scripts(&bases, c, s->repo);
		refine_from_bases(&bases, &answers, c, s->repo);
		add_dir_rename_conflicts(c, s->repo);
	}
	pair_bases_clear(&bases);
	answers_clear(&answers);
	if (c->exact) {
		size_t shared = c->pairs_nr, k2;

		add_rename_pairs(c, s->repo);
		if (exact_pairs(c, s->repo) < 0)
			return -1;
		early_reap(c);
		/* a pair added for a directory rename stays only if git conflicts */
		for (i = k2 = shared; i < c->pairs_nr; i++) {
			if (c->pairs[i].exact == 1)
				c->pairs[k2++] = c->pairs[i];
			else
				strlist_clear(&c->pairs[i].exact_paths);
		}
		c->pairs_nr = k2;
	}
	if (c->ov_nr > 1)
		qsort(c->ov, c->ov_nr, sizeof(*c->ov), cmp_overlap);
	if (c->pairs_nr > 1)
		qsort(c->pairs, c->pairs_nr, sizeof(*c->pairs), cmp_pair);
	for (i = 0; i < c->ov_nr; i++) {
		struct overlap *o = &c->ov[i];
		struct check_pair *p = (struct check_pair *)check_pair_find(c, o->a, o->b);
		int conflict = o->exact >= 0 ? o->exact : o->cls == OVERLAP_CONFLICT;

		if (p) {
			p->overlaps++;
			p->conflicts += conflict;
		}
		c->conflicts += conflict;
	}
	for (i = 0; i < c->pairs_nr; i++)
		if (c->pairs[i].exact == 1 && !c->pairs[i].conflicts)
			c->unnamed++;
	for (k = 0; k < c->nr; k++)
		if (c->fp[k].measured)
			check_paths(c, s, k);
	return ret;
}
