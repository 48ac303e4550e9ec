#!/bin/sh

test_description='plan: headings that start with an ID are the tasks when the checklists under them have no ID'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/plan.sh"

test_expect_success 'setup' '
	new_repo repo &&
	write_expect_plan
'

test_expect_success 'the heading is the task, its checkboxes its criteria; all ticked: done' '
	cat >repo/heads.md <<-\EOF &&
	# Tasks: Finalize Production Polish

	## Tasks

	### 1. Add Role-based UI Hook

	**File:** `apps/web/src/lib/use-auth.ts`

	- [x] Create `useIsAdmin()` hook
	- [x] Handle unauthenticated state

	### 2. Apply it to pages

	- [x] Import the hook in `apps/web/src/app/page.tsx`
	- [ ] Wrap the "Create" button

	### Notes

	- [ ] Run the smoke test
	EOF
	plan_json heads.md &&
	test_must_be_empty err &&
	expect_plan heads.md <<-\EOF
	ids()	1 2 L19
	title("1")	Add Role-based UI Hook
	status("1")	done
	status("2")	todo
	paths("1")	["apps/web/src/lib/use-auth.ts"]
	paths("2")	["apps/web/src/app/page.tsx"]
	EOF
'

test_expect_success 'a deeper heading without an ID stays in the heading task' '
	cat >repo/deep.md <<-\EOF &&
	### P2-1. Embedded PTY Runtime

	#### Changes
	- `go/internal/runtime/managed.go`: open the PTY

	#### Done when
	- [ ] hamd allocates a PTY

	### P2-2: Session Launcher
	- [ ] a new session starts from the UI
	EOF
	plan_json deep.md &&
	test_must_be_empty err &&
	expect_plan deep.md <<-\EOF
	ids()	P2-1 P2-2
	title("P2-1")	Embedded PTY Runtime
	paths("P2-1")	["go/internal/runtime/managed.go"]
	EOF
'

test_expect_success 'checkboxes with IDs are the tasks: headings stay headings' '
	cat >repo/ids.md <<-\EOF &&
	### 1.1 Setup
	- [ ] T001 Create src/app.py
	- [ ] Check the linter
	EOF
	plan_json ids.md &&
	expect_plan ids.md <<-\EOF
	ids()	T001 L3
	EOF
'

test_expect_success 'an ID heading without a checklist under it is no task; warnings are said once' '
	cat >repo/mixed.md <<-\EOF &&
	### 1. Overview

	Prose only.

	### 2. Build it
	- [ ] the build passes
	- [ ]
	EOF
	plan_json mixed.md &&
	expect_plan mixed.md <<-\EOF &&
	ids()	2
	EOF
	grep -c "empty checklist item" err >count &&
	echo 1 >expect &&
	test_cmp expect count
'

test_expect_success 'a status list or table of the heading tasks gives their state' '
	cat >repo/status.md <<-\EOF &&
	### Task I-1.2: Write the spec
	- [ ] the fields are documented

	### Task I-1.3: Implement it
	- [x] create_task validates

	## Task Status Tracking
	- [x] I-1.2: Write the spec
	- [ ] I-1.3: Implement it
	- [ ] II-2.1: Not written in detail yet
	EOF
	plan_json status.md &&
	test_must_be_empty err &&
	expect_plan status.md <<-\EOF &&
	ids()	I-1.2 I-1.3 II-2.1
	status("I-1.2")	done
	status("I-1.3")	todo
	EOF
	cat >repo/table.md <<-\EOF &&
	### T1.1: Create the migration
	- [ ] Create `supabase/migrations/1_init.sql`

	### T2.1: Create the prompts
	- [ ] Create `prompts/morning.txt`

	## Artifacts Tracking

	| Task | Status | Artifacts |
	|------|--------|-----------|
	| T1.1 | [X] | [1_init.sql](supabase/migrations/1_init.sql) |
	| T2.1 | [ ] | |
	EOF
	plan_json table.md &&
	test_must_be_empty err &&
	expect_plan table.md <<-\EOF
	ids()	T1.1 T2.1
	status("T1.1")	done
	status("T2.1")	todo
	paths("T1.1")	["supabase/migrations/1_init.sql"]
	EOF
'

test_expect_success '"### タスク 1.1:", "### 任务2:", "### Tarea 3:": Task in other languages' '
	cat >repo/ja.md <<-\EOF &&
	## P0: ストレージ
	### タスク 1.1: `IStorageProvider` インターフェースを作成する
	- [x] `src/utils/storage-adapter.ts` に定義する
	### 任务2: 实现
	- [ ] 完成
	### Tarea 3: Pruebas
	- [ ] pasan
	EOF
	plan_json ja.md &&
	test_must_be_empty err &&
	expect_plan ja.md <<-\EOF
	ids()	1.1 2 3
	status("1.1")	done
	paths("1.1")	["src/utils/storage-adapter.ts"]
	EOF
'

test_done
