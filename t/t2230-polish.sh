#!/bin/sh

test_description='git-native polish: bash completion, install and uninstall, a clear pkg-config failure, licence'

. ./test-lib.sh

. "$GP_TEST_DIR/lib/completion.sh"

test_expect_success COMPLETION 'setup: a plan with two tasks' '
	new_repo repo &&
	printf -- "- [ ] T001 [P] Edit a.txt\n- [ ] T002 [P] Edit b.txt\n" >repo/tasks.md &&
	git -C repo add tasks.md && git -C repo commit -q -m tasks &&
	(cd repo && git parallel plan tasks.md >/dev/null)
'

test_expect_success COMPLETION 'git parallel <TAB> offers the subcommands' '
	(cd repo && complete_words git parallel "") >actual &&
	printf "check\nclean\nexport\nmerge\nplan\npush\nreport\nrun\nstatus\ntrust\nworker\n" >expect &&
	test_cmp expect actual &&
	test_expect_code 129 git parallel -h >usage &&
	sed -n "/^commands:/,/^\$/s/^   \([a-z]*\) .*/\1/p" usage | LC_ALL=C sort >commands &&
	test_cmp commands actual &&
	(cd repo && complete_words git parallel ru) >actual &&
	echo run >expect && test_cmp expect actual
'

test_expect_success COMPLETION 'options of a subcommand' '
	(cd repo && complete_words git parallel run --sp) >actual &&
	echo --sparse >expect && test_cmp expect actual &&
	(cd repo && complete_words git parallel merge --squ) >actual &&
	echo --squash >expect && test_cmp expect actual &&
	(cd repo && complete_words git parallel report --format=m) >actual &&
	echo markdown >expect && test_cmp expect actual
'

test_expect_success COMPLETION 'trust, push, export and worker: their options from the binary' '
	(cd repo && complete_words git parallel trust --) >actual &&
	printf -- "--list\n--revoke\n" >expect && test_cmp expect actual &&
	(cd repo && complete_words git parallel push --) >actual &&
	printf -- "--command=\n--force\n--trust-commands\n" >expect && test_cmp expect actual &&
	(cd repo && complete_words git parallel export --r) >actual &&
	printf -- "--remote=\n--runs-on=\n" >expect && test_cmp expect actual &&
	(cd repo && complete_words git parallel export --format=) >actual &&
	echo github-actions >expect && test_cmp expect actual &&
	(cd repo && complete_words git parallel worker --l) >actual &&
	echo --lease= >expect && test_cmp expect actual
'

test_expect_success COMPLETION 'trust takes files; push and worker a remote, then worker a task ID (of the fetched plan if any, only words an ID can be)' '
	(cd repo && complete_words git parallel trust ta) >actual &&
	echo tasks.md >expect && test_cmp expect actual &&
	git -C repo remote add origin ../nowhere &&
	git -C repo remote add other ../elsewhere &&
	printf "origin\nother\n" >remotes &&
	(cd repo && complete_words git parallel push "") >actual &&
	test_cmp remotes actual &&
	(cd repo && complete_words git parallel push --command make "") >actual &&
	test_cmp remotes actual &&
	(cd repo && complete_words git parallel push origin "") >actual &&
	test_must_be_empty actual &&
	(cd repo && complete_words git parallel worker "") >actual &&
	test_cmp remotes actual &&
	(cd repo && complete_words git parallel worker --lease 5m origin "") >actual &&
	printf "T001\nT002\n" >expect && test_cmp expect actual &&
	(cd repo &&
	 blob=$(printf "[task \"W1\"]\n\tpaths = w\n[task \"\$(touch pwned)\"]\n[task \"a/b\"]\n" |
		git hash-object -w --stdin) &&
	 tree=$(printf "100644 blob %s\tplan\n" $blob | git mktree) &&
	 git update-ref refs/gp-remote/parallel/plan $(git commit-tree -m plan $tree) &&
	 complete_words git parallel worker origin "") >actual &&
	printf "W1\na/b\n" >expect && test_cmp expect actual &&
	(cd repo && complete_words git parallel worker --lease "") >actual &&
	test_must_be_empty actual &&
	(cd repo && complete_words git parallel export --remote=) >actual &&
	test_cmp remotes actual
'

test_expect_success COMPLETION 'task IDs come from the saved plan' '
	(cd repo && complete_words git parallel run "") >actual &&
	printf "T001\nT002\n" >expect &&
	test_cmp expect actual &&
	(cd repo && complete_words git parallel clean T0) >actual &&
	test_cmp expect actual &&
	mkdir norepo &&
	(cd norepo && GIT_CEILING_DIRECTORIES="$TRASH_DIRECTORY" complete_words git parallel run "") >actual &&
	test_must_be_empty actual
'

# make in the source tree must not rebuild anything while other tests run:
# -o git-parallel takes the binary as it is, the flags file goes here.
# (The Makefile does not quote the flags file: no space in its path.)
gp_make () {
	flags=$(mktemp) &&
	make -s -C "$GP_BUILD_DIR" -o git-parallel FLAGS_FILE="$flags" "$@"
	ret=$?
	rm -f "$flags"
	return $ret
}

test_expect_success 'make install puts the binary, the completion and the docs in place; make uninstall removes them' '
	gp_make install DESTDIR="$TRASH_DIRECTORY/inst" prefix=/usr >out 2>err &&
	test -x inst/usr/bin/git-parallel &&
	test_cmp "$GP_BUILD_DIR/contrib/completion/git-parallel.bash" \
		inst/usr/share/bash-completion/completions/git-parallel &&
	test_cmp "$GP_BUILD_DIR/config.example" inst/usr/share/doc/git-parallel/config.example &&
	test -f inst/usr/share/doc/git-parallel/LICENSE &&
	gp_make uninstall DESTDIR="$TRASH_DIRECTORY/inst" prefix=/usr >out 2>err &&
	find inst -type f >left &&
	test_must_be_empty left
'

test_expect_success 'a failing pkg-config stops the build with a clear message' '
	test_must_fail gp_make -n PKG_CONFIG=false all >out 2>err &&
	grep "pkg-config\|false --exists. fails for: libgit2 libpcre2-8 inih" err &&
	test_must_fail gp_make -n PKG_CONFIG=no-such-pkg-config all >out 2>err &&
	grep "no-such-pkg-config. not found: install pkg-config" err &&
	test_must_fail gp_make -n PKGS="libgit2 no-such-lib" all >out 2>err &&
	grep "fails for: no-such-lib;" err
'

test_expect_success 'outside a repository: "fatal:" as git says it, exit 128' '
	mkdir -p outside &&
	(cd outside && GIT_CEILING_DIRECTORIES="$TRASH_DIRECTORY" &&
	 export GIT_CEILING_DIRECTORIES &&
	 test_expect_code 128 git parallel status 2>../err) &&
	test_one_line_error err &&
	grep "^fatal: not a git repository" err
'

test_expect_success 'the licence is there, the stray file ran is not' '
	grep "MIT License" "$GP_BUILD_DIR/LICENSE" &&
	! test -e "$GP_BUILD_DIR/ran"
'

test_done
