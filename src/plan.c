/*
 * The dependency graph of a task list: edges from phases, barriers,
 * explicit dependencies, shared declared paths and owner areas; waves;
 * the critical path; findings (false [P], unknown footprint).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gp/plan.h"

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	tasklist_init(&p->tasks);
	strlist_init(&p->sources);
}

static void plan_clear_graph(struct plan *p)
{
	size_t i, k;

	if (p->pt) {
		for (i = 0; i < p->tasks.nr; i++) {
			for (k = 0; k < p->pt[i].deps_nr; k++)
				free(p->pt[i].deps[k].detail);
			free(p->pt[i].deps);
			free(p->pt[i].owner);
		}
		free(p->pt);
		p->pt = NULL;
	}
	for (i = 0; i < p->findings_nr; i++) {
		free(p->findings[i].path);
		strlist_clear(&p->findings[i].paths);
		free(p->findings[i].tasks);
	}
	free(p->findings);
	p->findings = NULL;
	p->findings_nr = p->findings_alloc = 0;
	free(p->critical);
	p->critical = NULL;
	p->critical_nr = 0;
	free(p->stamp);
	p->stamp = NULL;
	free(p->stack);
	p->stack = NULL;
	free(p->dep_mark);
	p->dep_mark = NULL;
	p->dep_mark_task = 0;
	p->stamp_now = 0;
}

void plan_release(struct plan *p)
{
	plan_clear_graph(p);
	tasklist_release(&p->tasks);
	strlist_clear(&p->sources);
	free(p->base_ref);
	free(p->created);
	free(p->id);
	plan_init(p);
}

const char *plan_reason_name(enum dep_reason r)
{
	switch (r) {
	case DEP_PHASE: return "phase";
	case DEP_BARRIER: return "barrier";
	case DEP_DEPENDS: return "depends";
	case DEP_SHARES: return "shares";
	case DEP_OWNER: return "owner";
	}
	return "?";
}

const char *plan_finding_name(enum finding_kind k)
{
	switch (k) {
	case FINDING_FALSE_PARALLEL: return "false-parallel";
	case FINDING_UNKNOWN_FOOTPRINT: return "unknown-footprint";
	}
	return "?";
}

int plan_task_active(const struct plan *p, size_t i)
{
	return !p->tasks.v[i].done && !p->tasks.v[i].cancelled;
}

/*
 * Does t already wait for dep, directly or through other tasks?  A
 * depth-first search backwards from t; tasks in waves at or before dep's
 * cannot lead to dep, so the search stays small.  Waves are those of the
 * first computation, which every edge added since respects.
 */
static int waits_for(struct plan *p, size_t t, size_t dep)
{
	size_t *stack, nr = 0, k;
	int found = 0;

	if (!p->stamp) {
		p->stamp = xcalloc(p->tasks.nr + 1, sizeof(*p->stamp));
		p->stack = xmalloc((p->tasks.nr + 1) * sizeof(*p->stack));
	}
	p->stamp_now++;
	stack = p->stack;
	stack[nr++] = t;
	p->stamp[t] = p->stamp_now;
	while (nr && !found) {
		size_t x = stack[--nr];

		for (k = 0; k < p->pt[x].deps_nr; k++) {
			size_t d = p->pt[x].deps[k].task;

			if (d == dep) {
				found = 1;
				break;
			}
			if (p->stamp[d] == p->stamp_now || p->pt[d].wave <= p->pt[dep].wave)
				continue;
			p->stamp[d] = p->stamp_now;
			stack[nr++] = d;
		}
	}
	return found;
}

/* Add "t waits for dep" unless that edge exists already. */
static void add_dep(struct plan *p, size_t t, size_t dep, enum dep_reason reason, const char *detail)
{
	struct plan_task *pt = &p->pt[t];
	size_t k;

	if (t == dep)
		return;
	/*
	 * Is dep already there?  dep_mark[d] == t + 1 for every d that t
	 * waits for, rebuilt when another task's edges are added: a phase
	 * of thousands of tasks adds its edges task by task in O(1) each,
	 * and interleaved calls cost what a scan would.
	 */
	if (!p->dep_mark)
		p->dep_mark = xcalloc(p->tasks.nr + 1, sizeof(*p->dep_mark));
	if (p->dep_mark_task != t + 1) {
		for (k = 0; k < pt->deps_nr; k++)
			p->dep_mark[pt->deps[k].task] = t + 1;
		p->dep_mark_task = t + 1;
	}
	if (p->dep_mark[dep] == t + 1) {
		/* a mark left from an earlier build of t's list: check it */
		for (k = 0; k < pt->deps_nr; k++)
			if (pt->deps[k].task == dep)
				return;
	}
	/* an ordering edge that the graph already implies is only noise */
	if ((reason == DEP_SHARES || reason == DEP_OWNER) && waits_for(p, t, dep))
		return;
	p->dep_mark[dep] = t + 1;
	ALLOC_GROW(pt->deps, pt->deps_nr + 1, pt->deps_alloc);
	pt->deps[pt->deps_nr].task = dep;
	pt->deps[pt->deps_nr].reason = reason;
	pt->deps[pt->deps_nr].detail = detail ? xstrdup(detail) : NULL;
	pt->deps_nr++;
}

