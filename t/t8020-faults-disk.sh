#!/bin/sh

test_description='fault injection: a full disk under state, logs and objects; a read-only state directory'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# A full disk needs a small filesystem: a tmpfs, mounted by root where the
# sandbox allows it.  Without one, the tests below that need it are
# skipped; ulimit -f (EFBIG, not ENOSPC) and the unmounted read-only
# checks still run.
tmpfs_prereq
test_have_prereq TMPFS && test_set_prereq BINDMOUNT
test "$(id -u)" = 0 || test_set_prereq NOT_ROOT

# fill <dir> [<keep>]: fill the filesystem, then free <keep> bytes again.
fill () {
	cat /dev/zero >"$1/filler" 2>/dev/null
	test -s "$1/filler" &&
	if test -n "$2"
	then
		truncate -s "-$2" "$1/filler"
	fi
}

# no_torn_state <repo>: every state file parses (status --json works and
# lists every task) and no temporary file was left behind.
no_torn_state () {
	(cd "$1" && git parallel status --json) >st.json &&
	json_get st.json "len(d[\"tasks\"])" >n && echo "$2" >expect && test_cmp expect n &&
	! find "$(state_dir "$1")" -name "*.tmp.*" | grep .
}

tasks3 () {
	new_repo "$1" &&
	for id in T1 T2 T3
	do
		printf '[task "%s"]\n\ttitle = task %s\n\tpaths = %s.txt\n\tcommand = echo %s >%s.txt\n' \
			$id $id $id $id $id >>"$1/tasks.ini" || return 1
	done &&
	git -C "$1" add . && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null)
}

test_expect_success TMPFS 'state directory full: plan fails cleanly, the old plan is intact' '
	tasks3 p &&
	sd=$(state_dir p) &&
	cp "$sd/plan" plan.before &&
	small_fs "$sd" 64k &&
	test_when_finished "umount -l \"$sd\" 2>/dev/null || :" &&
	fill "$sd" &&
	echo "- [ ] N1 Edit n.c" >p/more.md &&
	(cd p && test_expect_code 128 git parallel plan --force more.md >../out 2>../err) &&
	test_one_line_error err &&
	grep "No space left on device" err &&
	test_cmp plan.before "$sd/plan" &&
	no_torn_state p 3 &&
	(cd p && test_expect_code 128 git parallel run >../out 2>../err) &&
	test_one_line_error err &&
	grep "cannot write .*lock.*No space left on device" err &&
	no_torn_state p 3 &&
	big_fs "$sd" &&
	repo_sane p
'

test_expect_success TMPFS 'state directory fills during run: it stops, nothing torn, the next run finishes' '
	tasks3 r &&
	sd=$(state_dir r) &&
	small_fs "$sd" 256k &&
	test_when_finished "umount -l \"$sd\" 2>/dev/null || :" &&
	fill "$sd" 8192 &&
	(cd r && test_expect_code 128 git parallel run -j 1 >../out 2>../err) &&
	grep "No space left on device" err &&
	tail -n 1 err | grep "^fatal: the state of .* could not be saved" &&
	no_torn_state r 3 &&
	repo_sane r &&
	rm "$sd/filler" &&
	(cd r && git parallel run >../out 2>../err) &&
	grep "^3 done$" out &&
	for id in T1 T2 T3
	do
		git -C r show parallel/$id:$id.txt || return 1
	done &&
	no_torn_state r 3 &&
	big_fs "$sd" &&
	repo_sane r
'

test_expect_success TMPFS 'a log fills the disk: the task fails, run stops, state readable; the next run works' '
	new_repo l &&
	printf "[task \"L1\"]\n\tpaths = l.txt\n\tcommand = head -c 2000000 /dev/zero && echo x >l.txt\n" >l/tasks.ini &&
	git -C l add . && git -C l commit -q -m tasks &&
	(cd l && git parallel plan tasks.ini >/dev/null) &&
	sd=$(state_dir l) &&
	small_fs "$sd" 1m &&
	test_when_finished "umount -l \"$sd\" 2>/dev/null || :" &&
	(cd l && test_expect_code 128 git parallel run >../out 2>../err) &&
	# the log may fill before or after run saves the task as running
	grep -E "L1 (exit 1|interrupted)" err &&
	grep "stopping: cannot save the state of task L1" err &&
	no_torn_state l 1 &&
	repo_sane l &&
	big_fs "$sd" &&
	# the failure could not be recorded: the run is gone, so "interrupted"
	task_field l L1 state >actual && echo interrupted >expect && test_cmp expect actual &&
	(cd l && git parallel run >../out 2>../err) &&
	task_field l L1 state >actual && echo done >expect && test_cmp expect actual
'

