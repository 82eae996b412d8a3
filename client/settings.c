/*
 * settings.c: `simmer config` and `simmer reminder`, the commands that read
 * and change simmer.conf through simmerd (which checks and writes it).
 *
 * Text output is "key = value" lines; JSON only with --json.
 *
 * SPDX-License-Identifier: ISC
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/commands.h"
#include "client/conn.h"
#include "client/render.h"

#define CHECKIN_ENABLED_KEY "schedule.checkin_enabled"
#define CHECKIN_TIME_KEY "schedule.checkin"

struct config_args {
	const char *key, *value;
};

static void
pack_config_args(msgpack_packer *pk, const void *arg)
{
	const struct config_args *a = arg;
	msgpack_pack_map(pk, a->value ? 2 : 0);
	if (a->value) {
		proto_pack_kv_str(pk, "key", a->key);
		proto_pack_kv_str(pk, "value", a->value);
	}
}

/* One call to config_get or config_set; the reply's "values" map in *msg. */
static int
config_call(const struct options *o, const struct config_args *a, struct proto_msg *msg)
{
	struct client_conn c;
	int rc = client_connect(o, &c);
	if (rc != 0)
		return rc;
	char err[PROTO_MESSAGE_MAX];
	rc = conn_call(&c, a->value ? PROTO_M_CONFIG_SET : PROTO_M_CONFIG_GET, pack_config_args, a,
	    msg, err, sizeof err);
	conn_close(&c);
	if (rc != 0) {
		client_error("%s", err);
		return rc;
	}
	return 0;
}

static const msgpack_object *
config_value(const struct proto_msg *msg, const char *key)
{
	const msgpack_object *values = proto_map_get(msg->result, "values");
	return values ? proto_map_get(values, key) : NULL;
}

/* Prints "key = value", or refuses a key the daemon does not have. */
static int
print_key(const struct options *o, const struct proto_msg *msg, const char *key)
{
	const msgpack_object *v = config_value(msg, key);
	if (v == NULL) {
		const msgpack_object *values = proto_map_get(msg->result, "values");
		char known[2048] = "";
		for (uint32_t i = 0; values && values->type == MSGPACK_OBJECT_MAP &&
		    i < values->via.map.size; i++) {
			char k[64];
			proto_obj_str(&values->via.map.ptr[i].key, k, sizeof k);
			size_t len = strlen(known);
			snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "", k);
		}
		client_error("there is no setting '%s'; the settings are %s", key, known);
		return -SIMMER_E_USAGE;
	}
	char value[256];
	proto_obj_str(v, value, sizeof value);
	if (o->json) {
		json_t *j = json_pack("{s:s}", key, value);
		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else
		printf("%s = %s\n", key, value);
	return 0;
}

static void
print_all(const struct proto_msg *msg)
{
	char path[1024], err[8];
	const msgpack_object *values = proto_map_get(msg->result, "values");
	if (proto_get_str(msg->result, "path", false, path, sizeof path, err, sizeof err) == 0)
		printf("# %s\n", path);
	for (uint32_t i = 0; values && values->type == MSGPACK_OBJECT_MAP &&
	    i < values->via.map.size; i++) {
		char k[64], v[256];
		proto_obj_str(&values->via.map.ptr[i].key, k, sizeof k);
		proto_obj_str(&values->via.map.ptr[i].val, v, sizeof v);
		printf("%s = %s\n", k, v);
	}
}

int
cmd_config(const struct options *o, int argc, char **argv)
{
	struct config_args a = {0};
	bool get = argc >= 1 && argc <= 2 && strcmp(argv[0], "get") == 0;
	bool set = argc == 3 && strcmp(argv[0], "set") == 0;
	if (!get && !set) {
		client_error("usage: simmer config get [KEY] | simmer config set KEY VALUE "
		    "(see 'simmer config --help')");
		return -SIMMER_E_USAGE;
	}
	a.key = argc >= 2 ? argv[1] : NULL;
	a.value = set ? argv[2] : NULL;
	struct proto_msg msg;
	int rc = config_call(o, &a, &msg);
	if (rc != 0)
		return rc;
	if (a.key != NULL)
		rc = print_key(o, &msg, a.key);
	else if (o->json)
		render_json(stdout, msg.result);
	else
		print_all(&msg);
	proto_msg_free(&msg);
	return rc;
}

/* "the evening check-in reminder is on, at 21:00 ..." */
static void
describe_reminder(const struct proto_msg *msg)
{
	char enabled[16] = "", at[16] = "";
	const msgpack_object *v = config_value(msg, CHECKIN_ENABLED_KEY);
	if (v)
		proto_obj_str(v, enabled, sizeof enabled);
	if ((v = config_value(msg, CHECKIN_TIME_KEY)) != NULL)
		proto_obj_str(v, at, sizeof at);
	if (strcmp(enabled, "true") == 0)
		render_wrap(stdout, "the evening check-in reminder is on: a notification at the time "
		    "below on days with no entry yet, once a day; 'simmer reminder off' turns it off",
		    0, 0);
	else
		render_wrap(stdout, "the evening check-in reminder is off; 'simmer reminder on' turns "
		    "it on", 0, 0);
	printf("%s = %s\n%s = %s\n", CHECKIN_ENABLED_KEY, enabled, CHECKIN_TIME_KEY, at);
}

int
cmd_reminder(const struct options *o, int argc, char **argv)
{
	struct config_args a = {0};
	if (argc == 1 && strcmp(argv[0], "on") == 0) {
		a.key = CHECKIN_ENABLED_KEY;
		a.value = "true";
	} else if (argc == 1 && strcmp(argv[0], "off") == 0) {
		a.key = CHECKIN_ENABLED_KEY;
		a.value = "false";
	} else if (argc == 2 && strcmp(argv[0], "at") == 0) {
		a.key = CHECKIN_TIME_KEY;
		a.value = argv[1];
	} else if (argc != 0) {
		client_error("usage: simmer reminder [on|off|at HH:MM]");
		return -SIMMER_E_USAGE;
	}
	struct proto_msg msg;
	int rc = config_call(o, &a, &msg);
	if (rc != 0)
		return rc;
	if (o->json)
		render_json(stdout, msg.result);
	else
		describe_reminder(&msg);
	proto_msg_free(&msg);
	return 0;
}
