#!/bin/sh

test_description='plan: package modules, actions, prose and dates are no paths; repository paths are'

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

test_expect_success 'what reads like a path but is none, next to real paths' '
	cat >repo/fp.md <<-\EOF &&
	- [ ] T001 Use `zustand/middleware` persist in src/store.ts
	- [ ] T002 Add `docker/build-push-action` and `actions/checkout@v4` to `.github/workflows/ci.yml`
	- [ ] T003 Install `@scope/pkg` and @tanstack/react-query in package.json
	- [ ] T004 Support and/or input/output read/write TCP/IP N/A on 2024/01/02, 1/2 of 3/4
	- [ ] T005 See https://github.com/owner/repo/blob/main/x.md and github.com/owner/repo
	- [ ] T006 Edit Documentation/SubmittingPatches, t/Makefile, bin/, .github/workflows/ci.yml and src/x
	- [ ] T007 Fork owner/repo and push feat/adaptive-interview; use `next/dynamic` and `next/headers`
	- [ ] T008 Log via `console.log/error/warn` and `lodash/debounce`; write `src/lib/db`
	- [ ] T009 Fix client/server sync, pros/cons, yes/no, true/false, CI/CD, UI/UX, I/O
	- [ ] T010 Check that all `.bas` files compile; keep `.venv`, `.env` and `.nvmrc`
	EOF
	plan_json fp.md &&
	expect_plan fp.md <<-\EOF
	paths("T001")	["src/store.ts"]
	paths("T002")	[".github/workflows/ci.yml"]
	paths("T003")	["package.json"]
	paths("T004")	[]
	paths("T005")	[]
	paths("T006")	["Documentation/SubmittingPatches", "t/Makefile", "bin/", ".github/workflows/ci.yml", "src/x"]
	paths("T007")	[]
	paths("T008")	["src/lib/db"]
	paths("T009")	[]
	paths("T010")	[".venv", ".env", ".nvmrc"]
	EOF
'

test_expect_success 'a package-like path the repository has is a path' '
	mkdir -p repo/next/dynamic &&
	echo x >repo/next/dynamic/index.ts &&
	(cd repo && git add next && git commit -qm next) &&
	printf "%s\n" "- [ ] T001 Fix \`next/dynamic\` and \`zustand/middleware\`" >repo/tree.md &&
	plan_json tree.md &&
	expect_plan tree.md <<-\EOF
	paths("T001")	["next/dynamic/"]
	EOF
'

test_done
