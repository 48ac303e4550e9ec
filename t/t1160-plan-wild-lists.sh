#!/bin/sh

test_description='plan: reduced cases from real task lists it had never seen (issue 13 hardening)'

. ./test-lib.sh

# Each case writes a list, plans it (plan_json), then checks a table
# (expect_plan): one row per check, "<expression><TAB><expected>".  The
# expression is Python over the plan: d (the JSON), ids() (the IDs in
# order), task(id), paths(id), deps(id) (explicit dependencies, "depends"
# edges), title(id), status(id); lists print as JSON, the rest as is.

. "$GP_TEST_DIR/lib/plan.sh"

test_expect_success 'setup' '
	new_repo repo &&
	write_expect_plan
'

test_expect_success 'route variables in braces and remote branches are not paths; alternatives still are' '
	cat >repo/routes.md <<-\EOF &&
	- [ ] T022 [US1] Update GET /api/{user_id}/tasks to return due dates in src/api/tasks.py
	- [ ] T049 [US1] Implement GET /api/restaurants/{placeId} in RestaurantsController.cs
	- [ ] T050 Add the endpoint `/defi/timeline/{address}` in app/defi.py
	- [ ] T051 Split src/api/{a,b}/index.ts
	- [ ] T052 Rebase `origin/main` onto `upstream/release-2` and fix src/merge.py
	EOF
	plan_json routes.md &&
	expect_plan routes.md <<-\EOF
	paths("T022")	["src/api/tasks.py"]
	paths("T049")	["RestaurantsController.cs"]
	paths("T050")	["app/defi.py"]
	paths("T051")	["src/api/a/index.ts", "src/api/b/index.ts"]
	paths("T052")	["src/merge.py"]
	EOF
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
	plan_json prio.md &&
	test_must_be_empty err &&
	expect_plan prio.md <<-\EOF &&
	ids()	L3 L7 L8 L12 L13
	title("L8")	P3 Add examples in examples/README.md
	EOF
	printf "%s\n" "- [ ] P1 Set up the repo" "- [ ] P2 Build it" >repo/prio2.md &&
	plan_json prio2.md &&
	expect_plan prio2.md <<-\EOF
	ids()	P1 P2
	EOF
'

test_expect_success 'priority-numbered IDs: P0-1, M2-3' '
	cat >repo/pn.md <<-\EOF &&
	- [x] **P0-1**: `searcher.py` drop the dead check
	- [ ] **P0-2**: `projection.py` retry failed syncs
	- [ ] M2-3 Ship the exporter in src/export.py
	EOF
	plan_json pn.md &&
	test_must_be_empty err &&
	expect_plan pn.md <<-\EOF
	ids()	P0-1 P0-2 M2-3
	title("P0-2")	`projection.py` retry failed syncs
	EOF
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
	plan_json specd2.md &&
	grep "^warning: specd2.md:8: task .T4.: unknown status mark" err &&
	grep "^warning: specd2.md:7: task .T3.: ignoring path .\.\./\.\./tsconfig\.base\.json. (path outside the repository)" err &&
	test_line_count = 2 err &&
	expect_plan specd2.md <<-\EOF
	[[t["id"], t["status"], t["paths"], deps(t["id"]), t["title"]] for t in d["tasks"]]	[["T1", "done", ["internal/cmd", "internal/core"], [], "read the handshake code paths"], ["T2", "todo", ["internal/core/session.go", "internal/cmd/session.go"], [], "see docs/analysis.md for the session spine"], ["T3", "todo", ["internal/cmd/drive.go"], ["T2"], "the drive command"]]
	EOF
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

test_expect_success 'a quantity after "after" is not a task: "after 30 days", "after 20 reload cycles"' '
	cat >repo/qty.md <<-\EOF &&
	- [ ] 2. Store the files
	  - [ ] 2.5 Upload in src/upload.ts
	- [ ] 4. Lifecycle
	  - [ ] 4.2 Configure S3 lifecycle policies in infra/s3.tf
	    - Delete code files after 2 days, move reports after 2.5 weeks
	    - Retry after 3 attempts
	- [ ] 5. Clean up after 2 in src/clean.ts
	- [ ] 6. Soak test: no orphaned processes after 20 code reload cycles in src/soak.ts
	EOF
	plan_json qty.md &&
	test_must_be_empty err &&
	expect_plan qty.md <<-\EOF
	deps("4.2")	[]
	deps("5")	["2.5"]
	deps("6")	[]
	EOF
