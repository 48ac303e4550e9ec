/*
 * The INI reader (on inih) and the configuration file (.gitparallel).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>
#include <ini.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "gp/config.h"
#include "gp/trust.h"

/* Longest line we accept; inih is set to read lines this long whole. */
#define INI_LINE_MAX (1 << 16)

void ini_setup(void)
{
#ifdef GP_INIH_RUNTIME
	ini_use_stack = 0;
	ini_allow_realloc = 1;
	ini_max_line = INI_LINE_MAX;
	ini_allow_multiline = 0;
	ini_allow_no_value = 0;
	ini_stop_on_first_error = 0;
#endif
}

struct ini_stream {
	const char *file;
	const char *buf, *end, *cur;
	int line;		/* lines handed to inih so far */
	int at_line_start;
	int bad_section;	/* keys of the current section are ignored */
	int reported_line;	/* the last line we reported an error for */
	ini_fn fn;
	void *data;
	int failed;
};

static int split_section(const char *raw, struct strbuf *section, struct strbuf *sub, int *has_sub);

/*
 * Check a section header line ourselves: inih cuts long section names
 * silently and reports a missing ']' only at the end.
 */
static void check_section_line(struct ini_stream *s, const char *p, size_t n)
{
	struct strbuf raw = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
	const char *close = memchr(p, ']', n);
	int has_sub;

	s->bad_section = 0;
	if (!close) {
		strbuf_add(&raw, p, n);
		strbuf_trim(&raw);
		error("%s:%d: unterminated section header: '%s'", s->file, s->line, raw.buf);
		goto bad;
	}
	strbuf_add(&raw, p + 1, (size_t)(close - p - 1));
	if (raw.len >= 49) {
		error("%s:%d: section name too long (%zu characters; task IDs are limited to %d)",
		      s->file, s->line, raw.len, TASK_ID_MAX);
		goto bad;
	}
	if (split_section(raw.buf, &a, &b, &has_sub) < 0) {
		error("%s:%d: malformed section header: '[%s]'", s->file, s->line, raw.buf);
		goto bad;
	}
	goto out;
bad:
	s->bad_section = 1;
	s->failed = 1;
	s->reported_line = s->line;
out:
	strbuf_release(&raw);
	strbuf_release(&a);
	strbuf_release(&b);
}

/*
 * fgets() over a buffer, counting lines.  Leading blanks are dropped, so
 * git-config style indentation never looks like an inih continuation line.
 */
static char *ini_stream_read(char *str, int num, void *stream)
{
	struct ini_stream *s = stream;
	const char *nl;
	size_t n, max;

	if (s->at_line_start)
		while (s->cur < s->end && (*s->cur == ' ' || *s->cur == '\t'))
			s->cur++;
	if (s->cur >= s->end || num < 2)
		return NULL;
	max = (size_t)num - 1;
	nl = memchr(s->cur, '\n', (size_t)(s->end - s->cur));
	n = nl ? (size_t)(nl - s->cur) + 1 : (size_t)(s->end - s->cur);
	if (s->at_line_start && *s->cur == '[') {
		s->line++;
		check_section_line(s, s->cur, nl ? (size_t)(nl - s->cur) : n);
		s->line--;
	}
	if (n > max)
		n = max;
	memcpy(str, s->cur, n);
	str[n] = '\0';
	s->cur += n;
	s->at_line_start = str[n - 1] == '\n';
	if (s->at_line_start || s->cur == s->end)
		s->line++;
	return str;
}

/* Split "task \"T014\"" into "task" and "T014"; -1 if malformed. */
static int split_section(const char *raw, struct strbuf *section, struct strbuf *sub, int *has_sub)
{
	const char *p = raw;

	strbuf_reset(section);
	strbuf_reset(sub);
	*has_sub = 0;
	while (*p && !isspace((unsigned char)*p) && *p != '"')
		strbuf_addch(section, tolower((unsigned char)*p++));
	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return section->len ? 0 : -1;
	if (*p != '"')
		return -1;
	p++;
	*has_sub = 1;
	while (*p && *p != '"') {
		if (*p == '\\' && p[1])
			p++;
		strbuf_addch(sub, *p++);
	}
	if (*p != '"' || p[1])
		return -1;
	return section->len ? 0 : -1;
}

