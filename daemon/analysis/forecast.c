/*
 * forecast.c: the three candidate forecasters of a flare beginning in the
 * next 48 hours, fitted on the past only, and what drives each one.
 *
 * - The simple rule: the evening's warning signs (the symptom scales), each
 *   read against its usual level at the same distance from the last flare,
 *   in units of its spread, counted again beyond half a spread above usual
 *   (an announced flare stands out; many are not announced), and counted
 *   when the slope of a shrunk logistic fit on the person's past is above
 *   zero.
 * - The load alone, its slope held at zero or above.
 * - The full model: a logistic fit, with a strong ridge penalty on
 *   standardized inputs, of the evening's warning signs (as the simple rule
 *   takes them: each sign, and its part beyond half a spread above usual)
 *   and of the inputs with evidence in the past (one-sided p < 0.01, either
 *   way for the days after a flare): the signs of the evening before (the
 *   same two parts), the load, the first days after a flare, and the
 *   exposures that pass a strict screen of onsets 1-3 days after them
 *   (Fisher's one-sided test, p < 0.01 and a Benjamini-Hochberg q of at
 *   most 0.10 within the screen, at least 3 exposed onsets), each as the
 *   number of the next two days (0, 1 or 2) that its lag reaches from a
 *   day it happened on. A warning sign is read against its usual level at
 *   the same distance from the last flare, since a fading flare keeps
 *   symptoms up without announcing the next one.
 * - The combined forecaster (backtest.c) averages the simple rule's and the
 *   full model's log-odds.
 *
 * A roughly ten-onsets-per-input model cannot carry dozens of inputs, and a
 * ridge refit of many inputs reshuffles its ranking from week to week; a
 * few inputs admitted on evidence keeps what the person sees stable. Scores
 * are on the log-odds scale around the person's usual; backtest.c
 * calibrates them and chooses among the candidates.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/internal.h"
#include "daemon/analysis/stats.h"

/* Rows a fit looks at: the last two years weigh enough. */
#define FIT_MAX_ROWS 730
/* The penalty on a standardized slope: strong, as a few dozen onsets ask. */
#define SLOPE_RIDGE 4.0
#define FULL_RIDGE 4.0
/* One-sided evidence an input needs to enter the full model. */
#define EVIDENCE_Z 2.326
#define SCREEN_P_MAX 0.01
#define SCREEN_Q_MAX 0.10
#define SCREEN_MIN_ONSETS 3
#define SCREEN_MIN_GROUP_DAYS 5
/* Lags of the exposure screen: an exposure on the evening's day or the two
 * before can still be followed by an onset in the next 48 hours at these. */
#define SCREEN_MIN_LAG 1
#define SCREEN_MAX_LAG 3
/* Not every flare is announced, and one that is shows as a sign well above
 * its usual level; so the log-odds of an onset rise faster than in
 * proportion to a sign's rise. Beyond this many spreads above usual, a
 * sign counts again. */
#define SIGN_KNEE 0.5

static const double cut_quantiles[] = {0.1, 0.25, 0.5, 0.5, 0.75, 0.9};
static const int cut_ops[] = {OP_LT, OP_LT, OP_LT, OP_GE, OP_GE, OP_GE};
#define N_CUTS (sizeof cut_quantiles / sizeof cut_quantiles[0])
/* An event's doses: present at all, then at least this many a day. */
static const double event_doses[] = {0, 2, 3};
#define N_DOSES (sizeof event_doses / sizeof event_doses[0])

void
forecast_open_days(const struct analysis_input *in, const struct analysis_config *cfg,
    unsigned char *open)
{
	int pain = analysis_find_factor(in, "pain"), flare = analysis_find_factor(in, "flare");
	bool marker_seen = false;
	for (size_t d = 0; d < in->n_days; d++) {
		/* A flare marker starts an onset on any day, so nothing is ruled
		 * out once one is in use. */
		marker_seen |= factor_value(in, flare, (long)d) > 0;
		double today = factor_value(in, pain, (long)d);
		double before = factor_value(in, pain, (long)d - 1);
		bool high_today = isfinite(today) && today >= cfg->flare_pain_level;
		bool high_before = isfinite(before) && before >= cfg->flare_pain_level;
		open[d] = marker_seen ? 2 : (unsigned char)((high_today || high_before ? 0 : 1) +
		    (high_today ? 0 : 1));
	}
}

