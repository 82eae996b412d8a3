/*
 * entries.c: the diary's methods and the path of a new entry (see
 * entries.h). Nothing here blocks: the store thread does the disk work.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/alerts.h"
#include "daemon/analysis_service.h"
#include "common/clock.h"
#include "daemon/daemon.h"
#include "daemon/entries.h"
#include "daemon/log.h"
#include "daemon/pages.h"
#include "daemon/replies.h"
#include "daemon/schedule.h"
#include "daemon/server.h"

/* How far ahead of now an entry may be: time zones and clock skew. */
#define ENTRY_MAX_FUTURE_MS (26LL * 3600000)

/* The entry's factor, its alias resolved: the catalog's, or the default
 * one for a new name. */
static void
resolve_factor(struct simmerd *d, struct entry *e, struct factor *f)
{
	const char *name = catalog_resolve_alias(e->factor);
	if (name != e->factor)
		snprintf(e->factor, sizeof e->factor, "%s", name);
	const struct factor *known = catalog_find(&d->catalog, e->factor);
	if (known != NULL)
		*f = *known;
	else
		catalog_default_factor(f, e->factor);
}

/*
 * Validates one entry against the catalog: resolves aliases, checks the
 * range, computes the local day. New names get the default factor (not yet
 * added to the catalog: the caller does that once the request is accepted).
 */
int
entries_validate(struct simmerd *d, struct entry *e, struct factor *f, char *err, size_t errlen)
{
	resolve_factor(d, e, f);
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
	int rc = e->no_value ? catalog_check_missing_value(f, err, errlen) : 0;
	if (rc < 0)
		return rc;
	e->no_value = false;
	rc = catalog_check_value(f, e->value, err, errlen);
	if (rc < 0)
		return rc;
	e->day = proto_local_day(e->time_ms, e->utc_offset_min, d->day_start_hour);
	e->deleted = false;
	return 0;
}

/* Adds first-use factors of accepted items to the loop's catalog. A
 * factor of the batch's table is used by at least one item; only a
 * rejected item's factor stays unknown. */
static void
catalog_learn_items(struct simmerd *d, const struct log_batch *b)
{
	size_t n = b->n_factors ? b->n_factors : 1;
	bool *used = calloc(n, sizeof *used);
	const struct factor **learn = malloc(n * sizeof *learn);
	size_t n_learn = 0;
	if (used != NULL && learn != NULL) {
		for (size_t i = 0; i < b->n; i++)
			if (b->items[i].status != LOG_REJECTED)
				used[b->items[i].factor_at] = true;
		for (size_t k = 0; k < b->n_factors; k++)
			if (used[k])
				learn[n_learn++] = &b->factors[k];
	}
	if (used == NULL || learn == NULL || catalog_add_new(&d->catalog, learn, n_learn) != 0)
		log_warn("cannot add new factors to the catalog in memory: out of memory");
	free(used);
	free(learn);
}

/* The writer settled a log job: what it added (and only that) raises a red
 * flag, moves the newest day with an entry and debounces a new analysis. */
static void
entries_settled(struct simmerd *d, const struct job *job)
{
	bool any = false;
	for (size_t i = 0; i < job->log.n; i++) {
		const struct log_item *it = &job->log.items[i];
		if (it->status != LOG_ADDED)
			continue;
		any = true;
		schedule_entry_added(d->schedule, it->day);
		alerts_entry_added(d->alerts, log_batch_factor(&job->log, it), it->value, it->time_ms);
	}
	if (any)
		analysis_service_debounce(d->analysis);
}

/* A connection's log job is back: side effects first, so that a `status`
 * sent after the acknowledgement sees the new entries. */
static void
logged(struct job *job)
{
	struct simmerd *d = job->ctx;
	server_entries_settled(d, job->log.n);
	entries_settled(d, job);
	/* The per-entry results are packed here rather than on the store
	 * thread, which an import keeps busy while the loop has time to spare;
	 * the spool's jobs need no reply at all. */
	if (job->rc == 0) {
		msgpack_packer pk;
		msgpack_packer_init(&pk, &job->result, msgpack_sbuffer_write);
		reply_pack_log_result(&pk, job);
	}
	request_job_done(job);
}

static void
spooled(struct job *job)
{
	entries_settled(job->ctx, job);
	job->then(job);
}

int
entries_batch_add(struct simmerd *d, struct log_batch *b, struct entry *e)
{
	char err[PROTO_MESSAGE_MAX];
	struct factor f;
	int rc = entries_validate(d, e, &f, err, sizeof err);
	return log_batch_add(b, e, &f, rc < 0 ? err : NULL);
}

