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
