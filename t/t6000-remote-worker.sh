#!/bin/sh

test_description='git parallel push and worker: a bare remote as the rendezvous'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

test_expect_success 'setup: push publishes the plan and the pinned base' '
	remote_setup &&
	grep "pushed plan .* (3 tasks)" push.out &&
	git -C repo rev-parse main >expect &&
	git -C remote.git rev-parse refs/parallel/base >actual &&
	test_cmp expect actual &&
	git -C remote.git show refs/parallel/plan:plan >plan &&
	test_cmp "$(state_dir repo)/plan" plan &&
	git -C remote.git show refs/parallel/plan:settings >settings &&
	grep "command = .*agent.sh" settings &&
	git -C remote.git fsck
'

test_expect_success 'push again with the same plan changes nothing but succeeds' '
	old=$(git -C remote.git rev-parse refs/parallel/base) &&
	(cd repo && git parallel push "$REMOTE_URL") &&
	git -C remote.git rev-parse refs/parallel/base >actual &&
	echo $old >expect && test_cmp expect actual
'

test_expect_success 'push applies the trust rule: a tracked command is not published until trusted' '
	new_repo tp &&
	printf -- "- [ ] T1 Edit a.txt\n" >tp/tasks.md &&
	printf "[parallel]\n\ttasks = tasks.md\n\tcommand = echo from-the-repo >a.txt\n" >tp/.gitparallel &&
	git -C tp add . && git -C tp commit -q -m tasks &&
	(cd tp && git parallel plan >/dev/null) &&
	git init -q --bare tp-remote.git &&
	(cd tp && unset GIT_PARALLEL_TRUST_COMMANDS &&
	 test_expect_code 128 git parallel push ../tp-remote.git >../out 2>../err) &&
	grep "commands you have not trusted" err &&
	grep "\.gitparallel:3: task .T1.: echo from-the-repo" err &&
	test_must_fail git -C tp-remote.git rev-parse -q --verify refs/parallel/plan &&
	(cd tp && unset GIT_PARALLEL_TRUST_COMMANDS &&
	 git parallel push --command true ../tp-remote.git >../out 2>&1) &&
	git -C tp-remote.git rev-parse -q --verify refs/parallel/plan &&
	(cd tp && unset GIT_PARALLEL_TRUST_COMMANDS && git parallel trust >/dev/null &&
	 git parallel push ../tp-remote.git >../out 2>&1)
'

test_expect_success 'push needs a remote; an option-like remote is a usage error' '
	(cd repo && test_expect_code 129 git parallel push) &&
	(cd repo && test_expect_code 129 git parallel push -- -oops)
'

test_expect_success 'a worker whose dependencies are not finished does not claim' '
	fresh_clone w3 &&
	(cd w3 && test_expect_code 1 git parallel worker "$REMOTE_URL" T003 2>../err) &&
	grep "waits for T00[12], which is pending" err &&
	test_must_fail git -C remote.git rev-parse --verify -q refs/parallel/state/T003
'

test_expect_success 'a worker in a fresh clone runs its task and pushes branch and state' '
	fresh_clone w1 &&
	(cd w1 && git parallel worker "$REMOTE_URL" T001 >../out 2>../err) &&
	grep "T001 done" out &&
	echo done >expect &&
	remote_state T001 >actual && test_cmp expect actual &&
	git -C remote.git diff --name-only main parallel/T001 >actual &&
	echo src/f1.c >expect && test_cmp expect actual &&
	git -C remote.git fsck
'

test_expect_success 'the task text never reached a command line: it came from the plan' '
	git -C remote.git log -1 --format=%s parallel/T001 >actual &&
	echo "T001: Edit src/f1.c" >expect && test_cmp expect actual
'

