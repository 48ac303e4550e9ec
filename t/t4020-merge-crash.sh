#!/bin/sh

test_description='git parallel merge: repositories and interruptions it must survive'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"
. "$GP_TEST_DIR/lib/faults.sh"

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
	grep "^fatal: .$gd/refs/heads/main.lock. exists" err &&
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
# (the worktree update) records its process group and the signals it
# inherited blocked ("masked": Python keeps the mask, where dash clears it),
# and on request writes one file of the new tree and takes its index's lock
# as a read-tree killed halfway would have (WRAP_PARTIAL), waits for the file
# "go" with the inherited mask (WRAP_WAIT, at most 30 s), fails
# (WRAP_FAIL_FWD; a --reset fails while the file "fail-reset" exists).
REAL_GIT=$(command -v git)
mkdir -p wrap &&
cat >wrap/git <<EOF &&
#!/usr/bin/env python3
import os, signal, subprocess, sys, time
real, trash = "$REAL_GIT", "$TRASH_DIRECTORY"
a = sys.argv[1:]
if a and a[0] == "read-tree":
    mode = "reset" if "--reset" in a else "fwd" if "-u" in a else "index"
    if mode == "fwd" and os.environ.get("WRAP_PARTIAL"):
        with open("a.txt", "wb") as f:
            f.write(subprocess.run([real, "show", a[4] + ":a.txt"], stdout=subprocess.PIPE,
                                   check=True).stdout)
        open(os.environ["GIT_INDEX_FILE"] + ".lock", "w").close()
    if mode == "fwd" and os.environ.get("WRAP_WAIT"):
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
        with open(trash + "/masked", "w") as f:
            f.write(" ".join(sorted(signal.Signals(s).name for s in blocked)) + "\\n")
        with open(trash + "/started.tmp", "w") as f:
            f.write("%d\\n" % os.getpgid(0))
        os.rename(trash + "/started.tmp", trash + "/started")
        for _ in range(600):
            if os.path.exists(trash + "/go"):
                break
            time.sleep(0.05)
    if mode == "fwd" and os.environ.get("WRAP_FAIL_FWD"):
        sys.exit(1)
    if mode == "reset" and os.path.exists(trash + "/fail-reset"):
        sys.exit(1)
os.execv(real, ["git"] + a)
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

# a task that turns the file d.txt into a directory, another that turns the
# directory dir/ into a file
typechange () {
	new_repo "$1" &&
	echo x >"$1/d.txt" && mkdir "$1/dir" && echo y >"$1/dir/f" &&
	cat >"$1/tasks.ini" <<-\EOF &&
	[task "F2D"]
		paths = d.txt
		command = rm d.txt && mkdir d.txt && echo in >d.txt/inner
	[task "D2F"]
		paths = dir
		command = git rm -q -r dir && echo file >dir
	EOF
	git -C "$1" add . && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1)
}

test_expect_success 'a file that becomes a directory and back: the checked-out target follows, as git merge' '
	typechange tc && oracle tc tc-oracle F2D D2F &&
	(cd tc && git parallel merge >../out 2>../err) &&
	grep "2 merged" out &&
	test "$(git -C tc rev-parse main^{tree})" = "$(git -C tc-oracle rev-parse main^{tree})" &&
	consistent tc x $(git -C tc rev-parse main) &&
	test -d tc/d.txt && test -f tc/dir
'

for point in merge-before-read-tree merge-after-read-tree
do
	test_expect_success "a file that becomes a directory, kill -9 at $point: the next merge finishes" '
		typechange tk-$point && old=$(git -C tk-$point rev-parse main) &&
		(cd tk-$point && GIT_PARALLEL_TEST_CRASH_AT=$point git parallel merge >/dev/null 2>&1;
		 test_crashed $?) &&
		new=$(git -C tk-$point rev-parse main) &&
		(cd tk-$point && git parallel merge >../out 2>../err) &&
		consistent tk-$point x $new &&
		test -d tk-$point/d.txt && test -f tk-$point/dir
	'
done

