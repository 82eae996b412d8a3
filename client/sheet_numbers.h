/*
 * sheet_numbers.h: numbers with thousands separators or a decimal comma in
 * a spreadsheet diary's column ("8,500", "7,5", "1.234,5"), read the way
 * the column as a whole shows, as dates are (import_sheet.c). Pure.
 *
 * A cell alone often cannot tell: "1,500" is 1500 with a comma grouping
 * thousands, or 1.5 with a decimal comma. The column decides:
 *   - commas group thousands (and a dot is the decimal mark) when a cell
 *     has two commas ("1,234,567"), a comma then a dot ("1,234.5"), a dot
 *     decimal that is no group of three ("7.5", "0.25"), or is a whole
 *     thousand ("12,000": as a decimal that would be 12 written with three
 *     zero decimals);
 *   - a comma is the decimal mark (and a dot groups thousands) when a
 *     cell has a comma that is no group of three ("7,5", "1234,5", "0,500"), two
 *     dots ("1.234.567") or a dot then a comma ("1.234,5");
 *   - when the column shows both, or neither, a cell with a comma is
 *     refused with the reason, not guessed. A dot alone is a decimal mark
 *     unless the column shows decimal commas ("8.500" is then 8500).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_SHEET_NUMBERS_H
#define SIMMER_CLIENT_SHEET_NUMBERS_H

#include <stdbool.h>
#include <stddef.h>

/* Which mark a column's numbers use for decimals. */
enum number_style {
	NUMBERS_UNTOLD,        /* nothing shows it: a dot is decimal, a comma refused */
	NUMBERS_DOT_DECIMAL,   /* 1,234.5 */
	NUMBERS_COMMA_DECIMAL, /* 1.234,5 */
	NUMBERS_MIXED,         /* both shown: a comma is refused */
};

/* What one cell shows of its column's style. */
struct number_evidence {
	bool dot_decimal, comma_decimal;
};

/* Adds what the cell s shows to e. */
void number_evidence_add(struct number_evidence *e, const char *s);
enum number_style number_style_of(const struct number_evidence *e);

/* Reads a cell holding a number with separators (or none) in the column's
 * style. Returns 1 with *v set, 0 when the cell is no number at all (a
 * word), or -1 when it is a number the column cannot place, with why
 * filled ("'1,500' could be 1500 or 1.5: ..."). */
int number_read(const char *s, enum number_style style, double *v, char *why, size_t whylen);

#endif
