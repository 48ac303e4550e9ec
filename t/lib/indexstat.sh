# Helpers for the tests of index stat data and git's racy rule (t3276, t4130).
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