bool
forecast_signs_logged(const struct analysis_input *in)
{
	for (size_t f = 0; f < in->n_factors; f++) {
		const struct analysis_factor *af = &in->factors[f];
		if (af->role != AR_SYMPTOM || af->kind != AK_SCALE)
			continue;
		for (size_t d = 0; d < in->n_days; d++)
			if (isfinite(af->values[d]))
				return true;
	}
	return false;
}

const char *
forecaster_name(int which)
{
	static const char *const names[FORECASTER_COUNT] = {"warning signs", "load", "full model",
	    "warning signs and full model"};
	return which >= 0 && which < FORECASTER_COUNT ? names[which] : "?";
}

/* Rows a fit may use: evenings at risk whose 48-hour outcome is known by
 * the evening of `upto`. */
static size_t
fit_rows(const struct analysis_input *in, const struct analysis_result *r,
    const unsigned char *open, size_t upto, size_t *rows, bool *y)
{
	size_t from = upto + 1 > FIT_MAX_ROWS + 2 ? upto + 1 - FIT_MAX_ROWS - 2 : 0, n = 0;
	for (size_t d = from; d + 2 <= upto; d++) {
		if (!r->at_risk[d] || (r->in_flare[d] && !r->onset[d]) || open[d] < 2)
			continue;
		int t = series_target48(r, in, d);
		if (t < 0)
			continue;
		rows[n] = d;
		y[n++] = t == 1;
	}
	return n;
}

/* A slope of the outcome on one input: fitted on standardized values with
 * a strong penalty, held at zero or above, returned per unit of the input
 * with its one-sided z. */
struct slope {
	double mean, sd, per_unit, z;
};

static struct slope
fit_slope(const double *v, const bool *y, size_t n, bool either_sign, double *scratch_x,
    double *scratch_y)
{
	struct slope s = {0, 1, 0, 0};
	size_t m = 0;
	double sum = 0, ss = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		sum += v[i];
		ss += v[i] * v[i];
		m++;
	}
	if (m < 20)
		return s;
	s.mean = sum / (double)m;
	double var = (ss - (double)m * s.mean * s.mean) / (double)(m - 1);
	if (!(var > 1e-12))
		return s;
	double sd = sqrt(var);
	s.sd = sd;
	size_t k = 0, pos = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		scratch_x[k] = (v[i] - s.mean) / sd;
		scratch_y[k] = y[i];
		pos += y[i];
		k++;
	}
	if (pos < 2 || pos == k)
		return s;
	double beta[2];
	stats_logistic_ridge(scratch_x, scratch_y, NULL, k, 1, SLOPE_RIDGE, beta, 30);
	if (!isfinite(beta[1]) || (!either_sign && !(beta[1] > 0)))
		return s;
	/* The slope's information at the fit, for its one-sided evidence. */
	double info = SLOPE_RIDGE;
	for (size_t i = 0; i < k; i++) {
		double p = stats_logistic_predict(beta, &scratch_x[i], 1);
		info += p * (1 - p) * scratch_x[i] * scratch_x[i];
	}
	s.per_unit = beta[1] / sd;
	s.z = fabs(beta[1]) * sqrt(info);
	return s;
}

static bool
meets(int op, double cut, double v)
{
	if (!isfinite(v))
		return false;
	switch (op) {
	case OP_PRESENT: return v > 0;
	case OP_LT: return v < cut;
	default: return v >= cut;
	}
}

/* One hypothesis of the screen and its table. */
struct screened {
	int factor, lag, op;
	double cut;
	unsigned a, b, c, d;
	double p;
};

static int
cmp_by_p(const void *x, const void *y)
{
	double a = ((const struct screened *)x)->p, b = ((const struct screened *)y)->p;
	return (a > b) - (a < b);
}

/* The exposure screen on onset days `u` among rows [0, n_days): the
 * onsets 1-3 days after each condition against those after its absence. */
