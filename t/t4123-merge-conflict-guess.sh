#!/bin/sh

test_description='merge takes a content conflict from git'"'"'s line scripts at once

Where the target and a task both changed text files in place (one merge
base, no rename in sight, no attribute) and git'"'"'s own scripts show
that xdl_merge() conflicts on some of them (changes that meet and are
not the same lines), merge does not merge the task: it reports the
conflict at once, with the ranges and "with" it reported before, and
git merge-tree confirms in the background.  A guess git overturns makes
merge run its loop again, asking git only for pairs it has not asked
about yet.  Oracles: a git merge-tree --write-tree loop (verdicts,
conflicted paths, final tree), and merge with the guess turned off
(GIT_PARALLEL_TEST_GUESS=off: the report as it was).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"
. "$GP_TEST_DIR/lib/faults.sh"

# a git that logs each git merge-tree with its arguments, and each merge
# a git merge-tree --stdin reads as "merge-tree --stdin <ours> <theirs>"
# (not its first, a commit merged with itself: the check that it answers)
test_expect_success 'setup: a git that logs merge-tree calls' '
	mkdir bin &&
	real=$(command -v git) &&
	cat >bin/git <<-EOF &&
	#!/bin/sh
	case " \$* " in
	*" merge-tree "*" --stdin "*)
		while read -r a b
		do
			test "\$a" = "\$b" || echo "merge-tree --stdin \$a \$b" >>"$TRASH_DIRECTORY/mt.log"
			echo "\$a \$b"
		done | "$real" "\$@"
		exit ;;
	esac
	for a in "\$@"; do
		case \$a in merge-tree) echo "\$*" >>"$TRASH_DIRECTORY/mt.log" ;; esac
	done
	exec "$real" "\$@"
	EOF
	chmod +x bin/git
'

# tasks.py <files> <tasks> <seed>: a fast-import stream: main (f<i>.txt,
# random lines of few words) and parallel/T<k>, each a random edit of one
# to three files from the base; some tasks redo the edit an earlier task
# made to a file (the same change on both sides once that one merged),
# with or without a change of their own near it.  Named cases first: two
# files both conflicting (the report names both, in the order it did),
# and a region both sides changed to the same lines by different scripts.
cat >tasks.py <<\EOF
import random, sys
nf, nt, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
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
files, bases, tasks = {}, {}, []
lines = lambda n, w: [w + str(i) for i in range(n)]
files["p.txt"], files["q.txt"] = j(lines(20, "p")), j(lines(20, "q"))
def change(path, at, text):
    l = files[path].splitlines()
    l[at] = text
    return j(l)
# P1 then P2: both files conflict (P2 loses to P1 on both)
tasks.append({"p.txt": change("p.txt", 5, "P1"), "q.txt": change("q.txt", 5, "P1")})
tasks.append({"p.txt": change("p.txt", 5, "P2"), "q.txt": change("q.txt", 6, "P2")})
# R1 then R2: a region both sides changed, by different scripts (the
# histogram diff aligns the repeated lines as the rest of each file
# leads it), to the same lines: xdl_merge() resolves it (clean), but not
# with merge.conflictStyle diff3
rb = "a a b b c a b c b b b a".split()
files["r.txt"] = j(rb)
tasks.append({"r.txt": j("a a b c c a c c b b b a".split())})
tasks.append({"r.txt": j("a a b c c a c c b b c b a".split())})
for i in range(nf):
    bases[i] = [random.choice(V) for _ in range(40)]
    files["f%d.txt" % i] = j(bases[i])
for k in range(nt):
    t = {}
    if tasks and random.random() < 0.3:
        prev = random.choice(tasks)
        path = random.choice(sorted(prev))
        t[path] = prev[path]
        if random.random() < 0.5 and path.startswith("f"):
            t[path] = j(edit(prev[path].splitlines()))
    for i in random.sample(range(nf), random.randint(1, 3)):
        if "f%d.txt" % i not in t:
            t["f%d.txt" % i] = j(edit(bases[i]))
    tasks.append(t)
