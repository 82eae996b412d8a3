/*
 * test_analysis.c: the pure analysis: flare onsets and days at risk, the
 * load, findings on small hand-made series, "not enough data", and that no
 * future data leaks into a past forecast.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/analysis/internal.h"
#include "daemon/analysis/stats.h"
#include "tests/tools/diary_sim.h"

static struct analysis_config cfg;

static void
test_flare_onsets(void **state)
{
	(void)state;
	/* Onsets on days 2, 6 and 9, each after two days below 7; a flare
	 * lasts at least two days (day 7) and while pain stays high (day 10). */
	double pain[] = {3, 3, 8, 8, 5, 3, 8, 3, 3, 8, 9, 2};
	double flare[12] = {0};
	flare[4] = 0;
	bool has[12];
	for (int i = 0; i < 12; i++)
		has[i] = true;
	struct analysis_factor f[2] = {{"pain", AK_SCALE, AR_OUTCOME, pain, NULL},
	    {"flare", AK_FLARE, AR_OUTCOME, flare, NULL}};
	struct analysis_input in = {.first_day = 0, .n_days = 12, .has_entries = has,
	    .n_factors = 2, .factors = f};
	bool onset[12], in_flare[12], at_risk[12];
	series_flares(&in, &cfg, onset, in_flare, at_risk);
	bool want_onset[] = {0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0};
	bool want_flare[] = {0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0};
	for (int i = 0; i < 12; i++) {
		assert_int_equal(onset[i], want_onset[i]);
		assert_int_equal(in_flare[i], want_flare[i]);
	}
	assert_false(at_risk[3]); /* inside a flare */
	assert_true(at_risk[2]);  /* the onset day itself */
	/* Pain that stays high starts no new onset... */
	pain[4] = 8;
	series_flares(&in, &cfg, onset, in_flare, at_risk);
	assert_false(onset[6]);
	/* ... but a flare marker starts a flare whatever the pain. */
	pain[4] = 5;
	pain[0] = 1;
	flare[0] = 1;
	series_flares(&in, &cfg, onset, in_flare, at_risk);
	assert_true(onset[0]);
	/* A day without entries is not at risk. */
	has[7] = false;
	series_flares(&in, &cfg, onset, in_flare, at_risk);
	assert_false(at_risk[7]);
}

static void
test_observation_windows(void **state)
{
	(void)state;
	/* Coffee logged on days 5-19 and 40-44, with entries every day but day
	 * 8: the gap of 20 days without it is a hole (unknown), the days inside
	 * its runs are absent where not logged, and nothing before its first
	 * entry or after its last is known. */
	enum { N = 60 };
	double coffee[N], pain[N], flare[N];
	bool has[N];
	for (int d = 0; d < N; d++) {
		has[d] = true;
		coffee[d] = ((d >= 5 && d < 20 && d != 7 && d != 8 && d != 12) || (d >= 40 && d < 45)) ?
		    1 : NAN;
		pain[d] = d < 20 ? NAN : 2;
		flare[d] = NAN;
	}
	has[8] = false;
	struct analysis_factor f[3] = {{"pain", AK_SCALE, AR_OUTCOME, pain, NULL},
	    {"flare", AK_FLARE, AR_OUTCOME, flare, NULL}, {"coffee", AK_EVENT, AR_EXPOSURE, coffee, NULL}};
	struct analysis_input in = {.first_day = 0, .n_days = N, .has_entries = has,
	    .n_factors = 3, .factors = f};
	struct analysis_input w;
	assert_int_equal(windows_apply(&in, &cfg, &w), 0);
	const double *v = w.factors[2].values;
	assert_true(isnan(v[4]));
	assert_true(v[7] == 0);         /* inside its window, not logged: absent */
	assert_true(isnan(v[8]));       /* a day without any entry stays unknown */
	assert_true(v[12] == 0);
	assert_true(isnan(v[25]));      /* a 20-day gap is outside the window */
	assert_true(v[41] == 1);
	assert_true(isnan(v[50]));
	assert_true(w.factors[0].values == pain); /* numeric values are shared */
	/* Days before pain was first logged are unknown, not flare-free. */
	bool onset[N], in_flare[N], at_risk[N];
	series_flares(&w, &cfg, onset, in_flare, at_risk);
	assert_false(at_risk[10]);
	assert_true(at_risk[30]);
	windows_free(&in, &w);
}

