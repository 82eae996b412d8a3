/*
 * levels.c: associations of exposures with the daily LEVEL of pain and of
 * each symptom scale, beyond flares (see analysis.h).
 *
 * Many people's pain rarely reaches the flare level, so flares alone say
 * nothing for them. For each scale outcome (pain, then each symptom scale),
 * each exposure and each lag 0..max_lag, the day's level is regressed on the
 * exposure (present or not for an event, per unit otherwise): the effect is
 * in points on the scale (for a numeric exposure, per a round step near its
 * spread, since "per minute of activity" reads as 0.0), with a 95% interval
 * from Newey-West standard errors over a week of lags, because days follow
 * each other and a bad week is not seven independent bad days (never
 * narrower than the classical interval). Every such test enters one
 * Benjamini-Hochberg family of its own, apart from the flare findings; the
 * best lag of each outcome and exposure is reported when its q is at most
 * q_max, and the lag is said to have been chosen. Treatments are left out,
 * as for flares. Days inside a flare are left out on both sides: flares have
 * their own analysis, and around them levels mislead (the evening before an
 * onset is never a flare day, a medicine taken during one is followed by
 * the days after it). Same-day exposures logged after the outcome's first
 * entry that day are unknown, as in triggers.c.
 *
 * When pain has not reached the flare level in the last 60 days with a
 * pain entry, it says so and suggests a personal level from the person's
 * own days: the top tenth of them.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/internal.h"
#include "daemon/analysis/stats.h"

/* A week of lags for the Newey-West variance. */
#define LEVELS_HAC_LAGS 7
/* Fewest days with both values for a regression at all. */
#define LEVELS_MIN_DAYS 28
/* Fewest days with, and without, an event. */
#define LEVELS_MIN_GROUP_DAYS 5
/* Days with a pain entry looked at for "never reaches the flare level". */
#define LEVELS_UNREACHED_DAYS 60
/* The personal level suggested: this quantile of the person's own pain. */
#define LEVELS_PERSONAL_QUANTILE 0.9

/* Two-sided normal p-value of z. */
static double
normal_p(double z)
{
	return erfc(fabs(z) / sqrt(2.0));
}

static bool
is_level_outcome(const struct analysis_factor *af)
{
	if (af->kind != AK_SCALE)
		return false;
	return af->role == AR_SYMPTOM || (af->role == AR_OUTCOME && strcmp(af->name, "pain") == 0);
}

/* A round amount (1, 2 or 5 times a power of ten) near the spread of a
 * numeric exposure's n values, to state its effect per: an effect per
 * minute of activity rounds to 0.0 points, per 50 minutes it does not. */
static double
level_step(const double *x, size_t n)
{
	double sum = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	double mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	double sd = sqrt(ss / (double)(n > 1 ? n - 1 : 1));
	if (!(sd > 0) || !isfinite(sd))
		return 1;
	double decade = pow(10, floor(log10(sd))), best = decade;
	static const double mantissas[] = {1, 2, 5, 10};
	for (size_t i = 0; i < sizeof mantissas / sizeof mantissas[0]; i++)
		if (fabs(log(mantissas[i] * decade / sd)) < fabs(log(best / sd)))
			best = mantissas[i] * decade;
	return best;
}

/* One regression: the rows where both values are known; 0 with out filled,
 * or 1 when there are too few rows to say anything. */
static int
level_test(const struct analysis_input *in, const struct analysis_result *r, int o, int f,
    int lag, double *x, double *y, struct level_finding *out)
{
	const struct analysis_factor *yo = &in->factors[o], *xf = &in->factors[f];
	bool event = xf->kind == AK_EVENT;
	size_t n = 0, exposed = 0;
	for (size_t d = (size_t)lag; d < in->n_days; d++) {
		size_t e = d - (size_t)lag;
		double yv = yo->values[d], xv = xf->values[e];
		if (!isfinite(yv) || !isfinite(xv) || r->in_flare[d] || r->in_flare[e])
			continue;
		/* Logged after the level it would explain: it may have followed it. */
		if (lag == 0 && yo->first_ms != NULL && xf->first_ms != NULL &&
		    isfinite(yo->first_ms[d]) && isfinite(xf->first_ms[e]) &&
		    xf->first_ms[e] > yo->first_ms[d])
			continue;
		x[n] = event ? (xv > 0) : xv;
		y[n] = yv;
		exposed += event && xv > 0;
		n++;
	}
	if (n < LEVELS_MIN_DAYS)
		return 1;
	if (event && (exposed < LEVELS_MIN_GROUP_DAYS || n - exposed < LEVELS_MIN_GROUP_DAYS))
		return 1;
	struct stats_slope s;
	if (stats_ols_hac(x, y, n, LEVELS_HAC_LAGS, &s) != 0)
		return 1;
	/* Day-to-day carry-over can only widen the interval here. Newey-West
	 * below the classical error comes from negative autocovariances and
	 * from a few wide-spread days with small residuals, estimated from a
	 * few dozen rows: on the independent simulator's null diaries, where
	 * nothing moves the levels, it gave p < 0.001 on 0.45% of tests (not
	 * 0.1%) and 0.95 false findings per diary; the larger of the two
	 * errors gives 0.15. */
	double se = fmax(s.se, s.se_iid);
	if (!(se > 0))
		return 1;
	memset(out, 0, sizeof *out);
	out->outcome = o;
	out->factor = f;
	out->lag_days = lag;
	out->per_unit = !event;
	out->step = event ? 1 : level_step(x, n);
	out->effect = s.slope;
	out->lo = s.slope - 1.959963984540054 * se;
	out->hi = s.slope + 1.959963984540054 * se;
	out->p = normal_p(s.slope / se);
	out->days = (unsigned)n;
	out->exposed_days = (unsigned)exposed;
	return 0;
}

