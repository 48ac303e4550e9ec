#!/bin/sh

test_description='check --exact diffs each task'"'"'s changes once to tell which pairs git must merge

Of more tasks than check starts git merge-tree for early, a pair that
git'"'"'s line scripts cannot decide (here: each task deletes a file and adds
one: a rename to git, maybe) is
merged by git merge-tree when libgit2'"'"'s merge may not be git'"'"'s (both
changed a path, a rename, a directory rename), else by libgit2; to
tell, each side'"'"'s changes since the pair'"'"'s merge base.  Tasks on one
base share those across their pairs: each task'"'"'s changes are diffed
once per check, not once per pair (GIT_PARALLEL_TEST_COUNT_SIDES=1
prints how many; before, twelve for six pairs).  The verdicts and paths are git merge-tree'"'"'s.'

. ./test-lib.sh

test_expect_success 'setup: four tasks, each deleting a file, adding one and changing a shared one' '
	new_repo repo &&
	for f in a b c d shared; do
		test_seq 1 20 | sed "s/^/$f line /" >repo/$f.txt || return 1
	done &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = one
		command = git rm -q a.txt && echo 1 >new1.txt && git add new1.txt && sed -i 3s/line/one/ shared.txt
	[task "T2"]
		title = two
		command = git rm -q b.txt && echo 2 >new2.txt && git add new2.txt && sed -i 3s/line/two/ shared.txt
	[task "T3"]
		title = three
		command = git rm -q c.txt && echo 3 >new3.txt && git add new3.txt && sed -i 10s/line/three/ shared.txt
	[task "T4"]
		title = four
		command = git rm -q d.txt && echo 4 >new4.txt && git add new4.txt && sed -i 17s/line/four/ shared.txt
	EOF
	git -C repo add -A && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >/dev/null 2>&1) &&
	for t in T1 T2 T3 T4; do
		git -C repo rev-parse --verify -q parallel/$t >/dev/null || return 1
	done
'

test_expect_success 'four tasks, six pairs: four sides diffed, not twelve' '
	(cd repo && GIT_PARALLEL_TEST_COUNT_SIDES=1 git parallel check --exact --json >../check.json 2>../check.err;
	 test $? = 1) &&
	grep "^check: 4 task sides diffed for git merge-tree.s need$" check.err
'

test_expect_success 'the verdicts and paths are git merge-tree'"'"'s' '
	for a in T1 T2 T3 T4; do
		for b in T1 T2 T3 T4; do
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
	grep "T1T2 conflict shared.txt" actual
'

test_done
