#!/bin/sh

test_description='plan: package modules, actions, prose and dates are no paths; repository paths are'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/plan.sh"

test_expect_success 'setup' '
	new_repo repo &&
	write_expect_plan
'

test_expect_success 'what reads like a path but is none, next to real paths' '
	cat >repo/fp.md <<-\EOF &&
	- [ ] T001 Use `zustand/middleware` persist in src/store.ts
	- [ ] T002 Add `docker/build-push-action` and `actions/checkout@v4` to `.github/workflows/ci.yml`
	- [ ] T003 Install `@scope/pkg` and @tanstack/react-query in package.json
	- [ ] T004 Support and/or input/output read/write TCP/IP N/A on 2024/01/02, 1/2 of 3/4
	- [ ] T005 See https://github.com/owner/repo/blob/main/x.md and github.com/owner/repo
	- [ ] T006 Edit Documentation/SubmittingPatches, t/Makefile, bin/, .github/workflows/ci.yml and src/x
	- [ ] T007 Fork owner/repo and push feat/adaptive-interview; use `next/dynamic` and `next/headers`
	- [ ] T008 Log via `console.log/error/warn` and `lodash/debounce`; write `src/lib/db`
	- [ ] T009 Fix client/server sync, pros/cons, yes/no, true/false, CI/CD, UI/UX, I/O
	- [ ] T010 Check that all `.bas` files compile; keep `.venv`, `.env` and `.nvmrc`
	EOF
	plan_json fp.md &&
	expect_plan fp.md <<-\EOF
	paths("T001")	["src/store.ts"]
	paths("T002")	[".github/workflows/ci.yml"]
	paths("T003")	["package.json"]
	paths("T004")	[]
	paths("T005")	[]
	paths("T006")	["Documentation/SubmittingPatches", "t/Makefile", "bin/", ".github/workflows/ci.yml", "src/x"]
	paths("T007")	[]
	paths("T008")	["src/lib/db"]
	paths("T009")	[]
	paths("T010")	[".venv", ".env", ".nvmrc"]
	EOF
'

test_expect_success 'a package-like path the repository has is a path' '
	mkdir -p repo/next/dynamic &&
	echo x >repo/next/dynamic/index.ts &&
	(cd repo && git add next && git commit -qm next) &&
	printf "%s\n" "- [ ] T001 Fix \`next/dynamic\` and \`zustand/middleware\`" >repo/tree.md &&
	plan_json tree.md &&
	expect_plan tree.md <<-\EOF
	paths("T001")	["next/dynamic/"]
	EOF
'

test_done
