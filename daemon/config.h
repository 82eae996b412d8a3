/*
 * config.h: simmerd's configuration file, $XDG_CONFIG_HOME/simmer/simmer.conf,
 * an INI file read with inih. Every key has a default; a missing file means
 * all defaults; a bad value is refused with its line number and the caller
 * keeps its old configuration.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_CONFIG_H
#define SIMMER_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct simmer_config {
	int day_start_hour;              /* [day] start_hour = 4 */
	double flare_pain_level;         /* [analysis] flare_pain_level = 7 */
	int max_lag_days;                /* [analysis] max_lag_days = 3 */
	double q_max;                    /* [analysis] q_max = 0.10 */
	int debounce_seconds;            /* [analysis] debounce_seconds = 30 */
	double max_false_per_30d;        /* [alerts] max_false_per_30d = 1 */
	int evening_min, morning_min;    /* [schedule] evening = 20:00, morning = 08:00 */
	int checkin_min;                 /* [schedule] checkin = 21:00 */
	bool checkin_enabled;            /* [schedule] checkin_enabled = true */
	int cooldown_hours;              /* [alerts] cooldown_hours = 12 */
	int quiet_start_min, quiet_end_min; /* [alerts] quiet_start = 22:00, quiet_end = 08:00 */
	bool notify_enabled;             /* [notify] enabled = true */
	int idle_timeout_s;              /* [connections] idle_timeout_s = 60 */
	int stall_timeout_s;             /* [connections] stall_timeout_s = 10 */
	int max_buffered_mib;            /* [connections] max_buffered_mib = 64 */
};

struct analysis_config;

void config_defaults(struct simmer_config *c);
/* The analysis's settings from the configuration. */
void config_analysis(const struct simmer_config *c, struct analysis_config *ac);
/* Reads path into c (starting from defaults). A missing file is fine.
 * Returns 0 or -1 with a message naming the line. */
int config_load(const char *path, struct simmer_config *c, char *err, size_t errlen);
/* Sets "section.key" to value after checking it; -1 with a message. */
int config_set(struct simmer_config *c, const char *key, const char *value, char *err, size_t errlen);
/* The value of "section.key" as text; -1 when there is no such key. */
int config_get(const struct simmer_config *c, const char *key, char *out, size_t outlen);
/* Every key, in file order, for listing. */
extern const char *const config_keys[];
/* Writes c to path atomically (a temporary file renamed over it). */
int config_save(const char *path, const struct simmer_config *c, char *err, size_t errlen);

#endif
