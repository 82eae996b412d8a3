/*
 * test_experiment.c: the pure trial analysis (daemon/analysis/experiment.c):
 * where a plan stands on each day, the breaks of the elimination, the
 * comparison on hand-made diaries whose answer is known, the verdicts, and
 * the quantiles the intervals use.
 *
 * SPDX-License-Identifier: ISC
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "daemon/analysis/experiment.h"
#include "tests/tools/diary_sim.h"

#define DAYS 60
#define START 30   /* the trial's first day, as an index and a day number */

static struct experiment_plan
plan(const char *factor, int e, int r, int w)
{
	struct experiment_plan p;
	memset(&p, 0, sizeof p);
	snprintf(p.factor, sizeof p.factor, "%s", factor);
	p.start_day = START;
	p.eliminate_days = e;
	p.reintroduce_days = r;
	p.washout_days = w;
	return p;
}

/* A diary of DAYS days (day numbers 0..59), every day logged, with pain and
 * one event; the caller fills the values. */
struct diary {
	double pain[DAYS], food[DAYS];
	bool has[DAYS];
	struct analysis_factor f[2];
	struct analysis_input in;
};

static void
diary_init(struct diary *d)
{
	memset(d, 0, sizeof *d);
	for (int i = 0; i < DAYS; i++)
		d->has[i] = true;
	d->f[0] = (struct analysis_factor){"pain", AK_SCALE, AR_OUTCOME, d->pain, NULL};
	d->f[1] = (struct analysis_factor){"dairy", AK_EVENT, AR_EXPOSURE, d->food, NULL};
	d->in = (struct analysis_input){.first_day = 0, .n_days = DAYS, .has_entries = d->has,
	    .n_factors = 2, .factors = d->f, .today = DAYS - 1};
}

/* Pain that wobbles without any pattern of its own: 3, 4, 2, 3, 5, 3, ... */
static double
wobble(int i)
{
	static const double w[] = {3, 4, 2, 3, 5, 3, 2, 4, 3, 3, 4, 2, 5};
	return w[i % 13];
}

static void
test_phases_through_the_plan(void **state)
{
	(void)state;
	struct experiment_plan p = plan("dairy", 14, 4, 3);
	assert_int_equal(experiment_end_day(&p), START + 20);
	struct experiment_position pos;
	experiment_phase(&p, START - 2, &pos);
	assert_int_equal(pos.phase, EXP_PLANNED);
	assert_non_null(strstr(pos.text, "starts in 2 days"));
	experiment_phase(&p, START + 8, &pos);
	assert_int_equal(pos.phase, EXP_ELIMINATE);
	assert_string_equal(pos.text, "day 9 of 14 without dairy: leave it out, and log as usual");
	assert_int_equal(pos.phase_end_day, START + 13);
	experiment_phase(&p, START + 15, &pos);
	assert_int_equal(pos.phase, EXP_REINTRODUCE);
	assert_int_equal(pos.day_of_phase, 2);
	assert_int_equal(pos.phase_days, 4);
	experiment_phase(&p, START + 20, &pos);
	assert_int_equal(pos.phase, EXP_WASHOUT);
	assert_int_equal(pos.day_of_phase, 3);
	experiment_phase(&p, START + 21, &pos);
	assert_int_equal(pos.phase, EXP_FINISHED);
	p.stopped = true;
	p.stopped_day = START + 5;
	assert_int_equal(experiment_last_day(&p), START + 5);
	experiment_phase(&p, START + 6, &pos);
	assert_int_equal(pos.phase, EXP_STOPPED);
	assert_int_equal(pos.day_of_trial, 6);
}

/* Pain 3 points higher on the days after dairy, over a wobble: the trial
 * finds it, at lag 1, and calls it likely a trigger. */
static void
test_planted_rise_is_a_likely_trigger_at_its_lag(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	struct experiment_plan p = plan("dairy", 14, 7, 3);
	for (int i = 0; i < DAYS; i++) {
		d.food[i] = i < START ? (i % 3 == 0) : (i >= START + 14 && i < START + 21);
		d.pain[i] = wobble(i) + (i > 0 && d.food[i - 1] > 0 ? 3 : 0);
	}
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.verdict, EXP_V_TRIGGER);
	assert_int_equal(r.n_outcomes, 1);
	assert_true(r.outcomes[0].harmful);
	assert_int_equal(r.outcomes[0].lag_days, 1);
	assert_true(r.outcomes[0].effect > 2.5 && r.outcomes[0].effect < 3.5);
	assert_true(r.outcomes[0].lo > 0);
	assert_int_equal(r.breaks, 0);
	assert_int_equal(r.reintroduced_days, 7);
	assert_non_null(strstr(r.verdict_text, "likely a trigger"));
	assert_non_null(strstr(r.verdict_text, "not a diagnosis"));
	/* While it runs there is no verdict yet, whatever the days say. */
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, START + 18, &r), 0);
	assert_int_equal(r.verdict, EXP_V_RUNNING);
}

