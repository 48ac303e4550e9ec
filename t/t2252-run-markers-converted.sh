#!/bin/sh

test_description='run sees conflict markers in a file git converts, as git diff --check does

A task that leaves conflict markers fails, its work kept uncommitted.
libgit2 1.5 reads a working-tree-encoding file'"'"'s bytes as they are: in
UTF-16 no line starts with seven "<" bytes, and the markers went through.
git reads such a file through its encoding; so does run now.  Oracle:
git diff --check in the task'"'"'s worktree.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# enc_repo <repo> <command>: *.txt in UTF-16 in the worktree, one task T1
# running command
enc_repo () {
	new_repo $1 &&
	(
		cd $1 &&
		echo "*.txt working-tree-encoding=UTF-16" >.gitattributes &&
		printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16 >words.txt &&
		git add . && git commit -q -m utf16 &&
		printf "[task \"T1\"]\n\ttitle = edit\n\tpaths = words.txt new.txt\n" >tasks.ini &&
		printf "\tcommand = %s\n" "$2" >>tasks.ini &&
		git parallel plan tasks.ini >/dev/null
	)
}

test_expect_success 'setup: UTF-16 texts with and without markers' '
	printf "<<<<<<< ours\nhello\n=======\nhi\n>>>>>>> theirs\nworld\n" |
	iconv -f UTF-8 -t UTF-16 >markers.utf16 &&
	printf "hello\nearth\n" | iconv -f UTF-8 -t UTF-16 >earth.utf16 &&
	! grep -q "<<<<<<<" markers.utf16
'

MARKERS="cp \"$TRASH_DIRECTORY/markers.utf16\""

test_expect_success 'markers left in a UTF-16 file: failed, the work kept uncommitted' '
	enc_repo r1 "$MARKERS words.txt" &&
	(cd r1 && test_expect_code 1 git parallel run 2>../err) &&
	test "$(task_field r1 T1 state)" = failed &&
	task_field r1 T1 reason >reason &&
	grep "conflict markers in .words.txt." reason &&
	test_must_fail git -C r1.parallel/T1 diff --check >/dev/null &&
	git -C r1.parallel/T1 status --porcelain >st &&
	grep "words.txt" st &&
	test "$(git -C r1 rev-parse parallel/T1)" = "$(git -C r1 rev-parse main)"
'

test_expect_success 'markers in a new UTF-16 file: failed too, no scratch index left' '
	enc_repo r2 "$MARKERS new.txt" &&
	mkdir tmp &&
	(cd r2 && TMPDIR=$TRASH_DIRECTORY/tmp && export TMPDIR &&
	 test_expect_code 1 git parallel run 2>../err) &&
	ls tmp >left &&
	test_must_be_empty left &&
	task_field r2 T1 reason >reason &&
	grep "conflict markers in .new.txt." reason &&
	git -C r2.parallel/T1 status --porcelain >st &&
	grep "?? new.txt" st &&
	git -C r2.parallel/T1 ls-files >files &&
	! grep new.txt files
'

test_expect_success 'a UTF-16 file changed without markers: done, committed' '
	enc_repo r3 "cp \"$TRASH_DIRECTORY/earth.utf16\" words.txt" &&
	(cd r3 && git parallel run 2>../err) &&
	grep "T1 done" err &&
	git -C r3 show parallel/T1:words.txt >actual &&
	printf "hello\nearth\n" >expect &&
	test_cmp expect actual &&
	repo_sane r3
'

test_done
