/*
 * store_internal.h: what the store's files share: the connection struct
 * and the error helper. Only daemon/store*.c include it.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_STORE_INTERNAL_H
#define SIMMER_DAEMON_STORE_INTERNAL_H

#include <sqlite3.h>

#include "daemon/store.h"

/* User-defined factor names remembered as already stored, per connection. */
#define STORE_KNOWN_FACTORS 256
/* Distinct (day, factor) rollup changes gathered in one transaction before
 * they are written: an import touches each day's row once, not per entry.
 * A power of two; when full, the changes are written early. */
#define STORE_PENDING_ROLLUP 4096

enum stmt_id {
	ST_INSERT_ENTRY,
	ST_ROLLUP_ADD,
	ST_ENSURE_FACTOR,
	ST_DEFINE_FACTOR,
	ST_ROLLUP_DELETE,
	ST_ROLLUP_RECOMPUTE,
	ST_BEGIN,
	ST_COMMIT,
	ST_COUNT,
};

struct rollup_delta {
	bool used;
	int32_t day;
	char factor[PROTO_FACTOR_MAX + 1];
	uint32_t count;
	double sum, max, min;
	int64_t first_ms;
};

struct store {
	sqlite3 *db;
	bool readonly;
	sqlite3_stmt *stmts[ST_COUNT];
	char known_factors[STORE_KNOWN_FACTORS][PROTO_FACTOR_MAX + 1];
	size_t n_known_factors;
	struct rollup_delta *pending;   /* STORE_PENDING_ROLLUP slots, open addressing */
	size_t n_pending;
	int64_t now_ms;                 /* when the open transaction began */
	int wal_frames;                 /* in the WAL after the last commit (writer) */
};

/* Fills err with what was being done and SQLite's message. */
int store_fail(struct store *st, char *err, size_t errlen, const char *doing);

#endif
