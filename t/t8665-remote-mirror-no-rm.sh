#!/bin/sh

test_description='status --remote removes its mirror of the remote'"'"'s state itself, never by running rm

status --remote writes the remote'"'"'s state into a scratch directory of the
state directory (remote-mirror.<pid>-<start>) and removes it when done;
one a killed status left is removed by the next, once its pid is gone.
That removal forked rm -rf: with no rm on PATH (or another rm first) the
mirror stayed, and status said "cannot remove".  It is now the C tree
removal the worktree code uses: it never follows a symbolic link out of
the directory, and a live status'"'"'s mirror is never touched.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

test_expect_success 'setup: a remote with a plan; an rm that only says it ran' '
	remote_setup &&
	mkdir fakebin &&
	printf "#!/bin/sh\necho \"rm \$*\" >>\"%s\"\nexit 1\n" "$TRASH_DIRECTORY/rm.log" >fakebin/rm &&
	chmod +x fakebin/rm
'

test_expect_success 'status --remote leaves no mirror, and runs no rm' '
	(cd repo && PATH="$TRASH_DIRECTORY/fakebin:$PATH" git parallel status --remote "$REMOTE_URL" >../out 2>../err) &&
	grep "^T001 " out &&
	test_must_be_empty err &&
	! test -e rm.log &&
	ls "$(state_dir repo)" | sed -n "/^remote-mirror/p" >left &&
	test_must_be_empty left
'

test_expect_success 'a dead status'"'"'s mirror is removed, without following a link out of it; a live one stays' '
	sd=$(state_dir repo) &&
	sh -c "echo \$\$" >dead && pid_gone $(cat dead) &&
	old="$sd/remote-mirror.$(cat dead)-1" &&
	mkdir -p "$old/tasks" outside &&
	echo keep >outside/precious &&
	echo x >"$old/plan" && echo y >"$old/tasks/T001" &&
	ln -s "$TRASH_DIRECTORY/outside" "$old/tasks/link" &&
	live="$sd/remote-mirror.$$-$(cut -d" " -f22 /proc/$$/stat)" &&
	mkdir "$live" && echo z >"$live/plan" &&
	(cd repo && PATH="$TRASH_DIRECTORY/fakebin:$PATH" git parallel status --remote "$REMOTE_URL" >../out 2>../err) &&
	! test -e "$old" &&
	test -f "$live/plan" &&
	echo keep >expect && test_cmp expect outside/precious &&
	! test -e rm.log &&
	rm -r "$live"
'

test_done
