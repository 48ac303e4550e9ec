#!/bin/sh

test_description='clean leaves no empty ../<repo>.parallel directory

Found following the README as a new user: after run, merge and clean
--merged, an empty ../<repo>.parallel/ stayed beside the repository.
clean now removes the default worktrees directory once it is empty; a
directory named by parallel.worktrees, or one that still holds anything,
stays.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'a task left: the directory stays' '
	ini_tasks a E1 E2 &&
	(cd a && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >../out 2>../err) &&
	(cd a && git parallel merge E1 >../out 2>../err) &&
	(cd a && git parallel clean --merged >../out 2>../err) &&
	! test -e a.parallel/E1 &&
	test -d a.parallel/E2
'

test_expect_success 'the last one gone: so is the directory' '
	(cd a && git parallel merge >../out 2>../err) &&
	(cd a && git parallel clean --merged >../out 2>../err) &&
	! test -e a.parallel &&
	git -C a worktree list --porcelain >wt &&
	test "$(grep -c "^worktree " wt)" = 1 &&
	repo_sane a
'

test_expect_success 'anything else in it: it stays, untouched' '
	ini_tasks b E3 &&
	(cd b && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >../out 2>../err) &&
	echo mine >b.parallel/notes &&
	(cd b && git parallel merge >../out 2>../err) &&
	(cd b && git parallel clean --merged >../out 2>../err) &&
	! test -e b.parallel/E3 &&
	echo mine >expect &&
	test_cmp expect b.parallel/notes
'

test_expect_success 'a directory set by parallel.worktrees stays' '
	ini_tasks c E4 &&
	git -C c config parallel.worktrees ../mine &&
	(cd c && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >../out 2>../err) &&
	test -d mine/E4 &&
	(cd c && git parallel merge >../out 2>../err) &&
	(cd c && git parallel clean --merged >../out 2>../err) &&
	! test -e mine/E4 &&
	test -d mine
'

test_done
