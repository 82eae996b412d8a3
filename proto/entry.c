/*
 * entry.c: the entry codec and the small validations both sides share:
 * UUIDs, factor names, UTF-8 notes, days.
 *
 * Range checks against the factor catalog are the daemon's, not this file's.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "proto/proto.h"

/* Offsets in force anywhere on Earth lie within +-18 hours. */
#define PROTO_MAX_UTC_OFFSET_MIN (18 * 60)

static const char *const source_names[] = {"cli", "import", "spool"};

const char *
entry_source_name(int source)
{
	if (source < 0 || source > ENTRY_SOURCE_SPOOL)
		return "cli";
	return source_names[source];
}

int
entry_source_parse(const char *name)
{
	for (int i = 0; i <= ENTRY_SOURCE_SPOOL; i++)
		if (strcmp(name, source_names[i]) == 0)
			return i;
	return -1;
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool
proto_valid_uuid(const char *s)
{
	for (int i = 0; i < PROTO_ID_LEN; i++) {
		bool dash = (i == 8 || i == 13 || i == 18 || i == 23);
		if (s[i] == '\0')
			return false;
		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return false;
	}
	return s[PROTO_ID_LEN] == '\0';
}

bool
proto_valid_factor_name(const char *s)
{
	if (s[0] < 'a' || s[0] > 'z')
		return false;
	size_t i = 1;
	for (; s[i] != '\0'; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
		if (i >= PROTO_FACTOR_MAX)
			return false;
	}
	return true;
}

size_t
proto_typo_distance(const char *name)
{
	return strlen(name) <= 5 ? 1 : 2;
}

size_t
proto_name_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > PROTO_FACTOR_MAX || lb > PROTO_FACTOR_MAX)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	size_t d[PROTO_FACTOR_MAX + 1][PROTO_FACTOR_MAX + 1];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = a[i - 1] | 0x20, cb = b[j - 1] | 0x20;
			size_t cost = ca != cb;
			size_t best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && ca == (b[j - 2] | 0x20) && (a[i - 2] | 0x20) == cb &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/*
 * Random bytes for ids, drawn from getrandom() for a few hundred ids at a
 * time: one system call per id was a sixth of the client's time in an
 * import. The pool is per thread. A process that forked and went on
 * without exec would repeat its parent's next ids; simmer's processes only
 * fork to exec.
 */
#define UUID_POOL_BYTES 2560
static _Thread_local unsigned char uuid_pool[UUID_POOL_BYTES];
static _Thread_local size_t uuid_pool_used = UUID_POOL_BYTES;

static int
uuid_random(unsigned char *out, size_t n)
{
	if (uuid_pool_used + n > UUID_POOL_BYTES) {
		size_t got = 0;
		while (got < UUID_POOL_BYTES) {
			ssize_t r = getrandom(uuid_pool + got, UUID_POOL_BYTES - got, 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			got += (size_t)r;
		}
		uuid_pool_used = 0;
	}
	memcpy(out, uuid_pool + uuid_pool_used, n);
	/* Bytes handed out are not kept. */
	memset(uuid_pool + uuid_pool_used, 0, n);
	uuid_pool_used += n;
	return 0;
}

int
proto_uuid_v7(char out[PROTO_ID_LEN + 1])
{
	unsigned char b[16];
	int rc = uuid_random(b + 6, sizeof b - 6);
	if (rc != 0)
		return rc;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x70); /* version 7 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 9562 variant */
	static const char hex[] = "0123456789abcdef";
	char *p = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 0x0f];
	}
	*p = '\0';
	return 0;
}

/* Strict UTF-8: no overlongs, no surrogates, nothing past U+10FFFF. */
static bool
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c == 0)
				return false;
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
		else return false;
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int32_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int64_t)doe - 719468);
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void
proto_day_format(int32_t day, char out[11])
{
	int64_t y;
	unsigned m, d;
	civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(out, 11, "0000-00-00");
		return;
	}
	snprintf(out, 11, "%04d-%02u-%02u", (int)y, m % 13, d % 32);
}

int
proto_day_parse(const char *s, int32_t *day)
{
	unsigned y, m, d;
	int n = 0;
	if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%n", &y, &m, &d, &n) != 3 || n != 10)
		return -PROTO_E_INVALID_PARAMS;
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		return -PROTO_E_INVALID_PARAMS;
	*day = days_from_civil(y, m, d);
	return 0;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int32_t
proto_local_offset(int64_t time_ms)
{
	time_t t = (time_t)(time_ms / 1000);
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int32_t)(tm.tm_gmtoff / 60);
}

int32_t
proto_local_day(int64_t time_ms, int32_t utc_offset_min, int day_start_hour)
{
	int64_t local_ms = time_ms + (int64_t)utc_offset_min * 60000 -
	    (int64_t)day_start_hour * 3600000;
	return (int32_t)floor_div(local_ms, 86400000);
}

