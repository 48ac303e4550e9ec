#!/bin/sh

test_description='option parsing from the option tables: getopt_long'"'"'s rules kept

Abbreviations, options after operands, -- , --no- only where a table allows
it, missing and unwanted values, the value checks'"'"' messages, the old
undocumented short letters, and the usage -h and a usage error print.'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/completion.sh"

test_expect_success 'setup' '
	new_repo repo &&
	cat >repo/tasks.md <<-\EOF &&
	- [ ] T001 [P] Write src/a.c
	- [ ] T002 [P] Write src/b.c
	EOF
	git -C repo add tasks.md &&
	git -C repo commit -q -m tasks
'

test_expect_success 'options after operands, and unique prefixes of long options' '
	(cd repo && git parallel plan --json tasks.md >../expect) &&
	json_get expect "d[\"tasks\"][1][\"id\"]" >id &&
	echo T002 >want && test_cmp want id &&
	(cd repo && git parallel plan tasks.md --js >../actual) &&
	test_cmp expect actual
'

test_expect_success 'an ambiguous prefix is a usage error naming two candidates' '
	(cd repo && test_expect_code 129 git parallel plan --s tasks.md 2>../err) &&
	grep "^error: ambiguous option .--s. (could be --strict or --serial-phases)" err
'

test_expect_success '--no-<option> only where the table allows it' '
	(cd repo && git parallel run --no-sp --dry-run --command "echo hi" >../out) &&
	grep T001 out &&
	(cd repo && test_expect_code 129 git parallel check --no-json 2>../err) &&
	grep "^error: unknown option .--no-json.\$" err &&
	(cd repo && test_expect_code 129 git parallel plan --phases tasks.md 2>../err) &&
	grep "^error: unknown option .--phases.\$" err
'

test_expect_success 'a missing value, and a value for an option that takes none' '
	(cd repo && test_expect_code 129 git parallel clean --remote 2>../err) &&
	grep "^error: option .--remote. needs a value\$" err &&
	(cd repo && test_expect_code 129 git parallel export --format=github-actions -j 2>../err) &&
	grep "^error: option .-j. needs a value\$" err &&
	(cd repo && test_expect_code 129 git parallel report --json=yes 2>../err) &&
	grep "^error: option .--json. takes no value\$" err
'

test_expect_success 'the next word is the value, even one that looks like an option' '
	(cd repo && test_expect_code 128 git parallel merge --into --json 2>../err) &&
	grep "no branch .--json. to merge into" err
'

test_expect_success 'bad values keep their messages' '
	(cd repo && test_expect_code 129 git parallel export --format=github-actions -j 0 2>../err) &&
	grep "^error: -j needs a positive number, not .0.\$" err &&
	(cd repo && test_expect_code 129 git parallel run --retries=-1 2>../err) &&
	grep "^error: --retries needs a number, not .-1.\$" err &&
	(cd repo && test_expect_code 129 git parallel merge --verify-timeout 5x 2>../err) &&
	grep "^error: --verify-timeout: .5x. is not a duration" err &&
	(cd repo && test_expect_code 129 git parallel worker --token XYZ origin T001 2>../err) &&
	grep "^error: --token needs 4 to 64 hex digits, not .XYZ.\$" err &&
	(cd repo && test_expect_code 129 git parallel report --format=yaml 2>../err) &&
	grep "^error: unknown format .yaml.\$" err
'

test_expect_success '-- ends the options: what follows are task IDs' '
	(cd repo && test_expect_code 128 git parallel run --dry-run -- --check 2>../err) &&
	grep "no task .--check. in the plan" err
'

test_expect_success 'the short letters getopt used to accept still work, unlisted' '
	(cd repo && git parallel plan -j tasks.md >../actual) &&
	test_cmp expect actual &&
	(cd repo && git parallel run --dry-run --command "echo hi" >../expect.run &&
	 git parallel run -n -c "echo hi" >../actual.run) &&
	test_cmp expect.run actual.run &&
	test_expect_code 129 git parallel run -h >out &&
	! grep -e "-n\b" out &&
	! grep -e "-c\b" out
'

test_expect_success '-h: the usage and an option list on stdout; a usage error: the error and the usage lines on stderr' '
	test_expect_code 129 git parallel merge -h >usage 2>err &&
	test_must_be_empty err &&
	head -n 1 usage | grep "^usage: git parallel merge \[<id>...\] \[--into <branch>\]" &&
	grep "^    --verify-timeout <duration>\$" usage &&
	grep "^ \{26\}give up on --verify" usage &&
	(cd repo && test_expect_code 129 git parallel merge --frob >../out 2>../err) &&
	test_must_be_empty out &&
	echo "error: unknown option '"'"'--frob'"'"'" >expect.err &&
	head -n 1 usage >>expect.err &&
	test_cmp expect.err err
'

test_expect_success '--help after options shows the usage too' '
	(cd repo && test_expect_code 129 git parallel status --json --help >../out) &&
	grep "^usage: git parallel status" out
'

test_expect_success COMPLETION 'completion takes each command'"'"'s options from the binary' '
	(cd repo && complete_words git parallel clean --rem) >actual &&
	echo --remote= >expect && test_cmp expect actual &&
	(cd repo && complete_words git parallel check --no-u) >actual &&
	echo --no-uncommitted >expect && test_cmp expect actual &&
	(cd repo && complete_words git parallel run --mi) >actual &&
	echo --min-success= >expect && test_cmp expect actual
'

test_done
