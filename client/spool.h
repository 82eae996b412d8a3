/*
 * spool.h: where quick entries wait while simmerd is away.
 *
 * The spool is $XDG_STATE_HOME/simmer/spool.msgpack (SIMMER_SPOOL
 * overrides): msgpack entry maps, exactly as proto_spool_record_pack writes
 * them with source "spool", back to back. Writers append under flock(LOCK_EX)
 * and fsync; simmerd takes the same lock, moves the file aside and stores
 * its entries at its next start (idempotent by id).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_SPOOL_H
#define SIMMER_CLIENT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/proto.h"

/* Appends the entries durably (fsynced) to path (paths_resolve's spool), or
 * leaves the file as it was; create_factors is --new, for simmerd's check
 * of the names. 0 or -errno with a message. */
int spool_append(const char *path, struct entry *entries, size_t n, bool create_factors,
    char *err, size_t errlen);

#endif
