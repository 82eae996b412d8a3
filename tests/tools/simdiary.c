/*
 * simdiary.c: writes a simulated diary (tests/tools/diary_sim.h) as the CSV
 * that `simmer import` reads, ending today (or on --end DAY-NUMBER).
 *   simdiary [--days N] [--seed S] [--null] [--end DAYS_SINCE_1970]
 *            [--trial FACTOR:ELIMINATE:REINTRODUCE:WASHOUT[:BREAKS[:CYCLES]]]
 * With --trial, the diary's last days follow that experiment's plan, and
 * pain and symptoms are logged at 20:00 instead of noon.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tests/tools/diary_sim.h"

int
main(int argc, char **argv)
{
	size_t days = 365;
	uint64_t seed = 1;
	bool null_mode = false;
	long end = (long)(time(NULL) / 86400);
	struct sim_trial trial = {-1, 0, 0, 0, 0, 1};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--days") && i + 1 < argc)
			days = (size_t)atol(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = (uint64_t)atoll(argv[++i]);
		else if (!strcmp(argv[i], "--null"))
			null_mode = true;
		else if (!strcmp(argv[i], "--end") && i + 1 < argc)
			end = atol(argv[++i]);
		else if (!strcmp(argv[i], "--trial") && i + 1 < argc) {
			char name[64];
			int got = sscanf(argv[++i], "%63[a-z_]:%d:%d:%d:%d:%d", name, &trial.eliminate,
			    &trial.reintroduce, &trial.washout, &trial.breaks, &trial.cycles);
			for (int f = 0; f < SF_COUNT && got >= 4; f++)
				if (!strcmp(sim_factors[f].name, name) && sim_factors[f].kind == AK_EVENT)
					trial.factor = f;
			if (trial.factor < 0 || trial.eliminate < 1 || trial.reintroduce < 1 ||
			    trial.washout < 0 || trial.breaks < 0 || trial.cycles < 0) {
				fprintf(stderr, "simdiary: --trial takes EVENT:ELIMINATE:REINTRODUCE:WASHOUT"
				    "[:BREAKS[:CYCLES]]\n");
				return 64;
			}
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc)
			i++; /* only the import format exists */
		else {
			fprintf(stderr, "usage: simdiary [--days N] [--seed S] [--null] [--end DAY] "
			    "[--trial EVENT:E:R:W[:B[:C]]]\n");
			return 64;
		}
	}
	struct sim_diary s;
	if (sim_generate_trial(&s, days, seed, null_mode, trial.factor >= 0 ? &trial : NULL) != 0)
		return 1;
	printf("time,factor,value\n");
	long first = end - (long)days + 1;
	for (size_t d = 0; d < days; d++) {
		if (!s.in.has_entries[d])
			continue;
		/* Noon UTC: the same local day for any offset within +-12 h and a
		 * 04:00 day start. */
		long long t = ((long long)(first + (long)d) * 86400 + 12 * 3600) * 1000;
		for (int f = 0; f < SF_COUNT; f++) {
			double v = s.factors[f].values[d];
			if (!isfinite(v) || (sim_factors[f].kind == AK_EVENT && v == 0) ||
			    (sim_factors[f].kind == AK_FLARE && v == 0))
				continue;
			/* In a trial, pain and symptoms are logged in the evening, after
			 * the day's meals, as a person following the plan would. */
			long long at = t + f;
			if (trial.factor >= 0 && (sim_factors[f].role == AR_OUTCOME ||
			    sim_factors[f].role == AR_SYMPTOM))
				at += 8LL * 3600 * 1000;
			printf("%lld,%s,%g\n", at, sim_factors[f].name, v);
		}
	}
	sim_free(&s);
	return 0;
}
