/*
 * spool.c: appends entries to the spool (see spool.h).
 *
 * What the client says it kept must be on the disk and must reach simmerd:
 * the append is one write, rolled back (truncated to the size before it)
 * when it fails or comes up short, and fsynced before "kept" is printed; the
 * file written is the one the path names after the lock is taken, because
 * simmerd may have moved the old one aside in between.
 *
 * SPDX-License-Identifier: ISC
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
#include "common/paths.h"

/* Times the client re-opens the spool when simmerd moved it aside while we
 * waited for the lock; each move needs a daemon start or take-in, so a few
 * tries are plenty. */
#define SPOOL_REOPEN_TRIES 8

/* Opens the spool and takes its lock, making sure the path still names the
 * locked file. Returns the fd or -errno. */
static int
open_locked(const char *path)
{
	for (int tries = 0; tries < SPOOL_REOPEN_TRIES; tries++) {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		struct stat held, named;
		if (flock(fd, LOCK_EX) != 0 || fstat(fd, &held) != 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (stat(path, &named) == 0 && named.st_dev == held.st_dev &&
		    named.st_ino == held.st_ino)
			return fd;
		/* simmerd took this one in while we waited: start again. */
		close(fd);
	}
	return -EAGAIN;
}

/* Writes all of buf at the end of fd, or truncates back to where it began. */
static int
append_all(int fd, const char *buf, size_t len)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	off_t before = st.st_size;
	size_t off = 0;
	int rc = 0;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -ENOSPC;
			break;
		}
		off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	/* A torn record would make simmerd stop reading there and lose what
	 * later clients append; take ours back out. */
	if (rc != 0 && ftruncate(fd, before) == 0)
		fsync(fd);
	return rc;
}

int
spool_append(const char *path, struct entry *entries, size_t n, bool create_factors, char *err,
    size_t errlen)
{
	char dir_err[PROTO_MESSAGE_MAX];
	int rc = paths_make_parent(path, 0700, dir_err, sizeof dir_err);
	if (rc != 0) {
		snprintf(err, errlen, "%s", dir_err);
		return rc;
	}
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	for (size_t i = 0; i < n; i++) {
		entries[i].source = ENTRY_SOURCE_SPOOL;
		proto_spool_record_pack(&pk, &entries[i], create_factors);
	}
	int fd = open_locked(path);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-fd));
		msgpack_sbuffer_destroy(&buf);
		return fd;
	}
	rc = append_all(fd, buf.data, buf.size);
	close(fd);
	if (rc == 0)
		rc = paths_fsync_parent(path);
	if (rc != 0)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	msgpack_sbuffer_destroy(&buf);
	return rc;
}