static void
test_day_without_pain_entry_is_unknown(void **state)
{
	(void)state;
	/* Pain is logged every day but day 10, which has a dairy entry; no
	 * flare anywhere near. Day 10 is unknown, not flare-free: it is not at
	 * risk, before or after the observation windows are applied. */
	enum { N = 20 };
	double pain[N], flare[N], dairy[N];
	bool has[N];
	for (int d = 0; d < N; d++) {
		has[d] = true;
		pain[d] = d == 10 ? NAN : 2;
		flare[d] = NAN;
		dairy[d] = d % 3 == 1 ? 1 : NAN;
	}
	struct analysis_factor f[3] = {{"pain", AK_SCALE, AR_OUTCOME, pain, NULL},
	    {"flare", AK_FLARE, AR_OUTCOME, flare, NULL}, {"dairy", AK_EVENT, AR_EXPOSURE, dairy, NULL}};
	struct analysis_input in = {.first_day = 0, .n_days = N, .has_entries = has,
	    .n_factors = 3, .factors = f};
	bool onset[N], in_flare[N], at_risk[N];
	series_flares(&in, &cfg, onset, in_flare, at_risk);
	assert_false(series_outcome_known(&in, 0, 1, 10));
	assert_false(at_risk[10]);
	assert_false(onset[10]);
	assert_true(at_risk[9]);
	assert_true(at_risk[11]);
	struct analysis_input w;
	assert_int_equal(windows_apply(&in, &cfg, &w), 0);
	series_flares(&w, &cfg, onset, in_flare, at_risk);
	assert_false(at_risk[10]);
	assert_true(at_risk[9] && at_risk[11]);
	windows_free(&in, &w);
}

static void
test_not_enough_data(void **state)
{
	(void)state;
	struct sim_diary s;
	assert_int_equal(sim_generate(&s, 20, 3, false), 0);
	struct analysis_result r;
	assert_int_equal(analysis_run(&s.in, &cfg, true, &r), 0);
	assert_false(r.enough_data);
	assert_non_null(strstr(r.message, "Not enough data yet"));
	/* The README's bar: 28 days with entries and 3 flares. */
	assert_non_null(strstr(r.message, "of 28 days"));
	assert_non_null(strstr(r.message, "of 3 flares"));
	assert_false(r.threshold_personal);
	assert_true(r.threshold == cfg.prior_threshold);
	assert_int_equal(r.n_findings, 0);
	assert_true(r.risk >= 0 && r.risk <= 1);
	analysis_result_free(&r);
	sim_free(&s);
}

static void
test_load_rises_with_sleep_debt_and_decays(void **state)
{
	(void)state;
	enum { N = 40 };
	double sleep[N], stress[N];
	bool has[N];
	for (int i = 0; i < N; i++) {
		sleep[i] = i >= 20 && i < 24 ? 4.0 : 7.5;
		stress[i] = 2;
		has[i] = true;
	}
	struct analysis_factor f[2] = {{"sleep_hours", AK_HOURS, AR_EXPOSURE, sleep, NULL},
	    {"stress", AK_SCALE, AR_EXPOSURE, stress, NULL}};
	struct analysis_input in = {.first_day = 0, .n_days = N, .has_entries = has,
	    .n_factors = 2, .factors = f};
	struct analysis_result r;
	assert_int_equal(analysis_run(&in, &cfg, false, &r), 0);
	assert_true(r.load[23] > r.load[19] + 15);   /* four short nights add up */
	assert_true(r.load[30] < r.load[23]);        /* and decay after */
	assert_true(r.load[19] < 15);
	for (int i = 0; i < N; i++)
		assert_true(r.load[i] >= 0 && r.load[i] <= 100);
	analysis_result_free(&r);
}

static void
test_load_half_life_is_three_days(void **state)
{
	(void)state;
	/* Dairy every day for 40 days, then none (with entries every day): the
	 * foods component falls to half in 3 days and to a quarter in 6. */
	enum { N = 50 };
	double dairy[N];
	bool has[N];
	for (int i = 0; i < N; i++) {
		dairy[i] = i < 40 ? 1 : 0;
		has[i] = true;
	}
	struct analysis_factor f[1] = {{"dairy", AK_EVENT, AR_EXPOSURE, dairy, NULL}};
	struct analysis_input in = {.first_day = 0, .n_days = N, .has_entries = has,
	    .n_factors = 1, .factors = f};
	struct known_factors k;
	known_factors_find(&in, &k);
	double *ewma = calloc(N * LC_COUNT, sizeof *ewma);
	assert_non_null(ewma);
	assert_int_equal(load_components(&in, &k, ewma), 0);
	double at_stop = ewma[39 * LC_COUNT + LC_FOODS];
	assert_true(at_stop > 4);
	assert_float_equal(ewma[42 * LC_COUNT + LC_FOODS] / at_stop, 0.5, 1e-9);
	assert_float_equal(ewma[45 * LC_COUNT + LC_FOODS] / at_stop, 0.25, 1e-9);
	free(ewma);
}

