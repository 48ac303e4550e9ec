#ifndef GP_UTIL_H
#define GP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define GP_NORETURN __attribute__((noreturn))
#define GP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GP_NORETURN
#define GP_PRINTF(f, a)
#endif

/* Allocation: these never return NULL; out of memory is fatal (exit 128). */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xstrfmt(const char *fmt, ...) GP_PRINTF(1, 2);

/* Grow x (holding nr, with room for alloc) so that it can hold n items. */
#define ALLOC_GROW(x, n, alloc) do { \
	if ((size_t)(n) > (alloc)) { \
		size_t alloc_new_ = (alloc) < 8 ? 16 : (alloc) * 2; \
		if (alloc_new_ < (size_t)(n)) \
			alloc_new_ = (n); \
		(x) = xrealloc((x), alloc_new_ * sizeof(*(x))); \
		(alloc) = alloc_new_; \
	} \
} while (0)

/* A growable, always NUL-terminated buffer (git's strbuf). */
struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};
extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) GP_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_trim(struct strbuf *sb);
/* A duration as run prints it: "4.2s", "1:05", "2:00:07". */
void strbuf_add_duration(struct strbuf *sb, double seconds);
/*
 * Read a whole regular file, never blocking on a FIFO; -1 with errno set
 * on failure: EISDIR for a directory, ENODEV for anything else that is not
 * a regular file (a FIFO, a symlink to /dev/zero).
 */
int strbuf_read_file(struct strbuf *sb, const char *path);
/* The largest input file we read (task files, configuration, ownership, state): 64 MiB. */
#define INPUT_FILE_MAX (64 << 20)
/*
 * Read an input file: as strbuf_read_file(), at most INPUT_FILE_MAX bytes
 * (EFBIG), reporting a failure with error(): "<what> '<path>' is a FIFO, not
 * a regular file".
 */
int read_input_file(struct strbuf *sb, const char *path, const char *what);

/* A list of owned strings. */
struct strlist {
	char **v;
	size_t nr;
	size_t alloc;
};
#define STRLIST_INIT { NULL, 0, 0 }
void strlist_init(struct strlist *l);
void strlist_push(struct strlist *l, const char *s);	/* copies s */
void strlist_push_nodup(struct strlist *l, char *s);	/* takes s */
int strlist_has(const struct strlist *l, const char *s);
/* Split s at runs of spaces, tabs and commas and push every word. */
void strlist_split(struct strlist *l, const char *s);
void strlist_clear(struct strlist *l);

/*
 * A string-keyed hash map.  Keys are copied; values are borrowed pointers
 * (or small integers cast to void *).
 */
struct strmap_entry {
	char *key;
	void *value;
	unsigned int hash;
};
struct strmap {
	struct strmap_entry *v;
	size_t nr;
	size_t size;	/* power of two, or 0 */
};
#define STRMAP_INIT { NULL, 0, 0 }
void strmap_init(struct strmap *m);
/* Returns the entry for key; *found tells whether it existed. */
struct strmap_entry *strmap_put(struct strmap *m, const char *key, void *value, int *found);
void *strmap_get(const struct strmap *m, const char *key);
int strmap_contains(const struct strmap *m, const char *key);
void strmap_clear(struct strmap *m);

/*
 * git's reporting vocabulary on stderr: "fatal: ", "error: ", "warning: ".
 * Modules report with error() and return -1; only cmd-*.c and main die().
 *
 * error() holds its message back until the next write to stderr (error(),
 * warning(), report_flush(), a fork()) or the exit, and report_exit()
 * prints the one still held when a command ends with 128 as "fatal: ":
 * the message that explains an exit 128 is the last stderr line, once, as
 * git's die() prints it; earlier errors stay "error: " lines of context.
 */
void die(const char *fmt, ...) GP_NORETURN GP_PRINTF(1, 2);
int error(const char *fmt, ...) GP_PRINTF(1, 2);
int error_errno(const char *fmt, ...) GP_PRINTF(1, 2);
void warning(const char *fmt, ...) GP_PRINTF(1, 2);
/*
 * Print a held-back error now, as "error: ", and flush stdout and stderr:
 * call it before writing to stderr any other way (progress, a block of
 * lines) so that lines stay in the order they happened.
 */
void report_flush(void);
/*
 * At the end of main(): print the held-back error as "fatal: " when code
 * is 128, else as "error: ".  An exit 128 whose explanation was printed
 * already (a warning came after it) repeats it as "fatal: ".  Returns code.
 */
