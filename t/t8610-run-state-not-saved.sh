#!/bin/sh

test_description='run: a task that finishes when its state cannot be saved (full disk)

The state directory fills while task T3 runs: T3 committed its work, then
its state (tasks/T3) cannot be written.  run used to print "T3 done" and
count it done; now it says that T3'"'"'s state was not saved, names the file,
counts it apart and exits 128; the file still says running, and the next
run starts T3 again in its worktree, with its commits.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

tmpfs_prereq

test_expect_success TMPFS 'setup: T1, and T3 that commits then fills the state directory' '
	new_repo r &&
	sd=$(state_dir r) &&
	cat >fill.sh <<-EOF &&
	test -f T3.txt && exit 0
	echo 3 >T3.txt && git add T3.txt && git commit -q -m three &&
	cat /dev/zero >"$sd/filler" 2>/dev/null
	exit 0
	EOF
	printf "[task \"T1\"]\n\ttitle = one\n\tpaths = T1.txt\n\tcommand = echo 1 >T1.txt\n" >r/tasks.ini &&
	printf "[task \"T3\"]\n\ttitle = three\n\tpaths = T3.txt\n\tcommand = sh \"%s\"\n" "$PWD/fill.sh" >>r/tasks.ini &&
	git -C r add . && git -C r commit -q -m tasks &&
	(cd r && git parallel plan tasks.ini >/dev/null) &&
	small_fs "$sd" 256k
'

test_expect_success TMPFS 'run says T3 was not saved, names the file, exits 128' '
	(cd r && test_expect_code 128 git parallel run -j 1 >../out 2>../err) &&
	grep "No space left on device" err &&
	grep "^T1 done in [0-9.]*s\$" err &&
	grep "^T3 done in [0-9.]*s, but its state could not be saved to .$sd/tasks/T3.: the next run starts it again" err &&
	tail -n 1 err >last &&
	grep "^fatal: the state of task .T3. could not be saved to .$sd/tasks/T3." last &&
	echo "1 done, 1 not saved" >expect &&
	head -n 1 out >actual &&
	test_cmp expect actual &&
	# the work is there; the file says what it last could
	git -C r log --format=%s -1 parallel/T3 >msg && echo three >expect && test_cmp expect msg &&
	grep "state = running" "$sd/tasks/T3" &&
	task_field r T3 state >actual && echo interrupted >expect && test_cmp expect actual &&
	task_field r T1 state >actual && echo done >expect && test_cmp expect actual &&
	repo_sane r
'

test_expect_success TMPFS 'room again: the next run finishes T3 with its commit' '
	test_when_finished "umount -l \"$sd\" 2>/dev/null || :" &&
	three=$(git -C r rev-parse parallel/T3) &&
	rm "$sd/filler" &&
	(cd r && git parallel run >../out 2>../err) &&
	grep "^2 done\$" out &&
	grep "^T3 started again" err &&
	task_field r T3 state >actual && echo done >expect && test_cmp expect actual &&
	git -C r merge-base --is-ancestor $three parallel/T3 &&
	task_field r T3 head >head && git -C r rev-parse parallel/T3 >expect && test_cmp expect head &&
	big_fs "$sd" &&
	repo_sane r &&
	(cd r && git parallel merge >/dev/null) &&
	git -C r show main:T3.txt >t3 && echo 3 >expect && test_cmp expect t3
'

test_done
