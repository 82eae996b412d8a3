/*
 * alerts.c: alerts on the loop thread (see alerts.h). Nothing here blocks:
 * storing goes to the store thread, showing to the notifier thread.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/alerts.h"
#include "common/clock.h"
#include "daemon/daemon.h"
#include "daemon/grow.h"
#include "daemon/log.h"
#include "daemon/notifier.h"
#include "daemon/replies.h"
#include "daemon/server.h"
#include "daemon/store.h"

/* Red-flag entries older than this (an import of old notes) do not alert. */
#define RED_FLAG_MAX_AGE_MS (48LL * 3600000)

struct alerts {
	struct simmerd *d;
	struct notifier *notifier;
	struct alert_state state;
	struct alert_policy_config policy;
	bool notify_enabled;
	uv_timer_t defer_timer;         /* quiet hours end */
	struct analysis_outcome last;
	bool have_last;
};

struct alert_job_arg {
	struct alerts *a;
	struct alert al;
	uint32_t limit;                 /* method_alerts */
};

static void
broadcast(struct alerts *a, const struct alert *al)
{
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	proto_pack_notification_head(&pk, PROTO_N_ALERT);
	msgpack_pack_array(&pk, 1);
	reply_pack_alert(&pk, al);
	server_broadcast(a->d, &buf);
	msgpack_sbuffer_destroy(&buf);
}

/* Store thread: insert the alert. */
static int
run_insert(struct job *job, struct store *st)
{
	struct alert_job_arg *arg = job->arg;
	return store_alert_insert(st, &arg->al, &arg->al.id, job->err, sizeof job->err);
}

static int
run_outcome(struct job *job, struct store *st)
{
	struct alert_job_arg *arg = job->arg;
	return store_alert_set_outcome(st, arg->al.id, arg->al.shown, arg->al.outcome, job->err,
	    sizeof job->err);
}

static void
free_job(struct job *job)
{
	if (job->rc != 0)
		log_error("storing an alert failed: %s", job->err);
	free(job->arg);
	job_free(job);
}

/* Loop: the alert is on disk; show it and tell subscribers. */
static void
inserted(struct job *job)
{
	struct alert_job_arg *arg = job->arg;
	struct alerts *a = arg->a;
	log_info("alert %lld (%s, %s): %s", (long long)arg->al.id, arg->al.kind, arg->al.level,
	    arg->al.summary);
	broadcast(a, &arg->al);
	/* A red flag is shown even with desktop notifications turned off: the
	 * notice to seek care always reaches the person. */
	bool red_flag = strcmp(arg->al.kind, "red_flag") == 0;
	if ((a->notify_enabled || red_flag) && a->notifier != NULL) {
		notifier_show(a->notifier, &arg->al);
	} else {
		struct job *o = job_new(JOB_CUSTOM, NULL, 0, free_job);
		struct alert_job_arg *oa = malloc(sizeof *oa);
		if (o != NULL && oa != NULL) {
			*oa = *arg;
			snprintf(oa->al.outcome, sizeof oa->al.outcome, "desktop notifications are off in simmer.conf");
			o->run = run_outcome;
			o->arg = oa;
			writer_submit(a->d->writer, o);
		} else {
			free(oa);
			job_free(o);
		}
	}
	free_job(job);
}

static void
raise_alert(struct alerts *a, const struct alert *al)
{
	struct alert_job_arg *arg = calloc(1, sizeof *arg);
	struct job *job = job_new(JOB_CUSTOM, NULL, 0, inserted);
	if (arg == NULL || job == NULL) {
		free(arg);
		job_free(job);
		log_error("out of memory raising an alert: %s", al->summary);
		return;
	}
	arg->a = a;
	arg->al = *al;
	arg->al.shown = false;
	snprintf(arg->al.outcome, sizeof arg->al.outcome, "pending");
	job->run = run_insert;
	job->arg = arg;
	writer_submit(a->d->writer, job);
}

