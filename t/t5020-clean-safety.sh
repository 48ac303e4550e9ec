#!/bin/sh

test_description='git parallel clean: touches only what it made, keeps every commit, knows squash merges'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

AGENT="$GP_TEST_DIR/lib/agent.sh"

test_expect_success 'setup' '
	new_repo repo &&
	printf -- "- [ ] D1 [P] Edit d1.c\n- [ ] R1 [P] Edit r1.c\n- [ ] S1 [P] Edit s1.c\n- [ ] S2 [P] Edit s2.c\n- [ ] U1 [P] Edit u1.c\n- [ ] U2 [P] Edit u2.c\n" >repo/tasks.md &&
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.md >/dev/null &&
	 git parallel run D1 R1 S1 S2 --command "$AGENT" >/dev/null 2>&1) &&
	echo 4 >expect && git -C repo worktree list | grep -c "parallel/" >actual && test_cmp expect actual
'

test_expect_success 'a user worktree at a task place, and one named like a task elsewhere: left alone' '
	git -C repo worktree add -q ../repo.parallel/U1 &&
	echo mine >repo.parallel/U1/mine.txt &&
	git -C repo worktree add -q -b u2-mine ../elsewhere/U2 &&
	(cd repo && test_expect_code 1 git parallel clean --all --force U1 U2 >../out 2>../err) &&
	grep "task .U1.: the worktree named .U1. was not made by git-parallel for this task; left alone" err &&
	grep "task .U2.: the worktree named .U2. was not made by git-parallel" err &&
	echo mine >expect && test_cmp expect repo.parallel/U1/mine.txt &&
	test -d elsewhere/U2 &&
	git -C repo worktree list >list &&
	grep "repo.parallel/U1 .*\[U1\]" list && grep "elsewhere/U2 .*\[u2-mine\]" list &&
	git -C repo rev-parse --verify -q u2-mine && git -C repo rev-parse --verify -q U1 &&
	git -C repo fsck
'

test_expect_success 'a commit on a detached HEAD in the worktree is kept under refs/parallel/kept' '
	(cd repo.parallel/D1 && git checkout -q --detach && echo lost >lost.txt &&
	 git add lost.txt && git commit -q -m "on a detached HEAD") &&
	lost=$(git -C repo.parallel/D1 rev-parse HEAD) &&
	git -C repo merge -q --no-edit parallel/D1 &&
	(cd repo && git parallel clean D1 >../out 2>../err) &&
	grep "removed D1" out &&
	short=$(echo $lost | cut -c1-12) &&
	grep "kept refs/parallel/kept/D1/$short (task D1" out &&
	! test -e repo.parallel/D1 &&
	test_must_fail git -C repo rev-parse --verify -q parallel/D1 &&
	echo $lost >expect && git -C repo rev-parse refs/parallel/kept/D1/$short >actual && test_cmp expect actual &&
	git -C repo gc -q --prune=now &&
	git -C repo cat-file -e $lost &&
	git -C repo fsck --unreachable >unreachable 2>&1 &&
	! grep $lost unreachable
'

test_expect_success 'a commit the branch was reset away from is kept' '
	(cd repo.parallel/R1 && echo gone >gone.txt && git add gone.txt &&
	 git commit -q -m "reset away" && git reset -q --hard HEAD~1) &&
	lost=$(git -C repo rev-parse parallel/R1@{1}) &&
	git -C repo log --format=%s -1 $lost >subject && grep "reset away" subject &&
	git -C repo merge -q --no-edit parallel/R1 &&
	# U1: the user worktree at its place is left alone (exit 1)
	(cd repo && test_expect_code 1 git parallel clean --merged >../out 2>../err) &&
	grep "task .U1.: .*left alone" err &&
	grep "removed R1" out &&
	short=$(echo $lost | cut -c1-12) &&
	grep "kept refs/parallel/kept/R1/$short" out &&
	git -C repo gc -q --prune=now &&
	git -C repo cat-file -e $lost &&
	git -C repo for-each-ref --format="%(refname)" refs/parallel/kept/ >kept &&
	test_line_count = 2 kept
'

test_expect_success 'a squash-merged task is merged for clean --merged; nothing is kept for it' '
	(cd repo && git parallel merge --squash S1 >../out 2>../err) &&
	(cd repo && test_expect_code 1 git parallel clean --merged >../out 2>../err) &&
	grep "removed S1" out &&
	! test -e repo.parallel/S1 &&
	test_must_fail git -C repo rev-parse --verify -q parallel/S1 &&
	git -C repo for-each-ref refs/parallel/kept/S1 >kept && test_must_be_empty kept &&
	git -C repo fsck
'

test_expect_success 'a squash-merged task with commits after the merge is not merged' '
	(cd repo && git parallel merge --squash S2 >../out 2>../err) &&
	(cd repo.parallel/S2 && echo more >more.txt && git add more.txt && git commit -q -m more) &&
	(cd repo && test_expect_code 1 git parallel clean --merged >../out 2>../err) &&
	! grep S2 out &&
	git -C repo rev-parse --verify -q parallel/S2 && test -d repo.parallel/S2 &&
	(cd repo && test_expect_code 1 git parallel clean S2 2>../err) &&
	grep "task .S2.: branch .parallel/S2. has commits not merged into .main." err
'

test_expect_success 'a branch named like a task but not made by git-parallel is left alone' '
	git -C repo worktree remove ../elsewhere/U2 &&
	git -C repo branch parallel/U2 main &&
	(cd repo && test_expect_code 1 git parallel clean --all --force U2 >../out 2>../err) &&
	grep "task .U2.: branch .parallel/U2. was not made by git-parallel for this task; left alone" err &&
	git -C repo rev-parse --verify -q parallel/U2
'

test_done
