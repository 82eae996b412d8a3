/*
 * backtest.c: the forecasts simmer would have made on past evenings, how
 * they turned out, and the forecast for the last day that follows from
 * them.
 *
 * Rolling origin over the most recent days with entries (imported history
 * too): every few days with entries the load weights, the threshold and
 * the three candidate forecasters (forecast.c) are refitted on what was
 * known by that evening; the simple rule's and the load's scores are
 * calibrated by Platt scaling on their own earlier out-of-sample scores,
 * while the full model, a logistic fit on the past, gives a risk itself
 * (its out-of-sample calibration is in the summary), and a fourth averages
 * the simple rule and the full model; the candidate in use is that
 * combination, unless another's out-of-sample log-loss so far is clearly
 * lower (see choose_candidate); and the watch and
 * warning cut-offs are the lowest risks above the person's average whose
 * false alarms in the earlier evenings stay within the budget, on at most a
 * quarter of them, and whose alarms were followed by onsets at least as
 * often as evenings on average. So every evening of the backtest shows exactly
 * what the person would have seen then, and the summary (AUC beside the
 * simple rule's, Brier score beside the base rate's, a calibration table,
 * warned onsets and false alarms) says how far to trust it.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/internal.h"
#include "daemon/analysis/stats.h"

/* Known outcomes (and onsets among them) a candidate needs before Platt
 * scaling replaces the base rate. */
#define PLATT_MIN_DAYS 30
#define PLATT_MIN_ONSETS 3
#define PLATT_RIDGE 1.0
/* The warning cut-off keeps a third of the watch budget. */
#define WARNING_BUDGET_SHARE (1.0 / 3.0)
/* The lowest calibrated risks worth a watch ("about 1 in 3") and a warning
 * ("about 1 in 2"): below them an alarm would say little, whatever the
 * budget allows. */
#define WATCH_MIN_RISK 0.35
#define WARNING_MIN_RISK 0.5
/* Judged evenings before the budget can be checked on them; until then the
 * cut-offs are the lowest risks above. */
#define JUDGE_MIN_EVENINGS 30
/* A cut-off's alarms, once this many were judged, must have been followed
 * by onsets at least as often as evenings on average. Fewer say little: on
 * the independent simulator's diaries, judging from 5 turned useful alerts
 * off early (onsets warned 0.679 -> 0.723 of the true model's, 0.702 ->
 * 0.750 on other seeds, at the same false alarms). */
#define SKILL_MIN_ALARMS 20
/* At most this share of the judged evenings at an alarm: one that is on
 * most evenings tells nothing, however few notifications it raises. */
#define ALARM_MAX_SHARE 0.25
/* Cut-offs tried: at most this many quantiles of the past risks. */
#define MAX_CUTOFFS 64
/* The simple rule's share of the combined forecaster's log-odds. */
#define COMBINED_SHARE 0.5
/* How clearly another candidate must have done better than the one in use
 * by default, in standard errors of its mean gain in log-loss per evening.
 * On four sets of 60 independent diaries, 2 kept more of the combination's
 * gain than 1 (pooled AUC +0.0004 to +0.0010) and lost less than 3. */
#define SWITCH_MIN_SE 2.0

static const double calibration_edges[CALIBRATION_BINS + 1] = {0, 0.05, 0.1, 0.2, 0.3, 0.5, 1};

/* One evening forecast: every candidate's score and calibrated risk. */
struct evening {
	size_t d;
	int outcome;                /* 1, 0 or -1 (unknown) */
	int open;                   /* forecast_open_days */
	double score[FORECASTER_COUNT], p[FORECASTER_COUNT];
};

struct rolling {
	const struct analysis_input *in;
	const struct analysis_config *cfg;
	struct analysis_result *r;
	const double *ewma;
	double *load;
	double weights[LC_COUNT], threshold;
	struct forecast_model model;
	struct stats_platt platt[FORECASTER_COUNT];
	bool platt_ok[FORECASTER_COUNT];
	double base_rate;
	bool have_base;
	int chosen;
	struct risk_cutoffs cut;
	struct evening *ev;
	size_t n_ev;
	unsigned char *open;        /* forecast_open_days */
	/* Scratch for the refits, n_days long. */
	double *sx, *sp;
	bool *sy;
};

