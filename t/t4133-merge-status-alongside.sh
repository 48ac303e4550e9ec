#!/bin/sh

test_description='git parallel merge: the first git status of the target runs alongside the merges

merge starts git status of the checked-out target and computes the
merges while it runs; its answer is heard before anything is written:
a dirty target is refused as when status ran first (the same words,
no result, nothing moved), a dirty target comes before a locked ref,
and a dry run only warns.  With --verify status runs first, as
before: no check runs for a merge that is refused.'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"

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

test_expect_success 'a dirty target: refused in the same words as with --verify, no result' '
	three d && old=$(git -C d rev-parse main) &&
	echo mine >>d/README &&
	(cd d && test_expect_code 128 git parallel merge >../out 2>../err) &&
	test_must_be_empty out &&
	(cd d && test_expect_code 128 git parallel merge --verify true >../out.v 2>../err.v) &&
	test_cmp err.v err &&
	grep "uncommitted changes" err && grep "^	README$" err &&
	(cd d && test_expect_code 128 git parallel merge --json >../m.json 2>/dev/null) &&
	json_get m.json "[d[\"status\"], d[\"results\"], d[\"dirty\"]]" >actual &&
	echo "[\"refused\", [], [\"README\"]]" >expect && test_cmp expect actual &&
	unchanged d $old &&
	tail -1 d/README >actual && echo mine >expect && test_cmp expect actual
'

test_expect_success 'a dirty target and a locked target ref: the dirt is said' '
	>d/.git/refs/heads/main.lock &&
	(cd d && test_expect_code 128 git parallel merge 2>../err) &&
	grep "uncommitted changes" err && ! grep "main.lock" err &&
	rm d/.git/refs/heads/main.lock
'

test_expect_success 'a dirty target in a dry run: a warning, the merges shown' '
	(cd d && git parallel merge --dry-run >../out 2>../err) &&
	grep "^warning: .main. is checked out in .*uncommitted changes" err &&
	grep "3 merged" out &&
	unchanged d $(git -C d rev-parse main)
'

test_expect_success 'clean again: merged' '
	git -C d checkout README &&
	(cd d && git parallel merge >../out) &&
	grep "3 merged" out &&
	repo_is_tidy d
'

test_done
