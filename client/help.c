/*
 * help.c: the command table and everything printed from it (see help.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <string.h>

#include "client/help.h"
#include "client/render.h"
#include "proto/proto.h"

#define JSON_OPT {"--json", NULL, "print the reply as JSON (the wire contract)"}

static const struct command commands[] = {
	{"log", "log one or more factors (the word 'log' may be left out)",
	    "FACTOR [VALUE] [FACTOR [VALUE] ...] [--at TIME] [--note TEXT] [--new]",
	    {{"--at", "TIME", "when it happened: 21:30, yesterday, -2h, 2026-11-20 08:00"},
	     {"--note", "TEXT", "a note kept with the entry"},
	     {"--new", NULL, "create factors simmer does not know yet, on purpose"},
	     JSON_OPT},
	    {"simmer pain 6 stiffness 4", "simmer sleep 5.5 quality 2 --at \"yesterday 23:00\"",
	     "simmer ibuprofen 400mg", "simmer tomato --new"},
	    cmd_log, NULL},
	{"list", "show recent entries with the ids that delete and undo take",
	    "list [--since WHEN] [--factor NAME] [--limit N]",
	    {{"--since", "WHEN", "entries from then on: yesterday, -2d, 2026-11-01"},
	     {"--factor", "NAME", "only this factor"},
	     {"--limit", "N", "at most N entries, newest first (default 50)"},
	     JSON_OPT},
	    {"simmer list --since -2d", "simmer list --factor pain --limit 10"},
	    cmd_list, NULL},
	{"undo", "remove the newest entry, or the one with the id 'list' shows",
	    "undo [ID]",
	    {JSON_OPT},
	    {"simmer undo", "simmer undo 3f9c2a"},
	    cmd_undo, NULL},
	{"delete", "remove the entry with the id that 'list' shows",
	    "delete ID",
	    {JSON_OPT},
	    {"simmer delete 3f9c2a"},
	    cmd_delete, NULL},
	{"factors", "the catalog: every factor with its kind, role and range",
	    "factors [--names]",
	    {{"--names", NULL, "only the names, one a line (for completions)"}, JSON_OPT},
	    {"simmer factors", "simmer factors --names"},
	    cmd_factors, NULL},
	{"factor", "define a factor of your own, or change one you defined",
	    "factor define NAME --kind KIND --role ROLE [--unit UNIT]",
	    {{"--kind", "KIND", "scale, hours, minutes, count (steps), event or flare"},
	     {"--role", "ROLE", "exposure, symptom, outcome, treatment or red_flag"},
	     {"--unit", "UNIT", "the unit a value is in, such as mg or cups"},
	     JSON_OPT},
	    {"simmer factor define tomato --kind event --role exposure",
	     "simmer factor define migraine --kind scale --role outcome",
	     "simmer factor define steps --kind count --role exposure"},
	    cmd_factor, NULL},
	{"import", "read entries from a file, or another tracker's export",
	    "import FILE|- | import --from bearable|flaredown|sheet [--user ID] FILE",
	    {{"--from", "TRACKER", "bearable or flaredown: read that app's export; sheet: a "
	      "spreadsheet diary, a date column then a column per factor"},
	     {"--user", "ID", "the person to take from Flaredown's research export"},
	     JSON_OPT},
	    {"simmer import diary.csv", "simmer import - < backup.jsonl",
	     "simmer import --from bearable bearable-export.csv",
	     "simmer import --from sheet my-diary.csv"},
	    cmd_import, NULL},
	{"export", "write every entry as CSV or JSON Lines",
	    "export [--format csv|jsonl] [--since WHEN]",
	    {{"--format", "FORMAT", "csv (default): entries only; jsonl: your own factors' "
	      "definitions first, then the entries (for moving to another machine)"},
	     {"--since", "WHEN", "entries from then on"}},
	    {"simmer export > diary.csv", "simmer export --format jsonl > backup.jsonl"},
	    cmd_export, NULL},
	{"backup", "copy the database now; simmerd also keeps a copy a day for 7 days",
	    "backup [FILE]",
	    {{NULL, NULL, NULL}},
	    {"simmer backup", "simmer backup ~/simmer-before-moving.db"},
	    cmd_backup, NULL},
	{"restore", "put a backup in place of the database, with simmerd stopped",
	    "restore FILE",
	    {{NULL, NULL, NULL}},
	    {"simmer restore ~/.local/share/simmer/backups/simmer-daily-2026-11-20.db"},
	    cmd_restore, NULL},
	{"status", "today's load against your alert threshold, and four weeks of it",
	    "status [--format text|waybar]",
	    {{"--format", "FORMAT", "text (default), or waybar: JSON for waybar and i3blocks"},
	     JSON_OPT},
	    {"simmer status", "simmer status --format waybar"},
	    NULL, PROTO_M_STATUS},
	{"forecast", "the chance that a flare begins in the next 48 hours",
	    "forecast",
	    {JSON_OPT},
	    {"simmer forecast"},
	    NULL, PROTO_M_FORECAST},
	{"why", "what raises or lowers today's forecast, in words",
	    "why",
	    {JSON_OPT},
	    {"simmer why"},
	    NULL, PROTO_M_WHY},
	{"triggers", "patterns in your diary: what came before your flares",
	    "triggers",
	    {JSON_OPT},
	    {"simmer triggers"},
	    NULL, PROTO_M_TRIGGERS},
	{"backtest", "how the forecasts would have done on your past days",
	    "backtest",
	    {JSON_OPT},
	    {"simmer backtest"},
	    NULL, PROTO_M_BACKTEST},
	{"analyze", "run the analysis now instead of waiting for the schedule",
	    "analyze",
	    {JSON_OPT},
	    {"simmer analyze"},
	    NULL, PROTO_M_ANALYZE},
	{"report", "what simmer found, to read or to hand a clinician (--html)",
	    "report [--days N] [--html FILE]",
	    {{"--days", "N", "the last N days (default 90)"},
	     {"--html", "FILE", "write one self-contained HTML page to print"}},
	    {"simmer report", "simmer report --days 365",
	     "simmer report --html report.html"},
	    cmd_report, NULL},
	{"experiment", "a trial: leave one thing out, bring it back, see what changes",
	    "experiment start FACTOR [--eliminate DAYS] [--reintroduce DAYS] [--washout DAYS] "
	    "[--cycles N] [--start WHEN] | experiment status | experiment stop | experiment list",
	    {{"--eliminate", "DAYS", "days without it (default 14)"},
	     {"--reintroduce", "DAYS", "days with it again, after those (default 4)"},
	     {"--washout", "DAYS", "days without it at the end, for late effects (default 3)"},
	     {"--cycles", "N", "repeat without and with N times before the washout, pooled into one "
	      "verdict (default 1, at most 6)"},
	     {"--start", "WHEN", "the first day, if not today: 2026-11-20, -3d, yesterday"},
	     JSON_OPT},
	    {"simmer experiment start dairy", "simmer experiment start alcohol --eliminate 21 --cycles 3",
	     "simmer experiment status", "simmer experiment list --json"},
	    cmd_experiment, NULL},
	{"alerts", "the alerts simmer raised, and whether the desktop showed them",
	    "alerts [--limit N]",
	    {{"--limit", "N", "the newest N alerts (default 20)"}, JSON_OPT},
	    {"simmer alerts", "simmer alerts --limit 5"},
	    NULL, PROTO_M_ALERTS},
	{"refused", "entries kept while simmerd was away that it refused, and why",
	    "refused [--clear]",
	    {{"--clear", NULL, "forget them, once you have seen them and logged them again"},
	     JSON_OPT},
	    {"simmer refused", "simmer refused --clear"},
	    cmd_refused, NULL},
	{"watch", "print alerts as they happen, until Ctrl-C",
	    "watch",
	    {JSON_OPT},
	    {"simmer watch"},
	    NULL, PROTO_M_SUBSCRIBE},
	{"notify-test", "show a test notification and say what the desktop did",
	    "notify-test",
	    {JSON_OPT},
	    {"simmer notify-test"},
	    NULL, PROTO_M_NOTIFY_TEST},
	{"reload", "make simmerd read its configuration file again",
	    "reload",
	    {JSON_OPT},
	    {"simmer reload"},
	    NULL, PROTO_M_RELOAD},
	{"config", "print or change a setting of simmer.conf",
	    "config get [KEY] | config set KEY VALUE",
	    {JSON_OPT},
	    {"simmer config get alerts.quiet_start", "simmer config set schedule.checkin 20:30",
	     "simmer config get"},
	    cmd_config, NULL},
	{"reminder", "the evening check-in reminder: on, off, or at a time",
	    "reminder [on|off|at HH:MM]",
	    {JSON_OPT},
	    {"simmer reminder", "simmer reminder off", "simmer reminder at 20:30"},
	    cmd_reminder, NULL},
	{"version", "the versions of simmer and of the running simmerd",
	    "version",
	    {JSON_OPT},
	    {"simmer version"},
	    cmd_version, NULL},
	{"help", "the commands, or one command's options and examples",
	    "help [COMMAND]",
	    {{NULL, NULL, NULL}},
	    {"simmer help", "simmer help list", "simmer list --help"},
	    cmd_help, NULL},
};

/* Words that look like commands a person might try; never factors. */
static const char *const command_like[] = {
	"report", "show", "remove", "rm", "edit", "stats", "chart", "setup", "start", "stop",
	"demo", "settings", "options", "usage", "info",
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

const struct command *
command_find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

const struct command *
command_log(void)
{
	return &commands[0];
}

bool
command_word(const char *word)
{
	if (command_find(word) != NULL)
		return true;
	for (size_t i = 0; i < sizeof command_like / sizeof command_like[0]; i++)
		if (strcmp(command_like[i], word) == 0)
			return true;
	return false;
}

const struct command *
command_near(const char *word)
{
	size_t limit = proto_typo_distance(word), best_d = limit + 1;
	const struct command *best = NULL;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		size_t d = proto_name_distance(word, commands[i].name, limit);
		if (d < best_d) {
			best_d = d;
			best = &commands[i];
		}
	}
	return best;
}

