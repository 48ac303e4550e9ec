#!/bin/sh

test_description='what replaying real git.git and redis merges found

Each case is reduced from a real merge that bench/agree --replay got
wrong; git itself is the oracle (git diff --check, git merge-tree).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/agree.sh"

# git.git: /Documentation/git-merge.adoc conflict-marker-size=32, and its
# text shows 7-character markers: a side that brings it is not a task that
# left conflict markers (git diff --check says the same).
test_expect_success 'markers shorter than conflict-marker-size are text, as git diff --check says' '
	new_repo mk &&
	echo "doc.txt conflict-marker-size=32" >mk/.gitattributes &&
	git -C mk add .gitattributes && git -C mk commit -q -m attr &&
	printf "[task \"D\"]\n\ttitle = doc\n\tcommand = printf \"<<<<<<< ours\\\\\\\\na\\\\\\\\n=======\\\\\\\\nb\\\\\\\\n>>>>>>> theirs\\\\\\\\n\" >doc.txt\n" >mk/t.ini &&
	(cd mk && git parallel plan t.ini >/dev/null && git parallel run >../run.out 2>&1) &&
	test "$(task_field mk D state)" = done &&
	git -C mk diff --check main parallel/D &&
	git -C mk show parallel/D:doc.txt >doc &&
	grep "^<<<<<<< ours" doc
'

test_expect_success 'markers of conflict-marker-size are markers: the task fails, as git diff --check' '
	new_repo mk32 &&
	echo "doc.txt conflict-marker-size=32" >mk32/.gitattributes &&
	git -C mk32 add .gitattributes && git -C mk32 commit -q -m attr &&
	l=$(printf "%032d" 0 | tr 0 "<") && r=$(printf "%032d" 0 | tr 0 ">") &&
	printf "[task \"D\"]\n\ttitle = doc\n\tcommand = printf \"$l ours\\\\\\\\na\\\\\\\\n$r theirs\\\\\\\\n\" >doc.txt\n" >mk32/t.ini &&
	(cd mk32 && git parallel plan t.ini >/dev/null) &&
	test_expect_code 1 sh -c "cd mk32 && git parallel run >../run.out 2>&1" &&
	test "$(task_field mk32 D state)" = failed &&
	task_field mk32 D reason >reason &&
	grep "conflict markers in .doc.txt." reason &&
	git -C mk32.parallel/D add doc.txt &&
	test_expect_code 2 git -C mk32.parallel/D diff --cached --check >/dev/null
'

# libgit2 1.5 finds no inexact rename of a file of fewer than 4 lines (its
# similarity signature needs more); git does.  Renamed and edited on one
# side, deleted on the other: git names a rename/delete conflict where
# libgit2 merged cleanly, and merge committed what git refuses.
test_expect_success 'a small file renamed and edited, deleted on the other side: rename/delete' '
	scenario smallren "mkdir a b && printf \"ab\\n\" >a/x.txt && echo k >b/keep" \
		"git mv a/x.txt b/y.txt && printf \"ab\\nc\\n\" >b/y.txt" "git rm -q a/x.txt" &&
	expect_check_agrees smallren 1 &&
	echo b/y.txt >expect && test_cmp expect check.paths &&
	expect_merge_agrees smallren &&
	json_get merge.json "[c[\"type\"] for r in d[\"results\"] for c in r.get(\"conflicts\", [])]" >actual &&
	echo "[\"rename\"]" >expect && test_cmp expect actual
'

test_expect_success 'a small file renamed two ways: rename/rename, as git names it' '
	scenario smallren2 "mkdir a b c && printf \"ab\\n\" >a/x.txt && echo k >b/keep && echo k >c/keep" \
		"git mv a/x.txt b/y.txt && printf \"ab\\nc\\n\" >b/y.txt" \
		"git mv a/x.txt c/z.txt && printf \"ab\\nd\\n\" >c/z.txt" &&
	expect_check_agrees smallren2 1 &&
	expect_merge_agrees smallren2
'

