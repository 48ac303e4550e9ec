/*
 * Reading the state directory's lock: who holds it, for what.
 */
#include <stdlib.h>
#include <string.h>

#include "gp/lock.h"
#include "gp/state.h"
#include "gp/util.h"

/* The value of "<key> = value" at the start of a line of buf, or NULL; caller frees. */
static char *lock_field(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *p = buf;

	while (p && *p) {
		if (!strncmp(p, key, klen) && !strncmp(p + klen, " = ", 3)) {
			const char *v = p + klen + 3, *end = strchr(v, '\n');
			size_t len = end ? (size_t)(end - v) : strlen(v);

			while (len && (v[len - 1] == ' ' || v[len - 1] == '\r'))
				len--;
			return xstrndup(v, len);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

char *state_lock_command(const char *state_dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/lock", state_dir);
	char *pid = NULL, *started = NULL, *command = NULL;

	if (strbuf_read_file(&sb, path) < 0)
		goto out;
	pid = lock_field(sb.buf, "pid");
	started = lock_field(sb.buf, "started");
	command = lock_field(sb.buf, "command");
	if (!pid || !state_pid_alive(strtol(pid, NULL, 10),
				     started ? strtoull(started, NULL, 10) : 0) ||
	    (command && !*command)) {
		free(command);
		command = NULL;
	}
out:
	free(pid);
	free(started);
	free(path);
	strbuf_release(&sb);
	return command;
}

char *state_merge_interrupted(const char *state_dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = state_journal_path(state_dir), *command = NULL, *target = NULL;
	const char *p;

	if (strbuf_read_file(&sb, path) < 0)
		goto out;
	command = state_lock_command(state_dir);
	if (command && !strcmp(command, "merge"))
		goto out;	/* a merge is at work: its journal is no news */
	if (!strncmp(sb.buf, "target ", 7))
		p = sb.buf + 7;
	else if ((p = strstr(sb.buf, "\ntarget ")))
		p += 8;
	else
		goto out;
	target = xstrndup(p, strcspn(p, "\n"));
	if (!strncmp(target, "refs/heads/", 11))
		memmove(target, target + 11, strlen(target + 11) + 1);
out:
	free(command);
	free(path);
	strbuf_release(&sb);
	return target;
}

void warn_merge_interrupted(const char *state_dir)
{
	char *target = state_merge_interrupted(state_dir);

	if (target)
		warning("a merge into '%s' was interrupted: where '%s' is checked out, git status "
			"may show the merge undone; run 'git parallel merge' to finish it, and commit "
			"nothing there before", target, target);
	free(target);
}
