/*
 * report.c: gathering the report and wording it (see report.h).
 *
 * Everything comes from methods other commands use: status (today, the
 * threshold, the last weeks), triggers (findings and warning signs),
 * backtest (the load of every day, and how the forecasts did), factors
 * (which ones are medicines) and export (what was logged each day). The
 * words follow simmer's rule: associations with their strength, their
 * certainty and the number of flares behind them, never causes.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn.h"
#include "client/render.h"
#include "client/report.h"
#include "client/when.h"

/* A factor logged on fewer days than this in the period cannot be
 * compared with the days without it. */
#define REPORT_SPARSE_DAYS 10

const struct report_section report_finding_sections[REPORT_FINDING_SECTIONS] = {
	{"Associated with more flares", "triggers", "Nothing stands out clearly enough yet."},
	{"Warning signs (symptoms that tend to rise before a flare)", "warning_signs",
	    "None found yet."},
	{"Associated with fewer flares", "protective", "None found yet."},
};

int
report_parse_args(int argc, char **argv, long *days, const char **html)
{
	*days = REPORT_DEFAULT_DAYS;
	*html = NULL;
	for (int i = 0; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--days") == 0 && next) {
			char *end;
			*days = strtol(next, &end, 10);
			if (*end != '\0' || *days < 7 || *days > REPORT_MAX_DAYS) {
				client_error("--days takes a number from 7 to %d", REPORT_MAX_DAYS);
				return -SIMMER_E_USAGE;
			}
			i++;
		} else if (strcmp(argv[i], "--html") == 0 && next) {
			*html = next;
			i++;
		} else {
			client_error("report: unknown argument '%s' (--days N, --html FILE)", argv[i]);
			return -SIMMER_E_USAGE;
		}
	}
	return 0;
}

void
report_day_text(int32_t day, char out[11])
{
	proto_day_format(day, out);
}

static double
jnum(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int32_t
jday(const json_t *o, const char *key)
{
	int32_t d;
	return proto_day_parse(jstr(o, key), &d) == 0 ? d : INT32_MIN;
}

/* Calls a method with no params and keeps its result as JSON. */
static int
call_json(struct client_conn *c, const char *method, pack_params_fn pack, const void *arg,
    json_t **out)
{
	struct proto_msg msg;
	char err[PROTO_MESSAGE_MAX];
	int rc = conn_call(c, method, pack, arg, &msg, err, sizeof err);
	if (rc != 0) {
		client_error("%s: %s", method, err);
		return rc;
	}
	*out = render_to_json(msg.result);
	proto_msg_free(&msg);
	if (*out == NULL) {
		client_error("out of memory");
		return -SIMMER_E_SYSTEM;
	}
	return 0;
}

static struct report_day *
day_at(struct report *r, int32_t day)
{
	if (day < r->first_day || day > r->last_day)
		return NULL;
	return &r->days[day - r->first_day];
}

/* The load of each day, from the backtest reply's whole-diary series: the
 * same numbers as status's trend, read by the model whose threshold the
 * chart draws, so the line and the threshold are one picture. */
static void
fill_loads(struct report *r)
{
	const json_t *loads = json_object_get(r->backtest, "loads");
	int32_t first = jday(loads, "first");
	if (first == INT32_MIN)
		return;
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(loads, "values"), i, v) {
		struct report_day *rd = day_at(r, first + (int32_t)i);
		if (rd != NULL && json_is_number(v))
			rd->load = json_number_value(v);
	}
}

/* Marks each report day a list of dates names as a flare's first day, or
 * as a day of a flare. */
static void
mark_days(struct report *r, const json_t *dates, bool flare_day)
{
	size_t i;
	const json_t *d;
	json_array_foreach(dates, i, d) {
		int32_t day;
		struct report_day *rd = json_is_string(d) && proto_day_parse(json_string_value(d),
		    &day) == 0 ? day_at(r, day) : NULL;
		if (rd != NULL && flare_day)
			rd->in_flare = true;
		else if (rd != NULL)
			rd->onset = true;
	}
}

