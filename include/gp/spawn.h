#ifndef GP_SPAWN_H
#define GP_SPAWN_H

#include <sys/types.h>

#include "gp/util.h"

/*
 * One way to start a child process (git's run-command.h as the model):
 * an argv, never a shell; a cwd; stdin, stdout and stderr each our own,
 * /dev/null, a pipe to us, or a descriptor we give; and one environment
 * policy for every git we run.
 *
 *	struct spawn sp = SPAWN_INIT;
 *	const char *argv[] = { "git", "diff-files", "--quiet", NULL };
 *
 *	sp.argv = argv;
 *	sp.dir = top;
 *	sp.git_dir = gitdir;
 *	sp.work_tree = top;
 *	rc = spawn_run(&sp, NULL, 0);
 *
 * The environment.  The child gets ours, except git's local_repo_env
 * (environment.c: the variables that tie a process to one repository),
 * which git's own prepare_other_repo_env() removes when it runs git on a
 * repository it names (a submodule): GIT_DIR, GIT_WORK_TREE,
 * GIT_INDEX_FILE, GIT_COMMON_DIR, GIT_OBJECT_DIRECTORY,
 * GIT_ALTERNATE_OBJECT_DIRECTORIES, GIT_IMPLICIT_WORK_TREE, GIT_PREFIX,
 * GIT_CONFIG, GIT_GRAFT_FILE, GIT_SHALLOW_FILE, GIT_NO_REPLACE_OBJECTS,
 * GIT_REPLACE_REF_BASE; and GIT_NAMESPACE (our children name objects,
 * not refs) and GIT_DIFF_OPTS (git diff-tree would take its context over
 * ours).  The child's repository is then named explicitly: GIT_DIR is
 * git_dir and GIT_WORK_TREE is work_tree, each unset when NULL (git then
 * finds the repository from dir).  Kept, as git keeps them for its own
 * subprocesses: the configuration the user gave (git -c:
 * GIT_CONFIG_PARAMETERS; GIT_CONFIG_COUNT with GIT_CONFIG_KEY_<n> and
 * GIT_CONFIG_VALUE_<n>; GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM,
 * GIT_CONFIG_NOSYSTEM), HOME, PATH, and every other variable.  Last, env
 * ("NAME=value" sets NAME, a bare "NAME" unsets it): the caller's own,
 * such as GIT_INDEX_FILE for a scratch index.
 */

/* stdin, stdout, stderr: one of these, or a descriptor of ours (dup2()ed) */
#define SPAWN_INHERIT -1	/* ours */
#define SPAWN_NULL -2		/* /dev/null */
#define SPAWN_PIPE -3		/* a pipe: our end in in_fd / out_fd / err_fd */
#define SPAWN_TO_OUT -4		/* stderr only: where stdout goes */

enum spawn_flags {
	/*
	 * Unblock the signals a merge defers (SIGINT, SIGTERM, SIGHUP,
	 * SIGQUIT) in the child; without it the child starts with our mask.
	 */
	SPAWN_UNBLOCK = 1 << 0,
	/*
	 * When posix_spawnp() cannot start argv (not found, a script
	 * without #!, no memory), fork() and execvp() it: a child that
	 * cannot exec exits 127.  Without it spawn_start() fails.
	 */
	SPAWN_FORK_FALLBACK = 1 << 1,
	/* The child leads a process group of its own (kill(-pid) reaches what it starts). */
	SPAWN_NEW_GROUP = 1 << 2,
	/*
	 * The child starts with no signal blocked and SIGPIPE, SIGINT,
	 * SIGTERM, SIGHUP, SIGQUIT and SIGCHLD at their defaults, even
	 * where we ignore one (a run ignores SIGPIPE): git as from a shell.
	 */
	SPAWN_DEFAULT_SIGNALS = 1 << 3,
};

/* A spawn_wait() whose deadline passed: the child was stopped (spawn_stop()) and reaped. */
#define SPAWN_TIMED_OUT -2

struct spawn {
	/* in */
	const char *const *argv;	/* argv[0] looked up in PATH */
	const char *dir;		/* the child's cwd; NULL: ours */
	const char *git_dir;		/* GIT_DIR for the child; NULL: unset */
	const char *work_tree;		/* GIT_WORK_TREE for the child; NULL: unset */
	const char *const *env;		/* NULL-terminated, applied last */
	int in, out, err;		/* SPAWN_* or a descriptor */
	/*
	 * stdin from a pipe already holding input (in is then ignored):
	 * written before the child starts, so at most SPAWN_INPUT_MAX bytes
	 * (a pipe's capacity: the write never blocks).
	 */
	const struct strbuf *input;
	unsigned flags;			/* enum spawn_flags */
	/* out */
	pid_t pid;			/* > 0 once started, 0 once reaped */
	int in_fd, out_fd, err_fd;	/* our ends of the SPAWN_PIPE ones, or -1 */
	int signal;			/* after spawn_wait(): the signal that killed it, or 0 */
};

#define SPAWN_INPUT_MAX 60000

#define SPAWN_INIT { .in = SPAWN_NULL, .out = SPAWN_INHERIT, .err = SPAWN_INHERIT, \
		     .in_fd = -1, .out_fd = -1, .err_fd = -1 }

void spawn_init(struct spawn *sp);

/*
 * Start sp->argv: 0, or -1 with errno set (nothing reported: the caller
 * says what could not run).  Our ends of its pipes are close-on-exec, so
 * no later child holds them open.
 */
int spawn_start(struct spawn *sp);

/*
 * Wait for sp's child to end; deadline (CLOCK_MONOTONIC seconds, see
 * spawn_now(); 0: none) bounds the wait.  Returns its exit status, 128 +
 * the signal that killed it (sp->signal), SPAWN_TIMED_OUT, or -1 (errno
 * set) when it cannot be waited for.  Closes none of our pipe ends.
 */
int spawn_wait(struct spawn *sp, double deadline);

/*
 * Read sp->out_fd to its end into out (NULL: discarded), close it, and
 * spawn_wait(sp, deadline); the deadline bounds the reading too.
 */
int spawn_finish(struct spawn *sp, struct strbuf *out, double deadline);

/*
 * Write in to the child's stdin (sp->in = SPAWN_PIPE: in any size, as the
 * child reads it) while reading its stdout into out (NULL: discarded),
 * both at once: a child may answer before it has read everything.  Then
 * close both and spawn_wait(sp, deadline); the deadline bounds it all.
 * A child that stops reading early is no error here: the rest of in is
 * dropped, and no SIGPIPE reaches us.  in NULL: spawn_finish().
 */
int spawn_exchange(struct spawn *sp, const struct strbuf *in, struct strbuf *out,
		   double deadline);

/* spawn_start() and spawn_finish(): -1 (errno set) when it cannot start. */
int spawn_run(struct spawn *sp, struct strbuf *out, double deadline);

/*
 * Stop sp's child and reap it (gp_child_stop(): SIGTERM to the processes
 * below it first, a merge or filter driver git waits for, so that git
 * ends as when its driver fails and removes its temporary files; then
 * SIGTERM to the child, SIGKILL after GP_STOP_GRACE seconds).  Our pipe
 * ends are left open.  What spawn_wait() and spawn_finish() do when their
 * deadline passes.
 */
void spawn_stop(struct spawn *sp);

/*
 * For an error path: close the child's stdin, spawn_stop() it (the
 * processes below it first, SIGKILL only after the grace), then close
 * our other pipe ends.
 */
void spawn_abort(struct spawn *sp);

/* CLOCK_MONOTONIC, in seconds: deadlines are spawn_now() + a timeout. */
double spawn_now(void);

#endif
