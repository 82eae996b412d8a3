/*
 * server.c: the listening socket and the connections of simmerd.
 *
 * It owns the bytes: accepting (checking the peer's uid), buffering what a
 * connection sends, cutting it into messages with proto_scan() under the
 * limits of proto/limits.h, answering protocol errors and closing the
 * offender, and writing replies. What a request means is the method
 * table's (methods.c), reached through the callback given to
 * server_listen(). A misbehaving client only ever loses its own connection.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/server.h"

/* Bytes asked of the kernel per read. */
#define CONN_READ_CHUNK (64u * 1024u)

/* Requests one connection may have waiting for another thread before we
 * stop reading from it: a pipelining client gets backpressure, not memory. */
#define CONN_MAX_PENDING 16

struct conn {
	uv_pipe_t pipe;
	uv_timer_t stall_timer;
	struct simmerd *daemon;
	struct conn *prev, *next;   /* the daemon's list of open connections */
	uint64_t serial;            /* for log lines */
	pid_t peer_pid;
	char *buf;                  /* bytes received, not yet a complete message */
	size_t len, cap;
	unsigned pending;           /* holds: replies owed by other threads */
	unsigned handles_open;      /* pipe and timer, until their close callbacks */
	bool closing;               /* no more reading; close after writes */
	bool reading;
	bool eof;                   /* the client will send nothing more */
	bool subscribed;            /* receives `alert` notifications */
};

struct write_req {
	uv_write_t req;
	char *data;
};

static void conn_process(struct conn *c);

static void
conn_on_handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	if (--c->handles_open > 0)
		return;
	if (c->pending > 0)
		return; /* freed by conn_release when the last hold goes */
	free(c->buf);
	free(c);
}

static void
conn_unlink(struct conn *c)
{
	struct simmerd *d = c->daemon;
	if (c->prev)
		c->prev->next = c->next;
	else if (d->conns == c)
		d->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	d->n_conns--;
}

static void
conn_close_now(struct conn *c)
{
	if (uv_is_closing((uv_handle_t *)&c->pipe))
		return;
	if (!c->closing) {
		c->closing = true;
	}
	conn_unlink(c);
	uv_close((uv_handle_t *)&c->stall_timer, conn_on_handle_closed);
	uv_close((uv_handle_t *)&c->pipe, conn_on_handle_closed);
}

static void
conn_on_shutdown(uv_shutdown_t *req, int status)
{
	(void)status;
	struct conn *c = req->data;
	free(req);
	conn_close_now(c);
}

static void
conn_close_after_writes(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->pipe);
		c->reading = false;
	}
	uv_timer_stop(&c->stall_timer);
	uv_shutdown_t *req = malloc(sizeof *req);
	if (req == NULL || uv_shutdown(req, (uv_stream_t *)&c->pipe, conn_on_shutdown) != 0) {
		free(req);
		conn_close_now(c);
		return;
	}
	req->data = c;
}

static void
conn_on_write(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;
	free(w->data);
	free(w);
	if (status < 0 && status != UV_ECANCELED)
		log_debug("write to a client failed: %s", uv_strerror(status));
}

void
conn_send(struct conn *c, msgpack_sbuffer *buf)
{
	size_t size = buf->size;
	char *data = msgpack_sbuffer_release(buf);
	if (c->closing && uv_is_closing((uv_handle_t *)&c->pipe)) {
		free(data);
		return;
	}
	/* A client that does not read its replies is not allowed to make us
	 * hold an unbounded queue of them. */
	if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) > PROTO_MAX_CONN_BUFFER) {
		log_warn("client %llu does not read its replies; closing it",
		    (unsigned long long)c->serial);
		free(data);
		conn_close_now(c);
		return;
	}
	struct write_req *w = malloc(sizeof *w);
	if (w == NULL) {
		free(data);
		conn_close_now(c);
		return;
	}
	w->data = data;
	uv_buf_t b = uv_buf_init(data, (unsigned)size);
	int rc = uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, conn_on_write);
	if (rc != 0) {
		free(data);
		free(w);
		conn_close_now(c);
	}
}

void
conn_reply_error(struct conn *c, uint32_t msgid, int code, const char *message)
{
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	proto_pack_response_error(&pk, msgid, code, message);
	conn_send(c, &buf);
	msgpack_sbuffer_destroy(&buf);
}

