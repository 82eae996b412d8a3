/*
 * store.c: simmer's SQLite file (see store.h): schema, migrations, entries,
 * the per-day rollup, factors and settings.
 *
 * Every statement that runs per entry is prepared once and kept. Notes are
 * stored as '' when absent, so that the natural key (time, factor, value,
 * note) that makes imports idempotent compares like with like.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/clock.h"
#include "daemon/store.h"
#include "daemon/store_internal.h"

/* PRAGMA application_id of every file simmer makes ("SiMr"), so that
 * simmer never mistakes another program's SQLite file for its own. */
#define STORE_APPLICATION_ID 0x53694d72

/* Milliseconds a connection waits for another one's lock before failing. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* KiB of page cache per connection (PRAGMA cache_size). The writer
 * appends: entries, their ids (time-ordered) and the natural index (by
 * time) grow at their right edges, so the pages it touches again are few;
 * a larger cache only made an import spend its time growing the heap
 * (8 MiB imported a million lines faster than 64 MiB). A reader walks its
 * pages once, so it needs no more. */
#define STORE_CACHE_KIB_WRITER 8192
#define STORE_CACHE_KIB_READER 8192

/* WAL frames (pages) after which the writer checkpoints when it is next
 * idle (store_checkpoint_idle), and after which a commit checkpoints at
 * once. SQLite's own default checkpoints every 1000 frames inside the
 * commit that passes them, so an import copied each page twice while the
 * client waited; now it copies it after the import, and the hard bound
 * keeps a long stream of commits with no pause from growing the WAL
 * without end. */
#define STORE_WAL_IDLE_FRAMES 1000
#define STORE_WAL_HARD_FRAMES 65536
/* Bytes the WAL file is cut back to when a commit starts it over after a
 * checkpoint the idle one could not finish, so that an import does not
 * leave a WAL of hundreds of MiB on the disk. */
#define STORE_WAL_KEEP_BYTES (4 * 1024 * 1024)

/*
 * Migrations, in order; user_version is the number applied. Never edit one
 * that has shipped: append a new one.
 */
