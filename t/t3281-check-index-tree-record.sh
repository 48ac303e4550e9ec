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

test_expect_success 'setup: a task made by read-tree and commit, its index settled' '
	git init -q -b main repo &&
	mkdir repo/src &&
	for f in src/a src/b top; do seq 1 20 >repo/$f.txt || return 1; done &&
	git -C repo add . && git -C repo commit -q -m base &&
	git -C repo checkout -q -b side &&
	sed -i 3s/3/three/ repo/src/a.txt && echo new >repo/src/c.txt &&
	git -C repo add . && git -C repo commit -q -m side &&
	side=$(git -C repo rev-parse side) &&
	git -C repo checkout -q main &&
	cat >repo/tasks.ini <<-EOF &&
	[task "T1"]
		command = git read-tree --reset -u $side && git commit -q -m T1
	EOF
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	wt=$(git -C repo worktree list --porcelain | sed -n "s/^worktree //p" | grep T1) &&
	ix=$(git -C "$wt" rev-parse --path-format=absolute --git-path index) &&
	rec=$(git -C "$wt" rev-parse --path-format=absolute --git-path gp-index-checked) &&
	# the index a few seconds younger than its files: none racily clean
	touch -d "@$(( $(date +%s) + 5 ))" "$ix" &&
	rm -f "$rec" &&
	echo "$wt" >wt && echo "$ix" >ix && echo "$rec" >rec &&
	python3 - "$ix" <<-\EOF
	import sys
	b = open(sys.argv[1], "rb").read()
	i = b.find(b"TREE")
	assert i > 0 and b[i + 8:i + 11] == b"\0-1", b[i:i + 16]
	EOF
'

# scan <name>: check --json with the scan traced, and the slow way
scan () {
	(cd repo && GIT_PARALLEL_TEST_SCAN=trace git parallel check --json >../$1.fast 2>../$1.trace &&
	 GIT_PARALLEL_TEST_SCAN=diff git parallel check --json >../$1.slow 2>/dev/null) &&
	test_cmp $1.slow $1.fast
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
