/*
 * quick.h: turns the words of a quick entry into entries.
 *
 *   simmer sleep 5.5 sleep_quality 2 --at "yesterday 21:30" --note "..."
 *
 * A word is a factor; a number right after it is its value; a factor with
 * no number is an event worth 1, and a number may carry its unit ("400mg").
 * Names are case-insensitive and sent in lowercase; a command word is never
 * a factor. The daemon resolves aliases (sleep -> sleep_hours), refuses
 * names it does not know unless --new was given, and checks ranges and
 * units.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_QUICK_H
#define SIMMER_CLIENT_QUICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

/* Factors in one quick entry: a line a person types, not an import. */
#define QUICK_MAX_ENTRIES 32
/* A unit typed after a number: "mg", "min", "drinks". */
#define QUICK_UNIT_MAX 15

struct quick_entry {
	struct entry entries[QUICK_MAX_ENTRIES];
	char units[QUICK_MAX_ENTRIES][QUICK_UNIT_MAX + 1]; /* "" when none was typed */
	size_t count;
	const char *at;    /* --at, or NULL */
	const char *note;  /* --note, or NULL */
	bool create;       /* --new: names the catalog does not know become factors */
};

/* Parses argv[0..argc) (the words after `simmer` or `simmer log`), taking
 * --at and --note wherever they stand, then stamps every entry with a fresh
 * id, the time (now_ms or --at) and the offset. Returns 0 or
 * -PROTO_E_INVALID_PARAMS with a message. */
int quick_parse(int argc, char **argv, int64_t now_ms, struct quick_entry *q,
    char *err, size_t errlen);

/* Parses a number as a person writes it ("5.5", "6", "0,5" is refused). */
int quick_parse_number(const char *s, double *out);
/* Parses a number with an optional unit right after it ("400mg", "7.5h"):
 * the unit (lowercase letters) goes to unit, "" when none. */
int quick_parse_amount(const char *s, double *out, char *unit, size_t unitlen);

#endif
