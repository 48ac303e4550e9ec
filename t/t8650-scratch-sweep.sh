#!/bin/sh

test_description='scratch files of killed commands are swept; a live process keeps its own

A command killed between writing a scratch file and renaming or removing
it leaves "<name>.tmp.<pid>" for good: check in a worktree'"'"'s git
directory (gp-index-checked, gp-clock), merge in the checked-out
target'"'"'s (index.gp-merge), run in prompts/.  Where the directory is
read (check) or locked (merge'"'"'s index.lock, the state lock) the files of
dead pids are removed; those of a live pid, and names that are not ours,
stay.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent
CMD="\"$TRASH_DIRECTORY/agent\""

# new_dead: the pid of a process that just ended, in ./dead (taken anew
# by each test: pids wrap around, and a live process may reuse an old one)
new_dead () {
	sh -c "echo \$\$" >dead && pid_gone $(cat dead)
}

test_expect_success 'setup: two tasks run; a live pid (this shell)' '
	ini_tasks a A B &&
	(cd a && git parallel run --command "$CMD" >/dev/null 2>&1) &&
	echo $$ >live && ! pid_gone $(cat live)
'

test_expect_success 'check sweeps a worktree git directory: dead pids only, our names only' '
	new_dead && dead=$(cat dead) && live=$(cat live) &&
	gd=$(git -C a.parallel/A rev-parse --absolute-git-dir) &&
	for f in gp-index-checked.tmp.$dead gp-clock.tmp.$dead \
		 gp-index-checked.tmp.$live gp-clock.tmp.$live other.tmp.$dead
	do
		echo x >"$gd/$f" || return 1
	done &&
	(cd a && git parallel check >/dev/null 2>&1; test $? -le 1) &&
	! test -e "$gd/gp-index-checked.tmp.$dead" &&
	! test -e "$gd/gp-clock.tmp.$dead" &&
	test -e "$gd/gp-index-checked.tmp.$live" &&
	test -e "$gd/gp-clock.tmp.$live" &&
	test -e "$gd/other.tmp.$dead" &&
	rm "$gd/gp-index-checked.tmp.$live" "$gd/gp-clock.tmp.$live" "$gd/other.tmp.$dead" &&
	git -C a.parallel/A status --porcelain >st &&
	repo_sane a
'

test_expect_success 'a check leaves no scratch file of its own' '
	gd=$(git -C a.parallel/A rev-parse --absolute-git-dir) &&
	(cd a && git parallel check >/dev/null 2>&1; test $? -le 1) &&
	ls "$gd" >names &&
	! grep "\.tmp\." names
'

test_expect_success 'taking the state lock sweeps prompts/ and tasks/' '
	new_dead && dead=$(cat dead) && live=$(cat live) &&
	sd=$(state_dir a) &&
	test -d "$sd/prompts" &&
	echo x >"$sd/prompts/A.md.tmp.$dead" &&
	echo x >"$sd/prompts/A.md.tmp.$live" &&
	echo x >"$sd/tasks/A.tmp.$dead" &&
	(cd a && git parallel clean --merged >/dev/null 2>&1) &&
	! test -e "$sd/prompts/A.md.tmp.$dead" &&
	! test -e "$sd/tasks/A.tmp.$dead" &&
	test -e "$sd/prompts/A.md.tmp.$live" &&
	rm "$sd/prompts/A.md.tmp.$live"
'

test_expect_success 'merge sweeps the checked-out target git directory under index.lock' '
	new_dead && dead=$(cat dead) && live=$(cat live) &&
	gd=$(git -C a rev-parse --absolute-git-dir) &&
	for f in index.gp-merge.tmp.$dead gp-clock.tmp.$dead index.gp-merge.tmp.$live
	do
		echo x >"$gd/$f" || return 1
	done &&
	(cd a && git parallel merge >../out 2>../err) &&
	! test -e "$gd/index.gp-merge.tmp.$dead" &&
	! test -e "$gd/gp-clock.tmp.$dead" &&
	test -e "$gd/index.gp-merge.tmp.$live" &&
	rm "$gd/index.gp-merge.tmp.$live" &&
	git -C a status --porcelain >st &&
	test_must_be_empty st &&
	repo_sane a
'

test_done
