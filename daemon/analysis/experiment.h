/*
 * experiment.h: a personal elimination and reintroduction trial of one
 * exposure, as pure functions over the analysis's daily arrays.
 *
 * A plan is a factor, a first day and three phases: `eliminate_days`
 * without the factor, `reintroduce_days` with it, then `washout_days`
 * without it again, watching for effects that come a few days late. The
 * first two may repeat (`cycles`: without, with, without, with, ...) and
 * every cycle's days are pooled into one comparison: an effect on flare
 * onsets, which a few weeks hold few of, needs more days with the factor
 * than one reintroduction gives, and alternating keeps a slow drift in
 * the person's health from passing for an effect. From
 * the plan and a day, experiment_phase() says where the trial stands; from
 * the diary, experiment_analyze() says which elimination days broke the plan
 * and, for each outcome the person tracks (pain, each symptom scale, flare
 * onsets), how the days after the factor differ from the days without it:
 * the difference in points (or in the daily chance of an onset), a 95%
 * interval from Newey-West standard errors (stats_ols_hac: days follow each
 * other and a bad week is not seven independent bad days), the lag 0-3 at
 * which it is largest, and a verdict in words.
 *
 * No I/O, no clock: today is an argument.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_ANALYSIS_EXPERIMENT_H
#define SIMMER_ANALYSIS_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/analysis/analysis.h"

/* The defaults for a food: two weeks without it, four days with it, three
 * days of watching for delayed effects: three weeks in all. */
#define EXPERIMENT_DEFAULT_ELIMINATE 14
#define EXPERIMENT_DEFAULT_REINTRODUCE 4
#define EXPERIMENT_DEFAULT_WASHOUT 3
/* The longest phases a plan may have: longer trials are several trials. */
#define EXPERIMENT_MAX_ELIMINATE 180
#define EXPERIMENT_MAX_REINTRODUCE 60
#define EXPERIMENT_MAX_WASHOUT 14
/* Cycles of elimination and reintroduction in one plan. */
#define EXPERIMENT_DEFAULT_CYCLES 1
#define EXPERIMENT_MAX_CYCLES 6
/* The eliminations broken on this many days per cycle make the result
 * compromised. */
#define EXPERIMENT_COMPROMISED_BREAKS 3
/* Break days listed by date (the count is always complete). */
#define EXPERIMENT_MAX_BREAK_DAYS 16
/* Outcomes compared: pain, the symptom scales, flare onsets. */
#define EXPERIMENT_MAX_OUTCOMES 8
/* Lags tested: the day of the factor and up to three days later. */
#define EXPERIMENT_MAX_LAG 3

struct experiment_plan {
	int64_t id;
	char factor[ANALYSIS_NAME_MAX + 1];
	int32_t start_day;          /* days since 1970-01-01 */
	int eliminate_days, reintroduce_days, washout_days;
	int cycles;                 /* of elimination and reintroduction; 0 counts as 1 */
	bool stopped;
	int32_t stopped_day;        /* the last day of one stopped early */
	int64_t created_ms, stopped_ms;
};

/* The plan's cycles (1 when it says 0). */
int experiment_cycles(const struct experiment_plan *p);
/* The trial's last planned day. */
int32_t experiment_end_day(const struct experiment_plan *p);
/* The last day it covers: the planned end, or the day it was stopped. */
int32_t experiment_last_day(const struct experiment_plan *p);

enum experiment_phase {
	EXP_PLANNED,        /* starts on a later day */
	EXP_ELIMINATE,
	EXP_REINTRODUCE,
	EXP_WASHOUT,
	EXP_FINISHED,
	EXP_STOPPED,
};
const char *experiment_phase_name(int phase);

struct experiment_position {
	int phase;                  /* enum experiment_phase */
	int day_of_phase, phase_days;   /* 1-based, while running */
	int cycle;                  /* 1-based, while running; the washout is in the last */
	int day_of_trial, trial_days;
	int32_t phase_end_day;      /* the last day of the current phase */
	char text[160];             /* "day 9 of 14 without dairy: leave it out" */
};
void experiment_phase(const struct experiment_plan *p, int32_t today,
    struct experiment_position *out);

enum experiment_verdict {
	EXP_V_RUNNING,          /* the trial is not over: no verdict yet */
	EXP_V_TRIGGER,          /* likely a trigger */
	EXP_V_NOT,              /* likely not a trigger */
	EXP_V_UNCLEAR,          /* not enough data */
	EXP_V_COMPROMISED,      /* the elimination was broken too often */
};
const char *experiment_verdict_name(int verdict);

struct experiment_outcome {
	char name[ANALYSIS_NAME_MAX + 1];   /* "pain", "bloating", "flare onsets" */
	bool onsets;                /* a daily 0/1: did a flare begin */
	bool tested;                /* enough days with and without at some lag */
	char why_not[96];           /* when not tested */
	int lag_days;               /* the lag with the clearest difference, chosen */
	double with_mean, without_mean;     /* on days lag_days after days with / without */
	double effect, lo, hi;      /* with minus without, and its 95% interval */
	double se;                  /* the larger of se_hac and se_ols, used */
	double se_hac, se_ols;      /* Newey-West, and ordinary least squares */
	unsigned days, with_days;
	bool harmful;               /* clearly worse with it, after paying for the search */
};

