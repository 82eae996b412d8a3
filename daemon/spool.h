/*
 * spool.h: taking in, at start, the entries the client kept while simmerd
 * was away.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_SPOOL_H
#define SIMMER_DAEMON_SPOOL_H

struct simmerd;

/* Submits every spool file through the validated write path; each file is
 * removed once its entries are committed. */
void spool_take_in(struct simmerd *d);

#endif
