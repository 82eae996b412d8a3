/*
 * alert.h: one alert, as the policy makes it, the store keeps it, the
 * notifier shows it and `alerts` lists it. Types only.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_ALERT_H
#define SIMMER_DAEMON_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#define ALERT_SUMMARY_MAX 159
#define ALERT_BODY_MAX 639

enum alert_urgency { URGENCY_LOW, URGENCY_NORMAL, URGENCY_CRITICAL };

struct alert {
	int64_t id;                 /* once stored */
	int64_t time_ms;
	char kind[16];              /* risk, red_flag, checkin, test */
	char level[16];             /* watch, warning, critical, info */
	int urgency;                /* enum alert_urgency; not stored */
	char category[32];          /* the notification's category; not stored */
	char summary[ALERT_SUMMARY_MAX + 1];
	char body[ALERT_BODY_MAX + 1];
	bool shown;
	char outcome[128];          /* "pending", "shown by dunst", or why not */
};

#endif
