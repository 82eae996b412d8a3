/*
 * message.c: msgpack-RPC envelopes, map getters and small packers.
 *
 * Decoding is strict about the envelope's shape and types, so that the
 * daemon can answer a malformed request with a precise error. It does not
 * know what any method's params mean.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

static int
fail(int code, char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
	return -code;
}

int
proto_obj_str(const msgpack_object *o, char *out, size_t outlen)
{
	if (o == NULL || o->type != MSGPACK_OBJECT_STR || o->via.str.size >= outlen)
		return -PROTO_E_INVALID_PARAMS;
	/* msgpack-c leaves ptr NULL for an empty string, and memcpy from NULL
	 * is undefined even for 0 bytes. */
	if (o->via.str.size > 0)
		memcpy(out, o->via.str.ptr, o->via.str.size);
	out[o->via.str.size] = '\0';
	/* An embedded NUL would silently cut the string short. */
	if (memchr(out, '\0', o->via.str.size) != NULL)
		return -PROTO_E_INVALID_PARAMS;
	return 0;
}

/* A method name is a str, or a bin as some msgpack-RPC clients send it
 * (pynvim, older msgpack libraries); Neovim accepts both, and so do we. */
static int
method_name(const msgpack_object *o, char *out, size_t outlen)
{
	if (o->type != MSGPACK_OBJECT_BIN)
		return proto_obj_str(o, out, outlen);
	if (o->via.bin.size >= outlen || memchr(o->via.bin.ptr, '\0', o->via.bin.size) != NULL)
		return -PROTO_E_INVALID_PARAMS;
	memcpy(out, o->via.bin.ptr, o->via.bin.size);
	out[o->via.bin.size] = '\0';
	return 0;
}

static int
msg_decode(const char *buf, size_t len, bool copy, struct proto_msg *msg,
    bool *msgid_known, char *err, size_t errlen)
{
	memset(msg, 0, sizeof *msg);
	msgpack_unpacked_init(&msg->unpacked);
	if (msgid_known)
		*msgid_known = false;
	size_t consumed = 0;
	if (copy) {
		msg->bytes = malloc(len ? len : 1);
		if (msg->bytes == NULL)
			return fail(PROTO_E_INTERNAL, err, errlen, "out of memory");
		memcpy(msg->bytes, buf, len);
		buf = msg->bytes;
	}
	if (msgpack_unpack_next(&msg->unpacked, buf, len, &consumed) != MSGPACK_UNPACK_SUCCESS)
		return fail(PROTO_E_PARSE, err, errlen, "the bytes are not a complete msgpack value");
	const msgpack_object *root = &msg->unpacked.data;
	if (root->type != MSGPACK_OBJECT_ARRAY)
		return fail(PROTO_E_INVALID_REQUEST, err, errlen,
		    "a msgpack-RPC message is an array: [type, msgid, method, params]");
	const msgpack_object *a = root->via.array.ptr;
	uint32_t n = root->via.array.size;
	if (n < 3 || a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[0].via.u64 > 2)
		return fail(PROTO_E_INVALID_REQUEST, err, errlen,
		    "the first element must be the message type 0, 1 or 2");
	msg->type = (int)a[0].via.u64;
	if (msg->type == PROTO_NOTIFICATION) {
		if (n != 3)
			return fail(PROTO_E_INVALID_REQUEST, err, errlen,
			    "a notification is [2, method, params]");
		if (method_name(&a[1], msg->method, sizeof msg->method) != 0)
			return fail(PROTO_E_INVALID_REQUEST, err, errlen,
			    "a notification's method must be a short string");
		if (a[2].type != MSGPACK_OBJECT_ARRAY)
			return fail(PROTO_E_INVALID_REQUEST, err, errlen, "params must be an array");
		msg->params = &a[2];
		return 0;
	}
	if (a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[1].via.u64 > UINT32_MAX)
		return fail(PROTO_E_INVALID_REQUEST, err, errlen,
		    "msgid must be an unsigned 32-bit integer");
	msg->msgid = (uint32_t)a[1].via.u64;
	if (msgid_known)
		*msgid_known = true;
	if (n != 4)
		return fail(PROTO_E_INVALID_REQUEST, err, errlen,
		    msg->type == PROTO_REQUEST ? "a request is [0, msgid, method, params]"
		    : "a response is [1, msgid, error, result]");
	if (msg->type == PROTO_RESPONSE) {
		msg->error = &a[2];
		msg->result = &a[3];
		return 0;
	}
	if (a[2].type != MSGPACK_OBJECT_STR && a[2].type != MSGPACK_OBJECT_BIN)
		return fail(PROTO_E_INVALID_REQUEST, err, errlen, "the method must be a string");
	if (method_name(&a[2], msg->method, sizeof msg->method) != 0)
		return fail(PROTO_E_INVALID_REQUEST, err, errlen, "the method name is too long");
	if (a[3].type != MSGPACK_OBJECT_ARRAY)
		return fail(PROTO_E_INVALID_REQUEST, err, errlen, "params must be an array");
	msg->params = &a[3];
	return 0;
}

