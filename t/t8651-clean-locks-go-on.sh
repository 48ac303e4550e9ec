#!/bin/sh

test_description='clean: a lock held by another process is named; one task refused, the others cleaned

A branch whose lock file another git process holds (not the branch file
itself, which a killed command of ours leaves and clean removes) cannot be
deleted: clean refuses that task before touching its worktree, names the
lock (the branch'"'"'s or packed-refs.lock), goes on with the
other tasks and exits 1.  A branch delete that fails all the same (the
branch has configuration and config.lock is there) is a refusal too, not
the end of clean.  A worktree locked with git worktree lock is refused with
its reason.  A task whose worktree or branch is not ours is left alone with
exit 1.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent
CMD="\"$TRASH_DIRECTORY/agent\""

# every task done (run commits what its command left) and merged into main
test_expect_success 'setup' '
	ini_tasks a A B C D E &&
	(cd a && git parallel run --command "$CMD" >/dev/null 2>&1) &&
	for id in A B C D E
	do
		git -C a merge -q --no-edit parallel/$id || return 1
	done
'

test_expect_success 'a branch lock held by another process: named, task untouched, others cleaned, exit 1' '
	echo "0000000000000000000000000000000000000000" >a/.git/refs/heads/parallel/B.lock &&
	mkdir -p a/.git/logs/refs/heads/parallel &&
	echo held >a/.git/logs/refs/heads/parallel/C.lock &&
	(cd a && test_expect_code 1 git parallel clean A B C >../out 2>../err) &&
	grep "^removed A" out &&
	grep "task .B.: branch .parallel/B. is locked: .*/refs/heads/parallel/B.lock. exists (another git process is using it; if none is, remove the file); not removed" err &&
	! grep "^fatal" err &&
	test -d a.parallel/B &&
	git -C a rev-parse --verify -q parallel/B &&
	test -f a/.git/refs/heads/parallel/B.lock &&
	# a reflog lock does not stop the delete (t8622): C goes, the lock stays
	grep "^removed C" out &&
	test -f a/.git/logs/refs/heads/parallel/C.lock
'

test_expect_success 'the lock gone, the next clean removes the task' '
	rm a/.git/refs/heads/parallel/B.lock a/.git/logs/refs/heads/parallel/C.lock &&
	(cd a && git parallel clean B >../out 2>../err) &&
	grep "^removed B" out &&
	repo_sane a
'

test_expect_success 'packed-refs.lock is named before anything is removed' '
	git -C a pack-refs --all &&
	! test -f a/.git/refs/heads/parallel/D &&
	: >a/.git/packed-refs.lock &&
	(cd a && test_expect_code 1 git parallel clean D >../out 2>../err) &&
	grep "task .D.: branch .parallel/D. is locked: .*/packed-refs.lock. exists" err &&
	test -d a.parallel/D &&
	rm a/.git/packed-refs.lock &&
	git -C a reflog show parallel/D >reflog && test -s reflog
'

test_expect_success 'a branch delete that fails all the same (config.lock) does not stop clean' '
	git -C a config branch.parallel/D.description "my notes" &&
	: >a/.git/config.lock &&
	(cd a && test_expect_code 1 git parallel clean D E >../out 2>../err) &&
	grep "task .D.: cannot delete branch .parallel/D.: .*config.lock" err &&
	grep "^removed E" out &&
	! grep "^fatal" err &&
	git -C a rev-parse --verify -q parallel/D &&
	rm a/.git/config.lock &&
	(cd a && git parallel clean D >../out 2>../err) &&
	grep "^removed D" out &&
	test -z "$(git -C a for-each-ref refs/heads/parallel/)" &&
	test_expect_code 1 git -C a config --get branch.parallel/D.description &&
	repo_sane a
'

test_expect_success 'a worktree locked with git worktree lock: refused with its reason; --force removes it' '
	ini_tasks b L M &&
	(cd b && git parallel run --command "$CMD" >/dev/null 2>&1) &&
	git -C b worktree lock --reason "agent on host x" ../b.parallel/L &&
	(cd b && git parallel clean --force M L >../out 2>../err) &&
	grep "^removed M" out && grep "^removed L" out &&
	ini_tasks c L M &&
	(cd c && git parallel run --command "$CMD" >/dev/null 2>&1) &&
	git -C c.parallel/L status --porcelain >st && test_must_be_empty st &&
	git -C c merge -q --no-edit parallel/L &&
	git -C c worktree lock --reason "agent on host x" ../c.parallel/L &&
	(cd c && test_expect_code 1 git parallel clean L >../out 2>../err) &&
	grep "task .L.: worktree .*c.parallel/L. is locked (git worktree lock: agent on host x); not removed (git worktree unlock .*c.parallel/L., or use --force)" err &&
	test -d c.parallel/L
'

test_expect_success 'a worktree that is not ours at a task place is left alone, exit 1' '
	git -C c worktree remove --force ../c.parallel/M &&
	git -C c branch -D -q parallel/M &&
	git -C c worktree add -q ../c.parallel/M &&
	(cd c && test_expect_code 1 git parallel clean M >../out 2>../err) &&
	grep "task .M.: the worktree named .M. was not made by git-parallel for this task; left alone" err &&
	test -d c.parallel/M
'

test_done
