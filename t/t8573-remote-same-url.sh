#!/bin/sh

test_description='a remote by name and by URL share one namespace

status --remote origin and status --remote <origin'"'"'s URL> used to fetch
into two namespaces (refs/gp-remote/origin/ and a hashed one): two copies
of the same refs, two fetches.  A remote given by URL (or path) now takes
the namespace of the first configured remote, by name, with that URL; a
remote name whose URL another remote of a smaller name has, that one'"'"'s.'

. ./test-lib.sh
. "$GP_TEST_DIR/lib/faults.sh"
. "$GP_TEST_DIR/lib/remote.sh"

# namespaces <repo>: the namespaces that hold a fetched plan
namespaces () {
	git -C "$1" for-each-ref --format="%(refname)" "refs/gp-remote/*/parallel/plan" |
		sed "s|/parallel/plan\$||"
}

# t001_on <out> <remote>: status --remote <remote> --json; T001'"'"'s state printed
t001_on () {
	(cd viewer && git parallel status --remote "$2" --json >"../$1" 2>"../$1.err") &&
	json_get "$1" "[t for t in d[\"tasks\"] if t[\"id\"] == \"T001\"][0][\"state\"]"
}

test_expect_success 'setup: T001 done by a worker; a clone of the remote' '
	remote_setup &&
	fresh_clone w1 &&
	(cd w1 && git parallel worker "$REMOTE_URL" T001 >../w1.out 2>&1) &&
	fresh_clone viewer
'

test_expect_success 'origin, then its URL, then its path: one namespace, refs/gp-remote/origin/' '
	echo done >expect &&
	t001_on a.json origin >actual && test_cmp expect actual &&
	t001_on b.json "$REMOTE_URL" >actual && test_cmp expect actual &&
	t001_on c.json "$TRASH_DIRECTORY/remote.git/" >actual && test_cmp expect actual &&
	t001_on d.json ../remote.git >actual && test_cmp expect actual &&
	echo refs/gp-remote/origin >expect &&
	namespaces viewer >actual && test_cmp expect actual &&
	repo_sane viewer
'

test_expect_success 'another name for the same URL: the namespace of the first name' '
	git -C viewer remote add zz "$REMOTE_URL" &&
	echo done >expect && t001_on z.json zz >actual && test_cmp expect actual &&
	echo refs/gp-remote/origin >expect &&
	namespaces viewer >actual && test_cmp expect actual
'

test_expect_success 'url.<base>.insteadOf is applied as git applies it' '
	git -C viewer config "url.$TRASH_DIRECTORY/.insteadOf" gp: &&
	git -C viewer remote add short gp:remote.git &&
	git -C viewer ls-remote short >/dev/null &&
	echo done >expect && t001_on s.json short >actual && test_cmp expect actual &&
	echo refs/gp-remote/origin >expect &&
	namespaces viewer >actual && test_cmp expect actual &&
	git -C viewer remote remove short &&
	git -C viewer config --unset "url.$TRASH_DIRECTORY/.insteadOf"
'

test_expect_success 'a URL no remote has keeps a namespace of its own' '
	git clone -q --mirror remote.git other.git &&
	echo done >expect && t001_on o.json "file://$TRASH_DIRECTORY/other.git" >actual &&
	test_cmp expect actual &&
	namespaces viewer >actual &&
	test_line_count = 2 actual &&
	grep "^refs/gp-remote/%%[0-9a-f]*\$" actual
'

test_expect_success 'merge --remote by URL works in origin'"'"'s namespace' '
	git -C viewer config user.name V && git -C viewer config user.email v@example.com &&
	(cd viewer && git parallel merge --remote "$REMOTE_URL" T001 >../m.out 2>../m.err) &&
	grep "^T001  *merged" m.out &&
	echo merged >expect && remote_state T001 >actual && test_cmp expect actual &&
	namespaces viewer >actual && test_line_count = 2 actual &&
	grep "^refs/gp-remote/origin\$" actual
'

test_done
