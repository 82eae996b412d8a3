/*
 * backtest.c: the forecasts simmer would have made on past evenings, and
 * how they turned out.
 *
 * Each evening's forecast uses only what was known that evening: the load
 * and the series are causal, and the personal weights, the threshold and
 * the model are refitted every few days on data up to that evening. The
 * summary tells a person how far to trust the alerts: AUC, the share of
 * onsets preceded by watch or warning within 48 hours, the median lead time
 * and the false alarms per 30 days.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/internal.h"
#include "daemon/analysis/stats.h"

static void
summarize(const struct analysis_input *in, const struct analysis_result *r,
    struct backtest_summary *s)
{
	const struct backtest_day *b = r->backtest;
	size_t n = r->n_backtest;
	memset(s, 0, sizeof *s);
	s->days = n;
	double *score = malloc((n ? n : 1) * sizeof *score);
	bool *label = malloc((n ? n : 1) * sizeof *label);
	double *leads = malloc((n ? n : 1) * sizeof *leads);
	size_t m = 0, n_leads = 0;
	unsigned false_alarms = 0;
	for (size_t i = 0; i < n && score && label && leads; i++) {
		if (b[i].outcome >= 0) {
			score[m] = b[i].risk;
			label[m++] = b[i].outcome == 1;
		}
		bool alarm = b[i].level >= LEVEL_WATCH;
		bool rose = alarm && (i == 0 || b[i - 1].level < LEVEL_WATCH || b[i - 1].day != b[i].day - 1);
		if (rose && b[i].outcome == 0)
			false_alarms++;
	}
	s->auc = m ? stats_auc(score, label, m) : NAN;
	/* Onsets after the first forecast, and whether one of the two evenings
	 * before each raised watch or warning. */
	int32_t first = n ? b[0].day : 0;
	for (size_t d = 0; d < in->n_days && n; d++) {
		int32_t day = in->first_day + (int32_t)d;
		if (!r->onset[d] || day <= first + 1 || day > b[n - 1].day + 2)
			continue;
		s->onsets++;
		double lead = NAN;
		for (size_t i = 0; i < n; i++) {
			int32_t gap = day - b[i].day;
			if (gap >= 1 && gap <= 2 && b[i].level >= LEVEL_WATCH && !(gap < lead))
				lead = isfinite(lead) ? fmax(lead, gap) : gap;
		}
		if (isfinite(lead)) {
			s->onsets_warned++;
			if (leads)
				leads[n_leads++] = lead;
		}
	}
	s->share_warned = s->onsets ? (double)s->onsets_warned / s->onsets : NAN;
	s->median_lead_days = n_leads ? stats_median(leads, n_leads) : NAN;
	s->false_alarms_per_30d = n ? 30.0 * false_alarms / (double)n : 0;
	free(score);
	free(label);
	free(leads);
}

int
backtest_run(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r, const double *ewma)
{
	size_t n = in->n_days;
	r->n_backtest = 0;
	r->backtest = calloc(n ? n : 1, sizeof *r->backtest);
	double *load = malloc((n ? n : 1) * sizeof *load);
	if (r->backtest == NULL || load == NULL) {
		free(load);
		return -1;
	}
	/* Start once min_days of history exist, and within the window. */
	size_t start = 0, seen = 0;
	while (start < n && seen < cfg->min_days)
		seen += in->has_entries[start++];
	if (n > cfg->backtest_max_days && start < n - cfg->backtest_max_days)
		start = n - cfg->backtest_max_days;
	double weights[LC_COUNT], threshold = cfg->prior_threshold;
	struct forecast_model model;
	long last_fit = -1;
	for (size_t d = start; d < n; d++) {
		if (last_fit < 0 || (long)d - last_fit >= cfg->refit_every_days) {
			load_personalize(in, cfg, r, ewma, d, weights, &threshold);
			load_combine(ewma, d + 1, weights, load);
			if (forecast_fit(in, cfg, r, ewma, load, d, &model) != 0) {
				free(load);
				return -1;
			}
			last_fit = (long)d;
		} else {
			load_combine(ewma + d * LC_COUNT, 1, weights, load + d);
		}
		if (!in->has_entries[d] || (r->in_flare[d] && !r->onset[d]))
			continue;
		struct backtest_day *b = &r->backtest[r->n_backtest++];
		b->day = in->first_day + (int32_t)d;
		b->load = load[d];
		b->risk = forecast_predict(in, ewma, load, &model, d, threshold, NULL, 0, NULL);
		b->level = forecast_level(cfg, b->load, threshold, b->risk);
		b->outcome = series_target48(r, in, d);
	}
	free(load);
	summarize(in, r, &r->summary);
	return 0;
}
