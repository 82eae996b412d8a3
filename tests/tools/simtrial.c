/*
 * simtrial.c: runs simulated trials (tests/tools/diary_sim.h) through the
 * analysis and the experiment comparison, and prints how often each
 * verdict came, for tests/analysis/test_experiment_sim.py.
 *
 *   simtrial FACTOR ELIMINATE REINTRODUCE WASHOUT BREAKS SEEDS [DAYS [CYCLES]]
 *
 * Output: one line per seed, "seed S verdict V lag L outcome O", then
 * "verdicts running R likely_trigger T likely_not N not_enough_data U
 * compromised C".
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <string.h>

#include "daemon/analysis/experiment.h"
#include "tests/tools/diary_sim.h"

int
main(int argc, char **argv)
{
	if (argc < 7) {
		fprintf(stderr, "usage: simtrial FACTOR ELIMINATE REINTRODUCE WASHOUT BREAKS SEEDS "
		    "[DAYS [CYCLES]]\n");
		return 64;
	}
	struct sim_trial t = {-1, atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), 1};
	for (int f = 0; f < SF_COUNT; f++)
		if (strcmp(sim_factors[f].name, argv[1]) == 0 && sim_factors[f].kind == AK_EVENT)
			t.factor = f;
	int seeds = atoi(argv[6]);
	size_t days = argc > 7 ? (size_t)atol(argv[7]) : 180;
	t.cycles = argc > 8 ? atoi(argv[8]) : 1;
	if (t.factor < 0 || seeds < 1 || (size_t)sim_trial_days(&t) > days) {
		fprintf(stderr, "simtrial: FACTOR must be an event of the simulator, and the trial "
		    "shorter than the diary\n");
		return 64;
	}
	struct analysis_config cfg;
	analysis_config_default(&cfg);
	int counts[EXP_V_COMPROMISED + 1] = {0};
	for (int seed = 1; seed <= seeds; seed++) {
		struct sim_diary s;
		if (sim_generate_trial(&s, days, (uint64_t)seed, false, &t) != 0)
			return 1;
		struct analysis_result r;
		if (analysis_run(&s.in, &cfg, false, &r) != 0)
			return 1;
		struct experiment_plan p;
		memset(&p, 0, sizeof p);
		snprintf(p.factor, sizeof p.factor, "%s", argv[1]);
		p.start_day = s.in.first_day + (int32_t)(days - (size_t)sim_trial_days(&t));
		p.eliminate_days = t.eliminate;
		p.reintroduce_days = t.reintroduce;
		p.washout_days = t.washout;
		p.cycles = t.cycles;
		struct experiment_result x;
		int32_t today = s.in.first_day + (int32_t)days;
		if (experiment_analyze(&s.in, &r, &p, today, &x) != 0)
			return 1;
		counts[x.verdict]++;
		int shown = x.primary;
		for (size_t i = 0; i < x.n_outcomes; i++)
			if (x.outcomes[i].harmful)
				shown = (int)i;
		printf("seed %d verdict %s lag %d outcome %s breaks %u\n", seed,
		    experiment_verdict_name(x.verdict), shown >= 0 ? x.outcomes[shown].lag_days : -1,
		    shown >= 0 ? x.outcomes[shown].name : "none", x.breaks);
		analysis_result_free(&r);
		sim_free(&s);
	}
	printf("verdicts");
	for (int v = 0; v <= EXP_V_COMPROMISED; v++)
		printf(" %s %d", experiment_verdict_name(v), counts[v]);
	printf("\n");
	return 0;
}
