#!/bin/sh

test_description='merge: a tracked directory replaced by a symlink to its files is a change

A tracked directory moved away and a symlink left in its place that leads
to the very same files: lstat() of "d/e/f" follows the symlink "d" to
files whose stat data are as the index recorded, but git takes them as
deleted (" D d/e/f", "?? d").  The checked-out target is then not clean:
merge must refuse it as git status does, not move the target.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# not_racy <repo>: every entry'"'"'s stat data trusted by git (as t4130)
not_racy () {
	(cd "$1" && git ls-files -z | xargs -0 touch -d "1 minute ago" &&
	 git update-index -q --refresh)
}

for spec in d:e/f d/e:f
do
	link=${spec%:*} moved=${spec#*:} r=s-${spec%%/*}-${#link}
	test_expect_success "leading directory $link a symlink to the same files: refused, as git status" '
		rm -rf elsewhere &&
		three $r && mkdir -p $r/d/e && echo f >$r/d/e/f && echo g >$r/d/e/g &&
		git -C $r add d && git -C $r commit -q -m d &&
		not_racy $r && old=$(git -C $r rev-parse main) &&
		mv $r/$link elsewhere && ln -s "$TRASH_DIRECTORY/elsewhere" $r/$link &&
		git -C $r status --porcelain >st &&
		grep "^ D d/e/f$" st &&
		(cd $r && test_expect_code 128 git parallel merge >../out 2>../err) &&
		grep "uncommitted changes" err && grep "^	d/e/f$" err &&
		unchanged $r $old &&
		test -h $r/$link && echo f >expect && test_cmp expect elsewhere/$moved
	'
done

test_done
