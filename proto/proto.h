/*
 * proto.h: simmer's wire format, shared by simmerd and simmer.
 *
 * The transport is msgpack-RPC over a Unix stream socket, with no framing
 * beyond msgpack itself:
 *   request       [0, msgid, method, params]
 *   response      [1, msgid, error, result]   error is nil or {code, message}
 *   notification  [2, method, params]
 * params is always an array; simmer's methods take one map, `[{...}]`, or `[]`.
 * PROTOCOL.md is the contract for other clients; this header is its C face.
 *
 * Conventions: functions return 0 (PROTO_OK) or a negative proto_error code
 * (see the enum below), and fill `err` (at least PROTO_MESSAGE_MAX bytes)
 * with one sentence when they fail. Nothing here does I/O.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_PROTO_H
#define SIMMER_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <msgpack.h>

#include "proto/limits.h"

/*
 * simmer's one error convention, for the daemon, the client and the wire.
 *
 * Functions return 0 (PROTO_OK) or a negative code from this enum, and fill
 * a message when there is something to say. The codes come in three kinds:
 *   PROTO_E_*   1-99: the protocol's, sent as {code, message}. Stable: never
 *               renumber them, other clients read them (PROTOCOL.md).
 *   CONN_E_*    from 100: the client's own failures to reach simmerd.
 *   SIMMER_E_*  from 102: the command line, files and start-up of either
 *               binary.
 * Codes from 100 on never travel on the wire.
 *
 * Each code is one row of the table in proto/errors.c: its stable name, a
 * sentence saying what it means, and the sysexits(3) code that simmer and
 * simmerd exit with for it. An exit code comes from that table alone
 * (proto_error_exit_code); main() is the only place that calls it. The exit
 * codes are documented in simmer(1) and must not change.
 */
enum proto_error {
	PROTO_OK = 0,
	PROTO_E_PARSE = 1,           /* bytes are not valid msgpack */
	PROTO_E_INVALID_REQUEST = 2, /* valid msgpack, not a msgpack-RPC message */
	PROTO_E_NO_METHOD = 3,       /* unknown method */
	PROTO_E_INVALID_PARAMS = 4,  /* a field is missing or has the wrong type */
	PROTO_E_TOO_LARGE = 5,       /* a limit from limits.h was exceeded */
	PROTO_E_OUT_OF_RANGE = 6,    /* a value outside its factor's range */
	PROTO_E_NOT_FOUND = 7,       /* no such entry, factor, ... */
	PROTO_E_STORAGE = 8,         /* the database failed; nothing was stored */
	PROTO_E_BUSY = 9,            /* too many connections */
	PROTO_E_NOT_READY = 10,      /* no analysis result yet */
	PROTO_E_VERSION = 11,        /* protocol versions differ */
	PROTO_E_INTERNAL = 12,       /* a bug; the message says where */
	PROTO_E_SHUTTING_DOWN = 13,  /* the daemon is stopping */
	PROTO_E_PERMISSION = 14,     /* peer is another user */
	PROTO_E_NEED_MORE = 15,      /* internal to proto_scan: incomplete, read more */
	PROTO_E_CONFLICT = 16,       /* clashes with what is stored (an experiment's days) */

	CONN_E_TIMEOUT = 100,        /* simmerd did not accept, take or answer in time */
	CONN_E_UNSAFE = 101,         /* the runtime folder or the socket's owner is not us */

	SIMMER_E_USAGE = 102,        /* the command line is wrong */
	SIMMER_E_DATA = 103,         /* a file's contents were refused */
	SIMMER_E_NO_INPUT = 104,     /* an input file cannot be opened */
	SIMMER_E_UNAVAILABLE = 105,  /* no simmerd to talk to, or nothing to show */
	SIMMER_E_SYSTEM = 106,       /* no memory, thread, pipe or process */
	SIMMER_E_CANT_CREATE = 107,  /* an output file or folder cannot be made */
	SIMMER_E_IO = 108,           /* writing or reading a file failed */
	SIMMER_E_SPOOLED = 109,      /* simmerd was away; the entries wait in the spool */
	SIMMER_E_RUNNING = 110,      /* simmerd is running and must be stopped first */
	SIMMER_E_CONFIG = 111,       /* the configuration file is wrong */
	SIMMER_E_START = 112,        /* simmerd could not start one of its services */
};

