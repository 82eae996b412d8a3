/*
 * commands.c: the everyday commands: quick entries, list, undo, delete,
 * factors, version (see commands.h). Import and export are in transfer.c,
 * the analysis and alert views in show.c.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/commands.h"
#include "client/conn.h"
#include "client/help.h"
#include "client/quick.h"
#include "client/render.h"
#include "client/spool.h"
#include "client/when.h"
#include "common/clock.h"

/* Now, or the test clock SIMMER_NOW, read the way simmerd reads it. */
int64_t
client_now_ms(void)
{
	return clock_now_ms();
}

/* An error is one line, as scripts and logs expect; on a terminal it is
 * wrapped at word boundaries to fit 80 columns for the person reading. */
void
client_error(const char *fmt, ...)
{
	char text[PROTO_MESSAGE_MAX + 64] = "simmer: ";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text + 8, sizeof text - 8, fmt, ap);
	va_end(ap);
	if (isatty(STDERR_FILENO))
		render_wrap(stderr, text, 0, 2);
	else
		fprintf(stderr, "%s\n", text);
}

/* Fills the paths both binaries agree on, or says why not. */
int
client_paths(const struct options *o, struct simmer_paths *p)
{
	char err[PROTO_MESSAGE_MAX];
	if (paths_resolve(p, o->socket, NULL, err, sizeof err) != 0) {
		client_error("%s", err);
		return -SIMMER_E_USAGE;
	}
	return 0;
}

/* Why conn_open failed, in one line. */
static void
unreachable_reason(const struct simmer_paths *p, int rc, const char *err, char *out,
    size_t outlen)
{
	if (rc == -CONN_E_UNSAFE || rc == -CONN_E_TIMEOUT)
		snprintf(out, outlen, "%s", err);
	else
		snprintf(out, outlen, "no simmerd on %.400s; start it with 'systemctl --user start "
		    "simmerd.socket' or run 'simmerd'", p->socket);
}

/* Says why conn_open failed; returns the exit code for it. */
static int
explain_unreachable(const struct simmer_paths *p, int rc, const char *err)
{
	char why[PROTO_MESSAGE_MAX + 160];
	unreachable_reason(p, rc, err, why, sizeof why);
	client_error("%s", why);
	return rc == -CONN_E_UNSAFE || rc == -CONN_E_TIMEOUT ? rc : -SIMMER_E_UNAVAILABLE;
}

int
client_connect(const struct options *o, struct client_conn *c)
{
	struct simmer_paths p;
	char err[PROTO_MESSAGE_MAX];
	int rc = client_paths(o, &p);
	if (rc != 0)
		return rc;
	if ((rc = conn_open(c, &p, err, sizeof err)) != 0)
		return explain_unreachable(&p, rc, err);
	rc = conn_hello(c, err, sizeof err);
	if (rc != 0) {
		client_error("%s", err);
		conn_close(c);
		return rc;
	}
	return 0;
}

/* A quick entry's log params: the entries in one transaction, whether new
 * names may become factors, and the units typed after numbers. */
static void
pack_quick_entry(msgpack_packer *pk, const struct quick_entry *q)
{
	bool any_unit = false;
	for (size_t i = 0; i < q->count; i++)
		any_unit |= q->units[i][0] != '\0';
	msgpack_pack_map(pk, any_unit ? 4 : 3);
	proto_pack_cstr(pk, "entries");
	msgpack_pack_array(pk, q->count);
	for (size_t i = 0; i < q->count; i++)
		proto_entry_pack(pk, &q->entries[i], false);
	proto_pack_kv_bool(pk, "atomic", true);
	proto_pack_kv_bool(pk, "create_factors", q->create);
	if (any_unit) {
		proto_pack_cstr(pk, "units");
		msgpack_pack_array(pk, q->count);
		for (size_t i = 0; i < q->count; i++) {
			if (q->units[i][0])
				proto_pack_cstr(pk, q->units[i]);
			else
				msgpack_pack_nil(pk);
		}
	}
}

