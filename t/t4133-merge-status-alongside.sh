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
