/*
 * test_when.c: time expressions and quick-entry words, with a fixed "now"
 * and fixed time zones.
 *
 * SPDX-License-Identifier: ISC
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "client/quick.h"
#include "client/when.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

/* 2026-11-22 15:00:00 UTC */
static const int64_t now = 1795359600000LL;
static char err[256];

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int64_t
at(const char *s, int mode, int32_t *offset)
{
	int64_t t = 0;
	int32_t off = 0;
	assert_int_equal(when_parse(s, now, mode, &t, &off, err, sizeof err), 0);
	if (offset)
		*offset = off;
	return t;
}

static void
test_relative_and_clock(void **state)
{
	(void)state;
	set_tz("UTC");
	assert_int_equal(at("now", WHEN_DATE_NOON, NULL), now);
	assert_int_equal(at("-2h", WHEN_DATE_NOON, NULL), now - 2 * HOUR);
	assert_int_equal(at("-30m", WHEN_DATE_NOON, NULL), now - 30 * MIN);
	assert_int_equal(at("-1d", WHEN_DATE_NOON, NULL), now - DAY);
	assert_int_equal(at("-90s", WHEN_DATE_NOON, NULL), now - 90000);
	/* 09:30 has passed today; 21:30 has not, so it means yesterday. */
	assert_int_equal(at("09:30", WHEN_DATE_NOON, NULL), now - 5 * HOUR - 30 * MIN);
	assert_int_equal(at("21:30", WHEN_DATE_NOON, NULL), now - DAY + 6 * HOUR + 30 * MIN);
	assert_int_equal(at("yesterday 21:30", WHEN_DATE_NOON, NULL), now - DAY + 6 * HOUR + 30 * MIN);
	assert_int_equal(at("today 08:00", WHEN_DATE_NOON, NULL), now - 7 * HOUR);
	assert_int_equal(at("yesterday", WHEN_DATE_MIDNIGHT, NULL), now - DAY - 15 * HOUR);
	assert_int_equal(at("yesterday", WHEN_DATE_NOON, NULL), now - DAY - 3 * HOUR);
	assert_int_equal(at("today", WHEN_DATE_MIDNIGHT, NULL), now - 15 * HOUR);
}

static void
test_dates_and_iso(void **state)
{
	(void)state;
	int32_t off;
	set_tz("UTC");
	assert_int_equal(at("2026-11-20", WHEN_DATE_NOON, NULL), now - 2 * DAY - 3 * HOUR);
	assert_int_equal(at("2026-11-20", WHEN_DATE_MIDNIGHT, NULL), now - 2 * DAY - 15 * HOUR);
	assert_int_equal(at("2026-11-20 21:30", WHEN_DATE_NOON, NULL), now - 2 * DAY + 6 * HOUR + 30 * MIN);
	assert_int_equal(at("2026-11-20T21:30:00+01:00", WHEN_DATE_NOON, &off), now - 2 * DAY + 5 * HOUR + 30 * MIN);
	assert_int_equal(off, 60);
	assert_int_equal(at("2026-11-20T21:30:00.250Z", WHEN_DATE_NOON, &off), now - 2 * DAY + 6 * HOUR + 30 * MIN + 250);
	assert_int_equal(off, 0);
	assert_int_equal(at("2026-11-20T21:30-0530", WHEN_DATE_NOON, &off), now - DAY - 12 * HOUR);
	assert_int_equal(off, -330);
	assert_int_equal(at("1795359600000", WHEN_DATE_NOON, NULL), now);
}

static void
test_local_zones(void **state)
{
	(void)state;
	int32_t off;
	/* Berlin in November is UTC+1: 21:30 local is 20:30 UTC. */
	set_tz("Europe/Berlin");
	assert_int_equal(at("yesterday 21:30", WHEN_DATE_NOON, &off), now - DAY + 5 * HOUR + 30 * MIN);
	assert_int_equal(off, 60);
	/* In July it is UTC+2. */
	assert_int_equal(at("2026-07-01 12:00", WHEN_DATE_NOON, &off), 1782900000000LL);
	assert_int_equal(off, 120);
	/* The offset of an ISO time is kept even when the zone differs. */
	at("2026-07-01T12:00:00-04:00", WHEN_DATE_NOON, &off);
	assert_int_equal(off, -240);
	set_tz("America/New_York");
	assert_int_equal(proto_local_offset(now), -300);
	set_tz("UTC");
}

