#!/bin/sh

test_description='merge decides text merges from git'"'"'s own line scripts

Where the target and a task both changed a text file in place (and
nothing else stands in the way: no rename, no attribute, no binary),
merge asks one git diff-tree --stdin, kept running for the whole merge,
for the histogram scripts of the base against each side, and where no
change of one side meets a change of the other it writes the file as
git'"'"'s xdl_merge() does, without asking git merge-tree.  Everything else
is still confirmed or merged by git.  The oracle is a git merge-tree
--write-tree + git commit-tree loop over the same branches in the same
order: the same tasks merge, the same tasks conflict, the final tree is
the same.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# a git that logs the subcommands merge runs (git-parallel is run directly:
# git puts its exec-path first in PATH for its external commands)
test_expect_success 'setup: a git that logs merge-tree and diff-tree' '
	write_git_logger bin "$TRASH_DIRECTORY/git.log" merge-tree diff-tree
'

# tasks.py <files> <tasks per file> <seed>: a fast-import stream: main (the
# base: f<i>.txt, random lines of few distinct words, where Myers and
# histogram part ways) and parallel/T<k>, each a small random edit of one
# file from the base; named cases first (n<i>.txt, two tasks each).  Also
# tasks.ini (plan order: the tasks in turn) and the tasks' state files
# (done, at their heads: merge needs no run).
cat >tasks.py <<\EOF
import random, sys
nf, per, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
random.seed(seed)
V = ["{", "}", "", "a", "b", "c", "x();", "return;", "if (x)", "i++;"]
def edit(lines):
    l = list(lines)
    for _ in range(random.randint(1, 2)):
        op, p = random.random(), random.randint(0, len(l))
        if op < 0.4 or not l:
            for _ in range(random.randint(1, 3)):
                l.insert(p, random.choice(V + ["n%d" % random.randint(0, 3)]))
        elif op < 0.7:
            del l[p:p + random.randint(1, 2)]
        elif p < len(l):
            l[p] = random.choice(V + ["m%d" % random.randint(0, 9)])
    return l
j = lambda l: "".join(x + "\n" for x in l)
files, tasks = {}, []
named = [
    # a change at each end of a file that ends without a newline
    ("1\n2\n3\n4\n5\n6\n7", "one\n2\n3\n4\n5\n6\n7", "1\n2\n3\n4\n5\n6\nseven"),
    # histogram merges cleanly where Myers conflicts (t3100)
    ("b\n\n\n", "b\n{\nb\n\n", "b\n\n"),
    # separated by one line: clean; then touching: a conflict
    ("1\n2\n3\n4\n5\n", "1\nTWO\n3\n4\n5\n", "1\n2\n3\nFOUR\n5\n"),
    ("1\n2\n3\n4\n5\n", "1\nTWO\n3\n4\n5\n", "1\n2\nTHREE\n4\n5\n"),
    # the same change on both sides: git merges it
    ("1\n2\n3\n", "1\nTWO\n3\n", "1\nTWO\n3\n"),
]
for i, (base, a, b) in enumerate(named):
    files["n%d.txt" % i] = base
    tasks += [("n%d.txt" % i, a), ("n%d.txt" % i, b)]
bases = {}
for i in range(nf):
    base = [random.choice(V) for _ in range(60)]
    files["f%d.txt" % i] = j(base)
    bases[i] = base
for k in range(per):
    for i in range(nf):
        tasks.append(("f%d.txt" % i, j(edit(bases[i]))))
def blob(path, text):
    data = text.encode()
    return "M 100644 inline %s\ndata %d\n" % (path, len(data)) + text + "\n"
out = ["commit refs/heads/main\nmark :1\ncommitter C <c@c> 1700000000 +0000\ndata 5\nbase\n"]
for p in sorted(files):
    out.append(blob(p, files[p]))
for k, (path, text) in enumerate(tasks):
    out.append("commit refs/heads/parallel/T%03d\ncommitter C <c@c> 1700000000 +0000\ndata 2\nT\nfrom :1\n" % k)
    out.append(blob(path, text))
sys.stdout.write("".join(out))
with open("tasks.ini", "w") as t:
    for k in range(len(tasks)):
        t.write("[task \"T%03d\"]\n\ttitle = task %d\n\tcommand = true\n" % (k, k))
EOF

# gp_outcomes <merge.json>: "ID outcome" lines
gp_outcomes () {
	json_get "$1" "\"\\n\".join(r[\"id\"] + \" \" + r[\"outcome\"] for r in d[\"results\"])"
}

test_expect_success 'setup: random edits of shared files and named cases as finished tasks' '
	git init -q repo &&
	(cd repo && python3 ../tasks.py 4 6 11 | git fast-import --quiet && git reset -q --hard main &&
	 mv tasks.ini .. && git parallel plan ../tasks.ini >/dev/null) &&
	done_states repo &&
	loop_oracle repo tasks.ini &&
	grep -c merged loop.out >merged.count &&
	grep -c conflict loop.out >conflict.count &&
	test "$(cat merged.count)" -gt 10 &&
	test "$(cat conflict.count)" -gt 3
