#!/bin/sh

test_description='check and merge refuse merge.directoryRenames given without a value

git 2.39 dies reading merge.directoryRenames when its last value is the
bare key ("[merge] directoryRenames", or git -c merge.directoryRenames):
"missing value", exit 128, for every merge.  check (plain and --exact)
and merge say so up front, naming the key and where git read it, and
touch nothing (exit 128), instead of letting libgit2 decide with
warnings what git would refuse.  Oracle: git merge-tree on the same
configuration.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup: two tasks changing the same lines of a.txt' '
	line_tasks repo A=15 B=3 &&
	state_sum repo >state.before &&
	git -C repo rev-parse main >main.before
'

# refused <where> <git options...>: git merge-tree dies on the configuration
# (the oracle), and so do check, check --exact and merge, naming the key and
# <where>, with nothing changed
refused () {
	where=$1 && shift &&
	test_expect_code 128 git -C repo "$@" merge-tree --write-tree parallel/A parallel/B >mt.out 2>mt.err &&
	grep -i "merge.directoryrenames" mt.err &&
	echo 128 >expect &&
	for cmd in check "check --exact" "merge"
	do
		{ (cd repo && git "$@" parallel $cmd >../out 2>../err); echo $? >rc; } &&
		test_cmp expect rc &&
		grep "merge.directoryRenames. has no value" err &&
		grep -F "$where" err &&
		grep "nothing was" err &&
		test_must_be_empty out || return 1
	done &&
	state_sum repo >state.now &&
	test_cmp state.before state.now &&
	git -C repo rev-parse main >main.now &&
	test_cmp main.before main.now
}

test_expect_success 'the key without a value in .git/config: refused, naming the file' '
	printf "[merge]\n\tdirectoryRenames\n" >>repo/.git/config &&
	refused "repo/.git/config" &&
	git -C repo config --unset-all merge.directoryRenames
'

test_expect_success 'in the global configuration: refused, naming that file' '
	printf "[merge]\n\tdirectoryRenames\n" >>"$HOME/.gitconfig" &&
	refused ".gitconfig" &&
	git config --global --unset-all merge.directoryRenames
'

test_expect_success 'git -c merge.directoryRenames (no value): refused, naming the command line' '
	refused "on the command line" -c merge.directoryRenames
'

test_expect_success 'the bare key overridden by a later value: git merges, and so do we' '
	printf "[merge]\n\tdirectoryRenames\n\tdirectoryRenames = true\n" >>repo/.git/config &&
	git -C repo merge-tree --write-tree parallel/A parallel/B >mt.out &&
	(cd repo && git parallel check --exact >../out 2>../err) &&
	! grep "directoryRenames" err &&
	(cd repo && git parallel merge >../out 2>../err) &&
	! grep "directoryRenames" err &&
	git -C repo cat-file -p main:a.txt >merged &&
	grep A15 merged && grep B3 merged
'

test_expect_success 'an empty value is a value (false): no refusal' '
	git -C repo config --unset-all merge.directoryRenames &&
	git -C repo config merge.directoryRenames "" &&
	git -C repo merge-tree --write-tree parallel/A parallel/B >mt.out &&
	(cd repo && git parallel check --exact >../out 2>../err) &&
	! grep "directoryRenames" err
'

test_done
