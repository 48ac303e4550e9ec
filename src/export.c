/*
 * The plan as a GitHub Actions workflow (gp/export.h): one job per task,
 * needs: from the plan's edges, each job running the worker.  Everything
 * from task text is YAML-quoted, and "${{" never survives into it: GitHub
 * would evaluate it as an expression.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gp/export.h"

char *export_job_id(const char *id, struct strmap *used)
{
	struct strbuf sb = STRBUF_INIT;
	const char *c;
	char *base;
	int n = 2, found;

	/* a letter or '_' first, then letters, digits, '-' and '_' */
	if (!isalpha((unsigned char)id[0]) && id[0] != '_')
		strbuf_addstr(&sb, "task_");
	for (c = id; *c; c++)
		strbuf_addch(&sb, isalnum((unsigned char)*c) || *c == '-' || *c == '_' ? *c : '_');
	base = strbuf_detach(&sb, NULL);
	strbuf_addstr(&sb, base);
	for (;;) {
		char *lower = xstrdup(sb.buf), *l;

		/* job IDs are case-insensitive */
		for (l = lower; *l; l++)
			*l = (char)tolower((unsigned char)*l);
		strmap_put(used, lower, NULL, &found);
		free(lower);
		if (!found)
			break;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s_%d", base, n++);
	}
	free(base);
	return strbuf_detach(&sb, NULL);
}

/* A YAML double-quoted scalar; "${{" is broken so that no expression is evaluated. */
static void yaml_quote(struct strbuf *out, const char *s)
{
	const unsigned char *c;

	strbuf_addch(out, '"');
	for (c = (const unsigned char *)s; *c; c++) {
		if (c[0] == '$' && c[1] == '{' && c[2] == '{') {
			strbuf_addstr(out, "$ ");
			continue;
		}
		switch (*c) {
		case '"':
			strbuf_addstr(out, "\\\"");
			break;
		case '\\':
			strbuf_addstr(out, "\\\\");
			break;
		case '\n':
			strbuf_addstr(out, "\\n");
			break;
		case '\t':
			strbuf_addstr(out, "\\t");
			break;
		default:
			if (*c < 0x20 || *c == 0x7f)
				strbuf_addf(out, "\\x%02x", *c);
			else
				strbuf_addch(out, *c);
		}
	}
	strbuf_addch(out, '"');
}

static int valid_env_name(const char *s)
{
	const char *c;

	if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return 0;
	return strncmp(s, "GITHUB_", 7) != 0;
}

