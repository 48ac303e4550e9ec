# The misbehaving agents (sourced by chaos.sh): task Tn behaves as case n.
write_bad_agent () {
	cat >"$dir/bad-agent" <<-\EOF2
	#!/bin/sh
	id=$GIT_PARALLEL_TASK_ID
	n=${id#T}
	main=$(cd "$(git rev-parse --path-format=absolute --git-common-dir)/.." && pwd)
	echo "$id work" >>"src/t$n.c"
	case $n in
	1)	# commits to the main branch, in the user's worktree
		git add -A && git commit -q -m "$id: own" &&
		echo rogue >"$main/rogue.txt" && git -C "$main" add rogue.txt &&
		git -C "$main" commit -q -m "T1: rogue commit on main" ;;
	2)	# checks out another branch in its worktree and commits there
		git checkout -q -b "other-$id" && git add -A && git commit -q -m "$id: on another branch" ;;
	3)	# deletes its own worktree
		cd / && rm -rf "$GIT_PARALLEL_WORKTREE" ;;
	4)	# commits, then throws its commit away
		git add -A && git commit -q -m "$id: own" && git reset -q --hard HEAD~ ;;
	5)	# leaves index.lock behind, and work for commit = auto
		: >"$(git rev-parse --git-dir)/index.lock" ;;
	6)	# symlinks out of the repository
		ln -s /etc/passwd "src/leak$n" && ln -s ../../.. "src/up$n" &&
		git add -A && git commit -q -m "$id: links" ;;
	7)	# a 50 MB file
		head -c 52428800 /dev/urandom >"src/big$n.bin" ;;
	8)	# edits outside its paths
		echo "$id was here" >>README && git add -A && git commit -q -m "$id: readme" ;;
	9)	# a background child that keeps running
		git add -A && git commit -q -m "$id: own" &&
		sleep 300 >/dev/null 2>&1 </dev/null & ;;
	10)	# exits 0 without committing anything
		git checkout -q -- . ;;
	11)	# 10 MB of stdout
		head -c 10485760 /dev/zero | tr '\0' x ;;
	12)	# never exits
		exec sleep 3600 ;;
	14)	# a daemon in a session of its own (leaves the process group)
		git add -A && git commit -q -m "$id: own" &&
		setsid sh -c 'sleep 300 & exec sleep 301' >/dev/null 2>&1 </dev/null & ;;
	13)	# runs git parallel itself, from inside its worktree
		git parallel run; git parallel merge; git parallel clean --all --force
		git add -A && git commit -q -m "$id: own" ;;
	esac
	exit 0
	EOF2
	chmod +x "$dir/bad-agent"
}

scenario_agents () {
	scen_now=agents step=0 what=setup
	write_bad_agent
	CHAOS_TIMEOUT=20s
	new_repo agents 14 "$dir/bad-agent"
	sed -i 's/retries = 1/retries = 0/; s/jobs = 3/jobs = 4/' "$repo/.git/gp-config"
	git -C "$repo" rev-parse main >"$dir/target.start"
	for cmd in run check merge "merge --allow-undeclared" dirty-merge status report "clean --merged" run merge "clean --all"
	do
		if test "$cmd" = dirty-merge
		then
			# a modified tracked file in the target's worktree: merge
			# refuses, names it, and changes nothing
			step=$((step + 1)) what="merge with a dirty README"
			echo "user edit" >>"$repo/README"
			cp "$repo/README" "$dir/README.user"
			snapshot
			gp merge --allow-undeclared >"$dir/agents.$step.out" 2>&1
			rc=$?
			echo "step $step: $what: exit $rc"
			test $rc = 128 || fail "exit $rc, expected 128"
			grep -q README "$dir/agents.$step.out" || fail "the refusal does not name README"
			cmp -s "$repo/README" "$dir/README.user" || fail "README changed"
			test "$(git -C "$repo" rev-parse main)" = "$(cat "$dir/target.before")" || fail "main moved"
			git -C "$repo" checkout -q -- README
			continue
		fi
		step=$((step + 1)) what=$cmd
		snapshot
		echo "step $step: $cmd"
		gp $cmd >"$dir/agents.$step.out" 2>&1
		rc=$?
		echo "  exit $rc"
		case $rc in 0|1) ;; *) fail "exit $rc: $(tail -3 "$dir/agents.$step.out")" ;; esac
		grep -i 'BUG\|assert\|sanitizer\|segmentation' "$dir/agents.$step.out" && fail "internal error"
		wait_stray 5 || echo "  still running after $cmd: $(stray | tr '\n' ';')"
		invariants
	done
	gp status --json >"$dir/status.json"
	python3 -c '
import json,sys
for t in json.load(open(sys.argv[1]))["tasks"]:
    print("  %-4s %-10s exit=%s" % (t["id"], t["state"], t.get("exit")))' "$dir/status.json"
	test -z "$(stray)" || fail "stray processes at the end: $(stray | head -3 | tr '\n' ';')"
	test -e "$dir/pwned" && fail "a task title reached a shell"
}
