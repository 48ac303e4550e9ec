/*
 * The git remote as the rendezvous of many machines: the plan, the base,
 * each task's state and branch as refs (see gp/remote.h).  Transport is
 * the git CLI; objects are made with libgit2.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gp/config.h"
#include "gp/remote.h"
#include "gp/repo.h"
#include "gp/run.h"
#include "gp/session.h"
#include "gp/spawn.h"

int remote_git(const char *cwd, const struct strlist *args, struct strbuf *out)
{
	/* never ask for a password on a terminal: workers run unattended */
	static const char *const env[] = { "GIT_TERMINAL_PROMPT=0", "GIT_PARALLEL_TEST_CRASH_AT", NULL };
	const char **argv = xcalloc(args->nr + 2, sizeof(*argv));
	struct spawn sp = SPAWN_INIT;
	size_t k;
	int rc;

	argv[0] = "git";
	for (k = 0; k < args->nr; k++)
		argv[k + 1] = args->v[k];
	sp.argv = argv;
	sp.dir = cwd;
	sp.env = env;
	sp.out = out ? SPAWN_PIPE : 2;
	sp.err = out ? SPAWN_TO_OUT : SPAWN_INHERIT;
	sp.flags = SPAWN_FORK_FALLBACK;
	rc = spawn_run(&sp, out, 0);
	free(argv);
	if (rc < 0)
		return error_errno("cannot run git");
	return rc;
}

int remote_check_name(const char *name)
{
	if (!name || !*name)
		return error("no remote given");
	if (name[0] == '-')
		return error("remote '%s' looks like an option", name);
	if (strchr(name, '\n'))
		return error("remote name has a newline in it");
	return 0;
}

/* A file of a commit's tree, into out.  1 when the commit has no such file. */
static int read_commit_file(git_repository *repo, const git_oid *commit, const char *name,
			    struct strbuf *out)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int ret = -1;

	if (git_commit_lookup(&c, repo, commit) < 0 || git_commit_tree(&tree, c) < 0) {
		ret = error("cannot read commit %s: %s", git_oid_tostr_s(commit), gp_git_error());
		goto out;
	}
	if (git_tree_entry_bypath(&te, tree, name) < 0) {
		ret = 1;
		goto out;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0) {
		ret = error("cannot read '%s' of commit %s: %s", name, git_oid_tostr_s(commit),
			    gp_git_error());
		goto out;
	}
	strbuf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	ret = 0;
out:
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(c);
	return ret;
}

int remote_file_commit(git_oid *out, git_repository *repo, const char *name, const char *text,
		       size_t len, const git_oid *parent, const char *message)
{
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_commit *pc = NULL;
	git_signature *sig = NULL;
	git_oid blob, toid;
	const git_commit *parents[1];
	int ret = -1;

	if (git_signature_default(&sig, repo) < 0 &&
	    git_signature_now(&sig, "git-parallel", "git-parallel@localhost") < 0)
		goto fail;
	if (git_blob_create_from_buffer(&blob, repo, text, len) < 0 ||
	    git_treebuilder_new(&tb, repo, NULL) < 0 ||
	    git_treebuilder_insert(NULL, tb, name, &blob, GIT_FILEMODE_BLOB) < 0 ||
	    git_treebuilder_write(&toid, tb) < 0 || git_tree_lookup(&tree, repo, &toid) < 0)
		goto fail;
	if (parent && git_commit_lookup(&pc, repo, parent) < 0)
		goto fail;
	parents[0] = pc;
	if (git_commit_create(out, repo, NULL, sig, sig, NULL, message, tree, pc ? 1 : 0, parents) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	error("cannot write a commit for '%s': %s", name, gp_git_error());
out:
	git_commit_free(pc);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_signature_free(sig);
	return ret;
}

/* settings */

void remote_settings_format(struct strbuf *out, const struct remote_settings *set)
{
	strbuf_addstr(out, "[settings]\n");
	if (set->command) {
		strbuf_addstr(out, "\tcommand = ");
		state_escape(out, set->command);
		strbuf_addch(out, '\n');
	}
	strbuf_addf(out, "\ttimeout = %.3f\n\tretries = %u\n\tcommit = %s\n", set->timeout, set->retries,
		    set->commit_auto ? "auto" : "never");
	strbuf_addstr(out, "\tbranch-prefix = ");
	state_escape(out, set->branch_prefix ? set->branch_prefix : "parallel/");
	strbuf_addch(out, '\n');
}

struct settings_reader {
	struct remote_settings *set;
	struct strbuf val;
};

static int settings_fn(void *data, const char *section, const char *sub, const char *key,
		       const char *value, const struct ini_pos *pos)
{
	struct settings_reader *r = data;

	if (strcmp(section, "settings"))
		return 0;
	strbuf_reset(&r->val);
	if (state_unescape(&r->val, value) < 0)
		return error("%s:%d: malformed value for '%s'", pos->file, pos->line, key);
	if (!strcmp(key, "command"))
		task_status_set(&r->set->command, r->val.buf);
	else if (!strcmp(key, "timeout"))
		r->set->timeout = strtod(r->val.buf, NULL);
	else if (!strcmp(key, "retries"))
		r->set->retries = (unsigned int)strtoul(r->val.buf, NULL, 10);
	else if (!strcmp(key, "commit"))
		r->set->commit_auto = strcmp(r->val.buf, "never") != 0;
	else if (!strcmp(key, "branch-prefix"))
		task_status_set(&r->set->branch_prefix, r->val.buf);
	return 0;
}

static int valid_prefix(const char *prefix)
{
	char *ref = xstrfmt("refs/heads/%sX", prefix);
	int ok = git_reference_is_valid_name(ref) && !strchr(prefix, '*');

	free(ref);
	return ok;
}

/* refs */

/*
 * git's output as one line for our message: its "fatal: " and "error: "
 * prefixes dropped, its lines joined with "; ", so the line that explains
 * an exit 128 stays the last and only "fatal: " line.  out is rewritten.
 */
static const char *git_says(struct strbuf *out)
{
	struct strbuf one = STRBUF_INIT;
	const char *p = out->buf;

	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *line = p;
		size_t n;

		if (!eol)
			eol = p + strlen(p);
		if (!strncmp(line, "fatal: ", 7) || !strncmp(line, "error: ", 7))
			line += 7;
		n = (size_t)(eol - line);
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
			n--;
		if (n) {
			if (one.len)
				strbuf_addstr(&one, "; ");
			strbuf_add(&one, line, n);
		}
		p = *eol ? eol + 1 : eol;
	}
	strbuf_release(out);
	*out = one;
	return out->buf;
}

