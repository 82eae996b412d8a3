/*
 * writer.c: the store thread and its group commit (see writer.h).
 *
 * It does not parse requests or decide policy: jobs arrive validated, with
 * their entries' days computed, and leave with their result maps packed.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/grow.h"
#include "daemon/log.h"
#include "daemon/replies.h"
#include "daemon/writer.h"

struct writer {
	uv_loop_t *loop;
	struct store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct job *queue_head, *queue_tail;  /* waiting, FIFO */
	struct job *done_head, *done_tail;    /* finished, for the loop */
	bool stopping, stopped, thread_started;
	/* A reader's: one job per round, each after this writer's commits. */
	struct writer *follows;
	bool one_at_a_time;
	uint64_t writes_submitted;            /* loop thread */
	uint64_t writes_done;                 /* under lock: committed or failed */
	pthread_cond_t settled;               /* writes_done grew, or the thread ended */
	uv_async_t async;
	void (*on_stopped)(void *arg);
	void *on_stopped_arg;
};

struct job *
job_new(int kind, void *owner, uint32_t msgid, job_done_fn done)
{
	struct job *job = calloc(1, sizeof *job);
	if (job == NULL)
		return NULL;
	job->kind = kind;
	job->is_write = (kind == JOB_LOG || kind == JOB_UNDO || kind == JOB_DELETE ||
	    kind == JOB_FACTOR_DEFINE);
	job->owner = owner;
	job->msgid = msgid;
	job->done = done;
	msgpack_sbuffer_init(&job->result);
	return job;
}

void
job_free(struct job *job)
{
	if (job == NULL)
		return;
	log_batch_free(&job->log);
	msgpack_sbuffer_destroy(&job->result);
	free(job);
}

static void
job_fail(struct job *job, int code, const char *message)
{
	job->rc = -code;
	snprintf(job->err, sizeof job->err, "%s", message);
}

/* Runs one writing job inside the open transaction. A negative return means
 * the transaction itself is broken; job-level refusals (nothing to undo)
 * are recorded in job->rc and return 0. */
static int
job_apply_write(struct job *job, struct store *st)
{
	char err[PROTO_MESSAGE_MAX];
	int rc;
	switch (job->kind) {
	case JOB_LOG:
		for (size_t i = 0; i < job->log.n; i++) {
			struct log_item *it = &job->log.items[i];
			if (it->status != LOG_PENDING)
				continue;
			int status;
			struct entry e;
			log_batch_entry(&job->log, it, &e);
			rc = store_insert_entry(st, &e, log_batch_factor(&job->log, it), &status, err,
			    sizeof err);
			if (rc < 0) {
				job_fail(job, -rc, err);
				return rc;
			}
			it->status = (int8_t)status;
		}
		return 0;
	case JOB_UNDO:
		rc = store_undo_last(st, &job->result_entry, err, sizeof err);
		break;
	case JOB_DELETE:
		rc = store_delete_entry(st, job->id, &job->result_entry, err, sizeof err);
		break;
	case JOB_FACTOR_DEFINE:
		rc = store_define_factor(st, &job->factor, err, sizeof err);
		break;
	default:
		return 0;
	}
	if (rc == -PROTO_E_STORAGE) {
		job_fail(job, PROTO_E_STORAGE, err);
		return rc;
	}
	if (rc < 0)
		job_fail(job, -rc, err);
	return 0;
}

struct entry_list {
	struct entry *items;
	size_t count, cap;
};

static int
entry_list_add(const struct entry *e, void *arg)
{
	struct entry_list *l = arg;
	if (grow_for_one((void **)&l->items, &l->cap, l->count, sizeof *l->items, 64) != 0)
		return -PROTO_E_INTERNAL;
	l->items[l->count++] = *e;
	return 0;
}

/* Runs one reading job after the commit, packing its result. */
static void
job_apply_read(struct job *job, struct store *st)
{
	struct entry_list list = {0};
	int rc = 0;
	switch (job->kind) {
	case JOB_LIST:
		rc = store_list(st, &job->list, entry_list_add, &list, job->err, sizeof job->err);
		break;
	case JOB_EXPORT:
		rc = store_export_page(st, job->since_ms, job->has_after ? job->after_time_ms : INT64_MIN,
		    job->has_after ? job->after_id : NULL, job->limit, entry_list_add, &list,
		    job->err, sizeof job->err);
		break;
	case JOB_CUSTOM:
		rc = job->run(job, st);
		break;
	}
	if (rc < 0 && job->rc == 0)
		job->rc = rc;
	if (job->rc == 0 && job->kind != JOB_CUSTOM) {
		msgpack_packer pk;
		msgpack_packer_init(&pk, &job->result, msgpack_sbuffer_write);
		if (job->kind == JOB_LIST) {
			reply_pack_entries(&pk, list.items, list.count, false, NULL);
		} else {
			bool full = list.count == job->limit && list.count > 0;
			reply_pack_entries(&pk, list.items, list.count, true,
			    full ? &list.items[list.count - 1] : NULL);
		}
	}
	free(list.items);
}

