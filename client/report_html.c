/*
 * report_html.c: `simmer report --html FILE` (see report.h): one HTML
 * file to print or hand over. Charts are inline SVG; there are no scripts,
 * no fonts, images or styles from elsewhere, so the file shows the same
 * offline, in any browser, years later. The page is sized in millimetres
 * that fit both A4 and Letter paper.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "client/report.h"

/* The chart's drawing area, in SVG user units. */
#define SVG_W 680.0
#define SVG_H 220.0
#define PLOT_X 40.0
#define PLOT_Y 12.0
#define PLOT_W 620.0
#define PLOT_H 160.0
/* Days without a load that the line is drawn across. */
#define LOAD_GAP_BRIDGED 2

static const char style[] =
    "@page { margin: 14mm 13mm; }\n"
    "* { box-sizing: border-box; }\n"
    "body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; font-size: 10.5pt;"
    " color: #1a1a1a; max-width: 182mm; margin: 0 auto; padding: 6mm 0; line-height: 1.4; }\n"
    "h1 { font-size: 17pt; margin: 0 0 2mm; }\n"
    "h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 0.4mm solid #888; }\n"
    "p.period { margin: 0 0 3mm; color: #333; }\n"
    ".notice { border: 0.4mm solid #b35900; background: #fff6ec; padding: 2.5mm 3.5mm;"
    " border-radius: 1.5mm; }\n"
    "table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; }\n"
    "th, td { text-align: left; padding: 1.2mm 2mm; border-bottom: 0.2mm solid #ccc;"
    " vertical-align: top; }\n"
    "th { background: #eee; font-weight: 600; }\n"
    "td.num, th.num { text-align: right; white-space: nowrap; }\n"
    "svg { width: 100%; height: auto; display: block; }\n"
    "section { break-inside: avoid; page-break-inside: avoid; }\n"
    "ul { margin: 1mm 0; padding-left: 6mm; }\n"
    "footer { margin-top: 6mm; font-size: 9pt; color: #444; }\n"
    "@media print { body { padding: 0; } a { color: inherit; text-decoration: none; } }\n";

static void
escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

static double
x_of(const struct report *r, size_t i)
{
	return PLOT_X + (r->n_days > 1 ? PLOT_W * (double)i / (double)(r->n_days - 1) : PLOT_W / 2);
}

static double
y_of(double load)
{
	double v = load < 0 ? 0 : (load > 100 ? 100 : load);
	return PLOT_Y + PLOT_H * (1 - v / 100);
}

/* The load as a line, broken where days have no load. */
static void
load_path(FILE *out, const struct report *r)
{
	fputs("<path class=\"load\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.8\" "
	    "stroke-linejoin=\"round\" d=\"", out);
	/* A day or two without a load is bridged; a longer gap breaks the line. */
	size_t last = SIZE_MAX;
	for (size_t i = 0; i < r->n_days; i++) {
		if (!isfinite(r->days[i].load))
			continue;
		bool pen = last != SIZE_MAX && i - last <= LOAD_GAP_BRIDGED + 1;
		fprintf(out, "%s%.1f %.1f ", pen ? "L" : "M", x_of(r, i), y_of(r->days[i].load));
		last = i;
	}
	fputs("\"/>\n", out);
}

