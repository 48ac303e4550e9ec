#!/bin/sh

test_description='check: committed footprints found top-down, each blob diff once

A task whose committed change can hold no rename (no file both added and
deleted), no type change and no submodule is measured from the trees
top-down (treediff.c), its files'"'"' line ranges read from their blobs when
asked; others keep libgit2'"'"'s diff and rename detection.  Both ways give
the same footprints, ranges and binary flags (attributes included), and
check reports the same as with libgit2'"'"'s diff alone
(GIT_PARALLEL_TEST_TREEDIFF=libgit2).  Line ranges are read once per
pair of blobs, by several threads when there are many, and are git'"'"'s
(git diff -U0, Myers, no indent heuristic).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/footprint.sh"

test_expect_success 'setup: tasks of every kind of change' '
	new_repo repo &&
	mkdir -p repo/src/deep repo/doc &&
	for f in src/a.c src/deep/b.c doc/c.txt top.txt nodiff.dat gone.txt moved.txt; do
		thirty_lines >repo/$f || return 1
	done &&
	printf "a\\000b\\000c\\n" >repo/blob.bin &&
	echo "nodiff.dat -diff" >repo/.gitattributes &&
	ln -s top.txt repo/link &&
	{
		task_ini T1 "sed -i s/^line.5\$/five/ src/a.c && chmod +x src/deep/b.c && echo new >doc/new.txt" &&
		task_ini T2 "sed -i s/^line.9\$/nine/ src/deep/b.c && sed -i s/^line.2\$/two/ nodiff.dat && printf \"x\\\\000y\\\\n\" >blob.bin" &&
		task_ini T3 "sed -i s/^line.9\$/nine/ src/deep/b.c && sed -i s/^line.3\$/three/ nodiff.dat && printf \"z\\\\000w\\\\n\" >blob.bin && git rm -q gone.txt" &&
		task_ini T4 "git mv moved.txt doc/moved.txt && sed -i s/^line.6\$/six/ src/a.c" &&
		task_ini T5 "rm link && echo file >link && sed -i s/^line.5\$/FIVE/ src/a.c"
	} >repo/tasks.ini &&
	run_tasks repo T1 T2 T3 T4 T5
'

test_expect_success 'the footprints that can hold no rename are read top-down' '
	(cd repo && GIT_PARALLEL_TEST_TREEDIFF=trace git parallel check --no-uncommitted >/dev/null 2>../trace || :) &&
	grep "treediff: T1 top-down" trace &&
	grep "treediff: T2 top-down" trace &&
	grep "treediff: T3 top-down" trace &&
	grep "treediff: T4 top-down, renames by libgit2" trace &&
	grep "treediff: T5 top-down, renames by libgit2" trace
'

# same <name> <check options>: the report equals libgit2's diff'"'"'s
same () {
	sm_name=$1 sm_opts=$2
	test_expect_success "$1: as with libgit2's diff alone" '
		(cd repo && git parallel check $sm_opts >../$sm_name.fast 2>../$sm_name.fast.err;
		 echo $? >>../$sm_name.fast &&
		 GIT_PARALLEL_TEST_TREEDIFF=libgit2 git parallel check $sm_opts >../$sm_name.slow 2>../$sm_name.slow.err;
		 echo $? >>../$sm_name.slow) &&
		test_cmp $sm_name.slow $sm_name.fast &&
		test_cmp $sm_name.slow.err $sm_name.fast.err &&
		test -s $sm_name.fast
	'
}
same report ""
same json "--json"
same exact "--exact"
same exact-json "--exact --json"
same committed "--no-uncommitted --json"

