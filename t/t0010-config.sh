#!/bin/sh

test_description='configuration (.gitparallel, --config, GIT_PARALLEL_CONFIG) and ownership'

. ./test-lib.sh

test_expect_success 'setup' '
	new_repo repo &&
	cat >repo/tasks.md <<-\EOF
	## Phase 1
	- [ ] T001 [P] API in src/api/events.py
	- [ ] T002 [P] Model in src/models/event.py
	- [ ] T003 [P] Page in web/events.html
	- [ ] T004 [P] Styles in web/a.css and src/api/b.css
	- [ ] T005 [P] Tidy the API
	EOF
	cat >repo/.gitparallel <<-\EOF
	; project configuration
	[parallel]
		tasks = tasks.md          ; the task list
		jobs = 4
		timeout = 30m
		branch-prefix = work/
	[owner "backend"]
		paths = src/api/ src/models/
	[owner "frontend"]
		paths = web/ *.css
	[task "T005"]
		owner = backend
	EOF
	git -C repo add . &&
	git -C repo commit -q -m setup
'

task () {
	json_get plan.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0]$2"
}

test_expect_success 'parallel.tasks names the task file; indented keys are keys' '
	(cd repo && git parallel plan --json >../plan.json 2>../err) &&
	test_must_be_empty err &&
	json_get plan.json "[t[\"id\"] for t in d[\"tasks\"]]" >actual &&
	echo "[\"T001\", \"T002\", \"T003\", \"T004\", \"T005\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a [task] section in the configuration adds to a markdown task of the same ID' '
	task T005 "[\"owner\"]" >actual &&
	echo backend >expect &&
	test_cmp expect actual
'

test_expect_success 'owners resolve with last-match-wins; mixed owners give none' '
	task T001 "[\"owner\"]" >actual && echo backend >expect && test_cmp expect actual &&
	task T003 "[\"owner\"]" >actual && echo frontend >expect && test_cmp expect actual &&
	task T004 "[\"owner\"]" >actual && echo frontend >expect && test_cmp expect actual
'

test_expect_success 'a config file named by --config, and by GIT_PARALLEL_CONFIG' '
	printf "[parallel]\n\ttasks = tasks.md\n[owner \"everyone\"]\n\tpaths = *\n" >alt.ini &&
	(cd repo && git parallel --config ../alt.ini plan --json >../plan.json) &&
	task T003 "[\"owner\"]" >actual && echo everyone >expect && test_cmp expect actual &&
	(cd repo && GIT_PARALLEL_CONFIG=../alt.ini git parallel plan --json >../plan.json) &&
	task T002 "[\"owner\"]" >actual && echo everyone >expect && test_cmp expect actual
'

test_expect_success 'a missing --config file is an error' '
	(cd repo && test_expect_code 128 git parallel --config ../nope.ini plan 2>../err) &&
	test_one_line_error err &&
	grep "nope.ini" err
'

test_expect_success 'unknown keys and sections warn with file:line' '
	printf "[parallel]\n\ttasks = tasks.md\n\tjbos = 3\n[colour]\n\tx = 1\n" >warn.ini &&
	(cd repo && git parallel --config ../warn.ini plan >/dev/null 2>../err) &&
	grep "warning: ../warn.ini:3: unknown key .parallel.jbos." err &&
	grep "warning: ../warn.ini:5: unknown section .colour." err
'

test_expect_success 'a bad value is an error with file:line' '
	printf "[parallel]\n\ttasks = tasks.md\n\ttimeout = soon\n" >bad.ini &&
	(cd repo && test_expect_code 128 git parallel --config ../bad.ini plan 2>../err) &&
	test_one_line_error err &&
	grep "bad.ini:3: bad value .soon. for .parallel.timeout." err
'

test_expect_success 'a malformed line is an error with file:line and its text' '
	printf "[parallel]\n\ttasks = tasks.md\n\n\toops no equals sign\n" >malformed.ini &&
	(cd repo && test_expect_code 128 git parallel --config ../malformed.ini plan 2>../err) &&
	test_one_line_error err &&
	grep "malformed.ini:4: malformed line: .*oops no equals sign" err
'