/*
 * Two git fetches into the same refs at once fail ("cannot lock ref ...:
 * is at X but expected Y"): status --remote, merge --remote and clean
 * --remote of one repository may run together, so their fetches take
 * turns, under an flock() of the git directory (dropped when we exit,
 * however we exit).  -1 when it cannot be had (reported).
 */
static int fetch_lock(struct remote *r)
{
	const char *dir = git_repository_commondir(r->repo);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return error_errno("cannot open '%s'", dir);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			error_errno("cannot lock '%s'", dir);
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int fetch(struct remote *r, const char *refspec)
{
	struct strlist args = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	int rc, lock = fetch_lock(r);

	if (lock < 0)
		return -1;

	strlist_push(&args, "fetch");
	strlist_push(&args, "-q");
	strlist_push(&args, "--no-tags");
	strlist_push(&args, "--prune");
	strlist_push(&args, "--no-write-fetch-head");
	strlist_push(&args, "--no-recurse-submodules");
	strlist_push(&args, r->name);
	strlist_push(&args, refspec);
	rc = remote_git(r->workdir, &args, &out);
	close(lock);
	if (rc) {
		git_says(&out);
		error("cannot fetch from '%s' (git fetch exit %d)%s%s", r->name, rc,
		      out.len ? ": " : "", out.buf);
	}
	strlist_clear(&args);
	strbuf_release(&out);
	return rc ? -1 : 0;
}

static int ref_oid(git_repository *repo, const char *ref, git_oid *out)
{
	return git_reference_name_to_id(out, repo, ref) == 0;
}

/*
 * Each remote fetches into a namespace of its own, so that status
 * --remote A and --remote B neither prune nor overwrite what the other
 * fetched (and reads right after its fetch): refs/gp-remote/<name>/ for a
 * plain remote name, refs/gp-remote/%%<SHA-1 of it>/ for a URL, a path,
 * or a name the old layout used (parallel, heads, target).  Caller frees.
 */
char *remote_ns(const char *name)
{
	static const char *const old_layout[] = { "parallel", "heads", "target" };
	const char *p;
	int plain = name && *name && *name != '-' && strlen(name) <= 64;
	size_t k;
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];

	for (p = name; plain && *p; p++)
		plain = isalnum((unsigned char)*p) || *p == '_' || *p == '-';
	for (k = 0; plain && k < ARRAY_SIZE(old_layout); k++)
		plain = strcmp(name, old_layout[k]) != 0;
	if (plain)
		return xstrfmt(REMOTE_NS "%s/", name);
	if (git_odb_hash(&oid, name ? name : "", name ? strlen(name) : 0, GIT_OBJECT_BLOB) < 0)
		memset(&oid, 0, sizeof(oid));
	git_oid_tostr(hex, sizeof(hex), &oid);	/* not _s: no libgit2 thread state */
	return xstrfmt(REMOTE_NS "%%%%%s/", hex);
}

/* A URL or path in one spelling, to compare: file:// dropped, a path made real, no trailing /. */
static char *url_key(const char *url, const char *base)
{
	const char *p = !strncmp(url, "file://", 7) ? url + 7 : url;
	char *key, *real;
	size_t n;

	if (p[0] == '/' || p[0] == '.') {
		key = p[0] == '/' || !base ? xstrdup(p) : xstrfmt("%s/%s", base, p);
		if ((real = realpath(key, NULL))) {
			free(key);
			key = real;
		}
	} else {
		key = xstrdup(url);
	}
	for (n = strlen(key); n > 1 && key[n - 1] == '/'; n--)
		key[n - 1] = '\0';
	return key;
}

/*
 * The name whose namespace a remote (name or URL) is fetched into: the
 * first configured remote, by name, whose URL is the same as the URL of
 * name -- so that origin and its URL (or another name for it) share one
 * namespace and one fetch -- or else name itself.  Caller frees.
 */
static int has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && !strcmp(s + len - n, suffix);
}

