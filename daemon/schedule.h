/*
 * schedule.h: the daily schedule: the evening forecast, the morning outlook
 * and the check-in reminder, at the local times of the configuration.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_SCHEDULE_H
#define SIMMER_DAEMON_SCHEDULE_H

#include <stdint.h>

struct simmerd;
struct schedule;

/* Arms the timer for the next due event. last_entry_day is the newest local
 * day with an entry in the file and last_checkin_day that of the last
 * check-in reminder (the check-in comes once a day, on a day with nothing
 * logged). 0 or a negative proto_error with a message. */
int schedule_start(struct schedule **out, struct simmerd *d, int32_t last_entry_day,
    int32_t last_checkin_day, char *err, size_t errlen);
void schedule_stop(struct schedule *s);
/* The configured times changed. */
void schedule_rearm(struct schedule *s);
/* An entry of local day `day` was added: no check-in reminder that day. */
void schedule_entry_added(struct schedule *s, int32_t day);

#endif