void
conn_reply(struct conn *c, uint32_t msgid, const msgpack_sbuffer *result)
{
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	proto_pack_response_head(&pk, msgid);
	msgpack_sbuffer_write(&buf, result->data, result->size);
	conn_send(c, &buf);
	msgpack_sbuffer_destroy(&buf);
}

bool
conn_is_open(const struct conn *c)
{
	return !c->closing;
}

unsigned long long
conn_serial(const struct conn *c)
{
	return (unsigned long long)c->serial;
}

void
conn_subscribe(struct conn *c)
{
	c->subscribed = true;
}

void
server_broadcast(struct simmerd *d, const msgpack_sbuffer *notification)
{
	for (struct conn *c = d->conns; c; c = c->next) {
		if (!c->subscribed || c->closing)
			continue;
		msgpack_sbuffer copy;
		msgpack_sbuffer_init(&copy);
		msgpack_sbuffer_write(&copy, notification->data, notification->size);
		conn_send(c, &copy);
		msgpack_sbuffer_destroy(&copy);
	}
}

/* Answers a protocol violation and disconnects the client. */
static void
conn_protocol_error(struct conn *c, uint32_t msgid, int code, const char *message)
{
	log_info("client %llu broke the protocol (%s): %s; disconnecting it",
	    (unsigned long long)c->serial, proto_error_name(code), message);
	conn_reply_error(c, msgid, code, message);
	conn_close_after_writes(c);
}

static void
conn_on_stall(uv_timer_t *t)
{
	struct conn *c = t->data;
	char msg[128];
	snprintf(msg, sizeof msg, "a message stayed incomplete for %d seconds",
	    PROTO_STALL_TIMEOUT_S);
	conn_protocol_error(c, 0, PROTO_E_INVALID_REQUEST, msg);
}

static void
conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
	(void)suggested;
	struct conn *c = h->data;
	if (c->cap - c->len < CONN_READ_CHUNK && c->cap < PROTO_MAX_CONN_BUFFER) {
		size_t cap = c->cap ? c->cap * 2 : CONN_READ_CHUNK;
		while (cap - c->len < CONN_READ_CHUNK && cap < PROTO_MAX_CONN_BUFFER)
			cap *= 2;
		if (cap > PROTO_MAX_CONN_BUFFER)
			cap = PROTO_MAX_CONN_BUFFER;
		char *nb = realloc(c->buf, cap);
		if (nb != NULL) {
			c->buf = nb;
			c->cap = cap;
		}
	}
	*out = uv_buf_init(c->buf + c->len, (unsigned)(c->cap - c->len));
}

static void
conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	(void)b;
	struct conn *c = s->data;
	if (nread == UV_EOF || (nread < 0 && nread != UV_ENOBUFS)) {
		if (nread != UV_EOF)
			log_debug("client %llu: %s", (unsigned long long)c->serial, uv_strerror((int)nread));
		c->reading = false;
		c->eof = true;
		uv_read_stop(s);
		/* A client may half-close after its last request and still read
		 * the replies: those owed are written before the close. */
		conn_process(c);
		if (c->pending == 0)
			conn_close_after_writes(c);
		return;
	}
	if (nread == UV_ENOBUFS || (nread == 0 && c->len == c->cap)) {
		conn_protocol_error(c, 0, PROTO_E_TOO_LARGE,
		    "the connection's buffer is full without a complete message");
		return;
	}
	c->len += (size_t)nread;
	/* Bytes arrived: the stall clock starts again from now. */
	if (nread > 0)
		uv_timer_stop(&c->stall_timer);
	conn_process(c);
}

static void
conn_start_reading(struct conn *c)
{
	if (c->reading || c->closing)
		return;
	if (uv_read_start((uv_stream_t *)&c->pipe, conn_alloc, conn_on_read) == 0)
		c->reading = true;
}

