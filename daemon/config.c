/*
 * config.c: reading, checking and writing simmer.conf (see config.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/analysis/analysis.h"
#include "daemon/config.h"
#include "proto/limits.h"

/* How a value is written in the file. */
enum config_type {
	CONFIG_INT,    /* an int field: a whole number within [lo, hi] */
	CONFIG_REAL,   /* a double field: a number within [lo, hi] */
	CONFIG_CLOCK,  /* an int field of minutes after midnight: HH:MM */
	CONFIG_BOOL,   /* a bool field: true/false, yes/no, on/off, 1/0 */
};

#define NOT_ANALYSIS ((size_t)-1)

/* One row per key, in file order: the key, its type, where it lives in
 * struct simmer_config, its range and default, and what to say when a
 * value is refused. A key the analysis reads names its field of struct
 * analysis_config: its default is the analysis's own. Adding a key is one
 * row here (and its field in config.h). */
#define CONFIG_TABLE(X) \
	X("day.start_hour", CONFIG_INT, day_start_hour, 0, 12, 4, NOT_ANALYSIS, \
	    "an hour from 0 to 12") \
	X("analysis.flare_pain_level", CONFIG_REAL, flare_pain_level, 1, 10, 0, \
	    offsetof(struct analysis_config, flare_pain_level), "a pain level from 1 to 10") \
	X("analysis.max_lag_days", CONFIG_INT, max_lag_days, 0, ANALYSIS_MAX_LAG, 0, \
	    offsetof(struct analysis_config, max_lag_days), "0 to 7 days") \
	X("analysis.q_max", CONFIG_REAL, q_max, 0.01, 0.25, 0, \
	    offsetof(struct analysis_config, q_max), "a false-discovery level from 0.01 to 0.25") \
	X("analysis.debounce_seconds", CONFIG_INT, debounce_seconds, 0, 3600, 30, NOT_ANALYSIS, \
	    "0 to 3600 seconds") \
	X("alerts.max_false_per_30d", CONFIG_REAL, max_false_per_30d, 0.1, 10, 0, \
	    offsetof(struct analysis_config, max_false_per_30d), \
	    "0.1 to 10 false alarms per 30 days") \
	X("schedule.evening", CONFIG_CLOCK, evening_min, 0, 1439, 20 * 60, NOT_ANALYSIS, \
	    "a time HH:MM") \
	X("schedule.morning", CONFIG_CLOCK, morning_min, 0, 1439, 8 * 60, NOT_ANALYSIS, \
	    "a time HH:MM") \
	X("schedule.checkin", CONFIG_CLOCK, checkin_min, 0, 1439, 21 * 60, NOT_ANALYSIS, \
	    "a time HH:MM") \
	X("schedule.checkin_enabled", CONFIG_BOOL, checkin_enabled, 0, 1, 1, NOT_ANALYSIS, \
	    "true or false") \
	X("alerts.cooldown_hours", CONFIG_INT, cooldown_hours, 0, 168, 12, NOT_ANALYSIS, \
	    "0 to 168 hours") \
	X("alerts.quiet_start", CONFIG_CLOCK, quiet_start_min, 0, 1439, 22 * 60, NOT_ANALYSIS, \
	    "a time HH:MM") \
	X("alerts.quiet_end", CONFIG_CLOCK, quiet_end_min, 0, 1439, 8 * 60, NOT_ANALYSIS, \
	    "a time HH:MM") \
	X("notify.enabled", CONFIG_BOOL, notify_enabled, 0, 1, 1, NOT_ANALYSIS, "true or false") \
	X("connections.idle_timeout_s", CONFIG_INT, idle_timeout_s, 1, 86400, \
	    PROTO_IDLE_TIMEOUT_S, NOT_ANALYSIS, "1 to 86400 seconds") \
	X("connections.stall_timeout_s", CONFIG_INT, stall_timeout_s, 1, 600, \
	    PROTO_STALL_TIMEOUT_S, NOT_ANALYSIS, "1 to 600 seconds") \
	X("connections.max_buffered_mib", CONFIG_INT, max_buffered_mib, 1, 4096, \
	    PROTO_MAX_BUFFERED_MIB, NOT_ANALYSIS, "1 to 4096 MiB")

struct config_key {
	const char *key;
	enum config_type type;
	size_t offset;          /* in struct simmer_config */
	double lo, hi, def;
	size_t analysis_offset; /* in struct analysis_config, or NOT_ANALYSIS */
	const char *want;
};

#define CONFIG_ROW(key, type, field, lo, hi, def, aoff, want) \
	{key, type, offsetof(struct simmer_config, field), lo, hi, def, aoff, want},
#define CONFIG_KEY(key, type, field, lo, hi, def, aoff, want) key,

static const struct config_key config_table[] = {CONFIG_TABLE(CONFIG_ROW)};
const char *const config_keys[] = {CONFIG_TABLE(CONFIG_KEY) NULL};

#define CONFIG_ROWS (sizeof config_table / sizeof config_table[0])

static const struct config_key *
config_find(const char *key)
{
	for (size_t i = 0; i < CONFIG_ROWS; i++)
		if (strcmp(config_table[i].key, key) == 0)
			return &config_table[i];
	return NULL;
}

/* Stores v (already checked) in the field a row names, in the struct at base. */
static void
field_put(void *base, size_t offset, enum config_type type, double v)
{
	/* memcpy, not a cast of p: the field's type is known only here. */
	char *p = (char *)base + offset;
	bool b = v != 0;
	int i = (int)v;
	switch (type) {
	case CONFIG_REAL: memcpy(p, &v, sizeof v); break;
	case CONFIG_BOOL: memcpy(p, &b, sizeof b); break;
	default: memcpy(p, &i, sizeof i); break;
	}
}

