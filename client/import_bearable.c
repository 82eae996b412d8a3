/*
 * import_bearable.c: Bearable's CSV export (see tracker.h).
 *
 *   date,weekday,time of day,category,rating/amount,detail,notes
 *   25th Sep 2020,Fri,all day,Symptom,2,Back (lower) pain (Mild),
 *
 * and the newer variant with a `date formatted` column (2020-09-25). One
 * row is one category on one day: a mood or energy rating, a symptom with
 * its severity, factors or medicines joined by " | ", sleep as "7:30". The
 * time of day is a clock time or a part of the day (pre, am, mid, pm, all
 * day), placed at a fixed hour so that the entry counts to its day.
 *
 * SPDX-License-Identifier: ISC
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/tracker.h"

struct bearable {
	int date, date_formatted, time, category, rating, detail, notes;
};

/* Symptoms, factors and medicines in one row. */
#define BEARABLE_MAX_PARTS 64

static int
bearable_header(struct tracker *t, char **fields, size_t n)
{
	struct bearable *b = tracker_state(t, sizeof *b);
	if (b == NULL)
		return -1;
	b->date = tracker_column(fields, n, (const char *const[]){"date", NULL});
	b->date_formatted = tracker_column(fields, n, (const char *const[]){"date formatted",
	    "date_formatted", NULL});
	b->time = tracker_column(fields, n, (const char *const[]){"time of day", "time", NULL});
	b->category = tracker_column(fields, n, (const char *const[]){"category", NULL});
	b->rating = tracker_column(fields, n, (const char *const[]){"rating/amount", "rating",
	    "amount", NULL});
	b->detail = tracker_column(fields, n, (const char *const[]){"detail", "details", NULL});
	b->notes = tracker_column(fields, n, (const char *const[]){"notes", "note", NULL});
	if ((b->date < 0 && b->date_formatted < 0) || b->category < 0 || b->rating < 0 ||
	    b->detail < 0) {
		return tracker_wrong_header(t, "a Bearable export", fields, n);
	}
	return 0;
}

static const char *
field(char **fields, size_t n, int col)
{
	return col >= 0 && (size_t)col < n ? fields[col] : "";
}

/* The hour a part of the day stands for; -1 when it is none of them. */
static int
time_of_day(const char *s, int *hh, int *mm)
{
	while (isspace((unsigned char)*s))
		s++;
	static const struct {
		const char *word;
		int hour;
	} parts[] = {{"", 12}, {"all day", 12}, {"pre", 5}, {"am", 9}, {"mid", 13}, {"pm", 19}};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (strcasecmp(s, parts[i].word) == 0) {
			*hh = parts[i].hour;
			*mm = 0;
			return 0;
		}
	}
	char ampm[3] = "";
	int used = 0;
	if (sscanf(s, "%2d:%2d%n", hh, mm, &used) != 2 || *hh > 23 || *mm > 59)
		return -1;
	if (sscanf(s + used, " %2[aApP]%*[mM]", ampm) == 1) {
		if (*hh < 1 || *hh > 12)
			return -1;
		*hh = *hh % 12 + (tolower((unsigned char)ampm[0]) == 'p' ? 12 : 0);
	}
	return 0;
}

/* "Back (lower) pain (Mild)": the name and the severity in the last
 * brackets, 0-4; -1 when there is no severity word. */
static double
symptom_severity(char *name)
{
	static const struct {
		const char *word;
		double severity;
	} words[] = {{"none", 0}, {"mild", 1}, {"moderate", 2}, {"severe", 3},
	    {"very severe", 4}, {"unbearable", 4}, {"extreme", 4}};
	size_t len = strlen(name);
	if (len < 3 || name[len - 1] != ')')
		return -1;
	char *open = strrchr(name, '(');
	if (open == NULL)
		return -1;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t wl = strlen(words[i].word);
		if ((size_t)(name + len - 1 - open - 1) == wl &&
		    strncasecmp(open + 1, words[i].word, wl) == 0) {
			while (open > name && open[-1] == ' ')
				open--;
			*open = '\0';
			return words[i].severity;
		}
	}
	return -1;
}

/* "7:30" or "7.5" hours. */
static bool
sleep_hours(const char *s, double *hours)
{
	int h, m, used = 0;
	if (sscanf(s, " %d:%2d %n", &h, &m, &used) == 2 && s[used] == '\0' && m < 60 && h >= 0) {
		*hours = h + m / 60.0;
		return true;
	}
	return tracker_number(s, hours);
}

/* "Ibuprofen 400mg" -> name "Ibuprofen", dose "400mg". */
static void
split_dose(char *text, const char **dose)
{
	*dose = "";
	for (char *c = text; *c; c++) {
		if (isdigit((unsigned char)*c) && c > text && c[-1] == ' ') {
			c[-1] = '\0';
			*dose = c;
			return;
		}
	}
}