/* "today", "yesterday" or the date, for the confirmation line. */
static void
describe_day(int64_t t, char *out, size_t outlen)
{
	int64_t now = client_now_ms();
	int32_t off_t = proto_local_offset(t), off_n = proto_local_offset(now);
	int32_t d = proto_local_day(t, off_t, 0), today = proto_local_day(now, off_n, 0);
	if (d == today)
		snprintf(out, outlen, "today");
	else if (d == today - 1)
		snprintf(out, outlen, "yesterday");
	else
		proto_day_format(d, out);
	char clock[40];
	when_format_iso(t, off_t, clock, sizeof clock);
	if (llabs(now - t) > 120000) {
		size_t len = strlen(out);
		snprintf(out + len, outlen - len, " %.5s", clock + 11);
	}
}

/* "logged pain 6, ibuprofen 400 mg (today)", wrapped to the terminal. */
static void
say_logged(const struct quick_entry *q)
{
	char line[2048] = "logged", day[48];
	for (size_t i = 0; i < q->count; i++) {
		const struct entry *e = &q->entries[i];
		size_t len = strlen(line);
		/* A word alone is said alone: "logged dairy", not "dairy 1 servings". */
		if (e->no_value) {
			snprintf(line + len, sizeof line - len, "%s %s", i ? "," : "", e->factor);
			continue;
		}
		char v[32], unit[QUICK_UNIT_MAX + 1];
		snprintf(unit, sizeof unit, "%s", q->units[i]);
		/* Range-style units ("0-10") only repeat the scale. */
		bool named_unit = unit[0] && strchr(unit, '-') == NULL;
		size_t ulen = strlen(unit);
		if (e->value == 1 && ulen > 1 && unit[ulen - 1] == 's')
			unit[ulen - 1] = '\0'; /* 1 drink, 1 serving */
		render_number(v, sizeof v, e->value);
		snprintf(line + len, sizeof line - len, "%s %s %s%s%s", i ? "," : "", e->factor, v,
		    named_unit ? " " : "", named_unit ? unit : "");
	}
	describe_day(q->entries[0].time_ms, day, sizeof day);
	size_t len = strlen(line);
	snprintf(line + len, sizeof line - len, " (%s)", day);
	render_wrap(stdout, line, 0, 2);
}

/* A red flag is said at once where the person is: the desktop may be away. */
static void
warn_red_flag(const char *factor)
{
	char text[512];
	snprintf(text, sizeof text, "%s%sPlease seek medical evaluation:%s you logged %s. This "
	    "symptom needs to be assessed by a doctor, especially if it is new, getting worse, or "
	    "comes with other symptoms. If it is severe or sudden, contact urgent care now.",
	    render_sgr(stderr, SGR_BOLD), render_sgr(stderr, SGR_RED), render_sgr(stderr, SGR_RESET),
	    factor);
	render_wrap(stderr, text, 0, 0);
}

/* The entry of a name simmerd does not know (quoted in err) whose value no
 * new name could take, as an event: "steps 8500". NULL when none. */
static const struct entry *
too_big_for_new(const struct quick_entry *q, const char *err)
{
	for (size_t i = 0; i < q->count; i++) {
		const struct entry *e = &q->entries[i];
		char quoted[PROTO_FACTOR_MAX + 3];
		snprintf(quoted, sizeof quoted, "'%s'", e->factor);
		if (!e->no_value && e->value > PROTO_EVENT_MAX && strstr(err, quoted) != NULL)
			return e;
	}
	return NULL;
}

/*
 * simmerd did not store the entries: keep them in the spool, and say why
 * and where. SIMMER_E_SPOOLED (exit code 75) means they are on the disk (fsynced); when
 * even the spool fails, the entries are lost and the exit code says so.
 */
static int
spool_instead(const struct simmer_paths *p, struct quick_entry *q, const char *why)
{
	char err[PROTO_MESSAGE_MAX];
	client_error("%s", why);
	if (spool_append(p->spool, q->entries, q->count, q->create, err, sizeof err) != 0) {
		client_error("and the %s could not be kept either, so %s NOT saved: %s",
		    q->count == 1 ? "entry" : "entries", q->count == 1 ? "it was" : "they were", err);
		return -SIMMER_E_CANT_CREATE;
	}
	fprintf(stderr, "simmer: kept %zu %s in %s; simmerd stores %s when it next takes in the "
	    "spool\n", q->count, q->count == 1 ? "entry" : "entries", p->spool,
	    q->count == 1 ? "it" : "them");
	return -SIMMER_E_SPOOLED;
}

