/*
 * diary_sim.h: a seeded, reproducible diary simulator with planted effects,
 * shared by the test and benchmark tools (header-only: each tool is one
 * program).
 *
 * Planted, unless `null` is set:
 *   - dairy two days before an onset (delayed single trigger, lag 2);
 *   - sleep under 6 h the night before (dose threshold, lag 1);
 *   - activity over 100 min the day before (dose threshold, lag 1);
 *   - alcohol together with a late meal the day before: harmful together,
 *     harmless alone (combination, lag 1);
 *   - omega-3 the day before lowers the risk (protective, lag 1);
 *   - stiffness rises one to two days before an onset (warning sign).
 * Other exposures (coffee, tomato, gluten, ...) have no effect at all.
 * Some days have no entries (missing), some values are not logged.
 *
 * With a trial (sim_generate_trial), the diary's last days follow an
 * experiment's plan for one event: left out for `eliminate` days (except
 * on `breaks` days spread over them), had every day for `reintroduce`
 * days (the two repeated `cycles` times, when it says more than 1), then
 * left out for `washout` days; every day of the trial is logged.
 * Its planted effects act as always (dairy: onsets two days later, and
 * bloating the same day).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_TESTS_DIARY_SIM_H
#define SIMMER_TESTS_DIARY_SIM_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/analysis.h"

enum sim_factor {
	SF_SLEEP_HOURS, SF_SLEEP_QUALITY, SF_STRESS, SF_ACTIVITY_MINUTES, SF_ACTIVITY_RPE,
	SF_PAIN, SF_STIFFNESS, SF_FATIGUE, SF_BLOATING, SF_FLARE, SF_DAIRY, SF_GLUTEN, SF_SUGAR,
	SF_ALCOHOL, SF_PROCESSED, SF_LATE_MEAL, SF_SKIPPED_MEAL, SF_NSAID, SF_OMEGA3, SF_FERMENTED,
	SF_COFFEE, SF_TOMATO, SF_CHOCOLATE, SF_CITRUS,
	SF_COUNT,
};

static const struct {
	const char *name;
	int kind, role;
} sim_factors[SF_COUNT] = {
	{"sleep_hours", AK_HOURS, AR_EXPOSURE}, {"sleep_quality", AK_SCALE, AR_EXPOSURE},
	{"stress", AK_SCALE, AR_EXPOSURE}, {"activity_minutes", AK_MINUTES, AR_EXPOSURE},
	{"activity_rpe", AK_SCALE, AR_EXPOSURE}, {"pain", AK_SCALE, AR_OUTCOME},
	{"stiffness", AK_SCALE, AR_SYMPTOM}, {"fatigue", AK_SCALE, AR_SYMPTOM},
	{"bloating", AK_SCALE, AR_SYMPTOM}, {"flare", AK_FLARE, AR_OUTCOME},
	{"dairy", AK_EVENT, AR_EXPOSURE}, {"gluten", AK_EVENT, AR_EXPOSURE},
	{"sugar", AK_EVENT, AR_EXPOSURE}, {"alcohol", AK_EVENT, AR_EXPOSURE},
	{"processed_food", AK_EVENT, AR_EXPOSURE}, {"late_meal", AK_EVENT, AR_EXPOSURE},
	{"skipped_meal", AK_EVENT, AR_EXPOSURE}, {"nsaid", AK_EVENT, AR_TREATMENT},
	{"omega3", AK_EVENT, AR_EXPOSURE}, {"fermented", AK_EVENT, AR_EXPOSURE},
	{"coffee", AK_EVENT, AR_EXPOSURE}, {"tomato", AK_EVENT, AR_EXPOSURE},
	{"chocolate", AK_EVENT, AR_EXPOSURE}, {"citrus", AK_EVENT, AR_EXPOSURE},
};

struct sim_diary {
	struct analysis_input in;
	struct analysis_factor factors[SF_COUNT];
	double *true_risk;   /* the simulator's own 48-hour risk each evening */
	bool *true_onset;
};

static inline double
sim_uniform(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (double)(*s >> 11) / 9007199254740992.0;
}