int export_github_actions(struct strbuf *out, const struct plan *p, const struct export_opts *o)
{
	struct strmap used = STRMAP_INIT;
	char **job;
	size_t *order, nr, k, d, *lane_last = NULL;
	int ret = 0;

	if (!valid_env_name(o->secret))
		return error("--secret '%s' is not a valid secret name ([A-Za-z_][A-Za-z0-9_]*, "
			     "not GITHUB_*)", o->secret ? o->secret : "");
	job = xcalloc(p->tasks.nr + 1, sizeof(*job));
	order = plan_order(p, &nr);
	for (k = 0; k < nr; k++)
		job[order[k]] = export_job_id(p->tasks.v[order[k]].id, &used);
	if (o->jobs)
		lane_last = xcalloc(o->jobs, sizeof(*lane_last));

	strbuf_addstr(out, "# GitHub Actions workflow made by 'git parallel export --format=github-actions'\n");
	strbuf_addf(out, "# for plan %s: one job per task, each running 'git parallel worker %s <id>'.\n",
		    p->id ? p->id : "(unsaved)", o->remote);
	strbuf_addf(out, "# Publish the plan first: git parallel push %s\n", o->remote);
	strbuf_addf(out, "# The agent's API key: repository secret %s (given to the task as $%s).\n",
		    o->secret, o->secret);
	if (!o->source)
		strbuf_addstr(out, "# git-parallel is built from the git URL given as the run's input 'git-parallel-source'.\n");
	if (o->jobs)
		strbuf_addf(out, "# max-parallel: %u -- GitHub caps jobs only within a matrix, so the tasks\n"
			    "# run in %u lanes: each job also needs the one before it in its lane.\n",
			    o->jobs, o->jobs);
	strbuf_addstr(out, "name: git-parallel\n"
		      "on:\n"
		      "  workflow_dispatch:\n");
	if (!o->source)
		strbuf_addstr(out, "    inputs:\n"
			      "      git-parallel-source:\n"
			      "        description: git URL of git-parallel's source, built by each job\n"
			      "        required: true\n"
			      "        type: string\n");
	strbuf_addstr(out, "permissions:\n"
		      "  contents: write\n"
		      "jobs:\n");
	for (k = 0; k < nr; k++) {
		size_t i = order[k];
		const struct task *t = &p->tasks.v[i];
		const struct plan_task *pt = &p->pt[i];
		struct strlist needs = STRLIST_INIT;
		struct strbuf name = STRBUF_INIT;

		for (d = 0; d < pt->deps_nr; d++)
			if (job[pt->deps[d].task] && !strlist_has(&needs, job[pt->deps[d].task]))
				strlist_push(&needs, job[pt->deps[d].task]);
		if (lane_last) {
			size_t lane = k % o->jobs;

			if (k >= o->jobs && !strlist_has(&needs, job[lane_last[lane]]))
				strlist_push(&needs, job[lane_last[lane]]);
			lane_last[lane] = i;
		}
		strbuf_addf(out, "  %s:\n", job[i]);
		strbuf_addf(&name, "%s: %s", t->id, t->title ? t->title : "");
		strbuf_addstr(out, "    name: ");
		yaml_quote(out, name.buf);
		strbuf_addch(out, '\n');
		strbuf_addf(out, "    runs-on: %s\n", o->runs_on);
		if (needs.nr) {
			strbuf_addstr(out, "    needs: [");
			for (d = 0; d < needs.nr; d++)
				strbuf_addf(out, "%s%s", d ? ", " : "", needs.v[d]);
			strbuf_addstr(out, "]\n");
			/* the worker itself checks that its dependencies finished */
			strbuf_addstr(out, "    if: ${{ !cancelled() }}\n");
		}
		strbuf_addstr(out, "    env:\n      GIT_PARALLEL_TASK: ");
		yaml_quote(out, t->id);
		strbuf_addstr(out, "\n      GIT_PARALLEL_REMOTE: ");
		yaml_quote(out, o->remote);
		strbuf_addstr(out, "\n    steps:\n"
			      "      - uses: actions/checkout@v4\n"
			      "        with:\n"
			      "          fetch-depth: 0\n"
			      "      - name: Install git-parallel\n"
			      "        env:\n"
			      "          GIT_PARALLEL_SOURCE: ");
		if (o->source)
			yaml_quote(out, o->source);
		else
			strbuf_addstr(out, "${{ inputs.git-parallel-source }}");
		strbuf_addstr(out, "\n        run: |\n"
			      "          sudo apt-get update -qq\n"
			      "          sudo apt-get install -y -qq libgit2-dev libpcre2-dev libinih-dev pkg-config make gcc\n"
			      "          git clone -q --depth 1 \"$GIT_PARALLEL_SOURCE\" \"$RUNNER_TEMP/git-parallel\"\n"
			      "          make -C \"$RUNNER_TEMP/git-parallel\" -j2\n"
			      "          sudo make -C \"$RUNNER_TEMP/git-parallel\" install prefix=/usr/local\n"
			      "      - name: Run the task\n"
			      "        env:\n");
		strbuf_addf(out, "          %s: ${{ secrets.%s }}\n", o->secret, o->secret);
		strbuf_addstr(out, "        run: |\n"
			      "          git config user.name \"git-parallel\"\n"
			      "          git config user.email \"git-parallel@users.noreply.github.com\"\n"
			      "          git parallel worker \"$GIT_PARALLEL_REMOTE\" \"$GIT_PARALLEL_TASK\"\n");
		strlist_clear(&needs);
		strbuf_release(&name);
	}
	for (k = 0; k < p->tasks.nr; k++)
		free(job[k]);
	free(job);
	free(order);
	free(lane_last);
	strmap_clear(&used);
	return ret;
}
