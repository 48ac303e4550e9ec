#!/bin/sh
# make test leaves no file behind in the source tree.
#   t/debris.sh snapshot   before the tests: what is untracked or ignored now
#   t/debris.sh check      after them: fail naming anything new
# Outside a git checkout (a release tarball) it does nothing.  The snapshot
# is kept in the git directory, not in the tree.
cd "$(dirname "$0")/.." || exit 1
gd=$(git rev-parse --absolute-git-dir 2>/dev/null) || exit 0
test "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" || exit 0
list () {
	{
		git ls-files --others --exclude-standard --directory
		git ls-files --others --ignored --exclude-standard --directory
	} | LC_ALL=C sort -u
}
case "$1" in
snapshot)
	list >"$gd/gp-test-debris" ;;
check)
	test -f "$gd/gp-test-debris" || exit 0
	list >"$gd/gp-test-debris.after" || exit 1
	new=$(LC_ALL=C comm -13 "$gd/gp-test-debris" "$gd/gp-test-debris.after")
	rm -f "$gd/gp-test-debris" "$gd/gp-test-debris.after"
	if test -n "$new"
	then
		echo "make test left files behind in the tree:" >&2
		printf '  %s\n' $new >&2
		exit 1
	fi ;;
*)
	echo "usage: t/debris.sh snapshot|check" >&2
	exit 129 ;;
esac
