#!/bin/sh

test_description='merge: tasks whose paths the target did not change give git'"'"'s tree

When no path changed on both sides, merge builds the result by putting
the task'"'"'s changes into the target'"'"'s tree (rewriting only the trees on
those paths) instead of a three-way merge of the whole trees.  The trees
must be what git merge --no-ff gives, for every kind of change, and a
merge that shares paths (or a file against a directory) still merges the
usual way.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

test_expect_success 'setup: tasks with every kind of change' '
	new_repo repo &&
	test_seq 1 20 >repo/a.txt &&
	echo run >repo/b.sh &&
	echo c >repo/c.txt &&
	echo d >repo/d.txt &&
	mkdir -p repo/gone repo/keep/sub &&
	echo only >repo/gone/only.txt &&
	echo k >repo/keep/sub/k.txt &&
	echo e >repo/keep/e.txt &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = modify and chmod
		command = sed -i s/^3$/three/ a.txt && chmod +x b.sh
	[task "T2"]
		title = add in new directories
		command = mkdir -p new/deep && echo x >new/deep/x.txt && echo y >keep/sub/y.txt
	[task "T3"]
		title = delete the only file of a directory
		command = git rm -q gone/only.txt
	[task "T4"]
		title = a file becomes a symlink
		command = rm c.txt && ln -s a.txt c.txt
	[task "T5"]
		title = same file as T1, other line
		command = sed -i s/^15$/fifteen/ a.txt
	[task "T6"]
		title = a file becomes a directory
		command = rm d.txt && mkdir d.txt && echo in >d.txt/inner
	[task "T7"]
		title = delete a nested file, keep its directory
		command = git rm -q keep/sub/k.txt
	[task "T8"]
		title = the same line as T1, otherwise: a conflict
		command = sed -i s/^3$/drei/ a.txt
	[task "T9"]
		title = the very change T1 made, and a line of T5 is near
		command = sed -i "s/^3$/three/;s/^17$/seventeen/" a.txt
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >/dev/null 2>&1) &&
	test $(git -C repo for-each-ref refs/heads/parallel | wc -l) = 9
'

test_expect_success 'merging them all gives the tree of a git merge --no-ff loop' '
	oracle repo oracle T1 T2 T3 T4 T5 T6 T7 T8 T9 &&
	# main not checked out: updating a worktree where a file becomes a
	# directory is another matter (it fails, with or without this)
	git -C repo checkout -q --detach &&
	(cd repo && test_expect_code 1 git parallel merge >../out 2>&1) &&
	grep "^8 merged, 1 conflicts*," out &&
	grep "^T8 .*conflict" out &&
	git -C repo rev-parse "main^{tree}" >actual &&
	git -C oracle rev-parse "main^{tree}" >expect &&
	test_cmp expect actual &&
	git -C repo fsck --no-progress &&
	test_must_fail git -C repo cat-file -e main:gone &&
	git -C repo cat-file -e main:keep/sub/y.txt &&
	test "$(git -C repo ls-tree main c.txt | cut -c1-6)" = 120000 &&
	test "$(git -C repo ls-tree main b.sh | cut -c1-6)" = 100755
'

test_expect_success 'each merge commit has the target and the task as parents' '
	for id in T1 T2 T3 T4 T5 T6 T7 T9
	do
		git -C repo log --merges --format="%P %s" main >log &&
		grep " $(git -C repo rev-parse parallel/$id) Merge task $id:" log || return 1
	done
'

test_done
