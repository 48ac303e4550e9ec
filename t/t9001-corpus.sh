#!/bin/sh

test_description='plan on every real spec-kit tasks.md of the corpus'

. ./test-lib.sh

test_expect_success 'setup' '
	new_repo repo &&
	find "$GP_CORPUS" -name "*.md" | sort >files &&
	test $(wc -l <files) -ge 13
'

# Figures counted by hand (see t/unit/t-tasks.c for how): tasks, [P] tasks.
check_counts () {
	file=$1 tasks=$2 par=$3
	(cd repo && git parallel plan --json "$GP_CORPUS/$file" >../plan.json 2>/dev/null) &&
	json_get plan.json "len(d[\"tasks\"])" >actual &&
	echo "$tasks" >expect &&
	test_cmp expect actual &&
	json_get plan.json "len([t for t in d[\"tasks\"] if t[\"parallel\"]])" >actual &&
	echo "$par" >expect &&
	test_cmp expect actual
}

test_expect_success 'spec-kit template: 34 tasks, 13 [P]' '
	check_counts github+spec-kit/templates/tasks-template.md 34 13
'

test_expect_success '007-mock-auth: 25 tasks, 5 [P]' '
	check_counts microsoft+CommunityManagement-Sample-Spec-Kit/specs/007-mock-auth/tasks.md 25 5
'

test_expect_success '008-cross-platform-ui: 121 tasks, 41 [P]' '
	check_counts microsoft+CommunityManagement-Sample-Spec-Kit/specs/008-cross-platform-ui/tasks.md 121 41
'

test_expect_success 'every corpus file plans, and its waves respect phases, barriers and dependencies' '
	while read f
	do
		(cd repo && git parallel plan --json --serial-phases "$f" >../plan.json 2>../err) || {
			echo "plan failed on $f" && cat err && return 1
		}
		python3 - "$f" <<-\PY || return 1
		import json, sys
		d = json.load(open("plan.json"))
		tasks = {t["id"]: t for t in d["tasks"]}
		order = [t["id"] for t in d["tasks"]]
		active = [t for t in d["tasks"] if not t["done"] and not t["cancelled"]]
		wave = {t["id"]: t["wave"] for t in d["tasks"]}
		def fail(msg):
		    print(sys.argv[1] + ": " + msg); sys.exit(1)
		# every edge goes to an earlier wave
		for t in active:
		    for dep in t["depends"]:
		        if wave[dep["id"]] >= t["wave"]:
		            fail("%s waits for %s in wave %d" % (t["id"], dep["id"], wave[dep["id"]]))
		# phases: a task of a later phase is in a later wave than every task of an earlier phase
		phases = []
		for t in d["tasks"]:
		    if not phases or phases[-1][0] != t["phase"]:
		        phases.append((t["phase"], []))
		    phases[-1][1].append(t)
		for i in range(len(phases)):
		    for j in range(i + 1, len(phases)):
		        a = [t["wave"] for t in phases[i][1] if t["wave"]]
		        b = [t["wave"] for t in phases[j][1] if t["wave"]]
		        if a and b and max(a) >= min(b):
		            fail("phase %r overlaps phase %r" % (phases[i][0], phases[j][0]))
		# barriers: a task without [P] runs after every earlier task of its phase
		for ph, ts in phases:
		    for k, t in enumerate(ts):
		        if not t["wave"]:
		            continue
		        for u in ts[:k]:
		            if u["wave"] and not t["parallel"] and u["wave"] >= t["wave"]:
		                fail("barrier %s not after %s" % (t["id"], u["id"]))
		            if u["wave"] and not u["parallel"] and u["wave"] >= t["wave"]:
		                fail("%s not after barrier %s" % (t["id"], u["id"]))
		# waves list every active task once
		listed = [x for w in d["waves"] for x in w]
		if sorted(listed) != sorted(t["id"] for t in active):
		    fail("waves do not list the active tasks")
		# two tasks of one wave never share a declared path
		for w in d["waves"]:
		    seen = {}
		    for x in w:
		        for p in tasks[x]["paths"]:
		            if p in seen:
		                fail("%s and %s share %s in one wave" % (seen[p], x, p))
		            seen[p] = x
		PY
	done <files
'

test_expect_success 'the corpus has false [P] and unknown-footprint findings' '
	(cd repo && git parallel plan --json "$GP_CORPUS/microsoft+CommunityManagement-Sample-Spec-Kit/specs/006-code-review-fixes/tasks.md" >../plan.json) &&
	json_get plan.json "len([f for f in d[\"findings\"] if f[\"kind\"] == \"false-parallel\"]) > 0" >actual &&
	echo True >expect &&
	test_cmp expect actual
'

test_done