'

test_expect_success 'a title all in bold is the title; a task table without a title column shows its files' '
	cat >repo/bold.md <<-\EOF &&
	### Project setup
	- [ ] **Set up the project**
	  - Node 18, directories, .gitignore
	- [ ] **Vite** and **Electron** builder config
	EOF
	plan_json bold.md &&
	expect_plan bold.md <<-\EOF &&
	[t["title"] for t in d["tasks"]]	["Set up the project", "**Vite** and **Electron** builder config"]
	EOF
	cat >repo/notitle.md <<-\EOF &&
	| id | role | files | depends-on | verify | refs |
	|---|---|---|---|---|---|
	| T1 | craftsman | tools/gendocs/main.go, docs/ref.md | - | go run ./tools/gendocs | R1.1 |
	EOF
	plan_json notitle.md &&
	expect_plan notitle.md <<-\EOF
	[t["title"] for t in d["tasks"]]	["tools/gendocs/main.go, docs/ref.md"]
	EOF
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
	plan_json prio3.md &&
	expect_plan prio3.md <<-\EOF
	[[t["id"], t["story"], t["parallel"], t["title"]] for t in d["tasks"]]	[["T001", null, false, "Create project structure"], ["T003", null, true, "Configure development tools"], ["T005", "US1", true, "Implement core feature 2 in src/b.py"]]
	EOF
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
	plan_json tech.md &&
	test_must_be_empty err &&
	expect_plan tech.md <<-\EOF
	ids()	L1 L2 L3 L4 T010
	title("L1")	E2E tests with Playwright in e2e/app.spec.ts
	EOF
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
	plan_json status2.md &&
	expect_plan status2.md <<-\EOF
	[[t["id"], t["status"]] for t in d["tasks"]]	[["T1", "done"], ["T2", "in progress"], ["T3", "todo"], ["T4", "marked [Ready]"], ["T5", "todo"], ["T6", "todo"]]
	d["waves"]	[["T3", "T5"], ["T6"]]
	EOF
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
	plan_json notes.md &&
	test_must_be_empty err &&
	expect_plan notes.md <<-\EOF
	[[t["id"], deps(t["id"])] for t in d["tasks"]]	[["T011", []], ["T012", []], ["T013", ["T011"]], ["T014", ["T011", "T012", "T013"]]]
	EOF
'

test_expect_success 'checks under a checklist heading of a list with IDs are listed, never run' '
	cat >repo/checks.md <<-\EOF &&
	## Phase 1: Setup
	- [ ] T001 Create the service in src/service.py
	- [ ] T002 [P] Add the model in src/model.py

	## Validation Checklist

	### Before Merge
	- [ ] All integration tests pass (Phase 1)
	- [x] Code review completed
	- [ ] T003 Write the release notes in docs/release.md

	## Definition of Done
	- [ ] Documentation updated

	## Phase 2: Polish
	- [ ] Tidy the CLI in src/cli.py
	EOF
	plan_json checks.md &&
	test_must_be_empty err &&
	expect_plan checks.md <<-\EOF &&
	ids()	T001 T002 L8 L9 T003 L13 L16
	[status(i) for i in ("L8", "L9", "L13", "L16")]	["checklist", "checklist", "checklist", "todo"]
	d["waves"]	[["T001"], ["T002"], ["T003"], ["L16"]]
	EOF
	(cd repo && git parallel plan checks.md >../out) &&
	grep "^4 tasks to run, 3 checklist items, from checks.md;" out &&
	grep "^checklist (not run): L8, L9, L13$" out &&
	printf "%s\n" "## Release checklist" "- [ ] Tag the release" "- [ ] Publish docs/notes.md" >repo/onlychecks.md &&
	plan_json onlychecks.md &&
	expect_plan onlychecks.md <<-\EOF
	[[t["id"], t["status"]] for t in d["tasks"]]	[["L2", "todo"], ["L3", "todo"]]
	EOF
'

