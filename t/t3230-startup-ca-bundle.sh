#!/bin/sh

test_description='startup: libgit2 loads no CA bundle (no command uses its network)

git_libgit2_init() of a libgit2 built with mbedTLS parses the whole
system CA bundle, a third of a short command; git-parallel.c takes the
place of mbedtls_x509_crt_parse_file during init (src/static/glue.c
where libgit2 is linked in: make STATIC_LIBGIT2).  libgit2 still looks
for the bundle (a stat), but never opens it.'

. ./test-lib.sh

bundle=/etc/ssl/certs/ca-certificates.crt
gp=$(command -v git-parallel)
if ldd "$gp" 2>/dev/null | grep -q mbedx509 && test -f "$bundle"; then
	test_set_prereq MBEDTLS
	test_set_prereq SHARED
fi
# linked in (the static build): its wrapper is there
if nm "$gp" 2>/dev/null | grep -q " T __wrap_mbedtls_x509_crt_parse_file" && test -f "$bundle"; then
	test_set_prereq MBEDTLS
fi
command -v strace >/dev/null 2>&1 && test_set_prereq STRACE

test_expect_success 'setup' '
	git init -q -b main repo &&
	echo a >repo/a && git -C repo add a && git -C repo commit -q -m base &&
	printf "[task \"T1\"]\n\ttitle = one\n\tcommand = true\n" >repo/tasks.ini &&
	(cd repo && git parallel plan tasks.ini >/dev/null)
'

test_expect_success MBEDTLS,SHARED 'libgit2 calls our mbedtls_x509_crt_parse_file' '
	(cd repo && LD_DEBUG=bindings LD_DEBUG_OUTPUT="$PWD/../ld" git parallel status >../out) &&
	grep -h "normal symbol .mbedtls_x509_crt_parse_file" ld.* >bound &&
	grep "libgit2.* to .*git-parallel" bound &&
	grep T1 out
'

test_expect_success MBEDTLS,STRACE 'the bundle is looked for, never opened' '
	# LeakSanitizer cannot run under ptrace (make test SANITIZE=1)
	(cd repo && ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 \
		strace -f -e trace=%file -o ../trace git parallel status >../out) &&
	grep T1 out &&
	grep "stat.*$bundle" trace &&
	! grep "open.*$bundle" trace
'

test_done
