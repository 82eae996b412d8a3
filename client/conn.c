/*
 * conn.c: connecting to simmerd and exchanging msgpack-RPC (see conn.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client/conn.h"
#include "common/clock.h"

/* Bytes read from the socket at a time. */
#define CONN_READ_CHUNK (64u * 1024u)
/* A reply may be larger than a request may: a page of 5000 entries with long
 * notes is about 6 MiB. Still bounded, so a confused peer cannot make the
 * client swallow the machine. */
#define CONN_MAX_REPLY_BYTES (64u * 1024u * 1024u)

int
conn_timeout_ms(void)
{
	const char *v = getenv("SIMMER_TIMEOUT");
	if (v == NULL || v[0] == '\0')
		return CONN_DEFAULT_TIMEOUT_MS;
	char *end;
	double s = strtod(v, &end);
	if (*end != '\0' || !(s >= 0) || s > 86400)
		return CONN_DEFAULT_TIMEOUT_MS;
	return s == 0 ? -1 : (int)(s * 1000);
}

/* Waits until fd is ready for `events` or the deadline (-1: none) passes. */
static int
wait_ready(int fd, short events, int64_t deadline)
{
	for (;;) {
		int wait = -1;
		if (deadline >= 0) {
			int64_t left = deadline - clock_monotonic_ms();
			if (left <= 0)
				return -CONN_E_TIMEOUT;
			wait = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		struct pollfd pfd = {.fd = fd, .events = events};
		int n = poll(&pfd, 1, wait);
		if (n > 0)
			return 0;
		if (n == 0)
			return -CONN_E_TIMEOUT;
		if (errno != EINTR)
			return -PROTO_E_SHUTTING_DOWN;
	}
}

static int64_t
deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : clock_monotonic_ms() + timeout_ms;
}

/* Connects with the timeout: SO_SNDTIMEO bounds a Unix socket's connect
 * when the listener's queue is full (a stopped daemon). */
