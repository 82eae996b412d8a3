/*
 * analysis_service.c: the analysis job and its replies (see
 * analysis_service.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/analysis_glue.h"
#include "daemon/analysis_service.h"
#include "common/clock.h"
#include "daemon/daemon.h"
#include "daemon/experiment_pack.h"
#include "daemon/log.h"
#include "daemon/refused.h"
#include "daemon/replies.h"
#include "daemon/server.h"
#include "daemon/store.h"

enum { R_STATUS, R_FORECAST, R_TRIGGERS, R_BACKTEST, R_ANALYZE, R_EXPERIMENT, R_EXPERIMENTS,
    R_COUNT };

struct waiter {
	struct conn *c;
	uint32_t msgid;
	int which;                   /* the reply it wants, R_* */
};

struct analysis_job {
	uv_work_t req;
	struct analysis_service *svc;
	struct catalog catalog;
	char db_path[PATH_MAX];
	int32_t today;
	int64_t started_at;
	struct analysis_config cfg;
	struct experiment_plan *plans;  /* a copy of the stored experiments */
	size_t n_plans;
	int rc;
	char err[PROTO_MESSAGE_MAX];
	msgpack_sbuffer replies[R_COUNT];
	struct analysis_outcome outcome;
	struct waiter *waiters;      /* answered when this run is done */
	size_t n_waiters;
};

struct analysis_service {
	struct simmerd *d;
	analysis_done_fn done;
	struct analysis_config cfg;
	int debounce_seconds;
	uv_timer_t debounce;
	bool running, rerun, stopping, have_result;
	bool dirty;                  /* entries arrived since the last run started */
	msgpack_sbuffer replies[R_COUNT];
	struct waiter *waiting;      /* for the next run */
	size_t n_waiting;
	struct experiment_plan *plans;  /* experiments.c's list, copied */
	size_t n_plans;
};

static void job_start(struct analysis_service *a);

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* On a pool thread: read, analyze, pack. */
static void
job_work(uv_work_t *req)
{
	struct analysis_job *j = req->data;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct store *st = NULL;
	struct daily_rows rows = {0};
	struct analysis_input in = {0};
	struct analysis_result r;
	memset(&r, 0, sizeof r);
	j->rc = store_open(&st, j->db_path, true, j->err, sizeof j->err);
	if (j->rc == 0)
		j->rc = store_read_daily(st, j->today - GLUE_MAX_DAYS, glue_collect_row, &rows, j->err,
		    sizeof j->err);
	store_close(st);
	if (j->rc == 0 && glue_build_input(&j->catalog, &rows, j->today, j->cfg.stale_days, &in) != 0) {
		j->rc = -PROTO_E_INTERNAL;
		snprintf(j->err, sizeof j->err, "out of memory building the analysis input");
	}
	free(rows.rows);
	if (j->rc == 0 && analysis_run(&in, &j->cfg, true, &r) != 0) {
		j->rc = -PROTO_E_INTERNAL;
		snprintf(j->err, sizeof j->err, "out of memory in the analysis");
	}
	if (j->rc == 0) {
		int64_t at = j->started_at;
		msgpack_packer pk;
		for (int i = 0; i < R_COUNT; i++)
			msgpack_sbuffer_init(&j->replies[i]);
		msgpack_packer_init(&pk, &j->replies[R_STATUS], msgpack_sbuffer_write);
		glue_pack_status(&pk, &in, &r, at);
		msgpack_packer_init(&pk, &j->replies[R_FORECAST], msgpack_sbuffer_write);
		glue_pack_forecast(&pk, &in, &r, at);
		msgpack_packer_init(&pk, &j->replies[R_TRIGGERS], msgpack_sbuffer_write);
		glue_pack_triggers(&pk, &in, &r, &j->cfg, at);
		msgpack_packer_init(&pk, &j->replies[R_BACKTEST], msgpack_sbuffer_write);
		glue_pack_backtest(&pk, &in, &r, at);
		msgpack_packer ek;
		msgpack_packer_init(&pk, &j->replies[R_EXPERIMENT], msgpack_sbuffer_write);
		msgpack_packer_init(&ek, &j->replies[R_EXPERIMENTS], msgpack_sbuffer_write);
		if (experiment_pack_replies(&pk, &ek, &in, &r, j->plans, j->n_plans, j->today,
		    at) != 0) {
			j->rc = -PROTO_E_INTERNAL;
			snprintf(j->err, sizeof j->err, "out of memory analysing the experiments");
			for (int i = 0; i < R_COUNT; i++)
				msgpack_sbuffer_destroy(&j->replies[i]);
		}
	}
	if (j->rc == 0) {
		msgpack_packer pk;
		int64_t at = j->started_at;
		struct analysis_outcome *o = &j->outcome;
		o->computed_at = at;
		o->enough_data = r.enough_data;
		o->day = r.forecast_day;
		/* Stale results are as of the last entry: no risk alert from them. */
		o->level = r.stale ? LEVEL_OK : r.level;
		o->load = r.forecast_load;
		o->threshold = r.threshold;
		o->risk = r.risk;
		o->risk_alerts = r.cutoffs.alerts && !r.stale;
		glue_risk_alerts(&r, o->risk_alerts_note, sizeof o->risk_alerts_note);
		o->n_contributors = r.n_contributors < 4 ? r.n_contributors : 4;
		memcpy(o->contributors, r.contributors, o->n_contributors * sizeof *o->contributors);
		double ms = elapsed_ms(&t0);
		msgpack_packer_init(&pk, &j->replies[R_ANALYZE], msgpack_sbuffer_write);
		msgpack_pack_map(&pk, 3);
		proto_pack_kv_int(&pk, "computed_at", at);
		proto_pack_kv_double(&pk, "duration_ms", ms);
		glue_pack_coverage(&pk, &r, at);
	}
	analysis_result_free(&r);
	glue_free_input(&in);
	/* The run's arrays came from this pool thread's own malloc arena, and
	 * glibc keeps freed pages there until asked: ten years of diary would
	 * otherwise stay resident between runs. */
	malloc_trim(0);
}

