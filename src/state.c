/*
 * The state directory (DESIGN.md 3 and 3.1): where each file lives, the
 * saved plan, the task states and their lifecycle, the lock.
 */
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
	strbuf_addf(out, "\t%s = ", key);
	state_escape(out, value);
	strbuf_addch(out, '\n');
}

/*
 * The saved plan, field by field.  One table says, for every key of the
 * [plan] section and of each [task "ID"] section, what it is and where it
 * lives; plan_serialize() writes from it and plan_parse() reads from it,
 * so a field cannot be written and then forgotten on reload (as the wave
 * once was).  Specials (the phase by name, dependencies by ID, the
 * critical path) have a writer and a reader of their own.
 */
enum field_type {
	F_STR,		/* char *; written when set */
	F_TEXT,		/* char *; written when set and different from the title */
	F_INT,		/* int; always written */
	F_BOOL,		/* unsigned char; always written, true/false */
	F_FLAG,		/* unsigned char; written only when true */
	F_DOUBLE,	/* double; written when > 0 */
	F_LIST,		/* struct strlist; one line per entry */
	F_SPECIAL,	/* put() and get() */
};

enum field_home { H_PLAN, H_TASK, H_PT };

struct plan_reader {
	struct plan *p;
	struct strbuf val;
	size_t pt_alloc;
	struct strlist waits;		/* "task-index id reason detail" per wait line */
	struct strlist critical;	/* task IDs of the critical path */
	struct strmap phases;		/* phase name -> index + 1 */
	int version_seen;
};

struct plan_field {
	const char *key;
	enum field_type type;
	enum field_home home;
	size_t off;
	/* F_SPECIAL: write the lines of this field; read one (r->val unescaped) */
	void (*put)(struct strbuf *out, const struct plan *p, size_t i);
	int (*get)(struct plan_reader *r, long i, const char *raw, const struct ini_pos *pos);
};

static void put_base_oid(struct strbuf *out, const struct plan *p, size_t i)
{
	char hex[GIT_OID_HEXSZ + 1];

	strbuf_addf(out, "\tbase-oid = %s\n", git_oid_tostr(hex, sizeof(hex), &p->base_oid));
}

static int get_base_oid(struct plan_reader *r, long i, const char *raw, const struct ini_pos *pos)
{
	if (git_oid_fromstr(&r->p->base_oid, raw) < 0)
		return error("%s:%d: malformed base-oid", pos->file, pos->line);
	return 0;
}

static void put_version(struct strbuf *out, const struct plan *p, size_t i)
{
	strbuf_addstr(out, "\tversion = 1\n");
}

static int get_version(struct plan_reader *r, long i, const char *raw, const struct ini_pos *pos)
{
	if (strcmp(raw, "1"))
		return error("%s:%d: plan format version %s is not supported", pos->file, pos->line, raw);
	r->version_seen = 1;
	return 0;
}

static void put_critical(struct strbuf *out, const struct plan *p, size_t i)
{
	size_t k;

	for (k = 0; k < p->critical_nr; k++)
		kv(out, "critical", p->tasks.v[p->critical[k]].id);
}

static int get_critical(struct plan_reader *r, long i, const char *raw, const struct ini_pos *pos)
{
	strlist_push(&r->critical, r->val.buf);
	return 0;
}

static void put_phase(struct strbuf *out, const struct plan *p, size_t i)
{
	const struct task *t = &p->tasks.v[i];

	if (t->phase >= 0)
		kv(out, "phase", p->tasks.phases[t->phase].name);
}

static int get_phase(struct plan_reader *r, long i, const char *raw, const struct ini_pos *pos)
{
	struct plan *p = r->p;
	struct task *t = &p->tasks.v[i];
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
	return 0;
}

static void put_wait(struct strbuf *out, const struct plan *p, size_t i)
{
	const struct plan_task *pt = &p->pt[i];
	size_t k;

	for (k = 0; k < pt->deps_nr; k++) {
		const struct plan_dep *d = &pt->deps[k];

		strbuf_addf(out, "\twait = %s %s", p->tasks.v[d->task].id, plan_reason_name(d->reason));
		if (d->detail) {
			strbuf_addch(out, ' ');
			state_escape(out, d->detail);
		}
		strbuf_addch(out, '\n');
	}
}

static int get_wait(struct plan_reader *r, long i, const char *raw, const struct ini_pos *pos)
{
	/* resolved once every task is known: a wait may name a later task */
	strlist_push_nodup(&r->waits, xstrfmt("%ld %s", i, raw));
	return 0;
}

#define FIELD(key, type, home, s, m) { key, type, home, offsetof(struct s, m), NULL, NULL }
#define SPECIAL(key, home, fn) { key, F_SPECIAL, home, 0, put_##fn, get_##fn }

