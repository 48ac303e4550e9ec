#!/bin/sh

test_description='git parallel run: parallel.precheck gates each launch (a budget)'

. ./test-lib.sh

AGENT="$GP_TEST_DIR/lib/agent.sh"

# wait_file <file> <pattern>: wait (up to 30 s) until a line of file matches.
wait_file () {
	n=0
	while ! grep -q "$2" "$1" 2>/dev/null
	do
		n=$((n + 1))
		test $n -gt 300 && { echo "'$1' never matched '$2'"; return 1; }
		sleep 0.1
	done
}

task_state_of () {
	(cd repo && git parallel status --json) >st.json &&
	json_get st.json "[t[\"state\"] for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0]"
}

test_expect_success 'setup: three tasks and a precheck that spends a budget file' '
	new_repo repo &&
	cat >repo/tasks.md <<-\EOF &&
	- [ ] T1 [P] Edit a.txt
	- [ ] T2 [P] Edit b.txt
	- [ ] T3 [P] Edit c.txt
	EOF
	# exit 0 and spend one unit while there is budget; 75 (not now) when none is left
	cat >budget.sh <<-\EOF &&
	#!/bin/sh
	echo "$GIT_PARALLEL_TASK_ID $(pwd) $GIT_PARALLEL_BRANCH" >>"$TRASH_DIRECTORY/checks"
	n=$(cat "$TRASH_DIRECTORY/budget")
	test "$n" -gt 0 || { echo "no budget left"; exit 75; }
	echo $((n - 1)) >"$TRASH_DIRECTORY/budget"
	EOF
	chmod +x budget.sh &&
	cat >repo/.gitparallel <<-EOF &&
	[parallel]
		tasks = tasks.md
		command = $AGENT
		precheck = "$TRASH_DIRECTORY/budget.sh"
		backoff-base = 0.1s
		backoff-max = 0.2s
		wait-timeout = 1s
	EOF
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan >/dev/null)
'

test_expect_success 'a budget of 2: two tasks run, the third waits, then the run gives up (exit 1)' '
	echo 2 >budget &&
	(cd repo && test_expect_code 1 git parallel run -j 1 >../out 2>../err) &&
	cat err &&
	grep "T1 done" err && grep "T2 done" err &&
	grep "T3 waiting: precheck: not now (exit 75)" err &&
	grep "stopping: no task can start and none is running: precheck: not now" err &&
	grep "parallel.wait-timeout" err &&
	echo 0 >expect && test_cmp expect budget &&
	test "$(task_state_of T3)" = pending &&
	git -C repo rev-parse --verify -q parallel/T1 &&
	! git -C repo rev-parse --verify -q parallel/T3 &&
	! test -d repo.parallel/T3 &&
	# the check ran in the main work tree with the task variables, and again with backoff
	grep "^T1 $TRASH_DIRECTORY/repo parallel/T1\$" checks &&
	test $(grep -c "^T3 " checks) -ge 2
'

test_expect_success 'status says "waiting: precheck" while run waits; more budget lets it start' '
	echo 0 >budget &&
	sed -i "s/wait-timeout = 1s/wait-timeout = 60s/" repo/.gitparallel &&
	{ (cd repo && exec git-parallel run -j 1 >../out2 2>../err2) & } &&
	echo $! >run.pid &&
	wait_file "$(state_dir repo)/tasks/T3" "waiting = precheck" &&
	(cd repo && git parallel status) >status.out &&
	cat status.out &&
	grep "waiting: precheck: not now (exit 75)" status.out &&
	(cd repo && git parallel status --json) >st.json &&
	json_get st.json "[t[\"waiting\"] for t in d[\"tasks\"] if t[\"id\"] == \"T3\"][0]" >waiting &&
	grep "^precheck: not now" waiting &&
	echo 1 >budget &&
	# no time limit of ours: a loaded machine may take a while to run T3
	{ wait $(cat run.pid); echo $? >rc; } &&
	echo 0 >expect && test_cmp expect rc &&
	grep "T3 done" err2 &&
	test "$(task_state_of T3)" = done &&
	echo 0 >expect && test_cmp expect budget &&
	! grep "waiting = " "$(state_dir repo)/tasks/T3"
'

test_expect_success 'any other exit fails the task, its output in the log; nothing is made for it' '
	new_repo other &&
	echo "- [ ] X1 [P] Edit x.txt" >other/tasks.md &&
	cat >other/.gitparallel <<-EOF &&
	[parallel]
		tasks = tasks.md
		command = $AGENT
		precheck = "$TRASH_DIRECTORY/no.sh"
	EOF
	printf "#!/bin/sh\necho \"budget service says no: \$GIT_PARALLEL_TASK_ID\"\nexit 3\n" >no.sh &&
	chmod +x no.sh &&
	git -C other add . && git -C other commit -q -m tasks &&
	(cd other && git parallel plan >/dev/null) &&
	(cd other && test_expect_code 1 git parallel run >../out3 2>../err3) &&
	grep "X1 failed: its precheck failed (exit 3)" err3 &&
	grep "budget service says no: X1" "$(state_dir other)/logs/X1.log" &&
	(cd other && git parallel status --json) >st.json &&
	json_get st.json "d[\"tasks\"][0][\"state\"]" >actual &&
	echo failed >expect && test_cmp expect actual &&
	! git -C other rev-parse --verify -q parallel/X1 &&
	git -C other worktree list >wl && test_line_count = 1 wl
'

test_expect_success 'SIGINT while a precheck runs: the check is killed, the run stops at once' '
	new_repo slow &&
	echo "- [ ] S1 [P] Edit s.txt" >slow/tasks.md &&
	cat >slow.sh <<-\EOF &&
	#!/bin/sh
	echo $$ >"$TRASH_DIRECTORY/slow.pid"
	sleep 30
	: >"$TRASH_DIRECTORY/slow.survived"
	EOF
	chmod +x slow.sh &&
	cat >slow/.gitparallel <<-EOF &&
	[parallel]
		tasks = tasks.md
		command = $AGENT
		precheck = "$TRASH_DIRECTORY/slow.sh"
	EOF
	git -C slow add . && git -C slow commit -q -m tasks &&
	(cd slow && git parallel plan >/dev/null) &&
	{ (cd slow && exec git-parallel run >../out5 2>../err5) & } &&
	echo $! >run5.pid &&
	wait_file slow.pid . &&
	kill -INT $(cat run5.pid) &&
	{ wait $(cat run5.pid); echo $? >rc; } &&
	# the check was stopped, not waited for (no timing asserted)
	! test -e slow.survived &&
	echo 1 >expect && test_cmp expect rc &&
	wait_gone $(cat slow.pid) &&
	cat err5 &&
	grep "interrupted (SIGINT)" err5 &&
	(cd slow && git parallel status --json) >st.json &&
	json_get st.json "d[\"tasks\"][0][\"state\"]" >actual &&
	echo pending >expect && test_cmp expect actual &&
	! git -C slow rev-parse --verify -q parallel/S1
'

test_done
