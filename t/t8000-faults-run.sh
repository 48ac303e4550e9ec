#!/bin/sh

test_description='fault injection in run: kill -9 at every step, races, an agent that breaks its worktree'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent
AGENT="\"$TRASH_DIRECTORY/agent\""


# own_commits <repo> <id>: how many "<id>: own commit" commits its branch holds.
own_commits () {
	git -C "$1" log --format=%s "parallel/$2" | grep -c "^$2: own commit\$"
}

# finishes <repo> <id>...: the next run finishes every task; each branch
# holds the agent's commits and the auto-commit of what it left.
finishes () {
	dir=$1 && shift &&
	(cd "$dir" && git parallel run -j 2 --command "$AGENT" >../out 2>../err) &&
	grep "^$# done\$" out &&
	for id in "$@"
	do
		echo done >expect &&
		task_field "$dir" $id state >actual && test_cmp expect actual &&
		git -C "$dir" show "parallel/$id:$id-extra.txt" >actual &&
		echo "$id uncommitted" >expect && test_cmp expect actual &&
		git -C "$dir.parallel/$id" status --porcelain >st && test_must_be_empty st || return 1
	done &&
	repo_sane "$dir"
}

test_expect_success 'crash after the worktree is made: status says pending, the next run uses it' '
	ini_tasks w K1 K2 &&
	crash_run w run-after-worktree -j 2 --command "$AGENT" &&
	repo_sane w &&
	git -C w worktree list >wt && grep "w.parallel/K1 .*\[parallel/K1\]" wt &&
	task_field w K1 state >actual && echo pending >expect && test_cmp expect actual &&
	! test -e "$(state_dir w)/lock" || grep "pid = " "$(state_dir w)/lock" &&
	finishes w K1 K2 &&
	test $(own_commits w K1) = 1
'

test_expect_success 'crash after the task started, the command still running: orphaned, then restarted' '
	ini_tasks o K1 K2 &&
	: >hang-o.K2 &&
	(AGENT_HANG_ONCE="$TRASH_DIRECTORY/hang-o" && export AGENT_HANG_ONCE &&
	 crash_run o run-after-start -j 1 --command "$AGENT") &&
	# the agent commits, then marks hang-o.K1 and hangs: fsck only after that
	n=0 &&
	while ! test -e hang-o.K1
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1
	done &&
	repo_sane o &&
	task_field o K1 orphaned >actual && echo True >expect && test_cmp expect actual &&
	task_field o K1 state >actual && echo running >expect && test_cmp expect actual &&
	(cd o && git parallel status >../st) && grep "its run is gone" st &&
	task_field o K2 state >actual && echo pending >expect && test_cmp expect actual &&
	(AGENT_HANG_ONCE="$TRASH_DIRECTORY/hang-o" && export AGENT_HANG_ONCE && finishes o K1 K2) &&
	grep "K1: stopping the command left running" err &&
	test $(own_commits o K1) -ge 1
'

test_expect_success 'crash after the task started, the command ended since: interrupted, then run again' '
	ini_tasks s K1 &&
	crash_run s run-after-start --command "$AGENT" &&
	n=0 &&
	while test "$(task_field s K1 state)" = running
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1
	done &&
	task_field s K1 state >actual && echo interrupted >expect && test_cmp expect actual &&
	repo_sane s &&
	finishes s K1 &&
	test $(own_commits s K1) = 2
'

test_expect_success 'crash after the command succeeded, before the commit: the work waits in the worktree' '
	ini_tasks b K1 K2 &&
	crash_run b run-before-commit -j 1 --command "$AGENT" &&
	repo_sane b &&
	task_field b K1 state >actual && echo interrupted >expect && test_cmp expect actual &&
	test $(own_commits b K1) = 1 &&
	git -C b.parallel/K1 status --porcelain >st &&
	echo "?? K1-extra.txt" >expect && test_cmp expect st &&
	finishes b K1 K2 &&
	test $(own_commits b K1) = 2
'

test_expect_success 'crash after the commit, before done was saved: nothing lost, the next run finishes' '
	ini_tasks c K1 K2 &&
	crash_run c run-after-commit -j 1 --command "$AGENT" &&
	repo_sane c &&
	task_field c K1 state >actual && echo interrupted >expect && test_cmp expect actual &&
	git -C c log -1 --format=%s parallel/K1 >actual &&
	echo "K1: task K1" >expect && test_cmp expect actual &&
	head=$(git -C c rev-parse parallel/K1) &&
	finishes c K1 K2 &&
	git -C c merge-base --is-ancestor $head parallel/K1
