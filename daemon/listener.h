/*
 * listener.h: simmerd's listening socket (see listener.c). server.c starts
 * listening on it and accepts what comes.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_LISTENER_H
#define SIMMER_DAEMON_LISTENER_H

#include <stddef.h>

struct simmerd;

/* Sets up d->listener: systemd's socket when it passed one, otherwise one
 * bound (mode 0600) at d->paths.socket. 0, or a negative code with a
 * message in err. */
int listener_open(struct simmerd *d, char *err, size_t errlen);
/* Closes it, and removes the socket file when simmerd bound it. */
void listener_close(struct simmerd *d);

#endif
