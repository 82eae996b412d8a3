/*
 * store_experiments.c: the experiments table of the store (see store.h).
 * Starting one checks, in the same transaction as the insert, that no
 * stored experiment shares a day with it, so two requests at once cannot
 * both pass the check.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <string.h>

#include "daemon/store_internal.h"

#define EXPERIMENT_COLUMNS "id, factor, start_day, eliminate_days, reintroduce_days," \
	" washout_days, created_ms, stopped_day, stopped_ms, cycles"

static void
read_experiment(sqlite3_stmt *s, struct experiment_plan *p)
{
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(s, 0);
	snprintf(p->factor, sizeof p->factor, "%s", (const char *)sqlite3_column_text(s, 1));
	p->start_day = (int32_t)sqlite3_column_int(s, 2);
	p->eliminate_days = sqlite3_column_int(s, 3);
	p->reintroduce_days = sqlite3_column_int(s, 4);
	p->washout_days = sqlite3_column_int(s, 5);
	p->created_ms = sqlite3_column_int64(s, 6);
	p->stopped = sqlite3_column_type(s, 7) != SQLITE_NULL;
	p->stopped_day = p->stopped ? (int32_t)sqlite3_column_int(s, 7) : 0;
	p->stopped_ms = p->stopped ? sqlite3_column_int64(s, 8) : 0;
	p->cycles = sqlite3_column_int(s, 9);
}

/* The first stored experiment whose days meet [first, last]; 1 when found. */
static int
find_overlap(struct store *st, int32_t first, int32_t last, struct experiment_plan *clash,
    char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT " EXPERIMENT_COLUMNS " FROM experiments"
	    " WHERE start_day <= ?2 AND coalesce(stopped_day, start_day + cycles * (eliminate_days"
	    " + reintroduce_days) + washout_days - 1) >= ?1 ORDER BY start_day LIMIT 1", -1, &s,
	    NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "checking the experiments' days");
	sqlite3_bind_int(s, 1, first);
	sqlite3_bind_int(s, 2, last);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_experiment(s, clash);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, errlen, "checking the experiments' days");
}

int
store_experiment_start(struct store *st, struct experiment_plan *p, struct experiment_plan *clash,
    char *err, size_t errlen)
{
	int rc = store_begin(st, err, errlen);
	if (rc != 0)
		return rc;
	rc = find_overlap(st, p->start_day, experiment_end_day(p), clash, err, errlen);
	if (rc == 1) {
		store_rollback(st);
		snprintf(err, errlen, "it would share days with the experiment on %s", clash->factor);
		return -PROTO_E_CONFLICT;
	}
	sqlite3_stmt *s = NULL;
	if (rc == 0 && sqlite3_prepare_v2(st->db, "INSERT INTO experiments (factor, start_day,"
	    " eliminate_days, reintroduce_days, washout_days, created_ms, cycles) VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &s, NULL) != SQLITE_OK)
		rc = store_fail(st, err, errlen, "storing the experiment");
	if (rc == 0) {
		sqlite3_bind_text(s, 1, p->factor, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, p->start_day);
		sqlite3_bind_int(s, 3, p->eliminate_days);
		sqlite3_bind_int(s, 4, p->reintroduce_days);
		sqlite3_bind_int(s, 5, p->washout_days);
		sqlite3_bind_int64(s, 6, p->created_ms);
		sqlite3_bind_int(s, 7, experiment_cycles(p));
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = store_fail(st, err, errlen, "storing the experiment");
		else
			p->id = sqlite3_last_insert_rowid(st->db);
	}
	sqlite3_finalize(s);
	if (rc == 0)
		rc = store_commit(st, err, errlen);
	if (rc != 0)
		store_rollback(st);
	return rc;
}

int
store_experiment_stop(struct store *st, int64_t id, int32_t stopped_day, int64_t stopped_ms,
    char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "UPDATE experiments SET stopped_day = ?2, stopped_ms = ?3"
	    " WHERE id = ?1 AND stopped_day IS NULL", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "stopping the experiment");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, stopped_day);
	sqlite3_bind_int64(s, 3, stopped_ms);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, errlen, "stopping the experiment");
	if (sqlite3_changes(st->db) == 0) {
		snprintf(err, errlen, "that experiment is already stopped");
		return -PROTO_E_NOT_FOUND;
	}
	return 0;
}

int
store_experiments_list(struct store *st, store_experiment_cb cb, void *arg, char *err,
    size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT " EXPERIMENT_COLUMNS " FROM experiments"
	    " ORDER BY start_day, id", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "listing experiments");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct experiment_plan p;
		read_experiment(s, &p);
		int r = cb(&p, arg);
		if (r != 0) {
			sqlite3_finalize(s);
			return r;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, errlen, "listing experiments");
}
