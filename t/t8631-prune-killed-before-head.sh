#!/bin/sh

test_description='run killed while pruning, after gitdir went and before HEAD did

02762d3 prunes the admin entry of a worktree a command deleted as
gitdir, HEAD, the rest, the task marker last, and documents that a run
killed meanwhile "leaves nothing git sees, and the next run or clean
removes the rest".  Its crash point (run-mid-prune) is after gitdir and
HEAD; a kill between the two leaves the marker, HEAD and the other admin
files, the working tree gone.  The next clean must take that as a
removal under way, as it does once HEAD is gone.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup: killed mid-prune, HEAD put back (the kill came before its unlink)' '
	cat >rm-agent <<-\EOF &&
	#!/bin/sh
	cd / && rm -rf "$GIT_PARALLEL_WORKTREE"
	EOF
	chmod +x rm-agent &&
	ini_tasks b D2 &&
	crash_run b run-mid-prune --command "\"$TRASH_DIRECTORY/rm-agent\"" &&
	test -f b/.git/worktrees/D2/gp-task &&
	! test -e b/.git/worktrees/D2/gitdir &&
	git -C b symbolic-ref HEAD >head &&
	echo "ref: refs/heads/parallel/D2" >b/.git/worktrees/D2/HEAD &&
	! test -e b.parallel/D2 &&
	git -C b worktree list --porcelain >wt &&
	! grep "D2" wt &&
	git -C b fsck
'

test_expect_success 'clean (no --force) removes what is left' '
	(cd b && git parallel clean D2 >../out 2>../err) &&
	! grep "damaged\|left alone" err &&
	grep "removed D2" out &&
	! test -e b/.git/worktrees/D2
'

test_done
