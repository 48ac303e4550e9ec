#!/bin/sh

test_description='repository variants: separate git dir, split index, shallow, sparse, stale stat data'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/faults.sh"

# two tasks, one writing a new file, one changing a committed one
write_tasks () {
	cat >"$1/tasks.ini" <<-\EOF
	[task "A"]
		title = write a
		paths = dir/a.txt
		command = echo a >dir/a.txt
	[task "B"]
		title = change o
		paths = other/o.txt
		command = echo changed >other/o.txt
	EOF
}

# seed <worktree>: files and the task list, committed on main
seed () {
	mkdir -p "$1/dir" "$1/other" &&
	echo d >"$1/dir/d.txt" &&
	echo o >"$1/other/o.txt" &&
	write_tasks "$1" &&
	git -C "$1" add -A &&
	git -C "$1" commit -q -m base
}

# full_cycle <worktree>: plan, run, check, merge, clean; git is the judge
full_cycle () {
	(cd "$1" &&
	 git parallel plan tasks.ini >/dev/null &&
	 git parallel run >../run.out 2>&1 &&
	 git parallel check >../check.out &&
	 git parallel merge >../merge.out) &&
	grep "^A  *merged" merge.out && grep "^B  *merged" merge.out &&
	git -C "$1" show main:dir/a.txt >actual && echo a >expect && test_cmp expect actual &&
	git -C "$1" show main:other/o.txt >actual && echo changed >expect && test_cmp expect actual &&
	git -C "$1" status --porcelain >status.out &&
	test_must_be_empty status.out &&
	(cd "$1" && git parallel clean --merged >../clean.out) &&
	git -C "$1" worktree list >wt.out &&
	test_line_count = 1 wt.out &&
	! git -C "$1" rev-parse --verify -q parallel/A &&
	repo_sane "$1"
}

test_expect_success 'a repository made with git init --separate-git-dir works' '
	git init -q --separate-git-dir="$TRASH_DIRECTORY/sep.git" sep &&
	seed sep &&
	test -f sep/.git &&
	full_cycle sep &&
	test "$(cat sep/dir/a.txt)" = a &&
	test "$(cat sep/other/o.txt)" = changed &&
	test -d sep.git/parallel && ! test -e sep/.git/parallel
'

test_expect_success 'separate git dir: merge from a linked worktree refuses, naming the fix' '
	git init -q --separate-git-dir="$TRASH_DIRECTORY/sep2.git" sep2 &&
	seed sep2 &&
	(cd sep2 && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	git -C sep2 rev-parse main >before &&
	(cd sep2.parallel/A && test_expect_code 128 git parallel merge >../../out 2>../../err) &&
	grep "^fatal: .main. is checked out in the main worktree, which cannot be found from here" err &&
	grep "run .git parallel merge. in the main worktree" err &&
	git -C sep2 rev-parse main >after && test_cmp before after &&
	(cd sep2 && git parallel merge >../out) && grep "2 merged" out &&
	git -C sep2 status --porcelain >status.out && test_must_be_empty status.out
'

test_expect_success 'a split index is refused before anything is written' '
	new_repo split &&
	seed split &&
	git -C split update-index --split-index &&
	ls split/.git/sharedindex.* &&
	(cd split && test_expect_code 128 git parallel plan tasks.ini >../out 2>../err) &&
	test_one_line_error err &&
	grep "the index is split" err && grep "git update-index --no-split-index" err &&
	! test -e split/.git/parallel
'

test_expect_success 'core.splitIndex = true is refused, naming the fix; undone, it works' '
	git -C split update-index --no-split-index &&
	git -C split config core.splitIndex true &&
	(cd split && test_expect_code 128 git parallel plan tasks.ini >../out 2>../err) &&
	test_one_line_error err &&
	grep "core.splitIndex is set" err &&
	! test -e split/.git/parallel &&
	git -C split config core.splitIndex false &&
	full_cycle split
'

test_expect_success 'a shallow clone is refused at plan, naming "shallow", nothing written' '
	new_repo deep &&
	seed deep &&
	echo 2 >deep/README && git -C deep commit -q -a -m second &&
	git clone -q --depth 1 "file://$TRASH_DIRECTORY/deep" shallow &&
	test -f shallow/.git/shallow &&
	(cd shallow && test_expect_code 128 git parallel plan tasks.ini >../out 2>../err) &&
	test_one_line_error err &&
	grep "shallow clone" err && grep "git fetch --unshallow" err &&
	! test -e shallow/.git/parallel
'

test_expect_success 'unshallowed, the same clone works' '
	git -C shallow fetch -q --unshallow &&
	full_cycle shallow
'

test_expect_success 'a sparse checkout in the main worktree: skip-worktree paths are not uncommitted' '
	new_repo sparse &&
	seed sparse &&
	git -C sparse sparse-checkout set --cone dir &&
	! test -e sparse/other/o.txt &&
	git -C sparse ls-files -t other/o.txt >actual && echo "S other/o.txt" >expect && test_cmp expect actual &&
	full_cycle sparse &&
	! test -e sparse/other &&
	test "$(cat sparse/dir/a.txt)" = a &&
	git -C sparse ls-files -t other/o.txt >actual &&
	echo "S other/o.txt" >expect && test_cmp expect actual
'

test_expect_success 'worktreeConfig in repository format 1 is refused, naming the extension and the fix' '
	git -C sparse config core.repositoryformatversion 1 &&
	(cd sparse && test_expect_code 128 git parallel status >../out 2>../err) &&
	test_one_line_error err &&
	grep "extensions.worktreeConfig" err &&
	grep "git config core.repositoryformatversion 0" err &&
	git -C sparse config core.repositoryformatversion 0 &&
	(cd sparse && git parallel status >/dev/null)
'

test_expect_success 'a touched file in the main worktree (stale stat data): plan, run, merge proceed' '
	new_repo touched &&
	seed touched &&
	touch -d "2030-01-01 00:00" touched/other/o.txt touched/dir/d.txt &&
	git -C touched diff-files --quiet; test $? = 1 &&
	full_cycle touched
'

test_done
