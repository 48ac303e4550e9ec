#ifndef GP_GITMERGE_H
#define GP_GITMERGE_H

#include <sys/types.h>

#include <git2.h>

#include "gp/treediff.h"
#include "gp/util.h"

/*
 * git's own verdict on a merge (issue 15): libgit2 1.5's three-way merge
 * is not git's merge-ort.  Its content merge diffs with Myers where git
 * uses histogram (each can conflict where the other merges cleanly), it
 * has no directory-rename detection, runs no custom merge drivers
 * (merge.<name>.driver), and names some conflicts at other paths.  Where
 * they may disagree, git decides: git merge-tree --write-tree
 * --name-only -z <ours> <theirs> (git >= 2.38), run without a shell, in
 * the repository's work tree (git 2.39 reads .gitattributes there), with
 * commit ids only on its command line.
 */

/*
 * libgit2's rename detection gives up beyond 200 add/delete candidates
 * (target_limit); git's merge-ort considers up to 7,000 (merge.renameLimit).
 * merge and check --exact set git's.
 */
#define GITMERGE_RENAME_LIMIT 7000

struct gitmerge {
	int conflicts;		/* 0: git merges cleanly; 1: it conflicts */
	git_oid tree;		/* the tree git wrote (with conflict markers when conflicts) */
	struct strlist paths;	/* the conflicted paths, sorted, each once */
	/* git's informational messages: the first path each names, and its type */
	struct strlist msg_paths, msg_types;
};

void gitmerge_init(struct gitmerge *g);
void gitmerge_release(struct gitmerge *g);
/* dst (initialized) becomes a copy of src. */
void gitmerge_copy(struct gitmerge *dst, const struct gitmerge *src);

/*
 * Ask git to merge the commits ours and theirs of repo (with git's merge
 * bases).  The tree it wrote is checked to be in the object database.
 * Returns 0, or -1 when git could not answer (a warning: git missing or
 * older than 2.38, a failure); the caller then keeps libgit2's answer.
 */
int gitmerge_run(struct gitmerge *out, git_repository *repo, const git_oid *ours,
		 const git_oid *theirs);

/*
 * gitmerge_run() in two halves, so that git merges while the caller
 * works: gitmerge_start() starts git merge-tree on ours and theirs
 * (NULL when it cannot: reported); gitmerge_finish() waits for it and
 * returns as gitmerge_run() does, freeing the child.  Every started
 * child must be finished.
 */
struct gitmerge_child;
struct gitmerge_child *gitmerge_start(git_repository *repo, const git_oid *ours,
				      const git_oid *theirs);
/* Was the child started on exactly ours and theirs? */
int gitmerge_child_is(const struct gitmerge_child *gc, const git_oid *ours, const git_oid *theirs);
int gitmerge_finish(struct gitmerge *out, struct gitmerge_child *gc, git_repository *repo);

/*
 * One git merge-tree --write-tree --stdin for many merges (git >= 2.38):
 * a process started once instead of one per merge, whose object caches
 * stay warm from one merge to the next.  git 2.39 does not flush its
 * answers, so it runs under stdbuf -o0 (coreutils).
 * gitmerge_confirmer_start() starts it and waits for git's merge of probe
 * (any commit) with itself: NULL, nothing said, when that does not come
 * back (no stdbuf, a git that does not answer at once: ask per merge,
 * gitmerge_start()) or GIT_PARALLEL_TEST_MERGE_TREE_STDIN=0 (t/README).
 * gitmerge_confirmer_ask() asks for ours and theirs: the answer's number
 * (0, 1, ... in order), or -1.  gitmerge_confirmer_answer() waits for the
 * answer numbered k, which must be the oldest not taken: 0, or -1 as
 * gitmerge_run() (a warning; libgit2's merge decides).  When git ended
 * before answering (killed; or it died on one merge, which ends --stdin
 * for every merge after it), a warning says so once and every pair not
 * answered yet is asked of its own git merge-tree (gitmerge_run()), as
 * if there had been no --stdin.  gitmerge_confirmer_stop() ends it (NULL
 * is fine).
 */
struct gitmerge_confirmer;
struct gitmerge_confirmer *gitmerge_confirmer_start(git_repository *repo, const git_oid *probe);
long gitmerge_confirmer_ask(struct gitmerge_confirmer *cf, const git_oid *ours, const git_oid *theirs);
int gitmerge_confirmer_answer(struct gitmerge *out, struct gitmerge_confirmer *cf, long k);
void gitmerge_confirmer_stop(struct gitmerge_confirmer *cf);

