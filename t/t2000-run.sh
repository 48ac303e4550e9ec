#!/bin/sh

test_description='git parallel run: a branch and a worktree per task, git as the judge'

. ./test-lib.sh

AGENT="$GP_TEST_DIR/lib/agent.sh"

test_expect_success 'setup' '
	new_repo repo &&
	mkdir -p repo/src repo/docs &&
	for i in $(test_seq 1 20); do echo "line $i" >repo/src/f$i.c; done &&
	cat >repo/tasks.md <<-\EOF &&
	## Phase 1
	- [ ] T001 [P] Edit src/f1.c
	- [ ] T002 [P] Edit src/f2.c and src/f3.c
	- [ ] T003 [P] Add docs/new.md
	## Phase 2
	- [ ] T004 [P] Edit src/f4.c (depends on T001)
	EOF
	printf "[parallel]\n\ttasks = tasks.md\n\tcommand = %s\n" "$AGENT" >repo/.gitparallel &&
	git -C repo add . &&
	git -C repo commit -q -m "files and tasks" &&
	(cd repo && git parallel plan >/dev/null)
'

test_expect_success 'run makes every task done' '
	(cd repo && git parallel run -j 2 >../out 2>../err) &&
	grep "4 done" out &&
	grep "speedup" out
'

test_expect_success 'each branch holds exactly its task'"'"'s work' '
	base=$(git -C repo rev-parse main) &&
	git -C repo diff --name-only $base parallel/T001 >actual &&
	echo src/f1.c >expect && test_cmp expect actual &&
	git -C repo diff --name-only $base parallel/T002 >actual &&
	printf "src/f2.c\nsrc/f3.c\n" >expect && test_cmp expect actual &&
	git -C repo diff --name-only $base parallel/T003 >actual &&
	echo docs/new.md >expect && test_cmp expect actual &&
	git -C repo log -1 --format=%s parallel/T003 >actual &&
	echo "T003: Add docs/new.md" >expect && test_cmp expect actual
'

test_expect_success 'a task with a dependency starts from its dependency'"'"'s result' '
	git -C repo merge-base --is-ancestor parallel/T001 parallel/T004 &&
	git -C repo merge-base --is-ancestor parallel/T003 parallel/T004 &&
	git -C repo diff --name-only parallel/T004^ parallel/T004 >actual &&
	echo src/f4.c >expect && test_cmp expect actual &&
	(cd repo && git parallel status --json) >status.json &&
	json_get status.json "[t[\"files\"] for t in d[\"tasks\"] if t[\"id\"] == \"T004\"][0]" >actual &&
	echo 1 >expect && test_cmp expect actual
'

test_expect_success 'git accepts every worktree' '
	git -C repo worktree list --porcelain >list &&
	for id in T001 T002 T003 T004
	do
		wt="$TRASH_DIRECTORY/repo.parallel/$id" &&
		grep "^worktree $wt\$" list &&
		grep "^branch refs/heads/parallel/$id\$" list &&
		git -C "$wt" status --porcelain >st &&
		test_must_be_empty st &&
		git -C "$wt" rev-parse --abbrev-ref HEAD >actual &&
		echo parallel/$id >expect &&
		test_cmp expect actual || return 1
	done &&
	git -C repo fsck
'

test_expect_success 'status shows the done tasks with commits and files' '
	(cd repo && git parallel status >../out) &&
	grep "^T002  done .*1 commit, 2 files" out &&
	(cd repo && git parallel status --json >../status.json) &&
	json_get status.json "sorted(d[\"tasks\"][0].keys())" >actual &&
	echo "[\"attempts\", \"branch\", \"commits\", \"duration\", \"exit\", \"files\", \"finished\", \"head\", \"id\", \"interrupted\", \"log\", \"merge_reason\", \"orphaned\", \"reason\", \"started\", \"state\", \"wait_time\", \"waiting\", \"worktree\"]" >expect &&
	test_cmp expect actual &&
	json_get status.json "[(t[\"id\"], t[\"state\"], t[\"attempts\"], t[\"exit\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T001\", \"done\", 1, 0], [\"T002\", \"done\", 1, 0], [\"T003\", \"done\", 1, 0], [\"T004\", \"done\", 1, 0]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a second run has nothing left to do' '
	(cd repo && git parallel run >../out 2>../err) &&
	grep "4 done" out &&
	! grep started err
