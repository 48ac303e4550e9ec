#!/bin/sh

test_description='an agent that deletes its own worktree leaves nothing prunable

Found by t/chaos/chaos.sh agents: run failed the task ("its worktree is
gone") but left its entry in .git/worktrees, which git worktree list
--porcelain then shows as prunable.  run now prunes the entry of a
worktree whose directory is gone (never a locked one); the branch and its
commits stay, and the next run makes the worktree again.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

AGENT="$TRASH_DIRECTORY/agent"
ONCE="$TRASH_DIRECTORY/once"
export ONCE

test_expect_success 'the task fails, saying why; no prunable entry is left' '
	# commits, then deletes its worktree (the first time only)
	cat >agent <<-\EOF &&
	#!/bin/sh
	echo "work $$" >"$GIT_PARALLEL_TASK_ID.txt"
	git add . && git commit -q -m "$GIT_PARALLEL_TASK_ID: work" || exit 1
	if ! test -e "$ONCE"
	then
		: >"$ONCE" && cd / && rm -rf "$GIT_PARALLEL_WORKTREE"
	fi
	EOF
	chmod +x agent &&
	ini_tasks a D1 &&
	(cd a && test_expect_code 1 git parallel run --retries 0 --command "\"$AGENT\"" >../out 2>../err) &&
	grep "D1 failed: its worktree .*/a.parallel/D1. is gone" err &&
	git -C a worktree list --porcelain >wt &&
	! grep prunable wt &&
	! grep a.parallel/D1 wt &&
	test "$(task_field a D1 state)" = failed &&
	git -C a log --format=%s parallel/D1 >log &&
	grep "^D1: work" log &&
	repo_sane a
'

test_expect_success 'a locked entry of a deleted worktree is left to the user' '
	ini_tasks b D2 &&
	cat >lock-agent <<-\EOF &&
	#!/bin/sh
	git worktree lock --reason mine "$GIT_PARALLEL_WORKTREE" &&
	cd / && rm -rf "$GIT_PARALLEL_WORKTREE"
	EOF
	chmod +x lock-agent &&
	(cd b && test_expect_code 1 git parallel run --command "\"$TRASH_DIRECTORY/lock-agent\"" >../out 2>../err) &&
	git -C b worktree list --porcelain >wt &&
	grep "^locked mine" wt
'

test_expect_success 'the next run makes the worktree again and finishes' '
	(cd a && git parallel run --command "\"$AGENT\"" >../out 2>../err) &&
	test "$(task_field a D1 state)" = done &&
	test -f a.parallel/D1/D1.txt &&
	git -C a worktree list --porcelain >wt &&
	! grep prunable wt &&
	repo_sane a
'

test_done
