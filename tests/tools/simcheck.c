/*
 * simcheck.c: runs the analysis on simulated diaries and prints, as TAP
 * comments and one summary line, what it found against what was planted.
 *
 *   simcheck SEEDS DAYS          planted diaries: recall per effect
 *   simcheck --null SEEDS DAYS   null diaries: false findings
 *
 * Output lines are KEY VALUE pairs that tests/analysis/test_simulated.py
 * reads.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <string.h>

#include "tests/tools/diary_sim.h"
#include "daemon/analysis/stats.h"

static bool
found(const struct analysis_result *r, const struct analysis_input *in, const char *factor,
    const char *other, int lag, bool harmful, int op, bool warning)
{
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		if (f->too_few_onsets || f->harmful != harmful || f->warning_sign != warning)
			continue;
		if (lag >= 0 && f->lag_days != lag)
			continue;
		const char *a = in->factors[f->conditions[0].factor].name;
		if (other != NULL) {
			if (f->kind != FINDING_COMBINATION)
				continue;
			const char *b = in->factors[f->conditions[1].factor].name;
			if (!((strcmp(a, factor) == 0 && strcmp(b, other) == 0) ||
			    (strcmp(b, factor) == 0 && strcmp(a, other) == 0)))
				continue;
			return true;
		}
		if (f->kind == FINDING_COMBINATION || strcmp(a, factor) != 0)
			continue;
		if (op >= 0 && f->conditions[0].op != op)
			continue;
		return true;
	}
	return false;
}

int
main(int argc, char **argv)
{
	bool null_mode = argc > 1 && strcmp(argv[1], "--null") == 0;
	int seeds = argc > 1 + null_mode ? atoi(argv[1 + null_mode]) : 10;
	size_t days = argc > 2 + null_mode ? (size_t)atol(argv[2 + null_mode]) : 365;
	struct analysis_config cfg;
	analysis_config_default(&cfg);
	if (getenv("SIM_MAX_FALSE_PER_30D"))
		cfg.max_false_per_30d = atof(getenv("SIM_MAX_FALSE_PER_30D"));
	int hits[7] = {0};
	int wrong_direction = 0;
	unsigned findings_total = 0, false_findings = 0, diaries_with_false = 0;
	double auc_sum = 0, naive_sum = 0, true_sum = 0, fa_sum = 0, warned_sum = 0;
	int auc_n = 0;
	for (int seed = 1; seed <= seeds; seed++) {
		struct sim_diary s;
		if (sim_generate(&s, days, (uint64_t)seed, null_mode) != 0)
			return 1;
		struct analysis_result r;
		if (analysis_run(&s.in, &cfg, true, &r) != 0)
			return 1;
		const struct analysis_input *in = &s.in;
		hits[0] += found(&r, in, "dairy", NULL, 2, true, -1, false);
		hits[1] += found(&r, in, "sleep_hours", NULL, 1, true, OP_LT, false);
		hits[2] += found(&r, in, "activity_minutes", NULL, 1, true, OP_GE, false);
		hits[3] += found(&r, in, "alcohol", "late_meal", 1, true, -1, false);
		hits[4] += found(&r, in, "omega3", NULL, 1, false, -1, false);
		hits[5] += found(&r, in, "stiffness", NULL, -1, true, -1, true);
		/* A planted effect reported the wrong way round. */
		wrong_direction += found(&r, in, "omega3", NULL, -1, true, -1, false) ||
		    found(&r, in, "dairy", NULL, -1, false, -1, false);
		/* A finding is false when it names only factors with no planted
		 * effect (the combination's parts and correlates count as true). */
		static const char *const planted[] = {"dairy", "sleep_hours", "sleep_quality",
		    "activity_minutes", "activity_rpe", "alcohol", "late_meal", "omega3", "stiffness",
		    "fatigue", "bloating"};
		unsigned false_here = 0, reported = 0;
		for (size_t i = 0; i < r.n_findings; i++) {
			if (r.findings[i].too_few_onsets)
				continue;
			reported++;
			bool any_true = false;
			for (size_t c = 0; c < r.findings[i].n_conditions; c++) {
				const char *name = in->factors[r.findings[i].conditions[c].factor].name;
				for (size_t p = 0; p < sizeof planted / sizeof planted[0]; p++)
					any_true |= !null_mode && strcmp(name, planted[p]) == 0;
			}
			false_here += !any_true;
		}
		findings_total += reported;
		false_findings += false_here;
		diaries_with_false += false_here > 0;
		/* Forecast quality: backtest AUC against yesterday's stiffness and
		 * against the simulator's own risk, on the same evenings. */
		size_t m = 0;
		double *bt = malloc(r.n_backtest * sizeof *bt), *naive = malloc(r.n_backtest * sizeof *naive);
		double *truth = malloc(r.n_backtest * sizeof *truth);
		bool *label = malloc(r.n_backtest * sizeof *label);
		for (size_t i = 0; i < r.n_backtest; i++) {
			if (r.backtest[i].outcome < 0)
				continue;
			size_t d = (size_t)(r.backtest[i].day - in->first_day);
			bt[m] = r.backtest[i].risk;
			naive[m] = d >= 1 ? s.factors[SF_STIFFNESS].values[d - 1] : NAN;
			truth[m] = s.true_risk[d];
			label[m++] = r.backtest[i].outcome == 1;
		}
		double a = stats_auc(bt, label, m), b = stats_auc(naive, label, m), c = stats_auc(truth, label, m);
		if (isfinite(a) && isfinite(b) && isfinite(c)) {
			auc_sum += a;
			naive_sum += b;
			true_sum += c;
			auc_n++;
		}
		fa_sum += r.summary.false_alarms_per_30d;
		warned_sum += isfinite(r.summary.share_warned) ? r.summary.share_warned : 0;
		free(bt);
		free(naive);
		free(truth);
		free(label);
		analysis_result_free(&r);
		sim_free(&s);
	}
	printf("seeds %d\ndays %zu\nnull %d\n", seeds, days, null_mode);
	static const char *const names[] = {"dairy_lag2", "sleep_lt_lag1", "activity_ge_lag1",
	    "alcohol_late_meal_combo", "omega3_protective", "stiffness_warning"};
	for (int i = 0; i < 6; i++)
		printf("recall_%s %.3f\n", names[i], (double)hits[i] / seeds);
	printf("wrong_direction_per_diary %.3f\n", (double)wrong_direction / seeds);
	printf("findings_per_diary %.3f\n", (double)findings_total / seeds);
	printf("false_findings_per_diary %.3f\n", (double)false_findings / seeds);
	printf("false_discovery_proportion %.3f\n",
	    findings_total ? (double)false_findings / findings_total : 0.0);
	printf("diaries_with_false_findings %.3f\n", (double)diaries_with_false / seeds);
	printf("auc_backtest %.3f\nauc_naive_stiffness %.3f\nauc_true_model %.3f\n",
	    auc_n ? auc_sum / auc_n : NAN, auc_n ? naive_sum / auc_n : NAN, auc_n ? true_sum / auc_n : NAN);
	printf("false_alarms_per_30d %.3f\nshare_onsets_warned %.3f\n", fa_sum / seeds, warned_sum / seeds);
	return 0;
}
