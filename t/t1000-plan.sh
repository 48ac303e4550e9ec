#!/bin/sh

test_description='git parallel plan: graph, waves, reasons, findings, saved state'

. ./test-lib.sh

test_expect_success 'setup' '
	new_repo repo &&
	cat >repo/tasks.md <<-\EOF
	# Tasks: events

	## Phase 1: Setup

	- [ ] T001 Create project structure in src/
	- [ ] T002 [P] Configure linting in `.eslintrc.json`
	- [ ] T003 [P] Configure formatting in config/prettier.json

	## Phase 2: Models

	- [ ] T004 [P] [US1] Create Event model in src/models/event.py
	- [ ] T005 [P] [US1] Create Venue model in `src/models/venue.py`
	- [ ] T006 [P] [US1] Add Venue validation in src/models/venue.py
	- [x] T007 [P] [US1] Already done in src/models/old.py
	- [ ] T008 [US1] Implement EventService in src/services/event_service.py (depends on T004, T005)
	- [ ] T009 [P] [US2] Add logging
	EOF
	git -C repo add tasks.md &&
	git -C repo commit -q -m tasks
'

test_expect_success 'plan prints waves and saves the plan' '
	(cd repo && git parallel plan tasks.md >../out 2>../err) &&
	test_must_be_empty err &&
	grep "^wave 1 (1 task)" out &&
	test -f "$(state_dir repo)/plan"
'

test_expect_success 'plan --json has the documented keys' '
	(cd repo && git parallel plan --json tasks.md >../plan.json) &&
	json_get plan.json "d[\"version\"]" >actual && echo 1 >expect && test_cmp expect actual &&
	json_get plan.json "sorted(d.keys())" >actual &&
	echo "[\"base\", \"commands\", \"critical_path\", \"findings\", \"sources\", \"speedup\", \"tasks\", \"version\", \"waves\"]" >expect &&
	test_cmp expect actual &&
	json_get plan.json "sorted(d[\"tasks\"][0].keys())" >actual &&
	echo "[\"cancelled\", \"command\", \"depends\", \"done\", \"file\", \"group\", \"id\", \"line\", \"owner\", \"parallel\", \"paths\", \"phase\", \"reads\", \"state\", \"status\", \"story\", \"title\", \"wave\"]" >expect &&
	test_cmp expect actual &&
	json_get plan.json "d[\"base\"][\"oid\"]" >actual &&
	git -C repo rev-parse main >expect &&
	test_cmp expect actual &&
	json_get plan.json "d[\"base\"][\"ref\"]" >actual &&
	echo refs/heads/main >expect &&
	test_cmp expect actual
'

task () {
	json_get plan.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0]$2"
}

test_expect_success 'a barrier waits for what came before it and gates the tasks after it' '
	task T001 "[\"wave\"]" >actual && echo 1 >expect && test_cmp expect actual &&
	task T002 "[\"depends\"]" >actual &&
	echo "[{\"id\": \"T001\", \"reason\": \"barrier\"}]" >expect &&
	test_cmp expect actual &&
	task T003 "[\"wave\"]" >actual && echo 2 >expect && test_cmp expect actual
'

test_expect_success 'a phase waits for the previous phase' '
	task T004 "[\"depends\"]" >actual &&
	echo "[{\"id\": \"T002\", \"reason\": \"phase\"}, {\"id\": \"T003\", \"reason\": \"phase\"}]" >expect &&
	test_cmp expect actual &&
	task T004 "[\"wave\"]" >actual && echo 3 >expect && test_cmp expect actual
'

test_expect_success 'explicit dependencies keep their reason' '
	task T008 "[\"depends\"]" >actual &&
	grep "\"id\": \"T004\", \"reason\": \"depends\"" actual &&
	grep "\"id\": \"T005\", \"reason\": \"depends\"" actual &&
	grep "\"id\": \"T006\", \"reason\": \"barrier\"" actual
'

