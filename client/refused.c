/*
 * refused.c: `simmer refused [--clear]`: the entries kept in the spool
 * while simmerd was away that its checks then refused, each with why and,
 * where it can be said, the command that logs it again; --clear forgets
 * them once the person has seen them.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "client/commands.h"
#include "client/refused.h"
#include "client/render.h"
#include "client/when.h"

bool
refused_status_words(const msgpack_object *status, char *out, size_t outlen)
{
	int64_t n = 0;
	char err[8];
	if (proto_get_int(status, "refused_entries", false, &n, err, sizeof err) != 0 || n <= 0)
		return false;
	snprintf(out, outlen, "%lld %s kept while simmerd was away %s refused: see 'simmer refused'",
	    (long long)n, n == 1 ? "entry" : "entries", n == 1 ? "was" : "were");
	return true;
}

void
refused_status_line(FILE *out, const msgpack_object *status)
{
	char line[128];
	if (refused_status_words(status, line, sizeof line))
		fprintf(out, "%s\n", line);
}

/* Appends s to out in single quotes, as a shell reads it back. */
static void
append_quoted(char *out, size_t outlen, const char *s)
{
	size_t len = strlen(out);
	if (len + 1 < outlen)
		out[len++] = '\'';
	for (; *s && len + 5 < outlen; s++) {
		if (*s == '\'') {
			memcpy(out + len, "'\\''", 4);
			len += 4;
		} else {
			out[len++] = *s;
		}
	}
	if (len + 1 < outlen)
		out[len++] = '\'';
	out[len] = '\0';
}

/* The time a person types after --at for an instant logged at offset_min:
 * its wall-clock time there, or the full ISO form when this machine's zone
 * would read that wall-clock time as another instant. */
static void
at_words(int64_t time_ms, int32_t offset_min, char *out, size_t outlen)
{
	char iso[40];
	when_format_iso(time_ms, offset_min, iso, sizeof iso);
	if (proto_local_offset(time_ms) != offset_min) {
		snprintf(out, outlen, "%s", iso);
		return;
	}
	iso[10] = ' ';
	iso[16] = '\0';
	snprintf(out, outlen, "%s", iso);
}

static void
show_row(FILE *out, const msgpack_object *r)
{
	char factor[PROTO_FACTOR_MAX + 1] = "", note[PROTO_NOTE_MAX + 1] = "";
	char reason[PROTO_MESSAGE_MAX] = "", spool[1024] = "", err[8];
	int64_t time_ms = 0, offset_min = 0, byte = 0;
	double value = NAN;
	proto_get_str(r, "factor", false, factor, sizeof factor, err, sizeof err);
	proto_get_str(r, "note", false, note, sizeof note, err, sizeof err);
	proto_get_str(r, "reason", false, reason, sizeof reason, err, sizeof err);
	proto_get_str(r, "spool", false, spool, sizeof spool, err, sizeof err);
	bool has_time = proto_get_int(r, "time", false, &time_ms, err, sizeof err) == 0;
	proto_get_int(r, "utc_offset_min", false, &offset_min, err, sizeof err);
	proto_get_int(r, "byte", false, &byte, err, sizeof err);
	bool has_value = proto_get_double(r, "value", false, &value, err, sizeof err) == 0;
	char line[2400];
	if (factor[0] == '\0' || !has_time) {
		/* Not an entry: what the file held, and why. */
		if (byte >= 0)
			snprintf(line, sizeof line, "a record at byte %lld of %s", (long long)byte, spool);
		else
			snprintf(line, sizeof line, "more of %s", spool);
		render_wrap(out, line, 0, 2);
		snprintf(line, sizeof line, "why: %s", reason);
		render_wrap(out, line, 2, 7);
		return;
	}
	char at[48], number[32] = "";
	at_words(time_ms, (int32_t)offset_min, at, sizeof at);
	if (has_value)
		render_number(number, sizeof number, value);
	snprintf(line, sizeof line, "%s  %s %s%s%s", at, factor, has_value ? number : "(no value)",
	    note[0] ? "  " : "", note);
	render_wrap(out, line, 0, 2);
	snprintf(line, sizeof line, "why: %s", reason);
	render_wrap(out, line, 2, 7);
	/* The words that log it again, with VALUE or WHEN where the person
	 * must put what they meant. */
	char fix[8] = "";
	proto_get_str(r, "fix", false, fix, sizeof fix, err, sizeof err);
	bool fix_value = strcmp(fix, "value") == 0 || !has_value;
	snprintf(line, sizeof line, "%s: simmer %s %s --at ", strcmp(fix, "factor") == 0 ?
	    "then log it again" : "log it again", factor, fix_value ? "VALUE" : number);
	if (strcmp(fix, "time") == 0)
		snprintf(line + strlen(line), sizeof line - strlen(line), "WHEN");
	else
		append_quoted(line, sizeof line, at);
	if (note[0]) {
		size_t len = strlen(line);
		snprintf(line + len, sizeof line - len, " --note ");
		append_quoted(line, sizeof line, note);
	}
	fprintf(out, "  %s\n", line);
}

static void
show_list(const msgpack_object *result)
{
	FILE *out = stdout;
	const msgpack_object *list = proto_map_get(result, "refused");
	int64_t total = 0;
	char err[8];
	proto_get_int(result, "total", false, &total, err, sizeof err);
	uint32_t n = list != NULL && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	if (n == 0) {
		fprintf(out, "nothing kept while simmerd was away was refused\n");
		return;
	}
	fprintf(out, "%lld %s kept while simmerd was away %s refused, so %s not stored:\n\n",
	    (long long)total, total == 1 ? "entry" : "entries", total == 1 ? "was" : "were",
	    total == 1 ? "it is" : "they are");
	for (uint32_t i = 0; i < n; i++) {
		show_row(out, &list->via.array.ptr[i]);
		fputc('\n', out);
	}
	if (total > (int64_t)n)
		fprintf(out, "(the first %u of %lld are shown)\n", n, (long long)total);
	render_wrap(out, "Once you have logged them again as you meant them, 'simmer refused "
	    "--clear' forgets them.", 0, 0);
}

static void
show_cleared(const msgpack_object *result)
{
	int64_t cleared = 0;
	char err[8];
	proto_get_int(result, "cleared", false, &cleared, err, sizeof err);
	if (cleared == 0)
		printf("there were no refused entries to clear\n");
	else
		printf("cleared %lld refused %s\n", (long long)cleared, cleared == 1 ? "entry" : "entries");
}

int
cmd_refused(const struct options *o, int argc, char **argv)
{
	bool clear = false;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--clear") == 0) {
			clear = true;
		} else {
			client_error("refused: unknown argument '%s' (see 'simmer refused --help')",
			    argv[i]);
			return -SIMMER_E_USAGE;
		}
	}
	if (clear)
		return call_and_show(o, PROTO_M_REFUSED_CLEAR, NULL, NULL, show_cleared);
	return call_and_show(o, PROTO_M_REFUSED, NULL, NULL, show_list);
}
