/*
 * series.c: flare onsets and days at risk, from the daily values.
 *
 * An onset is a day with a `flare` entry, or a day whose worst pain reaches
 * the flare level after two days below it. A flare lasts while pain stays
 * at the level, and at least two days; the days after its onset are not at
 * risk of another one and are left out of every comparison. A day without a
 * pain entry (or, inside the flare marker's window, a marker) is unknown,
 * not flare-free: it is not at risk either.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <string.h>

#include "daemon/analysis/internal.h"

int
analysis_find_factor(const struct analysis_input *in, const char *name)
{
	for (size_t i = 0; i < in->n_factors; i++)
		if (strcmp(in->factors[i].name, name) == 0)
			return (int)i;
	return -1;
}

void
known_factors_find(const struct analysis_input *in, struct known_factors *k)
{
	k->pain = analysis_find_factor(in, "pain");
	k->flare = analysis_find_factor(in, "flare");
	k->sleep_hours = analysis_find_factor(in, "sleep_hours");
	k->sleep_quality = analysis_find_factor(in, "sleep_quality");
	k->stress = analysis_find_factor(in, "stress");
	k->activity_minutes = analysis_find_factor(in, "activity_minutes");
	k->activity_rpe = analysis_find_factor(in, "activity_rpe");
	k->nsaid = analysis_find_factor(in, "nsaid");
	k->late_meal = analysis_find_factor(in, "late_meal");
	k->skipped_meal = analysis_find_factor(in, "skipped_meal");
	k->dairy = analysis_find_factor(in, "dairy");
	k->gluten = analysis_find_factor(in, "gluten");
	k->sugar = analysis_find_factor(in, "sugar");
	k->alcohol = analysis_find_factor(in, "alcohol");
	k->processed_food = analysis_find_factor(in, "processed_food");
	k->stiffness = analysis_find_factor(in, "stiffness");
	k->fatigue = analysis_find_factor(in, "fatigue");
	k->bloating = analysis_find_factor(in, "bloating");
}

double
factor_value(const struct analysis_input *in, int f, long d)
{
	if (f < 0 || d < 0 || (size_t)d >= in->n_days)
		return NAN;
	return in->factors[f].values[d];
}

/* A flare whose pain goes unlogged this many days in a row is over: what
 * follows is unknown, not the same flare. */
#define FLARE_MAX_UNKNOWN_DAYS 7

bool
series_outcome_known(const struct analysis_input *in, int pain, int flare, long d)
{
	if (d < 0 || (size_t)d >= in->n_days || !in->has_entries[d])
		return false;
	return isfinite(factor_value(in, pain, d)) || isfinite(factor_value(in, flare, d));
}

void
series_flares(const struct analysis_input *in, const struct analysis_config *cfg,
    bool *onset, bool *in_flare, bool *at_risk)
{
	int pain = analysis_find_factor(in, "pain");
	int flare = analysis_find_factor(in, "flare");
	bool active = false;
	int days_in = 0, unknown_run = 0;
	for (size_t d = 0; d < in->n_days; d++) {
		double p = factor_value(in, pain, (long)d);
		bool high = isfinite(p) && p >= cfg->flare_pain_level;
		double fm = factor_value(in, flare, (long)d);
		bool marker = isfinite(fm) && fm > 0;
		bool known = series_outcome_known(in, pain, flare, (long)d);
		unknown_run = known ? 0 : unknown_run + 1;
		onset[d] = false;
		if (active) {
			days_in++;
			/* It goes on while pain stays high (or is not logged), for
			 * two days at least. */
			if (days_in < 2 || high || (!known && unknown_run <= FLARE_MAX_UNKNOWN_DAYS) ||
			    (!isfinite(p) && marker))
				in_flare[d] = true;
			else
				active = false;
		}
		if (!active) {
			in_flare[d] = false;
			double p1 = factor_value(in, pain, (long)d - 1), p2 = factor_value(in, pain, (long)d - 2);
			bool below_before = !(isfinite(p1) && p1 >= cfg->flare_pain_level) &&
			    !(isfinite(p2) && p2 >= cfg->flare_pain_level);
			if (known && (marker || (high && below_before))) {
				onset[d] = true;
				in_flare[d] = true;
				active = true;
				days_in = 0;
			}
		}
		at_risk[d] = known && (!in_flare[d] || onset[d]);
	}
}

int
series_target48(const struct analysis_result *r, const struct analysis_input *in, size_t d)
{
	if (d + 2 >= in->n_days)
		return -1;
	if (r->onset[d + 1] || r->onset[d + 2])
		return 1;
	/* Outside a flare, a day is at risk exactly when its outcome is known. */
	if (!r->at_risk[d + 1] && !r->at_risk[d + 2])
		return -1;
	if (r->in_flare[d + 1])
		return -1;
	return 0;
}
