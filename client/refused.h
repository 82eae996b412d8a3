/*
 * refused.h: the words for entries kept in the spool while simmerd was
 * away that its checks then refused (`simmer refused`, and status's line).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_REFUSED_H
#define SIMMER_CLIENT_REFUSED_H

#include <stdio.h>

#include <msgpack.h>

/* Status's line when its reply counts refused entries; nothing when none. */
void refused_status_line(FILE *out, const msgpack_object *status);

#endif
