/*
 * test_catalog.c: what the catalog makes of what a person types: the
 * nearest known name for a typo (and none for a new word), units checked
 * against the factor's, and medicines logged by drug name counted as doses
 * of their class in the analysis's input; the count kind for steps; and a
 * request with thousands of new names: the catalog learns them all in
 * order, and a log batch's table of factors finds each one.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/analysis_glue.h"
#include "daemon/catalog.h"
#include "daemon/log_batch.h"
#include "proto/proto.h"

static void
test_suggestions_for_typos_only(void **state)
{
	(void)state;
	struct catalog cat;
	assert_int_equal(catalog_init(&cat), 0);
	static const char *const typos[][2] = {
		{"stifness", "stiffness"}, {"pian", "pain"}, {"slep", "sleep"}, {"stres", "stress"},
		{"fatige", "fatigue"}, {"dairyy", "dairy"}, {"ibuprofin", "ibuprofen"},
		{"moood", "mood"}, {"enrgy", "energy"}, {"nsiad", "nsaid"},
	};
	for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
		const char *got = catalog_suggest(&cat, typos[i][0]);
		assert_non_null(got);
		assert_string_equal(got, typos[i][1]);
	}
	/* New words are not forced onto a known name. */
	static const char *const new_words[] = {"tomato", "coffee", "walk", "migraine", "pa", "steps"};
	for (size_t i = 0; i < sizeof new_words / sizeof new_words[0]; i++)
		assert_null(catalog_suggest(&cat, new_words[i]));
	catalog_free(&cat);
}