/* url with the longest url.<base>.insteadOf prefix replaced (pairs: base, prefix). Caller frees. */
static char *url_rewritten(const char *url, const struct strlist *pairs)
{
	size_t k, best = (size_t)-1, best_len = 0;

	for (k = 0; k + 1 < pairs->nr; k += 2) {
		size_t n = strlen(pairs->v[k + 1]);

		if (n > best_len && !strncmp(url, pairs->v[k + 1], n)) {
			best = k;
			best_len = n;
		}
	}
	if (best == (size_t)-1)
		return xstrdup(url);
	return xstrfmt("%s%s", pairs->v[best], url + best_len);
}

static char *remote_canonical(git_repository *repo, const char *workdir, const char *name)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	struct strlist remotes = STRLIST_INIT, rewrites = STRLIST_INIT;
	char *key = NULL, *best = NULL, *url;
	const char *base = workdir ? workdir : git_repository_commondir(repo), *own = NULL;
	size_t k;

	/*
	 * remote.<name>.url and url.<base>.insteadOf from one walk of the
	 * config, not git_remote_list() or git_remote_lookup(): libgit2
	 * 1.5's regexp match leaks its match data on every name that does
	 * not match (see config_load_git()).
	 */
	if (git_repository_config_snapshot(&cfg, repo) < 0 || git_config_iterator_new(&it, cfg) < 0)
		goto out;
	while (!git_config_next(&e, it)) {
		size_t len = strlen(e->name);

		if (!e->value)
			continue;
		if (!strncmp(e->name, "remote.", 7) && has_suffix(e->name, len, ".url") &&
		    len > strlen("remote..url")) {
			char *rname = xstrndup(e->name + 7, len - 7 - 4);

			for (k = 0; k < remotes.nr && strcmp(remotes.v[k], rname); k += 2)
				;
			if (k >= remotes.nr) {	/* its first url, as git fetches */
				strlist_push(&remotes, rname);
				strlist_push(&remotes, e->value);
			}
			free(rname);
		} else if (!strncmp(e->name, "url.", 4) && has_suffix(e->name, len, ".insteadof") &&
			   len > strlen("url..insteadof")) {
			char *b = xstrndup(e->name + 4, len - 4 - strlen(".insteadof"));

			strlist_push(&rewrites, b);
			strlist_push(&rewrites, e->value);
			free(b);
		}
	}
	for (k = 0; k < remotes.nr; k += 2)
		if (!strcmp(remotes.v[k], name))
			own = remotes.v[k + 1];
	url = url_rewritten(own ? own : name, &rewrites);
	key = url_key(url, base);
	free(url);
	for (k = 0; k < remotes.nr; k += 2) {
		char *other;

		if (best && strcmp(remotes.v[k], best) >= 0)
			continue;
		url = url_rewritten(remotes.v[k + 1], &rewrites);
		other = url_key(url, base);
		free(url);
		if (!strcmp(other, key)) {
			free(best);
			best = xstrdup(remotes.v[k]);
		}
		free(other);
	}
out:
	git_error_clear();
	git_config_iterator_free(it);
	git_config_free(cfg);
	strlist_clear(&remotes);
	strlist_clear(&rewrites);
	free(key);
	return best ? best : xstrdup(name);
}

/*
 * The old layout's branch refs a local task state names: a task that an
 * older merge --remote imported has its branch there (STATE_OLD_REMOTE_HEADS),
 * and clean, report or a local merge would not find it without the ref.
 */
static void named_by_states(git_repository *repo, struct strmap *out)
{
	char *dir = repo_state_path(repo, NULL);
	struct strlist ids = STRLIST_INIT;
	size_t k;

	state_task_ids(dir, &ids);	/* unreadable: reported, nothing kept */
	for (k = 0; k < ids.nr; k++) {
		struct task_status st;

		if (!state_task_load(&st, dir, ids.v[k], NULL) && st.branch &&
		    !strncmp(st.branch, STATE_OLD_REMOTE_HEADS, strlen(STATE_OLD_REMOTE_HEADS)))
			strmap_put(out, st.branch, NULL, NULL);
		task_status_release(&st);
	}
	strlist_clear(&ids);
	free(dir);
}

/*
 * The layout before namespaces: every remote fetched into
 * refs/gp-remote/{parallel,heads}/ and refs/gp-remote/target, pruning one
 * another's refs.  Those refs are a cache of what a remote holds, fetched
 * again each time: remove them (no namespace has those names) -- except a
 * branch a local task state still names, kept until none does.
 */
static void drop_old_layout(struct remote *r)
{
	static const char *const globs[] = {
		REMOTE_NS "parallel/*", REMOTE_NS "heads/*", REMOTE_NS "target",
	};
	struct strlist names = STRLIST_INIT;
	struct strmap keep;
	git_reference_iterator *it = NULL;
	const char *name;
	size_t k;
	int lock = -1, kept = 0;

	strmap_init(&keep);
	for (k = 0; k < ARRAY_SIZE(globs); k++) {
		if (git_reference_iterator_glob_new(&it, r->repo, globs[k]) < 0)
			continue;
		while (!git_reference_next_name(&name, it)) {
			if (!strncmp(name, STATE_OLD_REMOTE_HEADS, strlen(STATE_OLD_REMOTE_HEADS)) &&
			    !kept++)
				named_by_states(r->repo, &keep);
			if (!strmap_contains(&keep, name))
				strlist_push(&names, name);
		}
		git_reference_iterator_free(it);
		it = NULL;
	}
	if (names.nr && (lock = fetch_lock(r)) >= 0) {
		for (k = 0; k < names.nr; k++) {
			git_reference_remove(r->repo, names.v[k]);	/* gone already: fine */
			if (!k)
				test_crash_point("remote-mid-drop-old-layout");
		}
		close(lock);
	}
	strmap_clear(&keep);
	strlist_clear(&names);
}

