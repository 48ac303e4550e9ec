#!/bin/sh

test_description='a git child that hangs is stopped after parallel.git-timeout

git merge-tree runs merge drivers, git checkout-index and git diff-files
run filter drivers: one that never ends must not hang check, merge or
run.  Each git child has parallel.git-timeout (default 10 minutes; here
1s); past it git gets SIGTERM (it removes its lock files), then SIGKILL,
the command says which git it stopped and what for, and goes on as when
git cannot answer: check --exact and merge take libgit2'"'"'s merge (and
ask git nothing more), a task whose files git was converting fails and
its worktree is removed.  Every command here would wait 300 s for the
driver without the limit: each runs under timeout 120, so a hang fails.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/merge.sh"

test_expect_success 'setup: two tasks changing the same line of a.txt, merge driver "hang"' '
	new_repo repo &&
	echo "a.txt merge=hang" >repo/.gitattributes &&
	line_tasks repo A=15 B=15 &&
	(
		cd repo &&
		git config merge.hang.name "a driver that never ends" &&
		git config merge.hang.driver "echo \$\$ >>\"$HUNG\"; exec sleep 300" &&
		git config parallel.git-timeout 1s
	) &&
	test_when_finished kill_hung &&
	# the oracle: git merge-tree runs the driver (and would wait for it)
	test_expect_code 124 timeout 3 git -C repo merge-tree --write-tree parallel/A parallel/B &&
	test -s "$HUNG" &&
	# (git killed by timeout leaves the temporary files of the driver)
	rm -f repo/.merge_file_* &&
	git -C repo rev-parse main >main.before
'

test_expect_success 'check --exact: git merge-tree stopped, named with the pair; no hang' '
	test_when_finished kill_hung &&
	(cd repo && test_expect_code 1 timeout 120 git parallel check --exact >../out 2>../err) &&
	grep "warning: git merge-tree.* for .* did not finish within 1s (parallel.git-timeout): stopped it" err &&
	test $(grep -c "did not finish" err) = 1 &&
	grep "a.txt" out &&
	# the driver was stopped first: git removed its temporary files
	git -C repo status --porcelain >st &&
	test_must_be_empty st
'

test_expect_success 'merge: stopped, said once; A merged, B not (libgit2 conflicts): nothing half done' '
	test_when_finished kill_hung &&
	(cd repo && test_expect_code 1 timeout 120 git parallel merge >../out 2>../err) &&
	grep "did not finish within 1s (parallel.git-timeout): stopped it" err &&
	test $(grep -c "did not finish" err) = 1 &&
	test "$(task_state repo A)" = merged &&
	test "$(task_state repo B)" = conflict &&
	git -C repo rev-parse main^2 >merged &&
	git -C repo rev-parse parallel/A >expect &&
	test_cmp expect merged &&
	repo_is_tidy repo
'

test_expect_success 'parallel.git-timeout = 0: no limit (git is waited for)' '
	test_when_finished kill_hung &&
	test_when_finished "git -C repo config parallel.git-timeout 1s" &&
	git -C repo config parallel.git-timeout 0 &&
	(cd repo && test_expect_code 124 timeout 5 git parallel check --exact >../out 2>../err)
'

test_expect_success 'a bad parallel.git-timeout is refused, naming the key' '
	test_when_finished "git -C repo config parallel.git-timeout 1s" &&
	git -C repo config parallel.git-timeout soon &&
	(cd repo && test_expect_code 128 git parallel check >../out 2>../err) &&
	grep "parallel.git-timeout" err
'

test_expect_success 'setup: a smudge filter that hangs, for the files of a new task' '
	new_repo srepo &&
	(
		cd srepo &&
		echo "*.dat filter=slow" >.gitattributes &&
		echo data >x.dat && test_seq 1 5 >b.txt &&
		git add . && git commit -q -m base &&
		cat >../stasks.ini <<-\EOT &&
		[task "S"]
			title = s
			command = echo 6 >>b.txt
		EOT
		git parallel plan ../stasks.ini >/dev/null &&
		git config filter.slow.smudge "echo \$\$ >>\"$HUNG\"; exec sleep 300" &&
		git config filter.slow.clean cat &&
		git config parallel.git-timeout 1s
	)
