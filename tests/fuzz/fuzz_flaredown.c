/*
 * fuzz_flaredown.c: `simmer import --from flaredown`, both the per-person
 * export (client/import_flaredown.c) and the research export it hands
 * over to (client/import_flaredown_long.c), without and with --user.
 *
 * SPDX-License-Identifier: ISC
 */
#include "tests/fuzz/fuzz_tracker.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tracker(data, size, &tracker_flaredown, NULL);
	fuzz_tracker(data, size, &tracker_flaredown, "QEVuQwEA");
	return 0;
}
