#!/bin/sh

test_description='clean: an empty directory a kill during add left is no work

A run killed inside add_worktree after it made the worktree directory and
before it wrote its .git file (between mkdir and worktree-mid-add) leaves
the admin directory, marked ours, without gitdir, and an empty directory
at the task'"'"'s worktree path that git does not list.  clean without
--force refused it as damaged.  An empty directory holds no work: clean
removes it (rmdir only); anything in it keeps it refused.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent

# killed_mid_add <dir>: what a kill right before the .git file leaves
killed_mid_add () {
	ini_tasks "$1" K1 &&
	crash_run "$1" worktree-mid-add --command "\"$TRASH_DIRECTORY/agent\"" &&
	rm "$1.parallel/K1/.git" &&
	test -z "$(ls -A "$1.parallel/K1")" &&
	! test -e "$1/.git/worktrees/K1/gitdir" &&
	test -f "$1/.git/worktrees/K1/gp-task" &&
	git -C "$1" worktree list --porcelain >wt &&
	! grep "K1" wt
}

test_expect_success 'the empty directory and its admin files go, and the branch' '
	killed_mid_add a &&
	(cd a && git parallel clean K1 >../out 2>../err) &&
	! grep "damaged" err &&
	grep "removed K1" out &&
	! test -e a.parallel/K1 &&
	! test -e a/.git/worktrees/K1 &&
	test -z "$(git -C a for-each-ref refs/heads/parallel/)" &&
	repo_sane a
'

test_expect_success 'a file in it keeps it refused, exit 1; --force removes it' '
	killed_mid_add b &&
	echo mine >b.parallel/K1/notes.txt &&
	(cd b && test_expect_code 1 git parallel clean K1 >../out 2>../err) &&
	grep "task .K1.: worktree .* is damaged" err &&
	echo mine >expect && test_cmp expect b.parallel/K1/notes.txt &&
	test -f b/.git/worktrees/K1/gp-task &&
	(cd b && git parallel clean --force K1 >../out 2>../err) &&
	grep "removed K1" out &&
	! test -e b.parallel/K1 &&
	repo_sane b
'

test_expect_success 'an empty directory inside it keeps it refused too' '
	killed_mid_add c &&
	mkdir c.parallel/K1/sub &&
	(cd c && test_expect_code 1 git parallel clean K1 >../out 2>../err) &&
	grep "task .K1.: worktree .* is damaged" err &&
	test -d c.parallel/K1/sub
'

test_done
