#!/bin/sh

test_description='the gits started for commit = auto and for converted files take spawn.h'"'"'s environment

The caller'"'"'s environment may tie git to another index (a git hook or
alias that runs git parallel has GIT_INDEX_FILE set) or change what a diff
prints (GIT_DIFF_OPTS): the git add and git commit of commit = auto, and the
git diff-index that check reads a converted file'"'"'s changes from, must
not take them, as git drops its repository variables for a repository it
names.  Oracle: the committed tree, the outside index left untouched, git
merge-file on the two changed files.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# one_task <repo>: two files committed, a task T1 that adds a third
one_task () {
	new_repo $1 &&
	(
		cd $1 &&
		echo one >a.txt && echo two >b.txt &&
		git add a.txt b.txt && git commit -q -m base &&
		printf "[task \"T1\"]\n\ttitle = add\n\tpaths = T1.txt\n\tcommand = echo work >T1.txt\n" >tasks.ini &&
		git parallel plan tasks.ini >/dev/null
	)
}

# committed <repo>: T1 committed all of the worktree, and nothing is left over
committed () {
	grep "T1 done" err &&
	git -C $1 ls-tree -r --name-only parallel/T1 >actual &&
	printf "README\nT1.txt\na.txt\nb.txt\n" >expect &&
	test_cmp expect actual &&
	git -C $1.parallel/T1 status --porcelain >actual &&
	test_must_be_empty actual &&
	repo_sane $1
}

test_expect_success 'GIT_INDEX_FILE of the caller does not reach its git add and git commit' '
	one_task r1 &&
	outside=$(pwd)/outside.index &&
	(
		cd r1 &&
		GIT_INDEX_FILE=$outside &&
		export GIT_INDEX_FILE &&
		git parallel run 2>../err
	) &&
	! test -e outside.index &&
	committed r1
'

# check reads the uncommitted changes of a converted file from git
# diff-index -p -U0 (git runs the filter); GIT_DIFF_OPTS=-u5 in git's
# environment would take its context over -U0, widening each change by
# five lines either side into a conflict git does not see.
test_expect_success 'GIT_DIFF_OPTS of the caller does not widen what check reads from git' '
	new_repo conv &&
	(
		cd conv &&
		git config filter.same.clean cat &&
		git config filter.same.smudge cat &&
		echo "*.x filter=same" >.gitattributes &&
		test_seq 1 20 >f.x &&
		git add . && git commit -q -m filtered &&
		printf "[task \"T1\"]\n\tpaths = f.x\n\tcommand = true\n" >tasks.ini &&
		printf "[task \"T2\"]\n\tpaths = f.x\n\tcommand = true\n" >>tasks.ini &&
		git parallel plan tasks.ini >/dev/null &&
		git parallel run --trust-commands >/dev/null 2>&1
	) &&
	sed -i "s/^3\$/three/" conv.parallel/T1/f.x &&
	sed -i "s/^9\$/nine/" conv.parallel/T2/f.x &&
	git -C conv show HEAD:f.x >base.x &&
	git merge-file -p conv.parallel/T1/f.x base.x conv.parallel/T2/f.x >merged &&
	(
		cd conv &&
		GIT_DIFF_OPTS=-u5 && export GIT_DIFF_OPTS &&
		git parallel check >../out 2>&1
	) &&
	grep "same-file f.x (content)  T1 3 / T2 9" out &&
	grep "0 conflicts" out
'

test_done