test_expect_success TMPFS 'objects full during merge: nothing merged, no ref at a missing object' '
	tasks3 m &&
	(cd m && git parallel run >/dev/null 2>&1) &&
	old=$(git -C m rev-parse main) &&
	small_fs m/.git/objects 4m &&
	test_when_finished "umount -l m/.git/objects 2>/dev/null || :" &&
	fill m/.git/objects &&
	(cd m && test_expect_code 1 git parallel merge >../out 2>../err) &&
	grep "cannot write the merge commit" err &&
	test "$(git -C m rev-parse main)" = $old &&
	git -C m status --porcelain >st && test_must_be_empty st &&
	repo_sane m &&
	task_field m T1 state >actual && echo done >expect && test_cmp expect actual &&
	rm m/.git/objects/filler &&
	(cd m && git parallel merge >../out 2>../err) &&
	git -C m rev-list --merges main >merges && test_line_count = 3 merges &&
	big_fs m/.git/objects &&
	repo_sane m
'

test_expect_success TMPFS 'objects full during run: the task fails, no ref at a missing object, the next run finishes' '
	tasks3 ro2 &&
	small_fs ro2/.git/objects 4m &&
	test_when_finished "umount -l ro2/.git/objects 2>/dev/null || :" &&
	fill ro2/.git/objects &&
	(cd ro2 && test_expect_code 1 git parallel run -j 1 >../out 2>../err) &&
	grep "No space left on device" err &&
	repo_sane ro2 &&
	task_field ro2 T1 state >actual && echo failed >expect && test_cmp expect actual &&
	git -C ro2.parallel/T1 status --porcelain >st &&
	echo "?? T1.txt" >expect && test_cmp expect st &&
	rm ro2/.git/objects/filler &&
	(cd ro2 && git parallel run >../out 2>../err) &&
	grep "^3 done$" out &&
	big_fs ro2/.git/objects &&
	repo_sane ro2
'

test_expect_success 'ulimit -f, SIGXFSZ ignored: plan fails with EFBIG, the old plan is intact' '
	tasks3 u &&
	sd=$(state_dir u) &&
	cp "$sd/plan" plan.before &&
	for i in $(test_seq 1 50); do echo "- [ ] N$i [P] Edit src/n$i.c"; done >u/more.md &&
	(cd u && trap "" XFSZ && ulimit -f 1 &&
	 test_expect_code 128 git parallel plan --force more.md >../out 2>../err) &&
	test_one_line_error err &&
	grep "File too large" err &&
	test_cmp plan.before "$sd/plan" &&
	no_torn_state u 3
'

test_expect_success 'ulimit -f, SIGXFSZ not ignored: killed mid-write, the old plan is intact' '
	sd=$(state_dir u) &&
	{ (cd u && ulimit -f 1 && exec git-parallel plan --force more.md >../out 2>../err); rc=$?; } &&
	test $rc = 153 &&
	test_cmp plan.before "$sd/plan" &&
	(cd u && git parallel status --json >../st.json) &&
	json_get st.json "len(d[\"tasks\"])" >n && echo 3 >expect && test_cmp expect n &&
	rm -f "$sd"/plan.tmp.* &&
	repo_sane u
'

test_expect_success BINDMOUNT 'read-only state directory (a read-only mount): clear errors, nothing changed' '
	tasks3 ro &&
	(cd ro && git parallel run T1 >/dev/null 2>&1) &&
	sd=$(state_dir ro) &&
	state_sum ro >before &&
	mount --bind "$sd" "$sd" &&
	test_when_finished "umount -l \"$sd\" 2>/dev/null || :" &&
	mount -o remount,ro,bind "$sd" &&
	(cd ro && test_expect_code 128 git parallel run >../out 2>../err) &&
	test_one_line_error err && grep "Read-only file system" err &&
	(cd ro && test_expect_code 128 git parallel plan --force tasks.ini >../out 2>../err) &&
	test_one_line_error err && grep "Read-only file system" err &&
	(cd ro && test_expect_code 128 git parallel merge >../out 2>../err) &&
	test_one_line_error err && grep "Read-only file system" err &&
	(cd ro && git parallel status >../out 2>../err) &&
	grep "^T1 *done" out &&
	(cd ro && git parallel report >/dev/null) &&
	state_sum ro >after && test_cmp before after &&
	umount "$sd" &&
	(cd ro && git parallel run >../out 2>../err) && grep "^3 done$" out &&
	repo_sane ro
'

test_expect_success NOT_ROOT 'read-only state directory (chmod): clear errors, nothing changed' '
	tasks3 rw &&
	sd=$(state_dir rw) &&
	state_sum rw >before &&
	chmod -R a-w "$sd" &&
	test_when_finished "chmod -R u+w \"$sd\"" &&
	(cd rw && test_expect_code 128 git parallel run >../out 2>../err) &&
	test_one_line_error err && grep "Permission denied" err &&
	state_sum rw >after && test_cmp before after
'

test_expect_success 'state tasks/ is a file (root ignores modes): every command refuses in one line' '
	tasks3 tf &&
	sd=$(state_dir tf) &&
	echo junk >"$sd/tasks" &&
	state_sum tf >before &&
	for c in run status check merge report "clean --all"
	do
		(cd tf && test_expect_code 128 git parallel $c >../out 2>../err) &&
		test_one_line_error err &&
		grep "cannot read .*/tasks/T1.: Not a directory" err || return 1
	done &&
	state_sum tf >after && test_cmp before after &&
	test_must_fail git -C tf rev-parse --verify -q parallel/T1 &&
	repo_sane tf
'

test_done
