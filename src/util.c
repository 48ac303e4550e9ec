#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include <git2.h>

#include "gp/state.h"
#include "gp/util.h"

char strbuf_slopbuf[1];
int warning_count;
int quiet_warnings;
int quiet_errors;

static void drop_pending_for_oom(void);

static GP_NORETURN void oom(void)
{
	static const char msg[] = "fatal: out of memory\n";

	drop_pending_for_oom();
	(void)write_in_full(2, msg, sizeof(msg) - 1);
	exit(128);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrfmt(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

/* strbuf */

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->alloc = sb->len = 0;
	sb->buf = strbuf_slopbuf;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *res;

	strbuf_grow(sb, 0);
	res = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0);
	return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	int new_buf = !sb->alloc;

	if (sb->len + extra + 1 <= sb->len)
		oom();
	if (new_buf)
		sb->buf = NULL;
	ALLOC_GROW(sb->buf, sb->len + extra + 1, sb->alloc);
	if (new_buf)
		sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (!sb->alloc) {
		if (len)
			oom();
		return;
	}
	sb->len = len;
	sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	strbuf_setlen(sb, sb->len + len);
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	strbuf_grow(sb, 64);
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= sb->alloc - sb->len) {
		strbuf_grow(sb, (size_t)n);
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	strbuf_setlen(sb, sb->len + (size_t)n);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_trim(struct strbuf *sb)
{
	size_t b = 0, e = sb->len;

	while (b < e && isspace((unsigned char)sb->buf[b]))
		b++;
	while (e > b && isspace((unsigned char)sb->buf[e - 1]))
		e--;
	if (!sb->alloc)
		return;
	memmove(sb->buf, sb->buf + b, e - b);
	strbuf_setlen(sb, e - b);
}

static int read_fd(struct strbuf *sb, int fd, size_t limit)
{
	char buf[65536];
	ssize_t n;
	size_t got = 0;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!n)
			return 0;
		got += (size_t)n;
		if (got > limit) {
			errno = EFBIG;
			return -1;	/* it grew while we read it */
		}
		strbuf_add(sb, buf, (size_t)n);
	}
}

/*
 * Open path for reading without blocking on a FIFO; refuse what is not a
 * regular file (errno EISDIR for a directory, ENODEV for a FIFO, device or
 * socket) or is larger than limit (EFBIG).
 */
static int open_regular(const char *path, size_t limit, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), e;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0)
		goto fail;
	if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		errno = ENODEV;
		goto fail;
	}
	if ((unsigned long long)st->st_size > (unsigned long long)limit) {
		errno = EFBIG;
		goto fail;
	}
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int read_regular(struct strbuf *sb, const char *path, size_t limit)
{
	struct stat st;
	int fd, e, ret;

	fd = open_regular(path, limit, &st);
	if (fd < 0)
		return -1;
	strbuf_grow(sb, (size_t)st.st_size);
	ret = read_fd(sb, fd, limit);
	e = errno;
	close(fd);
	errno = e;
	return ret;
}

int strbuf_read_file(struct strbuf *sb, const char *path)
{
	return read_regular(sb, path, SIZE_MAX / 2);
}

static const char *file_kind(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return "not a regular file";
	if (S_ISFIFO(st.st_mode))
		return "a FIFO, not a regular file";
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return "a device, not a regular file";
	if (S_ISSOCK(st.st_mode))
		return "a socket, not a regular file";
	return "not a regular file";
}

int read_input_file(struct strbuf *sb, const char *path, const char *what)
{
	if (!read_regular(sb, path, INPUT_FILE_MAX))
		return 0;
	switch (errno) {
	case EISDIR:
		return error("'%s' is a directory, not a %s", path, what);
	case ENODEV:
		return error("%s '%s' is %s", what, path, file_kind(path));
	case EFBIG:
		return error("%s '%s' is larger than %d MiB", what, path, INPUT_FILE_MAX >> 20);
	default:
		return error_errno("cannot read %s '%s'", what, path);
	}
}

/* strlist */

void strlist_init(struct strlist *l)
{
	l->v = NULL;
	l->nr = l->alloc = 0;
}