/* Failures after which the entries were not stored but may be later: the
 * daemon is away, busy, stopped, slow or its disk failed. Anything else
 * (a bad value, a version mismatch) would fail again from the spool. */
static bool
worth_spooling(int rc)
{
	switch (-rc) {
	case PROTO_E_STORAGE:
	case PROTO_E_BUSY:
	case PROTO_E_SHUTTING_DOWN:
	case PROTO_E_INTERNAL:
	case PROTO_E_PARSE:
	case PROTO_E_INVALID_REQUEST:
	case CONN_E_TIMEOUT:
	case CONN_E_UNSAFE:
		return true;
	default:
		return false;
	}
}

int
cmd_log(const struct options *o, int argc, char **argv)
{
	struct quick_entry *q = malloc(sizeof *q);
	bool red_flags[QUICK_MAX_ENTRIES] = {false};
	char err[PROTO_MESSAGE_MAX];
	if (q == NULL)
		return -SIMMER_E_SYSTEM;
	int rc = quick_parse(argc, argv, client_now_ms(), q, err, sizeof err);
	if (rc != 0) {
		client_error("%s", err);
		free(q);
		return -SIMMER_E_USAGE;
	}
	struct simmer_paths paths;
	if ((rc = client_paths(o, &paths)) != 0) {
		free(q);
		return rc;
	}
	struct client_conn c;
	if ((rc = conn_open(&c, &paths, err, sizeof err)) != 0) {
		char why[PROTO_MESSAGE_MAX + 160];
		unreachable_reason(&paths, rc, err, why, sizeof why);
		rc = spool_instead(&paths, q, why);
		free(q);
		return rc;
	}
	/* hello and log in one write: one round trip. */
	msgpack_sbuffer out;
	msgpack_sbuffer_init(&out);
	struct request hello, log;
	request_begin(&c, &hello, PROTO_M_HELLO);
	request_pack_hello(&hello);
	request_begin(&c, &log, PROTO_M_LOG);
	msgpack_pack_array(&log.pk, 1);
	pack_quick_entry(&log.pk, q);
	request_append(&hello, &out);
	request_append(&log, &out);
	rc = conn_write(&c, out.data, out.size, err, sizeof err);
	if (rc == 0)
		rc = conn_finish_hello(&c, hello.msgid, err, sizeof err);
	struct proto_msg msg;
	if (rc == 0)
		rc = conn_read_response(&c, &msg, err, sizeof err);
	if (rc == 0) {
		rc = response_error(&msg, err, sizeof err);
		if (rc == 0 && o->json)
			render_json(stdout, msg.result);
		/* Say the names as stored ("sleep" was logged as sleep_hours),
		 * with their units, and whether one is a red flag. */
		const msgpack_object *results = rc == 0 ? proto_map_get(msg.result, "results") : NULL;
		for (uint32_t i = 0; results && results->type == MSGPACK_OBJECT_ARRAY &&
		    i < results->via.array.size && i < q->count; i++) {
			const msgpack_object *r = &results->via.array.ptr[i];
			char name[PROTO_FACTOR_MAX + 1], role[16] = "", tmp[8];
			if (proto_get_str(r, "factor", false, name, sizeof name, tmp, sizeof tmp) == 0)
				snprintf(q->entries[i].factor, sizeof q->entries[i].factor, "%s", name);
			proto_get_str(r, "unit", false, q->units[i], sizeof q->units[i], tmp, sizeof tmp);
			proto_get_str(r, "role", false, role, sizeof role, tmp, sizeof tmp);
			red_flags[i] = strcmp(role, "red_flag") == 0;
		}
		proto_msg_free(&msg);
	}
	request_free(&hello);
	request_free(&log);
	msgpack_sbuffer_destroy(&out);
	conn_close(&c);
	if (worth_spooling(rc)) {
		/* Not acknowledged: ids make storing it again from the spool safe
		 * even if the daemon did commit it. */
		rc = spool_instead(&paths, q, err);
		free(q);
		return rc;
	}
	if (rc != 0) {
		const struct entry *big;
		/* The daemon names the factor it does not know and a near one;
		 * the first word may also be a mistyped command. */
		char quoted[PROTO_FACTOR_MAX + 3];
		snprintf(quoted, sizeof quoted, "'%s'", q->entries[0].factor);
		const struct command *near = rc == -PROTO_E_NOT_FOUND && strstr(err, quoted) != NULL &&
		    strstr(err, "did you mean") == NULL ? command_near(q->entries[0].factor) : NULL;
		if (near != NULL)
			client_error("%s; did you mean the command 'simmer %s'? (or add it as a factor "
			    "with --new)", err, near->name);
		else if (rc == -PROTO_E_NOT_FOUND && (big = too_big_for_new(q, err)) != NULL)
			client_error("%s%s A new name counts events up to %d, so for %g define its kind "
			    "first: 'simmer factor define %s --kind %s --role exposure'", err,
			    err[0] != '\0' && err[strlen(err) - 1] == '?' ? "" : ".", PROTO_EVENT_MAX,
			    big->value, big->factor, big->value > 1440 ? "count" : "minutes");
		else if (rc == -PROTO_E_NOT_FOUND)
			client_error("%s (add it with --new)", err);
		else
			client_error("%s", err);
		free(q);
		return rc;
	}
	if (!o->json)
		say_logged(q);
	for (size_t i = 0; i < q->count; i++)
		if (red_flags[i])
			warn_red_flag(q->entries[i].factor);
	free(q);
	return 0;
}

