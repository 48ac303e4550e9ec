#!/bin/sh

test_description='check: each task'"'"'s committed footprint cached in its state

run measures a task'"'"'s committed footprint when it ends and caches it in
the state (footprints/<id>), keyed by its merge base'"'"'s tree and its
head'"'"'s; check reads it while the key holds.  A cache hit reports
byte for byte what a cold check does (text, --json, --exact); a moved
branch, a new commit or diff.renameLimit is another key; uncommitted work
is read from the worktree as ever; a cache that is not exactly one
(torn, edited, of another version, not a file) is measured again, never
an error; a footprint with a type change is not cached.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/footprint.sh"

# outputs <name>: every check report of repo (stdout, stderr, exit code) into <name>.*
outputs () {
	for o in plain json exact exact-json; do
		case $o in
		plain) opts= ;; json) opts=--json ;; exact) opts=--exact ;; exact-json) opts="--exact --json" ;;
		esac
		(cd repo && git parallel check $opts >../$1.$o 2>../$1.$o.err; echo "exit $?" >>../$1.$o) || return 1
	done
}

# same_outputs <a> <b>
same_outputs () {
	for o in plain json exact exact-json; do
		test_cmp $1.$o $2.$o && test_cmp $1.$o.err $2.$o.err || return 1
	done
}

# reseal <file>: the checksum of an edited cache made right again
reseal () {
	sed "\$d" "$1" >"$1.body" &&
	n=$(($(wc -l <"$1.body") - 2)) &&
	sum=$(git hash-object --stdin <"$1.body") &&
	{ cat "$1.body" && echo "end $n $sum"; } >"$1" &&
	rm -f "$1.body"
}

FP=repo/.git/parallel/footprints

test_expect_success 'setup: tasks that rename, add, delete, modify, retype' '
	new_repo repo &&
	mkdir -p repo/src repo/doc &&
	for f in src/a.c src/b.c doc/c.txt gone.txt moved.txt "with space.txt" "per%cent.txt"; do
		thirty_lines >"repo/$f" || return 1
	done &&
	printf "a\\000b\\000c\\n" >repo/blob.bin &&
	ln -s src/a.c repo/link &&
	{
		task_ini T1 "sed -i s/^line.5\$/five/ src/a.c && echo new >doc/new.txt && git rm -q gone.txt" &&
		task_ini T2 "git mv moved.txt \"doc/moved now.txt\" && sed -i s/^line.6\$/six/ src/a.c && printf \"x\\\\000y\\\\n\" >blob.bin" &&
		task_ini T3 "sed -i s/^line.9\$/nine/ \"with space.txt\" \"per%cent.txt\" src/b.c && git mv src/b.c src/b2.c" &&
		task_ini T4 "rm link && echo file >link && sed -i s/^line.7\$/seven/ src/a.c"
	} >repo/tasks.ini &&
	run_tasks repo T1 T2 T3 T4
'

test_expect_success 'run caches each footprint when its task ends, not one with a type change' '
	test -f $FP/T1 &&
	test -f $FP/T2 &&
	test -f $FP/T3 &&
	! test -e $FP/T4 &&
	mb=$(git -C repo rev-parse "main^{tree}") &&
	head=$(git -C repo rev-parse "parallel/T2^{tree}") &&
	sed -n 2p $FP/T2 | grep "^key $mb $head -1 [0-9a-f]\{40\}\$" &&
	grep "	doc/moved now.txt	moved.txt\$" $FP/T2 &&
	grep "	per%25cent.txt	per%25cent.txt\$" $FP/T3 &&
	tail -n 1 $FP/T1 | grep "^end 3 [0-9a-f]\{40\}\$"
'

test_expect_success 'a cache hit reports what a cold check does, byte for byte' '
	outputs hit &&
	cp -R $FP run-cache &&
	rm -rf $FP &&
	outputs cold &&
	same_outputs cold hit &&
	test_cmp run-cache/T1 $FP/T1 &&
	test_cmp run-cache/T2 $FP/T2 &&
	test_cmp run-cache/T3 $FP/T3 &&
	grep "T2" hit.exact-json &&
	grep "exit 1" hit.plain
'

test_expect_success 'check reads the cache (an edited one, checksum made right, is believed)' '
	cp $FP/T1 T1.saved &&
	sed -i "s|	doc/new.txt	-\$|	doc/from-cache.txt	-|" $FP/T1 &&
	reseal $FP/T1 &&
	(cd repo && git parallel check --json >../edited.json 2>&1 || :) &&
	grep "doc/from-cache.txt" edited.json &&
	cp T1.saved $FP/T1
'

