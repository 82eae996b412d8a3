/*
 * analysis_service.h: running the analysis off the loop and answering
 * from its latest result.
 *
 * One job at a time runs on libuv's thread pool with its own read-only
 * connection: it reads the daily rollup, runs the pure analysis (with the
 * backtest) and packs every reply map there, so the loop only swaps
 * buffers. A request for a run while one is going marks a rerun. Results
 * feed the alert policy through a callback.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_ANALYSIS_SERVICE_H
#define SIMMER_DAEMON_ANALYSIS_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>
#include <uv.h>

#include "daemon/analysis/analysis.h"
#include "daemon/analysis/experiment.h"
#include "daemon/request.h"

struct simmerd;
struct conn;

/* What the alert policy needs from a finished analysis. */
struct analysis_outcome {
	int64_t computed_at;
	bool enough_data;
	int32_t day;
	int level;
	double load, threshold, risk;
	bool risk_alerts;            /* the backtest supports risk alerts */
	char risk_alerts_note[256];  /* says why they are on or off */
	size_t n_contributors;
	struct contributor contributors[4];
};

typedef void (*analysis_done_fn)(struct simmerd *d, const struct analysis_outcome *o);

struct analysis_service;

int analysis_service_start(struct analysis_service **out, struct simmerd *d, analysis_done_fn done);
void analysis_service_stop(struct analysis_service *a);
void analysis_service_set_config(struct analysis_service *a, const struct analysis_config *cfg,
    int debounce_seconds);
/* Keeps a copy of the stored experiments, which every run analyses, and
 * marks the latest result out of date. 0, or -1 when out of memory. */
int analysis_service_set_experiments(struct analysis_service *a, const struct experiment_plan *plans,
    size_t n);
/* Answers experiment_status (list false) or experiment_list from a result
 * that has seen every experiment and entry stored so far. */
void analysis_service_answer_experiments(const struct request *rq, bool list);
/* Runs now (or right after the current run). */
void analysis_service_run(struct analysis_service *a);
/* Runs after the debounce delay, restarting it on each call. */
void analysis_service_debounce(struct analysis_service *a);
/* Methods (rows of methods.c). status, forecast (and why), triggers and
 * backtest reply from the latest result, or, when entries arrived since it
 * was made, from a fresh run; analyze replies when a run that started after
 * the request has finished. */
void method_status(const struct request *rq, const msgpack_object *params);
void method_forecast(const struct request *rq, const msgpack_object *params);
void method_triggers(const struct request *rq, const msgpack_object *params);
void method_backtest(const struct request *rq, const msgpack_object *params);
void method_analyze(const struct request *rq, const msgpack_object *params);

#endif
