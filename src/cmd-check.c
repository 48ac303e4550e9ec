/*
 * git parallel check: did the tasks stay independent?  Their real
 * footprints, where they overlap (conflict or same-file, with the line
 * ranges of both sides), ownership violations, footprint vs plan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gp/check.h"
#include "gp/cmd.h"
#include "gp/gitmerge.h"
#include "gp/repo.h"
#include "gp/lock.h"
#include "gp/output.h"
#include "gp/parse-options.h"
#include "gp/session.h"

/* "12-14", "12", "+12" (inserted after line 12); the whole file for adds, deletes, binaries ... */
static void add_ranges(struct strbuf *sb, const struct fp_file *f)
{
	size_t i;

	if (!f) {
		strbuf_addstr(sb, "?");
		return;
	}
	if (f->change == FP_ADDED || f->change == FP_DELETED || f->change == FP_TYPECHANGE) {
		strbuf_addstr(sb, footprint_change_name(f->change));
		return;
	}
	if (f->new_mode == GIT_FILEMODE_COMMIT) {
		strbuf_addstr(sb, "submodule");
		return;
	}
	if (f->binary) {
		strbuf_addstr(sb, "binary");
		return;
	}
	if (f->change == FP_RENAMED)
		strbuf_addf(sb, "-> %s%s", term_str(f->path), f->ranges_nr ? " " : "");
	if (!f->ranges_nr && f->change != FP_RENAMED)
		strbuf_addstr(sb, f->old_mode != f->new_mode ? "mode" : "-");
	for (i = 0; i < f->ranges_nr; i++) {
		const struct fp_range *r = &f->ranges[i];

		if (i)
			strbuf_addch(sb, ',');
		if (!r->lines)
			strbuf_addf(sb, "+%u", r->start);
		else if (r->lines == 1)
			strbuf_addf(sb, "%u", r->start);
		else
			strbuf_addf(sb, "%u-%u", r->start, r->start + r->lines - 1);
	}
}