'

test_expect_success 'run: git checkout-index stopped, the task fails naming it; no worktree, no lock left' '
	test_when_finished kill_hung &&
	(cd srepo && test_expect_code 1 timeout 120 git parallel run >../out 2>../err) &&
	test "$(task_state srepo S)" = failed &&
	cat out err >all &&
	grep "task .S.*git checkout-index. did not finish within 1s (parallel.git-timeout): stopped it" all &&
	! test -d "$(git -C srepo rev-parse --path-format=absolute --git-common-dir)/worktrees/S" &&
	git -C srepo worktree list >wt && test_line_count = 1 wt &&
	! find srepo/.git -name "*.lock" | grep . &&
	git -C srepo fsck >/dev/null 2>&1
'

test_expect_success 'setup: a racily clean file whose clean filter will hang' '
	cat >up <<-EOF &&
	#!/bin/sh
	if test -f "$TRASH_DIRECTORY/hang.now"; then echo \$\$ >>"$HUNG"; exec sleep 300; fi
	tr a-z A-Z
	EOF
	chmod +x up &&
	new_repo crepo &&
	(
		cd crepo &&
		git config filter.x.clean "\"$TRASH_DIRECTORY/up\"" &&
		git config filter.x.smudge "tr A-Z a-z" &&
		echo "*.up filter=x" >.gitattributes &&
		printf "HELLO\nWORLD\n" >words.up && test_seq 1 20 >plain.txt &&
		git add . && git commit -q -m base &&
		cat >../ctasks.ini <<-\EOT &&
		[task "T1"]
			title = t1
			command = sed -i 3s/3/three/ plain.txt
		EOT
		git parallel plan ../ctasks.ini >/dev/null &&
		git parallel run >/dev/null 2>&1 &&
		git config parallel.git-timeout 1s
	) &&
	wt=$(git -C crepo worktree list --porcelain | sed -n "s/^worktree //p" | grep "/T1$") &&
	# every file written by git, then every mtime and the index'"'"'s in one second
	(cd "$wt" && git ls-files -z | xargs -0 rm -f && git checkout -q -- . &&
	 s=$(( $(date +%s) - 200 )) &&
	 git ls-files | while read f; do touch -m -d @$s.1 "$f" || exit 1; done &&
	 git update-index -q --refresh &&
	 touch -m -d @$s.9 "$(git rev-parse --path-format=absolute --git-path index)") &&
	echo "$wt" >wt.path
'

test_expect_success 'check: git diff-files stopped, naming the worktree; its files count as changed' '
	test_when_finished kill_hung &&
	test_when_finished "rm -f hang.now" &&
	wt=$(cat wt.path) &&
	touch hang.now &&
	(cd crepo && timeout 120 git parallel check --json >../out 2>../err) &&
	grep "warning: git diff-files in .*T1. did not finish within 1s (parallel.git-timeout): stopped it" err &&
	json_get out "\" \".join(\"%s:%d\" % (t[\"id\"], t[\"uncommitted\"]) for t in d[\"tasks\"])" >uncommitted &&
	echo T1:1 >expect &&
	test_cmp expect uncommitted &&
	! find "$(git -C "$wt" rev-parse --path-format=absolute --git-dir)" -name "*.lock" | grep .
'

test_expect_success 'the same check with a filter that answers: clean, as git status says' '
	wt=$(cat wt.path) &&
	GIT_OPTIONAL_LOCKS=0 git -C "$wt" status --porcelain >st &&
	test_must_be_empty st &&
	(cd crepo && timeout 120 git parallel check --json >../out 2>../err) &&
	! grep "did not finish" err &&
	json_get out "\" \".join(\"%s:%d\" % (t[\"id\"], t[\"uncommitted\"]) for t in d[\"tasks\"])" >uncommitted &&
	echo T1:0 >expect &&
	test_cmp expect uncommitted
'

test_done
