/*
 * import_sheet.c: a diary kept as a spreadsheet, one row per day (see
 * tracker.h).
 *
 *   Date,Pain,Sleep hours,Stress,Dairy,Ibuprofen,Brain fog,Notes
 *   2024-03-01,3,6.5,4,yes,,2,long day
 *   2024-03-02,7,5,6,no,1,5,
 *
 * One column holds the date ("date" or "day", or the first whose name holds
 * "date", "timestamp" or "time_frame"; a time after the date, as in
 * "2019-11-01T00:00:00Z", is not read), one may hold the time of
 * day ("time", 24-hour "08:30"), one a note ("notes", "note", "comments");
 * every other column is a factor. A column
 * named after one of simmer's factors or their aliases (pain, sleep_hours
 * or "Sleep hours", stress, dairy, ibuprofen...) takes its values in that
 * factor's unit: a 0-10 scale, hours, minutes, a count. Any other column
 * becomes a factor of its own, decided from all of its cells: an event (an
 * exposure) when they are only yes/no marks, 0 or 1; a 0-10 symptom scale
 * when they are numbers from 0 to 10. Other numbers go only to a factor of
 * that name the person defined before (import_from.c checks), since simmer
 * cannot tell what they measure; otherwise, and for a column of words, the
 * summary says what was left out. A word in a column of values is refused
 * in its row. "yes", "x" and
 * "true" count 1, "no" and "false" 0 (the day was logged without it); an
 * empty cell is not logged. Entries are at the row's time, or at noon of
 * their day when the sheet has no time column or the cell is empty; the
 * note goes with the row's first entry. Dates are as tracker_parse_date reads them, or numbers with
 * slashes or dots ("3/14/2024", "14.03.2024"), whose order, day or month
 * first, the whole column tells: a first number above 12 is a day, a
 * second one a month. A column that never tells is refused rather than
 * guessed. Numbers with thousands separators or a decimal comma ("8,500",
 * "7,5", "1.234,5") are read the way their column shows, by the same rule
 * (sheet_numbers.h).
 *
 * The whole file is read before anything is decided (tracker_read's rule),
 * so the rows are kept here until the last one: every cell's text in one
 * growing buffer, and one offset per cell, not an allocation each.
 *
 * SPDX-License-Identifier: ISC
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/sheet_numbers.h"
#include "client/tracker.h"

/* What a column is taken as. */
enum sheet_column {
	SHEET_SKIP,       /* the date, the note, or left out */
	SHEET_BUILTIN,    /* one of simmer's factors: values as they are */
	SHEET_EVENT,      /* a new factor: yes/no marks */
	SHEET_SCALE,      /* a new factor: a 0-10 symptom scale */
	SHEET_IF_DEFINED, /* other numbers: only to a factor the person defined */
};

struct sheet_row {
	unsigned long line;
};

/* Which number of a "3/4/2024" date is the day, from the whole column. */
enum date_order { ORDER_UNKNOWN, ORDER_DAY_FIRST, ORDER_MONTH_FIRST, ORDER_MIXED };

struct sheet {
	int date, time, note;
	enum date_order order;
	size_t n_columns;
	char **names;
	char (*factors)[33];
	enum sheet_column *kinds;
	enum number_style *styles;  /* each column's decimal mark */
	struct sheet_row *rows;
	size_t n_rows, cap_rows;
	/* Row r's cell c is text + cell_at[r * n_columns + c]; text[0] is
	 * the empty cell of a row with fewer fields than the header. */
	char *text;
	size_t text_len, text_cap;
	size_t *cell_at;
};

static const char *
cell(const struct sheet *s, size_t r, size_t c)
{
	return s->text + s->cell_at[r * s->n_columns + c];
}

/* A cell read: a number, a yes/no mark, text that is neither, or a number
 * its column cannot place ("1,500" where nothing tells 1500 from 1.5). */
