#!/bin/sh

test_description='run and clean: a kill while a worktree'"'"'s gitdir file was written

add_worktree writes the admin file "gitdir" last: from then on git and
libgit2 take the directory for a worktree.  A run killed between creating
that file and writing it (t8500 #9 once, in CI, through the other thread
of a "run -j 2") left it empty; libgit2 then put the worktree at ".", and
the next run failed the task: "the worktree of task '"'"'K2'"'"' is at '"'"'.'"'"'".
gitdir is now written to a temporary file and renamed; the debris of the
older way (an empty or cut gitdir, the rest ours and marked creating) is
removed by the next run and by clean, as git worktree prune would.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent

# killed_in_gitdir <dir> <bytes>: what a kill after <bytes> bytes of the
# gitdir file leaves (worktree-mid-add is right before it is written)
killed_in_gitdir () {
	ini_tasks "$1" K1 K2 &&
	crash_run "$1" worktree-mid-add -j 1 --command "\"$TRASH_DIRECTORY/agent\"" &&
	admin=$(git -C "$1" rev-parse --path-format=absolute --git-common-dir)/worktrees/K1 &&
	test -f "$admin/gp-creating" && ! test -e "$admin/gitdir" &&
	printf "%s/.git\n" "$(cd "$1.parallel/K1" && pwd -P)" | head -c $2 >"$admin/gitdir" &&
	git -C "$1" worktree list --porcelain >wt &&
	test_debug "cat wt"
}

finished () {
	grep "^2 done\$" "$1.out" &&
	for id in K1 K2
	do
		echo done >expect &&
		task_field "$1" $id state >actual && test_cmp expect actual &&
		git -C "$1" log --format=%s "parallel/$id" >log &&
		grep "^$id: own commit\$" log || return 1
	done &&
	git -C "$1" worktree list --porcelain >wt &&
	grep "^worktree $(cd "$1.parallel/K1" && pwd -P)\$" wt &&
	repo_sane "$1"
}

# cleaned <dir>: clean K1 removed its worktree, admin files and branch
cleaned () {
	(cd "$1" && git parallel clean K1 >../out 2>../err) &&
	grep "removed K1" out &&
	! test -e "$1.parallel/K1" &&
	! test -e "$1/.git/worktrees/K1" &&
	test_must_fail git -C "$1" rev-parse --verify -q refs/heads/parallel/K1 &&
	repo_sane "$1"
}

test_expect_success 'an empty gitdir: the next run makes the worktree again' '
	killed_in_gitdir a 0 &&
	(cd a && git parallel run -j 2 --command "\"$TRASH_DIRECTORY/agent\"" >../a.out 2>../a.err) &&
	finished a
'

test_expect_success 'a gitdir cut short: the next run makes the worktree again' '
	killed_in_gitdir b 9 &&
	(cd b && git parallel run -j 2 --command "\"$TRASH_DIRECTORY/agent\"" >../b.out 2>../b.err) &&
	finished b
'

test_expect_success 'an empty gitdir: clean removes it, and the branch' '
	killed_in_gitdir c 0 &&
	cleaned c
'

test_expect_success 'a crash with the new gitdir written aside: the next run finishes' '
	ini_tasks d K1 K2 &&
	crash_run d worktree-mid-gitdir -j 1 --command "\"$TRASH_DIRECTORY/agent\"" &&
	ls d/.git/worktrees/K1 >files &&
	grep "^gitdir\." files && ! grep "^gitdir\$" files &&
	repo_sane d &&
	(cd d && git parallel run -j 2 --command "\"$TRASH_DIRECTORY/agent\"" >../d.out 2>../d.err) &&
	finished d &&
	! ls d/.git/worktrees/K1 | grep "^gitdir\."
'

test_expect_success 'the same crash: clean removes it, and the branch' '
	ini_tasks e K1 K2 &&
	crash_run e worktree-mid-gitdir -j 1 --command "\"$TRASH_DIRECTORY/agent\"" &&
	cleaned e
'

test_done
