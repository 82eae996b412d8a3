/*
 * analysis_glue.c: the analysis's input from the rollup, and its result as
 * reply maps (see analysis_glue.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis_glue.h"
#include "daemon/analysis/experiment.h"
#include "daemon/grow.h"
#include "proto/proto.h"

/* A factor's kind and role pass to the analysis as they are numbered. */
#define SAME_NUMBER(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME_NUMBER(AK_SCALE, FACTOR_SCALE) && SAME_NUMBER(AK_HOURS, FACTOR_HOURS) &&
    SAME_NUMBER(AK_MINUTES, FACTOR_MINUTES) && SAME_NUMBER(AK_EVENT, FACTOR_EVENT) &&
    SAME_NUMBER(AK_FLARE, FACTOR_FLARE) && SAME_NUMBER(AK_COUNT, FACTOR_COUNT),
    "analysis kinds follow the catalog's");
_Static_assert(SAME_NUMBER(AR_EXPOSURE, ROLE_EXPOSURE) && SAME_NUMBER(AR_SYMPTOM, ROLE_SYMPTOM) &&
    SAME_NUMBER(AR_OUTCOME, ROLE_OUTCOME) && SAME_NUMBER(AR_RED_FLAG, ROLE_RED_FLAG) &&
    SAME_NUMBER(AR_TREATMENT, ROLE_TREATMENT), "analysis roles follow the catalog's");

int
glue_collect_row(const struct daily_row *row, void *arg)
{
	struct daily_rows *r = arg;
	if (grow_for_one((void **)&r->rows, &r->cap, r->count, sizeof *r->rows, 1024) != 0)
		return -PROTO_E_INTERNAL;
	r->rows[r->count++] = *row;
	return 0;
}

void
glue_free_input(struct analysis_input *in)
{
	for (size_t f = 0; f < in->n_factors; f++) {
		free(in->factors[f].values);
		free(in->factors[f].first_ms);
	}
	free(in->factors);
	free(in->has_entries);
	memset(in, 0, sizeof *in);
}

static int
input_factor(struct analysis_input *in, const struct factor *f)
{
	for (size_t i = 0; i < in->n_factors; i++)
		if (strcmp(in->factors[i].name, f->name) == 0)
			return (int)i;
	struct analysis_factor *af = &in->factors[in->n_factors];
	snprintf(af->name, sizeof af->name, "%s", f->name);
	af->kind = f->kind;
	af->role = f->role;
	af->values = malloc(in->n_days * sizeof *af->values);
	af->first_ms = malloc(in->n_days * sizeof *af->first_ms);
	in->n_factors++;
	if (af->values == NULL || af->first_ms == NULL)
		return -1;
	for (size_t d = 0; d < in->n_days; d++)
		af->values[d] = af->first_ms[d] = NAN;
	return (int)in->n_factors - 1;
}

