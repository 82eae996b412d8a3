/*
 * services.h: what joins the request path to configuration, analysis and
 * alerts.
 *
 * main.c and dispatch.c call these so that they need not know about the
 * analysis schedule or the alert policy: the configuration is loaded and
 * re-read here, new entries may start a debounced analysis or raise a
 * red-flag alert, and methods that dispatch.c does not own are offered here
 * before a request is refused as unknown.
 */
#ifndef SIMMER_DAEMON_SERVICES_H
#define SIMMER_DAEMON_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/daemon.h"

/* Reads the configuration file (a missing file means defaults). */
int services_load_config(struct simmerd *d, char *err, size_t errlen);
/* Re-reads it (SIGHUP, `reload`); a bad file keeps the old values. */
int services_reload(struct simmerd *d, char *err, size_t errlen);
/* Starts timers and threads once the store and the socket are up. */
int services_start(struct simmerd *d, char *err, size_t errlen);
/* Closes them on the way out. */
void services_stop(struct simmerd *d);

/* Entries were accepted for writing (some may still be present already). */
void services_entries_submitted(struct simmerd *d, const struct log_item *items, size_t n);
/* An undo or delete was committed: the analysis must not answer from
 * before it. */
void services_entry_removed(struct simmerd *d);
/* True when the method was handled (a reply was or will be sent). */
bool services_dispatch(struct conn *c, uint32_t msgid, const char *method,
    const msgpack_object *params);

#endif