static const char *const migrations[] = {
	/* 1: entries, rollup, factors, settings, alerts. */
	"CREATE TABLE factors ("
	"  name TEXT PRIMARY KEY, kind INTEGER NOT NULL, role INTEGER NOT NULL,"
	"  unit TEXT NOT NULL, min REAL NOT NULL, max REAL NOT NULL,"
	"  description TEXT NOT NULL, created_ms INTEGER NOT NULL) STRICT;"
	"CREATE TABLE entries ("
	"  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, time_ms INTEGER NOT NULL,"
	"  utc_offset_min INTEGER NOT NULL, day INTEGER NOT NULL, factor TEXT NOT NULL,"
	"  value REAL NOT NULL, note TEXT NOT NULL DEFAULT '', source INTEGER NOT NULL,"
	"  deleted INTEGER NOT NULL DEFAULT 0, logged_ms INTEGER NOT NULL) STRICT;"
	"CREATE UNIQUE INDEX entries_natural ON entries (time_ms, factor, value, note);"
	"CREATE TABLE daily ("
	"  day INTEGER NOT NULL, factor TEXT NOT NULL, count INTEGER NOT NULL,"
	"  sum REAL NOT NULL, max REAL NOT NULL, min REAL NOT NULL,"
	"  PRIMARY KEY (day, factor)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
	"  level TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL,"
	"  shown INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL DEFAULT '') STRICT;",
	/* 2: the time of each (day, factor)'s first entry, so that the analysis
	 * can tell an exposure logged before an onset from one logged after. */
	"ALTER TABLE daily ADD COLUMN first_ms INTEGER NOT NULL DEFAULT 0;"
	"UPDATE daily SET first_ms = m.first FROM ("
	"  SELECT day, factor, min(time_ms) AS first FROM entries WHERE deleted = 0"
	"  GROUP BY day, factor) AS m"
	" WHERE m.day = daily.day AND m.factor = daily.factor;",
	/* 3: experiments, the elimination and reintroduction trials. A plan is
	 * its factor, first day and phase lengths; stopped_day is the last day
	 * of one stopped early. */
	"CREATE TABLE experiments ("
	"  id INTEGER PRIMARY KEY, factor TEXT NOT NULL, start_day INTEGER NOT NULL,"
	"  eliminate_days INTEGER NOT NULL, reintroduce_days INTEGER NOT NULL,"
	"  washout_days INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
	"  stopped_day INTEGER, stopped_ms INTEGER) STRICT;",
	/* 4: the cycles of elimination and reintroduction an experiment
	 * repeats before its washout. */
	"ALTER TABLE experiments ADD COLUMN cycles INTEGER NOT NULL DEFAULT 1;",
	/* 5: spooled entries that simmerd's checks refused, with why, kept
	 * until the person has seen them (store_refused.c). */
	"CREATE TABLE refused ("
	"  id INTEGER PRIMARY KEY, refused_ms INTEGER NOT NULL, spool TEXT NOT NULL,"
	"  spool_offset INTEGER NOT NULL, entry_id TEXT NOT NULL, time_ms INTEGER,"
	"  utc_offset_min INTEGER NOT NULL, factor TEXT NOT NULL, value REAL,"
	"  note TEXT NOT NULL, reason TEXT NOT NULL, fix TEXT NOT NULL,"
	"  UNIQUE (spool, spool_offset)) STRICT;",
};
#define STORE_SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static const char *const stmt_sql[ST_COUNT] = {
	[ST_INSERT_ENTRY] =
	    "INSERT INTO entries (id, time_ms, utc_offset_min, day, factor, value, note, source,"
	    " deleted, logged_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)"
	    " ON CONFLICT DO NOTHING",
	[ST_ROLLUP_ADD] =
	    "INSERT INTO daily (day, factor, count, sum, max, min, first_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (day, factor) DO UPDATE SET count = count + excluded.count,"
	    " sum = sum + excluded.sum, max = max(max, excluded.max), min = min(min, excluded.min),"
	    " first_ms = min(first_ms, excluded.first_ms)",
	[ST_ENSURE_FACTOR] =
	    "INSERT OR IGNORE INTO factors (name, kind, role, unit, min, max, description, created_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_DEFINE_FACTOR] =
	    "INSERT OR REPLACE INTO factors (name, kind, role, unit, min, max, description, created_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_ROLLUP_DELETE] = "DELETE FROM daily WHERE day = ?1 AND factor = ?2",
	[ST_ROLLUP_RECOMPUTE] =
	    "INSERT INTO daily (day, factor, count, sum, max, min, first_ms)"
	    " SELECT day, factor, count(*), sum(value), max(value), min(value), min(time_ms)"
	    " FROM entries"
	    " WHERE time_ms BETWEEN ?3 AND ?4 AND day = ?1 AND factor = ?2 AND deleted = 0"
	    " GROUP BY day, factor",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
};

#define ENTRY_COLUMNS "id, time_ms, utc_offset_min, day, factor, value, note, source, deleted"

/* SQLite says "disk I/O error" when a write meets ENOSPC or EFBIG (and
 * does not always keep the errno); this says plainly what to do, or
 * nothing. */
static const char *
full_disk_hint(sqlite3 *db)
{
	int code = sqlite3_extended_errcode(db), sys = sqlite3_system_errno(db);
	if (code == SQLITE_FULL || sys == ENOSPC || sys == EFBIG || sys == EDQUOT)
		return " (the disk is full: free some space and try again)";
	if (code == SQLITE_IOERR_WRITE || code == SQLITE_IOERR_TRUNCATE)
		return " (writing failed: the disk may be full or a file-size limit reached; "
		    "free some space and try again)";
	return "";
}

int
store_fail(struct store *st, char *err, size_t errlen, const char *doing)
{
	if (st == NULL || st->db == NULL)
		snprintf(err, errlen, "%s: no database", doing);
	else
		snprintf(err, errlen, "%s: %s%s", doing, sqlite3_errmsg(st->db), full_disk_hint(st->db));
	return -PROTO_E_STORAGE;
}

static int
store_exec(struct store *st, const char *sql, char *err, size_t errlen, const char *doing)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s%s", doing, msg ? msg : sqlite3_errmsg(st->db),
		    full_disk_hint(st->db));
		sqlite3_free(msg);
		return -PROTO_E_STORAGE;
	}
	return 0;
}

static int
pragma_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

int
store_schema_version(struct store *st)
{
	return pragma_int(st, "PRAGMA user_version");
}