static int on_ini_key(void *user, const char *raw_section, const char *name, const char *value)
{
	struct ini_stream *s = user;
	struct strbuf section = STRBUF_INIT, sub = STRBUF_INIT, key = STRBUF_INIT;
	struct ini_pos pos = { s->file, s->line };
	int has_sub;
	const char *p;

	if (s->bad_section)
		goto out;	/* reported at its header */
	if (split_section(raw_section, &section, &sub, &has_sub) < 0) {
		error("%s:%d: malformed section name '[%s]'", s->file, s->line, raw_section);
		s->failed = 1;
		goto out;
	}
	for (p = name; *p; p++)
		strbuf_addch(&key, tolower((unsigned char)*p));
	if (s->fn(s->data, section.buf, has_sub ? sub.buf : NULL, key.buf, value, &pos) < 0)
		s->failed = 1;
out:
	strbuf_release(&section);
	strbuf_release(&sub);
	strbuf_release(&key);
	return 1;
}

/* The text of line n (1-based) of buf, for error messages. */
static void line_text(struct strbuf *out, const char *buf, size_t len, int n)
{
	const char *p = buf, *end = buf + len, *nl;

	while (--n > 0 && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	strbuf_add(out, p, (nl ? (size_t)(nl - p) : (size_t)(end - p)));
	while (out->len && (out->buf[out->len - 1] == '\r'))
		strbuf_setlen(out, out->len - 1);
	if (out->len > 80) {
		strbuf_setlen(out, 77);
		strbuf_addstr(out, "...");
	}
}

int ini_read_buf(const char *file, const char *buf, size_t len, ini_fn fn, void *data)
{
	struct ini_stream s = { file, buf, buf + len, buf, 0, 1, 0, 0, fn, data, 0 };
	const char *p = buf, *end = buf + len;
	int line = 1, ret;
	size_t bad;

	if (memchr(buf, '\0', len))
		return error("'%s' is a binary file, not an INI file", file);
	if (!utf8_valid(buf, len, &bad)) {
		for (p = buf; p < buf + bad; p++)
			line += *p == '\n';
		return error("%s:%d: invalid UTF-8", file, line);
	}
	/* inih cuts long lines and then miscounts: check lengths ourselves */
	for (p = buf, line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

#ifdef GP_INIH_RUNTIME
		if (n + 3 > INI_LINE_MAX)
#else
		if (n + 3 > 200)
#endif
			return error("%s:%d: line too long (%zu bytes)", file, line, n);
		p += n + 1;
	}
	ret = ini_parse_stream(ini_stream_read, &s, on_ini_key, &s);
	if (ret > 0 && ret == s.reported_line)
		return -1;
	if (ret > 0) {
		struct strbuf text = STRBUF_INIT;

		line_text(&text, buf, len, ret);
		error("%s:%d: malformed line: '%s'", file, ret, text.buf);
		strbuf_release(&text);
		return -1;
	}
	if (ret < 0)
		return error("%s: cannot parse (out of memory)", file);
	return s.failed ? -1 : 0;
}

int ini_read_file(const char *path, ini_fn fn, void *data)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (read_input_file(&sb, path, "file") < 0) {
		strbuf_release(&sb);
		return -1;
	}
	ret = ini_read_buf(path, sb.buf, sb.len, fn, data);
	strbuf_release(&sb);
	return ret;
}

