#!/bin/sh

test_description='a run killed between fork and saving the pid leaves no command running

run forks a task'"'"'s command, then saves its pid in the task'"'"'s state.  A
run killed in between used to leave "running, pid 0" on disk and the
command running: the next run could not stop it and started the task
again, two agents in one worktree.  The child now waits on a pipe until
its pid is saved; the pipe'"'"'s end without the go byte (the run died)
and it exits without running anything.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

MARK="$TRASH_DIRECTORY/ran"
export MARK
CMD='echo "$GIT_PARALLEL_TASK_ID" >>"$MARK"'

test_expect_success 'killed between fork and the pid saved: the command never runs' '
	ini_tasks a K1 &&
	(
		cd a &&
		GIT_PARALLEL_TEST_CRASH_AT=run-after-fork &&
		export GIT_PARALLEL_TEST_CRASH_AT &&
		git parallel run --command "$CMD" >../out 2>../err
	)
	test_crashed $? &&
	test -d a.parallel/K1 &&
	wait_cwd_gone a.parallel/K1 &&
	! test -e "$MARK" &&
	repo_sane a
'

test_expect_success 'the state names no pid, and status calls the task interrupted' '
	! grep "^	pid = " "$(state_dir a)/tasks/K1" &&
	echo interrupted >expect &&
	task_field a K1 state >actual &&
	test_cmp expect actual
'

test_expect_success 'the next run runs the command once' '
	(cd a && git parallel run --command "$CMD" >../out 2>../err) &&
	echo done >expect &&
	task_field a K1 state >actual &&
	test_cmp expect actual &&
	echo K1 >expect &&
	test_cmp expect "$MARK" &&
	repo_sane a
'

test_expect_success 'a run killed right after the pid is saved: the next run stops that command' '
	rm -f "$MARK" &&
	ini_tasks b K1 &&
	(
		cd b &&
		GIT_PARALLEL_TEST_CRASH_AT=run-after-start &&
		export GIT_PARALLEL_TEST_CRASH_AT &&
		git parallel run --command "echo start >>\"\$MARK\"; exec sleep 30" >../out 2>../err
	)
	test_crashed $? &&
	grep "^	pid = [1-9]" "$(state_dir b)/tasks/K1" &&
	n=0 && until test -s "$MARK"; do n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1; done &&
	(cd b && git parallel run --command "$CMD" >../out 2>../err) &&
	wait_cwd_gone b.parallel/K1 &&
	printf "start\nK1\n" >expect &&
	test_cmp expect "$MARK"
'

test_done
