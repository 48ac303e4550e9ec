#!/bin/sh

test_description='check: a task'"'"'s worktree scan and its trees are two jobs

With more than one CPU, check measures each task'"'"'s committed trees and
scans its worktree as two jobs of its thread pool (a long side'"'"'s trees
and the other side'"'"'s scan run side by side).  The trees are measured as
if the worktree were clean; a task whose scan finds uncommitted work, or
scanned another head than the trees (it committed meanwhile:
GIT_PARALLEL_TEST_SCAN=stale makes every scan look so), is measured again
the one way (a worktree its scan found dirty is diffed, not scanned
again).  Every way gives the same report as the slow way
(GIT_PARALLEL_TEST_SCAN=diff), which diffs every worktree.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/footprint.sh"

test "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)" -gt 1 && test_set_prereq CPUS

# report <name> [<env>...]: check --json (and its exit code) with GIT_PARALLEL_TEST_SCAN=trace
report () {
	rp_name=$1 && shift &&
	(cd repo && env GIT_PARALLEL_TEST_SCAN=trace GIT_PARALLEL_TEST_TREEDIFF=trace "$@" \
		git parallel check --json >../$rp_name.json 2>../$rp_name.trace; echo $? >>../$rp_name.json)
}

test_expect_success 'setup: a long side with renames, a short one' '
	new_repo repo &&
	mkdir -p repo/src repo/doc &&
	for i in $(test_seq 1 12); do test_seq 1 30 >repo/src/f$i.c || return 1; done &&
	test_seq 100 140 >repo/doc/old.txt &&
	{
		task_ini T1 "for f in src/f*.c; do sed -i s/^7\$/seven/ \$f; done && git mv doc/old.txt doc/new.txt && echo add >src/added.c" &&
		task_ini T2 "sed -i s/^20\$/twenty/ src/f3.c"
	} >repo/tasks.ini &&
	run_tasks repo T1 T2 &&
	report slow GIT_PARALLEL_TEST_SCAN=diff &&
	tail -n 1 slow.json >code && echo 0 >expect && test_cmp expect code
'

test_expect_success CPUS 'clean worktrees: trees and scans once each, the report as the slow way' '
	report clean &&
	test_cmp slow.json clean.json &&
	test $(grep -c "scan: .*/T1 clean by stat data" clean.trace) = 1 &&
	test $(grep -c "scan: .*/T2 clean by stat data" clean.trace) = 1 &&
	test $(grep -c "treediff: T1 top-down, renames by libgit2" clean.trace) = 1 &&
	test $(grep -c "treediff: T2 top-down" clean.trace) = 1
'

test_expect_success CPUS 'a head other than the scanned one: measured again, the same report' '
	report stale GIT_PARALLEL_TEST_SCAN=stale &&
	test_cmp slow.json stale.json &&
	test $(grep -c "treediff: T1" stale.trace) = 2 &&
	test $(grep -c "treediff: T2" stale.trace) = 2
'

test_expect_success 'uncommitted work in the long side: measured again from its worktree, scanned once' '
	echo more >>repo.parallel/T1/src/f1.c &&
	echo new >repo.parallel/T1/untracked.txt &&
	report dirty &&
	report dirty-slow GIT_PARALLEL_TEST_SCAN=diff &&
	test_cmp dirty-slow.json dirty.json &&
	sed "\$d" dirty.json >d.json &&
	json_get d.json "sorted(f[\"path\"] for t in d[\"tasks\"] if t[\"id\"] == \"T1\" for f in t[\"files\"] if f[\"uncommitted\"])" >actual &&
	echo "[\"src/f1.c\", \"untracked.txt\"]" >expect &&
	test_cmp expect actual &&
	test $(grep -c "scan: .*/T1 diffed" dirty.trace) = 1 &&
	git -C repo.parallel/T1 status --porcelain >st &&
	test_line_count = 2 st
'

test_expect_success 'check --exact names the same conflicts either way' '
	(cd repo.parallel/T2 && sed -i s/^7\$/SEVEN/ src/f3.c && git commit -q -am "T2 more") &&
	(cd repo && GIT_PARALLEL_TEST_SCAN=stale git parallel check --exact --json >../x-stale.json; echo $? >>../x-stale.json;
	 GIT_PARALLEL_TEST_SCAN=diff git parallel check --exact --json >../x-slow.json; echo $? >>../x-slow.json;
	 git parallel check --exact --json >../x.json; echo $? >>../x.json) &&
	test_cmp x-slow.json x.json &&
	test_cmp x-slow.json x-stale.json &&
	tail -n 1 x.json >code && echo 1 >expect && test_cmp expect code &&
	sed "\$d" x.json >xx.json &&
	json_get xx.json "sorted(set(p for x in d[\"pairs\"] for p in x[\"exact_paths\"]))" >actual &&
	echo "[\"src/f3.c\"]" >expect &&
	test_cmp expect actual
'

test_done
