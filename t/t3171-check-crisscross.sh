#!/bin/sh

test_description='plain check of a pair with several merge bases, against git

Reduced from bench/agree --shape octopus --history on git.git (merge
8a263aeb4f91, pair P1+P2: describe.c and commit.c).  The two tasks
carry a criss-cross: each merged the two topics X and Y the other way
round, so git merge-tree of the pair merges their merge bases X and Y
into a virtual one first.  X added d.c and changed line 5 of f, Y did
neither: the virtual base has X'"'"'s d.c and f.  P1 left them as they are;
measured from the pinned base both tasks added d.c and changed line 5
of f, and plain check called an add/add and a content conflict where
git merges cleanly.'

. ./test-lib.sh

# crisscross <dir> <command-P2> [<command-P1>]: O (main) has f (20 lines); X adds d.c
# and changes line 5 of f, Y adds y; M1 merges X into Y, M2 Y into X.
# P1 fast-forwards to M1 (and runs <command-P1>), P2 to M2 and runs
# <command-P2>.  git merge-tree
# of the two task branches in git_code; plain check's overlaps in
# plain.classes and its exit code in plain.code.
crisscross () {
	new_repo "$1" && seq 1 20 >"$1/f" && git -C "$1" add f && git -C "$1" commit -q -m f &&
	git -C "$1" checkout -q -b x &&
	seq 1 10 >"$1/d.c" && sed -i s/^5\$/five/ "$1/f" && git -C "$1" add d.c f &&
	GIT_COMMITTER_DATE="$x_date +0000" git -C "$1" commit -q -m x &&
	git -C "$1" checkout -q -b y main && echo y >"$1/y" && git -C "$1" add y &&
	GIT_COMMITTER_DATE="$y_date +0000" git -C "$1" commit -q -m y &&
	git -C "$1" checkout -q -b m1 y && git -C "$1" merge -q --no-edit x &&
	git -C "$1" checkout -q -b m2 x && git -C "$1" merge -q --no-edit y &&
	git -C "$1" checkout -q main &&
	test $(git -C "$1" merge-base --all m1 m2 | wc -l) = 2 &&
	printf "[task \"P1\"]\n\ttitle = p1\n\tcommand = git merge -q --ff-only m1 && %s\n[task \"P2\"]\n\ttitle = p2\n\tcommand = git merge -q --ff-only m2 && %s\n" \
		"${3:-true}" "$2" >"$1.ini" &&
	(cd "$1" && git parallel plan ../"$1.ini" >/dev/null && git parallel run >../run.out 2>&1) &&
	test $(git -C "$1" merge-base --all parallel/P1 parallel/P2 | wc -l) = 2 &&
	{ git -C "$1" merge-tree --write-tree --name-only parallel/P1 parallel/P2 >mt.out; git_code=$?; } &&
	(cd "$1" && git parallel check --json >../plain.json; echo $? >../plain.code) &&
	json_get plain.json "\" \".join(o[\"class\"] + \":\" + o[\"path\"] for o in d[\"overlaps\"])" >plain.classes
}

# git takes merge bases in an order of their dates: the topic that
# changed d.c and f is the older one, then the newer one
for order in older newer; do
	if test $order = older; then
		x_date=1700000100 y_date=1700000200
	else
		x_date=1700000200 y_date=1700000100
	fi
	test_expect_success "a file one merge base added, changed by one task only ($order): no conflict, as git" '
		crisscross added-$order "echo more >>d.c" &&
		test $git_code = 0 &&
		echo "same-file:d.c same-file:f same-file:y" >expect && test_cmp expect plain.classes &&
		echo 0 >expect && test_cmp expect plain.code
	'

	test_expect_success "an edit next to one merge base's edit, by one task only ($order): no conflict, as git" '
		crisscross adjacent-$order "sed -i s/^6\$/six/ f" &&
		test $git_code = 0 &&
		echo "same-file:d.c same-file:f same-file:y" >expect && test_cmp expect plain.classes &&
		echo 0 >expect && test_cmp expect plain.code
	'
done

test_expect_success 'both tasks change a line after the criss-cross: a conflict, as git' '
	crisscross both "sed -i s/^15\$/fifteen/ f" "sed -i s/^15\$/FIFTEEN/ f" &&
	test $git_code = 1 && grep -x f mt.out &&
	echo "same-file:d.c conflict:f same-file:y" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

# merged <dir> <command-P2> [<command-P1>]: f (20 lines) on main; X
# changes line 3, Y line 15; M1 merges X into Y, M2 Y into X; P1
# fast-forwards to M1, P2 to M2, each then runs its command.  The
# virtual merge base has both lines changed: a content merge of the
# bases that plain check does not make itself
merged () {
	new_repo "$1" && seq 1 20 >"$1/f" && git -C "$1" add f && git -C "$1" commit -q -m f &&
	git -C "$1" checkout -q -b x && sed -i s/^3\$/three/ "$1/f" && git -C "$1" commit -q -am x &&
	git -C "$1" checkout -q -b y main && sed -i s/^15\$/fifteen/ "$1/f" && git -C "$1" commit -q -am y &&
	git -C "$1" checkout -q -b m1 y && git -C "$1" merge -q --no-edit x &&
	git -C "$1" checkout -q -b m2 x && git -C "$1" merge -q --no-edit y &&
	git -C "$1" checkout -q main &&
	printf "[task \"P1\"]\n\ttitle = p1\n\tcommand = git merge -q --ff-only m1 && %s\n[task \"P2\"]\n\ttitle = p2\n\tcommand = git merge -q --ff-only m2 && %s\n" \
		"${3:-true}" "$2" >"$1.ini" &&
	(cd "$1" && git parallel plan ../"$1.ini" >/dev/null && git parallel run >../run.out 2>&1) &&
	test $(git -C "$1" merge-base --all parallel/P1 parallel/P2 | wc -l) = 2 &&
	{ git -C "$1" merge-tree --write-tree --name-only parallel/P1 parallel/P2 >mt.out; git_code=$?; } &&
	(cd "$1" && git parallel check --json >../plain.json; echo $? >../plain.code) &&
	json_get plain.json "\" \".join(o[\"class\"] + \":\" + o[\"path\"] for o in d[\"overlaps\"])" >plain.classes
}

# bench/agree --shape octopus --history on git.git (merge 1c7fee5d0857:
# P1+P3, Makefile, six merge bases)
test_expect_success 'the merge bases merged a file: git decides, no conflict, as git' '
	merged vclean "sed -i s/^16\$/sixteen/ f" &&
	test $git_code = 0 &&
	echo "same-file:f" >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_expect_success 'the merge bases merged a file, both tasks change one line: a conflict, as git' '
	merged vboth "sed -i s/^16\$/sixteen/ f" "sed -i s/^16\$/SIXTEEN/ f" &&
	test $git_code = 1 &&
	echo "conflict:f" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

test_done