void strlist_push_nodup(struct strlist *l, char *s)
{
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = s;
}

void strlist_push(struct strlist *l, const char *s)
{
	strlist_push_nodup(l, xstrdup(s));
}

int strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

void strlist_split(struct strlist *l, const char *s)
{
	while (*s) {
		size_t n;

		s += strspn(s, " \t,");
		n = strcspn(s, " \t,");
		if (n)
			strlist_push_nodup(l, xstrndup(s, n));
		s += n;
	}
}

void strlist_clear(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	strlist_init(l);
}

/* strmap: open addressing, linear probing, FNV-1a */

static unsigned int strhash(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void strmap_init(struct strmap *m)
{
	m->v = NULL;
	m->nr = m->size = 0;
}

static struct strmap_entry *strmap_slot(const struct strmap *m, const char *key, unsigned int h)
{
	size_t i = h & (m->size - 1);

	while (m->v[i].key) {
		if (m->v[i].hash == h && !strcmp(m->v[i].key, key))
			break;
		i = (i + 1) & (m->size - 1);
	}
	return &m->v[i];
}

static void strmap_rehash(struct strmap *m)
{
	struct strmap_entry *old = m->v;
	size_t i, old_size = m->size;

	m->size = old_size ? old_size * 2 : 64;
	m->v = xcalloc(m->size, sizeof(*m->v));
	for (i = 0; i < old_size; i++)
		if (old[i].key)
			*strmap_slot(m, old[i].key, old[i].hash) = old[i];
	free(old);
}

struct strmap_entry *strmap_put(struct strmap *m, const char *key, void *value, int *found)
{
	unsigned int h = strhash(key);
	struct strmap_entry *e;

	if ((m->nr + 1) * 4 >= m->size * 3)
		strmap_rehash(m);
	e = strmap_slot(m, key, h);
	if (e->key) {
		if (found)
			*found = 1;
		return e;
	}
	if (found)
		*found = 0;
	e->key = xstrdup(key);
	e->hash = h;
	e->value = value;
	m->nr++;
	return e;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry *e;

	if (!m->size)
		return NULL;
	e = strmap_slot(m, key, strhash(key));
	return e->key ? e->value : NULL;
}

int strmap_contains(const struct strmap *m, const char *key)
{
	return m->size && strmap_slot(m, key, strhash(key))->key != NULL;
}

void strmap_clear(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->size; i++)
		free(m->v[i].key);
	free(m->v);
	strmap_init(m);
}

/* reporting */

/*
 * Append s with control characters but newline and tab escaped (\033,
 * \r, C1 as \302\233): a message naming a path, a title or a line of a
 * file can hold anything, and a terminal must not take it for commands.
 */
static void add_escaped(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '\r') {
			strbuf_addstr(sb, "\\r");
		} else if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
			strbuf_addf(sb, "\\%03o", *p);
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			strbuf_addf(sb, "\\%03o\\%03o", p[0], p[1]);
			p++;
		} else {
			strbuf_addch(sb, *p);
		}
	}
}

/*
 * The last error() is held back, formatted, until we know what it was:
 * the message that explains an exit 128 is printed "fatal: " (git's die()),
 * any other "error: ".  It goes out, as "error: ", as soon as anything else
 * is written to stderr (another error, a warning, progress, a child
 * started by fork()), and at exit; report_exit() prints it "fatal: " when
 * the command ends with 128.  A signal that kills us prints it first
 * (report_setup()); only SIGKILL loses it, and only if it comes before
 * the next line, child or exit: a module returns to its command at once.
 */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static char *pending;		/* escaped message and '\n', no prefix */
static size_t pending_len;
static volatile sig_atomic_t pending_ready;	/* for the signal handler */
static char *last_error;	/* the last message printed as "error: " */
static int report_atexit_set;

/*
 * One write() per line, as git's vreportf(): lines of two processes never
 * mix.  No allocation for a usual line: oom() may run under report_lock.
 */
