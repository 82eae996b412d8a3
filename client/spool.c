/*
 * spool.c: appends entries to the spool (see spool.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/spool.h"

void
spool_path(char *out, size_t outlen)
{
	const char *v;
	if ((v = getenv("SIMMER_SPOOL")) != NULL && v[0])
		snprintf(out, outlen, "%s", v);
	else if ((v = getenv("XDG_STATE_HOME")) != NULL && v[0])
		snprintf(out, outlen, "%s/simmer/spool.msgpack", v);
	else
		snprintf(out, outlen, "%s/.local/state/simmer/spool.msgpack",
		    (v = getenv("HOME")) != NULL ? v : "/");
}

/* mkdir -p of path's folder, private. */
static int
make_parent(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int
fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		return 0;
	*slash = '\0';
	int fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

int
spool_append(const char *path, struct entry *entries, size_t n, char *err, size_t errlen)
{
	int rc = make_parent(path);
	if (rc != 0) {
		snprintf(err, errlen, "cannot create the folder of %s: %s", path, strerror(-rc));
		return rc;
	}
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	for (size_t i = 0; i < n; i++) {
		entries[i].source = ENTRY_SOURCE_SPOOL;
		proto_entry_pack(&pk, &entries[i], false);
	}
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		msgpack_sbuffer_destroy(&buf);
		return rc;
	}
	rc = 0;
	if (flock(fd, LOCK_EX) != 0)
		rc = -errno;
	/* One write, so a concurrent reader never sees half of our records
	 * unless the machine dies mid-write; simmerd skips a torn tail. */
	size_t off = 0;
	while (rc == 0 && off < buf.size) {
		ssize_t w = write(fd, buf.data + off, buf.size - off);
		if (w < 0 && errno != EINTR)
			rc = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	close(fd);
	if (rc == 0)
		rc = fsync_parent(path);
	if (rc != 0)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	msgpack_sbuffer_destroy(&buf);
	return rc;
}
