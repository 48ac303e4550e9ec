#!/bin/sh

test_description='run prunes a deleted worktree'"'"'s entry, never a directory that came back at its path

When a task'"'"'s command deletes its worktree, run prunes the admin entry
(worktree_prune_gone()).  It checked that the path was gone, then removed
the admin files, then the working tree if path/.git was a file: a
directory made again at the path in between (the command, or the user,
with a .git file) was removed with whatever it held.  git worktree prune
never removes a working tree; neither does run'"'"'s prune now.  The run is
stopped at crash point run-mid-prune (GIT_PARALLEL_TEST_SIGNAL_AT, SIGSTOP)
while the directory is made again, then continued.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# stopped <pid>: the process is stopped (state T)
stopped () {
	test "$(sed "s/.*) \(.\).*/\1/" "/proc/$1/stat" 2>/dev/null)" = T
}

test_expect_success 'setup: an agent that commits, then deletes its worktree' '
	cat >agent <<-EOF &&
	#!/bin/sh
	echo work >"\$GIT_PARALLEL_TASK_ID.txt" &&
	git add . && git commit -q -m "\$GIT_PARALLEL_TASK_ID: work" &&
	cd / && rm -rf "\$GIT_PARALLEL_WORKTREE"
	EOF
	chmod +x agent &&
	ini_tasks a D1
'

test_expect_success 'the directory made again during the prune stays, with its files' '
	(
		cd a &&
		GIT_PARALLEL_TEST_SIGNAL_AT=run-mid-prune GIT_PARALLEL_TEST_SIGNAL=19 &&
		export GIT_PARALLEL_TEST_SIGNAL_AT GIT_PARALLEL_TEST_SIGNAL &&
		exec git-parallel run --command "\"$TRASH_DIRECTORY/agent\"" >../out 2>../err
	) &
	run=$! &&
	n=0 &&
	while ! stopped $run && kill -0 $run 2>/dev/null
	do
		n=$((n + 1)) && test $n -lt 600 && sleep 0.05 || break
	done &&
	stopped $run &&
	! test -e a.parallel/D1 &&
	mkdir a.parallel/D1 &&
	echo "gitdir: $TRASH_DIRECTORY/a/.git/worktrees/D1" >a.parallel/D1/.git &&
	echo precious >a.parallel/D1/mine.txt &&
	kill -CONT $run &&
	# the task fails (its worktree is gone), as without the stop
	{ wait $run; test $? = 1; } &&
	cat err &&
	grep "D1 failed: its worktree .* is gone" err &&
	echo precious >expect &&
	test_cmp expect a.parallel/D1/mine.txt &&
	! test -e a/.git/worktrees/D1 &&
	git -C a log --format=%s parallel/D1 >log &&
	grep "^D1: work" log &&
	repo_sane a
'

test_done
