#!/bin/sh

test_description='plan reads the IDs, statuses, nesting and dependencies of real task lists'

. ./test-lib.sh

# field <json> <id> <key>: one key of one task
field () {
	json_get "$1" "[t for t in d[\"tasks\"] if t[\"id\"] == \"$2\"][0][\"$3\"]"
}

# deps <json> <id>: the task's "depends" reasons, "ID:reason" sorted
deps () {
	json_get "$1" "\" \".join(sorted(x[\"id\"] + \":\" + x[\"reason\"] for x in [t for t in d[\"tasks\"] if t[\"id\"] == \"$2\"][0][\"depends\"] if x[\"reason\"] == \"depends\"))"
}

test_expect_success 'setup' '
	new_repo repo
'

test_expect_success 'IDs: Kiro, bracketed, bold with colon, prefixed, suffixed, after a tag' '
	cat >repo/ids.md <<-\EOF &&
	# Tasks

	- [ ] 1. Set up the project in package.json
	- [ ] 2.1 Create the model in src/model.ts
	- [ ] 10.2a Patch the model in src/patch.ts
	- [ ] [T001] Bracketed in src/b.ts
	- [ ] **PH0-LAUNCH-001:** Launch checklist in docs/launch.md
	- [ ] FE-UI-001: Build the header in src/header.tsx
	- [ ] T011A Second half in src/half.ts
	- [ ] [EXEC] TS-002: Run the suite in test/suite.ts
	- [ ] T020 [p] Lower-case marker in src/p.ts
	- [ ] T021 Marker at the end in src/q.ts [P]
	EOF
	(cd repo && git parallel plan --json ids.md >../ids.json 2>../err) &&
	test_must_be_empty err &&
	json_get ids.json "\" \".join(t[\"id\"] for t in d[\"tasks\"])" >actual &&
	echo "1 2.1 10.2a T001 PH0-LAUNCH-001 FE-UI-001 T011A TS-002 T020 T021" >expect &&
	test_cmp expect actual &&
	field ids.json PH0-LAUNCH-001 title >actual &&
	echo "Launch checklist in docs/launch.md" >expect &&
	test_cmp expect actual &&
	field ids.json TS-002 title >actual &&
	echo "Run the suite in test/suite.ts" >expect &&
	test_cmp expect actual &&
	json_get ids.json "\" \".join(t[\"id\"] for t in d[\"tasks\"] if t[\"parallel\"])" >actual &&
	echo "T020 T021" >expect &&
	test_cmp expect actual &&
	field ids.json T021 title >actual &&
	echo "Marker at the end in src/q.ts" >expect &&
	test_cmp expect actual
'

test_expect_success 'dotted IDs are branch names git accepts; "3." is read as "3"' '
	for id in 1 2.1 10.2a
	do
		git check-ref-format "refs/heads/parallel/$id" || return 1
	done &&
	test_must_fail git check-ref-format "refs/heads/parallel/3." &&
	printf "%s\n" "- [ ] 3. Ends with a dot" >repo/dot.md &&
	(cd repo && git parallel plan --json dot.md >../dot.json) &&
	json_get dot.json "d[\"tasks\"][0][\"id\"]" >actual &&
	echo 3 >expect &&
	test_cmp expect actual
'

test_expect_success 'a dotted task runs on its branch parallel/2.1' '
	new_repo runrepo &&
	printf "%s\n" "- [ ] 2.1 Write a.txt in a.txt" >runrepo/k.md &&
	(cd runrepo &&
	 git parallel plan k.md >/dev/null &&
	 git config parallel.command "echo done >a.txt" 2>/dev/null;
	 printf "[parallel]\n\tcommand = echo done >a.txt\n" >.gitparallel &&
	 git parallel run >../run.out 2>&1) &&
	git -C runrepo rev-parse --verify refs/heads/parallel/2.1 &&
	git -C runrepo show parallel/2.1:a.txt >actual &&
	echo done >expect &&
	test_cmp expect actual
'

