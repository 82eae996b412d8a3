/*
 * notifier.c: libnotify on its own thread (see notifier.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <libnotify/notify.h>

#include "daemon/log.h"
#include "daemon/notifier.h"

/* Milliseconds a notification stays: critical ones stay until dismissed. */
#define NOTIFY_TIMEOUT_MS 20000

struct outcome_node {
	struct outcome_node *next;
	struct notifier_outcome o;
};

struct notifier {
	pthread_t thread;
	GMainContext *ctx;
	GMainLoop *gloop;
	NotifyNotification *current;   /* replaced by the next alert */
	uv_async_t async;
	notifier_outcome_fn fn;
	void *arg;
	pthread_mutex_t lock;
	struct outcome_node *done_head, *done_tail;
	bool started;
	char report_path[4096];        /* where "Open report" writes the alert */
	struct alert shown;            /* the alert on screen, for its report */
};

struct show_request {
	struct notifier *n;
	struct alert alert;
	bool test;
	void *conn;
	uint32_t msgid;
};

static void
report(struct notifier *n, const struct notifier_outcome *o)
{
	struct outcome_node *node = calloc(1, sizeof *node);
	if (node == NULL)
		return;
	node->o = *o;
	pthread_mutex_lock(&n->lock);
	if (n->done_tail)
		n->done_tail->next = node;
	else
		n->done_head = node;
	n->done_tail = node;
	pthread_mutex_unlock(&n->lock);
	uv_async_send(&n->async);
}

static void
on_snooze(NotifyNotification *nn, char *action, gpointer data)
{
	(void)action;
	(void)nn;
	struct notifier *n = data;
	struct notifier_outcome o = {0};
	o.snooze = true;
	snprintf(o.message, sizeof o.message, "snoozed for today");
	report(n, &o);
}

/* "Open report": the alert's whole text in a file, opened with the
 * desktop's default viewer. */
static void
on_report(NotifyNotification *nn, char *action, gpointer data)
{
	(void)action;
	(void)nn;
	struct notifier *n = data;
	struct notifier_outcome o = {0};
	FILE *f = n->report_path[0] ? fopen(n->report_path, "w") : NULL;
	if (f == NULL) {
		snprintf(o.message, sizeof o.message, "cannot write the report");
		report(n, &o);
		return;
	}
	fprintf(f, "simmer\n\n%s\n\n%s\n\nFor details: simmer why, simmer triggers, simmer backtest.\n"
	    "These are patterns in your own diary, not a diagnosis.\n", n->shown.summary, n->shown.body);
	fclose(f);
	char *uri = g_filename_to_uri(n->report_path, NULL, NULL);
	GError *error = NULL;
	if (uri == NULL || !g_app_info_launch_default_for_uri(uri, NULL, &error)) {
		snprintf(o.message, sizeof o.message, "the report is in %.100s (no viewer opened it%s%.60s)",
		    n->report_path, error ? ": " : "", error ? error->message : "");
		g_clear_error(&error);
	} else {
		snprintf(o.message, sizeof o.message, "opened the report %.160s", n->report_path);
	}
	g_free(uri);
	log_info("%s", o.message);
}

static bool
server_has_actions(void)
{
	bool yes = false;
	GList *caps = notify_get_server_caps();
	for (GList *c = caps; c; c = c->next)
		if (strcmp(c->data, "actions") == 0)
			yes = true;
	g_list_free_full(caps, g_free);
	return yes;
}

/* GLib ends a process with SIGTERM when its session bus connection closes
 * (exit-on-close). simmerd outlives the desktop session, so the connection
 * libnotify holds (now that it has asked the server) must not do that. */
static void
keep_running_without_the_bus(void)
{
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
	if (bus != NULL) {
		g_dbus_connection_set_exit_on_close(bus, FALSE);
		g_object_unref(bus);
	}
}

