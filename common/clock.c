/*
 * clock.c: wall-clock time, settable for tests (see clock.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "proto/proto.h"

static bool clock_ready;
static int64_t fake_base_ms = -1, mono_base_ms;

int64_t
clock_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "2026-03-01T20:00:00Z", "...+01:00" or milliseconds. */
static int64_t
parse_now(const char *s)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (sscanf(s, "%d-%d-%dT%d:%d:%d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6) {
		struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
		    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
		int64_t t = (int64_t)timegm(&tm) * 1000;
		const char *off = s + n;
		int oh, om;
		if ((off[0] == '+' || off[0] == '-') && sscanf(off + 1, "%d:%d", &oh, &om) == 2)
			t -= (off[0] == '-' ? -1 : 1) * ((int64_t)oh * 60 + om) * 60000;
		return t;
	}
	return strtoll(s, NULL, 10);
}

int64_t
clock_now_ms(void)
{
	if (!clock_ready) {
		const char *fake = getenv("SIMMER_NOW");
		if (fake != NULL && fake[0]) {
			fake_base_ms = parse_now(fake);
			mono_base_ms = clock_monotonic_ms();
		}
		clock_ready = true;
	}
	if (fake_base_ms >= 0)
		return fake_base_ms + (clock_monotonic_ms() - mono_base_ms);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
clock_local_minute(int64_t ms)
{
	int64_t minutes = ms / 60000 - (ms % 60000 < 0) + proto_local_offset(ms);
	return (int)(((minutes % 1440) + 1440) % 1440);
}

int32_t
clock_local_day(int64_t ms, int day_start_hour)
{
	return proto_local_day(ms, proto_local_offset(ms), day_start_hour);
}
