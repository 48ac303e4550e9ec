#!/bin/sh

test_description='a task worktree holds what git checkout writes: filters, working-tree-encoding, eol'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# mk <dir>: a repository with one task T1 whose command does nothing;
# the caller then adds files and attributes and calls commit_run.
mk () {
	new_repo "$1" &&
	printf "[task \"T1\"]\n\ttitle = one\n\tpaths = z\n" >"$1/tasks.ini" &&
	printf "[parallel]\n\ttasks = tasks.ini\n\tcommand = true\n" >"$1/.gitparallel"
}

# commit_run <dir>: commit everything, plan, run; the run must succeed.
commit_run () {
	git -C "$1" add . &&
	git -C "$1" commit -q -m files &&
	git -C "$1" rev-parse HEAD >"$1.start" &&
	(cd "$1" && git parallel plan >/dev/null && git parallel run >../out 2>../err) &&
	grep "1 done" out
}

# same_as_git <dir>: the task changed nothing, its worktree is clean, and
# every file is byte for byte what git worktree add writes.
same_as_git () {
	git -C "$1" diff --exit-code "$(cat "$1.start")" parallel/T1 &&
	git -C "$1.parallel/T1" status --porcelain >status.out &&
	test_must_be_empty status.out &&
	git -C "$1" worktree add -q --detach "$TRASH_DIRECTORY/$1.oracle" "$(cat "$1.start")" &&
	git -C "$1" ls-files >files &&
	test -s files &&
	while read f
	do
		cmp "$1.oracle/$f" "$1.parallel/T1/$f" || return 1
	done <files
}

test_expect_success 'working-tree-encoding: UTF-16 in the worktree, nothing changed' '
	mk enc &&
	echo "*.txt working-tree-encoding=UTF-16" >enc/.gitattributes &&
	printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16 >enc/a.txt &&
	commit_run enc &&
	same_as_git enc &&
	git -C enc cat-file blob HEAD:a.txt >utf8 &&
	printf "hello\nworld\n" >expect &&
	test_cmp expect utf8 &&
	! cmp utf8 enc.parallel/T1/a.txt
'

test_expect_success 'a filter driver in a nested .gitattributes: smudged files' '
	mk filt &&
	mkdir filt/sub &&
	echo "*.x filter=up" >filt/sub/.gitattributes &&
	git -C filt config filter.up.clean "tr A-Z a-z" &&
	git -C filt config filter.up.smudge "tr a-z A-Z" &&
	printf "abc\n" >filt/sub/b.x &&
	printf "abc\n" >filt/top.x &&
	commit_run filt &&
	same_as_git filt &&
	echo ABC >expect &&
	test_cmp expect filt.parallel/T1/sub/b.x &&
	echo abc >expect &&
	test_cmp expect filt.parallel/T1/top.x
'

test_expect_success 'a filter named in info/attributes, not in the tree' '
	mk info &&
	mkdir -p info/.git/info &&
	echo "*.x filter=up" >info/.git/info/attributes &&
	git -C info config filter.up.clean "tr A-Z a-z" &&
	git -C info config filter.up.smudge "tr a-z A-Z" &&
	printf "abc\n" >info/b.x &&
	commit_run info &&
	same_as_git info &&
	echo ABC >expect &&
	test_cmp expect info.parallel/T1/b.x
'

test_expect_success 'eol: core.autocrlf and eol=crlf as git writes them' '
	mk eol &&
	git -C eol config core.autocrlf true &&
	printf "*.crlf text eol=crlf\n*.bin -text\n" >eol/.gitattributes &&
	printf "l1\nl2\n" >eol/a.crlf &&
	printf "l1\nl2\n" >eol/auto.c &&
	printf "b1\r\nb2\n" >eol/x.bin &&
	commit_run eol &&
	same_as_git eol &&
	printf "l1\r\nl2\r\n" >expect &&
	test_cmp expect eol.parallel/T1/auto.c
'