static const struct plan_field plan_fields[] = {
	SPECIAL("version", H_PLAN, version),
	FIELD("id", F_STR, H_PLAN, plan, id),
	FIELD("base-ref", F_STR, H_PLAN, plan, base_ref),
	SPECIAL("base-oid", H_PLAN, base_oid),
	FIELD("created", F_STR, H_PLAN, plan, created),
	FIELD("source", F_LIST, H_PLAN, plan, sources),
	FIELD("waves", F_INT, H_PLAN, plan, waves),
	FIELD("speedup", F_DOUBLE, H_PLAN, plan, speedup),
	FIELD("critical-length", F_DOUBLE, H_PLAN, plan, critical_len),
	FIELD("estimated", F_FLAG, H_PLAN, plan, estimated),
	SPECIAL("critical", H_PLAN, critical),
	/* [task "ID"] */
	FIELD("title", F_STR, H_TASK, task, title),
	FIELD("text", F_TEXT, H_TASK, task, text),
	FIELD("file", F_STR, H_TASK, task, file),
	FIELD("line", F_INT, H_TASK, task, line),
	FIELD("source", F_INT, H_TASK, task, source),
	SPECIAL("phase", H_TASK, phase),
	FIELD("wave", F_INT, H_PT, plan_task, wave),
	FIELD("parallel", F_BOOL, H_TASK, task, parallel),
	FIELD("done", F_FLAG, H_TASK, task, done),
	FIELD("cancelled", F_FLAG, H_TASK, task, cancelled),
	FIELD("auto-id", F_FLAG, H_TASK, task, auto_id),
	FIELD("status", F_STR, H_TASK, task, status),
	FIELD("story", F_STR, H_TASK, task, story),
	FIELD("owner", F_STR, H_PT, plan_task, owner),
	FIELD("declared-owner", F_STR, H_TASK, task, owner),
	FIELD("command", F_STR, H_TASK, task, command),
	FIELD("command-from", F_STR, H_TASK, task, command_from),
	FIELD("command-trust", F_STR, H_TASK, task, command_trust),
	FIELD("estimate", F_DOUBLE, H_TASK, task, estimate),
	FIELD("path", F_LIST, H_TASK, task, paths),
	FIELD("depends", F_LIST, H_TASK, task, depends),
	SPECIAL("wait", H_TASK, wait),
};

static void *field_ptr(const struct plan_field *f, const struct plan *p, size_t i)
{
	switch (f->home) {
	case H_PLAN:
		return (char *)p + f->off;
	case H_TASK:
		return (char *)&p->tasks.v[i] + f->off;
	case H_PT:
		return (char *)&p->pt[i] + f->off;
	}
	return NULL;
}

static void put_field(struct strbuf *out, const struct plan_field *f, const struct plan *p, size_t i)
{
	void *v = field_ptr(f, p, i);
	size_t k;

	switch (f->type) {
	case F_STR:
		if (*(char **)v)
			kv(out, f->key, *(char **)v);
		break;
	case F_TEXT:
		if (*(char **)v && strcmp(*(char **)v, p->tasks.v[i].title))
			kv(out, f->key, *(char **)v);
		break;
	case F_INT:
		strbuf_addf(out, "\t%s = %d\n", f->key, *(int *)v);
		break;
	case F_BOOL:
		strbuf_addf(out, "\t%s = %s\n", f->key, *(unsigned char *)v ? "true" : "false");
		break;
	case F_FLAG:
		if (*(unsigned char *)v)
			strbuf_addf(out, "\t%s = true\n", f->key);
		break;
	case F_DOUBLE:
		if (*(double *)v > 0)
			strbuf_addf(out, "\t%s = %.17g\n", f->key, *(double *)v);
		break;
	case F_LIST:
		for (k = 0; k < ((struct strlist *)v)->nr; k++)
			kv(out, f->key, ((struct strlist *)v)->v[k]);
		break;
	case F_SPECIAL:
		f->put(out, p, i);
		break;
	}
}

void plan_serialize(const struct plan *p, struct strbuf *out)
{
	size_t i, k;

	strbuf_addstr(out, "# the plan of 'git parallel plan'; rewritten by every plan\n");
	strbuf_addstr(out, "[plan]\n");
	for (k = 0; k < ARRAY_SIZE(plan_fields); k++)
		if (plan_fields[k].home == H_PLAN)
			put_field(out, &plan_fields[k], p, 0);
	for (i = 0; i < p->tasks.nr; i++) {
		strbuf_addf(out, "\n[task \"%s\"]\n", p->tasks.v[i].id);
		for (k = 0; k < ARRAY_SIZE(plan_fields); k++)
			if (plan_fields[k].home != H_PLAN)
				put_field(out, &plan_fields[k], p, i);
	}
}

