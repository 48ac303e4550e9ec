#!/bin/sh

test_description='git parallel run --on ssh:localhost against a real sshd'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/remote.sh"

SSHD=$(command -v sshd || echo /usr/sbin/sshd)
test -x "$SSHD" && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null &&
	test "$(id -u)" = 0 && test_set_prereq SSHD

if ! test_have_prereq SSHD; then
	skip_all='no sshd, ssh or ssh-keygen, or not root (sshd needs root to log us in)'
	test_done
fi

# the sshd we started, by its pid file, whatever happens
test_cleanup_sshd () {
	if test -s "$TRASH_DIRECTORY/ssh/sshd.pid"; then
		kill "$(cat "$TRASH_DIRECTORY/ssh/sshd.pid")" 2>/dev/null
		rm -f "$TRASH_DIRECTORY/ssh/sshd.pid"
	fi
	true
}
cleanup test_cleanup_sshd

# sshd: a throwaway host key and user key in the test's directory, on a
# free port of 127.0.0.1, logging in the user running the test; the
# worker on the host finds this build of git-parallel and writes its
# clones below the test's directory.
test_expect_success 'setup: sshd on a free port with keys of its own' '
	mkdir -p ssh tmp &&
	ssh-keygen -q -t ed25519 -N "" -f ssh/host_key &&
	ssh-keygen -q -t ed25519 -N "" -f ssh/user_key &&
	cp ssh/user_key.pub ssh/authorized_keys &&
	chmod 600 ssh/authorized_keys &&
	port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	echo $port >ssh/port &&
	cat >ssh/sshd_config <<-EOF &&
	Port $port
	ListenAddress 127.0.0.1
	HostKey "$TRASH_DIRECTORY/ssh/host_key"
	PidFile "$TRASH_DIRECTORY/ssh/sshd.pid"
	AuthorizedKeysFile "$TRASH_DIRECTORY/ssh/authorized_keys"
	StrictModes no
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	PubkeyAuthentication yes
	PermitRootLogin yes
	UsePAM no
	SetEnv "PATH=$GP_BUILD_DIR:/usr/local/bin:/usr/bin:/bin" "HOME=$TRASH_DIRECTORY" "TMPDIR=$TRASH_DIRECTORY/tmp" GIT_CONFIG_NOSYSTEM=1
	EOF
	echo "gp-test-host $(cut -d" " -f1,2 ssh/host_key.pub)" >ssh/known_hosts &&
	cat >ssh/config <<-EOF &&
	Host localhost
		HostName 127.0.0.1
		Port $port
		User $(id -un)
		IdentityFile "$TRASH_DIRECTORY/ssh/user_key"
		IdentitiesOnly yes
		HostKeyAlias gp-test-host
		UserKnownHostsFile "$TRASH_DIRECTORY/ssh/known_hosts"
		GlobalKnownHostsFile /dev/null
		StrictHostKeyChecking yes
	EOF
	mkdir -p /run/sshd &&
	"$SSHD" -f "$TRASH_DIRECTORY/ssh/sshd_config" -E "$TRASH_DIRECTORY/ssh/log" &&
	n=0 &&
	while ! test -s ssh/sshd.pid
	do
		n=$((n + 1)) && test $n -lt 100 || { cat ssh/log; return 1; }
		sleep 0.1
	done
'

GIT_PARALLEL_SSH="ssh -F '$TRASH_DIRECTORY/ssh/config'"
export GIT_PARALLEL_SSH

test_expect_success 'ssh reaches the host, checking its key' '
	ssh -F "$TRASH_DIRECTORY/ssh/config" -o BatchMode=yes localhost -- git parallel --version >out 2>err ||
	{ cat err ssh/log; false; } &&
	grep "git-parallel version" out
'

test_expect_success 'a host key that does not match is refused' '
	echo "gp-test-host $(cut -d" " -f1,2 ssh/user_key.pub)" >ssh/known_hosts.bad &&
	test_must_fail ssh -F "$TRASH_DIRECTORY/ssh/config" -o BatchMode=yes \
		-o UserKnownHostsFile="$TRASH_DIRECTORY/ssh/known_hosts.bad" localhost -- true
'

test_expect_success 'run --on ssh:localhost runs every task as a worker on the host' '
	remote_setup &&
	git -C repo remote add origin "$REMOTE_URL" &&
	(cd repo && git parallel run -j 2 --on ssh:localhost >../out 2>../err) ||
	{ cat err; cat "$(state_dir repo)"/logs/*.log; false; } &&
	grep "3 done" out &&
	for id in T001 T002 T003
	do
		echo done >expect && remote_state $id >actual && test_cmp expect actual || return 1
	done &&
	test -d "tmp/git-parallel" &&
	git -C remote.git merge-base --is-ancestor parallel/T001 parallel/T003
'

test_expect_success 'the worker ran on the host, in its own clone' '
	git -C remote.git show refs/parallel/state/T001:state >st &&
	grep "worktree = .*/tmp/git-parallel/.*/T001.parallel/T001" st
'

test_expect_success 'merge --remote brings the work in' '
	(cd repo && git parallel merge --remote origin >../out 2>../err) &&
	grep "3 merged" out &&
	git -C remote.git rev-parse main >expect &&
	git -C repo rev-parse main >actual &&
	test_cmp expect actual
'

test_expect_success 'an unreachable host fails the task (ssh exit 255), retried' '
	(cd repo && git parallel plan --force >/dev/null) && rm -rf "$(state_dir repo)/tasks" &&
	(cd repo && git parallel clean --remote origin --all >/dev/null) &&
	(cd repo && test_expect_code 1 git parallel run -j 1 --retries 1 --command "$AGENT" \
		--on ssh:no-such-host.invalid T001 >../out 2>../err) &&
	grep "T001 exit 255 .*retrying" err &&
	grep "T001 exit 255 .*see " err
'

test_expect_success 'stop sshd' '
	pid=$(cat ssh/sshd.pid) &&
	test_cleanup_sshd &&
	n=0 &&
	while kill -0 $pid 2>/dev/null; do n=$((n + 1)) && test $n -lt 100 && sleep 0.1 || return 1; done
'

test_done