/* Candidate `which`'s risk on the last evening of diary s, which it frees. */
static double
last_evening_risk(struct sim_diary *s, int which)
{
	struct analysis_result r;
	assert_int_equal(analysis_run(&s->in, &cfg, true, &r), 0);
	assert_true(r.n_backtest > 0);
	const struct backtest_day *b = &r.backtest[r.n_backtest - 1];
	assert_int_equal(b->day, s->in.first_day + (int32_t)(s->in.n_days - 1));
	double p = b->candidate[which];
	analysis_result_free(&r);
	sim_free(s);
	return p;
}

/* The full model's risk on the last evening of a built-in-simulator diary
 * with event f had two days and this evening, and the day between too when
 * `between`. Every lag of the forecast's screen (1-3) reaches one of the
 * next two days from a day f happened on either way; at lags 2 and 3 the
 * day between makes it both. */
static double
full_risk_with(int f, bool between)
{
	struct sim_diary s;
	assert_int_equal(sim_generate(&s, 1460, 11, false), 0);
	size_t last = s.in.n_days - 1;
	for (size_t d = last - 3; d <= last; d++) {
		s.factors[SF_PAIN].values[d] = 2;
		s.factors[SF_FLARE].values[d] = NAN;
	}
	s.factors[f].values[last - 2] = 1;
	s.factors[f].values[last - 1] = between ? 1 : 0;
	s.factors[f].values[last] = 1;
	return last_evening_risk(&s, FORECASTER_FULL);
}

/* An exposure the full model admitted that reaches both of the next two
 * days is two chances of an onset, more than one that reaches one. */
static void
test_exposure_on_two_days_counts_twice(void **state)
{
	(void)state;
	double most = 0;
	for (int f = SF_DAIRY; f < SF_COUNT; f++) {
		if (sim_factors[f].kind != AK_EVENT || sim_factors[f].role != AR_EXPOSURE)
			continue;
		double once = full_risk_with(f, false), twice = full_risk_with(f, true);
		double gain = log(twice / (1 - twice)) - log(once / (1 - once));
		if (fabs(gain) > 0.01)
			print_message("%s: full model's risk %.3f, %.3f with the day between\n",
			    sim_factors[f].name, once, twice);
		assert_true(gain > -0.05);
		most = fmax(most, gain);
	}
	assert_true(most > 0.2);
}

/* The simple rule's risk on the last evening of a built-in-simulator
 * diary in which stiffness stays 2 points up for three days after each
 * flare, with stiffness 5 that evening: two days after a flare
 * (`after_flare`), or far from one. */
static double
simple_risk_with_stiffness_5(bool after_flare)
{
	struct sim_diary s;
	assert_int_equal(sim_generate(&s, 1460, 11, false), 0);
	double *pain = s.factors[SF_PAIN].values, *stiff = s.factors[SF_STIFFNESS].values;
	size_t last = s.in.n_days - 1;
	for (size_t d = last - 5; d <= last; d++) {
		pain[d] = after_flare && (d == last - 3 || d == last - 2) ? 8 : 2;
		s.factors[SF_FLARE].values[d] = NAN;
	}
	for (size_t d = last; d >= 3; d--) {
		bool high = isfinite(pain[d]) && pain[d] >= cfg.flare_pain_level, fading = false;
		for (size_t k = 1; k <= 3 && !high; k++)
			fading |= isfinite(pain[d - k]) && pain[d - k] >= cfg.flare_pain_level;
		if (fading && isfinite(stiff[d]))
			stiff[d] = fmin(stiff[d] + 2, 10);
	}
	stiff[last] = 5;
	return last_evening_risk(&s, FORECASTER_SIMPLE);
}

/* A fading flare keeps stiffness up without announcing the next one: the
 * simple rule reads the evening's stiffness against its usual level at the
 * same distance from the last flare, so 5 two days after a flare says less
 * than 5 on an ordinary evening. */
static void
test_fading_flare_is_no_warning_sign(void **state)
{
	(void)state;
	double ordinary = simple_risk_with_stiffness_5(false);
	double after = simple_risk_with_stiffness_5(true);
	print_message("simple rule's risk at stiffness 5: %.3f on an ordinary evening, %.3f two "
	    "days after a flare\n", ordinary, after);
	assert_true(log(ordinary / (1 - ordinary)) - log(after / (1 - after)) > 0.3);
}

/* A built-in-simulator diary with stiffness of its own, in which only
 * every other onset is announced: 3.5 points up the evening before and 2
 * points two evenings before. */
