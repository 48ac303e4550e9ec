#!/bin/sh

test_description='plan writes and archives task states under the state directory'"'"'s flock

status and report cache a task'"'"'s counts into tasks/<id> under the flock of
the state directory (state_task_cache_work).  plan stamped and archived
states without it: a status that read tasks/T1 just before a re-plan
archived it wrote it back just after, and the old task'"'"'s state was left
for the new T1.  plan now takes the flock as the other writers do: while
another process holds it, plan waits, and it archives once it has it.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

CMD='echo "$GIT_PARALLEL_TASK_ID" >"$GIT_PARALLEL_TASK_ID.txt"'

test_expect_success 'setup: T1 run, merged and cleaned; a new T1 in the task list' '
	new_repo r &&
	echo "- [ ] T1 [P] Edit T1.txt" >r/tasks.md &&
	git -C r add . && git -C r commit -q -m tasks &&
	(cd r && git parallel plan tasks.md >/dev/null &&
	 git parallel run --command "$CMD" >/dev/null 2>&1 &&
	 git parallel merge >/dev/null 2>&1 &&
	 git parallel clean --merged >/dev/null 2>&1) &&
	sd=$(state_dir r) &&
	grep "state = merged" "$sd/tasks/T1" &&
	echo "- [ ] T1 [P] Edit T1.txt and more" >r/tasks.md
'

# blocked_in_flock <pid>: the process sleeps in flock() (its wchan)
blocked_in_flock () {
	grep -q lock "/proc/$1/wchan" 2>/dev/null
}

test_expect_success 're-plan while another process holds the flock: plan waits, then archives' '
	rm -f held release &&
	flock "$sd" sh -c ": >held; n=0; while ! test -e release && test \$n -lt 1200; do sleep 0.05; n=\$((n + 1)); done" \
		</dev/null >/dev/null 2>&1 &
	holder=$! &&
	wait_for_file held &&
	(cd r && exec git-parallel plan tasks.md >../plan.out 2>../plan.err) &
	plan=$! &&
	{
		n=0 &&
		while ! blocked_in_flock $plan && kill -0 $plan 2>/dev/null
		do
			n=$((n + 1)) && test $n -lt 600 && sleep 0.05 || break
		done &&
		blocked_in_flock $plan &&
		# nothing written yet: the old state is where it was
		grep "state = merged" "$sd/tasks/T1"
	}
	waited=$? &&
	: >release &&
	wait $holder &&
	wait $plan &&
	test $waited = 0 &&
	cat plan.out &&
	! test -e "$sd/tasks/T1" &&
	ls "$sd"/archive/*/T1 &&
	(cd r && git parallel status --json) >st.json &&
	json_get st.json "d[\"tasks\"][0][\"state\"]" >actual &&
	echo pending >expect && test_cmp expect actual
'

test_done
