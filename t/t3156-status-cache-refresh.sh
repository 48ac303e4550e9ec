#!/bin/sh

test_description='status caches the counts it had to take again, when nobody is at work

A branch that moved outside run (an agent committed after its task was
done, git reset) or a cache of an older form is counted again by status
and report, and that count was never cached: every status paid for it
again.  Now status caches it in the task'"'"'s state, changing nothing else
there, and only when no command holds the state lock (nor left it behind,
dead), under the flock() lock takers hold: never a write a run or merge
could lose or race with.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

work_field () {
	sed -n "s/^	work = //p" "$(state_dir repo)/tasks/$1"
}

# other_lines <id>: the task'"'"'s state without its cache
other_lines () {
	grep -v "^	work = " "$(state_dir repo)/tasks/$1"
}

files_of () {
	json_get s.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0][\"files\"]"
}

test_expect_success 'setup: three finished tasks' '
	new_repo repo &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		command = echo 1 >one.txt
	[task "T2"]
		command = echo 2 >two.txt
	[task "T3"]
		command = echo 3 >three.txt
	EOF
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	work_field T1 >w && grep " v2$" w
'

test_expect_success 'an agent committed after its task was done: status counts and caches it' '
	other_lines T1 >before &&
	echo more >repo.parallel/T1/more.txt && git -C repo.parallel/T1 add more.txt &&
	git -C repo.parallel/T1 commit -q -m more &&
	(cd repo && git parallel status --json >../s.json 2>../err) &&
	test_must_be_empty err &&
	files_of T1 >actual && echo 2 >expect && test_cmp expect actual &&
	work_field T1 >w &&
	echo "$(git -C repo rev-parse parallel/T1) $(sed -n "s/^	start = //p" "$(state_dir repo)/tasks/T1") 2 2 2 0 v2" >expect &&
	test_cmp expect w &&
	other_lines T1 >after &&
	test_cmp before after &&
	ls "$(state_dir repo)/tasks" >ls && test_line_count = 3 ls
'

test_expect_success 'a cache of the older form is counted again and rewritten' '
	sed -i "s/^\(	work = .*\) v2$/\1/" "$(state_dir repo)/tasks/T2" &&
	! grep " v2$" "$(state_dir repo)/tasks/T2" &&
	(cd repo && git parallel report >/dev/null 2>../err) &&
	test_must_be_empty err &&
	work_field T2 >w && grep "^$(git -C repo rev-parse parallel/T2) .* 1 1 1 0 v2$" w
'

test_expect_success 'while merge holds the lock, status counts but writes nothing' '
	test_when_finished "touch m.go" &&
	{ (cd repo && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="touch ../m.held; while ! test -e ../m.go; do sleep 0.05; done" \
		git-parallel merge T3 >../m.out 2>../m.err; echo $? >../m.rc) & } &&
	wait_for_file m.held &&
	echo again >repo.parallel/T1/again.txt && git -C repo.parallel/T1 add again.txt &&
	git -C repo.parallel/T1 commit -q -m again &&
	cp "$(state_dir repo)/tasks/T1" T1.before &&
	(cd repo && git parallel status --json >../s.json 2>../err) &&
	test_must_be_empty err &&
	files_of T1 >actual && echo 3 >expect && test_cmp expect actual &&
	test_cmp T1.before "$(state_dir repo)/tasks/T1" &&
	touch m.go && wait_for_file m.rc &&
	echo 0 >expect && test_cmp expect m.rc &&
	(cd repo && git parallel status >/dev/null) &&
	work_field T1 >w && grep "^$(git -C repo rev-parse parallel/T1) .* 3 3 3 0 v2$" w
'

test_expect_success 'a lock left by a command that died: nothing written, the lock left as it was' '
	sh -c "exit 0" & dead=$! && wait $dead &&
	printf "pid = %s\ncommand = run\nstarted = 1\n" $dead >"$(state_dir repo)/lock" &&
	cp "$(state_dir repo)/lock" lock.before &&
	echo later >repo.parallel/T1/later.txt && git -C repo.parallel/T1 add later.txt &&
	git -C repo.parallel/T1 commit -q -m later &&
	cp "$(state_dir repo)/tasks/T1" T1.before &&
	(cd repo && git parallel status --json >../s.json 2>../err) &&
	files_of T1 >actual && echo 4 >expect && test_cmp expect actual &&
	test_cmp T1.before "$(state_dir repo)/tasks/T1" &&
	test_cmp lock.before "$(state_dir repo)/lock" &&
	rm "$(state_dir repo)/lock"
'

test_expect_success 'a state directory status cannot write to: no error, the same output' '
	if test "$(id -u)" = 0
	then
		skip_reason="root writes anyway" && echo "$skip_reason"
	else
		chmod a-w "$(state_dir repo)/tasks" &&
		test_when_finished "chmod u+w \"$(state_dir repo)/tasks\"" &&
		cp "$(state_dir repo)/tasks/T1" T1.before &&
		(cd repo && git parallel status >../out 2>../err) &&
		test_must_be_empty err &&
		test_cmp T1.before "$(state_dir repo)/tasks/T1"
	fi
'

test_done