static void
half_announced(struct sim_diary *s)
{
	assert_int_equal(sim_generate(s, 1460, 11, false), 0);
	double *stiff = s->factors[SF_STIFFNESS].values;
	uint64_t rng = 77;
	unsigned onsets = 0;
	for (size_t d = 0; d < s->in.n_days; d++)
		if (isfinite(stiff[d]))
			stiff[d] = sim_clip(round(2.5 + 1.2 * sim_normal(&rng)), 0, 10);
	for (size_t d = 2; d < s->in.n_days; d++) {
		if (!s->true_onset[d] || onsets++ % 2)
			continue;
		if (isfinite(stiff[d - 1]))
			stiff[d - 1] = fmin(stiff[d - 1] + 3.5, 10);
		if (isfinite(stiff[d - 2]))
			stiff[d - 2] = fmin(stiff[d - 2] + 2, 10);
	}
}

/* Candidate `which`'s risk on the last evening of that diary, with
 * stiffness `tonight` that evening after three ordinary days. */
static double
risk_with_half_announced(int which, double tonight)
{
	struct sim_diary s;
	half_announced(&s);
	double *stiff = s.factors[SF_STIFFNESS].values;
	size_t last = s.in.n_days - 1;
	for (size_t d = last - 3; d <= last; d++) {
		s.factors[SF_PAIN].values[d] = 2;
		s.factors[SF_FLARE].values[d] = NAN;
		stiff[d] = 2;
	}
	stiff[last] = tonight;
	return last_evening_risk(&s, which);
}

/* When only some flares are announced, a sign far above its usual level
 * says more per point than one a little above it: the simple rule and the
 * full model both read it so, where a straight line would give every
 * point the same weight. */
static void
test_far_above_usual_counts_more(void **state)
{
	(void)state;
	const int which[] = {FORECASTER_SIMPLE, FORECASTER_FULL};
	for (size_t i = 0; i < 2; i++) {
		double p2 = risk_with_half_announced(which[i], 2);
		double p4 = risk_with_half_announced(which[i], 4);
		double p7 = risk_with_half_announced(which[i], 7);
		double low = (log(p4 / (1 - p4)) - log(p2 / (1 - p2))) / 2;
		double high = (log(p7 / (1 - p7)) - log(p4 / (1 - p4))) / 3;
		print_message("%s: risk %.3f, %.3f, %.3f at stiffness 2, 4, 7; log-odds per point "
		    "%.2f from 2 to 4, %.2f from 4 to 7\n", forecaster_name(which[i]), p2, p4, p7, low,
		    high);
		assert_true(low > 0);
		assert_true(high > 1.2 * low);
	}
}

/* The analysis of diary s and the forecast model fitted on all of it, as
 * today's forecast is. */
static void
fit_on_whole_diary(const struct sim_diary *s, struct analysis_result *r, struct forecast_model *m)
{
	assert_int_equal(analysis_run(&s->in, &cfg, false, r), 0);
	unsigned char *open = malloc(s->in.n_days);
	assert_non_null(open);
	forecast_open_days(&s->in, &cfg, open);
	assert_int_equal(forecast_fit(&s->in, &cfg, r, open, r->load, s->in.n_days - 1, m), 0);
	free(open);
}

/* A warning sign (and the load) is worded by its side of usual: above it,
 * it raises the forecast or is not listed; below it, it lowers it or is
 * not listed. The full model reads a sign with two parts (the part beyond
 * the knee has an average of its own), and together they must still
 * agree. */
static void
test_sign_contributors_agree_with_usual(void **state)
{
	(void)state;
	struct sim_diary s;
	half_announced(&s);
	struct analysis_result r;
	struct forecast_model m;
	fit_on_whole_diary(&s, &r, &m);
	size_t n = s.in.n_days;
	bool high = false;
	for (size_t j = 0; j < m.n_inputs; j++)
		high |= m.inputs[j].kind == FULL_SIGN_HIGH;
	assert_true(high);
	const double weight[FORECASTER_COUNT] = {0.5, 0, 0.5, 0};
	unsigned above = 0, below = 0;
	for (size_t d = n - 300; d < n; d++) {
		struct contributor c[40];
		size_t nc = forecast_contributors(&s.in, &r, r.load, &m, weight, d, c, 40);
		for (size_t i = 0; i < nc; i++) {
			double v, usual;
			char when[16];
			if (strcmp(c[i].source, "load") == 0) {
				assert_int_equal(sscanf(c[i].detail, "load %lf, usually %lf", &v, &usual), 2);
				if (fabs(v - usual) >= 1)
					assert_true((v - usual) * c[i].contribution > 0);
				continue;
			}
			if (strcmp(c[i].source, "warning sign") != 0)
				continue;
			assert_int_equal(sscanf(c[i].detail, "%lf %15[a-z], usually %lf", &v, when, &usual), 3);
			if (fabs(v - usual) < 0.06)
				continue;
			assert_true((v - usual) * c[i].contribution > 0);
			above += v > usual;
			below += v < usual;
		}
	}
	print_message("warning signs listed above usual on %u evenings, below on %u\n", above, below);
	assert_true(above > 20 && below > 20);
	analysis_result_free(&r);
	sim_free(&s);
}

