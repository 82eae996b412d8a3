/*
 * replies.h: packs the result maps of simmerd's replies that more than one
 * file or thread builds (entries, log results, factors, alerts), as
 * PROTOCOL.md defines them. Pure: it only packs, and sending is the
 * server's.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_REPLIES_H
#define SIMMER_DAEMON_REPLIES_H

#include <msgpack.h>

#include "daemon/catalog.h"
#include "daemon/writer.h"
#include "proto/proto.h"

/* {"entries": [...]} and, when with_next, "next": [time, id] of `next` or nil. */
void reply_pack_entries(msgpack_packer *pk, const struct entry *entries, size_t n,
    bool with_next, const struct entry *next);
/* {"added", "present", "rejected", "results": [{"id", "factor", "status", "message"?}]} */
void reply_pack_log_result(msgpack_packer *pk, const struct job *job);
/* {"name", "kind", "role", "unit", "min", "max", "builtin", "description"} */
void reply_pack_factor(msgpack_packer *pk, const struct factor *f);
/* {"id", "time", "kind", "level", "summary", "body", "shown", "outcome"} */
struct alert;
void reply_pack_alert(msgpack_packer *pk, const struct alert *a);
/* Copies the packed map `map` to `out` (initialised here) with one more
 * pair, key: value, at its end. 0, or -1 when `map` is not a map. */
int reply_map_add_int(const msgpack_sbuffer *map, const char *key, int64_t value,
    msgpack_sbuffer *out);
/* A success response being built: reply_begin packs the envelope, the
 * caller packs the result with rep.pk, and the loop sends rep.buf. */
struct reply {
	msgpack_sbuffer buf;
	msgpack_packer pk;
};
void reply_begin(struct reply *rep, uint32_t msgid);

#endif