int
glue_build_input(const struct catalog *cat, const struct daily_rows *rows, int32_t today,
    int stale_days, struct analysis_input *in)
{
	memset(in, 0, sizeof *in);
	in->today = today;
	int32_t first = today, last = today, newest = INT32_MIN;
	for (size_t i = 0; i < rows->count; i++) {
		if (rows->rows[i].day < first)
			first = rows->rows[i].day;
		/* Tomorrow at most: the analysis's last day is today. */
		if (rows->rows[i].day > last && rows->rows[i].day <= today + 1)
			last = rows->rows[i].day;
		if (rows->rows[i].day > newest && rows->rows[i].day <= today + 1)
			newest = rows->rows[i].day;
	}
	/* A diary gone quiet is analysed as of its last entry: its load is not
	 * carried forward to today as if nothing had been missed. */
	if (newest != INT32_MIN && today - newest > stale_days)
		last = newest;
	if (last - first + 1 > GLUE_MAX_DAYS)
		first = last - GLUE_MAX_DAYS + 1;
	in->first_day = first;
	in->n_days = (size_t)(last - first + 1);
	in->has_entries = calloc(in->n_days, sizeof *in->has_entries);
	in->factors = calloc(cat->count + 2, sizeof *in->factors);
	if (in->has_entries == NULL || in->factors == NULL)
		goto fail;
	/* pain and flare always exist, so onsets can be looked for. */
	const char *always[] = {"pain", "flare"};
	for (int i = 0; i < 2; i++) {
		const struct factor *f = catalog_find(cat, always[i]);
		if (f != NULL && input_factor(in, f) < 0)
			goto fail;
	}
	for (size_t i = 0; i < rows->count; i++) {
		const struct daily_row *row = &rows->rows[i];
		if (row->day < first || row->day > last)
			continue;
		in->has_entries[row->day - first] = true;
		const struct factor *f = catalog_find(cat, row->factor);
		const char *counts_as = catalog_counts_as(row->factor);
		if (counts_as != NULL)
			f = catalog_find(cat, counts_as);
		if (f == NULL || f->role == ROLE_RED_FLAG)
			continue;
		if (input_factor(in, f) < 0)
			goto fail;
	}
	for (size_t i = 0; i < rows->count; i++) {
		const struct daily_row *row = &rows->rows[i];
		if (row->day < first || row->day > last)
			continue;
		const struct factor *cf = catalog_find(cat, row->factor);
		/* A medicine logged by its drug counts each entry as one dose of
		 * its class: the analysis sees NSAID doses per day. */
		const char *counts_as = catalog_counts_as(row->factor);
		if (counts_as != NULL)
			cf = catalog_find(cat, counts_as);
		if (cf == NULL || cf->role == ROLE_RED_FLAG)
			continue;
		int f = input_factor(in, cf);
		if (f < 0)
			goto fail;
		double *v = &in->factors[f].values[row->day - first];
		bool keeps_max = cf->kind == FACTOR_SCALE || cf->kind == FACTOR_FLARE;
		double add = counts_as != NULL ? (double)row->count : row->sum;
		if (keeps_max)
			*v = row->max;
		else
			*v = isfinite(*v) ? *v + add : add;
		/* Several drugs may feed one class: its day starts at the earliest. */
		double *first_ms = &in->factors[f].first_ms[row->day - first];
		if (!isfinite(*first_ms) || (double)row->first_ms < *first_ms)
			*first_ms = (double)row->first_ms;
	}
	return 0;
fail:
	glue_free_input(in);
	return -1;
}

static void
pack_day(msgpack_packer *pk, const char *key, int32_t day)
{
	char s[11];
	proto_day_format(day, s);
	proto_pack_kv_str(pk, key, s);
}

void
glue_pack_coverage(msgpack_packer *pk, const struct analysis_result *r, int64_t computed_at)
{
	proto_pack_cstr(pk, "coverage");
	msgpack_pack_map(pk, 5);
	pack_day(pk, "first_day", r->first_day);
	pack_day(pk, "last_day", r->last_day);
	proto_pack_kv_int(pk, "days", (int64_t)r->days_with_entries);
	proto_pack_kv_int(pk, "flares", r->flares);
	proto_pack_kv_int(pk, "computed_at", computed_at);
}

static void
pack_contributors(msgpack_packer *pk, const struct analysis_result *r, size_t max)
{
	size_t n = r->n_contributors < max ? r->n_contributors : max;
	proto_pack_cstr(pk, "contributors");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_map(pk, 4);
		proto_pack_kv_str(pk, "factor", r->contributors[i].factor);
		proto_pack_kv_double(pk, "contribution", r->contributors[i].contribution);
		proto_pack_kv_str(pk, "source", r->contributors[i].source);
		proto_pack_kv_str(pk, "detail", r->contributors[i].detail);
	}
}

/* Which forecaster is in use (and whether it has warning signs to read),
 * whether its risk raises alerts, whether the diary is current and whether
 * an onset can follow: 8 pairs. */