static void
load_chart(FILE *out, const struct report *r)
{
	fprintf(out, "<svg id=\"load-chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "aria-label=\"Daily load with flares and the alert threshold\">\n", SVG_W, SVG_H);
	fprintf(out, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" "
	    "stroke=\"#999\" stroke-width=\"0.6\"/>\n", PLOT_X, PLOT_Y, PLOT_W, PLOT_H);
	double band = r->n_days > 1 ? PLOT_W / (double)(r->n_days - 1) : PLOT_W;
	for (size_t i = 0; i < r->n_days; i++)
		if (r->days[i].in_flare || r->days[i].onset)
			fprintf(out, "<rect class=\"flare-day\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" "
			    "height=\"%.0f\" fill=\"#f6c9c4\"/>\n", x_of(r, i) - band / 2, PLOT_Y, band,
			    PLOT_H);
	for (int v = 0; v <= 100; v += 25) {
		fprintf(out, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\" "
		    "stroke-width=\"0.6\"/>\n", PLOT_X, PLOT_X + PLOT_W, y_of(v), y_of(v));
		fprintf(out, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
		    "fill=\"#444\">%d</text>\n", PLOT_X - 5, y_of(v) + 3.5, v);
	}
	load_path(out, r);
	if (isfinite(r->threshold)) {
		fprintf(out, "<line class=\"threshold\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#c0392b\" stroke-width=\"1.4\" stroke-dasharray=\"6 4\"/>\n", PLOT_X,
		    PLOT_X + PLOT_W, y_of(r->threshold), y_of(r->threshold));
		fprintf(out, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
		    "fill=\"#c0392b\">alert threshold %.0f%s</text>\n", PLOT_X + PLOT_W - 4,
		    y_of(r->threshold) - 4, r->threshold, r->threshold_personal ? "" :
		    " (starting value)");
	}
	for (size_t i = 0; i < r->n_days; i++)
		if (r->days[i].onset)
			fprintf(out, "<path class=\"onset\" d=\"M%.1f %.1f l-5 9 h10 z\" fill=\"#c0392b\"/>\n",
			    x_of(r, i), PLOT_Y + PLOT_H + 3);
	char first[11], last[11];
	report_day_text(r->first_day, first);
	report_day_text(r->last_day, last);
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#444\">%s</text>\n",
	    PLOT_X, SVG_H - 18, first);
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"end\" "
	    "fill=\"#444\">%s</text>\n", PLOT_X + PLOT_W, SVG_H - 18, last);
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#444\">"
	    "<tspan fill=\"#1f5fa8\">\u2014 load (0-100)</tspan>   "
	    "<tspan fill=\"#c0392b\">\u25b2 a flare began</tspan>   "
	    "<tspan fill=\"#d98880\">\u25a0 flare days</tspan></text>\n", PLOT_X, SVG_H - 3);
	fputs("</svg>\n", out);
}