/* The entry map with `extra` more pairs, which the caller packs after it. */
static int
entry_pack(msgpack_packer *pk, const struct entry *e, bool with_stored, size_t extra)
{
	bool has_note = e->note[0] != '\0';
	bool has_value = !e->no_value || with_stored;
	size_t n = 5 + (has_value ? 1 : 0) + (has_note ? 1 : 0) + (with_stored ? 2 : 0) + extra;
	int rc = msgpack_pack_map(pk, n);
	rc |= proto_pack_kv_str(pk, "id", e->id);
	rc |= proto_pack_kv_int(pk, "time", e->time_ms);
	rc |= proto_pack_kv_int(pk, "utc_offset", e->utc_offset_min);
	rc |= proto_pack_kv_str(pk, "factor", e->factor);
	if (has_value)
		rc |= proto_pack_kv_double(pk, "value", e->value);
	if (has_note)
		rc |= proto_pack_kv_str(pk, "note", e->note);
	rc |= proto_pack_kv_str(pk, "source", entry_source_name(e->source));
	if (with_stored) {
		char day[11];
		proto_day_format(e->day, day);
		rc |= proto_pack_kv_str(pk, "day", day);
		rc |= proto_pack_kv_bool(pk, "deleted", e->deleted);
	}
	return rc ? -PROTO_E_INTERNAL : 0;
}

int
proto_entry_pack(msgpack_packer *pk, const struct entry *e, bool with_stored)
{
	return entry_pack(pk, e, with_stored, 0);
}

int
proto_spool_record_pack(msgpack_packer *pk, const struct entry *e, bool create_factor)
{
	int rc = entry_pack(pk, e, false, create_factor ? 1 : 0);
	if (rc == 0 && create_factor && proto_pack_kv_bool(pk, "create_factor", true) != 0)
		rc = -PROTO_E_INTERNAL;
	return rc;
}

int
proto_entry_unpack(const msgpack_object *o, struct entry *e, char *err, size_t errlen)
{
	memset(e, 0, sizeof *e);
	e->day = -1;
	if (o->type != MSGPACK_OBJECT_MAP) {
		snprintf(err, errlen, "an entry must be a map");
		return -PROTO_E_INVALID_PARAMS;
	}
	int rc;
	int64_t offset = 0;
	char source[16];
	if ((rc = proto_get_str(o, "id", true, e->id, sizeof e->id, err, errlen)) != 0)
		return rc;
	if (!proto_valid_uuid(e->id)) {
		snprintf(err, errlen, "\"id\" must be a UUID like 123e4567-e89b-42d3-a456-426614174000");
		return -PROTO_E_INVALID_PARAMS;
	}
	for (char *p = e->id; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	if ((rc = proto_get_int(o, "time", true, &e->time_ms, err, errlen)) != 0)
		return rc;
	rc = proto_get_int(o, "utc_offset", false, &offset, err, errlen);
	if (rc == -PROTO_E_INVALID_PARAMS)
		return rc;
	if (offset < -PROTO_MAX_UTC_OFFSET_MIN || offset > PROTO_MAX_UTC_OFFSET_MIN) {
		snprintf(err, errlen, "\"utc_offset\" must be minutes between -1080 and 1080");
		return -PROTO_E_INVALID_PARAMS;
	}
	e->utc_offset_min = (int32_t)offset;
	const msgpack_object *f = proto_map_get(o, "factor");
	if (f == NULL || proto_obj_str(f, e->factor, sizeof e->factor) != 0 ||
	    !proto_valid_factor_name(e->factor)) {
		snprintf(err, errlen, "\"factor\" must be a name of lowercase letters, digits and _, "
		    "starting with a letter, at most %d long", PROTO_FACTOR_MAX);
		return -PROTO_E_INVALID_PARAMS;
	}
	rc = proto_get_double(o, "value", false, &e->value, err, errlen);
	if (rc == -PROTO_E_INVALID_PARAMS)
		return rc;
	e->no_value = rc == -PROTO_E_NOT_FOUND;
	if (e->no_value)
		e->value = 1;
	const msgpack_object *note = proto_map_get(o, "note");
	if (note != NULL && note->type != MSGPACK_OBJECT_NIL) {
		if (note->type != MSGPACK_OBJECT_STR || note->via.str.size > PROTO_NOTE_MAX) {
			snprintf(err, errlen, "\"note\" must be a string of at most %d bytes", PROTO_NOTE_MAX);
			return -PROTO_E_INVALID_PARAMS;
		}
		if (!valid_utf8((const unsigned char *)note->via.str.ptr, note->via.str.size)) {
			snprintf(err, errlen, "\"note\" must be valid UTF-8");
			return -PROTO_E_INVALID_PARAMS;
		}
		if (note->via.str.size > 0) /* ptr is NULL for "" */
			memcpy(e->note, note->via.str.ptr, note->via.str.size);
		e->note[note->via.str.size] = '\0';
	}
	e->source = ENTRY_SOURCE_CLI;
	rc = proto_get_str(o, "source", false, source, sizeof source, err, errlen);
	if (rc == -PROTO_E_INVALID_PARAMS)
		return rc;
	if (rc == 0) {
		e->source = entry_source_parse(source);
		if (e->source < 0) {
			snprintf(err, errlen, "\"source\" must be cli, import or spool");
			return -PROTO_E_INVALID_PARAMS;
		}
	}
	char day[16];
	if (proto_get_str(o, "day", false, day, sizeof day, err, errlen) == 0 &&
	    proto_day_parse(day, &e->day) != 0)
		e->day = -1;
	bool deleted = false;
	if (proto_get_bool(o, "deleted", false, &deleted, err, errlen) == 0)
		e->deleted = deleted;
	return 0;
}
