#!/bin/sh

test_description='fault injection in merge: kill -9 at every step, two merges racing, a user committing meanwhile'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# three <repo>: tasks T1 (edits a.txt), T2 (adds b.txt), T3 (edits c.txt),
# run and done; a clone <repo>-oracle merged the same with git merge --no-ff.
three () {
	new_repo "$1" &&
	test_seq 1 10 >"$1/a.txt" && test_seq 1 10 >"$1/c.txt" &&
	cat >"$1/tasks.ini" <<-\EOF &&
	[task "T1"]
		paths = a.txt
		command = sed -i s/^2\$/two/ a.txt
	[task "T2"]
		paths = b.txt
		command = echo b >b.txt
	[task "T3"]
		paths = c.txt
		command = sed -i s/^5\$/five/ c.txt
	EOF
	git -C "$1" add . && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	git clone -q "$1" "$1-oracle" &&
	for id in T1 T2 T3
	do
		git -C "$1-oracle" fetch -q origin "parallel/$id:parallel/$id" &&
		git -C "$1-oracle" merge -q --no-ff --no-edit "parallel/$id" || return 1
	done
}

# merged_once <repo>: main has exactly the oracle's tree, three merge
# commits, every task merged, a clean worktree and no journal.
merged_once () {
	git -C "$1" rev-parse main^{tree} >actual &&
	git -C "$1-oracle" rev-parse main^{tree} >expect &&
	test_cmp expect actual &&
	git -C "$1" rev-list --merges main >merges &&
	test_line_count = 3 merges &&
	for id in T1 T2 T3
	do
		echo merged >expect &&
		task_field "$1" $id state >actual && test_cmp expect actual || return 1
	done &&
	git -C "$1" status --porcelain >st && test_must_be_empty st &&
	! test -e "$(state_dir "$1")/merge-journal" &&
	repo_sane "$1"
}

for point in merge-after-journal merge-after-ref merge-before-states merge-mid-states
do
	test_expect_success "kill -9 at $point: no damage, the next merge finishes, once" '
		three $point &&
		old=$(git -C $point rev-parse main) &&
		{
			(cd $point && GIT_PARALLEL_TEST_CRASH_AT=$point git parallel merge >../out 2>../err)
			rc=$?
		} &&
		test_crashed $rc &&
		repo_sane $point &&
		git -C $point rev-list --merges main >merges &&
		if test $point = merge-after-journal
		then
			test "$(git -C $point rev-parse main)" = $old &&
			test_must_be_empty merges
		else
			test_line_count = 3 merges
		fi &&
		(cd $point && git parallel status >../st) &&
		(cd $point && git parallel merge >../out 2>../err) &&
		merged_once $point &&
		(cd $point && git parallel merge >../out 2>../err) &&
		git -C $point rev-list --merges main >merges &&
		test_line_count = 3 merges
	'
done

test_expect_success 'kill -9 after the ref moved: status tells what happened before the next merge' '
	three truth &&
	(cd truth && GIT_PARALLEL_TEST_CRASH_AT=merge-after-ref git parallel merge >/dev/null 2>&1; test $? = 137) &&
	test -e "$(state_dir truth)/merge-journal" &&
	task_field truth T1 state >actual && echo done >expect && test_cmp expect actual &&
	(cd truth && git parallel merge --dry-run >../out 2>../err) &&
	test -e "$(state_dir truth)/merge-journal" &&
	(cd truth && git parallel merge >../out 2>../err) &&
	grep "finished an interrupted merge into .main." err &&
	merged_once truth
'

test_expect_success 'two merges: the second, while the first holds the lock, is refused with its pid' '
	three race &&
	{ (cd race && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="sleep 2" exec git-parallel merge >../out1 2>../err1) & } &&
	echo $! >pid1 &&
	n=0 &&
	while ! test -e "$(state_dir race)/merge-journal"
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1
	done &&
	(cd race && test_expect_code 128 git parallel merge >../out2 2>../err2) &&
	test_one_line_error err2 &&
	grep "another git parallel merge is in progress (pid $(cat pid1))" err2 &&
	wait $(cat pid1) &&
	merged_once race
'

test_expect_success 'two merges started at once: the tasks are merged once' '
	three race2 &&
	{ (cd race2 && exec git-parallel merge >../out1 2>../err1) & } &&
	echo $! >pid1 &&
	{ (cd race2 && exec git-parallel merge >../out2 2>../err2) & } &&
	echo $! >pid2 &&
	{ wait $(cat pid1); echo $? >rc1; } &&
	{ wait $(cat pid2); echo $? >rc2; } &&
	for i in 1 2
	do
		case $(cat rc$i) in
		0) ;;
		128) grep "another git parallel merge is in progress" err$i ;;
		*) false ;;
		esac || return 1
	done &&
	merged_once race2
'

test_expect_success 'a user commits to the target while merge runs: kept, nothing overwritten' '
	three user &&
	old=$(git -C user rev-parse --short=12 main) &&
	hook="echo mine >user.txt && git add user.txt && git commit -q -m \"user commit\"" &&
	(cd user && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="$hook" \
		test_expect_code 128 git parallel merge >../out 2>../err) &&
	test_one_line_error err &&
	now=$(git -C user rev-parse --short=12 main) &&
	grep "^fatal: .main. moved meanwhile (from $old to $now).*nothing was overwritten" err &&
	git -C user log -1 --format=%s main >actual &&
	echo "user commit" >expect && test_cmp expect actual &&
	echo mine >expect && test_cmp expect user/user.txt &&
	git -C user status --porcelain >st && test_must_be_empty st &&
	for id in T1 T2 T3
	do
		task_field user $id state >actual && echo done >expect &&
		test_cmp expect actual || return 1
	done &&
	repo_sane user &&
	user_commit=$(git -C user rev-parse main) &&
	(cd user && git parallel merge >../out 2>../err) &&
	git -C user merge-base --is-ancestor $user_commit main &&
	git -C user rev-list --merges main >merges && test_line_count = 3 merges &&
	echo mine >expect && git -C user show main:user.txt >actual && test_cmp expect actual &&
	git -C user status --porcelain >st && test_must_be_empty st &&
	repo_sane user
'

test_done
