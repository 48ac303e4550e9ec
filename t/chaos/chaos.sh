#!/bin/sh
# Chaos driver for git-parallel: the hostile evaluation, on the real binary.
#
#   t/chaos/chaos.sh [--seed N] [--steps N] [--dir DIR] [--keep] [kill|agents|disk|all]
#
# Not part of make test.  Needs a built ./git-parallel at the top of the tree
# (make DEVELOPER=1).  Every random choice comes from --seed (default: the
# pid), printed first, so a failure is replayed with the same seed.
#
# kill    a fresh repository with 8 tasks whose commands are small shell
#         agents that edit and commit; --steps times (default 30) start run,
#         merge, clean or check and kill it (SIGKILL, SIGTERM or SIGINT, to
#         the process or its group) after a random delay; after every step
#         check the invariants (below); then run and merge to the end and
#         compare the target tree with a git merge loop of the same branches.
# agents  misbehaving agents (commit to main, check out another branch,
#         delete the worktree, reset --hard HEAD~, leave index.lock, symlink
#         out of the repository, 50 MB file, edit outside the owned paths,
#         background child, exit 0 without a commit, 10 MB of stdout, never
#         exit, a setsid daemon, git parallel run from inside): run, status, check, merge and clean must stay sane.
# disk    the worktrees and the state directory on a 2 MiB tmpfs (needs
#         root and mount): a run that fills it, then the same run after the
#         disk is freed finishes.
#
# Invariants after every step: git fsck --strict; git worktree list
# --porcelain has no prunable entry; no task branch lost or moved backwards;
# the target ref is the old tip or a descendant of it (never half); no
# unmerged index entry in the repository or a task worktree; the user's
# untracked and ignored files in the main worktree are byte-equal; git
# parallel status --json and report --format=json parse; no process of a killed command is left
# once the command was stopped by SIGTERM/SIGINT, and none at all at the end;
# kill: no lock file left in the git directory at the end.
set -u

seed=$$ steps=30 dir= keep= scen=all
while test $# -gt 0
do
	case $1 in
	--seed) seed=$2; shift ;;
	--steps) steps=$2; shift ;;
	--dir) dir=$2; shift ;;
	--keep) keep=1 ;;
	kill|agents|disk|all) scen=$1 ;;
	*) echo "usage: $0 [--seed N] [--steps N] [--dir DIR] [--keep] [kill|agents|disk|all]" >&2; exit 129 ;;
	esac
	shift
done

top=$(cd "$(dirname "$0")/../.." && pwd)
test -x "$top/git-parallel" || { echo "chaos: build $top/git-parallel first" >&2; exit 128; }
test -n "$dir" || dir=$(mktemp -d "${TMPDIR:-/tmp}/gp-chaos.XXXXXX")
mkdir -p "$dir/bin"
dir=$(cd "$dir" && pwd)
# a copy of the binary: a rebuild during a long run must not change it
cp "$top/git-parallel" "$dir/bin/" || exit 128
PATH="$dir/bin:$PATH"
export PATH
unset GIT_DIR GIT_WORK_TREE GIT_PARALLEL_CONFIG
GIT_PARALLEL_TRUST_COMMANDS=1
GIT_AUTHOR_NAME=Chaos GIT_AUTHOR_EMAIL=chaos@example.com
GIT_COMMITTER_NAME=Chaos GIT_COMMITTER_EMAIL=chaos@example.com
export GIT_PARALLEL_TRUST_COMMANDS GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
MARK="chaos:$dir:end"
echo "chaos: seed $seed, steps $steps, in $dir"

fails=0
rand_state=$seed
rand () {
	rand_state=$(( (rand_state * 1103515245 + 12345) % 2147483648 ))
	r=$(( rand_state / 65536 % $1 ))
}

fail () {
	echo "FAIL [$scen_now step $step: $what]: $*"
	fails=$((fails + 1))
}