enum cell_kind { CELL_EMPTY, CELL_NUMBER, CELL_YES, CELL_NO, CELL_TEXT, CELL_UNCLEAR };

/* Reads a cell of a column whose numbers are written in `style`; why says
 * what is unclear about a CELL_UNCLEAR. */
static enum cell_kind
read_cell(const char *s, enum number_style style, double *v, char *why, size_t whylen)
{
	static const char *const yes[] = {"yes", "y", "x", "true"};
	static const char *const no[] = {"no", "n", "false"};
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return CELL_EMPTY;
	int number = number_read(s, style, v, why, whylen);
	if (number != 0)
		return number > 0 ? CELL_NUMBER : CELL_UNCLEAR;
	if (tracker_number(s, v))
		return CELL_NUMBER;
	char word[8];
	size_t n = 0;
	while (s[n] && !isspace((unsigned char)s[n]) && n + 1 < sizeof word) {
		word[n] = s[n];
		n++;
	}
	word[n] = '\0';
	for (const char *rest = s + n; *rest; rest++)
		if (!isspace((unsigned char)*rest))
			return CELL_TEXT;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (strcasecmp(word, yes[i]) == 0) {
			*v = 1;
			return CELL_YES;
		}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (strcasecmp(word, no[i]) == 0) {
			*v = 0;
			return CELL_NO;
		}
	return CELL_TEXT;
}

