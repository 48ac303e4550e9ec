#!/bin/sh

test_description='git parallel run: the pool, interruption, resume, kill -9'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

AGENT="$GP_TEST_DIR/lib/agent.sh"

task_field () {
	(cd "$1" && git parallel status --json) >status.json &&
	json_get status.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$2\"][0][\"$3\"]"
}

test_expect_success 'setup' '
	new_repo repo &&
	for i in $(test_seq 1 8); do echo "- [ ] T00$i [P] Edit src/f$i.c"; done >repo/tasks.md &&
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.md >/dev/null)
'

# LONG runs until S3, the last short task, has started (at most 60 s): with
# -j 2 that happens only if each slot is refilled as soon as its task ends;
# run in waves, LONG would wait its 60 s out alone and write "timeout".
# (No timing is compared: a loaded machine may take seconds per task.)
test_expect_success 'a slot is refilled as soon as a task ends (no idle waves)' '
	new_repo pool &&
	cat >pool/tasks.ini <<-\EOF &&
	[task "LONG"]
		paths = long.txt
		command = n=0; while ! test -e ../S3.started && test $n -lt 600; do sleep 0.1; n=$((n + 1)); done; if test -e ../S3.started; then echo saw S3 start; else echo timeout; fi >long.txt
	[task "S1"]
		paths = s1.txt
		command = sleep 0.2; echo x >s1.txt
	[task "S2"]
		paths = s2.txt
		command = sleep 0.2; echo x >s2.txt
	[task "S3"]
		paths = s3.txt
		command = : >../S3.started; echo x >s3.txt
	EOF
	git -C pool add . && git -C pool commit -q -m tasks &&
	(cd pool && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >../out 2>../err) &&
	grep "4 done" out &&
	echo "saw S3 start" >expect &&
	git -C pool show parallel/LONG:long.txt >actual &&
	test_cmp expect actual
'

test_expect_success 'SIGINT stops the run, saves state; run again resumes' '
	{ (cd repo && AGENT_SLEEP=30 exec git-parallel run -j 2 --command "$AGENT" >../out 2>../err) & } &&
	echo $! >runpid &&
	wait_state repo T001 running &&
	wait_state repo T002 running &&
	kill -INT $(cat runpid) &&
	{ wait $(cat runpid) || true; } &&
	! kill -0 $(cat runpid) 2>/dev/null &&
	grep "interrupted" err &&
	task_field repo T001 state >actual && echo interrupted >expect && test_cmp expect actual &&
	task_field repo T003 state >actual && echo pending >expect && test_cmp expect actual &&
	! test -e "$(state_dir repo)/lock" &&
	(cd repo && git parallel run -j 4 --command "$AGENT" >../out 2>../err) &&
	grep "8 done" out &&
	git -C repo fsck
'

test_expect_success 'after kill -9 of run, status tells the truth and the next run recovers' '
	new_repo k9 &&
	for i in 1 2; do echo "- [ ] K$i [P] Edit k$i.c"; done >k9/tasks.md &&
	git -C k9 add . && git -C k9 commit -q -m tasks &&
	(cd k9 && git parallel plan tasks.md >/dev/null) &&
	# the commands outlive the checks below however slow the machine (the
	# next run stops them); 4 s could run out under load
	{ (cd k9 && AGENT_SLEEP=60 exec git-parallel run -j 2 --command "$AGENT" >/dev/null 2>&1) & } &&
	echo $! >runpid &&
	# the commands themselves, not only "running": that is saved before they start
	wait_command k9 K1 &&
	wait_command k9 K2 &&
	kill -9 $(cat runpid) &&
	sleep 0.2 &&
	(cd k9 && git parallel status >../out) &&
	grep "^K1 *running\*" out &&
	grep "its run is gone" out &&
	task_field k9 K1 orphaned >actual && echo True >expect && test_cmp expect actual &&
	(cd k9 && git parallel run --command "$AGENT" >../out 2>../err) &&
	grep "2 done" out &&
	git -C k9 diff --name-only main parallel/K1 >actual &&
	echo k1.c >expect && test_cmp expect actual &&
	git -C k9 fsck
