#!/bin/sh

test_description='plain check of a pair whose merge bases merge a rename, against git

Reduced from bench/agree --history on git.git (merge ab1e76b88c83:
builtin/grep.c, two merge bases).  One merge base Y renamed
builtin-grep.c to builtin/grep.c, the other X changed builtin-grep.c:
git merges the bases into a virtual one first, finds the rename there
and puts X'"'"'s change into builtin/grep.c.  Plain check took Y'"'"'s
builtin/grep.c for the virtual base'"'"'s (an add, it looked, by Y), so
both tasks carried X'"'"'s change against it, and it called a content
conflict where git merges cleanly.'

. ./test-lib.sh

# renamed <dir> <command-P1> <command-P2>: O has old.c (20 lines); X
# changes its line 3, Y renames it to new.c; M1 merges X into Y, M2 Y
# into X (git puts line 3 into new.c); main moves on to Y (the pinned
# base).  P1 fast-forwards to M1 and runs <command-P1>, P2 to M2 and
# runs <command-P2>.  git merge-tree of the two task branches in
# git_code; plain check's overlaps in plain.classes and its exit code
# in plain.code; git's trace of it in <dir>.trace.
renamed () {
	new_repo "$1" && seq 1 20 >"$1/old.c" && git -C "$1" add old.c && git -C "$1" commit -q -m o &&
	git -C "$1" checkout -q -b x && sed -i s/^3\$/three/ "$1/old.c" &&
	GIT_COMMITTER_DATE="$x_date +0000" git -C "$1" commit -q -am x &&
	git -C "$1" checkout -q -b y main && git -C "$1" mv old.c new.c &&
	GIT_COMMITTER_DATE="$y_date +0000" git -C "$1" commit -q -m y &&
	git -C "$1" checkout -q -b m1 y && git -C "$1" merge -q --no-edit x &&
	git -C "$1" checkout -q -b m2 x && git -C "$1" merge -q --no-edit y &&
	test "$(git -C "$1" show m1:new.c | sed -n 3p)" = three &&
	git -C "$1" checkout -q main && git -C "$1" reset -q --hard y &&
	printf "[task \"P1\"]\n\ttitle = p1\n\tcommand = git merge -q --ff-only m1 && %s\n[task \"P2\"]\n\ttitle = p2\n\tcommand = git merge -q --ff-only m2 && %s\n" \
		"$2" "$3" >"$1.ini" &&
	(cd "$1" && git parallel plan ../"$1.ini" >/dev/null && git parallel run >../run.out 2>&1) &&
	test $(git -C "$1" merge-base --all parallel/P1 parallel/P2 | wc -l) = 2 &&
	{ git -C "$1" merge-tree --write-tree --name-only parallel/P1 parallel/P2 >mt.out; git_code=$?; } &&
	(cd "$1" && GIT_TRACE="$TRASH_DIRECTORY/$1.trace" git parallel check --json >../plain.json
	 echo $? >../plain.code) &&
	json_get plain.json "\" \".join(o[\"class\"] + \":\" + o[\"path\"] for o in d[\"overlaps\"])" >plain.classes
}

# git takes merge bases in an order of their dates: X older, then newer
for order in older newer; do
	if test $order = older; then
		x_date=1700000100 y_date=1700000200
	else
		x_date=1700000200 y_date=1700000100
	fi
	test_expect_success "edits on either side of the line the bases' rename carried ($order): no conflict, as git" '
		renamed apart-$order "sed -i s/^4\$/four/ new.c" "sed -i s/^2\$/two/ new.c" &&
		test $git_code = 0 && grep "merge-tree" apart-$order.trace &&
		echo "same-file:new.c" >expect && test_cmp expect plain.classes &&
		echo 0 >expect && test_cmp expect plain.code
	'

	test_expect_success "both change the line the bases' rename carried ($order): a conflict, as git" '
		renamed both-$order "sed -i s/^three\$/THREE/ new.c" "sed -i s/^three\$/3/ new.c" &&
		test $git_code = 1 && grep -x new.c mt.out &&
		echo "conflict:new.c" >expect && test_cmp expect plain.classes &&
		echo 1 >expect && test_cmp expect plain.code
	'
done

# (where git is asked, as above, its trace shows git merge-tree)
test_expect_success 'a file one merge base added, no rename there: the ranges decide, git is not asked' '
	new_repo add && seq 1 20 >add/f && git -C add add f && git -C add commit -q -m o &&
	git -C add checkout -q -b x && seq 1 20 >add/g && git -C add add g &&
	GIT_COMMITTER_DATE="1700000100 +0000" git -C add commit -q -m x &&
	git -C add checkout -q -b y main && sed -i s/^10\$/ten/ add/f &&
	GIT_COMMITTER_DATE="1700000200 +0000" git -C add commit -q -am y &&
	git -C add checkout -q -b m1 y && git -C add merge -q --no-edit x &&
	git -C add checkout -q -b m2 x && git -C add merge -q --no-edit y &&
	git -C add checkout -q main &&
	printf "[task \"P1\"]\n\ttitle = p1\n\tcommand = git merge -q --ff-only m1 && sed -i s/^2$/two/ g\n[task \"P2\"]\n\ttitle = p2\n\tcommand = git merge -q --ff-only m2 && sed -i s/^9$/nine/ g\n" >add.ini &&
	(cd add && git parallel plan ../add.ini >/dev/null && git parallel run >../run.out 2>&1) &&
	test "$(git -C add show parallel/P1:g | sed -n 2p)" = two &&
	test "$(git -C add show parallel/P2:g | sed -n 9p)" = nine &&
	test $(git -C add merge-base --all parallel/P1 parallel/P2 | wc -l) = 2 &&
	git -C add merge-tree --write-tree parallel/P1 parallel/P2 >/dev/null &&
	(cd add && GIT_TRACE="$TRASH_DIRECTORY/trace" git parallel check --json >../add.json) &&
	! grep "merge-tree" trace &&
	json_get add.json "\" \".join(o[\"class\"] + \":\" + o[\"path\"] for o in d[\"overlaps\"])" >add.classes &&
	echo "same-file:f same-file:g" >expect && test_cmp expect add.classes
'

test_done
