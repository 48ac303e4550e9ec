# Helpers for the fault-injection and hostile-input tests (t8xxx).
# Sourced after test-lib.sh.

# What a test leaves hanging on purpose (a hook, a merge driver, a filter
# that sleeps) appends its pid to $HUNG; test_when_finished kill_hung
# stops them when the test ends.
HUNG="$TRASH_DIRECTORY/hung.pids"
kill_hung () {
	test -f "$HUNG" && while read hung_pid_; do kill "$hung_pid_" 2>/dev/null; done <"$HUNG"
	return 0
}

# repo_sane <repo>: git fsck passes, no ref points at a missing object,
# git worktree list works.
repo_sane () {
	git -C "$1" fsck >fsck.out 2>&1 || { cat fsck.out; return 1; }
	git -C "$1" for-each-ref --format='%(objectname) %(refname)' >refs.out &&
	cut -d" " -f1 refs.out | git -C "$1" cat-file --batch-check >refs.check &&
	if grep missing refs.check
	then
		echo "a ref points at a missing object"
		return 1
	fi &&
	git -C "$1" worktree list >/dev/null
}

# state_sum <repo>: a checksum of the whole state directory (names, modes,
# contents), to tell that a command changed nothing there.
state_sum () {
	sd=$(state_dir "$1")
	if test -d "$sd"
	then
		(cd "$sd" && find . -print | LC_ALL=C sort | while IFS= read -r f
		 do
			if test -f "$f"; then printf '%s %s\n' "$f" "$(cksum <"$f")"; else printf '%s\n' "$f"; fi
		 done)
	else
		echo "no state"
	fi
}

# task_field <repo> <id> <key>: a field of one task in status --json.
task_field () {
	(cd "$1" && git parallel status --json) >status.json &&
	json_get status.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$2\"][0].get(\"$3\")"
}

# test_crashed <rc>: the process died of SIGKILL (128 + 9).
test_crashed () {
	if test "$1" != 137
	then
		echo "expected a crash (exit 137), got exit $1"
		return 1
	fi
}

# crash_run <repo> <point> [<run args>...]: git parallel run in <repo>,
# killed at the crash point <point>; its output in crash.out, crash.err
# (next to <repo>).
crash_run () {
	dir=$1 point=$2 && shift 2 &&
	{
		(cd "$dir" && GIT_PARALLEL_TEST_CRASH_AT=$point git parallel run "$@" >../crash.out 2>../crash.err)
		rc=$?
	} &&
	test_crashed $rc
}

# convert_repo <dir> <n> <lines>: <dir> with <n> files f<i>.txt of <lines>
# lines that git writes in UTF-16 (working-tree-encoding: libgit2's
# checkout writes them as blobs, UTF-8, then git again) and a.c; task K1
# (paths a.c) edits a.c; planned
convert_repo () {
	new_repo "$1" &&
	echo "*.txt working-tree-encoding=UTF-16" >"$1/.gitattributes" &&
	for i in $(test_seq 1 $2)
	do
		for k in $(test_seq 1 $3); do echo "file $i line $k"; done |
		iconv -f UTF-8 -t UTF-16 >"$1/f$i.txt" || return 1
	done &&
	echo c >"$1/a.c" &&
	printf "[task \"K1\"]\n\ttitle = one\n\tpaths = a.c\n\tcommand = echo edit >>a.c\n" >"$1/tasks.ini" &&
	git -C "$1" add . && git -C "$1" commit -q -m files &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null)
}

# convert_as_git <dir>: convert_repo's K1 done, its worktree byte for
# byte what git writes (git status says nothing), a.c its only change
convert_as_git () {
	git -C "$1.parallel/K1" status --porcelain >st 2>&1 &&
	test_must_be_empty st &&
	for f in "$1"/f*.txt
	do
		cmp "$f" "$1.parallel/K1/${f##*/}" || return 1
	done &&
	git -C "$1" diff --name-status main parallel/K1 >actual &&
	printf "M\ta.c\n" >expect && test_cmp expect actual
}