/* Cuts complete messages off the front of the buffer and dispatches them. */
static void
conn_process(struct conn *c)
{
	struct simmerd *d = c->daemon;
	size_t off = 0;
	char err[PROTO_MESSAGE_MAX];
	bool held = false;
	while (!c->closing && off < c->len && c->pending < CONN_MAX_PENDING) {
		if (d->inflight_entries >= DAEMON_MAX_INFLIGHT_ENTRIES) {
			held = true;
			d->conns_held = true;
			break;
		}
		ssize_t n = proto_scan(c->buf + off, c->len - off, &d->limits, err, sizeof err);
		if (n == -PROTO_E_NEED_MORE)
			break;
		if (n < 0) {
			conn_protocol_error(c, 0, (int)-n, err);
			break;
		}
		struct proto_msg msg;
		bool msgid_known = false;
		/* Dispatch copies what it keeps, and the buffer only moves after
		 * the message is freed: no need for a copy. */
		int rc = proto_msg_decode_in_place(c->buf + off, (size_t)n, &msg, &msgid_known, err,
		    sizeof err);
		off += (size_t)n;
		if (rc < 0) {
			conn_protocol_error(c, msgid_known ? msg.msgid : 0, -rc, err);
			proto_msg_free(&msg);
			break;
		}
		if (msg.type == PROTO_REQUEST)
			d->on_request(d, c, &msg);
		else
			log_debug("client %llu sent a %s; ignored", (unsigned long long)c->serial,
			    msg.type == PROTO_NOTIFICATION ? "notification" : "response");
		proto_msg_free(&msg);
	}
	if (off > 0) {
		memmove(c->buf, c->buf + off, c->len - off);
		c->len -= off;
	}
	if (c->closing)
		return;
	if (c->pending >= CONN_MAX_PENDING || held) {
		if (c->reading) {
			uv_read_stop((uv_stream_t *)&c->pipe);
			c->reading = false;
		}
	} else if (!c->reading && !d->stopping && !c->eof) {
		conn_start_reading(c);
	}
	/* A partial message starts the stall clock; a complete buffer stops it. */
	if (c->len > 0 && c->pending < CONN_MAX_PENDING && !c->eof && !held) {
		if (!uv_is_active((uv_handle_t *)&c->stall_timer))
			uv_timer_start(&c->stall_timer, conn_on_stall, PROTO_STALL_TIMEOUT_S * 1000u, 0);
	} else {
		uv_timer_stop(&c->stall_timer);
	}
}

void
conn_hold(struct conn *c)
{
	c->pending++;
}

void
conn_release(struct conn *c)
{
	c->pending--;
	if (c->handles_open == 0) {
		if (c->pending == 0) {
			free(c->buf);
			free(c);
		}
		return;
	}
	if (!c->closing && !c->daemon->stopping)
		conn_process(c);
	/* After EOF, an incomplete message left in the buffer is dropped. */
	if (c->eof && c->pending == 0)
		conn_close_after_writes(c);
}

/* Refuses a connection with one error reply. */
static void
conn_refuse(struct conn *c, int code, const char *message)
{
	log_warn("refused a connection: %s", message);
	conn_reply_error(c, 0, code, message);
	conn_close_after_writes(c);
}

static void
server_on_connection(uv_stream_t *listener, int status)
{
	struct simmerd *d = listener->data;
	if (status < 0) {
		log_warn("accepting a connection failed: %s", uv_strerror(status));
		return;
	}
	struct conn *c = calloc(1, sizeof *c);
	if (c == NULL) {
		log_error("out of memory accepting a connection");
		return;
	}
	c->daemon = d;
	c->serial = ++d->next_serial;
	int rc = uv_pipe_init(d->loop, &c->pipe, 0);
	if (rc != 0) {
		log_error("cannot set up a connection: %s", uv_strerror(rc));
		free(c);
		return;
	}
	c->pipe.data = c;
	c->handles_open = 1;
	rc = uv_timer_init(d->loop, &c->stall_timer);
	if (rc != 0) {
		log_error("cannot set up a connection's timer: %s", uv_strerror(rc));
		uv_close((uv_handle_t *)&c->pipe, conn_on_handle_closed);
		return;
	}
	c->stall_timer.data = c;
	c->handles_open = 2;
	c->next = d->conns;
	if (d->conns)
		d->conns->prev = c;
	d->conns = c;
	d->n_conns++;
	if (uv_accept(listener, (uv_stream_t *)&c->pipe) != 0) {
		conn_close_now(c);
		return;
	}
	uv_os_fd_t fd;
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		conn_refuse(c, PROTO_E_PERMISSION, "cannot read the peer's credentials");
		return;
	}
	c->peer_pid = cred.pid;
	if (cred.uid != getuid()) {
		char msg[160];
		snprintf(msg, sizeof msg, "uid %u may not use the simmerd of uid %u",
		    (unsigned)cred.uid, (unsigned)getuid());
		conn_refuse(c, PROTO_E_PERMISSION, msg);
		return;
	}
	if (d->stopping) {
		conn_refuse(c, PROTO_E_SHUTTING_DOWN, "simmerd is stopping");
		return;
	}
	if (d->n_conns > PROTO_MAX_CONNECTIONS) {
		conn_refuse(c, PROTO_E_BUSY, "too many connections; try again shortly");
		return;
	}
	log_debug("client %llu connected (pid %d)", (unsigned long long)c->serial, (int)cred.pid);
	conn_start_reading(c);
}

