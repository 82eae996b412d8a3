/*
 * windows.c: each factor's observation window, and what is unknown outside
 * it (see internal.h).
 *
 * A factor is observed from its first entry to its last, except in long
 * gaps without an entry of it: more than window_gap_days logged days (days
 * with any entry), or more than six times the factor's own median gap,
 * whichever is longer, so that a monthly event is not "unobserved" between
 * its months while a factor dropped for a year is. (For an event on a random
 * 5% of days, six median gaps are 83 days, which happen by chance about once
 * in a hundred gaps; the median is not moved by the few long holes.)
 * Inside its window an event not logged on a day with entries is absent
 * (0); outside it every value is unknown (NAN), never zero. Numeric values
 * are unknown on the days they were not logged whatever the window.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/internal.h"
#include "daemon/analysis/stats.h"

/* A gap longer than this many median gaps is a hole in the window. */
#define WINDOW_MEDIAN_GAPS 6.0

/* The longest run of logged days without an entry of the factor that still
 * counts as observed. gaps is scratch space of n_days doubles. */
static double
window_max_gap(const struct analysis_input *in, const double *v, double min_gap, double *gaps)
{
	size_t n_gaps = 0;
	long last = -1;
	double run = 0;
	for (size_t d = 0; d < in->n_days; d++) {
		if (isfinite(v[d])) {
			/* Only real gaps: days in a row say nothing of its rhythm. */
			if (last >= 0 && run > 0)
				gaps[n_gaps++] = run;
			last = (long)d;
			run = 0;
		} else if (in->has_entries[d]) {
			run++;
		}
	}
	double usual = n_gaps ? stats_median(gaps, n_gaps) : 0;
	return fmax(min_gap, WINDOW_MEDIAN_GAPS * usual);
}

/* Marks observed[d] for one factor's window. */
static void
window_mark(const struct analysis_input *in, const double *v, double max_gap, bool *observed)
{
	memset(observed, 0, in->n_days * sizeof *observed);
	long last = -1;
	double run = 0;
	for (size_t d = 0; d < in->n_days; d++) {
		if (!isfinite(v[d])) {
			run += in->has_entries[d];
			continue;
		}
		observed[d] = true;
		if (last >= 0 && run <= max_gap)
			for (size_t g = (size_t)last + 1; g < d; g++)
				observed[g] = true;
		last = (long)d;
		run = 0;
	}
}

void
windows_free(const struct analysis_input *in, struct analysis_input *out)
{
	if (out->factors != NULL && out->factors != in->factors) {
		for (size_t f = 0; f < out->n_factors; f++)
			if (out->factors[f].values != in->factors[f].values)
				free(out->factors[f].values);
		free(out->factors);
	}
	memset(out, 0, sizeof *out);
}

int
windows_apply(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_input *out)
{
	*out = *in;
	out->factors = calloc(in->n_factors ? in->n_factors : 1, sizeof *out->factors);
	size_t alloc = in->n_days ? in->n_days : 1;
	double *gaps = malloc(alloc * sizeof *gaps);
	bool *observed = malloc(alloc * sizeof *observed);
	if (out->factors == NULL || gaps == NULL || observed == NULL)
		goto fail;
	memcpy(out->factors, in->factors, in->n_factors * sizeof *out->factors);
	for (size_t f = 0; f < in->n_factors; f++) {
		const struct analysis_factor *af = &in->factors[f];
		/* Numeric values are already unknown where they were not logged. */
		if (af->kind != AK_EVENT && af->kind != AK_FLARE)
			continue;
		double *v = malloc(alloc * sizeof *v);
		if (v == NULL)
			goto fail;
		out->factors[f].values = v;
		memcpy(v, af->values, in->n_days * sizeof *v);
		double max_gap = window_max_gap(in, v, cfg->window_gap_days, gaps);
		window_mark(in, v, max_gap, observed);
		for (size_t d = 0; d < in->n_days; d++)
			if (!isfinite(v[d]) && observed[d] && in->has_entries[d])
				v[d] = 0;
	}
	free(gaps);
	free(observed);
	return 0;
fail:
	free(gaps);
	free(observed);
	windows_free(in, out);
	return -1;
}