test_expect_success 'code identifiers, versioned package refs, product names and emails are not paths' '
	cat >repo/idents.md <<-\EOF &&
	- [ ] T001 Implement client.create mutation in apps/web/src/server/routers/client.ts
	- [ ] T002 Create `apps/web/src/server/routers/search.ts` with `search.global` protectedProcedure
	- [ ] T003 Implement `event.clone` mutation: validate the source, create new event record
	- [ ] T004 Create Fly.io API token for the deploy app
	- [ ] T005 Remove `version` from all `pnpm/action-setup@v4` steps in .github/workflows/ci.yml
	- [ ] T006 Install `govulncheck` via `go install golang.org/x/vuln/cmd/govulncheck@latest`
	- [ ] T007 Install LangGraph.js and its dependencies
	- [ ] T008 Seed the admin (admin@example.com) in packages/database/src/seed.ts
	- [ ] T009 Create user.plan with the defaults
	- [ ] T010 Create Index.razor in src/Client/Pages/ and the queries errors.kql, Directory.Packages.props
	EOF
	plan_json idents.md &&
	expect_plan idents.md <<-\EOF
	[t["paths"] for t in d["tasks"]]	[["apps/web/src/server/routers/client.ts"], ["apps/web/src/server/routers/search.ts"], [], [], [".github/workflows/ci.yml"], [], [], ["packages/database/src/seed.ts"], ["user.plan"], ["Index.razor", "src/Client/Pages/", "errors.kql", "Directory.Packages.props"]]
	EOF
'

test_expect_success 'after a name that only looks like an ID, no warning; after an unknown task ID, one' '
	cat >repo/lookalike.md <<-\EOF &&
	- [ ] 1.1 Add `ASCII16` to the `CompileMode` enum after `ASCII8` in src/options.h
	- [ ] 1.2 Wire the mapper in src/mapper.c after 1.1
	EOF
	plan_json lookalike.md &&
	test_must_be_empty err &&
	expect_plan lookalike.md <<-\EOF &&
	[deps(i) for i in ("1.1", "1.2")]	[[], ["1.1"]]
	EOF
	cat >repo/typo.md <<-\EOF &&
	- [ ] T001 Add the model in src/model.py
	- [ ] T002 Add the view in src/view.py after T099
	EOF
	plan_json typo.md &&
	grep "^warning: typo.md:2: task .T002.: .T099. is not a task; not read as a dependency$" err &&
	test_line_count = 1 err
'

test_expect_success '"### Task I-1.2: title" headings with criteria under them are the tasks' '
	cat >repo/roman.md <<-\EOF &&
	## PHASE I: CONSOLE APPLICATION

	### Task I-1.2: Write Task Data Model Specification
	- [ ] All Task fields documented with types
	- [ ] Validation rules clearly specified

	### Task I-1.3: Implement Task Dataclass
	- [x] create_task validates and creates a task
	EOF
	plan_json roman.md &&
	test_must_be_empty err &&
	expect_plan roman.md <<-\EOF
	ids()	I-1.2 I-1.3
	title("I-1.2")	Write Task Data Model Specification
	status("I-1.3")	done
	EOF
'

test_expect_success 'an ID with a word after it is one ID: T017-TEST, T042-CLEANUP; success metrics are checks' '
	cat >repo/sfx.md <<-\EOF &&
	## Phase 3: User Story 1
	- [ ] T017-TEST [P] [US1] [TEST] Write the detection tests in tests/detect.test.ts
	- [ ] T017 [P] [US1] Detect the layout in src/detect.ts (depends on T017-TEST)
	- [ ] T042-CLEANUP Extract helpers to src/utils.rs
	- [ ] E2E-TESTS for login in e2e/login.spec.ts

	## Success Metrics
	- [ ] All 32 US1 tasks completed
	EOF
	plan_json sfx.md &&
	test_must_be_empty err &&
	expect_plan sfx.md <<-\EOF
	ids()	T017-TEST T017 T042-CLEANUP L5 L8
	[task(i)["story"] for i in ("T017-TEST", "T017")]	["US1", "US1"]
	deps("T017")	["T017-TEST"]
	title("T017-TEST")	Write the detection tests in tests/detect.test.ts
	status("L8")	checklist
	EOF
'

