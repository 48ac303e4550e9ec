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

# enc_repo <dir> <n>: <n> UTF-16 files of 2 KB (in UTF-8: 1 KB) and a.c;
# task K1 edits a.c
enc_repo () {
	new_repo "$1" &&
	echo "*.txt working-tree-encoding=UTF-16" >"$1/.gitattributes" &&
	for i in $(test_seq 1 $2)
	do
		for k in $(test_seq 1 160); do echo "file $i line $k"; done |
		iconv -f UTF-8 -t UTF-16 >"$1/f$i.txt" || return 1
	done &&
	echo c >"$1/a.c" &&
	printf "[task \"K1\"]\n\ttitle = one\n\tpaths = a.c\n\tcommand = echo edit >>a.c\n" >"$1/tasks.ini" &&
	git -C "$1" add . && git -C "$1" commit -q -m files &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null)
}

# as_git <dir>: K1 done, its worktree byte for byte what git writes
as_git () {
	git -C "$1.parallel/K1" status --porcelain >st 2>&1 &&
	test_must_be_empty st &&
	for f in "$1"/f*.txt
	do
		cmp "$f" "$1.parallel/K1/${f##*/}" || return 1
	done &&
	git -C "$1" diff --name-status main parallel/K1 >actual &&
	printf "M\ta.c\n" >expect && test_cmp expect actual
}

test_expect_success 'killed with the stat data cleared: status, check and clean do not trust it' '
	enc_repo r1 3 &&
	code=0 &&
	(cd r1 && GIT_PARALLEL_TEST_CRASH_AT=worktree-convert-index-cleared git parallel run >../out 2>../err) ||
		code=$? &&
	test_crashed $code &&
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
	enc_repo r2 3 &&
	code=0 &&
	(cd r2 && GIT_PARALLEL_TEST_CRASH_AT=worktree-convert-index-cleared git parallel run >../out 2>../err) ||
		code=$? &&
	test_crashed $code &&
	(cd r2 && git parallel run >../out 2>../err) &&
	grep "^1 done\$" out &&
	as_git r2 &&
	repo_sane r2
'

# 20 files: a 4 KB page each as libgit2 writes them (3 KB), two in UTF-16
# (6 KB; git writes each anew before it removes the old one)
for size in 128k 192k
do
	test_expect_success TMPFS "worktrees on a tmpfs of $size: done, or failed with the cause and then done" '
		r=s$size &&
		enc_repo $r 20 &&
		mkdir $r.parallel &&
		mount -t tmpfs -o size=$size tmpfs $r.parallel &&
		test_when_finished "umount -l $TRASH_DIRECTORY/$r.parallel 2>/dev/null || :" &&
		{ (cd $r && git parallel run >../out 2>../err); echo $? >rc; } &&
		if test "$(cat rc)" = 0
		then
			grep "^1 done\$" out && as_git $r
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
			as_git $r
		fi
	'
done

test_done
