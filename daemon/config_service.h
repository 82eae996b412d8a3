/*
 * config_service.h: the daemon's configuration at run time: loading it at
 * start, re-reading it (SIGHUP, `reload`), changing one key (`config_set`),
 * and handing the values to the services that use them.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_CONFIG_SERVICE_H
#define SIMMER_DAEMON_CONFIG_SERVICE_H

#include <stddef.h>

#include "daemon/request.h"

struct simmerd;

/* Reads the configuration file into d->cfg (a missing file means defaults). */
int config_service_load(struct simmerd *d, char *err, size_t errlen);
/* Re-reads it; a bad file keeps the old values. */
int config_service_reload(struct simmerd *d, char *err, size_t errlen);
/* Hands d->cfg to the analysis, the alerts and the schedule. */
void config_service_apply(struct simmerd *d);

/* Methods (rows of methods.c). */
void method_reload(const struct request *rq, const msgpack_object *params);
void method_config_get(const struct request *rq, const msgpack_object *params);
void method_config_set(const struct request *rq, const msgpack_object *params);

#endif
