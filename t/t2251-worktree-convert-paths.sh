#!/bin/sh

test_description='a task worktree: git writes again only the files whose attributes convert

libgit2 1.5'"'"'s checkout writes every file as its blob; git then writes
again (git checkout-index -z --stdin) the files a filter driver or a
working-tree-encoding converts, and only those.  The worktree is then
byte for byte what git worktree add writes, as for every file before
(t2250), and a worker on another machine makes its worktree the same
way.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/remote.sh"

# same_as_git <dir> <task>: the task'"'"'s worktree is clean for git status and
# every file is what git worktree add writes at the task'"'"'s start
same_as_git () {
	git -C "$1.parallel/$2" status --porcelain >status.out &&
	test_must_be_empty status.out &&
	rm -rf "$1.oracle" &&
	git -C "$1" worktree add -q --detach "$TRASH_DIRECTORY/$1.oracle" "$(cat "$1.start")" &&
	git -C "$1" ls-files >files &&
	test -s files &&
	while read f
	do
		cmp "$1.oracle/$f" "$1.parallel/$2/$f" || return 1
	done <files &&
	git -C "$1" worktree remove --force "$TRASH_DIRECTORY/$1.oracle"
}

test_expect_success 'a smudge driver: git runs it once per converted file, on no other' '
	new_repo few &&
	git -C few config filter.log.clean cat &&
	git -C few config filter.log.smudge "sh -c '"'"'echo \"\$1\" >>\"$TRASH_DIRECTORY/smudged\"; cat'"'"' - %f" &&
	echo "*.x filter=log" >few/.gitattributes &&
	mkdir few/sub &&
	for i in 1 2 3 4 5 6 7 8; do echo $i >few/p$i.c; done &&
	echo one >few/a.x && echo two >"few/sub/b c.x" &&
	printf "[task \"T1\"]\n\tpaths = z\n" >few/tasks.ini &&
	printf "[parallel]\n\ttasks = tasks.ini\n\tcommand = true\n" >few/.gitparallel &&
	git -C few add . && git -C few commit -q -m files &&
	git -C few rev-parse HEAD >few.start &&
	rm -f smudged &&
	GIT_TRACE="$TRASH_DIRECTORY/trace" && export GIT_TRACE &&
	(cd few && git parallel plan >/dev/null && git parallel run --trust-commands >../out 2>../err) &&
	unset GIT_TRACE &&
	grep "1 done" out &&
	grep "checkout-index -f -u -z --stdin" trace &&
	! grep "checkout-index.* -a" trace &&
	printf "a.x\nsub/b c.x\n" >expect &&
	sort smudged >actual &&
	test_cmp expect actual &&
	same_as_git few T1
'

test_expect_success 'more converted names than a pipe holds (git reads them as they are written)' '
	new_repo many &&
	echo "*.txt working-tree-encoding=UTF-16" >many/.gitattributes &&
	long=a-rather-long-directory-name-to-fill-the-pipe-quickly &&
	mkdir -p many/$long/$long &&
	# (the bytes of printf "file %d\n" | iconv -t UTF-16, without 1,500 iconv)
	python3 -c "
import sys
for i in range(1500):
    open(\"%s/file-number-%d.txt\" % (sys.argv[1], i), \"wb\").write((\"file %d\\n\" % i).encode(\"utf-16\"))
" many/$long/$long &&
	printf "file 1499\n" | iconv -f UTF-8 -t UTF-16 | cmp - many/$long/$long/file-number-1499.txt &&
	echo plain >many/plain.c &&
	git -C many ls-files -o | wc -c >bytes &&
	test "$(cat bytes)" -gt 65536 &&
	printf "[task \"T1\"]\n\tpaths = z\n" >many/tasks.ini &&
	printf "[parallel]\n\ttasks = tasks.ini\n\tcommand = true\n" >many/.gitparallel &&
	git -C many add . && git -C many commit -q -m files &&
	git -C many rev-parse HEAD >many.start &&
	(cd many && git parallel plan >/dev/null && git parallel run --trust-commands >../out 2>../err) &&
	grep "1 done" out &&
	same_as_git many T1
'

test_expect_success 'a worker: its worktree as git writes it, its commit with the blob git makes' '
	new_repo wrepo &&
	echo "*.txt working-tree-encoding=UTF-16" >wrepo/.gitattributes &&
	printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16 >wrepo/words.txt &&
	printf "hello\nworld\n" | iconv -f UTF-8 -t UTF-16 >wrepo/keep.txt &&
	cat >wrepo/edit.sh <<-\EOF &&
	cmp "$ORIG" keep.txt &&
	printf "hello\nworld\nagain\n" | iconv -f UTF-8 -t UTF-16 >words.txt
	EOF
	printf "## Phase 1\n- [ ] T001 [P] Edit words.txt\n" >wrepo/tasks.md &&
	printf "[parallel]\n\ttasks = tasks.md\n" >wrepo/.gitparallel &&
	git -C wrepo add . && git -C wrepo commit -q -m files &&
	cp wrepo/keep.txt keep.orig &&
	(cd wrepo && git parallel plan >/dev/null) &&
	git init -q --bare remote.git &&
	git -C wrepo push -q "$REMOTE_URL" main &&
	(cd wrepo && git parallel push --command "sh edit.sh" "$REMOTE_URL" >../push.out) &&
	fresh_clone w &&
	(cd w && ORIG="$TRASH_DIRECTORY/keep.orig" git parallel worker "$REMOTE_URL" T001 >../w.out 2>&1) &&
	echo done >expect && remote_state T001 >actual && test_cmp expect actual &&
	git -C remote.git show parallel/T001:words.txt >actual &&
	printf "hello\nworld\nagain\n" >expect &&
	test_cmp expect actual &&
	git -C remote.git diff --name-only main parallel/T001 >changed &&
	echo words.txt >expect && test_cmp expect changed &&
	wt=$(git -C w worktree list --porcelain | sed -n "s/^worktree //p" | grep "/T001$") &&
	cmp keep.orig "$wt/keep.txt" &&
	git -C "$wt" status --porcelain >status.out &&
	test_must_be_empty status.out
'

test_done
