#!/bin/sh

test_description='a full disk while run auto-commits, saves state and logs, and while merge writes: nothing lost'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

tmpfs_prereq

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

# merge_repo <dir>: 2,000 files (an index of some 150 KB), tasks K1 K2 K3 done
merge_repo () {
	new_repo "$1" &&
	mkdir "$1/files" &&
	i=0 &&
	while test $i -lt 2000
	do
		echo "file $i" >"$1/files/f$i.c" && i=$((i + 1)) || return 1
	done &&
	git -C "$1" add files && git -C "$1" commit -q -m "2000 files" &&
	for id in K1 K2 K3
	do
		printf "[task \"%s\"]\n\ttitle = task %s\n\tpaths = %s.txt\n\tcommand = echo %s >%s.txt\n" \
			$id $id $id $id $id >>"$1/tasks.ini" || return 1
	done &&
	git -C "$1" add . && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1)
}

test_expect_success TMPFS 'the disk fills while merge writes the index of the checked-out target: nothing lost' '
	merge_repo m &&
	old=$(git -C m rev-parse main) &&
	# .git on a small tmpfs, its objects on a roomy one: the index copy cannot be written
	mv m/.git/objects objects.save &&
	small_fs m/.git 2m &&
	test_when_finished "umount -l m/.git/objects 2>/dev/null; umount -l m/.git 2>/dev/null || :" &&
	mkdir m/.git/objects && mount -t tmpfs -o size=16m tmpfs m/.git/objects &&
	cp -a objects.save/. m/.git/objects/ && rm -rf objects.save &&
	cat /dev/zero >m/.git/filler 2>/dev/null
	truncate -s -16k m/.git/filler &&
	(cd m && test_expect_code 128 git parallel merge >../out 2>../err) &&
	grep "No space left on device" err &&
	grep "could not update the worktree .* nor restore it to .*(.main. is at ${old%${old#????????????}}); fix the cause" err &&
	grep "run .git parallel merge. again" err &&
	# the target put back; its index and files are as before (git reads, cannot write)
	test "$(git -C m rev-parse main)" = $old &&
	git -C m --no-optional-locks status --porcelain >st && test_must_be_empty st &&
	task_field m K1 state >actual && echo done >expect && test_cmp expect actual &&
	repo_sane m &&
	rm m/.git/filler &&
	(cd m && git parallel merge >../out 2>../err) &&
	grep "^3 merged" out &&
	git -C m rev-list --merges main >merges && test_line_count = 3 merges &&
	git -C m status --porcelain >st && test_must_be_empty st &&
	mkdir objects.save && cp -a m/.git/objects/. objects.save/ &&
	umount m/.git/objects && rmdir m/.git/objects &&
	big_fs m/.git && mv objects.save m/.git/objects &&
	repo_sane m
'

test_done
