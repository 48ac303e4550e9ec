#!/bin/sh

test_description='plain check: a file added in a new subdirectory of a directory the other task renamed

merge-ort looks for a directory'"'"'s rename only when the other side added
a file right in a directory the side removed.  A file added only deeper,
in a subdirectory the base does not have (d/sub/y while the other task
renamed d to e), stays at d/sub/y and git merges cleanly: plain check
called it a "directory rename" conflict.  With a file added right in d
as well, git moves both and reports both (file location), and so does
plain check.  Oracle: git merge-tree --write-tree of the two branches.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/agree.sh"

# pair <dir> <command-A> <command-B>: base d/one, d/two, top; tasks A and B run
# their commands.  git merge-tree'"'"'s exit code in git_code; plain check'"'"'s
# overlaps (class:path:kind) in plain.classes, its exit code in plain.code.
pair () {
	base_pair "$1" "mkdir d && seq 1 20 >d/one && seq 21 40 >d/two && seq 41 60 >top" "$2" "$3" &&
	pair_judge "$1" A B kind
}

test_expect_success 'a file added only in a new subdirectory of the renamed directory: clean, as git' '
	pair subonly "git mv d e" "mkdir d/sub && echo y >d/sub/y" &&
	test $git_code = 0 &&
	git -C subonly ls-tree -r --name-only $(head -n 1 mt.out) >tree &&
	grep "^d/sub/y\$" tree &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_expect_success 'a file renamed into a new subdirectory of it: clean, as git' '
	pair renin "git mv d e" "mkdir d/new && git mv top d/new/top" &&
	test $git_code = 0 &&
	echo >expect && test_cmp expect plain.classes &&
	echo 0 >expect && test_cmp expect plain.code
'

test_expect_success 'and a file added right in it too: both conflict, as git' '
	pair subandtop "git mv d e" "mkdir d/sub && echo y >d/sub/y && echo n >d/zzz" &&
	test $git_code = 1 &&
	grep "(file location): d/sub/y added in" mt.out &&
	grep "(file location): d/zzz added in" mt.out &&
	echo "conflict:d/sub/y:directory rename conflict:d/zzz:directory rename" >expect &&
	test_cmp expect plain.classes &&
	echo 1 >expect && test_cmp expect plain.code
'

test_done
