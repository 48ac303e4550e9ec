#!/bin/sh

test_description='plan: what real lists write after "depends on" and "blocked by"'

. ./test-lib.sh

# plan_json <file>: plan --json of repo/<file> into <file>.json, stderr into err
plan_json () {
	(cd repo && git parallel plan --json "$1" >"../$1.json" 2>../err)
}

# expect_plan <file>: every row of the table on stdin holds for <file>.json
expect_plan () {
	python3 "$TRASH_DIRECTORY/expect_plan.py" "$1.json"
}

test_expect_success 'setup' '
	new_repo repo &&
	cat >expect_plan.py <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	def task(i): return [t for t in d["tasks"] if t["id"] == i][0]
	def ids(): return " ".join(t["id"] for t in d["tasks"])
	def paths(i): return task(i)["paths"]
	def deps(i): return [x["id"] for x in task(i)["depends"] if x["reason"] == "depends"]
	def title(i): return task(i)["title"]
	def status(i): return task(i)["status"]
	bad = 0
	for row in sys.stdin.read().splitlines():
	    expr, want = row.split("\t", 1)
	    r = eval(expr)
	    got = json.dumps(r) if r is None or isinstance(r, (list, dict)) else str(r)
	    if got != want:
	        print("%s\n  expected: %s\n  actual:   %s" % (expr, want, got))
	        bad = 1
	sys.exit(bad)
	PY
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
