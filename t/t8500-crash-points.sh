#!/bin/sh

test_description='kill -9 at every crash point: the repository stays sane, the next command finishes the job

Every test_crash_point("<name>") in src/ has a row in POINTS below: the kind
of command that reaches it.  For each, the command is killed there
(GIT_PARALLEL_TEST_CRASH_AT), then git fsck, the worktree list and the refs
must be sound, and the next command of the same kind must finish the job
and leave no lock behind.  A crash point added to src/ without a row fails
the first test.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

# <point>:<kind>
POINTS="
run-after-worktree:run
run-after-fork:run
run-after-start:run
run-before-commit:run
run-after-commit:run
worktree-mid-add:run
worktree-mid-gitdir:run
worktree-after-add:run
worktree-before-verified:run
worktree-mid-checkout:run
worktree-convert-index-cleared:convert
run-markers-scan:markers
worktree-mid-sparse:sparse
worktree-sparse-before-index:sparse
merge-verify-worktree:verify
merge-mid-states:merge
merge-after-journal:merge
merge-before-read-tree:merge
merge-after-read-tree:merge
merge-before-reset:reset
merge-after-install:merge
merge-after-ref:merge
merge-before-states:merge
worker-after-claim:worker
worker-before-push:worker
remote-mid-drop-old-layout:oldlayout
clean-mid-remove:clean
clean-mid-admin:clean
clean-after-branch-config:clean
run-mid-prune:prune
"

write_fault_agent agent
FAULT_AGENT="\"$TRASH_DIRECTORY/agent\""