char *remote_branch_ref(const struct remote *r, const char *id)
{
	return xstrfmt("%sheads/%s%s", r->ns, r->set.branch_prefix, id);
}

char *remote_branch_name(const struct remote *r, const char *id)
{
	return xstrfmt("refs/heads/%s%s", r->set.branch_prefix, id);
}

/* lease and worker: keys of the state text that state.c ignores */
static void parse_claim(struct remote_task *t)
{
	const char *p = t->text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char *line = xstrndup(p, n), *s = line;

		while (*s == '\t' || *s == ' ')
			s++;
		if (!strncmp(s, "lease = ", 8)) {
			t->lease = strtod(s + 8, NULL);
		} else if (!strncmp(s, "worker = ", 9)) {
			struct strbuf v = STRBUF_INIT;

			if (!state_unescape(&v, s + 9))
				task_status_set(&t->worker, v.buf);
			strbuf_release(&v);
		}
		free(line);
		p = eol ? eol + 1 : NULL;
	}
}

void remote_state_text(struct strbuf *out, const struct task_status *st, const char *worker,
		       double lease)
{
	state_task_format(out, st);
	if (worker) {
		strbuf_addstr(out, "\tworker = ");
		state_escape(out, worker);
		strbuf_addch(out, '\n');
	}
	if (lease > 0)
		strbuf_addf(out, "\tlease = %.3f\n", lease);
}

static int read_tasks(struct remote *r)
{
	size_t i;
	int ret = 0;

	r->tasks = xcalloc(r->plan.tasks.nr + 1, sizeof(*r->tasks));
	for (i = 0; i < r->plan.tasks.nr; i++) {
		struct remote_task *t = &r->tasks[i];
		const char *id = r->plan.tasks.v[i].id;
		char *ref = xstrfmt("%sparallel/state/%s", r->ns, id);

		task_status_init(&t->st, id);
		if (ref_oid(r->repo, ref, &t->state_commit)) {
			struct strbuf sb = STRBUF_INIT;
			char *file = xstrfmt("%s:refs/parallel/state/%s", r->name, id);

			t->has_state = 1;
			if (read_commit_file(r->repo, &t->state_commit, "state", &sb) != 0 ||
			    state_task_parse(&t->st, file, sb.buf, sb.len) < 0 || strcmp(t->st.id, id)) {
				ret = error("'%s' holds no state of task '%s'", file, id);
			} else {
				t->text = strbuf_detach(&sb, NULL);
				parse_claim(t);
			}
			strbuf_release(&sb);
			free(file);
		}
		free(ref);
	}
	return ret;
}

int remote_fetch_branches(struct remote *r)
{
	char *spec = xstrfmt("+refs/heads/%s*:%sheads/%s*", r->set.branch_prefix, r->ns,
			     r->set.branch_prefix);
	size_t i;
	int ret = fetch(r, spec);

	free(spec);
	for (i = 0; !ret && i < r->plan.tasks.nr; i++) {
		char *ref = remote_branch_ref(r, r->plan.tasks.v[i].id);

		r->tasks[i].has_branch = ref_oid(r->repo, ref, &r->tasks[i].branch);
		free(ref);
	}
	return ret;
}

int remote_load(struct remote *r, git_repository *repo, const char *name, int branches)
{
	struct strbuf set = STRBUF_INIT;
	char *file = NULL, *spec = NULL;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->repo = repo;
	r->name = xstrdup(name ? name : "");
	r->workdir = repo_workdir(repo);
	strbuf_init(&r->plan_text, 0);
	plan_init(&r->plan);
	r->set.branch_prefix = xstrdup("parallel/");
	r->set.commit_auto = 1;
	if (remote_check_name(name) < 0)
		goto out;
	{
		char *canon = remote_canonical(repo, r->workdir, name);

		r->ns = remote_ns(canon);
		free(canon);
	}
	drop_old_layout(r);
	spec = xstrfmt("+refs/parallel/*:%sparallel/*", r->ns);
	if (fetch(r, spec) < 0)
		goto out;
	free(spec);
	spec = NULL;
	spec = xstrfmt("%sparallel/base", r->ns);
	r->has_base = ref_oid(repo, spec, &r->base);
	free(spec);
	spec = NULL;
	spec = xstrfmt("%sparallel/plan", r->ns);
	if (!ref_oid(repo, spec, &r->plan_commit)) {
		r->tasks = xcalloc(1, sizeof(*r->tasks));
		ret = 0;
		goto out;
	}
	r->has_plan = 1;
	file = xstrfmt("%s:refs/parallel/plan", r->name);
	if (read_commit_file(repo, &r->plan_commit, "plan", &r->plan_text) != 0) {
		error("'%s' holds no plan", file);
		goto out;
	}
	if (plan_parse(&r->plan, file, r->plan_text.buf, r->plan_text.len) < 0)
		goto out;
	if (read_commit_file(repo, &r->plan_commit, "settings", &set) == 0) {
		struct settings_reader sr = { &r->set, STRBUF_INIT };
		int rr = ini_read_buf(file, set.buf, set.len, settings_fn, &sr);

		strbuf_release(&sr.val);
		if (rr < 0)
			goto out;
	}
	if (!valid_prefix(r->set.branch_prefix)) {
		error("%s: branch-prefix '%s' makes no valid branch name", file, r->set.branch_prefix);
		goto out;
	}
	if (!r->has_base || !git_oid_equal(&r->base, &r->plan.base_oid)) {
		error("'%s:refs/parallel/base' is not the plan's base %s: push the plan again",
		      r->name, git_oid_tostr_s(&r->plan.base_oid));
		goto out;
	}
	if (read_tasks(r) < 0)
		goto out;
	if (branches && remote_fetch_branches(r) < 0)
		goto out;
	ret = 0;
out:
	free(spec);
	free(file);
	strbuf_release(&set);
	return ret;
}

