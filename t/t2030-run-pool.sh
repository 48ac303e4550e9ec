#!/bin/sh

test_description='git parallel run: 20 tasks on a pool of 4'

. ./test-lib.sh

test_expect_success 'setup: 20 tasks that sleep 0.2-1 s and write their files' '
	new_repo repo &&
	mkdir repo/src &&
	for i in $(test_seq 1 20)
	do
		echo "base $i" >repo/src/m$i.txt &&
		echo "- [ ] T$(printf %03d $i) [P] Update src/m$i.txt" >>repo/tasks.md || return 1
	done &&
	cat >repo/work.sh <<-\EOF &&
	#!/bin/sh
	n=$(printf "%s" "$GIT_PARALLEL_TASK_ID" | cksum | cut -d" " -f1)
	sleep "0.$(( n % 9 + 2 ))"
	echo "$GIT_PARALLEL_TASK_ID" >>"$GIT_PARALLEL_PATHS"
	EOF
	chmod +x repo/work.sh &&
	git -C repo add . && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.md >/dev/null)
'

test_expect_success 'run -j 4 runs all 20, never more than 4 at once, and keeps 4 busy' '
	(cd repo && git parallel run -j 4 --command "\"\$GIT_PARALLEL_WORKTREE/work.sh\"" >../out 2>../err) &&
	grep "20 done" out &&
	(cd repo && git parallel status --json) >status.json &&
	# the state files have the times to the millisecond
	for f in "$(state_dir repo)"/tasks/*; do
		sed -n "s/^	started = //p; s/^	finished = //p" "$f" | paste -sd" " || return 1
	done >intervals &&
	python3 - <<-\PY
	iv = [tuple(map(float, l.split())) for l in open("intervals")]
	assert len(iv) == 20, iv
	points = sorted([(s, 1) for s, e in iv] + [(e, -1) for s, e in iv], key=lambda p: (p[0], p[1]))
	cur = peak = 0
	for _, d in points:
	    cur += d; peak = max(peak, cur)
	assert peak == 4, "peak %d" % peak
	# no idle slot: a task that ends gives its slot to the next one in
	# the same pass, before the run waits again (for another task to end,
	# or its tick).  The order of the events says so whatever the load; a
	# time bound between a task'"'"'s end and the next start would measure the
	# commit and the worktree made between them, which a loaded machine
	# stretches past any bound (it failed at load 30).
	ev = [l.split()[:2] for l in open("err")]
	assert [k for _, k in ev].count("started") == 20, ev
	assert [k for _, k in ev].count("done") == 20, ev
	assert all(k == "started" for _, k in ev[:4]), ev
	for n in range(4, 4 + 2 * 16, 2):
	    assert ev[n][1] == "done" and ev[n + 1][1] == "started", "idle slot after %s: %s" % (ev[n], ev[n + 1])
	PY
'

test_expect_success 'every branch holds exactly its work; git accepts every worktree' '
	base=$(git -C repo rev-parse main) &&
	for i in $(test_seq 1 20)
	do
		id=T$(printf %03d $i) &&
		git -C repo diff --name-only $base parallel/$id >actual &&
		echo src/m$i.txt >expect &&
		test_cmp expect actual &&
		git -C repo show parallel/$id:src/m$i.txt >actual &&
		printf "base $i\n$id\n" >expect &&
		test_cmp expect actual &&
		git -C "$TRASH_DIRECTORY/repo.parallel/$id" status --porcelain >st &&
		test_must_be_empty st || return 1
	done &&
	git -C repo worktree list --porcelain | grep -c "^worktree " >actual &&
	echo 21 >expect && test_cmp expect actual &&
	git -C repo fsck --full
'

test_done
