#!/bin/sh

test_description='status: a task whose run or worker stopped before saving how it ended says why

A task recorded as running whose run (or worker) and command are gone is
shown as interrupted.  That is all a plain status said, also when a worker
finished the task and pushed it but could not save its state here (a full
disk, t8614): status now says that its run or worker stopped before saving
how the task ended, and for a worker, which remote holds what it pushed.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

tmpfs_prereq

test_expect_success 'setup' '
	remote_setup
'

test_expect_success 'a worker killed once its command started: status names its remote' '
	fresh_clone w &&
	(cd w && test_expect_code 137 env GIT_PARALLEL_TEST_CRASH_AT=run-after-start \
		git parallel worker "$REMOTE_URL" T001 >../out 2>../err) &&
	wait_commands_gone w && wait_interrupted w T001 &&
	(cd w && git parallel status T001 >../st 2>../err) &&
	grep "^T001 *interrupted" st &&
	grep "its worker (pid [0-9]*) stopped before it saved here how the task ended (killed, or the state could not be written: a full disk?); .git parallel status --remote $REMOTE_URL. shows what it pushed" st
'

test_expect_success 'a plain run killed the same way: status says so, and what comes next' '
	ini_tasks r T1 &&
	(cd r && test_expect_code 137 env GIT_PARALLEL_TEST_CRASH_AT=run-after-start \
		git parallel run --command true >../out 2>../err) &&
	wait_commands_gone r && wait_interrupted r T1 &&
	(cd r && git parallel status >../st 2>../err) &&
	grep "^T1 *interrupted" st &&
	grep "its run (pid [0-9]*) stopped before it saved how the task ended (killed, or the state could not be written: a full disk?); what it committed is on its branch, and the next .git parallel run. starts it again" st &&
	! grep "its worker" st
'

test_expect_success 'the hint goes once the task is run again' '
	(cd r && git parallel run --command true >/dev/null 2>&1 &&
	 git parallel status >../st 2>../err) &&
	grep "^T1 *done" st &&
	! grep "stopped before" st
'

test_expect_success TMPFS 'a worker whose state could not be saved here (t8614): status says why' '
	fresh_clone f &&
	sd=$(state_dir f) &&
	mkdir -p "$sd" &&
	cat >fill.sh <<-EOF &&
	echo work >>src/f2.c && git commit -q -a -m "T002: work" &&
	cat /dev/zero >"$sd/filler" 2>/dev/null
	exit 0
	EOF
	small_fs "$sd" 256k &&
	test_when_finished "umount -l \"$sd\" 2>/dev/null || :" &&
	(cd f && test_expect_code 128 git parallel worker --command "sh \"$TRASH_DIRECTORY/fill.sh\"" \
		"$REMOTE_URL" T002 >../out 2>../err) &&
	echo done >expect && remote_state T002 >actual && test_cmp expect actual &&
	(cd f && git parallel status T002 >../st 2>../err) &&
	grep "^T002 *interrupted" st &&
	grep "its worker (pid [0-9]*) stopped before it saved here how the task ended .*--remote $REMOTE_URL. shows what it pushed" st
'

test_done
