/*
 * clock.h: simmer's one source of wall-clock time: every file of the daemon
 * and the client that asks what time or what local day it is asks here, so
 * "today" means the same day on both sides.
 *
 * Tests set SIMMER_NOW (ISO 8601 with offset, or milliseconds) to start the
 * clock at a chosen instant; it then advances with the monotonic clock, so
 * schedules and cooldowns behave as they would, without waiting for real
 * evenings.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_COMMON_CLOCK_H
#define SIMMER_COMMON_CLOCK_H

#include <stdint.h>

/* UTC milliseconds now. */
int64_t clock_now_ms(void);
/* Milliseconds on the monotonic clock: for timeouts and intervals. */
int64_t clock_monotonic_ms(void);
/* Minutes since local midnight at an instant. */
int clock_local_minute(int64_t ms);
/* The local day (days since 1970-01-01) an instant belongs to in the
 * process's time zone, a day starting at day_start_hour. */
int32_t clock_local_day(int64_t ms, int day_start_hour);

#endif
