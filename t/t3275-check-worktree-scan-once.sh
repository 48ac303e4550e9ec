#!/bin/sh

test_description='check scans a dirty worktree once

A worktree with uncommitted work was read twice whole: a name-only scan
HEAD -> worktree (what is uncommitted), then the diff merge base ->
worktree, which opened every directory again.  The second diff now asks
only about the paths the branch or the worktree changed, so a directory
that holds none is opened once.  The footprint stays what git sees: the
oracle is git diff --cached -M of everything in the worktree staged into a
scratch index, and git status for what is uncommitted.'

. ./test-lib.sh

test_expect_success 'setup: a task that commits, and leaves work of every kind uncommitted' '
	git init -q -b main repo &&
	for d in a b c d q1 q2 q3 q4 q5; do
		mkdir -p repo/$d && for f in 1 2 3; do seq 1 40 | sed "s/^/$d $f /" >repo/$d/f$f.txt || return 1; done
	done &&
	echo k >repo/d/k &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T"]
		command = sed -i s/^a.1.5$/five/ a/f1.txt && git rm -q b/f1.txt && git mv c/f1.txt c/moved.txt && git commit -q -m committed
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	wt=repo.parallel/T &&
	sed -i s/^d.2.7$/seven/ $wt/d/f2.txt &&
	mkdir -p $wt/e/new && echo new >$wt/e/new/f.txt &&
	rm $wt/a/f2.txt &&
	mv $wt/a/f3.txt $wt/a/f3-moved.txt &&
	rm $wt/d/k && mkdir $wt/d/k && echo inner >$wt/d/k/inner.txt &&
	echo more >>$wt/c/moved.txt &&
	git -C $wt status --porcelain >st && test_line_count -gt 5 st
'

# the oracle: everything in the worktree staged into a scratch index, diffed from the base
test_expect_success 'the footprint is git'"'"'s diff from the base to the worktree' '
	wt=repo.parallel/T &&
	cp "$(git -C $wt rev-parse --path-format=absolute --git-dir)/index" scratch-index &&
	GIT_INDEX_FILE=$PWD/scratch-index git -C $wt add -A &&
	GIT_INDEX_FILE=$PWD/scratch-index git -C $wt diff --cached -M --name-status main >ns &&
	awk -F"	" "{ print (\$3 != \"\" ? \$3 : \$2) }" ns | sort >expect &&
	(cd repo && git parallel check --json >../c.json; test $? -le 1) &&
	json_get c.json "\"\\n\".join(sorted(f[\"path\"] for f in d[\"tasks\"][0][\"files\"]))" >actual &&
	test_cmp expect actual &&
	grep "^R[0-9]*	c/f1.txt	c/moved.txt$" ns &&
	json_get c.json "[f[\"old_path\"] for f in d[\"tasks\"][0][\"files\"] if f[\"path\"] == \"c/moved.txt\"][0]" >old &&
	echo c/f1.txt >expect && test_cmp expect old
'

test_expect_success 'what is uncommitted is what git status shows' '
	wt=repo.parallel/T &&
	git -C $wt status --porcelain -uall >st &&
	sed "s/^...//; s/.* -> //" st >changed &&
	json_get c.json "\"\\n\".join(sorted(f[\"path\"] for f in d[\"tasks\"][0][\"files\"] if f[\"path\"] in open(\"changed\").read().split() or f[\"old_path\"] in open(\"changed\").read().split()))" >expect &&
	test_line_count = 7 expect &&
	json_get c.json "\"\\n\".join(sorted(f[\"path\"] for f in d[\"tasks\"][0][\"files\"] if f[\"uncommitted\"]))" >actual &&
	test_cmp expect actual
'

test_expect_success 'strace works here' '
	strace -f -o probe.trace true 2>/dev/null && test_set_prereq STRACE
'

test_expect_success STRACE 'a directory holding no change is opened once' '
	(cd repo && strace -f -e trace=openat -o ../check.trace git parallel check >/dev/null; test $? -le 1) &&
	for d in q1 q2 q3 q4 q5
	do
		grep -c "\"[^\"]*/repo.parallel/T/$d\", .*O_DIRECTORY" check.trace >n &&
		echo 1 >expect && test_cmp expect n || return 1
	done
'

test_done