/* Loads, onsets and flare days from backtest and status. */
static void
fill_days(struct report *r)
{
	fill_loads(r);
	const json_t *bdays = json_object_get(r->backtest, "days");
	size_t i;
	const json_t *d;
	json_array_foreach(bdays, i, d) {
		struct report_day *rd = day_at(r, jday(d, "date"));
		if (rd == NULL || !json_is_boolean(json_object_get(d, "onset")))
			continue;
		r->onsets_known = true;
		rd->onset = json_is_true(json_object_get(d, "onset"));
		rd->in_flare = json_is_true(json_object_get(d, "in_flare"));
	}
	/* Onsets and flare days before the backtest's first evening come from
	 * the whole diary's lists. */
	const json_t *onset_days = json_object_get(r->backtest, "onset_days");
	if (json_is_array(onset_days))
		r->onsets_known = true;
	mark_days(r, onset_days, false);
	mark_days(r, json_object_get(r->backtest, "flare_days"), true);
	json_array_foreach(json_object_get(r->status, "trend"), i, d) {
		struct report_day *rd = day_at(r, jday(d, "date"));
		if (rd != NULL && json_is_boolean(json_object_get(d, "onset"))) {
			rd->onset = json_is_true(json_object_get(d, "onset"));
			rd->in_flare = json_is_true(json_object_get(d, "in_flare"));
		}
	}
}

/* Medicines: the treatment role, NSAIDs by name or class. */
struct factor_info {
	char name[PROTO_FACTOR_MAX + 1];
	bool medicine, nsaid, exposure;
	bool per_entry;          /* a drug logged in mg: each entry is one dose */
	unsigned days;
	int32_t last_day;
	int medicine_index;
};

static struct factor_info *
factor_table(const json_t *factors, size_t *n)
{
	const json_t *list = json_object_get(factors, "factors");
	*n = json_array_size(list);
	struct factor_info *t = calloc(*n ? *n : 1, sizeof *t);
	if (t == NULL)
		return NULL;
	size_t i;
	const json_t *f;
	json_array_foreach(list, i, f) {
		snprintf(t[i].name, sizeof t[i].name, "%s", jstr(f, "name"));
		const char *role = jstr(f, "role"), *counts_as = jstr(f, "counts_as");
		t[i].nsaid = strcmp(t[i].name, "nsaid") == 0 || strcmp(counts_as, "nsaid") == 0;
		t[i].per_entry = counts_as[0] != '\0';
		t[i].medicine = t[i].nsaid || strcmp(role, "treatment") == 0 || counts_as[0];
		t[i].exposure = strcmp(role, "exposure") == 0 && !t[i].medicine;
		t[i].last_day = INT32_MIN;
		t[i].medicine_index = -1;
	}
	return t;
}