static void
pack_model(msgpack_packer *pk, const struct analysis_result *r)
{
	proto_pack_kv_str(pk, "model", forecaster_name(r->model));
	proto_pack_kv_bool(pk, "warning_signs_logged", r->signs_logged);
	proto_pack_kv_bool(pk, "calibrated", r->calibrated);
	char note[sizeof r->cutoffs.note];
	glue_risk_alerts(r, note, sizeof note);
	proto_pack_kv_bool(pk, "risk_alerts", r->cutoffs.alerts && !r->stale);
	proto_pack_kv_str(pk, "risk_alerts_note", note);
	/* Results of a diary gone quiet are as of its last entry, and say so. */
	proto_pack_kv_bool(pk, "stale", r->stale);
	pack_day(pk, "last_entry", r->last_entry_day);
	proto_pack_kv_int(pk, "open_days", r->open_days);
}

void
glue_risk_alerts(const struct analysis_result *r, char *note, size_t len)
{
	if (!r->stale) {
		snprintf(note, len, "%s", r->cutoffs.note);
		return;
	}
	char day[11];
	proto_day_format(r->last_entry_day, day);
	snprintf(note, len, "No entries since %s: no risk alerts until there are new ones.", day);
}

static void
pack_enough(msgpack_packer *pk, const struct analysis_result *r)
{
	proto_pack_kv_bool(pk, "enough_data", r->enough_data);
	proto_pack_kv_str(pk, "message", r->message);
}

void
glue_pack_status(msgpack_packer *pk, const struct analysis_input *in,
    const struct analysis_result *r, int64_t computed_at)
{
	msgpack_pack_map(pk, 19);
	pack_day(pk, "date", r->forecast_day);
	proto_pack_kv_double(pk, "load", r->forecast_load);
	proto_pack_cstr(pk, "trend");
	size_t n = r->n_days < GLUE_TREND_DAYS ? r->n_days : GLUE_TREND_DAYS;
	msgpack_pack_array(pk, n);
	for (size_t i = r->n_days - n; i < r->n_days; i++) {
		msgpack_pack_map(pk, 5);
		pack_day(pk, "date", in->first_day + (int32_t)i);
		proto_pack_kv_double(pk, "load", r->load[i]);
		proto_pack_kv_bool(pk, "entries", in->has_entries[i]);
		proto_pack_kv_bool(pk, "onset", r->onset[i]);
		proto_pack_kv_bool(pk, "in_flare", r->in_flare[i]);
	}
	proto_pack_kv_double(pk, "threshold", r->threshold);
	proto_pack_kv_str(pk, "threshold_source", r->threshold_personal ? "personal" : "prior");
	proto_pack_kv_str(pk, "level", analysis_level_name(r->level));
	proto_pack_kv_double(pk, "risk", r->risk);
	pack_model(pk, r);
	pack_contributors(pk, r, 3);
	pack_enough(pk, r);
	glue_pack_coverage(pk, r, computed_at);
}

void
glue_pack_forecast(msgpack_packer *pk, const struct analysis_input *in,
    const struct analysis_result *r, int64_t computed_at)
{
	(void)in;
	msgpack_pack_map(pk, 17);
	pack_day(pk, "date", r->forecast_day);
	proto_pack_kv_double(pk, "risk", r->risk);
	proto_pack_kv_str(pk, "level", analysis_level_name(r->level));
	proto_pack_kv_double(pk, "load", r->forecast_load);
	proto_pack_kv_double(pk, "threshold", r->threshold);
	pack_model(pk, r);
	pack_contributors(pk, r, 12);
	pack_enough(pk, r);
	glue_pack_coverage(pk, r, computed_at);
}

/* "ci95": [lo, hi], "p", "q": four keys of a finding's map. */
static void
pack_interval(msgpack_packer *pk, double lo, double hi, double p, double q)
{
	proto_pack_cstr(pk, "ci95");
	msgpack_pack_array(pk, 2);
	msgpack_pack_double(pk, lo);
	msgpack_pack_double(pk, hi);
	proto_pack_kv_double(pk, "p", p);
	proto_pack_kv_double(pk, "q", q);
}

