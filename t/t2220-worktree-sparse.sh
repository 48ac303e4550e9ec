#!/bin/sh

test_description='parallel.sparse: cone-mode sparse worktrees of the declared directories'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

AGENT="$GP_TEST_DIR/lib/agent.sh"

# mk <dir> <sparse config lines>: a 150-file tree and tasks T1 (a/x/f1.c),
# T2 (no paths), T3 (b/), planned
mk () {
	new_repo "$1" &&
	for d in a/x a/y b c tools
	do
		mkdir -p "$1/$d" &&
		for i in $(test_seq 1 30)
		do
			echo "$d $i" >"$1/$d/f$i.c" || return 1
		done
	done &&
	cat >"$1/tasks.ini" <<-\EOF &&
	[task "T1"]
		title = one
		paths = a/x/f1.c
	[task "T2"]
		title = two
	[task "T3"]
		title = three
		paths = b/
	EOF
	printf "[parallel]\n\ttasks = tasks.ini\n\tcommand = %s\n%s\n" "$AGENT" "$2" >"$1/.gitparallel" &&
	git -C "$1" add . && git -C "$1" commit -q -m "150 files" &&
	(cd "$1" && git parallel plan >/dev/null)
}

test_expect_success 'setup: run with parallel.sparse = declared' '
	mk repo "	sparse = declared
	sparse-always = tools" &&
	test $(git -C repo ls-files | wc -l) -ge 150 &&
	(cd repo && git parallel run >../out 2>../err) &&
	grep "3 done" out
'

test_expect_success 'git sparse-checkout list names the declared directories and sparse-always' '
	git -C repo.parallel/T1 sparse-checkout list >actual &&
	printf "a/x\ntools\n" >expect &&
	test_cmp expect actual &&
	git -C repo.parallel/T3 sparse-checkout list >actual &&
	printf "b\ntools\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'only the cone is checked out; git status is clean and agrees' '
	test -f repo.parallel/T1/a/x/f30.c &&
	test -f repo.parallel/T1/tools/f1.c &&
	test -f repo.parallel/T1/README &&
	! test -e repo.parallel/T1/a/y &&
	! test -e repo.parallel/T1/b &&
	! test -e repo.parallel/T1/c &&
	git -C repo.parallel/T1 status --porcelain >st &&
	test_must_be_empty st &&
	git -C repo.parallel/T1 status >st &&
	grep "You are in a sparse checkout" st &&
	git -C repo.parallel/T1 ls-files -t >lst &&
	grep "^S a/y/f1.c\$" lst &&
	grep "^H a/x/f1.c\$" lst &&
	test $(grep -c "^S " lst) = 90 &&
	git -C repo worktree list --porcelain >list &&
	grep "^worktree $TRASH_DIRECTORY/repo.parallel/T1\$" list &&
	git -C repo.parallel/T1 config core.sparseCheckout >actual &&
	echo true >expect && test_cmp expect actual
'

test_expect_success 'auto-commit does not record the files outside the cone as deleted' '
	git -C repo diff --name-status main parallel/T1 >actual &&
	printf "M\ta/x/f1.c\n" >expect &&
	test_cmp expect actual &&
	git -C repo diff --name-status main parallel/T3 >actual &&
	printf "A\tb/file.txt\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'check does not take the files outside the cone for deletions' '
	(cd repo && git parallel check T1 T3 >../out 2>../err) &&
	grep "T1 *1 file\$" out &&
	grep "T3 *1 file\$" out &&
	! grep "undeclared\|uncommitted" out &&
	echo more >>repo.parallel/T1/a/x/f2.c &&
	(cd repo && test_expect_code 1 git parallel check T1 >../out 2>../err) &&
	grep "T1 *2 files (1 uncommitted)" out &&
	grep "undeclared *a/x/f2.c" out &&
	! grep "a/y\|tools/" out &&
	git -C repo.parallel/T1 checkout -q a/x/f2.c
