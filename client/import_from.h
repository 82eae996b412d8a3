/*
 * import_from.h: the part of `simmer import` that talks to simmerd about
 * factors. For `--from bearable|flaredown|sheet FILE`, the factors a
 * tracker's file needs are fitted to the daemon's catalog and defined, then
 * the entries are handed to import's batching (transfer.c) one by one. For
 * a JSON Lines file, each factor definition it carries is defined when the
 * store lacks the factor, and kept as the store has it otherwise; the
 * catalog is also what export reads to write those definitions.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_IMPORT_FROM_H
#define SIMMER_CLIENT_IMPORT_FROM_H

#include "client/conn.h"
#include "client/tracker.h"

/* One factor as the daemon knows it. */
struct known_factor {
	char name[PROTO_FACTOR_MAX + 1];
	char kind[16];
	char role[16];
	char unit[PROTO_UNIT_MAX + 1];
	bool builtin;
};

/* The daemon's catalog, as the `factors` method lists it. */
struct catalog_view {
	struct known_factor *factors;
	size_t count, cap;
	bool fetched;
};

int catalog_view_fetch(struct client_conn *c, struct catalog_view *v, char *err, size_t errlen);
const struct known_factor *catalog_view_find(const struct catalog_view *v, const char *name);
void catalog_view_free(struct catalog_view *v);
/* Whether a factor's definition differs from the one a new name gets on
 * first use (an event exposure without a unit): what an export carries. */
bool known_factor_is_own(const struct known_factor *k);

/* What a definition line did. */
enum definition_outcome {
	DEFINITION_ADDED,    /* the store lacked the factor: defined */
	DEFINITION_PRESENT,  /* the store has it, defined the same */
	DEFINITION_KEPT,     /* the store has it otherwise: kept, `note` says how */
};

/* Settles a definition read from a file against the catalog v (fetched on
 * first use, updated with what is defined). Returns an outcome (>= 0), or a
 * negative proto error with err filled: -PROTO_E_INVALID_PARAMS when
 * simmerd refused the definition (the line is refused), anything else when
 * the import cannot go on. */
int import_definition(struct client_conn *c, struct catalog_view *v,
    const struct import_definition *d, char *note, size_t notelen, char *err, size_t errlen);

/* Defines the new factors, then calls cb for every line that could not be
 * read and every entry. Returns 0, the first non-zero cb result, or a
 * negative proto error with err filled. */
int import_from_tracker(struct client_conn *c, struct tracker *t, import_record_cb cb, void *arg,
    char *err, size_t errlen);

#endif
