/*
 * bench_analysis.c: the full analysis (load, triggers over every lag, cut
 * point and pair, forecast fit) on simulated diaries with 40 factors, one
 * year and ten years, and a two-year backtest, and on its own the
 * rolling-origin evaluation of the three forecasters over two years. Prints
 * medians of repeated runs and the ten-year/one-year ratio (linear growth
 * would be about 10).
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/timing.h"
#include "daemon/analysis/internal.h"
#include "tests/tools/diary_sim.h"

#define EXTRA_FACTORS 16

/* A diary of `days` with the simulator's 24 factors plus 16 noise events. */
static void
make_input(struct sim_diary *s, struct analysis_input *in, struct analysis_factor *factors,
    size_t days, uint64_t seed)
{
	sim_generate(s, days, seed, false);
	memcpy(factors, s->factors, SF_COUNT * sizeof *factors);
	uint64_t rng = seed * 7 + 1;
	for (int e = 0; e < EXTRA_FACTORS; e++) {
		struct analysis_factor *f = &factors[SF_COUNT + e];
		snprintf(f->name, sizeof f->name, "noise_%d", e);
		f->kind = AK_EVENT;
		f->role = AR_EXPOSURE;
		f->values = malloc(days * sizeof *f->values);
		f->first_ms = NULL;
		for (size_t d = 0; d < days; d++)
			f->values[d] = s->in.has_entries[d] ? (sim_uniform(&rng) < 0.3) : NAN;
	}
	*in = s->in;
	in->n_factors = SF_COUNT + EXTRA_FACTORS;
	in->factors = factors;
}

static double
median_run(const struct analysis_input *in, bool backtest, int runs)
{
	struct analysis_config cfg;
	analysis_config_default(&cfg);
	double t[64];
	for (int r = 0; r < runs; r++) {
		struct analysis_result res;
		double t0 = bench_now_ms();
		analysis_run(in, &cfg, backtest, &res);
		t[r] = bench_now_ms() - t0;
		analysis_result_free(&res);
	}
	return bench_median_ms(t, (size_t)runs);
}

/* The rolling-origin evaluation alone (backtest.c), on the series and
 * load components of a finished analysis. */
static double
median_evaluation(const struct analysis_input *raw, int runs)
{
	struct analysis_config cfg;
	analysis_config_default(&cfg);
	struct analysis_input in;
	struct analysis_result res;
	if (windows_apply(raw, &cfg, &in) != 0 || analysis_run(&in, &cfg, false, &res) != 0)
		return NAN;
	double *ewma = calloc(in.n_days * LC_COUNT, sizeof *ewma);
	struct known_factors k;
	known_factors_find(&in, &k);
	load_components(&in, &k, ewma);
	double t[64];
	for (int r = 0; r < runs; r++) {
		free(res.backtest);
		res.backtest = NULL;
		double t0 = bench_now_ms();
		backtest_run(&in, &cfg, &res, ewma, true);
		t[r] = bench_now_ms() - t0;
	}
	double median = bench_median_ms(t, (size_t)runs);
	free(ewma);
	analysis_result_free(&res);
	windows_free(raw, &in);
	return median;
}

int
main(void)
{
	struct sim_diary one, ten, two;
	struct analysis_factor f1[SF_COUNT + EXTRA_FACTORS], f10[SF_COUNT + EXTRA_FACTORS],
	    f2[SF_COUNT + EXTRA_FACTORS];
	struct analysis_input in1, in10, in2;
	make_input(&one, &in1, f1, 365, 1);
	make_input(&ten, &in10, f10, 3650, 2);
	make_input(&two, &in2, f2, 730, 3);
	double a1 = median_run(&in1, false, 21);
	double a10 = median_run(&in10, false, 11);
	double b2 = median_run(&in2, true, 7);
	printf("full analysis, 40 factors, 1 year:   median %.1f ms over 21 runs (aim < 20 ms)\n", a1);
	printf("full analysis, 40 factors, 10 years: median %.1f ms over 11 runs (aim < 200 ms); "
	    "10y/1y ratio %.1f (linear: 10)\n", a10, a10 / a1);
	printf("analysis with backtest, 2 years:     median %.1f ms over 7 runs (aim < 2 s)\n", b2);
	printf("rolling-origin evaluation of the three forecasters, 2 years: median %.1f ms over 7 "
	    "runs (aim < 500 ms)\n", median_evaluation(&in2, 7));
	for (int e = 0; e < EXTRA_FACTORS; e++) {
		free(f1[SF_COUNT + e].values);
		free(f10[SF_COUNT + e].values);
		free(f2[SF_COUNT + e].values);
	}
	sim_free(&one);
	sim_free(&ten);
	sim_free(&two);
	return 0;
}
