/*
 * calibrate.c: scoring and calibrating probability forecasts (see
 * stats.h): the Brier score, the log-loss, Platt scaling and the
 * calibration table. Pure functions over arrays.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <string.h>

#include "daemon/analysis/stats.h"

/* Probabilities this close to 0 or 1 are clipped before taking logs, so
 * one confident miss costs a lot but not infinitely much. */
#define LOG_LOSS_CLIP 1e-6
#define PLATT_MAX_ITER 50

double
stats_brier(const double *p, const bool *y, size_t n)
{
	if (n == 0)
		return NAN;
	double s = 0;
	for (size_t i = 0; i < n; i++) {
		double e = p[i] - (y[i] ? 1.0 : 0.0);
		s += e * e;
	}
	return s / (double)n;
}

double
stats_log_loss(const double *p, const bool *y, size_t n)
{
	if (n == 0)
		return NAN;
	double s = 0;
	for (size_t i = 0; i < n; i++) {
		double q = fmin(fmax(p[i], LOG_LOSS_CLIP), 1 - LOG_LOSS_CLIP);
		s -= y[i] ? log(q) : log1p(-q);
	}
	return s / (double)n;
}

double
stats_platt_apply(const struct stats_platt *c, double score)
{
	return 1.0 / (1.0 + exp(-(c->a + c->b * score)));
}

int
stats_platt_fit(const double *score, const bool *y, size_t n, double lambda,
    struct stats_platt *out)
{
	out->a = out->b = 0;
	size_t pos = 0;
	for (size_t i = 0; i < n; i++)
		pos += y[i];
	/* Start at the base rate, so the first step is already sensible. */
	if (n > 0 && pos > 0 && pos < n)
		out->a = log((double)pos / (double)(n - pos));
	for (int it = 0; it < PLATT_MAX_ITER; it++) {
		double g0 = 0, g1 = -lambda * out->b, h00 = 0, h01 = 0, h11 = lambda;
		for (size_t i = 0; i < n; i++) {
			double p = stats_platt_apply(out, score[i]);
			double r = (y[i] ? 1.0 : 0.0) - p, v = fmax(p * (1 - p), 1e-12);
			g0 += r;
			g1 += r * score[i];
			h00 += v;
			h01 += v * score[i];
			h11 += v * score[i] * score[i];
		}
		double det = h00 * h11 - h01 * h01;
		if (!(det > 1e-300))
			return -1;
		double da = (h11 * g0 - h01 * g1) / det, db = (h00 * g1 - h01 * g0) / det;
		out->a += da;
		out->b += db;
		if (fabs(da) < 1e-10 && fabs(db) < 1e-10)
			return 0;
	}
	return -1;
}

size_t
stats_calibration_table(const double *p, const bool *y, size_t n, const double *edges,
    size_t n_bins, struct stats_calibration_bin *bins)
{
	memset(bins, 0, n_bins * sizeof *bins);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(p[i]) || p[i] < edges[0] || p[i] > edges[n_bins])
			continue;
		size_t b = 0;
		while (b + 1 < n_bins && p[i] >= edges[b + 1])
			b++;
		bins[b].predicted += p[i];
		bins[b].observed += y[i] ? 1.0 : 0.0;
		bins[b].days++;
	}
	size_t used = 0;
	for (size_t b = 0; b < n_bins; b++) {
		if (bins[b].days == 0)
			continue;
		bins[used].predicted = bins[b].predicted / (double)bins[b].days;
		bins[used].observed = bins[b].observed / (double)bins[b].days;
		bins[used].days = bins[b].days;
		used++;
	}
	return used;
}
