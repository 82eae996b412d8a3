/*
 * paths.c: resolves simmer's file locations and checks the runtime folder
 * (see paths.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/paths.h"

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
		p->runtime_dir[0] = '\0';
	} else {
		const char *run = env_nonempty("XDG_RUNTIME_DIR");
		int n;
		/* No runtime folder (e.g. a su shell): a per-user folder in /tmp,
		 * which paths_private_dir creates 0700 or refuses. */
		if (run != NULL)
			n = snprintf(p->runtime_dir, sizeof p->runtime_dir, "%s/simmer", run);
		else
			n = snprintf(p->runtime_dir, sizeof p->runtime_dir, "/tmp/simmer-%u",
			    (unsigned)getuid());
		if (n < 0 || (size_t)n >= sizeof p->runtime_dir ||
		    snprintf(p->socket, sizeof p->socket, "%s/simmer.sock", p->runtime_dir) >=
		    (int)sizeof p->socket)
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

/* Says why an existing path cannot be the runtime folder. */
static int
refuse_not_folder(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "refusing the runtime folder %s: it is a symbolic link, "
		    "which simmer does not follow; remove it", dir);
		return -ELOOP;
	}
	snprintf(err, errlen, "refusing the runtime folder %s: it is not a folder; remove it", dir);
	return -ENOTDIR;
}

int
paths_private_dir(const char *dir, bool create, char *err, size_t errlen)
{
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		int e = errno;
		snprintf(err, errlen, "cannot create the runtime folder %s: %s", dir, strerror(e));
		return -e;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ELOOP || e == ENOTDIR)
			return refuse_not_folder(dir, err, errlen);
		snprintf(err, errlen, "cannot open the runtime folder %s: %s", dir, strerror(e));
		return -e;
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot inspect the runtime folder %s: %s", dir, strerror(-rc));
	} else if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "refusing the runtime folder %s: it belongs to uid %u, not to you "
		    "(uid %u), so another user could read what you send; remove it or set "
		    "XDG_RUNTIME_DIR", dir, (unsigned)st.st_uid, (unsigned)geteuid());
		rc = -EPERM;
	} else if ((st.st_mode & 07777) != 0700) {
		snprintf(err, errlen, "refusing the runtime folder %s: its mode is %04o, not 0700; "
		    "run 'chmod 700 %s'", dir, (unsigned)(st.st_mode & 07777), dir);
		rc = -EPERM;
	}
	close(fd);
	return rc;
}

int
paths_fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	const char *name = ".";
	if (slash != NULL) {
		*slash = '\0';
		name = dir[0] ? dir : "/";
	}
	int fd = open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}
