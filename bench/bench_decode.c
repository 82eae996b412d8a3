/*
 * bench_decode.c: how long the loop spends on one message before its
 * method runs: the scan that checks it against the limits, and msgpack-c's
 * decoding, for the costliest messages the limits let through.
 *
 * Prints the median over repeated runs for: a `log` of
 * PROTO_MAX_ENTRIES_PER_REQUEST entries with long notes (the largest real
 * message); a `hello` carrying PROTO_MAX_OBJECTS nils (the most values a
 * message may hold); and, for comparison, 4 MiB of nils decoded without the
 * value limit, as before it existed. It allocates under simmerd's own
 * malloc settings (server_memory_policy). Usage: bench_decode [RUNS]
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/timing.h"
#include "daemon/server.h"
#include "proto/proto.h"

/* Starts a request [0, 1, method, [{key: ...}]]; the caller packs the value. */
static void
pack_request_with_one_key(msgpack_packer *pk, msgpack_sbuffer *buf, const char *method,
    const char *key)
{
	msgpack_packer_init(pk, buf, msgpack_sbuffer_write);
	proto_pack_request_head(pk, 1, method);
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 1);
	proto_pack_cstr(pk, key);
}

/* A `log` request of the most entries, each with a 700-byte note. */
static void
pack_largest_log(msgpack_sbuffer *buf)
{
	msgpack_packer pk;
	pack_request_with_one_key(&pk, buf, PROTO_M_LOG, "entries");
	msgpack_pack_array(&pk, PROTO_MAX_ENTRIES_PER_REQUEST);
	for (int i = 0; i < PROTO_MAX_ENTRIES_PER_REQUEST; i++) {
		struct entry e = {.time_ms = 1700000000000 + i, .value = 5, .source = ENTRY_SOURCE_IMPORT};
		snprintf(e.id, sizeof e.id, "0190f3a0-0000-7000-8000-%012d", i);
		snprintf(e.factor, sizeof e.factor, "pain");
		/* Notes long enough that the message is near 4 MiB. */
		memset(e.note, 'n', 700);
		e.note[700] = '\0';
		proto_entry_pack(&pk, &e, false);
	}
}

/* `hello` whose params carry `nils` nils in arrays of at most 5000. */
static void
pack_nils(msgpack_sbuffer *buf, size_t nils)
{
	msgpack_packer pk;
	pack_request_with_one_key(&pk, buf, PROTO_M_HELLO, "pad");
	size_t arrays = (nils + PROTO_MAX_ARRAY - 1) / PROTO_MAX_ARRAY;
	msgpack_pack_array(&pk, (uint32_t)arrays);
	for (size_t a = 0; a < arrays; a++) {
		size_t n = nils - a * PROTO_MAX_ARRAY < PROTO_MAX_ARRAY ? nils - a * PROTO_MAX_ARRAY
		    : PROTO_MAX_ARRAY;
		msgpack_pack_array(&pk, (uint32_t)n);
		for (size_t i = 0; i < n; i++)
			msgpack_pack_nil(&pk);
	}
}

/* Median milliseconds to scan and decode buf under lim; -1 when refused. */
static double
time_message(const msgpack_sbuffer *buf, const struct proto_limits *lim, int runs)
{
	double *ms = calloc((size_t)runs, sizeof *ms);
	char err[PROTO_MESSAGE_MAX];
	for (int r = 0; r < runs; r++) {
		double t0 = bench_now_ms();
		ssize_t n = proto_scan(buf->data, buf->size, lim, err, sizeof err);
		if (n != (ssize_t)buf->size) {
			fprintf(stderr, "bench_decode: refused: %s\n", err);
			free(ms);
			return -1;
		}
		struct proto_msg msg;
		bool known;
		if (proto_msg_decode_in_place(buf->data, buf->size, &msg, &known, err, sizeof err) != 0) {
			fprintf(stderr, "bench_decode: %s\n", err);
			proto_msg_free(&msg);
			free(ms);
			return -1;
		}
		proto_msg_free(&msg);
		ms[r] = bench_now_ms() - t0;
	}
	double median = bench_median_ms(ms, (size_t)runs);
	free(ms);
	return median;
}

int
main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 21;
	if (runs < 1)
		runs = 1;
	server_memory_policy();
	struct proto_limits lim;
	proto_limits_default(&lim);

	msgpack_sbuffer log;
	msgpack_sbuffer_init(&log);
	pack_largest_log(&log);
	printf("largest log (%d entries, %.1f MiB): scan and decode %.2f ms\n",
	    PROTO_MAX_ENTRIES_PER_REQUEST, (double)log.size / 1048576.0, time_message(&log, &lim, runs));
	msgpack_sbuffer_destroy(&log);

	/* The envelope and the map take a few values of the limit. */
	msgpack_sbuffer nils;
	msgpack_sbuffer_init(&nils);
	pack_nils(&nils, PROTO_MAX_OBJECTS - 64);
	printf("most values a message may hold (%u): scan and decode %.2f ms\n",
	    PROTO_MAX_OBJECTS, time_message(&nils, &lim, runs));
	msgpack_sbuffer_destroy(&nils);

	msgpack_sbuffer flood;
	msgpack_sbuffer_init(&flood);
	pack_nils(&flood, 4000000);
	struct proto_limits unbounded = lim;
	unbounded.max_objects = UINT32_MAX;
	printf("4 MiB of nils without the value limit (as before): scan and decode %.2f ms\n",
	    time_message(&flood, &unbounded, runs < 5 ? runs : 5));
	printf("4 MiB of nils with it: refused after %s\n",
	    proto_scan(flood.data, flood.size, &lim, NULL, 0) == -PROTO_E_TOO_LARGE
	    ? "its first 131,072 values" : "(not refused: a bug)");
	msgpack_sbuffer_destroy(&flood);
	return 0;
}