int report_exit(int code);
/*
 * Once, in main(): a held-back error is printed before SIGINT, SIGTERM,
 * SIGHUP or SIGQUIT kill us, before fork(), and at exit().
 */
void report_setup(void);
/* Number of warnings printed so far (tests and --strict read it). */
extern int warning_count;
/* Silence warning() (for fuzzers and benchmarks); errors still print. */
extern int quiet_warnings;
/* Silence error() too (fuzzers only): it still returns -1. */
extern int quiet_errors;

/* The last libgit2 error message, never NULL. */
const char *gp_git_error(void);
/*
 * Keep memory free()d for the next allocation (glibc's malloc; nothing
 * elsewhere) instead of giving it back to the kernel at once: a merge or
 * a check reads and writes blob after blob, each a buffer as large as the
 * file (zlib's state: 256 KiB more), and every buffer glibc mapped or
 * trimmed away was faulted in again page by page.  For short-lived
 * processes only: the memory stays theirs until they exit.
 */
void malloc_keep_freed(void);
/*
 * The same for a git child (a git merge-tree or diff-tree --stdin that
 * merges or diffs blob after blob): "GLIBC_TUNABLES=..." to add to its
 * environment, or NULL when ours already has GLIBC_TUNABLES (the user's
 * own settings stand).
 */
const char *malloc_keep_freed_env(void);
/*
 * For merge and check --exact, at the very start, before anything is read
 * or written: the process started again (/proc/self/exe, the same argv)
 * with GLIBC_TUNABLES set, as glibc reads them only when a program
 * starts: its heap in transparent huge pages, where merge's 60 MB of
 * objects read, merged and written were faulted in 4 KiB at a time
 * (15,000 page faults on git.git, a fifth of its own time), and
 * malloc_keep_freed()'s settings.  Once started again, the environment
 * is put back as it was (children get the user's).  Nothing is done
 * when GLIBC_TUNABLES is set already (the user's own stand), or
 * GIT_PARALLEL_NO_MALLOC_TUNING is, or the kernel gives no transparent
 * huge pages (its setting "[never]"); glibc only.
 */
void malloc_huge_pages(char *const *argv);
/*
 * Is oid really in repo's object database?  libgit2 1.5 can report an
 * object written when the disk was full and nothing was written.
 */
struct git_repository;
struct git_oid;
int gp_object_written(struct git_repository *repo, const struct git_oid *oid);

/*
 * Normalise a repository-relative path: drop "./" and empty segments,
 * resolve "..", keep a trailing "/" (it declares a directory).  Returns -1
 * and sets *why when the path is absolute, escapes the repository, is empty
 * or contains a control character.
 */
int path_normalize(struct strbuf *out, const char *path, const char **why);

/*
 * What is left of <path> below the directory <dir> (trailing slashes of
 * <dir> ignored): "" when they are the same, NULL when <path> is not at
 * or below <dir>.  Textual: resolve both first where it matters.
 */
const char *path_below(const char *path, const char *dir);

/* Parse "90", "90s", "30m", "2h", "1.5h" into seconds; -1 if malformed. */
int parse_duration(const char *s, double *out);
/* Parse a size: "500M", "2G", "1.5g", "4096", "64KiB" (powers of 1024) into bytes; -1 if malformed. */
int parse_size(const char *s, unsigned long long *out);
/* Parse a git-config style boolean; -1 if malformed. */
int parse_bool(const char *s);
/* Parse a non-negative int; -1 if malformed. */
int parse_uint(const char *s, unsigned int *out);

/*
 * All of buf to fd, again after a short write or EINTR: git's
 * write_in_full().  0, or -1 with errno (ENOSPC when write() wrote
 * nothing); nothing reported.  Async-signal-safe.
 */
int write_in_full(int fd, const void *buf, size_t len);
/*
 * Write a file atomically: a temporary file in the same directory, fsync,
 * rename.  The parent directory must exist.  Returns 0 or -1 (reported).
 */
int write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode);
/*
 * write_file_atomic() that reports nothing, for a cache or a scratch copy
 * whose write may fail without being an error (a read-only repository, a
 * full disk): 0, or -1 with errno set and no file left behind.
 */
