/*
 * transfer.c: `simmer import` and `simmer export`.
 *
 * Import streams the file to simmerd in batches of the daemon's
 * max_entries_per_request, with a few batches in flight so that reading the
 * file and committing overlap, and reports every refused line by number.
 * A JSON Lines file's factor definitions are settled (import_from.c) once
 * the batches sent before them are answered, so that a factor is defined
 * before any entry of it after its line; a definition after entries that
 * brought its name in (as a new event) applies to them too, as their kind
 * allows.
 * `--from bearable|flaredown|sheet` reads another tracker's export (or a
 * spreadsheet diary) instead (tracker.h) and sends its entries down the
 * same path.
 * Export pages through the `export` method and writes what import reads,
 * times in ISO 8601 with each entry's own offset, so that export then import
 * into an empty store gives the same entries. JSON Lines begins with a line
 * per factor the person defined (a kind, role or unit other than a new
 * name's), so that the entries come back under the same definitions; CSV
 * holds entries only.
 *
 * SPDX-License-Identifier: ISC
 */
#include <csv.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/commands.h"
#include "client/conn.h"
#include "client/import_from.h"
#include "client/importfile.h"
#include "client/render.h"
#include "client/when.h"

/* Batches sent and not yet answered: enough to keep the writer busy. */
#define IMPORT_IN_FLIGHT 4
/* A batch is sent before its message could pass the daemon's size limit
 * (long notes on every line): an entry packs to about 150 bytes plus its
 * note. */
#define IMPORT_ENTRY_OVERHEAD 160
#define IMPORT_MAX_BATCH_BYTES (PROTO_MAX_MESSAGE_BYTES * 3 / 4)

struct batch {
	uint32_t msgid;
	struct entry *entries;
	unsigned long *lines;
	size_t count;
};

struct import_state {
	struct client_conn conn;
	const struct options *opts;
	struct batch filling;
	struct batch flight[IMPORT_IN_FLIGHT];
	size_t n_flight;
	/* Answered batches, kept for the next ones: a fresh batch of 5000
	 * entries is megabytes whose every page faults in when filled. */
	struct batch spare[IMPORT_IN_FLIGHT];
	size_t n_spare;
	size_t cap;
	size_t filling_bytes;
	unsigned long added, present, rejected;
	json_t *rejections;      /* [{"line", "message"}] */
	struct catalog_view catalog;  /* JSON Lines: fetched before the first line */
	unsigned long defs_added, defs_present, defs_kept;
	json_t *defs_kept_messages;   /* ["steps: kept your definition ..."] */
	char err[PROTO_MESSAGE_MAX];
	int fatal;               /* a negative proto error that ends the import */
};

static void
reject(struct import_state *s, unsigned long line, const char *message)
{
	s->rejected++;
	if (s->opts->json)
		json_array_append_new(s->rejections, json_pack("{s:i, s:s}", "line", (json_int_t)line,
		    "message", message));
	else
		fprintf(stderr, "line %lu: %s\n", line, message);
}

static int
batch_alloc(struct batch *b, size_t cap)
{
	b->entries = malloc(cap * sizeof *b->entries);
	b->lines = malloc(cap * sizeof *b->lines);
	b->count = 0;
	return (b->entries && b->lines) ? 0 : -1;
}

static void
batch_free(struct batch *b)
{
	free(b->entries);
	free(b->lines);
	b->entries = NULL;
	b->lines = NULL;
}