/* A contributor of the combined forecaster is what it adds through the
 * simple rule plus what it adds through the full model, at their weights:
 * a warning sign both read is listed once, with both parts. */
static double
contribution_of(const struct contributor *c, size_t n, const struct contributor *like)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].factor, like->factor) == 0 && strcmp(c[i].source, like->source) == 0 &&
		    strcmp(c[i].detail, like->detail) == 0)
			sum += c[i].contribution;
	return sum;
}

static void
test_combined_contributors_add_up(void **state)
{
	(void)state;
	struct sim_diary s;
	assert_int_equal(sim_generate(&s, 730, 11, false), 0);
	struct analysis_result r;
	struct forecast_model m;
	fit_on_whole_diary(&s, &r, &m);
	size_t n = s.in.n_days;
	assert_true(m.fitted);
	const double simple[FORECASTER_COUNT] = {0.4, 0, 0, 0}, full[FORECASTER_COUNT] = {0, 0, 0.5, 0};
	const double both[FORECASTER_COUNT] = {0.4, 0, 0.5, 0};
	size_t merged = 0;
	for (size_t d = n - 120; d < n; d++) {
		struct contributor a[40], b[40], c[40];
		size_t na = forecast_contributors(&s.in, &r, r.load, &m, simple, d, a, 40);
		size_t nb = forecast_contributors(&s.in, &r, r.load, &m, full, d, b, 40);
		size_t nc = forecast_contributors(&s.in, &r, r.load, &m, both, d, c, 40);
		for (size_t i = 0; i < nc; i++) {
			double from_a = contribution_of(a, na, &c[i]), from_b = contribution_of(b, nb, &c[i]);
			assert_float_equal(c[i].contribution, from_a + from_b, 1e-9);
			/* Listed once. */
			assert_float_equal(contribution_of(c, nc, &c[i]), c[i].contribution, 1e-12);
			merged += from_a != 0 && from_b != 0;
		}
		for (size_t i = 0; i + 1 < nc; i++)
			assert_true(fabs(c[i].contribution) >= fabs(c[i + 1].contribution));
	}
	print_message("contributors read by both the simple rule and the full model: %zu\n", merged);
	assert_true(merged > 0);
	analysis_result_free(&r);
	sim_free(&s);
}

static void
test_planted_trigger_found_at_its_lag(void **state)
{
	(void)state;
	struct sim_diary s;
	assert_int_equal(sim_generate(&s, 1460, 11, false), 0);
	struct analysis_result r;
	assert_int_equal(analysis_run(&s.in, &cfg, false, &r), 0);
	assert_true(r.enough_data);
	bool dairy = false;
	for (size_t i = 0; i < r.n_findings; i++) {
		const struct finding *f = &r.findings[i];
		const char *name = s.in.factors[f->conditions[0].factor].name;

		if (f->kind == FINDING_SINGLE && strcmp(name, "dairy") == 0 && f->harmful) {
			assert_int_equal(f->lag_days, 2);
			assert_true(f->rr > 1 && f->ci_lo > 1);
			assert_true(f->q <= cfg.q_max);
			dairy = true;
		}
		/* No finding is ever about an outcome, and symptoms are only
		 * warning signs. */
		assert_true(s.in.factors[f->conditions[0].factor].role != AR_OUTCOME);
		if (s.in.factors[f->conditions[0].factor].role == AR_SYMPTOM)
			assert_true(f->warning_sign);
	}
	assert_true(dairy);
	assert_true(r.tested > 100);
	analysis_result_free(&r);
	sim_free(&s);
}

static void
test_null_diary_finds_nothing(void **state)
{
	(void)state;
	struct sim_diary s;
	assert_int_equal(sim_generate(&s, 730, 5, true), 0);
	struct analysis_result r;
	assert_int_equal(analysis_run(&s.in, &cfg, false, &r), 0);
	assert_int_equal(r.n_findings, 0);
	analysis_result_free(&r);
	sim_free(&s);
}

/*
 * The search over lags and cut points is priced by shifting each factor
 * against the outcomes: on diaries with no effect at all, findings stay as
 * rare as the false-discovery level promises (at q 0.10, a diary with any
 * finding about one time in ten; 30 diaries allow up to 7, the 95th
 * percentile of Binomial(30, 0.1); with the search not paid for at all,
 * about a quarter of them report something).
 */