int
entries_submit(struct simmerd *d, struct log_batch *b, job_done_fn done, void *arg)
{
	catalog_learn_items(d, b);
	struct job *job = job_new(JOB_LOG, NULL, 0, spooled);
	if (job == NULL)
		return -PROTO_E_INTERNAL;
	job->ctx = d;
	job->then = done;
	job->log = *b;
	memset(b, 0, sizeof *b);
	job->arg = arg;
	writer_submit(d->writer, job);
	return 0;
}

/*
 * What a person typed, checked before the entry is validated: with
 * create_factors false a name the catalog does not know is refused (with
 * the nearest known one when it looks like a typo), and a unit typed after
 * the value must be the factor's.
 */
int
entries_check_typed(struct simmerd *d, struct entry *e, bool create, const msgpack_object *unit,
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

void
method_log(const struct request *rq, const msgpack_object *params)
{
	struct simmerd *d = rq->d;
	char err[PROTO_MESSAGE_MAX];
	const msgpack_object *entries = proto_map_get(params, "entries");
	if (entries == NULL || entries->type != MSGPACK_OBJECT_ARRAY) {
		request_error(rq, PROTO_E_INVALID_PARAMS, "log needs \"entries\", an array of entries");
		return;
	}
	uint32_t n = entries->via.array.size;
	if (n == 0) {
		request_error(rq, PROTO_E_INVALID_PARAMS, "\"entries\" is empty");
		return;
	}
	if (n > PROTO_MAX_ENTRIES_PER_REQUEST) {
		snprintf(err, sizeof err, "%u entries in one request; at most %u", n,
		    (unsigned)PROTO_MAX_ENTRIES_PER_REQUEST);
		request_error(rq, PROTO_E_TOO_LARGE, err);
		return;
	}
	bool atomic = false, create = true;
	if (proto_get_bool(params, "atomic", false, &atomic, err, sizeof err) == -PROTO_E_INVALID_PARAMS ||
	    proto_get_bool(params, "create_factors", false, &create, err, sizeof err) ==
	    -PROTO_E_INVALID_PARAMS) {
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	/* An import needs only what was refused: listing all 5000 results of
	 * each batch was a tenth of the client's time. */
	char results[16] = "all";
	if (proto_get_str(params, "results", false, results, sizeof results, err, sizeof err) ==
	    -PROTO_E_INVALID_PARAMS || (strcmp(results, "all") != 0 &&
	    strcmp(results, "rejected") != 0)) {
		request_error(rq, PROTO_E_INVALID_PARAMS, "\"results\" is \"all\" or \"rejected\"");
		return;
	}
	const msgpack_object *units = proto_map_get(params, "units");
	if (units != NULL && (units->type != MSGPACK_OBJECT_ARRAY || units->via.array.size != n)) {
		request_error(rq, PROTO_E_INVALID_PARAMS,
		    "\"units\" must be an array as long as \"entries\"");
		return;
	}
	struct log_batch b;
	if (log_batch_init(&b, n) != 0) {
		request_error(rq, PROTO_E_INTERNAL, "out of memory");
		return;
	}
	/* Each entry is read into one full struct entry on the stack, and only
	 * its compact form is kept. */
	struct entry e;
	for (uint32_t i = 0; i < n; i++) {
		struct factor f;
		bool validated = false;
		int rc = proto_entry_unpack(&entries->via.array.ptr[i], &e, err, sizeof err);
		if (rc == 0)
			rc = entries_check_typed(d, &e, create, units ? &units->via.array.ptr[i] : NULL,
			    err, sizeof err);
		if (rc == 0) {
			validated = true;
			rc = entries_validate(d, &e, &f, err, sizeof err);
		}
		if (rc < 0 && atomic) {
			char msg[PROTO_MESSAGE_MAX];
			if (n > 1)
				snprintf(msg, sizeof msg, "entry %u: %.480s", i + 1, err);
			else
				snprintf(msg, sizeof msg, "%s", err);
			request_error(rq, -rc, msg);
			log_batch_free(&b);
			return;
		}
		/* A rejected entry is answered with its factor too, so every
		 * item of the batch has one. */
		if (!validated)
			resolve_factor(d, &e, &f);
		if (log_batch_add(&b, &e, &f, rc < 0 ? err : NULL) != 0) {
			request_error(rq, PROTO_E_INTERNAL, "out of memory");
			log_batch_free(&b);
			return;
		}
	}
	catalog_learn_items(d, &b);
	struct job *job = request_job(rq, JOB_LOG, logged);
	if (job == NULL) {
		log_batch_free(&b);
		return;
	}
	job->log = b;
	job->rejected_results = strcmp(results, "rejected") == 0;
	server_entries_accepted(d, n);
	request_submit(rq, job);
}

void
method_list(const struct request *rq, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	struct job *job = request_job(rq, JOB_LIST, NULL);
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
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		job_free(job);
		return;
	}
	if (request_read_limit(rq, params, &job->list.limit) != 0) {
		job_free(job);
		return;
	}
	pages_submit(rq, job);
}

void
method_export(const struct request *rq, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	struct job *job = request_job(rq, JOB_EXPORT, NULL);
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
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		job_free(job);
		return;
	}
	if (request_read_limit(rq, params, &job->limit) != 0) {
		job_free(job);
		return;
	}
	pages_submit(rq, job);
}

