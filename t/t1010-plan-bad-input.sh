#!/bin/sh

test_description='git parallel plan: bad input gets one clear error, exit 128, no state'

. ./test-lib.sh

test_expect_success 'setup' '
	new_repo repo
'

# plan_fails <grep-pattern> <args...>: plan exits 128 with one error line
# matching the pattern, and the state directory gets no plan.
plan_fails () {
	pattern=$1 && shift &&
	rm -rf "$(state_dir repo)" &&
	(cd repo && test_expect_code 128 git parallel plan "$@" 2>../err >../out) &&
	test_must_be_empty out &&
	test_one_line_error err &&
	grep -e "$pattern" err &&
	test_no_state repo
}

test_expect_success 'a missing task file' '
	plan_fails "cannot read task file .nope.md.: No such file" nope.md
'

test_expect_success 'a directory instead of a file' '
	mkdir repo/dir.md &&
	plan_fails "dir.md. is a directory" dir.md
'

test_expect_success 'an empty file' '
	: >repo/empty.md &&
	plan_fails "no tasks found in .empty.md." empty.md
'

test_expect_success 'a file with text but no task' '
	printf "# Title\n\nJust prose.\n- a list item\n- [P] tasks = different files\n" >repo/prose.md &&
	plan_fails "no tasks found in .prose.md." prose.md
'

test_expect_success 'binary garbage' '
	printf "\000\001\002\377\376- [ ] T001 x\n" >repo/bin.md &&
	plan_fails "binary" bin.md
'

test_expect_success 'invalid UTF-8' '
	printf -- "- [ ] T001 ok in a.c\n- [ ] T002 caf\351 in b.c\n" >repo/latin1.md &&
	plan_fails "latin1.md:2: invalid UTF-8" latin1.md
'

test_expect_success 'CRLF line endings and a UTF-8 BOM work' '
	printf "\357\273\277## Phase 1\r\n- [ ] T001 [P] A in src/a.c\r\n- [ ] T002 [P] B in src/b.c\r\n" >repo/crlf.md &&
	(cd repo && git parallel plan --json crlf.md >../plan.json) &&
	json_get plan.json "[(t[\"id\"], t[\"paths\"], t[\"phase\"]) for t in d[\"tasks\"]]" >actual &&
	echo "[[\"T001\", [\"src/a.c\"], \"Phase 1\"], [\"T002\", [\"src/b.c\"], \"Phase 1\"]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'duplicate IDs name both lines' '
	printf -- "- [ ] T001 A in a.c\n- [ ] T002 B in b.c\n- [ ] T001 C in c.c\n" >repo/dup.md &&
	plan_fails "duplicate task ID .T001. (dup.md:1 and dup.md:3)" dup.md
'

test_expect_success 'items without IDs on the same line of two files are qualified by file' '
	printf -- "- [ ] Write a.c\n" >repo/one.md &&
	printf -- "- [ ] Write b.c\n" >repo/two.md &&
	(cd repo && git parallel plan --json one.md two.md >../two.json 2>../err) &&
	json_get two.json "[t[\"id\"] for t in d[\"tasks\"]]" >actual &&
	echo "[\"one/L1\", \"two/L1\"]" >expect &&
	test_cmp expect actual
'

for id in "../x" "a b" "-rf" "x.lock" "$(printf "%060d" 7)"
do
	test_expect_success "an ID that is no valid branch name: '$id'" '
		printf "[task \"%s\"]\ntitle = t\npaths = a.c\n" "$id" >repo/bad-id.ini &&
		plan_fails "invalid task ID\|section name too long" bad-id.ini
	'
done

test_expect_success 'a dependency on an unknown task' '
	printf -- "- [ ] T001 A in a.c\n- [ ] T002 B in b.c (depends on T099)\n" >repo/unknown.md &&
	plan_fails "task .T002. depends on unknown task .T099. (unknown.md:2)" unknown.md
'

test_expect_success 'a cycle' '
	printf "[task \"A\"]\npaths = a.c\ndepends = B\n[task \"B\"]\npaths = b.c\ndepends = A\n" >repo/cycle.ini &&
	plan_fails "dependency cycle" cycle.ini
'

test_expect_success 'an INI path that escapes the repository' '
	printf "[task \"A\"]\npaths = ../etc/passwd\n" >repo/escape.ini &&
	plan_fails "escape.ini:2: .*\.\./etc/passwd" escape.ini
'

test_expect_success 'an absolute INI path' '
	printf "[task \"A\"]\npaths = /etc/passwd\n" >repo/abs.ini &&
	plan_fails "abs.ini:2: .*/etc/passwd" abs.ini
'

test_expect_success 'a markdown path outside the repository is ignored with a warning' '
	printf -- "- [ ] T001 Extend \`../../tsconfig.base.json\` in apps/web/tsconfig.json\n" >repo/rel.md &&
	(cd repo && git parallel plan --json rel.md >../plan.json 2>../err) &&
	grep "warning: rel.md:1: .*\.\./\.\./tsconfig.base.json" err &&
	json_get plan.json "d[\"tasks\"][0][\"paths\"]" >actual &&
	echo "[\"apps/web/tsconfig.json\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'an unterminated INI section' '
	printf "[task \"A\"\npaths = a.c\n" >repo/unterminated.ini &&
	plan_fails "unterminated.ini:1: " unterminated.ini
'

test_expect_success 'a malformed INI line names file and line and shows the text' '
	printf "[task \"A\"]\npaths = a.c\nthis is not a key\n" >repo/malformed.ini &&
	plan_fails "malformed.ini:3: malformed line: .this is not a key." malformed.ini
'

test_expect_success 'no task file and no configuration' '
	plan_fails "no task file"
'

test_done
