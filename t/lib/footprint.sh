# Helpers for check tests of committed footprints: tasks whose commands
# change files of a base commit, run to their branches.
# Source after test-lib.sh.

# thirty_lines: "line 1" to "line 30", the files' text
thirty_lines () {
	for tl_i in $(test_seq 1 30); do echo "line $tl_i"; done
}

# task_ini <id> <command>: an INI task <id> that runs <command>
task_ini () {
	printf "[task \"%s\"]\n\ttitle = task %s\n\tcommand = %s\n" "$1" "$1" "$2"
}

# run_tasks <repo> <id>...: all of <repo> committed as the base, its
# tasks.ini planned and run (two at once); each <id> made its branch
run_tasks () {
	rt_repo=$1 && shift &&
	git -C "$rt_repo" add -A && git -C "$rt_repo" commit -q -m base &&
	(cd "$rt_repo" && git parallel plan tasks.ini >/dev/null && git parallel run -j 2 >/dev/null 2>&1) &&
	for rt_id in "$@"
	do
		git -C "$rt_repo" rev-parse --verify -q "parallel/$rt_id" >/dev/null || return 1
	done
}
