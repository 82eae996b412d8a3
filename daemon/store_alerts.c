/*
 * store_alerts.c: the alerts table of the store (see store.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <string.h>

#include "daemon/store_internal.h"

int
store_alert_insert(struct store *st, const struct alert *a, int64_t *id,
    char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO alerts (time_ms, kind, level, summary, body, shown,"
	    " outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "storing an alert");
	sqlite3_bind_int64(s, 1, a->time_ms);
	sqlite3_bind_text(s, 2, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a->level, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, a->body, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, a->shown);
	sqlite3_bind_text(s, 7, a->outcome, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, errlen, "storing an alert");
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_alert_set_outcome(struct store *st, int64_t id, bool shown, const char *outcome,
    char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "UPDATE alerts SET shown = ?2, outcome = ?3 WHERE id = ?1", -1,
	    &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "storing an alert's outcome");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, shown);
	sqlite3_bind_text(s, 3, outcome, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, errlen, "storing an alert's outcome");
}

int
store_alerts_list(struct store *st, const char *kind, uint32_t limit, store_alert_cb cb,
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT * FROM (SELECT id, time_ms, kind, level, summary, body,"
	    " shown, outcome FROM alerts WHERE (?1 IS NULL OR kind = ?1) ORDER BY id DESC LIMIT ?2)"
	    " ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "listing alerts");
	if (kind != NULL)
		sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, (int)limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alert a;
		memset(&a, 0, sizeof a);
		a.id = sqlite3_column_int64(s, 0);
		a.time_ms = sqlite3_column_int64(s, 1);
		snprintf(a.kind, sizeof a.kind, "%s", (const char *)sqlite3_column_text(s, 2));
		snprintf(a.level, sizeof a.level, "%s", (const char *)sqlite3_column_text(s, 3));
		snprintf(a.summary, sizeof a.summary, "%s", (const char *)sqlite3_column_text(s, 4));
		snprintf(a.body, sizeof a.body, "%s", (const char *)sqlite3_column_text(s, 5));
		a.shown = sqlite3_column_int(s, 6) != 0;
		snprintf(a.outcome, sizeof a.outcome, "%s", (const char *)sqlite3_column_text(s, 7));
		int r = cb(&a, arg);
		if (r != 0) {
			sqlite3_finalize(s);
			return r;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, errlen, "listing alerts");
}
