#!/bin/sh

test_description='git parallel check: every kind of overlap, classified as git merges it'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/agree.sh"

LINES='for i in $(test_seq 1 20); do echo "line $i"; done >lines.txt'

# expect_overlap <dir> <path> <class> <kind>
expect_overlap () {
	(cd "$1" && { git parallel check --json >../check.json; test $? -le 1; }) &&
	json_get check.json "[o[\"class\"] + \" \" + o[\"kind\"] for o in d[\"overlaps\"] if o[\"path\"] == \"$2\"]" >actual &&
	echo "[\"$3 $4\"]" >expect &&
	test_cmp expect actual
}

# expect_git_agrees <dir>: check --exact names the paths git merge-tree
# names as conflicting (same set), and exits 1 exactly when git does.
expect_git_agrees () {
	a=$(git -C "$1" rev-parse --verify parallel/A^{commit}) &&
	b=$(git -C "$1" rev-parse --verify parallel/B^{commit}) &&
	{ git -C "$1" merge-tree --write-tree --name-only "$a" "$b" >mt.out; git_code=$?; } &&
	test $git_code -le 1 &&
	sed -n "2,/^\$/p" mt.out | sed "/^\$/d" | sort -u >expect &&
	{ (cd "$1" && git parallel check --exact --json >../exact.json); code=$?; } &&
	test $code = $git_code &&
	json_get exact.json "\"\\n\".join(sorted(set(p for x in d[\"pairs\"] for p in x[\"exact_paths\"])))" |
		sed "/^\$/d" >actual &&
	test_cmp expect actual &&
	json_get exact.json "sorted(set(o[\"exact\"] for o in d[\"overlaps\"]))" >exact.verdicts &&
	if test $git_code = 1; then grep conflict exact.verdicts; else ! grep conflict exact.verdicts; fi
}

test_expect_success 'content conflict: both edit line 5' '
	scenario content "$LINES" \
		"sed -i s/^line.5\$/five/ lines.txt" "sed -i s/^line.5\$/FIVE/ lines.txt" &&
	expect_overlap content lines.txt conflict content &&
	json_get check.json "d[\"overlaps\"][0][\"ranges\"]" >actual &&
	echo "[[{\"start\": 5, \"lines\": 1}], [{\"start\": 5, \"lines\": 1}]]" >expect &&
	test_cmp expect actual &&
	expect_git_agrees content
'

test_expect_success 'adjacent lines conflict: line 5 and line 6' '
	scenario adjacent "$LINES" \
		"sed -i s/^line.5\$/five/ lines.txt" "sed -i s/^line.6\$/six/ lines.txt" &&
	expect_overlap adjacent lines.txt conflict content &&
	expect_git_agrees adjacent
'

test_expect_success 'a one-line gap merges cleanly: line 5 and line 7' '
	scenario gap "$LINES" \
		"sed -i s/^line.5\$/five/ lines.txt" "sed -i s/^line.7\$/seven/ lines.txt" &&
	expect_overlap gap lines.txt same-file content &&
	expect_git_agrees gap
'

test_expect_success 'an insertion next to an edited line conflicts' '
	scenario insert "$LINES" \
		"sed -i s/^line.5\$/five/ lines.txt" "sed -i \"/^line 5\$/a new\" lines.txt" &&
	expect_overlap insert lines.txt conflict content &&
	json_get check.json "d[\"overlaps\"][0][\"ranges\"][1]" >actual &&
	echo "[{\"start\": 5, \"lines\": 0}]" >expect && test_cmp expect actual &&
	expect_git_agrees insert
'

test_expect_success 'an insertion two lines away merges cleanly' '
	scenario insert2 "$LINES" \
		"sed -i s/^line.5\$/five/ lines.txt" "sed -i \"/^line 6\$/a new\" lines.txt" &&
	expect_overlap insert2 lines.txt same-file content &&
	expect_git_agrees insert2
'

test_expect_success 'add/add with different content conflicts' '
	scenario addadd "" "echo one >new.txt" "echo two >new.txt" &&
	expect_overlap addadd new.txt conflict add/add &&
	expect_git_agrees addadd
'

test_expect_success 'add/add with the same content merges cleanly' '
	scenario addsame "" "echo same >new.txt" "echo same >new.txt" &&
	expect_overlap addsame new.txt same-file identical &&
	expect_git_agrees addsame
'

test_expect_success 'modify/delete conflicts' '
	scenario moddel "$LINES" "sed -i s/^line.5\$/five/ lines.txt" "git rm -q lines.txt" &&
	expect_overlap moddel lines.txt conflict modify/delete &&
	expect_git_agrees moddel
'

test_expect_success 'delete/delete merges cleanly' '
	scenario deldel "$LINES" "git rm -q lines.txt" "git rm -q lines.txt" &&
	expect_overlap deldel lines.txt same-file delete/delete &&
	expect_git_agrees deldel
