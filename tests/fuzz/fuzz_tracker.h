/*
 * fuzz_tracker.h: reading another tracker's export (client/tracker.c and
 * the format's import_*.c) as `simmer import --from` does, then making
 * every entry's record and the summary, for the Bearable and the
 * Flaredown harnesses.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_TESTS_FUZZ_TRACKER_H
#define SIMMER_TESTS_FUZZ_TRACKER_H

#include <string.h>

#include "client/tracker.h"
#include "tests/fuzz/fuzz.h"

static FILE *fuzz_devnull;

static void
fuzz_setup(void)
{
	fuzz_devnull = fopen("/dev/null", "w");
}

static inline void
fuzz_tracker(const uint8_t *data, size_t size, const struct tracker_format *format,
    const char *user)
{
	if (size == 0)
		return;
	FILE *in = fmemopen((void *)data, size, "r");
	if (in == NULL)
		return;
	struct tracker t;
	if (tracker_read(&t, format, in, user, FUZZ_NOW_MS) == 0) {
		for (size_t i = 0; i < t.n_entries; i++) {
			struct import_record rec;
			fuzz_require(t.entries[i].factor < t.n_names);
			if (tracker_record(&t, i, &rec) == 0 && rec.ok)
				fuzz_require(proto_valid_factor_name(rec.entry.factor));
		}
		for (size_t i = 0; i < t.n_rejected; i++)
			fuzz_require(t.rejected[i].message[0] != '\0');
		tracker_print_summary(fuzz_devnull, &t);
		json_t *summary = tracker_summary_json(&t);
		json_decref(summary);
	} else {
		fuzz_require(t.fatal[0] != '\0');
	}
	tracker_free(&t);
	fclose(in);
}

#endif
