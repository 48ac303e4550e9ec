/*
 * Making a new task worktree ready to work in: copied untracked files,
 * shared dependency directories, sparse directories, the setup command
 * (include/gp/prepare.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/fs.h>
#endif

#include <git2.h>

#include "gp/config.h"
#include "gp/prepare.h"

/* sparse directories */

static int has_wildcard(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return 1;
	return 0;
}

/* The directory part of a declared path: "" for a file at the top. */
static char *path_dir(const char *p)
{
	const char *s = p, *slash, *cut = NULL;

	/* the components before the first one with a wildcard */
	while ((slash = strchr(s, '/'))) {
		if (has_wildcard(s, (size_t)(slash - s)))
			break;
		cut = slash;
		s = slash + 1;
	}
	return cut ? xstrndup(p, (size_t)(cut - p)) : xstrdup("");
}

static void add_dir(struct strlist *dirs, char *d)
{
	size_t n = strlen(d);

	while (n && d[n - 1] == '/')
		d[--n] = '\0';
	if (!n || strlist_has(dirs, d))
		free(d);
	else
		strlist_push_nodup(dirs, d);
}

int prepare_sparse_dirs(const struct strlist *paths, const struct strlist *always,
			struct strlist *dirs)
{
	size_t k;

	if (!paths->nr)
		return 0;
	for (k = 0; k < paths->nr; k++)
		add_dir(dirs, path_dir(paths->v[k]));
	for (k = 0; always && k < always->nr; k++) {
		char *d = xstrdup(always->v[k]);
		size_t n = strlen(d);

		if (n && d[n - 1] != '/' && has_wildcard(d, n)) {
			free(d);
			d = path_dir(always->v[k]);
		}
		add_dir(dirs, d);
	}
	return 1;
}

/* copying */

/*
 * Create the parent directories of to/rel inside to, refusing to go
 * through anything that is not a real directory (a tracked symbolic
 * link to elsewhere, say).  0, or -1 (reported).
 */
static int safe_parents(const char *to, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = rel, *slash;
	struct stat st;
	int ret = 0;

	strbuf_addstr(&sb, to);
	while ((slash = strchr(s, '/'))) {
		strbuf_addch(&sb, '/');
		strbuf_add(&sb, s, (size_t)(slash - s));
		s = slash + 1;
		if (lstat(sb.buf, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				ret = error("cannot put '%s' into '%s': '%s' is not a directory",
					    rel, to, sb.buf);
				break;
			}
		} else if (errno != ENOENT || mkdir(sb.buf, 0777) < 0) {
			ret = error_errno("cannot create directory '%s'", sb.buf);
			break;
		}
	}
	strbuf_release(&sb);
	return ret;
}

/* Copy a regular file, with a reflink where the filesystem can; mode kept.  0 or -1. */
static int copy_file(const char *src, const char *dst, mode_t mode)
{
	char *tmp = xstrfmt("%s.gp-tmp", dst);
	char buf[65536];
	int in = -1, out = -1, ret = -1;
	ssize_t n;

	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		error_errno("cannot open '%s'", src);
		goto out;
	}
	unlink(tmp);
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		error_errno("cannot create '%s'", tmp);
		goto out;
	}
#ifdef FICLONE
	if (ioctl(out, FICLONE, in) == 0)
		goto copied;
#endif
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		char *p = buf;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			error_errno("cannot read '%s'", src);
			goto out;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				error_errno("cannot write '%s'", tmp);
				goto out;
			}
			p += w;
			n -= w;
		}
	}
#ifdef FICLONE
copied:
#endif
	if (fchmod(out, mode & 07777) < 0) {
		error_errno("cannot set the mode of '%s'", tmp);
		goto out;
	}
	if (close(out) < 0) {
		out = -1;
		error_errno("cannot write '%s'", tmp);
		goto out;
	}
	out = -1;
	if (rename(tmp, dst) < 0) {
		error_errno("cannot rename '%s' to '%s'", tmp, dst);
		goto out;
	}
	ret = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

