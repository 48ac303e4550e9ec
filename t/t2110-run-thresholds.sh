#!/bin/sh

test_description='git parallel run: min-free-disk and min-free-memory hold launches back'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

AGENT="$GP_TEST_DIR/lib/agent.sh"

# A 2 MiB tmpfs for the worktrees (root only, where mount is allowed).
MNT="$TRASH_DIRECTORY/small"
mkdir -p "$MNT"
if mount -t tmpfs -o size=2m tmpfs "$MNT" 2>/dev/null
then
	test_set_prereq TMPFS
	# sharness's own EXIT trap still runs, with the exit code it would have seen
	trap 'code=$?; umount "$MNT" 2>/dev/null; (exit $code); die' EXIT
fi

# mkrepo <dir> <worktrees>: two planned tasks.
mkrepo () {
	new_repo "$1" &&
	printf -- "- [ ] T1 [P] Edit a.txt\n- [ ] T2 [P] Edit b.txt\n" >"$1/tasks.md" &&
	cat >"$1/.gitparallel" <<-EOF &&
	[parallel]
		tasks = tasks.md
		command = $AGENT
		wait-timeout = 0.5s
	EOF
	# outside the work tree: the user's own config may put them there
	git -C "$1" config parallel.worktrees "$2" &&
	git -C "$1" add . && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan >/dev/null)
}

test_expect_success 'setup' '
	mkrepo repo "$MNT/wt"
'

test_expect_success TMPFS 'a tmpfs with less free space than min-free-disk: nothing starts; exit 1 saying why' '
	git -C repo config -f .gitparallel parallel.min-free-disk 500M &&
	(cd repo && test_expect_code 1 git parallel run >../out 2>../err) &&
	cat err &&
	grep "T1 waiting: min-free-disk: less than 500M free on the worktrees" err &&
	grep "stopping: no task can start and none is running: min-free-disk" err &&
	grep "M free)" err &&
	grep "parallel.wait-timeout" err &&
	! test -d "$MNT/wt/T1" &&
	! git -C repo rev-parse --verify -q parallel/T1 &&
	(cd repo && git parallel status --json) >st.json &&
	json_get st.json "[t[\"state\"] for t in d[\"tasks\"]]" >actual &&
	echo "[\"pending\", \"pending\"]" >expect && test_cmp expect actual &&
	json_get st.json "d[\"tasks\"][0][\"reason\"]" >actual &&
	grep "^never started: min-free-disk" actual
'

test_expect_success TMPFS 'below the free space of the tmpfs: the tasks run there' '
	git -C repo config -f .gitparallel parallel.min-free-disk 1M &&
	(cd repo && git parallel run >../out 2>../err) &&
	grep "2 done" out &&
	test -f "$MNT/wt/T1/a.txt" &&
	! grep waiting err
'

test_expect_success 'min-free-memory (measured value overridden for the test): nothing starts below it' '
	mkrepo mem ../mem.parallel &&
	git -C mem config -f .gitparallel parallel.min-free-memory 2G &&
	(cd mem && GIT_PARALLEL_TEST_FREE_MEMORY=1.5G test_expect_code 1 git parallel run >../out 2>../err) &&
	grep "T1 waiting: min-free-memory: less than 2G of memory available" err &&
	grep "(1.5G available)" err &&
	(cd mem && GIT_PARALLEL_TEST_FREE_MEMORY=3G git parallel run >../out 2>../err) &&
	grep "2 done" out
'

# wait_held <repo> <id> <gate> <run pid>: wait until the run holds task
# <id> back at <gate> (its state file says so).  No time limit but one only
# a hang reaches (5 minutes); fails at once if the run ended first.
wait_held () {
	n=0
	until grep -q "waiting = $3" "$(state_dir "$1")/tasks/$2" 2>/dev/null
	do
		! pid_gone "$4" || { echo "the run ended before it held $2 back"; return 1; }
		n=$((n + 1)) && test $n -lt 3000 || { echo "the run never held $2 back"; return 1; }
		sleep 0.1
	done
}

test_expect_success TMPFS 'disk freed while the run waits: the held tasks start then' '
	mkrepo refill "$MNT/wt2" &&
	git -C refill config -f .gitparallel parallel.min-free-disk 1M &&
	git -C refill config -f .gitparallel parallel.wait-timeout 60s &&
	dd if=/dev/zero of="$MNT/filler" bs=1k count=1500 2>/dev/null &&
	{ (cd refill && exec git-parallel run >../out 2>../err) & } &&
	echo $! >run.pid &&
	wait_held refill T1 min-free-disk $(cat run.pid) &&
	(cd refill && git parallel status) >status.out &&
	cat status.out &&
	grep "waiting: min-free-disk: less than 1M free" status.out &&
	rm "$MNT/filler" &&
	# no time limit of ours: a loaded machine may take a while to run them
	{ wait $(cat run.pid); echo $? >rc; } &&
	echo 0 >expect && test_cmp expect rc &&
	grep "2 done" out &&
	(cd refill && git parallel status --json) >st.json &&
	json_get st.json "[t[\"state\"] for t in d[\"tasks\"]]" >actual &&
	echo "[\"done\", \"done\"]" >expect && test_cmp expect actual &&
	json_get st.json "[t[\"waiting\"] for t in d[\"tasks\"]]" >actual &&
	echo "[null, null]" >expect && test_cmp expect actual &&
	json_get st.json "d[\"tasks\"][0][\"wait_time\"] > 0" >actual &&
	echo True >expect && test_cmp expect actual
