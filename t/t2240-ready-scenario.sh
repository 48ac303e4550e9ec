#!/bin/sh

test_description='a ready worktree end to end: ignored .env copied, setup, a sparse task in a 150-file tree, merge'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

AGENT="$GP_TEST_DIR/lib/agent.sh"

test_expect_success 'setup: 150 files, an ignored .env, a setup command that needs it' '
	new_repo repo &&
	for d in api web docs
	do
		mkdir -p repo/$d &&
		for i in $(test_seq 1 50)
		do
			echo "$d $i" >repo/$d/f$i.txt || return 1
		done
	done &&
	printf ".env\n.setup-done\n" >repo/.gitignore &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = change the api
		paths = api/f7.txt
	EOF
	cat >repo/.gitparallel <<-EOF &&
	[parallel]
		tasks = tasks.ini
		command = $AGENT
		copy = .env
		sparse = declared
		setup = . ./.env && echo "setup saw TOKEN=\$TOKEN" && echo "\$TOKEN" >.setup-done
	EOF
	git -C repo add . && git -C repo commit -q -m "150 files" &&
	echo "TOKEN=s3cret" >repo/.env &&
	(cd repo && git parallel plan >/dev/null)
'

test_expect_success 'run: the worktree is sparse, has the .env, and setup ran with it' '
	(cd repo && git parallel run >../out 2>../err) &&
	grep "1 done" out &&
	wt=repo.parallel/T1 &&
	test_cmp repo/.env $wt/.env &&
	echo s3cret >expect && test_cmp expect $wt/.setup-done &&
	grep "setup saw TOKEN=s3cret" "$(state_dir repo)/logs/T1.log" &&
	git -C $wt sparse-checkout list >actual &&
	echo api >expect && test_cmp expect actual &&
	! test -e $wt/web && ! test -e $wt/docs &&
	git -C $wt status --porcelain >st &&
	test_must_be_empty st
'

test_expect_success 'the task commit holds its change only: no .env, no deletion' '
	git -C repo diff --name-status main parallel/T1 >actual &&
	printf "M\tapi/f7.txt\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'merge: every file outside the cone is still there' '
	(cd repo && git parallel merge >../out 2>../err) &&
	test $(git -C repo ls-tree -r --name-only main | grep -c "^\(api\|web\|docs\)/") = 150 &&
	test -f repo/web/f50.txt && test -f repo/docs/f1.txt &&
	grep "T1 was here" repo/api/f7.txt &&
	git -C repo status --porcelain >st &&
	test_must_be_empty st &&
	repo_sane repo
'

test_done
