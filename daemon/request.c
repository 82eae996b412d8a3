/*
 * request.c: answering a request through the server, at once or after a
 * store job (see request.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>

#include "daemon/daemon.h"
#include "daemon/request.h"
#include "daemon/server.h"

void
request_reply(const struct request *rq, struct reply *rep)
{
	conn_send(rq->conn, &rep->buf);
	msgpack_sbuffer_destroy(&rep->buf);
}

void
request_error(const struct request *rq, int code, const char *message)
{
	conn_reply_error(rq->conn, rq->msgid, code, message);
}

struct job *
request_job(const struct request *rq, int kind, job_done_fn done)
{
	struct job *job = job_new(kind, rq->conn, rq->msgid, done ? done : request_job_done);
	if (job == NULL)
		request_error(rq, PROTO_E_INTERNAL, "out of memory");
	else
		job->ctx = rq->d;
	return job;
}

void
request_submit(const struct request *rq, struct job *job)
{
	conn_hold(rq->conn);
	writer_submit(rq->d->writer, job);
}

void
request_job_done(struct job *job)
{
	struct conn *c = job->owner;
	if (conn_is_open(c)) {
		if (job->rc != 0)
			conn_reply_error(c, job->msgid, -job->rc, job->err);
		else
			conn_reply(c, job->msgid, &job->result);
	}
	conn_release(c);
	job_free(job);
}

int
request_read_limit(const struct request *rq, const msgpack_object *params, uint32_t *out)
{
	char err[PROTO_MESSAGE_MAX];
	const struct method *m = rq->method;
	int64_t v = m->limit_default;
	int rc = proto_get_int(params, "limit", false, &v, err, sizeof err);
	if (rc == -PROTO_E_INVALID_PARAMS || v < 1 || v > m->limit_max) {
		if (rc != -PROTO_E_INVALID_PARAMS)
			snprintf(err, sizeof err, "limit must be between 1 and %u", m->limit_max);
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}
