#!/bin/sh

test_description='check reads a task worktree in one walk, and misses nothing a directory holds

The scan for uncommitted work opens each directory of tracked files
once, below its parent and never through a symlink, reads its names and
lstat()s its files from it (indexstat_worktree_clean()).  What the walk
could miss by its shape: a directory that holds only directories, a
directory whose files the index lists on both sides of a subdirectory,
names sorting around a directory ("a-b" < "a/x" < "a0"), a directory
replaced by a symlink to the very files, by a file, or removed.  Each
must be seen as git status sees it, and reported as the diff reports
it (GIT_PARALLEL_TEST_SCAN=diff).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/indexstat.sh"

command -v strace >/dev/null 2>&1 && test_set_prereq STRACE

test_expect_success 'setup: a tree of every shape the walk goes through' '
	git init -q -b main repo &&
	mkdir -p repo/only/x repo/only/y repo/split/mid/deeper repo/a repo/d/e/f &&
	for f in only/x/1 only/y/2 split/a split/mid/3 split/mid/deeper/4 split/z \
		 a-b a/x a0 d/e/f/5 d/e/6 top; do
		seq 1 20 >repo/$f.txt || return 1
	done &&
	scan_tasks top.txt
'

test_expect_success 'clean worktrees are read from their stat data, in one walk' '
	same_as_diff clean &&
	grep "T1 clean by stat data" clean.trace &&
	grep "T2 clean by stat data" clean.trace &&
	test "$(uncommitted clean.fast)" = "T1:0 T2:0"
'

test_expect_success STRACE 'each directory is opened once' '
	(cd repo && ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 \
		strace -f -e trace=openat,open -o ../open.trace git parallel check T1 >/dev/null) &&
	for d in only x y split mid deeper d e f; do
		echo "$d 1" &&
		echo "$d $(grep -c "[\"/]$d\", O_RDONLY.*O_DIRECTORY" open.trace)" || return 1
	done >dirs &&
	sort dirs | uniq -u >once &&
	test_must_be_empty once
'

# scenario <name> <command run in T1> <expected T1 count>: the slow way is taken and agrees
scenario () {
	sc_name=$1 sc_cmd=$2 sc_n=$3
	test_expect_success "$1: seen, and reported as the diff and git status report it" '
		(cd repo.parallel/T1 && eval "$sc_cmd") &&
		test -n "$(git -C repo.parallel/T1 status --porcelain)" &&
		same_as_diff "$sc_name" &&
		grep "T1 diffed" "$sc_name.trace" &&
		grep "T2 clean by stat data" "$sc_name.trace" &&
		test "$(uncommitted "$sc_name.fast")" = "T1:$sc_n T2:0" &&
		(cd repo.parallel/T1 && rm -rf only split a a-b a0 d top.txt new* &&
		 git reset -q --hard && git clean -q -fdx) &&
		test -z "$(git -C repo.parallel/T1 status --porcelain)"
	'
}

scenario untracked-in-dir-of-dirs "echo new >only/new.txt" 1
scenario untracked-after-subdir "echo new >split/zz.txt" 1
scenario untracked-before-subdir "echo new >split/0.txt" 1
scenario untracked-deepest "echo new >split/mid/deeper/new.txt" 1
scenario untracked-sorting-around "echo new >a.new && echo new >a/x.txt.orig" 2
scenario edit-after-subdir "sed -i 4s/4/four/ split/z.txt" 1
scenario edit-in-dir-of-dirs-child "sed -i 4s/4/four/ only/y/2.txt" 1
scenario dir-symlinked-to-same-files "mv d d.real && ln -s d.real d" 3
scenario subdir-symlinked-to-same-files "mv split/mid mid.real && ln -s ../mid.real split/mid" 3
scenario dir-removed "rm -rf only" 2
scenario dir-now-file "rm -rf d/e/f && echo file >d/e/f" 2
scenario file-now-dir "rm a0.txt && mkdir a0.txt && seq 1 20 >a0.txt/inner" 1
scenario chmod-after-subdir "chmod +x split/z.txt" 1
scenario delete-in-dir-of-dirs "rm only/x/1.txt" 1

test_expect_success 'an empty new directory is no uncommitted work (git status shows none), as the diff says' '
	mkdir repo.parallel/T1/split/empty &&
	test -z "$(git -C repo.parallel/T1 status --porcelain)" &&
	same_as_diff empty-dir &&
	test "$(uncommitted empty-dir.fast)" = "T1:0 T2:0" &&
	rmdir repo.parallel/T1/split/empty
'

test_done
