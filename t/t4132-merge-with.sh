#!/bin/sh

test_description='merge names the merged tasks a conflict is with

A conflict names the merged tasks that changed its path ("with"): the
tasks merged by this run (their changes as merge compared them with
the target) and those merged by an earlier one (diffed from their start
to their head), a rename counting at both its paths.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

test_expect_success 'setup: tasks that meet on a.txt, on shared.txt, on a renamed file' '
	mk_tasks w \
		"A1||sed -i s/^3\$/three/ a.txt" \
		"A2||sed -i s/^3\$/THREE/ a.txt" \
		"S1||sed -i s/^5\$/five/ shared.txt" \
		"S2||sed -i s/^5\$/FIVE/ shared.txt" \
		"R1||git mv mod.txt moved.txt" \
		"R2||echo other >moved.txt && git add moved.txt" &&
	for id in A1 A2 S1 S2 R1 R2
	do
		task_state w $id >actual && echo done >expect &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'conflicts with tasks merged by this run, a rename at its new path' '
	(cd w && test_expect_code 1 git parallel merge A1 A2 R1 R2 --json >../m.json) &&
	json_get m.json "[(r[\"id\"], r[\"outcome\"]) for r in d[\"results\"]]" >actual &&
	echo "[[\"A1\", \"merged\"], [\"A2\", \"conflict\"], [\"R1\", \"merged\"], [\"R2\", \"conflict\"]]" >expect &&
	test_cmp expect actual &&
	json_get m.json "[(c[\"path\"], c[\"with\"]) for r in d[\"results\"] for c in r.get(\"conflicts\", [])]" >actual &&
	echo "[[\"a.txt\", [\"A1\"]], [\"moved.txt\", [\"R1\"]]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a conflict with a task merged by an earlier run' '
	(cd w && git parallel merge S1 >/dev/null) &&
	task_state w S1 >actual && echo merged >expect && test_cmp expect actual &&
	(cd w && test_expect_code 1 git parallel merge S2 --json >../m2.json) &&
	json_get m2.json "[(c[\"path\"], c[\"with\"]) for r in d[\"results\"] for c in r.get(\"conflicts\", [])]" >actual &&
	echo "[[\"shared.txt\", [\"S1\"]]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a conflict with the target'"'"'s own commit is with no task that changed the file elsewhere' '
	mk_tasks own \
		"F1||sed -i s/^2\$/two/ shared.txt" \
		"F2||sed -i s/^15\$/fifteen/ shared.txt" &&
	sed -i s/^15\$/FIFTEEN/ own/shared.txt && git -C own commit -q -am "main: line 15" &&
	(cd own && test_expect_code 1 git parallel merge --json >../m3.json) &&
	json_get m3.json "[(r[\"id\"], r[\"outcome\"]) for r in d[\"results\"]]" >actual &&
	echo "[[\"F1\", \"merged\"], [\"F2\", \"conflict\"]]" >expect &&
	test_cmp expect actual &&
	json_get m3.json "[(c[\"path\"], c[\"with\"]) for r in d[\"results\"] for c in r.get(\"conflicts\", [])]" >actual &&
	echo "[[\"shared.txt\", []]]" >expect &&
	test_cmp expect actual
'

test_done
