#!/bin/sh

test_description='check refuses a merge.conflictStyle git refuses, as merge does

git 2.39 dies reading any merge.conflictStyle other than merge, diff3 or
zdiff3 (or the key without a value), so git would merge nothing: check
(plain and --exact) says so, naming the setting and the value (exit 128),
instead of letting libgit2 decide with warnings where git would have
refused.  Oracle: git merge-tree on the same configuration.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup: two tasks changing the same lines of a.txt' '
	line_tasks repo A=15 B=15 &&
	state_sum repo >state.before
'

# refused <what> <git options...>: git merge-tree dies on the configuration
# (the oracle), and so do check and check --exact, naming the setting and <what>
refused () {
	what=$1 && shift &&
	test_expect_code 128 git -C repo "$@" merge-tree --write-tree parallel/A parallel/B >mt.out 2>mt.err &&
	grep -i "merge.conflictstyle" mt.err &&
	echo 128 >expect &&
	for x in "" --exact
	do
		{ (cd repo && git "$@" parallel check $x >../out 2>../err); echo $? >rc; } &&
		test_cmp expect rc &&
		grep "merge.conflictStyle" err &&
		grep "$what" err &&
		grep "nothing was checked" err &&
		test_must_be_empty out || return 1
	done &&
	state_sum repo >state.now &&
	test_cmp state.before state.now
}

test_expect_success 'the configuration is good: check reports the conflict' '
	test_expect_code 1 git -C repo merge-tree --write-tree parallel/A parallel/B >mt.out &&
	(cd repo && test_expect_code 1 git parallel check --exact >../out 2>../err) &&
	grep "a.txt" out &&
	! grep "merge.conflictStyle" err
'

test_expect_success 'git -c merge.conflictStyle=bogus: refused' '
	refused "bogus" -c merge.conflictStyle=bogus
'

test_expect_success 'a value in the wrong case (DIFF3) in the repository config: refused' '
	git -C repo config merge.conflictStyle DIFF3 &&
	refused "DIFF3" &&
	git -C repo config --unset merge.conflictStyle
'

test_expect_success 'the key without a value: refused' '
	printf "[merge]\n\tconflictStyle\n" >>repo/.git/config &&
	refused "no value" &&
	git -C repo config --unset merge.conflictStyle
'

test_expect_success 'from GIT_CONFIG_COUNT (libgit2 does not read it): refused' '
	(
		GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=merge.conflictStyle GIT_CONFIG_VALUE_0=zdiff4 &&
		export GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 &&
		refused "zdiff4"
	)
'

test_expect_success 'merge.conflictStyle=zdiff3: checked as before' '
	(cd repo && test_expect_code 1 git -c merge.conflictStyle=zdiff3 parallel check --exact >../out 2>../err) &&
	grep "a.txt" out
'

test_done