static void
pack_finding(msgpack_packer *pk, const struct analysis_input *in, const struct analysis_result *r,
    const struct finding *f)
{
	static const char *const kinds[] = {"single", "threshold", "combination"};
	static const char *const ops[] = {"present", "<", ">="};
	msgpack_pack_map(pk, 14);
	proto_pack_kv_str(pk, "kind", kinds[f->kind]);
	proto_pack_cstr(pk, "factors");
	msgpack_pack_array(pk, f->n_conditions);
	for (size_t c = 0; c < f->n_conditions; c++)
		proto_pack_cstr(pk, in->factors[f->conditions[c].factor].name);
	proto_pack_cstr(pk, "conditions");
	bool plain = f->kind == FINDING_SINGLE;
	msgpack_pack_array(pk, plain ? 0 : f->n_conditions);
	for (size_t c = 0; !plain && c < f->n_conditions; c++) {
		msgpack_pack_map(pk, 3);
		proto_pack_kv_str(pk, "factor", in->factors[f->conditions[c].factor].name);
		proto_pack_kv_str(pk, "op", ops[f->conditions[c].op]);
		proto_pack_kv_double(pk, "value", f->conditions[c].value);
	}
	proto_pack_kv_int(pk, "lag_days", f->lag_days);
	proto_pack_kv_str(pk, "effect", f->harmful ? "harmful" : "protective");
	proto_pack_kv_double(pk, "relative_risk", f->rr);
	pack_interval(pk, f->ci_lo, f->ci_hi, f->p, f->q);
	proto_pack_kv_int(pk, "exposed_onsets", f->exposed_onsets);
	proto_pack_kv_int(pk, "exposed_days", f->exposed_days);
	proto_pack_cstr(pk, "overlaps");
	msgpack_pack_array(pk, f->n_overlaps);
	for (size_t o = 0; o < f->n_overlaps; o++)
		proto_pack_cstr(pk, in->factors[f->overlaps[o]].name);
	proto_pack_kv_bool(pk, "warning_sign", f->warning_sign);
	struct experiment_suggestion trial;
	proto_pack_cstr(pk, "trial");
	if (experiment_suggest(in, r, f, &trial)) {
		msgpack_pack_map(pk, 10);
		proto_pack_kv_str(pk, "factor", trial.factor);
		proto_pack_kv_int(pk, "cycles", trial.cycles);
		proto_pack_kv_int(pk, "days", trial.days);
		proto_pack_kv_double(pk, "rate", trial.rate);
		proto_pack_kv_double(pk, "rate_with", trial.rate_with);
		proto_pack_kv_double(pk, "at_risk_share", trial.at_risk_share);
		proto_pack_kv_double(pk, "at_risk_share_with", trial.at_risk_share_with);
		proto_pack_kv_int(pk, "comparisons", trial.comparisons);
		proto_pack_kv_int(pk, "flare_cycles", trial.flare_cycles);
		proto_pack_kv_str(pk, "text", trial.text);
	} else {
		msgpack_pack_nil(pk);
	}
}

static void
pack_findings(msgpack_packer *pk, const struct analysis_input *in, const struct analysis_result *r,
    const char *key, int which)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		int w = f->too_few_onsets ? 3 : (f->warning_sign ? 1 : (f->harmful ? 0 : 2));
		n += w == which;
	}
	proto_pack_cstr(pk, key);
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		int w = f->too_few_onsets ? 3 : (f->warning_sign ? 1 : (f->harmful ? 0 : 2));
		if (w == which)
			pack_finding(pk, in, r, f);
	}
}

static void
pack_treatments(msgpack_packer *pk, const struct analysis_input *in,
    const struct analysis_result *r)
{
	proto_pack_cstr(pk, "treatments");
	msgpack_pack_array(pk, r->n_treatments);
	for (size_t i = 0; i < r->n_treatments; i++) {
		const struct treatment_use *u = &r->treatments[i];
		msgpack_pack_map(pk, 4);
		proto_pack_kv_str(pk, "factor", in->factors[u->factor].name);
		proto_pack_kv_int(pk, "days_used", u->days_used);
		proto_pack_kv_int(pk, "days_logged", u->days_known);
		proto_pack_kv_int(pk, "of_days", r->treatment_days);
	}
}

