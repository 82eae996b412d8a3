/*
 * request.h: one request on its way through its handler, and the row of the
 * method table that describes it (the table itself is in methods.c).
 *
 * A handler answers in one of three ways: at once from the loop
 * (request_reply / request_error), after a job on the store thread
 * (request_submit, whose reply request_job_done sends), or later from
 * another service that holds the connection (conn_hold / conn_release).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_REQUEST_H
#define SIMMER_DAEMON_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>

#include "daemon/replies.h"
#include "daemon/writer.h"

struct simmerd;
struct conn;
struct request;

typedef void (*method_handler)(const struct request *rq, const msgpack_object *params);

/* Which thread does a method's work. */
enum method_thread {
	METHOD_ON_LOOP,     /* answered from memory */
	METHOD_ON_STORE,    /* a job for the store (writer) thread */
	METHOD_ON_READER,   /* a page of entries, on the reader thread (pages.c) */
	METHOD_ON_POOL,     /* the analysis, on libuv's thread pool */
	METHOD_ON_NOTIFIER, /* the notifier thread (D-Bus) */
};

struct method {
	const char *name;
	method_handler handler;
	const char *params;         /* the keys of its params map; "?" marks optional */
	bool writes;                /* changes the database or the configuration */
	enum method_thread thread;
	uint32_t limit_default;     /* its "limit" param (or items): default ... */
	uint32_t limit_max;         /* ... and most; 0 when it has none */
};

struct request {
	struct simmerd *d;
	struct conn *conn;
	uint32_t msgid;
	const struct method *method;
};

/* Sends a reply built with reply_begin(&rep, rq->msgid) and frees it. */
void request_reply(const struct request *rq, struct reply *rep);
void request_error(const struct request *rq, int code, const char *message);

/* A job whose reply goes to rq's connection; done NULL means
 * request_job_done. NULL (with the error sent) when out of memory. */
struct job *request_job(const struct request *rq, int kind, job_done_fn done);
/* Holds the connection and hands the job to the store thread. */
void request_submit(const struct request *rq, struct job *job);
/* The usual end of a job: its result (or error) to its connection, if
 * that is still open, then the hold is released and the job freed. */
void request_job_done(struct job *job);

/* Reads the optional "limit" param within the method's row; on error sends
 * the reply and returns -1. */
int request_read_limit(const struct request *rq, const msgpack_object *params, uint32_t *out);

#endif
