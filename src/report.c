/*
 * git parallel report: per task state, attempts, time, commits, files,
 * lines, merge outcome; totals.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/report.h"

int report_parse_percent(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v != v || v < 0 || v > 100 || (*end && strcmp(end, "%")))
		return -1;
	*out = v;
	return 0;
}

int report_record_min_success(const char *state_dir, double min)
{
	char *path = state_run_path(state_dir), *text;
	int ret = 0;

	if (min < 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			ret = error_errno("cannot remove '%s'", path);
		free(path);
		return ret;
	}
	text = xstrfmt("[run]\n\tmin-success = %g\n", min);
	ret = write_file_atomic(path, text, strlen(text), 0644);
	free(text);
	free(path);
	return ret;
}

static int run_fn(void *data, const char *section, const char *sub,
		  const char *key, const char *value, const struct ini_pos *pos)
{
	double *min = data;

	if (!strcmp(section, "run") && !strcmp(key, "min-success") &&
	    report_parse_percent(value, min) < 0)
		*min = -1;
	return 0;
}

/* The last run's --min-success, or -1. */
static double recorded_min_success(const char *state_dir)
{
	char *path = state_run_path(state_dir);
	double min = -1;

	if (!access(path, F_OK) && ini_read_file(path, run_fn, &min) < 0)
		min = -1;
	free(path);
	return min;
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
		t->wait_time = st->wait_time;
		r->wait_time += st->wait_time;
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
	for (k = 0; k < r->nr; k++)
		if (r->v[k].state == TS_DONE || r->v[k].state == TS_MERGED ||
		    r->v[k].state == TS_CONFLICT || r->v[k].state == TS_HELD)
			r->done++;
	r->share = r->nr ? 100.0 * (double)r->done / (double)r->nr : 0;
	r->min_success = recorded_min_success(s->state);
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
