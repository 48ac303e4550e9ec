#!/bin/sh

test_description='merge asks one git merge-tree --stdin for many merges

git is asked through two git merge-tree --write-tree --stdin processes
(one for confirmations in the background, one for answers waited for),
under stdbuf -o0 (git 2.39 does not flush its answers).  The same
results as a git merge-tree per merge: a wrong answer still overturns a
guess; a --stdin git that is killed, or dies on one merge, leaves every
merge it did not answer to a git merge-tree of its own (a warning); with
no stdbuf, a git merge-tree per merge.  Oracle: a git merge-tree
--write-tree + commit-tree loop over the same tasks.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/merge.sh"

# The first answer (a merge of a commit with itself) is waited for 10 s,
# then merge asks git merge by merge; here it comes through a shell
# wrapper and a python filter, which a machine loaded 30 deep started in
# more than 10 s: these tests are about the --stdin process, so it gets
# all the time it needs
GIT_PARALLEL_TEST_MERGE_TREE_PROBE_MS=600000
export GIT_PARALLEL_TEST_MERGE_TREE_PROBE_MS

# The criss-cross of t4124: S1 merged from the first base (git confirms in
# the background), S2 where the bases differ (git asked), S3 a conflict.
test_expect_success 'setup: a criss-cross history and three tasks' '
	crisscross_repo repo &&
	criss_task repo parallel/S1 "s/^17\$/S1/" a.txt &&
	criss_task repo parallel/S2 "s/^x2\$/S2/" b.txt &&
	criss_task repo parallel/S3 "s/^3\$/S3/" a.txt &&
	(
		cd repo &&
		sed -i s/^3\$/main3/ a.txt && git commit -q -am main3
	) &&
	done_tasks repo tasks.ini S1 S2 S3 &&
	loop_oracle repo tasks.ini &&
	cp -R repo pristine &&
	real=$(command -v git) &&
	echo "$real" >real.path &&
	mkdir bin
'

# a git (bin/git) that logs each merge-tree as "merge-tree <args>", and for
# a --stdin one each merge it reads as "line <ours> <theirs>", forwarding
# at most $GP_LINES of them (then git ends and the wrapper is killed, or
# exits with $GP_EXIT); with $GP_FILTER, git's answers go through it
write_git () {
	cat >bin/git <<-EOF &&
	#!/bin/sh
	case " \$* " in
	*" merge-tree "*" --stdin "*)
		echo "merge-tree \$*" >>"$TRASH_DIRECTORY/mt.log"
		n=0
		while read -r a b
		do
			n=\$((n + 1))
			test -n "\$GP_LINES" && test \$n -gt "\$GP_LINES" && break
			echo "line \$a \$b" >>"$TRASH_DIRECTORY/mt.log"
			echo "\$a \$b"
		done | if test -n "\$GP_FILTER"
		then
			"$(cat real.path)" "\$@" | python3 -u "\$GP_FILTER"
		else
			"$(cat real.path)" "\$@"
		fi
		test -z "\$GP_EXIT" || exit "\$GP_EXIT"
		test -z "\$GP_LINES" || kill -9 \$\$
		exit 0 ;;
	*" merge-tree "*)
		echo "merge-tree \$*" >>"$TRASH_DIRECTORY/mt.log" ;;
	esac
	exec "$(cat real.path)" "\$@"
	EOF
	chmod +x bin/git
}

# gp_merge [env...]: merge in a fresh copy of the repository, through bin/git
gp_merge () {
	rm -f mt.log m.log && : >mt.log &&
	wrapped_gp merge GIT_PARALLEL_TEST_MERGE_LOG="$TRASH_DIRECTORY/m.log" "$@"
}

test_expect_success 'one git merge-tree --stdin for confirmations, one for answers' '
	write_git &&
	gp_merge &&
	same_as_loop &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	S1 bases=2 git=background rc=0
	S2 bases=2 git=asked rc=0
	S3 bases=2 git=asked rc=1
	EOF
	sed "s/ [0-9.]* ms$//" m.log >actual &&
	test_cmp expect actual &&
	# two processes, each first merging a commit with itself (it answers at once)
	test $(grep -c "^merge-tree" mt.log) = 2 &&
	test $(grep -c "^merge-tree .*--stdin" mt.log) = 2 &&
	awk "\$1 == \"line\" && \$2 == \$3" mt.log >probes &&
	test_line_count = 2 probes &&
	awk "\$1 == \"line\" && \$2 != \$3 { print \$2, \$3 }" mt.log | sort >pairs &&
	test_line_count = 3 pairs &&
	sort -u pairs >pairs.u && test_cmp pairs pairs.u
'

# clean answers name the root commit's tree: S1's speculated tree is not
# what git says, so the loop runs again and takes git's answers
test_expect_success 'a wrong answer through --stdin overturns the guess' '
	fake=$(git -C pristine rev-parse "main~3^{tree}") &&
	cat >fake.py <<-EOF &&
	import os
	fake = b"$fake"
	buf = b""
	fields = []	# the current answer, up to its end
	def ended(f):
	    if len(f) < 3:
	        return False
	    if f[0] == b"1":
	        return True
	    i = 2
	    while i < len(f) and f[i]:	# paths
	        i += 1
	    i += 1
	    while i < len(f):	# messages
	        if not f[i]:
	            return True
	        i += int(f[i]) + 3
	    return False
	while True:
	    got = os.read(0, 65536)
	    if not got:
	        break
	    buf += got
	    while b"\0" in buf:
	        field, buf = buf.split(b"\0", 1)
	        fields.append(field)
	        if len(fields) == 2 and fields[0] == b"1":
	            fields[1] = fake
	        if ended(fields):
	            os.write(1, b"\0".join(fields) + b"\0")
	            fields = []
	EOF
	write_git &&
	gp_merge GP_FILTER="$TRASH_DIRECTORY/fake.py" &&
	cat >expect <<-\EOF &&
	S1 bases=2 git=background rc=0
	S2 bases=2 git=asked rc=0
	S3 bases=2 git=asked rc=0
	S1 bases=2 git=asked rc=0
	S2 bases=2 git=asked rc=1
	S3 bases=2 git=asked rc=0
	EOF
	sed "s/ [0-9.]* ms$//" m.log >actual &&
	test_cmp expect actual &&
	s1=$(sed -n "s/^S1  *merged  *\([0-9a-f]*\) .*/\1/p" out) &&
	echo "$fake" >expect &&
	git -C repo rev-parse "$s1^{tree}" >actual &&
	test_cmp expect actual
