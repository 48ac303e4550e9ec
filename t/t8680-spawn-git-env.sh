#!/bin/sh

test_description='every git that check and merge start works on their repository

git parallel opens the repository git names in its environment (GIT_DIR,
GIT_WORK_TREE, GIT_INDEX_FILE, GIT_CONFIG_PARAMETERS as git -c sets it) or finds it from the current directory;
each git it starts (merge-tree, diff-tree, config, status, read-tree,
diff-files...) is told that repository in GIT_DIR and GIT_WORK_TREE, never
inherits GIT_INDEX_FILE, and keeps the configuration given with git -c,
as git itself passes it to its own subprocesses.  Oracle: a git that
logs, for each such child, the repository, index and git -c value git
itself resolves in the child'"'"'s environment; the results, git merge in
a clone.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# A repository whose work tree has no .git (GIT_DIR and GIT_WORK_TREE name
# them: git finds nothing from the work tree alone); T1 and T2 conflict
# on a.txt, T3 merges cleanly with either.
test_expect_success 'setup: a work tree apart from its git directory, three tasks, a git that logs' '
	new_repo repo &&
	(
		cd repo &&
		test_seq 1 20 >a.txt && git add a.txt && git commit -q -m a &&
		for t in T1:3 T2:3 T3:15
		do
			id=${t%:*} && line=${t#*:} &&
			git checkout -q -b parallel/$id main &&
			sed -i "s/^$line\$/$id/" a.txt && git commit -q -am $id &&
			git checkout -q main || return 1
		done
	) &&
	done_tasks repo tasks.ini T1 T2 T3 &&
	mv repo/.git sep.git &&
	new_repo decoy &&
	echo decoy >decoy/d.txt && git -C decoy add d.txt &&
	real=$(command -v git) &&
	mkdir bin &&
	cat >bin/git <<-EOF &&
	#!/bin/sh
	# where git itself says this child works: its git directory, its
	# index, and gp.probe (set with git -c on git parallel)
	gd= sub= skip=
	for a
	do
		case "\$a" in
		--git-dir=*) gd=\${a#--git-dir=} ;;
		-c) skip=1 ;;
		-*) ;;
		*) test -n "\$skip" && skip= && continue; sub=\$a; break ;;
		esac
	done
	test "\$sub" = parallel && exec "$real" "\$@"
	test -n "\$gd" || gd=\$("$real" rev-parse --absolute-git-dir 2>/dev/null) || gd=NONE
	if test "\$gd" != NONE
	then
		gd=\$(cd "\$gd" && pwd -P) &&
		idx=\$("$real" --git-dir="\$gd" rev-parse --git-path index) &&
		probe=\$("$real" --git-dir="\$gd" config gp.probe)
	fi
	echo "\$sub gitdir=\$gd index=\$idx probe=\$probe" >>"$TRASH_DIRECTORY/children.log"
	exec "$real" "\$@"
	EOF
	chmod +x bin/git &&
	sep=$(cd sep.git && pwd -P) &&
	echo "$sep" >sep.path
'

# children.log: at least one line, each a git started on sep.git (its own
# index, or merge's scratch copy of it), with git -c gp.probe=yes
children_on_repo () {
	sep=$(cat sep.path) &&
	test -s children.log &&
	grep -v "gitdir=$sep index=$sep/index\(\.gp-merge\)\? probe=yes\$" children.log >wrong.log
	test_must_be_empty wrong.log
}

test_expect_success 'check --exact from elsewhere, GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE set: git judges, on the repository' '
	: >children.log &&
	(
		cd decoy &&
		PATH="$TRASH_DIRECTORY/bin:$PATH" &&
		GIT_DIR="$TRASH_DIRECTORY/sep.git" GIT_WORK_TREE="$TRASH_DIRECTORY/repo" \
		GIT_INDEX_FILE="$TRASH_DIRECTORY/decoy/.git/index" &&
		export GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE &&
		GIT_CONFIG_PARAMETERS="'"'"'gp.probe'"'"'='"'"'yes'"'"'" &&
		export GIT_CONFIG_PARAMETERS &&
		test_expect_code 1 git-parallel check --exact >../check.out 2>../check.err
	) &&
	grep "a.txt (content).*\[git: conflict\]" check.out &&
	test $(grep -c "\[git: clean\]" check.out) = 2 &&
	grep "merge-tree" children.log &&
	children_on_repo
'

test_expect_success 'merge with GIT_DIR and GIT_WORK_TREE set: git merge'"'"'s tree, every git on the repository' '
	oracle sep.git oracle T1 T2 T3 &&
	: >children.log &&
	(
		cd decoy &&
		PATH="$TRASH_DIRECTORY/bin:$PATH" &&
		GIT_DIR="$TRASH_DIRECTORY/sep.git" GIT_WORK_TREE="$TRASH_DIRECTORY/repo" &&
		export GIT_DIR GIT_WORK_TREE &&
		GIT_CONFIG_PARAMETERS="'"'"'gp.probe'"'"'='"'"'yes'"'"'" &&
		export GIT_CONFIG_PARAMETERS &&
		test_expect_code 1 git-parallel merge >../merge.out 2>../merge.err
	) &&
	test_must_be_empty merge.err &&
	grep "^T2 *conflict" merge.out &&
	git --git-dir=sep.git rev-parse main^{tree} >actual &&
	git -C oracle rev-parse main^{tree} >expect &&
	test_cmp expect actual &&
	grep "^status gitdir" children.log &&
	children_on_repo &&
	git --git-dir=sep.git --work-tree=repo status --porcelain >st &&
	test_must_be_empty st &&
	git -C decoy status --porcelain >st &&
	echo "A  d.txt" >expect &&
	test_cmp expect st
'

test_done
