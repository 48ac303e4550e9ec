#!/bin/sh

test_description='merge writes the merged trees itself, byte for byte as git does

A task that changed only paths the target did not (or a text file both
changed, apart) goes into the target'"'"'s tree in place: merge rewrites
only the trees on the changed paths (tree_update() in treediff.c), in
git'"'"'s entry order (a directory sorts as if its name ended with "/":
"a-b" < "a.b" < "a/" < "a0"), with git'"'"'s modes, and drops a directory
whose files are all gone.  The oracle is a git merge-tree --write-tree +
git commit-tree loop over the same tasks in the same order (equal tree
ids are equal bytes), and git fsck --strict (which checks the order).'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# trees.py: a fast-import stream: main, with files around the names that
# sort differently as files and as directories, and one task per case.
cat >trees.py <<\EOF
import sys
files = {}
for d in ["a", "a.b", "a-b", "a0", "d/e", "d/e/f", "d/g", "x/y/z", "t"]:
    for k in range(3):
        files["%s/f%d.txt" % (d, k)] = "".join("%s %d line %d\n" % (d, k, i) for i in range(30))
for f in ["a.c", "a-c", "b", "d.txt", "t.sh", "link-me"]:
    files[f] = "top %s\n" % f
files["t/shared.txt"] = "".join("line %d\n" % i for i in range(40))
def blob(path, text, mode="100644"):
    data = text.encode()
    return "M %s inline %s\ndata %d\n%s\n" % (mode, path, len(data), text)
out = ["commit refs/heads/main\nmark :1\ncommitter C <c@c> 1700000000 +0000\ndata 5\nbase\n"]
for p in sorted(files):
    out.append(blob(p, files[p]))
tasks = []
def task(name, ops):
    tasks.append(name)
    out.append("commit refs/heads/parallel/%s\ncommitter C <c@c> 1700000000 +0000\ndata 2\nT\nfrom :1\n" % name)
    out.extend(ops)
edit = lambda p, tag, n: blob(p, files[p].replace("line %d\n" % n, "line %d %s\n" % (n, tag)))
# every file of d/e/f, then of d/e: the directories go
task("gone", ["D d/e/f/f%d.txt\n" % k for k in range(3)])
task("gone2", ["D d/e/f%d.txt\n" % k for k in range(3)])
# new files where files and directories sort apart
task("order", [blob("a.b/new.txt", "n\n"), blob("a/new.txt", "n\n"), blob("a-b/0", "n\n"),
               blob("a0/a", "n\n"), blob("a/a.b", "n\n")])
task("newdir", [blob("n/o/p/q.txt", "deep\n"), blob("n.txt", "n\n"), blob("m/x", "m\n")])
task("exec", [blob("t.sh", files["t.sh"], "100755")])
task("link", ["M 120000 inline link-me\ndata 5\nd.txt\n"])
task("mixed", [edit("a/f0.txt", "mixed", 5), "D a.b/f0.txt\n", blob("x/y/z/new", "z\n"),
               edit("x/y/z/f2.txt", "mixed", 5)])
task("top", [blob("0first", "0\n"), blob("zz", "z\n"), "D b\n"])
# one text file changed by two tasks, apart: merged in place from git's scripts
sh = files["t/shared.txt"]
task("shared1", [blob("t/shared.txt", sh.replace("line 3\n", "line 3 one\n"))])
task("shared2", [blob("t/shared.txt", sh.replace("line 30\n", "line 30 two\n")), edit("t/f1.txt", "s2", 5)])
for k in range(10):
    d = ["a", "a.b", "a-b", "a0", "d/g", "x/y/z", "t"][k % 7]
    task("r%d" % k, [edit("%s/f%d.txt" % (d, k % 3), "r%d" % k, 8 + 2 * k), blob("%s/r%d.txt" % (d, k), "r\n")])
with open("../tasks.ini", "w") as t:
    for name in tasks:
        t.write("[task \"%s\"]\n\ttitle = task %s\n\tcommand = true\n" % (name, name))
sys.stdout.write("".join(out))
EOF

test_expect_success 'setup: files and directories that sort apart; a task per case' '
	git init -q repo &&
	(cd repo && python3 ../trees.py | git fast-import --quiet && git reset -q --hard main &&
	 git parallel plan ../tasks.ini >/dev/null) &&
	done_states repo &&
	loop_oracle repo tasks.ini &&
	test "$(wc -l <loop.trees)" = "$(grep -c "^\[task " tasks.ini)"
'

test_expect_success 'every task merges, each merge commit with git'"'"'s tree' '
	(cd repo && git parallel merge >../merge.out 2>&1) &&
	git -C repo log --first-parent --reverse --format=%T main -n "$(wc -l <loop.trees)" >gp.trees &&
	test_cmp loop.trees gp.trees &&
	git -C repo rev-parse "main^{tree}" >gp.tree &&
	test_cmp loop.tree gp.tree
'

test_expect_success 'the trees are what git writes: fsck --strict, the directories gone, the order' '
	git -C repo fsck --strict >fsck.out 2>&1 &&
	! grep -i "error\|warning" fsck.out &&
	test_must_fail git -C repo cat-file -e main:d/e &&
	git -C repo cat-file -e main:d/g &&
	git -C repo ls-tree --name-only main >top &&
	printf "%s\n" 0first a-b a-c a.b a.c a a0 d.txt d link-me m n.txt n t.sh t x zz >expect &&
	test_cmp expect top &&
	git -C repo ls-tree main t.sh >mode && grep "^100755 " mode &&
	git -C repo ls-tree main link-me >mode && grep "^120000 " mode &&
	git -C repo status --porcelain >st && test_must_be_empty st
'

# the worktree is brought to the new tip (git read-tree -m -u on a copy of
# the index), then checked: the stat data, else update-index --refresh say
# every file is as the index says, and only when not, git diff-files names
# them (whether update-index runs depends on the clock: t4130)
test_expect_success 'setup: a git that logs diff-files and update-index' '
	write_git_logger bin "$TRASH_DIRECTORY/git.log" diff-files update-index read-tree
'

test_expect_success 'a clean update: checked without git diff-files' '
	rm -rf wt && git init -q wt &&
	(cd wt && for i in 1 2 3; do echo $i >f$i; done && git add . && git commit -q -m base &&
	 printf "[task \"A\"]\n\ttitle = a\n\tcommand = echo x >>f1 && git commit -qam a\n" >../wt.ini &&
	 git parallel plan ../wt.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	cp -R wt wt2 &&
	rm -f git.log &&
	(cd wt && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel merge >/dev/null) &&
	grep read-tree git.log &&
	! grep diff-files git.log &&
	git -C wt status --porcelain >st && test_must_be_empty st &&
	printf "1\nx\n" >expect && test_cmp expect wt/f1
'

test_expect_success 'a file changed under the update: found, named, the ref put back' '
	old=$(git -C wt2 rev-parse main) &&
	rm -f git.log &&
	(cd wt2 && PATH="$TRASH_DIRECTORY/bin:$PATH" GIT_PARALLEL_TEST_HOOK_AFTER_UPDATE="echo user >>f3" \
		test_expect_code 128 git-parallel merge >../wt2.out 2>&1) &&
	grep diff-files git.log &&
	grep "paths not as before: .f3." wt2.out &&
	test "$(git -C wt2 rev-parse main)" = "$old"
'

test_done
