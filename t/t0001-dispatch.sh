#!/bin/sh

test_description='the git parallel command line: dispatch, usage, repository discovery'

. ./test-lib.sh

test_expect_success 'setup' '
	new_repo repo &&
	mkdir -p repo/sub/dir &&
	cat >repo/tasks.md <<-\EOF
	## Phase 1
	- [ ] T001 [P] Write src/a.c
	- [ ] T002 [P] Write src/b.c
	EOF
	git -C repo add tasks.md &&
	git -C repo commit -q -m tasks
'

test_expect_success '--version prints the version' '
	git parallel --version >out &&
	grep "^git-parallel version [0-9]" out
'

test_expect_success 'no command prints usage and exits 129' '
	test_expect_code 129 git parallel 2>err &&
	grep "^usage: git parallel" err
'

test_expect_success '-h prints usage on stdout and exits 129' '
	test_expect_code 129 git parallel -h >out &&
	grep "^usage: git parallel" out &&
	grep "plan" out
'

test_expect_success 'an unknown command exits 1 and names it' '
	test_expect_code 1 git parallel frobnicate 2>err &&
	grep "frobnicate.*is not a git parallel command" err
'

test_expect_success 'an unknown global option exits 129' '
	test_expect_code 129 git parallel --frob plan 2>err &&
	grep "unknown option" err
'

test_expect_success 'plan -h prints the plan usage and exits 129, even outside a repository' '
	test_expect_code 129 git parallel plan -h >out &&
	grep "^usage: git parallel plan" out
'

test_expect_success 'an unknown plan option exits 129' '
	(cd repo && test_expect_code 129 git parallel plan --frob tasks.md 2>../err) &&
	grep "unknown option" err &&
	test_no_state repo
'

test_expect_success 'a missing option value exits 129' '
	(cd repo && test_expect_code 129 git parallel plan tasks.md --base 2>../err) &&
	grep "needs a value" err
'

test_expect_success 'outside a repository: exit 128 and say so' '
	mkdir -p /tmp/gp-not-a-repo-$$ &&
	(cd /tmp/gp-not-a-repo-$$ && GIT_CEILING_DIRECTORIES=/tmp test_expect_code 128 git parallel plan x.md 2>"$TRASH_DIRECTORY/err");
	rm -rf /tmp/gp-not-a-repo-$$ &&
	test_one_line_error err &&
	grep "not a git repository" err
'

test_expect_success 'works from a subdirectory (task file relative to the cwd)' '
	(cd repo/sub/dir && git parallel plan ../../tasks.md >../../../out) &&
	grep "T001" out &&
	grep "from ../../tasks.md;" out &&
	test -f "$(state_dir repo)/plan"
'

test_expect_success 'the saved plan names task files from the top of the work tree' '
	grep "^	source = tasks.md\$" "$(state_dir repo)/plan" &&
	grep "^	file = tasks.md\$" "$(state_dir repo)/plan" >files &&
	test_line_count = $(grep -c "^\[task " "$(state_dir repo)/plan") files &&
	cp repo/tasks.md outside.md &&
	(cd repo/sub && git parallel plan ../../outside.md >/dev/null) &&
	grep "^	source = $(pwd -P)/outside.md\$" "$(state_dir repo)/plan"
'

test_expect_success 'works with GIT_DIR and GIT_WORK_TREE' '
	rm -rf "$(state_dir repo)" &&
	GIT_DIR="$TRASH_DIRECTORY/repo/.git" GIT_WORK_TREE="$TRASH_DIRECTORY/repo" \
		git parallel plan repo/tasks.md >out &&
	grep "T002" out &&
	grep "^	source = tasks.md\$" "$(state_dir repo)/plan"
'

test_expect_success 'works with git --git-dir' '
	rm -rf "$(state_dir repo)" &&
	git --git-dir=repo/.git --work-tree=repo parallel plan repo/tasks.md >out &&
	grep "T002" out &&
	test -f "$(state_dir repo)/plan"
'

test_expect_success 'works from a linked worktree; state goes to the common dir' '
	rm -rf "$(state_dir repo)" &&
	git -C repo worktree add -q -b side ../linked &&
	(cd linked && git parallel plan tasks.md >../out) &&
	grep "base side" out &&
	test -f repo/.git/parallel/plan &&
	! test -e repo/.git/worktrees/linked/parallel
'

test_expect_success 'a bare repository is refused with exit 128' '
	git clone -q --bare repo bare.git &&
	(cd bare.git && test_expect_code 128 git parallel plan ../repo/tasks.md 2>../err) &&
	test_one_line_error err &&
	grep "bare" err &&
	! test -e bare.git/parallel
'

test_expect_success 'an unborn branch is refused with exit 128' '
	git init -q unborn &&
	cp repo/tasks.md unborn/ &&
	(cd unborn && test_expect_code 128 git parallel plan tasks.md 2>../err) &&
	test_one_line_error err &&
	grep "no commits yet" err &&
	! test -e unborn/.git/parallel
'

test_expect_success 'a detached HEAD needs --base' '
	git -C repo checkout -q --detach &&
	(cd repo && test_expect_code 128 git parallel plan tasks.md 2>../err) &&
	grep "detached" err &&
	(cd repo && git parallel plan --base main tasks.md >../out) &&
	grep "base main" out &&
	git -C repo checkout -q main
'

man --version >/dev/null 2>&1 && test_set_prereq MAN

test_expect_success MAN 'git parallel --help opens the man page once installed' '
	make -C "$GP_BUILD_DIR" -s install-doc DESTDIR="$TRASH_DIRECTORY/inst" prefix=/usr >/dev/null &&
	test -f inst/usr/share/man/man1/git-parallel.1 &&
	MANPATH="$TRASH_DIRECTORY/inst/usr/share/man" MANPAGER=cat PAGER=cat MANWIDTH=80 \
		git parallel --help >out 2>&1 &&
	grep -i "git-parallel" out &&
	grep -i "SYNOPSIS" out
'

test_done