'

test_expect_success 'after kill -9 and the command'"'"'s end, status says interrupted' '
	new_repo k9b &&
	echo "- [ ] K1 [P] Edit k1.c" >k9b/tasks.md &&
	git -C k9b add . && git -C k9b commit -q -m tasks &&
	(cd k9b && git parallel plan tasks.md >/dev/null) &&
	{ (cd k9b && AGENT_SLEEP=1 exec git-parallel run --command "$AGENT" >/dev/null 2>&1) & } &&
	echo $! >runpid &&
	wait_state k9b K1 running &&
	kill -9 $(cat runpid) &&
	# running (orphaned) while the command lives, then interrupted: no
	# fixed sleep, a loaded machine may take longer than one
	n=0 &&
	while test "$(task_field k9b K1 state)" != interrupted
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1
	done &&
	task_field k9b K1 state >actual && echo interrupted >expect && test_cmp expect actual &&
	(cd k9b && git parallel run --command "$AGENT" >../out 2>&1) &&
	grep "1 done" out
'

test_expect_success 'status --watch repeats while run runs, and ends with it' '
	new_repo watch &&
	echo "- [ ] W1 [P] Edit w.c" >watch/tasks.md &&
	git -C watch add . && git -C watch commit -q -m tasks &&
	(cd watch && git parallel plan tasks.md >/dev/null) &&
	# the command runs until status --watch has shown it twice, however
	# slow the machine (a fixed sleep could end first under load)
	cat >watch-agent <<-EOF &&
	#!/bin/sh
	while ! test -e "$TRASH_DIRECTORY/release-watch"; do sleep 0.1; done
	echo "\$GIT_PARALLEL_TASK_ID was here" >>w.c
	EOF
	chmod +x watch-agent &&
	{ (cd watch && exec git-parallel run --command "\"$TRASH_DIRECTORY/watch-agent\"" >/dev/null 2>&1) & } &&
	echo $! >runpid &&
	wait_state watch W1 running &&
	{ (cd watch && exec git-parallel status --watch >../out) & } &&
	echo $! >watchpid &&
	n=0 &&
	while frames=$(grep -c "^W1 *running" out 2>/dev/null); test "${frames:-0}" -lt 2
	do
		n=$((n + 1)) && test $n -lt 600 && sleep 0.1 || return 1
	done &&
	: >release-watch &&
	wait $(cat watchpid) &&
	tail -n 3 out | grep "^W1 *done" &&
	{ wait $(cat runpid) || true; }
'

test_expect_success 'a background child left by a command gets its grace; what it writes is committed' '
	new_repo bg &&
	cat >bg/tasks.ini <<-\EOF &&
	[task "B1"]
		paths = late.txt
		command = sh -c "trap \"sleep 1; echo late >late.txt; exit 0\" TERM; : >../B1.ready; while :; do sleep 0.05; done" & while ! test -e ../B1.ready; do sleep 0.01; done; echo early >early.txt
	EOF
	git -C bg add . && git -C bg commit -q -m tasks &&
	(cd bg && git parallel plan tasks.ini >/dev/null && git parallel run >../out 2>../err) &&
	grep "1 done" out &&
	git -C bg show parallel/B1:early.txt &&
	echo late >expect &&
	git -C bg show parallel/B1:late.txt >actual &&
	test_cmp expect actual &&
	git -C bg.parallel/B1 status --porcelain >st &&
	test_must_be_empty st
'

