/*
 * spool.c: takes in the entries the client saved while simmerd was away.
 *
 * The client appends msgpack entry maps (as proto_entry_pack writes them),
 * back to back, to the spool file, under flock(LOCK_EX). At start simmerd
 * takes the lock, reads the file, renames it aside (so new appends start a
 * fresh spool) and only then lets the lock go; a client that waited for the
 * lock sees that the path names another file now and opens that one. The
 * entries go through the normal validated write path.
 * The renamed file is removed only after the commit is acknowledged; one
 * left by a crash is taken in again at the next start, and ids make that
 * idempotent.
 *
 * SPDX-License-Identifier: ISC
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/entries.h"
#include "daemon/log.h"
#include "daemon/spool.h"

/* A spool bigger than this is not a person's missed entries; refuse to
 * read it into memory and say so. */
#define SPOOL_MAX_BYTES (64u * 1024u * 1024u)

struct spool_file {
	char path[PATH_MAX];
	unsigned batches_left;
	bool failed;
	size_t added, present, rejected;
};

static void
spool_batch_done(struct job *job)
{
	struct spool_file *sf = job->arg;
	if (job->rc != 0) {
		sf->failed = true;
		log_error("could not store spooled entries from %s: %s; keeping the file", sf->path,
		    job->err);
	}
	for (size_t i = 0; i < job->log.n; i++) {
		const struct log_item *it = &job->log.items[i];
		if (it->status == LOG_REJECTED)
			log_warn("spooled entry %s (%s) rejected: %s", it->id,
			    log_batch_factor(&job->log, it)->name, log_batch_message(&job->log, it));
	}
	sf->added += job->added;
	sf->present += job->present;
	sf->rejected += job->rejected;
	if (--sf->batches_left == 0) {
		if (!sf->failed) {
			log_info("took in the spool %s: %zu added, %zu already present, %zu rejected",
			    sf->path, sf->added, sf->present, sf->rejected);
			if (unlink(sf->path) != 0)
				log_warn("cannot remove %s: %s", sf->path, strerror(errno));
		}
		free(sf);
	}
	job_free(job);
}

/* Reads all of fd into a fresh buffer. */
static int
read_fd(int fd, char **out, size_t *outlen)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	if (st.st_size > SPOOL_MAX_BYTES)
		return -EFBIG;
	char *buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		return -ENOMEM;
	size_t len = 0;
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

static int
read_file(const char *path, char **out, size_t *outlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = read_fd(fd, out, outlen);
	close(fd);
	return rc;
}

int
spool_parse(const char *data, size_t len, const struct proto_limits *lim,
    spool_entry_fn on_entry, spool_bad_fn on_bad, void *arg, size_t *stopped_at,
    char *err, size_t errlen)
{
	size_t off = 0;
	int rc = 0;
	while (off < len && rc == 0) {
		ssize_t n = proto_scan(data + off, len - off, lim, err, errlen);
		if (n < 0) {
			rc = -1;
			break;
		}
		msgpack_unpacked u;
		msgpack_unpacked_init(&u);
		size_t consumed = 0;
		if (msgpack_unpack_next(&u, data + off, (size_t)n, &consumed) == MSGPACK_UNPACK_SUCCESS) {
			struct entry e;
			char why[PROTO_MESSAGE_MAX];
			if (proto_entry_unpack(&u.data, &e, why, sizeof why) == 0) {
				e.source = ENTRY_SOURCE_SPOOL;
				if (on_entry(&e, arg) != 0)
					rc = 1;
			} else {
				on_bad(off, why, arg);
			}
		}
		msgpack_unpacked_destroy(&u);
		if (rc == 0)
			off += (size_t)n;
	}
	*stopped_at = off;
	return rc;
}

/* Collects one spool file's entries into batches of at most
 * PROTO_MAX_ENTRIES_PER_REQUEST and submits each as it fills. */
struct spool_batcher {
	struct simmerd *d;
	struct spool_file *sf;
	const char *path;
	struct log_batch batch;  /* items NULL until an entry comes */
	size_t bad;
};

static void
spool_submit_batch(struct spool_batcher *b)
{
	b->sf->batches_left++;
	if (entries_submit(b->d, &b->batch, spool_batch_done, b->sf) != 0) {
		b->sf->batches_left--;
		b->sf->failed = true;
		log_batch_free(&b->batch);
	}
}

