/*
 * notifier.h: the thread that owns libnotify.
 *
 * libnotify's calls block on D-Bus, so they happen here and never on the
 * loop. The thread runs its own GLib main context (for the actions' signal
 * callbacks); the loop hands it alerts with g_main_context_invoke, which
 * wakes it without polling, and learns each outcome through uv_async_send.
 * A newer alert replaces the one still on screen instead of stacking. With
 * no session bus or no notification server, the outcome says so and the
 * next alert tries again.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_NOTIFIER_H
#define SIMMER_DAEMON_NOTIFIER_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "daemon/alert_policy.h"

struct notifier_outcome {
	int64_t alert_id;
	bool shown;
	char message[200];          /* "shown by dunst", or why not */
	bool snooze;                /* the person chose "Snooze today" */
	uint32_t test_msgid;        /* a notify_test request waiting, 0 if none */
	void *test_conn;
};

typedef void (*notifier_outcome_fn)(void *arg, const struct notifier_outcome *o);

struct notifier;

/* report_path: the file "Open report" writes before opening it. */
int notifier_start(struct notifier **out, uv_loop_t *loop, const char *report_path,
    notifier_outcome_fn fn, void *arg);
/* Queues an alert to show; the outcome comes back to fn on the loop. */
void notifier_show(struct notifier *n, const struct alert *a);
/* Shows a test notification; its outcome carries conn and msgid back. */
void notifier_test(struct notifier *n, void *conn, uint32_t msgid);
void notifier_stop(struct notifier *n);

#endif
