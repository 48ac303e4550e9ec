#!/bin/sh

test_description='exit 128 ends as git dies: one fatal: line, the last, naming what failed; exit 1 prints no fatal:'

. ./test-lib.sh

SQ="'"

# Setups, run in a fresh repository "r<n>" before a row's command.
#   none     a repository, nothing planned
#   tasks    tasks.ini committed: T1 writes a.txt, T2 writes b.txt
#   failing  tasks.ini committed: T1 writes a.txt, T2 fails
#   planned  tasks, planned
#   ran      planned and run: T1 and T2 done
#   locked   ran, and the state lock held by a live process (this shell)
#   corrupt  ran, and T1's state file garbled
#   dirty    ran, and the checked-out target has a changed file
#   bare     ran, and a bare clone ../<repo>.git
setup_none () {
	:
}
setup_tasks () {
	printf '[task "T1"]\n\tpaths = a.txt\n\tcommand = echo a >a.txt\n' >tasks.ini &&
	printf '[task "T2"]\n\tpaths = b.txt\n\tcommand = echo b >b.txt\n' >>tasks.ini &&
	git add tasks.ini && git commit -q -m tasks
}
setup_failing () {
	printf '[task "T1"]\n\tpaths = a.txt\n\tcommand = echo a >a.txt\n' >tasks.ini &&
	printf '[task "T2"]\n\tpaths = b.txt\n\tcommand = exit 3\n' >>tasks.ini &&
	git add tasks.ini && git commit -q -m tasks &&
	git parallel plan tasks.ini >/dev/null
}
setup_planned () {
	setup_tasks && git parallel plan tasks.ini >/dev/null
}
setup_ran () {
	setup_planned && git parallel run >/dev/null 2>&1
}
setup_locked () {
	setup_ran &&
	printf "pid = %d\ncommand = run\n" $$ >"$(state_dir)/lock"
}
setup_corrupt () {
	setup_ran && echo garbage >"$(state_dir)/tasks/T1"
}
setup_dirty () {
	setup_ran && echo changed >>README
}
setup_bare () {
	setup_ran && git clone -q --bare . "../$(basename "$PWD").git"
}

# No repository above the trash directory (the build tree is one).
mkdir nowhere
outside () {
	(cd "$TRASH_DIRECTORY/nowhere" && GIT_CEILING_DIRECTORIES="$TRASH_DIRECTORY" "$@")
}

