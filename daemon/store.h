/*
 * store.h: simmer's SQLite file, the only place that knows its schema.
 *
 * One `struct store` is one connection. The writer thread owns the single
 * read-write connection; readers (list, export, analysis snapshots) open
 * their own read-only ones, which WAL lets run beside the writer.
 * The file is opened in WAL mode with synchronous=FULL, so a committed
 * transaction survives power loss; the schema is migrated by user_version;
 * tables are STRICT. Entries and the per-day rollup change in the same
 * transaction, so the analysis never scans raw entries.
 *
 * Functions return 0 or a negative proto_error code (PROTO_E_STORAGE for
 * SQLite failures, PROTO_E_NOT_FOUND, ...) and fill `err`.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_STORE_H
#define SIMMER_DAEMON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/alert.h"
#include "daemon/analysis/experiment.h"
#include "daemon/catalog.h"
#include "proto/proto.h"

struct store;

/* Opens (creating it with mode 0600 and migrating it when read-write) the
 * database at path. The folder must exist. */
int store_open(struct store **out, const char *path, bool readonly, char *err, size_t errlen);
void store_close(struct store *st);

/* The schema version after migrations (PRAGMA user_version). */
int store_schema_version(struct store *st);

/* Adds the user-defined factors stored in the file to cat. */
int store_load_factors(struct store *st, struct catalog *cat, char *err, size_t errlen);

/* Transactions: the writer groups many requests into one. */
int store_begin(struct store *st, char *err, size_t errlen);
int store_commit(struct store *st, char *err, size_t errlen);
void store_rollback(struct store *st);

enum store_insert_status {
	STORE_ADDED = 0,
	STORE_PRESENT = 1,  /* same id, or same time+factor+value+note */
};

/* Inside a transaction: stores one entry whose day is already set, creating
 * the factor row from f when it is not stored yet, and updates the rollup.
 * *status says whether it was added or already present. */
int store_insert_entry(struct store *st, const struct entry *e, const struct factor *f,
    int *status, char *err, size_t errlen);

/* Inside a transaction: soft-deletes the most recently logged live entry
 * (undo) or the one whose id is id_or_prefix (a full id or a unique prefix of
 * at least 8 characters), fixing the rollup; the entry comes back in out. */
int store_undo_last(struct store *st, struct entry *out, char *err, size_t errlen);
int store_delete_entry(struct store *st, const char *id_or_prefix, struct entry *out,
    char *err, size_t errlen);

/* Inside a transaction: stores a user-defined factor (insert or replace);
 * -PROTO_E_INVALID_PARAMS when live entries of it fall outside its range. */
int store_define_factor(struct store *st, const struct factor *f, char *err, size_t errlen);

/* Reading. The callback returns 0 to go on, anything else stops the walk
 * and is returned. */
typedef int (*store_entry_cb)(const struct entry *e, void *arg);

struct store_list_query {
	bool has_since, has_until;
	int64_t since_ms, until_ms;     /* inclusive, exclusive */
	const char *factor;             /* NULL for all */
	uint32_t limit;                 /* the newest `limit` entries ... */
};
/* ... passed to cb oldest first. */
int store_list(struct store *st, const struct store_list_query *q, store_entry_cb cb,
    void *arg, char *err, size_t errlen);

/* Export: live entries in (time, id) order after the cursor (after_id NULL
 * starts at the beginning); at most limit of them. */
int store_export_page(struct store *st, int64_t since_ms, int64_t after_time_ms,
    const char *after_id, uint32_t limit, store_entry_cb cb, void *arg,
    char *err, size_t errlen);

/* The rollup: one row per (day, factor) with live entries. */
struct daily_row {
	int32_t day;
	char factor[PROTO_FACTOR_MAX + 1];
	uint32_t count;
	double sum, max, min;
	int64_t first_ms;   /* UTC milliseconds of the day's first entry of it */
};
typedef int (*store_daily_cb)(const struct daily_row *row, void *arg);
/* Rows from since_day on, ordered by day then factor. */
int store_read_daily(struct store *st, int32_t since_day, store_daily_cb cb, void *arg,
    char *err, size_t errlen);

/* Alerts: every one is stored with whether it was shown. */
int store_alert_insert(struct store *st, const struct alert *a, int64_t *id,
    char *err, size_t errlen);
int store_alert_set_outcome(struct store *st, int64_t id, bool shown, const char *outcome,
    char *err, size_t errlen);
