#ifndef GP_REMOTE_H
#define GP_REMOTE_H

#include <git2.h>

#include "gp/plan.h"
#include "gp/state.h"
#include "gp/util.h"

/*
 * Many machines: the git remote is the rendezvous (DESIGN.md 3.2).  On
 * the remote:
 *   refs/parallel/plan         a commit whose tree holds "plan" (the saved
 *                              plan, as in the state directory) and
 *                              "settings" (command, timeout, retries,
 *                              commit, branch-prefix at push time)
 *   refs/parallel/base         the pinned base commit
 *   refs/parallel/state/<id>   a commit whose tree holds "state" (the
 *                              task's state file, plus the worker's lease)
 *   refs/heads/<prefix><id>    the task's work, once done
 * Fetched here into the remote's own namespace refs/gp-remote/<ns>/
 * (<ns>/parallel/..., <ns>/heads/<prefix><id>, <ns>/target; see
 * remote_ns()), pruned at every fetch.  Transport
 * is the git CLI (git fetch, git push --atomic --force-with-lease):
 * libgit2 1.5's transports lack leases and ssh configuration.
 */

#define REMOTE_NS "refs/gp-remote/"

struct remote_task {
	int has_state;
	git_oid state_commit;	/* the fetched refs/parallel/state/<id> */
	struct task_status st;	/* its state; a fresh pending one when none */
	char *text;		/* the state text as published, or NULL */
	double lease;		/* the claim's lease expiry (epoch seconds), 0: none */
	char *worker;		/* who claimed it, or NULL */
	int has_branch;
	git_oid branch;		/* the fetched refs/heads/<prefix><id> */
};

struct remote_settings {
	char *command;		/* parallel.command (or --command) at push time, or NULL */
	double timeout;
	unsigned int retries;
	int commit_auto;
	char *branch_prefix;
};

struct remote {
	git_repository *repo;	/* borrowed */
	char *name;		/* a remote name or URL, as given */
	char *ns;		/* where its refs are fetched: remote_ns(name) */
	char *workdir;
	int has_plan;		/* the remote holds a plan */
	git_oid plan_commit;
	struct strbuf plan_text;
	struct plan plan;
	struct remote_settings set;
	int has_base;
	git_oid base;
	struct remote_task *tasks;	/* one per plan task */
};

/* Is this a remote we pass to git (not empty, not an option)?  0 or -1 (reported). */
int remote_check_name(const char *name);

/*
 * Fetch what the remote holds under refs/parallel/ (with branches, the
 * task branches too) and read it.  A remote without a plan is not an
 * error: r->has_plan is 0.  Returns 0 or -1 (reported).
 */
int remote_load(struct remote *r, git_repository *repo, const char *name, int branches);
void remote_release(struct remote *r);

/* Fetch the task branches (refs/heads/<prefix>*) into refs/gp-remote/<ns>/heads/.  0 or -1. */
int remote_fetch_branches(struct remote *r);

/* Is task i's claim stale: running, and its lease ran out before now? */
int remote_task_stale(const struct remote_task *t, double now);

/* One ref to change on the remote, under a lease. */
struct remote_update {
	const char *ref;	/* full ref name on the remote */
	int remove;		/* delete it */
	git_oid new_oid;
	int has_old;		/* lease: it must be old_oid; else it must not exist */
	git_oid old_oid;
};

/*
 * Push all updates at once (git push --atomic), each under its lease.
 * Returns 0 when pushed, 1 when the remote refused (a lease did not
 * hold: someone else moved a ref; nothing changed), -1 on another
 * failure (reported).  On 1, why says which ref moved.
 */
int remote_push(struct remote *r, const struct remote_update *u, size_t nr, struct strbuf *why);

/* A commit whose tree holds one file "name" with text (parent may be NULL).  0 or -1. */
int remote_file_commit(git_oid *out, git_repository *repo, const char *name, const char *text,
		       size_t len, const git_oid *parent, const char *message);

/* The state text of st plus the claim (worker, lease), for a state ref. */
void remote_state_text(struct strbuf *out, const struct task_status *st, const char *worker,
		       double lease);

/*
 * Publish the plan saved in state_dir and its settings (settings text as
 * from remote_settings_format) with its base: refs/parallel/plan and
 * refs/parallel/base, under leases on what r holds.  With replace, state
 * refs of another plan are deleted in the same push.  0, 1 (refused), -1.
 */