/* Reads one response and settles the batch it answers. */
static int
import_settle_one(struct import_state *s)
{
	struct proto_msg msg;
	int rc = conn_read_response(&s->conn, &msg, s->err, sizeof s->err);
	if (rc != 0)
		return rc;
	size_t k = 0;
	while (k < s->n_flight && s->flight[k].msgid != msg.msgid)
		k++;
	if (k == s->n_flight) {
		proto_msg_free(&msg);
		return 0;
	}
	struct batch *b = &s->flight[k];
	rc = response_error(&msg, s->err, sizeof s->err);
	if (rc == 0) {
		/* The batch was sent asking for the rejected entries' results only,
		 * each with its index in the batch. */
		int64_t added = 0, present = 0, index;
		char tmp[8];
		proto_get_int(msg.result, "added", false, &added, tmp, sizeof tmp);
		proto_get_int(msg.result, "present", false, &present, tmp, sizeof tmp);
		s->added += (unsigned long)added;
		s->present += (unsigned long)present;
		const msgpack_object *results = proto_map_get(msg.result, "results");
		for (uint32_t i = 0; results && results->type == MSGPACK_OBJECT_ARRAY &&
		    i < results->via.array.size; i++) {
			const msgpack_object *r = &results->via.array.ptr[i];
			char message[256] = "";
			if (proto_get_int(r, "index", true, &index, tmp, sizeof tmp) != 0 || index < 0 ||
			    (size_t)index >= b->count)
				continue;
			proto_get_str(r, "message", false, message, sizeof message, tmp, sizeof tmp);
			reject(s, b->lines[index], message[0] ? message : "refused by simmerd");
		}
	}
	proto_msg_free(&msg);
	b->count = 0;
	s->spare[s->n_spare++] = *b;
	s->flight[k] = s->flight[--s->n_flight];
	return rc;
}

static int
import_send_filling(struct import_state *s)
{
	if (s->filling.count == 0)
		return 0;
	while (s->n_flight == IMPORT_IN_FLIGHT) {
		int rc = import_settle_one(s);
		if (rc != 0)
			return rc;
	}
	struct request r;
	request_begin(&s->conn, &r, PROTO_M_LOG);
	msgpack_pack_array(&r.pk, 1);
	msgpack_pack_map(&r.pk, 2);
	proto_pack_kv_str(&r.pk, "results", "rejected");
	proto_pack_cstr(&r.pk, "entries");
	msgpack_pack_array(&r.pk, s->filling.count);
	for (size_t i = 0; i < s->filling.count; i++)
		proto_entry_pack(&r.pk, &s->filling.entries[i], false);
	int rc = conn_write(&s->conn, r.buf.data, r.buf.size, s->err, sizeof s->err);
	s->filling.msgid = r.msgid;
	request_free(&r);
	if (rc != 0)
		return rc;
	s->flight[s->n_flight++] = s->filling;
	s->filling_bytes = 0;
	if (s->n_spare > 0)
		s->filling = s->spare[--s->n_spare];
	else if (batch_alloc(&s->filling, s->cap) != 0) {
		snprintf(s->err, sizeof s->err, "out of memory");
		return -PROTO_E_INTERNAL;
	}
	return 0;
}

/* Sends what is waiting and reads every answer, so that the next call on
 * the connection is answered next. */
static int
import_drain(struct import_state *s)
{
	int rc = import_send_filling(s);
	while (rc == 0 && s->n_flight > 0)
		rc = import_settle_one(s);
	return rc;
}

static int
import_on_definition(struct import_state *s, const struct import_record *rec)
{
	char note[PROTO_MESSAGE_MAX];
	int rc = import_drain(s);
	if (rc == 0)
		rc = import_definition(&s->conn, &s->catalog, &rec->def, note, sizeof note, s->err,
		    sizeof s->err);
	switch (rc) {
	case DEFINITION_ADDED:
		s->defs_added++;
		return 0;
	case DEFINITION_PRESENT:
		s->defs_present++;
		return 0;
	case DEFINITION_KEPT:
		s->defs_kept++;
		json_array_append_new(s->defs_kept_messages, json_string(note));
		return 0;
	case -PROTO_E_INVALID_PARAMS:
		reject(s, rec->line, s->err);
		return 0;
	default:
		return rc;
	}
}

static int
import_on_record(const struct import_record *rec, void *arg)
{
	struct import_state *s = arg;
	if (!rec->ok) {
		reject(s, rec->line, rec->message);
		return 0;
	}
	if (rec->definition)
		return import_on_definition(s, rec);
	s->filling.entries[s->filling.count] = rec->entry;
	s->filling.lines[s->filling.count] = rec->line;
	s->filling.count++;
	s->filling_bytes += IMPORT_ENTRY_OVERHEAD + strlen(rec->entry.note);
	if (s->filling.count == s->cap || s->filling_bytes >= IMPORT_MAX_BATCH_BYTES)
		return import_send_filling(s);
	return 0;
}

