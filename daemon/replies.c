/*
 * replies.c: result maps shared by the loop and the store thread (see replies.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <string.h>

#include "daemon/alert_policy.h"
#include "daemon/replies.h"

void
reply_pack_entries(msgpack_packer *pk, const struct entry *entries, size_t n,
    bool with_next, const struct entry *next)
{
	msgpack_pack_map(pk, with_next ? 2 : 1);
	proto_pack_cstr(pk, "entries");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		proto_entry_pack(pk, &entries[i], true);
	if (with_next) {
		proto_pack_cstr(pk, "next");
		if (next == NULL) {
			msgpack_pack_nil(pk);
		} else {
			msgpack_pack_array(pk, 2);
			msgpack_pack_int64(pk, next->time_ms);
			proto_pack_cstr(pk, next->id);
		}
	}
}

static const char *
log_status_name(int status)
{
	switch (status) {
	case LOG_ADDED: return "added";
	case LOG_PRESENT: return "present";
	default: return "rejected";
	}
}

void
reply_pack_log_result(msgpack_packer *pk, const struct job *job)
{
	msgpack_pack_map(pk, 4);
	proto_pack_kv_int(pk, "added", (int64_t)job->added);
	proto_pack_kv_int(pk, "present", (int64_t)job->present);
	proto_pack_kv_int(pk, "rejected", (int64_t)job->rejected);
	proto_pack_cstr(pk, "results");
	msgpack_pack_array(pk, job->rejected_results ? job->rejected : job->log.n);
	for (size_t i = 0; i < job->log.n; i++) {
		const struct log_item *it = &job->log.items[i];
		const struct factor *f = log_batch_factor(&job->log, it);
		bool rejected = it->status == LOG_REJECTED;
		if (job->rejected_results && !rejected)
			continue;
		msgpack_pack_map(pk, (rejected ? 6 : 5) + job->rejected_results);
		if (job->rejected_results)
			proto_pack_kv_int(pk, "index", (int64_t)i);
		proto_pack_kv_str(pk, "id", it->id);
		proto_pack_kv_str(pk, "factor", f->name);
		proto_pack_kv_str(pk, "status", log_status_name(it->status));
		proto_pack_kv_str(pk, "role", factor_role_name(f->role));
		proto_pack_kv_str(pk, "unit", f->unit);
		if (rejected)
			proto_pack_kv_str(pk, "message", log_batch_message(&job->log, it));
	}
}

void
reply_pack_factor(msgpack_packer *pk, const struct factor *f)
{
	msgpack_pack_map(pk, 9);
	proto_pack_kv_str(pk, "name", f->name);
	proto_pack_kv_str(pk, "kind", factor_kind_name(f->kind));
	proto_pack_kv_str(pk, "role", factor_role_name(f->role));
	proto_pack_kv_str(pk, "unit", f->unit);
	proto_pack_kv_double(pk, "min", f->min);
	proto_pack_kv_double(pk, "max", f->max);
	proto_pack_kv_bool(pk, "builtin", f->builtin);
	proto_pack_kv_str(pk, "description", f->description);
	const char *counts_as = catalog_counts_as(f->name);
	proto_pack_kv_str(pk, "counts_as", counts_as ? counts_as : "");
}

void
reply_pack_alert(msgpack_packer *pk, const struct alert *a)
{
	msgpack_pack_map(pk, 8);
	proto_pack_kv_int(pk, "id", a->id);
	proto_pack_kv_int(pk, "time", a->time_ms);
	proto_pack_kv_str(pk, "kind", a->kind);
	proto_pack_kv_str(pk, "level", a->level);
	proto_pack_kv_str(pk, "summary", a->summary);
	proto_pack_kv_str(pk, "body", a->body);
	proto_pack_kv_bool(pk, "shown", a->shown);
	proto_pack_kv_str(pk, "outcome", a->outcome);
}

int
reply_map_add_int(const msgpack_sbuffer *map, const char *key, int64_t value,
    msgpack_sbuffer *out)
{
	const unsigned char *p = (const unsigned char *)map->data;
	size_t head;
	uint32_t pairs;
	if (map->size >= 1 && (p[0] & 0xf0) == 0x80) {
		head = 1;
		pairs = p[0] & 0x0f;
	} else if (map->size >= 3 && p[0] == 0xde) {
		head = 3;
		pairs = (uint32_t)p[1] << 8 | p[2];
	} else if (map->size >= 5 && p[0] == 0xdf) {
		head = 5;
		pairs = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	} else {
		return -1;
	}
	msgpack_sbuffer_init(out);
	msgpack_packer pk;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, pairs + 1);
	msgpack_sbuffer_write(out, map->data + head, map->size - head);
	proto_pack_kv_int(&pk, key, value);
	return 0;
}

void
reply_begin(struct reply *rep, uint32_t msgid)
{
	msgpack_sbuffer_init(&rep->buf);
	msgpack_packer_init(&rep->pk, &rep->buf, msgpack_sbuffer_write);
	proto_pack_response_head(&rep->pk, msgid);
}
