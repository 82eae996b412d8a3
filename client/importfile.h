/*
 * importfile.h: reading the files `simmer import` takes, one line at a time,
 * into entries with the line number each came from. Pure: no socket.
 *
 *   CSV         a header naming at least time,factor,value, optionally
 *               note and id, in any order (RFC 4180 quoting, via libcsv)
 *   JSON Lines  one object per line: {"time", "factor", "value", "note", "id"},
 *               or a factor's definition, a line without "time" that has
 *               "kind" or "role": {"factor", "kind", "role", "unit"} (what
 *               `simmer export --format jsonl` writes first)
 *
 * `time` is ISO 8601 (its offset is kept), a local date and time, or
 * milliseconds since 1970; `value` may be empty for an event (1).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_IMPORTFILE_H
#define SIMMER_CLIENT_IMPORTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <csv.h>

#include "proto/proto.h"

enum import_format {
	IMPORT_AUTO,
	IMPORT_CSV,
	IMPORT_JSONL,
};

/* A factor's definition as a JSON Lines file gives it; kind and role are
 * among proto_factor_kinds and proto_factor_roles. */
struct import_definition {
	char factor[PROTO_FACTOR_MAX + 1];
	char kind[16];
	char role[16];
	char unit[PROTO_UNIT_MAX + 1];
};

/* One line's outcome: an entry (or, when `definition` is set, a factor's
 * definition), or the reason it cannot be one. */
struct import_record {
	struct entry entry;
	struct import_definition def;
	bool definition;
	unsigned long line;
	bool ok;
	char message[200];
};

/* Returned by the feed functions when the file cannot be read any further
 * (its header is unusable); the reason was reported as a rejected line. */
#define IMPORT_STOP 1

typedef int (*import_record_cb)(const struct import_record *rec, void *arg);

#define IMPORT_MAX_COLUMNS 16

struct import_parser {
	int format;
	int64_t now_ms;
	import_record_cb cb;
	void *arg;
	unsigned long line;        /* the physical line being fed */
	int cb_rc;                 /* first non-zero callback result */
	/* CSV */
	struct csv_parser csv;
	bool csv_ready, header_done;
	int col_time, col_factor, col_value, col_note, col_id;
	char *fields[IMPORT_MAX_COLUMNS];
	size_t n_fields;
	bool too_many_fields;
};

/* Picks the format from the file name (".csv", ".jsonl", ".json") or,
 * failing that, from the first non-blank byte of the data. */
int import_detect_format(const char *name, const char *first_line);

int import_parser_init(struct import_parser *p, int format, int64_t now_ms,
    import_record_cb cb, void *arg);
/* Feeds one physical line, newline included. Returns the first non-zero
 * callback result, or 0. */
int import_parser_feed_line(struct import_parser *p, const char *line, size_t len);
/* Ends the input (a last line without a newline, an unclosed quote). */
int import_parser_finish(struct import_parser *p);
void import_parser_free(struct import_parser *p);

#endif
