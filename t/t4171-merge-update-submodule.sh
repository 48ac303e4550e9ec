#!/bin/sh

test_description='git parallel merge: a checked-out target with a submodule not checked out

git.git tracks a submodule (sha1collisiondetection) that a clone does
not check out: an empty directory, which git status finds clean.  The
stat-data checks of the checked-out target (before the merges, under its
index.lock, after git read-tree -m -u; t4130) take such a submodule as
clean too, as git does, instead of leaving every such repository to git
status and git update-index --refresh.  A submodule checked out (its
directory not empty) is still left to git, and a dirty file is still
refused.'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"
. "$GP_TEST_DIR/lib/indexstat.sh"

not_racy () {
	(cd "$1" && git ls-files -z | xargs -0 touch -d "1 minute ago" &&
	 git update-index -q --refresh)
}

# with_gitlink <repo>: main gets a submodule entry "sub" (not checked
# out: an empty directory), as a clone of git.git has
with_gitlink () {
	(
		cd "$1" &&
		c=$(git rev-parse HEAD) &&
		mkdir sub &&
		git update-index --add --cacheinfo 160000,$c,sub &&
		git commit -q -m "a submodule" &&
		test -z "$(git status --porcelain)"
	)
}

test_expect_success 'setup: a git that logs status, update-index, diff-files, read-tree, write-tree' '
	write_git_logger bin "$TRASH_DIRECTORY/git.log" status update-index diff-files read-tree write-tree
'

test_expect_success 'a submodule not checked out: no git status, no update-index' '
	three c1 && with_gitlink c1 && not_racy c1 &&
	rm -f git.log &&
	(cd c1 && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel merge >../out) &&
	grep "3 merged" out &&
	! grep "^status$" git.log &&
	! grep "^update-index$" git.log &&
	! grep "^diff-files$" git.log &&
	grep -c "^read-tree$" git.log >n && echo 1 >expect && test_cmp expect n &&
	repo_is_tidy c1 &&
	git -C c1 ls-files -s sub >actual && grep "^160000 " actual &&
	echo b >expect && test_cmp expect c1/b.txt &&
	grep "^two$" c1/a.txt && grep "^five$" c1/shared.txt
'

test_expect_success 'a submodule checked out: git status decides, as before' '
	three c2 && with_gitlink c2 && not_racy c2 &&
	echo x >c2/sub/file &&
	rm -f git.log &&
	(cd c2 && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel merge >../out) &&
	grep "3 merged" out &&
	grep "^status$" git.log &&
	git -C c2 rev-parse "main^{tree}" >actual &&
	git -C c2 rev-parse "HEAD^{tree}" >expect &&
	test_cmp expect actual &&
	git -C c2 diff --quiet HEAD
'

test_expect_success 'with a submodule not checked out, a dirty file is still refused' '
	three c3 && with_gitlink c3 && not_racy c3 &&
	old=$(git -C c3 rev-parse main) &&
	echo dirty >>c3/a.txt &&
	(cd c3 && test_expect_code 128 git-parallel merge >../out 2>&1) &&
	grep "a.txt" out &&
	test "$(git -C c3 rev-parse main)" = "$old" &&
	grep "^dirty$" c3/a.txt
'

test_done
