#!/bin/sh

test_description='git parallel merge: a dirty or locked target, a moved ref, a lost branch, kill -9'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"

test_expect_success 'target dirty in a file the merge touches: refused, nothing changed' '
	three d1 && old=$(git -C d1 rev-parse main) &&
	echo mine >>d1/a.txt &&
	git -C d1 status --porcelain >before &&
	(cd d1 && test_expect_code 128 git parallel merge >../out 2>../err) &&
	grep "uncommitted changes" err && grep "^	a.txt$" err &&
	unchanged d1 $old &&
	git -C d1 status --porcelain >after && test_cmp before after &&
	tail -1 d1/a.txt >actual && echo mine >expect && test_cmp expect actual
'

test_expect_success 'target dirty in an unrelated file: refused as well' '
	three d2 && old=$(git -C d2 rev-parse main) &&
	echo mine >>d2/README &&
	(cd d2 && test_expect_code 128 git parallel merge 2>../err) &&
	grep "^	README$" err &&
	unchanged d2 $old &&
	git -C d2 checkout README &&
	(cd d2 && git parallel merge >/dev/null) &&
	repo_is_tidy d2
'

test_expect_success 'an untracked file in the way: refused, the file kept' '
	three d3 && old=$(git -C d3 rev-parse main) &&
	echo precious >d3/b.txt &&
	(cd d3 && test_expect_code 128 git parallel merge 2>../err) &&
	grep "^	b.txt$" err &&
	unchanged d3 $old &&
	echo precious >expect && test_cmp expect d3/b.txt
'

test_expect_success 'index.lock held by another process: refused, nothing touched' '
	three d4 && old=$(git -C d4 rev-parse main) &&
	>d4/.git/index.lock &&
	(cd d4 && test_expect_code 128 git parallel merge 2>../err) &&
	grep "index.lock" err &&
	unchanged d4 $old &&
	test -e d4/.git/index.lock &&
	rm d4/.git/index.lock &&
	git -C d4 status --porcelain >st && test_must_be_empty st
'

test_expect_success 'index.lock is held by the merge while it updates: no git process writes the index' '
	three d5 && old=$(git -C d5 rev-parse main) &&
	(cd d5 && GIT_PARALLEL_TEST_HOOK_AFTER_UPDATE="grep \"^git-parallel merge \" .git/index.lock >../lock-held &&
		! git add README 2>../add.err" \
		git parallel merge >../out 2>../err) &&
	test -s lock-held && grep "index.lock" add.err &&
	grep "3 merged" out &&
	! test -e d5/.git/index.lock &&
	repo_is_tidy d5 && test -e d5/b.txt
'

test_expect_success 'the target moved by another process (during --verify): nothing overwritten' '
	three d6 &&
	(cd d6 && test_expect_code 128 git parallel merge \
		--verify "git -C \"$TRASH_DIRECTORY/d6\" commit -q --allow-empty -m sneaky" >../out 2>../err) &&
	grep "moved meanwhile" err &&
	git -C d6 log -1 --format=%s main >actual && echo sneaky >expect && test_cmp expect actual &&
	for id in T1 T2 T3; do task_state d6 $id >actual && echo done >expect && test_cmp expect actual || return 1; done &&
	repo_is_tidy d6
'

test_expect_success 'the target moved just before the update (hook): nothing overwritten' '
	three d7 &&
	side=$(git -C d7 commit-tree -p main -m side main^{tree}) &&
	(cd d7 && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="git update-ref refs/heads/main $side" \
		test_expect_code 128 git parallel merge >../out 2>../err) &&
	grep "moved meanwhile" err &&
	test "$(git -C d7 rev-parse main)" = "$side" &&
	git -C d7 reset -q --hard main &&
	(cd d7 && git parallel merge >/dev/null) &&
	git -C d7 merge-base --is-ancestor $side main && repo_is_tidy d7
'

test_expect_success 'a task branch deleted: that task fails, the rest merge' '
	three d8 &&
	git -C d8 worktree remove --force ../d8.parallel/T2 &&
	git -C d8 branch -D parallel/T2 &&
	(cd d8 && test_expect_code 1 git parallel merge >../out) &&
	grep "^T2  *failed  *its branch .parallel/T2. is gone" out &&
	git -C d8 merge-base --is-ancestor parallel/T1 main &&
	git -C d8 merge-base --is-ancestor parallel/T3 main &&
	repo_is_tidy d8
'

test_expect_success 'kill -9 after the ref moved: the next merge finishes the job' '
	three d9 && oracle d9 d9-oracle T1 T2 T3 &&
	(cd d9 && GIT_PARALLEL_TEST_HOOK_AFTER_UPDATE="kill -9 \$PPID" git parallel merge >/dev/null 2>&1;
	 test $? = 137) &&
	(cd d9 && git parallel merge >../out 2>../err) &&
	grep "finished an interrupted merge" err &&
	git -C d9 rev-parse main^{tree} >actual &&
	git -C d9-oracle rev-parse main^{tree} >expect &&
	test_cmp expect actual &&
	git -C d9 log --merges --format=%s main >merges &&
	test_line_count = 3 merges &&
	for id in T1 T2 T3; do task_state d9 $id >actual && echo merged >expect && test_cmp expect actual || return 1; done &&
	repo_is_tidy d9
'

test_expect_success 'kill -9 before the ref moved: the next merge does it all, once' '
	three d10 && old=$(git -C d10 rev-parse main) &&
	(cd d10 && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="kill -9 \$PPID" git parallel merge >/dev/null 2>&1;
	 test $? = 137) &&
	test "$(git -C d10 rev-parse main)" = "$old" &&
	git -C d10 status --porcelain >st && test_must_be_empty st &&
	(cd d10 && git parallel merge >../out 2>../err) &&
	grep "3 merged" out &&
	git -C d10 log --merges --format=%s main >merges &&
	test_line_count = 3 merges &&
	repo_is_tidy d10
'

test_expect_success 'kill -9 of a squash merge after the ref moved: recorded, not merged twice' '
	three d11 &&
	(cd d11 && GIT_PARALLEL_TEST_HOOK_AFTER_UPDATE="kill -9 \$PPID" git parallel merge --squash >/dev/null 2>&1;
	 test $? = 137) &&
	(cd d11 && git parallel merge --squash >../out 2>../err) &&
	grep "finished an interrupted merge" err &&
	git -C d11 log --format=%s main >log &&
	test $(grep -c "^T[123]: " log) = 3 &&
	repo_is_tidy d11
'

test_expect_success 'two merges at once: the second is refused' '
	three d12 &&
	(cd d12 && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="cd \"$TRASH_DIRECTORY/d12\" && git parallel merge 2>\"$TRASH_DIRECTORY/err2\"; echo \$? >\"$TRASH_DIRECTORY/rc2\"" \
		git parallel merge >/dev/null) &&
	echo 128 >expect && test_cmp expect rc2 &&
	grep "another git parallel merge is in progress" err2 &&
	repo_is_tidy d12
'

test_done
