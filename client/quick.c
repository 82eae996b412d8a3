/*
 * quick.c: quick entries from the command line (see quick.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/help.h"
#include "client/quick.h"
#include "client/when.h"

int
quick_parse_number(const char *s, double *out)
{
	if (s[0] == '\0')
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	/* strtod also reads "nan", "inf" and hex; a person's number starts
	 * with a digit, a sign or a point. */
	char c = s[0] == '-' || s[0] == '+' ? s[1] : s[0];
	if (!((c >= '0' && c <= '9') || c == '.'))
		return -1;
	*out = v;
	return 0;
}

int
quick_parse_amount(const char *s, double *out, char *unit, size_t unitlen)
{
	size_t n = strlen(s), letters = 0;
	while (letters < n && s[n - 1 - letters] >= 'a' && s[n - 1 - letters] <= 'z')
		letters++;
	if (letters == 0 || letters == n) {
		unit[0] = '\0';
		return quick_parse_number(s, out);
	}
	if (letters >= unitlen || letters > QUICK_UNIT_MAX)
		return -1;
	char number[64];
	if (n - letters >= sizeof number)
		return -1;
	memcpy(number, s, n - letters);
	number[n - letters] = '\0';
	if (quick_parse_number(number, out) != 0)
		return -1;
	memcpy(unit, s + n - letters, letters);
	unit[letters] = '\0';
	return 0;
}

/* Names are case-insensitive: "Pain" is pain. */
static void
lowercase_name(char *out, size_t outlen, const char *w)
{
	size_t i = 0;
	for (; w[i] && i + 1 < outlen; i++)
		out[i] = (w[i] >= 'A' && w[i] <= 'Z') ? (char)(w[i] - 'A' + 'a') : w[i];
	out[i] = '\0';
}

int
quick_parse(int argc, char **argv, int64_t now_ms, struct quick_entry *q,
    char *err, size_t errlen)
{
	memset(q, 0, sizeof *q);
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (strcmp(w, "--at") == 0 || strcmp(w, "--note") == 0) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "%s needs a value", w);
				return -PROTO_E_INVALID_PARAMS;
			}
			if (w[2] == 'a')
				q->at = argv[++i];
			else
				q->note = argv[++i];
			continue;
		}
		if (strncmp(w, "--at=", 5) == 0) {
			q->at = w + 5;
			continue;
		}
		if (strncmp(w, "--note=", 7) == 0) {
			q->note = w + 7;
			continue;
		}
		if (strcmp(w, "--new") == 0) {
			q->create = true;
			continue;
		}
		if (w[0] == '-' && w[1] == '-') {
			snprintf(err, errlen, "unknown option %s for an entry (known: --at, --note, --new)", w);
			return -PROTO_E_INVALID_PARAMS;
		}
		double v;
		char unit[QUICK_UNIT_MAX + 1];
		if (quick_parse_amount(w, &v, unit, sizeof unit) == 0) {
			if (q->count == 0 || q->entries[q->count - 1].value != -INFINITY) {
				snprintf(err, errlen, "the number %s follows no factor: write the factor "
				    "first, as in 'simmer pain %s'", w, w);
				return -PROTO_E_INVALID_PARAMS;
			}
			q->entries[q->count - 1].value = v;
			snprintf(q->units[q->count - 1], sizeof q->units[0], "%s", unit);
			continue;
		}
		char name[PROTO_FACTOR_MAX + 2];
		lowercase_name(name, sizeof name, w);
		if (!proto_valid_factor_name(name)) {
			snprintf(err, errlen, "'%s' is not a factor name: letters, digits and _, "
			    "starting with a letter, at most %d long", w, PROTO_FACTOR_MAX);
			return -PROTO_E_INVALID_PARAMS;
		}
		if (command_word(name)) {
			snprintf(err, errlen, "'%s' is a command word, never a factor; 'simmer help' lists "
			    "the commands", w);
			return -PROTO_E_INVALID_PARAMS;
		}
		if (q->count == QUICK_MAX_ENTRIES) {
			snprintf(err, errlen, "at most %d factors in one entry", QUICK_MAX_ENTRIES);
			return -PROTO_E_INVALID_PARAMS;
		}
		struct entry *e = &q->entries[q->count++];
		/* A valid name fits: it is at most PROTO_FACTOR_MAX long. */
		memcpy(e->factor, name, strlen(name) + 1);
		e->value = -INFINITY; /* "no value yet"; an event's 1 is filled below */
	}
	if (q->count == 0) {
		snprintf(err, errlen, "nothing to log: name a factor, as in 'simmer pain 6'");
		return -PROTO_E_INVALID_PARAMS;
	}
	if (q->note != NULL && strlen(q->note) > PROTO_NOTE_MAX) {
		snprintf(err, errlen, "the note is longer than %d bytes", PROTO_NOTE_MAX);
		return -PROTO_E_INVALID_PARAMS;
	}
	int64_t t = now_ms;
	int32_t offset;
	if (q->at != NULL) {
		int rc = when_parse(q->at, now_ms, WHEN_DATE_NOON, &t, &offset, err, errlen);
		if (rc != 0)
			return rc;
	} else {
		offset = proto_local_offset(t);
	}
	for (size_t i = 0; i < q->count; i++) {
		struct entry *e = &q->entries[i];
		if (e->value == -INFINITY) {
			e->value = 1;
			e->no_value = true;
		}
		if (proto_uuid_v7(e->id) != 0) {
			snprintf(err, errlen, "cannot make an id: %s", strerror(errno));
			return -PROTO_E_INTERNAL;
		}
		e->time_ms = t;
		e->utc_offset_min = offset;
		e->day = -1;
		e->source = ENTRY_SOURCE_CLI;
		snprintf(e->note, sizeof e->note, "%s", q->note ? q->note : "");
	}
	return 0;
}