static void emit(const char *prefix, const char *body, size_t len)
{
	char buf[4096];
	size_t plen = strlen(prefix);

	fflush(stderr);
	if (plen + len <= sizeof(buf)) {
		memcpy(buf, prefix, plen);
		memcpy(buf + plen, body, len);
		(void)write_in_full(2, buf, plen + len);
	} else {
		(void)write_in_full(2, prefix, plen);
		(void)write_in_full(2, body, len);
	}
}

/* Out of memory: print what is held back with no lock and no allocation. */
static void drop_pending_for_oom(void)
{
	if (pending_ready) {
		pending_ready = 0;
		(void)write_in_full(2, "error: ", 7);
		(void)write_in_full(2, pending, pending_len);
		pending = NULL;
	}
}

/* With report_lock held: print the held-back message with prefix. */
static void flush_pending_locked(const char *prefix)
{
	char *msg = pending;

	if (!msg)
		return;
	pending_ready = 0;
	pending = NULL;
	emit(prefix, msg, pending_len);
	if (!strcmp(prefix, "error: ")) {
		free(last_error);
		last_error = msg;
	} else {
		free(msg);
	}
	/* what stdout holds now was written after the error */
	fflush(stdout);
}

void report_flush(void)
{
	pthread_mutex_lock(&report_lock);
	flush_pending_locked("error: ");
	pthread_mutex_unlock(&report_lock);
	fflush(stdout);
	fflush(stderr);
}

static void report_at_exit(void)
{
	report_flush();
}

static void format_message(struct strbuf *out, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_vaddf(&msg, fmt, ap);
	add_escaped(out, msg.buf);
	strbuf_release(&msg);
	strbuf_addch(out, '\n');
}

static void report(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	format_message(&sb, fmt, ap);
	pthread_mutex_lock(&report_lock);
	flush_pending_locked("error: ");
	fflush(stdout);
	emit(prefix, sb.buf, sb.len);
	pthread_mutex_unlock(&report_lock);
	strbuf_release(&sb);
}

static void hold_error(const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	format_message(&sb, fmt, ap);
	pthread_mutex_lock(&report_lock);
	flush_pending_locked("error: ");
	fflush(stdout);
	if (!report_atexit_set) {
		atexit(report_at_exit);
		report_atexit_set = 1;
	}
	pending = strbuf_detach(&sb, &pending_len);
	pending_ready = 1;
	pthread_mutex_unlock(&report_lock);
}

int report_exit(int code)
{
	pthread_mutex_lock(&report_lock);
	if (code == 128 && pending) {
		flush_pending_locked("fatal: ");
	} else if (code == 128 && last_error) {
		/*
		 * Something (a warning, a child's output) came after the
		 * error that ends the command: say it again, as git would
		 * have died with it.
		 */
		emit("fatal: ", last_error, strlen(last_error));
	} else if (code == 128) {
		/* every exit 128 has its message: t0030 holds them to it */
		static const char msg[] = "giving up without a message (a bug: please report it)\n";

		emit("fatal: ", msg, sizeof(msg) - 1);
	} else {
		flush_pending_locked("error: ");
	}
	free(last_error);
	last_error = NULL;
	pthread_mutex_unlock(&report_lock);
	return code;
}

/* A signal that kills us: print the held-back error, then die of it. */
static void report_on_signal(int sig)
{
	if (pending_ready) {
		pending_ready = 0;
		(void)write_in_full(2, "error: ", 7);
		(void)write_in_full(2, pending, pending_len);
	}
	raise(sig);	/* SA_RESETHAND: the default action, once we return */
}

void report_setup(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = report_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction old;

		/* an ignored signal (nohup) stays ignored */
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	}
	pthread_atfork(report_flush, NULL, NULL);
	pthread_mutex_lock(&report_lock);
	if (!report_atexit_set) {
		atexit(report_at_exit);
		report_atexit_set = 1;
	}
	pthread_mutex_unlock(&report_lock);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("fatal: ", fmt, ap);
	va_end(ap);
	exit(128);
}

