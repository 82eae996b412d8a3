/*
 * fuzz_import_csv.c: `simmer import` of a CSV file (client/importfile.c,
 * libcsv in strict mode). Every line becomes an entry or a message.
 *
 * SPDX-License-Identifier: ISC
 */
#include "tests/fuzz/fuzz_import.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_import(data, size, IMPORT_CSV);
	return 0;
}
