/*
 * store_backup.c: copies of simmer's database made with SQLite's online
 * backup API, the daily set kept beside the database, and restoring one.
 *
 * A backup reads through its own read-only connection, which WAL lets run
 * beside the writer, so it never stops entries from being stored. Copies go
 * to a temporary name first and are renamed into place only once complete
 * and fsynced: a backup file either is whole or does not exist. Restoring
 * checks the copy (simmer's own file, a schema this build knows, integrity
 * ok), keeps the database it replaces (with its -wal) under a new name, and
 * never runs while simmerd does. Nothing here runs on the loop thread.
 *
 * SPDX-License-Identifier: ISC
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/paths.h"
#include "daemon/store.h"
#include "daemon/store_internal.h"

/* Pages copied per backup step; between steps the writer may commit, and
 * SQLite restarts the copy if it did, so small steps keep a step short. */
#define BACKUP_PAGES_PER_STEP 1024

/* Prefix of the daily copies in the backups folder; others are left alone. */
#define BACKUP_DAILY_PREFIX "simmer-daily-"

static int
fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

/* Copies the database open in src into a new file at dest, whole or not at
 * all. */
static int
copy_database(sqlite3 *src, const char *dest, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.partial-%ld", dest, (long)getpid()) >= (int)sizeof tmp) {
		snprintf(err, errlen, "path too long: %s", dest);
		return -PROTO_E_STORAGE;
	}
	unlink(tmp);
	int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return -PROTO_E_STORAGE;
	}
	close(fd);
	sqlite3 *out = NULL;
	int rc = 0;
	if (sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", tmp, sqlite3_errmsg(out));
		rc = -PROTO_E_STORAGE;
	}
	sqlite3_backup *b = rc == 0 ? sqlite3_backup_init(out, "main", src, "main") : NULL;
	if (rc == 0 && b == NULL) {
		snprintf(err, errlen, "cannot start the backup: %s", sqlite3_errmsg(out));
		rc = -PROTO_E_STORAGE;
	}
	if (b != NULL) {
		int step;
		do {
			step = sqlite3_backup_step(b, BACKUP_PAGES_PER_STEP);
			if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
				sqlite3_sleep(10);
		} while (step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED);
		sqlite3_backup_finish(b);
		if (step != SQLITE_DONE) {
			snprintf(err, errlen, "backing up to %s: %s", tmp, sqlite3_errstr(step));
			rc = -PROTO_E_STORAGE;
		}
	}
	/* The copy is a plain rollback-journal file: complete in itself, with
	 * no -wal beside it to lose. */
	if (rc == 0 && sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "finishing %s: %s", tmp, sqlite3_errmsg(out));
		rc = -PROTO_E_STORAGE;
	}
	sqlite3_close(out);
	if (rc == 0 && fsync_path(tmp, O_RDONLY) != 0) {
		snprintf(err, errlen, "cannot sync %s: %s", tmp, strerror(errno));
		rc = -PROTO_E_STORAGE;
	}
	if (rc == 0 && rename(tmp, dest) != 0) {
		snprintf(err, errlen, "cannot move the backup to %s: %s", dest, strerror(errno));
		rc = -PROTO_E_STORAGE;
	}
	if (rc != 0)
		unlink(tmp);
	else
		paths_fsync_parent(dest);
	return rc;
}

int
store_backup(const char *db_path, const char *dest, char *err, size_t errlen)
{
	struct store *st;
	int rc = store_open(&st, db_path, true, err, errlen);
	if (rc != 0)
		return rc;
	rc = copy_database(st->db, dest, err, errlen);
	store_close(st);
	return rc;
}

/* Is this a backup simmer can restore: its own file, a schema it knows,
 * and every page sound? */
