/*
 * main.c: simmer's entry point: global options, then the command from the
 * table in help.c. A first word that is not a command is a quick entry
 * (`simmer pain 6`).
 *
 * SPDX-License-Identifier: ISC
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "client/commands.h"
#include "client/help.h"

/* Runs the command line; returns 0 or a negative error code after saying
 * why on stderr. */
static int
run(int argc, char **argv)
{
	struct options o = {0};
	/* A daemon that hangs up must give an error, not kill us; a spool at
	 * its file-size limit must give EFBIG, which the spool rolls back. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	/* Global options come before the command or anywhere after it. */
	int n = 0;
	char *words[argc > 0 ? argc : 1];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o.json = true;
		} else if (strcmp(argv[i], "--socket") == 0) {
			if (i + 1 >= argc) {
				client_error("--socket needs a path");
				return -SIMMER_E_USAGE;
			}
			o.socket = argv[++i];
		} else if (strncmp(argv[i], "--socket=", 9) == 0) {
			o.socket = argv[i] + 9;
		} else {
			words[n++] = argv[i];
		}
	}
	if (n == 0) {
		help_list(stderr);
		return -SIMMER_E_USAGE;
	}
	const char *name = words[0];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		return cmd_help(&o, n - 1, words + 1);
	if (strcmp(name, "--version") == 0)
		name = "version";
	const struct command *cmd = command_find(name);
	int rest_n = n - 1;
	char **rest = words + 1;
	if (cmd == NULL) {
		if (name[0] == '-' && name[1] == '-') {
			client_error("unknown option %s; 'simmer help' lists the commands", name);
			return -SIMMER_E_USAGE;
		}
		/* Anything else is a quick entry. */
		cmd = command_log();
		rest_n = n;
		rest = words;
	}
	bool handled;
	int rc = command_check_options(cmd, rest_n, rest, &handled);
	if (rc != 0 || handled)
		return rc;
	if (cmd->run != NULL)
		return cmd->run(&o, rest_n, rest);
	return cmd_show(&o, cmd->method, rest_n, rest);
}

/* The one place an error code becomes simmer's exit code. */
int
main(int argc, char **argv)
{
	return proto_error_exit_code(run(argc, argv));
}