int error(const char *fmt, ...)
{
	va_list ap;

	if (quiet_errors)
		return -1;
	va_start(ap, fmt);
	hold_error(fmt, ap);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	int e = errno;
	va_list ap;

	if (quiet_errors)
		return -1;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	error("%s: %s", sb.buf, strerror(e));
	strbuf_release(&sb);
	errno = e;
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	warning_count++;
	if (quiet_warnings)
		return;
	va_start(ap, fmt);
	report("warning: ", fmt, ap);
	va_end(ap);
}

const char *gp_git_error(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

/* paths */

const char *path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n))
		return NULL;
	if (!path[n])
		return path + n;
	if (path[n] == '/')
		return path + n + 1;
	return n == 1 && *dir == '/' ? path + 1 : NULL;
}

int path_normalize(struct strbuf *out, const char *path, const char **why)
{
	const char *p = path;
	size_t len = strlen(path);
	int is_dir = len && path[len - 1] == '/';

	strbuf_reset(out);
	if (!*path) {
		*why = "empty path";
		return -1;
	}
	if (*path == '/' || *path == '~') {
		*why = "absolute path";
		return -1;
	}
	for (p = path; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\') {
			*why = *p == '\\' ? "backslash in path" : "control character in path";
			return -1;
		}
	}
	p = path;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (!out->len) {
				*why = "path outside the repository";
				return -1;
			}
			/* drop the last segment (out has no trailing slash here) */
			slash = strrchr(out->buf, '/');
			strbuf_setlen(out, slash ? (size_t)(slash - out->buf) : 0);
		} else if (n == 4 && !strncmp(p, ".git", 4) && !out->len) {
			*why = "path inside .git";
			return -1;
		} else {
			if (out->len)
				strbuf_addch(out, '/');
			strbuf_add(out, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	if (!out->len) {
		*why = "path names the repository root";
		return -1;
	}
	if (is_dir)
		strbuf_addch(out, '/');
	return 0;
}

/* small parsers */

int parse_duration(const char *s, double *out)
{
	char *end;
	double v, mult = 1;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v != v || v > 1e9)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (*end && end[1])
		return -1;
	*out = v * mult;
	return 0;
}

int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	double v, mult = 1;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v != v || v < 0)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'k':
		mult = 1024.0;
		break;
	case 'm':
		mult = 1024.0 * 1024;
		break;
	case 'g':
		mult = 1024.0 * 1024 * 1024;
		break;
	case 't':
		mult = 1024.0 * 1024 * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (*end && end[1] && strcasecmp(end + 1, "b") && strcasecmp(end + 1, "ib"))
		return -1;
	if (v * mult > 1e18)
		return -1;
	*out = (unsigned long long)(v * mult);
	return 0;
}

int parse_bool(const char *s)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0", "" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcasecmp(s, yes[i]))
			return 1;
	for (i = 0; i < ARRAY_SIZE(no); i++)
		if (!strcasecmp(s, no[i]))
			return 0;
	return -1;
}

int parse_uint(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 1000000)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

int remove_tree(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if (!(dir = opendir(path)))
		return -1;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", path, de->d_name);
		if (remove_tree(sb.buf) < 0)
			ret = -1;
	}
	closedir(dir);
	strbuf_release(&sb);
	if (!ret && rmdir(path) < 0)
		ret = -1;
	return ret;
}

