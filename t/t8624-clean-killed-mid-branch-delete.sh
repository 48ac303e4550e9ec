#!/bin/sh

test_description='clean killed inside libgit2'"'"'s branch delete: the next clean removes its lock

git_reference_delete() takes refs/heads/<branch>.lock (empty: git_filebuf
writes nothing before commit), removes the ref, then the lock.  A clean
killed between left the branch gone and the lock for good: git branch, and
a run of the task planned again, failed on it.  The next clean, taking
the state lock over from the killed one, removes an empty lock of an
absent task branch not older than the killed clean'"'"'s lock (run'"'"'s rule
for the lock of a killed branch creation).  Any other lock stays.  The
kill is clean-mid-remove, the delete'"'"'s leftovers made by hand.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# killed_clean <dir>: C1 run and merged, clean killed; then as if inside the branch delete
killed_clean () {
	ini_tasks "$1" C1 &&
	(cd "$1" && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >/dev/null 2>&1) &&
	(cd "$1" && git parallel merge >/dev/null 2>&1) &&
	(
		cd "$1" &&
		GIT_PARALLEL_TEST_CRASH_AT=clean-mid-remove &&
		export GIT_PARALLEL_TEST_CRASH_AT &&
		git parallel clean --merged >../out 2>../err
	)
	test_crashed $? &&
	git -C "$1" update-ref -d refs/heads/parallel/C1 &&
	mkdir -p "$1/.git/refs/heads/parallel" &&
	: >"$1/.git/refs/heads/parallel/C1.lock"
}

test_expect_success 'the next clean removes the lock; git can make the branch again' '
	killed_clean a &&
	(cd a && git parallel clean --merged >../out 2>../err) &&
	grep "removed the lock of branch .parallel/C1." out &&
	! test -e a/.git/refs/heads/parallel/C1.lock &&
	! test -e a.parallel/C1 &&
	git -C a branch parallel/C1 main &&
	repo_sane a
'

test_expect_success 'a lock older than the killed clean stays' '
	killed_clean b &&
	touch -d "2001-01-01" b/.git/refs/heads/parallel/C1.lock &&
	(cd b && git parallel clean --merged >../out 2>../err) &&
	test -f b/.git/refs/heads/parallel/C1.lock
'

test_expect_success 'a lock with content stays' '
	killed_clean c &&
	git -C c rev-parse main >c/oid && cp c/oid c/.git/refs/heads/parallel/C1.lock &&
	(cd c && git parallel clean --merged >../out 2>../err) &&
	test -f c/.git/refs/heads/parallel/C1.lock
'

test_done
