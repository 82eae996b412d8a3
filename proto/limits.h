/*
 * limits.h: every limit simmer puts on input from the wire, in one place.
 *
 * Both binaries share these. The daemon enforces them before anything is
 * unpacked into memory (msgpack-c allocates whatever an array or map header
 * claims), and announces them in the reply to `hello`, so any client can
 * size its batches.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_PROTO_LIMITS_H
#define SIMMER_PROTO_LIMITS_H

/* The wire protocol's version. A client speaking another major refuses. */
#define PROTO_VERSION 1

/* One message: an import batch of PROTO_MAX_ENTRIES_PER_REQUEST entries with
 * long notes fits, and a runaway client cannot make the daemon hold more. */
#define PROTO_MAX_MESSAGE_BYTES (4u * 1024u * 1024u)

/* Bytes buffered for one connection: a message in progress plus pipelined
 * ones behind it. A client that sends faster than we answer is paused. */
#define PROTO_MAX_CONN_BUFFER (8u * 1024u * 1024u)

/* Nesting depth: the deepest legitimate message is
 * [0, id, "log", [{"entries": [{...}]}]] = 5 levels; leave a little room. */
#define PROTO_MAX_DEPTH 8

/* Any one string or binary: notes and messages are short; a megabyte
 * "factor name" is an attack, not a factor. */
#define PROTO_MAX_STRING 4096

/* Elements of any one array: an import batch is the largest array. */
#define PROTO_MAX_ARRAY 5000

/* Pairs of any one map: the richest map (an entry) has 8 keys. */
#define PROTO_MAX_MAP 64

/* Values in one message, containers and their elements alike. msgpack-c
 * spends 24 bytes on each value it unpacks however small it was on the wire
 * (a nil is one byte), so this, not the message's size, bounds what decoding
 * one message costs: 131,072 values are 3 MiB. The largest real message, a
 * `log` of PROTO_MAX_ENTRIES_PER_REQUEST entries of 8 pairs with their
 * units, has about 90,000. */
#define PROTO_MAX_OBJECTS 131072

/* Entries in one `log` request: a batch the writer commits in well under
 * a second, so one import cannot starve quick entries for long. */
#define PROTO_MAX_ENTRIES_PER_REQUEST 5000

/* Open connections: a person's own tools, with room for a test's 64
 * concurrent writers; more is a fork bomb, not a user. When a new
 * connection would pass this, the one silent the longest is closed to make
 * room; only when none is silent is the newcomer refused with `busy`. */
#define PROTO_MAX_CONNECTIONS 256

/* Connections subscribed to alerts: a desktop watcher or two. A subscriber
 * may stay silent for days, so it is exempt from the idle timeout and from
 * being closed to make room, and their number is capped instead. */
#define PROTO_MAX_SUBSCRIBERS 16

/* Seconds from a message's first byte until it must be complete, so a
 * client that stalls mid-message, or trickles a byte at a time, cannot pin
 * its buffer forever (the default of `connections.stall_timeout_s`). */
#define PROTO_STALL_TIMEOUT_S 10

/* Seconds a connection with nothing in progress may stay silent before it
 * is closed: a client that connects and never speaks holds a connection
 * slot for this long at most (the default of `connections.idle_timeout_s`). */
#define PROTO_IDLE_TIMEOUT_S 60

/* MiB of receive buffers over all connections together, beyond each one's
 * first read chunk: 250 connections each halfway through a 4 MiB message
 * would otherwise hold a gigabyte, four times the unit's MemoryMax=256M.
 * A connection whose message would pass it is answered `busy` and closed
 * (the default of `connections.max_buffered_mib`). */
#define PROTO_MAX_BUFFERED_MIB 64

/* Entries in one page of `export` (its default and most), and most a `list`
 * returns: a page packs to about a megabyte with long notes, well inside a
 * reply a client reads at once. */
#define PROTO_PAGE_SIZE 5000
/* Entries a `list` returns when the client names no limit: one screen. */
#define PROTO_LIST_DEFAULT 50

/* The largest value of one entry of an event, the kind a new name gets
 * with --new: a bigger number (a step count) needs its kind defined. */
#define PROTO_EVENT_MAX 100

/* Alerts an `alerts` call returns when the client names no limit, and at
 * most: a person reads the recent ones; the rest stay in the file. */
#define PROTO_ALERTS_DEFAULT 20
#define PROTO_ALERTS_MAX 1000

/* Refused spooled entries a `refused` call returns when the client names
 * no limit, and at most: a person's missed entries are a handful; a reply
 * of this many with long notes is under 2 MiB. */
#define PROTO_REFUSED_DEFAULT 1000
#define PROTO_REFUSED_MAX 1000

/* Field sizes. */
#define PROTO_ID_LEN 36          /* a UUID in its canonical text form */
#define PROTO_FACTOR_MAX 32      /* [a-z][a-z0-9_]{0,31} */
#define PROTO_NOTE_MAX 1024      /* bytes of UTF-8 */
#define PROTO_METHOD_MAX 32
#define PROTO_MESSAGE_MAX 512    /* an error's message */
#define PROTO_UNIT_MAX 15        /* a factor's unit: "hours", "mg" */
#define PROTO_DESCRIPTION_MAX 95 /* a factor's one-line description */

#endif