void
help_list(FILE *out)
{
	fprintf(out, "usage: simmer FACTOR [VALUE] ...    log, as in 'simmer pain 6 stress 4'\n"
	    "       simmer COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char line[256];
		snprintf(line, sizeof line, "%-12s %s", commands[i].name, commands[i].summary);
		render_wrap(out, line, 2, 15);
	}
	fprintf(out, "\n'simmer COMMAND --help' shows a command's options and examples.\n"
	    "Every command takes --socket PATH (or SIMMER_SOCKET) to reach another simmerd.\n");
}

static void
option_label(const struct command_option *opt, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s%s", opt->name, opt->arg ? " " : "", opt->arg ? opt->arg : "");
}

void
help_command(FILE *out, const struct command *cmd)
{
	char usage[512];
	fprintf(out, "simmer %s: %s\n\n", cmd->name, cmd->summary);
	snprintf(usage, sizeof usage, "usage: simmer %s", cmd->usage);
	render_wrap(out, usage, 0, 14);
	if (cmd->options[0].name != NULL) {
		fprintf(out, "\noptions:\n");
		for (size_t i = 0; i < COMMAND_MAX_OPTIONS && cmd->options[i].name; i++) {
			char label[64];
			option_label(&cmd->options[i], label, sizeof label);
			char line[256];
			snprintf(line, sizeof line, "%-16s %s", label, cmd->options[i].about);
			render_wrap(out, line, 2, 19);
		}
	}
	if (cmd->examples[0] != NULL) {
		fprintf(out, "\nexamples:\n");
		for (size_t i = 0; i < COMMAND_MAX_EXAMPLES && cmd->examples[i]; i++)
			fprintf(out, "  %s\n", cmd->examples[i]);
	}
}