/* Packs a write job's result once its transaction's fate is known. A log
 * job's result is packed by its submitter on the loop (entries.c): in an
 * import this thread is the busy one. */
static void
job_pack_write_reply(struct job *job)
{
	if (job->rc != 0)
		return;
	msgpack_packer pk;
	msgpack_packer_init(&pk, &job->result, msgpack_sbuffer_write);
	switch (job->kind) {
	case JOB_UNDO:
	case JOB_DELETE:
		msgpack_pack_map(&pk, 1);
		proto_pack_cstr(&pk, "entry");
		proto_entry_pack(&pk, &job->result_entry, true);
		break;
	case JOB_FACTOR_DEFINE:
		msgpack_pack_map(&pk, job->had_factor ? 2 : 1);
		proto_pack_cstr(&pk, "factor");
		reply_pack_factor(&pk, &job->factor);
		if (job->had_factor) {
			proto_pack_cstr(&pk, "was");
			reply_pack_factor(&pk, &job->factor_was);
		}
		break;
	}
}

static void
job_count_log(struct job *job)
{
	job->added = job->present = job->rejected = 0;
	for (size_t i = 0; i < job->log.n; i++) {
		switch (job->log.items[i].status) {
		case LOG_ADDED: job->added++; break;
		case LOG_PRESENT: job->present++; break;
		default: job->rejected++; break;
		}
	}
}

/* Takes the jobs for one round: every waiting read, and writes up to the
 * per-commit bounds, keeping their order. */
static struct job *
writer_take_batch(struct writer *w)
{
	struct job *head = NULL, **tail = &head;
	size_t jobs = 0, entries = 0;
	size_t max_jobs = w->one_at_a_time ? 1 : WRITER_MAX_JOBS_PER_COMMIT;
	while (w->queue_head != NULL && jobs < max_jobs) {
		struct job *job = w->queue_head;
		if (jobs > 0 && entries + job->log.n > WRITER_MAX_ENTRIES_PER_COMMIT)
			break;
		w->queue_head = job->next;
		if (w->queue_head == NULL)
			w->queue_tail = NULL;
		job->next = NULL;
		*tail = job;
		tail = &job->next;
		jobs++;
		entries += job->log.n;
	}
	return head;
}

/* On a reader's thread: waits until the writer it follows has finished
 * `n` write jobs (or has stopped, after which none will run). */
static void
writer_wait_writes(struct writer *w, uint64_t n)
{
	pthread_mutex_lock(&w->lock);
	while (w->writes_done < n && !w->stopped)
		pthread_cond_wait(&w->settled, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

static void
writer_run_batch(struct writer *w, struct job *batch)
{
	char err[PROTO_MESSAGE_MAX];
	bool any_write = false;
	for (struct job *j = batch; j; j = j->next)
		any_write |= j->is_write;

	if (any_write) {
		int rc = store_begin(w->store, err, sizeof err);
		for (struct job *j = batch; rc == 0 && j; j = j->next) {
			if (j->is_write && (rc = job_apply_write(j, w->store)) != 0)
				snprintf(err, sizeof err, "%s", j->err);
		}
		if (rc == 0)
			rc = store_commit(w->store, err, sizeof err);
		if (rc != 0) {
			store_rollback(w->store);
			log_error("commit failed, nothing of this batch was stored: %s", err);
			for (struct job *j = batch; j; j = j->next) {
				if (!j->is_write)
					continue;
				if (j->rc == 0)
					job_fail(j, PROTO_E_STORAGE, err);
				else
					j->rc = -PROTO_E_STORAGE;
				for (size_t i = 0; i < j->log.n; i++)
					if (j->log.items[i].status != LOG_REJECTED)
						j->log.items[i].status = LOG_PENDING;
			}
		}
		for (struct job *j = batch; j; j = j->next) {
			if (!j->is_write)
				continue;
			if (j->kind == JOB_LOG)
				job_count_log(j);
			job_pack_write_reply(j);
		}
	}
	for (struct job *j = batch; j; j = j->next) {
		if (j->is_write)
			continue;
		if (w->follows != NULL)
			writer_wait_writes(w->follows, j->after_writes);
		job_apply_read(j, w->store);
	}
}

/* Waits, holding w->lock, until a job comes or simmerd stops. After a
 * write (*idle_due), the first WRITER_RELEASE_IDLE_MS without a job
 * checkpoint the WAL when it has grown (again after as long when a reader
 * kept the checkpoint from finishing); after a large batch (*release_due)
 * they also give the store's memory back. */
static void
writer_wait(struct writer *w, bool *idle_due, bool *release_due)
{
	while (w->queue_head == NULL && !w->stopping) {
		if (!*idle_due && !*release_due) {
			pthread_cond_wait(&w->wake, &w->lock);
			continue;
		}
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)WRITER_RELEASE_IDLE_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		if (pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT ||
		    w->queue_head != NULL || w->stopping)
			continue;
		bool release = *release_due;
		*idle_due = *release_due = false;
		pthread_mutex_unlock(&w->lock);
		bool checkpointed = store_checkpoint_idle(w->store);
		if (release) {
			store_release_memory(w->store);
			malloc_trim(0); /* glibc keeps freed pages otherwise */
		}
		pthread_mutex_lock(&w->lock);
		if (!checkpointed)
			*idle_due = true;
	}
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	bool idle_due = false, release_due = false;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		writer_wait(w, &idle_due, &release_due);
		if (w->queue_head == NULL && w->stopping)
			break;
		struct job *batch = writer_take_batch(w);
		pthread_mutex_unlock(&w->lock);

		writer_run_batch(w, batch);
		size_t entries = 0, writes = 0;
		for (struct job *j = batch; j; j = j->next) {
			entries += j->log.n;
			writes += j->is_write;
		}

		pthread_mutex_lock(&w->lock);
		/* Readers waiting for these commits may go on. */
		w->writes_done += writes;
		pthread_cond_broadcast(&w->settled);
		for (struct job *j = batch; j;) {
			struct job *next = j->next;
			j->next = NULL;
			if (w->done_tail)
				w->done_tail->next = j;
			else
				w->done_head = j;
			w->done_tail = j;
			j = next;
		}
		if (writes > 0)
			idle_due = true;
		if (entries >= WRITER_RELEASE_AFTER)
			release_due = true;
		uv_async_send(&w->async);
	}
	w->stopped = true;
	pthread_cond_broadcast(&w->settled);
	pthread_mutex_unlock(&w->lock);
	uv_async_send(&w->async);
	return NULL;
}

