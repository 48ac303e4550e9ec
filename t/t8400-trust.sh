#!/bin/sh

test_description='task files are data, not commands: precedence, and trust for commands from files of the repository'

. ./test-lib.sh

unset GIT_PARALLEL_TRUST_COMMANDS

# ini_task <file> <id> <command>: a task file with one task writing <id>.txt
ini_task () {
	printf '[task "%s"]\n\ttitle = task %s\n\tpaths = %s.txt\n\tcommand = %s\n' "$2" "$2" "$2" "$3" >"$1"
}

# refused <repo> [run args]: run exits 128 and starts nothing: no branch,
# no worktree, no task state.
refused () {
	r=$1 && shift &&
	(cd $r && test_expect_code 128 git parallel run "$@" 2>../err >../out) &&
	cat err &&
	test_must_fail git -C $r rev-parse --verify -q refs/heads/parallel/T1 &&
	git -C $r worktree list >wts && test_line_count = 1 wts &&
	! test -e $r.parallel &&
	! test -e "$(state_dir $r)/tasks/T1"
}

test_expect_success 'precedence: --command beats a task file command' '
	new_repo p1 &&
	ini_task p1/tasks.ini T1 "echo file >T1.txt" &&
	(cd p1 && git parallel plan tasks.ini >/dev/null &&
	 git parallel run --command "echo cli >T1.txt" 2>../err) &&
	echo cli >expect &&
	git -C p1 show parallel/T1:T1.txt >actual &&
	test_cmp expect actual
'

test_expect_success 'precedence: git config parallel.command beats the files' '
	new_repo p2 &&
	printf "[parallel]\n\tcommand = echo gitparallel >T1.txt\n" >p2/.gitparallel &&
	ini_task p2/tasks.ini T1 "echo taskfile >T1.txt" &&
	git -C p2 add .gitparallel tasks.ini && git -C p2 commit -q -m files &&
	git -C p2 config parallel.command "echo mine >T1.txt" &&
	(cd p2 && git parallel plan tasks.ini >../out && git parallel run 2>../err) &&
	echo mine >expect &&
	git -C p2 show parallel/T1:T1.txt >actual &&
	test_cmp expect actual &&
	grep "parallel.command: echo mine >T1.txt" out &&
	grep "from git config$" out &&
	! grep "task T1:" out
'

test_expect_success 'precedence: a task command beats the configuration file command' '
	new_repo p3 &&
	printf "[parallel]\n\tcommand = echo config >T1.txt\n" >p3/.gitparallel &&
	ini_task p3/tasks.ini T1 "echo task >T1.txt" &&
	ini_task p3/more.ini T2 "" &&
	sed -i /command/d p3/more.ini &&
	(cd p3 && git parallel plan tasks.ini more.ini >/dev/null && git parallel run 2>../err) &&
	echo task >expect && git -C p3 show parallel/T1:T1.txt >actual && test_cmp expect actual &&
	echo config >expect && git -C p3 show parallel/T2:T1.txt >actual && test_cmp expect actual
'

test_expect_success 'a tracked task file: run refuses, lists the command with file:line, starts nothing' '
	new_repo t1 &&
	ini_task t1/tasks.ini T1 "echo x >T1.txt" &&
	git -C t1 add tasks.ini && git -C t1 commit -q -m tasks &&
	(cd t1 && git parallel plan tasks.ini >/dev/null) &&
	refused t1 &&
	grep "^error: 1 file of the repository gives commands you have not trusted" err &&
	(cd t1 && git parallel run --dry-run >../out) &&
	grep "(from tasks.ini:4, a file of the repository, NOT trusted: run refuses it)" out &&
	grep "^  tasks.ini:4: task .T1.: echo x >T1.txt$" err &&
	grep "git parallel trust" err
'

