#!/bin/sh

test_description='a task state imported by an older merge --remote names refs/gp-remote/heads/

Before each remote had a namespace, merge --remote fetched task branches
into refs/gp-remote/heads/ and the task states it imported name them
there.  The per-remote migration removes the old layout: it keeps a branch
ref a local state names, and a state whose old ref is gone anyway is
mapped at load to the fetched ref of a namespace that holds its head.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

# old_state <repo> <id>: rewrite its imported state and refs as the older
# merge --remote left them: the branch in refs/gp-remote/heads/, the
# namespaces gone, some other refs of the old layout beside it
old_state () {
	sd=$(state_dir "$1") &&
	new=$(task_field "$1" $2 branch) &&
	case "$new" in refs/gp-remote/*/heads/parallel/$2) ;; *) echo "branch $new"; false ;; esac &&
	oid=$(git -C "$1" rev-parse "$new") &&
	git -C "$1" for-each-ref --format="delete %(refname)" refs/gp-remote/ >del &&
	git -C "$1" update-ref --stdin <del &&
	git -C "$1" update-ref "refs/gp-remote/heads/parallel/$2" $oid &&
	git -C "$1" update-ref refs/gp-remote/parallel/plan $oid &&
	git -C "$1" update-ref refs/gp-remote/target $oid &&
	sed -i "s|^	branch = .*|	branch = refs/gp-remote/heads/parallel/$2|" "$sd/tasks/$2" &&
	git -C "$1" for-each-ref --format="%(refname)" refs/gp-remote/ >refs &&
	printf "%s\n" refs/gp-remote/heads/parallel/$2 refs/gp-remote/parallel/plan refs/gp-remote/target >expect &&
	test_cmp expect refs
}

# imported <dir>: a clone where merge --remote imported T001 (done) and merged nothing
imported () {
	git clone -q "$REMOTE_URL" "$1" &&
	(cd "$1" && git parallel merge --remote "$REMOTE_URL" T002 >../m.out 2>&1 || :) &&
	grep "^T002  *skipped" m.out &&
	echo done >expect && task_field "$1" T001 state >actual && test_cmp expect actual
}

test_expect_success 'setup: T001 done by a worker' '
	remote_setup &&
	fresh_clone w1 &&
	(cd w1 && git parallel worker "$REMOTE_URL" T001 >../w1.out 2>&1) &&
	echo done >expect && remote_state T001 >actual && test_cmp expect actual &&
	T001=$(git -C remote.git rev-parse refs/heads/parallel/T001)
'

test_expect_success 'the migration keeps the old branch ref a state names, and removes the rest' '
	imported a && old_state a T001 &&
	(cd a && git parallel status --remote "$REMOTE_URL" >../st.out 2>&1) &&
	git -C a for-each-ref --format="%(refname)" refs/gp-remote/parallel/ refs/gp-remote/heads/ \
		refs/gp-remote/target >old &&
	echo refs/gp-remote/heads/parallel/T001 >expect && test_cmp expect old &&
	task_field a T001 branch >actual && test_cmp expect actual &&
	(cd a && git parallel merge >../out 2>../err) &&
	grep "^T001  *merged" out &&
	git -C a merge-base --is-ancestor $T001 main &&
	echo merged >expect && task_field a T001 state >actual && test_cmp expect actual &&
	(cd a && git parallel report >../report.out) && grep "^T001  *merged" report.out &&
	repo_sane a
'

test_expect_success 'a state whose old ref is gone: mapped to the namespace that holds its head' '
	imported b && old_state b T001 &&
	git -C b update-ref -d refs/gp-remote/heads/parallel/T001 &&
	# not fetched again yet: nothing to map to, the branch is named as it is
	(cd b && git parallel merge --dry-run >../out 2>../err || :) &&
	grep "^T001  *failed  *its branch .refs/gp-remote/heads/parallel/T001. is gone" out &&
	(cd b && git parallel status --remote "$REMOTE_URL" >../st.out 2>&1) &&
	task_field b T001 branch >actual &&
	echo refs/gp-remote/origin/heads/parallel/T001 >expect && test_cmp expect actual &&
	test "$(git -C b rev-parse "$(cat actual)")" = $T001 &&
	(cd b && git parallel merge >../out 2>../err) &&
	grep "^T001  *merged" out &&
	git -C b merge-base --is-ancestor $T001 main &&
	# saved under its new name
	grep "^	branch = refs/gp-remote/origin/heads/parallel/T001\$" "$(state_dir b)/tasks/T001" &&
	repo_sane b
'

test_expect_success 'a fetched ref that does not hold the recorded head is not taken' '
	imported c && old_state c T001 &&
	git -C c update-ref -d refs/gp-remote/heads/parallel/T001 &&
	(cd c && git parallel status --remote "$REMOTE_URL" >../st.out 2>&1) &&
	sed -i "s/^	head = .*/	head = $(git -C c rev-parse main)/" "$(state_dir c)/tasks/T001" &&
	echo refs/gp-remote/heads/parallel/T001 >expect &&
	task_field c T001 branch >actual && test_cmp expect actual
'

test_done
