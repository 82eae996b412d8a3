/*
 * catalog.c: the built-in factors and the in-memory catalog (see catalog.h).
 *
 * The catalog is an array kept sorted by name, so a lookup is a binary
 * search: the daemon checks every entry of a million-line import against it.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/catalog.h"
#include "daemon/grow.h"
#include "proto/proto.h"

#define S FACTOR_SCALE
#define H FACTOR_HOURS
#define M FACTOR_MINUTES
#define E FACTOR_EVENT
#define F FACTOR_FLARE

static const struct factor builtin_factors[] = {
	{"sleep_hours", H, ROLE_EXPOSURE, "h", 0, 24, true, "hours slept; short sleep adds to the load"},
	{"sleep_quality", S, ROLE_EXPOSURE, "1-5", 1, 5, true, "how restful the sleep was, 1 poor to 5 good"},
	{"stress", S, ROLE_EXPOSURE, "0-10", 0, 10, true, "the day's highest stress"},
	{"activity_minutes", M, ROLE_EXPOSURE, "min", 0, 1440, true, "minutes of exercise or hard physical work"},
	{"activity_rpe", S, ROLE_EXPOSURE, "1-10", 1, 10, true, "how hard the activity felt, 1 easy to 10 maximal"},
	{"pain", S, ROLE_OUTCOME, "0-10", 0, 10, true, "the day's worst pain"},
	{"stiffness", S, ROLE_SYMPTOM, "0-10", 0, 10, true, "stiffness, often an early sign"},
	{"fatigue", S, ROLE_SYMPTOM, "0-10", 0, 10, true, "tiredness beyond ordinary sleepiness"},
	{"bloating", S, ROLE_SYMPTOM, "0-10", 0, 10, true, "bloating or other gut discomfort"},
	{"flare", F, ROLE_OUTCOME, "", 0, 1, true, "a flare began"},
	{"dairy", E, ROLE_EXPOSURE, "servings", 0, 100, true, "milk, cheese, yoghurt, cream"},
	{"gluten", E, ROLE_EXPOSURE, "servings", 0, 100, true, "wheat, barley, rye"},
	{"sugar", E, ROLE_EXPOSURE, "servings", 0, 100, true, "sweets, sugary drinks, desserts"},
	{"alcohol", E, ROLE_EXPOSURE, "drinks", 0, 100, true, "standard drinks"},
	{"processed_food", E, ROLE_EXPOSURE, "servings", 0, 100, true, "ready meals, fast food, processed meat"},
	{"late_meal", E, ROLE_EXPOSURE, "", 0, 100, true, "a meal late in the evening"},
	{"skipped_meal", E, ROLE_EXPOSURE, "", 0, 100, true, "a meal skipped"},
	{"nsaid", E, ROLE_TREATMENT, "doses", 0, 100, true, "ibuprofen, naproxen, diclofenac and the like"},
	{"ibuprofen", E, ROLE_TREATMENT, "mg", 0, 3200, true, "an NSAID; each entry is one dose"},
	{"naproxen", E, ROLE_TREATMENT, "mg", 0, 1500, true, "an NSAID; each entry is one dose"},
	{"diclofenac", E, ROLE_TREATMENT, "mg", 0, 200, true, "an NSAID; each entry is one dose"},
	{"aspirin", E, ROLE_TREATMENT, "mg", 0, 4000, true, "an NSAID; each entry is one dose"},
	{"celecoxib", E, ROLE_TREATMENT, "mg", 0, 400, true, "an NSAID; each entry is one dose"},
	{"mood", S, ROLE_SYMPTOM, "0-10", 0, 10, true, "how your mood is, 0 very low to 10 very good"},
	{"energy", S, ROLE_SYMPTOM, "0-10", 0, 10, true, "how much energy you have, 0 none to 10 plenty"},
	{"omega3", E, ROLE_EXPOSURE, "servings", 0, 100, true, "oily fish or omega-3 supplement"},
	{"fermented", E, ROLE_EXPOSURE, "servings", 0, 100, true, "kefir, sauerkraut, kimchi and the like"},
	{"fever", E, ROLE_RED_FLAG, "", 0, 100, true, "fever: needs medical evaluation"},
	{"numbness", E, ROLE_RED_FLAG, "", 0, 100, true, "new or spreading numbness: needs medical evaluation"},
	{"weakness", E, ROLE_RED_FLAG, "", 0, 100, true, "new or progressive weakness: needs medical evaluation"},
	{"night_pain", E, ROLE_RED_FLAG, "", 0, 100, true, "severe pain at night: needs medical evaluation"},
	{"weight_loss", E, ROLE_RED_FLAG, "", 0, 100, true, "unexplained weight loss: needs medical evaluation"},
};

#undef S
#undef H
#undef M
#undef E
#undef F

/* Medicines logged by drug name, and the class each entry counts one dose
 * of: the analysis sees NSAID doses per day, whatever the drug. */