/* Pain below the flare level on each of the last 60 days with a pain entry
 * (and no flare marked): say so, and suggest the person's own top tenth. */
static void
levels_flare_level(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r, double *scratch)
{
	r->flare_level_unreached = false;
	int pain = analysis_find_factor(in, "pain");
	if (pain < 0)
		return;
	size_t m = 0;
	bool reached = false;
	for (size_t d = in->n_days; d-- > 0 && m < LEVELS_UNREACHED_DAYS;) {
		double p = in->factors[pain].values[d];
		if (!isfinite(p))
			continue;
		scratch[m++] = p;
		reached |= p >= cfg->flare_pain_level || r->in_flare[d];
	}
	if (m < LEVELS_UNREACHED_DAYS || reached)
		return;
	double median = stats_median(scratch, m);
	double level = ceil(stats_quantile(scratch, m, LEVELS_PERSONAL_QUANTILE));
	if (level <= median)
		level = floor(median) + 1;
	if (level >= cfg->flare_pain_level)
		return;
	r->flare_level_unreached = true;
	r->flare_level_days = (unsigned)m;
	r->suggested_flare_level = level;
}

int
levels_run(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r)
{
	size_t alloc = in->n_days ? in->n_days : 1;
	double *x = malloc(alloc * sizeof *x), *y = malloc(alloc * sizeof *y);
	struct level_finding *all = NULL;
	size_t n_all = 0, cap = 0;
	int rc = -1;
	if (x == NULL || y == NULL)
		goto out;
	levels_flare_level(in, cfg, r, x);
	for (size_t o = 0; o < in->n_factors; o++) {
		if (!is_level_outcome(&in->factors[o]))
			continue;
		for (size_t f = 0; f < in->n_factors; f++) {
			if (in->factors[f].role != AR_EXPOSURE)
				continue;
			for (int lag = 0; lag <= cfg->max_lag_days; lag++) {
				if (n_all == cap) {
					size_t ncap = cap ? 2 * cap : 64;
					struct level_finding *n = realloc(all, ncap * sizeof *n);
					if (n == NULL)
						goto out;
					all = n;
					cap = ncap;
				}
				if (level_test(in, r, (int)o, (int)f, lag, x, y, &all[n_all]) == 0)
					n_all++;
			}
		}
	}
	/* Their own family: levels are not flares. */
	double *p = malloc((n_all ? n_all : 1) * sizeof *p);
	if (p == NULL)
		goto out;
	for (size_t i = 0; i < n_all; i++)
		p[i] = all[i].p;
	stats_bh_qvalues(p, p, n_all);
	for (size_t i = 0; i < n_all; i++)
		all[i].q = p[i];
	free(p);
	r->levels_tested = n_all;
	/* The best lag of each outcome and exposure, when it holds up. */
	size_t kept = 0;
	for (size_t i = 0; i < n_all; i++) {
		if (all[i].q > cfg->q_max)
			continue;
		size_t k = 0;
		while (k < kept && (all[k].outcome != all[i].outcome || all[k].factor != all[i].factor))
			k++;
		if (k == kept)
			all[kept++] = all[i];
		else if (all[i].p < all[k].p)
			all[k] = all[i];
	}
	r->levels = all;
	r->n_levels = kept;
	all = NULL;
	rc = 0;
out:
	free(all);
	free(x);
	free(y);
	return rc;
}