/* The definitions' counts, and each one kept as the store had it. */
static void
import_print_definitions(const struct import_state *s)
{
	unsigned long total = s->defs_added + s->defs_present + s->defs_kept;
	if (total == 0)
		return;
	printf("%lu factor definition%s: %lu added, %lu already present, %lu kept as you had "
	    "them\n", total, total == 1 ? "" : "s", s->defs_added, s->defs_present, s->defs_kept);
	for (size_t i = 0; i < json_array_size(s->defs_kept_messages); i++)
		printf("  %s\n", json_string_value(json_array_get(s->defs_kept_messages, i)));
}

/* Reads the words after `import`: FILE, --from TRACKER, --user ID. */
static int
import_args(int argc, char **argv, const char **name, const struct tracker_format **from,
    const char **user)
{
	*name = NULL;
	*from = NULL;
	*user = NULL;
	for (int i = 0; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--from") == 0 && next) {
			*from = tracker_format_find(next);
			if (*from == NULL) {
				client_error("import --from takes bearable, flaredown or sheet, not '%s'",
				    next);
				return -SIMMER_E_USAGE;
			}
			i++;
		} else if (strcmp(argv[i], "--user") == 0 && next) {
			*user = next;
			i++;
		} else if (*name == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
			*name = argv[i];
		} else {
			*name = NULL;
			break;
		}
	}
	if (*name == NULL || (*user != NULL && *from == NULL)) {
		client_error("usage: simmer import FILE|- (CSV with time,factor,value[,note][,id], "
		    "or JSON Lines); simmer import --from bearable|flaredown|sheet [--user ID] FILE");
		return -SIMMER_E_USAGE;
	}
	return 0;
}

/* Feeds the file through the generic reader (CSV or JSON Lines). */
static int
import_generic(struct import_state *s, FILE *in, const char *name)
{
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len = getline(&line, &linecap, in);
	struct import_parser p;
	int rc = 0;
	int format = import_detect_format(in == stdin ? NULL : name, len > 0 ? line : NULL);
	/* The catalog as it was before the file: a definition line of a name
	 * the file's own entries brought in before it still applies to them. */
	if (format == IMPORT_JSONL)
		rc = catalog_view_fetch(&s->conn, &s->catalog, s->err, sizeof s->err);
	import_parser_init(&p, format, client_now_ms(), import_on_record, s);
	while (len >= 0 && rc == 0) {
		rc = import_parser_feed_line(&p, line, (size_t)len);
		if (rc == 0)
			len = getline(&line, &linecap, in);
	}
	if (rc == 0 && ferror(in)) {
		snprintf(s->err, sizeof s->err, "cannot read %s: %s", name, strerror(errno));
		rc = -PROTO_E_INTERNAL;
	}
	if (rc == 0)
		rc = import_parser_finish(&p);
	import_parser_free(&p);
	if (rc == IMPORT_STOP)
		rc = 0; /* the reason is among the rejections */
	free(line);
	return rc;
}