static void
bearable_items(struct tracker *t, const char *category, char *detail, const char *rating,
    int64_t ms, int32_t offset, const char *note)
{
	char *parts[BEARABLE_MAX_PARTS];
	size_t n = tracker_split(detail, " | ", parts, BEARABLE_MAX_PARTS);
	double r = 0;
	bool has_rating = tracker_number(rating, &r);
	if (strcasecmp(category, "symptom") == 0 || strcasecmp(category, "symptoms") == 0) {
		for (size_t i = 0; i < n; i++) {
			double sev = symptom_severity(parts[i]);
			if (sev < 0 && has_rating)
				sev = r;
			if (sev < 0)
				tracker_reject(t, "no severity for the symptom '%.40s'", parts[i]);
			else
				tracker_add_severity(t, TRACKER_SYMPTOM, parts[i], sev, ms, offset, note);
		}
		return;
	}
	bool meds = strncasecmp(category, "med", 3) == 0 || strcasecmp(category, "supplements") == 0 ||
	    strcasecmp(category, "treatment") == 0 || strcasecmp(category, "treatments") == 0;
	bool factors = strcasecmp(category, "factors") == 0 || strcasecmp(category, "factor") == 0 ||
	    strcasecmp(category, "tags") == 0;
	bool food = strcasecmp(category, "food") == 0 || strcasecmp(category, "diet") == 0 ||
	    strcasecmp(category, "meals") == 0;
	for (size_t i = 0; i < n; i++) {
		if (meds) {
			const char *dose;
			split_dose(parts[i], &dose);
			tracker_add_treatment(t, parts[i], dose, n == 1 && has_rating && r > 0 ? r : 1,
			    ms, offset, note);
		} else {
			/* A category simmer does not know keeps its rating in the note. */
			char text[PROTO_NOTE_MAX + 1];
			if (!factors && !food)
				snprintf(text, sizeof text, "%s%s%s%s%s", category, rating[0] ? ": " : "",
				    rating, note[0] ? "; " : "", note);
			tracker_add_tag(t, factors ? TRACKER_TAG : (food ? TRACKER_FOOD : TRACKER_OTHER),
			    parts[i], ms, offset, factors || food ? note : text);
		}
	}
	if (n == 0 && !meds && !factors && !food) {
		char text[PROTO_NOTE_MAX + 1];
		snprintf(text, sizeof text, "%s%s%s", rating, note[0] ? "; " : "", note);
		tracker_add_tag(t, TRACKER_OTHER, category, ms, offset, text);
	}
}

static int
bearable_row(struct tracker *t, char **fields, size_t n)
{
	struct bearable *b = t->state;
	int y, m, d, hh, mm;
	const char *date = field(fields, n, b->date_formatted);
	if (date[0] == '\0' || tracker_parse_date(date, &y, &m, &d) != 0)
		date = field(fields, n, b->date);
	const char *when = field(fields, n, b->time);
	if (time_of_day(when, &hh, &mm) != 0) {
		tracker_reject(t, "bad time of day '%.40s' (a clock time, pre, am, mid, pm or all day)",
		    when);
		return 0;
	}
	int64_t ms;
	int32_t offset;
	if (tracker_date_at(t, date, hh, mm, &ms, &offset) != 0)
		return 0;
	char category[64];
	snprintf(category, sizeof category, "%s", field(fields, n, b->category));
	char *cat = category;
	while (isspace((unsigned char)*cat))
		cat++;
	for (size_t len = strlen(cat); len > 0 && isspace((unsigned char)cat[len - 1]); len--)
		cat[len - 1] = '\0';
	const char *rating = field(fields, n, b->rating), *note = field(fields, n, b->notes);
	char empty[1] = "";
	char *detail = b->detail < (int)n ? fields[b->detail] : empty;
	double v;
	static const struct {
		const char *category, *factor;
	} scales[] = {{"mood", "mood"}, {"energy", "energy"}, {"stress", "stress"},
	    {"sleep quality", "sleep_quality"}};
	for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
		if (strcasecmp(cat, scales[i].category) != 0)
			continue;
		if (!tracker_number(rating, &v))
			tracker_reject(t, "%s needs a number, not '%.40s'", cat, rating);
		else
			tracker_add_value(t, cat, scales[i].factor, "scale", v, ms, offset, note);
		return 0;
	}
	if (strcasecmp(cat, "sleep") == 0) {
		if (!sleep_hours(rating, &v) && !sleep_hours(detail, &v))
			tracker_reject(t, "sleep needs hours such as 7:30, not '%.40s'", rating);
		else
			tracker_add_value(t, cat, "sleep_hours", "hours", v, ms, offset, note);
		return 0;
	}
	if (strcasecmp(cat, "exercise") == 0 && tracker_number(rating, &v)) {
		tracker_add_value(t, cat, "activity_minutes", "minutes", v, ms, offset,
		    detail[0] ? detail : note);
		return 0;
	}
	if (strcasecmp(cat, "notes") == 0 || strcasecmp(cat, "note") == 0 ||
	    strcasecmp(cat, "gratitude") == 0) {
		tracker_skip(t, "notes (simmer keeps a note only with an entry)");
		return 0;
	}
	if (cat[0] == '\0') {
		tracker_reject(t, "no category");
		return 0;
	}
	bearable_items(t, cat, detail, rating, ms, offset, note);
	return 0;
}

const struct tracker_format tracker_bearable = {
	.name = "bearable",
	.header = bearable_header,
	.row = bearable_row,
};
