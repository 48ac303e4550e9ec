#ifndef GP_FUZZ_H
#define GP_FUZZ_H
/* Shared set-up of the fuzz targets (fuzz/fuzz-*.c; make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <git2.h>

#include "gp/config.h"
#include "gp/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_setup(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	git_libgit2_init();
	ini_setup();
	quiet_warnings = 1;
	quiet_errors = 1;
}
#endif
