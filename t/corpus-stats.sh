#!/bin/sh
# Print what plan reads from real task lists, per file: tasks, IDs read
# from the file vs L<line> fallbacks, explicit dependencies read, tasks
# listed but not run (done, cancelled, in progress, groups ...), warnings.
#
#   t/corpus-stats.sh [<file or directory>...]     (default: t/corpus/tasks)
#   GP_BIN=/path/to/git-parallel t/corpus-stats.sh ...   (compare binaries)
#
# Each file is planned alone, in a scratch repository, with --no-phases
# left off: these are the figures a user sees.  A file plan refuses is
# counted as FAIL with its first error.
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${GP_BIN:-$top/git-parallel}
test $# -gt 0 || set -- "$top/t/corpus/tasks"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gp-corpus.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
git init -q "$scratch/repo" &&
git -C "$scratch/repo" -c user.name=x -c user.email=x@x commit -q --allow-empty -m init || exit 1

for arg
do
	if test -d "$arg"; then find "$arg" -name "*.md" | sort; else echo "$arg"; fi
done >"$scratch/files"

printf '%-58s %6s %6s %6s %5s %6s %5s %s\n' file tasks ids L-ids deps notrun warn result
while read -r f
do
	abs=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
	(cd "$scratch/repo" && "$bin" plan --json "$abs" >"$scratch/plan.json" 2>"$scratch/err")
	rc=$?
	warn=$(grep -c '^warning:' "$scratch/err")
	name=$(echo "$f" | sed "s|^$top/||; s|^t/corpus/tasks/||" | awk '{ n = length($0); print ((n > 58) ? "..." substr($0, n - 54) : $0) }')
	if test $rc != 0; then
		printf '%-58s %6s %6s %6s %5s %6s %5s FAIL %s\n' "$name" - - - - - "$warn" \
			"$(grep -m1 -E '^(error|fatal):' "$scratch/err" | cut -c1-60)"
		continue
	fi
	python3 - "$scratch/plan.json" "$name" "$warn" <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	ts = d["tasks"]
	auto = sum(1 for t in ts if t["id"].startswith("L") and t["id"][1:].isdigit())
	deps = sum(1 for t in ts for x in t["depends"] if x["reason"] == "depends")
	notrun = sum(1 for t in ts if t["done"] or t["cancelled"])
	print("%-58s %6d %6d %6d %5d %6d %5s ok" % (sys.argv[2], len(ts), len(ts) - auto, auto, deps, notrun, sys.argv[3]))
	PY
done <"$scratch/files" | tee "$scratch/rows"
awk '$NF == "ok" { t += $2; i += $3; l += $4; d += $5; n++ } / FAIL / { f++ }
END { printf "total: %d files planned, %d refused, %d tasks, %d IDs read, %d L<line> fallbacks (%.0f%%), %d explicit dependencies\n",
	n, f, t, i, l, t ? 100 * l / t : 0, d }' "$scratch/rows"