int
cmd_import(const struct options *o, int argc, char **argv)
{
	const char *name, *user;
	const struct tracker_format *from;
	int rc = import_args(argc, argv, &name, &from, &user);
	if (rc != 0)
		return rc;
	FILE *in = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
	if (in == NULL) {
		client_error("cannot open %s: %s", name, strerror(errno));
		return -SIMMER_E_NO_INPUT;
	}
	/* Another tracker's file is read whole first: a wrong header stops it
	 * before anything is sent, and its new factors are defined first. */
	struct tracker *tracker = NULL;
	if (from != NULL) {
		tracker = malloc(sizeof *tracker);
		if (tracker == NULL || tracker_read(tracker, from, in, user, client_now_ms()) != 0) {
			client_error("%s: %s", name, tracker ? tracker->fatal : "out of memory");
			if (tracker)
				tracker_free(tracker);
			free(tracker);
			if (in != stdin)
				fclose(in);
			return -SIMMER_E_DATA;
		}
	}
	struct import_state *s = calloc(1, sizeof *s);
	if (s == NULL)
		return -SIMMER_E_SYSTEM;
	s->opts = o;
	s->rejections = json_array();
	s->defs_kept_messages = json_array();
	rc = client_connect(o, &s->conn);
	if (rc == 0) {
		s->cap = s->conn.max_entries_per_request;
		if (batch_alloc(&s->filling, s->cap) != 0) {
			client_error("out of memory");
			conn_close(&s->conn);
			rc = -SIMMER_E_SYSTEM;
		}
	}
	if (rc != 0) {
		batch_free(&s->filling);
		if (in != stdin)
			fclose(in);
		if (tracker)
			tracker_free(tracker);
		free(tracker);
		json_decref(s->rejections);
		json_decref(s->defs_kept_messages);
		free(s);
		return rc;
	}

	if (tracker != NULL)
		rc = import_from_tracker(&s->conn, tracker, import_on_record, s, s->err, sizeof s->err);
	else
		rc = import_generic(s, in, name);
	if (in != stdin)
		fclose(in);
	if (rc == 0)
		rc = import_drain(s);
	conn_close(&s->conn);
	catalog_view_free(&s->catalog);
	batch_free(&s->filling);
	for (size_t i = 0; i < s->n_flight; i++)
		batch_free(&s->flight[i]);
	for (size_t i = 0; i < s->n_spare; i++)
		batch_free(&s->spare[i]);

	int exit_code = 0;
	if (rc != 0) {
		client_error("import stopped: %s", s->err);
		exit_code = rc;
	} else if (s->rejected > 0) {
		exit_code = -SIMMER_E_DATA;
	}
	if (o->json) {
		json_t *j = json_pack("{s:i, s:i, s:i, s:O}", "added", (json_int_t)s->added,
		    "present", (json_int_t)s->present, "rejected", (json_int_t)s->rejected,
		    "rejections", s->rejections);
		if (tracker != NULL)
			json_object_set_new(j, "summary", tracker_summary_json(tracker));
		if (s->defs_added + s->defs_present + s->defs_kept > 0)
			json_object_set_new(j, "definitions", json_pack("{s:i, s:i, s:i, s:O}",
			    "added", (json_int_t)s->defs_added, "present", (json_int_t)s->defs_present,
			    "kept", (json_int_t)s->defs_kept, "kept_messages", s->defs_kept_messages));
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("%lu added, %lu already present, %lu rejected\n", s->added, s->present,
		    s->rejected);
		if (tracker != NULL)
			tracker_print_summary(stdout, tracker);
		import_print_definitions(s);
	}
	if (tracker)
		tracker_free(tracker);
	free(tracker);
	json_decref(s->rejections);
	json_decref(s->defs_kept_messages);
	free(s);
	return exit_code;
}

