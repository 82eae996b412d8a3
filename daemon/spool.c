/*
 * spool.c: takes in the entries the client saved while simmerd was away.
 *
 * The client appends msgpack entry maps (as proto_entry_pack writes them),
 * back to back, to the spool file, under flock(LOCK_EX). At start simmerd
 * takes the lock, reads the file, renames it aside (so new appends start a
 * fresh spool) and only then lets the lock go; a client that waited for the
 * lock sees that the path names another file now and opens that one. The
 * entries go through the normal validated write path.
 * An entry the checks refuse (and a record that is not an entry) was
 * still "kept" in the person's eyes: it goes to the store's refused table
 * with the check's message, for `simmer refused` and `status` to tell.
 * The renamed file is removed only after the entries and the refused rows
 * are committed; one left by a crash is taken in again at the next start,
 * and ids (the refused rows: the file and byte) make that idempotent.
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

#include "common/clock.h"
#include "daemon/daemon.h"
#include "daemon/entries.h"
#include "daemon/grow.h"
#include "daemon/log.h"
#include "daemon/refused.h"
#include "daemon/spool.h"

/* A spool bigger than this is not a person's missed entries; refuse to
 * read it into memory and say so. */
#define SPOOL_MAX_BYTES (64u * 1024u * 1024u)

/* Refused rows kept from one spool file, one by one: a person's missed
 * entries are a handful, and all of one file fit in one `refused` reply.
 * Past this, something else wrote the file; the rest are counted in one
 * row, and the file is kept aside rather than removed, so that nothing in
 * it is lost. */
#define SPOOL_MAX_REFUSED 500
/* Refused records of one file logged one by one; the rest are counted in
 * the file's summary line, so a hostile spool cannot flood the journal. */
#define SPOOL_LOGGED_REFUSALS 20

struct spool_file {
	char path[PATH_MAX];
	unsigned batches_left;
	bool failed;
	size_t added, present, rejected;
	struct refused_entry *refused;  /* handed to refused_keep at the end */
	size_t n_refused, cap_refused;
	size_t refused_over;            /* refused past SPOOL_MAX_REFUSED */
	size_t logged;                  /* refusals logged one by one */
};

/* Whether one more refusal of sf is logged on its own line. */
static bool
log_this_refusal(struct spool_file *sf)
{
	return sf->logged++ < SPOOL_LOGGED_REFUSALS;
}

/* The name a spool file with too many refused entries is kept under:
 * ".taking-" becomes ".refused-", which no start takes in again. */
static void
kept_aside_path(const char *path, char *out, size_t outlen)
{
	const char *taking = strstr(path, ".taking-");
	if (taking == NULL)
		snprintf(out, outlen, "%s.refused", path);
	else
		snprintf(out, outlen, "%.*s.refused-%s", (int)(taking - path), path, taking + 8);
}

/* Drops one hold on sf; the last removes the file (or keeps it aside)
 * when everything in it is committed. */
static void
spool_file_release(struct spool_file *sf)
{
	if (--sf->batches_left != 0)
		return;
	if (!sf->failed) {
		log_info("took in the spool %s: %zu added, %zu already present, %zu refused%s",
		    sf->path, sf->added, sf->present, sf->rejected,
		    sf->logged > SPOOL_LOGGED_REFUSALS ? " (only the first refusals were logged one "
		    "by one; 'simmer refused' lists them)" : "");
		char aside[PATH_MAX + 16];
		kept_aside_path(sf->path, aside, sizeof aside);
		if (sf->refused_over > 0 && rename(sf->path, aside) != 0)
			log_warn("cannot keep %s aside as %s: %s", sf->path, aside, strerror(errno));
		else if (sf->refused_over == 0 && unlink(sf->path) != 0)
			log_warn("cannot remove %s: %s", sf->path, strerror(errno));
	}
	free(sf->refused);
	free(sf);
}

/* Keeps one refused record of sf: e is NULL for one that is not an entry. */
static void
note_refused(struct simmerd *d, struct spool_file *sf, const struct entry *e, size_t offset,
    const char *why)
{
	if (sf->n_refused >= SPOOL_MAX_REFUSED || grow_for_one((void **)&sf->refused,
	    &sf->cap_refused, sf->n_refused, sizeof *sf->refused, 8) != 0) {
		sf->refused_over++;
		return;
	}
	struct refused_entry *r = &sf->refused[sf->n_refused++];
	memset(r, 0, sizeof *r);
	r->refused_ms = clock_now_ms();
	snprintf(r->spool, sizeof r->spool, "%.1023s", sf->path);
	r->offset = (int64_t)offset;
	snprintf(r->reason, sizeof r->reason, "%s", why);
	if (e == NULL)
		return;
	memcpy(r->entry_id, e->id, sizeof r->entry_id);
	r->has_time = true;
	r->time_ms = e->time_ms;
	r->utc_offset_min = e->utc_offset_min;
	memcpy(r->factor, e->factor, sizeof r->factor);
	r->has_value = !e->no_value;
	r->value = e->value;
	memcpy(r->note, e->note, sizeof r->note);
	/* What the person should change to log it again. A new name is best
	 * defined with its kind first (--new makes an event of 0 to 100). */
	const struct factor *f = catalog_find(&d->catalog, catalog_resolve_alias(e->factor));
	char unused[PROTO_MESSAGE_MAX];
	if (f == NULL) {
		snprintf(r->fix, sizeof r->fix, "factor");
		size_t len = strlen(r->reason);
		snprintf(r->reason + len, sizeof r->reason - len, " (if %s is a new factor, define it "
		    "first with 'simmer factor define %s --kind KIND --role ROLE')", e->factor,
		    e->factor);
	} else if (e->no_value || catalog_check_value(f, e->value, unused, sizeof unused) < 0) {
		snprintf(r->fix, sizeof r->fix, "value");
	} else {
		snprintf(r->fix, sizeof r->fix, "time");
	}
}

