/*
 * dispatch.c: what each request means.
 *
 * It validates a request's params (against the factor catalog for entries),
 * answers what the loop knows from memory (hello, factors), and hands
 * everything that touches the disk to the store thread as a job whose reply
 * comes back packed. It never blocks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/clock.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/replies.h"
#include "daemon/services.h"

/* Entries a `list` returns when the client names no limit, and at most. */
#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 5000
/* How far ahead of now an entry may be: time zones and clock skew. */
#define ENTRY_MAX_FUTURE_MS (26LL * 3600000)

typedef void (*method_fn)(struct conn *c, uint32_t msgid, const msgpack_object *params);

/* Reads an optional "limit" (default def, 1..LIST_MAX_LIMIT); on error sends
 * the reply and returns -1. */
static int
read_limit(struct conn *c, uint32_t msgid, const msgpack_object *params, int64_t def,
    uint32_t *out)
{
	char err[PROTO_MESSAGE_MAX];
	int64_t v = def;
	int rc = proto_get_int(params, "limit", false, &v, err, sizeof err);
	if (rc == -PROTO_E_INVALID_PARAMS || v < 1 || v > LIST_MAX_LIMIT) {
		if (rc != -PROTO_E_INVALID_PARAMS)
			snprintf(err, sizeof err, "limit must be between 1 and %d", LIST_MAX_LIMIT);
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

void
job_reply_to_owner(struct job *job)
{
	struct conn *c = job->owner;
	if (job->kind == JOB_LOG && c != NULL) {
		struct simmerd *d = c->daemon;
		d->inflight_entries -= job->n_items;
		server_resume_held(d);
	}
	if (c != NULL) {
		if (!c->closing) {
			if (job->rc != 0)
				conn_send_error(c, job->msgid, -job->rc, job->err);
			else
				conn_send_sbuffer(c, &job->reply);
		}
		conn_job_finished(c);
	}
	job_free(job);
}

static void
submit_for_conn(struct conn *c, struct job *job)
{
	c->pending++;
	writer_submit(c->daemon->writer, job);
}

static struct job *
job_for(struct conn *c, int kind, uint32_t msgid, job_done_fn done)
{
	struct job *job = job_new(kind, c, msgid, done ? done : job_reply_to_owner);
	if (job == NULL)
		conn_send_error(c, msgid, PROTO_E_INTERNAL, "out of memory");
	return job;
}

static void
method_hello(struct conn *c, uint32_t msgid, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	int64_t version = PROTO_VERSION;
	int rc = proto_get_int(params, "protocol", false, &version, err, sizeof err);
	if (rc == -PROTO_E_INVALID_PARAMS) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	if (version != PROTO_VERSION) {
		snprintf(err, sizeof err, "simmerd speaks protocol %d, the client %lld",
		    PROTO_VERSION, (long long)version);
		conn_send_error(c, msgid, PROTO_E_VERSION, err);
		return;
	}
	struct reply rep;
	reply_begin(&rep, msgid);
	msgpack_pack_map(&rep.pk, 3);
	proto_pack_kv_int(&rep.pk, "protocol", PROTO_VERSION);
	proto_pack_kv_str(&rep.pk, "daemon", SIMMER_VERSION);
	proto_pack_cstr(&rep.pk, "limits");
	msgpack_pack_map(&rep.pk, 9);
	proto_pack_kv_int(&rep.pk, "max_message_bytes", PROTO_MAX_MESSAGE_BYTES);
	proto_pack_kv_int(&rep.pk, "max_connection_buffer", PROTO_MAX_CONN_BUFFER);
	proto_pack_kv_int(&rep.pk, "max_depth", PROTO_MAX_DEPTH);
	proto_pack_kv_int(&rep.pk, "max_string", PROTO_MAX_STRING);
	proto_pack_kv_int(&rep.pk, "max_array", PROTO_MAX_ARRAY);
	proto_pack_kv_int(&rep.pk, "max_map", PROTO_MAX_MAP);
	proto_pack_kv_int(&rep.pk, "max_entries_per_request", PROTO_MAX_ENTRIES_PER_REQUEST);
	proto_pack_kv_int(&rep.pk, "max_connections", PROTO_MAX_CONNECTIONS);
	proto_pack_kv_int(&rep.pk, "stall_timeout_s", PROTO_STALL_TIMEOUT_S);
	reply_send(&rep, c);
}

/*
 * Validates one entry against the catalog: resolves aliases, checks the
 * range, computes the local day. New names get the default factor (not yet
 * added to the catalog: the caller does that once the request is accepted).
 */
static int
validate_item(struct simmerd *d, struct log_item *it, char *err, size_t errlen)
{
	struct entry *e = &it->entry;
	const char *name = catalog_resolve_alias(e->factor);
	if (name != e->factor)
		snprintf(e->factor, sizeof e->factor, "%s", name);
	const struct factor *f = catalog_find(&d->catalog, e->factor);
	if (f != NULL)
		it->factor = *f;
	else
		catalog_default_factor(&it->factor, e->factor);
	if (e->time_ms < 0) {
		snprintf(err, errlen, "time is before 1970");
		return -PROTO_E_OUT_OF_RANGE;
	}
	/* A date years ahead is a typo, and would push the analysis's window
	 * away from the real diary. */
	if (e->time_ms > clock_now_ms() + ENTRY_MAX_FUTURE_MS) {
		snprintf(err, errlen, "time is more than a day in the future");
		return -PROTO_E_OUT_OF_RANGE;
	}
	int rc = e->no_value ? catalog_check_missing_value(&it->factor, err, errlen) : 0;
	if (rc < 0)
		return rc;
	e->no_value = false;
	rc = catalog_check_value(&it->factor, e->value, err, errlen);
	if (rc < 0)
		return rc;
	e->day = proto_local_day(e->time_ms, e->utc_offset_min, d->day_start_hour);
	e->deleted = false;
	return 0;
}

/* Adds first-use factors of accepted items to the loop's catalog. */
static void
catalog_learn_items(struct simmerd *d, const struct log_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (items[i].status == LOG_REJECTED)
			continue;
		if (catalog_find(&d->catalog, items[i].factor.name) == NULL &&
		    catalog_put(&d->catalog, &items[i].factor) != 0)
			log_warn("cannot add factor %s to the catalog in memory", items[i].factor.name);
	}
}

int
dispatch_submit_entries(struct simmerd *d, struct log_item *items, size_t n,
    job_done_fn done, void *arg)
{
	char err[PROTO_MESSAGE_MAX];
	for (size_t i = 0; i < n; i++) {
		items[i].status = LOG_PENDING;
		if (validate_item(d, &items[i], err, sizeof err) < 0) {
			items[i].status = LOG_REJECTED;
			snprintf(items[i].message, sizeof items[i].message, "%.127s", err);
		}
	}
	catalog_learn_items(d, items, n);
	struct job *job = job_new(JOB_LOG, NULL, 0, done);
	if (job == NULL)
		return -PROTO_E_INTERNAL;
	job->items = items;
	job->n_items = n;
	job->arg = arg;
	writer_submit(d->writer, job);
	services_entries_submitted(d, items, n);
	return 0;
}

/*
 * What a person typed, checked before the entry is validated: with
 * create_factors false a name the catalog does not know is refused (with
 * the nearest known one when it looks like a typo), and a unit typed after
 * the value must be the factor's.
 */
static int
check_typed_item(struct simmerd *d, struct entry *e, bool create, const msgpack_object *unit,
    char *err, size_t errlen)
{
	const char *name = catalog_resolve_alias(e->factor);
	const struct factor *f = catalog_find(&d->catalog, name);
	if (f == NULL && !create) {
		const char *near = catalog_suggest(&d->catalog, e->factor);
		if (near != NULL)
			snprintf(err, errlen, "unknown factor '%s' \u2014 did you mean '%s'?", e->factor, near);
		else
			snprintf(err, errlen, "unknown factor '%s'", e->factor);
		return -PROTO_E_NOT_FOUND;
	}
	if (f == NULL || unit == NULL || unit->type == MSGPACK_OBJECT_NIL)
		return 0;
	char typed[PROTO_FACTOR_MAX + 1];
	if (proto_obj_str(unit, typed, sizeof typed) != 0) {
		snprintf(err, errlen, "\"units\" holds strings or nil");
		return -PROTO_E_INVALID_PARAMS;
	}
	return catalog_check_unit(f, typed, err, errlen);
}

static void
method_log(struct conn *c, uint32_t msgid, const msgpack_object *params)
{
	struct simmerd *d = c->daemon;
	char err[PROTO_MESSAGE_MAX];
	const msgpack_object *entries = proto_map_get(params, "entries");
	if (entries == NULL || entries->type != MSGPACK_OBJECT_ARRAY) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, "log needs \"entries\", an array of entries");
		return;
	}
	uint32_t n = entries->via.array.size;
	if (n == 0) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, "\"entries\" is empty");
		return;
	}
	if (n > PROTO_MAX_ENTRIES_PER_REQUEST) {
		snprintf(err, sizeof err, "%u entries in one request; at most %u", n,
		    PROTO_MAX_ENTRIES_PER_REQUEST);
		conn_send_error(c, msgid, PROTO_E_TOO_LARGE, err);
		return;
	}
	bool atomic = false, create = true;
	if (proto_get_bool(params, "atomic", false, &atomic, err, sizeof err) == -PROTO_E_INVALID_PARAMS ||
	    proto_get_bool(params, "create_factors", false, &create, err, sizeof err) ==
	    -PROTO_E_INVALID_PARAMS) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	const msgpack_object *units = proto_map_get(params, "units");
	if (units != NULL && (units->type != MSGPACK_OBJECT_ARRAY || units->via.array.size != n)) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS,
		    "\"units\" must be an array as long as \"entries\"");
		return;
	}
	struct log_item *items = calloc(n, sizeof *items);
	if (items == NULL) {
		conn_send_error(c, msgid, PROTO_E_INTERNAL, "out of memory");
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct log_item *it = &items[i];
		it->status = LOG_PENDING;
		int rc = proto_entry_unpack(&entries->via.array.ptr[i], &it->entry, err, sizeof err);
		if (rc == 0)
			rc = check_typed_item(d, &it->entry, create, units ? &units->via.array.ptr[i] : NULL,
			    err, sizeof err);
		if (rc == 0)
			rc = validate_item(d, it, err, sizeof err);
		if (rc < 0) {
			if (atomic) {
				char msg[PROTO_MESSAGE_MAX];
				if (n > 1)
					snprintf(msg, sizeof msg, "entry %u: %.480s", i + 1, err);
				else
					snprintf(msg, sizeof msg, "%s", err);
				conn_send_error(c, msgid, -rc, msg);
				free(items);
				return;
			}
			it->status = LOG_REJECTED;
			snprintf(it->message, sizeof it->message, "%.127s", err);
		}
	}
	catalog_learn_items(d, items, n);
	struct job *job = job_for(c, JOB_LOG, msgid, NULL);
	if (job == NULL) {
		free(items);
		return;
	}
	job->items = items;
	job->n_items = n;
	d->inflight_entries += n;
	submit_for_conn(c, job);
	services_entries_submitted(d, items, n);
}

