#!/bin/sh

test_description='check: a task branch moved without its worktree

When something moves a task'"'"'s branch without its worktree (git
update-ref, a push into it, another task'"'"'s command), the worktree'"'"'s index
and files stay at the old head and git status there shows the move undone.
check measured that worktree as uncommitted work and saw the branch'"'"'s new
files undone (1 file) while status counted the branch (3 files).  Now
check says so and measures the branch, as status counts it; work left
staged by git reset --soft and plainly staged files still count as
uncommitted.'

. ./test-lib.sh

# move_branch <id> <file>...: commit <file>s (content "moved") on top of the
# task'"'"'s branch without touching its worktree, and move the branch there
move_branch () {
	id=$1 && shift &&
	old=$(git -C repo rev-parse "parallel/$id") &&
	rm -f idx && GIT_INDEX_FILE=$PWD/idx git -C repo read-tree "$old" &&
	blob=$(echo moved | git -C repo hash-object -w --stdin) &&
	for f in "$@"
	do
		GIT_INDEX_FILE=$PWD/idx git -C repo update-index --add --cacheinfo "100644,$blob,$f" || return 1
	done &&
	tree=$(GIT_INDEX_FILE=$PWD/idx git -C repo write-tree) &&
	new=$(git -C repo commit-tree -p "$old" -m "moved from outside" "$tree") &&
	git -C repo update-ref "refs/heads/parallel/$id" "$new" "$old"
}

# files <id>: the number of files check --json measured for the task
files () {
	(cd repo && git parallel check --json >../c.json; test $? -le 1) &&
	json_get c.json "len([t for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0][\"files\"])"
}

# git_files <id>: git'"'"'s count, from the task'"'"'s start to its branch
git_files () {
	start=$(sed -n "s/^	start = //p" "$(state_dir repo)/tasks/$1") &&
	git -C repo diff --name-only "$start" "parallel/$1" | wc -l | tr -d " "
}

status_files () {
	(cd repo && git parallel status --json >../s.json) &&
	json_get s.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0][\"files\"]"
}

test_expect_success 'setup: four finished tasks' '
	new_repo repo &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "M"]
		command = echo m >m.txt
	[task "N"]
		command = echo n >n.txt
	[task "S"]
		command = echo s >s.txt && git add s.txt && git commit -q -m s && echo s2 >s2.txt
	[task "P"]
		command = echo p >p.txt
	EOF
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	(cd repo && git parallel status >../st.out) &&
	test $(grep -c " done " st.out) = 4
'

test_expect_success 'the agent committed more, then the branch moved without the worktree' '
	echo more >repo.parallel/M/more.txt &&
	git -C repo.parallel/M add more.txt && git -C repo.parallel/M commit -q -m more &&
	move_branch M x.txt y.txt &&
	git -C repo.parallel/M status --porcelain >gs &&
	grep "^D  x.txt" gs && grep "^D  y.txt" gs &&
	git_files M >expect && echo 4 >expect.literal && test_cmp expect.literal expect &&
	status_files M >actual && test_cmp expect actual &&
	files M >actual && test_cmp expect actual &&
	(cd repo && git parallel check >../check.out; test $? -le 1) &&
	grep "note: its branch parallel/M moved from [0-9a-f]* to [0-9a-f]* without its worktree .*/M (git status there shows the move undone): only committed work is measured" check.out &&
	grep "^  M  *4 files$" check.out
'

test_expect_success 'without a reflog, the head run recorded tells it' '
	rm -f "$(git -C repo rev-parse --path-format=absolute --git-common-dir)/logs/refs/heads/parallel/N" &&
	git -C repo config core.logAllRefUpdates false &&
	test_when_finished "git -C repo config --unset core.logAllRefUpdates" &&
	move_branch N z.txt &&
	test_must_fail git -C repo reflog exists refs/heads/parallel/N &&
	git_files N >expect && echo 2 >expect.literal && test_cmp expect.literal expect &&
	files N >actual && test_cmp expect actual &&
	status_files N >actual && test_cmp expect actual &&
	json_get c.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"N\"][0][\"notes\"]" >notes &&
	grep "moved from .* without its worktree" notes
'

test_expect_success 'work left staged by git reset --soft still counts as uncommitted' '
	git -C repo.parallel/S reset -q --soft HEAD~ &&
	files S >actual && echo 2 >expect && test_cmp expect actual &&
	json_get c.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"S\"][0][\"uncommitted\"]" >actual &&
	echo 1 >expect && test_cmp expect actual &&
	json_get c.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"S\"][0][\"notes\"]" >notes &&
	! grep "without its worktree" notes
'

test_expect_success 'a file staged in the worktree counts as uncommitted, no note' '
	echo staged >repo.parallel/P/staged.txt && git -C repo.parallel/P add staged.txt &&
	files P >actual && echo 2 >expect && test_cmp expect actual &&
	json_get c.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"P\"][0][\"notes\"]" >notes &&
	echo "[]" >expect && test_cmp expect notes
'

test_done
