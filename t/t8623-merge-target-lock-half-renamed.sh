#!/bin/sh

test_description='merge: a target lock left by libgit2'"'"'s half-done rename is removed

When the target branch is only in packed-refs, merge writes a NEW loose
ref file, which libgit2 1.5 renames into place by link() then unlink(): a
merge killed between leaves refs/heads/<target>.lock as a second name of
the loose ref itself, and every later merge said "another git process is
updating" it.  Such a lock (same device and inode) is removed; any other
lock still stops merge, named.  The link is made by hand.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent
CMD="\"$TRASH_DIRECTORY/agent\""

# half_renamed <dir> ln|cp: K1 run; main as a killed merge of a packed main left it
half_renamed () {
	ini_tasks "$1" K1 &&
	(cd "$1" && git parallel run --command "$CMD" >/dev/null 2>&1) &&
	git -C "$1" pack-refs --all &&
	! test -e "$1/.git/refs/heads/main" &&
	oid=$(git -C "$1" rev-parse main) && echo $oid >"$1/.git/refs/heads/main" &&
	test -f "$1/.git/refs/heads/main" &&
	$2 "$1/.git/refs/heads/main" "$1/.git/refs/heads/main.lock"
}

test_expect_success 'the lock is the target ref file itself: merge removes it and merges' '
	half_renamed a ln &&
	(cd a && git parallel merge >../out 2>../err) &&
	! test -e a/.git/refs/heads/main.lock &&
	git -C a merge-base --is-ancestor parallel/K1 main &&
	repo_sane a
'

test_expect_success 'a lock that is another file stays, and merge names it' '
	half_renamed b cp &&
	old=$(git -C b rev-parse main) &&
	(cd b && git parallel merge >../out 2>../err; true) &&
	test -f b/.git/refs/heads/main.lock &&
	grep "refs/heads/main.lock" out err &&
	echo $old >expect && git -C b rev-parse main >actual && test_cmp expect actual
'

test_done
