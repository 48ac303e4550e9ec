#!/bin/sh

test_description='hostile input to every command: one table, one-line errors, documented exit codes, no partial state'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# Setups (run in a fresh repository "r<n>" before a row's command).
#   none     a repository, nothing planned
#   planned  tasks.ini (T1: paths a.txt, command writes it) committed, planned
#   ran      planned and run: T1 done
setup_none () {
	:
}
setup_planned () {
	printf '[task "T1"]\n\ttitle = first\n\tpaths = a.txt\n\tcommand = echo x >a.txt\n' >tasks.ini &&
	git add tasks.ini && git commit -q -m tasks &&
	git parallel plan tasks.ini >/dev/null
}
setup_ran () {
	setup_planned && git parallel run >/dev/null 2>&1
}

# File makers for the rows.
md () {
	printf -- "$1\n" >tasks.md
}
ini () {
	printf "$1\n" >tasks.ini
}
long_md_line () {
	python3 -c 'print("- [ ] T1 Edit a.c " + "x" * 1000000)' >tasks.md
}
long_md_id () {
	python3 -c 'print("- [ ] T" + "1" * 1000 + " Edit a.c")' >tasks.md
}
long_ini_id () {
	python3 -c 'print("[task \"T" + "1" * 1000 + "\"]\n\tpaths = a.c")' >tasks.ini
}
long_ini_value () {
	python3 -c 'print("[task \"T1\"]\n\ttitle = " + "x" * 1000000)' >tasks.ini
}
long_config () {
	python3 -c 'print("[parallel]\n\tcommand = " + "x" * 1000000)' >.gitparallel &&
	md "- [ ] T1 Edit a.c"
}
many_tasks () {
	python3 -c '
for i in range(100000):
    print("- [ ] T%d [P] Edit `src/f%d.c`" % (i, i))' >tasks.md
}
owners () {
	printf '[parallel]\n\townership = CODEOWNERS\n' >.gitparallel &&
	printf "$1\n" >CODEOWNERS &&
	md "- [ ] T1 Edit a.c"
}
symlinked_worktree () {
	setup_planned &&
	mkdir -p ../outside ../$1.parallel &&
	ln -s "$2" ../$1.parallel/T1
}

