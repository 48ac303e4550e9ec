#!/bin/sh

test_description='where worktrees go: a configuration file of the repository may not put them just anywhere'

. ./test-lib.sh

# tracked_config <repo> <worktrees value>: a committed .gitparallel setting parallel.worktrees
tracked_config () {
	new_repo $1 &&
	printf "[parallel]\n\tworktrees = %s\n" "$2" >$1/.gitparallel &&
	printf "[task \"T1\"]\n\tpaths = a.txt\n\tcommand = echo x >a.txt\n" >$1/tasks.ini &&
	git -C $1 add .gitparallel && git -C $1 commit -q -m config
}

test_expect_success 'a tracked .gitparallel cannot put worktrees outside (an absolute path)' '
	tracked_config r1 "$TRASH_DIRECTORY/elsewhere" &&
	(cd r1 && test_expect_code 128 git parallel plan tasks.ini 2>../err) &&
	test_one_line_error err &&
	grep "\.gitparallel:2: parallel.worktrees .*elsewhere. is outside the work tree and .*/r1.parallel.: a configuration file of the repository may not put worktrees there" err &&
	test_no_state r1 &&
	! test -e elsewhere
'

test_expect_success 'nor next to the repository, nor in a dot-directory of the home' '
	tracked_config r2 "../other" &&
	(cd r2 && test_expect_code 128 git parallel plan tasks.ini 2>../err) &&
	grep "parallel.worktrees .\.\./other. is outside" err &&
	tracked_config r3 "../.config/systemd/user" &&
	(cd r3 && test_expect_code 128 git parallel plan tasks.ini 2>../err) &&
	grep "parallel.worktrees .\.\./\.config/systemd/user. is outside" err &&
	! test -e .config
'

test_expect_success 'run refuses too (a plan made before the file changed)' '
	new_repo r4 &&
	printf "[task \"T1\"]\n\tpaths = a.txt\n\tcommand = echo x >a.txt\n" >r4/tasks.ini &&
	(cd r4 && git parallel plan tasks.ini >/dev/null) &&
	printf "[parallel]\n\tworktrees = ../other4\n" >r4/.gitparallel &&
	git -C r4 add .gitparallel && git -C r4 commit -q -m config &&
	(cd r4 && test_expect_code 128 git parallel run 2>../err) &&
	grep "is outside the work tree" err &&
	! test -e other4 &&
	test_must_fail git -C r4 rev-parse --verify -q parallel/T1
'

test_expect_success 'below the default parent is allowed' '
	tracked_config r5 "../r5.parallel/sub" &&
	(cd r5 && git parallel plan tasks.ini >/dev/null && git parallel run 2>../err) &&
	git -C r5 worktree list >wts &&
	grep "/r5.parallel/sub/T1 " wts
'

test_expect_success 'inside the work tree is allowed' '
	tracked_config r6 ".worktrees" &&
	echo /.worktrees/ >r6/.gitignore &&
	(cd r6 && git parallel plan tasks.ini >/dev/null && git parallel run 2>../err) &&
	git -C r6 worktree list >wts &&
	grep "/r6/.worktrees/T1 " wts
'

test_expect_success 'git config may put them anywhere, over the tracked file' '
	tracked_config r7 "../other7" &&
	git -C r7 config parallel.worktrees "$TRASH_DIRECTORY/mine7" &&
	(cd r7 && git parallel plan tasks.ini >/dev/null && git parallel run 2>../err) &&
	git -C r7 worktree list >wts &&
	grep "/mine7/T1 " wts &&
	! test -e other7
'

test_expect_success 'so may the user'"'"'s own (untracked) configuration file' '
	new_repo r8 &&
	printf "[parallel]\n\tworktrees = ../mine8\n" >r8/.gitparallel &&
	printf "[task \"T1\"]\n\tpaths = a.txt\n\tcommand = echo x >a.txt\n" >r8/tasks.ini &&
	(cd r8 && git parallel plan tasks.ini >/dev/null && git parallel run 2>../err) &&
	git -C r8 worktree list >wts &&
	grep "/mine8/T1 " wts
'

test_expect_success 'a task ID that means something as a directory stays inside the parent' '
	new_repo r9 &&
	printf "[task \"x.service.d\"]\n\tpaths = a.txt\n\tcommand = echo x >a.txt\n" >r9/tasks.ini &&
	(cd r9 && git parallel plan tasks.ini >/dev/null && git parallel run 2>../err) &&
	test -d r9.parallel/x.service.d &&
	printf "[task \".ssh\"]\n\tpaths = a.txt\n" >r9/dot.ini &&
	(cd r9 && test_expect_code 128 git parallel plan --force dot.ini 2>../err) &&
	grep "invalid task ID .\.ssh.: starts with .\.." err
'

test_done
