#!/bin/sh

test_description='the git locks of a stopped orphan: removed only when nobody holds them

A run killed with its task command running leaves an orphan; the next run
stops it and removes the git locks a killed git command of it left in the
task'"'"'s worktree (index.lock, HEAD.lock, the branch lock).  A lock is
removed only when it was written before the orphan ended and no live
process holds it: neither open (a killed git holds nothing open) nor by a
git command running in the worktree (git commit -a keeps index.lock, closed,
while its editor is open).  Otherwise nothing is removed and the task fails
naming the lock.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent
write_lock_agent agent

# orphan <repo>: a run killed with K1's command running, its locks ($LOCKS) taken.
orphan () {
	rm -f locked &&
	ini_tasks "$1" K1 &&
	crash_run "$1" run-after-start --command "$CMD" &&
	wait_for_file locked
}

test_expect_success 'locks nobody holds, written before the orphan ended: removed' '
	LOCKS="index head branch" && export LOCKS &&
	orphan a &&
	gd=$(git -C a.parallel/K1 rev-parse --absolute-git-dir) &&
	test -e "$gd/index.lock" && test -e "$gd/HEAD.lock" &&
	test -e a/.git/refs/heads/parallel/K1.lock &&
	(cd a && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "K1: stopping the command left running" err &&
	grep "^1 done\$" out &&
	! find a/.git -name "*.lock" | grep . &&
	repo_sane a
'

test_expect_success 'a lock a live process holds open stays, and the task fails naming it' '
	LOCKS="index head branch" && export LOCKS &&
	orphan b &&
	gd=$(git -C b.parallel/K1 rev-parse --absolute-git-dir) &&
	{ sh -c "exec 3<\"\$1\"; : >holding; exec sleep 60" sh "$gd/index.lock" & } &&
	holder=$! &&
	test_when_finished "kill $holder 2>/dev/null || :" &&
	wait_for_file holding &&
	(cd b && test_expect_code 1 git parallel run --command "$CMD" >../out 2>../err) &&
	grep "K1: stopping the command left running" err &&
	grep "index.lock. is held by a live process (pid $holder)" err &&
	echo failed >expect &&
	task_field b K1 state >actual && test_cmp expect actual &&
	# nothing removed: all of them or none
	test -e "$gd/index.lock" && test -e "$gd/HEAD.lock" &&
	test -e b/.git/refs/heads/parallel/K1.lock &&
	# as told: the holder gone, the user removes the locks
	kill $holder &&
	rm "$gd/index.lock" "$gd/HEAD.lock" b/.git/refs/heads/parallel/K1.lock &&
	(cd b && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "^1 done\$" out &&
	repo_sane b
'

test_expect_success 'git commit -a with its editor open in the worktree: its index.lock stays' '
	LOCKS="head" && export LOCKS &&
	orphan c &&
	gd=$(git -C c.parallel/K1 rev-parse --absolute-git-dir) &&
	printf "#!/bin/sh\n: >\"%s/editing\"\nwhile ! test -e \"%s/edited\"; do sleep 0.1; done\necho \"by hand\" >\"\$1\"\n" \
		"$TRASH_DIRECTORY" "$TRASH_DIRECTORY" >editor &&
	chmod +x editor &&
	echo "by hand" >>c.parallel/K1/README &&
	{ (cd c.parallel/K1 && GIT_EDITOR="\"$TRASH_DIRECTORY/editor\"" git commit -a \
		>"$TRASH_DIRECTORY/commit.out" 2>&1; echo $? >"$TRASH_DIRECTORY/commit.rc") & } &&
	test_when_finished ": >\"$TRASH_DIRECTORY/edited\"" &&
	wait_for_file editing &&
	test -e "$gd/index.lock" &&
	(cd c && test_expect_code 1 git parallel run --command "$CMD" >../out 2>../err) &&
	grep "K1: stopping the command left running" err &&
	grep "index.lock. may be held by a git command running in its worktree" err &&
	test -e "$gd/index.lock" && test -e "$gd/HEAD.lock" &&
	# the orphan'"'"'s HEAD.lock would stop the commit: the user removes it
	rm "$gd/HEAD.lock" &&
	: >edited &&
	wait_for_file commit.rc &&
	echo 0 >expect && test_cmp expect commit.rc &&
	git -C c log -1 --format=%s parallel/K1 >actual &&
	echo "by hand" >expect && test_cmp expect actual &&
	! test -e "$gd/index.lock" &&
	repo_sane c
'

test_expect_success 'a lock written after the orphan ended stays, and the task fails naming it' '
	LOCKS="branch" && export LOCKS &&
	orphan d &&
	touch -d "+1 hour" d/.git/refs/heads/parallel/K1.lock &&
	(cd d && test_expect_code 1 git parallel run --command "$CMD" >../out 2>../err) &&
	grep "K1.lock. was written after its command ended" err &&
	test -e d/.git/refs/heads/parallel/K1.lock &&
	rm d/.git/refs/heads/parallel/K1.lock &&
	(cd d && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "^1 done\$" out &&
	repo_sane d
'

test_done
