#!/bin/sh

test_description='clean killed while it removes a worktree: the next clean finishes

Found by t/chaos/chaos.sh kill (seed 51): a clean --merged interrupted
while libgit2 pruned a worktree left its admin directory emptied in
readdir order -- the gp-task marker gone, the working tree still there --
and every later clean refused the task ("not made by git-parallel for
this task; left alone"), keeping its branch for good.  The admin files
now go first, the marker last, and the working tree in between (crash
point clean-mid-remove): what a kill leaves is a broken worktree of ours,
which the next clean removes.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'clean killed in the middle of removing a worktree' '
	ini_tasks a C1 C2 &&
	(cd a && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >../out 2>../err) &&
	(cd a && git parallel merge >../out 2>../err) &&
	(
		cd a &&
		GIT_PARALLEL_TEST_CRASH_AT=clean-mid-remove &&
		export GIT_PARALLEL_TEST_CRASH_AT &&
		git parallel clean --merged >../out 2>../err
	)
	test_crashed $? &&
	test -f a.parallel/C1/.git &&
	ls a/.git/worktrees/C1 >admin &&
	echo gp-task >expect &&
	test_cmp expect admin &&
	repo_sane a
'

test_expect_success 'the next clean removes what is left, and the branch' '
	(cd a && git parallel clean --merged >../out 2>../err) &&
	! grep "left alone" err &&
	grep "removed C1" out &&
	grep "removed C2" out &&
	! test -e a.parallel &&
	! test -e a/.git/worktrees/C1 &&
	test -z "$(git -C a for-each-ref refs/heads/parallel/)" &&
	git -C a worktree list --porcelain >wt &&
	test "$(grep -c "^worktree " wt)" = 1 &&
	repo_sane a
'

test_expect_success 'a locked worktree whose directory is gone is still refused' '
	ini_tasks b C3 &&
	(cd b && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >../out 2>../err) &&
	(cd b && git parallel merge >../out 2>../err) &&
	git -C b worktree lock "$TRASH_DIRECTORY/b.parallel/C3" &&
	rm -rf b.parallel/C3 &&
	(cd b && test_expect_code 1 git parallel clean C3 >../out 2>../err) &&
	grep "locked" err &&
	test -d b/.git/worktrees/C3
'

test_done
