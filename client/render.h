/*
 * render.h: turns replies into what a person or a script reads: JSON that
 * is exactly the wire contract, and short text for people.
 */
#ifndef SIMMER_CLIENT_RENDER_H
#define SIMMER_CLIENT_RENDER_H

#include <stdio.h>

#include <jansson.h>
#include <msgpack.h>

#include "proto/proto.h"

/* Converts any msgpack value to JSON (binary and ext become base-16
 * strings; map keys that are not strings are printed). NULL on no memory. */
json_t *render_to_json(const msgpack_object *o);
/* Prints a reply's result as indented JSON and a newline. */
int render_json(FILE *out, const msgpack_object *result);

/* Text for people. */
void render_entry_line(FILE *out, const struct entry *e);
void render_factors(FILE *out, const msgpack_object *result);

/* A number as a person writes it: 5.5, 6, 0.25. */
void render_number(char *out, size_t outlen, double v);

/* The sysexits(3) code for a protocol error code. */
int render_exit_code(int proto_error);

#endif