void remote_release(struct remote *r)
{
	size_t i;

	if (r->tasks) {
		for (i = 0; i < r->plan.tasks.nr; i++) {
			task_status_release(&r->tasks[i].st);
			free(r->tasks[i].text);
			free(r->tasks[i].worker);
		}
		free(r->tasks);
	}
	plan_release(&r->plan);
	strbuf_release(&r->plan_text);
	free(r->set.command);
	free(r->set.branch_prefix);
	free(r->name);
	free(r->ns);
	free(r->workdir);
	memset(r, 0, sizeof(*r));
}

const char *remote_plan_id(const struct remote *r)
{
	return r->has_plan ? r->plan.id : NULL;
}

int remote_task_stale(const struct remote_task *t, double now)
{
	return t->has_state && t->st.state == TS_RUNNING && t->lease > 0 && t->lease < now;
}

int remote_push(struct remote *r, const struct remote_update *u, size_t nr, struct strbuf *why)
{
	struct strlist args = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	size_t k;
	int rc, ret;

	if (!nr)
		return 0;
	strlist_push(&args, "push");
	strlist_push(&args, "-q");
	strlist_push(&args, "--porcelain");
	strlist_push(&args, "--no-verify");
	if (nr > 1)
		strlist_push(&args, "--atomic");
	for (k = 0; k < nr; k++)
		strlist_push_nodup(&args, xstrfmt("--force-with-lease=%s:%s", u[k].ref,
						  u[k].has_old ? git_oid_tostr_s(&u[k].old_oid) : ""));
	strlist_push(&args, r->name);
	for (k = 0; k < nr; k++) {
		if (u[k].remove)
			strlist_push_nodup(&args, xstrfmt(":%s", u[k].ref));
		else
			/* no "+": a forced refspec ignores its lease (git 2.39) */
			strlist_push_nodup(&args, xstrfmt("%s:%s", git_oid_tostr_s(&u[k].new_oid), u[k].ref));
	}
	rc = remote_git(r->workdir, &args, &out);
	if (!rc) {
		ret = 0;
		goto out;
	}
	{
		/* porcelain: "!\t<from>:<to>\t[rejected] (stale info)" for each refused ref */
		const char *p = out.buf;
		int rejected = 0;

		while (p && *p) {
			const char *eol = strchr(p, '\n');
			size_t n = eol ? (size_t)(eol - p) : strlen(p);

			if (n > 2 && p[0] == '!' && p[1] == '\t') {
				char *line = xstrndup(p + 2, n - 2);
				char *to = strchr(line, ':'), *tab = to ? strchr(to, '\t') : NULL;

				if (tab)
					*tab = '\0';
				/* "(atomic push failed)": refused because another one was */
				if (!tab || !strstr(tab + 1, "atomic push failed")) {
					if (why)
						strbuf_addf(why, "%s'%s' %s", rejected ? ", " : "",
							    to ? to + 1 : line, tab ? tab + 1 : "refused");
					rejected = 1;
				}
				free(line);
			}
			p = eol ? eol + 1 : NULL;
		}
		if (rejected) {
			ret = 1;
			goto out;
		}
	}
	git_says(&out);
	ret = error("cannot push to '%s' (git push exit %d)%s%s", r->name, rc, out.len ? ": " : "",
		    out.buf);
out:
	strlist_clear(&args);
	strbuf_release(&out);
	return ret;
}

int remote_publish(struct remote *r, const char *plan_text, size_t plan_len, const char *settings,
		   const git_oid *base, int replace, struct strbuf *why)
{
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid b1, b2, toid, commit;
	struct remote_update *u = NULL;
	size_t n = 0, i;
	int ret = -1;

	if (git_signature_default(&sig, r->repo) < 0 &&
	    git_signature_now(&sig, "git-parallel", "git-parallel@localhost") < 0)
		goto fail;
	if (git_blob_create_from_buffer(&b1, r->repo, plan_text, plan_len) < 0 ||
	    git_blob_create_from_buffer(&b2, r->repo, settings, strlen(settings)) < 0 ||
	    git_treebuilder_new(&tb, r->repo, NULL) < 0 ||
	    git_treebuilder_insert(NULL, tb, "plan", &b1, GIT_FILEMODE_BLOB) < 0 ||
	    git_treebuilder_insert(NULL, tb, "settings", &b2, GIT_FILEMODE_BLOB) < 0 ||
	    git_treebuilder_write(&toid, tb) < 0 || git_tree_lookup(&tree, r->repo, &toid) < 0 ||
	    git_commit_create(&commit, r->repo, NULL, sig, sig, NULL, "git parallel push: the plan\n",
			      tree, 0, NULL) < 0)
		goto fail;
	u = xcalloc(r->plan.tasks.nr + 3, sizeof(*u));
	u[n].ref = "refs/parallel/plan";
	git_oid_cpy(&u[n].new_oid, &commit);
	u[n].has_old = r->has_plan;
	git_oid_cpy(&u[n++].old_oid, &r->plan_commit);
	u[n].ref = "refs/parallel/base";
	git_oid_cpy(&u[n].new_oid, base);
	u[n].has_old = r->has_base;
	git_oid_cpy(&u[n++].old_oid, &r->base);
	for (i = 0; replace && r->has_plan && i < r->plan.tasks.nr; i++) {
		if (!r->tasks[i].has_state)
			continue;
		u[n].ref = xstrfmt("refs/parallel/state/%s", r->plan.tasks.v[i].id);
		u[n].remove = 1;
		u[n].has_old = 1;
		git_oid_cpy(&u[n++].old_oid, &r->tasks[i].state_commit);
	}
	ret = remote_push(r, u, n, why);
	for (i = 2; i < n; i++)
		free((char *)u[i].ref);
	goto out;
fail:
	error("cannot write the plan commit: %s", gp_git_error());
out:
	free(u);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_signature_free(sig);
	return ret;
}

