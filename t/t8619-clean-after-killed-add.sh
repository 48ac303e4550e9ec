#!/bin/sh

test_description='clean after a run killed right after it added a worktree

A run killed after git_worktree_add'"'"'s files and before its task markers
(crash point worktree-after-add) left a worktree whose admin directory had
no gp-task: the next run made it again, but clean, even with --force, left
it alone for good ("not made by git-parallel for this task").  The markers
(gp-task, gp-creating) are now written before gitdir, the file that makes
git see the worktree: whatever a kill leaves that git lists is marked ours
and incomplete, and clean removes it.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent

test_expect_success 'killed after the add: the worktree git lists is marked ours and incomplete' '
	ini_tasks a K1 &&
	crash_run a worktree-after-add --command "\"$TRASH_DIRECTORY/agent\"" &&
	git -C a worktree list --porcelain >wt &&
	grep "a.parallel/K1\$" wt &&
	echo K1 >expect &&
	test_cmp expect a/.git/worktrees/K1/gp-task &&
	test -f a/.git/worktrees/K1/gp-creating &&
	repo_sane a
'

test_expect_success 'clean removes it, and its branch' '
	(cd a && git parallel clean K1 >../out 2>../err) &&
	! grep "left alone" err &&
	grep "removed K1" out &&
	! test -e a.parallel/K1 &&
	! test -e a/.git/worktrees/K1 &&
	test -z "$(git -C a for-each-ref refs/heads/parallel/)" &&
	repo_sane a
'

test_done
