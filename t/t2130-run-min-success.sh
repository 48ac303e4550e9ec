#!/bin/sh

test_description='git parallel run --min-success: a partial run that counts, and what report says of it'

. ./test-lib.sh

AGENT="$GP_TEST_DIR/lib/agent.sh"

# mkrepo <dir>: five planned tasks; the command fails for the IDs listed in <dir>.fail.
mkrepo () {
	new_repo "$1" &&
	for i in 1 2 3 4 5
	do
		echo "- [ ] T$i [P] Edit f$i.txt" >>"$1/tasks.md" || return 1
	done &&
	cat >"$1.sh" <<-EOF &&
	#!/bin/sh
	grep -qx "\$GIT_PARALLEL_TASK_ID" "$TRASH_DIRECTORY/$1.fail" && { echo "no luck"; exit 1; }
	exec "$AGENT"
	EOF
	chmod +x "$1.sh" &&
	printf "[parallel]\n\ttasks = tasks.md\n\tcommand = \"%s\"\n" "$TRASH_DIRECTORY/$1.sh" >"$1/.gitparallel" &&
	git -C "$1" add . && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan >/dev/null)
}

test_expect_success 'setup' '
	mkrepo repo && echo T5 >repo.fail
'

test_expect_success '4 of 5 done with --min-success 80: exit 0, the failure still reported' '
	(cd repo && git parallel run -j 2 --min-success 80 >../out 2>../err) &&
	cat out &&
	grep "T5 exit 1 after" err &&
	grep "4 done, 1 failed" out &&
	grep "^4 of 5 tasks done (80.0%); --min-success 80%: met$" out
'

test_expect_success 'report shows the share and the threshold' '
	(cd repo && git parallel report) >report.out &&
	grep "^4 of 5 tasks done (80.0%); the last run.s --min-success 80%: met$" report.out &&
	(cd repo && git parallel report --format=markdown) >report.md &&
	grep "^\*\*Done\*\*: 4 of 5 tasks done (80.0%); the last run.s --min-success 80%: met$" report.md &&
	(cd repo && git parallel report --format=json) >r.json &&
	json_get r.json "[d[\"totals\"][k] for k in (\"done\", \"share\", \"min_success\", \"min_success_met\")]" >actual &&
	echo "[4, 80.0, 80.0, true]" >expect && test_cmp expect actual
'

test_expect_success 'a threshold not met: exit 1, and report says so' '
	(cd repo && test_expect_code 1 git parallel run --min-success 90% >../out 2>../err) &&
	grep "^4 of 5 tasks done (80.0%); --min-success 90%: not met$" out &&
	(cd repo && git parallel report) >report.out &&
	grep "the last run.s --min-success 90%: not met$" report.out
'

test_expect_success 'without --min-success: exit 1 and no threshold in the report' '
	(cd repo && test_expect_code 1 git parallel run >../out 2>../err) &&
	! grep "min-success" out &&
	(cd repo && git parallel report --format=json) >r.json &&
	json_get r.json "[d[\"totals\"][\"min_success\"], d[\"totals\"][\"min_success_met\"]]" >actual &&
	echo "[null, null]" >expect && test_cmp expect actual &&
	(cd repo && git parallel report) >report.out &&
	grep "^4 of 5 tasks done (80.0%)$" report.out
'

test_expect_success '--fail-fast wins: exit 1 even when the share is met' '
	mkrepo ff && echo T5 >ff.fail &&
	(cd ff && test_expect_code 1 git parallel run -j 1 --fail-fast --min-success 80 >../out 2>../err) &&
	grep "4 of 5 tasks done (80.0%); --min-success 80%: met" out
'

test_expect_success 'bad percentages are usage errors' '
	(cd repo && test_expect_code 129 git parallel run --min-success 101 2>../err) &&
	grep "needs a percentage from 0 to 100, not .101." err &&
	(cd repo && test_expect_code 129 git parallel run --min-success lots 2>../err) &&
	(cd repo && test_expect_code 129 git parallel run --min-success 2>../err)
'

test_done
