/*
 * stats.h: the statistical primitives simmer's analysis is built from.
 *
 * Pure functions over arrays: no I/O, no clock, no global state. Each one
 * is checked against an independent implementation (scipy) by
 * tests/analysis/test_reference.py.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_ANALYSIS_STATS_H
#define SIMMER_ANALYSIS_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Two-sided p-value of Fisher's exact test for the table [[a, b], [c, d]],
 * summing the probabilities of tables as likely or less likely than the
 * observed one (as scipy.stats.fisher_exact does). */
double stats_fisher_exact(unsigned a, unsigned b, unsigned c, unsigned d);

/* One-sided p-value for "exposed rows have more events" (a large). */
double stats_fisher_greater(unsigned a, unsigned b, unsigned c, unsigned d);

/* Relative risk of an event in exposed (a events of a+b) against unexposed
 * (c of c+d) rows, with a 95% Katz log interval. When a cell is zero, 0.5
 * is added to every cell (Haldane-Anscombe) so the interval exists. */
struct stats_rr {
	double rr, lo, hi;
};
struct stats_rr stats_relative_risk(unsigned a, unsigned b, unsigned c, unsigned d);

/* Benjamini-Hochberg q-values (step-up adjusted p-values) for n p-values;
 * q may alias p. 0, or -1 when out of memory. */
int stats_bh_qvalues(const double *p, double *q, size_t n);

/*
 * Ridge-penalized logistic regression by Newton-Raphson (IRLS): minimizes
 *   -sum_i w_i [y_i log p_i + (1 - y_i) log(1 - p_i)] + lambda/2 * |beta|^2
 * with an unpenalized intercept. x is row-major n by k; w may be NULL (all
 * 1). beta receives k+1 values, the intercept first. Returns 0, or -1 when
 * it did not converge in max_iter iterations (beta then holds the last
 * iterate).
 */
int stats_logistic_ridge(const double *x, const double *y, const double *w, size_t n, size_t k,
    double lambda, double *beta, int max_iter);
/* The fitted probability for one row of k features. */
double stats_logistic_predict(const double *beta, const double *row, size_t k);

/* Area under the ROC curve of scores against 0/1 labels (Mann-Whitney,
 * ties counted half). NAN when one class is empty. O(n log n). */
double stats_auc(const double *score, const bool *label, size_t n);

/*
 * Least-squares slope of y on x (with an intercept) and its Newey-West
 * standard error: Bartlett weights over max_lag lags, rows taken as
 * consecutive in time, times n/(n-2) for the two fitted parameters (as
 * statsmodels' OLS fit with cov_type "HAC" and use_correction), and the
 * classical standard error that assumes independent, equal-variance errors
 * (statsmodels' plain OLS bse). -1 when there are fewer than 3 rows or x
 * does not vary.
 */
struct stats_slope {
	double slope, se, se_iid, intercept;
};
int stats_ols_hac(const double *x, const double *y, size_t n, int max_lag,
    struct stats_slope *out);

/* Median of the finite values (NAN when there are none); sorts a copy. */
double stats_median(const double *v, size_t n);
/* Quantile q in [0,1] of the finite values, linear interpolation as numpy's
 * default. */
double stats_quantile(const double *v, size_t n, double q);
/* The same of n finite values already sorted ascending (NAN when n is 0):
 * for many quantiles of one series, sorted once. */
double stats_quantile_sorted(const double *sorted, size_t n, double q);
/* Sorts n finite values ascending, in place. */
void stats_sort(double *v, size_t n);

/* Probability forecasts (calibrate.c). */

/* Mean squared difference between the predicted probabilities and the 0/1
 * outcomes; NAN when n is 0. */
double stats_brier(const double *p, const bool *y, size_t n);
/* Mean negative log-likelihood of the outcomes, each probability clipped
 * to [1e-6, 1 - 1e-6]; NAN when n is 0. */
double stats_log_loss(const double *p, const bool *y, size_t n);

/* Platt scaling: the logistic regression of the outcome on a score,
 * p = 1 / (1 + exp(-(a + b * score))), fitted by Newton's method with the
 * penalty lambda/2 * b^2 on the slope only (lambda 0: plain maximum
 * likelihood). 0, or -1 when it did not converge (a, b hold the last
 * iterate). */
struct stats_platt {
	double a, b;
};
int stats_platt_fit(const double *score, const bool *y, size_t n, double lambda,
    struct stats_platt *out);
double stats_platt_apply(const struct stats_platt *c, double score);

/* A calibration table: the predictions sorted into the n_bins bins
 * [edges[i], edges[i+1]) (the last one closed), and for each bin with days
 * in it the mean prediction, the share of outcomes and the count. Returns
 * the number of bins with days, written in order of probability; bins
 * holds n_bins. */
struct stats_calibration_bin {
	double predicted, observed;
	size_t days;
};
size_t stats_calibration_table(const double *p, const bool *y, size_t n, const double *edges,
    size_t n_bins, struct stats_calibration_bin *bins);

#endif
