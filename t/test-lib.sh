# Test library for git-parallel's integration tests, on Debian's sharness.
#
# Each t/tNNNN-*.sh sources this file.  It puts the freshly built
# git-parallel first on PATH (so "git parallel" runs it), fixes author and
# committer dates, and gives every test script a throwaway repository
# "repo" in its trash directory, with one commit on "main".

SHARNESS_TEST_SRCDIR=${SHARNESS_TEST_SRCDIR:-/usr/share/sharness}
GP_BUILD_DIR=$(cd "$(dirname "$0")/.." && pwd)
GP_TEST_DIR="$GP_BUILD_DIR/t"
export GP_BUILD_DIR GP_TEST_DIR

# sharness wants these before it is sourced
SHARNESS_BUILD_DIRECTORY=$GP_BUILD_DIR
export SHARNESS_BUILD_DIRECTORY

. "$SHARNESS_TEST_SRCDIR/sharness.sh"

TRASH_DIRECTORY=$SHARNESS_TRASH_DIRECTORY
export TRASH_DIRECTORY
PATH="$GP_BUILD_DIR:$PATH"

# make test VALGRIND=1: every git-parallel process runs under valgrind;
# an error or a leak makes it exit 126 (and the test fail).  PCRE2's JIT
# code is opaque to valgrind, so it is turned off there, and merge and
# check do not start themselves again (GIT_PARALLEL_NO_MALLOC_TUNING: the
# exec would leave valgrind).
# GP_VALGRIND_ONLY=<command>...: only those git parallel commands run under
# valgrind, the others (a script's setup) as they are; "own" is the command
# the script is named after (t3000-check.sh: check).  CI uses "own".
if test -n "$GP_VALGRIND"; then
	gp_vg_only=$GP_VALGRIND_ONLY
	test "$gp_vg_only" = own &&
	gp_vg_only=$(basename "$0" .sh | sed 's/^t[0-9]*-\([a-z]*\).*/\1/')
	mkdir -p "$TRASH_DIRECTORY/.bin" &&
	cat >"$TRASH_DIRECTORY/.bin/git-parallel" <<-EOF &&
	#!/bin/sh
	only="$gp_vg_only"
	if test -n "\$only"
	then
		# the command: the first word that is not an option (or --config's value)
		cmd= skip=
		for a
		do
			if test -n "\$skip"; then skip=; continue; fi
			case "\$a" in
			--config) skip=1 ;;
			-*) ;;
			*) cmd=\$a; break ;;
			esac
		done
		case " \$only " in
		*" \$cmd "*) ;;
		*) exec "$GP_BUILD_DIR/git-parallel" "\$@" ;;
		esac
	fi
	GIT_PARALLEL_NO_JIT=1 GIT_PARALLEL_NO_MALLOC_TUNING=1 exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \\
		--error-exitcode=126 "$GP_BUILD_DIR/git-parallel" "\$@"
	EOF
	chmod +x "$TRASH_DIRECTORY/.bin/git-parallel" &&
	PATH="$TRASH_DIRECTORY/.bin:$PATH"
fi
export PATH

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_COMMON_DIR GIT_PREFIX GIT_PARALLEL_CONFIG
# Most scripts commit their task files and .gitparallel, whose commands
# then need 'git parallel trust'; they run as with --trust-commands.  The
# trust model itself is tested with this unset (t8400).
GIT_PARALLEL_TRUST_COMMANDS=1
export GIT_PARALLEL_TRUST_COMMANDS
unset NO_COLOR
GIT_AUTHOR_NAME="A U Thor"
GIT_AUTHOR_EMAIL="author@example.com"
GIT_COMMITTER_NAME="C O Mitter"
GIT_COMMITTER_EMAIL="committer@example.com"
GIT_AUTHOR_DATE="1700000000 +0000"
GIT_COMMITTER_DATE="1700000000 +0000"
GIT_CONFIG_NOSYSTEM=1
HOME="$SHARNESS_TRASH_DIRECTORY"
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE GIT_CONFIG_NOSYSTEM HOME
# (written, not "git config --global": two processes less a script).  Auto
# maintenance off: every git commit, merge, am or fetch would otherwise
# start a "git maintenance run --auto" (a process each, a few thousand in
# the suite) that never finds anything to do in repositories this small.
printf '[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n[maintenance]\n\tauto = false\n' \
	>"$HOME/.gitconfig"

# Under SANITIZE=1 builds, make ASan fail loudly and leak checks exit non-zero.
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

GP_FIXTURES="$GP_TEST_DIR/fixtures"
GP_CORPUS="$GP_TEST_DIR/corpus/tasks"

# new_repo <dir>: a repository with one commit on main.
new_repo () {
	git init -q "$1" &&
	echo "seed" >"$1/README" &&
	git -C "$1" add README &&
	git -C "$1" commit -q -m "initial"
}

# state_dir [<repo>]: the state directory of a repository.
state_dir () {
	echo "$(git -C "${1:-.}" rev-parse --path-format=absolute --git-common-dir)/parallel"
}

# test_no_state [<repo>]: nothing was written to the state directory.
test_no_state () {
	sd=$(state_dir "${1:-.}")
	if test -e "$sd/plan"; then
		echo "state written: $sd/plan"
		return 1
	fi
	return 0
}

# test_one_line_error <file>: stderr holds exactly one line, an error.
test_one_line_error () {
	test_line_count = 1 "$1" &&
	grep -E '^(fatal|error): ' "$1"
}