/* Pain that does not care about dairy, steady enough to rule out a rise of
 * 1.5 points: likely not. */
static void
test_harmless_food_is_likely_not(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	struct experiment_plan p = plan("dairy", 14, 10, 3);
	for (int i = 0; i < DAYS; i++) {
		d.food[i] = i >= START + 14 && i < START + 24;
		d.pain[i] = 3 + (i % 2) * 0.5;
	}
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.verdict, EXP_V_NOT);
	assert_true(r.outcomes[0].hi < 1.5);
	assert_non_null(strstr(r.verdict_text, "likely not a trigger"));
}

/* Three days without and one with: nothing can be compared. */
static void
test_too_short_cannot_tell(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	struct experiment_plan p = plan("dairy", 3, 1, 0);
	for (int i = 0; i < DAYS; i++) {
		d.food[i] = i == START + 3;
		d.pain[i] = wobble(i) + (d.food[i] > 0 ? 4 : 0);
	}
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.verdict, EXP_V_UNCLEAR);
	assert_false(r.outcomes[0].tested);
	assert_true(r.more_days >= 7);
	assert_non_null(strstr(r.verdict_text, "not enough data"));
}

/* A wide interval, neither above zero nor under the margin: not enough
 * data, and the more days needed shrink as the plan grows. */
static void
test_unclear_says_how_many_more_days(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	struct experiment_plan p = plan("dairy", 10, 4, 0);
	for (int i = 0; i < DAYS; i++) {
		d.food[i] = i >= START + 10 && i < START + 14;
		d.pain[i] = (i * 7 % 5) * 1.5 + (d.food[i] > 0 ? 1 : 0);
	}
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.verdict, EXP_V_UNCLEAR);
	assert_true(r.outcomes[0].tested);
	assert_true(r.more_days > 0 && r.more_days <= 365);
	char want[32];
	snprintf(want, sizeof want, "about %d more days", r.more_days);
	assert_non_null(strstr(r.verdict_text, want));
}

/* Dairy logged on three elimination days: compromised, with the dates. */
static void
test_three_breaks_compromise_the_trial(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	struct experiment_plan p = plan("dairy", 14, 7, 3);
	for (int i = 0; i < DAYS; i++) {
		d.food[i] = i >= START + 14 && i < START + 21;
		d.pain[i] = wobble(i) + (d.food[i] > 0 ? 3 : 0);
	}
	d.food[START + 2] = d.food[START + 6] = 1;
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.breaks, 2);
	assert_int_not_equal(r.verdict, EXP_V_COMPROMISED);
	d.food[START + 11] = 2;
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.breaks, 3);
	assert_int_equal(r.break_days[0], START + 2);
	assert_int_equal(r.break_days[2], START + 11);
	assert_int_equal(r.verdict, EXP_V_COMPROMISED);
	assert_non_null(strstr(r.verdict_text, "compromised"));
}

/* A day without any entry is unknown, not a day without dairy. */
static void
test_unlogged_days_are_unknown(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	struct experiment_plan p = plan("dairy", 14, 7, 3);
	for (int i = 0; i < DAYS; i++) {
		d.food[i] = NAN;
		d.pain[i] = wobble(i);
		if (i >= START + 14 && i < START + 21)
			d.food[i] = 1;
	}
	for (int i = START; i < START + 5; i++) {
		d.has[i] = false;
		d.pain[i] = NAN;
	}
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.days_known, 24 - 5);
	assert_int_equal(r.reintroduced_days, 7);
}

