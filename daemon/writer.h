/*
 * writer.h: the store thread, which owns the read-write SQLite connection.
 *
 * The loop thread never touches the disk. It hands jobs to this thread;
 * the thread takes every job that is waiting, runs the writing ones inside
 * ONE transaction (group commit: whatever arrived while the last commit was
 * running goes into the next), commits, then runs the reading ones, packs
 * each job's result map (a log job's is packed on the loop), and hands the finished jobs back to the loop with
 * uv_async_send. A write is acknowledged only after its commit returned.
 *
 * It knows nothing of connections or requests: a job reports its outcome
 * (each entry added, already present or rejected; rc and a message), and
 * the loop side that submitted it turns that into a reply and side effects.
 *
 * The same machinery, started with writer_start_reader() on a read-only
 * connection, is a reader: it runs one reading job at a time, each once
 * the writer it follows has committed every write submitted before it
 * (so a reply reflects the writes acknowledged before its request), and
 * hands each back as soon as it is done. Pages of entries are built there,
 * so that they never hold up a commit.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_WRITER_H
#define SIMMER_DAEMON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>
#include <uv.h>

#include "daemon/catalog.h"
#include "daemon/log_batch.h"
#include "daemon/store.h"
#include "proto/proto.h"

/* Jobs that one transaction may take, and the entries in it: bounded so that
 * a flood of imports cannot hold a quick entry's acknowledgement for long. */
#define WRITER_MAX_JOBS_PER_COMMIT 256
#define WRITER_MAX_ENTRIES_PER_COMMIT 20000
/* After a batch this large, once nothing has come for WRITER_RELEASE_IDLE_MS,
 * the page cache is given back: an import should not leave an idle daemon
 * holding tens of MiB. Not at once: between an import's batches the queue
 * is empty for a moment, and a cache given back then must be read and
 * faulted in again for the next batch. */
#define WRITER_RELEASE_AFTER 1000
#define WRITER_RELEASE_IDLE_MS 250

enum job_kind {
	JOB_LOG,           /* write: entries */
	JOB_UNDO,          /* write */
	JOB_DELETE,        /* write: id */
	JOB_FACTOR_DEFINE, /* write: factor */
	JOB_LIST,          /* read */
	JOB_EXPORT,        /* read */
	JOB_CUSTOM,        /* run(): any work on the store thread */
};

struct job;
typedef void (*job_done_fn)(struct job *job);
typedef int (*job_run_fn)(struct job *job, struct store *st);

struct job {
	struct job *next;
	int kind;
	bool is_write;
	/* The submitter's, handed back untouched: the writer never reads them. */
	void *owner;
	uint32_t msgid;
	void *ctx;
	job_done_fn done;       /* called on the loop thread when finished */
	job_done_fn then;       /* the submitter's own continuation, if any */

	/* Inputs. */
	struct log_batch log;   /* JOB_LOG */
	bool rejected_results;  /* JOB_LOG: results list only rejected entries */
	char id[PROTO_ID_LEN + 1];      /* JOB_DELETE */
	struct factor factor;           /* JOB_FACTOR_DEFINE */
	struct factor factor_was;       /* ... as it was, when had_factor */
	bool had_factor;
	struct store_list_query list;   /* JOB_LIST */
	char list_factor[PROTO_FACTOR_MAX + 1];
	int64_t since_ms, after_time_ms; /* JOB_EXPORT */
	bool has_after;
	char after_id[PROTO_ID_LEN + 1];
	uint32_t limit;
	job_run_fn run;                 /* JOB_CUSTOM */
	void *arg;
	uint64_t after_writes;          /* on a reader: the writes to wait for */

	/* Outputs. */
	int rc;                         /* 0 or -proto_error */
	char err[PROTO_MESSAGE_MAX];
	struct entry result_entry;      /* undo, delete */
	size_t added, present, rejected;
	msgpack_sbuffer result;         /* the result map, packed off the loop */
};

struct writer;

/* Starts the thread on an open read-write store; finished jobs come back
 * through `done` on `loop`'s thread. */
int writer_start(struct writer **out, uv_loop_t *loop, struct store *st, char *err, size_t errlen);
/* A reader on the read-only connection st (see above): its jobs wait for
 * `follows` to have committed job->after_writes writes. */
int writer_start_reader(struct writer **out, uv_loop_t *loop, struct store *st,
    struct writer *follows, char *err, size_t errlen);
/* Queues a job; never blocks on disk. */
void writer_submit(struct writer *w, struct job *job);
/* The write jobs submitted so far (loop thread): what a reader job
 * submitted now should wait for. */
uint64_t writer_writes_submitted(const struct writer *w);
/* Finishes every queued job, then stops the thread; on_stopped runs on the
 * loop thread after the last job was handed back. */
void writer_stop(struct writer *w, void (*on_stopped)(void *arg), void *arg);
/* Joins the thread and frees the writer (after on_stopped). */
void writer_free(struct writer *w);

struct job *job_new(int kind, void *owner, uint32_t msgid, job_done_fn done);
void job_free(struct job *job);

#endif
