#!/bin/sh

test_description='plan: reduced cases from real task lists it had never seen (issue 13 hardening)'

. ./test-lib.sh

# ids <json>: the task IDs, in order
ids () {
	json_get "$1" "\" \".join(t[\"id\"] for t in d[\"tasks\"])"
}

# paths <json> <id>: the task's declared paths
paths () {
	json_get "$1" "[t for t in d[\"tasks\"] if t[\"id\"] == \"$2\"][0][\"paths\"]"
}

test_expect_success 'setup' '
	new_repo repo
'

test_expect_success 'route variables in braces and remote branches are not paths; alternatives still are' '
	cat >repo/routes.md <<-\EOF &&
	- [ ] T022 [US1] Update GET /api/{user_id}/tasks to return due dates in src/api/tasks.py
	- [ ] T049 [US1] Implement GET /api/restaurants/{placeId} in RestaurantsController.cs
	- [ ] T050 Add the endpoint `/defi/timeline/{address}` in app/defi.py
	- [ ] T051 Split src/api/{a,b}/index.ts
	- [ ] T052 Rebase `origin/main` onto `upstream/release-2` and fix src/merge.py
	EOF
	(cd repo && git parallel plan --json routes.md >../routes.json 2>../err) &&
	paths routes.json T022 >actual &&
	echo "[\"src/api/tasks.py\"]" >expect &&
	test_cmp expect actual &&
	paths routes.json T049 >actual &&
	echo "[\"RestaurantsController.cs\"]" >expect &&
	test_cmp expect actual &&
	paths routes.json T050 >actual &&
	echo "[\"app/defi.py\"]" >expect &&
	test_cmp expect actual &&
	paths routes.json T051 >actual &&
	echo "[\"src/api/a/index.ts\", \"src/api/b/index.ts\"]" >expect &&
	test_cmp expect actual &&
	paths routes.json T052 >actual &&
	echo "[\"src/merge.py\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a file without checklists is not said to have acceptance criteria' '
	cat >repo/nobox.md <<-\EOF &&
	# Plan

	## Testing Strategy

	### 1. **Unit Test Refactoring**

	All unit tests move to the new fixtures.

	### 2. Integration tests
	EOF
	(cd repo && test_must_fail git parallel plan nobox.md >out 2>../err) &&
	! grep "acceptance criteria" err &&
	grep "^warning: nobox.md:5: no checklist items, but headings that start with an ID" err &&
	grep "^fatal: no tasks found in .nobox.md." err
'

test_expect_success 'a priority label several items share is not their ID' '
	cat >repo/prio.md <<-\EOF &&
	## Next

	- [ ] P2 Add automated task maintenance in scripts/maint.mjs

	## Later

	- [ ] P3 Add JSON schema validation in schema/config.json
	- [ ] P3 Add examples in examples/README.md

	## Done

	- [x] P0 Align the repository
	- [x] P0 Refresh the diagrams
	EOF
	(cd repo && git parallel plan --json prio.md >../prio.json 2>../err) &&
	test_must_be_empty err &&
	ids prio.json >actual &&
	echo "L3 L7 L8 L12 L13" >expect &&
	test_cmp expect actual &&
	json_get prio.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"L8\"][0][\"title\"]" >actual &&
	echo "P3 Add examples in examples/README.md" >expect &&
	test_cmp expect actual &&
	printf "%s\n" "- [ ] P1 Set up the repo" "- [ ] P2 Build it" >repo/prio2.md &&
	(cd repo && git parallel plan --json prio2.md >../prio2.json) &&
	ids prio2.json >actual &&
	echo "P1 P2" >expect &&
	test_cmp expect actual
'

test_expect_success 'priority-numbered IDs: P0-1, M2-3' '
	cat >repo/pn.md <<-\EOF &&
	- [x] **P0-1**: `searcher.py` drop the dead check
	- [ ] **P0-2**: `projection.py` retry failed syncs
	- [ ] M2-3 Ship the exporter in src/export.py
	EOF
	(cd repo && git parallel plan --json pn.md >../pn.json 2>../err) &&
	test_must_be_empty err &&
	ids pn.json >actual &&
	echo "P0-1 P0-2 M2-3" >expect &&
	test_cmp expect actual &&
	json_get pn.json "[t for t in d[\"tasks\"] if t[\"id\"] == \"P0-2\"][0][\"title\"]" >actual &&
	echo "\`projection.py\` retry failed syncs" >expect &&
	test_cmp expect actual
'

