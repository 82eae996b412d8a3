/*
 * fuzz_rpc.c: bytes from the socket, as simmerd reads them: framing under
 * the limits (proto_scan), decoding in place, the params every method
 * shares, the method's own keys with each getter, and for `log` every
 * entry through the daemon's own checks (entries_check_typed and
 * entries_validate against the built-in catalog). Every failure must come
 * with a message that fits an error reply.
 *
 * SPDX-License-Identifier: ISC
 */
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/entries.h"
#include "daemon/methods.h"
#include "tests/fuzz/fuzz.h"

static struct simmerd daemon_state;
static struct proto_limits limits;

static void
fuzz_setup(void)
{
	proto_limits_default(&limits);
	fuzz_require(catalog_init(&daemon_state.catalog) == 0);
	daemon_state.day_start_hour = 4;
}

/* An error reply for err, as the daemon would send it. */
static void
pack_error(uint32_t msgid, int code, const char *err)
{
	fuzz_require(err[0] != '\0' && strlen(err) < PROTO_MESSAGE_MAX);
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	fuzz_require(proto_pack_response_error(&pk, msgid, code, err) == 0);
	msgpack_sbuffer_destroy(&buf);
}

/* Each key of the method's row read with each getter, required or not as
 * the row says. */
static void
read_keys(const struct method *m, const msgpack_object *params, uint32_t msgid)
{
	const char *p = m->params;
	while (*p != '\0') {
		char key[64];
		size_t len = strcspn(p, ",?");
		if (len == 0 || len >= sizeof key)
			break;
		memcpy(key, p, len);
		key[len] = '\0';
		bool required = p[len] != '?';
		p += len;
		p += strspn(p, "?, ");
		char err[PROTO_MESSAGE_MAX] = "", text[PROTO_NOTE_MAX + 1];
		int64_t i;
		double x;
		bool b;
		int rcs[4] = {
			proto_get_str(params, key, required, text, sizeof text, err, sizeof err),
			proto_get_int(params, key, required, &i, err, sizeof err),
			proto_get_double(params, key, required, &x, err, sizeof err),
			proto_get_bool(params, key, required, &b, err, sizeof err),
		};
		for (size_t k = 0; k < 4; k++)
			if (rcs[k] == -PROTO_E_INVALID_PARAMS)
				pack_error(msgid, PROTO_E_INVALID_PARAMS, err);
	}
}

/* method_log's checks of its params, entry by entry. */
static void
check_log(const msgpack_object *params, uint32_t msgid)
{
	const msgpack_object *entries = proto_map_get(params, "entries");
	if (entries == NULL || entries->type != MSGPACK_OBJECT_ARRAY)
		return;
	uint32_t n = entries->via.array.size;
	if (n == 0 || n > PROTO_MAX_ENTRIES_PER_REQUEST)
		return;
	char err[PROTO_MESSAGE_MAX] = "";
	bool create = true;
	if (proto_get_bool(params, "create_factors", false, &create, err, sizeof err) ==
	    -PROTO_E_INVALID_PARAMS) {
		pack_error(msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	const msgpack_object *units = proto_map_get(params, "units");
	if (units != NULL && (units->type != MSGPACK_OBJECT_ARRAY || units->via.array.size != n))
		return;
	for (uint32_t k = 0; k < n; k++) {
		struct entry e;
		struct factor f;
		memset(&e, 0, sizeof e);
		memset(&f, 0, sizeof f);
		err[0] = '\0';
		int rc = proto_entry_unpack(&entries->via.array.ptr[k], &e, err, sizeof err);
		if (rc == 0)
			rc = entries_check_typed(&daemon_state, &e, create,
			    units != NULL ? &units->via.array.ptr[k] : NULL, err, sizeof err);
		if (rc == 0)
			rc = entries_validate(&daemon_state, &e, &f, err, sizeof err);
		if (rc < 0) {
			pack_error(msgid, -rc, err);
			continue;
		}
		fuzz_require(catalog_check_value(&f, e.value, err, sizeof err) == 0);
		fuzz_require(strlen(e.note) <= PROTO_NOTE_MAX);
	}
}

static void
check_request(const struct proto_msg *msg)
{
	char err[PROTO_MESSAGE_MAX] = "";
	const msgpack_object *params = NULL;
	if (proto_params_map(msg, &params, err, sizeof err) != 0) {
		pack_error(msg->msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	fuzz_require(params == NULL || params->type == MSGPACK_OBJECT_MAP);
	const struct method *m = methods_find(msg->method);
	if (m == NULL)
		return;
	read_keys(m, params, msg->msgid);
	if (strcmp(m->name, PROTO_M_LOG) == 0)
		check_log(params, msg->msgid);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: reading past them is caught. */
	char *buf = malloc(size ? size : 1);
	fuzz_require(buf != NULL);
	memcpy(buf, data, size);
	size_t off = 0;
	while (off < size) {
		char err[PROTO_MESSAGE_MAX] = "";
		ssize_t n = proto_scan(buf + off, size - off, &limits, err, sizeof err);
		if (n == -PROTO_E_NEED_MORE)
			break;
		if (n < 0) {
			pack_error(0, (int)-n, err);
			break;
		}
		fuzz_require((size_t)n <= size - off && (size_t)n <= limits.max_message_bytes);
		struct proto_msg msg;
		bool msgid_known = false;
		int rc = proto_msg_decode_in_place(buf + off, (size_t)n, &msg, &msgid_known, err,
		    sizeof err);
		if (rc != 0)
			pack_error(msgid_known ? msg.msgid : 0, -rc, err);
		else if (msg.type == PROTO_REQUEST)
			check_request(&msg);
		proto_msg_free(&msg);
		off += (size_t)n;
	}
	free(buf);
	return 0;
}
