/*
 * test_proto.c: the wire codec: framing under limits, envelopes, map
 * getters, entries, UUIDs and days.
 *
 * SPDX-License-Identifier: ISC
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <cmocka.h>

#include "proto/proto.h"

static struct proto_limits lim;
static char err[PROTO_MESSAGE_MAX];

static void
sample_entry(struct entry *e)
{
	memset(e, 0, sizeof *e);
	snprintf(e->id, sizeof e->id, "123e4567-e89b-42d3-a456-426614174000");
	e->time_ms = 1795360708349;
	e->utc_offset_min = 60;
	snprintf(e->factor, sizeof e->factor, "sleep_hours");
	e->value = 5.5;
	snprintf(e->note, sizeof e->note, "woke at 4, café");
	e->source = ENTRY_SOURCE_IMPORT;
	e->day = 20414;
}

/* [0, 7, "log", [{"entries": [entry]}]] */
static void
pack_log_request(msgpack_sbuffer *buf)
{
	struct entry e;
	sample_entry(&e);
	msgpack_packer pk;
	msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
	proto_pack_request_head(&pk, 7, PROTO_M_LOG);
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 1);
	proto_pack_cstr(&pk, "entries");
	msgpack_pack_array(&pk, 1);
	proto_entry_pack(&pk, &e, false);
}

static void
test_request_round_trip(void **state)
{
	(void)state;
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	pack_log_request(&buf);
	assert_int_equal(proto_scan(buf.data, buf.size, &lim, err, sizeof err), (ssize_t)buf.size);
	struct proto_msg msg;
	bool known;
	assert_int_equal(proto_msg_decode(buf.data, buf.size, &msg, &known, err, sizeof err), 0);
	assert_int_equal(msg.type, PROTO_REQUEST);
	assert_int_equal(msg.msgid, 7);
	assert_string_equal(msg.method, "log");
	const msgpack_object *params;
	assert_int_equal(proto_params_map(&msg, &params, err, sizeof err), 0);
	const msgpack_object *entries = proto_map_get(params, "entries");
	assert_non_null(entries);
	struct entry e, want;
	assert_int_equal(proto_entry_unpack(&entries->via.array.ptr[0], &e, err, sizeof err), 0);
	sample_entry(&want);
	assert_string_equal(e.id, want.id);
	assert_int_equal(e.time_ms, want.time_ms);
	assert_int_equal(e.utc_offset_min, 60);
	assert_string_equal(e.factor, "sleep_hours");
	assert_true(e.value == 5.5);
	assert_string_equal(e.note, want.note);
	assert_int_equal(e.source, ENTRY_SOURCE_IMPORT);
	assert_int_equal(e.day, -1); /* not sent by a client */
	proto_msg_free(&msg);
	msgpack_sbuffer_destroy(&buf);
}

static void
test_response_and_error_round_trip(void **state)
{
	(void)state;
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	proto_pack_response_error(&pk, 42, PROTO_E_OUT_OF_RANGE, "pain must be between 0 and 10");
	struct proto_msg msg;
	bool known;
	assert_int_equal(proto_scan(buf.data, buf.size, &lim, err, sizeof err), (ssize_t)buf.size);
	assert_int_equal(proto_msg_decode(buf.data, buf.size, &msg, &known, err, sizeof err), 0);
	assert_int_equal(msg.type, PROTO_RESPONSE);
	assert_int_equal(msg.msgid, 42);
	int64_t code;
	char text[64];
	assert_int_equal(proto_get_int(msg.error, "code", true, &code, err, sizeof err), 0);
	assert_int_equal(code, PROTO_E_OUT_OF_RANGE);
	assert_int_equal(proto_get_str(msg.error, "message", true, text, sizeof text, err, sizeof err), 0);
	assert_string_equal(text, "pain must be between 0 and 10");
	assert_int_equal(msg.result->type, MSGPACK_OBJECT_NIL);
	proto_msg_free(&msg);

	msgpack_sbuffer_clear(&buf);
	proto_pack_notification_head(&pk, PROTO_N_ALERT);
	msgpack_pack_array(&pk, 0);
	assert_int_equal(proto_msg_decode(buf.data, buf.size, &msg, &known, err, sizeof err), 0);
	assert_int_equal(msg.type, PROTO_NOTIFICATION);
	assert_string_equal(msg.method, "alert");
	assert_false(known);
	proto_msg_free(&msg);
	msgpack_sbuffer_destroy(&buf);
}