static void
spool_refused_kept(void *arg, int rc, const char *err)
{
	struct spool_file *sf = arg;
	if (rc != 0) {
		sf->failed = true;
		log_error("could not store the refused entries of %s: %s; keeping the file", sf->path,
		    err);
	}
	spool_file_release(sf);
}

/* Hands sf's refused rows, with one that counts those past the cap, to
 * the store thread; sf stays held until they are committed. */
static void
spool_keep_refused(struct simmerd *d, struct spool_file *sf)
{
	if (sf->refused_over > 0) {
		struct refused_entry *more = realloc(sf->refused, (sf->n_refused + 1) * sizeof *more);
		if (more == NULL) {
			sf->failed = true;
			log_error("out of memory keeping the refused entries of %s; keeping the file",
			    sf->path);
			return;
		}
		sf->refused = more;
		struct refused_entry *r = &sf->refused[sf->n_refused++];
		memset(r, 0, sizeof *r);
		r->refused_ms = clock_now_ms();
		snprintf(r->spool, sizeof r->spool, "%.1023s", sf->path);
		r->offset = -1;
		char aside[PATH_MAX + 16];
		kept_aside_path(sf->path, aside, sizeof aside);
		snprintf(r->reason, sizeof r->reason, "%zu more records of this spool were refused and "
		    "are not listed one by one; the whole spool is kept in %.300s", sf->refused_over,
		    aside);
	}
	if (sf->n_refused == 0)
		return;
	struct refused_entry *rows = sf->refused;
	size_t n = sf->n_refused;
	sf->refused = NULL;
	sf->n_refused = sf->cap_refused = 0;
	sf->batches_left++;
	if (refused_keep(d->refused, rows, n, spool_refused_kept, sf) != 0) {
		sf->batches_left--;
		sf->failed = true;
		log_error("out of memory keeping the refused entries of %s; keeping the file", sf->path);
	}
}

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
		if (it->status == LOG_REJECTED && log_this_refusal(sf))
			log_warn("spooled entry %s (%s) rejected: %s", it->id,
			    log_batch_factor(&job->log, it)->name, log_batch_message(&job->log, it));
	}
	sf->added += job->added;
	sf->present += job->present;
	sf->rejected += job->rejected;
	job_free(job);
	spool_file_release(sf);
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
			bool create = false;
			if (proto_entry_unpack(&u.data, &e, why, sizeof why) == 0 &&
			    proto_get_bool(&u.data, "create_factor", false, &create, why,
			    sizeof why) != -PROTO_E_INVALID_PARAMS) {
				e.source = ENTRY_SOURCE_SPOOL;
				if (on_entry(&e, off, create, arg) != 0)
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
	size_t refused_here;     /* not entries, or names simmer does not know */
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
spool_on_entry(const struct entry *e, size_t offset, bool create_factors, void *arg)
{
	struct spool_batcher *b = arg;
	/* The name as a person typed it, as `log` checks it: one simmer does
	 * not know becomes a factor only with --new. An earlier entry of the
	 * batch may have made it one (the catalog learns a batch's new names
	 * when it is submitted). */
	char why[PROTO_MESSAGE_MAX];
	struct entry copy = *e;
	bool in_batch = b->batch.items != NULL &&
	    log_batch_find_factor(&b->batch, catalog_resolve_alias(e->factor)) != NULL;
	if (!create_factors && !in_batch &&
	    entries_check_typed(b->d, &copy, false, NULL, why, sizeof why) < 0) {
		b->refused_here++;
		note_refused(b->d, b->sf, e, offset, why);
		return 0;
	}
	if (b->batch.items == NULL && log_batch_init(&b->batch, PROTO_MAX_ENTRIES_PER_REQUEST) != 0)
		return -1;
	if (entries_batch_add(b->d, &b->batch, &copy) != 0)
		return -1;
	const struct log_item *added = &b->batch.items[b->batch.n - 1];
	if (added->status == LOG_REJECTED)
		note_refused(b->d, b->sf, e, offset, log_batch_message(&b->batch, added));
	if (b->batch.n == PROTO_MAX_ENTRIES_PER_REQUEST)
		spool_submit_batch(b);
	return 0;
}

static void
spool_on_bad(size_t off, const char *why, void *arg)
{
	struct spool_batcher *b = arg;
	b->refused_here++;
	if (log_this_refusal(b->sf))
		log_warn("spool %s: skipping a record at byte %zu: %s", b->path, off, why);
	char reason[PROTO_MESSAGE_MAX];
	snprintf(reason, sizeof reason, "a record that is not an entry simmer can read (%.400s)",
	    why);
	note_refused(b->d, b->sf, NULL, off, reason);
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
	sf->rejected += b.refused_here;
	spool_keep_refused(d, sf);
	/* Release the hold taken above. */
	spool_file_release(sf);
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