static void
findings_table(FILE *out, const char *title, const json_t *list, const char *none)
{
	fprintf(out, "<section>\n<h2>%s</h2>\n", title);
	if (json_array_size(list) == 0) {
		fprintf(out, "<p>%s</p>\n</section>\n", none);
		return;
	}
	fputs("<table class=\"findings\">\n<tr><th>Pattern</th><th>When</th><th>Strength</th>"
	    "<th>Certainty, flares behind it</th></tr>\n", out);
	size_t i;
	const json_t *f;
	json_array_foreach(list, i, f) {
		char what[256], when[40], strength[80], certainty[80], trial[256];
		report_finding_what(f, what, sizeof what);
		report_finding_when(f, when, sizeof when);
		report_finding_strength(f, strength, sizeof strength);
		report_finding_certainty(f, certainty, sizeof certainty);
		fputs("<tr><td>", out);
		escape(out, what);
		fprintf(out, "</td><td>%s</td><td>%s</td><td>%s", when, strength, certainty);
		if (report_finding_trial(f, trial, sizeof trial)) {
			fputs("<br><i>", out);
			escape(out, trial);
			fputs("</i>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

/* NSAID days per week of the period, as bars. */
static void
nsaid_chart(FILE *out, const struct report *r)
{
	size_t weeks = (r->n_days + 6) / 7;
	double w = PLOT_W / (double)weeks, h = 70;
	fprintf(out, "<svg id=\"nsaid-chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "aria-label=\"NSAID days per week\">\n", SVG_W, h + 26);
	for (int v = 0; v <= 7; v += 7)
		fprintf(out, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
		    "fill=\"#444\">%d</text>\n", PLOT_X - 5, 8 + h * (1 - v / 7.0) + 3.5, v);
	fprintf(out, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#999\" "
	    "stroke-width=\"0.6\"/>\n", PLOT_X, PLOT_X + PLOT_W, 8 + h, 8 + h);
	for (size_t k = 0; k < weeks; k++) {
		unsigned n = 0;
		for (size_t i = k * 7; i < (k + 1) * 7 && i < r->n_days; i++)
			n += r->days[i].nsaid;
		if (n > 0)
			fprintf(out, "<rect class=\"nsaid\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"#8e6bb3\"/>\n", PLOT_X + k * w + w * 0.15,
			    8 + h * (1 - n / 7.0), w * 0.7, h * n / 7.0);
	}
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#444\">NSAID days in "
	    "each week, oldest on the left</text>\n</svg>\n", PLOT_X, h + 24);
}

static void
medication(FILE *out, const struct report *r)
{
	fputs("<section>\n<h2>Medication days</h2>\n", out);
	if (r->n_medicines == 0) {
		fputs("<p>No medicines were logged in this period.</p>\n</section>\n", out);
		return;
	}
	char line[400];
	report_nsaid_sentence(r, line, sizeof line);
	fprintf(out, "<p>%s</p>\n", line);
	nsaid_chart(out, r);
	fputs("<table>\n<tr><th>Medicine</th><th class=\"num\">Days taken</th>"
	    "<th class=\"num\">Doses logged</th><th class=\"num\">Days in the last 30</th></tr>\n",
	    out);
	for (size_t i = 0; i < r->n_medicines; i++) {
		const struct report_medicine *m = &r->medicines[i];
		fputs("<tr><td>", out);
		escape(out, m->name);
		fprintf(out, "%s</td><td class=\"num\">%u</td><td class=\"num\">%g</td>"
		    "<td class=\"num\">%u</td></tr>\n", m->nsaid ? " (NSAID)" : "", m->days, m->doses,
		    m->recent_days);
	}
	fputs("</table>\n</section>\n", out);
}

static void
sentences(FILE *out, const char *title, char lines[][400], size_t n)
{
	fprintf(out, "<section>\n<h2>%s</h2>\n<ul>\n", title);
	for (size_t i = 0; i < n; i++) {
		fputs("<li>", out);
		escape(out, lines[i]);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</section>\n", out);
}

int
report_write_html(FILE *out, const struct report *r)
{
	char first[11], last[11];
	report_day_text(r->first_day, first);
	report_day_text(r->last_day, last);
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<title>simmer report %s to %s</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    first, last, style);
	fprintf(out, "<h1>Flare diary report</h1>\n<p class=\"period\">Period covered: <b>%s to "
	    "%s</b> (%zu days, %u with entries, %u flare %s).</p>\n", first, last, r->n_days,
	    r->days_with_entries, r->onsets, r->onsets == 1 ? "onset" : "onsets");
	fputs("<p class=\"notice\"><b>Please read first.</b> Everything here is an association "
	    "found in one person's own diary, with its uncertainty and the number of flares behind "
	    "it. An association is not a cause, and this report is not a diagnosis: it does not "
	    "replace a medical evaluation.</p>\n", out);
	if (r->days_with_entries == 0) {
		fprintf(out, "<p>%s</p>\n", REPORT_EMPTY_TEXT);
		fputs("</body>\n</html>\n", out);
		return ferror(out) ? -1 : 0;
	}
	fputs("<section>\n<h2>Load over time, with flares</h2>\n<p>The load (0-100) adds up recent "
	    "sleep debt, stress, activity swings, trigger foods and gut symptoms; alerts come when "
	    "it nears the level at which flares have tended to begin.</p>\n", out);
	load_chart(out, r);
	fputs("</section>\n", out);
	for (size_t i = 0; i < REPORT_FINDING_SECTIONS; i++) {
		const struct report_section *sec = &report_finding_sections[i];
		findings_table(out, sec->title, json_object_get(r->triggers, sec->key), sec->none);
	}
	char levels[12][400];
	size_t n_levels = report_levels(r, levels, 12);
	if (n_levels == 0)
		fprintf(out, "<section>\n<h2>Daily levels of pain and symptoms, between flares</h2>\n"
		    "<p>%s</p>\n</section>\n", REPORT_LEVELS_NONE);
	else
		sentences(out, "Daily levels of pain and symptoms, between flares", levels, n_levels);
	char trials[8][REPORT_EXPERIMENT_TEXT];
	size_t n_trials = report_experiments(r, trials, 8);
	if (n_trials > 0) {
		fputs("<section id=\"experiments\">\n<h2>Experiments (personal trials)</h2>\n<p>Each "
		    "left one thing out, then brought it back, and compares the days with and without "
		    "it. The verdicts are associations in this person's own trial, not a diagnosis."
		    "</p>\n<ul>\n", out);
		for (size_t i = 0; i < n_trials; i++) {
			fputs("<li>", out);
			escape(out, trials[i]);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n</section>\n", out);
	}
	medication(out, r);
	char lines[12][400];
	size_t n = report_track_record(r, lines, 12);
	sentences(out, "Forecast track record", lines, n);
	n = report_limits(r, lines, 12);
	sentences(out, "What simmer cannot tell yet", lines, n);
	fprintf(out, "<footer>Made by simmer %s. Associations are not causes; this report does "
	    "not replace medical evaluation. Red-flag symptoms (fever, new numbness or weakness, "
	    "severe night pain, unexplained weight loss) need prompt medical attention.</footer>\n"
	    "</body>\n</html>\n", SIMMER_VERSION);
	return ferror(out) ? -1 : 0;
}