/*
 * Barrier semantics over an ordered group of tasks: a task that is not
 * "parallel" waits for everything since the previous barrier, and
 * everything after it waits for it.  The first tasks of the group (up to
 * and including the first barrier) wait for "entry" instead.  Returns the
 * group's exit set (what a later group must wait for) in *exit.
 */
struct group {
	size_t *v;
	size_t nr, alloc;
};

static void group_push(struct group *g, size_t t)
{
	ALLOC_GROW(g->v, g->nr + 1, g->alloc);
	g->v[g->nr++] = t;
}

static void barrier_chain(struct plan *p, const size_t *order, size_t n,
			  int (*is_barrier)(struct plan *, size_t),
			  const struct group *entry, enum dep_reason entry_reason,
			  const char *entry_detail, enum dep_reason reason,
			  const char *detail, struct group *exit)
{
	struct group since = { 0 };
	long barrier = -1;
	size_t i, k;

	for (i = 0; i < n; i++) {
		size_t t = order[i];

		if (!is_barrier(p, t)) {
			if (barrier >= 0)
				add_dep(p, t, (size_t)barrier, reason, detail);
			else if (entry)
				for (k = 0; k < entry->nr; k++)
					add_dep(p, t, entry->v[k], entry_reason, entry_detail);
			group_push(&since, t);
			continue;
		}
		if (since.nr) {
			for (k = 0; k < since.nr; k++)
				add_dep(p, t, since.v[k], reason, detail);
		} else if (barrier >= 0) {
			add_dep(p, t, (size_t)barrier, reason, detail);
		} else if (entry) {
			for (k = 0; k < entry->nr; k++)
				add_dep(p, t, entry->v[k], entry_reason, entry_detail);
		}
		barrier = (long)t;
		since.nr = 0;
	}
	if (exit) {
		exit->nr = 0;
		if (since.nr)
			for (k = 0; k < since.nr; k++)
				group_push(exit, since.v[k]);
		else if (barrier >= 0)
			group_push(exit, (size_t)barrier);
	}
	free(since.v);
}

static int not_parallel(struct plan *p, size_t t)
{
	return !p->tasks.v[t].parallel;
}

static int no_paths(struct plan *p, size_t t)
{
	return p->tasks.v[t].paths.nr == 0;
}

/*
 * Phases as spec-kit means them.  A file with user-story phases
 * ("## Phase 3: User Story 1 - ...", or a phase whose tasks all carry the
 * same [USn] label) runs its stories side by side: each story phase waits
 * for the last non-story phase before it (Setup, Foundational) and for
 * the stories the file says it depends on ("Depends on US1" in its intro,
 * "- **US2 (Phase 4)**: Depends on Phase 3" in a Dependencies section);
 * a later non-story phase (Polish) waits for every story since the last
 * gate.  Files without stories, and --serial-phases, keep phases in a line.
 */