int mkdir_p(const char *path, mode_t mode)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret = 0;

	strbuf_addstr(&sb, path);
	for (i = 1; i <= sb.len; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		sb.buf[i] = '\0';
		if (mkdir(sb.buf, mode) < 0 && errno != EEXIST) {
			ret = error_errno("cannot create directory '%s'", sb.buf);
			break;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	strbuf_release(&sb);
	return ret;
}

int write_in_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * One swept between open() and flock() (its pid dead in the sweeper's
 * namespace) is made again.
 */
int tmp_open_locked(const char *tmp, mode_t mode)
{
	int tries;

	for (tries = 0; tries < 3; tries++) {
		struct stat fst, pst;
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

		if (fd < 0)
			return -1;
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return fd;	/* no flock() here (some network file systems) */
		if (!fstat(fd, &fst) && !stat(tmp, &pst) && fst.st_dev == pst.st_dev &&
		    fst.st_ino == pst.st_ino)
			return fd;
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

/* quiet: report nothing, keep errno (the caller decides whether it is an error) */
static int write_atomic(const char *path, const void *buf, size_t len, mode_t mode, int quiet)
{
	char *tmp = tmp_path(path);
	const char *what = "write";
	int fd, ret = -1, saved;

	fd = tmp_open_locked(tmp, mode);
	if (fd < 0)
		goto fail;
	if (write_in_full(fd, buf, len) < 0) {
		close(fd);
		goto fail_written;
	}
	if (fsync(fd) < 0 && errno != EINVAL) {
		what = "sync";
		close(fd);
		goto fail_written;
	}
	/* renamed while the flock is held: no sweep takes it before */
	if (rename(tmp, path) < 0) {
		saved = errno;
		if (!quiet)
			error_errno("cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		close(fd);
		errno = saved;
		goto out;
	}
	if (close(fd) < 0) {
		/* the data was synced: a close error (NFS) is the write's */
		saved = errno;
		if (!quiet)
			error_errno("cannot write '%s'", path);
		errno = saved;
		goto out;
	}
	ret = 0;
	goto out;
fail_written:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	if (!quiet)
		error_errno("cannot %s '%s'", what, tmp);
out:
	saved = errno;
	free(tmp);
	errno = saved;
	return ret;
}

int write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
	return write_atomic(path, buf, len, mode, 0);
}

int write_file_quietly(const char *path, const void *buf, size_t len, mode_t mode)
{
	return write_atomic(path, buf, len, mode, 1);
}

char *tmp_path(const char *path)
{
	return xstrfmt("%s.tmp.%ld", path, (long)getpid());
}

/* the pid of "<stem>.tmp.<pid>" (any stem when stems is NULL), else 0 */
static long tmp_pid(const char *name, const char *const *stems)
{
	const char *t = strstr(name, ".tmp."), *next;
	char *end;
	long pid;

	if (!t)
		return 0;
	while ((next = strstr(t + 1, ".tmp.")))
		t = next;
	if (stems) {
		size_t len = (size_t)(t - name);

		while (*stems && (strlen(*stems) != len || strncmp(*stems, name, len)))
			stems++;
		if (!*stems)
			return 0;
	}
	if (t[5] < '0' || t[5] > '9')
		return 0;
	errno = 0;
	pid = strtol(t + 5, &end, 10);
	return *end || errno || pid <= 0 ? 0 : pid;
}

/*
 * Remove dir/name, a scratch file whose pid is dead here, unless its
 * writer may still be alive: write_atomic() holds an flock() on it while
 * it writes, so a held lock means a live writer (one in another pid
 * namespace, a container sharing the repository, whose pid means nothing
 * here).  Removed under our own flock, so that no writer takes it
 * between.  A file that cannot be opened without following a link or
 * blocking stays.
 */
static void prune_one(const char *dir, const char *name)
{
	char *path = xstrfmt("%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd >= 0) {
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) && !flock(fd, LOCK_EX | LOCK_NB))
			unlink(path);	/* gone already: someone else pruned it */
		close(fd);
	}
	free(path);
}

void prune_dead_tmp(const char *dir, const char *const *stems)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		long pid = tmp_pid(e->d_name, stems);

		if (pid && pid != (long)getpid() && !state_pid_alive(pid, 0))
			prune_one(dir, e->d_name);
	}
	closedir(d);
}

void prune_gitdir_scratch(const char *gitdir)
{
	static const char *const ours[] = {
		"gp-clock",		/* indexstat_clock() */
		"gp-index-checked",	/* indexstat_checked_save() */
		"gp-markers-index",	/* run.c: the conflict-marker scan's index */
		"index.gp-merge",	/* merge's copy of the index */
		"parallel-trust",	/* trust_save() */
		NULL
	};

	static const char *const info[] = {
		"exclude",		/* prepare.c: parallel.share */
		"sparse-checkout",	/* worktree.c: parallel.sparse */
		NULL
	};
	char *sub = xstrfmt("%s/info", gitdir);
	DIR *d;

	prune_dead_tmp(gitdir, ours);
	prune_dead_tmp(sub, info);
	free(sub);
	/* gp-clock.<pid>: the name builds before 4c79154 gave indexstat_clock()'s file */
	if ((d = opendir(gitdir))) {
		struct dirent *e;

		while ((e = readdir(d))) {
			const char *p = e->d_name + 9;
			char *end;
			long pid;

			if (strncmp(e->d_name, "gp-clock.", 9) || *p < '1' || *p > '9')
				continue;
			errno = 0;
			pid = strtol(p, &end, 10);
			if (!*end && !errno && pid != (long)getpid() && !state_pid_alive(pid, 0))
				prune_one(gitdir, e->d_name);
		}
		closedir(d);
	}
}

