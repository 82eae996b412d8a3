/*
 * conn.c: connecting to simmerd and exchanging msgpack-RPC (see conn.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/conn.h"

/* Bytes read from the socket at a time. */
#define CONN_READ_CHUNK (64u * 1024u)
/* A reply may be larger than a request may: a page of 5000 entries with long
 * notes is about 6 MiB. Still bounded, so a confused peer cannot make the
 * client swallow the machine. */
#define CONN_MAX_REPLY_BYTES (64u * 1024u * 1024u)

void
conn_default_socket(char *out, size_t outlen, const char *flag)
{
	const char *v;
	if (flag != NULL)
		snprintf(out, outlen, "%s", flag);
	else if ((v = getenv("SIMMER_SOCKET")) != NULL && v[0])
		snprintf(out, outlen, "%s", v);
	else if ((v = getenv("XDG_RUNTIME_DIR")) != NULL && v[0])
		snprintf(out, outlen, "%s/simmer/simmer.sock", v);
	else
		snprintf(out, outlen, "/tmp/simmer-%u/simmer.sock", (unsigned)getuid());
}

int
conn_open(struct client_conn *c, const char *socket_path, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->next_msgid = 1;
	proto_limits_default(&c->limits);
	c->limits.max_message_bytes = CONN_MAX_REPLY_BYTES;
	c->max_entries_per_request = PROTO_MAX_ENTRIES_PER_REQUEST;
	snprintf(c->socket_path, sizeof c->socket_path, "%s", socket_path);
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
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "cannot reach simmerd on %s: %s", socket_path, strerror(e));
		return -e;
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

int
conn_write(struct client_conn *c, const void *data, size_t len, char *err, size_t errlen)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(c->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "simmerd closed the connection: %s", strerror(errno));
			return -PROTO_E_SHUTTING_DOWN;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
conn_read_message(struct client_conn *c, struct proto_msg *msg, char *err, size_t errlen)
{
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
		proto_msg_free(msg); /* a late answer to something we gave up on */
	}
	rc = response_error(msg, err, errlen);
	if (rc != 0)
		proto_msg_free(msg);
	return rc;
}