/* mirrors and imports */

static int write_plan(struct remote *r, const char *dir)
{
	char *path = state_plan_path(dir);
	int ret = mkdir_p(dir, 0777);

	if (!ret)
		ret = write_file_atomic(path, r->plan_text.buf, r->plan_text.len, 0666);
	free(path);
	return ret;
}

/*
 * Remove a mirror directory of ours (remove_tree(): no process, no link
 * followed); refused, as rm refuses it, for "/" and a last component
 * "." or "..".  0, or -1 (reported).
 */
static int rm_rf(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return error("refusing to remove '%s'", path);
	if (remove_tree(path) < 0)
		return error_errno("cannot remove '%s'", path);
	return 0;
}

#define MIRROR_PREFIX "remote-mirror"

/* "remote-mirror" (one shared by all, before) or "remote-mirror.<pid>-<start>" of a dead process */
static int mirror_is_stale(const char *name)
{
	unsigned long long start;
	char *end;
	long pid;

	if (strncmp(name, MIRROR_PREFIX, strlen(MIRROR_PREFIX)))
		return 0;
	name += strlen(MIRROR_PREFIX);
	if (!*name)
		return 1;
	if (*name++ != '.')
		return 0;
	errno = 0;
	pid = strtol(name, &end, 10);
	if (errno || end == name || *end != '-' || pid <= 0)
		return 0;
	name = end + 1;
	start = strtoull(name, &end, 10);
	if (errno || end == name || *end)
		return 0;
	return !state_pid_alive(pid, start);
}

char *remote_mirror_path(git_repository *repo)
{
	char *state = repo_state_path(repo, NULL);
	char *dir = xstrfmt("%s/" MIRROR_PREFIX ".%ld-%llu", state, (long)getpid(),
			    state_pid_start(getpid()));
	DIR *d = opendir(state);
	struct dirent *de;

	/* those of status commands killed before they removed theirs */
	while (d && (de = readdir(d))) {
		if (mirror_is_stale(de->d_name)) {
			char *old = xstrfmt("%s/%s", state, de->d_name);

			rm_rf(old);
			free(old);
		}
	}
	if (d)
		closedir(d);
	free(state);
	return dir;
}

void remote_mirror_remove(const char *dir)
{
	rm_rf(dir);
}

int remote_mirror(struct remote *r, const char *dir)
{
	size_t i;
	int ret = 0;

	if (rm_rf(dir) < 0 || write_plan(r, dir) < 0)
		return -1;
	for (i = 0; i < r->plan.tasks.nr && !ret; i++) {
		struct task_status *st = &r->tasks[i].st;

		if (!r->tasks[i].has_state)
			continue;
		/* its work as fetched from the remote */
		free(st->branch);
		st->branch = remote_branch_ref(r, st->id);
		/* alive as far as status can tell: its worker is elsewhere */
		if (st->state == TS_RUNNING) {
			st->run_pid = (long)getpid();
			st->run_pid_start = state_pid_start(st->run_pid);
			st->pid = 0;
			st->pid_start = 0;
		}
		ret = state_task_save(dir, st);
	}
	return ret;
}

int remote_import_plan(struct remote *r, const char *state_dir)
{
	struct plan local;
	char *path = state_plan_path(state_dir);
	int ret = 0;

	plan_init(&local);
	if (!r->has_plan) {
		ret = error("'%s' holds no plan: run 'git parallel push %s' where the plan was made",
			    r->name, r->name);
	} else if (access(path, F_OK) < 0) {
		ret = write_plan(r, state_dir);
	} else if (state_load_plan(&local, state_dir) < 0) {
		ret = -1;
	} else if (!local.id || !r->plan.id || strcmp(local.id, r->plan.id)) {
		ret = error("the plan here (%s) is not the plan on '%s' (%s): push this plan, or work "
			    "in a clone of its own", local.id ? local.id : "unknown", r->name,
			    r->plan.id ? r->plan.id : "unknown");
	}
	plan_release(&local);
	free(path);
	return ret;
}