test_expect_success 'status markers are read and listed, never dropped' '
	cat >repo/status.md <<-\EOF &&
	## Phase 1
	- [x] T001 Done in src/1.ts
	- [~] T002 Tilde in src/2.ts
	- [/] T003 Slash in src/3.ts
	- [!] T004 Bang in src/4.ts
	- [-] T005 Dash in src/5.ts
	- [A] T006 Letter in src/6.ts
	- [ ]* T007 Optional in src/7.ts
	- [x]* T008 Optional done in src/8.ts
	- [ ] T009 Waits in src/9.ts (depends on T002)
	EOF
	(cd repo && git parallel plan --json status.md >../status.json 2>../err) &&
	json_get status.json "\" \".join(t[\"id\"] + \"=\" + t[\"status\"].replace(\" \", \"_\") for t in d[\"tasks\"])" >actual &&
	echo "T001=done T002=in_progress T003=in_progress T004=blocked T005=cancelled T006=marked_[A] T007=optional T008=done T009=todo" >expect &&
	test_cmp expect actual &&
	json_get status.json "sorted(x for w in d[\"waves\"] for x in w)" >actual &&
	echo "[\"T007\", \"T009\"]" >expect &&
	test_cmp expect actual &&
	grep "status.md:10: task .T009. depends on .T002., which is in progress" err &&
	(cd repo && git parallel plan status.md >../status.out 2>/dev/null) &&
	grep "^2 tasks to run, 2 done, 2 in progress, 1 blocked, 1 cancelled, 1 marked \[A\]" status.out &&
	grep "^in progress (not run): T002, T003$" status.out &&
	grep "^blocked (not run): T004$" status.out &&
	grep "T007 .*Optional in src/7.ts (optional)" status.out
'

test_expect_success 'run names the state of a task the list does not run' '
	(cd repo && git parallel plan status.md >/dev/null 2>&1 &&
	 test_must_fail git parallel run T002 2>../err) &&
	grep "task .T002. is in progress in the task list" err
'

test_expect_success 'a legend in the file says what its boxes mean' '
	cat >repo/legend.md <<-\EOF &&
	Mark items: [ ] = not done, [x] = done, [~] = accepted risk / skipped intentionally

	- [~] T001 Skipped on purpose
	- [ ] T002 Todo
	EOF
	(cd repo && git parallel plan --json legend.md >../legend.json) &&
	field legend.json T001 status >actual &&
	echo cancelled >expect &&
	test_cmp expect actual &&
	cat >repo/legend2.md <<-\EOF &&
	## Legend
	- [ ] = Not started
	- [x] = Complete
	- [~] = In progress

	- [~] **0.1.1** Confirm Git is installed
	EOF
	(cd repo && git parallel plan --json legend2.md >../legend2.json) &&
	json_get legend2.json "[(t[\"id\"], t[\"status\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"0.1.1\", \"in progress\"]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'dependencies as authors write them' '
	cat >repo/deps.md <<-\EOF &&
	- [ ] T001 One in src/1.ts
	- [ ] T002 [P] Two in src/2.ts
	- [ ] T003 [P] Three in src/3.ts
	- [ ] T004 [P] Four in src/4.ts
	- [ ] T005 [P] Five in src/5.ts (Depends on: T001)
	- [ ] T006 [P] Six in src/6.ts (after T002)
	- [ ] T007 [P] Seven in src/7.ts (requires T003)
	- [ ] T008 [P] Eight in src/8.ts (blocked by T004)
	- [ ] T009 [P] Nine in src/9.ts [deps:T001,T005]
	- [ ] T010 [P] Ten in src/10.ts
	  **Dependencies**: T006
	- [ ] T011 [P] Eleven in src/11.ts (depends on T001-T004)
	- [ ] T012 [P] Twelve in src/12.ts (depends on T005–T007)
	- [ ] T013 [P] Thirteen in src/13.ts (depends on the database being up)
	- [ ] T014 [P] Fourteen in src/14.ts, after the user logs in
	EOF
	(cd repo && git parallel plan --json deps.md >../deps.json 2>../err) &&
	for pair in "T005 T001:depends" "T006 T002:depends" "T007 T003:depends" \
		"T008 T004:depends" "T009 T001:depends T005:depends" "T010 T006:depends" \
		"T011 T001:depends T002:depends T003:depends T004:depends" \
		"T012 T005:depends T006:depends T007:depends" "T014 "
	do
		id=${pair%% *} &&
		deps deps.json $id >actual &&
		echo "${pair#* }" >expect &&
		test_cmp expect actual || return 1
	done &&
	grep "^warning: deps.md:14: task .T013.: cannot read the dependency .depends on the database being up." err &&
	test_line_count = 1 err