/* configuration */

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	strlist_init(&c->tasks);
	c->commit_auto = 1;
	c->branch_prefix = xstrdup("parallel/");
	c->wait_timeout = CONFIG_WAIT_TIMEOUT;
	c->git_timeout = GP_GIT_TIMEOUT;
	c->backoff_base = CONFIG_BACKOFF_BASE;
	c->backoff_max = CONFIG_BACKOFF_MAX;
	c->max_backoffs = CONFIG_MAX_BACKOFFS;
	ownership_init(&c->ownership);
	tasklist_init(&c->tasks_ini);
	strlist_init(&c->copy);
	strlist_init(&c->share);
	strlist_init(&c->sparse_always);
}

void config_release(struct config *c)
{
	size_t i;

	free(c->file);
	free(c->file_trust);
	for (i = 0; i < c->cmds_nr; i++) {
		free(c->cmds[i].key);
		free(c->cmds[i].value);
		free(c->cmds[i].from);
	}
	free(c->cmds);
	free(c->base);
	strlist_clear(&c->tasks);
	free(c->command);
	free(c->worktrees);
	free(c->worktrees_from);
	free(c->branch_prefix);
	free(c->ownership_file);
	free(c->precheck);
	free(c->precheck_file);
	free(c->retry_on);
	ownership_release(&c->ownership);
	tasklist_release(&c->tasks_ini);
	free(c->setup);
	free(c->setup_file);
	strlist_clear(&c->copy);
	strlist_clear(&c->share);
	strlist_clear(&c->sparse_always);
	memset(c, 0, sizeof(*c));
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int bad_value(const struct ini_pos *pos, const char *key, const char *value, const char *want)
{
	if (!pos->line)	/* git config */
		return error("%s: bad value '%s' for 'parallel.%s': %s", pos->file, value, key, want);
	return error("%s:%d: bad value '%s' for 'parallel.%s': %s", pos->file, pos->line, value, key, want);
}

static void set_command_origin(struct config *c, const char *key, const char *value,
			       const struct ini_pos *pos)
{
	struct config_cmd *o = (struct config_cmd *)config_command(c, key);

	if (!o) {
		ALLOC_GROW(c->cmds, c->cmds_nr + 1, c->cmds_alloc);
		o = &c->cmds[c->cmds_nr++];
		memset(o, 0, sizeof(*o));
		o->key = xstrdup(key);
	}
	free(o->value);
	free(o->from);
	o->value = xstrdup(value);
	o->user = !pos->line;
	o->from = o->user ? xstrdup(pos->file) : xstrfmt("%s:%d", pos->file, pos->line);
}

const struct config_cmd *config_command(const struct config *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->cmds_nr; i++)
		if (!strcmp(c->cmds[i].key, key))
			return &c->cmds[i];
	return NULL;
}

