#!/bin/sh

test_description='check --exact decides text merges from git'"'"'s own line scripts

Where two tasks only added files and changed text files in place,
check --exact asks one git diff-tree (histogram, as merge-ort diffs)
for the line scripts of every side and calls a pair clean when no
change of one side meets a change of the other, without a git
merge-tree per pair.  Anything else is merged by git.  The verdicts and
paths must be git merge-tree'"'"'s on every pair: random small files
(where Myers and histogram part ways), the cases known to differ, and
what takes a pair out of the scripts'"'"' hands (attributes, binary
files, renormalization, deletions, a file against a directory).'

. ./test-lib.sh

# a git that logs the subcommands check runs (git-parallel is run directly:
# git puts its exec-path first in PATH for its external commands)
test_expect_success 'setup: a git that logs merge-tree and diff-tree' '
	write_git_logger bin "$TRASH_DIRECTORY/git.log" merge-tree diff-tree
'

# pairs.py <n> <seed>: a fast-import stream: main (the bases), and
# parallel/A<i>, parallel/B<i> each changing f<i>.txt; named cases first
cat >pairs.py <<\EOF
import random, sys
n, seed = int(sys.argv[1]), int(sys.argv[2])
random.seed(seed)
V = ["{", "}", "", "a", "b", "c", "x();", "return;"]
def edit(lines):
    l = list(lines)
    for _ in range(random.randint(1, 3)):
        op, p = random.random(), random.randint(0, len(l))
        if op < 0.4 or not l:
            for _ in range(random.randint(1, 3)):
                l.insert(p, random.choice(V + ["n%d" % random.randint(0, 3)]))
        elif op < 0.7:
            del l[p:p + random.randint(1, 2)]
        elif p < len(l):
            l[p] = random.choice(V + ["m%d" % random.randint(0, 3)])
    return l
cases = [
    ("b\n\n\n", "b\n{\nb\n\n", "b\n\n"),
    ("}\nx();\nb\n{\n", "x();\nx();\nb\nb\n{\n", "}\nx();\nx();\nb\nb\nx();\n"),
    ("1\n2\n3\n4\n5\n6\n7\n", "1\nTWO\n3\n4\n5\n6\n7\n", "1\n2\n3\n4\n5\nSIX\n7\n"),
    ("1\n2\n3\n4\n5\n6\n7\n", "1\nTWO\n3\n4\n5\n6\n7\n", "1\n2\nTHREE\n4\n5\n6\n7\n"),
    ("1\n2\n3\n4\n5\n6\n7\n", "1\nTWO\n3\n4\n5\n6\n7\n", "1\nTWO\n3\n4\n5\n6\n7\n"),
    ("1\n2\n3\n4\n5\n6\n7\n", "1\nTWO\n3\n4\n5\n6\n7\n", "1\nTWO\n3\n4\n5\nSIX\n7\n"),
    ("x\nx\nx\nx\n", "x\nx\nx\nx\nx\n", "x\nx\nx\ny\n"),
    ("a\nb\n", "a\nb\nc", "z\na\nb\n"),
]
while len(cases) < n:
    base = [random.choice(V) for _ in range(random.randint(3, 12))]
    a, b = edit(base), edit(base)
    if a == base or b == base:
        continue
    j = lambda l: "".join(x + "\n" for x in l)
    cases.append((j(base), j(a), j(b)))
def blob(path, text):
    data = text.encode()
    return "M 100644 inline %s\ndata %d\n" % (path, len(data)) + text + "\n"
out = ["commit refs/heads/main\nmark :1\ncommitter C <c@c> 1700000000 +0000\ndata 5\nbase\n"]
for i, (base, a, b) in enumerate(cases):
    out.append(blob("f%d.txt" % i, base))
for i, (base, a, b) in enumerate(cases):
    for side, text in (("A", a), ("B", b)):
        out.append("commit refs/heads/parallel/%s%d\ncommitter C <c@c> 1700000000 +0000\ndata 2\n%s\nfrom :1\n" % (side, i, side))
        out.append(blob("f%d.txt" % i, text))
sys.stdout.write("".join(out))
with open("tasks.ini", "w") as t:
    for i in range(len(cases)):
        for side in "AB":
            t.write("[task \"%s%d\"]\n\ttitle = %s %d\n\tpaths = f%d.txt\n" % (side, i, side, i, i))
EOF

test_expect_success 'setup: random pairs and named cases as task branches' '
	git init -q repo &&
	(cd repo && python3 ../pairs.py 48 7 | git fast-import --quiet && git reset -q --hard main &&
	 mv tasks.ini .. && git parallel plan ../tasks.ini >/dev/null)
'

# agree <json> <first> <last>: each pair's verdict and paths are git
# merge-tree's (one python3 for the range, one git merge-tree a pair: the
# suite's costliest loop was ten processes a pair)
cat >agree.py <<\EOF
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
first, last = int(sys.argv[2]), int(sys.argv[3])
# the commits, not the branch names, as git names a side in a path it
# moves aside (dir~<commit>)
oids = subprocess.run(["git", "-C", "repo", "rev-parse"] +
                      ["parallel/%s%d" % (s, i) for i in range(first, last + 1) for s in "AB"],
                      stdout=subprocess.PIPE, check=True).stdout.decode().split()
