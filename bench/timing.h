/*
 * timing.h: what every benchmark in bench/ times with: the monotonic
 * clock in fractional milliseconds, and the median of repeated runs.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_BENCH_TIMING_H
#define SIMMER_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double
bench_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int
bench_compare_ms(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of ms[0..n), which it sorts. */
static inline double
bench_median_ms(double *ms, size_t n)
{
	qsort(ms, n, sizeof *ms, bench_compare_ms);
	return ms[n / 2];
}

#endif
