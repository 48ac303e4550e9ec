#!/bin/sh

test_description='input files that are not regular files, or too large, are refused by name, never read forever'

. ./test-lib.sh

test_expect_success 'setup' '
	new_repo repo &&
	printf -- "- [ ] T1 Edit a.c\n" >repo/tasks.md
'

# refused <pattern> <command...>: exits 128 within 20 s (a FIFO or
# /dev/zero read forever would be killed by timeout: exit 124), one error
# line matching the pattern, no plan saved.
refused () {
	pattern=$1 && shift &&
	rm -rf "$(state_dir repo)" &&
	(cd repo && test_expect_code 128 timeout 20 "$@" 2>../err >../out) &&
	cat err &&
	test_one_line_error err &&
	grep -e "$pattern" err &&
	test_no_state repo
}

test_expect_success 'a task file that is a FIFO' '
	mkfifo repo/fifo.md &&
	refused "task file .fifo.md. is a FIFO, not a regular file" git parallel plan fifo.md
'

test_expect_success 'a task file that is a symlink to /dev/zero' '
	ln -s /dev/zero repo/zero.ini &&
	refused "task file .zero.ini. is a device, not a regular file" git parallel plan zero.ini
'

test_expect_success 'a task file larger than 64 MiB' '
	truncate -s 67108865 repo/huge.md &&
	refused "task file .huge.md. is larger than 64 MiB" git parallel plan huge.md
'

test_expect_success 'a task file of exactly 64 MiB is read (and found to hold no task)' '
	truncate -s 67108864 repo/big.md &&
	refused "binary file\\|no tasks found" git parallel plan big.md &&
	rm repo/big.md repo/huge.md
'

test_expect_success 'a .gitparallel that is a FIFO' '
	mkfifo repo/.gitparallel &&
	refused "file .*/\\.gitparallel. is a FIFO, not a regular file" git parallel plan tasks.md &&
	rm repo/.gitparallel
'

test_expect_success 'a .gitparallel that is a symlink to /dev/zero' '
	ln -s /dev/zero repo/.gitparallel &&
	refused "\\.gitparallel. is a device, not a regular file" git parallel plan tasks.md &&
	rm repo/.gitparallel
'

test_expect_success '--config naming a FIFO' '
	mkfifo repo/conf &&
	refused "file .conf. is a FIFO" git parallel --config conf plan tasks.md
'

test_expect_success 'a CODEOWNERS that is a FIFO' '
	printf "[parallel]\n\townership = CODEOWNERS\n" >repo/.gitparallel &&
	mkfifo repo/CODEOWNERS &&
	refused "CODEOWNERS file .*CODEOWNERS. is a FIFO" git parallel plan tasks.md
'

test_expect_success 'a CODEOWNERS that is a symlink to /dev/zero' '
	rm repo/CODEOWNERS &&
	ln -s /dev/zero repo/CODEOWNERS &&
	refused "CODEOWNERS file .*CODEOWNERS. is a device" git parallel plan tasks.md
'

test_expect_success 'an ownership INI file that is a FIFO' '
	printf "[parallel]\n\townership = owners.ini\n" >repo/.gitparallel &&
	mkfifo repo/owners.ini &&
	refused "owners.ini. is a FIFO" git parallel plan tasks.md &&
	rm repo/.gitparallel
'

test_expect_success 'parallel.tasks naming a FIFO' '
	printf "[parallel]\n\ttasks = fifo.md\n" >repo/.gitparallel &&
	refused "task file .fifo.md. is a FIFO" git parallel plan &&
	rm repo/.gitparallel
'

test_done