/* Sends reply `which` of the latest result. Status also says how many
 * spooled entries were refused: that count changes apart from the
 * analysis, so it is added as the reply goes out. */
static void
send_result(struct analysis_service *a, struct conn *c, uint32_t msgid, int which)
{
	msgpack_sbuffer status;
	if (which == R_STATUS && reply_map_add_int(&a->replies[which], "refused_entries",
	    refused_count(a->d->refused), &status) == 0) {
		conn_reply(c, msgid, &status);
		msgpack_sbuffer_destroy(&status);
		return;
	}
	conn_reply(c, msgid, &a->replies[which]);
}

/* On the loop: keep the result, answer who waited, tell the policy. */
static void
job_after(uv_work_t *req, int status)
{
	(void)status;
	struct analysis_job *j = req->data;
	struct analysis_service *a = j->svc;
	a->running = false;
	if (j->rc == 0) {
		for (int i = 0; i < R_COUNT; i++) {
			msgpack_sbuffer_destroy(&a->replies[i]);
			a->replies[i] = j->replies[i];
		}
		a->have_result = true;
		log_debug("analysis done: level %s, load %.0f of %.0f, risk %.2f",
		    analysis_level_name(j->outcome.level), j->outcome.load, j->outcome.threshold,
		    j->outcome.risk);
	} else {
		log_error("the analysis failed: %s", j->err);
	}
	for (size_t i = 0; i < j->n_waiters; i++) {
		struct conn *c = j->waiters[i].c;
		if (conn_is_open(c)) {
			if (j->rc == 0)
				send_result(a, c, j->waiters[i].msgid, j->waiters[i].which);
			else
				conn_reply_error(c, j->waiters[i].msgid, -j->rc, j->err);
		}
		conn_release(c);
	}
	free(j->waiters);
	catalog_free(&j->catalog);
	free(j->plans);
	if (j->rc == 0 && a->done != NULL && !a->stopping)
		a->done(a->d, &j->outcome);
	free(j);
	if (a->rerun && !a->stopping) {
		a->rerun = false;
		job_start(a);
	}
}

static void
job_start(struct analysis_service *a)
{
	if (a->stopping)
		return;
	if (a->running) {
		a->rerun = true;
		return;
	}
	struct analysis_job *j = calloc(1, sizeof *j);
	if (j == NULL || catalog_copy(&j->catalog, &a->d->catalog) != 0) {
		free(j);
		log_error("out of memory starting the analysis");
		return;
	}
	if (a->n_plans > 0) {
		j->plans = malloc(a->n_plans * sizeof *j->plans);
		if (j->plans == NULL) {
			catalog_free(&j->catalog);
			free(j);
			log_error("out of memory starting the analysis");
			return;
		}
		memcpy(j->plans, a->plans, a->n_plans * sizeof *j->plans);
		j->n_plans = a->n_plans;
	}
	j->svc = a;
	j->req.data = j;
	snprintf(j->db_path, sizeof j->db_path, "%s", a->d->paths.db);
	j->started_at = clock_now_ms();
	j->today = clock_local_day(j->started_at, a->d->day_start_hour);
	j->cfg = a->cfg;
	j->waiters = a->waiting;
	j->n_waiters = a->n_waiting;
	a->dirty = false;
	a->waiting = NULL;
	a->n_waiting = 0;
	a->running = true;
	int rc = uv_queue_work(a->d->loop, &j->req, job_work, job_after);
	if (rc != 0) {
		log_error("cannot queue the analysis: %s", uv_strerror(rc));
		a->running = false;
		for (size_t i = 0; i < j->n_waiters; i++) {
			conn_reply_error(j->waiters[i].c, j->waiters[i].msgid, PROTO_E_INTERNAL,
			    "cannot start the analysis");
			conn_release(j->waiters[i].c);
		}
		free(j->waiters);
		catalog_free(&j->catalog);
		free(j->plans);
		free(j);
	}
}

