/*
 * server.c: the connections of simmerd.
 *
 * It owns the bytes: accepting on the socket listener.c opened (checking
 * the peer's uid), buffering what a connection sends, cutting it into
 * messages with proto_scan() under the limits of proto/limits.h, answering
 * protocol errors and closing the offender, and writing replies. What a request means is the method
 * table's (methods.c), reached through the callback given to
 * server_listen(). A misbehaving client only ever loses its own connection.
 *
 * What a connection may cost is bounded in time and in memory: a message
 * must be complete within the stall timeout of its first byte; a
 * connection with nothing in progress is closed after the idle timeout,
 * or at once when a newcomer needs its slot; receive buffers over all
 * connections stay under `connections.max_buffered_mib`; a buffer that
 * grew for a large message is given back once the message is handled; and
 * each turn of the loop, a connection reads and handles only its share
 * (SERVER_READ_BUDGET, CONN_MESSAGES_PER_TURN), so that one client's flood
 * cannot delay everyone else's quick request by more than a turn.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/listener.h"
#include "daemon/log.h"
#include "daemon/server.h"

/* Bytes asked of the kernel per read. */
#define CONN_READ_CHUNK (64u * 1024u)

/* Bytes read per turn of the loop from connections in the middle of a
 * message, over all of them: 250 senders of large messages would
 * otherwise have each turn copy and fault in 50 MB or more before a quick
 * request is looked at. Past it, such connections wait for the next turn
 * (a few ms at most); the first read of a message is not counted, so a
 * quick request is read at once whatever the others send. */
#define SERVER_READ_BUDGET (1024u * 1024u)

/* Messages one connection has handled per turn of the loop: a client that
 * pipelines thousands of quick requests gets them answered a few dozen at a
 * time, between everyone else's. */
#define CONN_MESSAGES_PER_TURN 32

/* Blocks at least this large are mappings of their own, given back to the
 * system when freed: a connection's buffer once it grew past 128 KiB. The
 * blocks msgpack-c decodes into stay below it (its largest, an array of
 * PROTO_MAX_ARRAY values, takes a 128 KiB chunk), since mapping and
 * faulting those in for every message cost more than decoding. */
#define SERVER_MMAP_THRESHOLD (4 * CONN_READ_CHUNK)

/* Free heap kept for reuse rather than given back: what decoding the
 * largest message needs (PROTO_MAX_OBJECTS values of 24 bytes, 3 MiB). */
#define SERVER_TRIM_THRESHOLD (4u * 1024u * 1024u)

/* Requests one connection may have waiting for another thread before we
 * stop reading from it: a pipelining client gets backpressure, not memory. */
#define CONN_MAX_PENDING 16

/* Which clock a connection's timer runs: the stall clock while a message is
 * incomplete, the idle clock while nothing is in progress, none while we
 * owe it replies or it is subscribed, and the closing clock once it is
 * being closed after its last replies. */
enum conn_clock {
	CONN_CLOCK_NONE,
	CONN_CLOCK_STALL,
	CONN_CLOCK_IDLE,
	CONN_CLOCK_CLOSING,
};

/* Milliseconds the replies owed to a closing connection may take to be
 * read: a client that stops reading must not keep its slot, nor keep
 * simmerd from stopping, by leaving the last ones unread. */
#define CONN_CLOSE_DEADLINE_MS 5000u

struct conn {
	uv_pipe_t pipe;
	uv_timer_t timer;           /* the clock of `clock` */
	struct simmerd *daemon;
	struct conn *prev, *next;   /* the daemon's list of open connections */
	uint64_t serial;            /* for log lines */
	pid_t peer_pid;
	char *buf;                  /* bytes received, not yet a complete message */
	size_t len, cap;            /* cap counts in d->buffered_bytes */
	size_t unsent;              /* bytes of replies not yet written, in d->unsent_bytes
	                             * until the connection is closed */
	struct proto_scan_state scan; /* how far the message at buf[0] was walked */
	enum conn_clock clock;
	uint64_t quiet_since;       /* loop time it became idle: who makes room first */
	unsigned pending;           /* holds: replies owed by other threads */
	unsigned handles_open;      /* pipe and timer, until their close callbacks */
	bool closing;               /* no more reading; close after writes */
	bool reading;
	bool eof;                   /* the client will send nothing more */
	bool subscribed;            /* receives `alert` notifications */
	bool over_budget;           /* more buffer would pass the total cap */
	bool budgeted;              /* the read being made counts in the turn's budget */
	bool deferred;              /* waits for the next turn to read or handle more */
	bool evicted;               /* to be closed at the end of this turn: it hoards replies */
	size_t evicted_bytes;       /* its unsent bytes then, in d->unsent_evicted */
};