static int
connect_with_timeout(int fd, const struct sockaddr_un *sa, int timeout_ms)
{
	if (timeout_ms > 0) {
		struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	while (connect(fd, (const struct sockaddr *)sa, sizeof *sa) != 0) {
		if (errno == EINTR)
			continue;
		return (errno == EAGAIN || errno == EINPROGRESS) ? -CONN_E_TIMEOUT : -errno;
	}
	return 0;
}

int
conn_open(struct client_conn *c, const struct simmer_paths *paths, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->next_msgid = 1;
	c->timeout_ms = conn_timeout_ms();
	proto_limits_default(&c->limits);
	c->limits.max_message_bytes = CONN_MAX_REPLY_BYTES;
	/* A reply as large as that may hold as many values as it has bytes. */
	c->limits.max_objects = CONN_MAX_REPLY_BYTES;
	c->max_entries_per_request = PROTO_MAX_ENTRIES_PER_REQUEST;
	const char *socket_path = paths->socket;
	snprintf(c->socket_path, sizeof c->socket_path, "%s", socket_path);
	if (paths->runtime_dir[0] != '\0') {
		int rc = paths_private_dir(paths->runtime_dir, false, err, errlen);
		if (rc == -ENOENT) {
			snprintf(err, errlen, "cannot reach simmerd on %s: %s", socket_path, strerror(ENOENT));
			return -ENOENT;
		}
		if (rc != 0)
			return -CONN_E_UNSAFE;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(socket_path);
	if (len >= sizeof sa.sun_path) {
		snprintf(err, errlen, "socket path too long: %s", socket_path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, socket_path, len + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	int rc = connect_with_timeout(fd, &sa, c->timeout_ms);
	if (rc != 0) {
		close(fd);
		if (rc == -CONN_E_TIMEOUT)
			snprintf(err, errlen, "simmerd on %s did not accept the connection within %d ms",
			    socket_path, c->timeout_ms);
		else
			snprintf(err, errlen, "cannot reach simmerd on %s: %s", socket_path, strerror(-rc));
		return rc;
	}
	/* Say nothing to a socket another user serves: it could be a trap
	 * set in a folder that user controls. */
	struct ucred cred;
	socklen_t credlen = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) != 0 || cred.uid != geteuid()) {
		snprintf(err, errlen, "refusing to talk to %s: it is served by uid %u, not by you "
		    "(uid %u)", socket_path, credlen == sizeof cred ? (unsigned)cred.uid : 0u,
		    (unsigned)geteuid());
		close(fd);
		return -CONN_E_UNSAFE;
	}
	/* Non-blocking from here on: every wait goes through poll and its
	 * deadline. */
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
		snprintf(err, errlen, "fcntl: %s", strerror(errno));
		close(fd);
		return -PROTO_E_INTERNAL;
	}
	c->fd = fd;
	return 0;
}

void
conn_close(struct client_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

void
request_begin(struct client_conn *c, struct request *r, const char *method)
{
	msgpack_sbuffer_init(&r->buf);
	msgpack_packer_init(&r->pk, &r->buf, msgpack_sbuffer_write);
	r->msgid = c->next_msgid++;
	proto_pack_request_head(&r->pk, r->msgid, method);
}

void
request_append(struct request *r, msgpack_sbuffer *out)
{
	msgpack_sbuffer_write(out, r->buf.data, r->buf.size);
}

void
request_free(struct request *r)
{
	msgpack_sbuffer_destroy(&r->buf);
}

/* simmerd hung up while we were sending: it may have said why first
 * (busy, shutting down, permission) in a reply with msgid 0. */
static int
said_before_closing(struct client_conn *c, char *err, size_t errlen)
{
	struct proto_msg msg;
	char why[PROTO_MESSAGE_MAX];
	int rc = -PROTO_E_SHUTTING_DOWN;
	if (conn_read_message(c, &msg, why, sizeof why) == 0) {
		if (msg.type == PROTO_RESPONSE && msg.msgid == 0) {
			int code = response_error(&msg, why, sizeof why);
			if (code != 0) {
				snprintf(err, errlen, "%s", why);
				rc = code;
			}
		}
		proto_msg_free(&msg);
	}
	return rc;
}

int
conn_write(struct client_conn *c, const void *data, size_t len, char *err, size_t errlen)
{
	const char *p = data;
	int64_t deadline = deadline_after(c->timeout_ms);
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				int rc = wait_ready(c->fd, POLLOUT, deadline);
				if (rc == -CONN_E_TIMEOUT) {
					snprintf(err, errlen, "simmerd did not take the request within %d ms",
					    c->timeout_ms);
					return rc;
				}
				continue;
			}
			int e = errno;
			snprintf(err, errlen, "simmerd closed the connection: %s", strerror(e));
			return said_before_closing(c, err, errlen);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
conn_read_message(struct client_conn *c, struct proto_msg *msg, char *err, size_t errlen)
{
	int64_t deadline = deadline_after(c->timeout_ms);
	for (;;) {
		if (c->len > 0) {
			ssize_t n = proto_scan(c->buf, c->len, &c->limits, err, errlen);
			if (n > 0) {
				bool known;
				int rc = proto_msg_decode(c->buf, (size_t)n, msg, &known, err, errlen);
				/* msg points into its own zone: the buffer may move now. */
				memmove(c->buf, c->buf + n, c->len - (size_t)n);
				c->len -= (size_t)n;
				if (rc != 0)
					proto_msg_free(msg);
				return rc;
			}
			if (n != -PROTO_E_NEED_MORE)
				return (int)n;
		}
		if (c->cap - c->len < CONN_READ_CHUNK) {
			size_t cap = c->cap ? c->cap * 2 : CONN_READ_CHUNK * 2;
			char *nb = realloc(c->buf, cap);
			if (nb == NULL) {
				snprintf(err, errlen, "out of memory");
				return -PROTO_E_INTERNAL;
			}
			c->buf = nb;
			c->cap = cap;
		}
		ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_ready(c->fd, POLLIN, deadline) == -CONN_E_TIMEOUT) {
				snprintf(err, errlen, "simmerd did not answer within %d ms", c->timeout_ms);
				return -CONN_E_TIMEOUT;
			}
			continue;
		}
		if (r <= 0) {
			snprintf(err, errlen, "simmerd closed the connection%s%s", r < 0 ? ": " : "",
			    r < 0 ? strerror(errno) : "");
			return -PROTO_E_SHUTTING_DOWN;
		}
		c->len += (size_t)r;
	}
}

