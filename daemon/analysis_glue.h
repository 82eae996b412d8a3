/*
 * analysis_glue.h: between the store and the pure analysis: building its
 * input from the daily rollup and the catalog, and packing its result into
 * the reply maps of PROTOCOL.md. Runs on a worker thread; no SQLite here.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_ANALYSIS_GLUE_H
#define SIMMER_DAEMON_ANALYSIS_GLUE_H

#include <msgpack.h>

#include "daemon/analysis/analysis.h"
#include "daemon/catalog.h"
#include "daemon/store.h"

/* How far back the analysis looks: twenty years is a lifetime of diary. */
#define GLUE_MAX_DAYS 7300
/* Days of load in status's "trend": four weeks, the chart `simmer status`
 * draws. */
#define GLUE_TREND_DAYS 28

struct daily_rows {
	struct daily_row *rows;
	size_t count, cap;
};
/* A store_daily_cb that appends to a struct daily_rows. */
int glue_collect_row(const struct daily_row *row, void *arg);

/* Builds the input: days from the first row to `today`, values by kind
 * (scale and flare keep the day's maximum; hours, minutes, counts and
 * events are summed; anything unlogged is NAN, and the analysis decides from each
 * factor's observation window whether that means absent or unknown).
 * Red-flag factors are left out. A medicine logged by its drug name
 * counts one dose of its class per entry. When the newest entry is more
 * than stale_days before today, the days end with it instead of today.
 * 0 or -1. */
int glue_build_input(const struct catalog *cat, const struct daily_rows *rows, int32_t today,
    int stale_days, struct analysis_input *in);
void glue_free_input(struct analysis_input *in);

/* The reply maps. */
void glue_pack_status(msgpack_packer *pk, const struct analysis_input *in,
    const struct analysis_result *r, int64_t computed_at);
void glue_pack_forecast(msgpack_packer *pk, const struct analysis_input *in,
    const struct analysis_result *r, int64_t computed_at);
void glue_pack_triggers(msgpack_packer *pk, const struct analysis_input *in,
    const struct analysis_result *r, const struct analysis_config *cfg, int64_t computed_at);
void glue_pack_backtest(msgpack_packer *pk, const struct analysis_input *in,
    const struct analysis_result *r, int64_t computed_at);
/* Whether risk alerts are on, in words: the backtest's note, or that the
 * diary has gone quiet (stale results raise no risk alerts). */
void glue_risk_alerts(const struct analysis_result *r, char *note, size_t len);
void glue_pack_coverage(msgpack_packer *pk, const struct analysis_result *r, int64_t computed_at);

#endif
