#!/bin/sh

test_description='git parallel merge: the checked-out target checked from stat data

Before the merges, merge checks the checked-out target without git
status when the index'"'"'s stat data can tell (every file as recorded,
none racily clean, the index at the old tip'"'"'s tree by its cache tree).
After the merges, under its index.lock, merge checks the checked-out
target again without git status when the index'"'"'s stat data can tell
(every file as recorded, none racily clean, the index at the old tip'"'"'s
tree), and after git read-tree -m -u it checks the files it wrote the
same way before git update-index --refresh would read them again.  When
the stat data cannot tell, git decides as before: a file dirtied, a
change staged or a file added with -N during the merges is still
refused, a file changed under the update is still found.'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/merge.sh"
. "$GP_TEST_DIR/lib/indexstat.sh"

# not_racy <repo>: the tracked files' times a minute back, then the index
# written: no entry is racily clean, git trusts every entry's stat data
not_racy () {
	(cd "$1" && git ls-files -z | xargs -0 touch -d "1 minute ago" &&
	 git update-index -q --refresh)
}

test_expect_success 'setup: a git that logs status, update-index, diff-files, read-tree, write-tree' '
	write_git_logger bin "$TRASH_DIRECTORY/git.log" status update-index diff-files read-tree write-tree
'

test_expect_success 'fresh stat data: no git status at all, no update-index at all' '
	three c1 && not_racy c1 &&
	rm -f git.log &&
	(cd c1 && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel merge >../out) &&
	grep "3 merged" out &&
	! grep "^status$" git.log &&
	grep "^read-tree$" git.log &&
	# the old tree from the index'"'"'s cache tree; git write-tree only for the new one
	grep -c "^write-tree$" git.log >n && echo 1 >expect && test_cmp expect n &&
	! grep "^update-index$" git.log &&
	! grep "^diff-files$" git.log &&
	repo_is_tidy c1 &&
	echo b >expect && test_cmp expect c1/b.txt &&
	grep "^two$" c1/a.txt && grep "^five$" c1/shared.txt
'

test_expect_success 'a cache tree not valid: git write-tree says the index is the old tree' '
	three ct && not_racy ct &&
	(cd ct && git rm -q --cached README && git add README) &&
	git -C ct diff --cached --quiet &&
	rm -f git.log &&
	(cd ct && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel merge >../out) &&
	grep "3 merged" out &&
	grep -c "^status$" git.log >n && echo 1 >expect && test_cmp expect n &&
	grep -c "^write-tree$" git.log >n && echo 2 >expect && test_cmp expect n &&
	repo_is_tidy ct
'

test_expect_success 'a racily clean index: its files hashed under the lock, no git status there' '
	three c2 && not_racy c2 &&
	touch -d "2 minutes ago" c2/.git/index &&
	rm -f git.log &&
	(cd c2 && PATH="$TRASH_DIRECTORY/bin:$PATH" git-parallel merge >../out) &&
	grep "3 merged" out &&
	grep -c "^status$" git.log >n && echo 1 >expect && test_cmp expect n &&
	! grep "^update-index$" git.log &&
	repo_is_tidy c2
'

