#!/bin/sh

test_description='chaos: kill -9 at random instants of run and merge, then check that nothing is lost

GP_CHAOS_ROUNDS (default 12) sets the number of kills of each command;
GP_CHAOS_SEED makes a run repeatable.  Each round: start the command, kill it
(run alone, as a crash would; merge with its whole process group, read-tree
included) after a random delay, then check git fsck, that no worktree and no
task branch lost a tracked file, and that no task commit was dropped.  Then
one run and one merge to the end: every task done, merged once, and the
target tree equal to what git merge makes of the same branches.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

ROUNDS=${GP_CHAOS_ROUNDS:-12}
SEED=${GP_CHAOS_SEED:-$$}
TASKS="T1 T2 T3 T4 T5 T6"
CHAOS_AGENT="$TRASH_DIRECTORY/agent"
export CHAOS_AGENT

# rand <n>: a number in [0, n) from a seeded stream
rand_state=$SEED
rand () {
	rand_state=$(( (rand_state * 1103515245 + 12345) % 2147483648 ))
	echo $(( rand_state / 65536 % $1 ))
}

test_expect_success "setup (seed $SEED)" '
	new_repo repo &&
	mkdir repo/files &&
	i=0 &&
	while test $i -lt 1500
	do
		printf "file %d\nline two\n" $i >repo/files/f$i.c &&
		i=$((i + 1)) || return 1
	done &&
	for id in $TASKS
	do
		printf -- "- [ ] %s [P] Change files/x%s.c and %s.txt\n" $id $id $id >>repo/tasks.md || return 1
	done &&
	git -C repo add . &&
	git -C repo commit -q -m "1500 files" &&
	cat >agent <<-\EOF &&
	#!/bin/sh
	# half the tasks commit themselves, all leave work for commit = auto
	id=$GIT_PARALLEL_TASK_ID
	sleep 0.$(( $(date +%N | cut -c1) % 3 ))
	echo "$id" >"$id.txt"
	case $id in T[135]) git add "$id.txt" && git commit -q -m "$id: own" ;; esac
	echo "$id edit" >"files/x$id.c"
	EOF
	chmod +x agent &&
	printf "[parallel]\n\tcommand = \"\$CHAOS_AGENT\"\n\tjobs = 3\n" >repo/.git/gp-config &&
	(cd repo && git parallel plan tasks.md >/dev/null) &&
	git -C repo rev-parse main >base
'

# no_loss: fsck; no task branch deletes a file or holds another task's
# work; the worktree of a task that is done (all of them, with "all") has
# every tracked file.  A worktree a crash left half-made may miss files: it
# must never be used, which the branches tell.
no_loss () {
	repo_sane repo || return 1
	for id in $TASKS
	do
		wt=repo.parallel/$id
		if test -e "$wt/.git" && { test "$1" = all || grep -q "^	state = done" "$(state_dir repo)/tasks/$id" 2>/dev/null; }
		then
			git -C "$wt" status --porcelain >st 2>&1 || { cat st; return 1; }
			if grep "^ D\|^D \|^DD\|^UD" st >/dev/null
			then
				echo "worktree $wt lost files:"; head st; return 1
			fi
		fi
		if git -C repo rev-parse -q --verify "parallel/$id" >/dev/null
		then
			git -C repo diff --name-only --diff-filter=D "$(cat base)" "parallel/$id" >del &&
			if test -s del
			then
				echo "branch parallel/$id deletes files:"; head del; return 1
			fi
			git -C repo diff --name-only "$(cat base)" "parallel/$id" >changed &&
			if grep -v "^$id.txt\$" changed | grep -v "^files/x$id.c\$"
			then
				echo "branch parallel/$id has foreign changes"; return 1
			fi
		fi
	done
}

test_expect_success "kill -9 of run at $ROUNDS random instants loses nothing" '
	r=0 &&
	while test $r -lt $ROUNDS
	do
		delay=$(rand 900) &&
		(cd repo && exec git-parallel --config .git/gp-config run >/dev/null 2>&1) &
		pid=$! &&
		sleep $(printf "0.%03d" $delay) &&
		kill -9 $pid 2>/dev/null
		wait $pid
		# the killed run leaves its task commands running: let them end
		# (under load they take seconds) before fsck, and the next run
		wait_commands_gone repo &&
		no_loss || { echo "round $r (delay 0.$delay s)"; return 1; }
		r=$((r + 1))
	done
'

test_expect_success 'then a run to the end: every task done, each branch exactly its task' '
	(cd repo && git parallel --config .git/gp-config run >../out 2>../err) ||
	{ cat err; false; } &&
	for id in $TASKS
	do
		test "$(task_field repo $id state)" = done || return 1
		git -C repo diff --name-only "$(cat base)" "parallel/$id" >actual &&
		printf "%s.txt\nfiles/x%s.c\n" $id $id | sort >expect &&
		test_cmp expect actual || return 1
	done &&
	no_loss all
'

test_expect_success 'the oracle: git merge of the same branches' '
	git clone -q repo oracle &&
	for id in $TASKS
	do
		git -C oracle fetch -q origin "parallel/$id:parallel/$id" &&
		git -C oracle merge -q --no-ff -m "$id" "parallel/$id" || return 1
	done &&
	git -C oracle rev-parse "HEAD^{tree}" >oracle.tree
'

test_expect_success "kill -9 of merge (and read-tree) at $ROUNDS random instants loses nothing" '
	r=0 &&
	while test $r -lt $ROUNDS
	do
		delay=$(rand 400) &&
		setsid sh -c "cd repo && exec git parallel merge >/dev/null 2>&1" &
		pid=$! &&
		sleep $(printf "0.%03d" $delay) &&
		kill -9 -- -$pid 2>/dev/null
		wait $pid
		repo_sane repo || { echo "round $r"; return 1; }
		r=$((r + 1))
	done
'

test_expect_success 'then a merge to the end: everything merged once, tree equal to git merge, work tree clean' '
	(cd repo && git parallel merge >../out 2>../err) || { cat out err; false; } &&
	git -C repo status --porcelain >st &&
	test_must_be_empty st &&
	git -C repo rev-parse "main^{tree}" >actual &&
	test_cmp oracle.tree actual &&
	for id in $TASKS
	do
		test "$(task_field repo $id state)" = merged &&
		git -C repo log --format=%s "$(cat base)..main" >subjects &&
		test $(grep -c "^Merge task $id:" subjects) = 1 || { cat subjects; return 1; }
	done &&
	repo_sane repo
'

test_done
