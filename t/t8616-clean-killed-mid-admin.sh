#!/bin/sh

test_description='clean killed between the admin files of a worktree, its working tree still there

The man page says the next clean finishes what a killed clean began.
Killed after gitdir and HEAD went but before the rest of the admin files
(crash point clean-mid-admin), the working tree still whole, the next
clean said "damaged (its git files are incomplete)" and needed --force.
That state is provably a killed clean'"'"'s when git no longer lists the
worktree (no gitdir), the admin directory is ours (gp-task), the working
tree'"'"'s .git names that admin directory, and its files are all in the
task branch'"'"'s tree (nothing of anyone'"'"'s would go): the next clean
finishes it.  A file that is not in the branch keeps it refused.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# killed_clean <dir>: C1 and C2 run and merged, then clean --merged killed
# in C1's admin files
killed_clean () {
	ini_tasks "$1" C1 C2 &&
	(cd "$1" && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >/dev/null 2>&1) &&
	(cd "$1" && git parallel merge >/dev/null 2>&1) &&
	(
		cd "$1" &&
		GIT_PARALLEL_TEST_CRASH_AT=clean-mid-admin &&
		export GIT_PARALLEL_TEST_CRASH_AT &&
		git parallel clean --merged >../out 2>../err
	)
	test_crashed $?
}

test_expect_success 'clean killed in the admin files of C1: git no longer sees the worktree' '
	killed_clean a &&
	test -f a.parallel/C1/.git &&
	test -f a.parallel/C1/C1.txt &&
	test -f a/.git/worktrees/C1/gp-task &&
	! test -e a/.git/worktrees/C1/gitdir &&
	git -C a worktree list --porcelain >wt &&
	! grep "a.parallel/C1" wt &&
	repo_sane a
'

test_expect_success 'the next clean finishes it: worktree, admin files and branch gone' '
	(cd a && git parallel clean --merged >../out 2>../err) &&
	! grep "damaged" err &&
	grep "removed C1" out &&
	grep "removed C2" out &&
	! test -e a.parallel &&
	! test -e a/.git/worktrees/C1 &&
	test -z "$(git -C a for-each-ref refs/heads/parallel/)" &&
	git -C a worktree list --porcelain >wt &&
	test "$(grep -c "^worktree " wt)" = 1 &&
	repo_sane a
'

test_expect_success 'a file the branch does not hold keeps it refused; --force removes it' '
	killed_clean b &&
	echo mine >b.parallel/C1/notes.txt &&
	(cd b && test_expect_code 1 git parallel clean --merged >../out 2>../err) &&
	grep "task .C1.: worktree .* is damaged" err && ! grep "removed C1" out &&
	test -f b.parallel/C1/notes.txt &&
	(cd b && git parallel clean --force C1 >../out 2>../err) &&
	grep "removed C1" out &&
	! test -e b.parallel/C1 &&
	repo_sane b
'

test_expect_success 'so does a changed file' '
	killed_clean c &&
	echo changed >c.parallel/C1/C1.txt &&
	(cd c && test_expect_code 1 git parallel clean --merged >../out 2>../err) &&
	grep "task .C1.: worktree .* is damaged" err && ! grep "removed C1" out &&
	echo changed >expect && test_cmp expect c.parallel/C1/C1.txt
'

test_done
