/*
 * fuzz_import_jsonl.c: `simmer import` of a JSON Lines file
 * (client/importfile.c, jansson). Every line becomes an entry or a message.
 *
 * SPDX-License-Identifier: ISC
 */
#include "tests/fuzz/fuzz_import.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_import(data, size, IMPORT_JSONL);
	return 0;
}
