/*
 * fuzz_spool.c: simmerd reading a spool file at its start
 * (daemon/spool.c's spool_parse). Whatever the bytes, the walk ends
 * within them, every entry it hands on passes the wire's checks, and a
 * stop at unreadable bytes comes with a message.
 *
 * SPDX-License-Identifier: ISC
 */
#include <string.h>

#include "daemon/spool.h"
#include "tests/fuzz/fuzz.h"

struct spool_count {
	size_t entries, bad;
};

static int
on_entry(const struct entry *e, size_t offset, bool create_factors, void *arg)
{
	struct spool_count *n = arg;
	(void)offset;
	(void)create_factors;
	fuzz_require(proto_valid_uuid(e->id));
	fuzz_require(proto_valid_factor_name(e->factor));
	fuzz_require(e->source == ENTRY_SOURCE_SPOOL);
	n->entries++;
	return 0;
}

static void
on_bad(size_t offset, const char *why, void *arg)
{
	struct spool_count *n = arg;
	(void)offset;
	fuzz_require(why[0] != '\0');
	n->bad++;
}

static void
fuzz_setup(void)
{
	/* Nothing beyond the fixed clock. */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_limits lim;
	proto_limits_default(&lim);
	/* A copy of exactly size bytes, so that reading past the end is
	 * caught by the sanitizer. */
	char *copy = malloc(size ? size : 1);
	fuzz_require(copy != NULL);
	memcpy(copy, data, size);
	struct spool_count n = {0, 0};
	char err[PROTO_MESSAGE_MAX] = "";
	size_t stopped_at = 0;
	int rc = spool_parse(copy, size, &lim, on_entry, on_bad, &n, &stopped_at, err, sizeof err);
	fuzz_require(stopped_at <= size);
	if (rc < 0)
		fuzz_require(err[0] != '\0' && stopped_at < size);
	else
		fuzz_require(rc == 0 && stopped_at == size);
	free(copy);
	return 0;
}