static long cur_task(struct plan_reader *r, const char *id, const struct ini_pos *pos)
{
	struct plan *p = r->p;
	struct task *t;

	if (p->tasks.nr && !strcmp(p->tasks.v[p->tasks.nr - 1].id, id))
		return (long)p->tasks.nr - 1;
	ALLOC_GROW(p->tasks.v, p->tasks.nr + 1, p->tasks.alloc);
	ALLOC_GROW(p->pt, p->tasks.nr + 2, r->pt_alloc);
	memset(&p->pt[p->tasks.nr], 0, 2 * sizeof(*p->pt));
	t = &p->tasks.v[p->tasks.nr++];
	memset(t, 0, sizeof(*t));
	t->id = xstrdup(id);
	t->phase = -1;
	t->line = pos->line;
	strlist_init(&t->paths);
	strlist_init(&t->depends);
	return (long)p->tasks.nr - 1;
}

static int get_field(struct plan_reader *r, const struct plan_field *f, long i,
		     const char *raw, const struct ini_pos *pos)
{
	void *v = field_ptr(f, r->p, i < 0 ? 0 : (size_t)i);
	const char *val = r->val.buf;
	char *end;
	int b;

	switch (f->type) {
	case F_STR:
	case F_TEXT:
		free(*(char **)v);
		*(char **)v = xstrdup(val);
		return 0;
	case F_INT:
		errno = 0;
		*(int *)v = (int)strtol(val, &end, 10);
		if (errno || end == val || *end)
			break;
		return 0;
	case F_BOOL:
	case F_FLAG:
		if ((b = parse_bool(val)) < 0)
			break;
		*(unsigned char *)v = (unsigned char)b;
		return 0;
	case F_DOUBLE:
		*(double *)v = strtod(val, &end);
		if (end == val || *end)
			break;
		return 0;
	case F_LIST:
		strlist_push((struct strlist *)v, val);
		return 0;
	case F_SPECIAL:
		return f->get(r, i, raw, pos);
	}
	return error("%s:%d: malformed value for '%s'", pos->file, pos->line, f->key);
}

static int plan_fn(void *data, const char *section, const char *sub,
		   const char *key, const char *value, const struct ini_pos *pos)
{
	struct plan_reader *r = data;
	enum field_home want;
	long i = -1;
	size_t k;

	if (state_unescape(&r->val, value) < 0)
		return error("%s:%d: malformed value for '%s'", pos->file, pos->line, key);
	if (!strcmp(section, "plan")) {
		want = H_PLAN;
	} else if (!strcmp(section, "task") && sub) {
		want = H_TASK;
		i = cur_task(r, sub, pos);
	} else {
		return error("%s:%d: unexpected section '%s'", pos->file, pos->line, section);
	}
	for (k = 0; k < ARRAY_SIZE(plan_fields); k++) {
		const struct plan_field *f = &plan_fields[k];

		if ((want == H_PLAN) != (f->home == H_PLAN) || strcmp(f->key, key))
			continue;
		return get_field(r, f, i, value, pos);
	}
	return error("%s:%d: unknown key '%s'", pos->file, pos->line, key);
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

/* "index id reason [detail]" lines of the reader into the graph. */
static int resolve_waits(struct plan_reader *r)
{
	struct plan *p = r->p;
	struct strbuf detail = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < r->waits.nr && !ret; i++) {
		char *line = r->waits.v[i], *id, *reason, *rest;
		long ti = strtol(line, &id, 10), di;
		struct plan_task *pt = &p->pt[ti];
		int ok;

		id++;
		reason = strchr(id, ' ');
		if (!reason) {
			ret = -1;
			break;
		}
		*reason++ = '\0';
		rest = strchr(reason, ' ');
		if (rest)
			*rest++ = '\0';
		di = tasks_find(&p->tasks, id);
		if (di < 0) {
			ret = -1;
			break;
		}
		ALLOC_GROW(pt->deps, pt->deps_nr + 1, pt->deps_alloc);
		pt->deps[pt->deps_nr].task = (size_t)di;
		pt->deps[pt->deps_nr].reason = reason_from(reason, &ok);
		pt->deps[pt->deps_nr].detail = NULL;
		if (rest) {
			if (state_unescape(&detail, rest) < 0)
				ok = 0;
			else
				pt->deps[pt->deps_nr].detail = xstrdup(detail.buf);
		}
		pt->deps_nr++;
		if (!ok)
			ret = -1;
	}
	strbuf_release(&detail);
	return ret;
}

int plan_parse(struct plan *p, const char *file, const char *buf, size_t len)
{
	struct plan_reader r = { p, STRBUF_INIT, 0, STRLIST_INIT, STRLIST_INIT, STRMAP_INIT, 0 };
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
		p->active += plan_task_active(p, i);
	}
	if (tasks_validate(&p->tasks, "") < 0)
		goto out;
	if (!p->pt)
		p->pt = xcalloc(1, sizeof(*p->pt));
	if (resolve_waits(&r) < 0) {
		error("%s: malformed dependency in the saved plan", file);
		goto out;
	}
	p->critical = xcalloc(r.critical.nr + 1, sizeof(*p->critical));
	for (i = 0; i < r.critical.nr; i++) {
		long k = tasks_find(&p->tasks, r.critical.v[i]);

		if (k < 0) {
			error("%s: the critical path names unknown task '%s'", file, r.critical.v[i]);
			goto out;
		}
		p->critical[p->critical_nr++] = (size_t)k;
	}
	ret = 0;
