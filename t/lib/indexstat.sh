# Helpers for the tests of index stat data and git's racy rule (t3276, t3277, t3280,
# t3281, t4130).
# They only need git and python3: a test hook's script can source this file.

# stat_into_index <worktree> <path> [<index mtime ns>]: <path>'s lstat()
# recorded in its index entry (the blob left alone), the checksum made
# again, the index's mtime then set (nanoseconds since the epoch)
stat_into_index () {
	idx=$(git -C "$1" rev-parse --path-format=absolute --git-path index) &&
	python3 - "$idx" "$1/$2" "$2" "${3:-}" <<-\PY
	import hashlib, os, struct, sys
	idx, path, name, when = sys.argv[1], sys.argv[2], sys.argv[3].encode(), sys.argv[4]
	b = bytearray(open(idx, "rb").read())
	assert b[:4] == b"DIRC" and struct.unpack(">I", b[4:8])[0] in (2, 3)
	nr, p = struct.unpack(">I", b[8:12])[0], 12
	for _ in range(nr):
	    flags = struct.unpack(">H", b[p + 60:p + 62])[0]
	    fixed = 64 if flags & 0x4000 else 62
	    end = b.index(0, p + fixed)
	    if bytes(b[p + fixed:end]) == name:
	        st = os.lstat(path)
	        b[p:p + 24] = struct.pack(">IIIIII", st.st_ctime_ns // 10**9, st.st_ctime_ns % 10**9,
	            st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9,
	            st.st_dev & 0xffffffff, st.st_ino & 0xffffffff)
	        b[p + 28:p + 40] = struct.pack(">III", st.st_uid, st.st_gid, st.st_size & 0xffffffff)
	        break
	    p += (fixed + end - p - fixed + 8) & ~7
	else:
	    sys.exit("no entry " + name.decode())
	b[-20:] = hashlib.sha1(bytes(b[:-20])).digest()
	open(idx, "wb").write(b)
	if when:
	    os.utime(idx, ns=(int(when), int(when)))
	PY
}

# set_mtime <file> <ns since the epoch>
set_mtime () {
	python3 -c "import os, sys; os.utime(sys.argv[1], ns=(int(sys.argv[2]),) * 2)" "$1" "$2"
}

# read_tree_task <dir>: a repository whose task T1 ran git read-tree
# --reset -u <side> && git commit (commit skips writing an index whose
# entries did not change: its cache tree root on disk stays invalid); the
# path of T1's worktree in the file wt, of its index in ix; the index a
# few seconds younger than its files (none racily clean)
read_tree_task () {
	git init -q -b main "$1" &&
	mkdir "$1/src" &&
	for f in src/a src/b top; do seq 1 20 >"$1/$f.txt" || return 1; done &&
	git -C "$1" add . && git -C "$1" commit -q -m base &&
	git -C "$1" checkout -q -b side &&
	sed -i 3s/3/three/ "$1/src/a.txt" && echo new >"$1/src/c.txt" &&
	git -C "$1" add . && git -C "$1" commit -q -m side &&
	side=$(git -C "$1" rev-parse side) &&
	git -C "$1" checkout -q main &&
	cat >"$1/tasks.ini" <<-EOF &&
	[task "T1"]
		command = git read-tree --reset -u $side && git commit -q -m T1
	EOF
	(cd "$1" && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	wt=$(git -C "$1" worktree list --porcelain | sed -n "s/^worktree //p" | grep T1) &&
	ix=$(git -C "$wt" rev-parse --path-format=absolute --git-path index) &&
	touch -d "@$(( $(date +%s) + 5 ))" "$ix" &&
	echo "$wt" >wt && echo "$ix" >ix
}

# cache_tree_invalid <index>: the index file's cache tree root is invalid
cache_tree_invalid () {
	python3 - "$1" <<-\EOF
	import sys
	b = open(sys.argv[1], "rb").read()
	i = b.find(b"TREE")
	assert i > 0 and b[i + 8:i + 11] == b"\0-1", b[i:i + 16]
	EOF
}

# scan_traced <dir> <name>: check --json in <dir> with its worktree scan
# traced: <name>.fast, the trace in <name>.trace
scan_traced () {
	(cd "$1" && GIT_PARALLEL_TEST_SCAN=trace git parallel check --json >../$2.fast 2>../$2.trace)
}

# scan_both <dir> <name>: scan_traced, and check --json the slow way
# (libgit2's diff of every worktree, <name>.slow): the same answer
scan_both () {
	scan_traced "$1" "$2" &&
	(cd "$1" && GIT_PARALLEL_TEST_SCAN=diff git parallel check --json >../$2.slow 2>/dev/null) &&
	test_cmp "$2.slow" "$2.fast"
}

# uncommitted <json>: "id:count" of every task in check --json's answer
uncommitted () {
	json_get "$1" "\" \".join(\"%s:%d\" % (t[\"id\"], t[\"uncommitted\"]) for t in d[\"tasks\"])"
}

# same_as_diff <name>: as scan_both in repo, whatever check's exit code
# (tasks that share a file are a finding)
same_as_diff () {
	(cd repo && GIT_PARALLEL_TEST_SCAN=trace git parallel check --json >../$1.fast 2>../$1.trace;
	 GIT_PARALLEL_TEST_SCAN=diff git parallel check --json >../$1.slow 2>/dev/null) ;
	test_cmp $1.slow $1.fast
}

# scan_tasks <file>: in repo (git init'ed, its files written), tasks T1
# and T2 that change lines 3 and 15 of <file>, committed with the files,
# planned and run one at a time: T1's worktree is clean
scan_tasks () {
	cat >repo/tasks.ini <<-EOF &&
	[task "T1"]
		title = one
		command = sed -i 3s/3/three/ $1
	[task "T2"]
		title = two
		command = sed -i 15s/15/fifteen/ $1
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run -j 1 >/dev/null 2>&1) &&
	test -z "$(git -C repo.parallel/T1 status --porcelain)"
}