test_expect_success 'a shared declared path orders the tasks and is a false [P]' '
	task T006 "[\"depends\"]" >actual &&
	echo "[{\"id\": \"T002\", \"reason\": \"phase\"}, {\"id\": \"T003\", \"reason\": \"phase\"}, {\"id\": \"T005\", \"reason\": \"shares\", \"path\": \"src/models/venue.py\"}]" >expect &&
	test_cmp expect actual &&
	task T006 "[\"wave\"]" >actual && echo 4 >expect && test_cmp expect actual &&
	json_get plan.json "[f for f in d[\"findings\"] if f[\"kind\"] == \"false-parallel\"]" >actual &&
	echo "[{\"kind\": \"false-parallel\", \"tasks\": [\"T005\", \"T006\"], \"path\": \"src/models/venue.py\", \"wave\": 3}]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a declared directory conflicts with the paths below it' '
	task T001 "[\"paths\"]" >actual &&
	echo "[\"src/\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'done tasks are listed with wave 0 and never waited for' '
	task T007 "[\"done\"]" >actual && echo True >expect && test_cmp expect actual &&
	task T007 "[\"wave\"]" >actual && echo 0 >expect && test_cmp expect actual &&
	json_get plan.json "[t[\"id\"] for t in d[\"tasks\"] if any(x[\"id\"] == \"T007\" for x in t[\"depends\"])]" >actual &&
	echo "[]" >expect &&
	test_cmp expect actual
'

test_expect_success 'tasks without paths are an unknown footprint' '
	json_get plan.json "sorted(f[\"tasks\"][0] for f in d[\"findings\"] if f[\"kind\"] == \"unknown-footprint\")" >actual &&
	echo "[\"T009\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'waves, critical path and speedup' '
	json_get plan.json "d[\"waves\"]" >actual &&
	echo "[[\"T001\"], [\"T002\", \"T003\"], [\"T004\", \"T005\"], [\"T006\"], [\"T008\"], [\"T009\"]]" >expect &&
	test_cmp expect actual &&
	json_get plan.json "d[\"critical_path\"]" >actual &&
	echo "[\"T001\", \"T002\", \"T005\", \"T006\", \"T008\", \"T009\"]" >expect &&
	test_cmp expect actual &&
	json_get plan.json "d[\"speedup\"]" >actual &&
	echo 1.333 >expect &&
	test_cmp expect actual
'

test_expect_success 'every dependency is in an earlier wave (the plan respects its edges)' '
	json_get plan.json "all(t[\"wave\"] > [u for u in d[\"tasks\"] if u[\"id\"] == x[\"id\"]][0][\"wave\"] for t in d[\"tasks\"] for x in t[\"depends\"])" >actual &&
	echo True >expect &&
	test_cmp expect actual
'

test_expect_success 'the table shows reasons and findings' '
	(cd repo && git parallel plan tasks.md >../out) &&
	grep "; T005 (shares src/models/venue.py)" out &&
	grep "false \[P\]: T005, T006 share src/models/venue.py in wave 3" out &&
	grep "unknown footprint: T009" out &&
	grep "critical path: T001 -> T002 -> T005 -> T006 -> T008 -> T009 (6 tasks)" out &&
	grep "best speedup: 1.33x (8 tasks in 6 waves)" out &&
	grep "after T008 (barrier)" out &&
	grep "done (not run): T007" out
'

test_expect_success '--strict makes a false [P] an error: exit 1, nothing saved' '
	rm -rf "$(state_dir repo)" &&
	(cd repo && test_expect_code 1 git parallel plan --strict tasks.md >../out 2>../err) &&
	grep "error: false \[P\]: T005, T006 share .src/models/venue.py." err &&
	test_no_state repo
'

test_expect_success '--no-phases lifts phase edges but keeps barriers' '
	(cd repo && git parallel plan --no-phases --json tasks.md >../plan.json) &&
	task T002 "[\"wave\"]" >actual && echo 2 >expect && test_cmp expect actual &&
	task T004 "[\"depends\"]" >actual &&
	echo "[{\"id\": \"T001\", \"reason\": \"shares\", \"path\": \"src/\"}]" >expect &&
	test_cmp expect actual &&
	task T008 "[\"depends\"]" >actual &&
	grep "barrier" actual
'

test_expect_success 'the saved plan pins the base commit and lists every task' '
	(cd repo && git parallel plan tasks.md >/dev/null) &&
	grep "base-oid = $(git -C repo rev-parse main)" "$(state_dir repo)/plan" &&
	grep -c "^\[task " "$(state_dir repo)/plan" >actual &&
	echo 9 >expect &&
	test_cmp expect actual &&
	! ls "$(state_dir repo)" | grep tmp
