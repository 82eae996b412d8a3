/*
 * sheet_numbers.c: numbers with thousands separators or a decimal comma in
 * a spreadsheet diary's column (see sheet_numbers.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/sheet_numbers.h"

/* Digits and separators beyond this are no number a diary holds. */
#define NUMBER_TEXT_MAX 40

/* A cell's number as written: the digits and marks between blanks, with
 * an optional sign; false for anything else (a word, a date). */
static bool
number_text(const char *s, char *out, size_t outlen)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = 0;
	if (*s == '-' || *s == '+')
		out[n++] = *s++;
	bool digit = false;
	for (; *s && !isspace((unsigned char)*s); s++) {
		if (!isdigit((unsigned char)*s) && *s != ',' && *s != '.')
			return false;
		digit |= isdigit((unsigned char)*s) != 0;
		if (n + 1 >= outlen)
			return false;
		out[n++] = *s;
	}
	while (isspace((unsigned char)*s))
		s++;
	out[n] = '\0';
	return digit && *s == '\0';
}

static size_t
count_of(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Digits then nothing more, at least one. */
static bool
all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* 1-3 digits, then groups of exactly three digits after each `group`
 * mark (at least one), then optionally the `decimal` mark and digits. */
static bool
grouped(const char *s, char group, char decimal)
{
	if (*s == '-' || *s == '+')
		s++;
	const char *end = strchr(s, decimal);
	size_t len = end ? (size_t)(end - s) : strlen(s);
	if (end != NULL && !all_digits(end + 1, strlen(end + 1)))
		return false;
	const char *mark = memchr(s, group, len);
	/* "0,500" groups nothing: a first group never starts with 0. */
	if (mark == NULL || mark == s || mark - s > 3 || *s == '0' ||
	    !all_digits(s, (size_t)(mark - s)))
		return false;
	while (mark != NULL) {
		const char *next = memchr(mark + 1, group, len - (size_t)(mark + 1 - s));
		size_t run = (next ? (size_t)(next - s) : len) - (size_t)(mark + 1 - s);
		if (run != 3 || !all_digits(mark + 1, 3))
			return false;
		mark = next;
	}
	return true;
}

/* Digits, one `decimal` mark, digits: no grouping. */
static bool
plain_decimal(const char *s, char decimal)
{
	if (*s == '-' || *s == '+')
		s++;
	const char *mark = strchr(s, decimal);
	return mark != NULL && all_digits(s, (size_t)(mark - s)) &&
	    all_digits(mark + 1, strlen(mark + 1));
}

void
number_evidence_add(struct number_evidence *e, const char *s)
{
	char t[NUMBER_TEXT_MAX];
	if (!number_text(s, t, sizeof t))
		return;
	size_t commas = count_of(t, ','), dots = count_of(t, '.');
	if (commas > 0 && grouped(t, ',', '.')) {
		/* "1,234,567", "1,234.5" and "12,000" only group thousands. */
		size_t len = strlen(t);
		bool thousand = commas == 1 && dots == 0 && len >= 4 &&
		    strcmp(t + len - 4, ",000") == 0;
		e->dot_decimal |= commas > 1 || dots > 0 || thousand;
	} else if (commas == 1 && dots == 0 && plain_decimal(t, ',')) {
		e->comma_decimal = true;
	}
	if (dots > 0 && grouped(t, '.', ','))
		e->comma_decimal |= dots > 1 || commas > 0;
	else if (dots == 1 && commas == 0 && plain_decimal(t, '.'))
		e->dot_decimal = true;
}

enum number_style
number_style_of(const struct number_evidence *e)
{
	if (e->dot_decimal && e->comma_decimal)
		return NUMBERS_MIXED;
	if (e->dot_decimal)
		return NUMBERS_DOT_DECIMAL;
	return e->comma_decimal ? NUMBERS_COMMA_DECIMAL : NUMBERS_UNTOLD;
}

/* The text without `group` marks and with `decimal` as a dot, for strtod. */
static bool
number_parse(const char *t, char group, char decimal, double *v)
{
	char plain[NUMBER_TEXT_MAX];
	size_t n = 0;
	for (; *t; t++) {
		if (*t == group)
			continue;
		plain[n++] = *t == decimal ? '.' : *t;
	}
	plain[n] = '\0';
	char *end;
	errno = 0;
	double x = strtod(plain, &end);
	if (*end != '\0' || errno != 0 || !isfinite(x))
		return false;
	*v = x;
	return true;
}

int
number_read(const char *s, enum number_style style, double *v, char *why, size_t whylen)
{
	char t[NUMBER_TEXT_MAX];
	if (!number_text(s, t, sizeof t))
		return 0;
	size_t commas = count_of(t, ','), dots = count_of(t, '.');
	if (commas == 0 && (dots == 0 || style != NUMBERS_COMMA_DECIMAL || !grouped(t, '.', ',')))
		return number_parse(t, '\0', '.', v) ? 1 : 0;
	/* "1,2,3" is no way of writing a number: a word, as before. */
	if (!grouped(t, ',', '.') && !grouped(t, '.', ',') && !plain_decimal(t, ','))
		return 0;
	if (style == NUMBERS_DOT_DECIMAL && grouped(t, ',', '.'))
		return number_parse(t, ',', '.', v) ? 1 : 0;
	if (style == NUMBERS_COMMA_DECIMAL && (grouped(t, '.', ',') || plain_decimal(t, ',')))
		return number_parse(t, '.', ',', v) ? 1 : 0;
	if (style == NUMBERS_UNTOLD && grouped(t, ',', '.')) {
		char grouping[NUMBER_TEXT_MAX], decimal[NUMBER_TEXT_MAX];
		double a = 0, b = 0;
		number_parse(t, ',', '.', &a);
		number_parse(t, '.', ',', &b);
		snprintf(grouping, sizeof grouping, "%.10g", a);
		snprintf(decimal, sizeof decimal, "%.10g", b);
		snprintf(why, whylen, "'%s' could be %s or %s: nothing else in the column shows "
		    "whether ',' groups thousands or marks decimals; write %s or %s", t, grouping,
		    decimal, grouping, decimal);
		return -1;
	}
	if (style == NUMBERS_MIXED)
		snprintf(why, whylen, "'%s': the column writes numbers both as 1,234.5 and as "
		    "1.234,5; write them one way", t);
	else
		snprintf(why, whylen, "'%s' is not written as the column's other numbers are "
		    "(%s)", t, style == NUMBERS_COMMA_DECIMAL ? "1.234,5" : "1,234.5");
	return -1;
}
