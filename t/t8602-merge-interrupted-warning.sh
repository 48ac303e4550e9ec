#!/bin/sh

test_description='after a merge killed between the ref and the worktree, status, run and check say so

Found by t/chaos/chaos.sh kill (seed 21): a merge killed right after the
target ref moved leaves the checked-out target showing the merge undone
(git status: the merged files as staged deletions) until the next merge
finishes the job from its journal.  status, run and check said nothing, and
a user who committed there would revert every merged task.  They now name
the interrupted merge and say to run merge first; a merge at work (its
journal written, the lock held) is not reported.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'a merge killed after the ref moved' '
	ini_tasks a M1 M2 &&
	(cd a && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >../out 2>../err) &&
	(
		cd a &&
		GIT_PARALLEL_TEST_CRASH_AT=merge-after-ref &&
		export GIT_PARALLEL_TEST_CRASH_AT &&
		git parallel merge >../out 2>../err
	)
	test_crashed $? &&
	git -C a status --porcelain >st &&
	grep "^D  M1.txt" st
'

test_expect_success 'status names it, in text and JSON' '
	(cd a && git parallel status >../out 2>../err) &&
	grep "a merge into .main. was interrupted: .*run .git parallel merge. to finish it" out &&
	(cd a && git parallel status --json >../status.json) &&
	test "$(json_get status.json "d[\"interrupted_merge\"]")" = main
'

test_expect_success 'run and check warn' '
	(cd a && git parallel run --command true >../out 2>../err) &&
	grep "^warning: a merge into .main. was interrupted" err &&
	(cd a && git parallel check >../out 2>../err) &&
	grep "^warning: a merge into .main. was interrupted" err
'

test_expect_success 'merge finishes it; then nobody warns' '
	(cd a && git parallel merge >../out 2>../err) &&
	grep "finished an interrupted merge" out err &&
	git -C a status --porcelain --untracked-files=no >st &&
	test_must_be_empty st &&
	(cd a && git parallel status >../out 2>../err) &&
	! grep "was interrupted" out err &&
	(cd a && git parallel status --json >../status.json) &&
	test "$(json_get status.json "d[\"interrupted_merge\"]")" = null &&
	(cd a && git parallel check >../out 2>../err) &&
	! grep "was interrupted" err &&
	repo_sane a
'

test_expect_success 'a merge at work is not reported as interrupted' '
	ini_tasks b W1 &&
	(cd b && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >../out 2>../err) &&
	(
		cd b &&
		GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="test -f \"\$(git rev-parse --git-common-dir)/parallel/merge-journal\" && git parallel status >../during 2>&1" &&
		export GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE &&
		git parallel merge >../out 2>../err
	) &&
	grep "git parallel merge is running" during &&
	! grep "was interrupted" during
'

test_done