out:
	strbuf_release(&r.val);
	strlist_clear(&r.waits);
	strlist_clear(&r.critical);
	strmap_clear(&r.phases);
	return ret;
}

/* where each file of the state directory lives */

char *state_commit_msg_path(const char *state_dir, const char *id)
{
	char *name = task_fs_name(id), *path = xstrfmt("%s/prompts/%s.commit-msg", state_dir, name);

	free(name);
	return path;
}

char *state_plan_path(const char *state_dir)
{
	return xstrfmt("%s/plan", state_dir);
}

char *state_task_path(const char *state_dir, const char *id)
{
	char *name = task_fs_name(id), *path = xstrfmt("%s/tasks/%s", state_dir, name);

	free(name);
	return path;
}

char *state_footprint_path(const char *state_dir, const char *id)
{
	char *name = task_fs_name(id), *path = xstrfmt("%s/footprints/%s", state_dir, name);

	free(name);
	return path;
}

char *state_log_path(const char *state_dir, const char *id)
{
	char *name = task_fs_name(id), *path = xstrfmt("%s/logs/%s.log", state_dir, name);

	free(name);
	return path;
}

char *state_prompt_path(const char *state_dir, const char *id)
{
	char *name = task_fs_name(id), *path = xstrfmt("%s/prompts/%s.md", state_dir, name);

	free(name);
	return path;
}

char *state_lock_path(const char *state_dir)
{
	return xstrfmt("%s/lock", state_dir);
}

char *state_journal_path(const char *state_dir)
{
	return xstrfmt("%s/merge-journal", state_dir);
}

char *state_run_path(const char *state_dir)
{
	return xstrfmt("%s/run", state_dir);
}

char *state_archive_path(const char *state_dir, const char *plan_id, const char *id)
{
	char *name = task_fs_name(id);
	char *path = xstrfmt("%s/archive/%s/%s", state_dir, plan_id && *plan_id ? plan_id : "unknown", name);

	free(name);
	return path;
}

int state_mkdir(const char *dir)
{
	struct stat st;

	if (mkdir_p(dir, 0700) < 0)
		return -1;
	/*
	 * Made by an older version, or by hand, with the umask's mode: take
	 * the group's and others' bits away, leave the owner's as they are
	 * (a directory made read-only on purpose stays so).
	 */
	if (!stat(dir, &st) && (st.st_mode & 077) && chmod(dir, st.st_mode & 07700) < 0)
		return error_errno("cannot set the mode of '%s'", dir);
	return 0;
}

int state_save_plan(const char *state_dir, const struct plan *p)
{
	struct strbuf out = STRBUF_INIT;
	char *path = state_plan_path(state_dir);
	int ret;

	plan_serialize(p, &out);
	ret = state_mkdir(state_dir);
	if (!ret)
		ret = write_file_atomic(path, out.buf, out.len, 0600);
	free(path);
	strbuf_release(&out);
	return ret;
}

int state_load_plan(struct plan *p, const char *state_dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = state_plan_path(state_dir);
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
	char *path = state_lock_path(state_dir);
	long pid = 0;

	if (!strbuf_read_file(&sb, path)) {
		const char *s = strstr(sb.buf, "pid = ");

		const char *st = strstr(sb.buf, "started = ");

		pid = s ? strtol(s + 6, NULL, 10) : strtol(sb.buf, NULL, 10);
		if (!state_pid_alive(pid, st ? strtoull(st + 10, NULL, 10) : 0))
			pid = 0;
	}
	free(path);
	strbuf_release(&sb);
	return (pid_t)pid;
}

int state_flock(const char *state_dir)
{
	int fd;

	if (state_mkdir(state_dir) < 0)
		return -1;
	fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_errno("cannot open '%s'", state_dir);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			error_errno("cannot lock '%s'", state_dir);
			close(fd);
			return -1;
		}
	}
	return fd;
}

void state_funlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the flock */
}

/* the lock */

static struct timespec taken_over_since;
static int taken_over;

int state_lock_taken_over(struct timespec *since)
{
	if (taken_over)
		*since = taken_over_since;
	return taken_over;
}

/*
 * The lock file holds the pid of its holder; a lock whose holder is gone
 * is taken over.  Checking the holder and replacing its file are two
 * steps, so every taker does them under an flock() of the state
 * directory itself, which the kernel drops if the taker dies: two takers
 * of a stale lock can no longer both win, and no extra file is left.
 */