static void
method_list(struct conn *c, uint32_t msgid, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	struct job *job = job_for(c, JOB_LIST, msgid, NULL);
	if (job == NULL)
		return;
	int64_t v;
	int rc = 0;
	if ((rc = proto_get_int(params, "since", false, &v, err, sizeof err)) == 0) {
		job->list.has_since = true;
		job->list.since_ms = v;
	}
	if (rc != -PROTO_E_INVALID_PARAMS &&
	    (rc = proto_get_int(params, "until", false, &v, err, sizeof err)) == 0) {
		job->list.has_until = true;
		job->list.until_ms = v;
	}
	if (rc != -PROTO_E_INVALID_PARAMS &&
	    (rc = proto_get_str(params, "factor", false, job->list_factor,
	    sizeof job->list_factor, err, sizeof err)) == 0) {
		const char *name = catalog_resolve_alias(job->list_factor);
		if (name != job->list_factor)
			snprintf(job->list_factor, sizeof job->list_factor, "%s", name);
		job->list.factor = job->list_factor;
	}
	if (rc == -PROTO_E_INVALID_PARAMS) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		job_free(job);
		return;
	}
	if (read_limit(c, msgid, params, LIST_DEFAULT_LIMIT, &job->list.limit) != 0) {
		job_free(job);
		return;
	}
	submit_for_conn(c, job);
}

