#!/bin/sh

test_description='a branch lock left by a killed run does not stop the next run

A run makes its tasks'"'"' branches from several threads; killed (kill -9,
the OOM killer) while one of them held refs/heads/parallel/<id>.lock, it
leaves that lock, and every later run failed on it.  The next run
removes such a lock when it is older than the run, its branch does not
exist, and it holds the pinned base -- or it is empty (killed between
creating and writing it) and newer than the session lock the dead run
left and this run took over.  Any other lock (an empty one without a
dead run: t2010) stays and the task fails naming it.'

. ./test-lib.sh

setup_repo () {
	new_repo "$1" &&
	printf "[task \"K1\"]\n\ttitle = one\n\tcommand = echo one >one.txt\n" >"$1/tasks.ini" &&
	git -C "$1" add tasks.ini && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null) &&
	mkdir -p "$1/.git/refs/heads/parallel"
}

test_expect_success 'a lock holding the base, older than the run, is removed' '
	setup_repo a &&
	git -C a rev-parse HEAD >a/.git/refs/heads/parallel/K1.lock &&
	(cd a && git parallel run >../out 2>&1) &&
	! test -e a/.git/refs/heads/parallel/K1.lock &&
	git -C a rev-parse --verify parallel/K1 &&
	git -C a fsck
'

test_expect_success 'a lock holding another commit stays, and the task fails naming it' '
	setup_repo c &&
	git -C c rev-parse HEAD~1 >c/.git/refs/heads/parallel/K1.lock &&
	(cd c && test_expect_code 1 git parallel run >../out 2>&1) &&
	test -f c/.git/refs/heads/parallel/K1.lock &&
	grep "the lock file .*K1.lock. exists" out &&
	test_must_fail git -C c rev-parse --verify -q parallel/K1
'

# dead_runs_lock <repo> <when>: the session lock of a run killed at <when>
dead_runs_lock () {
	pid=$(sh -c "echo \$\$") &&
	sd=$(state_dir "$1") &&
	printf "pid = %s\ncommand = run\nstarted = 1\n" "$pid" >"$sd/lock" &&
	touch -d "$2" "$sd/lock"
}

test_expect_success 'an empty lock made after a dead run took the session lock is removed' '
	setup_repo e &&
	dead_runs_lock e "1 minute ago" &&
	: >e/.git/refs/heads/parallel/K1.lock &&
	touch -d "30 seconds ago" e/.git/refs/heads/parallel/K1.lock &&
	(cd e && git parallel run >../out 2>&1) &&
	! test -e e/.git/refs/heads/parallel/K1.lock &&
	! test -e "$(state_dir e)/lock" &&
	git -C e rev-parse --verify parallel/K1 &&
	git -C e fsck
'

test_expect_success 'an empty lock older than the dead run stays, and the task fails naming it' '
	setup_repo f &&
	dead_runs_lock f "1 minute ago" &&
	: >f/.git/refs/heads/parallel/K1.lock &&
	touch -d "2 minutes ago" f/.git/refs/heads/parallel/K1.lock &&
	(cd f && test_expect_code 1 git parallel run >../out 2>&1) &&
	test -f f/.git/refs/heads/parallel/K1.lock &&
	grep "the lock file .*K1.lock. exists" out &&
	test_must_fail git -C f rev-parse --verify -q parallel/K1
'

test_done
