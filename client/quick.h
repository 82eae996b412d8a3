/*
 * quick.h: turns the words of a quick entry into entries.
 *
 *   simmer sleep 5.5 sleep_quality 2 --at "yesterday 21:30" --note "..."
 *
 * A word is a factor; a number right after it is its value; a factor with
 * no number is an event worth 1. Names are sent as typed: the daemon
 * resolves aliases (sleep -> sleep_hours) and checks ranges.
 */
#ifndef SIMMER_CLIENT_QUICK_H
#define SIMMER_CLIENT_QUICK_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

/* Factors in one quick entry: a line a person types, not an import. */
#define QUICK_MAX_ENTRIES 32

struct quick_entry {
	struct entry entries[QUICK_MAX_ENTRIES];
	size_t count;
	const char *at;    /* --at, or NULL */
	const char *note;  /* --note, or NULL */
};

/* Parses argv[0..argc) (the words after `simmer` or `simmer log`), taking
 * --at and --note wherever they stand, then stamps every entry with a fresh
 * id, the time (now_ms or --at) and the offset. Returns 0 or
 * -PROTO_E_INVALID_PARAMS with a message. */
int quick_parse(int argc, char **argv, int64_t now_ms, struct quick_entry *q,
    char *err, size_t errlen);

/* Parses a number as a person writes it ("5.5", "6", "0,5" is refused). */
int quick_parse_number(const char *s, double *out);

#endif
