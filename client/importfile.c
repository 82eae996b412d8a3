/*
 * importfile.c: CSV and JSON Lines to entries (see importfile.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client/importfile.h"
#include "client/quick.h"
#include "client/tracker.h"
#include "client/when.h"

/* Strict: a quote inside a quoted field that is not doubled ("a "b" c") is
 * an error on its line instead of starting a field that swallows the rows
 * after it. */
#define IMPORT_CSV_OPTIONS (CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL)

int
import_detect_format(const char *name, const char *first_line)
{
	if (name != NULL) {
		const char *dot = strrchr(name, '.');
		if (dot != NULL && strcmp(dot, ".csv") == 0)
			return IMPORT_CSV;
		if (dot != NULL && (strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".json") == 0 ||
		    strcmp(dot, ".ndjson") == 0))
			return IMPORT_JSONL;
	}
	while (first_line != NULL && isspace((unsigned char)*first_line))
		first_line++;
	return (first_line != NULL && *first_line == '{') ? IMPORT_JSONL : IMPORT_CSV;
}

/* Fills the parts every format shares; returns false with rec->message set. */
static bool
record_fill(struct import_parser *p, struct import_record *rec, const char *time_s,
    const char *factor, const char *value_s, const char *note, const char *id)
{
	struct entry *e = &rec->entry;
	int32_t offset;
	char err[200];
	if (time_s == NULL || time_s[0] == '\0') {
		snprintf(rec->message, sizeof rec->message, "no time");
		return false;
	}
	if (when_parse(time_s, p->now_ms, WHEN_DATE_NOON, &e->time_ms, &offset, err, sizeof err) != 0) {
		snprintf(rec->message, sizeof rec->message, "bad time '%.40s'", time_s);
		return false;
	}
	e->utc_offset_min = offset;
	if (factor == NULL || !proto_valid_factor_name(factor)) {
		snprintf(rec->message, sizeof rec->message, "bad factor name '%.40s'", factor ? factor : "");
		return false;
	}
	snprintf(e->factor, sizeof e->factor, "%s", factor);
	e->value = 1;
	e->no_value = value_s == NULL || value_s[0] == '\0';
	if (!e->no_value && quick_parse_number(value_s, &e->value) != 0) {
		snprintf(rec->message, sizeof rec->message, "bad value '%.40s'", value_s);
		return false;
	}
	if (note != NULL) {
		if (strlen(note) > PROTO_NOTE_MAX) {
			snprintf(rec->message, sizeof rec->message, "note longer than %d bytes", PROTO_NOTE_MAX);
			return false;
		}
		snprintf(e->note, sizeof e->note, "%s", note);
	}
	if (id != NULL && id[0] != '\0') {
		if (!proto_valid_uuid(id)) {
			snprintf(rec->message, sizeof rec->message, "bad id '%.40s'", id);
			return false;
		}
		snprintf(e->id, sizeof e->id, "%s", id);
		for (char *c = e->id; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	} else if (proto_uuid_v7(e->id) != 0) {
		snprintf(rec->message, sizeof rec->message, "cannot make an id");
		return false;
	}
	e->source = ENTRY_SOURCE_IMPORT;
	e->day = -1;
	return true;
}

static void
emit(struct import_parser *p, struct import_record *rec)
{
	if (p->cb_rc == 0)
		p->cb_rc = p->cb(rec, p->arg);
}

static void
csv_clear_fields(struct import_parser *p)
{
	for (size_t i = 0; i < p->n_fields; i++)
		free(p->fields[i]);
	p->n_fields = 0;
	p->too_many_fields = false;
}

static void
csv_on_field(void *s, size_t len, void *data)
{
	struct import_parser *p = data;
	if (p->n_fields == IMPORT_MAX_COLUMNS) {
		p->too_many_fields = true;
		return;
	}
	char *f = malloc(len + 1);
	if (f != NULL) {
		if (len > 0)
			memcpy(f, s, len); /* s is NULL for an empty field */
		f[len] = '\0';
	}
	p->fields[p->n_fields++] = f;
}

static const char *
csv_field(struct import_parser *p, int col)
{
	return (col >= 0 && (size_t)col < p->n_fields && p->fields[col]) ? p->fields[col] : NULL;
}

/* Another tracker's export, named by its header, so that the error can say
 * which --from reads it ("sheet": a spreadsheet diary, one row per day);
 * NULL when the header is no known tracker's. */
static const char *
csv_header_tracker(struct import_parser *p)
{
	char **h = p->fields;
	size_t n = p->n_fields;
	if (tracker_column(h, n, (const char *const[]){"checkin_date", "trackable_name", NULL}) >= 0)
		return "Flaredown";
	if (tracker_column(h, n, (const char *const[]){"rating/amount", NULL}) >= 0)
		return "Bearable";
	bool date = tracker_column(h, n, (const char *const[]){"date", NULL}) >= 0;
	bool tags = tracker_column(h, n, (const char *const[]){"tags", "foods", NULL}) >= 0;
	if (date && tags)
		return "Flaredown";
	bool day = date || tracker_column(h, n, (const char *const[]){"day", NULL}) >= 0;
	return day && n >= 2 ? "sheet" : NULL;
}

static void
csv_read_header(struct import_parser *p)
{
	p->col_time = p->col_factor = p->col_value = p->col_note = p->col_id = -1;
	for (size_t i = 0; i < p->n_fields; i++) {
		const char *name = p->fields[i] ? p->fields[i] : "";
		if (i == 0 && strncmp(name, "\xef\xbb\xbf", 3) == 0)
			name += 3; /* a byte-order mark some spreadsheets write */
		while (isspace((unsigned char)*name))
			name++;
		if (strcmp(name, "time") == 0) p->col_time = (int)i;
		else if (strcmp(name, "factor") == 0) p->col_factor = (int)i;
		else if (strcmp(name, "value") == 0) p->col_value = (int)i;
		else if (strcmp(name, "note") == 0) p->col_note = (int)i;
		else if (strcmp(name, "id") == 0) p->col_id = (int)i;
	}
	p->header_done = true;
	if (p->col_time < 0 || p->col_factor < 0 || p->col_value < 0) {
		/* Without the columns no line can be read: say so once and stop. */
		struct import_record rec;
		memset(&rec, 0, sizeof rec);
		rec.line = p->line;
		const char *tracker = csv_header_tracker(p);
		if (tracker && strcmp(tracker, "sheet") == 0)
			snprintf(rec.message, sizeof rec.message, "this looks like a spreadsheet diary "
			    "(a date column, then a column per factor): read it with 'simmer import "
			    "--from sheet FILE', or name the columns time,factor,value");
		else if (tracker)
			snprintf(rec.message, sizeof rec.message, "this looks like a %s export: "
			    "read it with 'simmer import --from %c%s FILE'", tracker,
			    tolower((unsigned char)tracker[0]), tracker + 1);
		else
			snprintf(rec.message, sizeof rec.message, "the first line must name the columns "
			    "time,factor,value (and optionally note,id)");
		emit(p, &rec);
		if (p->cb_rc == 0)
			p->cb_rc = IMPORT_STOP;
	}
}

static void
csv_on_record(int c, void *data)
{
	struct import_parser *p = data;
	(void)c;
	if (!p->header_done) {
		csv_read_header(p);
		csv_clear_fields(p);
		return;
	}
	/* A blank line is one empty field: skip it. */
	if (p->n_fields == 1 && (p->fields[0] == NULL || p->fields[0][0] == '\0')) {
		csv_clear_fields(p);
		return;
	}
	struct import_record rec;
	memset(&rec, 0, sizeof rec);
	rec.line = p->line;
	if (p->too_many_fields) {
		snprintf(rec.message, sizeof rec.message, "more than %d columns", IMPORT_MAX_COLUMNS);
	} else {
		rec.ok = record_fill(p, &rec, csv_field(p, p->col_time), csv_field(p, p->col_factor),
		    csv_field(p, p->col_value), csv_field(p, p->col_note), csv_field(p, p->col_id));
	}
	emit(p, &rec);
	csv_clear_fields(p);
}

/* A JSON value to text for record_fill; NULL when absent or null. */
static const char *
json_text(json_t *v, char *buf, size_t buflen, bool *bad)
{
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, buflen, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, buflen, "%.17g", json_real_value(v));
		return buf;
	}
	*bad = true;
	return NULL;
}

