#!/bin/sh

test_description='check: a worktree whose index has no valid cache tree is read from its stat data

git commit right after git read-tree --reset -u leaves the index on disk
with an invalid cache tree root (commit skips writing an index whose
entries did not change).  The fast scan then compares the index entries
with the branch'"'"'s tree itself instead of diffing the worktree; a
worktree whose index does not hold that tree is still diffed.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/indexstat.sh"

test_expect_success 'setup: a task made by read-tree and commit, its index settled' '
	read_tree_task repo
'

test_expect_success 'the cache tree root on disk is invalid (what this test is about)' '
	cache_tree_invalid "$(cat ix)"
'

test_expect_success 'clean by stat data, and the same answer as the diff' '
	scan_both repo first &&
	grep "scan: .*T1 clean by stat data" first.trace
'

test_expect_success 'an index that does not hold the branch'"'"'s tree is diffed' '
	wt=$(cat wt) &&
	(cd "$wt" && echo extra >>top.txt && git add top.txt) &&
	scan_traced repo second &&
	grep "scan: .*T1 diffed" second.trace &&
	json_get second.fast "d[\"tasks\"][0][\"uncommitted\"]" >n && ! echo 0 | test_cmp - n
'

test_done