static void
on_outcome(void *ctx, const struct notifier_outcome *o)
{
	struct alerts *a = ctx;
	if (o->snooze) {
		/* Until the end of the local day. */
		int64_t now = clock_now_ms();
		a->state.snoozed_until_ms = now + (int64_t)(1440 - clock_local_minute(now)) * 60000;
		log_info("risk alerts snoozed for today");
		return;
	}
	if (o->test_conn != NULL) {
		struct conn *c = o->test_conn;
		if (conn_is_open(c)) {
			struct reply rep;
			reply_begin(&rep, o->test_msgid);
			msgpack_pack_map(&rep.pk, 3);
			proto_pack_kv_bool(&rep.pk, "shown", o->shown);
			bool risk_alerts = a->have_last && a->last.risk_alerts;
			proto_pack_kv_bool(&rep.pk, "risk_alerts", risk_alerts);
			/* Whether risk alerts can come at all belongs beside whether
			 * the desktop shows them; red flags always can. */
			char msg[1024];
			snprintf(msg, sizeof msg, "%s%s. %s Red-flag symptoms always raise an alert.",
			    o->shown ? "test notification " : "not shown: ", o->message,
			    a->have_last ? a->last.risk_alerts_note : "Risk alerts are off until an "
			    "analysis has run.");
			proto_pack_kv_str(&rep.pk, "message", msg);
			conn_send(c, &rep.buf);
			msgpack_sbuffer_destroy(&rep.buf);
		}
		conn_release(c);
		return;
	}
	if (o->shown)
		log_info("alert %lld %s", (long long)o->alert_id, o->message);
	else
		log_warn("alert %lld not shown: %s; it is stored and listed by 'simmer alerts'",
		    (long long)o->alert_id, o->message);
	/* Once simmerd stops, the store thread may have ended before an
	 * outcome comes (the notifier hands its last ones over as it stops):
	 * a job for it might never run, nor be freed, so the log line above
	 * is all that stays of them. */
	if (a->d->stopping)
		return;
	struct job *job = job_new(JOB_CUSTOM, NULL, 0, free_job);
	struct alert_job_arg *arg = calloc(1, sizeof *arg);
	if (job == NULL || arg == NULL) {
		job_free(job);
		free(arg);
		return;
	}
	arg->a = a;
	arg->al.id = o->alert_id;
	arg->al.shown = o->shown;
	snprintf(arg->al.outcome, sizeof arg->al.outcome, "%.127s", o->message);
	job->run = run_outcome;
	job->arg = arg;
	writer_submit(a->d->writer, job);
}

static void decide(struct alerts *a);

static void
on_defer(uv_timer_t *t)
{
	decide(t->data);
}

static void
decide(struct alerts *a)
{
	if (!a->have_last)
		return;
	int64_t now = clock_now_ms(), retry = 0;
	struct alert al;
	int what = alert_policy_decide(&a->policy, &a->state, &a->last, now, clock_local_minute(now),
	    &al, &retry);
	if (what == ALERT_NOW) {
		raise_alert(a, &al);
	} else if (what == ALERT_DEFER) {
		log_debug("a risk alert waits for the end of quiet hours");
		int rc = uv_timer_start(&a->defer_timer, on_defer, (uint64_t)(retry - now), 0);
		if (rc != 0)
			log_error("cannot wait for the end of quiet hours: %s", uv_strerror(rc));
	}
}


int
alerts_start(struct alerts **out, struct simmerd *d)
{
	struct alerts *a = calloc(1, sizeof *a);
	if (a == NULL)
		return -1;
	a->d = d;
	a->state.armed = true;
	a->notify_enabled = true;
	a->policy.cooldown_hours = 12;
	a->policy.quiet_start_min = 22 * 60;
	a->policy.quiet_end_min = 8 * 60;
	int rc = uv_timer_init(d->loop, &a->defer_timer);
	if (rc != 0) {
		free(a);
		return -PROTO_E_INTERNAL;
	}
	a->defer_timer.data = a;
	char report[PATH_MAX];
	snprintf(report, sizeof report, "%s", d->paths.lock);
	char *slash = strrchr(report, '/');
	if (slash != NULL)
		snprintf(slash + 1, sizeof report - (size_t)(slash + 1 - report), "report.txt");
	if (notifier_start(&a->notifier, d->loop, report, on_outcome, a) != 0) {
		log_warn("cannot start the notifier thread; alerts are stored and listed only");
		a->notifier = NULL;
	}
	*out = a;
	return 0;
}

