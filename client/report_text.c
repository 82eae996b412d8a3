/*
 * report_text.c: `simmer report` for a terminal (see report.h): every line
 * fits 80 columns, and text wraps between words, never inside a number.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <string.h>

#include "client/report.h"

#define TEXT_WIDTH 78
#define CHART_ROWS 8
#define CHART_MAX_COLUMNS 70

/* Columns a UTF-8 text takes: one per character (the box and block
 * characters used here are one column wide). */
static size_t
columns(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Prints text wrapped at spaces: the first line after `first`, the others
 * after `rest` (both the same width). */
static void
wrap(FILE *out, const char *first, const char *rest, const char *text)
{
	size_t indent = strlen(first), col = 0;
	const char *p = text;
	fputs(first, out);
	while (*p) {
		while (*p == ' ')
			p++;
		size_t word = strcspn(p, " "), width = columns(p, word);
		if (word == 0)
			break;
		if (col > 0 && indent + col + 1 + width > TEXT_WIDTH) {
			fputc('\n', out);
			fputs(rest, out);
			col = 0;
		}
		if (col > 0) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, word, out);
		col += width;
		p += word;
	}
	fputc('\n', out);
}

static void
heading(FILE *out, const char *title)
{
	fprintf(out, "\n%s\n", title);
}

/* The highest load of the days a column stands for; NAN when none. */
static double
column_load(const struct report *r, size_t col, size_t per)
{
	double best = NAN;
	for (size_t i = col * per; i < (col + 1) * per && i < r->n_days; i++)
		if (isfinite(r->days[i].load) && !(r->days[i].load <= best))
			best = r->days[i].load;
	return best;
}

static bool
column_onset(const struct report *r, size_t col, size_t per)
{
	for (size_t i = col * per; i < (col + 1) * per && i < r->n_days; i++)
		if (r->days[i].onset)
			return true;
	return false;
}

static void
print_chart(FILE *out, const struct report *r)
{
	static const char *const eighths[] = {" ", "\u2581", "\u2582", "\u2583", "\u2584",
	    "\u2585", "\u2586", "\u2587", "\u2588"};
	size_t per = (r->n_days + CHART_MAX_COLUMNS - 1) / CHART_MAX_COLUMNS;
	size_t cols = (r->n_days + per - 1) / per;
	double th = r->threshold;
	char span[24] = "day";
	if (per > 1)
		snprintf(span, sizeof span, "%zu days", per);
	char legend[200];
	snprintf(legend, sizeof legend, "Load (0-100), the highest of each %s; %s; \u25b2 a flare "
	    "began.", span, isfinite(th) ? "\u2500 the alert threshold" : "no alert threshold yet");
	wrap(out, "", "", legend);
	for (int row = 0; row < CHART_ROWS; row++) {
		double hi = 100.0 * (CHART_ROWS - row) / CHART_ROWS, lo = hi - 100.0 / CHART_ROWS;
		bool th_row = isfinite(th) && th > lo && th <= hi;
		if (row == 0 || row == CHART_ROWS / 2 || th_row)
			fprintf(out, "%4.0f \u2524", th_row ? th : hi);
		else
			fprintf(out, "     \u2502");
		for (size_t c = 0; c < cols; c++) {
			double v = column_load(r, c, per);
			if (isfinite(v) && v >= hi)
				fputs(eighths[8], out);
			else if (isfinite(v) && v > lo)
				fputs(eighths[(int)((v - lo) / (hi - lo) * 8)], out);
			else if (th_row)
				fputs("\u2500", out);
			else
				fputc(' ', out);
		}
		fputc('\n', out);
	}
	fputs("   0 \u2514", out);
	for (size_t c = 0; c < cols; c++)
		fputs(column_onset(r, c, per) ? "\u25b2" : "\u2500", out);
	char first[11], last[11];
	report_day_text(r->first_day, first);
	report_day_text(r->last_day, last);
	if (cols >= 22)
		fprintf(out, "\n      %-*s%s\n", (int)(cols - 10), first, last);
	else
		fprintf(out, "\n      %s to %s\n", first, last);
}

static void
print_findings(FILE *out, const char *title, const json_t *list, const char *none)
{
	char trial[256];
	heading(out, title);
	if (json_array_size(list) == 0) {
		wrap(out, "  ", "  ", none);
		return;
	}
	size_t i;
	const json_t *f;
	json_array_foreach(list, i, f) {
		char sentence[600];
		report_finding_sentence(f, sentence, sizeof sentence);
		wrap(out, "  - ", "    ", sentence);
		if (report_finding_trial(f, trial, sizeof trial))
			wrap(out, "    ", "    ", trial);
	}
}

static void
print_medication(FILE *out, const struct report *r)
{
	heading(out, "Medication days");
	char line[400];
	if (r->n_medicines == 0) {
		wrap(out, "  ", "  ", "No medicines were logged in this period.");
		return;
	}
	report_nsaid_sentence(r, line, sizeof line);
	wrap(out, "  ", "  ", line);
	fprintf(out, "  %-24s %6s %8s %14s\n", "medicine", "days", "doses", "last 30 days");
	for (size_t i = 0; i < r->n_medicines; i++) {
		const struct report_medicine *m = &r->medicines[i];
		fprintf(out, "  %-24.24s %6u %8g %14u\n", m->name, m->days, m->doses, m->recent_days);
	}
}

void
report_print_text(FILE *out, const struct report *r)
{
	char first[11], last[11], line[400];
	report_day_text(r->first_day, first);
	report_day_text(r->last_day, last);
	snprintf(line, sizeof line, "simmer report, %s to %s: %zu %s, %u with entries, %u %s "
	    "began.", first, last, r->n_days, r->n_days == 1 ? "day" : "days",
	    r->days_with_entries, r->onsets, r->onsets == 1 ? "flare" : "flares");
	wrap(out, "", "", line);
	if (r->days_with_entries == 0) {
		wrap(out, "", "", REPORT_EMPTY_TEXT);
		return;
	}
	wrap(out, "", "", "These are associations in one person's diary, with their "
	    "uncertainty: not causes, and not a diagnosis. This report does not replace a "
	    "medical evaluation.");
	fputc('\n', out);
	print_chart(out, r);
	for (size_t i = 0; i < REPORT_FINDING_SECTIONS; i++) {
		const struct report_section *sec = &report_finding_sections[i];
		print_findings(out, sec->title, json_object_get(r->triggers, sec->key), sec->none);
	}
	char levels[12][400];
	size_t n_levels = report_levels(r, levels, 12);
	heading(out, "Daily levels of pain and symptoms, between flares");
	if (n_levels == 0)
		wrap(out, "  ", "  ", REPORT_LEVELS_NONE);
	for (size_t i = 0; i < n_levels; i++)
		wrap(out, "  - ", "    ", levels[i]);
	char trials[8][REPORT_EXPERIMENT_TEXT];
	size_t n_trials = report_experiments(r, trials, 8);
	if (n_trials > 0) {
		heading(out, "Experiments (your own trials)");
		for (size_t i = 0; i < n_trials; i++)
			wrap(out, "  - ", "    ", trials[i]);
	}
	print_medication(out, r);
	char lines[12][400];
	heading(out, "What simmer cannot tell yet");
	size_t n = report_limits(r, lines, 12);
	for (size_t i = 0; i < n; i++)
		wrap(out, "  - ", "    ", lines[i]);
	heading(out, "How the forecasts have done");
	n = report_track_record(r, lines, 12);
	for (size_t i = 0; i < n; i++)
		wrap(out, "  ", "  ", lines[i]);
}