/* The shortest text that reads back as exactly v. */
static void
format_exact(char *out, size_t outlen, double v)
{
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(out, outlen, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

struct export_args {
	bool has_since, has_after;
	int64_t since_ms, after_time;
	char after_id[PROTO_ID_LEN + 1];
};

static void
pack_export(msgpack_packer *pk, const void *arg)
{
	const struct export_args *a = arg;
	msgpack_pack_map(pk, 1 + (a->has_since ? 1 : 0) + (a->has_after ? 1 : 0));
	proto_pack_kv_int(pk, "limit", 5000);
	if (a->has_since)
		proto_pack_kv_int(pk, "since", a->since_ms);
	if (a->has_after) {
		proto_pack_cstr(pk, "after");
		msgpack_pack_array(pk, 2);
		msgpack_pack_int64(pk, a->after_time);
		proto_pack_cstr(pk, a->after_id);
	}
}

int
client_export_each(struct client_conn *c, bool has_since, int64_t since_ms,
    void (*each)(const struct entry *e, void *arg), void *arg, char *err, size_t errlen)
{
	struct export_args a = {.has_since = has_since, .since_ms = since_ms};
	for (;;) {
		struct proto_msg msg;
		int rc = conn_call(c, PROTO_M_EXPORT, pack_export, &a, &msg, err, errlen);
		if (rc != 0)
			return rc;
		const msgpack_object *list = proto_map_get(msg.result, "entries");
		for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
			struct entry e;
			char why[PROTO_MESSAGE_MAX];
			if (proto_entry_unpack(&list->via.array.ptr[i], &e, why, sizeof why) == 0)
				each(&e, arg);
		}
		const msgpack_object *next = proto_map_get(msg.result, "next");
		bool more = next && next->type == MSGPACK_OBJECT_ARRAY && next->via.array.size == 2 &&
		    proto_obj_str(&next->via.array.ptr[1], a.after_id, sizeof a.after_id) == 0;
		if (more) {
			a.has_after = true;
			a.after_time = next->via.array.ptr[0].via.i64;
		}
		proto_msg_free(&msg);
		if (!more)
			return 0;
	}
}

static void
export_write(FILE *out, bool jsonl, const struct entry *e)
{
	char when[48], value[40];
	when_format_iso(e->time_ms, e->utc_offset_min, when, sizeof when);
	format_exact(value, sizeof value, e->value);
	if (jsonl) {
		json_t *j = json_pack("{s:s, s:s, s:f, s:s}", "time", when, "factor", e->factor,
		    "value", e->value, "id", e->id);
		if (e->note[0])
			json_object_set_new(j, "note", json_string(e->note));
		json_dumpf(j, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
		fputc('\n', out);
		json_decref(j);
		return;
	}
	fprintf(out, "%s,%s,%s,", when, e->factor, value);
	if (e->note[0])
		csv_fwrite(out, e->note, strlen(e->note));
	fprintf(out, ",%s\n", e->id);
}

static void
export_one(const struct entry *e, void *arg)
{
	export_write(stdout, *(bool *)arg, e);
}

/* A JSON Lines line per factor whose definition a new name would not get,
 * before any entry, so that import defines them first. */
static int
export_definitions(struct client_conn *c, FILE *out, char *err, size_t errlen)
{
	struct catalog_view v = {0};
	int rc = catalog_view_fetch(c, &v, err, errlen);
	for (size_t i = 0; rc == 0 && i < v.count; i++) {
		const struct known_factor *k = &v.factors[i];
		if (!known_factor_is_own(k))
			continue;
		json_t *j = json_pack("{s:s, s:s, s:s}", "factor", k->name, "kind", k->kind,
		    "role", k->role);
		if (k->unit[0])
			json_object_set_new(j, "unit", json_string(k->unit));
		json_dumpf(j, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		json_decref(j);
	}
	catalog_view_free(&v);
	return rc;
}

int
cmd_export(const struct options *o, int argc, char **argv)
{
	struct export_args a;
	memset(&a, 0, sizeof a);
	bool jsonl = false;
	char err[PROTO_MESSAGE_MAX];
	for (int i = 0; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--format") == 0 && next) {
			if (strcmp(next, "jsonl") == 0)
				jsonl = true;
			else if (strcmp(next, "csv") != 0) {
				client_error("--format takes csv or jsonl");
				return -SIMMER_E_USAGE;
			}
			i++;
		} else if (strcmp(argv[i], "--since") == 0 && next) {
			int32_t off;
			if (when_parse(next, client_now_ms(), WHEN_DATE_MIDNIGHT, &a.since_ms, &off, err,
			    sizeof err) != 0) {
				client_error("%s", err);
				return -SIMMER_E_USAGE;
			}
			a.has_since = true;
			i++;
		} else {
			client_error("export: unknown argument '%s' (--format csv|jsonl, --since WHEN)", argv[i]);
			return -SIMMER_E_USAGE;
		}
	}
	if (o->json)
		jsonl = true;
	struct client_conn c;
	int rc = client_connect(o, &c);
	if (rc != 0)
		return rc;
	if (!jsonl)
		printf("time,factor,value,note,id\n");
	else
		rc = export_definitions(&c, stdout, err, sizeof err);
	if (rc == 0)
		rc = client_export_each(&c, a.has_since, a.since_ms, export_one, &jsonl, err,
		    sizeof err);
	conn_close(&c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		client_error("cannot write the export: %s", strerror(errno));
		return -SIMMER_E_IO;
	}
	if (rc != 0) {
		client_error("%s", err);
		return rc;
	}
	return 0;
}
