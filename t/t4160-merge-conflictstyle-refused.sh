#!/bin/sh

test_description='merge refuses a merge.conflictStyle git refuses

git 2.39 knows three values of merge.conflictStyle (merge, diff3, zdiff3);
any other, or the key without a value, kills every git merge-tree while it
reads its configuration (exit 128), even when a later file sets a good
value.  merge says so, naming the setting, before it touches anything
(exit 128), instead of letting libgit2 decide where git would have.
Oracle: git merge-tree itself on the same configuration.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup: a task that changed a.txt as main did (git must have its say)' '
	line_tasks repo A=15 &&
	(
		cd repo &&
		sed -i s/^3\$/main3/ a.txt && git commit -q -am main3
	) &&
	git -C repo rev-parse main >main.before &&
	state_sum repo >state.before &&
	cp -R repo pristine
'

# nothing_touched: main, the state, the checkout and the repository as before
nothing_touched () {
	git -C repo rev-parse main >main.now &&
	test_cmp main.before main.now &&
	state_sum repo >state.now &&
	test_cmp state.before state.now &&
	test -z "$(git -C repo status --porcelain)" &&
	repo_sane repo
}

# refused <what> <git options...>: git merge-tree dies on the configuration
# (the oracle), and so does merge, naming the setting and <what>
refused () {
	what=$1 && shift &&
	test_expect_code 128 git -C repo "$@" merge-tree --write-tree main parallel/A >mt.out 2>mt.err &&
	grep -i "merge.conflictstyle" mt.err &&
	{ (cd repo && git "$@" parallel merge >../out 2>../err); echo $? >rc; } &&
	echo 128 >expect && test_cmp expect rc &&
	grep "merge.conflictStyle" err &&
	grep "$what" err &&
	nothing_touched &&
	{ (cd repo && git "$@" parallel merge --dry-run >../out 2>../err); echo $? >rc; } &&
	test_cmp expect rc &&
	grep "merge.conflictStyle" err &&
	nothing_touched
}

test_expect_success 'git -c merge.conflictStyle=bogus: refused, nothing touched' '
	refused "bogus" -c merge.conflictStyle=bogus
'

test_expect_success 'a value in the wrong case (DIFF3) in the repository config: refused' '
	git -C repo config merge.conflictStyle DIFF3 &&
	refused "DIFF3" &&
	git -C repo config --unset merge.conflictStyle
'

test_expect_success 'a bad value overridden by a good one later: git still dies, merge refuses' '
	git -C repo config merge.conflictStyle bogus2 &&
	refused "bogus2" -c merge.conflictStyle=diff3 &&
	git -C repo config --unset merge.conflictStyle
'

test_expect_success 'the key without a value: refused' '
	printf "[merge]\n\tconflictStyle\n" >>repo/.git/config &&
	refused "no value" &&
	git -C repo config --unset merge.conflictStyle
'

test_expect_success 'from GIT_CONFIG_COUNT (git config reads it, libgit2 does not): refused' '
	(
		GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=merge.conflictStyle GIT_CONFIG_VALUE_0=zdiff4 &&
		export GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 &&
		refused "zdiff4"
	)
'

for style in merge diff3 zdiff3
do
	test_expect_success "merge.conflictStyle=$style: merged as git merges it" '
		rm -rf repo && cp -R pristine repo &&
		git -C repo -c merge.conflictStyle=$style merge-tree --write-tree main parallel/A >mt.out &&
		(cd repo && git -c merge.conflictStyle=$style parallel merge >../out 2>../err) &&
		git -C repo rev-parse "main^{tree}" >actual &&
		test_cmp mt.out actual
	'
done

test_done
