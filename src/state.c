/*
 * The state directory: the saved plan (INI), the lock.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gp/config.h"
#include "gp/state.h"

void state_escape(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c < 0x20 || c == 0x7f || c == '%' || c == ';' || c == '#' ||
		    c == '"' || c == '\\' || c == '[' || c == ']' || c == '=' ||
		    (c == ' ' && (i == 0 || i == len - 1 || p[i + 1] == ' ')))
			strbuf_addf(out, "%%%02X", c);
		else
			strbuf_addch(out, c);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int state_unescape(struct strbuf *out, const char *s)
{
	strbuf_reset(out);
	for (; *s; s++) {
		int hi, lo;

		if (*s != '%') {
			strbuf_addch(out, *s);
			continue;
		}
		hi = hexval(s[1]);
		lo = hi < 0 ? -1 : hexval(s[2]);
		if (lo < 0)
			return -1;
		strbuf_addch(out, hi * 16 + lo);
		s += 2;
	}
	return 0;
}

static void kv(struct strbuf *out, const char *key, const char *value)
{
	strbuf_addf(out, "%s = ", key);
	state_escape(out, value);
	strbuf_addch(out, '\n');
}

void plan_serialize(const struct plan *p, struct strbuf *out)
{
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, k;

	git_oid_tostr(hex, sizeof(hex), &p->base_oid);
	strbuf_addstr(out, "# the plan of 'git parallel plan'; rewritten by every plan\n");
	strbuf_addstr(out, "[plan]\n\tversion = 1\n");
	strbuf_addf(out, "\t");
	kv(out, "base-ref", p->base_ref ? p->base_ref : "");
	strbuf_addf(out, "\tbase-oid = %s\n", hex);
	strbuf_addf(out, "\t");
	kv(out, "created", p->created ? p->created : "");
	for (i = 0; i < p->sources.nr; i++) {
		strbuf_addch(out, '\t');
		kv(out, "source", p->sources.v[i]);
	}
	for (i = 0; i < p->tasks.nr; i++) {
		const struct task *t = &p->tasks.v[i];
		const struct plan_task *pt = &p->pt[i];

		strbuf_addf(out, "\n[task \"%s\"]\n", t->id);
		strbuf_addch(out, '\t');
		kv(out, "title", t->title);
		if (t->text && strcmp(t->text, t->title)) {
			strbuf_addch(out, '\t');
			kv(out, "text", t->text);
		}
		strbuf_addch(out, '\t');
		kv(out, "file", t->file);
		strbuf_addf(out, "\tline = %d\n\tsource = %d\n", t->line, t->source);
		if (t->phase >= 0) {
			strbuf_addch(out, '\t');
			kv(out, "phase", p->tasks.phases[t->phase].name);
		}
		strbuf_addf(out, "\twave = %d\n", pt->wave);
		strbuf_addf(out, "\tparallel = %s\n", t->parallel ? "true" : "false");
		if (t->done)
			strbuf_addstr(out, "\tdone = true\n");
		if (t->cancelled)
			strbuf_addstr(out, "\tcancelled = true\n");
		if (t->auto_id)
			strbuf_addstr(out, "\tauto-id = true\n");
		if (t->story) {
			strbuf_addch(out, '\t');
			kv(out, "story", t->story);
		}
		if (pt->owner) {
			strbuf_addch(out, '\t');
			kv(out, "owner", pt->owner);
		}
		if (t->owner) {
			strbuf_addch(out, '\t');
			kv(out, "declared-owner", t->owner);
		}
		if (t->command) {
			strbuf_addch(out, '\t');
			kv(out, "command", t->command);
		}
		if (t->estimate > 0)
			strbuf_addf(out, "\testimate = %.3f\n", t->estimate);
		for (k = 0; k < t->paths.nr; k++) {
			strbuf_addch(out, '\t');
			kv(out, "path", t->paths.v[k]);
		}
		for (k = 0; k < t->depends.nr; k++) {
			strbuf_addch(out, '\t');
			kv(out, "depends", t->depends.v[k]);
		}
		for (k = 0; k < pt->deps_nr; k++) {
			const struct plan_dep *d = &pt->deps[k];

			strbuf_addf(out, "\twait = %s %s", p->tasks.v[d->task].id,
				    plan_reason_name(d->reason));
			if (d->detail) {
				strbuf_addch(out, ' ');
				state_escape(out, d->detail);
			}
			strbuf_addch(out, '\n');
		}
	}
}

/* Reading a saved plan back. */
struct plan_reader {
	struct plan *p;
	struct strbuf val;
	struct strlist waits;	/* "task-index id reason detail" per wait line */
	struct strmap phases;	/* phase name -> index + 1 */
};