/*
 * gitmerge_run() for the pairs (ours[i], theirs[i]), i < n, up to jobs git
 * processes at a time: out[i] and ok[i] (0, or -1 as gitmerge_run()
 * returns).  Returns 0.
 */
int gitmerge_run_many(struct gitmerge *out, int *ok, git_repository *repo,
		      const git_oid *ours, const git_oid *theirs, size_t n, size_t jobs);

/*
 * Can git's merge of ours and theirs differ from libgit2's clean one?  1
 * when both sides changed a path (git's content merge, drivers), when
 * both deleted a path and a side added files (a rename libgit2 may not
 * see: it finds none of files of fewer than 4 lines), when one side deleted
 * files and the other added some below (renames, directory renames), or
 * when the merge base is not unique; 0 when the two sides
 * changed disjoint paths only; -1 on a libgit2 failure (reported).
 */
int gitmerge_needed(git_repository *repo, const git_oid *ours, const git_oid *theirs);

/*
 * git's own line scripts, to decide content merges without merging.
 * merge-ort merges a text file both sides changed with xdl_merge() on
 * two histogram diffs (and no other diff option) of the base against
 * each side; git diff-tree --histogram --no-indent-heuristic computes
 * the very same scripts (with one line of context: at -U0 git diff
 * trims the common tail first, which changes the scripts).
 */
struct gitmerge_hunk {
	unsigned long i1;	/* first changed base line, 0-based (an insertion: the line it goes before) */
	unsigned long chg1;	/* base lines changed */
	unsigned long chg2;	/* lines put there */
};

struct gitmerge_script {
	struct gitmerge_hunk *v;
	size_t nr, alloc;
	int binary;		/* git showed "Binary files ... differ": no script */
};

/*
 * The scripts of every file that differs between base_trees[i] and
 * side_trees[i] (i < n), limited to paths when given (literal paths):
 * git diff-tree --stdin, one process per 300 pairs, run as
 * gitmerge_run() runs git.  out maps "<old blob>..<new blob>" (hex) to
 * a struct gitmerge_script * (freed by gitmerge_scripts_clear()).
 * 0, or -1 (a warning): decide nothing from out then.
 */
int gitmerge_scripts(struct strmap *out, git_repository *repo, const git_oid *base_trees,
		     const git_oid *side_trees, size_t n, const struct strlist *paths);
void gitmerge_scripts_clear(struct strmap *m);

/*
 * The same scripts from one git diff-tree --stdin that stays running,
 * for merge, which asks for the scripts of new blobs at every step:
 * gitmerge_differ_start() starts it (NULL when it cannot: reported);
 * gitmerge_differ_scripts() adds to out the scripts of base_trees[i] ->
 * side_trees[i], i < n, as gitmerge_scripts() does: 0, or -1 (a
 * warning, once: the differ answers -1 from then on);
 * gitmerge_differ_stop() ends it (NULL is fine).
 */
struct gitmerge_differ;
struct gitmerge_differ *gitmerge_differ_start(git_repository *repo);
int gitmerge_differ_scripts(struct gitmerge_differ *d, struct strmap *out, const git_oid *base_trees,
			    const git_oid *side_trees, size_t n);
void gitmerge_differ_stop(struct gitmerge_differ *d);
/*
 * The same in two steps, to let git diff while the caller works:
 * gitmerge_differ_send() asks (after reading into out any answer not
 * read yet: one in flight at most), gitmerge_differ_collect() reads
 * every answer asked for into out.  0, or -1 as above.
 */
int gitmerge_differ_send(struct gitmerge_differ *d, struct strmap *out, const git_oid *base_trees,
			 const git_oid *side_trees, size_t n);
int gitmerge_differ_collect(struct gitmerge_differ *d, struct strmap *out);
/* How many tree pairs d was asked to diff. */
size_t gitmerge_differ_requests(const struct gitmerge_differ *d);

/* The script of the blobs base -> side in scripts (as filled above), or NULL. */
const struct gitmerge_script *gitmerge_script_of(const struct strmap *scripts, const git_oid *base,
					      const git_oid *side);

