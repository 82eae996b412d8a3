/*
 * log_batch.c: the compact entries of a log job (see log_batch.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/grow.h"
#include "daemon/log_batch.h"

/* Text grows from this many bytes: enough for a batch without notes. */
#define LOG_BATCH_FIRST_TEXT 256
/* Slots of the factor table at first: a power of two, room for 8. */
#define LOG_BATCH_FIRST_SLOTS 16

int
log_batch_init(struct log_batch *b, size_t cap)
{
	memset(b, 0, sizeof *b);
	b->items = malloc((cap ? cap : 1) * sizeof *b->items);
	b->text = malloc(LOG_BATCH_FIRST_TEXT);
	if (b->items == NULL || b->text == NULL) {
		log_batch_free(b);
		return -PROTO_E_INTERNAL;
	}
	b->cap = cap ? cap : 1;
	b->text[0] = '\0';
	b->text_len = 1;
	b->text_cap = LOG_BATCH_FIRST_TEXT;
	return 0;
}

void
log_batch_free(struct log_batch *b)
{
	free(b->items);
	free(b->factors);
	free(b->slots);
	free(b->text);
	memset(b, 0, sizeof *b);
}

/* Copies s into the text; its offset in *at (0 for ""). */
static int
keep_text(struct log_batch *b, const char *s, uint32_t *at)
{
	size_t len = strlen(s);
	if (len == 0) {
		*at = 0;
		return 0;
	}
	if (b->text_len + len + 1 > b->text_cap) {
		size_t cap = b->text_cap;
		while (b->text_len + len + 1 > cap)
			cap *= 2;
		char *p = realloc(b->text, cap);
		if (p == NULL)
			return -PROTO_E_INTERNAL;
		b->text = p;
		b->text_cap = cap;
	}
	memcpy(b->text + b->text_len, s, len + 1);
	*at = (uint32_t)b->text_len;
	b->text_len += len + 1;
	return 0;
}

/* FNV-1a of a factor name, for the batch's table of slots. */
static uint32_t
name_hash(const char *name)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* The slot of `name` in the batch's open-addressed table: the one that
 * holds its factor's index plus one, or the empty one (0) it would go in. */
static uint32_t *
factor_slot(const struct log_batch *b, const char *name)
{
	size_t mask = b->n_slots - 1;
	for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
		uint32_t *slot = &b->slots[i];
		if (*slot == 0 || strcmp(b->factors[*slot - 1].name, name) == 0)
			return slot;
	}
}

/* Doubles the table (from LOG_BATCH_FIRST_SLOTS), placing every factor
 * again. */
static int
grow_slots(struct log_batch *b)
{
	size_t n = b->n_slots ? b->n_slots * 2 : LOG_BATCH_FIRST_SLOTS;
	uint32_t *slots = calloc(n, sizeof *slots);
	if (slots == NULL)
		return -PROTO_E_INTERNAL;
	free(b->slots);
	b->slots = slots;
	b->n_slots = n;
	for (size_t k = 0; k < b->n_factors; k++)
		*factor_slot(b, b->factors[k].name) = (uint32_t)k + 1;
	return 0;
}

/* The index of f in the batch's factors, added when new. A batch mostly
 * repeats a few factors, so the last one used is tried first; any other
 * is found through the table of slots, so that a batch of thousands of
 * new names costs no more per entry than one of a few. */
static int
keep_factor(struct log_batch *b, const struct factor *f, uint32_t *at)
{
	if (b->n > 0) {
		uint32_t last = b->items[b->n - 1].factor_at;
		if (strcmp(b->factors[last].name, f->name) == 0) {
			*at = last;
			return 0;
		}
	}
	/* At most half full, so that a probe ends soon. */
	if (2 * (b->n_factors + 1) > b->n_slots && grow_slots(b) != 0)
		return -PROTO_E_INTERNAL;
	uint32_t *slot = factor_slot(b, f->name);
	if (*slot != 0) {
		*at = *slot - 1;
		return 0;
	}
	if (grow_for_one((void **)&b->factors, &b->cap_factors, b->n_factors, sizeof *b->factors,
	    8) != 0)
		return -PROTO_E_INTERNAL;
	b->factors[b->n_factors] = *f;
	*at = (uint32_t)b->n_factors++;
	*slot = *at + 1;
	return 0;
}

int
log_batch_add(struct log_batch *b, const struct entry *e, const struct factor *f,
    const char *rejected)
{
	if (grow_for_one((void **)&b->items, &b->cap, b->n, sizeof *b->items, 64) != 0)
		return -PROTO_E_INTERNAL;
	struct log_item *it = &b->items[b->n];
	memcpy(it->id, e->id, sizeof it->id);
	it->status = rejected != NULL ? LOG_REJECTED : LOG_PENDING;
	it->source = (int8_t)e->source;
	it->time_ms = e->time_ms;
	it->value = e->value;
	it->utc_offset_min = e->utc_offset_min;
	it->day = e->day;
	if (keep_factor(b, f, &it->factor_at) != 0 || keep_text(b, e->note, &it->note_at) != 0 ||
	    keep_text(b, rejected != NULL ? rejected : "", &it->message_at) != 0)
		return -PROTO_E_INTERNAL;
	b->n++;
	return 0;
}

const struct factor *
log_batch_find_factor(const struct log_batch *b, const char *name)
{
	if (b->n_slots == 0)
		return NULL;
	const uint32_t *slot = factor_slot(b, name);
	return *slot != 0 ? &b->factors[*slot - 1] : NULL;
}

const struct factor *
log_batch_factor(const struct log_batch *b, const struct log_item *it)
{
	return &b->factors[it->factor_at];
}

const char *
log_batch_note(const struct log_batch *b, const struct log_item *it)
{
	return b->text + it->note_at;
}

const char *
log_batch_message(const struct log_batch *b, const struct log_item *it)
{
	return b->text + it->message_at;
}

/* Copies s into out of `cap` bytes, cut to fit: the store thread builds
 * every entry of an import this way, where snprintf was 4% of its time. */
static void
copy_text(char *out, const char *s, size_t cap)
{
	size_t len = strnlen(s, cap - 1);
	memcpy(out, s, len);
	out[len] = '\0';
}

void
log_batch_entry(const struct log_batch *b, const struct log_item *it, struct entry *out)
{
	memcpy(out->id, it->id, sizeof out->id);
	out->time_ms = it->time_ms;
	out->utc_offset_min = it->utc_offset_min;
	out->day = it->day;
	copy_text(out->factor, log_batch_factor(b, it)->name, sizeof out->factor);
	out->value = it->value;
	copy_text(out->note, log_batch_note(b, it), sizeof out->note);
	out->source = it->source;
	out->deleted = false;
	out->no_value = false;
}