test_expect_success 'ranges, binary flags and kinds as git sees them' '
	(cd repo && test_expect_code 1 git parallel check --json >../c.json) &&
	json_get c.json "[f[\"ranges\"] for t in d[\"tasks\"] if t[\"id\"] == \"T1\" for f in t[\"files\"] if f[\"path\"] == \"src/a.c\"][0]" >actual &&
	echo "[{\"start\": 5, \"lines\": 1}]" >expect &&
	test_cmp expect actual &&
	json_get c.json "sorted(f[\"path\"] for t in d[\"tasks\"] if t[\"id\"] == \"T2\" for f in t[\"files\"] if f[\"binary\"])" >actual &&
	echo "[\"blob.bin\", \"nodiff.dat\"]" >expect &&
	test_cmp expect actual &&
	json_get c.json "\" \".join(sorted(\"%s:%s:%s\" % (o[\"path\"], o[\"kind\"], o[\"class\"]) for o in d[\"overlaps\"] if o[\"tasks\"] == [\"T2\", \"T3\"]))" >actual &&
	echo "blob.bin:binary:conflict nodiff.dat:binary:conflict src/deep/b.c:identical:same-file" >expect &&
	test_cmp expect actual &&
	# without --json, ranges are read only where tasks share a file
	grep "conflict  *blob.bin (binary)  T2 binary / T3 binary" report.fast &&
	grep "conflict  *nodiff.dat (binary)  T2 binary / T3 binary" report.fast &&
	grep "same-file src/deep/b.c (identical)  T2 9 / T3 9" report.fast &&
	grep "conflict  *src/a.c (content)  T1 5 / T4 6" report.fast
'

test_expect_success 'a task measured top-down keeps its uncommitted work' '
	echo more >>repo.parallel/T1/doc/c.txt &&
	(cd repo && GIT_PARALLEL_TEST_TREEDIFF=trace GIT_PARALLEL_TEST_SCAN=trace \
		git parallel check --json >../u.json 2>../u.trace || :) &&
	json_get u.json "[t[\"uncommitted\"] for t in d[\"tasks\"] if t[\"id\"] == \"T1\"][0]" >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	json_get u.json "[(f[\"path\"], f[\"uncommitted\"]) for t in d[\"tasks\"] if t[\"id\"] == \"T1\" for f in t[\"files\"] if f[\"path\"] == \"doc/c.txt\"]" >actual &&
	echo "[[\"doc/c.txt\", true]]" >expect &&
	test_cmp expect actual &&
	grep "scan: .*/T1 diffed" u.trace &&
	grep "treediff: T2 top-down" u.trace
'

# git_ranges <task>: "path start,lines ..." of every file, from git diff -U0's hunk headers
git_ranges () {
	git -C many diff -U0 --diff-algorithm=myers --no-indent-heuristic main parallel/$1 |
	awk '/^\+\+\+ b\// { if (p) print p r; p = substr($0, 7); r = "" }
	     /^@@ / { split($2, a, ","); s = substr(a[1], 2); n = (a[2] == "" ? 1 : a[2]); r = r " " s "," n }
	     END { if (p) print p r }' | sort
}

# gp_ranges <json> <task>: the same from check --json
gp_ranges () {
	json_get "$1" "\"\\n\".join(sorted(f[\"path\"] + \" \" + \" \".join(\"%d,%d\" % (r[\"start\"], r[\"lines\"]) for r in f[\"ranges\"]) for t in d[\"tasks\"] if t[\"id\"] == \"$2\" for f in t[\"files\"]))"
}

test_expect_success 'many shared files: ranges read by several threads are git'"'"'s' '
	new_repo many &&
	for i in $(test_seq 1 60); do
		thirty_lines >many/f$i.txt || return 1
	done &&
	{
		task_ini T1 "for f in f*.txt; do sed -i -e s/^line.3\$/three/ -e s/^line.20\$/twenty/ \$f; done" &&
		task_ini T2 "for f in f*.txt; do sed -i -e s/^line.10\$/ten/ -e 29d \$f; done"
	} >many/tasks.ini &&
	run_tasks many T1 T2 &&
	(cd many && git parallel check --json >../many.json) &&
	for t in T1 T2; do
		git_ranges $t >expect && gp_ranges many.json $t >actual &&
		test_line_count = 60 actual && test_cmp expect actual || return 1
	done &&
	(cd many && git parallel check >../many.out) &&
	grep "same-file f7.txt (content)  T1 3,20 / T2 10,29" many.out &&
	test $(grep -c "same-file f[0-9]*.txt (content)  T1 3,20 / T2 10,29" many.out) = 60
