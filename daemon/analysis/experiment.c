/*
 * experiment.c: where a personal trial stands, and what its days show (see
 * experiment.h).
 *
 * The comparison is a regression of each day's outcome on whether the
 * factor was logged lag_days before (0 to 3), over the trial's days (every
 * cycle's, pooled): with a 0/1 exposure its slope is the difference of the
 * two means. Its standard error is Newey-West's (stats_ols_hac, the
 * estimator levels.c uses), with a tenth of the days compared as lags, 3 to
 * 7: a trial of one cycle is a few weeks, and a longer window than the
 * delays tested would leave almost nothing to estimate it from, while a
 * pooled trial of months can afford the week of lags over which a flare,
 * its recovery and its warning signs move the levels together.
 * A trial has only a handful of days with the factor, and from so few the
 * Newey-West estimate is itself unsteady and mostly too small (it leans on
 * the residuals of those few days); so the error used is the larger of it
 * and the ordinary least-squares one, which pools every day's residual,
 * and intervals take Student's t with n - 2 degrees of freedom.
 *
 * Picking the clearest of four lags and of several outcomes is a search,
 * and it is paid for: "likely a trigger" needs the interval widened for
 * every (outcome, lag) pair tested (Bonferroni) to stay above zero. "Likely
 * not" needs the main outcome's plain 95% interval to stay under a change a
 * person would notice (EXPERIMENT_MARGIN_POINTS on a 0-10 scale; for flare
 * onsets, one more onset in ten days) at every lag. Anything between is
 * "not enough data", with about how many more days of the same plan would
 * make the interval narrow enough to say one or the other. When flare
 * onsets alone keep it open, those days come from a power calculation on
 * the person's own onset rate instead (onset_power): a trial's handful of
 * onsets says too little about their own spread.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/experiment.h"
#include "daemon/analysis/stats.h"

/* Newey-West lags: the delays the trial looks at. */
#define EXPERIMENT_HAC_LAGS 3
#define EXPERIMENT_HAC_LAGS_MAX 7
/* Fewest days with, and without, the factor at a lag, and in all. */
#define EXPERIMENT_MIN_GROUP_DAYS 3
#define EXPERIMENT_MIN_DAYS 7
/* A change smaller than this is one a person would hardly notice: three
 * quarters of the 2 points (or 30%) usually taken as a meaningful change
 * in pain on a 0-10 scale. On both simulators 1.0 cleared harmless foods
 * half as often for no gain, and 2.0 cleared real triggers more often
 * (README, "Two choices"). */
#define EXPERIMENT_MARGIN_POINTS 1.5
/* For flare onsets: one more onset in ten days. */
#define EXPERIMENT_MARGIN_ONSETS 0.1
/* Days at risk before a trial from which the person's onset rate is taken
 * (else from the trial's days without the factor). */
#define EXPERIMENT_RATE_MIN_DAYS 28
/* "More days" beyond this is said as "more than a year". */
#define EXPERIMENT_MAX_MORE_DAYS 365


int
experiment_cycles(const struct experiment_plan *p)
{
	return p->cycles > 1 ? p->cycles : 1;
}

int32_t
experiment_end_day(const struct experiment_plan *p)
{
	return p->start_day + experiment_cycles(p) * (p->eliminate_days + p->reintroduce_days) +
	    p->washout_days - 1;
}

/* The phase a day of the trial belongs to (k: 0-based day of the trial,
 * inside it), its cycle (0-based) and the 0-based day of that phase. */
static int
phase_of_day(const struct experiment_plan *p, int k, int *cycle, int *day_of_phase)
{
	int e = p->eliminate_days, r = p->reintroduce_days, n = experiment_cycles(p);
	if (k >= n * (e + r)) {
		*cycle = n - 1;
		*day_of_phase = k - n * (e + r);
		return EXP_WASHOUT;
	}
	*cycle = k / (e + r);
	int j = k % (e + r);
	*day_of_phase = j < e ? j : j - e;
	return j < e ? EXP_ELIMINATE : EXP_REINTRODUCE;
}

int32_t
experiment_last_day(const struct experiment_plan *p)
{
	int32_t end = experiment_end_day(p);
	return p->stopped && p->stopped_day < end ? p->stopped_day : end;
}

const char *
experiment_phase_name(int phase)
{
	static const char *const names[] = {
		[EXP_PLANNED] = "planned", [EXP_ELIMINATE] = "eliminate",
		[EXP_REINTRODUCE] = "reintroduce", [EXP_WASHOUT] = "washout",
		[EXP_FINISHED] = "finished", [EXP_STOPPED] = "stopped",
	};
	return phase >= 0 && phase <= EXP_STOPPED ? names[phase] : "unknown";
}