'

test_expect_success 'crashes at two points in a row, then a run finishes; merge takes everything once' '
	ini_tasks r K1 K2 K3 &&
	crash_run r run-after-start -j 3 --command "$AGENT" &&
	crash_run r run-after-commit -j 3 --command "$AGENT" &&
	wait_commands_gone r &&
	repo_sane r &&
	finishes r K1 K2 K3 &&
	(cd r && git parallel merge >../out 2>../err) &&
	git -C r rev-list --merges main >merges && test_line_count = 3 merges &&
	for id in K1 K2 K3
	do
		git -C r show main:$id-extra.txt || return 1
	done &&
	repo_sane r
'

test_expect_success 'an orphan killed with its git locks taken: the locks go with it, the next attempt works' '
	ini_tasks lk K1 &&
	# first attempt: take the locks a git commit holds, then outlive SIGTERM
	cat >lock-agent <<-EOF &&
	#!/bin/sh
	if ! test -e "$TRASH_DIRECTORY/locked"
	then
		gd=\$(git rev-parse --absolute-git-dir) &&
		: >"\$gd/index.lock" && : >"\$gd/HEAD.lock" &&
		: >"$TRASH_DIRECTORY/lk/.git/refs/heads/parallel/K1.lock" &&
		trap "" TERM &&
		: >"$TRASH_DIRECTORY/locked" &&
		exec sleep 60
	fi
	exec "$TRASH_DIRECTORY/agent"
	EOF
	chmod +x lock-agent &&
	crash_run lk run-after-start --command "\"$TRASH_DIRECTORY/lock-agent\"" &&
	n=0 &&
	while ! test -e locked
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || return 1
	done &&
	# a lock of another worktree (here the main one) is not the task'"'"'s: it stays
	: >lk/.git/index.lock &&
	(cd lk && git parallel run --command "\"$TRASH_DIRECTORY/lock-agent\"" >../out 2>../err) &&
	grep "K1: stopping the command left running" err &&
	grep "^1 done\$" out &&
	test $(own_commits lk K1) = 1 &&
	git -C lk show parallel/K1:K1-extra.txt &&
	test -e lk/.git/index.lock && rm lk/.git/index.lock &&
	! find lk/.git -name "*.lock" | grep . &&
	repo_sane lk
'

test_expect_success 'a crash leaves no stray temporary state files' '
	ini_tasks t K1 &&
	crash_run t run-after-start --command "$AGENT" &&
	! find "$(state_dir t)" -name "*.tmp.*" | grep .
'

# wait_refused <n> <file>...: wait (up to 60 s) until <n> of the files say
# that their run was refused, another holding the lock
wait_refused () {
	want=$1 && shift && n=0 &&
	while test $(cat "$@" 2>/dev/null | grep -c "another git parallel run is in progress") -lt $want
	do
		n=$((n + 1)) && test $n -lt 600 && sleep 0.1 || { echo "fewer than $want runs refused"; return 1; }
	done
}

test_expect_success 'two runs started at once: one runs, the other is refused with its pid' '
	ini_tasks race K1 K2 &&
	# the agent holds the winning run until the test saw the others refused:
	# a fixed sleep could let the winner end before a slow loser even started
	cat >slow-agent <<-EOF &&
	#!/bin/sh
	echo "ran \$GIT_PARALLEL_TASK_ID" >>"\$GIT_PARALLEL_WORKTREE/../ran.log"
	while ! test -e "$TRASH_DIRECTORY/release-race"; do sleep 0.05; done
	echo x >"\$GIT_PARALLEL_TASK_ID.txt"
	EOF
	chmod +x slow-agent &&
	rm -f release-race &&
	{ (cd race && exec git-parallel run -j 2 --command "\"$TRASH_DIRECTORY/slow-agent\"" >../out1 2>../err1) & } &&
	echo $! >pid1 &&
	{ (cd race && exec git-parallel run -j 2 --command "\"$TRASH_DIRECTORY/slow-agent\"" >../out2 2>../err2) & } &&
	echo $! >pid2 &&
	{ wait_refused 1 err1 err2; refused=$?; : >release-race; test $refused = 0; } &&
	{ wait $(cat pid1); echo $? >rc1; } &&
	{ wait $(cat pid2); echo $? >rc2; } &&
	cat rc1 rc2 | sort >rcs &&
	printf "0\n128\n" >expect && test_cmp expect rcs &&
	cat err1 err2 | grep "another git parallel run is in progress (pid [0-9][0-9]*)" &&
	test_line_count = 2 race.parallel/ran.log &&
	task_field race K1 attempts >actual && echo 1 >expect && test_cmp expect actual &&
	repo_sane race
