/*
 * entries.h: the diary's methods (log, list, export, undo, delete, factors,
 * factor_define) and the one path every new entry takes: validated against
 * the factor catalog on the loop, committed by the writer, and only then,
 * for the entries the writer reports as added, the side effects: the red
 * flag alert, the newest day with an entry, the debounce of a new analysis.
 * An entry that was already present changes nothing.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_ENTRIES_H
#define SIMMER_DAEMON_ENTRIES_H

#include <stddef.h>

#include "daemon/request.h"

struct simmerd;

void method_log(const struct request *rq, const msgpack_object *params);
void method_list(const struct request *rq, const msgpack_object *params);
void method_export(const struct request *rq, const msgpack_object *params);
void method_undo(const struct request *rq, const msgpack_object *params);
void method_delete(const struct request *rq, const msgpack_object *params);
void method_factors(const struct request *rq, const msgpack_object *params);
void method_factor_define(const struct request *rq, const msgpack_object *params);

/* Submits entries that came from outside a connection (the spool): each is
 * validated (a bad one is marked rejected), and `done` runs on the loop with
 * the job once the writer settled them and their side effects ran. Takes
 * ownership of items. 0 or -PROTO_E_INTERNAL. */
int entries_submit(struct simmerd *d, struct log_item *items, size_t n, job_done_fn done,
    void *arg);

#endif