static int
screen_exposures(const struct analysis_input *in, const struct analysis_result *r, size_t upto,
    struct forecast_model *m)
{
	size_t from = upto + 1 > FIT_MAX_ROWS ? upto + 1 - FIT_MAX_ROWS : 0;
	size_t max_tests = in->n_factors * (SCREEN_MAX_LAG - SCREEN_MIN_LAG + 1) *
	    (N_CUTS > N_DOSES ? N_CUTS : N_DOSES) + 1;
	struct screened *tests = malloc(max_tests * sizeof *tests);
	double *vals = malloc((upto + 2) * sizeof *vals), *p = malloc(max_tests * sizeof *p);
	double *sorted = malloc((upto + 2) * sizeof *sorted);
	bool *outcome = malloc((upto + 2) * sizeof *outcome);
	if (tests == NULL || vals == NULL || p == NULL || outcome == NULL || sorted == NULL) {
		free(tests);
		free(vals);
		free(p);
		free(outcome);
		free(sorted);
		return -1;
	}
	size_t n_tests = 0;
	for (size_t f = 0; f < in->n_factors; f++) {
		const struct analysis_factor *af = &in->factors[f];
		if (af->role != AR_EXPOSURE || af->kind == AK_FLARE)
			continue;
		bool event = af->kind == AK_EVENT;
		/* Cut points at quantiles of the values known in the window. */
		double cuts[N_CUTS] = {0};
		if (!event) {
			size_t k = 0;
			for (size_t e = from; e <= upto; e++)
				if (isfinite(af->values[e]))
					sorted[k++] = af->values[e];
			stats_sort(sorted, k);
			for (size_t c = 0; c < N_CUTS; c++)
				cuts[c] = stats_quantile_sorted(sorted, k, cut_quantiles[c]);
		}
		for (int lag = SCREEN_MIN_LAG; lag <= SCREEN_MAX_LAG; lag++) {
			/* The exposure on day u - lag against the onset on day u;
			 * exposures inside a flare are not counted as its triggers. */
			size_t k = 0;
			for (size_t u = from + (size_t)lag; u <= upto; u++) {
				size_t e = u - (size_t)lag;
				double v = af->values[e];
				if (!r->at_risk[u] || !isfinite(v) || (r->in_flare[e] && !r->onset[e]))
					continue;
				vals[k] = v;
				outcome[k++] = r->onset[u];
			}
			size_t n_conds = event ? N_DOSES : N_CUTS;
			for (size_t c = 0; c < n_conds; c++) {
				struct screened *t = &tests[n_tests];
				t->factor = (int)f;
				t->lag = lag;
				t->op = event ? (c == 0 ? OP_PRESENT : OP_GE) : cut_ops[c];
				t->cut = event ? event_doses[c] : cuts[c];
				t->a = t->b = t->c = t->d = 0;
				for (size_t i = 0; i < k; i++) {
					bool hit = meets(t->op, t->cut, vals[i]);
					if (hit)
						outcome[i] ? t->a++ : t->b++;
					else
						outcome[i] ? t->c++ : t->d++;
				}
				if (t->a + t->b < SCREEN_MIN_GROUP_DAYS || t->c + t->d < SCREEN_MIN_GROUP_DAYS)
					continue;
				/* Only harm is screened for, so a table that does not
				 * point that way is not worth its exact test. */
				bool more = (double)t->a * (t->c + t->d) > (double)t->c * (t->a + t->b);
				t->p = t->a >= SCREEN_MIN_ONSETS && more ?
				    stats_fisher_greater(t->a, t->b, t->c, t->d) : 1.0;
				n_tests++;
			}
		}
	}
	for (size_t i = 0; i < n_tests; i++)
		p[i] = tests[i].p;
	int rc = stats_bh_qvalues(p, p, n_tests);
	for (size_t i = 0; i < n_tests; i++)
		tests[i].p = (tests[i].p < SCREEN_P_MAX && p[i] <= SCREEN_Q_MAX) ? tests[i].p : 2.0;
	qsort(tests, n_tests, sizeof *tests, cmp_by_p);
	m->n_exposures = 0;
	for (size_t i = 0; rc == 0 && i < n_tests && tests[i].p <= 1.0; i++) {
		const struct screened *t = &tests[i];
		bool seen = false;
		for (size_t j = 0; j < m->n_exposures; j++)
			seen |= m->exposures[j].factor == t->factor;
		if (seen || m->n_exposures >= FORECAST_MAX_EXPOSURES)
			continue;
		struct stats_rr rr = stats_relative_risk(t->a, t->b, t->c, t->d);
		struct admitted_exposure *x = &m->exposures[m->n_exposures++];
		x->factor = t->factor;
		x->lag = t->lag;
		x->op = t->op;
		x->cut = t->cut;
		x->rr = rr.rr;
		x->exposed_onsets = t->a;
	}
	free(tests);
	free(vals);
	free(p);
	free(outcome);
	free(sorted);
	return rc;
}

