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
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/index.h>

#include "gp/check.h"
#include "gp/ownership.h"

void check_init(struct check *c)
{
	memset(c, 0, sizeof(*c));
}

void check_release(struct check *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		footprint_release(&c->fp[i]);
		strlist_clear(&c->ct[i].untouched);
	}
	free(c->fp);
	free(c->ct);
	for (i = 0; i < c->repos_nr; i++)	/* after the footprints: their diffs use them */
		git_repository_free(c->repos[i]);
	free(c->repos);
	for (i = 0; i < c->ov_nr; i++)
		free(c->ov[i].path);
	free(c->ov);
	for (i = 0; i < c->pairs_nr; i++)
		strlist_clear(&c->pairs[i].exact_paths);
	free(c->pairs);
	for (i = 0; i < c->viol_nr; i++)
		free(c->viol[i].path);
	free(c->viol);
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
	if (!strcmp(fa->path, fb->path) && fa->new_mode == fb->new_mode &&
	    !git_oid_is_zero(&fa->new_id) && git_oid_equal(&fa->new_id, &fb->new_id)) {
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
		*kind = "symlink";
		return;
	}
	if (fa->binary || fb->binary) {
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

static struct overlap *add_overlap(struct check *c, size_t ta, size_t fa, size_t tb, size_t fb)
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
	/* footprints leave line ranges unread until two tasks share a file */
	if (footprint_file_hunks(&c->fp[ta].files[fa]) < 0 ||
	    footprint_file_hunks(&c->fp[tb].files[fb]) < 0)
		c->failed = 1;
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
		o = add_overlap(c, p->task[i], p->file[i], t, f);
		free(o->path);
		o->path = xstrdup(other->path);
		o->cls = OVERLAP_CONFLICT;
		o->kind = "file/directory";
	}
}

static void find_overlaps(struct check *c, git_repository *repo)
{
	struct path_index ix = { STRMAP_INIT, NULL, 0, 0 };
	struct strmap pairs = STRMAP_INIT, seen = STRMAP_INIT;
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
				struct overlap *o;
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
				    skip_contained(pair, &c->fp[ta].files[fa], &c->fp[tb].files[fb]))
					continue;
				o = add_overlap(c, ta, fa, tb, fb);
				classify(o->fa, o->fb, &o->cls, &o->kind);
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
	strmap_clear(&seen);
	strmap_clear(&pairs);
	index_release(&ix);
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

