#!/bin/sh

test_description='merge and check --exact agree with git under a user'"'"'s configuration

Settings git'"'"'s merge honours (merge.conflictStyle, merge.renames,
merge.directoryRenames, merge.renameLimit, merge attributes) and settings
of the git diff-tree whose line scripts decide content merges
(diff.suppressBlankEmpty): each case against git merge-tree --write-tree.'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/agree.sh"

# diff.suppressBlankEmpty makes git diff-tree print a blank context line
# as an empty line, not " ": the scripts were thrown away and every
# content merge went to git merge-tree, with a warning.
test_expect_success 'diff.suppressBlankEmpty: the line scripts still decide' '
	scenario blank "git config diff.suppressBlankEmpty true &&
			printf \"1\\n\\n3\\n4\\n5\\n6\\n7\\n\\n9\\n10\\n\" >f" \
		"sed -i s/^3\$/three/ f" "sed -i s/^9\$/nine/ f" &&
	(cd blank && git parallel check --exact >../check.out 2>../check.err) &&
	test_must_be_empty check.err &&
	expect_check_agrees blank 0 &&
	(cd blank && git parallel merge --dry-run >../dry.out 2>../dry.err) &&
	test_must_be_empty dry.err &&
	expect_merge_agrees blank
'

test_expect_success 'diff.suppressBlankEmpty: a conflict next to a blank line' '
	scenario blank2 "git config diff.suppressBlankEmpty true &&
			printf \"1\\n\\n3\\n4\\n\\n6\\n\" >f" \
		"sed -i s/^3\$/three/ f" "sed -i s/^4\$/four/ f" &&
	(cd blank2 && git parallel check --exact >../check.out 2>../check.err; test $? = 1) &&
	test_must_be_empty check.err &&
	expect_check_agrees blank2 1 &&
	expect_merge_agrees blank2
'

LINES="for i in \$(test_seq 1 20); do echo \"line \$i\"; done >a.txt"

# git 2.39's merge-ort detects renames whatever merge.renames and
# diff.renames say (git merge as git merge-tree): so do we.
test_expect_success 'merge.renames=false: git still follows the rename, so do we' '
	scenario norename "git config merge.renames false && git config diff.renames false && $LINES" \
		"git mv a.txt b.txt" "sed -i s/^line.5\$/five/ a.txt" &&
	expect_check_agrees norename 0 &&
	expect_merge_agrees norename &&
	git -C norename show main:b.txt >b.txt &&
	grep "^five\$" b.txt &&
	test_must_fail git -C norename cat-file -e main:a.txt
'

test_expect_success 'merge.directoryRenames=false: the new file stays, clean' '
	scenario nodirren "git config merge.directoryRenames false &&
			mkdir d && test_seq 1 20 >d/one && test_seq 21 40 >d/two" \
		"git mv d e" "echo new >d/new" &&
	expect_check_agrees nodirren 0 &&
	expect_merge_agrees nodirren &&
	git -C nodirren cat-file -e main:d/new
'

test_expect_success 'merge.directoryRenames=conflict: a conflict at the new place' '
	scenario dirrenc "git config merge.directoryRenames conflict &&
			mkdir d && test_seq 1 20 >d/one && test_seq 21 40 >d/two" \
		"git mv d e" "echo new >d/new" &&
	expect_check_agrees dirrenc 1 &&
	expect_merge_agrees dirrenc
'

test_expect_success 'merge.conflictStyle=diff3: the same edit inside a wider one conflicts' '
	scenario diff3 "git config merge.conflictStyle diff3 && $LINES" \
		"sed -i -e s/^line.5\$/X/ -e s/^line.6\$/Y/ a.txt" \
		"sed -i -e s/^line.5\$/X/ -e s/^line.6\$/Y/ -e s/^line.7\$/Z/ a.txt" &&
	expect_check_agrees diff3 1 &&
	expect_merge_agrees diff3
'

test_expect_success 'merge=binary: both sides edit apart, git keeps ours and conflicts' '
	scenario mbin "echo \"a.txt merge=binary\" >.gitattributes && $LINES" \
		"sed -i s/^line.5\$/five/ a.txt" "sed -i s/^line.15\$/fifteen/ a.txt" &&
	expect_check_agrees mbin 1 &&
	expect_merge_agrees mbin
'

test_done
