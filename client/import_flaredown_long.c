/*
 * import_flaredown_long.c: Flaredown's long research export (see
 * tracker.h), one tracked value per row and many people per file:
 *
 *   user_id,age,sex,country,checkin_date,trackable_id,trackable_type,
 *   trackable_name,trackable_value
 *
 * `--user ID` picks one person; a file that holds only one needs none.
 * Conditions and symptoms carry a severity 0-4, treatments their dose text
 * ("8.0 mg"), tags and foods nothing. Weather rows and the Harvey-Bradshaw
 * index answers are left out; age, sex and country are not kept.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/tracker.h"

struct flaredown_long {
	int user, date, type, name, value;
	char person[128];        /* the user whose rows are read */
	unsigned long read;      /* that person's rows */
};

static int
long_header(struct tracker *t, char **fields, size_t n)
{
	struct flaredown_long *f = tracker_state(t, sizeof *f);
	if (f == NULL)
		return -1;
	f->user = tracker_column(fields, n, (const char *const[]){"user_id", NULL});
	f->date = tracker_column(fields, n, (const char *const[]){"checkin_date", NULL});
	f->type = tracker_column(fields, n, (const char *const[]){"trackable_type", NULL});
	f->name = tracker_column(fields, n, (const char *const[]){"trackable_name", NULL});
	f->value = tracker_column(fields, n, (const char *const[]){"trackable_value", NULL});
	if (f->date < 0 || f->type < 0 || f->name < 0 || f->value < 0) {
		return tracker_wrong_header(t, "a Flaredown research export", fields, n);
	}
	if (t->user != NULL)
		snprintf(f->person, sizeof f->person, "%s", t->user);
	return 0;
}

static const char *
cell(char **fields, size_t n, int col)
{
	return col >= 0 && (size_t)col < n ? fields[col] : "";
}

/* Whether the row belongs to the person being read; the first person seen
 * is the one when no --user was given, and a second one stops the import. */
static bool
is_person(struct tracker *t, struct flaredown_long *f, const char *user)
{
	if (f->user < 0)
		return true;
	if (f->person[0] == '\0')
		snprintf(f->person, sizeof f->person, "%s", user);
	if (strcmp(f->person, user) == 0)
		return true;
	if (t->user == NULL) {
		tracker_fail(t, "this research export holds more than one person (user ids %.40s "
		    "and %.40s...); choose one with --user ID", f->person, user);
		return false;
	}
	tracker_skip(t, "other people's check-ins");
	return false;
}

static int
long_row(struct tracker *t, char **fields, size_t n)
{
	struct flaredown_long *f = t->state;
	if (!is_person(t, f, cell(fields, n, f->user)))
		return 0;
	f->read++;
	const char *date = cell(fields, n, f->date), *type = cell(fields, n, f->type);
	const char *name = cell(fields, n, f->name), *value = cell(fields, n, f->value);
	if (strcasecmp(type, "weather") == 0) {
		tracker_skip(t, "weather");
		return 0;
	}
	if (strcasecmp(type, "hbi") == 0) {
		tracker_skip(t, "Harvey-Bradshaw index answers");
		return 0;
	}
	int64_t ms;
	int32_t offset;
	if (tracker_date_at(t, date, 12, 0, &ms, &offset) != 0)
		return 0;
	if (name[0] == '\0') {
		tracker_reject(t, "no trackable_name");
		return 0;
	}
	bool condition = strcasecmp(type, "condition") == 0;
	if (condition || strcasecmp(type, "symptom") == 0) {
		double v;
		if (!tracker_number(value, &v))
			tracker_reject(t, "'%.40s' needs a severity 0-4, not '%.40s'", name, value);
		else
			tracker_add_severity(t, condition ? TRACKER_CONDITION : TRACKER_SYMPTOM, name, v,
			    ms, offset, NULL);
	} else if (strcasecmp(type, "treatment") == 0) {
		tracker_add_treatment(t, name, value, 1, ms, offset, NULL);
	} else if (strcasecmp(type, "tag") == 0) {
		tracker_add_tag(t, TRACKER_TAG, name, ms, offset, NULL);
	} else if (strcasecmp(type, "food") == 0) {
		tracker_add_tag(t, TRACKER_FOOD, name, ms, offset, NULL);
	} else {
		/* A type simmer does not know keeps its value in the note. */
		char note[PROTO_NOTE_MAX + 1];
		snprintf(note, sizeof note, "%s%s%s", type, value[0] ? ": " : "", value);
		tracker_add_tag(t, TRACKER_OTHER, name, ms, offset, note);
	}
	return 0;
}

static void
long_finish(struct tracker *t)
{
	struct flaredown_long *f = t->state;
	if (t->user != NULL && f->read == 0)
		tracker_fail(t, "no check-ins of user %.60s in this file", t->user);
}

const struct tracker_format tracker_flaredown_long = {
	.name = "flaredown",
	.header = long_header,
	.row = long_row,
	.finish = long_finish,
};