static const struct dose_class {
	const char *drug, *counts_as;
} dose_classes[] = {
	{"ibuprofen", "nsaid"},
	{"naproxen", "nsaid"},
	{"diclofenac", "nsaid"},
	{"aspirin", "nsaid"},
	{"celecoxib", "nsaid"},
};

static const struct alias {
	const char *alias, *name;
} aliases[] = {
	{"sleep", "sleep_hours"},
	{"quality", "sleep_quality"},
	{"activity", "activity_minutes"},
	{"exercise", "activity_minutes"},
	{"rpe", "activity_rpe"},
};

static int
factor_cmp(const void *a, const void *b)
{
	return strcmp(((const struct factor *)a)->name, ((const struct factor *)b)->name);
}

int
catalog_init(struct catalog *cat)
{
	size_t n = sizeof builtin_factors / sizeof builtin_factors[0];
	cat->factors = malloc((n + 16) * sizeof *cat->factors);
	if (cat->factors == NULL)
		return -ENOMEM;
	memcpy(cat->factors, builtin_factors, sizeof builtin_factors);
	cat->count = n;
	cat->cap = n + 16;
	qsort(cat->factors, cat->count, sizeof *cat->factors, factor_cmp);
	return 0;
}

void
catalog_free(struct catalog *cat)
{
	free(cat->factors);
	cat->factors = NULL;
	cat->count = cat->cap = 0;
}

int
catalog_copy(struct catalog *dst, const struct catalog *src)
{
	dst->factors = malloc((src->count ? src->count : 1) * sizeof *dst->factors);
	if (dst->factors == NULL)
		return -ENOMEM;
	memcpy(dst->factors, src->factors, src->count * sizeof *dst->factors);
	dst->count = dst->cap = src->count;
	return 0;
}

const char *
catalog_counts_as(const char *name)
{
	for (size_t k = 0; k < sizeof dose_classes / sizeof dose_classes[0]; k++)
		if (strcmp(name, dose_classes[k].drug) == 0)
			return dose_classes[k].counts_as;
	return NULL;
}

const char *
catalog_resolve_alias(const char *name)
{
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(aliases[i].alias, name) == 0)
			return aliases[i].name;
	return name;
}

