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

# A region both sides changed to the same lines by different scripts:
# git's default style refines it away (clean), diff3 does not (t4123).
# libgit2 1.5 reads neither git -c (GIT_CONFIG_PARAMETERS) nor
# GIT_CONFIG_GLOBAL: merge used to decide the file clean from the scripts.
REGION="printf \"%s\\n\" a a b b c a b c b b b a >r.txt"
REGION_A="printf \"%s\\n\" a a b c c a c c b b b a >r.txt"
REGION_B="printf \"%s\\n\" a a b c c a c c b b c b a >r.txt"

# merge_outcomes <dir> <git-parallel args...>: the outcomes of merge --dry-run --json
merge_outcomes () {
	dir=$1 && shift &&
	{ (cd "$dir" && "$@" merge --dry-run --json >../dry.json); echo $? >dry.code; } &&
	json_get dry.json "[r[\"outcome\"] for r in d[\"results\"]]"
}

test_expect_success 'git -c merge.conflictStyle=diff3: the region conflicts, as in git' '
	scenario style "$REGION" "$REGION_A" "$REGION_B" &&
	test_must_fail git -C style -c merge.conflictStyle=diff3 merge-tree --write-tree parallel/A parallel/B &&
	merge_outcomes style git -c merge.conflictStyle=diff3 parallel >actual &&
	echo "[\"merged\", \"conflict\"]" >expect && test_cmp expect actual &&
	json_get dry.json "[c[\"path\"] for r in d[\"results\"] for c in r.get(\"conflicts\", [])]" >actual &&
	echo "[\"r.txt\"]" >expect && test_cmp expect actual &&
	(cd style && test_expect_code 1 git -c merge.conflictStyle=diff3 parallel check --exact >/dev/null) &&
	# without it, git and we merge cleanly
	git -C style merge-tree --write-tree parallel/A parallel/B &&
	merge_outcomes style git parallel >actual &&
	echo "[\"merged\", \"merged\"]" >expect && test_cmp expect actual
'

test_expect_success 'GIT_CONFIG_GLOBAL and GIT_CONFIG_COUNT count as they do for git' '
	printf "[merge]\n\tconflictStyle = diff3\n" >global.cfg &&
	merge_outcomes style env GIT_CONFIG_GLOBAL="$TRASH_DIRECTORY/global.cfg" git parallel >actual &&
	echo "[\"merged\", \"conflict\"]" >expect && test_cmp expect actual &&
	merge_outcomes style env GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=merge.conflictStyle \
		GIT_CONFIG_VALUE_0=zdiff3 git parallel >actual &&
	test_cmp expect actual &&
	merge_outcomes style git -c merge.conflictStyle=merge parallel >actual &&
	echo "[\"merged\", \"merged\"]" >expect && test_cmp expect actual
'

test_expect_success 'git -c merge.renormalize=true: the merged file is normalized, as git writes it' '
	scenario renorm "printf \"a\\r\\nb\\r\\nc\\r\\nd\\r\\ne\\r\\nf\\r\\ng\\r\\n\" >c.txt" \
		"sed -i s/^a/A/ c.txt" "sed -i s/^g/G/ c.txt" &&
	git -C renorm -c core.autocrlf=true -c merge.renormalize=true \
		merge-tree --write-tree parallel/A parallel/B >git.tree &&
	(cd renorm && git -c core.autocrlf=true -c merge.renormalize=true parallel merge >/dev/null) &&
	git -C renorm rev-parse main^{tree} >merged.tree &&
	test_cmp git.tree merged.tree &&
	git -C renorm show main:c.txt >c.txt &&
	! grep -q "$(printf "\\r")" c.txt
'

# libgit2 1.5 matches attribute patterns case-sensitively whatever
# core.ignoreCase says, and takes a quoted pattern literally: it saw no
# merge attribute, so merge decided the file from the line scripts,
# where git makes a binary merge (and conflicts).
test_expect_success 'core.ignoreCase: *.C merge=binary holds for x.c, as in git' '
	scenario icase "git config core.ignoreCase true && echo \"*.C merge=binary\" >.gitattributes &&
			$LINES && mv a.txt x.c" \
		"sed -i s/^line.5\$/five/ x.c" "sed -i s/^line.15\$/fifteen/ x.c" &&
	expect_check_agrees icase 1 &&
	expect_merge_agrees icase
