/*
 * paths.h: where simmer keeps its socket, database, spool and configuration,
 * resolved the same way by simmerd and by the client, and the check that the
 * runtime folder holding the socket is the user's own.
 *
 * Defaults follow the XDG base directories; flags and SIMMER_* variables
 * override them. paths_resolve only builds strings; paths_private_dir and
 * paths_make_parent touch the file system.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_COMMON_PATHS_H
#define SIMMER_COMMON_PATHS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct simmer_paths {
	char socket[PATH_MAX];  /* $XDG_RUNTIME_DIR/simmer/simmer.sock */
	char lock[PATH_MAX];    /* simmer.lock beside the socket */
	/* The folder of a default socket ($XDG_RUNTIME_DIR/simmer or
	 * /tmp/simmer-$UID), which must be private; "" when the socket was
	 * named by a flag or SIMMER_SOCKET. */
	char runtime_dir[PATH_MAX];
	char db[PATH_MAX];      /* $XDG_DATA_HOME/simmer/simmer.db */
	char spool[PATH_MAX];   /* $XDG_STATE_HOME/simmer/spool.msgpack */
	char config[PATH_MAX];  /* $XDG_CONFIG_HOME/simmer/simmer.conf */
};

/* Fills paths from the environment; socket_flag and db_flag (may be NULL)
 * win over SIMMER_SOCKET and SIMMER_DB, which win over the XDG defaults.
 * Returns 0 or -ENAMETOOLONG with a message. */
int paths_resolve(struct simmer_paths *p, const char *socket_flag, const char *db_flag,
    char *err, size_t errlen);

/*
 * Checks that dir is a real folder (not a symbolic link), owned by this
 * user, with mode 0700; with `create`, makes it 0700 first when missing.
 * Another user's folder at the fallback path in /tmp could otherwise catch
 * the entries sent to it. Returns 0, -ENOENT when it is missing (and not
 * created), or another -errno with a message that says why and what to do.
 */
int paths_private_dir(const char *dir, bool create, char *err, size_t errlen);

/* Creates every missing folder of path's parent with `mode` (like mkdir -p)
 * and returns 0 or -errno with a message. */
/* fsyncs the folder that holds path (so a rename or a new file in it is on
 * disk); the current folder for a bare name. 0 or -errno. */
int paths_fsync_parent(const char *path);
int paths_make_parent(const char *path, unsigned mode, char *err, size_t errlen);

#endif
