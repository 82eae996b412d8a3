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

#include "daemon/log_batch.h"
#include "daemon/request.h"

struct simmerd;

void method_log(const struct request *rq, const msgpack_object *params);
void method_list(const struct request *rq, const msgpack_object *params);
void method_export(const struct request *rq, const msgpack_object *params);
void method_undo(const struct request *rq, const msgpack_object *params);
void method_delete(const struct request *rq, const msgpack_object *params);
void method_factors(const struct request *rq, const msgpack_object *params);
void method_factor_define(const struct request *rq, const msgpack_object *params);

/* Entries that come from outside a connection (the spool):
 * entries_batch_add validates one and appends it to b, marked rejected
 * with the reason when it is not valid; entries_submit hands the batch to
 * the writer (taking ownership of its contents), and `done` runs on the
 * loop with the job once the writer settled them and their side effects
 * ran. Both return 0 or -PROTO_E_INTERNAL. */
/*
 * The checks every new entry passes on the loop, in this order, before the
 * writer sees it (method_log runs both; the spool only the second).
 * entries_check_typed: what a person typed, with create_factors false a
 * name the catalog does not know is refused (with the nearest known one
 * when it looks like a typo), and a unit given must be the factor's.
 * entries_validate: against the catalog (aliases resolved, the range, not
 * before 1970 nor more than a day ahead) and the local day filled in.
 * Both return 0 or a negative proto error with err filled; they only read
 * d's catalog and day start, so a fuzzer can call them on a bare simmerd.
 */
int entries_check_typed(struct simmerd *d, struct entry *e, bool create,
    const msgpack_object *unit, char *err, size_t errlen);
int entries_validate(struct simmerd *d, struct entry *e, struct factor *f, char *err,
    size_t errlen);

int entries_batch_add(struct simmerd *d, struct log_batch *b, struct entry *e);
int entries_submit(struct simmerd *d, struct log_batch *b, job_done_fn done, void *arg);

#endif
