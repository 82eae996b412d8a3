/*
 * main.c: simmer's entry point: global options, then the command.
 * A first word that is not a command is a quick entry (`simmer pain 6`).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "client/commands.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: simmer FACTOR [VALUE] [FACTOR [VALUE] ...] [--at TIME] [--note TEXT]\n"
	    "       simmer log FACTOR [VALUE] ... [--at TIME] [--note TEXT]\n"
	    "       simmer list [--since WHEN] [--factor NAME] [--limit N] [--json]\n"
	    "       simmer undo | delete ID\n"
	    "       simmer factors [--json]\n"
	    "       simmer factor define NAME --kind KIND --role ROLE [--unit UNIT]\n"
	    "       simmer import FILE|- | import --from bearable|flaredown [--user ID] FILE\n"
	    "       simmer export [--format csv|jsonl] [--since WHEN]\n"
	    "       simmer status | forecast | why | triggers | backtest | analyze [--json]\n"
	    "       simmer alerts [--json] | watch | notify-test | reload\n"
	    "       simmer config get [KEY] | config set KEY VALUE\n"
	    "       simmer version | help\n"
	    "\n"
	    "A word is a factor and a number after it its value; a factor alone is an\n"
	    "event worth 1: simmer sleep 5.5 sleep_quality 2, simmer dairy alcohol 2.\n"
	    "TIME: HH:MM, yesterday [HH:MM], -2h, -30m, YYYY-MM-DD [HH:MM], ISO 8601.\n"
	    "Global options: --socket PATH (or SIMMER_SOCKET), --json.\n"
	    "Exit codes follow sysexits(3); 75 means simmerd was away and the entry\n"
	    "was kept in the spool.\n");
}

int
main(int argc, char **argv)
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
				fprintf(stderr, "simmer: --socket needs a path\n");
				return EX_USAGE;
			}
			o.socket = argv[++i];
		} else if (strncmp(argv[i], "--socket=", 9) == 0) {
			o.socket = argv[i] + 9;
		} else {
			words[n++] = argv[i];
		}
	}
	if (n == 0) {
		usage(stderr);
		return EX_USAGE;
	}
	const char *cmd = words[0];
	int rest_n = n - 1;
	char **rest = words + 1;
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	static const struct {
		const char *name;
		int (*fn)(const struct options *, int, char **);
	} commands[] = {
		{"log", cmd_log}, {"list", cmd_list}, {"undo", cmd_undo}, {"delete", cmd_delete},
		{"factors", cmd_factors}, {"factor", cmd_factor}, {"version", cmd_version},
		{"--version", cmd_version}, {"import", cmd_import}, {"export", cmd_export},
	};
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].fn(&o, rest_n, rest);
	static const char *const shown[][2] = {
		{"status", "status"}, {"forecast", "forecast"}, {"why", "why"},
		{"triggers", "triggers"}, {"backtest", "backtest"}, {"analyze", "analyze"},
		{"alerts", "alerts"}, {"watch", "subscribe"}, {"notify-test", "notify_test"},
		{"reload", "reload"}, {"config", "config"},
	};
	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
		if (strcmp(cmd, shown[i][0]) == 0)
			return cmd_show(&o, shown[i][1], rest_n, rest);
	if (cmd[0] == '-') {
		fprintf(stderr, "simmer: unknown option %s\n", cmd);
		usage(stderr);
		return EX_USAGE;
	}
	/* Anything else is a quick entry. */
	return cmd_log(&o, n, words);
}
