/*
 * showtext.c: words for the analysis and alert replies (see show.h).
 *
 * The wording shows associations with their uncertainty and the amount of
 * data behind them, never a cause or a diagnosis; "not enough data yet" is
 * a normal answer.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client/refused.h"
#include "client/render.h"
#include "client/show.h"
#include "client/when.h"

static void
pack_limit(msgpack_packer *pk, const void *arg)
{
	const struct show_request *r = arg;
	msgpack_pack_map(pk, 1);
	proto_pack_kv_int(pk, "limit", r->limit);
}

int
show_parse_args(const char *method, int argc, char **argv, struct show_request *req)
{
	memset(req, 0, sizeof *req);
	req->method = method;
	if (strcmp(method, PROTO_M_STATUS) == 0) {
		for (int i = 0; i < argc; i++) {
			const char *f = NULL;
			if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
				f = argv[++i];
			else if (strncmp(argv[i], "--format=", 9) == 0)
				f = argv[i] + 9;
			if (f == NULL || (strcmp(f, "text") != 0 && strcmp(f, "waybar") != 0)) {
				client_error("usage: simmer status [--format text|waybar]");
				return -SIMMER_E_USAGE;
			}
			req->waybar = strcmp(f, "waybar") == 0;
		}
		return 0;
	}
	if (strcmp(method, PROTO_M_ALERTS) == 0) {
		req->limit = 20;
		for (int i = 0; i < argc; i++) {
			if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
				req->limit = strtol(argv[++i], NULL, 10);
				if (req->limit < 1 || req->limit > 1000) {
					client_error("--limit takes a number from 1 to 1000");
					return -SIMMER_E_USAGE;
				}
			} else {
				client_error("alerts: unknown argument '%s'", argv[i]);
				return -SIMMER_E_USAGE;
			}
		}
		req->pack = pack_limit;
		return 0;
	}
	if (argc != 0) {
		client_error("%s takes no arguments", method);
		return -SIMMER_E_USAGE;
	}
	return 0;
}

static double
num(const msgpack_object *m, const char *key)
{
	double v = NAN;
	char err[8];
	proto_get_double(m, key, false, &v, err, sizeof err);
	return v;
}

static const char *
str(const msgpack_object *m, const char *key, char *buf, size_t len)
{
	char err[8];
	buf[0] = '\0';
	proto_get_str(m, key, false, buf, len, err, sizeof err);
	return buf;
}

/* A line of up to a few sentences, wrapped. */
static void
sayf(FILE *out, int indent, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
sayf(FILE *out, int indent, const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	render_wrap(out, text, indent, indent);
}

/* No entry at all: say so and what to log first, instead of figures. */
static bool
show_empty_diary(FILE *out, const msgpack_object *result)
{
	const msgpack_object *cov = proto_map_get(result, "coverage");
	if (cov == NULL || num(cov, "days") > 0)
		return false;
	sayf(out, 0, "No entries yet, so there is nothing to show. Log how you are now, as in "
	    "'simmer pain 4 stress 3 sleep 7', and a few words each day; simmer learns your "
	    "patterns from about four weeks and three flares.");
	return true;
}

static void
show_coverage(FILE *out, const msgpack_object *result)
{
	const msgpack_object *cov = proto_map_get(result, "coverage");
	if (cov == NULL)
		return;
	char first[16], last[16];
	double days = num(cov, "days"), flares = num(cov, "flares");
	sayf(out, 0, "Based on %g %s with entries (%s to %s) and %g %s (from flare entries, and "
	    "from pain reaching the flare level after two lower days).", days,
	    days == 1 ? "day" : "days", str(cov, "first_day", first, sizeof first),
	    str(cov, "last_day", last, sizeof last), flares, flares == 1 ? "flare" : "flares");
}

/* Says the text under `text_key`, then `tail`, when the flag `flag` is
 * false (`missing` when it is not there) and the text is not empty. */
static void
say_unless(FILE *out, const msgpack_object *result, const char *flag, bool missing,
    const char *text_key, const char *tail)
{
	bool on = missing;
	char err[8], text[512];
	proto_get_bool(result, flag, false, &on, err, sizeof err);
	if (!on && str(result, text_key, text, sizeof text)[0])
		sayf(out, 0, "%s%s", text, tail);
}

static void
show_message(FILE *out, const msgpack_object *result)
{
	say_unless(out, result, "enough_data", true, "message", "");
}

static void
show_contributors(FILE *out, const msgpack_object *result, size_t max, bool sentences)
{
	const msgpack_object *list = proto_map_get(result, "contributors");
	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size == 0) {
		if (sentences)
			fprintf(out, "Nothing in your recent entries stands out.\n");
		return;
	}
	size_t shown = 0;
	for (uint32_t i = 0; i < list->via.array.size && shown < max; i++) {
		const msgpack_object *c = &list->via.array.ptr[i];
		char factor[40], detail[200], source[24], line[512];
		double v = num(c, "contribution");
		/* In words, only what clearly moves the risk. */
		if (sentences && !(fabs(v) >= 0.05))
			continue;
		if (!sentences && shown == 0)
			fprintf(out, "What moves the forecast most (log-odds; + raises it):\n");
		shown++;
		str(c, "factor", factor, sizeof factor);
		str(c, "detail", detail, sizeof detail);
		str(c, "source", source, sizeof source);
		if (sentences) {
			snprintf(line, sizeof line, "- %s (%s) %s your risk estimate%s%s.", factor,
			    source[0] ? source : "input", v >= 0 ? "raises" : "lowers", detail[0] ? ": " : "",
			    detail);
			render_wrap(out, line, 0, 2);
		} else {
			snprintf(line, sizeof line, "%-18s %+5.2f  %-13s %s", factor, v, source, detail);
			render_wrap(out, line, 2, 43);
		}
	}
}