/* The short stable name of an error code ("parse_error", ...); a negative
 * code names the same error. */
const char *proto_error_name(int code);
/* One sentence saying what an error code means. */
const char *proto_error_message(int code);
/* The sysexits(3) code a process ends with for an error code: 0 for 0,
 * EX_SOFTWARE for a code the table does not know. */
int proto_error_exit_code(int code);

/* Message types of msgpack-RPC. */
enum proto_msg_type {
	PROTO_REQUEST = 0,
	PROTO_RESPONSE = 1,
	PROTO_NOTIFICATION = 2,
};

/* Method names, one place for both sides. */
#define PROTO_M_HELLO "hello"
#define PROTO_M_LOG "log"
#define PROTO_M_LIST "list"
#define PROTO_M_EXPORT "export"
#define PROTO_M_UNDO "undo"
#define PROTO_M_DELETE "delete"
#define PROTO_M_FACTORS "factors"
#define PROTO_M_FACTOR_DEFINE "factor_define"
#define PROTO_M_STATUS "status"
#define PROTO_M_FORECAST "forecast"
#define PROTO_M_TRIGGERS "triggers"
#define PROTO_M_WHY "why"
#define PROTO_M_BACKTEST "backtest"
#define PROTO_M_ANALYZE "analyze"
#define PROTO_M_ALERTS "alerts"
#define PROTO_M_SUBSCRIBE "subscribe"
#define PROTO_M_NOTIFY_TEST "notify_test"
#define PROTO_M_RELOAD "reload"
#define PROTO_M_CONFIG_GET "config_get"
#define PROTO_M_CONFIG_SET "config_set"
#define PROTO_M_EXPERIMENT_START "experiment_start"
#define PROTO_M_EXPERIMENT_STOP "experiment_stop"
#define PROTO_M_EXPERIMENT_STATUS "experiment_status"
#define PROTO_M_EXPERIMENT_LIST "experiment_list"
#define PROTO_M_REFUSED "refused"
#define PROTO_M_REFUSED_CLEAR "refused_clear"
/* Notification the daemon sends to subscribers. */
#define PROTO_N_ALERT "alert"

/* The limits a scan enforces; proto_limits_default() fills those of limits.h. */
struct proto_limits {
	uint32_t max_message_bytes;
	uint32_t max_depth;
	uint32_t max_string;
	uint32_t max_array;
	uint32_t max_map;
	uint32_t max_objects;   /* values in one message, all depths */
};
void proto_limits_default(struct proto_limits *lim);

/*
 * Framing. Looks at buf[0..len) for one complete msgpack object without
 * allocating, checking every header against `lim` as it goes, so a header
 * that claims four billion elements is refused before anything is built.
 * Returns the object's length in bytes (> 0), -PROTO_E_NEED_MORE when the
 * bytes so far are a valid prefix, or -PROTO_E_PARSE / -PROTO_E_TOO_LARGE
 * with a message in err.
 */
ssize_t proto_scan(const char *buf, size_t len, const struct proto_limits *lim,
    char *err, size_t errlen);

/* Where a scan of an incomplete message stopped, so that the next call
 * goes on from there instead of walking the message again from its first
 * byte each time more arrives. Zeroed (proto_scan_reset) before a message. */
struct proto_scan_state {
	size_t off;                            /* bytes walked so far */
	uint32_t depth;
	uint32_t objects;                      /* values met so far */
	uint64_t remaining[PROTO_MAX_DEPTH + 2]; /* values still to read per depth */
};
void proto_scan_reset(struct proto_scan_state *st);
/* proto_scan() going on from `st` over the same message, buf[0..len) now
 * longer than before. Returns what proto_scan() returns; `st` is only
 * meaningful while it returns -PROTO_E_NEED_MORE. */
ssize_t proto_scan_more(struct proto_scan_state *st, const char *buf, size_t len,
    const struct proto_limits *lim, char *err, size_t errlen);

