#!/bin/sh

test_description='merge of a subtree-shaped history: many paths added on the target side

The target moved the files of a small project (gitk, po/*) into sub/
and added hundreds of files of its own, as git.git did with gitk and
git-gui; the tasks start from the small project'"'"'s commit.  libgit2
1.5 would compare every path the target added with every path it
deleted (git'"'"'s merge-ort only the renames that matter, exact ones
first), so merge asks git at once (GIT_PARALLEL_TEST_MERGE_LOG:
git=asked, not a libgit2 merge that git confirms in the background)
and takes its tree, or its conflicts.  With few paths added, libgit2
still merges and git confirms in the background.  Oracle: a git
merge-tree --write-tree + commit-tree loop over the same tasks.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# subtree_repo <dir> <n>: main moves gitk and po/ into sub/ and adds n
# files; then it edits line 20 of sub/gitk.  S1 edits line 10 of gitk (a
# rename that matters: it merges into sub/gitk), S2 line 20 of gitk (a
# conflict in sub/gitk), S3 adds NEWS (no rename matters), S4 moves
# tool.sh into tools/ and edits its line 5, as main did (a conflict in
# tools/tool.sh).
subtree_repo () {
	new_repo "$1" &&
	(
		cd "$1" &&
		git rm -q README &&
		test_seq 1 60 | sed "s/^/gitk line /" >gitk &&
		mkdir po &&
		test_seq 1 40 | sed "s/^/msgid de /" >po/de.po &&
		test_seq 1 40 | sed "s/^/msgid fr /" >po/fr.po &&
		test_seq 1 30 | sed "s/^/tool line /" >tool.sh &&
		git add . && git commit -q -m "gitk" &&
		git branch base &&
		mkdir sub && git mv gitk po sub/ &&
		sed -i "s/^tool line 5\$/main 5/" tool.sh &&
		mkdir src &&
		for i in $(test_seq 1 $2)
		do
			printf "int f%d(void)\n{\n\treturn %d;\n}\n" $i $i >src/f$i.c || return 1
		done &&
		git add . && git commit -q -m "gitk into sub/, and the rest" &&
		sed -i "s/^gitk line 20\$/main 20/" sub/gitk && git commit -q -am "main 20" &&
		task() {
			git checkout -q -b "parallel/$1" base && shift && "$@" && git add . &&
			git commit -q -m "task" && git checkout -q main
		} &&
		task S1 sed -i "s/^gitk line 10\$/S1 10/" gitk &&
		task S2 sed -i "s/^gitk line 20\$/S2 20/" gitk &&
		task S3 sh -c "echo news >NEWS" &&
		task S4 sh -c "mkdir tools && git mv tool.sh tools/ && sed -i s/^tool\ line\ 5\$/S4\ 5/ tools/tool.sh"
	) &&
	done_tasks "$1" "$1.ini" S1 S2 S3 S4
}

test_expect_success 'setup: 300 files added on the target side, and 3' '
	subtree_repo big 300 &&
	subtree_repo small 3
'

# merge <repo>: merged, its output in <repo>.out, exit code in <repo>.rc,
# log in <repo>.log; the verdicts and the final tree are the loop's
merge_as_git () {
	loop_oracle "$1" "$1.ini" &&
	(cd "$1" && GIT_PARALLEL_TEST_MERGE_LOG="$TRASH_DIRECTORY/$1.log" \
		git parallel merge >"../$1.out" 2>&1; echo $? >"../$1.rc") &&
	echo 1 >expect && test_cmp expect "$1.rc" &&
	sed -n "s/^\(S[0-9]\) *\([a-z]*\).*/\1 \2/p" "$1.out" >actual &&
	cat >expect <<-\EOF &&
	S1 merged
	S2 conflict
	S3 merged
	S4 conflict
	EOF
	test_cmp expect actual &&
	test_cmp loop.out actual &&
	git -C "$1" rev-parse "main^{tree}" >actual &&
	test_cmp loop.tree actual &&
	repo_is_tidy "$1"
}

test_expect_success 'many paths added: git merges each task, as git merge-tree does' '
	merge_as_git big &&
	cat >expect <<-\EOF &&
	S1 bases=1 git=asked rc=0
	S2 bases=1 git=asked rc=1
	S3 bases=1 git=asked rc=0
	S4 bases=1 git=asked rc=1
	EOF
	sed "s/ [0-9.]* ms$//" big.log >actual &&
	test_cmp expect actual &&
	grep "^S1 10\$" big/sub/gitk &&
	grep "^main 20\$" big/sub/gitk &&
	test -f big/NEWS
'

test_expect_success 'the conflicts name git'"'"'s paths, once, with both sides'"'"' lines' '
	test_must_fail git -C big merge-tree --write-tree --name-only main~1 parallel/S2 >mt &&
	sed -n "2,\$p" mt | sed "/^\$/,\$d" >expect &&
	test_must_fail git -C big merge-tree --write-tree --name-only main parallel/S4 >mt &&
	sed -n "2,\$p" mt | sed "/^\$/,\$d" >>expect &&
	printf "sub/gitk\ntools/tool.sh\n" >actual &&
	test_cmp expect actual &&
	sed -n "s/^  *\([^ ]*\)  .*/\1/p" big.out >actual &&
	test_cmp expect actual &&
	# the renamed files'"'"' lines, from their old paths (libgit2'"'"'s merge is not run);
	# the other side is main'"'"'s own (S1 edited line 10 of gitk, S3 added NEWS)
	grep "^  *sub/gitk  *content  *ours 20  *theirs 20  *with (no merged task)\$" big.out &&
	grep "^  *tools/tool.sh  *content  *ours 5  *theirs 5  *with (no merged task)\$" big.out
'

test_expect_success 'each merged tree is git'"'"'s for that merge' '
	git -C big merge-tree --write-tree main~2 parallel/S1 >expect &&
	git -C big rev-parse "main~1^{tree}" >actual &&
	test_cmp expect actual
'

test_expect_success 'few paths added: libgit2 merges, git confirms in the background' '
	merge_as_git small &&
	cat >expect <<-\EOF &&
	S1 bases=1 git=background rc=0
	S2 bases=1 git=asked rc=1
	S3 bases=1 git=background rc=0
	S4 bases=1 git=asked rc=1
	EOF
	sed "s/ [0-9.]* ms$//" small.log >actual &&
	test_cmp expect actual &&
	# git'"'"'s conflict types (CONFLICT (content) at the renamed path), as when git merged alone
	grep "^  *sub/gitk  *content  *ours 20  *theirs 20  *with (no merged task)\$" small.out &&
	grep "^  *tools/tool.sh  *content  *ours 5  *theirs 5  *with (no merged task)\$" small.out
'

# the tasks fork below the pinned base: what each changed is read from
# its merge base with it, asked of the commit-graph when there is one
# (not libgit2's own reading of it): S1 and S3 did not touch tools/tool.sh
test_expect_success 'with a commit-graph, the tasks that fork below the base are read from their fork' '
	subtree_repo graph 3 &&
	git -C graph commit-graph write --reachable --no-progress &&
	merge_as_git graph &&
	grep "^  *sub/gitk  *content  *ours 20  *theirs 20  *with (no merged task)\$" graph.out &&
	grep "^  *tools/tool.sh  *content  *ours 5  *theirs 5  *with (no merged task)\$" graph.out
'

test_done