static void
show_risk_alerts(FILE *out, const msgpack_object *r)
{
	say_unless(out, r, "risk_alerts", false, "risk_alerts_note",
	    " Red-flag symptoms always raise an alert.");
}

/* The level in colour on a terminal. */
static const char *
level_sgr(FILE *out, const char *level)
{
	if (strcmp(level, "warning") == 0)
		return render_sgr(out, SGR_RED);
	if (strcmp(level, "watch") == 0)
		return render_sgr(out, SGR_YELLOW);
	return render_sgr(out, SGR_GREEN);
}

/*
 * One of the eight block heights for a day's load. The threshold sits
 * between the fifth and sixth, so that ▆, ▇ and █ are the days at or above
 * it, whatever its value.
 */
static int
spark_level(double load, double threshold)
{
	if (!isfinite(load) || !(threshold > 0))
		return 0;
	if (load < threshold) {
		int lv = (int)(load / threshold * 5);
		return lv < 0 ? 0 : (lv > 4 ? 4 : lv);
	}
	int lv = 5 + (int)((load - threshold) / (threshold / 3));
	return lv > 7 ? 7 : lv;
}

static void
show_chart(FILE *out, const msgpack_object *trend, double threshold)
{
	static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	uint32_t n = trend->via.array.size;
	char first[16] = "", last[16] = "";
	str(&trend->via.array.ptr[0], "date", first, sizeof first);
	str(&trend->via.array.ptr[n - 1], "date", last, sizeof last);
	fprintf(out, "Load, last %u %s (%s to %s); ▆▇█ at or above the threshold:\n", n,
	    n == 1 ? "day" : "days", first + 5, last + 5);
	bool any_flare = false;
	fprintf(out, "  ");
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *day = &trend->via.array.ptr[i];
		bool entries = true, onset = false, in_flare = false;
		char err[8];
		proto_get_bool(day, "entries", false, &entries, err, sizeof err);
		proto_get_bool(day, "onset", false, &onset, err, sizeof err);
		proto_get_bool(day, "in_flare", false, &in_flare, err, sizeof err);
		any_flare |= onset || in_flare;
		int lv = spark_level(num(day, "load"), threshold);
		fprintf(out, "%s%s%s", lv >= 5 ? render_sgr(out, SGR_RED) : "", blocks[lv],
		    lv >= 5 ? render_sgr(out, SGR_RESET) : "");
	}
	fprintf(out, "\n");
	if (!any_flare)
		return;
	fprintf(out, "  ");
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *day = &trend->via.array.ptr[i];
		bool onset = false, in_flare = false;
		char err[8];
		proto_get_bool(day, "onset", false, &onset, err, sizeof err);
		proto_get_bool(day, "in_flare", false, &in_flare, err, sizeof err);
		fputc(onset ? '^' : (in_flare ? '-' : ' '), out);
	}
	fprintf(out, "  ^ a flare began, - flare days\n");
}

