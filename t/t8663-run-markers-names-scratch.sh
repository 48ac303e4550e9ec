#!/bin/sh

test_description='run: conflict markers in converted files whose names git quotes; the scan'"'"'s scratch index

A task that leaves conflict markers fails.  In a file git converts (here
working-tree-encoding=UTF-16), git is asked (git diff-index -p): it names
the file "+++ b/a b.txt<TAB>" when the name has a space, and in C quotes
("+++ \"b/\\303\\251.txt\"") when it has a byte above 0x7f (core.quotePath)
or a quote; such files were not matched and their markers went through.
Oracle: git diff --check in the worktree.

The scan works on a scratch copy of the worktree'"'"'s index, now in the
worktree'"'"'s git directory as gp-markers-index.tmp.<pid> (it was a mkstemp
file in $TMPDIR, left for good by a kill): a run killed there leaves it,
and the next scan of that worktree, or check, sweeps it.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup: UTF-16 texts with and without markers' '
	printf "<<<<<<< ours\nhello\n=======\nhi\n>>>>>>> theirs\nworld\n" |
	iconv -f UTF-8 -t UTF-16 >markers.utf16 &&
	printf "hello\nearth\n" | iconv -f UTF-8 -t UTF-16 >earth.utf16 &&
	! grep -q "<<<<<<<" markers.utf16 &&
	new_repo r &&
	(
		cd r &&
		echo "*.txt working-tree-encoding=UTF-16" >.gitattributes &&
		for f in "a b.txt" "é.txt" "q\"t.txt" "ok é.txt"
		do
			printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16 >"$f" || return 1
		done &&
		git add . && git commit -q -m utf16 &&
		cp="cp \"$TRASH_DIRECTORY/markers.utf16\"" &&
		{
			printf "[task \"S\"]\n\ttitle = space\n\tcommand = %s \"a b.txt\"\n" "$cp" &&
			printf "[task \"E\"]\n\ttitle = e-acute\n\tcommand = %s \"é.txt\"\n" "$cp" &&
			printf "[task \"Q\"]\n\ttitle = quote\n\tcommand = %s '"'"'q\"t.txt'"'"'\n" "$cp" &&
			printf "[task \"N\"]\n\ttitle = new\n\tcommand = %s \"new é b.txt\"\n" "$cp" &&
			printf "[task \"OK\"]\n\ttitle = fine\n\tcommand = cp \"%s\" \"ok é.txt\"\n" \
				"$TRASH_DIRECTORY/earth.utf16"
		} >tasks.ini &&
		git parallel plan tasks.ini >/dev/null
	)
'

test_expect_success 'markers in UTF-16 files named with a space, an é, a quote: failed, as git diff --check says' '
	mkdir tmp &&
	(cd r && TMPDIR=$TRASH_DIRECTORY/tmp && export TMPDIR &&
	 test_expect_code 1 git parallel run -j 2 >../out 2>../err) &&
	for t in S:"a b.txt" E:"é.txt" Q:"q\"t.txt" N:"new é b.txt"
	do
		id=${t%%:*} f=${t#*:} &&
		test "$(task_field r $id state)" = failed &&
		task_field r $id reason >reason &&
		grep -F "conflict markers in '"'"'$f'"'"'" reason &&
		test "$(git -C r rev-parse parallel/$id)" = "$(git -C r rev-parse main)" || return 1
	done &&
	for id in S E Q
	do
		test_must_fail git -C r.parallel/$id diff --check >/dev/null || return 1
	done &&
	# N: untracked, as it was left; git diff --check sees it once added -N
	git -C r.parallel/N status --porcelain --untracked-files=all >st &&
	grep "^?? " st &&
	cp "$(git -C r.parallel/N rev-parse --path-format=absolute --git-path index)" n.index &&
	(cd r.parallel/N && GIT_INDEX_FILE=$TRASH_DIRECTORY/n.index && export GIT_INDEX_FILE &&
	 git add -N "new é b.txt" && test_must_fail git diff --check >/dev/null) &&
	test "$(task_field r OK state)" = done &&
	git -C r show "parallel/OK:ok é.txt" >actual &&
	printf "hello\nearth\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'no scratch index is left, in $TMPDIR or in a worktree'"'"'s git directory' '
	ls tmp >left &&
	test_must_be_empty left &&
	find r/.git -name "gp-markers-index*" >left &&
	test_must_be_empty left
'

test_expect_success 'killed inside the scan: its scratch index stays in the worktree'"'"'s git directory' '
	gd=$(git -C r.parallel/S rev-parse --absolute-git-dir) &&
	(cd r && GIT_PARALLEL_TEST_CRASH_AT=run-markers-scan git parallel run S >../out 2>../err; echo $? >../rc) &&
	test_crashed $(cat rc) &&
	ls "$gd" | grep "^gp-markers-index\.tmp\.[0-9]*\$" >left &&
	test_line_count = 1 left &&
	ls tmp >left &&
	test_must_be_empty left &&
	repo_sane r
'

test_expect_success 'check sweeps it (its writer is dead)' '
	gd=$(git -C r.parallel/S rev-parse --absolute-git-dir) &&
	(cd r && git parallel check S >../out 2>../err; test $? -le 1) &&
	find r/.git -name "gp-markers-index*" >left &&
	test_must_be_empty left
'

test_expect_success 'the next scan of the worktree sweeps one too; the task fails as before' '
	gd=$(git -C r.parallel/S rev-parse --absolute-git-dir) &&
	(cd r && GIT_PARALLEL_TEST_CRASH_AT=run-markers-scan git parallel run S >../out 2>../err; echo $? >../rc) &&
	test_crashed $(cat rc) &&
	ls "$gd" | grep "^gp-markers-index\.tmp\." >left &&
	test_line_count = 1 left &&
	(cd r && test_expect_code 1 git parallel run S >../out 2>../err) &&
	task_field r S reason >reason &&
	grep -F "conflict markers in '"'"'a b.txt'"'"'" reason &&
	find r/.git -name "gp-markers-index*" >left &&
	test_must_be_empty left &&
	repo_sane r
'

test_done
