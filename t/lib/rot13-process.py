#!/usr/bin/env python3
# A long-running filter driver (filter.<driver>.process, git's protocol
# version 2: gitattributes(5), "Long Running Filter Process"), as git's
# t/t0021 rot13-filter.pl was before git replaced it with a C helper:
# clean and smudge both rot13 the content.  Usage: rot13-process.py <log>;
# each request is logged as "<command> <pathname>".
import codecs
import sys

inp, out = sys.stdin.buffer, sys.stdout.buffer
log = open(sys.argv[1], "a")


def read_pkt():
    head = inp.read(4)
    if len(head) < 4:
        sys.exit(0)	# git closed the pipe: done
    n = int(head, 16)
    return None if n == 0 else inp.read(n - 4)


def read_list():
    items = []
    while True:
        p = read_pkt()
        if p is None:
            return items
        items.append(p.decode().rstrip("\n"))


def write_pkt(data):
    out.write(b"%04x" % (len(data) + 4) + data)


def flush():
    out.write(b"0000")
    out.flush()


assert read_list() == ["git-filter-client", "version=2"]
write_pkt(b"git-filter-server\n")
write_pkt(b"version=2\n")
flush()
caps = read_list()
for c in ("clean", "smudge"):
    if "capability=" + c in caps:
        write_pkt(b"capability=%s\n" % c.encode())
flush()
while True:
    req = dict(kv.split("=", 1) for kv in read_list())
    data = b""
    while True:
        p = read_pkt()
        if p is None:
            break
        data += p
    log.write("%s %s\n" % (req["command"], req["pathname"]))
    log.flush()
    text = codecs.encode(data.decode("latin-1"), "rot13").encode("latin-1")
    write_pkt(b"status=success\n")
    flush()
    for i in range(0, len(text), 65516):
        write_pkt(text[i:i + 65516])
    flush()
    flush()	# the status stays success
