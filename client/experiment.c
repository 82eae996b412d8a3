/*
 * experiment.c: `simmer experiment`: start, status, stop and list personal
 * elimination and reintroduction trials. simmerd checks and stores the plan
 * and compares the days; this file reads the command line and prints the
 * replies (JSON with --json: the wire contract of PROTOCOL.md).
 *
 * SPDX-License-Identifier: ISC
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/commands.h"
#include "client/conn.h"
#include "client/experiment.h"
#include "client/render.h"
#include "client/when.h"

struct start_args {
	char factor[PROTO_FACTOR_MAX + 1];
	long eliminate, reintroduce, washout, cycles;   /* -1: the daemon's default */
	char start[11];                         /* "" for today */
};

static void
pack_start(msgpack_packer *pk, const void *arg)
{
	const struct start_args *a = arg;
	int n = 1 + (a->eliminate >= 0) + (a->reintroduce >= 0) + (a->washout >= 0) +
	    (a->cycles >= 0) + (a->start[0] != '\0');
	msgpack_pack_map(pk, (size_t)n);
	proto_pack_kv_str(pk, "factor", a->factor);
	if (a->eliminate >= 0)
		proto_pack_kv_int(pk, "eliminate", a->eliminate);
	if (a->reintroduce >= 0)
		proto_pack_kv_int(pk, "reintroduce", a->reintroduce);
	if (a->washout >= 0)
		proto_pack_kv_int(pk, "washout", a->washout);
	if (a->cycles >= 0)
		proto_pack_kv_int(pk, "cycles", a->cycles);
	if (a->start[0] != '\0')
		proto_pack_kv_str(pk, "start", a->start);
}

/* "--eliminate 14": a whole number of days (or of cycles) in [lo, hi]. */
static int
parse_days(const char *opt, const char *word, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(word, &end, 10);
	if (word[0] == '\0' || *end != '\0' || v < lo || v > hi) {
		client_error("experiment start: %s takes a whole number%s from %ld to %ld, not "
		    "'%s'", opt, strcmp(opt, "--cycles") == 0 ? "" : " of days", lo, hi, word);
		return -SIMMER_E_USAGE;
	}
	*out = v;
	return 0;
}

static int
parse_start(int argc, char **argv, struct start_args *a)
{
	a->eliminate = a->reintroduce = a->washout = a->cycles = -1;
	const char *factor = NULL;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;
		if (w[0] == '-' && w[1] == '-' && next == NULL) {
			client_error("experiment start: %s needs a value (see 'simmer experiment --help')", w);
			return -SIMMER_E_USAGE;
		}
		if (strcmp(w, "--eliminate") == 0)
			rc = parse_days(w, next, 1, EXPERIMENT_CLI_MAX_ELIMINATE, &a->eliminate);
		else if (strcmp(w, "--reintroduce") == 0)
			rc = parse_days(w, next, 1, EXPERIMENT_CLI_MAX_REINTRODUCE, &a->reintroduce);
		else if (strcmp(w, "--washout") == 0)
			rc = parse_days(w, next, 0, EXPERIMENT_CLI_MAX_WASHOUT, &a->washout);
		else if (strcmp(w, "--cycles") == 0)
			rc = parse_days(w, next, 1, EXPERIMENT_CLI_MAX_CYCLES, &a->cycles);
		else if (strcmp(w, "--start") == 0) {
			char err[PROTO_MESSAGE_MAX], iso[40];
			int64_t ms;
			int32_t off;
			if (when_parse(next, client_now_ms(), WHEN_DATE_NOON, &ms, &off, err,
			    sizeof err) != 0) {
				client_error("experiment start: --start: %s", err);
				return -SIMMER_E_USAGE;
			}
			when_format_iso(ms, off, iso, sizeof iso);
			snprintf(a->start, sizeof a->start, "%.10s", iso);
		} else if (w[0] == '-') {
			client_error("experiment start: unknown option '%s' (--eliminate DAYS, --reintroduce "
			    "DAYS, --washout DAYS, --cycles N, --start WHEN)", w);
			return -SIMMER_E_USAGE;
		} else if (factor == NULL) {
			factor = w;
			continue;
		} else {
			client_error("experiment start: one factor at a time ('%s' and '%s'): experiments "
			    "change one thing, so that its effect can be told apart", factor, w);
			return -SIMMER_E_USAGE;
		}
		if (rc != 0)
			return rc;
		i++;
	}
	if (factor == NULL) {
		client_error("experiment start: which factor? usage: simmer experiment start FACTOR "
		    "[--eliminate DAYS] [--reintroduce DAYS] [--washout DAYS] [--cycles N]");
		return -SIMMER_E_USAGE;
	}
	if (strlen(factor) > PROTO_FACTOR_MAX) {
		client_error("experiment start: '%.40s...' is longer than a factor name can be", factor);
		return -SIMMER_E_USAGE;
	}
	size_t i = 0;
	for (; factor[i]; i++)
		a->factor[i] = (char)tolower((unsigned char)factor[i]);
	a->factor[i] = '\0';
	return 0;
}

