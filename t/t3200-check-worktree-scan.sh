#!/bin/sh

test_description='check tells a clean worktree from its index stat data, and never misses uncommitted work

A task worktree whose index is its branch tree and whose files have the
stat data the index recorded is clean without a diff.  Anything else
(an edited, deleted, added, staged or re-moded file, an untracked file
anywhere) goes the slow way, a diff, and must be reported exactly as
the diff reports it (GIT_PARALLEL_TEST_SCAN=diff) and as git status
sees it.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/indexstat.sh"

test_expect_success 'setup: two tasks in worktrees, files in nested directories' '
	git init -q -b main repo &&
	mkdir -p repo/src/deep/er repo/doc &&
	for f in src/a src/deep/b src/deep/er/c doc/d top; do seq 1 20 >repo/$f.txt || return 1; done &&
	echo "*.o" >repo/.gitignore &&
	scan_tasks src/a.txt
'

test_expect_success 'clean worktrees are read from their stat data' '
	same_as_diff clean &&
	grep "T1 clean by stat data" clean.trace &&
	grep "T2 clean by stat data" clean.trace &&
	test "$(uncommitted clean.fast)" = "T1:0 T2:0"
'

# scenario <name> <command run in T1> <expected T1 count>: the slow way is taken and agrees
scenario () {
	sc_name=$1 sc_cmd=$2 sc_n=$3
	test_expect_success "$1: reported as the diff and git status report it" '
		(cd repo.parallel/T1 && eval "$sc_cmd") &&
		test -n "$(git -C repo.parallel/T1 status --porcelain)" &&
		same_as_diff "$sc_name" &&
		grep "T1 diffed" "$sc_name.trace" &&
		grep "T2 clean by stat data" "$sc_name.trace" &&
		test "$(uncommitted "$sc_name.fast")" = "T1:$sc_n T2:0" &&
		(cd repo.parallel/T1 && git reset -q --hard && git clean -q -fdx) &&
		test -z "$(git -C repo.parallel/T1 status --porcelain)"
	'
}

scenario edit-same-size "sed -i 5s/5/6/ src/deep/er/c.txt" 1
scenario edit-keep-mtime "touch -r src/deep/b.txt ref && sed -i 7s/7/8/ src/deep/b.txt && touch -r ref src/deep/b.txt && rm ref" 1
scenario append "echo more >>top.txt" 1
scenario delete "rm doc/d.txt" 1
scenario chmod "chmod +x doc/d.txt" 1
scenario staged "sed -i 9s/9/nine/ doc/d.txt && git add doc/d.txt && git diff --quiet" 1
scenario untracked-top "echo new >new.txt" 1
scenario untracked-in-dir-of-dirs "echo new >src/new.txt" 1
scenario untracked-deep "echo new >src/deep/er/new.txt" 1
scenario untracked-dir "mkdir -p fresh/dir && echo new >fresh/dir/x.txt" 1
scenario symlink-for-file "rm top.txt && ln -s src/a.txt top.txt" 1

test_expect_success 'an ignored file is not uncommitted work (the diff decides, and agrees)' '
	echo obj >repo.parallel/T1/src/x.o &&
	test -z "$(git -C repo.parallel/T1 status --porcelain)" &&
	same_as_diff ignored &&
	test "$(uncommitted ignored.fast)" = "T1:0 T2:0" &&
	rm repo.parallel/T1/src/x.o
'

test_expect_success 'a worktree on another branch is not read (both ways say so)' '
	git -C repo.parallel/T1 checkout -q -b other &&
	same_as_diff other &&
	grep "T1 diffed" other.trace &&
	grep "is not on parallel/T1" other.fast &&
	git -C repo.parallel/T1 checkout -q parallel/T1
'

test_expect_success 'a new commit on the task branch: clean again, measured from the new head' '
	(cd repo.parallel/T1 && sed -i 18s/18/eighteen/ src/a.txt && git commit -q -am more) &&
	same_as_diff moved &&
	grep "T1 clean by stat data" moved.trace &&
	json_get moved.fast "[f[\"ranges\"] for t in d[\"tasks\"] for f in t[\"files\"] if t[\"id\"] == \"T1\"]" >actual &&
	echo "[[{\"start\": 3, \"lines\": 1}, {\"start\": 18, \"lines\": 1}]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'the branch moved under its worktree: the index no longer says clean, the diff decides' '
	old=$(git -C repo rev-parse parallel/T1) &&
	git -C repo update-ref refs/heads/parallel/T1 parallel/T1~1 &&
	test -n "$(git -C repo.parallel/T1 status --porcelain)" &&
	same_as_diff branch-moved &&
	grep "T1 diffed" branch-moved.trace &&
	test "$(uncommitted branch-moved.fast)" = "T1:1 T2:0" &&
	git -C repo update-ref refs/heads/parallel/T1 $old &&
	test -z "$(git -C repo.parallel/T1 status --porcelain)"
'

test_expect_success 'the base branch moved: both ways still agree' '
	(cd repo && echo more >>top.txt && git commit -q -am "base moves") &&
	same_as_diff base-moved &&
	grep "T1 clean by stat data" base-moved.trace &&
	git -C repo reset -q --hard HEAD~1
'

test_expect_success 'an index older than its files (racily clean entries): their content is compared, as git does' '
	touch -d "2000-01-01" "$(git -C repo.parallel/T1 rev-parse --git-dir)/index" &&
	same_as_diff racy &&
	grep "T1 clean by stat data" racy.trace &&
	test "$(uncommitted racy.fast)" = "T1:0 T2:0"
'

test_expect_success 'a racily clean entry whose file changed (same size) is uncommitted work' '
	sed -i 2s/2/9/ repo.parallel/T1/doc/d.txt &&
	touch -d "2000-01-01" "$(git -C repo.parallel/T1 rev-parse --git-dir)/index" &&
	same_as_diff racy-changed &&
	grep "T1 diffed" racy-changed.trace &&
	test "$(uncommitted racy-changed.fast)" = "T1:1 T2:0" &&
	git -C repo.parallel/T1 checkout -q doc/d.txt
'

test_expect_success 'a submodule git has not checked out (an empty directory) is clean; a checked-out one is diffed' '
	git init -q sub && echo s >sub/s && git -C sub add s && git -C sub commit -q -m s &&
	(cd repo.parallel/T1 && git update-index --add --cacheinfo 160000,$(git -C ../../sub rev-parse HEAD),mod &&
	 mkdir mod && git commit -q -m sub) &&
	test -z "$(git -C repo.parallel/T1 status --porcelain)" &&
	same_as_diff sub-empty &&
	grep "T1 clean by stat data" sub-empty.trace &&
	echo x >repo.parallel/T1/mod/x &&
	same_as_diff sub-full &&
	grep "T1 diffed" sub-full.trace &&
	rm -rf repo.parallel/T1/mod/x
'

test_done