/* Index of the first day of the backtest: the most recent
 * backtest_max_days days with entries, after min_days of history. */
static size_t
backtest_start(const struct analysis_input *in, const struct analysis_config *cfg)
{
	size_t n = in->n_days, start = 0, seen = 0;
	while (start < n && seen < cfg->min_days)
		seen += in->has_entries[start++];
	size_t from = n, counted = 0;
	while (from > 0 && counted < cfg->backtest_max_days)
		counted += in->has_entries[--from];
	return from > start ? from : start;
}

/* Base rate of 48-hour onsets on the evenings known by day d with both
 * days open, with a half-onset prior so that it is never exactly 0. */
static void
refit_base_rate(struct rolling *s, size_t d)
{
	size_t n = 0, pos = 0;
	for (size_t t = 0; t + 2 <= d; t++) {
		if (!s->r->at_risk[t] || (s->r->in_flare[t] && !s->r->onset[t]) ||
		    s->open[t] < 2)
			continue;
		int y = series_target48(s->r, s->in, t);
		if (y < 0)
			continue;
		n++;
		pos += (size_t)y;
	}
	s->have_base = n > 0;
	s->base_rate = (pos + 0.5) / (n + 1.0);
}

/* Evenings before day d whose outcome is known by its evening. */
static size_t
known_evenings(const struct rolling *s, size_t d)
{
	size_t k = 0;
	while (k < s->n_ev && s->ev[k].d + 2 <= d)
		k++;
	return k;
}

static void
refit_platt(struct rolling *s, size_t known)
{
	for (int c = 0; c < FORECASTER_FULL; c++) {
		size_t n = 0, pos = 0;
		/* Evenings with both days open: the others are scaled from them. */
		for (size_t i = 0; i < known; i++) {
			if (s->ev[i].outcome < 0 || s->ev[i].open < 2)
				continue;
			s->sx[n] = s->ev[i].score[c];
			s->sy[n] = s->ev[i].outcome == 1;
			pos += s->sy[n];
			n++;
		}
		s->platt_ok[c] = n >= PLATT_MIN_DAYS && pos >= PLATT_MIN_ONSETS;
		if (!s->platt_ok[c])
			continue;
		stats_platt_fit(s->sx, s->sy, n, PLATT_RIDGE, &s->platt[c]);
		/* A score that ran against the outcomes says nothing: the base
		 * rate instead. */
		if (!(s->platt[c].b > 0) || !isfinite(s->platt[c].a)) {
			s->platt[c].b = 0;
			s->platt[c].a = log((double)pos / (double)(n - pos));
		}
	}
}

/* Onsets that one of the first `known` evenings forecast. */
static unsigned
onsets_forecast(const struct rolling *s, size_t known)
{
	if (known == 0)
		return 0;
	unsigned n = 0;
	for (size_t t = s->ev[0].d + 1; t <= s->ev[known - 1].d + 2 && t < s->in->n_days; t++)
		n += s->r->onset[t];
	return n;
}

static double
log_loss_one(double p, bool y)
{
	double q = fmin(fmax(p, 1e-6), 1 - 1e-6);
	return y ? -log(q) : -log1p(-q);
}

/* The forecaster in use: the simple rule and the full model combined once
 * the full model is fitted (until then the simple rule), unless, once
 * enough onsets were forecast to judge, another candidate's out-of-sample
 * log-loss on the known evenings is lower by a clear margin (its mean gain
 * above SWITCH_MIN_SE standard errors).
 * Switching on noise would change what the person sees from week to week
 * for nothing, and picking the best of a few noisy records loses more than
 * it gains: averaged, the two forecasts err less than the one that did
 * best so far. */
