/*
 * errors.c: the one table of simmer's error codes: each code's stable name,
 * what it means, and the sysexits(3) code a process ends with for it.
 *
 * The enum and its convention are described in proto.h. The exit codes are
 * the ones simmer(1) documents (64 usage, 65 data refused, 66 no input, 69
 * no daemon, 74 storage, 75 spooled, 76 protocol, ...); scripts rely on
 * them, so a row's exit code never changes.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stddef.h>
#include <sysexits.h>

#include "proto/proto.h"

struct error_row {
	const char *name;
	const char *message;
	int exit_code;
};

static const struct error_row error_table[] = {
	[PROTO_OK] = {"ok", "success", EX_OK},
	[PROTO_E_PARSE] = {"parse_error", "the bytes are not valid msgpack", EX_PROTOCOL},
	[PROTO_E_INVALID_REQUEST] = {"invalid_request", "the message is not msgpack-RPC",
	    EX_PROTOCOL},
	[PROTO_E_NO_METHOD] = {"method_not_found", "no such method", EX_PROTOCOL},
	[PROTO_E_INVALID_PARAMS] = {"invalid_params", "a field is missing or has the wrong type",
	    EX_DATAERR},
	[PROTO_E_TOO_LARGE] = {"too_large", "a limit was exceeded", EX_DATAERR},
	[PROTO_E_OUT_OF_RANGE] = {"out_of_range", "a value is outside its factor's range",
	    EX_DATAERR},
	[PROTO_E_NOT_FOUND] = {"not_found", "no such entry or factor", EX_DATAERR},
	[PROTO_E_STORAGE] = {"storage_error", "the database failed; nothing was stored", EX_IOERR},
	[PROTO_E_BUSY] = {"busy", "simmerd has too many connections", EX_TEMPFAIL},
	[PROTO_E_NOT_READY] = {"not_ready", "no analysis result yet", EX_TEMPFAIL},
	[PROTO_E_VERSION] = {"version_mismatch", "the protocol versions differ", EX_PROTOCOL},
	[PROTO_E_INTERNAL] = {"internal_error", "an internal error", EX_SOFTWARE},
	[PROTO_E_SHUTTING_DOWN] = {"shutting_down", "simmerd is stopping", EX_TEMPFAIL},
	[PROTO_E_PERMISSION] = {"permission_denied", "the peer is another user", EX_NOPERM},
	[PROTO_E_NEED_MORE] = {"need_more", "the message is incomplete", EX_SOFTWARE},
	[PROTO_E_CONFLICT] = {"conflict", "it clashes with what is stored", EX_DATAERR},
	[CONN_E_TIMEOUT] = {"timeout", "simmerd did not answer in time", EX_TEMPFAIL},
	[CONN_E_UNSAFE] = {"unsafe_socket", "the socket's folder or owner is not this user's",
	    EX_NOPERM},
	[SIMMER_E_USAGE] = {"usage", "the command line is wrong", EX_USAGE},
	[SIMMER_E_DATA] = {"data_error", "a file's contents were refused", EX_DATAERR},
	[SIMMER_E_NO_INPUT] = {"no_input", "an input file cannot be opened", EX_NOINPUT},
	[SIMMER_E_UNAVAILABLE] = {"unavailable", "simmerd cannot be reached", EX_UNAVAILABLE},
	[SIMMER_E_SYSTEM] = {"system_error", "the system refused memory, a thread or a pipe",
	    EX_OSERR},
	[SIMMER_E_CANT_CREATE] = {"cannot_create", "a file or folder cannot be created",
	    EX_CANTCREAT},
	[SIMMER_E_IO] = {"io_error", "reading or writing a file failed", EX_IOERR},
	[SIMMER_E_SPOOLED] = {"spooled", "simmerd was away; the entries were kept in the spool",
	    EX_TEMPFAIL},
	[SIMMER_E_RUNNING] = {"running", "simmerd is running and must be stopped first",
	    EX_TEMPFAIL},
	[SIMMER_E_CONFIG] = {"config_error", "the configuration is wrong", EX_CONFIG},
	[SIMMER_E_START] = {"start_failed", "simmerd could not start a service", EX_SOFTWARE},
};

static const struct error_row *
error_row(int code)
{
	if (code < 0)
		code = -code;
	if ((size_t)code < sizeof error_table / sizeof error_table[0] && error_table[code].name)
		return &error_table[code];
	return NULL;
}

const char *
proto_error_name(int code)
{
	const struct error_row *row = error_row(code);
	return row ? row->name : "unknown_error";
}

const char *
proto_error_message(int code)
{
	const struct error_row *row = error_row(code);
	return row ? row->message : "an unknown error";
}

int
proto_error_exit_code(int code)
{
	const struct error_row *row = error_row(code);
	return row ? row->exit_code : EX_SOFTWARE;
}
