/*
 * methods.h: the method table, simmerd's one list of RPC methods.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_METHODS_H
#define SIMMER_DAEMON_METHODS_H

#include "daemon/request.h"

struct simmerd;
struct conn;

/* The server's request callback: finds the method's row, checks what
 * every method shares (params is one map or empty; not while stopping), and
 * calls its handler. An unknown method gets method_not_found. */
void methods_handle_request(struct simmerd *d, struct conn *c, const struct proto_msg *msg);

/* The row of a method, or NULL. */
const struct method *methods_find(const char *name);

#endif