'

test_expect_success 'rename on one side, edit on the other, merges cleanly' '
	scenario renedit "$LINES" "git mv lines.txt moved.txt" "sed -i s/^line.5\$/five/ lines.txt" &&
	expect_overlap renedit lines.txt same-file content &&
	json_get check.json "d[\"overlaps\"][0][\"paths\"]" >actual &&
	echo "[\"moved.txt\", \"lines.txt\"]" >expect && test_cmp expect actual &&
	expect_git_agrees renedit
'

test_expect_success 'rename with an edit against an edit of the same line conflicts' '
	scenario renconf "$LINES" \
		"git mv lines.txt moved.txt && sed -i s/^line.5\$/five/ moved.txt" \
		"sed -i s/^line.5\$/FIVE/ lines.txt" &&
	expect_overlap renconf lines.txt conflict content &&
	expect_git_agrees renconf
'

test_expect_success 'rename/delete conflicts' '
	scenario rendel "$LINES" "git mv lines.txt moved.txt" "git rm -q lines.txt" &&
	expect_overlap rendel lines.txt conflict rename/delete &&
	expect_git_agrees rendel
'

test_expect_success 'a binary file changed by both conflicts' '
	scenario binary "printf \"a\\000b\\000c\" >bin.dat" \
		"printf \"x\\000y\" >bin.dat" "printf \"z\\000w\" >bin.dat" &&
	expect_overlap binary bin.dat conflict binary &&
	json_get check.json "[f[\"binary\"] for t in d[\"tasks\"] for f in t[\"files\"]]" >actual &&
	echo "[true, true]" >expect && test_cmp expect actual &&
	expect_git_agrees binary
'

test_expect_success 'a binary file changed the same way by both merges cleanly' '
	scenario binsame "printf \"a\\000b\\000c\" >bin.dat" \
		"printf \"x\\000y\" >bin.dat" "printf \"x\\000y\" >bin.dat" &&
	expect_overlap binsame bin.dat same-file identical &&
	expect_git_agrees binsame
'

test_expect_success 'a symlink retargeted by both conflicts' '
	scenario symlink "ln -s a link" "ln -sfn b link" "ln -sfn c link" &&
	expect_overlap symlink link conflict symlink &&
	json_get check.json "[f[\"new_mode\"] for t in d[\"tasks\"] for f in t[\"files\"]]" >actual &&
	echo "[40960, 40960]" >expect && test_cmp expect actual &&
	expect_git_agrees symlink
'

test_expect_success 'a file turned into a symlink against an edit conflicts' '
	scenario typechange "$LINES" "rm lines.txt && ln -s elsewhere lines.txt" \
		"sed -i s/^line.5\$/five/ lines.txt" &&
	expect_overlap typechange lines.txt conflict typechange &&
	expect_git_agrees typechange
'

test_expect_success 'a submodule pointer moved by both conflicts' '
	new_repo subsrc &&
	git -C subsrc commit -q --allow-empty -m one && s1=$(git -C subsrc rev-parse HEAD) &&
	git -C subsrc commit -q --allow-empty -m two && s2=$(git -C subsrc rev-parse HEAD) &&
	git -C subsrc commit -q --allow-empty -m three && s3=$(git -C subsrc rev-parse HEAD) &&
	scenario submodule "mkdir sub && git update-index --add --cacheinfo 160000,$s1,sub" \
		"git update-index --add --cacheinfo 160000,$s2,sub && git commit -q -m a" \
		"git update-index --add --cacheinfo 160000,$s3,sub && git commit -q -m b" &&
	expect_overlap submodule sub conflict submodule &&
	json_get check.json "[f[\"new_mode\"] for t in d[\"tasks\"] for f in t[\"files\"]]" >actual &&
	echo "[57344, 57344]" >expect && test_cmp expect actual &&
	expect_git_agrees submodule
'

test_expect_success 'a mode change against an edit merges cleanly' '
	scenario mode "$LINES" "chmod +x lines.txt" "sed -i s/^line.5\$/five/ lines.txt" &&
	expect_overlap mode lines.txt same-file content &&
	expect_git_agrees mode
'

test_expect_success 'a file added where the other task adds a directory conflicts' '
	scenario filedir "" "echo file >x" "mkdir x && echo below >x/y" &&
	expect_overlap filedir x conflict file/directory &&
	expect_git_agrees filedir
'

test_expect_success 'tasks that share nothing have no overlap' '
	scenario apart "$LINES; echo x >other.txt" "sed -i s/^line.5\$/five/ lines.txt" "echo y >other.txt" &&
	(cd apart && git parallel check --json >../check.json) &&
	json_get check.json "d[\"overlaps\"]" >actual &&
	echo "[]" >expect && test_cmp expect actual &&
	expect_git_agrees apart
'

test_done
