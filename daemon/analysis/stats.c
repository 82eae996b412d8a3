/*
 * stats.c: statistical primitives (see stats.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/stats.h"

/* log of the hypergeometric probability of a table with these margins. */
static double
log_hypergeom(unsigned a, unsigned row1, unsigned col1, unsigned n)
{
	unsigned b = row1 - a, c = col1 - a, d = n - row1 - c;
	return lgamma(row1 + 1.0) + lgamma(n - row1 + 1.0) + lgamma(col1 + 1.0) +
	    lgamma(n - col1 + 1.0) - lgamma(n + 1.0) - lgamma(a + 1.0) - lgamma(b + 1.0) -
	    lgamma(c + 1.0) - lgamma(d + 1.0);
}

/* The two-sided p from each table's log probability: slow but exact far
 * into the tails, where the ratios below underflow. */
static double
fisher_exact_by_logs(unsigned a, unsigned row1, unsigned col1, unsigned n)
{
	unsigned lo = col1 > n - row1 ? col1 - (n - row1) : 0;
	unsigned hi = row1 < col1 ? row1 : col1;
	double observed = log_hypergeom(a, row1, col1, n);
	double limit = observed + log1p(1e-7);
	double p = 0;
	for (unsigned x = lo; x <= hi; x++) {
		double lp = log_hypergeom(x, row1, col1, n);
		if (lp <= limit)
			p += exp(lp);
	}
	return p > 1.0 ? 1.0 : p;
}

/* The hypergeometric ratios P(x + 1) / P(x) and P(x - 1) / P(x) for tables
 * with margins row1 = r1, col1 = c1 and base = n - r1 - c1. */
static double
ratio_up(double r1, double c1, double base, unsigned x)
{
	return ((r1 - x) * (c1 - x)) / ((x + 1.0) * (base + x + 1));
}

static double
ratio_down(double r1, double c1, double base, unsigned x)
{
	return ((double)x * (base + x)) / ((r1 - x + 1) * (c1 - x + 1));
}

/*
 * Each table's probability relative to the most likely one's, by the ratio
 * of consecutive hypergeometric terms, so that a test costs a few
 * multiplications a table and no lgamma (the trigger search runs hundreds
 * of thousands of them). Tables within a relative 1e-7 of the observed
 * probability count as equally likely, as scipy does, so rounding does not
 * drop ties.
 */
double
stats_fisher_exact(unsigned a, unsigned b, unsigned c, unsigned d)
{
	unsigned row1 = a + b, col1 = a + c, n = a + b + c + d;
	if (n == 0)
		return 1.0;
	unsigned lo = col1 > n - row1 ? col1 - (n - row1) : 0;
	unsigned hi = row1 < col1 ? row1 : col1;
	double r1 = row1, c1 = col1, base = (double)n - r1 - c1;
	double m = floor((r1 + 1) * (c1 + 1) / ((double)n + 2));
	unsigned mode = m < lo ? lo : m > hi ? hi : (unsigned)m;
	/* The observed table's relative probability first. */
	double obs = 1;
	for (unsigned x = mode; x < a; x++)
		obs *= ratio_up(r1, c1, base, x);
	for (unsigned x = mode; x > a; x--)
		obs *= ratio_down(r1, c1, base, x);
	if (!(obs > 1e-280))
		return fisher_exact_by_logs(a, row1, col1, n);
	double limit = obs * (1 + 1e-7), total = 1, p = 1 <= limit ? 1 : 0;
	/* Outwards from the mode, up then down, until the terms vanish. */
	for (int way = 0; way < 2; way++) {
		double t = 1;
		for (unsigned x = mode; way == 0 ? x < hi : x > lo; x += way == 0 ? 1u : -1u) {
			t *= way == 0 ? ratio_up(r1, c1, base, x) : ratio_down(r1, c1, base, x);
			total += t;
			if (t <= limit)
				p += t;
			if (t < 1e-300)
				break;
		}
	}
	p /= total;
	return p > 1.0 ? 1.0 : p;
}

double
stats_fisher_greater(unsigned a, unsigned b, unsigned c, unsigned d)
{
	unsigned row1 = a + b, col1 = a + c, n = a + b + c + d;
	if (n == 0)
		return 1.0;
	unsigned hi = row1 < col1 ? row1 : col1;
	/* Each table's probability from the one before it, by the ratio of
	 * consecutive hypergeometric terms: one lgamma pass, not one a table. */
	double term = exp(log_hypergeom(a, row1, col1, n)), p = 0;
	for (unsigned x = a; x <= hi; x++) {
		p += term;
		term *= ratio_up(row1, col1, (double)n - row1 - col1, x);
	}
	return p > 1.0 ? 1.0 : p;
}

