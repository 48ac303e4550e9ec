#!/bin/sh

test_description='merge of tasks with several merge bases (criss-cross)

git merges from a virtual merge base, the merge of the bases.  Where
every path the target and a task disagree on is the same in all merge
bases, merge merges from the first base in process and git confirms the
whole merge in the background (GIT_PARALLEL_TEST_MERGE_LOG: "background");
elsewhere it waits for git ("asked").  A tree git does not confirm is not
taken: git'"'"'s answer stands.  Oracle: a git merge-tree --write-tree +
commit-tree loop over the same tasks (verdicts, conflicted paths, final
tree).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# A criss-cross: x and y branch from the root, main merges them one way,
# each task the other way, so that every task has the merge bases x and y
# with main.  main then edits line 3 of a.txt.  S1 edits line 17 of a.txt
# (the bases agree on a.txt: merged from the first one, git confirms);
# S2 edits b.txt, where the bases differ (git asked); S3 edits line 3 of
# a.txt as main did not (a conflict).
test_expect_success 'setup: a criss-cross history and three tasks' '
	crisscross_repo repo &&
	criss_task repo parallel/S1 "s/^17\$/S1/" a.txt &&
	criss_task repo parallel/S2 "s/^x2\$/S2/" b.txt &&
	criss_task repo parallel/S3 "s/^3\$/S3/" a.txt &&
	(
		cd repo &&
		sed -i s/^3\$/main3/ a.txt && git commit -q -am main3 &&
		for t in S1 S2 S3
		do
			test $(git merge-base --all main parallel/$t | wc -l) = 2 || return 1
		done
	) &&
	done_tasks repo tasks.ini S1 S2 S3 &&
	cp -R repo pristine
'

test_expect_success 'merge: git confirms S1 in the background, is asked for S2 and S3' '
	loop_oracle repo tasks.ini &&
	(cd repo && GIT_PARALLEL_TEST_MERGE_LOG="$TRASH_DIRECTORY/m.log" \
		git parallel merge >../out 2>&1; echo $? >../rc) &&
	echo 1 >expect && test_cmp expect rc &&
	sed -n "s/^\(S[0-9]\) *\([a-z]*\).*/\1 \2/p" out >actual &&
	test_cmp loop.out actual &&
	git -C repo rev-parse "main^{tree}" >actual &&
	test_cmp loop.tree actual &&
	cat >expect <<-\EOF &&
	S1 bases=2 git=background rc=0
	S2 bases=2 git=asked rc=0
	S3 bases=2 git=asked rc=1
	EOF
	sed "s/ [0-9.]* ms$//" m.log >actual &&
	test_cmp expect actual &&
	grep "a.txt  *content" out &&
	test $(grep -c "^  " out) = 1 &&
	repo_is_tidy repo
'

test_expect_success 'the merged S1 is the tree git gives for it' '
	git -C repo merge-tree --write-tree main~2 parallel/S1 >expect &&
	git -C repo rev-parse "main~1^{tree}" >actual &&
	test_cmp expect actual
'

# With a commit-graph, merge finds the merge base of x and y (the root):
# git's virtual base has x's b.txt (y left it as the root had it), so
# S2's edit of it is merged from there too, and git confirms.
test_expect_success 'with a commit-graph: S2 merged from the virtual base, git confirms' '
	rm -rf repo && cp -R pristine repo &&
	git -C repo commit-graph write --reachable --no-progress &&
	rm -f m.log &&
	(cd repo && GIT_PARALLEL_TEST_MERGE_LOG="$TRASH_DIRECTORY/m.log" \
		git parallel merge >../out 2>&1; echo $? >../rc) &&
	echo 1 >expect && test_cmp expect rc &&
	sed -n "s/^\(S[0-9]\) *\([a-z]*\).*/\1 \2/p" out >actual &&
	test_cmp loop.out actual &&
	git -C repo rev-parse "main^{tree}" >actual &&
	test_cmp loop.tree actual &&
	cat >expect <<-\EOF &&
	S1 bases=2 git=background rc=0
	S2 bases=2 git=background rc=0
	S3 bases=2 git=asked rc=1
	EOF
	sed "s/ [0-9.]* ms$//" m.log >actual &&
	test_cmp expect actual &&
	git -C repo merge-tree --write-tree main~1 parallel/S2 >expect &&
	git -C repo rev-parse "main^{tree}" >actual &&
	test_cmp expect actual &&
	repo_is_tidy repo
'

# a git whose merge-tree answers with another tree (the root commit's)
# for every clean merge: the speculated S1 is not what git says (a git
# merge-tree per merge: t4161 does the same through git merge-tree --stdin)
test_expect_success 'a tree git does not confirm is not taken' '
	rm -rf repo && cp -R pristine repo &&
	mkdir bin &&
	real=$(command -v git) &&
	fake=$(git -C repo rev-parse "main~3^{tree}") &&
	cat >bin/git <<-EOF &&
	#!/bin/sh
	case " \$* " in
	*" merge-tree "*)
		"$real" "\$@" >"$TRASH_DIRECTORY/mt.out" || { rc=\$?; cat "$TRASH_DIRECTORY/mt.out"; exit \$rc; }
		printf "$fake\\0"
		exit 0 ;;
	esac
	exec "$real" "\$@"
	EOF
	chmod +x bin/git &&
	(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" GIT_PARALLEL_TEST_MERGE_TREE_STDIN=0 \
		GIT_PARALLEL_TEST_MERGE_LOG="$TRASH_DIRECTORY/m2.log" \
		git-parallel merge >../out2 2>&1; echo $? >../rc) &&
	echo 1 >expect && test_cmp expect rc &&
	sed "s/ [0-9.]* ms$//" m2.log >actual &&
	# the loop ran again, asking git (its answers kept) for each task
	cat >expect <<-\EOF &&
	S1 bases=2 git=background rc=0
	S2 bases=2 git=asked rc=0
	S3 bases=2 git=asked rc=0
	S1 bases=2 git=asked rc=0
	S2 bases=2 git=asked rc=1
	S3 bases=2 git=asked rc=0
	EOF
	test_cmp expect actual &&
	s1=$(sed -n "s/^S1  *merged  *\([0-9a-f]*\) .*/\1/p" out2) &&
	echo "$fake" >expect &&
	git -C repo rev-parse "$s1^{tree}" >actual &&
	test_cmp expect actual
'

test_done
