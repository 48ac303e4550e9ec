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

test_done