/* Of the next two days, d+1 and d+2, how many an admitted exposure
 * reaches at its lag from a day known by evening d: two days it happened
 * on are two chances of an onset. *when is the latest such day. */
static int
exposure_hits(const struct analysis_input *in, const struct admitted_exposure *x, size_t d,
    long *when)
{
	int hits = 0;
	for (long e = (long)d + 2 - x->lag; e >= (long)d + 1 - x->lag; e--) {
		if (e > (long)d || e < 0 || !meets(x->op, x->cut, factor_value(in, x->factor, e)))
			continue;
		if (hits++ == 0)
			*when = e;
	}
	return hits;
}

/* A day's state for reading a warning sign: 1 to AFTER_FLARE_DAYS days
 * after a flare's last day, a flare day itself (AFTER_FLARE_DAYS + 1), or
 * neither (0). */
#define FLARE_STATE (AFTER_FLARE_DAYS + 1)
static int
day_state(const struct analysis_result *r, long d)
{
	if (d < 0)
		return 0;
	if (r->in_flare[d])
		return FLARE_STATE;
	for (long k = 1; k <= AFTER_FLARE_DAYS && k <= d; k++)
		if (r->in_flare[d - k])
			return (int)k;
	return 0;
}

/* The level a warning sign usually has on a day like d: as far from the
 * last flare (or inside one). */
static double
sign_usual(const struct analysis_result *r, const struct forecast_model *m, size_t s, long d)
{
	return m->sign_usual[s][day_state(r, d)];
}

/* An input of the full model on evening d, NAN when unknown. A warning
 * sign is read against its usual level in the same state (a fading flare
 * keeps stiffness up without announcing anything). */
static double
full_raw(const struct analysis_input *in, const struct analysis_result *r, const double *load,
    const struct forecast_model *m, const struct full_input *x, size_t d)
{
	long when;
	switch (x->kind) {
	case FULL_SIGN: {
		const struct forecast_sign *sg = &m->signs[x->index];
		long day = (long)d - sg->lag;
		double v = factor_value(in, sg->factor, day);
		return isfinite(v) ? v - sign_usual(r, m, (size_t)x->index, day) : NAN;
	}
	case FULL_SIGN_HIGH: {
		const struct forecast_sign *sg = &m->signs[x->index];
		long day = (long)d - sg->lag;
		double v = factor_value(in, sg->factor, day);
		return isfinite(v) ? fmax(0, v - sign_usual(r, m, (size_t)x->index, day) -
		    SIGN_KNEE * sg->sd) : NAN;
	}
	case FULL_LOAD:
		return load[d];
	case FULL_AFTER_FLARE:
		return day_state(r, (long)d) == x->index;
	default:
		return exposure_hits(in, &m->exposures[x->index], d, &when);
	}
}

/* The standardized value the fit and the score use: 0 is usual. */
static double
full_value(const struct analysis_input *in, const struct analysis_result *r, const double *load,
    const struct forecast_model *m, const struct full_input *x, size_t d)
{
	double v = full_raw(in, r, load, m, x, d);
	return isfinite(v) ? (v - x->mean) / x->sd : 0;
}

/* Each sign's usual level per state over the fit's window, shrunk toward
 * its overall level when a state has few days. */
#define USUAL_PRIOR_DAYS 5.0
static void
fit_sign_usual(const struct analysis_input *in, const struct analysis_result *r, size_t upto,
    struct forecast_model *m)
{
	size_t from = upto + 1 > FIT_MAX_ROWS ? upto + 1 - FIT_MAX_ROWS : 0;
	for (size_t s = 0; s < m->n_signs; s++) {
		double sum[FLARE_STATE + 1] = {0}, n[FLARE_STATE + 1] = {0}, all = 0, n_all = 0;
		int f = m->signs[s].factor;
		for (size_t d = from; d <= upto; d++) {
			double v = factor_value(in, f, (long)d);
			if (!isfinite(v))
				continue;
			int st = day_state(r, (long)d);
			sum[st] += v;
			n[st]++;
			all += v;
			n_all++;
		}
		double overall = n_all > 0 ? all / n_all : 0;
		for (int st = 0; st <= FLARE_STATE; st++)
			m->sign_usual[s][st] = (sum[st] + USUAL_PRIOR_DAYS * overall) /
			    (n[st] + USUAL_PRIOR_DAYS);
	}
}