static void
choose_candidate(struct rolling *s, size_t known)
{
	int reference = s->model.fitted ? FORECASTER_COMBINED : FORECASTER_SIMPLE;
	s->chosen = reference;
	if (onsets_forecast(s, known) < BACKTEST_MIN_ONSETS)
		return;
	double best_gain = 0;
	for (int c = 0; c < FORECASTER_COUNT; c++) {
		if (c == reference)
			continue;
		double sum = 0, ss = 0;
		size_t n = 0;
		for (size_t i = 0; i < known; i++) {
			const struct evening *e = &s->ev[i];
			if (e->outcome < 0)
				continue;
			double gain = log_loss_one(e->p[reference], e->outcome == 1) -
			    log_loss_one(e->p[c], e->outcome == 1);
			sum += gain;
			ss += gain * gain;
			n++;
		}
		if (n < 2)
			continue;
		double mean = sum / (double)n;
		double se = sqrt(fmax(ss / (double)n - mean * mean, 0) / (double)(n - 1));
		if (mean > SWITCH_MIN_SE * se && mean > best_gain) {
			best_gain = mean;
			s->chosen = c;
		}
	}
}

/* Whether candidate c's risk says something about the evening: the full
 * model once fitted, the others once calibrated. */
static bool
calibrated(const struct rolling *s, int c)
{
	if (c == FORECASTER_COMBINED)
		return s->model.fitted && s->platt_ok[FORECASTER_SIMPLE];
	return c == FORECASTER_FULL ? s->model.fitted : s->platt_ok[c];
}

/* Alarms at cut-off c over the known evenings: alarm evenings, those with
 * an onset after them, and false alarms (a run of consecutive alarm
 * evenings counts once, as it raises one notification; it is false when
 * no evening of it was followed by an onset). */
struct alarm_count {
	size_t alarms, hits, false_alarms;
};

static struct alarm_count
count_alarms(const struct rolling *s, size_t known, int c, double cut)
{
	struct alarm_count a = {0, 0, 0};
	bool in_run = false, run_hit = false;
	size_t prev_d = 0;
	for (size_t i = 0; i < known; i++) {
		const struct evening *e = &s->ev[i];
		if (e->outcome < 0)
			continue;
		bool alarm = e->p[c] >= cut;
		bool continues = in_run && e->d == prev_d + 1;
		if (in_run && (!alarm || !continues)) {
			a.false_alarms += !run_hit;
			in_run = false;
		}
		if (alarm) {
			if (!in_run) {
				in_run = true;
				run_hit = false;
			}
			a.alarms++;
			a.hits += e->outcome == 1;
			run_hit |= e->outcome == 1;
		}
		prev_d = e->d;
	}
	if (in_run)
		a.false_alarms += !run_hit;
	return a;
}

static int
cmp_desc(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a < b) - (a > b);
}

/* Whether alarms `a` over n judged evenings with pos onsets after them
 * could be worth raising: on at most ALARM_MAX_SHARE of the evenings, and
 * (once enough were judged) followed by onsets at least as often as
 * evenings on average. Counted in runs, an alarm that never ends costs one
 * false alarm and "warns" of every onset; the share keeps it out. */
static bool
alarms_useful(struct alarm_count a, size_t n, size_t pos)
{
	if ((double)a.alarms > ALARM_MAX_SHARE * (double)n)
		return false;
	return a.alarms < SKILL_MIN_ALARMS ||
	    (double)a.hits * (double)n >= (double)pos * (double)a.alarms;
}

/* The lowest cut-off of at least `floor`, and of the judged evenings'
 * average (an alarm says "above your usual"), whose alarms on the known
 * evenings made at most `budget` false alarms per 30 evenings and were
 * useful (the floor itself while too few evenings are known); INFINITY
 * when none does. */
static double
lowest_cutoff(const struct rolling *s, size_t known, const double *sorted, size_t n, size_t pos,
    double floor, double budget)
{
	if (n < JUDGE_MIN_EVENINGS)
		return floor;
	floor = fmax(floor, (double)pos / (double)n);
	double best = INFINITY;
	size_t step = n > MAX_CUTOFFS ? n / MAX_CUTOFFS : 1;
	/* The past risks above the floor, highest first, then the floor. */
	for (size_t i = 0; i < n + step; i += step) {
		double cut = i < n ? sorted[i] : floor;
		if (cut < floor || (i > 0 && i < n && cut == sorted[i - step]))
			continue;
		struct alarm_count a = count_alarms(s, known, s->chosen, cut);
		if (30.0 * (double)a.false_alarms / (double)n <= budget && alarms_useful(a, n, pos))
			best = fmin(best, cut);
	}
	return best;
}