void remote_settings_format(struct strbuf *out, const struct remote_settings *set);
int remote_publish(struct remote *r, const char *plan_text, size_t plan_len, const char *settings,
		   const git_oid *base, int replace, struct strbuf *why);

/*
 * What 'git parallel push' does: publish the plan saved in s (its
 * settings from s's configuration, command if given) on r (loaded).  A
 * remote holding task states of another plan: 2 unless force (then they
 * are dropped, *dropped of them).  0 pushed, 1 refused (why), 2, -1.
 */
struct session;
int remote_publish_session(struct remote *r, struct session *s, const char *command, int force,
			   size_t *dropped, struct strbuf *why);

/* The plan's identity on the remote, or NULL. */
const char *remote_plan_id(const struct remote *r);

/*
 * Write the remote's plan and task states as a state directory (dir, made
 * afresh): what status reads.  Running tasks are written as running
 * under us, so that they are not taken for interrupted ones.
 */
int remote_mirror(struct remote *r, const char *dir);

/*
 * The directory remote_mirror() writes for this process: private
 * (<state>/remote-mirror.<pid>-<start>), so that status commands running
 * at once never read one another's half-written mirror.  Those left by
 * processes that are gone are removed on the way.  remote_mirror_remove()
 * removes ours when status has read it.
 */
char *remote_mirror_path(git_repository *repo);
void remote_mirror_remove(const char *dir);

/*
 * Make the local state directory hold the remote's plan: written when
 * there is none or it is the same plan; another plan is an error.  0/-1.
 */
int remote_import_plan(struct remote *r, const char *state_dir);

/*
 * Write task i's remote state into state_dir as tasks/<id>, its branch
 * pointing at the fetched remote branch (refs/gp-remote/<ns>/heads/...), no
 * worktree, no run pid.  0 or -1.
 */
int remote_import_state(struct remote *r, size_t i, const char *state_dir);

/*
 * The namespace a remote (name or URL) is fetched into, with a trailing
 * slash: "refs/gp-remote/origin/", or "refs/gp-remote/%%<hex>/" for a URL.
 * Caller frees.
 */
char *remote_ns(const char *name);
/* "refs/gp-remote/<ns>/heads/<prefix><id>"; caller frees. */
char *remote_branch_ref(const struct remote *r, const char *id);
/* "refs/heads/<prefix><id>"; caller frees. */
char *remote_branch_name(const struct remote *r, const char *id);

/*
 * The URL of a remote as hosts elsewhere reach it: a configured remote's
 * URL (git remote get-url), or name itself when it is a URL or a path
 * (made absolute).  Caller frees; NULL when unknown (reported).
 */
char *remote_url(const char *workdir, const char *name);

/* Run git with args in cwd; its output (stdout and stderr) into out when given.  Exit status, or -1. */
int remote_git(const char *cwd, const struct strlist *args, struct strbuf *out);

#endif

/*
 * The remote's value of ref (a full ref name), fetched into
 * refs/gp-remote/<ns>/target: *exists 0 when the remote has no such ref.
 * 0 or -1 (reported).
 */
int remote_fetch_target(struct remote *r, const char *ref, int *exists, git_oid *oid);

/*
 * merge --remote, before merging: the remote's finished task states
 * written into the local state directory (not over a merged one), their
 * branches the fetched ones.  0 or -1.
 */
int remote_import_finished(struct remote *r, const char *state_dir);

/*
 * merge --remote, after merging: push the target (from old, or expecting
 * absence) to new_tip together with the state of every task whose local
 * state now differs from the remote's, in one atomic push under leases.
 * 0 pushed, 1 refused (why), -1 error.  *pushed counts the state refs.
 */
int remote_push_merge(struct remote *r, const char *state_dir, const char *target, int target_exists,
		      const git_oid *old, const git_oid *new_tip, size_t *pushed, struct strbuf *why);

/*
 * clean --remote: delete the state refs and task branches of merged
 * tasks (all with all), and the plan and base once no state is left.
 * Branches someone moved are kept (listed in kept).  0, 1 refused, -1.
 */
int remote_clean(struct remote *r, int all, struct strlist *removed, struct strlist *kept,
		 struct strbuf *why);
