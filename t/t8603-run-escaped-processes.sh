#!/bin/sh

test_description='what a task command leaves running outside its process group dies with the run

Found by t/chaos/chaos.sh agents: run stops what a command leaves in its
process group, but "setsid daemon &" leaves the group, and the daemon kept
running after run ended, in the worktree, after its work was committed.
run is now the child subreaper of the task commands: such a process, once
its parent exits, is run'"'"'s child, and when run ends it gets SIGTERM (its
group), the grace period, then SIGKILL; what it leaves in turn goes the
same way.  Each process writes its pid before the command may end: no
race.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# gone <pidfile>: the process is gone (not even a zombie)
gone () {
	pid=$(cat "$1") &&
	test -n "$pid" &&
	! test -d /proc/$pid
}

test_expect_success 'setup' '
	cat >agent <<-\EOF &&
	#!/bin/sh
	echo work >"$GIT_PARALLEL_TASK_ID.txt"
	d=$ESCAPED_DIR/$GIT_PARALLEL_TASK_ID
	export d
	# a session of its own, with a child of its own in yet another group
	setsid sh -c '\''echo $$ >"$d.daemon"; setsid sleep 300 & echo $! >"$d.grandchild"; exec sleep 300'\'' \
		>/dev/null 2>&1 </dev/null &
	n=0
	while ! test -s "$d.daemon" || ! test -s "$d.grandchild"
	do
		n=$((n + 1)) && test $n -lt 1000 || exit 1
		sleep 0.01
	done
	test -z "$HANG" || exec sleep 300
	EOF
	chmod +x agent &&
	ESCAPED_DIR=$TRASH_DIRECTORY &&
	export ESCAPED_DIR
'

test_expect_success 'a task that ends: its escaped processes end with the run' '
	ini_tasks a X1 &&
	(cd a && git parallel run --command "\"$TRASH_DIRECTORY/agent\"" >../out 2>../err) &&
	test "$(task_field a X1 state)" = done &&
	gone X1.daemon &&
	gone X1.grandchild
'

test_expect_success 'a task that times out: the same' '
	ini_tasks b X2 &&
	(cd b && HANG=1 && export HANG &&
	 test_expect_code 1 git parallel run --timeout 1s --retries 0 \
		--command "\"$TRASH_DIRECTORY/agent\"" >../out 2>../err) &&
	test "$(task_field b X2 state)" = timed-out &&
	gone X2.daemon &&
	gone X2.grandchild
'

test_expect_success 'what git detaches for run itself (a hook of its commit) is not a task'"'"'s: it stays' '
	ini_tasks c X3 &&
	mkdir -p c/.git/hooks &&
	cat >c/.git/hooks/post-commit <<-EOF &&
	#!/bin/sh
	setsid sh -c '"'"'echo \$\$ >"$TRASH_DIRECTORY/hook.daemon"; exec sleep 300'"'"' >/dev/null 2>&1 </dev/null &
	n=0
	while ! test -s "$TRASH_DIRECTORY/hook.daemon"
	do
		n=\$((n + 1)) && test \$n -lt 1000 || exit 1
		sleep 0.01
	done
	EOF
	chmod +x c/.git/hooks/post-commit &&
	test_when_finished "kill \$(cat hook.daemon) 2>/dev/null; :" &&
	(cd c && git parallel run --command "echo work >X3.txt" >../out 2>../err) &&
	test "$(task_field c X3 state)" = done &&
	pid=$(cat hook.daemon) &&
	test -n "$pid" &&
	! grep -q "^State:.*Z" /proc/$pid/status &&
	test -d /proc/$pid
'

test_done