test_expect_success 'plan shows each command and where it came from, text and JSON' '
	(cd t1 && git parallel plan tasks.ini >../out && git parallel plan --json tasks.ini >../out.json) &&
	grep "^  task T1: echo x >T1.txt$" out &&
	grep "from tasks.ini:4, a file of the repository: runs once trusted" out &&
	json_get out.json "[(t[\"command\"][\"value\"], t[\"command\"][\"from\"], t[\"command\"][\"needs_trust\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"echo x >T1.txt\", \"tasks.ini:4\", true]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'trust records the file, mode 0600; then run runs it' '
	(cd t1 && git parallel trust >../out) &&
	grep "trusted .*/t1/tasks.ini" out &&
	test "$(stat -c %a t1/.git/parallel-trust)" = 600 &&
	(cd t1 && git parallel trust --list >../out) &&
	grep "trusted  .*/t1/tasks.ini" out &&
	(cd t1 && git parallel run --dry-run >../out) &&
	grep "(from tasks.ini:4, a file of the repository, trusted)" out &&
	(cd t1 && git parallel run 2>../err) &&
	git -C t1 show parallel/T1:T1.txt
'

# tracked_repo <repo> <command>: tasks.ini with T1 running <command>, committed and planned
tracked_repo () {
	new_repo $1 &&
	ini_task $1/tasks.ini T1 "$2" &&
	git -C $1 add tasks.ini && git -C $1 commit -q -m tasks &&
	(cd $1 && git parallel plan tasks.ini >/dev/null)
}

test_expect_success 'a changed file needs trusting again' '
	tracked_repo t2 "echo old >T1.txt" &&
	(cd t2 && git parallel trust >/dev/null) &&
	ini_task t2/tasks.ini T1 "echo changed >T1.txt" &&
	git -C t2 commit -q -a -m changed &&
	(cd t2 && git parallel trust --list >../out) &&
	grep "changed  .*/t2/tasks.ini" out &&
	(cd t2 && git parallel plan tasks.ini >/dev/null) &&
	refused t2 &&
	grep "tasks.ini:4: task .T1.: echo changed >T1.txt" err &&
	(cd t2 && git parallel trust tasks.ini >../out) &&
	grep "trusted .tasks.ini." out &&
	(cd t2 && git parallel run 2>../err) &&
	echo changed >expect && git -C t2 show parallel/T1:T1.txt >actual && test_cmp expect actual
'

test_expect_success 'a file changed after plan: trusting the new content does not run the old plan' '
	tracked_repo t3 "echo planned >T1.txt" &&
	ini_task t3/tasks.ini T1 "echo later >T1.txt" &&
	(cd t3 && git parallel trust tasks.ini >/dev/null) &&
	refused t3 &&
	grep "tasks.ini:4: task .T1.: echo planned >T1.txt  (the file changed since it was read: plan again)" err &&
	(cd t3 && test_expect_code 128 git parallel trust 2>../err) &&
	grep "changed since it was planned" err
'

test_expect_success 'trust --revoke forgets a file; run refuses again' '
	tracked_repo t4 "echo x >T1.txt" &&
	(cd t4 && git parallel trust tasks.ini >/dev/null &&
	 git parallel trust --revoke tasks.ini >../out) &&
	grep "revoked .tasks.ini." out &&
	(cd t4 && git parallel trust --list >../out) &&
	test_must_be_empty out &&
	refused t4 &&
	(cd t4 && test_expect_code 128 git parallel trust --revoke tasks.ini 2>../err) &&
	grep "not trusted" err
'

test_expect_success 'run --trust-commands runs them for this run only' '
	(cd t4 && git parallel run --trust-commands 2>../err) &&
	git -C t4 show parallel/T1:T1.txt &&
	(cd t4 && git parallel trust --list >../out) &&
	test_must_be_empty out
'

