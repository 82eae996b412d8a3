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

/* Entries in one `log` request: a batch the writer commits in well under
 * a second, so one import cannot starve quick entries for long. */
#define PROTO_MAX_ENTRIES_PER_REQUEST 5000

/* Open connections: a person's own tools, with room for a test's 64
 * concurrent writers; more is a fork bomb, not a user. */
#define PROTO_MAX_CONNECTIONS 256

/* Seconds a connection may hold a partial message before it is closed, so a
 * client that stalls mid-message cannot pin its buffer forever. */
#define PROTO_STALL_TIMEOUT_S 10

/* Entries in one page of `export` (its default and most), and most a `list`
 * returns: a page packs to about a megabyte with long notes, well inside a
 * reply a client reads at once. */
#define PROTO_PAGE_SIZE 5000
/* Entries a `list` returns when the client names no limit: one screen. */
#define PROTO_LIST_DEFAULT 50

/* Alerts an `alerts` call returns when the client names no limit, and at
 * most: a person reads the recent ones; the rest stay in the file. */
#define PROTO_ALERTS_DEFAULT 20
#define PROTO_ALERTS_MAX 1000

/* Field sizes. */
#define PROTO_ID_LEN 36          /* a UUID in its canonical text form */
#define PROTO_FACTOR_MAX 32      /* [a-z][a-z0-9_]{0,31} */
#define PROTO_NOTE_MAX 1024      /* bytes of UTF-8 */
#define PROTO_METHOD_MAX 32
#define PROTO_MESSAGE_MAX 512    /* an error's message */
#define PROTO_UNIT_MAX 15        /* a factor's unit: "hours", "mg" */
#define PROTO_DESCRIPTION_MAX 95 /* a factor's one-line description */

#endif