int remote_import_state(struct remote *r, size_t i, const char *state_dir)
{
	struct task_status *st = &r->tasks[i].st;
	char *branch = remote_branch_ref(r, st->id);
	struct task_status copy;
	struct strbuf sb = STRBUF_INIT;
	int ret;

	/* a copy: the remote's view stays as fetched */
	task_status_init(&copy, st->id);
	state_task_format(&sb, st);
	ret = state_task_parse(&copy, "remote state", sb.buf, sb.len);
	if (!ret) {
		task_status_set(&copy.branch, branch);
		task_status_set(&copy.worktree, NULL);
		task_status_set(&copy.log, NULL);
		copy.pid = copy.run_pid = 0;
		copy.pid_start = copy.run_pid_start = 0;
		ret = state_task_save(state_dir, &copy);
	}
	task_status_release(&copy);
	strbuf_release(&sb);
	free(branch);
	return ret;
}

/* merge --remote and clean --remote */

int remote_fetch_target(struct remote *r, const char *ref, int *exists, git_oid *oid)
{
	struct strlist args = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	char *spec = NULL;
	const char *p;
	int rc, ret = -1;

	*exists = 0;
	strlist_push(&args, "ls-remote");
	strlist_push(&args, r->name);
	strlist_push(&args, ref);
	rc = remote_git(r->workdir, &args, &out);
	if (rc) {
		git_says(&out);
		error("cannot list '%s' of '%s' (git ls-remote exit %d)%s%s", ref, r->name, rc,
		      out.len ? ": " : "", out.buf);
		goto out;
	}
	for (p = out.buf; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (n > GIT_OID_HEXSZ + 1 && p[GIT_OID_HEXSZ] == '\t' &&
		    n - GIT_OID_HEXSZ - 1 == strlen(ref) && !memcmp(p + GIT_OID_HEXSZ + 1, ref, strlen(ref))) {
			char hex[GIT_OID_HEXSZ + 1];

			memcpy(hex, p, GIT_OID_HEXSZ);
			hex[GIT_OID_HEXSZ] = '\0';
			if (git_oid_fromstr(oid, hex) == 0)
				*exists = 1;
		}
		p = eol ? eol + 1 : NULL;
	}
	ret = 0;
	if (*exists) {
		spec = xstrfmt("+%s:%starget", ref, r->ns);
		ret = fetch(r, spec);
	}
out:
	free(spec);
	strlist_clear(&args);
	strbuf_release(&out);
	return ret;
}

int remote_import_finished(struct remote *r, const char *state_dir)
{
	size_t i;

	for (i = 0; i < r->plan.tasks.nr; i++) {
		struct remote_task *t = &r->tasks[i];
		struct task_status local;
		int merged;

		if (!t->has_state || !run_state_finished(t->st.state) || !t->has_branch)
			continue;
		if (state_task_load(&local, state_dir, t->st.id, &r->plan.tasks.v[i]) < 0) {
			task_status_release(&local);
			return -1;
		}
		merged = local.state == TS_MERGED;
		task_status_release(&local);
		if (!merged && remote_import_state(r, i, state_dir) < 0)
			return -1;
	}
	return 0;
}

/* Does the local state of task i say something the remote's does not? */
static int state_differs(const struct task_status *a, const struct task_status *b)
{
	return a->state != b->state || !!a->merge_commit != !!b->merge_commit ||
		(a->merge_commit && strcmp(a->merge_commit, b->merge_commit)) ||
		!!a->merge_reason != !!b->merge_reason ||
		(a->merge_reason && strcmp(a->merge_reason, b->merge_reason));
}

int remote_push_merge(struct remote *r, const char *state_dir, const char *target, int target_exists,
		      const git_oid *old, const git_oid *new_tip, size_t *pushed, struct strbuf *why)
{
	struct remote_update *u = xcalloc(r->plan.tasks.nr + 2, sizeof(*u));
	size_t n = 0, i;
	int ret = 0;

	*pushed = 0;
	if (!target_exists || !git_oid_equal(old, new_tip)) {
		u[n].ref = xstrdup(target);
		git_oid_cpy(&u[n].new_oid, new_tip);
		u[n].has_old = target_exists;
		git_oid_cpy(&u[n++].old_oid, old);
	}
	for (i = 0; i < r->plan.tasks.nr && !ret; i++) {
		struct remote_task *t = &r->tasks[i];
		struct task_status local;
		struct strbuf text = STRBUF_INIT;
		char *msg;

		if (!t->has_state)
			continue;
		if (state_task_load(&local, state_dir, t->st.id, &r->plan.tasks.v[i]) != 0 ||
		    !state_differs(&local, &t->st)) {
			task_status_release(&local);
			continue;
		}
		/* the remote's view of where it ran, with merge's outcome */
		task_status_set(&local.branch, t->st.branch);
		task_status_set(&local.worktree, t->st.worktree);
		task_status_set(&local.log, t->st.log);
		local.run_pid = t->st.run_pid;
		local.run_pid_start = t->st.run_pid_start;
		remote_state_text(&text, &local, t->worker, 0);
		msg = xstrfmt("%s: %s\n", local.id, task_state_name(local.state));
		u[n].ref = xstrfmt("refs/parallel/state/%s", local.id);
		if (remote_file_commit(&u[n].new_oid, r->repo, "state", text.buf, text.len,
				       &t->state_commit, msg) < 0)
			ret = -1;
		u[n].has_old = 1;
		git_oid_cpy(&u[n++].old_oid, &t->state_commit);
		(*pushed)++;
		free(msg);
		strbuf_release(&text);
		task_status_release(&local);
	}
	if (!ret)
		ret = remote_push(r, u, n, why);
	for (i = 0; i < n; i++)
		free((char *)u[i].ref);
	free(u);
	return ret;
}

