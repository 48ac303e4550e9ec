#!/bin/sh

test_description='commit = auto: a git add or git commit that hangs is stopped after parallel.git-timeout

commit = auto commits what a task left with git itself (git add -A, git
commit: hooks, signing).  Every other git child had parallel.git-timeout;
these waited for ever: a pre-commit hook that never ends hung the run.
Here the limit is 3s.
Past the limit the hook gets SIGTERM first (git then fails the commit as
when its hook fails, and removes its index.lock), then git; the task
fails saying which git did not finish, its work kept, staged, in the
worktree, the branch not moved.  Without the hook the next run commits
it.  Every run here is under timeout 120: a hang fails.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup: a task that writes a file; a pre-commit hook that never ends' '
	ini_tasks r A &&
	# 3s: the other gits of the run finish well within it, even on a loaded machine
	git -C r config parallel.git-timeout 3s &&
	: >"$HUNG" &&
	hooks=$(git -C r rev-parse --path-format=absolute --git-path hooks) &&
	mkdir -p "$hooks" &&
	printf "#!/bin/sh\necho \$\$ >>\"%s\"\nexec sleep 300\n" "$HUNG" >"$hooks/pre-commit" &&
	chmod +x "$hooks/pre-commit" &&
	git -C r rev-parse main >base
'

test_expect_success 'git commit stopped: the task fails, naming it; the work stays staged, the branch put nowhere' '
	test_when_finished kill_hung &&
	(cd r && test_expect_code 1 timeout 120 git parallel run --command "echo work >A.txt" >../out 2>../err) &&
	test "$(task_field r A state)" = failed &&
	task_field r A reason >reason &&
	grep "'"'"'git commit'"'"' did not finish within 3s (parallel.git-timeout): stopped it" reason &&
	grep "the work is kept, staged, in the worktree" reason &&
	test "$(git -C r rev-parse parallel/A)" = "$(cat base)" &&
	git -C r.parallel/A status --porcelain >st &&
	echo "A  A.txt" >expect &&
	test_cmp expect st &&
	gd=$(git -C r.parallel/A rev-parse --absolute-git-dir) &&
	! test -e "$gd/index.lock" &&
	# the hook was stopped first, by us: none of its pids lives on (none
	# at all when git was stopped before it started the hook)
	while read p
	do
		pid_gone $p || return 1
	done <"$HUNG" &&
	repo_sane r
'

test_expect_success 'the hook gone, the next run commits the work' '
	rm "$(git -C r rev-parse --path-format=absolute --git-path hooks)/pre-commit" &&
	(cd r && timeout 120 git parallel run --command "echo work >A.txt" >../out 2>../err) &&
	test "$(task_field r A state)" = done &&
	git -C r show parallel/A:A.txt >actual &&
	echo work >expect &&
	test_cmp expect actual &&
	repo_sane r
'

test_done