struct write_req {
	uv_write_t req;
	struct conn *conn;
	char *data;
	size_t size;                /* counts in conn->unsent and d->unsent_bytes */
};

static void conn_process(struct conn *c);

static void
server_on_idle(uv_idle_t *h)
{
	(void)h; /* while it runs, the loop polls without waiting */
}

/* The connection has had its turn: it reads and handles more in the next
 * one (server_on_turn_end). What it already holds is not news to the
 * poll, so the next turn must come without waiting for any. */
static void
conn_defer(struct conn *c)
{
	c->deferred = true;
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->pipe);
		c->reading = false;
	}
	c->daemon->reads_deferred = true;
	int rc = uv_idle_start(&c->daemon->turn_idle, server_on_idle);
	if (rc != 0)
		log_error("cannot hand connection %llu its next turn: %s",
		    (unsigned long long)c->serial, uv_strerror(rc));
}

/* Gives the receive buffer back, and its bytes to the total. Buffers past
 * SERVER_MMAP_THRESHOLD are mappings of their own (server_memory_policy),
 * so freeing one returns its pages at once. */
static void
conn_drop_buffer(struct conn *c)
{
	free(c->buf);
	c->daemon->buffered_bytes -= c->cap;
	c->buf = NULL;
	c->cap = 0;
	c->len = 0;
}

static void
conn_free(struct conn *c)
{
	conn_drop_buffer(c);
	free(c);
}

static void
conn_on_handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	if (--c->handles_open > 0)
		return;
	if (c->pending > 0)
		return; /* freed by conn_release when the last hold goes */
	conn_free(c);
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
	if (c->subscribed)
		d->n_subscribers--;
	c->subscribed = false;
}

static void
conn_close_now(struct conn *c)
{
	if (uv_is_closing((uv_handle_t *)&c->pipe))
		return;
	if (!c->closing) {
		c->closing = true;
	}
	/* Its unwritten replies are dropped with the pipe, later in this turn
	 * of the loop: they no longer count against the cap. */
	c->daemon->unsent_bytes -= c->unsent;
	c->unsent = 0;
	if (c->evicted) {
		c->daemon->unsent_evicted -= c->evicted_bytes;
		c->evicted = false;
	}
	conn_unlink(c);
	uv_close((uv_handle_t *)&c->timer, conn_on_handle_closed);
	uv_close((uv_handle_t *)&c->pipe, conn_on_handle_closed);
}

static void conn_on_timer(uv_timer_t *t);

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
	uv_shutdown_t *req = malloc(sizeof *req);
	if (req == NULL || uv_shutdown(req, (uv_stream_t *)&c->pipe, conn_on_shutdown) != 0) {
		free(req);
		conn_close_now(c);
		return;
	}
	req->data = c;
	c->clock = CONN_CLOCK_CLOSING;
	if (uv_timer_start(&c->timer, conn_on_timer, CONN_CLOSE_DEADLINE_MS, 0) != 0)
		conn_close_now(c);
}

static void
conn_on_write(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;
	/* Once the pipe is closing, conn_close_now counted it off already. */
	if (!uv_is_closing((uv_handle_t *)&w->conn->pipe)) {
		w->conn->unsent -= w->size;
		w->conn->daemon->unsent_bytes -= w->size;
	}
	free(w->data);
	free(w);
	if (status < 0 && status != UV_ECANCELED)
		log_debug("write to a client failed: %s", uv_strerror(status));
}

/* Makes the unread replies of all connections leave room under the cap
 * for `size` more bytes to c, by evicting the connections that hold the
 * most of them: the clients that do not read lose their connections, not
 * the one that happens to be answered when the cap is met. They are
 * closed at the end of the turn (server_on_turn_end), since callers may
 * be walking the list of connections; their bytes no longer count from
 * now. False when c itself would hold the most: then it is c that must go. */
