#!/bin/sh

test_description='merge: what the target changed is remembered only for its exact tip

merge compares each task with the target tip through the changes of
both since their merge base; the tip'"'"'s side is kept across the merges
of a run for exactly one (merge base, tip) pair of trees.  A task with
another merge base (it started from a dependency), a candidate that
--verify rejects (the tip does not move), and a target moved by someone
else between two runs must each be compared with the tip as it is: the
trees and verdicts are those of a git merge --no-ff loop.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

test_expect_success 'setup' '
	mk_tasks repo \
		"A1||echo a1 >>a.txt && echo x >same.txt" \
		"A2||mkdir -p dir && echo y >dir/y.txt" \
		"A3||echo x >same.txt" \
		"A4||echo file >dir" \
		"A5||echo other >same.txt" &&
	test $(git -C repo for-each-ref refs/heads/parallel | wc -l) = 5
'

# A3 made the very change A1 made (merged before it); A4 puts a file
# where A2 made a directory, A5 another file where A1 added one (git:
# conflicts)
test_expect_success 'one run: identical changes merge, a file against a directory conflicts, as git' '
	oracle repo oracle A1 A2 A3 A4 A5 &&
	(cd repo && test_expect_code 1 git parallel merge >../out 2>&1) &&
	grep "^A1  *merged" out &&
	grep "^A2  *merged" out &&
	grep "^A3  *merged" out &&
	grep "^A4  *conflict" out &&
	grep "^A5  *conflict" out &&
	git -C repo rev-parse "main^{tree}" >actual &&
	git -C oracle rev-parse "main^{tree}" >expect &&
	test_cmp expect actual &&
	repo_is_tidy repo
'

# V1 is rejected by --verify: V2, which adds the very file V1 added, must
# still bring it (the tip did not take V1'"'"'s changes)
test_expect_success 'a candidate --verify rejects does not count as the tip' '
	mk_tasks ver \
		"V1||echo new >new.txt && echo bad >bad.txt" \
		"V2||echo new >new.txt && echo v2 >>a.txt" \
		"V3||echo v3 >>mod.txt" &&
	(cd ver && test_expect_code 1 git parallel merge --verify "! test -e bad.txt" >../out 2>&1) &&
	grep "^V1  *verify-failed" out &&
	grep "^V2  *merged" out &&
	grep "^V3  *merged" out &&
	test "$(git -C ver show main:new.txt)" = new &&
	test_must_fail git -C ver cat-file -e main:bad.txt &&
	oracle ver ver-oracle V2 V3 &&
	git -C ver rev-parse "main^{tree}" >actual &&
	git -C ver-oracle rev-parse "main^{tree}" >expect &&
	test_cmp expect actual
'

