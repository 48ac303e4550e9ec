#!/bin/sh

test_description='git parallel merge: repositories and interruptions it must survive'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"
. "$GP_TEST_DIR/lib/faults.sh"

# three clean tasks: T1 edits a.txt, T2 adds b.txt, T3 edits shared.txt
three () {
	mk_tasks "$1" \
		"T1|a.txt|sed -i s/^2\$/two/ a.txt" \
		"T2|b.txt|echo b >b.txt" \
		"T3|shared.txt|sed -i s/^5\$/five/ shared.txt"
}

# consistent <repo> <old> <new>: main is at <old> or <new>, and HEAD, the
# index and the files all hold that same tree; fsck is clean.
consistent () {
	tip=$(git -C "$1" rev-parse main) &&
	{ test "$tip" = "$2" || test "$tip" = "$3"; } &&
	test "$(git -C "$1" rev-parse HEAD)" = "$tip" &&
	git -C "$1" status --porcelain >cons.st && test_must_be_empty cons.st &&
	test "$(git -C "$1" write-tree)" = "$(git -C "$1" rev-parse "$tip^{tree}")" &&
	git -C "$1" fsck >/dev/null 2>&1
}

test_expect_success 'a task branch with no common history: failed, the rest merge' '
	three u1 &&
	orphan=$(echo other | git -C u1 hash-object -w --stdin) &&
	tree=$(printf "100644 blob %s\tother.txt\n" $orphan | git -C u1 mktree) &&
	c=$(git -C u1 commit-tree -m orphan $tree) &&
	git -C u1 update-ref refs/heads/parallel/T2 $c &&
	(cd u1 && test_expect_code 1 git parallel merge >../out 2>../err) &&
	grep "^T2  *failed  *.parallel/T2. has no common history with .main." out &&
	! git -C u1 merge-base --is-ancestor $c main &&
	git -C u1 merge-base --is-ancestor parallel/T1 main &&
	git -C u1 merge-base --is-ancestor parallel/T3 main &&
	test_must_fail git -C u1 merge --no-edit parallel/T2 2>git.err &&
	grep "unrelated histories" git.err &&
	(cd u1 && git parallel merge --json T2 >../out.json; test $? = 1) &&
	json_get out.json "d[\"results\"][0][\"outcome\"]" >actual &&
	echo failed >expect && test_cmp expect actual &&
	json_get out.json "d[\"results\"][0][\"reason\"]" >actual &&
	grep "no common history" actual
'

test_expect_success 'a stale lock on the target ref: the message names the file, nothing changes' '
	three l1 && old=$(git -C l1 rev-parse main) &&
	gd=$(git -C l1 rev-parse --path-format=absolute --git-common-dir) &&
	>"$gd/refs/heads/main.lock" &&
	(cd l1 && test_expect_code 128 git parallel merge >../out 2>../err) &&
	grep "error: .$gd/refs/heads/main.lock. exists" err &&
	grep "remove the file" err &&
	test "$(git -C l1 rev-parse main)" = "$old" &&
	task_state l1 T1 >actual && echo done >expect && test_cmp expect actual &&
	rm "$gd/refs/heads/main.lock" &&
	(cd l1 && git parallel merge >/dev/null) &&
	repo_is_tidy l1
'

test_expect_success 'a stale lock on a task branch: that task fails naming the file, the rest merge' '
	three l2 &&
	gd=$(git -C l2 rev-parse --path-format=absolute --git-common-dir) &&
	>"$gd/refs/heads/parallel/T1.lock" &&
	(cd l2 && test_expect_code 1 git parallel merge >../out 2>../err) &&
	grep "^T1  *failed  *.$gd/refs/heads/parallel/T1.lock. exists" out &&
	grep "remove the file" out &&
	! git -C l2 merge-base --is-ancestor parallel/T1 main &&
	git -C l2 merge-base --is-ancestor parallel/T2 main &&
	rm "$gd/refs/heads/parallel/T1.lock" &&
	(cd l2 && git parallel merge >/dev/null) &&
	git -C l2 merge-base --is-ancestor parallel/T1 main &&
	repo_is_tidy l2
'

test_done