const char *
experiment_verdict_name(int verdict)
{
	static const char *const names[] = {
		[EXP_V_RUNNING] = "running", [EXP_V_TRIGGER] = "likely_trigger",
		[EXP_V_NOT] = "likely_not", [EXP_V_UNCLEAR] = "not_enough_data",
		[EXP_V_COMPROMISED] = "compromised",
	};
	return verdict >= 0 && verdict <= EXP_V_COMPROMISED ? names[verdict] : "unknown";
}

void
experiment_phase(const struct experiment_plan *p, int32_t today, struct experiment_position *out)
{
	memset(out, 0, sizeof *out);
	int e = p->eliminate_days, r = p->reintroduce_days, w = p->washout_days;
	int cycles = experiment_cycles(p);
	out->trial_days = cycles * (e + r) + w;
	int k = today - p->start_day;   /* 0-based day of the trial */
	const char *f = p->factor;
	if (p->stopped && today > p->stopped_day) {
		out->phase = EXP_STOPPED;
		int covered = p->stopped_day - p->start_day + 1;
		out->day_of_trial = covered < 0 ? 0 : covered;
		snprintf(out->text, sizeof out->text, "the trial of %s was stopped after %d of its %d "
		    "days", f, out->day_of_trial, out->trial_days);
		return;
	}
	if (k < 0) {
		out->phase = EXP_PLANNED;
		out->phase_end_day = p->start_day - 1;
		snprintf(out->text, sizeof out->text, "the trial of %s starts in %d day%s: from then "
		    "on, leave %s out for %d days", f, -k, k == -1 ? "" : "s", f, e);
		return;
	}
	if (k >= out->trial_days) {
		out->phase = EXP_FINISHED;
		out->day_of_trial = out->trial_days;
		snprintf(out->text, sizeof out->text, "the trial of %s is over (%d days)", f,
		    out->trial_days);
		return;
	}
	out->day_of_trial = k + 1;
	int cycle, j;
	out->phase = phase_of_day(p, k, &cycle, &j);
	out->cycle = cycle + 1;
	out->day_of_phase = j + 1;
	out->phase_days = out->phase == EXP_ELIMINATE ? e : out->phase == EXP_REINTRODUCE ? r : w;
	/* "cycle 2 of 3, " before the day, when the plan repeats. */
	char which[48] = "";
	if (cycles > 1 && out->phase != EXP_WASHOUT)
		snprintf(which, sizeof which, "cycle %d of %d, ", cycle + 1, cycles);
	if (out->phase == EXP_ELIMINATE)
		snprintf(out->text, sizeof out->text, "%sday %d of %d without %s: leave it out, and "
		    "log as usual", which, j + 1, e, f);
	else if (out->phase == EXP_REINTRODUCE)
		snprintf(out->text, sizeof out->text, "%sday %d of %d with %s again: have it each "
		    "day, and log it", which, j + 1, r, f);
	else
		snprintf(out->text, sizeof out->text, "day %d of %d without %s again: leave it out "
		    "while simmer watches for late effects", j + 1, w, f);
	out->phase_end_day = today + out->phase_days - 1 - j;
}

/* Acklam's rational approximation of the standard normal quantile, refined
 * by one Newton step on erfc: accurate to about 1e-12. */
