#!/bin/sh

test_description='git parallel run: parallel.retry-on turns a rate-limited failure into a pool-wide backoff'

. ./test-lib.sh

# An agent rate limited on its first $(limit) attempts: it prints a 429 and
# fails, then does its work.  Each start and each 429 is timed in "times".
test_expect_success 'setup: a rate-limited fake agent' '
	cat >agent.sh <<-\EOF &&
	#!/bin/sh
	id=$GIT_PARALLEL_TASK_ID
	t=$TRASH_DIRECTORY
	n=$(cat "$t/count.$id" 2>/dev/null || echo 0)
	echo $((n + 1)) >"$t/count.$id"
	echo "$id start $(date +%s.%N)" >>"$t/times"
	limit=$(sed -n "s/^$id \([0-9]*\).*/\1/p" "$t/limits")
	if test "$n" -lt "${limit:-0}"
	then
		echo "calling the model"
		echo "error: 429 Too Many Requests" >&2
		echo "$id limited $(date +%s.%N)" >>"$t/times"
		exit 1
	fi
	grep -q "^$id .* then-fail" "$t/limits" && { echo "some other error"; exit 2; }
	# AGENT_AFTER: finish only once run has printed that line (a bound only a hang hits)
	n=0
	while test -n "$AGENT_AFTER" && ! grep -q "$AGENT_AFTER" "$t/err" 2>/dev/null
	do
		n=$((n + 1)) && test $n -lt 3000 || exit 3
		sleep 0.05
	done
	echo "$id was here" >>"$id.txt"
	echo "$id end $(date +%s.%N)" >>"$t/times"
	EOF
	chmod +x agent.sh
'

# mkrepo <dir> <ids>...: planned tasks <id> writing <id>.txt.
mkrepo () {
	dir=$1 && shift &&
	new_repo "$dir" &&
	for id in "$@"
	do
		echo "- [ ] $id [P] Edit $id.txt" >>"$dir/tasks.md" || return 1
	done &&
	cat >"$dir/.gitparallel" <<-EOF &&
	[parallel]
		tasks = tasks.md
		command = "$TRASH_DIRECTORY/agent.sh"
		retries = 0
		retry-on = 429|rate limit|overloaded
		backoff-base = 0.1s
		backoff-max = 0.2s
	EOF
	git -C "$dir" add . && git -C "$dir" commit -q -m tasks &&
	(cd "$dir" && git parallel plan >/dev/null) &&
	rm -f count.* times limits && touch limits
}

test_expect_success 'a 429 twice, then success: done, no retry consumed (retries = 0)' '
	mkrepo one T1 &&
	echo "T1 2" >limits &&
	(cd one && git parallel run >../out 2>../err) &&
	cat err &&
	grep "T1 rate limited (its log matches parallel.retry-on); the pool pauses for .* (backoff 1 of 10)" err &&
	grep "(backoff 2 of 10)" err &&
	grep "T1 done" err &&
	grep "1 done" out &&
	# the summary shows the wait; its lower bound is checked below, no upper
	# one (a loaded machine pauses longer than asked)
	grep "^wall .*, wait time [0-9][0-9.]*s$" out &&
	(cd one && git parallel status --json) >st.json &&
	json_get st.json "[d[\"tasks\"][0][k] for k in (\"state\", \"attempts\")]" >actual &&
	echo "[\"done\", 3]" >expect && test_cmp expect actual &&
	json_get st.json "d[\"tasks\"][0][\"wait_time\"] >= 0.1" >actual &&
	echo True >expect && test_cmp expect actual &&
	git -C one show parallel/T1:T1.txt >actual &&
	echo "T1 was here" >expect && test_cmp expect actual
'

test_expect_success 'without retry-on the same agent fails at once' '
	mkrepo plain T1 &&
	git -C plain config -f .gitparallel --unset parallel.retry-on &&
	echo "T1 2" >limits &&
	(cd plain && test_expect_code 1 git parallel run >../out 2>../err) &&
	grep "T1 exit 1 after" err &&
	! grep "rate limited" err
'

test_expect_success 'a failure whose log does not match is an ordinary failure' '
	mkrepo other T1 &&
	git -C other config -f .gitparallel parallel.retry-on "quota exceeded" &&
	echo "T1 2" >limits &&
	(cd other && test_expect_code 1 git parallel run >../out 2>../err) &&
	! grep "rate limited" err