int
call_and_show(const struct options *o, const char *method, pack_params_fn pack,
    const void *arg, void (*show)(const msgpack_object *result))
{
	struct client_conn c;
	int rc = client_connect(o, &c);
	if (rc != 0)
		return rc;
	struct proto_msg msg;
	char err[PROTO_MESSAGE_MAX];
	rc = conn_call(&c, method, pack, arg, &msg, err, sizeof err);
	conn_close(&c);
	if (rc != 0) {
		client_error("%s", err);
		return rc;
	}
	if (o->json || show == NULL)
		render_json(stdout, msg.result);
	else
		show(msg.result);
	proto_msg_free(&msg);
	return 0;
}

/* What to log first, for an empty diary. */
#define FIRST_ENTRY_HINT "log how you are now, as in 'simmer pain 4 stress 3 sleep 7'"

static void
show_entries_text(const msgpack_object *result, bool filtered)
{
	const msgpack_object *list = proto_map_get(result, "entries");
	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY)
		return;
	if (list->via.array.size == 0) {
		if (filtered)
			printf("no entries match\n");
		else
			render_wrap(stdout, "no entries yet; " FIRST_ENTRY_HINT, 0, 0);
		return;
	}
	struct entry *entries = calloc(list->via.array.size, sizeof *entries);
	if (entries == NULL)
		return;
	size_t n = 0;
	char err[PROTO_MESSAGE_MAX];
	for (uint32_t i = 0; i < list->via.array.size; i++)
		if (proto_entry_unpack(&list->via.array.ptr[i], &entries[n], err, sizeof err) == 0)
			n++;
	size_t id_chars = render_id_chars(entries, n);
	for (size_t i = 0; i < n; i++)
		render_entry_line(stdout, &entries[i], id_chars);
	free(entries);
}

static void
show_entries(const msgpack_object *result)
{
	show_entries_text(result, false);
}

static void
show_entries_filtered(const msgpack_object *result)
{
	show_entries_text(result, true);
}

struct list_args {
	bool has_since;
	int64_t since_ms;
	const char *factor;
	int64_t limit;
};

static void
pack_list(msgpack_packer *pk, const void *arg)
{
	const struct list_args *a = arg;
	msgpack_pack_map(pk, 1 + (a->has_since ? 1 : 0) + (a->factor ? 1 : 0));
	proto_pack_kv_int(pk, "limit", a->limit);
	if (a->has_since)
		proto_pack_kv_int(pk, "since", a->since_ms);
	if (a->factor)
		proto_pack_kv_str(pk, "factor", a->factor);
}