test_expect_success 'a touched file in the target is not dirty: the merge goes through' '
	three s1 && oracle s1 s1-oracle T1 T2 T3 &&
	touch -d "2001-01-01" s1/a.txt s1/README &&
	(cd s1 && git parallel merge >../out 2>../err) &&
	grep "3 merged" out &&
	test "$(git -C s1 rev-parse main^{tree})" = "$(git -C s1-oracle rev-parse main^{tree})" &&
	consistent s1 x $(git -C s1 rev-parse main)
'

# merge_bg <repo> <env...>: git-parallel merge in <repo>, in a session of
# its own (as a terminal's job: a signal to its group reaches git too), with
# the wrapper first on PATH; its exit code lands in "rc"
merge_bg () {
	repo=$1 && shift &&
	rm -f rc started go &&
	test_when_finished ": >go; wait_rc" || return 1
	(cd "$repo" && env PATH="$TRASH_DIRECTORY/wrap:$PATH" "$@" setsid git-parallel merge \
		>../out 2>../err; echo $? >../rc.tmp; mv ../rc.tmp ../rc) &
}

# wait_rc: until the background merge has ended (at most 60 s)
wait_rc () {
	n=0
	while ! test -e rc
	do
		n=$((n + 1)) && test $n -lt 1200 || { echo "the merge did not end"; return 1; }
		sleep 0.05
	done
}

for sig in INT TERM HUP
do
	test_expect_success "SIG$sig to the whole group during a slow read-tree: the update finishes, then the merge stops" '
		three g-$sig && old=$(git -C g-$sig rev-parse main) &&
		merge_bg g-$sig WRAP_WAIT=1 &&
		wait_for started &&
		pgid=$(cat started) && test -n "$pgid" &&
		kill -$sig -$pgid &&
		: >go && wait_rc &&
		echo "SIGHUP SIGINT SIGQUIT SIGTERM" >expect && test_cmp expect masked &&
		case $sig in INT) code=130 ;; TERM) code=143 ;; HUP) code=129 ;; esac &&
		echo $code >expect && test_cmp expect rc &&
		grep "received while the target was updated; the update was finished first" err &&
		new=$(git -C g-$sig rev-parse main) && test "$new" != "$old" &&
		consistent g-$sig x $new &&
		for id in T1 T2 T3; do task_state g-$sig $id >actual && echo merged >expect && test_cmp expect actual || return 1; done
	'
done

test_expect_success 'kill -9 of the whole group in the middle of read-tree: git stays off the index, the next merge finishes' '
	three m1 && old=$(git -C m1 rev-parse main) &&
	merge_bg m1 WRAP_PARTIAL=1 WRAP_WAIT=1 &&
	wait_for started &&
	pgid=$(cat started) && test -n "$pgid" &&
	kill -9 -$pgid && wait_rc && test_crashed $(cat rc) &&
	new=$(git -C m1 rev-parse main) && test "$new" != "$old" &&
	! consistent m1 $old $new &&
	test_must_fail git -C m1 commit -qam sneaky 2>commit.err &&
	grep "index.lock" commit.err &&
	(cd m1 && git parallel merge >../out 2>../err) &&
	consistent m1 x $new &&
	for id in T1 T2 T3; do task_state m1 $id >actual && echo merged >expect && test_cmp expect actual || return 1; done
'

test_expect_success 'read-tree fails after writing a file, and so does the rollback: the advice printed works' '
	three f1 && old=$(git -C f1 rev-parse main) &&
	: >fail-reset &&
	merge_bg f1 WRAP_PARTIAL=1 WRAP_FAIL_FWD=1 && wait_rc &&
	echo 128 >expect && test_cmp expect rc &&
	grep "nor restore it to" err &&
	advice=$(sed -n "s/.*then run .\(git parallel merge\). again: it finishes or undoes this.*/\1/p" err) &&
	test "$advice" = "git parallel merge" &&
	! consistent f1 $old x &&
	rm fail-reset &&
	(cd f1 && $advice >../out 2>../err) &&
	new=$(git -C f1 rev-parse main) && test "$new" != "$old" &&
	consistent f1 x $new &&
	for id in T1 T2 T3; do task_state f1 $id >actual && echo merged >expect && test_cmp expect actual || return 1; done
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

