/*
 * watchdog.c: systemd's watchdog pings, sent from the loop thread.
 *
 * With WatchdogSec= in the unit, systemd passes WATCHDOG_USEC and restarts
 * simmerd when no WATCHDOG=1 arrives in time. The pings come from a loop
 * timer, so a loop that is stuck (on a message, a lock, a bug) stops them
 * and gets simmerd restarted; without the variable there is no timer, so an
 * idle simmerd started by hand still makes no system calls.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdbool.h>

#include <systemd/sd-daemon.h>

#include "daemon/log.h"
#include "daemon/watchdog.h"

static struct {
	uv_timer_t timer;
	bool started;
} watchdog;

static void
on_ping(uv_timer_t *t)
{
	(void)t;
	sd_notify(0, "WATCHDOG=1");
}

void
watchdog_start(struct simmerd *d)
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return;
	/* Twice per period, as sd_watchdog_enabled(3) advises. */
	uint64_t every_ms = usec / 2000;
	if (every_ms == 0)
		every_ms = 1;
	int rc = uv_timer_init(d->loop, &watchdog.timer);
	if (rc != 0) {
		/* Without pings systemd would restart a healthy daemon. */
		log_error("cannot start the watchdog timer: %s", uv_strerror(rc));
		return;
	}
	watchdog.started = true;
	rc = uv_timer_start(&watchdog.timer, on_ping, 0, every_ms);
	if (rc != 0) {
		log_error("cannot start the watchdog timer: %s", uv_strerror(rc));
		return;
	}
	log_debug("watchdog pings every %llu ms", (unsigned long long)every_ms);
}

void
watchdog_stop(void)
{
	if (!watchdog.started)
		return;
	watchdog.started = false;
	uv_close((uv_handle_t *)&watchdog.timer, NULL);
}
