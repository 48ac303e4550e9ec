#!/bin/sh

test_description='plain check (line ranges) per path: no conflict where git merges cleanly

The same change made on both sides is taken once by git; siblings that
both started from one dependency'"'"'s result are merged by git from the
dependency'"'"'s head, not from the pinned base.  git merge-tree is the oracle.'

. ./test-lib.sh

# tasks <dir> <base-setup> <ini>: a repository, base made by <base-setup>,
# tasks.ini as given, planned and run.
tasks () {
	new_repo "$1" &&
	(cd "$1" && eval "$2") &&
	printf "$3" >"$1/tasks.ini" &&
	git -C "$1" add -A && git -C "$1" commit -q -m base &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null && git parallel run >../run.out 2>&1)
}

# classes <dir> <X> <Y> <path>: plain check's class of path for the pair X, Y
classes () {
	(cd "$1" && { git parallel check --json >../check.json; test $? -le 1; }) &&
	json_get check.json "[o[\"class\"] for o in d[\"overlaps\"] if o[\"path\"] == \"$4\" and sorted(o[\"tasks\"]) == [\"$2\", \"$3\"]]"
}

# git_clean <dir> <X> <Y>: git merge-tree merges parallel/X and parallel/Y cleanly
git_clean () {
	git -C "$1" merge-tree --write-tree --name-only parallel/$2 parallel/$3 >/dev/null
}

LINES='test_seq 1 20 >f.txt'

test_expect_success 'the same change made by both is not a conflict' '
	tasks same "$LINES" "[task \"A\"]\n\ttitle = a\n\tcommand = sed -i s/^5\\\\\$/five/ f.txt\n[task \"B\"]\n\ttitle = b\n\tcommand = sed -i -e s/^5\\\\\$/five/ -e s/^15\\\\\$/fifteen/ f.txt\n" &&
	git -C same show parallel/B:f.txt >b.txt && grep -x five b.txt && grep -x fifteen b.txt &&
	git_clean same A B &&
	classes same A B f.txt >actual &&
	echo "[\"same-file\"]" >expect && test_cmp expect actual
'

test_expect_success 'different changes of the same line still conflict' '
	tasks diff "$LINES" "[task \"A\"]\n\ttitle = a\n\tcommand = sed -i s/^5\\\\\$/five/ f.txt\n[task \"B\"]\n\ttitle = b\n\tcommand = sed -i s/^5\\\\\$/FIVE/ f.txt\n" &&
	! git_clean diff A B &&
	classes diff A B f.txt >actual &&
	echo "[\"conflict\"]" >expect && test_cmp expect actual
'

test_expect_success 'siblings from one dependency are measured from its head' '
	tasks sib "$LINES" "[task \"A\"]\n\ttitle = a\n\tcommand = sed -i s/^5\\\\\$/five/ f.txt\n[task \"B\"]\n\ttitle = b\n\tdepends = A\n\tcommand = sed -i s/^6\\\\\$/six/ f.txt\n[task \"C\"]\n\ttitle = c\n\tdepends = A\n\tcommand = sed -i s/^15\\\\\$/fifteen/ f.txt\n" &&
	git -C sib show parallel/B:f.txt >b.txt && grep -x five b.txt && grep -x six b.txt &&
	git -C sib show parallel/C:f.txt >c.txt && grep -x five c.txt && grep -x fifteen c.txt &&
	git_clean sib B C &&
	classes sib B C f.txt >actual &&
	echo "[\"same-file\"]" >expect && test_cmp expect actual
'

test_expect_success 'siblings that really collide still conflict' '
	tasks sib2 "$LINES" "[task \"A\"]\n\ttitle = a\n\tcommand = sed -i s/^5\\\\\$/five/ f.txt\n[task \"B\"]\n\ttitle = b\n\tdepends = A\n\tcommand = sed -i s/^10\\\\\$/ten/ f.txt\n[task \"C\"]\n\ttitle = c\n\tdepends = A\n\tcommand = sed -i s/^10\\\\\$/TEN/ f.txt\n" &&
	! git_clean sib2 B C &&
	classes sib2 B C f.txt >actual &&
	echo "[\"conflict\"]" >expect && test_cmp expect actual
'

# attrs <dir> <attribute line> <sed A> <sed B>: two tasks editing f.txt
attrs () {
	tasks "$1" "$LINES && echo \"$2\" >.gitattributes" "[task \"A\"]\n\ttitle = a\n\tcommand = sed -i $3 f.txt\n[task \"B\"]\n\ttitle = b\n\tcommand = sed -i $4 f.txt\n"
}

test_expect_success 'merge=union: never a conflict, as git merges it' '
	attrs union "f.txt merge=union" "s/^5\\\\\$/five/" "s/^5\\\\\$/FIVE/" &&
	git_clean union A B &&
	classes union A B f.txt >actual &&
	echo "[\"same-file\"]" >expect && test_cmp expect actual
'

test_expect_success '-merge (binary): disjoint hunks conflict, as git merges it' '
	attrs nomerge "f.txt -merge" "s/^5\\\\\$/five/" "s/^15\\\\\$/fifteen/" &&
	! git_clean nomerge A B &&
	classes nomerge A B f.txt >actual &&
	echo "[\"conflict\"]" >expect && test_cmp expect actual
'

test_expect_success 'a custom merge driver: plain check says it did not run it' '
	attrs driver "f.txt merge=keep" "s/^5\\\\\$/five/" "s/^5\\\\\$/FIVE/" &&
	git -C driver config merge.keep.driver true &&
	git_clean driver A B &&
	classes driver A B f.txt >actual &&
	echo "[\"conflict\"]" >expect && test_cmp expect actual &&
	json_get check.json "[o[\"driver\"] for o in d[\"overlaps\"]]" >actual &&
	echo "[\"keep\"]" >expect && test_cmp expect actual &&
	(cd driver && { git parallel check >../check.out; test $? = 1; }) &&
	grep "f.txt.*merge driver .keep. not run" check.out &&
	(cd driver && git parallel check --exact --json >../exact.json) &&
	json_get exact.json "[o[\"exact\"] for o in d[\"overlaps\"]]" >actual &&
	echo "[\"clean\"]" >expect && test_cmp expect actual
'

test_expect_success 'an undefined merge driver is the text merge, as in git' '
	attrs undef "f.txt merge=nosuch" "s/^5\\\\\$/five/" "s/^5\\\\\$/FIVE/" &&
	! git_clean undef A B &&
	classes undef A B f.txt >actual &&
	echo "[\"conflict\"]" >expect && test_cmp expect actual &&
	json_get check.json "[o.get(\"driver\") for o in d[\"overlaps\"]]" >actual &&
	echo "[null]" >expect && test_cmp expect actual
'

test_done
