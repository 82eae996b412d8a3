/*
 * services.c: configuration, the analysis service, alerts and the daily
 * schedule, joined to the daemon (see services.h).
 *
 * The schedule is one timerfd on CLOCK_REALTIME armed at the absolute
 * instant of the next due event (evening forecast, morning outlook,
 * check-in), with TFD_TIMER_CANCEL_ON_SET: it fires at the right wall-clock
 * time after a suspend, and a clock change wakes it to re-arm; a watch on
 * /etc re-arms it when the time zone changes. Nothing else wakes the daemon.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon/alerts.h"
#include "daemon/analysis_service.h"
#include "daemon/clock.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/replies.h"
#include "daemon/services.h"
#include "daemon/store.h"

/* Red-flag entries older than this (an import of old notes) do not alert. */
#define RED_FLAG_MAX_AGE_MS (48LL * 3600000)

enum due_kind { DUE_EVENING, DUE_MORNING, DUE_CHECKIN };

struct services {
	struct simmer_config cfg;
	struct analysis_service *analysis;
	struct alerts *alerts;
	int timer_fd;
	uv_poll_t timer_poll;
	bool timer_open;
	uv_fs_event_t tz_watch;     /* /etc/localtime replaced: a new time zone */
	bool tz_open;
	int next_kind;
	int64_t next_due;           /* the instant the timer is armed for */
	int64_t last_fired;         /* the due instant last handled */
	int32_t last_entry_day;     /* the newest local day with an entry */
	int32_t last_checkin_day;   /* the local day of the last check-in reminder */
};

static struct services svc_storage;
static struct services *svc = &svc_storage;

static void
analysis_config_from(const struct simmer_config *c, struct analysis_config *ac)
{
	analysis_config_default(ac);
	ac->flare_pain_level = c->flare_pain_level;
	ac->max_lag_days = c->max_lag_days;
	ac->q_max = c->q_max;
	ac->max_false_per_30d = c->max_false_per_30d;
}

static void
apply_config(struct simmerd *d)
{
	d->day_start_hour = svc->cfg.day_start_hour;
	struct analysis_config ac;
	analysis_config_from(&svc->cfg, &ac);
	if (svc->analysis)
		analysis_service_set_config(svc->analysis, &ac, svc->cfg.debounce_seconds);
	if (svc->alerts)
		alerts_configure(svc->alerts, &svc->cfg);
}

int
services_load_config(struct simmerd *d, char *err, size_t errlen)
{
	config_defaults(&svc->cfg);
	svc->timer_fd = -1;
	if (config_load(d->paths.config, &svc->cfg, err, errlen) != 0)
		return -1;
	apply_config(d);
	return 0;
}

static void schedule_arm(struct simmerd *d);

int
services_reload(struct simmerd *d, char *err, size_t errlen)
{
	struct simmer_config fresh;
	if (config_load(d->paths.config, &fresh, err, errlen) != 0)
		return -1;
	svc->cfg = fresh;
	apply_config(d);
	schedule_arm(d);
	log_info("configuration re-read from %s", d->paths.config);
	return 0;
}

