/*
 * import_flaredown.c: Flaredown's per-person CSV export (see tracker.h).
 *
 *   Date,Fibromyalgia,Back pain,Fatigue,Ibuprofen,Tags,Foods
 *   2024-03-01,3,2,1,400.0 mg; 400.0 mg,stress; bad weather,cheese; bread
 *
 * One row per check-in date, one column per condition, symptom and
 * treatment, then the tags and the foods; several values in one cell are
 * joined by "; ". A condition or symptom holds a severity 0-4, a treatment
 * its dose text. A column may say what it holds ("Symptom: Fatigue",
 * "Fatigue (symptom)"); otherwise a number is read as a severity and any
 * other text as a treatment's dose. Weather columns are left out.
 *
 * A file whose header names trackable_name is Flaredown's long research
 * export instead, read by import_flaredown_long.c.
 *
 * SPDX-License-Identifier: ISC
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/tracker.h"

/* What a column holds. */
enum column_kind {
	COL_UNKNOWN,      /* an item whose type the cells tell */
	COL_SYMPTOM,
	COL_CONDITION,
	COL_TREATMENT,
	COL_TAGS,
	COL_FOODS,
	COL_SKIP,         /* weather, notes */
	COL_DATE,
};

struct flaredown {
	int date;
	size_t n_columns;
	enum column_kind *kinds;
	char **names;      /* the item each column holds */
};

/* Values in one cell. */
#define FLAREDOWN_MAX_PARTS 64

static void
flaredown_free_columns(struct flaredown *f)
{
	for (size_t i = 0; f->names != NULL && i < f->n_columns; i++)
		free(f->names[i]);
	free(f->names);
	free(f->kinds);
	f->names = NULL;
	f->kinds = NULL;
}

/* "Symptom: Fatigue", "Fatigue (symptom)", "symptom_fatigue" -> the kind
 * and the name. */
static enum column_kind
column_kind(const char *header, char *name, size_t namelen)
{
	static const struct {
		const char *word;
		enum column_kind kind;
	} words[] = {{"condition", COL_CONDITION}, {"conditions", COL_CONDITION},
	    {"symptom", COL_SYMPTOM}, {"symptoms", COL_SYMPTOM}, {"treatment", COL_TREATMENT},
	    {"treatments", COL_TREATMENT}};
	while (isspace((unsigned char)*header))
		header++;
	snprintf(name, namelen, "%s", header);
	for (size_t len = strlen(name); len > 0 && isspace((unsigned char)name[len - 1]); len--)
		name[len - 1] = '\0';
	if (strcasecmp(name, "tags") == 0 || strcasecmp(name, "tag") == 0)
		return COL_TAGS;
	if (strcasecmp(name, "foods") == 0 || strcasecmp(name, "food") == 0)
		return COL_FOODS;
	if (strncasecmp(name, "weather", 7) == 0 || strcasecmp(name, "notes") == 0 ||
	    strcasecmp(name, "note") == 0)
		return COL_SKIP;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t wl = strlen(words[i].word), len = strlen(name);
		if (strncasecmp(name, words[i].word, wl) == 0 && (name[wl] == ':' || name[wl] == '_')) {
			const char *rest = name + wl + 1;
			while (*rest == ' ')
				rest++;
			memmove(name, rest, strlen(rest) + 1);
			return words[i].kind;
		}
		if (len > wl + 3 && name[len - 1] == ')' && name[len - wl - 2] == '(' &&
		    strncasecmp(name + len - wl - 1, words[i].word, wl) == 0) {
			size_t cut = len - wl - 2;
			while (cut > 0 && name[cut - 1] == ' ')
				cut--;
			name[cut] = '\0';
			return words[i].kind;
		}
	}
	return COL_UNKNOWN;
}