/* Flare days leave the levels: a flare is an outcome of its own. */
static void
test_flare_days_leave_the_levels(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	struct experiment_plan p = plan("dairy", 14, 7, 3);
	for (int i = 0; i < DAYS; i++) {
		d.food[i] = i >= START + 14 && i < START + 21;
		d.pain[i] = 3 + (i % 2) * 0.5;
	}
	d.pain[START + 16] = d.pain[START + 17] = 9;
	struct analysis_config cfg;
	analysis_config_default(&cfg);
	struct analysis_result ar;
	assert_int_equal(analysis_run(&d.in, &cfg, false, &ar), 0);
	assert_true(ar.onset[START + 16]);
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, &ar, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.n_outcomes, 2);
	assert_string_equal(r.outcomes[1].name, "flare onsets");
	assert_true(r.outcomes[0].tested);
	assert_true(fabs(r.outcomes[0].effect) < 0.5);
	analysis_result_free(&ar);
}

/* Three cycles of 5 days without and 3 with, then 2 watching: the phases
 * repeat, each says its cycle, and breaks are counted in every elimination. */
static void
test_cycles_through_the_plan(void **state)
{
	(void)state;
	struct experiment_plan p = plan("dairy", 5, 3, 2);
	p.cycles = 3;
	assert_int_equal(experiment_end_day(&p), START + 25);
	struct experiment_position pos;
	experiment_phase(&p, START + 8, &pos);
	assert_int_equal(pos.phase, EXP_ELIMINATE);
	assert_int_equal(pos.cycle, 2);
	assert_int_equal(pos.day_of_phase, 1);
	assert_int_equal(pos.phase_end_day, START + 12);
	assert_string_equal(pos.text, "cycle 2 of 3, day 1 of 5 without dairy: leave it out, and "
	    "log as usual");
	experiment_phase(&p, START + 14, &pos);
	assert_int_equal(pos.phase, EXP_REINTRODUCE);
	assert_int_equal(pos.day_of_phase, 2);
	assert_int_equal(pos.phase_end_day, START + 15);
	experiment_phase(&p, START + 24, &pos);
	assert_int_equal(pos.phase, EXP_WASHOUT);
	assert_int_equal(pos.day_of_phase, 1);
	assert_int_equal(pos.trial_days, 26);
	experiment_phase(&p, START + 26, &pos);
	assert_int_equal(pos.phase, EXP_FINISHED);

	struct diary d;
	diary_init(&d);
	for (int i = 0; i < DAYS; i++) {
		int k = i - START;
		d.food[i] = k >= 0 && k < 24 && k % 8 >= 5;
		d.pain[i] = wobble(i);
	}
	/* Two breaks in each elimination: six in all, fewer than three a cycle. */
	for (int c = 0; c < 3; c++)
		d.food[START + 8 * c + 1] = d.food[START + 8 * c + 3] = 1;
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.breaks, 6);
	assert_int_equal(r.break_days[2], START + 9);
	assert_int_equal(r.reintroduced_days, 9);
	assert_int_not_equal(r.verdict, EXP_V_COMPROMISED);
	d.food[START + 16] = d.food[START + 18] = d.food[START + 20] = 1;
	assert_int_equal(experiment_analyze(&d.in, NULL, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.breaks, 9);
	assert_int_equal(r.verdict, EXP_V_COMPROMISED);
	assert_non_null(strstr(r.verdict_text, "days of the eliminations"));
}

/* A rise of 2 points over a wobble of 3: one cycle of 5 days without and 3
 * with cannot tell; the same rise over three cycles, pooled, can. */
static void
test_cycles_are_pooled_into_one_verdict(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	for (int i = 0; i < DAYS; i++) {
		int k = i - START;
		d.food[i] = k >= 0 && k < 24 && k % 8 >= 5;
		d.pain[i] = wobble(i * 5) + (d.food[i] > 0 ? 2 : 0);
	}
	struct experiment_plan one = plan("dairy", 5, 3, 2);
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, NULL, &one, START + 10, &r), 0);
	assert_int_equal(r.verdict, EXP_V_UNCLEAR);
	struct experiment_plan three = one;
	three.cycles = 3;
	assert_int_equal(experiment_analyze(&d.in, NULL, &three, DAYS - 1, &r), 0);
	assert_int_equal(r.verdict, EXP_V_TRIGGER);
	assert_int_equal(r.outcomes[0].with_days, 9);
	assert_true(r.outcomes[0].effect > 1.5 && r.outcomes[0].effect < 2.5);
}

/* Pain steady outside flares, and the one flare of the trial begins after a
 * day with dairy: only flare onsets keep the verdict open, and it says how
 * many cycles of the plan would settle them, from the person's onset rate
 * before the trial (one onset in 10 days at risk: 0.1). */