/* One decoded message. It owns its unpacked objects and, unless decoded in
 * place, a copy of its bytes (msgpack-c points strings into the bytes it
 * unpacked). */
struct proto_msg {
	char *bytes;
	int type;                       /* enum proto_msg_type */
	uint32_t msgid;                 /* requests and responses */
	char method[PROTO_METHOD_MAX + 1]; /* requests and notifications */
	const msgpack_object *params;   /* requests, notifications: an array */
	const msgpack_object *error;    /* responses: nil or {code, message} */
	const msgpack_object *result;   /* responses */
	msgpack_unpacked unpacked;
};

/*
 * Decodes one complete message that proto_scan() accepted. On failure the
 * msgid is still filled when it could be read (so the caller can answer it)
 * and *msgid_known says so. Always call proto_msg_free() afterwards.
 */
int proto_msg_decode(const char *buf, size_t len, struct proto_msg *msg,
    bool *msgid_known, char *err, size_t errlen);
/* The same without the copy: msg points into buf, which must stay in place
 * until proto_msg_free(). For a caller that is done with the message before
 * it touches its buffer again (the daemon's read path). */
int proto_msg_decode_in_place(const char *buf, size_t len, struct proto_msg *msg,
    bool *msgid_known, char *err, size_t errlen);
void proto_msg_free(struct proto_msg *msg);

/* The first element of a request's params when it is a map, or NULL when
 * params is empty. Anything else is PROTO_E_INVALID_PARAMS. */
int proto_params_map(const struct proto_msg *msg, const msgpack_object **map,
    char *err, size_t errlen);

/*
 * Reading maps. Each getter finds `key` in `map` (NULL map means empty).
 * A missing key gives -PROTO_E_NOT_FOUND when `required` is false (the output
 * is left untouched) and -PROTO_E_INVALID_PARAMS with a message when true.
 * A key of the wrong type is always -PROTO_E_INVALID_PARAMS.
 */
const msgpack_object *proto_map_get(const msgpack_object *map, const char *key);
int proto_get_str(const msgpack_object *map, const char *key, bool required,
    char *out, size_t outlen, char *err, size_t errlen);
int proto_get_int(const msgpack_object *map, const char *key, bool required,
    int64_t *out, char *err, size_t errlen);
int proto_get_double(const msgpack_object *map, const char *key, bool required,
    double *out, char *err, size_t errlen);   /* ints are accepted */
int proto_get_bool(const msgpack_object *map, const char *key, bool required,
    bool *out, char *err, size_t errlen);
/* Copies a msgpack string object into out (NUL-terminated); too long or not
 * a string is -PROTO_E_INVALID_PARAMS. */
int proto_obj_str(const msgpack_object *o, char *out, size_t outlen);

/*
 * Writing. A message is built with msgpack's own packer over a
 * msgpack_sbuffer; these write the envelope, the caller writes the body.
 */
/* [0, msgid, method, then the caller packs params (an array). */
int proto_pack_request_head(msgpack_packer *pk, uint32_t msgid, const char *method);
/* [1, msgid, nil, then the caller packs the result. */
int proto_pack_response_head(msgpack_packer *pk, uint32_t msgid);
/* [1, msgid, {code, message}, nil] complete. */
int proto_pack_response_error(msgpack_packer *pk, uint32_t msgid, int code,
    const char *message);
/* [2, method, then the caller packs params (an array). */
int proto_pack_notification_head(msgpack_packer *pk, const char *method);
/* Small helpers for maps with string keys. */
int proto_pack_cstr(msgpack_packer *pk, const char *s);
int proto_pack_kv_str(msgpack_packer *pk, const char *key, const char *value);
int proto_pack_kv_int(msgpack_packer *pk, const char *key, int64_t value);
int proto_pack_kv_double(msgpack_packer *pk, const char *key, double value);
int proto_pack_kv_bool(msgpack_packer *pk, const char *key, bool value);
int proto_pack_kv_nil(msgpack_packer *pk, const char *key);

