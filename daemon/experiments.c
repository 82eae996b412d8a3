/*
 * experiments.c: experiments on the loop thread (see experiments.h).
 *
 * The store is the authority on which days an experiment holds: a start is
 * checked against every stored experiment in the transaction that stores
 * it. The loop keeps a copy of the list, changed only after a commit, for
 * the reminder and for the analysis, which packs what `experiment status`
 * and `experiment list` show.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "daemon/analysis_service.h"
#include "daemon/daemon.h"
#include "daemon/experiment_pack.h"
#include "daemon/experiments.h"
#include "daemon/grow.h"
#include "daemon/log.h"
#include "daemon/store.h"

struct experiments {
	struct simmerd *d;
	struct experiment_plan *plans;  /* in order of start */
	size_t n, cap;
};

struct experiment_job_arg {
	struct experiments *x;
	struct experiment_plan plan;    /* to store, or the one stopped */
	struct experiment_plan clash;   /* the stored one a start would overlap */
	int32_t today;
};

static int
collect_plan(const struct experiment_plan *p, void *arg)
{
	struct experiments *x = arg;
	if (grow_for_one((void **)&x->plans, &x->cap, x->n, sizeof *x->plans, 8) != 0)
		return -PROTO_E_INTERNAL;
	x->plans[x->n++] = *p;
	return 0;
}

static void
publish(struct experiments *x)
{
	if (analysis_service_set_experiments(x->d->analysis, x->plans, x->n) != 0)
		log_error("out of memory handing the experiments to the analysis");
}

int
experiments_start(struct experiments **out, struct simmerd *d, struct store *st, char *err,
    size_t errlen)
{
	struct experiments *x = calloc(1, sizeof *x);
	if (x == NULL) {
		snprintf(err, errlen, "out of memory reading the experiments");
		return -PROTO_E_INTERNAL;
	}
	x->d = d;
	int rc = store_experiments_list(st, collect_plan, x, err, errlen);
	if (rc != 0) {
		experiments_free(x);
		return rc;
	}
	publish(x);
	*out = x;
	return 0;
}

void
experiments_free(struct experiments *x)
{
	if (x == NULL)
		return;
	free(x->plans);
	free(x);
}

static int32_t
today_day(const struct simmerd *d)
{
	return clock_local_day(clock_now_ms(), d->day_start_hour);
}

/* The experiment running today, or the next one planned; -1 when none. */
static int
find_open(const struct experiments *x, int32_t today)
{
	int found = -1;
	for (size_t i = 0; i < x->n; i++) {
		const struct experiment_plan *p = &x->plans[i];
		if (p->stopped || experiment_end_day(p) < today)
			continue;
		if (found < 0 || p->start_day < x->plans[found].start_day)
			found = (int)i;
	}
	return found;
}

bool
experiments_reminder(const struct experiments *x, int32_t today, char *out, size_t len)
{
	if (x == NULL)
		return false;
	int i = find_open(x, today);
	if (i < 0 || x->plans[i].start_day > today + 1)
		return false;
	/* The evening before it starts, say what tomorrow brings. */
	struct experiment_position pos;
	experiment_phase(&x->plans[i], today, &pos);
	if (pos.phase == EXP_PLANNED)
		snprintf(out, len, "tomorrow your trial of %s begins: leave it out for %d days",
		    x->plans[i].factor, x->plans[i].eliminate_days);
	else
		snprintf(out, len, "%s", pos.text);
	return true;
}

static void
free_arg_and_reply(struct job *job)
{
	free(job->arg);
	job->arg = NULL;
	request_job_done(job);
}

