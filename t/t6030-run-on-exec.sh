#!/bin/sh

test_description='git parallel run --on exec:<template>: workers launched by any engine'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/remote.sh"

test_expect_success 'setup: a launcher that clones and runs the worker, as an engine would' '
	remote_setup &&
	cat >launch.sh <<-EOF &&
	#!/bin/sh
	# the engine: a clone of its own per task, then the worker
	echo "\$*" >>"$TRASH_DIRECTORY/launched"
	if test -e "$TRASH_DIRECTORY/fail-once-\$2"; then
		rm "$TRASH_DIRECTORY/fail-once-\$2"
		exit 3
	fi
	d="$TRASH_DIRECTORY/clones/\$2"
	test -d "\$d/.git" || git clone -q "\$1" "\$d" || exit 1
	cd "\$d" && exec git parallel worker "\$1" "\$2"
	EOF
	chmod +x launch.sh &&
	git -C repo remote add origin "$REMOTE_URL"
'

LAUNCH="exec:'$TRASH_DIRECTORY/launch.sh' {remote} {id}"

test_expect_success 'bad --on specs are refused before anything runs' '
	(cd repo && test_expect_code 129 git parallel run --on "rsh:x" 2>../err) &&
	grep "neither ssh" err &&
	(cd repo && test_expect_code 129 git parallel run --on "exec:echo {remote}" 2>../err) &&
	grep "has no {id}" err &&
	(cd repo && test_expect_code 129 git parallel run --on "ssh:-oProxyCommand=x" 2>../err) &&
	grep "not a host name" err &&
	! test -e launched
'

test_expect_success 'run --on exec: every task runs as a worker, in dependency order' '
	(cd repo && git parallel run -j 2 --on "$LAUNCH" >../out 2>../err) ||
	{ cat out err "$(state_dir repo)"/logs/*.log; false; } &&
	grep "3 done" out &&
	for id in T001 T002 T003
	do
		echo done >expect && remote_state $id >actual && test_cmp expect actual || return 1
	done &&
	git -C remote.git merge-base --is-ancestor parallel/T001 parallel/T003 &&
	git -C remote.git merge-base --is-ancestor parallel/T002 parallel/T003
'

test_expect_success 'the template words were substituted as words: remote URL and ID only' '
	sort launched >actual &&
	cat >expect <<-EOF &&
	$REMOTE_URL T001
	$REMOTE_URL T002
	$REMOTE_URL T003
	EOF
	test_cmp expect actual
'

test_expect_success 'the local state follows: status, and merge --remote brings the work in' '
	(cd repo && git parallel status) >out &&
	test $(grep -c " done " out) = 3 &&
	(cd repo && git parallel merge --remote origin >../out 2>../err) &&
	grep "3 merged" out &&
	git -C remote.git rev-parse main >actual &&
	git -C repo rev-parse main >expect &&
	test_cmp expect actual
'

test_expect_success 'a worker launch that dies is launched again as a retry' '
	git -C repo pull -q origin main &&
	(cd repo && git parallel plan --force >/dev/null) && rm -rf "$(state_dir repo)/tasks" &&
	(cd repo && git parallel clean --remote origin --all >/dev/null) &&
	rm -rf clones launched &&
	: >fail-once-T002 &&
	(cd repo && git parallel run -j 2 --retries 1 --command "$AGENT" --on "$LAUNCH" >../out 2>../err) &&
	grep "T002 exit 3 .*retrying (attempt 2 of 2)" err &&
	grep "3 done" out &&
	test $(grep -c "T002" launched) = 2 &&
	echo done >expect && remote_state T002 >actual && test_cmp expect actual
'

test_expect_success 'a launch that fails for good fails the task, and its dependents are blocked' '
	(cd repo && git parallel plan --force >/dev/null) && rm -rf "$(state_dir repo)/tasks" &&
	(cd repo && git parallel clean --remote origin --all >/dev/null) &&
	rm -rf clones &&
	: >fail-once-T001 &&
	(cd repo && test_expect_code 1 git parallel run -j 2 --command "$AGENT" --on "$LAUNCH" >../out 2>../err) &&
	grep "T001 exit 3" err &&
	grep "T003 blocked" err
'

test_expect_success 'a worker killed after its claim: its claim is given back, the retry runs at once' '
	cat >launch-crash.sh <<-EOF &&
	#!/bin/sh
	# the first launch of each task dies right after its claim (kill -9)
	d="$TRASH_DIRECTORY/clones-crash/\$2"
	test -d "\$d/.git" || git clone -q "\$1" "\$d" || exit 1
	cd "\$d" || exit 1
	if ! test -e "$TRASH_DIRECTORY/crashed-\$2"; then
		: >"$TRASH_DIRECTORY/crashed-\$2"
		GIT_PARALLEL_TEST_CRASH_AT=worker-after-claim exec git parallel worker --token "\$3" "\$1" "\$2"
	fi
	exec git parallel worker --token "\$3" "\$1" "\$2"
	EOF
	chmod +x launch-crash.sh &&
	(cd repo && git parallel plan --force >/dev/null) && rm -rf "$(state_dir repo)/tasks" &&
	(cd repo && git parallel clean --remote origin --all >/dev/null) &&
	(cd repo && git parallel run -j 2 --retries 1 --command "$AGENT" \
		--on "exec:'\''$TRASH_DIRECTORY/launch-crash.sh'\'' {remote} {id} {token}" >../out 2>../err) ||
	{ cat out err; false; } &&
	grep "3 done" out &&
	grep "T001 exit 137 .*retrying" err &&
	git -C remote.git log --format=%s refs/parallel/state/T001 >log &&
	grep "given back" log &&
	echo done >expect && remote_state T001 >actual && test_cmp expect actual
'

test_expect_success 'a claim that is not ours is not given back' '
	git -C remote.git update-ref -d refs/parallel/state/T003 &&
	git -C remote.git update-ref -d refs/heads/parallel/T003 &&
	fresh_clone other &&
	(cd other && GIT_PARALLEL_TEST_CRASH_AT=worker-after-claim git parallel worker --token abcd1234 \
		"$REMOTE_URL" T003 2>/dev/null; true) &&
	rm -rf "$(state_dir repo)/tasks/T003" &&
	rm -f crashed-T003 &&
	(cd repo && test_expect_code 1 git parallel run --retries 0 --command "$AGENT" \
		--on "exec:'\''$TRASH_DIRECTORY/launch-crash.sh'\'' {remote} {id} {token}" T003 >../out 2>../err) &&
	echo running >expect && remote_state T003 >actual && test_cmp expect actual &&
	git -C remote.git show refs/parallel/state/T003:state | grep "worker = .*/abcd1234"
'

test_done