test_expect_success 'SIGINT: a task'"'"'s background child finishes its cleanup before run exits' '
	new_repo sigbg &&
	cat >sigbg/tasks.ini <<-\EOF &&
	[task "C1"]
		paths = c1.txt
		command = sh -c "trap \"sleep 1; echo cleaned >../C1.cleaned; exit 0\" TERM; : >../C1.ready; while :; do sleep 0.05; done" & sleep 30
	EOF
	git -C sigbg add . && git -C sigbg commit -q -m tasks &&
	(cd sigbg && git parallel plan tasks.ini >/dev/null) &&
	{ (cd sigbg && exec git-parallel run >../out 2>../err) & } &&
	echo $! >runpid &&
	n=0 &&
	while ! test -e sigbg.parallel/C1.ready
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1
	done &&
	kill -INT $(cat runpid) &&
	{ wait $(cat runpid); echo $? >rc; } &&
	echo 1 >expect && test_cmp expect rc &&
	echo cleaned >expect && test_cmp expect sigbg.parallel/C1.cleaned &&
	task_field sigbg C1 state >actual && echo interrupted >expect && test_cmp expect actual
'

test_expect_success 'run | head: the reader gone, run stops as on SIGINT (tasks interrupted, nothing orphaned)' '
	new_repo pipe &&
	printf -- "- [ ] P1 [P] Edit p1.c\n- [ ] P2 [P] Edit p2.c\n" >pipe/tasks.md &&
	git -C pipe add . && git -C pipe commit -q -m tasks &&
	(cd pipe && git parallel plan tasks.md >/dev/null) &&
	cmd="if test \$GIT_PARALLEL_TASK_ID = P1
	then
		while ! test -e \"$TRASH_DIRECTORY/go\"; do sleep 0.05; done; echo 1 >p1.c
	else
		echo \$\$ >\"$TRASH_DIRECTORY/p2pid\"; echo half >p2.c; sleep 60 & wait
	fi" &&
	rm -f go reader-done && mkfifo errpipe &&
	# the reader holds the pipe open without reading, then goes away on demand
	{ (exec 3<errpipe; while ! test -e reader-done; do sleep 0.05; done; exec 3<&-) & } &&
	echo $! >readerpid &&
	{ (cd pipe && exec git-parallel run -j 2 --command "$cmd" >../out 2>../errpipe) & } &&
	echo $! >runpid &&
	wait_command pipe P1 &&
	# what P2 writes before the stop is what the test looks for below
	n=0 && until test -s pipe.parallel/P2/p2.c
	do n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1; done &&
	: >reader-done && wait $(cat readerpid) &&
	: >go &&
	{ wait $(cat runpid); echo $? >rc; } &&
	echo 1 >expect && test_cmp expect rc &&
	task_field pipe P1 state >actual && echo done >expect && test_cmp expect actual &&
	task_field pipe P2 state >actual && echo interrupted >expect && test_cmp expect actual &&
	! kill -0 $(cat p2pid) 2>/dev/null &&
	! test -e "$(state_dir pipe)/lock" &&
	git -C pipe.parallel/P2 status --porcelain >st && grep p2.c st
'

test_expect_success 'SIGHUP (a closed terminal) stops the run as SIGINT does' '
	new_repo hup &&
	for i in 1 2; do echo "- [ ] H$i [P] Edit h$i.c"; done >hup/tasks.md &&
	git -C hup add . && git -C hup commit -q -m tasks &&
	(cd hup && git parallel plan tasks.md >/dev/null) &&
	{ (cd hup && AGENT_SLEEP=30 exec git-parallel run -j 1 --command "$AGENT" >../out 2>../err) & } &&
	echo $! >runpid &&
	wait_state hup H1 running &&
	kill -HUP $(cat runpid) &&
	{ wait $(cat runpid); echo $? >rc; } &&
	echo 1 >expect && test_cmp expect rc &&
	grep "interrupted" err &&
	task_field hup H1 state >actual && echo interrupted >expect && test_cmp expect actual &&
	task_field hup H2 state >actual && echo pending >expect && test_cmp expect actual &&
	! test -e "$(state_dir hup)/lock"
'

test_done