'

test_expect_success 'many renames: git'"'"'s pairs, as libgit2 paired them with git'"'"'s metric' '
	new_repo ren &&
	mkdir ren/doc &&
	for i in $(test_seq 1 120); do
		for l in 1 2 3 4 5 6 7 8; do echo "page $i line $l"; done >ren/doc/p$i.txt || return 1
	done &&
	{
		task_ini T1 "for f in doc/*.txt; do git mv \$f \${f%.txt}.adoc && echo more >>\${f%.txt}.adoc; done" &&
		task_ini T2 "sed -i s/line.4/LINE-4/ doc/p7.txt"
	} >ren/tasks.ini &&
	run_tasks ren T1 T2 &&
	(cd ren && git parallel check --json >../ren.fast; echo $? >>../ren.fast;
	 GIT_PARALLEL_TEST_TREEDIFF=libgit2 git parallel check --json >../ren.slow; echo $? >>../ren.slow) &&
	test_cmp ren.slow ren.fast &&
	sed "\$d" ren.fast >ren.json &&
	git -C ren diff -M --name-status main parallel/T1 | grep -c "^R" >expect &&
	json_get ren.json "sum(1 for t in d[\"tasks\"] if t[\"id\"] == \"T1\" for f in t[\"files\"] if f[\"change\"] == \"renamed\")" >actual &&
	test_cmp expect actual &&
	echo 120 >expect && test_cmp expect actual &&
	(cd ren && git parallel check >../ren.out || :) &&
	grep "same-file doc/p7.txt (content)  T1 -> doc/p7.adoc +8 / T2 4" ren.out
'

test_expect_success 'a type change and additions: libgit2 pairs them as with the whole diff' '
	new_repo tc &&
	mkdir tc/doc tc/src &&
	thirty_lines >tc/RelNotes &&
	for i in 1 2 3; do thirty_lines | sed "s/line/src $i/" >tc/src/s$i.c || return 1; done &&
	echo gone >tc/doc/old.txt &&
	{
		# RelNotes becomes a link; an added file holds its old text:
		# libgit2 reads that as a rename of RelNotes, and a new link
		task_ini T1 "cp RelNotes doc/notes.txt && rm RelNotes && ln -s doc/notes.txt RelNotes && sed -i s/^src.1.5\$/five/ src/s1.c" &&
		task_ini T2 "git mv src/s2.c src/t2.c && echo new >doc/new.txt && git rm -q doc/old.txt && sed -i s/^src.3.7\$/seven/ src/s3.c"
	} >tc/tasks.ini &&
	run_tasks tc T1 T2 &&
	(cd tc && GIT_PARALLEL_TEST_TREEDIFF=trace git parallel check --json >../tc.fast 2>../tc.trace; echo $? >>../tc.fast;
	 GIT_PARALLEL_TEST_TREEDIFF=libgit2 git parallel check --json >../tc.slow; echo $? >>../tc.slow) &&
	grep "treediff: T1 top-down, renames by libgit2" tc.trace &&
	grep "treediff: T2 top-down, renames by libgit2" tc.trace &&
	test_cmp tc.slow tc.fast &&
	sed "\$d" tc.fast >tc.json &&
	json_get tc.json "\" \".join(sorted(\"%s:%s\" % (f[\"path\"], f[\"change\"]) for t in d[\"tasks\"] for f in t[\"files\"]))" >actual &&
	echo "RelNotes:added doc/new.txt:added doc/notes.txt:renamed doc/old.txt:deleted src/s1.c:modified src/s3.c:modified src/t2.c:renamed" >expect &&
	test_cmp expect actual
'

test_done