test_expect_success 'no conversion: git is not asked to write the files again' '
	mk plain &&
	echo "*.x filter=nodriver" >plain/.gitattributes &&
	printf "abc\n" >plain/b.x &&
	GIT_TRACE="$TRASH_DIRECTORY/trace" && export GIT_TRACE &&
	commit_run plain &&
	unset GIT_TRACE &&
	same_as_git plain &&
	grep "git add" trace &&
	! grep checkout-index trace
'

test_expect_success 'with a conversion, git wrote the files (the same trace sees it)' '
	mk traced &&
	echo "*.txt working-tree-encoding=UTF-16" >traced/.gitattributes &&
	printf "hi\n" | iconv -f UTF-8 -t UTF-16 >traced/a.txt &&
	GIT_TRACE="$TRASH_DIRECTORY/trace2" && export GIT_TRACE &&
	commit_run traced &&
	unset GIT_TRACE &&
	grep checkout-index trace2
'

test_expect_success 'a failing smudge filter fails the worktree, naming the task' '
	mk bad &&
	echo "*.x filter=bad" >bad/.gitattributes &&
	git -C bad config filter.bad.clean cat &&
	git -C bad config filter.bad.smudge cat &&
	git -C bad config filter.bad.required true &&
	printf "abc\n" >bad/b.x &&
	git -C bad add . && git -C bad commit -q -m files &&
	git -C bad config filter.bad.smudge false &&
	(cd bad && git parallel plan >/dev/null) &&
	test_expect_code 1 sh -c "cd bad && git parallel run" >out 2>err &&
	grep "T1" err &&
	grep "filter or working-tree-encoding.*: fatal: b.x: smudge filter bad failed\$" err &&
	! test -e bad.parallel/T1 &&
	repo_sane bad
'

test_expect_success 'a sparse worktree: git writes the cone, leaves the rest out' '
	mk sparse &&
	printf "[task \"T1\"]\n\ttitle = one\n\tpaths = in/a.txt\n" >sparse/tasks.ini &&
	git -C sparse config parallel.sparse declared &&
	echo "*.txt working-tree-encoding=UTF-16" >sparse/.gitattributes &&
	mkdir sparse/in sparse/out &&
	printf "in\n" | iconv -f UTF-8 -t UTF-16 >sparse/in/a.txt &&
	printf "out\n" | iconv -f UTF-8 -t UTF-16 >sparse/out/b.txt &&
	commit_run sparse &&
	git -C sparse diff --exit-code "$(cat sparse.start)" parallel/T1 &&
	git -C sparse.parallel/T1 status --porcelain >status.out &&
	test_must_be_empty status.out &&
	! test -e sparse.parallel/T1/out &&
	git -C sparse.parallel/T1 ls-files -t out/b.txt >tags &&
	echo "S out/b.txt" >expect &&
	test_cmp expect tags &&
	cmp sparse/in/a.txt sparse.parallel/T1/in/a.txt
'

test_expect_success 'a filter named in core.attributesFile' '
	mk global &&
	echo "*.x filter=up" >global-attributes &&
	git -C global config core.attributesFile "$TRASH_DIRECTORY/global-attributes" &&
	git -C global config filter.up.clean "tr A-Z a-z" &&
	git -C global config filter.up.smudge "tr a-z A-Z" &&
	printf "abc\n" >global/b.x &&
	commit_run global &&
	same_as_git global &&
	echo ABC >expect &&
	test_cmp expect global.parallel/T1/b.x
'

test_expect_success 'killed after git wrote the files: the next run remakes the worktree' '
	mk crash &&
	echo "*.txt working-tree-encoding=UTF-16" >crash/.gitattributes &&
	for i in 1 2 3
	do
		printf "f$i\n" | iconv -f UTF-8 -t UTF-16 >crash/f$i.txt || return 1
	done &&
	git -C crash add . && git -C crash commit -q -m files &&
	git -C crash rev-parse HEAD >crash.start &&
	(cd crash && git parallel plan >/dev/null) &&
	code=0 &&
	(cd crash && GIT_PARALLEL_TEST_CRASH_AT=worktree-before-verified git parallel run >../out 2>../err) ||
		code=$? &&
	test_crashed $code &&
	(cd crash && git parallel run >../out 2>../err) &&
	grep "1 done" out &&
	same_as_git crash &&
	repo_sane crash
'

test_done
