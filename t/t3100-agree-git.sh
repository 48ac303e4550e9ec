#!/bin/sh

test_description='check --exact and merge take git merge-ort'"'"'s verdict, tree and paths

libgit2 1.5 merges differently from git (Myers against histogram diff, no
directory renames, no merge drivers, other conflict names): where they may
differ, git merge-tree --write-tree decides.  Each case below is one where
libgit2 alone gets it wrong; git merge-tree is the oracle.'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/agree.sh"

# The reduced reproductions were found by merging small random files with
# libgit2 1.5 (git_merge_commits, Myers) and git merge-tree (histogram).
test_expect_success 'git merges cleanly where libgit2 conflicts (histogram vs Myers)' '
	scenario hist "printf \"b\\n\\n\\n\" >f" \
		"printf \"b\\n{\\nb\\n\\n\" >f" "printf \"b\\n\\n\" >f" &&
	expect_check_agrees hist 0 &&
	expect_merge_agrees hist
'

test_expect_success 'git conflicts where libgit2 merges cleanly' '
	scenario myers "printf \"}\\nx();\\nb\\n{\\n\" >g" \
		"printf \"x();\\nx();\\nb\\nb\\n{\\n\" >g" \
		"printf \"}\\nx();\\nx();\\nb\\nb\\nx();\\n\" >g" &&
	expect_check_agrees myers 1 &&
	expect_merge_agrees myers &&
	json_get merge.json "[c[\"type\"] for r in d[\"results\"] for c in r.get(\"conflicts\", [])]" >actual &&
	echo "[\"content\"]" >expect && test_cmp expect actual &&
	git -C myers show main:g >merged.g &&
	git -C myers show parallel/A:g >a.g &&
	test_cmp a.g merged.g
'

test_expect_success 'a directory rename: git names the file at its new place' '
	scenario dirren "mkdir d && echo 1 >d/one && echo 2 >d/two" \
		"git mv d e" "echo new >d/new" &&
	expect_check_agrees dirren 1 &&
	json_get exact.json "[[o[\"path\"], o[\"kind\"]] for o in d[\"overlaps\"]]" >actual &&
	echo "[[\"e/new\", \"merge\"]]" >expect && test_cmp expect actual &&
	expect_merge_agrees dirren &&
	grep "^e/new\$" merge.paths &&
	json_get merge.json "[c[\"type\"] for r in d[\"results\"] for c in r.get(\"conflicts\", [])]" >actual &&
	echo "[\"file location\"]" >expect && test_cmp expect actual
'

test_expect_success 'rename/rename (1 to 2): the old path is named too' '
	LINES="for i in \$(test_seq 1 20); do echo \"line \$i\"; done >a.txt" &&
	scenario ren12 "$LINES" "git mv a.txt b.txt" "git mv a.txt c.txt" &&
	expect_check_agrees ren12 1 &&
	printf "a.txt\nb.txt\nc.txt\n" >expect && test_cmp expect check.paths &&
	expect_merge_agrees ren12
'

test_expect_success 'rename/modify is reported once, at git'"'"'s path' '
	LINES="for i in \$(test_seq 1 20); do echo \"line \$i\"; done >a.txt" &&
	scenario renmod "$LINES" \
		"git mv a.txt b.txt && sed -i s/^line.5\$/five/ b.txt" \
		"sed -i s/^line.5\$/FIVE/ a.txt" &&
	expect_check_agrees renmod 1 &&
	expect_merge_agrees renmod &&
	echo b.txt >expect && test_cmp expect merge.paths &&
	json_get merge.json "[c[\"ours\"] for r in d[\"results\"] for c in r.get(\"conflicts\", [])]" >actual &&
	echo "[[{\"start\": 5, \"lines\": 1}]]" >expect && test_cmp expect actual
'

test_expect_success 'merge=union in .gitattributes: decided as git decides' '
	scenario union "test_seq 1 5 >u.txt && echo \"u.txt merge=union\" >.gitattributes" \
		"echo a >>u.txt" "echo b >>u.txt" &&
	expect_check_agrees union 0 &&
	expect_merge_agrees union &&
	git -C union show main:u.txt >actual &&
	printf "1\n2\n3\n4\n5\na\nb\n" >expect && test_cmp expect actual