/* Is someone answering on the socket path? */
static bool
socket_is_live(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (len >= sizeof sa.sun_path) {
		close(fd);
		return false;
	}
	memcpy(sa.sun_path, path, len + 1);
	bool live = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return live;
}

static int
server_bind_own(struct simmerd *d, char *err, size_t errlen)
{
	const char *path = d->paths.socket;
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (socket_is_live(path)) {
			snprintf(err, errlen, "another simmerd is already running on %s", path);
			return -EADDRINUSE;
		}
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket; not touching it", path);
			return -EEXIST;
		}
		log_info("removing stale socket %s left by an earlier run", path);
		unlink(path);
	}
	/* The socket is created 0600 from the start: no window where another
	 * user could connect. */
	mode_t old = umask(0177);
	int rc = uv_pipe_bind(&d->listener, path);
	umask(old);
	if (rc != 0) {
		snprintf(err, errlen, "cannot bind %s: %s", path, uv_strerror(rc));
		return rc;
	}
	d->socket_bound = true;
	return 0;
}

int
server_listen(struct simmerd *d, server_request_fn on_request, char *err, size_t errlen)
{
	d->on_request = on_request;
	int rc = uv_pipe_init(d->loop, &d->listener, 0);
	if (rc != 0) {
		snprintf(err, errlen, "cannot create the listener: %s", uv_strerror(rc));
		return rc;
	}
	d->listener.data = d;
	d->listener_open = true;
	int n = sd_listen_fds(1);
	if (n > 1) {
		snprintf(err, errlen, "systemd passed %d sockets; simmerd takes exactly one", n);
		return -EINVAL;
	}
	if (n == 1) {
		int fd = SD_LISTEN_FDS_START;
		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
			snprintf(err, errlen, "the socket systemd passed is not a listening Unix stream socket");
			return -EINVAL;
		}
		rc = uv_pipe_open(&d->listener, fd);
		if (rc != 0) {
			snprintf(err, errlen, "cannot adopt the socket from systemd: %s", uv_strerror(rc));
			return rc;
		}
		d->socket_adopted = true;
		log_info("listening on the socket passed by systemd");
	} else {
		rc = server_bind_own(d, err, errlen);
		if (rc != 0)
			return rc;
		log_info("listening on %s", d->paths.socket);
	}
	rc = uv_listen((uv_stream_t *)&d->listener, 128, server_on_connection);
	if (rc != 0) {
		snprintf(err, errlen, "cannot listen: %s", uv_strerror(rc));
		return rc;
	}
	return 0;
}

void
server_close_listener(struct simmerd *d)
{
	if (!d->listener_open)
		return;
	d->listener_open = false;
	uv_close((uv_handle_t *)&d->listener, NULL);
	if (d->socket_bound)
		unlink(d->paths.socket);
}

void
server_stop_reading_all(struct simmerd *d)
{
	for (struct conn *c = d->conns; c; c = c->next) {
		if (c->reading) {
			uv_read_stop((uv_stream_t *)&c->pipe);
			c->reading = false;
		}
		uv_timer_stop(&c->stall_timer);
	}
}

void
server_entries_accepted(struct simmerd *d, size_t n)
{
	d->inflight_entries += n;
}

void
server_entries_settled(struct simmerd *d, size_t n)
{
	d->inflight_entries -= n;
	/* Called after every commit: only walk the connections when one of
	 * them was actually held back. */
	if (!d->conns_held || d->stopping || d->inflight_entries >= DAEMON_MAX_INFLIGHT_ENTRIES)
		return;
	d->conns_held = false;
	struct conn *c = d->conns;
	while (c != NULL) {
		struct conn *next = c->next;
		if (!c->reading && !c->closing && !c->eof && c->pending < CONN_MAX_PENDING)
			conn_process(c);
		c = next;
	}
}

void
server_close_all(struct simmerd *d)
{
	struct conn *c = d->conns;
	while (c) {
		struct conn *next = c->next;
		conn_close_after_writes(c);
		c = next;
	}
}
