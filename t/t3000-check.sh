#!/bin/sh

test_description='git parallel check: footprints, overlaps, ownership, report and JSON'

. ./test-lib.sh

LINES='for i in $(test_seq 1 20); do echo "line $i"; done'

# task_ini <id> <paths> <command> [<owner>]
task_ini () {
	printf "[task \"%s\"]\n\ttitle = task %s\n" "$1" "$1" &&
	if test -n "$2"; then printf "\tpaths = %s\n" "$2"; fi &&
	printf "\tcommand = %s\n" "$3" &&
	if test -n "$4"; then printf "\towner = %s\n" "$4"; fi
}

test_expect_success 'setup: three tasks on one file, one apart, owners' '
	new_repo repo &&
	mkdir -p repo/src/api repo/web &&
	eval "$LINES" >repo/src/api/a.c &&
	eval "$LINES" >repo/web/x.css &&
	echo notes >repo/notes.txt &&
	cat >repo/.gitparallel <<-\EOF &&
	[owner "back"]
		paths = src/api/
	[owner "front"]
		paths = web/
	EOF
	{
		task_ini T001 src/api/a.c "sed -i s/^line.5\$/five/ src/api/a.c" back &&
		task_ini T002 "web/x.css web/y.css" "sed -i s/^line.6\$/six/ web/x.css" front &&
		task_ini T003 "" "sed -i s/^line.6\$/six/ src/api/a.c && echo more >>notes.txt" &&
		task_ini T004 src/api/b.c "sed -i s/^line.8\$/eight/ src/api/a.c && sed -i s/^line.1\$/one/ web/x.css && echo top >top.txt" back
	} >repo/tasks.ini &&
	git -C repo add -A && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 4 >/dev/null 2>&1) &&
	for t in T001 T002 T003 T004
	do
		git -C repo rev-parse --verify -q parallel/$t >/dev/null || return 1
	done
'

test_expect_success 'the report: matrix, overlaps with both sides'"'"' ranges, violations' '
	(cd repo && test_expect_code 1 git parallel check >../out 2>../err) &&
	test_must_be_empty err &&
	grep "^pairs" out &&
	grep "^  T001 *- *\\. *C *s\$" out &&
	grep "^  T003 *C *\\. *- *s\$" out &&
	grep "conflict  *src/api/a.c (content)  T001 5 / T003 6" out &&
	grep "same-file src/api/a.c (content)  T001 5 / T004 8" out &&
	grep "same-file src/api/a.c (content)  T003 6 / T004 8" out &&
	grep "same-file web/x.css (content)  T002 6 / T004 1" out &&
	grep "T004 *other-owner *web/x.css (owned by front, task owner back)" out &&
	grep "T002  *web/y.css" out
'

test_expect_success 'JSON: the documented keys, classes and ranges' '
	(cd repo && test_expect_code 1 git parallel check --json >../check.json) &&
	json_get check.json "d[\"version\"]" >actual && echo 1 >expect && test_cmp expect actual &&
	json_get check.json "sorted(d.keys())" >actual &&
	echo "[\"base\", \"conflicts\", \"exact\", \"overlaps\", \"pairs\", \"tasks\", \"uncommitted\", \"version\", \"violations\"]" >expect &&
	test_cmp expect actual &&
	json_get check.json "[(t[\"id\"], [f[\"path\"] for f in t[\"files\"]]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T001\", [\"src/api/a.c\"]], [\"T002\", [\"web/x.css\"]], [\"T003\", [\"notes.txt\", \"src/api/a.c\"]], [\"T004\", [\"src/api/a.c\", \"top.txt\", \"web/x.css\"]]]" >expect &&
	test_cmp expect actual &&
	json_get check.json "[[o[\"tasks\"], o[\"path\"], o[\"class\"], o[\"ranges\"]] for o in d[\"overlaps\"]][0]" >actual &&
	echo "[[\"T001\", \"T003\"], \"src/api/a.c\", \"conflict\", [[{\"start\": 5, \"lines\": 1}], [{\"start\": 6, \"lines\": 1}]]]" >expect &&
	test_cmp expect actual &&
	json_get check.json "sorted([v[\"task\"], v[\"path\"], v[\"kind\"]] for v in d[\"violations\"])" >actual &&
	echo "[[\"T004\", \"src/api/a.c\", \"undeclared\"], [\"T004\", \"top.txt\", \"outside-owner\"], [\"T004\", \"top.txt\", \"undeclared\"], [\"T004\", \"web/x.css\", \"other-owner\"], [\"T004\", \"web/x.css\", \"undeclared\"]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'footprint vs plan: declared but untouched' '
	json_get check.json "[[t[\"id\"], t[\"untouched\"]] for t in d[\"tasks\"] if t[\"untouched\"]]" >actual &&
	echo "[[\"T002\", [\"web/y.css\"]], [\"T004\", [\"src/api/b.c\"]]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'check agrees with git merge-tree on every pair' '
	for pair in "T001 T003" "T001 T004" "T003 T004" "T002 T004" "T001 T002"
	do
		set -- $pair &&
		(cd repo && git parallel check $1 $2 --json >../pair.json; test $? -le 1) &&
		c=$(json_get pair.json "d[\"conflicts\"] > 0") &&
		{ git -C repo merge-tree --write-tree parallel/$1 parallel/$2 >/dev/null; code=$?; } &&
		if test $code = 1; then test "$c" = True; else test "$c" = False; fi || return 1
	done
