#!/bin/sh

test_description='check reads line ranges only of files tasks share, and says the same

A footprint no longer reads the two blobs of every file a task changed:
check reads the line ranges of a file when two tasks share it (and of
every file with --json).  The verdicts, ranges and binary flags must be
what reading everything gave (the expected output below was made by the
version that read everything).'

. ./test-lib.sh

test_expect_success 'setup: three tasks sharing files in every way check knows' '
	git init -q -b main repo &&
	for f in a b d own1 own2; do seq 1 20 | sed "s/^/$f line /" >repo/$f.txt || return 1; done &&
	printf "bin\\0ary\\0data\\n" >repo/c.bin &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = one
		command = sed -i 3s/line/LINE/ a.txt && sed -i 10s/line/LINE/ b.txt && printf "one\\0x\\n" >c.bin && sed -i 5s/line/LINE/ own1.txt && git mv d.txt d2.txt && sed -i 19s/line/LINE/ d2.txt && mkdir x && echo y >x/y
	[task "T2"]
		title = two
		command = sed -i 3s/line/Line/ a.txt && sed -i 15s/line/Line/ b.txt && printf "two\\0y\\n" >c.bin && sed -i 7s/line/Line/ own2.txt && sed -i 2s/line/Line/ d.txt
	[task "T3"]
		title = three
		command = echo file >x && sed -i 12s/line/lINE/ own2.txt
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 1 >/dev/null 2>&1) &&
	test_must_fail git -C repo merge-tree --write-tree parallel/T1 parallel/T2 >/dev/null
'

test_expect_success 'check: the overlaps, ranges and binary flags of reading everything' '
	cat >expect <<-\EOF &&
	overlaps:
	  T1 / T2
	    conflict  a.txt (content)  T1 3 / T2 3
	    same-file b.txt (content)  T1 10 / T2 15
	    conflict  c.bin (binary)  T1 binary / T2 binary
	    same-file d.txt (content)  T1 -> d2.txt 19 / T2 2
	  T1 / T3
	    conflict  x (file/directory)  T1 added / T3 added
	  T2 / T3
	    same-file own2.txt (content)  T2 7 / T3 12
	EOF
	(cd repo && test_expect_code 1 git parallel check >../out) &&
	sed -n "/^overlaps:/,/^$/p" out | sed "/^$/d" >actual &&
	test_cmp expect actual &&
	grep "^3 tasks measured, 6 overlaps: 3 conflicts, 3 same-file; 0 violations$" out
'

test_expect_success 'check --exact gives the same verdicts' '
	(cd repo && test_expect_code 1 git parallel check --exact >../exact) &&
	grep "T1 / T2" exact &&
	grep "a.txt" exact
'

test_expect_success 'check --json still has the ranges of files no other task changed' '
	(cd repo && test_expect_code 1 git parallel check --json >../c.json) &&
	json_get c.json "[(f[\"path\"], f[\"binary\"], f[\"ranges\"]) for t in d[\"tasks\"] for f in t[\"files\"] if f[\"path\"] in (\"own1.txt\", \"c.bin\", \"x/y\")]" >actual &&
	cat >expect <<-\EOF &&
	[["c.bin", true, []], ["own1.txt", false, [{"start": 5, "lines": 1}]], ["x/y", false, [{"start": 0, "lines": 0}]], ["c.bin", true, []]]
	EOF
	test_cmp expect actual
'

test_expect_success 'a dirty worktree is read whole, as before' '
	sed -i 18s/line/DIRTY/ repo.parallel/T3/own1.txt &&
	(cd repo && test_expect_code 1 git parallel check >../dirty) &&
	grep "same-file own1.txt (content)  T1 5 / T3 18" dirty
'

test_expect_success 'a change only staged (the files as the index) is still uncommitted work' '
	git -C repo.parallel/T3 checkout -q own1.txt &&
	sed -i 16s/line/STAGED/ repo.parallel/T2/own1.txt &&
	git -C repo.parallel/T2 add own1.txt &&
	test -z "$(git -C repo.parallel/T2 diff --name-only)" &&
	(cd repo && test_expect_code 1 git parallel check --json >../staged.json) &&
	json_get staged.json "[(t[\"id\"], f[\"path\"], f[\"uncommitted\"], f[\"ranges\"]) for t in d[\"tasks\"] for f in t[\"files\"] if f[\"path\"] == \"own1.txt\"]" >actual &&
	cat >expect <<-\EOF &&
	[["T1", "own1.txt", false, [{"start": 5, "lines": 1}]], ["T2", "own1.txt", true, [{"start": 16, "lines": 1}]]]
	EOF
	test_cmp expect actual
'

test_expect_success 'check writes no object while it reads a staged worktree' '
	sed -i 17s/line/STAGED/ repo.parallel/T2/own2.txt &&
	git -C repo.parallel/T2 add own2.txt &&
	# what --exact'"'"'s git merge-tree writes (the merged trees) is git'"'"'s, not ours
	for pair in "T1 T2" "T1 T3" "T2 T3"; do
		git -C repo merge-tree --write-tree $(git -C repo rev-parse $(printf "parallel/%s " $pair)) >/dev/null || :
	done &&
	find repo/.git/objects -type f | sort >before &&
	(cd repo && test_expect_code 1 git parallel check >/dev/null) &&
	(cd repo && test_expect_code 1 git parallel check --exact >/dev/null) &&
	find repo/.git/objects -type f | sort >after &&
	test_cmp before after
'

test_done
