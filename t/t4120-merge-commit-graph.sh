#!/bin/sh

test_description='merge finds merge bases from the commit-graph file, as git merge-base --all

With a commit-graph (objects/info/commit-graph, as git gc writes it),
merge reads each task'"'"'s merge bases with the target from it in process
(src/mergebase.c) instead of libgit2'"'"'s walk or a git merge-base per
task.  The history here has side branches, an octopus merge (the graph'"'"'s
EDGE chunk), a criss-cross (two merge bases), a topic that merged the
target back, a topic on a topic, a task already in the target, an
unrelated root, and commits written after the graph (read by libgit2).
Every answer merge used (GIT_PARALLEL_TEST_MERGE_BASE_LOG) must be git
merge-base --all'"'"'s, and the merge git'"'"'s (a git merge-tree + commit-tree
loop over the same tasks in the same order).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# dag.py <stage>: a fast-import stream of a history in which every commit
# adds its own file (so any merge is clean: the union of both sides).
# Stage 1: main (side branches merged back, an octopus, a criss-cross) and
# task branches; stage 2, written after the commit-graph: more tasks, on
# old and new commits.  tasks.ini lists every task, in plan order.
cat >dag.py <<\EOF
import random, sys, json, os
stage = int(sys.argv[1])
random.seed(7)
state = json.load(open("../dag.json")) if stage == 2 else {"n": 0, "files": {}, "heads": {}}
files = {int(k): v for k, v in state["files"].items()}
out = []
def commit(ref, parents, msg):
    state["n"] += 1
    n = state["n"]
    fs = set([n])
    for p in parents:
        fs |= set(files[p])
    files[n] = sorted(fs)
    out.append("blob\nmark :%d\ndata %d\n%d\n" % (100000 + n, len(str(n)) + 1, n))
    out.append("commit %s\nmark :%d\ncommitter C <c@c> %d +0000\ndata %d\n%s\n" %
               (ref, n, 1700000000 + n * 60, len(msg), msg))
    if parents:
        out.append("from :%d\n" % parents[0])
        for p in parents[1:]:
            out.append("merge :%d\n" % p)
    out.append("deleteall\n")
    for f in files[n]:
        out.append("M 100644 :%d f/%d/%d.txt\n" % (100000 + f, f % 7, f))
    return n
heads = state["heads"]
tasks = []
def task(name, tip):
    heads[name] = tip
    tasks.append(name)
if stage == 1:
    main = [commit("refs/heads/main", [], "root")]
    for i in range(1, 60):
        if i % 6 == 0:
            a = commit("refs/heads/side", [main[-4]], "side %d" % i)
            b = commit("refs/heads/side", [a], "side %d b" % i)
            main.append(commit("refs/heads/main", [main[-1], b], "merge side %d" % i))
        elif i == 25:
            a = commit("refs/heads/side", [main[-3]], "octo a")
            b = commit("refs/heads/side", [main[-5]], "octo b")
            main.append(commit("refs/heads/main", [main[-1], a, b], "octopus"))
        else:
            main.append(commit("refs/heads/main", [main[-1]], "main %d" % i))
    # a criss-cross: x2 and y2 merge each other's first commit; main merges x2
    x1 = commit("refs/heads/x", [main[10]], "x1")
    y1 = commit("refs/heads/y", [main[10]], "y1")
    x2 = commit("refs/heads/x", [x1, y1], "x2")
    y2 = commit("refs/heads/y", [y1, x1], "y2")
    main.append(commit("refs/heads/main", [main[-1], x2], "merge x"))
    task("cross", commit("refs/heads/parallel/cross", [y2], "y3"))
    o = commit("refs/heads/parallel/old", [main[2]], "old 1")
    task("old", commit("refs/heads/parallel/old", [o], "old 2"))
    task("ontopic", commit("refs/heads/parallel/ontopic", [heads["old"]], "on old"))
    b = commit("refs/heads/parallel/back", [main[5]], "back 1")
    b = commit("refs/heads/parallel/back", [b, main[40]], "back: merge main")
    task("back", commit("refs/heads/parallel/back", [b], "back 2"))
    task("inmain", main[20])
    out.append("reset refs/heads/parallel/inmain\nfrom :%d\n" % main[20])
    task("recent", commit("refs/heads/parallel/recent", [main[-1]], "recent"))
    for k in range(12):
        at = random.choice(main + [heads[t] for t in tasks if t != "inmain"])
        task("r%d" % k, commit("refs/heads/parallel/r%d" % k, [at], "r%d" % k))
    task("unrelated", commit("refs/heads/parallel/unrelated", [], "another root"))
    state["main"] = main
else:
    main = state["main"]
    tasks = []
    for k in range(8):
        at = random.choice(main + list(heads.values()))
        c = commit("refs/heads/parallel/s%d" % k, [at], "s%d" % k)
        if k % 3 == 0:
            c = commit("refs/heads/parallel/s%d" % k, [c, random.choice(main)], "s%d merge" % k)
        task("s%d" % k, c)
