/*
 * backup.c: the daily backup of the database, scheduled on the loop and
 * made on the libuv thread pool (see store_backup.c for the copy itself).
 *
 * Right after start and then every hour, a job checks whether today's
 * copy exists in the backups folder beside the database; if not, it makes
 * it and removes all but the BACKUP_KEEP_DAILY newest daily copies. The
 * loop only starts the job and logs its outcome; the file work (even the
 * stat) happens on the pool thread. One simmerd has one schedule, so the
 * state is this file's.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon/backup.h"
#include "common/clock.h"
#include "daemon/log.h"
#include "daemon/store.h"

/* Daily copies kept: a week of days to go back to after a mistake. */
#define BACKUP_KEEP_DAILY 7
/* The first check right after start, so a daemon started once a day still
 * makes its copy (and an idle daemon is quiet afterwards); later checks
 * hourly, so the day's copy follows midnight within an hour. */
#define BACKUP_FIRST_CHECK_MS 0
#define BACKUP_CHECK_INTERVAL_MS (60u * 60u * 1000u)

static struct {
	struct simmerd *d;
	uv_timer_t timer;
	uv_work_t work;
	bool running, started;
	/* Filled on the loop before the job, read by the pool thread. */
	char db[PATH_MAX], dest[PATH_MAX], dir[PATH_MAX];
	/* Filled by the pool thread, read on the loop after it. */
	int rc;
	bool made;
	char err[PROTO_MESSAGE_MAX];
} backup;

static void
backup_work(uv_work_t *w)
{
	(void)w;
	struct stat st;
	backup.made = false;
	backup.rc = 0;
	if (mkdir(backup.dir, 0700) != 0 && errno != EEXIST) {
		snprintf(backup.err, sizeof backup.err, "cannot create %.300s: %s", backup.dir,
		    strerror(errno));
		backup.rc = -errno;
		return;
	}
	if (stat(backup.dest, &st) == 0)
		return;
	backup.rc = store_backup(backup.db, backup.dest, backup.err, sizeof backup.err);
	if (backup.rc == 0) {
		backup.made = true;
		backup.rc = store_backup_prune(backup.dir, BACKUP_KEEP_DAILY, backup.err,
		    sizeof backup.err);
	}
}

static void
backup_after(uv_work_t *w, int status)
{
	(void)w;
	backup.running = false;
	if (status != 0)
		log_warn("the daily backup was cancelled");
	else if (backup.rc != 0)
		log_error("daily backup: %s", backup.err);
	else if (backup.made)
		log_info("backed up the database to %s", backup.dest);
}

static void
on_check(uv_timer_t *t)
{
	(void)t;
	struct simmerd *d = backup.d;
	if (backup.running || d->stopping)
		return;
	int64_t now = clock_now_ms();
	int32_t today = proto_local_day(now, proto_local_offset(now), 0);
	snprintf(backup.db, sizeof backup.db, "%s", d->paths.db);
	store_backup_dir(d->paths.db, backup.dir, sizeof backup.dir);
	if (store_backup_daily_path(d->paths.db, today, backup.dest, sizeof backup.dest) != 0) {
		log_error("daily backup: the path is too long");
		return;
	}
	backup.running = true;
	int rc = uv_queue_work(d->loop, &backup.work, backup_work, backup_after);
	if (rc != 0) {
		backup.running = false;
		log_error("cannot start the daily backup: %s", uv_strerror(rc));
	}
}

void
backup_start(struct simmerd *d)
{
	backup.d = d;
	int rc = uv_timer_init(d->loop, &backup.timer);
	if (rc != 0) {
		log_error("cannot schedule the daily backup: %s", uv_strerror(rc));
		return;
	}
	backup.started = true;
	rc = uv_timer_start(&backup.timer, on_check, BACKUP_FIRST_CHECK_MS, BACKUP_CHECK_INTERVAL_MS);
	if (rc != 0)
		log_error("cannot schedule the daily backup: %s", uv_strerror(rc));
}

void
backup_stop(void)
{
	if (!backup.started)
		return;
	backup.started = false;
	uv_close((uv_handle_t *)&backup.timer, NULL);
}

int
backup_command(struct simmerd *d, const char *dest)
{
	char err[PROTO_MESSAGE_MAX], path[PATH_MAX], dir[PATH_MAX];
	if (dest == NULL) {
		store_backup_dir(d->paths.db, dir, sizeof dir);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			log_error("cannot create %s: %s", dir, strerror(errno));
			return -SIMMER_E_CANT_CREATE;
		}
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
		snprintf(path, sizeof path, "%.4000s/simmer-%s.db", dir, stamp);
		dest = path;
	}
	if (store_backup(d->paths.db, dest, err, sizeof err) != 0) {
		log_error("cannot back up %s: %s", d->paths.db, err);
		return -SIMMER_E_IO;
	}
	printf("backed up %s to %s\n", d->paths.db, dest);
	return 0;
}

int
restore_command(struct simmerd *d, const char *src)
{
	char err[PROTO_MESSAGE_MAX], aside[PATH_MAX];
	if (paths_make_parent(d->paths.db, 0700, err, sizeof err) != 0) {
		log_error("%s", err);
		return -SIMMER_E_CANT_CREATE;
	}
	if (store_restore(d->paths.db, src, aside, sizeof aside, err, sizeof err) != 0) {
		log_error("%s", err);
		return -SIMMER_E_DATA;
	}
	printf("restored %s from %s", d->paths.db, src);
	if (aside[0] != '\0')
		printf("; the database it replaced is kept as %s", aside);
	printf("\n");
	return 0;
}