'

test_expect_success 'selected IDs: only those tasks; no overlap and no violation exits 0' '
	(cd repo && git parallel check T001 T002 >../out) &&
	! grep T003 out &&
	grep "0 overlaps" out
'

test_expect_success 'uncommitted and untracked work in a worktree counts' '
	echo "line 0" >repo.parallel/T002/web/x.css.new &&
	sed -i s/^line.5\$/FIVE/ repo.parallel/T002/web/x.css &&
	mkdir -p repo.parallel/T002/web/deep && echo x >repo.parallel/T002/web/deep/new.css &&
	(cd repo && test_expect_code 1 git parallel check T001 T002 --json >../check.json) &&
	json_get check.json "[[f[\"path\"], f[\"change\"], f[\"uncommitted\"], f[\"ranges\"]] for f in d[\"tasks\"][1][\"files\"]]" >actual &&
	cat >expect <<-\EOF &&
	[["web/deep/new.css", "added", true, [{"start": 0, "lines": 0}]], ["web/x.css", "modified", true, [{"start": 5, "lines": 2}]], ["web/x.css.new", "added", true, [{"start": 0, "lines": 0}]]]
	EOF
	test_cmp expect actual &&
	json_get check.json "[v[\"path\"] for v in d[\"violations\"]]" >actual &&
	echo "[\"web/deep/new.css\", \"web/x.css.new\"]" >expect && test_cmp expect actual
'

test_expect_success '--no-uncommitted leaves the worktree changes out' '
	(cd repo && git parallel check T001 T002 --no-uncommitted --json >../check.json) &&
	json_get check.json "[[f[\"path\"], f[\"ranges\"]] for f in d[\"tasks\"][1][\"files\"]]" >actual &&
	echo "[[\"web/x.css\", [{\"start\": 6, \"lines\": 1}]]]" >expect &&
	test_cmp expect actual &&
	json_get check.json "d[\"uncommitted\"]" >actual && echo False >expect && test_cmp expect actual &&
	git -C repo.parallel/T002 checkout -q -- web/x.css &&
	rm -r repo.parallel/T002/web/x.css.new repo.parallel/T002/web/deep
'

test_expect_success 'a task built on another (a dependency) is not compared with it' '
	new_repo dep &&
	eval "$LINES" >dep/a.txt &&
	cat >dep/tasks.md <<-\EOF &&
	## Phase 1
	- [ ] T001 [P] Edit a.txt
	## Phase 2
	- [ ] T002 [P] Edit a.txt again
	EOF
	git -C dep add -A && git -C dep commit -q -m base &&
	(cd dep && git parallel plan tasks.md >/dev/null &&
	 git parallel run --command "echo \$GIT_PARALLEL_TASK_ID >>a.txt" >/dev/null 2>&1) &&
	(cd dep && git parallel check --json >../check.json) &&
	json_get check.json "[[p[\"tasks\"], p[\"related\"]] for p in d[\"pairs\"]]" >actual &&
	echo "[[[\"T001\", \"T002\"], true]]" >expect && test_cmp expect actual &&
	json_get check.json "[f[\"inherited\"] for f in d[\"tasks\"][1][\"files\"]]" >actual &&
	echo "[false]" >expect && test_cmp expect actual &&
	json_get check.json "d[\"overlaps\"]" >actual && echo "[]" >expect && test_cmp expect actual
