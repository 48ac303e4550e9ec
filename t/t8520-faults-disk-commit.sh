#!/bin/sh

test_description='a full disk while run auto-commits, saves state and logs, and while merge writes: nothing lost'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

# As in t8020: a full disk needs a small filesystem, a tmpfs mounted by root.
if test "$(id -u)" = 0 && mkdir probe-mnt && mount -t tmpfs -o size=64k tmpfs probe-mnt 2>/dev/null
then
	umount probe-mnt && test_set_prereq TMPFS
fi
rmdir probe-mnt 2>/dev/null

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

write_fault_agent agent
AGENT="\"$TRASH_DIRECTORY/agent\""

# fill_hook <repo>: a pre-commit hook that fills .git/objects (a tmpfs)
# when the file fill-<repo> exists: git commit then fails writing its tree.
# The agent's own commit comes first, before the test creates the file.
fill_hook () {
	cat >"$1/.git/hooks/pre-commit" <<-EOF &&
	#!/bin/sh
	if test -e "$TRASH_DIRECTORY/fill-$1"
	then
		cat /dev/zero >"$TRASH_DIRECTORY/$1/.git/objects/filler" 2>/dev/null
	fi
	exit 0
	EOF
	chmod +x "$1/.git/hooks/pre-commit"
}

test_expect_success TMPFS 'the disk fills during the auto-commit: the task fails saying so, the work is kept' '
	ini_tasks a K1 &&
	fill_hook a &&
	# the agent commits its own work (the hook lets it), then the auto-commit fills the disk
	cat >agent-fill <<-EOF &&
	#!/bin/sh
	"$TRASH_DIRECTORY/agent" || exit 1
	: >"$TRASH_DIRECTORY/fill-a"
	EOF
	chmod +x agent-fill &&
	small_fs a/.git/objects 4m &&
	test_when_finished "umount -l a/.git/objects 2>/dev/null || :" &&
	(cd a && test_expect_code 1 git parallel run --command "\"$TRASH_DIRECTORY/agent-fill\"" >../out 2>../err) &&
	cat err &&
	task_field a K1 state >actual && echo failed >expect && test_cmp expect actual &&
	task_field a K1 reason >reason &&
	grep "git commit failed: No space left on device" reason &&
	grep "the work is kept, staged, in the worktree: free space and run again" reason &&
	# the branch holds the agent commit, no broken commit above it
	git -C a log -1 --format=%s parallel/K1 >actual &&
	echo "K1: own commit" >expect && test_cmp expect actual &&
	git -C a.parallel/K1 status --porcelain >st &&
	echo "A  K1-extra.txt" >expect && test_cmp expect st &&
	echo "K1 uncommitted" >expect && test_cmp expect a.parallel/K1/K1-extra.txt &&
	rm a/.git/objects/filler "$TRASH_DIRECTORY/fill-a" &&
	repo_sane a &&
	# space freed: the next run commits the kept work and finishes the task
	(cd a && git parallel run --command "$AGENT" >../out 2>../err) &&
	grep "^1 done$" out &&
	git -C a show parallel/K1:K1-extra.txt >actual &&
	echo "K1 uncommitted" >expect && test_cmp expect actual &&
	git -C a.parallel/K1 status --porcelain >st && test_must_be_empty st &&
	big_fs a/.git/objects &&
	repo_sane a
'

test_done
