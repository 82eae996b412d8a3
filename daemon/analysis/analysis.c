/*
 * analysis.c: runs the whole analysis in order (see analysis.h): series,
 * load and threshold, triggers, and the backtest that validates the
 * forecasters and yields the forecast for the last day, all on the
 * factors' observation windows (windows.c).
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/internal.h"

void
analysis_config_default(struct analysis_config *cfg)
{
	cfg->flare_pain_level = 7;
	cfg->max_lag_days = 3;
	cfg->q_max = 0.10;
	cfg->min_exposed_onsets = 3;
	cfg->min_days = 28;
	cfg->min_flares = 3;
	cfg->prior_threshold = 60;
	cfg->max_false_per_30d = 1;
	cfg->ridge_lambda = 2.0;
	cfg->refit_every_days = 7;
	cfg->backtest_max_days = 730;
	cfg->window_gap_days = 14;
	cfg->treatment_days = 30;
	cfg->stale_days = 2;
}

const char *
analysis_level_name(int level)
{
	static const char *const names[] = {"ok", "watch", "warning"};
	return (level >= 0 && level <= LEVEL_WARNING) ? names[level] : "ok";
}

void
analysis_result_free(struct analysis_result *r)
{
	free(r->onset);
	free(r->in_flare);
	free(r->at_risk);
	free(r->load);
	free(r->findings);
	free(r->levels);
	free(r->backtest);
	memset(r, 0, sizeof *r);
}

int
analysis_run(const struct analysis_input *raw, const struct analysis_config *cfg,
    bool with_backtest, struct analysis_result *r)
{
	memset(r, 0, sizeof *r);
	/* Everything below sees events as absent only inside their windows. */
	struct analysis_input windowed;
	if (windows_apply(raw, cfg, &windowed) != 0)
		return -1;
	const struct analysis_input *in = &windowed;
	size_t n = in->n_days;
	size_t alloc = n ? n : 1;
	r->n_days = n;
	r->onset = calloc(alloc, sizeof *r->onset);
	r->in_flare = calloc(alloc, sizeof *r->in_flare);
	r->at_risk = calloc(alloc, sizeof *r->at_risk);
	r->load = calloc(alloc, sizeof *r->load);
	double *ewma = calloc(alloc * LC_COUNT, sizeof *ewma);
	if (!r->onset || !r->in_flare || !r->at_risk || !r->load || !ewma)
		goto fail;
	series_flares(in, cfg, r->onset, r->in_flare, r->at_risk);
	r->signs_logged = forecast_signs_logged(in);
	r->first_day = in->first_day;
	r->last_day = in->first_day + (int32_t)(n ? n - 1 : 0);
	r->last_entry_day = r->first_day;
	for (size_t d = 0; d < n; d++) {
		if (in->has_entries[d])
			r->last_entry_day = in->first_day + (int32_t)d;
		r->days_with_entries += in->has_entries[d];
		r->flares += r->onset[d];
	}
	r->stale = r->days_with_entries > 0 && in->today - r->last_entry_day > cfg->stale_days;
	r->enough_data = r->days_with_entries >= cfg->min_days && r->flares >= cfg->min_flares;
	if (!r->enough_data)
		snprintf(r->message, sizeof r->message, "Not enough data yet: %zu of %u days and %u of %u "
		    "flares found. Until then simmer uses its starting values.",
		    r->days_with_entries < cfg->min_days ? r->days_with_entries : (size_t)cfg->min_days,
		    cfg->min_days, r->flares < cfg->min_flares ? r->flares : cfg->min_flares,
		    cfg->min_flares);

	struct known_factors k;
	known_factors_find(in, &k);
	load_components(in, &k, ewma);
	if (n > 0) {
		r->threshold_personal = load_personalize(in, cfg, r, ewma, n - 1, r->weights,
		    &r->threshold);
		r->weights_personal = r->threshold_personal;
	} else {
		for (int c = 0; c < LC_COUNT; c++)
			r->weights[c] = 1;
		r->threshold = cfg->prior_threshold;
	}
	load_combine(ewma, n, r->weights, r->load);

	if (triggers_run(in, cfg, r) != 0)
		goto fail;
	treatments_use(in, cfg, r);
	if (levels_run(in, cfg, r) != 0)
		goto fail;

	if (backtest_run(in, cfg, r, ewma, with_backtest) != 0)
		goto fail;
	free(ewma);
	windows_free(raw, &windowed);
	return 0;
fail:
	free(ewma);
	windows_free(raw, &windowed);
	analysis_result_free(r);
	return -1;
}