/* A diary gone quiet: everything shown is as of its last entry. */
static void
show_stale(FILE *out, const msgpack_object *r, const char *date)
{
	bool stale = false;
	char err[8], last_entry[16];
	proto_get_bool(r, "stale", false, &stale, err, sizeof err);
	if (stale)
		sayf(out, 0, "No entries since %s; this is as of %s.",
		    str(r, "last_entry", last_entry, sizeof last_entry), date);
}

/* What status and forecast both open with: the day, its level, the chance
 * in words and the forecaster, after the notice of stale data and of a
 * flare under way, if any. */
struct day_head {
	char date[16], level[16], model[48], chance[32];
	char by[160];       /* what made the forecast, in words */
	const char *record; /* where its record is, once it has one */
	double load, threshold;
};

/* Whether the diary has a symptom scale for the warning signs to read
 * (older daemons do not say: taken as yes). */
static bool
signs_logged(const msgpack_object *m)
{
	bool logged = true;
	char err[8];
	proto_get_bool(m, "warning_signs_logged", false, &logged, err, sizeof err);
	return logged;
}

/* The forecaster in words: the warning signs are the person's average
 * rate when no symptom scale is logged, and say so. */
static const char *
model_words(const msgpack_object *m, const char *model)
{
	if (signs_logged(m))
		return model;
	if (strcmp(model, "warning signs") == 0)
		return "your average rate, as no symptom scale is logged";
	if (strcmp(model, "warning signs and full model") == 0)
		return "the full model, taken halfway to your average rate, as no symptom scale is "
		    "logged";
	return model;
}

/* What made today's forecast: the starting curve of the load until a
 * forecaster is calibrated on the person's history, then the forecaster. */
static void
forecast_by(const msgpack_object *m, struct day_head *h)
{
	bool calibrated = true;
	char err[8];
	proto_get_bool(m, "calibrated", false, &calibrated, err, sizeof err);
	if (!calibrated)
		snprintf(h->by, sizeof h->by, "starting values (your load against the alert "
		    "threshold), until your own history can calibrate a forecast");
	else
		snprintf(h->by, sizeof h->by, "%s", model_words(m, h->model));
	h->record = calibrated ? " (see simmer backtest for its record)" : "";
}

static void
show_day_head(FILE *out, const msgpack_object *r, struct day_head *h)
{
	h->load = num(r, "load");
	h->threshold = num(r, "threshold");
	str(r, "date", h->date, sizeof h->date);
	str(r, "level", h->level, sizeof h->level);
	str(r, "model", h->model, sizeof h->model);
	forecast_by(r, h);
	proto_risk_words(num(r, "risk"), h->chance, sizeof h->chance);
	show_stale(out, r, h->date);
	if (num(r, "open_days") == 0)
		sayf(out, 0, "A flare is under way (pain at your flare level on %s): a new one is "
		    "counted only after pain has stayed lower for two days, so nothing moves this "
		    "forecast until then.", h->date);
}

