#!/bin/sh

test_description='check --exact asks a file'"'"'s merge attribute once, whatever the pairs

Of more tasks than check starts git merge-tree for early, the pairs that
only changed text files in place are decided from git'"'"'s line scripts,
when the files merge as text: no merge attribute.  Where libgit2 may
read attributes otherwise than git (here a quoted pattern in
.gitattributes), git check-attr says.  Every pair that changed a file
asks the same question of it: asked once per check, for each file.
The verdicts are git merge-tree'"'"'s.'

. ./test-lib.sh

test_expect_success 'setup: four tasks changing the same two files apart, a quoted pattern' '
	write_git_logger bin "$TRASH_DIRECTORY/git.log" check-attr merge-tree &&
	new_repo repo &&
	test_seq 1 40 | sed "s/^/line /" >repo/f.txt &&
	test_seq 1 40 | sed "s/^/line /" >repo/g.txt &&
	printf "\"a b.txt\" merge=union\n" >repo/.gitattributes &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = one
		command = sed -i 2s/line/one/ f.txt g.txt
	[task "T2"]
		title = two
		command = sed -i 12s/line/two/ f.txt g.txt
	[task "T3"]
		title = three
		command = sed -i 22s/line/three/ f.txt
	[task "T4"]
		title = four
		command = sed -i 32s/line/four/ f.txt
	EOF
	git -C repo add -A && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >/dev/null 2>&1) &&
	for t in T1 T2 T3 T4; do
		git -C repo rev-parse --verify -q parallel/$t >/dev/null || return 1
	done
'

test_expect_success 'check --exact: git check-attr once for f.txt (six pairs), once for g.txt (one)' '
	: >git.log &&
	(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel check --exact --json >../check.json) &&
	grep -c "^check-attr$" git.log >count &&
	echo 2 >expect &&
	test_cmp expect count &&
	# the scripts decided: no pair was merged by git merge-tree
	! grep merge-tree git.log
'

test_expect_success 'the verdicts are git merge-tree'"'"'s: every pair clean' '
	for a in T1 T2 T3 T4; do
		for b in T1 T2 T3 T4; do
			test "$a" \< "$b" || continue
			git -C repo merge-tree --write-tree --name-only parallel/$a parallel/$b >mt || return 1
		done
	done &&
	json_get check.json "sorted((p[\"tasks\"][0] + p[\"tasks\"][1], p[\"exact\"]) for p in d[\"pairs\"])" >actual &&
	cat >expect <<-\EOF &&
	[["T1T2", "clean"], ["T1T3", "clean"], ["T1T4", "clean"], ["T2T3", "clean"], ["T2T4", "clean"], ["T3T4", "clean"]]
	EOF
	test_cmp expect actual
'

test_done
