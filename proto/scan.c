/*
 * scan.c: finds where one msgpack value ends, enforcing the input limits,
 * without allocating anything.
 *
 * msgpack-c's unpacker allocates whatever an array or map header claims, so
 * bytes from the socket are first walked here: every header is checked
 * against struct proto_limits as it is met, and only a complete value that
 * passed is handed to msgpack_unpack_next(). It does not build values.
 * It also counts the values, since what msgpack-c allocates for a message
 * grows with their number, not with its bytes. A scan can stop where the
 * bytes so far end and go on from there when more arrive
 * (proto_scan_more), so a message read in many pieces is walked once.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

static uint32_t
be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void
proto_limits_default(struct proto_limits *lim)
{
	lim->max_message_bytes = PROTO_MAX_MESSAGE_BYTES;
	lim->max_depth = PROTO_MAX_DEPTH;
	lim->max_string = PROTO_MAX_STRING;
	lim->max_array = PROTO_MAX_ARRAY;
	lim->max_map = PROTO_MAX_MAP;
	lim->max_objects = PROTO_MAX_OBJECTS;
}

/* Sizes of a header's fixed part by its first byte, for the formats whose
 * length or count follows in 1, 2 or 4 bytes. */
enum item_class {
	ITEM_SCALAR,  /* fixed total size in `size` */
	ITEM_BYTES,   /* str/bin/ext: length in the next `lenbytes`, payload follows */
	ITEM_ARRAY,
	ITEM_MAP,
	ITEM_INVALID,
};

struct item_head {
	int class;
	uint32_t head;     /* bytes of the header itself */
	uint32_t lenbytes; /* bytes holding the length/count, 0 when in the first byte */
	uint32_t extra;    /* ext: the type byte after the length */
	uint32_t inline_n; /* count or size carried in the first byte */
	bool is_string;
};

static struct item_head
classify(unsigned char b)
{
	struct item_head h = {ITEM_SCALAR, 1, 0, 0, 0, false};
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return h;
	if (b >= 0xa0 && b <= 0xbf) {
		h.class = ITEM_BYTES;
		h.inline_n = b & 0x1f;
		h.is_string = true;
		return h;
	}
	if (b >= 0x90 && b <= 0x9f) {
		h.class = ITEM_ARRAY;
		h.inline_n = b & 0x0f;
		return h;
	}
	if (b >= 0x80 && b <= 0x8f) {
		h.class = ITEM_MAP;
		h.inline_n = b & 0x0f;
		return h;
	}
	switch (b) {
	case 0xcc: case 0xd0: h.head = 2; return h;
	case 0xcd: case 0xd1: h.head = 3; return h;
	case 0xca: case 0xce: case 0xd2: h.head = 5; return h;
	case 0xcb: case 0xcf: case 0xd3: h.head = 9; return h;
	case 0xd4: h.head = 3; return h;   /* fixext 1: type + 1 */
	case 0xd5: h.head = 4; return h;
	case 0xd6: h.head = 6; return h;
	case 0xd7: h.head = 10; return h;
	case 0xd8: h.head = 18; return h;
	case 0xc4: case 0xd9: h.class = ITEM_BYTES; h.lenbytes = 1; break;
	case 0xc5: case 0xda: h.class = ITEM_BYTES; h.lenbytes = 2; break;
	case 0xc6: case 0xdb: h.class = ITEM_BYTES; h.lenbytes = 4; break;
	case 0xc7: h.class = ITEM_BYTES; h.lenbytes = 1; h.extra = 1; break;
	case 0xc8: h.class = ITEM_BYTES; h.lenbytes = 2; h.extra = 1; break;
	case 0xc9: h.class = ITEM_BYTES; h.lenbytes = 4; h.extra = 1; break;
	case 0xdc: h.class = ITEM_ARRAY; h.lenbytes = 2; break;
	case 0xdd: h.class = ITEM_ARRAY; h.lenbytes = 4; break;
	case 0xde: h.class = ITEM_MAP; h.lenbytes = 2; break;
	case 0xdf: h.class = ITEM_MAP; h.lenbytes = 4; break;
	default: h.class = ITEM_INVALID; return h; /* 0xc1 is never used */
	}
	h.is_string = (b == 0xd9 || b == 0xda || b == 0xdb);
	h.head = 1 + h.lenbytes + h.extra;
	return h;
}