static struct factor_info *
factor_lookup(struct factor_info *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

static void
count_medicine(struct report *r, struct factor_info *fi, const struct entry *e, int32_t day)
{
	if (fi->medicine_index < 0 && r->n_medicines < REPORT_MAX_MEDICINES) {
		fi->medicine_index = (int)r->n_medicines++;
		struct report_medicine *m = &r->medicines[fi->medicine_index];
		snprintf(m->name, sizeof m->name, "%s", fi->name);
		m->nsaid = fi->nsaid;
	}
	if (fi->medicine_index < 0)
		return;
	struct report_medicine *m = &r->medicines[fi->medicine_index];
	m->doses += fi->per_entry ? 1 : e->value;
	if (fi->last_day != day) {
		m->days++;
		if (day > r->last_day - 30)
			m->recent_days++;
	}
}

static void
take_entry(struct report *r, struct factor_info *t, size_t n, const struct entry *e)
{
	int32_t day = e->day >= 0 ? e->day : proto_local_day(e->time_ms, e->utc_offset_min, 4);
	struct report_day *rd = day_at(r, day);
	if (rd == NULL)
		return;
	rd->entries = true;
	if (!r->onsets_known && strcmp(e->factor, "flare") == 0 && e->value > 0)
		rd->onset = true;
	struct factor_info *fi = factor_lookup(t, n, e->factor);
	if (fi == NULL)
		return;
	if (fi->medicine) {
		rd->medicine = true;
		rd->nsaid |= fi->nsaid;
		if (fi->nsaid)
			r->nsaid_doses += fi->per_entry ? 1 : e->value;
		count_medicine(r, fi, e, day);
	}
	if (fi->last_day != day)
		fi->days++;
	fi->last_day = day;
}

struct entry_sink {
	struct report *r;
	struct factor_info *factors;
	size_t n;
};

static void
take_exported(const struct entry *e, void *arg)
{
	struct entry_sink *sink = arg;
	take_entry(sink->r, sink->factors, sink->n, e);
}

/* Reads the period's entries. */
static int
read_entries(struct report *r, struct client_conn *c, struct factor_info *t, size_t n)
{
	/* A day's entries can lie up to 14 hours before its UTC midnight (a
	 * far-east offset); take_entry() drops those of other days. */
	int64_t since = ((int64_t)r->first_day * 86400 - 14 * 3600) * 1000;
	struct entry_sink sink = {r, t, n};
	char err[PROTO_MESSAGE_MAX];
	int rc = client_export_each(c, true, since, take_exported, &sink, err, sizeof err);
	if (rc != 0) {
		client_error("export: %s", err);
		return rc;
	}
	return 0;
}

static void
summarize(struct report *r, const struct factor_info *t, size_t n)
{
	for (size_t i = 0; i < r->n_days; i++) {
		const struct report_day *d = &r->days[i];
		bool recent = d->day > r->last_day - 30;
		r->days_with_entries += d->entries;
		r->onsets += d->onset;
		r->nsaid_days += d->nsaid;
		r->medicine_days += d->medicine;
		r->nsaid_recent_days += d->nsaid && recent;
		r->recent_days += recent;
	}
	for (size_t i = 0; i < n && r->n_sparse < sizeof r->sparse / sizeof r->sparse[0]; i++) {
		if (!t[i].exposure || t[i].days == 0 || t[i].days >= REPORT_SPARSE_DAYS)
			continue;
		snprintf(r->sparse[r->n_sparse], sizeof r->sparse[0], "%s", t[i].name);
		r->sparse_days[r->n_sparse++] = t[i].days;
	}
}

int
report_gather(const struct options *o, long days, struct report *r)
{
	memset(r, 0, sizeof *r);
	struct client_conn c;
	int rc = client_connect(o, &c);
	if (rc != 0)
		return rc;
	json_t *factors = NULL;
	rc = call_json(&c, PROTO_M_STATUS, NULL, NULL, &r->status);
	if (rc == 0)
		rc = call_json(&c, PROTO_M_TRIGGERS, NULL, NULL, &r->triggers);
	if (rc == 0)
		rc = call_json(&c, PROTO_M_BACKTEST, NULL, NULL, &r->backtest);
	if (rc == 0)
		rc = call_json(&c, PROTO_M_FACTORS, NULL, NULL, &factors);
	if (rc == 0)
		rc = call_json(&c, PROTO_M_EXPERIMENT_LIST, NULL, NULL, &r->experiments);
	if (rc == 0) {
		const json_t *cov = json_object_get(r->status, "coverage");
		r->last_day = jday(r->status, "date");
		if (r->last_day == INT32_MIN)
			r->last_day = proto_local_day(client_now_ms(), proto_local_offset(client_now_ms()), 4);
		r->first_day = r->last_day - (int32_t)days + 1;
		int32_t first_logged = jday(cov, "first_day");
		if (first_logged != INT32_MIN && first_logged > r->first_day && first_logged <= r->last_day)
			r->first_day = first_logged;
		r->n_days = (size_t)(r->last_day - r->first_day + 1);
		r->days = calloc(r->n_days, sizeof *r->days);
		r->threshold = jnum(r->status, "threshold");
		r->threshold_personal = strcmp(jstr(r->status, "threshold_source"), "personal") == 0;
		if (r->days == NULL) {
			client_error("out of memory");
			rc = -SIMMER_E_SYSTEM;
		}
	}
	size_t n = 0;
	struct factor_info *t = rc == 0 ? factor_table(factors, &n) : NULL;
	if (rc == 0 && t == NULL) {
		client_error("out of memory");
		rc = -SIMMER_E_SYSTEM;
	}
	if (rc == 0) {
		for (size_t i = 0; i < r->n_days; i++) {
			r->days[i].day = r->first_day + (int32_t)i;
			r->days[i].load = NAN;
		}
		fill_days(r);
		rc = read_entries(r, &c, t, n);
	}
	if (rc == 0)
		summarize(r, t, n);
	free(t);
	json_decref(factors);
	conn_close(&c);
	return rc;
}

void
report_free(struct report *r)
{
	free(r->days);
	json_decref(r->status);
	json_decref(r->triggers);
	json_decref(r->backtest);
	json_decref(r->experiments);
	memset(r, 0, sizeof *r);
}

/* "dairy", "sleep_hours under 6", "dairy together with alcohol". */
void
report_finding_what(const json_t *f, char *out, size_t outlen)
{
	out[0] = '\0';
	const json_t *conds = json_object_get(f, "conditions");
	size_t i;
	const json_t *c;
	if (json_array_size(conds) > 0) {
		json_array_foreach(conds, i, c) {
			const char *op = jstr(c, "op");
			char v[32];
			render_number(v, sizeof v, jnum(c, "value"));
			const char *word = strcmp(op, "<") == 0 ? "under" : strcmp(op, "<=") == 0 ?
			    "at most" : strcmp(op, ">=") == 0 ? "at least" : strcmp(op, ">") == 0 ?
			    "over" : NULL;
			size_t len = strlen(out);
			if (word != NULL)
				snprintf(out + len, outlen - len, "%s%s %s %s", i ? " together with " : "",
				    jstr(c, "factor"), word, v);
			else
				snprintf(out + len, outlen - len, "%s%s", i ? " together with " : "",
				    jstr(c, "factor"));
		}
		return;
	}
	json_array_foreach(json_object_get(f, "factors"), i, c) {
		size_t len = strlen(out);
		snprintf(out + len, outlen - len, "%s%s", i ? " together with " : "",
		    json_string_value(c) ? json_string_value(c) : "");
	}
}

void
report_finding_when(const json_t *f, char *out, size_t outlen)
{
	static const char *const lags[] = {"the same day", "the day before", "two days before",
	    "three days before"};
	double lag = jnum(f, "lag_days");
	if (lag >= 0 && lag <= 3)
		snprintf(out, outlen, "%s", lags[(int)lag]);
	else
		snprintf(out, outlen, "%g days before", lag);
}

void
report_finding_strength(const json_t *f, char *out, size_t outlen)
{
	double rr = jnum(f, "relative_risk");
	if (!isfinite(rr)) {
		snprintf(out, outlen, "a difference in the flare rate");
	} else if (rr >= 1.95) {
		snprintf(out, outlen, "about %.0f times the usual flare rate", rr);
	} else if (rr >= 1) {
		snprintf(out, outlen, "about %.1f times the usual flare rate", rr);
	} else {
		snprintf(out, outlen, "about %.0f%% fewer flares than usual", (1 - rr) * 100);
	}
}

void
report_finding_certainty(const json_t *f, char *out, size_t outlen)
{
	double q = jnum(f, "q"), onsets = jnum(f, "exposed_onsets");
	const json_t *ci = json_object_get(f, "ci95");
	double lo = json_number_value(json_array_get(ci, 0));
	double hi = json_number_value(json_array_get(ci, 1));
	bool far_from_one = (lo > 1.5) || (hi > 0 && hi < 0.67);
	const char *word = q <= 0.01 && far_from_one && onsets >= 8 ? "quite certain" :
	    q <= 0.05 ? "fairly certain" : "uncertain";
	snprintf(out, outlen, "%s, %g %s", word, onsets, onsets == 1 ? "flare" : "flares");
}

void
report_finding_sentence(const json_t *f, char *out, size_t outlen)
{
	char what[256], when[40], strength[80], certainty[80];
	report_finding_what(f, what, sizeof what);
	report_finding_when(f, when, sizeof when);
	report_finding_strength(f, strength, sizeof strength);
	report_finding_certainty(f, certainty, sizeof certainty);
	snprintf(out, outlen, "%s, %s: %s; %s", what, when, strength, certainty);
}

bool
report_finding_trial(const json_t *f, char *out, size_t outlen)
{
	const char *text = jstr(json_object_get(f, "trial"), "text");
	if (text[0] == '\0')
		return false;
	snprintf(out, outlen, "%s", text);
	return true;
}

size_t
report_experiments(const struct report *r, char lines[][REPORT_EXPERIMENT_TEXT], size_t max)
{
	const json_t *list = json_object_get(r->experiments, "experiments");
	size_t n = 0, i;
	const json_t *x;
	json_array_foreach(list, i, x) {
		if (n == max)
			break;
		char breaks[200] = "";
		double nb = jnum(x, "breaks");
		if (nb > 0) {
			size_t len = (size_t)snprintf(breaks, sizeof breaks, " %s was logged on %g day%s "
			    "of the elimination (", jstr(x, "factor"), nb, nb == 1 ? "" : "s");
			size_t k;
			const json_t *d;
			json_array_foreach(json_object_get(x, "break_days"), k, d) {
				if (len >= sizeof breaks - 16)
					break;
				len += (size_t)snprintf(breaks + len, sizeof breaks - len, "%s%s", k ? ", " : "",
				    json_string_value(d));
			}
			snprintf(breaks + len, sizeof breaks - len, ").");
		}
		const char *phase = jstr(x, "phase");
		bool over = strcmp(phase, "finished") == 0 || strcmp(phase, "stopped") == 0;
		char times[40] = "";
		if (jnum(x, "cycles") > 1)
			snprintf(times, sizeof times, " %g times over,", jnum(x, "cycles"));
		snprintf(lines[n++], REPORT_EXPERIMENT_TEXT, "%s, %s to %s (%g days without, %g with,%s "
		    "%g watching%s): %s.%s", jstr(x, "factor"), jstr(x, "start"), jstr(x, "end"),
		    jnum(x, "eliminate_days"), jnum(x, "reintroduce_days"), times, jnum(x, "washout_days"),
		    strcmp(phase, "stopped") == 0 ? ", stopped early" : "",
		    over ? jstr(x, "verdict_text") : jstr(x, "phase_text"), breaks);
	}
	return n;
}

void
report_nsaid_sentence(const struct report *r, char *out, size_t outlen)
{
	snprintf(out, outlen, "NSAIDs on %u of %zu days (%.0f%%), %g %s; on %u of the last %u "
	    "days.", r->nsaid_days, r->n_days, 100.0 * r->nsaid_days / (double)r->n_days,
	    r->nsaid_doses, r->nsaid_doses == 1 ? "dose" : "doses", r->nsaid_recent_days,
	    r->recent_days);
}

size_t
report_limits(const struct report *r, char lines[][400], size_t max)
{
	size_t n = 0;
	bool enough = !json_is_false(json_object_get(r->triggers, "enough_data"));
	const char *msg = jstr(r->triggers, "message");
	if (!enough && msg[0] && n < max)
		snprintf(lines[n++], 400, "%s", msg);
	if (!r->threshold_personal && n < max)
		snprintf(lines[n++], 400, "The alert threshold is a starting value: simmer learns "
		    "yours once there are 28 days with entries and 3 flares.");
	size_t weak = json_array_size(json_object_get(r->triggers, "not_enough_data"));
	if (weak > 0 && n < max)
		snprintf(lines[n++], 400, "%zu %s, but %s on fewer than 3 flares: more days are "
		    "needed to tell.", weak, weak == 1 ? "pattern looks possible" :
		    "patterns look possible", weak == 1 ? "it rests" : "they rest");
	unsigned missing = (unsigned)r->n_days - r->days_with_entries;
	if (missing > 0 && n < max)
		snprintf(lines[n++], 400, "%u of the %zu days %s no entries; simmer counts %s as "
		    "unknown, not as %s without a flare.", missing, r->n_days, missing == 1 ? "has" :
		    "have", missing == 1 ? "it" : "them", missing == 1 ? "a day" : "days");
	for (size_t i = 0; i < r->n_sparse && n < max; i++)
		snprintf(lines[n++], 400, "%s was logged on only %u %s: too few to compare with "
		    "the days without it.", r->sparse[i], r->sparse_days[i],
		    r->sparse_days[i] == 1 ? "day" : "days");
	const json_t *s = json_object_get(r->backtest, "summary");
	if (!isfinite(jnum(s, "auc")) && n < max)
		snprintf(lines[n++], 400, "How far to trust the forecasts cannot be said yet: the "
		    "past days hold too few flares to test them on.");
	if (n < max)
		snprintf(lines[n++], 400, "simmer sees only what is logged: medicines, sleep or "
		    "meals that were not entered, and anything outside the diary, are invisible "
		    "to it.");
	return n;
}

size_t
report_levels(const struct report *r, char lines[][400], size_t max)
{
	static const char *const lags[] = {"the same day as", "a day after", "two days after",
	    "three days after"};
	size_t n = 0;
	const json_t *list = json_object_get(r->triggers, "symptom_levels"), *l;
	size_t i;
	json_array_foreach(list, i, l) {
		if (n == max)
			break;
		double lag = jnum(l, "lag_days"), step = jnum(l, "step");
		double effect = jnum(l, "effect");
		const json_t *ci = json_object_get(l, "ci95");
		double lo = json_number_value(json_array_get(ci, 0));
		double hi = json_number_value(json_array_get(ci, 1));
		bool unit = strcmp(jstr(l, "per"), "unit") == 0;
		if (!unit || !(step > 0))
			step = 1;
		char per[80];
		if (unit)
			snprintf(per, sizeof per, "for each %g more %.40s", step, jstr(l, "factor"));
		else
			snprintf(per, sizeof per, "on days with it");
		snprintf(lines[n++], 400, "%s %s %s: about %.1f %s %s (95%% interval %+.1f to "
		    "%+.1f points), from %g days between flares.", jstr(l, "outcome"),
		    lag >= 0 && lag <= 3 ? lags[(int)lag] : "days after", jstr(l, "factor"),
		    fabs(effect * step), effect >= 0 ? "points higher" : "points lower", per,
		    lo * step, hi * step, jnum(l, "days"));
	}
	const json_t *pl = json_object_get(r->triggers, "personal_flare_level");
	if (json_is_object(pl) && n < max)
		snprintf(lines[n++], 400, "Pain has not reached the flare level (%g) on any of the "
		    "last %g days with a pain entry; a personal level from this diary would be %g "
		    "(its top tenth).", jnum(pl, "current"), jnum(pl, "days"), jnum(pl, "suggested"));
	return n;
}

size_t
report_track_record(const struct report *r, char lines[][400], size_t max)
{
	const json_t *s = json_object_get(r->backtest, "summary");
	double auc = jnum(s, "auc"), base = jnum(s, "baseline_auc");
	double brier = jnum(s, "brier"), ref = jnum(s, "brier_reference");
	double days = jnum(s, "days"), onsets = jnum(s, "onsets"), warned = jnum(s, "onsets_warned");
	double lead = jnum(s, "median_lead_days"), fa = jnum(s, "false_alarms_per_30d");
	double needed = jnum(s, "onsets_needed");
	size_t n = 0;
	if (!(days > 0)) {
		if (n < max)
			snprintf(lines[n++], 400, "There are no past evenings to test the forecasts on "
			    "yet.");
		return n;
	}
	if (n < max)
		snprintf(lines[n++], 400, "Tested on %g past evenings with %g flare %s: each "
		    "evening's forecast was made from the days before it only.", days, onsets,
		    onsets == 1 ? "onset" : "onsets");
	if (onsets < needed) {
		if (n < max)
			snprintf(lines[n++], 400, "That is fewer than the %g onsets needed to judge the "
			    "forecasts: the figures are not worth trusting yet.", needed);
		return n;
	}
	if (isfinite(auc) && n < max) {
		char basetext[160] = "";
		bool signs = !json_is_false(json_object_get(s, "warning_signs_logged"));
		if (isfinite(base))
			snprintf(basetext, sizeof basetext, "; the simple rule, %s, scores %.2f on the "
			    "same evenings", signs ? "the evening's warning signs alone" :
			    "the average rate (no symptom scale is logged)", base);
		snprintf(lines[n++], 400, "Ranking: the evenings before a flare got a higher risk "
		    "than others %.0f%% of the time (AUC %.2f; 0.50 is chance%s).", auc * 100, auc,
		    basetext);
	}
	if (isfinite(brier) && isfinite(ref) && n < max)
		snprintf(lines[n++], 400, "Accuracy: Brier score %.3f, against %.3f for always "
		    "saying the diary's average risk (lower is better).", brier, ref);
	if (onsets > 0 && n < max) {
		char leadtext[80] = "";
		if (isfinite(lead))
			snprintf(leadtext, sizeof leadtext, ", a median %.1f days ahead", lead);
		snprintf(lines[n++], 400, "Warnings: %g of %g flares had a warning within the 48 "
		    "hours before (%.0f%%)%s.", warned, onsets, 100 * warned / onsets, leadtext);
	}
	if (isfinite(fa) && n < max)
		snprintf(lines[n++], 400, "False alarms: %.1f per 30 days.", fa);
	if (json_is_false(json_object_get(s, "risk_alerts")) && n < max)
		snprintf(lines[n++], 400, "Risk alerts are off for now: no warning level kept false "
		    "alarms within the budget and was followed by flares more often than average.");
	return n;
}

int
cmd_report(const struct options *o, int argc, char **argv)
{
	long days;
	const char *html;
	int rc = report_parse_args(argc, argv, &days, &html);
	if (rc != 0)
		return rc;
	struct report r;
	rc = report_gather(o, days, &r);
	if (rc != 0) {
		report_free(&r);
		return rc;
	}
	if (html == NULL) {
		report_print_text(stdout, &r);
		report_free(&r);
		return 0;
	}
	FILE *out = strcmp(html, "-") == 0 ? stdout : fopen(html, "w");
	if (out == NULL) {
		client_error("cannot write %s: %s", html, strerror(errno));
		report_free(&r);
		return -SIMMER_E_CANT_CREATE;
	}
	rc = report_write_html(out, &r);
	if (out != stdout && fclose(out) != 0)
		rc = -1;
	report_free(&r);
	if (rc != 0) {
		client_error("cannot write %s", html);
		return -SIMMER_E_IO;
	}
	if (out != stdout)
		printf("wrote %s (%s to print or to hand over)\n", html, "open it in a browser");
	return 0;
}
