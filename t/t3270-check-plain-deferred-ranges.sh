#!/bin/sh

test_description='plain check diffs only the files whose line ranges it prints

An overlap on an added, deleted or type-changed file is classified by the
kind of change (add/add, modify/delete, delete/delete, typechange), and
the text report shows the change there, not line ranges: those files are
not diffed (GIT_PARALLEL_TEST_COUNT_DIFFS=1 prints how many blob diffs
check ran), as check --exact already does (t3250).  The other side of
such an overlap still shows its ranges; --json still reads every file'"'"'s.'

. ./test-lib.sh

test_expect_success 'setup: overlaps of every kind of change' '
	git init -q -b main repo &&
	seq 1 20 >repo/c.txt && seq 1 10 >repo/del.txt && seq 1 10 >repo/both_del.txt &&
	ln -s c.txt repo/link &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		command = echo one >new.txt && sed -i s/^3$/three/ del.txt && rm both_del.txt && rm link && echo file >link && sed -i s/^5$/five/ c.txt
	[task "T2"]
		command = echo two >new.txt && rm del.txt && rm both_del.txt && ln -sf del.txt link && sed -i s/^15$/fifteen/ c.txt
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	git -C repo diff --name-status main parallel/T1 >t1 && grep "^T	link$" t1 &&
	git -C repo diff --name-status main parallel/T2 >t2 && grep "^M	link$" t2
'

test_expect_success 'the report: changes where no ranges are shown, ranges elsewhere' '
	cat >expect <<-\EOF &&
	overlaps:
	  T1 / T2
	    same-file both_del.txt (delete/delete)  T1 deleted / T2 deleted
	    same-file c.txt (content)  T1 5 / T2 15
	    conflict  del.txt (modify/delete)  T1 3 / T2 deleted
	    conflict  link (typechange)  T1 typechange / T2 1
	    conflict  new.txt (add/add)  T1 added / T2 added
	EOF
	(cd repo && GIT_PARALLEL_TEST_COUNT_DIFFS=1 test_expect_code 1 git parallel check >../plain 2>../plain.err) &&
	sed -n "/^overlaps:/,/^$/p" plain | sed "/^$/d" >actual &&
	test_cmp expect actual
'

test_expect_success 'the ranges shown are git'"'"'s hunks' '
	git -C repo diff -U0 main parallel/T1 -- del.txt c.txt | grep "^@@" >h1 &&
	grep "^@@ -3 +3 @@" h1 && grep "^@@ -5 +5 @@" h1 &&
	git -C repo diff -U0 main parallel/T2 -- c.txt link | grep "^@@" >h2 &&
	grep "^@@ -15 +15 @@" h2 && grep "^@@ -1 +1 @@" h2
'

test_expect_success 'only the files with ranges shown are diffed' '
	# del.txt of T1, link of T2, c.txt of each
	echo "check: 4 blob diffs" >expect &&
	test_cmp expect plain.err
'

test_expect_success '--json reads every file'"'"'s ranges' '
	(cd repo && GIT_PARALLEL_TEST_COUNT_DIFFS=1 test_expect_code 1 git parallel check --json >../c.json 2>../json.err) &&
	! test_cmp expect json.err &&
	json_get c.json "[f[\"ranges\"] for t in d[\"tasks\"] if t[\"id\"] == \"T1\" for f in t[\"files\"] if f[\"path\"] == \"new.txt\"][0]" >actual &&
	echo "[{\"start\": 0, \"lines\": 0}]" >expect &&
	test_cmp expect actual
'

test_done