static int
check_restorable(const char *src, char *err, size_t errlen)
{
	struct store *st;
	char why[PROTO_MESSAGE_MAX];
	int rc = store_open(&st, src, true, why, sizeof why);
	if (rc != 0) {
		snprintf(err, errlen, "%s cannot be restored: %s", src, why);
		return rc;
	}
	sqlite3_stmt *s;
	const char *verdict = NULL;
	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check(1)", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		verdict = (const char *)sqlite3_column_text(s, 0);
	if (verdict == NULL || strcmp(verdict, "ok") != 0) {
		snprintf(err, errlen, "%s cannot be restored: it fails SQLite's integrity check (%s)",
		    src, verdict ? verdict : sqlite3_errmsg(st->db));
		rc = -PROTO_E_STORAGE;
	}
	sqlite3_finalize(s);
	store_close(st);
	return rc;
}

/* Moves path and its -wal and -shm (when present) to aside, aside-wal, ... */
static int
move_aside(const char *path, const char *aside, char *err, size_t errlen)
{
	static const char *const companions[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++) {
		char from[PATH_MAX], to[PATH_MAX];
		snprintf(from, sizeof from, "%.4000s%s", path, companions[i]);
		snprintf(to, sizeof to, "%.4000s%s", aside, companions[i]);
		if (rename(from, to) != 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot move %s aside: %s", from, strerror(errno));
			return -PROTO_E_STORAGE;
		}
	}
	return 0;
}

int
store_restore(const char *db_path, const char *src, char *aside, size_t asidelen,
    char *err, size_t errlen)
{
	int rc = check_restorable(src, err, errlen);
	if (rc != 0)
		return rc;
	/* Copy first, beside the database, so that the swap is two renames. */
	char incoming[PATH_MAX];
	snprintf(incoming, sizeof incoming, "%.4000s.restoring", db_path);
	sqlite3 *in = NULL;
	if (sqlite3_open_v2(src, &in, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", src, sqlite3_errmsg(in));
		sqlite3_close(in);
		return -PROTO_E_STORAGE;
	}
	rc = copy_database(in, incoming, err, errlen);
	sqlite3_close(in);
	if (rc != 0)
		return rc;
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
	snprintf(aside, asidelen, "%.4000s.before-restore-%s", db_path, stamp);
	struct stat st;
	if (lstat(db_path, &st) == 0)
		rc = move_aside(db_path, aside, err, errlen);
	else
		aside[0] = '\0';
	if (rc == 0 && rename(incoming, db_path) != 0) {
		snprintf(err, errlen, "cannot put the copy in place at %s: %s", db_path, strerror(errno));
		rc = -PROTO_E_STORAGE;
	}
	if (rc != 0) {
		unlink(incoming);
		return rc;
	}
	paths_fsync_parent(db_path);
	return 0;
}

static int
name_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
store_backup_prune(const char *dir, unsigned keep, char *err, size_t errlen)
{
	DIR *dp = opendir(dir);
	if (dp == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
		return -PROTO_E_STORAGE;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	size_t plen = strlen(BACKUP_DAILY_PREFIX);
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);
		if (strncmp(de->d_name, BACKUP_DAILY_PREFIX, plen) != 0 || len < 3 ||
		    strcmp(de->d_name + len - 3, ".db") != 0)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **grown = realloc(names, ncap * sizeof *names);
			if (grown == NULL)
				break;
			names = grown;
			cap = ncap;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(dp);
	/* The names carry the date, so name order is age order. */
	qsort(names, n, sizeof *names, name_order);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + keep < n) {
			char path[PATH_MAX];
			snprintf(path, sizeof path, "%.2000s/%.1000s", dir, names[i]);
			if (unlink(path) != 0 && rc == 0) {
				snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
				rc = -PROTO_E_STORAGE;
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
store_backup_daily_path(const char *db_path, int32_t day, char *out, size_t outlen)
{
	char dir[PATH_MAX], date[16];
	store_backup_dir(db_path, dir, sizeof dir);
	proto_day_format(day, date);
	int n = snprintf(out, outlen, "%s/" BACKUP_DAILY_PREFIX "%s.db", dir, date);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

void
store_backup_dir(const char *db_path, char *out, size_t outlen)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", db_path);
	char *slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	snprintf(out, outlen, "%.4000s/backups", dir);
}
