#!/bin/sh

test_description='a converting worktree killed or out of space while git writes its files again

libgit2 1.5 checks a new worktree out as blobs; then its index loses the
stat data of the files git converts (working-tree-encoding here) and git
checkout-index writes them again.  Killed between the two (the crash point
worktree-convert-index-cleared), the worktree holds UTF-8 where git wants
UTF-16 and is still marked as being made: status says pending, check
measures nothing from it, clean removes it (nothing of anyone'"'"'s is there)
and a run remakes it.  On a filesystem too small for the UTF-16 files
the task fails with the cause, and once there is room the next run
finishes.  Oracle: git status, cmp against git'"'"'s own checkout.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

tmpfs_prereq

test_expect_success 'killed with the stat data cleared: status, check and clean do not trust it' '
	convert_repo r1 3 160 &&
	crash_run r1 worktree-convert-index-cleared &&
	git -C r1.parallel/K1 status --porcelain >st 2>&1 &&
	grep "BOM is required in .f1.txt." st &&
	echo pending >expect && task_field r1 K1 state >actual && test_cmp expect actual &&
	(cd r1 && git parallel check >../check.out 2>&1) &&
	grep "K1 *0 files" check.out &&
	! grep "uncommitted" check.out &&
	(cd r1 && git parallel clean K1 >../out 2>&1) &&
	! test -e r1.parallel/K1 &&
	test_must_fail git -C r1 rev-parse -q --verify parallel/K1 &&
	repo_sane r1
'

test_expect_success 'killed there, then run: the worktree is made again, as git writes it' '
	convert_repo r2 3 160 &&
	crash_run r2 worktree-convert-index-cleared &&
	(cd r2 && git parallel run >../out 2>../err) &&
	grep "^1 done\$" out &&
	convert_as_git r2 &&
	repo_sane r2
'

# 20 files: a 4 KB page each as libgit2 writes them (3 KB), two in UTF-16
# (6 KB; git writes each anew before it removes the old one)
for size in 128k 192k
do
	test_expect_success TMPFS "worktrees on a tmpfs of $size: done, or failed with the cause and then done" '
		r=s$size &&
		convert_repo $r 20 160 &&
		mkdir $r.parallel &&
		mount -t tmpfs -o size=$size tmpfs $r.parallel &&
		test_when_finished "umount -l $TRASH_DIRECTORY/$r.parallel 2>/dev/null || :" &&
		{ (cd $r && git parallel run >../out 2>../err); echo $? >rc; } &&
		if test "$(cat rc)" = 0
		then
			grep "^1 done\$" out && convert_as_git $r
		else
			echo 1 >expect && test_cmp expect rc &&
			grep "K1 failed: \(cannot convert the files of task .K1.\|.*No space left on device\)" err &&
			echo failed >expect && task_field $r K1 state >actual && test_cmp expect actual
		fi &&
		big_fs $r.parallel &&
		git -C $r worktree prune -n -v >prune.out 2>&1 &&
		test_must_be_empty prune.out &&
		repo_sane $r &&
		if test "$(cat rc)" != 0
		then
			(cd $r && git parallel run --retry-failed >../out 2>../err || git parallel run >../out 2>../err) &&
			grep "^1 done\$" out &&
			convert_as_git $r
		fi
	'
done

test_done