/* The next instant (ms) at local minute-of-day `minute` after now. */
static int64_t
next_local(int64_t now, int minute)
{
	time_t t = (time_t)(now / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	int64_t at = (int64_t)mktime(&tm) * 1000;
	while (at <= now) {
		tm.tm_mday++;
		tm.tm_hour = minute / 60;
		tm.tm_min = minute % 60;
		tm.tm_isdst = -1;
		at = (int64_t)mktime(&tm) * 1000;
	}
	return at;
}

static void on_timer(uv_poll_t *h, int status, int events);

static void
schedule_arm(struct simmerd *d)
{
	if (svc->timer_fd < 0)
		return;
	/* Never the event just handled again, even if the timer fired a few
	 * milliseconds before our clock reached it. */
	int64_t now = clock_now_ms();
	if (now <= svc->last_fired)
		now = svc->last_fired + 1;
	int64_t due = next_local(now, svc->cfg.evening_min);
	svc->next_kind = DUE_EVENING;
	int64_t m = next_local(now, svc->cfg.morning_min);
	if (m < due) {
		due = m;
		svc->next_kind = DUE_MORNING;
	}
	if (svc->cfg.checkin_enabled) {
		int64_t c = next_local(now, svc->cfg.checkin_min);
		if (c < due) {
			due = c;
			svc->next_kind = DUE_CHECKIN;
		}
	}
	/* The kernel's realtime clock may differ from ours (tests set ours). */
	struct timespec real;
	clock_gettime(CLOCK_REALTIME, &real);
	int64_t real_ms = (int64_t)real.tv_sec * 1000 + real.tv_nsec / 1000000;
	int64_t at = due - (now - real_ms);
	svc->next_due = due;
	struct itimerspec its = {0};
	its.it_value.tv_sec = at / 1000;
	its.it_value.tv_nsec = (at % 1000) * 1000000;
	if (timerfd_settime(svc->timer_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) != 0)
		log_warn("cannot arm the schedule: %s", strerror(errno));
	else
		log_debug("next scheduled event in %.0f minutes", (double)(due - now) / 60000.0);
	(void)d;
}

static void
on_timer(uv_poll_t *h, int status, int events)
{
	(void)events;
	(void)status;
	struct simmerd *d = h->data;
	uint64_t expirations;
	ssize_t n = read(svc->timer_fd, &expirations, sizeof expirations);
	if (n < 0 && errno == ECANCELED) {
		log_info("the system clock changed; re-arming the schedule");
		schedule_arm(d);
		return;
	}
	if (n < 0)
		return;
	int kind = svc->next_kind;
	svc->last_fired = svc->next_due;
	if (kind == DUE_CHECKIN) {
		int64_t now = clock_now_ms();
		int32_t today = proto_local_day(now, proto_local_offset(now), d->day_start_hour);
		/* Once a day at most, even when a new time re-arms it the same
		 * day, and only on a day with nothing logged yet. */
		if (svc->last_entry_day >= today) {
			log_info("no check-in reminder: there is an entry today");
		} else if (svc->last_checkin_day >= today) {
			log_info("no check-in reminder: there was one today");
		} else {
			svc->last_checkin_day = today;
			alerts_checkin(svc->alerts);
		}
	} else {
		log_info("scheduled %s analysis", kind == DUE_EVENING ? "evening" : "morning");
		analysis_service_run(svc->analysis);
	}
	schedule_arm(d);
}

/* A time-zone change replaces /etc/localtime; local times move with it. */
static void
on_etc_change(uv_fs_event_t *h, const char *filename, int events, int status)
{
	(void)events;
	if (status < 0 || filename == NULL || strcmp(filename, "localtime") != 0)
		return;
	tzset();
	log_info("the time zone changed; re-arming the schedule");
	schedule_arm(h->data);
}

static void
on_analysis(struct simmerd *d, const struct analysis_outcome *o)
{
	(void)d;
	alerts_on_analysis(svc->alerts, o);
}

static int
keep_last_alert(const struct stored_alert *a, void *arg)
{
	*(int64_t *)arg = a->time_ms;
	return 0;
}

static int
keep_last_day(const struct daily_row *row, void *arg)
{
	int32_t *day = arg;
	if (row->day > *day)
		*day = row->day;
	return 0;
}

/* Reads, before serving, what the loop must remember from the file: the
 * last risk alert (so a restart does not repeat it within the cooldown),
 * the last check-in reminder and the newest day with entries (so the
 * check-in comes once a day, on a day with nothing logged). */
static void
restore_state(struct simmerd *d)
{
	struct store *st;
	char err[PROTO_MESSAGE_MAX];
	if (store_open(&st, d->paths.db, true, err, sizeof err) != 0) {
		log_warn("cannot read the alert history: %s", err);
		return;
	}
	int64_t last = 0;
	if (store_alerts_list(st, "risk", 1, keep_last_alert, &last, err, sizeof err) == 0 && last > 0)
		alerts_restore(svc->alerts, last);
	int64_t now = clock_now_ms();
	int32_t today = proto_local_day(now, proto_local_offset(now), d->day_start_hour);
	int64_t last_checkin = 0;
	if (store_alerts_list(st, "checkin", 1, keep_last_alert, &last_checkin, err, sizeof err) == 0 &&
	    last_checkin > 0)
		svc->last_checkin_day = proto_local_day(last_checkin, proto_local_offset(last_checkin),
		    d->day_start_hour);
	store_read_daily(st, today - 1, keep_last_day, &svc->last_entry_day, err, sizeof err);
	store_close(st);
}

int
services_start(struct simmerd *d, char *err, size_t errlen)
{
	if (analysis_service_start(&svc->analysis, d, on_analysis) != 0 ||
	    alerts_start(&svc->alerts, d) != 0) {
		snprintf(err, errlen, "out of memory starting the analysis and alerts");
		return -1;
	}
	apply_config(d);
	restore_state(d);
	svc->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (svc->timer_fd < 0) {
		snprintf(err, errlen, "cannot create the schedule's timer: %s", strerror(errno));
		return -1;
	}
	uv_poll_init(d->loop, &svc->timer_poll, svc->timer_fd);
	svc->timer_poll.data = d;
	uv_poll_start(&svc->timer_poll, UV_READABLE, on_timer);
	svc->timer_open = true;
	if (uv_fs_event_init(d->loop, &svc->tz_watch) == 0) {
		svc->tz_watch.data = d;
		svc->tz_open = uv_fs_event_start(&svc->tz_watch, on_etc_change, "/etc", 0) == 0;
		if (!svc->tz_open)
			uv_close((uv_handle_t *)&svc->tz_watch, NULL);
	}
	schedule_arm(d);
	/* Results for status right after a start. */
	analysis_service_run(svc->analysis);
	return 0;
}

static void
on_poll_closed(uv_handle_t *h)
{
	(void)h;
	close(svc->timer_fd);
	svc->timer_fd = -1;
}

void
services_stop(struct simmerd *d)
{
	(void)d;
	if (svc->timer_open) {
		svc->timer_open = false;
		uv_close((uv_handle_t *)&svc->timer_poll, on_poll_closed);
	}
	if (svc->tz_open) {
		svc->tz_open = false;
		uv_close((uv_handle_t *)&svc->tz_watch, NULL);
	}
	if (svc->analysis)
		analysis_service_stop(svc->analysis);
	if (svc->alerts)
		alerts_stop(svc->alerts);
}

void
services_entries_submitted(struct simmerd *d, const struct log_item *items, size_t n)
{
	(void)d;
	bool any = false;
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < n; i++) {
		const struct log_item *it = &items[i];
		if (it->status == LOG_REJECTED)
			continue;
		any = true;
		if (it->entry.day > svc->last_entry_day)
			svc->last_entry_day = it->entry.day;
		if (it->factor.role == ROLE_RED_FLAG && it->entry.value > 0 &&
		    llabs(now - it->entry.time_ms) <= RED_FLAG_MAX_AGE_MS && svc->alerts)
			alerts_red_flag(svc->alerts, it->entry.factor);
	}
	if (any && svc->analysis)
		analysis_service_debounce(svc->analysis);
}

