#!/bin/sh

test_description='plan: spec-kit phases - Setup and Foundational gate, user stories side by side'

. ./test-lib.sh

# phase_waves <plan.json>: "<phase heading> <first wave> <last wave>" per phase
phase_waves () {
	python3 - "$1" <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	ph = []
	for t in d["tasks"]:
	    if not ph or ph[-1][0] != t["phase"]:
	        ph.append((t["phase"], []))
	    if t["wave"]:
	        ph[-1][1].append(t["wave"])
	for name, w in ph:
	    if w:
	        print(name.split(":")[0], min(w), max(w))
	PY
}

test_expect_success 'setup' '
	new_repo repo &&
	cat >repo/tasks.md <<-\EOF &&
	# Tasks

	## Phase 1: Setup

	- [ ] T001 Create project in src/

	## Phase 2: Foundational (Blocking Prerequisites)

	- [ ] T002 [P] Base model in src/models/base.py
	- [ ] T003 [P] Database in src/db.py

	## Phase 3: User Story 1 - Browse (Priority: P1)

	- [ ] T004 [P] [US1] Event model in src/models/event.py
	- [ ] T005 [US1] Event list in src/views/events.py

	## Phase 4: User Story 2 - Filter (Priority: P2)

	**Depends on**: US1 (the list must exist)

	- [ ] T006 [US2] Filters in src/views/filters.py

	## Phase 5: User Story 3 - Profile (Priority: P2)

	- [ ] T007 [P] [US3] Profile model in src/models/profile.py
	- [ ] T008 [US3] Profile view in src/views/profile.py

	## Phase 6: Polish

	- [ ] T009 Docs in docs/guide.md
	EOF
	cat >repo/labels.md <<-\EOF &&
	## Setup

	- [ ] T001 Init in a/init.py

	## Browse

	- [ ] T002 [P] [US1] List in b/list.py
	- [ ] T003 [US1] Page in b/page.py

	## Profile

	- [ ] T004 [US2] Profile in c/profile.py

	## Dependencies & Execution Order

	- **US1 (Phase 2)**: Depends on Setup
	- **US2**: Depends on Setup only - can run in parallel with US1
	EOF
	cat >repo/mixed.md <<-\EOF &&
	## Phase 1: Setup

	- [ ] T001 Init in a/init.py

	## Phase 2: User Story 1 - Setup wizard

	- [ ] T002 [US1] Wizard in b/wizard.py

	## Phase 3: User Story 2 - Profile

	- [ ] T003 [US2] Profile in c/profile.py

	## Phase 4: Polish

	- [ ] T004 [P] Docs in d/docs.md
	- [ ] T005 [P] [US1] Wizard docs in d/wizard.md
	EOF
	cat >repo/section.md <<-\EOF &&
	## Phase 1: Foundational

	- [ ] T001 Core in core/x.py

	## Phase 2: User Story 1 - A

	- [ ] T002 [US1] A in a/a.py

	## Phase 3: User Story 2 - B

	- [ ] T003 [US2] B in b/b.py

	## Phase 4: User Story 3 - C

	- [ ] T004 [US3] C in c/c.py

	## Phase 5: Polish

	- [ ] T005 Polish in d/d.py

	## Dependencies & Execution Order

	- **US2 (Phase 3)**: Depends on Phase 1 completion — can run in parallel with Phase 2
	- **US3 (Phase 4)**: Depends on Phase 2 (needs A) — can run in parallel with US2
	EOF
	git -C repo add . &&
	git -C repo commit -q -m tasks
'

test_expect_success 'stories wait for Foundational and for the stories they name, not for each other' '
	(cd repo && git parallel plan --json tasks.md >../plan.json) &&
	phase_waves plan.json >actual &&
	cat >expect <<-\EOF &&
	Phase 1 1 1
	Phase 2 2 2
	Phase 3 3 4
	Phase 4 5 5
	Phase 5 3 4
	Phase 6 6 6
	EOF
	test_cmp expect actual &&
	json_get plan.json "[t[\"depends\"] for t in d[\"tasks\"] if t[\"id\"] == \"T006\"][0]" >actual &&
	echo "[{\"id\": \"T005\", \"reason\": \"phase\"}]" >expect &&
	test_cmp expect actual &&
	json_get plan.json "sorted(x[\"id\"] for t in d[\"tasks\"] if t[\"id\"] == \"T009\" for x in t[\"depends\"])" >actual &&
	echo "[\"T006\", \"T008\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'the text names the phases a Polish task waits for' '
	(cd repo && git parallel plan tasks.md >../out) &&
	grep "^  T009 " out &&
	grep "after T006, T008 (phase)" out
'

