#!/bin/sh

test_description='a task command and parallel.setup keep the configuration given with git -c

git keeps git -c (GIT_CONFIG_PARAMETERS) and GIT_CONFIG_COUNT for its hooks
and aliases, and for the repositories it names itself (prepare_other_repo_env
drops every other repository variable): the task command, parallel.setup and
the gits they run see the same configuration, while GIT_INDEX_FILE still
does not reach them.  Oracle: git config, run by the command in its worktree.'

. ./test-lib.sh

# probe_repo <repo>: task T1 records what git config says in its worktree
probe_repo () {
	new_repo $1 &&
	(
		cd $1 &&
		printf "[task \"T1\"]\n\tpaths = probe.out setup.out idx.out\n" >tasks.ini &&
		printf "\tcommand = git config gp.probe >probe.out; git rev-parse --git-path index >idx.out\n" >>tasks.ini &&
		printf "[parallel]\n\tsetup = git config gp.probe >setup.out\n" >.gitparallel &&
		git add .gitparallel && git commit -q -m setup &&
		git parallel plan tasks.ini >/dev/null
	)
}

# saw <repo> <value>: the command and the setup both read gp.probe = value
saw () {
	echo "$2" >expect &&
	git -C $1 show parallel/T1:probe.out >actual &&
	test_cmp expect actual &&
	git -C $1 show parallel/T1:setup.out >actual &&
	test_cmp expect actual
}

test_expect_success 'git -c gp.probe=yes parallel run: the command and setup see it' '
	probe_repo r1 &&
	(cd r1 && git -c gp.probe=yes parallel run --trust-commands >../out 2>&1) &&
	grep "1 done" out &&
	saw r1 yes
'

test_expect_success 'GIT_CONFIG_COUNT: the same, and GIT_INDEX_FILE still dropped' '
	probe_repo r2 &&
	(
		cd r2 &&
		GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=gp.probe GIT_CONFIG_VALUE_0=counted &&
		GIT_INDEX_FILE=$TRASH_DIRECTORY/outside.index &&
		export GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 GIT_INDEX_FILE &&
		git parallel run --trust-commands >../out 2>&1
	) &&
	grep "1 done" out &&
	saw r2 counted &&
	git -C r2 show parallel/T1:idx.out >actual &&
	! grep outside.index actual
'

test_done
