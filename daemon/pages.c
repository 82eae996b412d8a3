/*
 * pages.c: the pages of entries and their reader thread (see pages.h).
 *
 * It decides which page is built next and whether it is built at all;
 * packing a page is writer.c's (job_apply_read), on the reader's thread.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdlib.h>

#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/pages.h"
#include "daemon/server.h"
#include "daemon/store.h"

struct pages {
	struct simmerd *daemon;
	struct store *store;        /* the reader's read-only connection */
	struct writer *reader;
	struct job *head, *tail;    /* waiting on the loop, in order of arrival */
	bool building;              /* one job is on the reader's thread */
	bool stopping;
};

int
pages_start(struct pages **out, struct simmerd *d, char *err, size_t errlen)
{
	struct pages *p = calloc(1, sizeof *p);
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return -PROTO_E_INTERNAL;
	}
	p->daemon = d;
	int rc = store_open(&p->store, d->paths.db, true, err, errlen);
	if (rc == 0)
		rc = writer_start_reader(&p->reader, d->loop, p->store, d->writer, err, errlen);
	if (rc != 0) {
		store_close(p->store);
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

static void pages_build_next(struct pages *p);

static void
pages_on_built(struct job *job)
{
	struct simmerd *d = job->ctx;
	d->pages->building = false;
	request_job_done(job);
	pages_build_next(d->pages);
}

/* Ends a page that is not built, with `code` unless its client left. */
static void
pages_drop(struct job *job, int code, const char *message)
{
	struct conn *c = job->owner;
	if (conn_is_open(c))
		conn_reply_error(c, job->msgid, code, message);
	conn_release(c);
	job_free(job);
}

/* Hands the next page that is still wanted to the reader, unless one is
 * being built. */
static void
pages_build_next(struct pages *p)
{
	while (!p->building && p->head != NULL) {
		struct job *job = p->head;
		p->head = job->next;
		if (p->head == NULL)
			p->tail = NULL;
		job->next = NULL;
		struct conn *c = job->owner;
		if (!conn_is_open(c)) {
			pages_drop(job, 0, NULL);
		} else if (p->stopping) {
			pages_drop(job, PROTO_E_SHUTTING_DOWN, "simmerd is stopping");
		} else if (conn_unread_bytes(c) > PAGES_UNREAD_MAX) {
			log_info("client %llu asks for a page without reading the replies sent to it; "
			    "answering busy", conn_serial(c));
			pages_drop(job, PROTO_E_BUSY,
			    "read the replies already sent before asking for another page");
		} else {
			job->done = pages_on_built;
			p->building = true;
			writer_submit(p->reader, job);
		}
	}
}

void
pages_submit(const struct request *rq, struct job *job)
{
	struct pages *p = rq->d->pages;
	conn_hold(rq->conn);
	/* The page shows every write acknowledged before it was asked for,
	 * and the writes the same connection sent before it. */
	job->after_writes = writer_writes_submitted(rq->d->writer);
	job->next = NULL;
	if (p->tail)
		p->tail->next = job;
	else
		p->head = job;
	p->tail = job;
	pages_build_next(p);
}

void
pages_stop(struct pages *p, void (*on_stopped)(void *arg), void *arg)
{
	p->stopping = true;
	pages_build_next(p);
	writer_stop(p->reader, on_stopped, arg);
}

void
pages_free(struct pages *p)
{
	if (p == NULL)
		return;
	writer_free(p->reader);
	store_close(p->store);
	free(p);
}