static void
show_status(FILE *out, const msgpack_object *r)
{
	struct day_head h;
	char source[16];
	show_day_head(out, r, &h);
	const char *date = h.date, *level = h.level, *model = h.model, *chance = h.chance;
	double load = h.load, threshold = h.threshold;
	bool prior = strcmp(str(r, "threshold_source", source, sizeof source), "prior") == 0;
	fprintf(out, "%s: level %s%s%s\n", date, level_sgr(out, level), level,
	    render_sgr(out, SGR_RESET));
	sayf(out, 2, "chance that a flare begins within 48 hours: %s", chance);
	if (isfinite(load) && isfinite(threshold))
		sayf(out, 2, "load %.0f of 100; alert threshold %.0f%s", load, threshold,
		    prior ? " (a starting value until simmer has learned yours from your flares)" :
		    " (learned from your flares)");
	if (model[0])
		sayf(out, 2, "forecast by: %s%s", h.by, h.record);
	const msgpack_object *trend = proto_map_get(r, "trend");
	if (trend && trend->type == MSGPACK_OBJECT_ARRAY && trend->via.array.size) {
		/* A chart of one day says nothing the figure does not. */
		if (trend->via.array.size >= 2)
			show_chart(out, trend, threshold);
		uint32_t n = trend->via.array.size, from = n > 7 ? n - 7 : 0;
		char line[256] = "";
		for (uint32_t i = from; i < n; i++) {
			size_t len = strlen(line);
			snprintf(line + len, sizeof line - len, " %.0f", num(&trend->via.array.ptr[i], "load"));
		}
		fprintf(out, "Load, last %u %s:%s\n", n - from, n - from == 1 ? "day" : "days", line);
	}
	show_contributors(out, r, 3, false);
	show_risk_alerts(out, r);
	show_message(out, r);
	show_coverage(out, r);
}

static void
show_forecast(FILE *out, const msgpack_object *r, bool why)
{
	struct day_head h;
	show_day_head(out, r, &h);
	const char *date = h.date, *level = h.level, *model = h.model, *chance = h.chance;
	double load = h.load, threshold = h.threshold;
	if (why) {
		sayf(out, 0, "Why the %s level on %s (chance of a flare starting within 48 h: %s; "
		    "forecast by: %s):", level, date, chance, model[0] ? h.by : "starting values");
		show_contributors(out, r, 5, true);
		fprintf(out, "These are associations in your own diary, not causes.\n");
	} else {
		char loads[96] = "";
		if (isfinite(load) && isfinite(threshold))
			snprintf(loads, sizeof loads, "; load %.0f, alert threshold %.0f", load, threshold);
		sayf(out, 0, "Forecast made %s: level %s%s%s, chance of a flare within 48 hours: %s%s.",
		    date, level_sgr(out, level), level, render_sgr(out, SGR_RESET), chance, loads);
		if (model[0])
			sayf(out, 0, "forecast by: %s%s", h.by, h.record);
		show_contributors(out, r, 10, false);
	}
	show_risk_alerts(out, r);
	show_message(out, r);
	show_coverage(out, r);
}

static const char *
lag_words(double lag)
{
	if (lag == 0)
		return "the same day";
	if (lag == 1)
		return "the next day";
	if (lag == 2)
		return "two days later";
	return "three days later";
}

void
show_trial_line(FILE *out, const msgpack_object *result)
{
	const msgpack_object *x = proto_map_get(result, "experiment");
	if (x == NULL || x->type != MSGPACK_OBJECT_MAP)
		return;
	char phase[16], text[256];
	str(x, "phase", phase, sizeof phase);
	if (strcmp(phase, "finished") == 0 || strcmp(phase, "stopped") == 0)
		return;
	sayf(out, 0, "trial: %s ('simmer experiment status' for more)", str(x, "phase_text", text,
	    sizeof text));
}

/* For a finding that a trial could settle, simmerd's line saying so. */
static void
show_trial_suggestion(FILE *out, const msgpack_object *f)
{
	const msgpack_object *trial = proto_map_get(f, "trial");
	char line[256];
	if (trial != NULL && trial->type == MSGPACK_OBJECT_MAP &&
	    str(trial, "text", line, sizeof line)[0] != '\0')
		sayf(out, 4, "%s", line);
}

