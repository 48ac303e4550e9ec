#!/bin/sh

test_description='clean and run: uncommitted work in a worktree whose attributes convert

clean refuses a worktree with uncommitted changes, and run remakes a
worktree left with a stale index.lock only when it holds none.  Where a
filter driver or a working-tree-encoding converts a file, libgit2 1.5
hashes its bytes as they are: a file git wrote would look changed (a
refusal: safe, but wrong), and one an agent made the blob'"'"'s very bytes
would look clean (its work removed).  git status decides there; the
oracle is git status in the same worktree, without optional locks.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

git_status () {
	GIT_OPTIONAL_LOCKS=0 git -C "$1" status --porcelain
}

# mk <dir> <attributes> <config>...: words.txt converted ("hello\nworld\n"
# in the blob), three tasks T1..T3 that do nothing, run with commit = never
mk () {
	d=$1 attrs=$2 && shift 2 &&
	git init -q -b main $d &&
	for c in "$@"; do git -C $d config ${c%%=*} "${c#*=}" || return 1; done &&
	printf "%s\n" "$attrs" >$d/.gitattributes &&
	echo plain >$d/plain.c &&
	printf "[task \"T%s\"]\n\tpaths = p%s\n\tcommand = true\n" 1 1 2 2 3 3 >$d/tasks.ini &&
	printf "[parallel]\n\tcommit = never\n" >$d/.gitparallel
}

commit_run () {
	git -C $1 add . && git -C $1 commit -q -m base &&
	(cd $1 && git parallel plan tasks.ini >/dev/null &&
	 git parallel run --trust-commands >/dev/null 2>&1)
}

test_expect_success 'working-tree-encoding: a worktree as git wrote it is removed' '
	mk enc "*.txt working-tree-encoding=UTF-16" &&
	printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16 >enc/words.txt &&
	commit_run enc &&
	git_status enc.parallel/T1 >status && test_must_be_empty status &&
	(cd enc && git parallel clean T1 >../out 2>../err) &&
	! test -e enc.parallel/T1 &&
	grep "removed T1" out
'

test_expect_success 'working-tree-encoding: the blob'"'"'s bytes written over the file: refused, kept' '
	printf "hello\nworld\n" >enc.parallel/T2/words.txt &&
	test "$(git_status enc.parallel/T2)" = " M words.txt" &&
	(cd enc && test_expect_code 1 git parallel clean T2 >../out 2>../err) &&
	grep "T2.*uncommitted changes (words.txt)" err &&
	printf "hello\nworld\n" >expect &&
	test_cmp expect enc.parallel/T2/words.txt
'

test_expect_success 'working-tree-encoding: a real change: refused, named' '
	printf "hello\nearth\n" | iconv -f UTF-8 -t UTF-16 >enc.parallel/T3/words.txt &&
	test "$(git_status enc.parallel/T3)" = " M words.txt" &&
	(cd enc && test_expect_code 1 git parallel clean T3 >../out 2>../err) &&
	grep "T3.*uncommitted changes (words.txt)" err &&
	test -e enc.parallel/T3/words.txt
'

test_expect_success 'a filter driver: a worktree as git wrote it is removed' '
	mk filt "*.txt filter=rot" "filter.rot.clean=tr A-Za-z N-ZA-Mn-za-m" \
		"filter.rot.smudge=tr A-Za-z N-ZA-Mn-za-m" &&
	printf "hello\nworld\n" >filt/words.txt &&
	commit_run filt &&
	test "$(cat filt.parallel/T1/words.txt)" = "$(printf "hello\nworld")" &&
	(cd filt && git parallel clean T1 >../out 2>../err) &&
	! test -e filt.parallel/T1
'

# rot13 keeps the size: libgit2 hashes the rewritten file as it is, finds
# the blob, and would call it clean
test_expect_success 'a filter driver: the blob'"'"'s bytes written over the file: refused, kept' '
	git -C filt cat-file blob HEAD:words.txt >filt.parallel/T2/words.txt &&
	test "$(git_status filt.parallel/T2)" = " M words.txt" &&
	(cd filt && test_expect_code 1 git parallel clean T2 >../out 2>../err) &&
	grep "T2.*uncommitted changes (words.txt)" err &&
	test -e filt.parallel/T2/words.txt
'

test_expect_success 'clean --force still removes it (asked to)' '
	(cd filt && git parallel clean --force T2 >../out 2>../err) &&
	! test -e filt.parallel/T2
'

test_expect_success 'a stale index.lock in a converted worktree git finds clean: made again' '
	mk lock "*.txt working-tree-encoding=UTF-16" &&
	printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16 >lock/words.txt &&
	git -C lock add . && git -C lock commit -q -m base &&
	(cd lock && git parallel plan tasks.ini >/dev/null) &&
	crash_run lock worktree-before-verified T1 --trust-commands &&
	rm lock/.git/worktrees/T1/gp-creating &&
	: >lock/.git/worktrees/T1/index.lock &&
	(cd lock && git parallel run T1 --trust-commands >../out 2>../err) &&
	! test -e lock/.git/worktrees/T1/index.lock &&
	git_status lock.parallel/T1 >status && test_must_be_empty status
'

test_expect_success 'a stale index.lock, the blob'"'"'s bytes over the converted file: refused, kept' '
	crash_run lock worktree-before-verified T2 --trust-commands &&
	rm lock/.git/worktrees/T2/gp-creating &&
	printf "hello\nworld\n" >lock.parallel/T2/words.txt &&
	: >lock/.git/worktrees/T2/index.lock &&
	(cd lock && test_expect_code 1 git parallel run T2 --trust-commands >../out 2>../err) &&
	grep "T2.*stale lock .*index.lock. and uncommitted changes" err &&
	printf "hello\nworld\n" >expect &&
	test_cmp expect lock.parallel/T2/words.txt
'

test_done