# An agent that commits its own work, then leaves more uncommitted:
# <id>.txt gets a line and a commit "<id>: own commit"; <id>-extra.txt is
# left for commit = auto.  With AGENT_HANG_ONCE=<file>, the first attempt
# of each task then hangs for 30 s (so that it outlives a crashed run).
write_fault_agent () {
	cat >"$1" <<-\EOF &&
	#!/bin/sh
	id=$GIT_PARALLEL_TASK_ID
	echo "$id work" >>"$id.txt"
	git add "$id.txt" && git commit -q -m "$id: own commit" || exit 1
	echo "$id uncommitted" >"$id-extra.txt"
	if test -n "$AGENT_HANG_ONCE" && ! test -e "$AGENT_HANG_ONCE.$id"
	then
		: >"$AGENT_HANG_ONCE.$id"
		sleep 30
	fi
	exit 0
	EOF
	chmod +x "$1"
}

# write_lock_agent <agent>: ./lock-agent, whose first attempt takes the
# locks named by $LOCKS (index, head, branch) in its worktree, says so in
# ./locked and sleeps until killed; later attempts run <agent>.  Sets CMD
# to run it.
write_lock_agent () {
	cat >lock-agent <<-EOF &&
	#!/bin/sh
	if ! test -e "$TRASH_DIRECTORY/locked"
	then
		gd=\$(git rev-parse --absolute-git-dir) &&
		cd_=\$(git rev-parse --path-format=absolute --git-common-dir) &&
		for l in \$LOCKS
		do
			case \$l in
			index) : >"\$gd/index.lock" ;;
			head) : >"\$gd/HEAD.lock" ;;
			branch) : >"\$cd_/refs/heads/parallel/\$GIT_PARALLEL_TASK_ID.lock" ;;
			esac || exit 1
		done &&
		: >"$TRASH_DIRECTORY/locked" &&
		exec sleep 60
	fi
	exec "$TRASH_DIRECTORY/$1"
	EOF
	chmod +x lock-agent &&
	CMD="\"$TRASH_DIRECTORY/lock-agent\""
}

# wait_for_file <file>: wait (up to 30 s) until it exists.
wait_for_file () {
	n=0 &&
	while ! test -e "$1"
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || { echo "no $1"; return 1; }
	done
}

# tmpfs_prereq: set the prerequisite TMPFS when this test may mount a tmpfs
# (root): a full disk needs a small filesystem.
tmpfs_prereq () {
	if test "$(id -u)" = 0 && mkdir probe-mnt && mount -t tmpfs -o size=64k tmpfs probe-mnt 2>/dev/null
	then
		umount probe-mnt && test_set_prereq TMPFS
	fi
	rmdir probe-mnt 2>/dev/null
	:
}

# small_fs <dir> <size>: put <dir> (its contents kept) on a tmpfs of <size>.
small_fs () {
	mv "$1" "$1.save" && mkdir "$1" &&
	mount -t tmpfs -o "size=$2" tmpfs "$1" &&
	cp -a "$1.save/." "$1/" && rm -rf "$1.save"
}

# big_fs <dir>: back to the disk, contents kept.
big_fs () {
	mkdir "$1.save" && cp -a "$1/." "$1.save/" &&
	umount "$1" && rmdir "$1" && mv "$1.save" "$1"
}

# ini_tasks <dir> <id>...: a repository with INI tasks <id> (paths <id>.txt),
# planned.
ini_tasks () {
	dir=$1 && shift &&
	new_repo "$dir" &&
	for id in "$@"
	do
		printf '[task "%s"]\n\ttitle = task %s\n\tpaths = %s.txt %s-extra.txt\n' \
			"$id" "$id" "$id" "$id" >>"$dir/tasks.ini" || return 1
	done &&
	git -C "$dir" add . && git -C "$dir" commit -q -m tasks &&
	(cd "$dir" && git parallel plan tasks.ini >/dev/null)
}

