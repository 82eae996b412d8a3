/*
 * help.h: the table of `simmer` commands: each command's name, one-line
 * summary, synopsis, options and examples, and the function that runs it.
 *
 * Everything a person reads about a command comes from its row: `simmer
 * help`, `simmer CMD --help`, the message for an unknown option, and the
 * words a quick entry may never use as a factor. Adding a command is one
 * row here and one function.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_HELP_H
#define SIMMER_CLIENT_HELP_H

#include <stdbool.h>
#include <stdio.h>

#include "client/commands.h"

/* Options and examples a command may list. */
#define COMMAND_MAX_OPTIONS 8
#define COMMAND_MAX_EXAMPLES 4

struct command_option {
	const char *name;   /* "--since" */
	const char *arg;    /* "WHEN", or NULL for a flag */
	const char *about;  /* a short phrase */
};

struct command {
	const char *name;
	const char *summary;   /* one line for `simmer help` */
	const char *usage;     /* the synopsis after "simmer " */
	struct command_option options[COMMAND_MAX_OPTIONS];
	const char *examples[COMMAND_MAX_EXAMPLES];
	/* Either a function, or a method shown through cmd_show(). */
	int (*run)(const struct options *o, int argc, char **argv);
	const char *method;
};

/* The row for a command name, or NULL. */
const struct command *command_find(const char *name);
/* The row for quick entries (`simmer pain 6` is `simmer log pain 6`). */
const struct command *command_log(void);

/* True for a word that names a command, or looks like one a person might
 * type ("report", "show"): such a word is never stored as a factor. */
bool command_word(const char *word);

/* The command a word is a typo of ("lst" -> list), or NULL. */
const struct command *command_near(const char *word);

/* `simmer help`: the commands, one line each. */
void help_list(FILE *out);
/* `simmer CMD --help`: synopsis, options and examples. */
void help_command(FILE *out, const struct command *cmd);

/*
 * Checks the words after a command before it runs: `--help` or `-h`
 * anywhere prints the command's help and returns 0 with *handled set; an
 * option the command does not take is refused with its real options
 * (-SIMMER_E_USAGE). Otherwise returns 0 and *handled is false.
 */
int command_check_options(const struct command *cmd, int argc, char **argv, bool *handled);

#endif