/* A removal changes what the analysis saw: refresh it once it is on disk. */
static void
entry_removed(struct job *job)
{
	struct simmerd *d = job->ctx;
	if (job->rc == 0)
		analysis_service_debounce(d->analysis);
	request_job_done(job);
}

void
method_undo(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	struct job *job = request_job(rq, JOB_UNDO, entry_removed);
	if (job != NULL)
		request_submit(rq, job);
}

void
method_delete(const struct request *rq, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	char id[PROTO_ID_LEN + 1];
	if (proto_get_str(params, "id", true, id, sizeof id, err, sizeof err) != 0) {
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	struct job *job = request_job(rq, JOB_DELETE, entry_removed);
	if (job == NULL)
		return;
	snprintf(job->id, sizeof job->id, "%s", id);
	request_submit(rq, job);
}

void
method_factors(const struct request *rq, const msgpack_object *params)
{
	(void)params;
	const struct catalog *cat = &rq->d->catalog;
	struct reply rep;
	reply_begin(&rep, rq->msgid);
	msgpack_pack_map(&rep.pk, 1);
	proto_pack_cstr(&rep.pk, "factors");
	msgpack_pack_array(&rep.pk, cat->count);
	for (size_t i = 0; i < cat->count; i++)
		reply_pack_factor(&rep.pk, &cat->factors[i]);
	request_reply(rq, &rep);
}

/* The definition is in the catalog once it is on disk. */
static void
factor_defined(struct job *job)
{
	struct simmerd *d = job->ctx;
	if (job->rc == 0 && catalog_put(&d->catalog, &job->factor) != 0)
		log_warn("cannot update factor %s in memory", job->factor.name);
	request_job_done(job);
}

void
method_factor_define(const struct request *rq, const msgpack_object *params)
{
	char err[PROTO_MESSAGE_MAX];
	char name[PROTO_FACTOR_MAX + 1], kind[16], role[16];
	struct factor f;
	memset(&f, 0, sizeof f);
	int rc;
	if ((rc = proto_get_str(params, "name", true, name, sizeof name, err, sizeof err)) != 0 ||
	    (rc = proto_get_str(params, "kind", true, kind, sizeof kind, err, sizeof err)) != 0 ||
	    (rc = proto_get_str(params, "role", true, role, sizeof role, err, sizeof err)) != 0) {
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	if (!proto_valid_factor_name(name)) {
		snprintf(err, sizeof err, "a factor name is a lowercase letter, then up to %d lowercase "
		    "letters, digits or _", PROTO_FACTOR_MAX - 1);
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	const struct factor *known = catalog_find(&rq->d->catalog, name);
	if (known != NULL && known->builtin) {
		snprintf(err, sizeof err, "%s is built in and cannot be redefined", name);
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	f.kind = factor_kind_parse(kind);
	f.role = factor_role_parse(role);
	if (f.kind < 0 || f.role < 0) {
		snprintf(err, sizeof err, "%s %s is unknown: kinds are %s; roles are exposure, symptom, "
		    "outcome, red_flag, treatment", f.kind < 0 ? "kind" : "role", f.kind < 0 ? kind : role,
		    factor_kind_list());
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	snprintf(f.name, sizeof f.name, "%s", name);
	factor_kind_range(f.kind, &f.min, &f.max);
	rc = proto_get_str(params, "unit", false, f.unit, sizeof f.unit, err, sizeof err);
	if (rc == -PROTO_E_INVALID_PARAMS) {
		request_error(rq, PROTO_E_INVALID_PARAMS, err);
		return;
	}
	/* A redefinition that does not name a unit keeps the one it had:
	 * giving coffee the role of a treatment leaves it in cups. */
	if (rc == -PROTO_E_NOT_FOUND && known != NULL)
		snprintf(f.unit, sizeof f.unit, "%s", known->unit);
	snprintf(f.description, sizeof f.description, "defined by you");
	struct job *job = request_job(rq, JOB_FACTOR_DEFINE, factor_defined);
	if (job == NULL)
		return;
	job->factor = f;
	if (known != NULL) {
		job->factor_was = *known;
		job->had_factor = true;
	}
	request_submit(rq, job);
}

