#!/bin/sh

test_description='plan: struck-out items and links relative to the task file (spec-kit lists in specs/NNN/)'

. ./test-lib.sh

# plan_json <file>: plan --json of repo/<file> into <file>.json, stderr into err
plan_json () {
	(cd repo && git parallel plan --json "$1" >"../$(basename "$1").json" 2>../err)
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

test_expect_success 'a whole item struck out is listed, not run; depending on it warns' '
	cat >repo/struck.md <<-\EOF &&
	- [ ] ~~T074 [P] [US4] Create DataItemService in `backend/app/services/data_item_service.py`~~
	- [ ] T075 [US4] Create the tool (depends on T074)
	- [ ] T076 Keep ~~old~~ new naming in src/x.py
	EOF
	plan_json struck.md &&
	grep "T075.*T074.*struck out" err &&
	expect_plan struck.md <<-\EOF
	ids()	T074 T075 T076
	status("T074")	struck out
	title("T074")	Create DataItemService in `backend/app/services/data_item_service.py`
	task("T074")["cancelled"]	True
	task("T074")["story"]	US4
	status("T076")	todo
	EOF
'

test_expect_success 'a link target with ../ or ./ is relative to the task file' '
	mkdir -p repo/specs/002-pay &&
	cat >repo/specs/002-pay/tasks.md <<-\EOF &&
	- [x] T001 Install the SDK
	  → Artifacts: [package.json](../../package.json), [notes](./notes.md)
	- [ ] T002 Types in [payment.ts](../../types/payment.ts), not [x](../../../../etc/passwd)
	EOF
	plan_json specs/002-pay/tasks.md &&
	grep "task .T002.: ignoring path .*etc/passwd. (path outside the repository)" err &&
	expect_plan tasks.md <<-\EOF
	paths("T001")	["package.json", "specs/002-pay/notes.md"]
	paths("T002")	["types/payment.ts"]
	EOF
'

test_expect_success 'from a subdirectory too' '
	(cd repo/specs && git parallel plan --json 002-pay/tasks.md >../../sub.json 2>../../err) &&
	expect_plan sub <<-\EOF
	paths("T002")	["types/payment.ts"]
	EOF
'

test_done