# plan order: D1, E1, D2.  D2 starts from D1'"'"'s result: its merge base
# with the tip is D1'"'"'s head, not the plan'"'"'s base that D1 and E1 have
test_expect_success 'tasks with other merge bases in the same run' '
	new_repo dep &&
	test_seq 1 20 >dep/a.txt &&
	test_seq 1 20 >dep/b.txt &&
	cat >dep/tasks.ini <<-\EOF &&
	[task "D1"]
		title = first
		command = sed -i s/^2$/two/ a.txt && echo d1 >d1.txt
	[task "D2"]
		title = on top of D1
		depends = D1
		command = sed -i s/^two$/TWO/ a.txt && sed -i s/^5$/five/ b.txt && rm d1.txt
	[task "E1"]
		title = from the base
		command = sed -i s/^18$/eighteen/ b.txt && echo e1 >e1.txt
	EOF
	git -C dep add . && git -C dep commit -q -m base &&
	(cd dep && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	oracle dep dep-oracle D1 E1 D2 &&
	(cd dep && git parallel merge >../out 2>&1) &&
	git -C dep rev-parse "main^{tree}" >actual &&
	git -C dep-oracle rev-parse "main^{tree}" >expect &&
	test_cmp expect actual &&
	grep "^D1  *merged" out && grep "^E1  *merged" out && grep "^D2  *merged" out &&
	test "$(git -C dep show main:a.txt | sed -n 2p)" = TWO
'

# between two runs someone commits to the target: the second run compares
# with that tip, not with what the first one left
test_expect_success 'the target moved between two runs' '
	mk_tasks moved \
		"M1||echo m1 >>a.txt" \
		"M2||echo m2 >m.txt" \
		"M3||echo same >s.txt" &&
	(cd moved && git parallel merge M1 >/dev/null 2>&1) &&
	echo other >moved/m.txt &&
	echo same >moved/s.txt &&
	git -C moved add m.txt s.txt &&
	git -C moved commit -q -m "someone else" &&
	oracle moved moved-oracle M2 M3 &&
	(cd moved && test_expect_code 1 git parallel merge >../out 2>&1) &&
	grep "^M2  *conflict" out &&
	grep "^M3  *merged" out &&
	git -C moved rev-parse "main^{tree}" >actual &&
	git -C moved-oracle rev-parse "main^{tree}" >expect &&
	test_cmp expect actual &&
	repo_is_tidy moved
'

# merge goes on with libgit2's merge of a file both sides changed while
# git merges the same pair in the background; a merge driver (which git
# runs and libgit2 does not) makes git'"'"'s answer differ: merge must notice
# and start again asking git first, ending with git'"'"'s trees
test_expect_success 'where git does not merge as libgit2 did, git'"'"'s answer stands' '
	mk_tasks drv \
		"K1||sed -i s/^2$/two/ shared.txt" \
		"K2||sed -i s/^18$/eighteen/ shared.txt" \
		"K3||sed -i s/^10$/ten/ shared.txt && echo k3 >k3.txt" &&
	echo "shared.txt merge=keepours" >drv/.gitattributes &&
	git -C drv add .gitattributes &&
	git -C drv commit -q -m attributes &&
	git -C drv config merge.keepours.driver true &&
	oracle drv drv-oracle K1 K2 K3 &&
	# the clone has no config: the oracle runs the same driver
	git -C drv-oracle config merge.keepours.driver true &&
	git -C drv-oracle reset -q --hard origin/main &&
	for id in K1 K2 K3
	do
		git -C drv-oracle merge -q --no-ff --no-edit "parallel/$id" >/dev/null 2>&1 ||
		git -C drv-oracle merge --abort || return 1
	done &&
	(cd drv && git parallel merge >../out 2>&1) &&
	grep "^3 merged" out &&
	git -C drv rev-parse "main^{tree}" >actual &&
	git -C drv-oracle rev-parse "main^{tree}" >expect &&
	test_cmp expect actual &&
	# the driver kept the target'"'"'s side: K1'"'"'s line only
	git -C drv show main:shared.txt >merged &&
	grep -x two merged && grep -x 18 merged && grep -x 10 merged &&
	repo_is_tidy drv
'

# with a commit-graph, once libgit2'"'"'s merge-base walk was slow (forced
# here), git merge-base finds the merge bases: the same merges, an
# unrelated branch refused
test_expect_success 'merge bases from git where there is a commit-graph' '
	mk_tasks cg \
		"G1||sed -i s/^2$/two/ shared.txt" \
		"G2||sed -i s/^18$/eighteen/ shared.txt" \
		"G3||echo g3 >g3.txt" &&
	oracle cg cg-oracle G1 G2 G3 &&
	git -C cg checkout -q --orphan lonely &&
	git -C cg rm -rq --cached . &&
	echo alone >cg/alone.txt &&
	git -C cg add alone.txt &&
	git -C cg commit -q -m lonely &&
	git -C cg update-ref refs/heads/parallel/G3 lonely &&
	git -C cg checkout -q -f main &&
	git -C cg commit-graph write --reachable &&
	test -f cg/.git/objects/info/commit-graph &&
	(cd cg && GIT_PARALLEL_TEST_MERGE_BASE_BY_GIT=1 &&
		export GIT_PARALLEL_TEST_MERGE_BASE_BY_GIT &&
		test_expect_code 1 git parallel merge >../out 2>&1) &&
	grep "^G1  *merged" out && grep "^G2  *merged" out &&
	grep "^G3  *failed.*no common history" out &&
	git -C cg-oracle reset -q --hard HEAD~1 &&
	git -C cg rev-parse "main^{tree}" >actual &&
	git -C cg-oracle rev-parse "main^{tree}" >expect &&
	test_cmp expect actual
'

test_done