static void
method_export(struct conn *c, uint32_t msgid, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	struct job *job = job_for(c, JOB_EXPORT, msgid, NULL);
	if (job == NULL)
		return;
	int64_t v = INT64_MIN;
	int rc = proto_get_int(params, "since", false, &v, err, sizeof err);
	job->since_ms = v;
	const msgpack_object *after = proto_map_get(params, "after");
	if (rc != -PROTO_E_INVALID_PARAMS && after != NULL && after->type != MSGPACK_OBJECT_NIL) {
		if (after->type != MSGPACK_OBJECT_ARRAY || after->via.array.size != 2 ||
		    (after->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    after->via.array.ptr[0].type != MSGPACK_OBJECT_NEGATIVE_INTEGER) ||
		    proto_obj_str(&after->via.array.ptr[1], job->after_id, sizeof job->after_id) != 0) {
			rc = -PROTO_E_INVALID_PARAMS;
			snprintf(err, sizeof err, "\"after\" must be [time, id] as the previous page's \"next\"");
		} else {
			job->has_after = true;
			job->after_time_ms = after->via.array.ptr[0].via.i64;
		}
	}
	if (rc == -PROTO_E_INVALID_PARAMS) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		job_free(job);
		return;
	}
	if (read_limit(c, msgid, params, LIST_MAX_LIMIT, &job->limit) != 0) {
		job_free(job);
		return;
	}
	submit_for_conn(c, job);
}