'

test_expect_success 'nesting: criteria are text, a Kiro parent is a group' '
	cat >repo/kiro.md <<-\EOF &&
	# Implementation Plan

	- [ ] 1. Set up the data layer
	  - [ ] 1.1 Create the schema in src/db/schema.ts
	    - Write the tables
	    - _Requirements: 1.1, 2.3_
	  - [ ] 1.2 Create the client in src/db/client.ts

	    Keep it small; see src/db/pool.ts
	    - [ ] it connects
	    - [ ] it retries
	- [ ] 2. Build the API in src/api/index.ts (depends on 1)
	EOF
	(cd repo && git parallel plan --json kiro.md >../kiro.json 2>../err) &&
	test_must_be_empty err &&
	json_get kiro.json "\" \".join(t[\"id\"] + \"=\" + t[\"status\"] for t in d[\"tasks\"])" >actual &&
	echo "1=group 1.1=todo 1.2=todo 2=todo" >expect &&
	test_cmp expect actual &&
	field kiro.json 1.2 group >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	deps kiro.json 2 >actual &&
	echo "1.1:depends 1.2:depends" >expect &&
	test_cmp expect actual &&
	sed -n "/^\[task \"1.2\"\]/,/^\[/p" "$(state_dir repo)/plan" >task12 &&
	grep "it retries" task12 &&
	grep "Keep it small" task12 &&
	(cd repo && git parallel plan kiro.md >../kiro.out) &&
	grep "^groups (not run, their subtasks are): 1$" kiro.out
'

test_expect_success 'checkbox headings and task tables are tasks' '
	cat >repo/heads.md <<-\EOF &&
	## Phase 1: Core

	### [ ] 4.1 Update lib/x.ts
	Make it faster; lib/y.ts calls it.

	- [ ] the benchmark improves
	- [ ] no API change

	### [x] 4.2 Remove lib/old.ts

	| Done | ID | Task | Depends on |
	|------|----|------|------------|
	| [ ] | T001 | Create src/a.py | - |
	| [ ] | T002 | Create src/b.py | T001 |
	| [x] | T003 | Create src/c.py | T001, T002 |
	EOF
	(cd repo && git parallel plan --json heads.md >../heads.json 2>../err) &&
	test_must_be_empty err &&
	json_get heads.json "\" \".join(t[\"id\"] + \"=\" + t[\"status\"] for t in d[\"tasks\"])" >actual &&
	echo "4.1=todo 4.2=done T001=todo T002=todo T003=done" >expect &&
	test_cmp expect actual &&
	field heads.json 4.1 paths >actual &&
	echo "[\"lib/x.ts\", \"lib/y.ts\"]" >expect &&
	test_cmp expect actual &&
	deps heads.json T002 >actual &&
	echo "T001:depends" >expect &&
	test_cmp expect actual
'

test_expect_success 'criteria under ID headings make heading tasks; under a table, a hint' '
	cat >repo/crit.md <<-\EOF &&
	# Plan

	### 4.1 Update lib/x.ts

	- [ ] the benchmark improves
	- [ ] no API change
	EOF
	(cd repo && git parallel plan --json crit.md >crit.json 2>../err) &&
	test_must_be_empty err &&
	json_get repo/crit.json "[(t[\"id\"], t[\"paths\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"4.1\", [\"lib/x.ts\"]]]" >expect &&
	test_cmp expect actual &&
	cat >repo/crit2.md <<-\EOF &&
	| ID | Task |
	|----|------|
	| T001 | Create src/a.py |

	- [ ] tests pass
	EOF
	(cd repo && git parallel plan crit2.md >/dev/null 2>../err) &&
	grep "^warning: crit2.md:3: the tasks seem to be rows of a table" err
'

test_done
