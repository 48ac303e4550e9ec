#!/bin/sh

test_description='GIT_NAMESPACE in the environment: our refs are not namespaced, as git branch'"'"'s are not

git applies GIT_NAMESPACE only where it serves refs (upload-pack,
receive-pack, http-backend); git branch, merge, worktree, commit and
rev-parse ignore it.  libgit2 opened "from the environment" applied it to
every ref: plan could not read HEAD, run made its branches and then
called them gone, merge found no target, clean kept commits under
refs/namespaces/.  Every command now works on refs/heads/... as git does,
the namespace or not; the task commands keep the variable as it was.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup: two tasks (one records its GIT_NAMESPACE)' '
	new_repo r &&
	cat >r/tasks.ini <<-\EOF &&
	[task "A"]
		title = a
		paths = A.txt
		command = echo "${GIT_NAMESPACE-unset}" >A.txt
	[task "B"]
		title = b
		paths = B.txt
		command = echo b >B.txt
	EOF
	git -C r add . && git -C r commit -q -m tasks &&
	cp -R r oracle
'

test_expect_success 'plan, run, status, check with GIT_NAMESPACE set: as without' '
	(
		cd r &&
		GIT_NAMESPACE=ns && export GIT_NAMESPACE &&
		git parallel plan tasks.ini >../plan.out &&
		git parallel run >../run.out 2>../run.err &&
		git parallel status --json >../status.json &&
		git parallel check >../check.out
	) &&
	for id in A B
	do
		json_get status.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"$id\"][0][\"state\"]" >state &&
		echo done >expect && test_cmp expect state || return 1
	done &&
	git -C r show parallel/A:A.txt >actual &&
	echo ns >expect && test_cmp expect actual &&
	git -C r for-each-ref --format="%(refname)" refs/namespaces/ >ns.refs &&
	test_must_be_empty ns.refs &&
	(cd oracle && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	git -C oracle show parallel/A:A.txt >actual &&
	echo unset >expect && test_cmp expect actual &&
	test "$(git -C r rev-parse parallel/B^{tree})" = "$(git -C oracle rev-parse parallel/B^{tree})"
'

test_expect_success 'merge and report with GIT_NAMESPACE set: main gets both, as without' '
	(cd r && GIT_NAMESPACE=ns git parallel merge >../merge.out 2>../merge.err &&
	 GIT_NAMESPACE=ns git parallel report >../report.out) &&
	(cd oracle && git parallel merge >/dev/null 2>&1) &&
	git -C r diff --name-status main@{2} main >actual &&
	git -C oracle diff --name-status main@{2} main >expect &&
	test_cmp expect actual &&
	git -C r ls-tree main >actual &&
	git -C oracle ls-tree main | sed "s/$(git -C oracle rev-parse main:A.txt)/$(git -C r rev-parse main:A.txt)/" >expect &&
	test_cmp expect actual &&
	git -C r log --format=%s main >log &&
	grep "^Merge task A: a\$" log && grep "^Merge task B: b\$" log &&
	grep "2 merged" report.out &&
	git -C r status --porcelain >st && test_must_be_empty st
'

test_expect_success 'clean --merged with GIT_NAMESPACE set removes both; nothing kept under a namespace' '
	(cd r && GIT_NAMESPACE=ns git parallel clean --merged >../clean.out 2>../clean.err) &&
	grep "^removed A (worktree and branch)" clean.out &&
	grep "^removed B (worktree and branch)" clean.out &&
	! grep kept clean.out &&
	git -C r for-each-ref --format="%(refname)" >refs &&
	echo refs/heads/main >expect &&
	test_cmp expect refs &&
	repo_sane r
'

test_done
