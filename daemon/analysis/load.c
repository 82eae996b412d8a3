/*
 * load.c: the daily inflammation load (0-100) and the person's threshold.
 *
 * Each day earns points from eight components: sleep debt against the
 * person's own usual sleep, stress, activity against the person's chronic
 * activity (acute 7 days against the 28 days before them, so the acute days
 * are not inside the chronic average), recovery debt after hard days,
 * NSAID days in the past week, late or skipped meals, trigger foods and gut
 * symptoms. Each component's points are smoothed by an exponentially
 * weighted average (half-life 3 days, as training-load models do), and the
 * load is their weighted sum. Weights start at 1 (the prior) and move, once
 * there is enough history, by what a ridge logistic fit of the person's own
 * onsets supports.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/internal.h"
#include "daemon/analysis/stats.h"

#define LOAD_HALF_LIFE_DAYS 3.0
#define SLEEP_NEED_DEFAULT 7.5     /* hours, until 7 nights are known */
#define SLEEP_NEED_WINDOW 28
#define ACUTE_DAYS 7
#define CHRONIC_DAYS 28
/* Days a personal fit looks back over: the last two years weigh enough. */
#define PERSONAL_MAX_DAYS 730
/* Share of ordinary days at risk on which a learned threshold may be crossed. */
#define LOAD_THRESHOLD_MAX_FPR 0.04

static const char *const component_names[LC_COUNT] = {
	"sleep", "stress", "activity", "recovery", "nsaid", "meals", "foods", "gut",
};

const char *
load_component_name(int c)
{
	return (c >= 0 && c < LC_COUNT) ? component_names[c] : "?";
}

static double
v0(const struct analysis_input *in, int f, long d)
{
	double v = factor_value(in, f, d);
	return isfinite(v) ? v : 0;
}

static double
cap(double v, double hi)
{
	return v < 0 ? 0 : (v > hi ? hi : v);
}

/* Mean activity minutes over days [from, to], unlogged days as 0. */
static double
activity_mean(const struct analysis_input *in, int f, long from, long to)
{
	double s = 0;
	long n = 0;
	for (long d = from; d <= to; d++) {
		if (d < 0 || !in->has_entries[d])
			continue;
		s += v0(in, f, d);
		n++;
	}
	return n ? s / (double)n : NAN;
}

static bool
hard_day(const struct analysis_input *in, const struct known_factors *k, long d, double chronic)
{
	if (d < 0)
		return false;
	double rpe = factor_value(in, k->activity_rpe, d);
	double min = v0(in, k->activity_minutes, d);
	return (isfinite(rpe) && rpe >= 8) || (min >= 60 && isfinite(chronic) && min >= 2 * chronic);
}

/* The points one day earns, per component. */
static void
day_points(const struct analysis_input *in, const struct known_factors *k, long d,
    double sleep_need, double *pts)
{
	double sleep = factor_value(in, k->sleep_hours, d);
	double quality = factor_value(in, k->sleep_quality, d);
	pts[LC_SLEEP] = cap((isfinite(sleep) ? 8 * (sleep_need - sleep) : 0) +
	    (isfinite(quality) && quality <= 2 ? 5 * (3 - quality) : 0), 40);
	pts[LC_STRESS] = cap(3 * v0(in, k->stress, d), 30);
	double acute = activity_mean(in, k->activity_minutes, d - ACUTE_DAYS + 1, d);
	double chronic = activity_mean(in, k->activity_minutes, d - ACUTE_DAYS - CHRONIC_DAYS + 1,
	    d - ACUTE_DAYS);
	double ratio = (isfinite(acute) && isfinite(chronic) && chronic >= 10) ? acute / chronic : 1;
	pts[LC_ACTIVITY] = cap((ratio - 1.3) * 25, 30);
	pts[LC_RECOVERY] = cap(12 * hard_day(in, k, d - 1, chronic) + 6 * hard_day(in, k, d - 2, chronic) +
	    6 * hard_day(in, k, d, chronic), 24);
	int nsaid_days = 0;
	for (long j = d - 6; j <= d; j++)
		nsaid_days += v0(in, k->nsaid, j) > 0;
	pts[LC_NSAID] = nsaid_days >= 3 ? 6.0 * (nsaid_days - 2) : 0;
	pts[LC_MEALS] = cap(6 * cap(v0(in, k->late_meal, d), 2) + 6 * cap(v0(in, k->skipped_meal, d), 2), 24);
	pts[LC_FOODS] = cap(5 * v0(in, k->dairy, d) + 5 * v0(in, k->gluten, d) + 4 * v0(in, k->sugar, d) +
	    6 * v0(in, k->alcohol, d) + 5 * v0(in, k->processed_food, d), 40);
	pts[LC_GUT] = cap(3 * v0(in, k->bloating, d), 30);
}

