#!/bin/sh

test_description='merge and check on a tree git fsck calls unsorted: nothing lost

A tree whose entries are out of git'"'"'s order (written with hash-object
--literally; git fsck: treeNotSorted) fooled merge'"'"'s top-down diff
(treediff.c): main at a root tree b, c, a and a task changing a merged
into a main without a.  git'"'"'s own merge loses that entry too, so there is
no right answer to agree with: merge refuses such a task (outcome failed,
an error naming the tree), and merges tasks that read no such tree.
check measures such a task as git diff does, with a note.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

test_expect_success 'setup: main at a root tree b, c, a (unsorted); task T1 changes a' '
	new_repo repo &&
	a=$(blob repo a) && b=$(blob repo b) && c=$(blob repo c) && a2=$(blob repo a2) &&
	tree=$(literal_tree repo 100644 b $b 100644 c $c 100644 a $a) &&
	git -C repo cat-file -p $tree >entries &&
	test "$(cut -f2 entries | tr "\n" " ")" = "b c a " &&
	test_must_fail git -C repo fsck 2>fsck.err &&
	grep "treeNotSorted" fsck.err &&
	main=$(git -C repo commit-tree -p HEAD -m unsorted $tree) &&
	git -C repo update-ref refs/heads/main $main &&
	t1=$(printf "100644 blob $a2\ta\n100644 blob $b\tb\n100644 blob $c\tc\n" | git -C repo mktree) &&
	git -C repo update-ref refs/heads/parallel/T1 $(git -C repo commit-tree -p $main -m T1 $t1) &&
	git -C repo reset -q --hard main &&
	printf "[task \"T1\"]\n\ttitle = one\n\tcommand = true\n" >tasks.ini &&
	(cd repo && git parallel plan ../tasks.ini >/dev/null) &&
	done_states repo &&
	git -C repo rev-parse main >main.before
'

test_expect_success 'git itself: merge-tree on it loses a (why merge refuses)' '
	mt=$(git -C repo merge-tree --write-tree main parallel/T1) &&
	git -C repo ls-tree --name-only $mt >git.names &&
	! grep "^a\$" git.names
'

test_expect_success 'merge refuses T1: failed, names the tree, main keeps every entry' '
	tree=$(git -C repo rev-parse main^{tree}) &&
	(cd repo && test_expect_code 1 git parallel merge >../out 2>../err) &&
	grep "^T1  *failed .*tree $tree is not sorted (git fsck: treeNotSorted)" out &&
	grep "^error: .*tree $tree is not sorted (git fsck: treeNotSorted)" err &&
	git -C repo rev-parse main >main.after &&
	test_cmp main.before main.after &&
	git -C repo ls-tree main >ls &&
	grep "	a\$" ls &&
	git -C repo rev-parse parallel/T1:a >t1.a &&
	echo $a2 >expect &&
	test_cmp expect t1.a &&
	git -C repo status --porcelain >st &&
	test_must_be_empty st
'

test_expect_success 'merge --json: outcome failed with the reason' '
	(cd repo && test_expect_code 1 git parallel merge --json >../m.json 2>/dev/null) &&
	test "$(json_get m.json "d[\"results\"][0][\"outcome\"]")" = failed &&
	json_get m.json "d[\"results\"][0][\"reason\"]" >reason &&
	grep "not sorted (git fsck: treeNotSorted)" reason &&
	git -C repo rev-parse main >main.after &&
	test_cmp main.before main.after
'

test_expect_success 'check measures T1 as git diff does, with a note, no crash' '
	(cd repo && git parallel check --json >../c.json 2>../c.err) &&
	json_get c.json "\" \".join(sorted(f[\"path\"] + \":\" + f[\"change\"] for f in d[\"tasks\"][0][\"files\"]))" >actual &&
	git -C repo diff-tree main parallel/T1 >dt &&
	test_line_count = 2 dt &&
	echo "a:added a:deleted" >expect &&
	test_cmp expect actual &&
	json_get c.json "\"\\n\".join(d[\"tasks\"][0][\"notes\"])" >notes &&
	grep "is not sorted (git fsck: treeNotSorted): measured as git diff does" notes &&
	(cd repo && git parallel check >../c.txt 2>&1) &&
	grep "treeNotSorted" c.txt &&
	(cd repo && git parallel check --exact >/dev/null 2>&1)
'

test_expect_success 'a task whose own tree is unsorted is refused too' '
	new_repo repo2 &&
	a=$(blob repo2 a) && b=$(blob repo2 b) && c=$(blob repo2 c) && a2=$(blob repo2 a2) &&
	sorted=$(printf "100644 blob $a\ta\n100644 blob $b\tb\n100644 blob $c\tc\n" | git -C repo2 mktree) &&
	main=$(git -C repo2 commit-tree -p HEAD -m sorted $sorted) &&
	git -C repo2 update-ref refs/heads/main $main &&
	git -C repo2 reset -q --hard main &&
	bad=$(literal_tree repo2 100644 b $b 100644 c $c 100644 a $a2) &&
	git -C repo2 update-ref refs/heads/parallel/T2 $(git -C repo2 commit-tree -p $main -m T2 $bad) &&
	printf "[task \"T2\"]\n\ttitle = two\n\tcommand = true\n" >tasks2.ini &&
	(cd repo2 && git parallel plan ../tasks2.ini >/dev/null) &&
	done_states repo2 &&
	(cd repo2 && test_expect_code 1 git parallel merge >../out2 2>../err2) &&
	grep "^T2  *failed .*tree $bad is not sorted (git fsck: treeNotSorted)" out2 &&
	test "$(git -C repo2 rev-parse main)" = $main &&
	git -C repo2 ls-tree --name-only main >names &&
	printf "a\nb\nc\n" >expect &&
	test_cmp expect names
'

test_expect_success 'an unsorted subtree no task touches: merged as git merge-tree does, kept whole' '
	new_repo repo3 &&
	p=$(blob repo3 p) && q=$(blob repo3 q) && x=$(blob repo3 x) && x2=$(blob repo3 x2) &&
	u=$(literal_tree repo3 100644 q $q 100644 p $p) &&
	root=$(printf "040000 tree $u\tu\n100644 blob $x\tx\n" | git -C repo3 mktree) &&
	main=$(git -C repo3 commit-tree -p HEAD -m "unsorted u" $root) &&
	git -C repo3 update-ref refs/heads/main $main &&
	git -C repo3 reset -q --hard main &&
	t3=$(printf "040000 tree $u\tu\n100644 blob $x2\tx\n" | git -C repo3 mktree) &&
	git -C repo3 update-ref refs/heads/parallel/T3 $(git -C repo3 commit-tree -p $main -m T3 $t3) &&
	printf "[task \"T3\"]\n\ttitle = three\n\tcommand = true\n" >tasks3.ini &&
	(cd repo3 && git parallel plan ../tasks3.ini >/dev/null) &&
	done_states repo3 &&
	# main not checked out: its index would hold u sorted, another tree
	git -C repo3 checkout -q --detach &&
	git -C repo3 merge-tree --write-tree main parallel/T3 >expect &&
	(cd repo3 && git parallel merge >../out3) &&
	grep "^T3  *merged" out3 &&
	test "$(git -C repo3 rev-parse main:u)" = $u &&
	test "$(git -C repo3 cat-file -p main:x)" = x2 &&
	git -C repo3 rev-parse main^{tree} >actual &&
	test_cmp expect actual
'

test_done
