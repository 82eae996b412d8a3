/*
 * fuzz_when.c: the time expressions of --at and --since (client/when.c).
 * Any text gets an instant or a message; an instant it accepts formats
 * back as ISO 8601.
 *
 * SPDX-License-Identifier: ISC
 */
#include <string.h>

#include "client/when.h"
#include "tests/fuzz/fuzz.h"

static void
fuzz_setup(void)
{
	/* Nothing beyond the fixed clock. */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256)
		return 0;
	char text[257];
	memcpy(text, data, size);
	text[size] = '\0';
	for (int mode = WHEN_DATE_NOON; mode <= WHEN_DATE_MIDNIGHT; mode++) {
		int64_t ms = 0;
		int32_t offset = 0;
		char err[256] = "";
		if (when_parse(text, FUZZ_NOW_MS, mode, &ms, &offset, err, sizeof err) == 0) {
			fuzz_require(offset >= -24 * 60 && offset <= 24 * 60);
			char iso[64];
			when_format_iso(ms, offset, iso, sizeof iso);
			fuzz_require(iso[0] != '\0');
		} else {
			fuzz_require(err[0] != '\0');
		}
	}
	return 0;
}
