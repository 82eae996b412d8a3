/*
 * alerts.h: the loop's side of alerts: applying the policy to each
 * analysis, storing every alert (through the store thread), showing it
 * (through the notifier thread), sending it to `simmer watch` subscribers,
 * and recording whether it was shown.
 */
#ifndef SIMMER_DAEMON_ALERTS_H
#define SIMMER_DAEMON_ALERTS_H

#include <stdint.h>

#include "daemon/alert_policy.h"
#include "daemon/config.h"

struct simmerd;
struct conn;
struct alerts;

int alerts_start(struct alerts **out, struct simmerd *d);
void alerts_stop(struct alerts *a);
void alerts_configure(struct alerts *a, const struct simmer_config *cfg);
/* Remembers the last risk alert (read at start) so a restart does not
 * repeat it within the cooldown. */
void alerts_restore(struct alerts *a, int64_t last_risk_alert_ms);

void alerts_on_analysis(struct alerts *a, const struct analysis_outcome *o);
void alerts_red_flag(struct alerts *a, const char *factor);
void alerts_checkin(struct alerts *a);

/* Methods. */
void alerts_list(struct alerts *a, struct conn *c, uint32_t msgid, uint32_t limit);
void alerts_subscribe(struct alerts *a, struct conn *c, uint32_t msgid);
void alerts_notify_test(struct alerts *a, struct conn *c, uint32_t msgid);

#endif
