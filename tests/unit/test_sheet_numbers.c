/*
 * test_sheet_numbers.c: how a spreadsheet column's numbers with thousands
 * separators or a decimal comma are read (client/sheet_numbers.c): the
 * column's evidence, each style's readings, and what is refused.
 *
 * SPDX-License-Identifier: ISC
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client/sheet_numbers.h"

static enum number_style
style_of(const char *const *cells)
{
	struct number_evidence e = {0};
	for (; *cells; cells++)
		number_evidence_add(&e, *cells);
	return number_style_of(&e);
}

static double
read_as(const char *cell, enum number_style style)
{
	double v = -1;
	char why[200];
	assert_int_equal(number_read(cell, style, &v, why, sizeof why), 1);
	return v;
}

static void
refused(const char *cell, enum number_style style, const char *says)
{
	double v;
	char why[200] = "";
	assert_int_equal(number_read(cell, style, &v, why, sizeof why), -1);
	assert_non_null(strstr(why, says));
}

static void
test_column_evidence(void **state)
{
	(void)state;
	/* Groups of three alone tell nothing; a whole thousand, two commas,
	 * a comma then a dot, or a dot decimal show grouping commas. */
	assert_int_equal(style_of((const char *[]){"1,500", "2,250", "300", NULL}), NUMBERS_UNTOLD);
	assert_int_equal(style_of((const char *[]){"8,500", "12,000", NULL}), NUMBERS_DOT_DECIMAL);
	assert_int_equal(style_of((const char *[]){"1,234,567", NULL}), NUMBERS_DOT_DECIMAL);
	assert_int_equal(style_of((const char *[]){"1,234.5", NULL}), NUMBERS_DOT_DECIMAL);
	assert_int_equal(style_of((const char *[]){"1,500", "7.5", NULL}), NUMBERS_DOT_DECIMAL);
	/* A comma that is no group of three, or dots that group, show a
	 * decimal comma; a leading 0 groups nothing. */
	assert_int_equal(style_of((const char *[]){"7,5", "8", NULL}), NUMBERS_COMMA_DECIMAL);
	assert_int_equal(style_of((const char *[]){"0,500", NULL}), NUMBERS_COMMA_DECIMAL);
	assert_int_equal(style_of((const char *[]){"1234,5", NULL}), NUMBERS_COMMA_DECIMAL);
	assert_int_equal(style_of((const char *[]){"1.234,5", NULL}), NUMBERS_COMMA_DECIMAL);
	assert_int_equal(style_of((const char *[]){"1.234.567", NULL}), NUMBERS_COMMA_DECIMAL);
	assert_int_equal(style_of((const char *[]){"7,5", "7.5", NULL}), NUMBERS_MIXED);
	/* Dates, words and plain numbers show nothing. */
	assert_int_equal(style_of((const char *[]){"14.03.2024", "yes", "12", "", NULL}),
	    NUMBERS_UNTOLD);
	assert_int_equal(style_of((const char *[]){"yes", "12", "", "8.500", NULL}), NUMBERS_UNTOLD);
}

static void
test_readings(void **state)
{
	(void)state;
	assert_true(read_as(" 8,500 ", NUMBERS_DOT_DECIMAL) == 8500);
	assert_true(read_as("1,234,567.25", NUMBERS_DOT_DECIMAL) == 1234567.25);
	assert_true(read_as("-1,500", NUMBERS_DOT_DECIMAL) == -1500);
	assert_true(read_as("8.500", NUMBERS_DOT_DECIMAL) == 8.5);
	assert_true(read_as("7,5", NUMBERS_COMMA_DECIMAL) == 7.5);
	assert_true(read_as("1,500", NUMBERS_COMMA_DECIMAL) == 1.5);
	assert_true(read_as("8.500", NUMBERS_COMMA_DECIMAL) == 8500);
	assert_true(read_as("1.234,5", NUMBERS_COMMA_DECIMAL) == 1234.5);
	assert_true(read_as("7.5", NUMBERS_COMMA_DECIMAL) == 7.5);
	/* Without commas, every style reads a number as before. */
	assert_true(read_as("8.500", NUMBERS_UNTOLD) == 8.5);
	assert_true(read_as("42", NUMBERS_UNTOLD) == 42);
}

static void
test_refusals(void **state)
{
	(void)state;
	refused("1,500", NUMBERS_UNTOLD, "'1,500' could be 1500 or 1.5: nothing else in the column "
	    "shows whether ',' groups thousands or marks decimals");
	refused("7,5", NUMBERS_MIXED, "both as 1,234.5 and as 1.234,5");
	refused("1234,5", NUMBERS_DOT_DECIMAL, "not written as the column's other numbers are");
	double v;
	char why[200];
	/* Not a number at all: a word, for the caller to say so. */
	assert_int_equal(number_read("1,2,3", NUMBERS_DOT_DECIMAL, &v, why, sizeof why), 0);
	assert_int_equal(number_read("yes", NUMBERS_UNTOLD, &v, why, sizeof why), 0);
	assert_int_equal(number_read("1e3", NUMBERS_UNTOLD, &v, why, sizeof why), 0);
	assert_int_equal(number_read(",", NUMBERS_UNTOLD, &v, why, sizeof why), 0);
	assert_int_equal(number_read("12345678901234567890123456789012345678901234567890",
	    NUMBERS_UNTOLD, &v, why, sizeof why), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_column_evidence),
		cmocka_unit_test(test_readings),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