int state_lock_acquire(const char *state_dir, const char *what)
{
	char *path = state_lock_path(state_dir);
	struct strbuf sb = STRBUF_INIT;
	int guard = -1, fd, ret = -1;
	pid_t holder;

	if (state_mkdir(state_dir) < 0)
		goto out;
	guard = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (guard < 0) {
		error_errno("cannot open '%s'", state_dir);
		goto out;
	}
	while (flock(guard, LOCK_EX) < 0) {
		if (errno != EINTR) {
			error_errno("cannot lock '%s'", state_dir);
			goto out;
		}
	}
	holder = state_lock_holder(state_dir);
	if (holder) {
		struct strbuf held = STRBUF_INIT;
		const char *cmd = "git parallel";

		if (!strbuf_read_file(&held, path)) {
			char *c = strstr(held.buf, "command = ");

			if (c) {
				c += 10;
				c[strcspn(c, "\n")] = '\0';
				cmd = c;
			}
		}
		error("another git parallel %s is in progress (pid %ld); wait for it or stop it",
		      cmd, (long)holder);
		strbuf_release(&held);
		goto out;
	}
	/* free, or left by a process that is gone: take it */
	{
		char *tasks = xstrfmt("%s/tasks", state_dir);
		char *prompts = xstrfmt("%s/prompts", state_dir);
		char *footprints = xstrfmt("%s/footprints", state_dir);

		static const char *const info_ours[] = { "exclude", NULL };	/* parallel.share */
		char *info = xstrfmt("%s/../info", state_dir);

		/* under the flock: no writer that takes it is half-way */
		prune_dead_tmp(state_dir, NULL);
		prune_dead_tmp(tasks, NULL);
		prune_dead_tmp(prompts, NULL);
		prune_dead_tmp(footprints, NULL);
		prune_dead_tmp(info, info_ours);
		free(footprints);
		free(info);
		free(prompts);
		free(tasks);
	}
	{
		struct stat old;

		if (!lstat(path, &old)) {
			taken_over_since = old.st_mtim;
			taken_over = 1;
		}
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		error_errno("cannot remove the stale lock '%s'", path);
		goto out;
	}
	strbuf_addf(&sb, "pid = %ld\ncommand = %s\nstarted = %llu\n", (long)getpid(), what,
		    state_pid_start(getpid()));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		error_errno("cannot create '%s'", path);
		goto out;
	}
	{
		ssize_t n = write(fd, sb.buf, sb.len);
		int c = close(fd);

		if (n != (ssize_t)sb.len || c < 0) {
			error_errno("cannot write '%s'", path);
			unlink(path);
			goto out;
		}
	}
	ret = 0;
out:
	if (guard >= 0)
		close(guard);	/* drops the flock */
	free(path);
	strbuf_release(&sb);
	return ret;
}

void state_lock_release(const char *state_dir)
{
	char *path = state_lock_path(state_dir);
	struct strbuf sb = STRBUF_INIT;

	/* only our own lock */
	if (!strbuf_read_file(&sb, path)) {
		const char *s = strstr(sb.buf, "pid = ");

		if (s && strtol(s + 6, NULL, 10) == (long)getpid())
			unlink(path);
	}
	strbuf_release(&sb);
	free(path);
}

/* task states */

static const char *const state_names[] = {
	"pending", "blocked", "running", "done", "failed", "timed-out",
	"merged", "conflict", "skipped", "interrupted", "held",
};

/*
 * The lifecycle: allowed[from] is the set of states a task in "from" may
 * go to.  run takes pending tasks through running to done, failed,
 * timed-out or interrupted (and back to pending, or to running, when it
 * tries again); a task waiting on a failed dependency is blocked; merge
 * takes done tasks to merged, conflict or held, and may take those back
 * to done (a merge whose --verify failed); merged is final.
 */
#define B(s) (1u << (s))
static const unsigned int allowed[TS_NR] = {
	[TS_PENDING] = B(TS_RUNNING) | B(TS_BLOCKED) | B(TS_FAILED) | B(TS_SKIPPED),
	[TS_BLOCKED] = B(TS_PENDING),
	[TS_RUNNING] = B(TS_DONE) | B(TS_FAILED) | B(TS_TIMED_OUT) | B(TS_INTERRUPTED),
	[TS_DONE] = B(TS_MERGED) | B(TS_CONFLICT) | B(TS_HELD),
	[TS_FAILED] = B(TS_PENDING) | B(TS_RUNNING) | B(TS_BLOCKED),
	[TS_TIMED_OUT] = B(TS_PENDING) | B(TS_RUNNING) | B(TS_BLOCKED) | B(TS_FAILED),
	[TS_MERGED] = 0,
	[TS_CONFLICT] = B(TS_MERGED) | B(TS_HELD) | B(TS_DONE),
	[TS_SKIPPED] = B(TS_PENDING),
	[TS_INTERRUPTED] = B(TS_PENDING) | B(TS_RUNNING) | B(TS_BLOCKED) | B(TS_FAILED),
	[TS_HELD] = B(TS_MERGED) | B(TS_CONFLICT) | B(TS_DONE),
};
#undef B

int task_transition_allowed(enum task_state from, enum task_state to)
{
	if ((unsigned)from >= TS_NR || (unsigned)to >= TS_NR)
		return 0;
	return from == to || (allowed[from] & (1u << to)) != 0;
}