/* Adds input x to the full model when it varies over the fit's rows and
 * (unless `always`) its own slope has clear evidence: one-sided for a
 * warning sign, the load and an exposure, either way for the days after a
 * flare. */
static void
consider_input(const struct analysis_input *in, const struct analysis_result *r,
    const double *load, struct forecast_model *m, struct full_input x, bool always,
    const size_t *rows, const bool *y, size_t n, double *v, double *sx, double *sy)
{
	if (m->n_inputs >= FORECAST_MAX_INPUTS)
		return;
	x.mean = 0;
	x.sd = 1;
	for (size_t i = 0; i < n; i++)
		v[i] = full_raw(in, r, load, m, &x, rows[i]);
	struct slope sl = fit_slope(v, y, n, x.kind == FULL_AFTER_FLARE, sx, sy);
	if (!(sl.z >= (always ? 1e-9 : EVIDENCE_Z)) || !(sl.sd > 1e-6))
		return;
	x.mean = sl.mean;
	x.sd = sl.sd;
	m->inputs[m->n_inputs++] = x;
}

/* The full model's weights: a logistic fit of the admitted inputs,
 * standardized, with a strong ridge penalty. */
static int
fit_full(const struct analysis_input *in, const struct analysis_result *r, const double *load,
    struct forecast_model *m, const size_t *rows, const bool *y, size_t n, double *v,
    double *sx, double *sy)
{
	/* The evening's own warning signs enter as the simple rule takes
	 * them, with their part beyond the knee, so that the full model builds
	 * on it; the rest need evidence. */
	for (size_t s = 0; s < m->n_signs; s++)
		consider_input(in, r, load, m, (struct full_input){FULL_SIGN, (int)s, 0, 1, 0},
		    m->signs[s].lag == 0, rows, y, n, v, sx, sy);
	for (size_t s = 0; s < m->n_signs; s++)
		consider_input(in, r, load, m, (struct full_input){FULL_SIGN_HIGH, (int)s, 0, 1, 0},
		    m->signs[s].lag == 0, rows, y, n, v, sx, sy);
	consider_input(in, r, load, m, (struct full_input){FULL_LOAD, 0, 0, 1, 0}, false, rows, y,
	    n, v, sx, sy);
	for (int k = 1; k <= AFTER_FLARE_DAYS; k++)
		consider_input(in, r, load, m, (struct full_input){FULL_AFTER_FLARE, k, 0, 1, 0}, false,
		    rows, y, n, v, sx, sy);
	for (size_t i = 0; i < m->n_exposures; i++)
		consider_input(in, r, load, m, (struct full_input){FULL_EXPOSURE, (int)i, 0, 1, 0},
		    false, rows, y, n, v, sx, sy);
	size_t k = m->n_inputs, pos = 0;
	for (size_t i = 0; i < n; i++)
		pos += y[i];
	m->intercept = pos > 0 && pos < n ? log((double)pos / (double)(n - pos)) : 0;
	if (k == 0 || pos < 2 || pos == n)
		return 0;
	double *x = malloc(n * k * sizeof *x), *yd = malloc(n * sizeof *yd);
	double beta[FORECAST_MAX_INPUTS + 1];
	if (x == NULL || yd == NULL) {
		free(x);
		free(yd);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		yd[i] = y[i];
		for (size_t j = 0; j < k; j++)
			x[i * k + j] = full_value(in, r, load, m, &m->inputs[j], rows[i]);
	}
	stats_logistic_ridge(x, yd, NULL, n, k, FULL_RIDGE, beta, 30);
	bool finite = isfinite(beta[0]);
	for (size_t j = 0; j < k; j++)
		finite &= isfinite(beta[j + 1]);
	if (finite) {
		m->intercept = beta[0];
		for (size_t j = 0; j < k; j++)
			m->inputs[j].beta = beta[j + 1];
	}
	free(x);
	free(yd);
	return 0;
}

