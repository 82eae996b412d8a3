/*
 * internal.h: what the analysis files share among themselves and with
 * their unit tests; not part of the daemon's view (analysis.h).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_ANALYSIS_INTERNAL_H
#define SIMMER_ANALYSIS_INTERNAL_H

#include "daemon/analysis/analysis.h"

/* Factor indices the load and the forecast read (-1 when absent). */
struct known_factors {
	int pain, flare, sleep_hours, sleep_quality, stress, activity_minutes, activity_rpe;
	int nsaid, late_meal, skipped_meal, dairy, gluten, sugar, alcohol, processed_food;
	int stiffness, fatigue, bloating;
};
void known_factors_find(const struct analysis_input *in, struct known_factors *k);

/* The value of factor f on day d, NAN when f is absent or d out of range. */
double factor_value(const struct analysis_input *in, int f, long d);

/* Whether day d's outcome is known: a pain entry, or a flare marker known
 * there (inside its window); pain and flare are factor indices or -1. */
bool series_outcome_known(const struct analysis_input *in, int pain, int flare, long d);
/* Flare onsets, days inside a flare, and days at risk of an onset. */
void series_flares(const struct analysis_input *in, const struct analysis_config *cfg,
    bool *onset, bool *in_flare, bool *at_risk);

/* 1 when an onset falls on day d+1 or d+2, 0 when not, -1 when unknown
 * (beyond the data, or d+1 already inside a flare). */
int series_target48(const struct analysis_result *r, const struct analysis_input *in, size_t d);

/* Each load component's exponentially weighted daily points, n_days by
 * LC_COUNT row-major; causal: day d uses days <= d only. */
int load_components(const struct analysis_input *in, const struct known_factors *k,
    double *ewma);
/* load[d] = sum of weights times components, clamped to 0-100. */
void load_combine(const double *ewma, size_t n_days, const double *weights, double *load);
/* Personal weights and threshold from days [0, upto]; false when there is
 * not enough history (the priors stay). */
bool load_personalize(const struct analysis_input *in, const struct analysis_config *cfg,
    const struct analysis_result *r, const double *ewma, size_t upto, double *weights,
    double *threshold);

/* A copy of in whose events are 0 inside their observation windows on days
 * with entries and unknown outside (see windows.c); values arrays that
 * needed no change are shared with in. 0, or -1 when out of memory. */
int windows_apply(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_input *out);
void windows_free(const struct analysis_input *in, struct analysis_input *out);

/* Associations with the daily levels of pain and symptoms (levels.c). */
int levels_run(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r);

/* Each treatment's use over the last cfg->treatment_days days. */
void treatments_use(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r);

/* Trigger search over the whole history. */
int triggers_run(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r);

/* The candidate forecasters, fitted on the evenings whose 48-hour outcome
 * is known by the evening of `upto` (forecast.c). */
#define FORECAST_MAX_SIGNS 8
#define FORECAST_MAX_EXPOSURES 8
struct forecast_sign {
	int factor, lag;            /* the evening's value (lag 0) or the one before */
	double mean, sd, slope;     /* slope per unit, >= 0 */
};
struct admitted_exposure {
	int factor, lag, op;        /* op: enum condition_op */
	double cut, rr;             /* rr: in the screen's table */
	unsigned exposed_onsets;
};
/* Evenings 1 to 3 days after a flare's last day are told apart: symptoms
 * stay raised while a flare fades, and another one rarely begins at once. */
#define AFTER_FLARE_DAYS 3
/* FULL_SIGN_HIGH: the part of a warning sign more than SIGN_KNEE spreads
 * above its usual level (forecast.c). */
enum full_input_kind { FULL_SIGN, FULL_SIGN_HIGH, FULL_LOAD, FULL_AFTER_FLARE, FULL_EXPOSURE };
/* One input of the full model: which, its spread over the fit, its
 * standardized weight. */
struct full_input {
	int kind, index;            /* index: a sign, a day after a flare, an exposure */
	double mean, sd, beta;
};
#define FORECAST_MAX_INPUTS (2 * FORECAST_MAX_SIGNS + AFTER_FLARE_DAYS + FORECAST_MAX_EXPOSURES + 1)
struct forecast_model {
	bool fitted;                /* enough history; otherwise every score is 0 */
	size_t n_signs;
	struct forecast_sign signs[FORECAST_MAX_SIGNS];
	/* A sign's usual level by days since a flare (0: longer or never; last: a
	 * flare day). */
	double sign_usual[FORECAST_MAX_SIGNS][AFTER_FLARE_DAYS + 2];
	double load_mean, load_sd, load_slope;
	size_t n_exposures;
	struct admitted_exposure exposures[FORECAST_MAX_EXPOSURES];
	/* The full model: a shrunk logistic fit of the inputs with evidence. */
	size_t n_inputs;
	struct full_input inputs[FORECAST_MAX_INPUTS];
	double intercept;
};
int forecast_fit(const struct analysis_input *in, const struct analysis_config *cfg,
    const struct analysis_result *r, const unsigned char *open, const double *load, size_t upto,
    struct forecast_model *m);
/* Each candidate's score for the evening of day d (log-odds around usual). */
void forecast_scores(const struct analysis_input *in, const struct analysis_result *r,
    const double *load, const struct forecast_model *m, size_t d, double score[FORECASTER_COUNT]);
/* What moves a forecast's log-odds on day d, largest first: each of the
 * simple rule, the load and the full model enters with its weight (the
 * calibration's slope times its share, 0 for a candidate not in it); an
 * input two of them read (a warning sign) is listed once. Only inputs that
 * are present. */
size_t forecast_contributors(const struct analysis_input *in, const struct analysis_result *r,
    const double *load, const struct forecast_model *m, const double weight[FORECASTER_COUNT],
    size_t d, struct contributor *out, size_t max);
int forecast_level(const struct risk_cutoffs *cut, double risk);
/* For each evening, on how many of the two days after it an onset is
 * possible (0-2): a pain-defined onset needs two days below the flare level
 * before it, so the evening after a flare's last high day leaves only the
 * second. open holds n_days. */
void forecast_open_days(const struct analysis_input *in, const struct analysis_config *cfg,
    unsigned char *open);
/* Whether any symptom scale has a value in the diary: without one, the
 * warning-signs forecaster is the person's average rate. */
bool forecast_signs_logged(const struct analysis_input *in);
/* The 48-hour risk before anything can be calibrated: a curve of the load
 * against the threshold. */
double forecast_prior_risk(double load, double threshold);

/* The rolling-origin evaluation of the candidates over the most recent
 * days with entries, their calibration, the choice among them, the alert
 * cut-offs and the forecast for the last day (backtest.c). */
int backtest_run(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r, const double *ewma, bool keep_days);

#endif
