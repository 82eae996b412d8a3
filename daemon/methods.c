/*
 * methods.c: the method table and `hello`, which tells a client the
 * protocol and the limits of this table and of proto/limits.h.
 *
 * SPDX-License-Identifier: ISC
 */
#include <string.h>

#include "daemon/alerts.h"
#include "daemon/analysis_service.h"
#include "daemon/config_service.h"
#include "daemon/daemon.h"
#include "daemon/entries.h"
#include "daemon/experiments.h"
#include "daemon/log.h"
#include "daemon/methods.h"
#include "daemon/refused.h"
#include "daemon/server.h"

static void method_hello(const struct request *rq, const msgpack_object *params);

/*
 * Every RPC method is one row here: its name (proto.h), its handler, the
 * keys of its params map ("?": optional), whether it writes, which thread
 * does its work, and the default and most of its "limit" (or of its
 * entries). Adding a method is one row plus one handler in the file of what
 * it serves: entries.c (the diary), analysis_service.c, alerts.c,
 * config_service.c, experiments.c, refused.c. PROTOCOL.md describes each for other clients.
 */
static const struct method method_table[] = {
	{PROTO_M_HELLO, method_hello, "client?, protocol?", false, METHOD_ON_LOOP, 0, 0},
	{PROTO_M_LOG, method_log, "entries, atomic?, create_factors?, units?, results?", true, METHOD_ON_STORE,
	    PROTO_MAX_ENTRIES_PER_REQUEST, PROTO_MAX_ENTRIES_PER_REQUEST},
	{PROTO_M_LIST, method_list, "since?, until?, factor?, limit?", false, METHOD_ON_READER,
	    PROTO_LIST_DEFAULT, PROTO_PAGE_SIZE},
	{PROTO_M_EXPORT, method_export, "since?, after?, limit?", false, METHOD_ON_READER,
	    PROTO_PAGE_SIZE, PROTO_PAGE_SIZE},
	{PROTO_M_UNDO, method_undo, "", true, METHOD_ON_STORE, 0, 0},
	{PROTO_M_DELETE, method_delete, "id", true, METHOD_ON_STORE, 0, 0},
	{PROTO_M_FACTORS, method_factors, "", false, METHOD_ON_LOOP, 0, 0},
	{PROTO_M_FACTOR_DEFINE, method_factor_define, "name, kind, role, unit?", true,
	    METHOD_ON_STORE, 0, 0},
	{PROTO_M_STATUS, method_status, "", false, METHOD_ON_POOL, 0, 0},
	{PROTO_M_FORECAST, method_forecast, "", false, METHOD_ON_POOL, 0, 0},
	{PROTO_M_WHY, method_forecast, "", false, METHOD_ON_POOL, 0, 0},
	{PROTO_M_TRIGGERS, method_triggers, "", false, METHOD_ON_POOL, 0, 0},
	{PROTO_M_BACKTEST, method_backtest, "", false, METHOD_ON_POOL, 0, 0},
	{PROTO_M_ANALYZE, method_analyze, "", false, METHOD_ON_POOL, 0, 0},
	{PROTO_M_ALERTS, method_alerts, "limit?", false, METHOD_ON_STORE,
	    PROTO_ALERTS_DEFAULT, PROTO_ALERTS_MAX},
	{PROTO_M_SUBSCRIBE, method_subscribe, "", false, METHOD_ON_LOOP, 0, 0},
	{PROTO_M_NOTIFY_TEST, method_notify_test, "", false, METHOD_ON_NOTIFIER, 0, 0},
	{PROTO_M_RELOAD, method_reload, "", false, METHOD_ON_LOOP, 0, 0},
	{PROTO_M_CONFIG_GET, method_config_get, "key?", false, METHOD_ON_LOOP, 0, 0},
	{PROTO_M_CONFIG_SET, method_config_set, "key, value", true, METHOD_ON_LOOP, 0, 0},
	{PROTO_M_EXPERIMENT_START, method_experiment_start,
	    "factor, eliminate?, reintroduce?, washout?, start?", true, METHOD_ON_STORE, 0, 0},
	{PROTO_M_EXPERIMENT_STOP, method_experiment_stop, "", true, METHOD_ON_STORE, 0, 0},
	{PROTO_M_EXPERIMENT_STATUS, method_experiment_status, "", false, METHOD_ON_POOL, 0, 0},
	{PROTO_M_EXPERIMENT_LIST, method_experiment_list, "", false, METHOD_ON_POOL, 0, 0},
	{PROTO_M_REFUSED, method_refused, "limit?", false, METHOD_ON_STORE, PROTO_REFUSED_DEFAULT,
	    PROTO_REFUSED_MAX},
	{PROTO_M_REFUSED_CLEAR, method_refused_clear, "", true, METHOD_ON_STORE, 0, 0},
};