'

test_expect_success 'runs racing to take over a stale lock: only one wins' '
	sh -c "exit 0" & dead=$! && wait $dead &&
	for i in 1 2 3 4 5
	do
		ini_tasks stale$i K1 &&
		printf "pid = %d\ncommand = run\nstarted = 1\n" $dead >"$(state_dir stale$i)/lock" &&
		rm -f release-race err1 err2 err3 &&
		for j in 1 2 3
		do
			{ (cd stale$i && exec git-parallel run --command "\"$TRASH_DIRECTORY/slow-agent\"" >/dev/null 2>../err$j) & } &&
			echo $! >pid$j || return 1
		done &&
		{ wait_refused 2 err1 err2 err3; refused=$?; : >release-race; test $refused = 0; } &&
		for j in 1 2 3
		do
			{ wait $(cat pid$j); echo $? >rc$j; } || return 1
		done &&
		cat rc1 rc2 rc3 | sort >rcs &&
		printf "0\n128\n128\n" >expect &&
		test_cmp expect rcs &&
		test_line_count = 1 stale$i.parallel/ran.log || return 1
	done
'

test_expect_success 'an agent that deletes its worktree .git file: the task fails truthfully' '
	new_repo dotgit &&
	cat >dotgit/tasks.ini <<-\EOF &&
	[task "D1"]
		paths = d1.txt
		command = echo x >d1.txt && git add d1.txt && git commit -q -m mine && ln -s ../../outside link && rm "$GIT_PARALLEL_WORKTREE/.git"
	EOF
	mkdir outside && echo precious >outside/keep &&
	git -C dotgit add . && git -C dotgit commit -q -m tasks &&
	(cd dotgit && git parallel plan tasks.ini >/dev/null) &&
	(cd dotgit && test_expect_code 1 git parallel run >../out 2>../err) &&
	grep "D1 failed: its worktree .* is no longer a repository" err &&
	task_field dotgit D1 state >actual && echo failed >expect && test_cmp expect actual &&
	repo_sane dotgit &&
	git -C dotgit log -1 --format=%s parallel/D1 >actual &&
	echo mine >expect && test_cmp expect actual &&
	(cd dotgit && test_must_fail git parallel clean D1 >../out 2>../err) &&
	test -d dotgit.parallel/D1 &&
	(cd dotgit && git parallel clean --force D1 >../out 2>../err) &&
	grep "removed D1" out &&
	! test -d dotgit.parallel/D1 &&
	echo precious >expect && test_cmp expect outside/keep &&
	git -C dotgit worktree list >wt && ! grep D1 wt &&
	repo_sane dotgit
'

test_expect_success 'an agent that deletes the HEAD of its worktree admin dir: fails truthfully' '
	new_repo head &&
	cat >head/tasks.ini <<-\EOF &&
	[task "H1"]
		paths = h1.txt
		command = echo x >h1.txt && git add h1.txt && git commit -q -m mine && rm "$(git rev-parse --git-dir)/HEAD"
	EOF
	git -C head add . && git -C head commit -q -m tasks &&
	(cd head && git parallel plan tasks.ini >/dev/null) &&
	(cd head && test_expect_code 1 git parallel run >../out 2>../err) &&
	grep "H1 failed: its worktree .*" err &&
	task_field head H1 state >actual && echo failed >expect && test_cmp expect actual &&
	git -C head log -1 --format=%s parallel/H1 >actual &&
	echo mine >expect && test_cmp expect actual &&
	# git fsck itself rejects the broken worktree until it is removed
	test_expect_code 8 git -C head fsck &&
	(cd head && test_expect_code 1 git parallel clean H1 >../out 2>../err) &&
	grep "task .H1.: worktree .* is damaged" err && test -d head.parallel/H1 &&
	(cd head && git parallel clean --force H1 >../out 2>../err) &&
	! test -d head.parallel/H1 &&
	repo_sane head
'

test_done