static void
test_null_diaries_rarely_find_anything(void **state)
{
	(void)state;
	int with_findings = 0;
	for (uint64_t seed = 100; seed < 130; seed++) {
		struct sim_diary s;
		assert_int_equal(sim_generate(&s, 540, seed, true), 0);
		struct analysis_result r;
		assert_int_equal(analysis_run(&s.in, &cfg, false, &r), 0);
		size_t reported = 0;
		for (size_t i = 0; i < r.n_findings; i++)
			reported += !r.findings[i].too_few_onsets;
		with_findings += reported > 0;
		analysis_result_free(&r);
		sim_free(&s);
	}
	print_message("null diaries with a finding: %d of 30\n", with_findings);
	assert_true(with_findings <= 7);
}

/*
 * A hand-made diary of N days: three events logged on a share of the days
 * each, and flares of two days that start the day after a day on which
 * `harm` holds, with probability p_hit, otherwise with p_base; an onset
 * needs two calm days before it. Every day has entries.
 */
enum { PAIR_N = 720, PAIR_FACTORS = 5 };
struct pair_diary {
	double v[PAIR_FACTORS][PAIR_N];
	bool has[PAIR_N];
	struct analysis_factor f[PAIR_FACTORS];
	struct analysis_input in;
};

static void
pair_diary_make(struct pair_diary *p, uint64_t seed, const double share[3],
    bool (*harm)(const double *const *ev, size_t d), double p_hit, double p_base)
{
	static const char *const names[] = {"pain", "flare", "a", "b", "c"};
	uint64_t rng = seed * 0x9e3779b97f4a7c15u; /* xorshift wants a mixed state */
	for (size_t d = 0; d < PAIR_N; d++) {
		p->has[d] = true;
		p->v[1][d] = NAN;
		for (int e = 0; e < 3; e++)
			p->v[2 + e][d] = sim_uniform(&rng) < share[e] ? 1 : NAN;
	}
	const double *ev[3] = {p->v[2], p->v[3], p->v[4]};
	size_t calm = 2;
	for (size_t d = 0; d < PAIR_N; d++) {
		bool high = d > 0 && p->v[0][d - 1] >= 7 && (d < 2 || p->v[0][d - 2] < 7);
		if (!high && calm >= 2 && d > 0 && sim_uniform(&rng) < (harm(ev, d - 1) ? p_hit : p_base))
			high = true;
		p->v[0][d] = high ? 8 : 2;
		calm = high ? 0 : calm + 1;
	}
	for (int i = 0; i < PAIR_FACTORS; i++) {
		strcpy(p->f[i].name, names[i]);
		p->f[i].kind = i == 0 ? AK_SCALE : i == 1 ? AK_FLARE : AK_EVENT;
		p->f[i].role = i < 2 ? AR_OUTCOME : AR_EXPOSURE;
		p->f[i].values = p->v[i];
		p->f[i].first_ms = NULL;
	}
	p->in = (struct analysis_input){.first_day = 0, .n_days = PAIR_N, .has_entries = p->has,
	    .n_factors = PAIR_FACTORS, .factors = p->f, .today = PAIR_N - 1};
}

static bool
a_and_b(const double *const *ev, size_t d)
{
	return ev[0][d] == 1 && ev[1][d] == 1;
}

static bool
a_alone(const double *const *ev, size_t d)
{
	return ev[0][d] == 1;
}

/* The combination of a and another event that a result reports, or NULL. */
static const struct finding *
pair_with_a(const struct analysis_input *in, const struct analysis_result *r, const char *other)
{
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		if (f->kind != FINDING_COMBINATION || f->too_few_onsets || f->n_conditions != 2)
			continue;
		const char *x = in->factors[f->conditions[0].factor].name;
		const char *y = in->factors[f->conditions[1].factor].name;
		if ((strcmp(x, "a") == 0 && strcmp(y, other) == 0) ||
		    (strcmp(y, "a") == 0 && strcmp(x, other) == 0))
			return f;
	}
	return NULL;
}

/*
 * The table a reported pair of a and b rests on, counted here from the
 * diary: at-risk days whose lagged a and b are both known (inside their
 * observation windows) and not inside a flare; exposed when both were
 * logged, against every other such day. Its relative risk is what the
 * finding must state.
 */
static double
pair_rr_by_hand(const struct pair_diary *p, const struct analysis_result *r, int lag,
    unsigned *exposed_days, unsigned *exposed_onsets)
{
	struct analysis_input w;
	assert_int_equal(windows_apply(&p->in, &cfg, &w), 0);
	const double *a = w.factors[2].values, *b = w.factors[3].values;
	unsigned t[4] = {0};
	for (size_t d = (size_t)lag; d < PAIR_N; d++) {
		size_t e = d - (size_t)lag;
		if (!r->at_risk[d] || (r->in_flare[e] && !r->onset[e]) || !isfinite(a[e]) ||
		    !isfinite(b[e]))
			continue;
		t[(a[e] > 0 && b[e] > 0 ? 0 : 2) + !r->onset[d]]++;
	}
	windows_free(&p->in, &w);
	*exposed_days = t[0] + t[1];
	*exposed_onsets = t[0];
	return stats_relative_risk(t[0], t[1], t[2], t[3]).rr;
}