# The matrix: description | setup | command | exit | stderr pattern (grep -E).
# Commands run in the repository with eval; "$R" is its name.  Exit 128
# must be one "error:"/"fatal:" line; 129 an "error:" line and the usage.
# For 128 and 129 the state directory must be unchanged.  No row may
# create a file "pwned" anywhere.
cat >matrix <<\EOF
md: a path out of the repository is ignored|md "- [ ] T1 Edit \`../../etc/passwd\`"|git parallel plan --json tasks.md >out.json|0|ignoring path '../../etc/passwd' \(path outside the repository\)
md: a path into .git is ignored|md "- [ ] T1 Edit \`.git/config\`"|git parallel plan --json tasks.md >out.json|0|ignoring path '.git/config' \(path inside .git\)
md: an absolute path is not a path|md "- [ ] T1 Edit \`/etc/passwd\`"|git parallel plan --json tasks.md >out.json|0|^$
ini: a path out of the repository|ini "[task \"T1\"]\n\tpaths = ../x"|git parallel plan tasks.ini|128|path '../x' is outside the repository
ini: a path climbing out|ini "[task \"T1\"]\n\tpaths = a/../../x"|git parallel plan tasks.ini|128|path 'a/../../x' is outside the repository
ini: an absolute path|ini "[task \"T1\"]\n\tpaths = /etc/passwd"|git parallel plan tasks.ini|128|invalid path '/etc/passwd': absolute path
ini: a path into .git|ini "[task \"T1\"]\n\tpaths = .git/config"|git parallel plan tasks.ini|128|invalid path '.git/config': path inside .git
ini: ID ../x (a worktree name out of its directory)|ini "[task \"../x\"]\n\tpaths = a"|git parallel plan tasks.ini|128|invalid task ID '../x'
ini: ID a/b (qualified by feature; its worktree is named a+b)|ini "[task \"a/b\"]\n\tpaths = a"|git parallel plan tasks.ini|0|^$
ini: ID a//b|ini "[task \"a//b\"]\n\tpaths = a"|git parallel plan tasks.ini|128|invalid task ID 'a//b'
ini: ID a/../b|ini "[task \"a/../b\"]\n\tpaths = a"|git parallel plan tasks.ini|128|invalid task ID 'a/\.\./b'
ini: ID a+b (the worktree name of a/b)|ini "[task \"a+b\"]\n\tpaths = a"|git parallel plan tasks.ini|128|invalid task ID 'a\+b'
ini: ID a.tmp.99999 (a state directory's temporary file name)|ini "[task \"a.tmp.99999\"]\n\tpaths = a"|git parallel plan tasks.ini|128|invalid task ID 'a\.tmp\.99999': contains '\.tmp\.'
ini: ID -rf|ini "[task \"-rf\"]\n\tpaths = a"|git parallel plan tasks.ini|128|invalid task ID '-rf': starts with '-'
ini: ID --upload-pack=touch pwned|ini "[task \"--upload-pack=touch pwned\"]\n\tpaths = a"|git parallel plan tasks.ini|128|invalid task ID '--upload-pack=touch pwned'
md: ID of 1000 characters|long_md_id|git parallel plan tasks.md|128|tasks.md:1: invalid task ID 'T1111
ini: ID of 1000 characters|long_ini_id|git parallel plan tasks.ini|128|tasks.ini:1: section name too long
md: a line of 1 MB is one task|long_md_line|git parallel plan --json tasks.md >out.json|0|^$
ini: a line of 1 MB|long_ini_value|git parallel plan tasks.ini|128|tasks.ini:2: line too long
config: a line of 1 MB|long_config|git parallel plan tasks.md|128|\.gitparallel:2: line too long
md: 100,000 tasks|many_tasks|git parallel plan --json tasks.md >out.json|0|^$
md: non-UTF-8 bytes|md "- [ ] T1 Edit caf\\351.c"|git parallel plan tasks.md|128|tasks.md:1: invalid UTF-8
md: a non-UTF-8 ID|md "- [ ] T\\3771 Edit a.c"|git parallel plan tasks.md|128|tasks.md:1: invalid UTF-8
ini: a non-UTF-8 ID|ini "[task \"T\\377\"]\n\tpaths = a"|git parallel plan tasks.ini|128|tasks.ini:1: invalid UTF-8
ini: a non-UTF-8 path|ini "[task \"T1\"]\n\tpaths = a\\377"|git parallel plan tasks.ini|128|tasks.ini:2: invalid UTF-8
config: non-UTF-8 bytes|printf "[parallel]\n\tcommand = caf\\351\n" >.gitparallel; md "- [ ] T1 Edit a.c"|git parallel plan tasks.md|128|\.gitparallel:2: invalid UTF-8
config: base with an option|printf "[parallel]\n\tbase = --upload-pack=touch pwned\n" >.gitparallel; md "- [ ] T1 Edit a.c"|git parallel plan tasks.md|128|upload-pack
config: branch-prefix with an option|printf "[parallel]\n\tbranch-prefix = --upload-pack=touch pwned/\n" >.gitparallel; md "- [ ] T1 Edit a.c"|git parallel plan tasks.md|128|not a valid branch name prefix
config: branch-prefix climbing out|printf "[parallel]\n\tbranch-prefix = ../\n" >.gitparallel; md "- [ ] T1 Edit a.c"|git parallel plan tasks.md|128|not a valid branch name prefix
CODEOWNERS: non-UTF-8 bytes|owners "a.c @caf\\351"|git parallel plan tasks.md|128|CODEOWNERS:1: invalid UTF-8
plan: --base with an option|md "- [ ] T1 Edit a.c"|git parallel plan --base "--upload-pack=touch pwned" tasks.md|128|names no commit
plan: a task file that is a directory|mkdir dir.md|git parallel plan dir.md|128|'dir.md' is a directory
plan: a missing task file|setup_none|git parallel plan nope.md|128|cannot read task file 'nope.md'
run: an ID that is an option|setup_planned|git parallel run -- --upload-pack=x|128|no task '--upload-pack=x' in the plan
run: ID -rf|setup_planned|git parallel run -- -rf|128|no task '-rf' in the plan
run: ID ../x|setup_planned|git parallel run ../x|128|no task '../x' in the plan
run: a non-UTF-8 ID|setup_planned|git parallel run "$(printf 'T\377')"|128|no task 'T.*' in the plan
run: -j 0|setup_planned|git parallel run -j 0|129|-j needs a positive number
run: a bad timeout|setup_planned|git parallel run --timeout 30x|129|--timeout needs a duration
run: the worktree path is a symlink out|symlinked_worktree $R ../outside|git parallel run|1|T1 failed: '.*/T1' already exists and is not the worktree of task 'T1'
run: the worktree path is a dangling symlink|symlinked_worktree $R ../nowhere|git parallel run|1|T1 failed: '.*/T1' already exists and is not the worktree of task 'T1'
run: a title with shell syntax is not executed|ini "[task \"T1\"]\n\ttitle = \$(touch pwned) \`touch pwned\`\n\tpaths = t.txt\n\tcommand = printf %%s \"\$GIT_PARALLEL_TITLE\" >t.txt"; git parallel plan tasks.ini >/dev/null|git parallel run|0|T1 done
status: an ID that is an option|setup_planned|git parallel status -- --upload-pack=x|128|no task '--upload-pack=x' in the plan
status: no plan|setup_none|git parallel status|128|no plan yet
check: an ID that is an option|setup_ran|git parallel check -- "--upload-pack=touch pwned"|128|no task '--upload-pack=touch pwned' in the plan
check: a non-UTF-8 ID|setup_ran|git parallel check "$(printf '\377')"|128|no task '.*' in the plan
merge: ID -rf|setup_ran|git parallel merge -- -rf|128|no task '-rf' in the plan
merge: --into an option|setup_ran|git parallel merge --into "--upload-pack=touch pwned"|128|'--upload-pack=touch pwned' is not a branch
merge: --into ../x|setup_ran|git parallel merge --into ../x|128|'../x' is not a branch
merge: --into -rf|setup_ran|git parallel merge --into -rf|128|no branch '-rf' to merge into
report: an argument that is an option|setup_ran|git parallel report -- --upload-pack=x|129|unexpected argument '--upload-pack=x'
report: a bad format|setup_ran|git parallel report --format=evil|129|unknown format 'evil'
clean: ID -rf|setup_ran|git parallel clean -- -rf|128|no task '-rf' in the plan
clean: ID ../x|setup_ran|git parallel clean ../x|128|no task '../x' in the plan
clean: no plan|setup_none|git parallel clean --all|128|no plan yet
trust: a missing file|setup_none|git parallel trust nope.ini|128|cannot read file 'nope.ini'
trust: a FIFO is refused, not read|mkfifo f.ini|timeout 20 git parallel trust f.ini|128|file 'f.ini' is a FIFO, not a regular file
trust: revoking a file never trusted|setup_planned|git parallel trust --revoke tasks.ini|128|'tasks.ini' is not trusted
trust: --list with a file|setup_none|git parallel trust --list x|129|--list takes no file
EOF

# Checks a row needs beyond the table (by row description).
extra_check () {
	case "$1" in
	"md: a path out of the repository is ignored"|"md: a path into .git is ignored"|\
	"md: an absolute path is not a path")
		json_get out.json "d[\"tasks\"][0][\"paths\"]" >paths &&
		echo "[]" >expect && test_cmp expect paths
		;;
	"md: a line of 1 MB is one task")
		json_get out.json "len(d[\"tasks\"])" >n && echo 1 >expect && test_cmp expect n
		;;
	"md: 100,000 tasks")
		json_get out.json "len(d[\"tasks\"]), len(set(t[\"id\"] for t in d[\"tasks\"])), len(d[\"waves\"])" >n &&
		echo "(100000, 100000, 1)" >expect && test_cmp expect n
		;;
	"run: the worktree path is a symlink out")
		ls -A ../outside >ls && test_must_be_empty ls &&
		test_must_fail git rev-parse --verify -q refs/heads/parallel/T1
		;;
	"run: a title with shell syntax is not executed")
		printf "%s" "\$(touch pwned) \`touch pwned\`" >expect &&
		git show parallel/T1:t.txt >actual && test_cmp expect actual
		;;
	esac
}

