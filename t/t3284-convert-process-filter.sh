#!/bin/sh

test_description='a long-running filter driver (filter.<driver>.process) through run, check, clean, merge

git talks to a filter.<driver>.process over its pkt-line protocol
(gitattributes(5)); libgit2 1.5 runs no driver at all.  The driver here is
t/lib/rot13-process.py (git'"'"'s t0021 rot13 filter, in Python): the blob
holds the rot13 of the file.  Each stage gives git'"'"'s answer: run'"'"'s
worktrees hold the smudged files and its commits the cleaned blobs, check
reads a worktree through the filter, clean tells a worktree git wrote from
one holding work, merge writes the checked-out target through it.'

. ./test-lib.sh

rot13 () {
	tr A-Za-z N-ZA-Mn-za-m
}

git_status () {
	GIT_OPTIONAL_LOCKS=0 git -C "$1" status --porcelain
}

# files <json>: "<id> <path> <uncommitted> <binary> <ranges>" per file
files () {
	json_get "$1" "\"\\n\".join(\"%s %s %d %d %s\" % (t[\"id\"], f[\"path\"], f[\"uncommitted\"], f[\"binary\"], \",\".join(\"%d+%d\" % (r[\"start\"], r[\"lines\"]) for r in f[\"ranges\"])) for t in d[\"tasks\"] for f in t[\"files\"])"
}

test_expect_success 'setup: a repository whose *.txt go through the process filter' '
	git init -q -b main repo2 &&
	git -C repo2 config filter.rot.process \
		"\"$GP_TEST_DIR/lib/rot13-process.py\" \"$TRASH_DIRECTORY/filter.log\"" &&
	git -C repo2 config filter.rot.required true &&
	echo "*.txt filter=rot" >repo2/.gitattributes &&
	seq 1 10 | sed "s/^/line /" >repo2/a.txt &&
	seq 1 10 | sed "s/^/para /" >repo2/b.txt &&
	echo untouched >repo2/c.txt &&
	cat >repo2/tasks.ini <<-\EOF &&
	[task "T1"]
		paths = a.txt
		command = sed -i "2s/line/LINE/" a.txt
	[task "T2"]
		paths = b.txt
		command = sed -i "9s/para/PARA/" b.txt
	[task "T3"]
		paths = z
		command = true
	EOF
	git -C repo2 add . && git -C repo2 commit -q -m base &&
	git -C repo2 cat-file blob HEAD:c.txt >blob &&
	echo untouched | rot13 >expect && test_cmp expect blob &&
	grep "^clean c.txt$" filter.log
'

test_expect_success 'run: worktrees smudged by the driver, commits cleaned by it' '
	rm -f filter.log &&
	(cd repo2 && git parallel plan tasks.ini >/dev/null &&
	 git parallel run --trust-commands >../out 2>../err) &&
	grep "3 done" out &&
	grep "^smudge c.txt$" filter.log &&
	for t in T1 T2 T3
	do
		echo untouched >expect &&
		test_cmp expect repo2.parallel/$t/c.txt &&
		git_status repo2.parallel/$t >status &&
		test_must_be_empty status || return 1
	done &&
	git -C repo2 show parallel/T1:a.txt | rot13 >actual &&
	seq 1 10 | sed "s/^/line /; 2s/line/LINE/" >expect &&
	test_cmp expect actual &&
	git -C repo2 diff --name-only main parallel/T1 >changed &&
	echo a.txt >expect && test_cmp expect changed &&
	git -C repo2 diff --name-only main parallel/T3 >changed &&
	test_must_be_empty changed
'

test_expect_success 'check: a worktree read through the driver, committed and not' '
	sed -i "5s/line/Line/" repo2.parallel/T1/a.txt &&
	echo new >repo2.parallel/T3/new.c &&
	(cd repo2 && test_expect_code 1 git parallel check --json >../c.json 2>../c.err &&
	 GIT_PARALLEL_TEST_SCAN=diff test_expect_code 1 git parallel check --json >../c.slow 2>>../c.err) &&
	test "$(json_get c.json "[v[\"path\"] for v in d[\"violations\"]]")" = "[\"new.c\"]" &&
	test_cmp c.json c.slow &&
	files c.json >actual &&
	printf "T1 a.txt 1 0 2+1,5+1\nT2 b.txt 0 0 9+1\nT3 new.c 1 0 0+0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'clean: a worktree git wrote goes, one holding work stays' '
	(cd repo2 && test_expect_code 1 git parallel clean T1 >../out 2>../err) &&
	grep "T1.*uncommitted changes (a.txt)" err &&
	git -C repo2.parallel/T1 checkout -q -- a.txt &&
	rm repo2.parallel/T3/new.c &&
	git -C repo2 cat-file blob HEAD:c.txt >repo2.parallel/T3/c.txt &&
	test "$(git_status repo2.parallel/T3)" = " M c.txt" &&
	(cd repo2 && test_expect_code 1 git parallel clean T3 >../out 2>../err) &&
	grep "T3.*uncommitted changes (c.txt)" err &&
	git -C repo2.parallel/T3 checkout -q -- c.txt &&
	(cd repo2 && git parallel clean T3 >../out 2>../err) &&
	! test -e repo2.parallel/T3
'

test_expect_success 'merge: the checked-out target written through the driver' '
	rm -f filter.log &&
	(cd repo2 && git parallel merge T1 T2 >../out 2>../err) &&
	grep "^2 merged, 0 conflicts" out &&
	git_status repo2 >status && test_must_be_empty status &&
	seq 1 10 | sed "s/^/line /; 2s/line/LINE/" >expect &&
	test_cmp expect repo2/a.txt &&
	seq 1 10 | sed "s/^/para /; 9s/para/PARA/" >expect &&
	test_cmp expect repo2/b.txt &&
	git -C repo2 show main:b.txt | rot13 >actual &&
	test_cmp expect actual &&
	grep "^smudge a.txt$" filter.log &&
	(cd repo2 && git parallel clean --merged >../out 2>../err) &&
	! test -e repo2.parallel/T1 && ! test -e repo2.parallel/T2
'

test_done
