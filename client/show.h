/*
 * show.h: arguments and text for the analysis and alert views.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_SHOW_H
#define SIMMER_CLIENT_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include <msgpack.h>

#include "client/commands.h"
#include "client/conn.h"

struct show_request {
	const char *method;
	pack_params_fn pack;   /* NULL for [] */
	long limit;
	bool waybar;           /* status --format waybar */
};

/* Parses the words after the command; returns 0 or -SIMMER_E_USAGE (after saying why). */
int show_parse_args(const char *method, int argc, char **argv, struct show_request *req);
/* status --format waybar: one line of JSON for waybar and i3blocks-style
 * bars: text (and full_text, i3blocks' name for it), tooltip, class (the
 * level: ok, watch, warning, or empty), alt and percentage (the load). */
void show_waybar(FILE *out, const msgpack_object *result);
/* Prints a reply for a person. */
void show_text(FILE *out, const char *method, const msgpack_object *result);
/* "trial: day 9 of 14 without dairy: ..." when experiment_status's reply
 * holds one that is running or about to start; nothing otherwise. */
void show_trial_line(FILE *out, const msgpack_object *result);
/* `simmer watch`: subscribes and prints alerts until the daemon goes away. */
int show_watch(const struct options *o, struct client_conn *c);

#endif
