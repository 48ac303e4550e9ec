#!/bin/sh

test_description='run, clean: a reflog or kept ref lock left by libgit2'"'"'s half-done rename

libgit2 1.5 renames a lock onto a file that does not exist yet with link()
then unlink(): a kill between leaves <file>.lock as a second name of
<file> (t8618 for a branch).  The same is left by a run killed while
mark_branch() wrote a new reflog (core.logAllRefUpdates off), and by a
clean killed while it created refs/parallel/kept/<id>/<hex>.  Run and
clean remove such a lock (same device and inode only); any other stays.
The links are made by hand.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent
CMD="\"$TRASH_DIRECTORY/agent\""

# branch_made <dir>: K1 planned, logAllRefUpdates off, its branch made by a killed run
branch_made () {
	ini_tasks "$1" K1 &&
	git -C "$1" config core.logAllRefUpdates false &&
	crash_run "$1" worktree-after-add --command "$CMD" &&
	test -f "$1/.git/logs/refs/heads/parallel/K1"
}

test_expect_success 'a reflog lock that is the reflog: the next run removes it' '
	branch_made a &&
	ln a/.git/logs/refs/heads/parallel/K1 a/.git/logs/refs/heads/parallel/K1.lock &&
	(cd a && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "^1 done\$" out &&
	! test -e a/.git/logs/refs/heads/parallel/K1.lock &&
	git -C a reflog expire --expire=now refs/heads/parallel/K1 &&
	repo_sane a
'

test_expect_success 'clean --force removes it, so that a run after it can make the branch again' '
	branch_made b &&
	ln b/.git/logs/refs/heads/parallel/K1 b/.git/logs/refs/heads/parallel/K1.lock &&
	(cd b && git parallel clean --force K1 >../out 2>../err) &&
	grep "removed K1" out &&
	! test -e b/.git/logs/refs/heads/parallel/K1.lock &&
	(cd b && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "^1 done\$" out &&
	repo_sane b
'

test_expect_success 'a reflog lock that is another file stays' '
	branch_made c &&
	cp c/.git/logs/refs/heads/parallel/K1 c/.git/logs/refs/heads/parallel/K1.lock &&
	(cd c && git parallel clean --force K1 >../out 2>../err) &&
	test -f c/.git/logs/refs/heads/parallel/K1.lock
'

test_expect_success 'a kept ref lock that is the kept ref: clean removes it; git update-ref -d works' '
	ini_tasks d K1 &&
	(cd d && git parallel run --command "$CMD" >/dev/null 2>&1) &&
	(cd d.parallel/K1 && git checkout -q --detach && echo lost >lost.txt &&
	 git add lost.txt && git commit -q -m "on a detached HEAD") &&
	lost=$(git -C d.parallel/K1 rev-parse HEAD) &&
	short=$(echo $lost | cut -c1-12) &&
	kept=refs/parallel/kept/K1/$short &&
	git -C d update-ref $kept $lost &&
	ln d/.git/$kept d/.git/$kept.lock &&
	cp d/.git/$kept d/.git/refs/parallel/kept/K1/other.lock &&
	(cd d && git parallel clean --force K1 >../out 2>../err) &&
	grep "removed K1" out &&
	! test -e d/.git/$kept.lock &&
	test -f d/.git/refs/parallel/kept/K1/other.lock &&
	git -C d update-ref -d $kept
'

test_done
