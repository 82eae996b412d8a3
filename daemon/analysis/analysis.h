/*
 * analysis.h: simmer's analysis, as pure functions over daily arrays.
 *
 * In: one value per day per factor (NAN when not logged), which days have
 * any entry, and each factor's kind and role. An event not logged on a day
 * inside its observation window counts as absent; outside it, as unknown. Out: flare onsets, the daily
 * inflammation load and the person's threshold, trigger findings with
 * honest statistics, the 48-hour forecast with its contributors, and a
 * backtest. No I/O, no clock, no SQLite: the daemon builds the input from
 * its rollup and packs the result.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_ANALYSIS_ANALYSIS_H
#define SIMMER_ANALYSIS_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ANALYSIS_NAME_MAX 32

/* The factor kinds and roles, as the catalog numbers them. */
enum analysis_kind { AK_SCALE, AK_HOURS, AK_MINUTES, AK_EVENT, AK_FLARE, AK_COUNT };
enum analysis_role { AR_EXPOSURE, AR_SYMPTOM, AR_OUTCOME, AR_RED_FLAG, AR_TREATMENT };

struct analysis_factor {
	char name[ANALYSIS_NAME_MAX + 1];
	int kind;            /* enum analysis_kind */
	int role;            /* enum analysis_role */
	double *values;      /* n_days values, NAN when unknown */
	double *first_ms;    /* n_days: UTC milliseconds of the day's first entry
	                      * of it, NAN when none; NULL when times are unknown */
};

struct analysis_input {
	int32_t first_day;   /* days since 1970-01-01 of values[0] */
	size_t n_days;
	bool *has_entries;   /* n_days: any entry that day */
	size_t n_factors;
	struct analysis_factor *factors;
	int32_t today;       /* the calendar's today (days since 1970-01-01): past
	                      * the last day when the diary has gone quiet */
};

/* The longest delay between an exposure and an onset that is looked at. */
#define ANALYSIS_MAX_LAG 7

struct analysis_config {
	double flare_pain_level;    /* 7: pain at or over it starts a flare */
	int max_lag_days;           /* 3, at most ANALYSIS_MAX_LAG */
	double q_max;               /* 0.10: findings reported at or under it */
	unsigned min_exposed_onsets;/* 3: fewer and a finding is "not enough data" */
	unsigned min_days;          /* 28: days with entries before personal values */
	unsigned min_flares;        /* 3: flare onsets before personal values */
	double prior_threshold;     /* 60: load threshold until one is learned */
	double max_false_per_30d;   /* 1: the false-alarm budget the cut-offs keep */
	double ridge_lambda;        /* 2.0: the load weights' penalty */
	int refit_every_days;       /* 7: days with entries between refits */
	size_t backtest_max_days;   /* 730: days with entries the backtest covers */
	size_t treatment_days;      /* 30: treatment use is counted over these days */
	int stale_days;             /* 2: with no entry for longer, results are
	                             * as of the last entry and raise no alerts */
	double window_gap_days;     /* 14: a longer gap without an entry of a
	                             * factor is outside its observation window */
};
void analysis_config_default(struct analysis_config *cfg);

/* Levels. */
enum analysis_level { LEVEL_OK, LEVEL_WATCH, LEVEL_WARNING };
const char *analysis_level_name(int level);

/* Load components, also the forecast's contributors. */
enum load_component {
	LC_SLEEP, LC_STRESS, LC_ACTIVITY, LC_RECOVERY, LC_NSAID, LC_MEALS, LC_FOODS, LC_GUT,
	LC_COUNT,
};
const char *load_component_name(int c);

struct contributor {
	char factor[ANALYSIS_NAME_MAX + 1];
	double contribution;        /* log-odds; positive raises the risk */
	char source[16];            /* "finding", "warning sign", "load", "flare history" */
	char detail[96];
};

/* The forecasters a backtest chooses among (forecast.c); the combined one
 * is the simple rule and the full model averaged on the log-odds scale. */
enum forecaster {
	FORECASTER_SIMPLE, FORECASTER_LOAD, FORECASTER_FULL, FORECASTER_COMBINED, FORECASTER_COUNT
};
const char *forecaster_name(int which);

/* Risk alert cut-offs chosen from the backtest under the false-alarm
 * budget; alerts is false when none has skill, and note says why. */
struct risk_cutoffs {
	bool alerts;
	double watch, warning;      /* calibrated 48-hour risks */
	double budget;              /* false alarms per 30 evenings they were chosen for */
	char note[256];
};

#define ANALYSIS_MAX_CONDITIONS 2
#define ANALYSIS_MAX_OVERLAPS 4

enum finding_kind { FINDING_SINGLE, FINDING_THRESHOLD, FINDING_COMBINATION };
enum condition_op { OP_PRESENT, OP_LT, OP_GE };

