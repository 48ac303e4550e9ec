/*
 * git parallel report: per task state, attempts, time, commits, files,
 * lines, merge outcome; totals.
 */
#include <stdlib.h>
#include <string.h>

#include "gp/report.h"

/* Commits since the task started, files and lines changed (start -> head). */
static void count(struct session *s, size_t i, struct report_task *t)
{
	const struct task_status *st = &s->st[i];
	git_oid head, start;
	git_commit *a = NULL, *b = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	git_diff_stats *stats = NULL;
	size_t ahead = 0, behind = 0;
	char *branch = st->branch ? xstrdup(st->branch) : session_branch(s, st->id);

	/* the recorded head first: a merged task's branch may be cleaned */
	if ((!st->head || git_oid_fromstr(&head, st->head) < 0) &&
	    git_reference_name_to_id(&head, s->repo, branch) < 0)
		goto out;
	if (!st->start || git_oid_fromstr(&start, st->start) < 0)
		git_oid_cpy(&start, &s->plan.base_oid);
	if (git_graph_ahead_behind(&ahead, &behind, s->repo, &head, &start) < 0 ||
	    git_commit_lookup(&a, s->repo, &start) < 0 ||
	    git_commit_lookup(&b, s->repo, &head) < 0 ||
	    git_commit_tree(&ta, a) < 0 || git_commit_tree(&tb, b) < 0 ||
	    git_diff_tree_to_tree(&diff, s->repo, ta, tb, NULL) < 0 ||
	    git_diff_get_stats(&stats, diff) < 0)
		goto out;
	t->known = 1;
	t->commits = ahead;
	t->files = git_diff_stats_files_changed(stats);
	t->added = git_diff_stats_insertions(stats);
	t->removed = git_diff_stats_deletions(stats);
out:
	git_diff_stats_free(stats);
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(a);
	git_commit_free(b);
	free(branch);
}

int report_build(struct report *r, struct session *s)
{
	size_t *order, nr, k;
	double first = 0, last = 0;

	memset(r, 0, sizeof(*r));
	order = plan_order(&s->plan, &nr);
	r->v = xcalloc(nr + 1, sizeof(*r->v));
	for (k = 0; k < nr; k++) {
		size_t i = order[k];
		const struct task_status *st = &s->st[i];
		struct report_task *t = &r->v[r->nr++];

		t->id = s->plan.tasks.v[i].id;
		t->title = s->plan.tasks.v[i].title;
		t->state = st->state;
		t->attempts = st->attempts;
		t->duration = st->task_time;
		if (st->state == TS_RUNNING && st->started)
			t->duration += state_now() - st->started;
		if (st->attempts)
			count(s, i, t);
		switch (st->state) {
		case TS_MERGED:
			t->outcome = "merged";
			r->merged++;
			break;
		case TS_CONFLICT:
			t->outcome = "conflict";
			r->conflicts++;
			break;
		case TS_DONE:
			t->outcome = "unmerged";
			break;
		default:
			break;
		}
		r->task_time += t->duration;
		if (st->started && (!first || st->started < first))
			first = st->started;
		if (st->finished && st->finished > last)
			last = st->finished;
	}
	if (first && last > first) {
		r->wall = last - first;
		r->speedup = r->task_time / r->wall;
		r->saved = r->task_time > r->wall ? r->task_time - r->wall : 0;
	}
	free(order);
	return 0;
}

void report_release(struct report *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
