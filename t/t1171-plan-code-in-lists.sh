#!/bin/sh

test_description='plan: checklists inside code (spans over lines, fences, indented blocks), comments and quotes are no tasks'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/plan.sh"

test_expect_success 'setup' '
	new_repo repo &&
	write_expect_plan
'

test_expect_success 'a code span over lines holds no tasks (a "Verify:" command with a here-text)' '
	cat >repo/span.md <<-\EOF &&
	- [x] 4.4 Create PR
	  - **Verify**: `gh pr create --title "feat: loop" --body "## Summary
	- Replace the stop handler

	## Breaking Change
	Requires the plugin: \`/plugin install loop\`

	## Test Plan
	- [ ] Verify implement.md invokes /loop
	- [ ] Verify README documents it" --head feat/loop && echo "PR CREATED"`
	  - **Done when**: PR created

	- [ ] 4.5 Tag the release in CHANGELOG.md
	EOF
	plan_json span.md &&
	test_must_be_empty err &&
	expect_plan span.md <<-\EOF
	ids()	4.4 4.5
	paths("4.5")	["CHANGELOG.md"]
	EOF
'

test_expect_success 'a stray backtick does not hide the tasks after it' '
	cat >repo/stray.md <<-\EOF &&
	- [ ] T001 Bind the ` key to the console
	- [ ] T002 Add the menu
	- [ ] T003 Ship it
	EOF
	plan_json stray.md &&
	expect_plan stray.md <<-\EOF
	ids()	T001 T002 T003
	EOF
'

test_expect_success 'fences: ~~~, and ```inline``` is no fence' '
	cat >repo/fence.md <<-\EOF &&
	- [ ] T001 Write src/a.c

	~~~markdown
	- [ ] T900 in a tilde fence
	~~~

	```inline```
	- [ ] T002 after a one-line triple backtick
	EOF
	plan_json fence.md &&
	expect_plan fence.md <<-\EOF
	ids()	T001 T002
	EOF
'

test_expect_success 'an indented code block is code; indented lines under an item are its text' '
	cat >repo/indent.md <<-\EOF &&
	- [ ] T001 Write the parser

	    Keep it in src/parse.c.

	Example of the format:

	    - [ ] T901 in an indented code block
	    - [ ] T902 still code

	- [ ] T002 Last
	EOF
	plan_json indent.md &&
	expect_plan indent.md <<-\EOF
	ids()	T001 T002
	paths("T001")	["src/parse.c"]
	EOF
'

test_expect_success 'blockquotes and HTML comments hold no tasks' '
	cat >repo/quote.md <<-\EOF &&
	> - [ ] T902 in a blockquote

	<!--
	- [ ] T903 in a comment
	-->
	- [ ] T001 Real <!-- - [ ] T904 --> task
	EOF
	plan_json quote.md &&
	expect_plan quote.md <<-\EOF
	ids()	T001
	title("T001")	Real  task
	EOF
'

test_done
