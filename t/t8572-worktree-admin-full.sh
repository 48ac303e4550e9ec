#!/bin/sh

test_description='a full disk under the worktree admin files ($GIT_COMMON_DIR/worktrees/)

run makes a task'"'"'s worktree: HEAD, commondir, gitdir, the index and its
own marks under .git/worktrees/<id>/.  When that filesystem is full at any
of those writes, the task fails with a clear error, no half worktree is
left that git worktree list, git worktree prune or git fsck complain
about, and once space is freed the next run makes it and finishes.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# With more room the worktree is made and a later step (the commit of the
# task's work) fails; with enough, the task is done.

tmpfs_prereq

# admin_repo <dir>: 300 files (an index of some 25 KB) and task K1, planned;
# .git/worktrees on a tmpfs of 128 KB
admin_repo () {
	new_repo "$1" &&
	mkdir "$1/src" &&
	for i in $(test_seq 1 300); do echo "file $i" >"$1/src/f$i.c" || return 1; done &&
	printf "[task \"K1\"]\n\ttitle = one\n\tpaths = K1.txt\n\tcommand = echo done >K1.txt\n" >"$1/tasks.ini" &&
	git -C "$1" add . && git -C "$1" commit -q -m files &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null) &&
	mkdir "$1/.git/worktrees" &&
	mount -t tmpfs -o size=128k tmpfs "$1/.git/worktrees"
}

# fill <dir> <keep>: fill the filesystem, then free <keep> bytes again.
fill () {
	cat /dev/zero >"$1/filler" 2>/dev/null
	test -s "$1/filler" &&
	truncate -s "-$2" "$1/filler"
}

# no_half_worktree <repo>: git sees no worktree it would prune or call broken
no_half_worktree () {
	git -C "$1" worktree prune -n -v >prune.out 2>&1 &&
	test_must_be_empty prune.out &&
	git -C "$1" worktree list --porcelain >wl &&
	! grep "^prunable\|^locked" wl &&
	repo_sane "$1"
}

for keep in 0 4096 8192 16384 20480 24576 32768 49152
do
	test_expect_success TMPFS "worktrees/ full with $keep bytes left: a clean failure, then a run that works" '
		r=k$keep &&
		admin_repo $r &&
		test_when_finished "umount -l $r/.git/worktrees 2>/dev/null || :" &&
		fill $r/.git/worktrees $keep &&
		{ (cd $r && git parallel run >../out 2>../err); echo $? >rc; } &&
		if test "$(cat rc)" = 0
		then
			test $keep != 0 && grep "^1 done\$" out
		else
			echo 1 >expect && test_cmp expect rc &&
			grep "K1 failed: .*\(No space left on device\|Out of diskspace\)" err &&
			echo failed >expect && task_field $r K1 state >actual && test_cmp expect actual &&
			if grep "K1 failed: cannot create the worktree" err
			then
				# nothing of it left
				! test -e $r.parallel/K1 &&
				ls $r/.git/worktrees >admin && echo filler >expect && test_cmp expect admin
			else
				# made whole, and a later step failed (git status needs room)
				test -f $r.parallel/K1/.git
			fi
		fi &&
		rm $r/.git/worktrees/filler &&
		no_half_worktree $r &&
		if test -e $r.parallel/K1
		then
			git -C $r.parallel/K1 status >/dev/null
		fi &&
		(cd $r && git parallel run >../out 2>../err) &&
		grep "^1 done\$" out &&
		no_half_worktree $r &&
		git -C $r.parallel/K1 status --porcelain >st && test_must_be_empty st
	'
done

test_done
