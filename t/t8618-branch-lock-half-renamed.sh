#!/bin/sh

test_description='run: a branch lock left by libgit2'"'"'s half-done rename is removed

libgit2 1.5 moves a lock file onto a file that does not exist yet with
link() then unlink() (p_rename).  A run killed between the two while
another thread created a task'"'"'s branch (t8500 #10, kill -9 at
worktree-mid-checkout, found under load) left refs/heads/parallel/<id>.lock
as a second name of the branch file itself: the next run used the branch,
and the task'"'"'s own git commit failed ("cannot lock ref").  Such a lock is
provably that half-done rename (git takes its locks with O_EXCL, never by
link()): the next run, or clean, removes it.  Any other lock stays.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent
CMD="\"$TRASH_DIRECTORY/agent\""

# branch_made <dir>: K1 planned, its branch made by a run killed right after
branch_made () {
	ini_tasks "$1" K1 &&
	crash_run "$1" worktree-after-add --command "$CMD" &&
	git -C "$1" rev-parse --verify refs/heads/parallel/K1
}

test_expect_success 'the lock is the branch file itself: the next run removes it and finishes' '
	branch_made a &&
	ln a/.git/refs/heads/parallel/K1 a/.git/refs/heads/parallel/K1.lock &&
	(cd a && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "^1 done\$" out &&
	! test -e a/.git/refs/heads/parallel/K1.lock &&
	git -C a log --format=%s parallel/K1 >log &&
	grep "^K1: own commit\$" log &&
	repo_sane a
'

test_expect_success 'a lock that is another file stays, and the task fails naming nothing of ours' '
	branch_made b &&
	cp b/.git/refs/heads/parallel/K1 b/.git/refs/heads/parallel/K1.lock &&
	(cd b && test_expect_code 1 git parallel run --command "$CMD" >../out 2>../err) &&
	test -f b/.git/refs/heads/parallel/K1.lock &&
	grep "K1.lock" "$(state_dir b)/logs/K1.log"
'

test_expect_success 'clean --force removes the branch and such a lock (no run in between)' '
	ini_tasks c K1 &&
	(cd c && git parallel run --command "$CMD" >/dev/null 2>&1) &&
	ln c/.git/refs/heads/parallel/K1 c/.git/refs/heads/parallel/K1.lock &&
	(cd c && git parallel clean --force K1 >../out 2>../err) &&
	grep "removed K1" out &&
	! test -e c/.git/refs/heads/parallel/K1.lock &&
	test -z "$(git -C c for-each-ref refs/heads/parallel/)" &&
	repo_sane c
'

test_done
