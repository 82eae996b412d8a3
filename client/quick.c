/*
 * quick.c: quick entries from the command line (see quick.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		if (w[0] == '-' && w[1] == '-') {
			snprintf(err, errlen, "unknown option %s for an entry (known: --at, --note)", w);
			return -PROTO_E_INVALID_PARAMS;
		}
		double v;
		if (quick_parse_number(w, &v) == 0) {
			if (q->count == 0 || q->entries[q->count - 1].value != -INFINITY) {
				snprintf(err, errlen, "the number %s follows no factor: write the factor "
				    "first, as in 'simmer pain %s'", w, w);
				return -PROTO_E_INVALID_PARAMS;
			}
			q->entries[q->count - 1].value = v;
			continue;
		}
		if (!proto_valid_factor_name(w)) {
			snprintf(err, errlen, "'%s' is not a factor name: lowercase letters, digits and _, "
			    "starting with a letter, at most %d long", w, PROTO_FACTOR_MAX);
			return -PROTO_E_INVALID_PARAMS;
		}
		if (q->count == QUICK_MAX_ENTRIES) {
			snprintf(err, errlen, "at most %d factors in one entry", QUICK_MAX_ENTRIES);
			return -PROTO_E_INVALID_PARAMS;
		}
		struct entry *e = &q->entries[q->count++];
		snprintf(e->factor, sizeof e->factor, "%s", w);
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