'

test_expect_success 'git -c core.ignoreCase=true counts too' '
	scenario icase2 "echo \"*.C merge=binary\" >.gitattributes && $LINES && mv a.txt x.c" \
		"sed -i s/^line.5\$/five/ x.c" "sed -i s/^line.15\$/fifteen/ x.c" &&
	git -C icase2 merge-tree --write-tree parallel/A parallel/B &&
	test_must_fail git -C icase2 -c core.ignoreCase=true merge-tree --write-tree parallel/A parallel/B &&
	merge_outcomes icase2 git -c core.ignoreCase=true parallel >actual &&
	echo "[\"merged\", \"conflict\"]" >expect && test_cmp expect actual &&
	merge_outcomes icase2 git parallel >actual &&
	echo "[\"merged\", \"merged\"]" >expect && test_cmp expect actual
'

test_expect_success 'a quoted pattern in .gitattributes names the file, as in git' '
	scenario quoted "mkdir d && printf \"\\\"a b.c\\\" merge=binary\\n\" >d/.gitattributes &&
			$LINES && mv a.txt \"d/a b.c\"" \
		"sed -i s/^line.5\$/five/ \"d/a b.c\"" "sed -i s/^line.15\$/fifteen/ \"d/a b.c\"" &&
	expect_check_agrees quoted 1 &&
	expect_merge_agrees quoted
'

# git check-attr only where libgit2 may be wrong: not for a repository
# under core.ignoreCase whose attribute files cannot set merge at all
test_expect_success 'core.ignoreCase without merge attributes: no git check-attr' '
	mkdir -p bin &&
	real=$(command -v git) &&
	cat >bin/git <<-EOF &&
	#!/bin/sh
	for a in "\$@"; do
		case \$a in check-attr) echo "\$*" >>"$TRASH_DIRECTORY/attr.log" ;; esac
	done
	exec "$real" "\$@"
	EOF
	chmod +x bin/git &&
	scenario icase3 "git config core.ignoreCase true && echo \"*.C diff\" >.gitattributes &&
			$LINES && mv a.txt x.c" \
		"sed -i s/^line.5\$/five/ x.c" "sed -i s/^line.15\$/fifteen/ x.c" &&
	: >attr.log &&
	(cd icase3 && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel merge --dry-run >/dev/null) &&
	test_must_be_empty attr.log &&
	# with *.C merge=binary (B, a conflict, is tried again)
	(cd icase && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel merge --dry-run >/dev/null; test $? = 1) &&
	grep "check-attr -z merge -- x.c" attr.log
'

# GIT_DIFF_OPTS=--unified=0 reaches git diff-tree over its -U1 (and at
# -U0 git trims the common tail before diffing, which merge does not)
test_expect_success 'GIT_DIFF_OPTS does not reach the git diff-tree of the line scripts' '
	cat >bin/git <<-EOF &&
	#!/bin/sh
	for a in "\$@"; do
		case \$a in diff-tree) echo "diff-tree \${GIT_DIFF_OPTS-unset}" >>"$TRASH_DIRECTORY/diff.log" ;; esac
	done
	exec "$real" "\$@"
	EOF
	scenario difopts "test_seq 1 20 >f" "sed -i s/^3\$/three/ f" "sed -i s/^17\$/seventeen/ f" &&
	: >diff.log &&
	(cd difopts && PATH="$TRASH_DIRECTORY/bin:$PATH" GIT_DIFF_OPTS=--unified=0 \
		git-parallel merge --dry-run >/dev/null) &&
	grep "^diff-tree" diff.log >seen &&
	test -s seen &&
	! grep -v "^diff-tree unset\$" seen
'

test_done
