#!/bin/sh

test_description='check --exact and merge agree with git on unusual contents

Files without a final newline, CRLF lines, empty files, a file that
becomes binary, the executable bit, a symlink against a file, a task that
deletes everything, a case-only rename, a submodule changed on both
sides: each pair against git merge-tree --write-tree (verdict, paths,
tree).'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/agree.sh"

# case <name> <git-code> <base-setup> <command-A> <command-B>
agree_case () {
	scenario "$1" "$3" "$4" "$5" &&
	expect_check_agrees "$1" "$2" &&
	expect_merge_agrees "$1"
}

test_expect_success 'no final newline: a line added after it, an edit at the top' '
	agree_case noeol1 0 "printf \"1\\n2\\n3\\n4\\n5\\n6\" >f" \
		"printf \"1\\n2\\n3\\n4\\n5\\n6\\n7\" >f" "printf \"one\\n2\\n3\\n4\\n5\\n6\" >f"
'

test_expect_success 'no final newline: one side ends it, the other appends a line' '
	agree_case noeol2 1 "printf \"1\\n2\\n3\\n4\\n5\\n6\" >f" \
		"printf \"1\\n2\\n3\\n4\\n5\\n6\\n\" >f" "printf \"1\\n2\\n3\\n4\\n5\\n6\\n7\" >f"
'

test_expect_success 'final newline dropped on one side, an edit next to it on the other' '
	agree_case noeol3 1 "printf \"1\\n2\\n3\\n4\\n5\\n6\\n\" >f" \
		"printf \"1\\n2\\n3\\n4\\n5\\n6\" >f" "printf \"1\\n2\\n3\\n4\\nfive\\n6\\n\" >f"
'

test_expect_success 'final newline dropped on both sides: the same change' '
	agree_case noeol4 0 "printf \"1\\n2\\n3\\n4\\n5\\n6\\n\" >f" \
		"printf \"1\\n2\\n3\\n4\\n5\\n6\" >f" "printf \"1\\n2\\n3\\n4\\n5\\n6\" >f"
'

test_expect_success 'CRLF lines edited apart merge; CRLF against LF conflicts' '
	agree_case crlf 0 "printf \"a\\r\\nb\\r\\nc\\r\\nd\\r\\ne\\r\\n\" >c.txt" \
		"sed -i s/^a/A/ c.txt" "sed -i s/^e/E/ c.txt" &&
	agree_case crlf2 1 "printf \"a\\r\\nb\\r\\nc\\r\\nd\\r\\ne\\r\\n\" >c.txt" \
		"sed -i s/^a/A/ c.txt" "sed -i \"s/\\r\\$//\" c.txt"
'

test_expect_success 'empty files: added empty and filled is clean; emptied and edited is not' '
	agree_case empty 0 "echo x >x" ": >e" "echo a >e" &&
	agree_case emptied 1 "test_seq 1 20 >f" ": >f" "sed -i s/^5\$/five/ f"
'

test_expect_success 'a file that becomes binary on one side, edited on the other' '
	agree_case tobin 1 "test_seq 1 20 >f" "printf \"x\\000y\\n\" >>f" "sed -i s/^3\$/three/ f"
'

test_expect_success 'the executable bit with an edit merges; against a deletion it does not' '
	agree_case exec 0 "test_seq 1 20 >f" \
		"chmod +x f && sed -i s/^15\$/fifteen/ f" "sed -i s/^5\$/five/ f" &&
	test "$(git -C exec ls-tree main f | cut -c1-6)" = 100755 &&
	agree_case execdel 1 "test_seq 1 20 >f" "chmod +x f" "git rm -q f"
'

test_expect_success 'a symlink made a file against a new link target' '
	scenario symfile "ln -s target link" "rm link && echo file >link" "ln -sfn other link" &&
	expect_check_agrees symfile 1 &&
	printf "link\nlink~%s\n" $(git -C symfile rev-parse parallel/A) >expect &&
	test_cmp expect check.paths &&
	{ (cd symfile && git parallel merge --json >../merge.json); test $? = 1; } &&
	json_get merge.json "\"\\n\".join(c[\"path\"] for r in d[\"results\"] for c in r.get(\"conflicts\", []))" >merge.paths &&
	# B merges into the merge of A: git names the link set aside after that commit
	printf "link\nlink~%s\n" $(git -C symfile rev-parse main) >expect &&
	test_cmp expect merge.paths
'

test_expect_success 'a task that deletes everything against an edit' '
	agree_case delall 1 "test_seq 1 20 >f && mkdir d && echo x >d/x" \
		"git rm -rq ." "sed -i s/^5\$/five/ f"
'

test_expect_success 'a case-only rename against an edit: the edit follows the rename' '
	agree_case caseren 0 "test_seq 1 20 >lines.txt" \
		"git mv lines.txt Lines.txt" "sed -i s/^5\$/five/ lines.txt" &&
	git -C caseren show main:Lines.txt >merged && grep "^five\$" merged
'

SUB="mkdir sub && git update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,sub"
test_expect_success 'a submodule moved to two commits; moved on one side only' '
	agree_case subboth 1 "$SUB" \
		"git update-index --cacheinfo 160000,2222222222222222222222222222222222222222,sub" \
		"git update-index --cacheinfo 160000,3333333333333333333333333333333333333333,sub" &&
	agree_case subone 0 "$SUB && test_seq 1 20 >f" \
		"git update-index --cacheinfo 160000,2222222222222222222222222222222222222222,sub" \
		"sed -i s/^5\$/five/ f"
'

test_expect_success 'a path outside ASCII, both sides edit it apart under merge=binary' '
	agree_case unicode 1 "printf \"caf\\303\\251.c merge=binary\\n\" >.gitattributes && test_seq 1 20 >café.c" \
		"sed -i s/^3\$/three/ café.c" "sed -i s/^17\$/seventeen/ café.c" &&
	echo café.c >expect && test_cmp expect check.paths
'

test_done
