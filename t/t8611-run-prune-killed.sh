#!/bin/sh

test_description='run killed while it prunes the entry of a worktree its command deleted

run prunes $GIT_COMMON_DIR/worktrees/<id> when the task'"'"'s command deleted
its worktree (t8600).  libgit2'"'"'s git_worktree_prune removed those admin
files in directory order: a kill midway could leave gitdir without HEAD
(git fsck: "HEAD points at nothing") or drop the task marker first.  Now
gitdir goes first (git no longer sees the entry), then HEAD and the rest,
the marker last; crash point run-mid-prune is after gitdir and HEAD.
What is left is invisible to git, and the next run or clean removes it.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# no_entry <repo> <id>: git sees no worktree <id>, nothing prunable, fsck passes
no_entry () {
	git -C "$1" worktree list --porcelain >wt &&
	! grep "prunable" wt &&
	! grep "\.parallel/$2\$" wt &&
	git -C "$1" worktree prune -n -v >prune.out 2>&1 &&
	repo_sane "$1"
}

test_expect_success 'setup: agents that delete their worktree (after a commit, or not)' '
	cat >agent <<-EOF &&
	#!/bin/sh
	if ! test -e "$TRASH_DIRECTORY/once"
	then
		echo work >"\$GIT_PARALLEL_TASK_ID.txt" &&
		git add . && git commit -q -m "\$GIT_PARALLEL_TASK_ID: work" &&
		: >"$TRASH_DIRECTORY/once" && cd / && rm -rf "\$GIT_PARALLEL_WORKTREE"
	fi
	EOF
	cat >rm-agent <<-\EOF &&
	#!/bin/sh
	cd / && rm -rf "$GIT_PARALLEL_WORKTREE"
	EOF
	chmod +x agent rm-agent
'

test_expect_success 'killed mid-prune: git sees nothing of the worktree, fsck passes, the commit stays' '
	ini_tasks a D1 &&
	crash_run a run-mid-prune --command "\"$TRASH_DIRECTORY/agent\"" &&
	test -e once &&
	! test -e a.parallel/D1 &&
	# the prune began (gitdir, HEAD gone) and did not finish (the marker is there)
	test -f a/.git/worktrees/D1/gp-task &&
	! test -e a/.git/worktrees/D1/gitdir &&
	! test -e a/.git/worktrees/D1/HEAD &&
	no_entry a D1 &&
	git -C a log --format=%s parallel/D1 >log &&
	grep "^D1: work" log
'

test_expect_success 'the next run makes the worktree again and finishes, with the commit' '
	work=$(git -C a rev-parse parallel/D1) &&
	(cd a && git parallel run --command "\"$TRASH_DIRECTORY/agent\"" >../out 2>../err) &&
	test "$(task_field a D1 state)" = done &&
	test -f a.parallel/D1/D1.txt &&
	git -C a merge-base --is-ancestor $work parallel/D1 &&
	test -f a/.git/worktrees/D1/gp-task && test -f a/.git/worktrees/D1/HEAD &&
	git -C a worktree list --porcelain >wt &&
	grep "\.parallel/D1\$" wt &&
	! grep prunable wt &&
	repo_sane a
'

test_expect_success 'killed mid-prune, then clean (no --force) removes what is left' '
	ini_tasks b D2 &&
	crash_run b run-mid-prune --command "\"$TRASH_DIRECTORY/rm-agent\"" &&
	test -f b/.git/worktrees/D2/gp-task &&
	no_entry b D2 &&
	(cd b && git parallel clean D2 >../out 2>../err) &&
	! grep "damaged\|left alone" err &&
	grep "removed D2" out &&
	! test -e b/.git/worktrees/D2 &&
	test -z "$(git -C b for-each-ref refs/heads/parallel/)" &&
	no_entry b D2
'

test_expect_success 'not killed: the entry is pruned whole, as before' '
	ini_tasks c D3 &&
	(cd c && test_expect_code 1 git parallel run --retries 0 --command "\"$TRASH_DIRECTORY/rm-agent\"" >../out 2>../err) &&
	grep "D3 failed: its worktree .*/c.parallel/D3. is gone" err &&
	! test -e c/.git/worktrees/D3 &&
	no_entry c D3
'

# (with only the branch's files in it, it would be what a clean killed
# among the admin files leaves, which the next clean finishes: t8616)
test_expect_success 'a damaged worktree whose directory is still there is still refused' '
	ini_tasks d D4 &&
	(cd d && git parallel run --command "echo x >D4.txt" >../out 2>../err) &&
	rm d/.git/worktrees/D4/gitdir d/.git/worktrees/D4/HEAD &&
	echo mine >d.parallel/D4/notes.txt &&
	test -d d.parallel/D4 &&
	(cd d && test_expect_code 1 git parallel clean D4 >../out 2>../err) &&
	grep "damaged" err &&
	test -d d.parallel/D4
'

test_done
