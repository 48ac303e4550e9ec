#!/bin/sh

test_description='git parallel status names the command holding the lock'

. ./test-lib.sh

# wait_file <file>: wait (up to 30 s) until it exists.
wait_file () {
	n=0
	while ! test -e "$1"
	do
		n=$((n + 1))
		test $n -gt 300 && { echo "$1 never appeared"; return 1; }
		sleep 0.1
	done
}

test_expect_success 'setup: two finished tasks' '
	new_repo repo &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "A1"]
		paths = a1.txt
		command = echo a >a1.txt
	[task "A2"]
		paths = a2.txt
		command = echo b >a2.txt
	EOF
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1)
'

test_expect_success 'no lock: no holder line, "lock" is null' '
	(cd repo && git parallel status >../out) &&
	! grep "is running\|holds the lock" out &&
	(cd repo && git parallel status --json >../status.json) &&
	json_get status.json "d[\"lock\"]" >actual &&
	echo null >expect && test_cmp expect actual &&
	json_get status.json "d[\"running\"]" >actual && test_cmp expect actual
'

test_expect_success 'while merge runs, status names merge and its pid' '
	{ (cd repo && exec git-parallel merge --verify "touch \"$TRASH_DIRECTORY/verifying\"; while ! test -e \"$TRASH_DIRECTORY/go\"; do sleep 0.05; done" >../mout 2>../merr) & } &&
	echo $! >mpid &&
	test_when_finished "touch go" &&
	wait_file verifying &&
	(cd repo && git parallel status >../out) &&
	echo "git parallel merge is running (pid $(cat mpid))" >expect &&
	head -n 1 out >actual && test_cmp expect actual &&
	(cd repo && git parallel status --json >../status.json) &&
	json_get status.json "d[\"lock\"][\"command\"]" >actual &&
	echo merge >expect && test_cmp expect actual &&
	json_get status.json "d[\"lock\"][\"pid\"]" >actual &&
	cat mpid >expect && test_cmp expect actual &&
	json_get status.json "d[\"running\"]" >actual && test_cmp expect actual &&
	touch go &&
	{ wait $(cat mpid); echo $? >rc; } &&
	echo 0 >expect && test_cmp expect rc &&
	(cd repo && git parallel status --json >../status.json) &&
	json_get status.json "d[\"lock\"]" >actual &&
	echo null >expect && test_cmp expect actual
'

test_expect_success 'while run runs, status names run' '
	rm -f verifying go &&
	new_repo r2 &&
	cat >r2/tasks.ini <<-\EOF &&
	[task "R1"]
		paths = r1.txt
		command = touch ../R1.started; while ! test -e ../R1.go; do sleep 0.05; done
	EOF
	git -C r2 add . && git -C r2 commit -q -m tasks &&
	(cd r2 && git parallel plan tasks.ini >/dev/null) &&
	{ (cd r2 && exec git-parallel run >../rout 2>../rerr) & } &&
	echo $! >rpid &&
	test_when_finished "touch r2.parallel/R1.go" &&
	wait_file r2.parallel/R1.started &&
	(cd r2 && git parallel status >../out) &&
	echo "git parallel run is running (pid $(cat rpid))" >expect &&
	head -n 1 out >actual && test_cmp expect actual &&
	(cd r2 && git parallel status --json >../status.json) &&
	json_get status.json "d[\"lock\"][\"command\"]" >actual &&
	echo run >expect && test_cmp expect actual &&
	touch r2.parallel/R1.go &&
	{ wait $(cat rpid); echo $? >rc; } &&
	echo 0 >expect && test_cmp expect rc
'

test_expect_success 'a lock held by a live clean is named; a stale lock is not' '
	sleep 3600 & holder=$! &&
	test_when_finished "kill $holder 2>/dev/null || :" &&
	printf "pid = %d\ncommand = clean\n" $holder >"$(state_dir repo)/lock" &&
	(cd repo && git parallel status >../out) &&
	echo "git parallel clean is running (pid $holder)" >expect &&
	head -n 1 out >actual && test_cmp expect actual &&
	(cd repo && git parallel status --json >../status.json) &&
	json_get status.json "d[\"lock\"][\"command\"]" >actual &&
	echo clean >expect && test_cmp expect actual &&
	kill $holder && { wait $holder || true; } &&
	(cd repo && git parallel status >../out) &&
	! grep "is running\|holds the lock" out &&
	(cd repo && git parallel status --json >../status.json) &&
	json_get status.json "d[\"lock\"]" >actual &&
	echo null >expect && test_cmp expect actual &&
	rm -f "$(state_dir repo)/lock"
'

test_expect_success 'a live lock without a command line is still shown, command null' '
	sleep 3600 & holder=$! &&
	test_when_finished "kill $holder 2>/dev/null || :" &&
	printf "pid = %d\n" $holder >"$(state_dir repo)/lock" &&
	(cd repo && git parallel status >../out) &&
	echo "a git parallel command holds the lock (pid $holder)" >expect &&
	head -n 1 out >actual && test_cmp expect actual &&
	(cd repo && git parallel status --json >../status.json) &&
	json_get status.json "d[\"lock\"]" >actual &&
	echo "{\"pid\": $holder, \"command\": null}" >expect && test_cmp expect actual &&
	kill $holder && { wait $holder || true; } &&
	rm -f "$(state_dir repo)/lock"
'

test_done
