/*
 * log_batch.h: the entries of one log job, in a compact form that the loop
 * thread fills, the store thread writes and the loop thread answers from.
 *
 * An item holds only what every entry has (id, time, value, day, status);
 * its note and a rejection's message are kept in the batch's one text
 * buffer, and its factor in the batch's table of distinct factors (found
 * by a hash of its name). So a batch of 5000 entries takes about 400 KB
 * instead of 7 MB: a fresh allocation that large is a mapping of its own
 * (server_memory_policy), and filling it faults in every page, which made
 * an import spend most of the loop's time in page faults.
 *
 * Nothing here knows of connections, threads or the store.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_LOG_BATCH_H
#define SIMMER_DAEMON_LOG_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/catalog.h"
#include "daemon/store.h"
#include "proto/proto.h"

/* Per-entry outcome of a log job. */
enum log_status {
	LOG_PENDING = -1,
	LOG_ADDED = STORE_ADDED,
	LOG_PRESENT = STORE_PRESENT,
	LOG_REJECTED = 2,
};

struct log_item {
	char id[PROTO_ID_LEN + 1];
	int8_t status;        /* enum log_status */
	int8_t source;        /* enum entry_source */
	int64_t time_ms;
	double value;
	int32_t utc_offset_min;
	int32_t day;
	uint32_t factor_at;   /* index in the batch's factors */
	uint32_t note_at;     /* offset in the batch's text; 0 is "" */
	uint32_t message_at;  /* why it was rejected, in the text; 0 is "" */
};

struct log_batch {
	struct log_item *items;
	size_t n, cap;
	struct factor *factors;  /* each as the catalog knew it */
	size_t n_factors, cap_factors;
	uint32_t *slots;         /* factor index + 1 by name hash, 0 empty */
	size_t n_slots;          /* a power of two, at least twice n_factors */
	char *text;              /* "" at offset 0, then notes and messages */
	size_t text_len, text_cap;
};

/* Room for `cap` entries (more grow the batch). 0 or -PROTO_E_INTERNAL. */
int log_batch_init(struct log_batch *b, size_t cap);
void log_batch_free(struct log_batch *b);
/* Appends a validated entry with its factor: pending, or rejected with
 * `rejected` as its message when that is not NULL. The entry's factor name
 * is f->name. 0 or -PROTO_E_INTERNAL (out of memory). */
int log_batch_add(struct log_batch *b, const struct entry *e, const struct factor *f,
    const char *rejected);

const struct factor *log_batch_factor(const struct log_batch *b, const struct log_item *it);
/* The factor of that name some item of the batch has, or NULL. */
const struct factor *log_batch_find_factor(const struct log_batch *b, const char *name);
const char *log_batch_note(const struct log_batch *b, const struct log_item *it);
const char *log_batch_message(const struct log_batch *b, const struct log_item *it);
/* The item as a whole entry, for the store. */
void log_batch_entry(const struct log_batch *b, const struct log_item *it, struct entry *out);

#endif
