#!/bin/sh

test_description='run: the plan as saved (waves), task states that belong to their plan, and work an agent left unfinished'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup' '
	new_repo repo &&
	echo one >repo/a.txt &&
	git -C repo add a.txt &&
	git -C repo commit -q -m a &&
	cat >t1.md <<-\EOF &&
	## Phase 1
	- [ ] T001 [P] Write T001.txt
	- [ ] T002 [P] Write T002.txt
	## Phase 2
	- [ ] T003 Write T003.txt
	EOF
	(cd repo && git parallel plan ../t1.md >/dev/null)
'

test_expect_success 'the waves survive the saved plan: dry-run, prompts, merge order' '
	(cd repo && git parallel run --dry-run --command true) >out &&
	grep "^T001 *wave 1 " out &&
	grep "^T003 *wave 2 " out &&
	(cd repo && git parallel run --command "echo \$GIT_PARALLEL_TASK_ID >\$GIT_PARALLEL_TASK_ID.txt" 2>../err) &&
	prompts="$(state_dir repo)/prompts" &&
	grep "T002" "$prompts/T001.md" &&
	! grep "T003" "$prompts/T001.md" &&
	(cd repo && git parallel merge) >out &&
	sed -n "2,4p" out | cut -d" " -f1 >actual &&
	printf "T001\nT002\nT003\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a new task list that reuses IDs is refused while the old tasks keep their branches' '
	cat >t2.md <<-\EOF &&
	- [ ] T001 Something else entirely
	EOF
	sd=$(state_dir repo) &&
	cp "$sd/plan" plan.before &&
	test_expect_code 128 sh -c "cd repo && git parallel plan ../t2.md" 2>err &&
	grep "task .T001. of the previous plan (merged) still has its branch .parallel/T001." err &&
	grep "clean --merged" err &&
	test_cmp plan.before "$sd/plan"
'

test_expect_success 'once they are cleaned, the new tasks start pending, not merged' '
	(cd repo && git parallel clean --merged >/dev/null) &&
	(cd repo && git parallel plan ../t2.md >/dev/null) &&
	test "$(task_field repo T001 state)" = pending &&
	test -f "$(state_dir repo)/archive/$(sed -n "s/^.id = //p" plan.before)/T001" &&
	(cd repo && git parallel run --command "echo new >e.txt") &&
	test "$(task_field repo T001 state)" = done &&
	(cd repo && git parallel merge >/dev/null) &&
	git -C repo show main:e.txt
'

test_expect_success 're-planning the same task list keeps its tasks'"'"' states' '
	(cd repo && git parallel plan ../t2.md >/dev/null) &&
	test "$(task_field repo T001 state)" = merged
'

test_expect_success 'a state written for another task of that ID is not taken (crash between plan and archive)' '
	sd=$(state_dir repo) &&
	cp "$sd/tasks/T001" T001.state &&
	(cd repo && git parallel clean --merged >/dev/null) &&
	printf -- "- [ ] T001 A third task in f.txt\n" >t3.md &&
	(cd repo && git parallel plan ../t3.md >/dev/null) &&
	cp T001.state "$sd/tasks/T001" &&
	test "$(task_field repo T001 state)" = pending
'

test_expect_success 'an agent that leaves a merge in progress: failed, not committed' '
	new_repo repo2 &&
	echo base >repo2/m.txt &&
	git -C repo2 add m.txt && git -C repo2 commit -q -m m &&
	git -C repo2 checkout -q -b side &&
	echo side >repo2/m.txt && git -C repo2 commit -q -a -m side &&
	git -C repo2 checkout -q main &&
	printf -- "- [ ] T1 Merge side into m.txt\n" >repo2/t.md &&
	(cd repo2 && git parallel plan t.md >/dev/null) &&
	test_expect_code 1 sh -c "cd repo2 && git parallel run --command \"echo mine >m.txt && git commit -q -a -m mine && git merge side >/dev/null 2>&1; exit 0\"" 2>err &&
	test "$(task_field repo2 T1 state)" = failed &&
	task_field repo2 T1 reason >reason &&
	grep "a merge in progress" reason &&
	git -C repo2.parallel/T1 rev-parse -q --verify MERGE_HEAD &&
	git -C repo2 log -1 --format=%s parallel/T1 >actual &&
	echo mine >expect && test_cmp expect actual
'

test_expect_success 'an agent that leaves conflict markers: failed, work kept uncommitted' '
	new_repo repo3 &&
	echo base >repo3/m.txt &&
	git -C repo3 add m.txt && git -C repo3 commit -q -m m &&
	printf -- "- [ ] T1 Edit m.txt\n" >repo3/t.md &&
	(cd repo3 && git parallel plan t.md >/dev/null) &&
	test_expect_code 1 sh -c "cd repo3 && git parallel run --command \"printf \\\"<<<<<<< ours\\\\na\\\\n=======\\\\nb\\\\n>>>>>>> theirs\\\\n\\\" >m.txt\"" 2>err &&
	test "$(task_field repo3 T1 state)" = failed &&
	task_field repo3 T1 reason >reason &&
	grep "conflict markers in .m.txt." reason &&
	git -C repo3.parallel/T1 status --porcelain >st &&
	grep "m.txt" st &&
	test "$(git -C repo3 rev-parse parallel/T1)" = "$(git -C repo3 rev-parse main)"
