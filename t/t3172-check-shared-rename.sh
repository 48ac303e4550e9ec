#!/bin/sh

test_description='plain check of a pair sharing history, one side renaming, against git

Reduced from bench/agree --shape train --history on git.git (merge
8697083e1d09, pairs F+T3, T1+T3, T2+T3, T3+T5: builtin-send-pack.c).
Both tasks carry a commit X of the history that changed a file; one
task renamed the file (builtin-send-pack.c -> builtin/send-pack.c) and
changed it apart from the other task'"'"'s change.  Measured from the
pinned base both carry X'"'"'s hunks, and plain check called a content
conflict where git, whose merge base for the pair is X, merges cleanly.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/agree.sh"

# shared <dir> <X> <command-A> <command-B>: main has f (30 lines); commit
# X on branch x runs <X>; A and B fast-forward to X, then run theirs.
# git merge-tree of the two task branches in git_code; plain check's
# overlaps in plain.classes, its exit code in plain.code.
shared () {
	shared_pair "$1" 30 "$2" A "$3" B "$4" && pair_judge "$1" A B
}

test_expect_success 'one side renames the file the shared history changed, both edit apart: no conflict, as git' '
	shared ren "sed -i s/^10\$/ten/ f" "git mv f g && sed -i s/^25\$/twenty-five/ g" "sed -i s/^2\$/two/ f" &&
	test $git_code = 0 &&
	echo "same-file:f" >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_expect_success 'the shared history renamed it, both edit apart: no conflict, as git' '
	shared shren "git mv f g && sed -i s/^10\$/ten/ g" "sed -i s/^25\$/twenty-five/ g" "sed -i s/^2\$/two/ g" &&
	test $git_code = 0 &&
	echo "same-file:f" >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_expect_success 'one side renames it, both change one line: a conflict, as git' '
	shared both "sed -i s/^10\$/ten/ f" "git mv f g && sed -i s/^20\$/twenty/ g" "sed -i s/^20\$/TWENTY/ f" &&
	test $git_code = 1 &&
	echo "conflict:f" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

test_done