typedef int (*store_alert_cb)(const struct alert *a, void *arg);
/* The newest `limit` alerts, oldest first; kind NULL for all kinds. */
int store_alerts_list(struct store *st, const char *kind, uint32_t limit, store_alert_cb cb,
    void *arg, char *err, size_t errlen);

/* Experiments (store_experiments.c). Starting one is a transaction of its
 * own: it is refused with PROTO_E_CONFLICT, and the experiment it would
 * share days with in *clash, when any stored one (running, planned, over
 * or stopped) covers one of its days; p->id is set. Stopping one that is
 * already stopped is PROTO_E_NOT_FOUND. The list is in order of start. */
int store_experiment_start(struct store *st, struct experiment_plan *p,
    struct experiment_plan *clash, char *err, size_t errlen);
int store_experiment_stop(struct store *st, int64_t id, int32_t stopped_day, int64_t stopped_ms,
    char *err, size_t errlen);
typedef int (*store_experiment_cb)(const struct experiment_plan *p, void *arg);
int store_experiments_list(struct store *st, store_experiment_cb cb, void *arg, char *err,
    size_t errlen);

/*
 * Refused spooled entries (store_refused.c): what the client kept in the
 * spool while simmerd was away and simmerd's checks then refused, kept
 * until the person has seen them and clears them. A row is known by its
 * spool file and the byte at which its record began, so taking in the same
 * file again after a crash adds nothing.
 */
#define STORE_REFUSED_SPOOL_MAX 1023
struct refused_entry {
	int64_t id;                         /* the row's, when read */
	int64_t refused_ms;
	char spool[STORE_REFUSED_SPOOL_MAX + 1]; /* the file it was read from */
	int64_t offset;                     /* where its record began in that file */
	char entry_id[PROTO_ID_LEN + 1];    /* "" for a record that was not an entry */
	bool has_time;
	int64_t time_ms;
	int32_t utc_offset_min;
	char factor[PROTO_FACTOR_MAX + 1];  /* as the client wrote it; "" when unreadable */
	bool has_value;                     /* false for a factor written with no value */
	double value;
	char note[PROTO_NOTE_MAX + 1];
	char reason[PROTO_MESSAGE_MAX];     /* the message of the check that refused it */
	char fix[8];                        /* what to change: "value", "factor", "time"; "" */
};
/* Stores the rows in one transaction of its own (a row already stored is
 * left as it is); *total is how many are stored after it. */
int store_refused_add(struct store *st, const struct refused_entry *rows, size_t n,
    int64_t *total, char *err, size_t errlen);
int store_refused_count(struct store *st, int64_t *total, char *err, size_t errlen);
typedef int (*store_refused_cb)(const struct refused_entry *r, void *arg);
/* The oldest `limit` rows, in the order they were refused. */
int store_refused_list(struct store *st, uint32_t limit, store_refused_cb cb, void *arg,
    char *err, size_t errlen);
/* Forgets every row; *cleared is how many there were. */
int store_refused_clear(struct store *st, int64_t *cleared, char *err, size_t errlen);

/* Gives the connection's page cache back to the system: the writer calls
 * it when a large batch is done and nothing waits, so an idle daemon stays
 * small after an import. */
void store_release_memory(struct store *st);
/* Copies the WAL into the database and empties it when it has grown past
 * a few MiB: the writer calls it when nothing waits, so that commits do
 * not pay for it. false when a reader kept it from finishing: call again
 * later. */
bool store_checkpoint_idle(struct store *st);

/*
 * Backups (store_backup.c). Each runs off the loop thread. store_backup
 * copies the database at db_path to dest through its own read-only
 * connection; dest appears only once the copy is complete and synced.
 * store_restore checks src (simmer's, a known schema, integrity ok) and
 * puts a copy of it at db_path, moving the database it replaces (and its
 * -wal) to `aside`; simmerd must not be running.
 */
int store_backup(const char *db_path, const char *dest, char *err, size_t errlen);
int store_restore(const char *db_path, const char *src, char *aside, size_t asidelen,
    char *err, size_t errlen);
/* The backups folder beside the database, and the daily copy's name in it. */
void store_backup_dir(const char *db_path, char *out, size_t outlen);
int store_backup_daily_path(const char *db_path, int32_t day, char *out, size_t outlen);
/* Removes all but the `keep` newest daily copies in dir. */
int store_backup_prune(const char *dir, unsigned keep, char *err, size_t errlen);

#endif