/* Where an entry came from. */
enum entry_source {
	ENTRY_SOURCE_CLI = 0,
	ENTRY_SOURCE_IMPORT = 1,
	ENTRY_SOURCE_SPOOL = 2,
};
const char *entry_source_name(int source);       /* "cli", "import", "spool" */
int entry_source_parse(const char *name);        /* -1 when unknown */

/*
 * An entry as it travels and as it is stored. On the wire it is a map:
 *   {"id": str, "time": int, "utc_offset": int, "factor": str,
 *    "value": float (optional), "note": str (optional), "source": str,
 *    "day": "YYYY-MM-DD" (replies only), "deleted": bool (replies only)}
 */
struct entry {
	char id[PROTO_ID_LEN + 1];     /* UUID made by the client */
	int64_t time_ms;               /* UTC milliseconds since the epoch */
	int32_t utc_offset_min;        /* offset east of UTC where it was logged */
	int32_t day;                   /* local day, days since 1970-01-01; -1 unknown */
	char factor[PROTO_FACTOR_MAX + 1];
	double value;
	char note[PROTO_NOTE_MAX + 1]; /* "" when none */
	int source;                    /* enum entry_source */
	bool deleted;
	bool no_value;                 /* sent without "value": the daemon decides
	                                * (an event counts 1; a scale needs one) */
};

/* Packs an entry map; with_stored adds "day" and "deleted". */
int proto_entry_pack(msgpack_packer *pk, const struct entry *e, bool with_stored);
/* Packs a spool record: the entry map, with "create_factor": true when the
 * person asked for new names to become factors (--new). */
int proto_spool_record_pack(msgpack_packer *pk, const struct entry *e, bool create_factor);
/* Reads an entry map, checking types, the id's form, the factor name's form,
 * the note's length and that value is finite. Range checks are the daemon's. */
int proto_entry_unpack(const msgpack_object *o, struct entry *e, char *err, size_t errlen);

/* Validation shared by both sides. */
bool proto_valid_uuid(const char *s);
bool proto_valid_factor_name(const char *s);
/* Edit distance between two names, ignoring case, a swap of neighbours
 * counting as one edit (optimal string alignment); anything past `limit`
 * is limit + 1. Names longer than PROTO_FACTOR_MAX are never close. */
size_t proto_name_distance(const char *a, const char *b, size_t limit);
/* The largest distance at which a name is taken for a typo of another:
 * one edit for up to five letters, two for longer names (two edits in five
 * letters make another word: "steps" is no typo of "stress"). */
size_t proto_typo_distance(const char *name);
/* A fresh time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix
 * milliseconds then 74 random bits from getrandom(). Ids made in order sort
 * in order, so the store's id index grows at its end instead of at random
 * pages. 0 or -errno. */
int proto_uuid_v7(char out[PROTO_ID_LEN + 1]);

/* The words a factor's kind and role travel as (factor_words.c), each list
 * ending in NULL, in the order of the daemon's enum factor_kind and enum
 * factor_role: "scale", "hours", ... and "exposure", "symptom", ... */
extern const char *const proto_factor_kinds[];
extern const char *const proto_factor_roles[];
/* The index of name in a NULL-terminated list of words, or -1. */
int proto_word_index(const char *const *words, const char *name);
/* The words joined by ", " for a message ("scale, hours, minutes, ..."). */
void proto_word_list(const char *const *words, char *out, size_t outlen);

/* Days since 1970-01-01 <-> "YYYY-MM-DD" (proleptic Gregorian). */
void proto_day_format(int32_t day, char out[11]);
int proto_day_parse(const char *s, int32_t *day);
/* The UTC offset (minutes east) in force at an instant in the process's
 * time zone. */
int32_t proto_local_offset(int64_t time_ms);
/* The local day an instant belongs to: local time is time + offset, and a
 * day starts at day_start_hour (so 02:00 with a 04:00 start is yesterday). */
int32_t proto_local_day(int64_t time_ms, int32_t utc_offset_min, int day_start_hour);

/* A probability in coarse words: "about 1 in 4", "about 7 in 10", "less
 * than 1 in 50" (words.c). */
void proto_risk_words(double p, char *out, size_t outlen);

#endif