'

test_expect_success 'merge takes and refuses the tasks git takes and refuses, with git'"'"'s tree' '
	rm -f git.log &&
	(cd repo && PATH="$TRASH_DIRECTORY/bin:$PATH" test_expect_code 1 git-parallel merge --json >../merge.json) &&
	gp_outcomes merge.json >gp.out &&
	test_cmp loop.out gp.out &&
	git -C repo rev-parse "main^{tree}" >gp.tree &&
	test_cmp loop.tree gp.tree &&
	git -C repo status --porcelain >st && test_must_be_empty st &&
	git -C repo fsck >/dev/null 2>&1
'

test_expect_success 'the named cases merged as git merges them' '
	printf "one\n2\n3\n4\n5\n6\nseven" >expect &&
	git -C repo show main:n0.txt >actual && test_cmp expect actual &&
	printf "b\n{\nb\n\n" >expect &&
	git -C repo show main:n1.txt >actual && test_cmp expect actual &&
	printf "1\nTWO\n3\nFOUR\n5\n" >expect &&
	git -C repo show main:n2.txt >actual && test_cmp expect actual &&
	grep "^T007 conflict" gp.out
'

# every file the target and a task both changed went through the scripts
# but where they meet (a conflict, or the same change twice): git merge-tree
# ran only for those, and one git diff-tree served the whole merge
test_expect_success 'one git diff-tree for all; git merge-tree only where changes meet' '
	test "$(grep -c diff-tree git.log)" = 1 &&
	merges=$(grep -c merge-tree git.log) &&
	test "$merges" -ge "$(cat conflict.count)" &&
	test "$merges" -lt $(( $(cat conflict.count) + $(cat merged.count) / 2 ))
'

test_expect_success 'separated changes only: no git merge-tree at all' '
	git init -q sep &&
	cat >sep.py <<-\EOF &&
	import sys
	base = "".join("line %d\n" % i for i in range(40))
	out = ["commit refs/heads/main\nmark :1\ncommitter C <c@c> 1700000000 +0000\ndata 5\nbase\n",
	       "M 100644 inline s.txt\ndata %d\n%s\n" % (len(base), base)]
	with open("tasks.ini", "w") as t:
	    for k in range(6):
	        text = base.replace("line %d\n" % (k * 6 + 2), "task %d\n" % k)
	        out.append("commit refs/heads/parallel/S%d\ncommitter C <c@c> 1700000000 +0000\ndata 2\nS\nfrom :1\n" % k)
	        out.append("M 100644 inline s.txt\ndata %d\n%s\n" % (len(text), text))
	        t.write("[task \"S%d\"]\n\ttitle = s %d\n\tcommand = true\n" % (k, k))
	sys.stdout.write("".join(out))
	EOF
	(cd sep && python3 ../sep.py | git fast-import --quiet && git reset -q --hard main &&
	 mv tasks.ini ../sep.ini && git parallel plan ../sep.ini >/dev/null) &&
	done_states sep &&
	loop_oracle sep sep.ini &&
	rm -f git.log &&
	(cd sep && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel merge >../sep.out 2>&1) &&
	test "$(grep -c merged sep.out)" -ge 6 &&
	! grep merge-tree git.log &&
	test "$(git -C sep show main:s.txt | grep -c "^task")" = 6 &&
	git -C sep rev-parse "main^{tree}" >actual &&
	test_cmp loop.tree actual
'

# out_of_scripts <name> <setup in sep2>: git merges (or confirms) the file
out_of_scripts () {
	oos_name=$1 oos_cmd=$2
	test_expect_success "$1: git merge-tree has its say, and the tree is git's" '
		rm -rf sep2 &&
		git init -q sep2 &&
		(cd sep2 && python3 ../sep.py | git fast-import --quiet && git reset -q --hard main &&
		 mv tasks.ini ../sep2.ini && eval "$oos_cmd" && git parallel plan ../sep2.ini >/dev/null) &&
		done_states sep2 &&
		loop_oracle sep2 sep2.ini &&
		rm -f git.log &&
		(cd sep2 && PATH="$TRASH_DIRECTORY/bin:$PATH" test_might_fail git-parallel merge >../$oos_name.out 2>&1) &&
		grep merge-tree git.log &&
		git -C sep2 rev-parse "main^{tree}" >actual &&
		test_cmp loop.tree actual
	'
}

out_of_scripts union "mkdir -p .git/info && echo \"s.txt merge=union\" >.git/info/attributes"
out_of_scripts renormalize "git config merge.renormalize true"
out_of_scripts default-driver "git config merge.default binary"
# the first task makes the file binary to git (a NUL): the others are git's
out_of_scripts binary 'git checkout -q parallel/S0 && printf "x\\000\\n" >>s.txt &&
	git commit -q -am bin && git checkout -q main'

test_done
