#!/bin/sh

test_description='clean killed between dropping a branch'"'"'s configuration and deleting it

clean deletes a task branch as git branch -D does: its configuration
section (branch.<name>.*) first, then the ref.  A clean killed between
the two (crash point clean-after-branch-config) leaves the branch with no
configuration: the next clean deletes it, with the same rules (a branch
with commits the target lacks still needs --force), and nothing else is
lost: git fsck, every ref resolves, the commits are there until the
branch goes.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# killed_clean <dir> <clean args>...: C1 run (and C1 configured as a
# tracking branch with a description), clean killed after dropping that
killed_clean () {
	dir=$1 && shift &&
	(
		cd "$dir" &&
		git config branch.parallel/C1.description "my notes" &&
		git config branch.parallel/C1.remote origin &&
		git config branch.parallel/C1.merge refs/heads/main &&
		GIT_PARALLEL_TEST_CRASH_AT=clean-after-branch-config &&
		export GIT_PARALLEL_TEST_CRASH_AT &&
		git parallel clean "$@" >../out 2>../err
	)
	test_crashed $? &&
	git -C "$dir" rev-parse --verify -q refs/heads/parallel/C1 >/dev/null &&
	test_must_fail git -C "$dir" config --get-regexp "^branch\.parallel/C1\." &&
	repo_sane "$dir"
}

test_expect_success 'a merged task: killed, the branch stays; the next clean deletes it' '
	ini_tasks a C1 &&
	(cd a && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >/dev/null 2>&1 &&
	 git parallel merge >/dev/null 2>&1) &&
	git -C a rev-parse parallel/C1 >tip &&
	killed_clean a --merged &&
	(cd a && git parallel clean --merged >../out 2>../err) &&
	test_must_fail git -C a rev-parse --verify -q refs/heads/parallel/C1 &&
	! test -e a.parallel/C1 &&
	# its commit is in main: nothing lost
	git -C a merge-base --is-ancestor "$(cat tip)" main &&
	! find a/.git -name "*.lock" | grep . &&
	repo_sane a &&
	(cd a && git parallel clean --merged >../out 2>../err) &&
	git -C a branch --list "parallel/*" >branches &&
	test_must_be_empty branches
'

test_expect_success 'an unmerged task killed under --force: the next plain clean still refuses' '
	ini_tasks b C1 &&
	(cd b && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >/dev/null 2>&1) &&
	git -C b rev-parse parallel/C1 >tip &&
	test_must_fail git -C b merge-base --is-ancestor "$(cat tip)" main &&
	killed_clean b --all --force &&
	(cd b && test_expect_code 1 git parallel clean --all >../out 2>../err) &&
	cat out err >all &&
	grep "C1" all &&
	git -C b rev-parse parallel/C1 >now &&
	test_cmp tip now &&
	git -C b cat-file -e "$(cat tip)^{commit}" &&
	(cd b && git parallel clean --all --force >../out 2>../err) &&
	test_must_fail git -C b rev-parse --verify -q refs/heads/parallel/C1 &&
	repo_sane b
'

test_done
