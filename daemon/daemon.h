/*
 * daemon.h: the state simmerd's loop thread shares between its files, and
 * the connection type. Everything here belongs to the loop thread unless a
 * comment says otherwise.
 */
#ifndef SIMMER_DAEMON_DAEMON_H
#define SIMMER_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "daemon/catalog.h"
#include "common/paths.h"
#include "daemon/writer.h"
#include "proto/proto.h"

/* Requests one connection may have waiting for the store thread before we
 * stop reading from it: a pipelining client gets backpressure, not memory. */
#define CONN_MAX_PENDING 16

/* Entries accepted but not yet committed, over all connections (a log
 * item is about 1.4 KiB): past this, connections wait before more of their
 * requests are read, so many pipelining clients cannot exhaust memory. */
#define DAEMON_MAX_INFLIGHT_ENTRIES 100000

struct conn {
	uv_pipe_t pipe;
	uv_timer_t stall_timer;
	struct simmerd *daemon;
	struct conn *prev, *next;   /* the daemon's list of open connections */
	uint64_t serial;            /* for log lines */
	pid_t peer_pid;
	char *buf;                  /* bytes received, not yet a complete message */
	size_t len, cap;
	unsigned pending;           /* requests waiting for the store thread */
	unsigned handles_open;      /* pipe and timer, until their close callbacks */
	bool closing;               /* no more reading; close after writes */
	bool reading;
	bool eof;                   /* the client will send nothing more */
	bool subscribed;            /* receives `alert` notifications */
};

struct simmerd {
	uv_loop_t *loop;
	struct simmer_paths paths;
	struct catalog catalog;     /* validates entries at once, on the loop thread */
	struct store *store;        /* the read-write connection, owned by the writer */
	struct writer *writer;
	struct proto_limits limits;
	int day_start_hour;

	uv_pipe_t listener;
	bool listener_open, socket_adopted, socket_bound;
	int lock_fd;

	uv_signal_t sig_term, sig_int, sig_hup;
	struct conn *conns;
	unsigned n_conns;
	uint64_t next_serial;
	size_t inflight_entries;    /* see DAEMON_MAX_INFLIGHT_ENTRIES */
	bool conns_held;            /* some connection waits for that to drop */
	bool stopping;
	int exit_code;
};

/* server.c */
int server_listen(struct simmerd *d, char *err, size_t errlen);
void server_close_listener(struct simmerd *d);
/* Takes ownership of buf's data and writes it to the connection. */
void conn_send_sbuffer(struct conn *c, msgpack_sbuffer *buf);
void conn_send_error(struct conn *c, uint32_t msgid, int code, const char *message);
/* Stops reading and closes once queued replies are written. */
void conn_close_after_writes(struct conn *c);
/* A job of this connection finished: may resume reading. */
void conn_job_finished(struct conn *c);
void server_stop_reading_all(struct simmerd *d);
/* Entries were committed: connections held back by the global cap go on. */
void server_resume_held(struct simmerd *d);
void server_close_all(struct simmerd *d);

/* dispatch.c */
void dispatch_request(struct conn *c, const struct proto_msg *msg);
/* The usual end of a job: its reply (or error) to its connection, if that
 * is still open, then the job is freed. */
void job_reply_to_owner(struct job *job);
/* Submits entries that came from outside a connection (the spool). */
int dispatch_submit_entries(struct simmerd *d, struct log_item *items, size_t n,
    job_done_fn done, void *arg);

/* spool.c */
void spool_take_in(struct simmerd *d);

#endif