# desc|setup|command|exit|for 128: what follows "fatal: " (ERE); else an ERE stderr matches
cat >matrix <<\EOF
outside a repository: plan|none|outside git parallel plan tasks.ini|128|not a git repository
outside a repository: run|none|outside git parallel run|128|not a git repository
outside a repository: status|none|outside git parallel status|128|not a git repository
outside a repository: check|none|outside git parallel check|128|not a git repository
outside a repository: merge|none|outside git parallel merge|128|not a git repository
outside a repository: report|none|outside git parallel report|128|not a git repository
outside a repository: clean|none|outside git parallel clean --all|128|not a git repository
outside a repository: trust|none|outside git parallel trust|128|not a git repository
outside a repository: push|none|outside git parallel push origin|128|not a git repository
outside a repository: export|none|outside git parallel export --format=github-actions|128|not a git repository
outside a repository: worker|none|outside git parallel worker origin T1|128|not a git repository
--git-dir names no repository: git's words|none|git parallel --git-dir=../nowhere status|128|not a git repository: '../nowhere'$
a bare repository: plan|bare|git -C ../$R.git parallel plan tasks.ini|128|this operation must be run in a work tree \(the repository is bare\)
a bare repository: merge|bare|git -C ../$R.git parallel merge|128|this operation must be run in a work tree
plan: a missing task file|none|git parallel plan nope.md|128|cannot read task file 'nope.md': No such file or directory
plan: no task file at all|none|git parallel plan|128|no task file: name one
plan: an unknown dependency names file:line|none|printf -- "- [ ] T1 a\n- [ ] T2 b (depends on T9)\n" >tasks.md && git parallel plan tasks.md|128|task 'T2' depends on unknown task 'T9' \(tasks.md:2\)
plan: a duplicate ID names both lines|none|printf -- "- [ ] T1 a\n- [ ] T1 b\n" >tasks.md && git parallel plan tasks.md|128|duplicate task ID 'T1' \(tasks.md:1 and tasks.md:2\)
plan: an unparsable task file names file:line|none|printf "[task \"T1\"]\n\testimate = soon\n" >t.ini && git parallel plan t.ini|128|t.ini:2: task 'T1': bad duration 'soon' for 'estimate'
plan: a bad configuration value names file:line|tasks|printf "[parallel]\n\tjobs = many\n" >.gitparallel && git parallel plan tasks.ini|128|.*/\.gitparallel:2: bad value 'many' for 'parallel.jobs'
plan: while a run holds the lock|locked|git parallel plan tasks.ini|128|tasks are running \(git parallel run, pid [0-9]+\)
plan: reusing IDs whose work is still there|ran|printf "[task \"T1\"]\n\tpaths = c.txt\n" >o.ini && git parallel plan o.ini|128|plan not saved: the new plan reuses task IDs whose old work is still there
run: no plan|tasks|git parallel run|128|no plan yet: run 'git parallel plan' first
run: a locked session|locked|git parallel run|128|another git parallel run is in progress \(pid [0-9]+\)
run: --on with no remote to publish on|planned|git parallel run --on ssh:nohost|128|no remote 'origin' \(git remote get-url: No such remote 'origin'\)
run: untrusted commands name their file|planned|(unset GIT_PARALLEL_TRUST_COMMANDS; git parallel run)|128|commands from '.*tasks.ini' are not trusted
run: an unknown task|planned|git parallel run T9|128|no task 'T9' in the plan
run: the task list given as an ID|planned|git parallel run tasks.ini|128|no task 'tasks.ini' in the plan
status: no plan|none|git parallel status|128|no plan yet
status: a corrupt state file names file:line|corrupt|git parallel status|128|.*/parallel/tasks/T1:1: malformed line: 'garbage'
status: a remote that is not there|ran|git parallel status --remote nosuch|128|cannot fetch from 'nosuch' \(git fetch exit 128\): 'nosuch' does not appear to be a git repository
check: a corrupt state file|corrupt|git parallel check|128|.*/parallel/tasks/T1:1: malformed line
check: an unknown task|ran|git parallel check T9|128|no task 'T9' in the plan
merge: a locked session|locked|git parallel merge|128|another git parallel run is in progress
merge: the target moved meanwhile|ran|GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="git commit -q --allow-empty -m user" git parallel merge|128|'main' moved meanwhile \(from [0-9a-f]+ to [0-9a-f]+\).*nothing was overwritten
merge: a stale lock on the target ref names the file|ran|>"$(git rev-parse --git-common-dir)/refs/heads/main.lock" && git parallel merge|128|'.*refs/heads/main.lock' exists
merge: a dirty target lists the paths, then dies|dirty|git parallel merge|128|nothing was merged: commit or stash them, then run 'git parallel merge' again
merge: --into a branch that is not there|ran|git parallel merge --into nosuch|128|no branch 'nosuch' to merge into
report: a corrupt state file|corrupt|git parallel report|128|.*/parallel/tasks/T1:1: malformed line
clean: no plan|none|git parallel clean --all|128|no plan yet
clean: a locked session|locked|git parallel clean --all|128|another git parallel run is in progress
trust: revoking a file never trusted|planned|git parallel trust --revoke tasks.ini|128|'tasks.ini' is not trusted
trust: a missing file|none|git parallel trust nope.ini|128|cannot read file 'nope.ini'
push: a remote that is not there|planned|git parallel push nosuch|128|cannot fetch from 'nosuch' \(git fetch exit 128\)
push: no plan|none|git parallel push origin|128|no plan yet
export: no plan|none|git parallel export --format=github-actions|128|no plan yet
worker: a remote that is not there|none|git parallel worker nosuch T1|128|cannot fetch from 'nosuch' \(git fetch exit 128\)
exit 1: a task fails|failing|git parallel run|1|T2 exit 3
exit 1: merging a failed task by name|failing|git parallel run >/dev/null 2>&1; git parallel merge T2|1|
exit 1: an unknown command, as git|none|git parallel frob|1|^git parallel: 'frob' is not a git parallel command
exit 129: an unknown option|none|git parallel status --frob|129|^error: unknown option '--frob'
EOF

