#!/bin/sh

test_description='merge bases: the tip'"'"'s history is walked once

merge finds merge bases from the commit-graph, walking the ancestors of
the tip once and then only what each merge brings.  A task with several
merge bases makes merge ask for the merge bases of two of them too (git'"'"'s
virtual merge base): that walk is kept apart, and the tip'"'"'s is not walked
again after it (GIT_PARALLEL_TEST_MERGE_BASE_WALKS).  Oracle: git
merge-base --all for every pair merge asked about, and a git merge-tree +
commit-tree loop for the result.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# t4124's criss-cross: every task has the merge bases x and y with main,
# and where they differ (b.txt) merge asks for their own merge base
test_expect_success 'setup: a criss-cross history, three tasks, a commit-graph' '
	crisscross_repo repo &&
	criss_task repo parallel/S1 "s/^17\$/S1/" a.txt &&
	criss_task repo parallel/S2 "s/^x2\$/S2/" b.txt &&
	criss_task repo parallel/S4 "s/^5\$/S4/" c.txt &&
	(
		cd repo &&
		sed -i s/^3\$/main3/ a.txt && git commit -q -am main3 &&
		git commit-graph write --reachable --no-progress
	) &&
	done_tasks repo tasks.ini S1 S2 S4 &&
	loop_oracle repo tasks.ini
'

test_expect_success 'two walks: the tip'"'"'s, the bases'"'"'; the merge is git'"'"'s' '
	(cd repo && GIT_PARALLEL_TEST_MERGE_BASE_WALKS="$TRASH_DIRECTORY/walks" \
		GIT_PARALLEL_TEST_MERGE_BASE_LOG="$TRASH_DIRECTORY/mb.log" \
		GIT_PARALLEL_TEST_MERGE_LOG="$TRASH_DIRECTORY/m.log" \
		git parallel merge >../out 2>&1) &&
	sed -n "s/^\(S[0-9]\) *\([a-z]*\).*/\1 \2/p" out >actual &&
	test_cmp loop.out actual &&
	git -C repo rev-parse "main^{tree}" >actual &&
	test_cmp loop.tree actual &&
	# every task merged from the virtual base, after its merge bases were asked
	test $(grep -c "bases=2" m.log) = 3 &&
	echo 2 >expect &&
	test_cmp expect walks &&
	while read -r a b bases
	do
		git -C repo merge-base --all $a $b | sort | tr "\n" " " >expect &&
		echo $bases | tr " " "\n" | sort | tr "\n" " " >actual &&
		test_cmp expect actual || return 1
	done <mb.log &&
	test $(wc -l <mb.log) = 3
'

test_done
