#!/bin/sh

test_description='siblings that started from one dependency: check against git

Reduced from bench/agree --shape siblings on redis (merges c1ea6175c535
and, with --history, f63e81c202ca): the dependency D added or changed
files, one sibling changed them further (or renamed, or deleted them),
the other did not; measured from the pinned base both changed them, and
plain check called an add/add, content or modify/delete conflict where
git (whose merge base for the pair is D) merges cleanly.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/agree.sh"

# siblings <dir> <command-S1> <command-S2>: D adds f (20 lines), S1 and S2
# depend on D; run; git merge-tree of S1 and S2 in git_code
siblings () {
	new_repo "$1" &&
	printf "[task \"D\"]\n\ttitle = d\n\tcommand = seq 1 20 >f\n[task \"S1\"]\n\ttitle = s1\n\tcommand = %s\n\tdepends = D\n[task \"S2\"]\n\ttitle = s2\n\tcommand = %s\n\tdepends = D\n" \
		"$2" "$3" >"$1.ini" &&
	plan_run "$1" &&
	pair_judge "$1" S1 S2 &&
	(cd "$1" && git parallel check --exact --json >../exact.json; echo $? >../exact.code)
}

test_expect_success 'a file D added, changed by one sibling only: no overlap, as git' '
	siblings only1 "sed -i s/^5\$/five/ f" "echo other >g" &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code && test_cmp expect exact.code
'

test_expect_success 'a file D added, changed apart by both siblings: same-file, as git' '
	siblings apart "sed -i s/^5\$/five/ f" "sed -i s/^15\$/fifteen/ f" &&
	test $git_code = 0 &&
	echo "same-file:f" >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code && test_cmp expect exact.code
'

test_expect_success 'a file D added, both siblings change one line: a conflict, as git' '
	siblings both "sed -i s/^5\$/five/ f" "sed -i s/^5\$/FIVE/ f" &&
	test $git_code = 1 &&
	echo "conflict:f" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code && test_cmp expect exact.code
'

# siblings_mod <dir> <command-S2>: f is in the base, D changes it, S1
# depends on D and changes only g, S2 depends on D and runs <command-S2>
siblings_mod () {
	new_repo "$1" && seq 1 20 >"$1/f" && git -C "$1" add f && git -C "$1" commit -q -m f &&
	printf "[task \"D\"]\n\ttitle = d\n\tcommand = sed -i s/^5\$/five/ f\n[task \"S1\"]\n\ttitle = s1\n\tcommand = echo g >g\n\tdepends = D\n[task \"S2\"]\n\ttitle = s2\n\tcommand = %s\n\tdepends = D\n" \
		"$2" >"$1.ini" &&
	plan_run "$1" &&
	test "$(git -C "$1" rev-parse parallel/S1^)" = "$(git -C "$1" rev-parse parallel/D)" &&
	pair_judge "$1" S1 S2
}

test_expect_success 'a file D changed, deleted by one sibling: no modify/delete, as git' '
	siblings_mod del "git rm -q f" &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_expect_success 'a file D changed, renamed and edited by one sibling: no conflict, as git' '
	siblings_mod ren "git mv f h && sed -i s/^15\$/fifteen/ h" &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

# shared <dir> <command-B>: commit X on the base changes line 5 of f;
# A fast-forwards to X and adds g, B fast-forwards to X and runs
# <command-B> (no declared dependency: the history is shared all the same)
shared () {
	shared_pair "$1" 20 "sed -i s/^5\$/five/ f" A "echo g >g" B "$2" && pair_judge "$1" A B
}

# bench/agree --shape octopus --history on git.git (merge 1c7fee5d0857:
# epoch.c and epoch.h, which two parents had from a commit they shared)
test_expect_success 'history both tasks share: a file one left as it was is no conflict' '
	shared sh-del "git rm -q f" &&
	test $git_code = 0 &&
	echo "same-file:f" >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_expect_success 'history both tasks share: an edit next to the shared one is no conflict' '
	shared sh-adj "sed -i s/^6\$/six/ f" &&
	test $git_code = 0 &&
	echo "same-file:f" >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_done
