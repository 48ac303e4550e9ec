# Helpers for the remote-worker tests (t60xx): a planning repository
# "repo", a bare remote "remote.git" reached by a file:// URL, and fresh
# clones for the workers.

REMOTE_URL="file://$TRASH_DIRECTORY/remote.git"
AGENT="$GP_TEST_DIR/lib/agent.sh"

# remote_setup: repo with tasks T001, T002 (phase 1) and T003 (phase 2,
# depends on both), planned and pushed with the agent as its command.
remote_setup () {
	new_repo repo &&
	mkdir -p repo/src &&
	for i in 1 2 3 4; do echo "line $i" >repo/src/f$i.c; done &&
	cat >repo/tasks.md <<-\EOF &&
	## Phase 1
	- [ ] T001 [P] Edit src/f1.c
	- [ ] T002 [P] Edit src/f2.c
	## Phase 2
	- [ ] T003 [P] Edit src/f3.c
	EOF
	printf "[parallel]\n\ttasks = tasks.md\n" >repo/.gitparallel &&
	git -C repo add . &&
	git -C repo commit -q -m "files and tasks" &&
	(cd repo && git parallel plan >/dev/null) &&
	git init -q --bare remote.git &&
	git -C repo push -q "$REMOTE_URL" main &&
	(cd repo && git parallel push --command "$AGENT" "$REMOTE_URL" >../push.out)
}

# fresh_clone <dir>: a clone of the remote, as a CI job would make.
fresh_clone () {
	rm -rf "$1" "$1.parallel" &&
	git clone -q "$REMOTE_URL" "$1"
}

# remote_state <id>: the state of a task as its state ref on the remote says.
remote_state () {
	git -C remote.git show "refs/parallel/state/$1:state" | sed -n 's/^	state = //p'
}
