#!/bin/sh

test_description='more scratch files of killed commands are swept, never one whose writer may live

t8650 sweeps "<name>.tmp.<pid>" of dead pids in our directories.  Also
swept now: the temporary file of info/exclude (parallel.share) in the
common git directory when the state lock is taken, and those of a
worktree'"'"'s info/sparse-checkout and the gp-clock.<pid> files of older
builds when check reads its git directory.  A pid that is dead here may
be alive in another pid namespace (a container sharing the repository):
every atomic write holds an flock() on its temporary file until it is
renamed, and a file whose flock is held is never removed.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

new_dead () {
	sh -c "echo \$\$" >dead && pid_gone $(cat dead)
}

test_expect_success 'setup: one task run' '
	ini_tasks a A &&
	(cd a && git parallel run --command "echo x >A.txt" >/dev/null 2>&1) &&
	echo $$ >live
'

test_expect_success 'the state lock sweeps info/exclude.tmp.<dead pid>, and only that' '
	new_dead && dead=$(cat dead) && live=$(cat live) &&
	mkdir -p a/.git/info &&
	for f in exclude.tmp.$dead exclude.tmp.$live attributes.tmp.$dead
	do
		echo x >"a/.git/info/$f" || return 1
	done &&
	(cd a && git parallel clean --merged >/dev/null 2>&1; :) &&
	! test -e a/.git/info/exclude.tmp.$dead &&
	test -e a/.git/info/exclude.tmp.$live &&
	test -e a/.git/info/attributes.tmp.$dead &&
	rm a/.git/info/exclude.tmp.$live a/.git/info/attributes.tmp.$dead
'

test_expect_success 'check sweeps a worktree'"'"'s info/sparse-checkout.tmp and old gp-clock.<pid>' '
	new_dead && dead=$(cat dead) && live=$(cat live) &&
	gd=$(git -C a.parallel/A rev-parse --absolute-git-dir) &&
	mkdir -p "$gd/info" &&
	for f in info/sparse-checkout.tmp.$dead info/sparse-checkout.tmp.$live \
		 gp-clock.$dead gp-clock.$live gp-clock.x$dead
	do
		echo x >"$gd/$f" || return 1
	done &&
	(cd a && git parallel check >/dev/null 2>&1; test $? -le 1) &&
	! test -e "$gd/info/sparse-checkout.tmp.$dead" &&
	! test -e "$gd/gp-clock.$dead" &&
	test -e "$gd/info/sparse-checkout.tmp.$live" &&
	test -e "$gd/gp-clock.$live" &&
	test -e "$gd/gp-clock.x$dead" &&
	rm "$gd/info/sparse-checkout.tmp.$live" "$gd/gp-clock.$live" "$gd/gp-clock.x$dead" &&
	repo_sane a
'

test_expect_success 'a file whose writer holds its flock stays though its pid is dead here' '
	new_dead && dead=$(cat dead) &&
	sd=$(state_dir a) &&
	echo x >"$sd/tasks/A.tmp.$dead" &&
	# the writer, alive in "another namespace": it holds the flock while
	# its command (pid in "held") sleeps; that command ends, and so does
	# the writer (killing flock alone left the sleep holding the test'"'"'s
	# output open: prove waited 30 s for it)
	{ flock -o "$sd/tasks/A.tmp.$dead" sh -c "echo \$\$ >held.tmp && mv held.tmp held && exec sleep 30" & } &&
	holder=$! &&
	test_when_finished "kill \$(cat held) $holder 2>/dev/null; :" &&
	wait_for_file held &&
	(cd a && git parallel clean --merged >/dev/null 2>&1; :) &&
	test -e "$sd/tasks/A.tmp.$dead" &&
	kill "$(cat held)" && { wait $holder || :; } &&
	(cd a && git parallel clean --merged >/dev/null 2>&1; :) &&
	! test -e "$sd/tasks/A.tmp.$dead" &&
	repo_sane a
'

test_done