static void
test_bad_times(void **state)
{
	(void)state;
	static const char *const bad[] = {"", "tomorrowish", "25:00", "12:61", "2026-02-30",
	    "2026-11-20T10", "2026-11-20T10:00+25:00", "-5x", "yesterday 9", "--2h", "12345",
	    "9223372036854775807", "253402300800000"};
	int64_t t;
	int32_t off;
	set_tz("UTC");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_not_equal(when_parse(bad[i], now, WHEN_DATE_NOON, &t, &off, err, sizeof err), 0);
		assert_non_null(strstr(err, "cannot read the time"));
	}
}

static void
test_iso_format_round_trip(void **state)
{
	(void)state;
	char s[48];
	when_format_iso(now, 60, s, sizeof s);
	assert_string_equal(s, "2026-11-22T16:00:00+01:00");
	when_format_iso(now + 5, -330, s, sizeof s);
	assert_string_equal(s, "2026-11-22T09:30:00.005-05:30");
	when_format_iso(now, 0, s, sizeof s);
	assert_string_equal(s, "2026-11-22T15:00:00Z");
	for (int64_t t = now - 400 * DAY; t < now; t += 7 * HOUR + 13) {
		int64_t back;
		int32_t off;
		when_format_iso(t, 330, s, sizeof s);
		assert_int_equal(when_parse(s, now, WHEN_DATE_NOON, &back, &off, err, sizeof err), 0);
		assert_int_equal(back, t);
		assert_int_equal(off, 330);
	}
}

static void
test_quick_words(void **state)
{
	(void)state;
	set_tz("UTC");
	struct quick_entry q;
	char *a1[] = {"sleep", "5.5", "sleep_quality", "2"};
	assert_int_equal(quick_parse(4, a1, now, &q, err, sizeof err), 0);
	assert_int_equal(q.count, 2);
	assert_string_equal(q.entries[0].factor, "sleep");
	assert_true(q.entries[0].value == 5.5);
	assert_true(q.entries[1].value == 2);
	assert_string_not_equal(q.entries[0].id, q.entries[1].id);
	assert_int_equal(q.entries[0].time_ms, now);

	char *a2[] = {"dairy", "alcohol", "2", "--note", "party", "--at", "-2h"};
	assert_int_equal(quick_parse(7, a2, now, &q, err, sizeof err), 0);
	assert_int_equal(q.count, 2);
	assert_true(q.entries[0].value == 1); /* an event alone is 1 */
	assert_true(q.entries[1].value == 2);
	assert_string_equal(q.entries[1].note, "party");
	assert_int_equal(q.entries[0].time_ms, now - 2 * HOUR);

	char *bad1[] = {"5", "pain"};
	assert_int_not_equal(quick_parse(2, bad1, now, &q, err, sizeof err), 0);
	assert_non_null(strstr(err, "follows no factor"));
	char *bad2[] = {"pain", "6", "7"};
	assert_int_not_equal(quick_parse(3, bad2, now, &q, err, sizeof err), 0);
	char *bad3[] = {"pain", "--loud"};
	assert_int_not_equal(quick_parse(2, bad3, now, &q, err, sizeof err), 0);
	assert_non_null(strstr(err, "--loud"));
	char *bad4[] = {"Pain!", "3"};
	assert_int_not_equal(quick_parse(2, bad4, now, &q, err, sizeof err), 0);
	char *bad5[] = {"pain", "1e400"}; /* not a finite number, nor a name */
	assert_int_not_equal(quick_parse(2, bad5, now, &q, err, sizeof err), 0);
	char *bad6[] = {"pain", "6", "--at"};
	assert_int_not_equal(quick_parse(3, bad6, now, &q, err, sizeof err), 0);
	char *bad7[] = {"pain", "6", "--at", "someday"};
	assert_int_not_equal(quick_parse(4, bad7, now, &q, err, sizeof err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative_and_clock),
		cmocka_unit_test(test_dates_and_iso),
		cmocka_unit_test(test_local_zones),
		cmocka_unit_test(test_bad_times),
		cmocka_unit_test(test_iso_format_round_trip),
		cmocka_unit_test(test_quick_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