def blob(path, text):
    data = text.encode()
    return "M 100644 inline %s\ndata %d\n" % (path, len(data)) + text + "\n"
out = ["commit refs/heads/main\nmark :1\ncommitter C <c@c> 1700000000 +0000\ndata 5\nbase\n"]
for p in sorted(files):
    out.append(blob(p, files[p]))
for k, t in enumerate(tasks):
    out.append("commit refs/heads/parallel/T%03d\ncommitter C <c@c> 1700000000 +0000\ndata 2\nT\nfrom :1\n" % k)
    for p in sorted(t):
        out.append(blob(p, t[p]))
sys.stdout.write("".join(out))
with open("tasks.ini", "w") as f:
    for k in range(len(tasks)):
        f.write("[task \"T%03d\"]\n\ttitle = task %d\n\tcommand = true\n" % (k, k))
EOF

# paths_oracle <repo> <tasks.ini>: main back at the base, loop_oracle,
# and for each task git conflicts on, "ID path..." (git merge-tree
# --name-only) in loop.paths
paths_oracle () {
	git -C "$1" update-ref refs/heads/main "$(cat base.oid)" &&
	git -C "$1" reset -q --hard main &&
	loop_oracle "$1" "$2" &&
	tip=$(git -C "$1" rev-parse main) &&
	: >loop.paths &&
	for id in $(sed -n "s/^\[task \"\(.*\)\"\]$/\1/p" "$2"); do
		if mt=$(git -C "$1" merge-tree --write-tree "$tip" "parallel/$id" 2>/dev/null)
		then
			tip=$(git -C "$1" commit-tree -p "$tip" -p "parallel/$id" -m "$id" "$mt")
		else
			git -C "$1" merge-tree --write-tree --name-only "$tip" "parallel/$id" >mt.out
			echo "$id $(sed -n "2,/^\$/p" mt.out | sed "/^\$/d" | tr "\n" " ")" >>loop.paths
		fi || return 1
	done
}

# gp_merge <name> [env...]: main back at the base, every task done, then
# git-parallel merge --json into <name>.json (merge-tree calls in
# <name>.mt), the new tree in <name>.tree
gp_merge () {
	gm_name=$1 && shift &&
	git -C repo update-ref refs/heads/main "$(cat base.oid)" &&
	git -C repo reset -q --hard main &&
	rm -rf repo/.git/parallel/tasks &&
	done_states repo &&
	rm -f mt.log && : >mt.log &&
	(cd repo && env PATH="$TRASH_DIRECTORY/bin:$PATH" "$@" git-parallel merge --json >../$gm_name.json
	 test $? = 1) &&
	mv mt.log $gm_name.mt &&
	git -C repo rev-parse "main^{tree}" >$gm_name.tree &&
	repo_is_tidy repo
}

# the report without what differs from run to run (commit ids, the new tip)
report_of () {
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
for r in d['results']:
    print(r['id'], r['outcome'], json.dumps(r.get('conflicts'), sort_keys=True), r.get('reason'))
" "$1"
}

# "ID path..." for each conflict of a report, as paths_oracle writes them
paths_of () {
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
for r in d['results']:
    if r['outcome'] == 'conflict':
        print(r['id'], ' '.join(sorted(c['path'] for c in r['conflicts'])) + ' ')
" "$1"
}

# no pair of commits was given to git merge-tree twice
no_pair_twice () {
	awk "{print \$(NF-1), \$NF}" "$1" | sort | uniq -d >twice &&
	test_must_be_empty twice
}

test_expect_success 'setup: finished tasks with conflicts git'"'"'s scripts decide' '
	git init -q repo &&
	(cd repo && python3 ../tasks.py 4 40 7 | git fast-import --quiet && git reset -q --hard main &&
	 mv tasks.ini .. && git parallel plan ../tasks.ini >/dev/null) &&
	git -C repo rev-parse main >base.oid &&
	done_states repo &&
	paths_oracle repo tasks.ini &&
	test "$(grep -c conflict loop.out)" -gt 5 &&
	test "$(grep -c merged loop.out)" -gt 10 &&
	grep "^T001 p.txt q.txt $" loop.paths &&
	grep "^T003 merged" loop.out
