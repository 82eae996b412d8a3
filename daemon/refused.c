/*
 * refused.c: refused spooled entries on the loop thread (see refused.h).
 *
 * The store is the authority; the loop keeps only the count, which every
 * job that changes the table reads inside its own transaction and hands
 * back, so the count `status` says is the one of the last commit.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/grow.h"
#include "daemon/log.h"
#include "daemon/refused.h"
#include "daemon/server.h"

struct refused {
	struct simmerd *d;
	int64_t count;
};

struct refused_job_arg {
	struct refused *r;
	struct refused_entry *rows;     /* to store, or the ones listed */
	size_t n, cap;
	uint32_t limit;
	int64_t total;                  /* stored after the job */
	int64_t cleared;
	refused_kept_fn done;
	void *done_arg;
};

int
refused_start(struct refused **out, struct simmerd *d, struct store *st, char *err, size_t errlen)
{
	struct refused *r = calloc(1, sizeof *r);
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return -PROTO_E_INTERNAL;
	}
	r->d = d;
	int rc = store_refused_count(st, &r->count, err, errlen);
	if (rc != 0) {
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void
refused_free(struct refused *r)
{
	free(r);
}

int64_t
refused_count(const struct refused *r)
{
	return r != NULL ? r->count : 0;
}

static struct refused_job_arg *
job_arg_new(struct refused *r)
{
	struct refused_job_arg *arg = calloc(1, sizeof *arg);
	if (arg != NULL)
		arg->r = r;
	return arg;
}

static void
job_arg_free(struct refused_job_arg *arg)
{
	free(arg->rows);
	free(arg);
}

/* Store thread. */
static int
run_keep(struct job *job, struct store *st)
{
	struct refused_job_arg *arg = job->arg;
	return store_refused_add(st, arg->rows, arg->n, &arg->total, job->err, sizeof job->err);
}

/* Loop: the rows are on the disk (or not); say so and tell the submitter. */
static void
kept(struct job *job)
{
	struct refused_job_arg *arg = job->arg;
	if (job->rc == 0) {
		arg->r->count = arg->total;
		log_warn("kept %zu refused spooled %s; %lld in all wait for 'simmer refused'", arg->n,
		    arg->n == 1 ? "record" : "records", (long long)arg->total);
	}
	arg->done(arg->done_arg, job->rc, job->err);
	job_arg_free(arg);
	job_free(job);
}

int
refused_keep(struct refused *r, struct refused_entry *rows, size_t n, refused_kept_fn done,
    void *arg)
{
	struct job *job = job_new(JOB_CUSTOM, NULL, 0, kept);
	struct refused_job_arg *a = job_arg_new(r);
	if (job == NULL || a == NULL) {
		if (job != NULL)
			job_free(job);
		free(a);
		free(rows);
		return -PROTO_E_INTERNAL;
	}
	a->rows = rows;
	a->n = n;
	a->done = done;
	a->done_arg = arg;
	job->ctx = r->d;
	job->run = run_keep;
	job->arg = a;
	writer_submit(r->d->writer, job);
	return 0;
}

/* {"refused": [...], "total": N}: each row as PROTOCOL.md describes it. */
static void
pack_row(msgpack_packer *pk, const struct refused_entry *e)
{
	msgpack_pack_map(pk, 12);
	proto_pack_kv_int(pk, "id", e->id);
	proto_pack_kv_int(pk, "refused_at", e->refused_ms);
	proto_pack_kv_str(pk, "spool", e->spool);
	proto_pack_kv_str(pk, "entry_id", e->entry_id);
	proto_pack_cstr(pk, "time");
	if (e->has_time)
		msgpack_pack_int64(pk, e->time_ms);
	else
		msgpack_pack_nil(pk);
	proto_pack_kv_int(pk, "utc_offset_min", e->utc_offset_min);
	proto_pack_kv_str(pk, "factor", e->factor);
	proto_pack_cstr(pk, "value");
	if (e->has_value)
		msgpack_pack_double(pk, e->value);
	else
		msgpack_pack_nil(pk);
	proto_pack_kv_str(pk, "note", e->note);
	proto_pack_kv_str(pk, "reason", e->reason);
	proto_pack_kv_int(pk, "byte", e->offset);
	proto_pack_kv_str(pk, "fix", e->fix);
}

static int
collect_row(const struct refused_entry *e, void *varg)
{
	struct refused_job_arg *arg = varg;
	if (grow_for_one((void **)&arg->rows, &arg->cap, arg->n, sizeof *arg->rows, 8) != 0)
		return -PROTO_E_INTERNAL;
	arg->rows[arg->n++] = *e;
	return 0;
}

/* Store thread: the rows and the count. Nothing else writes while this
 * thread runs the job, so the total matches the list. */
static int
run_list(struct job *job, struct store *st)
{
	struct refused_job_arg *arg = job->arg;
	int rc = store_refused_list(st, arg->limit, collect_row, arg, job->err, sizeof job->err);
	if (rc == 0)
		rc = store_refused_count(st, &arg->total, job->err, sizeof job->err);
	if (rc == -PROTO_E_INTERNAL)
		snprintf(job->err, sizeof job->err, "out of memory listing the refused entries");
	if (rc != 0)
		return rc;
	msgpack_packer pk;
	msgpack_packer_init(&pk, &job->result, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	proto_pack_cstr(&pk, "refused");
	msgpack_pack_array(&pk, arg->n);
	for (size_t i = 0; i < arg->n; i++)
		pack_row(&pk, &arg->rows[i]);
	proto_pack_kv_int(&pk, "total", arg->total);
	return 0;
}

static int
run_clear(struct job *job, struct store *st)
{
	struct refused_job_arg *arg = job->arg;
	int rc = store_refused_clear(st, &arg->cleared, job->err, sizeof job->err);
	if (rc != 0)
		return rc;
	msgpack_packer pk;
	msgpack_packer_init(&pk, &job->result, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	proto_pack_kv_int(&pk, "cleared", arg->cleared);
	return 0;
}

/* Loop: a list or a clear is done; a clear leaves none stored. */
static void
answered(struct job *job)
{
	struct refused_job_arg *arg = job->arg;
	if (job->run == run_clear && job->rc == 0) {
		arg->r->count = 0;
		log_info("the person cleared %lld refused %s", (long long)arg->cleared,
		    arg->cleared == 1 ? "entry" : "entries");
	}
	job_arg_free(arg);
	job->arg = NULL;
	request_job_done(job);
}

static void
submit_method_job(const struct request *rq, job_run_fn run, uint32_t limit)
{
	struct job *job = request_job(rq, JOB_CUSTOM, answered);
	if (job == NULL)
		return;
	struct refused_job_arg *arg = job_arg_new(rq->d->refused);
	if (arg == NULL) {
		job_free(job);
		request_error(rq, PROTO_E_INTERNAL, "out of memory");
		return;
	}
	arg->limit = limit;
	job->run = run;
	job->arg = arg;
	request_submit(rq, job);
}

void
method_refused(const struct request *rq, const msgpack_object *params)
{
	uint32_t limit;
	if (request_read_limit(rq, params, &limit) != 0)
		return;
	submit_method_job(rq, run_list, limit);
}

void
method_refused_clear(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	submit_method_job(rq, run_clear, 0);
}
