/*
 * refused.h: the loop's side of refused spooled entries: how many are
 * stored (for `status`), storing those the spool intake refused (through
 * the store thread), and the methods that list and clear them.
 *
 * The client says "kept" when it writes an entry to the spool, before any
 * check has seen it; an entry simmerd then refuses is kept here, with why,
 * so that the person hears of it and can log it again.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_REFUSED_H
#define SIMMER_DAEMON_REFUSED_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/request.h"
#include "daemon/store.h"

struct simmerd;
struct refused;

/* Reads how many are stored through st. */
int refused_start(struct refused **out, struct simmerd *d, struct store *st, char *err,
    size_t errlen);
void refused_free(struct refused *r);

/* How many are stored, as of the last commit that changed them. */
int64_t refused_count(const struct refused *r);

/* Called on the loop once the rows are committed (rc 0) or not (rc < 0,
 * with err). */
typedef void (*refused_kept_fn)(void *arg, int rc, const char *err);
/* Stores n rows (taking ownership of the malloc'd array) through the store
 * thread. 0, or -PROTO_E_INTERNAL with nothing submitted and rows freed. */
int refused_keep(struct refused *r, struct refused_entry *rows, size_t n, refused_kept_fn done,
    void *arg);

/* Methods (rows of methods.c). */
void method_refused(const struct request *rq, const msgpack_object *params);
void method_refused_clear(const struct request *rq, const msgpack_object *params);

#endif