/* On the loop thread: hands finished jobs to their owners. */
static void
writer_on_async(uv_async_t *handle)
{
	struct writer *w = handle->data;
	pthread_mutex_lock(&w->lock);
	struct job *done = w->done_head;
	w->done_head = w->done_tail = NULL;
	bool stopped = w->stopped;
	pthread_mutex_unlock(&w->lock);

	while (done != NULL) {
		struct job *next = done->next;
		done->next = NULL;
		done->done(done);
		done = next;
	}
	if (stopped && w->on_stopped != NULL) {
		void (*cb)(void *) = w->on_stopped;
		w->on_stopped = NULL;
		uv_close((uv_handle_t *)&w->async, NULL);
		cb(w->on_stopped_arg);
	}
}

static int writer_start_thread(struct writer **out, uv_loop_t *loop, struct store *st,
    struct writer *follows, char *err, size_t errlen);

int
writer_start(struct writer **out, uv_loop_t *loop, struct store *st, char *err, size_t errlen)
{
	return writer_start_thread(out, loop, st, NULL, err, errlen);
}

int
writer_start_reader(struct writer **out, uv_loop_t *loop, struct store *st,
    struct writer *follows, char *err, size_t errlen)
{
	return writer_start_thread(out, loop, st, follows, err, errlen);
}

static int
writer_start_thread(struct writer **out, uv_loop_t *loop, struct store *st,
    struct writer *follows, char *err, size_t errlen)
{
	struct writer *w = calloc(1, sizeof *w);
	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return -PROTO_E_INTERNAL;
	}
	w->loop = loop;
	w->store = st;
	w->follows = follows;
	w->one_at_a_time = follows != NULL;
	pthread_mutex_init(&w->lock, NULL);
	/* The idle wait before giving memory back must not stretch or end
	 * early when the wall clock is set. */
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&w->settled, NULL);
	int rc = uv_async_init(loop, &w->async, writer_on_async);
	if (rc != 0) {
		snprintf(err, errlen, "cannot create the writer's wake-up: %s", uv_strerror(rc));
		free(w);
		return -PROTO_E_INTERNAL;
	}
	w->async.data = w;
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the writer thread: %s", strerror(rc));
		uv_close((uv_handle_t *)&w->async, NULL);
		/* The handle's memory must outlive the close; the process is about to fail. */
		return -PROTO_E_INTERNAL;
	}
	w->thread_started = true;
	*out = w;
	return 0;
}

uint64_t
writer_writes_submitted(const struct writer *w)
{
	return w->writes_submitted;
}

void
writer_submit(struct writer *w, struct job *job)
{
	job->next = NULL;
	if (job->is_write)
		w->writes_submitted++;
	pthread_mutex_lock(&w->lock);
	if (w->queue_tail)
		w->queue_tail->next = job;
	else
		w->queue_head = job;
	w->queue_tail = job;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void
writer_stop(struct writer *w, void (*on_stopped)(void *arg), void *arg)
{
	pthread_mutex_lock(&w->lock);
	w->on_stopped = on_stopped;
	w->on_stopped_arg = arg;
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	if (w->thread_started)
		pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->settled);
	free(w);
}