/* A removal changes what the analysis saw: refresh it once it is on disk. */
static void
entry_removed(struct job *job)
{
	struct conn *c = job->owner;
	if (job->rc == 0 && c != NULL)
		services_entry_removed(c->daemon);
	job_reply_to_owner(job);
}

static void
method_undo(struct conn *c, uint32_t msgid, const msgpack_object *params)
{
	(void)params;
	struct job *job = job_for(c, JOB_UNDO, msgid, entry_removed);
	if (job != NULL)
		submit_for_conn(c, job);
}

static void
method_delete(struct conn *c, uint32_t msgid, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	char id[PROTO_ID_LEN + 1];
	if (proto_get_str(params, "id", true, id, sizeof id, err, sizeof err) != 0) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	struct job *job = job_for(c, JOB_DELETE, msgid, entry_removed);
	if (job == NULL)
		return;
	snprintf(job->id, sizeof job->id, "%s", id);
	submit_for_conn(c, job);
}

static void
method_factors(struct conn *c, uint32_t msgid, const msgpack_object *params)
{
	(void)params;
	const struct catalog *cat = &c->daemon->catalog;
	struct reply rep;
	reply_begin(&rep, msgid);
	msgpack_pack_map(&rep.pk, 1);
	proto_pack_cstr(&rep.pk, "factors");
	msgpack_pack_array(&rep.pk, cat->count);
	for (size_t i = 0; i < cat->count; i++)
		reply_pack_factor(&rep.pk, &cat->factors[i]);
	reply_send(&rep, c);
}

