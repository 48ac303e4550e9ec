#!/bin/sh

test_description='plan again on a task list whose tasks earlier runs finished

Planning the same list again after run and merge said "3 tasks to run",
and run then ran nothing ("3 merged").  A task whose state carries over
(the same task) and that run would not run again (done, merged, conflict,
held) is counted apart: "0 tasks to run, 3 already merged"; its line
says "(already merged)" and plan --json gives its state.'

. ./test-lib.sh

CMD='echo "$GIT_PARALLEL_TASK_ID" >"$GIT_PARALLEL_TASK_ID.txt"'

# md_tasks <dir> <title suffix>: T1..T3, each editing its own file
md_tasks () {
	for id in T1 T2 T3
	do
		echo "- [ ] $id [P] Edit $id.txt$2" || return 1
	done >"$1/tasks.md"
}

test_expect_success 'setup: three tasks planned, run and merged' '
	new_repo r &&
	md_tasks r "" &&
	git -C r add . && git -C r commit -q -m tasks &&
	(cd r && git parallel plan tasks.md >../out) &&
	grep "^3 tasks to run, from tasks.md;" out &&
	(cd r && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "^3 done\$" out &&
	(cd r && git parallel merge >../out 2>../err) &&
	grep "^3 merged" out
'

test_expect_success 'plan again: 0 to run, 3 already merged; run agrees' '
	(cd r && git parallel plan tasks.md >../out) &&
	head -n 1 out >first &&
	grep "^0 tasks to run, 3 already merged, from tasks.md; base main at " first &&
	for id in T1 T2 T3
	do
		grep "^  $id   P  Edit $id.txt (already merged)\$" out || return 1
	done &&
	(cd r && git parallel plan --json tasks.md >../plan.json) &&
	json_get plan.json "\" \".join(str(t[\"state\"]) for t in d[\"tasks\"])" >states &&
	echo "merged merged merged" >expect &&
	test_cmp expect states &&
	(cd r && git parallel run --command "$CMD" >../out 2>../err) &&
	! grep "started" err &&
	grep "^3 merged\$" out
'

test_expect_success 'one done, one failed, one new: the count is what run runs' '
	new_repo s &&
	md_tasks s "" &&
	git -C s add . && git -C s commit -q -m tasks &&
	(cd s && git parallel plan tasks.md >/dev/null) &&
	(cd s && test_expect_code 1 git parallel run --retries 0 \
		--command "test \"\$GIT_PARALLEL_TASK_ID\" != T2 && $CMD" T1 T2 >../out 2>../err) &&
	grep "^1 done, 1 failed\$" out &&
	echo "- [ ] T4 [P] Edit T4.txt" >>s/tasks.md &&
	(cd s && git parallel plan tasks.md >../out) &&
	grep "^3 tasks to run, 1 already done, from tasks.md;" out &&
	grep "^  T1   P  Edit T1.txt (already done)\$" out &&
	grep "^  T2   P  Edit T2.txt\$" out &&
	(cd s && git parallel plan --json tasks.md >../plan.json) &&
	json_get plan.json "\" \".join(str(t[\"state\"]) for t in d[\"tasks\"])" >states &&
	echo "done failed None None" >expect &&
	test_cmp expect states &&
	(cd s && git parallel run --command "$CMD" >../out 2>../err) &&
	grep "started" err | sort >started &&
	printf "T2 started again\nT3 started\nT4 started\n" >expect &&
	test_cmp expect started
'

test_expect_success 'new tasks that reuse the IDs are to run, not already merged' '
	(cd r && git parallel clean --merged >/dev/null 2>&1) &&
	md_tasks r " again" &&
	(cd r && git parallel plan tasks.md >../out) &&
	grep "^3 tasks to run, from tasks.md;" out &&
	! grep "already" out
'

test_done
