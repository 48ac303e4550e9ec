#!/bin/sh

test_description='run: a directory holding only a .git file is debris only when that file is ours

A "worktree add" killed before it wrote gitdir leaves at the task path a
directory holding only a .git file that points at the task'"'"'s admin
directory; run removes it with the admin directory.  A directory holding
only a .git file that points elsewhere is a worktree of another repository
(git worktree add --no-checkout makes one), which git worktree prune would
not touch either: it stays, and the task fails naming it.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# o: another repository, whose worktrees at a.parallel/<id> hold only .git
test_expect_success 'setup' '
	ini_tasks a T U &&
	new_repo o &&
	git -C o worktree add -q --no-checkout ../a.parallel/T &&
	git -C o worktree add -q --no-checkout ../a.parallel/U &&
	ls -A a.parallel/T >names && echo .git >expect && test_cmp expect names &&
	wt=$(cd a.parallel/T && pwd) &&
	# admin debris with gitdir naming that place, no HEAD (a killed add)
	mkdir -p a/.git/worktrees/T &&
	echo "$wt/.git" >a/.git/worktrees/T/gitdir &&
	# admin debris killed before gitdir: only the task marker
	mkdir -p a/.git/worktrees/U &&
	echo U >a/.git/worktrees/U/gp-task
'

test_expect_success 'run leaves the other repository'"'"'s worktrees alone and says why' '
	(cd a && test_expect_code 1 git parallel run --command true >../out 2>../err) &&
	test -f a.parallel/T/.git && test -f a.parallel/U/.git &&
	git -C o worktree list --porcelain >list &&
	grep "^worktree .*/a.parallel/T$" list && grep "^worktree .*/a.parallel/U$" list &&
	! grep prunable list &&
	git -C o fsck &&
	grep "worktrees/T. exists but is not a valid worktree of task .T." err &&
	grep "a.parallel/U. already exists and is not the worktree of task .U." err
'

test_expect_success 'our own husk (its .git points at our admin directory) is still removed' '
	git -C o worktree remove --force ../a.parallel/U &&
	rm -rf a/.git/worktrees/U && mkdir -p a/.git/worktrees/U a.parallel/U &&
	echo U >a/.git/worktrees/U/gp-task &&
	admin=$(cd a/.git/worktrees/U && pwd) &&
	echo "gitdir: $admin" >a.parallel/U/.git &&
	(cd a && git parallel run U --command true >../out 2>../err) &&
	git -C a.parallel/U rev-parse --abbrev-ref HEAD >head &&
	echo parallel/U >expect && test_cmp expect head
'

test_expect_success 'a husk whose .git a killed add left empty is ours too' '
	ini_tasks e V &&
	mkdir -p e/.git/worktrees/V e.parallel/V &&
	echo V >e/.git/worktrees/V/gp-task &&
	: >e.parallel/V/.git &&
	(cd e && git parallel run --command true >../out 2>../err) &&
	git -C e.parallel/V rev-parse --abbrev-ref HEAD >head &&
	echo parallel/V >expect && test_cmp expect head &&
	repo_sane e
'

test_done
