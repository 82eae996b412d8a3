/*
 * store_refused.c: the refused table of the store (see store.h): spooled
 * entries that simmerd's checks refused, kept until the person clears them.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <string.h>

#include "daemon/store_internal.h"

#define REFUSED_COLUMNS "id, refused_ms, spool, spool_offset, entry_id, time_ms," \
	" utc_offset_min, factor, value, note, reason, fix"

int
store_refused_count(struct store *st, int64_t *total, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM refused", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "counting the refused entries");
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*total = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, err, errlen, "counting the refused entries");
}

static void
bind_refused(sqlite3_stmt *s, const struct refused_entry *r)
{
	sqlite3_bind_int64(s, 1, r->refused_ms);
	sqlite3_bind_text(s, 2, r->spool, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, r->offset);
	sqlite3_bind_text(s, 4, r->entry_id, -1, SQLITE_STATIC);
	if (r->has_time)
		sqlite3_bind_int64(s, 5, r->time_ms);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int(s, 6, r->utc_offset_min);
	sqlite3_bind_text(s, 7, r->factor, -1, SQLITE_STATIC);
	if (r->has_value)
		sqlite3_bind_double(s, 8, r->value);
	else
		sqlite3_bind_null(s, 8);
	sqlite3_bind_text(s, 9, r->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, r->fix, -1, SQLITE_STATIC);
}

int
store_refused_add(struct store *st, const struct refused_entry *rows, size_t n, int64_t *total,
    char *err, size_t errlen)
{
	int rc = store_begin(st, err, errlen);
	if (rc != 0)
		return rc;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO refused (refused_ms, spool, spool_offset,"
	    " entry_id, time_ms, utc_offset_min, factor, value, note, reason, fix) VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING", -1, &s,
	    NULL) != SQLITE_OK)
		rc = store_fail(st, err, errlen, "storing the refused entries");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		bind_refused(s, &rows[i]);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = store_fail(st, err, errlen, "storing the refused entries");
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc == 0)
		rc = store_refused_count(st, total, err, errlen);
	if (rc == 0)
		rc = store_commit(st, err, errlen);
	if (rc != 0)
		store_rollback(st);
	return rc;
}

static void
read_refused(sqlite3_stmt *s, struct refused_entry *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	r->refused_ms = sqlite3_column_int64(s, 1);
	snprintf(r->spool, sizeof r->spool, "%s", (const char *)sqlite3_column_text(s, 2));
	r->offset = sqlite3_column_int64(s, 3);
	snprintf(r->entry_id, sizeof r->entry_id, "%s", (const char *)sqlite3_column_text(s, 4));
	r->has_time = sqlite3_column_type(s, 5) != SQLITE_NULL;
	r->time_ms = r->has_time ? sqlite3_column_int64(s, 5) : 0;
	r->utc_offset_min = sqlite3_column_int(s, 6);
	snprintf(r->factor, sizeof r->factor, "%s", (const char *)sqlite3_column_text(s, 7));
	r->has_value = sqlite3_column_type(s, 8) != SQLITE_NULL;
	r->value = r->has_value ? sqlite3_column_double(s, 8) : 0;
	snprintf(r->note, sizeof r->note, "%s", (const char *)sqlite3_column_text(s, 9));
	snprintf(r->reason, sizeof r->reason, "%s", (const char *)sqlite3_column_text(s, 10));
	snprintf(r->fix, sizeof r->fix, "%s", (const char *)sqlite3_column_text(s, 11));
}

int
store_refused_list(struct store *st, uint32_t limit, store_refused_cb cb, void *arg, char *err,
    size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT " REFUSED_COLUMNS " FROM refused ORDER BY id LIMIT ?1",
	    -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "listing the refused entries");
	sqlite3_bind_int64(s, 1, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct refused_entry r;
		read_refused(s, &r);
		int stop = cb(&r, arg);
		if (stop != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, errlen, "listing the refused entries");
}

int
store_refused_clear(struct store *st, int64_t *cleared, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "DELETE FROM refused", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "clearing the refused entries");
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, errlen, "clearing the refused entries");
	*cleared = sqlite3_changes64(st->db);
	return 0;
}
