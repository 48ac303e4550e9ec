#!/bin/sh

test_description='several features at once: colliding IDs are qualified by feature, and run/status/merge/clean take them'

. ./test-lib.sh

AGENT="$GP_TEST_DIR/lib/agent.sh"

test_expect_success 'setup: two spec-kit features that both start at T001' '
	new_repo repo &&
	mkdir -p repo/specs/001-events repo/specs/002-chat &&
	cat >repo/specs/001-events/tasks.md <<-\EOF &&
	## Phase 1: Setup
	- [ ] T001 [P] Create src/events/model.py
	- [ ] T002 [P] Create src/events/api.py (depends on T001)
	EOF
	cat >repo/specs/002-chat/tasks.md <<-\EOF &&
	## Phase 1: Setup
	- [ ] T001 [P] Create src/chat/model.py
	- [ ] T002 [P] Create src/chat/api.py (depends on T001)
	EOF
	printf "[parallel]\n\tcommand = %s\n" "$AGENT" >repo/.gitparallel &&
	git -C repo add . &&
	git -C repo commit -q -m features
'

test_expect_success 'one plan, IDs qualified by feature, dependencies within each file' '
	(cd repo && git parallel plan --json specs/001-events/tasks.md specs/002-chat/tasks.md \
		>../plan.json 2>../err) &&
	grep "^warning: task IDs such as .T001. are in more than one task file" err &&
	json_get plan.json "\" \".join(t[\"id\"] for t in d[\"tasks\"])" >actual &&
	echo "001-events/T001 001-events/T002 002-chat/T001 002-chat/T002" >expect &&
	test_cmp expect actual &&
	json_get plan.json "[x[\"id\"] for t in d[\"tasks\"] if t[\"id\"] == \"002-chat/T002\" for x in t[\"depends\"]]" >actual &&
	echo "[\"002-chat/T001\"]" >expect &&
	test_cmp expect actual &&
	git check-ref-format "refs/heads/parallel/001-events/T001"
'

test_expect_success 'a file alone keeps its plain IDs' '
	(cd repo && git parallel plan --json specs/002-chat/tasks.md >../one.json 2>../err) &&
	test_must_be_empty err &&
	json_get one.json "\" \".join(t[\"id\"] for t in d[\"tasks\"])" >actual &&
	echo "T001 T002" >expect &&
	test_cmp expect actual
'

test_expect_success 'run, status, merge and clean take the qualified IDs' '
	(cd repo && git parallel plan specs/001-events/tasks.md specs/002-chat/tasks.md >/dev/null 2>&1 &&
	 git parallel run -j 2 >../run.out 2>&1) &&
	grep "4 done" run.out &&
	git -C repo rev-parse --verify refs/heads/parallel/001-events/T001 &&
	git -C repo rev-parse --verify refs/heads/parallel/002-chat/T002 &&
	git -C repo show parallel/002-chat/T001:src/chat/model.py >actual &&
	echo "002-chat/T001 was here" >expect &&
	test_cmp expect actual &&
	git -C repo worktree list >wt &&
	grep "001-events+T001" wt &&
	(cd repo && git parallel status 002-chat/T001 >../status.out) &&
	grep "002-chat/T001" status.out &&
	(cd repo && git parallel merge --dry-run --verify true >../verify.out 2>&1) &&
	grep "^001-events/T001  *merged" verify.out &&
	git -C repo worktree list >wt && ! grep gp-verify wt &&
	(cd repo && git parallel merge >../merge.out 2>&1) &&
	git -C repo show main:src/events/api.py >actual &&
	echo "001-events/T002 was here" >expect &&
	test_cmp expect actual &&
	(cd repo && git parallel clean --merged >../clean.out 2>&1) &&
	git -C repo worktree list >wt &&
	! grep "+T00" wt &&
	test_must_fail git -C repo rev-parse --verify -q refs/heads/parallel/001-events/T001 &&
	git -C repo fsck --no-progress
'

test_expect_success 'duplicates inside one file that are all done are a warning' '
	printf "%s\n" "- [x] 1. Done once" "- [x] 1. Done once" "- [ ] 2. Next in b.txt" >repo/dup.md &&
	(cd repo && git parallel plan --json dup.md >../dup.json 2>../err) &&
	grep "^warning: duplicate task ID .1. (dup.md:1 and dup.md:2), both done: the second is listed as .1-L2." err &&
	printf "%s\n" "- [x] 1. Done once" "- [ ] 1. Not done" >repo/dup2.md &&
	(cd repo && test_must_fail git parallel plan dup2.md 2>../err) &&
	grep "^fatal: duplicate task ID .1. (dup2.md:1 and dup2.md:2)" err
'

test_done
