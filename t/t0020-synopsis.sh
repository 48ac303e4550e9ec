#!/bin/sh

test_description='the man page SYNOPSIS, each command'"'"'s usage and its options agree'

. ./test-lib.sh

MAN="$GP_BUILD_DIR/Documentation/git-parallel.1.scd"
CMDS="plan run status check merge report clean trust push worker export"

test_expect_success 'the SYNOPSIS lines of the man page' '
	sed -n "/^# SYNOPSIS/,/^# DESCRIPTION/p" "$MAN" |
	sed -n "s/^\*git parallel \([a-z]*\)\* /git parallel \1 /p" | sort >synopsis &&
	test_line_count -gt 10 synopsis
'

test_expect_success 'every usage line of every command is in the SYNOPSIS, and the reverse' '
	for c in $CMDS
	do
		git parallel $c -h >out 2>&1
		sed -n -e "s/^usage: //p" -e "s/^   or: //p" out || return 1
	done | sort >usage &&
	test_cmp synopsis usage
'

test_expect_success 'every long option a command parses is in its usage' '
	for c in $CMDS
	do
		src="$GP_BUILD_DIR/src/cmd-$c.c" &&
		sed -n "s/^[	 ]*{ \"\([a-z-]*\)\", [a-z_]*_argument,.*/\1/p" "$src" >opts &&
		test -s opts &&
		git parallel $c -h >out 2>&1
		for o in $(cat opts)
		do
			test "$o" = help && continue
			base=${o#no-}
			grep -q -e "--$o\b" -e "--\[no-\]$base\b" out ||
			{ echo "git parallel $c: --$o is parsed but not in its usage"; return 1; }
		done || return 1
	done
'

test_done