static void
on_debounce(uv_timer_t *t)
{
	job_start(t->data);
}

int
analysis_service_start(struct analysis_service **out, struct simmerd *d, analysis_done_fn done)
{
	struct analysis_service *a = calloc(1, sizeof *a);
	if (a == NULL)
		return -1;
	a->d = d;
	a->done = done;
	analysis_config_default(&a->cfg);
	a->debounce_seconds = 30;
	for (int i = 0; i < R_COUNT; i++)
		msgpack_sbuffer_init(&a->replies[i]);
	int rc = uv_timer_init(d->loop, &a->debounce);
	if (rc != 0) {
		free(a);
		return -PROTO_E_INTERNAL;
	}
	a->debounce.data = a;
	*out = a;
	return 0;
}

void
analysis_service_stop(struct analysis_service *a)
{
	a->stopping = true;
	uv_close((uv_handle_t *)&a->debounce, NULL);
	for (size_t i = 0; i < a->n_waiting; i++) {
		conn_reply_error(a->waiting[i].c, a->waiting[i].msgid, PROTO_E_SHUTTING_DOWN,
		    "simmerd is stopping");
		conn_release(a->waiting[i].c);
	}
	a->n_waiting = 0;
	/* The handle's memory and a running job's results are left to the
	 * process's exit: the loop finishes the job before uv_run returns. */
}

void
analysis_service_set_config(struct analysis_service *a, const struct analysis_config *cfg,
    int debounce_seconds)
{
	a->cfg = *cfg;
	a->debounce_seconds = debounce_seconds;
}

int
analysis_service_set_experiments(struct analysis_service *a, const struct experiment_plan *plans,
    size_t n)
{
	struct experiment_plan *copy = NULL;
	if (n > 0) {
		copy = malloc(n * sizeof *copy);
		if (copy == NULL)
			return -1;
		memcpy(copy, plans, n * sizeof *copy);
	}
	free(a->plans);
	a->plans = copy;
	a->n_plans = n;
	a->dirty = true;
	return 0;
}

void
analysis_service_run(struct analysis_service *a)
{
	uv_timer_stop(&a->debounce);
	job_start(a);
}

void
analysis_service_debounce(struct analysis_service *a)
{
	if (a->stopping)
		return;
	a->dirty = true;
	int rc = uv_timer_start(&a->debounce, on_debounce, (uint64_t)a->debounce_seconds * 1000, 0);
	if (rc != 0) {
		/* Without the wait, the new entries are analysed at once rather
		 * than not at all. */
		log_error("cannot wait before a new analysis: %s", uv_strerror(rc));
		analysis_service_run(a);
	}
}

/* Queues a reply for when a run that reads everything committed so far is
 * done, starting one (or marking a rerun) as needed. */
static void
wait_for_fresh(struct analysis_service *a, const struct request *rq, int which)
{
	struct waiter *n = realloc(a->waiting, (a->n_waiting + 1) * sizeof *n);
	if (n == NULL) {
		request_error(rq, PROTO_E_INTERNAL, "out of memory");
		return;
	}
	a->waiting = n;
	a->waiting[a->n_waiting].c = rq->conn;
	a->waiting[a->n_waiting].msgid = rq->msgid;
	a->waiting[a->n_waiting].which = which;
	a->n_waiting++;
	conn_hold(rq->conn);
	if (a->running)
		a->rerun = true; /* the running one read older data */
	else
		analysis_service_run(a);
}

/* Answers from the latest result. New entries since the last run: a person
 * who just logged expects to see them, and a run takes milliseconds, so
 * answer after a fresh one. */
static void
answer(const struct request *rq, int which)
{
	struct analysis_service *a = rq->d->analysis;
	if (a->dirty || !a->have_result) {
		wait_for_fresh(a, rq, which);
		return;
	}
	send_result(a, rq->conn, rq->msgid, which);
}

void
method_status(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	answer(rq, R_STATUS);
}

void
method_forecast(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	answer(rq, R_FORECAST);
}

void
method_triggers(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	answer(rq, R_TRIGGERS);
}

void
method_backtest(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	answer(rq, R_BACKTEST);
}

void
analysis_service_answer_experiments(const struct request *rq, bool list)
{
	answer(rq, list ? R_EXPERIMENTS : R_EXPERIMENT);
}

void
method_analyze(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	wait_for_fresh(rq->d->analysis, rq, R_ANALYZE);
}
