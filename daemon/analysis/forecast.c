/*
 * forecast.c: the probability that a flare begins in the next 48 hours,
 * made each evening from the person's own past, with what drives it.
 *
 * The model is a ridge logistic regression over the load and its 3-day
 * change, each load component, today's warning signs (stiffness, fatigue,
 * bloating) and the exposures of the last two days, fitted only on days
 * whose outcome was already known. A contribution is a coefficient times the
 * input's standardized distance from the person's usual, on the log-odds
 * scale. Before there is enough history, a fixed curve of the load against
 * the threshold stands in.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/internal.h"
#include "daemon/analysis/stats.h"

/* Feature ids: the first ones are fixed, then one per load component, then
 * one per exposure event factor (factor index + FEATURE_EXPOSURE). */
enum {
	FEATURE_LOAD,
	FEATURE_LOAD_CHANGE,
	FEATURE_STIFFNESS,
	FEATURE_FATIGUE,
	FEATURE_BLOATING,
	FEATURE_COMPONENT,                     /* + component */
	FEATURE_EXPOSURE = FEATURE_COMPONENT + LC_COUNT, /* + factor index */
};
#define MAX_FEATURES 32
/* Rows the model is fitted on: the last two years weigh enough. */
#define FIT_MAX_ROWS 730

double
forecast_prior_risk(double load, double threshold)
{
	return 1.0 / (1.0 + exp(-((load - threshold) / 8.0 - 1.0)));
}

static double
feature_raw(const struct analysis_input *in, const struct forecast_model *m, const double *ewma,
    const double *load, int id, size_t d)
{
	switch (id) {
	case FEATURE_LOAD:
		return load[d] / 10;
	case FEATURE_LOAD_CHANGE:
		return d >= 3 ? (load[d] - load[d - 3]) / 10 : 0;
	case FEATURE_STIFFNESS:
	case FEATURE_FATIGUE:
	case FEATURE_BLOATING:
		return factor_value(in, m->symptom[id - FEATURE_STIFFNESS], (long)d);
	default:
		break;
	}
	if (id < FEATURE_EXPOSURE)
		return ewma[d * LC_COUNT + (size_t)(id - FEATURE_COMPONENT)];
	int f = id - FEATURE_EXPOSURE;
	double a = factor_value(in, f, (long)d), b = factor_value(in, f, (long)d - 1);
	return (isfinite(a) ? a : 0) + (isfinite(b) ? b : 0);
}

static void
choose_features(const struct analysis_input *in, struct forecast_model *m)
{
	static const char *const symptoms[3] = {"stiffness", "fatigue", "bloating"};
	for (int i = 0; i < 3; i++)
		m->symptom[i] = analysis_find_factor(in, symptoms[i]);
	m->k = 0;
	for (int id = 0; id < FEATURE_EXPOSURE; id++) {
		bool symptom = id >= FEATURE_STIFFNESS && id <= FEATURE_BLOATING;
		if (symptom && m->symptom[id - FEATURE_STIFFNESS] < 0)
			continue;
		m->columns[m->k++] = id;
	}
	for (size_t f = 0; f < in->n_factors && m->k < MAX_FEATURES; f++)
		if (in->factors[f].role == AR_EXPOSURE && in->factors[f].kind == AK_EVENT)
			m->columns[m->k++] = FEATURE_EXPOSURE + (int)f;
}

int
forecast_fit(const struct analysis_input *in, const struct analysis_config *cfg,
    const struct analysis_result *r, const double *ewma, const double *load, size_t upto,
    struct forecast_model *m)
{
	memset(m, 0, sizeof *m);
	choose_features(in, m);
	size_t from = upto + 1 > FIT_MAX_ROWS + 2 ? upto + 1 - FIT_MAX_ROWS - 2 : 0;
	size_t cap = upto + 1 - from;
	double *x = malloc(cap * m->k * sizeof *x), *y = malloc(cap * sizeof *y);
	if (x == NULL || y == NULL) {
		free(x);
		free(y);
		return -1;
	}
	size_t n = 0, pos = 0;
	unsigned flares = 0;
	size_t days = 0;
	for (size_t d = 0; d <= upto && d < in->n_days; d++) {
		flares += r->onset[d];
		days += in->has_entries[d];
	}
	for (size_t d = from; d + 2 <= upto; d++) {
		if (!r->at_risk[d] || (r->in_flare[d] && !r->onset[d]))
			continue;
		int t = series_target48(r, in, d);
		if (t < 0)
			continue;
		for (size_t j = 0; j < m->k; j++)
			x[n * m->k + j] = feature_raw(in, m, ewma, load, m->columns[j], d);
		y[n] = t;
		pos += (size_t)t;
		n++;
	}
	/* Standardize; unknown values become the mean (a neutral 0). */
	for (size_t j = 0; j < m->k; j++) {
		double s = 0, ss = 0;
		size_t c = 0;
		for (size_t i = 0; i < n; i++) {
			double v = x[i * m->k + j];
			if (isfinite(v)) {
				s += v;
				ss += v * v;
				c++;
			}
		}
		m->mean[j] = c ? s / (double)c : 0;
		double var = c > 1 ? (ss - (double)c * m->mean[j] * m->mean[j]) / (double)(c - 1) : 0;
		m->sd[j] = var > 1e-12 ? sqrt(var) : 1;
		for (size_t i = 0; i < n; i++) {
			double v = x[i * m->k + j];
			x[i * m->k + j] = isfinite(v) ? (v - m->mean[j]) / m->sd[j] : 0;
		}
	}
	if (days >= cfg->min_days && flares >= cfg->min_flares && pos >= 2 && n >= 20) {
		/* A diverging fit (perfect separation) still leaves usable,
		 * ridge-bounded coefficients. */
		stats_logistic_ridge(x, y, NULL, n, m->k, cfg->ridge_lambda, m->beta, 30);
		m->fitted = true;
	}
	free(x);
	free(y);
	return 0;
}

