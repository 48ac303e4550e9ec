/*
 * git parallel report: per task state, attempts, time, commits, files,
 * lines, merge outcome; totals.
 */
#include <stdlib.h>
#include <string.h>

#include "gp/report.h"

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
		if (st->attempts) {
			struct task_work w;

			session_task_work(s, i, &w);
			t->known = w.known;
			t->commits = w.commits;
			t->files = w.files;
			t->added = w.added;
			t->removed = w.removed;
		}
		switch (st->state) {
		case TS_MERGED:
			t->outcome = "merged";
			r->merged++;
			break;
		case TS_CONFLICT:
			t->outcome = "conflict";
			r->conflicts++;
			break;
		case TS_HELD:
			t->outcome = "held";
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
