# The small-disk scenario (sourced by chaos.sh): the state directory and
# the worktrees each on a 2 MiB tmpfs that the tasks fill up mid-run; then
# the disks grow (remount) and the same run finishes.
write_disk_agent () {
	cat >"$dir/disk-agent" <<-\EOF
	#!/bin/sh
	id=$GIT_PARALLEL_TASK_ID
	n=${id#T}
	# output for the log (the state disk), a file for the worktree disk
	head -c $(( (n % 3) * 300000 + 200000 )) /dev/zero | tr "\\0" o; echo
	mkdir -p src doc && echo "$id" >"src/t$n.c"
	head -c $(( n * 100000 )) /dev/urandom | od -An -x >"doc/t$n.md"
	git add -A && git commit -q -m "$id: work" || exit 1
	exit 0
	EOF
	chmod +x "$dir/disk-agent"
}

disk_umount () {
	for m in "$dir/disk/repo/.git/parallel" "$dir/disk/wt"
	do
		mountpoint -q "$m" && umount "$m"
	done
}

scenario_disk () {
	scen_now=disk step=0 what=setup
	if ! mkdir -p "$dir/probe" || ! mount -t tmpfs -o size=2m tmpfs "$dir/probe" 2>/dev/null
	then
		echo "disk: skipped (cannot mount a tmpfs: needs root)"
		return 0
	fi
	umount "$dir/probe"
	write_disk_agent
	mkdir -p "$dir/disk"
	repo=$dir/disk/repo
	rm -rf "$repo"
	git init -q -b main "$repo"
	mkdir -p "$repo/src" "$repo/doc" "$repo/.git/parallel" "$dir/disk/wt"
	echo "# project" >"$repo/README"
	: >"$repo/tasks.ini"
	i=1
	while test $i -le 8
	do
		printf '[task "T%d"]\n\ttitle = task %d\n\tpaths = src/t%d.c doc/t%d.md\n' $i $i $i $i >>"$repo/tasks.ini"
		i=$((i + 1))
	done
	printf 'NOTES.txt\n' >"$repo/.gitignore"
	git -C "$repo" add . && git -C "$repo" commit -q -m initial
	mount -t tmpfs -o size=2m tmpfs "$repo/.git/parallel"
	mount -t tmpfs -o size=2m tmpfs "$dir/disk/wt"
	trap disk_umount EXIT
	cat >"$repo/.git/gp-config" <<-EOF
	[parallel]
		command = "$dir/disk-agent"
		jobs = 3
		retries = 0
		worktrees = $dir/disk/wt
	EOF
	GIT_PARALLEL_CONFIG=$repo/.git/gp-config
	export GIT_PARALLEL_CONFIG
	echo "user notes" >"$repo/NOTES.txt"
	user_files=NOTES.txt
	save_user_files
	prefix=parallel/ target=main
	git -C "$repo" rev-parse main >"$dir/target.start"
	gp plan tasks.ini >/dev/null || fail "plan failed"
	step=1 what="run on full disks"
	snapshot
	gp run >"$dir/disk.1.out" 2>&1
	rc=$?
	echo "step 1: run on 2 MiB disks: exit $rc"
	df -k "$repo/.git/parallel" "$dir/disk/wt" | sed 's/^/  /'
	grep -v '^o*$' "$dir/disk.1.out" | sed 's/^/  | /' | cut -c1-200 | head -30
	case $rc in 1|128) ;; *) fail "exit $rc, expected 1 (failed tasks) or 128" ;; esac
	tmp=$(find "$repo/.git/parallel" "$repo/.git/worktrees" -name '*.tmp*' -o -name '*.lock' | head -3)
	test -z "$tmp" || fail "partial files left: $tmp"
	grep -q 'No space left\|no space\|disk' "$dir/disk.1.out" || fail "no clear 'no space' error"
	invariants
	step=2 what="run after the disks grew"
	mount -o remount,size=64m "$repo/.git/parallel"
	mount -o remount,size=64m "$dir/disk/wt"
	snapshot
	gp run >"$dir/disk.2.out" 2>&1 || fail "exit $? (see $dir/disk.2.out)"
	echo "step 2: run on 64 MiB disks"
	invariants
	gp status --json >"$dir/status.json"
	bad=$(all_state done) || fail "not all done: $bad"
	step=3 what="merge"
	oracle=$(oracle_tree "T1 T2 T3 T4 T5 T6 T7 T8")
	snapshot
	gp merge >"$dir/disk.3.out" 2>&1 || fail "merge exit $?"
	invariants
	test "$(git -C "$repo" rev-parse 'main^{tree}')" = "$oracle" ||
		fail "merged tree differs from git merge's"
	gp clean --merged >/dev/null 2>&1 || fail "clean exit $?"
	disk_umount
	trap - EXIT
}