/* Is rel tracked in index (a file, or a directory holding tracked files)? */
static int is_tracked(git_index *index, const char *rel)
{
	char *prefix;
	size_t pos;
	int ret;

	if (!index)
		return 0;
	if (git_index_get_bypath(index, rel, 0))
		return 1;
	prefix = xstrfmt("%s/", rel);
	ret = !git_index_find_prefix(&pos, index, prefix);
	free(prefix);
	return ret;
}

/*
 * Copy from/rel to to/rel (files, links, directories recursively).
 * Skips what is tracked or exists; counts what it copied in *n.
 */
static int copy_entry(const char *from, const char *to, const char *rel, git_index *index,
		      struct strbuf *log, size_t *n)
{
	char *src = xstrfmt("%s/%s", from, rel), *dst = xstrfmt("%s/%s", to, rel);
	struct stat st, dst_st;
	int ret = 0;

	if (lstat(src, &st) < 0) {
		ret = error_errno("cannot read '%s'", src);
		goto out;
	}
	if (is_tracked(index, rel)) {
		strbuf_addf(log, "not copied: '%s' is tracked\n", rel);
		goto out;
	}
	if (lstat(dst, &dst_st) == 0 && !(S_ISDIR(st.st_mode) && S_ISDIR(dst_st.st_mode))) {
		strbuf_addf(log, "not copied: '%s' exists in the worktree\n", rel);
		goto out;
	}
	if (safe_parents(to, rel) < 0) {
		ret = -1;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		struct strbuf target = STRBUF_INIT;
		ssize_t len;

		strbuf_grow(&target, (size_t)st.st_size + 1);
		len = readlink(src, target.buf, (size_t)st.st_size + 1);
		if (len < 0 || (size_t)len > (size_t)st.st_size)
			ret = error_errno("cannot read the symbolic link '%s'", src);
		else {
			strbuf_setlen(&target, (size_t)len);
			if (symlink(target.buf, dst) < 0)
				ret = error_errno("cannot create the symbolic link '%s'", dst);
			else
				(*n)++;
		}
		strbuf_release(&target);
	} else if (S_ISREG(st.st_mode)) {
		ret = copy_file(src, dst, st.st_mode);
		if (!ret)
			(*n)++;
	} else if (S_ISDIR(st.st_mode)) {
		struct dirent *de;
		DIR *dir;

		if (mkdir(dst, st.st_mode & 07777) < 0 && errno != EEXIST) {
			ret = error_errno("cannot create directory '%s'", dst);
			goto out;
		}
		if (!(dir = opendir(src))) {
			ret = error_errno("cannot read directory '%s'", src);
			goto out;
		}
		while (!ret && (de = readdir(dir))) {
			char *sub;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
			    !strcmp(de->d_name, ".git"))
				continue;
			sub = xstrfmt("%s/%s", rel, de->d_name);
			ret = copy_entry(from, to, sub, index, log, n);
			free(sub);
		}
		closedir(dir);
	} else {
		strbuf_addf(log, "not copied: '%s' is not a file, link or directory\n", rel);
	}
out:
	free(src);
	free(dst);
	return ret;
}

static int open_index(git_repository **repo, git_index **index, const char *wt_gitdir)
{
	*repo = NULL;
	*index = NULL;
	if (git_repository_open_ext(repo, wt_gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    git_repository_index(index, *repo) < 0)
		return error("cannot read the index of '%s': %s", wt_gitdir, gp_git_error());
	return 0;
}

/* A path below the top of "from" (after resolving symbolic links): its relative part, or NULL. */
static const char *inside(const char *real_from, const char *path, const char *from)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *real;
	const char *rel = path + strlen(from) + 1, *ret = NULL;

	if (slash)
		*slash = '\0';
	real = realpath(dir, NULL);
	if (real && path_below(real, real_from))
		ret = rel;
	free(real);
	free(dir);
	if (ret && (!strcmp(ret, ".git") || !strncmp(ret, ".git/", 5)))
		ret = NULL;
	/* glob's ".*" matches "." and ".." too */
	if (ret) {
		const char *c = ret;

		while (*c) {
			size_t n = strcspn(c, "/");

			if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
				ret = NULL;
				break;
			}
			c += n + (c[n] == '/');
		}
	}
	return ret;
}

