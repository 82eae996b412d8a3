/*
 * backup.h: the daily backup schedule (see backup.c).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_BACKUP_H
#define SIMMER_DAEMON_BACKUP_H

#include "daemon/daemon.h"

/* Starts the schedule; the first check comes a moment after start. */
void backup_start(struct simmerd *d);
/* Stops it; a backup already running finishes before the loop ends. */
void backup_stop(void);

/* simmerd --backup [FILE]: copies the database (simmerd may be running)
 * to dest, or to a time-stamped file in the backups folder; an exit code. */
int backup_command(struct simmerd *d, const char *dest);
/* simmerd --restore FILE, with the instance lock held; an exit code. */
int restore_command(struct simmerd *d, const char *src);

#endif
