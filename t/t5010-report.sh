#!/bin/sh

test_description='git parallel report: what a run did, took and saved'

. ./test-lib.sh

test_expect_success 'setup: three tasks of a second each, run side by side, merged' '
	new_repo repo &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T001"]
		title = Edit a.c
		paths = a.c
		command = sleep 1; echo a >a.c
	[task "T002"]
		title = Edit b.c and c.c
		paths = b.c c.c
		command = sleep 1; echo b >b.c; echo c >c.c
	[task "T003"]
		title = Edit b.c too
		command = sleep 1; echo B >b.c
	EOF
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.ini >/dev/null &&
	 git parallel run -j 3 >/dev/null 2>&1 &&
	 test_expect_code 1 git parallel merge >/dev/null)
'

test_expect_success 'report --format=json has the documented keys and numbers' '
	(cd repo && git parallel report --format=json >../r.json) &&
	json_get r.json "sorted(d[\"tasks\"][0].keys())" >actual &&
	echo "[\"added\", \"attempts\", \"commits\", \"duration\", \"files\", \"id\", \"outcome\", \"removed\", \"state\", \"title\", \"wait_time\"]" >expect &&
	test_cmp expect actual &&
	json_get r.json "[(t[\"id\"], t[\"state\"], t[\"attempts\"], t[\"commits\"], t[\"files\"], t[\"added\"], t[\"removed\"], t[\"outcome\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T001\", \"merged\", 1, 1, 1, 1, 0, \"merged\"], [\"T002\", \"merged\", 1, 1, 2, 2, 0, \"merged\"], [\"T003\", \"conflict\", 1, 1, 1, 1, 0, \"conflict\"]]" >expect &&
	test_cmp expect actual &&
	json_get r.json "sorted(d[\"totals\"].keys())" >actual &&
	echo "[\"conflicts\", \"done\", \"merged\", \"min_success\", \"min_success_met\", \"saved\", \"share\", \"speedup\", \"task_time\", \"tasks\", \"wait_time\", \"wall\"]" >expect &&
	test_cmp expect actual &&
	json_get r.json "d[\"totals\"][\"conflicts\"]" >actual && echo 1 >expect && test_cmp expect actual &&
	json_get r.json "d[\"totals\"][\"task_time\"] >= 3 and d[\"totals\"][\"wall\"] >= 1 and d[\"totals\"][\"speedup\"] > 1.5 and abs(d[\"totals\"][\"saved\"] - (d[\"totals\"][\"task_time\"] - d[\"totals\"][\"wall\"])) < 0.01" >actual &&
	echo True >expect && test_cmp expect actual
'

test_expect_success 'report (text) and --format=markdown' '
	(cd repo && git parallel report >../out) &&
	grep "^T001  *merged  *1 " out &&
	grep "^3 tasks: wall time .*speedup .*1 conflict$" out &&
	(cd repo && git parallel report --format=markdown >../md) &&
	head -1 md >actual &&
	echo "| Task | Title | State | Attempts | Time | Wait | Commits | Files | Added | Removed | Merge |" >expect &&
	test_cmp expect actual &&
	grep "^| T003 | Edit b.c too | conflict | 1 | " md &&
	grep "^\*\*Totals\*\*: 3 tasks" md
'

test_expect_success 'report before any run: every task pending, no numbers' '
	new_repo fresh &&
	echo "- [ ] T001 [P] x in a.c" >fresh/tasks.md &&
	(cd fresh && git parallel plan tasks.md >/dev/null && git parallel report --format=json >../f.json) &&
	json_get f.json "[d[\"tasks\"][0][\"state\"], d[\"tasks\"][0][\"commits\"], d[\"tasks\"][0][\"outcome\"], d[\"totals\"][\"wall\"]]" >actual &&
	echo "[\"pending\", null, null, 0.0]" >expect &&
	test_cmp expect actual
'

test_expect_success 'usage errors exit 129' '
	(cd repo && test_expect_code 129 git parallel report --format=xml 2>../err) &&
	grep "unknown format" err
'

test_done
