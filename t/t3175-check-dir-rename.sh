#!/bin/sh

test_description='plain check: a directory one task renamed, a file the other added in it, against git

bench/agree'"'"'s synthetic cases dirrename, nestren and dirsplit: task A
moves every file out of directory d (to e, or to e and f), task B adds
d/new.  No path is shared, so plain check said nothing; git'"'"'s merge-ort
finds d renamed and, with merge.directoryRenames unset, calls the new
file a conflict (file location, or directory rename split).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/agree.sh"

# pair <dir> <base-setup> <command-A> <command-B>: <base-setup> on main,
# committed; tasks A and B run their commands.  git merge-tree of the
# two task branches in git_code; plain check'"'"'s overlaps (class:path:kind)
# in plain.classes, its exit code in plain.code.
pair () {
	base_pair "$@" && pair_judge "$1" A B kind
}

test_expect_success 'a directory renamed, a file added in it: a conflict, as git' '
	pair dirrename "mkdir d && echo 1 >d/one && echo 2 >d/two" "git mv d e" "echo new >d/new" &&
	test $git_code = 1 &&
	echo "conflict:d/new:directory rename" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

test_expect_success 'a directory with a subdirectory renamed, a file added in it: a conflict, as git' '
	pair nestren "mkdir -p d/sub && seq 1 20 >d/sub/one && seq 21 40 >d/sub/two" "git mv d e" "echo new >d/g" &&
	test $git_code = 1 &&
	echo "conflict:d/g:directory rename" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

test_expect_success 'a directory split in two, a file added in it: a conflict, as git' '
	pair dirsplit "mkdir d && seq 1 20 >d/one && seq 21 40 >d/two" \
		"mkdir e f && git mv d/one e/one && git mv d/two f/two" "echo new >d/three" &&
	test $git_code = 1 &&
	echo "conflict:d/three:directory rename" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

test_expect_success 'a file renamed into the renamed directory: a conflict, as git' '
	pair renin "mkdir d && seq 1 20 >d/one && seq 21 40 >d/two && seq 41 60 >top" "git mv d e" "git mv top d/top" &&
	test $git_code = 1 &&
	echo "conflict:d/top:directory rename" >expect && test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

test_expect_success 'a directory deleted, not renamed, a file added in it: no conflict, as git' '
	pair dirdel "mkdir d && echo 1 >d/one && echo 2 >d/two" "git rm -q -r d" "echo new >d/new" &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_expect_success 'one file moved out, the directory stays: no conflict, as git' '
	pair dirstays "mkdir d && seq 1 20 >d/one && seq 21 40 >d/two" "mkdir e && git mv d/one e/one" "echo new >d/new" &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_expect_success 'both tasks carry the directory rename, one adds a file in the old directory: no conflict, as git' '
	new_repo shared && mkdir shared/d && echo 1 >shared/d/one && echo 2 >shared/d/two &&
	git -C shared add d && git -C shared commit -q -m base &&
	git -C shared checkout -q -b x && git -C shared mv d e && git -C shared commit -q -m x &&
	git -C shared checkout -q main &&
	printf "[task \"A\"]\n\ttitle = a\n\tcommand = git merge -q --ff-only x && echo 3 >e/three\n[task \"B\"]\n\ttitle = b\n\tcommand = git merge -q --ff-only x && mkdir d && echo new >d/new\n" >shared.ini &&
	(cd shared && git parallel plan ../shared.ini >/dev/null && git parallel run >../run.out 2>&1) &&
	git -C shared rev-parse parallel/B:d/new &&
	git -C shared merge-tree --write-tree parallel/A parallel/B >/dev/null &&
	(cd shared && git parallel check --json >../plain.json) &&
	json_get plain.json "\" \".join(o[\"class\"] + \":\" + o[\"path\"] + \":\" + o[\"kind\"] for o in d[\"overlaps\"] if o[\"class\"] == \"conflict\")" >plain.classes &&
	echo >expect && test_cmp expect plain.classes
'

test_expect_success 'merge.directoryRenames=true: git moves the file, no conflict' '
	git config --global merge.directoryRenames true &&
	test_when_finished "git config --global --unset merge.directoryRenames" &&
	pair dirtrue "mkdir d && echo 1 >d/one && echo 2 >d/two" "git mv d e" "echo new >d/new" &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_done