const struct factor *
catalog_find(const struct catalog *cat, const char *name)
{
	size_t lo = 0, hi = cat->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, cat->factors[mid].name);
		if (c == 0)
			return &cat->factors[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int
catalog_put(struct catalog *cat, const struct factor *f)
{
	struct factor *known = (struct factor *)catalog_find(cat, f->name);
	if (known != NULL) {
		if (known->builtin)
			return -EPERM;
		*known = *f;
		known->builtin = false;
		return 0;
	}
	if (grow_for_one((void **)&cat->factors, &cat->cap, cat->count, sizeof *cat->factors, 32) != 0)
		return -ENOMEM;
	/* Insert in order, keeping the binary search valid. */
	size_t at = 0;
	while (at < cat->count && strcmp(cat->factors[at].name, f->name) < 0)
		at++;
	memmove(&cat->factors[at + 1], &cat->factors[at], (cat->count - at) * sizeof *cat->factors);
	cat->factors[at] = *f;
	cat->factors[at].builtin = false;
	cat->count++;
	return 0;
}

int
catalog_add_new(struct catalog *cat, const struct factor *const *fs, size_t n)
{
	struct factor *fresh = malloc((n ? n : 1) * sizeof *fresh);
	if (fresh == NULL)
		return -ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (catalog_find(cat, fs[i]->name) != NULL)
			continue;
		fresh[m] = *fs[i];
		fresh[m++].builtin = false;
	}
	qsort(fresh, m, sizeof *fresh, factor_cmp);
	size_t distinct = 0;
	for (size_t i = 0; i < m; i++)
		if (distinct == 0 || strcmp(fresh[distinct - 1].name, fresh[i].name) != 0)
			fresh[distinct++] = fresh[i];
	if (cat->count + distinct > cat->cap) {
		size_t cap = cat->cap * 2 > cat->count + distinct ? cat->cap * 2 : cat->count + distinct;
		struct factor *p = realloc(cat->factors, cap * sizeof *p);
		if (p == NULL) {
			free(fresh);
			return -ENOMEM;
		}
		cat->factors = p;
		cat->cap = cap;
	}
	/* Merged from the end, so that every factor moves once. */
	size_t i = cat->count, j = distinct, k = cat->count + distinct;
	while (j > 0) {
		if (i > 0 && strcmp(cat->factors[i - 1].name, fresh[j - 1].name) > 0)
			cat->factors[--k] = cat->factors[--i];
		else
			cat->factors[--k] = fresh[--j];
	}
	cat->count += distinct;
	free(fresh);
	return 0;
}

void
factor_kind_range(int kind, double *min, double *max)
{
	switch (kind) {
	case FACTOR_SCALE: *min = 0; *max = 10; break;
	case FACTOR_HOURS: *min = 0; *max = 24; break;
	case FACTOR_MINUTES: *min = 0; *max = 1440; break;
	case FACTOR_FLARE: *min = 0; *max = 1; break;
	case FACTOR_COUNT: *min = 0; *max = FACTOR_COUNT_MAX; break;
	default: *min = 0; *max = PROTO_EVENT_MAX; break;
	}
}

void
catalog_default_factor(struct factor *f, const char *name)
{
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	f->kind = FACTOR_EVENT;
	f->role = ROLE_EXPOSURE;
	factor_kind_range(f->kind, &f->min, &f->max);
	snprintf(f->description, sizeof f->description, "added on first use");
}

const char *
catalog_suggest(const struct catalog *cat, const char *name)
{
	size_t limit = proto_typo_distance(name);
	const char *best = NULL;
	size_t best_d = limit + 1;
	for (size_t i = 0; i < cat->count; i++) {
		size_t dist = proto_name_distance(name, cat->factors[i].name, limit);
		if (dist < best_d) {
			best_d = dist;
			best = cat->factors[i].name;
		}
	}
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		size_t dist = proto_name_distance(name, aliases[i].alias, limit);
		if (dist < best_d) {
			best_d = dist;
			best = aliases[i].alias;
		}
	}
	return best;
}

/* Spellings of one unit a person may type. */
static const char *const unit_spellings[][4] = {
	{"h", "hours", "hour", "hr"},
	{"min", "minutes", "minute", "mins"},
	{"mg", "milligrams", NULL, NULL},
	{"doses", "dose", NULL, NULL},
	{"drinks", "drink", NULL, NULL},
	{"servings", "serving", NULL, NULL},
};

static bool
unit_spelled(const char *canonical, const char *typed)
{
	if (strcmp(canonical, typed) == 0)
		return true;
	for (size_t i = 0; i < sizeof unit_spellings / sizeof unit_spellings[0]; i++) {
		if (strcmp(unit_spellings[i][0], canonical) != 0)
			continue;
		for (size_t k = 1; k < 4 && unit_spellings[i][k]; k++)
			if (strcmp(unit_spellings[i][k], typed) == 0)
				return true;
	}
	return false;
}

