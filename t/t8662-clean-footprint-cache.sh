#!/bin/sh

test_description='clean drops a cleaned task'"'"'s footprint cache; its state, log and prompt stay

run and check cache each task'"'"'s committed footprint in
footprints/<id> of the state directory (about 170 KB for a task of a
git.git-sized change).  Its key names the branch head'"'"'s tree: once clean
removed the branch it can never be read again, and it stayed for good.
clean now removes it with the task'"'"'s branch (before the branch, so a
kill in between leaves a branch without a cache, which only costs a
measure), and also for a task whose branch is already gone.  A task
clean refuses, or --merged does not select, keeps it.  The task'"'"'s state,
log and prompt stay: status and report still show the task, and the log
is the record of what its command did.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup: three tasks run, their footprints cached' '
	ini_tasks r A B C &&
	(cd r && git parallel run --command "echo \$GIT_PARALLEL_TASK_ID >\$GIT_PARALLEL_TASK_ID.txt" >../run.out 2>&1) &&
	sd=$(state_dir r) &&
	for id in A B C
	do
		test -s "$sd/footprints/$id" && test -s "$sd/logs/$id.log" &&
		test -s "$sd/prompts/$id.md" || return 1
	done
'

test_expect_success 'clean --merged: an unmerged task is not selected, its cache stays' '
	sd=$(state_dir r) &&
	(cd r && git parallel clean --merged >../out 2>../err) &&
	test -s "$sd/footprints/A" && test -s "$sd/footprints/B" && test -s "$sd/footprints/C"
'

test_expect_success 'a refused task keeps its cache' '
	sd=$(state_dir r) &&
	(cd r && test_expect_code 1 git parallel clean A >../out 2>../err) &&
	grep "task .A.: branch .parallel/A. has commits not merged" err &&
	test -s "$sd/footprints/A"
'

test_expect_success 'merged, then cleaned: the cache goes with the branch; state, log and prompt stay' '
	sd=$(state_dir r) &&
	(cd r && git parallel merge A B >../out 2>../err && git parallel clean --merged >../out 2>../err) &&
	grep "^removed A (worktree and branch)" out &&
	grep "^removed B (worktree and branch)" out &&
	! test -e "$sd/footprints/A" && ! test -e "$sd/footprints/B" &&
	test -s "$sd/footprints/C" &&
	for id in A B
	do
		test -s "$sd/logs/$id.log" && test -s "$sd/prompts/$id.md" &&
		test "$(task_field r $id state)" = merged &&
		test "$(task_field r $id log)" = "$sd/logs/$id.log" || return 1
	done
'

test_expect_success 'killed between the cache and the branch: the branch stays, the next clean deletes it' '
	sd=$(state_dir r) &&
	(cd r && GIT_PARALLEL_TEST_CRASH_AT=clean-after-branch-config git parallel clean --force C >../out 2>../err; echo $? >../rc) &&
	test_crashed $(cat rc) &&
	! test -e "$sd/footprints/C" &&
	git -C r rev-parse --verify -q refs/heads/parallel/C &&
	(cd r && git parallel clean --force C >../out 2>../err) &&
	grep "^removed C" out &&
	test_must_fail git -C r rev-parse --verify -q refs/heads/parallel/C &&
	repo_sane r
'

test_expect_success 'a cache whose branch is already gone is removed by clean' '
	sd=$(state_dir r) &&
	echo stale >"$sd/footprints/C" &&
	(cd r && git parallel clean C >../out 2>../err) &&
	! test -e "$sd/footprints/C" &&
	ls "$sd/footprints" >left &&
	test_must_be_empty left
'

test_done
