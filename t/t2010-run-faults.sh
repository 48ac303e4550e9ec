#!/bin/sh

test_description='git parallel run: failing, hanging, noisy and misbehaving commands'

. ./test-lib.sh

# setup_tasks <dir> <command>...: a repository whose tasks F1, F2, ... run
# the given commands (INI tasks with a command each), planned.
setup_tasks () {
	dir=$1 && shift &&
	new_repo "$dir" &&
	n=0 &&
	for cmd in "$@"
	do
		n=$((n + 1)) &&
		printf "[task \"F%d\"]\n\ttitle = task %d\n\tpaths = f%d.txt\n\tcommand = %s\n" \
			$n $n $n "$cmd" >>"$dir/tasks.ini" || return 1
	done &&
	git -C "$dir" add . && git -C "$dir" commit -q -m tasks &&
	(cd "$dir" && git parallel plan tasks.ini >/dev/null)
}

task_field () {
	(cd "$1" && git parallel status --json) >status.json &&
	json_get status.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$2\"][0][\"$3\"]"
}

test_expect_success 'a command that does not exist fails with exit 127' '
	setup_tasks nx "no-such-command-xyz" &&
	(cd nx && test_expect_code 1 git parallel run 2>../err >../out) &&
	grep "F1 exit 127" err &&
	task_field nx F1 state >actual && echo failed >expect && test_cmp expect actual &&
	grep "not found" "$(state_dir nx)/logs/F1.log"
'

test_expect_success 'a command that exits 3 fails, retries, and keeps its worktree' '
	setup_tasks three "echo try >>attempts.txt; exit 3" &&
	(cd three && test_expect_code 1 git parallel run --retries 1 2>../err) &&
	grep "F1 exit 3 .*retrying (attempt 2 of 2)" err &&
	task_field three F1 attempts >actual && echo 2 >expect && test_cmp expect actual &&
	task_field three F1 exit >actual && echo 3 >expect && test_cmp expect actual &&
	test_line_count = 2 three.parallel/F1/attempts.txt
'

test_expect_success 'a failed task runs again on the next run, in its worktree' '
	(cd three && test_expect_code 1 git parallel run 2>../err) &&
	test_line_count = 3 three.parallel/F1/attempts.txt &&
	task_field three F1 attempts >actual && echo 3 >expect && test_cmp expect actual
'

test_expect_success 'a command that ignores SIGTERM is killed after its timeout' '
	setup_tasks stubborn "trap \"\" TERM; sleep 60; : >\"$TRASH_DIRECTORY/survived\"" &&
	(cd stubborn && test_expect_code 1 git parallel run --timeout 1s 2>../err) &&
	# killed, not waited for: it never got past its sleep (no timing asserted)
	! test -e survived &&
	task_field stubborn F1 state >actual && echo timed-out >expect && test_cmp expect actual &&
	grep "F1 timed out" err
'

test_expect_success 'a background child is killed with its group' '
	setup_tasks bg "sleep 300 & echo \$! >\"\$GIT_PARALLEL_WORKTREE/../bgpid\"; echo done >f1.txt" &&
	(cd bg && git parallel run 2>../err) &&
	pid=$(cat bg.parallel/bgpid) &&
	wait_gone $pid
'

test_expect_success 'megabytes of output go to the log' '
	setup_tasks noisy "head -c 5000000 /dev/zero | tr \"\\\\0\" x; echo; echo ok >f1.txt" &&
	(cd noisy && git parallel run 2>../err) &&
	size=$(wc -c <"$(state_dir noisy)/logs/F1.log") &&
	test $size -gt 5000000
'

test_expect_success 'a command that deletes its own worktree fails truthfully' '
	setup_tasks suicide "cd .. && rm -rf \"\$GIT_PARALLEL_WORKTREE\"" &&
	(cd suicide && test_expect_code 1 git parallel run 2>../err) &&
	grep "F1 failed: its worktree .* is gone" err &&
	task_field suicide F1 state >actual && echo failed >expect && test_cmp expect actual &&
	git -C suicide fsck
'

test_expect_success 'a command that commits on another branch fails; nothing is lost' '
	setup_tasks other "git checkout -q -b elsewhere && echo x >f1.txt && git add f1.txt && git commit -q -m sneaky" &&
	(cd other && test_expect_code 1 git parallel run 2>../err) &&
	grep "F1 failed: the command left its worktree on .elsewhere. instead of .parallel/F1." err &&
	git -C other log -1 --format=%s elsewhere >actual &&
	echo sneaky >expect && test_cmp expect actual
'

test_expect_success 'the worktree directory already exists: refused, untouched' '
	setup_tasks exists "echo x >f1.txt" &&
	mkdir -p exists.parallel/F1 && echo precious >exists.parallel/F1/mine.txt &&
	(cd exists && test_expect_code 1 git parallel run 2>../err) &&
	grep "already exists" err &&
	echo precious >expect && test_cmp expect exists.parallel/F1/mine.txt &&
	git -C exists fsck &&
	test_must_fail git -C exists rev-parse --verify -q refs/heads/parallel/F1 &&
	rm -r exists.parallel/F1 &&
	(cd exists && git parallel run 2>../err) &&
	task_field exists F1 state >actual && echo done >expect && test_cmp expect actual