static int
spool_on_entry(const struct entry *e, void *arg)
{
	struct spool_batcher *b = arg;
	if (b->batch.items == NULL && log_batch_init(&b->batch, PROTO_MAX_ENTRIES_PER_REQUEST) != 0)
		return -1;
	struct entry copy = *e;
	if (entries_batch_add(b->d, &b->batch, &copy) != 0)
		return -1;
	if (b->batch.n == PROTO_MAX_ENTRIES_PER_REQUEST)
		spool_submit_batch(b);
	return 0;
}

static void
spool_on_bad(size_t off, const char *why, void *arg)
{
	struct spool_batcher *b = arg;
	b->bad++;
	log_warn("spool %s: skipping a record at byte %zu: %s", b->path, off, why);
}

/* Submits the entries of one taken-aside spool file (its bytes in data,
 * which this frees) in batches; the file is removed once all are stored. */
static void
spool_submit(struct simmerd *d, const char *path, char *data, size_t len)
{
	struct spool_file *sf = calloc(1, sizeof *sf);
	if (sf == NULL) {
		free(data);
		return;
	}
	snprintf(sf->path, sizeof sf->path, "%s", path);
	sf->batches_left = 1; /* held until every batch is submitted */

	char err[PROTO_MESSAGE_MAX];
	struct spool_batcher b = {.d = d, .sf = sf, .path = path};
	size_t stopped_at = 0;
	/* A torn last record (power lost mid-append) or garbage: what came
	 * before it is still taken in. */
	if (spool_parse(data, len, &d->limits, spool_on_entry, spool_on_bad, &b, &stopped_at, err,
	    sizeof err) < 0)
		log_warn("spool %s: unreadable from byte %zu on (%s)", path, stopped_at, err);
	free(data);
	if (b.batch.n > 0)
		spool_submit_batch(&b);
	else
		log_batch_free(&b.batch);
	sf->rejected += b.bad;
	/* Release the hold taken above. */
	if (--sf->batches_left == 0) {
		if (!sf->failed && unlink(path) != 0)
			log_warn("cannot remove %s: %s", path, strerror(errno));
		free(sf);
	}
}

/* Takes in the files an earlier run moved aside but did not finish. */
static void
take_in_leftovers(struct simmerd *d, const char *spool)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", spool);
	char *slash = strrchr(dir, '/');
	const char *base = spool;
	if (slash != NULL) {
		*slash = '\0';
		base = slash + 1;
	} else {
		snprintf(dir, sizeof dir, ".");
	}
	DIR *dp = opendir(dir);
	if (dp == NULL)
		return;
	size_t base_len = strlen(base);
	struct dirent *de;
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, base, base_len) != 0 ||
		    strncmp(de->d_name + base_len, ".taking-", 8) != 0)
			continue;
		char path[PATH_MAX];
		if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
			continue;
		char *data = NULL;
		size_t len = 0;
		int rc = read_file(path, &data, &len);
		if (rc != 0) {
			log_error("cannot read the spool %s: %s", path, strerror(-rc));
			continue;
		}
		log_info("taking in spooled entries from %s", path);
		spool_submit(d, path, data, len);
	}
	closedir(dp);
}

void
spool_take_in(struct simmerd *d)
{
	const char *spool = d->paths.spool;
	take_in_leftovers(d, spool);
	int fd = open(spool, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("cannot open the spool %s: %s", spool, strerror(errno));
		return;
	}
	/* The client holds the same lock while it appends; we hold it until
	 * the bytes are read and the file is out of the way. */
	char *data = NULL;
	size_t len = 0;
	char taken[PATH_MAX];
	snprintf(taken, sizeof taken, "%.4000s.taking-%ld", spool, (long)getpid());
	int rc = flock(fd, LOCK_EX) == 0 ? read_fd(fd, &data, &len) : -errno;
	if (rc == 0 && len > 0 && rename(spool, taken) != 0) {
		rc = -errno;
		log_error("cannot move the spool aside: %s", strerror(-rc));
	}
	close(fd);
	if (rc != 0) {
		if (rc != -ENOENT)
			log_error("cannot read the spool %s: %s", spool, strerror(-rc));
		free(data);
		return;
	}
	if (len == 0) {
		free(data);
		return;
	}
	log_info("taking in spooled entries from %s", taken);
	spool_submit(d, taken, data, len);
}