# test_fatal <file> <ERE>: stderr of an exit 128 as git prints it: exactly
# one "fatal: " line, the last line, and <ERE> matches what follows "fatal: ".
test_fatal () {
	if test "$(grep -c "^fatal: " "$1")" != 1
	then
		echo "not exactly one fatal: line in $1:" && cat "$1" && return 1
	fi
	if ! tail -n 1 "$1" | grep -E -e "^fatal: $2" >/dev/null
	then
		echo "the last line of $1 is not \"fatal: $2\":" && cat "$1" && return 1
	fi
}

# python3, resolved once: a version manager's shim (pyenv) costs half a
# second a call, and the suite calls python3 a few hundred times.
GP_PYTHON=$(command python3 -c 'import sys; print(sys.executable)' 2>/dev/null) &&
test -n "$GP_PYTHON" || GP_PYTHON=python3
python3 () {
	"$GP_PYTHON" "$@"
}

# write_git_logger <dir> <log> <subcommand>...: <dir>/git runs the real git,
# and appends to <log> each of those subcommands it is asked to run; a git
# merge-tree --stdin (merge's, t4161) logs "merge-tree" for each merge it
# reads but its first, a commit merged with itself (the check that it answers)
write_git_logger () {
	wl_dir=$1 wl_log=$2 &&
	shift 2 &&
	wl_real=$(command -v git) &&
	mkdir -p "$wl_dir" &&
	{
		echo "#!/bin/sh" &&
		case " $* " in
		*" merge-tree "*)
			printf 'case " $* " in\n*" merge-tree "*" --stdin "*)\n' &&
			printf '\twhile read -r a b; do\n\t\ttest "$a" = "$b" || echo merge-tree >>"%s"\n' "$wl_log" &&
			printf '\t\techo "$a $b"\n\tdone | "%s" "$@"\n\texit ;;\nesac\n' "$wl_real"
		esac &&
		printf 'for a in "$@"; do\n\tcase $a in %s) echo "$a" >>"%s" ;; esac\ndone\nexec "%s" "$@"\n' \
			"$(echo "$*" | tr " " "|")" "$wl_log" "$wl_real"
	} >"$wl_dir/git" &&
	chmod +x "$wl_dir/git"
}

# A JSON helper: python3 reads a JSON document and evaluates an expression
# over it ("d"), printing the result.  -I -S: only the standard library, a
# third less start-up time (the suite calls it a few hundred times).
json_get () {
	python3 -I -S -c 'import json,sys; d=json.load(open(sys.argv[1])); r=eval(sys.argv[2]); print(json.dumps(r) if r is None or isinstance(r,(list,dict)) else r)' "$@"
}

# sharness's test_seq starts an expr for each number; the shell counts.
# Its counter has a name of its own: callers loop over $i around it.
test_seq () {
	test_seq_i_=$1
	while test "$test_seq_i_" -le "$2"
	do
		echo "$test_seq_i_" || return
		test_seq_i_=$((test_seq_i_ + 1))
	done
}

# git's test helpers that Debian's sharness lacks.
if ! type test_line_count >/dev/null 2>&1; then
test_line_count () {
	if test $# != 3; then
		echo "bug in the test script: test_line_count needs 3 arguments"
		return 1
	fi
	if ! test $(wc -l <"$3") "$1" "$2"; then
		echo "test_line_count: line count for $3 !$1 $2"
		cat "$3"
		return 1
	fi
}
fi
if ! type test_must_be_empty >/dev/null 2>&1; then
test_must_be_empty () {
	if test -s "$1"; then
		echo "'$1' is not empty, it contains:"
		cat "$1"
		return 1
	fi
}
fi

# pid_gone <pid>: the process is gone, or a zombie waiting for its reaper
# (orphans are reaped by init, late on some systems).
pid_gone () {
	! kill -0 "$1" 2>/dev/null && return 0
	test "$(sed -n 's/^[0-9]* (.*) \(.\) .*/\1/p' /proc/$1/stat 2>/dev/null)" = Z
}

# wait_state <repo> <id> <state>: wait (up to 30 s) until the task's state
# file says so.
wait_state () {
	f="$(state_dir "$1")/tasks/$2"
	n=0
	while ! grep -q "^	state = $3\$" "$f" 2>/dev/null
	do
		n=$((n + 1))
		test $n -gt 300 && { echo "task $2 never reached state $3"; return 1; }
		sleep 0.1
	done
}

# wait_gone <pid>: wait (up to 10 s) until the process is gone.
wait_gone () {
	n=0
	while ! pid_gone "$1"
	do
		n=$((n + 1))
		test $n -gt 100 && { echo "process $1 is still there"; return 1; }
		sleep 0.1
	done
}

# literal_tree <repo> <mode> <name> <oid> ...: a tree object with these
# entries in this order (sorted or not), its id on stdout
literal_tree () {
	r=$1 && shift &&
	python3 -c '
import sys
a = sys.argv[1:]
sys.stdout.buffer.write(b"".join(a[i].encode() + b" " + a[i + 1].encode() + b"\0" +
    bytes.fromhex(a[i + 2]) for i in range(0, len(a), 3)))' "$@" |
	git -C "$r" hash-object -t tree -w --literally --stdin
}

# blob <repo> <text>: the blob of that line, written; its id on stdout
blob () {
	echo "$2" | git -C "$1" hash-object -w --stdin
}
