/*
 * spool.h: taking in, at start, the entries the client kept while simmerd
 * was away.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_SPOOL_H
#define SIMMER_DAEMON_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/proto.h"

struct simmerd;

/* Called for each entry of a spool file (source set to "spool") with the
 * byte its record begins at and whether the person asked for new names to
 * become factors (--new); non-zero stops the walk. */
typedef int (*spool_entry_fn)(const struct entry *e, size_t offset, bool create_factors,
    void *arg);
/* Called for a record that is msgpack but not an entry, which is skipped. */
typedef void (*spool_bad_fn)(size_t offset, const char *why, void *arg);

/* Walks a spool file's bytes, record by record, checking each against lim
 * before it is unpacked. Returns 0 when every byte was read, 1 when
 * on_entry stopped it, or -1 at bytes that are not a whole record (a torn
 * append or garbage) with err filled; *stopped_at is where it stopped.
 * Pure: the fuzzer calls it on any bytes. */
int spool_parse(const char *data, size_t len, const struct proto_limits *lim,
    spool_entry_fn on_entry, spool_bad_fn on_bad, void *arg, size_t *stopped_at,
    char *err, size_t errlen);

/* Submits every spool file through the validated write path; an entry the
 * checks refuse, and a record that is not an entry, is kept in the store's
 * refused table with why (refused.h). Each file is removed once its
 * entries and its refused ones are committed. */
void spool_take_in(struct simmerd *d);

#endif