'

test_expect_success 'merge refuses what git refuses, at git'"'"'s paths, with git'"'"'s tree' '
	gp_merge guess &&
	json_get guess.json "\"\\n\".join(r[\"id\"] + \" \" + r[\"outcome\"] for r in d[\"results\"])" >gp.out &&
	test_cmp loop.out gp.out &&
	test_cmp loop.tree guess.tree &&
	paths_of guess.json >gp.paths &&
	test_cmp loop.paths gp.paths
'

test_expect_success 'the report is the one merge made before the guess' '
	gp_merge off GIT_PARALLEL_TEST_GUESS=off &&
	test_cmp off.tree guess.tree &&
	report_of off.json >expect &&
	report_of guess.json >actual &&
	test_cmp expect actual &&
	json_get guess.json "[c[\"path\"] for r in d[\"results\"] if r[\"id\"] == \"T001\" for c in r[\"conflicts\"]]" >t001 &&
	echo "[\"p.txt\", \"q.txt\"]" >expect &&
	test_cmp expect t001
'

# each conflict: git merge-tree once, on the pair, in the background; no
# task went through a second loop (nothing asked twice); the same-lines
# region (T003) and the same change twice needed no git at all
test_expect_success 'git merge-tree once per conflict, never twice for a pair' '
	test "$(wc -l <guess.mt)" = "$(grep -c conflict loop.out)" &&
	no_pair_twice guess.mt &&
	test "$(wc -l <guess.mt)" -le "$(wc -l <off.mt)"
'

test_expect_success 'guesses git overturns end in git'"'"'s result, each pair asked once' '
	gp_merge all GIT_PARALLEL_TEST_GUESS=all &&
	test_cmp loop.tree all.tree &&
	report_of all.json >actual &&
	report_of guess.json >expect &&
	test_cmp expect actual &&
	no_pair_twice all.mt &&
	test "$(wc -l <all.mt)" -gt "$(wc -l <guess.mt)"
'

# a crash while git still confirms guesses in the background: the next
# merge undoes it (before the ref moved: then merges all again, as git's
# loop) or finishes it (after: then tries the tasks left, the conflicts,
# on the new tip, as a second merge after an uninterrupted one does)
test_expect_success 'setup: a second merge after an uninterrupted one' '
	gp_merge first &&
	(cd repo && git-parallel merge --json >../second.json
	 test $? = 1) &&
	git -C repo rev-parse "main^{tree}" >second.tree
'

for point in merge-after-journal merge-after-ref merge-before-states
do
	test_expect_success "a crash at $point with guesses in flight: the next merge ends as without it" '
		git -C repo update-ref refs/heads/main "$(cat base.oid)" &&
		git -C repo reset -q --hard main &&
		rm -rf repo/.git/parallel/tasks &&
		done_states repo &&
		(cd repo && GIT_PARALLEL_TEST_CRASH_AT=$point git-parallel merge >/dev/null 2>&1
		 test_crashed $?) &&
		(cd repo && git-parallel merge --json >../again.json
		 test $? = 1) &&
		git -C repo rev-parse "main^{tree}" >again.tree &&
		if test $point = merge-after-journal
		then
			test_cmp loop.tree again.tree
		else
			test_cmp second.tree again.tree
		fi &&
		repo_sane repo &&
		repo_is_tidy repo
	'
done

test_expect_success 'merge.conflictStyle diff3: a same-lines region is a conflict, as git says' '
	git -C repo config merge.conflictStyle diff3 &&
	paths_oracle repo tasks.ini &&
	grep "^T003 r.txt $" loop.paths &&
	gp_merge diff3 &&
	test_cmp loop.tree diff3.tree &&
	paths_of diff3.json >gp.paths &&
	test_cmp loop.paths gp.paths &&
	no_pair_twice diff3.mt &&
	test "$(wc -l <diff3.mt)" = "$(grep -c conflict loop.out)" &&
	git -C repo config --unset merge.conflictStyle
'

test_done