'

test_expect_success 'a task without declared paths gets a full checkout' '
	test -f repo.parallel/T2/c/f30.c &&
	test -f repo.parallel/T2/a/y/f1.c &&
	test_must_fail git -C repo.parallel/T2 config core.sparseCheckout &&
	git -C repo.parallel/T2 ls-files -t >lst &&
	! grep "^S " lst
'

test_expect_success 'the main worktree is not made sparse' '
	test_must_fail git -C repo config core.sparseCheckout &&
	git -C repo ls-files -t >lst &&
	! grep "^S " lst &&
	git -C repo status --porcelain >st &&
	test_must_be_empty st &&
	repo_sane repo
'

test_expect_success 'merge keeps everything outside the cone' '
	before=$(git -C repo ls-tree -r --name-only main | wc -l) &&
	(cd repo && git parallel merge >../out 2>../err) &&
	after=$(git -C repo ls-tree -r --name-only main | wc -l) &&
	test $after = $((before + 1)) &&
	git -C repo show main:a/x/f1.c >actual &&
	printf "a/x 1\nT1 was here\n" >expect &&
	test_cmp expect actual &&
	test -f repo/c/f30.c && test -f repo/a/y/f1.c && test -f repo/b/file.txt &&
	git -C repo status --porcelain >st &&
	test_must_be_empty st
'

test_expect_success 'clean removes sparse worktrees: the missing files are not changes' '
	(cd repo && git parallel clean --merged >../out 2>../err) &&
	! test -e repo.parallel/T1 &&
	! test -e repo.parallel/T3 &&
	repo_sane repo
'

test_expect_success 'run --sparse and --no-sparse override parallel.sparse' '
	mk flag "" &&
	(cd flag && git parallel run --sparse T1 >../out 2>../err) &&
	! test -e flag.parallel/T1/b &&
	mk noflag "	sparse = declared" &&
	(cd noflag && git parallel run --no-sparse T1 >../out 2>../err) &&
	test -f noflag.parallel/T1/b/f1.c
'

test_expect_success 'auto-commit in a sparse worktree: additions, deletions, changes in the cone; ignored files not' '
	mk edits "	sparse = declared" &&
	cat >edit.sh <<-\EOF &&
	echo new >a/x/new.c &&
	rm a/x/f3.c &&
	echo more >>a/x/f4.c &&
	echo "*.log" >a/x/.gitignore &&
	echo noise >a/x/run.log
	EOF
	(cd edits && git parallel run --command "sh \"$TRASH_DIRECTORY/edit.sh\"" T1 >../out 2>../err) &&
	grep "1 done" out &&
	git -C edits diff --name-status main parallel/T1 >actual &&
	printf "A\ta/x/.gitignore\nD\ta/x/f3.c\nM\ta/x/f4.c\nA\ta/x/new.c\n" >expect &&
	test_cmp expect actual &&
	git -C edits.parallel/T1 status --porcelain >st &&
	test_must_be_empty st
'

for point in worktree-mid-sparse worktree-sparse-before-index
do
	test_expect_success "a crash at $point does not leave a worktree that looks complete" '
		rm -rf crash crash.parallel &&
		mk crash "	sparse = declared" &&
		test_expect_code 137 sh -c "cd crash && GIT_PARALLEL_TEST_CRASH_AT=$point git parallel run T1 >../out 2>../err" &&
		(cd crash && git parallel run T1 >../out 2>../err) &&
		grep "1 done" out &&
		git -C crash.parallel/T1 status --porcelain >st &&
		test_must_be_empty st &&
		git -C crash.parallel/T1 sparse-checkout list >actual &&
		echo a/x >expect && test_cmp expect actual &&
		git -C crash diff --name-status main parallel/T1 >actual &&
		printf "M\ta/x/f1.c\n" >expect &&
		test_cmp expect actual &&
		repo_sane crash
	'
done

test_done
