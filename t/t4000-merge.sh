#!/bin/sh

test_description='git parallel merge: in-memory merges, git as the judge'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"

test_expect_success 'setup: four clean tasks' '
	mk_tasks clean \
		"C1|a.txt|sed -i s/^2\$/two/ a.txt" \
		"C2|b.txt|echo b >b.txt" \
		"C3|shared.txt|sed -i s/^5\$/five/ shared.txt" \
		"C4||mkdir -p c && echo c >c/file.txt && sed -i s/^15\$/fifteen/ shared.txt" &&
	oracle clean clean-oracle C1 C2 C3 C4
'

test_expect_success 'a clean merge gives the same tree as git merge --no-ff' '
	(cd clean && git parallel merge >../out) &&
	grep "^C1  *merged" out && grep "4 merged" out &&
	git -C clean rev-parse main^{tree} >actual &&
	git -C clean-oracle rev-parse main^{tree} >expect &&
	test_cmp expect actual &&
	repo_is_tidy clean
'

test_expect_success 'merge commits name the task, have two parents, and one reflog entry' '
	git -C clean log --first-parent --format=%s main >subjects &&
	grep "^Merge task C1: task C1$" subjects &&
	grep "^Merge task C4: task C4$" subjects &&
	test "$(git -C clean rev-parse main^2)" = "$(git -C clean rev-parse parallel/C4)" &&
	git -C clean reflog -1 --format=%gs main >actual &&
	echo "git parallel merge: C1 C2 C3 C4" >expect &&
	test_cmp expect actual
'

test_expect_success 'every task is merged in status; a second merge changes nothing' '
	for id in C1 C2 C3 C4
	do
		task_state clean $id >actual && echo merged >expect &&
		test_cmp expect actual || return 1
	done &&
	old=$(git -C clean rev-parse main) &&
	(cd clean && git parallel merge >../out) &&
	grep "already merged" out &&
	test "$(git -C clean rev-parse main)" = "$old"
'

test_expect_success 'setup: tasks that conflict' '
	mk_tasks conf \
		"K1||sed -i s/^2\$/two/ a.txt && sed -i s/^10\$/ten/ shared.txt" \
		"K2||echo b >b.txt; echo x >>mod.txt" \
		"K3|shared.txt|sed -i s/^5\$/five/ shared.txt" \
		"K4||sed -i s/^5\$/FIVE/ shared.txt; echo other >b.txt; git rm -q mod.txt" \
		"K5|y.txt|echo y >y.txt" &&
	oracle conf conf-oracle K1 K2 K3 K4 K5
'

test_expect_success 'a conflict is skipped, the rest merge (partial success)' '
	(cd conf && test_expect_code 1 git parallel merge >../out) &&
	grep "^K4  *conflict" out &&
	grep "4 merged, 1 conflict" out &&
	git -C conf rev-parse main^{tree} >actual &&
	git -C conf-oracle rev-parse main^{tree} >expect &&
	test_cmp expect actual &&
	repo_is_tidy conf
'

test_expect_success 'the conflicting paths are those of git merge-tree' '
	test_expect_code 1 git -C conf merge-tree --write-tree --name-only --no-messages main parallel/K4 >mt &&
	sed 1d mt | sort >expect &&
	(cd conf && test_expect_code 1 git parallel merge --dry-run --json K4 >../m.json) &&
	json_get m.json "\"\\n\".join(sorted(c[\"path\"] for c in d[\"results\"][0][\"conflicts\"]))" >actual &&
	test_cmp expect actual
'

test_expect_success 'the report gives types, ranges and the tasks on the other side' '
	json_get m.json "[(c[\"path\"], c[\"type\"], c[\"ours\"], c[\"theirs\"], c[\"with\"]) for c in d[\"results\"][0][\"conflicts\"]]" >actual &&
	cat >expect <<-\EOF &&
	[["b.txt", "add/add", [{"start": 1, "lines": 1}], [{"start": 1, "lines": 1}], ["K2"]], ["mod.txt", "modify/delete", [{"start": 2, "lines": 1}], [], ["K2"]], ["shared.txt", "content", [{"start": 5, "lines": 1}], [{"start": 5, "lines": 1}], ["K3"]]]
	EOF
	test_cmp expect actual &&
	task_state conf K4 >actual && echo conflict >expect && test_cmp expect actual &&
	(cd conf && git parallel status) >st && grep "conflict in b.txt (add/add, with K2)" st
'

test_expect_success 'merge <id> retries a conflicting task after its branch is fixed' '
	wt="$TRASH_DIRECTORY/conf.parallel/K4" &&
	git -C "$wt" merge -q -X theirs --no-edit main >/dev/null 2>&1 ||
	{ git -C "$wt" checkout -q --theirs . 2>/dev/null; git -C "$wt" rm -q --ignore-unmatch mod.txt; git -C "$wt" add -A && git -C "$wt" commit -q --no-edit; } &&
	(cd conf && git parallel merge K4 >../out) &&
	grep "^K4  *merged" out &&
	task_state conf K4 >actual && echo merged >expect && test_cmp expect actual &&
	git -C conf merge-base --is-ancestor parallel/K4 main &&
	repo_is_tidy conf
'