test_expect_success 'a task table without boxes: an id column, a dependency column, status marks' '
	cat >repo/specd.md <<-\EOF &&
	# Tasks

	| id | role | files | depends-on | verify | context |
	|---|---|---|---|---|---|
	| \342\234\205 T1 | scout | internal/cmd,internal/core | - | go build ./... | read the handshake code paths |
	| T2 | craftsman | internal/core/session.go, internal/cmd/session.go | T1 | go test ./internal/core -run X | see docs/analysis.md for the session spine |
	| T3 | craftsman | internal/cmd/drive.go, ../../tsconfig.base.json | T1, T2 | rm -rf ../x | the drive command |
	| \360\237\224\222 T4 | auditor | docs/ | T3 | - | a mark plan does not know |

	| ID | Requirement | Priority |
	|----|-------------|----------|
	| R1 | Sessions persist | high |
	EOF
	printf "$(cat repo/specd.md)\n" >repo/specd2.md &&
	(cd repo && git parallel plan --json specd2.md >../specd.json 2>../err) &&
	grep "^warning: specd2.md:8: task .T4.: unknown status mark" err &&
	grep "^warning: specd2.md:7: task .T3.: ignoring path .\.\./\.\./tsconfig\.base\.json. (path outside the repository)" err &&
	test_line_count = 2 err &&
	json_get specd.json "[[t[\"id\"], t[\"status\"], t[\"paths\"], [x[\"id\"] for x in t[\"depends\"] if x[\"reason\"] == \"depends\"], t[\"title\"]] for t in d[\"tasks\"]]" >actual &&
	cat >expect <<-\EOF &&
	[["T1", "done", ["internal/cmd", "internal/core"], [], "read the handshake code paths"], ["T2", "todo", ["internal/core/session.go", "internal/cmd/session.go"], [], "see docs/analysis.md for the session spine"], ["T3", "todo", ["internal/cmd/drive.go"], ["T2"], "the drive command"]]
	EOF
	test_cmp expect actual
'

test_expect_success 'a duplicate ID done in one place and not in the other says so' '
	cat >repo/dupdone.md <<-\EOF &&
	## Pending
	- [ ] Task 1.2: Create the schemas
	- [ ] Task 1.3: Create the app
	## Completed
	- [x] Task 1.2: Schemas exist already
	EOF
	(cd repo && test_must_fail git parallel plan dupdone.md 2>../err) &&
	grep "^fatal: duplicate task ID .1.2. (dupdone.md:2 and dupdone.md:5), one done and one not: delete the stale copy or renumber one$" err
'

test_expect_success 'a quantity after "after" is not a task: "after 30 days"' '
	cat >repo/qty.md <<-\EOF &&
	- [ ] 2. Store the files
	  - [ ] 2.5 Upload in src/upload.ts
	- [ ] 4. Lifecycle
	  - [ ] 4.2 Configure S3 lifecycle policies in infra/s3.tf
	    - Delete code files after 2 days, move reports after 2.5 weeks
	    - Retry after 3 attempts
	- [ ] 5. Clean up after 2 in src/clean.ts
	EOF
	(cd repo && git parallel plan --json qty.md >../qty.json 2>../err) &&
	test_must_be_empty err &&
	json_get qty.json "[[t[\"id\"], [x[\"id\"] for x in t[\"depends\"] if x[\"reason\"] == \"depends\"]] for t in d[\"tasks\"] if t[\"id\"] in (\"4.2\", \"5\")]" >actual &&
	echo "[[\"4.2\", []], [\"5\", [\"2.5\"]]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a title all in bold is the title; a task table without a title column shows its files' '
	cat >repo/bold.md <<-\EOF &&
	### 1.1 Project setup
	- [ ] **Set up the project**
	  - Node 18, directories, .gitignore
	- [ ] **Vite** and **Electron** builder config
	EOF
	(cd repo && git parallel plan --json bold.md >../bold.json 2>/dev/null) &&
	json_get bold.json "[t[\"title\"] for t in d[\"tasks\"]]" >actual &&
	echo "[\"Set up the project\", \"**Vite** and **Electron** builder config\"]" >expect &&
	test_cmp expect actual &&
	cat >repo/notitle.md <<-\EOF &&
	| id | role | files | depends-on | verify | refs |
	|---|---|---|---|---|---|
	| T1 | craftsman | tools/gendocs/main.go, docs/ref.md | - | go run ./tools/gendocs | R1.1 |
	EOF
	(cd repo && git parallel plan --json notitle.md >../notitle.json) &&
	json_get notitle.json "[t[\"title\"] for t in d[\"tasks\"]]" >actual &&
	echo "[\"tools/gendocs/main.go, docs/ref.md\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a list without boxes: the error says why it has no tasks' '
	cat >repo/plain.md <<-\EOF &&
	# Tasks

	## Agent

	- Build the first persisted worker runtime.
	- Extend the approval boundary.
	EOF
	(cd repo && test_must_fail git parallel plan plain.md 2>../err) &&
	grep "^warning: plain.md:5: no checklist items; list items without a box (.- text.) are not tasks: write .- \[ \] text. to plan one$" err &&
	grep "^fatal: no tasks found in .plain.md." err
'