/* Store thread: the reply of a start or a stop, {"experiment": plan}. */
static void
pack_plan_reply(struct job *job)
{
	struct experiment_job_arg *arg = job->arg;
	msgpack_packer pk;
	msgpack_packer_init(&pk, &job->result, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	proto_pack_cstr(&pk, "experiment");
	experiment_pack(&pk, &arg->plan, arg->today, NULL);
}

static int
run_start(struct job *job, struct store *st)
{
	struct experiment_job_arg *arg = job->arg;
	int rc = store_experiment_start(st, &arg->plan, &arg->clash, job->err, sizeof job->err);
	if (rc == 0)
		pack_plan_reply(job);
	return rc;
}

/* Loop: remember what was stored, or say plainly why it was refused. */
static void
started(struct job *job)
{
	struct experiment_job_arg *arg = job->arg;
	struct experiments *x = arg->x;
	if (job->rc == 0) {
		if (collect_plan(&arg->plan, x) != 0)
			log_error("out of memory keeping the new experiment; it is stored");
		publish(x);
		log_info("experiment %lld on %s started", (long long)arg->plan.id, arg->plan.factor);
	} else if (job->rc == -PROTO_E_CONFLICT) {
		const struct experiment_plan *c = &arg->clash;
		char from[11], to[11], next[11];
		proto_day_format(c->start_day, from);
		proto_day_format(experiment_last_day(c), to);
		proto_day_format(experiment_last_day(c) + 1, next);
		snprintf(job->err, sizeof job->err, "the experiment on %s holds %s to %s, and "
		    "experiments never overlap: with two changes at once, simmer could not tell which "
		    "one made a difference. %s%s or later", c->factor, from, to,
		    arg->today <= experiment_last_day(c) && arg->today >= c->start_day ?
		    "Stop it first ('simmer experiment stop'), or start this one on " :
		    "Start this one on ", next);
	}
	free_arg_and_reply(job);
}

/* Hands a start or a stop of plan p to the store thread. */
static void
submit_plan_job(const struct request *rq, const struct experiment_plan *p, int32_t today,
    job_run_fn run, job_done_fn done)
{
	struct job *job = request_job(rq, JOB_CUSTOM, done);
	if (job == NULL)
		return;
	struct experiment_job_arg *arg = calloc(1, sizeof *arg);
	if (arg == NULL) {
		job_free(job);
		request_error(rq, PROTO_E_INTERNAL, "out of memory");
		return;
	}
	arg->x = rq->d->experiments;
	arg->plan = *p;
	arg->today = today;
	job->run = run;
	job->arg = arg;
	request_submit(rq, job);
}

static int
read_days(const struct request *rq, const msgpack_object *params, const char *key, int64_t dflt,
    int64_t lo, int64_t hi, int *out)
{
	char err[PROTO_MESSAGE_MAX];
	int64_t v = dflt;
	int rc = proto_get_int(params, key, false, &v, err, sizeof err);
	if (rc == -PROTO_E_INVALID_PARAMS) {
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return -1;
	}
	if (v < lo || v > hi) {
		snprintf(err, sizeof err, "%s must be a whole number%s from %lld to %lld, not %lld",
		    key, strcmp(key, "cycles") == 0 ? "" : " of days", (long long)lo, (long long)hi,
		    (long long)v);
		request_error(rq, PROTO_E_OUT_OF_RANGE, err);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* The factor to change: a known exposure, by its own name or an alias. */
static const struct factor *
read_factor(const struct request *rq, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX], name[PROTO_FACTOR_MAX + 1];
	if (proto_get_str(params, "factor", true, name, sizeof name, err, sizeof err) != 0) {
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return NULL;
	}
	const struct catalog *cat = &rq->d->catalog;
	const struct factor *f = catalog_find(cat, catalog_resolve_alias(name));
	if (f == NULL) {
		const char *near = catalog_suggest(cat, name);
		if (near != NULL)
			snprintf(err, sizeof err, "unknown factor '%s' \u2014 did you mean '%s'?", name, near);
		else
			snprintf(err, sizeof err, "unknown factor '%s'; an experiment changes something you "
			    "log, such as a food ('simmer factors' lists them)", name);
		request_error(rq, PROTO_E_NOT_FOUND, err);
		return NULL;
	}
	if (f->role == ROLE_TREATMENT) {
		snprintf(err, sizeof err, "%s is a medicine: simmer does not plan trials of stopping or "
		    "starting one; talk it over with your doctor", f->name);
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return NULL;
	}
	if (f->role != ROLE_EXPOSURE) {
		const char *role = factor_role_name(f->role);
		snprintf(err, sizeof err, "%s is %s %s, something an experiment watches; the factor of "
		    "an experiment is an exposure you can change, such as a food, alcohol or a bedtime",
		    f->name, strchr("aeiou", role[0]) ? "an" : "a", role);
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return NULL;
	}
	return f;
}

void
method_experiment_start(const struct request *rq, const msgpack_object *params)
{
	const struct factor *f = read_factor(rq, params);
	if (f == NULL)
		return;
	struct experiment_plan p;
	memset(&p, 0, sizeof p);
	snprintf(p.factor, sizeof p.factor, "%s", f->name);
	if (read_days(rq, params, "eliminate", EXPERIMENT_DEFAULT_ELIMINATE, 1,
	    EXPERIMENT_MAX_ELIMINATE, &p.eliminate_days) != 0 ||
	    read_days(rq, params, "reintroduce", EXPERIMENT_DEFAULT_REINTRODUCE, 1,
	    EXPERIMENT_MAX_REINTRODUCE, &p.reintroduce_days) != 0 ||
	    read_days(rq, params, "washout", EXPERIMENT_DEFAULT_WASHOUT, 0, EXPERIMENT_MAX_WASHOUT,
	    &p.washout_days) != 0 ||
	    read_days(rq, params, "cycles", EXPERIMENT_DEFAULT_CYCLES, 1, EXPERIMENT_MAX_CYCLES,
	    &p.cycles) != 0)
		return;
	char err[PROTO_MESSAGE_MAX], start[16];
	int32_t today = today_day(rq->d);
	p.start_day = today;
	int rc = proto_get_str(params, "start", false, start, sizeof start, err, sizeof err);
	if (rc == -PROTO_E_INVALID_PARAMS || (rc == 0 && proto_day_parse(start, &p.start_day) != 0)) {
		request_error(rq, PROTO_E_INVALID_PARAMS, "start must be a day as YYYY-MM-DD");
		return;
	}
	p.created_ms = clock_now_ms();
	submit_plan_job(rq, &p, today, run_start, started);
}

static int
run_stop(struct job *job, struct store *st)
{
	struct experiment_job_arg *arg = job->arg;
	struct experiment_plan *p = &arg->plan;
	int rc = store_experiment_stop(st, p->id, p->stopped_day, p->stopped_ms, job->err,
	    sizeof job->err);
	if (rc == 0)
		pack_plan_reply(job);
	return rc;
}

static void
stopped(struct job *job)
{
	struct experiment_job_arg *arg = job->arg;
	struct experiments *x = arg->x;
	if (job->rc == 0) {
		for (size_t i = 0; i < x->n; i++)
			if (x->plans[i].id == arg->plan.id)
				x->plans[i] = arg->plan;
		publish(x);
		log_info("experiment %lld on %s stopped", (long long)arg->plan.id, arg->plan.factor);
	}
	free_arg_and_reply(job);
}

void
method_experiment_stop(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	struct experiments *x = rq->d->experiments;
	int32_t today = today_day(rq->d);
	int i = find_open(x, today);
	if (i < 0) {
		request_error(rq, PROTO_E_NOT_FOUND, "no experiment is running or planned; 'simmer "
		    "experiment list' shows the ones that ended");
		return;
	}
	/* It covers the days before today: a trial stopped on its first day (or
	 * before it began) holds no day, and another may start at once. */
	struct experiment_plan p = x->plans[i];
	p.stopped = true;
	p.stopped_day = today - 1;
	p.stopped_ms = clock_now_ms();
	submit_plan_job(rq, &p, today, run_stop, stopped);
}

void
method_experiment_status(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	analysis_service_answer_experiments(rq, false);
}

void
method_experiment_list(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	analysis_service_answer_experiments(rq, true);
}