test_expect_success 'GIT_PARALLEL_TRUST_COMMANDS=1 is --trust-commands; another value is not' '
	tracked_repo t5 "echo x >T1.txt" &&
	(cd t5 && GIT_PARALLEL_TRUST_COMMANDS=yes test_expect_code 128 git parallel run 2>../err) &&
	grep "not trusted" err &&
	(cd t5 && GIT_PARALLEL_TRUST_COMMANDS=1 git parallel run 2>../err) &&
	git -C t5 show parallel/T1:T1.txt
'

test_expect_success 'an untracked task file is the user'"'"'s own: no trust needed' '
	new_repo u1 &&
	ini_task u1/tasks.ini T1 "echo x >T1.txt" &&
	(cd u1 && git parallel plan tasks.ini >../out && git parallel run 2>../err) &&
	! grep "runs once trusted" out &&
	git -C u1 show parallel/T1:T1.txt
'

test_expect_success 'a task file inside a task worktree needs trust even untracked (an agent wrote it)' '
	new_repo u2 &&
	mkdir -p u2.parallel/T5/sub &&
	ini_task u2.parallel/T5/sub/evil.ini T9 "touch pwned" &&
	(cd u2 && git parallel plan ../u2.parallel/T5/sub/evil.ini >/dev/null &&
	 test_expect_code 128 git parallel run 2>../err) &&
	grep "evil.ini:4: task .T9.: touch pwned" err &&
	! find . -name pwned | grep .
'

test_expect_success 'a tracked .gitparallel: its parallel.command needs trust' '
	new_repo c1 &&
	printf "[parallel]\n\tcommand = echo cfg >T1.txt\n" >c1/.gitparallel &&
	git -C c1 add .gitparallel && git -C c1 commit -q -m cfg &&
	printf -- "- [ ] T1 Edit T1.txt\n" >c1/tasks.md &&
	(cd c1 && git parallel plan tasks.md >../out) &&
	grep "parallel.command: echo cfg >T1.txt" out &&
	grep "from .*\.gitparallel:2, a file of the repository: runs once trusted" out &&
	refused c1 &&
	grep "\.gitparallel:2: task .T1.: echo cfg >T1.txt" err &&
	(cd c1 && git parallel trust >../out && git parallel run 2>../err) &&
	echo cfg >expect && git -C c1 show parallel/T1:T1.txt >actual && test_cmp expect actual
'

test_expect_success 'a tracked .gitparallel [task] section command needs trust' '
	new_repo c2 &&
	printf "[task \"T1\"]\n\tcommand = echo sec >T1.txt\n" >c2/.gitparallel &&
	git -C c2 add .gitparallel && git -C c2 commit -q -m cfg &&
	printf -- "- [ ] T1 Edit T1.txt\n" >c2/tasks.md &&
	(cd c2 && git parallel plan tasks.md >/dev/null) &&
	refused c2 &&
	grep "\.gitparallel:2: task .T1.: echo sec >T1.txt" err
'

test_expect_success 'a tracked symlink to an untracked file still needs trust' '
	new_repo s1 &&
	ini_task s1/real.ini T1 "echo x >T1.txt" &&
	ln -s real.ini s1/tasks.ini &&
	git -C s1 add tasks.ini && git -C s1 commit -q -m link &&
	(cd s1 && git parallel plan tasks.ini >/dev/null) &&
	refused s1
'

test_expect_success 'dry-run shows the command that runs, control characters escaped' '
	new_repo d1 &&
	printf "[task \"T1\"]\n\tpaths = T1.txt\n\tcommand = touch pwned; : \033[2K\r\033[1Aecho harmless\n" >d1/tasks.ini &&
	(cd d1 && git parallel plan tasks.ini >../plan.out && git parallel run --dry-run >../out) &&
	! grep "$(printf "\033")" out &&
	! grep "$(printf "\033")" plan.out &&
	grep -F "$ touch pwned; : \\033[2K\\r\\033[1Aecho harmless" out &&
	grep -F "task T1: touch pwned; : \\033[2K\\r\\033[1Aecho harmless" plan.out
'

test_done