void malloc_keep_freed(void)
{
#ifdef M_MMAP_THRESHOLD	/* glibc */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
#endif
}

/*
 * malloc_keep_freed()'s settings, and glibc's heap in transparent huge
 * pages (2.35+: madvise(MADV_HUGEPAGE) on what it takes from the
 * kernel; older versions ignore the name, and so does a kernel whose
 * transparent huge pages are "never")
 */
#define GP_TUNABLES "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=67108864:" \
	"glibc.malloc.trim_threshold=268435456:glibc.malloc.top_pad=16777216"
#define GP_TUNED "GIT_PARALLEL_MALLOC_TUNED"

const char *malloc_keep_freed_env(void)
{
#ifdef __GLIBC__
	if (!getenv("GLIBC_TUNABLES"))
		return "GLIBC_TUNABLES=" GP_TUNABLES;
#endif
	return NULL;
}

#ifdef __GLIBC__
/*
 * Does the kernel give transparent huge pages to a heap that asks
 * (madvise) or to all ("[always]" or "[madvise]" selected)?  "[never]",
 * or no such file (no transparent huge pages): the exec buys nothing.
 * GIT_PARALLEL_TEST_THP_ENABLED: a file read instead.
 */
static int huge_pages_given(void)
{
	const char *path = getenv("GIT_PARALLEL_TEST_THP_ENABLED");
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (!path)
		path = "/sys/kernel/mm/transparent_hugepage/enabled";
	ret = strbuf_read_file(&sb, path) >= 0 &&
	      (strstr(sb.buf, "[always]") || strstr(sb.buf, "[madvise]"));
	strbuf_release(&sb);
	return ret;
}
#endif

void malloc_huge_pages(char *const *argv)
{
#ifdef __GLIBC__
	if (getenv(GP_TUNED)) {
		/* started again by the exec below: the environment as it was */
		unsetenv(GP_TUNED);
		unsetenv("GLIBC_TUNABLES");
		return;
	}
	if (getenv("GLIBC_TUNABLES") || getenv("GIT_PARALLEL_NO_MALLOC_TUNING"))
		return;	/* the user's own settings stand */
	if (!huge_pages_given())
		return;
	if (!setenv("GLIBC_TUNABLES", GP_TUNABLES, 1) && !setenv(GP_TUNED, "1", 1))
		execv("/proc/self/exe", argv);
	/* not started again (no /proc): as before, malloc_keep_freed() alone */
	unsetenv(GP_TUNED);
	unsetenv("GLIBC_TUNABLES");
#else
	(void)argv;
#endif
}

int gp_object_written(git_repository *repo, const git_oid *oid)
{
	git_odb *odb = NULL;
	int ret = 0;

	if (!git_repository_odb(&odb, repo))
		ret = git_odb_exists(odb, oid) == 1;
	git_odb_free(odb);
	return ret;
}

void test_crash_point(const char *name)
{
	const char *at = getenv("GIT_PARALLEL_TEST_CRASH_AT");

	if (at && !strcmp(at, name))
		raise(SIGKILL);
	at = getenv("GIT_PARALLEL_TEST_SIGNAL_AT");
	if (at && !strcmp(at, name)) {
		const char *sig = getenv("GIT_PARALLEL_TEST_SIGNAL");

		kill(getpid(), sig && *sig ? atoi(sig) : SIGINT);
	}
}

