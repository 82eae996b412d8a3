/*
 * clock.h: the daemon's one source of wall-clock time.
 *
 * Tests set SIMMER_NOW (ISO 8601 with offset, or milliseconds) to start the
 * clock at a chosen instant; it then advances with the monotonic clock, so
 * schedules and cooldowns behave as they would, without waiting for real
 * evenings.
 */
#ifndef SIMMER_DAEMON_CLOCK_H
#define SIMMER_DAEMON_CLOCK_H

#include <stdint.h>

/* UTC milliseconds now. */
int64_t clock_now_ms(void);
/* Minutes since local midnight at an instant. */
int clock_local_minute(int64_t ms);

#endif