test_expect_success 'a second worker for a finished task does nothing' '
	before=$(git -C remote.git rev-parse refs/parallel/state/T001) &&
	fresh_clone w1b &&
	(cd w1b && git parallel worker "$REMOTE_URL" T001 >../out) &&
	grep "T001. is done on .* already" out &&
	git -C remote.git rev-parse refs/parallel/state/T001 >actual &&
	echo $before >expect && test_cmp expect actual
'

RACE_CMD="'$TRASH_DIRECTORY/race-agent.sh'"

racer () {
	(cd "$1" && git parallel worker --command "'$TRASH_DIRECTORY/race-agent.sh'" "$REMOTE_URL" T002 \
		>../$1.out 2>../$1.err; echo $? >../$1.rc)
}

test_expect_success 'two racing workers: exactly one runs the task' '
	fresh_clone ra && fresh_clone rb &&
	: >ran &&
	cat >race-agent.sh <<-EOF &&
	#!/bin/sh
	echo "\$PWD" >>"$TRASH_DIRECTORY/ran"
	exec "$AGENT"
	EOF
	chmod +x race-agent.sh &&
	{ racer ra & racer rb & wait; } &&
	test_line_count = 1 ran &&
	cat ra.rc rb.rc | sort >actual &&
	printf "0\n1\n" >expect && test_cmp expect actual &&
	cat ra.err rb.err | grep "claimed" &&
	echo done >expect && remote_state T002 >actual && test_cmp expect actual
'

test_expect_success 'the claim is a compare-and-swap: a claim made between fetch and push wins' '
	git -C remote.git update-ref refs/parallel/state/T003 refs/parallel/state/T001 &&
	git -C remote.git update-ref -d refs/parallel/state/T003 &&
	cat >remote.git/hooks/pre-receive <<-\EOF &&
	#!/bin/sh
	# another worker claims T003 just before our push lands
	if test ! -e ../raced; then
		: >../raced
		git update-ref refs/parallel/state/T003 refs/parallel/state/T001
	fi
	EOF
	chmod +x remote.git/hooks/pre-receive &&
	fresh_clone w3 &&
	: >ran &&
	(cd w3 && test_expect_code 1 git parallel worker --command "$RACE_CMD" \
		"$REMOTE_URL" T003 2>../err) &&
	grep "claimed by another worker first" err &&
	test_must_be_empty ran &&
	rm remote.git/hooks/pre-receive &&
	git -C remote.git update-ref -d refs/parallel/state/T003
'

test_expect_success 'a dependent task starts from the merge of its dependencies'"'"' branches' '
	fresh_clone w3 &&
	(cd w3 && git parallel worker "$REMOTE_URL" T003 >../out 2>../err) &&
	grep "T003 done" out &&
	git -C remote.git merge-base --is-ancestor parallel/T001 parallel/T003 &&
	git -C remote.git merge-base --is-ancestor parallel/T002 parallel/T003 &&
	git -C remote.git diff --name-only parallel/T003^ parallel/T003 >actual &&
	echo src/f3.c >expect && test_cmp expect actual
'

test_expect_success 'a failing task pushes a failed state and no branch; exit 1; attempts count across clones' '
	git -C remote.git update-ref -d refs/parallel/state/T003 &&
	git -C remote.git update-ref -d refs/heads/parallel/T003 &&
	fresh_clone wf &&
	(cd wf && test_expect_code 1 git parallel worker --command false "$REMOTE_URL" T003 >../out 2>../err) &&
	grep "T003. is failed" out &&
	echo failed >expect && remote_state T003 >actual && test_cmp expect actual &&
	test_must_fail git -C remote.git rev-parse --verify -q refs/heads/parallel/T003 &&
	fresh_clone wf2 &&
	(cd wf2 && git parallel worker "$REMOTE_URL" T003 >../out 2>../err) &&
	echo done >expect && remote_state T003 >actual && test_cmp expect actual &&
	git -C remote.git show refs/parallel/state/T003:state >st &&
	grep "^	attempts = 2$" st
'

