/*
 * pages.h: the pages of entries (`list` and `export`), built on a reader
 * thread of their own so that they never hold up a commit.
 *
 * The loop keeps the page requests in order and hands the reader one at a
 * time. Before each, it looks at the connection: a page for a client that
 * left is not built, and one for a client that has not read the replies
 * already sent to it (more than PAGES_UNREAD_MAX) is answered `busy`, so
 * that clients that never read cannot make simmerd build page after page
 * only to drop them. One page is built at a time, so what pages cost in
 * memory is one page, beside the cap on unread replies.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_PAGES_H
#define SIMMER_DAEMON_PAGES_H

#include <stddef.h>

#include "daemon/request.h"

/* Bytes of earlier replies a connection may leave unread and still be
 * given a page: a client that reads each reply before it asks again is
 * never near it. */
#define PAGES_UNREAD_MAX (1024u * 1024u)

struct simmerd;
struct pages;

/* Opens the reader's read-only connection and starts its thread; it
 * follows d->writer, which must be started. */
int pages_start(struct pages **out, struct simmerd *d, char *err, size_t errlen);
/* Queues a JOB_LIST or JOB_EXPORT job for rq's connection (holding it);
 * its reply is sent by request_job_done. */
void pages_submit(const struct request *rq, struct job *job);
/* Answers the pages still waiting with `shutting_down`, lets the one
 * being built finish, then stops the thread; on_stopped runs on the loop
 * thread after that. */
void pages_stop(struct pages *p, void (*on_stopped)(void *arg), void *arg);
/* Joins the thread and closes the connection (after on_stopped). */
void pages_free(struct pages *p);

#endif
