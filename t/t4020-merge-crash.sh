#!/bin/sh

test_description='git parallel merge: repositories and interruptions it must survive'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"
. "$GP_TEST_DIR/lib/faults.sh"

# three clean tasks: T1 edits a.txt, T2 adds b.txt, T3 edits shared.txt
three () {
	mk_tasks "$1" \
		"T1|a.txt|sed -i s/^2\$/two/ a.txt" \
		"T2|b.txt|echo b >b.txt" \
		"T3|shared.txt|sed -i s/^5\$/five/ shared.txt"
}

# consistent <repo> <old> <new>: main is at <old> or <new>, and HEAD, the
# index and the files all hold that same tree; fsck is clean.
consistent () {
	tip=$(git -C "$1" rev-parse main) &&
	{ test "$tip" = "$2" || test "$tip" = "$3"; } &&
	test "$(git -C "$1" rev-parse HEAD)" = "$tip" &&
	git -C "$1" status --porcelain >cons.st && test_must_be_empty cons.st &&
	test "$(git -C "$1" write-tree)" = "$(git -C "$1" rev-parse "$tip^{tree}")" &&
	git -C "$1" fsck >/dev/null 2>&1
}

test_expect_success 'a task branch with no common history: failed, the rest merge' '
	three u1 &&
	orphan=$(echo other | git -C u1 hash-object -w --stdin) &&
	tree=$(printf "100644 blob %s\tother.txt\n" $orphan | git -C u1 mktree) &&
	c=$(git -C u1 commit-tree -m orphan $tree) &&
	git -C u1 update-ref refs/heads/parallel/T2 $c &&
	(cd u1 && test_expect_code 1 git parallel merge >../out 2>../err) &&
	grep "^T2  *failed  *.parallel/T2. has no common history with .main." out &&
	! git -C u1 merge-base --is-ancestor $c main &&
	git -C u1 merge-base --is-ancestor parallel/T1 main &&
	git -C u1 merge-base --is-ancestor parallel/T3 main &&
	test_must_fail git -C u1 merge --no-edit parallel/T2 2>git.err &&
	grep "unrelated histories" git.err &&
	(cd u1 && git parallel merge --json T2 >../out.json; test $? = 1) &&
	json_get out.json "d[\"results\"][0][\"outcome\"]" >actual &&
	echo failed >expect && test_cmp expect actual &&
	json_get out.json "d[\"results\"][0][\"reason\"]" >actual &&
	grep "no common history" actual
'

test_expect_success 'a stale lock on the target ref: the message names the file, nothing changes' '
	three l1 && old=$(git -C l1 rev-parse main) &&
	gd=$(git -C l1 rev-parse --path-format=absolute --git-common-dir) &&
	>"$gd/refs/heads/main.lock" &&
	(cd l1 && test_expect_code 128 git parallel merge >../out 2>../err) &&
	grep "error: .$gd/refs/heads/main.lock. exists" err &&
	grep "remove the file" err &&
	test "$(git -C l1 rev-parse main)" = "$old" &&
	task_state l1 T1 >actual && echo done >expect && test_cmp expect actual &&
	rm "$gd/refs/heads/main.lock" &&
	(cd l1 && git parallel merge >/dev/null) &&
	repo_is_tidy l1
'

test_expect_success 'a stale lock on a task branch: that task fails naming the file, the rest merge' '
	three l2 &&
	gd=$(git -C l2 rev-parse --path-format=absolute --git-common-dir) &&
	>"$gd/refs/heads/parallel/T1.lock" &&
	(cd l2 && test_expect_code 1 git parallel merge >../out 2>../err) &&
	grep "^T1  *failed  *.$gd/refs/heads/parallel/T1.lock. exists" out &&
	grep "remove the file" out &&
	! git -C l2 merge-base --is-ancestor parallel/T1 main &&
	git -C l2 merge-base --is-ancestor parallel/T2 main &&
	rm "$gd/refs/heads/parallel/T1.lock" &&
	(cd l2 && git parallel merge >/dev/null) &&
	git -C l2 merge-base --is-ancestor parallel/T1 main &&
	repo_is_tidy l2