int
proto_msg_decode(const char *buf, size_t len, struct proto_msg *msg,
    bool *msgid_known, char *err, size_t errlen)
{
	return msg_decode(buf, len, true, msg, msgid_known, err, errlen);
}

int
proto_msg_decode_in_place(const char *buf, size_t len, struct proto_msg *msg,
    bool *msgid_known, char *err, size_t errlen)
{
	return msg_decode(buf, len, false, msg, msgid_known, err, errlen);
}

void
proto_msg_free(struct proto_msg *msg)
{
	msgpack_unpacked_destroy(&msg->unpacked);
	free(msg->bytes);
	msg->bytes = NULL;
}

int
proto_params_map(const struct proto_msg *msg, const msgpack_object **map,
    char *err, size_t errlen)
{
	*map = NULL;
	const msgpack_object *p = msg->params;
	if (p == NULL || p->type != MSGPACK_OBJECT_ARRAY || p->via.array.size == 0)
		return 0;
	const msgpack_object *first = &p->via.array.ptr[0];
	if (p->via.array.size == 1 && first->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (p->via.array.size != 1 || first->type != MSGPACK_OBJECT_MAP)
		return fail(PROTO_E_INVALID_PARAMS, err, errlen,
		    "params must be [] or [{...}]: one map of named arguments");
	*map = first;
	return 0;
}

const msgpack_object *
proto_map_get(const msgpack_object *map, const char *key)
{
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	size_t klen = strlen(key);
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object *k = &map->via.map.ptr[i].key;
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == klen &&
		    memcmp(k->via.str.ptr, key, klen) == 0)
			return &map->via.map.ptr[i].val;
	}
	return NULL;
}

/* Finds key; NULL with the right return code when it is missing. */
static int
lookup(const msgpack_object *map, const char *key, bool required, const msgpack_object **out,
    char *err, size_t errlen)
{
	*out = proto_map_get(map, key);
	if (*out != NULL && (*out)->type != MSGPACK_OBJECT_NIL)
		return 0;
	*out = NULL;
	if (!required)
		return -PROTO_E_NOT_FOUND;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "\"%s\" is missing", key);
	return -PROTO_E_INVALID_PARAMS;
}

static int
wrong_type(const char *key, const char *want, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "\"%s\" must be %s", key, want);
	return -PROTO_E_INVALID_PARAMS;
}

int
proto_get_str(const msgpack_object *map, const char *key, bool required,
    char *out, size_t outlen, char *err, size_t errlen)
{
	const msgpack_object *o;
	int rc = lookup(map, key, required, &o, err, errlen);
	if (rc != 0)
		return rc;
	if (o->type != MSGPACK_OBJECT_STR)
		return wrong_type(key, "a string", err, errlen);
	if (proto_obj_str(o, out, outlen) != 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "\"%s\" is longer than %zu bytes or holds a NUL", key,
			    outlen - 1);
		return -PROTO_E_INVALID_PARAMS;
	}
	return 0;
}

int
proto_get_int(const msgpack_object *map, const char *key, bool required,
    int64_t *out, char *err, size_t errlen)
{
	const msgpack_object *o;
	int rc = lookup(map, key, required, &o, err, errlen);
	if (rc != 0)
		return rc;
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 > INT64_MAX)
			return wrong_type(key, "an integer that fits 64 bits", err, errlen);
		*out = (int64_t)o->via.u64;
		return 0;
	}
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*out = o->via.i64;
		return 0;
	}
	return wrong_type(key, "an integer", err, errlen);
}