static void
describe(const double *load, int id, size_t d, double raw, double mean, char *out, size_t outlen)
{
	switch (id) {
	case FEATURE_LOAD:
		snprintf(out, outlen, "load %.0f", load[d]);
		return;
	case FEATURE_LOAD_CHANGE:
		snprintf(out, outlen, "load %s %.0f in 3 days", raw >= 0 ? "up" : "down", fabs(raw * 10));
		return;
	case FEATURE_STIFFNESS:
	case FEATURE_FATIGUE:
	case FEATURE_BLOATING:
		if (isfinite(raw))
			snprintf(out, outlen, "%.0f today, usually %.1f", raw, mean);
		else
			snprintf(out, outlen, "not logged today");
		return;
	default:
		break;
	}
	if (id < FEATURE_EXPOSURE) {
		snprintf(out, outlen, "%.0f load points lately, usually %.0f", raw, mean);
		return;
	}
	snprintf(out, outlen, "%.0f in the last 2 days, usually %.1f", raw, mean);
}

static const char *
feature_name(const struct analysis_input *in, int id)
{
	static const char *const fixed[] = {"load", "load_change", "stiffness", "fatigue", "bloating"};
	if (id < FEATURE_COMPONENT)
		return fixed[id];
	if (id < FEATURE_EXPOSURE)
		return load_component_name(id - FEATURE_COMPONENT);
	return in->factors[id - FEATURE_EXPOSURE].name;
}

static int
cmp_contrib(const void *a, const void *b)
{
	double x = ((const struct contributor *)a)->contribution;
	double y = ((const struct contributor *)b)->contribution;
	return (y > x) - (y < x);
}

double
forecast_predict(const struct analysis_input *in, const double *ewma, const double *load, const struct forecast_model *m, size_t d,
    double threshold, struct contributor *contrib, size_t max_contrib, size_t *n_contrib)
{
	double risk;
	struct contributor all[MAX_FEATURES + LC_COUNT];
	size_t n = 0;
	if (m->fitted) {
		double z = m->beta[0];
		for (size_t j = 0; j < m->k; j++) {
			double raw = feature_raw(in, m, ewma, load, m->columns[j], d);
			double zj = isfinite(raw) ? (raw - m->mean[j]) / m->sd[j] : 0;
			double c = m->beta[j + 1] * zj;
			z += c;
			if (contrib != NULL && fabs(c) > 1e-6) {
				struct contributor *ct = &all[n++];
				snprintf(ct->factor, sizeof ct->factor, "%s", feature_name(in, m->columns[j]));
				ct->contribution = c;
				describe(load, m->columns[j], d, raw,
				    m->columns[j] == FEATURE_LOAD ? m->mean[j] * 10 : m->mean[j], ct->detail,
				    sizeof ct->detail);
			}
		}
		risk = 1 / (1 + exp(-z));
	} else {
		risk = forecast_prior_risk(load[d], threshold);
		/* Without a model, the load's components say what is behind it,
		 * scaled to log-odds by the prior curve's slope. */
		for (int c = 0; contrib != NULL && c < LC_COUNT; c++) {
			double pts = ewma[d * LC_COUNT + c];
			if (pts < 0.5)
				continue;
			struct contributor *ct = &all[n++];
			snprintf(ct->factor, sizeof ct->factor, "%s", load_component_name(c));
			ct->contribution = pts / 8.0;
			snprintf(ct->detail, sizeof ct->detail, "%.0f of the %.0f load points", pts, load[d]);
		}
	}
	if (contrib != NULL) {
		qsort(all, n, sizeof *all, cmp_contrib);
		*n_contrib = n < max_contrib ? n : max_contrib;
		memcpy(contrib, all, *n_contrib * sizeof *contrib);
	}
	return risk;
}

int
forecast_level(const struct analysis_config *cfg, double load, double threshold, double risk)
{
	if (load >= threshold || risk >= cfg->warning_risk)
		return LEVEL_WARNING;
	if (load >= cfg->watch_margin * threshold || risk >= cfg->watch_risk)
		return LEVEL_WATCH;
	return LEVEL_OK;
}