test_expect_success 'lines of 300+ characters work, and later line numbers stay right' '
	long=$(printf "src/p%03d/ " $(seq 1 60)) &&
	test ${#long} -gt 300 &&
	printf "[parallel]\n\ttasks = tasks.md\n[owner \"many\"]\n\tpaths = %s\n\tbogus = 1\n" "$long" >long.ini &&
	(cd repo && git parallel --config ../long.ini plan >/dev/null 2>../err) &&
	grep "warning: ../long.ini:5: unknown key .bogus. in owner .many." err
'

test_expect_success 'an invalid ownership pattern is an error with file:line' '
	printf "[parallel]\n\ttasks = tasks.md\n[owner \"x\"]\n\tpaths = !negated\n" >neg.ini &&
	(cd repo && test_expect_code 128 git parallel --config ../neg.ini plan 2>../err) &&
	grep "neg.ini:4: " err
'

test_expect_success 'parallel.ownership reads a CODEOWNERS file (first @handle)' '
	mkdir -p repo/.github &&
	cat >repo/.github/CODEOWNERS <<-\EOF &&
	# comment
	*            @everyone
	/src/api/    @api-team @other
	*.css        @design
	EOF
	printf "[parallel]\n\ttasks = tasks.md\n\townership = .github/CODEOWNERS\n" >co.ini &&
	(cd repo && git parallel --config ../co.ini plan --json >../plan.json) &&
	task T001 "[\"owner\"]" >actual && echo api-team >expect && test_cmp expect actual &&
	task T002 "[\"owner\"]" >actual && echo everyone >expect && test_cmp expect actual &&
	task T004 "[\"owner\"]" >actual && echo design >expect && test_cmp expect actual &&
	task T003 "[\"owner\"]" >actual && echo everyone >expect && test_cmp expect actual
'

test_expect_success 'paths with different owners give the task no owner' '
	printf -- "- [ ] T001 [P] Mixed in src/api/x.py and web/y.html\n" >repo/mixed.md &&
	(cd repo && git parallel plan --json mixed.md >../plan.json) &&
	task T001 "[\"owner\"]" >actual && echo null >expect && test_cmp expect actual
'

test_expect_success 'a task with no paths and an owner waits around that owner area' '
	printf "[parallel]\n\ttasks = tasks.md\n[owner \"backend\"]\n\tpaths = src/\n[task \"T005\"]\n\towner = backend\n" >own.ini &&
	cat >repo/own.md <<-\EOF &&
	- [ ] T001 [P] API in src/api/events.py
	- [ ] T002 [P] Model in src/models/event.py
	- [ ] T003 [P] Page in web/events.html
	EOF
	cat >own-tasks.ini <<-\EOF &&
	[task "T005"]
	title = Tidy the backend
	owner = backend
	EOF
	(cd repo && git parallel --config ../own.ini plan --json own.md ../own-tasks.ini >../plan.json) &&
	task T005 "[\"depends\"]" >actual &&
	grep "\"reason\": \"owner\", \"owner\": \"backend\"" actual &&
	grep "T001" actual && grep "T002" actual && ! grep T003 actual
'

test_expect_success 'an empty branch-prefix is refused: a task never takes a branch of the user' '
	new_repo pfx &&
	printf "[task \"release\"]\n\ttitle = Release notes\n\tpaths = notes.txt\n" >pfx/tasks.ini &&
	git -C pfx add . && git -C pfx commit -q -m tasks &&
	git -C pfx branch release && git -C pfx checkout -q release &&
	echo mine >pfx/mine.txt && git -C pfx add mine.txt && git -C pfx commit -q -m "my release work" &&
	git -C pfx checkout -q main &&
	git -C pfx rev-parse release >before &&
	printf "[parallel]\n\tbranch-prefix =\n" >pfx/.gitparallel &&
	(cd pfx && test_expect_code 128 git parallel plan tasks.ini 2>../err) &&
	grep "bad value .. for .parallel.branch-prefix.: empty" err &&
	(cd pfx && test_expect_code 128 git parallel run --command true 2>../err) &&
	grep "parallel.branch-prefix.: empty" err &&
	git -C pfx rev-parse release >after && test_cmp before after &&
	! test -e pfx.parallel
'

test_expect_success 'a branch-prefix starting with refs/ is refused' '
	printf "[parallel]\n\tbranch-prefix = refs/heads/x/\n" >pfx/.gitparallel &&
	(cd pfx && test_expect_code 128 git parallel plan tasks.ini 2>../err) &&
	grep "for .parallel.branch-prefix.: a prefix inside refs/heads/, without .refs/." err
'

test_expect_success 'a prefix that makes a user branch name: that branch is named and left alone' '
	printf "[parallel]\n\tbranch-prefix = re/\n" >pfx/.gitparallel &&
	git -C pfx branch re/release release &&
	(cd pfx && git parallel plan tasks.ini >/dev/null &&
	 test_expect_code 1 git parallel run --command true >/dev/null 2>../err) &&
	grep "branch .re/release. already exists and was not made by git-parallel for task .release." err &&
	git -C pfx rev-parse re/release >after && test_cmp before after &&
	! test -e pfx.parallel/release && git -C pfx fsck
'

test_done