# lease_over <id>: wait until the lease in the task's remote state has run out.
lease_over () {
	lease=$(git -C remote.git show "refs/parallel/state/$1:state" | sed -n "s/^	lease = \([0-9]*\).*/\1/p") &&
	test -n "$lease" &&
	while test $(date +%s) -le $lease; do sleep 0.2; done
}

test_expect_success 'a worker killed after its claim leaves a running claim with a lease' '
	git -C remote.git update-ref -d refs/parallel/state/T001 &&
	git -C remote.git update-ref -d refs/heads/parallel/T001 &&
	fresh_clone k1 &&
	(cd k1 && GIT_PARALLEL_TEST_CRASH_AT=worker-after-claim git parallel worker --lease 1h \
		"$REMOTE_URL" T001 2>../err; echo $? >../rc) &&
	test_crashed $(cat rc) &&
	echo running >expect && remote_state T001 >actual && test_cmp expect actual &&
	fresh_clone k2 &&
	(cd k2 && test_expect_code 1 git parallel worker "$REMOTE_URL" T001 2>../err) &&
	grep "claimed by worker .*lease until" err
'

test_expect_success 'once its lease ran out, a new worker claims the task again' '
	git -C remote.git update-ref -d refs/parallel/state/T001 &&
	(cd k1 && GIT_PARALLEL_TEST_CRASH_AT=worker-after-claim git parallel worker --lease 1s \
		"$REMOTE_URL" T001 2>../err; echo $? >../rc) &&
	test_crashed $(cat rc) &&
	lease_over T001 &&
	(cd k2 && git parallel worker "$REMOTE_URL" T001 >../out 2>../err) &&
	grep "T001 done" out &&
	echo done >expect && remote_state T001 >actual && test_cmp expect actual &&
	git -C remote.git log --format=%s refs/parallel/state/T001 >log &&
	test_line_count = 3 log
'

test_expect_success 'a live worker renews its claim: past its first lease, nobody takes the task' '
	git -C remote.git update-ref -d refs/parallel/state/T002 &&
	git -C remote.git update-ref -d refs/heads/parallel/T002 &&
	cat >hold-agent.sh <<-EOF &&
	#!/bin/sh
	: >"$TRASH_DIRECTORY/held"
	while ! test -e "$TRASH_DIRECTORY/go"; do sleep 0.1; done
	exec "$AGENT"
	EOF
	chmod +x hold-agent.sh &&
	test_when_finished ": >go; wait" &&
	fresh_clone h1 && fresh_clone h2 &&
	(cd h1 && git parallel worker --lease 4s --command "\"$TRASH_DIRECTORY/hold-agent.sh\"" \
		"$REMOTE_URL" T002 >../h1.out 2>../h1.err; echo $? >../h1.rc) &
	n=0 &&
	while ! test -e held; do n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || break; done &&
	test -e held &&
	first=$(git -C remote.git show refs/parallel/state/T002:state | sed -n "s/^	lease = \([0-9]*\).*/\1/p") &&
	while test $(date +%s) -le $((first + 1)); do sleep 0.2; done &&
	# past the first lease, once the worker has renewed it (a loaded
	# machine, or the sanitizers, can make its push late: the lease is
	# renewed, not on time)
	n=0 &&
	while now=$(git -C remote.git show refs/parallel/state/T002:state |
		    sed -n "s/^	lease = \([0-9]*\).*/\1/p") && test $now -le $first
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || break
	done &&
	(cd h2 && test_expect_code 1 git parallel worker "$REMOTE_URL" T002 2>../h2.err) &&
	grep "claimed by worker" h2.err &&
	now=$(git -C remote.git show refs/parallel/state/T002:state | sed -n "s/^	lease = \([0-9]*\).*/\1/p") &&
	test $now -gt $first &&
	: >go &&
	wait &&
	echo 0 >expect && test_cmp expect h1.rc &&
	echo done >expect && remote_state T002 >actual && test_cmp expect actual
'

test_done
