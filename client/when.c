/*
 * when.c: time expressions (see when.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/when.h"
#include "proto/proto.h"

#define MS_PER_MIN 60000LL
#define MS_PER_DAY 86400000LL
/* 9999-12-31T23:59:59.999Z */
#define WHEN_MS_MAX 253402300799999LL

static int
when_fail(char *err, size_t errlen, const char *s)
{
	snprintf(err, errlen, "cannot read the time '%s': use HH:MM, yesterday [HH:MM], -2h, -30m, "
	    "YYYY-MM-DD [HH:MM], or ISO 8601 such as 2026-11-20T21:30+01:00", s);
	return -PROTO_E_INVALID_PARAMS;
}

/* A local wall-clock time to an instant; -1 on failure. */
static int
local_instant(int year, int mon, int mday, int hour, int min, int sec, int64_t *out)
{
	struct tm tm = {0};
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	errno = 0;
	time_t t = mktime(&tm);
	if (t == (time_t)-1 && errno != 0)
		return -1;
	*out = (int64_t)t * 1000;
	return 0;
}

/* "HH:MM" or "HH:MM:SS" exactly; fills h, m, s. */
static bool
parse_clock(const char *s, int *h, int *m, int *sec)
{
	int n = 0;
	*sec = 0;
	if (sscanf(s, "%2d:%2d%n", h, m, &n) != 2)
		return false;
	if (s[n] == ':') {
		int n2 = 0;
		if (sscanf(s + n + 1, "%2d%n", sec, &n2) != 1)
			return false;
		n += 1 + n2;
	}
	if (n < 4 || s[n] != '\0' || !isdigit((unsigned char)s[0]))
		return false;
	return *h >= 0 && *h <= 23 && *m >= 0 && *m <= 59 && *sec >= 0 && *sec <= 60;
}

/* Today (offset_days 0) or an earlier day, at a clock time, local. */
static int
day_at(int64_t now_ms, int offset_days, int h, int m, int s, int64_t *out)
{
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	return local_instant(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday - offset_days, h, m, s, out);
}

static bool
parse_relative(const char *s, int64_t now_ms, int64_t *out)
{
	if (s[0] != '-' || !isdigit((unsigned char)s[1]))
		return false;
	char *end;
	errno = 0;
	long long n = strtoll(s + 1, &end, 10);
	if (errno != 0 || n > 100000)
		return false;
	long long unit;
	if (strcmp(end, "s") == 0) unit = 1000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0) unit = MS_PER_MIN;
	else if (strcmp(end, "h") == 0) unit = 60 * MS_PER_MIN;
	else if (strcmp(end, "d") == 0) unit = MS_PER_DAY;
	else if (strcmp(end, "w") == 0) unit = 7 * MS_PER_DAY;
	else return false;
	*out = now_ms - n * unit;
	return true;
}

/* "+01:00", "-0530", "+01", "Z"; fills minutes east. */
static bool
parse_offset(const char *s, int *minutes)
{
	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0) {
		*minutes = 0;
		return true;
	}
	if (s[0] != '+' && s[0] != '-')
		return false;
	int sign = s[0] == '-' ? -1 : 1;
	const char *p = s + 1;
	int hh, mm = 0;
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
		return false;
	hh = (p[0] - '0') * 10 + (p[1] - '0');
	p += 2;
	if (*p == ':')
		p++;
	if (*p != '\0') {
		if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2] != '\0')
			return false;
		mm = (p[0] - '0') * 10 + (p[1] - '0');
	}
	if (hh > 18 || mm > 59)
		return false;
	*minutes = sign * (hh * 60 + mm);
	return true;
}

