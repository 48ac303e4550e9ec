#!/bin/sh

test_description='parallel.copy and parallel.share: untracked files and dependency directories in new worktrees'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

AGENT="$GP_TEST_DIR/lib/agent.sh"

# mk <dir> <extra config lines>: task T1 (src/a.txt), planned
mk () {
	new_repo "$1" &&
	mkdir -p "$1/src" "$1/config" &&
	echo a >"$1/src/a.txt" &&
	echo tracked >"$1/config/app.json" &&
	printf ".env*\nconfig/*.local.json\nnode_modules/\n.venv/\n" >"$1/.gitignore" &&
	printf "[task \"T1\"]\n\ttitle = one\n\tpaths = src/a.txt\n" >"$1/tasks.ini" &&
	printf "[parallel]\n\ttasks = tasks.ini\n\tcommand = %s\n%s\n" "$AGENT" "$2" >"$1/.gitparallel" &&
	git -C "$1" add . && git -C "$1" commit -q -m tasks &&
	(cd "$1" && git parallel plan >/dev/null)
}

test_expect_success 'setup' '
	mk repo "	copy = .env .env.local config/*.local.json config/app.json missing.txt
	share = node_modules" &&
	echo "SECRET=1" >repo/.env && chmod 600 repo/.env &&
	echo "LOCAL=1" >repo/.env.local && chmod 755 repo/.env.local &&
	echo "{}" >repo/config/db.local.json &&
	ln -s db.local.json repo/config/link.local.json &&
	echo "changed in main" >repo/config/app.json &&
	mkdir -p repo/node_modules/pkg &&
	echo "module" >repo/node_modules/pkg/index.js &&
	(cd repo && git parallel run >../out 2>../err) &&
	grep "1 done" out
'

wt=repo.parallel/T1

test_expect_success 'untracked and ignored files are copied, modes kept' '
	test_cmp repo/.env $wt/.env &&
	test_cmp repo/.env.local $wt/.env.local &&
	test_cmp repo/config/db.local.json $wt/config/db.local.json &&
	test "$(stat -c %a $wt/.env)" = 600 &&
	test "$(stat -c %a $wt/.env.local)" = 755
'

test_expect_success 'a symbolic link is copied as a link' '
	test -h $wt/config/link.local.json &&
	test "$(readlink $wt/config/link.local.json)" = db.local.json
'

test_expect_success 'a tracked file is never overwritten' '
	echo tracked >expect &&
	test_cmp expect $wt/config/app.json &&
	grep "not copied: .config/app.json. is tracked" "$(state_dir repo)/logs/T1.log"
'

test_expect_success 'the shared directory is a link to the main worktree, ignored everywhere' '
	test -h $wt/node_modules &&
	test "$(readlink $wt/node_modules)" = "$TRASH_DIRECTORY/repo/node_modules" &&
	git -C $wt status --porcelain >st &&
	test_must_be_empty st &&
	git -C repo status --porcelain --ignored >st &&
	grep "^!! node_modules/\$" st &&
	grep "^/node_modules\$" "$(git -C repo rev-parse --path-format=absolute --git-common-dir)/info/exclude"
'

test_expect_success 'auto-commit committed neither the copies nor the link' '
	git -C repo diff --name-only main parallel/T1 >actual &&
	echo src/a.txt >expect &&
	test_cmp expect actual
'

test_expect_success 'clean removes the link, never what it points to' '
	(cd repo && git parallel clean --all --force >../out 2>../err) &&
	! test -e $wt &&
	echo module >expect &&
	test_cmp expect repo/node_modules/pkg/index.js
'

test_expect_success 'share-mode = copy copies the directory' '
	mk copy "	share = node_modules
	share-mode = copy" &&
	mkdir -p copy/node_modules/pkg && echo m >copy/node_modules/pkg/i.js &&
	chmod 750 copy/node_modules/pkg &&
	(cd copy && git parallel run >../out 2>../err) &&
	! test -h copy.parallel/T1/node_modules &&
	test_cmp copy/node_modules/pkg/i.js copy.parallel/T1/node_modules/pkg/i.js &&
	test "$(stat -c %a copy.parallel/T1/node_modules/pkg)" = 750 &&
	git -C copy.parallel/T1 status --porcelain >st &&
	test_must_be_empty st
'

test_expect_success 'share-mode = off shares nothing' '
	mk off "	share = node_modules
	share-mode = off" &&
	mkdir off/node_modules &&
	(cd off && git parallel run >../out 2>../err) &&
	! test -e off.parallel/T1/node_modules
'

test_expect_success 'a directory that is not ignored is not shared' '
	mk notignored "	share = src" &&
	test_expect_code 1 sh -c "cd notignored && git parallel run >../out 2>../err" &&
	grep "parallel.share: .src. is not ignored" err &&
	test "$(task_field notignored T1 state)" = failed &&
	! test -h notignored.parallel/T1/src
'

test_expect_success 'patterns with .. or absolute paths are refused' '
	new_repo bad &&
	printf "[parallel]\n\tcopy = ../secret\n" >bad/.gitparallel &&
	test_expect_code 128 sh -c "cd bad && git parallel plan >../out 2>../err" &&
	grep "gitparallel:2: bad value .\.\./secret. for .parallel.copy." err &&
	printf "[parallel]\n\tshare = a/../../b\n" >bad/.gitparallel &&
	test_expect_code 128 sh -c "cd bad && git parallel plan >../out 2>../err" &&
	grep "bad value .a/\.\./\.\./b. for .parallel.share." err &&
	printf "[parallel]\n\tcopy = /etc/passwd\n" >bad/.gitparallel &&
	test_expect_code 128 sh -c "cd bad && git parallel plan >../out 2>../err" &&
	grep "bad value ./etc/passwd." err
'

test_expect_success 'a pattern like .* never copies . or ..' '
	mk dots "	copy = .* sub/.*" &&
	mkdir dots/sub && echo s >dots/sub/.secret &&
	echo e >dots/.env &&
	echo u >dots/untracked.txt &&
	(cd dots && git parallel run >../out 2>../err) &&
	test_cmp dots/.env dots.parallel/T1/.env &&
	test_cmp dots/sub/.secret dots.parallel/T1/sub/.secret &&
	! test -e dots.parallel/T1/untracked.txt &&
	! test -e dots.parallel/dots &&
	! test -e dots.parallel/repo &&
	git -C dots.parallel/T1 status --porcelain >st &&
	test_must_be_empty st
'

test_expect_success 'a copy never goes through a tracked symbolic link' '
	mk linked "	copy = conf/x.local" &&
	mkdir -p outside &&
	ln -s "$TRASH_DIRECTORY/outside" linked/conf &&
	git -C linked add conf && git -C linked commit -q -m "a tracked link" &&
	(cd linked && git parallel plan >/dev/null) &&
	rm linked/conf && mkdir linked/conf && echo x >linked/conf/x.local &&
	test_expect_code 1 sh -c "cd linked && git parallel run >../out 2>../err" &&
	grep "is not a directory" err &&
	! test -e outside/x.local
'

test_done