'

test_expect_success 'run --check ends with the check report and its exit status' '
	(cd repo && git parallel run --check >../out 2>../err) &&
	grep "4 done" out &&
	grep "tasks measured" out &&
	echo "stray" >repo.parallel/T001/src/f2.c &&
	(cd repo && test_expect_code 1 git parallel run --check >../out 2>../err) &&
	grep "T001.*src/f2.c" out &&
	git -C repo.parallel/T001 checkout -q -- src/f2.c
'

test_expect_success 'git worktree remove accepts a task worktree' '
	git -C repo worktree remove "$TRASH_DIRECTORY/repo.parallel/T003" &&
	git -C repo fsck
'

test_expect_success 'task data travels in the environment and a 0600 prompt file' '
	new_repo env &&
	cat >env/tasks.md <<-\EOF &&
	- [ ] T001 [P] Use $(touch pwned) and `touch pwned2` in src/a.c
	EOF
	git -C env add . && git -C env commit -q -m tasks &&
	(cd env && git parallel plan tasks.md >/dev/null &&
	 AGENT_ENV="$TRASH_DIRECTORY/envdump" git parallel run --command "$AGENT" >/dev/null 2>&1) &&
	! test -e env/pwned && ! test -e pwned && ! find . -name "pwned*" | grep . &&
	grep "^GIT_PARALLEL_TASK_ID=T001$" envdump.T001 &&
	grep "^GIT_PARALLEL_TITLE=Use \$(touch pwned) and .touch pwned2. in src/a.c$" envdump.T001 &&
	grep "^GIT_PARALLEL_BRANCH=parallel/T001$" envdump.T001 &&
	grep "^GIT_PARALLEL_WORKTREE=$TRASH_DIRECTORY/env.parallel/T001$" envdump.T001 &&
	grep "^GIT_PARALLEL_BASE=$(git -C env rev-parse main)$" envdump.T001 &&
	grep "^GIT_PARALLEL_PATHS=src/a.c$" envdump.T001 &&
	prompt=$(sed -n "s/^GIT_PARALLEL_PROMPT=//p" envdump.T001) &&
	test "$(stat -c %a "$prompt")" = 600 &&
	grep "touch pwned" "$prompt" &&
	! grep "^GIT_DIR=" envdump.T001 &&
	! grep "^GIT_WORK_TREE=" envdump.T001
'

test_expect_success 'run without a plan is an error' '
	new_repo noplan &&
	(cd noplan && test_expect_code 128 git parallel run --command true 2>../err) &&
	grep "no plan yet" err
'

test_expect_success 'run without any command is an error naming the task' '
	new_repo nocmd &&
	echo "- [ ] T001 [P] x in a.c" >nocmd/tasks.md &&
	(cd nocmd && git parallel plan tasks.md >/dev/null &&
	 test_expect_code 128 git parallel run 2>../err) &&
	grep "no command for task .T001." err
'

test_expect_success '--dry-run shows what would run and writes nothing' '
	new_repo dry &&
	echo "- [ ] T001 [P] x in a.c" >dry/tasks.md &&
	(cd dry && git parallel plan tasks.md >/dev/null &&
	 git parallel run --dry-run --command "echo hi" >../out) &&
	grep "T001" out && grep "echo hi" out &&
	! test -e dry.parallel &&
	test_must_fail git -C dry rev-parse --verify -q parallel/T001 &&
	! test -e "$(state_dir dry)/tasks"
'

test_done