test_expect_success 'a file size limit kills read-tree halfway (ulimit -f): put back, as before' '
	mk_tasks q1 "T1|a.txt|sed -i s/^2\$/two/ a.txt" "T2|big.bin|head -c 300000 /dev/zero >big.bin" &&
	old=$(git -C q1 rev-parse main) &&
	(cd q1 && ulimit -f 100 && git parallel merge >../out 2>../err; echo $? >../rc) &&
	echo 128 >expect && test_cmp expect rc &&
	grep "put back to" err && grep "killed by SIGXFSZ" err &&
	consistent q1 $old x && ! test -e q1/big.bin &&
	(cd q1 && git parallel merge >/dev/null) && consistent q1 x $(git -C q1 rev-parse main) &&
	test $(wc -c <q1/big.bin) = 300000
'

# gone <pid file>: that process has ended (at most 10 s)
gone () {
	n=0
	while kill -0 $(cat "$1") 2>/dev/null
	do
		n=$((n + 1)) && test $n -lt 200 || return 1
		sleep 0.05
	done
}

test_expect_success 'merge killed during --verify: the next merge removes the scratch worktree' '
	three v1 &&
	(cd v1 && GIT_PARALLEL_TEST_CRASH_AT=merge-verify-worktree git parallel merge --verify true \
		>/dev/null 2>&1; test_crashed $?) &&
	git -C v1 worktree list --porcelain >wt && grep "gp-verify-T1-" wt &&
	ls v1.parallel >dirs && grep "^gp-verify-T1-" dirs &&
	(cd v1 && git parallel merge --verify true >../out 2>../err) &&
	git -C v1 worktree list --porcelain >wt && ! grep gp-verify wt &&
	ls v1.parallel >dirs && ! grep gp-verify dirs &&
	grep "3 merged" out && consistent v1 x $(git -C v1 rev-parse main)
'

test_expect_success 'a scratch worktree of a merge still running is left alone' '
	three v2 &&
	git -C v2 worktree add -q --detach "$TRASH_DIRECTORY/v2.parallel/gp-verify-T9-$$" &&
	(cd v2 && git parallel merge --verify true >/dev/null 2>&1) &&
	git -C v2 worktree list --porcelain >wt && grep "gp-verify-T9-$$" wt
'

test_expect_success '--verify-timeout: the whole verify group is stopped, the task is verify-failed' '
	three v3 && old=$(git -C v3 rev-parse main) &&
	(cd v3 && test_expect_code 1 git parallel merge --verify-timeout 1s \
		--verify "sleep 60 & echo \$! >\"$TRASH_DIRECTORY/bgpid\"; wait" T1 >../out 2>../err) &&
	grep "^T1  *verify-failed  *.sleep 60.*timed out after" out &&
	gone bgpid &&
	test "$(git -C v3 rev-parse main)" = "$old" &&
	git -C v3 worktree list --porcelain >wt && ! grep gp-verify wt &&
	test_expect_code 129 git -C v3 parallel merge --verify-timeout soon 2>err &&
	grep "not a duration" err
'

for sig in INT TERM HUP
do
	test_expect_success "SIG$sig during --verify: the verify group is stopped, nothing is merged, merge dies of it" '
		three w-$sig && old=$(git -C w-$sig rev-parse main) && rm -f vstarted rc &&
		cmd="echo \$PPID >\"$TRASH_DIRECTORY/mpid\"; sleep 60 & echo \$! >\"$TRASH_DIRECTORY/bgpid\";
			: >\"$TRASH_DIRECTORY/vstarted\"; wait" || return 1
		(cd w-$sig && git-parallel merge --verify "$cmd" >../out 2>../err; echo $? >../rc.tmp; mv ../rc.tmp ../rc) &
		wait_for vstarted &&
		kill -$sig $(cat mpid) && wait_rc &&
		case $sig in INT) code=130 ;; TERM) code=143 ;; HUP) code=129 ;; esac &&
		echo $code >expect && test_cmp expect rc &&
		grep "SIG$sig received while verifying task .T1.; nothing was merged" err &&
		gone bgpid &&
		test "$(git -C w-$sig rev-parse main)" = "$old" &&
		git -C w-$sig worktree list --porcelain >wt && ! grep gp-verify wt &&
		task_state w-$sig T1 >actual && echo done >expect && test_cmp expect actual
	'
done

test_done