'

test_expect_success '--base pins another branch' '
	git -C repo branch other main~1 &&
	(cd repo && git parallel plan --base other --json tasks.md >../plan.json) &&
	json_get plan.json "d[\"base\"][\"oid\"]" >actual &&
	git -C repo rev-parse other >expect &&
	test_cmp expect actual
'

test_expect_success 'an unknown --base is an error and saves nothing' '
	rm -rf "$(state_dir repo)" &&
	(cd repo && test_expect_code 128 git parallel plan --base nope tasks.md 2>../err) &&
	test_one_line_error err &&
	grep "nope" err &&
	test_no_state repo
'

test_expect_success 'a title with shell syntax is data, nothing runs' '
	cat >repo/evil.md <<-\EOF &&
	- [ ] T001 [P] Do $(touch pwned) and `touch pwned2` in src/a.c
	EOF
	(cd repo && git parallel plan --json evil.md >../plan.json) &&
	! test -e repo/pwned && ! test -e pwned && ! test -e repo/pwned2 &&
	task T001 "[\"title\"]" >actual &&
	grep "touch pwned" actual
'

test_expect_success 'a cycle is an error that prints the cycle, nothing saved' '
	rm -rf "$(state_dir repo)" &&
	cat >repo/cycle.md <<-\EOF &&
	- [ ] T001 [P] A in a.c (depends on T003)
	- [ ] T002 [P] B in b.c (depends on T001)
	- [ ] T003 [P] C in c.c (depends on T002)
	- [ ] T004 [P] D in d.c
	EOF
	(cd repo && test_expect_code 128 git parallel plan cycle.md 2>../err) &&
	test_one_line_error err &&
	grep "dependency cycle" err &&
	grep "T001" err && grep "T002" err && grep "T003" err &&
	! grep "T004" err &&
	test_no_state repo
'

test_expect_success 're-planning while run holds the lock is refused without --force' '
	mkdir -p "$(state_dir repo)" &&
	{ sleep 3600 & } &&
	pid=$! &&
	test_when_finished "kill $pid 2>/dev/null || :" &&
	echo "pid = $pid" >"$(state_dir repo)/lock" &&
	(cd repo && test_expect_code 128 git parallel plan tasks.md 2>../err) &&
	grep "pid $pid" err &&
	(cd repo && git parallel plan --force tasks.md >/dev/null) &&
	kill $pid &&
	rm "$(state_dir repo)/lock"
'

test_expect_success 'a stale lock (dead pid) does not block planning' '
	echo "pid = 999999" >"$(state_dir repo)/lock" &&
	(cd repo && git parallel plan tasks.md >/dev/null) &&
	rm "$(state_dir repo)/lock"
'

test_expect_success 'several task files: phases are per file' '
	cat >repo/a.md <<-\EOF &&
	## One
	- [ ] A1 [P] in a1.c
	## Two
	- [ ] A2 [P] in a2.c
	EOF
	cat >repo/b.md <<-\EOF &&
	## One
	- [ ] B1 [P] in b1.c
	EOF
	(cd repo && git parallel plan --json a.md b.md >../plan.json) &&
	json_get plan.json "d[\"waves\"]" >actual &&
	echo "[[\"A1\", \"B1\"], [\"A2\"]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'estimates give the critical path in seconds' '
	cat >repo/est.ini <<-\EOF &&
	[task "E1"]
	paths = e1.c
	estimate = 10m
	[task "E2"]
	paths = e2.c
	estimate = 30m
	depends = E1
	[task "E3"]
	paths = e3.c
	estimate = 20m
	EOF
	(cd repo && git parallel plan --json est.ini >../plan.json) &&
	json_get plan.json "d[\"critical_seconds\"]" >actual &&
	echo 2400.0 >expect &&
	test_cmp expect actual &&
	json_get plan.json "d[\"speedup\"]" >actual &&
	echo 1.5 >expect &&
	test_cmp expect actual
'

test_expect_success 'JSON output is valid with non-ASCII titles' '
	printf -- "- [ ] T001 [P] Café ünïcode — in src/é.c\n" >repo/u.md &&
	(cd repo && git parallel plan --json u.md >../plan.json) &&
	task T001 "[\"paths\"]" >actual &&
	grep "src/" actual
'

test_done