static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	int version = store_schema_version(st);
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "the database has schema %d, newer than this simmerd knows (%d)",
		    version, STORE_SCHEMA_VERSION);
		return -PROTO_E_STORAGE;
	}
	/* A file from before the id existed (store_check_identity let it in). */
	if (version >= 1 && pragma_int(st, "PRAGMA application_id") == 0) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d", STORE_APPLICATION_ID);
		int rc = store_exec(st, sql, err, errlen, "marking the file as simmer's");
		if (rc != 0)
			return rc;
	}
	for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
		char sql[96]; /* both pragmas with 11-character ints */
		int rc = store_exec(st, "BEGIN IMMEDIATE", err, errlen, "starting a migration");
		if (rc == 0)
			rc = store_exec(st, migrations[v], err, errlen, "migrating the schema");
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
		    STORE_APPLICATION_ID, v + 1);
		if (rc == 0)
			rc = store_exec(st, sql, err, errlen, "recording the schema version");
		if (rc == 0)
			rc = store_exec(st, "COMMIT", err, errlen, "committing a migration");
		if (rc != 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	return 0;
}

/* The tables of schemas 1 and 2, which files made before application_id was
 * set carry: such a file is simmer's own, and its next migration sets the
 * id. Later schemas always carry the id. */
static const char *const legacy_tables[] = {"alerts", "daily", "entries", "factors", "meta"};

/* Counts the tables in the file; *legacy says whether they are exactly
 * schema 1's. Returns -1 when the schema cannot be read. */
static int
count_tables(struct store *st, bool *legacy)
{
	sqlite3_stmt *s;
	*legacy = false;
	if (sqlite3_prepare_v2(st->db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
	    " AND name NOT LIKE 'sqlite_%' ORDER BY name", -1, &s, NULL) != SQLITE_OK)
		return -1;
	int n = 0, matching = 0, rc;
	size_t n_legacy = sizeof legacy_tables / sizeof legacy_tables[0];
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		if ((size_t)n < n_legacy && name != NULL && strcmp(name, legacy_tables[n]) == 0)
			matching++;
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return -1;
	*legacy = (size_t)n == n_legacy && (size_t)matching == n_legacy;
	return n;
}

/*
 * simmer opens only its own files: a new (empty) one, one whose
 * application_id is STORE_APPLICATION_ID with a schema this build knows, or
 * a schema-1 or -2 file from before the id was set. Anything else is refused
 * before it is changed in any way, with what to do about it.
 */
static int
store_check_identity(struct store *st, const char *path, char *err, size_t errlen)
{
	int app = pragma_int(st, "PRAGMA application_id");
	int version = store_schema_version(st);
	bool legacy;
	int tables = app < 0 || version < 0 ? -1 : count_tables(st, &legacy);
	if (tables < 0)
		return store_fail(st, err, errlen, "reading the database's header");
	bool fresh = app == 0 && version == 0 && tables == 0;
	if (fresh || (app == 0 && version >= 1 && version <= 2 && legacy))
		return 0;
	if (app != STORE_APPLICATION_ID) {
		snprintf(err, errlen, "%s is not a simmer database (application_id 0x%08x, %d tables); "
		    "simmer leaves it as it is: move it aside, or point --db or SIMMER_DB at another "
		    "file", path, (unsigned)app, tables);
		return -PROTO_E_STORAGE;
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s was written by a newer simmer (schema %d; this one knows up "
		    "to %d); simmer leaves it as it is: install the newer simmer, or restore a backup",
		    path, version, STORE_SCHEMA_VERSION);
		return -PROTO_E_STORAGE;
	}
	return 0;
}

/* SQLite's memory statistics take a global mutex on every allocation,
 * which was 5% of an import's writer time; simmer reads none of them. */
