/*
 * bench_log.c: acknowledged durable entries per second.
 *
 * Opens N connections to a running simmerd, each in its own thread, and
 * has each send `log` requests of one entry and wait for the acknowledgement
 * (which simmerd sends only after the commit reached the disk), for a fixed
 * time. Prints the entries acknowledged per second. Usage:
 *   bench_log SOCKET CONNECTIONS SECONDS
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto/proto.h"

static const char *socket_path;
static double run_seconds;
static atomic_long acknowledged;
static atomic_int failures;

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
connect_daemon(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", socket_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("connect");
		return -1;
	}
	return fd;
}

/* Reads until one complete message is in buf; returns its length. */
static ssize_t
read_reply(int fd, char *buf, size_t cap, size_t *len)
{
	struct proto_limits lim;
	proto_limits_default(&lim);
	char err[PROTO_MESSAGE_MAX];
	for (;;) {
		ssize_t n = proto_scan(buf, *len, &lim, err, sizeof err);
		if (n > 0)
			return n;
		if (n != -PROTO_E_NEED_MORE)
			return -1;
		ssize_t r = read(fd, buf + *len, cap - *len);
		if (r <= 0)
			return -1;
		*len += (size_t)r;
	}
}

static void *
writer_thread(void *arg)
{
	(void)arg;
	int fd = connect_daemon();
	if (fd < 0) {
		failures++;
		return NULL;
	}
	char buf[65536];
	size_t len = 0;
	uint32_t msgid = 1;
	double end = now_s() + run_seconds;
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	while (now_s() < end) {
		struct entry e;
		memset(&e, 0, sizeof e);
		proto_uuid_v7(e.id);
		e.time_ms = (int64_t)time(NULL) * 1000;
		snprintf(e.factor, sizeof e.factor, "stress");
		e.value = (double)(msgid % 10);
		e.source = ENTRY_SOURCE_CLI;
		msgpack_sbuffer_clear(&sb);
		msgpack_packer pk;
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		proto_pack_request_head(&pk, msgid++, PROTO_M_LOG);
		msgpack_pack_array(&pk, 1);
		msgpack_pack_map(&pk, 1);
		proto_pack_cstr(&pk, "entries");
		msgpack_pack_array(&pk, 1);
		proto_entry_pack(&pk, &e, false);
		if (write(fd, sb.data, sb.size) != (ssize_t)sb.size) {
			failures++;
			break;
		}
		ssize_t n = read_reply(fd, buf, sizeof buf, &len);
		if (n < 0) {
			failures++;
			break;
		}
		memmove(buf, buf + n, len - (size_t)n);
		len -= (size_t)n;
		acknowledged++;
	}
	msgpack_sbuffer_destroy(&sb);
	close(fd);
	return NULL;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bench_log SOCKET CONNECTIONS SECONDS\n");
		return 64;
	}
	socket_path = argv[1];
	int conns = atoi(argv[2]);
	run_seconds = atof(argv[3]);
	if (conns < 1 || conns > 256 || run_seconds <= 0) {
		fprintf(stderr, "bench_log: 1-256 connections and a positive duration\n");
		return 64;
	}
	pthread_t *threads = calloc((size_t)conns, sizeof *threads);
	double start = now_s();
	for (int i = 0; i < conns; i++)
		pthread_create(&threads[i], NULL, writer_thread, NULL);
	for (int i = 0; i < conns; i++)
		pthread_join(threads[i], NULL);
	double secs = now_s() - start;
	free(threads);
	if (failures > 0) {
		fprintf(stderr, "bench_log: %d connections failed\n", (int)failures);
		return 1;
	}
	printf("%.0f\n", (double)acknowledged / secs);
	return 0;
}