/* Every prefix of a valid message is "need more", never a crash or a length. */
static void
test_scan_every_truncation(void **state)
{
	(void)state;
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	pack_log_request(&buf);
	for (size_t cut = 0; cut < buf.size; cut++)
		assert_int_equal(proto_scan(buf.data, cut, &lim, err, sizeof err), -PROTO_E_NEED_MORE);
	/* A complete message followed by more bytes: only the first counts. */
	size_t one = buf.size;
	msgpack_sbuffer_write(&buf, "\x93\x01\x02", 3);
	assert_int_equal(proto_scan(buf.data, buf.size, &lim, err, sizeof err), (ssize_t)one);
	msgpack_sbuffer_destroy(&buf);
}

static void
test_scan_refuses_huge_headers(void **state)
{
	(void)state;
	static const char array32[] = "\xdd\xff\xff\xff\xff";
	static const char map32[] = "\xdf\xff\xff\xff\xff";
	static const char str32[] = "\xdb\xff\xff\xff\xff";
	static const char bin32[] = "\xc6\x7f\xff\xff\xff";
	static const char ext32[] = "\xc9\x7f\xff\xff\xff\x01";
	assert_int_equal(proto_scan(array32, 5, &lim, err, sizeof err), -PROTO_E_TOO_LARGE);
	assert_non_null(strstr(err, "array"));
	assert_int_equal(proto_scan(map32, 5, &lim, err, sizeof err), -PROTO_E_TOO_LARGE);
	assert_int_equal(proto_scan(str32, 5, &lim, err, sizeof err), -PROTO_E_TOO_LARGE);
	assert_int_equal(proto_scan(bin32, 5, &lim, err, sizeof err), -PROTO_E_TOO_LARGE);
	assert_int_equal(proto_scan(ext32, 6, &lim, err, sizeof err), -PROTO_E_TOO_LARGE);
	/* Just at the limits is fine. */
	char at_limit[3 + PROTO_MAX_STRING];
	at_limit[0] = (char)0xda;
	at_limit[1] = (char)(PROTO_MAX_STRING >> 8);
	at_limit[2] = (char)(PROTO_MAX_STRING & 0xff);
	memset(at_limit + 3, 'a', PROTO_MAX_STRING);
	assert_int_equal(proto_scan(at_limit, sizeof at_limit, &lim, err, sizeof err),
	    (ssize_t)sizeof at_limit);
}

static void
test_scan_depth_limit(void **state)
{
	(void)state;
	char deep[100000];
	memset(deep, 0x91, sizeof deep); /* [[[[...]]]] */
	assert_int_equal(proto_scan(deep, sizeof deep, &lim, err, sizeof err), -PROTO_E_TOO_LARGE);
	assert_non_null(strstr(err, "nesting"));
	/* Eight levels are allowed, nine are not. */
	char ok[9];
	memset(ok, 0x91, 8);
	ok[8] = 0x01;
	assert_int_equal(proto_scan(ok, 9, &lim, err, sizeof err), 9);
	char too[10];
	memset(too, 0x91, 9);
	too[9] = 0x01;
	assert_int_equal(proto_scan(too, 10, &lim, err, sizeof err), -PROTO_E_TOO_LARGE);
}

static void
test_scan_invalid_byte_and_size(void **state)
{
	(void)state;
	assert_int_equal(proto_scan("\xc1", 1, &lim, err, sizeof err), -PROTO_E_PARSE);
	struct proto_limits small = lim;
	small.max_message_bytes = 64;
	char big[200];
	big[0] = (char)0xdc;
	big[1] = 0;
	big[2] = 100;
	memset(big + 3, 0x01, sizeof big - 3);
	assert_int_equal(proto_scan(big, sizeof big, &small, err, sizeof err), -PROTO_E_TOO_LARGE);
	/* Incomplete but already over the size: refused without waiting. */
	assert_int_equal(proto_scan(big, 80, &small, err, sizeof err), -PROTO_E_TOO_LARGE);
}

/* Values are counted at every depth: what msgpack-c allocates follows
 * their number, so a message of a million nils is refused by its count,
 * not let through by its size. */
