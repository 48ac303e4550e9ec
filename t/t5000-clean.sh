#!/bin/sh

test_description='git parallel clean: removes worktrees and branches, never work'

. ./test-lib.sh

AGENT="$GP_TEST_DIR/lib/agent.sh"

test_expect_success 'setup' '
	new_repo repo &&
	printf -- "- [ ] T001 [P] Edit a.c\n- [ ] T002 [P] Edit b.c\n- [ ] T003 [P] Edit c.c\n" >repo/tasks.md &&
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.md >/dev/null &&
	 git parallel run --command "$AGENT" >/dev/null 2>&1)
'

test_expect_success 'clean needs tasks or --merged/--all' '
	(cd repo && test_expect_code 129 git parallel clean 2>../err) &&
	grep "name the tasks" err
'

test_expect_success 'an unmerged branch is not removed without --force' '
	(cd repo && test_expect_code 1 git parallel clean T001 2>../err) &&
	grep "task .T001.: branch .parallel/T001. has commits not merged into .main." err &&
	git -C repo rev-parse --verify -q parallel/T001 &&
	test -d repo.parallel/T001
'

test_expect_success 'a merged task is removed by --merged; the others stay' '
	git -C repo merge -q --no-edit parallel/T002 &&
	(cd repo && git parallel clean --merged >../out 2>../err) &&
	grep "removed T002" out &&
	! test -e repo.parallel/T002 &&
	test_must_fail git -C repo rev-parse --verify -q parallel/T002 &&
	git -C repo rev-parse --verify -q parallel/T001 &&
	git -C repo worktree list >list &&
	! grep T002 list &&
	git -C repo fsck
'

test_expect_success 'a dirty worktree is not removed; the refusal names the files' '
	echo wip >repo.parallel/T003/wip.txt &&
	(cd repo && test_expect_code 1 git parallel clean --all 2>../err) &&
	grep "task .T003.: .*uncommitted changes (wip.txt)" err &&
	test -f repo.parallel/T003/wip.txt
'

test_expect_success 'clean --force removes them' '
	(cd repo && git parallel clean --all --force >../out) &&
	! test -e repo.parallel/T001 && ! test -e repo.parallel/T003 &&
	test_must_fail git -C repo rev-parse --verify -q parallel/T001 &&
	git -C repo worktree list >list &&
	test_line_count = 1 list &&
	git -C repo fsck
'

test_expect_success 'a worktree deleted by hand is pruned' '
	new_repo gone &&
	echo "- [ ] G1 [P] Edit g.c" >gone/tasks.md &&
	git -C gone add . && git -C gone commit -q -m tasks &&
	(cd gone && git parallel plan tasks.md >/dev/null &&
	 git parallel run --command "$AGENT" >/dev/null 2>&1) &&
	rm -rf gone.parallel/G1 &&
	git -C gone merge -q --no-edit parallel/G1 &&
	(cd gone && git parallel clean G1 >../out) &&
	grep "removed G1" out &&
	git -C gone worktree list >list &&
	test_line_count = 1 list &&
	test_must_fail git -C gone rev-parse --verify -q parallel/G1 &&
	git -C gone fsck
'

test_expect_success 'clean keeps the state: a cleaned done task stays done' '
	(cd gone && git parallel status --json >../status.json) &&
	json_get status.json "d[\"tasks\"][0][\"state\"]" >actual &&
	echo done >expect && test_cmp expect actual &&
	json_get status.json "d[\"tasks\"][0][\"worktree\"]" >actual &&
	echo null >expect && test_cmp expect actual
'

test_done