'

# git's answers after the first (the check that it answers) lose their
# last NUL: a part of an answer and then nothing is not waited for forever
test_expect_success 'an answer that never ends: each merge asked alone, the same merge' '
	cat >cut.py <<-\EOF &&
	import os
	buf = b""
	n = 0
	while True:
	    got = os.read(0, 65536)
	    if not got:
	        break
	    buf += got
	    # a clean answer: 1 NUL tree NUL NUL; else let it through whole
	    while buf.count(b"\0") >= 3 and buf.startswith(b"1\0"):
	        end = buf.index(b"\0", 2) + 2
	        n += 1
	        os.write(1, buf[:end] if n == 1 else buf[:end - 1])
	        buf = buf[end:]
	    if buf and not buf.startswith(b"1\0"):
	        os.write(1, buf)
	        buf = b""
	EOF
	write_git &&
	gp_merge GP_FILTER="$TRASH_DIRECTORY/cut.py" GIT_PARALLEL_TEST_MERGE_TREE_STALL_MS=300 &&
	same_as_loop &&
	grep "warning: cannot read git merge-tree --stdin.s answer for" err &&
	grep "^merge-tree .*--write-tree --name-only -z [0-9a-f]* [0-9a-f]*$" mt.log >alone &&
	test_line_count -ge 1 alone
'

# merge-ort prints advice after a submodule conflict, a text with no NUL
# of its own before the one that ends the answer
test_expect_success 'a submodule conflict through --stdin: git'"'"'s answer, read whole' '
	new_repo super &&
	(
		cd super &&
		test_seq 1 20 >f &&
		git update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,sub &&
		git add f && git commit -q -m sub &&
		printf "[task \"A\"]\n\ttitle = a\n\tcommand = true\n[task \"B\"]\n\ttitle = b\n\tcommand = true\n" >../subtasks.ini &&
		git parallel plan ../subtasks.ini >/dev/null &&
		git checkout -q -b parallel/A main &&
		git update-index --cacheinfo 160000,2222222222222222222222222222222222222222,sub &&
		git commit -q -m A &&
		git checkout -q -b parallel/B main &&
		git update-index --cacheinfo 160000,3333333333333333333333333333333333333333,sub &&
		sed -i s/^5\$/five/ f && git commit -q -am B &&
		git checkout -q main
	) &&
	done_states super &&
	printf "%s %s\n" $(git -C super rev-parse parallel/A parallel/B) |
		git -C super merge-tree --write-tree --stdin >mt.out &&
	grep "Recursive merging with submodules" mt.out &&
	rm -f mt.log && : >mt.log &&
	(cd super && env PATH="$TRASH_DIRECTORY/bin:$PATH" GIT_PARALLEL_TEST_MERGE_TREE_STALL_MS=60000 \
		git-parallel merge >../out 2>../err; echo $? >../rc) &&
	echo 1 >expect && test_cmp expect rc &&
	grep "^A  *merged" out &&
	grep "^B  *conflict" out &&
	grep -e "--stdin" mt.log &&
	test_must_be_empty err
'

test_expect_success 'a --stdin git killed before answering: each merge asked alone, the same merge' '
	write_git &&
	gp_merge GP_LINES=1 &&
	same_as_loop &&
	grep "warning: git merge-tree --stdin was killed by signal 9 before answering" err &&
	# every merge it did not answer went to a git merge-tree of its own
	grep "^merge-tree .*--write-tree --name-only -z [0-9a-f]* [0-9a-f]*$" mt.log >alone &&
	test_line_count = 3 alone
'

test_expect_success 'a --stdin git that dies on a merge: the others asked alone' '
	write_git &&
	gp_merge GP_LINES=1 GP_EXIT=128 &&
	same_as_loop &&
	grep "warning: git merge-tree --stdin exited with 128 before answering" err &&
	grep "^merge-tree .*--write-tree --name-only -z [0-9a-f]* [0-9a-f]*$" mt.log >alone &&
	test_line_count = 3 alone
'

test_expect_success 'no stdbuf, or GIT_PARALLEL_TEST_MERGE_TREE_STDIN=0: a git merge-tree per merge' '
	write_git &&
	printf "#!/bin/sh\nexit 127\n" >bin/stdbuf && chmod +x bin/stdbuf &&
	gp_merge &&
	same_as_loop &&
	test_must_be_empty err &&
	! grep -e "--stdin" mt.log &&
	test_line_count = 3 mt.log &&
	rm bin/stdbuf &&
	gp_merge GIT_PARALLEL_TEST_MERGE_TREE_STDIN=0 &&
	same_as_loop &&
	! grep -e "--stdin" mt.log &&
	test_line_count = 3 mt.log
'

test_done