static void
store_configure_library(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* After each commit on the writer's connection: the WAL's length is kept
 * for store_checkpoint_idle, and past the hard bound it is checkpointed
 * now. The checkpoint is PASSIVE, as SQLite's default one is: it never
 * waits for a reader. */
static int
store_wal_committed(void *arg, sqlite3 *db, const char *schema, int frames)
{
	struct store *st = arg;
	st->wal_frames = frames;
	if (frames >= STORE_WAL_HARD_FRAMES) {
		sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		st->wal_frames = 0;
	}
	return SQLITE_OK;
}

int
store_open(struct store **out, const char *path, bool readonly, char *err, size_t errlen)
{
	static pthread_once_t library_once = PTHREAD_ONCE_INIT;
	pthread_once(&library_once, store_configure_library);
	*out = NULL;
	if (!readonly) {
		/* Create the file ourselves so that it is private from the start. */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			/* Say which of the two failed: on a read-only file system
			 * an existing file fails just as a new one would. */
			int open_errno = errno;
			struct stat sb;
			bool exists = stat(path, &sb) == 0;
			snprintf(err, errlen, "cannot %s %s%s: %s", exists ? "open" : "create", path,
			    exists ? " for writing" : "", strerror(open_errno));
			return -PROTO_E_STORAGE;
		}
		close(fd);
	}
	struct store *st = calloc(1, sizeof *st);
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return -PROTO_E_STORAGE;
	}
	st->readonly = readonly;
	if (!readonly && (st->pending = calloc(STORE_PENDING_ROLLUP, sizeof *st->pending)) == NULL) {
		free(st);
		snprintf(err, errlen, "out of memory");
		return -PROTO_E_STORAGE;
	}
	int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		int rc = store_fail(st, err, errlen, "opening the database");
		store_close(st);
		return rc;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	/* Before anything could change the file: WAL, tables, versions. */
	int rc = store_check_identity(st, path, err, errlen);
	if (!readonly && rc == 0) {
		rc = store_exec(st, "PRAGMA journal_mode = WAL", err, errlen, "switching to WAL");
		if (rc == 0 && pragma_int(st, "PRAGMA journal_mode = WAL") < 0)
			rc = store_fail(st, err, errlen, "switching to WAL");
	}
	/* FULL: a commit that returned is on the disk, WAL or not. */
	if (rc == 0) {
		char setup[160];
		snprintf(setup, sizeof setup, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
		    " PRAGMA cache_size = -%d; PRAGMA temp_store = MEMORY",
		    readonly ? STORE_CACHE_KIB_READER : STORE_CACHE_KIB_WRITER);
		rc = store_exec(st, setup, err, errlen, "setting the connection up");
	}
	if (rc == 0 && !readonly) {
		char wal[64];
		snprintf(wal, sizeof wal, "PRAGMA journal_size_limit = %d", STORE_WAL_KEEP_BYTES);
		rc = store_exec(st, wal, err, errlen, "setting the connection up");
		/* Replaces SQLite's checkpoint every 1000 frames. */
		sqlite3_wal_hook(st->db, store_wal_committed, st);
	}
	if (rc == 0 && !readonly)
		rc = store_migrate(st, err, errlen);
	if (rc == 0 && readonly && store_schema_version(st) != STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "the database has schema %d; this simmerd reads %d",
		    store_schema_version(st), STORE_SCHEMA_VERSION);
		rc = -PROTO_E_STORAGE;
	}
	for (int i = 0; rc == 0 && !readonly && i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &st->stmts[i], NULL) != SQLITE_OK)
			rc = store_fail(st, err, errlen, "preparing a statement");
	}
	if (rc != 0) {
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	sqlite3_close(st->db);
	free(st->pending);
	free(st);
}

/* Runs a cached statement that returns no rows. */
static int
step_done(struct store *st, sqlite3_stmt *s, char *err, size_t errlen, const char *doing)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, errlen, doing);
	return 0;
}

int
store_begin(struct store *st, char *err, size_t errlen)
{
	/* Every entry of one transaction was logged at its start. */
	st->now_ms = clock_now_ms();
	return step_done(st, st->stmts[ST_BEGIN], err, errlen, "starting a transaction");
}

/* Writes the gathered rollup changes into the daily table. */
static int
rollup_flush(struct store *st, char *err, size_t errlen)
{
	if (st->n_pending == 0)
		return 0;
	sqlite3_stmt *s = st->stmts[ST_ROLLUP_ADD];
	int rc = 0;
	for (size_t i = 0; i < STORE_PENDING_ROLLUP; i++) {
		struct rollup_delta *d = &st->pending[i];
		if (!d->used)
			continue;
		if (rc == 0) {
			sqlite3_bind_int(s, 1, d->day);
			sqlite3_bind_text(s, 2, d->factor, -1, SQLITE_STATIC);
			sqlite3_bind_int(s, 3, (int)d->count);
			sqlite3_bind_double(s, 4, d->sum);
			sqlite3_bind_double(s, 5, d->max);
			sqlite3_bind_double(s, 6, d->min);
			sqlite3_bind_int64(s, 7, d->first_ms);
			rc = step_done(st, s, err, errlen, "updating the daily rollup");
		}
		d->used = false;
	}
	st->n_pending = 0;
	return rc;
}

