#!/bin/sh
# Regenerate t/sanitize-scripts, the scripts CI runs under the sanitizers
# (.ci/run): the fewest scripts that, with the unit tests, execute at least
# 98% of the lines of src/ that the unit tests and all the scripts execute.
#
#   t/sanitize-subset.sh [--jobs N] [--percent P] [--keep] [--dir DIR]
#   t/sanitize-subset.sh --from DIR [--percent P]
#
# It copies the tracked files of this tree (with their changes) to DIR
# (default: a new temporary directory), builds them there with gcc
# --coverage, runs the unit tests and then each script alone (N at a
# time, default 2), the processes of each writing their counts under its
# own GCOV_PREFIX, reads them with gcov --json-format, and chooses the
# scripts by greedy set cover (the script that adds the most lines first;
# on a tie, the cheaper in CPU time), listed costliest first.  A script that fails is reported
# and left out (its lines are not counted).  Nothing in the tree but
# t/sanitize-scripts is written; DIR is removed at the end unless --keep.
# --from chooses again from the counts of a run kept in DIR.
# It takes about the CPU time of the whole suite (30-40 min on 2 busy
# cores).  Needs gcc, gcov, python3.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)

# (internal) --one <dir> <script>: run one script with its counts under
# <dir>/cov/<name>, its CPU time (user + system, children included) in
# <dir>/cov/<name>/cpu
if test "${1:-}" = --one
then
	dir=$2 s=$3 name=${3%.sh}
	out=$dir/cov/$name
	# (counted already: by another run over the same DIR)
	mkdir "$out" 2>/dev/null || exit 0
	strip=$(echo "$dir/tree" | tr -cd / | wc -c)
	cd "$dir/tree/t"
	if GCOV_PREFIX=$out GCOV_PREFIX_STRIP=$strip \
		/usr/bin/time -f '%U %S' -o "$out/time" \
		timeout 1800 sh "$s" --root="$dir/roots/$name" >"$out/log" 2>&1
	then
		awk '{ print $1 + $2 }' "$out/time" >"$out/cpu"
		echo "sanitize-subset: $name ok ($(cat "$out/cpu") CPU-s)" >&2
	else
		echo "sanitize-subset: $name FAILED (left out; see $out/log)" >&2
		touch "$out/failed"
	fi
	rm -rf "$dir/roots/$name"
	exit 0
fi

jobs=2 percent=98 keep= dir= from=
while test $# -gt 0
do
	case "$1" in
	--jobs) jobs=$2; shift ;;
	--percent) percent=$2; shift ;;
	--keep) keep=1 ;;
	--dir) dir=$2; shift ;;
	--from) from=$2; shift ;;
	*) echo "usage: t/sanitize-subset.sh [--jobs N] [--percent P] [--keep] [--dir DIR | --from DIR]" >&2
	   exit 129 ;;
	esac
	shift
done
command -v gcov >/dev/null && command -v python3 >/dev/null ||
	{ echo "sanitize-subset: needs gcov and python3" >&2; exit 1; }
if test -n "$from"
then
	dir=$(cd "$from" && pwd)
else
	test -n "$dir" || dir=$(mktemp -d "${TMPDIR:-/tmp}/gp-cov.XXXXXX")
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	test -n "$keep" || trap 'rm -rf "$dir"' EXIT
	rm -rf "$dir/tree" "$dir/cov" "$dir/roots"
	mkdir -p "$dir/tree" "$dir/cov" "$dir/roots"

	echo "sanitize-subset: building with --coverage in $dir/tree" >&2
	(cd "$src" && git ls-files -z | xargs -0 tar cf -) | (cd "$dir/tree" && tar xf -)
	make -C "$dir/tree" -j"$jobs" CFLAGS=--coverage LDFLAGS=--coverage \
		all Documentation/git-parallel.1 >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log" >&2; exit 1; }

	echo "sanitize-subset: unit tests" >&2
	strip=$(echo "$dir/tree" | tr -cd / | wc -c)
	mkdir -p "$dir/cov/unit"
	(cd "$dir/tree" && GCOV_PREFIX=$dir/cov/unit GCOV_PREFIX_STRIP=$strip \
		prove --exec '' $(ls t/unit/t-*.c | sed 's/\.c$//') >"$dir/cov/unit/log" 2>&1) ||
		{ echo "sanitize-subset: the unit tests failed ($dir/cov/unit/log)" >&2; exit 1; }

	(cd "$dir/tree/t" && ls t[0-9]*.sh) |
	xargs -P "$jobs" -n 1 "$src/t/sanitize-subset.sh" --one "$dir"
fi

echo "sanitize-subset: reading the counts" >&2
for d in "$dir"/cov/*/
do
	test -f "$d/failed" && continue
	test -d "$d/src" || continue
	# not ended (--from while it runs): left out
	test -f "$d/cpu" || test "$d" = "$dir/cov/unit/" || { rm -f "$d/gcov.json"; continue; }
	# read by a run before (--from), since it ended
	test "$d/gcov.json" -nt "$d/cpu" && continue
	cp "$dir"/tree/src/*.gcno "$d/src/"
	(cd "$d" && gcov --json-format --stdout src/*.gcda 2>/dev/null) >"$d/gcov.json"
done

python3 - "$dir/cov" "$percent" >"$dir/sanitize-scripts" <<'EOF'
import json, os, sys
cov, percent = sys.argv[1], float(sys.argv[2])
lines, cpu = {}, {}
for name in sorted(os.listdir(cov)):
	d = os.path.join(cov, name)
	if os.path.exists(os.path.join(d, "failed")) or not os.path.exists(os.path.join(d, "gcov.json")):
		continue
	s = set()
	with open(os.path.join(d, "gcov.json")) as f:
		for text in f:
			if not text.strip():
				continue
			for fl in json.loads(text)["files"]:
				if not fl["file"].startswith("src/"):
					continue
				for l in fl["lines"]:
					if l["count"] > 0:
						s.add((fl["file"], l["line_number"]))
	lines[name] = s
	try:
		cpu[name] = float(open(os.path.join(d, "cpu")).read())
	except OSError:
		cpu[name] = 0.0
base = lines.pop("unit", set())
whole = set(base).union(*lines.values())
goal = len(whole) * percent / 100
have, chosen = set(base), []
while len(have) < goal:
	best = max(lines, key=lambda n: (len(lines[n] - have), -cpu[n]))
	if not lines[best] - have:
		break
	chosen.append(best)
	have |= lines.pop(best)
spent = sum(cpu[n] for n in chosen)
total = spent + sum(cpu[n] for n in lines)
print("# The scripts CI runs under the sanitizers (.ci/run), one a line.")
print("# Generated by t/sanitize-subset.sh (make sanitize-subset): with the")
print("# unit tests they execute %d of the %d lines of src/ that the unit tests"
      % (len(have), len(whole)))
print("# and every script execute (%.1f%%; the unit tests alone %d), in %.0f of"
      % (100.0 * len(have) / len(whole), len(base), spent))
print("# the scripts' %.0f CPU-s (gcov build).  The whole suite under the" % total)
print("# sanitizers: make test SANITIZE=1.  The costliest first (prove -j).")
for n in sorted(chosen, key=lambda n: -cpu[n]):
	print(n + ".sh")
EOF
mv "$dir/sanitize-scripts" "$src/t/sanitize-scripts"
sed -n '/^#/p' "$src/t/sanitize-scripts" >&2
echo "sanitize-subset: $(grep -vc '^#' "$src/t/sanitize-scripts") scripts in t/sanitize-scripts" >&2
