/*
 * words.c: how a probability is said to a person, shared by the daemon's
 * alerts and the client (see proto.h). A forecast resting on a few dozen
 * onsets does not support "27%"; "about 1 in 4" says what it knows.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdio.h>

#include "proto/proto.h"

void
proto_risk_words(double p, char *out, size_t outlen)
{
	static const int denominators[] = {2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50};
	if (!isfinite(p)) {
		snprintf(out, outlen, "unknown");
		return;
	}
	if (p < 0.02) {
		snprintf(out, outlen, "less than 1 in 50");
		return;
	}
	if (p > 0.95) {
		snprintf(out, outlen, "more than 9 in 10");
		return;
	}
	if (p >= 0.5) {
		snprintf(out, outlen, "about %d in 10", (int)lround(10 * p));
		return;
	}
	/* The nearest friendly "1 in N" on a log scale. */
	int best = denominators[0];
	double best_gap = INFINITY;
	for (size_t i = 0; i < sizeof denominators / sizeof denominators[0]; i++) {
		double gap = fabs(log(p * denominators[i]));
		if (gap < best_gap) {
			best_gap = gap;
			best = denominators[i];
		}
	}
	snprintf(out, outlen, "about 1 in %d", best);
}