static int strcasestr_(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

struct phase_run {
	int phase;		/* index into tasks.phases, or -1 */
	int number;		/* "Phase N" of its heading, or -1 */
	int story;		/* user story number, or 0 */
	size_t start, end;	/* its tasks: [start, end) */
	struct group exit;	/* what a phase waiting for it waits for */
	struct group after;	/* runs (indexes) it depends on, from the notes */
};

/* The number after word in s ("Phase 3", "User Story 12", "US2"), or -1 */
static int number_after(const char *s, const char *word, int need_boundary)
{
	size_t n = strlen(word);
	const char *q;

	for (q = s; *q; q++) {
		const char *d;

		if (strncasecmp(q, word, n))
			continue;
		if (need_boundary && q > s && isalnum((unsigned char)q[-1]))
			continue;
		d = q + n;
		while (*d == ' ' || *d == '\t')
			d++;
		if (isdigit((unsigned char)*d))
			return atoi(d);
	}
	return -1;
}

/* "US12" at s (not inside a word), as 12; or -1 */
static int us_at(const char *s, const char *start)
{
	if ((s > start && isalnum((unsigned char)s[-1])) || (s[0] != 'U' && s[0] != 'u') ||
	    (s[1] != 'S' && s[1] != 's') || !isdigit((unsigned char)s[2]))
		return -1;
	return atoi(s + 2);
}

static int heading_story(const char *name)
{
	const char *q;
	int n = number_after(name, "user story", 1);

	if (n < 0)
		n = number_after(name, "story", 1);
	for (q = name; n < 0 && *q; q++)
		n = us_at(q, name);
	return n > 0 ? n : 0;
}

static int is_gate_name(const char *name)
{
	return name && (strcasestr_(name, "setup") || strcasestr_(name, "foundation") ||
			strcasestr_(name, "prerequisite"));
}

static void run_set(struct group *g, size_t run)
{
	size_t k;

	for (k = 0; k < g->nr; k++)
		if (g->v[k] == run)
			return;
	group_push(g, run);
}

/*
 * One note: "<subject>: Depends on <objects>".  The subject is the
 * "(Phase N)", "USn" or "User Story n" before "depends"; without one,
 * the phase the note is in.  Objects are read up to the end of the
 * clause (a dash, ';', '.', "can run in parallel", "independent"), with
 * parenthesised asides dropped.
 */
static void read_note(struct phase_run *runs, size_t nr, size_t own, const char *note)
{
	struct strbuf subj = STRBUF_INIT, obj = STRBUF_INIT;
	const char *dep = NULL, *q;
	size_t r, subjects[64], subjects_nr = 0;
	int depth = 0, n;

	for (q = note; *q; q++)
		if (!strncasecmp(q, "depends on", 10) || !strncasecmp(q, "depends upon", 12) ||
		    !strncasecmp(q, "dependencies", 12)) {
			dep = q;
			break;
		}
	if (!dep)
		return;
	strbuf_add(&subj, note, (size_t)(dep - note));
	dep += strcspn(dep, " \t:*");
	if (!strncasecmp(dep, " on", 3) || !strncasecmp(dep, " upon", 5))
		dep += strncasecmp(dep, " on", 3) ? 5 : 3;
	for (q = dep; *q; q++) {
		if (*q == '(') {
			depth++;
			continue;
		}
		if (*q == ')') {
			depth -= depth > 0;
			continue;
		}
		if (depth)
			continue;
		if (*q == ';' || *q == '|' || (*q == '.' && (!q[1] || q[1] == ' ')) ||
		    !strncmp(q, "\xe2\x80\x94", 3) || !strncmp(q, "\xe2\x80\x93 ", 4) ||
		    !strncmp(q, " - ", 3) || !strncasecmp(q, "parallel", 8) ||
		    !strncasecmp(q, "independent", 11) || !strncasecmp(q, " but ", 5) ||
		    !strncasecmp(q, " can ", 5))
			break;
		strbuf_addch(&obj, *q);
	}

	/* the subject: "(Phase N)", else USn / User Story n, else this phase */
	n = number_after(subj.buf, "phase", 1);
	for (r = 0; n >= 0 && r < nr && subjects_nr < ARRAY_SIZE(subjects); r++)
		if (runs[r].number == n)
			subjects[subjects_nr++] = r;
	if (!subjects_nr) {
		n = heading_story(subj.buf);
		for (r = 0; n > 0 && r < nr && subjects_nr < ARRAY_SIZE(subjects); r++)
			if (runs[r].story == n)
				subjects[subjects_nr++] = r;
	}
	if (!subjects_nr && own < nr && number_after(subj.buf, "phase", 1) < 0 && !heading_story(subj.buf))
		subjects[subjects_nr++] = own;

	/* the objects: every Phase N / Phases 3, 5, 6 / USn / User Story n */
	for (q = obj.buf; *q; q++) {
		int num = -1;

		if (!strncasecmp(q, "phase", 5) && (q == obj.buf || !isalnum((unsigned char)q[-1]))) {
			const char *d = q + 5;

			if (*d == 's' || *d == 'S')
				d++;
			/* a list of numbers: "Phases 3, 5, 6", "Phase 3 and 5" */
			for (;;) {
				while (*d == ' ' || *d == ',' || *d == '&' || *d == '+')
					d++;
				if (!strncasecmp(d, "and ", 4)) {
					d += 4;
					continue;
				}
				if (!isdigit((unsigned char)*d))
					break;
				num = atoi(d);
				while (isdigit((unsigned char)*d))
					d++;
				for (r = 0; r < nr; r++)
					if (runs[r].number == num) {
						size_t k;

						for (k = 0; k < subjects_nr; k++)
							if (r < subjects[k])
								run_set(&runs[subjects[k]].after, r);
					}
			}
			q = d - 1;
			continue;
		}
		if ((num = us_at(q, obj.buf)) < 0) {
			if (!strncasecmp(q, "user story", 10) || !strncasecmp(q, "story", 5)) {
				num = number_after(q, *q == 'u' || *q == 'U' ? "user story" : "story", 0);
				q += (*q == 'u' || *q == 'U') ? 9 : 4;
			}
		}
		if (num <= 0)
			continue;
		for (r = 0; r < nr; r++)
			if (runs[r].story == num) {
				size_t k;

				for (k = 0; k < subjects_nr; k++)
					if (r < subjects[k])
						run_set(&runs[subjects[k]].after, r);
			}
	}
	strbuf_release(&subj);
	strbuf_release(&obj);
}

/* Phase and barrier edges of the tasks [from, to) of one file. */
static void file_phase_edges(struct plan *p, size_t from, size_t to, unsigned int flags)
{
	struct phase_run *runs = NULL;
	size_t nr = 0, alloc = 0, i, r, k;
	struct group cur = { 0 }, entry = { 0 }, gate = { 0 }, since = { 0 };
	int stories = 0, serial = (flags & PLAN_SERIAL_PHASES) != 0;
	int no_phases = (flags & PLAN_NO_PHASES) != 0;

	for (i = from; i < to; ) {
		int phase = p->tasks.v[i].phase, label = -2;	/* -2: no task seen yet */
		struct phase_run *pr;
		size_t j;

		ALLOC_GROW(runs, nr + 1, alloc);
		pr = &runs[nr++];
		memset(pr, 0, sizeof(*pr));
		pr->phase = phase;
		pr->start = i;
		for (j = i; j < to && p->tasks.v[j].phase == phase; j++) {
			const char *st = p->tasks.v[j].story;
			int n = st ? us_at(st, st) : -1;

			if (!plan_task_active(p, j))
				continue;
			label = label == -2 ? n : (label == n ? n : 0);
		}
		pr->end = j;
		pr->number = -1;
		if (phase >= 0) {
			const char *name = p->tasks.phases[phase].name;

			if (!strncasecmp(name, "phase", 5))
				pr->number = number_after(name, "phase", 1);
			/* "User Story 3 - Setup wizard" is a story; "Setup (US0 tooling)" is not */
			if (!is_gate_name(name) || strcasestr_(name, "user story"))
				pr->story = heading_story(name);
		}
		if (!pr->story && label > 0 && (phase < 0 || !is_gate_name(p->tasks.phases[phase].name)))
			pr->story = label;
		stories |= pr->story > 0;
		i = j;
	}
	if (serial || no_phases)
		stories = 0;

	/* what the file says depends on what: notes of all its phases */
	if (stories && runs[0].phase >= 0) {
		int source = p->tasks.v[from].source;
		size_t ph;

		for (ph = 0; ph < p->tasks.phases_nr; ph++) {
			const struct task_phase *tp = &p->tasks.phases[ph];
			size_t own = nr;

			if (tp->source != source)
				continue;
			for (r = 0; r < nr; r++)
				if (runs[r].phase == (int)ph)
					own = r;
			for (k = 0; k < tp->notes.nr; k++)
				read_note(runs, nr, own, tp->notes.v[k]);
		}
	}

	for (r = 0; r < nr; r++) {
		struct phase_run *pr = &runs[r];

		cur.nr = 0;
		for (i = pr->start; i < pr->end; i++)
			if (plan_task_active(p, i))
				group_push(&cur, i);
		entry.nr = 0;
		if (!stories) {
			for (k = 0; k < gate.nr; k++)
				group_push(&entry, gate.v[k]);
		} else if (pr->story) {
			/* the stories it names and its own story's earlier phases, else the gate */
			int named = 0;

			for (i = 0; i < r; i++)
				if (runs[i].story == pr->story)
					run_set(&pr->after, i);
			for (k = 0; k < pr->after.nr; k++)
				named |= runs[pr->after.v[k]].story > 0;
			if (!named)
				for (k = 0; k < gate.nr; k++)
					group_push(&entry, gate.v[k]);
			for (k = 0; k < pr->after.nr; k++) {
				struct group *x = &runs[pr->after.v[k]].exit;
				size_t m;

				if (!runs[pr->after.v[k]].story)
					continue;	/* a gate: waited for already */

				for (m = 0; m < x->nr; m++)
					run_set(&entry, x->v[m]);
			}
		} else {
			/* a gate: waits for every story since the last gate (those no other one waits for) */
			for (k = 0; k < since.nr; k++) {
				size_t s = since.v[k], m, o;
				int waited = 0;

				for (o = 0; o < since.nr && !waited; o++)
					for (m = 0; m < runs[since.v[o]].after.nr; m++)
						waited |= runs[since.v[o]].after.v[m] == s;
				if (waited)
					continue;
				for (m = 0; m < runs[s].exit.nr; m++)
					run_set(&entry, runs[s].exit.v[m]);
			}
			if (!since.nr)
				for (k = 0; k < gate.nr; k++)
					group_push(&entry, gate.v[k]);
		}
		barrier_chain(p, cur.v, cur.nr, not_parallel, no_phases || !entry.nr ? NULL : &entry,
			      DEP_PHASE, NULL, DEP_BARRIER, NULL, &pr->exit);
		if (!cur.nr)	/* nothing to run: waiting for it is waiting for what it waited for */
			for (k = 0; k < entry.nr; k++)
				group_push(&pr->exit, entry.v[k]);
		if (stories && pr->story) {
			group_push(&since, r);
			continue;
		}
		if (!cur.nr && !stories)
			continue;	/* as before: an empty phase passes its gate on */
		gate.nr = 0;
		for (k = 0; k < pr->exit.nr; k++)
			group_push(&gate, pr->exit.v[k]);
		since.nr = 0;
	}
	for (r = 0; r < nr; r++) {
		free(runs[r].exit.v);
		free(runs[r].after.v);
	}
	free(runs);
	free(cur.v);
	free(entry.v);
	free(gate.v);
	free(since.v);
}

/* Phase and barrier edges, file by file. */
static void phase_edges(struct plan *p, unsigned int flags)
{
	size_t i = 0;

	while (i < p->tasks.nr) {
		int source = p->tasks.v[i].source;
		size_t j = i;

		while (j < p->tasks.nr && p->tasks.v[j].source == source)
			j++;
		file_phase_edges(p, i, j, flags);
		i = j;
	}
}

/* Kahn's algorithm over active tasks: waves and a topological order. */
static int compute_waves(struct plan *p, size_t *topo, size_t *sorted)
{
	size_t n = p->tasks.nr, i, k, head = 0, tail = 0;
	size_t *indeg = xcalloc(n, sizeof(*indeg));
	size_t *succ_start = xcalloc(n + 1, sizeof(*succ_start));
	size_t *succ, *fill;
	int max_wave = 0;

	for (i = 0; i < n; i++)
		for (k = 0; k < p->pt[i].deps_nr; k++)
			succ_start[p->pt[i].deps[k].task + 1]++;
	for (i = 0; i < n; i++)
		succ_start[i + 1] += succ_start[i];
	succ = xmalloc((succ_start[n] + 1) * sizeof(*succ));
	fill = xcalloc(n, sizeof(*fill));
	for (i = 0; i < n; i++) {
		indeg[i] = p->pt[i].deps_nr;
		for (k = 0; k < p->pt[i].deps_nr; k++) {
			size_t d = p->pt[i].deps[k].task;
			succ[succ_start[d] + fill[d]++] = i;
		}
	}
	for (i = 0; i < n; i++) {
		p->pt[i].wave = 0;
		if (plan_task_active(p, i) && !indeg[i]) {
			p->pt[i].wave = 1;
			topo[tail++] = i;
		}
	}
	while (head < tail) {
		size_t t = topo[head++];

		if (p->pt[t].wave > max_wave)
			max_wave = p->pt[t].wave;
		for (k = succ_start[t]; k < succ_start[t + 1]; k++) {
			size_t s = succ[k];

			if (p->pt[s].wave < p->pt[t].wave + 1)
				p->pt[s].wave = p->pt[t].wave + 1;
			if (!--indeg[s])
				topo[tail++] = s;
		}
	}
	p->waves = max_wave;
	*sorted = tail;
	free(indeg);
	free(succ_start);
	free(succ);
	free(fill);
	return (size_t)tail == p->active ? 0 : -1;
}

static void report_cycle(struct plan *p, const size_t *topo, size_t sorted)
{
	size_t n = p->tasks.nr, i, t = n, k;
	char *in_sorted = xcalloc(n, 1);
	long *seen = xmalloc(n * sizeof(*seen));
	struct strbuf sb = STRBUF_INIT;
	size_t *path = xmalloc((n + 1) * sizeof(*path));
	size_t len = 0;

	for (i = 0; i < sorted; i++)
		in_sorted[topo[i]] = 1;
	for (i = 0; i < n; i++) {
		seen[i] = -1;
		if (t == n && plan_task_active(p, i) && !in_sorted[i])
			t = i;
	}
	/* walk dependencies inside the unsorted set until a task repeats */
	while (seen[t] < 0) {
		seen[t] = (long)len;
		path[len++] = t;
		for (k = 0; k < p->pt[t].deps_nr; k++)
			if (!in_sorted[p->pt[t].deps[k].task])
				break;
		t = p->pt[t].deps[k].task;
	}
	/* a long cycle is shown by its first and last edges */
	for (i = (size_t)seen[t]; i < len; i++) {
		size_t a = path[i], b = i + 1 < len ? path[i + 1] : t;
		size_t cycle = len - (size_t)seen[t], at = i - (size_t)seen[t];
		const char *why = "depends";

		if (cycle > 10 && at == 5) {
			strbuf_addf(&sb, "... (%zu more edges); ", cycle - 8);
			i = len - 4;
			continue;
		}
		for (k = 0; k < p->pt[a].deps_nr; k++)
			if (p->pt[a].deps[k].task == b)
				why = plan_reason_name(p->pt[a].deps[k].reason);
		strbuf_addf(&sb, "'%s' (%s:%d) waits for '%s' (%s); ", p->tasks.v[a].id,
			    p->tasks.v[a].file, p->tasks.v[a].line, p->tasks.v[b].id, why);
	}
	strbuf_setlen(&sb, sb.len - 2);
	error("dependency cycle: %s", sb.buf);
	strbuf_release(&sb);
	free(in_sorted);
	free(seen);
	free(path);
}

static void add_finding(struct plan *p, enum finding_kind kind, const char *path,
			const size_t *tasks, size_t nr, int wave)
{
	struct plan_finding *f;

	ALLOC_GROW(p->findings, p->findings_nr + 1, p->findings_alloc);
	f = &p->findings[p->findings_nr++];
	f->kind = kind;
	f->path = path ? xstrdup(path) : NULL;
	strlist_init(&f->paths);
	if (path)
		strlist_push(&f->paths, path);
	f->tasks = xmalloc(nr * sizeof(*f->tasks));
	memcpy(f->tasks, tasks, nr * sizeof(*f->tasks));
	f->tasks_nr = nr;
	f->wave = wave;
}

/*
 * The order that shared-path and owner edges follow: wave, then file
 * order.  Every existing edge goes to a later wave, so edges added in this
 * order can never close a cycle.
 */
static const struct plan *sort_plan;
static int before(const struct plan *p, size_t x, size_t y)
{
	if (p->pt[x].wave != p->pt[y].wave)
		return p->pt[x].wave < p->pt[y].wave;
	return x < y;
}

static int by_pos(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x == y ? 0 : before(sort_plan, x, y) ? -1 : 1;
}

/* Is task t marked in mark[] with this stamp? */
static int marked(const unsigned int *mark, size_t t, unsigned int stamp)
{
	return mark[t] == stamp;
}

/*
 * One false [P] finding per (path, wave): the tasks of "members" (in
 * plan order) that share the wave, when two or more do and one claims
 * [P].  "need" (or NULL) names a set one of them must belong to.
 */
static void group_findings(struct plan *p, const char *path, const size_t *members,
			   size_t nr, const unsigned int *need, unsigned int stamp)
{
	size_t a, b;

	for (a = 0; a < nr; a = b) {
		int wave = p->pt[members[a]].wave, any_p = 0, any_need = !need;

		for (b = a; b < nr && p->pt[members[b]].wave == wave; b++) {
			any_p |= p->tasks.v[members[b]].parallel;
			if (need && marked(need, members[b], stamp))
				any_need = 1;
		}
		if (b - a >= 2 && any_p && any_need)
			add_finding(p, FINDING_FALSE_PARALLEL, path, members + a, b - a, wave);
	}
}

/*
 * Tasks declaring the same path (or a directory and a path below it):
 * false [P] findings within a wave, then ordering edges along the
 * topological order so that they never run together.
 *
 * Built through a path index, never pair by pair: the tasks declaring a
 * path are chained in plan order; a task declaring something below a
 * directory waits for the last task before it that declares the
 * directory, and the first one after it waits for it.  Every pair is
 * still ordered (through the chain), with O(tasks x path depth) edges.
 */
static void sharing(struct plan *p)
{
	struct strmap by_path = STRMAP_INIT;
	struct group *groups = NULL, *below = NULL, merged = { 0 };
	size_t groups_nr = 0, groups_alloc = 0, i, k, g;
	struct strbuf prefix = STRBUF_INIT;
	unsigned int *mark = xcalloc(p->tasks.nr + 1, sizeof(*mark));

	for (i = 0; i < p->tasks.nr; i++) {
		if (!plan_task_active(p, i))
			continue;
		for (k = 0; k < p->tasks.v[i].paths.nr; k++) {
			const char *path = p->tasks.v[i].paths.v[k];
			struct strmap_entry *e;
			int found;

			e = strmap_put(&by_path, path, NULL, &found);
			if (!found) {
				ALLOC_GROW(groups, groups_nr + 1, groups_alloc);
				memset(&groups[groups_nr], 0, sizeof(*groups));
				e->value = (void *)(groups_nr + 1);
				groups_nr++;
			}
			g = (size_t)e->value - 1;
			if (!groups[g].nr || groups[g].v[groups[g].nr - 1] != i)
				group_push(&groups[g], i);
		}
	}
	below = xcalloc(groups_nr + 1, sizeof(*below));

	/* the tasks below each declared directory, through each path's prefixes */
	for (i = 0; i < p->tasks.nr; i++) {
		if (!plan_task_active(p, i))
			continue;
		for (k = 0; k < p->tasks.v[i].paths.nr; k++) {
			const char *path = p->tasks.v[i].paths.v[k], *s;

			for (s = path; (s = strchr(s, '/')) && s[1]; s++) {
				struct group *b;
				void *v;

				strbuf_reset(&prefix);
				strbuf_add(&prefix, path, (size_t)(s - path) + 1);
				v = strmap_get(&by_path, prefix.buf);
				if (!v)
					continue;
				b = &below[(size_t)v - 1];
				if (!b->nr || b->v[b->nr - 1] != i)
					group_push(b, i);
			}
		}
	}

	sort_plan = p;
	for (i = 0; i < by_path.size; i++) {
		struct strmap_entry *e = &by_path.v[i];
		struct group *gr, *bl;
		size_t a, b, last;
		unsigned int stamp = (unsigned int)i + 1;
		long last_g = -1;

		if (!e->key)
			continue;
		g = (size_t)e->value - 1;
		gr = &groups[g];
		bl = &below[g];
		if (gr->nr < 2 && !bl->nr)
			continue;
		if (gr->nr > 1)
			qsort(gr->v, gr->nr, sizeof(*gr->v), by_pos);
		for (a = 0; a < gr->nr; a++)
			mark[gr->v[a]] = stamp;

		/* the declarers and the tasks below, in plan order, each once */
		merged.nr = 0;
		for (a = 0; a < gr->nr; a++)
			group_push(&merged, gr->v[a]);
		for (a = 0; a < bl->nr; a++)
			if (!marked(mark, bl->v[a], stamp))
				group_push(&merged, bl->v[a]);
		if (merged.nr > 1)
			qsort(merged.v, merged.nr, sizeof(*merged.v), by_pos);
		group_findings(p, e->key, merged.v, merged.nr, bl->nr ? mark : NULL, stamp);

		/* the declarers one after another */
		for (a = 1; a < gr->nr; a++)
			add_dep(p, gr->v[a], gr->v[a - 1], DEP_SHARES, e->key);
		/* each task below between the declarers around it */
		for (a = 0, last = 0; a < merged.nr; a++) {
			size_t t = merged.v[a];

			if (marked(mark, t, stamp)) {
				for (b = last; b < a; b++)
					add_dep(p, t, merged.v[b], DEP_SHARES, e->key);
				last = a + 1;
				last_g = (long)t;
				continue;
			}
			if (last_g >= 0)
				add_dep(p, t, (size_t)last_g, DEP_SHARES, e->key);
		}
	}
	for (g = 0; g < groups_nr; g++) {
		free(groups[g].v);
		free(below[g].v);
	}
	free(groups);
	free(below);
	free(merged.v);
	free(mark);
	strmap_clear(&by_path);
	strbuf_release(&prefix);
}

static int by_finding(const void *a, const void *b)
{
	const struct plan_finding *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind == FINDING_UNKNOWN_FOOTPRINT ? -1 : 1;
	if (x->wave != y->wave)
		return x->wave < y->wave ? -1 : 1;
	if (x->tasks[0] != y->tasks[0])
		return x->tasks[0] < y->tasks[0] ? -1 : 1;
	return x->tasks_nr < y->tasks_nr ? -1 : x->tasks_nr > y->tasks_nr;
}

/*
 * A group of tasks sharing several paths is one finding, not one per
 * path: false [P] findings with the same wave and tasks are merged.
 */
static void merge_findings(struct plan *p)
{
	struct strmap seen = STRMAP_INIT;
	struct strbuf key = STRBUF_INIT;
	size_t i, k, out = 0;

	for (i = 0; i < p->findings_nr; i++) {
		struct plan_finding *f = &p->findings[i];
		struct strmap_entry *e;
		int found;

		if (f->kind != FINDING_FALSE_PARALLEL) {
			p->findings[out++] = *f;
			continue;
		}
		strbuf_reset(&key);
		strbuf_addf(&key, "%d", f->wave);
		for (k = 0; k < f->tasks_nr; k++)
			strbuf_addf(&key, " %zu", f->tasks[k]);
		e = strmap_put(&seen, key.buf, NULL, &found);
		if (found) {
			struct plan_finding *into = &p->findings[(size_t)e->value - 1];

			for (k = 0; k < f->paths.nr; k++)
				strlist_push(&into->paths, f->paths.v[k]);
			free(f->path);
			strlist_clear(&f->paths);
			free(f->tasks);
			continue;
		}
		e->value = (void *)(out + 1);
		p->findings[out++] = *f;
	}
	p->findings_nr = out;
	/* in plan order, not the index's: by wave, then first task */
	sort_plan = p;
	if (p->findings_nr > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(p->findings, p->findings_nr, sizeof(*p->findings), by_finding);
	strmap_clear(&seen);
	strbuf_release(&key);
}

/* Resolve each task's owner: its owner key, or the one owner of all its paths. */
static void resolve_owners(struct plan *p, struct ownership *own)
{
	size_t i, k;

	for (i = 0; i < p->tasks.nr; i++) {
		const struct task *t = &p->tasks.v[i];
		const char *o = NULL;

		if (t->owner) {
			o = t->owner;
			if (own->owners.nr && !strlist_has(&own->owners, o))
				warning("task '%s' (%s:%d) names owner '%s', who owns no path",
					t->id, t->file, t->line, o);
		} else if (own->nr && t->paths.nr) {
			o = ownership_lookup(own, t->paths.v[0]);
			for (k = 1; o && k < t->paths.nr; k++) {
				const char *o2 = ownership_lookup(own, t->paths.v[k]);

				if (!o2 || strcmp(o, o2))
					o = NULL;
			}
		}
		p->pt[i].owner = o ? xstrdup(o) : NULL;
	}
}

/* Unknown footprints inside an owner's area act as barriers there. */
static void owner_edges(struct plan *p)
{
	struct strmap owners = STRMAP_INIT;
	struct group *groups = NULL;
	size_t nr = 0, alloc = 0, i, g;

	for (i = 0; i < p->tasks.nr; i++) {
		struct strmap_entry *e;
		int found;

		if (!plan_task_active(p, i) || !p->pt[i].owner)
			continue;
		e = strmap_put(&owners, p->pt[i].owner, NULL, &found);
		if (!found) {
			ALLOC_GROW(groups, nr + 1, alloc);
			memset(&groups[nr], 0, sizeof(*groups));
			e->value = (void *)(nr + 1);
			nr++;
		}
		group_push(&groups[(size_t)e->value - 1], i);
	}
	for (i = 0; i < owners.size; i++) {
		struct strmap_entry *e = &owners.v[i];
		struct group *gr;
		size_t k;
		int any = 0;

		if (!e->key)
			continue;
		gr = &groups[(size_t)e->value - 1];
		for (k = 0; k < gr->nr; k++)
			any |= no_paths(p, gr->v[k]);
		if (!any || gr->nr < 2)
			continue;
		sort_plan = p;
		qsort(gr->v, gr->nr, sizeof(*gr->v), by_pos);
		barrier_chain(p, gr->v, gr->nr, no_paths, NULL, DEP_OWNER, NULL,
			      DEP_OWNER, e->key, NULL);
	}
	for (g = 0; g < nr; g++)
		free(groups[g].v);
	free(groups);
	strmap_clear(&owners);
}

static void critical_path(struct plan *p, const size_t *topo)
{
	size_t n = p->tasks.nr, i, k, best = n, est_nr = 0;
	double *dist = xcalloc(n, sizeof(*dist)), est_sum = 0, mean, total = 0;
	long *pred = xmalloc(n * sizeof(*pred));
	size_t len;

	for (i = 0; i < n; i++)
		if (plan_task_active(p, i) && p->tasks.v[i].estimate > 0) {
			est_sum += p->tasks.v[i].estimate;
			est_nr++;
		}
	p->estimated = est_nr > 0;
	mean = est_nr ? est_sum / (double)est_nr : 1;
	for (i = 0; i < p->active; i++) {
		size_t t = topo[i];
		double w = p->estimated ? (p->tasks.v[t].estimate > 0 ? p->tasks.v[t].estimate : mean) : 1;

		total += w;
		pred[t] = -1;
		dist[t] = 0;
		for (k = 0; k < p->pt[t].deps_nr; k++) {
			size_t d = p->pt[t].deps[k].task;

			if (dist[d] > dist[t]) {
				dist[t] = dist[d];
				pred[t] = (long)d;
			}
		}
		dist[t] += w;
		if (best == n || dist[t] > dist[best])
			best = t;
	}
	p->critical_nr = 0;
	p->critical_len = best < n ? dist[best] : 0;
	if (best < n) {
		long t;

		for (len = 0, t = (long)best; t >= 0; t = pred[t])
			len++;
		p->critical = xmalloc(len * sizeof(*p->critical));
		p->critical_nr = len;
		for (t = (long)best; t >= 0; t = pred[t])
			p->critical[--len] = (size_t)t;
	}
	if (!p->active)
		p->speedup = 1;
	else if (p->estimated)
		p->speedup = total / p->critical_len;
	else
		p->speedup = (double)p->active / (double)p->waves;
	free(dist);
	free(pred);
}

int plan_build(struct plan *p, struct ownership *own, unsigned int flags)
{
	size_t n = p->tasks.nr, i, k, sorted = 0;
	size_t *topo = xmalloc((n + 1) * sizeof(*topo));
	int ret = -1;

	plan_clear_graph(p);
	p->pt = xcalloc(n + 1, sizeof(*p->pt));
	p->active = 0;
	for (i = 0; i < n; i++)
		p->active += plan_task_active(p, i);

	/* explicit dependencies first: an edge keeps the first reason given */
	for (i = 0; i < n; i++) {
		if (!plan_task_active(p, i))
			continue;
		for (k = 0; k < p->tasks.v[i].depends.nr; k++) {
			long d = tasks_find(&p->tasks, p->tasks.v[i].depends.v[k]);

			if (d >= 0 && plan_task_active(p, (size_t)d))
				add_dep(p, i, (size_t)d, DEP_DEPENDS, NULL);
		}
	}
	phase_edges(p, flags);
	if (compute_waves(p, topo, &sorted) < 0) {
		report_cycle(p, topo, sorted);
		goto out;
	}
	resolve_owners(p, own);
	for (i = 0; i < n; i++)
		if (plan_task_active(p, i) && !p->tasks.v[i].paths.nr)
			add_finding(p, FINDING_UNKNOWN_FOOTPRINT, NULL, &i, 1, p->pt[i].wave);
	sharing(p);
	merge_findings(p);
	owner_edges(p);
	/* shared-path and owner edges follow the topological order: no cycle */
	if (compute_waves(p, topo, &sorted) < 0) {
		error("internal error: cycle after ordering shared paths");
		goto out;
	}
	critical_path(p, topo);
	ret = 0;
out:
	free(topo);
	return ret;
}

static const struct plan *order_plan;
static int by_wave(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int wx = order_plan->pt[x].wave, wy = order_plan->pt[y].wave;

	if (wx != wy)
		return wx < wy ? -1 : 1;
	return x < y ? -1 : x > y;
}

size_t *plan_order(const struct plan *p, size_t *nr)
{
	size_t *v = xmalloc((p->tasks.nr + 1) * sizeof(*v)), i;

	*nr = 0;
	for (i = 0; i < p->tasks.nr; i++)
		if (plan_task_active(p, i))
			v[(*nr)++] = i;
	order_plan = p;
	if (*nr > 1)
		qsort(v, *nr, sizeof(*v), by_wave);
	return v;
}