/* One of the words a kind or a role may be, or a message naming them. */
static bool
definition_word(struct import_record *rec, json_t *o, const char *key,
    const char *const *words, char *out, size_t outlen)
{
	json_t *v = json_object_get(o, key);
	char listed[64];
	proto_word_list(words, listed, sizeof listed);
	if (v == NULL || !json_is_string(v)) {
		snprintf(rec->message, sizeof rec->message, "definition of %s: no %s (one of %s)",
		    rec->def.factor, key, listed);
		return false;
	}
	const char *word = json_string_value(v);
	if (proto_word_index(words, word) < 0) {
		snprintf(rec->message, sizeof rec->message, "definition of %s: unknown %s '%.20s' "
		    "(one of %s)", rec->def.factor, key, word, listed);
		return false;
	}
	snprintf(out, outlen, "%s", word);
	return true;
}

/* A definition line: {"factor", "kind", "role", "unit"?}; false with
 * rec->message set when it is not a whole one. */
static bool
definition_fill(struct import_record *rec, json_t *o)
{
	json_t *f = json_object_get(o, "factor");
	json_t *unit = json_object_get(o, "unit");
	rec->definition = true;
	if (f == NULL || !json_is_string(f) || !proto_valid_factor_name(json_string_value(f))) {
		snprintf(rec->message, sizeof rec->message, "definition: bad factor name '%.40s'",
		    f && json_is_string(f) ? json_string_value(f) : "");
		return false;
	}
	snprintf(rec->def.factor, sizeof rec->def.factor, "%s", json_string_value(f));
	if (!definition_word(rec, o, "kind", proto_factor_kinds, rec->def.kind,
	    sizeof rec->def.kind) || !definition_word(rec, o, "role", proto_factor_roles,
	    rec->def.role, sizeof rec->def.role))
		return false;
	if (unit != NULL && !json_is_null(unit) && (!json_is_string(unit) ||
	    strlen(json_string_value(unit)) > PROTO_UNIT_MAX)) {
		snprintf(rec->message, sizeof rec->message, "definition of %s: the unit is text of "
		    "at most %d bytes", rec->def.factor, PROTO_UNIT_MAX);
		return false;
	}
	if (unit != NULL && json_is_string(unit))
		snprintf(rec->def.unit, sizeof rec->def.unit, "%s", json_string_value(unit));
	return true;
}