int
proto_get_double(const msgpack_object *map, const char *key, bool required,
    double *out, char *err, size_t errlen)
{
	const msgpack_object *o;
	int rc = lookup(map, key, required, &o, err, errlen);
	if (rc != 0)
		return rc;
	double v;
	if (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64)
		v = o->via.f64;
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		v = (double)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		v = (double)o->via.i64;
	else
		return wrong_type(key, "a number", err, errlen);
	if (!isfinite(v))
		return wrong_type(key, "a finite number", err, errlen);
	*out = v;
	return 0;
}

int
proto_get_bool(const msgpack_object *map, const char *key, bool required,
    bool *out, char *err, size_t errlen)
{
	const msgpack_object *o;
	int rc = lookup(map, key, required, &o, err, errlen);
	if (rc != 0)
		return rc;
	if (o->type != MSGPACK_OBJECT_BOOLEAN)
		return wrong_type(key, "true or false", err, errlen);
	*out = o->via.boolean;
	return 0;
}

int
proto_pack_cstr(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);
	int rc = msgpack_pack_str(pk, n);
	return rc != 0 ? rc : msgpack_pack_str_body(pk, s, n);
}

int
proto_pack_request_head(msgpack_packer *pk, uint32_t msgid, const char *method)
{
	if (msgpack_pack_array(pk, 4) || msgpack_pack_uint8(pk, PROTO_REQUEST) ||
	    msgpack_pack_uint32(pk, msgid))
		return -PROTO_E_INTERNAL;
	return proto_pack_cstr(pk, method) ? -PROTO_E_INTERNAL : 0;
}

int
proto_pack_response_head(msgpack_packer *pk, uint32_t msgid)
{
	if (msgpack_pack_array(pk, 4) || msgpack_pack_uint8(pk, PROTO_RESPONSE) ||
	    msgpack_pack_uint32(pk, msgid) || msgpack_pack_nil(pk))
		return -PROTO_E_INTERNAL;
	return 0;
}

int
proto_pack_response_error(msgpack_packer *pk, uint32_t msgid, int code, const char *message)
{
	if (msgpack_pack_array(pk, 4) || msgpack_pack_uint8(pk, PROTO_RESPONSE) ||
	    msgpack_pack_uint32(pk, msgid) || msgpack_pack_map(pk, 2) ||
	    proto_pack_kv_int(pk, "code", code) || proto_pack_kv_str(pk, "message", message) ||
	    msgpack_pack_nil(pk))
		return -PROTO_E_INTERNAL;
	return 0;
}

int
proto_pack_notification_head(msgpack_packer *pk, const char *method)
{
	if (msgpack_pack_array(pk, 3) || msgpack_pack_uint8(pk, PROTO_NOTIFICATION))
		return -PROTO_E_INTERNAL;
	return proto_pack_cstr(pk, method) ? -PROTO_E_INTERNAL : 0;
}

int
proto_pack_kv_str(msgpack_packer *pk, const char *key, const char *value)
{
	return (proto_pack_cstr(pk, key) || proto_pack_cstr(pk, value)) ? -PROTO_E_INTERNAL : 0;
}

int
proto_pack_kv_int(msgpack_packer *pk, const char *key, int64_t value)
{
	return (proto_pack_cstr(pk, key) || msgpack_pack_int64(pk, value)) ? -PROTO_E_INTERNAL : 0;
}

int
proto_pack_kv_double(msgpack_packer *pk, const char *key, double value)
{
	if (proto_pack_cstr(pk, key))
		return -PROTO_E_INTERNAL;
	/* JSON has no NaN or infinity: an unknown number travels as nil. */
	int rc = isfinite(value) ? msgpack_pack_double(pk, value) : msgpack_pack_nil(pk);
	return rc ? -PROTO_E_INTERNAL : 0;
}

int
proto_pack_kv_bool(msgpack_packer *pk, const char *key, bool value)
{
	if (proto_pack_cstr(pk, key))
		return -PROTO_E_INTERNAL;
	return (value ? msgpack_pack_true(pk) : msgpack_pack_false(pk)) ? -PROTO_E_INTERNAL : 0;
}

int
proto_pack_kv_nil(msgpack_packer *pk, const char *key)
{
	return (proto_pack_cstr(pk, key) || msgpack_pack_nil(pk)) ? -PROTO_E_INTERNAL : 0;
}
