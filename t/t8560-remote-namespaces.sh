#!/bin/sh

test_description='each remote is fetched into a namespace of its own

status --remote, merge --remote, clean --remote and the workers fetch what a
remote holds under refs/parallel/ and its task branches.  All remotes used
to share refs/gp-remote/, each fetch pruning what another remote'"'"'s had
brought (and overwriting it, under a status that was about to read it).
Now a remote named <name> has refs/gp-remote/<name>/, a URL or path its
own hashed namespace; the refs of the old shared layout are removed.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

B_URL="file://$TRASH_DIRECTORY/b.git"

test_expect_success 'setup: one plan on two remotes; T001 done on the first only' '
	remote_setup &&
	git init -q --bare b.git &&
	git -C repo push -q "$B_URL" main &&
	(cd repo && git parallel push --command "$AGENT" "$B_URL" >../push-b.out) &&
	fresh_clone w1 &&
	(cd w1 && git parallel worker "$REMOTE_URL" T001 >../w1.out 2>&1) &&
	echo done >expect && remote_state T001 >actual && test_cmp expect actual &&
	fresh_clone viewer
'

# state_on <out> <url>: status --remote <url> --json into <out>; T001'"'"'s state printed
state_on () {
	(cd viewer && git parallel status --remote "$2" --json >"../$1" 2>"../$1.err") &&
	json_get "$1" "[t for t in d[\"tasks\"] if t[\"id\"] == \"T001\"][0][\"state\"]"
}

test_expect_success 'status of one remote, then of the other: neither prunes the other'"'"'s refs' '
	echo done >expect && state_on a.json "$REMOTE_URL" >actual && test_cmp expect actual &&
	git -C viewer for-each-ref --format="%(refname)" "refs/gp-remote/" >a.refs &&
	grep "/parallel/state/T001\$" a.refs >a.state &&
	test_line_count = 1 a.state &&
	echo pending >expect && state_on b.json "$B_URL" >actual && test_cmp expect actual &&
	git -C viewer for-each-ref --format="%(refname)" "refs/gp-remote/" >ab.refs &&
	# the first remote'"'"'s refs are all still there, beside the second'"'"'s
	comm -23 a.refs ab.refs >lost &&
	test_must_be_empty lost &&
	grep "/parallel/plan\$" ab.refs >plans &&
	test_line_count = 2 plans &&
	# T001'"'"'s state on the first, its branch too; none on the second
	git -C viewer show "$(cat a.state):state" | grep "^	state = done" &&
	grep "/heads/parallel/T001\$" ab.refs >branches &&
	test_line_count = 1 branches
'

test_expect_success 'a named remote is fetched into refs/gp-remote/<name>/' '
	git -C viewer remote add second "$B_URL" &&
	echo pending >expect && state_on n.json second >actual && test_cmp expect actual &&
	git -C viewer rev-parse --verify refs/gp-remote/second/parallel/plan &&
	# a remote named as the old layout'"'"'s directories gets a hashed namespace
	# (a URL of its own: one that origin has would take origin'"'"'s, t8573)
	git clone -q --mirror remote.git c.git &&
	git -C viewer remote add parallel "file://$TRASH_DIRECTORY/c.git" &&
	echo done >expect && state_on p.json parallel >actual && test_cmp expect actual &&
	test_must_fail git -C viewer rev-parse --verify -q refs/gp-remote/parallel/parallel/plan &&
	git -C viewer for-each-ref --format="%(refname)" "refs/gp-remote/%%*/parallel/plan" >hashed &&
	# b.git fetched by URL before it had a name, and c.git as "parallel"
	test_line_count = 2 hashed
'

test_expect_success 'status of both remotes at once, ten rounds: each sees its own' '
	for round in 1 2 3 4 5 6 7 8 9 10
	do
		{ state_on r$round.a.json "$REMOTE_URL" >r$round.a; echo $? >r$round.a.rc; } &
		{ state_on r$round.b.json "$B_URL" >r$round.b; echo $? >r$round.b.rc; } &
		wait &&
		echo 0 >expect && test_cmp expect r$round.a.rc && test_cmp expect r$round.b.rc &&
		echo done >expect && test_cmp expect r$round.a &&
		echo pending >expect && test_cmp expect r$round.b || return 1
	done
'

test_expect_success 'the refs of the old shared layout are removed' '
	c=$(git -C viewer rev-parse HEAD) &&
	git -C viewer update-ref refs/gp-remote/parallel/plan $c &&
	git -C viewer update-ref refs/gp-remote/parallel/state/T001 $c &&
	git -C viewer update-ref refs/gp-remote/heads/parallel/T001 $c &&
	git -C viewer update-ref refs/gp-remote/target $c &&
	git -C viewer pack-refs --all &&
	git -C viewer update-ref refs/gp-remote/parallel/base $c &&
	echo done >expect && state_on m.json "$REMOTE_URL" >actual && test_cmp expect actual &&
	git -C viewer for-each-ref --format="%(refname)" refs/gp-remote/parallel/ \
		refs/gp-remote/heads/ refs/gp-remote/target >old &&
	test_must_be_empty old &&
	git -C viewer rev-parse --verify refs/gp-remote/second/parallel/plan &&
	repo_sane viewer
'

test_expect_success 'merge --remote and clean --remote work in their namespace' '
	fresh_clone w2 &&
	(cd w2 && git parallel worker "$REMOTE_URL" T002 >../w2.out 2>&1) &&
	fresh_clone w3 &&
	(cd w3 && git parallel worker "$REMOTE_URL" T003 >../w3.out 2>&1) &&
	git -C repo pull -q --no-rebase "$REMOTE_URL" main &&
	git -C b.git for-each-ref refs/parallel/ >b.before &&
	test -s b.before &&
	(cd repo && git parallel merge --remote "$REMOTE_URL" >../merge.out 2>../merge.err) &&
	grep "3 merged" merge.out &&
	for id in T001 T002 T003; do echo merged >expect && remote_state $id >actual && test_cmp expect actual || return 1; done &&
	(cd repo && git parallel clean --remote "$REMOTE_URL" >../clean.out 2>&1) &&
	git -C remote.git for-each-ref refs/parallel/ >left &&
	test_must_be_empty left &&
	# the other remote untouched
	git -C b.git for-each-ref refs/parallel/ >b.after &&
	test_cmp b.before b.after &&
	repo_sane repo
'

test_done