static void
test_units(void **state)
{
	(void)state;
	struct catalog cat;
	char err[256];
	assert_int_equal(catalog_init(&cat), 0);
	const struct factor *ibu = catalog_find(&cat, "ibuprofen");
	assert_non_null(ibu);
	assert_int_equal(catalog_check_unit(ibu, "mg", err, sizeof err), 0);
	assert_int_equal(catalog_check_unit(ibu, "g", err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_string_equal(err, "ibuprofen is logged in mg (got g)");
	const struct factor *sleep = catalog_find(&cat, "sleep_hours");
	assert_int_equal(catalog_check_unit(sleep, "h", err, sizeof err), 0);
	assert_int_equal(catalog_check_unit(sleep, "hours", err, sizeof err), 0);
	assert_int_equal(catalog_check_unit(sleep, "min", err, sizeof err), -PROTO_E_INVALID_PARAMS);
	const struct factor *pain = catalog_find(&cat, "pain");
	assert_int_equal(catalog_check_unit(pain, "kg", err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_non_null(strstr(err, "plain number"));
	assert_string_equal(catalog_counts_as("naproxen"), "nsaid");
	assert_null(catalog_counts_as("pain"));
	catalog_free(&cat);
}

static void
test_drug_entries_are_doses_of_their_class(void **state)
{
	(void)state;
	struct catalog cat;
	assert_int_equal(catalog_init(&cat), 0);
	/* Day 100: two ibuprofen doses, one naproxen, one logged as nsaid 2;
	 * day 101: nothing but pain. */
	struct daily_row rows[] = {
		{.day = 100, .factor = "ibuprofen", .count = 2, .sum = 800, .max = 400, .first_ms = 5000},
		{.day = 100, .factor = "naproxen", .count = 1, .sum = 250, .max = 250, .first_ms = 3000},
		{.day = 100, .factor = "nsaid", .count = 1, .sum = 2, .max = 2, .first_ms = 9000},
		{.day = 100, .factor = "pain", .count = 1, .sum = 3, .max = 3, .first_ms = 1000},
		{.day = 101, .factor = "pain", .count = 1, .sum = 2, .max = 2, .first_ms = 1000},
	};
	struct daily_rows dr = {rows, sizeof rows / sizeof rows[0], sizeof rows / sizeof rows[0]};
	struct analysis_input in;
	assert_int_equal(glue_build_input(&cat, &dr, 101, 2, &in), 0);
	int nsaid = analysis_find_factor(&in, "nsaid");
	assert_true(nsaid >= 0);
	assert_int_equal(analysis_find_factor(&in, "ibuprofen"), -1);
	assert_int_equal(analysis_find_factor(&in, "naproxen"), -1);
	assert_int_equal(in.first_day, 100);
	assert_true(fabs(in.factors[nsaid].values[0] - 5) < 1e-9); /* 2 + 1 + 2 doses */
	assert_true(fabs(in.factors[nsaid].first_ms[0] - 3000) < 1e-9);
	glue_free_input(&in);
	catalog_free(&cat);
}

/* The count kind: a step count in the thousands, named and parsed like the
 * other kinds, 0 to a million an entry, refused without a value, and
 * summed over the day in the analysis's input as a number (not an event). */
static void
test_count_kind_holds_steps(void **state)
{
	(void)state;
	assert_int_equal(factor_kind_parse("count"), FACTOR_COUNT);
	assert_string_equal(factor_kind_name(FACTOR_COUNT), "count");
	/* factor_kind_list() names every kind, in order. */
	char listed[128] = "";
	for (int k = 0; k <= FACTOR_KIND_LAST; k++) {
		assert_int_equal(factor_kind_parse(factor_kind_name(k)), k);
		size_t len = strlen(listed);
		snprintf(listed + len, sizeof listed - len, "%s%s", k ? ", " : "", factor_kind_name(k));
	}
	assert_string_equal(factor_kind_list(), listed);
	/* The wire's words are the catalog's, and no more. */
	assert_null(proto_factor_kinds[FACTOR_KIND_LAST + 1]);
	assert_null(proto_factor_roles[ROLE_TREATMENT + 1]);
	assert_int_equal(proto_word_index(proto_factor_roles, "treatment"), ROLE_TREATMENT);
	struct factor steps;
	catalog_default_factor(&steps, "steps");
	steps.kind = FACTOR_COUNT;
	factor_kind_range(steps.kind, &steps.min, &steps.max);
	assert_true(steps.min == 0 && steps.max == 1000000);
	char err[256];
	assert_int_equal(catalog_check_value(&steps, 8500, err, sizeof err), 0);
	assert_int_equal(catalog_check_value(&steps, 1000000, err, sizeof err), 0);
	assert_int_equal(catalog_check_value(&steps, 2000000, err, sizeof err), -PROTO_E_OUT_OF_RANGE);
	assert_string_equal(err, "steps must be between 0 and 1000000 (got 2000000)");
	assert_int_equal(catalog_check_missing_value(&steps, err, sizeof err),
	    -PROTO_E_INVALID_PARAMS);

	struct catalog cat;
	assert_int_equal(catalog_init(&cat), 0);
	assert_int_equal(catalog_put(&cat, &steps), 0);
	struct daily_row rows[] = {
		{.day = 200, .factor = "steps", .count = 2, .sum = 12500, .max = 8500, .first_ms = 1},
		{.day = 201, .factor = "pain", .count = 1, .sum = 2, .max = 2, .first_ms = 1},
	};
	struct daily_rows dr = {rows, sizeof rows / sizeof rows[0], sizeof rows / sizeof rows[0]};
	struct analysis_input in;
	assert_int_equal(glue_build_input(&cat, &dr, 201, 2, &in), 0);
	int f = analysis_find_factor(&in, "steps");
	assert_true(f >= 0);
	assert_int_equal(in.factors[f].kind, AK_COUNT);
	assert_true(fabs(in.factors[f].values[0] - 12500) < 1e-9);
	assert_true(isnan(in.factors[f].values[1]));
	glue_free_input(&in);
	catalog_free(&cat);
}

/* Names n0000..n(N-1), visited in a shuffled order (a multiplier prime
 * to N walks every index once). */
#define MANY_NAMES 6000
static void
many_name(size_t i, char out[PROTO_FACTOR_MAX + 1])
{
	snprintf(out, PROTO_FACTOR_MAX + 1, "n%04zu", (i * 4099) % MANY_NAMES);
}

static void
test_thousands_of_new_names_are_learned_in_order(void **state)
{
	(void)state;
	struct catalog cat;
	assert_int_equal(catalog_init(&cat), 0);
	size_t builtins = cat.count;
	/* Half the names first, as one request would bring them; then all of
	 * them again with repeats and built-in names among them, which change
	 * nothing. */
	struct factor *fs = calloc(2 * MANY_NAMES + 2, sizeof *fs);
	const struct factor **ptrs = calloc(2 * MANY_NAMES + 2, sizeof *ptrs);
	assert_non_null(fs);
	assert_non_null(ptrs);
	for (size_t i = 0; i < MANY_NAMES; i++) {
		char name[PROTO_FACTOR_MAX + 1];
		many_name(i, name);
		catalog_default_factor(&fs[i], name);
		catalog_default_factor(&fs[MANY_NAMES + i], name);
		fs[MANY_NAMES + i].kind = FACTOR_SCALE; /* a repeat does not replace */
	}
	catalog_default_factor(&fs[2 * MANY_NAMES], "pain");
	catalog_default_factor(&fs[2 * MANY_NAMES + 1], "dairy");
	for (size_t i = 0; i < 2 * MANY_NAMES + 2; i++)
		ptrs[i] = &fs[i];
	assert_int_equal(catalog_add_new(&cat, ptrs, MANY_NAMES / 2), 0);
	assert_int_equal(cat.count, builtins + MANY_NAMES / 2);
	assert_int_equal(catalog_add_new(&cat, ptrs, 2 * MANY_NAMES + 2), 0);
	assert_int_equal(cat.count, builtins + MANY_NAMES);
	for (size_t i = 1; i < cat.count; i++)
		assert_true(strcmp(cat.factors[i - 1].name, cat.factors[i].name) < 0);
	for (size_t i = 0; i < MANY_NAMES; i++) {
		const struct factor *f = catalog_find(&cat, fs[i].name);
		assert_non_null(f);
		assert_int_equal(f->kind, FACTOR_EVENT);
		assert_false(f->builtin);
	}
	const struct factor *pain = catalog_find(&cat, "pain");
	assert_non_null(pain);
	assert_true(pain->builtin);
	assert_int_equal(pain->kind, FACTOR_SCALE);
	assert_int_equal(catalog_add_new(&cat, ptrs, 0), 0);
	assert_int_equal(cat.count, builtins + MANY_NAMES);
	free(ptrs);
	free(fs);
	catalog_free(&cat);
}

static void
test_a_batch_of_thousands_of_names_keeps_each_entrys_factor(void **state)
{
	(void)state;
	struct log_batch b;
	assert_int_equal(log_batch_init(&b, 16), 0);
	/* Every name twice, apart, then a run of one name. */
	for (size_t round = 0; round < 2; round++) {
		for (size_t i = 0; i < MANY_NAMES; i++) {
			struct entry e = {0};
			struct factor f;
			many_name(i, e.factor);
			catalog_default_factor(&f, e.factor);
			e.value = (double)i;
			assert_int_equal(log_batch_add(&b, &e, &f, NULL), 0);
		}
	}
	for (size_t i = 0; i < 3; i++) {
		struct entry e = {0};
		struct factor f;
		snprintf(e.factor, sizeof e.factor, "pain");
		catalog_default_factor(&f, "pain");
		assert_int_equal(log_batch_add(&b, &e, &f, NULL), 0);
	}
	assert_int_equal(b.n, 2 * MANY_NAMES + 3);
	assert_int_equal(b.n_factors, MANY_NAMES + 1);
	for (size_t k = 0; k < b.n; k++) {
		char name[PROTO_FACTOR_MAX + 1];
		if (k < 2 * MANY_NAMES)
			many_name(k % MANY_NAMES, name);
		else
			snprintf(name, sizeof name, "pain");
		assert_string_equal(log_batch_factor(&b, &b.items[k])->name, name);
		if (k >= MANY_NAMES && k < 2 * MANY_NAMES)
			assert_int_equal(b.items[k].factor_at, b.items[k - MANY_NAMES].factor_at);
	}
	log_batch_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggestions_for_typos_only),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_drug_entries_are_doses_of_their_class),
		cmocka_unit_test(test_count_kind_holds_steps),
		cmocka_unit_test(test_thousands_of_new_names_are_learned_in_order),
		cmocka_unit_test(test_a_batch_of_thousands_of_names_keeps_each_entrys_factor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