int
forecast_fit(const struct analysis_input *in, const struct analysis_config *cfg,
    const struct analysis_result *r, const unsigned char *open, const double *load, size_t upto,
    struct forecast_model *m)
{
	memset(m, 0, sizeof *m);
	/* Each symptom scale on the evening and on the evening before: a sign
	 * that rises over two days says more than one evening alone. */
	for (size_t f = 0; f < in->n_factors && m->n_signs + 2 <= FORECAST_MAX_SIGNS; f++) {
		if (in->factors[f].role != AR_SYMPTOM || in->factors[f].kind != AK_SCALE)
			continue;
		for (int lag = 0; lag < 2; lag++) {
			m->signs[m->n_signs].factor = (int)f;
			m->signs[m->n_signs++].lag = lag;
		}
	}
	size_t days = 0;
	unsigned flares = 0;
	for (size_t d = 0; d <= upto && d < in->n_days; d++) {
		flares += r->onset[d];
		days += in->has_entries[d];
	}
	if (days < cfg->min_days || flares < cfg->min_flares)
		return 0;
	size_t cap = upto + 1;
	size_t *rows = malloc(cap * sizeof *rows);
	bool *y = malloc(cap * sizeof *y);
	double *v = malloc(cap * sizeof *v), *sx = malloc(cap * sizeof *sx), *sy = malloc(cap * sizeof *sy);
	int rc = -1;
	if (rows == NULL || y == NULL || v == NULL || sx == NULL || sy == NULL)
		goto out;
	size_t n = fit_rows(in, r, open, upto, rows, y);
	for (size_t s = 0; s < m->n_signs; s++) {
		struct forecast_sign *sg = &m->signs[s];
		for (size_t i = 0; i < n; i++)
			v[i] = factor_value(in, sg->factor, (long)rows[i] - sg->lag);
		struct slope sl = fit_slope(v, y, n, false, sx, sy);
		sg->mean = sl.mean;
		sg->sd = sl.sd;
		sg->slope = sl.per_unit;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = load[rows[i]];
	struct slope sl = fit_slope(v, y, n, false, sx, sy);
	m->load_mean = sl.mean;
	m->load_sd = sl.sd;
	m->load_slope = sl.per_unit;
	rc = screen_exposures(in, r, upto, m);
	if (rc == 0) {
		fit_sign_usual(in, r, upto, m);
		rc = fit_full(in, r, load, m, rows, y, n, v, sx, sy);
	}
	m->fitted = rc == 0;
out:
	free(rows);
	free(y);
	free(v);
	free(sx);
	free(sy);
	return rc;
}

/* What a warning sign adds to the simple rule's score on evening d: the
 * evening's sign above or below its usual level at the same distance from
 * the last flare, in units of its spread, with no fitted weight beyond its
 * sign, so that a weekly refit cannot reshuffle its ranking. A fading
 * flare keeps stiffness up for days without announcing the next one: read
 * against the overall level, those evenings looked the riskiest. */
static double
sign_part(const struct analysis_input *in, const struct analysis_result *r,
    const struct forecast_model *m, size_t s, int which, size_t d)
{
	const struct forecast_sign *sg = &m->signs[s];
	double v = factor_value(in, sg->factor, (long)d - sg->lag);
	if (!isfinite(v) || which != FORECASTER_SIMPLE || sg->lag != 0)
		return 0;
	double z = (v - sign_usual(r, m, s, (long)d)) / sg->sd;
	return sg->slope > 0 ? z + fmax(0, z - SIGN_KNEE) : 0;
}

/* The same for the load alone, in units of its spread. */
static double
load_part(const struct forecast_model *m, const double *load, int which, size_t d)
{
	if (which != FORECASTER_LOAD)
		return 0;
	return m->load_slope > 0 ? (load[d] - m->load_mean) / m->load_sd : 0;
}

void
forecast_scores(const struct analysis_input *in, const struct analysis_result *r,
    const double *load, const struct forecast_model *m, size_t d, double score[FORECASTER_COUNT])
{
	for (int c = 0; c < FORECASTER_COUNT; c++)
		score[c] = 0;
	if (!m->fitted)
		return;
	for (int c = FORECASTER_SIMPLE; c <= FORECASTER_LOAD; c++) {
		for (size_t s = 0; s < m->n_signs; s++)
			score[c] += sign_part(in, r, m, s, c, d);
		score[c] += load_part(m, load, c, d);
	}
	/* Around the usual, without the fit's intercept: a refit moves the
	 * intercept, and the calibration fitted on earlier scores would then
	 * read the same evening differently. */
	for (size_t j = 0; j < m->n_inputs; j++)
		score[FORECASTER_FULL] += m->inputs[j].beta * full_value(in, r, load, m, &m->inputs[j], d);
}

static void
add_contributor(struct contributor *all, size_t *n, const char *factor, double c,
    const char *source)
{
	if (fabs(c) < 1e-6)
		return;
	struct contributor *ct = &all[(*n)++];
	memset(ct, 0, sizeof *ct);
	snprintf(ct->factor, sizeof ct->factor, "%s", factor);
	snprintf(ct->source, sizeof ct->source, "%s", source);
	ct->contribution = c;
}

static int
cmp_contrib(const void *a, const void *b)
{
	double x = fabs(((const struct contributor *)a)->contribution);
	double y = fabs(((const struct contributor *)b)->contribution);
	return (y > x) - (y < x);
}

static bool
is_sign_input(const struct full_input *x)
{
	return x->kind == FULL_SIGN || x->kind == FULL_SIGN_HIGH;
}

/* What warning sign s adds to the full model on evening d against a usual
 * evening (the sign at its usual level): both of its parts, and nothing
 * when that would run against the sign's own side of usual, so that a
 * sign below its usual level is never worded as raising the risk. */
static double
sign_contribution(const struct analysis_input *in, const struct analysis_result *r,
    const double *load, const struct forecast_model *m, int s, size_t d)
{
	double rel = NAN, c = 0;
	for (size_t j = 0; j < m->n_inputs; j++) {
		const struct full_input *x = &m->inputs[j];
		if (!is_sign_input(x) || x->index != s)
			continue;
		double raw = full_raw(in, r, load, m, x, d);
		if (x->kind == FULL_SIGN)
			rel = raw;
		c += x->beta * raw / x->sd;
	}
	if (!isfinite(rel)) {
		const struct full_input lin = {FULL_SIGN, s, 0, 1, 0};
		rel = full_raw(in, r, load, m, &lin, d);
	}
	return isfinite(c) && isfinite(rel) && c * rel > 0 ? c : 0;
}

/* What the full model's input x adds on evening d, with its words. A
 * factor that is absent adds nothing worth naming, so only present
 * exposures and the days after a flare that apply are listed. */
static void
full_contributor(const struct analysis_input *in, const struct analysis_result *r,
    const double *load, const struct forecast_model *m, const struct full_input *x, double scale,
    size_t d, struct contributor *all, size_t *n)
{
	double raw = full_raw(in, r, load, m, x, d);
	if (!isfinite(raw) || ((x->kind == FULL_AFTER_FLARE || x->kind == FULL_EXPOSURE) && raw == 0))
		return;
	if (is_sign_input(x)) {
		/* A sign's two parts are told once, from its first input. */
		for (const struct full_input *y = m->inputs; y < x; y++)
			if (is_sign_input(y) && y->index == x->index)
				return;
	}
	double c = is_sign_input(x) ? scale * sign_contribution(in, r, load, m, x->index, d) :
	    scale * x->beta * (raw - x->mean) / x->sd;
	/* The load, too, is worded by its side of usual. */
	if (x->kind == FULL_LOAD && !(c * (raw - x->mean) > 0))
		c = 0;
	size_t k = *n;
	switch (x->kind) {
	case FULL_SIGN:
	case FULL_SIGN_HIGH: {
		const struct forecast_sign *sg = &m->signs[x->index];
		long day = (long)d - sg->lag;
		add_contributor(all, n, in->factors[sg->factor].name, c, "warning sign");
		if (*n > k)
			snprintf(all[k].detail, sizeof all[k].detail, "%.0f %s, usually %.1f",
			    factor_value(in, sg->factor, day), sg->lag ? "yesterday" : "today",
			    sign_usual(r, m, (size_t)x->index, day));
		break;
	}
	case FULL_LOAD:
		add_contributor(all, n, "load", c, "load");
		if (*n > k)
			snprintf(all[k].detail, sizeof all[k].detail, "load %.0f, usually %.0f", load[d],
			    x->mean);
		break;
	case FULL_AFTER_FLARE:
		add_contributor(all, n, "recent flare", c, "flare history");
		if (*n > k)
			snprintf(all[k].detail, sizeof all[k].detail, "%d %s since your last flare day; "
			    "flares began %s often this soon after one", x->index,
			    x->index == 1 ? "day" : "days", x->beta < 0 ? "less" : "more");
		break;
	default: {
		const struct admitted_exposure *ex = &m->exposures[x->index];
		long when;
		exposure_hits(in, ex, d, &when);
		add_contributor(all, n, in->factors[ex->factor].name, c, "finding");
		if (*n == k)
			break;
		long ago = (long)d - when;
		char cond[32] = "";
		if (ex->op != OP_PRESENT)
			snprintf(cond, sizeof cond, " %s %g", ex->op == OP_LT ? "under" : "at or over",
			    ex->cut);
		/* A detail cut short still reads; its length is not needed. */
		int written = snprintf(all[k].detail, sizeof all[k].detail, "%s%s; flares were %.1fx "
		    "as likely %d %s after it", ago == 0 ? "today" : (ago == 1 ? "yesterday" :
		    "2 days ago"), cond, ex->rr, ex->lag, ex->lag == 1 ? "day" : "days");
		(void)written;
	}
	}
}

/* Contributors that say the same thing (one warning sign read by two
 * candidates) become one, their contributions added. */
static size_t
merge_contributors(struct contributor *all, size_t n)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < kept && (strcmp(all[j].factor, all[i].factor) != 0 ||
		    strcmp(all[j].source, all[i].source) != 0 || strcmp(all[j].detail, all[i].detail) != 0))
			j++;
		if (j < kept)
			all[j].contribution += all[i].contribution;
		else
			all[kept++] = all[i];
	}
	size_t n_out = 0;
	for (size_t i = 0; i < kept; i++)
		if (fabs(all[i].contribution) >= 1e-6)
			all[n_out++] = all[i];
	return n_out;
}

