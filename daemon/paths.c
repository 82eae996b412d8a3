/*
 * paths.c: resolves simmerd's file locations (see paths.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/paths.h"

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* $XDG_<kind> when set, else $HOME/<fallback>. */
static int
xdg_path(char *out, size_t outlen, const char *xdg_var, const char *home_fallback,
    const char *leaf)
{
	const char *base = env_nonempty(xdg_var);
	int n;
	if (base != NULL) {
		n = snprintf(out, outlen, "%s/simmer/%s", base, leaf);
	} else {
		const char *home = env_nonempty("HOME");
		if (home == NULL)
			home = "/";
		n = snprintf(out, outlen, "%s/%s/simmer/%s", home, home_fallback, leaf);
	}
	return (n < 0 || (size_t)n >= outlen) ? -ENAMETOOLONG : 0;
}

int
paths_resolve(struct simmer_paths *p, const char *socket_flag, const char *db_flag,
    char *err, size_t errlen)
{
	int rc = 0;
	const char *sock = socket_flag ? socket_flag : env_nonempty("SIMMER_SOCKET");
	if (sock != NULL) {
		if (snprintf(p->socket, sizeof p->socket, "%s", sock) >= (int)sizeof p->socket)
			rc = -ENAMETOOLONG;
	} else if (env_nonempty("XDG_RUNTIME_DIR") != NULL) {
		rc = xdg_path(p->socket, sizeof p->socket, "XDG_RUNTIME_DIR", "", "simmer.sock");
	} else {
		/* No runtime folder (e.g. a su shell): a per-user folder in /tmp,
		 * which paths_make_parent creates 0700. */
		if (snprintf(p->socket, sizeof p->socket, "/tmp/simmer-%u/simmer.sock",
		    (unsigned)getuid()) >= (int)sizeof p->socket)
			rc = -ENAMETOOLONG;
	}
	if (rc == 0) {
		/* A Unix socket path must fit in sun_path (108 bytes). */
		if (strlen(p->socket) >= 108) {
			snprintf(err, errlen, "socket path is longer than 107 bytes: %s", p->socket);
			return -ENAMETOOLONG;
		}
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", p->socket);
		char *slash = strrchr(dir, '/');
		if (slash != NULL)
			*slash = '\0';
		else
			snprintf(dir, sizeof dir, ".");
		if (snprintf(p->lock, sizeof p->lock, "%s/simmer.lock", dir) >= (int)sizeof p->lock)
			rc = -ENAMETOOLONG;
	}
	const char *db = db_flag ? db_flag : env_nonempty("SIMMER_DB");
	if (rc == 0) {
		if (db != NULL) {
			if (snprintf(p->db, sizeof p->db, "%s", db) >= (int)sizeof p->db)
				rc = -ENAMETOOLONG;
		} else {
			rc = xdg_path(p->db, sizeof p->db, "XDG_DATA_HOME", ".local/share", "simmer.db");
		}
	}
	if (rc == 0) {
		const char *spool = env_nonempty("SIMMER_SPOOL");
		if (spool != NULL) {
			if (snprintf(p->spool, sizeof p->spool, "%s", spool) >= (int)sizeof p->spool)
				rc = -ENAMETOOLONG;
		} else {
			rc = xdg_path(p->spool, sizeof p->spool, "XDG_STATE_HOME", ".local/state",
			    "spool.msgpack");
		}
	}
	if (rc == 0) {
		const char *conf = env_nonempty("SIMMER_CONFIG");
		if (conf != NULL) {
			if (snprintf(p->config, sizeof p->config, "%s", conf) >= (int)sizeof p->config)
				rc = -ENAMETOOLONG;
		} else {
			rc = xdg_path(p->config, sizeof p->config, "XDG_CONFIG_HOME", ".config",
			    "simmer.conf");
		}
	}
	if (rc != 0)
		snprintf(err, errlen, "a path is longer than %d bytes", PATH_MAX - 1);
	return rc;
}

int
paths_make_parent(const char *path, unsigned mode, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		snprintf(err, errlen, "path too long: %s", path);
		return -ENAMETOOLONG;
	}
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; ; p++) {
		bool last = (*p == '\0');
		if (*p == '/' || last) {
			char saved = *p;
			*p = '\0';
			if (mkdir(dir, mode) != 0 && errno != EEXIST) {
				int e = errno;
				snprintf(err, errlen, "cannot create folder %s: %s", dir, strerror(e));
				return -e;
			}
			*p = saved;
			if (last)
				break;
		}
	}
	return 0;
}