test_expect_success '--serial-phases keeps every phase after the previous one' '
	(cd repo && git parallel plan --serial-phases --json tasks.md >../plan.json) &&
	phase_waves plan.json >actual &&
	cat >expect <<-\EOF &&
	Phase 1 1 1
	Phase 2 2 2
	Phase 3 3 4
	Phase 4 5 5
	Phase 5 6 7
	Phase 6 8 8
	EOF
	test_cmp expect actual
'

test_expect_success '[USn] labels make a story phase; a dependency section with a dash stops reading' '
	(cd repo && git parallel plan --json labels.md >../plan.json) &&
	json_get plan.json "[(t[\"id\"], t[\"wave\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T001\", 1], [\"T002\", 2], [\"T003\", 3], [\"T004\", 2]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a story named like a gate is a story; a phase with one labelled task is not' '
	(cd repo && git parallel plan --json mixed.md >../plan.json) &&
	json_get plan.json "[(t[\"id\"], t[\"wave\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T001\", 1], [\"T002\", 2], [\"T003\", 2], [\"T004\", 3], [\"T005\", 3]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a dependency section names stories by phase number' '
	(cd repo && git parallel plan --json section.md >../plan.json) &&
	json_get plan.json "[(t[\"id\"], t[\"wave\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T001\", 1], [\"T002\", 2], [\"T003\", 2], [\"T004\", 3], [\"T005\", 4]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'corpus: the stories of 009-user-directory run as its authors drew them' '
	f="$GP_CORPUS/microsoft+CommunityManagement-Sample-Spec-Kit/specs/009-user-directory/tasks.md" &&
	(cd repo && git parallel plan --json "$f" >../plan.json) &&
	phase_waves plan.json >waves &&
	# US1 (3), US3 (5) and US7 (9) start together after Foundational
	grep "^Phase 2 " waves | while read ph n a b; do echo $((b + 1)); done >expect &&
	grep "^Phase 3 " waves | cut -d" " -f3 >actual && test_cmp expect actual &&
	grep "^Phase 5 " waves | cut -d" " -f3 >actual && test_cmp expect actual &&
	grep "^Phase 9 " waves | cut -d" " -f3 >actual && test_cmp expect actual &&
	python3 - plan.json <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	w = {}
	for t in d["tasks"]:
	    if t["wave"]:
	        n = int(t["phase"].split(":")[0].split()[1])
	        lo, hi = w.get(n, (99999, 0))
	        w[n] = (min(lo, t["wave"]), max(hi, t["wave"]))
	# the file says: US2 (4) after US1 (3); US4 (6), US5 (7) after US1;
	# US6 (8) after US2 and US4; US8 (10) after US2; Polish (11) after all
	for later, earlier in [(4, 3), (6, 3), (7, 3), (8, 4), (8, 6), (10, 4)] + [(11, k) for k in range(1, 11)]:
	    assert w[later][0] > w[earlier][1], (later, earlier, w)
	# and no story waits for a story the file does not name
	num = lambda t: int(t["phase"].split(":")[0].split()[1])
	ids = {t["id"]: t for t in d["tasks"]}
	named = {4: {3}, 6: {3}, 7: {3}, 8: {4, 6}, 10: {4}}
	for t in d["tasks"]:
	    n = num(t)
	    if 3 <= n <= 10:
	        for x in t["depends"]:
	            m = num(ids[x["id"]])
	            if x["reason"] == "phase":
	                assert m == 2 or m in named.get(n, ()), (t["id"], n, m)
	PY
'

test_expect_success 'corpus: every file keeps Setup and Foundational first and Polish last' '
	find "$GP_CORPUS" -name "*.md" | sort >files &&
	while read f
	do
		(cd repo && git parallel plan --json "$f" >../plan.json 2>/dev/null) || return 1
		python3 - plan.json "$f" <<-\PY || return 1
		import json, re, sys
		d = json.load(open(sys.argv[1]))
		ph = []
		for t in d["tasks"]:
		    if not ph or ph[-1][0] != t["phase"]:
		        ph.append((t["phase"] or "", [], set()))
		    if t["wave"]:
		        ph[-1][1].append(t["wave"])
		        ph[-1][2].add(t["story"] if t["story"] and re.match(r"US\d", t["story"]) else None)
		# a story phase: its heading names a story, or its tasks all carry one [USn]
		def story(p):
		    n, w, labels = p
		    if re.search(r"setup|foundation", n, re.I) and not re.search(r"user story", n, re.I):
		        return False
		    return bool(re.search(r"user story|\bUS\d", n, re.I)) or (len(labels) == 1 and None not in labels)
		for i, a in enumerate(ph):
		    for b in ph[i + 1:]:
		        wa, wb = a[1], b[1]
		        if wa and wb and not (story(a) and story(b)) and max(wa) >= min(wb):
		            print(sys.argv[2], "phase", a[0], "overlaps", b[0]); sys.exit(1)
		PY
	done <files
'

test_done