static long cur_task(struct plan_reader *r, const char *id, const struct ini_pos *pos)
{
	struct plan *p = r->p;
	struct task *t;

	if (p->tasks.nr && !strcmp(p->tasks.v[p->tasks.nr - 1].id, id))
		return (long)p->tasks.nr - 1;
	ALLOC_GROW(p->tasks.v, p->tasks.nr + 1, p->tasks.alloc);
	t = &p->tasks.v[p->tasks.nr++];
	memset(t, 0, sizeof(*t));
	t->id = xstrdup(id);
	t->phase = -1;
	t->line = pos->line;
	strlist_init(&t->paths);
	strlist_init(&t->depends);
	return (long)p->tasks.nr - 1;
}

static int plan_fn(void *data, const char *section, const char *sub,
		   const char *key, const char *value, const struct ini_pos *pos)
{
	struct plan_reader *r = data;
	struct plan *p = r->p;
	struct task *t;
	long i;

	if (state_unescape(&r->val, value) < 0)
		return error("%s:%d: malformed value for '%s'", pos->file, pos->line, key);
	if (!strcmp(section, "plan")) {
		if (!strcmp(key, "version")) {
			if (strcmp(value, "1"))
				return error("%s:%d: plan format version %s is not supported",
					     pos->file, pos->line, value);
		} else if (!strcmp(key, "base-ref")) {
			free(p->base_ref);
			p->base_ref = xstrdup(r->val.buf);
		} else if (!strcmp(key, "base-oid")) {
			if (git_oid_fromstr(&p->base_oid, value) < 0)
				return error("%s:%d: malformed base-oid", pos->file, pos->line);
		} else if (!strcmp(key, "created")) {
			free(p->created);
			p->created = xstrdup(r->val.buf);
		} else if (!strcmp(key, "source")) {
			strlist_push(&p->sources, r->val.buf);
		}
		return 0;
	}
	if (strcmp(section, "task") || !sub)
		return error("%s:%d: unexpected section '%s'", pos->file, pos->line, section);
	i = cur_task(r, sub, pos);
	t = &p->tasks.v[i];
	if (!strcmp(key, "title")) {
		free(t->title);
		t->title = xstrdup(r->val.buf);
	} else if (!strcmp(key, "text")) {
		free(t->text);
		t->text = xstrdup(r->val.buf);
	} else if (!strcmp(key, "file")) {
		free(t->file);
		t->file = xstrdup(r->val.buf);
	} else if (!strcmp(key, "line")) {
		t->line = atoi(value);
	} else if (!strcmp(key, "source")) {
		t->source = atoi(value);
	} else if (!strcmp(key, "phase")) {
		struct strmap_entry *e;
		int found;

		e = strmap_put(&r->phases, r->val.buf, NULL, &found);
		if (!found) {
			struct task_phase *ph;

			ALLOC_GROW(p->tasks.phases, p->tasks.phases_nr + 1, p->tasks.phases_alloc);
			ph = &p->tasks.phases[p->tasks.phases_nr++];
			memset(ph, 0, sizeof(*ph));
			ph->name = xstrdup(r->val.buf);
			ph->file = xstrdup(t->file ? t->file : "");
			ph->line = t->line;
			ph->source = t->source;
			e->value = (void *)p->tasks.phases_nr;
		}
		t->phase = (int)(size_t)e->value - 1;
	} else if (!strcmp(key, "wave")) {
		/* recomputed */
	} else if (!strcmp(key, "parallel")) {
		t->parallel = parse_bool(value) == 1;
	} else if (!strcmp(key, "done")) {
		t->done = parse_bool(value) == 1;
	} else if (!strcmp(key, "cancelled")) {
		t->cancelled = parse_bool(value) == 1;
	} else if (!strcmp(key, "auto-id")) {
		t->auto_id = parse_bool(value) == 1;
	} else if (!strcmp(key, "story")) {
		free(t->story);
		t->story = xstrdup(r->val.buf);
	} else if (!strcmp(key, "owner")) {
		/* resolved owner: rebuilt from declared-owner and the waits */
		strlist_push_nodup(&r->waits, xstrfmt("%ld owner %s", i, value));
	} else if (!strcmp(key, "declared-owner")) {
		free(t->owner);
		t->owner = xstrdup(r->val.buf);
	} else if (!strcmp(key, "command")) {
		free(t->command);
		t->command = xstrdup(r->val.buf);
	} else if (!strcmp(key, "estimate")) {
		t->estimate = atof(value);
	} else if (!strcmp(key, "path")) {
		strlist_push(&t->paths, r->val.buf);
	} else if (!strcmp(key, "depends")) {
		strlist_push(&t->depends, r->val.buf);
	} else if (!strcmp(key, "wait")) {
		strlist_push_nodup(&r->waits, xstrfmt("%ld wait %s", i, value));
	} else {
		return error("%s:%d: unknown key '%s'", pos->file, pos->line, key);
	}
	return 0;
}

