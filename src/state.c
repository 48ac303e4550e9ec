/*
 * The state directory: the saved plan (INI), the lock.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
			task_status_set(&p->pt[ti].owner, detail.buf);
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

		const char *st = strstr(sb.buf, "started = ");

		pid = s ? strtol(s + 6, NULL, 10) : strtol(sb.buf, NULL, 10);
		if (!state_pid_alive(pid, st ? strtoull(st + 10, NULL, 10) : 0))
			pid = 0;
	}
	free(path);
	strbuf_release(&sb);
	return (pid_t)pid;
}

/* the lock */

/*
 * The lock file holds the pid of its holder; a lock whose holder is gone
 * is taken over.  Checking the holder and replacing its file are two
 * steps, so every taker does them under an flock() of the state
 * directory itself, which the kernel drops if the taker dies: two takers
 * of a stale lock can no longer both win, and no extra file is left.
 */
int state_lock_acquire(const char *state_dir, const char *what)
{
	char *path = xstrfmt("%s/lock", state_dir);
	struct strbuf sb = STRBUF_INIT;
	int guard = -1, fd, ret = -1;
	pid_t holder;

	if (mkdir_p(state_dir, 0777) < 0)
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
	if (unlink(path) < 0 && errno != ENOENT) {
		error_errno("cannot remove the stale lock '%s'", path);
		goto out;
	}
	strbuf_addf(&sb, "pid = %ld\ncommand = %s\nstarted = %llu\n", (long)getpid(), what,
		    state_pid_start(getpid()));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
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
	char *path = xstrfmt("%s/lock", state_dir);
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
	} else if (!strcmp(key, "started")) {
		st->started = strtod(value, NULL);
	} else if (!strcmp(key, "finished")) {
		st->finished = strtod(value, NULL);
	} else if (!strcmp(key, "task-time")) {
		st->task_time = strtod(value, NULL);
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

int state_task_load(struct task_status *st, const char *state_dir, const char *id)
{
	struct status_reader r = { st, STRBUF_INIT };
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/tasks/%s", state_dir, id);
	int ret;

	task_status_init(st, id);
	if (strbuf_read_file(&sb, path) < 0) {
		ret = errno == ENOENT ? 1 : error_errno("cannot read '%s'", path);
	} else {
		ret = ini_read_buf(path, sb.buf, sb.len, status_fn, &r);
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

int state_task_save(const char *state_dir, const struct task_status *st)
{
	struct strbuf out = STRBUF_INIT;
	char *dir = xstrfmt("%s/tasks", state_dir);
	char *path = xstrfmt("%s/%s", dir, st->id);
	int ret;

	strbuf_addf(&out, "[task \"%s\"]\n", st->id);
	strbuf_addf(&out, "\tstate = %s\n\tattempts = %u\n", task_state_name(st->state), st->attempts);
	if (st->pid)
		strbuf_addf(&out, "\tpid = %ld\n\tpid-start = %llu\n", st->pid, st->pid_start);
	if (st->run_pid)
		strbuf_addf(&out, "\trun-pid = %ld\n", st->run_pid);
	if (st->started)
		strbuf_addf(&out, "\tstarted = %.3f\n", st->started);
	if (st->finished)
		strbuf_addf(&out, "\tfinished = %.3f\n", st->finished);
	strbuf_addf(&out, "\ttask-time = %.3f\n", st->task_time);
	if (st->exit_code >= 0)
		strbuf_addf(&out, "\texit = %d\n", st->exit_code);
	kv_str(&out, "head", st->head);
	kv_str(&out, "start", st->start);
	kv_str(&out, "branch", st->branch);
	kv_str(&out, "worktree", st->worktree);
	kv_str(&out, "log", st->log);
	kv_str(&out, "reason", st->reason);
	kv_str(&out, "merge-commit", st->merge_commit);
	if (st->cleaned)
		strbuf_addstr(&out, "\tcleaned = true\n");
	ret = mkdir_p(dir, 0777);
	if (!ret)
		ret = write_file_atomic(path, out.buf, out.len, 0644);
	strbuf_release(&out);
	free(dir);
	free(path);
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