static bool
unsent_make_room(struct simmerd *d, const struct conn *c, size_t size)
{
	size_t cap = (size_t)d->cfg.max_buffered_mib * 1024u * 1024u;
	while (d->unsent_bytes - d->unsent_evicted + size > cap) {
		if (d->stopping || !d->turn_end_open)
			return false;
		struct conn *hoarder = NULL;
		for (struct conn *o = d->conns; o; o = o->next)
			if (o != c && !o->evicted && (hoarder == NULL || o->unsent > hoarder->unsent))
				hoarder = o;
		if (hoarder == NULL || hoarder->unsent < c->unsent + size)
			return false;
		log_warn("client %llu does not read its replies (%zu bytes); closing it to answer "
		    "client %llu", (unsigned long long)hoarder->serial, hoarder->unsent,
		    (unsigned long long)c->serial);
		hoarder->evicted = true;
		hoarder->evicted_bytes = hoarder->unsent;
		d->unsent_evicted += hoarder->unsent;
		d->evictions = true;
		int rc = uv_idle_start(&d->turn_idle, server_on_idle);
		if (rc != 0)
			log_error("cannot close client %llu at the end of the turn: %s",
			    (unsigned long long)hoarder->serial, uv_strerror(rc));
	}
	return true;
}

size_t
conn_unread_bytes(const struct conn *c)
{
	return c->unsent;
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
	 * hold an unbounded queue of them, nor many such clients together more
	 * than the cap on what all connections may hold. */
	struct simmerd *d = c->daemon;
	if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) > PROTO_MAX_CONN_BUFFER ||
	    !unsent_make_room(d, c, size)) {
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
	w->conn = c;
	w->data = data;
	w->size = size;
	uv_buf_t b = uv_buf_init(data, (unsigned)size);
	int rc = uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, conn_on_write);
	if (rc != 0) {
		free(data);
		free(w);
		conn_close_now(c);
		return;
	}
	c->unsent += size;
	d->unsent_bytes += size;
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

int
conn_subscribe(struct conn *c)
{
	if (c->subscribed)
		return 0;
	if (c->daemon->n_subscribers >= PROTO_MAX_SUBSCRIBERS)
		return -PROTO_E_BUSY;
	c->subscribed = true;
	c->daemon->n_subscribers++;
	return 0;
}

