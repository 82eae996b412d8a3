/*
 * fuzz_import.h: feeding bytes to `simmer import`'s line reader
 * (client/importfile.c) as the command does, one physical line at a time,
 * for the CSV and the JSON Lines harnesses.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_TESTS_FUZZ_IMPORT_H
#define SIMMER_TESTS_FUZZ_IMPORT_H

#include <string.h>

#include "client/importfile.h"
#include "tests/fuzz/fuzz.h"

static int
fuzz_import_record(const struct import_record *rec, void *arg)
{
	(void)arg;
	if (rec->ok && rec->definition) {
		fuzz_require(proto_valid_factor_name(rec->def.factor));
		fuzz_require(proto_word_index(proto_factor_kinds, rec->def.kind) >= 0);
		fuzz_require(proto_word_index(proto_factor_roles, rec->def.role) >= 0);
		fuzz_require(strlen(rec->def.unit) <= PROTO_UNIT_MAX);
	} else if (rec->ok) {
		fuzz_require(proto_valid_uuid(rec->entry.id));
		fuzz_require(strlen(rec->entry.note) <= PROTO_NOTE_MAX);
		fuzz_require(strlen(rec->entry.factor) <= PROTO_FACTOR_MAX);
	} else {
		fuzz_require(rec->message[0] != '\0');
	}
	fuzz_require(rec->line >= 1);
	return 0;
}

static inline void
fuzz_import(const uint8_t *data, size_t size, int format)
{
	struct import_parser p;
	if (import_parser_init(&p, format, FUZZ_NOW_MS, fuzz_import_record, NULL) != 0)
		return;
	const char *text = (const char *)data;
	size_t off = 0;
	int rc = 0;
	while (off < size && rc == 0) {
		const char *nl = memchr(text + off, '\n', size - off);
		size_t len = nl != NULL ? (size_t)(nl - (text + off)) + 1 : size - off;
		rc = import_parser_feed_line(&p, text + off, len);
		off += len;
	}
	if (rc == 0)
		import_parser_finish(&p);
	import_parser_free(&p);
}

static void
fuzz_setup(void)
{
	/* Nothing beyond the fixed clock. */
}

#endif
