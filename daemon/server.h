/*
 * server.h: simmerd's listening socket and its connections.
 *
 * struct conn is opaque: server.c owns its whole lifetime. A connection is
 * freed only when its handles are closed AND nothing holds it, so a reply
 * that comes back from another thread after the client left finds a live
 * struct and is dropped (tmux's server_client_unref, redis's
 * freeClientAsync). Whoever owes a reply on a connection holds it
 * (conn_hold) until that reply was sent or given up (conn_release); while a
 * connection has CONN_MAX_PENDING holds, no more of its requests are read.
 *
 * The server cuts bytes into messages and hands each request to the
 * callback given to server_listen(); it knows nothing of what methods mean.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_SERVER_H
#define SIMMER_DAEMON_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "proto/proto.h"

struct simmerd;
struct conn;

typedef void (*server_request_fn)(struct simmerd *d, struct conn *c, const struct proto_msg *msg);

/* Makes freed large blocks go back to the system at once, so that memory
 * a burst of large messages took falls again after it. Called once at
 * start, before any thread. */
void server_memory_policy(void);
/* Binds the socket (or adopts systemd's) and starts accepting. */
int server_listen(struct simmerd *d, server_request_fn on_request, char *err, size_t errlen);
void server_close_listener(struct simmerd *d);
void server_stop_reading_all(struct simmerd *d);
/* Closes every connection once its queued replies are written. */
void server_close_all(struct simmerd *d);

/* A reply is owed on c: keep it alive (and count it against the
 * connection's pipelining budget) until conn_release. */
void conn_hold(struct conn *c);
void conn_release(struct conn *c);
/* False once the connection is closing: a reply would go nowhere. */
bool conn_is_open(const struct conn *c);
/* Bytes of replies sent to c that its client has not read yet. */
size_t conn_unread_bytes(const struct conn *c);
/* The number log lines use for this connection. */
unsigned long long conn_serial(const struct conn *c);

/* Writes a complete message and takes ownership of buf's data. */
void conn_send(struct conn *c, msgpack_sbuffer *buf);
/* A success response whose result map is `result` (copied). */
void conn_reply(struct conn *c, uint32_t msgid, const msgpack_sbuffer *result);
void conn_reply_error(struct conn *c, uint32_t msgid, int code, const char *message);
/* The connection receives notifications sent with server_broadcast, and
 * no idle timeout applies to it. -PROTO_E_BUSY when PROTO_MAX_SUBSCRIBERS
 * others already do. */
int conn_subscribe(struct conn *c);
/* Sends a complete notification (copied) to every subscribed connection. */
void server_broadcast(struct simmerd *d, const msgpack_sbuffer *notification);

/* Entries accepted from connections but not yet settled by the writer: past
 * DAEMON_MAX_INFLIGHT_ENTRIES no connection is read until some settle. */
void server_entries_accepted(struct simmerd *d, size_t n);
void server_entries_settled(struct simmerd *d, size_t n);

#endif
