/*
 * config.c: reading, checking and writing simmer.conf (see config.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"

const char *const config_keys[] = {
	"day.start_hour", "analysis.flare_pain_level", "analysis.max_lag_days", "analysis.q_max",
	"analysis.debounce_seconds", "alerts.max_false_per_30d", "schedule.evening", "schedule.morning", "schedule.checkin",
	"schedule.checkin_enabled", "alerts.cooldown_hours", "alerts.quiet_start",
	"alerts.quiet_end", "notify.enabled", NULL,
};

void
config_defaults(struct simmer_config *c)
{
	c->day_start_hour = 4;
	c->flare_pain_level = 7;
	c->max_lag_days = 3;
	c->q_max = 0.10;
	c->debounce_seconds = 30;
	c->max_false_per_30d = 1;
	c->evening_min = 20 * 60;
	c->morning_min = 8 * 60;
	c->checkin_min = 21 * 60;
	c->checkin_enabled = true;
	c->cooldown_hours = 12;
	c->quiet_start_min = 22 * 60;
	c->quiet_end_min = 8 * 60;
	c->notify_enabled = true;
}

static int
parse_int(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0' || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static int
parse_real(const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (errno || end == v || *end != '\0' || !(x >= lo && x <= hi))
		return -1;
	*out = x;
	return 0;
}

static int
parse_clock(const char *v, int *minutes)
{
	int h, m, n = 0;
	if (sscanf(v, "%d:%d%n", &h, &m, &n) != 2 || v[n] != '\0' || h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

static int
parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

int
config_set(struct simmer_config *c, const char *key, const char *value, char *err, size_t errlen)
{
	long l;
	double d;
	int rc = -1;
	const char *want = "";
	if (!strcmp(key, "day.start_hour")) {
		want = "an hour from 0 to 12";
		if ((rc = parse_int(value, 0, 12, &l)) == 0)
			c->day_start_hour = (int)l;
	} else if (!strcmp(key, "analysis.flare_pain_level")) {
		want = "a pain level from 1 to 10";
		rc = parse_real(value, 1, 10, &c->flare_pain_level);
	} else if (!strcmp(key, "analysis.max_lag_days")) {
		want = "0 to 7 days";
		if ((rc = parse_int(value, 0, 7, &l)) == 0)
			c->max_lag_days = (int)l;
	} else if (!strcmp(key, "analysis.q_max")) {
		want = "a false-discovery level from 0.01 to 0.25";
		if ((rc = parse_real(value, 0.01, 0.25, &d)) == 0)
			c->q_max = d;
	} else if (!strcmp(key, "analysis.debounce_seconds")) {
		want = "0 to 3600 seconds";
		if ((rc = parse_int(value, 0, 3600, &l)) == 0)
			c->debounce_seconds = (int)l;
	} else if (!strcmp(key, "alerts.max_false_per_30d")) {
		want = "0.1 to 10 false alarms per 30 days";
		rc = parse_real(value, 0.1, 10, &c->max_false_per_30d);
	} else if (!strcmp(key, "schedule.evening")) {
		want = "a time HH:MM";
		rc = parse_clock(value, &c->evening_min);
	} else if (!strcmp(key, "schedule.morning")) {
		want = "a time HH:MM";
		rc = parse_clock(value, &c->morning_min);
	} else if (!strcmp(key, "schedule.checkin")) {
		want = "a time HH:MM";
		rc = parse_clock(value, &c->checkin_min);
	} else if (!strcmp(key, "schedule.checkin_enabled")) {
		want = "true or false";
		rc = parse_bool(value, &c->checkin_enabled);
	} else if (!strcmp(key, "alerts.cooldown_hours")) {
		want = "0 to 168 hours";
		if ((rc = parse_int(value, 0, 168, &l)) == 0)
			c->cooldown_hours = (int)l;
	} else if (!strcmp(key, "alerts.quiet_start")) {
		want = "a time HH:MM";
		rc = parse_clock(value, &c->quiet_start_min);
	} else if (!strcmp(key, "alerts.quiet_end")) {
		want = "a time HH:MM";
		rc = parse_clock(value, &c->quiet_end_min);
	} else if (!strcmp(key, "notify.enabled")) {
		want = "true or false";
		rc = parse_bool(value, &c->notify_enabled);
	} else {
		snprintf(err, errlen, "unknown key %s (see simmer.conf(5))", key);
		return -1;
	}
	if (rc != 0)
		snprintf(err, errlen, "%s must be %s (got '%s')", key, want, value);
	return rc;
}

int
config_get(const struct simmer_config *c, const char *key, char *out, size_t outlen)
{
	if (!strcmp(key, "day.start_hour")) snprintf(out, outlen, "%d", c->day_start_hour);
	else if (!strcmp(key, "analysis.flare_pain_level")) snprintf(out, outlen, "%g", c->flare_pain_level);
	else if (!strcmp(key, "analysis.max_lag_days")) snprintf(out, outlen, "%d", c->max_lag_days);
	else if (!strcmp(key, "analysis.q_max")) snprintf(out, outlen, "%g", c->q_max);
	else if (!strcmp(key, "analysis.debounce_seconds")) snprintf(out, outlen, "%d", c->debounce_seconds);
	else if (!strcmp(key, "alerts.max_false_per_30d")) snprintf(out, outlen, "%g", c->max_false_per_30d);
	else if (!strcmp(key, "schedule.evening")) snprintf(out, outlen, "%02d:%02d", c->evening_min / 60, c->evening_min % 60);
	else if (!strcmp(key, "schedule.morning")) snprintf(out, outlen, "%02d:%02d", c->morning_min / 60, c->morning_min % 60);
	else if (!strcmp(key, "schedule.checkin")) snprintf(out, outlen, "%02d:%02d", c->checkin_min / 60, c->checkin_min % 60);
	else if (!strcmp(key, "schedule.checkin_enabled")) snprintf(out, outlen, "%s", c->checkin_enabled ? "true" : "false");
	else if (!strcmp(key, "alerts.cooldown_hours")) snprintf(out, outlen, "%d", c->cooldown_hours);
	else if (!strcmp(key, "alerts.quiet_start")) snprintf(out, outlen, "%02d:%02d", c->quiet_start_min / 60, c->quiet_start_min % 60);
	else if (!strcmp(key, "alerts.quiet_end")) snprintf(out, outlen, "%02d:%02d", c->quiet_end_min / 60, c->quiet_end_min % 60);
	else if (!strcmp(key, "notify.enabled")) snprintf(out, outlen, "%s", c->notify_enabled ? "true" : "false");
	else return -1;
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