double
experiment_normal_quantile(double p)
{
	if (!(p > 0 && p < 1))
		return p <= 0 ? -INFINITY : INFINITY;
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
	    -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
	    -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
	    -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	    2.445134137142996e+00, 3.754408661907416e+00};
	double x, q, r;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p > 1 - 0.02425) {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	double e = 0.5 * erfc(-x / sqrt(2.0)) - p;
	double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

double
experiment_t_quantile(double p, double df)
{
	double z = experiment_normal_quantile(p);
	if (!isfinite(z) || !(df > 0))
		return z;
	/* The Cornish-Fisher expansion of Student's t in powers of 1/df. */
	double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
	double g1 = (z3 + z) / 4;
	double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
	double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
	double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
	return z + g1 / df + g2 / (df * df) + g3 / (df * df * df) + g4 / (df * df * df * df);
}

/* What the analysis of one outcome needs besides the input. */
struct outcome_source {
	int factor;                 /* input index of a scale, or -1 for onsets */
	const struct analysis_result *r;    /* onsets and flare days, or NULL */
	int pain, flare;            /* for whether an onset day is known */
};

static double
outcome_value(const struct analysis_input *in, const struct outcome_source *src, size_t d)
{
	const struct analysis_result *r = src->r;
	/* Levels inside a flare are the flare's: flares are their own outcome. */
	if (src->factor >= 0)
		return r != NULL && r->in_flare[d] ? NAN : in->factors[src->factor].values[d];
	bool known = (src->pain >= 0 && isfinite(in->factors[src->pain].values[d])) ||
	    (src->flare >= 0 && isfinite(in->factors[src->flare].values[d]));
	/* Only a day at risk can see an onset. */
	if (!known || (r->in_flare[d] && !r->onset[d]))
		return NAN;
	return r->onset[d] ? 1.0 : 0.0;
}

/* The first entry's time of the outcome on day d, NAN when not known. */
static double
outcome_first_ms(const struct analysis_input *in, const struct outcome_source *src, size_t d)
{
	int f = src->factor >= 0 ? src->factor : src->pain;
	if (f < 0 || in->factors[f].first_ms == NULL)
		return NAN;
	return in->factors[f].first_ms[d];
}

struct lag_fit {
	bool ok;
	double effect, se, se_hac, se_ols, with_mean, without_mean;
	unsigned days, with_days;
};

/* One lag: rows are the trial's days whose outcome and lagged exposure are
 * known. */
static void
fit_lag(const struct analysis_input *in, const struct outcome_source *src, const double *x_day,
    const double *x_first_ms, long first, long last, int lag, double *x, double *y,
    struct lag_fit *out)
{
	memset(out, 0, sizeof *out);
	size_t n = 0, with = 0;
	double sum_with = 0, sum_without = 0;
	for (long d = first; d <= last; d++) {
		long e = d - lag;
		if (d < 0 || e < 0 || (size_t)d >= in->n_days)
			continue;
		double yv = outcome_value(in, src, (size_t)d), xv = x_day[e];
		if (!isfinite(yv) || !isfinite(xv))
			continue;
		/* Logged after the outcome it would explain: it may have followed it. */
		double yt = outcome_first_ms(in, src, (size_t)d);
		if (lag == 0 && xv > 0 && isfinite(yt) && isfinite(x_first_ms[e]) &&
		    x_first_ms[e] > yt)
			continue;
		x[n] = xv;
		y[n] = yv;
		if (xv > 0) {
			with++;
			sum_with += yv;
		} else {
			sum_without += yv;
		}
		n++;
	}
	out->days = (unsigned)n;
	out->with_days = (unsigned)with;
	if (n < EXPERIMENT_MIN_DAYS || with < EXPERIMENT_MIN_GROUP_DAYS ||
	    n - with < EXPERIMENT_MIN_GROUP_DAYS)
		return;
	struct stats_slope s;
	size_t hac_lags = n / 10;
	if (hac_lags < EXPERIMENT_HAC_LAGS)
		hac_lags = EXPERIMENT_HAC_LAGS;
	if (hac_lags > EXPERIMENT_HAC_LAGS_MAX)
		hac_lags = EXPERIMENT_HAC_LAGS_MAX;
	if (stats_ols_hac(x, y, n, hac_lags, &s) != 0)
		return;
	out->se_hac = s.se;
	out->se_ols = s.se_iid;
	out->se = s.se > out->se_ols ? s.se : out->se_ols;
	if (!(out->se > 0))
		return;
	out->ok = true;
	out->effect = s.slope;
	out->with_mean = sum_with / (double)with;
	out->without_mean = sum_without / (double)(n - with);
}

/* Fills one outcome from its four lags (each lag's fit in fits); returns
 * how many lags were tested, sets *worst_hi to the highest 95% upper bound
 * over them and *any_rise when some lag's 95% interval lies above zero, or,
 * for flare onsets, when some lag saw them begin more often after the
 * factor: a trial is too short to bound an effect on onsets, so "likely
 * not" needs at least that no lag points that way. Asking only for an
 * interval above zero would clear harmless foods about twice as often, but
 * on the independent simulator it called a trigger acting on onsets alone
 * "likely not" in 5 of 40 pooled trials instead of none (README). */
static int
analyze_outcome(const struct analysis_input *in, const struct outcome_source *src,
    const double *x_day, const double *x_first_ms, long first, long last, double *x, double *y,
    struct experiment_outcome *o, struct lag_fit *fits, double *worst_hi, bool *any_rise)
{
	int tested = 0;
	double best_z = -1;
	unsigned most_with = 0;
	bool any_variation = false;
	*worst_hi = -INFINITY;
	*any_rise = false;
	for (int lag = 0; lag <= EXPERIMENT_MAX_LAG; lag++) {
		struct lag_fit fit;
		fit_lag(in, src, x_day, x_first_ms, first, last, lag, x, y, &fit);
		fits[lag] = fit;
		if (fit.with_days > most_with)
			most_with = fit.with_days;
		any_variation |= fit.days > 0 && fit.with_days >= EXPERIMENT_MIN_GROUP_DAYS;
		if (!fit.ok)
			continue;
		tested++;
		double t95 = experiment_t_quantile(0.975, (double)fit.days - 2);
		double hi = fit.effect + t95 * fit.se;
		if (hi > *worst_hi)
			*worst_hi = hi;
		*any_rise |= fit.effect - t95 * fit.se > 0 || (src->factor < 0 && fit.effect > 0);
		double z = fabs(fit.effect) / fit.se;
		if (z > best_z) {
			best_z = z;
			o->tested = true;
			o->lag_days = lag;
			o->effect = fit.effect;
			o->se = fit.se;
			o->se_hac = fit.se_hac;
			o->se_ols = fit.se_ols;
			o->lo = fit.effect - t95 * fit.se;
			o->hi = hi;
			o->with_mean = fit.with_mean;
			o->without_mean = fit.without_mean;
			o->days = fit.days;
			o->with_days = fit.with_days;
		}
	}
	if (!o->tested) {
		if (most_with < EXPERIMENT_MIN_GROUP_DAYS)
			snprintf(o->why_not, sizeof o->why_not, "fewer than %d days with it before a day "
			    "with %s logged", EXPERIMENT_MIN_GROUP_DAYS, src->factor < 0 ? "pain" : o->name);
		else if (src->factor < 0 && any_variation)
			snprintf(o->why_not, sizeof o->why_not, "no flare began during the trial");
		else
			snprintf(o->why_not, sizeof o->why_not, "too few days with %s and without it",
			    o->name);
	}
	return tested;
}

static bool
is_scale_outcome(const struct analysis_factor *af)
{
	if (af->kind != AK_SCALE)
		return false;
	return af->role == AR_SYMPTOM || (af->role == AR_OUTCOME && strcmp(af->name, "pain") == 0);
}

/* The exposure per day: 1 when the factor was logged, 0 on a day with
 * entries without it, unknown on a day without any entry. */
static void
exposure_days(const struct analysis_input *in, int f, double *x_day, double *x_first_ms)
{
	for (size_t d = 0; d < in->n_days; d++) {
		double v = f >= 0 ? in->factors[f].values[d] : NAN;
		if (isfinite(v) && v > 0)
			x_day[d] = 1;
		else
			x_day[d] = in->has_entries[d] ? 0 : NAN;
		x_first_ms[d] = f >= 0 && in->factors[f].first_ms != NULL ?
		    in->factors[f].first_ms[d] : NAN;
	}
}

/* Breaks of the elimination, and how the reintroduction went. */
static void
count_plan_days(const struct analysis_input *in, const struct experiment_plan *p,
    const double *x_day, struct experiment_result *out)
{
	for (int32_t day = out->first_day; day <= out->last_day; day++) {
		long d = (long)day - in->first_day;
		if (d < 0 || (size_t)d >= in->n_days || !isfinite(x_day[d]))
			continue;
		out->days_known++;
		int cycle, j, phase = phase_of_day(p, day - p->start_day, &cycle, &j);
		if (phase == EXP_ELIMINATE && x_day[d] > 0) {
			if (out->breaks < EXPERIMENT_MAX_BREAK_DAYS)
				out->break_days[out->breaks] = day;
			out->breaks++;
		} else if (phase == EXP_REINTRODUCE) {
			if (x_day[d] > 0)
				out->reintroduced_days++;
			else
				out->reintroduce_missed++;
		}
	}
}

static const char *
day_word(int lag)
{
	static const char *const words[] = {"the same day", "one day later", "two days later",
	    "three days later"};
	return lag >= 0 && lag <= EXPERIMENT_MAX_LAG ? words[lag] : "later";
}

/* "bloating was 2.1 points higher on days with dairy (95% interval 1.2 to
 * 3.0), the same day" */
static void
describe_outcome(const struct experiment_outcome *o, const char *factor, char *out, size_t len)
{
	if (o->onsets)
		snprintf(out, len, "the daily chance that a flare began was %.2f %s after days with %s "
		    "(95%% interval %.2f to %.2f), %s", fabs(o->effect), o->effect >= 0 ? "higher" :
		    "lower", factor, o->lo, o->hi, day_word(o->lag_days));
	else
		snprintf(out, len, "%s was %.1f points %s after days with %s (95%% interval %.1f to "
		    "%.1f), %s", o->name, fabs(o->effect), o->effect >= 0 ? "higher" : "lower", factor,
		    o->lo, o->hi, day_word(o->lag_days));
}

/* The days one lag's comparison needs, with the same mix of days with and
 * without, before its interval settles it one way or the other: above zero
 * after paying for the search, or under the margin. 0 when it already
 * does; errors shrink as one over the square root of the days. */
static double
settle_days(const struct lag_fit *f, double margin, double p_adj)
{
	double df = (double)f->days - 2;
	double t_adj = experiment_t_quantile(p_adj, df), t95 = experiment_t_quantile(0.975, df);
	double target = 0;
	if (f->effect > 0)
		target = f->effect / t_adj;
	if (margin > f->effect && (margin - f->effect) / t95 > target)
		target = (margin - f->effect) / t95;
	if (!(target > 0))
		return INFINITY;
	double ratio = f->se / target;
	double more = (double)f->days * (ratio * ratio - 1);
	return more > 0 ? more : 0;
}

/* About how many more days of the same plan would settle every comparison
 * that keeps the verdict open: the main outcome's lags, any other level
 * that rose by its plain interval, and flare onsets where they began more
 * often after the factor. */
static int
more_days_needed(const struct experiment_result *r,
    const struct lag_fit fits[][EXPERIMENT_MAX_LAG + 1], double p_adj, int trial_days)
{
	if (r->primary < 0) {
		int left = EXPERIMENT_DEFAULT_ELIMINATE + EXPERIMENT_DEFAULT_REINTRODUCE +
		    EXPERIMENT_DEFAULT_WASHOUT - trial_days;
		return left < 7 ? 7 : left;
	}
	double most = 0;
	for (size_t k = 0; k < r->n_outcomes; k++) {
		bool main = (int)k == r->primary, onsets = r->outcomes[k].onsets;
		double margin = r->outcomes[k].onsets ? EXPERIMENT_MARGIN_ONSETS :
		    EXPERIMENT_MARGIN_POINTS;
		for (int lag = 0; lag <= EXPERIMENT_MAX_LAG; lag++) {
			const struct lag_fit *f = &fits[k][lag];
			double t95 = experiment_t_quantile(0.975, (double)f->days - 2);
			bool blocks = onsets ? f->effect > 0 : f->effect - t95 * f->se > 0;
			if (!f->ok || (!main && !blocks))
				continue;
			double more = settle_days(f, margin, p_adj);
			if (more > most)
				most = more;
		}
	}
	most = ceil(most);
	if (most < 1)
		most = 1;
	return most > EXPERIMENT_MAX_MORE_DAYS ? EXPERIMENT_MAX_MORE_DAYS + 1 : (int)most;
}

/* "Likely not": the main outcome compared at every lag, its interval
 * under a rise worth noticing at each, and no other outcome higher with
 * the factor at any lag even by the plain 95% interval; with but_onsets,
 * whether that holds of everything but flare onsets. */
static bool
rules_out_rise(const struct experiment_result *r, const int *lags_tested, const double *worst_hi,
    const bool *any_rise, bool but_onsets)
{
	int m = r->primary;
	if (m < 0 || lags_tested[m] != EXPERIMENT_MAX_LAG + 1)
		return false;
	double margin = r->outcomes[m].onsets ? EXPERIMENT_MARGIN_ONSETS : EXPERIMENT_MARGIN_POINTS;
	if (!(worst_hi[m] < margin) && !(but_onsets && r->outcomes[m].onsets))
		return false;
	for (size_t k = 0; k < r->n_outcomes; k++)
		if (any_rise[k] && !(but_onsets && r->outcomes[k].onsets))
			return false;
	return true;
}

/* The cycles done: whole cycles up to the last day compared, at least 1. */
static int
cycles_done(const struct experiment_plan *p, const struct experiment_result *r)
{
	int done = (r->last_day - r->first_day + 1) / (p->eliminate_days + p->reintroduce_days);
	int n = experiment_cycles(p);
	return done < 1 ? 1 : done > n ? n : done;
}

/*
 * How many cycles of this plan, in all, a trial needs before a rise of
 * EXPERIMENT_MARGIN_ONSETS in the daily chance of an onset would be found
 * (above zero after paying for the search) 4 times in 5: the two-sample
 * comparison of proportions, with the person's own onset rate p0 (the days
 * at risk before the trial, or the trial's days without the factor when
 * those are fewer than EXPERIMENT_RATE_MIN_DAYS), the trial's mix of days at risk with and without it,
 * and its days at risk with it per cycle. Sets r->onset_rate, cycles_needed
 * and cycles_done; leaves cycles_needed 0 when nothing says it.
 */
static void
onset_power(const struct analysis_input *in, const struct outcome_source *src,
    const struct experiment_plan *p, const struct lag_fit *fits, double p_adj,
    struct experiment_result *r)
{
	r->cycles_done = cycles_done(p, r);
	size_t at_risk = 0, onsets = 0;
	long first = (long)r->first_day - in->first_day;
	for (long d = 0; d < first && (size_t)d < in->n_days; d++) {
		double v = outcome_value(in, src, (size_t)d);
		if (isfinite(v)) {
			at_risk++;
			onsets += v > 0;
		}
	}
	/* The lag with the most days with it: the plan's mix of days. */
	const struct lag_fit *f = &fits[0];
	for (int lag = 1; lag <= EXPERIMENT_MAX_LAG; lag++)
		if (fits[lag].with_days > f->with_days)
			f = &fits[lag];
	if (f->with_days == 0 || f->days <= f->with_days)
		return;
	double p0 = at_risk >= EXPERIMENT_RATE_MIN_DAYS && onsets > 0 ?
	    (double)onsets / (double)at_risk : f->without_mean;
	if (!(p0 > 0) || !(p0 < 1 - EXPERIMENT_MARGIN_ONSETS))
		return;
	double p1 = p0 + EXPERIMENT_MARGIN_ONSETS;
	double ratio = (double)f->with_days / (double)(f->days - f->with_days);
	double z = experiment_normal_quantile(p_adj) + experiment_normal_quantile(0.8);
	double with_needed = z * z * (p1 * (1 - p1) + p0 * (1 - p0) * ratio) /
	    (EXPERIMENT_MARGIN_ONSETS * EXPERIMENT_MARGIN_ONSETS);
	double per_cycle = (double)f->with_days / (double)r->cycles_done;
	double cycles = ceil(with_needed / per_cycle);
	r->onset_rate = p0;
	r->cycles_needed = cycles > 99 ? 99 : (int)cycles;
	r->onset_days = f->days;
	r->onset_with_days = f->with_days;
}

/* ": with your rate of about 7 onsets in 100 days at risk, telling one more
 * in ten days from none would take about 9 cycles of this plan in all (this
 * trial had 1)" */
static void
describe_power(const struct experiment_result *r, const struct experiment_plan *p, char *out,
    size_t len)
{
	if (r->cycles_needed <= r->cycles_done) {
		snprintf(out, len, "%s", "");
		return;
	}
	snprintf(out, len, ": with your rate of about %.0f onsets in 100 days at risk, telling one "
	    "more in ten days from none would take about %d cycles of %d days without %s and %d with "
	    "it%s (this trial had %d)", 100 * r->onset_rate, r->cycles_needed, p->eliminate_days,
	    p->factor, p->reintroduce_days, r->cycles_needed > EXPERIMENT_MAX_CYCLES ?
	    ", more than one plan holds" : "", r->cycles_done);
}

static void
write_verdict(struct experiment_result *r, const struct experiment_plan *p, int harmful,
    bool only_onsets_open)
{
	char what[200] = "", power[320] = "";
	describe_power(r, p, power, sizeof power);
	size_t len = sizeof r->verdict_text;
	switch (r->verdict) {
	case EXP_V_RUNNING:
		snprintf(r->verdict_text, len, "the trial is still running; its verdict comes after "
		    "its last day");
		break;
	case EXP_V_COMPROMISED:
		snprintf(r->verdict_text, len, "compromised: %s was logged on %u days of the "
		    "elimination%s, so the days without it are not clean and simmer cannot tell; a new "
		    "trial that keeps it out would", p->factor, r->breaks,
		    experiment_cycles(p) > 1 ? "s" : "");
		break;
	case EXP_V_TRIGGER:
		describe_outcome(&r->outcomes[harmful], p->factor, what, sizeof what);
		snprintf(r->verdict_text, len, "likely a trigger: %s, over %u days of your trial. This "
		    "is an association in your own diary, not a diagnosis", what,
		    r->outcomes[harmful].days);
		break;
	case EXP_V_NOT:
		describe_outcome(&r->outcomes[r->primary], p->factor, what, sizeof what);
		snprintf(r->verdict_text, len, "likely not a trigger: %s; a rise of %s or more is "
		    "unlikely at any delay of 0-3 days, over %u days of your trial%s%s",
		    what, r->outcomes[r->primary].onsets ? "0.1 in the daily chance of a flare" :
		    "1.5 points", r->outcomes[r->primary].days, r->onsets_open ? ". Flare onsets "
		    "were too few in it to rule out an effect on them" : "", r->onsets_open ? power : "");
		break;
	default:
		if (r->last_day < r->first_day) {
			snprintf(r->verdict_text, len, "stopped before any of its days: nothing to compare");
			break;
		}
		if (r->primary >= 0) {
			describe_outcome(&r->outcomes[r->primary], p->factor, what, sizeof what);
			size_t n = strlen(what);
			snprintf(what + n, sizeof what - n, "; ");
		}
		if (only_onsets_open && power[0] != '\0')
			snprintf(r->verdict_text, len, "not enough data to tell: %sthe levels stayed under a "
			    "rise worth noticing, but flare onsets began more often after days with it, and a "
			    "trial this long cannot settle that%s", what, power);
		else if (r->more_days > EXPERIMENT_MAX_MORE_DAYS)
			snprintf(r->verdict_text, len, "not enough data to tell: %ssettling it would take "
			    "more than a year of the same plan", what);
		else
			snprintf(r->verdict_text, len, "not enough data to tell: %sabout %d more day%s "
			    "of the same plan (without it, then with it) would likely settle it", what,
			    r->more_days, r->more_days == 1 ? "" : "s");
		break;
	}
}

/* The cycles of EXPERIMENT_SUGGEST_DAYS without and with the factor that
 * would find a rise in the daily chance of an onset from s->rate to
 * s->rate_with 4 times in 5, as onset_power() reckons it; 0 when nothing
 * says it. */
static int
suggest_flare_cycles(const struct analysis_input *in, const struct analysis_result *r,
    const struct finding *f, struct experiment_suggestion *s)
{
	if (r == NULL || r->n_days != in->n_days || !(f->rr > 1))
		return 0;
	size_t at_risk = 0, known = 0, onsets = 0;
	for (size_t d = 0; d < in->n_days; d++) {
		if (!in->has_entries[d])
			continue;
		known++;
		if (r->at_risk[d]) {
			at_risk++;
			onsets += r->onset[d];
		}
	}
	if (onsets == 0 || at_risk < EXPERIMENT_RATE_MIN_DAYS)
		return 0;
	double p0 = (double)onsets / (double)at_risk, p1 = p0 * f->rr;
	if (p1 > 0.95)
		p1 = 0.95;
	s->rate = p0;
	s->rate_with = p1;
	/* Each onset takes the days of its flare and recovery out of the days
	 * at risk, so the share at risk is 1 / (1 + rate * those days): from
	 * the diary's share, the days an onset takes; from them, the share
	 * while the factor is had every day. */
	double share = (double)at_risk / (double)known;
	double taken = (1 / share - 1) / p0;
	s->at_risk_share = share;
	s->at_risk_share_with = 1 / (1 + p1 * taken);
	double ratio = s->at_risk_share_with / share;
	/* The comparisons a trial pays for: pain and each symptom scale, and
	 * onsets, at every lag. */
	int outcomes = 1;
	for (size_t i = 0; i < in->n_factors; i++)
		outcomes += is_scale_outcome(&in->factors[i]);
	s->comparisons = outcomes * (EXPERIMENT_MAX_LAG + 1);
	double p_adj = 1 - 0.025 / s->comparisons;
	double z = experiment_normal_quantile(p_adj) + experiment_normal_quantile(0.8);
	double delta = p1 - p0;
	double with_needed = z * z * (p1 * (1 - p1) + p0 * (1 - p0) * ratio) / (delta * delta);
	double cycles = ceil(with_needed / (EXPERIMENT_SUGGEST_DAYS * s->at_risk_share_with));
	return cycles > 99 ? 99 : cycles < 1 ? 1 : (int)cycles;
}

bool
experiment_suggest(const struct analysis_input *in, const struct analysis_result *r,
    const struct finding *f, struct experiment_suggestion *out)
{
	memset(out, 0, sizeof *out);
	if (f->kind != FINDING_SINGLE || !f->harmful || f->n_conditions != 1)
		return false;
	int idx = f->conditions[0].factor;
	if (idx < 0 || (size_t)idx >= in->n_factors || in->factors[idx].role != AR_EXPOSURE)
		return false;
	bool quite_certain = f->q <= 0.01 && f->ci_lo > 1.5 && f->exposed_onsets >= 8;
	if (quite_certain)
		return false;
	const char *name = in->factors[idx].name;
	snprintf(out->factor, sizeof out->factor, "%s", name);
	out->flare_cycles = suggest_flare_cycles(in, r, f, out);
	bool fits = out->flare_cycles >= 1 && out->flare_cycles <= EXPERIMENT_MAX_CYCLES;
	out->cycles = fits ? out->flare_cycles : 1;
	out->days = out->cycles * 2 * EXPERIMENT_SUGGEST_DAYS + EXPERIMENT_DEFAULT_WASHOUT;
	int e = EXPERIMENT_SUGGEST_DAYS;
	char cycles[24] = "", times[32] = "";
	if (out->cycles > 1) {
		snprintf(cycles, sizeof cycles, " --cycles %d", out->cycles);
		snprintf(times, sizeof times, ", %d times over,", out->cycles);
	}
	if (fits)
		snprintf(out->text, sizeof out->text, "possible; a trial of %d days without it and %d "
		    "with it%s could settle it (simmer experiment start %s --reintroduce %d%s)", e, e,
		    times, name, e, cycles);
	else if (out->flare_cycles > EXPERIMENT_MAX_CYCLES)
		snprintf(out->text, sizeof out->text, "possible; a trial could show an effect on your "
		    "pain or symptoms within weeks (simmer experiment start %s --reintroduce %d), but "
		    "settling its effect on flares alone would take about %d cycles of %d days without "
		    "it and %d with it", name, e, out->flare_cycles, e, e);
	else
		snprintf(out->text, sizeof out->text, "possible; a trial of %d days without it and %d "
		    "with it could show an effect on your pain or symptoms (simmer experiment start %s "
		    "--reintroduce %d)", e, e, name, e);
	return true;
}

int
experiment_analyze(const struct analysis_input *in, const struct analysis_result *r,
    const struct experiment_plan *p, int32_t today, struct experiment_result *out)
{
	memset(out, 0, sizeof *out);
	out->primary = -1;
	experiment_phase(p, today, &out->pos);
	out->first_day = p->start_day;
	out->last_day = experiment_last_day(p);
	if (out->last_day > today)
		out->last_day = today;
	bool running = !p->stopped && today <= experiment_end_day(p);
	size_t alloc = in->n_days ? in->n_days : 1;
	double *x_day = malloc(alloc * sizeof *x_day), *x_first = malloc(alloc * sizeof *x_first);
	double *x = malloc(alloc * sizeof *x), *y = malloc(alloc * sizeof *y);
	if (x_day == NULL || x_first == NULL || x == NULL || y == NULL) {
		free(x_day);
		free(x_first);
		free(x);
		free(y);
		return -1;
	}
	int f = analysis_find_factor(in, p->factor);
	exposure_days(in, f, x_day, x_first);
	count_plan_days(in, p, x_day, out);

	struct outcome_source srcs[EXPERIMENT_MAX_OUTCOMES];
	int pain = analysis_find_factor(in, "pain"), flare = analysis_find_factor(in, "flare");
	/* Pain first, then the symptom scales, then flare onsets. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < in->n_factors && out->n_outcomes < EXPERIMENT_MAX_OUTCOMES - 1;
		    i++) {
			bool is_pain = (int)i == pain;
			if ((pass == 0) != is_pain || !is_scale_outcome(&in->factors[i]) || (int)i == f)
				continue;
			struct experiment_outcome *o = &out->outcomes[out->n_outcomes];
			snprintf(o->name, sizeof o->name, "%s", in->factors[i].name);
			srcs[out->n_outcomes++] = (struct outcome_source){(int)i, r, pain, flare};
		}
	}
	if (r != NULL && r->n_days == in->n_days && (pain >= 0 || flare >= 0)) {
		struct experiment_outcome *o = &out->outcomes[out->n_outcomes];
		snprintf(o->name, sizeof o->name, "flare onsets");
		o->onsets = true;
		srcs[out->n_outcomes++] = (struct outcome_source){-1, r, pain, flare};
	}

	double worst_hi[EXPERIMENT_MAX_OUTCOMES];
	struct lag_fit fits[EXPERIMENT_MAX_OUTCOMES][EXPERIMENT_MAX_LAG + 1];
	bool any_rise[EXPERIMENT_MAX_OUTCOMES];
	int lags_tested[EXPERIMENT_MAX_OUTCOMES];
	int family = 0;
	long first = (long)out->first_day - in->first_day, last = (long)out->last_day - in->first_day;
	for (size_t k = 0; k < out->n_outcomes; k++) {
		lags_tested[k] = analyze_outcome(in, &srcs[k], x_day, x_first, first, last, x, y,
		    &out->outcomes[k], fits[k], &worst_hi[k], &any_rise[k]);
		family += lags_tested[k];
	}
	free(x_day);
	free(x_first);
	free(x);
	free(y);

	/* The interval paid for every outcome and lag that was tested. */
	out->comparisons = family;
	double p_adj = 1 - 0.025 / (family > 0 ? family : 1);
	int harmful = -1;
	for (size_t k = 0; k < out->n_outcomes; k++) {
		struct experiment_outcome *o = &out->outcomes[k];
		o->harmful = o->tested &&
		    o->effect - experiment_t_quantile(p_adj, (double)o->days - 2) * o->se > 0;
		if (o->harmful && (harmful < 0 || o->effect / o->se >
		    out->outcomes[harmful].effect / out->outcomes[harmful].se))
			harmful = (int)k;
		if (out->primary < 0 && o->tested)
			out->primary = (int)k;
	}
	if (running)
		out->verdict = EXP_V_RUNNING;
	else if (out->breaks >= (unsigned)(EXPERIMENT_COMPROMISED_BREAKS * experiment_cycles(p)))
		out->verdict = EXP_V_COMPROMISED;
	else if (harmful >= 0)
		out->verdict = EXP_V_TRIGGER;
	else if (rules_out_rise(out, lags_tested, worst_hi, any_rise, false))
		out->verdict = EXP_V_NOT;
	else
		out->verdict = EXP_V_UNCLEAR;
	int onsets = -1;
	for (size_t k = 0; k < out->n_outcomes; k++) {
		if (!out->outcomes[k].onsets)
			continue;
		onsets = (int)k;
		if ((int)k != out->primary)
			out->onsets_open = lags_tested[k] != EXPERIMENT_MAX_LAG + 1 ||
			    !(worst_hi[k] < EXPERIMENT_MARGIN_ONSETS);
	}
	/* Flare onsets alone keep it open: say what it would take, from the
	 * person's own onset rate. */
	bool only_onsets_open = out->verdict == EXP_V_UNCLEAR && onsets >= 0 &&
	    rules_out_rise(out, lags_tested, worst_hi, any_rise, true);
	if (onsets >= 0 && (only_onsets_open || (out->verdict == EXP_V_NOT && out->onsets_open)))
		onset_power(in, &srcs[onsets], p, fits[onsets], p_adj, out);
	if (out->verdict == EXP_V_UNCLEAR) {
		out->more_days = more_days_needed(out, fits, p_adj, out->last_day - out->first_day + 1);
		if (only_onsets_open && out->cycles_needed > out->cycles_done) {
			long more = (long)(out->cycles_needed - out->cycles_done) *
			    (p->eliminate_days + p->reintroduce_days);
			out->more_days = more > EXPERIMENT_MAX_MORE_DAYS ? EXPERIMENT_MAX_MORE_DAYS + 1 :
			    (int)more;
		}
	}
	write_verdict(out, p, harmful, only_onsets_open);
	return 0;
}