'

# A git wrapper, first on PATH for git-parallel only (run directly: git
# itself would put its exec-path first): "git read-tree"
# (the worktree update) records its process group, and on request writes
# one file of the new tree and takes its index's lock as a read-tree killed
# halfway would have (WRAP_PARTIAL), waits for the file "go" (WRAP_WAIT),
# fails (WRAP_FAIL_FWD; a --reset fails while the file "fail-reset" exists).
REAL_GIT=$(command -v git)
mkdir -p wrap &&
cat >wrap/git <<EOF &&
#!/bin/sh
if test "\$1" = read-tree
then
	case " \$* " in
	*" --reset "*) mode=reset ;;
	*" -u "*) mode=fwd ;;
	*) mode=index ;;
	esac
	if test \$mode = fwd && test -n "\$WRAP_PARTIAL"
	then
		"$REAL_GIT" show "\$5:a.txt" >a.txt &&
		: >"\$GIT_INDEX_FILE.lock"
	fi
	if test \$mode = fwd && test -n "\$WRAP_WAIT"
	then
		ps -o pgid= \$\$ | tr -d " " >"$TRASH_DIRECTORY/pgid" &&
		: >"$TRASH_DIRECTORY/started" &&
		while ! test -e "$TRASH_DIRECTORY/go"; do sleep 0.05; done
	fi
	test \$mode = fwd && test -n "\$WRAP_FAIL_FWD" && exit 1
	test \$mode = reset && test -e "$TRASH_DIRECTORY/fail-reset" && exit 1
fi
exec "$REAL_GIT" "\$@"
EOF
chmod +x wrap/git

# wait_for <file>: until it exists, or the background merge has ended (rc)
wait_for () {
	while ! test -e "$1"
	do
		test -e rc && { echo "the merge ended before $1"; return 1; }
		sleep 0.05
	done
}

test_expect_success 'a touched file in the target is not dirty: the merge goes through' '
	three s1 && oracle s1 s1-oracle T1 T2 T3 &&
	touch -d "2001-01-01" s1/a.txt s1/README &&
	(cd s1 && git parallel merge >../out 2>../err) &&
	grep "3 merged" out &&
	test "$(git -C s1 rev-parse main^{tree})" = "$(git -C s1-oracle rev-parse main^{tree})" &&
	consistent s1 x $(git -C s1 rev-parse main)
'

for point in merge-before-read-tree merge-after-read-tree merge-after-install merge-before-states
do
	test_expect_success "kill -9 at $point: the target is as before or after, the next merge finishes" '
		three k-$point && old=$(git -C k-$point rev-parse main) &&
		(cd k-$point && GIT_PARALLEL_TEST_CRASH_AT=$point git parallel merge >/dev/null 2>&1;
		 test_crashed $?) &&
		new=$(git -C k-$point rev-parse main) && test "$new" != "$old" &&
		if ! consistent k-$point $old $new
		then
			# not yet consistent: git is kept off the index until the merge finishes
			test_must_fail git -C k-$point commit -qam sneaky 2>commit.err &&
			grep "index.lock" commit.err
		fi &&
		(cd k-$point && git parallel merge >../out 2>../err) &&
		consistent k-$point x $new &&
		for id in T1 T2 T3; do task_state k-$point $id >actual && echo merged >expect && test_cmp expect actual || return 1; done
	'
done

test_expect_failure 'a file size limit kills read-tree halfway (ulimit -f): put back, as before' '
	mk_tasks q1 "T1|a.txt|sed -i s/^2\$/two/ a.txt" "T2|big.bin|head -c 300000 /dev/zero >big.bin" &&
	old=$(git -C q1 rev-parse main) &&
	(cd q1 && ulimit -f 100 && git parallel merge >../out 2>../err; echo $? >../rc) &&
	echo 128 >expect && test_cmp expect rc &&
	grep "put back to" err &&
	consistent q1 $old x && ! test -e q1/big.bin &&
	(cd q1 && git parallel merge >/dev/null) && consistent q1 x $(git -C q1 rev-parse main) &&
	test $(wc -c <q1/big.bin) = 300000
'

test_done