int unquote_patch_name(struct strbuf *out, const char *text, size_t len)
{
	static const char esc[] = "a\ab\bf\fn\nr\rt\tv\v\"\"\\\\";
	const char *p = text, *end = text + len;

	strbuf_reset(out);
	if (!len || *p != '"') {
		/* a name with a space ends with a tab (GNU patch's rule) */
		if (len && end[-1] == '\t' && memchr(text, ' ', len - 1))
			end--;
		if (p == end || memchr(p, '\t', (size_t)(end - p)))
			return -1;
		strbuf_add(out, p, (size_t)(end - p));
		return 0;
	}
	for (p++; p < end && *p != '"'; p++) {
		const char *e;

		if (*p != '\\') {
			strbuf_addch(out, *p);
			continue;
		}
		if (++p == end)
			return -1;
		if (*p >= '0' && *p <= '3') {
			int c = 0, k;

			for (k = 0; k < 3; k++, p++) {
				if (p == end || *p < '0' || *p > '7')
					return -1;
				c = c * 8 + (*p - '0');
			}
			p--;
			strbuf_addch(out, (char)c);
			continue;
		}
		for (e = esc; *e && *e != *p; e += 2)
			;
		if (!*e)
			return -1;
		strbuf_addch(out, e[1]);
	}
	/* the closing quote ends the text, or a tab after it (a space inside) */
	if (p == end || !out->len)
		return -1;
	if (p + 1 == end)
		return 0;
	return p + 2 == end && p[1] == '\t' && strchr(out->buf, ' ') ? 0 : -1;
}

int utf8_valid(const char *buf, size_t len, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			goto fail;
		}
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				goto fail;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto fail;
		i += n + 1;
	}
	return 1;
fail:
	if (bad)
		*bad = i;
	return 0;
}

int regex_jit_wanted(void)
{
	static int wanted = -1;

	if (wanted < 0) {
		const char *v = getenv("GIT_PARALLEL_NO_JIT");

		wanted = !(v && *v && strcmp(v, "0"));
	}
	return wanted;
}

