/*
 * render.h: turns replies into what a person or a script reads: JSON that
 * is exactly the wire contract, and short text for people.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_RENDER_H
#define SIMMER_CLIENT_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>
#include <msgpack.h>

#include "proto/proto.h"

/* Converts any msgpack value to JSON (binary and ext become base-16
 * strings; map keys that are not strings are printed). NULL on no memory. */
json_t *render_to_json(const msgpack_object *o);
/* Prints a reply's result as indented JSON and a newline. */
int render_json(FILE *out, const msgpack_object *result);

/*
 * Short ids. An id is a UUIDv7 whose first characters are the time, shared
 * by every entry of the same weeks; people see the start of its random
 * last group instead, at least RENDER_ID_MIN_CHARS long, and `delete` and
 * `undo` take it.
 */
#define RENDER_ID_RANDOM_AT 24
#define RENDER_ID_MIN_CHARS 6
const char *render_short_id(const struct entry *e);
/* The shortest length that tells these entries apart, at least the minimum. */
size_t render_id_chars(const struct entry *entries, size_t n);

/* Text for people: one entry, its short id first. */
void render_entry_line(FILE *out, const struct entry *e, size_t id_chars);
void render_factors(FILE *out, const msgpack_object *result);

/* The width every text output fits in. */
#define RENDER_WIDTH 80

/* Prints text wrapped at spaces to RENDER_WIDTH columns (counting UTF-8
 * characters, not bytes): the first line indented by `first` spaces, the
 * others by `rest`. A word longer than a line stays whole, so a number is
 * never split. */
void render_wrap(FILE *out, const char *text, int first, int rest);

/* Colour only on a terminal, and never with NO_COLOR set (no-color.org) or
 * TERM=dumb. */
bool render_color(FILE *out);
/* ANSI sequences, or "" when colour is off for out. */
const char *render_sgr(FILE *out, const char *sgr);
#define SGR_RED "\033[31m"
#define SGR_YELLOW "\033[33m"
#define SGR_GREEN "\033[32m"
#define SGR_BOLD "\033[1m"
#define SGR_RESET "\033[0m"

/* A number as a person writes it: 5.5, 6, 0.25. */
void render_number(char *out, size_t outlen, double v);

#endif
