#!/bin/sh

test_description='check: a racily clean file git converts is decided as git decides it

A worktree written in its index'"'"'s second (git read-tree --reset -u and
git commit in one go) has every file racily clean: git compares each
file'"'"'s content, converted as git adds it (eol, core.autocrlf, ident,
filter drivers), with its blob.  A file whose bytes are not its blob
(a *.bat with eol=crlf: LF in the blob, CRLF on disk) is no reason to
diff the whole worktree: git says whether it is clean (git diff-files,
which never writes the index).  The oracle is git status in the
worktree, run without optional locks (it then writes no index either).'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/indexstat.sh"

# mk_case <dir> <attributes> <file> <printf format of its content> [<config>...]
# (MK_FROM=<file>: its content that file'"'"'s bytes):
# a repository whose task T1 has run; its worktree then has every file
# racily clean (mtimes in one second, the index'"'"'s in the same second)
mk_case () {
	d=$1 attrs=$2 file=$3 content=$4 && shift 4 &&
	git init -q -b main $d &&
	for c in "$@"; do git -C $d config ${c%%=*} "${c#*=}" || return 1; done &&
	printf "%s\n" "$attrs" >$d/.gitattributes &&
	if test -n "${MK_FROM:-}"; then cat "$MK_FROM" >$d/$file; else printf "$content" >$d/$file; fi &&
	seq 1 20 >$d/plain.txt &&
	cat >$d/tasks.ini <<-\EOF &&
	[task "T1"]
		command = sed -i 3s/3/three/ plain.txt
	EOF
	git -C $d add . && git -C $d commit -q -m base &&
	(cd $d && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	wt=$(git -C $d worktree list --porcelain | sed -n "s/^worktree //p" | grep "/T1$") &&
	echo "$wt" >$d.wt &&
	# run has git write a working-tree-encoding (t2250): the file as git writes it
	if test -n "${MK_FROM:-}"; then
		cmp "$MK_FROM" "$wt/$file"
	fi &&
	# every file written by git itself (libgit2 runs no filter driver)
	(cd "$wt" && git ls-files -z | xargs -0 rm -f && git checkout -q -- .) &&
	all_racy "$wt"
}

# all_racy <worktree>: every file'"'"'s mtime and the index'"'"'s in one second
all_racy () {
	(cd "$1" && s=$(( $(date +%s) - 200 )) &&
	 git ls-files | while read f; do touch -m -d @$s.1 "$f" || exit 1; done &&
	 git update-index -q --refresh &&
	 touch -m -d @$s.9 "$(git rev-parse --path-format=absolute --git-path index)")
}

# how_read <dir> <name>: check --json the fast way (trace on) and the slow
# way (libgit2's diff of the worktree), the same answer
how_read () {
	scan_both "$1" "$2"
}

# fast_read <dir> <name>: the fast way only (libgit2 runs no filter
# driver: its diff takes a file git'"'"'s clean filter makes the blob as
# modified, where git does not)
fast_read () {
	scan_traced "$1" "$2"
}

# git_status <worktree>: git'"'"'s answer, the index left as it is
git_status () {
	GIT_OPTIONAL_LOCKS=0 git -C "$1" status --porcelain
}

# git_clean <worktree>: git status finds nothing
git_clean () {
	git_status "$1" >status.out && test_must_be_empty status.out
}

# clean_as_git <dir> <name> <how_read|fast_read>: git status finds T1'"'"'s
# worktree clean; check reads it so (its racily clean files hashed, some
# by git) and counts nothing uncommitted
clean_as_git () {
	git_clean "$(cat $1.wt)" &&
	$3 $1 $2 &&
	grep "T1 clean by stat data, racy files hashed, some by git$" $2.trace &&
	test "$(uncommitted $2.fast)" = "T1:0"
}

# changed_as_git <dir> <file> <name> <how_read|fast_read>: git status
# calls <file> of T1'"'"'s worktree modified; check diffs the worktree and
# counts it uncommitted
changed_as_git () {
	test "$(git_status "$(cat $1.wt)")" = " M $2" &&
	$4 $1 $3 &&
	grep "T1 diffed$" $3.trace &&
	test "$(uncommitted $3.fast)" = "T1:1"
}

# raw_differs <worktree> <file>: its bytes are not its blob (what the case is about)
raw_differs () {
	test "$(git -C "$1" hash-object --no-filters "$2")" != "$(git -C "$1" rev-parse ":$2")"
}

# racy_rewrite <worktree> <file> <printf format>: the file rewritten, its
# stat data recorded in the index as git would after a write in its second
racy_rewrite () {
	printf "$3" >rewrite.tmp &&
	racy_put "$1" "$2" rewrite.tmp
}

# racy_put <worktree> <file> <source>: the same, the file made <source>'"'"'s bytes
racy_put () {
	cat "$3" >"$1/$2" &&
	ns=$(python3 -c "import os, sys; print(os.lstat(sys.argv[1]).st_mtime_ns)" "$1/$2") &&
	stat_into_index "$1" "$2" $(( ns / 1000000000 * 1000000000 + 999999999 ))
}

test_expect_success '*.bat with eol=crlf: CRLF on disk, LF in the blob, clean as git says' '
	mk_case bat "*.bat eol=crlf" run.bat "@echo off\necho hi\n" &&
	wt=$(cat bat.wt) &&
	raw_differs "$wt" run.bat &&
	clean_as_git bat bat how_read
'

test_expect_success 'the answer is recorded: the next check hashes nothing' '
	how_read bat bat2 &&
	grep "T1 clean by stat data$" bat2.trace
'

test_expect_success 'a same-size rewrite of the *.bat, racily clean: changed' '
	wt=$(cat bat.wt) &&
	racy_rewrite "$wt" run.bat "@echo off\r\necho ho\r\n" &&
	changed_as_git bat run.bat bat3 how_read
'

test_expect_success 'changed back (CRLF as checked out), racily clean: clean again' '
	wt=$(cat bat.wt) &&
	racy_rewrite "$wt" run.bat "@echo off\r\necho hi\r\n" &&
	clean_as_git bat bat4 how_read
'

test_expect_success 'changed back with LF (git converts it to the same blob): clean' '
	wt=$(cat bat.wt) &&
	racy_rewrite "$wt" run.bat "@echo off\necho hi\n" &&
	git_clean "$wt" &&
	how_read bat bat5 &&
	grep "T1 clean by stat data, racy files hashed$" bat5.trace
'

test_expect_success 'core.autocrlf=true: every text file CRLF on disk, clean as git says' '
	mk_case crlf "" notes.txt "one\ntwo\n" core.autocrlf=true &&
	wt=$(cat crlf.wt) &&
	raw_differs "$wt" notes.txt && raw_differs "$wt" plain.txt &&
	clean_as_git crlf crlf how_read
'

test_expect_success 'core.autocrlf=true, a same-size rewrite: changed' '
	wt=$(cat crlf.wt) &&
	racy_rewrite "$wt" notes.txt "one\r\ntwx\r\n" &&
	changed_as_git crlf notes.txt crlf2 how_read
'

test_expect_success 'ident: $Id$ expanded on disk, clean as git says' '
	mk_case ident "*.c ident" main.c "/* \$Id\$ */\nint x;\n" &&
	wt=$(cat ident.wt) &&
	raw_differs "$wt" main.c && grep "Id: [0-9a-f]" "$wt/main.c" &&
	clean_as_git ident ident how_read
'

test_expect_success 'ident: another id of the same length in the file: still clean for git' '
	wt=$(cat ident.wt) &&
	racy_rewrite "$wt" main.c "/* \$Id: 0000000000000000000000000000000000000000 \$ */\nint x;\n" &&
	clean_as_git ident ident2 how_read
'

test_expect_success 'ident: the code changed, same size: changed' '
	wt=$(cat ident.wt) &&
	racy_rewrite "$wt" main.c "/* \$Id: 0000000000000000000000000000000000000000 \$ */\nint y;\n" &&
	changed_as_git ident main.c ident3 how_read
'

test_expect_success 'a filter driver (clean = a script): clean as git says' '
	cat >"$TRASH_DIRECTORY/up" <<-\EOF &&
	#!/bin/sh
	tr a-z A-Z
	EOF
	chmod +x "$TRASH_DIRECTORY/up" &&
	mk_case filter "*.up filter=x" words.up "HELLO\nWORLD\n" \
		"filter.x.clean=\"$TRASH_DIRECTORY/up\"" "filter.x.smudge=tr A-Z a-z" &&
	wt=$(cat filter.wt) &&
	raw_differs "$wt" words.up && grep hello "$wt/words.up" &&
	clean_as_git filter filter fast_read
'

test_expect_success 'a filter driver: a rewrite its clean filter makes the blob again: clean' '
	wt=$(cat filter.wt) &&
	racy_rewrite "$wt" words.up "hello\nWorld\n" &&
	clean_as_git filter filter2 fast_read
'

test_expect_success 'a filter driver: a same-size rewrite it does not make the blob: changed' '
	wt=$(cat filter.wt) &&
	racy_rewrite "$wt" words.up "hello\nwordl\n" &&
	changed_as_git filter words.up filter3 fast_read
'

test_expect_success 'working-tree-encoding: UTF-16 on disk, UTF-8 in the blob, clean as git says' '
	printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16LE >enc16.orig &&
	MK_FROM=enc16.orig mk_case enc "*.txt16 working-tree-encoding=UTF-16LE" words.txt16 "" &&
	wt=$(cat enc.wt) &&
	test "$(git -C "$wt" cat-file blob HEAD:words.txt16)" = "$(printf "hello\nworld")" &&
	raw_differs "$wt" words.txt16 &&
	test "$(wc -c <"$wt/words.txt16")" = 24 &&
	clean_as_git enc enc fast_read
'

test_expect_success 'working-tree-encoding: a same-size rewrite: changed' '
	wt=$(cat enc.wt) &&
	printf "hellp\nworld\n" | iconv -f UTF-8 -t UTF-16LE >enc16 &&
	racy_put "$wt" words.txt16 enc16 &&
	changed_as_git enc words.txt16 enc2 fast_read
'

test_expect_success 'git'"'"'s repository variables do not mislead the question' '
	wt=$(cat bat.wt) &&
	racy_rewrite "$wt" run.bat "@echo off\r\necho hi\r\n" &&
	(cd bat && GIT_INDEX_FILE=/nonexistent GIT_PARALLEL_TEST_SCAN=trace \
		git parallel check --json >../env.fast 2>../env.trace) &&
	grep "T1 clean by stat data, racy files hashed, some by git$" env.trace &&
	test "$(uncommitted env.fast)" = "T1:0"
'

test_done