const struct method *
methods_find(const char *name)
{
	for (size_t i = 0; i < sizeof method_table / sizeof method_table[0]; i++)
		if (strcmp(method_table[i].name, name) == 0)
			return &method_table[i];
	return NULL;
}

static void
method_hello(const struct request *rq, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	int64_t version = PROTO_VERSION;
	int rc = proto_get_int(params, "protocol", false, &version, err, sizeof err);
	if (rc == -PROTO_E_INVALID_PARAMS) {
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	if (version != PROTO_VERSION) {
		snprintf(err, sizeof err, "simmerd speaks protocol %d, the client %lld",
		    PROTO_VERSION, (long long)version);
		request_error(rq, PROTO_E_VERSION, err);
		return;
	}
	struct reply rep;
	reply_begin(&rep, rq->msgid);
	msgpack_pack_map(&rep.pk, 3);
	proto_pack_kv_int(&rep.pk, "protocol", PROTO_VERSION);
	proto_pack_kv_str(&rep.pk, "daemon", SIMMER_VERSION);
	proto_pack_cstr(&rep.pk, "limits");
	msgpack_pack_map(&rep.pk, 17);
	proto_pack_kv_int(&rep.pk, "max_message_bytes", PROTO_MAX_MESSAGE_BYTES);
	proto_pack_kv_int(&rep.pk, "max_connection_buffer", PROTO_MAX_CONN_BUFFER);
	proto_pack_kv_int(&rep.pk, "max_depth", PROTO_MAX_DEPTH);
	proto_pack_kv_int(&rep.pk, "max_string", PROTO_MAX_STRING);
	proto_pack_kv_int(&rep.pk, "max_array", PROTO_MAX_ARRAY);
	proto_pack_kv_int(&rep.pk, "max_map", PROTO_MAX_MAP);
	proto_pack_kv_int(&rep.pk, "max_entries_per_request", PROTO_MAX_ENTRIES_PER_REQUEST);
	proto_pack_kv_int(&rep.pk, "max_objects", PROTO_MAX_OBJECTS);
	proto_pack_kv_int(&rep.pk, "max_connections", PROTO_MAX_CONNECTIONS);
	proto_pack_kv_int(&rep.pk, "max_subscribers", PROTO_MAX_SUBSCRIBERS);
	proto_pack_kv_int(&rep.pk, "max_buffered_bytes",
	    (int64_t)rq->d->cfg.max_buffered_mib * 1024 * 1024);
	proto_pack_kv_int(&rep.pk, "stall_timeout_s", rq->d->cfg.stall_timeout_s);
	proto_pack_kv_int(&rep.pk, "idle_timeout_s", rq->d->cfg.idle_timeout_s);
	proto_pack_kv_int(&rep.pk, "page_size", PROTO_PAGE_SIZE);
	proto_pack_kv_int(&rep.pk, "list_default", PROTO_LIST_DEFAULT);
	proto_pack_kv_int(&rep.pk, "max_alerts", PROTO_ALERTS_MAX);
	proto_pack_kv_int(&rep.pk, "max_refused", PROTO_REFUSED_MAX);
	request_reply(rq, &rep);
}

void
methods_handle_request(struct simmerd *d, struct conn *c, const struct proto_msg *msg)
{
	char err[PROTO_MESSAGE_MAX];
	const msgpack_object *params = NULL;
	struct request rq = {.d = d, .conn = c, .msgid = msg->msgid, .method = NULL};
	if (d->stopping) {
		request_error(&rq, PROTO_E_SHUTTING_DOWN, "simmerd is stopping");
		return;
	}
	int rc = proto_params_map(msg, &params, err, sizeof err);
	if (rc != 0) {
		request_error(&rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	rq.method = methods_find(msg->method);
	if (rq.method == NULL) {
		snprintf(err, sizeof err, "no method \"%s\"", msg->method);
		request_error(&rq, PROTO_E_NO_METHOD, err);
		return;
	}
	log_debug("client %llu: %s", conn_serial(c), msg->method);
	rq.method->handler(&rq, params);
}
