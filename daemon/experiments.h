/*
 * experiments.h: the loop's side of experiments (personal elimination and
 * reintroduction trials): the list of stored plans kept in memory, the
 * methods that start and stop one (through the store thread), the methods
 * that show them (from the analysis, which compares their days), and the
 * line the evening reminder says while one runs.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_EXPERIMENTS_H
#define SIMMER_DAEMON_EXPERIMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/request.h"

struct simmerd;
struct store;
struct experiments;

/* Reads the stored experiments through st and hands them to the analysis. */
int experiments_start(struct experiments **out, struct simmerd *d, struct store *st,
    char *err, size_t errlen);
void experiments_free(struct experiments *x);

/* While a trial runs (or starts tomorrow), what the evening reminder says
 * about it ("day 9 of 14 without dairy: leave it out, and log as usual");
 * false when none does. */
bool experiments_reminder(const struct experiments *x, int32_t today, char *out, size_t len);

/* Methods (rows of methods.c). */
void method_experiment_start(const struct request *rq, const msgpack_object *params);
void method_experiment_stop(const struct request *rq, const msgpack_object *params);
void method_experiment_status(const struct request *rq, const msgpack_object *params);
void method_experiment_list(const struct request *rq, const msgpack_object *params);

#endif