'

test_expect_success 'SIGINT while the pool waits: it stops at once; the tasks stay pending, their wait counted' '
	mkrepo intr ../intr.parallel &&
	git -C intr config -f .gitparallel parallel.min-free-memory 2G &&
	git -C intr config -f .gitparallel parallel.wait-timeout 60s &&
	{ (cd intr && GIT_PARALLEL_TEST_FREE_MEMORY=1G exec git-parallel run >../out 2>../err) & } &&
	echo $! >run.pid &&
	wait_held intr T1 min-free-memory $(cat run.pid) &&
	(cd intr && git parallel status) >status.out &&
	grep "waiting: min-free-memory: less than 2G of memory available" status.out &&
	kill -INT $(cat run.pid) &&
	{ wait $(cat run.pid); echo $? >rc; } &&
	# stopped by the signal, not by parallel.wait-timeout (no timing asserted)
	! grep "stopping: no task can start" err &&
	echo 1 >expect && test_cmp expect rc &&
	grep "interrupted (SIGINT)" err &&
	(cd intr && git parallel status --json) >st.json &&
	json_get st.json "[(t[\"state\"], t[\"waiting\"], t[\"wait_time\"] > 0) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"pending\", null, true], [\"pending\", null, true]]" >expect && test_cmp expect actual &&
	! grep "waiting = " "$(state_dir intr)"/tasks/*
'

test_expect_success 'kill -9 while the pool waits: status does not claim a wait; the next run starts afresh' '
	mkrepo k9 ../k9.parallel &&
	git -C k9 config -f .gitparallel parallel.min-free-memory 2G &&
	git -C k9 config -f .gitparallel parallel.wait-timeout 60s &&
	{ (cd k9 && GIT_PARALLEL_TEST_FREE_MEMORY=1G exec git-parallel run >../out 2>../err) & } &&
	echo $! >run.pid &&
	wait_held k9 T1 min-free-memory $(cat run.pid) &&
	kill -9 $(cat run.pid) &&
	{ wait $(cat run.pid); echo $? >rc; } &&
	echo 137 >expect && test_cmp expect rc &&
	(cd k9 && git parallel status) >status.out &&
	! grep "waiting" status.out &&
	(cd k9 && git parallel status --json) >st.json &&
	json_get st.json "[(t[\"state\"], t[\"waiting\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"pending\", null], [\"pending\", null]]" >expect && test_cmp expect actual &&
	(cd k9 && GIT_PARALLEL_TEST_FREE_MEMORY=3G git parallel run >../out 2>../err) &&
	grep "2 done" out &&
	! grep "waiting = " "$(state_dir k9)"/tasks/* &&
	repo_sane k9
'

# kill -9 while a task's state is being saved (T2's, just after T1's that
# the test above waits for) leaves write_file_atomic()'s "T2.tmp.<pid>":
# the next taker of the lock removes such files of dead writers only.
test_expect_success 'a dead writer'"'"'s temporary state files are removed by the next run; a live one'"'"'s kept' '
	mkrepo tmpf ../tmpf.parallel &&
	dead=$(sh -c "echo \$\$") &&
	sd=$(state_dir tmpf) &&
	mkdir -p "$sd/tasks" &&
	printf "id = T2\nstate = pending\nwaiting = min-free-memory\n" >"$sd/tasks/T2.tmp.$dead" &&
	printf "x\n" >"$sd/tasks/T1.tmp.$$" &&
	printf "x\n" >"$sd/plan.tmp.$dead" &&
	(cd tmpf && git parallel run >../out 2>../err) &&
	grep "2 done" out &&
	! test -e "$sd/tasks/T2.tmp.$dead" &&
	! test -e "$sd/plan.tmp.$dead" &&
	test -f "$sd/tasks/T1.tmp.$$" &&
	rm "$sd/tasks/T1.tmp.$$" &&
	! grep "waiting = " "$sd"/tasks/*
'

test_expect_success 'bad sizes are errors naming file:line' '
	printf "[parallel]\n\tmin-free-disk = lots\n" >bad.ini &&
	(cd repo && test_expect_code 128 git parallel --config ../bad.ini run >../out 2>../err) &&
	grep "bad.ini:2: bad value .lots. for .parallel.min-free-disk.: expected a size" err
'

test_expect_success TMPFS 'cleanup: unmount the tmpfs' '
	umount "$MNT"
'

test_done