test_expect_success 'rename conflicts are named as such' '
	mk_tasks ren \
		"R1||git mv a.txt a1.txt" \
		"R2||git mv a.txt a2.txt" &&
	(cd ren && test_expect_code 1 git parallel merge --json >../r.json) &&
	json_get r.json "sorted(set(c[\"type\"] for r in d[\"results\"] for c in r[\"conflicts\"]))" >actual &&
	echo "[\"rename\"]" >expect &&
	test_cmp expect actual &&
	repo_is_tidy ren
'

test_expect_success '--stop-on-conflict stops at the first conflict' '
	mk_tasks stop \
		"S1||sed -i s/^5\$/x/ shared.txt" \
		"S2||sed -i s/^5\$/y/ shared.txt" \
		"S3|c.txt|echo c >c.txt" &&
	(cd stop && test_expect_code 1 git parallel merge --stop-on-conflict >../out) &&
	grep "^S1  *merged" out && grep "^S2  *conflict" out && grep "^S3  *skipped" out &&
	test_must_fail git -C stop merge-base --is-ancestor parallel/S3 main &&
	task_state stop S3 >actual && echo done >expect && test_cmp expect actual &&
	repo_is_tidy stop
'

test_expect_success '--dry-run computes everything and writes nothing' '
	mk_tasks dry "D1|a.txt|echo d >>a.txt" "D2|b.txt|echo b >b.txt" &&
	old=$(git -C dry rev-parse main) &&
	(cd dry && git parallel merge --dry-run >../out) &&
	grep "would merge" out && grep "2 merged" out &&
	test "$(git -C dry rev-parse main)" = "$old" &&
	task_state dry D1 >actual && echo done >expect && test_cmp expect actual &&
	repo_is_tidy dry
'

test_expect_success '--squash makes one ordinary commit per task with its messages' '
	mk_tasks sq "Q1|a.txt|echo q >>a.txt && git commit -q -am \"first step\" && echo r >>a.txt" \
		"Q2|b.txt|echo b >b.txt" &&
	oracle sq sq-oracle Q1 Q2 &&
	(cd sq && git parallel merge --squash >../out) &&
	git -C sq rev-parse main^{tree} >actual &&
	git -C sq-oracle rev-parse main^{tree} >expect &&
	test_cmp expect actual &&
	test_must_fail git -C sq rev-parse -q --verify main^2 &&
	git -C sq log -1 --format=%B main~1 >msg &&
	grep "^Q1: task Q1$" msg && grep "^first step$" msg && grep "^Q1: task Q1$" msg &&
	repo_is_tidy sq
'

test_expect_success '--into merges into another branch; the checked-out one is untouched' '
	mk_tasks into "I1|a.txt|echo i >>a.txt" "I2|b.txt|echo b >b.txt" &&
	git -C into branch integration main &&
	old=$(git -C into rev-parse main) &&
	(cd into && git parallel merge --into integration >../out) &&
	grep "merging into .integration." out &&
	test "$(git -C into rev-parse main)" = "$old" &&
	git -C into merge-base --is-ancestor parallel/I1 integration &&
	git -C into merge-base --is-ancestor parallel/I2 integration &&
	repo_is_tidy into &&
	(cd into && test_expect_code 128 git parallel merge --into nosuch 2>../err) &&
	grep "no branch .nosuch." err
'

test_expect_success 'a target checked out in a linked worktree is brought up to date' '
	mk_tasks linked "L1|a.txt|echo l >>a.txt" &&
	git -C linked checkout -q -b other &&
	git -C linked worktree add -q ../linked-main main &&
	(cd linked && git parallel merge >../out) &&
	git -C linked-main status --porcelain >st && test_must_be_empty st &&
	test_cmp linked.parallel/L1/a.txt linked-main/a.txt &&
	git -C linked fsck
'

test_expect_success '--verify keeps only the merges whose check passes' '
	mk_tasks ver "V1|a.txt|echo ok >>a.txt" "V2|bad.txt|echo bad >bad.txt" "V3|c.txt|echo c >c.txt" &&
	(cd ver && test_expect_code 1 git parallel merge --verify "! test -e bad.txt" >../out 2>../err) &&
	grep "^V1  *merged" out && grep "^V2  *verify-failed" out && grep "^V3  *merged" out &&
	test_must_fail git -C ver merge-base --is-ancestor parallel/V2 main &&
	git -C ver merge-base --is-ancestor parallel/V3 main &&
	! test -e ver.parallel/gp-verify-V1-* &&
	repo_is_tidy ver
'

test_expect_success 'tasks that are not finished are skipped' '
	mk_tasks unf "U1|a.txt|echo u >>a.txt" "U2|b.txt|exit 3" &&
	(cd unf && git parallel merge >../out) &&
	grep "^U2  *skipped  *not finished (failed)" out &&
	(cd unf && test_expect_code 1 git parallel merge U2 >../out)
'

test_expect_success 'usage errors exit 129' '
	(cd clean && test_expect_code 129 git parallel merge --bogus 2>../err) &&
	(cd clean && test_expect_code 129 git parallel merge --verify 2>../err) &&
	(cd clean && test_expect_code 129 git parallel merge -h >../out) &&
	grep "usage: git parallel merge" out
'

test_done
