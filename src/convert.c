/*
 * Filter drivers and working-tree-encoding: git's answers where libgit2
 * 1.5 has none (see include/gp/convert.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gp/convert.h"
#include "gp/spawn.h"

/* convert_may_apply */

static int attr_text(git_repository *wrepo, git_index *index, struct strbuf *sb)
{
	git_config *cfg = NULL;
	git_buf buf = GIT_BUF_INIT;
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	char *path;
	size_t i;

	for (i = 0; i < git_index_entrycount(index); i++) {
		const git_index_entry *ie = git_index_get_byindex(index, i);
		const char *base;
		git_blob *blob;

		if (!ie)
			continue;
		base = strrchr(ie->path, '/');
		base = base ? base + 1 : ie->path;
		if (strcmp(base, ".gitattributes") || !S_ISREG(ie->mode))
			continue;
		if (git_blob_lookup(&blob, wrepo, &ie->id) < 0)
			return -1;
		strbuf_add(sb, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
		strbuf_addch(sb, '\n');
		git_blob_free(blob);
	}
	path = xstrfmt("%s/info/attributes", git_repository_commondir(wrepo));
	strbuf_read_file(sb, path);	/* missing: nothing */
	free(path);
	strbuf_read_file(sb, "/etc/gitattributes");
	if (git_repository_config_snapshot(&cfg, wrepo) < 0)
		return -1;
	if (!git_config_get_path(&buf, cfg, "core.attributesFile")) {
		strbuf_read_file(sb, buf.ptr);
	} else if (xdg && *xdg) {
		path = xstrfmt("%s/git/attributes", xdg);
		strbuf_read_file(sb, path);
		free(path);
	} else if (home) {
		path = xstrfmt("%s/.config/git/attributes", home);
		strbuf_read_file(sb, path);
		free(path);
	}
	git_buf_dispose(&buf);
	git_config_free(cfg);
	git_error_clear();
	return 0;
}

/*
 * The names of the configured filter drivers (filter.<name>.clean,
 * .smudge or .process), into the strmap payload.  Matched by hand, not
 * with git_config_foreach_match(): libgit2 1.5's git_regexp_match() leaks
 * its PCRE2 match data on every name that does not match.
 */
static int driver_found(const git_config_entry *e, void *payload)
{
	const char *name = e->name, *dot;
	char *driver;

	if (strncmp(name, "filter.", 7) || !(dot = strrchr(name + 7, '.')) || dot == name + 7)
		return 0;
	if (strcmp(dot, ".smudge") && strcmp(dot, ".clean") && strcmp(dot, ".process"))
		return 0;
	driver = xstrndup(name + 7, (size_t)(dot - name - 7));
	strmap_put(payload, driver, NULL, NULL);
	free(driver);
	return 0;
}

static int config_from_env(void)
{
	return getenv("GIT_CONFIG_PARAMETERS") || getenv("GIT_CONFIG_COUNT");
}

static int drivers(struct strmap *out, git_repository *wrepo)
{
	git_config *cfg = NULL;

	if (git_repository_config_snapshot(&cfg, wrepo) < 0)
		return -1;
	git_config_foreach(cfg, driver_found, out);
	git_error_clear();
	git_config_free(cfg);
	return 0;
}

int convert_may_apply(git_repository *wrepo, git_index *index)
{
	struct strbuf sb = STRBUF_INIT;
	struct strmap names;
	git_index *own = NULL;
	int ret = -1;

	strmap_init(&names);
	if (!index && git_repository_index(&own, wrepo) < 0)
		goto out;
	if (attr_text(wrepo, index ? index : own, &sb) < 0)
		goto out;
	ret = 1;
	if (strstr(sb.buf, "working-tree-encoding"))
		goto out;
	ret = 0;
	if (!strstr(sb.buf, "filter"))
		goto out;
	ret = 1;
	if (config_from_env())
		goto out;
	if (drivers(&names, wrepo) < 0) {
		ret = -1;
		goto out;
	}
	ret = names.nr > 0;
out:
	strmap_clear(&names);
	git_index_free(own);
	strbuf_release(&sb);
	return ret;
}

/* convert_run_git */

int convert_run_git(const char *top, const char *const *argv, const char *const *extra,
		    const struct strbuf *in, struct strbuf *out, int with_stderr)
{
	struct spawn sp = SPAWN_INIT;
	int rc;

	sp.argv = argv;
	sp.dir = top;
	sp.env = extra;
	sp.in = in ? SPAWN_PIPE : SPAWN_NULL;
	sp.out = SPAWN_PIPE;
	sp.err = with_stderr ? SPAWN_TO_OUT : SPAWN_NULL;
	if (spawn_start(&sp) < 0)
		return -1;
	rc = spawn_exchange(&sp, in, out, gp_git_deadline());
	if (rc == SPAWN_TIMED_OUT) {
		char *limit = gp_git_timeout_text();
		size_t i = 1;

		while (argv[i] && argv[i][0] == '-')
			i++;	/* --literal-pathspecs */
		strbuf_addf(out, "\n'git %s' did not finish %s: stopped it\n",
			    argv[i] ? argv[i] : "", limit);
		free(limit);
		return CONVERT_TIMED_OUT;
	}
	if (rc < 0 || sp.signal)
		return -1;
	return rc;
}

int convert_run_git_paths(const char *top, const char *const *argv, const struct strlist *paths,
			  const char *const *env, struct strbuf *out)
{
	const char **all;
	size_t n = 0, i;
	int rc;

	while (argv[n])
		n++;
	all = xcalloc(n + paths->nr + 2, sizeof(*all));
	memcpy(all, argv, n * sizeof(*all));
	all[n++] = "--";
	for (i = 0; i < paths->nr; i++)
		all[n++] = paths->v[i];
	rc = convert_run_git(top, all, env, NULL, out, 0);
	free(all);
	return rc;
}

void convert_last_line(struct strbuf *text)
{
	char *last;

	while (text->len && (text->buf[text->len - 1] == '\n' || text->buf[text->len - 1] == '\r'))
		strbuf_setlen(text, text->len - 1);
	last = strrchr(text->buf, '\n');
	if (last) {
		last++;
		memmove(text->buf, last, strlen(last) + 1);
		strbuf_setlen(text, strlen(text->buf));
	}
}

/* convert_paths */

/* Does a check-attr value convert?  (unspecified, unset and set name no driver, no encoding) */
static int value_converts(const char *attr, const char *value, const struct strmap *names, int any)
{
	if (!strcmp(value, "unspecified") || !strcmp(value, "unset"))
		return 0;
	if (!strcmp(attr, "working-tree-encoding"))
		return 1;	/* even "set": git refuses it, and git is asked */
	if (!strcmp(value, "set"))
		return 0;
	return any || strmap_contains(names, value);
}

int convert_paths_of(struct strlist *out, git_repository *wrepo, const char *top,
		     const struct strlist *paths, struct strbuf *why)
{
	static const char *const argv[] = {
		"git", "check-attr", "--stdin", "-z", "filter", "working-tree-encoding", NULL,
	};
	struct strbuf in = STRBUF_INIT, res = STRBUF_INIT;
	struct strmap names;
	const char *p, *end;
	size_t i;
	int ret = -1, rc, any = config_from_env();

	strmap_init(&names);
	if (!paths->nr) {
		ret = 0;
		goto out;
	}
	if (!any && drivers(&names, wrepo) < 0) {
		strbuf_addf(why, "cannot read the configuration: %s", gp_git_error());
		goto out;
	}
	for (i = 0; i < paths->nr; i++) {
		strbuf_addstr(&in, paths->v[i]);
		strbuf_addch(&in, '\0');
	}
	rc = convert_run_git(top, argv, NULL, &in, &res, 0);
	if (rc) {
		if (rc < 0)
			strbuf_addstr(why, "cannot run 'git check-attr'");
		else
			strbuf_addf(why, "'git check-attr' failed (exit %d)", rc);
		goto out;
	}
	/* <path> NUL <attribute> NUL <value> NUL, two per path, in the order asked */
	p = res.buf;
	end = res.buf + res.len;
	while (p < end) {
		const char *path = p, *attr, *value;

		attr = path + strlen(path) + 1;
		if (attr >= end || (value = attr + strlen(attr) + 1) >= end) {
			strbuf_addstr(why, "git check-attr said what cannot be read");
			goto out;
		}
		p = value + strlen(value) + 1;
		if (value_converts(attr, value, &names, any) &&
		    (!out->nr || strcmp(out->v[out->nr - 1], path)))
			strlist_push(out, path);
	}
	ret = 0;
out:
	strmap_clear(&names);
	strbuf_release(&in);
	strbuf_release(&res);
	return ret;
}

int convert_paths(struct strlist *out, git_repository *wrepo, const char *top,
		  git_index *index, struct strbuf *why)
{
	struct strlist paths = STRLIST_INIT;
	const char *last = NULL;
	size_t i;
	int ret;

	for (i = 0; i < git_index_entrycount(index); i++) {
		const git_index_entry *ie = git_index_get_byindex(index, i);

		if (!ie || (ie->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE) ||
		    !S_ISREG(ie->mode) || (last && !strcmp(last, ie->path)))
			continue;
		strlist_push(&paths, ie->path);
		last = ie->path;
	}
	ret = convert_paths_of(out, wrepo, top, &paths, why);
	strlist_clear(&paths);
	return ret;
}

/* convert_git_status */

int convert_git_status(struct strlist *out, const char *top, struct strbuf *why)
{
	static const char *const argv[] = {
		"git", "status", "--porcelain", "-z", "--no-renames", "--untracked-files=all", NULL,
	};
	static const char *const env[] = { "GIT_OPTIONAL_LOCKS=0", NULL };
	struct strbuf res = STRBUF_INIT;
	const char *p, *end;
	int rc = convert_run_git(top, argv, env, NULL, &res, 0), n = 0;

	if (rc == CONVERT_TIMED_OUT) {
		convert_last_line(&res);	/* "'git status' did not finish ..." */
		strbuf_addstr(why, res.buf);
		strbuf_release(&res);
		return CONVERT_TIMED_OUT;
	}
	if (rc) {
		if (rc < 0)
			strbuf_addstr(why, "cannot run 'git status'");
		else
			strbuf_addf(why, "'git status' failed (exit %d)", rc);
		strbuf_release(&res);
		return -1;
	}
	/* "XY <path>" NUL each (no renames: one path) */
	for (p = res.buf, end = res.buf + res.len; p < end; p += strlen(p) + 1) {
		if (strlen(p) < 4 || p[2] != ' ') {
			strbuf_addstr(why, "git status said what cannot be read");
			strbuf_release(&res);
			return -1;
		}
		strlist_push(out, p + 3);
		n++;
	}
	strbuf_release(&res);
	return n;
}
