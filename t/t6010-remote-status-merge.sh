#!/bin/sh

test_description='status --remote, merge --remote and clean --remote against a bare remote'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

test_expect_success 'setup: workers in fresh clones, in dependency order, as a CI engine runs them' '
	remote_setup &&
	for id in T001 T002 T003
	do
		fresh_clone "w$id" &&
		(cd "w$id" && git parallel worker "$REMOTE_URL" $id >../out.$id 2>&1) ||
		{ cat out.$id; return 1; }
	done
'

test_expect_success 'status --remote: the table from the remote'"'"'s refs' '
	fresh_clone viewer &&
	(cd viewer && git parallel status --remote "$REMOTE_URL") >out &&
	grep "^T001  done .*1 commit, 1 file" out &&
	grep "^T002  done" out &&
	grep "^T003  done" out
'

test_expect_success 'status --remote --json: the same schema, with the claims' '
	(cd viewer && git parallel status --remote "$REMOTE_URL" --json) >st.json &&
	json_get st.json "d[\"version\"]" >actual && echo 1 >expect && test_cmp expect actual &&
	json_get st.json "[t[\"state\"] for t in d[\"tasks\"]]" >actual &&
	echo "[\"done\", \"done\", \"done\"]" >expect && test_cmp expect actual &&
	json_get st.json "[t[\"branch\"] for t in d[\"tasks\"]]" >actual &&
	echo "[\"parallel/T001\", \"parallel/T002\", \"parallel/T003\"]" >expect && test_cmp expect actual &&
	json_get st.json "[t[\"stale\"] for t in d[\"tasks\"]]" >actual &&
	echo "[false, false, false]" >expect && test_cmp expect actual &&
	json_get st.json "d[\"tasks\"][0][\"head\"]" >actual &&
	git -C remote.git rev-parse parallel/T001 >expect && test_cmp expect actual
'

test_expect_success 'status --remote does not touch the local state' '
	test_no_state viewer
'

test_expect_success 'a remote without a plan: status --remote says so' '
	git init -q --bare empty.git &&
	(cd viewer && test_expect_code 128 git parallel status --remote "file://$TRASH_DIRECTORY/empty.git" 2>../err) &&
	grep "holds no plan" err
'

test_expect_success 'merge --remote refuses a target moved on the remote: nothing overwritten, exit 1' '
	git clone -q "$REMOTE_URL" other &&
	(cd other && echo other >other.txt && git add other.txt && git commit -q -m other && git push -q origin main) &&
	moved=$(git -C remote.git rev-parse main) &&
	states=$(git -C remote.git for-each-ref refs/parallel/state) &&
	(cd repo && test_expect_code 1 git parallel merge --remote "$REMOTE_URL" >../out 2>../err) &&
	grep "moved to" err &&
	git -C remote.git rev-parse main >actual &&
	echo $moved >expect && test_cmp expect actual &&
	git -C remote.git for-each-ref refs/parallel/state >actual &&
	echo "$states" >expect && test_cmp expect actual &&
	(cd repo && git parallel status T001) >out &&
	grep "^T001 *done" out
'

test_expect_success 'merge --remote merges the remote'"'"'s finished tasks and pushes the target' '
	git -C repo pull -q --no-rebase "$REMOTE_URL" main &&
	(cd repo && git parallel merge --remote "$REMOTE_URL" >../out 2>../err) &&
	grep "3 merged" out &&
	grep "pushed .main. and 3 task states" err &&
	git -C repo rev-parse main >expect &&
	git -C remote.git rev-parse main >actual &&
	test_cmp expect actual &&
	for f in src/f1.c src/f2.c src/f3.c; do git -C remote.git show main:$f | grep "was here" || return 1; done &&
	git -C remote.git show main:other.txt &&
	git -C remote.git fsck &&
	for id in T001 T002 T003; do echo merged >expect && remote_state $id >actual && test_cmp expect actual || return 1; done
