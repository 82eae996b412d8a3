/*
 * tracker.h: reading the exports of other symptom trackers (Bearable,
 * Flaredown) and diaries kept as spreadsheets into simmer entries. Pure:
 * no socket.
 *
 * A tracker reader reads the whole file first, because the factors it
 * creates must be defined before their entries are sent. Each format has
 * its own file (import_bearable.c, import_flaredown.c,
 * import_flaredown_long.c) and calls the helpers here: the CSV rows, the
 * items a tracker knows (a symptom with a severity, a treatment with a
 * dose, a tag or a food, a plain value), the mapping of their names onto
 * simmer's catalog (tracker_names.c), and the summary of what became what.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_TRACKER_H
#define SIMMER_CLIENT_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <csv.h>
#include <jansson.h>

#include "client/importfile.h"

/* Columns in one row of a tracker export: Flaredown's per-person export
 * has one per condition, symptom and treatment ever tracked. */
#define TRACKER_MAX_COLUMNS 2048
/* Names kept for the summary and the factors to define. */
#define TRACKER_MAX_NAMES 4096

/* What an item in another tracker is, which decides how it maps. */
enum tracker_item {
	TRACKER_SYMPTOM,    /* a severity: Flaredown 0-4, Bearable none..unbearable */
	TRACKER_CONDITION,  /* Flaredown's severity of a condition as a whole */
	TRACKER_TREATMENT,  /* a medicine or supplement taken */
	TRACKER_TAG,        /* a factor or tag: present that day */
	TRACKER_FOOD,       /* a food eaten */
	TRACKER_OTHER,      /* a category simmer does not know */
};

/* One entry to send, compact: the note is allocated. */
struct tracker_entry {
	int64_t time_ms;
	int32_t offset_min;
	unsigned long line;
	double value;
	uint16_t factor;       /* index into names */
	char *note;
};

/* A name in the file and the simmer factor it went to. */
struct tracker_name {
	char source[64];       /* as the file has it */
	char factor[33];
	const char *item;      /* "symptom", "treatment", ... for the summary */
	const char *kind;      /* for a new factor: "scale" or "event" */
	const char *role;      /* for a new factor */
	bool custom;           /* not a built-in: defined if missing */
	bool if_defined;       /* custom, but sent only to a factor the person defined */
	bool dropped;          /* if_defined and not defined: its entries stay here */
	unsigned long entries;
};

/* Rows the file had that simmer leaves out, by reason. */
struct tracker_skip {
	char what[64];
	unsigned long rows;
};

struct tracker;
/* A format's reader: gets the header row, then every other row; fields
 * are NUL-terminated ("" when empty). Returns 0, or -1 after
 * tracker_fail() for a file it cannot read further. */
struct tracker_format {
	const char *name;
	int (*header)(struct tracker *t, char **fields, size_t n);
	int (*row)(struct tracker *t, char **fields, size_t n);
	void (*finish)(struct tracker *t); /* after the last row, or NULL */
	void (*free)(struct tracker *t);   /* what state holds besides itself */
};

struct tracker {
	const struct tracker_format *format;
	const char *user;              /* --user for research exports */
	int64_t now_ms;
	void *state;                   /* the format's own */
	/* What was read. */
	struct tracker_entry *entries;
	size_t n_entries, cap_entries;
	struct import_record *rejected;  /* lines that could not be read */
	size_t n_rejected, cap_rejected;
	struct tracker_name *names;
	size_t n_names, cap_names;
	struct tracker_skip skips[16];
	size_t n_skips;
	/* CSV */
	struct csv_parser csv;
	bool csv_ready, header_done;
	char **fields;
	size_t n_fields;
	bool too_many_fields;
	unsigned long line, row_line;  /* the physical line; where the row began */
	char fatal[512];               /* why the file cannot be read, or "" */
};

/* The formats known, for --from and for messages. */
const struct tracker_format *tracker_format_find(const char *name);
/* "bearable, flaredown" with the headers each expects. */
const char *tracker_formats_help(void);
extern const struct tracker_format tracker_bearable;
extern const struct tracker_format tracker_flaredown;
/* Flaredown's research export, which the flaredown header hands over to. */
extern const struct tracker_format tracker_flaredown_long;
/* A spreadsheet diary: a date column, then a column per factor. */
extern const struct tracker_format tracker_sheet;

/* Reads the whole file into t. Returns 0, or -1 with t->fatal set (a
 * wrong header, a read error, no memory); lines that cannot be read are
 * in t->rejected and do not stop it. */