static void
test_scan_value_limit(void **state)
{
	(void)state;
	struct proto_limits small = lim;
	small.max_objects = 10;
	/* [nil x 9]: the array and its 9 elements are 10 values. */
	char ten[10];
	ten[0] = (char)0x99;
	memset(ten + 1, 0xc0, 9);
	assert_int_equal(proto_scan(ten, sizeof ten, &small, err, sizeof err), (ssize_t)sizeof ten);
	/* [[nil x 5], [nil x 4]] is 12. */
	char twelve[12] = {(char)0x92, (char)0x95};
	memset(twelve + 2, 0xc0, 5);
	twelve[7] = (char)0x94;
	memset(twelve + 8, 0xc0, 4);
	assert_int_equal(proto_scan(twelve, sizeof twelve, &small, err, sizeof err),
	    -PROTO_E_TOO_LARGE);
	assert_non_null(strstr(err, "values"));
	/* 4 MiB of nils in arrays within the array limit: refused once the
	 * default limit is passed, long before the end. */
	size_t n = 4u * 1024u * 1024u;
	char *nils = malloc(n);
	assert_non_null(nils);
	memset(nils, 0xc0, n);
	nils[0] = (char)0xdc; /* array16 of 838 arrays16 of 5000 nils */
	nils[1] = (char)(838 >> 8);
	nils[2] = (char)(838 & 0xff);
	for (size_t i = 0; i < 838; i++) {
		size_t at = 3 + i * 5003;
		nils[at] = (char)0xdc;
		nils[at + 1] = (char)(5000 >> 8);
		nils[at + 2] = (char)(5000 & 0xff);
	}
	assert_int_equal(proto_scan(nils, n, &lim, err, sizeof err), -PROTO_E_TOO_LARGE);
	assert_non_null(strstr(err, "values"));
	free(nils);
}

/* A scan that goes on from where the last one stopped finds the same end
 * as a scan of the whole, however the bytes are cut. */
static void
test_scan_resumes_where_it_stopped(void **state)
{
	(void)state;
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	pack_log_request(&buf);
	ssize_t whole = proto_scan(buf.data, buf.size, &lim, err, sizeof err);
	assert_int_equal(whole, (ssize_t)buf.size);
	for (size_t step = 1; step <= 7; step++) {
		struct proto_scan_state st;
		proto_scan_reset(&st);
		ssize_t n = -PROTO_E_NEED_MORE;
		for (size_t len = step; n == -PROTO_E_NEED_MORE; len += step) {
			if (len > buf.size)
				len = buf.size;
			n = proto_scan_more(&st, buf.data, len, &lim, err, sizeof err);
			if (len == buf.size)
				break;
		}
		assert_int_equal(n, whole);
	}
	msgpack_sbuffer_destroy(&buf);
}

/* Decodes one packed value; returns the decode result. */
static int
decode_value(void (*pack)(msgpack_packer *), bool *known, uint32_t *msgid)
{
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	pack(&pk);
	struct proto_msg msg;
	int rc = proto_msg_decode(buf.data, buf.size, &msg, known, err, sizeof err);
	*msgid = msg.msgid;
	proto_msg_free(&msg);
	msgpack_sbuffer_destroy(&buf);
	return rc;
}

static void pack_int(msgpack_packer *pk) { msgpack_pack_int(pk, 5); }
static void pack_short(msgpack_packer *pk) { msgpack_pack_array(pk, 2); msgpack_pack_int(pk, 0); msgpack_pack_int(pk, 1); }
static void pack_big_id(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 4); msgpack_pack_int(pk, 0); msgpack_pack_uint64(pk, 1ull << 40);
	proto_pack_cstr(pk, "hello"); msgpack_pack_array(pk, 0);
}
static void pack_int_method(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 4); msgpack_pack_int(pk, 0); msgpack_pack_int(pk, 9);
	msgpack_pack_int(pk, 3); msgpack_pack_array(pk, 0);
}
static void pack_map_params(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 4); msgpack_pack_int(pk, 0); msgpack_pack_int(pk, 9);
	proto_pack_cstr(pk, "hello"); msgpack_pack_map(pk, 0);
}
static void pack_type_7(msgpack_packer *pk)
{
	msgpack_pack_array(pk, 4); msgpack_pack_int(pk, 7); msgpack_pack_int(pk, 9);
	proto_pack_cstr(pk, "hello"); msgpack_pack_array(pk, 0);
}

static void
test_decode_rejects_bad_envelopes(void **state)
{
	(void)state;
	bool known;
	uint32_t id;
	assert_int_equal(decode_value(pack_int, &known, &id), -PROTO_E_INVALID_REQUEST);
	assert_int_equal(decode_value(pack_short, &known, &id), -PROTO_E_INVALID_REQUEST);
	assert_int_equal(decode_value(pack_big_id, &known, &id), -PROTO_E_INVALID_REQUEST);
	assert_false(known);
	assert_int_equal(decode_value(pack_int_method, &known, &id), -PROTO_E_INVALID_REQUEST);
	assert_true(known); /* the daemon can still answer msgid 9 */
	assert_int_equal(id, 9);
	assert_int_equal(decode_value(pack_map_params, &known, &id), -PROTO_E_INVALID_REQUEST);
	assert_int_equal(decode_value(pack_type_7, &known, &id), -PROTO_E_INVALID_REQUEST);
}

