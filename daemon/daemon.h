/*
 * daemon.h: the state simmerd's loop thread shares between its files.
 * Everything here belongs to the loop thread unless a comment says
 * otherwise. It declares no functions: each file's own header does, so that
 * which file uses which stays visible (`make check-layers`).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_DAEMON_H
#define SIMMER_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "daemon/catalog.h"
#include "common/paths.h"
#include "daemon/config.h"
#include "daemon/server.h"
#include "daemon/writer.h"
#include "proto/proto.h"

/* Entries accepted but not yet committed, over all connections (a log
 * item is about 1.4 KiB): past this, connections wait before more of their
 * requests are read, so many pipelining clients cannot exhaust memory. */
#define DAEMON_MAX_INFLIGHT_ENTRIES 100000

struct alerts;
struct analysis_service;
struct experiments;
struct pages;
struct refused;
struct schedule;

struct simmerd {
	uv_loop_t *loop;
	struct simmer_paths paths;
	struct simmer_config cfg;   /* config_service.c's; others read it */
	struct catalog catalog;     /* validates entries at once, on the loop thread */
	struct store *store;        /* the read-write connection, owned by the writer */
	struct writer *writer;
	struct alerts *alerts;
	struct analysis_service *analysis;
	struct experiments *experiments;
	struct refused *refused;     /* refused spooled entries: their count */
	struct schedule *schedule;
	struct proto_limits limits;
	int day_start_hour;

	/* server.c's: the socket and the connections. */
	server_request_fn on_request;
	uv_pipe_t listener;
	bool listener_open, socket_adopted, socket_bound;
	struct conn *conns;
	unsigned n_conns;
	unsigned n_subscribers;     /* at most PROTO_MAX_SUBSCRIBERS */
	size_t buffered_bytes;      /* receive buffers of every connection */
	size_t unsent_bytes;        /* replies queued and not yet written, all connections */
	size_t unsent_evicted;      /* the part of it that connections closed this turn hold */
	bool evictions;             /* some connection is to be closed at the turn's end */
	size_t read_budget;         /* bytes still to read this turn of the loop */
	bool reads_deferred;        /* some connection waits for the next turn */
	uv_check_t turn_end;        /* renews the budget after each turn's I/O */
	uv_idle_t turn_idle;        /* runs while some connection waits for a turn */
	bool turn_end_open;
	uint64_t next_serial;
	size_t inflight_entries;    /* see DAEMON_MAX_INFLIGHT_ENTRIES */
	bool conns_held;            /* some connection waits for that to drop */
	struct pages *pages;        /* list and export, on their reader thread */

	int lock_fd;
	uv_signal_t sig_term, sig_int, sig_hup;
	bool stopping;
};

#endif
