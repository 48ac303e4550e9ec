#!/bin/sh

test_description='plain check: a file one task left as the pinned base has it, against git

Reduced from bench/agree --history on git.git: merge 4a1442a33636
(bulk-checkin.c; two merge bases, one deleted the file, the other
changed it) and merges 06fb494474fa and ee88674f2415 (GIT-VERSION-GEN;
13 and 16 merge bases that changed one line each their own way).  One
task has the file as the pinned base has it, so only the other task'"'"'s
footprint holds it; but git merges the pair from its own merge bases,
merged into a virtual one (a modify/delete there keeps the older file,
a content conflict leaves its markers), and both tasks changed the file
against that: git conflicts, plain check said nothing.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/agree.sh"

PAIR_TRACE=1

# crossed <dir> <X> <Y> <resolve-M1> <resolve-M2> <command-P1> <command-P2>:
# O (main) has f (20 lines); X runs <X> (older), Y <Y> (newer), each
# committed; M1 merges X into Y, M2 Y into X, each resolved by its
# command if git stops; main moves on to Y (the pinned base); P1
# fast-forwards to M1 and runs <command-P1>, P2 to M2 and runs
# <command-P2>.  git merge-tree of the two task branches in git_code;
# plain check's overlaps in plain.classes, its exit code in
# plain.code, git's trace of it in <dir>.trace.
crossed () {
	new_repo "$1" && seq 1 20 >"$1/f" && git -C "$1" add f && git -C "$1" commit -q -m o &&
	git -C "$1" checkout -q -b x && (cd "$1" && eval "$2") && git -C "$1" add -A &&
	GIT_COMMITTER_DATE="1700000100 +0000" git -C "$1" commit -q -m x &&
	git -C "$1" checkout -q -b y main && (cd "$1" && eval "$3") && git -C "$1" add -A &&
	GIT_COMMITTER_DATE="1700000200 +0000" git -C "$1" commit -q -m y &&
	git -C "$1" checkout -q -b m1 y &&
	{ git -C "$1" merge -q --no-edit x >/dev/null 2>&1 ||
	  { (cd "$1" && eval "$4") && git -C "$1" add -A && git -C "$1" commit -q --no-edit; }; } &&
	git -C "$1" checkout -q -b m2 x &&
	{ git -C "$1" merge -q --no-edit y >/dev/null 2>&1 ||
	  { (cd "$1" && eval "$5") && git -C "$1" add -A && git -C "$1" commit -q --no-edit; }; } &&
	git -C "$1" checkout -q main && git -C "$1" reset -q --hard y &&
	test $(git -C "$1" merge-base --all m1 m2 | wc -l) = 2 &&
	pair_run "$1" P1 "git merge -q --ff-only m1 && $6" P2 "git merge -q --ff-only m2 && $7" &&
	pair_judge "$1" P1 P2 kind
}

# 4a1442a33636: Y deletes f, X changes it; M1 keeps the deletion (as Y
# has it: P1's footprint is empty), M2 X's f
test_expect_success 'a merge base deleted the file, the other changed it: a modify/delete, as git' '
	crossed moddel "sed -i s/^5\$/five/ f" "git rm -q f" "git rm -q f" "git add f" true true &&
	test $git_code = 1 && grep -x f mt.out &&
	echo "conflict:f:modify/delete" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

test_expect_success 'a merge base deleted the file, the other changed it, both tasks delete it: no conflict, as git' '
	crossed moddel2 "sed -i s/^5\$/five/ f" "git rm -q f" "git rm -q f" "git add f" true "git rm -q f" &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

# 06fb494474fa: X and Y change line 5 each their own way (the virtual
# base has conflict markers there); M1 resolves to Y's line (P1's
# footprint is empty), M2 to X's
test_expect_success 'merge bases that changed one line apart: resolved apart, a conflict, as git' '
	crossed markers "sed -i s/^5\$/x5/ f" "sed -i s/^5\$/y5/ f" "git checkout -q --ours f" \
		"git checkout -q --ours f" true true &&
	test "$(git -C markers show parallel/P1:f | sed -n 5p)" = y5 &&
	test "$(git -C markers show parallel/P2:f | sed -n 5p)" = x5 &&
	test $git_code = 1 && grep -x f mt.out &&
	echo "conflict:f:content" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code &&
	grep merge-tree markers.trace
'

test_expect_success 'merge bases that changed one line apart: resolved alike, no conflict, as git' '
	crossed alike "sed -i s/^5\$/x5/ f" "sed -i s/^5\$/y5/ f" "git checkout -q --ours f" \
		"git checkout -q --theirs f" true true &&
	test "$(git -C alike show parallel/P2:f | sed -n 5p)" = y5 &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

# shared <dir> <command-P1> <command-P2>: f (20 lines) on main; commit X
# on branch x changes line 5; P1 and P2 fast-forward to X and run their
# commands.  The pair's one merge base is X, not the pinned base.
shared () {
	shared_pair "$1" 20 "sed -i s/^5\$/five/ f" P1 "$2" P2 "$3" && pair_judge "$1" P1 P2 kind
}

test_expect_success 'one task takes back the shared change, the other edits next to it: a conflict, as git, by the ranges' '
	shared revert "git revert --no-edit HEAD >/dev/null" "sed -i s/^6\$/six/ f" &&
	test "$(git -C revert rev-parse parallel/P1:f)" = "$(git -C revert rev-parse main:f)" &&
	test $git_code = 1 &&
	echo "conflict:f:content" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code &&
	! grep merge-tree revert.trace
'

test_expect_success 'one task takes back the shared change, the other edits apart: no conflict, as git, by the ranges' '
	shared revert2 "git revert --no-edit HEAD >/dev/null" "sed -i s/^15\$/fifteen/ f" &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code &&
	! grep merge-tree revert2.trace
'

test_done