void
server_broadcast(struct simmerd *d, const msgpack_sbuffer *notification)
{
	struct conn *next;
	for (struct conn *c = d->conns; c; c = next) {
		next = c->next; /* conn_send may close c, which unlinks it */
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
conn_on_timer(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (c->clock == CONN_CLOCK_CLOSING) {
		log_debug("client %llu left its last replies unread; closing it",
		    (unsigned long long)c->serial);
		conn_close_now(c);
		return;
	}
	if (c->clock == CONN_CLOCK_IDLE) {
		/* Nothing is in progress, so nothing is owed: no reply. */
		log_debug("client %llu was silent for %d seconds; closing it",
		    (unsigned long long)c->serial, c->daemon->cfg.idle_timeout_s);
		conn_close_after_writes(c);
		return;
	}
	char msg[128];
	snprintf(msg, sizeof msg, "a message stayed incomplete for %d seconds",
	    c->daemon->cfg.stall_timeout_s);
	conn_protocol_error(c, 0, PROTO_E_INVALID_REQUEST, msg);
}

/* Starts `clock` from now, or leaves it running when it already runs and
 * `restart` is false. */
static void
conn_run_clock(struct conn *c, enum conn_clock clock, bool restart)
{
	if (clock == CONN_CLOCK_NONE) {
		uv_timer_stop(&c->timer);
		c->clock = CONN_CLOCK_NONE;
		return;
	}
	if (c->clock == clock && !restart && uv_is_active((uv_handle_t *)&c->timer))
		return;
	const struct simmer_config *cfg = &c->daemon->cfg;
	int seconds = clock == CONN_CLOCK_STALL ? cfg->stall_timeout_s : cfg->idle_timeout_s;
	c->clock = clock;
	if (clock == CONN_CLOCK_IDLE)
		c->quiet_since = uv_now(c->daemon->loop);
	int rc = uv_timer_start(&c->timer, conn_on_timer, (uint64_t)seconds * 1000u, 0);
	if (rc != 0)
		log_error("cannot time connection %llu: %s", (unsigned long long)c->serial,
		    uv_strerror(rc));
}

/* A buffer is a read chunk from the heap, or a mapping of its own: sizes
 * in between would leave the heap holding pages for buffers long freed. */
static size_t
conn_buffer_size(size_t size)
{
	if (size > CONN_READ_CHUNK && size < SERVER_MMAP_THRESHOLD)
		return SERVER_MMAP_THRESHOLD;
	return size;
}

/* Would `more` bytes of buffer keep every connection's together under the
 * cap? A connection's first read chunk is always granted, so that a small
 * request is read whatever others hold. */
static bool
buffers_have_room(const struct simmerd *d, size_t cap, size_t more)
{
	if (cap <= CONN_READ_CHUNK)
		return true;
	size_t limit = (size_t)d->cfg.max_buffered_mib * 1024u * 1024u;
	return d->buffered_bytes + more <= limit;
}

static void
conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
	(void)suggested;
	struct conn *c = h->data;
	struct simmerd *d = c->daemon;
	if (c->cap - c->len < CONN_READ_CHUNK && c->cap < PROTO_MAX_CONN_BUFFER) {
		size_t cap = c->cap ? c->cap * 2 : CONN_READ_CHUNK;
		while (cap - c->len < CONN_READ_CHUNK && cap < PROTO_MAX_CONN_BUFFER)
			cap *= 2;
		cap = conn_buffer_size(cap);
		if (cap > PROTO_MAX_CONN_BUFFER)
			cap = PROTO_MAX_CONN_BUFFER;
		if (!buffers_have_room(d, cap, cap - c->cap)) {
			/* A zero-length buffer makes libuv report UV_ENOBUFS. */
			c->over_budget = true;
			*out = uv_buf_init(NULL, 0);
			return;
		}
		char *nb = realloc(c->buf, cap);
		if (nb != NULL) {
			d->buffered_bytes += cap - c->cap;
			c->buf = nb;
			c->cap = cap;
		}
	}
	size_t room = c->cap - c->len;
	c->budgeted = c->len > 0;
	if (c->budgeted) {
		if (d->read_budget == 0) {
			c->deferred = true;
			*out = uv_buf_init(NULL, 0);
			return;
		}
		if (room > d->read_budget)
			room = d->read_budget;
	}
	*out = uv_buf_init(c->buf + c->len, (unsigned)room);
}

/* After a message was handled: a buffer that grew for it shrinks back to
 * what is left in it, so a large message costs its memory only while it
 * is read and decoded. */
static void
conn_shrink_buffer(struct conn *c)
{
	if (c->cap <= CONN_READ_CHUNK)
		return;
	if (c->len == 0) {
		conn_drop_buffer(c);
	} else {
		size_t want = CONN_READ_CHUNK;
		while (want < c->len + CONN_READ_CHUNK)
			want *= 2;
		want = conn_buffer_size(want);
		if (want * 2 > c->cap)
			return; /* not worth a copy */
		char *nb = realloc(c->buf, want);
		if (nb == NULL)
			return;
		c->daemon->buffered_bytes -= c->cap - want;
		c->buf = nb;
		c->cap = want;
	}
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
	if (c->over_budget) {
		conn_protocol_error(c, 0, PROTO_E_BUSY,
		    "simmerd holds too many incomplete messages; try again shortly");
		return;
	}
	if (nread == UV_ENOBUFS && c->deferred) {
		/* The turn's budget is spent: go on in the next one. */
		conn_defer(c);
		return;
	}
	if (c->budgeted && nread > 0)
		c->daemon->read_budget -= (size_t)nread;
	if (nread == UV_ENOBUFS || (nread == 0 && c->len == c->cap)) {
		conn_protocol_error(c, 0, PROTO_E_TOO_LARGE,
		    "the connection's buffer is full without a complete message");
		return;
	}
	/* More bytes do not restart the stall clock: it runs from the
	 * message's first byte (conn_process). */
	c->len += (size_t)nread;
	conn_process(c);
}

static void
conn_start_reading(struct conn *c)
{
	if (c->reading || c->closing || c->deferred)
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
	unsigned handled = 0;
	while (!c->closing && !c->deferred && off < c->len && c->pending < CONN_MAX_PENDING) {
		/* While stopping, what is left is answered at once. */
		if (handled == CONN_MESSAGES_PER_TURN && !d->stopping) {
			conn_defer(c);
			break;
		}
		if (d->inflight_entries >= DAEMON_MAX_INFLIGHT_ENTRIES) {
			held = true;
			d->conns_held = true;
			break;
		}
		/* The scan goes on where the last read left it: a message that
		 * arrives in many pieces is walked once. */
		ssize_t n = proto_scan_more(&c->scan, c->buf + off, c->len - off, &d->limits, err,
		    sizeof err);
		if (n == -PROTO_E_NEED_MORE)
			break;
		proto_scan_reset(&c->scan);
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
		handled++;
	}
	if (off > 0) {
		memmove(c->buf, c->buf + off, c->len - off);
		c->len -= off;
		conn_shrink_buffer(c);
	}
	if (c->closing)
		return;
	if (c->deferred) {
		/* Its clock goes on: the wait is one turn. */
		if (c->reading) {
			uv_read_stop((uv_stream_t *)&c->pipe);
			c->reading = false;
		}
		return;
	}
	bool paused = c->pending >= CONN_MAX_PENDING || held;
	if (paused) {
		if (c->reading) {
			uv_read_stop((uv_stream_t *)&c->pipe);
			c->reading = false;
		}
	} else if (!c->reading && !d->stopping && !c->eof) {
		conn_start_reading(c);
	}
	/* A partial message runs the stall clock from its first byte: from
	 * now when a message was just cut off before it, otherwise it goes
	 * on. While we hold it back or owe it replies, no clock runs (the
	 * wait is ours); with nothing in progress, the idle clock does. */
	if (c->eof || d->stopping || paused)
		conn_run_clock(c, CONN_CLOCK_NONE, false);
	else if (c->len > 0)
		conn_run_clock(c, CONN_CLOCK_STALL, off > 0);
	else if (c->pending == 0 && !c->subscribed)
		conn_run_clock(c, CONN_CLOCK_IDLE, off > 0);
	else
		conn_run_clock(c, CONN_CLOCK_NONE, false);
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
		if (c->pending == 0)
			conn_free(c);
		return;
	}
	if (!c->closing && !c->daemon->stopping)
		conn_process(c);
	/* After EOF, an incomplete message left in the buffer is dropped. */
	if (c->eof && c->pending == 0)
		conn_close_after_writes(c);
}

