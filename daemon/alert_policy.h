/*
 * alert_policy.h: when simmer speaks up, and what it says. Pure: the time,
 * the analysis outcome and the remembered state come in as arguments.
 *
 * A risk alert fires when the level rises to watch or warning, not every
 * time the analysis runs: after an alert the level must fall back to ok
 * before the same episode can alert again (hysteresis), at most one risk
 * alert per cooldown, and none in quiet hours (it waits for their end).
 * Red-flag symptoms always alert at once, critical, even in quiet hours.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_ALERT_POLICY_H
#define SIMMER_DAEMON_ALERT_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/alert.h"
#include "daemon/analysis_service.h"

struct alert_state {
	bool armed;                 /* the level was ok since the last risk alert */
	int64_t last_alert_ms;      /* 0: never */
	int64_t snoozed_until_ms;   /* "Snooze today" */
};

struct alert_policy_config {
	int cooldown_hours;
	int quiet_start_min, quiet_end_min;  /* local minutes; start == end: none */
};

enum alert_decision { ALERT_NONE, ALERT_NOW, ALERT_DEFER };

/* Decides on an analysis outcome. For ALERT_NOW the alert is filled and the
 * state updated; for ALERT_DEFER *retry_ms says when to ask again. */
int alert_policy_decide(const struct alert_policy_config *cfg, struct alert_state *st,
    const struct analysis_outcome *o, int64_t now_ms, int local_minute, struct alert *out,
    int64_t *retry_ms);

/* The alert for a red-flag symptom (factor name as logged). */
void alert_red_flag(const char *factor, int64_t now_ms, struct alert *out);
/* The evening check-in reminder. */
/* The evening check-in; trial (or NULL) is a running experiment's line for
 * today, and logged_today whether the day has an entry. */
void alert_checkin(int64_t now_ms, const char *trial, bool logged_today, struct alert *out);

/* Whether a local minute lies in quiet hours (which may wrap midnight),
 * and how many minutes remain until they end. */
bool alert_in_quiet_hours(const struct alert_policy_config *cfg, int local_minute,
    int *minutes_left);

#endif
