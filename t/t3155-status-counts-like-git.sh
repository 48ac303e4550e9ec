#!/bin/sh

test_description='status and report count files and lines as git diff does

A task that renamed a file or turned a symlink into a file changed one
file there, as git diff --shortstat (renames on, git'"'"'s default) and check
count it; status and report counted two (a deletion and an addition), so
status said more files than check measured.  Counts cached in the old way
are not read: they are counted again.'

. ./test-lib.sh

# shortstat <id>: "files added removed" of task <id> by git diff --shortstat,
# from its recorded start to its branch
shortstat () {
	start=$(sed -n "s/^	start = //p" "$(state_dir repo)/tasks/$1") &&
	git -C repo diff --shortstat "$start" "parallel/$1" >ss &&
	sed -e "s/^ *\([0-9]*\) files\{0,1\} changed/\1/" \
	    -e "s/, \([0-9]*\) insertions\{0,1\}(+)/ +\1/" \
	    -e "s/, \([0-9]*\) deletions\{0,1\}(-)/ -\1/" ss >ss2 &&
	awk "{ f = \$1; a = 0; r = 0; for (i = 2; i <= NF; i++) { if (\$i ~ /^\\+/) a = substr(\$i, 2); else r = substr(\$i, 2) } print f, a, r }" ss2
}

# counts <id>: "files added removed" as report --format=json gives them; status --json agrees on files
counts () {
	(cd repo && git parallel status --json >../s.json && git parallel report --format=json >../r.json) &&
	f=$(json_get s.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0][\"files\"]") &&
	json_get r.json "[\"%d %d %d\" % (t[\"files\"], t[\"added\"], t[\"removed\"]) for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0]" >rc &&
	test "$(cut -d" " -f1 rc)" = "$f" &&
	cat rc
}

work_field () {
	sed -n "s/^	work = //p" "$(state_dir repo)/tasks/$1"
}

test_expect_success 'setup: renames, a symlink turned file, a binary, edits' '
	git init -q -b main repo &&
	seq 1 30 >repo/moved.txt && seq 1 30 >repo/pure.txt && seq 1 5 >repo/edit.txt &&
	seq 1 9 >repo/gone.txt && printf "a\0b\n" >repo/bin.dat &&
	ln -s edit.txt repo/link &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "R"]
		title = renames and a type change
		command = git mv pure.txt pure2.txt && git mv moved.txt moved2.txt && sed -i s/^7$/seven/ moved2.txt && rm link && printf "x\\ny\\n" >link && git add -A && git commit -q -m r
	[task "E"]
		title = edits, an add, a delete, a binary
		command = sed -i s/^2$/two/ edit.txt && echo new >new.txt && rm gone.txt && printf "c\\0d\\n" >bin.dat
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >/dev/null 2>&1) &&
	git -C repo rev-parse parallel/R parallel/E
'

test_expect_success 'status and report count as git diff --shortstat does' '
	shortstat R >expect && echo "3 3 2" >expect.literal && test_cmp expect.literal expect &&
	counts R >actual && test_cmp expect actual &&
	shortstat E >expect && counts E >actual && test_cmp expect actual &&
	(cd repo && git parallel status >../status.txt) &&
	grep "^R  *done .* 1 commit, 3 files$" status.txt
'

test_expect_success 'check measures as many files as status counts' '
	(cd repo && git parallel check --json >../check.json; test $? -le 1) &&
	for id in R E
	do
		json_get check.json "len([t for t in d[\"tasks\"] if t[\"id\"] == \"$id\"][0][\"files\"])" >n &&
		json_get s.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$id\"][0][\"files\"]" >expect &&
		test_cmp expect n || return 1
	done
'

test_expect_success 'run cached the counts in the new form' '
	work_field R >w &&
	grep " v2$" w &&
	cut -d" " -f4-6 w >actual && shortstat R >expect && test_cmp expect actual
'

test_expect_success 'counts cached the old way (no form) are counted again' '
	cp "$(state_dir repo)/tasks/R" R.saved &&
	sed -i "s/^\(	work = [0-9a-f]* [0-9a-f]*\) .*/\1 1 5 40 32/" "$(state_dir repo)/tasks/R" &&
	shortstat R >expect && counts R >actual && test_cmp expect actual &&
	cp R.saved "$(state_dir repo)/tasks/R"
'

test_expect_success 'merge caches the same counts' '
	(cd repo && git parallel merge >/dev/null) &&
	for id in R E
	do
		work_field $id >w && grep " v2$" w &&
		shortstat $id >expect && counts $id >actual && test_cmp expect actual || return 1
	done
'

test_done