for i in range(first, last + 1):
    mt = subprocess.run(["git", "-C", "repo", "merge-tree", "--write-tree", "--name-only", "-z",
                         oids[2 * (i - first)], oids[2 * (i - first) + 1]], stdout=subprocess.PIPE)
    want = "clean" if mt.returncode == 0 else "conflict"
    # the conflicted paths: from the second line to the empty one after it
    lines = mt.stdout.decode().replace("\0", "\n").split("\n")[:-1]
    paths = []
    for n, l in enumerate(lines[1:]):
        paths.append(l)
        if n and not l:
            break
    paths = sorted(set(p for p in paths if p))
    got = "|".join(" ".join([p["exact"]] + sorted(p["exact_paths"]))
                   for p in d["pairs"] if p["tasks"] == ["A%d" % i, "B%d" % i])
    if got != " ".join([want] + paths):
        print("pair %d: git says %s (%s), check says %s" % (i, want, " ".join(paths), got))
        sys.exit(1)
EOF
agree () {
	python3 agree.py "$@"
}

test_expect_success 'check --exact agrees with git merge-tree on every pair' '
	rm -f git.log &&
	(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" test_expect_code 1 git-parallel check --exact --json >../all.json) &&
	agree all.json 0 47
'

test_expect_success 'one git diff-tree read every script; no git merge-tree: xdl_merge'"'"'s rule decides' '
	test "$(grep -c diff-tree git.log)" = 1 &&
	! grep merge-tree git.log &&
	clean=$(json_get all.json "len([p for p in d[\"pairs\"] if p[\"exact\"] == \"clean\"])") &&
	test "$clean" -gt 5 && test "$clean" -lt 40
'

test_expect_success 'GIT_PARALLEL_TEST_GUESS=off: git merge-tree where scripts meet, the same verdicts' '
	rm -f git.log &&
	(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" GIT_PARALLEL_TEST_GUESS=off \
		test_expect_code 1 git-parallel check --exact --json >../off.json) &&
	agree off.json 0 47 &&
	test "$(grep -c diff-tree git.log)" = 1 &&
	merges=$(grep -c merge-tree git.log) &&
	test "$merges" -lt 48 &&
	test "$merges" -ge $((48 - clean))
'

# out_of_scripts <name> <setup in repo> : the pair A0/B0 goes to git merge-tree, and agrees
out_of_scripts () {
	oos_name=$1 oos_cmd=$2
	test_expect_success "$1: git merge-tree merges the pair" '
		(cd repo && eval "$oos_cmd") &&
		rm -f git.log &&
		(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" test_might_fail git-parallel check --exact --json A2 B2 >../$oos_name.json) &&
		agree $oos_name.json 2 2 &&
		grep merge-tree git.log &&
		(cd repo && git reset -q --hard main && git config --unset-all merge.renormalize; rm -f .git/info/attributes; :)
	'
}

out_of_scripts union "mkdir -p .git/info && echo \"f2.txt merge=union\" >.git/info/attributes"
out_of_scripts no-diff "mkdir -p .git/info && echo \"f2.txt -diff\" >.git/info/attributes"
out_of_scripts renormalize "git config merge.renormalize true"

# a diff attribute changes how git shows a diff, not how it merges: with a
# text driver (diff=cpp, as git.git's *.c) or diff set, pair 2's separated
# changes are still the scripts' to decide (as many git merge-tree as
# without it); one that makes the file binary (-diff) sends it to git
merge_trees_with () {
	mkdir -p repo/.git/info && echo "$1" >repo/.git/info/attributes &&
	rm -f git.log &&
	(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" test_expect_code 1 git-parallel check --exact --json >../attr.json) &&
	rm repo/.git/info/attributes &&
	agree attr.json 0 47 &&
	{ grep -c merge-tree git.log || :; }
}

test_expect_success 'a diff driver leaves the scripts to decide; -diff sends the file to git' '
	n0=$(merge_trees_with "nothing.txt merge=union") &&
	n1=$(merge_trees_with "f2.txt diff=cpp") &&
	n2=$(merge_trees_with "f2.txt diff") &&
	n3=$(merge_trees_with "f2.txt -diff") &&
	echo "$n0 $n1 $n2 $n3" &&
	test "$n1" = "$n0" && test "$n2" = "$n0" &&
	test "$n3" = "$((n0 + 1))"
'

test_expect_success 'a side that deletes a file: git merge-tree merges the pair' '
	(cd repo && git checkout -q parallel/A2 && git rm -q f3.txt && git commit -q -m del &&
	 git checkout -q main) &&
	rm -f git.log &&
	(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" test_might_fail git-parallel check --exact --json A2 B2 >../del.json) &&
	agree del.json 2 2 &&
	grep merge-tree git.log
'

test_expect_success 'a file against a directory added on the other side: git decides' '
	(cd repo && git checkout -q parallel/A4 && echo x >dir && git add dir && git commit -q -m file &&
	 git checkout -q parallel/B4 && mkdir dir && echo y >dir/y &&
	 git add dir && git commit -q -m dir && git checkout -q main) &&
	(cd repo && test_expect_code 1 git parallel check --exact --json A4 B4 >../df.json) &&
	agree df.json 4 4
'

test_expect_success 'a binary file both changed: git decides' '
	(cd repo && git checkout -q parallel/A6 && printf "a\\0b\\n1\\n2\\n3\\n" >f6.txt && git commit -q -am bin &&
	 git checkout -q main) &&
	rm -f git.log &&
	(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" test_might_fail git-parallel check --exact --json A6 B6 >../bin.json) &&
	agree bin.json 6 6 &&
	grep merge-tree git.log
'

test_done