static void
pack_levels(msgpack_packer *pk, const struct analysis_input *in, const struct analysis_result *r,
    const struct analysis_config *cfg)
{
	proto_pack_kv_int(pk, "levels_tested", (int64_t)r->levels_tested);
	proto_pack_cstr(pk, "symptom_levels");
	msgpack_pack_array(pk, r->n_levels);
	for (size_t i = 0; i < r->n_levels; i++) {
		const struct level_finding *l = &r->levels[i];
		msgpack_pack_map(pk, 11);
		proto_pack_kv_str(pk, "outcome", in->factors[l->outcome].name);
		proto_pack_kv_str(pk, "factor", in->factors[l->factor].name);
		proto_pack_kv_int(pk, "lag_days", l->lag_days);
		proto_pack_kv_double(pk, "effect", l->effect);
		proto_pack_kv_str(pk, "per", l->per_unit ? "unit" : "day_with_it");
		proto_pack_kv_double(pk, "step", l->step);
		pack_interval(pk, l->lo, l->hi, l->p, l->q);
		proto_pack_kv_int(pk, "days", l->days);
		proto_pack_kv_int(pk, "exposed_days", l->exposed_days);
	}
	proto_pack_cstr(pk, "personal_flare_level");
	if (!r->flare_level_unreached) {
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 3);
	proto_pack_kv_double(pk, "current", cfg->flare_pain_level);
	proto_pack_kv_int(pk, "days", r->flare_level_days);
	proto_pack_kv_double(pk, "suggested", r->suggested_flare_level);
}

void
glue_pack_triggers(msgpack_packer *pk, const struct analysis_input *in,
    const struct analysis_result *r, const struct analysis_config *cfg, int64_t computed_at)
{
	msgpack_pack_map(pk, 15);
	proto_pack_kv_int(pk, "days", (int64_t)r->days_with_entries);
	proto_pack_kv_int(pk, "flares", r->flares);
	proto_pack_kv_int(pk, "tested", (int64_t)r->tested);
	proto_pack_kv_double(pk, "q_max", cfg->q_max);
	pack_findings(pk, in, r, "triggers", 0);
	pack_findings(pk, in, r, "warning_signs", 1);
	pack_findings(pk, in, r, "protective", 2);
	pack_findings(pk, in, r, "not_enough_data", 3);
	pack_treatments(pk, in, r);
	pack_levels(pk, in, r, cfg);
	pack_enough(pk, r);
	glue_pack_coverage(pk, r, computed_at);
}

/* Every day where `which` holds (a flare began, or was under way), newest
 * last (at most a message's array limit), for charts of more days than the
 * backtest covers. */
static void
pack_days_where(msgpack_packer *pk, const char *key, const struct analysis_input *in,
    const struct analysis_result *r, const bool *which)
{
	size_t n = 0, skip;
	for (size_t d = 0; d < r->n_days; d++)
		n += which[d];
	skip = n > PROTO_MAX_ARRAY ? n - PROTO_MAX_ARRAY : 0;
	proto_pack_cstr(pk, key);
	msgpack_pack_array(pk, (uint32_t)(n - skip));
	for (size_t d = 0; d < r->n_days; d++) {
		if (!which[d])
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		char s[11];
		proto_day_format(in->first_day + (int32_t)d, s);
		proto_pack_cstr(pk, s);
	}
}

/* The load of every day of the diary as the final model reads it (the
 * numbers status's trend shows), newest last (at most a message's array
 * limit), so that a chart of the whole diary is one series with the
 * threshold: the backtest's days begin only after its warm-up. */
static void
pack_loads(msgpack_packer *pk, const struct analysis_input *in, const struct analysis_result *r)
{
	size_t skip = r->n_days > PROTO_MAX_ARRAY ? r->n_days - PROTO_MAX_ARRAY : 0;
	proto_pack_cstr(pk, "loads");
	msgpack_pack_map(pk, 2);
	pack_day(pk, "first", in->first_day + (int32_t)skip);
	proto_pack_cstr(pk, "values");
	msgpack_pack_array(pk, (uint32_t)(r->n_days - skip));
	for (size_t d = skip; d < r->n_days; d++) {
		if (isfinite(r->load[d]))
			msgpack_pack_double(pk, r->load[d]);
		else
			msgpack_pack_nil(pk);
	}
}

