#!/bin/sh

test_description='check: the tree an index was found to hold is recorded with it

An index whose cache tree is invalid on disk (git read-tree --reset -u,
then git commit, which skips writing an index whose entries did not
change) is compared entry by entry with the branch'"'"'s tree by the fast
scan.  That answer depends on the index file alone: it is kept in
gp-index-checked beside the index, with the index'"'"'s identity (mtime,
ctime, size, inode), and the next check reads it instead of walking
the tree again, until the index changes.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/indexstat.sh"

test_expect_success 'setup: a task made by read-tree and commit, its index settled' '
	read_tree_task repo &&
	rec=$(git -C "$(cat wt)" rev-parse --path-format=absolute --git-path gp-index-checked) &&
	rm -f "$rec" &&
	echo "$rec" >rec &&
	cache_tree_invalid "$(cat ix)"
'

# scan <name>: check --json with the scan traced, and the slow way
scan () {
	scan_both repo "$1"
}

test_expect_success 'first check: the index compared with the tree, and that recorded' '
	scan first &&
	grep "scan: .*T1 index compared with the tree$" first.trace &&
	grep "scan: .*T1 clean by stat data$" first.trace &&
	tree=$(git -C "$(cat wt)" rev-parse HEAD^{tree}) &&
	grep " tree $tree$" "$(cat rec)"
'

test_expect_success 'next check: the record says it, the tree is not walked again' '
	scan second &&
	! grep "index compared" second.trace &&
	grep "scan: .*T1 clean by stat data$" second.trace
'

test_expect_success 'the index file touched (another identity): compared again' '
	touch -d "@$(( $(date +%s) + 6 ))" "$(cat ix)" &&
	scan touched &&
	grep "scan: .*T1 index compared with the tree$" touched.trace &&
	grep "scan: .*T1 clean by stat data$" touched.trace
'

test_expect_success 'a record naming another tree for this index: not clean by it (it is read)' '
	rec=$(cat rec) &&
	other=$(git -C repo rev-parse main^{tree}) &&
	sed "s/ tree [0-9a-f]*$/ tree $other/" "$rec" >rec.forged &&
	cp rec.forged "$rec" &&
	scan forged &&
	grep "scan: .*T1 diffed$" forged.trace &&
	test "$(json_get forged.fast "d[\"tasks\"][0][\"uncommitted\"]")" = 0
'

test_expect_success 'a record of an older build (no tree): the tree is compared' '
	rec=$(cat rec) &&
	sed "s/ tree [0-9a-f]*$//" "$rec" >rec.old &&
	cp rec.old "$rec" &&
	scan old &&
	grep "scan: .*T1 index compared with the tree$" old.trace &&
	grep "scan: .*T1 clean by stat data$" old.trace
'

test_expect_success 'a change staged: the index written again, diffed, as git says' '
	wt=$(cat wt) &&
	echo more >>"$wt/top.txt" && git -C "$wt" add top.txt &&
	scan staged &&
	grep "scan: .*T1 diffed$" staged.trace &&
	git -C "$wt" status --porcelain >status &&
	echo "M  top.txt" >expect && test_cmp expect status &&
	test "$(json_get staged.fast "d[\"tasks\"][0][\"uncommitted\"]")" = 1
'

test_done
