#!/bin/sh

test_description='merge and check keep freed memory, and their git children too

A merge reads, merges and writes blob after blob, and its long-lived
git merge-tree --stdin and git diff-tree --stdin children read and diff
blob after blob: glibc gave each freed buffer back to the kernel, which
faulted it in again for the next (a sixth of merge'"'"'s time and ~40% of
its git diff-tree'"'"'s on git.git topics).  merge and check keep freed
memory (mallopt()), and start their git merge-tree and diff-tree
children with the same settings in GLIBC_TUNABLES -- unless the user set
GLIBC_TUNABLES: theirs reach git unchanged.  merge and check --exact
start themselves again with those settings and glibc'"'"'s heap in huge
pages (glibc reads GLIBC_TUNABLES only when a program starts), then put
the environment back as it was; a plain check does not, nor does
anything where the kernel gives no transparent huge pages.  The merges are the same:
the oracle is a git merge-tree + commit-tree loop over the same tasks.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

getconf GNU_LIBC_VERSION >/dev/null 2>&1 && test_set_prereq GLIBC
# under make test VALGRIND=1, git-parallel does not start itself again
test -z "$GP_VALGRIND" && test_set_prereq NOT_VALGRIND

# the criss-cross of t4161: git merge-tree --stdin is asked (S2, S3) and
# confirms in the background (S1); t.txt, changed by main and by T4 apart,
# is merged from git diff-tree's scripts
test_expect_success 'setup: tasks that need git merge-tree and git diff-tree' '
	crisscross_repo repo &&
	(
		cd repo &&
		test_seq 1 30 >t.txt && git add t.txt && git commit -q -m t
	) &&
	criss_task repo parallel/S1 "s/^17\$/S1/" a.txt &&
	criss_task repo parallel/S2 "s/^x2\$/S2/" b.txt &&
	criss_task repo parallel/S3 "s/^3\$/S3/" a.txt &&
	(
		cd repo &&
		git checkout -q -b parallel/T4 main &&
		sed -i s/^25\$/T4/ t.txt && git commit -q -am T4 &&
		git checkout -q main &&
		sed -i s/^3\$/main3/ a.txt && sed -i s/^5\$/main5/ t.txt &&
		git commit -q -am main3
	) &&
	for t in S1 S2 S3 T4
	do
		printf "[task \"%s\"]\n\ttitle = %s\n\tcommand = true\n" $t $t >>tasks.ini || return 1
	done &&
	(cd repo && git parallel plan ../tasks.ini >/dev/null) &&
	done_states repo &&
	loop_oracle repo tasks.ini &&
	cp -R repo pristine &&
	real=$(command -v git) &&
	mkdir bin &&
	cat >bin/git <<-EOF &&
	#!/bin/sh
	case " \$* " in
	*" merge-tree "*|*" diff-tree "*)
		for a in "\$@"; do case \$a in merge-tree|diff-tree) sub=\$a ;; esac; done
		echo "\$sub \${GLIBC_TUNABLES-unset}" >>"$TRASH_DIRECTORY/env.log"
		# the environment git-parallel itself was started with, and its own
		echo "\$sub \${GIT_PARALLEL_MALLOC_TUNED-unset}" >>"$TRASH_DIRECTORY/tuned.log"
		tr "\\\\000" "\\\\n" </proc/\$PPID/environ | sed -n "s/^GLIBC_TUNABLES=/started /p" \\
			>>"$TRASH_DIRECTORY/started.log" ;;
	esac
	exec "$real" "\$@"
	EOF
	chmod +x bin/git &&
	# check'"'"'s hook: the environment git-parallel (pid \$1) was started with
	cat >environ.sh <<-\EOF &&
	echo ran >>"$TRASH_DIRECTORY/hook.log"
	tr "\\000" "\\n" </proc/$1/environ | sed -n "s/^GLIBC_TUNABLES=/started /p" \
		>>"$TRASH_DIRECTORY/started.log"
	EOF
	for k in never madvise always
	do
		echo "always madvise never" | sed "s/$k/[$k]/" >thp-$k || return 1
	done
'

# gp <command> [env...]: in a fresh copy of the repository, through bin/git
gp () {
	: >env.log && : >tuned.log && : >started.log && : >hook.log &&
	wrapped_gp "$@"
}

