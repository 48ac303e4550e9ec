#!/bin/sh

test_description='check measures a task that renamed many files with git'"'"'s renames

libgit2 1.5 compares every added file with up to 1000 deleted ones by
content hashes (seconds for a task that renamed a thousand files, where
git diff-tree -M takes a tenth of a second) and finds no inexact rename
of a file of fewer than 4 lines.  Past 100 x 100 added and deleted
files, check takes the renames from git diff-tree -M, as git'"'"'s merge
sees them.  Oracle: git diff -M --name-status.'

. ./test-lib.sh

# renamed_by_check <dir> <task>: "old<TAB>new" of every rename check measured
renamed_by_check () {
	(cd "$1" && git parallel check --json >../check.json) &&
	json_get check.json "\"\\n\".join(sorted(f[\"old_path\"] + \"\\t\" + f[\"path\"] for t in d[\"tasks\"] if t[\"id\"] == \"$2\" for f in t[\"files\"] if f[\"change\"] == \"renamed\"))" |
		sed "/^\$/d"
}

# renamed_by_git <dir> <task>: the same from git diff -M
renamed_by_git () {
	git -C "$1" diff -M -l7000 --name-status main "parallel/$2" |
		sed -n "s/^R[0-9]*	//p" | sort
}

test_expect_success 'setup: 120 two-line files, a task renames and edits each' '
	new_repo r &&
	(
		cd r &&
		mkdir doc &&
		for i in $(seq 1 120)
		do
			printf "page %s\nline two %s\n" $i $i >doc/p$i.txt || return 1
		done &&
		cat >rename.sh <<-\EOS &&
		for f in doc/*.txt
		do
			git mv "$f" "${f%.txt}.adoc" && echo "include::x[]" >>"${f%.txt}.adoc" || exit 1
		done
		EOS
		printf "[task \"A\"]\n\ttitle = rename the pages\n\tcommand = sh rename.sh\n[task \"B\"]\n\ttitle = touch one\n\tcommand = echo more >>README\n" >tasks.ini &&
		git add -A && git commit -q -m base &&
		git parallel plan tasks.ini >/dev/null &&
		git parallel run >../run.out 2>&1
	) &&
	git -C r diff --no-renames --name-only main parallel/A >changed &&
	test_line_count = 240 changed
'

# a git that logs diff-tree -M (git-parallel is run directly: git puts its
# exec-path first in PATH for its external commands)
test_expect_success 'setup: a git that logs diff-tree -M' '
	mkdir bin &&
	real=$(command -v git) &&
	cat >bin/git <<-EOF &&
	#!/bin/sh
	case " \$* " in *" diff-tree "*" -M "*) echo diff-tree-M >>"$TRASH_DIRECTORY/git.log" ;; esac
	exec "$real" "\$@"
	EOF
	chmod +x bin/git
'

test_expect_success 'the renames check measures are git'"'"'s, from one git diff-tree -M' '
	renamed_by_git r A >expect &&
	test_line_count = 120 expect &&
	rm -f git.log &&
	# measured, not read from the cache run wrote (t3310)
	rm -rf r/.git/parallel/footprints &&
	(cd r && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel check --json >../check.json) &&
	test_line_count = 1 git.log &&
	json_get check.json "\"\\n\".join(sorted(f[\"old_path\"] + \"\\t\" + f[\"path\"] for t in d[\"tasks\"] if t[\"id\"] == \"A\" for f in t[\"files\"] if f[\"change\"] == \"renamed\"))" |
		sed "/^\$/d" >actual &&
	test_cmp expect actual
'

test_expect_success 'the cache check wrote reports the same renames, without git diff-tree -M' '
	rm -f git.log &&
	(cd r && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel check --json >../cached.json) &&
	! test -e git.log &&
	test_cmp check.json cached.json
'

test_expect_success 'check --exact of the pair agrees with git merge-tree' '
	a=$(git -C r rev-parse parallel/A) && b=$(git -C r rev-parse parallel/B) &&
	{ git -C r merge-tree --write-tree "$a" "$b" >/dev/null; git_code=$?; } &&
	{ (cd r && git parallel check --exact >../exact.out); code=$?; } &&
	test $code = $git_code
'

test_expect_success 'a small rename is still found by libgit2 alone' '
	new_repo s &&
	(
		cd s &&
		printf "one\ntwo\nthree\nfour\nfive\n" >a.txt &&
		printf "[task \"A\"]\n\ttitle = move it\n\tcommand = git mv a.txt b.txt\n" >tasks.ini &&
		git add -A && git commit -q -m base &&
		git parallel plan tasks.ini >/dev/null &&
		git parallel run >../run.out 2>&1
	) &&
	renamed_by_git s A >expect &&
	renamed_by_check s A >actual &&
	test_cmp expect actual
'

test_done