int remote_clean(struct remote *r, int all, struct strlist *removed, struct strlist *kept,
		 struct strbuf *why)
{
	struct remote_update *u = xcalloc(2 * r->plan.tasks.nr + 3, sizeof(*u));
	size_t n = 0, i, left = 0;
	int ret;

	for (i = 0; i < r->plan.tasks.nr; i++) {
		struct remote_task *t = &r->tasks[i];
		git_oid head;
		int ours;

		if (!t->has_state)
			continue;
		if (!all && t->st.state != TS_MERGED) {
			left++;
			continue;
		}
		strlist_push(removed, t->st.id);
		u[n].ref = xstrfmt("refs/parallel/state/%s", t->st.id);
		u[n].remove = 1;
		u[n].has_old = 1;
		git_oid_cpy(&u[n++].old_oid, &t->state_commit);
		if (!t->has_branch)
			continue;
		/* only the branch a worker pushed: where its state says it is */
		ours = t->st.head && !git_oid_fromstr(&head, t->st.head) && git_oid_equal(&head, &t->branch);
		if (!ours) {
			strlist_push_nodup(kept, remote_branch_name(r, t->st.id));
			continue;
		}
		u[n].ref = remote_branch_name(r, t->st.id);
		u[n].remove = 1;
		u[n].has_old = 1;
		git_oid_cpy(&u[n++].old_oid, &t->branch);
	}
	if (!left && r->has_plan) {
		u[n].ref = xstrdup("refs/parallel/plan");
		u[n].remove = 1;
		u[n].has_old = 1;
		git_oid_cpy(&u[n++].old_oid, &r->plan_commit);
		if (r->has_base) {
			u[n].ref = xstrdup("refs/parallel/base");
			u[n].remove = 1;
			u[n].has_old = 1;
			git_oid_cpy(&u[n++].old_oid, &r->base);
		}
	}
	ret = remote_push(r, u, n, why);
	for (i = 0; i < n; i++)
		free((char *)u[i].ref);
	free(u);
	return ret;
}

int remote_publish_session(struct remote *r, struct session *s, const char *command, int force,
			   size_t *dropped, struct strbuf *why)
{
	struct remote_settings set;
	struct strbuf plan = STRBUF_INIT, settings = STRBUF_INIT;
	char *plan_path = state_plan_path(s->state);
	size_t i, states = 0;
	int ret = -1, replace = 0;

	*dropped = 0;
	if (strbuf_read_file(&plan, plan_path) < 0) {
		error_errno("cannot read '%s'", plan_path);
		goto out;
	}
	memset(&set, 0, sizeof(set));
	set.command = (char *)(command ? command : s->cfg.command);
	/* pushed again without a command: the one published stays */
	if (!set.command && r->has_plan)
		set.command = r->set.command;
	set.timeout = s->cfg.timeout;
	set.retries = s->cfg.retries;
	set.commit_auto = s->cfg.commit_auto;
	set.branch_prefix = s->cfg.branch_prefix;
	remote_settings_format(&settings, &set);
	if (r->has_plan && (!r->plan.id || !s->plan.id || strcmp(r->plan.id, s->plan.id))) {
		for (i = 0; i < r->plan.tasks.nr; i++)
			states += r->tasks[i].has_state;
		if (states && !force) {
			strbuf_addf(why, "'%s' holds another plan (%s) with %zu task state%s: merge and clean "
				    "it ('git parallel clean --remote %s --all'), or push with --force to drop them",
				    r->name, r->plan.id ? r->plan.id : "unknown", states, states == 1 ? "" : "s",
				    r->name);
			ret = 2;
			goto out;
		}
		replace = 1;
	}
	ret = remote_publish(r, plan.buf, plan.len, settings.buf, &s->plan.base_oid, replace, why);
	if (!ret && replace)
		*dropped = states;
out:
	free(plan_path);
	strbuf_release(&plan);
	strbuf_release(&settings);
	return ret;
}

char *remote_url(const char *workdir, const char *name)
{
	struct strlist args = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	int rc;

	if (remote_check_name(name) < 0)
		return NULL;
	if (strstr(name, "://") || (strchr(name, ':') && !strchr(name, '/')) ||
	    (strchr(name, ':') && strchr(name, ':') < strchr(name, '/')))
		return xstrdup(name);
	if (name[0] == '/' || name[0] == '.') {
		char *abs = name[0] == '/' ? xstrdup(name) : xstrfmt("%s/%s", workdir, name);
		char *real = realpath(abs, NULL);

		free(abs);
		if (!real) {
			error_errno("no repository at '%s'", name);
			return NULL;
		}
		return real;
	}
	strlist_push(&args, "remote");
	strlist_push(&args, "get-url");
	strlist_push(&args, name);
	rc = remote_git(workdir, &args, &out);
	strlist_clear(&args);
	strbuf_trim(&out);
	if (rc || !out.len || strchr(out.buf, '\n')) {
		error("no remote '%s' (git remote get-url: %s)", name, out.len ? git_says(&out) : "nothing");
		strbuf_release(&out);
		return NULL;
	}
	if (out.buf[0] == '.') {
		/* a relative path in the configuration: the same path made absolute */
		char *url = remote_url(workdir, out.buf);

		strbuf_release(&out);
		return url;
	}
	return strbuf_detach(&out, NULL);
}
