#!/bin/sh

test_description='check decides a racily clean entry by git'"'"'s rule

A worktree is clean from its index stat data only where git would trust
them.  Debian'"'"'s git (built without USE_NSEC) takes an entry whose mtime
second is at or after the index file'"'"'s as racily clean and compares its
content, whatever the nanoseconds say; an entry whose size is 0 for a
blob that is not empty was smudged by git (racily clean when written)
and its content decides too.  The states below are those a same-size
rewrite in the timestamp tick of git'"'"'s own lstat() leaves (or any
rewrite on a filesystem that keeps whole seconds): the file has the
stat data the index recorded, its content is not the recorded blob.
They are made by writing the file'"'"'s lstat() into its index entry.
git diff (which reads the index, never writes it) is the oracle.'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/indexstat.sh"

# how_read <name>: check --json the fast way (trace on) and the slow way
how_read () {
	(cd repo && GIT_PARALLEL_TEST_SCAN=trace git parallel check --json >../$1.fast 2>../$1.trace;
	 GIT_PARALLEL_TEST_SCAN=diff git parallel check --json >../$1.slow 2>/dev/null)
}

test_expect_success 'setup: a task in its worktree, clean' '
	git init -q -b main repo &&
	mkdir repo/src &&
	for f in src/a src/b top; do seq 1 20 >repo/$f.txt || return 1; done &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "T1"]
		command = sed -i 3s/3/three/ src/a.txt
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	wt=repo.parallel/T1 &&
	test -z "$(git -C $wt status --porcelain)" &&
	how_read clean && grep "T1 clean by stat data" clean.trace
'

# a second a few minutes back, whole: the file's and the index's times in it
sec=$(( $(date +%s) - 300 ))

test_expect_success 'unchanged, mtime in the index second before its nanoseconds: hashed, clean' '
	wt=repo.parallel/T1 &&
	set_mtime $wt/top.txt ${sec}100000000 &&
	stat_into_index $wt top.txt ${sec}900000000 &&
	git -C $wt diff --quiet &&
	how_read same && grep "T1 clean by stat data" same.trace &&
	test "$(uncommitted same.fast)" = "T1:0"
'

test_expect_success 'same-size rewrite, mtime in the index second before its nanoseconds: changed' '
	wt=repo.parallel/T1 &&
	test_when_finished "git -C $wt reset -q --hard" &&
	sed -i 5s/5/6/ $wt/top.txt &&
	set_mtime $wt/top.txt ${sec}100000000 &&
	stat_into_index $wt top.txt ${sec}900000000 &&
	git -C $wt diff --name-only >expect && echo top.txt >want && test_cmp want expect &&
	how_read rewrite &&
	test_cmp rewrite.slow rewrite.fast &&
	test "$(uncommitted rewrite.fast)" = "T1:1"
'

test_expect_success 'a smudged entry (size 0) and the file emptied: changed' '
	wt=repo.parallel/T1 &&
	test_when_finished "git -C $wt reset -q --hard" &&
	: >$wt/src/b.txt &&
	set_mtime $wt/src/b.txt $(( sec - 60 ))000000000 &&
	stat_into_index $wt src/b.txt ${sec}000000000 &&
	git -C $wt diff --name-only >expect && echo src/b.txt >want && test_cmp want expect &&
	how_read smudged &&
	test_cmp smudged.slow smudged.fast &&
	test "$(uncommitted smudged.fast)" = "T1:1"
'

test_expect_success 'a file not racy, its stat data as recorded: clean by stat data' '
	wt=repo.parallel/T1 &&
	set_mtime $wt/src/b.txt $(( sec - 60 ))000000000 &&
	stat_into_index $wt src/b.txt ${sec}000000000 &&
	git -C $wt diff --quiet &&
	how_read settled && grep "T1 clean by stat data" settled.trace
'

test_expect_success 'every file racily clean: hashed once, then trusted while the index stays' '
	wt=repo.parallel/T1 &&
	(cd $wt && s=$(( $(date +%s) - 200 )) &&
	 git ls-files | while read f; do touch -m -d @$s.1 "$f" || exit 1; done &&
	 git update-index -q --refresh &&
	 touch -m -d @$s.9 "$(git rev-parse --path-format=absolute --git-path index)") &&
	git -C $wt diff --quiet &&
	how_read first && grep "T1 clean by stat data, racy files hashed$" first.trace &&
	test -f "$(git -C $wt rev-parse --path-format=absolute --git-path gp-index-checked)" &&
	how_read again && grep "T1 clean by stat data$" again.trace &&
	test_cmp first.fast again.fast &&
	test "$(uncommitted again.fast)" = "T1:0"
'

test_expect_success 'then a file rewritten, its mtime put back: changed' '
	wt=repo.parallel/T1 &&
	test_when_finished "git -C $wt reset -q --hard" &&
	touch -r $wt/top.txt ref && sed -i 5s/5/6/ $wt/top.txt && touch -r ref $wt/top.txt &&
	git -C $wt diff --name-only >actual && echo top.txt >expect && test_cmp expect actual &&
	how_read after &&
	test_cmp after.slow after.fast &&
	test "$(uncommitted after.fast)" = "T1:1"
'

test_expect_success 'the index written again: its racy files hashed again' '
	wt=repo.parallel/T1 &&
	(cd $wt && s=$(( $(date +%s) - 100 )) &&
	 git ls-files | while read f; do touch -m -d @$s.1 "$f" || exit 1; done &&
	 git update-index -q --refresh &&
	 touch -m -d @$s.9 "$(git rev-parse --path-format=absolute --git-path index)") &&
	how_read rewritten && grep "T1 clean by stat data, racy files hashed$" rewritten.trace
'

test_done