test_expect_success 'a racily clean index, a file rewritten during the merges, its mtime put back: refused, kept' '
	three rw && not_racy rw && old=$(git -C rw rev-parse main) &&
	touch -d "2 minutes ago" rw/.git/index &&
	(cd rw && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="touch -r README ../ref &&
		echo SEED >README && touch -r ../ref README" \
		test_expect_code 128 git parallel merge >../out 2>../err) &&
	grep "uncommitted changes" err && grep "^	README$" err &&
	unchanged rw $old &&
	echo SEED >expect && test_cmp expect rw/README &&
	! test -e rw/.git/index.lock && ! test -e rw/.git/index.gp-merge &&
	! ls rw/.git/gp-clock.* 2>/dev/null
'

# before the lock, the stat data answer only when they are sure; else git status
test_expect_success 'a change staged before the merge, its stat data fresh: refused by git status' '
	three sb && not_racy sb && old=$(git -C sb rev-parse main) &&
	echo mine >>sb/README && touch -d "1 minute ago" sb/README && git -C sb add README &&
	touch -d "1 minute ago" sb/README && git -C sb update-index -q --refresh &&
	git -C sb diff --quiet && ! git -C sb diff --cached --quiet &&
	rm -f git.log reached &&
	(cd sb && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE=">../reached" \
		PATH="$TRASH_DIRECTORY/bin:$PATH" test_expect_code 128 git-parallel merge >../out 2>../err) &&
	grep "uncommitted changes" err && grep "^	README$" err &&
	grep -c "^status$" git.log >n && echo 1 >expect && test_cmp expect n &&
	! test -e reached &&
	unchanged sb $old
'

test_expect_success 'a file racily clean before the merge, its content changed: refused by git status' '
	three rb && not_racy rb && old=$(git -C rb rev-parse main) &&
	(cd rb && sec=$(( $(date +%s) - 100 )) &&
	 echo SEED >README && touch -m -d @$sec.1 README &&
	 stat_into_index . README ${sec}900000000) &&
	rm -f git.log reached &&
	(cd rb && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE=">../reached" \
		PATH="$TRASH_DIRECTORY/bin:$PATH" test_expect_code 128 git-parallel merge >../out 2>../err) &&
	grep "uncommitted changes" err && grep "^	README$" err &&
	grep -c "^status$" git.log >n && echo 1 >expect && test_cmp expect n &&
	! test -e reached &&
	unchanged rb $old &&
	echo SEED >expect && test_cmp expect rb/README
'

# a file rewritten with the same size in the tick of git'"'"'s lstat() (or on
# a filesystem of whole seconds): its stat data as the index recorded,
# racily clean (its mtime in the index'"'"'s second), its content not the blob
test_expect_success 'a racily clean file changed during the merges: hashed, refused, kept' '
	three rc && not_racy rc && old=$(git -C rc rev-parse main) &&
	cat >racy-readme <<-EOF &&
	. "$GP_TEST_DIR/lib/indexstat.sh"
	sec=\$(( \$(date +%s) - 100 ))
	echo SEED >README && touch -m -d @\$sec.1 README &&
	stat_into_index . README \${sec}900000000
	EOF
	rm -f git.log &&
	(cd rc && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE=". ../racy-readme" \
		PATH="$TRASH_DIRECTORY/bin:$PATH" test_expect_code 128 git-parallel merge >../out 2>../err) &&
	grep "uncommitted changes" err && grep "^	README$" err &&
	grep -c "^status$" git.log >n && echo 1 >expect && test_cmp expect n &&
	unchanged rc $old &&
	echo SEED >expect && test_cmp expect rc/README &&
	git -C rc diff --name-only >actual && echo README >expect && test_cmp expect actual &&
	! test -e rc/.git/index.lock && ! test -e rc/.git/index.gp-merge
'

for f in README a.txt
do
	test_expect_success "$f dirtied during the merges: refused, kept" '
		three d-$f && not_racy d-$f && old=$(git -C d-$f rev-parse main) &&
		(cd d-$f && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="echo mine >>$f" \
			test_expect_code 128 git parallel merge >../out 2>../err) &&
		grep "uncommitted changes" err && grep "^	$f$" err &&
		unchanged d-$f $old &&
		tail -1 d-$f/$f >actual && echo mine >expect && test_cmp expect actual &&
		! test -e d-$f/.git/index.lock && ! test -e d-$f/.git/index.gp-merge
	'
done

test_expect_success 'a change staged during the merges, its stat data fresh: refused, kept' '
	three s && not_racy s && old=$(git -C s rev-parse main) &&
	(cd s && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="echo mine >>README &&
		touch -d \"1 minute ago\" README && git add README" \
		test_expect_code 128 git parallel merge >../out 2>../err) &&
	grep "uncommitted changes" err && grep "^	README$" err &&
	unchanged s $old &&
	git -C s diff --cached --name-only >staged && echo README >expect && test_cmp expect staged
'

test_expect_success 'a file added with -N during the merges: refused, kept' '
	three ita && not_racy ita && old=$(git -C ita rev-parse main) &&
	(cd ita && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="echo new >new.txt && git add -N new.txt" \
		test_expect_code 128 git parallel merge >../out 2>../err) &&
	grep "^	new.txt$" err &&
	unchanged ita $old &&
	echo new >expect && test_cmp expect ita/new.txt
'

test_expect_success 'a file changed under the update, its mtime put back: found, named' '
	three u && not_racy u && old=$(git -C u rev-parse main) &&
	(cd u && GIT_PARALLEL_TEST_HOOK_AFTER_UPDATE="t=\$(stat -c %y README) &&
		echo changed >README && touch -d \"\$t\" README" \
		test_expect_code 128 git parallel merge >../out 2>&1) &&
	grep "paths not as before: .README." out &&
	test "$(git -C u rev-parse main)" = "$old" &&
	echo changed >expect && test_cmp expect u/README
'

test_done