int
cmd_list(const struct options *o, int argc, char **argv)
{
	struct list_args a = {.limit = 50};
	char err[PROTO_MESSAGE_MAX];
	for (int i = 0; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--since") == 0 && next) {
			int32_t off;
			if (when_parse(next, client_now_ms(), WHEN_DATE_MIDNIGHT, &a.since_ms, &off,
			    err, sizeof err) != 0) {
				client_error("%s", err);
				return -SIMMER_E_USAGE;
			}
			a.has_since = true;
			i++;
		} else if (strcmp(argv[i], "--factor") == 0 && next) {
			a.factor = next;
			i++;
		} else if (strcmp(argv[i], "--limit") == 0 && next) {
			char *end;
			a.limit = strtoll(next, &end, 10);
			if (*end != '\0' || a.limit < 1 || a.limit > 5000) {
				client_error("--limit takes a number from 1 to 5000");
				return -SIMMER_E_USAGE;
			}
			i++;
		} else {
			client_error("list: unknown argument '%s' (--since WHEN, --factor NAME, --limit N)",
			    argv[i]);
			return -SIMMER_E_USAGE;
		}
	}
	return call_and_show(o, PROTO_M_LIST, pack_list, &a,
	    a.has_since || a.factor ? show_entries_filtered : show_entries);
}

static void
show_removed(const msgpack_object *result)
{
	const msgpack_object *e = proto_map_get(result, "entry");
	struct entry entry;
	char err[PROTO_MESSAGE_MAX];
	if (e != NULL && proto_entry_unpack(e, &entry, err, sizeof err) == 0) {
		printf("removed:\n");
		render_entry_line(stdout, &entry, RENDER_ID_MIN_CHARS);
	}
}

static void
pack_id(msgpack_packer *pk, const void *arg)
{
	msgpack_pack_map(pk, 1);
	proto_pack_kv_str(pk, "id", arg);
}

int
cmd_undo(const struct options *o, int argc, char **argv)
{
	if (argc > 1) {
		client_error("usage: simmer undo [ID] (the newest entry, or the id 'simmer list' shows)");
		return -SIMMER_E_USAGE;
	}
	if (argc == 1)
		return call_and_show(o, PROTO_M_DELETE, pack_id, argv[0], show_removed);
	return call_and_show(o, PROTO_M_UNDO, NULL, NULL, show_removed);
}

int
cmd_delete(const struct options *o, int argc, char **argv)
{
	if (argc != 1) {
		client_error("usage: simmer delete ID (the id 'simmer list' shows, or a whole id)");
		return -SIMMER_E_USAGE;
	}
	return call_and_show(o, PROTO_M_DELETE, pack_id, argv[0], show_removed);
}

static void
show_factors(const msgpack_object *result)
{
	render_factors(stdout, result);
}

/* One name a line, for shell completions. */
static void
show_factor_names(const msgpack_object *result)
{
	const msgpack_object *list = proto_map_get(result, "factors");
	for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
	    i++) {
		char name[PROTO_FACTOR_MAX + 1], err[8];
		if (proto_get_str(&list->via.array.ptr[i], "name", false, name, sizeof name, err,
		    sizeof err) == 0)
			printf("%s\n", name);
	}
}

int
cmd_factors(const struct options *o, int argc, char **argv)
{
	bool names = argc == 1 && strcmp(argv[0], "--names") == 0;
	if (argc != 0 && !names) {
		client_error("usage: simmer factors [--names]");
		return -SIMMER_E_USAGE;
	}
	return call_and_show(o, PROTO_M_FACTORS, NULL, NULL, names ? show_factor_names : show_factors);
}

struct define_args {
	const char *name, *kind, *role, *unit;
};

static void
pack_define(msgpack_packer *pk, const void *arg)
{
	const struct define_args *a = arg;
	msgpack_pack_map(pk, a->unit ? 4 : 3);
	proto_pack_kv_str(pk, "name", a->name);
	proto_pack_kv_str(pk, "kind", a->kind);
	proto_pack_kv_str(pk, "role", a->role);
	if (a->unit)
		proto_pack_kv_str(pk, "unit", a->unit);
}