static void
show_findings(FILE *out, const char *title, const msgpack_object *list)
{
	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY)
		return;
	sayf(out, 0, "%s:%s", title, list->via.array.size ? "" : " none");
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const msgpack_object *f = &list->via.array.ptr[i];
		const msgpack_object *conds = proto_map_get(f, "conditions");
		const msgpack_object *factors = proto_map_get(f, "factors");
		char what[256] = "";
		if (conds && conds->type == MSGPACK_OBJECT_ARRAY && conds->via.array.size) {
			for (uint32_t k = 0; k < conds->via.array.size; k++) {
				char fac[40], op[8], v[32];
				const msgpack_object *c = &conds->via.array.ptr[k];
				render_number(v, sizeof v, num(c, "value"));
				size_t len = strlen(what);
				str(c, "op", op, sizeof op);
				if (strcmp(op, "present") == 0)
					snprintf(what + len, sizeof what - len, "%s%s", k ? " + " : "",
					    str(c, "factor", fac, sizeof fac));
				else
					snprintf(what + len, sizeof what - len, "%s%s %s %s", k ? " + " : "",
					    str(c, "factor", fac, sizeof fac), op, v);
			}
		} else if (factors && factors->type == MSGPACK_OBJECT_ARRAY) {
			for (uint32_t k = 0; k < factors->via.array.size; k++) {
				size_t len = strlen(what);
				char fac[40];
				proto_obj_str(&factors->via.array.ptr[k], fac, sizeof fac);
				snprintf(what + len, sizeof what - len, "%s%s", k ? " + " : "", fac);
			}
		}
		const msgpack_object *ci = proto_map_get(f, "ci95");
		double lo = NAN, hi = NAN;
		if (ci && ci->type == MSGPACK_OBJECT_ARRAY && ci->via.array.size == 2) {
			lo = ci->via.array.ptr[0].via.f64;
			hi = ci->via.array.ptr[1].via.f64;
		}
		sayf(out, 2, "%s, flares beginning %s:", what, lag_words(num(f, "lag_days")));
		sayf(out, 4, "%.1fx as often (95%% CI %.1f-%.1f), q=%.3f; %g flares on %g exposed days",
		    num(f, "relative_risk"), lo, hi, num(f, "q"), num(f, "exposed_onsets"),
		    num(f, "exposed_days"));
		show_trial_suggestion(out, f);
	}
}

/* Treatments are never triggers (often taken because pain began), but how
 * often they are used matters in its own right. */
static void
show_treatments(FILE *out, const msgpack_object *list)
{
	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size == 0)
		return;
	sayf(out, 0, "Medicines (not tested as triggers: they are often taken because pain "
	    "began):");
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const msgpack_object *t = &list->via.array.ptr[i];
		char fac[40];
		fprintf(out, "  %s on %g of the last %g days\n", str(t, "factor", fac, sizeof fac),
		    num(t, "days_used"), num(t, "of_days"));
	}
}

/* Associations with the daily levels, in points on the outcome's scale. */
static void
show_levels(FILE *out, const msgpack_object *r)
{
	const msgpack_object *list = proto_map_get(r, "symptom_levels");
	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY)
		return;
	fprintf(out, "Daily levels of pain and symptoms:%s\n", list->via.array.size ? "" : " none");
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const msgpack_object *l = &list->via.array.ptr[i];
		char outcome[40], fac[40], per[16];
		const msgpack_object *ci = proto_map_get(l, "ci95");
		double lo = NAN, hi = NAN;
		if (ci && ci->type == MSGPACK_OBJECT_ARRAY && ci->via.array.size == 2) {
			lo = ci->via.array.ptr[0].via.f64;
			hi = ci->via.array.ptr[1].via.f64;
		}
		bool unit = strcmp(str(l, "per", per, sizeof per), "unit") == 0;
		str(l, "factor", fac, sizeof fac);
		sayf(out, 2, "%s after %s, %s:", str(l, "outcome", outcome, sizeof outcome), fac,
		    lag_words(num(l, "lag_days")));
		/* A numeric factor's effect per a round step near its spread
		 * (older daemons send none: per unit). */
		double step = unit && num(l, "step") > 0 ? num(l, "step") : 1;
		char per_words[80];
		if (unit)
			snprintf(per_words, sizeof per_words, "for each %g more %s", step, fac);
		else
			snprintf(per_words, sizeof per_words, "on days with it");
		sayf(out, 4, "%+.1f points %s (95%% CI %+.1f to %+.1f), q=%.3f, %g days",
		    num(l, "effect") * step, per_words, lo * step, hi * step, num(l, "q"), num(l, "days"));
	}
	if (num(r, "levels_tested") > 0)
		sayf(out, 0, "%g level patterns were tested in a family of their own; each shows the "
		    "lag (0-3 days) where it was strongest.", num(r, "levels_tested"));
	else
		sayf(out, 0, "No level pattern could be tested yet: each needs 28 days with both "
		    "values.");
	const msgpack_object *pl = proto_map_get(r, "personal_flare_level");
	if (pl != NULL && pl->type == MSGPACK_OBJECT_MAP)
		sayf(out, 0, "Your pain has not reached the flare level (%g) on any of your last %g days "
		    "with a pain entry. A personal level from your own days would be %g (your top "
		    "tenth): simmer config set analysis.flare_pain_level %g", num(pl, "current"),
		    num(pl, "days"), num(pl, "suggested"), num(pl, "suggested"));
}

