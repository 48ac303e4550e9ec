/*
 * git parallel report: the activity record of a run, as text, markdown
 * (ready for a pull request) or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gp/cmd.h"
#include "gp/output.h"
#include "gp/parse-options.h"
#include "gp/report.h"

enum report_format { FMT_TEXT, FMT_MARKDOWN, FMT_JSON };

static void print_json(const struct report *r)
{
	struct strbuf out = STRBUF_INIT;
	struct json j;
	size_t i;

	json_init(&j, &out);
	json_object_begin(&j);
	json_kv_int(&j, "version", 1);
	json_key(&j, "tasks");
	json_array_begin(&j);
	for (i = 0; i < r->nr; i++) {
		const struct report_task *t = &r->v[i];

		json_object_begin(&j);
		json_kv_string(&j, "id", t->id);
		json_kv_string(&j, "title", t->title);
		json_kv_string(&j, "state", task_state_name(t->state));
		json_kv_int(&j, "attempts", t->attempts);
		json_kv_double(&j, "duration", t->duration);
		json_kv_double(&j, "wait_time", t->wait_time);
		if (t->known) {
			json_kv_int(&j, "commits", (long long)t->commits);
			json_kv_int(&j, "files", (long long)t->files);
			json_kv_int(&j, "added", (long long)t->added);
			json_kv_int(&j, "removed", (long long)t->removed);
		} else {
			json_key(&j, "commits");
			json_null(&j);
			json_key(&j, "files");
			json_null(&j);
			json_key(&j, "added");
			json_null(&j);
			json_key(&j, "removed");
			json_null(&j);
		}
		json_kv_string(&j, "outcome", t->outcome);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "totals");
	json_object_begin(&j);
	json_kv_int(&j, "tasks", (long long)r->nr);
	json_kv_double(&j, "wall", r->wall);
	json_kv_double(&j, "task_time", r->task_time);
	json_kv_double(&j, "speedup", r->speedup);
	json_kv_double(&j, "saved", r->saved);
	json_kv_int(&j, "merged", (long long)r->merged);
	json_kv_int(&j, "conflicts", (long long)r->conflicts);
	json_kv_double(&j, "wait_time", r->wait_time);
	json_kv_int(&j, "done", (long long)r->done);
	json_kv_double(&j, "share", r->share);
	json_key(&j, "min_success");
	if (r->min_success >= 0)
		json_double(&j, r->min_success);
	else
		json_null(&j);
	json_key(&j, "min_success_met");
	if (r->min_success >= 0)
		json_bool(&j, r->share >= r->min_success);
	else
		json_null(&j);
	json_object_end(&j);
	json_object_end(&j);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static void num(struct strbuf *sb, int known, size_t v, const char *prefix)
{
	if (known)
		strbuf_addf(sb, "%s%zu", prefix, v);
	else
		strbuf_addstr(sb, "-");
}

static void print_rows(const struct report *r, int md)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, idw = 4;

	for (i = 0; i < r->nr; i++)
		if (strlen(r->v[i].id) > idw)
			idw = strlen(r->v[i].id);
	if (md) {
		printf("| Task | Title | State | Attempts | Time | Wait | Commits | Files | Added | Removed | Merge |\n");
		printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
	} else {
		printf("%-*s  %-11s %8s %9s %8s %7s %5s %7s %7s  %s\n", (int)idw, "task", "state",
		       "attempts", "time", "wait", "commits", "files", "added", "removed", "merge");
	}
	for (i = 0; i < r->nr; i++) {
		const struct report_task *t = &r->v[i];
		struct strbuf c = STRBUF_INIT, f = STRBUF_INIT, a = STRBUF_INIT, d = STRBUF_INIT;

		num(&c, t->known, t->commits, "");
		num(&f, t->known, t->files, "");
		num(&a, t->known, t->added, "+");
		num(&d, t->known, t->removed, "-");
		strbuf_reset(&sb);
		if (md) {
			struct strbuf title = STRBUF_INIT;
			const char *p;

			for (p = term_str(t->title); *p; p++) {
				if (*p == '|')
					strbuf_addch(&title, '\\');
				strbuf_addch(&title, *p);
			}
			strbuf_addf(&sb, "| %s | %s | %s | %u | %.1fs | %.1fs | %s | %s | %s | %s | %s |", t->id,
				    title.buf, task_state_name(t->state), t->attempts, t->duration,
				    t->wait_time, c.buf, f.buf, a.buf, d.buf, t->outcome ? term_str(t->outcome) : "-");
			strbuf_release(&title);
		} else {
			strbuf_addf(&sb, "%-*s  %-11s %8u %8.1fs %7.1fs %7s %5s %7s %7s  %s", (int)idw, t->id,
				    task_state_name(t->state), t->attempts, t->duration, t->wait_time,
				    c.buf, f.buf, a.buf, d.buf, t->outcome ? term_str(t->outcome) : "-");
		}
		printf("%s\n", sb.buf);
		strbuf_release(&c);
		strbuf_release(&f);
		strbuf_release(&a);
		strbuf_release(&d);
	}
	if (md) {
		printf("\n**Totals**: %zu tasks, wall time %.1fs, task time %.1fs, wait time %.1fs, "
		       "speedup %.2fx, time saved %.1fs, %zu merged, %zu conflict%s\n", r->nr, r->wall,
		       r->task_time, r->wait_time, r->speedup, r->saved, r->merged, r->conflicts,
		       r->conflicts == 1 ? "" : "s");
	} else {
		printf("\n%zu tasks: wall time %.1fs, task time %.1fs, wait time %.1fs, speedup %.2fx, "
		       "time saved %.1fs, %zu merged, %zu conflict%s\n", r->nr, r->wall, r->task_time,
		       r->wait_time, r->speedup, r->saved, r->merged, r->conflicts,
		       r->conflicts == 1 ? "" : "s");
	}
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s%zu of %zu tasks done (%.1f%%)", md ? "**Done**: " : "", r->done, r->nr,
		    r->share);
	if (r->min_success >= 0)
		strbuf_addf(&sb, "; the last run's --min-success %g%%: %s", r->min_success,
			    r->share >= r->min_success ? "met" : "not met");
	printf("%s\n", sb.buf);
	strbuf_release(&sb);
}

/* --format=<fmt>, or --json (no argument) */
static int parse_format(const struct parse_opt *opt, const char *arg, int unset, struct strbuf *err)
{
	enum report_format *fmt = opt->value;

	if (!arg || !strcmp(arg, "json"))
		*fmt = FMT_JSON;
	else if (!strcmp(arg, "text"))
		*fmt = FMT_TEXT;
	else if (!strcmp(arg, "markdown") || !strcmp(arg, "md"))
		*fmt = FMT_MARKDOWN;
	else {
		strbuf_addf(err, "unknown format '%s'", arg);
		return -1;
	}
	return 0;
}

