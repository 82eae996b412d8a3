/*
 * conn.h: the client's side of the socket: connecting, saying hello,
 * sending requests and reading their responses, with plain blocking I/O.
 * Several requests may be in flight; responses are matched by msgid.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_CONN_H
#define SIMMER_CLIENT_CONN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "common/paths.h"
#include "proto/proto.h"

struct client_conn {
	int fd;
	char socket_path[PATH_MAX];
	char *buf;
	size_t len, cap;
	uint32_t next_msgid;
	int timeout_ms; /* each connect, send and receive; -1: none */
	struct proto_limits limits;
	uint32_t max_entries_per_request; /* from hello */
	char daemon_version[32];
};

/* Client-side failures (CONN_E_TIMEOUT, CONN_E_UNSAFE) are codes of
 * proto.h's error enum, beyond the protocol's own. */

/* Seconds each of connect, send and receive may take, from SIMMER_TIMEOUT
 * (0: wait for ever); a stopped daemon must not hang a quick entry. */
#define CONN_DEFAULT_TIMEOUT_MS 5000
int conn_timeout_ms(void);

/*
 * Connects to paths->socket after checking that its runtime folder (when it
 * is a default one) is private, and that the peer runs as this user.
 * Returns 0; -errno when nobody listens (ENOENT, ECONNREFUSED, ...);
 * -CONN_E_TIMEOUT; or -CONN_E_UNSAFE with the reason in err.
 */
int conn_open(struct client_conn *c, const struct simmer_paths *paths, char *err, size_t errlen);
void conn_close(struct client_conn *c);

/* A request being built: pack params (an array) with `pk` after begin. */
struct request {
	msgpack_sbuffer buf;
	msgpack_packer pk;
	uint32_t msgid;
};
void request_begin(struct client_conn *c, struct request *r, const char *method);
/* Appends the request's bytes to `out` (to send several in one write). */
void request_append(struct request *r, msgpack_sbuffer *out);
void request_free(struct request *r);

int conn_write(struct client_conn *c, const void *data, size_t len, char *err, size_t errlen);

/*
 * Reads the next response. On success msg holds it (free with
 * proto_msg_free). Returns 0, or a negative proto error: -PROTO_E_PARSE etc.
 * when the daemon's bytes are bad, -PROTO_E_SHUTTING_DOWN when it hung up.
 */
int conn_read_response(struct client_conn *c, struct proto_msg *msg, char *err, size_t errlen);
/* Reads the next message of any type (for subscriptions). */
int conn_read_message(struct client_conn *c, struct proto_msg *msg, char *err, size_t errlen);

/* If the response carries an error, returns its negative code and copies
 * its message into err; otherwise 0. */
int response_error(const struct proto_msg *msg, char *err, size_t errlen);

/* Sends hello and checks the version (fills limits and daemon_version). */
int conn_hello(struct client_conn *c, char *err, size_t errlen);
/* Reads hello's response after it was sent pipelined with something else. */
int conn_finish_hello(struct client_conn *c, uint32_t msgid, char *err, size_t errlen);
/* Packs hello's params. */
void request_pack_hello(struct request *r);

/*
 * One call: sends method with the params that pack_params writes (NULL for
 * []), waits for its response and leaves it in msg. Returns 0 or the
 * negative error code (the daemon's, with its message in err).
 */
typedef void (*pack_params_fn)(msgpack_packer *pk, const void *arg);
int conn_call(struct client_conn *c, const char *method, pack_params_fn pack, const void *arg,
    struct proto_msg *msg, char *err, size_t errlen);

#endif