'

test_expect_success 'only the last attempt counts: an earlier 429 in the log does not make a later failure a backoff' '
	mkrepo later T1 &&
	echo "T1 1 then-fail" >limits &&
	(cd later && test_expect_code 1 git parallel run >../out 2>../err) &&
	grep "(backoff 1 of 10)" err &&
	grep "T1 exit 2 after" err &&
	grep "429" "$(state_dir later)/logs/T1.log" &&
	echo 2 >expect && test_cmp expect count.T1
'

test_expect_success 'past parallel.max-backoffs the failure counts as one' '
	mkrepo capped T1 &&
	git -C capped config -f .gitparallel parallel.max-backoffs 1 &&
	echo "T1 5" >limits &&
	(cd capped && test_expect_code 1 git parallel run >../out 2>../err) &&
	cat err &&
	grep "(backoff 1 of 1)" err &&
	grep "T1 exit 1 after .*; rate limited 1 times (parallel.max-backoffs)" err &&
	echo 2 >expect && test_cmp expect count.T1
'

test_expect_success 'the whole pool pauses: a free slot stays empty until the backoff ends' '
	mkrepo pool T1 T2 T3 &&
	git -C pool config -f .gitparallel parallel.backoff-base 8s &&
	git -C pool config -f .gitparallel parallel.backoff-max 8s &&
	echo "T1 1" >limits &&
	# T2 holds its slot until run has begun the pause (an event, not a time);
	# T3 waits for a slot, which frees during the pause once run has reaped
	# T2 and committed its work: the pause is long enough for that on a
	# machine loaded 16 deep (T2 took 2.3 s of bookkeeping there, past
	# a 4 s pause jittered to 3 s)
	(cd pool && AGENT_AFTER="T1 rate limited" git parallel run -j 2 >../out 2>../err) &&
	cat err times &&
	grep "3 done" out &&
	grep "T3 waiting: backoff: a task was rate limited; the pool pauses for" err &&
	limited=$(sed -n "s/^T1 limited //p" times) &&
	t3=$(sed -n "s/^T3 start //p" times) &&
	t1again=$(sed -n "s/^T1 start //p" times | tail -1) &&
	t2end=$(sed -n "s/^T2 end //p" times) &&
	# the pause is 4-8 s (8 s, jittered down to half at most); T2 ends within it
	python3 -c "import sys; l, a, b, e = map(float, sys.argv[1:]); assert a - l >= 4.0 and b - l >= 4.0 and l <= e <= a, (a - l, b - l, e - l)" \
		"$limited" "$t3" "$t1again" "$t2end"
'

# T1 waited the whole pause (>= 4 s from its limit, however loaded the
# machine); T3 waited, from the moment T2's slot was free until run started
# T3: never longer than from T2's end to T3's start, both on run's own clock
# (T2's "finished" and T3's "started" in their states; all three rounded to
# the millisecond).  No lower bound for T3: T2's slot frees only once run
# has committed T2's work, after its "finished" (1.1 s later, once, on a
# machine loaded 25 deep).
test_expect_success 'report counts the backoff as waiting, per task and in total' '
	(cd pool && git parallel report --format=json) >rep.json &&
	t2end=$(sed -n "s/^	finished = //p" "$(state_dir pool)/tasks/T2") &&
	t3=$(sed -n "s/^	started = //p" "$(state_dir pool)/tasks/T3") &&
	test -n "$t2end" && test -n "$t3" &&
	json_get rep.json "d[\"totals\"][\"wait_time\"] >= 3.9 and d[\"tasks\"][0][\"wait_time\"] >= 3.9 and d[\"tasks\"][2][\"wait_time\"] > 0 and d[\"tasks\"][2][\"wait_time\"] <= $t3 - $t2end + 0.002" >actual &&
	echo True >expect && test_cmp expect actual &&
	(cd pool && git parallel report) >rep.txt &&
	grep "wait time [0-9.]*[1-9]" rep.txt
'

test_expect_success 'a bad retry-on pattern is an error naming file:line' '
	printf "[parallel]\n\tretry-on = (unclosed\n" >bad.ini &&
	(cd one && test_expect_code 128 git parallel --config ../bad.ini run >../out 2>../err) &&
	grep "bad.ini:2: bad regular expression .(unclosed. for .parallel.retry-on.: missing closing parenthesis" err
'

test_done