struct shown_factor {
	char name[40], kind[16], role[16], unit[40];
};

static void
read_shown_factor(const msgpack_object *f, struct shown_factor *out)
{
	char err[8];
	memset(out, 0, sizeof *out);
	proto_get_str(f, "name", false, out->name, sizeof out->name, err, sizeof err);
	proto_get_str(f, "kind", false, out->kind, sizeof out->kind, err, sizeof err);
	proto_get_str(f, "role", false, out->role, sizeof out->role, err, sizeof err);
	proto_get_str(f, "unit", false, out->unit, sizeof out->unit, err, sizeof err);
}

/* "defined steps: kind count, role exposure"; a name that had a definition
 * says what changed ("redefined triptan: role exposure -> treatment"). */
static void
show_defined(const msgpack_object *result)
{
	struct shown_factor now, was;
	read_shown_factor(proto_map_get(result, "factor"), &now);
	const msgpack_object *before = proto_map_get(result, "was");
	if (before == NULL) {
		printf("defined %s: kind %s, role %s\n", now.name, now.kind, now.role);
		return;
	}
	read_shown_factor(before, &was);
	const char *parts[3][3] = {
		{"kind", was.kind, now.kind},
		{"role", was.role, now.role},
		{"unit", was.unit, now.unit},
	};
	int changed = 0;
	for (int i = 0; i < 3; i++)
		changed += strcmp(parts[i][1], parts[i][2]) != 0;
	if (changed == 0) {
		printf("%s is already kind %s, role %s\n", now.name, now.kind, now.role);
		return;
	}
	printf("redefined %s:", now.name);
	const char *sep = " ";
	for (int i = 0; i < 3; i++) {
		if (strcmp(parts[i][1], parts[i][2]) == 0)
			continue;
		printf("%s%s %s -> %s", sep, parts[i][0], parts[i][1][0] ? parts[i][1] : "none",
		    parts[i][2][0] ? parts[i][2] : "none");
		sep = ", ";
	}
	printf("\n");
}

int
cmd_factor(const struct options *o, int argc, char **argv)
{
	struct define_args a = {0};
	if (argc < 2 || strcmp(argv[0], "define") != 0)
		goto usage;
	a.name = argv[1];
	for (int i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			goto usage;
		if (strcmp(argv[i], "--kind") == 0) a.kind = argv[++i];
		else if (strcmp(argv[i], "--role") == 0) a.role = argv[++i];
		else if (strcmp(argv[i], "--unit") == 0) a.unit = argv[++i];
		else goto usage;
	}
	if (a.kind == NULL || a.role == NULL)
		goto usage;
	return call_and_show(o, PROTO_M_FACTOR_DEFINE, pack_define, &a, show_defined);
usage:
	client_error("usage: simmer factor define NAME --kind scale|hours|minutes|count|event|flare "
	    "--role exposure|symptom|outcome|red_flag|treatment [--unit UNIT]");
	return -SIMMER_E_USAGE;
}

int
cmd_version(const struct options *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct client_conn c = {.fd = -1};
	struct simmer_paths paths;
	char err[PROTO_MESSAGE_MAX];
	int rc = client_paths(o, &paths);
	if (rc != 0)
		return rc;
	const char *path = paths.socket;
	bool up = conn_open(&c, &paths, err, sizeof err) == 0 && conn_hello(&c, err, sizeof err) == 0;
	if (o->json) {
		printf("{\"client\": \"%s\", \"protocol\": %d, \"daemon\": %s%s%s}\n", SIMMER_VERSION,
		    PROTO_VERSION, up ? "\"" : "", up ? c.daemon_version : "null", up ? "\"" : "");
	} else {
		printf("simmer %s (protocol %d)\n", SIMMER_VERSION, PROTO_VERSION);
		if (up)
			printf("simmerd %s on %s\n", c.daemon_version, path);
		else
			printf("simmerd not reachable on %s\n", path);
	}
	if (c.fd >= 0)
		conn_close(&c);
	return 0;
}