int tracker_read(struct tracker *t, const struct tracker_format *f, FILE *in,
    const char *user, int64_t now_ms);
void tracker_free(struct tracker *t);

/* Makes the import record for entry i (a fresh id; the note copied). */
int tracker_record(const struct tracker *t, size_t i, struct import_record *rec);

/* Helpers for the formats. */
void tracker_fail(struct tracker *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tracker_reject(struct tracker *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tracker_skip(struct tracker *t, const char *what);
/* A format's state, zeroed, in t->state; NULL (after tracker_fail) when
 * out of memory. */
void *tracker_state(struct tracker *t, size_t size);
/* Says the header is not the format's, naming it and the formats known;
 * returns -1. `what` is "a Bearable export" and the like. */
int tracker_wrong_header(struct tracker *t, const char *what, char **fields, size_t n);
/* The column whose name matches one of the names (case-insensitive,
 * spaces and a byte-order mark trimmed), or -1. */
int tracker_column(char **fields, size_t n, const char *const *names);
/* Parses "2020-09-25", "25th Sep 2020", "Sep 25, 2020" into y, m, d. */
int tracker_parse_date(const char *s, int *y, int *m, int *d);
/* The instant of a date (as tracker_parse_date reads it) at local hh:mm;
 * -1 after rejecting the row when the date cannot be read. */
int tracker_date_at(struct tracker *t, const char *date, int hh, int mm, int64_t *ms,
    int32_t *offset);
/* Parses a plain number ("3", "2.5"), NaN-free. */
bool tracker_number(const char *s, double *out);
/* Splits s in place at sep ("; " or " | "), trimming each part; returns
 * how many parts were stored (empty ones left out). */
size_t tracker_split(char *s, const char *sep, char **parts, size_t max);

/*
 * Items: each maps the tracker's name onto a simmer factor (tracker_names.c)
 * and adds an entry at the instant given. `note` may be NULL.
 *   severity   0-4 (Flaredown's scale; Bearable's none..unbearable)
 *   treatment  `count` doses; `dose` text such as "8.0 mg" goes in the note
 */
void tracker_add_severity(struct tracker *t, enum tracker_item item, const char *name,
    double severity, int64_t ms, int32_t offset, const char *note);
void tracker_add_treatment(struct tracker *t, const char *name, const char *dose,
    double count, int64_t ms, int32_t offset, const char *note);
void tracker_add_tag(struct tracker *t, enum tracker_item item, const char *name,
    int64_t ms, int32_t offset, const char *note);
/* A value for a named simmer factor (sleep_hours, mood), or for a new
 * factor of the given kind when `factor` is not a built-in. */
void tracker_add_value(struct tracker *t, const char *source, const char *factor,
    const char *kind, double value, int64_t ms, int32_t offset, const char *note);
/* Marks the values of `source` as sent only when the person has defined
 * their factor already: simmer cannot tell what such numbers measure. */
void tracker_only_if_defined(struct tracker *t, const char *source);
/* Leaves a name marked tracker_only_if_defined out, with its entries,
 * saying why in the summary. */
void tracker_drop_name(struct tracker *t, struct tracker_name *n, const char *why);

/* The mapping of names onto the catalog (tracker_names.c). */
struct tracker_mapping {
	char factor[33];
	bool builtin;          /* one of simmer's own factors */
	double scale;          /* multiplies a 0-4 severity: 2.5 onto 0-10 */
	bool event;            /* counts presence: only a severity above 0 */
};
void tracker_map_name(enum tracker_item item, const char *name, struct tracker_mapping *m);
/* An NSAID the catalog takes by drug name ("Advil" is ibuprofen), with a
 * dose such as "400mg", "400.0 mg" or "0.5 g": fills the drug's factor and
 * the dose in mg. */
bool tracker_dose_drug(const char *name, const char *dose, char drug[33], double *mg);
/* A name made into a factor name: "Back (lower) pain" -> back_lower_pain. */
void tracker_slug(const char *name, char out[33]);
/* Names the client must not create: aliases the daemon resolves. */
bool tracker_reserved_name(const char *name);
/* One of simmer's own factors, as this client knows them. */
bool tracker_builtin_name(const char *name);

/* The summary: what was mapped to what, what was created, what skipped. */
void tracker_print_summary(FILE *out, const struct tracker *t);
json_t *tracker_summary_json(const struct tracker *t);

#endif