static void
test_map_getters(void **state)
{
	(void)state;
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	proto_pack_kv_str(&pk, "s", "text");
	proto_pack_kv_int(&pk, "i", -3);
	proto_pack_kv_double(&pk, "d", 2.5);
	proto_pack_kv_bool(&pk, "b", true);
	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, buf.data, buf.size, NULL), MSGPACK_UNPACK_SUCCESS);
	const msgpack_object *m = &u.data;
	char s[8];
	int64_t i = 0;
	double d = 0;
	bool b = false;
	assert_int_equal(proto_get_str(m, "s", true, s, sizeof s, err, sizeof err), 0);
	assert_string_equal(s, "text");
	assert_int_equal(proto_get_int(m, "i", true, &i, err, sizeof err), 0);
	assert_int_equal(i, -3);
	assert_int_equal(proto_get_double(m, "d", true, &d, err, sizeof err), 0);
	assert_true(d == 2.5);
	assert_int_equal(proto_get_double(m, "i", true, &d, err, sizeof err), 0); /* ints are numbers */
	assert_true(d == -3);
	assert_int_equal(proto_get_bool(m, "b", true, &b, err, sizeof err), 0);
	assert_true(b);
	/* Missing: optional vs required. */
	assert_int_equal(proto_get_int(m, "nope", false, &i, err, sizeof err), -PROTO_E_NOT_FOUND);
	assert_int_equal(proto_get_int(m, "nope", true, &i, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_non_null(strstr(err, "nope"));
	/* Wrong types. */
	assert_int_equal(proto_get_int(m, "s", false, &i, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_int_equal(proto_get_str(m, "i", false, s, sizeof s, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_int_equal(proto_get_bool(m, "d", false, &b, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_int_equal(proto_get_double(m, "b", false, &d, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	/* Too long for the buffer. */
	char tiny[3];
	assert_int_equal(proto_get_str(m, "s", true, tiny, sizeof tiny, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&buf);
}

static void
test_entry_validation(void **state)
{
	(void)state;
	static const char *const bad_ids[] = {"", "123", "123e4567-e89b-42d3-a456-42661417400",
	    "123e4567-e89b-42d3-a456-4266141740000", "123e4567+e89b-42d3-a456-426614174000",
	    "123e4567-e89b-42d3-a456-42661417400g"};
	for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++)
		assert_false(proto_valid_uuid(bad_ids[i]));
	assert_true(proto_valid_uuid("123E4567-E89B-42D3-A456-426614174000"));
	assert_true(proto_valid_factor_name("a"));
	assert_true(proto_valid_factor_name("sleep_hours2"));
	assert_true(proto_valid_factor_name("abcdefghijklmnopqrstuvwxyz012345"));  /* 32 */
	assert_false(proto_valid_factor_name("abcdefghijklmnopqrstuvwxyz0123456")); /* 33 */
	assert_false(proto_valid_factor_name(""));
	assert_false(proto_valid_factor_name("2pain"));
	assert_false(proto_valid_factor_name("Pain"));
	assert_false(proto_valid_factor_name("pain-level"));
	assert_false(proto_valid_factor_name("_x"));

	/* An entry whose note is not UTF-8, or whose offset is impossible. */
	struct entry e;
	sample_entry(&e);
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	e.utc_offset_min = 20 * 60;
	proto_entry_pack(&pk, &e, true);
	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, buf.data, buf.size, NULL), MSGPACK_UNPACK_SUCCESS);
	struct entry out;
	assert_int_equal(proto_entry_unpack(&u.data, &out, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_non_null(strstr(err, "utc_offset"));
	msgpack_unpacked_destroy(&u);

	msgpack_sbuffer_clear(&buf);
	sample_entry(&e);
	snprintf(e.note, sizeof e.note, "bad \xff byte");
	proto_entry_pack(&pk, &e, true);
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, buf.data, buf.size, NULL), MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(proto_entry_unpack(&u.data, &out, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_non_null(strstr(err, "UTF-8"));
	msgpack_unpacked_destroy(&u);

	/* A stored entry carries its day and deletion mark back. */
	msgpack_sbuffer_clear(&buf);
	sample_entry(&e);
	e.deleted = true;
	proto_entry_pack(&pk, &e, true);
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, buf.data, buf.size, NULL), MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(proto_entry_unpack(&u.data, &out, err, sizeof err), 0);
	assert_int_equal(out.day, 20414);
	assert_true(out.deleted);
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&buf);
}

static void
test_uuid_v7(void **state)
{
	(void)state;
	char a[PROTO_ID_LEN + 1], b[PROTO_ID_LEN + 1];
	assert_int_equal(proto_uuid_v7(a), 0);
	assert_int_equal(proto_uuid_v7(b), 0);
	assert_true(proto_valid_uuid(a));
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '7');
	assert_non_null(strchr("89ab", a[19]));
	/* The first 48 bits are the Unix time in ms: now, give or take. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	char hex[13];
	memcpy(hex, a, 8);
	memcpy(hex + 8, a + 9, 4);
	hex[12] = '\0';
	int64_t stamp = strtoll(hex, NULL, 16);
	assert_true(stamp <= now && now - stamp < 5000);
	/* Ids made in different milliseconds sort in the order they were made. */
	char c[PROTO_ID_LEN + 1];
	usleep(3000);
	assert_int_equal(proto_uuid_v7(c), 0);
	assert_true(strcmp(a, c) < 0);
	assert_true(strcmp(b, c) < 0);
}

static void
test_days(void **state)
{
	(void)state;
	char s[11];
	int32_t d;
	proto_day_format(0, s);
	assert_string_equal(s, "1970-01-01");
	proto_day_format(-1, s);
	assert_string_equal(s, "1969-12-31");
	assert_int_equal(proto_day_parse("2000-02-29", &d), 0);
	assert_int_equal(d, 11016);
	assert_int_equal(proto_day_parse("2026-11-22", &d), 0);
	assert_int_equal(d, 20779);
	proto_day_format(20779, s);
	assert_string_equal(s, "2026-11-22");
	assert_int_not_equal(proto_day_parse("2026-02-29", &d), 0);
	assert_int_not_equal(proto_day_parse("2026-13-01", &d), 0);
	assert_int_not_equal(proto_day_parse("2026-1-01", &d), 0);
	for (int32_t day = -800; day < 80000; day += 7) {
		proto_day_format(day, s);
		assert_int_equal(proto_day_parse(s, &d), 0);
		assert_int_equal(d, day);
	}
}

static void
test_local_day(void **state)
{
	(void)state;
	const int64_t h = 3600000, nov22 = 20414LL * 86400000; /* 2025-11-22 */
	/* 02:30 local counts to the day before with a 04:00 start... */
	assert_int_equal(proto_local_day(nov22 + 2 * h + h / 2, 0, 4), 20413);
	/* ... 04:00 exactly starts the new day ... */
	assert_int_equal(proto_local_day(nov22 + 4 * h, 0, 4), 20414);
	/* ... and with a midnight start it is already today. */
	assert_int_equal(proto_local_day(nov22 + 2 * h, 0, 0), 20414);
	/* 23:30 UTC is 00:30 on the 23rd at +01:00 (before 04:00: still the 22nd)
	 * and 18:30 at -05:00 (the 22nd). */
	assert_int_equal(proto_local_day(nov22 + 23 * h + h / 2, 60, 4), 20414);
	assert_int_equal(proto_local_day(nov22 + 23 * h + h / 2, 60, 0), 20415);
	assert_int_equal(proto_local_day(nov22 + 23 * h + h / 2, -300, 4), 20414);
	/* Before 1970 floors, not truncates. */
	assert_int_equal(proto_local_day(-1, 0, 0), -1);
}

/* Seeded mutations of valid messages: scan and decode must agree and never
 * crash (this runs under ASan with SAN=1). */
static void
test_mutations_never_crash(void **state)
{
	(void)state;
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	pack_log_request(&buf);
	unsigned seed = 12345;
	char *copy = malloc(buf.size);
	for (int round = 0; round < 20000; round++) {
		memcpy(copy, buf.data, buf.size);
		int flips = 1 + (int)(rand_r(&seed) % 4);
		for (int k = 0; k < flips; k++)
			copy[rand_r(&seed) % buf.size] = (char)rand_r(&seed);
		size_t len = 1 + rand_r(&seed) % buf.size;
		ssize_t n = proto_scan(copy, len, &lim, err, sizeof err);
		if (n > 0) {
			assert_true((size_t)n <= len);
			msgpack_unpacked u;
			msgpack_unpacked_init(&u);
			size_t off = 0;
			assert_int_equal(msgpack_unpack_next(&u, copy, (size_t)n, &off), MSGPACK_UNPACK_SUCCESS);
			assert_int_equal(off, (size_t)n);
			msgpack_unpacked_destroy(&u);
			struct proto_msg msg;
			bool known;
			proto_msg_decode(copy, (size_t)n, &msg, &known, err, sizeof err);
			proto_msg_free(&msg);
		}
	}
	free(copy);
	msgpack_sbuffer_destroy(&buf);
}

static void
test_error_names_are_stable(void **state)
{
	(void)state;
	assert_string_equal(proto_error_name(PROTO_E_PARSE), "parse_error");
	assert_string_equal(proto_error_name(PROTO_E_OUT_OF_RANGE), "out_of_range");
	assert_string_equal(proto_error_name(-PROTO_E_PERMISSION), "permission_denied");
	assert_string_equal(proto_error_name(999), "unknown_error");
	assert_int_equal(PROTO_E_PARSE, 1);
	assert_int_equal(PROTO_E_PERMISSION, 14);
}

/* The exit codes simmer(1) documents; scripts rely on them. The numbers are
 * written out here, not taken from <sysexits.h>, so that a row of the table
 * pointing at another constant fails. */
static void
test_exit_codes_are_the_documented_ones(void **state)
{
	(void)state;
	assert_int_equal(proto_error_exit_code(0), 0);
	assert_int_equal(proto_error_exit_code(-SIMMER_E_USAGE), 64);
	assert_int_equal(proto_error_exit_code(-PROTO_E_OUT_OF_RANGE), 65);
	assert_int_equal(proto_error_exit_code(-PROTO_E_INVALID_PARAMS), 65);
	assert_int_equal(proto_error_exit_code(-SIMMER_E_DATA), 65);
	assert_int_equal(proto_error_exit_code(-SIMMER_E_NO_INPUT), 66);
	assert_int_equal(proto_error_exit_code(-SIMMER_E_UNAVAILABLE), 69);
	assert_int_equal(proto_error_exit_code(-PROTO_E_INTERNAL), 70);
	assert_int_equal(proto_error_exit_code(-SIMMER_E_SYSTEM), 71);
	assert_int_equal(proto_error_exit_code(-SIMMER_E_CANT_CREATE), 73);
	assert_int_equal(proto_error_exit_code(-PROTO_E_STORAGE), 74);
	assert_int_equal(proto_error_exit_code(-SIMMER_E_SPOOLED), 75);
	assert_int_equal(proto_error_exit_code(-CONN_E_TIMEOUT), 75);
	assert_int_equal(proto_error_exit_code(-PROTO_E_VERSION), 76);
	assert_int_equal(proto_error_exit_code(-CONN_E_UNSAFE), 77);
	assert_int_equal(proto_error_exit_code(-SIMMER_E_CONFIG), 78);
	assert_int_equal(proto_error_exit_code(-999), 70);
	/* Every code the table knows has a name, a sentence and a sysexits code. */
	int known = 0;
	for (int code = 1; code < 200; code++) {
		if (strcmp(proto_error_name(code), "unknown_error") == 0)
			continue;
		known++;
		assert_true(strlen(proto_error_message(code)) > 0);
		assert_in_range(proto_error_exit_code(code), 64, 78);
	}
	assert_int_equal(known, SIMMER_E_START - CONN_E_TIMEOUT + 1 + PROTO_E_CONFLICT);
}

int
main(void)
{
	proto_limits_default(&lim);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_round_trip),
		cmocka_unit_test(test_response_and_error_round_trip),
		cmocka_unit_test(test_scan_every_truncation),
		cmocka_unit_test(test_scan_refuses_huge_headers),
		cmocka_unit_test(test_scan_depth_limit),
		cmocka_unit_test(test_scan_invalid_byte_and_size),
		cmocka_unit_test(test_scan_value_limit),
		cmocka_unit_test(test_scan_resumes_where_it_stopped),
		cmocka_unit_test(test_decode_rejects_bad_envelopes),
		cmocka_unit_test(test_map_getters),
		cmocka_unit_test(test_entry_validation),
		cmocka_unit_test(test_uuid_v7),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_local_day),
		cmocka_unit_test(test_mutations_never_crash),
		cmocka_unit_test(test_error_names_are_stable),
		cmocka_unit_test(test_exit_codes_are_the_documented_ones),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