static void
rollup_forget(struct store *st)
{
	if (st->pending != NULL)
		memset(st->pending, 0, STORE_PENDING_ROLLUP * sizeof *st->pending);
	st->n_pending = 0;
}

static uint32_t
rollup_hash(int32_t day, const char *factor)
{
	uint32_t h = 2166136261u ^ (uint32_t)day;
	for (const unsigned char *p = (const unsigned char *)factor; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* Adds one entry's value and time to the rollup changes of its (day, factor). */
static int
rollup_add(struct store *st, int32_t day, const char *factor, double value, int64_t time_ms,
    char *err, size_t errlen)
{
	if (st->n_pending >= STORE_PENDING_ROLLUP / 2) {
		int rc = rollup_flush(st, err, errlen);
		if (rc != 0)
			return rc;
	}
	uint32_t mask = STORE_PENDING_ROLLUP - 1;
	for (uint32_t i = rollup_hash(day, factor) & mask;; i = (i + 1) & mask) {
		struct rollup_delta *d = &st->pending[i];
		if (!d->used) {
			d->used = true;
			d->day = day;
			snprintf(d->factor, sizeof d->factor, "%s", factor);
			d->count = 1;
			d->sum = d->max = d->min = value;
			d->first_ms = time_ms;
			st->n_pending++;
			return 0;
		}
		if (d->day == day && strcmp(d->factor, factor) == 0) {
			d->count++;
			d->sum += value;
			if (value > d->max)
				d->max = value;
			if (value < d->min)
				d->min = value;
			if (time_ms < d->first_ms)
				d->first_ms = time_ms;
			return 0;
		}
	}
}

int
store_commit(struct store *st, char *err, size_t errlen)
{
	int rc = rollup_flush(st, err, errlen);
	if (rc != 0)
		return rc;
	return step_done(st, st->stmts[ST_COMMIT], err, errlen, "committing");
}

void
store_rollback(struct store *st)
{
	rollup_forget(st);
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static void
bind_factor(sqlite3_stmt *s, const struct factor *f)
{
	sqlite3_bind_text(s, 1, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, f->kind);
	sqlite3_bind_int(s, 3, f->role);
	sqlite3_bind_text(s, 4, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 5, f->min);
	sqlite3_bind_double(s, 6, f->max);
	sqlite3_bind_text(s, 7, f->description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, clock_now_ms());
}

/* Stores a first-use factor's row once per connection. */
static int
store_ensure_factor(struct store *st, const struct factor *f, char *err, size_t errlen)
{
	if (f->builtin)
		return 0;
	for (size_t i = 0; i < st->n_known_factors; i++)
		if (strcmp(st->known_factors[i], f->name) == 0)
			return 0;
	sqlite3_stmt *s = st->stmts[ST_ENSURE_FACTOR];
	bind_factor(s, f);
	int rc = step_done(st, s, err, errlen, "storing a new factor");
	if (rc == 0 && st->n_known_factors < STORE_KNOWN_FACTORS)
		snprintf(st->known_factors[st->n_known_factors++], PROTO_FACTOR_MAX + 1, "%s", f->name);
	return rc;
}

int
store_insert_entry(struct store *st, const struct entry *e, const struct factor *f,
    int *status, char *err, size_t errlen)
{
	int rc = store_ensure_factor(st, f, err, errlen);
	if (rc != 0)
		return rc;
	sqlite3_stmt *s = st->stmts[ST_INSERT_ENTRY];
	sqlite3_bind_text(s, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, e->time_ms);
	sqlite3_bind_int(s, 3, e->utc_offset_min);
	sqlite3_bind_int(s, 4, e->day);
	sqlite3_bind_text(s, 5, e->factor, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 6, e->value);
	sqlite3_bind_text(s, 7, e->note, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, e->source);
	sqlite3_bind_int64(s, 9, st->now_ms);
	rc = step_done(st, s, err, errlen, "storing an entry");
	if (rc != 0)
		return rc;
	if (sqlite3_changes(st->db) == 0) {
		*status = STORE_PRESENT;
		return 0;
	}
	rc = rollup_add(st, e->day, e->factor, e->value, e->time_ms, err, errlen);
	if (rc == 0)
		*status = STORE_ADDED;
	return rc;
}

static void
read_entry(sqlite3_stmt *s, struct entry *e)
{
	memset(e, 0, sizeof *e);
	snprintf(e->id, sizeof e->id, "%s", (const char *)sqlite3_column_text(s, 0));
	e->time_ms = sqlite3_column_int64(s, 1);
	e->utc_offset_min = sqlite3_column_int(s, 2);
	e->day = sqlite3_column_int(s, 3);
	snprintf(e->factor, sizeof e->factor, "%s", (const char *)sqlite3_column_text(s, 4));
	e->value = sqlite3_column_double(s, 5);
	const unsigned char *note = sqlite3_column_text(s, 6);
	snprintf(e->note, sizeof e->note, "%s", note ? (const char *)note : "");
	e->source = sqlite3_column_int(s, 7);
	e->deleted = sqlite3_column_int(s, 8) != 0;
}

/* Recomputes one (day, factor) rollup row from the live entries. The time
 * window bounds the scan: offsets lie within +-18 h. */
static int
rollup_recompute(struct store *st, int32_t day, const char *factor, char *err, size_t errlen)
{
	/* Gathered changes first, or they would count twice after this. */
	int rc = rollup_flush(st, err, errlen);
	if (rc != 0)
		return rc;
	sqlite3_stmt *s = st->stmts[ST_ROLLUP_DELETE];
	sqlite3_bind_int(s, 1, day);
	sqlite3_bind_text(s, 2, factor, -1, SQLITE_STATIC);
	rc = step_done(st, s, err, errlen, "fixing the daily rollup");
	if (rc != 0)
		return rc;
	int64_t day_ms = (int64_t)day * 86400000;
	s = st->stmts[ST_ROLLUP_RECOMPUTE];
	sqlite3_bind_int(s, 1, day);
	sqlite3_bind_text(s, 2, factor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, day_ms - 19 * 3600000LL);
	sqlite3_bind_int64(s, 4, day_ms + 48 * 3600000LL);
	return step_done(st, s, err, errlen, "fixing the daily rollup");
}

/* Soft-deletes the entry the query (with its bindings) selects first. */
static int
soft_delete(struct store *st, sqlite3_stmt *q, struct entry *out, char *err, size_t errlen,
    const char *none)
{
	int rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(q);
		snprintf(err, errlen, "%s", none);
		return -PROTO_E_NOT_FOUND;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(q);
		return store_fail(st, err, errlen, "finding the entry");
	}
	read_entry(q, out);
	sqlite3_finalize(q);
	sqlite3_stmt *u;
	if (sqlite3_prepare_v2(st->db, "UPDATE entries SET deleted = 1 WHERE id = ?1", -1, &u,
	    NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "deleting the entry");
	sqlite3_bind_text(u, 1, out->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(u);
	sqlite3_finalize(u);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, errlen, "deleting the entry");
	out->deleted = true;
	return rollup_recompute(st, out->day, out->factor, err, errlen);
}

int
store_undo_last(struct store *st, struct entry *out, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT " ENTRY_COLUMNS " FROM entries WHERE deleted = 0"
	    " ORDER BY seq DESC LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "finding the newest entry");
	return soft_delete(st, q, out, err, errlen, "there is no entry to undo");
}

/* The random last group of a UUID (from character 25, 12 long): `list`
 * shows its first ID_RANDOM_MIN or more characters. */
#define ID_RANDOM_LEN 12
#define ID_RANDOM_MIN 6

int
store_delete_entry(struct store *st, const char *id_or_prefix, struct entry *out,
    char *err, size_t errlen)
{
	size_t len = strlen(id_or_prefix);
	/* A short id as `list` shows it: the start of the random last group. */
	bool random_part = len >= ID_RANDOM_MIN && len <= ID_RANDOM_LEN &&
	    strchr(id_or_prefix, '-') == NULL;
	if (!random_part && (len < 8 || len > PROTO_ID_LEN)) {
		snprintf(err, errlen, "give the id 'simmer list' shows (at least %d characters) or a "
		    "whole id", ID_RANDOM_MIN);
		return -PROTO_E_INVALID_PARAMS;
	}
	char lower[PROTO_ID_LEN + 2];
	for (size_t i = 0; i <= len; i++) {
		char c = id_or_prefix[i];
		lower[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
	}
	/* The whole-id form uses the primary key's order; the short form reads
	 * every live id, which is fine for a command a person types. A short
	 * form that matches nothing may still be the start of a whole id. */
	static const char *const by_random =
	    " WHERE substr(id, 25, ?2) = ?1 AND deleted = 0";
	static const char *const by_start =
	    " WHERE id >= ?1 AND id < ?1 || 'z' AND substr(id, 1, ?2) = ?1 AND deleted = 0";
	const char *where = random_part ? by_random : by_start;
	char sql[512];
	sqlite3_stmt *q;
	int matches;
	for (;;) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM entries%s LIMIT 2)", where);
		if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
			return store_fail(st, err, errlen, "finding the entry");
		sqlite3_bind_text(q, 1, lower, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 2, (int)len);
		matches = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
		sqlite3_finalize(q);
		if (matches != 0 || where == by_start || len < 8)
			break;
		where = by_start;
	}
	if (matches < 0)
		return store_fail(st, err, errlen, "finding the entry");
	if (matches > 1) {
		snprintf(err, errlen, "%s matches more than one entry; give more of the id", id_or_prefix);
		return -PROTO_E_INVALID_PARAMS;
	}
	snprintf(sql, sizeof sql, "SELECT " ENTRY_COLUMNS " FROM entries%s LIMIT 1", where);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "finding the entry");
	sqlite3_bind_text(q, 1, lower, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, (int)len);
	char none[96];
	snprintf(none, sizeof none, "no live entry has the id %s", id_or_prefix);
	return soft_delete(st, q, out, err, errlen, none);
}

/* A definition whose range leaves out live entries of the factor would
 * make those entries ones its checks refuse: "steps" logged at 8500 cannot
 * become an event (0 to 100). */
static int
entries_fit_range(struct store *st, const struct factor *f, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*), min(value), max(value) FROM entries"
	    " WHERE factor = ?1 AND deleted = 0 AND (value < ?2 OR value > ?3)", -1, &q,
	    NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "checking the factor's entries");
	sqlite3_bind_text(q, 1, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 2, f->min);
	sqlite3_bind_double(q, 3, f->max);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return store_fail(st, err, errlen, "checking the factor's entries");
	}
	sqlite3_int64 outside = sqlite3_column_int64(q, 0);
	double lo = sqlite3_column_double(q, 1), hi = sqlite3_column_double(q, 2);
	sqlite3_finalize(q);
	if (outside == 0)
		return 0;
	char range[64];
	if (lo == hi)
		snprintf(range, sizeof range, "at %g", lo);
	else
		snprintf(range, sizeof range, "from %g to %g", lo, hi);
	snprintf(err, errlen, "%s has %lld entr%s %s, outside what kind %s holds (%g to %g): "
	    "choose a kind that holds them, or delete them first", f->name, (long long)outside,
	    outside == 1 ? "y" : "ies", range, factor_kind_name(f->kind), f->min, f->max);
	return -PROTO_E_INVALID_PARAMS;
}

