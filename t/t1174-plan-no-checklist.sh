#!/bin/sh

test_description='plan: a list without checklists is refused, saying which line and what shape a task has'

. ./test-lib.sh

test_expect_success 'setup' '
	new_repo repo
'

test_expect_success 'list items that start with an ID but have no box' '
	cat >repo/bare.md <<-\EOF &&
	# Tasks

	## Phase 1
	- Build it all first
	- T001 Create src/a.py
	- T002 [P] Create src/b.py
	EOF
	(cd repo && test_must_fail git parallel plan bare.md >out 2>../err) &&
	test_must_be_empty repo/out &&
	grep "^warning: bare.md:5: no checklist items, but list items that start with an ID (.- T001 title.): write .- \[ \] T001 title. to plan one$" err &&
	grep "^fatal: no tasks found in .bare.md.: a task is a checklist item (.- \[ \] T001 title.), a checkbox heading (.### \[ \] T001 title.) or a table row with a box" err &&
	test_line_count = 2 err
'

test_expect_success 'headings "### Task 1.1: title" without any box: the hint names the first' '
	cat >repo/heads.md <<-\EOF &&
	# Component 6

	### Task 1.1: Initial Recipe Load
	- **Start:** the page mounts with an empty list.
	- **End:** the user sees the first rows.

	### Task 1.2: Dynamic Row Calculation
	- **Action:** compute the columns.
	EOF
	(cd repo && test_must_fail git parallel plan heads.md 2>../err) &&
	grep "^warning: heads.md:3: no checklist items, but headings that start with an ID" err &&
	grep "^fatal: no tasks found in .heads.md.: a task is a checklist item" err
'

test_expect_success 'prose only: the error alone says what a task looks like' '
	printf "%s\n" "# Deprecated" "" "This file is no longer the backlog." >repo/prose.md &&
	(cd repo && test_must_fail git parallel plan prose.md 2>../err) &&
	test_line_count = 1 err &&
	grep "^fatal: no tasks found in .prose.md.: a task is a checklist item (.- \[ \] T001 title.)" err
'

test_done