test_expect_success 'words of a backticked command or message, shebangs, bare extensions, host:port are not paths' '
	cat >repo/cmds.md <<-\EOF &&
	- [ ] T001 Add shebang `#!/usr/bin/env bun` to src/cli.ts
	- [ ] T002 Push: `git push -u origin feat/adaptive-interview` after editing docs/guide.md
	- [ ] T003 Verify: `curl -X POST localhost:3000/api/auth/register` answers 201 from app/auth.py
	- [ ] T004 Commit: `test(parallel): add mixed parallel/sequential test spec` with tests/spec.test.ts
	- [ ] T005 Compile each changed `.cpp` file and keep `.env` out of git
	- [ ] T006 Parse the `## ADDED/MODIFIED/REMOVED Requirements` sections and PASS/FAIL in lib/delta.ts
	- [ ] T007 Code cleanup across backend/frontend
	- [ ] T008 Fix symlinks (check for .speck-link-* files) in scripts/link.sh
	- [ ] T009 Wire the barrel
	  - _Design: Embedded Assets, src/assets/index.ts_
	- [ ] T010 Run `pytest tests/unit/test_x.py` and fix src/x.py
	- [ ] T011 Test it: `bats ralph/watch.bats` and `cp header.bin out/`
	EOF
	plan_json cmds.md &&
	expect_plan cmds.md <<-\EOF
	[t["paths"] for t in d["tasks"]]	[["src/cli.ts"], ["docs/guide.md"], ["app/auth.py"], ["tests/spec.test.ts"], [".env"], ["lib/delta.ts"], [], ["scripts/link.sh"], ["src/assets/index.ts"], ["tests/unit/test_x.py", "src/x.py"], ["ralph/watch.bats", "header.bin", "out/"]]
	EOF
'

test_expect_success 'notes that name tasks on both sides of before, after, depends on, an arrow order them' '
	cat >repo/links.md <<-\EOF &&
	## Phase 1

	- [ ] T001 [P] a in src/a.py
	- [ ] T002 [P] b in src/b.py
	- [ ] T003 [P] c in src/c.py
	- [ ] T004 [P] d in src/d.py
	- [ ] T005 [P] e in src/e.py
	- [ ] T006 [P] f in src/f.py
	- [ ] T007 [P] g in src/g.py

	## Dependencies

	- T006 (lifespan) depends on T004 (ApplicationState)
	- T002 must complete before T003
	- T004, T005 must complete before T007
	- Manifest generators (T001) before file copying (T002-T003)
	- T005 (database method) before T006 (API endpoint)
	- T007 (register router) after T001-T002
	- Tests (T001-T002) \342\206\222 Implementation (T003) -> Docs (T004)
	- T007 before T001; US2 depends on US1 - P1
	EOF
	printf "$(cat repo/links.md)\n" >repo/links2.md &&
	plan_json links2.md &&
	test_must_be_empty err &&
	expect_plan links2.md <<-\EOF
	[[t["id"], deps(t["id"])] for t in d["tasks"]]	[["T001", []], ["T002", ["T001"]], ["T003", ["T002", "T001"]], ["T004", ["T003"]], ["T005", []], ["T006", ["T004", "T005"]], ["T007", ["T004", "T005", "T001", "T002"]]]
	EOF
'

test_expect_success 'a status box right under an ID heading makes the heading the task' '
	cat >repo/headbox.md <<-\EOF &&
	## Section 1: Database Schema (T146-T148)

	### T146: Define communications table with all fields
	**Priority**: P0 (blocking)
	**File**: `packages/database/src/schema/communications.ts`

	- [x] Complete

	Add the table definition.

	### T147: Export communications from the schema index
	**File**: `packages/database/src/schema/index.ts`

	- [ ] Complete

	### T165: Extend the user_role enum
	- [ ] Add a migration for the enum
	- [ ] Done
	EOF
	plan_json headbox.md &&
	expect_plan headbox.md <<-\EOF
	ids()	T146 T147 T165
	[[t["id"], t["status"], t["title"], t["paths"]] for t in d["tasks"][:2]]	[["T146", "done", "Define communications table with all fields", ["packages/database/src/schema/communications.ts"]], ["T147", "todo", "Export communications from the schema index", ["packages/database/src/schema/index.ts"]]]
	EOF
'

test_done