static void
choose_cutoffs(struct rolling *s, size_t known)
{
	struct risk_cutoffs *cut = &s->cut;
	cut->alerts = false;
	cut->watch = cut->warning = INFINITY;
	size_t n = 0, pos = 0;
	for (size_t i = 0; i < known; i++) {
		if (s->ev[i].outcome < 0)
			continue;
		s->sp[n++] = s->ev[i].p[s->chosen];
		pos += s->ev[i].outcome == 1;
	}
	double budget = s->cfg->max_false_per_30d;
	cut->budget = budget;
	if (!calibrated(s, s->chosen)) {
		snprintf(cut->note, sizeof cut->note, "Risk alerts are off until the forecasts can be "
		    "calibrated on your own history.");
		return;
	}
	qsort(s->sp, n, sizeof *s->sp, cmp_desc);
	cut->watch = lowest_cutoff(s, known, s->sp, n, pos, WATCH_MIN_RISK, budget);
	if (!isfinite(cut->watch)) {
		snprintf(cut->note, sizeof cut->note, "Risk alerts are off: in your backtest no risk "
		    "level of 1 in 3 or more, and above your average, warned of flares better than "
		    "average within %g false %s per 30 days and on at most a quarter of evenings.",
		    budget, budget == 1 ? "alarm" : "alarms");
		return;
	}
	cut->alerts = true;
	cut->warning = fmax(cut->watch, lowest_cutoff(s, known, s->sp, n, pos, WARNING_MIN_RISK,
	    budget * WARNING_BUDGET_SHARE));
	snprintf(cut->note, sizeof cut->note, "Risk alerts are on, at most %g false %s per 30 days "
	    "in your backtest.", budget, budget == 1 ? "alarm" : "alarms");
}

static int
refit(struct rolling *s, size_t d)
{
	load_personalize(s->in, s->cfg, s->r, s->ewma, d, s->weights, &s->threshold);
	load_combine(s->ewma, d + 1, s->weights, s->load);
	if (forecast_fit(s->in, s->cfg, s->r, s->open, s->load, d, &s->model) != 0)
		return -1;
	refit_base_rate(s, d);
	size_t known = known_evenings(s, d);
	refit_platt(s, known);
	choose_candidate(s, known);
	choose_cutoffs(s, known);
	return 0;
}

static double
logit(double p)
{
	double q = fmin(fmax(p, 1e-9), 1 - 1e-9);
	return log(q / (1 - q));
}

/* Each candidate's calibrated risk for the evening of day d. The combined
 * forecaster averages the simple rule's and the full model's log-odds. A
 * risk for two open days becomes one for a single open day as the same
 * daily hazard over one day: 1 - sqrt(1 - p). */
static void
predict(const struct rolling *s, size_t d, int open, double score[FORECASTER_COUNT],
    double p[FORECASTER_COUNT])
{
	forecast_scores(s->in, s->r, s->load, &s->model, d, score);
	for (int c = 0; c < FORECASTER_COMBINED; c++) {
		/* The full model is a logistic fit on the past, a risk already:
		 * a calibration fitted on the scores of earlier refits would read
		 * this refit's inputs at their old weights. */
		if (c == FORECASTER_FULL && s->model.fitted)
			p[c] = 1 / (1 + exp(-(s->model.intercept + score[c])));
		else if (s->platt_ok[c])
			p[c] = stats_platt_apply(&s->platt[c], score[c]);
		else if (s->have_base)
			p[c] = s->base_rate;
		else
			p[c] = forecast_prior_risk(s->load[d], s->threshold);
	}
	p[FORECASTER_COMBINED] = 1 / (1 + exp(-(COMBINED_SHARE * logit(p[FORECASTER_SIMPLE]) +
	    (1 - COMBINED_SHARE) * logit(p[FORECASTER_FULL]))));
	for (int c = 0; c < FORECASTER_COUNT && open < 2; c++)
		p[c] = open == 1 ? 1 - sqrt(1 - p[c]) : 0;
}