static void
show_triggers(FILE *out, const msgpack_object *r)
{
	show_findings(out, "Associated with more flares", proto_map_get(r, "triggers"));
	show_findings(out, "Warning signs before flares", proto_map_get(r, "warning_signs"));
	show_findings(out, "Associated with fewer flares", proto_map_get(r, "protective"));
	const msgpack_object *weak = proto_map_get(r, "not_enough_data");
	if (weak != NULL && weak->type == MSGPACK_OBJECT_ARRAY && weak->via.array.size > 0)
		show_findings(out, "Possible, but not enough data yet (fewer than 3 flares behind them)",
		    weak);
	if (num(r, "tested") > 0)
		sayf(out, 0, "%g patterns were tested; those shown have a false-discovery q of at most "
		    "%.2f. These are associations in your diary, not proof of cause.", num(r, "tested"),
		    num(r, "q_max"));
	else
		sayf(out, 0, "No pattern was tested yet.");
	show_levels(out, r);
	show_treatments(out, proto_map_get(r, "treatments"));
	show_message(out, r);
	show_coverage(out, r);
}

/* A share as a whole percentage, or "-" when it is unknown. */
static void
show_share(FILE *out, int width, double v)
{
	if (isfinite(v))
		fprintf(out, "%*.0f%%", width, v * 100);
	else
		fprintf(out, "%*s", width + 1, "-");
}

static void
show_backtest(FILE *out, const msgpack_object *r)
{
	const msgpack_object *s = proto_map_get(r, "summary");
	char model[48], watch[32], warning[32];
	double onsets = num(s, "onsets"), needed = num(s, "onsets_needed");
	if (str(s, "model", model, sizeof model)[0])
		sayf(out, 0, "How simmer's evening forecasts would have done on your past days "
		    "(forecast by: %s):", model_words(s, model));
	else
		fprintf(out, "How simmer's evening forecasts would have done on your past days:\n");
	fprintf(out, "  evenings: %.0f, flare onsets after them: %.0f\n",
	    isfinite(num(s, "days")) ? num(s, "days") : 0, isfinite(onsets) ? onsets : 0);
	if (!(onsets >= needed)) {
		fprintf(out, "  not enough onsets to judge yet (%.0f of the %.0f needed)\n",
		    isfinite(onsets) ? onsets : 0, isfinite(needed) ? needed : 5);
		show_coverage(out, r);
		return;
	}
	double auc = num(s, "auc"), base = num(s, "baseline_auc");
	double brier = num(s, "brier"), ref = num(s, "brier_reference");
	if (isfinite(auc) && isfinite(base))
		sayf(out, 2, "ranking (AUC, 0.5 is chance): %.2f; the simple rule (%s): %.2f", auc,
		    signs_logged(s) ? "the evening's warning signs" : "your average rate, as no "
		    "symptom scale is logged", base);
	if (isfinite(brier) && isfinite(ref))
		sayf(out, 2, "Brier score (lower is better): %.3f; always saying your average risk: "
		    "%.3f", brier, ref);
	fprintf(out, "  warned within 48 h: %.0f of %.0f onsets (", num(s, "onsets_warned"), onsets);
	show_share(out, 0, num(s, "share_warned"));
	fprintf(out, ")\n");
	char lead[48] = "", budget[80] = "";
	if (isfinite(num(s, "median_lead_days")))
		snprintf(lead, sizeof lead, ", median lead %.1f days", num(s, "median_lead_days"));
	/* The cut-offs keep within the budget on the evenings before each
	 * choice; over the whole backtest the count can run above it. */
	if (isfinite(num(s, "false_alarm_budget")))
		snprintf(budget, sizeof budget, " (cut-offs are chosen for at most %g on the evenings "
		    "before them)", num(s, "false_alarm_budget"));
	sayf(out, 2, "false alarms per 30 days: %.1f%s%s", num(s, "false_alarms_per_30d"), lead,
	    budget);
	const msgpack_object *cal = proto_map_get(s, "calibration");
	if (cal != NULL && cal->type == MSGPACK_OBJECT_ARRAY && cal->via.array.size > 0) {
		fprintf(out, "  forecast risk   share followed by an onset   evenings\n");
		for (uint32_t i = 0; i < cal->via.array.size; i++) {
			const msgpack_object *b = &cal->via.array.ptr[i];
			fprintf(out, "  ");
			show_share(out, 11, num(b, "predicted"));
			fprintf(out, "   ");
			show_share(out, 26, num(b, "observed"));
			fprintf(out, "   %8.0f\n", num(b, "days"));
		}
	}
	bool on = false;
	char err[8];
	proto_get_bool(s, "risk_alerts", false, &on, err, sizeof err);
	if (on) {
		proto_risk_words(num(s, "watch_risk"), watch, sizeof watch);
		fprintf(out, "  risk alerts: watch from %s", watch);
		if (isfinite(num(s, "warning_risk"))) {
			proto_risk_words(num(s, "warning_risk"), warning, sizeof warning);
			fprintf(out, ", warning from %s", warning);
		}
		fprintf(out, "\n");
	} else {
		sayf(out, 2, "risk alerts: off (no risk level warned of flares better than chance "
		    "within the false-alarm budget)");
	}
	show_coverage(out, r);
}