n=0
while IFS='|' read -r desc setup cmd code pattern
do
	n=$((n + 1))
	R=r$n
	test_expect_success "$desc" '
		new_repo $R &&
		(cd $R && eval "$setup") &&
		state_sum $R >state.before &&
		{ (cd $R && eval "$cmd" >../out 2>../err); rc=$?; } &&
		if test $rc != $code
		then
			echo "exit $rc, expected $code" && cat err && false
		fi &&
		if test "$pattern" = "^\$"
		then
			test_must_be_empty err
		else
			grep -E -e "$pattern" err >/dev/null
		fi &&
		case $code in
		128)
			test_line_count = 1 err && test_fatal err "" ;;
		129)
			test_line_count = 2 err &&
			head -n 1 err | grep "^error: " &&
			tail -n 1 err | grep "^usage: git parallel " ;;
		esac &&
		case $code in
		128|129)
			state_sum $R >state.after &&
			test_cmp state.before state.after ;;
		esac &&
		(cd $R && extra_check "$desc") &&
		! find . -name pwned | grep .
	'
done <matrix

test_expect_success 'the matrix covers every command' '
	for c in plan run status check merge report clean trust
	do
		grep "|git parallel $c" matrix >/dev/null || { echo "no row for $c"; return 1; }
	done
'

test_done
