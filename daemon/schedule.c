/*
 * schedule.c: the daily schedule (see schedule.h).
 *
 * The schedule is one timerfd on CLOCK_REALTIME armed at the absolute
 * instant of the next due event (evening forecast, morning outlook,
 * check-in), with TFD_TIMER_CANCEL_ON_SET: it fires at the right wall-clock
 * time after a suspend, and a clock change wakes it to re-arm; a watch on
 * /etc re-arms it when the time zone changes. Nothing else wakes the daemon.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon/alerts.h"
#include "daemon/analysis_service.h"
#include "common/clock.h"
#include "daemon/daemon.h"
#include "daemon/experiments.h"
#include "daemon/log.h"
#include "daemon/schedule.h"

enum due_kind { DUE_EVENING, DUE_MORNING, DUE_CHECKIN };

struct schedule {
	struct simmerd *d;
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

void
schedule_rearm(struct schedule *svc)
{
	const struct simmer_config *cfg = &svc->d->cfg;
	if (svc->timer_fd < 0)
		return;
	/* Never the event just handled again, even if the timer fired a few
	 * milliseconds before our clock reached it. */
	int64_t now = clock_now_ms();
	if (now <= svc->last_fired)
		now = svc->last_fired + 1;
	int64_t due = next_local(now, cfg->evening_min);
	svc->next_kind = DUE_EVENING;
	int64_t m = next_local(now, cfg->morning_min);
	if (m < due) {
		due = m;
		svc->next_kind = DUE_MORNING;
	}
	if (cfg->checkin_enabled) {
		int64_t c = next_local(now, cfg->checkin_min);
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
}

static void
on_timer(uv_poll_t *h, int status, int events)
{
	(void)events;
	(void)status;
	struct schedule *svc = h->data;
	struct simmerd *d = svc->d;
	uint64_t expirations;
	ssize_t n = read(svc->timer_fd, &expirations, sizeof expirations);
	if (n < 0 && errno == ECANCELED) {
		log_info("the system clock changed; re-arming the schedule");
		schedule_rearm(svc);
		return;
	}
	if (n < 0)
		return;
	int kind = svc->next_kind;
	svc->last_fired = svc->next_due;
	if (kind == DUE_CHECKIN) {
		int64_t now = clock_now_ms();
		int32_t today = clock_local_day(now, d->day_start_hour);
		/* Once a day at most, even when a new time re-arms it the same
		 * day, and only on a day with nothing logged yet, except while a
		 * trial runs: then it says every evening what the trial asks. */
		char trial[160];
		bool in_trial = experiments_reminder(d->experiments, today, trial, sizeof trial);
		if (svc->last_entry_day >= today && !in_trial) {
			log_info("no check-in reminder: there is an entry today");
		} else if (svc->last_checkin_day >= today) {
			log_info("no check-in reminder: there was one today");
		} else {
			svc->last_checkin_day = today;
			alerts_checkin(d->alerts, in_trial ? trial : NULL,
			    svc->last_entry_day >= today);
		}
	} else {
		log_info("scheduled %s analysis", kind == DUE_EVENING ? "evening" : "morning");
		analysis_service_run(d->analysis);
	}
	schedule_rearm(svc);
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
	schedule_rearm(h->data);
}

int
schedule_start(struct schedule **out, struct simmerd *d, int32_t last_entry_day,
    int32_t last_checkin_day, char *err, size_t errlen)
{
	struct schedule *svc = calloc(1, sizeof *svc);
	if (svc == NULL) {
		snprintf(err, errlen, "out of memory starting the schedule");
		return -PROTO_E_INTERNAL;
	}
	svc->d = d;
	svc->last_entry_day = last_entry_day;
	svc->last_checkin_day = last_checkin_day;
	svc->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (svc->timer_fd < 0) {
		snprintf(err, errlen, "cannot create the schedule's timer: %s", strerror(errno));
		free(svc);
		return -PROTO_E_INTERNAL;
	}
	int rc = uv_poll_init(d->loop, &svc->timer_poll, svc->timer_fd);
	if (rc == 0) {
		svc->timer_poll.data = svc;
		rc = uv_poll_start(&svc->timer_poll, UV_READABLE, on_timer);
		svc->timer_open = true;
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot watch the schedule's timer: %s", uv_strerror(rc));
		return -PROTO_E_INTERNAL;
	}
	if (uv_fs_event_init(d->loop, &svc->tz_watch) == 0) {
		svc->tz_watch.data = svc;
		rc = uv_fs_event_start(&svc->tz_watch, on_etc_change, "/etc", 0);
		svc->tz_open = rc == 0;
		if (!svc->tz_open) {
			/* Out of inotify instances, for one: the schedule still
			 * works, in the zone simmerd started with. */
			log_warn("cannot watch /etc for a new time zone (%s); a change of time zone "
			    "takes effect when simmerd restarts", uv_strerror(rc));
			uv_close((uv_handle_t *)&svc->tz_watch, NULL);
		}
	}
	*out = svc;
	schedule_rearm(svc);
	return 0;
}

static void
on_poll_closed(uv_handle_t *h)
{
	struct schedule *svc = h->data;
	close(svc->timer_fd);
	svc->timer_fd = -1;
}

void
schedule_stop(struct schedule *svc)
{
	if (svc->timer_open) {
		svc->timer_open = false;
		uv_close((uv_handle_t *)&svc->timer_poll, on_poll_closed);
	}
	if (svc->tz_open) {
		svc->tz_open = false;
		uv_close((uv_handle_t *)&svc->tz_watch, NULL);
	}
}

void
schedule_entry_added(struct schedule *svc, int32_t day)
{
	if (day > svc->last_entry_day)
		svc->last_entry_day = day;
}
