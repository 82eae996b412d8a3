/*
 * show.h: arguments and text for the analysis and alert views.
 */
#ifndef SIMMER_CLIENT_SHOW_H
#define SIMMER_CLIENT_SHOW_H

#include <stdio.h>

#include <msgpack.h>

#include "client/commands.h"
#include "client/conn.h"

struct show_request {
	const char *method;
	pack_params_fn pack;   /* NULL for [] */
	const char *key, *value;
	long limit;
};

/* Parses the words after the command; returns 0 or EX_USAGE (after saying why). */
int show_parse_args(const char *method, int argc, char **argv, struct show_request *req);
/* Prints a reply for a person. */
void show_text(FILE *out, const char *method, const msgpack_object *result);
/* `simmer watch`: subscribes and prints alerts until the daemon goes away. */
int show_watch(const struct options *o, struct client_conn *c);

#endif