'

test_expect_success 'a custom merge driver that resolves: git runs it' '
	scenario driver "test_seq 1 5 >c.txt && echo \"c.txt merge=keep\" >.gitattributes" \
		"sed -i s/^3\$/three/ c.txt" "sed -i s/^3\$/THREE/ c.txt" &&
	git -C driver config merge.keep.driver true &&
	expect_check_agrees driver 0 &&
	expect_merge_agrees driver &&
	git -C driver show main:c.txt >actual &&
	git -C driver show parallel/A:c.txt >expect && test_cmp expect actual
'

test_expect_success 'a custom merge driver that refuses: git conflicts, so do we' '
	scenario refuse "test_seq 1 20 >c.txt && echo \"c.txt merge=refuse\" >.gitattributes" \
		"sed -i s/^3\$/three/ c.txt" "sed -i s/^17\$/seventeen/ c.txt" &&
	git -C refuse config merge.refuse.driver false &&
	expect_check_agrees refuse 1 &&
	expect_merge_agrees refuse
'

# git-parallel runs directly: "git parallel" would put git's exec-path, which
# holds a real git, first on PATH.
test_expect_success 'without git merge-tree, libgit2 decides and says so' '
	scenario hist2 "printf \"b\\n\\n\\n\" >f" \
		"printf \"b\\n{\\nb\\n\\n\" >f" "printf \"b\\n\\n\" >f" &&
	mkdir nogit &&
	cat >nogit/git <<-EOF &&
	#!/bin/sh
	for a in "\$@"; do case "\$a" in merge-tree|diff-tree) exit 129 ;; esac; done
	exec "$(command -v git)" "\$@"
	EOF
	chmod +x nogit/git &&
	(cd hist2 && PATH="$TRASH_DIRECTORY/nogit:$PATH" git-parallel check --exact >../nogit.out 2>../nogit.err; test $? = 1) &&
	grep "libgit2.s merge decides" nogit.err
'

test_expect_success 'without git merge-tree, git'"'"'s line scripts decide as git does' '
	mkdir nomt &&
	cat >nomt/git <<-EOF &&
	#!/bin/sh
	for a in "\$@"; do test "\$a" = merge-tree && exit 129; done
	exec "$(command -v git)" "\$@"
	EOF
	chmod +x nomt/git &&
	test_expect_code 0 git -C hist2 merge-tree --write-tree parallel/A parallel/B >/dev/null &&
	(cd hist2 && PATH="$TRASH_DIRECTORY/nomt:$PATH" git-parallel check --exact >../nomt.out 2>../nomt.err) &&
	grep "f (content).*\[git: clean\]" nomt.out
'

# git.git de35b7b3ffb6: Documentation/*.txt became *.adoc with edits, while
# the other side changed git-fsck.txt.  libgit2 gives up on inexact renames
# beyond 200 candidates (a false modify/delete); git considers 7,000.
test_expect_success 'a .txt to .adoc rename of 250 files is a rename, not modify/delete' '
	scenario adoc "mkdir doc && for i in \$(test_seq 1 250); do
			for l in 1 2 3 4 5 6 7 8; do echo \"page \$i line \$l\"; done >doc/p\$i.txt; done" \
		"for f in doc/*.txt; do git mv \$f \${f%.txt}.adoc && echo \"include::x[]\" >>\${f%.txt}.adoc; done" \
		"sed -i s/line.4/LINE-4/ doc/p7.txt" &&
	expect_check_agrees adoc 0 &&
	(cd adoc && PATH="$TRASH_DIRECTORY/nogit:$PATH" git-parallel merge --dry-run --json >../adoc.json 2>../adoc.err) &&
	grep "libgit2.s merge decides" adoc.err &&
	json_get adoc.json "[r[\"outcome\"] for r in d[\"results\"]]" >actual &&
	echo "[\"merged\", \"merged\"]" >expect && test_cmp expect actual &&
	expect_merge_agrees adoc &&
	git -C adoc show main:doc/p7.adoc >p7 &&
	grep "page 7 LINE-4" p7 && grep "include::x" p7
'

test_done
