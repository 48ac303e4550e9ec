#!/bin/sh

test_description='git parallel merge: the lanes gate holds tasks that left their declared paths'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"

test_expect_success 'setup: a task that declares src/a.c and deletes 200 other files' '
	new_repo big &&
	mkdir -p big/src big/lib &&
	echo a >big/src/a.c &&
	for i in $(test_seq 1 200); do echo "$i" >big/lib/f$i.c || return 1; done &&
	cat >big/tasks.ini <<-\EOF &&
	[task "DEL"]
		title = edit a.c
		paths = src/a.c
		command = echo changed >src/a.c && git rm -q -r lib
	[task "OK"]
		title = in its lane
		paths = src/b.c
		command = echo b >src/b.c
	[task "FREE"]
		title = no declared paths
		command = echo free >free.txt
	EOF
	git -C big add -A && git -C big commit -q -m base &&
	(cd big && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	git -C big diff --name-only main parallel/DEL >del.list &&
	test_line_count = 201 del.list &&
	git -C big rev-parse main >main.before
'

test_expect_success '--stop-on-conflict stops at a held task too' '
	(cd big && test_expect_code 1 git parallel merge --dry-run --stop-on-conflict >../out 2>../err) &&
	grep "^DEL  *held" out &&
	grep "^OK  *skipped  *not tried: stopped at the first conflict or held task" out &&
	grep "^FREE  *skipped" out &&
	test "$(git -C big rev-parse main)" = "$(cat main.before)"
'

test_expect_success 'merge holds it: outcome held, exit 1, the paths named, main keeps the files' '
	(cd big && test_expect_code 1 git parallel merge >../out 2>../err) &&
	grep "^DEL  *held  *changed 200 paths outside its declared paths" out &&
	grep "^ *lib/f1.c  undeclared$" out &&
	grep "and 180 more" out &&
	grep "^OK  *merged" out &&
	grep "^FREE  *merged" out &&
	grep "1 held" out &&
	git -C big ls-tree -r --name-only main >tree &&
	grep -c "^lib/" tree >actual && echo 200 >expect && test_cmp expect actual &&
	git -C big log --format=%s main >subjects &&
	! grep "DEL" subjects &&
	task_state big DEL >actual && echo held >expect && test_cmp expect actual &&
	test_must_be_empty err &&
	repo_is_tidy big
'

test_expect_success 'JSON: outcome "held" and every undeclared path' '
	(cd big && test_expect_code 1 git parallel merge --json DEL >../merge.json) &&
	json_get merge.json "[[r[\"id\"], r[\"outcome\"], len(r[\"undeclared\"])] for r in d[\"results\"]]" >actual &&
	echo "[[\"DEL\", \"held\", 200]]" >expect && test_cmp expect actual &&
	json_get merge.json "sorted(d[\"results\"][0][\"undeclared\"]) == sorted(\"lib/f%d.c\" % i for i in range(1, 201))" >actual &&
	echo True >expect && test_cmp expect actual &&
	json_get merge.json "d[\"updated\"]" >actual && echo False >expect && test_cmp expect actual
'

test_expect_success 'the held paths are check'"'"'s undeclared violations' '
	(cd big && test_expect_code 1 git parallel check DEL --json >../check.json) &&
	json_get check.json "sorted(v[\"path\"] for v in d[\"violations\"] if v[\"kind\"] == \"undeclared\")" >expect &&
	json_get merge.json "sorted(d[\"results\"][0][\"undeclared\"])" >actual &&
	test_cmp expect actual
'

test_expect_success '--dry-run shows the hold too and writes nothing' '
	git -C big rev-parse main >before &&
	(cd big && test_expect_code 1 git parallel merge --dry-run DEL >../out) &&
	grep "^DEL  *held" out &&
	git -C big rev-parse main >after && test_cmp before after
'

test_expect_success '--allow-undeclared merges it, as git merge does' '
	(cd big && git parallel merge --allow-undeclared DEL >../out) &&
	grep "^DEL  *merged" out &&
	git -C big ls-tree -r --name-only main >tree &&
	! grep "^lib/" tree &&
	test "$(git -C big rev-parse main^2)" = "$(git -C big rev-parse parallel/DEL)" &&
	task_state big DEL >actual && echo merged >expect && test_cmp expect actual &&
	repo_is_tidy big
'

test_expect_success 'a rename out of the lane names its new path; a declared directory covers what is below' '
	mk_tasks ren \
		"MV|a.txt|git mv a.txt moved.txt" \
		"DIR|d/|mkdir -p d/e && echo x >d/e/f.txt" &&
	(cd ren && test_expect_code 1 git parallel merge --json >../merge.json) &&
	json_get merge.json "[[r[\"id\"], r[\"outcome\"], sorted(r[\"undeclared\"])] for r in d[\"results\"]]" >actual &&
	echo "[[\"MV\", \"held\", [\"moved.txt\"]], [\"DIR\", \"merged\", []]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a task built on a held task is held too; merged alone, a dependency'"'"'s lanes count' '
	new_repo dep &&
	mkdir -p dep/lib &&
	for i in 1 2 3; do echo "$i" >dep/lib/f$i.c || return 1; done &&
	cat >dep/tasks.md <<-\EOF &&
	## Phase 1
	- [ ] T1 [P] Edit `a.txt`
	- [ ] T2 [P] Edit `b.txt`
	## Phase 2
	- [ ] T3 [P] Edit `c.txt`
	EOF
	cat >dep/agent.sh <<-\EOF &&
	case $GIT_PARALLEL_TASK_ID in
	T1) echo a >a.txt && git rm -q -r lib ;;
	T2) echo b >b.txt ;;
	T3) echo c >c.txt ;;
	esac
	EOF
	git -C dep add -A && git -C dep commit -q -m base &&
	(cd dep && git parallel plan tasks.md >/dev/null &&
	 git parallel run --command "sh \"$TRASH_DIRECTORY/dep/agent.sh\"" >/dev/null 2>&1) &&
	git -C dep merge-base --is-ancestor parallel/T1 parallel/T3 &&
	(cd dep && test_expect_code 1 git parallel merge --dry-run --json >../merge.json) &&
	json_get merge.json "[[r[\"id\"], r[\"outcome\"], r[\"undeclared\"]] for r in d[\"results\"]]" >actual &&
	echo "[[\"T1\", \"held\", [\"lib/f1.c\", \"lib/f2.c\", \"lib/f3.c\"]], [\"T2\", \"merged\", []], [\"T3\", \"held\", [\"lib/f1.c\", \"lib/f2.c\", \"lib/f3.c\"]]]" >expect &&
	test_cmp expect actual &&
	(cd dep && git parallel merge --dry-run --json T2 T3 >../merge.json; test $? = 1) &&
	json_get merge.json "[[r[\"id\"], r[\"outcome\"]] for r in d[\"results\"]]" >actual &&
	echo "[[\"T2\", \"merged\"], [\"T3\", \"held\"]]" >expect && test_cmp expect actual