static void
show_alert_line(FILE *out, const msgpack_object *a)
{
	char summary[256], level[16], body[1024], when[48];
	int64_t t = 0;
	char err[8];
	proto_get_int(a, "time", false, &t, err, sizeof err);
	when_format_iso(t, proto_local_offset(t), when, sizeof when);
	when[10] = ' ';
	when[16] = '\0';
	bool shown = false;
	proto_get_bool(a, "shown", false, &shown, err, sizeof err);
	sayf(out, 0, "%s  %-8s %s%s", when, str(a, "level", level, sizeof level),
	    str(a, "summary", summary, sizeof summary), shown ? "" : "  (not shown on the desktop)");
	if (str(a, "body", body, sizeof body)[0])
		render_wrap(out, body, 4, 4);
}

void
show_waybar(FILE *out, const msgpack_object *r)
{
	char date[16], level[16], line[256], refused[128];
	double load = num(r, "load"), threshold = num(r, "threshold"), risk = num(r, "risk");
	str(r, "date", date, sizeof date);
	str(r, "level", level, sizeof level);
	const msgpack_object *cov = proto_map_get(r, "coverage");
	bool empty = cov != NULL && num(cov, "days") == 0;
	json_t *j = json_object();
	if (empty) {
		json_object_set_new(j, "text", json_string("simmer: no entries yet"));
		json_object_set_new(j, "full_text", json_string("simmer: no entries yet"));
		snprintf(line, sizeof line, "Log how you are, as in 'simmer pain 4'");
		json_object_set_new(j, "class", json_string("empty"));
	} else {
		snprintf(line, sizeof line, "load %.0f/%.0f", load, threshold);
		json_object_set_new(j, "text", json_string(line));
		json_object_set_new(j, "full_text", json_string(line));
		/* The same words as status: no more precision than the history
		 * supports, and stale data said so. */
		char chance[32], last_entry[16] = "", err[8];
		bool stale = false;
		proto_risk_words(risk, chance, sizeof chance);
		proto_get_bool(r, "stale", false, &stale, err, sizeof err);
		if (stale)
			str(r, "last_entry", last_entry, sizeof last_entry);
		snprintf(line, sizeof line, "simmer, %s: level %s\nload %.0f of 100, alert threshold "
		    "%.0f\nchance that a flare begins within 48 hours: %s%s%s%s", date, level, load,
		    threshold, chance, stale ? "\nno entries since " : "", last_entry,
		    stale ? "; this is as of that day" : "");
		json_object_set_new(j, "class", json_string(level));
		json_object_set_new(j, "alt", json_string(level));
		json_object_set_new(j, "percentage", json_integer(isfinite(load) ? (json_int_t)lround(load) : 0));
	}
	/* The bar is where some people look instead of status. */
	if (refused_status_words(r, refused, sizeof refused)) {
		size_t len = strlen(line);
		snprintf(line + len, sizeof line - len, "\n%s", refused);
	}
	json_object_set_new(j, "tooltip", json_string(line));
	/* Bars read one JSON object per line. */
	json_dumpf(j, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(j);
}

void
show_text(FILE *out, const char *method, const msgpack_object *result)
{
	bool analysis = strcmp(method, PROTO_M_STATUS) == 0 || strcmp(method, PROTO_M_FORECAST) == 0 ||
	    strcmp(method, PROTO_M_WHY) == 0 || strcmp(method, PROTO_M_TRIGGERS) == 0 ||
	    strcmp(method, PROTO_M_BACKTEST) == 0 || strcmp(method, PROTO_M_ANALYZE) == 0;
	/* Said first, and even of an empty diary: the person was told these
	 * entries were kept. */
	if (strcmp(method, PROTO_M_STATUS) == 0)
		refused_status_line(out, result);
	if (analysis && show_empty_diary(out, result))
		return;
	if (strcmp(method, PROTO_M_STATUS) == 0) {
		show_status(out, result);
	} else if (strcmp(method, PROTO_M_FORECAST) == 0) {
		show_forecast(out, result, false);
	} else if (strcmp(method, PROTO_M_WHY) == 0) {
		show_forecast(out, result, true);
	} else if (strcmp(method, PROTO_M_TRIGGERS) == 0) {
		show_triggers(out, result);
	} else if (strcmp(method, PROTO_M_BACKTEST) == 0) {
		show_backtest(out, result);
	} else if (strcmp(method, PROTO_M_ALERTS) == 0) {
		const msgpack_object *list = proto_map_get(result, "alerts");
		if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size == 0)
			fprintf(out, "no alerts yet\n");
		for (uint32_t i = 0; list && i < list->via.array.size; i++)
			show_alert_line(out, &list->via.array.ptr[i]);
	} else if (strcmp(method, PROTO_M_ANALYZE) == 0) {
		fprintf(out, "analysis done in %.0f ms\n", num(result, "duration_ms"));
		show_coverage(out, result);
	} else if (strcmp(method, PROTO_M_NOTIFY_TEST) == 0) {
		char msg[512];
		render_wrap(out, str(result, "message", msg, sizeof msg), 0, 2);
	} else if (strcmp(method, PROTO_M_RELOAD) == 0) {
		char path[1024];
		sayf(out, 0, "simmerd read its configuration again from %s",
		    str(result, "config", path, sizeof path));
	} else {
		render_json(out, result);
	}
}

int
show_watch(const struct options *o, struct client_conn *c)
{
	struct proto_msg msg;
	char err[PROTO_MESSAGE_MAX];
	int rc = conn_call(c, PROTO_M_SUBSCRIBE, NULL, NULL, &msg, err, sizeof err);
	if (rc != 0) {
		client_error("%s", err);
		return rc;
	}
	proto_msg_free(&msg);
	if (!o->json)
		fprintf(stdout, "watching for alerts (Ctrl-C to stop)\n");
	fflush(stdout);
	for (;;) {
		rc = conn_read_message(c, &msg, err, sizeof err);
		if (rc != 0) {
			client_error("%s", err);
			return -SIMMER_E_UNAVAILABLE;
		}
		if (msg.type == PROTO_NOTIFICATION && strcmp(msg.method, PROTO_N_ALERT) == 0 &&
		    msg.params->via.array.size == 1) {
			if (o->json)
				render_json(stdout, &msg.params->via.array.ptr[0]);
			else
				show_alert_line(stdout, &msg.params->via.array.ptr[0]);
			fflush(stdout);
		}
		proto_msg_free(&msg);
	}
}
