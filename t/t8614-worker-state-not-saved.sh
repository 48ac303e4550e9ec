#!/bin/sh

test_description='worker: a task that finishes when its local state cannot be saved (full disk)

As run (t8610): the worker never reports done a task whose state file could
not be written.  Its command commits, then fills the clone'"'"'s state
directory: the event line says the state was not saved and names the file,
and the worker exits 128 with the fatal line naming it.  The remote is the
worker'"'"'s record: the branch and the state are pushed all the same, so the
work is not lost.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

tmpfs_prereq

test_expect_success TMPFS 'setup: a remote plan, a clone whose state directory fills' '
	remote_setup &&
	fresh_clone w &&
	sd=$(state_dir w) &&
	mkdir -p "$sd" &&
	cat >fill.sh <<-EOF &&
	echo work >>src/f1.c && git commit -q -a -m "T001: work" &&
	cat /dev/zero >"$sd/filler" 2>/dev/null
	exit 0
	EOF
	small_fs "$sd" 256k
'

test_expect_success TMPFS 'the worker says the state was not saved, names the file, exits 128' '
	test_when_finished "umount -l \"$sd\" 2>/dev/null || :" &&
	(cd w && test_expect_code 128 git parallel worker --command "sh \"$TRASH_DIRECTORY/fill.sh\"" \
		"$REMOTE_URL" T001 >../out 2>../err) &&
	cat err &&
	grep "No space left on device" err &&
	grep "^T001 done in [0-9.]*s, but its state could not be saved to .$sd/tasks/T001." err &&
	! grep "^T001 done in [0-9.]*s\$" err &&
	! grep "done; pushed" out &&
	tail -n 1 err >last &&
	grep "^fatal: the state of task .T001. could not be saved to .$sd/tasks/T001." last &&
	# the work is on the remote, as the pushed state says
	echo done >expect && remote_state T001 >actual && test_cmp expect actual &&
	git -C remote.git log --format=%s -1 parallel/T001 >msg &&
	echo "T001: work" >expect && test_cmp expect msg &&
	git -C remote.git fsck &&
	repo_sane w
'

test_done
