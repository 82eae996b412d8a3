/*
 * fuzz_sheet.c: `simmer import --from sheet`, a spreadsheet diary
 * (client/import_sheet.c).
 *
 * SPDX-License-Identifier: ISC
 */
#include "tests/fuzz/fuzz_tracker.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tracker(data, size, &tracker_sheet, NULL);
	return 0;
}
