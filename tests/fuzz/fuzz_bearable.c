/*
 * fuzz_bearable.c: `simmer import --from bearable` (client/import_bearable.c).
 *
 * SPDX-License-Identifier: ISC
 */
#include "tests/fuzz/fuzz_tracker.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tracker(data, size, &tracker_bearable, NULL);
	return 0;
}
