#!/bin/sh

test_description='plan: struck-out items and links relative to the task file (spec-kit lists in specs/NNN/)'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/plan.sh"

test_expect_success 'setup' '
	new_repo repo &&
	write_expect_plan
'

test_expect_success 'a whole item struck out is listed, not run; depending on it warns' '
	cat >repo/struck.md <<-\EOF &&
	- [ ] ~~T074 [P] [US4] Create DataItemService in `backend/app/services/data_item_service.py`~~
	- [ ] T075 [US4] Create the tool (depends on T074)
	- [ ] T076 Keep ~~old~~ new naming in src/x.py
	EOF
	plan_json struck.md &&
	grep "T075.*T074.*struck out" err &&
	expect_plan struck.md <<-\EOF
	ids()	T074 T075 T076
	status("T074")	struck out
	title("T074")	Create DataItemService in `backend/app/services/data_item_service.py`
	task("T074")["cancelled"]	True
	task("T074")["story"]	US4
	status("T076")	todo
	EOF
'

test_expect_success 'a link target with ../ or ./ is relative to the task file' '
	mkdir -p repo/specs/002-pay &&
	cat >repo/specs/002-pay/tasks.md <<-\EOF &&
	- [x] T001 Install the SDK
	  → Artifacts: [package.json](../../package.json), [notes](./notes.md)
	- [ ] T002 Types in [payment.ts](../../types/payment.ts), not [x](../../../../etc/passwd)
	EOF
	plan_json specs/002-pay/tasks.md &&
	grep "task .T002.: ignoring path .*etc/passwd. (path outside the repository)" err &&
	expect_plan tasks.md <<-\EOF
	paths("T001")	["package.json", "specs/002-pay/notes.md"]
	paths("T002")	["types/payment.ts"]
	EOF
'

test_expect_success 'from a subdirectory too' '
	(cd repo/specs && git parallel plan --json 002-pay/tasks.md >../../sub.json 2>../../err) &&
	expect_plan sub <<-\EOF
	paths("T002")	["types/payment.ts"]
	EOF
'

test_done
