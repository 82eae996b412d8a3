/*
 * when.h: the time expressions a person types after --at and --since, and
 * the times in imported files. Pure: "now" and the time zone come in.
 *
 *   now                     this instant
 *   HH:MM                   today at that time; if that is still ahead, yesterday
 *   today [HH:MM]           today at that time (alone: see WHEN_DATE_*)
 *   yesterday [HH:MM]       the day before
 *   -2h, -30m, -1d, -90s    that long ago
 *   YYYY-MM-DD [HH:MM[:SS]] local date and time
 *   2026-11-20T21:30:00+01:00, ...Z, ...T21:30 (local)  ISO 8601
 *   1795360708349           milliseconds since 1970 (13 digits or more)
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_WHEN_H
#define SIMMER_CLIENT_WHEN_H

#include <stddef.h>
#include <stdint.h>

/* What a date without a time means: noon for a logged entry (it counts to
 * that day whatever the day-start hour), midnight for --since. */
enum when_date_mode {
	WHEN_DATE_NOON,
	WHEN_DATE_MIDNIGHT,
};

/* Parses s relative to now_ms in the process's time zone. On success the
 * instant and the UTC offset in force there (minutes east) are filled. */
int when_parse(const char *s, int64_t now_ms, int date_mode, int64_t *out_ms,
    int32_t *out_offset_min, char *err, size_t errlen);

/* Formats an instant at a given offset as ISO 8601 with milliseconds only
 * when they are not zero: 2026-11-20T21:30:00+01:00. */
void when_format_iso(int64_t ms, int32_t offset_min, char *out, size_t outlen);

#endif
