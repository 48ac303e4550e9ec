#!/bin/sh

test_description='check, status and report run side by side, as git status does

They only read: no lock, no write to the state directory.  One check is
held once it has measured every task (GIT_PARALLEL_TEST_HOOK_CHECK_MEASURED
waits for a file) while another check, check --exact, status and report
run to the end; then the held one finishes with the same report.  The same
while a merge holds the state lock.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"

test_expect_success 'setup: three tasks, two of them on one file, one with uncommitted work' '
	git init -q -b main repo &&
	seq 1 20 >repo/f.txt && seq 1 20 >repo/g.txt &&
	cat >repo/tasks.ini <<-\EOF &&
	[task "A"]
		paths = f.txt
		command = sed -i s/^3$/A3/ f.txt
	[task "B"]
		paths = g.txt
		command = sed -i s/^4$/B4/ f.txt && sed -i s/^9$/B9/ g.txt
	[task "C"]
		paths = c.txt
		command = echo c >c.txt
	EOF
	git -C repo add . && git -C repo commit -q -m base &&
	(cd repo && git parallel plan tasks.ini >/dev/null && git parallel run >/dev/null 2>&1) &&
	echo more >repo.parallel/C/more.txt &&
	(cd repo && git parallel check >../check.base; test $? = 1) &&
	grep "conflict  *f.txt" check.base &&
	(cd repo && git parallel check --exact >../exact.base; test $? = 1) &&
	(cd repo && git parallel status >../status.base && git parallel report >../report.base)
'

# start_held <name> <check args>...: a check in the background, held once it
# measured (it touches <name>.held and waits for <name>.go); its pid in <name>.pid
start_held () {
	name=$1 && shift &&
	{ (cd repo && GIT_PARALLEL_TEST_HOOK_CHECK_MEASURED="touch ../$name.held; while ! test -e ../$name.go; do sleep 0.05; done" \
		git-parallel check "$@" >../$name.out 2>../$name.err; echo $? >../$name.rc) & } &&
	wait_for_file $name.held
}

test_expect_success 'a check held mid-way: another check, check --exact, status and report all succeed' '
	before=$(state_sum repo) &&
	test_when_finished "touch h1.go" &&
	start_held h1 &&
	(cd repo && git parallel check >../c2.out 2>../c2.err; echo $? >../c2.rc) &&
	echo 1 >expect && test_cmp expect c2.rc && test_must_be_empty c2.err &&
	test_cmp check.base c2.out &&
	(cd repo && git parallel check --exact >../x2.out 2>../x2.err; echo $? >../x2.rc) &&
	test_cmp expect x2.rc && test_must_be_empty x2.err &&
	test_cmp exact.base x2.out &&
	(cd repo && git parallel status >../s2.out && git parallel report >../r2.out) &&
	test_cmp status.base s2.out && test_cmp report.base r2.out &&
	(cd repo && git parallel status --json >../s2.json && git parallel report --format=json >../r2.json) &&
	json_get s2.json "d[\"lock\"]" >lock && echo null >expect.lock && test_cmp expect.lock lock &&
	touch h1.go &&
	wait_for_file h1.rc &&
	test_cmp expect h1.rc && test_must_be_empty h1.err &&
	test_cmp check.base h1.out &&
	test "$(state_sum repo)" = "$before"
'

test_expect_success 'two checks held at once both finish with the same report' '
	test_when_finished "touch h2.go h3.go" &&
	start_held h2 --exact &&
	start_held h3 --exact &&
	touch h3.go && wait_for_file h3.rc &&
	touch h2.go && wait_for_file h2.rc &&
	echo 1 >expect && test_cmp expect h2.rc && test_cmp expect h3.rc &&
	test_must_be_empty h2.err && test_must_be_empty h3.err &&
	test_cmp exact.base h2.out && test_cmp exact.base h3.out
'

test_expect_success 'while merge holds the state lock, check, status and report still work' '
	test_when_finished "touch m.go" &&
	{ (cd repo && GIT_PARALLEL_TEST_HOOK_BEFORE_UPDATE="touch ../m.held; while ! test -e ../m.go; do sleep 0.05; done" \
		git-parallel merge C >../m.out 2>../m.err; echo $? >../m.rc) & } &&
	wait_for_file m.held &&
	(cd repo && git parallel status --json >../s3.json) &&
	json_get s3.json "d[\"lock\"][\"command\"]" >cmd && echo merge >expect && test_cmp expect cmd &&
	(cd repo && git parallel check >../c3.out 2>../c3.err; echo $? >../c3.rc) &&
	echo 1 >expect && test_cmp expect c3.rc && test_must_be_empty c3.err &&
	test_cmp check.base c3.out &&
	(cd repo && git parallel report >../r3.out) &&
	test_cmp report.base r3.out &&
	touch m.go && wait_for_file m.rc &&
	echo 0 >expect && test_cmp expect m.rc &&
	repo_sane repo
'

test_done