'

test_expect_success 'a running task whose run pid was reused by another process is interrupted' '
	sleep 3600 &
	other=$! &&
	test_when_finished "kill $other" &&
	sd=$(state_dir repo3) &&
	printf "[task \"T1\"]\n\tstate = running\n\tattempts = 1\n\trun-pid = %d\n\trun-pid-start = 1\n" $other >"$sd/tasks/T1" &&
	test "$(task_field repo3 T1 state)" = interrupted &&
	start=$(cut -d" " -f22 /proc/$other/stat) &&
	printf "[task \"T1\"]\n\tstate = running\n\tattempts = 1\n\trun-pid = %d\n\trun-pid-start = %s\n" $other $start >"$sd/tasks/T1" &&
	test "$(task_field repo3 T1 state)" = running
'

test_expect_success 'a crashed run whose command left only a background child: the next run stops that group first' '
	new_repo og &&
	echo "- [ ] G1 Write g.txt" >og/tasks.md &&
	git -C og add . && git -C og commit -q -m tasks &&
	(cd og && git parallel plan tasks.md >/dev/null) &&
	cat >og-agent <<-EOF &&
	#!/bin/sh
	if test -e "$TRASH_DIRECTORY/bgpid"
	then
		echo done >g.txt
	else
		(trap "" HUP; while :; do sleep 0.1; done) &
		echo \$! >"$TRASH_DIRECTORY/bgpid.tmp" && mv "$TRASH_DIRECTORY/bgpid.tmp" "$TRASH_DIRECTORY/bgpid"
	fi
	EOF
	chmod +x og-agent &&
	(cd og && GIT_PARALLEL_TEST_CRASH_AT=run-after-start git parallel run --command "\"$TRASH_DIRECTORY/og-agent\"" \
		>/dev/null 2>&1; test_crashed $?) &&
	n=0 &&
	while ! test -e bgpid; do n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1; done &&
	test_when_finished "kill -9 $(cat bgpid) 2>/dev/null; true" &&
	leader=$(task_field og G1 pid) &&
	n=0 &&
	while kill -0 $leader 2>/dev/null && ! ps -o stat= -p $leader | grep -q Z
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1
	done &&
	kill -0 $(cat bgpid) &&
	test "$(task_field og G1 orphaned)" = True &&
	(cd og && git parallel run --command "\"$TRASH_DIRECTORY/og-agent\"" >../out 2>../err) &&
	grep "G1: stopping the command left running by a run that is gone" err &&
	! kill -0 $(cat bgpid) 2>/dev/null &&
	test "$(task_field og G1 state)" = done &&
	test "$(git -C og show parallel/G1:g.txt)" = done
'

for sig in 2 1 15
do
	test_expect_success "signal $sig while the worktrees are made: they stay, no task starts, the next run finishes" '
		new_repo ws$sig &&
		printf -- "- [ ] W1 [P] Write w1.txt\n- [ ] W2 [P] Write w2.txt\n" >ws$sig/tasks.md &&
		git -C ws$sig add . && git -C ws$sig commit -q -m tasks &&
		(cd ws$sig && git parallel plan tasks.md >/dev/null) &&
		cmd="echo \$GIT_PARALLEL_TASK_ID >\$GIT_PARALLEL_TASK_ID.txt; : >\"$TRASH_DIRECTORY/ran-\$GIT_PARALLEL_TASK_ID\"" &&
		rm -f ran-W1 ran-W2 &&
		(cd ws$sig && GIT_PARALLEL_TEST_SIGNAL_AT=worktree-after-add GIT_PARALLEL_TEST_SIGNAL=$sig \
			test_expect_code 1 git parallel run -j 2 --command "$cmd" >../out 2>../err) &&
		grep "interrupted (SIG.*): stopping the running tasks; run again to resume" err &&
		! test -e ran-W1 && ! test -e ran-W2 &&
		test "$(task_field ws$sig W1 state)" = pending &&
		test "$(task_field ws$sig W2 state)" = pending &&
		! test -e "$(state_dir ws$sig)/lock" &&
		git -C ws$sig worktree list >wt && grep "ws$sig.parallel/W1 " wt && grep "ws$sig.parallel/W2 " wt &&
		(cd ws$sig && git parallel run -j 2 --command "$cmd" >../out 2>../err) &&
		test -e ran-W1 && test -e ran-W2 &&
		test "$(git -C ws$sig show parallel/W1:W1.txt)" = W1 &&
		test "$(task_field ws$sig W2 state)" = done
	'
done

test_expect_success 'only state.c changes a task state' '
	(cd "$GP_BUILD_DIR" && git grep -n -E "(->|\.)state = TS_" -- src ":!src/state.c") >assign || true &&
	test_must_be_empty assign
'

test_done