/* The definition is in the catalog once it is on disk. */
static void
factor_defined(struct job *job)
{
	struct conn *c = job->owner;
	if (job->rc == 0 && catalog_put(&c->daemon->catalog, &job->factor) != 0)
		log_warn("cannot update factor %s in memory", job->factor.name);
	job_reply_to_owner(job);
}

static void
method_factor_define(struct conn *c, uint32_t msgid, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	char name[PROTO_FACTOR_MAX + 1], kind[16], role[16];
	struct factor f;
	memset(&f, 0, sizeof f);
	int rc;
	if ((rc = proto_get_str(params, "name", true, name, sizeof name, err, sizeof err)) != 0 ||
	    (rc = proto_get_str(params, "kind", true, kind, sizeof kind, err, sizeof err)) != 0 ||
	    (rc = proto_get_str(params, "role", true, role, sizeof role, err, sizeof err)) != 0) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	if (!proto_valid_factor_name(name)) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS,
		    "a factor name is a lowercase letter, then up to 31 lowercase letters, digits or _");
		return;
	}
	const struct factor *known = catalog_find(&c->daemon->catalog, name);
	if (known != NULL && known->builtin) {
		snprintf(err, sizeof err, "%s is built in and cannot be redefined", name);
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	f.kind = factor_kind_parse(kind);
	f.role = factor_role_parse(role);
	if (f.kind < 0 || f.role < 0) {
		snprintf(err, sizeof err, "%s %s is unknown: kinds are scale, hours, minutes, event, flare; "
		    "roles are exposure, symptom, outcome, red_flag, treatment", f.kind < 0 ? "kind" : "role",
		    f.kind < 0 ? kind : role);
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	snprintf(f.name, sizeof f.name, "%s", name);
	factor_kind_range(f.kind, &f.min, &f.max);
	if (proto_get_str(params, "unit", false, f.unit, sizeof f.unit, err, sizeof err) ==
	    -PROTO_E_INVALID_PARAMS) {
		conn_send_error(c, msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	snprintf(f.description, sizeof f.description, "defined by you");
	struct job *job = job_for(c, JOB_FACTOR_DEFINE, msgid, factor_defined);
	if (job == NULL)
		return;
	job->factor = f;
	submit_for_conn(c, job);
}

static const struct method {
	const char *name;
	method_fn fn;
} methods[] = {
	{PROTO_M_HELLO, method_hello},
	{PROTO_M_LOG, method_log},
	{PROTO_M_LIST, method_list},
	{PROTO_M_EXPORT, method_export},
	{PROTO_M_UNDO, method_undo},
	{PROTO_M_DELETE, method_delete},
	{PROTO_M_FACTORS, method_factors},
	{PROTO_M_FACTOR_DEFINE, method_factor_define},
};

void
dispatch_request(struct conn *c, const struct proto_msg *msg)
{
	char err[PROTO_MESSAGE_MAX];
	const msgpack_object *params = NULL;
	if (c->daemon->stopping) {
		conn_send_error(c, msg->msgid, PROTO_E_SHUTTING_DOWN, "simmerd is stopping");
		return;
	}
	int rc = proto_params_map(msg, &params, err, sizeof err);
	if (rc != 0) {
		conn_send_error(c, msg->msgid, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (strcmp(methods[i].name, msg->method) == 0) {
			log_debug("client %llu: %s", (unsigned long long)c->serial, msg->method);
			methods[i].fn(c, msg->msgid, params);
			return;
		}
	}
	if (services_dispatch(c, msg->msgid, msg->method, params))
		return;
	snprintf(err, sizeof err, "no method \"%s\"", msg->method);
	conn_send_error(c, msg->msgid, PROTO_E_NO_METHOD, err);
}
