#!/bin/sh

test_description='plain check reads merge.directoryRenames as git does

Task A moves every file out of directory d, task B adds d/new.  git'"'"'s
merge calls the new file a conflict unless merge.directoryRenames says
true (it moves with the directory) or false (no directory renames); any
other value is the default, conflict.  Plain check read the setting with
libgit2 only, so git -c and GIT_CONFIG_* (which libgit2 does not read)
were ignored, and a value git does not know was taken as "no conflict".
Oracle: git merge-tree of the two task branches on the same configuration.'

. ./test-lib.sh

test_expect_success 'setup: a directory renamed, a file added in it' '
	new_repo repo &&
	(
		cd repo &&
		mkdir d && echo 1 >d/one && echo 2 >d/two &&
		git add -A && git commit -q -m base &&
		printf "[task \"A\"]\n\ttitle = a\n\tcommand = git mv d e\n[task \"B\"]\n\ttitle = b\n\tcommand = echo new >d/new\n" >../tasks.ini &&
		git parallel plan ../tasks.ini >/dev/null &&
		git parallel run >../run.out 2>&1
	)
'

# agree <git options...>: git merge-tree and plain check, both under the
# options, say the same: a conflict on d/new (exit 1) or none (exit 0).
# The verdict, "conflict" or "clean", in verdict.
agree () {
	{ git -C repo "$@" merge-tree --write-tree --name-only parallel/A parallel/B >mt.out; git_code=$?; } &&
	{ (cd repo && git "$@" parallel check --json >../plain.json 2>../err); echo $? >plain.code; } &&
	json_get plain.json "\" \".join(o[\"class\"] + \":\" + o[\"path\"] + \":\" + o[\"kind\"] for o in d[\"overlaps\"])" >plain.classes &&
	if test $git_code = 1
	then
		echo "conflict:d/new:directory rename" >expect && test_cmp expect plain.classes &&
		echo 1 >expect && test_cmp expect plain.code &&
		echo conflict >verdict
	else
		test $git_code = 0 &&
		echo >expect && test_cmp expect plain.classes &&
		echo 0 >expect && test_cmp expect plain.code &&
		echo clean >verdict
	fi
}

verdict_is () {
	echo "$1" >expect && test_cmp expect verdict
}

test_expect_success 'unset: a conflict' '
	agree && verdict_is conflict
'

test_expect_success 'git -c merge.directoryRenames=true: no conflict' '
	agree -c merge.directoryRenames=true && verdict_is clean
'

test_expect_success 'git -c merge.directoryRenames=false: no conflict' '
	agree -c merge.directoryRenames=false && verdict_is clean
'

test_expect_success 'git -c merge.directoryRenames=conflict over a repository true: a conflict' '
	git -C repo config merge.directoryRenames true &&
	test_when_finished "git -C repo config --unset merge.directoryRenames" &&
	agree && verdict_is clean &&
	agree -c merge.directoryRenames=conflict && verdict_is conflict
'

test_expect_success 'GIT_CONFIG_COUNT gives true (libgit2 does not read it): no conflict' '
	(
		GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=merge.directoryRenames GIT_CONFIG_VALUE_0=yes &&
		export GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 &&
		agree && verdict_is clean
	)
'

test_expect_success 'a value git does not know is its default, conflict (repository config and git -c)' '
	git -C repo config merge.directoryRenames sometimes &&
	test_when_finished "git -C repo config --unset merge.directoryRenames" &&
	agree && verdict_is conflict &&
	agree -c merge.directoryRenames=Always && verdict_is conflict
'

test_expect_success 'boolean spellings git takes: 1, off, ON' '
	agree -c merge.directoryRenames=1 && verdict_is clean &&
	agree -c merge.directoryRenames=off && verdict_is clean &&
	agree -c merge.directoryRenames=ON && verdict_is clean
'

test_done
