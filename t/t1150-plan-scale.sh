#!/bin/sh

test_description='plan: edges and findings through a path index, grouped findings, huge input'

. ./test-lib.sh

# every pair of active tasks that share a declared path (or a directory and
# a path below it) is ordered, directly or through other tasks
check_ordered () {
	python3 - "$1" <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	tasks = [t for t in d["tasks"] if t["wave"]]
	deps = {t["id"]: [x["id"] for x in t["depends"]] for t in d["tasks"]}
	order = [x for w in d["waves"] for x in w]
	anc = {}
	for x in order:
	    s = set()
	    for y in deps[x]:
	        s.add(y); s |= anc[y]
	    anc[x] = s
	def covers(a, b):
	    return a == b or (a.endswith("/") and b.startswith(a))
	for i, a in enumerate(tasks):
	    for b in tasks[i + 1:]:
	        if any(covers(p, q) or covers(q, p) for p in a["paths"] for q in b["paths"]):
	            if a["id"] not in anc[b["id"]] and b["id"] not in anc[a["id"]]:
	                print("not ordered:", a["id"], b["id"]); sys.exit(1)
	PY
}

test_expect_success 'setup' '
	new_repo repo &&
	cat >repo/small.md <<-\EOF &&
	## Phase 1: Work

	- [ ] T001 [P] Edit src/a.py
	- [ ] T002 [P] Restructure `src/`
	- [ ] T003 [P] Edit src/b.py and src/c/d.py
	- [ ] T004 [P] Rework `src/` again
	- [ ] T005 [P] Edit src/e.py
	- [ ] T006 [P] Touch lib/x.py and lib/y.py
	- [ ] T007 [P] Touch lib/x.py and lib/y.py too
	- [ ] T008 [P] Unrelated docs/z.md
	EOF
	cat >repo/big.sh <<-\EOF
	awk -v n="$1" "BEGIN { print \"## Phase 1: All\"; for (i = 0; i < n; i++) if (i % 2 == 0) printf \"- [ ] T%05d [P] Refactor \`src/\`\\n\", i + 1; else printf \"- [ ] T%05d [P] Edit src/m%d.py\\n\", i + 1, i }"
	EOF
'

test_expect_success 'a directory orders the tasks below it, through the declarers around them' '
	(cd repo && git parallel plan --json small.md >../plan.json) &&
	check_ordered plan.json &&
	json_get plan.json "[t[\"depends\"] for t in d[\"tasks\"] if t[\"id\"] == \"T003\"][0]" >actual &&
	echo "[{\"id\": \"T002\", \"reason\": \"shares\", \"path\": \"src/\"}]" >expect &&
	test_cmp expect actual &&
	json_get plan.json "[t[\"wave\"] for t in d[\"tasks\"] if t[\"id\"] == \"T008\"][0]" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'a false [P] is one finding per group of tasks, not one per pair or per path' '
	json_get plan.json "[(f[\"tasks\"], f[\"path\"], f.get(\"paths\")) for f in d[\"findings\"] if f[\"kind\"] == \"false-parallel\"]" >actual &&
	cat >expect <<-\EOF &&
	[[["T001", "T002", "T003", "T004", "T005"], "src/", null], [["T006", "T007"], "lib/x.py", ["lib/x.py", "lib/y.py"]]]
	EOF
	test_cmp expect actual &&
	(cd repo && git parallel plan small.md >../out) &&
	grep "false \[P\]: T001, T002, T003, T004, T005 share src/ in wave 1" out &&
	grep "false \[P\]: T006, T007 share lib/x.py and lib/y.py in wave 1" out &&
	test $(grep -c "false \[P\]" out) = 2
'

test_expect_success '--strict names each group once' '
	(cd repo && test_must_fail git parallel plan --strict small.md 2>../err) &&
	test $(grep -c "^error: false \[P\]" err) = 2
'

test_expect_success '10,000 tasks, half declaring src/ and half a file below it, plan near-linearly' '
	(cd repo && sh big.sh 10000 >big.md) &&
	# a CPU limit, not a timing: the pairwise plan needed minutes here
	(cd repo && ulimit -t 20 && git parallel plan --json big.md >../big.json) &&
	json_get big.json "len(d[\"tasks\"])" >actual && echo 10000 >expect && test_cmp expect actual &&
	json_get big.json "[(f[\"tasks\"][0], len(f[\"tasks\"]), f[\"path\"]) for f in d[\"findings\"]]" >actual &&
	echo "[[\"T00001\", 10000, \"src/\"]]" >expect &&
	test_cmp expect actual &&
	json_get big.json "max(len(t[\"depends\"]) for t in d[\"tasks\"]) <= 2" >actual &&
	echo True >expect && test_cmp expect actual &&
	(cd repo && ulimit -t 20 && git parallel plan big.md >../big.out) &&
	grep "false \[P\]: T00001 and 9,999 more share src/ in wave 1" big.out
'

test_expect_success 'the big plan orders every pair that shares a path (checked on 600 tasks)' '
	(cd repo && sh big.sh 600 >mid.md && git parallel plan --json mid.md >../mid.json) &&
	check_ordered mid.json
'

test_done