struct stats_rr
stats_relative_risk(unsigned a, unsigned b, unsigned c, unsigned d)
{
	double A = a, B = b, C = c, D = d;
	if (a == 0 || b == 0 || c == 0 || d == 0) {
		A += 0.5;
		B += 0.5;
		C += 0.5;
		D += 0.5;
	}
	struct stats_rr r;
	r.rr = (A / (A + B)) / (C / (C + D));
	double se = sqrt(1 / A - 1 / (A + B) + 1 / C - 1 / (C + D));
	r.lo = exp(log(r.rr) - 1.959963984540054 * se);
	r.hi = exp(log(r.rr) + 1.959963984540054 * se);
	return r;
}

static const double *sort_keys;

static int
cmp_by_key(const void *x, const void *y)
{
	double a = sort_keys[*(const size_t *)x], b = sort_keys[*(const size_t *)y];
	return (a > b) - (a < b);
}

int
stats_bh_qvalues(const double *p, double *q, size_t n)
{
	if (n == 0)
		return 0;
	size_t *order = malloc(n * sizeof *order);
	double *tmp = malloc(n * sizeof *tmp);
	if (order == NULL || tmp == NULL) {
		free(order);
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* qsort has no context argument; the analysis runs one job at a time. */
	sort_keys = p;
	qsort(order, n, sizeof *order, cmp_by_key);
	double running = 1.0;
	for (size_t r = n; r-- > 0;) {
		double v = p[order[r]] * (double)n / (double)(r + 1);
		if (v < running)
			running = v;
		tmp[order[r]] = running;
	}
	memcpy(q, tmp, n * sizeof *q);
	free(order);
	free(tmp);
	return 0;
}

/* Solves A x = b for a symmetric positive definite m by m A (Cholesky, in
 * place). Returns -1 when A is not positive definite. */
static int
solve_spd(double *A, double *b, size_t m)
{
	for (size_t j = 0; j < m; j++) {
		double s = A[j * m + j];
		for (size_t k = 0; k < j; k++)
			s -= A[j * m + k] * A[j * m + k];
		if (s <= 1e-300)
			return -1;
		A[j * m + j] = sqrt(s);
		for (size_t i = j + 1; i < m; i++) {
			double t = A[i * m + j];
			for (size_t k = 0; k < j; k++)
				t -= A[i * m + k] * A[j * m + k];
			A[i * m + j] = t / A[j * m + j];
		}
	}
	for (size_t i = 0; i < m; i++) {
		double t = b[i];
		for (size_t k = 0; k < i; k++)
			t -= A[i * m + k] * b[k];
		b[i] = t / A[i * m + i];
	}
	for (size_t i = m; i-- > 0;) {
		double t = b[i];
		for (size_t k = i + 1; k < m; k++)
			t -= A[k * m + i] * b[k];
		b[i] = t / A[i * m + i];
	}
	return 0;
}

double
stats_logistic_predict(const double *beta, const double *row, size_t k)
{
	double z = beta[0];
	for (size_t j = 0; j < k; j++)
		z += beta[j + 1] * row[j];
	return 1.0 / (1.0 + exp(-z));
}

int
stats_logistic_ridge(const double *x, const double *y, const double *w, size_t n, size_t k,
    double lambda, double *beta, int max_iter)
{
	size_t m = k + 1;
	double *H = malloc(m * m * sizeof *H), *g = malloc(m * sizeof *g);
	if (H == NULL || g == NULL) {
		free(H);
		free(g);
		return -1;
	}
	memset(beta, 0, m * sizeof *beta);
	int rc = -1;
	for (int it = 0; it < max_iter; it++) {
		memset(H, 0, m * m * sizeof *H);
		memset(g, 0, m * sizeof *g);
		for (size_t i = 0; i < n; i++) {
			const double *row = x + i * k;
			double p = stats_logistic_predict(beta, row, k);
			double wi = w ? w[i] : 1.0;
			double r = wi * (y[i] - p), v = wi * p * (1 - p);
			if (v < 1e-12)
				v = 1e-12;
			/* Row i as [1, row...]. */
			for (size_t a = 0; a < m; a++) {
				double xa = a == 0 ? 1.0 : row[a - 1];
				g[a] += r * xa;
				for (size_t b = 0; b <= a; b++) {
					double xb = b == 0 ? 1.0 : row[b - 1];
					H[a * m + b] += v * xa * xb;
				}
			}
		}
		for (size_t a = 1; a < m; a++) {
			g[a] -= lambda * beta[a];
			H[a * m + a] += lambda;
		}
		for (size_t a = 0; a < m; a++)
			for (size_t b = a + 1; b < m; b++)
				H[a * m + b] = H[b * m + a];
		/* Newton step: beta += H^-1 g. */
		if (solve_spd(H, g, m) != 0)
			break;
		double step = 0;
		for (size_t a = 0; a < m; a++) {
			beta[a] += g[a];
			step = fmax(step, fabs(g[a]));
		}
		if (step < 1e-9) {
			rc = 0;
			break;
		}
	}
	free(H);
	free(g);
	return rc;
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

struct scored {
	double score;
	bool label;
};

static int
cmp_scored(const void *x, const void *y)
{
	double a = ((const struct scored *)x)->score, b = ((const struct scored *)y)->score;
	return (a > b) - (a < b);
}

double
stats_auc(const double *score, const bool *label, size_t n)
{
	struct scored *s = malloc((n ? n : 1) * sizeof *s);
	if (s == NULL)
		return NAN;
	size_t m = 0, pos = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(score[i]))
			continue;
		s[m].score = score[i];
		s[m].label = label[i];
		pos += label[i];
		m++;
	}
	size_t neg = m - pos;
	if (pos == 0 || neg == 0) {
		free(s);
		return NAN;
	}
	qsort(s, m, sizeof *s, cmp_scored);
	/* Sum of the ranks of the positives, ties given their mean rank. */
	double rank_sum = 0;
	for (size_t i = 0; i < m;) {
		size_t j = i;
		size_t pos_in_tie = 0;
		while (j < m && s[j].score == s[i].score) {
			pos_in_tie += s[j].label;
			j++;
		}
		double mean_rank = (double)(i + 1 + j) / 2.0;
		rank_sum += mean_rank * (double)pos_in_tie;
		i = j;
	}
	free(s);
	double u = rank_sum - (double)pos * (double)(pos + 1) / 2.0;
	return u / ((double)pos * (double)neg);
}