int task_transition(struct task_status *st, enum task_state to)
{
	if (!task_transition_allowed(st->state, to))
		return error("task '%s': a %s task cannot become %s", st->id,
			     task_state_name(st->state), task_state_name(to));
	st->state = to;
	return 0;
}

void state_task_key(const struct task *t, char out[17])
{
	/* FNV-1a, 64 bits, over "id\0file\0title" */
	const char *parts[3];
	unsigned long long h = 14695981039346656037ULL;
	size_t k;

	parts[0] = t->id;
	parts[1] = t->file ? t->file : "";
	parts[2] = t->title ? t->title : "";
	for (k = 0; k < 3; k++) {
		const unsigned char *c = (const unsigned char *)parts[k];

		do {
			h ^= *c;
			h *= 1099511628211ULL;
		} while (*c++);
	}
	snprintf(out, 17, "%016llx", h);
}

const char *task_state_name(enum task_state s)
{
	return (size_t)s < ARRAY_SIZE(state_names) ? state_names[s] : "unknown";
}

int task_state_parse(const char *s, enum task_state *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(state_names); i++)
		if (!strcmp(s, state_names[i])) {
			*out = (enum task_state)i;
			return 0;
		}
	return -1;
}

void task_status_init(struct task_status *st, const char *id)
{
	memset(st, 0, sizeof(*st));
	st->id = xstrdup(id);
	st->state = TS_PENDING;
	st->exit_code = -1;
}

void task_status_release(struct task_status *st)
{
	free(st->id);
	free(st->head);
	free(st->start);
	free(st->branch);
	free(st->worktree);
	free(st->log);
	free(st->reason);
	free(st->merge_commit);
	free(st->merge_reason);
	free(st->key);
	free(st->waiting);
	free(st->work);
	free(st->remote);
	memset(st, 0, sizeof(*st));
}

void task_status_set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

struct status_reader {
	struct task_status *st;
	struct strbuf val;
};

static int status_fn(void *data, const char *section, const char *sub,
		     const char *key, const char *value, const struct ini_pos *pos)
{
	struct status_reader *r = data;
	struct task_status *st = r->st;

	if (strcmp(section, "task") || !sub)
		return error("%s:%d: unexpected section '%s'", pos->file, pos->line, section);
	if (state_unescape(&r->val, value) < 0)
		return error("%s:%d: malformed value for '%s'", pos->file, pos->line, key);
	value = r->val.buf;
	if (!strcmp(key, "state")) {
		if (task_state_parse(value, &st->state) < 0)
			return error("%s:%d: unknown state '%s'", pos->file, pos->line, value);
	} else if (!strcmp(key, "attempts")) {
		st->attempts = (unsigned int)strtoul(value, NULL, 10);
	} else if (!strcmp(key, "pid")) {
		st->pid = strtol(value, NULL, 10);
	} else if (!strcmp(key, "pid-start")) {
		st->pid_start = strtoull(value, NULL, 10);
	} else if (!strcmp(key, "run-pid")) {
		st->run_pid = strtol(value, NULL, 10);
	} else if (!strcmp(key, "run-pid-start")) {
		st->run_pid_start = strtoull(value, NULL, 10);
	} else if (!strcmp(key, "key")) {
		task_status_set(&st->key, value);
	} else if (!strcmp(key, "work")) {
		task_status_set(&st->work, value);
	} else if (!strcmp(key, "remote")) {
		task_status_set(&st->remote, value);
	} else if (!strcmp(key, "merge-reason")) {
		task_status_set(&st->merge_reason, value);
	} else if (!strcmp(key, "started")) {
		st->started = strtod(value, NULL);
	} else if (!strcmp(key, "finished")) {
		st->finished = strtod(value, NULL);
	} else if (!strcmp(key, "task-time")) {
		st->task_time = strtod(value, NULL);
	} else if (!strcmp(key, "wait-time")) {
		st->wait_time = strtod(value, NULL);
	} else if (!strcmp(key, "waiting")) {
		task_status_set(&st->waiting, value);
	} else if (!strcmp(key, "exit")) {
		st->exit_code = (int)strtol(value, NULL, 10);
	} else if (!strcmp(key, "head")) {
		task_status_set(&st->head, value);
	} else if (!strcmp(key, "start")) {
		task_status_set(&st->start, value);
	} else if (!strcmp(key, "branch")) {
		task_status_set(&st->branch, value);
	} else if (!strcmp(key, "worktree")) {
		task_status_set(&st->worktree, value);
	} else if (!strcmp(key, "log")) {
		task_status_set(&st->log, value);
	} else if (!strcmp(key, "reason")) {
		task_status_set(&st->reason, value);
	} else if (!strcmp(key, "merge-commit")) {
		task_status_set(&st->merge_commit, value);
	} else if (!strcmp(key, "cleaned")) {
		st->cleaned = parse_bool(value) == 1;
	}
	/* unknown keys: written by a newer version; ignore */
	return 0;
}