'

test_expect_success 'the merged tree is what git merge of the task branches gives' '
	git clone -q "$REMOTE_URL" oracle &&
	git -C oracle checkout -q "$(git -C repo rev-parse main^1^1^1)" &&
	git -C oracle fetch -q origin "refs/heads/parallel/*:refs/remotes/origin/parallel/*" &&
	git -C oracle merge -q --no-edit origin/parallel/T001 &&
	git -C oracle merge -q --no-edit origin/parallel/T002 &&
	git -C oracle merge -q --no-edit origin/parallel/T003 &&
	git -C oracle rev-parse HEAD^{tree} >expect &&
	git -C remote.git rev-parse main^{tree} >actual &&
	test_cmp expect actual
'

test_expect_success 'status --remote shows them merged; merge --remote again is a no-op' '
	(cd viewer && git parallel status --remote "$REMOTE_URL") >out &&
	test $(grep -c "merged" out) = 3 &&
	before=$(git -C remote.git rev-parse main) &&
	(cd repo && git parallel merge --remote "$REMOTE_URL" >../out 2>../err) &&
	git -C remote.git rev-parse main >actual &&
	echo $before >expect && test_cmp expect actual
'

test_expect_success 'clean --remote removes the refs of merged tasks, then plan and base' '
	(cd viewer && git parallel clean --remote "$REMOTE_URL") >out &&
	test $(grep -c "removed the state" out) = 3 &&
	git -C remote.git for-each-ref refs/parallel refs/heads/parallel >actual &&
	test_must_be_empty actual &&
	git -C remote.git rev-parse main
'

test_expect_success 'merge --remote in a fresh clone: workers, then merge, with a stale claim shown' '
	git -C repo pull -q "$REMOTE_URL" main &&
	(cd repo && git parallel plan --force >/dev/null && git parallel push --command "$AGENT" "$REMOTE_URL" >/dev/null) &&
	fresh_clone x1 &&
	(cd x1 && git parallel worker "$REMOTE_URL" T001 >/dev/null 2>&1) &&
	fresh_clone x2 &&
	(cd x2 && GIT_PARALLEL_TEST_CRASH_AT=worker-after-claim git parallel worker --lease 1s "$REMOTE_URL" T002 2>/dev/null; echo $? >../rc) &&
	test_crashed $(cat rc) &&
	lease=$(git -C remote.git show refs/parallel/state/T002:state | sed -n "s/^	lease = \([0-9]*\).*/\1/p") &&
	while test $(date +%s) -le $lease; do sleep 0.2; done &&
	fresh_clone m &&
	(cd m && git parallel status --remote "$REMOTE_URL") >out &&
	grep "^T002  stale" out &&
	(cd m && git parallel status --remote "$REMOTE_URL" --json) >st.json &&
	json_get st.json "[t[\"stale\"] for t in d[\"tasks\"]]" >actual &&
	echo "[false, true, false]" >expect && test_cmp expect actual &&
	(cd m && git parallel merge --remote "$REMOTE_URL" >../out 2>../err) &&
	grep "T002 *skipped" out &&
	grep "T001 *merged" out &&
	git -C remote.git show main:src/f1.c | grep "T001 was here" &&
	echo merged >expect && remote_state T001 >actual && test_cmp expect actual &&
	echo running >expect && remote_state T002 >actual && test_cmp expect actual
'

test_expect_success 'clean --remote keeps what is not merged; --all removes all of it' '
	(cd m && git parallel clean --remote "$REMOTE_URL") >out &&
	grep "removed the state of T001" out &&
	git -C remote.git rev-parse refs/parallel/state/T002 &&
	git -C remote.git rev-parse refs/parallel/plan &&
	(cd m && git parallel clean --remote "$REMOTE_URL" --all) >out &&
	git -C remote.git for-each-ref refs/parallel >actual &&
	test_must_be_empty actual
'

test_done