# line_tasks <repo> <task>=<line>...: <repo> (made unless it exists) gets
# a.txt holding 1..20, committed with whatever the caller put there first
# ("base"); then each task, planned from tasks.ini beside <repo> and run,
# changes line <line> of a.txt to <task><line> (A=15: "A15").  The shape
# of the refusal tests: a configuration git refuses, which check and merge
# must refuse too, with tasks to work on.
line_tasks () {
	lt_repo=$1 && shift &&
	{ test -d "$lt_repo" || new_repo "$lt_repo"; } &&
	test_seq 1 20 >"$lt_repo/a.txt" &&
	git -C "$lt_repo" add . && git -C "$lt_repo" commit -q -m base &&
	: >"$lt_repo/../tasks.ini" &&
	for lt in "$@"
	do
		printf '[task "%s"]\n\ttitle = %s\n\tcommand = sed -i s/^%s\\$/%s%s/ a.txt\n' \
			"${lt%%=*}" "$(echo "${lt%%=*}" | tr A-Z a-z)" "${lt#*=}" "${lt%%=*}" "${lt#*=}" \
			>>"$lt_repo/../tasks.ini" || return 1
	done &&
	(cd "$lt_repo" && git parallel plan ../tasks.ini >/dev/null &&
	 git parallel run >../run.out 2>&1)
}

# wait_commands_gone <repo>: a run killed with its task commands running
# leaves them running; wait (up to 30 s) until no process group a task
# state names has a live process, so that fsck does not race a commit.
# Zombies waiting for init to reap them are gone: they hold nothing.
wait_commands_gone () {
	for f in "$(state_dir "$1")"/tasks/*
	do
		test -f "$f" || continue
		pid=$(sed -n "s/^	pid = //p" "$f") &&
		n=0 &&
		while test -n "$pid" && test "$pid" != 0 &&
		      ps -eo pgid=,stat= | awk -v g="$pid" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
		do
			n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || {
				echo "the command of $f (group $pid) never ended"; return 1
			}
		done || return 1
	done
}

# wait_interrupted <repo> <id>: the group of the killed command may linger a
# moment as a zombie (then status still shows it running*): wait (up to
# 5 minutes: only a hang) until status takes the task for interrupted.
wait_interrupted () {
	n=0
	until test "$(task_field "$1" "$2" state)" = interrupted
	do
		n=$((n + 1)) && test $n -lt 3000 && sleep 0.1 || {
			echo "task $2 never became interrupted"; return 1
		}
	done
}

# wait_cwd_gone <dir>: wait (up to 30 s) until no process has its current
# directory in <dir> or below -- a task command forked by a run that was
# killed, whose pid no state names.
wait_cwd_gone () {
	d=$(cd "$1" && pwd -P) &&
	n=0 &&
	while for p in /proc/[0-9]*; do readlink "$p/cwd" 2>/dev/null; done |
	      grep -q -e "^$d\$" -e "^$d/"
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || {
			echo "a process still runs in $d"; return 1
		}
	done
}

# wait_command <repo> <id>: wait (up to 30 s) until the task's command
# runs: its state names its pid (saved before it may run) and that
# process has left git-parallel for the command (exec).  "state =
# running" is saved before the command is even forked.
wait_command () {
	f="$(state_dir "$1")/tasks/$2" &&
	n=0 &&
	until pid=$(sed -n "s/^	pid = //p" "$f" 2>/dev/null) &&
	      test -n "$pid" && test "$pid" != 0 &&
	      comm=$(cat "/proc/$pid/comm" 2>/dev/null) &&
	      test -n "$comm" && test "$comm" != git-parallel
	do
		n=$((n + 1)) && test $n -lt 300 && sleep 0.1 || {
			echo "the command of task $2 never ran"; return 1
		}
	done
}