test_expect_success 'a corrupt, foreign or misplaced cache is measured again, quietly' '
	for how in torn sum version empty garbage dir; do
		rm -rf $FP/T1 &&
		case $how in
		torn) head -c 300 T1.saved >$FP/T1 ;;
		sum) sed "s|doc/new.txt|doc/NEW.txt|" T1.saved >$FP/T1 ;;
		version) sed "1s/.*/git-parallel footprint 9 0.0.0/" T1.saved >$FP/T1 && reseal $FP/T1 ;;
		empty) >$FP/T1 ;;
		garbage) printf "\\000\\377%%zz\\n" >$FP/T1 ;;
		dir) mkdir $FP/T1 ;;
		esac &&
		outputs $how &&
		same_outputs cold $how || return 1
		if test $how = dir
		then
			test -d $FP/T1 || return 1
		else
			test_cmp T1.saved $FP/T1 || return 1
		fi
	done &&
	rm -rf $FP/T1 && cp T1.saved $FP/T1
'

test_expect_success 'a state directory the cache cannot be written to: check as ever' '
	rm -rf $FP && echo "not a directory" >$FP &&
	outputs nodir &&
	same_outputs cold nodir &&
	rm -f $FP
'

test_expect_success 'a new commit on a task branch is another key' '
	(cd repo && git parallel check --exact >/dev/null 2>&1 || :) &&
	wt=repo.parallel/T1 &&
	echo more >"$wt/doc/more.txt" && git -C "$wt" add doc/more.txt && git -C "$wt" commit -q -m more &&
	(cd repo && git parallel check --json >../more.json 2>&1 || :) &&
	grep "doc/more.txt" more.json &&
	head=$(git -C repo rev-parse "parallel/T1^{tree}") &&
	sed -n 2p $FP/T1 | grep " $head -1 [0-9a-f]\{40\}\$" &&
	grep "	doc/more.txt	-\$" $FP/T1
'

test_expect_success 'a branch moved by hand is another key' '
	git -C repo.parallel/T3 reset -q --hard main &&
	(cd repo && git parallel check --json >../moved.json 2>&1 || :) &&
	! grep "src/b2.c" moved.json &&
	grep "^end 0 " $FP/T3
'

test_expect_success 'uncommitted work is read from the worktree, cache or not' '
	wt=repo.parallel/T2 &&
	echo edit >>"$wt/doc/c.txt" &&
	(cd repo && git parallel check --json >../dirty.json 2>&1 || :) &&
	json_get dirty.json "[f[\"uncommitted\"] for t in d[\"tasks\"] if t[\"id\"] == \"T2\" for f in t[\"files\"] if f[\"path\"] == \"doc/c.txt\"][0]" >actual &&
	echo True >expect &&
	test_cmp expect actual &&
	git -C "$wt" checkout -q -- doc/c.txt
'

test_expect_success 'diff.renameLimit (libgit2 reads it) is part of the key' '
	git -C repo config diff.renameLimit 7 &&
	(cd repo && git parallel check >/dev/null 2>&1 || :) &&
	sed -n 2p $FP/T2 | grep " 7 [0-9a-f]\{40\}\$" &&
	git -C repo config --unset diff.renameLimit
'

# any_binary <json>: whether check --json called T2's src/a.c binary
any_binary () {
	json_get $1 "[f[\"binary\"] for t in d[\"tasks\"] if t[\"id\"] == \"T2\" for f in t[\"files\"] if f[\"path\"] == \"src/a.c\"][0]"
}

test_expect_success 'attributes outside the trees and diff.<driver>.binary are part of the key' '
	(cd repo && git parallel check --json >../a0.json 2>&1 || :) &&
	echo False >expect && any_binary a0.json >actual && test_cmp expect actual &&
	sed -n 2p $FP/T2 >key0 &&
	mkdir -p repo/.git/info &&
	echo "*.c -diff" >repo/.git/info/attributes &&
	(cd repo && git parallel check --json >../a1.json 2>&1 || :) &&
	echo True >expect && any_binary a1.json >actual && test_cmp expect actual &&
	sed -n 2p $FP/T2 >key1 && ! test_cmp key0 key1 &&
	echo "*.c diff=bin" >repo/.git/info/attributes &&
	git -C repo config diff.bin.binary true &&
	(cd repo && git parallel check --json >../a2.json 2>&1 || :) &&
	any_binary a2.json >actual && test_cmp expect actual &&
	git -C repo config diff.bin.binary false &&
	(cd repo && git parallel check --json >../a3.json 2>&1 || :) &&
	echo False >expect && any_binary a3.json >actual && test_cmp expect actual &&
	git -C repo config --unset diff.bin.binary &&
	rm repo/.git/info/attributes &&
	(cd repo && git parallel check --json >../a4.json 2>&1 || :) &&
	any_binary a4.json >actual && test_cmp expect actual &&
	sed -n 2p $FP/T2 >key4 && test_cmp key0 key4
'

test_expect_success 'a temporary file a killed writer left is swept by the next run' '
	echo partial >$FP/T1.tmp.999999 &&
	(cd repo && git parallel run >/dev/null 2>&1 || :) &&
	! test -e $FP/T1.tmp.999999
'

test_done