/* A number with one decimal and its sign: "+2.1", "-0.4". */
static void
signed_points(char *out, size_t len, double v, bool onsets)
{
	snprintf(out, len, onsets ? "%+.2f" : "%+.1f", v);
}

static void
print_outcome(FILE *out, const msgpack_object *o)
{
	char name[64] = "", why[128] = "", err[8];
	bool tested = false, onsets = false, harmful = false;
	proto_get_str(o, "name", false, name, sizeof name, err, sizeof err);
	proto_get_bool(o, "tested", false, &tested, err, sizeof err);
	proto_get_bool(o, "onsets", false, &onsets, err, sizeof err);
	char line[512];
	if (!tested) {
		proto_get_str(o, "why_not", false, why, sizeof why, err, sizeof err);
		snprintf(line, sizeof line, "%s: not compared (%s)", name, why);
		render_wrap(out, line, 4, 6);
		return;
	}
	double with = NAN, without = NAN, effect = NAN, lo = NAN, hi = NAN;
	int64_t lag = 0, days = 0, with_days = 0;
	proto_get_double(o, "with_mean", false, &with, err, sizeof err);
	proto_get_double(o, "without_mean", false, &without, err, sizeof err);
	proto_get_double(o, "effect", false, &effect, err, sizeof err);
	proto_get_double(o, "lo", false, &lo, err, sizeof err);
	proto_get_double(o, "hi", false, &hi, err, sizeof err);
	proto_get_int(o, "lag_days", false, &lag, err, sizeof err);
	proto_get_int(o, "days", false, &days, err, sizeof err);
	proto_get_int(o, "with_days", false, &with_days, err, sizeof err);
	proto_get_bool(o, "harmful", false, &harmful, err, sizeof err);
	static const char *const when[] = {"the same day", "one day later", "two days later",
	    "three days later"};
	const char *lag_text = lag >= 0 && lag <= 3 ? when[lag] : "later";
	char e[16], l[16], h[16];
	signed_points(e, sizeof e, effect, onsets);
	signed_points(l, sizeof l, lo, onsets);
	signed_points(h, sizeof h, hi, onsets);
	if (onsets)
		snprintf(line, sizeof line, "%s: a daily chance of %.2f after days with it, %.2f "
		    "without: %s (95%% interval %s to %s), %s; %lld days, %lld with it%s",
		    name, with, without, e, l, h, lag_text, (long long)days,
		    (long long)with_days, harmful ? "; clearly higher" : "");
	else
		snprintf(line, sizeof line, "%s: %.1f after days with it, %.1f without: %s points "
		    "(95%% interval %s to %s), %s; %lld days, %lld with it%s", name, with,
		    without, e, l, h, lag_text, (long long)days,
		    (long long)with_days, harmful ? "; clearly higher" : "");
	render_wrap(out, line, 4, 6);
}

void
experiment_print(FILE *out, const msgpack_object *x, bool with_results)
{
	char factor[64] = "", start[16] = "", end[16] = "", phase[32] = "", text[256] = "";
	char stopped[16] = "", verdict[768] = "", err[8];
	int64_t e = 0, r = 0, w = 0, cycles = 1;
	proto_get_str(x, "factor", false, factor, sizeof factor, err, sizeof err);
	proto_get_str(x, "start", false, start, sizeof start, err, sizeof err);
	proto_get_str(x, "end", false, end, sizeof end, err, sizeof err);
	proto_get_str(x, "phase", false, phase, sizeof phase, err, sizeof err);
	proto_get_str(x, "phase_text", false, text, sizeof text, err, sizeof err);
	proto_get_str(x, "stopped_after", false, stopped, sizeof stopped, err, sizeof err);
	proto_get_int(x, "eliminate_days", false, &e, err, sizeof err);
	proto_get_int(x, "reintroduce_days", false, &r, err, sizeof err);
	proto_get_int(x, "washout_days", false, &w, err, sizeof err);
	proto_get_int(x, "cycles", false, &cycles, err, sizeof err);
	char line[1024], times[40] = "";
	if (cycles > 1)
		snprintf(times, sizeof times, ", %lld times over", (long long)cycles);
	snprintf(line, sizeof line, "trial of %s, %s to %s: %lld days without it, %lld with it%s, "
	    "%lld watching for late effects", factor, start, end, (long long)e, (long long)r, times,
	    (long long)w);
	render_wrap(out, line, 0, 2);
	snprintf(line, sizeof line, "now: %s", text);
	render_wrap(out, line, 2, 4);
	if (!with_results)
		return;
	int64_t breaks = 0, missed = 0;
	proto_get_int(x, "breaks", false, &breaks, err, sizeof err);
	proto_get_int(x, "reintroduce_missed", false, &missed, err, sizeof err);
	if (breaks > 0) {
		const msgpack_object *days = proto_map_get(x, "break_days");
		size_t len = (size_t)snprintf(line, sizeof line, "broke the plan: %s was logged on %lld "
		    "day%s of the elimination (", factor, (long long)breaks, breaks == 1 ? "" : "s");
		for (uint32_t i = 0; days && days->type == MSGPACK_OBJECT_ARRAY && i < days->via.array.size &&
		    len < sizeof line - 16; i++) {
			char d[16] = "";
			proto_obj_str(&days->via.array.ptr[i], d, sizeof d);
			len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", i ? ", " : "", d);
		}
		snprintf(line + len, sizeof line - len, "); those days count as days with it");
		render_wrap(out, line, 2, 4);
	}
	if (missed > 0) {
		snprintf(line, sizeof line, "%lld day%s of the reintroduction had entries but no %s",
		    (long long)missed, missed == 1 ? "" : "s", factor);
		render_wrap(out, line, 2, 4);
	}
	const msgpack_object *outcomes = proto_map_get(x, "outcomes");
	if (outcomes && outcomes->type == MSGPACK_OBJECT_ARRAY && outcomes->via.array.size > 0) {
		fprintf(out, "  with %s and without it:\n", factor);
		for (uint32_t i = 0; i < outcomes->via.array.size; i++)
			print_outcome(out, &outcomes->via.array.ptr[i]);
	}
	proto_get_str(x, "verdict_text", false, verdict, sizeof verdict, err, sizeof err);
	snprintf(line, sizeof line, "verdict: %s", verdict);
	render_wrap(out, line, 2, 4);
}