'

test_expect_success 'a dependency'"'"'s declared work brought by a later task is not held' '
	new_repo dep2 &&
	cat >dep2/tasks.md <<-\EOF &&
	## Phase 1
	- [ ] T1 [P] Edit `T1.txt`
	## Phase 2
	- [ ] T2 [P] Edit `T2.txt`
	EOF
	git -C dep2 add -A && git -C dep2 commit -q -m base &&
	(cd dep2 && git parallel plan tasks.md >/dev/null &&
	 git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >/dev/null 2>&1) &&
	git -C dep2 show parallel/T2:T1.txt &&
	(cd dep2 && git parallel merge T2 >../out) &&
	grep "^T2  *merged" out &&
	git -C dep2 show main:T1.txt
'

test_expect_success 'a task branch that merged the target (to fix a conflict) is judged on its own work' '
	mk_tasks fix \
		"F1|x.txt|echo x >x.txt && sed -i s/^5\$/five/ shared.txt" \
		"F2|shared.txt|sed -i s/^5\$/FIVE/ shared.txt" &&
	(cd fix && git parallel merge --allow-undeclared F1 >../out) &&
	(cd fix && test_expect_code 1 git parallel merge F2 >../out) &&
	grep "^F2  *conflict" out &&
	git -C fix.parallel/F2 merge -q -X ours --no-edit main >/dev/null 2>&1 &&
	git -C fix diff --name-only main parallel/F2 >changed &&
	echo shared.txt >expect && test_cmp expect changed &&
	git -C fix diff --name-only main~1 parallel/F2 >changed &&
	grep x.txt changed &&
	(cd fix && git parallel merge F2 >../out) &&
	grep "^F2  *merged" out
'

test_done
