#!/bin/sh

test_description='state files that hold task text are 0600 in 0700 directories'

. ./test-lib.sh

umask 022

# modes <path>...: "<octal mode> <path>" per path, relative to the state directory
modes () {
	(cd "$(state_dir repo)" && stat -c "%a %n" "$@")
}

test_expect_success 'setup: plan and run a task, with a umask that would share them' '
	new_repo repo &&
	printf "[task \"T1\"]\n\ttitle = secret title\n\tpaths = a.txt\n\tcommand = echo x >a.txt\n" >repo/tasks.ini &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run 2>../err)
'

test_expect_success 'the state directory and its directories are 0700' '
	modes . tasks logs prompts >actual &&
	printf "700 .\n700 tasks\n700 logs\n700 prompts\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the plan, task states, logs and prompts are 0600' '
	modes plan tasks/T1 logs/T1.log prompts/T1.md >actual &&
	printf "600 plan\n600 tasks/T1\n600 logs/T1.log\n600 prompts/T1.md\n" >expect &&
	test_cmp expect actual &&
	grep "secret title" "$(state_dir repo)/plan"
'

test_expect_success 'a state directory made with a looser mode is made private again' '
	chmod 755 "$(state_dir repo)" "$(state_dir repo)/tasks" &&
	(cd repo && git parallel plan tasks.ini >/dev/null) &&
	modes . >actual && echo "700 ." >expect && test_cmp expect actual &&
	(cd repo && git parallel run 2>../err) &&
	modes . >actual && test_cmp expect actual
'

test_expect_success 'a re-plan archives states in a 0700 directory' '
	printf "[task \"T1\"]\n\ttitle = another\n\tpaths = b.txt\n\tcommand = echo y >b.txt\n" >repo/tasks2.ini &&
	(cd repo && git parallel clean --all --force >/dev/null 2>&1 &&
	 git parallel plan tasks2.ini >/dev/null) &&
	sd=$(state_dir repo) &&
	find "$sd/archive" -type d -exec stat -c "%a" {} + | sort -u >actual &&
	echo 700 >expect && test_cmp expect actual &&
	find "$sd/archive" -type f -exec stat -c "%a" {} + | sort -u >actual &&
	echo 600 >expect && test_cmp expect actual
'

test_expect_success 'the merge journal is 0600 while it exists' '
	(cd repo && git parallel run 2>../err) &&
	rm repo/tasks.ini repo/tasks2.ini &&
	printf "#!/bin/sh\nstat -c %%a \"%s/merge-journal\" >\"%s/journal.mode\"\n" \
		"$(state_dir repo)" "$TRASH_DIRECTORY" >hook.sh &&
	chmod +x hook.sh &&
	(cd repo && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="\"$TRASH_DIRECTORY/hook.sh\"" \
		git parallel merge >../out 2>&1) &&
	grep "merged" out &&
	echo 600 >expect && test_cmp expect journal.mode
'

test_done