int
store_define_factor(struct store *st, const struct factor *f, char *err, size_t errlen)
{
	int fit = entries_fit_range(st, f, err, errlen);
	if (fit != 0)
		return fit;
	sqlite3_stmt *s = st->stmts[ST_DEFINE_FACTOR];
	bind_factor(s, f);
	int rc = step_done(st, s, err, errlen, "defining a factor");
	/* Forget the per-connection cache: the row is there now. */
	if (rc == 0 && st->n_known_factors < STORE_KNOWN_FACTORS)
		snprintf(st->known_factors[st->n_known_factors++], PROTO_FACTOR_MAX + 1, "%s", f->name);
	return rc;
}

int
store_load_factors(struct store *st, struct catalog *cat, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT name, kind, role, unit, min, max, description"
	    " FROM factors ORDER BY name", -1, &q, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "reading the factors");
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct factor f;
		memset(&f, 0, sizeof f);
		snprintf(f.name, sizeof f.name, "%s", (const char *)sqlite3_column_text(q, 0));
		f.kind = sqlite3_column_int(q, 1);
		f.role = sqlite3_column_int(q, 2);
		snprintf(f.unit, sizeof f.unit, "%s", (const char *)sqlite3_column_text(q, 3));
		f.min = sqlite3_column_double(q, 4);
		f.max = sqlite3_column_double(q, 5);
		snprintf(f.description, sizeof f.description, "%s", (const char *)sqlite3_column_text(q, 6));
		const struct factor *known = catalog_find(cat, f.name);
		if (known != NULL && known->builtin)
			continue; /* a built-in name always means the built-in factor */
		if (catalog_put(cat, &f) != 0) {
			sqlite3_finalize(q);
			snprintf(err, errlen, "out of memory loading the factors");
			return -PROTO_E_INTERNAL;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, errlen, "reading the factors");
	return 0;
}