static int merge_pair(struct check *c, git_repository *repo, struct check_pair *p)
{
	git_commit *ca = NULL, *cb = NULL;
	git_index *idx = NULL;
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *our, *their;
	git_merge_options mo;
	struct strmap set = STRMAP_INIT, drop = STRMAP_INIT;
	char hex_a[GIT_OID_HEXSZ + 1], hex_b[GIT_OID_HEXSZ + 1];
	size_t i, n;
	int ret = 0, uncommitted = 0;

	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
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
	p->exact = p->exact_paths.nr > 0;
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
	}
	if (uncommitted && !p->exact)
		p->exact = -1;	/* the commits merge cleanly; the worktrees were not merged */
	for (i = 0; i < p->exact_paths.nr; i++) {
		const char *ep = p->exact_paths.v[i];
		size_t k;
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
	strmap_clear(&drop);
	strmap_clear(&set);
	git_index_conflict_iterator_free(it);
	git_index_free(idx);
	git_commit_free(ca);
	git_commit_free(cb);
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

/* Measure task pi of the session; worktree: read its uncommitted work too. */
static int measure_task(struct footprint *fp, struct session *s, git_repository *repo, size_t pi,
			int worktree, const git_oid *against, unsigned int flags)
{
	const struct task_status *st = &s->st[pi];
	struct footprint_spec spec;
	char *branch = st->branch ? xstrdup(st->branch) : session_branch(s, st->id);
	char *wt = st->worktree ? xstrdup(st->worktree) : session_worktree(s, st->id);
	git_oid start;
	int has_start = st->start && !git_oid_fromstr(&start, st->start);
	int ret;

	memset(&spec, 0, sizeof(spec));
	spec.id = s->plan.tasks.v[pi].id;
	spec.branch = branch;
	spec.worktree = st->cleaned || !worktree ? NULL : wt;
	spec.base = against ? against : &s->plan.base_oid;
	spec.base_ref = s->plan.base_ref;
	spec.start = has_start ? &start : NULL;
	spec.ran = st->attempts > 0 || st->state != TS_PENDING;
	ret = footprint_measure(fp, repo, &spec, flags);
	if (st->cleaned && !fp->measured)
		strlist_push(&fp->notes, "its worktree and branch were removed by 'git parallel clean'");
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

int check_undeclared(struct strlist *out, struct session *s, size_t pi, const git_oid *against)
{
	const struct task *task = &s->plan.tasks.v[pi];
	struct strlist deps = STRLIST_INIT;
	struct footprint fp;
	size_t f, found = 0;
	int unknown;

	if (!task->paths.nr)
		return 0;
	if (measure_task(&fp, s, s->repo, pi, 0, against, FOOTPRINT_NO_UNCOMMITTED) < 0) {
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
 */
struct measure_pool {
	struct check *c;
	struct session *s;
	const size_t *sel;
	unsigned int flags;	/* check_flags */
	pthread_mutex_t lock;
	size_t next;
	int failed;
};

static int measure_one(struct measure_pool *mp, git_repository *repo, size_t k)
{
	struct footprint *fp = &mp->c->fp[k];
	unsigned int flags = mp->flags;

	if (measure_task(fp, mp->s, repo, mp->sel[k], 1, NULL,
			 ((flags & CHECK_NO_UNCOMMITTED) ? FOOTPRINT_NO_UNCOMMITTED : 0) |
			 ((flags & CHECK_ALL_RANGES) ? 0 : FOOTPRINT_LAZY_HUNKS)) < 0 ||
	    ((flags & CHECK_ALL_RANGES) && footprint_all_hunks(fp) < 0))
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
		stop = mp->failed || k >= mp->c->nr;
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

static int measure_all(struct check *c, struct session *s, const size_t *sel, unsigned int flags)
{
	struct measure_pool mp;
	pthread_t th[8];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus < 1 ? 1 : (size_t)cpus, k, started = 0;

	memset(&mp, 0, sizeof(mp));
	mp.c = c;
	mp.s = s;
	mp.sel = sel;
	mp.flags = flags;
	if (n > sizeof(th) / sizeof(*th))
		n = sizeof(th) / sizeof(*th);
	if (n > c->nr)
		n = c->nr;
	if (n <= 1) {
		for (k = 0; k < c->nr; k++)
			if (measure_one(&mp, s->repo, k) < 0)
				return -1;
		return 0;
	}
	pthread_mutex_init(&mp.lock, NULL);
	for (k = 0; k < n; k++)
		if (!pthread_create(&th[k], NULL, measure_worker, &mp))
			started++;
	if (!started) {	/* no thread: measure here */
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
	return mp.failed ? -1 : 0;
}

int check_run(struct check *c, struct session *s, const size_t *sel, size_t nr,
	      unsigned int flags)
{
	size_t k, i;
	int ret = 0;

	check_init(c);
	c->exact = !!(flags & CHECK_EXACT);
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
	if (measure_all(c, s, sel, flags) < 0)
		return -1;

	find_overlaps(c, s->repo);
	if (c->failed)
		return -1;
	if (c->exact)
		for (i = 0; i < c->pairs_nr; i++) {
			struct check_pair *p = &c->pairs[i];

			if (p->related)
				continue;
			if (merge_pair(c, s->repo, p) < 0)
				return -1;
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
	for (k = 0; k < c->nr; k++)
		if (c->fp[k].measured)
			check_paths(c, s, k);
	return ret;
}
