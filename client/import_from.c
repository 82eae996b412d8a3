/*
 * import_from.c: the part of `simmer import` that talks to simmerd about
 * factors (see import_from.h). For `--from TRACKER`, the file was read by
 * tracker.c; here the factors it needs are made to fit the daemon's
 * catalog and defined, and then every entry goes down import's usual
 * batching path. A JSON Lines file's definitions are settled here too.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/import_from.h"

int
catalog_view_fetch(struct client_conn *c, struct catalog_view *v, char *err, size_t errlen)
{
	struct proto_msg msg;
	int rc = conn_call(c, PROTO_M_FACTORS, NULL, NULL, &msg, err, errlen);
	if (rc != 0)
		return rc;
	const msgpack_object *list = proto_map_get(msg.result, "factors");
	size_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	/* Room for the factors a file may define after this. */
	v->cap = n + 16;
	v->factors = calloc(v->cap, sizeof *v->factors);
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
		proto_get_str(f, "role", false, k->role, sizeof k->role, tmp, sizeof tmp);
		proto_get_str(f, "unit", false, k->unit, sizeof k->unit, tmp, sizeof tmp);
		proto_get_bool(f, "builtin", false, &builtin, tmp, sizeof tmp);
		k->builtin = builtin;
		v->count++;
	}
	proto_msg_free(&msg);
	v->fetched = true;
	return 0;
}

const struct known_factor *
catalog_view_find(const struct catalog_view *v, const char *name)
{
	for (size_t i = 0; i < v->count; i++)
		if (strcmp(v->factors[i].name, name) == 0)
			return &v->factors[i];
	return NULL;
}

void
catalog_view_free(struct catalog_view *v)
{
	free(v->factors);
	memset(v, 0, sizeof *v);
}

bool
known_factor_is_own(const struct known_factor *k)
{
	return !k->builtin && (strcmp(k->kind, "event") != 0 || strcmp(k->role, "exposure") != 0 ||
	    k->unit[0] != '\0');
}

struct define_args {
	const char *name, *kind, *role, *unit;
};

static void
pack_define(msgpack_packer *pk, const void *arg)
{
	const struct define_args *a = arg;
	msgpack_pack_map(pk, a->unit[0] ? 4 : 3);
	proto_pack_kv_str(pk, "name", a->name);
	proto_pack_kv_str(pk, "kind", a->kind);
	proto_pack_kv_str(pk, "role", a->role);
	if (a->unit[0])
		proto_pack_kv_str(pk, "unit", a->unit);
}

/* Defines a new factor; a daemon without the treatment role takes the
 * medicine as an exposure. */
static int
define_factor(struct client_conn *c, const char *name, const char *kind, const char *role,
    const char *unit, char *err, size_t errlen)
{
	struct define_args a = {name, kind, role, unit};
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

/* "kind minutes, unit min": the parts of `have` that `want` does not share. */
static void
definition_differences(const struct known_factor *have, const struct import_definition *want,
    bool theirs, char *out, size_t outlen)
{
	const char *parts[3][3] = {
		{"kind", have->kind, want->kind},
		{"role", have->role, want->role},
		{"unit", have->unit, want->unit},
	};
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < 3 && used < outlen; i++) {
		if (strcmp(parts[i][1], parts[i][2]) == 0)
			continue;
		const char *value = parts[i][theirs ? 2 : 1];
		int n = snprintf(out + used, outlen - used, "%s%s %s", used ? ", " : "", parts[i][0],
		    value[0] ? value : "none");
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

int
import_definition(struct client_conn *c, struct catalog_view *v,
    const struct import_definition *d, char *note, size_t notelen, char *err, size_t errlen)
{
	int rc = v->fetched ? 0 : catalog_view_fetch(c, v, err, errlen);
	if (rc != 0)
		return rc;
	const struct known_factor *have = catalog_view_find(v, d->factor);
	if (have != NULL) {
		if (strcmp(have->kind, d->kind) == 0 && strcmp(have->role, d->role) == 0 &&
		    strcmp(have->unit, d->unit) == 0)
			return DEFINITION_PRESENT;
		char yours[96], theirs[96];
		definition_differences(have, d, false, yours, sizeof yours);
		definition_differences(have, d, true, theirs, sizeof theirs);
		snprintf(note, notelen, "%s: kept %s definition (%s), the file's was %s", d->factor,
		    have->builtin ? "simmer's built-in" : "your", yours, theirs);
		return DEFINITION_KEPT;
	}
	rc = define_factor(c, d->factor, d->kind, d->role, d->unit, err, errlen);
	if (rc != 0)
		return rc;
	if (v->count == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		struct known_factor *grown = realloc(v->factors, cap * sizeof *grown);
		if (grown == NULL) {
			snprintf(err, errlen, "out of memory");
			return -PROTO_E_INTERNAL;
		}
		v->factors = grown;
		v->cap = cap;
	}
	struct known_factor *k = &v->factors[v->count++];
	memset(k, 0, sizeof *k);
	snprintf(k->name, sizeof k->name, "%s", d->factor);
	snprintf(k->kind, sizeof k->kind, "%s", d->kind);
	snprintf(k->role, sizeof k->role, "%s", d->role);
	snprintf(k->unit, sizeof k->unit, "%s", d->unit);
	return DEFINITION_ADDED;
}

/* A new factor whose name a built-in of another kind already has gets the
 * item's word added ("stress" as a tag becomes stress_tag). */
static void
avoid_builtin(struct tracker_name *n, const struct catalog_view *v)
{
	const struct known_factor *k = catalog_view_find(v, n->factor);
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
	int rc = catalog_view_fetch(c, &v, err, errlen);
	for (size_t i = 0; rc == 0 && i < t->n_names; i++) {
		struct tracker_name *n = &t->names[i];
		if (!n->custom)
			continue;
		if (n->if_defined) {
			/* Numbers simmer cannot place: sent only to the person's own
			 * factor of that name. */
			if (catalog_view_find(&v, n->factor) == NULL) {
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
		if (n->custom && !earlier && catalog_view_find(&v, n->factor) == NULL) {
			rc = define_factor(c, n->factor, n->kind, n->role, "", err, errlen);
			if (rc != 0) {
				char why[PROTO_MESSAGE_MAX];
				snprintf(why, sizeof why, "%s", err);
				snprintf(err, errlen, "cannot define the factor %s: %s", n->factor, why);
			}
		}
	}
	catalog_view_free(&v);
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
