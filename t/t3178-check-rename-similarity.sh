#!/bin/sh

test_description='plain check: renames as git'"'"'s merge finds them

A footprint'"'"'s renames were libgit2 1.5'"'"'s: its similarity (line hashes)
called a file renamed that git does not (10 lines, 5 of them edited:
42% for git), and it paired two empty files, which git'"'"'s merge never
does.  Plain check then saw an edit to a renamed file where git'"'"'s merge
has a modify/delete conflict.  The footprint now scores files as git
does (diffcore-delta'"'"'s byte chunks).  Oracles: git merge-tree
--write-tree of the two task branches, and git diff-tree -M
--no-rename-empty for the rename pairs of a task.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/agree.sh"

# renames <json> <task>: the task'"'"'s renames, "old new" a line, sorted
renames () {
	json_get "$1" "\"\\n\".join(sorted(\"%s %s\" % (f[\"old_path\"], f[\"path\"]) for t in d[\"tasks\"] if t[\"id\"] == \"$2\" for f in t[\"files\"] if f[\"change\"] == \"renamed\"))" |
		sed "/^\$/d"
}

test_expect_success 'an empty file renamed by one task, filled by the other: a conflict, as git' '
	scenario empty ": >empty && seq 1 5 >f" "git mv empty e2" "echo x >empty" &&
	git_oracle empty && test $git_code = 1 &&
	plain_verdict empty && echo empty >expect && test_cmp expect plain.conflicts &&
	echo 1 >expect && test_cmp expect plain.code &&
	renames plain.json A >actual && test_must_be_empty actual
'

test_expect_success 'half of a small file edited as it moved: no rename for git, a conflict' '
	scenario half "seq 1 10 >f" "git mv f g && sed -i \"s/^[1-5]\\\$/x&/\" g" "sed -i s/^9\\\$/nine/ f" &&
	git_oracle half && test $git_code = 1 &&
	plain_verdict half && echo f >expect && test_cmp expect plain.conflicts &&
	renames plain.json A >actual && test_must_be_empty actual
'

test_expect_success 'four lines of ten edited as it moved: a rename, clean, as git' '
	scenario four "seq 1 10 >f" "git mv f g && sed -i \"s/^[1-4]\\\$/x&/\" g" "sed -i s/^9\\\$/nine/ f" &&
	git_oracle four && test $git_code = 0 &&
	plain_verdict four && test_must_be_empty plain.conflicts &&
	echo "f g" >expect && renames plain.json A >actual && test_cmp expect actual
'

# files f0..f20 of 20 lines (each its own), a CRLF one, one without a
# last newline and an empty one; moves.sh (task A) moves every one into
# moved/ with k lines of fk edited (6 of 12 of the others)
many_base () {
	for k in $(test_seq 0 20)
	do
		for i in $(test_seq 1 20)
		do
			echo "file $k line $i" || return 1
		done >f$k || return 1
	done &&
	for i in $(test_seq 1 12)
	do
		printf "crlf line %d\r\n" $i || return 1
	done >crlf &&
	{ test_seq 1 12 | sed "s/^/nl line /" && printf "no newline"; } >nonl &&
	: >empty &&
	cat >moves.sh <<-\EOF
	mkdir moved &&
	for k in $(seq 0 20)
	do
		sed "1,${k}s/line/LINE/" f$k >moved/f$k && git rm -q f$k || exit 1
	done &&
	sed "1,6s/line/LINE/" crlf >moved/crlf && sed "1,6s/line/LINE/" nonl >moved/nonl &&
	cp empty moved/empty && git rm -q crlf nonl empty && git add moved
	EOF
}

# git_renames <repo> <from> <to>: git'"'"'s merge'"'"'s renames, "old new" a line, sorted
git_renames () {
	git -C "$1" diff-tree -r -M --no-rename-empty --name-status "$2" "$3" |
		sed -n "s/^R[0-9]*	\(.*\)	\(.*\)/\1 \2/p" | sort
}

test_expect_success 'the renames of a task are git'"'"'s, from 0% to 100% of lines edited' '
	scenario many many_base "sh moves.sh" "echo b >b" &&
	plain_verdict many &&
	renames plain.json A >actual &&
	git_renames many main parallel/A >expect &&
	test_line_count -gt 5 expect &&
	test_line_count -lt 20 expect &&
	test_cmp expect actual
'

test_expect_success 'uncommitted: the renames in a worktree are git'"'"'s too' '
	new_repo wt && (cd wt && many_base) &&
	printf "[parallel]\n\tcommit = never\n" >wt/.gitparallel &&
	printf "[task \"A\"]\n\ttitle = a\n\tcommand = sh moves.sh\n" >wt/tasks.ini &&
	git -C wt add -A && git -C wt commit -q -m base &&
	(cd wt && git parallel plan tasks.ini >/dev/null && git parallel run >../run.out 2>&1) &&
	(cd wt && git parallel check --json >../wt.json) &&
	json_get wt.json "d[\"tasks\"][0][\"uncommitted\"]" >n && test "$(cat n)" -gt 0 &&
	renames wt.json A >actual &&
	git_renames many main parallel/A >expect &&
	test_cmp expect actual
'

test_done