static void
test_onsets_alone_open_say_how_many_cycles(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	struct experiment_plan p = plan("dairy", 7, 4, 2);
	p.cycles = 2;
	for (int i = 0; i < DAYS; i++) {
		int k = i - START;
		d.food[i] = k >= 0 && k < 22 && k % 11 >= 7;
		d.pain[i] = 3 + (i % 2) * 0.5;
	}
	/* Before the trial: a two-day flare every 12 days; in it, one flare, the
	 * day after the first day with dairy of the second cycle. */
	for (int i = 4; i < START - 2; i += 12)
		d.pain[i] = d.pain[i + 1] = 9;
	d.pain[START + 19] = d.pain[START + 20] = 9;
	struct analysis_config cfg;
	analysis_config_default(&cfg);
	struct analysis_result ar;
	assert_int_equal(analysis_run(&d.in, &cfg, false, &ar), 0);
	assert_true(ar.onset[START + 19]);
	struct experiment_result r;
	assert_int_equal(experiment_analyze(&d.in, &ar, &p, DAYS - 1, &r), 0);
	assert_int_equal(r.verdict, EXP_V_UNCLEAR);
	assert_true(r.outcomes[0].hi < 1.5);
	assert_int_equal(r.cycles_done, 2);
	assert_true(r.onset_rate > 0.05 && r.onset_rate < 0.15);
	assert_true(r.cycles_needed > 2);
	assert_int_equal(r.more_days, (r.cycles_needed - 2) * 11 > 365 ? 366 :
	    (r.cycles_needed - 2) * 11);
	char want[64];
	snprintf(want, sizeof want, "about %d cycles of 7 days without dairy", r.cycles_needed);
	assert_non_null(strstr(r.verdict_text, want));
	assert_non_null(strstr(r.verdict_text, "flare onsets began more often"));
	analysis_result_free(&ar);
}

/* The suggestion under a finding: a harmful, not quite certain finding of
 * one exposure gets one; a certain one, a protective one, a pair and a
 * symptom do not. With the analysis, the plan is sized for the finding's
 * rate ratio in flares; without it, nothing is said of flares. */
static void
test_suggest_a_trial_for_an_uncertain_exposure(void **state)
{
	(void)state;
	struct diary d;
	diary_init(&d);
	for (int i = 0; i < DAYS; i++)
		d.pain[i] = 3 + (i % 2) * 0.5;
	/* Two-day flares every 10 days: 6 onsets on about 54 days at risk. */
	for (int i = 2; i < DAYS - 1; i += 10)
		d.pain[i] = d.pain[i + 1] = 9;
	struct finding f;
	memset(&f, 0, sizeof f);
	f.kind = FINDING_SINGLE;
	f.n_conditions = 1;
	f.conditions[0].factor = 1;
	f.harmful = true;
	f.rr = 4;
	f.q = 0.04;
	f.ci_lo = 1.2;
	f.exposed_onsets = 5;
	struct experiment_suggestion s;
	assert_true(experiment_suggest(&d.in, NULL, &f, &s));
	assert_string_equal(s.factor, "dairy");
	assert_int_equal(s.flare_cycles, 0);
	assert_int_equal(s.cycles, 1);
	assert_int_equal(s.days, 31);
	assert_string_equal(s.text, "possible; a trial of 14 days without it and 14 with it could "
	    "show an effect on your pain or symptoms (simmer experiment start dairy --reintroduce 14)");

	struct analysis_config cfg;
	analysis_config_default(&cfg);
	struct analysis_result ar;
	assert_int_equal(analysis_run(&d.in, &cfg, false, &ar), 0);
	assert_true(experiment_suggest(&d.in, &ar, &f, &s));
	assert_true(s.rate > 0.08 && s.rate < 0.15);
	assert_true(fabs(s.rate_with - 4 * s.rate) < 1e-12);
	assert_true(s.at_risk_share_with < s.at_risk_share);
	assert_int_equal(s.comparisons, 8);
	assert_true(s.flare_cycles >= 1);
	if (s.flare_cycles <= EXPERIMENT_MAX_CYCLES) {
		assert_int_equal(s.cycles, s.flare_cycles);
		assert_non_null(strstr(s.text, "could settle it"));
	} else {
		assert_int_equal(s.cycles, 1);
		assert_non_null(strstr(s.text, "settling its effect on flares alone"));
	}
	/* A weaker association needs more cycles. */
	struct finding weaker = f;
	weaker.rr = 2;
	struct experiment_suggestion w;
	assert_true(experiment_suggest(&d.in, &ar, &weaker, &w));
	assert_true(w.flare_cycles > s.flare_cycles);
	assert_non_null(strstr(w.text, "settling its effect on flares alone would take about"));

	struct finding certain = f;
	certain.q = 0.001;
	certain.ci_lo = 2.0;
	certain.exposed_onsets = 12;
	assert_false(experiment_suggest(&d.in, &ar, &certain, &s));
	certain.exposed_onsets = 7;
	assert_true(experiment_suggest(&d.in, &ar, &certain, &s));
	struct finding protective = f;
	protective.harmful = false;
	assert_false(experiment_suggest(&d.in, &ar, &protective, &s));
	struct finding pair = f;
	pair.kind = FINDING_COMBINATION;
	pair.n_conditions = 2;
	assert_false(experiment_suggest(&d.in, &ar, &pair, &s));
	struct finding symptom = f;
	symptom.conditions[0].factor = 0;
	assert_false(experiment_suggest(&d.in, &ar, &symptom, &s));
	analysis_result_free(&ar);
}