/* Runs on the notifier thread. */
static gboolean
show_now(gpointer data)
{
	struct show_request *r = data;
	struct notifier *n = r->n;
	struct notifier_outcome o = {0};
	o.alert_id = r->alert.id;
	o.test_conn = r->conn;
	o.test_msgid = r->msgid;
	if (!notify_is_initted() && !notify_init("simmer")) {
		snprintf(o.message, sizeof o.message, "libnotify could not start");
		report(n, &o);
		free(r);
		return G_SOURCE_REMOVE;
	}
	char *server = NULL, *vendor = NULL, *version = NULL, *spec = NULL;
	if (!notify_get_server_info(&server, &vendor, &version, &spec)) {
		snprintf(o.message, sizeof o.message, "no notification server on the session bus%s",
		    getenv("DBUS_SESSION_BUS_ADDRESS") ? "" : " (DBUS_SESSION_BUS_ADDRESS is not set)");
		report(n, &o);
		/* A server that appears later gets a fresh start. */
		if (n->current) {
			g_object_unref(n->current);
			n->current = NULL;
		}
		notify_uninit();
		free(r);
		return G_SOURCE_REMOVE;
	}
	keep_running_without_the_bus();
	const struct alert *a = &r->alert;
	if (n->current == NULL) {
		n->current = notify_notification_new(a->summary, a->body, "dialog-warning");
	} else {
		notify_notification_update(n->current, a->summary, a->body, "dialog-warning");
		notify_notification_clear_actions(n->current);
	}
	notify_notification_set_app_name(n->current, "simmer");
	notify_notification_set_urgency(n->current, a->urgency == URGENCY_CRITICAL ? NOTIFY_URGENCY_CRITICAL :
	    (a->urgency == URGENCY_LOW ? NOTIFY_URGENCY_LOW : NOTIFY_URGENCY_NORMAL));
	notify_notification_set_category(n->current, a->category);
	notify_notification_set_timeout(n->current,
	    a->urgency == URGENCY_CRITICAL ? NOTIFY_EXPIRES_NEVER : NOTIFY_TIMEOUT_MS);
	n->shown = *a;
	if (strcmp(a->kind, "risk") == 0 && server_has_actions()) {
		notify_notification_add_action(n->current, "snooze", "Snooze today", on_snooze, n, NULL);
		notify_notification_add_action(n->current, "report", "Open report", on_report, n, NULL);
	}
	GError *error = NULL;
	if (notify_notification_show(n->current, &error)) {
		o.shown = true;
		snprintf(o.message, sizeof o.message, "shown by %s %s", server ? server : "the server",
		    version ? version : "");
	} else {
		snprintf(o.message, sizeof o.message, "the notification server refused it: %s",
		    error ? error->message : "unknown error");
		g_clear_error(&error);
		g_object_unref(n->current);
		n->current = NULL;
	}
	g_free(server);
	g_free(vendor);
	g_free(version);
	g_free(spec);
	report(n, &o);
	free(r);
	return G_SOURCE_REMOVE;
}

static gboolean
quit_now(gpointer data)
{
	struct notifier *n = data;
	g_main_loop_quit(n->gloop);
	return G_SOURCE_REMOVE;
}

static void *
notifier_main(void *arg)
{
	struct notifier *n = arg;
	g_main_context_push_thread_default(n->ctx);
	g_main_loop_run(n->gloop);
	if (n->current)
		g_object_unref(n->current);
	if (notify_is_initted())
		notify_uninit();
	g_main_context_pop_thread_default(n->ctx);
	return NULL;
}

static void
on_async(uv_async_t *h)
{
	struct notifier *n = h->data;
	pthread_mutex_lock(&n->lock);
	struct outcome_node *list = n->done_head;
	n->done_head = n->done_tail = NULL;
	pthread_mutex_unlock(&n->lock);
	while (list) {
		struct outcome_node *next = list->next;
		n->fn(n->arg, &list->o);
		free(list);
		list = next;
	}
}

int
notifier_start(struct notifier **out, uv_loop_t *loop, const char *report_path,
    notifier_outcome_fn fn, void *arg)
{
	struct notifier *n = calloc(1, sizeof *n);
	if (n == NULL)
		return -1;
	snprintf(n->report_path, sizeof n->report_path, "%s", report_path ? report_path : "");
	n->fn = fn;
	n->arg = arg;
	pthread_mutex_init(&n->lock, NULL);
	n->ctx = g_main_context_new();
	n->gloop = g_main_loop_new(n->ctx, FALSE);
	if (uv_async_init(loop, &n->async, on_async) != 0) {
		g_main_loop_unref(n->gloop);
		g_main_context_unref(n->ctx);
		pthread_mutex_destroy(&n->lock);
		free(n);
		return -PROTO_E_INTERNAL;
	}
	n->async.data = n;
	if (pthread_create(&n->thread, NULL, notifier_main, n) != 0) {
		uv_close((uv_handle_t *)&n->async, NULL);
		return -1;
	}
	n->started = true;
	*out = n;
	return 0;
}

static void
submit(struct notifier *n, struct show_request *r)
{
	g_main_context_invoke(n->ctx, show_now, r);
}

void
notifier_show(struct notifier *n, const struct alert *a)
{
	struct show_request *r = calloc(1, sizeof *r);
	if (r == NULL)
		return;
	r->n = n;
	r->alert = *a;
	submit(n, r);
}

void
notifier_test(struct notifier *n, void *conn, uint32_t msgid)
{
	struct show_request *r = calloc(1, sizeof *r);
	if (r == NULL)
		return;
	r->n = n;
	r->test = true;
	r->conn = conn;
	r->msgid = msgid;
	snprintf(r->alert.kind, sizeof r->alert.kind, "test");
	snprintf(r->alert.category, sizeof r->alert.category, "x-simmer.test");
	r->alert.urgency = URGENCY_NORMAL;
	snprintf(r->alert.summary, sizeof r->alert.summary, "simmer notifications work");
	snprintf(r->alert.body, sizeof r->alert.body, "This is how simmer will warn you before a "
	    "flare. Nothing to do.");
	submit(n, r);
}

void
notifier_stop(struct notifier *n)
{
	if (n == NULL || !n->started)
		return;
	g_main_context_invoke(n->ctx, quit_now, n);
	pthread_join(n->thread, NULL);
	on_async(&n->async);
	uv_close((uv_handle_t *)&n->async, NULL);
	g_main_loop_unref(n->gloop);
	g_main_context_unref(n->ctx);
	n->started = false;
	/* The async handle's memory is freed with the process. */
}
