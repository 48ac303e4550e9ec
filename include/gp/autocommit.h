#ifndef GP_AUTOCOMMIT_H
#define GP_AUTOCOMMIT_H

#include <git2.h>

#include "gp/util.h"

/*
 * commit = auto through git's own rules: what a task's command left in its
 * worktree is committed by the git CLI -- "git add -A", then "git commit
 * -F <file>" -- so that the repository's pre-commit and commit-msg hooks
 * run and commit.gpgSign / user.signingKey (and every other commit
 * setting) are honoured, as when the user commits.  The message (task
 * text) goes through a file, never on a command line.
 */
struct autocommit {
	const char *worktree;	/* the task's worktree */
	const char *message;	/* the commit message */
	const char *msg_file;	/* where to write it (a private directory); removed after */
	const char *log;	/* git's and the hooks' output is appended here */
};

/*
 * Commit.  *committed is 0 when there was nothing to commit.  Returns 0;
 * 1 when git refused (a hook said no, signing failed: why says so, the
 * work stays in the worktree, staged); -1 when it could not run (why).
 */
int autocommit_run(const struct autocommit *ac, int *committed, struct strbuf *why);

#endif