static void
test_quantiles(void **state)
{
	(void)state;
	assert_true(fabs(experiment_normal_quantile(0.975) - 1.959963984540054) < 1e-9);
	assert_true(fabs(experiment_normal_quantile(0.001) + 3.090232306167813) < 1e-9);
	/* scipy.stats.t.ppf values. */
	assert_true(fabs(experiment_t_quantile(0.975, 5) - 2.570581835636314) < 3e-3);
	assert_true(fabs(experiment_t_quantile(0.975, 20) - 2.085963447265837) < 1e-4);
	assert_true(fabs(experiment_t_quantile(0.99875, 19) - 3.481150846764541) < 1e-3);
	assert_true(fabs(experiment_t_quantile(0.99875, 5) - 5.604165479222645) < 0.03);
}

/* The simulator's dairy raises bloating the same day; trials that follow
 * the plan find it in most diaries, and none calls it harmless. */
static void
test_simulated_trials_find_dairy(void **state)
{
	(void)state;
	struct sim_trial t = {SF_DAIRY, 21, 14, 3, 0, 1};
	struct analysis_config cfg;
	analysis_config_default(&cfg);
	int found = 0, cleared = 0, at_lag0 = 0;
	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct sim_diary s;
		assert_int_equal(sim_generate_trial(&s, 180, seed, false, &t), 0);
		struct analysis_result ar;
		assert_int_equal(analysis_run(&s.in, &cfg, false, &ar), 0);
		struct experiment_plan p = plan("dairy", 21, 14, 3);
		p.start_day = s.in.first_day + 180 - 38;
		struct experiment_result r;
		assert_int_equal(experiment_analyze(&s.in, &ar, &p, s.in.first_day + 180, &r), 0);
		found += r.verdict == EXP_V_TRIGGER;
		cleared += r.verdict == EXP_V_NOT;
		for (size_t i = 0; i < r.n_outcomes; i++)
			at_lag0 += r.outcomes[i].harmful && strcmp(r.outcomes[i].name, "bloating") == 0 &&
			    r.outcomes[i].lag_days == 0;
		analysis_result_free(&ar);
		sim_free(&s);
	}
	assert_true(found >= 7);
	assert_true(at_lag0 >= 7);
	assert_int_equal(cleared, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phases_through_the_plan),
		cmocka_unit_test(test_planted_rise_is_a_likely_trigger_at_its_lag),
		cmocka_unit_test(test_harmless_food_is_likely_not),
		cmocka_unit_test(test_too_short_cannot_tell),
		cmocka_unit_test(test_unclear_says_how_many_more_days),
		cmocka_unit_test(test_three_breaks_compromise_the_trial),
		cmocka_unit_test(test_unlogged_days_are_unknown),
		cmocka_unit_test(test_flare_days_leave_the_levels),
		cmocka_unit_test(test_cycles_through_the_plan),
		cmocka_unit_test(test_cycles_are_pooled_into_one_verdict),
		cmocka_unit_test(test_onsets_alone_open_say_how_many_cycles),
		cmocka_unit_test(test_suggest_a_trial_for_an_uncertain_exposure),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_simulated_trials_find_dairy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
