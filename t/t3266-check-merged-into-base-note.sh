#!/bin/sh

test_description='check: no "commits of main made after the pinned base" for work main merged

Once merge brought a task into main, main and the task'"'"'s branch share the
task'"'"'s own commits: check said the branch "contains 1 commit of main made
after the pinned base (rebased or merged onto a newer base)", and a
dependent task started from it said the same of its dependency'"'"'s commits.
Only commits main made itself (its first-parent line) count; a branch
that did merge main still says so, with the number of main'"'"'s commits.'

. ./test-lib.sh

test_expect_success 'setup: A, B on A, C; A and C merged into main' '
	git init -q -b main repo &&
	seq 1 10 >repo/f.txt &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "A"]
		paths = a.txt
		command = echo a >a.txt
	[task "B"]
		paths = b.txt
		depends = A
		command = echo b >b.txt
	[task "C"]
		paths = c.txt
		command = echo c >c.txt
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	(cd repo && git parallel merge A C >/dev/null) &&
	git -C repo merge-base --is-ancestor parallel/A main &&
	git -C repo merge-base --is-ancestor parallel/C main
'

test_expect_success 'merged tasks and the task on a merged dependency: no such note' '
	(cd repo && git parallel check >../out; test $? -le 1) &&
	! grep "made after the pinned base" out &&
	grep "^  B  *1 file, 1 from its dependencies$" out
'

test_expect_success 'a branch that merged main says so, counting main'"'"'s own commits' '
	echo user >repo/u.txt && git -C repo add u.txt && git -C repo commit -q -m "user commit" &&
	git -C repo.parallel/B merge -q --no-edit main &&
	# main made three commits of its own since the pin: two merges and the user'"'"'s
	base=$(sed -n "s/^	base-oid = //p" "$(state_dir repo)/plan") &&
	git -C repo rev-list --first-parent --count "$base..main" >n &&
	echo 3 >expect && test_cmp expect n &&
	(cd repo && git parallel check B >../out; test $? -le 1) &&
	grep "note: its branch parallel/B contains 3 commits of main made after the pinned base" out
'

test_done