test_expect_success GLIBC 'merge: git merge-tree and diff-tree keep freed memory' '
	gp merge &&
	same_as_loop &&
	grep "^merge-tree " env.log &&
	grep "^diff-tree " env.log &&
	! grep -v " glibc\.malloc\.hugetlb=1:glibc\.malloc\.mmap_threshold=67108864:glibc\.malloc\.trim_threshold=268435456:glibc\.malloc\.top_pad=16777216\$" env.log
'

test_expect_success 'merge: the user'"'"'s GLIBC_TUNABLES reach git unchanged' '
	gp merge GLIBC_TUNABLES=glibc.malloc.arena_max=1 &&
	same_as_loop &&
	grep "^merge-tree " env.log &&
	grep "^diff-tree " env.log &&
	! grep -v " glibc\.malloc\.arena_max=1\$" env.log
'

test_expect_success GLIBC 'check --exact: its git merge-tree keeps freed memory too' '
	gp "check --exact" &&
	grep "^merge-tree " env.log &&
	! grep -v " glibc\.malloc\.hugetlb=1:glibc\.malloc\.mmap_threshold=67108864:glibc\.malloc\.trim_threshold=268435456:glibc\.malloc\.top_pad=16777216\$" env.log &&
	gp "check --exact" GLIBC_TUNABLES=glibc.malloc.arena_max=1 &&
	grep "^merge-tree " env.log &&
	! grep -v " glibc\.malloc\.arena_max=1\$" env.log
'

# /proc/<pid>/environ: the environment a process was started with (glibc
# cuts GLIBC_TUNABLES there at its first ':' as it reads it)
test_expect_success GLIBC,NOT_VALGRIND 'merge and check start again with huge pages; the environment is put back' '
	test -r /proc/self/environ &&
	for cmd in merge "check --exact"
	do
		gp "$cmd" &&
		grep "^merge-tree " tuned.log &&
		! grep -v " unset\$" tuned.log &&
		grep "^started glibc\.malloc\.hugetlb=1" started.log &&
		! grep -v "^started glibc\.malloc\.hugetlb=1" started.log ||
		return 1
	done &&
	gp merge GIT_PARALLEL_NO_MALLOC_TUNING=1 &&
	same_as_loop &&
	test_must_be_empty started.log &&
	gp merge GLIBC_TUNABLES=glibc.malloc.arena_max=1 &&
	same_as_loop &&
	grep "^started glibc\.malloc\.arena_max=1\$" started.log &&
	! grep -v "^started glibc\.malloc\.arena_max=1\$" started.log
'

# the heap of a plain check is small: it is not started again; nor is
# anything where the kernel gives no transparent huge pages (the file
# /sys/kernel/mm/transparent_hugepage/enabled says "[never]", or is missing)
test_expect_success GLIBC,NOT_VALGRIND 'started again only for merge and check --exact, where huge pages are given' '
	test -r /proc/self/environ &&
	hook="sh \"$TRASH_DIRECTORY/environ.sh\" \$PPID" &&
	for cmd in check "check --json" "check --no-uncommitted T4" "check -jU"
	do
		gp "$cmd" GIT_PARALLEL_TEST_HOOK_CHECK_MEASURED="$hook" &&
		echo ran >expect && test_cmp expect hook.log &&
		test_must_be_empty started.log ||
		return 1
	done &&
	for cmd in "check --exact" "check -jx" "check --exa" "check -U --exact S1 S2"
	do
		for thp in madvise always
		do
			gp "$cmd" GIT_PARALLEL_TEST_HOOK_CHECK_MEASURED="$hook" \
				GIT_PARALLEL_TEST_THP_ENABLED="$TRASH_DIRECTORY/thp-$thp" &&
			echo ran >expect && test_cmp expect hook.log &&
			grep "^started glibc\.malloc\.hugetlb=1" started.log || return 1
		done
	done &&
	for thp in thp-never no-such-file
	do
		gp "check --exact" GIT_PARALLEL_TEST_HOOK_CHECK_MEASURED="$hook" \
			GIT_PARALLEL_TEST_THP_ENABLED="$TRASH_DIRECTORY/$thp" &&
		echo ran >expect && test_cmp expect hook.log &&
		test_must_be_empty started.log &&
		gp merge GIT_PARALLEL_TEST_THP_ENABLED="$TRASH_DIRECTORY/$thp" &&
		same_as_loop &&
		grep "^merge-tree " tuned.log &&
		test_must_be_empty started.log ||
		return 1
	done
'

test_done
