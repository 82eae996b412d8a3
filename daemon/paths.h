/*
 * paths.h: where simmerd keeps its socket, database, spool and configuration.
 *
 * Defaults follow the XDG base directories; flags and SIMMER_* variables
 * override them. Nothing here opens the files themselves.
 */
#ifndef SIMMER_DAEMON_PATHS_H
#define SIMMER_DAEMON_PATHS_H

#include <limits.h>
#include <stddef.h>

struct simmer_paths {
	char socket[PATH_MAX];  /* $XDG_RUNTIME_DIR/simmer/simmer.sock */
	char lock[PATH_MAX];    /* simmer.lock beside the socket */
	char db[PATH_MAX];      /* $XDG_DATA_HOME/simmer/simmer.db */
	char spool[PATH_MAX];   /* $XDG_STATE_HOME/simmer/spool.msgpack */
	char config[PATH_MAX];  /* $XDG_CONFIG_HOME/simmer/simmer.conf */
};

/* Fills paths from the environment; socket_flag and db_flag (may be NULL)
 * win over SIMMER_SOCKET and SIMMER_DB, which win over the XDG defaults.
 * Returns 0 or -ENAMETOOLONG with a message. */
int paths_resolve(struct simmer_paths *p, const char *socket_flag, const char *db_flag,
    char *err, size_t errlen);

/* Creates every missing folder of path's parent with `mode` (like mkdir -p)
 * and returns 0 or -errno with a message. */
int paths_make_parent(const char *path, unsigned mode, char *err, size_t errlen);

#endif
