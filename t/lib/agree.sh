# Helpers of the agreement tests (t3160..): a pair of tasks A and B and
# git merge-tree as the oracle (t3100, t3160).

# scenario <dir> <base-setup> <command-A> <command-B>: a repository whose
# base is made by <base-setup>, with two parallel tasks A and B running the
# given commands, run.
scenario () {
	dir=$1 base=$2 ca=$3 cb=$4 &&
	new_repo "$dir" &&
	(cd "$dir" && eval "$base") &&
	printf "[task \"A\"]\n\ttitle = side a\n\tcommand = %s\n[task \"B\"]\n\ttitle = side b\n\tcommand = %s\n" \
		"$ca" "$cb" >"$dir/tasks.ini" &&
	git -C "$dir" add -A && git -C "$dir" commit -q -m base &&
	(cd "$dir" && git parallel plan tasks.ini >/dev/null && git parallel run >../run.out 2>&1) &&
	git -C "$dir" rev-parse --verify -q parallel/A^{commit} >/dev/null &&
	git -C "$dir" rev-parse --verify -q parallel/B^{commit} >/dev/null
}

# git_oracle <dir>: git merge-tree of A and B: its exit code in git_code,
# its tree in git.tree, its conflicted paths in git.paths (up to the empty
# line before the messages: there may be none).
git_oracle () {
	a=$(git -C "$1" rev-parse --verify parallel/A^{commit}) &&
	b=$(git -C "$1" rev-parse --verify parallel/B^{commit}) &&
	{ git -C "$1" -c core.quotePath=false merge-tree --write-tree --name-only "$a" "$b" >mt.out; git_code=$?; } &&
	test $git_code -le 1 &&
	head -n 1 mt.out >git.tree &&
	awk "NR > 1 && !NF { exit } NR > 1" mt.out | sort -u >git.paths
}

# expect_check_agrees <dir> <0|1>: check --exact exits as git merge-tree
# (which must exit <0|1>) and names its paths.
expect_check_agrees () {
	git_oracle "$1" &&
	test $git_code = $2 &&
	{ (cd "$1" && git parallel check --exact --json >../exact.json); code=$?; } &&
	test $code = $git_code &&
	json_get exact.json "\"\\n\".join(sorted(set(p for x in d[\"pairs\"] for p in x[\"exact_paths\"])))" |
		sed "/^\$/d" >check.paths &&
	test_cmp git.paths check.paths
}

# expect_merge_agrees <dir>: merge takes A, then B as git merges them:
# git's tree when git merges cleanly, git's paths (each once) when not.
expect_merge_agrees () {
	git_oracle "$1" &&
	{ (cd "$1" && git parallel merge --json >../merge.json); code=$?; } &&
	json_get merge.json "[r[\"outcome\"] for r in d[\"results\"]]" >outcomes &&
	if test $git_code = 0
	then
		test $code = 0 &&
		echo "[\"merged\", \"merged\"]" >expect && test_cmp expect outcomes &&
		git -C "$1" rev-parse main^{tree} >merged.tree &&
		test_cmp git.tree merged.tree
	else
		test $code = 1 &&
		echo "[\"merged\", \"conflict\"]" >expect && test_cmp expect outcomes &&
		json_get merge.json "\"\\n\".join(c[\"path\"] for r in d[\"results\"] for c in r.get(\"conflicts\", []))" |
			sed "/^\$/d" >merge.paths &&
		sort merge.paths >merge.sorted &&
		test_cmp git.paths merge.sorted &&
		sort -u merge.paths | test_cmp merge.sorted -
	fi &&
	git -C "$1" fsck >/dev/null 2>&1
}

# Two tasks and git's verdict on them, for the plain-check tests (t3170,
# t3172, t3174, t3175, t3176, t8670, t8671).

# plan_run <dir>: the tasks of <dir>.ini planned and run in <dir> (run's
# output in run.out, its exit code not looked at)
plan_run () {
	(cd "$1" && git parallel plan ../"$1.ini" >/dev/null && git parallel run >../run.out 2>&1)
}

# pair_run <dir> <A> <command-A> <B> <command-B>: tasks <A> and <B> (each
# titled with its ID in lower case) in <dir>.ini, planned and run in <dir>
pair_run () {
	printf "[task \"%s\"]\n\ttitle = %s\n\tcommand = %s\n[task \"%s\"]\n\ttitle = %s\n\tcommand = %s\n" \
		"$2" "$(echo "$2" | tr A-Z a-z)" "$3" "$4" "$(echo "$4" | tr A-Z a-z)" "$5" >"$1.ini" &&
	plan_run "$1"
}

# pair_judge <dir> <A> <B> [kind]: git merge-tree --name-only of the task
# branches of <A> and <B> (its exit code in git_code, its output in
# mt.out) and plain check --json in <dir> (plain.json, its exit code in
# plain.code; git's trace of it in <dir>.trace when PAIR_TRACE=1): its
# overlaps as class:path (with kind: class:path:kind) in plain.classes
pair_judge () {
	{ git -C "$1" merge-tree --write-tree --name-only "parallel/$2" "parallel/$3" >mt.out; git_code=$?; } &&
	(cd "$1" && GIT_TRACE="${PAIR_TRACE:+$TRASH_DIRECTORY/$1.trace}" git parallel check --json >../plain.json
	 echo $? >../plain.code) &&
	if test "${4:-}" = kind
	then
		json_get plain.json "\" \".join(o[\"class\"] + \":\" + o[\"path\"] + \":\" + o[\"kind\"] for o in d[\"overlaps\"])"
	else
		json_get plain.json "\" \".join(o[\"class\"] + \":\" + o[\"path\"] for o in d[\"overlaps\"])"
	fi >plain.classes
}

# base_pair <dir> <base-setup> <command-A> <command-B>: a repository whose
# main is <base-setup>'s files, committed; tasks A and B run their commands
base_pair () {
	new_repo "$1" && (cd "$1" && eval "$2") && git -C "$1" add -A && git -C "$1" commit -q -m base &&
	pair_run "$1" A "$3" B "$4"
}

# shared_pair <dir> <lines> <X> <A> <command-A> <B> <command-B>: main has f
# (<lines> lines); commit X on branch x runs <X>; tasks <A> and <B>
# fast-forward to X, then run their commands.  X is the pair's one merge
# base, not the pinned base.
shared_pair () {
	new_repo "$1" && seq 1 "$2" >"$1/f" && git -C "$1" add f && git -C "$1" commit -q -m f &&
	git -C "$1" checkout -q -b x && (cd "$1" && eval "$3") && git -C "$1" add -A &&
	git -C "$1" commit -q -m x && git -C "$1" checkout -q main &&
	pair_run "$1" "$4" "git merge -q --ff-only x && $5" "$6" "git merge -q --ff-only x && $7" &&
	test "$(git -C "$1" merge-base "parallel/$4" "parallel/$6")" = "$(git -C "$1" rev-parse x)"
}

# plain_verdict <dir>: plain check --json in <dir> (plain.json, its exit
# code in plain.code): its conflict overlaps, a path a line, sorted, in
# plain.conflicts
plain_verdict () {
	{ (cd "$1" && git parallel check --json >../plain.json); echo $? >plain.code; } &&
	json_get plain.json "\"\\n\".join(sorted(o[\"path\"] for o in d[\"overlaps\"] if o[\"class\"] == \"conflict\"))" |
		sed "/^\$/d" >plain.conflicts
}
