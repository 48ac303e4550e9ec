#!/bin/sh

test_description='status and report read the commit and file counts cached in the task state

run (when a task finishes) and merge cache each task'"'"'s counts in its
state, keyed by the branch head and start they were taken at, so that
status and report need no tree diff; a branch that moved since (an agent
committed more) is counted again: the cache never lies.'

. ./test-lib.sh

# truth <id>: "commits files added removed" of task <id> by the git CLI,
# from its recorded start to its branch
truth () {
	start=$(sed -n "s/^	start = //p" "$(state_dir repo)/tasks/$1") &&
	commits=$(git -C repo rev-list --count "$start..parallel/$1") &&
	git -C repo diff --numstat "$start" "parallel/$1" >numstat &&
	awk -v c="$commits" '{ f++; a += $1; r += $2 } END { print c, f + 0, a + 0, r + 0 }' numstat
}

# counts <id>: the same four numbers as status --json and report --format=json give them
counts () {
	(cd repo && git parallel status --json >../s.json && git parallel report --format=json >../r.json) &&
	c=$(json_get s.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0][\"commits\"]") &&
	f=$(json_get s.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0][\"files\"]") &&
	json_get r.json "[\"%d %d %d %d\" % (t[\"commits\"], t[\"files\"], t[\"added\"], t[\"removed\"]) for t in d[\"tasks\"] if t[\"id\"] == \"$1\"][0]" >rc &&
	echo "$c $f" >sc &&
	cut -d" " -f1,2 rc >rc2 &&
	test_cmp rc2 sc &&
	cat rc
}

# work_field <id>: the cached "work" value of the task's state
work_field () {
	sed -n "s/^	work = //p" "$(state_dir repo)/tasks/$1"
}

test_expect_success 'setup: two tasks, one making two commits, run' '
	new_repo repo &&
	for f in a b c d; do printf "%s\n" 1 2 3 4 5 6 7 8 9 >repo/$f.txt || return 1; done &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		title = two commits on a and b
		command = sed -i s/3/three/ a.txt && git commit -qam one && sed -i "s/5/five/;s/6/six/" b.txt && rm d.txt && git commit -qam two
	[task "T2"]
		title = c and a new file
		command = echo x >>c.txt && printf "n\\nm\\n" >new.txt
	EOF
	git -C repo add . && git -C repo commit -q -m files &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >/dev/null 2>&1)
'

test_expect_success 'run caches each finished task'"'"'s counts, keyed by its branch head' '
	for id in T1 T2
	do
		head=$(git -C repo rev-parse parallel/$id) &&
		work_field $id >w &&
		grep "^$head [0-9a-f]\{40\} " w || return 1
	done &&
	work_field T1 | cut -d" " -f3-6 >actual &&
	echo "2 3 3 12" >expect &&
	test_cmp expect actual
'

test_expect_success 'status and report give git'"'"'s counts' '
	for id in T1 T2
	do
		truth $id >expect && counts $id >actual && test_cmp expect actual || return 1
	done
'

test_expect_success 'status and report print the same with and without the cache' '
	(cd repo && git parallel status >../with.txt && git parallel status --json >../with.json &&
	 git parallel report --format=markdown >../with.md) &&
	cp -R "$(state_dir repo)/tasks" saved &&
	sed -i "/^	work = /d" "$(state_dir repo)"/tasks/* &&
	! grep -r "work = " "$(state_dir repo)/tasks" &&
	(cd repo && git parallel status >../without.txt && git parallel status --json >../without.json &&
	 git parallel report --format=markdown >../without.md) &&
	test_cmp with.txt without.txt &&
	test_cmp with.json without.json &&
	test_cmp with.md without.md &&
	grep "^T1 .* 2 commits, 3 files$" with.txt &&
	rm -rf "$(state_dir repo)/tasks" && mv saved "$(state_dir repo)/tasks"
'

test_expect_success 'a cache that matches the branch head is what status reads (no diff)' '
	cp "$(state_dir repo)/tasks/T2" T2.saved &&
	sed -i "s/^\(	work = [0-9a-f]* [0-9a-f]*\) [0-9]* [0-9]* [0-9]* [0-9]*/\1 7 77 777 7777/" "$(state_dir repo)/tasks/T2" &&
	counts T2 >actual &&
	echo "7 77 777 7777" >expect &&
	test_cmp expect actual &&
	cp T2.saved "$(state_dir repo)/tasks/T2"
'

test_expect_success 'an agent commits more in the worktree: the stale cache is not used' '
	cached=$(work_field T1) &&
	echo more >repo.parallel/T1/more.txt &&
	git -C repo.parallel/T1 add more.txt &&
	git -C repo.parallel/T1 commit -q -m "three" &&
	test "$(work_field T1)" = "$cached" &&
	truth T1 >expect &&
	echo "3 4 4 12" >expect.literal &&
	test_cmp expect.literal expect &&
	counts T1 >actual &&
	test_cmp expect actual
'

test_expect_success 'a cache taken from another start is not used either' '
	cp "$(state_dir repo)/tasks/T2" T2.saved &&
	head=$(git -C repo rev-parse parallel/T2) &&
	sed -i "s/^	work = .*/	work = $head $head 7 77 777 7777 v2/" "$(state_dir repo)/tasks/T2" &&
	truth T2 >expect &&
	counts T2 >actual &&
	test_cmp expect actual &&
	cp T2.saved "$(state_dir repo)/tasks/T2"
'

test_expect_success 'merge caches the counts at the head it merged' '
	(cd repo && git parallel merge >/dev/null) &&
	for id in T1 T2
	do
		head=$(git -C repo rev-parse parallel/$id) &&
		work_field $id >w &&
		grep "^$head " w &&
		truth $id >expect && counts $id >actual && test_cmp expect actual || return 1
	done &&
	(cd repo && git parallel status >../merged.txt) &&
	grep "^T1  *merged .* 3 commits, 4 files$" merged.txt
'

test_expect_success 'clean removed the branch: the counts at the recorded head still show' '
	(cd repo && git parallel status --json >../before.json) &&
	(cd repo && git parallel clean --merged >/dev/null 2>&1) &&
	test_must_fail git -C repo rev-parse --verify -q parallel/T1 &&
	(cd repo && git parallel status --json >../after.json) &&
	json_get before.json "[(t[\"id\"], t[\"commits\"], t[\"files\"]) for t in d[\"tasks\"]]" >expect &&
	json_get after.json "[(t[\"id\"], t[\"commits\"], t[\"files\"]) for t in d[\"tasks\"]]" >actual &&
	test_cmp expect actual
'

test_done