/* YYYY-MM-DD, then optionally [T or space]HH:MM[:SS[.fff]][offset]. */
static int
parse_datetime(const char *s, int date_mode, int64_t *out, int32_t *offset_out, bool *has_offset)
{
	int y, mo, d, n = 0;
	*has_offset = false;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	char date[11];
	memcpy(date, s, 10);
	date[10] = '\0';
	int32_t day;
	if (proto_day_parse(date, &day) != 0)
		return -1;
	const char *p = s + 10;
	if (*p == '\0')
		return local_instant(y, mo, d, date_mode == WHEN_DATE_NOON ? 12 : 0, 0, 0, out);
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	int h, mi, sec = 0, ms = 0, k = 0;
	if (sscanf(p, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5)
		return -1;
	p += k;
	if (*p == ':') {
		if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
			return -1;
		sec = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == '.' || *p == ',') {
			p++;
			int digits = 0;
			while (isdigit((unsigned char)*p)) {
				if (digits < 3)
					ms = ms * 10 + (*p - '0');
				digits++;
				p++;
			}
			if (digits == 0)
				return -1;
			for (; digits < 3; digits++)
				ms *= 10;
		}
	}
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*p == '\0')
		return local_instant(y, mo, d, h, mi, sec, out) == 0 ? (*out += ms, 0) : -1;
	int off;
	if (!parse_offset(p, &off))
		return -1;
	int64_t utc = (int64_t)day * MS_PER_DAY + ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + ms;
	*out = utc - (int64_t)off * MS_PER_MIN;
	*offset_out = off;
	*has_offset = true;
	return 0;
}

int
when_parse(const char *s, int64_t now_ms, int date_mode, int64_t *out_ms,
    int32_t *out_offset_min, char *err, size_t errlen)
{
	int64_t t = 0;
	int h, m, sec;
	bool has_offset = false;
	int32_t offset = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (strcmp(s, "now") == 0) {
		t = now_ms;
	} else if (parse_clock(s, &h, &m, &sec)) {
		if (day_at(now_ms, 0, h, m, sec, &t) != 0)
			return when_fail(err, errlen, s);
		/* A clock time still ahead today means the last one that passed. */
		if (t > now_ms && day_at(now_ms, 1, h, m, sec, &t) != 0)
			return when_fail(err, errlen, s);
	} else if (strncmp(s, "today", 5) == 0 || strncmp(s, "yesterday", 9) == 0) {
		int back = s[0] == 'y' ? 1 : 0;
		const char *rest = s + (back ? 9 : 5);
		if (*rest == '\0') {
			h = date_mode == WHEN_DATE_NOON ? 12 : 0;
			m = sec = 0;
			if (back == 0 && date_mode == WHEN_DATE_NOON) {
				t = now_ms; /* "today" alone when logging is simply now */
				goto done;
			}
		} else if (*rest != ' ' || !parse_clock(rest + 1, &h, &m, &sec)) {
			return when_fail(err, errlen, s);
		}
		if (day_at(now_ms, back, h, m, sec, &t) != 0)
			return when_fail(err, errlen, s);
	} else if (parse_relative(s, now_ms, &t)) {
		/* done */
	} else if (isdigit((unsigned char)s[0]) && strlen(s) >= 12 && strspn(s, "0123456789") == strlen(s)) {
		errno = 0;
		long long v = strtoll(s, NULL, 10);
		/* Instants past the year 9999 have no date to show or store. */
		if (errno != 0 || v > WHEN_MS_MAX)
			return when_fail(err, errlen, s);
		t = v;
	} else if (parse_datetime(s, date_mode, &t, &offset, &has_offset) != 0) {
		return when_fail(err, errlen, s);
	}
done:
	*out_ms = t;
	*out_offset_min = has_offset ? offset : proto_local_offset(t);
	return 0;
}

void
when_format_iso(int64_t ms, int32_t offset_min, char *out, size_t outlen)
{
	int64_t local = ms + (int64_t)offset_min * MS_PER_MIN;
	int64_t day = local >= 0 ? local / MS_PER_DAY : -((-local + MS_PER_DAY - 1) / MS_PER_DAY);
	int64_t in_day = local - day * MS_PER_DAY;
	char date[11];
	proto_day_format((int32_t)day, date);
	int hh = (int)(in_day / 3600000), mm = (int)(in_day / 60000 % 60);
	int ss = (int)(in_day / 1000 % 60), frac = (int)(in_day % 1000);
	char off[8];
	if (offset_min == 0) {
		snprintf(off, sizeof off, "Z");
	} else {
		int a = offset_min < 0 ? -offset_min : offset_min;
		snprintf(off, sizeof off, "%c%02d:%02d", offset_min < 0 ? '-' : '+', (a / 60) % 100, a % 60);
	}
	if (frac != 0)
		snprintf(out, outlen, "%sT%02d:%02d:%02d.%03d%s", date, hh, mm, ss, frac, off);
	else
		snprintf(out, outlen, "%sT%02d:%02d:%02d%s", date, hh, mm, ss, off);
}