static enum dep_reason reason_from(const char *s, int *ok)
{
	static const enum dep_reason all[] = { DEP_PHASE, DEP_BARRIER, DEP_DEPENDS, DEP_SHARES, DEP_OWNER };
	size_t i;

	*ok = 1;
	for (i = 0; i < ARRAY_SIZE(all); i++)
		if (!strcmp(s, plan_reason_name(all[i])))
			return all[i];
	*ok = 0;
	return DEP_DEPENDS;
}

int plan_parse(struct plan *p, const char *file, const char *buf, size_t len)
{
	struct plan_reader r = { p, STRBUF_INIT, STRLIST_INIT, STRMAP_INIT };
	struct strbuf detail = STRBUF_INIT;
	size_t i;
	int ret = -1;

	if (ini_read_buf(file, buf, len, plan_fn, &r) < 0)
		goto out;
	for (i = 0; i < p->tasks.nr; i++) {
		struct task *t = &p->tasks.v[i];

		if (!t->title)
			t->title = xstrdup(t->id);
		if (!t->text)
			t->text = xstrdup(t->title);
		if (!t->file)
			t->file = xstrdup(file);
	}
	if (tasks_validate(&p->tasks, "") < 0)
		goto out;
	p->pt = xcalloc(p->tasks.nr + 1, sizeof(*p->pt));
	for (i = 0; i < r.waits.nr; i++) {
		char *line = r.waits.v[i], *kind, *id, *reason, *rest;
		long ti = strtol(line, &kind, 10), di;
		int ok;

		kind++;
		id = strchr(kind, ' ');
		*id++ = '\0';
		if (!strcmp(kind, "owner")) {
			if (state_unescape(&detail, id) < 0)
				goto bad;
			p->pt[ti].owner = xstrdup(detail.buf);
			continue;
		}
		reason = strchr(id, ' ');
		if (!reason)
			goto bad;
		*reason++ = '\0';
		rest = strchr(reason, ' ');
		if (rest)
			*rest++ = '\0';
		di = tasks_find(&p->tasks, id);
		if (di < 0)
			goto bad;
		{
			struct plan_task *pt = &p->pt[ti];

			ALLOC_GROW(pt->deps, pt->deps_nr + 1, pt->deps_alloc);
			pt->deps[pt->deps_nr].task = (size_t)di;
			pt->deps[pt->deps_nr].reason = reason_from(reason, &ok);
			pt->deps[pt->deps_nr].detail = NULL;
			if (rest) {
				if (state_unescape(&detail, rest) < 0)
					goto bad;
				pt->deps[pt->deps_nr].detail = xstrdup(detail.buf);
			}
			pt->deps_nr++;
			if (!ok)
				goto bad;
		}
	}
	ret = 0;
	goto out;
bad:
	error("%s: malformed dependency in the saved plan", file);
out:
	strbuf_release(&r.val);
	strbuf_release(&detail);
	strlist_clear(&r.waits);
	strmap_clear(&r.phases);
	return ret;
}

int state_save_plan(const char *state_dir, const struct plan *p)
{
	struct strbuf out = STRBUF_INIT;
	char *path = xstrfmt("%s/plan", state_dir);
	int ret;

	plan_serialize(p, &out);
	ret = mkdir_p(state_dir, 0777);
	if (!ret)
		ret = write_file_atomic(path, out.buf, out.len, 0666);
	free(path);
	strbuf_release(&out);
	return ret;
}

int state_load_plan(struct plan *p, const char *state_dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/plan", state_dir);
	int ret;

	if (strbuf_read_file(&sb, path) < 0) {
		if (errno == ENOENT)
			ret = error("no plan yet: run 'git parallel plan' first");
		else
			ret = error_errno("cannot read '%s'", path);
	} else {
		ret = plan_parse(p, path, sb.buf, sb.len);
	}
	free(path);
	strbuf_release(&sb);
	return ret;
}

pid_t state_lock_holder(const char *state_dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/lock", state_dir);
	long pid = 0;

	if (!strbuf_read_file(&sb, path)) {
		const char *s = strstr(sb.buf, "pid = ");

		pid = s ? strtol(s + 6, NULL, 10) : strtol(sb.buf, NULL, 10);
		if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
			pid = 0;
	}
	free(path);
	strbuf_release(&sb);
	return (pid_t)pid;
}
