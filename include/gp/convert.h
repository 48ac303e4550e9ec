#ifndef GP_CONVERT_H
#define GP_CONVERT_H
/*
 * The conversions git makes between a blob and its file that libgit2 1.5
 * does not: filter drivers (clean, smudge, the long-running process
 * protocol) and working-tree-encoding.  libgit2's checkout writes the
 * blob's bytes and its status and diffs hash a file's bytes as they are,
 * where git writes the smudged or re-encoded file and reads it back
 * through the clean filter or the encoding.  Where the attributes convert,
 * git is asked (no shell, git's repository variables removed from its
 * environment, the index never written); everywhere else libgit2's answer
 * is git's.
 */
#include <git2.h>
#include "gp/util.h"

/*
 * May git convert a file of wrepo's worktree?  Cheap, and errs towards
 * yes: the text of every attributes file (the index's .gitattributes,
 * info/attributes, core.attributesFile or the XDG one, /etc/gitattributes)
 * mentions "working-tree-encoding", or mentions "filter" while a
 * filter.<name>.clean, .smudge or .process is configured (or git -c
 * variables, which libgit2 does not read, are set).  index: wrepo's (NULL:
 * read here).  1, 0, or -1 (libgit2's error set).
 */
int convert_may_apply(git_repository *wrepo, git_index *index);

/*
 * The paths of index whose attributes, as git reads them in the worktree
 * top (git check-attr), convert: a working-tree-encoding, or a filter
 * whose driver is configured (any of clean, smudge, process; every named
 * one while git -c variables are set).  Pushed onto out in the index's
 * order, each once; skip-worktree entries left out.  0, or -1 (git could
 * not say; why says what went wrong).
 */
int convert_paths(struct strlist *out, git_repository *wrepo, const char *top,
		  git_index *index, struct strbuf *why);

/* The same for the worktree paths given (each once), not the index's. */
int convert_paths_of(struct strlist *out, git_repository *wrepo, const char *top,
		     const struct strlist *paths, struct strbuf *why);

/*
 * The paths git status names in the worktree top, as
 * GIT_OPTIONAL_LOCKS=0 git status --porcelain -z --no-renames
 * --untracked-files=all shows them (staged or not, untracked; the index
 * is not written): pushed onto out.  Their number, or -1 (git could not
 * say: why says so), or CONVERT_TIMED_OUT (git was stopped past
 * parallel.git-timeout: why says so).
 */
int convert_git_status(struct strlist *out, const char *top, struct strbuf *why);

/*
 * Run git argv in top, without a shell (spawn.h: its environment
 * policy, then the "NAME=value" strings of env, NULL-terminated, or
 * NULL): stdin from in (any size, written as git reads, spawn_exchange())
 * or /dev/null, stdout (and stderr when with_stderr, else
 * /dev/null) into out.  Returns git's exit status, or -1 when it could
 * not run (or was killed), or CONVERT_TIMED_OUT when it did not finish
 * within parallel.git-timeout (a filter driver that hangs: git is
 * stopped, spawn_stop(), and out ends with a line that says so).
 */
#define CONVERT_TIMED_OUT -2
int convert_run_git(const char *top, const char *const *argv, const char *const *env,
		    const struct strbuf *in, struct strbuf *out, int with_stderr);

/*
 * convert_run_git() of argv followed by "--" and every path of paths
 * (argv names --literal-pathspecs: each path as it is, never a pattern),
 * stdin /dev/null, stderr dropped.  The same returns.
 */
int convert_run_git_paths(const char *top, const char *const *argv, const struct strlist *paths,
			  const char *const *env, struct strbuf *out);

/* The last line of text (trailing newlines dropped), in place. */
void convert_last_line(struct strbuf *text);

#endif
