#!/bin/sh

test_description='plan: huge input stays readable (long cycles, long titles, long critical paths)'

. ./test-lib.sh

test_expect_success 'setup' '
	new_repo repo &&
	awk "BEGIN { for (i = 1; i <= 10000; i++) printf \"- [ ] T%05d [P] Step in src/s%d.py (depends on T%05d)\\n\", i, i, (i == 1 ? 10000 : i - 1) }" >repo/cycle.md &&
	awk "BEGIN { printf \"- [ ] T001 [P] Start \"; for (i = 0; i < 3000; i++) printf \"w\\303\\266rd \"; print \"end in src/a.py\" }" >repo/long.md &&
	awk "BEGIN { for (i = 1; i <= 100; i++) printf \"- [ ] T%03d Step %d in src/s%d.py\\n\", i, i, i }" >repo/chain.md
'

test_expect_success 'a 10,000-task cycle prints its first and last edges, not all of them' '
	(cd repo && test_expect_code 128 git parallel plan cycle.md 2>../err) &&
	test_line_count = 1 err &&
	test $(wc -c <err) -lt 1000 &&
	grep "^fatal: dependency cycle: .T00001. (cycle.md:1) waits for .T10000. (depends); " err &&
	grep "(9992 more edges)" err &&
	grep "T00002. (cycle.md:2) waits for .T00001. (depends)\$" err &&
	test_no_state repo
'

test_expect_success 'a short cycle is printed whole' '
	printf "%s\n" "- [ ] T1 a in x.py (depends on T3)" "- [ ] T2 b in y.py (depends on T1)" "- [ ] T3 c in z.py (depends on T2)" >repo/short.md &&
	(cd repo && test_expect_code 128 git parallel plan short.md 2>../err) &&
	grep "T1. (short.md:1) waits for .T3. (depends); .T3. (short.md:3) waits for .T2. (depends); .T2. (short.md:2) waits for .T1. (depends)\$" err
'

test_expect_success 'a title of several KB is cut in text output and whole in JSON' '
	(cd repo && git parallel plan long.md >../out) &&
	grep "^  T001 P  Start wörd" out >line &&
	test $(wc -c <line) -lt 2200 &&
	grep "\.\.\.\$" line &&
	# the cut falls between characters: the line is valid UTF-8
	python3 -c "import sys; open(sys.argv[1], \"rb\").read().decode(\"utf-8\")" line &&
	(cd repo && git parallel plan --json long.md >../plan.json) &&
	json_get plan.json "len(d[\"tasks\"][0][\"title\"])" >actual &&
	echo 15021 >expect &&
	test_cmp expect actual
'

test_expect_success 'a long critical path is shortened in text output, whole in JSON' '
	(cd repo && git parallel plan chain.md >../out && git parallel plan --json chain.md >../plan.json) &&
	grep "^critical path: T001 -> T002 -> T003 -> T004 -> T005 -> ... (90 more) -> T096 -> T097 -> T098 -> T099 -> T100 (100 tasks)\$" out &&
	json_get plan.json "len(d[\"critical_path\"])" >actual &&
	echo 100 >expect &&
	test_cmp expect actual
'

test_done