void
services_entry_removed(struct simmerd *d)
{
	(void)d;
	if (svc->analysis)
		analysis_service_debounce(svc->analysis);
}

static void
reply_config(struct conn *c, uint32_t msgid, struct simmerd *d)
{
	struct reply rep;
	reply_begin(&rep, msgid);
	msgpack_pack_map(&rep.pk, 2);
	proto_pack_kv_str(&rep.pk, "path", d->paths.config);
	size_t n = 0;
	while (config_keys[n])
		n++;
	proto_pack_cstr(&rep.pk, "values");
	msgpack_pack_map(&rep.pk, n);
	for (size_t i = 0; i < n; i++) {
		char v[64];
		config_get(&svc->cfg, config_keys[i], v, sizeof v);
		proto_pack_kv_str(&rep.pk, config_keys[i], v);
	}
	reply_send(&rep, c);
}

bool
services_dispatch(struct conn *c, uint32_t msgid, const char *method,
    const msgpack_object *params)
{
	struct simmerd *d = c->daemon;
	char err[PROTO_MESSAGE_MAX];
	if (analysis_service_answer(svc->analysis, c, msgid, method))
		return true;
	if (strcmp(method, PROTO_M_ANALYZE) == 0) {
		analysis_service_wait(svc->analysis, c, msgid);
	} else if (strcmp(method, PROTO_M_ALERTS) == 0) {
		int64_t limit = 20;
		if (proto_get_int(params, "limit", false, &limit, err, sizeof err) == -PROTO_E_INVALID_PARAMS ||
		    limit < 1 || limit > 1000) {
			conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, "limit must be between 1 and 1000");
			return true;
		}
		alerts_list(svc->alerts, c, msgid, (uint32_t)limit);
	} else if (strcmp(method, PROTO_M_SUBSCRIBE) == 0) {
		alerts_subscribe(svc->alerts, c, msgid);
	} else if (strcmp(method, PROTO_M_NOTIFY_TEST) == 0) {
		alerts_notify_test(svc->alerts, c, msgid);
	} else if (strcmp(method, PROTO_M_RELOAD) == 0) {
		if (services_reload(d, err, sizeof err) != 0) {
			conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
			return true;
		}
		struct reply rep;
		reply_begin(&rep, msgid);
		msgpack_pack_map(&rep.pk, 2);
		proto_pack_kv_bool(&rep.pk, "reloaded", true);
		proto_pack_kv_str(&rep.pk, "config", d->paths.config);
		reply_send(&rep, c);
	} else if (strcmp(method, PROTO_M_CONFIG_GET) == 0) {
		char key[64], v[64];
		if (proto_get_str(params, "key", false, key, sizeof key, err, sizeof err) == 0 &&
		    config_get(&svc->cfg, key, v, sizeof v) != 0) {
			snprintf(err, sizeof err, "unknown key %s (see simmer.conf(5))", key);
			conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
			return true;
		}
		reply_config(c, msgid, d);
	} else if (strcmp(method, PROTO_M_CONFIG_SET) == 0) {
		char key[64], value[64];
		struct simmer_config next = svc->cfg;
		if (proto_get_str(params, "key", true, key, sizeof key, err, sizeof err) != 0 ||
		    proto_get_str(params, "value", true, value, sizeof value, err, sizeof err) != 0 ||
		    config_set(&next, key, value, err, sizeof err) != 0) {
			conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
			return true;
		}
		/* A small file written once by a person's command: the loop may
		 * wait for it as it waits for nothing else. */
		if (paths_make_parent(d->paths.config, 0700, err, sizeof err) != 0 ||
		    config_save(d->paths.config, &next, err, sizeof err) != 0) {
			conn_send_error(c, msgid, PROTO_E_STORAGE, err);
			return true;
		}
		svc->cfg = next;
		apply_config(d);
		schedule_arm(d);
		reply_config(c, msgid, d);
	} else {
		return false;
	}
	return true;
}
