#!/bin/sh

test_description='check: a worktree whose index has no valid cache tree is read from its stat data

git commit right after git read-tree --reset -u leaves the index on disk
with an invalid cache tree root (commit skips writing an index whose
entries did not change).  The fast scan then compares the index entries
with the branch'"'"'s tree itself instead of diffing the worktree; a
worktree whose index does not hold that tree is still diffed.'

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
	# the index a few seconds younger than its files: none racily clean
	touch -d "@$(( $(date +%s) + 5 ))" "$ix" &&
	echo "$wt" >wt && echo "$ix" >ix
'

test_expect_success 'the cache tree root on disk is invalid (what this test is about)' '
	python3 - "$(cat ix)" <<-\EOF
	import sys
	b = open(sys.argv[1], "rb").read()
	i = b.find(b"TREE")
	assert i > 0 and b[i + 8:i + 11] == b"\0-1", b[i:i + 16]
	EOF
'

test_expect_success 'clean by stat data, and the same answer as the diff' '
	(cd repo && GIT_PARALLEL_TEST_SCAN=trace git parallel check --json >../fast.json 2>../trace &&
	 GIT_PARALLEL_TEST_SCAN=diff git parallel check --json >../slow.json 2>/dev/null) &&
	grep "scan: .*T1 clean by stat data" trace &&
	test_cmp slow.json fast.json
'

test_expect_success 'an index that does not hold the branch'"'"'s tree is diffed' '
	wt=$(cat wt) &&
	(cd "$wt" && echo extra >>top.txt && git add top.txt) &&
	(cd repo && GIT_PARALLEL_TEST_SCAN=trace git parallel check --json >../fast2.json 2>../trace2) &&
	grep "scan: .*T1 diffed" trace2 &&
	json_get fast2.json "d[\"tasks\"][0][\"uncommitted\"]" >n && ! echo 0 | test_cmp - n
'

test_done
