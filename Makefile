# git-parallel -- run many tasks on one repository, in parallel, safely.

prefix ?= /usr/local
bindir ?= $(prefix)/bin
mandir ?= $(prefix)/share/man
man1dir ?= $(mandir)/man1
docdir ?= $(prefix)/share/doc/git-parallel
bashcompdir ?= $(prefix)/share/bash-completion/completions
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
SCDOC ?= scdoc
PROVE ?= prove
INSTALL ?= install
SHELL_PATH ?= /bin/sh

PKGS = libgit2 libpcre2-8 inih
DEPS_DEBIAN = libgit2-dev libpcre2-dev libinih-dev sharness scdoc pkg-config make gcc python3

VERSION = 0.1.0

BASIC_CFLAGS = -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
	-DGP_VERSION='"$(VERSION)"' -Wall -g -O2
ifdef DEVELOPER
BASIC_CFLAGS += -Werror -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
else
BASIC_CFLAGS += -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
endif
ifdef SANITIZE
BASIC_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
BASIC_LDFLAGS += -fsanitize=address,undefined
endif

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# A missing library must stop the build here, not as an obscure compiler error.
NO_PKG_GOALS = clean deps uninstall doc install-doc sanitize-subset
ifneq ($(filter-out $(NO_PKG_GOALS),$(or $(MAKECMDGOALS),all)),)
PKG_MISSING := $(shell command -v $(firstword $(PKG_CONFIG)) >/dev/null 2>&1 || echo nopkgconfig)
ifeq ($(PKG_MISSING),nopkgconfig)
$(error '$(PKG_CONFIG)' not found: install pkg-config (make deps on Debian), or set PKG_CONFIG)
endif
PKG_MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell $(PKG_CONFIG) --exists $(p) >/dev/null 2>&1 && echo y),,$(p))))
ifneq ($(PKG_MISSING),)
$(error '$(PKG_CONFIG) --exists' fails for: $(PKG_MISSING); install them (make deps on Debian: $(DEPS_DEBIAN)), or set PKG_CONFIG_PATH)
endif
endif

# Debian's inih exports runtime settings (ini_max_line ...); upstream does not.
HASH := \#
INIH_RUNTIME := $(shell printf '$(HASH)include <ini.h>\nint main(void){ini_max_line=1;return 0;}\n' | \
	$(CC) -x c - -o /dev/null $(PKG_CFLAGS) $(PKG_LIBS) >/dev/null 2>&1 && echo 1)
ifeq ($(INIH_RUNTIME),1)
BASIC_CFLAGS += -DGP_INIH_RUNTIME=1
endif

# libgit2 and the libraries it brings linked statically where their
# archives are installed (Debian's -dev packages have them): binding the
# 19 shared libraries of a dynamic libgit2 (Kerberos, OpenSSL, libssh2,
# mbedTLS ...) took the dynamic loader 10 ms of every command, more than
# git's whole start.  git-parallel uses none of libgit2's network (remotes
# are the git CLI's): GSSAPI (HTTP Negotiate) is left out, its calls
# fail (src/static/glue.c).  STATIC_LIBGIT2=0 links the shared
# libraries; without the archives they are linked anyway.
STATIC_LIBGIT2 ?= 1
STATIC_PKGS = $(PKGS) $(shell $(PKG_CONFIG) --exists libssh2 2>/dev/null && echo libssh2)
STATIC_SYS = -ldl -pthread -lpthread -lrt -lm
STATIC_ARCHIVES = $(filter-out $(STATIC_SYS),$(shell $(PKG_CONFIG) --static --libs $(STATIC_PKGS) 2>/dev/null))
STATIC_GSS = src/static/glue.o
STATIC_LIBS = -Wl,--wrap=mbedtls_x509_crt_parse_file $(STATIC_GSS) \
	-Wl,-Bstatic $(STATIC_ARCHIVES) -Wl,-Bdynamic -ldl -lrt
ifeq ($(STATIC_LIBGIT2),1)
ifneq ($(filter-out $(NO_PKG_GOALS),$(or $(MAKECMDGOALS),all)),)
STATIC_OK := $(shell printf '$(HASH)include <git2.h>\nint main(void) { return git_libgit2_init() < 0; }\n' | \
	$(CC) -x c - src/static/glue.c -x none -o /dev/null $(PKG_CFLAGS) \
	$(filter-out $(STATIC_GSS),$(STATIC_LIBS)) -lpthread -lm >/dev/null 2>&1 && echo 1)
