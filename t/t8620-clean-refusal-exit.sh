#!/bin/sh

test_description='clean: every refusal exits 1, in every mode

The man page says each refusal names the task and exits 1.  clean --merged
exited 0 even when it refused a merged task (uncommitted changes): a task
--merged does not select (not merged) is no refusal, one it selects and
then keeps is.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

write_fault_agent agent
CMD="\"$TRASH_DIRECTORY/agent\""

# two tasks run: A merged into the base branch, B not
test_expect_success 'setup' '
	ini_tasks a A B &&
	(cd a && git parallel run --command "$CMD" >/dev/null 2>&1) &&
	git -C a merge -q --no-edit parallel/A &&
	echo dirty >>a.parallel/A/A.txt
'

test_expect_success '--merged: a merged task with uncommitted changes is refused, exit 1' '
	(cd a && test_expect_code 1 git parallel clean --merged >../out 2>../err) &&
	grep "task .A.: worktree .*uncommitted changes (A.txt)" err &&
	! grep "B" err &&
	test -d a.parallel/A && test -d a.parallel/B
'

test_expect_success 'task ids, --all: the same refusals exit 1' '
	(cd a && test_expect_code 1 git parallel clean A >../out 2>../err) &&
	grep "task .A.: worktree" err &&
	(cd a && test_expect_code 1 git parallel clean B >../out 2>../err) &&
	grep "task .B.: branch .parallel/B. has commits not merged" err &&
	(cd a && test_expect_code 1 git parallel clean --all >../out 2>../err) &&
	grep "task .A." err && grep "task .B." err &&
	test -d a.parallel/A && test -d a.parallel/B
'

test_expect_success '--merged with nothing refused exits 0; an unmerged task is not selected' '
	git -C a.parallel/A checkout -q -- A.txt &&
	(cd a && git parallel clean --merged >../out 2>../err) &&
	grep "^removed A" out && ! grep B out && ! test -s err &&
	test -d a.parallel/B && ! test -e a.parallel/A
'

test_expect_success '--force removes what plain clean refuses, exit 0' '
	(cd a && git parallel clean --force --all >../out 2>../err) &&
	grep "^removed B" out &&
	! test -e a.parallel/B &&
	test -z "$(git -C a for-each-ref refs/heads/parallel/)" &&
	repo_sane a
'

test_done
