/*
 * bench/wt-create: create N task worktrees the way git parallel run does
 * (worktree_create_many, N threads) and print the seconds it took.
 *
 *	bench/wt-create <gitdir> <parent-dir> <n>
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <git2.h>

#include "gp/worktree.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	git_repository *repo = NULL;
	struct wt_request *reqs;
	char **names, **branches, **paths;
	git_oid head;
	int n, i, ret = 1;
	double t0;

	if (argc != 4 || (n = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: bench/wt-create <gitdir> <parent-dir> <n>\n");
		return 129;
	}
	git_libgit2_init();
	if (git_repository_open(&repo, argv[1]) < 0 ||
	    git_reference_name_to_id(&head, repo, "HEAD") < 0) {
		fprintf(stderr, "fatal: %s\n", gp_git_error());
		return 128;
	}
	reqs = xcalloc((size_t)n, sizeof(*reqs));
	names = xcalloc((size_t)n, sizeof(*names));
	branches = xcalloc((size_t)n, sizeof(*branches));
	paths = xcalloc((size_t)n, sizeof(*paths));
	for (i = 0; i < n; i++) {
		names[i] = xstrfmt("B%d", i + 1);
		branches[i] = xstrfmt("refs/heads/bench/B%d", i + 1);
		paths[i] = xstrfmt("%s/B%d", argv[2], i + 1);
		reqs[i].name = names[i];
		reqs[i].branch = branches[i];
		reqs[i].base = head;
		reqs[i].path = paths[i];
	}
	t0 = now();
	if (worktree_create_many(argv[1], reqs, (size_t)n, n) == 0) {
		printf("%.3f\n", now() - t0);
		ret = 0;
	}
	for (i = 0; i < n; i++) {
		if (reqs[i].error)
			fprintf(stderr, "error: %s\n", reqs[i].error);
		wt_request_release(&reqs[i]);
		free(names[i]);
		free(branches[i]);
		free(paths[i]);
	}
	free(reqs);
	free(names);
	free(branches);
	free(paths);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return ret;
}
