/*
 * config_service.c: the configuration at run time (see config_service.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <string.h>

#include "daemon/alerts.h"
#include "daemon/analysis_service.h"
#include "daemon/config_service.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/schedule.h"

void
config_service_apply(struct simmerd *d)
{
	d->day_start_hour = d->cfg.day_start_hour;
	struct analysis_config ac;
	config_analysis(&d->cfg, &ac);
	if (d->analysis)
		analysis_service_set_config(d->analysis, &ac, d->cfg.debounce_seconds);
	if (d->alerts)
		alerts_configure(d->alerts, &d->cfg);
	if (d->schedule)
		schedule_rearm(d->schedule);
}

int
config_service_load(struct simmerd *d, char *err, size_t errlen)
{
	if (config_load(d->paths.config, &d->cfg, err, errlen) != 0)
		return -PROTO_E_INVALID_PARAMS;
	config_service_apply(d);
	return 0;
}

int
config_service_reload(struct simmerd *d, char *err, size_t errlen)
{
	struct simmer_config fresh;
	if (config_load(d->paths.config, &fresh, err, errlen) != 0)
		return -PROTO_E_INVALID_PARAMS;
	d->cfg = fresh;
	config_service_apply(d);
	log_info("configuration re-read from %s", d->paths.config);
	return 0;
}

static void
reply_config(const struct request *rq)
{
	const struct simmerd *d = rq->d;
	struct reply rep;
	reply_begin(&rep, rq->msgid);
	msgpack_pack_map(&rep.pk, 2);
	proto_pack_kv_str(&rep.pk, "path", d->paths.config);
	size_t n = 0;
	while (config_keys[n])
		n++;
	proto_pack_cstr(&rep.pk, "values");
	msgpack_pack_map(&rep.pk, n);
	for (size_t i = 0; i < n; i++) {
		char v[64];
		config_get(&d->cfg, config_keys[i], v, sizeof v);
		proto_pack_kv_str(&rep.pk, config_keys[i], v);
	}
	request_reply(rq, &rep);
}

void
method_reload(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	char err[PROTO_MESSAGE_MAX];
	if (config_service_reload(rq->d, err, sizeof err) != 0) {
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	struct reply rep;
	reply_begin(&rep, rq->msgid);
	msgpack_pack_map(&rep.pk, 2);
	proto_pack_kv_bool(&rep.pk, "reloaded", true);
	proto_pack_kv_str(&rep.pk, "config", rq->d->paths.config);
	request_reply(rq, &rep);
}

void
method_config_get(const struct request *rq, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	char key[64], v[64];
	if (proto_get_str(params, "key", false, key, sizeof key, err, sizeof err) == 0 &&
	    config_get(&rq->d->cfg, key, v, sizeof v) != 0) {
		snprintf(err, sizeof err, "unknown key %s (see simmer.conf(5))", key);
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	reply_config(rq);
}

void
method_config_set(const struct request *rq, const msgpack_object *params)
{
	struct simmerd *d = rq->d;
	char err[PROTO_MESSAGE_MAX];
	char key[64], value[64];
	struct simmer_config next = d->cfg;
	if (proto_get_str(params, "key", true, key, sizeof key, err, sizeof err) != 0 ||
	    proto_get_str(params, "value", true, value, sizeof value, err, sizeof err) != 0 ||
	    config_set(&next, key, value, err, sizeof err) != 0) {
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	/* A small file written once by a person's command: the loop may
	 * wait for it as it waits for nothing else. */
	if (paths_make_parent(d->paths.config, 0700, err, sizeof err) != 0 ||
	    config_save(d->paths.config, &next, err, sizeof err) != 0) {
		request_error(rq, PROTO_E_STORAGE, err);
		return;
	}
	d->cfg = next;
	config_service_apply(d);
	reply_config(rq);
}
