#!/bin/sh

test_description='t/corpus-stats.sh prints what plan reads from each task file'

. ./test-lib.sh

test_expect_success 'figures for the corpus' '
	"$GP_TEST_DIR/corpus-stats.sh" "$GP_CORPUS" >out 2>err &&
	grep "^total: 19 files planned, 0 refused, 921 tasks, 874 IDs read, 47 L<line> fallbacks" out &&
	grep "SentimentAgent/specs/004-fix-the-cosmosdb/tasks.md *29 *18 *11 *32 *11 " out &&
	grep "specs/008-cross-platform-ui/tasks.md *121 *121 *0 *0 *121 " out &&
	grep "templates/tasks-template.md *34 *28 *6 " out
'

test_expect_success 'a file plan refuses is counted, with its error' '
	printf "%s\n" "- [ ] T001 a" "- [ ] T001 b" >dup.md &&
	printf "%s\n" "- [ ] 1. Group" "  - [ ] 1.1 a" "- [ ] T002 b (depends on 1)" >ok.md &&
	"$GP_TEST_DIR/corpus-stats.sh" dup.md ok.md >out 2>err &&
	grep "dup.md .* FAIL fatal: duplicate task ID .T001." out &&
	grep "ok.md *3 *3 *0 *1 *1 *0 ok" out &&
	grep "^total: 1 files planned, 1 refused, 3 tasks, 3 IDs read, 0 L<line> fallbacks (0%), 1 explicit dependencies" out
'

test_done