static int
call(const struct options *o, const char *method, pack_params_fn pack, const void *arg,
    struct proto_msg *msg)
{
	struct client_conn c;
	int rc = client_connect(o, &c);
	if (rc != 0)
		return rc;
	char err[PROTO_MESSAGE_MAX];
	rc = conn_call(&c, method, pack, arg, msg, err, sizeof err);
	conn_close(&c);
	if (rc != 0) {
		client_error("experiment: %s", err);
		return rc;
	}
	return 0;
}

static int
no_more_args(const char *sub, int argc)
{
	if (argc > 0) {
		client_error("experiment %s takes no arguments (see 'simmer experiment --help')", sub);
		return -SIMMER_E_USAGE;
	}
	return 0;
}

int
cmd_experiment(const struct options *o, int argc, char **argv)
{
	if (argc == 0) {
		client_error("experiment: start, status, stop or list? (see 'simmer experiment --help')");
		return -SIMMER_E_USAGE;
	}
	const char *sub = argv[0];
	struct proto_msg msg;
	int rc;
	if (strcmp(sub, "start") == 0) {
		struct start_args a;
		memset(&a, 0, sizeof a);
		if ((rc = parse_start(argc - 1, argv + 1, &a)) != 0)
			return rc;
		rc = call(o, PROTO_M_EXPERIMENT_START, pack_start, &a, &msg);
	} else if (strcmp(sub, "stop") == 0) {
		if ((rc = no_more_args(sub, argc - 1)) != 0)
			return rc;
		rc = call(o, PROTO_M_EXPERIMENT_STOP, NULL, NULL, &msg);
	} else if (strcmp(sub, "status") == 0) {
		if ((rc = no_more_args(sub, argc - 1)) != 0)
			return rc;
		rc = call(o, PROTO_M_EXPERIMENT_STATUS, NULL, NULL, &msg);
	} else if (strcmp(sub, "list") == 0) {
		if ((rc = no_more_args(sub, argc - 1)) != 0)
			return rc;
		rc = call(o, PROTO_M_EXPERIMENT_LIST, NULL, NULL, &msg);
	} else {
		client_error("experiment: there is no '%s'; it takes start, status, stop or list", sub);
		return -SIMMER_E_USAGE;
	}
	if (rc != 0)
		return rc;
	if (o->json) {
		render_json(stdout, msg.result);
	} else if (strcmp(sub, "list") == 0) {
		const msgpack_object *list = proto_map_get(msg.result, "experiments");
		if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size == 0)
			printf("no experiments yet; 'simmer experiment start FACTOR' plans one\n");
		for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY &&
		    i < list->via.array.size; i++)
			experiment_print(stdout, &list->via.array.ptr[i], true);
	} else {
		const msgpack_object *x = proto_map_get(msg.result, "experiment");
		if (x == NULL || x->type != MSGPACK_OBJECT_MAP)
			printf("no experiment yet; 'simmer experiment start FACTOR' plans one\n");
		else
			experiment_print(stdout, x, strcmp(sub, "status") == 0);
		if (strcmp(sub, "start") == 0)
			render_wrap(stdout, "simmer compares the days with and without it at the end; log "
			    "pain and symptoms every day, and the evening reminder says what each day asks",
			    2, 2);
		else if (strcmp(sub, "stop") == 0)
			render_wrap(stdout, "stopped: the days before today still count; 'simmer experiment "
			    "status' shows what they say", 2, 2);
	}
	proto_msg_free(&msg);
	return 0;
}