# git conflicts naming no path when a directory went to several places
# and the other side added a file there ("CONFLICT (directory rename
# split)", exit 1, no conflicted path): check --exact said clean (exit 0);
# merge refused, as git does, with an empty reason.
test_expect_success 'a directory renamed to two places: git conflicts at no path, so do we' '
	scenario split "mkdir d && test_seq 1 20 >d/one && test_seq 21 40 >d/two" \
		"mkdir e f && git mv d/one e/one && git mv d/two f/two" "echo new >d/three" &&
	expect_check_agrees split 1 &&
	test_must_be_empty check.paths &&
	json_get exact.json "[p[\"exact\"] for p in d[\"pairs\"]]" >actual &&
	echo "[\"conflict\"]" >expect && test_cmp expect actual &&
	(cd split && test_expect_code 1 git parallel check --exact >../split.out) &&
	grep "A / B: git.s merge conflicts without naming a path" split.out &&
	expect_merge_agrees split &&
	test_must_be_empty merge.paths &&
	(cd split && git parallel status) >status.out &&
	grep "conflicts without naming a path" status.out
'

# Two merge bases (criss-cross): git merges them into a virtual base first
# (merge-ort, recursive); the pair is git's to decide.
test_expect_success 'criss-cross: two merge bases, git decides' '
	scenario cc "test_seq 1 20 >f && test_seq 1 20 >g && git add -A && git commit -q -m m &&
			git checkout -q -b x && sed -i s/^5\$/five-x/ f && git commit -q -a -m x1 &&
			git checkout -q -b y main && sed -i s/^5\$/five-y/ f && git commit -q -a -m y1 &&
			git checkout -q main && echo b >base" \
		"git reset -q --hard x && git merge -q --no-edit y; git checkout -q x -- f && sed -i s/^3\$/three-a/ g && git commit -q -a -m resolved-a" \
		"git reset -q --hard y && git merge -q --no-edit x; git checkout -q y -- f && sed -i s/^18\$/eighteen-b/ g && git commit -q -a -m resolved-b" &&
	git -C cc merge-base --all parallel/A parallel/B >bases &&
	test_line_count = 2 bases &&
	expect_check_agrees cc 1 &&
	echo f >expect && test_cmp expect check.paths &&
	(cd cc && test_expect_code 1 git parallel merge --json >../merge.json) &&
	json_get merge.json "[[r[\"id\"], r[\"outcome\"], [c[\"path\"] for c in r.get(\"conflicts\", [])]] for r in d[\"results\"]]" >actual &&
	echo "[[\"A\", \"merged\", []], [\"B\", \"conflict\", [\"f\"]]]" >expect && test_cmp expect actual &&
	test_expect_code 1 git -C cc merge-tree --write-tree --name-only main parallel/B >mt &&
	sed -n 2p mt >actual && echo f >expect && test_cmp expect actual
'

test_expect_success 'criss-cross, clean: the merge commits the tree git writes' '
	scenario cc2 "test_seq 1 20 >f && test_seq 1 20 >g && git add -A && git commit -q -m m &&
			git checkout -q -b x && sed -i s/^5\$/five-x/ f && git commit -q -a -m x1 &&
			git checkout -q -b y main && sed -i s/^5\$/five-y/ f && git commit -q -a -m y1 &&
			git checkout -q main && echo b >base" \
		"git reset -q --hard x && git merge -q --no-edit y; git checkout -q x -- f && sed -i s/^3\$/three-a/ g && git commit -q -a -m resolved-a" \
		"git reset -q --hard y && git merge -q --no-edit x; git checkout -q x -- f && sed -i s/^18\$/eighteen-b/ g && git commit -q -a -m resolved-b" &&
	expect_check_agrees cc2 0 &&
	(cd cc2 && git parallel merge >../merge.out) &&
	git -C cc2 merge-base --all main^1 main^2 >bases &&
	test_line_count = 2 bases &&
	git -C cc2 merge-tree --write-tree main^1 main^2 >expect &&
	git -C cc2 rev-parse main^{tree} >actual &&
	test_cmp expect actual
'

# A directory holding only a subdirectory, moved whole: git renames the
# parent too and puts the other side's new file at its new place (file
# location); we looked only at the directories that lost files.
test_expect_success 'a directory of directories moved: the file added in it is git'"'"'s file location' '
	scenario nest "mkdir -p d/sub && test_seq 1 20 >d/sub/one && test_seq 21 40 >d/sub/two" \
		"git mv d e" "echo new >d/g" &&
	expect_check_agrees nest 1 &&
	echo e/g >expect && test_cmp expect check.paths &&
	expect_merge_agrees nest &&
	json_get merge.json "[c[\"type\"] for r in d[\"results\"] for c in r.get(\"conflicts\", [])]" >actual &&
	echo "[\"file location\"]" >expect && test_cmp expect actual
'

test_done
