/*
 * Unit tests for src/util.c's file writers: write_file_quietly() (the
 * one quiet writer of state.c's cache and merge.c's index copy) writes
 * atomically, reports nothing and leaves nothing behind when it fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gp/util.h"
#include "tap.h"

static int stderr_to(const char *path)
{
	int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	return saved;
}

static void stderr_back(int saved)
{
	report_flush();	/* error() holds its line back */
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

static size_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? (size_t)-1 : (size_t)st.st_size;
}

static void test_write_quietly(const char *dir)
{
	char *path = xstrfmt("%s/cache", dir), *tmp = tmp_path(path);
	char *err = xstrfmt("%s/stderr", dir), *sub = xstrfmt("%s/sub", dir);
	char *intodir = tmp_path(sub), *gone = xstrfmt("%s/no/such/file", dir);
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int saved, rc, e;

	is_int(write_file_quietly(path, "one\n", 4, 0600), 0, "a quiet write writes");
	strbuf_read_file(&sb, path);
	is_str(sb.buf, "one\n", "with the content given");
	ok(!stat(path, &st) && (st.st_mode & 07777) == 0600, "and the mode given");
	ok(access(tmp, F_OK) < 0, "no temporary file is left");

	/* a temporary file of this pid left by a dead process that had it */
	close(open(tmp, O_WRONLY | O_CREAT, 0600));
	is_int(write_file_quietly(path, "two\n", 4, 0600), 0,
	       "a stale temporary file by this pid's name does not stop it");
	strbuf_reset(&sb);
	strbuf_read_file(&sb, path);
	is_str(sb.buf, "two\n", "the file is written again");
	ok(access(tmp, F_OK) < 0, "and the stale temporary file is gone");

	saved = stderr_to(err);
	errno = 0;
	rc = write_file_quietly(gone, "x", 1, 0600);
	e = errno;
	stderr_back(saved);
	is_int(rc, -1, "a write into a missing directory fails");
	is_int(e, ENOENT, "with errno kept");

	/* the rename fails (a directory is there): the temporary file goes */
	mkdir(sub, 0700);
	saved = stderr_to(err);
	rc = write_file_quietly(sub, "x", 1, 0600);
	stderr_back(saved);
	is_int(rc, -1, "a write over a directory fails");
	ok(access(intodir, F_OK) < 0, "and leaves no temporary file");
	is_int((long)file_size(err), 0, "nothing is reported");

	saved = stderr_to(err);
	rc = write_file_atomic(sub, "x", 1, 0600);
	stderr_back(saved);
	is_int(rc, -1, "write_file_atomic() fails there too");
	ok(file_size(err) > 0 && file_size(err) != (size_t)-1, "and says why");
	ok(access(intodir, F_OK) < 0, "and leaves no temporary file");

	unlink(path);
	unlink(err);
	rmdir(sub);
	strbuf_release(&sb);
	free(gone);
	free(intodir);
	free(sub);
	free(err);
	free(tmp);
	free(path);
}

int main(void)
{
	char tmpl[] = "/tmp/t-util.XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return 1;
	test_write_quietly(dir);
	rmdir(dir);
	return tap_done();
}