int
catalog_check_unit(const struct factor *f, const char *unit, char *err, size_t errlen)
{
	if (unit_spelled(f->unit, unit))
		return 0;
	/* "0-10"-style units only repeat a scale's range: no unit to type. */
	if (f->unit[0] == '\0' || strchr(f->unit, '-') != NULL)
		snprintf(err, errlen, "%s takes a plain number, without a unit (got %s)", f->name, unit);
	else
		snprintf(err, errlen, "%s is logged in %s (got %s)", f->name, f->unit, unit);
	return -PROTO_E_INVALID_PARAMS;
}

/* Values print without trailing zeros and, up to ten digits, without an
 * exponent: "between 0 and 10", "1.5", "1000000". */
static void
format_number(char *out, size_t outlen, double v)
{
	snprintf(out, outlen, "%.10g", v);
}

int
catalog_check_value(const struct factor *f, double value, char *err, size_t errlen)
{
	if (isfinite(value) && value >= f->min && value <= f->max)
		return 0;
	char lo[32], hi[32], got[32];
	format_number(lo, sizeof lo, f->min);
	format_number(hi, sizeof hi, f->max);
	format_number(got, sizeof got, value);
	/* "0-10"-style units only repeat the range; real units are named. */
	bool named_unit = f->unit[0] != '\0' && strchr(f->unit, '-') == NULL;
	snprintf(err, errlen, "%s must be between %s and %s%s%s (got %s)%s", f->name, lo, hi,
	    named_unit ? " " : "", named_unit ? f->unit : "", got,
	    strcmp(f->unit, "doses") == 0 ? "; it counts doses: log a drug with its amount, as in "
	    "'simmer ibuprofen 400mg'" : "");
	return -PROTO_E_OUT_OF_RANGE;
}

int
catalog_check_missing_value(const struct factor *f, char *err, size_t errlen)
{
	if (f->kind == FACTOR_EVENT || f->kind == FACTOR_FLARE)
		return 0;
	/* The example is an everyday value, not the range's end: "steps 5000",
	 * not "steps 1000000". */
	double typical;
	switch (f->kind) {
	case FACTOR_HOURS: typical = 7; break;
	case FACTOR_MINUTES: typical = 30; break;
	case FACTOR_COUNT: typical = 5000; break;
	default: typical = round((f->min + f->max) / 2); break;
	}
	typical = fmin(fmax(typical, f->min), f->max);
	char lo[32], hi[32], example[32];
	format_number(lo, sizeof lo, f->min);
	format_number(hi, sizeof hi, f->max);
	format_number(example, sizeof example, typical);
	snprintf(err, errlen, "%s needs a value between %s and %s, as in '%s %s'", f->name, lo, hi,
	    f->name, example);
	return -PROTO_E_INVALID_PARAMS;
}

/* The words are the wire's, in the order of the enums (a unit test holds
 * them together). */
static const char *const *const kind_names = proto_factor_kinds;
static const char *const *const role_names = proto_factor_roles;

const char *
factor_kind_name(int kind)
{
	return (kind >= 0 && kind <= FACTOR_KIND_LAST) ? kind_names[kind] : "event";
}

const char *
factor_kind_list(void)
{
	/* kind_names in order; a unit test holds the two together. */
	return "scale, hours, minutes, event, flare, count";
}

int
factor_kind_parse(const char *name)
{
	for (int i = 0; i <= FACTOR_KIND_LAST; i++)
		if (strcmp(name, kind_names[i]) == 0)
			return i;
	return -1;
}

const char *
factor_role_name(int role)
{
	return (role >= 0 && role <= ROLE_TREATMENT) ? role_names[role] : "exposure";
}

int
factor_role_parse(const char *name)
{
	for (int i = 0; i <= ROLE_TREATMENT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return i;
	return -1;
}