test_expect_success 'every crash point in src/ is walked here' '
	grep -ho "test_crash_point(\"[^\"]*\")" "$GP_BUILD_DIR"/src/*.c |
		sed "s/.*(\"\(.*\)\")/\1/" | LC_ALL=C sort >in-src &&
	test -s in-src &&
	for p in $POINTS; do echo "${p%%:*}"; done | LC_ALL=C sort >walked &&
	test_cmp in-src walked
'


# no_locks <repo>: no git lock, no git-parallel lock, no temporary state file.
no_locks () {
	gd=$(git -C "$1" rev-parse --path-format=absolute --git-common-dir) &&
	! find "$gd" -name "*.lock" | grep . &&
	! test -e "$(state_dir "$1")/lock" &&
	! find "$(state_dir "$1")" -name "*.tmp.*" | grep .
}

# tree_consistent <repo>: HEAD is main, and the index and files hold its tree.
tree_consistent () {
	test "$(git -C "$1" rev-parse HEAD)" = "$(git -C "$1" rev-parse main)" &&
	git -C "$1" status --porcelain >cons.st && test_must_be_empty cons.st &&
	test "$(git -C "$1" write-tree)" = "$(git -C "$1" rev-parse "main^{tree}")"
}

# kinds: setup_<kind> <dir>, go_<kind> <dir> (the command), finished_<kind> <dir>

setup_run () {
	ini_tasks "$1" K1 K2
}
go_run () {
	(cd "$1" && git parallel run -j 2 --command "$FAULT_AGENT" >"$TRASH_DIRECTORY/$io.out" 2>"$TRASH_DIRECTORY/$io.err")
}
finished_run () {
	grep "^2 done\$" "$io.out" &&
	for id in K1 K2
	do
		echo done >expect &&
		task_field "$1" $id state >actual && test_cmp expect actual &&
		echo "$id uncommitted" >expect &&
		git -C "$1" show "parallel/$id:$id-extra.txt" >actual && test_cmp expect actual &&
		git -C "$1" log --format=%s "parallel/$id" >log &&
		grep "^$id: own commit\$" log &&
		git -C "$1.parallel/$id" status --porcelain >st && test_must_be_empty st || return 1
	done
}

# prune: K1's command commits, then deletes its worktree (the first time
# only): run prunes its entry
setup_prune () {
	ini_tasks "$1" K1 &&
	cat >"$1.agent" <<-EOF &&
	#!/bin/sh
	if ! test -e K1.txt
	then
		echo work >K1.txt && git add K1.txt && git commit -q -m "K1: work" || exit 1
	fi
	if ! test -e "$TRASH_DIRECTORY/$1.once"
	then
		: >"$TRASH_DIRECTORY/$1.once" && cd / && rm -rf "\$GIT_PARALLEL_WORKTREE"
	fi
	EOF
	chmod +x "$1.agent"
}
go_prune () {
	(cd "$1" && git parallel run --command "\"$TRASH_DIRECTORY/$1.agent\"" >"$TRASH_DIRECTORY/$io.out" 2>"$TRASH_DIRECTORY/$io.err")
}
finished_prune () {
	grep "^1 done\$" "$io.out" &&
	echo done >expect && task_field "$1" K1 state >actual && test_cmp expect actual &&
	git -C "$1" log --format=%s parallel/K1 >log && grep "^K1: work\$" log &&
	git -C "$1" worktree list --porcelain >wt && ! grep prunable wt
}

# sparse: the declared paths in a/, more files in b/ and c/ to leave out
setup_sparse () {
	new_repo "$1" &&
	for d in a b c
	do
		mkdir -p "$1/$d" &&
		for i in 1 2 3 4 5 6; do echo "$d $i" >"$1/$d/f$i.c" || return 1; done
	done &&
	printf "[task \"K1\"]\n\ttitle = one\n\tpaths = a/\n\tcommand = echo edit >>a/f1.c\n" >"$1/tasks.ini" &&
	git -C "$1" add . && git -C "$1" commit -q -m files &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null)
}
go_sparse () {
	(cd "$1" && git parallel run --sparse >"$TRASH_DIRECTORY/$io.out" 2>"$TRASH_DIRECTORY/$io.err")
}
finished_sparse () {
	grep "^1 done\$" "$io.out" &&
	git -C "$1.parallel/K1" status --porcelain >st && test_must_be_empty st &&
	git -C "$1.parallel/K1" sparse-checkout list >actual &&
	echo a >expect && test_cmp expect actual &&
	git -C "$1" diff --name-status main parallel/K1 >actual &&
	printf "M\ta/f1.c\n" >expect && test_cmp expect actual
}

# convert: UTF-16 files git writes again after libgit2's checkout (the
# index's stat data of those cleared first); K1 edits another file
setup_convert () {
	convert_repo "$1" 3 1
}
# markers: K1 rewrites a UTF-16 file, which git reads for conflict markers
# on a scratch index in the worktree's git directory
setup_markers () {
	new_repo "$1" &&
	echo "*.txt working-tree-encoding=UTF-16" >"$1/.gitattributes" &&
	printf "f1\n" | iconv -f UTF-8 -t UTF-16 >"$1/f1.txt" &&
	printf "f1\nmore\n" | iconv -f UTF-8 -t UTF-16 >"$1.utf16" &&
	printf "[task \"K1\"]\n\ttitle = one\n\tpaths = f1.txt\n\tcommand = cp \"%s\" f1.txt\n" \
		"$TRASH_DIRECTORY/$1.utf16" >"$1/tasks.ini" &&
	git -C "$1" add . && git -C "$1" commit -q -m files &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null)
}
go_markers () {
	go_convert "$@"
}
finished_markers () {
	grep "^1 done\$" "$io.out" &&
	git -C "$1" show parallel/K1:f1.txt >actual &&
	printf "f1\nmore\n" >expect && test_cmp expect actual &&
	find "$1/.git" -name "gp-markers-index*" >left && test_must_be_empty left
}
go_convert () {
	(cd "$1" && git parallel run >"$TRASH_DIRECTORY/$io.out" 2>"$TRASH_DIRECTORY/$io.err")
}
finished_convert () {
	grep "^1 done\$" "$io.out" &&
	convert_as_git "$1"
}

setup_merge () {
	ini_tasks "$1" K1 K2 K3 &&
	(cd "$1" && git parallel run -j 3 --command "$FAULT_AGENT" >/dev/null 2>&1) &&
	git -C "$1" rev-parse main >"$1.old"
}
setup_clean () {
	setup_merge "$1" &&
	go_merge "$1"
}
go_clean () {
	(cd "$1" && git parallel clean --merged >"$TRASH_DIRECTORY/$io.out" 2>"$TRASH_DIRECTORY/$io.err")
}
finished_clean () {
	test -z "$(git -C "$1" for-each-ref refs/heads/parallel/)" &&
	! test -e "$1.parallel" &&
	! test -e "$(git -C "$1" rev-parse --git-common-dir)/worktrees"/K1
}
go_merge () {
	(cd "$1" && git parallel merge >"$TRASH_DIRECTORY/$io.out" 2>"$TRASH_DIRECTORY/$io.err")
}
finished_merge () {
	for id in K1 K2 K3
	do
		echo merged >expect &&
		task_field "$1" $id state >actual && test_cmp expect actual &&
		echo "$id uncommitted" >expect &&
		git -C "$1" show "main:$id-extra.txt" >actual && test_cmp expect actual &&
		git -C "$1" merge-base --is-ancestor "parallel/$id" main || return 1
	done &&
	# each task merged once, on top of where main was
	git -C "$1" rev-list --merges "$(cat "$1.old")..main" >merges &&
	test_line_count = 3 merges &&
	tree_consistent "$1"
}

# reset: the work tree half-updated by a read-tree that died (a file it
# adds already written), so that the next merge takes the forced way
setup_reset () {
	setup_merge "$1" &&
	(cd "$1" && GIT_PARALLEL_TEST_CRASH_AT=merge-before-read-tree git parallel merge >/dev/null 2>&1
	 test_crashed $?) &&
	test "$(git -C "$1" rev-parse main)" != "$(cat "$1.old")" &&
	git -C "$1" show main:K2-extra.txt >"$1/K2-extra.txt"
}
go_reset () {
	go_merge "$@"
}
finished_reset () {
	finished_merge "$@"
}

setup_verify () {
	setup_merge "$1"
}
go_verify () {
	(cd "$1" && git parallel merge --verify true >"$TRASH_DIRECTORY/$io.out" 2>"$TRASH_DIRECTORY/$io.err")
}
finished_verify () {
	finished_merge "$1" &&
	! git -C "$1" worktree list | grep gp-verify
}

# worker: each point its own task of the plan on remote.git, a clone of its own
WORKER_TASK_worker_after_claim=T001
WORKER_TASK_worker_before_push=T002
setup_worker () {
	if ! test -d remote.git
	then
		remote_setup || return 1
	fi &&
	fresh_clone "$1"
}
worker_task () {
	eval "echo \$WORKER_TASK_$(echo "$point" | tr - _)"
}
# the worker killed claims for 1 s (its claim is taken again after that);
# the next one keeps the default lease, so that a loaded machine that
# renews late does not lose it
go_worker () {
	(cd "$1" && git parallel worker ${GIT_PARALLEL_TEST_CRASH_AT:+--lease 1s} \
		"$REMOTE_URL" $(worker_task) >"$TRASH_DIRECTORY/$io.out" 2>"$TRASH_DIRECTORY/$io.err")
}
finished_worker () {
	id=$(worker_task) &&
	echo done >expect && remote_state $id >actual && test_cmp expect actual &&
	git -C remote.git rev-parse --verify "refs/heads/parallel/$id" &&
	git -C remote.git fsck
}

# oldlayout: a clone with refs of the shared layout before namespaces,
# loose and packed, removed by the next fetch; status --remote fetches
setup_oldlayout () {
	if ! test -d remote.git
	then
		remote_setup || return 1
	fi &&
	fresh_clone "$1" &&
	c=$(git -C "$1" rev-parse HEAD) &&
	for r in parallel/plan parallel/state/T001 heads/parallel/T001 target
	do
		git -C "$1" update-ref refs/gp-remote/$r $c || return 1
	done &&
	git -C "$1" pack-refs --all &&
	git -C "$1" update-ref refs/gp-remote/parallel/base $c &&
	git -C "$1" update-ref refs/gp-remote/heads/parallel/T002 $c
}
go_oldlayout () {
	(cd "$1" && git parallel status --remote "$REMOTE_URL" >"$TRASH_DIRECTORY/$io.out" 2>"$TRASH_DIRECTORY/$io.err")
}
finished_oldlayout () {
	grep "^T001 " "$io.out" &&
	git -C "$1" for-each-ref --format="%(refname)" refs/gp-remote/parallel/ \
		refs/gp-remote/heads/ refs/gp-remote/target >old &&
	test_must_be_empty old &&
	git -C "$1" for-each-ref --format="%(refname)" "refs/gp-remote/*/parallel/plan" >plans &&
	test_line_count = 1 plans
}