# stray: the processes (not zombies) that carry our mark in their environment
stray () {
	for e in $(grep -lsaF "CHAOS_MARK=$MARK" /proc/[0-9]*/environ)
	do
		p=${e#/proc/}; p=${p%/environ}
		test "$p" = $$ && continue
		st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' /proc/$p/status 2>/dev/null)
		test "$st" = Z || test -z "$st" || echo "$p $(cat /proc/$p/cmdline 2>/dev/null | tr '\0' ' ')"
	done
}

# wait_stray <seconds>: wait until no marked process is left
wait_stray () {
	n=0
	while test -n "$(stray)"
	do
		n=$((n + 1))
		test $n -gt $(( $1 * 10 )) && return 1
		sleep 0.1
	done
	return 0
}

# gp <args>: git-parallel, marked, in its own session (pid = process group)
gp_bg () {
	(cd "$repo" && CHAOS_MARK=$MARK exec setsid git-parallel "$@" >>"$dir/out.log" 2>&1 </dev/null) &
	gp_pid=$!
}

gp () {
	(cd "$repo" && CHAOS_MARK=$MARK git-parallel "$@" </dev/null)
}

snapshot () {
	git -C "$repo" for-each-ref --format='%(refname) %(objectname)' "refs/heads/$prefix" >"$dir/branches.before"
	git -C "$repo" rev-parse -q --verify "refs/heads/$target" >"$dir/target.before"
}

invariants () {
	git -C "$repo" fsck --strict --no-progress >"$dir/fsck.out" 2>&1 ||
		fail "git fsck --strict: $(head -5 "$dir/fsck.out")"
	git -C "$repo" worktree list --porcelain >"$dir/wt.out" 2>&1 ||
		fail "git worktree list failed"
	if grep -q '^prunable' "$dir/wt.out"
	then
		fail "prunable worktrees: $(grep -B3 '^prunable' "$dir/wt.out" | grep '^worktree' | tr '\n' ' ')"
	fi
	if grep -q '^locked' "$dir/wt.out"
	then
		fail "locked worktrees: $(grep -B4 '^locked' "$dir/wt.out" | tr '\n' ' ')"
	fi
	# every worktree listed exists and says it is a git worktree
	sed -n 's/^worktree //p' "$dir/wt.out" | while IFS= read -r w
	do
		if ! test -d "$w"
		then
			echo "worktree $w is listed but missing"
		elif ! git -C "$w" status --porcelain >/dev/null 2>"$dir/st.err"
		then
			echo "git status fails in $w: $(head -1 "$dir/st.err")"
		elif test -n "$(git -C "$w" ls-files -u)"
		then
			echo "unmerged entries in $w"
		fi
	done >"$dir/wt.bad"
	test -s "$dir/wt.bad" && fail "$(cat "$dir/wt.bad")"
	# task branches: none lost, none moved backwards (clean may remove
	# merged ones: their tip must be in the target)
	while read -r ref old
	do
		new=$(git -C "$repo" rev-parse -q --verify "$ref")
		if test -z "$new"
		then
			git -C "$repo" merge-base --is-ancestor "$old" "refs/heads/$target" ||
				fail "branch $ref lost (was $old, not merged)"
		elif ! git -C "$repo" merge-base --is-ancestor "$old" "$new"
		then
			fail "branch $ref moved backwards: $old -> $new"
		fi
	done <"$dir/branches.before"
	old=$(cat "$dir/target.before")
	new=$(git -C "$repo" rev-parse -q --verify "refs/heads/$target")
	if test -z "$new"
	then
		fail "target $target is gone"
	elif test "$old" != "$new"
	then
		git -C "$repo" merge-base --is-ancestor "$old" "$new" ||
			fail "target $target moved backwards: $old -> $new"
		# every new commit on the first-parent line is a task merge
		git -C "$repo" log --first-parent --format=%s "$old..$new" | grep -v "^Merge task \|^T1: rogue" >"$dir/odd" &&
			fail "odd commits on $target: $(cat "$dir/odd")"
	fi
	test -z "$(git -C "$repo" ls-files -u)" || fail "unmerged index in $repo"
	# the target's checkout matches its tip (never half-updated); the
	# user's own files are untouched
	gp status --json >"$dir/status.json" 2>"$dir/status.err" ||
		fail "status --json failed: $(head -2 "$dir/status.err")"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"] == 1' "$dir/status.json" 2>/dev/null ||
		fail "status --json does not parse"
	gp report --format=json >"$dir/report.json" 2>"$dir/report.err" ||
		fail "report --format=json failed: $(head -2 "$dir/report.err")"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"] == 1' "$dir/report.json" 2>/dev/null ||
		fail "report --format=json does not parse"
	# (after a merge killed between the ref and the worktree, status says
	# so and the next merge finishes it: the final merge checks that)
	if test "$(git -C "$repo" symbolic-ref -q HEAD)" = "refs/heads/$target" &&
	   ! grep -q '"interrupted_merge": "' "$dir/status.json"
	then
		git -C "$repo" status --porcelain --untracked-files=no >"$dir/st.main"
		test -s "$dir/st.main" && fail "main worktree not clean: $(head -3 "$dir/st.main" | tr '\n' ' ')"
	fi
	for f in $user_files
	do
		cmp -s "$repo/$f" "$dir/user/$(echo "$f" | tr / _)" || fail "user file $f changed or lost"
	done
}

# save_user_files: the user's untracked/ignored files and their copies
save_user_files () {
	mkdir -p "$dir/user"
	for f in $user_files
	do
		cp "$repo/$f" "$dir/user/$(echo "$f" | tr / _)"
	done
}

# new_repo <name> <ntasks> <agent> [<more paths> [<T7 depends>]]: a
# repository with INI tasks T1..Tn (paths src/tn.c doc/tn.md), planned.
new_repo () {
	repo=$dir/$1
	rm -rf "$repo" "$repo.parallel"
	git init -q -b main "$repo"
	mkdir -p "$repo/src" "$repo/doc"
	i=1
	while test $i -le 40
	do
		echo "line $i" >>"$repo/src/shared.c"
		i=$((i + 1))
	done
	echo "# project" >"$repo/README"
	printf "*.log\nNOTES.txt\n" >"$repo/.gitignore"
	git -C "$repo" add .
	git -C "$repo" commit -q -m initial
	: >"$repo/tasks.ini"
	i=1
	while test $i -le $2
	do
		printf '[task "T%d"]\n\ttitle = task %d $(touch %s/pwned)\n\tpaths = src/t%d.c doc/t%d.md%s\n' $i $i "$dir" $i $i "${4:-}" >>"$repo/tasks.ini"
		test $i = 7 && test -n "${5:-}" && printf '\tdepends = %s\n' "$5" >>"$repo/tasks.ini"
		i=$((i + 1))
	done
	git -C "$repo" add tasks.ini
	git -C "$repo" commit -q -m tasks
	cat >"$repo/.git/gp-config" <<-EOF
	[parallel]
		command = "$3"
		jobs = 3
		timeout = ${CHAOS_TIMEOUT:-60s}
		retries = 1
	EOF
	GIT_PARALLEL_CONFIG=$repo/.git/gp-config
	export GIT_PARALLEL_CONFIG
	# the user's own files in the main worktree: untracked and ignored
	echo "user notes $seed" >"$repo/NOTES.txt"
	head -c 3000 /dev/urandom | od -An -x >"$repo/build.log"
	user_files="NOTES.txt build.log"
	save_user_files
	(cd "$repo" && git-parallel plan tasks.ini >/dev/null) || fail "plan failed"
	prefix=parallel/ target=main
}

# the good agent: a real edit and a commit or two, slow enough to be killed
write_good_agent () {
	cat >"$dir/good-agent" <<-\EOF
	#!/bin/sh
	id=$GIT_PARALLEL_TASK_ID
	n=${id#T}
	sleep 0.$(( n * 7 % 10 ))
	echo "$id first" >>"src/t$n.c"
	git add "src/t$n.c" && git commit -q -m "$id: first" || exit 1
	sleep 0.$(( n * 3 % 10 ))
	# a disjoint hunk of the shared file: line 4n (gaps between tasks)
	sed "$((n * 4))s/\$/ ($id)/" src/shared.c >src/shared.c.new && mv src/shared.c.new src/shared.c
	echo "$id doc" >"doc/t$n.md"
	case $n in 1|3|5) git add -A && git commit -q -m "$id: second" ;; esac
	exit 0
	EOF
	chmod +x "$dir/good-agent"
}

# task_head <id>: the task's branch, or the commit its merge brought in
# (clean --merged removes the branch of a merged task)
task_head () {
	git -C "$repo" rev-parse -q --verify "refs/heads/$prefix$1" ||
	git -C "$repo" log --first-parent --format=%P --grep="^Merge task $1:" "refs/heads/$target" | head -1 | cut -d' ' -f2
}

oracle_tree () {
	rm -rf "$dir/oracle"
	git clone -q "$repo" "$dir/oracle"
	git -C "$dir/oracle" checkout -q "$(cat "$dir/target.start")"
	for id in $1
	do
		git -C "$dir/oracle" merge -q --no-ff -m "$id" "$(task_head $id)" >/dev/null 2>&1 ||
			{ fail "oracle: git merge of $id conflicts"; return 1; }
	done
	git -C "$dir/oracle" rev-parse "HEAD^{tree}"
}

all_state () {
	python3 - "$dir/status.json" "$@" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	bad = [t["id"] + "=" + t["state"] for t in d["tasks"] if t["state"] not in sys.argv[2:]]
	print(" ".join(bad))
	sys.exit(1 if bad else 0)
	EOF
}

scenario_kill () {
	scen_now=kill step=0 what=setup
	write_good_agent
	printf '#!/bin/sh\nsleep 0.3\ntest -f src/shared.c\n' >"$dir/verify"
	chmod +x "$dir/verify"
	new_repo kill 8 "$dir/good-agent" " src/shared.c" "T1 T2"
	tasks="T1 T2 T3 T4 T5 T6 T7 T8"
	git -C "$repo" rev-parse main >"$dir/target.start"
	snapshot
	invariants
	step=1
	while test $step -le "$steps"
	do
		snapshot
		gp status --json >"$dir/status.json" 2>/dev/null
		if all_state done merged >/dev/null
		then
			rand 5
			case $r in 0) cmd=merge ;; 1) cmd="merge --verify $dir/verify" ;; 2) cmd=check ;; 3) cmd="clean --merged" ;; 4) cmd="check --exact" ;; esac
		else
			rand 7
			case $r in 0) cmd=check ;; 1) cmd=merge ;; 2) cmd="merge --verify $dir/verify" ;; *) cmd=run ;; esac
		fi
		rand 4
		case $r in 0) sig=KILL ;; 1) sig=TERM ;; 2) sig=INT ;; 3) sig=ALL ;; esac
		rand 2; grp=$r
		test $sig = ALL && grp=2
		rand 2000; delay=$(printf '%d.%03d' $((r / 1000)) $((r % 1000)))
		case $grp in 0) whom=process ;; 1) whom=group ;; 2) whom="every process it started (a power cut)" ;; esac
		what="$cmd, SIG$(test $sig = ALL && echo KILL || echo $sig) to $whom after ${delay}s"
		echo "step $step: $what"
		gp_bg $cmd
		sleep "$delay"
		if test $grp = 2
		then
			sig=KILL
			kill -9 $gp_pid $(stray | cut -d" " -f1) 2>/dev/null
			kill -9 $(stray | cut -d" " -f1) 2>/dev/null
		elif test $grp = 1
		then
			kill -s $sig -- -$gp_pid 2>/dev/null
		else
			kill -s $sig $gp_pid 2>/dev/null
		fi
		wait $gp_pid
		rc=$?
		case $rc in
		0|1|130|143|137) ;;
		*) fail "exit $rc (see $dir/out.log)" ;;
		esac
		if test $sig != KILL
		then
			# stopped by a signal it handles: its commands must go too
			wait_stray 15 || fail "processes left after SIG$sig: $(stray | head -3 | tr '\n' ';')"
		else
			# a crash leaves the task commands running: they finish
			# on their own (the next run adopts or waits for them)
			wait_stray 30 || fail "commands of a crashed run never ended: $(stray | head -3)"
		fi
		invariants
		step=$((step + 1))
	done
	what="run to the end"
	snapshot
	gp run >>"$dir/out.log" 2>&1 || fail "final run exit $?"
	invariants
	gp status --json >"$dir/status.json"
	bad=$(all_state done merged) ||
		fail "not all done/merged after the final run: $bad"
	what="merge to the end"
	oracle=$(oracle_tree "$tasks")
	snapshot
	gp merge >>"$dir/out.log" 2>&1 || fail "final merge exit $?"
	invariants
	gp status --json >"$dir/status.json"
	bad=$(all_state merged) || fail "not all merged: $bad"
	test "$(git -C "$repo" rev-parse 'main^{tree}')" = "$oracle" ||
		fail "merged tree differs from git merge's ($oracle)"
	for id in $tasks
	do
		c=$(git -C "$repo" log --first-parent --format=%s "$(cat "$dir/target.start")..main" | grep -c "^Merge task $id:")
		test "$c" = 1 || fail "task $id merged $c times"
	done
	what="clean to the end"
	snapshot
	gp clean --merged >>"$dir/out.log" 2>&1 || fail "final clean exit $?"
	invariants
	test -z "$(git -C "$repo" for-each-ref "refs/heads/$prefix")" || fail "branches left after clean --merged"
	test "$(git -C "$repo" worktree list | wc -l)" = 1 || fail "worktrees left after clean --merged"
	# what a kill left (a git lock, libgit2's half-done rename of one) the
	# commands after it finished or removed
	locks=$(find "$repo/.git" -name "*.lock" | head -3)
	test -z "$locks" || fail "lock files left at the end: $locks"
	test -z "$(stray)" || fail "stray processes at the end: $(stray | head -3)"
	test -e "$dir/pwned" && fail "a task title reached a shell"
}

. "$top/t/chaos/agents.sh"
. "$top/t/chaos/disk.sh"

case $scen in
kill) scenario_kill ;;
agents) scenario_agents ;;
disk) scenario_disk ;;
all) scenario_kill; scenario_agents; scenario_disk ;;
esac

# leave no process of ours behind
for p in $(stray | cut -d' ' -f1)
do
	kill -9 "$p" 2>/dev/null
done
echo "chaos: seed $seed: $fails failure(s)"
test -n "$keep" || test $fails -gt 0 || rm -rf "$dir"
test $fails = 0