static void
summarize(const struct rolling *s, struct backtest_summary *sum)
{
	const struct analysis_result *r = s->r;
	const struct backtest_day *b = r->backtest;
	size_t n = r->n_backtest;
	memset(sum, 0, sizeof *sum);
	sum->days = n;
	sum->auc = sum->baseline_auc = sum->brier = sum->brier_reference = NAN;
	sum->log_loss = sum->baseline_log_loss = NAN;
	sum->share_warned = sum->median_lead_days = NAN;
	size_t m = 0, pos = 0;
	double *base = s->sx;
	bool *label = s->sy;
	double *risk = s->sp;
	for (size_t i = 0; i < n; i++) {
		if (b[i].outcome < 0)
			continue;
		risk[m] = b[i].risk;
		base[m] = b[i].candidate[FORECASTER_SIMPLE];
		label[m] = b[i].outcome == 1;
		pos += label[m];
		m++;
	}
	unsigned false_alarms = 0;
	for (size_t i = 0; i < n; i++) {
		bool alarm = b[i].level >= LEVEL_WATCH;
		bool rose = alarm && (i == 0 || b[i - 1].level < LEVEL_WATCH || b[i - 1].day != b[i].day - 1);
		if (!rose)
			continue;
		/* A run of alarm evenings is false when no onset followed any. */
		bool hit = false;
		for (size_t k = i; k < n && b[k].level >= LEVEL_WATCH &&
		    (k == i || b[k - 1].day == b[k].day - 1); k++)
			hit |= b[k].outcome == 1;
		false_alarms += !hit;
	}
	if (m > 0) {
		sum->auc = stats_auc(risk, label, m);
		sum->baseline_auc = stats_auc(base, label, m);
		sum->brier = stats_brier(risk, label, m);
		sum->log_loss = stats_log_loss(risk, label, m);
		sum->baseline_log_loss = stats_log_loss(base, label, m);
		double rate = (double)pos / (double)m;
		sum->brier_reference = rate * (1 - rate);
		struct stats_calibration_bin bins[CALIBRATION_BINS];
		sum->n_calibration = stats_calibration_table(risk, label, m, calibration_edges,
		    CALIBRATION_BINS, bins);
		for (size_t i = 0; i < sum->n_calibration; i++) {
			sum->calibration[i].predicted = bins[i].predicted;
			sum->calibration[i].observed = bins[i].observed;
			sum->calibration[i].days = bins[i].days;
		}
	}
	/* Onsets after the first forecast, and whether one of the two evenings
	 * before each raised watch or warning. */
	double *leads = s->sx;
	size_t n_leads = 0;
	int32_t first = n ? b[0].day : 0;
	for (size_t d = 0; d < s->in->n_days && n; d++) {
		int32_t day = s->in->first_day + (int32_t)d;
		if (!r->onset[d] || day <= first + 1 || day > b[n - 1].day + 2)
			continue;
		sum->onsets++;
		double lead = NAN;
		for (size_t i = 0; i < n; i++) {
			int32_t gap = day - b[i].day;
			if (gap >= 1 && gap <= 2 && b[i].level >= LEVEL_WATCH)
				lead = isfinite(lead) ? fmax(lead, gap) : gap;
		}
		if (isfinite(lead)) {
			sum->onsets_warned++;
			leads[n_leads++] = lead;
		}
	}
	if (sum->onsets)
		sum->share_warned = (double)sum->onsets_warned / sum->onsets;
	if (n_leads)
		sum->median_lead_days = stats_median(leads, n_leads);
	sum->false_alarms_per_30d = n ? 30.0 * false_alarms / (double)n : 0;
}

