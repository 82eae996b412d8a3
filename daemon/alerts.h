/*
 * alerts.h: the loop's side of alerts: applying the policy to each
 * analysis, storing every alert (through the store thread), showing it
 * (through the notifier thread), sending it to `simmer watch` subscribers,
 * and recording whether it was shown.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_ALERTS_H
#define SIMMER_DAEMON_ALERTS_H

#include <stdint.h>

#include "daemon/alert_policy.h"
#include "daemon/catalog.h"
#include "daemon/config.h"
#include "daemon/request.h"

struct simmerd;
struct conn;
struct alerts;

int alerts_start(struct alerts **out, struct simmerd *d);
/* Once the store thread has stopped. Outcomes that come while simmerd
 * stops are logged only. */
void alerts_stop(struct alerts *a);
void alerts_configure(struct alerts *a, const struct simmer_config *cfg);
/* Remembers the last risk alert (read at start) so a restart does not
 * repeat it within the cooldown. */
void alerts_restore(struct alerts *a, int64_t last_risk_alert_ms);

void alerts_on_analysis(struct alerts *a, const struct analysis_outcome *o);
/* An entry was added (never one already present): a red-flag symptom
 * logged within the last two days alerts at once. */
void alerts_entry_added(struct alerts *a, const struct factor *f, double value, int64_t time_ms);
/* The evening check-in; trial, when not NULL, is what a running
 * experiment asks today, and leads the notice. */
void alerts_checkin(struct alerts *a, const char *trial, bool logged_today);

/* Methods (rows of methods.c). */
void method_alerts(const struct request *rq, const msgpack_object *params);
void method_subscribe(const struct request *rq, const msgpack_object *params);
void method_notify_test(const struct request *rq, const msgpack_object *params);

#endif
