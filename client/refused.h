/*
 * refused.h: the words for entries kept in the spool while simmerd was
 * away that its checks then refused (`simmer refused`, and status's line).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_REFUSED_H
#define SIMMER_CLIENT_REFUSED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <msgpack.h>

/* Status's line when its reply counts refused entries ("3 entries kept
 * while simmerd was away were refused: see 'simmer refused'"): written to
 * out (without a newline) and true, or false when none are. */
bool refused_status_words(const msgpack_object *status, char *out, size_t outlen);
/* The same line and a newline to out; nothing when none are refused. */
void refused_status_line(FILE *out, const msgpack_object *status);

#endif