/* "3/4/2024" or "03.04.2024" into its three numbers. */
static bool
numeric_date(const char *s, int *first, int *second, int *year)
{
	char sep1[2], sep2[2];
	int n = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (sscanf(s, "%2d%1[/.]%2d%1[/.]%4d%n", first, sep1, second, sep2, year, &n) != 5 ||
	    sep1[0] != sep2[0] || *year < 1000)
		return false;
	for (s += n; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static enum date_order
column_date_order(const struct sheet *s)
{
	bool day_first = false, month_first = false;
	for (size_t r = 0; r < s->n_rows; r++) {
		int a, b, y;
		if (!numeric_date(cell(s, r, (size_t)s->date), &a, &b, &y))
			continue;
		day_first |= a > 12;
		month_first |= b > 12;
	}
	if (day_first && month_first)
		return ORDER_MIXED;
	return day_first ? ORDER_DAY_FIRST : month_first ? ORDER_MONTH_FIRST : ORDER_UNKNOWN;
}

/* "08:30", "20:30:00" or "8:30 PM" (as spreadsheets save times) into hh
 * and mm; an empty cell leaves them as they are. */
static bool
parse_clock(const char *s, int *hh, int *mm)
{
	int h, m, sec, used = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return true;
	if (sscanf(s, "%2d:%2d%n", &h, &m, &used) != 2 || h < 0 || h > 23 || m < 0 || m > 59)
		return false;
	s += used;
	if (sscanf(s, ":%2d%n", &sec, &used) == 1 && sec >= 0 && sec <= 59)
		s += used;
	while (isspace((unsigned char)*s))
		s++;
	if (strncasecmp(s, "am", 2) == 0 || strncasecmp(s, "pm", 2) == 0) {
		if (h < 1 || h > 12)
			return false;
		h = h % 12 + (tolower((unsigned char)*s) == 'p' ? 12 : 0);
		s += 2;
	}
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	*hh = h;
	*mm = m;
	return true;
}

/* The row's instant: its day at its time (noon without one), or -1 after
 * rejecting the row. */
static int
row_instant(struct tracker *t, const struct sheet *s, size_t r, int64_t *ms, int32_t *offset)
{
	const char *date = cell(s, r, (size_t)s->date);
	const char *clock = s->time >= 0 ? cell(s, r, (size_t)s->time) : "";
	int a, b, y, hh = 12, mm = 0;
	if (!parse_clock(clock, &hh, &mm)) {
		tracker_reject(t, "time '%.20s': write it as HH:MM (24-hour, or with AM/PM)",
		    clock);
		return -1;
	}
	if (!numeric_date(date, &a, &b, &y))
		return tracker_date_at(t, date, hh, mm, ms, offset);
	if (s->order == ORDER_UNKNOWN || s->order == ORDER_MIXED) {
		tracker_reject(t, "date '%.20s': the column does not tell whether the day or the "
		    "month comes first; write dates as YYYY-MM-DD", date);
		return -1;
	}
	char iso[16];
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, s->order == ORDER_DAY_FIRST ? b : a,
	    s->order == ORDER_DAY_FIRST ? a : b);
	return tracker_date_at(t, iso, hh, mm, ms, offset);
}

static char *
copy(struct tracker *t, const char *s)
{
	char *c = strdup(s);
	if (c == NULL)
		tracker_fail(t, "out of memory");
	return c;
}

/* The date column: "date" or "day", else the first whose name says it
 * holds dates or times of check-ins ("Date (local)", "checkin_date",
 * "timestamp", "effective_time_frame" as PMData's wellness file has). */
static int
date_column(char **fields, size_t n)
{
	int c = tracker_column(fields, n, (const char *const[]){"date", "day", NULL});
	for (size_t i = 0; c < 0 && i < n; i++) {
		char slug[33];
		tracker_slug(fields[i], slug);
		if (strstr(slug, "date") || strstr(slug, "timestamp") || strstr(slug, "time_frame"))
			c = (int)i;
	}
	return c;
}

static int
sheet_header(struct tracker *t, char **fields, size_t n)
{
	struct sheet *s = tracker_state(t, sizeof *s);
	if (s == NULL)
		return -1;
	s->date = date_column(fields, n);
	if (s->date < 0)
		return tracker_wrong_header(t, "a spreadsheet diary (a date column, then a column "
		    "per factor)", fields, n);
	s->time = tracker_column(fields, n, (const char *const[]){"time", "time of day", NULL});
	s->note = tracker_column(fields, n, (const char *const[]){"notes", "note", "comments",
	    "comment", NULL});
	s->n_columns = n;
	s->names = calloc(n, sizeof *s->names);
	s->factors = calloc(n, sizeof *s->factors);
	s->kinds = calloc(n, sizeof *s->kinds);
	s->styles = calloc(n, sizeof *s->styles);
	if (s->names == NULL || s->factors == NULL || s->kinds == NULL || s->styles == NULL) {
		tracker_fail(t, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((s->names[i] = copy(t, fields[i])) == NULL)
			return -1;
	return 0;
}

static int
sheet_row(struct tracker *t, char **fields, size_t n)
{
	struct sheet *s = t->state;
	bool any = false;
	for (size_t i = 0; i < n && !any; i++)
		for (const char *c = fields[i]; *c && !any; c++)
			any = !isspace((unsigned char)*c);
	if (!any)
		return 0;  /* a blank row between weeks */
	if (n > s->n_columns) {
		tracker_reject(t, "%zu fields, but the header names %zu columns", n, s->n_columns);
		return 0;
	}
	if (s->n_rows == s->cap_rows) {
		size_t cap = s->cap_rows ? 2 * s->cap_rows : 64;
		struct sheet_row *rows = realloc(s->rows, cap * sizeof *rows);
		size_t *at = rows ? realloc(s->cell_at, cap * s->n_columns * sizeof *at) : NULL;
		if (rows != NULL)
			s->rows = rows;
		if (at == NULL) {
			tracker_fail(t, "out of memory");
			return -1;
		}
		s->cell_at = at;
		s->cap_rows = cap;
	}
	size_t need = 0;
	for (size_t i = 0; i < n; i++)
		need += strlen(fields[i]) + 1;
	if (s->text_len + need + 1 > s->text_cap) {
		size_t cap = s->text_cap ? s->text_cap : 4096;
		while (cap < s->text_len + need + 1)
			cap *= 2;
		char *text = realloc(s->text, cap);
		if (text == NULL) {
			tracker_fail(t, "out of memory");
			return -1;
		}
		if (s->text_len == 0)
			text[s->text_len++] = '\0';  /* the empty cell */
		s->text = text;
		s->text_cap = cap;
	}
	size_t *at = &s->cell_at[s->n_rows * s->n_columns];
	for (size_t i = 0; i < s->n_columns; i++) {
		if (i >= n) {
			at[i] = 0;
			continue;
		}
		size_t len = strlen(fields[i]);
		memcpy(s->text + s->text_len, fields[i], len + 1);
		at[i] = s->text_len;
		s->text_len += len + 1;
	}
	s->rows[s->n_rows++].line = t->row_line;
	return 0;
}

/* Column names other trackers and spreadsheets give simmer's measured
 * factors, as tracker_slug makes them. */
static const struct {
	const char *factor;
	const char *slugs[8];
} measured[] = {
	{"sleep_hours", {"sleep_duration_h", "sleep_duration", "hours_slept", "hours_of_sleep",
	    "total_sleep", "sleep_h", NULL}},
	{"activity_minutes", {"exercise_minutes", "active_minutes", "minutes_of_exercise",
	    "exercise_min", "activity_min", NULL}},
};

/* Column c under a name simmer knows in other words: a measure by the
 * table above, a 0-10 scale by the symptom names other trackers use
 * ("Lower back pain" is pain, "Tiredness" fatigue), yes/no marks by the
 * tag, food and medicine names ("Cheese" is dairy, "Advil" an NSAID). */
static bool
known_as(struct sheet *s, size_t c, enum sheet_column kind)
{
	for (size_t i = 0; i < sizeof measured / sizeof measured[0]; i++)
		for (const char *const *w = measured[i].slugs; *w; w++)
			if (strcmp(s->factors[c], *w) == 0) {
				snprintf(s->factors[c], sizeof s->factors[c], "%s", measured[i].factor);
				return true;
			}
	struct tracker_mapping m;
	if (kind == SHEET_SCALE) {
		tracker_map_name(TRACKER_SYMPTOM, s->names[c], &m);
		if (!m.builtin || m.event)
			return false;
	} else if (kind == SHEET_EVENT) {
		tracker_map_name(TRACKER_TAG, s->names[c], &m);
		if (!m.builtin)
			tracker_map_name(TRACKER_TREATMENT, s->names[c], &m);
		if (!m.builtin)
			return false;
	} else {
		return false;
	}
	snprintf(s->factors[c], sizeof s->factors[c], "%s", m.factor);
	return true;
}

/* What column c is taken as, from its name and then all of its cells. */
static enum sheet_column
classify(struct tracker *t, struct sheet *s, size_t c)
{
	if ((int)c == s->date || (int)c == s->time || (int)c == s->note)
		return SHEET_SKIP;
	char what[64];
	tracker_slug(s->names[c], s->factors[c]);
	if (tracker_builtin_name(s->factors[c]) || tracker_reserved_name(s->factors[c]))
		return SHEET_BUILTIN;
	/* Words that are neither a number nor yes/no are refused cell by cell
	 * later; the rest decide. */
	bool marks = false, numbers = false, zero_one = true, zero_ten = true, text = false;
	for (size_t r = 0; r < s->n_rows; r++) {
		double v;
		char why[8];
		switch (read_cell(cell(s, r, c), s->styles[c], &v, why, sizeof why)) {
		case CELL_EMPTY:
			break;
		case CELL_UNCLEAR:
			/* A number either way, refused in its row; "1,500" is no
			 * mark, and no 0-10 level as 1500. */
			numbers = true;
			zero_one = zero_ten = false;
			break;
		case CELL_YES:
		case CELL_NO:
			marks = true;
			break;
		case CELL_NUMBER:
			numbers = true;
			zero_one &= v == 0 || v == 1;
			zero_ten &= v >= 0 && v <= 10;
			break;
		case CELL_TEXT:
			text = true;
			break;
		}
	}
	enum sheet_column kind = SHEET_SKIP;
	if ((marks || numbers) && zero_one)
		kind = SHEET_EVENT;
	else if (numbers && !marks)
		kind = zero_ten ? SHEET_SCALE : SHEET_IF_DEFINED;
	if (kind != SHEET_SKIP)
		return known_as(s, c, kind) ? SHEET_BUILTIN : kind;
	if (!marks && !numbers && !text) {
		snprintf(what, sizeof what, "column '%.32s' (empty)", s->names[c]);
		tracker_skip(t, what);
		return SHEET_SKIP;
	}
	/* Counted by the rows it had a value in, as the summary counts rows. */
	snprintf(what, sizeof what, "column '%.24s' (%s)", s->names[c], marks ?
	    "yes/no mixed with counts" : "no number or yes/no");
	for (size_t r = 0; r < s->n_rows; r++) {
		double v;
		char why[8];
		if (read_cell(cell(s, r, c), s->styles[c], &v, why, sizeof why) != CELL_EMPTY)
			tracker_skip(t, what);
	}
	return SHEET_SKIP;
}

static void
sheet_finish(struct tracker *t)
{
	struct sheet *s = t->state;
	if (s == NULL)
		return;
	for (size_t c = 0; c < s->n_columns; c++) {
		struct number_evidence e = {0};
		for (size_t r = 0; r < s->n_rows; r++)
			number_evidence_add(&e, cell(s, r, c));
		s->styles[c] = number_style_of(&e);
		s->kinds[c] = classify(t, s, c);
	}
	s->order = column_date_order(s);
	for (size_t r = 0; r < s->n_rows && !t->fatal[0]; r++) {
		t->row_line = s->rows[r].line;
		int64_t ms;
		int32_t offset;
		if (row_instant(t, s, r, &ms, &offset) != 0)
			continue;
		const char *note = s->note >= 0 && cell(s, r, (size_t)s->note)[0] ?
		    cell(s, r, (size_t)s->note) : NULL;
		for (size_t c = 0; c < s->n_columns; c++) {
			if (s->kinds[c] == SHEET_SKIP)
				continue;
			double v;
			char why[200];
			enum cell_kind k = read_cell(cell(s, r, c), s->styles[c], &v, why, sizeof why);
			if (k == CELL_EMPTY)
				continue;
			if (k == CELL_UNCLEAR) {
				tracker_reject(t, "%.32s: %s", s->names[c], why);
				continue;
			}
			if (k == CELL_TEXT) {
				tracker_reject(t, "%.32s: '%.40s' is neither a number nor yes/no",
				    s->names[c], cell(s, r, c));
				continue;
			}
			tracker_add_value(t, s->names[c], s->factors[c],
			    s->kinds[c] == SHEET_SCALE ? "scale" : "event", v, ms, offset, note);
			note = NULL;
		}
		if (note != NULL)
			tracker_skip(t, "notes without an entry");
	}
	for (size_t c = 0; c < s->n_columns; c++)
		if (s->kinds[c] == SHEET_IF_DEFINED)
			tracker_only_if_defined(t, s->names[c]);
}

static void
sheet_free(struct tracker *t)
{
	struct sheet *s = t->state;
	if (s == NULL)
		return;
	free(s->text);
	free(s->cell_at);
	for (size_t c = 0; s->names != NULL && c < s->n_columns; c++)
		free(s->names[c]);
	free(s->rows);
	free(s->names);
	free(s->factors);
	free(s->kinds);
	free(s->styles);
}

const struct tracker_format tracker_sheet = {
	.name = "sheet",
	.header = sheet_header,
	.row = sheet_row,
	.finish = sheet_finish,
	.free = sheet_free,
};
