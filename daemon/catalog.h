/*
 * catalog.h: the factor catalog, what each name means and which values it takes.
 *
 * The built-in factors cover what drives inflammatory load (sleep, stress,
 * activity, foods, NSAIDs, gut symptoms) plus the red-flag symptoms that
 * always need medical evaluation. Any other well-formed name is created on
 * first use as an event exposure; `factor_define` changes its kind and role.
 * The loop thread keeps one catalog in memory to validate entries at once;
 * the store persists user-defined factors.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_CATALOG_H
#define SIMMER_DAEMON_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/limits.h"

enum factor_kind {
	FACTOR_SCALE = 0,   /* 0-10 (or a narrower range); the day keeps its maximum */
	FACTOR_HOURS = 1,   /* summed over the day */
	FACTOR_MINUTES = 2, /* summed over the day */
	FACTOR_EVENT = 3,   /* counted: the day's values are summed, a bare event is 1 */
	FACTOR_FLARE = 4,   /* a flare marker; the day keeps its maximum */
	FACTOR_COUNT = 5,   /* a count in the thousands (steps), summed over the day */
};
/* The last kind: kinds run from 0 to it. */
#define FACTOR_KIND_LAST FACTOR_COUNT

/* One entry of a count: a day's steps reach tens of thousands, and more
 * than a million in one entry is a typo, not a walk. */
#define FACTOR_COUNT_MAX 1000000

enum factor_role {
	ROLE_EXPOSURE = 0,  /* may drive load: sleep, foods, stress, ... */
	ROLE_SYMPTOM = 1,   /* may announce a flare: stiffness, bloating, ... */
	ROLE_OUTCOME = 2,   /* what we try to foresee: pain, flare */
	ROLE_RED_FLAG = 3,  /* needs medical evaluation, always alerts */
	ROLE_TREATMENT = 4, /* a medicine, often taken because pain began: its use is
	                     * reported, never as a trigger */
};

#define FACTOR_UNIT_MAX PROTO_UNIT_MAX
#define FACTOR_DESCRIPTION_MAX PROTO_DESCRIPTION_MAX

struct factor {
	char name[PROTO_FACTOR_MAX + 1];
	int kind;           /* enum factor_kind */
	int role;           /* enum factor_role */
	char unit[FACTOR_UNIT_MAX + 1];
	double min, max;    /* inclusive range of one entry's value */
	bool builtin;
	char description[FACTOR_DESCRIPTION_MAX + 1];
};

struct catalog {
	struct factor *factors;
	size_t count, cap;
};

/* Fills the catalog with the built-in factors. 0 or -ENOMEM. */
int catalog_init(struct catalog *cat);
void catalog_free(struct catalog *cat);
/* Deep copy, for handing a snapshot to another thread. */
int catalog_copy(struct catalog *dst, const struct catalog *src);

/* Resolves short aliases a person types ("sleep" -> "sleep_hours",
 * "activity" -> "activity_minutes", "rpe" -> "activity_rpe", "quality" ->
 * "sleep_quality"); other names come back unchanged. */
const char *catalog_resolve_alias(const char *name);

const struct factor *catalog_find(const struct catalog *cat, const char *name);

/* Adds or replaces a factor (a built-in one cannot be replaced: -EPERM). */
int catalog_put(struct catalog *cat, const struct factor *f);
/* Adds each of the n factors whose name the catalog does not know yet (a
 * name repeated in fs once), in one merge: O(count + n log n), where n
 * calls of catalog_put would move the array n times. 0 or -ENOMEM, which
 * leaves the catalog as it was. */
int catalog_add_new(struct catalog *cat, const struct factor *const *fs, size_t n);

/* The factor a new name gets on first use: an event exposure counted per day. */
void catalog_default_factor(struct factor *f, const char *name);

/* Checks one entry's value against the factor's range; on failure writes a
 * message such as "pain must be between 0 and 10 (got 12)" and returns
 * -PROTO_E_OUT_OF_RANGE. */
int catalog_check_value(const struct factor *f, double value, char *err, size_t errlen);

/* An entry sent without a value: fine for an event or a flare marker (it
 * counts 1); any other kind is refused with its range, -PROTO_E_INVALID_PARAMS. */
int catalog_check_missing_value(const struct factor *f, char *err, size_t errlen);

/* The class a medicine logged by its drug name counts one dose of per
 * entry ("ibuprofen" -> "nsaid"), or NULL. */
const char *catalog_counts_as(const char *name);

/* The known name nearest to an unknown one (factors and aliases, ignoring
 * case), when it is close enough to be a typo: one edit for names of up to
 * four letters, two for longer ones, a swap of neighbours counting as one.
 * NULL when nothing is that close. */
const char *catalog_suggest(const struct catalog *cat, const char *name);

/* Checks a unit typed with a value ("400mg") against the factor's unit,
 * allowing plurals and common spellings (h, hours; min, minutes). On a
 * mismatch writes "ibuprofen is logged in mg (got g)" and returns
 * -PROTO_E_INVALID_PARAMS. */
int catalog_check_unit(const struct factor *f, const char *unit, char *err, size_t errlen);

/* Default range for a kind: scale 0-10, hours 0-24, minutes 0-1440,
 * event 0-100, flare 0-1, count 0-1,000,000. */
void factor_kind_range(int kind, double *min, double *max);

const char *factor_kind_name(int kind);   /* "scale", "hours", ... */
/* "scale, hours, minutes, event, flare, count": every kind, for messages. */
const char *factor_kind_list(void);
int factor_kind_parse(const char *name);  /* -1 when unknown */
const char *factor_role_name(int role);   /* "exposure", ... */
int factor_role_parse(const char *name);  /* -1 when unknown */

#endif
