#!/bin/sh

test_description='check: a worktree whose attributes convert, read as git reads it

libgit2 1.5 runs no filter driver and no working-tree-encoding: its status
and diffs hash a file'"'"'s bytes as they are.  When the fast scan of a
worktree cannot say it is clean (a file changed, an untracked one), the
worktree is diffed: the files git would call changed come from git status,
and the line ranges of a converted file from git'"'"'s own diff.  The oracle is
git status (and git diff) in the same worktree, run without optional locks.'

. ./test-lib.sh

# mk <dir> <attributes> <config>...: a repository with a converted file
# words.txt ("hello\nworld\n" in the blob), plain.c, and two tasks run
# with commit = never: T1 edits plain.c, T2 does nothing.
mk () {
	d=$1 attrs=$2 && shift 2 &&
	git init -q -b main $d &&
	for c in "$@"; do git -C $d config ${c%%=*} "${c#*=}" || return 1; done &&
	printf "%s\n" "$attrs" >$d/.gitattributes &&
	seq 1 20 >$d/plain.c &&
	cat >$d/tasks.ini <<-\EOF &&
	[task "T1"]
		paths = plain.c
		command = sed -i 3s/3/three/ plain.c
	[task "T2"]
		paths = other
		command = true
	EOF
	printf "[parallel]\n\tcommit = never\n" >$d/.gitparallel
}

# commit_run <dir>: commit, plan, run both tasks
commit_run () {
	git -C $1 add . && git -C $1 commit -q -m base &&
	(cd $1 && git parallel plan tasks.ini >/dev/null &&
	 git parallel run --trust-commands >/dev/null 2>&1)
}

# only_plain_c <dir>: right after commit_run, git status in T1's worktree
# sees plain.c changed and nothing else (the converted file is clean), and
# so does check (check_both; the answer in <dir>.json)
only_plain_c () {
	test "$(git_status $1.parallel/T1)" = " M plain.c" &&
	check_both $1 $1 &&
	files $1.json >actual &&
	echo "T1 plain.c 1 0 3+1" >expect &&
	test_cmp expect actual
}

git_status () {
	GIT_OPTIONAL_LOCKS=0 git -C "$1" status --porcelain
}

# files <json>: "<id> <path> <uncommitted> <binary> <ranges>" per file
files () {
	json_get "$1" "\"\\n\".join(\"%s %s %d %d %s\" % (t[\"id\"], f[\"path\"], f[\"uncommitted\"], f[\"binary\"], \",\".join(\"%d+%d\" % (r[\"start\"], r[\"lines\"]) for r in f[\"ranges\"])) for t in d[\"tasks\"] for f in t[\"files\"])"
}

# check_both <dir> <name>: check --json, the fast scan and the diff, one answer
# (exit 1: findings, such as a converted file the task did not declare)
check_both () {
	(cd $1 && { git parallel check --json >../$2.json 2>../$2.err; test $? -le 1; } &&
	 { GIT_PARALLEL_TEST_SCAN=diff git parallel check --json >../$2.slow 2>>../$2.err;
	   test $? -le 1; }) &&
	test_cmp $2.json $2.slow
}

test_expect_success 'working-tree-encoding: a file git wrote is no change of the task' '
	mk enc "*.txt working-tree-encoding=UTF-16" &&
	printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16 >enc/words.txt &&
	commit_run enc &&
	only_plain_c enc &&
	test "$(json_get enc.json "len(d[\"violations\"])")" = 0
'

test_expect_success 'working-tree-encoding: the file changed, its ranges are git'"'"'s' '
	printf "hello\nearth\n" | iconv -f UTF-8 -t UTF-16 >enc.parallel/T1/words.txt &&
	git_status enc.parallel/T1 >status &&
	printf " M plain.c\n M words.txt\n" >expect && test_cmp expect status &&
	git -C enc.parallel/T1 diff -U0 words.txt | grep "^@@ -2 +2 @@" &&
	check_both enc enc2 &&
	files enc2.json >actual &&
	printf "T1 plain.c 1 0 3+1\nT1 words.txt 1 0 2+1\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'working-tree-encoding: UTF-8 written over it (the blob'"'"'s bytes): changed, as git says' '
	printf "hello\nworld\n" >enc.parallel/T1/words.txt &&
	test "$(git -C enc.parallel/T1 hash-object --no-filters words.txt)" = \
		"$(git -C enc.parallel/T1 rev-parse :words.txt)" &&
	git_status enc.parallel/T1 >status &&
	printf " M plain.c\n M words.txt\n" >expect && test_cmp expect status &&
	check_both enc enc3 &&
	files enc3.json >actual &&
	grep "^T1 words.txt 1 " actual
