/*
 * show.c: the commands that show what simmerd has worked out (analysis and
 * alerts). Each sends one method and prints its reply: JSON with --json,
 * otherwise a few lines for a person.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client/commands.h"
#include "client/conn.h"
#include "client/render.h"
#include "client/show.h"

int
cmd_show(const struct options *o, const char *method, int argc, char **argv)
{
	struct show_request req;
	int rc = show_parse_args(method, argc, argv, &req);
	if (rc != 0)
		return rc;
	struct client_conn c;
	rc = client_connect(o, &c);
	if (rc != 0)
		return rc;
	if (strcmp(req.method, PROTO_M_SUBSCRIBE) == 0) {
		rc = show_watch(o, &c);
		conn_close(&c);
		return rc;
	}
	struct proto_msg msg, trial;
	char err[PROTO_MESSAGE_MAX];
	rc = conn_call(&c, req.method, req.pack, &req, &msg, err, sizeof err);
	/* Status in words also says what a running trial asks today. */
	bool with_trial = rc == 0 && !o->json && !req.waybar &&
	    strcmp(req.method, PROTO_M_STATUS) == 0 &&
	    conn_call(&c, PROTO_M_EXPERIMENT_STATUS, NULL, NULL, &trial, err, sizeof err) == 0;
	conn_close(&c);
	if (rc != 0) {
		client_error("%s", err);
		return rc;
	}
	if (req.waybar)
		show_waybar(stdout, msg.result);
	else if (o->json)
		render_json(stdout, msg.result);
	else
		show_text(stdout, req.method, msg.result);
	if (with_trial) {
		show_trial_line(stdout, trial.result);
		proto_msg_free(&trial);
	}
	/* A test notification that was not shown is a failure to report. */
	bool shown = true;
	if (strcmp(req.method, PROTO_M_NOTIFY_TEST) == 0)
		proto_get_bool(msg.result, "shown", false, &shown, err, sizeof err);
	proto_msg_free(&msg);
	return shown ? 0 : -SIMMER_E_UNAVAILABLE;
}
