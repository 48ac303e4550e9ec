#!/bin/sh

test_description='plain check: hunks near each other are decided by git'"'"'s histogram scripts

bench/agree'"'"'s synthetic cases hist and myers (and its random edits): the
footprints'"'"' line ranges are libgit2'"'"'s Myers diff, git merges with its
histogram diff, and where two tasks'"'"' hunks are near each other the two
diffs may place them apart or together.  Plain check called a conflict
git merges cleanly (hist) and missed one git has (myers).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/agree.sh"

# pair <dir> <base-setup> <command-A> <command-B>: as in t3175; git'"'"'s
# trace of check in <dir>.trace
PAIR_TRACE=1
pair () {
	base_pair "$@" && pair_judge "$1" A B
}

test_expect_success 'hist: Myers hunks meet, git'"'"'s apart: no conflict, as git' '
	pair hist "printf \"b\\\\n\\\\n\\\\n\" >f" "printf \"b\\\\n{\\\\nb\\\\n\\\\n\" >f" "printf \"b\\\\n\\\\n\" >f" &&
	test $git_code = 0 &&
	echo "same-file:f" >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code &&
	grep "diff-tree" hist.trace
'

test_expect_success 'myers: Myers hunks apart, git'"'"'s meet: a conflict, as git' '
	pair myers "printf \"}\\\\nx();\\\\nb\\\\n{\\\\n\" >g" "printf \"x();\\\\nx();\\\\nb\\\\nb\\\\n{\\\\n\" >g" \
		"printf \"}\\\\nx();\\\\nx();\\\\nb\\\\nb\\\\nx();\\\\n\" >g" &&
	test $git_code = 1 &&
	echo "conflict:g" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

test_expect_success 'hunks far apart: the ranges decide, git is not run' '
	pair far "seq 1 60 >f" "sed -i s/^5\\$/five/ f" "sed -i s/^50\\$/fifty/ f" &&
	test $git_code = 0 &&
	echo "same-file:f" >expect && test_cmp expect plain.classes &&
	! grep "diff-tree" far.trace
'

test_done