'

test_expect_success 'commit = never: uncommitted edits of one line on one commit conflict' '
	new_repo never &&
	eval "$LINES" >never/a.txt &&
	printf "[parallel]\n\tcommit = never\n" >never/.gitparallel &&
	{
		task_ini N1 a.txt "sed -i s/^line.1\$/one/ a.txt" &&
		task_ini N2 a.txt "sed -i s/^line.1\$/ONE/ a.txt"
	} >never/tasks.ini &&
	git -C never add -A && git -C never commit -q -m base &&
	(cd never && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	test "$(git -C never rev-parse parallel/N1)" = "$(git -C never rev-parse main)" &&
	test "$(git -C never rev-parse parallel/N2)" = "$(git -C never rev-parse main)" &&
	(cd never && test_expect_code 1 git parallel check --json >../check.json) &&
	json_get check.json "[[o[\"tasks\"], o[\"path\"], o[\"class\"]] for o in d[\"overlaps\"]]" >actual &&
	echo "[[[\"N1\", \"N2\"], \"a.txt\", \"conflict\"]]" >expect && test_cmp expect actual &&
	json_get check.json "[p[\"related\"] for p in d[\"pairs\"]]" >actual &&
	echo "[false]" >expect && test_cmp expect actual &&
	(cd never && test_expect_code 1 git parallel check --exact >../out) &&
	grep "conflict  *a.txt (content)  N1 1 / N2 1" out
'

test_expect_success 'commit = never: edits of distant lines are same-file, exit 0' '
	git -C never.parallel/N2 checkout -q -- a.txt &&
	sed -i s/^line.9\$/nine/ never.parallel/N2/a.txt &&
	(cd never && git parallel check --json >../check.json) &&
	json_get check.json "[[o[\"class\"], o[\"ranges\"]] for o in d[\"overlaps\"]]" >actual &&
	echo "[[\"same-file\", [[{\"start\": 1, \"lines\": 1}], [{\"start\": 9, \"lines\": 1}]]]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a dependency with uncommitted work: only those files are compared' '
	echo dirty >>dep.parallel/T001/a.txt &&
	echo extra >dep.parallel/T001/b.txt &&
	(cd dep && test_expect_code 1 git parallel check --json >../check.json) &&
	json_get check.json "[[o[\"tasks\"], o[\"path\"], o[\"class\"]] for o in d[\"overlaps\"]]" >actual &&
	echo "[[[\"T001\", \"T002\"], \"a.txt\", \"conflict\"]]" >expect && test_cmp expect actual &&
	git -C dep.parallel/T001 checkout -q -- a.txt &&
	(cd dep && test_expect_code 1 git parallel check --json >../check.json) &&
	json_get check.json "d[\"overlaps\"]" >actual && echo "[]" >expect && test_cmp expect actual &&
	rm dep.parallel/T001/b.txt
'

test_expect_success 'a task without paths that only inherited files is not listed as changing them' '
	new_repo inh &&
	eval "$LINES" >inh/a.txt &&
	cat >inh/tasks.md <<-\EOF &&
	## Phase 1
	- [ ] T001 [P] Edit a.txt
	- [ ] T002 [P] Write the notes
	## Phase 2
	- [ ] T003 [P] Review the work
	EOF
	git -C inh add -A && git -C inh commit -q -m base &&
	(cd inh && git parallel plan tasks.md >/dev/null &&
	 git parallel run --command "case \$GIT_PARALLEL_TASK_ID in T001) echo x >>a.txt;; T002) echo n >notes.txt;; esac" >/dev/null 2>&1 &&
	 git parallel check >../out) &&
	grep "^  T003  0 files, 2 from its dependencies$" out &&
	sed -n "/^no declared paths/,/^\$/p" out >actual &&
	cat >expect <<-\EOF &&
	no declared paths (not judged):
	  T002  1 file changed

	EOF
	test_cmp expect actual
'

test_expect_success 'setup: tasks for the bad-input cases' '
	new_repo bad &&
	eval "$LINES" >bad/a.txt &&
	{
		task_ini A "" "sed -i s/^line.2\$/two/ a.txt" &&
		task_ini B "" "sed -i s/^line.4\$/four/ a.txt" &&
		task_ini C "" "sed -i s/^line.6\$/six/ a.txt" &&
		task_ini D "" "sed -i s/^line.8\$/eight/ a.txt" &&
		task_ini E "" "sed -i s/^line.10\$/ten/ a.txt"
	} >bad/tasks.ini &&
	git -C bad add -A && git -C bad commit -q -m base &&
	(cd bad && git parallel plan tasks.ini >/dev/null && git parallel run A B C D >/dev/null 2>&1)
'

test_expect_success 'a task that never ran is reported, not measured' '
	(cd bad && git parallel check --json >../check.json 2>../err) &&
	test_must_be_empty err &&
	json_get check.json "[[t[\"measured\"], t[\"notes\"]] for t in d[\"tasks\"] if t[\"id\"] == \"E\"]" >actual &&
	echo "[[false, [\"never ran: no branch parallel/E yet\"]]]" >expect &&
	test_cmp expect actual &&
	(cd bad && git parallel check >../out) &&
	grep "E *not measured" out && grep "note: never ran" out
'

test_expect_success 'a worktree removed by hand: the branch is measured, with a note' '
	rm -rf bad.parallel/A &&
	(cd bad && git parallel check --json >../check.json 2>../err) &&
	test_must_be_empty err &&
	json_get check.json "[[t[\"measured\"], len(t[\"files\"]), t[\"notes\"][0]] for t in d[\"tasks\"] if t[\"id\"] == \"A\"][0]" >actual &&
	grep "true, 1, .its worktree .*bad.parallel/A is gone (removed by hand?): only committed work is measured" actual
'

test_expect_success 'a deleted branch is reported truthfully' '
	git -C bad worktree remove --force "$TRASH_DIRECTORY/bad.parallel/B" &&
	git -C bad branch -q -D parallel/B &&
	(cd bad && git parallel check --json >../check.json 2>../err) &&
	test_must_be_empty err &&
	json_get check.json "[[t[\"measured\"], t[\"notes\"]] for t in d[\"tasks\"] if t[\"id\"] == \"B\"]" >actual &&
	echo "[[false, [\"its branch parallel/B is gone (deleted?): nothing to measure\"]]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a branch rebased onto a newer base is reported truthfully' '
	sed -i s/^line.19\$/nineteen/ bad/a.txt && git -C bad commit -q -am "newer base" &&
	git -C bad.parallel/C rebase -q main &&
	(cd bad && git parallel check --json >../check.json 2>../err) &&
	test_must_be_empty err &&
	json_get check.json "[t[\"notes\"] for t in d[\"tasks\"] if t[\"id\"] == \"C\"][0][0]" >actual &&
	grep "contains 1 commit of main made after the pinned base" actual &&
	json_get check.json "[[r[\"start\"] for r in f[\"ranges\"]] for t in d[\"tasks\"] if t[\"id\"] == \"C\" for f in t[\"files\"]]" >actual &&
	echo "[[6, 19]]" >expect && test_cmp expect actual
'

test_expect_success 'a branch that lost its start commit is reported' '
	git -C bad.parallel/D reset -q --hard main~2 &&
	git -C bad.parallel/D commit -q --allow-empty -m rewritten &&
	(cd bad && git parallel check D --json >../check.json 2>../err) &&
	test_must_be_empty err &&
	json_get check.json "d[\"tasks\"][0][\"notes\"]" >actual &&
	grep "no longer contains the commit it started from" actual &&
	grep "does not contain the pinned base" actual
'

test_expect_success 'usage errors exit 129' '
	(cd repo && test_expect_code 129 git parallel check --bogus 2>../err) &&
	grep "^usage: git parallel check" err &&
	(cd repo && test_expect_code 129 git parallel check -h >../out) &&
	grep "^usage: git parallel check \[<id>...\] \[--json\] \[--exact\] \[--no-uncommitted\]" out
'

test_expect_success 'an unknown task is a fatal error naming it' '
	(cd repo && test_expect_code 128 git parallel check T999 2>../err) &&
	test_one_line_error err &&
	grep "T999" err
'

test_expect_success 'no plan: a fatal one-line error' '
	new_repo noplan &&
	(cd noplan && test_expect_code 128 git parallel check 2>../err) &&
	test_one_line_error err
'

test_expect_success 'outside a repository: a fatal error' '
	mkdir -p nowhere &&
	(cd nowhere && GIT_CEILING_DIRECTORIES="$TRASH_DIRECTORY" test_expect_code 128 git parallel check 2>../err) &&
	test_one_line_error err
'

test_done
