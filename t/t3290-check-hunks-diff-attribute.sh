#!/bin/sh

test_description='check: the line ranges of shared files, their "diff" attribute read once

The line ranges of the files two tasks changed are read from their blobs,
by several threads when there are many, each thread in its own
repository.  A blob diff that looks up the file'"'"'s "diff" attribute
itself reads the repository'"'"'s index and attribute files again in every
thread; check reads the attribute once and gives the diff what libgit2'"'"'s
diff driver makes of it: -diff and diff.<driver>.binary=true binary,
diff and diff.<driver>.binary=false text, anything else binary by
content.  git diff --numstat is the oracle for the binary flags, git diff
-U0 for the ranges; the report is the one the diff gives when it looks
the attribute up itself (GIT_PARALLEL_TEST_DIFF_ATTR=diff).'

. ./test-lib.sh

test_expect_success 'setup: 40 shared C files and one of each diff attribute, on both sides' '
	new_repo repo &&
	for i in $(test_seq 10 49); do
		test_seq 1 30 | sed "s/^/line /" >repo/f$i.c || return 1
	done &&
	for f in forced.txt nodiff.bin drv.bdrv tdrv.tdrv auto.dat moved.txt; do
		test_seq 1 30 | sed "s/^/line /" >repo/$f || return 1
	done &&
	cat >repo/.gitattributes <<-\EOF &&
	*.c diff=cpp
	*.txt diff
	*.bin -diff
	*.bdrv diff=bdrv
	*.tdrv diff=tdrv
	renamed.txt -diff
	EOF
	git -C repo config diff.bdrv.binary true &&
	git -C repo config diff.tdrv.binary false &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = one
		command = sed -i 3s/line/one/ f*.c forced.txt nodiff.bin drv.bdrv && printf "a\\000b\\n" >>tdrv.tdrv && printf "a\\000b\\n" >>auto.dat && printf "x\\000y\\n" >>forced.txt && git mv moved.txt renamed.txt && sed -i 3s/line/one/ renamed.txt
	[task "T2"]
		title = two
		command = sed -i 20s/line/two/ f*.c forced.txt nodiff.bin drv.bdrv tdrv.tdrv auto.dat moved.txt
	EOF
	git -C repo add -A && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >/dev/null 2>&1) &&
	git -C repo rev-parse --verify -q parallel/T1 >/dev/null &&
	git -C repo rev-parse --verify -q parallel/T2 >/dev/null
'

# shown <report> <task> <path>: what the report shows of the task's side of path
shown () {
	if test "$2" = T1; then
		sed -n "s|^    [a-z-]* *$3 ([a-z/]*)  T1 \(.*\) / T2 .*|\1|p" "$1"
	else
		sed -n "s|^    [a-z-]* *$3 ([a-z/]*)  T1 .* / T2 \([^ ]*\)  \[git.*|\1|p" "$1"
	fi
}

# git_side <task> <path>: "binary" where git diff --numstat says so, else the
# ranges of git diff -U0 (the old side'"'"'s, as check shows them)
git_side () {
	if git -C repo diff --numstat main parallel/$1 -- "$2" | grep -q "^-	-	"; then
		echo binary
	else
		git -C repo diff -U0 main parallel/$1 -- "$2" | sed -n "s/^@@ -\([0-9]*\),0 .*/+\1/p; s/^@@ -\([0-9]*\)\(,1\)\{0,1\} .*/\1/p" |
			sed "s/,1 .*//" | paste -sd, -
	fi
}

test_expect_success 'check --exact: binary flags and ranges as git diff has them' '
	(cd repo && GIT_PARALLEL_TEST_COUNT_DIFFS=1 git parallel check --exact >../report 2>../report.err || :) &&
	# 46 shared files, each side diffed once: threads
	grep "^check: 92 blob diffs$" report.err &&
	for f in forced.txt nodiff.bin drv.bdrv tdrv.tdrv auto.dat f10.c f33.c f49.c; do
		for t in T1 T2; do
			echo "$f $t $(git_side $t $f)" >>expect &&
			echo "$f $t $(shown report $t $f)" >>actual || return 1
		done
	done &&
	test_cmp expect actual &&
	# what the attributes make of them, spelled out
	grep "nodiff.bin ([a-z]*)  T1 binary / T2 binary" report &&
	grep "drv.bdrv ([a-z]*)  T1 binary / T2 binary" report &&
	grep "forced.txt ([a-z]*)  T1 3,+30 / T2 20 " report &&
	grep "tdrv.tdrv ([a-z]*)  T1 +30 / T2 20 " report &&
	grep "auto.dat ([a-z]*)  T1 binary / T2 20 " report
'

test_expect_success 'a file renamed where its new path is -diff: binary on that side, as in git' '
	git -C repo diff -M --numstat main parallel/T1 -- moved.txt renamed.txt >numstat &&
	grep "^-	-	" numstat &&
	grep "moved.txt (binary)  T1 binary / T2 20 " report
'

test_expect_success 'the same report, --json and plain check as when the diff looks the attribute up' '
	for opts in "--exact" "--exact --json" ""; do
		(cd repo && { git parallel check $opts >../new 2>&1 || :; } &&
		 { GIT_PARALLEL_TEST_DIFF_ATTR=diff git parallel check $opts >../old 2>&1 || :; }) &&
		test -s new &&
		test_cmp old new || return 1
	done
'

test_done
