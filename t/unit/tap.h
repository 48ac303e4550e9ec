#ifndef GP_TAP_H
#define GP_TAP_H
/*
 * A tiny TAP producer for C unit tests:
 *
 *	ok(cond, "name %d", i);
 *	is_str(got, want, "name");
 *	is_int(got, want, "name");
 *	return tap_done();
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_vok(int cond, const char *fmt, va_list ap)
{
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vok(cond, fmt, ap);
	va_end(ap);
	return cond;
}

static inline int is_str(const char *got, const char *want, const char *fmt, ...)
{
	int cond = (!got && !want) || (got && want && !strcmp(got, want));
	va_list ap;
	va_start(ap, fmt);
	tap_vok(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return cond;
}

static inline int is_int(long got, long want, const char *fmt, ...)
{
	int cond = got == want;
	va_list ap;
	va_start(ap, fmt);
	tap_vok(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   got:  %ld\n#   want: %ld\n", got, want);
	return cond;
}

/*
 * The size of a scale test: n, or a tenth of it (at least 1) when
 * GP_TEST_SMALL is set -- make test VALGRIND=1 sets it, where every
 * instruction costs fifty.  The checks stay the same; the full size runs
 * in the plain and SANITIZE=1 passes.
 */
static inline size_t tap_scale(size_t n)
{
	const char *small = getenv("GP_TEST_SMALL");

	if (small && *small && strcmp(small, "0"))
		return n / 10 ? n / 10 : 1;
	return n;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
#endif
