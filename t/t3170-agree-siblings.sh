#!/bin/sh

test_description='siblings that started from one dependency: check against git

Reduced from bench/agree --shape siblings on redis (merge c1ea6175c535):
the dependency D added files, one sibling changed them further, the other
did not; measured from the pinned base both "added" them, and plain check
called it an add/add conflict where git (whose merge base for the pair is
D) merges cleanly.'

. ./test-lib.sh

# siblings <dir> <command-S1> <command-S2>: D adds f (20 lines), S1 and S2
# depend on D; run; git merge-tree of S1 and S2 in git_code
siblings () {
	new_repo "$1" &&
	printf "[task \"D\"]\n\ttitle = d\n\tcommand = seq 1 20 >f\n[task \"S1\"]\n\ttitle = s1\n\tcommand = %s\n\tdepends = D\n[task \"S2\"]\n\ttitle = s2\n\tcommand = %s\n\tdepends = D\n" \
		"$2" "$3" >"$1.ini" &&
	(cd "$1" && git parallel plan ../"$1.ini" >/dev/null && git parallel run >../run.out 2>&1) &&
	{ git -C "$1" merge-tree --write-tree --name-only parallel/S1 parallel/S2 >mt.out; git_code=$?; } &&
	(cd "$1" && git parallel check --json >../plain.json; echo $? >../plain.code) &&
	(cd "$1" && git parallel check --exact --json >../exact.json; echo $? >../exact.code) &&
	json_get plain.json "\" \".join(o[\"class\"] + \":\" + o[\"path\"] for o in d[\"overlaps\"])" >plain.classes
}

test_expect_success 'a file D added, changed by one sibling only: no conflict, as git' '
	siblings only1 "sed -i s/^5\$/five/ f" "echo other >g" &&
	test $git_code = 0 &&
	echo "same-file:f" >expect && test_cmp expect plain.classes &&
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

test_done
