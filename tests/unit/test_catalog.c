/*
 * test_catalog.c: what the catalog makes of what a person types: the
 * nearest known name for a typo (and none for a new word), units checked
 * against the factor's, and medicines logged by drug name counted as doses
 * of their class in the analysis's input.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/analysis_glue.h"
#include "daemon/catalog.h"
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
	static const char *const new_words[] = {"tomato", "coffee", "walk", "migraine", "pa"};
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggestions_for_typos_only),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_drug_entries_are_doses_of_their_class),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
