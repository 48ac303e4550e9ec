#!/bin/sh

test_description='task text reaches the terminal with control characters escaped; JSON escapes them its own way'

. ./test-lib.sh

ESC=$(printf "\033")
CSI=$(printf "\302\233")

# no_controls <file>: no C0 control but newline and tab, no DEL, no C1 (as UTF-8)
no_controls () {
	if LC_ALL=C grep -n "$(printf "[\001-\010\013-\037\177]")" "$1" ||
	   LC_ALL=C grep -n "$(printf "\302[\200-\237]")" "$1"
	then
		echo "raw control characters in $1"
		return 1
	fi
}

test_expect_success 'setup: a title full of terminal escapes' '
	new_repo repo &&
	printf "[task \"T1\"]\n\ttitle = red${ESC}[31m title\r\a${CSI}2J end\n\tpaths = a.txt\n\tcommand = echo x >a.txt && echo y >\"b${ESC}[1m.txt\"\n" >repo/tasks.ini
'

test_expect_success 'plan: the title escaped in text, exact in JSON' '
	(cd repo && git parallel plan tasks.ini >../out 2>../err && git parallel plan --json tasks.ini >../out.json) &&
	no_controls out && no_controls err &&
	grep -F "red\\033[31m title\\r\\a\\302\\2332J end" out &&
	json_get out.json "d[\"tasks\"][0][\"title\"] == \"red\\x1b[31m title\\r\\x07\\x9b2J end\"" >actual &&
	echo True >expect && test_cmp expect actual &&
	grep -F "\\u001b[31m" out.json
'

test_expect_success 'run, status, check, merge, report: no raw control character' '
	(cd repo && git parallel run >../out 2>../err) && no_controls out && no_controls err &&
	(cd repo && git parallel status >../out 2>../err) && no_controls out && no_controls err &&
	(cd repo && test_expect_code 1 git parallel check >../out 2>../err) &&
	no_controls out && no_controls err &&
	grep -F "b\\033[1m.txt" out &&
	rm repo/tasks.ini &&
	(cd repo && git parallel merge --allow-undeclared >../out 2>../err) && no_controls out && no_controls err &&
	grep -F "red\\033[31m title" out &&
	(cd repo && git parallel report >../out 2>../err) && no_controls out && no_controls err &&
	(cd repo && git parallel report --format=markdown >../out 2>../err) && no_controls out &&
	grep -F "red\\033[31m title" out
'

test_expect_success 'a failure reason naming an agent-provided branch is escaped (run and status)' '
	new_repo r2 &&
	printf "[task \"T1\"]\n\tpaths = a.txt\n\tcommand = git checkout -q -b \"evil${CSI}31m\"\n" >r2/tasks.ini &&
	(cd r2 && git parallel plan tasks.ini >/dev/null &&
	 test_expect_code 1 git parallel run >../out 2>../err) &&
	no_controls err &&
	grep -F "evil\\302\\23331m" err &&
	(cd r2 && git parallel status >../out 2>../err) &&
	no_controls out &&
	grep -F "evil\\302\\23331m" out
'

test_expect_success 'error messages quote what they name with escapes' '
	printf "[task \"T1\"]\n\tpaths = a.txt\n${ESC}]0;pwned\a oops\n" >r2/bad.ini &&
	(cd r2 && test_expect_code 128 git parallel plan --force bad.ini 2>../err) &&
	no_controls err &&
	grep -F "\\033]0;pwned\\007 oops" err
'

test_done