test_expect_success '"[P1]" after an ID is a priority, not a story' '
	cat >repo/prio3.md <<-\EOF &&
	- [ ] T001 [P0] Create project structure
	- [ ] T003 [P] [P1] Configure development tools
	- [ ] T005 [P] [P0] [US1] Implement core feature 2 in src/b.py
	EOF
	(cd repo && git parallel plan --json prio3.md >../prio3.json) &&
	json_get prio3.json "[[t[\"id\"], t[\"story\"], t[\"parallel\"], t[\"title\"]] for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T001\", null, false, \"Create project structure\"], [\"T003\", null, true, \"Configure development tools\"], [\"T005\", \"US1\", true, \"Implement core feature 2 in src/b.py\"]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'E2E, S3, HTML5 start titles, they are not IDs; a priority column is no ID row' '
	cat >repo/tech.md <<-\EOF &&
	- [ ] E2E tests with Playwright in e2e/app.spec.ts
	- [ ] E2E build permission denied
	- [ ] S3 bucket for uploads in infra/s3.tf
	- [ ] HTML5 video player
	- [ ] T010 Real task

	| Skill | Description | Priority |
	|-------|-------------|----------|
	| **tdd** | Define test cases first | P0 |
	EOF
	(cd repo && git parallel plan --json tech.md >../tech.json 2>../err) &&
	test_must_be_empty err &&
	ids tech.json >actual &&
	echo "L1 L2 L3 L4 T010" >expect &&
	test_cmp expect actual &&
	json_get tech.json "d[\"tasks\"][0][\"title\"]" >actual &&
	echo "E2E tests with Playwright in e2e/app.spec.ts" >expect &&
	test_cmp expect actual
'

test_expect_success 'numbered feature headings without checklists under them do not make the criteria hint' '
	cat >repo/feat.md <<-\EOF &&
	## Core Features

	### 1. File Handling
	Open files from the picker.

	### 2. Rendering
	Render with the markdown widget.

	## Development Phases

	### Phase 1: Core Foundation
	- [ ] Project setup and dependencies
	- [ ] Basic file picker integration
	EOF
	(cd repo && git parallel plan feat.md >/dev/null 2>../err) &&
	test_must_be_empty err &&
	cat >repo/taskhead.md <<-\EOF &&
	## Progress
	- [x] Core engine
	- [ ] API layer

	## Phase 1
	### Task 1.1: Fix requirements.txt
	- **Priority**: P0
	EOF
	(cd repo && git parallel plan taskhead.md >/dev/null 2>../err) &&
	grep "^warning: taskhead.md:6: the tasks seem to be headings" err
'

test_expect_success 'a task table: a status column gives the state; the dependency column orders the rows' '
	cat >repo/status.md <<-\EOF &&
	| ID | Task | Depends on | Status |
	|----|------|------------|--------|
	| T1 | Set up src/a.py | - | \342\234\205 Done |
	| T2 | Build src/b.py | T1 | in progress |
	| T3 | Test src/c.py | T1 | Not started |
	| T4 | Ship it | T2, T3 | Ready |
	| T5 | Docs in docs/x.md | - | |
	| T6 | More docs in docs/x.md | - | |
	EOF
	printf "$(cat repo/status.md)\n" >repo/status2.md &&
	(cd repo && git parallel plan --json status2.md >../status.json) &&
	json_get status.json "[[t[\"id\"], t[\"status\"]] for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T1\", \"done\"], [\"T2\", \"in progress\"], [\"T3\", \"todo\"], [\"T4\", \"marked [Ready]\"], [\"T5\", \"todo\"], [\"T6\", \"todo\"]]" >expect &&
	test_cmp expect actual &&
	json_get status.json "d[\"waves\"]" >actual &&
	echo "[[\"T3\", \"T5\"], [\"T6\"]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'dependency notes in a dependencies section order the tasks they name' '
	cat >repo/notes.md <<-\EOF &&
	## Phase 1

	- [ ] T011 [P] Create the service in src/service.py
	- [ ] T012 [P] Create the model in src/model.py
	- [ ] T013 [P] Create the CLI in src/cli.py
	- [ ] T014 [P] Create the docs in docs/cli.md

	## Dependencies

	- T013 depends on T011 completion
	- **T014**: should run after T011-T012
	- T012 and T011 can run in parallel after T099
	- T014 depends on T001-T099 of the old plan
	- Each CLI method depends on its service method
	EOF
	(cd repo && git parallel plan --json notes.md >../notes.json 2>../err) &&
	test_must_be_empty err &&
	json_get notes.json "[[t[\"id\"], [x[\"id\"] for x in t[\"depends\"] if x[\"reason\"] == \"depends\"]] for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T011\", []], [\"T012\", []], [\"T013\", [\"T011\"]], [\"T014\", [\"T011\", \"T012\", \"T013\"]]]" >expect &&
	test_cmp expect actual
'

test_done