/* The forecast for the last day, from a refit on everything known. */
static int
forecast_last_day(struct rolling *s)
{
	struct analysis_result *r = s->r;
	size_t d = s->in->n_days - 1;
	if (refit(s, d) != 0)
		return -1;
	double score[FORECASTER_COUNT], p[FORECASTER_COUNT];
	predict(s, d, s->open[d], score, p);
	r->model = s->chosen;
	r->calibrated = calibrated(s, s->chosen);
	r->risk = p[s->chosen];
	r->forecast_day = r->last_day;
	r->forecast_load = r->load[d];
	r->cutoffs = s->cut;
	r->level = forecast_level(&s->cut, r->risk);
	r->open_days = s->open[d];
	/* Nothing moves a risk that no onset can follow: no contributors then.
	 * Contributions on the calibrated log-odds scale; none before there
	 * is a calibration to say what a score is worth. */
	double weight[FORECASTER_COUNT] = {0};
	if (r->calibrated) {
		switch (s->chosen) {
		case FORECASTER_COMBINED:
			weight[FORECASTER_SIMPLE] = COMBINED_SHARE * s->platt[FORECASTER_SIMPLE].b;
			weight[FORECASTER_FULL] = 1 - COMBINED_SHARE;
			break;
		case FORECASTER_FULL:
			weight[FORECASTER_FULL] = 1;
			break;
		default:
			weight[s->chosen] = s->platt[s->chosen].b;
		}
	}
	r->n_contributors = r->open_days == 0 ? 0 : forecast_contributors(s->in, r, s->load,
	    &s->model, weight, d, r->contributors, sizeof r->contributors / sizeof r->contributors[0]);
	return 0;
}

int
backtest_run(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r, const double *ewma, bool keep_days)
{
	size_t n = in->n_days, alloc = n ? n : 1;
	struct rolling s;
	memset(&s, 0, sizeof s);
	s.in = in;
	s.cfg = cfg;
	s.r = r;
	s.ewma = ewma;
	s.threshold = cfg->prior_threshold;
	r->n_backtest = 0;
	r->backtest = calloc(alloc, sizeof *r->backtest);
	s.load = malloc(alloc * sizeof *s.load);
	s.ev = malloc(alloc * sizeof *s.ev);
	s.sx = malloc(alloc * sizeof *s.sx);
	s.sp = malloc(alloc * sizeof *s.sp);
	s.sy = malloc(alloc * sizeof *s.sy);
	s.open = malloc(alloc * sizeof *s.open);
	int rc = -1;
	if (r->backtest == NULL || s.load == NULL || s.ev == NULL || s.sx == NULL || s.sp == NULL ||
	    s.sy == NULL || s.open == NULL)
		goto out;
	forecast_open_days(in, cfg, s.open);
	snprintf(s.cut.note, sizeof s.cut.note, "Risk alerts are off until there is enough history "
	    "to judge the forecasts.");
	if (n == 0) {
		r->cutoffs = s.cut;
		rc = 0;
		goto out;
	}
	size_t since_refit = 0;
	bool fitted = false;
	for (size_t d = backtest_start(in, cfg); d < n; d++) {
		if (!fitted || since_refit >= (size_t)cfg->refit_every_days) {
			if (refit(&s, d) != 0)
				goto out;
			fitted = true;
			since_refit = 0;
		} else {
			load_combine(ewma + d * LC_COUNT, 1, s.weights, s.load + d);
		}
		since_refit += in->has_entries[d];
		if (!in->has_entries[d] || (r->in_flare[d] && !r->onset[d]))
			continue;
		struct evening *e = &s.ev[s.n_ev++];
		e->d = d;
		e->outcome = series_target48(r, in, d);
		e->open = s.open[d];
		predict(&s, d, e->open, e->score, e->p);
		/* Until the forecast in use is calibrated it is the base rate,
		 * which says nothing about this evening: not worth judging. */
		if (!calibrated(&s, s.chosen))
			continue;
		struct backtest_day *b = &r->backtest[r->n_backtest++];
		b->day = in->first_day + (int32_t)d;
		b->load = s.load[d];
		b->risk = e->p[s.chosen];
		b->level = forecast_level(&s.cut, b->risk);
		b->outcome = e->outcome;
		memcpy(b->candidate, e->p, sizeof b->candidate);
	}
	if (forecast_last_day(&s) != 0)
		goto out;
	summarize(&s, &r->summary);
	if (!keep_days)
		r->n_backtest = 0;
	rc = 0;
out:
	free(s.load);
	free(s.ev);
	free(s.sx);
	free(s.sp);
	free(s.sy);
	free(s.open);
	return rc;
}
