# Helpers shared by the merge tests (t4000, t4010, t4110, t4120, t4121).

# mk_tasks <dir> <spec>...: INI tasks from "ID|paths|command" specs, planned
# and run.  Declared paths are kept disjoint so that tasks run side by side.
# A command that touches files outside its declared paths would be held by
# merge's lanes gate: give such a task no paths ("ID||command").
mk_tasks () {
	dir=$1 && shift &&
	new_repo "$dir" &&
	test_seq 1 20 >"$dir/shared.txt" &&
	test_seq 1 10 >"$dir/a.txt" &&
	echo m >"$dir/mod.txt" &&
	for spec in "$@"
	do
		id=${spec%%|*} && rest=${spec#*|} &&
		paths=${rest%%|*} && cmd=${rest#*|} &&
		{
			printf "[task \"%s\"]\n\ttitle = task %s\n" "$id" "$id" &&
			if test -n "$paths"; then printf "\tpaths = %s\n" "$paths"; fi &&
			printf "\tcommand = %s\n" "$cmd"
		} >>"$dir/tasks.ini" || return 1
	done &&
	git -C "$dir" add . && git -C "$dir" commit -q -m tasks &&
	(cd "$dir" && git parallel plan tasks.ini >/dev/null && { git parallel run >/dev/null 2>&1 || :; })
}

# oracle <repo> <clone> <id>...: merge the task branches with git merge
# --no-ff in a clone, in that order, skipping (aborting) conflicts.
oracle () {
	src=$1 && dst=$2 && shift 2 &&
	git clone -q "$src" "$dst" &&
	for id in "$@"
	do
		git -C "$dst" fetch -q origin "parallel/$id:parallel/$id" &&
		if ! git -C "$dst" merge -q --no-ff --no-edit "parallel/$id" >/dev/null 2>&1
		then
			git -C "$dst" merge --abort || return 1
		fi
	done
}

# repo_is_tidy <repo>: clean status, fsck, no MERGE_HEAD, no lock, no stray worktree.
repo_is_tidy () {
	git -C "$1" status --porcelain >tidy.st &&
	test_must_be_empty tidy.st &&
	git -C "$1" fsck >/dev/null 2>&1 &&
	gd=$(git -C "$1" rev-parse --path-format=absolute --git-common-dir) &&
	! test -e "$gd/MERGE_HEAD" &&
	! find "$gd" -name "*.lock" | grep . &&
	! git -C "$1" worktree list | grep gp-verify
}

task_state () {
	(cd "$1" && git parallel status --json) >status.json &&
	json_get status.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$2\"][0][\"state\"]"
}

# done_states <repo>: a 'done' state for every parallel/* branch, finished
# at its head, started from main (no 'git parallel run': the branches
# were made by hand)
done_states () {
	sd=$(git -C "$1" rev-parse --path-format=absolute --git-common-dir)/parallel &&
	mkdir -p "$sd/tasks" &&
	for r in $(git -C "$1" for-each-ref --format="%(refname:short)" refs/heads/parallel/); do
		id=${r#parallel/} &&
		printf "[task \"%s\"]\n\tstate = done\n\tattempts = 1\n\texit = 0\n\thead = %s\n\tstart = %s\n\tbranch = refs/heads/%s\n" \
			"$id" "$(git -C "$1" rev-parse "$r")" "$(git -C "$1" rev-parse main)" "$r" >"$sd/tasks/$id" || return 1
	done
}

# done_tasks <repo> <ini> <id>...: tasks <id>... (each titled with its ID,
# its command true) added to <ini> (a path from here, outside <repo>),
# planned in <repo>, and done at their branches parallel/<id> (done_states)
done_tasks () {
	dt_repo=$1 dt_ini=$2 && shift 2 &&
	for dt_id in "$@"
	do
		printf "[task \"%s\"]\n\ttitle = %s\n\tcommand = true\n" "$dt_id" "$dt_id" >>"$dt_ini" || return 1
	done &&
	dt_ini=$(cd "$(dirname "$dt_ini")" && pwd)/$(basename "$dt_ini") &&
	(cd "$dt_repo" && git parallel plan "$dt_ini" >/dev/null) &&
	done_states "$dt_repo"
}

# loop_oracle <repo> <tasks.ini>: git merge-tree + git commit-tree over the
# tasks in plan order from main (objects only: no ref moves): "ID
# merged|conflict" lines in loop.out, every merged tree in loop.trees, the
# last tree in loop.tree
loop_oracle () {
	tip=$(git -C "$1" rev-parse main) &&
	: >loop.out &&
	: >loop.trees &&
	for id in $(sed -n "s/^\[task \"\(.*\)\"\]$/\1/p" "$2"); do
		if mt=$(git -C "$1" merge-tree --write-tree "$tip" "parallel/$id" 2>/dev/null)
		then
			tip=$(git -C "$1" commit-tree -p "$tip" -p "parallel/$id" -m "$id" "$mt") &&
			echo "$id merged" >>loop.out &&
			echo "$mt" >>loop.trees
		else
			echo "$id conflict" >>loop.out
		fi || return 1
	done &&
	git -C "$1" rev-parse "$tip^{tree}" >loop.tree
}

# three clean tasks: T1 edits a.txt, T2 adds b.txt, T3 edits shared.txt
three () {
	mk_tasks "$1" \
		"T1|a.txt|sed -i s/^2\$/two/ a.txt" \
		"T2|b.txt|echo b >b.txt" \
		"T3|shared.txt|sed -i s/^5\$/five/ shared.txt"
}

# unchanged <repo> <oid>: the target did not move and no task is merged
unchanged () {
	test "$(git -C "$1" rev-parse main)" = "$2" &&
	for id in T1 T2 T3
	do
		task_state "$1" $id >actual && echo done >expect &&
		test_cmp expect actual || return 1
	done
}

# crisscross_repo <dir>: a history where every task made by criss_task gets
# two merge bases with main: x and y branch from the root (x changes line 2
# of b.txt, y line 2 of c.txt; a.txt holds 1..20), main merges x, then y.
crisscross_repo () {
	new_repo "$1" &&
	(
		cd "$1" &&
		test_seq 1 20 >a.txt && test_seq 1 10 >b.txt && test_seq 1 10 >c.txt &&
		git add . && git commit -q -m root &&
		git checkout -q -b x && sed -i "s/^2\$/x2/" b.txt && git commit -q -am x &&
		git checkout -q -b y main && sed -i "s/^2\$/y2/" c.txt && git commit -q -am y &&
		git checkout -q main && git merge -q --no-ff --no-edit x && git merge -q --no-ff --no-edit y
	)
}

# criss_task <dir> <branch> <sed script> <file>: branch merges the bases the
# other way (y, then x), then commits the sed script's edit of file (its
# message: the branch's last part); main is checked out again.
criss_task () {
	(
		cd "$1" &&
		git checkout -q -b "$2" y && git merge -q --no-ff --no-edit x &&
		sed -i "$3" "$4" && git commit -q -am "${2##*/}" &&
		git checkout -q main
	)
}

# wrapped_gp <command> [env...]: git-parallel <command> in "repo", a fresh
# copy of "pristine", with the test's git wrapper (bin/git) first on PATH
# (for git-parallel only: git itself would put its exec-path first);
# stdout in out, stderr in err, the exit code in rc
wrapped_gp () {
	wg_cmd=$1 && shift &&
	rm -rf repo && cp -R pristine repo &&
	(cd repo && env PATH="$TRASH_DIRECTORY/bin:$PATH" "$@" git-parallel $wg_cmd >../out 2>../err
	 echo $? >../rc)
}

# same_as_loop: after wrapped_gp, the verdicts (exit 1: a conflict) and
# the final tree are loop_oracle's, and the repository is tidy
same_as_loop () {
	echo 1 >expect && test_cmp expect rc &&
	sed -n "s/^\([A-Z][0-9]*\) *\([a-z]*\).*/\1 \2/p" out >actual &&
	test_cmp loop.out actual &&
	git -C repo rev-parse "main^{tree}" >actual &&
	test_cmp loop.tree actual &&
	repo_is_tidy repo
}