endif
endif
ifeq ($(STATIC_OK),1)
BASIC_CFLAGS += -DGP_STATIC_LIBGIT2=1
LINK_LIBS = $(STATIC_LIBS)
LINK_DEPS = $(STATIC_GSS)
else
LINK_LIBS = $(PKG_LIBS)
LINK_DEPS =
endif

ALL_CFLAGS = $(BASIC_CFLAGS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(BASIC_LDFLAGS) $(LDFLAGS)
LIBS = $(LINK_LIBS) -lpthread -lm

LIB_SRCS = $(filter-out src/cmd-%.c,$(wildcard src/*.c))
CMD_SRCS = $(wildcard src/cmd-*.c)
LIB_OBJS = $(LIB_SRCS:.c=.o)
CMD_OBJS = $(CMD_SRCS:.c=.o) git-parallel.o
UNIT_SRCS = $(wildcard t/unit/t-*.c)
# the slowest first, so that prove -j does not start them last
UNIT_SLOW = t/unit/t-worktree t/unit/t-runner t/unit/t-treediff t/unit/t-ownership
UNIT_PROGS = $(filter $(UNIT_SRCS:.c=),$(UNIT_SLOW)) $(filter-out $(UNIT_SLOW),$(UNIT_SRCS:.c=))
BENCH_SRCS = $(wildcard bench/*.c)
BENCH_PROGS = $(BENCH_SRCS:.c=)
DOC = Documentation/git-parallel.1

PROGRAMS = $(if $(wildcard git-parallel.c),git-parallel)

all: $(PROGRAMS) $(UNIT_PROGS) $(BENCH_PROGS)

libgp.a: $(LIB_OBJS)
	$(RM) $@
	$(AR) rcs $@ $^

git-parallel: $(CMD_OBJS) libgp.a $(LINK_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJS) libgp.a $(LIBS)

t/unit/t-%: t/unit/t-%.o libgp.a $(LINK_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $< libgp.a $(LIBS)

bench/%: bench/%.o libgp.a $(LINK_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $< libgp.a $(LIBS)

%.o: %.c
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# A task's cached footprint is keyed by the sources that measure it
# (src/footprint.c): a build that measures otherwise never reads another's.
FOOTPRINT_SRCS = src/footprint.c src/treediff.c src/gitmerge.c
src/footprint.o fuzz/build/footprint.o: $(FOOTPRINT_SRCS)
src/footprint.o fuzz/build/footprint.o: BASIC_CFLAGS += \
	-DGP_FOOTPRINT_ID='"$(shell cat $(FOOTPRINT_SRCS) 2>/dev/null | cksum | cut -d" " -f1)"'

# Rebuild everything when the flags change (e.g. SANITIZE=1).
FLAGS_FILE = .build-flags
FLAGS_NOW = $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)
# (not for goals that compile nothing: "make install-doc" from a test must not
# make the next "make" rebuild everything)
ifneq ($(filter-out $(NO_PKG_GOALS),$(or $(MAKECMDGOALS),all)),)
$(shell echo '$(FLAGS_NOW)' | cmp -s - '$(FLAGS_FILE)' || echo '$(FLAGS_NOW)' > '$(FLAGS_FILE)')
endif
$(LIB_OBJS) $(CMD_OBJS) $(UNIT_SRCS:.c=.o) $(BENCH_SRCS:.c=.o) $(STATIC_GSS): $(FLAGS_FILE)

doc: $(DOC)

$(DOC): Documentation/git-parallel.1.scd
	$(SCDOC) < $< > $@+ && mv $@+ $@

# T=t1000-plan.sh runs one script; PROVE_OPTS=-v for details.  The
# slowest scripts (prove --timer: those over 30 s in CI), slowest first,
# so that prove -j does not start one of them when all the others are
# done (t8572, t8655 and t8656 started in the last minute of the CI run
# of session 12, and ran on ~40 s after every other script had ended).
T_SLOW = t8500-crash-points.sh t4020-merge-crash.sh t8100-hostile.sh \
	t3210-check-exact-scripts.sh t3010-check-exact.sh t8510-remote-status-race.sh \
	t8300-chaos.sh t8572-worktree-admin-full.sh t3231-check-footprint-treediff.sh \
	t2251-worktree-convert-paths.sh t8010-faults-merge.sh t8000-faults-run.sh \
	t4010-merge-faults.sh t1101-corpus-stats.sh t0030-fatal.sh t4123-merge-conflict-guess.sh \
	t3180-agree-content.sh t8655-git-timeout.sh t2020-run-interrupt.sh t2010-run-faults.sh \
	t3100-agree-git.sh t8656-status-json-interrupted.sh t8520-faults-disk-commit.sh \
	t2220-worktree-sparse.sh t3284-convert-process-filter.sh t4130-merge-update-stat.sh \
	t3290-check-hunks-diff-attribute.sh t6000-remote-worker.sh
T_ALL = $(notdir $(wildcard t/t[0-9]*.sh))
T ?= $(filter $(T_ALL),$(T_SLOW)) $(filter-out $(T_SLOW),$(T_ALL))
PROVE_OPTS ?= -j2

# Under valgrind the unit tests' scale cases run at a tenth of their size
# (GP_TEST_SMALL, t/unit/tap.h): the same checks, full size in the other passes.
ifdef VALGRIND
UNIT_EXEC = env GIT_PARALLEL_NO_JIT=1 GP_TEST_SMALL=1 valgrind -q --leak-check=full --error-exitcode=126
TEST_ENV = GP_VALGRIND=1
else
UNIT_EXEC =
endif

test: all $(DOC)
	@$(SHELL_PATH) t/debris.sh snapshot
	$(PROVE) $(PROVE_OPTS) --exec '$(UNIT_EXEC)' $(UNIT_PROGS) 2>t/unit/stderr.log || \
		{ cat t/unit/stderr.log; exit 1; }
	@$(RM) t/unit/stderr.log
	cd t && $(TEST_ENV) $(PROVE) $(PROVE_OPTS) $(T)
	@$(SHELL_PATH) t/debris.sh check

unit-test: all
	$(PROVE) $(PROVE_OPTS) --exec '' $(UNIT_PROGS)

# t/sanitize-scripts, the scripts CI runs under the sanitizers, chosen by
# coverage (gcov) from a build of its own in a temporary directory
sanitize-subset:
	$(SHELL_PATH) t/sanitize-subset.sh

# Benchmarks against the git CLI (figures, no assertions); bench-real is
# the git.git-shaped repository of bench/fixture (a few minutes).
bench: all
	bench/plan && bench/check && bench/merge && bench/run && bench/real

bench-real: all
	bench/real

install: git-parallel
	$(INSTALL) -d -m 755 '$(DESTDIR)$(bindir)' '$(DESTDIR)$(bashcompdir)' '$(DESTDIR)$(docdir)'
	$(INSTALL) -m 755 git-parallel '$(DESTDIR)$(bindir)/git-parallel'
	$(INSTALL) -m 644 contrib/completion/git-parallel.bash '$(DESTDIR)$(bashcompdir)/git-parallel'
	$(INSTALL) -m 644 config.example LICENSE '$(DESTDIR)$(docdir)'

uninstall:
	$(RM) '$(DESTDIR)$(bindir)/git-parallel' '$(DESTDIR)$(man1dir)/git-parallel.1' \
		'$(DESTDIR)$(bashcompdir)/git-parallel' \
		'$(DESTDIR)$(docdir)/config.example' '$(DESTDIR)$(docdir)/LICENSE'
	-rmdir '$(DESTDIR)$(docdir)' 2>/dev/null

install-doc: $(DOC)
	$(INSTALL) -d -m 755 '$(DESTDIR)$(man1dir)'
	$(INSTALL) -m 644 $(DOC) '$(DESTDIR)$(man1dir)/git-parallel.1'

# Install the Debian packages we build and test with, when missing.
deps:
	@missing=; for p in $(DEPS_DEBIAN); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if test -n "$$missing"; then \
		echo "installing:$$missing"; \
		if test "$$(id -u)" = 0; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo: all
	./demo/run-demo

clean:
	$(RM) git-parallel libgp.a $(DOC) $(FLAGS_FILE)
	$(RM) src/*.o src/*.d *.o *.d t/unit/*.o t/unit/*.d bench/*.o bench/*.d
	$(RM) $(UNIT_PROGS) $(BENCH_PROGS)
	$(RM) -r t/trash* t/test-results t/unit/stderr.log fuzz/build

# Fuzzing with libFuzzer (clang, libclang-rt-14-dev): make fuzz FUZZ_SECONDS=60
# runs every target for a time; FUZZ_RUNS=N runs each for N inputs instead;
# FUZZ_ONLY="markdown ini" runs only those.  Inputs are cut at FUZZ_MAX_LEN
# bytes: the parsers are line by line, and short inputs run 5x faster than
# whole tasks.md files (long lines and huge files are t8100's business).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_RUNS ?=
FUZZ_MAX_LEN ?= 4096
FUZZ_ONLY ?= $(patsubst fuzz/fuzz-%.c,%,$(wildcard fuzz/fuzz-*.c))
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS))
FUZZ_FLAGS = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_TARGETS = $(patsubst fuzz/%.c,fuzz/build/%,$(wildcard fuzz/fuzz-*.c))
FUZZ_LIB_OBJS = $(patsubst src/%.c,fuzz/build/%.o,$(LIB_SRCS))

fuzz/build/%.o: src/%.c
	@mkdir -p fuzz/build
	$(FUZZ_CC) $(filter-out -O2 -g -Werror,$(BASIC_CFLAGS)) $(PKG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

fuzz/build/fuzz-%: fuzz/fuzz-%.c fuzz/fuzz.h $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(filter-out -O2 -g -Werror,$(BASIC_CFLAGS)) $(PKG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_LIB_OBJS) $(PKG_LIBS) -lpthread -lm

fuzz-build: $(FUZZ_TARGETS)

# Each target runs FUZZ_SECONDS from a corpus seeded with the test fixtures;
# a crash stops make and leaves the input in fuzz/build/ (add it to t/ as a
# regression test).
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_ONLY); do \
		name=fuzz-$$t; corpus=fuzz/build/corpus-$$name; mkdir -p $$corpus; \
		case $$name in \
		fuzz-markdown) cp -f t/fixtures/*.md $$corpus/ 2>/dev/null; \
			find t/corpus -name '*.md' | while read f; do cp "$$f" $$corpus/$$(echo "$$f" | tr / _); done ;; \
		fuzz-ini) cp -f t/fixtures/*.ini config.example $$corpus/ ;; \
		fuzz-codeowners) cp -f t/fixtures/CODEOWNERS* $$corpus/ ;; \
		fuzz-pattern) printf 'docs/*\0docs/a' >$$corpus/seed1; printf '**/logs\0a/logs/x' >$$corpus/seed2 ;; \
		fuzz-small) printf '30m' >$$corpus/seed1; printf '../a/./b/' >$$corpus/seed2 ;; \
		fuzz-state) cp -f fuzz/seeds/state-* $$corpus/ 2>/dev/null || true ;; \
		fuzz-options) printf -- '--bool\nT1\n--str\nx\n--\n-b\n' >$$corpus/seed1; \
			printf -- '!\n--no-sp\nrun\n-u3\n' >$$corpus/seed2 ;; \
		esac; \
		echo "== $$name ($(FUZZ_LIMIT))"; \
		(cd fuzz/build && ./$$name $(FUZZ_LIMIT) -max_len=$(FUZZ_MAX_LEN) \
			-print_final_stats=1 corpus-$$name 2>&1 | \
			grep -E 'stat::(number_of_executed_units|average_exec_per_sec)|ERROR|SUMMARY|crash-|Done' ) ; \
		test -z "$$(ls fuzz/build/crash-* fuzz/build/leak-* fuzz/build/timeout-* 2>/dev/null)" || \
			{ echo "fuzz: $$name found a problem:"; ls fuzz/build/crash-* fuzz/build/leak-* fuzz/build/timeout-* 2>/dev/null; exit 1; }; \
	done

.PHONY: all doc test unit-test sanitize-subset bench bench-real install install-doc uninstall deps demo clean fuzz fuzz-build

-include $(wildcard src/*.d *.d t/unit/*.d bench/*.d)