/*
 * Combinations: a and b are harmless alone and harmful together (a flare
 * follows the day after both in 6 of 10 cases, 1 in 25 otherwise); the
 * pair is reported, at lag 1, against every other day (not only days with
 * neither: with no effect alone, those would only make the comparison
 * smaller). With a alone the trigger and b a passenger
 * logged on a third of the days, the pair a + b does no better than a
 * alone, and is not reported as a combination. Twenty diaries of each.
 */
static void
test_combination_found_and_passenger_not(void **state)
{
	(void)state;
	static struct pair_diary p;
	const double share[3] = {0.3, 0.3, 0.3};
	int found = 0, passengers = 0;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct analysis_result r;
		pair_diary_make(&p, seed, share, a_and_b, 0.6, 0.04);
		assert_int_equal(analysis_run(&p.in, &cfg, false, &r), 0);
		const struct finding *f = pair_with_a(&p.in, &r, "b");
		if (f != NULL) {
			assert_int_equal(f->lag_days, 1);
			assert_true(f->harmful && f->q <= cfg.q_max);
			unsigned days, onsets;
			double rr = pair_rr_by_hand(&p, &r, f->lag_days, &days, &onsets);
			assert_int_equal(f->exposed_days, days);
			assert_int_equal(f->exposed_onsets, onsets);
			assert_true(fabs(f->rr - rr) <= 1e-9 * rr);
			found++;
		}
		analysis_result_free(&r);

		pair_diary_make(&p, 100 + seed, share, a_alone, 0.45, 0.04);
		assert_int_equal(analysis_run(&p.in, &cfg, false, &r), 0);
		passengers += pair_with_a(&p.in, &r, "b") != NULL || pair_with_a(&p.in, &r, "c") != NULL;
		analysis_result_free(&r);
	}
	print_message("combinations found: %d of 20; passenger pairs: %d of 20\n", found, passengers);
	assert_true(found >= 16);
	assert_true(passengers <= 2);
}

/* Changing everything after day k leaves every forecast made on or before
 * day k identical, bit for bit. */
static void
test_backtest_has_no_leakage(void **state)
{
	(void)state;
	struct sim_diary a, b;
	assert_int_equal(sim_generate(&a, 500, 21, false), 0);
	assert_int_equal(sim_generate(&b, 500, 21, false), 0);
	size_t k = 350;
	uint64_t rng = 99;
	for (size_t d = k + 1; d < 500; d++) {
		for (int f = 0; f < SF_COUNT; f++) {
			double *v = &b.factors[f].values[d];
			if (isfinite(*v))
				*v = f == SF_PAIN ? 9 : *v + sim_uniform(&rng) * 3;
		}
		b.in.has_entries[d] = sim_uniform(&rng) < 0.5;
	}
	struct analysis_result ra, rb;
	assert_int_equal(analysis_run(&a.in, &cfg, true, &ra), 0);
	assert_int_equal(analysis_run(&b.in, &cfg, true, &rb), 0);
	size_t compared = 0;
	for (size_t i = 0, j = 0; i < ra.n_backtest && j < rb.n_backtest; i++, j++) {
		if (ra.backtest[i].day > a.in.first_day + (int32_t)k)
			break;
		assert_int_equal(ra.backtest[i].day, rb.backtest[j].day);
		assert_memory_equal(&ra.backtest[i].risk, &rb.backtest[j].risk, sizeof(double));
		assert_memory_equal(&ra.backtest[i].load, &rb.backtest[j].load, sizeof(double));
		assert_int_equal(ra.backtest[i].level, rb.backtest[j].level);
		compared++;
	}
	assert_true(compared > 200);
	/* And the future did change something. */
	assert_true(ra.n_backtest != rb.n_backtest || ra.summary.auc != rb.summary.auc);
	analysis_result_free(&ra);
	analysis_result_free(&rb);
	sim_free(&a);
	sim_free(&b);
}

/* Frequent flares (an onset within 48 hours after about 4 in 10 of the
 * evenings) and no symptom scale: the risk hardly moves from the person's
 * average. Counted in notifications, a watch that is on every evening costs
 * one false alarm and "warns" of every onset; it must not be chosen. */
