#!/bin/sh

test_description='plain check: a binary file one task only renamed or chmodded

Plain check called a path a "binary" conflict whenever one side was
binary, even when the other side kept the base
content: a rename at 100% or a mode change only.  git merges the content
cleanly (it is the changing side'"'"'s).  Oracle: git merge-tree --write-tree
of the two task branches.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/agree.sh"

# pair <dir> <command-A> <command-B>: base bin (binary), link (a symlink)
# and text; tasks A and B run their commands.  git merge-tree'"'"'s exit
# code in git_code; plain check'"'"'s conflicts count in plain.conflicts.
pair () {
	new_repo "$1" && printf "\000\001base\n" >"$1/bin" && ln -s text "$1/link" &&
	seq 1 10 >"$1/text" && seq 11 20 >"$1/other" &&
	git -C "$1" add -A && git -C "$1" commit -q -m base &&
	pair_run "$1" A "$2" B "$3" &&
	pair_judge "$1" A B &&
	json_get plain.json "d[\"conflicts\"]" >plain.conflicts
}

test_expect_success 'a binary file renamed by one, changed by the other: clean, as git' '
	pair binren "git mv bin bin2" "printf \"\\000\\002B\\n\" >bin" &&
	test $git_code = 0 &&
	echo 0 >expect && test_cmp expect plain.conflicts && test_cmp expect plain.code
'

test_expect_success 'a binary file chmodded by one, changed by the other: clean, as git' '
	pair binmode "chmod +x bin" "printf \"\\000\\002B\\n\" >bin" &&
	test $git_code = 0 &&
	echo 0 >expect && test_cmp expect plain.conflicts && test_cmp expect plain.code
'

test_expect_success 'a binary file changed by both: a conflict, as git' '
	pair binboth "printf \"\\000\\002A\\n\" >bin" "printf \"\\000\\002B\\n\" >bin" &&
	test $git_code = 1 &&
	echo 1 >expect && test_cmp expect plain.conflicts && test_cmp expect plain.code
'

test_expect_success 'a symlink retargeted by both: a conflict, as git' '
	pair linkboth "ln -sf other link" "ln -sf nowhere link" &&
	test $git_code = 1 &&
	echo 1 >expect && test_cmp expect plain.conflicts && test_cmp expect plain.code
'

test_done