void strbuf_add_duration(struct strbuf *sb, double t)
{
	long s = (long)(t + 0.5);

	if (t < 10)
		strbuf_addf(sb, "%.1fs", t);
	else if (s < 3600)
		strbuf_addf(sb, "%ld:%02ld", s / 60, s % 60);
	else
		strbuf_addf(sb, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

/*
 * libgit2 1.5 moves a lock file onto a file that does not exist yet with
 * link() then unlink() (p_rename()): a process killed between the two
 * leaves <path>.lock as a second name of <path> itself, and every later
 * update of <path> fails on that lock.  Such a lock is provably this
 * half-done rename (git takes its locks with O_EXCL, never by link()):
 * remove it.  1 removed, 0 no such lock (none, or another file), -1 error.
 */
int remove_half_renamed_lock(const char *path)
{
	struct stat st, lst;
	char *lock = xstrfmt("%s.lock", path);
	int ret = 0;

	if (!lstat(lock, &lst) && S_ISREG(lst.st_mode) && !lstat(path, &st) &&
	    S_ISREG(st.st_mode) && st.st_dev == lst.st_dev && st.st_ino == lst.st_ino)
		ret = unlink(lock) < 0 ? -1 : 1;
	free(lock);
	return ret;
}

/* --- the time limit of git children ---------------------------------------- */

static double git_timeout = GP_GIT_TIMEOUT;

void gp_git_timeout_set(double seconds)
{
	git_timeout = seconds > 0 ? seconds : 0;
}

double gp_git_timeout(void)
{
	return git_timeout;
}

double gp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double gp_git_deadline(void)
{
	return git_timeout > 0 ? gp_now() + git_timeout : 0;
}

char *gp_git_timeout_text(void)
{
	struct strbuf sb = STRBUF_INIT;

	if (git_timeout < 60 || (long)git_timeout % 60)
		strbuf_addf(&sb, "within %gs", git_timeout);
	else
		strbuf_addf(&sb, "within %gm", git_timeout / 60);
	strbuf_addstr(&sb, " (parallel.git-timeout)");
	return strbuf_detach(&sb, NULL);
}

/* Milliseconds left until deadline for poll(): -1 none, 0 passed. */
static int ms_left(double deadline)
{
	double left;

	if (deadline <= 0)
		return -1;
	left = (deadline - gp_now()) * 1000;
	if (left <= 0)
		return 0;
	return left > 1e9 ? 1000000000 : (int)left + 1;
}

/*
 * Wait up to ms milliseconds (-1: no limit) for pid to end, without
 * reaping it: a pidfd where the kernel has them, else short naps.
 */
static void wait_a_while(pid_t pid, int ms, int *nap_us)
{
#if defined(__linux__) && defined(SYS_pidfd_open)
	static int no_pidfd;
	int pfd = no_pidfd ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);

	if (pfd >= 0) {
		struct pollfd pf = { .fd = pfd, .events = POLLIN };

		(void)poll(&pf, 1, ms);
		close(pfd);
		return;
	}
	if (errno == ENOSYS || errno == EPERM)
		no_pidfd = 1;	/* an old kernel, a seccomp filter */
#else
	(void)pid;
#endif
	{
		struct timespec ts;
		long us = *nap_us;

		if (ms >= 0 && (long)ms * 1000 < us)
			us = (long)ms * 1000;
		ts.tv_sec = us / 1000000;
		ts.tv_nsec = (us % 1000000) * 1000;
		nanosleep(&ts, NULL);
		if (*nap_us < 50000)
			*nap_us *= 2;
	}
}

/*
 * SIGTERM to every process below pid (its children, theirs, ...: a merge
 * or filter driver git waits for), as /proc shows them; how many.
 */
static size_t stop_descendants(pid_t pid)
{
	size_t nr = 0, alloc = 0, i, done = 0;
	pid_t *below = NULL;
	int grew = 1;

	/* each pass adds the children of what is known: a tree is a few levels */
	while (grew) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		grew = 0;
		if (!d)
			break;
		while ((e = readdir(d))) {
			char path[64], buf[512], *p;
			long ppid, me;
			ssize_t n;
			int fd;

			if (!isdigit((unsigned char)e->d_name[0]))
				continue;
			me = atol(e->d_name);
			for (i = 0; i < nr && below[i] != (pid_t)me; i++)
				;
			if (i < nr || me == (long)pid)
				continue;
			snprintf(path, sizeof(path), "/proc/%ld/stat", me);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n <= 0)
				continue;
			buf[n] = '\0';
			/* "pid (comm) state ppid ...": comm may hold anything, up to the last ')' */
			if (!(p = strrchr(buf, ')')) || sscanf(p + 1, " %*c %ld", &ppid) != 1)
				continue;
			for (i = 0; i < nr && below[i] != (pid_t)ppid; i++)
				;
			if (ppid == (long)pid || i < nr) {
				ALLOC_GROW(below, nr + 1, alloc);
				below[nr++] = (pid_t)me;
				grew = 1;
			}
		}
		closedir(d);
	}
	for (i = nr; i > 0; i--)
		if (!kill(below[i - 1], SIGTERM))
			done++;
	free(below);
	return done;
}

/* Reap pid by until: 1 reaped (*status), 0 not yet. */
static int reaped_by(pid_t pid, int *status, double until)
{
	int nap_us = 500;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		int ms;

		if (r == pid || (r < 0 && errno != EINTR))
			return 1;
		if (r < 0)
			continue;
		ms = ms_left(until);
		if (!ms)
			return 0;
		wait_a_while(pid, ms, &nap_us);
	}
}

void gp_child_stop(pid_t pid, int *status)
{
	int st;

	if (!status)
		status = &st;
	/*
	 * The driver git waits for first: git then ends as when a driver
	 * fails, removing its temporary files (git 2.39 killed while it waits
	 * for a merge driver leaves .merge_file_* in its directory, and the
	 * driver running).
	 */
	if (stop_descendants(pid) && reaped_by(pid, status, gp_now() + GP_STOP_GRACE))
		return;
	kill(pid, SIGTERM);
	if (reaped_by(pid, status, gp_now() + GP_STOP_GRACE))
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}