'

test_expect_success 'a task that did nothing, an untracked file beside a converted one' '
	echo new >enc.parallel/T2/new.c &&
	test "$(git_status enc.parallel/T2)" = "?? new.c" &&
	check_both enc enc4 &&
	files enc4.json >actual &&
	grep "^T2 new.c 1 0 " actual &&
	! grep "^T2 words.txt" actual
'

test_expect_success 'a filter driver: files smudged by git, read back through the clean filter' '
	mk filt "*.txt filter=rot" "filter.rot.clean=tr A-Za-z N-ZA-Mn-za-m" \
		"filter.rot.smudge=tr A-Za-z N-ZA-Mn-za-m" &&
	printf "hello\nworld\n" >filt/words.txt &&
	commit_run filt &&
	test "$(git -C filt cat-file blob HEAD:words.txt)" = "$(printf "uryyb\njbeyq")" &&
	test "$(cat filt.parallel/T1/words.txt)" = "$(printf "hello\nworld")" &&
	only_plain_c filt
'

test_expect_success 'a filter driver: the file changed in the worktree, git'"'"'s ranges' '
	printf "hello\nworld\nagain\n" >filt.parallel/T1/words.txt &&
	check_both filt filt2 &&
	files filt2.json >actual &&
	printf "T1 plain.c 1 0 3+1\nT1 words.txt 1 0 2+0\n" >expect &&
	test_cmp expect actual &&
	git -C filt.parallel/T1 diff -U0 words.txt | grep "^@@ -2,0 +3 @@"
'

test_expect_success 'the committed work of a converted file is measured as git diffs it' '
	(cd filt.parallel/T1 && git add -A && git commit -q -m work) &&
	test "$(git -C filt cat-file blob parallel/T1:words.txt)" = "$(printf "uryyb\njbeyq\nntnva")" &&
	touch -d @1 filt.parallel/T1/words.txt &&
	echo more >>filt.parallel/T1/plain.c &&
	check_both filt filt3 &&
	files filt3.json >actual &&
	printf "T1 plain.c 1 0 3+1,20+0\nT1 words.txt 0 0 2+0\n" >expect &&
	test_cmp expect actual
'

# all_racy <worktree>: every file'"'"'s mtime and the index'"'"'s in one second
# (git then compares each file'"'"'s content, converted, with its blob)
all_racy () {
	(cd "$1" && s=$(( $(date +%s) - 200 )) &&
	 git ls-files | while read f; do touch -m -d @$s.1 "$f" || exit 1; done &&
	 git update-index -q --refresh &&
	 touch -m -d @$s.9 "$(git rev-parse --path-format=absolute --git-path index)")
}

test_expect_success 'a dependency'"'"'s change of a converted file stays inherited' '
	git init -q -b main dep &&
	echo "*.txt working-tree-encoding=UTF-16" >dep/.gitattributes &&
	printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16 >dep/words.txt &&
	seq 1 20 >dep/plain.c &&
	cat >dep/edit.sh <<-\EOF &&
	printf "hello\nworld\nagain\n" | iconv -f UTF-8 -t UTF-16 >words.txt
	EOF
	cat >dep/tasks.ini <<-\EOF &&
	[task "T1"]
		paths = words.txt
		command = sh edit.sh
	[task "T2"]
		paths = plain.c
		depends = T1
		command = sed -i 3s/3/three/ plain.c
	EOF
	git -C dep add . && git -C dep commit -q -m base &&
	(cd dep && git parallel plan tasks.ini >/dev/null &&
	 git parallel run --trust-commands >/dev/null 2>&1) &&
	git -C dep show parallel/T2:words.txt >actual &&
	printf "hello\nworld\nagain\n" >expect && test_cmp expect actual &&
	all_racy dep.parallel/T2 &&
	echo more >>dep.parallel/T2/plain.c &&
	test "$(git_status dep.parallel/T2)" = " M plain.c" &&
	stat -c "%y %s %i" dep/.git/worktrees/T2/index >index.before &&
	check_both dep dep &&
	stat -c "%y %s %i" dep/.git/worktrees/T2/index >index.after &&
	test_cmp index.before index.after &&
	json_get dep.json "\" \".join(\"%s:%d\" % (f[\"path\"], f[\"inherited\"]) for t in d[\"tasks\"] if t[\"id\"] == \"T2\" for f in t[\"files\"])" >actual &&
	echo "plain.c:0 words.txt:1" >expect &&
	test_cmp expect actual
'

test_done