struct condition {
	int factor;                 /* index into input factors */
	int op;                     /* enum condition_op */
	double value;
};

struct finding {
	int kind;                   /* enum finding_kind */
	size_t n_conditions;
	struct condition conditions[ANALYSIS_MAX_CONDITIONS];
	int lag_days;
	bool harmful;
	bool warning_sign;          /* a symptom rising before onsets */
	bool too_few_onsets;        /* significant, but fewer exposed onsets than needed */
	double rr, ci_lo, ci_hi, p, q;
	unsigned exposed_onsets, exposed_days;
	size_t n_overlaps;
	int overlaps[ANALYSIS_MAX_OVERLAPS]; /* factor indices */
};

/* An exposure associated with the daily level of pain or a symptom scale
 * (levels.c): effect in points on the outcome's scale, on days with the
 * event (or per unit of a numeric factor), lag_days later. step is the
 * round amount of a numeric factor near its spread that the effect is best
 * stated per (1 for an event). */
struct level_finding {
	int outcome, factor;        /* input factor indices */
	int lag_days;               /* the best of the lags tested, chosen */
	bool per_unit;
	double step;
	double effect, lo, hi;      /* points, 95% Newey-West interval */
	double p, q;
	unsigned days, exposed_days;
};

/* A treatment's use over the last treatment_days days (days_known: days
 * inside its observation window). */
struct treatment_use {
	int factor;
	unsigned days_used, days_known;
};

struct backtest_day {
	int32_t day;
	double risk, load;
	int level;
	int outcome;                /* 1 onset within 48 h, 0 not, -1 unknown */
	double candidate[FORECASTER_COUNT]; /* each candidate's calibrated risk */
};

/* Onsets a backtest needs before its figures are worth judging. */
#define BACKTEST_MIN_ONSETS 5
#define CALIBRATION_BINS 6

struct calibration_bin {
	double predicted, observed;
	size_t days;
};

struct backtest_summary {
	double auc;                 /* NAN when undefined */
	double baseline_auc;        /* the simple rule's, on the same evenings */
	double brier, brier_reference; /* the forecast's, and the diary's base rate's */
	double log_loss, baseline_log_loss;
	size_t n_calibration;
	struct calibration_bin calibration[CALIBRATION_BINS];
	unsigned onsets, onsets_warned;
	double share_warned;        /* NAN without onsets */
	double median_lead_days;    /* NAN without warned onsets */
	double false_alarms_per_30d;
	size_t days;
};

struct analysis_result {
	/* Coverage. */
	int32_t first_day, last_day;
	int32_t last_entry_day;     /* the newest day with an entry */
	bool stale;                 /* today is more than stale_days after it */
	size_t days_with_entries;
	unsigned flares;
	bool enough_data;
	char message[200];

	/* Series. */
	size_t n_days;
	bool *onset, *in_flare, *at_risk;
	double *load;               /* 0-100 per day */
	double threshold;
	bool threshold_personal;
	double weights[LC_COUNT];
	bool weights_personal;

	/* Triggers. */
	size_t tested;
	size_t n_findings;
	struct finding *findings;

	/* Daily levels (their own false-discovery family). */
	size_t levels_tested;
	size_t n_levels;
	struct level_finding *levels;
	/* Pain below the flare level on each of the last flare_level_days days
	 * with a pain entry: a personal level to consider instead. */
	bool flare_level_unreached;
	unsigned flare_level_days;
	double suggested_flare_level;

	/* Treatments used over the last treatment_days days of the diary. */
	unsigned treatment_days;
	size_t n_treatments;
	struct treatment_use treatments[8];

	/* Forecast for the last day. */
	int32_t forecast_day;
	double risk, forecast_load;
	int level;
	int model;                  /* enum forecaster in use */
	bool signs_logged;          /* any symptom scale has a value */
	bool calibrated;            /* risk comes from a calibrated backtest */
	/* Days of the next two on which an onset can be counted: 0 while a
	 * flare is under way (pain at the flare level today). */
	int open_days;
	struct risk_cutoffs cutoffs;
	size_t n_contributors;
	struct contributor contributors[12];

	/* Backtest. */
	size_t n_backtest;
	struct backtest_day *backtest;
	struct backtest_summary summary;
};

/* Runs everything. The forecast is always validated on the past; with
 * with_backtest off its day records and summary are not kept. 0, or -1 when
 * out of memory. */
int analysis_run(const struct analysis_input *in, const struct analysis_config *cfg,
    bool with_backtest, struct analysis_result *out);
void analysis_result_free(struct analysis_result *r);

/* Index of a factor by name, or -1. */
int analysis_find_factor(const struct analysis_input *in, const char *name);

#endif