void
glue_pack_backtest(msgpack_packer *pk, const struct analysis_input *in,
    const struct analysis_result *r, int64_t computed_at)
{
	msgpack_pack_map(pk, 6);
	pack_days_where(pk, "onset_days", in, r, r->onset);
	pack_days_where(pk, "flare_days", in, r, r->in_flare);
	pack_loads(pk, in, r);
	proto_pack_cstr(pk, "days");
	msgpack_pack_array(pk, r->n_backtest);
	for (size_t i = 0; i < r->n_backtest; i++) {
		msgpack_pack_map(pk, 8);
		pack_day(pk, "date", r->backtest[i].day);
		proto_pack_kv_double(pk, "risk", r->backtest[i].risk);
		proto_pack_kv_str(pk, "level", analysis_level_name(r->backtest[i].level));
		proto_pack_kv_double(pk, "load", r->backtest[i].load);
		if (r->backtest[i].outcome < 0)
			proto_pack_kv_nil(pk, "outcome");
		else
			proto_pack_kv_int(pk, "outcome", r->backtest[i].outcome);
		/* Where flares began and lasted, for charts of the past days. */
		size_t d = (size_t)(r->backtest[i].day - in->first_day);
		bool known = r->backtest[i].day >= in->first_day && d < in->n_days;
		proto_pack_kv_bool(pk, "onset", known && r->onset[d]);
		proto_pack_kv_bool(pk, "in_flare", known && r->in_flare[d]);
		/* Every candidate's risk that evening, to compare them. */
		proto_pack_cstr(pk, "candidates");
		msgpack_pack_map(pk, FORECASTER_COUNT);
		for (int c = 0; c < FORECASTER_COUNT; c++)
			proto_pack_kv_double(pk, forecaster_name(c), r->backtest[i].candidate[c]);
	}
	const struct backtest_summary *s = &r->summary;
	proto_pack_cstr(pk, "summary");
	msgpack_pack_map(pk, 20);
	proto_pack_kv_str(pk, "model", forecaster_name(r->model));
	proto_pack_kv_bool(pk, "warning_signs_logged", r->signs_logged);
	proto_pack_kv_double(pk, "auc", s->auc);
	proto_pack_kv_double(pk, "baseline_auc", s->baseline_auc);
	proto_pack_kv_double(pk, "brier", s->brier);
	proto_pack_kv_double(pk, "brier_reference", s->brier_reference);
	proto_pack_kv_double(pk, "log_loss", s->log_loss);
	proto_pack_kv_double(pk, "baseline_log_loss", s->baseline_log_loss);
	proto_pack_cstr(pk, "calibration");
	msgpack_pack_array(pk, s->n_calibration);
	for (size_t i = 0; i < s->n_calibration; i++) {
		msgpack_pack_map(pk, 3);
		proto_pack_kv_double(pk, "predicted", s->calibration[i].predicted);
		proto_pack_kv_double(pk, "observed", s->calibration[i].observed);
		proto_pack_kv_int(pk, "days", (int64_t)s->calibration[i].days);
	}
	proto_pack_kv_int(pk, "onsets_needed", BACKTEST_MIN_ONSETS);
	proto_pack_kv_bool(pk, "risk_alerts", r->cutoffs.alerts);
	proto_pack_kv_double(pk, "watch_risk", r->cutoffs.alerts ? r->cutoffs.watch : NAN);
	proto_pack_kv_double(pk, "warning_risk", r->cutoffs.alerts && isfinite(r->cutoffs.warning) ?
	    r->cutoffs.warning : NAN);
	proto_pack_kv_int(pk, "onsets", s->onsets);
	proto_pack_kv_int(pk, "onsets_warned", s->onsets_warned);
	proto_pack_kv_double(pk, "share_warned", s->share_warned);
	proto_pack_kv_double(pk, "median_lead_days", s->median_lead_days);
	proto_pack_kv_double(pk, "false_alarms_per_30d", s->false_alarms_per_30d);
	proto_pack_kv_double(pk, "false_alarm_budget", r->cutoffs.budget > 0 ? r->cutoffs.budget : NAN);
	proto_pack_kv_int(pk, "days", (int64_t)s->days);
	glue_pack_coverage(pk, r, computed_at);
}