/* Has the client sent bytes we have not read yet? A connection accepted
 * in this turn of the loop is read only in the next one, so its first
 * request may be waiting in the socket while it still looks idle. */
static bool
conn_has_unread_input(const struct conn *c)
{
	uv_os_fd_t fd;
	int waiting = 0;
	if (uv_fileno((const uv_handle_t *)&c->pipe, &fd) != 0 || ioctl(fd, FIONREAD, &waiting) != 0)
		return false;
	return waiting > 0;
}

/* Closes the connection that has been idle the longest, other than the
 * newcomer, to give its slot to the newcomer: silent connections cannot
 * lock out a client that has something to say. One whose request already
 * waits in its socket is not silent. False when none is idle. */
static bool
conn_make_room(struct simmerd *d, const struct conn *newcomer)
{
	struct conn *oldest = NULL;
	for (struct conn *c = d->conns; c; c = c->next) {
		if (c == newcomer || c->closing || c->clock != CONN_CLOCK_IDLE)
			continue;
		bool older = oldest == NULL || c->quiet_since < oldest->quiet_since ||
		    (c->quiet_since == oldest->quiet_since && c->serial < oldest->serial);
		if (older && !conn_has_unread_input(c))
			oldest = c;
	}
	if (oldest == NULL)
		return false;
	log_info("at %u connections: closing client %llu, the one silent the longest",
	    PROTO_MAX_CONNECTIONS, (unsigned long long)oldest->serial);
	if (uv_stream_get_write_queue_size((uv_stream_t *)&oldest->pipe) == 0)
		conn_close_now(oldest);
	else
		conn_close_after_writes(oldest);
	return true;
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
	proto_scan_reset(&c->scan);
	int rc = uv_pipe_init(d->loop, &c->pipe, 0);
	if (rc != 0) {
		log_error("cannot set up a connection: %s", uv_strerror(rc));
		free(c);
		return;
	}
	c->pipe.data = c;
	c->handles_open = 1;
	rc = uv_timer_init(d->loop, &c->timer);
	if (rc != 0) {
		log_error("cannot set up a connection's timer: %s", uv_strerror(rc));
		uv_close((uv_handle_t *)&c->pipe, conn_on_handle_closed);
		return;
	}
	c->timer.data = c;
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
	if (d->n_conns > PROTO_MAX_CONNECTIONS && !conn_make_room(d, c)) {
		conn_refuse(c, PROTO_E_BUSY, "too many connections; try again shortly");
		return;
	}
	log_debug("client %llu connected (pid %d)", (unsigned long long)c->serial, (int)cred.pid);
	conn_start_reading(c);
	/* Until it speaks, a new connection is idle: one that never does is
	 * closed after the idle timeout. */
	conn_run_clock(c, CONN_CLOCK_IDLE, true);
}