double
stats_quantile(const double *v, size_t n, double q)
{
	double *c = malloc((n ? n : 1) * sizeof *c);
	if (c == NULL)
		return NAN;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			c[m++] = v[i];
	if (m == 0) {
		free(c);
		return NAN;
	}
	stats_sort(c, m);
	double r = stats_quantile_sorted(c, m, q);
	free(c);
	return r;
}

void
stats_sort(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
}

double
stats_quantile_sorted(const double *sorted, size_t n, double q)
{
	if (n == 0)
		return NAN;
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)floor(pos);
	size_t hi = lo + 1 < n ? lo + 1 : lo;
	return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - (double)lo);
}

int
stats_ols_hac(const double *x, const double *y, size_t n, int max_lag, struct stats_slope *out)
{
	if (n < 3)
		return -1;
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	double sxx = 0, sxy = 0;
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (!(sxx > 1e-12 * (double)n))
		return -1;
	out->slope = sxy / sxx;
	out->intercept = my - out->slope * mx;
	/* The slope's influence terms a_t = (x_t - mean) u_t; the long-run
	 * variance of their sum, with Bartlett weights 1 - l/(L+1). */
	double s = 0, ssr = 0;
	for (size_t t = 0; t < n; t++) {
		double ut = y[t] - out->intercept - out->slope * x[t];
		ssr += ut * ut;
		double at = (x[t] - mx) * ut;
		s += at * at;
		for (int l = 1; l <= max_lag && (size_t)l <= t; l++) {
			size_t u = t - (size_t)l;
			double au = (x[u] - mx) * (y[u] - out->intercept - out->slope * x[u]);
			s += 2.0 * (1.0 - l / (max_lag + 1.0)) * at * au;
		}
	}
	double var = s / (sxx * sxx) * (double)n / (double)(n - 2);
	out->se = var > 0 ? sqrt(var) : 0;
	out->se_iid = sqrt(ssr / (double)(n - 2) / sxx);
	return 0;
}

double
stats_median(const double *v, size_t n)
{
	return stats_quantile(v, n, 0.5);
}