state["files"] = files
json.dump(state, open("../dag.json", "w"))
with open("../tasks.ini", "a") as t:
    for name in tasks:
        t.write("[task \"%s\"]\n\ttitle = task %s\n\tcommand = true\n" % (name, name))
sys.stdout.write("".join(out))
EOF

# check_log <repo> <log>: each line "tip head bases..." is git merge-base --all's answer
check_log () {
	while read -r a b bases; do
		echo "$a $b $(echo $bases | tr " " "\n" | sed "/^$/d" | sort | tr "\n" " ")" &&
		echo "$a $b $(git -C "$1" merge-base --all "$a" "$b" | sort | tr "\n" " ")" >&3 ||
		return 1
	done <"$2" >mb.ours 3>mb.git &&
	test_cmp mb.git mb.ours
}

test_expect_success 'setup: a history with merges, an octopus, a criss-cross; a commit-graph; later commits' '
	git init -q repo &&
	(cd repo && python3 ../dag.py 1 | git fast-import --quiet --export-marks=../marks &&
	 git commit-graph write --reachable --no-progress &&
	 python3 ../dag.py 2 | git fast-import --quiet --import-marks=../marks &&
	 git reset -q --hard main && git parallel plan ../tasks.ini >/dev/null) &&
	test -f repo/.git/objects/info/commit-graph &&
	done_states repo &&
	# the octopus is in the graph (its EDGE chunk), the criss-cross has two bases
	test "$(git -C repo rev-list --min-parents=3 main | wc -l)" = 1 &&
	test "$(git -C repo merge-base --all main parallel/cross | wc -l)" = 2 &&
	git -C repo commit-graph verify &&
	cp -R repo repo-nograph &&
	cp -R repo repo-bad0 &&
	cp -R repo repo-bad1 &&
	cp -R repo repo-off &&
	git -C repo-off config core.commitGraph false &&
	loop_oracle repo tasks.ini
'

test_expect_success 'every merge base merge used is git merge-base --all'"'"'s' '
	(cd repo && GIT_PARALLEL_TEST_MERGE_BASE_LOG=$TRASH_DIRECTORY/mb.log \
		test_expect_code 1 git parallel merge >../merge.out 2>&1) &&
	# every task but the one at the target asks, merged or not
	test "$(wc -l <mb.log)" -ge 25 &&
	check_log repo mb.log &&
	# two bases once at least (the criss-cross), none once (the other root)
	awk "NF == 4" mb.log | grep . &&
	awk "NF == 2" mb.log | grep . &&
	grep "^unrelated .*no common history" merge.out &&
	grep "^inmain  *merged" merge.out
'

test_expect_success 'the merge is git'"'"'s: the same final tree, fsck clean' '
	git -C repo rev-parse "main^{tree}" >gp.tree &&
	test_cmp loop.tree gp.tree &&
	git -C repo fsck >/dev/null 2>&1 &&
	git -C repo status --porcelain >st && test_must_be_empty st
'

test_expect_success 'without the graph (core.commitGraph=false, or none): the same merge, not from a graph' '
	rm -f repo-off/.git/objects/info/commit-graph.lock &&
	rm -f repo-nograph/.git/objects/info/commit-graph &&
	for r in repo-off repo-nograph; do
		rm -f mb.log &&
		(cd $r && GIT_PARALLEL_TEST_MERGE_BASE_LOG=$TRASH_DIRECTORY/mb.log \
			test_expect_code 1 git parallel merge >/dev/null 2>&1) &&
		! test -e mb.log &&
		git -C $r rev-parse "main^{tree}" >actual &&
		test_cmp loop.tree actual || return 1
	done
'

# damage.py <graph> <what>: a commit's level 0 (written without them), or
# a parent out of the graph
cat >damage.py <<\EOF
import struct, sys
path, what = sys.argv[1], sys.argv[2]
d = bytearray(open(path, "rb").read())
nchunks = d[6]
chunks = {}
for i in range(nchunks + 1):
    cid, off = struct.unpack(">4sQ", d[8 + 12 * i:20 + 12 * i])
    chunks[cid] = off
n = struct.unpack(">I", d[chunks[b"OIDF"] + 4 * 255:chunks[b"OIDF"] + 4 * 256])[0]
cdat = chunks[b"CDAT"] + 36 * (n // 2)
if what == "level":
    d[cdat + 28:cdat + 32] = bytes(4)
else:
    d[cdat + 20:cdat + 24] = struct.pack(">I", n + 5)
open(path, "wb").write(bytes(d))
EOF

test_expect_success 'a damaged commit-graph is not used: the same merge' '
	python3 damage.py repo-bad0/.git/objects/info/commit-graph level &&
	python3 damage.py repo-bad1/.git/objects/info/commit-graph parent &&
	for r in repo-bad0 repo-bad1; do
		rm -f mb.log &&
		(cd $r && GIT_PARALLEL_TEST_MERGE_BASE_LOG=$TRASH_DIRECTORY/mb.log \
			test_expect_code 1 git parallel merge >/dev/null 2>&1) &&
		! test -e mb.log &&
		git -C $r rev-parse "main^{tree}" >actual &&
		test_cmp loop.tree actual || return 1
	done
'

test_done
