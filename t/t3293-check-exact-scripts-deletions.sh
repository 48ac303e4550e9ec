#!/bin/sh

test_description='check --exact decides from git'"'"'s line scripts pairs that also deleted files

A pair that deleted files but added none (or added files but deleted
none) gives git no rename to find: merge-ort pairs a side'"'"'s deleted
files with its added ones only.  Its merge is decided from git'"'"'s line
scripts like a pair that only changed files in place: a file deleted on
both sides is taken once; a file one side deleted and the other changed
(modify/delete), or a pair that both deleted and added files, is merged
by git merge-tree.  The verdicts and paths are git merge-tree'"'"'s.'

. ./test-lib.sh

test_expect_success 'setup: five tasks deleting, adding and changing files' '
	write_git_logger bin "$TRASH_DIRECTORY/git.log" merge-tree diff-tree &&
	new_repo repo &&
	for f in a b s; do
		test_seq 1 20 | sed "s/^/$f line /" >repo/$f.txt || return 1
	done &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = one
		command = git rm -q a.txt && sed -i 2s/line/one/ s.txt
	[task "T2"]
		title = two
		command = git rm -q b.txt && sed -i 10s/line/two/ s.txt
	[task "T3"]
		title = three
		command = git rm -q a.txt && sed -i 2s/line/three/ s.txt
	[task "T4"]
		title = four
		command = sed -i 5s/line/four/ a.txt && sed -i 18s/line/four/ s.txt
	[task "T5"]
		title = five
		command = echo new >n.txt && git add n.txt && sed -i 14s/line/five/ s.txt
	EOF
	git -C repo add -A && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >/dev/null 2>&1) &&
	for t in T1 T2 T3 T4 T5; do
		git -C repo rev-parse --verify -q parallel/$t >/dev/null || return 1
	done
'

test_expect_success 'check --exact: git merge-tree only for modify/delete and delete+add pairs' '
	: >git.log &&
	(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel check --exact --json >../check.json;
	 test $? = 1) &&
	# T1+T4, T3+T4 (a.txt deleted and changed), T5 with T1, T2, T3 (adds against deletions)
	grep -c "^merge-tree$" git.log >count &&
	echo 5 >expect &&
	test_cmp expect count &&
	grep "^diff-tree$" git.log
'

test_expect_success 'the verdicts and paths are git merge-tree'"'"'s on all ten pairs' '
	for a in T1 T2 T3 T4 T5; do
		for b in T1 T2 T3 T4 T5; do
			test "$a" \< "$b" || continue
			code=0 &&
			git -C repo merge-tree --write-tree --name-only parallel/$a parallel/$b >mt || code=$?
			if test $code = 1; then
				echo "$a$b conflict $(sed -n "2,\$p" mt | sed "/^$/,\$d" | sort | tr "\n" " ")"
			else
				test $code = 0 && echo "$a$b clean " || return 1
			fi
		done
	done >expect &&
	json_get check.json "\"\\n\".join(\"%s%s %s %s\" % (p[\"tasks\"][0], p[\"tasks\"][1], p[\"exact\"], \"\".join(x + \" \" for x in sorted(p[\"exact_paths\"]))) for p in sorted(d[\"pairs\"], key=lambda p: p[\"tasks\"]))" >actual &&
	test_cmp expect actual &&
	grep "T1T3 conflict s.txt $" actual &&
	grep "T1T4 conflict a.txt $" actual &&
	grep "T1T2 clean $" actual
'

test_expect_success 'the same verdicts with the looser rule: scripts that meet left to git (GIT_PARALLEL_TEST_GUESS=off)' '
	(cd repo && GIT_PARALLEL_TEST_GUESS=off git parallel check --exact --json >../off.json; test $? = 1) &&
	json_get off.json "sorted((p[\"tasks\"], p[\"exact\"], p[\"exact_paths\"]) for p in d[\"pairs\"])" >off &&
	json_get check.json "sorted((p[\"tasks\"], p[\"exact\"], p[\"exact_paths\"]) for p in d[\"pairs\"])" >on &&
	test_cmp off on
'

test_done