int write_file_quietly(const char *path, const void *buf, size_t len, mode_t mode);
/*
 * "<path>.tmp.<pid>": the name of this process's scratch file for path
 * (write_file_atomic()'s temporary file), which prune_dead_tmp() removes
 * once the process is gone.  Caller frees.
 */
char *tmp_path(const char *path);
/*
 * Create (or empty) tmp, this process's scratch file (tmp_path()), with
 * mode, under an flock() held until the descriptor is closed: no sweep
 * (prune_dead_tmp()) removes it meanwhile, whatever pid namespace the
 * sweeper is in.  The descriptor (write only), or -1 with errno set.
 */
int tmp_open_locked(const char *tmp, mode_t mode);
/*
 * A process killed between writing its scratch file and renaming or
 * removing it leaves the file for good: remove those in dir whose process
 * is gone (its own, a live or a reused pid's stay), named
 * "<stem>.tmp.<pid>" for one of stems (NULL-terminated), or any
 * "<name>.tmp.<pid>" when stems is NULL (a directory of ours only).  Call
 * it where the directory is read or locked: a writer that has not started
 * yet makes a new file.  Reports nothing.
 */
void prune_dead_tmp(const char *dir, const char *const *stems);
/* prune_dead_tmp() of a git directory: our scratch files only (gp-clock, gp-index-checked, ...) */
void prune_gitdir_scratch(const char *gitdir);
/*
 * rm -rf path, never following a symbolic link (one is removed, not what
 * it names); quiet: 0, or -1 with errno set (what could be removed is).
 */
int remove_tree(const char *path);
/* mkdir -p; returns 0 or -1 (reported). */
int mkdir_p(const char *path, mode_t mode);

/*
 * The time limit of one git child (git merge-tree, git diff-files, git
 * checkout-index, ...: a hung merge or filter driver must not hang us):
 * parallel.git-timeout, default GP_GIT_TIMEOUT seconds, 0 for none.  Set
 * by session_config() before any thread starts.
 */
#define GP_GIT_TIMEOUT 600.0
void gp_git_timeout_set(double seconds);
double gp_git_timeout(void);
/* The monotonic clock, in seconds. */
double gp_now(void);
/* The deadline of a git child waited for from now (gp_now() seconds), or 0: none. */
double gp_git_deadline(void);
/*
 * "within 10m (parallel.git-timeout)": for a message saying a git child
 * was stopped.  Caller frees.
 */
char *gp_git_timeout_text(void);
/*
 * Stop the child pid and reap it: SIGTERM (git removes its lock files and
 * stops the filter processes it started), up to GP_STOP_GRACE seconds,
 * then SIGKILL.  Its wait status in *status (may be NULL).
 */
#define GP_STOP_GRACE 5.0
void gp_child_stop(pid_t pid, int *status);

/*
 * Should PCRE2 patterns be JIT-compiled?  Yes, unless GIT_PARALLEL_NO_JIT
 * is set: valgrind cannot follow JIT code and reports false errors there.
 */
int regex_jit_wanted(void);

/*
 * For the test suite only: when GIT_PARALLEL_TEST_CRASH_AT equals name,
 * die at once with SIGKILL, as a crash or a kill -9 at that instant would;
 * when GIT_PARALLEL_TEST_SIGNAL_AT equals name, send ourselves the signal
 * number GIT_PARALLEL_TEST_SIGNAL (default SIGINT), as a Ctrl-C would.
 */
void test_crash_point(const char *name);

/* Does buf hold valid UTF-8?  On failure *bad is the offset of the first bad byte. */
int utf8_valid(const char *buf, size_t len, size_t *bad);

/*
 * A file name as git writes it after "--- " or "+++ " in a patch (diff.c):
 * in C quotes ("\"b/\\303\\251.txt\"") when it holds a control
 * character, a '"', a '\\' or, with core.quotePath, a byte above 0x7f;
 * followed by a tab when it holds a space.  The name, unquoted, into out
 * (reset first); 0, or -1 when text (len bytes, no newline) is no such name.
 */
int unquote_patch_name(struct strbuf *out, const char *text, size_t len);

/*
 * libgit2 1.5 renames a lock onto a file that does not exist yet by
 * link() then unlink(): a process killed between leaves <path>.lock as a
 * second name of <path> (same device and inode).  Remove such a lock,
 * and only such.  1 removed, 0 none (or another file), -1 error (errno).
 */
int remove_half_renamed_lock(const char *path);

#endif
