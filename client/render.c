/*
 * render.c: JSON and text output of replies (see render.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/conn.h"
#include "client/render.h"
#include "client/when.h"

json_t *
render_to_json(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		return json_null();
	case MSGPACK_OBJECT_BOOLEAN:
		return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return json_integer(o->via.u64 > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return json_integer(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return isfinite(o->via.f64) ? json_real(o->via.f64) : json_null();
	case MSGPACK_OBJECT_STR:
		return json_stringn_nocheck(o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_BIN:
	case MSGPACK_OBJECT_EXT: {
		const char *p = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.ptr : o->via.ext.ptr;
		uint32_t n = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.size : o->via.ext.size;
		char *hex = malloc((size_t)n * 2 + 1);
		if (hex == NULL)
			return NULL;
		for (uint32_t i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", (unsigned char)p[i]);
		json_t *s = json_stringn(hex, (size_t)n * 2);
		free(hex);
		return s;
	}
	case MSGPACK_OBJECT_ARRAY: {
		json_t *a = json_array();
		for (uint32_t i = 0; a && i < o->via.array.size; i++)
			json_array_append_new(a, render_to_json(&o->via.array.ptr[i]));
		return a;
	}
	case MSGPACK_OBJECT_MAP: {
		json_t *m = json_object();
		for (uint32_t i = 0; m && i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;
			char key[256];
			if (k->type == MSGPACK_OBJECT_STR)
				snprintf(key, sizeof key, "%.*s", (int)k->via.str.size, k->via.str.ptr);
			else if (k->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
				snprintf(key, sizeof key, "%llu", (unsigned long long)k->via.u64);
			else
				snprintf(key, sizeof key, "?");
			json_object_set_new(m, key, render_to_json(&o->via.map.ptr[i].val));
		}
		return m;
	}
	}
	return json_null();
}

int
render_json(FILE *out, const msgpack_object *result)
{
	json_t *j = render_to_json(result);
	if (j == NULL)
		return -1;
	int rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	fputc('\n', out);
	json_decref(j);
	return rc;
}

/* Columns a UTF-8 string takes: every character one column, colour
 * sequences none. */
static size_t
text_columns(const char *s, size_t len)
{
	size_t cols = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\033') {
			while (i < len && !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
				i++;
			continue;
		}
		cols += ((unsigned char)s[i] & 0xC0) != 0x80;
	}
	return cols;
}

void
render_wrap(FILE *out, const char *text, int first, int rest)
{
	size_t col = (size_t)first;
	bool line_empty = true;
	fprintf(out, "%*s", first, "");
	const char *p = text;
	/* Each step is a run of spaces and the word after it. The spaces are
	 * kept inside a line (they align columns) and dropped at a break. */
	while (*p) {
		size_t spaces = strspn(p, " ");
		const char *word = p + spaces;
		if (*word == '\0')
			break;
		size_t len = strcspn(word, " ");
		size_t cols = text_columns(word, len);
		if (!line_empty && col + spaces + cols > RENDER_WIDTH) {
			fprintf(out, "\n%*s", rest, "");
			col = (size_t)rest;
			line_empty = true;
		}
		if (!line_empty) {
			fprintf(out, "%*s", (int)spaces, "");
			col += spaces;
		}
		fwrite(word, 1, len, out);
		col += cols;
		line_empty = false;
		p = word + len;
	}
	fputc('\n', out);
}

bool
render_color(FILE *out)
{
	const char *no = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	if (no != NULL && no[0] != '\0')
		return false;
	if (term == NULL || strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(out));
}

const char *
render_sgr(FILE *out, const char *sgr)
{
	return render_color(out) ? sgr : "";
}

void
render_number(char *out, size_t outlen, double v)
{
	snprintf(out, outlen, "%.10g", v);
}

const char *
render_short_id(const struct entry *e)
{
	return e->id + RENDER_ID_RANDOM_AT;
}

size_t
render_id_chars(const struct entry *entries, size_t n)
{
	size_t chars = RENDER_ID_MIN_CHARS;
	const size_t random_len = PROTO_ID_LEN - RENDER_ID_RANDOM_AT;
	/* Sorted copies would be faster; a list shows at most a few thousand. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			size_t same = 0;
			const char *a = render_short_id(&entries[i]), *b = render_short_id(&entries[j]);
			while (same < random_len && a[same] == b[same])
				same++;
			if (same + 1 > chars)
				chars = same + 1 < random_len ? same + 1 : random_len;
		}
	return chars;
}

void
render_entry_line(FILE *out, const struct entry *e, size_t id_chars)
{
	char when[40], value[32], line[1200];
	when_format_iso(e->time_ms, e->utc_offset_min, when, sizeof when);
	/* 2026-11-20T21:30:00+01:00 -> "2026-11-20 21:30" */
	when[10] = ' ';
	when[16] = '\0';
	render_number(value, sizeof value, e->value);
	snprintf(line, sizeof line, "%.*s  %s  %-18s %6s%s%s", (int)id_chars, render_short_id(e),
	    when, e->factor, value, e->note[0] ? "  " : "", e->note);
	render_wrap(out, line, 0, (int)id_chars + 2);
}

void
render_factors(FILE *out, const msgpack_object *result)
{
	const msgpack_object *list = proto_map_get(result, "factors");
	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY)
		return;
	fprintf(out, "%-18s %-8s %-9s %-9s %s\n", "factor", "kind", "role", "range", "about");
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const msgpack_object *f = &list->via.array.ptr[i];
		char name[40] = "", kind[16] = "", role[16] = "", unit[16] = "", about[128] = "", err[8];
		double lo = 0, hi = 0;
		proto_get_str(f, "name", false, name, sizeof name, err, sizeof err);
		proto_get_str(f, "kind", false, kind, sizeof kind, err, sizeof err);
		proto_get_str(f, "role", false, role, sizeof role, err, sizeof err);
		proto_get_str(f, "unit", false, unit, sizeof unit, err, sizeof err);
		proto_get_str(f, "description", false, about, sizeof about, err, sizeof err);
		proto_get_double(f, "min", false, &lo, err, sizeof err);
		proto_get_double(f, "max", false, &hi, err, sizeof err);
		char range[48], line[512];
		snprintf(range, sizeof range, "%.10g-%.10g", lo, hi);
		snprintf(line, sizeof line, "%-18s %-8s %-9s %-9s %s", name, kind, role, range, about);
		render_wrap(out, line, 0, 49);
	}
}
