#!/bin/sh

test_description='plan: paths resolved against the base tree; read paths apart from written ones'

. ./test-lib.sh

paths () {
	json_get plan.json "[[t[\"id\"], t[\"paths\"], t[\"reads\"]] for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0]"
}

test_expect_success 'setup' '
	new_repo repo &&
	(
		cd repo &&
		mkdir -p infra/modules apps/x apps/web/src "apps/web/src/app/(auth)/login" src/api/a src/api/b components/auth scripts docs lib &&
		for f in infra/modules/budget.bicep apps/x/y.json apps/web/package.json \
			"apps/web/src/app/(auth)/login/page.tsx" src/api/a/index.ts src/api/b/index.ts \
			components/auth/Login.tsx components/auth/Logout.tsx scripts/x.ps1 docs/spec.md \
			lib/user.plan .mailmap
		do
			echo x >"$f" || exit 1
		done &&
		git add . &&
		git commit -q -m tree
	) &&
	cat >repo/tasks.md <<-\EOF &&
	## Phase 1: Work

	- [ ] T001 [P] Tune the budget in budget.bicep
	- [ ] T002 [P] Rename the key in /apps/x/y.json
	- [ ] T003 [P] Export from `index.ts`
	- [ ] T004 [P] Guard components/auth/* and src/api/{a,b}
	- [ ] T005 [P] Fix .\scripts\x.ps1 and apps/web per docs/spec.md
	- [ ] T006 [P] Log with console.log and batches.current in user.plan
	- [ ] T007 [P] Update docs/spec.md:12 and the login page apps/web/src/app/(auth)/login/page.tsx#L3
	- [ ] T008 [P] Plot open/high/low/close; see docs/spec.md
	EOF
	git -C repo add tasks.md &&
	git -C repo commit -q -m tasks
'

test_expect_success 'words are resolved against the base tree' '
	(cd repo && git parallel plan --json tasks.md >../plan.json 2>../err) &&
	paths T001 >actual && echo "[\"T001\", [\"infra/modules/budget.bicep\"], []]" >expect && test_cmp expect actual &&
	paths T002 >actual && echo "[\"T002\", [\"apps/x/y.json\"], []]" >expect && test_cmp expect actual &&
	paths T004 >actual &&
	echo "[\"T004\", [\"components/auth/Login.tsx\", \"components/auth/Logout.tsx\", \"src/api/a/\", \"src/api/b/\"], []]" >expect &&
	test_cmp expect actual &&
	paths T005 >actual && echo "[\"T005\", [\"scripts/x.ps1\", \"apps/web/\"], [\"docs/spec.md\"]]" >expect && test_cmp expect actual &&
	paths T006 >actual && echo "[\"T006\", [\"lib/user.plan\"], []]" >expect && test_cmp expect actual &&
	paths T007 >actual &&
	echo "[\"T007\", [\"docs/spec.md\", \"apps/web/src/app/(auth)/login/page.tsx\"], []]" >expect &&
	test_cmp expect actual &&
	paths T008 >actual && echo "[\"T008\", [], [\"docs/spec.md\"]]" >expect && test_cmp expect actual
'

test_expect_success 'an ambiguous bare name is reported, not made a root file' '
	paths T003 >actual && echo "[\"T003\", [], []]" >expect && test_cmp expect actual &&
	grep "^warning: tasks.md:5: task .T003.: .index.ts. names 2 files of the base tree" err
'

test_expect_success 'read paths make no shares edge and no false [P]' '
	json_get plan.json "[(x[\"id\"], x.get(\"path\")) for t in d[\"tasks\"] if t[\"id\"] == \"T008\" for x in t[\"depends\"]]" >actual &&
	echo "[]" >expect &&
	test_cmp expect actual &&
	json_get plan.json "[(f[\"tasks\"], f[\"path\"]) for f in d[\"findings\"] if f[\"kind\"] == \"false-parallel\"]" >actual &&
	echo "[[[\"T005\", \"T007\"], \"apps/web/\"]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'the text shows what a task reads' '
	(cd repo && git parallel plan tasks.md >../out 2>/dev/null) &&
	grep "^ *reads docs/spec.md\$" out
'

test_expect_success '--strict fails on written paths only' '
	sed -i "/T007/d" repo/tasks.md &&
	(cd repo && git parallel plan --strict tasks.md >/dev/null 2>&1)
'

test_expect_success 'without a tree to ask, words are read by their shape' '
	git init -q empty &&
	git -C empty commit -q --allow-empty -m empty &&
	cp repo/tasks.md empty/ &&
	(cd empty && git parallel plan --json tasks.md >../plan.json 2>/dev/null) &&
	paths T001 >actual && echo "[\"T001\", [\"budget.bicep\"], []]" >expect && test_cmp expect actual &&
	paths T002 >actual && echo "[\"T002\", [], []]" >expect && test_cmp expect actual &&
	paths T006 >actual && echo "[\"T006\", [], []]" >expect && test_cmp expect actual
'

test_done