int cmd_report(int argc, char **argv, struct cmd_ctx *ctx)
{
	enum report_format fmt = FMT_TEXT;
	struct session s;
	struct report r;
	int c, ret = 128;
	struct parse_opt usage_report[] = {
		OPT_COMMAND("report"),
		{ OPTION_CALLBACK, 0, "format", &fmt, "text|markdown|json", "the report as text, a Markdown table or JSON",
		  PARSE_OPT_LITERAL_ARGHELP, parse_format },
		{ OPTION_CALLBACK, 0, "json", &fmt, NULL, "same as --format=json", PARSE_OPT_NOARG, parse_format },
		OPT_ALIAS('f', "format"),
		OPT_ALIAS('j', "json"),
		OPT_END(),
	};

	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	if ((optind = cmd_parse_options(argc, argv, usage_report, &c)) < 0)
		return c;
	if (optind < argc)
		return usage_error(usage_report, "unexpected argument '%s'", argv[optind]);
	if (session_open(&s, ctx->repo, ctx->config_path) < 0)
		goto out;
	if (session_load_status(&s) < 0 || report_build(&r, &s) < 0)
		goto out;
	if (fmt == FMT_JSON)
		print_json(&r);
	else
		print_rows(&r, fmt == FMT_MARKDOWN);
	ret = 0;
out:
	report_release(&r);
	session_release(&s);
	return ret;
}
