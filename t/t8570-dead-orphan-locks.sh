#!/bin/sh

test_description='the git locks of a task whose run and command group were both killed

A run killed with -9, and its task'"'"'s process group killed as well (the
OOM killer, a container stopped): the next run finds the task running
with nobody alive and takes it as interrupted.  The git locks its killed
git command left in the task'"'"'s worktree (index.lock, HEAD.lock, the
branch lock) are removed by the same rule as an orphan'"'"'s (t8550): only
when no live process holds them and they were written before the run saw
the command gone.  Otherwise the task fails naming the lock.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

write_fault_agent agent
write_lock_agent agent

# dead <repo>: a run killed with K1's command running, its locks ($LOCKS)
# taken; then K1's process group killed too, and gone.
dead () {
	rm -f locked &&
	ini_tasks "$1" K1 &&
	crash_run "$1" run-after-start --command "$CMD" &&
	wait_for_file locked &&
	pid=$(sed -n "s/^	pid = //p" "$(state_dir "$1")/tasks/K1") &&
	test -n "$pid" && test "$pid" -gt 1 &&
	kill -9 -"$pid" &&
	wait_commands_gone "$1" &&
	# and reaped: a zombie still counts as the group alive (an orphan)
	n=0 &&
	while ps -eo pgid= | grep -q "^ *$pid\$"
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || { echo "group $pid never reaped"; return 1; }
	done &&
	grep "^	state = running" "$(state_dir "$1")/tasks/K1"
}

test_expect_success 'locks nobody holds, left by the dead command: removed, the task runs again' '
	LOCKS="index head branch" && export LOCKS &&
	dead a &&
	gd=$(git -C a.parallel/K1 rev-parse --absolute-git-dir) &&
	test -e "$gd/index.lock" && test -e "$gd/HEAD.lock" &&
	test -e a/.git/refs/heads/parallel/K1.lock &&
	echo interrupted >expect &&
	task_field a K1 state >actual && test_cmp expect actual &&
	(cd a && git parallel run --command "$CMD" >../out 2>../err) &&
	! grep "stopping the command left running" err &&
	grep "^1 done\$" out &&
	! find a/.git -name "*.lock" | grep . &&
	git -C a log --format=%s parallel/K1 >log && grep "^K1: own commit\$" log &&
	git -C a.parallel/K1 status --porcelain >st && test_must_be_empty st &&
	repo_sane a
'

test_expect_success 'status leaves the dead command'"'"'s locks alone' '
	LOCKS="index" && export LOCKS &&
	dead b &&
	gd=$(git -C b.parallel/K1 rev-parse --absolute-git-dir) &&
	(cd b && git parallel status >/dev/null) &&
	test -e "$gd/index.lock"
'

test_expect_success 'a lock a live process holds open stays, and the task fails naming it' '
	LOCKS="index head branch" && export LOCKS &&
	dead c &&
	gd=$(git -C c.parallel/K1 rev-parse --absolute-git-dir) &&
	{ sh -c "exec 3<\"\$1\"; : >holding; exec sleep 60" sh "$gd/index.lock" & } &&
	holder=$! &&
	test_when_finished "kill $holder 2>/dev/null || :" &&
	wait_for_file holding &&
	(cd c && test_expect_code 1 git parallel run --command "$CMD" >../out 2>../err) &&
	grep "index.lock. is held by a live process (pid $holder)" out err &&
	echo failed >expect &&
	task_field c K1 state >actual && test_cmp expect actual &&
	task_field c K1 reason >actual && grep "index.lock.* is held by a live process" actual &&
	# nothing removed: all of them or none
	test -e "$gd/index.lock" && test -e "$gd/HEAD.lock" &&
	test -e c/.git/refs/heads/parallel/K1.lock &&
	kill $holder &&
	rm "$gd/index.lock" "$gd/HEAD.lock" c/.git/refs/heads/parallel/K1.lock &&
	(cd c && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "^1 done\$" out &&
	repo_sane c
'

test_expect_success 'a lock written after the command was seen gone stays, and the task fails naming it' '
	LOCKS="branch" && export LOCKS &&
	dead d &&
	touch -d "+1 hour" d/.git/refs/heads/parallel/K1.lock &&
	(cd d && test_expect_code 1 git parallel run --command "$CMD" >../out 2>../err) &&
	grep "K1.lock. was written after its command ended" out err &&
	test -e d/.git/refs/heads/parallel/K1.lock &&
	rm d/.git/refs/heads/parallel/K1.lock &&
	(cd d && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "^1 done\$" out &&
	repo_sane d
'

test_expect_success 'a worker killed with its task: the next worker finishes, no lock left' '
	LOCKS="index head" && export LOCKS &&
	rm -f locked &&
	remote_setup &&
	fresh_clone w &&
	{
		(cd w && GIT_PARALLEL_TEST_CRASH_AT=run-after-start git parallel worker --lease 1s \
			--command "$CMD" "$REMOTE_URL" T001 >../w1.out 2>../w1.err)
		rc=$?
	} &&
	test_crashed $rc &&
	wait_for_file locked &&
	pid=$(sed -n "s/^	pid = //p" "$(state_dir w)/tasks/T001") &&
	test -n "$pid" && test "$pid" -gt 1 &&
	kill -9 -"$pid" &&
	n=0 &&
	while ps -eo pgid= | grep -q "^ *$pid\$"
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || { echo "group $pid never reaped"; return 1; }
	done &&
	gd=$(git -C w.parallel/T001 rev-parse --absolute-git-dir) &&
	test -e "$gd/index.lock" && test -e "$gd/HEAD.lock" &&
	# the killed worker'"'"'s claim runs out
	lease=$(git -C remote.git show "refs/parallel/state/T001:state" | sed -n "s/^	lease = \([0-9]*\).*/\1/p") &&
	test -n "$lease" &&
	while test $(date +%s) -le $lease; do sleep 0.2; done &&
	(cd w && git parallel worker --command "$CMD" "$REMOTE_URL" T001 >../w2.out 2>../w2.err) &&
	echo done >expect && remote_state T001 >actual && test_cmp expect actual &&
	! test -e "$gd/index.lock" && ! test -e "$gd/HEAD.lock" &&
	repo_sane w
'

test_done