int prepare_copy(const char *from, const char *to, const char *wt_gitdir,
		 const struct strlist *patterns, struct strbuf *log)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	char *real_from = realpath(from, NULL);
	size_t k, i, n = 0;
	int ret = 0;

	if (!real_from)
		return error_errno("cannot resolve '%s'", from);
	if (open_index(&repo, &index, wt_gitdir) < 0) {
		ret = -1;
		goto out;
	}
	for (k = 0; !ret && k < patterns->nr; k++) {
		char *pattern = xstrfmt("%s/%s", from, patterns->v[k]);
		glob_t g;
		int err = glob(pattern, 0, NULL, &g);

		if (err == GLOB_NOMATCH)
			strbuf_addf(log, "parallel.copy: nothing matches '%s'\n", patterns->v[k]);
		else if (err)
			ret = error("parallel.copy: cannot expand '%s'", patterns->v[k]);
		for (i = 0; !err && !ret && i < g.gl_pathc; i++) {
			const char *rel = inside(real_from, g.gl_pathv[i], from);

			if (!rel) {
				strbuf_addf(log, "not copied: '%s' is not inside the repository\n",
					    g.gl_pathv[i]);
				continue;
			}
			ret = copy_entry(from, to, rel, index, log, &n);
		}
		globfree(&g);	/* glob() initialises it, whatever it returns */
		free(pattern);
	}
	if (!ret && patterns->nr)
		strbuf_addf(log, "parallel.copy: %zu file%s copied\n", n, n == 1 ? "" : "s");
out:
	git_index_free(index);
	git_repository_free(repo);
	free(real_from);
	return ret;
}

/* sharing */

/* Make sure the common info/exclude ignores /rel as a file too. */
static int exclude_path(const char *common_dir, const char *rel)
{
	char *path = xstrfmt("%s/info/exclude", common_dir);
	char *dir = xstrfmt("%s/info", common_dir);
	char *line = xstrfmt("/%s", rel);
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	int ret = 0, found = 0;

	if (strbuf_read_file(&sb, path) < 0 && errno != ENOENT) {
		ret = error_errno("cannot read '%s'", path);
		goto out;
	}
	for (p = sb.buf; *p && !found;) {
		size_t n = strcspn(p, "\n");

		found = n == strlen(line) && !strncmp(p, line, n);
		p += n + (p[n] == '\n');
	}
	if (found)
		goto out;
	if (sb.len && sb.buf[sb.len - 1] != '\n')
		strbuf_addch(&sb, '\n');
	strbuf_addf(&sb, "# git-parallel: shared into task worktrees as a symbolic link, which a\n"
		    "# directory rule (dir/) does not match\n%s\n", line);
	if (mkdir_p(dir, 0777) < 0 || write_file_atomic(path, sb.buf, sb.len, 0644) < 0)
		ret = -1;
out:
	strbuf_release(&sb);
	free(line);
	free(dir);
	free(path);
	return ret;
}

int prepare_share(const char *from, const char *to, const char *common_dir,
		  const char *wt_gitdir, const struct strlist *dirs, int mode,
		  struct strbuf *log)
{
	git_repository *main_repo = NULL, *repo = NULL;
	git_index *index = NULL;
	size_t k, n = 0;
	int ret = 0;

