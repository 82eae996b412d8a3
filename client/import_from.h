/*
 * import_from.h: `simmer import --from bearable|flaredown FILE`, the part
 * that talks to simmerd: the factors a tracker's file needs are fitted to
 * the daemon's catalog and defined, then the entries are handed to
 * import's batching (transfer.c) one by one.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_IMPORT_FROM_H
#define SIMMER_CLIENT_IMPORT_FROM_H

#include "client/conn.h"
#include "client/tracker.h"

/* Defines the new factors, then calls cb for every line that could not be
 * read and every entry. Returns 0, the first non-zero cb result, or a
 * negative proto error with err filled. */
int import_from_tracker(struct client_conn *c, struct tracker *t, import_record_cb cb, void *arg,
    char *err, size_t errlen);

#endif
