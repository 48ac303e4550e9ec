#!/bin/sh

test_description='commit = auto goes through git: hooks run, signing is honoured, a refusal fails the task and keeps the work'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# write_script <file>: a shell script from stdin
write_script () {
	{ echo "#!/bin/sh" && cat; } >"$1" && chmod +x "$1"
}

# hooked_repo <repo> <title>: one task T1 that writes T1.txt
hooked_repo () {
	new_repo $1 &&
	printf "[task \"T1\"]\n\ttitle = %s\n\tpaths = T1.txt\n\tcommand = echo work >T1.txt\n" "$2" >$1/tasks.ini &&
	(cd $1 && git parallel plan tasks.ini >/dev/null)
}

test_expect_success 'a pre-commit hook runs in the task worktree and sees the work staged' '
	hooked_repo r1 "first" &&
	write_script r1/.git/hooks/pre-commit <<-\EOF &&
	git diff --cached --name-only >"$(git rev-parse --git-dir)/pre-commit.saw"
	echo "pre-commit ran" >&2
	EOF
	(cd r1 && git parallel run 2>../err) &&
	grep "T1 done" err &&
	echo T1.txt >expect &&
	test_cmp expect "$(git -C r1.parallel/T1 rev-parse --git-dir)/pre-commit.saw" &&
	grep "pre-commit ran" "$(state_dir r1)/logs/T1.log" &&
	git -C r1 log -1 --format=%s parallel/T1 >actual &&
	echo "T1: first" >expect && test_cmp expect actual
'

test_expect_success 'a commit-msg hook gets the message, and may edit it' '
	hooked_repo r2 "second" &&
	write_script r2/.git/hooks/commit-msg <<-\EOF &&
	echo "Signed-off-by: hook <hook@example.com>" >>"$1"
	EOF
	(cd r2 && git parallel run 2>../err) &&
	git -C r2 log -1 --format=%B parallel/T1 >actual &&
	printf "T1: second\nSigned-off-by: hook <hook@example.com>\n\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a hook that refuses fails the task, its output in the log, the work kept' '
	hooked_repo r3 "third" &&
	write_script r3/.git/hooks/pre-commit <<-\EOF &&
	echo "pre-commit: no, not today" >&2
	exit 1
	EOF
	(cd r3 && test_expect_code 1 git parallel run 2>../err) &&
	grep "T1 failed: git commit refused" err &&
	test "$(task_field r3 T1 state)" = failed &&
	grep "pre-commit: no, not today" "$(state_dir r3)/logs/T1.log" &&
	git -C r3.parallel/T1 status --porcelain >actual &&
	echo "A  T1.txt" >expect && test_cmp expect actual &&
	test "$(git -C r3 rev-parse parallel/T1)" = "$(git -C r3 rev-parse main)" &&
	repo_sane r3
'

test_expect_success 'the refusal lifted, run again commits the kept work' '
	rm r3/.git/hooks/pre-commit &&
	(cd r3 && git parallel run 2>../err) &&
	git -C r3 show parallel/T1:T1.txt >actual &&
	echo work >expect && test_cmp expect actual
'

test_expect_success 'a title with shell syntax reaches the message untouched, never a shell' '
	hooked_repo r4 "\$(touch pwned) \`touch pwned\` \"; touch pwned" &&
	(cd r4 && git parallel run 2>../err) &&
	git -C r4 log -1 --format=%s parallel/T1 >actual &&
	printf "%s\n" "T1: \$(touch pwned) \`touch pwned\` \"; touch pwned" >expect &&
	test_cmp expect actual &&
	! find . -name pwned | grep .
'

test_expect_success 'no identity configured: the commit falls back to git-parallel' '
	hooked_repo r5 "fifth" &&
	(cd r5 && unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL &&
	 git parallel run 2>../err) &&
	git -C r5 log -1 --format="%an <%ae>" parallel/T1 >actual &&
	echo "git-parallel <git-parallel@localhost>" >expect &&
	test_cmp expect actual
'

ssh-keygen -Y sign </dev/null 2>&1 | grep -q namespace && test_set_prereq SSHSIGN

test_expect_success SSHSIGN 'commit.gpgSign with an ssh key signs the task commit' '
	ssh-keygen -q -t ed25519 -N "" -C tester -f key &&
	echo "committer@example.com $(cat key.pub)" >allowed &&
	hooked_repo r6 "signed" &&
	git -C r6 config gpg.format ssh &&
	git -C r6 config user.signingKey "$TRASH_DIRECTORY/key.pub" &&
	git -C r6 config commit.gpgSign true &&
	git -C r6 config gpg.ssh.allowedSignersFile "$TRASH_DIRECTORY/allowed" &&
	(cd r6 && git parallel run 2>../err) &&
	git -C r6 verify-commit parallel/T1 2>verify &&
	grep "Good \"git\" signature" verify
'

test_expect_success SSHSIGN 'signing that fails fails the task and keeps the work' '
	hooked_repo r7 "unsigned" &&
	git -C r7 config gpg.format ssh &&
	git -C r7 config user.signingKey "$TRASH_DIRECTORY/no-such-key.pub" &&
	git -C r7 config commit.gpgSign true &&
	(cd r7 && test_expect_code 1 git parallel run 2>../err) &&
	grep "T1 failed: git commit refused" err &&
	git -C r7.parallel/T1 status --porcelain >actual &&
	echo "A  T1.txt" >expect && test_cmp expect actual
'

test_done