	if (mode == CONFIG_SHARE_OFF || !dirs->nr)
		return 0;
	if (open_index(&repo, &index, wt_gitdir) < 0) {
		ret = -1;
		goto out;
	}
	if (git_repository_open_ext(&main_repo, from, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		ret = error("cannot open '%s': %s", from, gp_git_error());
		goto out;
	}
	for (k = 0; !ret && k < dirs->nr; k++) {
		const char *rel = dirs->v[k];
		char *src = xstrfmt("%s/%s", from, rel), *dst = xstrfmt("%s/%s", to, rel);
		struct stat st;
		int ignored = 0;

		if (lstat(src, &st) < 0 || !S_ISDIR(st.st_mode)) {
			strbuf_addf(log, "parallel.share: '%s' is not a directory in the main "
				    "worktree; not shared\n", rel);
		} else if (git_ignore_path_is_ignored(&ignored, main_repo, rel) < 0 || !ignored) {
			ret = error("parallel.share: '%s' is not ignored in '%s'; only ignored "
				    "directories are shared", rel, from);
		} else if (is_tracked(index, rel)) {
			ret = error("parallel.share: '%s' holds tracked files", rel);
		} else if (lstat(dst, &st) == 0) {
			strbuf_addf(log, "parallel.share: '%s' exists in the worktree; left as it is\n", rel);
		} else if (safe_parents(to, rel) < 0) {
			ret = -1;
		} else if (mode == CONFIG_SHARE_SYMLINK) {
			if (exclude_path(common_dir, rel) < 0)
				ret = -1;
			else if (symlink(src, dst) < 0)
				ret = error_errno("cannot create the symbolic link '%s'", dst);
			else
				n++;
		} else {
			size_t files = 0;

			ret = copy_entry(from, to, rel, index, log, &files);
			n += !ret;
		}
		free(src);
		free(dst);
	}
	if (!ret)
		strbuf_addf(log, "parallel.share: %zu director%s shared (%s)\n", n, n == 1 ? "y" : "ies",
			    mode == CONFIG_SHARE_SYMLINK ? "symlink" : "copy");
out:
	git_index_free(index);
	git_repository_free(repo);
	git_repository_free(main_repo);
	return ret;
}

/* setup */

/* git's local_repo_env, but for git -c's configuration, kept (as runner.c) */
static const char *const repo_env[] = {
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_OBJECT_DIRECTORY",
	"GIT_DIR", "GIT_WORK_TREE",
	"GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE", "GIT_INDEX_FILE",
	"GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX",
	"GIT_SHALLOW_FILE", "GIT_COMMON_DIR",
};

int prepare_run(const char *cmd, const char *cwd, const char *const *env, const char *log_path)
{
	int logfd, status;
	pid_t pid, got;

	logfd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (logfd < 0)
		return error_errno("cannot open the log '%s'", log_path);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(logfd);
		return error_errno("cannot fork");
	}
	if (!pid) {
		/* the child: we are single-threaded here (no worktree threads run) */
		struct sigaction sa;
		sigset_t empty;
		int devnull = open("/dev/null", O_RDONLY), sig;
		size_t k;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		for (sig = 1; sig < NSIG; sig++)
			sigaction(sig, &sa, NULL);
		sigemptyset(&empty);
		sigprocmask(SIG_SETMASK, &empty, NULL);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 ||
		    chdir(cwd) < 0)
			_exit(126);
		for (k = 0; k < ARRAY_SIZE(repo_env); k++)
			unsetenv(repo_env[k]);
		for (k = 0; env && env[k]; k++)
			putenv((char *)env[k]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(logfd);
	while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (got < 0)
		return error_errno("waitpid for the setup command failed");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* markers */

int prepare_has_mark(const char *admin, const char *name)
{
	char *path = xstrfmt("%s/%s", admin, name);
	struct stat st;
	int ret = !lstat(path, &st);

	free(path);
	return ret;
}

int prepare_set_mark(const char *admin, const char *name, const char *content)
{
	char *path = xstrfmt("%s/%s", admin, name);
	int ret = write_file_atomic(path, content, strlen(content), 0644);

	free(path);
	return ret;
}