/* Runs a prepared query and hands each entry to cb. */
static int
walk_entries(struct store *st, sqlite3_stmt *q, store_entry_cb cb, void *arg, char *err,
    size_t errlen)
{
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct entry e;
		read_entry(q, &e);
		int r = cb(&e, arg);
		if (r != 0) {
			sqlite3_finalize(q);
			return r;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, errlen, "reading entries");
	return 0;
}

int
store_list(struct store *st, const struct store_list_query *q, store_entry_cb cb,
    void *arg, char *err, size_t errlen)
{
	/* The newest `limit`, then turned oldest first. */
	const char *sql = "SELECT * FROM (SELECT " ENTRY_COLUMNS ", seq FROM entries"
	    " WHERE deleted = 0 AND time_ms >= ?1 AND time_ms < ?2 AND (?3 IS NULL OR factor = ?3)"
	    " ORDER BY time_ms DESC, seq DESC LIMIT ?4) ORDER BY time_ms, seq";
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "listing entries");
	sqlite3_bind_int64(s, 1, q->has_since ? q->since_ms : INT64_MIN);
	sqlite3_bind_int64(s, 2, q->has_until ? q->until_ms : INT64_MAX);
	if (q->factor != NULL)
		sqlite3_bind_text(s, 3, q->factor, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, (int)q->limit);
	return walk_entries(st, s, cb, arg, err, errlen);
}

