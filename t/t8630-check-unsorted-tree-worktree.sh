#!/bin/sh

test_description='check: a task with uncommitted work on a tree git fsck calls unsorted

90e586f made tree_side_diff() refuse a tree out of git'"'"'s order.  check
handled that for a task measured from its branch (measured as git diff
does, with a note), but a task whose worktree holds uncommitted work is
measured through changed_paths(), which reads the same trees: check then
failed with a fatal error instead of measuring it ("Tasks that cannot be
measured are reported with a note, never an error").'

. ./test-lib.sh

test_expect_success 'setup: main at an unsorted root tree; T1 ran, then left uncommitted work' '
	new_repo repo &&
	a=$(blob repo a) && b=$(blob repo b) && c=$(blob repo c) &&
	tree=$(literal_tree repo 100644 b $b 100644 c $c 100644 a $a) &&
	main=$(git -C repo commit-tree -p HEAD -m unsorted $tree) &&
	git -C repo update-ref refs/heads/main $main &&
	git -C repo reset -q --hard main &&
	printf "[task \"T1\"]\n\ttitle = one\n\tpaths = a\n\tcommand = echo a2 >a\n" >tasks.ini &&
	(cd repo && git parallel plan ../tasks.ini >/dev/null) &&
	(cd repo && git parallel run >../run.out 2>../run.err) &&
	grep "^1 done" run.out &&
	wt=$(git -C repo worktree list --porcelain | sed -n "s/^worktree //p" | grep T1) &&
	echo dirty >"$wt/b" &&
	test -n "$(git -C "$wt" status --porcelain)"
'

test_expect_success 'check measures T1 with its uncommitted work, no fatal error' '
	(cd repo && git parallel check --json >../c.json 2>../c.err); rc=$? &&
	cat c.err &&
	test $rc -le 1 &&
	! grep "^fatal:" c.err &&
	json_get c.json "\" \".join(sorted(f[\"path\"] for f in d[\"tasks\"][0][\"files\"]))" >actual &&
	grep "a" actual &&
	grep "b" actual
'

test_done