/*
 * xdl_merge() (merge-ort's content merge, XDL_MERGE_ZEALOUS) of a text
 * file from its scripts a (base -> ours) and b (base -> theirs), as
 * xdiff/xmerge.c does it: a change of one side stays alone when it ends
 * before the other side's next change begins, with at least one
 * unchanged base line between; the same change on both sides (same base
 * lines, same new lines) is no conflict; any other meeting is a conflict
 * region, unless (refine: merge.conflictStyle is "merge", the default;
 * diff3 and zdiff3 do not refine) both sides put the very same lines
 * there.  0: clean, git's merged text appended to out; 1: git conflicts
 * on the file; -1: the scripts are empty or binary, or do not fit the
 * contents (decide nothing).
 */
int gitmerge_scripts_merge(struct strbuf *out, const char *ours, size_t ours_len,
			   const struct gitmerge_script *a, const char *theirs, size_t theirs_len,
			   const struct gitmerge_script *b, int refine);
/*
 * refine for gitmerge_scripts_merge(): merge.conflictStyle unset or
 * "merge".  This and gitmerge_config_plain() ask git config itself when
 * the environment carries configuration libgit2 1.5 does not read (git
 * -c, GIT_CONFIG_COUNT, GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM): then a
 * core.attributesFile also makes the configuration not plain.
 */
int gitmerge_conflict_refine(git_repository *repo);

/*
 * merge.directoryRenames as git's merge takes it, read with git config
 * when the environment gives configuration libgit2 does not read (git -c,
 * GIT_CONFIG_*): 1 when a directory renamed on one side makes a file the
 * other side added in it a conflict (unset, "conflict", a value git does
 * not know), 0 when git moves it (true) or does not look (false).
 */
int gitmerge_dir_renames_conflict(git_repository *repo);

/*
 * A merge.conflictStyle value git does not know (only merge, diff3 and
 * zdiff3; a key without a value) makes every git merge-tree die while it
 * reads its configuration, even when a later file sets a good one; so
 * does merge.directoryRenames given without a value (the last one: a
 * later value overrides it): -1 (an error naming the setting and the
 * value or the file, ending with nothing, what the caller did not do:
 * "nothing was merged"), else 0.
 */
int gitmerge_config_check(git_repository *repo, const char *nothing);

/*
 * Does git merge path with its own text merge, as those functions
 * assume?  Only when no merge attribute is set for it (libgit2 reads the
 * same attribute files as git), no merge.renormalize nor merge.default is
 * in the configuration, and none of the three blobs is binary to git (a
 * NUL in the first 8000 bytes, buffer_is_binary(): merge-ort then does a
 * binary merge, whatever the diff attribute made the scripts).  The diff
 * attribute itself does not change the scripts: git diff-tree runs with
 * --no-textconv --no-ext-diff and its own algorithm, and a driver that
 * makes a file binary shows no script.
 */
int gitmerge_text_merge(git_repository *repo, const char *path);
int gitmerge_config_plain(git_repository *repo);
int gitmerge_binary(const char *buf, size_t len);

/*
 * Would xdl_merge() find a conflict region between the scripts a and
 * b of one base (a change of one side overlapping or touching a change
 * of the other)?  0 means git's content merge of the file is clean.
 */
int gitmerge_scripts_clash(const struct gitmerge_script *a, const struct gitmerge_script *b);

/*
 * gitmerge_needed() from the two sides' changes against their single
 * merge base (tree_side_diff() from the base's tree to each side's): 1
 * or 0.
 */
int gitmerge_needed_sides(const struct tree_side *ours, const struct tree_side *theirs);

/*
 * The renames git finds between two trees of repo, as its merge does (-M,
 * up to GITMERGE_RENAME_LIMIT files): pair i is old_paths[i] ->
 * new_paths[i] (appended).  One git diff-tree.  0, or -1 (a warning:
 * find them otherwise).
 */
int gitmerge_renames(struct strlist *old_paths, struct strlist *new_paths, git_repository *repo,
		     const git_oid *old_tree, const git_oid *new_tree);

/* Is path one of git's conflicted paths? */
int gitmerge_has(const struct gitmerge *g, const char *path);

/*
 * Our name for the type of git's conflict at path ("content", "add/add",
 * "modify/delete", "rename", "file location", "binary", "submodule",
 * "directory/file", "mode"; static), or "content" when no message names it.
 */
const char *gitmerge_type(const struct gitmerge *g, const char *path);

/* The same, or NULL when no message of git's names path. */
const char *gitmerge_type_named(const struct gitmerge *g, const char *path);

#endif
