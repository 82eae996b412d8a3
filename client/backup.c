/*
 * backup.c: `simmer backup [FILE]` and `simmer restore FILE`.
 *
 * The client never opens the database itself (it does not link SQLite):
 * both commands run simmerd's own --backup and --restore modes, found
 * beside this program or else on PATH. A backup may be taken while simmerd
 * runs (SQLite's online backup reads beside the writer); a restore refuses
 * while simmerd runs, because the running daemon would keep writing to the
 * file being replaced.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/commands.h"

/* Runs simmerd with args (NULL-terminated, after argv[0]); returns only on
 * failure. */
static int
exec_simmerd(char **args)
{
	char self[PATH_MAX], beside[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			if (snprintf(beside, sizeof beside, "%s/simmerd", self) < (int)sizeof beside &&
			    access(beside, X_OK) == 0) {
				args[0] = beside;
				execv(beside, args);
			}
		}
	}
	args[0] = "simmerd";
	execvp("simmerd", args);
	client_error("cannot run simmerd, which makes backups and restores: %s", strerror(errno));
	return -SIMMER_E_UNAVAILABLE;
}

/* simmerd [--socket PATH] MODE [FILE]: the daemon's own backup or restore
 * mode does the work, so the client never links SQLite. */
static int
run_simmerd_mode(const struct options *o, const char *mode, const char *file)
{
	char *args[6];
	int n = 1;
	if (o->socket != NULL) {
		args[n++] = "--socket";
		args[n++] = (char *)o->socket;
	}
	args[n++] = (char *)mode;
	if (file != NULL)
		args[n++] = (char *)file;
	args[n] = NULL;
	return exec_simmerd(args);
}

int
cmd_backup(const struct options *o, int argc, char **argv)
{
	if (argc > 1) {
		client_error("usage: simmer backup [FILE]");
		return -SIMMER_E_USAGE;
	}
	return run_simmerd_mode(o, "--backup", argc == 1 ? argv[0] : NULL);
}

int
cmd_restore(const struct options *o, int argc, char **argv)
{
	if (argc != 1) {
		client_error("usage: simmer restore FILE (with simmerd stopped)");
		return -SIMMER_E_USAGE;
	}
	return run_simmerd_mode(o, "--restore", argv[0]);
}