struct experiment_result {
	struct experiment_position pos;
	int32_t first_day, last_day;        /* the days compared (up to today) */
	unsigned days_known;        /* days in them with any entry */
	unsigned breaks;            /* elimination days with the factor logged */
	int32_t break_days[EXPERIMENT_MAX_BREAK_DAYS];
	unsigned reintroduced_days; /* reintroduction days with it logged */
	unsigned reintroduce_missed;/* reintroduction days with entries but not it */
	size_t n_outcomes;
	struct experiment_outcome outcomes[EXPERIMENT_MAX_OUTCOMES];
	int primary;                /* index of the outcome the "likely not" rests on, or -1 */
	bool onsets_open;           /* flare onsets could not be bounded: "likely not"
	                             * speaks of the levels only, and says so */
	int verdict;                /* enum experiment_verdict */
	int more_days;              /* for EXP_V_UNCLEAR: about this many more days */
	/* When flare onsets keep the verdict open (or "likely not" speaks of
	 * the levels only): the person's own daily chance of an onset on a day
	 * at risk, the cycles of this plan (in all) after which a rise of 0.1
	 * in it would be found 4 times in 5, and the cycles done. 0 cycles
	 * when there is nothing to say it from. */
	double onset_rate;
	int cycles_needed, cycles_done;
	/* What it was computed from: the days at risk compared for onsets (at
	 * the lag with the most days after the factor) and those after it. */
	unsigned onset_days, onset_with_days;
	int comparisons;            /* (outcome, lag) pairs the search paid for */
	char verdict_text[1024];
};

/*
 * Compares the trial's days with and without the factor. in is the
 * analysis input (its days may end before today); r, when not NULL, is the
 * analysis of it, whose flares give the onsets (and whose flare days are
 * left out of the levels: flares are an outcome of their own). The days
 * compared run from the plan's first day to its last, or to today while it
 * runs. The exposure is what was logged, not what was planned: a day in the
 * elimination with the factor logged counts as a day with it, and is listed
 * as a break. 0, or -1 when out of memory or the factor is not in the input
 * (then nothing but the position and verdict_text is filled).
 */
int experiment_analyze(const struct analysis_input *in, const struct analysis_result *r,
    const struct experiment_plan *p, int32_t today, struct experiment_result *out);

/* A trial suggested under a trigger finding, of EXPERIMENT_SUGGEST_DAYS
 * days without and as many with the factor, `cycles` times over. */
#define EXPERIMENT_SUGGEST_DAYS 14
struct experiment_suggestion {
	char factor[ANALYSIS_NAME_MAX + 1];
	int cycles;                 /* of the plan suggested, 1-EXPERIMENT_MAX_CYCLES */
	int days;                   /* its length, washout included */
	/* What settling its effect on flares alone would take: the person's
	 * daily chance of an onset on a day at risk, that chance on a day after
	 * the factor (times the finding's rate ratio), the share of days at
	 * risk in the diary and while it is had every day (more flares leave
	 * fewer), the comparisons, and the
	 * cycles after which the rise would be found 4 times in 5 (0 when
	 * there is nothing to say it from; up to 99). */
	double rate, rate_with, at_risk_share, at_risk_share_with;
	int comparisons;            /* (outcome, lag) pairs the trial would pay for */
	int flare_cycles;
	char text[320];
};

/*
 * Whether a finding is worth a trial, and the plan and words for it: a
 * harmful finding of one exposure present or not (not a dose, not a pair,
 * not a symptom), that is not quite certain (q above 0.01, the rate
 * ratio's interval starting at 1.5 or less, or fewer than 8 flares after
 * it). The findings are about flares, which a trial of weeks holds few
 * of: the cycles suggested are those that would find the finding's own
 * rate ratio 4 times in 5 (the comparison experiment_analyze makes, paid
 * for over pain, each symptom scale and onsets at four lags), or, when
 * that is more than a plan holds, the suggestion says so. r may be NULL
 * (then no figure for flares). Everything that shows findings (`simmer
 * triggers`, its JSON, the report) takes the suggestion from here.
 */
bool experiment_suggest(const struct analysis_input *in, const struct analysis_result *r,
    const struct finding *f, struct experiment_suggestion *out);

/* The standard normal's quantile (1.96 for 0.975). */
double experiment_normal_quantile(double p);
/* Student's t quantile for df degrees of freedom (the Cornish-Fisher
 * expansion: for p up to 0.9995, within 0.5% of the exact value at 5
 * degrees of freedom, the fewest a compared lag has, and within 0.06% from
 * 8 on). */
double experiment_t_quantile(double p, double df);

#endif