n=0
while IFS='|' read -r desc setup cmd code pattern
do
	n=$((n + 1))
	R=r$n
	test_expect_success "$desc" '
		new_repo $R &&
		(cd $R && eval "setup_$setup") &&
		{ (cd $R && eval "$cmd" >../out 2>../err); rc=$?; } &&
		if test $rc != $code
		then
			echo "exit $rc, expected $code" && cat err && false
		fi &&
		case $code in
		128)
			test_fatal err "$pattern" ;;
		*)
			! grep "^fatal:" err &&
			{ test -z "$pattern" || grep -E -e "$pattern" err >/dev/null; } ;;
		esac
	'
done <matrix

test_expect_success 'the matrix covers every command, in and outside a repository' '
	for c in plan run status check merge report clean trust push export worker
	do
		grep "^outside a repository: $c|" matrix >/dev/null &&
		grep -v "^outside" matrix | grep "|git parallel $c\\>" >/dev/null ||
		{ echo "no rows for $c"; return 1; }
	done
'

test_expect_success 'a dirty target: error: heading, the paths, then the fatal: line' '
	new_repo d && (cd d && setup_dirty) &&
	(cd d && test_expect_code 128 git parallel merge 2>../err) &&
	cat >expect <<-EOF &&
	error: ${SQ}main${SQ} is checked out in ${SQ}$TRASH_DIRECTORY/d${SQ}, which has uncommitted changes:
	 	README
	fatal: nothing was merged: commit or stash them, then run ${SQ}git parallel merge${SQ} again
	EOF
	sed "s/^ //" expect >expect.tab &&
	test_cmp expect.tab err
'

test_expect_success 'untrusted commands: the list and hints come before the fatal: line' '
	new_repo u && (cd u && setup_planned) &&
	(cd u && unset GIT_PARALLEL_TRUST_COMMANDS &&
	 test_expect_code 128 git parallel run 2>../err) &&
	head -n 1 err | grep "^error: 1 file of the repository gives commands you have not trusted:" &&
	grep "^  tasks.ini:3: task ${SQ}T1${SQ}: echo a >a.txt" err &&
	grep "^hint: review them" err &&
	test_fatal err "commands from ${SQ}.*/u/tasks.ini${SQ} are not trusted"
'

test_expect_success 'the task list given to run as an ID: a hint names plan' '
	new_repo l && (cd l && setup_planned) &&
	(cd l && test_expect_code 128 git parallel run tasks.ini 2>../err) &&
	cat >expect <<-EOF &&
	hint: commands take task IDs; the task list ${SQ}tasks.ini${SQ} is read by ${SQ}git parallel plan tasks.ini${SQ}
	fatal: no task ${SQ}tasks.ini${SQ} in the plan
	EOF
	test_cmp expect err &&
	(cd l && test_expect_code 128 git parallel run T9 2>../err) &&
	! grep hint: err
'

test_expect_success 'earlier errors stay error: lines, only the last is fatal:' '
	new_repo e && (cd e && setup_ran) &&
	(cd e && printf "[task \"T1\"]\n\tpaths = c.txt\n" >o.ini &&
	 test_expect_code 128 git parallel plan o.ini 2>../err) &&
	grep -c "^error: task ${SQ}T[12]${SQ} of the previous plan" err >count &&
	echo 2 >expect && test_cmp expect count &&
	test_fatal err "plan not saved"
'

test_expect_success 'a failing run prints no fatal: line, and its stderr order is kept' '
	new_repo f && (cd f && setup_failing) &&
	(cd f && test_expect_code 1 git parallel run -j 1 >../out 2>../err) &&
	! grep "^fatal:" err &&
	grep -n "T2 exit 3" err
'

test_done