int
load_components(const struct analysis_input *in, const struct known_factors *k, double *ewma)
{
	double alpha = 1 - pow(0.5, 1 / LOAD_HALF_LIFE_DAYS);
	double state[LC_COUNT] = {0};
	double window[SLEEP_NEED_WINDOW];
	size_t n_window = 0, next = 0;
	for (size_t d = 0; d < in->n_days; d++) {
		double need = n_window >= 7 ? stats_median(window, n_window) : SLEEP_NEED_DEFAULT;
		if (in->has_entries[d]) {
			double pts[LC_COUNT];
			day_points(in, k, (long)d, need, pts);
			for (int c = 0; c < LC_COUNT; c++)
				state[c] += alpha * (pts[c] - state[c]);
			double s = factor_value(in, k->sleep_hours, (long)d);
			if (isfinite(s)) {
				window[next] = s;
				next = (next + 1) % SLEEP_NEED_WINDOW;
				if (n_window < SLEEP_NEED_WINDOW)
					n_window++;
			}
		}
		/* A day without entries carries the load: unknown is not rest. */
		memcpy(ewma + d * LC_COUNT, state, sizeof state);
	}
	return 0;
}

void
load_combine(const double *ewma, size_t n_days, const double *weights, double *load)
{
	for (size_t d = 0; d < n_days; d++) {
		double s = 0;
		for (int c = 0; c < LC_COUNT; c++)
			s += weights[c] * ewma[d * LC_COUNT + c];
		load[d] = cap(s, 100);
	}
}

bool
load_personalize(const struct analysis_input *in, const struct analysis_config *cfg,
    const struct analysis_result *r, const double *ewma, size_t upto, double *weights,
    double *threshold)
{
	for (int c = 0; c < LC_COUNT; c++)
		weights[c] = 1.0;
	*threshold = cfg->prior_threshold;
	size_t days = 0;
	unsigned flares = 0;
	for (size_t d = 0; d <= upto && d < in->n_days; d++) {
		days += in->has_entries[d];
		flares += r->onset[d];
	}
	if (days < cfg->min_days || flares < cfg->min_flares)
		return false;
	/* Rows whose 48-hour outcome is known by the evening of `upto`. */
	size_t n = 0;
	double *x = malloc((upto + 1) * LC_COUNT * sizeof *x), *y = malloc((upto + 1) * sizeof *y);
	double mean[LC_COUNT] = {0}, sd[LC_COUNT] = {0};
	if (x == NULL || y == NULL) {
		free(x);
		free(y);
		return false;
	}
	size_t from = upto > PERSONAL_MAX_DAYS ? upto - PERSONAL_MAX_DAYS : 0;
	for (size_t d = from; d + 2 <= upto; d++) {
		if (!r->at_risk[d] || r->in_flare[d])
			continue;
		int t = series_target48(r, in, d);
		if (t < 0)
			continue;
		memcpy(x + n * LC_COUNT, ewma + d * LC_COUNT, LC_COUNT * sizeof *x);
		y[n++] = t;
	}
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < LC_COUNT; c++)
			mean[c] += x[i * LC_COUNT + c] / (double)n;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < LC_COUNT; c++)
			sd[c] += pow(x[i * LC_COUNT + c] - mean[c], 2) / (double)(n > 1 ? n - 1 : 1);
	for (int c = 0; c < LC_COUNT; c++)
		sd[c] = sqrt(sd[c]) > 1e-9 ? sqrt(sd[c]) : 1;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < LC_COUNT; c++)
			x[i * LC_COUNT + c] = (x[i * LC_COUNT + c] - mean[c]) / sd[c];
	double beta[LC_COUNT + 1];
	bool fitted = n >= 20 && stats_logistic_ridge(x, y, NULL, n, LC_COUNT, 4.0 * cfg->ridge_lambda,
	    beta, 25) == 0;
	if (fitted) {
		/* Standardized coefficients shrunk by the ridge move each weight
		 * from 1 by a bounded factor: no data, no change. */
		for (int c = 0; c < LC_COUNT; c++) {
			double m = beta[c + 1] * 0.5;
			weights[c] = exp(m < -1.2 ? -1.2 : (m > 1.2 ? 1.2 : m));
		}
	}
	/* The threshold that best separates the 48 hours before onsets from
	 * other days at risk (Youden's J) among those crossed on at most
	 * LOAD_THRESHOLD_MAX_FPR of the other days, shrunk toward the prior by
	 * the number of flares behind it. */
	double best_j = -1, best_t = cfg->prior_threshold;
	size_t pos = 0, neg = 0;
	for (size_t i = 0; i < n; i++) {
		if (y[i] > 0)
			pos++;
		else
			neg++;
	}
	if (pos > 0 && neg > 0) {
		double *load = malloc((upto + 1) * sizeof *load);
		if (load != NULL) {
			load_combine(ewma, upto + 1, weights, load);
			for (double t = 15; t <= 95; t += 1) {
				size_t tp = 0, fp = 0;
				for (size_t d = from; d + 2 <= upto; d++) {
					if (!r->at_risk[d] || r->in_flare[d])
						continue;
					int tg = series_target48(r, in, d);
					if (tg < 0 || load[d] < t)
						continue;
					if (tg)
						tp++;
					else
						fp++;
				}
				/* The most sensitive level that is crossed on few
				 * ordinary days: a threshold is for warning, and a
				 * warning that cries wolf is ignored. */
				double fpr = (double)fp / (double)neg;
				double j = (double)tp / (double)pos - fpr;
				if (fpr <= LOAD_THRESHOLD_MAX_FPR && j > best_j) {
					best_j = j;
					best_t = t;
				}
			}
			free(load);
		}
	}
	double w = (double)flares / (flares + 5.0);
	*threshold = (1 - w) * cfg->prior_threshold + w * best_t;
	free(x);
	free(y);
	return true;
}
