#!/bin/sh

test_description='parallel.setup: once per new worktree, before the task, its output in the log'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

AGENT="$GP_TEST_DIR/lib/agent.sh"

# setup_repo <dir> <setup command>: tasks T1 (a.txt) and T2 (b.txt)
setup_repo () {
	new_repo "$1" &&
	cat >"$1/tasks.ini" <<-\EOF &&
	[task "T1"]
		title = one
		paths = a.txt
	[task "T2"]
		title = two
		paths = b.txt
	EOF
	printf "[parallel]\n\ttasks = tasks.ini\n\tcommand = %s\n\tsetup = %s\n" "$AGENT" "$2" >"$1/.gitparallel" &&
	git -C "$1" add . && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan >/dev/null)
}

test_expect_success 'setup runs in each new worktree with the task environment, output in the log' '
	SETUP_LOG="$TRASH_DIRECTORY/setup.log" && export SETUP_LOG &&
	setup_repo repo "echo \"\$GIT_PARALLEL_TASK_ID \$PWD \$GIT_PARALLEL_BRANCH \$GIT_DIR\" >>\"\$SETUP_LOG\"; echo setup-says-hi" &&
	(cd repo && GIT_DIR="$TRASH_DIRECTORY/repo/.git" git parallel run >../out 2>../err) &&
	grep "2 done" out &&
	sort setup.log >actual &&
	printf "T1 %s parallel/T1 \nT2 %s parallel/T2 \n" \
		"$TRASH_DIRECTORY/repo.parallel/T1" "$TRASH_DIRECTORY/repo.parallel/T2" >expect &&
	test_cmp expect actual &&
	grep "setup-says-hi" "$(state_dir repo)/logs/T1.log" &&
	grep "^### setup (parallel.setup, .*\.gitparallel:4)" "$(state_dir repo)/logs/T1.log"
'

test_expect_success 'setup ran before the command: what it wrote is in the task commit' '
	rm -f setup.log &&
	setup_repo before "echo made-by-setup >setup-made.txt" &&
	(cd before && git parallel run >../out 2>../err) &&
	git -C before show parallel/T1:setup-made.txt >actual &&
	echo made-by-setup >expect &&
	test_cmp expect actual
'

test_expect_success 'setup runs once per worktree, not per retry' '
	rm -f setup.log &&
	setup_repo retry "echo \$GIT_PARALLEL_TASK_ID >>\"\$SETUP_LOG\"" &&
	cat >flaky.sh <<-EOF &&
	#!/bin/sh
	test -e "$TRASH_DIRECTORY/flaky.\$GIT_PARALLEL_TASK_ID" && exit 0
	touch "$TRASH_DIRECTORY/flaky.\$GIT_PARALLEL_TASK_ID"
	exit 1
	EOF
	chmod +x flaky.sh &&
	(cd retry && git parallel run --retries 1 --command "\"$TRASH_DIRECTORY/flaky.sh\"" >../out 2>../err) &&
	grep "2 done" out &&
	test -e flaky.T1 &&
	sort setup.log >actual &&
	printf "T1\nT2\n" >expect &&
	test_cmp expect actual &&
	grep -c "^### git parallel run: task T1, attempt" "$(state_dir retry)/logs/T1.log" >count &&
	echo 2 >expect && test_cmp expect count
'

test_expect_success 'a failing setup fails the attempt with "setup failed" and keeps the worktree' '
	setup_repo failing "echo broken-setup; test \$GIT_PARALLEL_TASK_ID != T2" &&
	test_expect_code 1 sh -c "cd failing && git parallel run >../out 2>../err" &&
	test "$(task_field failing T2 state)" = failed &&
	task_field failing T2 reason >reason &&
	grep "setup failed (exit 1" reason &&
	test "$(task_field failing T1 state)" = done &&
	test -d failing.parallel/T2 &&
	git -C failing.parallel/T2 status --porcelain >st &&
	test_must_be_empty st &&
	grep broken-setup "$(state_dir failing)/logs/T2.log" &&
	# the command did not run: the branch has no commit of the task
	test "$(git -C failing rev-parse parallel/T2)" = "$(git -C failing rev-parse main)"
'

test_expect_success 'setup killed with its run runs again next time' '
	rm -f setup.log crashed-once &&
	setup_repo crash "echo \$GIT_PARALLEL_TASK_ID >>\"\$SETUP_LOG\"; if ! test -e \"\$SETUP_LOG.once\"; then touch \"\$SETUP_LOG.once\"; kill -9 \$PPID; sleep 1; fi" &&
	test_expect_code 137 sh -c "cd crash && git parallel run -j 1 T1 >../out 2>../err" &&
	echo T1 >expect && test_cmp expect setup.log &&
	! test -e "$(git -C crash rev-parse --git-common-dir)/worktrees/T1/gp-setup" &&
	(cd crash && git parallel run -j 1 T1 >../out 2>../err) &&
	printf "T1\nT1\n" >expect && test_cmp expect setup.log &&
	test -e "$(git -C crash rev-parse --path-format=absolute --git-common-dir)/worktrees/T1/gp-setup" &&
	repo_sane crash
'

test_done
