#!/bin/sh

test_description='check --exact diffs only the files whose line ranges its text report shows

With --exact, git merge-tree decides the verdict; the text report still
shows both sides'"'"' line ranges of each overlap, except where it shows
none: a file both tasks changed to the same content ("same result": git
takes the change once), added, deleted or type-changed files.  Those are
not diffed (GIT_PARALLEL_TEST_COUNT_DIFFS=1 prints how many blob diffs
check ran).  Every other line is what plain check prints, plus git'"'"'s
verdict; git merge-tree --write-tree --name-only is the oracle for the
verdict and the paths.  --json and plain check read what they read
before.'

. ./test-lib.sh

test_expect_success 'setup: a change made twice, a clean overlap, conflicts, three tasks on one file' '
	git init -q -b main repo &&
	for f in same clean conf multi; do seq 1 20 | sed "s/^/$f line /" >repo/$f.txt || return 1; done &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = one
		command = sed -i 5s/line/SAME/ same.txt && sed -i 3s/line/one/ clean.txt && sed -i 10s/line/one/ conf.txt && echo one >new.txt && sed -i 8s/line/SAME/ multi.txt
	[task "T2"]
		title = two
		command = sed -i 5s/line/SAME/ same.txt && sed -i 15s/line/two/ clean.txt && sed -i 10s/line/two/ conf.txt && echo two >new.txt && sed -i 8s/line/SAME/ multi.txt
	[task "T3"]
		title = three
		command = sed -i 14s/line/three/ multi.txt
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 1 >/dev/null 2>&1) &&
	test "$(git -C repo rev-parse parallel/T1:same.txt)" = "$(git -C repo rev-parse parallel/T2:same.txt)" &&
	test "$(git -C repo rev-parse parallel/T1:multi.txt)" = "$(git -C repo rev-parse parallel/T2:multi.txt)"
'

overlaps () {
	sed -n "/^overlaps:/,/^$/p" "$1" | sed "/^$/d"
}

test_expect_success 'check --exact: the report, same results shown without ranges' '
	cat >expect <<-\EOF &&
	overlaps:
	  T1 / T2
	    same-file clean.txt (content)  T1 3 / T2 15  [git: clean]
	    conflict  conf.txt (content)  T1 10 / T2 10  [git: conflict]
	    same-file multi.txt (identical)  T1 / T2 same result  [git: clean]
	    conflict  new.txt (add/add)  T1 added / T2 added  [git: conflict]
	    same-file same.txt (identical)  T1 / T2 same result  [git: clean]
	  T1 / T3
	    same-file multi.txt (content)  T1 8 / T3 14  [git: clean]
	  T2 / T3
	    same-file multi.txt (content)  T2 8 / T3 14  [git: clean]
	EOF
	(cd repo && GIT_PARALLEL_TEST_COUNT_DIFFS=1 test_expect_code 1 git parallel check --exact >../exact 2>../exact.err) &&
	overlaps exact >actual &&
	test_cmp expect actual &&
	grep "^3 tasks measured, 7 overlaps: 2 conflicts, 5 same-file; 0 violations (conflicts by git.s merge)$" exact
'

test_expect_success 'every other overlap line is plain check'"'"'s (ranges and class), which reads all shared files' '
	(cd repo && GIT_PARALLEL_TEST_COUNT_DIFFS=1 test_expect_code 1 git parallel check >../plain 2>../plain.err) &&
	overlaps plain | grep -v "(identical)" >expect &&
	overlaps exact | grep -v "(identical)" | sed "s/  \[git: [a-z]*\]$//" >actual &&
	test_cmp expect actual &&
	# plain check still shows the ranges of the same change made twice
	grep "same-file same.txt (identical)  T1 5 / T2 5$" plain &&
	grep "same-file multi.txt (identical)  T1 8 / T2 8$" plain
'

test_expect_success 'git merge-tree is the oracle: verdict and conflicting paths per pair' '
	for pair in "T1 T2" "T1 T3" "T2 T3"; do
		set -- $pair &&
		code=0 &&
		git -C repo merge-tree --write-tree --name-only parallel/$1 parallel/$2 >mt || code=$? &&
		sed -n "2,\$p" mt | sed "/^$/,\$d" | sort >expect &&
		sed -n "/^  $1 \/ $2$/,/^  T[0-9] \//p" exact | grep "\[git: conflict\]$" |
			sed "s/^    [a-z-]* *\([^ ]*\) .*/\1/" | sort >actual &&
		test_cmp expect actual &&
		if test $code = 0; then test ! -s actual; else test $code = 1 && test -s actual; fi || return 1
	done
'

test_expect_success 'the diffs run: not the same results, not the added files' '
	# --exact: clean.txt and conf.txt twice each; multi.txt once for T1
	# and T2 (one blob pair, needed against T3) and once for T3
	echo "check: 6 blob diffs" >expect &&
	test_cmp expect exact.err &&
	# plain check: also same.txt (one blob pair for both); not the
	# added new.txt either (t3270)
	echo "check: 7 blob diffs" >expect &&
	test_cmp expect plain.err &&
	# --json: every file'"'"'s ranges, new.txt twice too
	echo "check: 9 blob diffs" >expect &&
	(cd repo && GIT_PARALLEL_TEST_COUNT_DIFFS=1 test_expect_code 1 git parallel check --exact --json >../exact.json 2>../json.err) &&
	test_cmp expect json.err &&
	json_get exact.json "[(f[\"path\"], f[\"ranges\"]) for t in d[\"tasks\"] if t[\"id\"] == \"T1\" for f in t[\"files\"] if f[\"path\"] in (\"same.txt\", \"multi.txt\")]" >actual &&
	echo "[[\"multi.txt\", [{\"start\": 8, \"lines\": 1}]], [\"same.txt\", [{\"start\": 5, \"lines\": 1}]]]" >expect &&
	test_cmp expect actual
'

test_done