size_t
forecast_contributors(const struct analysis_input *in, const struct analysis_result *r,
    const double *load, const struct forecast_model *m, const double weight[FORECASTER_COUNT],
    size_t d, struct contributor *out, size_t max)
{
	struct contributor all[FORECAST_MAX_INPUTS + 2 * FORECAST_MAX_SIGNS + 2];
	size_t n = 0;
	if (!m->fitted || max == 0)
		return 0;
	if (weight[FORECASTER_FULL] != 0)
		for (size_t j = 0; j < m->n_inputs; j++)
			full_contributor(in, r, load, m, &m->inputs[j], weight[FORECASTER_FULL], d, all,
			    &n);
	for (int c = FORECASTER_SIMPLE; c <= FORECASTER_LOAD; c++) {
		if (weight[c] == 0)
			continue;
		for (size_t s = 0; s < m->n_signs; s++) {
			const struct forecast_sign *sg = &m->signs[s];
			double v = factor_value(in, sg->factor, (long)d - sg->lag);
			size_t k = n;
			add_contributor(all, &n, in->factors[sg->factor].name,
			    weight[c] * sign_part(in, r, m, s, c, d), "warning sign");
			if (n > k)
				snprintf(all[k].detail, sizeof all[k].detail, "%.0f %s, usually %.1f", v,
				    sg->lag ? "yesterday" : "today",
				    sign_usual(r, m, s, (long)d - sg->lag));
		}
		size_t at = n;
		add_contributor(all, &n, "load", weight[c] * load_part(m, load, c, d), "load");
		if (n > at)
			snprintf(all[at].detail, sizeof all[at].detail, "load %.0f, usually %.0f",
			    load[d], m->load_mean);
	}
	n = merge_contributors(all, n);
	qsort(all, n, sizeof *all, cmp_contrib);
	n = n < max ? n : max;
	memcpy(out, all, n * sizeof *out);
	return n;
}

double
forecast_prior_risk(double load, double threshold)
{
	return 1.0 / (1.0 + exp(-((load - threshold) / 8.0 - 1.0)));
}

int
forecast_level(const struct risk_cutoffs *cut, double risk)
{
	if (!cut->alerts)
		return LEVEL_OK;
	if (risk >= cut->warning)
		return LEVEL_WARNING;
	if (risk >= cut->watch)
		return LEVEL_WATCH;
	return LEVEL_OK;
}
