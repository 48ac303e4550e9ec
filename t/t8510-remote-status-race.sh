#!/bin/sh

test_description='status --remote run at once with others and with merge --remote: each reads a whole mirror'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

test_expect_success 'setup: every task done by workers on the remote' '
	remote_setup &&
	for id in T001 T002 T003
	do
		fresh_clone "w$id" &&
		(cd "w$id" && git parallel worker "$REMOTE_URL" $id >../out.$id 2>&1) ||
		{ cat out.$id; return 1; }
	done &&
	fresh_clone viewer
'

# statuses <round> <n>: start n status --remote --json at once in viewer;
# results in st.<round>.<k>.json, exit codes in rc.<round>.<k>.
statuses () {
	k=0 &&
	while test $k -lt $2
	do
		{ (cd viewer && git parallel status --remote "$REMOTE_URL" --json \
			>../st.$1.$k.json 2>../err.$1.$k); echo $? >rc.$1.$k; } &
		k=$((k + 1))
	done
}

# all_whole <round> <n> <states>: every status of the round exited 0 and
# saw every task in one of <states> (a regex).
all_whole () {
	k=0 &&
	while test $k -lt $2
	do
		echo 0 >expect && test_cmp expect rc.$1.$k || { cat err.$1.$k; return 1; }
		json_get st.$1.$k.json "\" \".join([str(len(d[\"tasks\"]))] + [t[\"state\"] for t in d[\"tasks\"]])" >actual &&
		grep -E "^3 ($3) ($3) ($3)\$" actual || { cat actual; return 1; }
		k=$((k + 1))
	done
}

test_expect_success 'four status --remote at once, ten rounds: none sees a half-written mirror' '
	for round in 1 2 3 4 5 6 7 8 9 10
	do
		statuses $round 4 && wait && all_whole $round 4 done || return 1
	done
'

test_expect_success 'status --remote at once with merge --remote: both whole, the merge done once' '
	git -C repo pull -q --no-rebase "$REMOTE_URL" main &&
	statuses m 4 &&
	(cd repo && git parallel merge --remote "$REMOTE_URL" >../merge.out 2>../merge.err) &&
	statuses n 4 &&
	wait &&
	grep "3 merged" merge.out &&
	all_whole m 4 "done|merged" &&
	all_whole n 4 "done|merged" &&
	for id in T001 T002 T003; do echo merged >expect && remote_state $id >actual && test_cmp expect actual || return 1; done &&
	repo_sane repo && repo_sane viewer
'

test_expect_success 'no mirror is left behind; one left by a killed status is removed by the next' '
	sd=$(state_dir viewer) &&
	! ls "$sd" | grep "^remote-mirror" &&
	# a status killed before it removed its mirror (pid 1: never a status of ours)
	mkdir -p "$sd/remote-mirror.999999999-1/tasks" "$sd/remote-mirror" &&
	(cd viewer && git parallel status --remote "$REMOTE_URL" >../out) &&
	grep "^T001 *merged" out &&
	! ls "$sd" | grep "^remote-mirror"
'

test_done