int state_task_parse(struct task_status *st, const char *file, const char *buf, size_t len)
{
	struct status_reader r = { st, STRBUF_INIT };
	int ret = ini_read_buf(file, buf, len, status_fn, &r);

	strbuf_release(&r.val);
	return ret;
}

int state_task_load(struct task_status *st, const char *state_dir, const char *id,
		    const struct task *t)
{
	struct status_reader r = { st, STRBUF_INIT };
	struct strbuf sb = STRBUF_INIT;
	char *path = state_task_path(state_dir, id);
	char key[17];
	int ret;

	task_status_init(st, id);
	if (strbuf_read_file(&sb, path) < 0) {
		ret = errno == ENOENT ? 1 : error_errno("cannot read '%s'", path);
	} else {
		ret = ini_read_buf(path, sb.buf, sb.len, status_fn, &r);
	}
	/* a state without a key was written before keys: it is this task's */
	if (!ret && t && st->key && (state_task_key(t, key), strcmp(key, st->key))) {
		task_status_release(st);
		task_status_init(st, id);
		st->stale = 1;
		ret = 2;
	}
	strbuf_release(&r.val);
	strbuf_release(&sb);
	free(path);
	return ret;
}

static void kv_str(struct strbuf *out, const char *key, const char *value)
{
	if (!value)
		return;
	strbuf_addf(out, "\t%s = ", key);
	state_escape(out, value);
	strbuf_addch(out, '\n');
}

void state_task_format(struct strbuf *out, const struct task_status *st)
{
	strbuf_addf(out, "[task \"%s\"]\n", st->id);
	strbuf_addf(out, "\tstate = %s\n\tattempts = %u\n", task_state_name(st->state), st->attempts);
	if (st->pid)
		strbuf_addf(out, "\tpid = %ld\n\tpid-start = %llu\n", st->pid, st->pid_start);
	if (st->run_pid)
		strbuf_addf(out, "\trun-pid = %ld\n\trun-pid-start = %llu\n", st->run_pid,
			    st->run_pid_start);
	if (st->started)
		strbuf_addf(out, "\tstarted = %.3f\n", st->started);
	if (st->finished)
		strbuf_addf(out, "\tfinished = %.3f\n", st->finished);
	strbuf_addf(out, "\ttask-time = %.3f\n", st->task_time);
	if (st->wait_time > 0)
		strbuf_addf(out, "\twait-time = %.3f\n", st->wait_time);
	kv_str(out, "waiting", st->waiting);
	if (st->exit_code >= 0)
		strbuf_addf(out, "\texit = %d\n", st->exit_code);
	kv_str(out, "head", st->head);
	kv_str(out, "start", st->start);
	kv_str(out, "branch", st->branch);
	kv_str(out, "worktree", st->worktree);
	kv_str(out, "log", st->log);
	kv_str(out, "reason", st->reason);
	kv_str(out, "merge-commit", st->merge_commit);
	kv_str(out, "merge-reason", st->merge_reason);
	kv_str(out, "key", st->key);
	kv_str(out, "remote", st->remote);
	kv_str(out, "work", st->work);
	if (st->cleaned)
		strbuf_addstr(out, "\tcleaned = true\n");
}

int state_task_save(const char *state_dir, const struct task_status *st)
{
	struct strbuf out = STRBUF_INIT;
	char *dir = xstrfmt("%s/tasks", state_dir);
	char *path = state_task_path(state_dir, st->id);
	int ret;

	state_task_format(&out, st);
	ret = state_mkdir(dir);
	if (!ret)
		ret = write_file_atomic(path, out.buf, out.len, 0600);
	strbuf_release(&out);
	free(dir);
	free(path);
	return ret;
}

int state_task_cache_work(const char *state_dir, const struct task *t, const char *work)
{
	struct task_status st;
	struct strbuf raw = STRBUF_INIT, again = STRBUF_INIT;
	char *lock = state_lock_path(state_dir), *path = state_task_path(state_dir, t->id);
	struct stat sb;
	int guard, loaded = 0, ret = 0;

	guard = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (guard < 0 || flock(guard, LOCK_EX | LOCK_NB) < 0)
		goto out;
	if (lstat(lock, &sb) == 0 || errno != ENOENT)
		goto out;	/* held, or left by a command that died: not ours to touch */
	if (strbuf_read_file(&raw, path) < 0)
		goto out;
	loaded = 1;
	if (state_task_load(&st, state_dir, t->id, t) != 0)
		goto out;
	state_task_format(&again, &st);
	if (again.len != raw.len || memcmp(again.buf, raw.buf, raw.len))
		goto out;	/* something we would not write back as it is */
	if (st.work && !strcmp(st.work, work))
		goto out;
	task_status_set(&st.work, work);
	strbuf_reset(&again);
	state_task_format(&again, &st);
	/* nothing reported: a repository status cannot write to is no error of status */
	ret = !write_file_quietly(path, again.buf, again.len, 0600);
out:
	if (loaded)
		task_status_release(&st);
	if (guard >= 0)
		close(guard);	/* drops the flock */
	strbuf_release(&raw);
	strbuf_release(&again);
	free(lock);
	free(path);
	return ret;
}