static ssize_t scan_fail(int code, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ssize_t
scan_fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	if (err != NULL && errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -code;
}

void
proto_scan_reset(struct proto_scan_state *st)
{
	memset(st, 0, sizeof *st);
	st->remaining[0] = 1;
}

ssize_t
proto_scan(const char *buf, size_t len, const struct proto_limits *lim,
    char *err, size_t errlen)
{
	struct proto_scan_state st;
	proto_scan_reset(&st);
	return proto_scan_more(&st, buf, len, lim, err, errlen);
}

ssize_t
proto_scan_more(struct proto_scan_state *st, const char *buf, size_t len,
    const struct proto_limits *lim, char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)buf;
	/* remaining[d]: values still to read at depth d (the outermost is 1). */
	uint64_t *remaining = st->remaining;
	uint32_t max_depth = lim->max_depth < PROTO_MAX_DEPTH + 1 ? lim->max_depth : PROTO_MAX_DEPTH + 1;
	size_t cap = len < lim->max_message_bytes ? len : lim->max_message_bytes;

	for (;;) {
		/* Close every container that is complete. */
		while (remaining[st->depth] == 0) {
			if (st->depth == 0)
				return (ssize_t)st->off;
			st->depth--;
		}
		size_t off = st->off;
		if (off >= cap)
			break;
		struct item_head h = classify(p[off]);
		if (h.class == ITEM_INVALID)
			return scan_fail(PROTO_E_PARSE, err, errlen,
			    "byte 0x%x at offset %zu is not a msgpack type", p[off], off);
		if (off + h.head > len)
			break;
		if (st->objects >= lim->max_objects)
			return scan_fail(PROTO_E_TOO_LARGE, err, errlen,
			    "the message holds more than %u values", lim->max_objects);
		uint64_t n = h.inline_n;
		if (h.lenbytes == 1)
			n = p[off + 1];
		else if (h.lenbytes == 2)
			n = be16(p + off + 1);
		else if (h.lenbytes == 4)
			n = be32(p + off + 1);
		switch (h.class) {
		case ITEM_SCALAR:
			st->off += h.head;
			break;
		case ITEM_BYTES:
			if (n > lim->max_string)
				return scan_fail(PROTO_E_TOO_LARGE, err, errlen,
				    "a string of %llu bytes is over the limit of %u",
				    (unsigned long long)n, lim->max_string);
			if (off + h.head + n > lim->max_message_bytes)
				return scan_fail(PROTO_E_TOO_LARGE, err, errlen,
				    "the message is over %llu bytes (limit %u)",
				    (unsigned long long)(off + h.head + n), lim->max_message_bytes);
			if (off + h.head + n > len)
				goto incomplete; /* not read yet: wait for the rest */
			st->off += h.head + n;
			break;
		case ITEM_ARRAY:
		case ITEM_MAP:
			if (h.class == ITEM_ARRAY && n > lim->max_array)
				return scan_fail(PROTO_E_TOO_LARGE, err, errlen,
				    "an array of %llu elements is over the limit of %u",
				    (unsigned long long)n, lim->max_array);
			if (h.class == ITEM_MAP && n > lim->max_map)
				return scan_fail(PROTO_E_TOO_LARGE, err, errlen,
				    "a map of %llu pairs is over the limit of %u",
				    (unsigned long long)n, lim->max_map);
			if (n > 0 && st->depth + 1 > max_depth)
				return scan_fail(PROTO_E_TOO_LARGE, err, errlen,
				    "nesting deeper than %u levels", max_depth);
			st->off += h.head;
			if (n > 0) {
				remaining[st->depth]--;
				st->depth++;
				remaining[st->depth] = h.class == ITEM_MAP ? 2 * n : n;
				st->objects++;
				continue;
			}
			break;
		}
		/* The value is read whole: only now is it counted, so that a
		 * call that stopped before it can go on from the same state. */
		remaining[st->depth]--;
		st->objects++;
	}
incomplete:
	if (len >= lim->max_message_bytes)
		return scan_fail(PROTO_E_TOO_LARGE, err, errlen,
		    "the message is over %zu bytes (limit %u)", len, lim->max_message_bytes);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "incomplete message");
	return -PROTO_E_NEED_MORE;
}