'

test_expect_success 'a branch left by an earlier run is reused with its commits' '
	cat >reuse-cmd <<-\EOF &&
	if ! test -e ../../reuse-once
	then
		: >../../reuse-once && echo earlier >f1.txt && git add f1.txt &&
		git commit -q -m earlier
		exit 1
	fi
	echo again >>f1.txt
	EOF
	setup_tasks reuse "sh ../../reuse-cmd" &&
	(cd reuse && test_expect_code 1 git parallel run >/dev/null 2>../err) &&
	git -C reuse worktree remove ../reuse.parallel/F1 &&
	(cd reuse && git parallel run 2>../err) &&
	git -C reuse log --format=%s parallel/F1 >actual &&
	grep earlier actual && grep "F1: task 1" actual
'
test_expect_success 'a branch of the user named like a task branch is never taken' '
	setup_tasks userbranch "echo again >>f1.txt" &&
	git -C userbranch branch parallel/F1 main &&
	git -C userbranch rev-parse parallel/F1 >before &&
	(cd userbranch && test_expect_code 1 git parallel run >/dev/null 2>../err) &&
	grep "F1 failed: branch .parallel/F1. already exists and was not made by git-parallel for task .F1." err &&
	git -C userbranch rev-parse parallel/F1 >after && test_cmp before after &&
	! test -e userbranch.parallel/F1 &&
	git -C userbranch fsck
'

test_expect_success 'an unwritable worktree location gives a clear error' '
	setup_tasks nowrite "echo x >f1.txt" &&
	echo "not a directory" >blocker &&
	printf "[parallel]\n\tworktrees = ../blocker/wt\n" >nowrite/.gitparallel &&
	(cd nowrite && test_expect_code 1 git parallel run 2>../err) &&
	grep "F1 failed: .*blocker" err &&
	git -C nowrite fsck &&
	test_must_fail git -C nowrite rev-parse --verify -q refs/heads/parallel/F1
'

test_expect_success 'parallel.worktrees inside .git, or around the work tree, is refused' '
	setup_tasks wtdir "echo x >f1.txt" &&
	printf "[parallel]\n\tworktrees = .git/wt\n" >wtdir/.gitparallel &&
	(cd wtdir && test_expect_code 128 git parallel run 2>../err) &&
	test_one_line_error err &&
	grep "parallel.worktrees .\.git/wt. is inside the git directory" err &&
	! test -e wtdir/.git/wt &&
	printf "[parallel]\n\tworktrees = .\n" >wtdir/.gitparallel &&
	(cd wtdir && test_expect_code 128 git parallel run 2>../err) &&
	grep "around the work tree" err &&
	printf "[parallel]\n\tworktrees = .wt\n" >wtdir/.gitparallel &&
	(cd wtdir && git parallel run 2>../err) &&
	grep "warning: parallel.worktrees .\.wt. is inside the work tree and not ignored" err &&
	git -C wtdir/.wt/F1 status --porcelain >st &&
	test_must_be_empty st
'

test_expect_success 'a second run at the same time is refused with the holder pid' '
	setup_tasks busy "sleep 3; echo x >f1.txt" &&
	{ (cd busy && exec git-parallel run >/dev/null 2>&1) & } &&
	echo $! >runpid &&
	wait_state busy F1 running &&
	(cd busy && test_expect_code 128 git parallel run 2>../err) &&
	grep "another git parallel run is in progress (pid [0-9]*)" err &&
	(cd busy && test_expect_code 128 git parallel plan tasks.ini 2>../err) &&
	grep "pid" err &&
	wait $(cat runpid)
'

test_expect_success 'fail-fast stops the other tasks' '
	setup_tasks ff "exit 1" "sleep 30" &&
	(cd ff && test_expect_code 1 git parallel run -j 2 --fail-fast 2>../err) &&
	task_field ff F2 state >actual && echo interrupted >expect && test_cmp expect actual
'

test_expect_success 'commit = never leaves the work uncommitted' '
	setup_tasks never "echo x >f1.txt" &&
	printf "[parallel]\n\tcommit = never\n" >never/.gitparallel &&
	(cd never && git parallel run 2>../err) &&
	git -C never.parallel/F1 status --porcelain >actual &&
	echo "?? f1.txt" >expect && test_cmp expect actual
'

test_expect_success 'a stale lock file of the task branch: the error names it and what to do' '
	setup_tasks stalelock "echo done >>f1.txt" &&
	mkdir -p stalelock/.git/refs/heads/parallel &&
	: >stalelock/.git/refs/heads/parallel/F1.lock &&
	(cd stalelock && test_expect_code 1 git parallel run >/dev/null 2>../err) &&
	grep "F1 failed: cannot create branch .parallel/F1. for task .F1.: the lock file .*/refs/heads/parallel/F1.lock. exists" err &&
	grep "remove that file and run again" err &&
	! test -e stalelock.parallel/F1 && git -C stalelock fsck &&
	rm stalelock/.git/refs/heads/parallel/F1.lock &&
	(cd stalelock && git parallel run >/dev/null 2>../err) &&
	task_field stalelock F1 state >actual && echo done >expect && test_cmp expect actual
'

test_done
