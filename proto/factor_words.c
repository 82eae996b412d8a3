/*
 * factor_words.c: the words a factor's kind and role travel as (see
 * proto.h). The daemon's catalog numbers them in this order; the client
 * checks a definition it reads from a file against the same words before
 * it sends one.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

const char *const proto_factor_kinds[] = {"scale", "hours", "minutes", "event", "flare", "count",
    NULL};
const char *const proto_factor_roles[] = {"exposure", "symptom", "outcome", "red_flag",
    "treatment", NULL};

int
proto_word_index(const char *const *words, const char *name)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], name) == 0)
			return i;
	return -1;
}

void
proto_word_list(const char *const *words, char *out, size_t outlen)
{
	size_t used = 0;
	if (outlen > 0)
		out[0] = '\0';
	for (int i = 0; words[i] != NULL && used < outlen; i++) {
		int n = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", words[i]);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}
