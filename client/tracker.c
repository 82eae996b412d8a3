/*
 * tracker.c: what the tracker readers share (see tracker.h): the CSV rows,
 * dates, the list of entries and names, the items, and the summary.
 * The formats themselves are in import_bearable.c, import_flaredown.c,
 * import_flaredown_long.c and import_sheet.c; the names in tracker_names.c.
 *
 * SPDX-License-Identifier: ISC
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/tracker.h"
#include "client/when.h"

static const struct tracker_format *const formats[] = {
	&tracker_bearable,
	&tracker_flaredown,
	&tracker_sheet,
};

const struct tracker_format *
tracker_format_find(const char *name)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcasecmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

const char *
tracker_formats_help(void)
{
	return "bearable (date,weekday,time of day,category,rating/amount,detail,notes; "
	    "or with a 'date formatted' column), flaredown (Date, a column per condition, "
	    "symptom and treatment, Tags, Foods; or the research export "
	    "user_id,age,sex,country,checkin_date,trackable_id,trackable_type,"
	    "trackable_name,trackable_value), sheet (a spreadsheet diary: a date column, "
	    "then a column per factor)";
}

void
tracker_fail(struct tracker *t, const char *fmt, ...)
{
	if (t->fatal[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->fatal, sizeof t->fatal, fmt, ap);
	va_end(ap);
}

void
tracker_reject(struct tracker *t, const char *fmt, ...)
{
	if (t->n_rejected == t->cap_rejected) {
		size_t cap = t->cap_rejected ? t->cap_rejected * 2 : 16;
		struct import_record *r = realloc(t->rejected, cap * sizeof *r);
		if (r == NULL) {
			tracker_fail(t, "out of memory");
			return;
		}
		t->rejected = r;
		t->cap_rejected = cap;
	}
	struct import_record *rec = &t->rejected[t->n_rejected++];
	memset(rec, 0, sizeof *rec);
	rec->line = t->row_line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rec->message, sizeof rec->message, fmt, ap);
	va_end(ap);
}

void
tracker_skip(struct tracker *t, const char *what)
{
	for (size_t i = 0; i < t->n_skips; i++) {
		if (strcmp(t->skips[i].what, what) == 0) {
			t->skips[i].rows++;
			return;
		}
	}
	if (t->n_skips == sizeof t->skips / sizeof t->skips[0])
		return;
	snprintf(t->skips[t->n_skips].what, sizeof t->skips[0].what, "%s", what);
	t->skips[t->n_skips++].rows = 1;
}

/* Trims the spaces around a header name and a byte-order mark. */
static const char *
header_name(const char *s, size_t *len)
{
	if (strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

int
tracker_column(char **fields, size_t n, const char *const *names)
{
	for (size_t i = 0; i < n; i++) {
		if (fields[i] == NULL)
			continue; /* a field the parser could not keep */
		size_t len;
		const char *h = header_name(fields[i], &len);
		for (const char *const *w = names; *w; w++)
			if (strlen(*w) == len && strncasecmp(h, *w, len) == 0)
				return (int)i;
	}
	return -1;
}

void *
tracker_state(struct tracker *t, size_t size)
{
	t->state = calloc(1, size);
	if (t->state == NULL)
		tracker_fail(t, "out of memory");
	return t->state;
}

/* The header as the file has it, for a message: "a,b,c" cut at 120 bytes. */
static void
header_text(char **fields, size_t n, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(out), len;
		const char *h = header_name(fields[i], &len);
		snprintf(out + used, outlen - used, "%s%.*s", i ? "," : "", (int)len, h);
	}
	if (strlen(out) > 120)
		snprintf(out + 117, outlen - 117, "...");
}

int
tracker_wrong_header(struct tracker *t, const char *what, char **fields, size_t n)
{
	char found[160];
	header_text(fields, n, found, sizeof found);
	tracker_fail(t, "this is not %s: its first line is '%s'; the formats known are %s", what,
	    found, tracker_formats_help());
	return -1;
}

static int
month_number(const char *s, size_t len)
{
	static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
	    "aug", "sep", "oct", "nov", "dec"};
	if (len < 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

static bool
valid_date(int y, int m, int d)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

int
tracker_parse_date(const char *s, int *y, int *m, int *d)
{
	while (isspace((unsigned char)*s))
		s++;
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", y, m, d, &n) == 3 && n == 10)
		return valid_date(*y, *m, *d) ? 0 : -1;
	/* "25th Sep 2020" or "Sep 25, 2020": words, with numbers around. */
	char word[16] = "";
	int a = 0, b = 0;
	char suffix[4] = "";
	if (sscanf(s, "%d%3[a-zA-Z] %15[a-zA-Z] %d", &a, suffix, word, &b) == 4 ||
	    sscanf(s, "%d %15[a-zA-Z] %d", &a, word, &b) == 3) {
		*d = a;
		*m = month_number(word, strlen(word));
		*y = b;
		return valid_date(*y, *m, *d) ? 0 : -1;
	}
	if (sscanf(s, "%15[a-zA-Z] %d%*[a-z,] %d", word, &a, &b) == 3 ||
	    sscanf(s, "%15[a-zA-Z] %d, %d", word, &a, &b) == 3) {
		*m = month_number(word, strlen(word));
		*d = a;
		*y = b;
		return valid_date(*y, *m, *d) ? 0 : -1;
	}
	return -1;
}

int
tracker_date_at(struct tracker *t, const char *date, int hh, int mm, int64_t *ms,
    int32_t *offset)
{
	int y, m, d;
	char s[32], err[120];
	if (tracker_parse_date(date, &y, &m, &d) == 0) {
		snprintf(s, sizeof s, "%04d-%02d-%02d %02d:%02d", y, m, d, hh, mm);
		if (when_parse(s, t->now_ms, WHEN_DATE_NOON, ms, offset, err, sizeof err) == 0)
			return 0;
	}
	tracker_reject(t, "bad date '%.40s'", date);
	return -1;
}

bool
tracker_number(const char *s, double *out)
{
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' || errno != 0 || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

size_t
tracker_split(char *s, const char *sep, char **parts, size_t max)
{
	/* The separator's spaces are optional: "a;b" and "a; b" both split. */
	char mark = 0;
	for (const char *c = sep; *c; c++)
		if (!isspace((unsigned char)*c))
			mark = *c;
	size_t n = 0;
	char *p = s;
	while (p != NULL && n < max) {
		char *next = strchr(p, mark);
		if (next != NULL)
			*next++ = '\0';
		char *part = trim(p);
		if (*part)
			parts[n++] = part;
		p = next;
	}
	return n;
}

/* The index of a name in t->names, adding it; -1 when full. */
static int
name_index(struct tracker *t, const char *source, const char *item,
    const struct tracker_mapping *m, const char *kind, const char *role)
{
	for (size_t i = 0; i < t->n_names; i++)
		if (strcmp(t->names[i].factor, m->factor) == 0 &&
		    strcasecmp(t->names[i].source, source) == 0)
			return (int)i;
	if (t->n_names == TRACKER_MAX_NAMES) {
		tracker_fail(t, "more than %d different names", TRACKER_MAX_NAMES);
		return -1;
	}
	if (t->n_names == t->cap_names) {
		size_t cap = t->cap_names ? t->cap_names * 2 : 32;
		struct tracker_name *r = realloc(t->names, cap * sizeof *r);
		if (r == NULL) {
			tracker_fail(t, "out of memory");
			return -1;
		}
		t->names = r;
		t->cap_names = cap;
	}
	struct tracker_name *n = &t->names[t->n_names];
	memset(n, 0, sizeof *n);
	snprintf(n->source, sizeof n->source, "%s", source);
	snprintf(n->factor, sizeof n->factor, "%s", m->factor);
	n->item = item;
	n->kind = kind;
	n->role = role;
	n->custom = !m->builtin;
	return (int)t->n_names++;
}

static void
add_entry(struct tracker *t, int name, double value, int64_t ms, int32_t offset,
    const char *note)
{
	if (name < 0)
		return;
	if (t->n_entries == t->cap_entries) {
		size_t cap = t->cap_entries ? t->cap_entries * 2 : 256;
		struct tracker_entry *r = realloc(t->entries, cap * sizeof *r);
		if (r == NULL) {
			tracker_fail(t, "out of memory");
			return;
		}
		t->entries = r;
		t->cap_entries = cap;
	}
	struct tracker_entry *e = &t->entries[t->n_entries];
	e->time_ms = ms;
	e->offset_min = offset;
	e->line = t->row_line;
	e->value = value;
	e->factor = (uint16_t)name;
	e->note = NULL;
	if (note != NULL && note[0]) {
		e->note = strndup(note, PROTO_NOTE_MAX);
		if (e->note == NULL) {
			tracker_fail(t, "out of memory");
			return;
		}
	}
	t->n_entries++;
	t->names[name].entries++;
}

static const char *const item_words[] = {
	[TRACKER_SYMPTOM] = "symptom", [TRACKER_CONDITION] = "condition",
	[TRACKER_TREATMENT] = "treatment", [TRACKER_TAG] = "tag", [TRACKER_FOOD] = "food",
	[TRACKER_OTHER] = "other",
};

void
tracker_add_severity(struct tracker *t, enum tracker_item item, const char *name,
    double severity, int64_t ms, int32_t offset, const char *note)
{
	if (severity < 0 || severity > 4) {
		tracker_reject(t, "severity %g of '%.40s' is outside 0-4", severity, name);
		return;
	}
	struct tracker_mapping m;
	tracker_map_name(item, name, &m);
	if (m.event && severity == 0)
		return; /* a red flag or a flare marked "none" is no event */
	int i = name_index(t, name, item_words[item], &m, "scale", "symptom");
	add_entry(t, i, m.event ? 1 : severity * m.scale, ms, offset, note);
}

void
tracker_add_treatment(struct tracker *t, const char *name, const char *dose, double count,
    int64_t ms, int32_t offset, const char *note)
{
	struct tracker_mapping m;
	tracker_map_name(TRACKER_TREATMENT, name, &m);
	/* An NSAID with its dose goes to the drug, in mg; without one it is
	 * one dose of the class. */
	double mg;
	if (tracker_dose_drug(name, dose, m.factor, &mg)) {
		m.builtin = true;
		count *= mg;
	}
	int i = name_index(t, name, "treatment", &m, "event", "treatment");
	char text[PROTO_NOTE_MAX + 1];
	if (dose != NULL && dose[0] && note != NULL && note[0])
		snprintf(text, sizeof text, "%s %s; %s", name, dose, note);
	else if (dose != NULL && dose[0])
		snprintf(text, sizeof text, "%s %s", name, dose);
	else if (m.builtin)
		snprintf(text, sizeof text, "%s%s%s", name, note && note[0] ? "; " : "", note ? note : "");
	else
		snprintf(text, sizeof text, "%s", note ? note : "");
	add_entry(t, i, count, ms, offset, text);
}

void
tracker_add_tag(struct tracker *t, enum tracker_item item, const char *name, int64_t ms,
    int32_t offset, const char *note)
{
	struct tracker_mapping m;
	tracker_map_name(item, name, &m);
	int i = name_index(t, name, item_words[item], &m, "event", "exposure");
	add_entry(t, i, 1, ms, offset, note);
}

void
tracker_add_value(struct tracker *t, const char *source, const char *factor, const char *kind,
    double value, int64_t ms, int32_t offset, const char *note)
{
	struct tracker_mapping m;
	memset(&m, 0, sizeof m);
	snprintf(m.factor, sizeof m.factor, "%s", factor);
	m.builtin = tracker_builtin_name(factor);
	int i = name_index(t, source, "value", &m, kind, strcmp(kind, "scale") == 0 ? "symptom" :
	    "exposure");
	add_entry(t, i, value, ms, offset, note);
}

void
tracker_only_if_defined(struct tracker *t, const char *source)
{
	for (size_t i = 0; i < t->n_names; i++)
		if (strncmp(t->names[i].source, source, sizeof t->names[i].source - 1) == 0 &&
		    strcmp(t->names[i].item, "value") == 0)
			t->names[i].if_defined = true;
}

void
tracker_drop_name(struct tracker *t, struct tracker_name *n, const char *why)
{
	n->dropped = true;
	for (unsigned long i = 0; i < n->entries; i++)
		tracker_skip(t, why);
	n->entries = 0;
}

/* libcsv hands fields and rows to these. */
static void
on_field(void *s, size_t len, void *data)
{
	struct tracker *t = data;
	/* A row begins where its first field is: libcsv passes blank lines
	 * by without a row, so counting rows would lag behind them. */
	if (t->n_fields == 0)
		t->row_line = t->line;
	if (t->n_fields == TRACKER_MAX_COLUMNS) {
		t->too_many_fields = true;
		return;
	}
	char *f = malloc(len + 1);
	if (f == NULL) {
		tracker_fail(t, "out of memory");
		return;
	}
	if (len > 0)
		memcpy(f, s, len); /* s is NULL for an empty field */
	f[len] = '\0';
	t->fields[t->n_fields++] = f;
}

static void
clear_fields(struct tracker *t)
{
	for (size_t i = 0; i < t->n_fields; i++)
		free(t->fields[i]);
	t->n_fields = 0;
	t->too_many_fields = false;
}

static void
on_row(int c, void *data)
{
	struct tracker *t = data;
	(void)c;
	if (t->fatal[0]) {
		clear_fields(t);
		return;
	}
	bool blank = t->n_fields == 1 && t->fields[0][0] == '\0';
	if (!t->header_done) {
		t->header_done = true;
		if (t->format->header(t, t->fields, t->n_fields) != 0 && !t->fatal[0])
			tracker_fail(t, "cannot read the header");
	} else if (t->too_many_fields) {
		tracker_reject(t, "more than %d columns", TRACKER_MAX_COLUMNS);
	} else if (!blank) {
		t->format->row(t, t->fields, t->n_fields);
	}
	clear_fields(t);
}

int
tracker_read(struct tracker *t, const struct tracker_format *f, FILE *in, const char *user,
    int64_t now_ms)
{
	memset(t, 0, sizeof *t);
	t->format = f;
	t->user = user;
	t->now_ms = now_ms;
	t->row_line = 1;
	t->fields = calloc(TRACKER_MAX_COLUMNS, sizeof *t->fields);
	if (t->fields == NULL || csv_init(&t->csv, CSV_STRICT | CSV_APPEND_NULL) != 0) {
		tracker_fail(t, "out of memory");
		return -1;
	}
	t->csv_ready = true;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (!t->fatal[0] && (len = getline(&line, &cap, in)) >= 0) {
		t->line++;
		if (csv_parse(&t->csv, line, (size_t)len, on_field, on_row, t) != (size_t)len) {
			/* A malformed quote: say where and go on from the next line. */
			t->row_line = t->line;
			tracker_reject(t, "malformed CSV: %s", csv_strerror(csv_error(&t->csv)));
			clear_fields(t);
			csv_free(&t->csv);
			if (csv_init(&t->csv, CSV_STRICT | CSV_APPEND_NULL) != 0) {
				t->csv_ready = false;
				tracker_fail(t, "out of memory");
			}
			t->row_line = t->line + 1;
		}
	}
	if (!t->fatal[0] && ferror(in))
		tracker_fail(t, "cannot read the file: %s", strerror(errno));
	free(line);
	if (!t->fatal[0] && t->csv_ready)
		csv_fini(&t->csv, on_field, on_row, t);
	if (!t->fatal[0] && !t->header_done)
		tracker_fail(t, "the file is empty: no header line");
	if (!t->fatal[0] && t->format->finish != NULL)
		t->format->finish(t);
	return t->fatal[0] ? -1 : 0;
}

void
tracker_free(struct tracker *t)
{
	if (t->fields != NULL)
		clear_fields(t);
	free(t->fields);
	if (t->csv_ready)
		csv_free(&t->csv);
	for (size_t i = 0; i < t->n_entries; i++)
		free(t->entries[i].note);
	free(t->entries);
	free(t->rejected);
	free(t->names);
	if (t->format != NULL && t->format->free != NULL)
		t->format->free(t);
	free(t->state);
	memset(t, 0, sizeof *t);
}

int
tracker_record(const struct tracker *t, size_t i, struct import_record *rec)
{
	const struct tracker_entry *te = &t->entries[i];
	memset(rec, 0, sizeof *rec);
	rec->line = te->line;
	struct entry *e = &rec->entry;
	e->time_ms = te->time_ms;
	e->utc_offset_min = te->offset_min;
	e->value = te->value;
	e->day = -1;
	e->source = ENTRY_SOURCE_IMPORT;
	snprintf(e->factor, sizeof e->factor, "%s", t->names[te->factor].factor);
	if (te->note != NULL)
		snprintf(e->note, sizeof e->note, "%s", te->note);
	if (proto_uuid_v7(e->id) != 0) {
		snprintf(rec->message, sizeof rec->message, "cannot make an id");
		return -1;
	}
	rec->ok = true;
	return 0;
}

static int
name_order(const void *a, const void *b)
{
	const struct tracker_name *x = *(const struct tracker_name *const *)a;
	const struct tracker_name *y = *(const struct tracker_name *const *)b;
	if (x->custom != y->custom)
		return x->custom ? 1 : -1;
	int c = strcmp(x->factor, y->factor);
	return c ? c : strcasecmp(x->source, y->source);
}

/* The names in the order the summary shows them: mapped, then new. */
static const struct tracker_name **
sorted_names(const struct tracker *t)
{
	const struct tracker_name **v = malloc((t->n_names ? t->n_names : 1) * sizeof *v);
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < t->n_names; i++)
		v[i] = &t->names[i];
	qsort(v, t->n_names, sizeof *v, name_order);
	return v;
}

void
tracker_print_summary(FILE *out, const struct tracker *t)
{
	const struct tracker_name **v = sorted_names(t);
	if (v == NULL)
		return;
	bool custom_seen = false, builtin_seen = false;
	for (size_t i = 0; i < t->n_names; i++) {
		const struct tracker_name *n = v[i];
		if (n->dropped)
			continue;
		if (!n->custom && !builtin_seen) {
			fprintf(out, "Mapped onto simmer's factors (name in the file -> factor, entries):\n");
			builtin_seen = true;
		}
		if (n->custom && !custom_seen) {
			fprintf(out, "New factors of your own (name in the file -> factor, entries):\n");
			custom_seen = true;
		}
		char label[80];
		snprintf(label, sizeof label, "%.44s (%s)", n->source, n->item);
		fprintf(out, "  %-46s -> %-20s %6lu\n", label, n->factor, n->entries);
	}
	for (size_t i = 0; i < t->n_skips; i++)
		fprintf(out, "Left out: %lu %s %s.\n", t->skips[i].rows, t->skips[i].rows == 1 ?
		    "row of" : "rows of", t->skips[i].what);
	free(v);
}

json_t *
tracker_summary_json(const struct tracker *t)
{
	json_t *mapped = json_array(), *skipped = json_array();
	const struct tracker_name **v = sorted_names(t);
	for (size_t i = 0; v != NULL && i < t->n_names; i++)
		if (!v[i]->dropped)
			json_array_append_new(mapped, json_pack("{s:s, s:s, s:s, s:b, s:I}", "from",
		    v[i]->source, "item", v[i]->item, "to", v[i]->factor, "new", v[i]->custom,
		    "entries", (json_int_t)v[i]->entries));
	free(v);
	for (size_t i = 0; i < t->n_skips; i++)
		json_array_append_new(skipped, json_pack("{s:s, s:I}", "what", t->skips[i].what,
		    "rows", (json_int_t)t->skips[i].rows));
	return json_pack("{s:s, s:o, s:o}", "from", t->format->name, "mapped", mapped,
	    "skipped", skipped);
}