# lease_over <id>: wait until the lease in the task's remote state has run
# out (the claim of a killed worker is taken again only then)
lease_over () {
	lease=$(git -C remote.git show "refs/parallel/state/$1:state" | sed -n "s/^	lease = \([0-9]*\).*/\1/p") &&
	test -n "$lease" &&
	while test $(date +%s) -le $lease; do sleep 0.2; done
}

# Each row keeps the output of its two commands (<dir>.crash.out/err,
# <dir>.next.out/err: no row writes another's) and, when it fails, says
# which step failed, here and in <dir>.failed (prove hides the output;
# the trash directory stays).
for p in $POINTS
do
	point=${p%%:*} kind=${p#*:}
	test_expect_success "kill -9 at $point ($kind): sane, and the next $kind finishes" '
		dir=c-$point &&
		step="setup" && io=$dir.setup &&
		setup_$kind $dir &&
		step="the command killed at $point" && io=$dir.crash &&
		{ GIT_PARALLEL_TEST_CRASH_AT=$point go_$kind $dir; rc=$?; } &&
		test_crashed $rc &&
		step="waiting for what the killed command left" &&
		case $kind in
		run|sparse) wait_commands_gone $dir ;;
		worker) lease_over $(worker_task) ;;
		esac &&
		step="repo_sane after the kill" &&
		repo_sane $dir &&
		step="the next $kind" && io=$dir.next &&
		go_$kind $dir &&
		step="finished_$kind" &&
		finished_$kind $dir &&
		step="repo_sane at the end" &&
		repo_sane $dir &&
		step="no_locks" &&
		no_locks $dir || {
			echo "failed at: $step" | tee $dir.failed &&
			for f in $dir.crash.out $dir.crash.err $dir.next.out $dir.next.err
			do
				test -f $f && echo "== $f" && cat $f
			done
			false
		}
	'
done

test_done
