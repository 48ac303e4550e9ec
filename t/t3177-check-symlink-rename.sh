#!/bin/sh

test_description='plain check: a symbolic link one task moved and the other retargeted

libgit2 1.5 never takes a symbolic link for a rename; git pairs a deleted
and an added link with the same target (an exact rename).  A link one
task moved and another retargeted was a "modify/delete" conflict in
plain check where git merges cleanly (the moved link takes the new
target).  Oracle: git merge-tree --write-tree of the two task branches.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/agree.sh"

BASE="ln -s target link && echo text >f"

test_expect_success 'a link moved by one task, retargeted by the other: clean, as git' '
	scenario moved "$BASE" "git mv link link2" "ln -sfn elsewhere link" &&
	git_oracle moved && test $git_code = 0 &&
	plain_verdict moved &&
	test_must_be_empty plain.conflicts &&
	echo 0 >expect && test_cmp expect plain.code &&
	json_get plain.json "\" \".join(\"%s<-%s\" % (f[\"path\"], f.get(\"old_path\")) for t in d[\"tasks\"] if t[\"id\"] == \"A\" for f in t[\"files\"])" >files &&
	echo "link2<-link" >expect && test_cmp expect files
'

test_expect_success 'check --exact and merge: the moved link takes the new target, as git' '
	expect_check_agrees moved 0 &&
	expect_merge_agrees moved &&
	printf elsewhere >expect && git -C moved cat-file -p main:link2 >actual && test_cmp expect actual
'

test_expect_success 'a link moved into a directory by one task, retargeted by the other: clean' '
	scenario movedir "$BASE" "mkdir d && git mv link d/link" "ln -sfn elsewhere link" &&
	git_oracle movedir && test $git_code = 0 &&
	plain_verdict movedir && test_must_be_empty plain.conflicts
'

test_expect_success 'a link moved and retargeted by one task, retargeted by the other: a conflict, as git' '
	scenario both "$BASE" "git mv link link2 && ln -sfn other link2" "ln -sfn elsewhere link" &&
	git_oracle both && test $git_code = 1 &&
	plain_verdict both && echo link >expect && test_cmp expect plain.conflicts &&
	echo 1 >expect && test_cmp expect plain.code
'

test_expect_success 'a link moved by one task, deleted by the other: a conflict, as git' '
	scenario del "$BASE" "git mv link link2" "git rm -q link" &&
	git_oracle del && test $git_code = 1 &&
	plain_verdict del && echo link >expect && test_cmp expect plain.conflicts
'

test_expect_success 'a link moved to two names: a conflict, as git' '
	scenario two "$BASE" "git mv link link2" "git mv link link3" &&
	git_oracle two && test $git_code = 1 &&
	plain_verdict two && test -s plain.conflicts
'

test_expect_success 'two links with one target: the one of the same name is the rename, as git' '
	scenario twin "$BASE && mkdir a b && ln -s target a/m && ln -s target b/l" \
		"mkdir c && git mv b/l c/l && git mv a/m c/m" "ln -sfn elsewhere b/l" &&
	git_oracle twin && test $git_code = 0 &&
	git -C twin cat-file -p "$(cat git.tree):c/l" >actual && printf elsewhere >expect && test_cmp expect actual &&
	plain_verdict twin && test_must_be_empty plain.conflicts &&
	json_get plain.json "\" \".join(\"%s<-%s\" % (f[\"path\"], f.get(\"old_path\")) for t in d[\"tasks\"] if t[\"id\"] == \"A\" for f in t[\"files\"])" >files &&
	echo "c/m<-a/m c/l<-b/l" >expect && test_cmp expect files &&
	expect_merge_agrees twin
'

test_done