static void
jsonl_line(struct import_parser *p, const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len)
		return;
	struct import_record rec;
	memset(&rec, 0, sizeof rec);
	rec.line = p->line;
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		snprintf(rec.message, sizeof rec.message, "not a JSON object%s%.80s",
		    o == NULL ? ": " : "", o == NULL ? jerr.text : "");
		json_decref(o);
		emit(p, &rec);
		return;
	}
	if (json_object_get(o, "time") == NULL && (json_object_get(o, "kind") != NULL ||
	    json_object_get(o, "role") != NULL)) {
		rec.ok = definition_fill(&rec, o);
		json_decref(o);
		emit(p, &rec);
		return;
	}
	char tbuf[32], vbuf[40];
	bool bad = false;
	const char *t = json_text(json_object_get(o, "time"), tbuf, sizeof tbuf, &bad);
	json_t *f = json_object_get(o, "factor");
	const char *v = json_text(json_object_get(o, "value"), vbuf, sizeof vbuf, &bad);
	json_t *n = json_object_get(o, "note");
	json_t *id = json_object_get(o, "id");
	if (bad || (f && !json_is_string(f)) || (n && !json_is_string(n) && !json_is_null(n)) ||
	    (id && !json_is_string(id) && !json_is_null(id)))
		snprintf(rec.message, sizeof rec.message, "a field has the wrong type");
	else
		rec.ok = record_fill(p, &rec, t, f ? json_string_value(f) : NULL, v,
		    n && json_is_string(n) ? json_string_value(n) : NULL,
		    id && json_is_string(id) ? json_string_value(id) : NULL);
	json_decref(o);
	emit(p, &rec);
}

int
import_parser_init(struct import_parser *p, int format, int64_t now_ms,
    import_record_cb cb, void *arg)
{
	memset(p, 0, sizeof *p);
	p->format = format;
	p->now_ms = now_ms;
	p->cb = cb;
	p->arg = arg;
	if (format == IMPORT_CSV) {
		if (csv_init(&p->csv, IMPORT_CSV_OPTIONS) != 0)
			return -ENOMEM;
		p->csv_ready = true;
	}
	return 0;
}

int
import_parser_feed_line(struct import_parser *p, const char *line, size_t len)
{
	p->line++;
	if (p->format == IMPORT_JSONL) {
		jsonl_line(p, line, len);
		return p->cb_rc;
	}
	if (csv_parse(&p->csv, line, len, csv_on_field, csv_on_record, p) != len) {
		struct import_record rec;
		memset(&rec, 0, sizeof rec);
		rec.line = p->line;
		snprintf(rec.message, sizeof rec.message, "malformed CSV: %s",
		    csv_strerror(csv_error(&p->csv)));
		emit(p, &rec);
		/* Start the next line afresh: what was read of this record is
		 * dropped, and the rows after it are read as rows. */
		csv_clear_fields(p);
		csv_free(&p->csv);
		p->csv_ready = csv_init(&p->csv, IMPORT_CSV_OPTIONS) == 0;
		if (!p->csv_ready && p->cb_rc == 0)
			p->cb_rc = -ENOMEM;
	}
	return p->cb_rc;
}

int
import_parser_finish(struct import_parser *p)
{
	if (p->format == IMPORT_CSV && p->csv_ready)
		csv_fini(&p->csv, csv_on_field, csv_on_record, p);
	if (p->format == IMPORT_CSV && !p->header_done && p->cb_rc == 0) {
		struct import_record rec;
		memset(&rec, 0, sizeof rec);
		rec.line = 1;
		snprintf(rec.message, sizeof rec.message, "the file is empty: no header line");
		emit(p, &rec);
	}
	return p->cb_rc;
}

void
import_parser_free(struct import_parser *p)
{
	csv_clear_fields(p);
	if (p->csv_ready)
		csv_free(&p->csv);
	p->csv_ready = false;
}