static void json_ranges(struct json *j, const struct fp_file *f)
{
	size_t i;

	json_array_begin(j);
	for (i = 0; f && i < f->ranges_nr; i++) {
		json_object_begin(j);
		json_kv_int(j, "start", f->ranges[i].start);
		json_kv_int(j, "lines", f->ranges[i].lines);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_strlist(struct json *j, const struct strlist *l)
{
	size_t i;

	json_array_begin(j);
	for (i = 0; i < l->nr; i++)
		json_string(j, l->v[i]);
	json_array_end(j);
}

static const char *exact_name(int e)
{
	return e < 0 ? NULL : e ? "conflict" : "clean";
}

static void print_json(struct session *s, const struct check *c, int uncommitted)
{
	struct strbuf out = STRBUF_INIT;
	struct json j;
	char hex[GIT_OID_HEXSZ + 1];
	size_t k, i;

	json_init(&j, &out);
	json_object_begin(&j);
	json_kv_int(&j, "version", 1);
	json_key(&j, "base");
	json_object_begin(&j);
	json_kv_string(&j, "ref", *s->plan.base_ref ? s->plan.base_ref : NULL);
	json_kv_string(&j, "oid", git_oid_tostr(hex, sizeof(hex), &s->plan.base_oid));
	json_object_end(&j);
	json_kv_bool(&j, "exact", c->exact);
	json_kv_bool(&j, "uncommitted", uncommitted);
	json_kv_int(&j, "conflicts", (long long)c->conflicts);

	json_key(&j, "tasks");
	json_array_begin(&j);
	for (k = 0; k < c->nr; k++) {
		const struct footprint *fp = &c->fp[k];
		const struct task *t = &s->plan.tasks.v[c->ct[k].plan_index];

		json_object_begin(&j);
		json_kv_string(&j, "id", fp->id);
		json_kv_string(&j, "branch", short_ref(fp->branch));
		json_kv_bool(&j, "measured", fp->measured);
		json_kv_string(&j, "head", fp->measured ? git_oid_tostr(hex, sizeof(hex), &fp->head) : NULL);
		json_kv_string(&j, "merge_base",
			       fp->measured ? git_oid_tostr(hex, sizeof(hex), &fp->merge_base) : NULL);
		json_kv_string(&j, "worktree", fp->worktree);
		json_kv_string(&j, "owner", c->ct[k].owner);
		json_key(&j, "notes");
		json_strlist(&j, &fp->notes);
		json_key(&j, "declared");
		json_strlist(&j, &t->paths);
		json_key(&j, "untouched");
		json_strlist(&j, &c->ct[k].untouched);
		json_kv_int(&j, "uncommitted", (long long)fp->uncommitted);
		json_key(&j, "files");
		json_array_begin(&j);
		for (i = 0; i < fp->nr; i++) {
			const struct fp_file *f = &fp->files[i];

			json_object_begin(&j);
			json_kv_string(&j, "path", f->path);
			json_kv_string(&j, "old_path", f->old_path);
			json_kv_string(&j, "change", footprint_change_name(f->change));
			json_kv_int(&j, "old_mode", f->old_mode);
			json_kv_int(&j, "new_mode", f->new_mode);
			json_kv_bool(&j, "binary", f->binary);
			json_kv_bool(&j, "uncommitted", f->uncommitted);
			json_kv_bool(&j, "inherited", f->inherited);
			json_key(&j, "ranges");
			json_ranges(&j, f);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);

	json_key(&j, "overlaps");
	json_array_begin(&j);
	for (i = 0; i < c->ov_nr; i++) {
		const struct overlap *o = &c->ov[i];

		json_object_begin(&j);
		json_key(&j, "tasks");
		json_array_begin(&j);
		json_string(&j, c->fp[o->a].id);
		json_string(&j, c->fp[o->b].id);
		json_array_end(&j);
		json_kv_string(&j, "path", o->path);
		json_kv_string(&j, "class", overlap_class_name(o->cls));
		json_kv_string(&j, "kind", o->kind);
		json_key(&j, "paths");
		json_array_begin(&j);
		json_string(&j, o->fa ? o->fa->path : NULL);
		json_string(&j, o->fb ? o->fb->path : NULL);
		json_array_end(&j);
		json_key(&j, "changes");
		json_array_begin(&j);
		json_string(&j, o->fa ? footprint_change_name(o->fa->change) : NULL);
		json_string(&j, o->fb ? footprint_change_name(o->fb->change) : NULL);
		json_array_end(&j);
		json_key(&j, "ranges");
		json_array_begin(&j);
		json_ranges(&j, o->fa);
		json_ranges(&j, o->fb);
		json_array_end(&j);
		if (c->exact)
			json_kv_string(&j, "exact", exact_name(o->exact));
		if (o->driver)
			json_kv_string(&j, "driver", o->driver);
		json_object_end(&j);
	}
	json_array_end(&j);

	json_key(&j, "pairs");
	json_array_begin(&j);
	for (i = 0; i < c->pairs_nr; i++) {
		const struct check_pair *p = &c->pairs[i];

		json_object_begin(&j);
		json_key(&j, "tasks");
		json_array_begin(&j);
		json_string(&j, c->fp[p->a].id);
		json_string(&j, c->fp[p->b].id);
		json_array_end(&j);
		json_kv_bool(&j, "related", p->related);
		json_kv_int(&j, "overlaps", (long long)p->overlaps);
		json_kv_int(&j, "conflicts", (long long)p->conflicts);
		if (c->exact) {
			json_kv_string(&j, "exact", exact_name(p->exact));
			json_key(&j, "exact_paths");
			json_strlist(&j, &p->exact_paths);
		}
		json_object_end(&j);
	}
	json_array_end(&j);

	json_key(&j, "violations");
	json_array_begin(&j);
	for (i = 0; i < c->viol_nr; i++) {
		const struct violation *v = &c->viol[i];

		json_object_begin(&j);
		json_kv_string(&j, "task", c->fp[v->task].id);
		json_kv_string(&j, "path", v->path);
		json_kv_string(&j, "kind", violation_kind_name(v->kind));
		json_kv_string(&j, "owner", v->owner);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static int pair_mark(const struct check *c, size_t a, size_t b)
{
	const struct check_pair *p = check_pair_find(c, a, b);

	if (!p)
		return '.';
	if (p->related)
		return '~';
	if (p->conflicts)
		return 'C';
	return p->overlaps ? 's' : '.';
}

static void print_report(struct session *s, const struct check *c)
{
	struct strbuf sb = STRBUF_INIT;
	size_t k, i, idw = 4, measured = 0;

	for (k = 0; k < c->nr; k++)
		if (strlen(c->fp[k].id) > idw)
			idw = strlen(c->fp[k].id);
	printf("footprints:\n");
	for (k = 0; k < c->nr; k++) {
		const struct footprint *fp = &c->fp[k];
		size_t own = footprint_own(fp);

		measured += fp->measured;
		if (fp->measured) {
			printf("  %-*s  %zu file%s", (int)idw, fp->id, own, own == 1 ? "" : "s");
			if (fp->uncommitted)
				printf(" (%zu uncommitted)", fp->uncommitted);
			if (own != fp->nr)
				printf(", %zu from its dependencies", fp->nr - own);
			printf("\n");
		} else {
			printf("  %-*s  not measured\n", (int)idw, fp->id);
		}
		for (i = 0; i < fp->notes.nr; i++)
			printf("  %-*s  note: %s\n", (int)idw, "", term_str(fp->notes.v[i]));
	}

	if (c->nr >= 3 && measured >= 2) {
		printf("\npairs (C conflict, s same file, . nothing shared, ~ one contains the other):\n");
		printf("  %-*s", (int)idw, "");
		for (k = 0; k < c->nr; k++)
			printf(" %*s", (int)idw, c->fp[k].id);
		printf("\n");
		for (k = 0; k < c->nr; k++) {
			printf("  %-*s", (int)idw, c->fp[k].id);
			for (i = 0; i < c->nr; i++)
				printf(" %*c", (int)idw, i == k ? '-' :
				       (!c->fp[k].measured || !c->fp[i].measured) ? '?' : pair_mark(c, k, i));
			printf("\n");
		}
	}

	if (c->ov_nr) {
		size_t pa = (size_t)-1, pb = (size_t)-1;

		printf("\noverlaps:\n");
		for (i = 0; i < c->ov_nr; i++) {
			const struct overlap *o = &c->ov[i];

			if (o->a != pa || o->b != pb) {
				printf("  %s / %s\n", c->fp[o->a].id, c->fp[o->b].id);
				pa = o->a;
				pb = o->b;
			}
			strbuf_reset(&sb);
			strbuf_addf(&sb, "    %-9s %s (%s)", overlap_class_name(o->cls), term_str(o->path), o->kind);
			if (o->fa && c->exact && !strcmp(o->kind, "identical")) {
				/* ranges not read (check.c ranges_needed()) */
				strbuf_addf(&sb, "  %s / %s same result", c->fp[o->a].id, c->fp[o->b].id);
			} else if (o->fa) {
				strbuf_addf(&sb, "  %s ", c->fp[o->a].id);
				add_ranges(&sb, o->fa);
				strbuf_addf(&sb, " / %s ", c->fp[o->b].id);
				add_ranges(&sb, o->fb);
			}
			if (o->exact >= 0)
				strbuf_addf(&sb, "  [git: %s]", exact_name(o->exact));
			else if (o->driver)
				strbuf_addf(&sb, "  [merge driver '%s' not run: check --exact runs it]",
					    o->driver);
			printf("%s\n", sb.buf);
		}
	}

	if (c->viol_nr) {
		printf("\nviolations:\n");
		for (i = 0; i < c->viol_nr; i++) {
			const struct violation *v = &c->viol[i];

			printf("  %-*s  %-13s %s", (int)idw, c->fp[v->task].id,
			       violation_kind_name(v->kind), term_str(v->path));
			if (v->kind == VIOLATION_OTHER_OWNER)
				printf(" (owned by %s, task owner %s)", term_str(v->owner),
				       term_str(c->ct[v->task].owner));
			else if (v->kind == VIOLATION_OUTSIDE_OWNER)
				printf(" (not in %s's area)", term_str(c->ct[v->task].owner));
			printf("\n");
		}
	}

	for (k = 0, i = 0; k < c->nr; k++)
		i += c->ct[k].untouched.nr;
	if (i) {
		printf("\ndeclared but untouched:\n");
		for (k = 0; k < c->nr; k++) {
			size_t d;

			if (!c->ct[k].untouched.nr || !c->fp[k].measured)
				continue;
			printf("  %-*s ", (int)idw, c->fp[k].id);
			for (d = 0; d < c->ct[k].untouched.nr; d++)
				printf(" %s", term_str(c->ct[k].untouched.v[d]));
			printf("\n");
		}
	}
	for (k = 0, i = 0; k < c->nr; k++) {
		size_t own = footprint_own(&c->fp[k]);

		/* what came from its dependencies is judged in their names */
		if (!c->fp[k].measured || s->plan.tasks.v[c->ct[k].plan_index].paths.nr || !own)
			continue;
		if (!i++)
			printf("\nno declared paths (not judged):\n");
		printf("  %-*s  %zu file%s changed\n", (int)idw, c->fp[k].id, own,
		       own == 1 ? "" : "s");
	}

	for (i = 0; i < c->pairs_nr; i++)
		if (c->pairs[i].exact == 1 && !c->pairs[i].conflicts)
			printf("\n%s / %s: git's merge conflicts without naming a path "
			       "(git merge-tree --write-tree says why)\n",
			       c->fp[c->pairs[i].a].id, c->fp[c->pairs[i].b].id);
	{
		size_t same = c->ov_nr - c->conflicts;

		printf("\n%zu task%s measured, %zu overlap%s: %zu conflict%s, %zu same-file; %zu violation%s%s\n",
		       measured, measured == 1 ? "" : "s", c->ov_nr, c->ov_nr == 1 ? "" : "s",
		       c->conflicts, c->conflicts == 1 ? "" : "s", same, c->viol_nr,
		       c->viol_nr == 1 ? "" : "s", c->exact ? " (conflicts by git's merge)" : "");
	}
	strbuf_release(&sb);
}

/*
 * A test-only hook (GIT_PARALLEL_TEST_HOOK_CHECK_MEASURED): a shell
 * command run once every task is measured and before the report is
 * printed, so that a test can hold one check there while others run.
 */
static void test_hook(const char *var)
{
	const char *cmd = getenv(var);
	pid_t pid;
	int status;

	if (!cmd || !*cmd)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* check's option table, its values in json and flags */
#define USAGE_CHECK(json, flags) { \
	OPT_COMMAND("check"), \
	OPT_OPERANDS("[<id>...]"), \
	OPT_BOOL(0, "json", &(json), "print the report as JSON"), \
	OPT_BIT(0, "exact", &(flags), "confirm each overlap by an in-memory merge", CHECK_EXACT), \
	OPT_BIT(0, "no-uncommitted", &(flags), "measure committed work only", CHECK_NO_UNCOMMITTED), \
	OPT_ALIAS('j', "json"), \
	OPT_ALIAS('x', "exact"), \
	OPT_ALIAS('U', "no-uncommitted"), \
	OPT_END(), \
}

int check_options_exact(int argc, char *const *argv)
{
	unsigned int flags = 0;
	int json = 0, ret;
	struct parse_opt usage_check[] = USAGE_CHECK(json, flags);
	char **copy = xcalloc((size_t)argc + 1, sizeof(*copy));
	struct strbuf err = STRBUF_INIT;

	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	ret = parse_options(argc, copy, usage_check, &err);
	strbuf_release(&err);
	free(copy);
	return ret >= 0 && (flags & CHECK_EXACT);
}

int cmd_check(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct session s;
	struct check c;
	size_t *sel = NULL, nr = 0;
	unsigned int flags = 0;
	int opt, json = 0, ret = 128, attr_index, measured;
	struct parse_opt usage_check[] = USAGE_CHECK(json, flags);

	if ((optind = cmd_parse_options(argc, argv, usage_check, &opt)) < 0)
		return opt;
	check_init(&c);
	/*
	 * Keep blobs read in libgit2's object cache: the two sides of a
	 * file both tasks changed are diffed against the same base blob.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB, (size_t)4 << 20);
	/*
	 * Every blob read is a buffer as large as the file, freed soon
	 * after: above glibc's mmap threshold each was mapped, faulted in
	 * page by page and unmapped again (half of the page faults of a
	 * check of a real merge, ~10% of its time).  check is short-lived:
	 * keep freed memory for the next blob.
	 */
	malloc_keep_freed();
	if (session_open(&s, ctx->repo, ctx->config_path) < 0)
		goto out;
	/* a setting that kills every git merge-tree: git would merge nothing, check says so */
	if (gitmerge_config_check(ctx->repo, "nothing was checked") < 0)
		goto out;
	if (session_select(&s, argc - optind, argv + optind, &sel, &nr) < 0)
		goto out;
	if (session_load_status(&s) < 0)
		goto out;
	warn_merge_interrupted(s.state);
	/* check reads the repository's index for attributes only (repo.h) */
	attr_index = repo_attr_index(s.repo);
	measured = check_run(&c, &s, sel, nr, flags | (json ? CHECK_ALL_RANGES : 0));
	if (attr_index)
		repo_attr_index_drop(s.repo);
	if (measured < 0)
		goto out;
	test_hook("GIT_PARALLEL_TEST_HOOK_CHECK_MEASURED");
	if (getenv("GIT_PARALLEL_TEST_COUNT_DIFFS"))
		fprintf(stderr, "check: %lu blob diffs\n", footprint_blob_diffs());
	if (getenv("GIT_PARALLEL_TEST_COUNT_SIDES"))
		fprintf(stderr, "check: %zu task sides diffed for git merge-tree's need\n", c.sides_diffed);
	if (json)
		print_json(&s, &c, !(flags & CHECK_NO_UNCOMMITTED));
	else
		print_report(&s, &c);
	ret = c.conflicts || c.unnamed || c.viol_nr ? 1 : 0;
out:
	check_release(&c);
	free(sel);
	session_release(&s);
	return ret;
}
