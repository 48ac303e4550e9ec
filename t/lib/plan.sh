# Helpers for plan tests that check plan --json against a table.
# Source after test-lib.sh; call write_expect_plan in the setup test.

# plan_json <file>: plan --json of repo/<file> into <basename>.json, stderr into err
plan_json () {
	(cd repo && git parallel plan --json "$1" >"../$(basename "$1").json" 2>../err)
}

# expect_plan <file>: every row of the table on stdin holds for <file>.json:
# "<python expression>\t<expected value>"; task(i), ids(), paths(i),
# deps(i), title(i), status(i) read the plan
expect_plan () {
	python3 "$TRASH_DIRECTORY/expect_plan.py" "$1.json"
}

# write_expect_plan: the checker expect_plan runs, into the trash directory
write_expect_plan () {
	cat >"$TRASH_DIRECTORY/expect_plan.py" <<-\PY
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
}