static inline double
sim_normal(uint64_t *s)
{
	double u = sim_uniform(s), v = sim_uniform(s);
	return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static inline double
sim_clip(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* The planted daily onset hazard on day d, from exposures of earlier days. */
static inline double
sim_hazard(const struct sim_diary *s, size_t d, bool null_mode)
{
	double z = -3.6;
	if (!null_mode && d >= 1) {
		double *v[SF_COUNT];
		for (int f = 0; f < SF_COUNT; f++)
			v[f] = s->factors[f].values;
		if (d >= 2 && v[SF_DAIRY][d - 2] > 0)
			z += 1.5;
		if (v[SF_SLEEP_HOURS][d - 1] < 6)
			z += 1.4;
		if (v[SF_ACTIVITY_MINUTES][d - 1] > 100)
			z += 1.3;
		if (v[SF_ALCOHOL][d - 1] > 0 && v[SF_LATE_MEAL][d - 1] > 0)
			z += 2.2;
		if (v[SF_OMEGA3][d - 1] > 0)
			z -= 1.2;
	}
	return 1 / (1 + exp(-z));
}

static inline void
sim_free(struct sim_diary *s)
{
	for (int f = 0; f < SF_COUNT; f++)
		free(s->factors[f].values);
	free(s->in.has_entries);
	free(s->true_risk);
	free(s->true_onset);
}

/* A planned trial over the diary's last days (see the top). */
struct sim_trial {
	int factor;                 /* an enum sim_factor of kind event */
	int eliminate, reintroduce, washout, breaks;    /* breaks in each elimination */
	int cycles;                 /* 0 counts as 1 */
};

static inline int
sim_trial_cycles(const struct sim_trial *t)
{
	return t->cycles > 1 ? t->cycles : 1;
}

static inline int
sim_trial_days(const struct sim_trial *t)
{
	return sim_trial_cycles(t) * (t->eliminate + t->reintroduce) + t->washout;
}

/* The trial's value of its factor on day k of the trial (0-based). */
static inline double
sim_trial_value(const struct sim_trial *t, int k)
{
	int cycle_days = t->eliminate + t->reintroduce;
	if (k >= sim_trial_cycles(t) * cycle_days)
		return 0;
	k %= cycle_days;
	if (k >= t->eliminate)
		return 1;
	/* Breaks spread evenly over the elimination. */
	for (int b = 0; b < t->breaks; b++)
		if (k == (2 * b + 1) * t->eliminate / (2 * t->breaks))
			return 1;
	return 0;
}

static inline int sim_generate_trial(struct sim_diary *s, size_t n, uint64_t seed,
    bool null_mode, const struct sim_trial *trial);

/* Generates n_days; returns 0 or -1 (out of memory). */
static inline int
sim_generate(struct sim_diary *s, size_t n, uint64_t seed, bool null_mode)
{
	return sim_generate_trial(s, n, seed, null_mode, NULL);
}

/* The same, with the diary's last days following a trial (NULL: none). */
static inline int
sim_generate_trial(struct sim_diary *s, size_t n, uint64_t seed, bool null_mode,
    const struct sim_trial *trial)
{
	size_t trial_from = trial != NULL && (size_t)sim_trial_days(trial) <= n ?
	    n - (size_t)sim_trial_days(trial) : n;
	memset(s, 0, sizeof *s);
	uint64_t rng = seed * 2654435761u + 88172645463325252ull;
	s->in.first_day = 20000;
	s->in.n_days = n;
	s->in.n_factors = SF_COUNT;
	s->in.factors = s->factors;
	s->in.has_entries = calloc(n, sizeof *s->in.has_entries);
	s->true_risk = calloc(n, sizeof *s->true_risk);
	s->true_onset = calloc(n, sizeof *s->true_onset);
	if (!s->in.has_entries || !s->true_risk || !s->true_onset)
		return -1;
	for (int f = 0; f < SF_COUNT; f++) {
		snprintf(s->factors[f].name, sizeof s->factors[f].name, "%s", sim_factors[f].name);
		s->factors[f].kind = sim_factors[f].kind;
		s->factors[f].role = sim_factors[f].role;
		s->factors[f].values = malloc(n * sizeof(double));
		if (s->factors[f].values == NULL)
			return -1;
	}
	double **v = (double *[SF_COUNT]){0};
	for (int f = 0; f < SF_COUNT; f++)
		v[f] = s->factors[f].values;
	static const double event_p[SF_COUNT] = {
		[SF_DAIRY] = 0.3, [SF_GLUTEN] = 0.4, [SF_SUGAR] = 0.35, [SF_ALCOHOL] = 0.25,
		[SF_PROCESSED] = 0.25, [SF_LATE_MEAL] = 0.3, [SF_SKIPPED_MEAL] = 0.1, [SF_NSAID] = 0.1,
		[SF_OMEGA3] = 0.3, [SF_FERMENTED] = 0.2, [SF_COFFEE] = 0.5, [SF_TOMATO] = 0.2,
		[SF_CHOCOLATE] = 0.25, [SF_CITRUS] = 0.3,
	};
	double stress = 4;
	int flare_left = 0, calm = 2;
	/* Exposures first (they do not depend on flares), then onsets. */
	for (size_t d = 0; d < n; d++) {
		double sleep = sim_clip(7.1 + 0.9 * sim_normal(&rng), 3.5, 10);
		v[SF_SLEEP_HOURS][d] = round(sleep * 4) / 4;
		v[SF_SLEEP_QUALITY][d] = sim_clip(round(3 + (sleep - 7) + 0.8 * sim_normal(&rng)), 1, 5);
		stress = sim_clip(stress + 0.5 * (4 - stress) + 1.5 * sim_normal(&rng), 0, 10);
		v[SF_STRESS][d] = round(stress);
		double act = sim_uniform(&rng) < 0.4 ? 0 : sim_clip(45 + 20 * sim_normal(&rng), 10, 90);
		if (sim_uniform(&rng) < 0.08)
			act = 110 + 40 * sim_uniform(&rng);
		v[SF_ACTIVITY_MINUTES][d] = round(act);
		v[SF_ACTIVITY_RPE][d] = act > 0 ? sim_clip(round(act / 15 + sim_normal(&rng)), 1, 10) : NAN;
		for (int f = SF_DAIRY; f < SF_COUNT; f++)
			v[f][d] = sim_uniform(&rng) < event_p[f] ? (f == SF_ALCOHOL ? 1 + floor(2 * sim_uniform(&rng)) : 1) : 0;
		if (d >= trial_from)
			v[trial->factor][d] = sim_trial_value(trial, (int)(d - trial_from));
		v[SF_FATIGUE][d] = sim_clip(round(3 + (7 - sleep) + sim_normal(&rng)), 0, 10);
		v[SF_BLOATING][d] = sim_clip(round(2 + 2 * (v[SF_DAIRY][d] > 0) + sim_normal(&rng)), 0, 10);
		v[SF_FLARE][d] = 0;
	}
	for (size_t d = 0; d < n; d++) {
		double h = sim_hazard(s, d, null_mode);
		bool onset = false;
		if (flare_left > 0) {
			flare_left--;
			v[SF_PAIN][d] = sim_clip(round(7.5 + sim_normal(&rng) * 0.7), 7, 10);
			if (flare_left == 0)
				calm = 0;
		} else {
			if (calm >= 2 && sim_uniform(&rng) < h) {
				onset = true;
				flare_left = 1 + (int)(3 * sim_uniform(&rng));
				v[SF_PAIN][d] = sim_clip(round(8 + sim_normal(&rng) * 0.7), 7, 10);
			} else {
				v[SF_PAIN][d] = sim_clip(round(3 + 1.2 * sim_normal(&rng)), 0, 6);
				calm++;
			}
		}
		s->true_onset[d] = onset;
	}
	/* Warning signs: stiffness rises one and two days before onsets. */
	for (size_t d = 0; d < n; d++) {
		bool before = !null_mode && ((d + 1 < n && s->true_onset[d + 1]) ||
		    (d + 2 < n && s->true_onset[d + 2]));
		v[SF_STIFFNESS][d] = sim_clip(round(2.5 + (before ? 3 : 0) + 1.2 * sim_normal(&rng)), 0, 10);
	}
	/* What the simulator itself would forecast each evening: the chance of
	 * an onset tomorrow (hazard from today's exposures) or the day after
	 * (today's dairy known, the rest at its average). */
	for (size_t d = 0; d + 2 < n; d++) {
		double p1 = sim_hazard(s, d + 1, null_mode);
		double p2 = sim_hazard(s, d + 2, null_mode);
		s->true_risk[d] = 1 - (1 - p1) * (1 - p2);
	}
	/* Missing days and unlogged values. */
	for (size_t d = 0; d < n; d++) {
		s->in.has_entries[d] = sim_uniform(&rng) >= 0.07 || d >= trial_from;
		for (int f = 0; f < SF_COUNT; f++) {
			if (!s->in.has_entries[d])
				v[f][d] = NAN;
			else if (sim_factors[f].kind != AK_EVENT && f != SF_PAIN && f != SF_FLARE &&
			    sim_uniform(&rng) < 0.05)
				v[f][d] = NAN;
		}
	}
	return 0;
}

#endif
