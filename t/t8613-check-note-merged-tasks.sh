#!/bin/sh

test_description='check: "commits of main made after the pinned base" only when true

check notes a branch rebased or merged onto a newer base ("contains N
commits of main made after the pinned base").  It said so too for a task
merged into main (its own commits are in main now) and for a dependent
task restarted after its dependency was merged (its dependency'"'"'s
commits are where it started from).  The note is now given only for
commits main made itself (on its first-parent line) that the task did
not start from and that are not its head.'

. ./test-lib.sh

NOTE="made after the pinned base"

# notes <repo> <id>: the task's check notes, one a line
notes () {
	# exit 1: an overlap or a violation (main's own commit counts in a merged-in branch)
	{ (cd "$1" && git parallel check --json >../check.json 2>../check.err); test $? -le 1; } &&
	json_get check.json "\"\\n\".join([t for t in d[\"tasks\"] if t[\"id\"] == \"$2\"][0][\"notes\"])"
}

# T1, and T2 after T1; T2 fails the first time it runs
test_expect_success 'setup: T1 merged, then T2 (depends on T1) restarted and done' '
	new_repo r &&
	cat >agent <<-EOF &&
	#!/bin/sh
	if test "\$GIT_PARALLEL_TASK_ID" = T2 && ! test -e "$TRASH_DIRECTORY/once"
	then
		: >"$TRASH_DIRECTORY/once" && exit 1
	fi
	echo "\$GIT_PARALLEL_TASK_ID" >"\$GIT_PARALLEL_TASK_ID.txt"
	EOF
	chmod +x agent &&
	printf "[task \"T1\"]\n\ttitle = one\n\tpaths = T1.txt\n" >r/tasks.ini &&
	printf "[task \"T2\"]\n\ttitle = two\n\tpaths = T2.txt\n\tdepends = T1\n" >>r/tasks.ini &&
	git -C r add . && git -C r commit -q -m tasks &&
	(cd r && git parallel plan tasks.ini >/dev/null) &&
	(cd r && test_expect_code 1 git parallel run --retries 0 --command "\"$TRASH_DIRECTORY/agent\"" >../out 2>../err) &&
	grep "^1 done, 1 failed\$" out &&
	(cd r && git parallel merge T1 >../out 2>../err) &&
	grep "^T1 *merged" out &&
	(cd r && git parallel run --command "\"$TRASH_DIRECTORY/agent\"" >../out 2>../err) &&
	grep "^T2 started again" err &&
	grep "^1 done, 1 merged\$" out
'

test_expect_success 'no such note for the merged task, nor for the dependent one' '
	notes r T1 >n1 &&
	! grep "$NOTE" n1 &&
	notes r T2 >n2 &&
	! grep "$NOTE" n2 &&
	json_get check.json "sorted([f[\"path\"] + (\" inherited\" if f[\"inherited\"] else \"\") for t in d[\"tasks\"] if t[\"id\"] == \"T2\" for f in t[\"files\"]])" >files &&
	echo "[\"T1.txt inherited\", \"T2.txt\"]" >expect &&
	test_cmp expect files &&
	test_must_be_empty check.err
'

test_expect_success 'still noted: main, moved on by a commit of its own, merged into T2' '
	echo other >r/other.txt && git -C r add other.txt && git -C r commit -q -m other &&
	git -C r.parallel/T2 merge -q --no-edit main &&
	notes r T2 >n2 &&
	grep "its branch parallel/T2 contains [0-9]* commits\{0,1\} of main $NOTE (rebased or merged onto a newer base)" n2 &&
	notes r T1 >n1 &&
	! grep "$NOTE" n1
'

test_expect_success 'main fast-forwarded to T1: no note for T1 or T2' '
	new_repo f &&
	printf "[task \"T1\"]\n\ttitle = one\n\tpaths = T1.txt\n" >f/tasks.ini &&
	printf "[task \"T2\"]\n\ttitle = two\n\tpaths = T2.txt\n\tdepends = T1\n" >>f/tasks.ini &&
	git -C f add . && git -C f commit -q -m tasks &&
	(cd f && git parallel plan tasks.ini >/dev/null) &&
	(cd f && git parallel run --command "echo x >\$GIT_PARALLEL_TASK_ID.txt" >../out 2>../err) &&
	git -C f merge -q --ff-only parallel/T1 &&
	notes f T1 >n1 &&
	! grep "$NOTE" n1 &&
	notes f T2 >n2 &&
	! grep "$NOTE" n2
'

test_done