int state_archive_task(const char *state_dir, const char *plan_id, const char *id)
{
	char *from = state_task_path(state_dir, id);
	char *to = state_archive_path(state_dir, plan_id, id);
	char *dir = xstrndup(to, (size_t)(strrchr(to, '/') - to));
	int ret = 0;

	if (access(from, F_OK) < 0 && errno == ENOENT)
		goto out;
	if (state_mkdir(dir) < 0)
		ret = -1;
	else if (rename(from, to) < 0 && errno != ENOENT)
		ret = error_errno("cannot move '%s' to '%s'", from, to);
out:
	free(from);
	free(to);
	free(dir);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_task_ids(const char *state_dir, struct strlist *out)
{
	char *dir = xstrfmt("%s/tasks", state_dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		if (errno != ENOENT)
			ret = error_errno("cannot read '%s'", dir);
		free(dir);
		return ret;
	}
	while ((e = readdir(d)))
		/* skip ".", "..", and write_file_atomic()'s temporary files */
		if (e->d_name[0] != '.' && !strstr(e->d_name, ".tmp.")) {
			/* "001-events+T001" is task "001-events/T001" */
			strlist_push(out, e->d_name);
			task_fs_name_decode(out->v[out->nr - 1]);
		}
	closedir(d);
	free(dir);
	if (out->nr > 1)
		qsort(out->v, out->nr, sizeof(*out->v), cmp_str);
	return ret;
}

/* Read /proc/<pid>/stat: the state letter and the start time (field 22). */
static int proc_stat(long pid, char *state, unsigned long long *start)
{
	char path[64];
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	int field = 2, ret = -1;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (strbuf_read_file(&sb, path) < 0)
		goto out;
	/* fields are counted after the ")" that ends the command name */
	p = strrchr(sb.buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		goto out;
	*state = p[2];
	for (p++; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	*start = field == 22 ? strtoull(p, NULL, 10) : 0;
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

unsigned long long state_pid_start(long pid)
{
	unsigned long long start = 0;
	char st;

	if (proc_stat(pid, &st, &start) < 0)
		return 0;
	return start;
}

int state_pid_alive(long pid, unsigned long long start)
{
	unsigned long long now_start = 0;
	char st = 0;

	if (pid <= 0)
		return 0;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return 0;
	if (proc_stat(pid, &st, &now_start) < 0)
		return 1;	/* no /proc: trust kill() */
	/* a zombie has finished; a reused pid is another process */
	if (st == 'Z' || st == 'X')
		return 0;
	if (start && now_start != start)
		return 0;
	return 1;
}

int state_group_alive(long pid, unsigned long long start)
{
	if (pid <= 0)
		return 0;
	if (state_pid_alive(pid, start))
		return 1;
	/*
	 * The leader is gone (or a zombie).  While any member of its group
	 * lives, the kernel does not hand its pid out again, so a group by
	 * that id is still ours -- unless another process has that pid now.
	 */
	if (kill((pid_t)pid, 0) == 0) {
		unsigned long long now_start = 0;
		char st = 0;

		if (proc_stat(pid, &st, &now_start) == 0 && st != 'Z' && st != 'X')
			return 0;	/* a live process by that pid that is not ours */
	}
	return kill(-(pid_t)pid, 0) == 0;
}

char *state_iso_time(double t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

double state_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int state_task_map_branch(struct task_status *st, git_repository *repo)
{
	size_t old = strlen(STATE_OLD_REMOTE_HEADS), ns = strlen("refs/gp-remote/");
	git_reference_iterator *it = NULL;
	const char *name, *rest;
	char *found = NULL;
	git_oid head, oid;
	int n = 0;

	if (!st->branch || strncmp(st->branch, STATE_OLD_REMOTE_HEADS, old) || !st->head ||
	    git_oid_fromstr(&head, st->head) < 0)
		return 0;
	if (!git_reference_name_to_id(&oid, repo, st->branch))
		return 0;	/* still there: kept while a state names it */
	rest = st->branch + old;
	if (git_reference_iterator_glob_new(&it, repo, "refs/gp-remote/*") < 0) {
		git_error_clear();
		return 0;
	}
	while (!git_reference_next_name(&name, it)) {
		/* refs/gp-remote/<ns>/heads/<rest>, <ns> one component */
		const char *slash = strchr(name + ns, '/');

		if (!slash || strncmp(slash, "/heads/", 7) || strcmp(slash + 7, rest) ||
		    git_reference_name_to_id(&oid, repo, name) < 0 || !git_oid_equal(&oid, &head))
			continue;
		if (!n++)
			found = xstrdup(name);
	}
	git_reference_iterator_free(it);
	git_error_clear();
	if (n == 1)
		task_status_set(&st->branch, found);
	free(found);
	return n == 1;
}