int
conn_read_response(struct client_conn *c, struct proto_msg *msg, char *err, size_t errlen)
{
	for (;;) {
		int rc = conn_read_message(c, msg, err, errlen);
		if (rc != 0)
			return rc;
		if (msg->type == PROTO_RESPONSE)
			return 0;
		proto_msg_free(msg); /* a notification: not what we wait for */
	}
}

int
response_error(const struct proto_msg *msg, char *err, size_t errlen)
{
	const msgpack_object *e = msg->error;
	if (e == NULL || e->type == MSGPACK_OBJECT_NIL)
		return 0;
	int64_t code = PROTO_E_INTERNAL;
	char tmp[8];
	if (proto_get_int(e, "code", true, &code, tmp, sizeof tmp) != 0 || code <= 0 || code > 99)
		code = PROTO_E_INTERNAL;
	if (proto_get_str(e, "message", true, err, errlen, tmp, sizeof tmp) != 0)
		snprintf(err, errlen, "simmerd answered error %d", (int)code);
	return -(int)code;
}

void
request_pack_hello(struct request *r)
{
	msgpack_pack_array(&r->pk, 1);
	msgpack_pack_map(&r->pk, 2);
	proto_pack_kv_str(&r->pk, "client", "simmer " SIMMER_VERSION);
	proto_pack_kv_int(&r->pk, "protocol", PROTO_VERSION);
}

int
conn_finish_hello(struct client_conn *c, uint32_t msgid, char *err, size_t errlen)
{
	struct proto_msg msg;
	int rc = conn_read_response(c, &msg, err, errlen);
	if (rc != 0)
		return rc;
	/* msgid 0 is the daemon speaking about the connection (busy,
	 * permission, shutting down) before it read our request. */
	if (msg.msgid == 0 && (rc = response_error(&msg, err, errlen)) != 0) {
		proto_msg_free(&msg);
		return rc;
	}
	if (msg.msgid != msgid) {
		proto_msg_free(&msg);
		snprintf(err, errlen, "simmerd answered out of order");
		return -PROTO_E_INVALID_REQUEST;
	}
	rc = response_error(&msg, err, errlen);
	if (rc == 0) {
		const msgpack_object *limits = proto_map_get(msg.result, "limits");
		int64_t v;
		char tmp[PROTO_MESSAGE_MAX];
		if (proto_get_int(limits, "max_entries_per_request", false, &v, tmp, sizeof tmp) == 0 &&
		    v > 0 && v <= PROTO_MAX_ENTRIES_PER_REQUEST)
			c->max_entries_per_request = (uint32_t)v;
		proto_get_str(msg.result, "daemon", false, c->daemon_version,
		    sizeof c->daemon_version, tmp, sizeof tmp);
	}
	proto_msg_free(&msg);
	return rc;
}

int
conn_hello(struct client_conn *c, char *err, size_t errlen)
{
	struct request r;
	request_begin(c, &r, PROTO_M_HELLO);
	request_pack_hello(&r);
	int rc = conn_write(c, r.buf.data, r.buf.size, err, errlen);
	uint32_t id = r.msgid;
	request_free(&r);
	return rc != 0 ? rc : conn_finish_hello(c, id, err, errlen);
}

int
conn_call(struct client_conn *c, const char *method, pack_params_fn pack, const void *arg,
    struct proto_msg *msg, char *err, size_t errlen)
{
	struct request r;
	request_begin(c, &r, method);
	if (pack != NULL) {
		msgpack_pack_array(&r.pk, 1);
		pack(&r.pk, arg);
	} else {
		msgpack_pack_array(&r.pk, 0);
	}
	int rc = conn_write(c, r.buf.data, r.buf.size, err, errlen);
	uint32_t id = r.msgid;
	request_free(&r);
	if (rc != 0)
		return rc;
	for (;;) {
		rc = conn_read_response(c, msg, err, errlen);
		if (rc != 0)
			return rc;
		if (msg->msgid == id)
			break;
		if (msg->msgid == 0 && (rc = response_error(msg, err, errlen)) != 0) {
			proto_msg_free(msg);
			return rc;
		}
		proto_msg_free(msg); /* a late answer to something we gave up on */
	}
	rc = response_error(msg, err, errlen);
	if (rc != 0)
		proto_msg_free(msg);
	return rc;
}
