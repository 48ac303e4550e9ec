#ifndef GP_PATHRES_H
#define GP_PATHRES_H

#include <git2.h>

#include "gp/util.h"

/*
 * The files of the base tree, for deciding what a word of a task file
 * names: "budget.bicep" is infra/modules/budget.bicep when that is the
 * only file of that name; "apps/web" is a directory; "console.log" is
 * not a file unless the tree has one.
 */
struct pathres {
	char **paths;		/* every file of the tree, sorted (byte order) */
	size_t nr, alloc;
	size_t *by_base;	/* indexes into paths, sorted by basename then path */
};
#define PATHRES_INIT { NULL, 0, 0, NULL }

void pathres_init(struct pathres *pr);
void pathres_release(struct pathres *pr);

/* Read the tree of a commit.  Returns 0, or -1 after reporting an error. */
int pathres_load(struct pathres *pr, git_repository *repo, const git_oid *commit);

/* Add one file (for tests and callers that know their files). */
void pathres_add(struct pathres *pr, const char *path);
/* Sort after pathres_add(); pathres_load() does it. */
void pathres_finish(struct pathres *pr);

int pathres_is_file(const struct pathres *pr, const char *path);
/* "apps/web" or "apps/web/": a directory of the tree (a file lies below it) */
int pathres_is_dir(const struct pathres *pr, const char *dir);

/*
 * Files whose name is "name" (no slash), or whose path ends in
 * "/suffix" (with slashes).  Returns how many; *out is the first
 * (borrowed, valid until pathres_release()).
 */
size_t pathres_find(const struct pathres *pr, const char *name_or_suffix, const char **out);

/*
 * Files matching a glob ("*" within a segment, "**" across segments,
 * "?"), pushed to out up to max of them.  Returns how many match.
 */
size_t pathres_glob(const struct pathres *pr, const char *pattern, struct strlist *out, size_t max);

#endif