static int
flaredown_header(struct tracker *t, char **fields, size_t n)
{
	struct flaredown *f = tracker_state(t, sizeof *f);
	if (f == NULL)
		return -1;
	if (tracker_column(fields, n, (const char *const[]){"trackable_name", NULL}) >= 0) {
		free(f);
		t->state = NULL;
		t->format = &tracker_flaredown_long;
		return t->format->header(t, fields, n);
	}
	/* The date comes first, and the tags and foods are at the end. */
	f->date = tracker_column(fields, n, (const char *const[]){"date", "checkin_date", NULL});
	int tags = tracker_column(fields, n, (const char *const[]){"tags", "foods", NULL});
	if (f->date != 0 || tags < 0) {
		return tracker_wrong_header(t, "a Flaredown export", fields, n);
	}
	f->kinds = calloc(n, sizeof *f->kinds);
	f->names = calloc(n, sizeof *f->names);
	f->n_columns = n;
	if (f->kinds == NULL || f->names == NULL) {
		flaredown_free_columns(f);
		tracker_fail(t, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* The date column has no name of its own: it must not copy
		 * what the stack held. */
		char name[256] = "";
		f->kinds[i] = (int)i == f->date ? COL_DATE : column_kind(fields[i], name, sizeof name);
		f->names[i] = strdup(name);
		if (f->names[i] == NULL) {
			flaredown_free_columns(f);
			tracker_fail(t, "out of memory");
			return -1;
		}
	}
	return 0;
}

static bool
taken_word(const char *s)
{
	static const char *const words[] = {"yes", "y", "x", "taken", "true", "done"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	return false;
}

static void
flaredown_cell(struct tracker *t, enum column_kind kind, const char *name, char *cell,
    int64_t ms, int32_t offset)
{
	char *parts[FLAREDOWN_MAX_PARTS];
	size_t n = tracker_split(cell, "; ", parts, FLAREDOWN_MAX_PARTS);
	char which[64]; /* "dose N of M" with two 20-digit counts */
	for (size_t i = 0; i < n; i++) {
		double v;
		bool number = tracker_number(parts[i], &v);
		switch (kind) {
		case COL_TAGS:
			tracker_add_tag(t, TRACKER_TAG, parts[i], ms, offset, NULL);
			break;
		case COL_FOODS:
			tracker_add_tag(t, TRACKER_FOOD, parts[i], ms, offset, NULL);
			break;
		case COL_SYMPTOM:
		case COL_CONDITION:
			if (!number)
				tracker_reject(t, "'%.40s' needs a severity 0-4, not '%.40s'", name, parts[i]);
			else
				tracker_add_severity(t, kind == COL_SYMPTOM ? TRACKER_SYMPTOM :
				    TRACKER_CONDITION, name, v, ms, offset, NULL);
			break;
		case COL_TREATMENT:
		case COL_UNKNOWN:
			if (kind == COL_UNKNOWN && number) {
				tracker_add_severity(t, TRACKER_SYMPTOM, name, v, ms, offset, NULL);
				break;
			}
			/* Several doses in one cell are several entries, told apart by
			 * their note so that equal doses are not taken for one. */
			snprintf(which, sizeof which, "dose %zu of %zu", i + 1, n);
			tracker_add_treatment(t, name, taken_word(parts[i]) ? "" : parts[i], 1, ms,
			    offset, n > 1 ? which : NULL);
			break;
		default:
			break;
		}
	}
}

static int
flaredown_row(struct tracker *t, char **fields, size_t n)
{
	struct flaredown *f = t->state;
	const char *date = (size_t)f->date < n ? fields[f->date] : "";
	int64_t ms;
	int32_t offset;
	if (tracker_date_at(t, date, 12, 0, &ms, &offset) != 0)
		return 0;
	bool skipped = false;
	for (size_t i = 0; i < n && i < f->n_columns; i++) {
		if (f->kinds[i] == COL_DATE || fields[i][0] == '\0')
			continue;
		if (f->kinds[i] == COL_SKIP) {
			skipped = true;
			continue;
		}
		flaredown_cell(t, f->kinds[i], f->names[i], fields[i], ms, offset);
	}
	if (skipped)
		tracker_skip(t, "weather and notes (days that had them)");
	return 0;
}

static void
flaredown_free(struct tracker *t)
{
	struct flaredown *f = t->state;
	if (f != NULL)
		flaredown_free_columns(f);
}

const struct tracker_format tracker_flaredown = {
	.name = "flaredown",
	.header = flaredown_header,
	.row = flaredown_row,
	.free = flaredown_free,
};