int
cmd_help(const struct options *o, int argc, char **argv)
{
	(void)o;
	if (argc == 0) {
		help_list(stdout);
		return 0;
	}
	const struct command *cmd = command_find(argv[0]);
	if (cmd == NULL) {
		client_error("help: there is no command '%s'; 'simmer help' lists them", argv[0]);
		return -SIMMER_E_USAGE;
	}
	help_command(stdout, cmd);
	return 0;
}

static const struct command_option *
find_option(const struct command *cmd, const char *word)
{
	size_t len = strcspn(word, "=");
	for (size_t i = 0; i < COMMAND_MAX_OPTIONS && cmd->options[i].name; i++)
		if (strlen(cmd->options[i].name) == len && strncmp(cmd->options[i].name, word, len) == 0)
			return &cmd->options[i];
	return NULL;
}

static void
refuse_option(const struct command *cmd, const char *word)
{
	char known[512] = "";
	for (size_t i = 0; i < COMMAND_MAX_OPTIONS && cmd->options[i].name; i++) {
		char label[64];
		option_label(&cmd->options[i], label, sizeof label);
		size_t len = strlen(known);
		snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "", label);
	}
	if (known[0])
		client_error("%s: unknown option %s; it takes %s (see 'simmer %s --help')", cmd->name,
		    word, known, cmd->name);
	else
		client_error("%s: unknown option %s; it takes no options (see 'simmer %s --help')",
		    cmd->name, word, cmd->name);
}

int
command_check_options(const struct command *cmd, int argc, char **argv, bool *handled)
{
	*handled = false;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0) {
			help_command(stdout, cmd);
			*handled = true;
			return 0;
		}
	}
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (w[0] != '-' || w[1] != '-')
			continue;
		const struct command_option *opt = find_option(cmd, w);
		if (opt == NULL) {
			refuse_option(cmd, w);
			return -SIMMER_E_USAGE;
		}
		/* The next word is this option's value, whatever it looks like. */
		if (opt->arg != NULL && strchr(w, '=') == NULL)
			i++;
	}
	return 0;
}
