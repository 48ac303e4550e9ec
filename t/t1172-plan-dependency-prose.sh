#!/bin/sh

test_description='plan: what real lists write after "depends on" and "blocked by"'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/plan.sh"

test_expect_success 'setup' '
	new_repo repo &&
	write_expect_plan
'

test_expect_success 'ID lists, phases, stories, ranges over the task itself' '
	cat >repo/dp.md <<-\EOF &&
	## Phase 1: Setup
	- [ ] T001 Create src/a.py
	- [ ] T002 Create src/b.py

	## Phase 2: Core
	- [ ] T010 Build src/core.py (Depends on: T001, T002)
	- [ ] T011 Wire it (after T010)
	- [ ] T012 [US1] Blocked by: US1 and T011
	- [ ] T013 Polish. Depends on Phase 1
	- [ ] T014 Polish more. Depends on: Phase I Complete
	- [ ] T015 Test. Depends on: Task T012
	- [ ] T016 Range. Depends on T010-T016
	EOF
	plan_json dp.md &&
	test_must_be_empty err &&
	expect_plan dp.md <<-\EOF
	deps("T010")	["T001", "T002"]
	deps("T011")	["T010"]
	deps("T012")	["T011"]
	deps("T013")	[]
	deps("T014")	[]
	deps("T015")	["T012"]
	deps("T016")	["T010", "T011", "T012", "T013", "T014", "T015"]
	EOF
'

test_expect_success '"Depends on: Task I-1.2": a dotted ID after a dash is one ID' '
	cat >repo/roman.md <<-\EOF &&
	### Task I-1.2: Write the spec
	- [ ] the fields are documented

	### Task I-1.3: Implement it
	**Depends on:** Task I-1.2
	- [ ] create_task validates

	### Task II-1.1: Schema
	**Depends on:** Phase I Complete
	- [ ] the schema exists
	EOF
	plan_json roman.md &&
	test_must_be_empty err &&
	expect_plan roman.md <<-\EOF
	deps("I-1.3")	["I-1.2"]
	deps("II-1.1")	[]
	EOF
'

test_expect_success 'prose after "depends on" still warns, naming file:line' '
	printf "%s\n" "- [ ] T017 Ship. Depends on the API being deployed" >repo/prose.md &&
	plan_json prose.md &&
	grep "^warning: prose.md:1: task .T017.: cannot read the dependency .Depends on the API being deployed.$" err
'

test_done
