#!/bin/sh

test_description='check reads attributes from the index file as libgit2 and git do

libgit2 1.5 loads the whole index of the repository on its first
attribute lookup; check gives it instead an index holding only the
.gitattributes entries of the index file (repo_attr_index()), the only
entries an attribute lookup reads.  A .gitattributes missing from the
worktree is still read from the index (git check-attr does the same),
at the top and in a subdirectory; one that is there is read from the
file; what check reports stays the same.'

. ./test-lib.sh

# classes <name>: "path class" of every overlap of plain check
classes () {
	(cd repo && git parallel check --json >../$1.json 2>../$1.err);
	json_get $1.json "\"\\n\".join(\"%s %s\" % (o[\"path\"], o[\"class\"]) for o in d[\"overlaps\"])"
}

test_expect_success 'setup: two tasks changing the same line of three files, two under merge=union' '
	new_repo repo &&
	mkdir repo/sub &&
	for f in f.txt h.txt sub/g.txt; do
		test_seq 1 20 | sed "s/^/line /" >repo/$f || return 1
	done &&
	echo "f.txt merge=union" >repo/.gitattributes &&
	echo "g.txt merge=union" >repo/sub/.gitattributes &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = one
		command = sed -i 5s/line/one/ f.txt h.txt sub/g.txt
	[task "T2"]
		title = two
		command = sed -i 5s/line/two/ f.txt h.txt sub/g.txt
	EOF
	git -C repo add -A && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >/dev/null 2>&1) &&
	git -C repo rev-parse --verify -q parallel/T1 >/dev/null &&
	git -C repo rev-parse --verify -q parallel/T2 >/dev/null &&
	cat >expect <<-\EOF
	f.txt same-file
	h.txt conflict
	sub/g.txt same-file
	EOF
'

test_expect_success 'the attribute files in the worktree: union files are no conflict' '
	classes files >actual &&
	test_cmp expect actual
'

test_expect_success 'attribute files only in the index: read from there, as git check-attr does' '
	rm repo/.gitattributes repo/sub/.gitattributes &&
	git -C repo check-attr merge f.txt sub/g.txt >attr &&
	grep "f.txt: merge: union" attr &&
	grep "sub/g.txt: merge: union" attr &&
	classes index >actual &&
	test_cmp expect actual &&
	git -C repo checkout -q -- .gitattributes sub/.gitattributes
'

test_expect_success 'an attribute file changed in the worktree is read as before' '
	echo "h.txt merge=union" >>repo/.gitattributes &&
	classes changed >actual &&
	cat >expect.changed <<-\EOF &&
	f.txt same-file
	h.txt same-file
	sub/g.txt same-file
	EOF
	test_cmp expect.changed actual &&
	git -C repo checkout -q -- .gitattributes
'

test_expect_success 'check --exact names git merge-tree'"'"'s paths, attribute files only in the index' '
	rm repo/.gitattributes repo/sub/.gitattributes &&
	test_expect_code 1 git -C repo merge-tree --write-tree --name-only parallel/T1 parallel/T2 >mt &&
	sed 1d mt | sed "/^\$/,\$d" >expect.exact &&
	(cd repo && test_expect_code 1 git parallel check --exact --json >../exact.json) &&
	json_get exact.json "\"\\n\".join(sorted(set(p for x in d[\"pairs\"] for p in x[\"exact_paths\"])))" >actual &&
	test_cmp expect.exact actual &&
	git -C repo checkout -q -- .gitattributes sub/.gitattributes
'

test_done
