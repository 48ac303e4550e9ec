/*
 * The trust store: which files of the repository the user allowed to
 * give commands (see include/gp/trust.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "gp/trust.h"

static const char *const command_keys[] = {
	"command",	/* parallel.command, a task's command */
	"setup",	/* parallel.setup (issue 14) */
	"precheck",	/* parallel.precheck (issue 16) */
	"verify",	/* parallel.verify: merge --verify from a file */
	NULL,
};

int trust_is_command_key(const char *key)
{
	size_t i;

	for (i = 0; command_keys[i]; i++)
		if (!strcmp(key, command_keys[i]))
			return 1;
	return 0;
}

/*
 * The absolute path of path with its directory resolved but not its last
 * component (a symlink stays itself).  Caller frees; NULL on failure.
 */
char *trust_abs_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real, *res;

	dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	real = realpath(dir, NULL);
	free(dir);
	if (!real)
		return NULL;
	res = xstrfmt("%s/%s", strcmp(real, "/") ? real : "", slash ? slash + 1 : path);
	free(real);
	return res;
}

char *trust_id(const char *path, const char *buf, size_t len)
{
	char *abs = trust_abs_path(path), hex[GIT_OID_HEXSZ + 1], *res;
	struct strbuf sb = STRBUF_INIT;
	git_oid oid;

	if (!abs)
		return NULL;
	strbuf_addstr(&sb, abs);
	strbuf_addch(&sb, '\0');
	strbuf_add(&sb, buf, len);
	if (git_odb_hash(&oid, sb.buf, sb.len, GIT_OBJECT_BLOB) < 0) {
		strbuf_release(&sb);
		free(abs);
		return NULL;
	}
	git_oid_tostr(hex, sizeof(hex), &oid);
	res = xstrfmt("%s %s", hex, abs);
	strbuf_release(&sb);
	free(abs);
	return res;
}

char *trust_id_of_file(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *id = NULL;

	if (read_input_file(&sb, path, "file") < 0)
		goto out;
	id = trust_id(path, sb.buf, sb.len);
	if (!id)
		error_errno("cannot resolve '%s'", path);
out:
	strbuf_release(&sb);
	return id;
}

const char *trust_id_path(const char *id)
{
	const char *sp = strchr(id, ' ');

	return sp ? sp + 1 : id;
}

/* Is the absolute path abs tracked in repo, or inside wt_parent? */
static int given_by_repo(git_repository *repo, const char *top, const char *wts, const char *abs)
{
	const char *rel;
	git_index *idx = NULL;
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int ret = 0;

	if (wts && path_below(abs, wts))
		return 1;
	if (!top || !(rel = path_below(abs, top)) || !*rel)
		return 0;
	if (!git_repository_index(&idx, repo)) {
		git_index_read(idx, 0);
		if (git_index_get_bypath(idx, rel, 0)) {
			ret = 1;
			goto out;
		}
	}
	if (!git_repository_head(&head, repo) &&
	    !git_commit_lookup(&commit, repo, git_reference_target(head)) &&
	    !git_commit_tree(&tree, commit) &&
	    !git_tree_entry_bypath(&e, tree, rel))
		ret = 1;
out:
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	git_index_free(idx);
	return ret;
}

int trust_file_from_repo(git_repository *repo, const char *workdir, const char *wt_parent,
			 const char *path)
{
	char *top = workdir ? realpath(workdir, NULL) : NULL;
	char *wts = wt_parent ? realpath(wt_parent, NULL) : NULL;
	char *lex = trust_abs_path(path), *real = realpath(path, NULL);
	int ret;

	if (!wts && wt_parent)
		wts = xstrdup(wt_parent);	/* not made yet */
	if (wts && top && path_below(top, wts)) {
		free(wts);	/* the work tree itself or around it: refused elsewhere */
		wts = NULL;
	}
	/* what we cannot place, we do not exempt */
	ret = !lex || !real || given_by_repo(repo, top, wts, lex) || given_by_repo(repo, top, wts, real);
	free(top);
	free(wts);
	free(lex);
	free(real);
	return ret;
}

int trust_load(struct trust *t, const char *gitdir)
{
	struct strbuf sb = STRBUF_INIT;
	char *line, *next;
	int ret = 0, n = 0;

	memset(t, 0, sizeof(*t));
	strlist_init(&t->ids);
	t->file = xstrfmt("%s/parallel-trust", gitdir);
	if (strbuf_read_file(&sb, t->file) < 0) {
		if (errno != ENOENT)
			ret = read_input_file(&sb, t->file, "trust store");
		goto out;
	}
	for (line = sb.buf; line && *line; line = next) {
		char *sp;

		n++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line || *line == '#')
			continue;
		sp = strchr(line, ' ');
		if (!sp || sp - line != GIT_OID_HEXSZ || sp[1] != '/') {
			ret = error("%s:%d: malformed line", t->file, n);
			goto out;
		}
		strlist_push(&t->ids, line);
	}
out:
	strbuf_release(&sb);
	return ret;
}

void trust_release(struct trust *t)
{
	free(t->file);
	strlist_clear(&t->ids);
	memset(t, 0, sizeof(*t));
}

int trust_has(const struct trust *t, const char *id)
{
	return id && strlist_has(&t->ids, id);
}

size_t trust_revoke(struct trust *t, const char *abspath)
{
	size_t i, k, gone = 0;

	for (i = k = 0; i < t->ids.nr; i++) {
		if (!strcmp(trust_id_path(t->ids.v[i]), abspath)) {
			free(t->ids.v[i]);
			gone++;
			continue;
		}
		t->ids.v[k++] = t->ids.v[i];
	}
	t->ids.nr = k;
	return gone;
}

void trust_add(struct trust *t, const char *id)
{
	trust_revoke(t, trust_id_path(id));
	strlist_push(&t->ids, id);
}

int trust_save(struct trust *t)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	strbuf_addstr(&sb, "# files whose commands 'git parallel run' may run: <hash of path and content> <path>\n");
	for (i = 0; i < t->ids.nr; i++)
		strbuf_addf(&sb, "%s\n", t->ids.v[i]);
	ret = write_file_atomic(t->file, sb.buf, sb.len, 0600);
	if (!ret && chmod(t->file, 0600) < 0)
		ret = error_errno("cannot set the mode of '%s'", t->file);
	strbuf_release(&sb);
	return ret;
}