void
server_memory_policy(void)
{
	/* glibc raises its mmap threshold each time a mapped block is freed,
	 * after which large buffers come from the heap and their pages stay
	 * resident once freed: 250 connections that each sent 4 MiB kept
	 * 672 MB. A fixed threshold turns that off: every large buffer is its
	 * own mapping, given back to the system when freed. */
	mallopt(M_MMAP_THRESHOLD, SERVER_MMAP_THRESHOLD);
	/* Decoding a message allocates in small blocks from the heap. Trimmed
	 * back after each message, the heap must fault all its pages in again
	 * for the next one, which made decoding a full import batch cost
	 * 15-30 ms instead of 1: keep as much free as one batch needs. */
	mallopt(M_TRIM_THRESHOLD, SERVER_TRIM_THRESHOLD);
}

/* After each turn's I/O: a fresh read budget, and the connections that
 * waited for it read again. */
static void
server_on_turn_end(uv_check_t *h)
{
	struct simmerd *d = h->data;
	d->read_budget = SERVER_READ_BUDGET;
	if (d->evictions) {
		d->evictions = false;
		struct conn *c = d->conns;
		while (c != NULL) {
			struct conn *next = c->next;
			if (c->evicted)
				conn_close_now(c);
			c = next;
		}
	}
	if (!d->reads_deferred) {
		uv_idle_stop(&d->turn_idle);
		return;
	}
	d->reads_deferred = false;
	struct conn *c = d->conns;
	while (c != NULL) {
		struct conn *next = c->next;
		if (c->deferred) {
			c->deferred = false;
			if (!c->closing && !d->stopping)
				conn_process(c);
		}
		c = next;
	}
	if (!d->reads_deferred)
		uv_idle_stop(&d->turn_idle);
}

int
server_listen(struct simmerd *d, server_request_fn on_request, char *err, size_t errlen)
{
	d->on_request = on_request;
	d->read_budget = SERVER_READ_BUDGET;
	int rc = uv_check_init(d->loop, &d->turn_end);
	if (rc != 0) {
		snprintf(err, errlen, "cannot set up the read budget: %s", uv_strerror(rc));
		return rc;
	}
	rc = uv_idle_init(d->loop, &d->turn_idle);
	if (rc != 0) {
		uv_close((uv_handle_t *)&d->turn_end, NULL);
		snprintf(err, errlen, "cannot set up the read budget: %s", uv_strerror(rc));
		return rc;
	}
	d->turn_end.data = d;
	d->turn_end_open = true;
	rc = uv_check_start(&d->turn_end, server_on_turn_end);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the read budget: %s", uv_strerror(rc));
		return rc;
	}
	/* It runs each turn, but is no reason on its own to keep turning. */
	uv_unref((uv_handle_t *)&d->turn_end);
	rc = listener_open(d, err, errlen);
	if (rc != 0)
		return rc;
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
	if (d->turn_end_open) {
		d->turn_end_open = false;
		uv_close((uv_handle_t *)&d->turn_end, NULL);
		uv_close((uv_handle_t *)&d->turn_idle, NULL);
	}
	listener_close(d);
}

void
server_stop_reading_all(struct simmerd *d)
{
	for (struct conn *c = d->conns; c; c = c->next) {
		if (c->reading) {
			uv_read_stop((uv_stream_t *)&c->pipe);
			c->reading = false;
		}
		/* A closing connection keeps its deadline. */
		if (c->clock != CONN_CLOCK_CLOSING) {
			uv_timer_stop(&c->timer);
			c->clock = CONN_CLOCK_NONE;
		}
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