static int parallel_key(struct config *c, const char *key, const char *value, const struct ini_pos *pos)
{
	unsigned int u;
	double d;

	if (!strcmp(key, "base")) {
		set_str(&c->base, value);
	} else if (!strcmp(key, "tasks")) {
		strlist_split(&c->tasks, value);
	} else if (!strcmp(key, "jobs")) {
		if (parse_uint(value, &u) < 0)
			return bad_value(pos, key, value, "expected a number of jobs");
		c->jobs = u;
	} else if (!strcmp(key, "command")) {
		set_str(&c->command, value);
	} else if (!strcmp(key, "timeout")) {
		if (parse_duration(value, &d) < 0)
			return bad_value(pos, key, value, "expected a duration such as 90s, 30m or 2h");
		c->timeout = d;
	} else if (!strcmp(key, "retries")) {
		if (parse_uint(value, &u) < 0)
			return bad_value(pos, key, value, "expected a number");
		c->retries = u;
	} else if (!strcmp(key, "commit")) {
		if (!strcmp(value, "auto"))
			c->commit_auto = 1;
		else if (!strcmp(value, "never"))
			c->commit_auto = 0;
		else
			return bad_value(pos, key, value, "expected 'auto' or 'never'");
	} else if (!strcmp(key, "worktrees")) {
		set_str(&c->worktrees, value);
		free(c->worktrees_from);
		c->worktrees_from = pos->line ? xstrfmt("%s:%d", pos->file, pos->line) : NULL;
	} else if (!strcmp(key, "branch-prefix")) {
		/*
		 * Empty, task branches would take the names of the user's own
		 * (task "release", branch "release"); "refs/..." would make
		 * refs/heads/refs/..., which git reads ambiguously.
		 */
		int valid = 0;
		char *probe;

		if (!*value)
			return bad_value(pos, key, value, "empty: task branches would be named "
					 "like your own branches (use e.g. 'parallel/')");
		if (!strncmp(value, "refs/", 5) || !strcmp(value, "refs"))
			return bad_value(pos, key, value, "a prefix inside refs/heads/, "
					 "without 'refs/' (e.g. 'parallel/')");
		probe = xstrfmt("%sx", value);
		git_branch_name_is_valid(&valid, probe);
		free(probe);
		if (!valid)
			return bad_value(pos, key, value, "not a valid branch name prefix");
		set_str(&c->branch_prefix, value);
	} else if (!strcmp(key, "max-load")) {
		char *end;

		errno = 0;
		d = strtod(value, &end);
		if (errno || end == value || *end || d < 0 || d != d)
			return bad_value(pos, key, value, "expected a non-negative number");
		c->max_load = d;
	} else if (!strcmp(key, "ownership")) {
		set_str(&c->ownership_file, value);
	} else if (!strcmp(key, "setup")) {
		if (*value) {
			set_str(&c->setup, value);
			set_str(&c->setup_file, pos->file);
			c->setup_line = pos->line;
		} else {
			free(c->setup);
			c->setup = NULL;
		}
	} else if (!strcmp(key, "copy") || !strcmp(key, "share") || !strcmp(key, "sparse-always")) {
		struct strlist *l = !strcmp(key, "copy") ? &c->copy :
			!strcmp(key, "share") ? &c->share : &c->sparse_always;
		struct strlist v = STRLIST_INIT;
		size_t k;
		int ret = 0;

		strlist_split(&v, value);
		for (k = 0; k < v.nr; k++) {
			const char *p = v.v[k], *why = NULL;

			if (*p == '/' || !strcmp(p, "..") || !strncmp(p, "../", 3) ||
			    strstr(p, "/../") || (strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/..")))
				why = "a path inside the repository, without '..' and not absolute";
			else if (!strcmp(p, ".git") || !strncmp(p, ".git/", 5))
				why = "not inside .git";
			if (why) {
				ret = bad_value(pos, key, p, why);
				continue;
			}
			strlist_push(l, p);
		}
		strlist_clear(&v);
		if (ret)
			return ret;
	} else if (!strcmp(key, "share-mode")) {
		if (!strcmp(value, "symlink"))
			c->share_mode = CONFIG_SHARE_SYMLINK;
		else if (!strcmp(value, "copy"))
			c->share_mode = CONFIG_SHARE_COPY;
		else if (!strcmp(value, "off"))
			c->share_mode = CONFIG_SHARE_OFF;
		else
			return bad_value(pos, key, value, "expected 'symlink', 'copy' or 'off'");
	} else if (!strcmp(key, "sparse")) {
		if (!strcmp(value, "declared"))
			c->sparse = 1;
		else if (!strcmp(value, "off"))
			c->sparse = 0;
		else
			return bad_value(pos, key, value, "expected 'declared' or 'off'");
	} else if (!strcmp(key, "precheck")) {
		set_str(&c->precheck, value);
		set_str(&c->precheck_file, pos->file);
		c->precheck_line = pos->line;
	} else if (!strcmp(key, "min-free-memory") || !strcmp(key, "min-free-disk")) {
		unsigned long long size;

		if (parse_size(value, &size) < 0)
			return bad_value(pos, key, value, "expected a size such as 500M or 2G");
		*(key[9] == 'm' ? &c->min_free_memory : &c->min_free_disk) = size;
	} else if (!strcmp(key, "wait-timeout") || !strcmp(key, "backoff-base") ||
		   !strcmp(key, "backoff-max")) {
		if (parse_duration(value, &d) < 0)
			return bad_value(pos, key, value, "expected a duration such as 90s, 30m or 2h");
		*(key[0] == 'w' ? &c->wait_timeout : !strcmp(key, "backoff-base") ?
		  &c->backoff_base : &c->backoff_max) = d;
	} else if (!strcmp(key, "git-timeout")) {
		if (parse_duration(value, &d) < 0)
			return bad_value(pos, key, value, "expected a duration such as 90s, 30m or 2h (0: none)");
		c->git_timeout = d;
	} else if (!strcmp(key, "max-backoffs")) {
		if (parse_uint(value, &u) < 0)
			return bad_value(pos, key, value, "expected a number");
		c->max_backoffs = u;
	} else if (!strcmp(key, "retry-on")) {
		pcre2_code *re;
		PCRE2_SIZE off;
		int err;

		re = pcre2_compile((PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
		if (!re) {
			PCRE2_UCHAR msg[256];

			pcre2_get_error_message(err, msg, sizeof(msg));
			return error("%s:%d: bad regular expression '%s' for 'parallel.retry-on': %s at offset %zu",
				     pos->file, pos->line, value, (const char *)msg, (size_t)off);
		}
		pcre2_code_free(re);
		free(c->retry_on);
		c->retry_on = *value ? xstrdup(value) : NULL;
	} else {
		if (pos->line)
			warning("%s:%d: unknown key 'parallel.%s'", pos->file, pos->line, key);
		return 1;	/* not taken */
	}
	return 0;
}

struct config_read {
	struct config *c;
	int owners_seen;
	int owners_wanted;	/* read [owner] sections */
	int tasks_wanted;	/* read [task] sections */
};

static int config_fn(void *data, const char *section, const char *sub,
		     const char *key, const char *value, const struct ini_pos *pos)
{
	struct config_read *r = data;
	struct config *c = r->c;

	if (!strcmp(section, "parallel") && !sub) {
		int ret = r->tasks_wanted ? parallel_key(c, key, value, pos) : 1;

		if (!ret && trust_is_command_key(key))
			set_command_origin(c, key, value, pos);
		return ret < 0 ? -1 : 0;
	}
	if (!strcmp(section, "owner") && sub) {
		struct strlist pats = STRLIST_INIT;
		size_t i;
		int ret = 0;

		r->owners_seen = 1;
		if (!r->owners_wanted)
			return 0;
		if (strcmp(key, "paths")) {
			warning("%s:%d: unknown key '%s' in owner '%s'", pos->file, pos->line, key, sub);
			return 0;
		}
		if (!*sub)
			return error("%s:%d: empty owner name", pos->file, pos->line);
		strlist_split(&pats, value);
		for (i = 0; i < pats.nr; i++)
			if (ownership_add(&c->ownership, pats.v[i], sub, pos->file, pos->line) < 0)
				ret = -1;
		strlist_clear(&pats);
		return ret;
	}
	if (!strcmp(section, "task") && sub)
		return r->tasks_wanted ?
			tasks_ini_set(&c->tasks_ini, sub, key, value, pos->file, pos->line, -1) : 0;
	warning("%s:%d: unknown section '%s%s%s%s'", pos->file, pos->line, section,
		sub ? " \"" : "", sub ? sub : "", sub ? "\"" : "");
	return 0;
}

static int file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int config_load_git(struct config *c, git_repository *repo)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	struct ini_pos pos = { "git config", 0 };
	int ret = 0, tasks_seen = 0;

	if (git_repository_config_snapshot(&cfg, repo) < 0)
		return error("cannot read git config: %s", gp_git_error());
	/*
	 * Not git_config_iterator_glob_new(): libgit2 1.5's regexp match
	 * leaks its match data on every name that does not match.
	 */
	if (git_config_iterator_new(&it, cfg) < 0) {
		ret = error("cannot read git config: %s", gp_git_error());
		goto out;
	}
	while (!git_config_next(&e, it)) {
		const char *key = e->name + strlen("parallel.");
		int r;

		if (strncmp(e->name, "parallel.", strlen("parallel.")))
			continue;

		if (!strcmp(key, "tasks") && !tasks_seen++)
			strlist_clear(&c->tasks);	/* replaces the file's list */
		if (!e->value)
			continue;
		r = parallel_key(c, key, e->value, &pos);
		if (r < 0)
			ret = -1;
		else if (!r && trust_is_command_key(key))
			set_command_origin(c, key, e->value, &pos);
	}
out:
	git_config_iterator_free(it);
	git_config_free(cfg);
	return ret;
}

const char *config_task_command(const struct config *c, const struct task *t,
				const char **from, const char **trust)
{
	const struct config_cmd *o = config_command(c, "command");

	if ((!o || !o->user) && t->command) {
		*from = t->command_from ? t->command_from : t->file;
		*trust = t->command_trust;
		return t->command;
	}
	*from = o ? o->from : NULL;
	*trust = o && !o->user ? c->file_trust : NULL;
	return o ? o->value : NULL;
}

int config_parse_buf(struct config *c, const char *file, const char *buf, size_t len)
{
	struct config_read r = { c, 0, 1, 1 };

	return ini_read_buf(file, buf, len, config_fn, &r);
}

int config_load(struct config *c, const char *path, const char *workdir)
{
	struct config_read r = { c, 0, 1, 1 };
	char *own = NULL;
	const char *env = getenv("GIT_PARALLEL_CONFIG");
	int ret = 0;

	if (path || (env && *env)) {
		c->file = xstrdup(path ? path : env);
		if (!file_exists(c->file))
			return error("cannot read configuration '%s': %s", c->file, strerror(errno));
	} else {
		c->file = xstrfmt("%s/.gitparallel", workdir);
		if (!file_exists(c->file)) {
			free(c->file);
			c->file = NULL;
		}
	}
	if (c->file) {
		struct strbuf sb = STRBUF_INIT;
		size_t i;

		/* read once: what is parsed is what a trust ID names */
		if (read_input_file(&sb, c->file, "file") < 0 ||
		    ini_read_buf(c->file, sb.buf, sb.len, config_fn, &r) < 0)
			ret = -1;
		else if (!(c->file_trust = trust_id(c->file, sb.buf, sb.len)))
			ret = error_errno("cannot resolve '%s'", c->file);
		for (i = 0; !ret && i < c->tasks_ini.nr; i++)
			if (c->tasks_ini.v[i].command)
				c->tasks_ini.v[i].command_trust = xstrdup(c->file_trust);
		strbuf_release(&sb);
	}
	if (ret < 0 || !c->ownership_file)
		return ret;

	own = c->ownership_file[0] == '/' ? xstrdup(c->ownership_file)
		: xstrfmt("%s/%s", workdir, c->ownership_file);
	if (c->file && !strcmp(basename_of(own), basename_of(c->file)) && file_exists(own)) {
		/* "ownership = .gitparallel": the [owner] sections already read */
		free(own);
		return 0;
	}
	if (r.owners_seen)
		warning("%s: [owner] sections ignored: parallel.ownership names '%s'",
			c->file, c->ownership_file);
	ownership_release(&c->ownership);
	ownership_init(&c->ownership);
	if (!strcmp(basename_of(own), "CODEOWNERS")) {
		ret = ownership_load_codeowners(&c->ownership, own);
	} else {
		struct config_read r2 = { c, 0, 1, 0 };

		ret = ini_read_file(own, config_fn, &r2);
	}
	free(own);
	return ret;
}
