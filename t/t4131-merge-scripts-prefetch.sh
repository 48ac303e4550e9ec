#!/bin/sh

test_description='merge asks git for the next task'"'"'s line scripts ahead

When a merge puts into the target a text file that the next task in
plan order modified too, merge asks its git diff-tree for the scripts
that task will need (the base against the new tip and against the
task) before it writes this merge, and reads the answer when the next
task needs it: git diffs while merge works.  The guess takes this
merge'"'"'s base for the next one'"'"'s; a task with another base asks
again, and every result stays git'"'"'s (a git merge-tree loop).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# T1..T4 edit shared.txt (20 lines) apart, in turn; T5 is remade from T1
test_expect_success 'setup: four tasks on one file, a fifth from the first one' '
	mk_tasks r \
		"T1||sed -i s/^2\$/two/ shared.txt" \
		"T2||sed -i s/^8\$/eight/ shared.txt" \
		"T3||sed -i s/^14\$/fourteen/ shared.txt" \
		"T4||sed -i s/^20\$/twenty/ shared.txt" \
		"T5||sed -i s/^11\$/eleven/ shared.txt" &&
	for id in T1 T2 T3 T4 T5
	do
		task_state r $id >actual && echo done >expect &&
		test_cmp expect actual || return 1
	done &&
	(cd r && git parallel clean T5 --force >/dev/null 2>&1 || :) &&
	git -C r worktree list >wt && ! grep "parallel/T5" wt &&
	(cd r && git checkout -q --detach parallel/T1 &&
	 sed -i s/^11\$/eleven/ shared.txt && git commit -q -am t5 &&
	 git update-ref refs/heads/parallel/T5 HEAD && git checkout -q main) &&
	test "$(git -C r merge-base main parallel/T5)" = "$(git -C r rev-parse main)" &&
	cp -R r r2 &&
	# in r2, T5 says where it started: T1'"'"'s head
	sed -i "s/^\(	*start = \).*/\1$(git -C r2 rev-parse parallel/T1)/" "$(state_dir r2)/tasks/T5" &&
	grep "start = $(git -C r2 rev-parse parallel/T1)" "$(state_dir r2)/tasks/T5"
'

test_expect_success 'the next task'"'"'s scripts come ahead; one with another base asks' '
	cp -R r a &&
	rm -f scripts.log &&
	(cd a && GIT_PARALLEL_TEST_SCRIPTS_LOG="$TRASH_DIRECTORY/scripts.log" \
		git parallel merge >../out) &&
	grep "5 merged" out &&
	grep -c "^prefetched 1$" scripts.log >n && echo 4 >expect && test_cmp expect n &&
	grep -c "^asked 1$" scripts.log >n && echo 1 >expect && test_cmp expect n &&
	loop_oracle r r/tasks.ini &&
	grep -c merged loop.out >n && echo 5 >expect && test_cmp expect n &&
	git -C a rev-parse "main^{tree}" >gp.tree && test_cmp loop.tree gp.tree &&
	git -C a log --first-parent --reverse --format=%T -n 5 main >gp.trees &&
	test_cmp loop.trees gp.trees &&
	repo_is_tidy a
'

test_expect_success 'a next task that started elsewhere: nothing asked ahead for it' '
	rm -f scripts.log &&
	(cd r2 && GIT_PARALLEL_TEST_SCRIPTS_LOG="$TRASH_DIRECTORY/scripts.log" \
		git parallel merge >../out) &&
	grep "5 merged" out &&
	grep -c "^prefetched 1$" scripts.log >n && echo 3 >expect && test_cmp expect n &&
	grep -c "^asked 1$" scripts.log >n && echo 1 >expect && test_cmp expect n &&
	git -C r2 rev-parse "main^{tree}" >gp.tree && test_cmp loop.tree gp.tree
'

test_done
