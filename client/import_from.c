/*
 * import_from.c: `simmer import --from TRACKER`: the part that talks to
 * simmerd (see import_from.h). The file was read by tracker.c; here the
 * factors it needs are made to fit the daemon's catalog and defined, and
 * then every entry goes down import's usual batching path.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdlib.h>
#include <string.h>

#include "client/import_from.h"

/* One factor as the daemon knows it. */
struct known_factor {
	char name[PROTO_FACTOR_MAX + 1];
	char kind[16];
	bool builtin;
};

struct catalog_view {
	struct known_factor *factors;
	size_t count;
};

static int
catalog_fetch(struct client_conn *c, struct catalog_view *v, char *err, size_t errlen)
{
	struct proto_msg msg;
	int rc = conn_call(c, PROTO_M_FACTORS, NULL, NULL, &msg, err, errlen);
	if (rc != 0)
		return rc;
	const msgpack_object *list = proto_map_get(msg.result, "factors");
	size_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	v->factors = calloc(n ? n : 1, sizeof *v->factors);
	v->count = 0;
	if (v->factors == NULL) {
		proto_msg_free(&msg);
		snprintf(err, errlen, "out of memory");
		return -PROTO_E_INTERNAL;
	}
	for (size_t i = 0; i < n; i++) {
		const msgpack_object *f = &list->via.array.ptr[i];
		struct known_factor *k = &v->factors[v->count];
		char tmp[8];
		bool builtin = false;
		if (proto_get_str(f, "name", true, k->name, sizeof k->name, tmp, sizeof tmp) != 0)
			continue;
		proto_get_str(f, "kind", false, k->kind, sizeof k->kind, tmp, sizeof tmp);
		proto_get_bool(f, "builtin", false, &builtin, tmp, sizeof tmp);
		k->builtin = builtin;
		v->count++;
	}
	proto_msg_free(&msg);
	return 0;
}

static const struct known_factor *
catalog_lookup(const struct catalog_view *v, const char *name)
{
	for (size_t i = 0; i < v->count; i++)
		if (strcmp(v->factors[i].name, name) == 0)
			return &v->factors[i];
	return NULL;
}

struct define_args {
	const char *name, *kind, *role;
};

static void
pack_define(msgpack_packer *pk, const void *arg)
{
	const struct define_args *a = arg;
	msgpack_pack_map(pk, 3);
	proto_pack_kv_str(pk, "name", a->name);
	proto_pack_kv_str(pk, "kind", a->kind);
	proto_pack_kv_str(pk, "role", a->role);
}

/* Defines a new factor; a daemon without the treatment role takes the
 * medicine as an exposure. */
static int
define_factor(struct client_conn *c, const struct tracker_name *n, char *err, size_t errlen)
{
	struct define_args a = {n->factor, n->kind, n->role};
	struct proto_msg msg;
	int rc = conn_call(c, PROTO_M_FACTOR_DEFINE, pack_define, &a, &msg, err, errlen);
	if (rc == -PROTO_E_INVALID_PARAMS && strcmp(a.role, "treatment") == 0) {
		a.role = "exposure";
		rc = conn_call(c, PROTO_M_FACTOR_DEFINE, pack_define, &a, &msg, err, errlen);
	}
	if (rc == 0)
		proto_msg_free(&msg);
	return rc;
}

/* A new factor whose name a built-in of another kind already has gets the
 * item's word added ("stress" as a tag becomes stress_tag). */
static void
avoid_builtin(struct tracker_name *n, const struct catalog_view *v)
{
	const struct known_factor *k = catalog_lookup(v, n->factor);
	if (k == NULL || !k->builtin)
		return;
	if (strcmp(k->kind, n->kind) == 0) {
		n->custom = false;  /* simmer has it now: use it */
		return;
	}
	char name[PROTO_FACTOR_MAX + 1];
	size_t extra = strlen(n->item) + 1, len = strlen(n->factor);
	if (len + extra > PROTO_FACTOR_MAX)
		len = PROTO_FACTOR_MAX - extra;
	snprintf(name, sizeof name, "%.*s_%s", (int)len, n->factor, n->item);
	snprintf(n->factor, sizeof n->factor, "%s", name);
}

int
import_from_tracker(struct client_conn *c, struct tracker *t, import_record_cb cb, void *arg,
    char *err, size_t errlen)
{
	struct catalog_view v = {0};
	int rc = catalog_fetch(c, &v, err, errlen);
	for (size_t i = 0; rc == 0 && i < t->n_names; i++) {
		struct tracker_name *n = &t->names[i];
		if (!n->custom)
			continue;
		if (n->if_defined) {
			/* Numbers simmer cannot place: sent only to the person's own
			 * factor of that name. */
			if (catalog_lookup(&v, n->factor) == NULL) {
				char why[64];
				snprintf(why, sizeof why, "column '%.24s' (numbers: define it first)",
				    n->source);
				tracker_drop_name(t, n, why);
			}
			continue;
		}
		avoid_builtin(n, &v);
		bool earlier = false;
		for (size_t k = 0; k < i; k++)
			earlier = earlier || (t->names[k].custom && strcmp(t->names[k].factor, n->factor) == 0);
		if (n->custom && !earlier && catalog_lookup(&v, n->factor) == NULL) {
			rc = define_factor(c, n, err, errlen);
			if (rc != 0) {
				char why[PROTO_MESSAGE_MAX];
				snprintf(why, sizeof why, "%s", err);
				snprintf(err, errlen, "cannot define the factor %s: %s", n->factor, why);
			}
		}
	}
	free(v.factors);
	for (size_t i = 0; rc == 0 && i < t->n_rejected; i++)
		rc = cb(&t->rejected[i], arg);
	for (size_t i = 0; rc == 0 && i < t->n_entries; i++) {
		if (t->names[t->entries[i].factor].dropped)
			continue;
		struct import_record rec;
		tracker_record(t, i, &rec);
		rc = cb(&rec, arg);
	}
	return rc;
}
