#!/bin/sh

test_description='status --json says why a task is interrupted, as text status does

A task recorded as running whose run (or worker) stopped before saving
how it ended is shown as interrupted, and text status adds a line naming
that run or worker and what comes next (t8653).  status --json carries
the same facts in "interrupted": {"by": "run" or "worker", "pid",
"remote"}, null for every other task (an added key: version 1 stands).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

# interrupted_of <json> <id>: the task'"'"'s "interrupted" as "by pid remote", or None
interrupted_of () {
	json_get "$1" "(lambda i: i and \"%s %d %s\" % (i[\"by\"], i[\"pid\"], i[\"remote\"]))([t for t in d[\"tasks\"] if t[\"id\"] == \"$2\"][0][\"interrupted\"])"
}

test_expect_success 'setup' '
	remote_setup
'

test_expect_success 'a run killed once its command started: by run, the pid text status names' '
	ini_tasks r T1 T2 &&
	(cd r && test_expect_code 137 env GIT_PARALLEL_TEST_CRASH_AT=run-after-start \
		git parallel run -j 1 --command true >../out 2>../err) &&
	wait_commands_gone r && wait_interrupted r T1 &&
	(cd r && git parallel status >../st 2>../err && git parallel status --json >../st.json) &&
	pid=$(sed -n "s/.*its run (pid \\([0-9]*\\)) stopped before.*/\\1/p" st) &&
	test -n "$pid" &&
	echo "run $pid None" >expect &&
	interrupted_of st.json T1 >actual &&
	test_cmp expect actual &&
	echo null >expect &&
	interrupted_of st.json T2 >actual &&
	test_cmp expect actual &&
	json_get st.json "d[\"version\"]" >v && echo 1 >expect && test_cmp expect v
'

test_expect_success 'run again: done, and interrupted is null' '
	(cd r && git parallel run --command true >/dev/null 2>&1 &&
	 git parallel status --json >../st.json) &&
	echo null >expect &&
	interrupted_of st.json T1 >actual &&
	test_cmp expect actual
'

test_expect_success 'a worker killed the same way: by worker, its remote' '
	fresh_clone w &&
	(cd w && test_expect_code 137 env GIT_PARALLEL_TEST_CRASH_AT=run-after-start \
		git parallel worker "$REMOTE_URL" T001 >../out 2>../err) &&
	wait_commands_gone w && wait_interrupted w T001 &&
	(cd w && git parallel status T001 >../st 2>../err && git parallel status --json T001 >../st.json) &&
	pid=$(sed -n "s/.*its worker (pid \\([0-9]*\\)) stopped before.*/\\1/p" st) &&
	test -n "$pid" &&
	echo "worker $pid $REMOTE_URL" >expect &&
	interrupted_of st.json T001 >actual &&
	test_cmp expect actual
'

test_done