int
store_export_page(struct store *st, int64_t since_ms, int64_t after_time_ms,
    const char *after_id, uint32_t limit, store_entry_cb cb, void *arg,
    char *err, size_t errlen)
{
	/* The natural index orders by time; ties are sorted by id. */
	const char *sql = "SELECT " ENTRY_COLUMNS " FROM entries"
	    " WHERE deleted = 0 AND time_ms >= max(?1, ?2) AND NOT (time_ms = ?2 AND id <= ?3)"
	    " ORDER BY time_ms, id LIMIT ?4";
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "exporting entries");
	sqlite3_bind_int64(s, 1, since_ms);
	sqlite3_bind_int64(s, 2, after_id ? after_time_ms : INT64_MIN);
	sqlite3_bind_text(s, 3, after_id ? after_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, (int)limit);
	return walk_entries(st, s, cb, arg, err, errlen);
}

int
store_read_daily(struct store *st, int32_t since_day, store_daily_cb cb, void *arg,
    char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT day, factor, count, sum, max, min, first_ms FROM daily"
	    " WHERE day >= ?1 ORDER BY day, factor", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, errlen, "reading the daily rollup");
	sqlite3_bind_int(s, 1, since_day);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct daily_row row;
		row.day = sqlite3_column_int(s, 0);
		snprintf(row.factor, sizeof row.factor, "%s", (const char *)sqlite3_column_text(s, 1));
		row.count = (uint32_t)sqlite3_column_int(s, 2);
		row.sum = sqlite3_column_double(s, 3);
		row.max = sqlite3_column_double(s, 4);
		row.min = sqlite3_column_double(s, 5);
		row.first_ms = sqlite3_column_int64(s, 6);
		int r = cb(&row, arg);
		if (r != 0) {
			sqlite3_finalize(s);
			return r;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, errlen, "reading the daily rollup");
	return 0;
}

void
store_release_memory(struct store *st)
{
	sqlite3_db_release_memory(st->db);
}

bool
store_checkpoint_idle(struct store *st)
{
	if (st->wal_frames < STORE_WAL_IDLE_FRAMES)
		return true;
	/* TRUNCATE also cuts the WAL file to nothing once every frame is in
	 * the database. With no busy wait, a reader still on old pages (the
	 * analysis that follows an import, a page of an export) makes it copy
	 * what it can and return at once, as PASSIVE would; the writer tries
	 * again at its next idle moment. */
	sqlite3_busy_timeout(st->db, 0);
	int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK)
		st->wal_frames = 0;
	return rc != SQLITE_BUSY;
}
