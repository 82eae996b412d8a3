/*
 * commands.h: one function per `simmer` command. Each takes the words after
 * the command name and returns 0 or a negative code of proto.h's error enum,
 * which main() turns into the exit code; errors are one line on stderr,
 * starting "simmer: ".
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_COMMANDS_H
#define SIMMER_CLIENT_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/proto.h"

struct options {
	const char *socket;  /* --socket, or NULL */
	bool json;           /* --json */
};

int cmd_log(const struct options *o, int argc, char **argv);
int cmd_list(const struct options *o, int argc, char **argv);
int cmd_undo(const struct options *o, int argc, char **argv);
int cmd_delete(const struct options *o, int argc, char **argv);
int cmd_factors(const struct options *o, int argc, char **argv);
int cmd_factor(const struct options *o, int argc, char **argv);
int cmd_version(const struct options *o, int argc, char **argv);
int cmd_import(const struct options *o, int argc, char **argv);
int cmd_export(const struct options *o, int argc, char **argv);
int cmd_backup(const struct options *o, int argc, char **argv);
int cmd_restore(const struct options *o, int argc, char **argv);
int cmd_config(const struct options *o, int argc, char **argv);
int cmd_reminder(const struct options *o, int argc, char **argv);
int cmd_help(const struct options *o, int argc, char **argv);
int cmd_report(const struct options *o, int argc, char **argv);   /* report.c */
int cmd_experiment(const struct options *o, int argc, char **argv); /* experiment.c */
int cmd_refused(const struct options *o, int argc, char **argv);    /* refused.c */
/* Methods whose reply is shown as it comes (analysis and alerts). */
int cmd_show(const struct options *o, const char *method, int argc, char **argv);

/* Shared by the command files. */
int64_t client_now_ms(void);
void client_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct client_conn;
struct simmer_paths;
/* Resolves the socket and spool paths as simmerd does; 0 or an exit code. */
int client_paths(const struct options *o, struct simmer_paths *p);
/* Connects and says hello, or prints why not; returns 0 or an exit code. */
int client_connect(const struct options *o, struct client_conn *c);
/* Calls method with params and prints the JSON, or hands the result to
 * show() for text (commands.c). */
int call_and_show(const struct options *o, const char *method,
    void (*pack)(msgpack_packer *pk, const void *arg),
    const void *arg, void (*show)(const msgpack_object *result));
struct entry;
/* Pages through the `export` method (from since_ms when has_since), calling
 * each() for every live entry in (time, id) order (transfer.c). Returns 0
 * or a negative proto error with err filled. */
int client_export_each(struct client_conn *c, bool has_since, int64_t since_ms,
    void (*each)(const struct entry *e, void *arg), void *arg, char *err, size_t errlen);

#endif