static double
field_get(const void *base, size_t offset, enum config_type type)
{
	const char *p = (const char *)base + offset;
	double v;
	bool b;
	int i;
	switch (type) {
	case CONFIG_REAL: memcpy(&v, p, sizeof v); return v;
	case CONFIG_BOOL: memcpy(&b, p, sizeof b); return b;
	default: memcpy(&i, p, sizeof i); return i;
	}
}

void
config_defaults(struct simmer_config *c)
{
	struct analysis_config ac;
	analysis_config_default(&ac);
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < CONFIG_ROWS; i++) {
		const struct config_key *k = &config_table[i];
		double v = k->analysis_offset == NOT_ANALYSIS ? k->def
		    : field_get(&ac, k->analysis_offset, k->type);
		field_put(c, k->offset, k->type, v);
	}
}

void
config_analysis(const struct simmer_config *c, struct analysis_config *ac)
{
	analysis_config_default(ac);
	for (size_t i = 0; i < CONFIG_ROWS; i++) {
		const struct config_key *k = &config_table[i];
		if (k->analysis_offset != NOT_ANALYSIS)
			field_put(ac, k->analysis_offset, k->type, field_get(c, k->offset, k->type));
	}
}

/* Reads one value of a row's type and range; -1 when it is not one. */
static int
parse_value(const struct config_key *k, const char *v, double *out)
{
	char *end;
	errno = 0;
	switch (k->type) {
	case CONFIG_INT: {
		long x = strtol(v, &end, 10);
		if (errno || end == v || *end != '\0' || x < k->lo || x > k->hi)
			return -1;
		*out = (double)x;
		return 0;
	}
	case CONFIG_REAL: {
		double x = strtod(v, &end);
		if (errno || end == v || *end != '\0' || !(x >= k->lo && x <= k->hi))
			return -1;
		*out = x;
		return 0;
	}
	case CONFIG_CLOCK: {
		int h, m, n = 0;
		if (sscanf(v, "%d:%d%n", &h, &m, &n) != 2 || v[n] != '\0' || h < 0 || h > 23 ||
		    m < 0 || m > 59)
			return -1;
		*out = h * 60 + m;
		return 0;
	}
	case CONFIG_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1"))
			*out = 1;
		else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
			*out = 0;
		else
			return -1;
		return 0;
	}
	return -1;
}

int
config_set(struct simmer_config *c, const char *key, const char *value, char *err, size_t errlen)
{
	const struct config_key *k = config_find(key);
	if (k == NULL) {
		snprintf(err, errlen, "unknown key %s (see simmer.conf(5))", key);
		return -1;
	}
	double v;
	if (parse_value(k, value, &v) != 0) {
		snprintf(err, errlen, "%s must be %s (got '%s')", key, k->want, value);
		return -1;
	}
	field_put(c, k->offset, k->type, v);
	return 0;
}

int
config_get(const struct simmer_config *c, const char *key, char *out, size_t outlen)
{
	const struct config_key *k = config_find(key);
	if (k == NULL)
		return -1;
	double v = field_get(c, k->offset, k->type);
	switch (k->type) {
	case CONFIG_INT: snprintf(out, outlen, "%d", (int)v); break;
	case CONFIG_REAL: snprintf(out, outlen, "%g", v); break;
	case CONFIG_CLOCK: snprintf(out, outlen, "%02d:%02d", (int)v / 60, (int)v % 60); break;
	case CONFIG_BOOL: snprintf(out, outlen, "%s", v != 0 ? "true" : "false"); break;
	}
	return 0;
}

struct load_state {
	struct simmer_config *c;
	char *err;
	size_t errlen;
	bool failed;
};

/* A bad value returns 0, which makes inih report that line's number. */
static int
on_ini_value(void *user, const char *section, const char *name, const char *value)
{
	struct load_state *s = user;
	char key[128];
	snprintf(key, sizeof key, "%s.%s", section, name);
	if (config_set(s->c, key, value, s->err, s->errlen) != 0) {
		s->failed = true;
		return 0;
	}
	return 1;
}

int
config_load(const char *path, struct simmer_config *c, char *err, size_t errlen)
{
	struct simmer_config fresh;
	config_defaults(&fresh);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT) {
			*c = fresh;
			return 0;
		}
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	struct load_state s = {&fresh, err, errlen, false};
	int rc = ini_parse_file(f, on_ini_value, &s);
	fclose(f);
	if (s.failed) {
		char detail[256];
		snprintf(detail, sizeof detail, "%s", err);
		snprintf(err, errlen, "%s line %d: %s", path, rc, detail);
		return -1;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: line %d is not KEY = VALUE or [section]", path, rc);
		return -1;
	}
	*c = fresh;
	return 0;
}

int
config_save(const char *path, const struct simmer_config *c, char *err, size_t errlen)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (f == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "# simmer.conf: written by 'simmer config set'; see simmer.conf(5).\n");
	char section[32] = "";
	for (int i = 0; config_keys[i]; i++) {
		const char *dot = strchr(config_keys[i], '.');
		char sec[32], value[64];
		snprintf(sec, sizeof sec, "%.*s", (int)(dot - config_keys[i]), config_keys[i]);
		if (strcmp(sec, section) != 0) {
			fprintf(f, "\n[%s]\n", sec);
			snprintf(section, sizeof section, "%s", sec);
		}
		config_get(c, config_keys[i], value, sizeof value);
		fprintf(f, "%s = %s\n", dot + 1, value);
	}
	int rc = (fflush(f) == 0 && fsync(fileno(f)) == 0) ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	return rc;
}