static void
test_alarm_is_not_always_on(void **state)
{
	(void)state;
	struct sim_diary s;
	assert_int_equal(sim_generate(&s, 540, 5, true), 0);
	uint64_t rng = 77;
	for (size_t d = 0; d < s.in.n_days; d++) {
		s.factors[SF_STIFFNESS].values[d] = NAN;
		s.factors[SF_FATIGUE].values[d] = NAN;
		s.factors[SF_BLOATING].values[d] = NAN;
		s.factors[SF_FLARE].values[d] = NAN;
		s.factors[SF_PAIN].values[d] = 2 + floor(sim_uniform(&rng) * 3);
	}
	for (size_t d = 2; d + 5 < s.in.n_days;) {
		if (sim_uniform(&rng) < 0.35) {
			for (size_t k = 0; k < 3; k++)
				s.factors[SF_PAIN].values[d + k] = 8;
			d += 5;
		} else {
			d++;
		}
	}
	struct analysis_result r;
	assert_int_equal(analysis_run(&s.in, &cfg, true, &r), 0);
	size_t judged = 0, alarms = 0, onsets = 0;
	for (size_t i = 0; i < r.n_backtest; i++) {
		if (r.backtest[i].outcome < 0)
			continue;
		judged++;
		alarms += r.backtest[i].level != LEVEL_OK;
		onsets += r.backtest[i].outcome == 1;
	}
	assert_true(judged > 200);
	assert_true(onsets * 10 > judged * 3);
	/* Each cut-off keeps its alarms to a quarter of the evenings before it. */
	assert_true(alarms * 10 <= judged * 3);
	analysis_result_free(&r);
	sim_free(&s);
}

/* Whether v was logged for the factor on some day. */
static bool
was_logged(const struct analysis_factor *f, size_t n_days, double v)
{
	for (size_t d = 0; d < n_days; d++)
		if (f->values[d] == v)
			return true;
	return false;
}

/* Short nights (under 6 hours, about a fifth of them) are planted. A cut
 * point read both ways gives one table; the finding must name the short
 * nights as harmful, not the usual nights as "fewer flares than usual".
 * Every cut point of a numeric factor, warning signs' too, is a value the
 * person logged ("stiffness >= 7", never ">= 6.75"). */
static void
test_dose_named_by_its_departing_side(void **state)
{
	(void)state;
	unsigned found = 0, cuts = 0;
	for (uint64_t seed = 1; seed <= 24; seed++) {
		struct sim_diary s;
		/* Short diaries too: fewer days, more cut points between values. */
		assert_int_equal(sim_generate(&s, seed <= 12 ? 730 : 150, seed, false), 0);
		struct analysis_result r;
		assert_int_equal(analysis_run(&s.in, &cfg, false, &r), 0);
		for (size_t i = 0; i < r.n_findings; i++) {
			const struct finding *f = &r.findings[i];
			for (size_t c = 0; c < f->n_conditions; c++) {
				const struct condition *cond = &f->conditions[c];
				if (cond->op == OP_PRESENT)
					continue;
				assert_true(was_logged(&s.in.factors[cond->factor], s.in.n_days,
				    cond->value));
				cuts++;
			}
			if (seed > 12 || f->kind == FINDING_COMBINATION ||
			    strcmp(s.in.factors[f->conditions[0].factor].name, "sleep_hours") != 0)
				continue;
			assert_int_equal(f->conditions[0].op, OP_LT);
			assert_true(f->harmful && f->rr > 1 && f->conditions[0].value <= 7);
			assert_int_equal(f->lag_days, 1);
			found++;
		}
		analysis_result_free(&r);
		sim_free(&s);
	}
	assert_true(found >= 3);
	assert_true(cuts >= 12);
}

int
main(void)
{
	analysis_config_default(&cfg);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flare_onsets),
		cmocka_unit_test(test_observation_windows),
		cmocka_unit_test(test_day_without_pain_entry_is_unknown),
		cmocka_unit_test(test_not_enough_data),
		cmocka_unit_test(test_load_rises_with_sleep_debt_and_decays),
		cmocka_unit_test(test_load_half_life_is_three_days),
		cmocka_unit_test(test_planted_trigger_found_at_its_lag),
		cmocka_unit_test(test_null_diary_finds_nothing),
		cmocka_unit_test(test_null_diaries_rarely_find_anything),
		cmocka_unit_test(test_backtest_has_no_leakage),
		cmocka_unit_test(test_combination_found_and_passenger_not),
		cmocka_unit_test(test_alarm_is_not_always_on),
		cmocka_unit_test(test_dose_named_by_its_departing_side),
		cmocka_unit_test(test_exposure_on_two_days_counts_twice),
		cmocka_unit_test(test_fading_flare_is_no_warning_sign),
		cmocka_unit_test(test_far_above_usual_counts_more),
		cmocka_unit_test(test_sign_contributors_agree_with_usual),
		cmocka_unit_test(test_combined_contributors_add_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
