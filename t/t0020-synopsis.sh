#!/bin/sh

test_description='the man page agrees with the option tables: SYNOPSIS lines, option lists

Each command'"'"'s options come from one table (src/parse-options.c): its -h
prints the usage lines and an option list, --git-completion-helper its long
options.  The man page must say the same, from the binary, not from the C.'

. ./test-lib.sh

MAN="$GP_BUILD_DIR/Documentation/git-parallel.1.scd"
CMDS="plan run status check merge report clean trust push worker export"

# man_options <cmd>: the long options of the definition-list terms of the
# man page's "## <cmd>" section (a term: a line "*--opt* ..." followed by
# an indented line), one a line, sorted.  No <cmd>: the "# OPTIONS" section.
man_options () {
	awk -v sec="${1:+## $1}" '
		$0 == (sec == "" ? "# OPTIONS" : sec) { in_sec = 1; next }
		in_sec && /^#/ { in_sec = 0 }
		in_sec && term != "" && /^\t/ { print term }
		{ term = "" }
		in_sec && /^\*-/ { term = $0 }
	' "$MAN" | grep -o -e "--[a-z][a-z-]*" | sort -u
}

# bin_options <cmd>: the long options the command parses, as its
# --git-completion-helper gives them, one a line, sorted.
bin_options () {
	git parallel $1 --git-completion-helper >helper &&
	tr " " "\n" <helper | sed -e "s/=\$//" -e "/^--\$/d" -e "/^\$/d" | sort -u
}

test_expect_success 'the SYNOPSIS lines of the man page' '
	sed -n "/^# SYNOPSIS/,/^# DESCRIPTION/p" "$MAN" |
	sed -n "s/^\*git parallel \([a-z]*\)\* /git parallel \1 /p" | sort >synopsis &&
	test_line_count -gt 10 synopsis
'

test_expect_success 'every usage line of every command is in the SYNOPSIS, and the reverse' '
	for c in $CMDS
	do
		test_expect_code 129 git parallel $c -h >out 2>err &&
		test_must_be_empty err &&
		sed -n -e "s/^usage: //p" -e "s/^   or: //p" out || return 1
	done | sort >usage &&
	test_cmp synopsis usage
'

test_expect_success '--git-completion-helper lists the long options, outside a repository too' '
	mkdir norepo &&
	(cd norepo && GIT_CEILING_DIRECTORIES="$TRASH_DIRECTORY" &&
	 export GIT_CEILING_DIRECTORIES &&
	 git parallel run --git-completion-helper >../out 2>../err) &&
	test_must_be_empty err &&
	grep -e "^--jobs= " out &&
	grep -e " --dry-run " out &&
	grep -e " -- --no-sparse\$" out
'

test_expect_success 'every option of every command is in its man page section, and the reverse' '
	for c in $CMDS
	do
		man_options $c >man.$c &&
		bin_options $c >bin.$c &&
		test_line_count -gt 0 bin.$c &&
		test_cmp bin.$c man.$c || { echo "^ git parallel $c: the binary (-), the man page (+)"; return 1; }
	done
'

test_expect_success 'git parallel'"'"'s own usage line and options: the man page'"'"'s SYNOPSIS and OPTIONS' '
	test_expect_code 129 git parallel -h >out &&
	head -n 1 out | sed "s/^usage: //" >usage.main &&
	sed -n "/^# SYNOPSIS/,/^# DESCRIPTION/p" "$MAN" |
	sed -n "s/^\*git parallel\* /git parallel /p" >synopsis.main &&
	test_line_count = 1 synopsis.main &&
	test_cmp synopsis.main usage.main &&
	man_options >man.main &&
	bin_options >bin.main &&
	test_cmp bin.main man.main
'

test_expect_success 'every option of every command is in its usage, with a help line' '
	for c in $CMDS
	do
		test_expect_code 129 git parallel $c -h >out &&
		sed -n "s/^\(   or\|usage\): //p" out >lines &&
		for o in $(cat bin.$c)
		do
			base=${o#--} &&
			neg="--\[no-\]${base#no-}" &&
			grep -q -e "$o\b" -e "$neg\b" lines ||
			{ echo "git parallel $c: $o is parsed but not in its usage lines"; return 1; }
			grep -E "^    (-., )?($o|$neg)( |=|\$)" out >line &&
			test_line_count = 1 line &&
			# its help at column 26, on its line or (a long one) the next
			{ grep -E "^.{24}  \S" line ||
			  grep -A1 -E "^    (-., )?($o|$neg)( |=|\$)" out | sed -n 2p | grep -E "^ {26}\S"; } ||
			{ echo "git parallel $c: $o has no help line"; return 1; }
		done || return 1
	done
'

test_expect_success 'the checks above can fail: a man page missing an option, or with one too many' '
	sed -e "/^\*--exact\*\$/,/^\$/d" "$MAN" >man.scd &&
	MAN=$PWD/man.scd &&
	man_options check >man.check.less &&
	! test_cmp bin.check man.check.less &&
	awk "/^\*--list\*\$/ { print \"*--frob*\"; print \"\tNothing.\"; print \"\" } { print }" \
		"$GP_BUILD_DIR/Documentation/git-parallel.1.scd" >man.scd &&
	grep -B1 "^	Nothing.\$" man.scd | grep "^\*--frob\*\$" &&
	man_options trust >man.trust.more &&
	! test_cmp bin.trust man.trust.more
'

test_done