void
alerts_stop(struct alerts *a)
{
	uv_close((uv_handle_t *)&a->defer_timer, NULL);
	notifier_stop(a->notifier);
}

void
alerts_configure(struct alerts *a, const struct simmer_config *cfg)
{
	a->policy.cooldown_hours = cfg->cooldown_hours;
	a->policy.quiet_start_min = cfg->quiet_start_min;
	a->policy.quiet_end_min = cfg->quiet_end_min;
	a->notify_enabled = cfg->notify_enabled;
}

void
alerts_restore(struct alerts *a, int64_t last_risk_alert_ms)
{
	a->state.last_alert_ms = last_risk_alert_ms;
}

void
alerts_on_analysis(struct alerts *a, const struct analysis_outcome *o)
{
	a->last = *o;
	a->have_last = true;
	uv_timer_stop(&a->defer_timer);
	decide(a);
}

void
alerts_entry_added(struct alerts *a, const struct factor *f, double value, int64_t time_ms)
{
	int64_t now = clock_now_ms();
	if (f->role != ROLE_RED_FLAG || value <= 0 || llabs(now - time_ms) > RED_FLAG_MAX_AGE_MS)
		return;
	struct alert al;
	alert_red_flag(f->name, now, &al);
	raise_alert(a, &al);
}

void
alerts_checkin(struct alerts *a, const char *trial, bool logged_today)
{
	struct alert al;
	alert_checkin(clock_now_ms(), trial, logged_today, &al);
	raise_alert(a, &al);
}

struct list_ctx {
	struct alert *items;
	size_t n, cap;
};

static int
collect_alert(const struct alert *al, void *arg)
{
	struct list_ctx *l = arg;
	if (grow_for_one((void **)&l->items, &l->cap, l->n, sizeof *l->items, 16) != 0)
		return -PROTO_E_INTERNAL;
	l->items[l->n++] = *al;
	return 0;
}

static int
run_list(struct job *job, struct store *st)
{
	struct alert_job_arg *arg = job->arg;
	struct list_ctx l = {0};
	int rc = store_alerts_list(st, NULL, arg->limit, collect_alert, &l, job->err, sizeof job->err);
	if (rc == 0) {
		msgpack_packer pk;
		msgpack_packer_init(&pk, &job->result, msgpack_sbuffer_write);
		msgpack_pack_map(&pk, 1);
		proto_pack_cstr(&pk, "alerts");
		msgpack_pack_array(&pk, l.n);
		for (size_t i = 0; i < l.n; i++)
			reply_pack_alert(&pk, &l.items[i]);
	}
	free(l.items);
	return rc;
}

static void
listed(struct job *job)
{
	free(job->arg);
	job->arg = NULL;
	request_job_done(job);
}

void
method_alerts(const struct request *rq, const msgpack_object *params)
{
	uint32_t limit;
	if (request_read_limit(rq, params, &limit) != 0)
		return;
	struct job *job = request_job(rq, JOB_CUSTOM, listed);
	if (job == NULL)
		return;
	struct alert_job_arg *arg = calloc(1, sizeof *arg);
	if (arg == NULL) {
		job_free(job);
		request_error(rq, PROTO_E_INTERNAL, "out of memory");
		return;
	}
	arg->a = rq->d->alerts;
	arg->limit = limit;
	job->run = run_list;
	job->arg = arg;
	request_submit(rq, job);
}

void
method_subscribe(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	/* A subscriber may sit quietly for days: no idle clock for it. */
	if (conn_subscribe(rq->conn) != 0) {
		request_error(rq, PROTO_E_BUSY, "too many subscribers; try again shortly");
		return;
	}
	struct reply rep;
	reply_begin(&rep, rq->msgid);
	msgpack_pack_map(&rep.pk, 1);
	proto_pack_kv_bool(&rep.pk, "subscribed", true);
	request_reply(rq, &rep);
}

void
method_notify_test(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	struct alerts *a = rq->d->alerts;
	if (a->notifier == NULL) {
		request_error(rq, PROTO_E_INTERNAL, "the notifier thread is not running");
		return;
	}
	conn_hold(rq->conn);
	notifier_test(a->notifier, rq->conn, rq->msgid);
}
