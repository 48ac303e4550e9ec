#!/bin/sh

test_description='run killed while it creates a task worktree: the half-made worktree is never used as it is'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# An agent that records what git status said before it did anything, then
# adds one file (commit = auto commits it).
cat >agent <<\EOF_AGENT
#!/bin/sh
git status --porcelain >"$STATUS_LOG.$GIT_PARALLEL_TASK_ID" || exit 1
echo "$GIT_PARALLEL_TASK_ID" >"$GIT_PARALLEL_TASK_ID-new.txt"
EOF_AGENT
chmod +x agent
AGENT="\"$TRASH_DIRECTORY/agent\""
STATUS_LOG="$TRASH_DIRECTORY/status" && export STATUS_LOG

# 300 files in 10 directories, made once and cloned by big_repo (the
# crash points are at fixed steps of the checkout, half of its files for
# worktree-mid-checkout: the size only has to leave files on both sides).
test_expect_success 'setup: a commit of 300 files' '
	new_repo big &&
	(cd big &&
	 i=0 &&
	 while test $i -lt 10
	 do
		mkdir d$i && j=0 &&
		while test $j -lt 30
		do
			echo "file $i/$j" >d$i/f$j.txt && j=$((j + 1)) || exit 1
		done &&
		i=$((i + 1)) || exit 1
	 done &&
	 git add . && git commit -q -m "300 files")
'

# big_repo <dir> <id>...: a repository of its own with those 300 files
# (no remote), INI tasks planned.
big_repo () {
	dir=$1 && shift &&
	git clone -q big "$dir" &&
	git -C "$dir" remote remove origin &&
	(cd "$dir" &&
	 for id in "$@"
	 do
		printf '[task "%s"]\n\ttitle = task %s\n\tpaths = %s-new.txt\n' "$id" "$id" "$id" >>tasks.ini
	 done &&
	 git add . && git commit -q -m tasks &&
	 git parallel plan tasks.ini >/dev/null)
}


# complete <repo> <id>: the task is done; its worktree had every file and
# nothing to report before the command ran; its commits delete nothing.
complete () {
	echo done >expect &&
	task_field "$1" $2 state >actual && test_cmp expect actual &&
	test_must_be_empty "$STATUS_LOG.$2" &&
	git -C "$1.parallel/$2" ls-files >files && test_line_count = 303 files &&
	git -C "$1.parallel/$2" status --porcelain >st && test_must_be_empty st &&
	git -C "$1" diff --name-only --diff-filter=D main "parallel/$2" >deleted &&
	test_must_be_empty deleted &&
	git -C "$1" diff --name-only main "parallel/$2" >changed &&
	echo "$2-new.txt" >expect && test_cmp expect changed &&
	repo_sane "$1" &&
	git -C "$1" worktree list >wt && grep "$1.parallel/$2 .*\[parallel/$2\]" wt &&
	git -C "$1" worktree prune -n -v >prune && test_must_be_empty prune
}

test_expect_success 'killed halfway through the checkout: the next run makes the worktree again' '
	big_repo mid K1 &&
	crash_run mid worktree-mid-checkout --command "$AGENT" &&
	find mid.parallel/K1 -name "f*.txt" >written &&
	test $(wc -l <written) -gt 0 && test $(wc -l <written) -lt 300 &&
	test -e mid/.git/worktrees/K1/gp-creating &&
	(cd mid && git parallel run --command "$AGENT" >../out 2>../err) &&
	complete mid K1 &&
	! test -e mid/.git/worktrees/K1/gp-creating &&
	echo K1 >expect && test_cmp expect mid/.git/worktrees/K1/gp-task
'

test_expect_success 'killed after the checkout, before it was verified: made again' '
	big_repo ver K1 &&
	crash_run ver worktree-before-verified --command "$AGENT" &&
	test -e ver/.git/worktrees/K1/gp-creating &&
	(cd ver && git parallel run --command "$AGENT" >../out 2>../err) &&
	complete ver K1
'

test_expect_success 'killed right after git_worktree_add (no marker, no index): made again' '
	big_repo add K1 K2 &&
	crash_run add worktree-after-add -j 2 --command "$AGENT" &&
	(cd add && git parallel run -j 2 --command "$AGENT" >../out 2>../err) &&
	complete add K1 && complete add K2
'

test_expect_success 'an admin directory without HEAD (killed inside git worktree add): made again' '
	big_repo nohead K1 &&
	crash_run nohead worktree-after-add --command "$AGENT" &&
	rm nohead/.git/worktrees/K1/HEAD &&
	(cd nohead && git parallel run --command "$AGENT" >../out 2>../err) &&
	complete nohead K1
'

test_expect_success 'a stale index.lock in a clean worktree: made again; with changes: refused, then fine' '
	big_repo lock K1 K2 &&
	crash_run lock worktree-before-verified K1 --command "$AGENT" &&
	rm lock/.git/worktrees/K1/gp-creating &&
	: >lock/.git/worktrees/K1/index.lock &&
	(cd lock && git parallel run K1 --command "$AGENT" >../out 2>../err) &&
	complete lock K1 &&
	crash_run lock worktree-before-verified K2 --command "$AGENT" &&
	rm lock/.git/worktrees/K2/gp-creating &&
	echo precious >lock.parallel/K2/d1/f1.txt &&
	: >lock/.git/worktrees/K2/index.lock &&
	(cd lock && test_expect_code 1 git parallel run K2 --command "$AGENT" >../out 2>../err) &&
	grep "K2.*stale lock .*index.lock. and uncommitted changes" err &&
	echo precious >expect && test_cmp expect lock.parallel/K2/d1/f1.txt &&
	rm lock/.git/worktrees/K2/index.lock &&
	(cd lock && git parallel run K2 --command "$AGENT" >../out 2>../err) &&
	git -C lock show parallel/K2:d1/f1.txt >actual && test_cmp expect actual
'

test_expect_success 'a half-made worktree with a file its checkout did not write: refused, kept, then fine' '
	big_repo work K1 &&
	crash_run work worktree-mid-checkout --command "$AGENT" &&
	echo mine >work.parallel/K1/notes.txt &&
	(cd work && test_expect_code 1 git parallel run --command "$AGENT" >../out 2>../err) &&
	grep "K1.*not completely created.*(notes.txt)" err &&
	echo mine >expect && test_cmp expect work.parallel/K1/notes.txt &&
	echo failed >expect && task_field work K1 state >actual && test_cmp expect actual &&
	rm work.parallel/K1/notes.txt &&
	(cd work && git parallel run --command "$AGENT" >../out 2>../err) &&
	complete work K1
'

test_expect_success 'clean removes a half-made worktree; one with a file of somebody: refused, named' '
	big_repo cl K1 K2 &&
	crash_run cl worktree-mid-checkout K1 --command "$AGENT" &&
	(cd cl && git parallel clean K1 >../out 2>../err) &&
	grep "removed K1 (worktree and branch)" out &&
	! test -e cl.parallel/K1 &&
	test_must_fail git -C cl rev-parse --verify -q parallel/K1 &&
	git -C cl worktree list >list && test_line_count = 1 list &&
	repo_sane cl &&
	crash_run cl worktree-mid-checkout K2 --command "$AGENT" &&
	echo mine >cl.parallel/K2/notes.txt &&
	(cd cl && test_expect_code 1 git parallel clean K2 >../out 2>../err) &&
	grep "task .K2.: worktree .*cl.parallel/K2. was not completely created and has files its checkout did not write (notes.txt)" err &&
	echo mine >expect && test_cmp expect cl.parallel/K2/notes.txt
'

test_done
