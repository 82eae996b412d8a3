/*
 * watchdog.h: systemd watchdog pings from the loop (see watchdog.c).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_WATCHDOG_H
#define SIMMER_DAEMON_WATCHDOG_H

#include "daemon/daemon.h"

/* Starts pinging when systemd asked for it (WATCHDOG_USEC); else nothing. */
void watchdog_start(struct simmerd *d);
void watchdog_stop(void);

#endif
