#!/bin/sh

test_description='git parallel merge: untracked and ignored files in the target, against git merge'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"

# setup <dir>: T1 edits a.txt, T2 adds new/b.txt, T3 turns the directory d/
# into a file, T4 adds e/f; then an oracle clone <dir>-git, unmerged
setup () {
	new_repo "$1" &&
	test_seq 1 10 >"$1/a.txt" &&
	mkdir "$1/d" && echo x >"$1/d/x" &&
	cat >"$1/tasks.ini" <<-\EOF &&
	[task "T1"]
		title = edit a
		paths = a.txt
		command = sed -i s/^2\$/two/ a.txt
	[task "T2"]
		title = add new/b.txt
		paths = new/
		command = mkdir new && echo b >new/b.txt
	[task "T3"]
		title = d becomes a file
		paths = d
		command = git rm -q -r d && echo file >d
	[task "T4"]
		title = add e/f
		paths = e/
		command = mkdir e && echo f >e/f
	EOF
	git -C "$1" add . && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	git clone -q "$1" "$1-git" &&
	for id in T1 T2 T3 T4
	do
		git -C "$1-git" fetch -q origin "parallel/$id:parallel/$id" || return 1
	done
}

# git_merges <clone>: git merge --no-ff of every task branch, in order; exit 1 at the first refusal
git_merges () {
	for id in T1 T2 T3 T4
	do
		git -C "$1" merge -q --no-ff --no-edit "parallel/$id" >"$1.out" 2>&1 || return 1
	done
}

test_expect_success 'an untracked file not in the way (tasks.md, new/mine): merged, as git merge does' '
	setup r1 && old=$(git -C r1 rev-parse main) &&
	for r in r1 r1-git
	do
		echo "- [ ] T9 mine" >$r/tasks.md && mkdir $r/new && echo mine >$r/new/mine || return 1
	done &&
	git_merges r1-git &&
	(cd r1 && git parallel merge >../out 2>../err) &&
	grep "4 merged" out &&
	git -C r1 rev-parse main^{tree} >actual &&
	git -C r1-git rev-parse main^{tree} >expect &&
	test_cmp expect actual &&
	for r in r1 r1-git
	do
		echo "- [ ] T9 mine" >expect && test_cmp expect $r/tasks.md &&
		echo mine >expect && test_cmp expect $r/new/mine &&
		git -C $r status --porcelain >st &&
		printf "?? new/mine\n?? tasks.md\n" >expect && test_cmp expect st || return 1
	done &&
	git -C r1 fsck >/dev/null &&
	test "$(git -C r1 rev-list --count $old..main)" -gt 4
'

# refused <repo> <old-tip> <path>...: exit 128 named each path, nothing moved, no task merged
refused () {
	r=$1 old=$2 && shift 2 &&
	(cd $r && test_expect_code 128 git parallel merge >../out 2>../err) &&
	grep "in the way of the merge" err &&
	grep "move or remove them" err &&
	for p
	do
		grep "^	$p\$" err || return 1
	done &&
	test "$(git -C $r rev-parse main)" = "$old" &&
	for id in T1 T2 T3 T4
	do
		task_state $r $id >actual && echo done >expect && test_cmp expect actual || return 1
	done
}

test_expect_success 'an untracked file where the merge adds one: refused, as git merge does' '
	setup r2 && old=$(git -C r2 rev-parse main) &&
	for r in r2 r2-git
	do
		mkdir $r/new && echo precious >$r/new/b.txt || return 1
	done &&
	test_must_fail git_merges r2-git &&
	grep "untracked working tree files would be overwritten" r2-git.out &&
	grep "new/b.txt" r2-git.out &&
	refused r2 $old new/b.txt &&
	echo precious >expect && test_cmp expect r2/new/b.txt &&
	rm r2/new/b.txt &&
	(cd r2 && git parallel merge >../out) && grep "4 merged" out &&
	repo_is_tidy r2
'

test_expect_success 'an untracked file inside a directory the merge turns into a file: refused, as git merge does' '
	setup r3 && old=$(git -C r3 rev-parse main) &&
	for r in r3 r3-git
	do
		echo precious >$r/d/mine || return 1
	done &&
	test_must_fail git_merges r3-git &&
	grep "would lose untracked files" r3-git.out && grep "^	d\$" r3-git.out &&
	refused r3 $old d/mine &&
	! grep "^	d/x\$" err &&
	echo precious >expect && test_cmp expect r3/d/mine &&
	echo x >expect && test_cmp expect r3/d/x
'

test_expect_success 'an untracked file where the merge needs a directory: refused, as git merge does' '
	setup r4 && old=$(git -C r4 rev-parse main) &&
	for r in r4 r4-git
	do
		echo precious >$r/e || return 1
	done &&
	test_must_fail git_merges r4-git &&
	grep "would be overwritten\|would be lost" r4-git.out &&
	refused r4 $old e &&
	echo precious >expect && test_cmp expect r4/e &&
	(cd r4 && test_expect_code 128 git parallel merge --json >../out.json 2>/dev/null) &&
	json_get out.json "[d[\"status\"], d[\"in_the_way\"], d[\"dirty\"]]" >actual &&
	echo "[\"refused\", true, [\"e\"]]" >expect && test_cmp expect actual
'

test_expect_success 'an ignored file in the way: refused, where git merge overwrites it' '
	setup r5 && old=$(git -C r5 rev-parse main) &&
	for r in r5 r5-git
	do
		echo "new/" >>$r/.git/info/exclude &&
		mkdir $r/new && echo precious >$r/new/b.txt || return 1
	done &&
	git -C r5 status --porcelain --ignored >st && grep "^!! new/" st &&
	git_merges r5-git &&
	echo b >expect && test_cmp expect r5-git/new/b.txt &&
	refused r5 $old new/b.txt &&
	echo precious >expect && test_cmp expect r5/new/b.txt
'

test_expect_success '--dry-run warns of an untracked file in the way and writes nothing' '
	setup r6 && old=$(git -C r6 rev-parse main) &&
	echo precious >r6/e &&
	(cd r6 && git parallel merge --dry-run >../out 2>../err) &&
	grep "warning: untracked file .e. .* is in the way" err &&
	test "$(git -C r6 rev-parse main)" = "$old" &&
	echo precious >expect && test_cmp expect r6/e
'

test_expect_success 'a modified tracked file is still refused, untracked files alongside or not' '
	setup r7 && old=$(git -C r7 rev-parse main) &&
	echo mine >>r7/a.txt && echo u >r7/untracked &&
	(cd r7 && test_expect_code 128 git parallel merge 2>../err) &&
	grep "uncommitted changes" err && grep "^	a.txt$" err &&
	! grep "untracked or ignored" err &&
	grep "commit or stash them" err &&
	test "$(git -C r7 rev-parse main)" = "$old" &&
	git -C r7 add a.txt &&
	(cd r7 && test_expect_code 128 git parallel merge 2>../err) &&
	grep "^	a.txt$" err &&
	test "$(git -C r7 rev-parse main)" = "$old" &&
	(cd r7 && test_expect_code 128 git parallel merge --json >../out.json 2>/dev/null) &&
	json_get out.json "[d[\"in_the_way\"], d[\"dirty\"]]" >actual &&
	echo "[false, [\"a.txt\"]]" >expect && test_cmp expect actual
'

test_done
